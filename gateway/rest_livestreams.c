/*
 * rest_livestreams.c - livestreams in the REST v2 API:
 *   POST /v2/meetings/{id}/livestreams               start {name, livestream_viewer_qualities, vod,
 *                                                    video_config {layout}}
 *                                                    -> {id, status, playback_url}
 *   GET  /v2/meetings/{id}/livestreams               the meeting's livestreams, newest first
 *   GET  /v2/meetings/{id}/livestream                the same with their sessions {livestreams, sessions}
 *   GET  /v2/meetings/{id}/active-livestream         the running one (404 when none)
 *   POST /v2/meetings/{id}/active-livestream/stop    -> {message}
 *   GET  /v2/livestreams                             all, filtered (status, start_time, end_time,
 *                                                    exclude_meetings), sorted (sort_order), paged
 *   GET  /v2/livestreams/{id}                        one with its sessions {livestream, session, sessions}
 *   GET  /v2/livestreams/{id}/active-livestream-session   {livestream, session} while it runs
 *   GET  /v2/livestreams/sessions/{id}               one session
 *   GET  /v2/sessions/{id}/livestream-sessions       those of a meeting session {data, paging}
 *
 * Owns the validation of these requests and the public shapes: a
 * livestream (the stored object plus the reference's ingest_server,
 * stream_key, disabled) and its session. Every start here makes a new
 * livestream that runs once, so a livestream has exactly one session,
 * whose id is the livestream's. Running livestreams are the plugin's
 * (rtk_live_ops, plugin/capture.h) on the node running the meeting
 * (start, stop and active are forwarded there: rtk_rest_forward_live());
 * the store keeps every change. The
 * playlist itself is served under /hls/ (hls/hls.h).
 */
#include <string.h>
#include "rest_internal.h"

static const char *const livestream_statuses[] = { "LIVE", "IDLE", "ERRORED", "INVOKED", NULL };

static bool livestream_meeting(rtk_rest_call *call)
{
	json_t *meeting = NULL;
	rtk_store_status st = rtk_store_meeting_get(call->ctx->store, call->ids[0], &meeting);
	json_decref(meeting);
	if (st != RTK_STORE_OK) {
		rtk_rest_fail_store(call, st, "meeting", call->ids[0]);
		return false;
	}
	if (rtk_rest_forward_live(call, call->ids[0]))   /* live on another node: its answer */
		return false;
	if (call->ctx->live == NULL || call->ctx->live->livestream_start == NULL) {
		rtk_rest_fail(call->reply, 409, "livestreams need the live server (this gateway runs without the plugin)");
		return false;
	}
	return true;
}

/* The reference's fields we have no use for: no RTMP ingest (the
 * composite comes from the meeting), never disabled. In place; returns
 * `doc`. */
static json_t *livestream_public(json_t *doc)
{
	if (json_object_get(doc, "ingest_server") == NULL)
		json_object_set_new(doc, "ingest_server", json_null());
	if (json_object_get(doc, "stream_key") == NULL)
		json_object_set_new(doc, "stream_key", json_null());
	if (json_object_get(doc, "disabled") == NULL)
		json_object_set_new(doc, "disabled", json_false());
	return doc;
}

/* Seconds from ISO time `from` to `to` (NULL: now), 0 when unreadable. */
static double livestream_seconds(const char *from, const char *to)
{
	GDateTime *a = from ? g_date_time_new_from_iso8601(from, NULL) : NULL;
	GDateTime *b = to ? g_date_time_new_from_iso8601(to, NULL) : g_date_time_new_now_utc();
	double s = a && b ? (double)g_date_time_difference(b, a) / G_USEC_PER_SEC : 0;
	if (a)
		g_date_time_unref(a);
	if (b)
		g_date_time_unref(b);
	return s > 0 ? s : 0;
}

/* The session (NEW) of a stored livestream: its one run. ingest_seconds
 * from started_time to stopped_time (or now while it runs); viewer_seconds
 * is not measured (null). */
