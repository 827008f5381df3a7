/*
 * test_plugins.c - the plugins of a live session (plugin/model/plugins.c)
 * driven without Janus: who may activate, deactivate and change a plugin,
 * who gets which event, the state late joiners see in roomJoined, the
 * limits and refusal codes (refusals change nothing and send nothing),
 * disabledPlugins, VIEW_ONLY and toggleViewMode, and plugins.activate over
 * the six default presets through the room.
 */
#include <string.h>
#include <glib.h>
#include <jansson.h>
#include "room_fixture.h"

static json_t *whiteboard(void) {
	return json_pack("{ss ss ss}", "id", "p-wb", "name", "Whiteboard", "url", "/sdk/plugins/whiteboard/");
}

/* The joined peers' "plugins" of a fresh roomJoined snapshot for `peer` (NEW). */
static json_t *snapshot_plugins(world *w, rtk_peer *peer) {
	json_t *joined = rtk_room_joined_snapshot(w->room, peer);
	json_t *plugins = json_incref(json_object_get(joined, "plugins"));
	json_decref(joined);
	return plugins;
}

static void test_activate_and_deactivate(void) {
	world w;
	world_init(&w);
	rtk_peer *host = join(&w, "host", "group_call_host", NULL);
	join(&w, "guest", "group_call_participant", NULL);
	json_t *plugin = whiteboard();
	CHECK(rtk_room_plugin_activate(w.room, host, "p-wb", plugin, 1000, NULL));
	CHECK_LINES(w.rec, "host:pluginActivated,guest:pluginActivated");
	/* activating again changes nothing and tells nobody */
	CHECK(rtk_room_plugin_activate(w.room, host, "p-wb", plugin, 1001, NULL));
	CHECK_LINES(w.rec, "");
	json_t *active = snapshot_plugins(&w, host);
	CHECK_EQ_INT(json_array_size(active), 1);
	json_t *first = json_array_get(active, 0);
	CHECK_EQ_STR(str(first, "id"), "p-wb");
	CHECK_EQ_STR(str(first, "activatedBy"), host->id);
	CHECK_EQ_STR(str(json_object_get(first, "plugin"), "name"), "Whiteboard");
	CHECK(json_is_object(json_object_get(first, "state")));
	json_decref(active);
	CHECK(rtk_room_plugin_deactivate(w.room, host, "p-wb", NULL));
	CHECK_LINES(w.rec, "host:pluginDeactivated,guest:pluginDeactivated");
	active = snapshot_plugins(&w, host);
	CHECK_EQ_INT(json_array_size(active), 0);
	json_decref(active);
	CHECK_REFUSED(rtk_room_plugin_deactivate(w.room, host, "p-wb", &why_), RTK_ERR_PLUGIN_NOT_ACTIVE);
	json_decref(plugin);
	world_clear(&w);
}

