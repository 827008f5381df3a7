/*
 * rest_recordings.c - recordings in the REST v2 API:
 *   POST /v2/recordings                        start one {meeting_id, file_name_prefix, video_config,
 *                                              audio_config, max_seconds, allow_multiple_recordings,
 *                                              storage_config and live_streaming_config
 *                                              {rtmp_url} (API key only)}
 *   GET  /v2/recordings                        list, newest first (query meeting_id, status, start_time,
 *                                              end_time, sort_by, sort_order, expired, search)
 *   GET  /v2/recordings/{id}                   one
 *   POST /v2/recordings/track                  start a per-track recording {meeting_id, layers,
 *                                              user_ids, max_seconds} (API key only)
 *   PUT  /v2/recordings/{id}                   {action: stop|pause|resume}
 *   GET  /v2/recordings/active-recording/{meeting_id}
 *   GET  /v2/recordings/{id}/download          the file (MP4 or WebM), REST-authenticated
 *   GET  /v2/recordings/{id}/download?expires=..&signature=..
 *                                              the same with no API key: the recording's
 *                                              download_url, signed (signed_url.h), 403 once expired
 *   GET  /v2/recordings/{id}/tracks/{file}/download[?expires=..&signature=..]
 *                                              one file of a per-track recording (its
 *                                              tracks[].download_url), likewise
 *
 * Owns the validation of these requests, who may call them and the public
 * shape of a recording (download_url and download_url_expiry added, never
 * the server's paths). POST, the GETs of a recording and of the active one
 * and the list also take a participant's token (Authorization: Bearer, as
 * the reference's "Bearer" scheme: a participant with permissions for
 * recording): its own meeting only, and only when its preset has
 * permissions.can_record; PUT takes the API key only, as in the reference.
 * Running recordings are the plugin's (rtk_live_ops, plugin/capture.h);
 * finished ones are read from the store, where the plugin records every
 * change. With several nodes, starts, PUT and active-recording of a
 * meeting live on another node are forwarded there
 * (rtk_rest_forward_live()), and download links name the node whose disk
 * holds the files (the row's node_id).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "node_forward.h"
#include "rest_internal.h"
#include "signed_url.h"


/* Whether the body's video_config.watermark names a URL the recorder would
 * fetch (http or https; a data: URI carries the image itself). */
static bool recording_fetches_url(const json_t *body)
{
	const char *url = json_string_value(json_object_get(json_object_get(json_object_get(body, "video_config"),
		"watermark"), "url"));
	return url != NULL && strncmp(url, "data:", 5) != 0;
}

static const char *const recording_statuses[] = {
	"INVOKED", "RECORDING", "PAUSED", "UPLOADING", "UPLOADED", "ERRORED", NULL
};

#define RECORDING_TRACK_PURPOSE "recording-track-download"

/* The signed link of file `file` of per-track recording `id` (g_malloc'd),
 * valid as a recording's download_url, with its expiry in *expiry
 * (g_malloc'd); NULL when signing failed. Signed over "<id>/<file>". */
static char *recording_track_url(const rtk_rest_ctx *ctx, const char *id, const char *file, char **expiry)
{
	long long expires = g_get_real_time() / G_USEC_PER_SEC + RTK_RECORDING_DOWNLOAD_TTL_SECONDS;
	char *what = g_strdup_printf("%s/%s", id, file);
	char *query = rtk_signed_url_query(ctx->jwt_secret, ctx->jwt_secret_len, RECORDING_TRACK_PURPOSE, what, expires);
	g_free(what);
	char *url = query ? g_strdup_printf("%s/v2/recordings/%s/tracks/%s/download?%s", ctx->base_url, id, file, query) :
		NULL;
	free(query);
	*expiry = url ? rtk_signed_url_iso8601(expires) : NULL;
	return url;
}

/* A per-track recording's tracks[] get download_url and
 * download_url_expiry (null until the recording is done and for a track
 * without bytes). */
static void recording_public_tracks(const rtk_rest_ctx *ctx, json_t *rec, bool done)
{
	const char *id = json_string_value(json_object_get(rec, "id"));
	size_t i;
	json_t *track;
	json_array_foreach(json_object_get(rec, "tracks"), i, track) {
		const char *file = json_string_value(json_object_get(track, "file_name"));
		json_t *size = json_object_get(track, "file_size");
		char *url = NULL, *expiry = NULL;
		if (done && ctx->base_url && id && file && json_is_integer(size) && json_integer_value(size) > 0)
			url = recording_track_url(ctx, id, file, &expiry);
		json_object_set_new(track, "download_url", url ? json_string(url) : json_null());
		json_object_set_new(track, "download_url_expiry", expiry ? json_string(expiry) : json_null());
		g_free(url);
		g_free(expiry);
	}
}

