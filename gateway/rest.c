/*
 * rest.c - the REST v2 dispatcher: everything a request goes through before
 * and after its resource handler.
 *
 * Owns authentication (Basic ORG_ID:API_KEY or Bearer API_KEY, compared in
 * constant time), the path forms (/v2/... and the Cloudflare
 * /accounts/{account_id}/realtime/kit/{app_id}/...), routing with 404/405,
 * the query parser, paging, body parsing (400/413), the response envelope,
 * the field validation the three resource files share, and the parsers of
 * list filters (repeated choices, ISO 8601 times). It exists so
 * that rest_meetings.c, rest_presets.c and rest_participants.c contain only
 * what is particular to their resource, and so that the whole API can be
 * unit-tested and fuzzed without an HTTP server.
 *
 * Nothing here writes to the store: every check that can refuse a request
 * runs before a handler is called.
 */
#include "rest_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <glib.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include "json_out.h"

/* ------------------------------------------------------------------ */
/* Replies                                                             */
/* ------------------------------------------------------------------ */

/* Serialises `root` (stolen) into reply->body (json_out.h: what
 * json_dumps(root, 0) gives, several times faster). */
static void rtk_rest_reply_json(rtk_rest_reply *reply, int status, json_t *root)
{
	char *text = root ? rtk_json_out(root) : NULL;
	json_decref(root);
	if (text == NULL) {
		/* Only allocation failure gets here. */
		status = 500;
		text = strdup("{\"success\": false, \"error\": {\"code\": 500, "
			"\"message\": \"out of memory while writing the reply\"}}");
	}
	free(reply->body);
	reply->status = status;
	reply->body = text;
}

void rtk_rest_fail(rtk_rest_reply *reply, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *raw = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	char *message = g_utf8_make_valid(raw, -1);
	g_free(raw);
	json_t *root = json_pack("{s:b, s:{s:i, s:s}}", "success", 0,
		"error", "code", status, "message", message);
	g_free(message);
	rtk_rest_reply_json(reply, status, root);
}

void rtk_rest_reply_clear(rtk_rest_reply *reply)
{
	if (reply->temporary_file && reply->file_path != NULL)
		unlink(reply->file_path);
	free(reply->body);
	g_free(reply->file_path);
	g_free(reply->file_type);
	g_free(reply->disposition);
	*reply = (rtk_rest_reply) { .status = 0 };
}

void rtk_rest_reply_data(rtk_rest_call *call, int status, json_t *data)
{
	if (data == NULL) {
		rtk_rest_fail(call->reply, 500, "out of memory while building the reply");
		return;
	}
	rtk_rest_reply_json(call->reply, status, json_pack("{s:b, s:o}", "success", 1, "data", data));
}

/* start_offset and end_offset are the 1-based positions, in the whole list,
 * of the first and last item of this page; both are 0 for an empty page. */
void rtk_rest_reply_list(rtk_rest_call *call, json_t *items, int total)
{
	if (items == NULL) {
		rtk_rest_fail(call->reply, 500, "out of memory while building the reply");
		return;
	}
	int count = (int)json_array_size(items);
	int start = count ? call->offset + 1 : 0;
	int end = count ? call->offset + count : 0;
	rtk_rest_reply_json(call->reply, 200, json_pack("{s:b, s:o, s:{s:i, s:i, s:i}}",
		"success", 1, "data", items,
		"paging", "total_count", total, "start_offset", start, "end_offset", end));
}

void rtk_rest_reply_list_in(rtk_rest_call *call, const char *key, json_t *items, int total)
{
	if (items == NULL) {
		rtk_rest_fail(call->reply, 500, "out of memory while building the reply");
		return;
	}
	int count = (int)json_array_size(items);
	int start = count ? call->offset + 1 : 0;
	int end = count ? call->offset + count : 0;
	rtk_rest_reply_json(call->reply, 200, json_pack("{s:b, s:{s:o}, s:{s:i, s:i, s:i}}",
		"success", 1, "data", key, items,
		"paging", "total_count", total, "start_offset", start, "end_offset", end));
}

