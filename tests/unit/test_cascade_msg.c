/*
 * test_cascade_msg.c - the cascade control channel's wire format
 * (plugin/model/cascade_msg.h): what the lines built by one node parse to
 * on the other, what a bad line is refused for, the line framing, and
 * which presets may join an edge.
 */
#include "unit.h"
#include "cascade_msg.h"

static const char *parse_why(const char *line) {
	rtk_cascade_msg msg;
	const char *why = NULL;
	if(rtk_cascade_msg_parse(line, strlen(line), &msg, &why)) {
		rtk_cascade_msg_clear(&msg);
		return NULL;
	}
	return why;
}

static void test_hello_round_trip(void) {
	char *line = rtk_cascade_hello_line("key-1", "m-1", 40000);
	CHECK(g_str_has_suffix(line, "\n"));
	rtk_cascade_msg msg;
	const char *why = NULL;
	CHECK(rtk_cascade_msg_parse(line, strlen(line) - 1, &msg, &why));
	CHECK_EQ_INT(msg.type, RTK_CASCADE_HELLO);
	CHECK_EQ_STR(msg.key, "key-1");
	CHECK_EQ_STR(msg.meeting_id, "m-1");
	CHECK_EQ_INT(msg.rtp_port, 40000);
	rtk_cascade_msg_clear(&msg);
	g_free(line);
	CHECK_NOT_NULL(parse_why("{\"type\":\"hello\",\"key\":\"k\",\"meetingId\":\"m\",\"rtpPort\":0}"));
	CHECK_NOT_NULL(parse_why("{\"type\":\"hello\",\"key\":\"k\",\"meetingId\":\"m\",\"rtpPort\":70000}"));
	CHECK_NOT_NULL(parse_why("{\"type\":\"hello\",\"key\":\"\",\"meetingId\":\"m\",\"rtpPort\":5}"));
	CHECK_NOT_NULL(parse_why("{\"type\":\"hello\",\"meetingId\":\"m\",\"rtpPort\":5}"));
}

static void test_state_round_trip(void) {
	json_t *peers = json_pack("[{ss ss ss sn sn ss sb sb sb ss sb}]", "id", "p1", "userId", "u1", "name", "Ada",
		"picture", "customParticipantId", "presetName", "webinar_presenter", "audioEnabled", 1,
		"videoEnabled", 1, "screenShareEnabled", 0, "stageStatus", "ON_STAGE", "isPinned", 0);
	rtk_cascade_stream video = { 7, "p1", RTK_MEDIA_VIDEO, TRUE };
	rtk_cascade_stream audio = { 4294967295u, "p1", RTK_MEDIA_AUDIO, FALSE };
	GPtrArray *streams = g_ptr_array_new();
	g_ptr_array_add(streams, &video);
	g_ptr_array_add(streams, &audio);
	char *line = rtk_cascade_state_line("s-1", peers, streams, "p1");
	rtk_cascade_msg msg;
	const char *why = NULL;
	CHECK(rtk_cascade_msg_parse(line, strlen(line), &msg, &why));
	CHECK_EQ_INT(msg.type, RTK_CASCADE_STATE);
	CHECK_EQ_STR(msg.session_id, "s-1");
	CHECK_EQ_STR(msg.active_speaker, "p1");
	CHECK_EQ_INT(msg.peers->len, 1);
	rtk_cascade_peer *p = g_ptr_array_index(msg.peers, 0);
	CHECK_EQ_STR(p->id, "p1");
	CHECK_EQ_STR(p->user_id, "u1");
	CHECK_EQ_STR(p->name, "Ada");
	CHECK_NULL(p->picture);
	CHECK_EQ_STR(p->preset_name, "webinar_presenter");
	CHECK(p->media_enabled[RTK_MEDIA_AUDIO] && p->media_enabled[RTK_MEDIA_VIDEO]);
	CHECK(!p->media_enabled[RTK_MEDIA_SCREENSHARE]);
	CHECK_EQ_INT(p->stage, RTK_STAGE_ON_STAGE);
	CHECK_EQ_INT(msg.streams->len, 2);
	rtk_cascade_stream *s0 = g_ptr_array_index(msg.streams, 0), *s1 = g_ptr_array_index(msg.streams, 1);
	CHECK_EQ_INT(s0->ssrc, 7);
	CHECK_EQ_INT(s0->kind, RTK_MEDIA_VIDEO);
	CHECK(s0->enabled);
	CHECK_EQ_STR(s0->peer_id, "p1");
	CHECK_EQ_INT(s1->ssrc, 4294967295u);
	CHECK_EQ_INT(s1->kind, RTK_MEDIA_AUDIO);
	CHECK(!s1->enabled);
	/* the same peer read twice is the same; a media toggle is not */
	rtk_cascade_peer *again = rtk_cascade_peer_from_json(json_array_get(peers, 0));
	CHECK(rtk_cascade_peer_same(p, again));
	again->media_enabled[RTK_MEDIA_VIDEO] = FALSE;
	CHECK(!rtk_cascade_peer_same(p, again));
	rtk_cascade_peer_free(again);
	rtk_cascade_msg_clear(&msg);
	CHECK_NULL(msg.peers);
	g_free(line);
	g_ptr_array_free(streams, TRUE);
	json_decref(peers);
}