/* The REST URL of the node whose disk holds recording `rec`'s files when
 * that is another node (several nodes: the plugin writes "node_id" in
 * the row), without its trailing slash, g_malloc'd; NULL: this server's.
 * Removes node_id from `rec`: it is not part of the REST object. */
static char *recording_node_url(const rtk_rest_ctx *ctx, json_t *rec)
{
	const char *node_id = json_string_value(json_object_get(rec, "node_id"));
	char *url = NULL;
	if (ctx->nodes != NULL && node_id != NULL && strcmp(node_id, rtk_node_forward_node_id(ctx->nodes)) != 0) {
		json_t *node = NULL;
		const char *rest_url = NULL;
		if (rtk_store_node_get(ctx->store, node_id, &node) == RTK_STORE_OK)
			rest_url = json_string_value(json_object_get(node, "rest_url"));
		if (rest_url != NULL && *rest_url != '\0') {
			url = g_strdup(rest_url);
			for (size_t n = strlen(url); n > 0 && url[n - 1] == '/'; n--)
				url[n - 1] = '\0';
		}
		json_decref(node);
	}
	json_object_del(rec, "node_id");
	return url;
}

/* Sets download_url (a signed link a browser opens without the API key)
 * and download_url_expiry, both null until a file can be downloaded, and
 * audio_download_url (null: the reference's separate audio file is not
 * written; an audio-only recording's file is its download_url) in `rec`,
 * in place; returns `rec`. The links name the node that holds the files
 * (recording_node_url()). */
static json_t *recording_public(const rtk_rest_ctx *given, json_t *rec)
{
	char *node_url = recording_node_url(given, rec);
	rtk_rest_ctx on_node = *given;
	if (node_url != NULL)
		on_node.base_url = node_url;
	const rtk_rest_ctx *ctx = &on_node;
	const char *status = json_string_value(json_object_get(rec, "status"));
	const char *id = json_string_value(json_object_get(rec, "id"));
	bool done = status && (!strcmp(status, "UPLOADED") || !strcmp(status, "ERRORED"));
	json_t *size = json_object_get(rec, "file_size");
	char *url = NULL, *expiry = NULL;
	bool tracks = json_is_array(json_object_get(rec, "tracks"));   /* per-track: one link per file */
	if (tracks)
		recording_public_tracks(ctx, rec, done);
	if (!tracks && done && ctx->base_url && id && json_is_integer(size) && json_integer_value(size) > 0)
		url = rtk_signed_url_recording(ctx->jwt_secret, ctx->jwt_secret_len, ctx->base_url, id,
			g_get_real_time() / G_USEC_PER_SEC, &expiry);
	if (url != NULL) {
		json_object_set_new(rec, "download_url", json_string(url));
		json_object_set_new(rec, "download_url_expiry", json_string(expiry));
		g_free(url);
		g_free(expiry);
	} else {
		json_object_set_new(rec, "download_url", json_null());
		json_object_set_new(rec, "download_url_expiry", json_null());
	}
	if (json_object_get(rec, "audio_download_url") == NULL)
		json_object_set_new(rec, "audio_download_url", json_null());
	g_free(node_url);
	return rec;
}

/* May the call reach recordings of `meeting_id`? Always with the API key;
 * a participant's token only for its own meeting, when its preset allows
 * recording. Answers 403 otherwise. */
static bool recording_may(rtk_rest_call *call, const char *meeting_id)
{
	if (call->who == NULL)
		return true;
	const char *own = json_string_value(json_object_get(call->who->participant, "meeting_id"));
	json_t *permissions = json_object_get(call->who->preset, "permissions");
	if (!json_is_true(json_object_get(permissions, "can_record"))) {
		rtk_rest_fail(call->reply, 403, "this participant's preset does not allow recording "
			"(permissions.can_record)");
		return false;
	}
	if (meeting_id == NULL || own == NULL || strcasecmp(own, meeting_id) != 0) {
		rtk_rest_fail(call->reply, 403, "a participant's token reaches only the recordings of its own meeting");
		return false;
	}
	return true;
}

static bool recording_live_ops(rtk_rest_call *call)
{
	if (call->ctx->live == NULL || call->ctx->live->recording_start == NULL) {
		rtk_rest_fail(call->reply, 409, "recordings need the live server (this gateway runs without the plugin)");
		return false;
	}
	return true;
}

/* Replies with the REST object of a live operation, or its failure. */
static void recording_reply_live(rtk_rest_call *call, int ok_status, json_t *rec, int status, char *message)
{
	if (rec != NULL)
		rtk_rest_reply_data(call, ok_status, recording_public(call->ctx, rec));
	else
		rtk_rest_fail(call->reply, status ? status : 500, "%s", message ? message : "recording failed");
	g_free(message);
}

