/*
 * request_parse.h - the body of a signalling request (docs/protocol.md),
 * read without side effects: which request it names and, for that request,
 * its fields with their types checked.
 *
 * Owns the reading of the JSON a client sends on a main or subscriber
 * handle: every field a request handler (requests.c) uses is read here, so
 * the untrusted part of the signalling is plain C + GLib + Jansson (no
 * Janus) that a unit test (tests/unit/test_request_parse.c) and a fuzzer
 * (tests/fuzz/fuzz_requests.c) drive. What the fields mean for the meeting
 * is the handlers' and the room model's business, not this file's.
 *
 * Two kinds of error, answered at different times:
 *   - the body names no request we know (not an object, no string
 *     "request", an unknown name): rtk_request_parse() returns FALSE and the
 *     dispatcher answers at once;
 *   - a field is missing or mistyped: rtk_request_parse() returns TRUE with
 *     `error` set, and the handler answers it after its own checks (the
 *     handle's role, the caller's permissions), as it always did, so a
 *     request on the wrong handle keeps its "join first" answer.
 *
 * Memory: a rtk_request borrows from the body it was read from (strings
 * and arrays point into it): keep the body alive while it is used.
 */
#ifndef RTK_REQUEST_PARSE_H
#define RTK_REQUEST_PARSE_H

#include <glib.h>
#include <jansson.h>
#include "errors.h"
#include "permissions.h"
#include "peer.h"
#include "view.h"
#include "capture_config.h"
#include "chat.h"

typedef enum rtk_request_kind {
	RTK_REQ_JOIN = 0,
	RTK_REQ_PUBLISH,
	RTK_REQ_UNPUBLISH,
	RTK_REQ_CONFIGURE,
	RTK_REQ_LEAVE,
	RTK_REQ_SUBSCRIBE,
	RTK_REQ_START,
	RTK_REQ_ACCEPT_WAITING,
	RTK_REQ_ACCEPT_ALL_WAITING,
	RTK_REQ_REJECT_WAITING,
	RTK_REQ_DISABLE_ALL_AUDIO,
	RTK_REQ_DISABLE_ALL_VIDEO,
	RTK_REQ_KICK_ALL,
	RTK_REQ_UPDATE_PERMISSIONS,
	RTK_REQ_DISABLE_AUDIO,
	RTK_REQ_DISABLE_VIDEO,
	RTK_REQ_DISABLE_SCREENSHARE,
	RTK_REQ_KICK,
	RTK_REQ_PIN,
	RTK_REQ_UNPIN,
	RTK_REQ_STAGE_REQUEST,
	RTK_REQ_STAGE_CANCEL,
	RTK_REQ_STAGE_GRANT,
	RTK_REQ_STAGE_DENY,
	RTK_REQ_STAGE_JOIN,
	RTK_REQ_STAGE_LEAVE,
	RTK_REQ_STAGE_KICK,
	RTK_REQ_STAGE_REQUESTS,
	RTK_REQ_SET_VIEW_MODE,
	RTK_REQ_SET_PAGE,
	RTK_REQ_SET_MAX_ACTIVE,
	RTK_REQ_MEETING_END,
	RTK_REQ_RECORDING_START,
	RTK_REQ_RECORDING_STOP,
	RTK_REQ_RECORDING_PAUSE,
	RTK_REQ_RECORDING_RESUME,
	RTK_REQ_LIVESTREAM_START,
	RTK_REQ_LIVESTREAM_STOP,
	RTK_REQ_SYNC,
	RTK_REQ_BROADCAST_MESSAGE,
	RTK_REQ_CHAT_SEND,
	RTK_REQ_CHAT_EDIT,
	RTK_REQ_CHAT_DELETE,
	RTK_REQ_CHAT_PIN,
	RTK_REQ_CHAT_UNPIN,
	RTK_REQ_CHAT_GET_MESSAGES,
	RTK_REQ_CHAT_SEARCH,
	RTK_REQ_CHAT_CREATE_CHANNEL,
	RTK_REQ_CHAT_UPDATE_CHANNEL,
	RTK_REQ_CHAT_CHANNEL_MEMBERS,
	RTK_REQ_CHAT_MARK_READ,
	RTK_REQ_PREJOIN,            /* on a fresh handle, with the token: joins nothing */
	RTK_REQ_POLL_CREATE,
	RTK_REQ_POLL_VOTE,
	RTK_REQ_SET_BROADCAST_TABS,
	RTK_REQ_SET_ACTIVE_TAB,
	RTK_REQ_CONNECTED_GET,
	RTK_REQ_CONNECTED_CREATE,
	RTK_REQ_CONNECTED_UPDATE,
	RTK_REQ_CONNECTED_DELETE,
	RTK_REQ_CONNECTED_MOVE,
	RTK_REQ_CONNECTED_MOVE_PRESET,
	RTK_REQ_PLUGINS_LIST,
	RTK_REQ_PLUGIN_ACTIVATE,
	RTK_REQ_PLUGIN_DEACTIVATE,
	RTK_REQ_PLUGIN_SEND_DATA,
	RTK_REQ_PLUGIN_SET_STATE,
	RTK_REQ_PLUGIN_VIEW_MODE,
	RTK_REQ_COUNT
} rtk_request_kind;

