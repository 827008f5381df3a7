/*
 * rest_history.c - the history of a deployment's live sessions, in the
 * REST v2 API (RealtimeKit's "sessions"):
 *   GET /v2/sessions                                      newest first (query associated_id or
 *                                                         meeting_id, status LIVE|ENDED,
 *                                                         start_time/end_time on created_at,
 *                                                         search, sort_by, sort_order)
 *   GET /v2/sessions/{session_id}                         one session
 *   GET /v2/sessions/{session_id}/participants            its presences, in join order
 *   GET /v2/sessions/{session_id}/participants/{id}       one presence (peer id), or the latest
 *                                                         of a participant (its REST id)
 *
 * Owns the validation of these requests and the figures computed at read
 * time (a presence still open has its duration so far). The store narrows
 * the list by meeting, status and time; a search (the meeting's title, its
 * id, the session's id) or an order other than newest first is applied
 * here, over the rows the store selected: a scan, as the store's own
 * search is. The rows are the
 * plugin's (plugin/history.c writes them, off its state lock, so a row may
 * lag a join or a leave by the writer's latency: milliseconds); this file
 * only reads them.
 */
#include "rest_internal.h"

#include <string.h>
#include <glib.h>

/* Sets a presence's duration so far when it is still open (left_at null).
 * Returns `p`. */
static json_t *history_presence_public(json_t *p)
{
	const json_t *left = json_object_get(p, "left_at");
	if (left == NULL || json_is_null(left)) {
		json_object_set_new(p, "left_at", json_null());
		json_object_set_new(p, "duration", json_real(rtk_store_minutes_between(
			json_string_value(json_object_get(p, "joined_at")), NULL)));
	}
	return p;
}

/* 404 for a session id the store does not know; true when it exists. */
static bool history_session_exists(rtk_rest_call *call, json_t **session)
{
	rtk_store_status st = rtk_store_session_get(call->ctx->store, call->ids[0], session);
	if (st != RTK_STORE_OK) {
		rtk_rest_fail_store(call, st, "session", call->ids[0]);
		return false;
	}
	return true;
}

/* How GET /v2/sessions narrows and orders its page. The store narrows by
 * meeting, status and time; a search or an order other than the store's
 * (newest first) is applied here, over every row the store selected. */
typedef struct history_list_query {
	rtk_store_session_filter filter;
	const char *search;          /* NULL: no narrowing */
	bool by_minutes;             /* sort_by minutesConsumed, else createdAt */
	bool ascending;              /* sort_order ASC */
	char from[RTK_REST_TIME_LEN], to[RTK_REST_TIME_LEN];
} history_list_query;

/* sort_by in RealtimeKit's names, and the store's field names too. */
static const char *const history_sort_fields[] = {
	"createdAt", "created_at", "minutesConsumed", "minutes_consumed", NULL
};
static const char *const history_sort_orders[] = { "ASC", "asc", "DESC", "desc", NULL };

/* One of two meanings (bits 0-1, bits 2-3) of a choices mask into *second;
 * answers 400 when the query gave both. */
static bool history_one_of_two(rtk_rest_call *call, const char *name, unsigned mask, bool *second)
{
	if ((mask & 3u) && (mask & 12u)) {
		rtk_rest_fail(call->reply, 400, "query parameter '%s' takes one value", name);
		return false;
	}
	*second = (mask & 12u) != 0;
	return true;
}

/* The list's query into *lq (strings borrowed from q). Answers 400 and
 * returns false when a value is bad. */
