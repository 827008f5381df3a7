/*
 * rest.h - REST v2 request dispatch, independent of the HTTP server.
 *
 * http.c turns a libmicrohttpd request into an rtk_rest_request and sends
 * the rtk_rest_reply back; unit tests and the fuzzer call
 * rtk_rest_dispatch() directly. Handlers live one file per resource
 * (rest_meetings.c, rest_presets.c, rest_participants.c). Chat file
 * uploads stream their body to disk instead of passing it in
 * rtk_rest_request: http.c drives them through rest_internal.h's
 * rtk_rest_chat_upload_*() (rtk_rest_dispatch() takes a body in memory).
 *
 * Paths: /v2/... and /accounts/{account_id}/realtime/kit/{app_id}/... reach
 * the same handlers.
 */
#ifndef RTK_REST_H
#define RTK_REST_H

#include <stddef.h>
#include <glib.h>
#include <jansson.h>
#include "store.h"
#include "hls.h"
#include "plugin_registry.h"

#define RTK_REST_MAX_BODY (1024 * 1024)   /* larger bodies: 413 */

/* This node's forwarding of live operations to the node running a
 * meeting (node_forward.h); none on one node. */
typedef struct rtk_node_forward rtk_node_forward;

/*
 * What the REST API asks of the live meetings, which only the plugin knows
 * (design.md section 2: one process holds the live state). The plugin fills
 * this in; every function runs on an HTTP thread and must do its own
 * locking. Each returns a NEW reference, or NULL when the meeting has no
 * live session. Participants are named by REST participant id (user id) or
 * by custom_participant_id; the arrays are borrowed arrays of strings.
 */
/*
 * What the plugin tells /metrics (rtk_live_ops.metrics, metrics.h): the
 * live meetings now, and the RTP the relay forwarded since the start.
 */
typedef struct rtk_live_metrics {
	unsigned long long meetings;       /* meetings in session */
	unsigned long long participants;   /* participants joined in them (waitlisted ones not) */
	unsigned long long publishers;     /* participants publishing at least one stream */
	unsigned long long subscribers;    /* subscriber handles receiving a meeting's streams */
	unsigned long long rtp_packets;    /* RTP packets sent to subscribers (counter) */
	unsigned long long rtp_bytes;      /* their bytes, RTP headers included (counter) */
} rtk_live_metrics;

