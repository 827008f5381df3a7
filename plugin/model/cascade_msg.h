/*
 * cascade_msg.h - the wire format of the cascade control channel between
 * an edge node and the node that owns a meeting (docs/deploy.md,
 * "Cascading a large meeting"), and its line framing.
 *
 * Owns the parsing and the building of the channel's messages, so that
 * what arrives from another node is checked in one place (unit test
 * tests/unit/test_cascade_msg.c, fuzz target tests/fuzz/fuzz_cascade_msg.c).
 * The channel is a TCP connection carrying one JSON object per line
 * (at most RTK_CASCADE_LINE_MAX bytes):
 *
 *   edge -> owner  {"type":"hello","key":API key,"meetingId":..,"rtpPort":N}
 *                  {"type":"pli","ssrc":N}    a keyframe of that stream
 *                  {"type":"audience","count":N} the viewers it holds now
 *                      (0..RTK_CASCADE_AUDIENCE_MAX), when that changed
 *                  {"type":"forward","requestId":N,"sender":{..},"body":{..}}
 *                      a request of an edge viewer the owner decides
 *                      (chat.sendMessage in public, chat.editMessage,
 *                      chat.deleteMessage, chat.pin, chat.unpin of public
 *                      messages, polls.create, polls.vote,
 *                      participants.broadcastMessage to everyone or to a
 *                      preset): "body" is the
 *                      viewer's request as it sent it, "sender" who it is:
 *                      {"peerId","userId","name","picture",
 *                      "customParticipantId","presetName","permissions"}
 *   owner -> edge  {"type":"state","sessionId":..,"peers":[..],"streams":[..],
 *                   "activeSpeaker":peer id or null}
 *                  {"type":"ended","reason":..}  then the owner closes
 *                  {"type":"chat","event":E,"message":{..}} a public chat
 *                      message (docs/protocol.md's Message object) as the
 *                      owner's participants get it; E is "add", "edit",
 *                      "pin", "unpin", or "history" (one of the messages
 *                      sent before the edge came, oldest first, before
 *                      its first state: shown without an event);
 *                  {"type":"chat","event":"delete","messageId":..}
 *                  {"type":"poll","poll":{..}} a poll of the session, new or
 *                      with new votes: its state with the votes from
 *                      "from" on, at most 200 (room.h, rtk_room_poll_state;
 *                      the edge shows each viewer its own view of it); the
 *                      polls of the session when the edge connects, before
 *                      its first state
 *                  {"type":"broadcast","messageType":..,"payload":any,
 *                   "timestamp":ms,"senderId":..,"presetName":.. or null}
 *                      a participants.broadcastMessage the owner routed to
 *                      everyone (or to a preset), its sender's included
 *                  {"type":"result","requestId":N,"data":{..}} or
 *                  {"type":"result","requestId":N,"error":{"code","message"}}
 *                      the owner's answer to a forward (data: the reply's
 *                      fields, as to one of its own participants), after
 *                      the chat line the request caused
 *
 * "peers" are the participant objects of docs/protocol.md (id, userId,
 * name, picture, customParticipantId, presetName, audioEnabled,
 * videoEnabled, screenShareEnabled, stageStatus, isPinned); "streams" are
 * {"ssrc", "peerId", "kind" ("audio"|"video"|"screenshare"), "enabled"}:
 * the owner sends each stream's RTP to the edge's rtpPort with that SSRC.
 * "activeSpeaker" is the owner's active speaker (one of "peers"), which
 * the edge cannot detect (it gets no audio levels); absent or null: none.
 *
 * Plain C + GLib + Jansson; no Janus. Not thread-safe per object.
 */
#ifndef RTK_CASCADE_MSG_H
#define RTK_CASCADE_MSG_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>
#include <jansson.h>
#include "permissions.h"
#include "peer.h"

#define RTK_CASCADE_LINE_MAX (512 * 1024)
#define RTK_CASCADE_PEERS_MAX 2000
#define RTK_CASCADE_STREAMS_MAX 512
#define RTK_CASCADE_ID_MAX 128
/* The public chat messages an owner sends a new edge (the newest). */
#define RTK_CASCADE_CHAT_HISTORY 1000
/* The longest broadcast type (request_parse.h's RTK_BROADCAST_TYPE_MAX). */
#define RTK_CASCADE_BROADCAST_TYPE_MAX 64