void rtk_rest_reply_paged(rtk_rest_call *call, json_t *data, int count, int total)
{
	if (data == NULL) {
		rtk_rest_fail(call->reply, 500, "out of memory while building the reply");
		return;
	}
	int start = count ? call->offset + 1 : 0;
	int end = count ? call->offset + count : 0;
	rtk_rest_reply_json(call->reply, 200, json_pack("{s:b, s:o, s:{s:i, s:i, s:i}}",
		"success", 1, "data", data,
		"paging", "total_count", total, "start_offset", start, "end_offset", end));
}

void rtk_rest_fail_store(rtk_rest_call *call, rtk_store_status status, const char *what, const char *id)
{
	switch (status) {
	case RTK_STORE_NOT_FOUND: {
		char *shown = rtk_rest_echo(id ? id : "");
		rtk_rest_fail(call->reply, 404, "%s '%s' not found", what, shown);
		g_free(shown);
		return;
	}
	case RTK_STORE_CONFLICT:
		rtk_rest_fail(call->reply, 409, "the %s conflicts with one already stored", what);
		return;
	case RTK_STORE_OK:
	case RTK_STORE_FAILED:
	default:
		rtk_rest_fail(call->reply, 500, "the store failed while handling this %s; "
			"see the server log", what);
		return;
	}
}

char *rtk_rest_echo(const char *s)
{
	if (s == NULL)
		s = "";
	size_t len = strlen(s);
	if (len <= 64)
		return g_utf8_make_valid(s, (gssize)len);
	/* Cut at a character boundary so no replacement character appears. */
	size_t cut = 64;
	while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
		cut--;
	char *head = g_utf8_make_valid(s, (gssize)cut);
	char *shown = g_strconcat(head, "...", NULL);
	g_free(head);
	return shown;
}

/* ------------------------------------------------------------------ */
/* Authentication                                                      */
/* ------------------------------------------------------------------ */

/* Equal in time independent of where they differ or of their lengths:
 * compares SHA-256 digests with CRYPTO_memcmp. An empty secret matches
 * nothing, so an unconfigured key never opens the API. */
bool rtk_rest_secret_equal(const void *given, size_t given_len, const char *secret)
{
	unsigned char a[EVP_MAX_MD_SIZE], b[EVP_MAX_MD_SIZE];
	unsigned int alen = 0, blen = 0;
	size_t secret_len = secret ? strlen(secret) : 0;
	if (!EVP_Digest(given, given_len, a, &alen, EVP_sha256(), NULL))
		return false;
	if (!EVP_Digest(secret ? secret : "", secret_len, b, &blen, EVP_sha256(), NULL))
		return false;
	return secret_len > 0 && alen == blen && CRYPTO_memcmp(a, b, alen) == 0;
}

const char *rtk_rest_auth_param(const char *header, const char *scheme)
{
	size_t n = strlen(scheme);
	if (strncasecmp(header, scheme, n) != 0 || (header[n] != ' ' && header[n] != '\t'))
		return NULL;
	header += n;
	while (*header == ' ' || *header == '\t')
		header++;
	return header;
}

bool rtk_rest_authorized(const rtk_rest_ctx *ctx, const char *header)
{
	if (header == NULL)
		return false;
	const char *param;
	if ((param = rtk_rest_auth_param(header, "Bearer")) != NULL)
		return rtk_rest_secret_equal(param, strlen(param), ctx->api_key);
	if ((param = rtk_rest_auth_param(header, "Basic")) == NULL)
		return false;

	gsize len = 0;
	guchar *decoded = g_base64_decode(param, &len);
	if (decoded == NULL)
		return false;
	const guchar *colon = memchr(decoded, ':', len);
	bool ok = false;
	if (colon != NULL) {
		size_t org_len = (size_t)(colon - decoded);
		/* Both comparisons always run: no early exit on the org id. */
		bool org_ok = rtk_rest_secret_equal(decoded, org_len, ctx->org_id);
		bool key_ok = rtk_rest_secret_equal(colon + 1, len - org_len - 1, ctx->api_key);
		ok = org_ok & key_ok;
	}
	OPENSSL_cleanse(decoded, len);
	g_free(decoded);
	return ok;
}

/* ------------------------------------------------------------------ */
/* Query strings                                                       */
/* ------------------------------------------------------------------ */