/* The handle a request arrived on: `configure` reads media switches on a
 * main handle and simulcast layers on a subscriber handle. */
typedef enum rtk_request_handle {
	RTK_REQUEST_ON_NEW = 0,      /* neither joined nor subscribed yet */
	RTK_REQUEST_ON_MAIN,
	RTK_REQUEST_ON_SUBSCRIBER
} rtk_request_handle;

/* chat.searchMessages: the longest query, in bytes; getMessages' page size when not given. */
#define RTK_CHAT_QUERY_MAX 256
#define RTK_CHAT_PAGE_DEFAULT 25

/* The fields of the chat.* requests (docs/protocol.md, "Chat"); strings
 * and arrays are borrowed from the body, and NULL when absent. */
typedef struct rtk_chat_request {
	rtk_chat_content content;     /* sendMessage, editMessage: "message" {type, message} (text: content.text)
	                                 or {type, fileId} (image, file: the glue fills link, name, size) */
	const char *file_id;          /* ... "message.fileId" of an upload */
	const char *message_id;       /* editMessage, deleteMessage, pin, unpin, markLastReadMessage "messageId" */
	const char *channel_id;       /* sendMessage, getMessages, searchMessages, updateChannel,
	                                 getChannelMembers, markLastReadMessage "channelId" */
	const json_t *participant_ids;   /* sendMessage "participantIds": a non-empty array of strings */
	gint64 timestamp;             /* getMessages "timestamp" (ms since the epoch); -1: now */
	gint64 size;                  /* getMessages "size", searchMessages "limit": 1..RTK_CHAT_PAGE_MAX */
	gboolean reversed;            /* getMessages "reversed" (default true: back in time) */
	gint64 offset;                /* getMessages "offset" >= 0 */
	const char *query;            /* searchMessages "query": 1..RTK_CHAT_QUERY_MAX bytes */
	const char *name;             /* createChannel, updateChannel "name" */
	const json_t *member_ids;     /* createChannel (required, may be empty), updateChannel "memberIds" */
	const char *picture;          /* createChannel "displayPictureUrl" */
	const char *visibility;       /* createChannel "visibility": "public" or "private" */
	gboolean direct;              /* createChannel "isDirectMessage" */
} rtk_chat_request;

/* The longest name a join may carry, in bytes (the REST API's participant name limit). */
#define RTK_DISPLAY_NAME_MAX 1024
/* broadcastMessage: the longest "type", and the largest "payload" as compact JSON, in bytes. */
#define RTK_BROADCAST_TYPE_MAX 64
#define RTK_BROADCAST_PAYLOAD_MAX 16384

