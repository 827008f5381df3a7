/*
 * cascade_msg.c - parsing and building of the cascade control channel's
 * lines (cascade_msg.h). Everything read here comes from another node over
 * the network: every field is type- and range-checked, and a message is
 * taken whole or not at all.
 */
#include "cascade_msg.h"

#include <string.h>

/* ---- helpers ---- */

/* A copy of the string field `key` when it is a string of 1..max bytes
 * without NUL; NULL otherwise. */
static char *msg_string(const json_t *object, const char *key, size_t max) {
	const json_t *value = json_object_get(object, key);
	if(!json_is_string(value))
		return NULL;
	size_t len = json_string_length(value);
	if(len == 0 || len > max || memchr(json_string_value(value), '\0', len) != NULL)
		return NULL;
	return g_strndup(json_string_value(value), len);
}

/* An optional string field: NULL when absent or null; *ok FALSE when
 * present with another type or too long. */
static char *msg_optional_string(const json_t *object, const char *key, size_t max, gboolean *ok) {
	const json_t *value = json_object_get(object, key);
	if(value == NULL || json_is_null(value))
		return NULL;
	char *copy = msg_string(object, key, max);
	if(copy == NULL && !(json_is_string(value) && json_string_length(value) == 0))
		*ok = FALSE;
	return copy;
}

static gboolean msg_uint32(const json_t *object, const char *key, uint32_t *out) {
	const json_t *value = json_object_get(object, key);
	if(!json_is_integer(value))
		return FALSE;
	json_int_t n = json_integer_value(value);
	if(n < 1 || n > (json_int_t)UINT32_MAX)
		return FALSE;
	*out = (uint32_t)n;
	return TRUE;
}

static gboolean msg_kind(const char *name, rtk_media_kind *kind) {
	for(int k = 0; k < RTK_MEDIA_KINDS; k++) {
		if(strcmp(name, rtk_media_kind_name(k)) == 0) {
			*kind = k;
			return TRUE;
		}
	}
	return FALSE;
}

static rtk_stage_status msg_stage(const char *name) {
	for(int s = RTK_STAGE_OFF_STAGE; s <= RTK_STAGE_ON_STAGE; s++)
		if(name != NULL && strcmp(name, rtk_stage_status_name(s)) == 0)
			return s;
	return RTK_STAGE_OFF_STAGE;
}

gboolean rtk_cascade_receive_only(const rtk_permissions *p) {
	if(p->stage_enabled && p->stage_access == RTK_PRODUCE_NOT_ALLOWED)
		return TRUE;
	for(int k = 0; k < RTK_MEDIA_KINDS; k++)
		if(p->produce[k] != RTK_PRODUCE_NOT_ALLOWED)
			return FALSE;
	return TRUE;
}

/* ---- peers and streams ---- */

void rtk_cascade_peer_free(rtk_cascade_peer *peer) {
	if(peer == NULL)
		return;
	g_free(peer->id);
	g_free(peer->user_id);
	g_free(peer->name);
	g_free(peer->picture);
	g_free(peer->custom_participant_id);
	g_free(peer->preset_name);
	g_free(peer);
}

rtk_cascade_peer *rtk_cascade_peer_from_json(const json_t *participant) {
	if(!json_is_object(participant))
		return NULL;
	rtk_cascade_peer *peer = g_new0(rtk_cascade_peer, 1);
	gboolean ok = TRUE;
	peer->id = msg_string(participant, "id", RTK_CASCADE_ID_MAX);
	peer->user_id = msg_string(participant, "userId", RTK_CASCADE_ID_MAX);
	peer->name = msg_optional_string(participant, "name", 1024, &ok);
	peer->picture = msg_optional_string(participant, "picture", 4096, &ok);
	peer->custom_participant_id = msg_optional_string(participant, "customParticipantId", 1024, &ok);
	peer->preset_name = msg_optional_string(participant, "presetName", 1024, &ok);
	for(int k = 0; k < RTK_MEDIA_KINDS; k++)
		peer->media_enabled[k] = json_is_true(json_object_get(participant, rtk_peer_media_field(k)));
	peer->stage = msg_stage(json_string_value(json_object_get(participant, "stageStatus")));
	peer->pinned = json_is_true(json_object_get(participant, "isPinned"));
	if(!ok || peer->id == NULL || peer->user_id == NULL) {
		rtk_cascade_peer_free(peer);
		return NULL;
	}
	return peer;
}

