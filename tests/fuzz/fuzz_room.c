/*
 * fuzz_room.c - libFuzzer target for the meeting model's reading of outside
 * JSON and for the operations clients drive with it: a preset's
 * `permissions` and `config` (written by REST clients), participant
 * objects, and every room operation (waiting room, stage, host controls,
 * pins, updatePermissions, polls, the spotlight, plugins) called with fuzzed ids, user-id arrays,
 * partial permissions, poll questions, options and votes. After each operation the room's invariants are
 * checked (a violation traps).
 *
 * Input: one JSON document
 *   {"participant": {...} | "participants": [{...}, ...],
 *    "preset": {...} | "presets": [{...}, ...], "title": ...,
 *    "media": [kind, on, kind, on, ...],
 *    "ops": [{"op": NAME, "by": SLOT|null, "target": SLOT|"id", "ids": [SLOT|"id"|any, ...],
 *             "partial": {...}, "kind": K, "on": BOOL,
 *             "question": ..., "options": ..., "hide": BOOL, "poll": N|"id", "index": N,
 *             "state": a cascade edge's poll state (rtk_room_poll_mirror),
 *             "type": ..., "id": ..., "at": MS,
 *             "pluginId": ..., "plugin": {...}, "data": ..., "key": ..., "value": ...}, ...]}
 * where SLOT is the index of a peer created by the input (three at the
 * start, one more per "enter" op) and "by": null is the server. Anything
 * else is used as both the participant and the preset.
 */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <jansson.h>
#include "room.h"

#define FUZZ_SLOTS 8
#define FUZZ_MAX_OPS 64

typedef struct fuzz_state {
	rtk_room *room;
	json_t *doc;
	char *ids[FUZZ_SLOTS];     /* owned: peer id of each slot (the peer may be gone) */
	char *users[FUZZ_SLOTS];   /* owned: its user id */
	int slots;
} fuzz_state;

static void fuzz_deliver(rtk_peer *peer, json_t *event, void *user_data) {
	char *text = json_dumps(event, JSON_COMPACT);
	free(text);
}

static void fuzz_changed(rtk_peer *peer, rtk_peer_change change, void *user_data) {
	/* Reading the peer catches a notice about a freed one (ASan). */
	if(peer->id[0] == '\0' || (unsigned)change > RTK_PEER_PERMISSIONS)
		__builtin_trap();
}

/* The peer in `slot` if it is still in the room (joined or waiting). */
static rtk_peer *fuzz_peer(fuzz_state *s, json_int_t slot) {
	if(slot < 0 || slot >= s->slots)
		return NULL;
	rtk_peer *peer = rtk_room_find_peer(s->room, s->ids[slot]);
	return peer ? peer : rtk_room_find_waiting(s->room, s->ids[slot]);
}

/* Item `i` of an optional per-slot array, else the shared object, else the document. */
static json_t *fuzz_pick(json_t *doc, const char *many, const char *one, int i) {
	json_t *list = json_object_get(doc, many);
	if(json_array_size(list) > 0)
		return json_array_get(list, (size_t)i % json_array_size(list));
	json_t *value = json_object_get(doc, one);
	return value ? value : doc;
}

/* Creates the peer of the next slot and enters it; FALSE when none can be made. */
static gboolean fuzz_enter(fuzz_state *s) {
	if(s->slots >= FUZZ_SLOTS)
		return FALSE;
	int i = s->slots;
	rtk_peer *peer = rtk_peer_new(fuzz_pick(s->doc, "participants", "participant", i),
		fuzz_pick(s->doc, "presets", "preset", i), NULL);
	if(peer == NULL)
		return FALSE;
	s->ids[i] = g_strdup(peer->id);
	s->users[i] = g_strdup(peer->user_id);
	s->slots++;
	json_decref(rtk_room_enter(s->room, peer));
	return TRUE;
}

/* A slot number names that slot's peer id; a string is used as is. */
static const char *fuzz_target(fuzz_state *s, json_t *value) {
	if(json_is_integer(value)) {
		json_int_t slot = json_integer_value(value);
		return slot >= 0 && slot < s->slots ? s->ids[slot] : "gone";
	}
	return json_string_value(value);
}

