/*
 * fuzz_cascade_msg.c - libFuzzer target for the cascade control channel's
 * reader (plugin/model/cascade_msg.h): bytes from another node, framed
 * into lines, each parsed into a message.
 *
 * Per input (a byte stream, fed in two pieces split by its first byte):
 * framing never yields a line longer than RTK_CASCADE_LINE_MAX or with a
 * '\n'; a refused line always says why; an accepted message holds what its
 * type promises (hello: key, meeting id, port in 1..65535; state: session
 * id, peers with ids, streams with distinct non-zero SSRCs and a known
 * kind; pli: a non-zero SSRC; chat: a public message object, or a
 * deletion's id; poll: an object with an id; broadcast: a type, a payload,
 * a sender and a timestamp; forward: a request id, a sender and a body; result: data
 * or a 4-digit error code), and a state built again from it parses to the
 * same streams.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cascade_msg.h"

static void check_state(const rtk_cascade_msg *msg)
{
	if (msg->session_id == NULL || msg->peers == NULL || msg->streams == NULL)
		abort();
	json_t *peers = json_array();
	for (guint i = 0; i < msg->peers->len; i++) {
		const rtk_cascade_peer *p = g_ptr_array_index(msg->peers, i);
		if (p->id == NULL || p->user_id == NULL)
			abort();
		json_array_append_new(peers, json_pack("{ss ss}", "id", p->id, "userId", p->user_id));
	}
	for (guint i = 0; i < msg->streams->len; i++) {
		const rtk_cascade_stream *s = g_ptr_array_index(msg->streams, i);
		if (s->ssrc == 0 || s->peer_id == NULL || (unsigned)s->kind >= RTK_MEDIA_KINDS)
			abort();
		for (guint j = 0; j < i; j++)
			if (((const rtk_cascade_stream *)g_ptr_array_index(msg->streams, j))->ssrc == s->ssrc)
				abort();
	}
	char *line = rtk_cascade_state_line(msg->session_id, peers, msg->streams, msg->active_speaker);
	rtk_cascade_msg again;
	const char *why = NULL;
	if (!rtk_cascade_msg_parse(line, strlen(line), &again, &why) || again.streams->len != msg->streams->len ||
	    again.peers->len != msg->peers->len || g_strcmp0(again.active_speaker, msg->active_speaker) != 0)
		abort();
	rtk_cascade_msg_clear(&again);
	g_free(line);
	json_decref(peers);
}

static gboolean each_line(const char *line, size_t len, void *user)
{
	(void)user;
	if (len == 0 || len > RTK_CASCADE_LINE_MAX || memchr(line, '\n', len) != NULL)
		abort();
	rtk_cascade_msg msg;
	const char *why = NULL;
	if (!rtk_cascade_msg_parse(line, len, &msg, &why)) {
		if (why == NULL || msg.peers != NULL || msg.key != NULL)
			abort();
		return TRUE;
	}
	switch (msg.type) {
	case RTK_CASCADE_HELLO:
		if (msg.key == NULL || msg.meeting_id == NULL || msg.rtp_port < 1 || msg.rtp_port > 65535)
			abort();
		break;
	case RTK_CASCADE_STATE:
		check_state(&msg);
		break;
	case RTK_CASCADE_PLI:
		if (msg.ssrc == 0)
			abort();
		break;
	case RTK_CASCADE_ENDED:
		break;
	case RTK_CASCADE_AUDIENCE:
		if (msg.count < 0 || msg.count > RTK_CASCADE_AUDIENCE_MAX)
			abort();
		break;
	case RTK_CASCADE_CHAT:
		if ((msg.chat_event == RTK_CASCADE_CHAT_DELETE) != (msg.message == NULL) ||
		    (msg.message != NULL && (!json_is_object(msg.message) || json_object_get(msg.message, "channelId"))))
			abort();
		break;
	case RTK_CASCADE_POLL:
		if (!json_is_object(msg.poll) || !json_is_string(json_object_get(msg.poll, "id")))
			abort();
		break;
	case RTK_CASCADE_BROADCAST:
		if (msg.message_type == NULL || msg.payload == NULL || msg.sender_id == NULL || msg.timestamp < 0)
			abort();
		break;
	case RTK_CASCADE_FORWARD:
		if (msg.request_id < 1 || !json_is_object(msg.sender) || !json_is_object(msg.body))
			abort();
		break;
	case RTK_CASCADE_RESULT:
		if ((msg.data == NULL) == (msg.error_code == NULL) || (msg.error_code && strlen(msg.error_code) != 4))
			abort();
		break;
	default:
		abort();
	}
	rtk_cascade_msg_clear(&msg);
	return TRUE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rtk_cascade_lines lines;
	rtk_cascade_lines_init(&lines);
	size_t split = size > 0 ? data[0] % (size + 1) : 0;
	if (rtk_cascade_lines_feed(&lines, (const char *)data, split, each_line, NULL))
		rtk_cascade_lines_feed(&lines, (const char *)data + split, size - split, each_line, NULL);
	rtk_cascade_lines_clear(&lines);
	return 0;
}