static void test_state_refusals(void) {
	/* a peer without userId, a stream with ssrc 0, a repeated ssrc, an unknown kind */
	CHECK_NOT_NULL(parse_why("{\"type\":\"state\",\"sessionId\":\"s\",\"peers\":[{\"id\":\"p\"}],\"streams\":[]}"));
	CHECK_NOT_NULL(parse_why("{\"type\":\"state\",\"sessionId\":\"s\",\"peers\":[],\"streams\":"
		"[{\"ssrc\":0,\"peerId\":\"p\",\"kind\":\"audio\",\"enabled\":true}]}"));
	CHECK_NOT_NULL(parse_why("{\"type\":\"state\",\"sessionId\":\"s\",\"peers\":[],\"streams\":"
		"[{\"ssrc\":1,\"peerId\":\"p\",\"kind\":\"audio\",\"enabled\":true},"
		"{\"ssrc\":1,\"peerId\":\"p\",\"kind\":\"video\",\"enabled\":true}]}"));
	CHECK_NOT_NULL(parse_why("{\"type\":\"state\",\"sessionId\":\"s\",\"peers\":[],\"streams\":"
		"[{\"ssrc\":1,\"peerId\":\"p\",\"kind\":\"data\",\"enabled\":true}]}"));
	CHECK_NOT_NULL(parse_why("{\"type\":\"state\",\"sessionId\":\"s\",\"peers\":[{\"id\":\"p\",\"userId\":\"u\","
		"\"name\":5}],\"streams\":[]}"));
	CHECK_NOT_NULL(parse_why("{\"type\":\"state\",\"peers\":[],\"streams\":[]}"));
	CHECK_NULL(parse_why("{\"type\":\"state\",\"sessionId\":\"s\",\"peers\":[],\"streams\":[]}"));
	/* the active speaker: a peer id, null or absent */
	CHECK_NULL(parse_why("{\"type\":\"state\",\"sessionId\":\"s\",\"peers\":[],\"streams\":[],\"activeSpeaker\":null}"));
	CHECK_NOT_NULL(parse_why("{\"type\":\"state\",\"sessionId\":\"s\",\"peers\":[],\"streams\":[],\"activeSpeaker\":7}"));
	char *no_speaker = rtk_cascade_state_line("s", NULL, NULL, NULL);
	rtk_cascade_msg none;
	const char *why = NULL;
	CHECK(rtk_cascade_msg_parse(no_speaker, strlen(no_speaker), &none, &why));
	CHECK_NULL(none.active_speaker);
	rtk_cascade_msg_clear(&none);
	g_free(no_speaker);
	/* not JSON, not an object, no type, unknown type, duplicate keys */
	CHECK_NOT_NULL(parse_why("{"));
	CHECK_NOT_NULL(parse_why("[]"));
	CHECK_NOT_NULL(parse_why("{\"ssrc\":1}"));
	CHECK_NOT_NULL(parse_why("{\"type\":\"bye\"}"));
	CHECK_NOT_NULL(parse_why("{\"type\":\"pli\",\"ssrc\":1,\"ssrc\":2}"));
}

