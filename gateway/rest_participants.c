/*
 * rest_participants.c - the participants of a meeting in the REST v2 API:
 *   POST   /v2/meetings/{id}/participants             add (201, with a token); the legacy
 *                                                      client_specific_id names custom_participant_id
 *   GET    /v2/meetings/{id}/participants             list, oldest first (paged)
 *   GET    /v2/meetings/{id}/participants/{pid}       fetch
 *   PATCH  /v2/meetings/{id}/participants/{pid}       name, picture, preset_name (200, with a token
 *                                                      of the current generation: none revoked)
 *   DELETE /v2/meetings/{id}/participants/{pid}       remove
 *   POST   /v2/meetings/{id}/participants/{pid}/token a fresh token (201); earlier ones revoked
 *
 * Owns what a participant's fields may hold and the minting of participant
 * tokens: HS256 JWTs with the claims orgId, meetingId, participantId,
 * presetId, iat, exp (design.md 4.1) and tokenGeneration, signed with the
 * deployment's secret. Tokens are not stored; the plugin checks them on
 * join against the store, which keeps each participant's token generation:
 * a refresh moves it up, so every earlier token stops admitting (0011).
 *
 * Field errors answer 400, as RealtimeKit does.
 *
 * Changes reach a live meeting at once (rtk_live_ops): a deleted
 * participant and one whose tokens were revoked leave it, a new preset
 * applies to the live presence. With several nodes, a PATCH, DELETE or
 * token of a meeting live on another node is forwarded there whole
 * (rtk_rest_forward_live()), which makes the change and reaches the
 * presence.
 */
#include "rest_internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <glib.h>
#include "jwt.h"

#define RTK_PARTICIPANT_NAME_MAX 1024
#define RTK_PARTICIPANT_PICTURE_MAX 2048
#define RTK_PARTICIPANT_CUSTOM_ID_MAX 1024
#define RTK_TOKEN_TTL_DEFAULT 86400

#define RTK_PARTICIPANT_FIELDS(preset_flags) \
	{ "name", RTK_REST_STRING, RTK_REST_NULLABLE, RTK_PARTICIPANT_NAME_MAX, NULL }, \
	{ "picture", RTK_REST_URL, RTK_REST_NULLABLE, RTK_PARTICIPANT_PICTURE_MAX, NULL }, \
	{ "preset_name", RTK_REST_STRING, (preset_flags) | RTK_REST_NONEMPTY, RTK_PRESET_NAME_MAX, NULL }

/* custom_participant_id is required, under its own name or the legacy
 * client_specific_id (rtk_participant_custom_id()). */
static const rtk_rest_field rtk_participant_create_fields[] = {
	RTK_PARTICIPANT_FIELDS(RTK_REST_REQUIRED),
	{ "custom_participant_id", RTK_REST_STRING, RTK_REST_NONEMPTY, RTK_PARTICIPANT_CUSTOM_ID_MAX, NULL },
	{ "client_specific_id", RTK_REST_STRING, RTK_REST_NONEMPTY, RTK_PARTICIPANT_CUSTOM_ID_MAX, NULL },
	{ NULL, 0, 0, 0, NULL }
};

static const rtk_rest_field rtk_participant_update_fields[] = {
	RTK_PARTICIPANT_FIELDS(0),
	{ NULL, 0, 0, 0, NULL }
};

char *rtk_rest_participant_token(const rtk_rest_ctx *ctx, const json_t *participant, long long generation)
{
	long long now = (long long)time(NULL);
	int ttl = ctx->token_ttl_seconds > 0 ? ctx->token_ttl_seconds : RTK_TOKEN_TTL_DEFAULT;
	json_t *claims = json_pack("{s:s, s:O, s:O, s:O, s:I, s:I, s:I}",
		"orgId", ctx->org_id ? ctx->org_id : "",
		"meetingId", json_object_get(participant, "meeting_id"),
		"participantId", json_object_get(participant, "id"),
		"presetId", json_object_get(participant, "preset_id"),
		"tokenGeneration", (json_int_t)generation,
		"iat", (json_int_t)now,
		"exp", (json_int_t)(now + ttl));
	if (claims == NULL)
		return NULL;
	char *token = rtk_jwt_sign(claims, ctx->jwt_secret, ctx->jwt_secret_len);
	json_decref(claims);
	return token;
}

/* Adds a token of `generation` to `participant` (borrowed). False on
 * failure. */
static bool rtk_participant_add_token(const rtk_rest_ctx *ctx, json_t *participant, long long generation)
{
	char *token = rtk_rest_participant_token(ctx, participant, generation);
	bool ok = token && json_object_set_new(participant, "token", json_string(token)) == 0;
	free(token);
	return ok;
}