gboolean rtk_cascade_peer_same(const rtk_cascade_peer *a, const rtk_cascade_peer *b) {
	if(g_strcmp0(a->id, b->id) || g_strcmp0(a->user_id, b->user_id) || g_strcmp0(a->name, b->name) ||
			g_strcmp0(a->picture, b->picture) || g_strcmp0(a->preset_name, b->preset_name) ||
			a->stage != b->stage || a->pinned != b->pinned)
		return FALSE;
	return memcmp(a->media_enabled, b->media_enabled, sizeof(a->media_enabled)) == 0;
}

static void msg_stream_free(gpointer data) {
	rtk_cascade_stream *stream = data;
	g_free(stream->peer_id);
	g_free(stream);
}

static rtk_cascade_stream *msg_stream_from_json(const json_t *object) {
	rtk_cascade_stream stream = { 0 };
	const char *kind = json_string_value(json_object_get(object, "kind"));
	const json_t *enabled = json_object_get(object, "enabled");
	if(!json_is_object(object) || !msg_uint32(object, "ssrc", &stream.ssrc) || kind == NULL ||
			!msg_kind(kind, &stream.kind) || !json_is_boolean(enabled))
		return NULL;
	stream.peer_id = msg_string(object, "peerId", RTK_CASCADE_ID_MAX);
	if(stream.peer_id == NULL)
		return NULL;
	stream.enabled = json_is_true(enabled);
	return g_memdup2(&stream, sizeof(stream));
}

static gboolean msg_has_ssrc(GPtrArray *streams, uint32_t ssrc) {
	for(guint i = 0; i < streams->len; i++)
		if(((rtk_cascade_stream *)g_ptr_array_index(streams, i))->ssrc == ssrc)
			return TRUE;
	return FALSE;
}

/* ---- forwarded requests' senders ---- */

json_t *rtk_cascade_sender_json(const rtk_peer *peer) {
	return json_pack("{ss ss ss? ss? ss? ss? so}", "peerId", peer->id, "userId", peer->user_id, "name", peer->name,
		"picture", peer->picture, "customParticipantId", peer->custom_participant_id, "presetName", peer->preset_name,
		"permissions", peer->permissions_json ? json_incref(peer->permissions_json) : json_object());
}

rtk_peer *rtk_cascade_sender_peer(const json_t *sender) {
	const char *peer_id = json_string_value(json_object_get(sender, "peerId"));
	if(peer_id == NULL)
		return NULL;
	const json_t *permissions = json_object_get(sender, "permissions");
	json_t *participant = json_pack("{sO* sO* sO* sO*}", "id", json_object_get(sender, "userId"),
		"name", json_object_get(sender, "name"), "picture", json_object_get(sender, "picture"),
		"custom_participant_id", json_object_get(sender, "customParticipantId"));
	json_t *preset = json_pack("{sO* so}", "name", json_object_get(sender, "presetName"),
		"permissions", json_is_object(permissions) ? json_incref((json_t *)permissions) : json_object());
	rtk_peer *peer = participant && preset ? rtk_peer_new(participant, preset, NULL) : NULL;
	json_decref(participant);
	json_decref(preset);
	if(peer != NULL) {
		g_free(peer->id);
		peer->id = g_strdup(peer_id);
	}
	return peer;
}

/* ---- messages ---- */

static gboolean msg_parse_hello(const json_t *root, rtk_cascade_msg *out, const char **why) {
	out->key = msg_string(root, "key", 1024);
	out->meeting_id = msg_string(root, "meetingId", RTK_CASCADE_ID_MAX);
	const json_t *port = json_object_get(root, "rtpPort");
	if(out->key == NULL || out->meeting_id == NULL || !json_is_integer(port) ||
			json_integer_value(port) < 1 || json_integer_value(port) > 65535) {
		*why = "hello needs key, meetingId and rtpPort (1..65535)";
		return FALSE;
	}
	out->rtp_port = (int)json_integer_value(port);
	return TRUE;
}

