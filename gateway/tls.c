/*
 * tls.c - reads and checks the REST/HLS port's certificate and key (see
 * tls.h for what is refused and why).
 *
 * libmicrohttpd hands the PEM text to GnuTLS when it starts, and GnuTLS's
 * complaints say little about which file is wrong; so the pair is parsed
 * here with OpenSSL's libcrypto (linked into the gateway already, jwt.c)
 * and each refusal names its file. Nothing here logs key material.
 */
#include "tls.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "util.h"

/* PEM passphrase callback: there is no one to ask, so an encrypted key
 * fails to load (and is reported as such). */
static int tls_no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf; (void)size; (void)rwflag; (void)u;
	return 0;
}

/* The file's text, or NULL with *error naming `what` and the reason. */
static char *tls_read(const char *path, const char *what, const char *setting, char **error)
{
	if (path == NULL || *path == '\0') {
		rtk_util_set_error(error, "TLS needs both a certificate and a key: %s is not set", setting);
		return NULL;
	}
	size_t len = 0;
	char *text = rtk_util_read_file(path, &len);
	if (text == NULL)
		rtk_util_set_error(error, "cannot read the TLS %s %s (%s): %s", what, path, setting, strerror(errno));
	else if (len == 0 || strlen(text) != len) {
		rtk_util_set_error(error, "the TLS %s %s (%s) is not a PEM file", what, path, setting);
		free(text);
		text = NULL;
	}
	return text;
}

/* The first certificate of `pem`, or NULL. */
static X509 *tls_parse_cert(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *cert = bio ? PEM_read_bio_X509(bio, NULL, tls_no_passphrase, NULL) : NULL;
	BIO_free(bio);
	return cert;
}

/* The private key of `pem`, or NULL (none, or encrypted). */
static EVP_PKEY *tls_parse_key(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *key = bio ? PEM_read_bio_PrivateKey(bio, NULL, tls_no_passphrase, NULL) : NULL;
	BIO_free(bio);
	return key;
}

static int tls_check_pair(const char *cert_path, const char *key_path, const rtk_tls_pair *pair,
	char **error)
{
	X509 *cert = tls_parse_cert(pair->cert_pem);
	EVP_PKEY *key = cert ? tls_parse_key(pair->key_pem) : NULL;
	int rc = -1;
	if (cert == NULL)
		rtk_util_set_error(error, "the TLS certificate %s (RTK_TLS_CERT) holds no PEM certificate", cert_path);
	else if (key == NULL)
		rtk_util_set_error(error, "the TLS key %s (RTK_TLS_KEY) holds no PEM private key, or one "
			"protected by a passphrase (give the key unencrypted)", key_path);
	else if (X509_check_private_key(cert, key) != 1)
		rtk_util_set_error(error, "the TLS key %s (RTK_TLS_KEY) is not the key of the certificate %s "
			"(RTK_TLS_CERT)", key_path, cert_path);
	else
		rc = 0;
	ERR_clear_error();   /* OpenSSL's queue is per thread: leave it empty for others */
	EVP_PKEY_free(key);
	X509_free(cert);
	return rc;
}

int rtk_tls_pair_load(const char *cert_path, const char *key_path, rtk_tls_pair *out, char **error)
{
	*out = (rtk_tls_pair) { 0 };
	out->cert_pem = tls_read(cert_path, "certificate", "RTK_TLS_CERT", error);
	if (out->cert_pem != NULL)
		out->key_pem = tls_read(key_path, "key", "RTK_TLS_KEY", error);
	if (out->key_pem == NULL || tls_check_pair(cert_path, key_path, out, error) != 0) {
		rtk_tls_pair_clear(out);
		return -1;
	}
	return 0;
}

void rtk_tls_pair_clear(rtk_tls_pair *pair)
{
	if (pair->key_pem != NULL) {
		memset(pair->key_pem, 0, strlen(pair->key_pem));
		free(pair->key_pem);
	}
	free(pair->cert_pem);
	*pair = (rtk_tls_pair) { 0 };
}
