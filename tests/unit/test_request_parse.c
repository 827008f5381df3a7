/*
 * test_request_parse.c - unit tests of what the plugin reads from a
 * client's signalling without Janus: request bodies
 * (plugin/model/request_parse.c) and the m-lines of a publisher's offer with the
 * request's descriptions (plugin/model/offer_plan.c). The error codes and
 * messages are those a client gets (docs/protocol.md); the integration
 * tests check the same refusals over a real Janus.
 */
#include <string.h>
#include <jansson.h>

#include "request_parse.h"
#include "offer_plan.h"
#include "unit.h"

/* Parses `text` on a handle in role `on`; the body stays alive in *body (json_decref). */
static gboolean parse(const char *text, rtk_request_handle on, rtk_request *req, json_t **body) {
	*body = json_loads(text, JSON_DECODE_ANY, NULL);
	CHECK_NOT_NULL(*body);
	return rtk_request_parse(*body, on, req);
}

/* `text` names a known request whose fields are wrong: `code`, `message`. */
static void check_field_error(const char *text, rtk_request_handle on, const char *code, const char *message) {
	rtk_request req;
	json_t *body;
	CHECK(parse(text, on, &req, &body));
	CHECK_EQ_STR(req.error.code, code);
	CHECK_EQ_STR(req.error.message, message);
	json_decref(body);
}

/* `text` is fine: returns its request (the body in *body). */
static rtk_request fine(const char *text, rtk_request_handle on, json_t **body) {
	rtk_request req;
	CHECK(parse(text, on, &req, body));
	CHECK_NULL(req.error.code);
	if(req.error.code != NULL)
		fprintf(stderr, "\t%s: %s %s\n", text, req.error.code, req.error.message);
	return req;
}

static void test_envelope(void) {
	static const char *not_requests[] = { "[]", "\"join\"", "{}", "{\"request\":5}", "{\"request\":null}" };
	rtk_request req;
	json_t *body;
	for(size_t i = 0; i < G_N_ELEMENTS(not_requests); i++) {
		CHECK(!parse(not_requests[i], RTK_REQUEST_ON_MAIN, &req, &body));
		CHECK_EQ_STR(req.error.code, RTK_ERR_BAD_REQUEST);
		CHECK_EQ_STR(req.error.message, "body must be a JSON object with a string 'request'");
		json_decref(body);
	}
	CHECK(!parse("{\"request\":\"chat.send\"}", RTK_REQUEST_ON_MAIN, &req, &body));
	CHECK_EQ_STR(req.error.code, RTK_ERR_UNKNOWN_REQUEST);
	CHECK_EQ_STR(req.error.message, "unknown request 'chat.send'");
	json_decref(body);
	/* Every request is known by its name. */
	for(int kind = 0; kind < RTK_REQ_COUNT; kind++) {
		char *text = g_strdup_printf("{\"request\":\"%s\"}", rtk_request_name(kind));
		CHECK(parse(text, RTK_REQUEST_ON_NEW, &req, &body));
		CHECK_EQ_INT(req.kind, kind);
		CHECK_EQ_STR(req.name, rtk_request_name(kind));
		json_decref(body);
		g_free(text);
	}
	CHECK_NULL(rtk_request_name(RTK_REQ_COUNT));
}

/* join's optional "name" (self.setName before join). */
static void test_join_name(void) {
	json_t *body;
	rtk_request req = fine("{\"request\":\"join\",\"token\":\"t\"}", RTK_REQUEST_ON_NEW, &body);
	CHECK_NULL(req.display_name);
	json_decref(body);
	req = fine("{\"request\":\"join\",\"token\":\"t\",\"name\":null}", RTK_REQUEST_ON_NEW, &body);
	CHECK_NULL(req.display_name);
	json_decref(body);
	req = fine("{\"request\":\"join\",\"token\":\"t\",\"name\":\"Ada L.\"}", RTK_REQUEST_ON_NEW, &body);
	CHECK_EQ_STR(req.display_name, "Ada L.");
	json_decref(body);
	static const char *const bad[] = { "\"\"", "7", "[\"Ada\"]", "true" };
	for(size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		char *text = g_strdup_printf("{\"request\":\"join\",\"name\":%s}", bad[i]);
		check_field_error(text, RTK_REQUEST_ON_NEW, RTK_ERR_BAD_REQUEST,
			"field 'name' must be a non-empty string of at most 1024 bytes");
		g_free(text);
	}
	char *longest = g_strnfill(RTK_DISPLAY_NAME_MAX, 'n');
	char *text = g_strdup_printf("{\"request\":\"join\",\"name\":\"%s\"}", longest);
	req = fine(text, RTK_REQUEST_ON_NEW, &body);
	CHECK_EQ_INT((int)strlen(req.display_name), RTK_DISPLAY_NAME_MAX);
	json_decref(body);
	g_free(text);
	text = g_strdup_printf("{\"request\":\"join\",\"name\":\"%sn\"}", longest);
	check_field_error(text, RTK_REQUEST_ON_NEW, RTK_ERR_BAD_REQUEST,
		"field 'name' must be a non-empty string of at most 1024 bytes");
	g_free(text);
	g_free(longest);
}

