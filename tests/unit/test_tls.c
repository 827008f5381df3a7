/*
 * test_tls.c - the REST/HLS port's certificate and key (gateway/tls.c):
 * a good pair loads as it is on disk; each pair the plugin must refuse to
 * start with is refused with a message naming the file and the setting:
 * an unset setting, a missing file, a file without a certificate, a key of
 * another certificate, a key under a passphrase, an empty file. The PEM
 * files are made here with libcrypto (no openssl command needed).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "tls.h"
#include "util.h"
#include "unit.h"

static char *dir;

static char *path_of(const char *name)
{
	return g_build_filename(dir, name, NULL);
}

static EVP_PKEY *new_key(void)
{
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

/* A self-signed certificate for `key`, written to `name`. */
static void write_cert(const char *name, EVP_PKEY *key)
{
	X509 *cert = X509_new();
	X509_set_version(cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
	X509_gmtime_adj(X509_getm_notBefore(cert), 0);
	X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
		(const unsigned char *)"rtk unit test", -1, -1, 0);
	X509_set_issuer_name(cert, X509_get_subject_name(cert));
	X509_set_pubkey(cert, key);
	X509_sign(cert, key, EVP_sha256());
	char *path = path_of(name);
	FILE *f = fopen(path, "w");
	PEM_write_X509(f, cert);
	fclose(f);
	g_free(path);
	X509_free(cert);
}

/* `key` to `name`, under `passphrase` when not NULL. */
static void write_key(const char *name, EVP_PKEY *key, const char *passphrase)
{
	char *path = path_of(name);
	FILE *f = fopen(path, "w");
	PEM_write_PrivateKey(f, key, passphrase ? EVP_aes_128_cbc() : NULL,
		(unsigned char *)passphrase, passphrase ? (int)strlen(passphrase) : 0, NULL, NULL);
	fclose(f);
	g_free(path);
}

static void write_text(const char *name, const char *text)
{
	char *path = path_of(name);
	CHECK(g_file_set_contents(path, text, -1, NULL));
	g_free(path);
}

/* Loads cert + key by name (NULL: unset); returns the error (g_free) or
 * NULL, checking the pair is filled exactly when there is none. */
static char *load(const char *cert, const char *key)
{
	char *cert_path = cert ? path_of(cert) : NULL, *key_path = key ? path_of(key) : NULL;
	rtk_tls_pair pair = { (char *)"x", (char *)"y" };
	char *error = NULL;
	int rc = rtk_tls_pair_load(cert_path, key_path, &pair, &error);
	CHECK_EQ_INT(rc, error ? -1 : 0);
	CHECK(rc == 0 ? pair.cert_pem != NULL && pair.key_pem != NULL : pair.cert_pem == NULL && pair.key_pem == NULL);
	if (rc == 0) {
		char *disk = rtk_util_read_file(cert_path, NULL);
		CHECK_EQ_STR(pair.cert_pem, disk);
		free(disk);
		rtk_tls_pair_clear(&pair);
		CHECK_NULL(pair.cert_pem);
		CHECK_NULL(pair.key_pem);
	}
	g_free(cert_path);
	g_free(key_path);
	char *out = error ? g_strdup(error) : NULL;
	free(error);
	return out;
}

static void check_refused(const char *cert, const char *key, const char *says)
{
	char *error = load(cert, key);
	CHECK_NOT_NULL(error);
	if (error && !strstr(error, says)) {
		fprintf(stderr, "refusal %s lacks '%s'\n", error, says);
		CHECK(!"the refusal says why");
	}
	g_free(error);
}

static void test_good_pair(void)
{
	char *error = load("server.pem", "server.key");
	CHECK_NULL(error);
	g_free(error);
	/* a chain after the certificate (fullchain.pem) is fine */
	error = load("chain.pem", "server.key");
	CHECK_NULL(error);
	g_free(error);
}

static void test_refusals(void)
{
	check_refused(NULL, "server.key", "RTK_TLS_CERT is not set");
	check_refused("server.pem", NULL, "RTK_TLS_KEY is not set");
	check_refused("missing.pem", "server.key", "cannot read the TLS certificate");
	check_refused("server.pem", "missing.key", "cannot read the TLS key");
	check_refused("empty.pem", "server.key", "is not a PEM file");
	check_refused("server.key", "server.key", "holds no PEM certificate");
	check_refused("garbage.pem", "server.key", "holds no PEM certificate");
	check_refused("server.pem", "server.pem", "holds no PEM private key");
	check_refused("server.pem", "other.key", "is not the key of the certificate");
	check_refused("server.pem", "locked.key", "protected by a passphrase");
	/* the messages name the files */
	char *error = load("server.pem", "other.key");
	char *key_path = path_of("other.key"), *cert_path = path_of("server.pem");
	CHECK(error && strstr(error, key_path) && strstr(error, cert_path));
	g_free(key_path);
	g_free(cert_path);
	g_free(error);
}

int main(void)
{
	dir = g_dir_make_tmp("rtk-tls-XXXXXX", NULL);
	EVP_PKEY *key = new_key(), *other = new_key(), *ca = new_key();
	write_cert("server.pem", key);
	write_key("server.key", key, NULL);
	write_key("other.key", other, NULL);
	write_key("locked.key", key, "passphrase");
	write_cert("ca.pem", ca);
	char *server_pem = path_of("server.pem"), *ca_pem = path_of("ca.pem");
	char *a = rtk_util_read_file(server_pem, NULL), *b = rtk_util_read_file(ca_pem, NULL);
	char *chain = g_strconcat(a, b, NULL);
	write_text("chain.pem", chain);
	write_text("empty.pem", "");
	write_text("garbage.pem", "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
	UNIT_RUN(test_good_pair);
	UNIT_RUN(test_refusals);
	g_free(chain);
	free(a);
	free(b);
	g_free(server_pem);
	g_free(ca_pem);
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
	EVP_PKEY_free(ca);
	char *rm = g_strdup_printf("rm -rf '%s'", dir);
	if (system(rm) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	g_free(rm);
	g_free(dir);
	return UNIT_DONE();
}
