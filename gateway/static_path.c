/*
 * static_path.c - the routes, path sanitizer, MIME table and ETag rules of
 * the web client files (see static_path.h for what is refused and why).
 *
 * The sanitizer works on the raw request target (http.c keeps it as
 * received): it decodes percent escapes exactly once, then judges the
 * decoded segments, so "%2e%2e", "%2f" and ".%2e" meet the same checks as
 * their plain forms, and a doubly escaped "%252e" stays the literal file
 * name "%2e". Nothing here allocates but the result path.
 */
#include "static_path.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The npm packages the gateway serves, by the name under /sdk/vendor/, and
 * the folder of the web directory holding their files (./rtk installs them
 * with `npm ci --prefix <web dir>`, sdk/package.json). */
static const struct {
	const char *name;
	const char *dir;
} rtk_static_vendor[] = {
	{ "hls.js", "node_modules/hls.js/dist" },
};

static const struct {
	const char *ext;        /* with its dot; matched at the end of the name */
	const char *type;
} rtk_static_types[] = {
	/* .d.ts before .ts would not matter (same type), but keep the longest
	 * suffixes first so the table reads in matching order. */
	{ ".d.ts", "text/typescript; charset=utf-8" },
	{ ".ts", "text/typescript; charset=utf-8" },
	{ ".mjs", "text/javascript; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".html", "text/html; charset=utf-8" },
	{ ".htm", "text/html; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".svg", "image/svg+xml" },
	{ ".json", "application/json" },
	{ ".map", "application/json" },
	{ ".png", "image/png" },
	{ ".jpg", "image/jpeg" },
	{ ".jpeg", "image/jpeg" },
	{ ".webp", "image/webp" },
	{ ".gif", "image/gif" },
	{ ".ico", "image/x-icon" },
	{ ".woff2", "font/woff2" },
	{ ".woff", "font/woff" },
	{ ".wasm", "application/wasm" },
	{ ".txt", "text/plain; charset=utf-8" },
	{ ".md", "text/markdown; charset=utf-8" },
};

/* The end of the path part of a raw target: its query or fragment. */
static size_t rtk_static_path_len(const char *uri)
{
	return strcspn(uri, "?#");
}

static bool rtk_static_is(const char *uri, size_t len, const char *path)
{
	return len == strlen(path) && strncmp(uri, path, len) == 0;
}

static bool rtk_static_has_prefix(const char *uri, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	return len >= n && strncmp(uri, prefix, n) == 0;
}

bool rtk_static_owns(const char *uri)
{
	if (uri == NULL)
		return false;
	size_t len = rtk_static_path_len(uri);
	return rtk_static_is(uri, len, "/") || rtk_static_is(uri, len, "/viewer") ||
		rtk_static_has_prefix(uri, len, "/viewer/") || rtk_static_is(uri, len, "/sdk") ||
		rtk_static_has_prefix(uri, len, "/sdk/") || rtk_static_is(uri, len, "/favicon.ico");
}

void rtk_static_target_clear(rtk_static_target *t)
{
	if (t == NULL)
		return;
	free(t->path);
	t->path = NULL;
}

static void rtk_static_refuse(rtk_static_target *out, int status, const char *message)
{
	free(out->path);
	out->path = NULL;
	out->status = status;
	out->message = message;
}

static bool rtk_static_serve_path(rtk_static_target *out, const char *path)
{
	out->path = strdup(path);
	if (out->path == NULL) {
		rtk_static_refuse(out, 404, "out of memory\n");
		return false;
	}
	out->status = 0;
	out->message = NULL;
	return true;
}

static int rtk_static_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes raw[0..len) into out (RTK_STATIC_PATH_MAX + 1 bytes);
 * NULL on success, else the refusal's message (400). */
static const char *rtk_static_decode(const char *raw, size_t len, char *out, size_t *out_len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)raw[i];
		if (c == '%') {
			if (len - i < 3)
				return "a percent escape is cut short\n";
			int hi = rtk_static_hex(raw[i + 1]);
			int lo = rtk_static_hex(raw[i + 2]);
			if (hi < 0 || lo < 0)
				return "a percent escape is not two hexadecimal digits\n";
			c = (unsigned char)(hi * 16 + lo);
			i += 2;
		}
		if (c < 0x20 || c == 0x7f)
			return "control characters (NUL included) are not allowed in paths\n";
		if (c == '\\')
			return "backslashes are not allowed in paths\n";
		if (n >= RTK_STATIC_PATH_MAX)
			return "the path is too long\n";
		out[n++] = (char)c;
	}
	out[n] = '\0';
	*out_len = n;
	return NULL;
}

