/*
 * fuzz_jwt.c - libFuzzer target for rtk_jwt_verify().
 *
 * Two phases per input:
 *  1. the bytes as a token (NUL-terminated copy), against a fixed secret:
 *     shape, base64url and header parsing;
 *  2. the bytes as the payload of a correctly signed HS256 token, so the
 *     claims parser (reached only after the signature holds) is fuzzed too.
 * In both, the verifier must return a status, hand back claims only on
 * RTK_JWT_OK, and whatever verified must survive a sign/verify round trip.
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -Igateway \
 *   $(pkg-config --cflags --libs jansson glib-2.0 libcrypto) \
 *   tests/fuzz/fuzz_jwt.c gateway/jwt.c
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "jwt.h"

#define NOW 1800000000LL

static const unsigned char secret[] = "rtk-fuzz-secret";
#define SECRET_LEN (sizeof(secret) - 1)

static void check(const char *token)
{
	json_t *claims = NULL;
	rtk_jwt_status st = rtk_jwt_verify(token, secret, SECRET_LEN, NOW, &claims);
	if ((st == RTK_JWT_OK) != (claims != NULL) || (claims && !json_is_object(claims)))
		abort();
	if (!claims)
		return;
	char *again = rtk_jwt_sign(claims, secret, SECRET_LEN);
	json_t *back = NULL;
	if (!again || rtk_jwt_verify(again, secret, SECRET_LEN, NOW, &back) != RTK_JWT_OK ||
			!json_equal(back, claims))
		abort();
	json_decref(back);
	free(again);
	json_decref(claims);
}

/* base64url without padding, appended at `out`; returns the end. */
static char *b64url(const unsigned char *in, size_t n, char *out)
{
	int len = EVP_EncodeBlock((unsigned char *)out, in, (int)n);
	while (len > 0 && out[len - 1] == '=')
		len--;
	for (int i = 0; i < len; i++)
		out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
	out[len] = '\0';
	return out + len;
}

static void check_signed_payload(const uint8_t *data, size_t size)
{
	static const char header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
	char *token = malloc(4 * (size / 3 + 1) + 128);
	if (!token)
		return;
	char *p = b64url((const unsigned char *)header, sizeof(header) - 1, token);
	*p++ = '.';
	p = b64url(data, size, p);
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	HMAC(EVP_sha256(), secret, (int)SECRET_LEN, (unsigned char *)token, (size_t)(p - token),
		mac, &mac_len);
	*p++ = '.';
	b64url(mac, mac_len, p);
	check(token);
	free(token);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *token = malloc(size + 1);
	if (!token)
		return 0;
	memcpy(token, data, size);
	token[size] = '\0';
	check(token);
	free(token);

	if (size > 0)
		check_signed_payload(data, size);
	return 0;
}