/* The store's answer when `missing` names what was not found. */
static void rtk_participant_fail(rtk_rest_call *call, rtk_store_status st, const char *missing,
	const json_t *fields)
{
	if (st == RTK_STORE_NOT_FOUND && missing && strcmp(missing, "preset") == 0) {
		char *name = rtk_rest_echo(json_string_value(json_object_get(fields, "preset_name")));
		rtk_rest_fail(call->reply, RTK_REST_FIELD_ERROR, "field 'preset_name': no preset named '%s'", name);
		g_free(name);
	} else if (st == RTK_STORE_NOT_FOUND && missing && strcmp(missing, "meeting") == 0) {
		rtk_rest_fail_store(call, st, "meeting", call->ids[0]);
	} else {
		rtk_rest_fail_store(call, st, "participant", call->ids[1]);
	}
}

/* Answers 404 and returns false when the meeting in the path is unknown. */
static bool rtk_participant_meeting_exists(rtk_rest_call *call)
{
	json_t *meeting = NULL;
	rtk_store_status st = rtk_store_meeting_get(call->ctx->store, call->ids[0], &meeting);
	json_decref(meeting);
	if (st != RTK_STORE_OK)
		rtk_rest_fail_store(call, st, "meeting", call->ids[0]);
	return st == RTK_STORE_OK;
}

/* Fetches the participant in the path into *out (NEW reference), or answers
 * 404 for the meeting or the participant and returns false. */
static bool rtk_participant_load(rtk_rest_call *call, json_t **out)
{
	*out = NULL;
	if (!rtk_participant_meeting_exists(call))
		return false;
	rtk_store_status st = rtk_store_participant_get(call->ctx->store, call->ids[0], call->ids[1], out);
	if (st != RTK_STORE_OK)
		rtk_rest_fail_store(call, st, "participant", call->ids[1]);
	return st == RTK_STORE_OK;
}

/* custom_participant_id in `fields`, from itself or the legacy
 * client_specific_id (both: they must agree). Answers 400 and returns
 * false when there is none or they differ. */
static bool rtk_participant_custom_id(rtk_rest_call *call, json_t *fields)
{
	json_t *custom = json_object_get(fields, "custom_participant_id");
	json_t *legacy = json_object_get(fields, "client_specific_id");
	if (custom == NULL && legacy == NULL) {
		rtk_rest_fail(call->reply, RTK_REST_FIELD_ERROR, "field 'custom_participant_id' is required "
			"(or its legacy name 'client_specific_id')");
		return false;
	}
	if (custom != NULL && legacy != NULL && !json_equal(custom, legacy)) {
		rtk_rest_fail(call->reply, RTK_REST_FIELD_ERROR, "fields 'custom_participant_id' and "
			"'client_specific_id' name the same thing and must be equal when both are given");
		return false;
	}
	if (custom == NULL)
		json_object_set(fields, "custom_participant_id", legacy);
	return true;
}

static void rtk_participant_create(rtk_rest_call *call)
{
	json_t *fields, *participant = NULL;
	const char *missing = NULL;
	if (!rtk_rest_take_fields_as(call, rtk_participant_create_fields, RTK_REST_FIELD_ERROR, &fields))
		return;
	if (!rtk_participant_custom_id(call, fields)) {
		json_decref(fields);
		return;
	}
	rtk_store_status st = rtk_store_participant_create(call->ctx->store, call->ids[0], fields,
		&participant, &missing);
	/* A caller that used the legacy name gets it back too. */
	if (st == RTK_STORE_OK && json_object_get(fields, "client_specific_id"))
		json_object_set(participant, "client_specific_id", json_object_get(participant, "custom_participant_id"));
	if (st != RTK_STORE_OK)
		rtk_participant_fail(call, st, missing, fields);
	else if (!rtk_participant_add_token(call->ctx, participant, 0)) {
		json_decref(participant);
		rtk_rest_fail(call->reply, 500, "could not sign the participant's token; the participant "
			"was added, get a token with POST .../participants/{id}/token");
	} else
		rtk_rest_reply_data(call, 201, participant);
	json_decref(fields);
}

static void rtk_participant_list(rtk_rest_call *call)
{
	json_t *items = NULL;
	int total = 0;
	if (!rtk_participant_meeting_exists(call))
		return;
	rtk_store_status st = rtk_store_participant_list(call->ctx->store, call->ids[0],
		call->offset, call->limit, &items, &total);
	if (st != RTK_STORE_OK)
		rtk_rest_fail_store(call, st, "participant", NULL);
	else
		rtk_rest_reply_list(call, items, total);
}

static void rtk_participant_get(rtk_rest_call *call)
{
	json_t *participant;
	if (rtk_participant_load(call, &participant))
		rtk_rest_reply_data(call, 200, participant);
}

