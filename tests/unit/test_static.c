/*
 * test_static.c - the web client files' routes, path sanitizer, MIME table
 * and ETag rules (gateway/static_path.c): what each URL opens, every
 * traversal shape refused before the disk is touched (raw and escaped
 * "..", absolute paths, NUL and control bytes, backslashes, hidden and
 * node_modules paths), the Content-Type of each extension the SDK and its
 * pages use, and If-None-Match lists as browsers and proxies send them.
 */
#include <stdlib.h>
#include <string.h>

#include "static_path.h"
#include "unit.h"

/* The path a URL resolves to, or NULL when refused (its status in *status). */
static char *resolve(const char *uri, int *status, bool *cors)
{
	rtk_static_target t;
	rtk_static_resolve(uri, &t);
	*status = t.status;
	if (cors)
		*cors = t.cors;
	char *path = t.path ? strdup(t.path) : NULL;
	if (t.status != 0) {
		CHECK_NULL(t.path);
		CHECK_NOT_NULL(t.message);
		CHECK(t.message && t.message[0] && t.message[strlen(t.message) - 1] == '\n');
	}
	rtk_static_target_clear(&t);
	return path;
}

#define CHECK_SERVES(uri, expected) do { \
	int st_ = -1; \
	char *p_ = resolve(uri, &st_, NULL); \
	CHECK_EQ_INT(st_, 0); \
	CHECK_EQ_STR(p_, expected); \
	free(p_); \
} while (0)

#define CHECK_REFUSES(uri, expected_status) do { \
	int st_ = -1; \
	char *p_ = resolve(uri, &st_, NULL); \
	CHECK_EQ_INT(st_, expected_status); \
	CHECK_NULL(p_); \
	free(p_); \
} while (0)

static void test_owns(void)
{
	CHECK(rtk_static_owns("/"));
	CHECK(rtk_static_owns("/?token=abc"));
	CHECK(rtk_static_owns("/viewer"));
	CHECK(rtk_static_owns("/viewer?id=x"));
	CHECK(rtk_static_owns("/viewer/1b4e28ba-2fa1-11d2-883f-0016d3cca427"));
	CHECK(rtk_static_owns("/sdk"));
	CHECK(rtk_static_owns("/sdk/"));
	CHECK(rtk_static_owns("/sdk/rtk-core.js"));
	CHECK(rtk_static_owns("/favicon.ico"));
	/* The REST API and LL-HLS keep theirs. */
	CHECK(!rtk_static_owns("/v2/meetings"));
	CHECK(!rtk_static_owns("/accounts/a/realtime/kit/b/meetings"));
	CHECK(!rtk_static_owns("/hls/x/index.m3u8"));
	CHECK(!rtk_static_owns("/sdkx"));
	CHECK(!rtk_static_owns("/sdk%2frtk-core.js"));
	CHECK(!rtk_static_owns("/viewerx"));
	CHECK(!rtk_static_owns("//"));
	CHECK(!rtk_static_owns(""));
	CHECK(!rtk_static_owns(NULL));
}

static void test_routes(void)
{
	CHECK_SERVES("/", "demo/index.html");
	CHECK_SERVES("/?authToken=a.b.c#x", "demo/index.html");
	CHECK_SERVES("/viewer", "viewer/index.html");
	CHECK_SERVES("/viewer/", "viewer/index.html");
	CHECK_SERVES("/viewer?url=http%3A%2F%2Fh%2Fhls%2Fx%2Findex.m3u8", "viewer/index.html");
	CHECK_SERVES("/viewer/1b4e28ba-2fa1-11d2-883f-0016d3cca427", "viewer/index.html");
	CHECK_REFUSES("/viewer/a/b", 404);
	CHECK_REFUSES("/viewer/..", 404);
	CHECK_REFUSES("/viewer/a.b", 404);
	CHECK_SERVES("/sdk/rtk-core.js", "rtk-core.js");
	CHECK_SERVES("/sdk/rtk-core.js?v=2", "rtk-core.js");
	CHECK_SERVES("/sdk/types/rtk-core.d.ts", "types/rtk-core.d.ts");
	CHECK_SERVES("/sdk/demo/app.css", "demo/app.css");
	CHECK_SERVES("/sdk/", "index.html");
	CHECK_SERVES("/sdk/demo/", "demo/index.html");
	CHECK_SERVES("/sdk/viewer/viewer.js", "viewer/viewer.js");
	/* Escapes are decoded once: a doubly escaped dot is a literal "%2e". */
	CHECK_SERVES("/sdk/a%20b.js", "a b.js");
	CHECK_SERVES("/sdk/%252e%252e/x", "%2e%2e/x");
	CHECK_SERVES("/sdk/%E2%9C%93.js", "\xe2\x9c\x93.js");
	CHECK_SERVES("/sdk/a%2fb.js", "a/b.js");
	CHECK_SERVES("/sdk/a...js", "a...js");
	CHECK_SERVES("/sdk/a..b", "a..b");
	/* npm packages under /sdk/vendor/ */
	CHECK_SERVES("/sdk/vendor/hls.js/hls.min.mjs", "node_modules/hls.js/dist/hls.min.mjs");
	CHECK_SERVES("/sdk/vendor/hls.js/hls.min.mjs.map", "node_modules/hls.js/dist/hls.min.mjs.map");
	CHECK_REFUSES("/sdk/vendor/hls.js/", 404);
	CHECK_REFUSES("/sdk/vendor/hls.js/../../package.json", 400);
	CHECK_SERVES("/sdk/vendor/other.js", "vendor/other.js");
	CHECK_REFUSES("/favicon.ico", 404);
	CHECK_REFUSES("/sdk", 404);
	CHECK_REFUSES("/v2/meetings", 404);
	bool cors = false;
	int status = -1;
	free(resolve("/sdk/x.js", &status, &cors));
	CHECK(cors);
	free(resolve("/sdk/../x", &status, &cors));
	CHECK(cors);   /* errors under /sdk/ are readable cross-origin too */
	free(resolve("/", &status, &cors));
	CHECK(!cors);
	free(resolve("/viewer", &status, &cors));
	CHECK(!cors);
}