static bool history_list_query_parse(rtk_rest_call *call, const rtk_rest_query *q, history_list_query *lq)
{
	/* associated_id is RealtimeKit's name; meeting_id as the other lists have it. */
	const char *meeting_id = rtk_rest_query_get(q, "associated_id");
	if (meeting_id == NULL)
		meeting_id = rtk_rest_query_get(q, "meeting_id");
	const char *status = rtk_rest_query_get(q, "status");
	const char *search = rtk_rest_query_get(q, "search");
	unsigned sort_by = 0, sort_order = 0;
	bool descending = true;
	if (meeting_id != NULL && !rtk_rest_is_uuid(meeting_id)) {
		rtk_rest_fail(call->reply, 400, "query 'associated_id' must be a meeting id");
		return false;
	}
	if (status != NULL && strcmp(status, "LIVE") && strcmp(status, "ENDED")) {
		rtk_rest_fail(call->reply, 400, "query 'status' must be LIVE or ENDED");
		return false;
	}
	if (!rtk_rest_query_time_range(call->reply, q, lq->from, lq->to) ||
			!rtk_rest_query_choices(call->reply, q, "sort_by", history_sort_fields, &sort_by) ||
			!rtk_rest_query_choices(call->reply, q, "sort_order", history_sort_orders, &sort_order) ||
			!history_one_of_two(call, "sort_by", sort_by, &lq->by_minutes) ||
			!history_one_of_two(call, "sort_order", sort_order, &descending))
		return false;
	lq->ascending = sort_order != 0 && !descending;
	lq->search = search && *search ? search : NULL;
	lq->filter = (rtk_store_session_filter) {
		.meeting_id = meeting_id, .status = status,
		.created_from = lq->from[0] ? lq->from : NULL, .created_to = lq->to[0] ? lq->to : NULL,
	};
	return true;
}

/* Does string field `key` of `row` hold `needle` (ASCII letters in either
 * case; no character is a wildcard)? */
static bool history_field_holds(const json_t *row, const char *key, const char *needle)
{
	const char *v = json_string_value(json_object_get(row, key));
	if (v == NULL)
		return false;
	char *hay = g_ascii_strdown(v, -1), *low = g_ascii_strdown(needle, -1);
	bool found = strstr(hay, low) != NULL;
	g_free(hay);
	g_free(low);
	return found;
}

/* RealtimeKit's search: the meeting's title, the meeting's id or the session's id. */
static bool history_session_matches(const json_t *session, const char *search)
{
	return history_field_holds(session, "meeting_display_name", search) ||
		history_field_holds(session, "associated_id", search) ||
		history_field_holds(session, "meeting_id", search) || history_field_holds(session, "id", search);
}

/* A row of the in-memory order: the session and its place in the store's
 * order (newest first), which breaks ties. */
typedef struct history_ranked {
	json_t *session;   /* borrowed from the store's array */
	size_t place;
} history_ranked;

static int history_compare(const history_ranked *a, const history_ranked *b, const history_list_query *lq)
{
	int c = 0;
	if (lq->by_minutes) {
		double x = json_number_value(json_object_get(a->session, "minutes_consumed"));
		double y = json_number_value(json_object_get(b->session, "minutes_consumed"));
		c = x < y ? -1 : x > y;
	} else {
		c = g_strcmp0(json_string_value(json_object_get(a->session, "created_at")),
			json_string_value(json_object_get(b->session, "created_at")));
	}
	if (c == 0)   /* the store's order is newest first: a later place is older */
		c = a->place < b->place ? 1 : a->place > b->place ? -1 : 0;
	return lq->ascending ? c : -c;
}

static int history_compare_qsort(const void *a, const void *b, void *lq)
{
	return history_compare(a, b, lq);
}

/* The page of `all` (every row the store selected, newest first) that the
 * search and the order leave: a new array; *total counts what matched. */
static json_t *history_search_and_sort(rtk_rest_call *call, const json_t *all, const history_list_query *lq,
	int *total)
{
	size_t n = 0, i;
	json_t *s;
	history_ranked *rows = g_new(history_ranked, json_array_size(all) + 1);
	json_array_foreach(all, i, s)
		if (!lq->search || history_session_matches(s, lq->search))
			rows[n++] = (history_ranked) { s, i };
	g_qsort_with_data(rows, (gint)n, sizeof *rows, history_compare_qsort, (void *)lq);
	json_t *page = json_array();
	for (i = (size_t)call->offset; i < n && (call->limit < 0 || json_array_size(page) < (size_t)call->limit); i++)
		json_array_append(page, rows[i].session);
	*total = (int)n;
	g_free(rows);
	return page;
}

