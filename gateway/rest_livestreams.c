/*
 * rest_livestreams.c - livestreams in the REST v2 API:
 *   POST /v2/meetings/{id}/livestreams               start {name} -> {id, status, playback_url}
 *   GET  /v2/meetings/{id}/livestreams               the meeting's livestreams, newest first
 *   GET  /v2/meetings/{id}/active-livestream         the running one (404 when none)
 *   POST /v2/meetings/{id}/active-livestream/stop
 *   GET  /v2/livestreams/{id}                        one, by id
 *
 * Owns the validation of these requests. Running livestreams are the
 * plugin's (rtk_live_ops, plugin/capture.h); the store keeps every change.
 * The playlist itself is served under /hls/ (hls/hls.h).
 */
#include <string.h>
#include "rest_internal.h"

static bool livestream_meeting(rtk_rest_call *call)
{
	json_t *meeting = NULL;
	rtk_store_status st = rtk_store_meeting_get(call->ctx->store, call->ids[0], &meeting);
	json_decref(meeting);
	if (st != RTK_STORE_OK) {
		rtk_rest_fail_store(call, st, "meeting", call->ids[0]);
		return false;
	}
	if (call->ctx->live == NULL || call->ctx->live->livestream_start == NULL) {
		rtk_rest_fail(call->reply, 409, "livestreams need the live server (this gateway runs without the plugin)");
		return false;
	}
	return true;
}

static void livestream_reply_live(rtk_rest_call *call, int ok_status, json_t *doc, int status, char *message)
{
	if (doc != NULL)
		rtk_rest_reply_data(call, ok_status, doc);
	else
		rtk_rest_fail(call->reply, status ? status : 500, "%s", message ? message : "livestream failed");
	g_free(message);
}

static void livestream_start(rtk_rest_call *call)
{
	static const rtk_rest_field fields[] = {
		{ "name", RTK_REST_STRING, RTK_REST_NULLABLE, 255, NULL },
		{ NULL, 0, 0, 0, NULL }
	};
	json_t *body = NULL;
	if (!rtk_rest_take_fields(call, fields, &body))
		return;
	if (livestream_meeting(call)) {
		int status = 0;
		char *message = NULL;
		const rtk_live_ops *live = call->ctx->live;
		json_t *doc = live->livestream_start(call->ids[0], json_string_value(json_object_get(body, "name")),
			&status, &message, live->user_data);
		livestream_reply_live(call, 201, doc, status, message);
	}
	json_decref(body);
}

static void livestream_stop(rtk_rest_call *call)
{
	if (!livestream_meeting(call))
		return;
	int status = 0;
	char *message = NULL;
	const rtk_live_ops *live = call->ctx->live;
	json_t *doc = live->livestream_stop(call->ids[0], &status, &message, live->user_data);
	livestream_reply_live(call, 200, doc, status, message);
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
		rtk_rest_reply_data(call, 200, doc);
}

static void livestream_list(rtk_rest_call *call)
{
	json_t *meeting = NULL, *items = NULL;
	int total = 0;
	rtk_store_status st = rtk_store_meeting_get(call->ctx->store, call->ids[0], &meeting);
	json_decref(meeting);
	if (st == RTK_STORE_OK)
		st = rtk_store_livestream_list(call->ctx->store, call->ids[0], NULL, call->offset, call->limit,
			&items, &total);
	if (st != RTK_STORE_OK)
		rtk_rest_fail_store(call, st, "meeting", call->ids[0]);
	else
		rtk_rest_reply_list(call, items, total);
}

static void livestream_get(rtk_rest_call *call)
{
	json_t *doc = NULL;
	rtk_store_status st = rtk_store_livestream_get(call->ctx->store, call->ids[0], &doc);
	if (st != RTK_STORE_OK)
		rtk_rest_fail_store(call, st, "livestream", call->ids[0]);
	else
		rtk_rest_reply_data(call, 200, doc);
}

const rtk_rest_route rtk_rest_livestream_routes[] = {
	{ "POST", "meetings/{meeting}/livestreams", RTK_REST_BODY, livestream_start },
	{ "GET", "meetings/{meeting}/livestreams", RTK_REST_PAGED, livestream_list },
	{ "GET", "meetings/{meeting}/active-livestream", 0, livestream_active },
	{ "POST", "meetings/{meeting}/active-livestream/stop", RTK_REST_BODY, livestream_stop },
	{ "GET", "livestreams/{livestream}", 0, livestream_get },
	{ NULL, NULL, 0, NULL }
};
