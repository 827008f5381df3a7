/*
 * rest_internal.h - what the REST dispatcher (rest.c) shares with the
 * per-resource handler files (rest_meetings.c, rest_presets.c,
 * rest_participants.c). Not a public interface: only gateway/rest*.c and the
 * REST unit test and fuzzer include it, and http.c for rtk_rest_fail(), so
 * that the errors it answers itself (413) have the same envelope, and for
 * the chat file uploads whose bodies it streams (rtk_rest_chat_upload_*).
 *
 * The split of work: rest.c authenticates, routes, parses the query and the
 * body, checks the ids in the path and computes paging before a handler runs;
 * a handler validates its fields with rtk_rest_take_fields(), calls the
 * store, and answers with exactly one rtk_rest_reply_*() call.
 */
#ifndef RTK_REST_INTERNAL_H
#define RTK_REST_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "admit.h"
#include "chat_files.h"
#include "rest.h"
#include "store.h"

/* Paging (query page_no, per_page). */
#define RTK_REST_PER_PAGE_DEFAULT 20
#define RTK_REST_PER_PAGE_MAX 100
#define RTK_REST_PAGE_NO_MAX 10000000

/* Preset names: presets own them, participants refer to them. */
#define RTK_PRESET_NAME_MAX 255

/* At most this many {placeholders} in a route pattern. */
#define RTK_REST_MAX_IDS 2

/* ---- One request on its way through a handler ---- */

typedef struct rtk_rest_call {
	const rtk_rest_ctx *ctx;
	const rtk_rest_request *req;
	rtk_rest_reply *reply;
	/* The {placeholder} segments of the path in pattern order, already
	 * checked to be UUID-shaped. Borrowed for the duration of the call. */
	const char *ids[RTK_REST_MAX_IDS];
	/* The request body as a JSON object (routes with RTK_REST_BODY; an
	 * empty body reads as {}), borrowed; NULL on other routes. */
	json_t *body;
	/* Paging window (routes with RTK_REST_PAGED). */
	int offset;
	int limit;
	/* The participant whose token (Authorization: Bearer) admitted the
	 * call, on routes with RTK_REST_PARTICIPANT; NULL with the API key.
	 * Borrowed. The handler limits what it may reach. */
	const rtk_admission *who;
} rtk_rest_call;

typedef void (*rtk_rest_handler)(rtk_rest_call *call);

enum {
	RTK_REST_BODY = 1 << 0,   /* parse the body as a JSON object into call->body */
	RTK_REST_PAGED = 1 << 1,  /* read page_no/per_page into call->offset/limit */
	RTK_REST_PARTICIPANT = 1 << 2   /* a participant's token may call it too (call->who) */
};

/* A route, relative to /v2 (or the Cloudflare prefix). Pattern segments in
 * braces match one UUID-shaped path segment; the name inside the braces is
 * what a 404 calls it: "meetings/{meeting}/participants/{participant}".
 * Each resource file exports a table ending with a zeroed entry. */
typedef struct rtk_rest_route {
	const char *method;
	const char *pattern;
	unsigned flags;
	rtk_rest_handler handler;
} rtk_rest_route;

extern const rtk_rest_route rtk_rest_meeting_routes[];
extern const rtk_rest_route rtk_rest_preset_routes[];
extern const rtk_rest_route rtk_rest_participant_routes[];
extern const rtk_rest_route rtk_rest_session_routes[];
extern const rtk_rest_route rtk_rest_history_routes[];
extern const rtk_rest_route rtk_rest_webhook_routes[];
extern const rtk_rest_route rtk_rest_recording_routes[];
extern const rtk_rest_route rtk_rest_livestream_routes[];
extern const rtk_rest_route rtk_rest_chat_routes[];
extern const rtk_rest_route rtk_rest_plugin_routes[];

/* rest_chat.c: answers a GET of a signed chat export URL (no API key: the
 * URL is its credential). False when `req` is not one. */
bool rtk_rest_chat_export_serve(const rtk_rest_ctx *ctx, const rtk_rest_request *req, rtk_rest_reply *reply);

/* rest_webhooks.c: answers GET /.well-known/webhooks.json (no API key: the
 * public key that verifies rtk-signature). False when `req` is not that path. */
bool rtk_rest_webhook_key_serve(const rtk_rest_ctx *ctx, const rtk_rest_request *req, rtk_rest_reply *reply);

/* rest_recordings.c: answers a GET of a recording's signed download_url
 * (?expires=..&signature=..; no API key: the URL is its credential).
 * False when `req` is not one (a download without a signature is an
 * ordinary route, with the API key). */