/* Sets in `into` every key of `defaults` that `into` leaves out or null
 * (values shared, not copied). */
static void recording_fill_missing(json_t *into, const json_t *defaults)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)defaults, key, v) {
		json_t *own = json_object_get(into, key);
		if (own == NULL || json_is_null(own))
			json_object_set(into, key, v);
	}
}

/* The meeting's recording_config (docs/rest.md, "Meetings") is the
 * default of every key the request leaves out or null, one level down
 * too: a request's video_config {codec} keeps the meeting's layout, size
 * and watermark (a watermark given is taken whole). The request's own
 * objects are copied before they are filled: `body` owns what it holds. */
static void recording_meeting_defaults(json_t *body, const json_t *meeting)
{
	const char *key;
	json_t *v;
	json_t *defaults = json_object_get(meeting, "recording_config");
	if (!json_is_object(defaults))
		return;
	json_object_foreach(defaults, key, v) {
		json_t *own = json_object_get(body, key);
		if (own == NULL || json_is_null(own)) {
			json_object_set(body, key, v);
		} else if (json_is_object(own) && json_is_object(v)) {
			json_t *merged = json_copy(own);
			recording_fill_missing(merged, v);
			json_object_set_new(body, key, merged);
		}
	}
}

static void recording_start(rtk_rest_call *call)
{
	static const rtk_rest_field fields[] = {
		{ "meeting_id", RTK_REST_STRING, RTK_REST_REQUIRED | RTK_REST_NONEMPTY, 36, NULL },
		{ "file_name_prefix", RTK_REST_STRING, RTK_REST_NULLABLE, 63, NULL },
		{ "video_config", RTK_REST_OBJECT, RTK_REST_NULLABLE, 0, NULL },
		{ "audio_config", RTK_REST_OBJECT, RTK_REST_NULLABLE, 0, NULL },
		{ "allow_multiple_recordings", RTK_REST_BOOLEAN, 0, 0, NULL },
		{ "storage_config", RTK_REST_OBJECT, RTK_REST_NULLABLE, 0, NULL },
		{ "live_streaming_config", RTK_REST_OBJECT, RTK_REST_NULLABLE, 0, NULL },
		{ NULL, 0, 0, 0, NULL }
	};
	json_t *body = NULL;
	if (!rtk_rest_take_fields(call, fields, &body))
		return;
	const char *meeting_id = json_string_value(json_object_get(body, "meeting_id"));
	const json_t *max = json_object_get(call->body, "max_seconds");
	if (max != NULL && !json_is_null(max) && (!json_is_integer(max) || json_integer_value(max) < 1 ||
			json_integer_value(max) > 86400)) {
		rtk_rest_fail(call->reply, 422, "field 'max_seconds' must be an integer 1..86400");
	} else if (!rtk_rest_is_uuid(meeting_id)) {
		char *echo = rtk_rest_echo(meeting_id);
		rtk_rest_fail(call->reply, 422, "field 'meeting_id' must be a meeting id, not '%s'", echo);
		g_free(echo);
	} else if (call->who != NULL && json_is_object(json_object_get(body, "storage_config"))) {
		/* the server would send the file where a participant says */
		rtk_rest_fail(call->reply, 403, "storage_config needs the API key, not a participant's token");
	} else if (call->who != NULL && json_is_object(json_object_get(body, "live_streaming_config"))) {
		/* likewise: the server would push the meeting where a participant says */
		rtk_rest_fail(call->reply, 403, "live_streaming_config needs the API key, not a participant's token");
	} else if (call->who != NULL && recording_fetches_url(body)) {
		/* the recorder would fetch a URL a participant chose, from inside the deployment's network */
		rtk_rest_fail(call->reply, 403, "a participant's video_config.watermark.url must be a data: URI; "
			"an http(s) one needs the API key");
	} else if (recording_may(call, meeting_id) && !rtk_rest_forward_live(call, meeting_id) &&
			recording_live_ops(call)) {
		json_t *meeting = NULL;
		rtk_store_status st = rtk_store_meeting_get(call->ctx->store, meeting_id, &meeting);
		if (st != RTK_STORE_OK) {
			rtk_rest_fail_store(call, st, "meeting", meeting_id);
		} else {
			if (max != NULL)
				json_object_set(body, "max_seconds", (json_t *)max);
			recording_meeting_defaults(body, meeting);
			if (call->who != NULL)   /* who started it (the plugin's caller); never from the body */
				json_object_set_new(body, "caller", json_pack("{s:O?, s:O?}",
					"user_id", json_object_get(call->who->participant, "id"),
					"name", json_object_get(call->who->participant, "name")));
			int status = 0;
			char *message = NULL;
			const rtk_live_ops *live = call->ctx->live;
			json_t *rec = live->recording_start(meeting_id, body, &status, &message, live->user_data);
			recording_reply_live(call, 201, rec, status, message);
		}
		json_decref(meeting);
	}
	json_decref(body);
}