static void test_rights(void) {
	world w;
	world_init(&w);
	rtk_peer *host = join(&w, "host", "group_call_host", NULL);
	rtk_peer *guest = join(&w, "guest", "group_call_participant", NULL);
	json_t *plugin = whiteboard();
	CHECK_REFUSED(rtk_room_plugin_activate(w.room, guest, "p-wb", plugin, 1000, &why_), RTK_ERR_NOT_PERMITTED);
	CHECK_REFUSED(rtk_room_plugin_activate(w.room, host, "p-none", NULL, 1000, &why_), RTK_ERR_PLUGIN_NOT_FOUND);
	CHECK_LINES(w.rec, "");
	CHECK_EQ_INT(w.room->plugins->len, 0);
	CHECK(rtk_room_plugin_activate(w.room, host, "p-wb", plugin, 1000, NULL));
	recorder_clear(w.rec);
	CHECK_REFUSED(rtk_room_plugin_deactivate(w.room, guest, "p-wb", &why_), RTK_ERR_NOT_PERMITTED);
	CHECK_REFUSED(rtk_room_plugin_set_view_mode(w.room, guest, "p-wb", TRUE, &why_), RTK_ERR_NOT_PERMITTED);
	/* the participant preset is VIEW_ONLY: no data, no state, until a host gives control */
	json_t *data = json_pack("{ss}", "stroke", "x");
	CHECK_REFUSED(rtk_room_plugin_send_data(w.room, guest, "p-wb", data, 1000, &why_), RTK_ERR_PLUGIN_VIEW_ONLY);
	CHECK_REFUSED(rtk_room_plugin_set_state(w.room, guest, "p-wb", "k", data, 1000, &why_), RTK_ERR_PLUGIN_VIEW_ONLY);
	CHECK_LINES(w.rec, "");
	CHECK_EQ_INT(json_object_size(rtk_room_plugin_state(w.room, "p-wb")), 0);
	CHECK(rtk_room_plugin_set_view_mode(w.room, host, "p-wb", TRUE, NULL));
	CHECK_LINES(w.rec, "host:pluginViewModeUpdate,guest:pluginViewModeUpdate");
	CHECK(rtk_room_plugin_send_data(w.room, guest, "p-wb", data, 1000, NULL));
	CHECK_LINES(w.rec, "host:pluginData");
	CHECK(rtk_room_plugin_set_view_mode(w.room, host, "p-wb", FALSE, NULL));
	recorder_clear(w.rec);
	CHECK_REFUSED(rtk_room_plugin_send_data(w.room, guest, "p-wb", data, 1000, &why_), RTK_ERR_PLUGIN_VIEW_ONLY);
	/* the server (NULL actor) may do anything */
	CHECK(rtk_room_plugin_send_data(w.room, NULL, "p-wb", data, 1000, NULL));
	CHECK_LINES(w.rec, "host:pluginData,guest:pluginData");
	json_decref(data);
	json_decref(plugin);
	world_clear(&w);
}

static void test_disabled_by_preset(void) {
	world w;
	world_init(&w);
	rtk_peer *host = join(&w, "host", "group_call_host", NULL);
	json_object_set_new(host->config_json, "disabledPlugins", json_pack("[s]", "Whiteboard"));
	CHECK(rtk_peer_plugin_disabled(host, "p-wb", "Whiteboard"));
	CHECK(!rtk_peer_plugin_disabled(host, "p-notes", "Notes"));
	json_t *plugin = whiteboard();
	CHECK_REFUSED(rtk_room_plugin_activate(w.room, host, "p-wb", plugin, 1000, &why_), RTK_ERR_PLUGIN_DISABLED);
	CHECK_LINES(w.rec, "");
	CHECK_EQ_INT(w.room->plugins->len, 0);
	json_decref(plugin);
	world_clear(&w);
}

static json_t *two_plugins(void) {
	return json_pack("[{ss ss} {ss ss}]", "id", "p-wb", "name", "Whiteboard", "id", "p-notes", "name", "Notes");
}

/* roomJoined's pluginsAll: the registry without what disabledPlugins names;
 * absent without a registry. */
static void test_registry_in_room_joined(void) {
	world w;
	world_init(&w);
	rtk_peer *host = join(&w, "host", "group_call_host", NULL);
	json_t *joined = rtk_room_joined_snapshot(w.room, host);
	CHECK_NULL(json_object_get(joined, "pluginsAll"));
	json_decref(joined);
	rtk_room_set_plugin_registry(w.room, two_plugins);
	json_object_set_new(host->config_json, "disabledPlugins", json_pack("[s]", "p-notes"));
	joined = rtk_room_joined_snapshot(w.room, host);
	json_t *all = json_object_get(joined, "pluginsAll");
	CHECK_EQ_INT(json_array_size(all), 1);
	CHECK_EQ_STR(str(json_array_get(all, 0), "name"), "Whiteboard");
	json_decref(joined);
	world_clear(&w);
}