bool rtk_rest_recording_download_serve(const rtk_rest_ctx *ctx, const rtk_rest_request *req, rtk_rest_reply *reply);

/* ---- Chat files (rest_chat_files.c): a participant's token, not the API key ---- */

/* Answers a request under /v2/chat-files (a download, or an upload whose
 * body is in req->body) with the participant token as its credential.
 * False when `req` is not one. */
bool rtk_rest_chat_files_serve(const rtk_rest_ctx *ctx, const rtk_rest_request *req, rtk_rest_reply *reply);

/* Is `target` (a path, with or without its query) the upload route
 * (POST /v2/chat-files)? http.c streams the bodies of those. */
bool rtk_rest_chat_upload_owns(const char *target);

/* The streamed upload, in three steps, from a request whose body is not
 * in `req` (req->body is ignored):
 *   start: with the headers. Checks the method, the token, the name, the
 *     type and `content_length` (the header's value, or NULL) and opens the
 *     file; NULL with `reply` filled when refused;
 *   append: each piece of the body as it arrives (no reply: a body past
 *     the limit or a failed write is told by finish);
 *   finish: at the body's end, commits the upload (syncs: not on an HTTP
 *     worker) and fills `reply` (201, 413 or 500).
 * The caller frees the upload with rtk_chat_upload_free() whatever
 * happened; one not committed leaves nothing on disk. */
rtk_chat_upload *rtk_rest_chat_upload_start(const rtk_rest_ctx *ctx, const rtk_rest_request *req,
	const char *content_type, const char *content_length, rtk_rest_reply *reply);
void rtk_rest_chat_upload_append(rtk_chat_upload *upload, const char *data, size_t len);
void rtk_rest_chat_upload_finish(const rtk_rest_ctx *ctx, rtk_chat_upload *upload, rtk_rest_reply *reply);

/* ---- Several nodes (rest_nodes.c; node_forward.h) ----
 * On one node (ctx->nodes NULL) none of these reads the store: each
 * returns at once as "act here". */

/* May this request be forwarded to another node (so it must not run on
 * an MHD worker: http.c hands it to its writers)? Every write, and the
 * reads of live state (active session, active livestream, active
 * recording, chat file downloads). `target`: the path, with or without
 * its query. False on one node. */
bool rtk_rest_nodes_may_forward(const rtk_rest_ctx *ctx, const char *method, const char *target);
/* For a handler about to reach the live state of `meeting_id`: when the
 * meeting is live on another node (a valid placement), the whole request
 * is forwarded there and call->reply is its answer (or 503 when that node
 * cannot be reached; 500 when the store failed): returns true, and the
 * handler returns without doing anything else. False: act here (one
 * node; placed here, nowhere, or the lease ended; or the request was
 * itself forwarded). */
bool rtk_rest_forward_live(rtk_rest_call *call, const char *meeting_id);
/* After preset `preset_id` changed in the store (and reached this node's
 * live presences): every other node with live meetings applies it too
 * (POST /v2/internal/presets/{id}/changed to each, waited for up to the
 * forward timeout). Nothing on one node or for a forwarded request. */
void rtk_rest_nodes_preset_changed(const rtk_rest_ctx *ctx, const rtk_rest_request *req, const char *preset_id);
typedef enum rtk_rest_nodes_visibility {
	RTK_REST_NODES_ASK_HERE,   /* the meeting is not live elsewhere: ask rtk_live_ops here */
	RTK_REST_NODES_VISIBLE,    /* the meeting's node says the participant sees the file */
	RTK_REST_NODES_HIDDEN,     /* ... that it does not */
	RTK_REST_NODES_ANSWERED    /* it could not be asked: `reply` holds the 503 (or 500) */
} rtk_rest_nodes_visibility;
/* A chat file download of `meeting_id` whose file is not on this node's
 * disk: when the meeting is live on another node (where its messages, and
 * so its files, are), the download is forwarded there and `reply` names
 * the relayed file (or the node's refusal, or 503): true. False: answer
 * here (404). */
bool rtk_rest_nodes_forward_download(const rtk_rest_ctx *ctx, const rtk_rest_request *req, const char *meeting_id,
	rtk_rest_reply *reply);
/* Does participant `user_id` see a chat message carrying upload `file_id`
 * in `meeting_id`'s live session, when that session runs on another node? */
rtk_rest_nodes_visibility rtk_rest_nodes_chat_file_visible(const rtk_rest_ctx *ctx, const rtk_rest_request *req,
	const char *meeting_id, const char *file_id, const char *user_id, rtk_rest_reply *reply);