static json_t *livestream_session(const json_t *doc)
{
	const char *started = json_string_value(json_object_get(doc, "started_time"));
	const char *stopped = json_string_value(json_object_get(doc, "stopped_time"));
	const char *status = json_string_value(json_object_get(doc, "status"));
	bool running = status && (!strcmp(status, "LIVE") || !strcmp(status, "INVOKED"));
	double ingest = started && (stopped || running) ? livestream_seconds(started, stopped) : 0;
	json_t *error = json_object_get(doc, "error");
	return json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:I, s:n}",
		"id", json_object_get(doc, "id"),
		"livestream_id", json_object_get(doc, "id"),
		"err_message", error ? error : json_null(),
		"invoked_time", json_object_get(doc, "invoked_time") ? json_object_get(doc, "invoked_time") : json_null(),
		"started_time", started ? json_object_get(doc, "started_time") : json_null(),
		"stopped_time", stopped ? json_object_get(doc, "stopped_time") : json_null(),
		"created_at", json_object_get(doc, "created_at") ? json_object_get(doc, "created_at") : json_null(),
		"updated_at", json_object_get(doc, "updated_at") ? json_object_get(doc, "updated_at") : json_null(),
		"ingest_seconds", (json_int_t)ingest,
		"viewer_seconds");
}

static void livestream_reply_live(rtk_rest_call *call, int ok_status, json_t *doc, int status, char *message)
{
	if (doc != NULL)
		rtk_rest_reply_data(call, ok_status, livestream_public(doc));
	else
		rtk_rest_fail(call->reply, status ? status : 500, "%s", message ? message : "livestream failed");
	g_free(message);
}

#define LIVESTREAM_QUALITIES_MAX 4   /* RTK_CAPTURE_LADDER_MAX in the plugin */

/* livestream_viewer_qualities: null, or an array of 1..4 distinct
 * integers, each a rendition's height 144..1080. false after answering
 * 422. */
static bool livestream_qualities(rtk_rest_call *call, int *qualities, int *n)
{
	const json_t *q = json_object_get(call->body, "livestream_viewer_qualities");
	*n = 0;
	if (q == NULL || json_is_null(q))
		return true;
	size_t count = json_is_array(q) ? json_array_size(q) : 0;
	bool ok = count >= 1 && count <= LIVESTREAM_QUALITIES_MAX;
	for (size_t i = 0; ok && i < count; i++) {
		const json_t *v = json_array_get(q, i);
		json_int_t h = json_is_integer(v) ? json_integer_value(v) : 0;
		ok = h >= 144 && h <= 1080;
		for (int j = 0; ok && j < *n; j++)
			ok = qualities[j] != (int)h;
		if (ok)
			qualities[(*n)++] = (int)h;
	}
	if (!ok)
		rtk_rest_fail(call->reply, 422, "field 'livestream_viewer_qualities' must be 1 to %d distinct "
			"heights from 144 to 1080", LIVESTREAM_QUALITIES_MAX);
	return ok;
}

/* The composite's layouts (media/layout.h; ours, not the reference's). */
static const char *const livestream_layouts[] = { "GRID", "ACTIVE_SPEAKER", "PRESENTATION", NULL };

/* video_config.layout: null or absent (GRID, *layout NULL), or one of
 * livestream_layouts (borrowed from call->body). The reference's
 * video_config width and height are ignored (the renditions say the
 * sizes). false after answering 422. */
static bool livestream_layout(rtk_rest_call *call, const char **layout)
{
	const json_t *v = json_object_get(json_object_get(call->body, "video_config"), "layout");
	*layout = NULL;
	if (v == NULL || json_is_null(v))
		return true;
	for (const char *const *l = livestream_layouts; json_is_string(v) && *l; l++)
		if (strcmp(*l, json_string_value(v)) == 0) {
			*layout = *l;
			return true;
		}
	rtk_rest_fail(call->reply, 422, "field 'video_config.layout' must be one of GRID, ACTIVE_SPEAKER, PRESENTATION");
	return false;
}

static void livestream_start(rtk_rest_call *call)
{
	static const rtk_rest_field fields[] = {
		{ "name", RTK_REST_STRING, RTK_REST_NULLABLE, 255, NULL },
		{ "vod", RTK_REST_BOOLEAN, 0, 0, NULL },
		{ "video_config", RTK_REST_OBJECT, RTK_REST_NULLABLE, 0, NULL },
		{ NULL, 0, 0, 0, NULL }
	};
	int qualities[LIVESTREAM_QUALITIES_MAX], n_qualities = 0;
	const char *layout = NULL;
	json_t *body = NULL;
	if (!rtk_rest_take_fields(call, fields, &body))
		return;
	if (!livestream_qualities(call, qualities, &n_qualities) || !livestream_layout(call, &layout)) {
		json_decref(body);
		return;
	}
	if (livestream_meeting(call)) {
		int status = 0;
		char *message = NULL;
		const rtk_live_ops *live = call->ctx->live;
		json_t *doc = live->livestream_start(call->ids[0], json_string_value(json_object_get(body, "name")),
			qualities, n_qualities, json_is_true(json_object_get(body, "vod")), layout, &status, &message,
			live->user_data);
		livestream_reply_live(call, 201, doc, status, message);
	}
	json_decref(body);
}