struct rtk_rest_query {
	size_t count;
	char *names[RTK_REST_QUERY_MAX_PARAMS];
	char *values[RTK_REST_QUERY_MAX_PARAMS];
};

static int rtk_rest_hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *rtk_rest_percent_decode(const char *s, size_t len)
{
	char *out = malloc(len + 1);
	if (out == NULL)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			int hi = i + 2 < len ? rtk_rest_hex((unsigned char)s[i + 1]) : -1;
			int lo = i + 2 < len ? rtk_rest_hex((unsigned char)s[i + 2]) : -1;
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
				free(out);
				return NULL;
			}
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+') {
			out[o++] = ' ';
		} else if (c == '\0') {
			free(out);
			return NULL;
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return out;
}

rtk_rest_query *rtk_rest_query_parse(const char *raw, size_t len, const char **error)
{
	rtk_rest_query *q = calloc(1, sizeof *q);
	if (q == NULL) {
		*error = "out of memory";
		return NULL;
	}
	size_t pos = 0;
	while (pos < len) {
		const char *piece = raw + pos;
		const char *amp = memchr(piece, '&', len - pos);
		size_t piece_len = amp ? (size_t)(amp - piece) : len - pos;
		pos += piece_len + 1;
		if (piece_len == 0)
			continue;
		if (q->count == RTK_REST_QUERY_MAX_PARAMS) {
			*error = "too many query parameters (at most 64)";
			rtk_rest_query_free(q);
			return NULL;
		}
		const char *eq = memchr(piece, '=', piece_len);
		size_t name_len = eq ? (size_t)(eq - piece) : piece_len;
		char *name = rtk_rest_percent_decode(piece, name_len);
		char *value = eq ? rtk_rest_percent_decode(eq + 1, piece_len - name_len - 1) : strdup("");
		if (name == NULL || value == NULL) {
			free(name);
			free(value);
			*error = "malformed query string: every '%' must start an escape %XX "
				"of two hex digits, and %00 is not accepted";
			rtk_rest_query_free(q);
			return NULL;
		}
		q->names[q->count] = name;
		q->values[q->count] = value;
		q->count++;
	}
	return q;
}

const char *rtk_rest_query_get(const rtk_rest_query *q, const char *name)
{
	for (size_t i = q->count; i-- > 0;)
		if (strcmp(q->names[i], name) == 0)
			return q->values[i];
	return NULL;
}

size_t rtk_rest_query_count(const rtk_rest_query *q)
{
	return q->count;
}

void rtk_rest_query_nth(const rtk_rest_query *q, size_t i, const char **name, const char **value)
{
	*name = q->names[i];
	*value = q->values[i];
}

void rtk_rest_query_free(rtk_rest_query *q)
{
	if (q == NULL)
		return;
	for (size_t i = 0; i < q->count; i++) {
		free(q->names[i]);
		free(q->values[i]);
	}
	free(q);
}

/* ------------------------------------------------------------------ */
/* List filters                                                        */
/* ------------------------------------------------------------------ */

/* Adds the bit of `value` (an element of `allowed`) to *mask; false when
 * it is none of them. */
static bool rtk_rest_choice_bit(const char *const *allowed, const char *value, size_t len, unsigned *mask)
{
	for (unsigned i = 0; allowed[i]; i++)
		if (strlen(allowed[i]) == len && strncmp(allowed[i], value, len) == 0) {
			*mask |= 1u << i;
			return true;
		}
	return false;
}

bool rtk_rest_query_choices(rtk_rest_reply *reply, const rtk_rest_query *q, const char *name,
	const char *const *allowed, unsigned *mask)
{
	*mask = 0;
	for (size_t i = 0; q && i < q->count; i++) {
		if (strcmp(q->names[i], name) != 0)
			continue;
		const char *v = q->values[i];
		for (;;) {
			const char *comma = strchr(v, ',');
			size_t len = comma ? (size_t)(comma - v) : strlen(v);
			if (!rtk_rest_choice_bit(allowed, v, len, mask)) {
				GString *list = g_string_new(NULL);
				for (const char *const *c = allowed; *c; c++)
					g_string_append_printf(list, "%s%s", c == allowed ? "" : ", ", *c);
				char *echo = g_strndup(v, len);
				char *shown = rtk_rest_echo(echo);
				rtk_rest_fail(reply, 400, "query parameter '%s' must be one of %s (repeat it, or "
					"separate values with commas, for several), not '%s'", name, list->str, shown);
				g_free(shown);
				g_free(echo);
				g_string_free(list, TRUE);
				*mask = 0;
				return false;
			}
			if (!comma)
				break;
			v = comma + 1;
		}
	}
	return true;
}