static void test_data_and_state(void) {
	world w;
	world_init(&w);
	rtk_peer *host = join(&w, "host", "group_call_host", NULL);
	join(&w, "cohost", "group_call_host", NULL);
	json_t *plugin = whiteboard();
	json_t *data = json_pack("{ss}", "stroke", "x");
	CHECK_REFUSED(rtk_room_plugin_send_data(w.room, host, "p-wb", data, 1000, &why_), RTK_ERR_PLUGIN_NOT_ACTIVE);
	CHECK(rtk_room_plugin_activate(w.room, host, "p-wb", plugin, 1000, NULL));
	recorder_clear(w.rec);
	CHECK(rtk_room_plugin_send_data(w.room, host, "p-wb", data, 1000, NULL));
	json_t *got = sent(w.rec, "cohost", "pluginData");
	CHECK_EQ_STR(str(got, "pluginId"), "p-wb");
	CHECK_EQ_STR(str(got, "senderId"), host->id);
	CHECK_EQ_STR(str(json_object_get(got, "data"), "stroke"), "x");
	CHECK_LINES(w.rec, "cohost:pluginData");
	/* state: everyone told, in roomJoined for a late joiner */
	json_t *value = json_pack("{s[ii]}", "points", 1, 2);
	CHECK(rtk_room_plugin_set_state(w.room, host, "p-wb", "stroke-1", value, 1000, NULL));
	CHECK_LINES(w.rec, "host:pluginStateUpdate,cohost:pluginStateUpdate");
	rtk_peer *late = member("late", "group_call_participant", NULL);
	json_t *joined = rtk_room_join(w.room, late);
	json_t *first = json_array_get(json_object_get(joined, "plugins"), 0);
	CHECK(json_equal(json_object_get(json_object_get(first, "state"), "stroke-1"), value));
	json_decref(joined);
	recorder_clear(w.rec);
	/* null removes the key */
	CHECK(rtk_room_plugin_set_state(w.room, host, "p-wb", "stroke-1", json_null(), 1000, NULL));
	got = sent(w.rec, "late", "pluginStateUpdate");
	CHECK(json_is_null(json_object_get(got, "value")));
	CHECK_EQ_INT(json_object_size(rtk_room_plugin_state(w.room, "p-wb")), 0);
	/* deactivating drops the state */
	CHECK(rtk_room_plugin_set_state(w.room, host, "p-wb", "k", value, 1000, NULL));
	CHECK(rtk_room_plugin_deactivate(w.room, host, "p-wb", NULL));
	CHECK(rtk_room_plugin_activate(w.room, host, "p-wb", plugin, 1000, NULL));
	CHECK_EQ_INT(json_object_size(rtk_room_plugin_state(w.room, "p-wb")), 0);
	json_decref(value);
	json_decref(data);
	json_decref(plugin);
	world_clear(&w);
}

static void test_limits(void) {
	world w;
	world_init(&w);
	rtk_peer *host = join(&w, "host", "group_call_host", NULL);
	json_t *plugin = whiteboard();
	CHECK(rtk_room_plugin_activate(w.room, host, "p-wb", plugin, 1000, NULL));
	recorder_clear(w.rec);
	char *big = g_strnfill(RTK_PLUGIN_DATA_MAX, 'x');
	json_t *huge = json_pack("{ss}", "text", big);
	CHECK_REFUSED(rtk_room_plugin_send_data(w.room, host, "p-wb", huge, 1000, &why_), RTK_ERR_PLUGIN_TOO_LARGE);
	CHECK_REFUSED(rtk_room_plugin_set_state(w.room, host, "p-wb", "k", huge, 1000, &why_), RTK_ERR_PLUGIN_TOO_LARGE);
	char *long_key = g_strnfill(RTK_PLUGIN_KEY_MAX + 1, 'k');
	json_t *one = json_integer(1);
	CHECK_REFUSED(rtk_room_plugin_set_state(w.room, host, "p-wb", long_key, one, 1000, &why_), RTK_ERR_PLUGIN_TOO_LARGE);
	CHECK_REFUSED(rtk_room_plugin_set_state(w.room, host, "p-wb", "", one, 1000, &why_), RTK_ERR_PLUGIN_TOO_LARGE);
	CHECK_LINES(w.rec, "");
	/* 256 keys; a new one past them is refused, an existing one may change */
	gint64 now = 10000;
	for(int i = 0; i < RTK_PLUGIN_STATE_KEYS; i++) {
		char key[16];
		g_snprintf(key, sizeof key, "k%d", i);
		CHECK(rtk_room_plugin_set_state(w.room, host, "p-wb", key, one, now, NULL));
		now += 1000 / RTK_PLUGIN_OPS_PER_SECOND + 1;
	}
	CHECK_REFUSED(rtk_room_plugin_set_state(w.room, host, "p-wb", "one-more", one, now, &why_), RTK_ERR_PLUGIN_LIMIT);
	CHECK(rtk_room_plugin_set_state(w.room, host, "p-wb", "k0", one, now + 100, NULL));
	CHECK_EQ_INT(json_object_size(rtk_room_plugin_state(w.room, "p-wb")), RTK_PLUGIN_STATE_KEYS);
	/* the rate: a burst past RTK_PLUGIN_OPS_PER_SECOND within one second */
	json_t *data = json_pack("{si}", "n", 1);
	int sent_ok = 0;
	for(int i = 0; i < RTK_PLUGIN_OPS_PER_SECOND + 5; i++)
		sent_ok += rtk_room_plugin_send_data(w.room, host, "p-wb", data, 1000000, NULL);
	CHECK(sent_ok <= RTK_PLUGIN_OPS_PER_SECOND);
	CHECK_REFUSED(rtk_room_plugin_send_data(w.room, host, "p-wb", data, 1000000, &why_), RTK_ERR_RATE_LIMITED);
	/* at most RTK_PLUGINS_ACTIVE_MAX active plugins */
	for(int i = 1; i < RTK_PLUGINS_ACTIVE_MAX; i++) {
		char id[16];
		g_snprintf(id, sizeof id, "p-%d", i);
		CHECK(rtk_room_plugin_activate(w.room, host, id, plugin, 1000, NULL));
	}
	CHECK_REFUSED(rtk_room_plugin_activate(w.room, host, "p-last", plugin, 1000, &why_), RTK_ERR_PLUGIN_LIMIT);
	CHECK_EQ_INT(w.room->plugins->len, RTK_PLUGINS_ACTIVE_MAX);
	json_decref(data);
	json_decref(one);
	g_free(long_key);
	json_decref(huge);
	g_free(big);
	json_decref(plugin);
	world_clear(&w);
}