typedef struct rtk_request {
	rtk_request_kind kind;
	const char *name;             /* the body's "request" */
	/* The first missing or mistyped field (code NULL: none), or with
	 * rtk_request_parse() FALSE why the body names no request. */
	rtk_refusal error;
	/* Fields, by request; only those of `kind` are set (the rest are zero). */
	const char *display_name;     /* join: "name", the name for this presence (self.setName before
	                                 join), or NULL; non-empty, at most RTK_DISPLAY_NAME_MAX bytes */
	gboolean origin;              /* join: "origin", a boolean (absent: false): true joins on the
	                                 meeting's node only, never on a cascade edge (after 0807) */
	const json_t *descriptions;   /* publish: "descriptions" as sent (media.h reads it), or NULL */
	int media[RTK_MEDIA_KINDS];   /* configure on a main handle: "audio", "video", "screenshare":
	                                 -1 absent, 0 false, 1 true */
	const char *mid;              /* configure on a subscriber handle: NULL when absent */
	gint64 substream, temporal;   /* ... -1 when absent */
	gboolean restart;             /* configure on a subscriber handle: "restart" (ICE restart offer) */
	const char *target;           /* accept/rejectWaitingRoomRequest "id"; participant.* "participantId":
	                                 a non-empty string */
	const json_t *ids;            /* updatePermissions "participantIds", stage grant/deny/kick "userIds":
	                                 a non-empty array of strings; broadcastMessage "participantIds"
	                                 (NULL when absent) */
	const char *message_type;     /* broadcastMessage "type": non-empty, at most RTK_BROADCAST_TYPE_MAX bytes */
	const json_t *payload;        /* broadcastMessage "payload": an object, at most
	                                 RTK_BROADCAST_PAYLOAD_MAX bytes as compact JSON */
	const char *preset_name;      /* broadcastMessage "presetName", or NULL (never with participantIds) */
	const json_t *meeting_ids;    /* broadcastMessage "meetingIds": a non-empty array of strings, or NULL
	                                 (never with participantIds): other meetings of the family */
	const json_t *permissions;    /* updatePermissions: an object (the room model checks its keys) */
	gboolean allow_unmute;        /* disable*: "allowUnmute" */
	gboolean allow_multiple;      /* recording.start: "allowMultiple" */
	rtk_recording_config config;  /* recording.start: "config" over the defaults */
	const char *recording_id;     /* recording.stop/pause/resume: "id", NULL: every recording */
	rtk_view_mode view_mode;      /* setViewMode */
	gint64 page;                  /* setPage */
	gint64 count;                 /* setMaxActiveParticipantsCount */
	rtk_chat_request chat;        /* chat.* */
	/* polls.create: "question" a string, "options" an array of strings (their
	 * lengths and count are the room model's limits), "anonymous" and
	 * "hideVotes" optional booleans (FALSE when absent). */
	const char *question;
	const json_t *options;
	gboolean anonymous, hide_votes;
	const char *poll_id;          /* polls.vote "pollId": a non-empty string */
	gint64 index;                 /* polls.vote "index": an integer (the model checks its range) */
	gboolean enabled;             /* meta.setBroadcastTabChanges "enabled": a required boolean */
	/* meta.setSelfActiveTab "tab": {type: 1..RTK_TAB_TYPE_MAX bytes, id: at
	 * most RTK_TAB_ID_MAX bytes, or null or absent (tab_id NULL)}. */
	const char *tab_type;
	const char *tab_id;
	/* connectedMeetings.* (docs/protocol.md, "Connected meetings"): the
	 * contents of "meetings" are the room model's to check
	 * (rtk_connected_meetings_valid). */
	struct {
		const json_t *meetings;       /* createMeetings, updateMeetings "meetings": an array */
		const json_t *meeting_ids;    /* deleteMeetings "meetingIds": a non-empty array of strings */
		const char *source;           /* moveParticipants* "sourceMeetingId" */
		const char *destination;      /* ... "destinationMeetingId" */
		const json_t *participant_ids;/* ... "participantIds": a non-empty array of strings */
		const char *preset_name;      /* moveParticipantsWithCustomPreset "presetName" or */
		const char *preset_id;        /* ... "presetId": exactly one of them */
	} connected;
	/* plugins.activate, deactivate, sendData, setState, toggleViewMode
	 * "pluginId": 1..RTK_PLUGIN_ID_MAX bytes. */
	const char *plugin_id;
	const json_t *plugin_data;    /* plugins.sendData "data": an object (the model checks its size) */
	const char *state_key;        /* plugins.setState "key": a string (the model checks its length) */
	const json_t *state_value;    /* plugins.setState "value": any JSON, null (or absent) removes the key */
} rtk_request;

/* The longest plugin id a request may name. */
#define RTK_PLUGIN_ID_MAX 64

/* Reads `body` (borrowed, not modified) as a request on a handle in role
 * `on` into `req`. FALSE when the body names no request we know, with the
 * reason in req->error (RTK_ERR_BAD_REQUEST or RTK_ERR_UNKNOWN_REQUEST).
 * TRUE otherwise, req->error.code set when a field is wrong. */
gboolean rtk_request_parse(const json_t *body, rtk_request_handle on, rtk_request *req);

/* The request name of `kind` (as a client spells it), or NULL. */
const char *rtk_request_name(rtk_request_kind kind);

#endif
