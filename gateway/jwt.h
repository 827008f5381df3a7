/*
 * jwt.h - participant tokens: compact JWS, HS256 only.
 *
 * Owns signing and verifying the tokens the REST API hands out and the
 * plugin checks on join. Other algorithms ("none", RS256, ...) are refused:
 * the header must be exactly alg HS256 (typ JWT optional).
 * Claims used by RTK: orgId, meetingId, participantId, presetId, iat, exp.
 */
#ifndef RTK_JWT_H
#define RTK_JWT_H

#include <stddef.h>
#include <jansson.h>

typedef enum rtk_jwt_status {
	RTK_JWT_OK = 0,
	RTK_JWT_MALFORMED,      /* not three base64url parts, bad JSON, wrong alg, missing exp */
	RTK_JWT_BAD_SIGNATURE,  /* signature does not match our secret */
	RTK_JWT_EXPIRED         /* exp <= now */
} rtk_jwt_status;

/* Signs `claims` (borrowed). Returns a malloc'd token the caller frees with
 * free(), or NULL on allocation failure. */
char *rtk_jwt_sign(const json_t *claims, const unsigned char *secret, size_t secret_len);

/* Verifies signature first, then exp against `now` (Unix seconds).
 * On RTK_JWT_OK, *claims (when not NULL) receives a NEW reference to the
 * claims object; otherwise it is set to NULL. Never reads past `token`'s NUL. */
rtk_jwt_status rtk_jwt_verify(const char *token, const unsigned char *secret, size_t secret_len,
	long long now, json_t **claims);

const char *rtk_jwt_status_str(rtk_jwt_status status);

#endif