/* The waiting room gets nothing and may do nothing. */
static void test_waitlisted(void) {
	world w;
	world_init(&w);
	rtk_peer *host = join(&w, "host", "group_call_host", NULL);
	rtk_peer *waiting = member("waiting", "group_call_participant", "{\"waiting_room_type\":\"ON_PRIVILEGED_USER_ENTRY\"}");
	json_decref(rtk_room_enter(w.room, waiting));
	CHECK(waiting->waitlisted);
	recorder_clear(w.rec);
	json_t *plugin = whiteboard();
	CHECK(rtk_room_plugin_activate(w.room, host, "p-wb", plugin, 1000, NULL));
	CHECK_LINES(w.rec, "host:pluginActivated");
	CHECK_REFUSED(rtk_room_plugin_activate(w.room, waiting, "p-wb", plugin, 1000, &why_), RTK_ERR_NOT_JOINED);
	json_decref(plugin);
	world_clear(&w);
}

/* plugins.activate through the room for each default preset. */
static void test_permission_matrix(void) {
	static const struct { const char *preset; gboolean may; } rows[] = {
		{ "group_call_host", TRUE }, { "group_call_participant", FALSE },
		{ "webinar_presenter", TRUE }, { "webinar_viewer", FALSE },
		{ "livestream_host", TRUE }, { "livestream_viewer", FALSE },
	};
	for(size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		world w;
		world_init(&w);
		rtk_peer *peer = join(&w, "p", rows[i].preset, NULL);
		json_t *plugin = whiteboard();
		rtk_refusal why = { 0 };
		CHECK_EQ_INT(rtk_room_plugin_activate(w.room, peer, "p-wb", plugin, 1000, &why), rows[i].may);
		if(!rows[i].may)
			CHECK_EQ_STR(why.code, RTK_ERR_NOT_PERMITTED);
		CHECK_EQ_INT(w.room->plugins->len, rows[i].may ? 1 : 0);
		json_decref(plugin);
		world_clear(&w);
	}
}

int main(void) {
	UNIT_RUN(test_activate_and_deactivate);
	UNIT_RUN(test_rights);
	UNIT_RUN(test_disabled_by_preset);
	UNIT_RUN(test_registry_in_room_joined);
	UNIT_RUN(test_data_and_state);
	UNIT_RUN(test_limits);
	UNIT_RUN(test_waitlisted);
	UNIT_RUN(test_permission_matrix);
	return UNIT_DONE();
}
