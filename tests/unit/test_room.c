/*
 * test_room.c - the meeting model (room.c, peer.c, permissions.c) driven
 * without Janus: joins, leaves, media updates, and who is told what.
 */
#include <glib.h>
#include <jansson.h>
#include "unit.h"
#include "room.h"

/* A sink that records every delivered event as "<peer name>:<event name>"
 * and keeps the events themselves for field checks. */
typedef struct recorder {
	GPtrArray *lines;    /* char*, owned */
	json_t *events;      /* array of {"to": name, "event": {...}} */
} recorder;

static void record_event(rtk_peer *peer, json_t *event, void *user_data) {
	recorder *rec = user_data;
	const char *name = json_string_value(json_object_get(event, "rtk"));
	g_ptr_array_add(rec->lines, g_strdup_printf("%s:%s", peer->name, name));
	json_array_append_new(rec->events, json_pack("{sssO}", "to", peer->name, "event", event));
}

static recorder *recorder_new(void) {
	recorder *rec = g_new0(recorder, 1);
	rec->lines = g_ptr_array_new_with_free_func(g_free);
	rec->events = json_array();
	return rec;
}

static void recorder_clear(recorder *rec) {
	g_ptr_array_set_size(rec->lines, 0);
	json_array_clear(rec->events);
}

static void recorder_free(recorder *rec) {
	g_ptr_array_free(rec->lines, TRUE);
	json_decref(rec->events);
	g_free(rec);
}

static char *recorder_joined(recorder *rec) {
	g_ptr_array_add(rec->lines, NULL);
	char *text = g_strjoinv(",", (char **)rec->lines->pdata);
	g_ptr_array_remove_index(rec->lines, rec->lines->len - 1);
	return text;
}

static json_t *preset(const char *name, const char *audio, const char *view_type) {
	return json_pack("{ss s{s{s{ss}s{ss}s{ss}}} s{ss}}", "name", name,
		"permissions", "media", "audio", "can_produce", audio, "video", "can_produce", "ALLOWED",
		"screenshare", "can_produce", "NOT_ALLOWED",
		"config", "view_type", view_type);
}

static rtk_peer *peer_named(const char *user_id, const char *name, json_t *preset_json) {
	json_t *participant = json_pack("{ss ss sn ss}", "id", user_id, "name", name, "picture",
		"custom_participant_id", name);
	rtk_peer *peer = rtk_peer_new(participant, preset_json, NULL);
	json_decref(participant);
	return peer;
}

static void test_permissions_parse(void) {
	json_t *p = preset("x", "CAN_REQUEST", "WEBINAR");
	rtk_permissions perms;
	rtk_permissions_parse(&perms, json_object_get(p, "permissions"));
	CHECK_EQ_INT(perms.produce[RTK_MEDIA_AUDIO], RTK_PRODUCE_CAN_REQUEST);
	CHECK_EQ_INT(perms.produce[RTK_MEDIA_VIDEO], RTK_PRODUCE_ALLOWED);
	CHECK_EQ_INT(perms.produce[RTK_MEDIA_SCREENSHARE], RTK_PRODUCE_NOT_ALLOWED);
	/* Missing or malformed permissions read as the most restrictive values. */
	rtk_permissions_parse(&perms, NULL);
	CHECK_EQ_INT(perms.produce[RTK_MEDIA_VIDEO], RTK_PRODUCE_NOT_ALLOWED);
	json_t *odd = json_pack("{s{s{si}}}", "media", "audio", "can_produce", 1);
	rtk_permissions_parse(&perms, odd);
	CHECK_EQ_INT(perms.produce[RTK_MEDIA_AUDIO], RTK_PRODUCE_NOT_ALLOWED);
	CHECK_EQ_INT(rtk_produce_from_string("bogus"), RTK_PRODUCE_NOT_ALLOWED);
	json_decref(odd);
	json_decref(p);
}

