/*
 * signed_url.c - signing and checking links that carry their own
 * credential (signed_url.h).
 */
#include "signed_url.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>


/* The hex HMAC-SHA256 over "<purpose>\n<id>\n<expires>" with all
 * `secret_len` bytes of the secret (malloc'd), or NULL. */
static char *signed_url_hex(const unsigned char *secret, size_t secret_len, const char *purpose,
	const char *id, long long expires)
{
	char *text = g_strdup_printf("%s\n%s\n%lld", purpose, id, expires);
	gchar *hmac = g_compute_hmac_for_data(G_CHECKSUM_SHA256, secret, secret_len, (const guchar *)text,
		strlen(text));
	g_free(text);
	char *hex = hmac ? strdup(hmac) : NULL;
	g_free(hmac);
	return hex;
}

char *rtk_signed_url_query(const unsigned char *secret, size_t secret_len, const char *purpose,
	const char *id, long long expires)
{
	char *hex = signed_url_hex(secret, secret_len, purpose, id, expires);
	if (hex == NULL)
		return NULL;
	char *query = g_strdup_printf("expires=%lld&signature=%s", expires, hex);
	free(hex);
	char *out = strdup(query);
	g_free(query);
	return out;
}

/* Constant-time comparison of two NUL-terminated strings. */
static bool signed_url_same(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char diff = la != lb;
	for (size_t i = 0; i < la && i < lb; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

rtk_signed_url_status rtk_signed_url_check(const unsigned char *secret, size_t secret_len, const char *purpose,
	const char *id, const char *expires, const char *signature, long long now)
{
	if (expires == NULL || signature == NULL || expires[0] == '\0')
		return RTK_SIGNED_URL_INVALID;
	char *end = NULL;
	long long when = strtoll(expires, &end, 10);
	if (end == NULL || *end != '\0')
		return RTK_SIGNED_URL_INVALID;
	char *hex = signed_url_hex(secret, secret_len, purpose, id, when);
	bool valid = hex != NULL && signed_url_same(hex, signature);
	free(hex);
	if (!valid)
		return RTK_SIGNED_URL_INVALID;
	return when < now ? RTK_SIGNED_URL_EXPIRED : RTK_SIGNED_URL_OK;
}

char *rtk_signed_url_iso8601(long long unix_seconds)
{
	GDateTime *t = g_date_time_new_from_unix_utc(unix_seconds);
	if (t == NULL)
		return g_strdup("1970-01-01T00:00:00.000Z");
	char *text = g_date_time_format(t, "%Y-%m-%dT%H:%M:%S.000Z");
	g_date_time_unref(t);
	return text;
}

char *rtk_signed_url_recording(const unsigned char *secret, size_t secret_len, const char *base_url,
	const char *id, long long now, char **expiry)
{
	long long expires = now + RTK_RECORDING_DOWNLOAD_TTL_SECONDS;
	char *query = rtk_signed_url_query(secret, secret_len, RTK_RECORDING_DOWNLOAD_PURPOSE, id, expires);
	*expiry = NULL;
	if (query == NULL)
		return NULL;
	char *url = g_strdup_printf("%s/v2/recordings/%s/download?%s", base_url, id, query);
	free(query);
	*expiry = rtk_signed_url_iso8601(expires);
	return url;
}
