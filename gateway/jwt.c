/*
 * jwt.c - HS256 compact JWS: the participant tokens (see jwt.h).
 *
 * Verification order: shape (three non-empty base64url parts), header (a JSON
 * object with alg HS256), signature (HMAC-SHA256 over "header.payload",
 * compared in constant time on its base64url form, so non-canonical
 * encodings of a valid signature are refused too), then the claims, which
 * are only parsed once the signature holds. Any input, however broken,
 * yields a status; nothing here trusts a length it did not measure.
 */
#include "jwt.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#define SIG_LEN 32          /* SHA-256 */
#define SIG_B64_LEN 43      /* base64url of 32 bytes, unpadded */

static const char b64url_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* ---- base64url, no padding ---- */

static size_t jwt_b64url_encoded_len(size_t n)
{
	return (n / 3) * 4 + (n % 3 ? n % 3 + 1 : 0);
}

/* Writes jwt_b64url_encoded_len(n) characters and a NUL into `out`. */
static void jwt_b64url_encode(const unsigned char *in, size_t n, char *out)
{
	size_t i = 0;
	char *p = out;
	for (; i + 3 <= n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
		*p++ = b64url_alphabet[v >> 18 & 63];
		*p++ = b64url_alphabet[v >> 12 & 63];
		*p++ = b64url_alphabet[v >> 6 & 63];
		*p++ = b64url_alphabet[v & 63];
	}
	if (n - i == 1) {
		unsigned v = (unsigned)in[i] << 16;
		*p++ = b64url_alphabet[v >> 18 & 63];
		*p++ = b64url_alphabet[v >> 12 & 63];
	} else if (n - i == 2) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8;
		*p++ = b64url_alphabet[v >> 18 & 63];
		*p++ = b64url_alphabet[v >> 12 & 63];
		*p++ = b64url_alphabet[v >> 6 & 63];
	}
	*p = '\0';
}

static int jwt_b64url_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

/* Strict decode of `n` characters: only the url-safe alphabet, no padding,
 * no impossible length, zero trailing bits. Returns a malloc'd buffer
 * (NUL-terminated for convenience, *out_len excludes it) or NULL. */
static unsigned char *jwt_b64url_decode(const char *in, size_t n, size_t *out_len)
{
	if (n % 4 == 1)
		return NULL;
	unsigned char *out = malloc(n / 4 * 3 + 3);
	if (!out)
		return NULL;
	size_t o = 0;
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		int v = jwt_b64url_value((unsigned char)in[i]);
		if (v < 0) {
			free(out);
			return NULL;
		}
		acc = (acc << 6 | (unsigned)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
		free(out);
		return NULL;
	}
	out[o] = '\0';
	*out_len = o;
	return out;
}

static int jwt_b64url_valid(const char *in, size_t n)
{
	if (n == 0 || n % 4 == 1)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (jwt_b64url_value((unsigned char)in[i]) < 0)
			return 0;
	return 1;
}

/* ---- HMAC ---- */

/* Base64url HMAC-SHA256 of `data` into `out` (SIG_B64_LEN + 1 bytes). */
static int jwt_hs256_b64(const unsigned char *secret, size_t secret_len,
	const char *data, size_t len, char *out)
{
	static const unsigned char empty_key[1];
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	if (!HMAC(EVP_sha256(), secret ? secret : empty_key, (int)secret_len,
			(const unsigned char *)data, len, mac, &mac_len) || mac_len != SIG_LEN)
		return -1;
	jwt_b64url_encode(mac, mac_len, out);
	OPENSSL_cleanse(mac, sizeof(mac));
	return 0;
}

/* ---- sign ---- */

static char *jwt_b64url_dup(const char *in, size_t n)
{
	char *out = malloc(jwt_b64url_encoded_len(n) + 1);
	if (out)
		jwt_b64url_encode((const unsigned char *)in, n, out);
	return out;
}