static gboolean msg_parse_state(const json_t *root, rtk_cascade_msg *out, const char **why) {
	const json_t *peers = json_object_get(root, "peers");
	const json_t *streams = json_object_get(root, "streams");
	out->session_id = msg_string(root, "sessionId", RTK_CASCADE_ID_MAX);
	if(out->session_id == NULL || !json_is_array(peers) || !json_is_array(streams) ||
			json_array_size(peers) > RTK_CASCADE_PEERS_MAX || json_array_size(streams) > RTK_CASCADE_STREAMS_MAX) {
		*why = "state needs sessionId, peers and streams (arrays within their limits)";
		return FALSE;
	}
	gboolean fine = TRUE;
	out->active_speaker = msg_optional_string(root, "activeSpeaker", RTK_CASCADE_ID_MAX, &fine);
	if(!fine) {
		*why = "state's activeSpeaker must be a peer id or null";
		return FALSE;
	}
	out->peers = g_ptr_array_new_with_free_func((GDestroyNotify)rtk_cascade_peer_free);
	out->streams = g_ptr_array_new_with_free_func(msg_stream_free);
	size_t i;
	const json_t *item;
	json_array_foreach(peers, i, item) {
		rtk_cascade_peer *peer = rtk_cascade_peer_from_json(item);
		if(peer == NULL) {
			*why = "a peer lacks its id or userId, or has a field of the wrong type";
			return FALSE;
		}
		g_ptr_array_add(out->peers, peer);
	}
	json_array_foreach(streams, i, item) {
		rtk_cascade_stream *stream = msg_stream_from_json(item);
		if(stream == NULL || msg_has_ssrc(out->streams, stream->ssrc)) {
			if(stream != NULL)
				msg_stream_free(stream);
			*why = "a stream lacks ssrc, peerId, kind or enabled, or repeats an ssrc";
			return FALSE;
		}
		g_ptr_array_add(out->streams, stream);
	}
	return TRUE;
}

static const char *const chat_event_names[] = {
	[RTK_CASCADE_CHAT_HISTORY_ONE] = "history",
	[RTK_CASCADE_CHAT_ADD] = "add",
	[RTK_CASCADE_CHAT_EDIT] = "edit",
	[RTK_CASCADE_CHAT_DELETE] = "delete",
	[RTK_CASCADE_CHAT_PIN] = "pin",
	[RTK_CASCADE_CHAT_UNPIN] = "unpin",
};

const char *rtk_cascade_chat_event_name(rtk_cascade_chat_event event) {
	return event >= RTK_CASCADE_CHAT_HISTORY_ONE && event <= RTK_CASCADE_CHAT_UNPIN ? chat_event_names[event] : NULL;
}

/* A public chat message as the edge may show it: an object with id and
 * userId strings and a timeMs, no channel nor recipients. */
static gboolean msg_chat_message_valid(const json_t *m) {
	if(!json_is_object(m) || json_object_get(m, "channelId") != NULL || json_object_get(m, "targetUserIds") != NULL)
		return FALSE;
	const json_t *time = json_object_get(m, "timeMs");
	char *id = msg_string(m, "id", RTK_CASCADE_ID_MAX), *user = msg_string(m, "userId", RTK_CASCADE_ID_MAX);
	gboolean ok = id != NULL && user != NULL && json_is_integer(time) && json_integer_value(time) >= 0;
	g_free(id);
	g_free(user);
	return ok;
}

static gboolean msg_parse_chat(const json_t *root, rtk_cascade_msg *out, const char **why) {
	const char *event = json_string_value(json_object_get(root, "event"));
	for(int e = RTK_CASCADE_CHAT_HISTORY_ONE; event != NULL && e <= RTK_CASCADE_CHAT_UNPIN; e++)
		if(strcmp(event, chat_event_names[e]) == 0)
			out->chat_event = e;
	if(out->chat_event == 0) {
		*why = "chat needs an event (history, add, edit, delete, pin, unpin)";
		return FALSE;
	}
	if(out->chat_event == RTK_CASCADE_CHAT_DELETE) {
		out->message_id = msg_string(root, "messageId", RTK_CASCADE_ID_MAX);
		if(out->message_id == NULL)
			*why = "a chat delete needs messageId";
		return out->message_id != NULL;
	}
	const json_t *message = json_object_get(root, "message");
	if(!msg_chat_message_valid(message)) {
		*why = "a chat message needs id, userId and timeMs, and must be public";
		return FALSE;
	}
	out->message = json_incref((json_t *)message);
	return TRUE;
}

