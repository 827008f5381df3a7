/*
 * turn_rest.c - time-limited TURN credentials (turn_rest.h): the
 * username and the HMAC-SHA1 password coturn's use-auth-secret expects.
 */
#include "turn_rest.h"

#include <string.h>
#include <glib.h>

char *rtk_turn_username(long long expires, const char *user)
{
	return g_strdup_printf("%lld:%s", expires, user);
}

char *rtk_turn_password(const char *secret, const char *username)
{
	if (secret == NULL || username == NULL)
		return NULL;
	GHmac *hmac = g_hmac_new(G_CHECKSUM_SHA1, (const guchar *)secret, strlen(secret));
	g_hmac_update(hmac, (const guchar *)username, (gssize)strlen(username));
	guint8 digest[20];
	gsize len = sizeof digest;
	g_hmac_get_digest(hmac, digest, &len);
	g_hmac_unref(hmac);
	return g_base64_encode(digest, len);
}