/* POST /v2/recordings/track: the reference's {meeting_id, layers, max_seconds}
 * and Cloudflare's user_ids; layers' contents, user_ids' items and
 * max_seconds' range are the plugin's (model/track_config.h: 422). Answers
 * as the reference: 200 with {recording}. */
static void recording_track_start(rtk_rest_call *call)
{
	static const rtk_rest_field fields[] = {
		{ "meeting_id", RTK_REST_STRING, RTK_REST_REQUIRED | RTK_REST_NONEMPTY, 36, NULL },
		{ "layers", RTK_REST_OBJECT, RTK_REST_NULLABLE, 0, NULL },
		{ NULL, 0, 0, 0, NULL }
	};
	json_t *body = NULL;
	if (!rtk_rest_take_fields(call, fields, &body))
		return;
	const char *meeting_id = json_string_value(json_object_get(body, "meeting_id"));
	const json_t *ids = json_object_get(call->body, "user_ids");
	const json_t *max = json_object_get(call->body, "max_seconds");
	if (ids != NULL && !json_is_null(ids) && !json_is_array(ids)) {
		rtk_rest_fail(call->reply, 422, "field 'user_ids' must be an array of participant ids");
	} else if (max != NULL && !json_is_null(max) && !json_is_integer(max) && !json_is_string(max)) {
		rtk_rest_fail(call->reply, 422, "field 'max_seconds' must be an integer 1..86400");
	} else if (!rtk_rest_is_uuid(meeting_id)) {
		char *echo = rtk_rest_echo(meeting_id);
		rtk_rest_fail(call->reply, 422, "field 'meeting_id' must be a meeting id, not '%s'", echo);
		g_free(echo);
	} else if (rtk_rest_forward_live(call, meeting_id)) {
		/* live on another node: answered with its reply */
	} else if (call->ctx->live == NULL || call->ctx->live->track_recording_start == NULL) {
		rtk_rest_fail(call->reply, 409, "recordings need the live server (this gateway runs without the plugin)");
	} else {
		json_t *meeting = NULL;
		rtk_store_status st = rtk_store_meeting_get(call->ctx->store, meeting_id, &meeting);
		if (st != RTK_STORE_OK) {
			rtk_rest_fail_store(call, st, "meeting", meeting_id);
		} else {
			if (ids != NULL)
				json_object_set(body, "user_ids", (json_t *)ids);
			if (max != NULL)
				json_object_set(body, "max_seconds", (json_t *)max);
			int status = 0;
			char *message = NULL;
			const rtk_live_ops *live = call->ctx->live;
			json_t *rec = live->track_recording_start(meeting_id, body, &status, &message, live->user_data);
			if (rec != NULL)
				rtk_rest_reply_data(call, 200, json_pack("{s:o}", "recording", recording_public(call->ctx, rec)));
			else
				rtk_rest_fail(call->reply, status ? status : 500, "%s", message ? message : "recording failed");
			g_free(message);
		}
		json_decref(meeting);
	}
	json_decref(body);
}

/* The reference's list filters beyond meeting_id (all optional). */
typedef struct recording_filter {
	GPtrArray *statuses;       /* borrowed strings: repeated or comma-separated status; empty: any */
	char *status_text;         /* owns the comma-split copies */
	GDateTime *from, *to;      /* start_time, end_time: invoked_time inside (NULL: open) */
	bool asc;                  /* sort_order ASC (sort_by invokedTime, the only one) */
	bool none;                 /* expired=true: download links never expire here */
	char *search;              /* lower-case: part of the meeting id or title; NULL: any */
	GHashTable *titles;        /* meeting id -> lower-case title (owned), read once each */
} recording_filter;

static void recording_filter_clear(recording_filter *f)
{
	if (f->statuses)
		g_ptr_array_free(f->statuses, TRUE);
	g_free(f->status_text);
	if (f->from)
		g_date_time_unref(f->from);
	if (f->to)
		g_date_time_unref(f->to);
	g_free(f->search);
	if (f->titles)
		g_hash_table_destroy(f->titles);
}

static bool recording_status_known(const char *status)
{
	for (int i = 0; recording_statuses[i]; i++)
		if (!strcmp(status, recording_statuses[i]))
			return true;
	return false;
}