/* `n` decimal digits at s; -1 when any is not a digit. */
static int rtk_rest_digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (any year 0..9999). */
static long long rtk_rest_days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void rtk_rest_civil_from_days(long long z, int *y, int *m, int *d)
{
	z += 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	long long doe = z - era * 146097;
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long long mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int rtk_rest_month_days(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

/* The offset east of UTC in minutes of "Z", "+HH:MM", "+HHMM", "+HH" (or
 * '-'; a ' ' for '+', as an unescaped '+' in a query decodes) or "" (UTC).
 * False when it is none of these. */
static bool rtk_rest_time_offset(const char *s, int *minutes)
{
	*minutes = 0;
	if (*s == '\0' || ((*s == 'Z' || *s == 'z') && s[1] == '\0'))
		return true;
	if (*s != '+' && *s != '-' && *s != ' ')
		return false;
	int sign = *s == '-' ? -1 : 1;
	int hh = rtk_rest_digits(s + 1, 2), mm = 0;
	const char *rest = s + 3;
	if (hh < 0)
		return false;
	if (*rest == ':')
		rest++;
	if (*rest != '\0') {
		if ((mm = rtk_rest_digits(rest, 2)) < 0 || rest[2] != '\0')
			return false;
	}
	if (hh > 23 || mm > 59)
		return false;
	*minutes = sign * (hh * 60 + mm);
	return true;
}

bool rtk_rest_time_parse(const char *s, char out[RTK_REST_TIME_LEN])
{
	if (s == NULL || strlen(s) < 10 || s[4] != '-' || s[7] != '-')
		return false;
	int y = rtk_rest_digits(s, 4), mo = rtk_rest_digits(s + 5, 2), d = rtk_rest_digits(s + 8, 2);
	int h = 0, mi = 0, sec = 0, ms = 0;
	const char *p = s + 10;
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > rtk_rest_month_days(y, mo))
		return false;
	if (*p == 'T' || *p == 't' || (*p == ' ' && rtk_rest_digits(p + 1, 2) >= 0 && p[3] == ':')) {
		h = rtk_rest_digits(p + 1, 2);
		if (h < 0 || p[3] != ':' || (mi = rtk_rest_digits(p + 4, 2)) < 0)
			return false;
		p += 6;
		if (*p == ':') {
			if ((sec = rtk_rest_digits(p + 1, 2)) < 0)
				return false;
			p += 3;
			if (*p == '.' || *p == ',') {
				int n = 0;
				for (p++; *p >= '0' && *p <= '9'; p++, n++)
					if (n < 3)
						ms = ms * 10 + (*p - '0');
				if (n == 0)
					return false;
				for (; n < 3; n++)
					ms *= 10;
			}
		}
		if (h > 23 || mi > 59 || sec > 59)
			return false;
	}
	int offset;
	if (!rtk_rest_time_offset(p, &offset))
		return false;
	long long minutes = rtk_rest_days_from_civil(y, mo, d) * 1440 + h * 60 + mi - offset;
	long long days = minutes >= 0 ? minutes / 1440 : -((-minutes + 1439) / 1440);
	int rem = (int)(minutes - days * 1440);
	rtk_rest_civil_from_days(days, &y, &mo, &d);
	if (y < 0 || y > 9999)
		return false;
	char text[64];
	int n = snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, mo, d, rem / 60,
		rem % 60, sec, ms);
	if (n != RTK_REST_TIME_LEN - 1)
		return false;
	memcpy(out, text, RTK_REST_TIME_LEN);
	return true;
}

/* The time of query parameter `name` into `out` ("" when absent). Answers
 * 400 and returns false when it is no ISO 8601 date-time. */
