/*
 * rest_history.c - the history of a deployment's live sessions, in the
 * REST v2 API (RealtimeKit's "sessions"):
 *   GET /v2/sessions                                      newest first (query associated_id or
 *                                                         meeting_id, status LIVE|ENDED)
 *   GET /v2/sessions/{session_id}                         one session
 *   GET /v2/sessions/{session_id}/participants            its presences, in join order
 *   GET /v2/sessions/{session_id}/participants/{id}       one presence (peer id), or the latest
 *                                                         of a participant (its REST id)
 *
 * Owns the validation of these requests and the figures computed at read
 * time (a presence still open has its duration so far). The rows are the
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

static void history_session_list(rtk_rest_call *call)
{
	const char *error = NULL;
	const char *query = call->req->query;
	rtk_rest_query *q = rtk_rest_query_parse(query, query ? strlen(query) : 0, &error);
	if (q == NULL) {
		rtk_rest_fail(call->reply, 400, "malformed query: %s", error);
		return;
	}
	/* associated_id is RealtimeKit's name; meeting_id as the other lists have it. */
	const char *meeting_id = rtk_rest_query_get(q, "associated_id");
	if (meeting_id == NULL)
		meeting_id = rtk_rest_query_get(q, "meeting_id");
	const char *status = rtk_rest_query_get(q, "status");
	if (meeting_id != NULL && !rtk_rest_is_uuid(meeting_id)) {
		rtk_rest_fail(call->reply, 400, "query 'associated_id' must be a meeting id");
	} else if (status != NULL && strcmp(status, "LIVE") && strcmp(status, "ENDED")) {
		rtk_rest_fail(call->reply, 400, "query 'status' must be LIVE or ENDED");
	} else {
		json_t *items = NULL;
		int total = 0;
		rtk_store_status st = rtk_store_session_list(call->ctx->store, meeting_id, status,
			call->offset, call->limit, &items, &total);
		if (st != RTK_STORE_OK)
			rtk_rest_fail_store(call, st, "sessions", "");
		else
			rtk_rest_reply_list_in(call, "sessions", items, total);
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