/* Reads the filters of `q` into `f`; answers 400 and returns false on a bad one. */
static bool recording_filter_parse(rtk_rest_call *call, const rtk_rest_query *q, recording_filter *f)
{
	f->statuses = g_ptr_array_new();
	GString *all = g_string_new(NULL);
	for (size_t i = 0; i < rtk_rest_query_count(q); i++) {
		const char *name, *value;
		rtk_rest_query_nth(q, i, &name, &value);
		if (!strcmp(name, "status"))
			g_string_append_printf(all, "%s%s", all->len ? "," : "", value);
	}
	f->status_text = g_string_free(all, FALSE);
	for (char *p = f->status_text, *next; p && *p; p = next) {
		next = strchr(p, ',');
		if (next)
			*next++ = '\0';
		if (!recording_status_known(p)) {
			rtk_rest_fail(call->reply, 400, "query 'status' must be one or more of INVOKED, RECORDING, PAUSED, "
				"UPLOADING, UPLOADED, ERRORED");
			return false;
		}
		g_ptr_array_add(f->statuses, p);
	}
	const char *from = rtk_rest_query_get(q, "start_time"), *to = rtk_rest_query_get(q, "end_time");
	const char *order = rtk_rest_query_get(q, "sort_order"), *by = rtk_rest_query_get(q, "sort_by");
	const char *expired = rtk_rest_query_get(q, "expired"), *search = rtk_rest_query_get(q, "search");
	f->from = from ? g_date_time_new_from_iso8601(from, NULL) : NULL;
	f->to = to ? g_date_time_new_from_iso8601(to, NULL) : NULL;
	if ((from && !f->from) || (to && !f->to)) {
		rtk_rest_fail(call->reply, 400, "queries 'start_time' and 'end_time' must be ISO 8601 times "
			"(e.g. 2026-12-07T00:00:00Z)");
		return false;
	}
	if ((order && strcmp(order, "ASC") && strcmp(order, "DESC")) || (by && strcmp(by, "invokedTime"))) {
		rtk_rest_fail(call->reply, 400, "query 'sort_by' must be invokedTime and 'sort_order' ASC or DESC");
		return false;
	}
	if (expired && strcmp(expired, "true") && strcmp(expired, "false")) {
		rtk_rest_fail(call->reply, 400, "query 'expired' must be true or false");
		return false;
	}
	f->asc = order && !strcmp(order, "ASC");
	f->none = expired && !strcmp(expired, "true");
	f->search = search && *search ? g_utf8_strdown(search, -1) : NULL;
	return true;
}

/* Only the store's own filters (meeting, one status) and its order? */
static bool recording_filter_plain(const recording_filter *f)
{
	return f->statuses->len <= 1 && !f->from && !f->to && !f->asc && !f->none && !f->search;
}

/* Does the meeting id or title of `rec` hold f->search? */
static bool recording_search_matches(const rtk_rest_ctx *ctx, recording_filter *f, const json_t *rec)
{
	const char *meeting_id = json_string_value(json_object_get(rec, "meeting_id"));
	if (meeting_id == NULL)
		return false;
	if (strstr(meeting_id, f->search) != NULL)
		return true;
	if (f->titles == NULL)
		f->titles = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	const char *title = g_hash_table_lookup(f->titles, meeting_id);
	if (title == NULL) {
		json_t *meeting = NULL;
		const char *t = rtk_store_meeting_get(ctx->store, meeting_id, &meeting) == RTK_STORE_OK ?
			json_string_value(json_object_get(meeting, "title")) : NULL;
		char *lower = g_utf8_strdown(t ? t : "", -1);
		g_hash_table_insert(f->titles, g_strdup(meeting_id), lower);
		title = lower;
		json_decref(meeting);
	}
	return strstr(title, f->search) != NULL;
}

static bool recording_filter_matches(const rtk_rest_ctx *ctx, recording_filter *f, const json_t *rec)
{
	const char *status = json_string_value(json_object_get(rec, "status"));
	bool status_ok = f->statuses->len == 0;
	for (guint i = 0; !status_ok && status && i < f->statuses->len; i++)
		status_ok = !strcmp(status, g_ptr_array_index(f->statuses, i));
	if (!status_ok)
		return false;
	if (f->from || f->to) {
		const char *invoked = json_string_value(json_object_get(rec, "invoked_time"));
		GDateTime *t = invoked ? g_date_time_new_from_iso8601(invoked, NULL) : NULL;
		bool in = t && (!f->from || g_date_time_compare(t, f->from) >= 0) &&
			(!f->to || g_date_time_compare(t, f->to) <= 0);
		if (t)
			g_date_time_unref(t);
		if (!in)
			return false;
	}
	return f->search == NULL || recording_search_matches(ctx, f, rec);
}

/* The filtered page (NEW) of every row of the meeting (or all), in order. */
static json_t *recording_filtered_page(rtk_rest_call *call, recording_filter *f, json_t *rows, int *total)
{
	json_t *page = json_array();
	size_t n = json_array_size(rows);
	*total = 0;
	for (size_t k = 0; !f->none && k < n; k++) {   /* the store's rows are newest first */
		json_t *rec = json_array_get(rows, f->asc ? n - 1 - k : k);
		if (!recording_filter_matches(call->ctx, f, rec))
			continue;
		if (*total >= call->offset && *total < call->offset + call->limit)
			json_array_append(page, rec);
		(*total)++;
	}
	return page;
}