static void test_pli_and_ended(void) {
	char *line = rtk_cascade_pli_line(123456);
	rtk_cascade_msg msg;
	const char *why = NULL;
	CHECK(rtk_cascade_msg_parse(line, strlen(line), &msg, &why));
	CHECK_EQ_INT(msg.type, RTK_CASCADE_PLI);
	CHECK_EQ_INT(msg.ssrc, 123456);
	rtk_cascade_msg_clear(&msg);
	g_free(line);
	CHECK_NOT_NULL(parse_why("{\"type\":\"pli\",\"ssrc\":-1}"));
	CHECK_NOT_NULL(parse_why("{\"type\":\"pli\",\"ssrc\":4294967296}"));
	line = rtk_cascade_ended_line("origin_ended");
	CHECK(rtk_cascade_msg_parse(line, strlen(line), &msg, &why));
	CHECK_EQ_INT(msg.type, RTK_CASCADE_ENDED);
	CHECK_EQ_STR(msg.reason, "origin_ended");
	rtk_cascade_msg_clear(&msg);
	g_free(line);
	CHECK_NULL(parse_why("{\"type\":\"ended\"}"));
	CHECK_NOT_NULL(parse_why("{\"type\":\"ended\",\"reason\":3}"));
	/* an edge's audience: 0..RTK_CASCADE_AUDIENCE_MAX, clamped when built */
	line = rtk_cascade_audience_line(1234);
	CHECK(rtk_cascade_msg_parse(line, strlen(line), &msg, &why));
	CHECK_EQ_INT(msg.type, RTK_CASCADE_AUDIENCE);
	CHECK_EQ_INT(msg.count, 1234);
	rtk_cascade_msg_clear(&msg);
	g_free(line);
	line = rtk_cascade_audience_line(-5);
	CHECK(rtk_cascade_msg_parse(line, strlen(line), &msg, &why));
	CHECK_EQ_INT(msg.count, 0);
	rtk_cascade_msg_clear(&msg);
	g_free(line);
	CHECK_NULL(parse_why("{\"type\":\"audience\",\"count\":0}"));
	CHECK_NOT_NULL(parse_why("{\"type\":\"audience\",\"count\":-1}"));
	CHECK_NOT_NULL(parse_why("{\"type\":\"audience\",\"count\":1000001}"));
	CHECK_NOT_NULL(parse_why("{\"type\":\"audience\",\"count\":\"7\"}"));
	CHECK_NOT_NULL(parse_why("{\"type\":\"audience\"}"));
}

static void test_chat_lines(void) {
	json_t *doc = json_pack("{ss ss ss sI ss sb}", "id", "m-1", "userId", "u1", "displayName", "Ada",
		"timeMs", (json_int_t)1796596200123, "message", "hi", "pinned", 0);
	for(int e = RTK_CASCADE_CHAT_HISTORY_ONE; e <= RTK_CASCADE_CHAT_UNPIN; e++) {
		char *line = rtk_cascade_chat_line(e, doc, "m-1");
		rtk_cascade_msg msg;
		const char *why = NULL;
		CHECK(rtk_cascade_msg_parse(line, strlen(line), &msg, &why));
		CHECK_EQ_INT(msg.type, RTK_CASCADE_CHAT);
		CHECK_EQ_INT(msg.chat_event, e);
		if(e == RTK_CASCADE_CHAT_DELETE) {
			CHECK_EQ_STR(msg.message_id, "m-1");
			CHECK_NULL(msg.message);
		} else {
			CHECK(json_equal(msg.message, doc));
		}
		rtk_cascade_msg_clear(&msg);
		g_free(line);
	}
	json_decref(doc);
	/* public messages only; an id, a userId, a timeMs; a known event */
	CHECK_NOT_NULL(parse_why("{\"type\":\"chat\",\"event\":\"add\",\"message\":{\"id\":\"m\",\"userId\":\"u\","
		"\"timeMs\":1,\"channelId\":\"c\"}}"));
	CHECK_NOT_NULL(parse_why("{\"type\":\"chat\",\"event\":\"add\",\"message\":{\"id\":\"m\",\"userId\":\"u\","
		"\"timeMs\":1,\"targetUserIds\":[]}}"));
	CHECK_NOT_NULL(parse_why("{\"type\":\"chat\",\"event\":\"add\",\"message\":{\"id\":\"m\",\"timeMs\":1}}"));
	CHECK_NOT_NULL(parse_why("{\"type\":\"chat\",\"event\":\"add\",\"message\":{\"id\":\"m\",\"userId\":\"u\","
		"\"timeMs\":-1}}"));
	CHECK_NOT_NULL(parse_why("{\"type\":\"chat\",\"event\":\"shout\",\"message\":{\"id\":\"m\",\"userId\":\"u\","
		"\"timeMs\":1}}"));
	CHECK_NOT_NULL(parse_why("{\"type\":\"chat\",\"event\":\"delete\"}"));
	CHECK_NULL(parse_why("{\"type\":\"chat\",\"event\":\"edit\",\"message\":{\"id\":\"m\",\"userId\":\"u\","
		"\"timeMs\":0}}"));
}