static bool rtk_rest_query_time(rtk_rest_reply *reply, const rtk_rest_query *q, const char *name,
	char out[RTK_REST_TIME_LEN])
{
	const char *v = q ? rtk_rest_query_get(q, name) : NULL;
	out[0] = '\0';
	if (v == NULL || rtk_rest_time_parse(v, out))
		return true;
	char *echo = rtk_rest_echo(v);
	rtk_rest_fail(reply, 400, "query parameter '%s' must be an ISO 8601 date-time such as "
		"2026-11-22T00:39:42Z or 2026-11-22, not '%s'", name, echo);
	g_free(echo);
	return false;
}

bool rtk_rest_query_time_range(rtk_rest_reply *reply, const rtk_rest_query *q, char from[RTK_REST_TIME_LEN],
	char to[RTK_REST_TIME_LEN])
{
	if (!rtk_rest_query_time(reply, q, "start_time", from) || !rtk_rest_query_time(reply, q, "end_time", to))
		return false;
	if (from[0] && to[0] && strcmp(from, to) > 0) {
		rtk_rest_fail(reply, 400, "query parameter 'start_time' (%s) is after 'end_time' (%s)", from, to);
		return false;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Paging                                                              */
/* ------------------------------------------------------------------ */

/* A decimal integer in [min, max] made only of digits; false otherwise. */
static bool rtk_rest_parse_int(const char *s, int min, int max, int *out)
{
	long long v = 0;
	if (*s == '\0')
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (*s - '0');
		if (v > max)
			return false;
	}
	if (v < min)
		return false;
	*out = (int)v;
	return true;
}

static bool rtk_rest_paging(rtk_rest_call *call, const rtk_rest_query *q)
{
	int page_no = 1, per_page = RTK_REST_PER_PAGE_DEFAULT;
	const char *v;
	if ((v = rtk_rest_query_get(q, "page_no")) != NULL
	    && !rtk_rest_parse_int(v, 1, RTK_REST_PAGE_NO_MAX, &page_no)) {
		rtk_rest_fail(call->reply, 422, "query parameter 'page_no' must be an integer "
			"from 1 to %d", RTK_REST_PAGE_NO_MAX);
		return false;
	}
	if ((v = rtk_rest_query_get(q, "per_page")) != NULL
	    && !rtk_rest_parse_int(v, 1, RTK_REST_PER_PAGE_MAX, &per_page)) {
		rtk_rest_fail(call->reply, 422, "query parameter 'per_page' must be an integer "
			"from 1 to %d", RTK_REST_PER_PAGE_MAX);
		return false;
	}
	/* At most 10^7 * 100 = 10^9: fits an int. */
	call->offset = (page_no - 1) * per_page;
	call->limit = per_page;
	return true;
}

/* ------------------------------------------------------------------ */
/* Body                                                                */
/* ------------------------------------------------------------------ */

/* Parses the body into a NEW object in call->body; an empty body is {}.
 * Answers 400 and returns false when it is not a JSON object. */
static bool rtk_rest_parse_body(rtk_rest_call *call)
{
	const rtk_rest_request *req = call->req;
	if (req->body_len == 0 || req->body == NULL) {
		call->body = json_object();
		return call->body != NULL;
	}
	json_error_t err;
	json_t *body = json_loadb(req->body, req->body_len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &err);
	if (body == NULL) {
		rtk_rest_fail(call->reply, 400, "request body is not valid JSON: %s (line %d, column %d)",
			err.text, err.line, err.column);
		return false;
	}
	if (!json_is_object(body)) {
		json_decref(body);
		rtk_rest_fail(call->reply, 400, "request body must be a JSON object");
		return false;
	}
	call->body = body;
	return true;
}

/* ------------------------------------------------------------------ */
/* Field validation                                                    */
/* ------------------------------------------------------------------ */

static const char *rtk_rest_kind_name(const rtk_rest_field *f)
{
	bool null_ok = f->flags & RTK_REST_NULLABLE;
	switch (f->kind) {
	case RTK_REST_STRING:
		return null_ok ? "a string or null" : "a string";
	case RTK_REST_BOOLEAN:
		return null_ok ? "a boolean or null" : "a boolean";
	case RTK_REST_OBJECT:
		return null_ok ? "an object or null" : "an object";
	case RTK_REST_URL:
		return null_ok ? "an http:// or https:// URL string or null" : "an http:// or https:// URL string";
	}
	return "valid";
}

static bool rtk_rest_kind_matches(rtk_rest_kind kind, const json_t *v)
{
	switch (kind) {
	case RTK_REST_STRING:
	case RTK_REST_URL:
		return json_is_string(v);
	case RTK_REST_BOOLEAN:
		return json_is_boolean(v);
	case RTK_REST_OBJECT:
		return json_is_object(v);
	}
	return false;
}

static bool rtk_rest_is_url(const char *s)
{
	size_t skip;
	if (strncasecmp(s, "https://", 8) == 0)
		skip = 8;
	else if (strncasecmp(s, "http://", 7) == 0)
		skip = 7;
	else
		return false;
	if (s[skip] == '\0' || s[skip] == '/')
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ')
			return false;
	return true;
}

/* Answers `status` with "field 'x' must be one of A, B, C". */
static void rtk_rest_fail_choices(rtk_rest_call *call, const rtk_rest_field *f, int status)
{
	GString *list = g_string_new(NULL);
	for (const char *const *c = f->choices; *c; c++)
		g_string_append_printf(list, "%s%s", c == f->choices ? "" : ", ", *c);
	rtk_rest_fail(call->reply, status, "field '%s' must be one of %s", f->name, list->str);
	g_string_free(list, TRUE);
}

/* Checks one present field; answers `status` and returns false when it is bad. */
static bool rtk_rest_check_field(rtk_rest_call *call, const rtk_rest_field *f, const json_t *v, int status)
{
	if (json_is_null(v)) {
		if (f->flags & RTK_REST_NULLABLE)
			return true;
		rtk_rest_fail(call->reply, status, "field '%s' must be %s, not null", f->name, rtk_rest_kind_name(f));
		return false;
	}
	if (!rtk_rest_kind_matches(f->kind, v)) {
		rtk_rest_fail(call->reply, status, "field '%s' must be %s", f->name, rtk_rest_kind_name(f));
		return false;
	}
	if (!json_is_string(v))
		return true;
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);
	if ((f->flags & RTK_REST_NONEMPTY) && len == 0) {
		rtk_rest_fail(call->reply, status, "field '%s' must not be empty", f->name);
		return false;
	}
	if (f->max_len && len > f->max_len) {
		rtk_rest_fail(call->reply, status, "field '%s' must be at most %zu bytes long", f->name, f->max_len);
		return false;
	}
	if (f->kind == RTK_REST_URL && !rtk_rest_is_url(s)) {
		rtk_rest_fail(call->reply, status, "field '%s' must be %s", f->name, rtk_rest_kind_name(f));
		return false;
	}
	if (f->choices) {
		for (const char *const *c = f->choices; *c; c++)
			if (strcmp(*c, s) == 0)
				return true;
		rtk_rest_fail_choices(call, f, status);
		return false;
	}
	return true;
}