/* Answers the internal requests of rest_nodes.c (/v2/internal/...) when
 * this server is a node and `req` carries the rtk-forwarded-by header;
 * false otherwise (the request goes on to the routes: 404). */
bool rtk_rest_nodes_serve(const rtk_rest_ctx *ctx, const rtk_rest_request *req, rtk_rest_reply *reply);

/* ---- Replies: a handler makes exactly one of these calls ---- */

/* {"success": true, "data": data}. Steals the reference to `data`. */
void rtk_rest_reply_data(rtk_rest_call *call, int status, json_t *data);
/* Does the Authorization header carry the API key (Basic ORG_ID:API_KEY
 * or Bearer API_KEY)? For the few paths served before routing. */
bool rtk_rest_authorized(const rtk_rest_ctx *ctx, const char *header);
/* 200 {"success": true, "data": items, "paging": {...}} for the window in
 * call->offset. Steals the reference to `items` (a JSON array). */
void rtk_rest_reply_list(rtk_rest_call *call, json_t *items, int total);
/* The same, with the page under data.<key> ({"data": {"sessions": [...]}},
 * as RealtimeKit's session lists have it). Steals `items`. */
void rtk_rest_reply_list_in(rtk_rest_call *call, const char *key, json_t *items, int total);
/* 200 {"success": true, "data": data, "paging": {...}} for a page of
 * `count` items of `total` at call->offset, when the page sits inside
 * `data` with other keys ({"livestream": {...}, "sessions": [...]}, as
 * RealtimeKit's livestream reads have it). Steals `data`. */
void rtk_rest_reply_paged(rtk_rest_call *call, json_t *data, int count, int total);
/* {"success": false, "error": {"code": status, "message": ...}}. The message
 * is made valid UTF-8 if it is not; echo user input through rtk_rest_echo(). */