/* GET /v2/recordings: meeting_id, status (one or more), start_time,
 * end_time, sort_by, sort_order, expired, search, as the reference. */
static void recording_list(rtk_rest_call *call)
{
	const char *error = NULL;
	const char *query = call->req->query;
	rtk_rest_query *q = rtk_rest_query_parse(query, query ? strlen(query) : 0, &error);
	if (q == NULL) {
		rtk_rest_fail(call->reply, 400, "malformed query: %s", error);
		return;
	}
	const char *meeting_id = rtk_rest_query_get(q, "meeting_id");
	if (call->who != NULL && meeting_id == NULL)   /* a participant lists its own meeting's */
		meeting_id = json_string_value(json_object_get(call->who->participant, "meeting_id"));
	recording_filter f = { 0 };
	if (meeting_id != NULL && !rtk_rest_is_uuid(meeting_id)) {
		rtk_rest_fail(call->reply, 400, "query 'meeting_id' must be a meeting id");
	} else if (recording_filter_parse(call, q, &f) && recording_may(call, meeting_id)) {
		json_t *items = NULL;
		int total = 0;
		bool plain = recording_filter_plain(&f);
		rtk_store_status st = plain ?
			rtk_store_recording_list(call->ctx->store, meeting_id, f.statuses->len ? g_ptr_array_index(f.statuses, 0) :
				NULL, call->offset, call->limit, &items, &total) :
			rtk_store_recording_list(call->ctx->store, meeting_id, NULL, 0, -1, &items, NULL);
		if (st != RTK_STORE_OK) {
			rtk_rest_fail_store(call, st, "recordings", "");
		} else {
			if (!plain) {
				json_t *rows = items;
				items = recording_filtered_page(call, &f, rows, &total);
				json_decref(rows);
			}
			size_t i;
			json_t *rec;
			json_array_foreach(items, i, rec)
				recording_public(call->ctx, rec);
			rtk_rest_reply_list(call, items, total);
			items = NULL;
		}
		json_decref(items);
	}
	recording_filter_clear(&f);
	rtk_rest_query_free(q);
}

static void recording_get(rtk_rest_call *call)
{
	json_t *rec = NULL;
	rtk_store_status st = rtk_store_recording_get(call->ctx->store, call->ids[0], &rec);
	if (st != RTK_STORE_OK)
		rtk_rest_fail_store(call, st, "recording", call->ids[0]);
	else if (recording_may(call, json_string_value(json_object_get(rec, "meeting_id"))))
		rtk_rest_reply_data(call, 200, recording_public(call->ctx, json_incref(rec)));
	json_decref(rec);
}

static void recording_action(rtk_rest_call *call)
{
	static const char *const actions[] = { "stop", "pause", "resume", NULL };
	static const rtk_rest_field fields[] = {
		{ "action", RTK_REST_STRING, RTK_REST_REQUIRED, 0, actions },
		{ NULL, 0, 0, 0, NULL }
	};
	json_t *body = NULL;
	if (!rtk_rest_take_fields(call, fields, &body))
		return;
	json_t *rec = NULL;
	rtk_store_status st = rtk_store_recording_get(call->ctx->store, call->ids[0], &rec);
	if (st != RTK_STORE_OK) {
		rtk_rest_fail_store(call, st, "recording", call->ids[0]);
	} else if (rtk_rest_forward_live(call, json_string_value(json_object_get(rec, "meeting_id")))) {
		/* its meeting is live on another node, which runs the recording: answered with its reply */
	} else if (recording_live_ops(call)) {
		int status = 0;
		char *message = NULL;
		const rtk_live_ops *live = call->ctx->live;
		json_t *now = live->recording_action(call->ids[0], json_string_value(json_object_get(body, "action")),
			&status, &message, live->user_data);
		recording_reply_live(call, 200, now, status, message);
	}
	json_decref(rec);
	json_decref(body);
}

static void recording_active(rtk_rest_call *call)
{
	if (!recording_may(call, call->ids[0]))
		return;
	json_t *meeting = NULL;
	rtk_store_status st = rtk_store_meeting_get(call->ctx->store, call->ids[0], &meeting);
	json_decref(meeting);
	if (st != RTK_STORE_OK) {
		rtk_rest_fail_store(call, st, "meeting", call->ids[0]);
		return;
	}
	if (rtk_rest_forward_live(call, call->ids[0]))   /* live on another node: its answer */
		return;
	const rtk_live_ops *live = call->ctx->live;
	json_t *rec = live && live->recording_active ? live->recording_active(call->ids[0], live->user_data) : NULL;
	if (rec == NULL)
		rtk_rest_fail(call->reply, 404, "meeting '%s' has no active recording", call->ids[0]);
	else
		rtk_rest_reply_data(call, 200, recording_public(call->ctx, rec));
}