bool rtk_rest_take_fields(rtk_rest_call *call, const rtk_rest_field *fields, json_t **out)
{
	return rtk_rest_take_fields_as(call, fields, 422, out);
}

bool rtk_rest_take_fields_as(rtk_rest_call *call, const rtk_rest_field *fields, int status, json_t **out)
{
	*out = NULL;
	json_t *taken = json_object();
	if (taken == NULL) {
		rtk_rest_fail(call->reply, 500, "out of memory");
		return false;
	}
	for (const rtk_rest_field *f = fields; f->name; f++) {
		json_t *v = call->body ? json_object_get(call->body, f->name) : NULL;
		if (v == NULL) {
			if (!(f->flags & RTK_REST_REQUIRED))
				continue;
			rtk_rest_fail(call->reply, status, "field '%s' is required", f->name);
			json_decref(taken);
			return false;
		}
		if (!rtk_rest_check_field(call, f, v, status)) {
			json_decref(taken);
			return false;
		}
		json_object_set(taken, f->name, v);
	}
	*out = taken;
	return true;
}

bool rtk_rest_is_uuid(const char *s)
{
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : rtk_rest_hex((unsigned char)s[i]) < 0)
			return false;
	}
	return s[36] == '\0';
}

/* ------------------------------------------------------------------ */
/* Routing                                                             */
/* ------------------------------------------------------------------ */

