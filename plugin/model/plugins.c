/*
 * plugins.c - the room's plugins (room.h): which plugins of the registry
 * are active in the live session, the data their instances exchange, and
 * a small key-value state per active plugin.
 *
 * The registry itself (id, name, url, ...) is the store's (gateway,
 * /v2/plugins); the glue looks a plugin up and hands its object in, so
 * this file never reads the store. An active plugin (rtk_active_plugin,
 * in room->plugins, activation order) keeps a copy of that object, who
 * activated it, whether VIEW_ONLY participants were given control
 * (toggleViewMode) and its state: a JSON object of at most
 * RTK_PLUGIN_STATE_KEYS keys. The state lasts while the plugin is active:
 * deactivating a plugin drops it, so the next activation starts clean.
 *
 * Activation is for everyone: every joined peer gets pluginActivated,
 * pluginDeactivated, pluginStateUpdate and pluginViewModeUpdate (the
 * waiting room gets nothing); pluginData goes to every joined peer but
 * its sender. activateForSelf/deactivateForSelf are the SDK's (it stops
 * showing and feeding the plugin's view): the server has no per-peer
 * plugin set.
 */
#include <string.h>
#include "room_internal.h"

typedef struct rtk_active_plugin {
	char *id;
	json_t *plugin;           /* owned: the registry's object, as activated */
	char *activated_by;       /* owned: a peer id, or NULL (the server) */
	gint64 activated_at_ms;
	gboolean view_only_control; /* toggleViewMode: VIEW_ONLY peers may send data and state */
	json_t *state;            /* owned: key -> any JSON value */
} rtk_active_plugin;

void room_plugin_free(gpointer data) {
	rtk_active_plugin *active = data;
	g_free(active->id);
	json_decref(active->plugin);
	g_free(active->activated_by);
	json_decref(active->state);
	g_free(active);
}

static rtk_active_plugin *plugins_find(const rtk_room *room, const char *plugin_id) {
	for(guint i = 0; i < room->plugins->len; i++) {
		rtk_active_plugin *active = g_ptr_array_index(room->plugins, i);
		if(!g_strcmp0(active->id, plugin_id))
			return active;
	}
	return NULL;
}

/* Delivers `event` (consumed) to every joined peer but `except` (may be NULL). */
static void plugins_send_all(rtk_room *room, const rtk_peer *except, json_t *event) {
	for(guint i = 0; i < room->peers->len; i++) {
		rtk_peer *peer = g_ptr_array_index(room->peers, i);
		if(peer != except)
			room_send(room, peer, event);
	}
	json_decref(event);
}

/* 0003 for a peer in the waiting room (the server, NULL, is always in). */
static gboolean plugins_joined(const rtk_peer *actor, rtk_refusal *why) {
	if(actor == NULL || !actor->waitlisted)
		return TRUE;
	rtk_refusal_set(why, RTK_ERR_NOT_JOINED, "you are in the waiting room: wait to be accepted");
	return FALSE;
}

/* The active plugin `plugin_id`, else NULL and 0603. */
static rtk_active_plugin *plugins_active_or_refuse(const rtk_room *room, const char *plugin_id, rtk_refusal *why) {
	rtk_active_plugin *active = plugin_id ? plugins_find(room, plugin_id) : NULL;
	if(active == NULL)
		rtk_refusal_set(why, RTK_ERR_PLUGIN_NOT_ACTIVE, "plugin '%s' is not active in this meeting",
			plugin_id ? plugin_id : "");
	return active;
}

gboolean rtk_peer_plugin_disabled(const rtk_peer *peer, const char *plugin_id, const char *plugin_name) {
	static const char *const keys[] = { "disabledPlugins", "disabled_plugins" };
	for(size_t k = 0; k < G_N_ELEMENTS(keys); k++) {
		const json_t *list = json_object_get(peer->config_json, keys[k]);
		size_t i;
		const json_t *item;
		json_array_foreach(list, i, item) {
			const char *value = json_string_value(item);
			if(value != NULL && (!g_strcmp0(value, plugin_id) || !g_strcmp0(value, plugin_name)))
				return TRUE;
		}
	}
	return FALSE;
}

gboolean rtk_peer_plugin_view_only(const rtk_peer *peer) {
	const json_t *plugins = json_object_get(peer->permissions_json, "plugins");
	const char *access = json_string_value(json_object_get(json_object_get(plugins, "config"), "access_control"));
	return !g_strcmp0(access, "VIEW_ONLY");
}

/* The actor may change what everyone sees of `active` (data, state): a
 * VIEW_ONLY peer only while view-only control is on (0604). */
