/*
 * room_fixture.h - what the room model's unit tests (test_room.c,
 * test_chat.c) share: a sink that records who was told what, a room, and
 * peers of the default presets. Header-only: each test includes it once.
 */
#ifndef RTK_TESTS_ROOM_FIXTURE_H
#define RTK_TESTS_ROOM_FIXTURE_H

#include <stdio.h>
#include <glib.h>
#include <jansson.h>
#include "unit.h"
#include "room.h"
#include "presets_default.h"

/* A sink that records every delivered event as "<peer name>:<event name>",
 * every changed() notice as "<peer name>!<change>", and keeps the events
 * themselves for field checks. */
typedef struct recorder {
	GPtrArray *lines;    /* char*, owned */
	json_t *events;      /* array of {"to": name, "event": {...}} */
} recorder;

static inline void record_event(rtk_peer *peer, json_t *event, void *user_data) {
	recorder *rec = user_data;
	const char *name = json_string_value(json_object_get(event, "rtk"));
	g_ptr_array_add(rec->lines, g_strdup_printf("%s:%s", peer->name, name));
	json_array_append_new(rec->events, json_pack("{sssO}", "to", peer->name, "event", event));
}

static inline const char *change_name(rtk_peer_change change) {
	switch(change) {
		case RTK_PEER_MEDIA: return "MEDIA";
		case RTK_PEER_STAGE: return "STAGE";
		case RTK_PEER_ADMITTED: return "ADMITTED";
		case RTK_PEER_REMOVED: return "REMOVED";
		case RTK_PEER_PERMISSIONS: return "PERMISSIONS";
		default: return "?";
	}
}

/* Reads the peer (ASan catches a notice about a freed peer). */
static inline void record_change(rtk_peer *peer, rtk_peer_change change, void *user_data) {
	recorder *rec = user_data;
	g_ptr_array_add(rec->lines, g_strdup_printf("%s!%s", peer->name, change_name(change)));
}

static inline recorder *recorder_new(void) {
	recorder *rec = g_new0(recorder, 1);
	rec->lines = g_ptr_array_new_with_free_func(g_free);
	rec->events = json_array();
	return rec;
}

static inline void recorder_clear(recorder *rec) {
	g_ptr_array_set_size(rec->lines, 0);
	json_array_clear(rec->events);
}

static inline void recorder_free(recorder *rec) {
	g_ptr_array_free(rec->lines, TRUE);
	json_decref(rec->events);
	g_free(rec);
}

static inline char *recorder_joined(recorder *rec) {
	g_ptr_array_add(rec->lines, NULL);
	char *text = g_strjoinv(",", (char **)rec->lines->pdata);
	g_ptr_array_remove_index(rec->lines, rec->lines->len - 1);
	return text;
}

/* ---- a room with peers of the default presets ---- */

#define CHECK_LINES(rec, expected) do { \
	char *lines_ = recorder_joined(rec); \
	CHECK_EQ_STR(lines_, expected); \
	g_free(lines_); \
	recorder_clear(rec); \
} while(0)

#define CHECK_REFUSED(call, expected_code) do { \
	rtk_refusal why_ = { 0 }; \
	CHECK(!(call)); \
	CHECK_EQ_STR(why_.code, expected_code); \
	CHECK(why_.message[0] != '\0'); \
} while(0)
/* `call` must use `&why_` as its refusal. */

typedef struct world {
	recorder *rec;
	rtk_room *room;
	json_t *meeting;
} world;

static inline void world_init(world *w) {
	w->rec = recorder_new();
	rtk_room_sink sink = { record_event, w->rec, record_change };
	w->meeting = json_pack("{ss ss}", "id", "m-2", "title", "Webinar");
	w->room = rtk_room_new(w->meeting, &sink);
}

static inline void world_clear(world *w) {
	rtk_room_free(w->room);
	json_decref(w->meeting);
	recorder_free(w->rec);
}

/* The first event delivered to `to` named `name` (borrowed), or NULL. */
static inline json_t *sent(recorder *rec, const char *to, const char *name) {
	size_t i;
	json_t *entry;
	json_array_foreach(rec->events, i, entry) {
		json_t *event = json_object_get(entry, "event");
		if(!g_strcmp0(json_string_value(json_object_get(entry, "to")), to)
				&& !g_strcmp0(json_string_value(json_object_get(event, "rtk")), name))
			return event;
	}
	return NULL;
}

static inline const char *str(const json_t *object, const char *key) {
	return json_string_value(json_object_get(object, key));
}

/* A NEW copy of the default preset `name`, with `partial` (JSON text or
 * NULL) merged into its permissions. */
static inline json_t *preset_of(const char *name, const char *partial) {
	json_t *defaults = rtk_presets_default();
	json_t *found = NULL;
	size_t i;
	json_t *preset;
	json_array_foreach(defaults, i, preset)
		if(!g_strcmp0(str(preset, "name"), name))
			found = json_deep_copy(preset);
	json_decref(defaults);
	if(found != NULL && partial != NULL) {
		json_t *changes = json_loads(partial, 0, NULL);
		rtk_refusal why = { 0 };
		if(!rtk_permissions_merge(json_object_get(found, "permissions"), changes, &why))
			fprintf(stderr, "bad test preset %s: %s\n", partial, why.message);
		json_decref(changes);
	}
	return found;
}

/* A peer for user "u-<name>" with the default preset `preset_name` (+ partial). */
static inline rtk_peer *member(const char *name, const char *preset_name, const char *partial) {
	json_t *preset = preset_of(preset_name, partial);
	char *user_id = g_strdup_printf("u-%s", name);
	json_t *participant = json_pack("{ss ss}", "id", user_id, "name", name);
	rtk_peer *peer = rtk_peer_new(participant, preset, NULL);
	json_decref(participant);
	g_free(user_id);
	json_decref(preset);
	return peer;
}

/* Joins straight in (rtk_room_join) and forgets the events of joining. */
static inline rtk_peer *join(world *w, const char *name, const char *preset_name, const char *partial) {
	rtk_peer *peer = member(name, preset_name, partial);
	json_decref(rtk_room_join(w->room, peer));
	recorder_clear(w->rec);
	return peer;
}

#endif