bool rtk_rest_path_split(const char *path, rtk_rest_path *out)
{
	out->count = 0;
	out->copy = strdup(path ? path : "");
	if (out->copy == NULL)
		return false;
	const char *all[RTK_REST_MAX_SEGMENTS];
	int n = 0;
	char *save = NULL;
	for (char *s = strtok_r(out->copy, "/", &save); s; s = strtok_r(NULL, "/", &save)) {
		if (n == RTK_REST_MAX_SEGMENTS)
			return false;
		all[n++] = s;
	}
	int skip;
	if (n >= 1 && strcmp(all[0], "v2") == 0)
		skip = 1;
	else if (n >= 5 && strcmp(all[0], "accounts") == 0 && strcmp(all[2], "realtime") == 0
	         && strcmp(all[3], "kit") == 0)
		skip = 5;
	else
		return false;
	for (int i = skip; i < n; i++)
		out->segs[out->count++] = all[i];
	return true;
}

/* Does `pattern` match the path? Fills ids[] and, for a 404, the name of
 * the first placeholder whose segment is not UUID-shaped. */
static bool rtk_rest_pattern_match(const char *pattern, const rtk_rest_path *path,
	const char **ids, const char **bad_what, size_t *bad_what_len, const char **bad_id)
{
	int i = 0, nids = 0;
	const char *p = pattern;
	*bad_id = NULL;
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		if (i >= path->count)
			return false;
		const char *seg = path->segs[i++];
		if (p[0] == '{') {
			if (*bad_id == NULL && !rtk_rest_is_uuid(seg)) {
				*bad_id = seg;
				*bad_what = p + 1;
				*bad_what_len = len - 2;
			}
			if (nids < RTK_REST_MAX_IDS)
				ids[nids++] = seg;
		} else if (strlen(seg) != len || strncmp(seg, p, len) != 0) {
			return false;
		}
		p += len + (slash ? 1 : 0);
	}
	return i == path->count;
}

static const rtk_rest_route *const rtk_rest_tables[] = {
	rtk_rest_meeting_routes,
	rtk_rest_preset_routes,
	rtk_rest_participant_routes,
	rtk_rest_session_routes,
	rtk_rest_history_routes,
	rtk_rest_webhook_routes,
	rtk_rest_recording_routes,
	rtk_rest_livestream_routes,
	rtk_rest_chat_routes,
	rtk_rest_plugin_routes,
	NULL
};

/* Finds the route for the request and fills call->ids. Answers 404 (unknown
 * path, or an id that cannot exist) or 405 and returns NULL otherwise. */
static const rtk_rest_route *rtk_rest_route_find(rtk_rest_call *call, const rtk_rest_path *path)
{
	const rtk_rest_route *found = NULL;
	GString *allowed = NULL;
	const char *bad_what = NULL, *bad_id = NULL;
	size_t bad_what_len = 0;
	for (const rtk_rest_route *const *t = rtk_rest_tables; *t; t++) {
		for (const rtk_rest_route *r = *t; r->method; r++) {
			const char *ids[RTK_REST_MAX_IDS] = { NULL };
			const char *what = NULL, *id = NULL;
			size_t what_len = 0;
			if (!rtk_rest_pattern_match(r->pattern, path, ids, &what, &what_len, &id))
				continue;
			if (strcmp(r->method, call->req->method ? call->req->method : "") == 0) {
				found = r;
				memcpy(call->ids, ids, sizeof ids);
				bad_what = what;
				bad_what_len = what_len;
				bad_id = id;
				break;
			}
			if (allowed == NULL)
				allowed = g_string_new(NULL);
			g_string_append_printf(allowed, "%s%s", allowed->len ? ", " : "", r->method);
		}
		if (found)
			break;
	}

	if (found && bad_id) {
		char *shown = rtk_rest_echo(bad_id);
		rtk_rest_fail(call->reply, 404, "%.*s '%s' not found (ids are UUIDs)",
			(int)bad_what_len, bad_what, shown);
		g_free(shown);
		found = NULL;
	} else if (found == NULL && allowed) {
		char *method = rtk_rest_echo(call->req->method ? call->req->method : "");
		rtk_rest_fail(call->reply, 405, "method %s is not allowed here; allowed: %s",
			method, allowed->str);
		g_free(method);
	} else if (found == NULL) {
		rtk_rest_fail(call->reply, 404, "no such endpoint; see docs/rest.md for the routes");
	}
	if (allowed)
		g_string_free(allowed, TRUE);
	return found;
}

