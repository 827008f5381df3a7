/*
 * rest_meetings.c - the meetings resource of the REST v2 API:
 *   POST  /v2/meetings          create (201); parent_meeting_id makes it a connected
 *                               meeting (breakout room) of that parent
 *   GET   /v2/meetings          list, newest first (paged); ?parent_meeting_id= its children
 *   GET   /v2/meetings/{id}     fetch
 *   PATCH /v2/meetings/{id}     update title, flags, status
 *
 * Owns what a meeting's fields may hold (a parent exists and is itself no
 * child: one level of connected meetings); rest.c has already authenticated,
 * routed and parsed the body, and the store owns ids and timestamps.
 */
#include <string.h>
#include "rest_internal.h"

#define RTK_MEETING_TITLE_MAX 1024

static const char *const rtk_meeting_statuses[] = { "ACTIVE", "INACTIVE", NULL };

/* Fields of POST; PATCH accepts these plus status. */
#define RTK_MEETING_FIELDS \
	{ "title", RTK_REST_STRING, RTK_REST_NULLABLE, RTK_MEETING_TITLE_MAX, NULL }, \
	{ "record_on_start", RTK_REST_BOOLEAN, 0, 0, NULL }, \
	{ "live_stream_on_start", RTK_REST_BOOLEAN, 0, 0, NULL }, \
	{ "persist_chat", RTK_REST_BOOLEAN, 0, 0, NULL }, \
	{ "summarize_on_end", RTK_REST_BOOLEAN, 0, 0, NULL }

static const rtk_rest_field rtk_meeting_create_fields[] = {
	RTK_MEETING_FIELDS,
	{ "parent_meeting_id", RTK_REST_STRING, RTK_REST_NULLABLE, 36, NULL },
	{ NULL, 0, 0, 0, NULL }
};

static const rtk_rest_field rtk_meeting_update_fields[] = {
	RTK_MEETING_FIELDS,
	{ "status", RTK_REST_STRING, 0, 0, rtk_meeting_statuses },
	{ NULL, 0, 0, 0, NULL }
};

/* A parent named at creation must exist and be a top-level meeting (no
 * grandchildren). Answers 422 and returns false otherwise; NULL is fine. */
static bool rtk_meeting_parent_valid(rtk_rest_call *call, const char *parent_id)
{
	if (parent_id == NULL)
		return true;
	json_t *parent = NULL;
	rtk_store_status st = rtk_rest_is_uuid(parent_id) ?
		rtk_store_meeting_get(call->ctx->store, parent_id, &parent) : RTK_STORE_NOT_FOUND;
	bool top = st == RTK_STORE_OK && json_is_null(json_object_get(parent, "parent_meeting_id"));
	json_decref(parent);
	if (st == RTK_STORE_NOT_FOUND)
		rtk_rest_fail(call->reply, 422, "field 'parent_meeting_id': no meeting '%s'", parent_id);
	else if (st != RTK_STORE_OK)
		rtk_rest_fail_store(call, st, "meeting", parent_id);
	else if (!top)
		rtk_rest_fail(call->reply, 422, "field 'parent_meeting_id': meeting '%s' is itself a connected "
			"meeting; connected meetings have one level", parent_id);
	return st == RTK_STORE_OK && top;
}

static void rtk_meeting_create(rtk_rest_call *call)
{
	json_t *fields, *meeting = NULL;
	if (!rtk_rest_take_fields(call, rtk_meeting_create_fields, &fields))
		return;
	if (!rtk_meeting_parent_valid(call, json_string_value(json_object_get(fields, "parent_meeting_id")))) {
		json_decref(fields);
		return;
	}
	rtk_store_status st = rtk_store_meeting_create(call->ctx->store, fields, &meeting);
	json_decref(fields);
	if (st != RTK_STORE_OK)
		rtk_rest_fail_store(call, st, "meeting", NULL);
	else
		rtk_rest_reply_data(call, 201, meeting);
}

static void rtk_meeting_list(rtk_rest_call *call)
{
	json_t *items = NULL;
	int total = 0;
	const char *error = NULL;
	const char *raw = call->req->query;
	rtk_rest_query *q = rtk_rest_query_parse(raw, raw ? strlen(raw) : 0, &error);
	const char *parent = q ? rtk_rest_query_get(q, "parent_meeting_id") : NULL;
	rtk_store_status st = parent != NULL ?
		rtk_store_meeting_children(call->ctx->store, parent, call->offset, call->limit, &items, &total) :
		rtk_store_meeting_list(call->ctx->store, call->offset, call->limit, &items, &total);
	rtk_rest_query_free(q);
	if (st != RTK_STORE_OK)
		rtk_rest_fail_store(call, st, "meeting", NULL);
	else
		rtk_rest_reply_list(call, items, total);
}

static void rtk_meeting_get(rtk_rest_call *call)
{
	json_t *meeting = NULL;
	rtk_store_status st = rtk_store_meeting_get(call->ctx->store, call->ids[0], &meeting);
	if (st != RTK_STORE_OK)
		rtk_rest_fail_store(call, st, "meeting", call->ids[0]);
	else
		rtk_rest_reply_data(call, 200, meeting);
}

static void rtk_meeting_update(rtk_rest_call *call)
{
	json_t *fields, *meeting = NULL;
	if (!rtk_rest_take_fields(call, rtk_meeting_update_fields, &fields))
		return;
	rtk_store_status st = rtk_store_meeting_update(call->ctx->store, call->ids[0], fields, &meeting);
	json_decref(fields);
	if (st != RTK_STORE_OK)
		rtk_rest_fail_store(call, st, "meeting", call->ids[0]);
	else
		rtk_rest_reply_data(call, 200, meeting);
}

const rtk_rest_route rtk_rest_meeting_routes[] = {
	{ "GET", "meetings", RTK_REST_PAGED, rtk_meeting_list },
	{ "POST", "meetings", RTK_REST_BODY, rtk_meeting_create },
	{ "GET", "meetings/{meeting}", 0, rtk_meeting_get },
	{ "PATCH", "meetings/{meeting}", RTK_REST_BODY, rtk_meeting_update },
	{ NULL, NULL, 0, NULL }
};