static gboolean plugins_may_write(const rtk_peer *actor, const rtk_active_plugin *active, rtk_refusal *why) {
	if(actor == NULL || !rtk_peer_plugin_view_only(actor) || active->view_only_control)
		return TRUE;
	rtk_refusal_set(why, RTK_ERR_PLUGIN_VIEW_ONLY,
		"your preset has plugins.config.access_control VIEW_ONLY: you may not change plugin '%s'", active->id);
	return FALSE;
}

/* The size of `value` as compact JSON text. */
static size_t plugins_json_size(const json_t *value) {
	return json_dumpb(value, NULL, 0, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* An active plugin as roomJoined and pluginActivated show it (NEW). */
static json_t *plugins_active_json(const rtk_active_plugin *active) {
	return json_pack("{ss sO s:s? sI sb sO}", "id", active->id, "plugin", active->plugin,
		"activatedBy", active->activated_by, "activatedAt", (json_int_t)active->activated_at_ms,
		"viewOnlyControl", active->view_only_control, "state", active->state);
}

gboolean rtk_room_plugin_activate(rtk_room *room, rtk_peer *actor, const char *plugin_id, const json_t *plugin,
		gint64 now_ms, rtk_refusal *why) {
	if(!plugins_joined(actor, why) || !room_actor_may(actor, RTK_ACTION_PLUGIN_START, why))
		return FALSE;
	if(plugin_id == NULL || !json_is_object(plugin)) {
		rtk_refusal_set(why, RTK_ERR_PLUGIN_NOT_FOUND, "no plugin '%s'", plugin_id ? plugin_id : "");
		return FALSE;
	}
	if(actor != NULL &&
			rtk_peer_plugin_disabled(actor, plugin_id, json_string_value(json_object_get(plugin, "name")))) {
		rtk_refusal_set(why, RTK_ERR_PLUGIN_DISABLED, "plugin '%s' is disabled by your preset (config.disabledPlugins)",
			plugin_id);
		return FALSE;
	}
	if(plugins_find(room, plugin_id) != NULL)
		return TRUE;   /* already active: nothing to tell */
	if(room->plugins->len >= RTK_PLUGINS_ACTIVE_MAX) {
		rtk_refusal_set(why, RTK_ERR_PLUGIN_LIMIT, "at most %d plugins may be active at once", RTK_PLUGINS_ACTIVE_MAX);
		return FALSE;
	}
	rtk_active_plugin *active = g_new0(rtk_active_plugin, 1);
	active->id = g_strdup(plugin_id);
	active->plugin = json_deep_copy(plugin);
	active->activated_by = actor ? g_strdup(actor->id) : NULL;
	active->activated_at_ms = now_ms;
	active->state = json_object();
	g_ptr_array_add(room->plugins, active);
	json_t *event = room_event("pluginActivated");
	json_object_set_new(event, "pluginId", json_string(active->id));
	json_object_set_new(event, "plugin", plugins_active_json(active));
	json_object_set_new(event, "activatedBy", actor ? json_string(actor->id) : json_null());
	plugins_send_all(room, NULL, event);
	return TRUE;
}

gboolean rtk_room_plugin_deactivate(rtk_room *room, rtk_peer *actor, const char *plugin_id, rtk_refusal *why) {
	if(!plugins_joined(actor, why) || !room_actor_may(actor, RTK_ACTION_PLUGIN_CLOSE, why))
		return FALSE;
	rtk_active_plugin *active = plugins_active_or_refuse(room, plugin_id, why);
	if(active == NULL)
		return FALSE;
	json_t *event = json_pack("{ss ss s:s?}", "rtk", "pluginDeactivated", "pluginId", active->id,
		"deactivatedBy", actor ? actor->id : NULL);
	g_ptr_array_remove(room->plugins, active);   /* frees it */
	plugins_send_all(room, NULL, event);
	return TRUE;
}

gboolean rtk_room_plugin_send_data(rtk_room *room, rtk_peer *actor, const char *plugin_id, const json_t *data,
		gint64 now_ms, rtk_refusal *why) {
	if(!plugins_joined(actor, why))
		return FALSE;
	rtk_active_plugin *active = plugins_active_or_refuse(room, plugin_id, why);
	if(active == NULL || !plugins_may_write(actor, active, why))
		return FALSE;
	if(!json_is_object(data) || plugins_json_size(data) > RTK_PLUGIN_DATA_MAX) {
		rtk_refusal_set(why, RTK_ERR_PLUGIN_TOO_LARGE, "'data' must be an object of at most %d bytes as JSON",
			RTK_PLUGIN_DATA_MAX);
		return FALSE;
	}
	if(actor != NULL && !rtk_rate_take(&actor->plugin_ops, now_ms, RTK_PLUGIN_OPS_PER_SECOND)) {
		rtk_refusal_set(why, RTK_ERR_RATE_LIMITED, "at most %d plugin messages a second", RTK_PLUGIN_OPS_PER_SECOND);
		return FALSE;
	}
	plugins_send_all(room, actor, json_pack("{ss ss sO s:s?}", "rtk", "pluginData", "pluginId", active->id,
		"data", data, "senderId", actor ? actor->id : NULL));
	return TRUE;
}

gboolean rtk_room_plugin_set_state(rtk_room *room, rtk_peer *actor, const char *plugin_id, const char *key,
		const json_t *value, gint64 now_ms, rtk_refusal *why) {
	if(!plugins_joined(actor, why))
		return FALSE;
	rtk_active_plugin *active = plugins_active_or_refuse(room, plugin_id, why);
	if(active == NULL || !plugins_may_write(actor, active, why))
		return FALSE;
	if(key == NULL || *key == '\0' || strlen(key) > RTK_PLUGIN_KEY_MAX || !g_utf8_validate(key, -1, NULL)) {
		rtk_refusal_set(why, RTK_ERR_PLUGIN_TOO_LARGE, "'key' must be a non-empty string of at most %d bytes",
			RTK_PLUGIN_KEY_MAX);
		return FALSE;
	}
	gboolean removing = value == NULL || json_is_null(value);
	if(!removing && plugins_json_size(value) > RTK_PLUGIN_VALUE_MAX) {
		rtk_refusal_set(why, RTK_ERR_PLUGIN_TOO_LARGE, "'value' may be at most %d bytes as JSON", RTK_PLUGIN_VALUE_MAX);
		return FALSE;
	}
	if(!removing && json_object_get(active->state, key) == NULL &&
			json_object_size(active->state) >= RTK_PLUGIN_STATE_KEYS) {
		rtk_refusal_set(why, RTK_ERR_PLUGIN_LIMIT, "plugin '%s' holds %d state keys already: remove one first",
			active->id, RTK_PLUGIN_STATE_KEYS);
		return FALSE;
	}
	if(actor != NULL && !rtk_rate_take(&actor->plugin_ops, now_ms, RTK_PLUGIN_OPS_PER_SECOND)) {
		rtk_refusal_set(why, RTK_ERR_RATE_LIMITED, "at most %d plugin messages a second", RTK_PLUGIN_OPS_PER_SECOND);
		return FALSE;
	}
	if(removing)
		json_object_del(active->state, key);
	else
		json_object_set_new(active->state, key, json_deep_copy(value));
	plugins_send_all(room, NULL, json_pack("{ss ss ss s:O? s:s?}", "rtk", "pluginStateUpdate", "pluginId", active->id,
		"key", key, "value", removing ? NULL : value, "updatedBy", actor ? actor->id : NULL));
	return TRUE;
}

gboolean rtk_room_plugin_set_view_mode(rtk_room *room, rtk_peer *actor, const char *plugin_id, gboolean enabled,
		rtk_refusal *why) {
	if(!plugins_joined(actor, why) || !room_actor_may(actor, RTK_ACTION_PLUGIN_EDIT_CONFIG, why))
		return FALSE;
	rtk_active_plugin *active = plugins_active_or_refuse(room, plugin_id, why);
	if(active == NULL)
		return FALSE;
	if(active->view_only_control == enabled)
		return TRUE;
	active->view_only_control = enabled;
	plugins_send_all(room, NULL, json_pack("{ss ss sb s:s?}", "rtk", "pluginViewModeUpdate", "pluginId", active->id,
		"viewOnlyControl", enabled, "updatedBy", actor ? actor->id : NULL));
	return TRUE;
}

json_t *rtk_room_plugins_json(const rtk_room *room) {
	json_t *list = json_array();
	for(guint i = 0; i < room->plugins->len; i++)
		json_array_append_new(list, plugins_active_json(g_ptr_array_index(room->plugins, i)));
	return list;
}

void rtk_room_set_plugin_registry(rtk_room *room, rtk_plugin_registry_fn registry) {
	room->plugin_registry = registry;
}

json_t *rtk_room_plugin_registry_for(const rtk_room *room, const rtk_peer *viewer) {
	if(room->plugin_registry == NULL)
		return NULL;
	json_t *all = room->plugin_registry();
	json_t *visible = json_array();
	size_t i;
	json_t *plugin;
	json_array_foreach(all, i, plugin) {
		if(!rtk_peer_plugin_disabled(viewer, json_string_value(json_object_get(plugin, "id")),
				json_string_value(json_object_get(plugin, "name"))))
			json_array_append(visible, plugin);
	}
	json_decref(all);
	return visible;
}

const json_t *rtk_room_plugin_state(const rtk_room *room, const char *plugin_id) {
	rtk_active_plugin *active = plugin_id ? plugins_find(room, plugin_id) : NULL;
	return active ? active->state : NULL;
}
