/*
 * rest_sessions.c - the active session of a meeting, in the REST v2 API:
 *   GET  /v2/meetings/{id}/active-session            who is in, since when (404 when nobody);
 *                                                     a parent's lists its breakout_rooms
 *   POST /v2/meetings/{id}/active-session/kick       {participant_ids, custom_participant_ids}
 *   POST /v2/meetings/{id}/active-session/kick-all
 *   POST /v2/meetings/{id}/active-session/mute       {participant_ids, custom_participant_ids, allow_unmute}
 *   POST /v2/meetings/{id}/active-session/mute-all   {allow_unmute}
 *   POST /v2/meetings/{id}/active-session/poll       {question, options, anonymous, hide_votes}
 *
 * Owns the validation of these requests. The live state is the plugin's:
 * these handlers reach it through the rtk_live_ops of the context (rest.h),
 * or, for a meeting live on another node, through that node (the request
 * is forwarded: rtk_rest_forward_live(), rest_nodes.c).
 */
#include <string.h>
#include "rest_internal.h"
#include "util.h"

/* Answers 404 and returns false unless the meeting exists and is live;
 * a meeting live on another node: false with that node's answer
 * (rtk_rest_forward_live()). */
static bool rtk_session_live(rtk_rest_call *call)
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
	if (call->ctx->live == NULL) {
		rtk_rest_fail(call->reply, 404, "meeting '%s' has no active session", call->ids[0]);
		return false;
	}
	return true;
}

/* `name` in the body: absent, or an array of non-empty strings (at most
 * 1000). Answers 422 and returns false otherwise. */
static bool rtk_session_id_list(rtk_rest_call *call, const char *name, const json_t **out)
{
	const json_t *list = json_object_get(call->body, name);
	*out = NULL;
	if (list == NULL || json_is_null(list))
		return true;
	size_t i;
	const json_t *id;
	bool ok = json_is_array(list) && json_array_size(list) <= 1000;
	json_array_foreach(list, i, id) {
		if (!json_is_string(id) || json_string_length(id) == 0)
			ok = false;
	}
	if (!ok) {
		rtk_rest_fail(call->reply, 422, "field '%s' must be an array of participant id strings", name);
		return false;
	}
	*out = json_array_size(list) > 0 ? list : NULL;
	return true;
}

/* Reads participant_ids and custom_participant_ids; at least one must name someone. */
static bool rtk_session_targets(rtk_rest_call *call, const json_t **ids, const json_t **customs)
{
	if (!rtk_session_id_list(call, "participant_ids", ids) ||
			!rtk_session_id_list(call, "custom_participant_ids", customs))
		return false;
	if (*ids == NULL && *customs == NULL) {
		rtk_rest_fail(call->reply, 422, "field 'participant_ids' or 'custom_participant_ids' "
			"must name at least one participant");
		return false;
	}
	return true;
}

static bool rtk_session_allow_unmute(rtk_rest_call *call, gboolean *allow)
{
	const json_t *value = json_object_get(call->body, "allow_unmute");
	*allow = FALSE;
	if (value == NULL)
		return true;
	if (!json_is_boolean(value)) {
		rtk_rest_fail(call->reply, 422, "field 'allow_unmute' must be a boolean");
		return false;
	}
	*allow = json_is_true(value);
	return true;
}

/* Replies with the participants an action reached, or 404 when the meeting
 * has no live session. `count_field` (kick-all, mute-all: RealtimeKit's
 * kicked_participants_count, muted_participants_count) NULL: none. Steals
 * `participants`. */
static void rtk_session_reply_action(rtk_rest_call *call, const char *action, const char *count_field,
	json_t *participants)
{
	if (participants == NULL) {
		rtk_rest_fail(call->reply, 404, "meeting '%s' has no active session", call->ids[0]);
		return;
	}
	json_t *data = json_pack("{s:s}", "action", action);
	if (count_field != NULL)
		json_object_set_new(data, count_field, json_integer((json_int_t)json_array_size(participants)));
	json_object_set_new(data, "participants", participants);
	rtk_rest_reply_data(call, 200, data);
}