void rtk_rest_fail(rtk_rest_reply *reply, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The answer for a store status other than RTK_STORE_OK when no more
 * specific one applies: NOT_FOUND -> 404 "<what> '<id>' not found",
 * CONFLICT -> 409, FAILED -> 500. */
void rtk_rest_fail_store(rtk_rest_call *call, rtk_store_status status, const char *what, const char *id);

/* User input made fit for an error message: at most 64 bytes (then "..."),
 * valid UTF-8; NULL reads as "". Returns a g_malloc'd string the caller
 * g_free()s. */
char *rtk_rest_echo(const char *s);

/* ---- Field validation shared by the resources ---- */

typedef enum rtk_rest_kind {
	RTK_REST_STRING,
	RTK_REST_BOOLEAN,
	RTK_REST_OBJECT,
	RTK_REST_URL        /* a string starting with http:// or https:// */
} rtk_rest_kind;

enum {
	RTK_REST_REQUIRED = 1 << 0,  /* absent -> 422 "field 'x' is required" */
	RTK_REST_NULLABLE = 1 << 1,  /* JSON null is accepted (and stored) */
	RTK_REST_NONEMPTY = 1 << 2   /* strings: "" is refused */
};

typedef struct rtk_rest_field {
	const char *name;
	rtk_rest_kind kind;
	unsigned flags;
	size_t max_len;              /* strings: longest accepted in bytes; 0 = no limit */
	const char *const *choices;  /* strings: NULL-terminated allowed values, or NULL */
} rtk_rest_field;

/* Checks the fields listed in `fields` (ended by a zeroed entry) in
 * call->body and copies the ones present into a NEW object *out; fields not
 * listed are ignored. On the first bad field answers 422 naming it and
 * returns false with *out NULL. */
bool rtk_rest_take_fields(rtk_rest_call *call, const rtk_rest_field *fields, json_t **out);
/* The same, answering `status` for a bad field. RealtimeKit answers field
 * errors with 400 (RTK_REST_FIELD_ERROR): meetings, presets and
 * participants do; the resources still on rtk_rest_take_fields() answer 422. */
#define RTK_REST_FIELD_ERROR 400
bool rtk_rest_take_fields_as(rtk_rest_call *call, const rtk_rest_field *fields, int status, json_t **out);

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" with hex digits of either case. */
bool rtk_rest_is_uuid(const char *s);

/* ---- Query strings (application/x-www-form-urlencoded) ---- */

typedef struct rtk_rest_query rtk_rest_query;

#define RTK_REST_QUERY_MAX_PARAMS 64

/* Parses `len` bytes of `raw` ("a=1&b=x%20y"; '+' is a space). Names and
 * values are percent-decoded; a parameter without '=' has the value "".
 * Empty pieces ("a=1&&b=2") are skipped. Returns NULL with *error (a static
 * string) when an escape is malformed, decodes to NUL, or there are more than
 * RTK_REST_QUERY_MAX_PARAMS parameters. `raw` may be NULL when len is 0. */
rtk_rest_query *rtk_rest_query_parse(const char *raw, size_t len, const char **error);
/* The value of the last parameter named `name`, or NULL. Borrowed from q. */
const char *rtk_rest_query_get(const rtk_rest_query *q, const char *name);
size_t rtk_rest_query_count(const rtk_rest_query *q);
/* The i-th parameter, in order of appearance (i < count). Borrowed. */
void rtk_rest_query_nth(const rtk_rest_query *q, size_t i, const char **name, const char **value);
void rtk_rest_query_free(rtk_rest_query *q);

/* List filters of the query. choices: every value of the parameters
 * `name` (repeated, "?status=A&status=B", or comma-separated, "?status=A,B")
 * must be one of `allowed` (NULL-terminated, at most 32); *mask gets bit i
 * for allowed[i] (0: the parameter is absent). Answers 400 naming the bad
 * value and returns false otherwise. `q` may be NULL (no parameters). */
bool rtk_rest_query_choices(rtk_rest_reply *reply, const rtk_rest_query *q, const char *name,
	const char *const *allowed, unsigned *mask);

/* An ISO 8601 date-time as the store writes timestamps, in UTC with
 * milliseconds ("2026-11-22T00:39:42.123Z"), so that it compares with them
 * as text. Takes "YYYY-MM-DD", optionally "THH:MM", ":SS", ".fraction"
 * (digits past milliseconds are dropped), and an offset "Z", "+HH:MM",
 * "+HHMM", "+HH" or "-..." (none: UTC; a space for '+', as an unescaped
 * '+' in a query decodes). False when `s` is none of these or names no
 * real date. */
#define RTK_REST_TIME_LEN 25
bool rtk_rest_time_parse(const char *s, char out[RTK_REST_TIME_LEN]);

/* A list's time range from the query: start_time into `from` and end_time
 * into `to`, each in rtk_rest_time_parse()'s form ("" when absent).
 * Answers 400 and returns false when either is no ISO 8601 date-time or
 * start_time is after end_time. `q` may be NULL. */
bool rtk_rest_query_time_range(rtk_rest_reply *reply, const rtk_rest_query *q, char from[RTK_REST_TIME_LEN],
	char to[RTK_REST_TIME_LEN]);

/* Decodes %XX escapes (and '+' as a space) of `len` bytes into a malloc'd
 * NUL-terminated string. NULL when an escape is malformed or decodes to NUL. */
char *rtk_rest_percent_decode(const char *s, size_t len);

/* ---- Paths and credentials (rest.c) ---- */

/* Longest path we route, in segments (the longest route has 5, the
 * Cloudflare prefix 5 more). */
#define RTK_REST_MAX_SEGMENTS 16

/* A path split into segments, relative to /v2 or the Cloudflare prefix. */
typedef struct rtk_rest_path {
	char *copy;                                /* owns the segment strings; free() */
	const char *segs[RTK_REST_MAX_SEGMENTS];
	int count;
} rtk_rest_path;

/* Splits `path` on '/' ignoring empty segments (so trailing and doubled
 * slashes are tolerated), then strips /v2 or the Cloudflare prefix.
 * Returns false when the path has neither prefix or is too long. Free
 * out->copy in both cases. */
bool rtk_rest_path_split(const char *path, rtk_rest_path *out);

/* The credentials after "<scheme> " when the Authorization value `header`
 * uses `scheme` (case-insensitive), else NULL. Borrowed from `header`. */
const char *rtk_rest_auth_param(const char *header, const char *scheme);
/* Is `given` (given_len bytes) the secret? In time independent of where
 * they differ (SHA-256 digests, CRYPTO_memcmp); an empty or NULL secret
 * matches nothing. */
bool rtk_rest_secret_equal(const void *given, size_t given_len, const char *secret);

/* ---- Participant tokens (rest_participants.c) ---- */

/* A malloc'd JWT for `participant` (its REST shape: id, meeting_id,
 * preset_id) of token generation `generation` (store.h), or NULL on
 * allocation failure. */
char *rtk_rest_participant_token(const rtk_rest_ctx *ctx, const json_t *participant, long long generation);

#endif