static void test_traversal(void)
{
	static const char *const bad[] = {
		"/sdk/..", "/sdk/../", "/sdk/../etc/passwd", "/sdk/a/../../etc/passwd", "/sdk/a/..",
		"/sdk/.", "/sdk/./x.js", "/sdk/a/./b",
		"/sdk/%2e%2e/etc/passwd", "/sdk/%2E%2E/etc/passwd", "/sdk/.%2e/x", "/sdk/%2e./x",
		"/sdk/a%2f..%2f..%2fetc%2fpasswd", "/sdk/%2e", "/sdk/a/%2E",
		"/sdk//etc/passwd", "/sdk/%2fetc/passwd", "/sdk/a//b", "/sdk/a%2f%2fb",
		"/sdk/x%00.js", "/sdk/%00", "/sdk/a%0a.js", "/sdk/a%0D.js", "/sdk/a%7f", "/sdk/a\x01",
		"/sdk/..%5c..%5cetc", "/sdk/a\\b", "/sdk/%5c",
		"/sdk/%", "/sdk/%2", "/sdk/a%g0", "/sdk/a%0g", "/sdk/%%32%65",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int status = -1;
		char *path = resolve(bad[i], &status, NULL);
		if (status != 400 || path != NULL)
			fprintf(stderr, "\tnot refused with 400: %s -> %d %s\n", bad[i], status, path ? path : "");
		CHECK_EQ_INT(status, 400);
		CHECK_NULL(path);
		free(path);
	}
	/* Hidden files and the npm folder: not there (404). */
	static const char *const hidden[] = {
		"/sdk/.git/config", "/sdk/.env", "/sdk/a/.hidden", "/sdk/%2egit/config",
		"/sdk/node_modules/hls.js/package.json", "/sdk/node_modules/", "/sdk/node_modules",
		"/sdk/node_modules/.rtk-package-lock.json", "/sdk/vendor/hls.js/.x", "/sdk/...js",
	};
	for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++) {
		int status = -1;
		char *path = resolve(hidden[i], &status, NULL);
		if (status != 404)
			fprintf(stderr, "\tnot refused with 404: %s -> %d\n", hidden[i], status);
		CHECK_EQ_INT(status, 404);
		CHECK_NULL(path);
		free(path);
	}
	/* Length: RTK_STATIC_PATH_MAX decoded bytes pass, one more does not. */
	char uri[5 + RTK_STATIC_PATH_MAX + 2];
	memcpy(uri, "/sdk/", 5);
	memset(uri + 5, 'a', RTK_STATIC_PATH_MAX);
	uri[5 + RTK_STATIC_PATH_MAX] = '\0';
	int status = -1;
	char *path = resolve(uri, &status, NULL);
	CHECK_EQ_INT(status, 0);
	CHECK(path && strlen(path) == RTK_STATIC_PATH_MAX);
	free(path);
	uri[5 + RTK_STATIC_PATH_MAX] = 'a';
	uri[5 + RTK_STATIC_PATH_MAX + 1] = '\0';
	path = resolve(uri, &status, NULL);
	CHECK_EQ_INT(status, 400);
	free(path);
}

