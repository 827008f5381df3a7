/*
 * rest_chat_files.c - the images and files of the chat over HTTP
 * (docs/rest.md, "Chat files"), with a participant's token instead of the
 * API key:
 *   POST /v2/chat-files?name=<file name>
 *       Authorization: Bearer <participant token>, Content-Type: the
 *       file's media type, body: the file's bytes. 201 {"id", "name",
 *       "size", "type", "link"}; the id goes in a chat message's fileId.
 *   GET /v2/chat-files/{meeting_id}/{file_id}
 *       the token as Authorization: Bearer or ?token= (for <img src>);
 *       the bytes, for the uploader and for the participants who see a
 *       message carrying the file in the meeting's live session.
 *
 * Owns who may upload and download (the token must admit its participant
 * as a join would, admit.h; a download asks the plugin who sees what,
 * rtk_live_ops.chat_file_visible; with several nodes, the plugin of the
 * node running the meeting, and a file that is not on this node's disk is
 * relayed from that node: rest_nodes.c) and the limits (chat_file_max_bytes,
 * chat_file_types). The bytes on disk are chat_files.c's; http.c streams
 * an upload's body through rtk_rest_chat_upload_*(), and
 * rtk_rest_chat_files_serve() runs the same steps on a body in memory
 * (unit tests, fuzzers).
 *
 * A refusal says why, never whose file it is: a download of another
 * meeting's file is 404 like one that does not exist. Tokens are never
 * logged.
 */
#include "rest_internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "admit.h"

#define CHAT_FILES_SEGMENT "chat-files"

typedef enum chat_files_route {
	CHAT_FILES_NONE = 0,
	CHAT_FILES_COLLECTION,      /* /v2/chat-files */
	CHAT_FILES_ITEM             /* /v2/chat-files/{meeting_id}/{file_id} */
} chat_files_route;

/* Which chat-files route `path` (no query) is; for an item, the ids
 * (borrowed from path->copy, not checked). */
static chat_files_route chat_files_route_of(const char *path, rtk_rest_path *split, const char **meeting_id,
	const char **file_id)
{
	*split = (rtk_rest_path) { 0 };
	if (!rtk_rest_path_split(path, split) || split->count < 1 || strcmp(split->segs[0], CHAT_FILES_SEGMENT) != 0)
		return CHAT_FILES_NONE;
	if (split->count == 1)
		return CHAT_FILES_COLLECTION;
	if (split->count != 3)
		return CHAT_FILES_NONE;
	*meeting_id = split->segs[1];
	*file_id = split->segs[2];
	return CHAT_FILES_ITEM;
}

bool rtk_rest_chat_upload_owns(const char *target)
{
	if (target == NULL)
		return false;
	char *path = g_strndup(target, strcspn(target, "?#"));
	rtk_rest_path split;
	const char *m = NULL, *f = NULL;
	bool owns = chat_files_route_of(path, &split, &m, &f) == CHAT_FILES_COLLECTION;
	free(split.copy);
	g_free(path);
	return owns;
}

static unsigned long long chat_files_max(const rtk_rest_ctx *ctx)
{
	return ctx->chat_file_max_bytes ? ctx->chat_file_max_bytes : RTK_CHAT_FILES_DEFAULT_MAX_BYTES;
}

/* Admits the participant token `token`: true with `out` filled, else
 * answers 401 (or 500 when the store failed). */
static bool chat_files_admit(const rtk_rest_ctx *ctx, const char *token, rtk_admission *out, rtk_rest_reply *reply)
{
	if (token == NULL || *token == '\0') {
		rtk_rest_fail(reply, 401, "send the participant's token: 'Authorization: Bearer <participant token>'"
			" (downloads also take ?token=)");
		return false;
	}
	rtk_admit_status st = rtk_admit_token(ctx->store, ctx->org_id, ctx->jwt_secret, ctx->jwt_secret_len, token, out);
	if (st == RTK_ADMIT_OK)
		return true;
	rtk_rest_fail(reply, st == RTK_ADMIT_STORE_FAILED ? 500 : 401, "%s", rtk_admit_status_text(st));
	return false;
}