/* Judges the decoded path below /sdk/ and fills *out (status 0, 400 or 404). */
static void rtk_static_resolve_sdk(const char *path, size_t len, rtk_static_target *out)
{
	/* Every segment but a final empty one (a directory) must be a name. */
	size_t segments = 0;
	const char *first_end = NULL;
	for (size_t start = 0; start < len; ) {
		const char *seg = path + start;
		const char *slash = memchr(seg, '/', len - start);
		size_t seg_len = slash ? (size_t)(slash - seg) : len - start;
		if (seg_len == 0) {
			rtk_static_refuse(out, 400, "empty segments ('//') are not allowed in paths\n");
			return;
		}
		if ((seg_len == 1 && seg[0] == '.') || (seg_len == 2 && seg[0] == '.' && seg[1] == '.')) {
			rtk_static_refuse(out, 400, "'.' and '..' are not allowed in paths\n");
			return;
		}
		if (seg[0] == '.') {
			rtk_static_refuse(out, 404, "no such file\n");
			return;
		}
		if (segments == 0)
			first_end = seg + seg_len;
		segments++;
		start += seg_len + 1;
	}
	bool directory = len == 0 || path[len - 1] == '/';
	if (segments > 0 && (size_t)(first_end - path) == strlen("node_modules") &&
			strncmp(path, "node_modules", strlen("node_modules")) == 0) {
		rtk_static_refuse(out, 404, "no such file\n");
		return;
	}
	/* /sdk/vendor/<package>/<file>: a served npm package. */
	static const char vendor[] = "vendor/";
	if (len > strlen(vendor) && strncmp(path, vendor, strlen(vendor)) == 0) {
		const char *name = path + strlen(vendor);
		for (size_t i = 0; i < sizeof rtk_static_vendor / sizeof rtk_static_vendor[0]; i++) {
			size_t n = strlen(rtk_static_vendor[i].name);
			if (strncmp(name, rtk_static_vendor[i].name, n) != 0 || name[n] != '/')
				continue;
			const char *file = name + n + 1;
			if (*file == '\0' || directory) {
				rtk_static_refuse(out, 404, "no such file\n");
				return;
			}
			size_t dir_len = strlen(rtk_static_vendor[i].dir);
			size_t file_len = strlen(file);
			out->path = malloc(dir_len + 1 + file_len + 1);
			if (out->path == NULL) {
				rtk_static_refuse(out, 404, "out of memory\n");
				return;
			}
			memcpy(out->path, rtk_static_vendor[i].dir, dir_len);
			out->path[dir_len] = '/';
			memcpy(out->path + dir_len + 1, file, file_len + 1);
			out->status = 0;
			return;
		}
	}
	if (!directory) {
		rtk_static_serve_path(out, path);
		return;
	}
	static const char index[] = "index.html";
	out->path = malloc(len + sizeof index);
	if (out->path == NULL) {
		rtk_static_refuse(out, 404, "out of memory\n");
		return;
	}
	memcpy(out->path, path, len);
	memcpy(out->path + len, index, sizeof index);
	out->status = 0;
}

/* A livestream id in /viewer/<id>: letters, digits and '-' (a UUID). */
static bool rtk_static_viewer_id(const char *id, size_t len)
{
	if (len == 0 || len > 64)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = id[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-'))
			return false;
	}
	return true;
}