/* {message}, as the reference answers; the livestream itself is read with
 * GET /v2/livestreams/{id}. */
static void livestream_stop(rtk_rest_call *call)
{
	if (!livestream_meeting(call))
		return;
	int status = 0;
	char *message = NULL;
	const rtk_live_ops *live = call->ctx->live;
	json_t *doc = live->livestream_stop(call->ids[0], &status, &message, live->user_data);
	if (doc != NULL) {
		json_decref(doc);
		rtk_rest_reply_data(call, 200, json_pack("{s:s}", "message", "Stopped live stream successfully"));
	} else {
		rtk_rest_fail(call->reply, status ? status : 500, "%s", message ? message : "livestream failed");
	}
	g_free(message);
}

static void livestream_active(rtk_rest_call *call)
{
	if (!livestream_meeting(call))
		return;
	const rtk_live_ops *live = call->ctx->live;
	json_t *doc = live->livestream_active(call->ids[0], live->user_data);
	if (doc == NULL)
		rtk_rest_fail(call->reply, 404, "meeting '%s' is not livestreaming", call->ids[0]);
	else
		rtk_rest_reply_data(call, 200, livestream_public(doc));
}

/* The meeting's livestreams (a page, NEW) or NULL after answering. */
static json_t *livestream_meeting_page(rtk_rest_call *call, int *total)
{
	json_t *meeting = NULL, *items = NULL;
	rtk_store_status st = rtk_store_meeting_get(call->ctx->store, call->ids[0], &meeting);
	json_decref(meeting);
	if (st == RTK_STORE_OK)
		st = rtk_store_livestream_list(call->ctx->store, call->ids[0], NULL, call->offset, call->limit,
			&items, total);
	if (st != RTK_STORE_OK) {
		rtk_rest_fail_store(call, st, "meeting", call->ids[0]);
		return NULL;
	}
	size_t i;
	json_t *doc;
	json_array_foreach(items, i, doc)
		livestream_public(doc);
	return items;
}

static void livestream_list(rtk_rest_call *call)
{
	int total = 0;
	json_t *items = livestream_meeting_page(call, &total);
	if (items != NULL)
		rtk_rest_reply_list(call, items, total);
}

/* GET /v2/meetings/{id}/livestream: {livestreams, sessions} */
static void livestream_meeting_sessions(rtk_rest_call *call)
{
	int total = 0;
	json_t *items = livestream_meeting_page(call, &total);
	if (items == NULL)
		return;
	json_t *sessions = json_array();
	size_t i;
	json_t *doc;
	json_array_foreach(items, i, doc)
		json_array_append_new(sessions, livestream_session(doc));
	int count = (int)json_array_size(items);
	rtk_rest_reply_paged(call, json_pack("{s:o, s:o}", "livestreams", items, "sessions", sessions), count, total);
}

/* GET /v2/livestreams/{id}: {livestream, session, sessions} and paging,
 * both ways the references put it (top level and in data). */
static void livestream_get(rtk_rest_call *call)
{
	json_t *doc = NULL;
	rtk_store_status st = rtk_store_livestream_get(call->ctx->store, call->ids[0], &doc);
	if (st != RTK_STORE_OK) {
		rtk_rest_fail_store(call, st, "livestream", call->ids[0]);
		return;
	}
	json_t *session = livestream_session(doc);
	json_t *sessions = json_array();
	if (call->offset == 0)
		json_array_append(sessions, session);
	int count = (int)json_array_size(sessions);
	json_t *data = json_pack("{s:o, s:o, s:o, s:{s:i, s:i, s:i}}", "livestream", livestream_public(doc),
		"session", session, "sessions", sessions,
		"paging", "total_count", 1, "start_offset", count ? 1 : 0, "end_offset", count);
	rtk_rest_reply_paged(call, data, count, 1);
}

