/*
 * rest_chat.c - a session's chat in the REST v2 API, as RealtimeKit hands
 * it out:
 *   GET /v2/sessions/{session_id}/chat
 *       {"chat_download_url", "chat_download_url_expiry"}: where to fetch
 *       the CSV of the session's stored chat (404 when none is stored: the
 *       session's meeting has no persist_chat, or nobody wrote)
 *   GET /v2/chat-exports/{session_id}.csv?expires=..&signature=..
 *       the CSV itself. No API key: the URL carries its own credentials, an
 *       HMAC-SHA256 of the session id and the expiry with the deployment's
 *       token secret (signed_url.h), so a browser can open it; after
 *       `expires` it is 403.
 *
 * Owns the export's URLs and its CSV shape (docs/rest.md, "Chat
 * export"). The messages are the store's (store.h, chat messages), written
 * by the plugin (plugin/chat_store.c).
 */
#include "rest_internal.h"

#include <stdlib.h>
#include <string.h>

#include "signed_url.h"

#define CHAT_EXPORT_PREFIX "/v2/chat-exports/"
#define CHAT_EXPORT_SUFFIX ".csv"
/* How long a URL from GET .../chat stays valid. */
#define CHAT_EXPORT_TTL_SECONDS (24 * 3600)
/* Messages read from the store at a time while writing the CSV. */
#define CHAT_EXPORT_PAGE 500

char *rtk_rest_chat_export_url(const rtk_rest_ctx *ctx, const char *session_id, long long expires)
{
	char *query = rtk_signed_url_query(ctx->jwt_secret, ctx->jwt_secret_len, "chat-export", session_id, expires);
	if (query == NULL)
		return NULL;
	char *url = g_strdup_printf("%s" CHAT_EXPORT_PREFIX "%s" CHAT_EXPORT_SUFFIX "?%s",
		ctx->base_url ? ctx->base_url : "", session_id, query);
	free(query);
	char *out = strdup(url);
	g_free(url);
	return out;
}

/* GET /v2/sessions/{session_id}/chat */
static void rtk_chat_export_get(rtk_rest_call *call)
{
	const char *session_id = call->ids[0];
	json_t *items = NULL;
	int total = 0;
	rtk_store_status st = rtk_store_chat_list(call->ctx->store, session_id, 0, 0, &items, &total);
	json_decref(items);
	if (st != RTK_STORE_OK) {
		rtk_rest_fail_store(call, st, "session", session_id);
		return;
	}
	if (total == 0) {
		rtk_rest_fail(call->reply, 404, "no chat is stored for session '%s' (the meeting needs persist_chat)",
			session_id);
		return;
	}
	long long expires = g_get_real_time() / G_USEC_PER_SEC + CHAT_EXPORT_TTL_SECONDS;
	char *url = rtk_rest_chat_export_url(call->ctx, session_id, expires);
	char *expiry = rtk_signed_url_iso8601(expires);
	rtk_rest_reply_data(call, 200, json_pack("{s:s?, s:s}", "chat_download_url", url,
		"chat_download_url_expiry", expiry));
	free(url);
	g_free(expiry);
}

const rtk_rest_route rtk_rest_chat_routes[] = {
	{ "GET", "sessions/{session}/chat", 0, rtk_chat_export_get },
	{ NULL, NULL, 0, NULL }
};

/* ---- the CSV ---- */

/* Appends `value` as one CSV field (RFC 4180: quoted, quotes doubled). A
 * value a spreadsheet would run as a formula (=, +, -, @ first) gets a
 * leading apostrophe. */
static void chat_csv_field(GString *out, const char *value, bool last)
{
	g_string_append_c(out, '"');
	if (value && strchr("=+-@", value[0]) && value[0] != '\0')
		g_string_append_c(out, '\'');
	for (const char *p = value ? value : ""; *p; p++) {
		if (*p == '"')
			g_string_append_c(out, '"');
		g_string_append_c(out, *p);
	}
	g_string_append(out, last ? "\"\r\n" : "\",");
}

