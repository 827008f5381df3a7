/*
 * test_room.c - the meeting model (room.c, waitlist.c, stage.c, controls.c,
 * peer.c, permissions.c) driven without Janus: joins, leaves, media updates,
 * the waiting room, the stage, host controls, pins, permission updates and
 * visibility; each test asserts exactly who is told what, in which order,
 * and the refusal codes. (The permission matrix is test_permissions.c.)
 */
#include <glib.h>
#include <jansson.h>
#include "unit.h"
#include "room.h"
#include "presets_default.h"
#include "room_fixture.h"

/* A minimal preset: media rights and a participant list, nothing else. */
static json_t *preset(const char *name, const char *audio, const char *view_type) {
	return json_pack("{ss s{s{s{ss}s{ss}s{ss}} sb} s{ss}}", "name", name,
		"permissions", "media", "audio", "can_produce", audio, "video", "can_produce", "ALLOWED",
		"screenshare", "can_produce", "NOT_ALLOWED", "show_participant_list", 1,
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
	rtk_room_sink sink = { record_event, rec, NULL };
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
	rtk_room_sink sink = { record_event, NULL, NULL };
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

/* ---- the waiting room ---- */

#define WAIT_PRIVILEGED "{\"waiting_room_type\": \"ON_PRIVILEGED_USER_ENTRY\"}"
#define WAIT_ONCE "{\"waiting_room_type\": \"SKIP_ON_ACCEPT\"}"

static void test_waiting_room_skip(void) {
	world w;
	world_init(&w);
	rtk_peer *ada = join(&w, "ada", "group_call_host", NULL);
	rtk_peer *bob = member("bob", "group_call_participant", NULL);
	json_t *answer = rtk_room_enter(w.room, bob);
	CHECK_EQ_STR(str(answer, "rtk"), "roomJoined");
	CHECK_EQ_STR(str(json_object_get(answer, "self"), "roomState"), "joined");
	CHECK_EQ_INT(json_array_size(json_object_get(answer, "participants")), 1);
	CHECK_NULL(json_object_get(answer, "waitlisted"));   /* bob may not accept anyone */
	CHECK(!bob->waitlisted);
	json_decref(answer);
	CHECK_LINES(w.rec, "ada:participantJoined");
	CHECK(rtk_room_find_user(w.room, "u-bob") == bob);
	(void)ada;
	world_clear(&w);
}

static void test_waiting_room_on_privileged_entry(void) {
	world w;
	world_init(&w);
	rtk_peer *ada = join(&w, "ada", "group_call_host", NULL);
	rtk_peer *bob = join(&w, "bob", "group_call_participant", NULL);

	/* carl waits: only ada (accept_waiting_requests) hears of it. */
	rtk_peer *carl = member("carl", "group_call_participant", WAIT_PRIVILEGED);
	json_t *answer = rtk_room_enter(w.room, carl);
	CHECK_EQ_STR(str(answer, "rtk"), "waitlisted");
	CHECK_EQ_STR(str(json_object_get(answer, "self"), "roomState"), "waitlisted");
	CHECK_EQ_STR(str(json_object_get(answer, "meeting"), "meetingId"), "m-2");
	CHECK_NULL(json_object_get(answer, "participants"));
	json_decref(answer);
	CHECK(carl->waitlisted);
	CHECK_LINES(w.rec, "ada:waitlistedParticipantJoined");
	CHECK_EQ_INT(rtk_room_size(w.room), 3);
	CHECK(rtk_room_find_waiting(w.room, "u-carl") == carl);
	CHECK(rtk_room_find_waiting(w.room, carl->id) == carl);
	CHECK_NULL(rtk_room_find_user(w.room, "u-carl"));
	CHECK_NULL(rtk_room_find_waiting(w.room, "u-bob"));

	json_t *list = rtk_room_waitlisted_json(w.room, ada);
	CHECK_EQ_INT(json_array_size(list), 1);
	CHECK_EQ_STR(str(json_array_get(list, 0), "id"), carl->id);
	json_decref(list);
	list = rtk_room_waitlisted_json(w.room, bob);
	CHECK_EQ_INT(json_array_size(list), 0);
	json_decref(list);
	list = rtk_room_waitlisted_json(w.room, NULL);
	CHECK_EQ_INT(json_array_size(list), 1);
	json_decref(list);

	/* A host arriving now sees the waiting room in roomJoined; carl is in no list. */
	rtk_peer *dan = member("dan", "group_call_host", NULL);
	answer = rtk_room_enter(w.room, dan);
	CHECK_EQ_INT(json_array_size(json_object_get(answer, "waitlisted")), 1);
	CHECK_EQ_INT(json_array_size(json_object_get(answer, "participants")), 2);
	json_decref(answer);
	recorder_clear(w.rec);

	/* Refusals. */
	CHECK_REFUSED(rtk_room_accept_waiting(w.room, bob, "u-carl", &why_), RTK_ERR_NOT_PERMITTED);
	CHECK_REFUSED(rtk_room_reject_waiting(w.room, bob, "u-carl", &why_), RTK_ERR_NOT_PERMITTED);
	CHECK_REFUSED(rtk_room_accept_waiting(w.room, ada, "u-nobody", &why_), RTK_ERR_NOT_WAITLISTED);
	CHECK_REFUSED(rtk_room_accept_waiting(w.room, ada, "u-bob", &why_), RTK_ERR_NOT_WAITLISTED);
	CHECK_REFUSED(rtk_room_reject_waiting(w.room, ada, NULL, &why_), RTK_ERR_NOT_WAITLISTED);
	CHECK_LINES(w.rec, "");

	/* Accept one: roomJoined to carl, participantJoined to the others,
	 * waitlistedParticipantLeft to the hosts, then ADMITTED. */
	CHECK(rtk_room_accept_waiting(w.room, ada, "u-carl", NULL));
	CHECK_LINES(w.rec, "carl:roomJoined,ada:participantJoined,bob:participantJoined,dan:participantJoined,"
		"ada:waitlistedParticipantLeft,dan:waitlistedParticipantLeft,carl!ADMITTED");
	CHECK(!carl->waitlisted);
	CHECK(rtk_room_find_user(w.room, "u-carl") == carl);
	CHECK_EQ_INT(rtk_room_size(w.room), 4);
	/* (events were cleared; re-run one to read its fields) */
	rtk_peer *eve = member("eve", "group_call_participant", WAIT_PRIVILEGED);
	json_decref(rtk_room_enter(w.room, eve));
	recorder_clear(w.rec);
	CHECK(rtk_room_accept_waiting(w.room, dan, eve->id, NULL));
	json_t *joined = sent(w.rec, "eve", "roomJoined");
	CHECK_EQ_STR(str(json_object_get(joined, "self"), "roomState"), "joined");
	CHECK_EQ_INT(json_array_size(json_object_get(joined, "participants")), 4);
	json_t *left = sent(w.rec, "ada", "waitlistedParticipantLeft");
	CHECK_EQ_STR(str(left, "participantId"), eve->id);
	CHECK_EQ_STR(str(left, "state"), "accepted");
	recorder_clear(w.rec);

	/* ON_PRIVILEGED_USER_ENTRY waits on every join, even after an accept. */
	rtk_room_leave(w.room, carl, "left");
	recorder_clear(w.rec);
	carl = member("carl", "group_call_participant", WAIT_PRIVILEGED);
	answer = rtk_room_enter(w.room, carl);
	CHECK_EQ_STR(str(answer, "rtk"), "waitlisted");
	json_decref(answer);
	recorder_clear(w.rec);

	/* Reject: roomLeft "rejected" to carl, the hosts are told, then REMOVED and freed. */
	CHECK(rtk_room_reject_waiting(w.room, ada, "u-carl", NULL));
	CHECK_EQ_STR(str(sent(w.rec, "carl", "roomLeft"), "state"), "rejected");
	CHECK_EQ_STR(str(sent(w.rec, "dan", "waitlistedParticipantLeft"), "state"), "rejected");
	CHECK_LINES(w.rec, "carl:roomLeft,ada:waitlistedParticipantLeft,dan:waitlistedParticipantLeft,carl!REMOVED");
	CHECK_NULL(rtk_room_find_waiting(w.room, "u-carl"));

	/* Accept all (the server may: actor NULL), in arrival order. */
	rtk_peer *fay = member("fay", "group_call_participant", WAIT_PRIVILEGED);
	rtk_peer *gus = member("gus", "group_call_participant", WAIT_PRIVILEGED);
	json_decref(rtk_room_enter(w.room, fay));
	json_decref(rtk_room_enter(w.room, gus));
	CHECK_LINES(w.rec, "ada:waitlistedParticipantJoined,dan:waitlistedParticipantJoined,"
		"ada:waitlistedParticipantJoined,dan:waitlistedParticipantJoined");
	CHECK(rtk_room_accept_waiting(w.room, NULL, NULL, NULL));
	CHECK_EQ_INT(w.room->waitlisted->len, 0);
	CHECK(rtk_room_find_user(w.room, "u-gus") == gus);
	json_t *gus_joined = sent(w.rec, "gus", "roomJoined");
	CHECK_EQ_INT(json_array_size(json_object_get(gus_joined, "participants")), 5);   /* fay included */
	CHECK_NOT_NULL(sent(w.rec, "fay", "participantJoined"));
	recorder_clear(w.rec);
	CHECK(rtk_room_accept_waiting(w.room, ada, NULL, NULL));   /* nobody waiting: fine */
	CHECK_LINES(w.rec, "");

	/* A waitlisted peer leaving on its own: hosts told "left", no REMOVED. */
	rtk_peer *hal = member("hal", "group_call_participant", WAIT_PRIVILEGED);
	json_decref(rtk_room_enter(w.room, hal));
	recorder_clear(w.rec);
	rtk_room_leave(w.room, hal, "left");
	CHECK_EQ_STR(str(sent(w.rec, "ada", "waitlistedParticipantLeft"), "state"), "left");
	CHECK_LINES(w.rec, "hal:roomLeft,ada:waitlistedParticipantLeft,dan:waitlistedParticipantLeft");
	CHECK_EQ_INT(w.room->waitlisted->len, 0);
	world_clear(&w);
}

static void test_waiting_room_skip_on_accept(void) {
	world w;
	world_init(&w);
	/* Nobody can accept yet: the room exists for the waiting peer alone. */
	rtk_peer *ivy = member("ivy", "group_call_participant", WAIT_ONCE);
	json_t *answer = rtk_room_enter(w.room, ivy);
	CHECK_EQ_STR(str(answer, "rtk"), "waitlisted");
	json_decref(answer);
	CHECK_EQ_INT(rtk_room_size(w.room), 1);
	CHECK_LINES(w.rec, "");

	rtk_peer *ada = join(&w, "ada", "group_call_host", NULL);
	CHECK(rtk_room_accept_waiting(w.room, ada, "u-ivy", NULL));
	CHECK_LINES(w.rec, "ivy:roomJoined,ada:participantJoined,ada:waitlistedParticipantLeft,ivy!ADMITTED");

	/* ivy leaves and comes back in the same live session: straight in. */
	rtk_room_leave(w.room, ivy, NULL);
	recorder_clear(w.rec);
	ivy = member("ivy", "group_call_participant", WAIT_ONCE);
	answer = rtk_room_enter(w.room, ivy);
	CHECK_EQ_STR(str(answer, "rtk"), "roomJoined");
	json_decref(answer);
	CHECK_LINES(w.rec, "ada:participantJoined");

	/* Another user of the same preset still waits. */
	rtk_peer *jon = member("jon", "group_call_participant", WAIT_ONCE);
	answer = rtk_room_enter(w.room, jon);
	CHECK_EQ_STR(str(answer, "rtk"), "waitlisted");
	json_decref(answer);
	CHECK_LINES(w.rec, "ada:waitlistedParticipantJoined");

	/* A peer that may accept others never waits itself. */
	rtk_peer *kim = member("kim", "group_call_host", WAIT_PRIVILEGED);
	answer = rtk_room_enter(w.room, kim);
	CHECK_EQ_STR(str(answer, "rtk"), "roomJoined");
	json_decref(answer);

	/* A waitlisted peer may not touch its media or the stage. */
	CHECK_REFUSED(rtk_room_set_own_media(w.room, jon, RTK_MEDIA_AUDIO, TRUE, &why_), RTK_ERR_NOT_JOINED);
	world_clear(&w);   /* frees jon, still waiting */
}

/* ---- the stage ---- */

/* A participant of another node mirrored here (cascade.h): its stage
 * steps there become the events the others would get there, without a
 * check, a self event or changed(). */
static void test_stage_mirror(void) {
	world w;
	world_init(&w);
	rtk_peer *pam = join(&w, "pam", "webinar_presenter", NULL);
	rtk_peer *val = join(&w, "val", "webinar_viewer", NULL);
	join(&w, "vic", "webinar_viewer", NULL);
	recorder_clear(w.rec);
	rtk_room_stage_mirror(w.room, pam, RTK_STAGE_ON_STAGE);
	CHECK_EQ_INT(pam->stage, RTK_STAGE_ON_STAGE);
	CHECK_EQ_STR(str(sent(w.rec, "val", "peerStartedPresenting"), "participantId"), pam->id);
	CHECK_LINES(w.rec, "val:peerStartedPresenting,vic:peerStartedPresenting");
	rtk_room_stage_mirror(w.room, pam, RTK_STAGE_ON_STAGE);   /* no change: nothing */
	CHECK_LINES(w.rec, "");
	rtk_room_stage_mirror(w.room, pam, RTK_STAGE_OFF_STAGE);
	CHECK_EQ_STR(str(sent(w.rec, "val", "peerStoppedPresenting"), "stageStatus"), "OFF_STAGE");
	CHECK_LINES(w.rec, "val:peerStoppedPresenting,vic:peerStoppedPresenting");
	/* a request: the audience hears of it; the request itself is the owner's hosts' */
	rtk_room_stage_mirror(w.room, val, RTK_STAGE_REQUESTED);
	CHECK_LINES(w.rec, "vic:peerRequestToJoinStage");
	rtk_room_stage_mirror(w.room, val, RTK_STAGE_ACCEPTED);
	CHECK_LINES(w.rec, "pam:peerAcceptedToJoinStage,vic:peerAcceptedToJoinStage");
	rtk_room_stage_mirror(w.room, val, RTK_STAGE_OFF_STAGE);   /* withdrawn or denied: nothing to others */
	CHECK_LINES(w.rec, "");
	world_clear(&w);
}

static void test_stage_webinar_flow(void) {
	world w;
	world_init(&w);
	rtk_peer *pam = join(&w, "pam", "webinar_presenter", NULL);
	rtk_peer *vic = join(&w, "vic", "webinar_viewer", NULL);
	rtk_peer *val = join(&w, "val", "webinar_viewer", NULL);
	CHECK_EQ_INT(pam->stage, RTK_STAGE_OFF_STAGE);
	CHECK_EQ_INT(vic->stage, RTK_STAGE_OFF_STAGE);

	/* vic asks: self status, the host gets the request, the other viewer the peer event. */
	CHECK(rtk_room_stage_request(w.room, vic, NULL));
	CHECK_EQ_INT(vic->stage, RTK_STAGE_REQUESTED);
	CHECK_EQ_STR(str(sent(w.rec, "vic", "stageStatusUpdate"), "status"), "REQUESTED_TO_JOIN_STAGE");
	json_t *request = sent(w.rec, "pam", "newStageRequest");
	CHECK_EQ_INT(json_integer_value(json_object_get(request, "count")), 1);
	CHECK_EQ_STR(str(request, "participantId"), vic->id);
	CHECK_EQ_STR(str(request, "stageStatus"), "REQUESTED_TO_JOIN_STAGE");
	json_t *requests = json_object_get(sent(w.rec, "pam", "stageAccessRequestUpdate"), "requests");
	CHECK_EQ_INT(json_array_size(requests), 1);
	CHECK_EQ_STR(str(json_array_get(requests, 0), "userId"), "u-vic");
	CHECK_EQ_STR(str(json_array_get(requests, 0), "stageStatus"), "REQUESTED_TO_JOIN_STAGE");
	CHECK_EQ_STR(str(sent(w.rec, "val", "peerRequestToJoinStage"), "participantId"), vic->id);
	CHECK_LINES(w.rec, "vic:stageStatusUpdate,pam:newStageRequest,pam:stageAccessRequestUpdate,val:peerRequestToJoinStage");

	CHECK_REFUSED(rtk_room_stage_request(w.room, vic, &why_), RTK_ERR_STAGE_ALREADY);
	CHECK_REFUSED(rtk_room_stage_join(w.room, vic, &why_), RTK_ERR_STAGE_NOT_ACCEPTED);

	/* getAccessRequests: hosts and the server only. */
	json_t *list = rtk_room_stage_requests(w.room, pam, NULL);
	CHECK_EQ_INT(json_array_size(list), 1);
	json_decref(list);
	list = rtk_room_stage_requests(w.room, NULL, NULL);
	CHECK_EQ_INT(json_array_size(list), 1);
	json_decref(list);
	rtk_refusal why = { 0 };
	CHECK_NULL(rtk_room_stage_requests(w.room, val, &why));
	CHECK_EQ_STR(why.code, RTK_ERR_NOT_PERMITTED);

	/* A viewer cannot grant; the host can, by user id. */
	json_t *vic_ids = json_pack("[s]", "u-vic");
	CHECK_REFUSED(rtk_room_stage_grant(w.room, val, vic_ids, &why_), RTK_ERR_NOT_PERMITTED);
	CHECK_LINES(w.rec, "");
	CHECK(rtk_room_stage_grant(w.room, pam, vic_ids, NULL));
	CHECK_EQ_INT(vic->stage, RTK_STAGE_ACCEPTED);
	CHECK_EQ_STR(str(sent(w.rec, "vic", "stageStatusUpdate"), "status"), "ACCEPTED_TO_JOIN_STAGE");
	CHECK_EQ_STR(str(sent(w.rec, "val", "peerAcceptedToJoinStage"), "stageStatus"), "ACCEPTED_TO_JOIN_STAGE");
	CHECK_EQ_INT(json_array_size(json_object_get(sent(w.rec, "pam", "stageAccessRequestUpdate"), "requests")), 0);
	/* The answer carries the status it leads to, so it comes after the change. */
	CHECK_EQ_STR(str(sent(w.rec, "vic", "stageRequestApproved"), "stageStatus"), "ACCEPTED_TO_JOIN_STAGE");
	CHECK_LINES(w.rec, "vic:stageStatusUpdate,vic:stageRequestApproved,pam:peerAcceptedToJoinStage,"
		"val:peerAcceptedToJoinStage,pam:stageAccessRequestUpdate");
	CHECK_REFUSED(rtk_room_stage_grant(w.room, pam, vic_ids, &why_), RTK_ERR_STAGE_NO_REQUEST);

	/* Accepted is not yet on stage: no publishing. */
	CHECK_REFUSED(rtk_room_set_own_media(w.room, vic, RTK_MEDIA_AUDIO, TRUE, &why_), RTK_ERR_OFF_STAGE);

	/* Join: ON_STAGE, the others see the presenter, the glue re-checks. */
	CHECK(rtk_room_stage_join(w.room, vic, NULL));
	CHECK_EQ_INT(vic->stage, RTK_STAGE_ON_STAGE);
	CHECK_EQ_STR(str(sent(w.rec, "vic", "stageStatusUpdate"), "status"), "ON_STAGE");
	CHECK_EQ_STR(str(sent(w.rec, "pam", "peerStartedPresenting"), "participantId"), vic->id);
	CHECK_LINES(w.rec, "vic:stageStatusUpdate,pam:peerStartedPresenting,val:peerStartedPresenting,vic!STAGE");
	CHECK_REFUSED(rtk_room_stage_join(w.room, vic, &why_), RTK_ERR_STAGE_ALREADY);
	CHECK_REFUSED(rtk_room_stage_request(w.room, vic, &why_), RTK_ERR_STAGE_ALREADY);

	/* On stage, the viewer's CAN_REQUEST audio is granted; screenshare never. */
	CHECK(rtk_room_set_own_media(w.room, vic, RTK_MEDIA_AUDIO, TRUE, NULL));
	CHECK_LINES(w.rec, "pam:audioUpdate,val:audioUpdate");
	CHECK_REFUSED(rtk_room_set_own_media(w.room, vic, RTK_MEDIA_SCREENSHARE, TRUE, &why_), RTK_ERR_MEDIA_NOT_ALLOWED);
	CHECK(rtk_room_set_own_media(w.room, vic, RTK_MEDIA_SCREENSHARE, FALSE, NULL));   /* turning off is always fine */
	CHECK_LINES(w.rec, "");

	/* Leave the stage. */
	CHECK(rtk_room_stage_leave(w.room, vic, NULL));
	CHECK_EQ_INT(vic->stage, RTK_STAGE_OFF_STAGE);
	CHECK_EQ_STR(str(sent(w.rec, "val", "peerStoppedPresenting"), "stageStatus"), "OFF_STAGE");
	CHECK_LINES(w.rec, "vic:stageStatusUpdate,pam:peerStoppedPresenting,val:peerStoppedPresenting,vic!STAGE");
	CHECK_REFUSED(rtk_room_stage_leave(w.room, vic, &why_), RTK_ERR_NOT_ON_STAGE);
	CHECK_REFUSED(rtk_room_set_own_media(w.room, vic, RTK_MEDIA_VIDEO, TRUE, &why_), RTK_ERR_OFF_STAGE);

	/* The presenter (stage_access ALLOWED): a request is accepted at once, or it joins directly. */
	CHECK(rtk_room_stage_request(w.room, pam, NULL));
	CHECK_EQ_INT(pam->stage, RTK_STAGE_ACCEPTED);
	CHECK_LINES(w.rec, "pam:stageStatusUpdate,vic:peerAcceptedToJoinStage,val:peerAcceptedToJoinStage");
	CHECK_REFUSED(rtk_room_set_own_media(w.room, pam, RTK_MEDIA_VIDEO, TRUE, &why_), RTK_ERR_OFF_STAGE);
	CHECK(rtk_room_stage_join(w.room, pam, NULL));
	CHECK_LINES(w.rec, "pam:stageStatusUpdate,vic:peerStartedPresenting,val:peerStartedPresenting,pam!STAGE");
	CHECK(rtk_room_set_own_media(w.room, pam, RTK_MEDIA_VIDEO, TRUE, NULL));
	CHECK(rtk_room_stage_leave(w.room, pam, NULL));
	recorder_clear(w.rec);
	CHECK(rtk_room_stage_join(w.room, pam, NULL));   /* no request needed */
	CHECK_EQ_INT(pam->stage, RTK_STAGE_ON_STAGE);
	recorder_clear(w.rec);

	/* Stage kick: hosts only, targets on stage only. */
	CHECK(rtk_room_stage_request(w.room, vic, NULL));
	CHECK(rtk_room_stage_grant(w.room, pam, vic_ids, NULL));
	CHECK(rtk_room_stage_join(w.room, vic, NULL));
	recorder_clear(w.rec);
	json_t *by_peer_id = json_pack("[s]", vic->id);
	CHECK_REFUSED(rtk_room_stage_kick(w.room, val, by_peer_id, &why_), RTK_ERR_NOT_PERMITTED);
	json_t *val_ids = json_pack("[s]", "u-val");
	CHECK_REFUSED(rtk_room_stage_kick(w.room, pam, val_ids, &why_), RTK_ERR_NOT_ON_STAGE);
	json_t *unknown = json_pack("[s]", "u-nobody");
	CHECK_REFUSED(rtk_room_stage_kick(w.room, pam, unknown, &why_), RTK_ERR_TARGET_NOT_FOUND);
	json_t *not_array = json_string("u-vic");
	CHECK_REFUSED(rtk_room_stage_kick(w.room, pam, not_array, &why_), RTK_ERR_BAD_REQUEST);
	json_t *not_strings = json_pack("[i]", 7);
	CHECK_REFUSED(rtk_room_stage_grant(w.room, pam, not_strings, &why_), RTK_ERR_BAD_REQUEST);
	CHECK_LINES(w.rec, "");
	CHECK(rtk_room_stage_kick(w.room, pam, by_peer_id, NULL));
	CHECK_EQ_INT(vic->stage, RTK_STAGE_OFF_STAGE);
	CHECK_LINES(w.rec, "vic:stageStatusUpdate,pam:peerStoppedPresenting,val:peerStoppedPresenting,vic!STAGE");

	json_decref(vic_ids);
	json_decref(by_peer_id);
	json_decref(val_ids);
	json_decref(unknown);
	json_decref(not_array);
	json_decref(not_strings);
	world_clear(&w);
}

static void test_stage_deny_and_cancel(void) {
	world w;
	world_init(&w);
	rtk_peer *pam = join(&w, "pam", "webinar_presenter", NULL);
	rtk_peer *vic = join(&w, "vic", "webinar_viewer", NULL);
	rtk_peer *val = join(&w, "val", "webinar_viewer", NULL);
	json_t *val_ids = json_pack("[s]", "u-val");
	json_t *both = json_pack("[ss]", "u-vic", "u-val");

	/* Deny. */
	CHECK(rtk_room_stage_request(w.room, val, NULL));
	recorder_clear(w.rec);
	CHECK(rtk_room_stage_deny(w.room, pam, val_ids, NULL));
	CHECK_EQ_INT(val->stage, RTK_STAGE_OFF_STAGE);
	CHECK_EQ_STR(str(sent(w.rec, "val", "stageStatusUpdate"), "status"), "OFF_STAGE");
	CHECK_EQ_STR(str(sent(w.rec, "vic", "peerRejectedToJoinStage"), "participantId"), val->id);
	CHECK_EQ_STR(str(sent(w.rec, "val", "stageRequestRejected"), "stageStatus"), "OFF_STAGE");
	CHECK_LINES(w.rec, "val:stageStatusUpdate,val:stageRequestRejected,pam:peerRejectedToJoinStage,"
		"vic:peerRejectedToJoinStage,pam:stageAccessRequestUpdate");
	CHECK_REFUSED(rtk_room_stage_deny(w.room, pam, val_ids, &why_), RTK_ERR_STAGE_NO_REQUEST);
	CHECK_REFUSED(rtk_room_stage_deny(w.room, vic, val_ids, &why_), RTK_ERR_NOT_PERMITTED);

	/* All or nothing: vic requested, val did not -> nothing changes. */
	CHECK(rtk_room_stage_request(w.room, vic, NULL));
	recorder_clear(w.rec);
	CHECK_REFUSED(rtk_room_stage_grant(w.room, pam, both, &why_), RTK_ERR_STAGE_NO_REQUEST);
	CHECK_EQ_INT(vic->stage, RTK_STAGE_REQUESTED);
	CHECK_LINES(w.rec, "");

	/* Cancel. */
	CHECK_REFUSED(rtk_room_stage_cancel(w.room, val, &why_), RTK_ERR_STAGE_NO_REQUEST);
	CHECK(rtk_room_stage_cancel(w.room, vic, NULL));
	CHECK_EQ_INT(vic->stage, RTK_STAGE_OFF_STAGE);
	CHECK_EQ_STR(str(sent(w.rec, "val", "peerCancelledRequestToJoinStage"), "stageStatus"), "OFF_STAGE");
	CHECK_LINES(w.rec, "vic:stageStatusUpdate,pam:stageAccessRequestUpdate,val:peerCancelledRequestToJoinStage");
	CHECK_REFUSED(rtk_room_stage_cancel(w.room, vic, &why_), RTK_ERR_STAGE_NO_REQUEST);

	/* A requester who leaves the meeting leaves the request list. */
	CHECK(rtk_room_stage_request(w.room, vic, NULL));
	recorder_clear(w.rec);
	rtk_room_leave(w.room, vic, "left");
	CHECK_EQ_INT(json_array_size(json_object_get(sent(w.rec, "pam", "stageAccessRequestUpdate"), "requests")), 0);
	CHECK_LINES(w.rec, "vic:roomLeft,pam:participantLeft,val:participantLeft,pam:stageAccessRequestUpdate");

	json_decref(val_ids);
	json_decref(both);
	world_clear(&w);
}

static void test_stage_refusals(void) {
	world w;
	world_init(&w);
	rtk_peer *host = join(&w, "host", "livestream_host", NULL);
	rtk_peer *fan = join(&w, "fan", "livestream_viewer", NULL);
	rtk_peer *gc = join(&w, "gc", "group_call_participant", NULL);

	CHECK_REFUSED(rtk_room_stage_request(w.room, fan, &why_), RTK_ERR_STAGE_NOT_ALLOWED);
	CHECK_REFUSED(rtk_room_stage_join(w.room, fan, &why_), RTK_ERR_STAGE_NOT_ALLOWED);
	CHECK_REFUSED(rtk_room_stage_cancel(w.room, fan, &why_), RTK_ERR_STAGE_NOT_ALLOWED);
	CHECK_REFUSED(rtk_room_stage_leave(w.room, fan, &why_), RTK_ERR_NOT_ON_STAGE);
	CHECK_REFUSED(rtk_room_stage_request(w.room, gc, &why_), RTK_ERR_STAGE_DISABLED);
	CHECK_REFUSED(rtk_room_stage_join(w.room, gc, &why_), RTK_ERR_STAGE_DISABLED);
	CHECK_REFUSED(rtk_room_stage_leave(w.room, gc, &why_), RTK_ERR_STAGE_DISABLED);
	json_t *gc_ids = json_pack("[s]", "u-gc");
	CHECK_REFUSED(rtk_room_stage_kick(w.room, host, gc_ids, &why_), RTK_ERR_STAGE_DISABLED);
	CHECK_REFUSED(rtk_room_stage_grant(w.room, host, gc_ids, &why_), RTK_ERR_STAGE_DISABLED);
	json_decref(gc_ids);
	/* The group-call participant is ON_STAGE from the start and publishes. */
	CHECK_EQ_INT(gc->stage, RTK_STAGE_ON_STAGE);
	CHECK(rtk_room_set_own_media(w.room, gc, RTK_MEDIA_VIDEO, TRUE, NULL));
	/* A waitlisted peer has no stage yet. */
	rtk_peer *late = member("late", "webinar_viewer", WAIT_PRIVILEGED);
	json_decref(rtk_room_enter(w.room, late));
	CHECK_REFUSED(rtk_room_stage_request(w.room, late, &why_), RTK_ERR_NOT_JOINED);
	CHECK_REFUSED(rtk_room_stage_leave(w.room, late, &why_), RTK_ERR_NOT_JOINED);
	/* Nothing above changed anyone's status. */
	CHECK_EQ_INT(fan->stage, RTK_STAGE_OFF_STAGE);
	CHECK_EQ_INT(host->stage, RTK_STAGE_OFF_STAGE);
	world_clear(&w);
}

/* ---- host controls ---- */

static void test_disable_media(void) {
	world w;
	world_init(&w);
	rtk_peer *ada = join(&w, "ada", "group_call_host", NULL);
	rtk_peer *bob = join(&w, "bob", "group_call_participant", NULL);
	rtk_peer *cy = join(&w, "cy", "group_call_participant", NULL);
	rtk_room_set_media(w.room, cy, RTK_MEDIA_AUDIO, TRUE);
	rtk_room_set_media(w.room, bob, RTK_MEDIA_VIDEO, TRUE);
	recorder_clear(w.rec);

	CHECK_REFUSED(rtk_room_disable_media(w.room, bob, "u-cy", RTK_MEDIA_AUDIO, FALSE, &why_), RTK_ERR_NOT_PERMITTED);
	CHECK_REFUSED(rtk_room_disable_media(w.room, ada, "u-nobody", RTK_MEDIA_AUDIO, FALSE, &why_), RTK_ERR_TARGET_NOT_FOUND);
	CHECK_REFUSED(rtk_room_disable_media(w.room, ada, "u-cy", RTK_MEDIA_KINDS, FALSE, &why_), RTK_ERR_BAD_REQUEST);
	CHECK_LINES(w.rec, "");

	/* Without allowUnmute: the others see audio off, cy learns who and that it is locked. */
	CHECK(rtk_room_disable_media(w.room, ada, "u-cy", RTK_MEDIA_AUDIO, FALSE, NULL));
	CHECK(!cy->media_enabled[RTK_MEDIA_AUDIO]);
	CHECK(cy->media_locked[RTK_MEDIA_AUDIO]);
	json_t *own = sent(w.rec, "cy", "audioUpdate");
	CHECK_EQ_STR(str(own, "participantId"), cy->id);
	CHECK(json_is_false(json_object_get(own, "audioEnabled")));
	CHECK_EQ_STR(str(own, "disabledBy"), ada->id);
	CHECK(json_is_false(json_object_get(own, "canUnmute")));
	CHECK_LINES(w.rec, "ada:audioUpdate,bob:audioUpdate,cy:audioUpdate,cy!MEDIA");
	CHECK_REFUSED(rtk_room_set_own_media(w.room, cy, RTK_MEDIA_AUDIO, TRUE, &why_), RTK_ERR_MEDIA_LOCKED);
	CHECK(rtk_room_set_own_media(w.room, cy, RTK_MEDIA_VIDEO, TRUE, NULL));   /* other kinds unaffected */
	recorder_clear(w.rec);

	/* With allowUnmute (here by the server): unlocked, cy may turn it back on. */
	CHECK(rtk_room_disable_media(w.room, NULL, cy->id, RTK_MEDIA_AUDIO, TRUE, NULL));
	own = sent(w.rec, "cy", "audioUpdate");
	CHECK(json_is_null(json_object_get(own, "disabledBy")));
	CHECK(json_is_true(json_object_get(own, "canUnmute")));
	CHECK_LINES(w.rec, "cy:audioUpdate,cy!MEDIA");   /* already off: the others hear nothing */
	CHECK(!cy->media_locked[RTK_MEDIA_AUDIO]);
	CHECK(rtk_room_set_own_media(w.room, cy, RTK_MEDIA_AUDIO, TRUE, NULL));
	CHECK_LINES(w.rec, "ada:audioUpdate,bob:audioUpdate");

	/* Everyone but the actor. */
	CHECK_REFUSED(rtk_room_disable_all_media(w.room, bob, RTK_MEDIA_VIDEO, FALSE, &why_), RTK_ERR_NOT_PERMITTED);
	rtk_room_set_media(w.room, ada, RTK_MEDIA_VIDEO, TRUE);
	recorder_clear(w.rec);
	CHECK(rtk_room_disable_all_media(w.room, ada, RTK_MEDIA_VIDEO, FALSE, NULL));
	CHECK_LINES(w.rec, "ada:videoUpdate,cy:videoUpdate,bob:videoUpdate,bob!MEDIA,"
		"ada:videoUpdate,bob:videoUpdate,cy:videoUpdate,cy!MEDIA");
	CHECK(ada->media_enabled[RTK_MEDIA_VIDEO]);
	CHECK(!ada->media_locked[RTK_MEDIA_VIDEO]);
	CHECK(bob->media_locked[RTK_MEDIA_VIDEO] && cy->media_locked[RTK_MEDIA_VIDEO]);
	CHECK_REFUSED(rtk_room_set_own_media(w.room, bob, RTK_MEDIA_VIDEO, TRUE, &why_), RTK_ERR_MEDIA_LOCKED);
	world_clear(&w);
}

static void test_kick_kick_all_and_end(void) {
	world w;
	world_init(&w);
	rtk_peer *ada = join(&w, "ada", "group_call_host", NULL);
	rtk_peer *bob = join(&w, "bob", "group_call_participant", NULL);
	join(&w, "cy", "group_call_participant", NULL);

	CHECK_REFUSED(rtk_room_kick(w.room, bob, "u-cy", &why_), RTK_ERR_NOT_PERMITTED);
	CHECK_REFUSED(rtk_room_kick(w.room, ada, "u-nobody", &why_), RTK_ERR_TARGET_NOT_FOUND);
	CHECK_REFUSED(rtk_room_kick(w.room, ada, ada->id, &why_), RTK_ERR_BAD_REQUEST);
	CHECK_LINES(w.rec, "");

	/* roomLeft "kicked" to bob, participantLeft to the others, REMOVED before the free. */
	CHECK(rtk_room_kick(w.room, ada, "u-bob", NULL));
	CHECK_EQ_STR(str(sent(w.rec, "bob", "roomLeft"), "state"), "kicked");
	CHECK_LINES(w.rec, "bob:roomLeft,ada:participantLeft,cy:participantLeft,bob!REMOVED");
	CHECK_NULL(rtk_room_find_user(w.room, "u-bob"));
	CHECK_EQ_INT(rtk_room_size(w.room), 2);

	/* Kick everyone but the actor; the waiting room stays. */
	join(&w, "dee", "group_call_participant", NULL);
	rtk_peer *wai = member("wai", "group_call_participant", WAIT_PRIVILEGED);
	json_decref(rtk_room_enter(w.room, wai));
	recorder_clear(w.rec);
	CHECK_REFUSED(rtk_room_kick_all(w.room, wai, &why_), RTK_ERR_NOT_PERMITTED);
	CHECK(rtk_room_kick_all(w.room, ada, NULL));
	CHECK_LINES(w.rec, "cy:roomLeft,ada:participantLeft,dee:participantLeft,cy!REMOVED,"
		"dee:roomLeft,ada:participantLeft,dee!REMOVED");
	CHECK_EQ_INT(rtk_room_size(w.room), 2);   /* ada and wai */
	CHECK_EQ_STR(w.room->end_reason, "HOST_ENDED_MEETING");   /* once ada leaves too */

	/* End: everyone, the waiting and the actor too, gets roomLeft "ended". */
	rtk_peer *eli = join(&w, "eli", "group_call_participant", NULL);
	CHECK_REFUSED(rtk_room_end(w.room, eli, &why_), RTK_ERR_NOT_PERMITTED);
	CHECK(rtk_room_end(w.room, ada, NULL));
	CHECK_EQ_STR(str(sent(w.rec, "wai", "roomLeft"), "state"), "ended");
	CHECK_EQ_STR(str(sent(w.rec, "ada", "roomLeft"), "state"), "ended");
	CHECK_LINES(w.rec, "ada:roomLeft,ada!REMOVED,eli:roomLeft,eli!REMOVED,wai:roomLeft,wai!REMOVED");
	CHECK_EQ_INT(rtk_room_size(w.room), 0);
	CHECK_EQ_STR(w.room->end_reason, "HOST_ENDED_MEETING");   /* meeting.ended's reason */
	join(&w, "fay", "group_call_participant", NULL);
	CHECK_NULL(w.room->end_reason);   /* the session goes on: a later end is someone else's */
	world_clear(&w);
}

static void test_pins(void) {
	world w;
	world_init(&w);
	rtk_peer *ada = join(&w, "ada", "group_call_host", NULL);
	rtk_peer *bob = join(&w, "bob", "group_call_participant", NULL);
	rtk_peer *cy = join(&w, "cy", "group_call_participant", NULL);

	CHECK_REFUSED(rtk_room_pin(w.room, cy, "u-bob", TRUE, &why_), RTK_ERR_NOT_PERMITTED);
	CHECK_REFUSED(rtk_room_pin(w.room, ada, "u-nobody", TRUE, &why_), RTK_ERR_TARGET_NOT_FOUND);
	CHECK(rtk_room_pin(w.room, ada, "u-bob", TRUE, NULL));
	CHECK(bob->pinned);
	CHECK_EQ_STR(str(sent(w.rec, "cy", "participantPinned"), "participantId"), bob->id);
	CHECK_LINES(w.rec, "bob:participantPinned,ada:participantPinned,cy:participantPinned");
	CHECK(rtk_room_pin(w.room, ada, bob->id, TRUE, NULL));   /* no change, no event */
	CHECK_LINES(w.rec, "");

	json_t *pinned = rtk_room_pinned_json(w.room);
	CHECK_EQ_INT(json_array_size(pinned), 1);
	CHECK_EQ_STR(json_string_value(json_array_get(pinned, 0)), bob->id);
	json_decref(pinned);
	json_t *object = rtk_peer_to_json(bob);
	CHECK(json_is_true(json_object_get(object, "isPinned")));
	json_decref(object);

	rtk_peer *dee = member("dee", "group_call_participant", NULL);
	json_t *joined = rtk_room_join(w.room, dee);
	CHECK_EQ_STR(json_string_value(json_array_get(json_object_get(joined, "pinned"), 0)), bob->id);
	json_decref(joined);
	recorder_clear(w.rec);

	CHECK(rtk_room_pin(w.room, NULL, "u-bob", FALSE, NULL));
	CHECK(!bob->pinned);
	CHECK_LINES(w.rec, "bob:participantUnpinned,ada:participantUnpinned,cy:participantUnpinned,dee:participantUnpinned");
	pinned = rtk_room_pinned_json(w.room);
	CHECK_EQ_INT(json_array_size(pinned), 0);
	json_decref(pinned);
	world_clear(&w);
}

static void test_update_permissions(void) {
	world w;
	world_init(&w);
	rtk_peer *ada = join(&w, "ada", "group_call_host", NULL);
	rtk_peer *bob = join(&w, "bob", "group_call_participant", NULL);
	rtk_peer *cy = join(&w, "cy", "group_call_participant", NULL);
	json_t *bob_ids = json_pack("[s]", "u-bob");
	json_t *kick = json_pack("{sb}", "kick_participant", 1);

	CHECK_REFUSED(rtk_room_update_permissions(w.room, bob, bob_ids, kick, &why_), RTK_ERR_NOT_PERMITTED);
	json_t *with_unknown = json_pack("[ss]", "u-bob", "u-nobody");
	CHECK_REFUSED(rtk_room_update_permissions(w.room, ada, with_unknown, kick, &why_), RTK_ERR_TARGET_NOT_FOUND);
	json_t *bogus = json_pack("{sb}", "bogus", 1);
	CHECK_REFUSED(rtk_room_update_permissions(w.room, ada, bob_ids, bogus, &why_), RTK_ERR_BAD_PERMISSIONS);
	CHECK_REFUSED(rtk_room_update_permissions(w.room, ada, kick, kick, &why_), RTK_ERR_BAD_REQUEST);
	CHECK(!bob->permissions.kick_participant);
	CHECK(json_is_false(json_object_get(bob->permissions_json, "kick_participant")));
	CHECK_LINES(w.rec, "");

	/* bob gains kick: his full permissions are sent, his rights re-parsed. */
	CHECK(rtk_room_update_permissions(w.room, ada, bob_ids, kick, NULL));
	CHECK(bob->permissions.kick_participant);
	json_t *update = sent(w.rec, "bob", "permissionsUpdate");
	json_t *full = json_object_get(update, "permissions");
	CHECK(json_is_true(json_object_get(full, "kick_participant")));
	CHECK_NOT_NULL(json_object_get(full, "media"));   /* the whole set, not the partial */
	CHECK_LINES(w.rec, "bob:permissionsUpdate,bob!PERMISSIONS");
	CHECK(rtk_room_kick(w.room, bob, "u-cy", NULL));   /* and may use it */
	recorder_clear(w.rec);
	cy = join(&w, "cy", "group_call_participant", NULL);

	/* Re-stating a media right lifts a host's lock on that kind; a revoked one refuses. */
	CHECK(rtk_room_disable_media(w.room, ada, "u-bob", RTK_MEDIA_AUDIO, FALSE, NULL));
	CHECK(bob->media_locked[RTK_MEDIA_AUDIO]);
	json_t *no_audio = json_pack("{s{s{ss}}}", "media", "audio", "can_produce", "NOT_ALLOWED");
	CHECK(rtk_room_update_permissions(w.room, ada, bob_ids, no_audio, NULL));
	CHECK(!bob->media_locked[RTK_MEDIA_AUDIO]);
	CHECK_REFUSED(rtk_room_set_own_media(w.room, bob, RTK_MEDIA_AUDIO, TRUE, &why_), RTK_ERR_MEDIA_NOT_ALLOWED);
	recorder_clear(w.rec);

	/* Becoming hidden leaves the others' lists; becoming visible joins them again. */
	json_t *cy_ids = json_pack("[s]", cy->id);
	json_t *hide = json_pack("{sb}", "hidden_participant", 1);
	CHECK(rtk_room_update_permissions(w.room, NULL, cy_ids, hide, NULL));
	CHECK_LINES(w.rec, "cy:permissionsUpdate,ada:participantLeft,bob:participantLeft,cy!PERMISSIONS");
	rtk_room_set_media(w.room, cy, RTK_MEDIA_VIDEO, TRUE);
	CHECK_LINES(w.rec, "");
	json_t *show = json_pack("{sb}", "hidden_participant", 0);
	CHECK(rtk_room_update_permissions(w.room, ada, cy_ids, show, NULL));
	CHECK(json_is_true(json_object_get(json_object_get(sent(w.rec, "bob", "participantJoined"), "participant"), "videoEnabled")));
	CHECK_LINES(w.rec, "cy:permissionsUpdate,ada:participantJoined,bob:participantJoined,cy!PERMISSIONS");

	json_decref(bob_ids);
	json_decref(kick);
	json_decref(with_unknown);
	json_decref(bogus);
	json_decref(no_audio);
	json_decref(cy_ids);
	json_decref(hide);
	json_decref(show);
	world_clear(&w);
}

static void test_update_permissions_stage(void) {
	world w;
	world_init(&w);
	rtk_peer *pam = join(&w, "pam", "webinar_presenter", NULL);
	rtk_peer *vic = join(&w, "vic", "webinar_viewer", NULL);
	CHECK(rtk_room_stage_request(w.room, vic, NULL));
	recorder_clear(w.rec);
	/* Taking the stage away: vic is ON_STAGE (group-call rules) and off the request list. */
	json_t *vic_ids = json_pack("[s]", "u-vic");
	json_t *no_stage = json_pack("{sb}", "stage_enabled", 0);
	CHECK(rtk_room_update_permissions(w.room, pam, vic_ids, no_stage, NULL));
	CHECK_EQ_INT(vic->stage, RTK_STAGE_ON_STAGE);
	CHECK_LINES(w.rec, "vic:permissionsUpdate,pam:stageAccessRequestUpdate,vic!PERMISSIONS");
	json_decref(vic_ids);
	json_decref(no_stage);
	world_clear(&w);
}

/* ---- visibility ---- */

static void test_hidden_participant(void) {
	world w;
	world_init(&w);
	rtk_peer *ada = join(&w, "ada", "group_call_host", NULL);
	rtk_peer *ghost = member("ghost", "group_call_participant", "{\"hidden_participant\": true}");
	json_t *joined = rtk_room_join(w.room, ghost);
	CHECK_EQ_INT(json_array_size(json_object_get(joined, "participants")), 1);   /* ghost sees ada */
	json_decref(joined);
	CHECK_LINES(w.rec, "");   /* nobody hears of ghost */

	rtk_peer *bob = member("bob", "group_call_participant", NULL);
	joined = rtk_room_join(w.room, bob);
	json_t *others = json_object_get(joined, "participants");
	CHECK_EQ_INT(json_array_size(others), 1);
	CHECK_EQ_STR(str(json_array_get(others, 0), "userId"), "u-ada");
	json_decref(joined);
	CHECK_LINES(w.rec, "ada:participantJoined,ghost:participantJoined");

	rtk_room_set_media(w.room, ghost, RTK_MEDIA_AUDIO, TRUE);
	CHECK(rtk_room_pin(w.room, ada, "u-ghost", TRUE, NULL));
	CHECK_LINES(w.rec, "ghost:participantPinned");
	rtk_room_set_media(w.room, bob, RTK_MEDIA_AUDIO, TRUE);
	CHECK_LINES(w.rec, "ada:audioUpdate,ghost:audioUpdate");
	rtk_room_leave(w.room, ghost, "left");
	CHECK_LINES(w.rec, "ghost:roomLeft");
	world_clear(&w);
}

static void test_no_participant_list(void) {
	world w;
	world_init(&w);
	rtk_peer *host = join(&w, "host", "livestream_host", NULL);
	rtk_peer *fan = member("fan", "livestream_viewer", NULL);
	CHECK(!fan->permissions.show_participant_list);
	json_t *joined = rtk_room_join(w.room, fan);
	CHECK_EQ_INT(json_array_size(json_object_get(joined, "participants")), 0);
	json_decref(joined);
	CHECK_LINES(w.rec, "host:participantJoined");   /* the host still lists the fan */

	rtk_peer *two = member("two", "livestream_host", NULL);
	json_decref(rtk_room_join(w.room, two));
	CHECK_LINES(w.rec, "host:participantJoined");   /* no participantJoined for the fan */
	CHECK(rtk_room_stage_join(w.room, two, NULL));
	CHECK_LINES(w.rec, "two:stageStatusUpdate,host:peerStartedPresenting,fan:peerStartedPresenting,two!STAGE");
	rtk_room_leave(w.room, two, NULL);
	CHECK_LINES(w.rec, "host:participantLeft");
	(void)host;
	world_clear(&w);
}

/* Before joining (participants.getParticipantsInMeetingPreJoin): the list
 * roomJoined would have, without hidden peers or without
 * show_participant_list; nothing is sent and nobody enters. */
static void test_prejoin(void) {
	world w;
	world_init(&w);
	rtk_peer *viewer = member("pat", "group_call_participant", NULL);
	json_t *answer = rtk_room_prejoin_json(NULL, w.meeting, viewer);
	CHECK_EQ_STR(str(answer, "rtk"), "participantsInMeetingPreJoin");
	CHECK_EQ_STR(str(json_object_get(answer, "self"), "roomState"), "init");
	CHECK_EQ_STR(str(json_object_get(answer, "self"), "userId"), "u-pat");
	CHECK_EQ_STR(str(json_object_get(answer, "meeting"), "meetingTitle"), "Webinar");
	CHECK(json_is_null(json_object_get(json_object_get(answer, "meeting"), "sessionId")));
	CHECK_EQ_INT(json_array_size(json_object_get(answer, "participants")), 0);
	json_decref(answer);

	join(&w, "ada", "group_call_host", NULL);
	join(&w, "ghost", "group_call_participant", "{\"hidden_participant\": true}");
	answer = rtk_room_prejoin_json(w.room, w.meeting, viewer);
	json_t *listed = json_object_get(answer, "participants");
	CHECK_EQ_INT(json_array_size(listed), 1);
	CHECK_EQ_STR(str(json_array_get(listed, 0), "userId"), "u-ada");
	CHECK_EQ_STR(str(json_object_get(answer, "meeting"), "sessionId"), w.room->session_id);
	json_decref(answer);
	CHECK_LINES(w.rec, "");
	CHECK_EQ_INT(w.room->peers->len, 2);

	rtk_peer *fan = member("fan", "livestream_viewer", NULL);
	answer = rtk_room_prejoin_json(w.room, w.meeting, fan);
	CHECK_EQ_INT(json_array_size(json_object_get(answer, "participants")), 0);
	json_decref(answer);
	rtk_peer_free(fan);
	rtk_peer_free(viewer);
	world_clear(&w);
}

/* Server-side removals (a newer join, REST revocations): roomLeft carries
 * the state and the reason, REMOVED follows, waitlisted peers too. */
static void test_remove_user(void) {
	world w;
	world_init(&w);
	join(&w, "ada", "group_call_host", NULL);
	join(&w, "bob", "group_call_participant", NULL);
	CHECK(!rtk_room_remove_user(w.room, "u-nobody", "kicked", "participant_deleted"));
	CHECK_LINES(w.rec, "");

	CHECK(rtk_room_remove_user(w.room, "u-bob", "left", "replaced"));
	json_t *left = sent(w.rec, "bob", "roomLeft");
	CHECK_EQ_STR(str(left, "state"), "left");
	CHECK_EQ_STR(str(left, "reason"), "replaced");
	CHECK_LINES(w.rec, "bob:roomLeft,ada:participantLeft,bob!REMOVED");
	CHECK_NULL(rtk_room_find_user(w.room, "u-bob"));

	rtk_peer *wai = member("wai", "group_call_participant", WAIT_PRIVILEGED);
	json_decref(rtk_room_enter(w.room, wai));
	recorder_clear(w.rec);
	CHECK(rtk_room_remove_user(w.room, "u-wai", "kicked", "token_revoked"));
	CHECK_EQ_STR(str(sent(w.rec, "wai", "roomLeft"), "reason"), "token_revoked");
	CHECK_EQ_STR(str(sent(w.rec, "ada", "waitlistedParticipantLeft"), "state"), "left");
	CHECK_LINES(w.rec, "wai:roomLeft,ada:waitlistedParticipantLeft,wai!REMOVED");
	CHECK_EQ_INT(rtk_room_size(w.room), 1);

	/* A peer's own leave carries no reason. */
	rtk_peer *cy = join(&w, "cy", "group_call_participant", NULL);
	rtk_room_leave(w.room, cy, "left");
	CHECK_NULL(json_object_get(sent(w.rec, "cy", "roomLeft"), "reason"));
	world_clear(&w);
}

/* A REST preset change reaches a live peer: new rights, name and config,
 * permissionsUpdate to it, PERMISSIONS for the glue; a host lock stays. */
static void test_apply_preset(void) {
	world w;
	world_init(&w);
	rtk_peer *ada = join(&w, "ada", "group_call_host", NULL);
	rtk_peer *bob = join(&w, "bob", "group_call_participant", NULL);
	CHECK(rtk_room_disable_media(w.room, ada, "u-bob", RTK_MEDIA_AUDIO, FALSE, NULL));
	CHECK(bob->media_locked[RTK_MEDIA_AUDIO]);
	recorder_clear(w.rec);

	json_t *viewer = preset_of("livestream_viewer", NULL);
	json_object_set_new(viewer, "id", json_string("preset-viewer"));
	CHECK(!rtk_room_apply_preset(w.room, "u-nobody", viewer));
	CHECK(rtk_room_apply_preset(w.room, "u-ada", viewer));
	json_t *update = sent(w.rec, "ada", "permissionsUpdate");
	CHECK_EQ_STR(str(update, "presetName"), "livestream_viewer");
	CHECK(json_is_false(json_object_get(json_object_get(update, "permissions"), "kick_participant")));
	CHECK_EQ_STR(str(json_object_get(update, "config"), "view_type"), "LIVESTREAM");
	CHECK_LINES(w.rec, "ada:permissionsUpdate,ada!PERMISSIONS");
	CHECK_EQ_STR(ada->preset_name, "livestream_viewer");
	CHECK_EQ_STR(ada->preset_id, "preset-viewer");
	CHECK_REFUSED(rtk_room_kick(w.room, ada, "u-bob", &why_), RTK_ERR_NOT_PERMITTED);
	CHECK_REFUSED(rtk_room_set_own_media(w.room, ada, RTK_MEDIA_VIDEO, TRUE, &why_), RTK_ERR_MEDIA_NOT_ALLOWED);

	json_t *host = preset_of("group_call_host", NULL);
	CHECK(rtk_room_apply_preset(w.room, "u-bob", host));
	CHECK(bob->permissions.kick_participant);
	CHECK(bob->media_locked[RTK_MEDIA_AUDIO]);   /* the host's lock outlives the preset */
	CHECK(rtk_room_kick(w.room, bob, "u-ada", NULL));
	json_decref(host);
	json_decref(viewer);
	world_clear(&w);
}

/* ---- participants.broadcastMessage ---- */

static void test_broadcast_message(void) {
	world w;
	world_init(&w);
	rtk_peer *ada = join(&w, "ada", "group_call_host", NULL);
	rtk_peer *bob = join(&w, "bob", "group_call_participant", NULL);
	join(&w, "cy", "webinar_viewer", NULL);
	rtk_peer *wes = member("wes", "group_call_participant", WAIT_PRIVILEGED);
	json_decref(rtk_room_enter(w.room, wes));   /* waits: gets nothing */
	recorder_clear(w.rec);
	json_t *payload = json_pack("{ss si}", "emoji", "wave", "n", 3);

	/* no target: everyone joined, the sender included */
	CHECK_EQ_INT(rtk_room_broadcast_message(w.room, bob, "reaction", payload, NULL, NULL, 1234, NULL), 3);
	json_t *event = sent(w.rec, "cy", "broadcastedMessage");
	CHECK_EQ_STR(str(event, "type"), "reaction");
	CHECK(json_equal(json_object_get(event, "payload"), payload));
	CHECK_EQ_INT(json_integer_value(json_object_get(event, "timestamp")), 1234);
	CHECK_EQ_STR(str(event, "senderId"), bob->id);
	CHECK_LINES(w.rec, "ada:broadcastedMessage,bob:broadcastedMessage,cy:broadcastedMessage");

	/* a cascade edge's mirror of its owner's broadcast: the owner's timestamp
	 * and sender, to everyone joined or to a preset, no rate */
	for(int i = 0; i < 30; i++)
		CHECK_EQ_INT(rtk_room_broadcast_mirror(w.room, "reaction", payload, 99, "p-owner", NULL), 3);
	event = sent(w.rec, "ada", "broadcastedMessage");
	CHECK_EQ_STR(str(event, "senderId"), "p-owner");
	CHECK_EQ_INT(json_integer_value(json_object_get(event, "timestamp")), 99);
	recorder_clear(w.rec);
	CHECK_EQ_INT(rtk_room_broadcast_mirror(w.room, "reaction", payload, 99, "p-owner", "webinar_viewer"), 1);
	CHECK_LINES(w.rec, "cy:broadcastedMessage");

	/* by participant ids (peer or user id; a repeated one gets it once) */
	json_t *ids = json_pack("[sss]", ada->id, "u-cy", "u-cy");
	CHECK_EQ_INT(rtk_room_broadcast_message(w.room, bob, "t", payload, ids, NULL, 1, NULL), 2);
	CHECK_LINES(w.rec, "ada:broadcastedMessage,cy:broadcastedMessage");
	json_decref(ids);
	recorder_clear(w.rec);

	/* an unknown id (or the waitlisted one): refused, nothing sent */
	ids = json_pack("[ss]", ada->id, "u-nobody");
	CHECK_REFUSED(rtk_room_broadcast_message(w.room, bob, "t", payload, ids, NULL, 1, &why_) >= 0,
		RTK_ERR_TARGET_NOT_FOUND);
	json_decref(ids);
	ids = json_pack("[s]", wes->id);
	CHECK_REFUSED(rtk_room_broadcast_message(w.room, bob, "t", payload, ids, NULL, 1, &why_) >= 0,
		RTK_ERR_TARGET_NOT_FOUND);
	json_decref(ids);
	CHECK_LINES(w.rec, "");

	/* by preset: every joined peer with it, none is fine */
	CHECK_EQ_INT(rtk_room_broadcast_message(w.room, ada, "t", payload, NULL, "webinar_viewer", 1, NULL), 1);
	CHECK_LINES(w.rec, "cy:broadcastedMessage");
	recorder_clear(w.rec);
	CHECK_EQ_INT(rtk_room_broadcast_message(w.room, ada, "t", payload, NULL, "no_such_preset", 1, NULL), 0);
	CHECK_LINES(w.rec, "");

	/* at most RTK_BROADCAST_PER_SECOND a second from one peer; the others unaffected */
	for(int i = 0; i < RTK_BROADCAST_PER_SECOND; i++)
		CHECK_EQ_INT(rtk_room_broadcast_message(w.room, bob, "t", payload, NULL, "webinar_viewer", 10000 + i, NULL), 1);
	recorder_clear(w.rec);
	CHECK_REFUSED(rtk_room_broadcast_message(w.room, bob, "t", payload, NULL, NULL, 10999, &why_) >= 0,
		RTK_ERR_RATE_LIMITED);
	CHECK_LINES(w.rec, "");
	CHECK_EQ_INT(rtk_room_broadcast_message(w.room, ada, "t", payload, NULL, "webinar_viewer", 10999, NULL), 1);
	CHECK_EQ_INT(rtk_room_broadcast_message(w.room, bob, "t", payload, NULL, "webinar_viewer", 11000, NULL), 1);
	recorder_clear(w.rec);
	json_decref(payload);
	world_clear(&w);
}

/* ---- the spotlight (meta.setBroadcastTabChanges, setSelfActiveTab) ---- */

/* TRUE when `tab` is {"type": type, "id": id (NULL: null)}. */
static gboolean tab_is(const json_t *tab, const char *type, const char *id) {
	json_t *expected = json_pack("{ss s:s?}", "type", type, "id", id);
	gboolean same = json_equal(tab, expected);
	json_decref(expected);
	return same;
}

static void test_spotlight_follow(void) {
	world w;
	world_init(&w);
	rtk_peer *ada = join(&w, "ada", "group_call_host", NULL);
	rtk_peer *bob = join(&w, "bob", "group_call_participant", NULL);
	join(&w, "cy", "webinar_viewer", NULL);
	rtk_peer *wes = member("wes", "group_call_participant", WAIT_PRIVILEGED);
	json_decref(rtk_room_enter(w.room, wes));   /* waits: gets nothing, may do nothing */
	recorder_clear(w.rec);

	/* refusals change nothing: no can_spotlight, the waiting room */
	CHECK_REFUSED(rtk_room_set_broadcast_tabs(w.room, bob, TRUE, &why_), RTK_ERR_NOT_PERMITTED);
	CHECK_REFUSED(rtk_room_set_broadcast_tabs(w.room, wes, FALSE, &why_), RTK_ERR_NOT_JOINED);
	CHECK_REFUSED(rtk_room_set_active_tab(w.room, wes, "plugin", "p", 1000, &why_), RTK_ERR_NOT_JOINED);
	CHECK(!bob->broadcast_tabs && wes->active_tab == NULL);
	json_t *spot = rtk_room_spotlight_json(w.room);
	CHECK(json_is_null(spot));
	json_decref(spot);
	/* turning off what is not on is fine */
	CHECK(rtk_room_set_broadcast_tabs(w.room, bob, FALSE, NULL));
	/* a tab without broadcasting is kept and told to nobody */
	CHECK(rtk_room_set_active_tab(w.room, bob, "screenshare", "s-1", 1000, NULL));
	CHECK(tab_is(bob->active_tab, "screenshare", "s-1"));
	CHECK(rtk_room_set_active_tab(w.room, ada, "plugin", "whiteboard", 1000, NULL));
	CHECK_LINES(w.rec, "");

	/* enabling with a tab set: the others (not the waiting room) follow it at once */
	CHECK(rtk_room_set_broadcast_tabs(w.room, ada, TRUE, NULL));
	CHECK(ada->broadcast_tabs);
	json_t *event = sent(w.rec, "cy", "activeTabUpdate");
	CHECK(tab_is(json_object_get(event, "tab"), "plugin", "whiteboard"));
	CHECK_EQ_STR(str(event, "participantId"), ada->id);
	CHECK_LINES(w.rec, "bob:activeTabUpdate,cy:activeTabUpdate");
	CHECK(rtk_room_set_broadcast_tabs(w.room, ada, TRUE, NULL));   /* again: nothing new */
	CHECK_LINES(w.rec, "");

	/* each tab change is followed; a follower's own tab is not broadcast */
	CHECK(rtk_room_set_active_tab(w.room, ada, "screenshare", NULL, 1000, NULL));
	CHECK(tab_is(json_object_get(sent(w.rec, "bob", "activeTabUpdate"), "tab"), "screenshare", NULL));
	CHECK_LINES(w.rec, "bob:activeTabUpdate,cy:activeTabUpdate");
	CHECK(rtk_room_set_active_tab(w.room, bob, "plugin", "p-2", 1000, NULL));
	CHECK_LINES(w.rec, "");

	/* bad tabs: 0001, the tab unchanged */
	char *long_type = g_strnfill(RTK_TAB_TYPE_MAX + 1, 't');
	char *long_id = g_strnfill(RTK_TAB_ID_MAX + 1, 'i');
	char *max_id = g_strnfill(RTK_TAB_ID_MAX, 'i');
	CHECK_REFUSED(rtk_room_set_active_tab(w.room, ada, "", "x", 1000, &why_), RTK_ERR_BAD_REQUEST);
	CHECK_REFUSED(rtk_room_set_active_tab(w.room, ada, NULL, "x", 1000, &why_), RTK_ERR_BAD_REQUEST);
	CHECK_REFUSED(rtk_room_set_active_tab(w.room, ada, long_type, "x", 1000, &why_), RTK_ERR_BAD_REQUEST);
	CHECK_REFUSED(rtk_room_set_active_tab(w.room, ada, "plugin", long_id, 1000, &why_), RTK_ERR_BAD_REQUEST);
	CHECK(tab_is(ada->active_tab, "screenshare", NULL));
	CHECK_LINES(w.rec, "");

	/* a late joiner and a sync snapshot carry the spotlight */
	rtk_peer *dan = member("dan", "group_call_participant", NULL);
	json_t *joined = rtk_room_join(w.room, dan);
	spot = json_object_get(joined, "spotlight");
	CHECK_EQ_STR(str(spot, "participantId"), ada->id);
	CHECK(tab_is(json_object_get(spot, "tab"), "screenshare", NULL));
	json_decref(joined);
	json_t *snapshot = rtk_room_joined_snapshot(w.room, bob);
	CHECK_EQ_STR(str(json_object_get(snapshot, "spotlight"), "participantId"), ada->id);
	json_decref(snapshot);
	recorder_clear(w.rec);

	/* the rate: RTK_TAB_CHANGES_PER_SECOND a second, then 0012 until the next second */
	for(int i = 0; i < RTK_TAB_CHANGES_PER_SECOND; i++)
		CHECK(rtk_room_set_active_tab(w.room, ada, "plugin", max_id, 5000 + i, NULL));
	recorder_clear(w.rec);
	CHECK_REFUSED(rtk_room_set_active_tab(w.room, ada, "plugin", "late", 5999, &why_), RTK_ERR_RATE_LIMITED);
	CHECK(tab_is(ada->active_tab, "plugin", max_id));
	CHECK_LINES(w.rec, "");
	CHECK(rtk_room_set_active_tab(w.room, ada, "plugin", "late", 6000, NULL));
	CHECK_LINES(w.rec, "bob:activeTabUpdate,cy:activeTabUpdate,dan:activeTabUpdate");

	/* turning it off ends the spotlight: the others are told; twice is once */
	CHECK(rtk_room_set_broadcast_tabs(w.room, ada, FALSE, NULL));
	event = sent(w.rec, "dan", "spotlightEnded");
	CHECK_EQ_STR(str(event, "participantId"), ada->id);
	CHECK_EQ_STR(str(event, "reason"), "disabled");
	CHECK_LINES(w.rec, "bob:spotlightEnded,cy:spotlightEnded,dan:spotlightEnded");
	CHECK(!ada->broadcast_tabs);
	CHECK(rtk_room_set_broadcast_tabs(w.room, ada, FALSE, NULL));
	CHECK(rtk_room_set_active_tab(w.room, ada, "plugin", "after", 7000, NULL));
	CHECK_LINES(w.rec, "");
	spot = rtk_room_spotlight_json(w.room);
	CHECK(json_is_null(spot));
	json_decref(spot);
	g_free(long_type);
	g_free(long_id);
	g_free(max_id);
	world_clear(&w);
}

static void test_spotlight_takeover_and_end(void) {
	world w;
	world_init(&w);
	rtk_peer *ada = join(&w, "ada", "group_call_host", NULL);
	rtk_peer *eve = join(&w, "eve", "webinar_presenter", NULL);
	join(&w, "bob", "group_call_participant", NULL);
	CHECK(rtk_room_set_active_tab(w.room, ada, "plugin", "p", 1, NULL));
	CHECK(rtk_room_set_broadcast_tabs(w.room, ada, TRUE, NULL));
	recorder_clear(w.rec);

	/* the latest to enable takes over; the previous one is told, the others see it end */
	CHECK(rtk_room_set_broadcast_tabs(w.room, eve, TRUE, NULL));
	json_t *told = sent(w.rec, "ada", "broadcastTabChangesUpdate");
	CHECK(json_is_false(json_object_get(told, "broadcastTabChanges")));
	CHECK_EQ_STR(str(told, "reason"), "replaced");
	CHECK_EQ_STR(str(told, "participantId"), eve->id);
	CHECK_EQ_STR(str(sent(w.rec, "bob", "spotlightEnded"), "reason"), "replaced");
	CHECK_LINES(w.rec, "ada:broadcastTabChangesUpdate,eve:spotlightEnded,bob:spotlightEnded");
	CHECK(!ada->broadcast_tabs && eve->broadcast_tabs);
	json_t *spot = rtk_room_spotlight_json(w.room);   /* no tab yet */
	CHECK_EQ_STR(str(spot, "participantId"), eve->id);
	CHECK(json_is_null(json_object_get(spot, "tab")));
	json_decref(spot);
	CHECK(rtk_room_set_active_tab(w.room, ada, "plugin", "q", 2, NULL));   /* ada follows now */
	CHECK_LINES(w.rec, "");
	CHECK(rtk_room_set_active_tab(w.room, eve, "screenshare", "e", 2, NULL));
	CHECK_LINES(w.rec, "ada:activeTabUpdate,bob:activeTabUpdate");

	/* the spotlighter leaving ends it, before the others hear it left */
	rtk_room_leave(w.room, eve, "left");
	CHECK_EQ_STR(str(sent(w.rec, "bob", "spotlightEnded"), "reason"), "left");
	CHECK_LINES(w.rec, "eve:roomLeft,ada:spotlightEnded,bob:spotlightEnded,ada:participantLeft,bob:participantLeft");
	spot = rtk_room_spotlight_json(w.room);
	CHECK(json_is_null(spot));
	json_decref(spot);

	/* losing can_spotlight ends it too */
	CHECK(rtk_room_set_broadcast_tabs(w.room, ada, TRUE, NULL));
	CHECK_LINES(w.rec, "bob:activeTabUpdate");
	json_t *ids = json_pack("[s]", ada->id);
	json_t *partial = json_pack("{sb}", "can_spotlight", 0);
	CHECK(rtk_room_update_permissions(w.room, NULL, ids, partial, NULL));
	CHECK_EQ_STR(str(sent(w.rec, "ada", "broadcastTabChangesUpdate"), "reason"), "permissions");
	CHECK_EQ_STR(str(sent(w.rec, "bob", "spotlightEnded"), "reason"), "permissions");
	CHECK_LINES(w.rec, "ada:permissionsUpdate,ada:broadcastTabChangesUpdate,bob:spotlightEnded,ada!PERMISSIONS");
	CHECK_REFUSED(rtk_room_set_broadcast_tabs(w.room, ada, TRUE, &why_), RTK_ERR_NOT_PERMITTED);
	CHECK_LINES(w.rec, "");
	json_decref(ids);
	json_decref(partial);

	/* the meeting ending with a spotlight on leaves none behind */
	rtk_peer *hal = join(&w, "hal", "group_call_host", NULL);
	CHECK(rtk_room_set_broadcast_tabs(w.room, hal, TRUE, NULL));
	CHECK(rtk_room_end(w.room, hal, NULL));
	CHECK(w.room->spotlight_peer == NULL);
	world_clear(&w);
}

/* ---- connected meetings (connected.c) ---- */

static GPtrArray *user_list(const char *a, const char *b) {
	GPtrArray *list = g_ptr_array_new();
	g_ptr_array_add(list, (gpointer)a);
	if(b != NULL)
		g_ptr_array_add(list, (gpointer)b);
	return list;
}

/* Who may move whom: others need can_alter; oneself can_switch (to a child)
 * or can_switch_to_parent (to the parent); refusals name the permission. */
static void test_connected_rights(void) {
	rtk_peer *host = member("Host", "group_call_host", NULL);
	rtk_peer *guest = member("Guest", "group_call_participant", NULL);
	rtk_peer *switcher = member("Sw", "group_call_participant",
		"{\"connected_meetings\": {\"can_switch_connected_meetings\": true}}");
	rtk_peer *returner = member("Re", "group_call_participant",
		"{\"connected_meetings\": {\"can_switch_to_parent_meeting\": true}}");
	GPtrArray *others = user_list("u-Guest", "u-Sw");
	GPtrArray *self_guest = user_list("u-Guest", NULL), *self_sw = user_list("u-Sw", NULL);
	GPtrArray *self_re = user_list("u-Re", NULL), *self_host = user_list("u-Host", NULL);
	rtk_refusal why_ = { 0 };

	CHECK(rtk_connected_move_allowed(host, "p", "p", "c1", others, &why_));
	CHECK(rtk_connected_move_allowed(host, "p", "c1", "p", self_host, &why_));
	CHECK(rtk_connected_move_allowed(NULL, "p", "c1", "c2", others, &why_));   /* the server */
	/* a refusal names the permission it lacks */
	CHECK(!rtk_connected_move_allowed(guest, "p", "p", "c1", others, &why_));
	CHECK_EQ_STR(why_.code, RTK_ERR_NOT_PERMITTED);
	CHECK(strstr(why_.message, "can_alter_connected_meetings") != NULL);
	CHECK(!rtk_connected_move_allowed(guest, "p", "p", "c1", self_guest, &why_));
	CHECK(strstr(why_.message, "can_switch_connected_meetings") != NULL);
	CHECK(!rtk_connected_move_allowed(guest, "p", "c1", "p", self_guest, &why_));
	CHECK(strstr(why_.message, "can_switch_to_parent_meeting") != NULL);
	/* can_switch: between children and from the parent, not back to it */
	CHECK(rtk_connected_move_allowed(switcher, "p", "p", "c1", self_sw, &why_));
	CHECK(rtk_connected_move_allowed(switcher, "p", "c1", "c2", self_sw, &why_));
	CHECK_REFUSED(rtk_connected_move_allowed(switcher, "p", "c1", "p", self_sw, &why_), RTK_ERR_NOT_PERMITTED);
	/* ...nor anyone else */
	CHECK_REFUSED(rtk_connected_move_allowed(switcher, "p", "p", "c1", others, &why_), RTK_ERR_NOT_PERMITTED);
	/* can_switch_to_parent: only back */
	CHECK(rtk_connected_move_allowed(returner, "p", "c1", "p", self_re, &why_));
	CHECK_REFUSED(rtk_connected_move_allowed(returner, "p", "p", "c1", self_re, &why_), RTK_ERR_NOT_PERMITTED);
	/* nowhere: source = destination */
	CHECK_REFUSED(rtk_connected_move_allowed(host, "p", "c1", "c1", others, &why_), RTK_ERR_CONNECTED_INVALID);

	g_ptr_array_free(others, TRUE);
	g_ptr_array_free(self_guest, TRUE);
	g_ptr_array_free(self_sw, TRUE);
	g_ptr_array_free(self_re, TRUE);
	g_ptr_array_free(self_host, TRUE);
	rtk_peer_free(host);
	rtk_peer_free(guest);
	rtk_peer_free(switcher);
	rtk_peer_free(returner);
}

static void test_connected_meetings_valid(void) {
	rtk_refusal why_ = { 0 };
	json_t *ok = json_loads("[{\"title\": \"Room 1\"}, {\"title\": \"Room 2\"}]", 0, NULL);
	json_t *ok_ids = json_loads("[{\"id\": \"m-1\", \"title\": \"Room 1\"}]", 0, NULL);
	CHECK(rtk_connected_meetings_valid(ok, FALSE, &why_));
	CHECK(rtk_connected_meetings_valid(ok_ids, TRUE, &why_));
	CHECK_REFUSED(rtk_connected_meetings_valid(ok, TRUE, &why_), RTK_ERR_BAD_REQUEST);   /* no id */
	json_t *bad[] = {
		json_loads("[]", 0, NULL), json_loads("[{\"title\": \"\"}]", 0, NULL),
		json_loads("[{\"title\": 3}]", 0, NULL), json_loads("[\"Room\"]", 0, NULL), json_object(),
	};
	const char *codes[] = { RTK_ERR_CONNECTED_INVALID, RTK_ERR_CONNECTED_INVALID, RTK_ERR_BAD_REQUEST,
		RTK_ERR_BAD_REQUEST, RTK_ERR_BAD_REQUEST };
	for(size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		CHECK_REFUSED(rtk_connected_meetings_valid(bad[i], FALSE, &why_), codes[i]);
		json_decref(bad[i]);
	}
	json_t *many = json_array();
	for(int i = 0; i <= RTK_CONNECTED_MAX; i++)
		json_array_append_new(many, json_pack("{ss}", "title", "r"));
	CHECK_REFUSED(rtk_connected_meetings_valid(many, FALSE, &why_), RTK_ERR_CONNECTED_INVALID);
	char *long_title = g_strnfill(RTK_CONNECTED_TITLE_MAX + 1, 'x');
	json_t *too_long = json_pack("[{ss}]", "title", long_title);
	CHECK_REFUSED(rtk_connected_meetings_valid(too_long, FALSE, &why_), RTK_ERR_CONNECTED_INVALID);
	g_free(long_title);
	json_decref(too_long);
	json_decref(many);
	json_decref(ok);
	json_decref(ok_ids);
}

/* A move out: the moved one gets roomLeft connected-meeting with its
 * destination, the others participantLeft, the glue REMOVED; a second move
 * of the same user finds nobody. The family root follows parent_meeting_id. */
static void test_connected_move(void) {
	world w;
	world_init(&w);
	CHECK_EQ_STR(rtk_room_connected_root(w.room), "m-2");
	rtk_peer *host = join(&w, "Host", "group_call_host", NULL);
	join(&w, "Ada", "group_call_participant", NULL);
	join(&w, "Bob", "group_call_participant", "{\"hidden_participant\": true}");
	json_t *listed = rtk_room_connected_participants(w.room);
	CHECK_EQ_INT(json_array_size(listed), 2);   /* Bob is hidden */
	json_decref(listed);

	json_t *destination = json_pack("{ss ss sb}", "meetingId", "c-1", "token", "t0k", "isParent", 0);
	CHECK(rtk_room_move_user(w.room, "u-Ada", destination));
	CHECK_LINES(w.rec, "Ada:roomLeft,Host:participantLeft,Bob:participantLeft,Ada!REMOVED");
	CHECK(!rtk_room_move_user(w.room, "u-Ada", destination));
	CHECK_LINES(w.rec, "");
	json_decref(destination);
	CHECK_EQ_INT(rtk_room_size(w.room), 2);
	CHECK(rtk_room_find_user(w.room, "u-Host") == host);
	world_clear(&w);

	recorder *rec = recorder_new();
	rtk_room_sink sink = { record_event, rec, record_change };
	json_t *meeting = json_pack("{ss ss ss}", "id", "c-1", "title", "Room 1", "parent_meeting_id", "m-2");
	rtk_room *child = rtk_room_new(meeting, &sink);
	CHECK_EQ_STR(rtk_room_connected_root(child), "m-2");
	rtk_room_free(child);
	json_decref(meeting);
	recorder_free(rec);
}

/* broadcastMessage to other rooms of a family: everyone joined there (by
 * preset when given) gets it with the sender's meeting; one message against
 * the rate whatever the number of rooms. */
static void test_connected_broadcast(void) {
	world w;
	world_init(&w);
	rtk_peer *host = join(&w, "Host", "group_call_host", NULL);
	recorder *rec = recorder_new();
	rtk_room_sink sink = { record_event, rec, record_change };
	json_t *meeting = json_pack("{ss ss ss}", "id", "c-1", "title", "Room 1", "parent_meeting_id", "m-2");
	rtk_room *child = rtk_room_new(meeting, &sink);
	json_decref(rtk_room_join(child, member("Ann", "group_call_participant", NULL)));
	json_decref(rtk_room_join(child, member("Boss", "group_call_host", NULL)));
	recorder_clear(rec);
	json_t *payload = json_pack("{ss}", "message", "5 minutes");
	rtk_room *rooms[] = { child };
	rtk_refusal why_ = { 0 };
	CHECK_EQ_INT(rtk_room_broadcast_to_rooms(rooms, 1, w.room, host, "notice", payload, NULL, 1000, &why_), 2);
	CHECK_LINES(rec, "Ann:broadcastedMessage,Boss:broadcastedMessage");
	CHECK_LINES(w.rec, "");
	json_t *got = NULL;
	CHECK_EQ_INT(rtk_room_broadcast_to_rooms(rooms, 1, w.room, host, "notice", payload, "group_call_host", 1000,
		&why_), 1);
	got = sent(rec, "Boss", "broadcastedMessage");
	CHECK_EQ_STR(str(got, "meetingId"), "m-2");
	CHECK_EQ_STR(str(got, "senderId"), host->id);
	recorder_clear(rec);
	for(int i = 2; i < RTK_BROADCAST_PER_SECOND; i++)
		CHECK(rtk_room_broadcast_to_rooms(rooms, 1, w.room, host, "notice", payload, NULL, 1000, &why_) >= 0);
	CHECK_EQ_INT(rtk_room_broadcast_to_rooms(rooms, 1, w.room, host, "notice", payload, NULL, 1000, &why_), -1);
	CHECK_EQ_STR(why_.code, RTK_ERR_RATE_LIMITED);
	json_decref(payload);
	rtk_room_free(child);
	json_decref(meeting);
	recorder_free(rec);
	world_clear(&w);
}

int main(void) {
	UNIT_RUN(test_permissions_parse);
	UNIT_RUN(test_join_and_leave_events);
	UNIT_RUN(test_bad_inputs);
	UNIT_RUN(test_waiting_room_skip);
	UNIT_RUN(test_waiting_room_on_privileged_entry);
	UNIT_RUN(test_waiting_room_skip_on_accept);
	UNIT_RUN(test_stage_webinar_flow);
	UNIT_RUN(test_stage_mirror);
	UNIT_RUN(test_stage_deny_and_cancel);
	UNIT_RUN(test_stage_refusals);
	UNIT_RUN(test_disable_media);
	UNIT_RUN(test_kick_kick_all_and_end);
	UNIT_RUN(test_pins);
	UNIT_RUN(test_update_permissions);
	UNIT_RUN(test_update_permissions_stage);
	UNIT_RUN(test_hidden_participant);
	UNIT_RUN(test_no_participant_list);
	UNIT_RUN(test_remove_user);
	UNIT_RUN(test_apply_preset);
	UNIT_RUN(test_broadcast_message);
	UNIT_RUN(test_prejoin);
	UNIT_RUN(test_spotlight_follow);
	UNIT_RUN(test_spotlight_takeover_and_end);
	UNIT_RUN(test_connected_rights);
	UNIT_RUN(test_connected_meetings_valid);
	UNIT_RUN(test_connected_move);
	UNIT_RUN(test_connected_broadcast);
	return UNIT_DONE();
}
