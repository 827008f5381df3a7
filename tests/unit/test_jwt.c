/*
 * test_jwt.c - HS256 participant tokens: round trip, forgery, expiry, every
 * malformed shape, and a vector computed independently (Python's hmac) so
 * the tokens interoperate with any other JWT implementation. Also the
 * other credential the server mints: time-limited TURN credentials
 * (turn_rest.h), against a vector computed the same way.
 */
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "jwt.h"
#include "turn_rest.h"
#include "unit.h"

#define SECRET ((const unsigned char *)"rtk-test-secret")
#define SECRET_LEN 15
#define NOW 1800000000LL

/* Computed independently with Python's hmac/hashlib/base64/json:
 *   b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b'=').decode()
 *   h, p = b64(json.dumps(o, separators=(",", ":")).encode()) for the header and claims
 *   sig = b64(hmac.new(b'rtk-test-secret', (h + '.' + p).encode(), hashlib.sha256).digest())
 * header {"alg":"HS256","typ":"JWT"}, claims as in known_claims(). */
static const char known_token[] =
	"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
	".eyJvcmdJZCI6Im9yZy0xIiwibWVldGluZ0lkIjoibS0xIiwicGFydGljaXBhbnRJZCI6InAtMSIsInByZXNldElkIjoicHMtMSIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjo0MTAyNDQ0ODAwfQ"
	".vyH1rSM65ur1zDb-Wew4M3utV-FBkKhdAUH6LvUitNM";

static json_t *known_claims(void)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}",
		"orgId", "org-1", "meetingId", "m-1", "participantId", "p-1",
		"presetId", "ps-1", "iat", (json_int_t)1700000000, "exp", (json_int_t)4102444800LL);
}

/* Test-side base64url (via OpenSSL's base64), independent of jwt.c's. */
static char *b64url(const unsigned char *in, size_t n)
{
	char *out = malloc(4 * ((n + 2) / 3) + 1);
	int len = EVP_EncodeBlock((unsigned char *)out, in, (int)n);
	while (len > 0 && out[len - 1] == '=')
		len--;
	out[len] = '\0';
	for (char *p = out; *p; p++)
		*p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
	return out;
}

/* A token with arbitrary header and payload text, correctly signed. */
static char *make_token(const char *header, const char *payload, const unsigned char *secret,
	size_t secret_len)
{
	char *h = b64url((const unsigned char *)header, strlen(header));
	char *p = b64url((const unsigned char *)payload, strlen(payload));
	size_t n = strlen(h) + 1 + strlen(p);
	char *token = malloc(n + 64);
	snprintf(token, n + 64, "%s.%s", h, p);
	unsigned char mac[32];
	unsigned int mac_len = 0;
	HMAC(EVP_sha256(), secret, (int)secret_len, (unsigned char *)token, n, mac, &mac_len);
	char *s = b64url(mac, mac_len);
	strcat(token, ".");
	strcat(token, s);
	free(h);
	free(p);
	free(s);
	return token;
}

static rtk_jwt_status verify(const char *token)
{
	json_t *claims = (json_t *)0x1;
	rtk_jwt_status st = rtk_jwt_verify(token, SECRET, SECRET_LEN, NOW, &claims);
	CHECK(st == RTK_JWT_OK ? claims != NULL : claims == NULL);
	json_decref(claims);
	return st;
}

static void test_round_trip(void)
{
	json_t *claims = json_pack("{s:s, s:I}", "participantId", "p-9", "exp", (json_int_t)(NOW + 60));
	char *token = rtk_jwt_sign(claims, SECRET, SECRET_LEN);
	CHECK_NOT_NULL(token);
	json_t *got = NULL;
	CHECK_EQ_INT(rtk_jwt_verify(token, SECRET, SECRET_LEN, NOW, &got), RTK_JWT_OK);
	CHECK(json_equal(got, claims));
	json_decref(got);
	/* claims may be NULL when the caller only wants the verdict */
	CHECK_EQ_INT(rtk_jwt_verify(token, SECRET, SECRET_LEN, NOW, NULL), RTK_JWT_OK);
	/* exp == now is already expired */
	CHECK_EQ_INT(rtk_jwt_verify(token, SECRET, SECRET_LEN, NOW + 60, NULL), RTK_JWT_EXPIRED);
	free(token);
	json_decref(claims);

	json_t *array = json_array();
	CHECK_NULL(rtk_jwt_sign(array, SECRET, SECRET_LEN));   /* claims must be an object */
	json_decref(array);
}