static gboolean msg_parse_broadcast(const json_t *root, rtk_cascade_msg *out, const char **why) {
	const json_t *payload = json_object_get(root, "payload"), *timestamp = json_object_get(root, "timestamp");
	gboolean fine = TRUE;
	out->message_type = msg_string(root, "messageType", RTK_CASCADE_BROADCAST_TYPE_MAX);
	out->sender_id = msg_string(root, "senderId", RTK_CASCADE_ID_MAX);
	out->preset_name = msg_optional_string(root, "presetName", 1024, &fine);
	if(out->message_type == NULL || out->sender_id == NULL || payload == NULL || !json_is_integer(timestamp) ||
			json_integer_value(timestamp) < 0 || !fine) {
		*why = "broadcast needs messageType, payload, timestamp (>= 0), senderId, and presetName a string or null";
		return FALSE;
	}
	out->payload = json_incref((json_t *)payload);
	out->timestamp = json_integer_value(timestamp);
	return TRUE;
}

static gboolean msg_request_id(const json_t *root, gint64 *out) {
	const json_t *value = json_object_get(root, "requestId");
	if(!json_is_integer(value) || json_integer_value(value) < 1 || json_integer_value(value) > ((json_int_t)1 << 53))
		return FALSE;
	*out = json_integer_value(value);
	return TRUE;
}

static gboolean msg_parse_forward(const json_t *root, rtk_cascade_msg *out, const char **why) {
	const json_t *sender = json_object_get(root, "sender"), *body = json_object_get(root, "body");
	const json_t *permissions = json_object_get(sender, "permissions");
	char *peer_id = msg_string(sender, "peerId", RTK_CASCADE_ID_MAX);
	char *user_id = msg_string(sender, "userId", RTK_CASCADE_ID_MAX);
	gboolean ok = msg_request_id(root, &out->request_id) && json_is_object(sender) && peer_id != NULL &&
		user_id != NULL && (permissions == NULL || json_is_object(permissions)) && json_is_object(body) &&
		json_is_string(json_object_get(body, "request"));
	g_free(peer_id);
	g_free(user_id);
	if(!ok) {
		*why = "forward needs requestId, sender (peerId, userId) and body (a request)";
		return FALSE;
	}
	out->sender = json_incref((json_t *)sender);
	out->body = json_incref((json_t *)body);
	return TRUE;
}

static gboolean msg_parse_result(const json_t *root, rtk_cascade_msg *out, const char **why) {
	const json_t *data = json_object_get(root, "data"), *error = json_object_get(root, "error");
	if(!msg_request_id(root, &out->request_id) || (data == NULL) == (error == NULL)) {
		*why = "result needs requestId and either data or error";
		return FALSE;
	}
	if(data != NULL) {
		if(!json_is_object(data)) {
			*why = "result's data must be an object";
			return FALSE;
		}
		out->data = json_incref((json_t *)data);
		return TRUE;
	}
	gboolean fine = TRUE;
	out->error_code = msg_string(error, "code", 4);
	out->error_message = msg_optional_string(error, "message", 1024, &fine);
	if(out->error_code == NULL || strlen(out->error_code) != 4 ||
			strspn(out->error_code, "0123456789") != 4 || !fine) {
		*why = "result's error needs a 4-digit code and a short message";
		return FALSE;
	}
	return TRUE;
}