/* The token of an Authorization: Bearer header, or NULL. */
static const char *chat_files_bearer(const rtk_rest_request *req)
{
	return req->authorization ? rtk_rest_auth_param(req->authorization, "Bearer") : NULL;
}

/* The query parsed, or NULL after answering 400. */
static rtk_rest_query *chat_files_query(const rtk_rest_request *req, rtk_rest_reply *reply)
{
	const char *error = NULL;
	rtk_rest_query *q = rtk_rest_query_parse(req->query, req->query ? strlen(req->query) : 0, &error);
	if (q == NULL)
		rtk_rest_fail(reply, 400, "%s", error);
	return q;
}

/* Does a Content-Length value announce more than `max`? Not a number:
 * false (MHD refuses those itself). */
static bool chat_files_announces_more(const char *content_length, unsigned long long max)
{
	unsigned long long n = 0;
	for (const char *p = content_length; p && *p >= '0' && *p <= '9'; p++) {
		if (n > (ULLONG_MAX - 9) / 10)
			return true;   /* more than any limit; n * 10 would overflow */
		n = n * 10 + (unsigned long long)(*p - '0');
		if (n > max)
			return true;
	}
	return false;
}

static void chat_files_fail_too_large(rtk_rest_reply *reply, unsigned long long max)
{
	rtk_rest_fail(reply, 413, "the file is larger than %llu bytes (the server's chat_file_max_bytes)", max);
}

/* ---- Upload ---- */

/* Checks the name, the type and the announced length: the media type
 * (g_malloc'd) or NULL after answering. */
static char *chat_files_check_upload(const rtk_rest_ctx *ctx, const char *name, const char *content_type,
	const char *content_length, rtk_rest_reply *reply)
{
	if (name == NULL) {
		rtk_rest_fail(reply, 400, "query parameter 'name' (the file's name) is required");
		return NULL;
	}
	if (!rtk_chat_files_name_ok(name)) {
		rtk_rest_fail(reply, 400, "query parameter 'name' must be 1 to %d bytes of UTF-8 without '/' "
			"or control characters", RTK_CHAT_FILES_NAME_MAX);
		return NULL;
	}
	char *type = rtk_chat_files_type_of(content_type);
	if (type == NULL || !rtk_chat_files_type_allowed(ctx->chat_file_types, type)) {
		char *shown = rtk_rest_echo(content_type ? content_type : "(none)");
		rtk_rest_fail(reply, 415, "Content-Type '%s' is not accepted for chat files; accepted: %s", shown,
			ctx->chat_file_types && *ctx->chat_file_types ? ctx->chat_file_types : RTK_CHAT_FILES_DEFAULT_TYPES);
		g_free(shown);
		g_free(type);
		return NULL;
	}
	if (chat_files_announces_more(content_length, chat_files_max(ctx))) {
		chat_files_fail_too_large(reply, chat_files_max(ctx));
		g_free(type);
		return NULL;
	}
	return type;
}

rtk_chat_upload *rtk_rest_chat_upload_start(const rtk_rest_ctx *ctx, const rtk_rest_request *req,
	const char *content_type, const char *content_length, rtk_rest_reply *reply)
{
	if (g_strcmp0(req->method, "POST") != 0) {
		rtk_rest_fail(reply, 405, "method not allowed here; allowed: POST");
		return NULL;
	}
	rtk_admission who;
	if (!chat_files_admit(ctx, chat_files_bearer(req), &who, reply))
		return NULL;
	rtk_chat_upload *upload = NULL;
	rtk_rest_query *q = chat_files_query(req, reply);
	char *type = q ? chat_files_check_upload(ctx, rtk_rest_query_get(q, "name"), content_type, content_length,
		reply) : NULL;
	if (type != NULL && ctx->chat_files_dir == NULL) {
		rtk_rest_fail(reply, 500, "this server keeps no chat files");
	} else if (type != NULL) {
		char *error = NULL;
		upload = rtk_chat_upload_begin(ctx->chat_files_dir,
			json_string_value(json_object_get(who.meeting, "id")),
			json_string_value(json_object_get(who.participant, "id")),
			rtk_rest_query_get(q, "name"), type, chat_files_max(ctx), &error);
		if (upload == NULL) {
			g_warning("rtk chat files: %s", error);
			rtk_rest_fail(reply, 500, "the upload could not be stored; see the server log");
		}
		g_free(error);
	}
	g_free(type);
	rtk_rest_query_free(q);
	rtk_admission_clear(&who);
	return upload;
}