static void test_join_and_leave_events(void) {
	recorder *rec = recorder_new();
	rtk_room_sink sink = { record_event, rec };
	json_t *meeting = json_pack("{ss ss}", "id", "m-1", "title", "Standup");
	rtk_room *room = rtk_room_new(meeting, &sink);
	CHECK_NOT_NULL(room);
	json_t *host_preset = preset("group_call_host", "ALLOWED", "GROUP_CALL");

	rtk_peer *ada = peer_named("u-ada", "ada", host_preset);
	json_t *joined = rtk_room_join(room, ada);
	CHECK_EQ_STR(json_string_value(json_object_get(joined, "rtk")), "roomJoined");
	json_t *self = json_object_get(joined, "self");
	CHECK_EQ_STR(json_string_value(json_object_get(self, "userId")), "u-ada");
	CHECK_EQ_STR(json_string_value(json_object_get(self, "id")), ada->id);
	CHECK_EQ_STR(json_string_value(json_object_get(self, "presetName")), "group_call_host");
	CHECK_EQ_STR(json_string_value(json_object_get(self, "customParticipantId")), "ada");
	CHECK(json_is_null(json_object_get(self, "picture")));
	CHECK(json_is_object(json_object_get(self, "permissions")));
	CHECK(json_is_false(json_object_get(self, "audioEnabled")));
	json_t *meta = json_object_get(joined, "meeting");
	CHECK_EQ_STR(json_string_value(json_object_get(meta, "meetingId")), "m-1");
	CHECK_EQ_STR(json_string_value(json_object_get(meta, "meetingTitle")), "Standup");
	CHECK_EQ_STR(json_string_value(json_object_get(meta, "sessionId")), room->session_id);
	CHECK_EQ_STR(json_string_value(json_object_get(meta, "viewType")), "GROUP_CALL");
	CHECK_EQ_INT(strlen(json_string_value(json_object_get(meta, "meetingStartedTimestamp"))), 24);
	CHECK_EQ_INT(json_array_size(json_object_get(joined, "participants")), 0);
	CHECK_EQ_INT(rec->lines->len, 0);   /* nobody else to tell */
	json_decref(joined);

	rtk_peer *bob = peer_named("u-bob", "bob", host_preset);
	joined = rtk_room_join(room, bob);
	json_t *others = json_object_get(joined, "participants");
	CHECK_EQ_INT(json_array_size(others), 1);
	CHECK_EQ_STR(json_string_value(json_object_get(json_array_get(others, 0), "userId")), "u-ada");
	char *lines = recorder_joined(rec);
	CHECK_EQ_STR(lines, "ada:participantJoined");
	g_free(lines);
	json_t *ev = json_object_get(json_array_get(rec->events, 0), "event");
	CHECK_EQ_STR(json_string_value(json_object_get(json_object_get(ev, "participant"), "userId")), "u-bob");
	CHECK_NULL(json_object_get(json_object_get(ev, "participant"), "permissions"));  /* others do not see rights */
	json_decref(joined);
	CHECK(rtk_room_find_user(room, "u-bob") == bob);
	CHECK(rtk_room_find_peer(room, bob->id) == bob);
	CHECK_NULL(rtk_room_find_user(room, "u-nobody"));

	/* Media: only changes are announced, and only to the others. */
	recorder_clear(rec);
	CHECK(rtk_room_set_media(room, bob, RTK_MEDIA_AUDIO, TRUE));
	CHECK(!rtk_room_set_media(room, bob, RTK_MEDIA_AUDIO, TRUE));
	CHECK(rtk_room_set_media(room, bob, RTK_MEDIA_SCREENSHARE, TRUE));
	lines = recorder_joined(rec);
	CHECK_EQ_STR(lines, "ada:audioUpdate,ada:screenShareUpdate");
	g_free(lines);
	ev = json_object_get(json_array_get(rec->events, 0), "event");
	CHECK_EQ_STR(json_string_value(json_object_get(ev, "participantId")), bob->id);
	CHECK(json_is_true(json_object_get(ev, "audioEnabled")));

	/* Leave with a state: the leaver gets roomLeft, the others participantLeft. */
	recorder_clear(rec);
	char *bob_id = g_strdup(bob->id);
	rtk_room_leave(room, bob, "left");
	lines = recorder_joined(rec);
	CHECK_EQ_STR(lines, "bob:roomLeft,ada:participantLeft");
	g_free(lines);
	ev = json_object_get(json_array_get(rec->events, 1), "event");
	CHECK_EQ_STR(json_string_value(json_object_get(ev, "participantId")), bob_id);
	CHECK_EQ_STR(json_string_value(json_object_get(ev, "userId")), "u-bob");
	CHECK_EQ_STR(json_string_value(json_object_get(json_object_get(json_array_get(rec->events, 0), "event"), "state")), "left");
	CHECK_EQ_INT(rtk_room_size(room), 1);
	g_free(bob_id);

	/* Leave without a state (a vanished client): only the others hear of it. */
	recorder_clear(rec);
	rtk_peer *cy = peer_named("u-cy", "cy", host_preset);
	json_decref(rtk_room_join(room, cy));
	recorder_clear(rec);
	rtk_room_leave(room, cy, NULL);
	lines = recorder_joined(rec);
	CHECK_EQ_STR(lines, "ada:participantLeft");
	g_free(lines);

	/* Leaving twice is harmless: the peer is no longer in the room. */
	CHECK_EQ_INT(rtk_room_size(room), 1);
	rtk_room_free(room);   /* frees ada too */
	json_decref(host_preset);
	json_decref(meeting);
	recorder_free(rec);
}

static void test_bad_inputs(void) {
	rtk_room_sink sink = { record_event, NULL };
	json_t *no_id = json_pack("{ss}", "title", "x");
	CHECK_NULL(rtk_room_new(no_id, &sink));
	CHECK_NULL(rtk_peer_new(no_id, NULL, NULL));
	json_decref(no_id);
	/* A peer whose preset is missing entirely can exist but may produce nothing. */
	json_t *participant = json_pack("{ss}", "id", "u-1");
	rtk_peer *peer = rtk_peer_new(participant, NULL, NULL);
	CHECK_NOT_NULL(peer);
	CHECK_EQ_INT(peer->permissions.produce[RTK_MEDIA_AUDIO], RTK_PRODUCE_NOT_ALLOWED);
	json_t *self = rtk_peer_self_json(peer);
	CHECK(json_is_null(json_object_get(self, "name")));
	json_decref(self);
	rtk_peer_free(peer);
	json_decref(participant);
}

int main(void) {
	UNIT_RUN(test_permissions_parse);
	UNIT_RUN(test_join_and_leave_events);
	UNIT_RUN(test_bad_inputs);
	return UNIT_DONE();
}