/* join's optional "origin" (a client following 0807: never on a cascade edge). */
static void test_join_origin(void) {
	json_t *body;
	rtk_request req = fine("{\"request\":\"join\",\"token\":\"t\"}", RTK_REQUEST_ON_NEW, &body);
	CHECK(!req.origin);
	json_decref(body);
	req = fine("{\"request\":\"join\",\"token\":\"t\",\"origin\":true}", RTK_REQUEST_ON_NEW, &body);
	CHECK(req.origin);
	json_decref(body);
	req = fine("{\"request\":\"join\",\"token\":\"t\",\"origin\":false,\"name\":\"Ada\"}", RTK_REQUEST_ON_NEW, &body);
	CHECK(!req.origin);
	CHECK_EQ_STR(req.display_name, "Ada");
	json_decref(body);
	static const char *const bad[] = { "\"yes\"", "1", "null", "{}" };
	for(size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		char *text = g_strdup_printf("{\"request\":\"join\",\"origin\":%s}", bad[i]);
		check_field_error(text, RTK_REQUEST_ON_NEW, RTK_ERR_BAD_REQUEST, "field 'origin' must be a boolean");
		g_free(text);
	}
}

static void test_targets(void) {
	json_t *body;
	check_field_error("{\"request\":\"participant.kick\"}", RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST,
		"field 'participantId' (a participant id string) is required");
	check_field_error("{\"request\":\"participant.pin\",\"participantId\":\"\"}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, "field 'participantId' (a participant id string) is required");
	check_field_error("{\"request\":\"participants.acceptWaitingRoomRequest\",\"id\":7}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, "field 'id' (a participant id string) is required");
	rtk_request req = fine("{\"request\":\"participants.rejectWaitingRoomRequest\",\"id\":\"p1\"}",
		RTK_REQUEST_ON_MAIN, &body);
	CHECK_EQ_STR(req.target, "p1");
	json_decref(body);
}

static void test_flags(void) {
	json_t *body;
	/* The target is checked before the flag. */
	check_field_error("{\"request\":\"participant.disableAudio\",\"allowUnmute\":\"yes\"}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, "field 'participantId' (a participant id string) is required");
	check_field_error("{\"request\":\"participant.disableAudio\",\"participantId\":\"p\",\"allowUnmute\":1}",
		RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST, "field 'allowUnmute' must be a boolean");
	/* allowUnmute defaults to true for one participant, false for all. */
	rtk_request req = fine("{\"request\":\"participant.disableVideo\",\"participantId\":\"p\"}", RTK_REQUEST_ON_MAIN, &body);
	CHECK(req.allow_unmute);
	json_decref(body);
	req = fine("{\"request\":\"participants.disableAllAudio\"}", RTK_REQUEST_ON_MAIN, &body);
	CHECK(!req.allow_unmute);
	json_decref(body);
	req = fine("{\"request\":\"participants.disableAllVideo\",\"allowUnmute\":true}", RTK_REQUEST_ON_MAIN, &body);
	CHECK(req.allow_unmute);
	json_decref(body);
}

static void test_id_lists(void) {
	json_t *body;
	check_field_error("{\"request\":\"stage.grantAccess\",\"userIds\":[]}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, "field 'userIds' (a non-empty array of id strings) is required");
	check_field_error("{\"request\":\"stage.kick\",\"userIds\":[\"u\",1]}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, "field 'userIds' (a non-empty array of id strings) is required");
	check_field_error("{\"request\":\"participants.updatePermissions\",\"permissions\":{}}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, "field 'participantIds' (a non-empty array of id strings) is required");
	check_field_error("{\"request\":\"participants.updatePermissions\",\"participantIds\":[\"p\"],\"permissions\":[]}",
		RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST, "field 'permissions' (an object) is required");
	rtk_request req = fine("{\"request\":\"participants.updatePermissions\",\"participantIds\":[\"p\",\"q\"],"
		"\"permissions\":{\"can_record\":true}}", RTK_REQUEST_ON_MAIN, &body);
	CHECK_EQ_INT(json_array_size(req.ids), 2);
	CHECK(json_is_true(json_object_get(req.permissions, "can_record")));
	json_decref(body);
}

/* configure means media switches on a main handle, layers on a subscriber handle. */
static void test_configure(void) {
	json_t *body;
	check_field_error("{\"request\":\"configure\",\"video\":1}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, "field 'video' must be a boolean");
	rtk_request req = fine("{\"request\":\"configure\",\"video\":1}", RTK_REQUEST_ON_SUBSCRIBER, &body);
	CHECK_EQ_INT(req.substream, -1);
	json_decref(body);
	req = fine("{\"request\":\"configure\",\"audio\":false,\"screenshare\":true}", RTK_REQUEST_ON_MAIN, &body);
	CHECK_EQ_INT(req.media[RTK_MEDIA_AUDIO], 0);
	CHECK_EQ_INT(req.media[RTK_MEDIA_VIDEO], -1);
	CHECK_EQ_INT(req.media[RTK_MEDIA_SCREENSHARE], 1);
	json_decref(body);
	check_field_error("{\"request\":\"configure\",\"mid\":\"1\",\"substream\":\"2\"}", RTK_REQUEST_ON_SUBSCRIBER,
		RTK_ERR_BAD_REQUEST, "fields 'substream' and 'temporal' must be integers 0-2");
	req = fine("{\"request\":\"configure\",\"mid\":\"1\",\"substream\":\"2\"}", RTK_REQUEST_ON_MAIN, &body);
	json_decref(body);
	req = fine("{\"request\":\"configure\",\"mid\":\"3\",\"temporal\":1}", RTK_REQUEST_ON_SUBSCRIBER, &body);
	CHECK_EQ_STR(req.mid, "3");
	CHECK_EQ_INT(req.substream, -1);
	CHECK_EQ_INT(req.temporal, 1);
	json_decref(body);
	/* Before joining, configure's fields are not read (the answer is "join first"). */
	req = fine("{\"request\":\"configure\",\"video\":1,\"substream\":\"x\"}", RTK_REQUEST_ON_NEW, &body);
	json_decref(body);
}

static void test_views(void) {
	json_t *body;
	check_field_error("{\"request\":\"participants.setViewMode\",\"viewMode\":\"GRID\"}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, "field 'viewMode' must be \"ACTIVE_GRID\" or \"PAGINATED\"");
	check_field_error("{\"request\":\"participants.setPage\",\"page\":1.5}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, "field 'page' (an integer from 1) is required");
	check_field_error("{\"request\":\"participants.setMaxActiveParticipantsCount\"}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, "field 'count' (an integer from 1) is required");
	rtk_request req = fine("{\"request\":\"participants.setViewMode\",\"viewMode\":\"PAGINATED\"}", RTK_REQUEST_ON_MAIN, &body);
	CHECK_EQ_INT(req.view_mode, RTK_VIEW_PAGINATED);
	json_decref(body);
	req = fine("{\"request\":\"participants.setPage\",\"page\":-3}", RTK_REQUEST_ON_MAIN, &body);
	CHECK_EQ_INT(req.page, -3);   /* the view rules refuse it (view.h) */
	json_decref(body);
}

static void test_recording(void) {
	json_t *body;
	/* allowMultiple is checked before the config. */
	check_field_error("{\"request\":\"recording.start\",\"allowMultiple\":\"no\",\"config\":5}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, "field 'allowMultiple' must be a boolean");
	check_field_error("{\"request\":\"recording.start\",\"config\":{\"videoConfig\":{\"width\":4000}}}",
		RTK_REQUEST_ON_MAIN, RTK_ERR_RECORDING_CONFIG, "videoConfig.width and height must be integers 1..1920");
	/* an RTMP push is the API key's (REST) only */
	check_field_error("{\"request\":\"recording.start\",\"config\":{\"live_streaming_config\":"
		"{\"rtmp_url\":\"rtmp://a/live\"}}}", RTK_REQUEST_ON_MAIN, RTK_ERR_RECORDING_CONFIG,
		"live_streaming_config needs the REST API with the API key");
	check_field_error("{\"request\":\"recording.start\",\"config\":{\"videoConfig\":{\"watermark\":"
		"{\"url\":\"http://10.0.0.1/logo.png\"}}}}", RTK_REQUEST_ON_MAIN, RTK_ERR_RECORDING_CONFIG,
		"a participant's watermark must be a data: URI; an http(s) one needs the REST API with the API key");
	rtk_request req = fine("{\"request\":\"recording.start\",\"allowMultiple\":true,\"config\":{\"videoConfig\":"
		"{\"codec\":\"VP8\",\"width\":640},\"fileNamePrefix\":\"take-1\"}}", RTK_REQUEST_ON_MAIN, &body);
	CHECK(req.allow_multiple && req.config.vp8);
	CHECK_EQ_INT(req.config.width, 640);
	CHECK_EQ_INT(req.config.height, 720);
	CHECK_EQ_STR(req.config.file_name_prefix, "take-1");
	json_decref(body);
	check_field_error("{\"request\":\"recording.pause\",\"id\":5}", RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST,
		"field 'id' must be a recording id string (or absent: all recordings)");
	req = fine("{\"request\":\"recording.stop\",\"id\":null}", RTK_REQUEST_ON_MAIN, &body);
	CHECK_NULL(req.recording_id);
	json_decref(body);
	req = fine("{\"request\":\"recording.resume\",\"id\":\"r1\"}", RTK_REQUEST_ON_MAIN, &body);
	CHECK_EQ_STR(req.recording_id, "r1");
	json_decref(body);
}

/* ---- publisher offers ---- */

static const gboolean all_kinds[RTK_MEDIA_KINDS] = { TRUE, TRUE, TRUE };

#define LINE(m, mid_) { .media = (m), .port = 9, .sends = TRUE, .mid = (mid_), .has_codec = TRUE }

static void test_offer_browser(void) {
	/* Microphone and camera; then a screenshare on a third m-line. */
	rtk_offer_mline lines[] = { LINE(RTK_OFFER_AUDIO, "0"), LINE(RTK_OFFER_VIDEO, "1"), LINE(RTK_OFFER_VIDEO, "2"),
		LINE(RTK_OFFER_OTHER, "3") };
	rtk_offer_plan(lines, G_N_ELEMENTS(lines), NULL, all_kinds);
	CHECK(lines[0].accept && lines[0].kind == RTK_MEDIA_AUDIO);
	CHECK(lines[1].accept && lines[1].kind == RTK_MEDIA_VIDEO);
	CHECK(lines[2].accept && lines[2].kind == RTK_MEDIA_SCREENSHARE);
	CHECK(!lines[3].accept);   /* a data channel */
	CHECK_EQ_STR(rtk_offer_codec(RTK_OFFER_AUDIO), "opus");
	CHECK_EQ_STR(rtk_offer_codec(RTK_OFFER_VIDEO), "vp8");
	CHECK_NULL(rtk_offer_codec(RTK_OFFER_OTHER));
}

static void test_offer_descriptions(void) {
	/* The client says the first video m-line is its screen. */
	json_t *descriptions = json_loads("[{\"mid\":\"1\",\"type\":\"screenshare\"},{\"mid\":7},5,"
		"{\"mid\":\"2\",\"type\":\"video\"}]", 0, NULL);
	rtk_offer_mline lines[] = { LINE(RTK_OFFER_VIDEO, "1"), LINE(RTK_OFFER_VIDEO, "2"), LINE(RTK_OFFER_VIDEO, NULL) };
	rtk_offer_plan(lines, G_N_ELEMENTS(lines), descriptions, all_kinds);
	CHECK(lines[0].accept && lines[0].kind == RTK_MEDIA_SCREENSHARE);
	CHECK(lines[1].accept && lines[1].kind == RTK_MEDIA_VIDEO);
	CHECK(!lines[2].accept);   /* both video kinds are taken */
	/* Described twice as the camera: only the first is taken. */
	json_decref(descriptions);
	descriptions = json_loads("[{\"mid\":\"1\",\"type\":\"video\"},{\"mid\":\"2\",\"type\":\"video\"}]", 0, NULL);
	rtk_offer_mline twice[] = { LINE(RTK_OFFER_VIDEO, "1"), LINE(RTK_OFFER_VIDEO, "2") };
	rtk_offer_plan(twice, G_N_ELEMENTS(twice), descriptions, all_kinds);
	CHECK(twice[0].accept && twice[0].kind == RTK_MEDIA_VIDEO);
	CHECK(!twice[1].accept && twice[1].kind == RTK_MEDIA_VIDEO);
	json_decref(descriptions);
}

static void test_offer_refusals(void) {
	rtk_offer_mline lines[] = { LINE(RTK_OFFER_AUDIO, "0"), LINE(RTK_OFFER_AUDIO, "1"), LINE(RTK_OFFER_VIDEO, "2"),
		LINE(RTK_OFFER_VIDEO, "3"), LINE(RTK_OFFER_VIDEO, "4") };
	lines[0].port = 0;             /* rejected m-line */
	lines[2].sends = FALSE;        /* recvonly */
	lines[3].has_codec = FALSE;    /* no VP8 */
	rtk_offer_plan(lines, G_N_ELEMENTS(lines), NULL, all_kinds);
	CHECK(!lines[0].accept);
	CHECK(lines[1].accept && lines[1].kind == RTK_MEDIA_AUDIO);
	CHECK(!lines[2].accept && !lines[3].accept);
	CHECK(lines[4].accept && lines[4].kind == RTK_MEDIA_VIDEO);
	/* A kind the preset does not allow is not taken; undescribed video stays the camera. */
	const gboolean no_camera[RTK_MEDIA_KINDS] = { TRUE, FALSE, TRUE };
	rtk_offer_mline video[] = { LINE(RTK_OFFER_VIDEO, "0"), LINE(RTK_OFFER_VIDEO, "1") };
	rtk_offer_plan(video, G_N_ELEMENTS(video), NULL, no_camera);
	CHECK(!video[0].accept && !video[1].accept);
	json_t *screen = json_loads("[{\"mid\":\"1\",\"type\":\"screenshare\"}]", 0, NULL);
	rtk_offer_plan(video, G_N_ELEMENTS(video), screen, no_camera);
	CHECK(!video[0].accept);
	CHECK(video[1].accept && video[1].kind == RTK_MEDIA_SCREENSHARE);
	json_decref(screen);
}

/* participants.broadcastMessage: type, payload, one target at most. */
static void test_broadcast(void) {
	json_t *body;
	const char *bad_type = "field 'type' must be a non-empty string of at most 64 bytes";
	check_field_error("{\"request\":\"participants.broadcastMessage\",\"payload\":{}}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, bad_type);
	check_field_error("{\"request\":\"participants.broadcastMessage\",\"type\":\"\",\"payload\":{}}",
		RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST, bad_type);
	char *long_type = g_strdup_printf("{\"request\":\"participants.broadcastMessage\",\"type\":\"%065d\","
		"\"payload\":{}}", 0);
	check_field_error(long_type, RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST, bad_type);
	g_free(long_type);
	const char *bad_payload = "field 'payload' must be an object of at most 16384 bytes as JSON";
	check_field_error("{\"request\":\"participants.broadcastMessage\",\"type\":\"t\"}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, bad_payload);
	check_field_error("{\"request\":\"participants.broadcastMessage\",\"type\":\"t\",\"payload\":\"hi\"}",
		RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST, bad_payload);
	char *big = g_strdup_printf("{\"request\":\"participants.broadcastMessage\",\"type\":\"t\","
		"\"payload\":{\"x\":\"%016380d\"}}", 0);   /* {"x":"..."}: 16388 bytes */
	check_field_error(big, RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST, bad_payload);
	g_free(big);
	check_field_error("{\"request\":\"participants.broadcastMessage\",\"type\":\"t\",\"payload\":{},"
		"\"participantIds\":[\"p\"],\"presetName\":\"x\"}", RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST,
		"give 'participantIds' or 'presetName', not both");
	check_field_error("{\"request\":\"participants.broadcastMessage\",\"type\":\"t\",\"payload\":{},"
		"\"participantIds\":[]}", RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST,
		"field 'participantIds' (a non-empty array of id strings) is required");
	check_field_error("{\"request\":\"participants.broadcastMessage\",\"type\":\"t\",\"payload\":{},"
		"\"presetName\":7}", RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST, "field 'presetName' must be a non-empty string");

	rtk_request req = fine("{\"request\":\"participants.broadcastMessage\",\"type\":\"reaction\","
		"\"payload\":{\"emoji\":\"wave\"}}", RTK_REQUEST_ON_MAIN, &body);
	CHECK_EQ_INT(req.kind, RTK_REQ_BROADCAST_MESSAGE);
	CHECK_EQ_STR(req.message_type, "reaction");
	CHECK_EQ_STR(json_string_value(json_object_get(req.payload, "emoji")), "wave");
	CHECK_NULL(req.ids);
	CHECK_NULL(req.preset_name);
	json_decref(body);
	req = fine("{\"request\":\"participants.broadcastMessage\",\"type\":\"t\",\"payload\":{},"
		"\"presetName\":\"webinar_viewer\"}", RTK_REQUEST_ON_MAIN, &body);
	CHECK_EQ_STR(req.preset_name, "webinar_viewer");
	json_decref(body);
	req = fine("{\"request\":\"participants.broadcastMessage\",\"type\":\"t\",\"payload\":{},"
		"\"participantIds\":[\"p\",\"q\"]}", RTK_REQUEST_ON_MAIN, &body);
	CHECK_EQ_INT(json_array_size(req.ids), 2);
	json_decref(body);
	/* meetingIds: to other meetings of the family, with presetName or not, never with participantIds */
	rtk_request to_rooms = fine("{\"request\":\"participants.broadcastMessage\",\"type\":\"t\",\"payload\":{},"
		"\"meetingIds\":[\"m1\",\"m2\"],\"presetName\":\"group_call_host\"}", RTK_REQUEST_ON_MAIN, &body);
	CHECK_EQ_INT(json_array_size(to_rooms.meeting_ids), 2);
	CHECK_EQ_STR(to_rooms.preset_name, "group_call_host");
	CHECK_NULL(to_rooms.ids);
	json_decref(body);
	check_field_error("{\"request\":\"participants.broadcastMessage\",\"type\":\"t\",\"payload\":{},"
		"\"meetingIds\":[\"m1\"],\"participantIds\":[\"p\"]}", RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST,
		"give 'participantIds' or 'meetingIds', not both");
	check_field_error("{\"request\":\"participants.broadcastMessage\",\"type\":\"t\",\"payload\":{},"
		"\"meetingIds\":[]}", RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST,
		"field 'meetingIds' (a non-empty array of id strings) is required");
}

/* polls.create and polls.vote: types here, limits in the room model. */
static void test_polls(void) {
	json_t *body;
	const char *bad_question = "field 'question' (a string) is required";
	check_field_error("{\"request\":\"polls.create\",\"options\":[\"a\",\"b\"]}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, bad_question);
	check_field_error("{\"request\":\"polls.create\",\"question\":7,\"options\":[\"a\",\"b\"]}",
		RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST, bad_question);
	const char *bad_options = "field 'options' (an array of strings) is required";
	check_field_error("{\"request\":\"polls.create\",\"question\":\"Q\"}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, bad_options);
	check_field_error("{\"request\":\"polls.create\",\"question\":\"Q\",\"options\":\"a,b\"}",
		RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST, bad_options);
	check_field_error("{\"request\":\"polls.create\",\"question\":\"Q\",\"options\":[\"a\",null]}",
		RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST, bad_options);
	check_field_error("{\"request\":\"polls.create\",\"question\":\"Q\",\"options\":[\"a\",\"b\"],"
		"\"anonymous\":\"yes\"}", RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST, "field 'anonymous' must be a boolean");
	check_field_error("{\"request\":\"polls.create\",\"question\":\"Q\",\"options\":[\"a\",\"b\"],"
		"\"hideVotes\":1}", RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST, "field 'hideVotes' must be a boolean");

	rtk_request req = fine("{\"request\":\"polls.create\",\"question\":\"Lunch?\",\"options\":[\"Pizza\",\"Sushi\"]}",
		RTK_REQUEST_ON_MAIN, &body);
	CHECK_EQ_INT(req.kind, RTK_REQ_POLL_CREATE);
	CHECK_EQ_STR(req.question, "Lunch?");
	CHECK_EQ_INT(json_array_size(req.options), 2);
	CHECK(!req.anonymous && !req.hide_votes);
	json_decref(body);
	/* an empty question or one option is the model's refusal (0704), not a parse error */
	req = fine("{\"request\":\"polls.create\",\"question\":\"\",\"options\":[\"a\"],\"anonymous\":true,"
		"\"hideVotes\":true}", RTK_REQUEST_ON_MAIN, &body);
	CHECK_EQ_STR(req.question, "");
	CHECK(req.anonymous && req.hide_votes);
	json_decref(body);

	const char *bad_id = "field 'pollId' (a poll id string) is required";
	check_field_error("{\"request\":\"polls.vote\",\"index\":0}", RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST, bad_id);
	check_field_error("{\"request\":\"polls.vote\",\"pollId\":\"\",\"index\":0}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, bad_id);
	check_field_error("{\"request\":\"polls.vote\",\"pollId\":[\"p\"],\"index\":0}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, bad_id);
	const char *bad_index = "field 'index' (the option's index, an integer from 0) is required";
	check_field_error("{\"request\":\"polls.vote\",\"pollId\":\"p\"}", RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST,
		bad_index);
	check_field_error("{\"request\":\"polls.vote\",\"pollId\":\"p\",\"index\":\"0\"}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, bad_index);
	check_field_error("{\"request\":\"polls.vote\",\"pollId\":\"p\",\"index\":1.5}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, bad_index);
	req = fine("{\"request\":\"polls.vote\",\"pollId\":\"p-1\",\"index\":-3}", RTK_REQUEST_ON_MAIN, &body);
	CHECK_EQ_INT(req.kind, RTK_REQ_POLL_VOTE);
	CHECK_EQ_STR(req.poll_id, "p-1");
	CHECK_EQ_INT(req.index, -3);   /* out of range: the model's 0703 */
	CHECK_NULL(req.question);
	json_decref(body);
}

/* chat.*: types and shapes here; lengths, rights and ids in the chat model. */
static void test_chat(void) {
	json_t *body;
	check_field_error("{\"request\":\"chat.sendMessage\"}", RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST,
		"field 'message' must be an object with a string 'type'");
	check_field_error("{\"request\":\"chat.sendMessage\",\"message\":\"hi\"}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, "field 'message' must be an object with a string 'type'");
	check_field_error("{\"request\":\"chat.sendMessage\",\"message\":{\"type\":\"video\"}}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, "message type must be 'text', 'image' or 'file'");
	check_field_error("{\"request\":\"chat.sendMessage\",\"message\":{\"type\":\"text\",\"message\":7}}",
		RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST, "a text message needs a string 'message'");
	check_field_error("{\"request\":\"chat.sendMessage\",\"message\":{\"type\":\"image\"}}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, "field 'fileId' (a non-empty string) is required");
	check_field_error("{\"request\":\"chat.sendMessage\",\"message\":{\"type\":\"text\",\"message\":\"x\"},"
		"\"participantIds\":[\"p\"],\"channelId\":\"c\"}", RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST,
		"give 'participantIds' or 'channelId', not both");
	check_field_error("{\"request\":\"chat.sendMessage\",\"message\":{\"type\":\"text\",\"message\":\"x\"},"
		"\"participantIds\":[1]}", RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST,
		"field 'participantIds' (a non-empty array of id strings) is required");
	check_field_error("{\"request\":\"chat.getMessages\",\"size\":0}", RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST,
		"field 'size' must be an integer from 1 to 100");
	check_field_error("{\"request\":\"chat.getMessages\",\"timestamp\":-5}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, "field 'timestamp' must be an integer from 0 to 9223372036854775807");
	check_field_error("{\"request\":\"chat.getMessages\",\"reversed\":\"yes\"}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, "field 'reversed' must be a boolean");
	check_field_error("{\"request\":\"chat.searchMessages\",\"query\":\"\"}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, "field 'query' (a non-empty string) is required");
	char *long_query = g_strdup_printf("{\"request\":\"chat.searchMessages\",\"query\":\"%0257d\"}", 0);
	check_field_error(long_query, RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST, "field 'query' has at most 256 bytes");
	g_free(long_query);
	check_field_error("{\"request\":\"chat.createChannel\",\"name\":\"x\"}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, "field 'memberIds' must be an array of participant id strings");
	check_field_error("{\"request\":\"chat.createChannel\",\"name\":\"x\",\"memberIds\":[],"
		"\"visibility\":\"secret\"}", RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST,
		"field 'visibility' must be 'public' or 'private'");
	check_field_error("{\"request\":\"chat.markLastReadMessage\",\"channelId\":\"c\"}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, "field 'messageId' (a non-empty string) is required");
	check_field_error("{\"request\":\"chat.pin\",\"messageId\":null}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, "field 'messageId' (a non-empty string) is required");

	rtk_request req = fine("{\"request\":\"chat.sendMessage\",\"message\":{\"type\":\"text\",\"message\":\"hi\"},"
		"\"participantIds\":[\"p\"]}", RTK_REQUEST_ON_MAIN, &body);
	CHECK_EQ_INT(req.kind, RTK_REQ_CHAT_SEND);
	CHECK_EQ_INT(req.chat.content.kind, RTK_CHAT_TEXT);
	CHECK_EQ_STR(req.chat.content.text, "hi");
	CHECK_EQ_INT(json_array_size(req.chat.participant_ids), 1);
	CHECK_NULL(req.chat.channel_id);
	json_decref(body);
	req = fine("{\"request\":\"chat.editMessage\",\"messageId\":\"m\",\"message\":{\"type\":\"file\","
		"\"fileId\":\"f\"}}", RTK_REQUEST_ON_MAIN, &body);
	CHECK_EQ_INT(req.chat.content.kind, RTK_CHAT_FILE);
	CHECK_EQ_STR(req.chat.file_id, "f");
	CHECK_EQ_STR(req.chat.message_id, "m");
	json_decref(body);
	req = fine("{\"request\":\"chat.getMessages\"}", RTK_REQUEST_ON_MAIN, &body);
	CHECK_EQ_INT(req.chat.timestamp, -1);
	CHECK_EQ_INT(req.chat.size, RTK_CHAT_PAGE_DEFAULT);
	CHECK(req.chat.reversed);
	CHECK_EQ_INT(req.chat.offset, 0);
	json_decref(body);
	req = fine("{\"request\":\"chat.createChannel\",\"name\":\"side\",\"memberIds\":[],\"isDirectMessage\":true}",
		RTK_REQUEST_ON_MAIN, &body);
	CHECK_EQ_STR(req.chat.name, "side");
	CHECK_EQ_INT(json_array_size(req.chat.member_ids), 0);
	CHECK(req.chat.direct);
	json_decref(body);
	req = fine("{\"request\":\"chat.updateChannel\",\"channelId\":\"c\"}", RTK_REQUEST_ON_MAIN, &body);
	CHECK_NULL(req.chat.member_ids);
	CHECK_NULL(req.chat.name);
	json_decref(body);
}

/* meta.setBroadcastTabChanges {enabled}; meta.setSelfActiveTab {tab: {type, id?}}. */
static void test_spotlight(void) {
	json_t *body;
	const char *bad_enabled = "field 'enabled' (a boolean) is required";
	check_field_error("{\"request\":\"meta.setBroadcastTabChanges\"}", RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST,
		bad_enabled);
	check_field_error("{\"request\":\"meta.setBroadcastTabChanges\",\"enabled\":1}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, bad_enabled);
	rtk_request req = fine("{\"request\":\"meta.setBroadcastTabChanges\",\"enabled\":true}", RTK_REQUEST_ON_MAIN, &body);
	CHECK_EQ_INT(req.kind, RTK_REQ_SET_BROADCAST_TABS);
	CHECK(req.enabled);
	json_decref(body);
	req = fine("{\"request\":\"meta.setBroadcastTabChanges\",\"enabled\":false}", RTK_REQUEST_ON_MAIN, &body);
	CHECK(!req.enabled);
	json_decref(body);

	const char *bad_tab = "field 'tab' (an object {type, id}) is required";
	check_field_error("{\"request\":\"meta.setSelfActiveTab\"}", RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST, bad_tab);
	check_field_error("{\"request\":\"meta.setSelfActiveTab\",\"tab\":\"plugin\"}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, bad_tab);
	const char *bad_type = "field 'tab.type' must be a non-empty string of at most 32 bytes";
	check_field_error("{\"request\":\"meta.setSelfActiveTab\",\"tab\":{\"id\":\"x\"}}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, bad_type);
	check_field_error("{\"request\":\"meta.setSelfActiveTab\",\"tab\":{\"type\":\"\"}}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, bad_type);
	char *text = g_strdup_printf("{\"request\":\"meta.setSelfActiveTab\",\"tab\":{\"type\":\"%033d\"}}", 0);
	check_field_error(text, RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST, bad_type);
	g_free(text);
	const char *bad_id = "field 'tab.id' must be a string of at most 128 bytes, or null";
	check_field_error("{\"request\":\"meta.setSelfActiveTab\",\"tab\":{\"type\":\"plugin\",\"id\":7}}",
		RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST, bad_id);
	text = g_strdup_printf("{\"request\":\"meta.setSelfActiveTab\",\"tab\":{\"type\":\"plugin\",\"id\":\"%0129d\"}}", 0);
	check_field_error(text, RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST, bad_id);
	g_free(text);

	text = g_strdup_printf("{\"request\":\"meta.setSelfActiveTab\",\"tab\":{\"type\":\"%032d\",\"id\":\"%0128d\"}}", 0, 0);
	req = fine(text, RTK_REQUEST_ON_MAIN, &body);
	CHECK_EQ_INT(req.kind, RTK_REQ_SET_ACTIVE_TAB);
	CHECK_EQ_INT(strlen(req.tab_type), 32);
	CHECK_EQ_INT(strlen(req.tab_id), 128);
	json_decref(body);
	g_free(text);
	req = fine("{\"request\":\"meta.setSelfActiveTab\",\"tab\":{\"type\":\"screenshare\",\"id\":null}}",
		RTK_REQUEST_ON_MAIN, &body);
	CHECK_EQ_STR(req.tab_type, "screenshare");
	CHECK_NULL(req.tab_id);
	json_decref(body);
	req = fine("{\"request\":\"meta.setSelfActiveTab\",\"tab\":{\"type\":\"plugin\",\"id\":\"\",\"extra\":1}}",
		RTK_REQUEST_ON_MAIN, &body);
	CHECK_EQ_STR(req.tab_id, "");
	json_decref(body);
}

/* connectedMeetings.*: types here, titles and counts in the room model. */
static void test_connected(void) {
	json_t *body;
	rtk_request req = fine("{\"request\":\"connectedMeetings.getConnectedMeetings\"}", RTK_REQUEST_ON_MAIN, &body);
	CHECK_EQ_INT(req.kind, RTK_REQ_CONNECTED_GET);
	json_decref(body);
	req = fine("{\"request\":\"connectedMeetings.createMeetings\",\"meetings\":[{\"title\":\"R1\"}]}",
		RTK_REQUEST_ON_MAIN, &body);
	CHECK_EQ_INT(json_array_size(req.connected.meetings), 1);
	json_decref(body);
	check_field_error("{\"request\":\"connectedMeetings.createMeetings\",\"meetings\":{}}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, "field 'meetings' (an array of {title}) is required");
	check_field_error("{\"request\":\"connectedMeetings.updateMeetings\"}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, "field 'meetings' (an array of {id, title}) is required");
	req = fine("{\"request\":\"connectedMeetings.deleteMeetings\",\"meetingIds\":[\"m1\",\"m2\"]}",
		RTK_REQUEST_ON_MAIN, &body);
	CHECK_EQ_INT(json_array_size(req.connected.meeting_ids), 2);
	json_decref(body);
	check_field_error("{\"request\":\"connectedMeetings.deleteMeetings\",\"meetingIds\":[]}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, "field 'meetingIds' (a non-empty array of id strings) is required");

	req = fine("{\"request\":\"connectedMeetings.moveParticipants\",\"sourceMeetingId\":\"a\","
		"\"destinationMeetingId\":\"b\",\"participantIds\":[\"u1\"]}", RTK_REQUEST_ON_MAIN, &body);
	CHECK_EQ_STR(req.connected.source, "a");
	CHECK_EQ_STR(req.connected.destination, "b");
	CHECK_EQ_INT(json_array_size(req.connected.participant_ids), 1);
	CHECK_NULL(req.connected.preset_name);
	json_decref(body);
	check_field_error("{\"request\":\"connectedMeetings.moveParticipants\",\"destinationMeetingId\":\"b\","
		"\"participantIds\":[\"u1\"]}", RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST,
		"field 'sourceMeetingId' (a meeting id string) is required");
	check_field_error("{\"request\":\"connectedMeetings.moveParticipants\",\"sourceMeetingId\":\"a\","
		"\"destinationMeetingId\":\"b\",\"participantIds\":[1]}", RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST,
		"field 'participantIds' (a non-empty array of id strings) is required");
	req = fine("{\"request\":\"connectedMeetings.moveParticipantsWithCustomPreset\",\"sourceMeetingId\":\"a\","
		"\"destinationMeetingId\":\"b\",\"participantIds\":[\"u1\"],\"presetId\":\"p-1\"}", RTK_REQUEST_ON_MAIN, &body);
	CHECK_EQ_STR(req.connected.preset_id, "p-1");
	CHECK_NULL(req.connected.preset_name);
	json_decref(body);
	const char *one_preset = "exactly one of 'presetName' and 'presetId' (a non-empty string) is required";
	check_field_error("{\"request\":\"connectedMeetings.moveParticipantsWithCustomPreset\",\"sourceMeetingId\":\"a\","
		"\"destinationMeetingId\":\"b\",\"participantIds\":[\"u1\"]}", RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST,
		one_preset);
	check_field_error("{\"request\":\"connectedMeetings.moveParticipantsWithCustomPreset\",\"sourceMeetingId\":\"a\","
		"\"destinationMeetingId\":\"b\",\"participantIds\":[\"u1\"],\"presetId\":\"p\",\"presetName\":\"n\"}",
		RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST, one_preset);
	check_field_error("{\"request\":\"connectedMeetings.moveParticipantsWithCustomPreset\",\"sourceMeetingId\":\"a\","
		"\"destinationMeetingId\":\"b\",\"participantIds\":[\"u1\"],\"presetName\":\"\"}",
		RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST, one_preset);
}

/* plugins.*: {pluginId, ...}: sendData {data: object}, setState {key, value?}, toggleViewMode {enabled}. */
static void test_plugins(void) {
	json_t *body;
	const char *bad_id = "field 'pluginId' must be a non-empty string of at most 64 bytes";
	check_field_error("{\"request\":\"plugins.activate\"}", RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST, bad_id);
	check_field_error("{\"request\":\"plugins.deactivate\",\"pluginId\":\"\"}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, bad_id);
	check_field_error("{\"request\":\"plugins.sendData\",\"pluginId\":7,\"data\":{}}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, bad_id);
	char *text = g_strdup_printf("{\"request\":\"plugins.activate\",\"pluginId\":\"%065d\"}", 0);
	check_field_error(text, RTK_REQUEST_ON_MAIN, RTK_ERR_BAD_REQUEST, bad_id);
	g_free(text);
	rtk_request req = fine("{\"request\":\"plugins.activate\",\"pluginId\":\"p-1\"}", RTK_REQUEST_ON_MAIN, &body);
	CHECK_EQ_INT(req.kind, RTK_REQ_PLUGIN_ACTIVATE);
	CHECK_EQ_STR(req.plugin_id, "p-1");
	json_decref(body);
	req = fine("{\"request\":\"plugins.list\"}", RTK_REQUEST_ON_MAIN, &body);
	CHECK_EQ_INT(req.kind, RTK_REQ_PLUGINS_LIST);
	json_decref(body);

	check_field_error("{\"request\":\"plugins.sendData\",\"pluginId\":\"p\"}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, "field 'data' (an object) is required");
	check_field_error("{\"request\":\"plugins.sendData\",\"pluginId\":\"p\",\"data\":[1]}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, "field 'data' (an object) is required");
	req = fine("{\"request\":\"plugins.sendData\",\"pluginId\":\"p\",\"data\":{\"a\":1}}", RTK_REQUEST_ON_MAIN, &body);
	CHECK_EQ_INT(req.kind, RTK_REQ_PLUGIN_SEND_DATA);
	CHECK_EQ_INT(json_integer_value(json_object_get(req.plugin_data, "a")), 1);
	json_decref(body);

	check_field_error("{\"request\":\"plugins.setState\",\"pluginId\":\"p\",\"value\":1}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, "field 'key' (a string) is required");
	req = fine("{\"request\":\"plugins.setState\",\"pluginId\":\"p\",\"key\":\"k\",\"value\":[1,2]}",
		RTK_REQUEST_ON_MAIN, &body);
	CHECK_EQ_INT(req.kind, RTK_REQ_PLUGIN_SET_STATE);
	CHECK_EQ_STR(req.state_key, "k");
	CHECK(json_is_array(req.state_value));
	json_decref(body);
	req = fine("{\"request\":\"plugins.setState\",\"pluginId\":\"p\",\"key\":\"k\"}", RTK_REQUEST_ON_MAIN, &body);
	CHECK_NULL(req.state_value);
	json_decref(body);

	check_field_error("{\"request\":\"plugins.toggleViewMode\",\"pluginId\":\"p\"}", RTK_REQUEST_ON_MAIN,
		RTK_ERR_BAD_REQUEST, "field 'enabled' (a boolean) is required");
	req = fine("{\"request\":\"plugins.toggleViewMode\",\"pluginId\":\"p\",\"enabled\":true}", RTK_REQUEST_ON_MAIN,
		&body);
	CHECK_EQ_INT(req.kind, RTK_REQ_PLUGIN_VIEW_MODE);
	CHECK(req.enabled);
	json_decref(body);
}

int main(void) {
	UNIT_RUN(test_envelope);
	UNIT_RUN(test_join_name);
	UNIT_RUN(test_connected);
	UNIT_RUN(test_targets);
	UNIT_RUN(test_flags);
	UNIT_RUN(test_id_lists);
	UNIT_RUN(test_configure);
	UNIT_RUN(test_views);
	UNIT_RUN(test_recording);
	UNIT_RUN(test_offer_browser);
	UNIT_RUN(test_offer_descriptions);
	UNIT_RUN(test_offer_refusals);
	UNIT_RUN(test_broadcast);
	UNIT_RUN(test_spotlight);
	UNIT_RUN(test_polls);
	UNIT_RUN(test_chat);
	UNIT_RUN(test_plugins);
	UNIT_RUN(test_join_origin);
	return UNIT_DONE();
}