void rtk_rest_chat_upload_append(rtk_chat_upload *upload, const char *data, size_t len)
{
	rtk_chat_upload_append(upload, data, len);
}

void rtk_rest_chat_upload_finish(const rtk_rest_ctx *ctx, rtk_chat_upload *upload, rtk_rest_reply *reply)
{
	switch (rtk_chat_upload_state_of(upload)) {
	case RTK_CHAT_UPLOAD_TOO_LARGE:
		chat_files_fail_too_large(reply, rtk_chat_upload_max(upload));
		return;
	case RTK_CHAT_UPLOAD_FAILED:
		rtk_rest_fail(reply, 500, "the upload could not be written; see the server log");
		return;
	case RTK_CHAT_UPLOAD_WRITING:
		break;
	}
	char *error = NULL;
	json_t *meta = rtk_chat_upload_commit(upload, &error);
	if (meta == NULL) {
		g_warning("rtk chat files: %s", error);
		g_free(error);
		rtk_rest_fail(reply, 500, "the upload could not be written; see the server log");
		return;
	}
	char *link = rtk_chat_files_link(ctx->base_url, rtk_chat_upload_meeting(upload), rtk_chat_upload_id(upload));
	json_t *data = json_pack("{s:O, s:O, s:O, s:O, s:s}", "id", json_object_get(meta, "id"),
		"name", json_object_get(meta, "name"), "size", json_object_get(meta, "size"),
		"type", json_object_get(meta, "type"), "link", link ? link : "");
	free(link);
	json_decref(meta);
	rtk_rest_call call = { .ctx = ctx, .reply = reply };
	rtk_rest_reply_data(&call, 201, data);
}

/* An upload whose body is in memory: the three steps at once. */
static void chat_files_upload_buffered(const rtk_rest_ctx *ctx, const rtk_rest_request *req, rtk_rest_reply *reply)
{
	char length[32];
	g_snprintf(length, sizeof length, "%zu", req->body_len);
	rtk_chat_upload *upload = rtk_rest_chat_upload_start(ctx, req, req->content_type, length, reply);
	if (upload == NULL)
		return;
	if (req->body_len > 0)
		rtk_rest_chat_upload_append(upload, req->body, req->body_len);
	rtk_rest_chat_upload_finish(ctx, upload, reply);
	rtk_chat_upload_free(upload);
}

/* ---- Download ---- */

typedef enum chat_files_verdict { CHAT_FILES_DENY, CHAT_FILES_ALLOW, CHAT_FILES_ANSWERED } chat_files_verdict;

/* May the admitted participant `who` download `meta` of `meeting_id`? The
 * live session decides, on the node that runs it (rest_nodes.c);
 * ANSWERED: that node could not be asked, `reply` says so. */
static chat_files_verdict chat_files_may_download(const rtk_rest_ctx *ctx, const rtk_rest_request *req,
	const rtk_admission *who, const char *meeting_id, const json_t *meta, rtk_rest_reply *reply)
{
	const char *user_id = json_string_value(json_object_get(who->participant, "id"));
	const char *file_id = json_string_value(json_object_get(meta, "id"));
	if (user_id == NULL || file_id == NULL)
		return CHAT_FILES_DENY;
	if (g_strcmp0(json_string_value(json_object_get(meta, "user_id")), user_id) == 0)
		return CHAT_FILES_ALLOW;
	switch (rtk_rest_nodes_chat_file_visible(ctx, req, meeting_id, file_id, user_id, reply)) {
	case RTK_REST_NODES_VISIBLE:
		return CHAT_FILES_ALLOW;
	case RTK_REST_NODES_HIDDEN:
		return CHAT_FILES_DENY;
	case RTK_REST_NODES_ANSWERED:
		return CHAT_FILES_ANSWERED;
	case RTK_REST_NODES_ASK_HERE:
	default:
		break;
	}
	return ctx->live && ctx->live->chat_file_visible &&
		ctx->live->chat_file_visible(meeting_id, file_id, user_id, ctx->live->user_data) ?
		CHAT_FILES_ALLOW : CHAT_FILES_DENY;
}