static void test_forward_and_result(void) {
	json_t *sender = json_pack("{ss ss ss s{}}", "peerId", "p9", "userId", "u9", "name", "Bea", "permissions");
	json_t *body = json_pack("{ss s{ss ss}}", "request", "chat.send", "message", "type", "text", "message", "hello");
	char *line = rtk_cascade_forward_line(42, sender, body);
	rtk_cascade_msg msg;
	const char *why = NULL;
	CHECK(rtk_cascade_msg_parse(line, strlen(line), &msg, &why));
	CHECK_EQ_INT(msg.type, RTK_CASCADE_FORWARD);
	CHECK_EQ_INT(msg.request_id, 42);
	CHECK(json_equal(msg.sender, sender));
	CHECK(json_equal(msg.body, body));
	rtk_cascade_msg_clear(&msg);
	g_free(line);
	CHECK_NOT_NULL(parse_why("{\"type\":\"forward\",\"requestId\":0,\"sender\":{\"peerId\":\"p\",\"userId\":\"u\"},"
		"\"body\":{\"request\":\"chat.send\"}}"));
	CHECK_NOT_NULL(parse_why("{\"type\":\"forward\",\"requestId\":1,\"sender\":{\"peerId\":\"p\"},"
		"\"body\":{\"request\":\"chat.send\"}}"));
	CHECK_NOT_NULL(parse_why("{\"type\":\"forward\",\"requestId\":1,\"sender\":{\"peerId\":\"p\",\"userId\":\"u\"},"
		"\"body\":{}}"));
	CHECK_NOT_NULL(parse_why("{\"type\":\"forward\",\"requestId\":1,\"sender\":{\"peerId\":\"p\",\"userId\":\"u\","
		"\"permissions\":[]},\"body\":{\"request\":\"x\"}}"));
	json_decref(sender);
	json_decref(body);
	/* results: data, or an error with a 4-digit code */
	json_t *data = json_pack("{s{ss}}", "message", "id", "m-1");
	line = rtk_cascade_result_line(42, data, NULL, NULL);
	CHECK(rtk_cascade_msg_parse(line, strlen(line), &msg, &why));
	CHECK_EQ_INT(msg.type, RTK_CASCADE_RESULT);
	CHECK_EQ_INT(msg.request_id, 42);
	CHECK(json_equal(msg.data, data));
	CHECK_NULL(msg.error_code);
	rtk_cascade_msg_clear(&msg);
	g_free(line);
	json_decref(data);
	line = rtk_cascade_result_line(7, NULL, "0502", "only its author may edit a message");
	CHECK(rtk_cascade_msg_parse(line, strlen(line), &msg, &why));
	CHECK_NULL(msg.data);
	CHECK_EQ_STR(msg.error_code, "0502");
	CHECK_EQ_STR(msg.error_message, "only its author may edit a message");
	rtk_cascade_msg_clear(&msg);
	g_free(line);
	CHECK_NOT_NULL(parse_why("{\"type\":\"result\",\"requestId\":1,\"error\":{\"code\":\"05x2\"}}"));
	CHECK_NOT_NULL(parse_why("{\"type\":\"result\",\"requestId\":1,\"data\":{},\"error\":{\"code\":\"0502\"}}"));
	CHECK_NOT_NULL(parse_why("{\"type\":\"result\",\"requestId\":1}"));
	CHECK_NOT_NULL(parse_why("{\"type\":\"result\",\"requestId\":1,\"data\":[]}"));
}

