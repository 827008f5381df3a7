/*
 * signed_url.h - links that carry their own credential: "?expires=<unix
 * seconds>&signature=<hex>", an HMAC-SHA256 with the deployment's token
 * secret over what the link is for (`purpose`, e.g. "chat-export"), the id
 * of the thing and the expiry. A browser opens such a link without the API
 * key; after `expires`, or with any of the three changed, it is refused.
 *
 * Shared by the chat CSV exports (rest_chat.c) and the recordings'
 * download_url (rest_recordings.c), so both sign and check the same way.
 * The signature: HMAC-SHA256 in lower-case hex, keyed with every byte of
 * the secret, over "<purpose>\n<id>\n<expires>".
 */
#ifndef RTK_SIGNED_URL_H
#define RTK_SIGNED_URL_H

#include <stddef.h>

typedef enum rtk_signed_url_status {
	RTK_SIGNED_URL_OK = 0,
	RTK_SIGNED_URL_INVALID,   /* no or a wrong signature, or no expiry */
	RTK_SIGNED_URL_EXPIRED    /* signed right, but `expires` has passed */
} rtk_signed_url_status;

/* "expires=<expires>&signature=<hex>" for `purpose` and `id`, malloc'd (the
 * caller free()s it), or NULL when signing failed. */
char *rtk_signed_url_query(const unsigned char *secret, size_t secret_len, const char *purpose,
	const char *id, long long expires);

/* Checks the `expires` and `signature` of a parsed query (their values, or
 * NULL when absent) for `purpose` and `id` at `now` (unix seconds). The
 * comparison takes the same time wherever the strings differ. */
rtk_signed_url_status rtk_signed_url_check(const unsigned char *secret, size_t secret_len, const char *purpose,
	const char *id, const char *expires, const char *signature, long long now);

/* A recording's download link: what it is for, and how long it lasts. */
#define RTK_RECORDING_DOWNLOAD_PURPOSE "recording-download"
#define RTK_RECORDING_DOWNLOAD_TTL_SECONDS (24 * 3600)

/* The signed download link of recording `id` under `base_url` ("http(s)://
 * host:port"), valid RTK_RECORDING_DOWNLOAD_TTL_SECONDS from `now` (unix
 * seconds), g_malloc'd, with its expiry as ISO 8601 in *expiry (g_malloc'd);
 * NULL (and *expiry NULL) when signing failed. Shared by the REST object's
 * download_url and the webhook's downloadUrl. */
char *rtk_signed_url_recording(const unsigned char *secret, size_t secret_len, const char *base_url,
	const char *id, long long now, char **expiry);

/* `unix_seconds` as "YYYY-MM-DDTHH:MM:SS.000Z" (g_malloc'd; g_free()). */
char *rtk_signed_url_iso8601(long long unix_seconds);

#endif