/* breakout_rooms of a parent's active session: each ACTIVE connected
 * meeting {id, title, live_participants, participants} as its own live
 * session shows them (0 and [] when nobody is in it). NULL when the meeting
 * has none or the store fails (the session is answered without it). */
static json_t *rtk_session_breakout_rooms(rtk_rest_call *call)
{
	json_t *children = NULL;
	int total = 0;
	if (rtk_store_meeting_children(call->ctx->store, call->ids[0], 0, -1, &children, &total) != RTK_STORE_OK)
		return NULL;
	const rtk_live_ops *live = call->ctx->live;
	json_t *rooms = json_array();
	size_t i;
	json_t *child;
	json_array_foreach(children, i, child) {
		const char *id = json_string_value(json_object_get(child, "id"));
		const char *status = json_string_value(json_object_get(child, "status"));
		if (id == NULL || status == NULL || strcmp(status, "ACTIVE") != 0)
			continue;
		json_t *session = live->active_session(id, live->user_data);
		json_t *participants = json_object_get(session, "participants");
		json_array_append_new(rooms, json_pack("{s:s, s:O, s:I, s:o}", "id", id,
			"title", json_object_get(child, "title"),
			"live_participants", (json_int_t)json_array_size(participants),
			"participants", participants != NULL ? json_incref(participants) : json_array()));
		json_decref(session);
	}
	json_decref(children);
	return rooms;
}

/* The active session in RealtimeKit's shape: the history's row of the
 * session (GET /v2/sessions/{id}: associated_id, meeting_display_name,
 * type, status, max_concurrent_participants, minutes_consumed, ...) with
 * what only the live meeting knows (live_participants now, participants).
 * The history's writer may not have written the row of a session that
 * just started: then its fields come from the live meeting. Steals
 * `live_session`; returns a NEW object. */
static json_t *rtk_session_active_shape(rtk_rest_call *call, json_t *live_session)
{
	const char *session_id = json_string_value(json_object_get(live_session, "id"));
	json_t *row = NULL;
	if (session_id == NULL || rtk_store_session_get(call->ctx->store, session_id, &row) != RTK_STORE_OK) {
		json_decref(row);
		char *now = rtk_util_now_iso8601();
		json_t *started = json_object_get(live_session, "started_at");
		json_t *title = json_object_get(live_session, "title");
		row = json_pack("{s:O?, s:O?, s:O?, s:s, s:s, s:O?, s:O?, s:s?, s:n, s:O?, s:i}",
			"id", json_object_get(live_session, "id"),
			"associated_id", json_object_get(live_session, "meeting_id"),
			"meeting_id", json_object_get(live_session, "meeting_id"),
			"type", "meeting", "status", "LIVE",
			"started_at", started, "created_at", started, "updated_at", now, "ended_at",
			"meeting_display_name", title,
			"minutes_consumed", 0);
		json_object_set(row, "max_concurrent_participants", json_object_get(live_session, "live_participants"));
		free(now);
	}
	json_object_set_new(row, "organization_id", json_string(call->ctx->org_id));
	json_object_del(live_session, "title");   /* meeting_display_name */
	json_object_update(row, live_session);    /* live_participants and participants as they are now */
	json_decref(live_session);
	return row;
}

static void rtk_session_get(rtk_rest_call *call)
{
	if (!rtk_session_live(call))
		return;
	const rtk_live_ops *live = call->ctx->live;
	json_t *session = live->active_session(call->ids[0], live->user_data);
	if (session == NULL) {
		rtk_rest_fail(call->reply, 404, "meeting '%s' has no active session", call->ids[0]);
		return;
	}
	session = rtk_session_active_shape(call, session);
	json_t *rooms = rtk_session_breakout_rooms(call);
	if (rooms != NULL)
		json_object_set_new(session, "breakout_rooms", rooms);
	rtk_rest_reply_data(call, 200, session);
}

static void rtk_session_kick(rtk_rest_call *call)
{
	const json_t *ids, *customs;
	if (!rtk_session_live(call) || !rtk_session_targets(call, &ids, &customs))
		return;
	const rtk_live_ops *live = call->ctx->live;
	rtk_session_reply_action(call, "kick", NULL,
		live->kick(call->ids[0], ids, customs, FALSE, live->user_data));
}

