/*
 * admit.c - the participant token check (admit.h). Nothing here logs a
 * token.
 */
#include "admit.h"

#include <string.h>
#include <time.h>

#include "jwt.h"

static rtk_admit_status admit_status_of(rtk_jwt_status st)
{
	switch (st) {
	case RTK_JWT_OK: return RTK_ADMIT_OK;
	case RTK_JWT_BAD_SIGNATURE: return RTK_ADMIT_TOKEN_FORGED;
	case RTK_JWT_EXPIRED: return RTK_ADMIT_TOKEN_EXPIRED;
	case RTK_JWT_MALFORMED: break;
	}
	return RTK_ADMIT_TOKEN_MALFORMED;
}

/* Maps a store lookup to `missing` for NOT_FOUND, STORE_FAILED otherwise. */
static rtk_admit_status admit_lookup_status(rtk_store_status st, rtk_admit_status missing)
{
	return st == RTK_STORE_OK ? RTK_ADMIT_OK :
		st == RTK_STORE_NOT_FOUND ? missing : RTK_ADMIT_STORE_FAILED;
}

static rtk_admit_status admit_run(rtk_store *store, const char *org_id, const unsigned char *secret,
	size_t secret_len, const char *token, rtk_admission *out)
{
	json_t *claims = NULL;
	if (token == NULL)
		return RTK_ADMIT_TOKEN_MALFORMED;
	rtk_admit_status status = admit_status_of(rtk_jwt_verify(token, secret, secret_len,
		(long long)time(NULL), &claims));
	if (status != RTK_ADMIT_OK)
		return status;

	const char *org = json_string_value(json_object_get(claims, "orgId"));
	const char *pid = json_string_value(json_object_get(claims, "participantId"));
	const char *mid = json_string_value(json_object_get(claims, "meetingId"));
	if (!org || !org_id || strcmp(org, org_id) != 0)
		status = RTK_ADMIT_TOKEN_FORGED;
	else if (!pid || !mid || !json_is_string(json_object_get(claims, "presetId")))
		status = RTK_ADMIT_TOKEN_MALFORMED;

	/* The meeting first: a deleted meeting takes its participants along,
	 * and its token should say so (0801), not "participant deleted". */
	if (status == RTK_ADMIT_OK) {
		status = admit_lookup_status(rtk_store_meeting_get(store, mid, &out->meeting),
			RTK_ADMIT_MEETING_NOT_FOUND);
	}
	if (status == RTK_ADMIT_OK) {
		status = admit_lookup_status(rtk_store_participant_get(store, NULL, pid, &out->participant),
			RTK_ADMIT_PARTICIPANT_NOT_FOUND);
	}
	if (status == RTK_ADMIT_OK) {
		const char *pmid = json_string_value(json_object_get(out->participant, "meeting_id"));
		if (!pmid || strcmp(pmid, mid) != 0)
			status = RTK_ADMIT_PARTICIPANT_NOT_FOUND;
	}
	if (status == RTK_ADMIT_OK) {
		/* A token older than the participant's last refresh is revoked
		 * (tokens minted before generations existed count as 0). */
		long long generation = 0;
		json_t *claim = json_object_get(claims, "tokenGeneration");
		status = admit_lookup_status(rtk_store_token_generation_get(store, pid, &generation),
			RTK_ADMIT_PARTICIPANT_NOT_FOUND);
		if (status == RTK_ADMIT_OK && (claim != NULL && !json_is_integer(claim)))
			status = RTK_ADMIT_TOKEN_MALFORMED;
		else if (status == RTK_ADMIT_OK && (claim ? json_integer_value(claim) : 0) < generation)
			status = RTK_ADMIT_TOKEN_REVOKED;
	}
	if (status == RTK_ADMIT_OK) {
		const char *ms = json_string_value(json_object_get(out->meeting, "status"));
		if (!ms || strcmp(ms, "ACTIVE") != 0)
			status = RTK_ADMIT_MEETING_INACTIVE;
	}
	if (status == RTK_ADMIT_OK) {
		/* The participant's current preset, not the token's: a PATCH of the
		 * preset takes effect on the next join. */
		const char *preset_id = json_string_value(json_object_get(out->participant, "preset_id"));
		status = admit_lookup_status(rtk_store_preset_get(store, preset_id, &out->preset),
			RTK_ADMIT_PRESET_NOT_FOUND);
	}
	json_decref(claims);
	return status;
}

rtk_admit_status rtk_admit_token(rtk_store *store, const char *org_id, const unsigned char *secret,
	size_t secret_len, const char *token, rtk_admission *out)
{
	*out = (rtk_admission) { 0 };
	rtk_admit_status status = admit_run(store, org_id, secret, secret_len, token, out);
	if (status != RTK_ADMIT_OK)
		rtk_admission_clear(out);
	return status;
}

void rtk_admission_clear(rtk_admission *admission)
{
	if (!admission)
		return;
	json_decref(admission->participant);
	json_decref(admission->meeting);
	json_decref(admission->preset);
	*admission = (rtk_admission) { 0 };
}

const char *rtk_admit_status_text(rtk_admit_status status)
{
	switch (status) {
	case RTK_ADMIT_OK: return "";
	case RTK_ADMIT_TOKEN_MALFORMED: return "token malformed: expected a participant JWT from the REST API";
	case RTK_ADMIT_TOKEN_FORGED: return "token signature invalid: not issued by this deployment";
	case RTK_ADMIT_TOKEN_EXPIRED: return "token expired: ask the REST API for a fresh one";
	case RTK_ADMIT_TOKEN_REVOKED: return "token revoked: a newer token was issued for this participant";
	case RTK_ADMIT_PARTICIPANT_NOT_FOUND: return "the token's participant was deleted";
	case RTK_ADMIT_MEETING_NOT_FOUND: return "the token's meeting does not exist";
	case RTK_ADMIT_MEETING_INACTIVE: return "the token's meeting is INACTIVE";
	case RTK_ADMIT_PRESET_NOT_FOUND: return "the participant's preset no longer exists";
	case RTK_ADMIT_STORE_FAILED: return "the store failed while checking the token; see the server log";
	}
	return "token refused";
}
