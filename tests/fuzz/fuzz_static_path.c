/*
 * fuzz_static_path.c - libFuzzer target for the web client files' sanitizer
 * (gateway/static_path.c): the routes, the percent-decoding path check, the
 * MIME table and the If-None-Match parser.
 *
 * Input: a raw request target, then optionally '\n' and an If-None-Match
 * header value. Per input:
 *  1. rtk_static_resolve() on the target (a NUL-terminated copy, as
 *     libmicrohttpd hands it over): the status is 0, 400 or 404; a refusal
 *     carries a message ending in '\n' and no path; a target the routes do
 *     not own is never served;
 *  2. a served path is what may be handed to openat2: relative, not empty,
 *     no "." or ".." or empty segment, no control byte or backslash, no
 *     segment starting with '.' (hidden), node_modules only through the
 *     /sdk/vendor/ route, and within RTK_STATIC_PATH_MAX plus the longest
 *     prefix or suffix a route adds;
 *  3. rtk_static_mime() names a type for every served path;
 *  4. rtk_static_etag_matches() on the header value against an ETag made
 *     from the input's bytes: no crash, and the ETag always matches itself,
 *     its W/ form and a list that holds it.
 *
 * Build: see tests/fuzz/run.sh (sources_for static_path).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "static_path.h"

/* The longest text a route adds to the decoded path. */
#define ROUTE_SLACK 64

static void check_path(const char *uri, const char *path)
{
	size_t len = strlen(path);
	if (len == 0 || path[0] == '/' || len > RTK_STATIC_PATH_MAX + ROUTE_SLACK)
		abort();
	for (size_t start = 0; start <= len; ) {
		const char *seg = path + start;
		size_t seg_len = strcspn(seg, "/");
		if (seg_len == 0)
			abort();                        /* empty segment, or a trailing '/' */
		if (seg[0] == '.')
			abort();                        /* ".", ".." or hidden */
		start += seg_len + 1;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)path[i];
		if (c < 0x20 || c == 0x7f || c == '\\')
			abort();
	}
	if (strncmp(path, "node_modules/", 13) == 0 && strncmp(uri, "/sdk/vendor/", 12) != 0)
		abort();
	if (strcmp(path, "node_modules") == 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t uri_len = nl ? (size_t)(nl - data) : size;
	char *uri = malloc(uri_len + 1);
	memcpy(uri, data, uri_len);
	uri[uri_len] = '\0';                    /* an embedded NUL ends it, as in MHD */

	rtk_static_target t;
	rtk_static_resolve(uri, &t);
	if (t.status != 0 && t.status != 400 && t.status != 404)
		abort();
	if (t.status != 0) {
		if (t.path != NULL || t.message == NULL || t.message[0] == '\0' ||
				t.message[strlen(t.message) - 1] != '\n')
			abort();
	} else if (t.server_info) {             /* the generated document: no file */
		if (t.path != NULL || !t.cors || !rtk_static_owns(uri))
			abort();
	} else {
		if (t.path == NULL || !rtk_static_owns(uri))
			abort();
		check_path(uri, t.path);
		if (rtk_static_mime(t.path) == NULL)
			abort();
	}
	rtk_static_target_clear(&t);

	if (nl != NULL) {
		size_t header_len = size - uri_len - 1;
		char *header = malloc(header_len + 1);
		memcpy(header, nl + 1, header_len);
		header[header_len] = '\0';
		uint64_t seed[3] = { 0, 0, 0 };
		memcpy(seed, data, uri_len < sizeof seed ? uri_len : sizeof seed);
		char etag[RTK_STATIC_ETAG_SIZE];
		rtk_static_etag(etag, seed[0], (int64_t)seed[1], seed[2]);
		(void)rtk_static_etag_matches(header, etag);
		char list[3 * RTK_STATIC_ETAG_SIZE];
		snprintf(list, sizeof list, "W/%s", etag);
		if (!rtk_static_etag_matches(etag, etag) || !rtk_static_etag_matches(list, etag))
			abort();
		snprintf(list, sizeof list, "\"x\", %s", etag);
		if (!rtk_static_etag_matches(list, etag))
			abort();
		free(header);
	}
	free(uri);
	return 0;
}