typedef struct rtk_live_ops {
	/* {id, meeting_id, started_at, live_participants, participants: [...]} */
	json_t *(*active_session)(const char *meeting_id, void *user_data);
	/* The participants removed ("kicked"); all but none when both arrays are NULL. */
	json_t *(*kick)(const char *meeting_id, const json_t *participant_ids,
		const json_t *custom_participant_ids, gboolean all, void *user_data);
	/* The participants whose audio was turned off by the server. */
	json_t *(*mute)(const char *meeting_id, const json_t *participant_ids,
		const json_t *custom_participant_ids, gboolean all, gboolean allow_unmute, void *user_data);
	/*
	 * Recordings and livestreams (plugin/capture.h). The starts and actions
	 * return the REST object (NEW reference), or NULL with *status (an HTTP
	 * status: 404 no such recording, 409 no live session or a state that
	 * does not allow it, 422 bad config, 500 the companion did not start)
	 * and *message (g_malloc'd; the caller g_free()s it). The plugin is
	 * the only writer of recording and livestream rows: these return once
	 * the change is in the store, so a GET that follows reads it.
	 */
	/* `body`: the checked POST /v2/recordings fields, plus "caller"
	 * {user_id, name} when a participant's token started it (set by the
	 * gateway, never taken from the request; absent: the API key). */
	json_t *(*recording_start)(const char *meeting_id, const json_t *body, int *status, char **message,
		void *user_data);
	/* POST /v2/recordings/track: `body` its checked fields (meeting_id,
	 * layers, user_ids, max_seconds; plugin/model/track_config.h), plus
	 * "caller" as above. */
	json_t *(*track_recording_start)(const char *meeting_id, const json_t *body, int *status, char **message,
		void *user_data);
	/* `action`: "stop", "pause" or "resume". */
	json_t *(*recording_action)(const char *recording_id, const char *action, int *status, char **message,
		void *user_data);
	/* The newest unfinished recording of the meeting, or NULL. */
	json_t *(*recording_active)(const char *meeting_id, void *user_data);
	/* `qualities`: the POST body's livestream_viewer_qualities (heights, n 0..4);
	 * `vod`: its vod flag (keep every segment and leave a VOD playlist);
	 * `layout`: its video_config.layout (GRID, ACTIVE_SPEAKER or
	 * PRESENTATION), NULL for GRID. */
	json_t *(*livestream_start)(const char *meeting_id, const char *name, const int *qualities, int n_qualities,
		bool vod, const char *layout, int *status, char **message, void *user_data);
	json_t *(*livestream_stop)(const char *meeting_id, int *status, char **message, void *user_data);
	/* The meeting's running livestream, or NULL. */
	json_t *(*livestream_active)(const char *meeting_id, void *user_data);
	/*
	 * Changes made over REST that reach live presences at once (docs/rest.md,
	 * "Changes that reach live meetings"); each may be NULL and returns
	 * nothing. participant_removed: the participant leaves the meeting with
	 * roomLeft "kicked" and `reason` ("participant_deleted",
	 * "token_revoked"). participant_preset: its preset is now `preset`
	 * (borrowed store object). preset_changed: every live presence holding
	 * the preset with `preset`'s id gets the new one.
	 */
	void (*participant_removed)(const char *meeting_id, const char *participant_id, const char *reason,
		void *user_data);
	void (*participant_preset)(const char *meeting_id, const char *participant_id, const json_t *preset,
		void *user_data);
	void (*preset_changed)(const json_t *preset, void *user_data);
	/*
	 * A poll created by the server in the meeting's live session (docs/rest.md,
	 * "Create a poll"): `options` a borrowed array of strings. Returns the
	 * REST poll object (NEW reference) once every participant that may view
	 * polls got its pollsUpdate, or NULL with *status (404 no live session,
	 * 422 a question or option out of the limits, 409 too many polls) and
	 * *message (g_malloc'd; the caller g_free()s it).
	 */
	json_t *(*poll_create)(const char *meeting_id, const char *question, const json_t *options,
		gboolean anonymous, gboolean hide_votes, int *status, char **message, void *user_data);
	/* Does participant `user_id`, joined in `meeting_id`'s live session,
	 * see a chat message carrying upload `file_id` (docs/rest.md, "Chat
	 * files")? FALSE without a live session. May be NULL: nobody but the
	 * uploader downloads. */
	gboolean (*chat_file_visible)(const char *meeting_id, const char *file_id, const char *user_id,
		void *user_data);
	/* Fills *out for /metrics and /healthz (metrics.h). FALSE when the
	 * plugin's state could not be read within `timeout_ms` (the plugin
	 * does not answer: /healthz says 503). May be NULL. */
	gboolean (*metrics)(rtk_live_metrics *out, int timeout_ms, void *user_data);
	void *user_data;
} rtk_live_ops;