static void chat_files_download(const rtk_rest_ctx *ctx, const rtk_rest_request *req, const char *meeting_id,
	const char *file_id, rtk_rest_reply *reply)
{
	if (g_strcmp0(req->method, "GET") != 0 && g_strcmp0(req->method, "HEAD") != 0) {
		rtk_rest_fail(reply, 405, "method not allowed here; allowed: GET, HEAD");
		return;
	}
	rtk_rest_query *q = chat_files_query(req, reply);
	if (q == NULL)
		return;
	const char *token = chat_files_bearer(req);
	rtk_admission who;
	bool admitted = chat_files_admit(ctx, token ? token : rtk_rest_query_get(q, "token"), &who, reply);
	rtk_rest_query_free(q);
	if (!admitted)
		return;
	json_t *meta = NULL;
	chat_files_verdict verdict = CHAT_FILES_DENY;
	if (g_strcmp0(json_string_value(json_object_get(who.meeting, "id")), meeting_id) == 0)
		meta = rtk_chat_files_get(ctx->chat_files_dir, meeting_id, file_id);
	if (meta != NULL)
		verdict = chat_files_may_download(ctx, req, &who, meeting_id, meta, reply);
	if (meta == NULL && g_strcmp0(json_string_value(json_object_get(who.meeting, "id")), meeting_id) == 0 &&
			rtk_rest_nodes_forward_download(ctx, req, meeting_id, reply)) {
		/* not on this disk, the meeting live on another node: relayed from there */
	} else if (meta == NULL) {
		char *shown = rtk_rest_echo(file_id);
		rtk_rest_fail(reply, 404, "chat file '%s' not found in your meeting", shown);
		g_free(shown);
	} else if (verdict == CHAT_FILES_ANSWERED) {
		/* the meeting's node could not be asked: reply holds why */
	} else if (verdict == CHAT_FILES_DENY) {
		rtk_rest_fail(reply, 403, "only the uploader and the participants who see a chat message carrying "
			"this file in the meeting's live session may download it");
	} else {
		const char *type = json_string_value(json_object_get(meta, "type"));
		reply->status = 200;
		reply->file_path = rtk_chat_files_path(ctx->chat_files_dir, meeting_id, file_id);
		reply->file_type = g_strdup(type ? type : "application/octet-stream");
		reply->disposition = rtk_chat_files_disposition(json_string_value(json_object_get(meta, "name")), type);
	}
	json_decref(meta);
	rtk_admission_clear(&who);
}

bool rtk_rest_chat_files_serve(const rtk_rest_ctx *ctx, const rtk_rest_request *req, rtk_rest_reply *reply)
{
	rtk_rest_path split;
	const char *meeting_id = NULL, *file_id = NULL;
	chat_files_route route = chat_files_route_of(req->path, &split, &meeting_id, &file_id);
	if (route == CHAT_FILES_COLLECTION) {
		chat_files_upload_buffered(ctx, req, reply);
	} else if (route == CHAT_FILES_ITEM && (!rtk_rest_is_uuid(meeting_id) || !rtk_rest_is_uuid(file_id))) {
		rtk_rest_fail(reply, 404, "chat file not found (ids are UUIDs)");
	} else if (route == CHAT_FILES_ITEM) {
		chat_files_download(ctx, req, meeting_id, file_id, reply);
	}
	free(split.copy);
	return route != CHAT_FILES_NONE;
}
