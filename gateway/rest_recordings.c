/*
 * rest_recordings.c - recordings in the REST v2 API:
 *   POST /v2/recordings                        start one {meeting_id, file_name_prefix, video_config,
 *                                              audio_config, max_seconds, allow_multiple_recordings}
 *   GET  /v2/recordings                        list, newest first (query meeting_id, status)
 *   GET  /v2/recordings/{id}                   one
 *   PUT  /v2/recordings/{id}                   {action: stop|pause|resume}
 *   GET  /v2/recordings/active-recording/{meeting_id}
 *   GET  /v2/recordings/{id}/download          the file (MP4 or WebM), REST-authenticated
 *
 * Owns the validation of these requests and the public shape of a
 * recording (download_url added, never the server's paths). Running
 * recordings are the plugin's (rtk_live_ops, plugin/capture.h); finished
 * ones are read from the store, where the plugin records every change.
 */
#include <string.h>
#include <sys/stat.h>
#include "rest_internal.h"

static const char *const recording_statuses[] = {
	"INVOKED", "RECORDING", "PAUSED", "UPLOADING", "UPLOADED", "ERRORED", NULL
};

/* Sets download_url (null until a file can be downloaded) in `rec`, in
 * place; returns `rec`. */
static json_t *recording_public(const rtk_rest_ctx *ctx, json_t *rec)
{
	const char *status = json_string_value(json_object_get(rec, "status"));
	const char *id = json_string_value(json_object_get(rec, "id"));
	bool done = status && (!strcmp(status, "UPLOADED") || !strcmp(status, "ERRORED"));
	json_t *size = json_object_get(rec, "file_size");
	if (done && ctx->base_url && id && json_is_integer(size) && json_integer_value(size) > 0) {
		char *url = g_strdup_printf("%s/v2/recordings/%s/download", ctx->base_url, id);
		json_object_set_new(rec, "download_url", json_string(url));
		g_free(url);
	} else {
		json_object_set_new(rec, "download_url", json_null());
	}
	return rec;
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

/* The meeting's recording_config (docs/rest.md, "Meetings") is the
 * default of every key the request leaves out or null. */
static void recording_meeting_defaults(json_t *body, const json_t *meeting)
{
	const char *key;
	json_t *v;
	json_t *defaults = json_object_get(meeting, "recording_config");
	if (!json_is_object(defaults))
		return;
	json_object_foreach(defaults, key, v) {
		json_t *own = json_object_get(body, key);
		if (own == NULL || json_is_null(own))
			json_object_set(body, key, v);
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
	} else if (recording_live_ops(call)) {
		json_t *meeting = NULL;
		rtk_store_status st = rtk_store_meeting_get(call->ctx->store, meeting_id, &meeting);
		if (st != RTK_STORE_OK) {
			rtk_rest_fail_store(call, st, "meeting", meeting_id);
		} else {
			if (max != NULL)
				json_object_set(body, "max_seconds", (json_t *)max);
			recording_meeting_defaults(body, meeting);
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

static void recording_list(rtk_rest_call *call)
{
	rtk_rest_query *q = NULL;
	const char *error = NULL;
	const char *query = call->req->query;
	q = rtk_rest_query_parse(query, query ? strlen(query) : 0, &error);
	if (q == NULL) {
		rtk_rest_fail(call->reply, 400, "malformed query: %s", error);
		return;
	}
	const char *meeting_id = rtk_rest_query_get(q, "meeting_id");
	const char *status = rtk_rest_query_get(q, "status");
	bool status_ok = status == NULL;
	for (int i = 0; !status_ok && recording_statuses[i]; i++)
		status_ok = !strcmp(status, recording_statuses[i]);
	if (meeting_id != NULL && !rtk_rest_is_uuid(meeting_id)) {
		rtk_rest_fail(call->reply, 400, "query 'meeting_id' must be a meeting id");
	} else if (!status_ok) {
		rtk_rest_fail(call->reply, 400, "query 'status' must be one of INVOKED, RECORDING, PAUSED, "
			"UPLOADING, UPLOADED, ERRORED");
	} else {
		json_t *items = NULL;
		int total = 0;
		rtk_store_status st = rtk_store_recording_list(call->ctx->store, meeting_id, status,
			call->offset, call->limit, &items, &total);
		if (st != RTK_STORE_OK) {
			rtk_rest_fail_store(call, st, "recordings", "");
		} else {
			size_t i;
			json_t *rec;
			json_array_foreach(items, i, rec)
				recording_public(call->ctx, rec);
			rtk_rest_reply_list(call, items, total);
		}
	}
	rtk_rest_query_free(q);
}

static void recording_get(rtk_rest_call *call)
{
	json_t *rec = NULL;
	rtk_store_status st = rtk_store_recording_get(call->ctx->store, call->ids[0], &rec);
	if (st != RTK_STORE_OK)
		rtk_rest_fail_store(call, st, "recording", call->ids[0]);
	else
		rtk_rest_reply_data(call, 200, recording_public(call->ctx, rec));
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
	json_t *meeting = NULL;
	rtk_store_status st = rtk_store_meeting_get(call->ctx->store, call->ids[0], &meeting);
	json_decref(meeting);
	if (st != RTK_STORE_OK) {
		rtk_rest_fail_store(call, st, "meeting", call->ids[0]);
		return;
	}
	const rtk_live_ops *live = call->ctx->live;
	json_t *rec = live && live->recording_active ? live->recording_active(call->ids[0], live->user_data) : NULL;
	if (rec == NULL)
		rtk_rest_fail(call->reply, 404, "meeting '%s' has no active recording", call->ids[0]);
	else
		rtk_rest_reply_data(call, 200, recording_public(call->ctx, rec));
}

/* The file itself: http.c streams it (rtk_rest_reply.file_path). */
static void recording_download(rtk_rest_call *call)
{
	json_t *rec = NULL;
	rtk_store_status st = rtk_store_recording_get(call->ctx->store, call->ids[0], &rec);
	if (st != RTK_STORE_OK) {
		rtk_rest_fail_store(call, st, "recording", call->ids[0]);
		return;
	}
	const char *name = json_string_value(json_object_get(rec, "output_file_name"));
	char *path = name && call->ctx->recordings_dir && !strchr(name, '/') ?
		g_build_filename(call->ctx->recordings_dir, name, NULL) : NULL;
	struct stat sb;
	if (path == NULL || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size == 0) {
		rtk_rest_fail(call->reply, 404, "recording '%s' has no file to download (yet)", call->ids[0]);
	} else {
		call->reply->status = 200;
		call->reply->file_path = g_strdup(path);
		call->reply->content_type = g_str_has_suffix(name, ".webm") ? "video/webm" : "video/mp4";
	}
	g_free(path);
	json_decref(rec);
}

const rtk_rest_route rtk_rest_recording_routes[] = {
	{ "POST", "recordings", RTK_REST_BODY, recording_start },
	{ "GET", "recordings", RTK_REST_PAGED, recording_list },
	{ "GET", "recordings/active-recording/{meeting}", 0, recording_active },
	{ "GET", "recordings/{recording}", 0, recording_get },
	{ "PUT", "recordings/{recording}", RTK_REST_BODY, recording_action },
	{ "GET", "recordings/{recording}/download", 0, recording_download },
	{ NULL, NULL, 0, NULL }
};