static void chat_csv_row(GString *out, const json_t *m)
{
	const json_t *targets = json_object_get(m, "targetUserIds");
	char *private_to = NULL;
	if (json_is_array(targets)) {
		GString *ids = g_string_new(NULL);
		size_t i;
		const json_t *id;
		json_array_foreach(targets, i, id)
			g_string_append_printf(ids, "%s%s", i ? " " : "", json_string_value(id) ? json_string_value(id) : "");
		private_to = g_string_free(ids, FALSE);
	}
	char size[32] = "";
	if (json_is_integer(json_object_get(m, "size")))
		g_snprintf(size, sizeof size, "%lld", (long long)json_integer_value(json_object_get(m, "size")));
	chat_csv_field(out, json_string_value(json_object_get(m, "id")), false);
	chat_csv_field(out, json_string_value(json_object_get(m, "time")), false);
	chat_csv_field(out, json_string_value(json_object_get(m, "userId")), false);
	chat_csv_field(out, json_string_value(json_object_get(m, "displayName")), false);
	chat_csv_field(out, json_string_value(json_object_get(m, "type")), false);
	chat_csv_field(out, json_string_value(json_object_get(m, "message")), false);
	chat_csv_field(out, json_string_value(json_object_get(m, "name")), false);
	chat_csv_field(out, size, false);
	chat_csv_field(out, private_to, false);
	chat_csv_field(out, json_string_value(json_object_get(m, "channelId")), false);
	chat_csv_field(out, json_is_true(json_object_get(m, "pinned")) ? "true" : "false", false);
	chat_csv_field(out, json_is_true(json_object_get(m, "isEdited")) ? "true" : "false", true);
	g_free(private_to);
}

/* The CSV of a session's stored chat (malloc'd), or NULL when the store fails. */
static char *chat_csv(rtk_store *store, const char *session_id)
{
	GString *out = g_string_new("id,time,participant_id,display_name,type,message,file_name,file_size,"
		"private_to,channel_id,pinned,is_edited\r\n");
	for (int offset = 0;; offset += CHAT_EXPORT_PAGE) {
		json_t *items = NULL;
		if (rtk_store_chat_list(store, session_id, offset, CHAT_EXPORT_PAGE, &items, NULL) != RTK_STORE_OK) {
			g_string_free(out, TRUE);
			return NULL;
		}
		size_t i;
		const json_t *m;
		json_array_foreach(items, i, m)
			chat_csv_row(out, m);
		size_t n = json_array_size(items);
		json_decref(items);
		if (n < CHAT_EXPORT_PAGE)
			break;
	}
	char *csv = strdup(out->str);
	g_string_free(out, TRUE);
	return csv;
}

/* The session id of an export path, in `id` (37 bytes), or false. */
static bool chat_export_path(const char *path, char id[37])
{
	size_t plen = strlen(CHAT_EXPORT_PREFIX), slen = strlen(CHAT_EXPORT_SUFFIX);
	if (!path || strncmp(path, CHAT_EXPORT_PREFIX, plen) != 0)
		return false;
	const char *rest = path + plen;
	size_t len = strlen(rest);
	if (len != 36 + slen || strcmp(rest + 36, CHAT_EXPORT_SUFFIX) != 0)
		return false;
	memcpy(id, rest, 36);
	id[36] = '\0';
	return rtk_rest_is_uuid(id);
}

bool rtk_rest_chat_export_serve(const rtk_rest_ctx *ctx, const rtk_rest_request *req, rtk_rest_reply *reply)
{
	char session_id[37];
	if (!chat_export_path(req->path, session_id))
		return false;
	if (strcmp(req->method ? req->method : "", "GET") != 0) {
		rtk_rest_fail(reply, 405, "method not allowed here; allowed: GET");
		return true;
	}
	const char *error = NULL;
	rtk_rest_query *q = rtk_rest_query_parse(req->query, req->query ? strlen(req->query) : 0, &error);
	rtk_signed_url_status st = rtk_signed_url_check(ctx->jwt_secret, ctx->jwt_secret_len, "chat-export",
		session_id, q ? rtk_rest_query_get(q, "expires") : NULL, q ? rtk_rest_query_get(q, "signature") : NULL,
		g_get_real_time() / G_USEC_PER_SEC);
	rtk_rest_query_free(q);
	if (st == RTK_SIGNED_URL_INVALID) {
		rtk_rest_fail(reply, 403, "this chat export URL is not valid: ask GET /v2/sessions/{id}/chat for one");
		return true;
	}
	if (st == RTK_SIGNED_URL_EXPIRED) {
		rtk_rest_fail(reply, 403, "this chat export URL has expired: ask GET /v2/sessions/{id}/chat for a new one");
		return true;
	}
	char *csv = chat_csv(ctx->store, session_id);
	if (csv == NULL) {
		rtk_rest_fail(reply, 500, "the chat could not be read from the store");
		return true;
	}
	reply->status = 200;
	reply->body = csv;
	reply->content_type = "text/csv; charset=utf-8";
	return true;
}