static void rtk_session_kick_all(rtk_rest_call *call)
{
	if (!rtk_session_live(call))
		return;
	const rtk_live_ops *live = call->ctx->live;
	rtk_session_reply_action(call, "kick-all", "kicked_participants_count",
		live->kick(call->ids[0], NULL, NULL, TRUE, live->user_data));
}

static void rtk_session_mute(rtk_rest_call *call)
{
	const json_t *ids, *customs;
	gboolean allow_unmute;
	if (!rtk_session_live(call) || !rtk_session_targets(call, &ids, &customs) ||
			!rtk_session_allow_unmute(call, &allow_unmute))
		return;
	const rtk_live_ops *live = call->ctx->live;
	rtk_session_reply_action(call, "mute", NULL,
		live->mute(call->ids[0], ids, customs, FALSE, allow_unmute, live->user_data));
}

static void rtk_session_mute_all(rtk_rest_call *call)
{
	gboolean allow_unmute;
	if (!rtk_session_live(call) || !rtk_session_allow_unmute(call, &allow_unmute))
		return;
	const rtk_live_ops *live = call->ctx->live;
	rtk_session_reply_action(call, "mute-all", "muted_participants_count",
		live->mute(call->ids[0], NULL, NULL, TRUE, allow_unmute, live->user_data));
}

/* An optional boolean field (false when absent); answers 422 otherwise. */
static bool rtk_session_flag(rtk_rest_call *call, const char *name, gboolean *out)
{
	const json_t *value = json_object_get(call->body, name);
	*out = FALSE;
	if (value == NULL || json_is_null(value))
		return true;
	if (!json_is_boolean(value)) {
		rtk_rest_fail(call->reply, 422, "field '%s' must be a boolean", name);
		return false;
	}
	*out = json_is_true(value);
	return true;
}

/* The server creates a poll in the live session: every participant that
 * may view polls gets pollsUpdate. Types are checked here (422); the
 * limits on lengths and counts are the room model's (422, 409). */
static void rtk_session_poll(rtk_rest_call *call)
{
	if (!rtk_session_live(call))
		return;
	const json_t *question = json_object_get(call->body, "question");
	if (!json_is_string(question)) {
		rtk_rest_fail(call->reply, 422, "field 'question' must be a string");
		return;
	}
	const json_t *options = json_object_get(call->body, "options");
	size_t i;
	const json_t *option;
	bool ok = json_is_array(options);
	json_array_foreach(options, i, option) {
		if (!json_is_string(option))
			ok = false;
	}
	if (!ok) {
		rtk_rest_fail(call->reply, 422, "field 'options' must be an array of strings");
		return;
	}
	gboolean anonymous, hide_votes;
	if (!rtk_session_flag(call, "anonymous", &anonymous) || !rtk_session_flag(call, "hide_votes", &hide_votes))
		return;
	const rtk_live_ops *live = call->ctx->live;
	int status = 404;
	char *message = NULL;
	json_t *poll = live->poll_create == NULL ? NULL : live->poll_create(call->ids[0], json_string_value(question),
		options, anonymous, hide_votes, &status, &message, live->user_data);
	if (poll == NULL) {
		rtk_rest_fail(call->reply, status, "%s", message ? message : "polls are not available");
		g_free(message);
		return;
	}
	rtk_rest_reply_data(call, 201, json_pack("{s:s, s:o}", "action", "create", "poll", poll));
}

const rtk_rest_route rtk_rest_session_routes[] = {
	{ "GET", "meetings/{meeting}/active-session", 0, rtk_session_get },
	{ "POST", "meetings/{meeting}/active-session/kick", RTK_REST_BODY, rtk_session_kick },
	{ "POST", "meetings/{meeting}/active-session/kick-all", RTK_REST_BODY, rtk_session_kick_all },
	{ "POST", "meetings/{meeting}/active-session/mute", RTK_REST_BODY, rtk_session_mute },
	{ "POST", "meetings/{meeting}/active-session/mute-all", RTK_REST_BODY, rtk_session_mute_all },
	{ "POST", "meetings/{meeting}/active-session/poll", RTK_REST_BODY, rtk_session_poll },
	{ NULL, NULL, 0, NULL }
};