/* Fills `reply` with the file of recording `id` (http.c streams it:
 * rtk_rest_reply.file_path), or a 404. */
static void recording_file(const rtk_rest_ctx *ctx, const char *id, rtk_rest_reply *reply)
{
	json_t *rec = NULL;
	rtk_store_status st = rtk_store_recording_get(ctx->store, id, &rec);
	const char *name = st == RTK_STORE_OK ? json_string_value(json_object_get(rec, "output_file_name")) : NULL;
	char *path = name && ctx->recordings_dir && !strchr(name, '/') ?
		g_build_filename(ctx->recordings_dir, name, NULL) : NULL;
	struct stat sb;
	if (st == RTK_STORE_FAILED) {
		rtk_rest_fail(reply, 500, "the store failed");
	} else if (st != RTK_STORE_OK) {
		rtk_rest_fail(reply, 404, "recording '%s' not found", id);
	} else if (path == NULL || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size == 0) {
		rtk_rest_fail(reply, 404, "recording '%s' has no file to download (yet)", id);
	} else {
		reply->status = 200;
		reply->file_path = g_strdup(path);
		reply->content_type = g_str_has_suffix(name, ".webm") ? "video/webm" :
			g_str_has_suffix(name, ".m4a") ? "audio/mp4" : g_str_has_suffix(name, ".mp3") ? "audio/mpeg" :
			"video/mp4";
	}
	g_free(path);
	json_decref(rec);
}

static void recording_download(rtk_rest_call *call)
{
	recording_file(call->ctx, call->ids[0], call->reply);
}

/* The recording id of "/v2/recordings/<uuid>/download" in `id` (37
 * bytes), or false. */
static bool recording_download_path(const char *path, char id[37])
{
	static const char prefix[] = "/v2/recordings/", suffix[] = "/download";
	size_t plen = sizeof prefix - 1, slen = sizeof suffix - 1;
	if (path == NULL || strncmp(path, prefix, plen) != 0 || strlen(path) != plen + 36 + slen ||
	    strcmp(path + plen + 36, suffix) != 0)
		return false;
	memcpy(id, path + plen, 36);
	id[36] = '\0';
	return rtk_rest_is_uuid(id);
}

/* The recording id and file name of "/v2/recordings/<uuid>/tracks/<file>/download"
 * (`file` at most 255 bytes of file name characters, not starting with a
 * dot), or false. */
static bool recording_track_path(const char *path, char id[37], char file[256])
{
	static const char prefix[] = "/v2/recordings/", middle[] = "/tracks/", suffix[] = "/download";
	size_t plen = sizeof prefix - 1, mlen = sizeof middle - 1, slen = sizeof suffix - 1;
	if (path == NULL || strncmp(path, prefix, plen) != 0 || strlen(path) < plen + 36 + mlen + 1 + slen ||
	    strncmp(path + plen + 36, middle, mlen) != 0 || !g_str_has_suffix(path, suffix))
		return false;
	memcpy(id, path + plen, 36);
	id[36] = '\0';
	const char *f = path + plen + 36 + mlen;
	size_t flen = strlen(f) - slen;
	if (flen == 0 || flen > 255 || f[0] == '.' || !rtk_rest_is_uuid(id))
		return false;
	for (size_t i = 0; i < flen; i++)
		if (!g_ascii_isalnum(f[i]) && f[i] != '-' && f[i] != '_' && f[i] != '.')
			return false;
	memcpy(file, f, flen);
	file[flen] = '\0';
	return true;
}

/* Fills `reply` with file `file` of per-track recording `id`: one of its
 * tracks[] (never another file of its directory), or a 404. */
static void recording_track_file(const rtk_rest_ctx *ctx, const char *id, const char *file, rtk_rest_reply *reply)
{
	json_t *rec = NULL;
	rtk_store_status st = rtk_store_recording_get(ctx->store, id, &rec);
	bool listed = false;
	size_t i;
	json_t *track;
	json_array_foreach(st == RTK_STORE_OK ? json_object_get(rec, "tracks") : NULL, i, track)
		listed |= g_strcmp0(json_string_value(json_object_get(track, "file_name")), file) == 0;
	char *path = listed && ctx->recordings_dir ? g_build_filename(ctx->recordings_dir, id, file, NULL) : NULL;
	struct stat sb;
	if (st == RTK_STORE_FAILED)
		rtk_rest_fail(reply, 500, "the store failed");
	else if (st != RTK_STORE_OK)
		rtk_rest_fail(reply, 404, "recording '%s' not found", id);
	else if (path == NULL || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size == 0)
		rtk_rest_fail(reply, 404, "recording '%s' has no track file '%s' to download (yet)", id, file);
	else {
		reply->status = 200;
		reply->file_path = g_strdup(path);
		reply->content_type = g_str_has_suffix(file, ".mp4") ? "video/mp4" : "video/webm";
	}
	g_free(path);
	json_decref(rec);
}