static void test_known_vector(void)
{
	json_t *claims = known_claims();
	char *token = rtk_jwt_sign(claims, SECRET, SECRET_LEN);
	CHECK_EQ_STR(token, known_token);
	free(token);

	json_t *got = NULL;
	CHECK_EQ_INT(rtk_jwt_verify(known_token, SECRET, SECRET_LEN, NOW, &got), RTK_JWT_OK);
	CHECK(json_equal(got, claims));
	json_decref(got);
	json_decref(claims);
}

static void test_forged(void)
{
	json_t *claims = known_claims();
	char *token = rtk_jwt_sign(claims, (const unsigned char *)"another-secret", 14);
	CHECK_EQ_INT(verify(token), RTK_JWT_BAD_SIGNATURE);
	free(token);
	json_decref(claims);

	/* One altered byte in the payload: still valid base64url, new claims. */
	char *t = strdup(known_token);
	char *payload = strchr(t, '.') + 1;
	payload[10] = payload[10] == 'A' ? 'B' : 'A';
	CHECK_EQ_INT(verify(t), RTK_JWT_BAD_SIGNATURE);
	free(t);

	/* Altered signature, truncated signature, non-canonical last character. */
	t = strdup(known_token);
	char *sig = strrchr(t, '.') + 1;
	sig[0] = sig[0] == 'v' ? 'w' : 'v';
	CHECK_EQ_INT(verify(t), RTK_JWT_BAD_SIGNATURE);
	free(t);
	t = strdup(known_token);
	t[strlen(t) - 1] = '\0';   /* 42 characters: valid base64url, short signature */
	CHECK_EQ_INT(verify(t), RTK_JWT_BAD_SIGNATURE);
	free(t);
	t = strdup(known_token);
	t[strlen(t) - 1] = 'N';   /* 'M' -> 'N': same bytes if trailing bits were ignored */
	CHECK_EQ_INT(verify(t), RTK_JWT_BAD_SIGNATURE);
	free(t);

	/* Right token, wrong secret length (prefix of the secret). */
	CHECK_EQ_INT(rtk_jwt_verify(known_token, SECRET, SECRET_LEN - 1, NOW, NULL), RTK_JWT_BAD_SIGNATURE);
}

static void test_expired(void)
{
	json_t *claims = json_pack("{s:s, s:I}", "participantId", "p", "exp", (json_int_t)(NOW - 1));
	char *token = rtk_jwt_sign(claims, SECRET, SECRET_LEN);
	CHECK_EQ_INT(verify(token), RTK_JWT_EXPIRED);
	free(token);
	json_decref(claims);
	CHECK_EQ_INT(rtk_jwt_verify(known_token, SECRET, SECRET_LEN, 4102444800LL, NULL), RTK_JWT_EXPIRED);
}

static void check_malformed_signed(const char *header, const char *payload, int line)
{
	char *t = make_token(header, payload, SECRET, SECRET_LEN);
	rtk_jwt_status st = verify(t);
	if (st != RTK_JWT_MALFORMED)
		fprintf(stderr, "%s:%d: header %s payload %s -> %s\n", __FILE__, line, header, payload,
			rtk_jwt_status_str(st));
	CHECK_EQ_INT(st, RTK_JWT_MALFORMED);
	free(t);
}