static void test_poll_line(void) {
	json_t *state = json_pack("{ss ss s[ss] sb sb ss ss s[]}", "id", "p-1", "question", "Ship it?", "options", "yes", "no",
		"anonymous", 1, "hideVotes", 0, "createdBy", "Host", "createdByUserId", "u-h", "votes");
	char *line = rtk_cascade_poll_line(state);
	rtk_cascade_msg msg;
	const char *why = NULL;
	CHECK(rtk_cascade_msg_parse(line, strlen(line), &msg, &why));
	CHECK_EQ_INT(msg.type, RTK_CASCADE_POLL);
	CHECK(json_equal(msg.poll, state));
	rtk_cascade_msg_clear(&msg);
	g_free(line);
	json_decref(state);
	CHECK_NOT_NULL(parse_why("{\"type\":\"poll\",\"poll\":{\"question\":\"q\"}}"));
	CHECK_NOT_NULL(parse_why("{\"type\":\"poll\",\"poll\":[]}"));
	CHECK_NOT_NULL(parse_why("{\"type\":\"poll\"}"));
}

static void test_broadcast_line(void) {
	json_t *payload = json_pack("{ss}", "emoji", "wave");
	char *line = rtk_cascade_broadcast_line("reaction", payload, 1234, "p-1", NULL);
	rtk_cascade_msg msg;
	const char *why = NULL;
	CHECK(rtk_cascade_msg_parse(line, strlen(line), &msg, &why));
	CHECK_EQ_INT(msg.type, RTK_CASCADE_BROADCAST);
	CHECK_EQ_STR(msg.message_type, "reaction");
	CHECK(json_equal(msg.payload, payload));
	CHECK_EQ_INT(msg.timestamp, 1234);
	CHECK_EQ_STR(msg.sender_id, "p-1");
	CHECK_NULL(msg.preset_name);
	rtk_cascade_msg_clear(&msg);
	g_free(line);
	json_decref(payload);
	CHECK_NULL(parse_why("{\"type\":\"broadcast\",\"messageType\":\"t\",\"payload\":null,\"timestamp\":0,"
		"\"senderId\":\"p\",\"presetName\":\"webinar_viewer\"}"));
	CHECK_NOT_NULL(parse_why("{\"type\":\"broadcast\",\"messageType\":\"t\",\"timestamp\":0,\"senderId\":\"p\"}"));
	CHECK_NOT_NULL(parse_why("{\"type\":\"broadcast\",\"messageType\":\"\",\"payload\":1,\"timestamp\":0,"
		"\"senderId\":\"p\"}"));
	CHECK_NOT_NULL(parse_why("{\"type\":\"broadcast\",\"messageType\":\"t\",\"payload\":1,\"timestamp\":-1,"
		"\"senderId\":\"p\"}"));
	CHECK_NOT_NULL(parse_why("{\"type\":\"broadcast\",\"messageType\":\"t\",\"payload\":1,\"timestamp\":0,"
		"\"senderId\":\"p\",\"presetName\":5}"));
}

/* The owner's stand-in for an edge viewer has its ids, name and rights. */
static void test_sender(void) {
	json_t *participant = json_pack("{ss ss ss}", "id", "u9", "name", "Bea", "custom_participant_id", "bea@x");
	json_t *preset = json_pack("{ss s{s{s{sbsb}}}}", "name", "livestream_viewer", "permissions", "chat", "public",
		"can_send", 1, "text", 1);
	rtk_peer *viewer = rtk_peer_new(participant, preset, NULL);
	json_t *sender = rtk_cascade_sender_json(viewer);
	CHECK_EQ_STR(json_string_value(json_object_get(sender, "peerId")), viewer->id);
	CHECK_NULL(json_object_get(sender, "picture") ? json_string_value(json_object_get(sender, "picture")) : NULL);
	rtk_peer *stand_in = rtk_cascade_sender_peer(sender);
	CHECK_NOT_NULL(stand_in);
	CHECK_EQ_STR(stand_in->id, viewer->id);
	CHECK_EQ_STR(stand_in->user_id, "u9");
	CHECK_EQ_STR(stand_in->name, "Bea");
	CHECK_EQ_STR(stand_in->custom_participant_id, "bea@x");
	CHECK_EQ_STR(stand_in->preset_name, "livestream_viewer");
	CHECK(stand_in->permissions.chat_public.can_send);
	CHECK_NULL(stand_in->transport);
	rtk_peer_free(stand_in);
	json_t *bare = json_pack("{ss ss}", "peerId", "p", "userId", "u");
	stand_in = rtk_cascade_sender_peer(bare);
	CHECK_NOT_NULL(stand_in);
	CHECK(!stand_in->permissions.chat_public.can_send);
	rtk_peer_free(stand_in);
	json_decref(bare);
	json_decref(sender);
	rtk_peer_free(viewer);
	json_decref(participant);
	json_decref(preset);
}