gboolean rtk_cascade_msg_parse(const char *line, size_t len, rtk_cascade_msg *out, const char **why) {
	memset(out, 0, sizeof(*out));
	*why = NULL;
	if(len > RTK_CASCADE_LINE_MAX) {
		*why = "line too long";
		return FALSE;
	}
	json_t *root = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
	const char *type = json_string_value(json_object_get(root, "type"));
	gboolean ok = FALSE;
	if(!json_is_object(root) || type == NULL) {
		*why = "not a JSON object with a type";
	} else if(strcmp(type, "hello") == 0) {
		out->type = RTK_CASCADE_HELLO;
		ok = msg_parse_hello(root, out, why);
	} else if(strcmp(type, "state") == 0) {
		out->type = RTK_CASCADE_STATE;
		ok = msg_parse_state(root, out, why);
	} else if(strcmp(type, "ended") == 0) {
		out->type = RTK_CASCADE_ENDED;
		gboolean fine = TRUE;
		out->reason = msg_optional_string(root, "reason", 128, &fine);
		ok = fine;
		if(!ok)
			*why = "ended's reason must be a short string";
	} else if(strcmp(type, "pli") == 0) {
		out->type = RTK_CASCADE_PLI;
		ok = msg_uint32(root, "ssrc", &out->ssrc);
		if(!ok)
			*why = "pli needs ssrc (1..2^32-1)";
	} else if(strcmp(type, "audience") == 0) {
		out->type = RTK_CASCADE_AUDIENCE;
		const json_t *count = json_object_get(root, "count");
		ok = json_is_integer(count) && json_integer_value(count) >= 0 &&
			json_integer_value(count) <= RTK_CASCADE_AUDIENCE_MAX;
		if(ok)
			out->count = (int)json_integer_value(count);
		else
			*why = "audience needs count (0..1000000)";
	} else if(strcmp(type, "chat") == 0) {
		out->type = RTK_CASCADE_CHAT;
		ok = msg_parse_chat(root, out, why);
	} else if(strcmp(type, "poll") == 0) {
		out->type = RTK_CASCADE_POLL;
		const json_t *poll = json_object_get(root, "poll");
		char *id = msg_string(poll, "id", RTK_CASCADE_ID_MAX);
		ok = json_is_object(poll) && id != NULL;
		g_free(id);
		if(ok)
			out->poll = json_incref((json_t *)poll);
		else
			*why = "poll needs a poll object with an id";
	} else if(strcmp(type, "broadcast") == 0) {
		out->type = RTK_CASCADE_BROADCAST;
		ok = msg_parse_broadcast(root, out, why);
	} else if(strcmp(type, "forward") == 0) {
		out->type = RTK_CASCADE_FORWARD;
		ok = msg_parse_forward(root, out, why);
	} else if(strcmp(type, "result") == 0) {
		out->type = RTK_CASCADE_RESULT;
		ok = msg_parse_result(root, out, why);
	} else {
		*why = "unknown type";
	}
	json_decref(root);
	if(!ok)
		rtk_cascade_msg_clear(out);
	return ok;
}

void rtk_cascade_msg_clear(rtk_cascade_msg *msg) {
	g_free(msg->key);
	g_free(msg->meeting_id);
	g_free(msg->session_id);
	g_free(msg->reason);
	g_free(msg->active_speaker);
	g_free(msg->message_id);
	g_free(msg->error_code);
	g_free(msg->error_message);
	json_decref(msg->message);
	json_decref(msg->poll);
	g_free(msg->message_type);
	json_decref(msg->payload);
	g_free(msg->sender_id);
	g_free(msg->preset_name);
	json_decref(msg->sender);
	json_decref(msg->body);
	json_decref(msg->data);
	if(msg->peers != NULL)
		g_ptr_array_free(msg->peers, TRUE);
	if(msg->streams != NULL)
		g_ptr_array_free(msg->streams, TRUE);
	memset(msg, 0, sizeof(*msg));
}

/* ---- building ---- */

/* `object` (stolen) as one line. */
static char *msg_line(json_t *object) {
	char *text = json_dumps(object, JSON_COMPACT);
	json_decref(object);
	char *line = g_strconcat(text ? text : "{}", "\n", NULL);
	free(text);
	return line;
}

char *rtk_cascade_hello_line(const char *key, const char *meeting_id, int rtp_port) {
	return msg_line(json_pack("{ss ss ss si}", "type", "hello", "key", key ? key : "",
		"meetingId", meeting_id ? meeting_id : "", "rtpPort", rtp_port));
}

char *rtk_cascade_audience_line(int count) {
	return msg_line(json_pack("{ss si}", "type", "audience", "count", CLAMP(count, 0, RTK_CASCADE_AUDIENCE_MAX)));
}

