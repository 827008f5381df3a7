/*
 * admit.h - who a participant token admits: the check the plugin runs on a
 * join (through rtk_gateway_admit()) and the REST gateway on the requests
 * a participant makes with its own token (chat file uploads and
 * downloads, rest_chat_files.c).
 *
 * It exists apart from gateway.c so that both callers run exactly the
 * same checks, with only the store, the org id and the token secret.
 */
#ifndef RTK_ADMIT_H
#define RTK_ADMIT_H

#include <stddef.h>
#include <jansson.h>
#include "store.h"

/* The checks, in order: token signature, expiry, org, the meeting exists,
 * the participant still exists (and belongs to the token's meeting), the
 * token is of the participant's current generation (not revoked by a
 * refresh), the meeting is ACTIVE, the preset exists. */
typedef enum rtk_admit_status {
	RTK_ADMIT_OK = 0,
	RTK_ADMIT_TOKEN_MALFORMED,
	RTK_ADMIT_TOKEN_FORGED,
	RTK_ADMIT_TOKEN_EXPIRED,
	RTK_ADMIT_TOKEN_REVOKED,      /* a newer token was issued for the participant */
	RTK_ADMIT_PARTICIPANT_NOT_FOUND,
	RTK_ADMIT_MEETING_NOT_FOUND,
	RTK_ADMIT_MEETING_INACTIVE,
	RTK_ADMIT_PRESET_NOT_FOUND,
	RTK_ADMIT_STORE_FAILED
} rtk_admit_status;

/* On RTK_ADMIT_OK the three outputs receive NEW references in their REST
 * shapes (store.h); the caller json_decref()s them. Otherwise all are NULL. */
typedef struct rtk_admission {
	json_t *participant;
	json_t *meeting;
	json_t *preset;
} rtk_admission;

/* Runs the checks on `token` (NULL reads as malformed) against `store`,
 * for the deployment `org_id` whose tokens are signed with `secret`. */
rtk_admit_status rtk_admit_token(rtk_store *store, const char *org_id, const unsigned char *secret,
	size_t secret_len, const char *token, rtk_admission *out);
void rtk_admission_clear(rtk_admission *admission);

/* What a refused token should be told (static), e.g. "token expired: ask
 * the REST API for a fresh one"; "" for RTK_ADMIT_OK. */
const char *rtk_admit_status_text(rtk_admit_status status);

#endif