/* A NEW copy of `ids` with slot numbers replaced by user ids; a non-array is returned as is. */
static json_t *fuzz_ids(fuzz_state *s, json_t *ids) {
	if(!json_is_array(ids))
		return json_incref(ids);
	json_t *out = json_array();
	size_t i;
	json_t *id;
	json_array_foreach(ids, i, id) {
		if(json_is_integer(id)) {
			json_int_t slot = json_integer_value(id);
			json_array_append_new(out, json_string(slot >= 0 && slot < s->slots ? s->users[slot] : "gone"));
		} else {
			json_array_append(out, id);
		}
	}
	return out;
}

/* The room's invariants: joined peers are not waitlisted and vice versa;
 * a peer without a stage is ON_STAGE; statuses are in range. */
static void fuzz_check(const rtk_room *room) {
	for(guint i = 0; i < room->peers->len; i++) {
		const rtk_peer *peer = g_ptr_array_index(room->peers, i);
		if(peer->waitlisted || (unsigned)peer->stage > RTK_STAGE_ON_STAGE)
			__builtin_trap();
		if(!peer->permissions.stage_enabled && peer->stage != RTK_STAGE_ON_STAGE)
			__builtin_trap();
	}
	for(guint i = 0; i < room->waitlisted->len; i++)
		if(!((const rtk_peer *)g_ptr_array_index(room->waitlisted, i))->waitlisted)
			__builtin_trap();
}

/* The plugins' invariants: at most RTK_PLUGINS_ACTIVE_MAX active, each
 * with an object state of at most RTK_PLUGIN_STATE_KEYS keys, ids unique. */
static void fuzz_check_plugins(rtk_room *room) {
	if(room->plugins->len > RTK_PLUGINS_ACTIVE_MAX)
		abort();
	json_t *active = rtk_room_plugins_json(room);
	GHashTable *ids = g_hash_table_new(g_str_hash, g_str_equal);
	size_t i;
	json_t *plugin;
	json_array_foreach(active, i, plugin) {
		const char *id = json_string_value(json_object_get(plugin, "id"));
		const json_t *state = json_object_get(plugin, "state");
		if(id == NULL || !g_hash_table_add(ids, (gpointer)id) || !json_is_object(state) ||
				json_object_size(state) > RTK_PLUGIN_STATE_KEYS || !json_equal(rtk_room_plugin_state(room, id), state))
			abort();
	}
	g_hash_table_destroy(ids);
	json_decref(active);
}

/* The spotlight's invariants: a peer broadcasts its tabs exactly when it is
 * the room's spotlighter, a joined peer with can_spotlight. */
static void fuzz_check_spotlight(rtk_room *room) {
	rtk_peer *spotlighter = room->spotlight_peer ? rtk_room_find_peer(room, room->spotlight_peer) : NULL;
	if(room->spotlight_peer != NULL && (spotlighter == NULL || !spotlighter->broadcast_tabs ||
			!spotlighter->permissions.can_spotlight))
		__builtin_trap();
	for(guint i = 0; i < room->peers->len; i++) {
		const rtk_peer *peer = g_ptr_array_index(room->peers, i);
		if(peer->broadcast_tabs != (peer == spotlighter))
			__builtin_trap();
	}
	for(guint i = 0; i < room->waitlisted->len; i++)
		if(((const rtk_peer *)g_ptr_array_index(room->waitlisted, i))->broadcast_tabs)
			__builtin_trap();
	json_t *spot = rtk_room_spotlight_json(room);
	if(json_is_null(spot) != (spotlighter == NULL))
		__builtin_trap();
	json_decref(spot);
}

/* The polls' invariants, as the server sees them: each option's count is
 * its votes, and a named voter appears once. */
static void fuzz_check_polls(const rtk_room *room) {
	json_t *polls = rtk_room_polls_json(room, NULL);
	size_t i, o;
	json_t *poll, *option;
	json_array_foreach(polls, i, poll) {
		json_int_t total = 0;
		json_array_foreach(json_object_get(poll, "options"), o, option) {
			json_int_t count = json_integer_value(json_object_get(option, "count"));
			size_t named = json_array_size(json_object_get(option, "votes"));
			if(count < 0 || (!json_is_true(json_object_get(poll, "anonymous")) && (size_t)count != named))
				__builtin_trap();
			total += count;
		}
		if(!json_is_true(json_object_get(poll, "anonymous")) &&
				(size_t)total != json_array_size(json_object_get(poll, "voted")))
			__builtin_trap();
	}
	if(json_array_size(polls) > RTK_POLLS_MAX)
		__builtin_trap();
	json_decref(polls);
}