char *rtk_cascade_pli_line(uint32_t ssrc) {
	return msg_line(json_pack("{ss sI}", "type", "pli", "ssrc", (json_int_t)ssrc));
}

char *rtk_cascade_ended_line(const char *reason) {
	return msg_line(json_pack("{ss ss?}", "type", "ended", "reason", reason));
}

char *rtk_cascade_chat_line(rtk_cascade_chat_event event, const json_t *message, const char *message_id) {
	json_t *line = json_pack("{ss ss?}", "type", "chat", "event", rtk_cascade_chat_event_name(event));
	if(event == RTK_CASCADE_CHAT_DELETE)
		json_object_set_new(line, "messageId", json_string(message_id ? message_id : ""));
	else
		json_object_set(line, "message", message ? (json_t *)message : json_null());
	return msg_line(line);
}

char *rtk_cascade_poll_line(const json_t *state) {
	return msg_line(json_pack("{ss sO}", "type", "poll", "poll", state ? (json_t *)state : json_null()));
}

char *rtk_cascade_broadcast_line(const char *message_type, const json_t *payload, gint64 timestamp,
		const char *sender_id, const char *preset_name) {
	return msg_line(json_pack("{ss ss sO sI ss ss?}", "type", "broadcast", "messageType", message_type ? message_type : "",
		"payload", payload ? (json_t *)payload : json_null(), "timestamp", (json_int_t)timestamp,
		"senderId", sender_id ? sender_id : "", "presetName", preset_name));
}

char *rtk_cascade_forward_line(gint64 request_id, const json_t *sender, const json_t *body) {
	return msg_line(json_pack("{ss sI sO sO}", "type", "forward", "requestId", (json_int_t)request_id,
		"sender", sender, "body", body));
}

char *rtk_cascade_result_line(gint64 request_id, const json_t *data, const char *code, const char *message) {
	json_t *line = json_pack("{ss sI}", "type", "result", "requestId", (json_int_t)request_id);
	if(data != NULL)
		json_object_set(line, "data", (json_t *)data);
	else
		json_object_set_new(line, "error", json_pack("{ss ss?}", "code", code ? code : "0010", "message", message));
	return msg_line(line);
}

char *rtk_cascade_state_line(const char *session_id, json_t *peers, GPtrArray *streams, const char *active_speaker) {
	json_t *list = json_array();
	for(guint i = 0; streams != NULL && i < streams->len; i++) {
		const rtk_cascade_stream *s = g_ptr_array_index(streams, i);
		json_array_append_new(list, json_pack("{sI ss ss sb}", "ssrc", (json_int_t)s->ssrc,
			"peerId", s->peer_id, "kind", rtk_media_kind_name(s->kind), "enabled", s->enabled));
	}
	json_t *empty = peers ? NULL : json_array();
	char *line = msg_line(json_pack("{ss ss sO so ss?}", "type", "state", "sessionId", session_id ? session_id : "",
		"peers", peers ? peers : empty, "streams", list, "activeSpeaker", active_speaker));
	json_decref(empty);
	return line;
}

/* ---- framing ---- */

void rtk_cascade_lines_init(rtk_cascade_lines *lines) {
	lines->pending = g_string_new(NULL);
}

void rtk_cascade_lines_clear(rtk_cascade_lines *lines) {
	if(lines->pending != NULL)
		g_string_free(lines->pending, TRUE);
	lines->pending = NULL;
}

gboolean rtk_cascade_lines_feed(rtk_cascade_lines *lines, const char *data, size_t len,
		gboolean (*each)(const char *line, size_t line_len, void *user), void *user) {
	while(len > 0) {
		const char *newline = memchr(data, '\n', len);
		size_t chunk = newline ? (size_t)(newline - data) : len;
		if(lines->pending->len + chunk > RTK_CASCADE_LINE_MAX)
			return FALSE;
		g_string_append_len(lines->pending, data, chunk);
		if(newline == NULL)
			return TRUE;
		data += chunk + 1;
		len -= chunk + 1;
		if(lines->pending->len > 0) {
			gboolean go_on = each(lines->pending->str, lines->pending->len, user);
			g_string_truncate(lines->pending, 0);
			if(!go_on)
				return FALSE;
		}
	}
	return TRUE;
}