/* GET /v2/livestreams/{id}/active-livestream-session: while it runs. */
static void livestream_active_session(rtk_rest_call *call)
{
	json_t *doc = NULL;
	rtk_store_status st = rtk_store_livestream_get(call->ctx->store, call->ids[0], &doc);
	if (st != RTK_STORE_OK) {
		rtk_rest_fail_store(call, st, "livestream", call->ids[0]);
		return;
	}
	const char *status = json_string_value(json_object_get(doc, "status"));
	if (status == NULL || (strcmp(status, "LIVE") && strcmp(status, "INVOKED"))) {
		rtk_rest_fail(call->reply, 404, "livestream '%s' has no active session (it is %s)", call->ids[0],
			status ? status : "unknown");
		json_decref(doc);
		return;
	}
	json_t *session = livestream_session(doc);
	rtk_rest_reply_data(call, 200, json_pack("{s:o, s:o}", "livestream", livestream_public(doc),
		"session", session));
}

/* GET /v2/livestreams/sessions/{id}: a session (its livestream's id). */
static void livestream_session_get(rtk_rest_call *call)
{
	json_t *doc = NULL;
	rtk_store_status st = rtk_store_livestream_get(call->ctx->store, call->ids[0], &doc);
	if (st != RTK_STORE_OK) {
		rtk_rest_fail_store(call, st, "livestream session", call->ids[0]);
		return;
	}
	rtk_rest_reply_data(call, 200, livestream_session(doc));
	json_decref(doc);
}

/* GET /v2/sessions/{session_id}/livestream-sessions: the livestream
 * sessions run during a meeting session, oldest first, as the reference
 * nests them: {"data": [...], "paging": {...}} (and paging beside data). */
static void livestream_of_session(rtk_rest_call *call)
{
	json_t *session = NULL, *rows = NULL;
	rtk_store_status st = rtk_store_session_get(call->ctx->store, call->ids[0], &session);
	const char *meeting_id = json_string_value(json_object_get(session, "meeting_id"));
	if (st == RTK_STORE_OK)
		st = rtk_store_livestream_list(call->ctx->store, meeting_id, NULL, 0, -1, &rows, NULL);
	if (st != RTK_STORE_OK) {
		rtk_rest_fail_store(call, st, "session", call->ids[0]);
		json_decref(session);
		return;
	}
	json_t *page = json_array();
	int total = 0;
	for (size_t k = json_array_size(rows); k-- > 0;) {   /* the store's rows are newest first */
		json_t *doc = json_array_get(rows, k);
		const char *of = json_string_value(json_object_get(doc, "session_id"));
		if (of == NULL || strcmp(of, call->ids[0]) != 0)
			continue;
		if (total >= call->offset && total < call->offset + call->limit)
			json_array_append_new(page, livestream_session(doc));
		total++;
	}
	int count = (int)json_array_size(page);
	rtk_rest_reply_paged(call, json_pack("{s:o, s:{s:i, s:i, s:i}}", "data", page,
		"paging", "total_count", total, "start_offset", count ? call->offset + 1 : 0,
		"end_offset", count ? call->offset + count : 0), count, total);
	json_decref(rows);
	json_decref(session);
}

/* A query time for GET /v2/livestreams (NEW), or NULL with *bad set. */
static GDateTime *livestream_query_time(const rtk_rest_query *q, const char *name, bool *bad)
{
	const char *text = rtk_rest_query_get(q, name);
	if (text == NULL)
		return NULL;
	GDateTime *t = g_date_time_new_from_iso8601(text, NULL);
	if (t == NULL)
		*bad = true;
	return t;
}

/* Is the row's created_at inside [from, to] (either may be NULL)? */
static bool livestream_in_range(const json_t *doc, GDateTime *from, GDateTime *to)
{
	if (from == NULL && to == NULL)
		return true;
	const char *created = json_string_value(json_object_get(doc, "created_at"));
	GDateTime *t = created ? g_date_time_new_from_iso8601(created, NULL) : NULL;
	bool in = t != NULL && (from == NULL || g_date_time_compare(t, from) >= 0) &&
		(to == NULL || g_date_time_compare(t, to) <= 0);
	if (t)
		g_date_time_unref(t);
	return in;
}

