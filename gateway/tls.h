/*
 * tls.h - the certificate and key the REST/HLS port serves HTTPS with
 * (RTK_TLS_CERT, RTK_TLS_KEY; docs/deploy.md "TLS").
 *
 * Owns reading the two PEM files and refusing a pair that cannot work
 * before anything listens: a file that is missing or unreadable, one that
 * holds no certificate or no key, a key protected by a passphrase (nobody
 * could type it in), a key that is not the certificate's. The plugin then
 * refuses to start rather than serve plain HTTP where HTTPS was asked for.
 * The Janus WebSocket (wss) reads the same files itself (libwebsockets).
 */
#ifndef RTK_TLS_H
#define RTK_TLS_H

/* The PEM text of a certificate (its chain may follow) and of its key,
 * both malloc'd and NUL-terminated; rtk_tls_pair_clear() frees them and
 * wipes the key. */
typedef struct rtk_tls_pair {
	char *cert_pem;
	char *key_pem;
} rtk_tls_pair;

/* Reads and checks `cert_path` and `key_path` into *out. 0, or -1 with
 * *error (free()) saying which file is wrong and why, and *out empty. */
int rtk_tls_pair_load(const char *cert_path, const char *key_path, rtk_tls_pair *out, char **error);
void rtk_tls_pair_clear(rtk_tls_pair *pair);

#endif