void rtk_static_resolve(const char *uri, rtk_static_target *out)
{
	*out = (rtk_static_target) { .status = 404, .message = "no such file\n" };
	if (uri == NULL)
		return;
	size_t len = rtk_static_path_len(uri);
	if (rtk_static_is(uri, len, "/")) {
		out->page = true;
		rtk_static_serve_path(out, "demo/index.html");
		return;
	}
	if (rtk_static_is(uri, len, "/viewer") || rtk_static_is(uri, len, "/viewer/") ||
			(rtk_static_has_prefix(uri, len, "/viewer/") &&
			 rtk_static_viewer_id(uri + strlen("/viewer/"), len - strlen("/viewer/")))) {
		out->page = true;
		rtk_static_serve_path(out, "viewer/index.html");
		return;
	}
	if (rtk_static_is(uri, len, "/favicon.ico")) {
		out->message = "no favicon here\n";
		return;
	}
	if (!rtk_static_has_prefix(uri, len, "/sdk/")) {
		if (rtk_static_is(uri, len, "/sdk"))
			out->message = "no such file; the SDK's files are under /sdk/\n";
		return;
	}
	out->cors = true;
	char decoded[RTK_STATIC_PATH_MAX + 1];
	size_t decoded_len = 0;
	const char *bad = rtk_static_decode(uri + strlen("/sdk/"), len - strlen("/sdk/"), decoded,
		&decoded_len);
	if (bad != NULL) {
		rtk_static_refuse(out, 400, bad);
		return;
	}
	static const char server_info[] = "server.json";
	if (decoded_len == strlen(server_info) && memcmp(decoded, server_info, decoded_len) == 0) {
		out->server_info = true;
		out->status = 0;
		out->message = NULL;
		return;
	}
	rtk_static_resolve_sdk(decoded, decoded_len, out);
}

const char *rtk_static_mime(const char *path)
{
	size_t len = path ? strlen(path) : 0;
	for (size_t i = 0; i < sizeof rtk_static_types / sizeof rtk_static_types[0]; i++) {
		size_t n = strlen(rtk_static_types[i].ext);
		if (len > n && path[len - n - 1] != '/' && strcasecmp(path + len - n, rtk_static_types[i].ext) == 0)
			return rtk_static_types[i].type;
	}
	return "application/octet-stream";
}

void rtk_static_etag(char out[RTK_STATIC_ETAG_SIZE], uint64_t size, int64_t mtime_ns, uint64_t inode)
{
	snprintf(out, RTK_STATIC_ETAG_SIZE, "\"%" PRIx64 "-%" PRIx64 "-%" PRIx64 "\"", size,
		(uint64_t)mtime_ns, inode);
}

static const char *rtk_static_skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

bool rtk_static_etag_matches(const char *header, const char *etag)
{
	if (header == NULL || etag == NULL)
		return false;
	const char *p = rtk_static_skip_ows(header);
	if (*p == '*')
		return *rtk_static_skip_ows(p + 1) == '\0';
	/* Our own tag, without a W/ prefix. */
	if (strncmp(etag, "W/", 2) == 0)
		etag += 2;
	size_t etag_len = strlen(etag);
	bool matched = false;
	for (;;) {
		p = rtk_static_skip_ows(p);
		if (*p == ',') {        /* empty list elements are allowed (RFC 9110, 5.6.1) */
			p++;
			continue;
		}
		if (*p == '\0')
			return matched;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		if (*p != '"')
			return false;
		const char *start = p++;
		while (*p != '"') {
			unsigned char c = (unsigned char)*p;
			if (c == '\0' || c < 0x21 || c == 0x7f)
				return false;
			p++;
		}
		p++;                    /* the closing quote */
		if ((size_t)(p - start) == etag_len && memcmp(start, etag, etag_len) == 0)
			matched = true;
		p = rtk_static_skip_ows(p);
		if (*p != ',' && *p != '\0')
			return false;
	}
}