/* The id of poll `value` (an index into the room's polls) or `value` as a string. */
static char *fuzz_poll_id(const rtk_room *room, json_t *value) {
	if(json_is_integer(value) && json_integer_value(value) >= 0 &&
			json_integer_value(value) < (json_int_t)room->polls->len) {
		json_t *poll = rtk_room_poll_rest_json(g_ptr_array_index(room->polls, json_integer_value(value)));
		char *id = g_strdup(json_string_value(json_object_get(poll, "id")));
		json_decref(poll);
		return id;
	}
	return g_strdup(json_string_value(value));
}

static void fuzz_op(fuzz_state *s, json_t *op) {
	const char *name = json_string_value(json_object_get(op, "op"));
	if(name == NULL)
		return;
	json_t *by_value = json_object_get(op, "by");
	rtk_peer *by = json_is_integer(by_value) ? fuzz_peer(s, json_integer_value(by_value)) : NULL;
	const char *target = fuzz_target(s, json_object_get(op, "target"));
	json_t *ids = fuzz_ids(s, json_object_get(op, "ids"));
	json_t *partial = json_object_get(op, "partial");
	rtk_media_kind kind = (rtk_media_kind)(int)json_integer_value(json_object_get(op, "kind"));
	gboolean on = json_is_true(json_object_get(op, "on"));
	rtk_refusal why;
	rtk_room *room = s->room;
	json_t *result = NULL;

	if(!strcmp(name, "enter"))
		fuzz_enter(s);
	else if(!strcmp(name, "accept"))
		rtk_room_accept_waiting(room, by, target, &why);
	else if(!strcmp(name, "reject"))
		rtk_room_reject_waiting(room, by, target, &why);
	else if(!strcmp(name, "disable"))
		rtk_room_disable_media(room, by, target, kind, on, &why);
	else if(!strcmp(name, "disable_all"))
		rtk_room_disable_all_media(room, by, kind, on, &why);
	else if(!strcmp(name, "kick"))
		rtk_room_kick(room, by, target, &why);
	else if(!strcmp(name, "kick_all"))
		rtk_room_kick_all(room, by, &why);
	else if(!strcmp(name, "end"))
		rtk_room_end(room, by, &why);
	else if(!strcmp(name, "pin"))
		rtk_room_pin(room, by, target, on, &why);
	else if(!strcmp(name, "update"))
		rtk_room_update_permissions(room, by, ids, partial, &why);
	else if(!strcmp(name, "stage_grant"))
		rtk_room_stage_grant(room, by, ids, &why);
	else if(!strcmp(name, "stage_deny"))
		rtk_room_stage_deny(room, by, ids, &why);
	else if(!strcmp(name, "stage_kick"))
		rtk_room_stage_kick(room, by, ids, &why);
	else if(!strcmp(name, "stage_requests"))
		result = rtk_room_stage_requests(room, by, &why);
	else if(!strcmp(name, "waitlisted"))
		result = rtk_room_waitlisted_json(room, by);
	else if(!strcmp(name, "pinned"))
		result = rtk_room_pinned_json(room);
	else if(!strcmp(name, "poll_create"))
		rtk_room_poll_create(room, by, json_string_value(json_object_get(op, "question")),
			json_object_get(op, "options"), on, json_is_true(json_object_get(op, "hide")), &why);
	else if(!strcmp(name, "poll_vote")) {
		char *poll_id = fuzz_poll_id(room, json_object_get(op, "poll"));
		rtk_room_poll_vote(room, by, poll_id, json_integer_value(json_object_get(op, "index")), &why);
		g_free(poll_id);
	} else if(!strcmp(name, "poll_mirror")) {
		rtk_room_poll_mirror(room, json_object_get(op, "state"), json_is_true(json_object_get(op, "on")));
	} else if(!strcmp(name, "polls"))
		result = rtk_room_polls_json(room, by);
	else if(!strcmp(name, "plugin_activate"))
		rtk_room_plugin_activate(room, by, json_string_value(json_object_get(op, "pluginId")),
			json_object_get(op, "plugin"), json_integer_value(json_object_get(op, "at")), &why);
	else if(!strcmp(name, "plugin_deactivate"))
		rtk_room_plugin_deactivate(room, by, json_string_value(json_object_get(op, "pluginId")), &why);
	else if(!strcmp(name, "plugin_data"))
		rtk_room_plugin_send_data(room, by, json_string_value(json_object_get(op, "pluginId")),
			json_object_get(op, "data"), json_integer_value(json_object_get(op, "at")), &why);
	else if(!strcmp(name, "plugin_state"))
		rtk_room_plugin_set_state(room, by, json_string_value(json_object_get(op, "pluginId")),
			json_string_value(json_object_get(op, "key")), json_object_get(op, "value"),
			json_integer_value(json_object_get(op, "at")), &why);
	else if(!strcmp(name, "plugin_view_mode"))
		rtk_room_plugin_set_view_mode(room, by, json_string_value(json_object_get(op, "pluginId")), on, &why);
	else if(by != NULL) {
		/* The participant's own steps need a participant. */
		if(!strcmp(name, "leave"))
			rtk_room_leave(room, by, on ? "left" : NULL);
		else if(!strcmp(name, "media"))
			rtk_room_set_media(room, by, kind, on);
		else if(!strcmp(name, "own_media"))
			rtk_room_set_own_media(room, by, kind, on, &why);
		else if(!strcmp(name, "stage_request"))
			rtk_room_stage_request(room, by, &why);
		else if(!strcmp(name, "stage_cancel"))
			rtk_room_stage_cancel(room, by, &why);
		else if(!strcmp(name, "stage_join"))
			rtk_room_stage_join(room, by, &why);
		else if(!strcmp(name, "stage_leave"))
			rtk_room_stage_leave(room, by, &why);
		else if(!strcmp(name, "may_publish"))
			rtk_peer_may_publish(by, kind, &why);
		else if(!strcmp(name, "spotlight"))
			rtk_room_set_broadcast_tabs(room, by, on, &why);
		else if(!strcmp(name, "tab"))
			rtk_room_set_active_tab(room, by, json_string_value(json_object_get(op, "type")),
				json_string_value(json_object_get(op, "id")), json_integer_value(json_object_get(op, "at")), &why);
	}
	json_decref(result);
	json_decref(ids);
	fuzz_check(room);
	fuzz_check_polls(room);
	fuzz_check_spotlight(room);
	fuzz_check_plugins(room);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	json_t *doc = json_loadb((const char *)data, size, 0, NULL);
	if(doc == NULL)
		return 0;
	rtk_room_sink sink = { fuzz_deliver, NULL, fuzz_changed };
	json_t *title = json_object_get(doc, "title");
	json_t *meeting = json_pack("{ss sO}", "id", "m", "title", title ? title : json_null());
	fuzz_state s = { rtk_room_new(meeting, &sink), doc, { NULL }, { NULL }, 0 };
	if(s.room != NULL) {
		for(int i = 0; i < 3; i++)
			fuzz_enter(&s);
		rtk_peer *second = fuzz_peer(&s, 1);
		json_t *media = json_object_get(doc, "media");
		for(size_t i = 0; second != NULL && i + 1 < json_array_size(media); i += 2) {
			json_int_t kind = json_integer_value(json_array_get(media, i));
			if(kind >= 0 && kind < RTK_MEDIA_KINDS)
				rtk_room_set_media(s.room, second, (rtk_media_kind)kind,
					json_is_true(json_array_get(media, i + 1)));
		}
		fuzz_check(s.room);
		json_t *ops = json_object_get(doc, "ops");
		for(size_t i = 0; i < json_array_size(ops) && i < FUZZ_MAX_OPS; i++)
			fuzz_op(&s, json_array_get(ops, i));
		/* Whoever is left leaves, alternately with and without roomLeft. */
		for(int i = s.slots - 1; i >= 0; i--)
			rtk_room_leave(s.room, fuzz_peer(&s, i), i % 2 ? "left" : NULL);
		if(rtk_room_size(s.room) != 0)
			__builtin_trap();
	}
	rtk_room_free(s.room);
	for(int i = 0; i < s.slots; i++) {
		g_free(s.ids[i]);
		g_free(s.users[i]);
	}
	json_decref(meeting);
	json_decref(doc);
	return 0;
}