/* GET .../tracks/{file}/download: signed (its download_url), or with the API key. */
static void recording_track_download(const rtk_rest_ctx *ctx, const rtk_rest_request *req, const char *id,
	const char *file, rtk_rest_reply *reply)
{
	const char *error = NULL;
	rtk_rest_query *q = rtk_rest_query_parse(req->query, req->query ? strlen(req->query) : 0, &error);
	const char *expires = q ? rtk_rest_query_get(q, "expires") : NULL;
	const char *signature = q ? rtk_rest_query_get(q, "signature") : NULL;
	if (expires == NULL && signature == NULL) {
		if (rtk_rest_authorized(ctx, req->authorization))
			recording_track_file(ctx, id, file, reply);
		else
			rtk_rest_fail(reply, 401, "missing or wrong credentials: send the API key, or use the track's "
				"signed download_url");
	} else {
		char *what = g_strdup_printf("%s/%s", id, file);
		rtk_signed_url_status st = rtk_signed_url_check(ctx->jwt_secret, ctx->jwt_secret_len,
			RECORDING_TRACK_PURPOSE, what, expires, signature, g_get_real_time() / G_USEC_PER_SEC);
		g_free(what);
		if (st == RTK_SIGNED_URL_INVALID)
			rtk_rest_fail(reply, 403, "this download URL is not valid: ask GET /v2/recordings/{id} for the "
				"track's download_url");
		else if (st == RTK_SIGNED_URL_EXPIRED)
			rtk_rest_fail(reply, 403, "this download URL has expired: ask GET /v2/recordings/{id} for a new one");
		else
			recording_track_file(ctx, id, file, reply);
	}
	rtk_rest_query_free(q);
}

bool rtk_rest_recording_download_serve(const rtk_rest_ctx *ctx, const rtk_rest_request *req, rtk_rest_reply *reply)
{
	char track_id[37], track_file[256];
	if (recording_track_path(req->path, track_id, track_file) && strcmp(req->method ? req->method : "", "GET") == 0) {
		recording_track_download(ctx, req, track_id, track_file, reply);
		return true;
	}
	char id[37];
	if (!recording_download_path(req->path, id) || strcmp(req->method ? req->method : "", "GET") != 0)
		return false;
	const char *error = NULL;
	rtk_rest_query *q = rtk_rest_query_parse(req->query, req->query ? strlen(req->query) : 0, &error);
	const char *expires = q ? rtk_rest_query_get(q, "expires") : NULL;
	const char *signature = q ? rtk_rest_query_get(q, "signature") : NULL;
	if (q != NULL && expires == NULL && signature == NULL) {
		rtk_rest_query_free(q);
		return false;   /* not signed: the route with the API key */
	}
	rtk_signed_url_status st = rtk_signed_url_check(ctx->jwt_secret, ctx->jwt_secret_len,
		RTK_RECORDING_DOWNLOAD_PURPOSE, id, expires, signature, g_get_real_time() / G_USEC_PER_SEC);
	rtk_rest_query_free(q);
	if (st == RTK_SIGNED_URL_INVALID)
		rtk_rest_fail(reply, 403, "this download URL is not valid: ask GET /v2/recordings/{id} for its download_url");
	else if (st == RTK_SIGNED_URL_EXPIRED)
		rtk_rest_fail(reply, 403, "this download URL has expired: ask GET /v2/recordings/{id} for a new one");
	else
		recording_file(ctx, id, reply);
	return true;
}

const rtk_rest_route rtk_rest_recording_routes[] = {
	{ "POST", "recordings", RTK_REST_BODY | RTK_REST_PARTICIPANT, recording_start },
	{ "POST", "recordings/track", RTK_REST_BODY, recording_track_start },
	{ "GET", "recordings", RTK_REST_PAGED | RTK_REST_PARTICIPANT, recording_list },
	{ "GET", "recordings/active-recording/{meeting}", RTK_REST_PARTICIPANT, recording_active },
	{ "GET", "recordings/{recording}", RTK_REST_PARTICIPANT, recording_get },
	{ "PUT", "recordings/{recording}", RTK_REST_BODY, recording_action },
	{ "GET", "recordings/{recording}/download", 0, recording_download },
	{ NULL, NULL, 0, NULL }
};