/* ------------------------------------------------------------------ */
/* Dispatch                                                            */
/* ------------------------------------------------------------------ */

/* Everything before the handler: query, route, paging, body. Returns the
 * route to run, or NULL after answering. */
static const rtk_rest_route *rtk_rest_prepare(rtk_rest_call *call, rtk_rest_path *path)
{
	const rtk_rest_request *req = call->req;
	const char *error = NULL;
	rtk_rest_query *query = rtk_rest_query_parse(req->query, req->query ? strlen(req->query) : 0, &error);
	if (query == NULL) {
		rtk_rest_fail(call->reply, 400, "%s", error);
		return NULL;
	}
	const rtk_rest_route *route = NULL;
	if (call->who != NULL) {
		/* a participant's token: only on the routes that take one, and
		 * refused like any wrong credential everywhere else */
		if (rtk_rest_path_split(req->path, path))
			route = rtk_rest_route_find(call, path);
		if (route == NULL || !(route->flags & RTK_REST_PARTICIPANT)) {
			rtk_rest_reply_clear(call->reply);
			rtk_rest_fail(call->reply, 401, "a participant's token is not accepted here; send 'Authorization: "
				"Basic base64(ORG_ID:API_KEY)' or 'Authorization: Bearer API_KEY'");
			route = NULL;
		}
	} else if (!rtk_rest_path_split(req->path, path))
		rtk_rest_fail(call->reply, 404, "no such endpoint: routes are under /v2/ or "
			"/accounts/{account_id}/realtime/kit/{app_id}/, at most %d segments deep",
			RTK_REST_MAX_SEGMENTS);
	else
		route = rtk_rest_route_find(call, path);
	if (route && (route->flags & RTK_REST_PAGED) && !rtk_rest_paging(call, query))
		route = NULL;
	rtk_rest_query_free(query);
	if (route && (route->flags & RTK_REST_BODY) && !rtk_rest_parse_body(call))
		route = NULL;
	return route;
}

void rtk_rest_dispatch(const rtk_rest_ctx *ctx, const rtk_rest_request *req, rtk_rest_reply *reply)
{
	reply->status = 0;
	reply->body = NULL;
	if (rtk_rest_chat_export_serve(ctx, req, reply) || rtk_rest_chat_files_serve(ctx, req, reply) ||
			rtk_rest_webhook_key_serve(ctx, req, reply) || rtk_rest_recording_download_serve(ctx, req, reply) ||
			rtk_rest_nodes_serve(ctx, req, reply))
		return;
	rtk_admission who = { NULL, NULL, NULL };
	bool participant = false;
	if (!rtk_rest_authorized(ctx, req->authorization)) {
		/* not the API key: a participant's token, for the routes that take one */
		const char *token = req->authorization ? rtk_rest_auth_param(req->authorization, "Bearer") : NULL;
		participant = token != NULL && rtk_admit_token(ctx->store, ctx->org_id, ctx->jwt_secret,
			ctx->jwt_secret_len, token, &who) == RTK_ADMIT_OK;
		if (!participant) {
			rtk_rest_fail(reply, 401, "missing or wrong credentials: send 'Authorization: Basic "
				"base64(ORG_ID:API_KEY)' or 'Authorization: Bearer API_KEY'");
			return;
		}
	}
	if (req->body_len > RTK_REST_MAX_BODY) {
		rtk_rest_fail(reply, 413, "request body is larger than %d bytes", RTK_REST_MAX_BODY);
		rtk_admission_clear(&who);
		return;
	}

	rtk_rest_call call = { .ctx = ctx, .req = req, .reply = reply, .who = participant ? &who : NULL };
	rtk_rest_path path = { 0 };
	const rtk_rest_route *route = rtk_rest_prepare(&call, &path);
	if (route)
		route->handler(&call);
	if (reply->body == NULL)
		rtk_rest_fail(reply, 500, "the handler gave no reply");
	json_decref(call.body);
	free(path.copy);
	rtk_admission_clear(&who);
}