typedef struct collected {
	GPtrArray *lines;
	int stop_after;
} collected;

static gboolean collect(const char *line, size_t len, void *user) {
	collected *c = user;
	g_ptr_array_add(c->lines, g_strndup(line, len));
	return (int)c->lines->len != c->stop_after;
}

static void test_framing(void) {
	rtk_cascade_lines lines;
	rtk_cascade_lines_init(&lines);
	collected c = { g_ptr_array_new_with_free_func(g_free), -1 };
	CHECK(rtk_cascade_lines_feed(&lines, "ab", 2, collect, &c));
	CHECK_EQ_INT(c.lines->len, 0);
	CHECK(rtk_cascade_lines_feed(&lines, "c\n\nde\nf", 7, collect, &c));
	CHECK_EQ_INT(c.lines->len, 2);
	CHECK_EQ_STR(g_ptr_array_index(c.lines, 0), "abc");
	CHECK_EQ_STR(g_ptr_array_index(c.lines, 1), "de");
	CHECK(rtk_cascade_lines_feed(&lines, "\n", 1, collect, &c));
	CHECK_EQ_STR(g_ptr_array_index(c.lines, 2), "f");
	/* the callback stops the stream */
	c.stop_after = 4;
	CHECK(!rtk_cascade_lines_feed(&lines, "g\nh\n", 4, collect, &c));
	CHECK_EQ_INT(c.lines->len, 4);
	rtk_cascade_lines_clear(&lines);
	/* a line longer than the limit drops the connection */
	rtk_cascade_lines_init(&lines);
	char *big = g_malloc(RTK_CASCADE_LINE_MAX + 1);
	memset(big, 'x', RTK_CASCADE_LINE_MAX + 1);
	CHECK(rtk_cascade_lines_feed(&lines, big, RTK_CASCADE_LINE_MAX, collect, &c));
	CHECK(!rtk_cascade_lines_feed(&lines, big, 1, collect, &c));
	g_free(big);
	rtk_cascade_lines_clear(&lines);
	g_ptr_array_free(c.lines, TRUE);
}

static rtk_permissions permissions_of(const char *produce, const char *stage_access, gboolean stage_enabled) {
	json_t *json = json_pack("{s{s{ss}s{ss}s{ss}} sb ss}", "media", "audio", "can_produce", produce,
		"video", "can_produce", produce, "screenshare", "can_produce", produce,
		"stage_enabled", stage_enabled, "stage_access", stage_access);
	rtk_permissions p;
	rtk_permissions_parse(&p, json);
	json_decref(json);
	return p;
}

static void test_receive_only(void) {
	rtk_permissions p = permissions_of("NOT_ALLOWED", "NOT_ALLOWED", TRUE);      /* livestream_viewer */
	CHECK(rtk_cascade_receive_only(&p));
	p = permissions_of("CAN_REQUEST", "NOT_ALLOWED", TRUE);                     /* never on stage */
	CHECK(rtk_cascade_receive_only(&p));
	p = permissions_of("CAN_REQUEST", "CAN_REQUEST", TRUE);                     /* webinar_viewer */
	CHECK(!rtk_cascade_receive_only(&p));
	p = permissions_of("ALLOWED", "ALLOWED", FALSE);                            /* group call */
	CHECK(!rtk_cascade_receive_only(&p));
	p = permissions_of("NOT_ALLOWED", "ALLOWED", FALSE);
	CHECK(rtk_cascade_receive_only(&p));
}

int main(void) {
	UNIT_RUN(test_hello_round_trip);
	UNIT_RUN(test_state_round_trip);
	UNIT_RUN(test_state_refusals);
	UNIT_RUN(test_pli_and_ended);
	UNIT_RUN(test_chat_lines);
	UNIT_RUN(test_forward_and_result);
	UNIT_RUN(test_poll_line);
	UNIT_RUN(test_broadcast_line);
	UNIT_RUN(test_sender);
	UNIT_RUN(test_framing);
	UNIT_RUN(test_receive_only);
	return UNIT_DONE();
}