typedef enum rtk_cascade_msg_type {
	RTK_CASCADE_HELLO = 1,
	RTK_CASCADE_STATE,
	RTK_CASCADE_ENDED,
	RTK_CASCADE_PLI,
	RTK_CASCADE_CHAT,
	RTK_CASCADE_FORWARD,
	RTK_CASCADE_RESULT,
	RTK_CASCADE_POLL,
	RTK_CASCADE_BROADCAST,
	RTK_CASCADE_AUDIENCE
} rtk_cascade_msg_type;

/* What happened to a mirrored public chat message. */
typedef enum rtk_cascade_chat_event {
	RTK_CASCADE_CHAT_HISTORY_ONE = 1,
	RTK_CASCADE_CHAT_ADD,
	RTK_CASCADE_CHAT_EDIT,
	RTK_CASCADE_CHAT_DELETE,
	RTK_CASCADE_CHAT_PIN,
	RTK_CASCADE_CHAT_UNPIN
} rtk_cascade_chat_event;

/* A remote participant as the edge shows it. All strings owned. */
typedef struct rtk_cascade_peer {
	char *id;                 /* the owner's peer id */
	char *user_id;
	char *name, *picture, *custom_participant_id, *preset_name;   /* may be NULL */
	gboolean media_enabled[RTK_MEDIA_KINDS];
	rtk_stage_status stage;
	gboolean pinned;
} rtk_cascade_peer;

typedef struct rtk_cascade_stream {
	uint32_t ssrc;            /* never 0 */
	char *peer_id;            /* owned */
	rtk_media_kind kind;
	gboolean enabled;
} rtk_cascade_stream;

typedef struct rtk_cascade_msg {
	rtk_cascade_msg_type type;
	/* hello */
	char *key, *meeting_id;
	int rtp_port;             /* 1..65535 */
	/* state */
	char *session_id;
	GPtrArray *peers;         /* rtk_cascade_peer*, owned */
	GPtrArray *streams;       /* rtk_cascade_stream*, owned; ssrcs distinct */
	char *active_speaker;     /* a peer id, or NULL */
	/* ended */
	char *reason;             /* may be NULL */
	/* pli */
	uint32_t ssrc;
	/* audience */
	int count;                /* 0..RTK_CASCADE_AUDIENCE_MAX */
	/* chat */
	rtk_cascade_chat_event chat_event;
	json_t *message;          /* a reference: the Message object (all but delete); its "id", "userId"
	                             are strings of at most RTK_CASCADE_ID_MAX bytes, "timeMs" an integer
	                             >= 0; never "channelId" nor "targetUserIds" (public only) */
	char *message_id;         /* delete: the message's id */
	/* poll */
	json_t *poll;             /* a reference: an object with a string "id" of at most RTK_CASCADE_ID_MAX
	                             bytes (the rest is checked by rtk_room_poll_mirror) */
	/* broadcast */
	char *message_type;       /* 1..RTK_CASCADE_BROADCAST_TYPE_MAX bytes */
	json_t *payload;          /* a reference: any JSON */
	gint64 timestamp;         /* ms since the epoch, >= 0 */
	char *sender_id;          /* a peer id */
	char *preset_name;        /* may be NULL */
	/* forward and result */
	gint64 request_id;        /* 1..2^53 */
	json_t *sender;           /* forward, a reference: "peerId", "userId" strings of at most
	                             RTK_CASCADE_ID_MAX bytes; "permissions" an object or absent */
	json_t *body;             /* forward, a reference: an object with a string "request" */
	json_t *data;             /* result, a reference: an object, or NULL with... */
	char *error_code;         /* ...result: 4 digits */
	char *error_message;      /* result: may be NULL */
} rtk_cascade_msg;

/* Whether a participant holding `p` can never send media in a meeting, so
 * it may join an edge (it only receives): every kind NOT_ALLOWED, or a
 * stage-enabled preset whose stage_access is NOT_ALLOWED (it never gets
 * on stage, where producing would need to be). */