typedef struct rtk_rest_ctx {
	rtk_store *store;                 /* borrowed */
	const char *org_id;               /* borrowed */
	const char *api_key;              /* borrowed */
	const unsigned char *jwt_secret;  /* borrowed */
	size_t jwt_secret_len;
	int token_ttl_seconds;
	const rtk_live_ops *live;         /* borrowed; NULL: no live state (unit tests) */
	const char *base_url;             /* borrowed: "http://host:port", for download_url; may be NULL */
	const char *recordings_dir;       /* borrowed: where recording files are; NULL: no downloads */
	rtk_hls *hls;                     /* borrowed: live LL-HLS streams served under /hls/ (hls.h); NULL: none (unit tests) */
	int webhooks_allow_private;       /* non-zero: webhook URLs may point to non-public addresses (webhooks.h) */
	const char *webhooks_public_key_pem; /* borrowed: served at /.well-known/webhooks.json; NULL: 404 */
	const char *server_json;          /* borrowed: the document of /sdk/server.json (static.h); NULL: 404 */
	const char *web_dir;              /* borrowed: the web client files served at /, /viewer, /sdk/ (static.h); NULL: none */
	const char *chat_files_dir;       /* borrowed: <data_dir>/chat-files (chat_files.h); NULL: no uploads */
	unsigned long long chat_file_max_bytes; /* an upload's limit; 0: RTK_CHAT_FILES_DEFAULT_MAX_BYTES */
	const char *chat_file_types;      /* borrowed: the media types uploads may have; NULL: the default list */
	rtk_plugin_registry *plugins;     /* borrowed: reloaded after /v2/plugins writes (plugin_registry.h); may be NULL */
	const char *metrics_token;        /* borrowed: the bearer token GET /metrics needs (metrics.h); NULL: open */
	rtk_node_forward *nodes;          /* borrowed: several nodes (node_forward.h): live operations on a
	                                   * meeting placed elsewhere are forwarded there; NULL: one node */
} rtk_rest_ctx;

typedef struct rtk_rest_request {
	const char *method;         /* "GET", "POST", ... */
	const char *path;           /* raw path without query, e.g. "/v2/meetings" */
	const char *query;          /* raw query string after '?', or NULL */
	const char *authorization;  /* Authorization header value, or NULL */
	const char *content_type;   /* Content-Type header value, or NULL (read by chat file uploads only) */
	const char *forwarded_by;   /* the rtk-forwarded-by header (node_forward.h): another node forwarded
	                             * this request, which is never forwarded again; NULL: a client's */
	const char *body;           /* may be NULL when body_len == 0; not NUL-terminated */
	size_t body_len;
} rtk_rest_request;

typedef struct rtk_rest_reply {
	int status;                 /* HTTP status */
	char *body;                 /* malloc'd JSON text; the caller frees with free() */
	/* Instead of a body: a file to send (g_malloc'd path; the caller
	 * g_free()s it) as `content_type` (static), or as `file_type`
	 * (g_malloc'd, wins) with the Content-Disposition `disposition`
	 * (g_malloc'd, or NULL: none). A reply with `disposition` is a file
	 * participants uploaded: it also gets nosniff and a sandboxing
	 * Content-Security-Policy (http.c). */
	char *file_path;
	const char *content_type;
	char *file_type;
	char *disposition;
	/* `file_path` is a temporary copy (a chat file relayed from another
	 * node, node_forward.h): rtk_rest_reply_clear() unlinks it, which
	 * http.c does once the file is open. */
	bool temporary_file;
	/* Seconds for a Retry-After header, 0 for none: a 429 or 503 that
	 * another node answered to a forwarded request (node_forward.h). */
	unsigned int retry_after;
} rtk_rest_reply;

/* Never fails: any input yields a reply (an error envelope for bad input). */
void rtk_rest_dispatch(const rtk_rest_ctx *ctx, const rtk_rest_request *req, rtk_rest_reply *reply);
/* Frees what a reply holds (body, file_path, file_type, disposition),
 * unlinks a temporary_file, and zeroes it. */
void rtk_rest_reply_clear(rtk_rest_reply *reply);

/* A signed URL of the CSV of a session's stored chat, valid until
 * `expires` (seconds since the epoch): what GET /v2/sessions/{id}/chat
 * and the meeting.chatSynced webhook hand out (rest_chat.c). malloc'd. */
char *rtk_rest_chat_export_url(const rtk_rest_ctx *ctx, const char *session_id, long long expires);

#endif