char *rtk_jwt_sign(const json_t *claims, const unsigned char *secret, size_t secret_len)
{
	static const char header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
	if (!json_is_object(claims) || secret_len > (size_t)0x7fffffff)
		return NULL;
	char *payload = json_dumps(claims, JSON_COMPACT);
	if (!payload)
		return NULL;
	char *h64 = jwt_b64url_dup(header, sizeof(header) - 1);
	char *p64 = jwt_b64url_dup(payload, strlen(payload));
	free(payload);

	char *token = NULL;
	if (h64 && p64) {
		size_t hl = strlen(h64), pl = strlen(p64);
		token = malloc(hl + 1 + pl + 1 + SIG_B64_LEN + 1);
		if (token) {
			memcpy(token, h64, hl);
			token[hl] = '.';
			memcpy(token + hl + 1, p64, pl);
			token[hl + 1 + pl] = '.';
			if (jwt_hs256_b64(secret, secret_len, token, hl + 1 + pl, token + hl + 1 + pl + 1) != 0) {
				free(token);
				token = NULL;
			}
		}
	}
	free(h64);
	free(p64);
	return token;
}

/* ---- verify ---- */

/* Decodes one part as a JSON object (duplicate keys refused). */
static json_t *jwt_decode_object(const char *part, size_t n)
{
	size_t len = 0;
	unsigned char *raw = jwt_b64url_decode(part, n, &len);
	if (!raw)
		return NULL;
	json_t *obj = json_loadb((const char *)raw, len, JSON_REJECT_DUPLICATES, NULL);
	free(raw);
	if (obj && !json_is_object(obj)) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

static int jwt_header_acceptable(const json_t *header)
{
	const json_t *alg = json_object_get(header, "alg");
	const json_t *typ = json_object_get(header, "typ");
	if (!json_is_string(alg) || strcmp(json_string_value(alg), "HS256") != 0)
		return 0;
	if (typ && !json_is_string(typ))
		return 0;
	/* We understand no extensions, so any "crit" must be refused (RFC 7515 4.1.11). */
	return json_object_get(header, "crit") == NULL;
}

rtk_jwt_status rtk_jwt_verify(const char *token, const unsigned char *secret, size_t secret_len,
	long long now, json_t **claims)
{
	if (claims)
		*claims = NULL;
	if (!token || secret_len > (size_t)0x7fffffff)
		return RTK_JWT_MALFORMED;

	const char *dot1 = strchr(token, '.');
	const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	if (!dot2 || strchr(dot2 + 1, '.'))
		return RTK_JWT_MALFORMED;
	const char *h = token, *p = dot1 + 1, *s = dot2 + 1;
	size_t hl = (size_t)(dot1 - h), pl = (size_t)(dot2 - p), sl = strlen(s);
	if (!jwt_b64url_valid(h, hl) || !jwt_b64url_valid(p, pl) || !jwt_b64url_valid(s, sl))
		return RTK_JWT_MALFORMED;

	json_t *header = jwt_decode_object(h, hl);
	int ok = header && jwt_header_acceptable(header);
	json_decref(header);
	if (!ok)
		return RTK_JWT_MALFORMED;

	char expected[SIG_B64_LEN + 1];
	if (jwt_hs256_b64(secret, secret_len, token, (size_t)(dot2 - token), expected) != 0)
		return RTK_JWT_MALFORMED;
	if (sl != SIG_B64_LEN || CRYPTO_memcmp(expected, s, SIG_B64_LEN) != 0)
		return RTK_JWT_BAD_SIGNATURE;

	json_t *payload = jwt_decode_object(p, pl);
	json_t *exp = json_object_get(payload, "exp");
	if (!payload || !json_is_integer(exp)) {
		json_decref(payload);
		return RTK_JWT_MALFORMED;
	}
	if (json_integer_value(exp) <= now) {
		json_decref(payload);
		return RTK_JWT_EXPIRED;
	}
	if (claims)
		*claims = payload;
	else
		json_decref(payload);
	return RTK_JWT_OK;
}

const char *rtk_jwt_status_str(rtk_jwt_status status)
{
	switch (status) {
	case RTK_JWT_OK: return "ok";
	case RTK_JWT_MALFORMED: return "malformed token";
	case RTK_JWT_BAD_SIGNATURE: return "bad signature";
	case RTK_JWT_EXPIRED: return "token expired";
	}
	return "unknown";
}