gboolean rtk_cascade_receive_only(const rtk_permissions *p);

/* Parses one line (without its '\n'; need not be NUL-terminated) into
 * `out` (zeroed by the call). FALSE with a reason in `why` (a static
 * string) when it is not a valid message; then `out` holds nothing. */
gboolean rtk_cascade_msg_parse(const char *line, size_t len, rtk_cascade_msg *out, const char **why);
/* Frees what `msg` holds and zeroes it. */
void rtk_cascade_msg_clear(rtk_cascade_msg *msg);

void rtk_cascade_peer_free(rtk_cascade_peer *peer);
/* The peer (owned by the caller) read from a participant object
 * (borrowed), or NULL when it lacks a string id or userId. */
rtk_cascade_peer *rtk_cascade_peer_from_json(const json_t *participant);
/* Whether two peers would show the same (everything the edge mirrors). */
gboolean rtk_cascade_peer_same(const rtk_cascade_peer *a, const rtk_cascade_peer *b);

/* A forward's "sender" for the edge viewer `peer` (NEW). */
json_t *rtk_cascade_sender_json(const rtk_peer *peer);
/* The owner's stand-in for a forward's sender (a parsed message's, so
 * with peerId and userId): a peer outside any room, without transport,
 * with the sender's ids, names and permissions (rtk_peer_free). */
rtk_peer *rtk_cascade_sender_peer(const json_t *sender);

/* Building lines: each returns a NEW string ending in '\n' (g_free). */
char *rtk_cascade_hello_line(const char *key, const char *meeting_id, int rtp_port);
char *rtk_cascade_pli_line(uint32_t ssrc);
/* An edge's viewers now (count clamped to 0..RTK_CASCADE_AUDIENCE_MAX). */
#define RTK_CASCADE_AUDIENCE_MAX 1000000
char *rtk_cascade_audience_line(int count);
char *rtk_cascade_ended_line(const char *reason);
/* `event` one of the chat events; `message` (borrowed) the Message
 * object, or for RTK_CASCADE_CHAT_DELETE `message_id`. */
char *rtk_cascade_chat_line(rtk_cascade_chat_event event, const json_t *message, const char *message_id);
/* `state` (borrowed): a poll's state. */
char *rtk_cascade_poll_line(const json_t *state);
/* `payload` borrowed; `preset_name` may be NULL. */
char *rtk_cascade_broadcast_line(const char *message_type, const json_t *payload, gint64 timestamp,
	const char *sender_id, const char *preset_name);
/* `sender` and `body` borrowed. */
char *rtk_cascade_forward_line(gint64 request_id, const json_t *sender, const json_t *body);
/* `data` (borrowed) on success, else `code` and `message`. */
char *rtk_cascade_result_line(gint64 request_id, const json_t *data, const char *code, const char *message);
/* The name of a chat event on the wire ("add", ...), or NULL. */
const char *rtk_cascade_chat_event_name(rtk_cascade_chat_event event);

/* `peers`: a JSON array of participant objects (borrowed); `streams`:
 * rtk_cascade_stream* (borrowed); `active_speaker` a peer id or NULL. */
char *rtk_cascade_state_line(const char *session_id, json_t *peers, GPtrArray *streams, const char *active_speaker);

/* Line framing of a byte stream: bytes in, complete lines out. */
typedef struct rtk_cascade_lines {
	GString *pending;         /* the incomplete last line */
} rtk_cascade_lines;

void rtk_cascade_lines_init(rtk_cascade_lines *lines);
void rtk_cascade_lines_clear(rtk_cascade_lines *lines);
/* Appends `len` bytes and calls `each(line, line_len, user)` for every
 * complete line (without '\n'; empty lines skipped). FALSE when a line is
 * longer than RTK_CASCADE_LINE_MAX or `each` returned FALSE: the
 * connection must be dropped. */
gboolean rtk_cascade_lines_feed(rtk_cascade_lines *lines, const char *data, size_t len,
	gboolean (*each)(const char *line, size_t line_len, void *user), void *user);

#endif