static void test_malformed(void)
{
	const char *good_header = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
	const char *good_payload = "{\"exp\":4102444800}";

	/* the helper itself makes acceptable tokens */
	char *t = make_token(good_header, good_payload, SECRET, SECRET_LEN);
	CHECK_EQ_INT(verify(t), RTK_JWT_OK);
	free(t);
	t = make_token("{\"alg\":\"HS256\"}", good_payload, SECRET, SECRET_LEN);
	CHECK_EQ_INT(verify(t), RTK_JWT_OK);   /* typ is optional */
	free(t);

	/* alg none, the classic: empty signature */
	char *h = b64url((const unsigned char *)"{\"alg\":\"none\",\"typ\":\"JWT\"}", 26);
	char *p = b64url((const unsigned char *)good_payload, strlen(good_payload));
	char buf[512];
	snprintf(buf, sizeof(buf), "%s.%s.", h, p);
	CHECK_EQ_INT(verify(buf), RTK_JWT_MALFORMED);
	free(h);
	free(p);

	check_malformed_signed("{\"alg\":\"none\"}", good_payload, __LINE__);
	check_malformed_signed("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", good_payload, __LINE__);
	check_malformed_signed("{\"alg\":\"hs256\"}", good_payload, __LINE__);
	check_malformed_signed("{\"typ\":\"JWT\"}", good_payload, __LINE__);
	check_malformed_signed("{\"alg\":\"HS256\",\"alg\":\"none\"}", good_payload, __LINE__);
	check_malformed_signed("{\"alg\":\"HS256\",\"crit\":[\"x\"]}", good_payload, __LINE__);
	check_malformed_signed("[\"HS256\"]", good_payload, __LINE__);
	check_malformed_signed("not json", good_payload, __LINE__);
	check_malformed_signed(good_header, "[1,2]", __LINE__);
	check_malformed_signed(good_header, "\"exp\"", __LINE__);
	check_malformed_signed(good_header, "{}", __LINE__);
	check_malformed_signed(good_header, "{\"exp\":\"4102444800\"}", __LINE__);
	check_malformed_signed(good_header, "{\"exp\":4102444800.5}", __LINE__);
	check_malformed_signed(good_header, "{\"exp\":4102444800", __LINE__);
	check_malformed_signed(good_header, "{\"exp\":1,\"exp\":4102444800}", __LINE__);

	/* the independent non-object vector (Python) */
	CHECK_EQ_INT(verify("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.WzEsMl0"
		".8DIM9ncXAXPwWa1_IUH83j7HLCs6OEUGO-doj8Fp_uA"), RTK_JWT_MALFORMED);

	/* shapes */
	const char *shapes[] = {
		"", ".", "..", "...", "a", "a.b", "a.b.c.d",
		"eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9",
		"eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.abc.def",
		"eyJhbGciOiJIUzI1NiJ9..abc",
		".eyJleHAiOjF9.abc",
		"eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9=.abc",       /* padding */
		"eyJhbGciOiJIUzI1NiJ9.eyJleHAi+jF9.abc",        /* standard alphabet */
		"eyJhbGciOiJIUzI1NiJ9.eyJle HAiOjF9.abc",       /* space */
		"eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9A.abc",       /* length 4k+1 */
		"eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.ab\xff",
	};
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		if (verify(shapes[i]) != RTK_JWT_MALFORMED)
			fprintf(stderr, "%s:%d: shape %zu not refused as malformed\n", __FILE__, __LINE__, i);
		CHECK_EQ_INT(verify(shapes[i]), RTK_JWT_MALFORMED);
	}
	CHECK_EQ_INT(rtk_jwt_verify(NULL, SECRET, SECRET_LEN, NOW, NULL), RTK_JWT_MALFORMED);

	/* the known token with its signature part dropped or doubled */
	t = strdup(known_token);
	*strrchr(t, '.') = '\0';
	CHECK_EQ_INT(verify(t), RTK_JWT_MALFORMED);
	free(t);
	snprintf(buf, sizeof(buf), "%s.%s", known_token, strrchr(known_token, '.') + 1);
	CHECK_EQ_INT(verify(buf), RTK_JWT_MALFORMED);

	/* the header part replaced by garbage that is valid base64url */
	snprintf(buf, sizeof(buf), "AAAA%s", strchr(known_token, '.'));
	CHECK_EQ_INT(verify(buf), RTK_JWT_MALFORMED);
}

static void test_status_str(void)
{
	CHECK_EQ_STR(rtk_jwt_status_str(RTK_JWT_OK), "ok");
	CHECK(strlen(rtk_jwt_status_str(RTK_JWT_MALFORMED)) > 0);
	CHECK(strlen(rtk_jwt_status_str(RTK_JWT_BAD_SIGNATURE)) > 0);
	CHECK(strlen(rtk_jwt_status_str(RTK_JWT_EXPIRED)) > 0);
}

/* Computed independently: base64.b64encode(hmac.new(b"s3cret",
 * b"1700000000:peer-1", hashlib.sha1).digest()), as coturn's
 * use-auth-secret checks it. */
static void test_turn_credentials(void)
{
	char *username = rtk_turn_username(1700000000LL, "peer-1");
	CHECK_EQ_STR(username, "1700000000:peer-1");
	char *password = rtk_turn_password("s3cret", username);
	CHECK_EQ_STR(password, "rCFVLvIwlVfR84C5QMSLI2HmoLo=");
	char *other = rtk_turn_password("s3cret!", username);
	CHECK(strcmp(other, password) != 0);
	CHECK(rtk_turn_password(NULL, username) == NULL);
	CHECK(rtk_turn_password("s3cret", NULL) == NULL);
	g_free(username);
	g_free(password);
	g_free(other);
}

int main(void)
{
	UNIT_RUN(test_round_trip);
	UNIT_RUN(test_known_vector);
	UNIT_RUN(test_forged);
	UNIT_RUN(test_expired);
	UNIT_RUN(test_malformed);
	UNIT_RUN(test_status_str);
	UNIT_RUN(test_turn_credentials);
	return UNIT_DONE();
}