static void history_session_list(rtk_rest_call *call)
{
	const char *error = NULL;
	const char *query = call->req->query;
	history_list_query lq;
	rtk_rest_query *q = rtk_rest_query_parse(query, query ? strlen(query) : 0, &error);
	if (q == NULL) {
		rtk_rest_fail(call->reply, 400, "malformed query: %s", error);
		return;
	}
	if (history_list_query_parse(call, q, &lq)) {
		json_t *items = NULL;
		int total = 0;
		bool store_order = !lq.search && !lq.by_minutes && !lq.ascending;
		rtk_store_status st = store_order
			? rtk_store_session_find(call->ctx->store, &lq.filter, call->offset, call->limit, &items, &total)
			: rtk_store_session_find(call->ctx->store, &lq.filter, 0, -1, &items, NULL);
		if (st != RTK_STORE_OK) {
			rtk_rest_fail_store(call, st, "sessions", "");
		} else if (store_order) {
			rtk_rest_reply_list_in(call, "sessions", items, total);
		} else {
			json_t *page = history_search_and_sort(call, items, &lq, &total);
			json_decref(items);
			rtk_rest_reply_list_in(call, "sessions", page, total);
		}
	}
	rtk_rest_query_free(q);
}

static void history_session_get(rtk_rest_call *call)
{
	json_t *session = NULL;
	if (history_session_exists(call, &session))
		rtk_rest_reply_data(call, 200, session);
}

static void history_participant_list(rtk_rest_call *call)
{
	json_t *session = NULL;
	if (!history_session_exists(call, &session))
		return;
	json_decref(session);
	json_t *items = NULL;
	int total = 0;
	rtk_store_status st = rtk_store_session_participant_list(call->ctx->store, call->ids[0],
		call->offset, call->limit, &items, &total);
	if (st != RTK_STORE_OK) {
		rtk_rest_fail_store(call, st, "session participants", "");
		return;
	}
	size_t i;
	json_t *p;
	json_array_foreach(items, i, p)
		history_presence_public(p);
	rtk_rest_reply_list_in(call, "participants", items, total);
}

/* The latest presence in session `session_id` of the participant whose
 * REST id is `user_id` (a new reference), or NULL. A session holds a
 * meeting's joins of one sitting: reading them all is bounded. */
static json_t *history_latest_of_user(rtk_rest_call *call, const char *session_id, const char *user_id)
{
	json_t *items = NULL, *p, *found = NULL;
	size_t i;
	if (rtk_store_session_participant_list(call->ctx->store, session_id, 0, -1, &items, NULL) != RTK_STORE_OK)
		return NULL;
	json_array_foreach(items, i, p) {
		if (!g_strcmp0(json_string_value(json_object_get(p, "user_id")), user_id)) {
			json_decref(found);
			found = json_incref(p);
		}
	}
	json_decref(items);
	return found;
}

static void history_participant_get(rtk_rest_call *call)
{
	json_t *session = NULL;
	if (!history_session_exists(call, &session))
		return;
	json_decref(session);
	json_t *p = NULL;
	rtk_store_status st = rtk_store_session_participant_get(call->ctx->store, call->ids[0], call->ids[1], &p);
	if (st == RTK_STORE_NOT_FOUND && (p = history_latest_of_user(call, call->ids[0], call->ids[1])) != NULL)
		st = RTK_STORE_OK;
	if (st != RTK_STORE_OK)
		rtk_rest_fail_store(call, st, "session participant", call->ids[1]);
	else
		rtk_rest_reply_data(call, 200, json_pack("{s:o}", "participant", history_presence_public(p)));
}

const rtk_rest_route rtk_rest_history_routes[] = {
	{ "GET", "sessions", RTK_REST_PAGED, history_session_list },
	{ "GET", "sessions/{session}", 0, history_session_get },
	{ "GET", "sessions/{session}/participants", RTK_REST_PAGED, history_participant_list },
	{ "GET", "sessions/{session}/participants/{participant}", 0, history_participant_get },
	{ NULL, NULL, 0, NULL }
};