/* GET /v2/livestreams: every livestream of the deployment (all are
 * meetings' here, so exclude_meetings=true lists none). The store filters
 * by status; the time range and the order are applied to its rows here. */
static void livestream_all(rtk_rest_call *call)
{
	const char *error = NULL;
	rtk_rest_query *q = rtk_rest_query_parse(call->req->query, call->req->query ? strlen(call->req->query) : 0,
		&error);
	if (q == NULL) {
		rtk_rest_fail(call->reply, 400, "malformed query: %s", error);
		return;
	}
	const char *status = rtk_rest_query_get(q, "status");
	const char *order = rtk_rest_query_get(q, "sort_order");
	const char *exclude = rtk_rest_query_get(q, "exclude_meetings");
	bool status_ok = status == NULL, bad_time = false;
	for (int i = 0; !status_ok && livestream_statuses[i]; i++)
		status_ok = !strcmp(status, livestream_statuses[i]);
	GDateTime *from = livestream_query_time(q, "start_time", &bad_time);
	GDateTime *to = livestream_query_time(q, "end_time", &bad_time);
	if (!status_ok) {
		rtk_rest_fail(call->reply, 400, "query 'status' must be one of LIVE, IDLE, ERRORED, INVOKED");
	} else if (order != NULL && strcmp(order, "ASC") && strcmp(order, "DSC") && strcmp(order, "DESC")) {
		rtk_rest_fail(call->reply, 400, "query 'sort_order' must be ASC or DSC");
	} else if (exclude != NULL && strcmp(exclude, "true") && strcmp(exclude, "false")) {
		rtk_rest_fail(call->reply, 400, "query 'exclude_meetings' must be true or false");
	} else if (bad_time) {
		rtk_rest_fail(call->reply, 400, "queries 'start_time' and 'end_time' must be ISO 8601 times "
			"(e.g. 2026-12-07T00:00:00Z)");
	} else {
		json_t *rows = NULL;
		rtk_store_status st = exclude && !strcmp(exclude, "true") ? (rows = json_array(), RTK_STORE_OK) :
			rtk_store_livestream_list(call->ctx->store, NULL, status, 0, -1, &rows, NULL);
		if (st != RTK_STORE_OK) {
			rtk_rest_fail_store(call, st, "livestreams", "");
		} else {
			json_t *matching = json_array(), *page = json_array();
			size_t n = json_array_size(rows);
			bool asc = order != NULL && !strcmp(order, "ASC");
			for (size_t k = 0; k < n; k++) {   /* the store's rows are newest first */
				json_t *doc = json_array_get(rows, asc ? n - 1 - k : k);
				if (livestream_in_range(doc, from, to))
					json_array_append(matching, doc);
			}
			int total = (int)json_array_size(matching);
			for (int k = call->offset; k < total && k < call->offset + call->limit; k++)
				json_array_append_new(page, livestream_public(json_deep_copy(json_array_get(matching, k))));
			json_decref(matching);
			rtk_rest_reply_list(call, page, total);
		}
		json_decref(rows);
	}
	if (from)
		g_date_time_unref(from);
	if (to)
		g_date_time_unref(to);
	rtk_rest_query_free(q);
}

const rtk_rest_route rtk_rest_livestream_routes[] = {
	{ "POST", "meetings/{meeting}/livestreams", RTK_REST_BODY, livestream_start },
	{ "GET", "meetings/{meeting}/livestreams", RTK_REST_PAGED, livestream_list },
	{ "GET", "meetings/{meeting}/livestream", RTK_REST_PAGED, livestream_meeting_sessions },
	{ "GET", "meetings/{meeting}/active-livestream", 0, livestream_active },
	{ "POST", "meetings/{meeting}/active-livestream/stop", RTK_REST_BODY, livestream_stop },
	{ "GET", "livestreams", RTK_REST_PAGED, livestream_all },
	{ "GET", "livestreams/sessions/{livestream session}", 0, livestream_session_get },
	{ "GET", "livestreams/{livestream}", RTK_REST_PAGED, livestream_get },
	{ "GET", "livestreams/{livestream}/active-livestream-session", 0, livestream_active_session },
	{ "GET", "sessions/{session}/livestream-sessions", RTK_REST_PAGED, livestream_of_session },
	{ NULL, NULL, 0, NULL }
};