/* The participant's new preset reaches its live presence, if any. */
static void rtk_participant_preset_live(rtk_rest_call *call, const json_t *participant)
{
	const rtk_live_ops *live = call->ctx->live;
	json_t *preset = NULL;
	if (!live || !live->participant_preset)
		return;
	if (rtk_store_preset_get(call->ctx->store, json_string_value(json_object_get(participant, "preset_id")),
			&preset) == RTK_STORE_OK)
		live->participant_preset(call->ids[0], call->ids[1], preset, live->user_data);
	json_decref(preset);
}

static void rtk_participant_removed_live(rtk_rest_call *call, const char *reason)
{
	const rtk_live_ops *live = call->ctx->live;
	if (live && live->participant_removed)
		live->participant_removed(call->ids[0], call->ids[1], reason, live->user_data);
}

/* Answers 200 with the participant and a token of its current
 * generation, as RealtimeKit's PATCH does: no earlier token is revoked
 * (only a refresh revokes), and the new one carries the new preset id. */
static void rtk_participant_update(rtk_rest_call *call)
{
	json_t *fields, *participant = NULL;
	const char *missing = NULL;
	long long generation = 0;
	if (!rtk_rest_take_fields_as(call, rtk_participant_update_fields, RTK_REST_FIELD_ERROR, &fields))
		return;
	if (rtk_rest_forward_live(call, call->ids[0])) {   /* live on another node: it changes the presence */
		json_decref(fields);
		return;
	}
	if (rtk_participant_meeting_exists(call)) {
		rtk_store_status st = rtk_store_participant_update(call->ctx->store, call->ids[0],
			call->ids[1], fields, &participant, &missing);
		if (st == RTK_STORE_OK)
			st = rtk_store_token_generation_get(call->ctx->store, call->ids[1], &generation);
		if (st != RTK_STORE_OK) {
			json_decref(participant);
			rtk_participant_fail(call, st, missing, fields);
		} else {
			if (json_object_get(fields, "preset_name"))
				rtk_participant_preset_live(call, participant);
			if (!rtk_participant_add_token(call->ctx, participant, generation)) {
				json_decref(participant);
				rtk_rest_fail(call->reply, 500, "could not sign the participant's token; the change "
					"is saved, get a token with POST .../participants/{id}/token");
			} else {
				rtk_rest_reply_data(call, 200, participant);
			}
		}
	}
	json_decref(fields);
}

/* Answers 200 with the participant as it was before removal; its live
 * presence leaves the meeting. */
static void rtk_participant_delete(rtk_rest_call *call)
{
	json_t *participant;
	if (rtk_rest_forward_live(call, call->ids[0]))   /* live on another node: it removes the presence */
		return;
	if (!rtk_participant_load(call, &participant))
		return;
	rtk_store_status st = rtk_store_participant_delete(call->ctx->store, call->ids[0], call->ids[1]);
	if (st != RTK_STORE_OK) {
		json_decref(participant);
		rtk_rest_fail_store(call, st, "participant", call->ids[1]);
	} else {
		rtk_participant_removed_live(call, "participant_deleted");
		rtk_rest_reply_data(call, 200, participant);
	}
}

/* A token of the next generation: every earlier token of the participant
 * is revoked (it no longer joins: 0011), and a presence that joined with
 * one leaves the meeting. */
static void rtk_participant_refresh_token(rtk_rest_call *call)
{
	json_t *participant;
	long long generation = 0;
	if (rtk_rest_forward_live(call, call->ids[0]))   /* live on another node: it removes the presence */
		return;
	if (!rtk_participant_load(call, &participant))
		return;
	rtk_store_status st = rtk_store_token_generation_bump(call->ctx->store, call->ids[1], &generation);
	char *token = st == RTK_STORE_OK ? rtk_rest_participant_token(call->ctx, participant, generation) : NULL;
	json_decref(participant);
	if (st != RTK_STORE_OK) {
		rtk_rest_fail_store(call, st, "participant", call->ids[1]);
		return;
	}
	rtk_participant_removed_live(call, "token_revoked");
	if (token == NULL) {
		rtk_rest_fail(call->reply, 500, "could not sign the participant's token; earlier tokens are "
			"revoked: ask for another one");
		return;
	}
	rtk_rest_reply_data(call, 201, json_pack("{s:s}", "token", token));
	free(token);
}

const rtk_rest_route rtk_rest_participant_routes[] = {
	{ "GET", "meetings/{meeting}/participants", RTK_REST_PAGED, rtk_participant_list },
	{ "POST", "meetings/{meeting}/participants", RTK_REST_BODY, rtk_participant_create },
	{ "GET", "meetings/{meeting}/participants/{participant}", 0, rtk_participant_get },
	{ "PATCH", "meetings/{meeting}/participants/{participant}", RTK_REST_BODY, rtk_participant_update },
	{ "DELETE", "meetings/{meeting}/participants/{participant}", 0, rtk_participant_delete },
	{ "POST", "meetings/{meeting}/participants/{participant}/token", 0, rtk_participant_refresh_token },
	{ NULL, NULL, 0, NULL }
};