static void test_mime(void)
{
	CHECK_EQ_STR(rtk_static_mime("rtk-core.js"), "text/javascript; charset=utf-8");
	CHECK_EQ_STR(rtk_static_mime("node_modules/hls.js/dist/hls.min.mjs"), "text/javascript; charset=utf-8");
	CHECK_EQ_STR(rtk_static_mime("rtk-core.d.ts"), "text/typescript; charset=utf-8");
	CHECK_EQ_STR(rtk_static_mime("x.ts"), "text/typescript; charset=utf-8");
	CHECK_EQ_STR(rtk_static_mime("demo/index.html"), "text/html; charset=utf-8");
	CHECK_EQ_STR(rtk_static_mime("DEMO/INDEX.HTML"), "text/html; charset=utf-8");
	CHECK_EQ_STR(rtk_static_mime("demo/app.css"), "text/css; charset=utf-8");
	CHECK_EQ_STR(rtk_static_mime("logo.svg"), "image/svg+xml");
	CHECK_EQ_STR(rtk_static_mime("package.json"), "application/json");
	CHECK_EQ_STR(rtk_static_mime("hls.min.mjs.map"), "application/json");
	CHECK_EQ_STR(rtk_static_mime("icon.png"), "image/png");
	CHECK_EQ_STR(rtk_static_mime("README"), "application/octet-stream");
	CHECK_EQ_STR(rtk_static_mime("a.js.bak"), "application/octet-stream");
	CHECK_EQ_STR(rtk_static_mime("dir/.js"), "application/octet-stream");
	CHECK_EQ_STR(rtk_static_mime(""), "application/octet-stream");
	CHECK_EQ_STR(rtk_static_mime(NULL), "application/octet-stream");
}

static void test_etag(void)
{
	char a[RTK_STATIC_ETAG_SIZE], b[RTK_STATIC_ETAG_SIZE], big[RTK_STATIC_ETAG_SIZE];
	rtk_static_etag(a, 1234, 1700000000123456789LL, 42);
	rtk_static_etag(b, 1234, 1700000000123456790LL, 42);
	rtk_static_etag(big, UINT64_MAX, INT64_MAX, UINT64_MAX);
	CHECK(a[0] == '"' && a[strlen(a) - 1] == '"');
	CHECK(strcmp(a, b) != 0);       /* a touch of a nanosecond is a new version */
	CHECK(big[strlen(big) - 1] == '"');
	CHECK(rtk_static_etag_matches(a, a));
	CHECK(!rtk_static_etag_matches(b, a));
	char list[3 * RTK_STATIC_ETAG_SIZE];
	snprintf(list, sizeof list, "%s, %s", b, a);
	CHECK(rtk_static_etag_matches(list, a));
	snprintf(list, sizeof list, "W/%s", a);
	CHECK(rtk_static_etag_matches(list, a));      /* weak comparison */
	snprintf(list, sizeof list, " ,%s ,", a);
	CHECK(rtk_static_etag_matches(list, a));
	CHECK(rtk_static_etag_matches("*", a));
	CHECK(rtk_static_etag_matches(" * ", a));
	CHECK(!rtk_static_etag_matches("*, \"x\"", a));
	CHECK(!rtk_static_etag_matches("", a));
	CHECK(!rtk_static_etag_matches(NULL, a));
	CHECK(!rtk_static_etag_matches("\"unterminated", a));
	snprintf(list, sizeof list, "%s junk", a);
	CHECK(!rtk_static_etag_matches(list, a));     /* malformed: no match, a full answer */
	/* The tag without its quotes is not the tag. */
	snprintf(list, sizeof list, "%.*s", (int)strlen(a) - 2, a + 1);
	CHECK(!rtk_static_etag_matches(list, a));
}

/* /sdk/server.json is the one generated document: no file is opened for
 * it, whatever the query or escaping; the same name deeper down is a file. */
static void test_server_info(void)
{
	static const char *const same[] = { "/sdk/server.json", "/sdk/server.json?v=1", "/sdk/%73erver.json" };
	for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
		rtk_static_target t;
		rtk_static_resolve(same[i], &t);
		CHECK_EQ_INT(t.status, 0);
		CHECK(t.server_info);
		CHECK(t.cors);
		CHECK_NULL(t.path);
		rtk_static_target_clear(&t);
	}
	rtk_static_target t;
	rtk_static_resolve("/sdk/demo/server.json", &t);
	CHECK(!t.server_info);
	CHECK_EQ_STR(t.path, "demo/server.json");
	rtk_static_target_clear(&t);
	rtk_static_resolve("/sdk/server.json/", &t);
	CHECK(!t.server_info);
	rtk_static_target_clear(&t);
}

int main(void)
{
	UNIT_RUN(test_owns);
	UNIT_RUN(test_routes);
	UNIT_RUN(test_traversal);
	UNIT_RUN(test_mime);
	UNIT_RUN(test_etag);
	UNIT_RUN(test_server_info);
	return UNIT_DONE();
}
