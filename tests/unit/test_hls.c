/*
 * test_hls.c - unit tests of the LL-HLS playlist model (hls/hls.c) and
 * of its serving over a real libmicrohttpd daemon (hls/hls_http.c via
 * rtk_http_start() on 127.0.0.1).
 *
 * The model is driven like the plugin drives it: parts and segments are
 * announced for files written into a temporary directory. Clocks are
 * injected (rtk_hls_set_clock), so deadlines and viewer windows are tested
 * without sleeping; only the HTTP test runs on real time. Playlists are
 * checked as exact text where they are short and by their pieces (tags,
 * attribute values, which URIs are listed and which are not) where long.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "hls.h"
#include "http.h"
#include "rest.h"
#include "unit.h"

#define ID "4f1c2f2e-8a3b-4c55-9d6e-0123456789ab"
#define WALL0 (INT64_C(1704067200) * G_USEC_PER_SEC)   /* 2024-01-01T00:00:00Z */
#define PART_S 0.5
#define HEADER \
	"#EXTM3U\n" \
	"#EXT-X-VERSION:9\n" \
	"#EXT-X-TARGETDURATION:2\n" \
	"#EXT-X-MEDIA-SEQUENCE:0\n" \
	"#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.500,CAN-SKIP-UNTIL=12.000\n" \
	"#EXT-X-PART-INF:PART-TARGET=0.500\n" \
	"#EXT-X-MAP:URI=\"init.mp4\"\n"

static char *dir;
static int64_t fake_mono = INT64_C(1000) * G_USEC_PER_SEC;
static int64_t fake_wall = WALL0;

/* ---- clock, files, wake counting ---- */

static int64_t mono_clock(void *data)
{
	return __atomic_load_n(&fake_mono, __ATOMIC_SEQ_CST);
}

static int64_t wall_clock(void *data)
{
	return __atomic_load_n(&fake_wall, __ATOMIC_SEQ_CST);
}

/* Moves both clocks on by `seconds`. */
static void advance(double seconds)
{
	int64_t us = (int64_t)(seconds * G_USEC_PER_SEC);
	__atomic_add_fetch(&fake_mono, us, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&fake_wall, us, __ATOMIC_SEQ_CST);
}

static rtk_hls *new_hls(void)
{
	rtk_hls *hls = rtk_hls_new();
	CHECK_NOT_NULL(hls);
	rtk_hls_set_clock(hls, mono_clock, wall_clock, NULL);
	return hls;
}

static char *file_path(const char *name)
{
	return g_build_filename(dir, name, NULL);
}

static bool file_exists(const char *name)
{
	char *path = file_path(name);
	bool ok = g_file_test(path, G_FILE_TEST_EXISTS);
	g_free(path);
	return ok;
}

static void write_file(const char *name, const char *content)
{
	char *path = file_path(name);
	CHECK(g_file_set_contents(path, content, -1, NULL));
	g_free(path);
}

/* Writes seg<msn>.<part>.m4s, moves the clocks on by its duration (it was
 * being recorded meanwhile), announces it. */
static void part(rtk_hls *hls, int64_t msn, int p)
{
	char name[64], content[64];
	snprintf(name, sizeof name, "seg%" PRId64 ".%d.m4s", msn, p);
	snprintf(content, sizeof content, "part %" PRId64 ".%d", msn, p);
	write_file(name, content);
	advance(PART_S);
	rtk_hls_stream_part(hls, ID, msn, p, PART_S, p == 0);
}

static void segment(rtk_hls *hls, int64_t msn, double duration)
{
	char name[64];
	snprintf(name, sizeof name, "seg%" PRId64 ".m4s", msn);
	write_file(name, "segment");
	rtk_hls_stream_segment(hls, ID, msn, duration);
}

/* Segments from..to-1 complete, four 0.5 s parts each. */
static void feed(rtk_hls *hls, int64_t from, int64_t to)
{
	for (int64_t msn = from; msn < to; msn++) {
		for (int p = 0; p < 4; p++)
			part(hls, msn, p);
		segment(hls, msn, 4 * PART_S);
	}
}

static void clean_dir(void)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;
	while (d && (name = g_dir_read_name(d)) != NULL) {
		char *path = file_path(name);
		g_unlink(path);
		g_free(path);
	}
	if (d)
		g_dir_close(d);
}

/* A fresh stream ID in an empty directory; the wall clock restarts at
 * WALL0 so PROGRAM-DATE-TIMEs are predictable. */
static rtk_hls *open_stream(void)
{
	clean_dir();
	__atomic_store_n(&fake_wall, WALL0, __ATOMIC_SEQ_CST);
	rtk_hls *hls = new_hls();
	CHECK_EQ_INT(rtk_hls_stream_open(hls, ID, dir, PART_S, 2.0), 0);
	write_file("init.mp4", "init");
	return hls;
}

typedef struct waker {
	int count;
} waker;

static void on_wake(void *data)
{
	waker *w = data;
	__atomic_add_fetch(&w->count, 1, __ATOMIC_SEQ_CST);
}

static int wakes(waker *w)
{
	return __atomic_load_n(&w->count, __ATOMIC_SEQ_CST);
}

/* One request as http.c would make it; *req keeps its deadline. */
static rtk_hls_outcome ask(rtk_hls *hls, rtk_hls_request *req, waker *w, rtk_hls_reply *reply)
{
	return rtk_hls_handle(hls, req, on_wake, w, reply);
}

static rtk_hls_request playlist_req(const char *query)
{
	return (rtk_hls_request) { .path = "/hls/" ID "/index.m3u8", .query = query };
}

#define CHECK_HAS(text, piece) do { \
	const char *t_ = (text); \
	CHECK(t_ != NULL && strstr(t_, (piece)) != NULL); \
	if (t_ == NULL || strstr(t_, (piece)) == NULL) \
		fprintf(stderr, "\tmissing: %s\n\tin:\n%s\n", (piece), t_ ? t_ : "(null)"); \
} while (0)

#define CHECK_HAS_NOT(text, piece) do { \
	const char *t_ = (text); \
	CHECK(t_ != NULL && strstr(t_, (piece)) == NULL); \
	if (t_ != NULL && strstr(t_, (piece)) != NULL) \
		fprintf(stderr, "\tunexpected: %s\n\tin:\n%s\n", (piece), t_); \
} while (0)

/* ---- parsers ---- */

static void check_query(const char *query, int rc, bool has_msn, int64_t msn, bool has_part, int p,
	rtk_hls_skip skip, const char *error)
{
	rtk_hls_query q;
	const char *err = "unset";
	int got = rtk_hls_parse_query(query, &q, &err);
	CHECK_EQ_INT(got, rc);
	CHECK_EQ_STR(err, error);
	if (got != rc || (err == NULL) != (error == NULL))
		fprintf(stderr, "\tquery: %s\n", query ? query : "(null)");
	CHECK_EQ_INT(q.has_msn, has_msn);
	CHECK_EQ_INT(q.msn, msn);
	CHECK_EQ_INT(q.has_part, has_part);
	CHECK_EQ_INT(q.part, p);
	CHECK_EQ_INT(q.skip, skip);
}

static void test_parse_query(void)
{
	static const char msn_bad[] = "_HLS_msn must be a non-negative integer";
	static const char part_bad[] = "_HLS_part must be a non-negative integer";
	check_query(NULL, 0, false, 0, false, 0, RTK_HLS_SKIP_NO, NULL);
	check_query("", 0, false, 0, false, 0, RTK_HLS_SKIP_NO, NULL);
	check_query("_HLS_msn=5", 0, true, 5, false, 0, RTK_HLS_SKIP_NO, NULL);
	check_query("_HLS_msn=5&_HLS_part=2&_HLS_skip=YES", 0, true, 5, true, 2, RTK_HLS_SKIP_YES, NULL);
	check_query("_HLS_skip=v2", 0, false, 0, false, 0, RTK_HLS_SKIP_V2, NULL);
	check_query("foo=bar&&_HLS_msn=007&x&_hls_msn=3", 0, true, 7, false, 0, RTK_HLS_SKIP_NO, NULL);
	check_query("_HLS_msn=0&_HLS_part=0", 0, true, 0, true, 0, RTK_HLS_SKIP_NO, NULL);
	check_query("_HLS_msn=9223372036854775807", 0, true, INT64_MAX, false, 0, RTK_HLS_SKIP_NO, NULL);
	check_query("_HLS_msn=1&_HLS_part=2147483647", 0, true, 1, true, 2147483647, RTK_HLS_SKIP_NO, NULL);
	/* 400s */
	check_query("_HLS_part=1", -1, false, 0, false, 0, RTK_HLS_SKIP_NO, "_HLS_part requires _HLS_msn");
	check_query("_HLS_part=1&_HLS_skip=YES", -1, false, 0, false, 0, RTK_HLS_SKIP_NO,
		"_HLS_part requires _HLS_msn");
	const char *bad_msn[] = { "_HLS_msn=abc", "_HLS_msn=-1", "_HLS_msn=", "_HLS_msn", "_HLS_msn=+1",
		"_HLS_msn=1.5", "_HLS_msn=1e3", "_HLS_msn=%31", "_HLS_msn= 1", "_HLS_msn=0x10",
		"_HLS_msn=9223372036854775808", "_HLS_msn=99999999999999999999999" };
	for (size_t i = 0; i < G_N_ELEMENTS(bad_msn); i++)
		check_query(bad_msn[i], -1, false, 0, false, 0, RTK_HLS_SKIP_NO, msn_bad);
	check_query("_HLS_msn=1&_HLS_part=2147483648", -1, false, 0, false, 0, RTK_HLS_SKIP_NO, part_bad);
	check_query("_HLS_msn=1&_HLS_part=-2", -1, false, 0, false, 0, RTK_HLS_SKIP_NO, part_bad);
	check_query("_HLS_msn=1&_HLS_part=", -1, false, 0, false, 0, RTK_HLS_SKIP_NO, part_bad);
	check_query("_HLS_msn=1&_HLS_msn=2", -1, false, 0, false, 0, RTK_HLS_SKIP_NO, "_HLS_msn is given twice");
	check_query("_HLS_msn=1&_HLS_part=1&_HLS_part=1", -1, false, 0, false, 0, RTK_HLS_SKIP_NO,
		"_HLS_part is given twice");
	check_query("_HLS_skip=YES&_HLS_skip=YES", -1, false, 0, false, 0, RTK_HLS_SKIP_NO,
		"_HLS_skip is given twice");
	check_query("_HLS_skip=NO", -1, false, 0, false, 0, RTK_HLS_SKIP_NO, "_HLS_skip must be YES or v2");
	check_query("_HLS_skip=yes", -1, false, 0, false, 0, RTK_HLS_SKIP_NO, "_HLS_skip must be YES or v2");
}

static void check_path(const char *path, int rc, const char *id, rtk_hls_resource res, int64_t msn, int p)
{
	rtk_hls_target t;
	int got = rtk_hls_parse_path(path, &t);
	CHECK_EQ_INT(got, rc);
	if (got != rc)
		fprintf(stderr, "\tpath: %s\n", path);
	if (rc != 0 || got != 0)
		return;
	CHECK_EQ_STR(t.stream_id, id);
	CHECK_EQ_INT(t.resource, res);
	CHECK_EQ_INT(t.msn, msn);
	CHECK_EQ_INT(t.part, p);
}

static void test_parse_path(void)
{
	check_path("/hls/" ID "/index.m3u8", 0, ID, RTK_HLS_RES_PLAYLIST, 0, 0);
	check_path("/hls/abc_D-9/init.mp4", 0, "abc_D-9", RTK_HLS_RES_INIT, 0, 0);
	check_path("/hls/a/seg0.m4s", 0, "a", RTK_HLS_RES_SEGMENT, 0, 0);
	check_path("/hls/a/seg12.m4s", 0, "a", RTK_HLS_RES_SEGMENT, 12, 0);
	check_path("/hls/a/seg12.3.m4s", 0, "a", RTK_HLS_RES_PART, 12, 3);
	check_path("/hls/" ID "/master.m3u8", 0, ID, RTK_HLS_RES_MULTIVARIANT, 0, 0);
	check_path("/hls/a/seg9223372036854775807.2147483647.m4s", 0, "a", RTK_HLS_RES_PART, INT64_MAX, INT_MAX);
	char long_id[RTK_HLS_ID_MAX + 2];
	memset(long_id, 'x', sizeof long_id - 1);
	long_id[sizeof long_id - 1] = '\0';
	char *too_long = g_strdup_printf("/hls/%s/index.m3u8", long_id);
	long_id[RTK_HLS_ID_MAX] = '\0';
	char *just_fits = g_strdup_printf("/hls/%s/index.m3u8", long_id);
	check_path(just_fits, 0, long_id, RTK_HLS_RES_PLAYLIST, 0, 0);
	const char *bad[] = { too_long, NULL, "", "/", "/hls/", "/hls//index.m3u8", "/hls/a", "/hls/a/",
		"/hlsx/a/index.m3u8", "/HLS/a/index.m3u8", "hls/a/index.m3u8", "/hls/../index.m3u8",
		"/hls/a/../index.m3u8", "/hls/a/../../etc/passwd", "/hls/..%2f/index.m3u8", "/hls/a%2e/index.m3u8",
		"/hls/a.b/index.m3u8", "/hls/a/index.m3u8/", "/hls/a/index.m3u8x", "/hls/a/b/index.m3u8",
		"/hls/a/seg.m4s", "/hls/a/seg01.m4s", "/hls/a/seg1.01.m4s", "/hls/a/seg-1.m4s", "/hls/a/seg1..m4s",
		"/hls/a/seg1.2.3.m4s", "/hls/a/seg1.m4", "/hls/a/seg1.mp4", "/hls/a/seg.1.m4s", "/hls/a/seg1.m4s.tmp",
		"/hls/a/seg99999999999999999999.m4s", "/hls/a/seg1.2147483648.m4s", "/hls/a/init.mp4.tmp",
		"/hls/a/rtk.sqlite3", "/hls/a/master.m3u8x", "/hls/a/b/master.m3u8", "/hls/a/seg1.+2.m4s", "/hls/a b/index.m3u8" };
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		rtk_hls_target t;
		int rc = rtk_hls_parse_path(bad[i], &t);
		CHECK_EQ_INT(rc, -1);
		if (rc != -1)
			fprintf(stderr, "\taccepted: %s\n", bad[i]);
	}
	g_free(too_long);
	g_free(just_fits);
}

/* ---- playlists ---- */

static void test_playlist_text(void)
{
	rtk_hls *hls = open_stream();
	char *text = rtk_hls_playlist(hls, ID, false);
	CHECK_EQ_STR(text, HEADER "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"seg0.0.m4s\"\n");
	free(text);

	feed(hls, 0, 1);
	part(hls, 1, 0);
	part(hls, 1, 1);
	text = rtk_hls_playlist(hls, ID, false);
	CHECK_EQ_STR(text, HEADER
		"#EXT-X-PROGRAM-DATE-TIME:2024-01-01T00:00:00.000Z\n"
		"#EXT-X-PART:DURATION=0.500,URI=\"seg0.0.m4s\",INDEPENDENT=YES\n"
		"#EXT-X-PART:DURATION=0.500,URI=\"seg0.1.m4s\"\n"
		"#EXT-X-PART:DURATION=0.500,URI=\"seg0.2.m4s\"\n"
		"#EXT-X-PART:DURATION=0.500,URI=\"seg0.3.m4s\"\n"
		"#EXTINF:2.000,\n"
		"seg0.m4s\n"
		"#EXT-X-PROGRAM-DATE-TIME:2024-01-01T00:00:02.000Z\n"
		"#EXT-X-PART:DURATION=0.500,URI=\"seg1.0.m4s\",INDEPENDENT=YES\n"
		"#EXT-X-PART:DURATION=0.500,URI=\"seg1.1.m4s\"\n"
		"#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"seg1.2.m4s\"\n");
	free(text);

	/* A complete last segment hints part 0 of the next one. */
	part(hls, 1, 2);
	part(hls, 1, 3);
	segment(hls, 1, 2.0);
	text = rtk_hls_playlist(hls, ID, false);
	CHECK_HAS(text, "#EXTINF:2.000,\nseg1.m4s\n#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"seg2.0.m4s\"\n");
	free(text);

	/* End: ENDLIST, no hint; the unfinished segment 2 goes, with its file. */
	part(hls, 2, 0);
	CHECK(file_exists("seg2.0.m4s"));
	rtk_hls_stream_end(hls, ID);
	text = rtk_hls_playlist(hls, ID, false);
	CHECK_HAS(text, "seg1.m4s\n#EXT-X-ENDLIST\n");
	CHECK_HAS_NOT(text, "PRELOAD-HINT");
	CHECK_HAS_NOT(text, "seg2.0.m4s");
	CHECK(!file_exists("seg2.0.m4s"));
	free(text);
	/* Announcements after the end change nothing. */
	rtk_hls_stream_part(hls, ID, 2, 0, PART_S, true);
	char *again = rtk_hls_playlist(hls, ID, false);
	CHECK_HAS_NOT(again, "seg2.0.m4s");
	free(again);

	CHECK_NULL(rtk_hls_playlist(hls, "no-such-stream", false));
	rtk_hls_free(hls);
}

static void test_open_validation(void)
{
	rtk_hls *hls = new_hls();
	CHECK_EQ_INT(rtk_hls_stream_open(hls, "", dir, 0.5, 2.0), -1);
	CHECK_EQ_INT(rtk_hls_stream_open(hls, NULL, dir, 0.5, 2.0), -1);
	CHECK_EQ_INT(rtk_hls_stream_open(hls, "../x", dir, 0.5, 2.0), -1);
	CHECK_EQ_INT(rtk_hls_stream_open(hls, "a/b", dir, 0.5, 2.0), -1);
	CHECK_EQ_INT(rtk_hls_stream_open(hls, "ok", NULL, 0.5, 2.0), -1);
	CHECK_EQ_INT(rtk_hls_stream_open(hls, "ok", dir, 0, 2.0), -1);
	CHECK_EQ_INT(rtk_hls_stream_open(hls, "ok", dir, 0.5, 0.2), -1);
	CHECK_EQ_INT(rtk_hls_stream_open(hls, "ok", dir, 0.5, INFINITY), -1);
	CHECK_EQ_INT(rtk_hls_stream_open(hls, "ok", dir, NAN, 2.0), -1);
	CHECK_EQ_INT(rtk_hls_stream_open(hls, "ok", dir, 0.2, 2.0), 0);
	char *text = rtk_hls_playlist(hls, "ok", false);
	CHECK_HAS(text, "PART-HOLD-BACK=0.600,");
	CHECK_HAS(text, "#EXT-X-PART-INF:PART-TARGET=0.200\n");
	free(text);
	rtk_hls_free(hls);
}

static void test_target_duration(void)
{
	rtk_hls *hls = open_stream();
	segment(hls, 0, 2.0004);   /* encoder rounding: still a 2 s segment */
	char *text = rtk_hls_playlist(hls, ID, false);
	CHECK_HAS(text, "#EXT-X-TARGETDURATION:2\n");
	CHECK_HAS(text, "#EXTINF:2.000,\nseg0.m4s\n");
	free(text);
	segment(hls, 1, 2.6);      /* a long GOP: the target grows and stays */
	segment(hls, 2, 1.9);
	text = rtk_hls_playlist(hls, ID, false);
	CHECK_HAS(text, "#EXT-X-TARGETDURATION:3\n");
	CHECK_HAS(text, "CAN-SKIP-UNTIL=18.000\n");
	CHECK_HAS(text, "#EXTINF:2.600,\nseg1.m4s\n");
	free(text);
	rtk_hls_free(hls);
}

static void test_out_of_order(void)
{
	rtk_hls *hls = open_stream();
	rtk_hls_stream_part(hls, ID, 0, 1, PART_S, false);      /* part 1 before part 0 */
	char *text = rtk_hls_playlist(hls, ID, false);
	CHECK_HAS_NOT(text, "seg0.1.m4s");
	CHECK_HAS(text, "URI=\"seg0.0.m4s\"\n");
	free(text);
	part(hls, 0, 0);
	part(hls, 0, 0);                                         /* twice */
	rtk_hls_stream_part(hls, ID, 2, 0, PART_S, true);        /* skips segment 1 */
	rtk_hls_stream_part(hls, ID, 0, 1, -1, false);           /* bad duration */
	rtk_hls_stream_part(hls, ID, -1, 0, PART_S, false);
	text = rtk_hls_playlist(hls, ID, false);
	CHECK_HAS(text, "URI=\"seg0.0.m4s\",INDEPENDENT=YES\n#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"seg0.1.m4s\"\n");
	CHECK_HAS_NOT(text, "seg2.0");
	free(text);
	/* A part of the next segment completes one never announced complete. */
	part(hls, 0, 1);
	part(hls, 1, 0);
	text = rtk_hls_playlist(hls, ID, false);
	CHECK_HAS(text, "#EXTINF:1.000,\nseg0.m4s\n");
	free(text);
	/* Reopening replaces the stream. */
	CHECK_EQ_INT(rtk_hls_stream_open(hls, ID, dir, PART_S, 2.0), 0);
	text = rtk_hls_playlist(hls, ID, false);
	CHECK_EQ_STR(text, HEADER "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"seg0.0.m4s\"\n");
	free(text);
	rtk_hls_free(hls);
}

/* 25 complete segments and one part of the 26th: the window, the part
 * window, the files on disk, delta updates. */
static void test_window_and_files(void)
{
	rtk_hls *hls = open_stream();
	feed(hls, 0, 25);
	part(hls, 25, 0);
	char *text = rtk_hls_playlist(hls, ID, false);
	CHECK_HAS(text, "#EXT-X-MEDIA-SEQUENCE:15\n");
	CHECK_HAS(text, "#EXT-X-MAP:URI=\"init.mp4\"\n#EXT-X-PROGRAM-DATE-TIME:");
	CHECK_HAS(text, "#EXTINF:2.000,\nseg15.m4s\n");
	CHECK_HAS_NOT(text, "seg14.m4s");
	/* Parts: the segments starting within 3 x 2 s of the end (23, 24, 25). */
	CHECK_HAS_NOT(text, "seg22.3.m4s");
	CHECK_HAS(text, "#EXTINF:2.000,\nseg22.m4s\n#EXT-X-PROGRAM-DATE-TIME:2024-01-01T00:00:46.000Z\n"
		"#EXT-X-PART:DURATION=0.500,URI=\"seg23.0.m4s\",INDEPENDENT=YES\n");
	CHECK_HAS(text, "URI=\"seg25.0.m4s\",INDEPENDENT=YES\n#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"seg25.1.m4s\"\n");
	free(text);

	/* Part files: one segment of grace after their tags left. */
	CHECK(file_exists("seg23.0.m4s"));
	CHECK(file_exists("seg22.3.m4s"));
	CHECK(!file_exists("seg21.0.m4s"));
	CHECK(!file_exists("seg21.3.m4s"));
	CHECK(!file_exists("seg0.0.m4s"));
	/* Segment files: WINDOW + 1 segments of grace (15 listed first: 4..14 kept). */
	CHECK(file_exists("seg4.m4s"));
	CHECK(!file_exists("seg3.m4s"));
	CHECK(!file_exists("seg0.m4s"));
	CHECK(file_exists("init.mp4"));

	/* What is served follows what is on disk. */
	struct { const char *name; int status; } media[] = {
		{ "seg4.m4s", 200 }, { "seg3.m4s", 404 }, { "seg24.m4s", 200 }, { "seg25.m4s", 404 },
		{ "seg22.0.m4s", 200 }, { "seg21.0.m4s", 404 }, { "seg25.0.m4s", 200 },
		{ "seg26.0.m4s", 404 }, { "seg25.2.m4s", 404 }, { "init.mp4", 200 },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(media); i++) {
		char *path = g_strdup_printf("/hls/" ID "/%s", media[i].name);
		rtk_hls_request req = { .path = path };
		rtk_hls_reply reply;
		CHECK_EQ_INT(rtk_hls_handle(hls, &req, NULL, NULL, &reply), RTK_HLS_ANSWER);
		CHECK_EQ_INT(reply.status, media[i].status);
		if (reply.status != media[i].status)
			fprintf(stderr, "\tfor %s\n", media[i].name);
		if (media[i].status == 200) {
			char *expected = file_path(media[i].name);
			CHECK_EQ_STR(reply.file, expected);
			CHECK_NULL(reply.body);
			g_free(expected);
		} else {
			CHECK_NULL(reply.file);
			CHECK_EQ_STR(reply.body, "no such file in this livestream\n");
		}
		rtk_hls_reply_clear(&reply);
		g_free(path);
	}

	/* Delta update: 10 listed segments + 0.5 s; the ones ending at least
	 * CAN-SKIP-UNTIL (12 s) before the end are 15..18. */
	text = rtk_hls_playlist(hls, ID, true);
	CHECK_HAS(text, "#EXT-X-MEDIA-SEQUENCE:15\n");
	CHECK_HAS(text, "#EXT-X-MAP:URI=\"init.mp4\"\n#EXT-X-SKIP:SKIPPED-SEGMENTS=4\n"
		"#EXT-X-PROGRAM-DATE-TIME:2024-01-01T00:00:38.000Z\n#EXTINF:2.000,\nseg19.m4s\n");
	CHECK_HAS_NOT(text, "seg18.m4s");
	CHECK_HAS(text, "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"seg25.1.m4s\"\n");
	free(text);
	rtk_hls_request req = playlist_req("_HLS_skip=YES");
	rtk_hls_reply reply;
	CHECK_EQ_INT(rtk_hls_handle(hls, &req, NULL, NULL, &reply), RTK_HLS_ANSWER);
	CHECK_EQ_INT(reply.status, 200);
	CHECK_HAS(reply.body, "#EXT-X-SKIP:SKIPPED-SEGMENTS=4\n");
	CHECK_EQ_INT(reply.body_len, strlen(reply.body));
	rtk_hls_reply_clear(&reply);
	req = playlist_req("_HLS_skip=v2&_HLS_msn=25&_HLS_part=0");
	CHECK_EQ_INT(rtk_hls_handle(hls, &req, NULL, NULL, &reply), RTK_HLS_ANSWER);
	CHECK_HAS(reply.body, "#EXT-X-SKIP:SKIPPED-SEGMENTS=4\n");
	rtk_hls_reply_clear(&reply);
	req = playlist_req(NULL);
	CHECK_EQ_INT(rtk_hls_handle(hls, &req, NULL, NULL, &reply), RTK_HLS_ANSWER);
	CHECK_HAS_NOT(reply.body, "EXT-X-SKIP");
	rtk_hls_reply_clear(&reply);

	/* A playlist too short to skip anything has no EXT-X-SKIP tag. */
	CHECK_EQ_INT(rtk_hls_stream_open(hls, "short", dir, PART_S, 2.0), 0);
	rtk_hls_stream_segment(hls, "short", 0, 2.0);
	text = rtk_hls_playlist(hls, "short", true);
	CHECK_HAS_NOT(text, "EXT-X-SKIP");
	CHECK_HAS(text, "seg0.m4s");
	free(text);

	/* Closing forgets the stream and leaves its files. */
	rtk_hls_stream_close(hls, ID);
	CHECK_NULL(rtk_hls_playlist(hls, ID, false));
	CHECK(file_exists("seg24.m4s"));
	req = playlist_req(NULL);
	CHECK_EQ_INT(rtk_hls_handle(hls, &req, NULL, NULL, &reply), RTK_HLS_ANSWER);
	CHECK_EQ_INT(reply.status, 404);
	rtk_hls_reply_clear(&reply);
	rtk_hls_free(hls);
}

/* ---- the blocking decision ---- */

/* Expects 200 now, with `piece` in the playlist. */
static void expect_ready(rtk_hls *hls, const char *query, const char *piece)
{
	rtk_hls_request req = playlist_req(query);
	rtk_hls_reply reply;
	waker w = { 0 };
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_ANSWER);
	CHECK_EQ_INT(reply.status, 200);
	if (reply.status != 200)
		fprintf(stderr, "\tquery: %s -> %d %s\n", query, reply.status, reply.body ? reply.body : "");
	if (piece)
		CHECK_HAS(reply.body, piece);
	rtk_hls_reply_clear(&reply);
}

static void expect_status(rtk_hls *hls, const char *query, int status, const char *body)
{
	rtk_hls_request req = playlist_req(query);
	rtk_hls_reply reply;
	waker w = { 0 };
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_ANSWER);
	CHECK_EQ_INT(reply.status, status);
	if (reply.status != status)
		fprintf(stderr, "\tquery: %s\n", query);
	if (body)
		CHECK_EQ_STR(reply.body, body);
	rtk_hls_reply_clear(&reply);
}

static void test_blocking(void)
{
	rtk_hls *hls = open_stream();
	feed(hls, 0, 1);
	part(hls, 1, 0);

	/* What exists is answered at once. */
	expect_ready(hls, "_HLS_msn=1&_HLS_part=0", "seg1.0.m4s");
	expect_ready(hls, "_HLS_msn=0", "seg0.m4s");
	expect_ready(hls, "_HLS_msn=0&_HLS_part=3", NULL);
	expect_ready(hls, "_HLS_msn=0&_HLS_part=99", NULL);   /* past the end of 0: part 1.0 exists */

	/* The next part: parked, woken when it is announced, then answered. */
	rtk_hls_request req = playlist_req("_HLS_msn=1&_HLS_part=1");
	rtk_hls_reply reply;
	waker w = { 0 };
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_WAIT);
	CHECK(req.deadline_us == fake_mono + 6 * G_USEC_PER_SEC);
	CHECK_EQ_INT(wakes(&w), 0);
	part(hls, 1, 1);
	CHECK_EQ_INT(wakes(&w), 1);
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_ANSWER);
	CHECK_EQ_INT(reply.status, 200);
	CHECK_HAS(reply.body, "URI=\"seg1.1.m4s\"\n#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"seg1.2.m4s\"\n");
	rtk_hls_reply_clear(&reply);

	/* A whole segment: woken by each part, parked again until it is complete. */
	req = playlist_req("_HLS_msn=1");
	w.count = 0;
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_WAIT);
	part(hls, 1, 2);
	CHECK_EQ_INT(wakes(&w), 1);
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_WAIT);
	part(hls, 1, 3);
	CHECK_EQ_INT(wakes(&w), 2);
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_WAIT);
	segment(hls, 1, 2.0);
	CHECK_EQ_INT(wakes(&w), 3);
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_ANSWER);
	CHECK_EQ_INT(reply.status, 200);
	CHECK_HAS(reply.body, "#EXTINF:2.000,\nseg1.m4s\n");
	rtk_hls_reply_clear(&reply);

	/* Past the final part of complete segment 1: part 0 of segment 2. */
	req = playlist_req("_HLS_msn=1&_HLS_part=4");
	w.count = 0;
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_WAIT);
	part(hls, 2, 0);
	CHECK_EQ_INT(wakes(&w), 1);
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_ANSWER);
	CHECK_HAS(reply.body, "URI=\"seg2.0.m4s\"");
	rtk_hls_reply_clear(&reply);

	/* Too far ahead: msn past the last complete one (1) + 2; a part past
	 * the Advance Part Limit (3 / 0.5 s = 6 parts after seg2.0). */
	expect_status(hls, "_HLS_msn=4", 400, "_HLS_msn is more than two segments ahead of the playlist\n");
	expect_status(hls, "_HLS_msn=4&_HLS_part=0", 400, NULL);
	expect_status(hls, "_HLS_msn=2&_HLS_part=7", 400, "_HLS_msn/_HLS_part is too far ahead of the playlist\n");
	expect_status(hls, "_HLS_msn=3&_HLS_part=6", 400, NULL);
	expect_status(hls, "_HLS_part=1", 400, "_HLS_part requires _HLS_msn\n");
	expect_status(hls, "_HLS_msn=x", 400, "_HLS_msn must be a non-negative integer\n");
	rtk_hls_request far = playlist_req("_HLS_msn=2&_HLS_part=6");
	waker wf = { 0 };
	CHECK_EQ_INT(ask(hls, &far, &wf, &reply), RTK_HLS_WAIT);
	rtk_hls_request far2 = playlist_req("_HLS_msn=3&_HLS_part=5");
	CHECK_EQ_INT(ask(hls, &far2, &wf, &reply), RTK_HLS_WAIT);
	rtk_hls_cancel(hls, &wf);
	part(hls, 2, 1);
	CHECK_EQ_INT(wakes(&wf), 0);   /* cancelled: never woken */

	/* Not there within three target durations (6 s): 503. */
	req = playlist_req("_HLS_msn=2&_HLS_part=3");
	w.count = 0;
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_WAIT);
	advance(5.9);
	rtk_hls_tick(hls);
	CHECK_EQ_INT(wakes(&w), 0);
	advance(0.1);
	rtk_hls_tick(hls);
	CHECK_EQ_INT(wakes(&w), 1);
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_ANSWER);
	CHECK_EQ_INT(reply.status, 503);
	CHECK_EQ_STR(reply.body, "not available within three target durations\n");
	rtk_hls_reply_clear(&reply);
	/* ... and a woken request asked again keeps its original deadline. */
	req = playlist_req("_HLS_msn=2&_HLS_part=3");
	w.count = 0;
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_WAIT);
	advance(4);
	part(hls, 2, 2);
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_WAIT);
	advance(2);
	rtk_hls_tick(hls);
	CHECK_EQ_INT(wakes(&w), 2);
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_ANSWER);
	CHECK_EQ_INT(reply.status, 503);
	rtk_hls_reply_clear(&reply);

	/* The end answers parked requests, and later ones at once. */
	req = playlist_req("_HLS_msn=2&_HLS_part=3");
	w.count = 0;
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_WAIT);
	rtk_hls_stream_end(hls, ID);
	CHECK_EQ_INT(wakes(&w), 1);
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_ANSWER);
	CHECK_EQ_INT(reply.status, 200);
	CHECK_HAS(reply.body, "#EXT-X-ENDLIST\n");
	rtk_hls_reply_clear(&reply);
	expect_ready(hls, "_HLS_msn=99&_HLS_part=3", "#EXT-X-ENDLIST\n");
	rtk_hls_free(hls);
}

static void test_close_and_stop_waiting(void)
{
	rtk_hls *hls = open_stream();
	part(hls, 0, 0);
	rtk_hls_request req = playlist_req("_HLS_msn=0&_HLS_part=1");
	rtk_hls_reply reply;
	waker w = { 0 };
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_WAIT);
	rtk_hls_stream_close(hls, ID);
	CHECK_EQ_INT(wakes(&w), 1);
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_ANSWER);
	CHECK_EQ_INT(reply.status, 404);
	CHECK_EQ_STR(reply.body, "no such livestream\n");
	rtk_hls_reply_clear(&reply);

	/* Reopening wakes what was parked on the old stream. */
	CHECK_EQ_INT(rtk_hls_stream_open(hls, ID, dir, PART_S, 2.0), 0);
	req = playlist_req("_HLS_msn=0&_HLS_part=0");
	w.count = 0;
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_WAIT);
	CHECK_EQ_INT(rtk_hls_stream_open(hls, ID, dir, PART_S, 2.0), 0);
	CHECK_EQ_INT(wakes(&w), 1);
	rtk_hls_cancel(hls, &w);

	/* Stop waiting: parked ones are woken and get 503, as do new ones. */
	req = playlist_req("_HLS_msn=0&_HLS_part=0");
	w.count = 0;
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_WAIT);
	rtk_hls_stop_waiting(hls);
	CHECK_EQ_INT(wakes(&w), 1);
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_ANSWER);
	CHECK_EQ_INT(reply.status, 503);
	rtk_hls_reply_clear(&reply);
	expect_status(hls, "_HLS_msn=0&_HLS_part=0", 503, "the server is shutting down\n");
	expect_status(hls, NULL, 200, NULL);
	rtk_hls_free(hls);
}

static void test_media_requests(void)
{
	rtk_hls *hls = open_stream();
	feed(hls, 0, 1);
	part(hls, 1, 0);
	rtk_hls_reply reply;

	/* The hinted next part is held until it exists. */
	rtk_hls_request req = { .path = "/hls/" ID "/seg1.1.m4s" };
	waker w = { 0 };
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_WAIT);
	part(hls, 1, 1);
	CHECK_EQ_INT(wakes(&w), 1);
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_ANSWER);
	CHECK_EQ_INT(reply.status, 200);
	CHECK_EQ_INT(reply.resource, RTK_HLS_RES_PART);
	char *expected = file_path("seg1.1.m4s");
	CHECK_EQ_STR(reply.file, expected);
	g_free(expected);
	rtk_hls_reply_clear(&reply);

	/* A hinted part that never comes (the segment ended first): 404. */
	req = (rtk_hls_request) { .path = "/hls/" ID "/seg1.2.m4s" };
	w.count = 0;
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_WAIT);
	segment(hls, 1, 1.0);
	CHECK_EQ_INT(wakes(&w), 1);
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_ANSWER);
	CHECK_EQ_INT(reply.status, 404);
	rtk_hls_reply_clear(&reply);

	/* Parts that are not the hinted one: 404 at once. */
	const char *absent[] = { "seg2.1.m4s", "seg3.0.m4s", "seg1.m4s.x", "../init.mp4", "seg2.m4s" };
	for (size_t i = 0; i < G_N_ELEMENTS(absent); i++) {
		char *path = g_strdup_printf("/hls/" ID "/%s", absent[i]);
		req = (rtk_hls_request) { .path = path };
		CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_ANSWER);
		CHECK_EQ_INT(reply.status, 404);
		rtk_hls_reply_clear(&reply);
		g_free(path);
	}
	/* The hinted seg2.0 times out like a playlist. */
	req = (rtk_hls_request) { .path = "/hls/" ID "/seg2.0.m4s" };
	w.count = 0;
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_WAIT);
	advance(6);
	rtk_hls_tick(hls);
	CHECK_EQ_INT(wakes(&w), 1);
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_ANSWER);
	CHECK_EQ_INT(reply.status, 503);
	rtk_hls_reply_clear(&reply);

	/* Unknown stream, unknown names. */
	req = (rtk_hls_request) { .path = "/hls/nope/init.mp4" };
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_ANSWER);
	CHECK_EQ_INT(reply.status, 404);
	rtk_hls_reply_clear(&reply);
	req = (rtk_hls_request) { .path = "/hls/" ID "/index.m3u" };
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_ANSWER);
	CHECK_EQ_INT(reply.status, 404);
	CHECK_EQ_STR(reply.body, "not found\n");
	rtk_hls_reply_clear(&reply);
	/* Media ignore the query (no 400 for directives there). */
	req = (rtk_hls_request) { .path = "/hls/" ID "/init.mp4", .query = "_HLS_part=1" };
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_ANSWER);
	CHECK_EQ_INT(reply.status, 200);
	CHECK_EQ_INT(reply.resource, RTK_HLS_RES_INIT);
	rtk_hls_reply_clear(&reply);
	rtk_hls_free(hls);
}

/* ---- ladders ---- */

#define R720 "4f1c2f2e-720p"
#define R360 "4f1c2f2e-360p"

static const rtk_hls_variant ladder3[] = {
	{ .stream_id = ID, .bandwidth = 4500000, .width = 1920, .height = 1080, .frame_rate = 30,
	  .codecs = "avc1.640028,mp4a.40.2" },
	{ .stream_id = R720, .bandwidth = 2500000, .width = 1280, .height = 720, .frame_rate = 30,
	  .codecs = "avc1.64001f,mp4a.40.2" },
	{ .stream_id = R360, .bandwidth = 800000, .width = 640, .height = 360,
	  .codecs = "avc1.64001e,mp4a.40.2" },
};

static void test_ladder_multivariant(void)
{
	rtk_hls *hls = open_stream();
	rtk_hls_reply reply;
	rtk_hls_request req = { .path = "/hls/" ID "/master.m3u8", .query = "_HLS_msn=x" };
	waker w = { 0 };
	/* No ladder yet: 404, while index.m3u8 serves. */
	CHECK_NULL(rtk_hls_multivariant(hls, ID));
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_ANSWER);
	CHECK_EQ_INT(reply.status, 404);
	CHECK_EQ_INT(reply.resource, RTK_HLS_RES_MULTIVARIANT);
	rtk_hls_reply_clear(&reply);

	CHECK_EQ_INT(rtk_hls_ladder_set(hls, ID, ladder3, 3), 0);
	const char *expected =
		"#EXTM3U\n"
		"#EXT-X-VERSION:9\n"
		"#EXT-X-INDEPENDENT-SEGMENTS\n"
		"#EXT-X-STREAM-INF:BANDWIDTH=4500000,RESOLUTION=1920x1080,CODECS=\"avc1.640028,mp4a.40.2\","
		"FRAME-RATE=30.000\n"
		"index.m3u8\n"
		"#EXT-X-STREAM-INF:BANDWIDTH=2500000,RESOLUTION=1280x720,CODECS=\"avc1.64001f,mp4a.40.2\","
		"FRAME-RATE=30.000\n"
		"../" R720 "/index.m3u8\n"
		"#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,CODECS=\"avc1.64001e,mp4a.40.2\"\n"
		"../" R360 "/index.m3u8\n";
	char *text = rtk_hls_multivariant(hls, ID);
	CHECK_EQ_STR(text, expected);
	free(text);
	/* Served now, whatever the query (no blocking on a multivariant). */
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_ANSWER);
	CHECK_EQ_INT(reply.status, 200);
	CHECK_EQ_STR(reply.body, expected);
	CHECK_EQ_INT((int)reply.body_len, (int)strlen(expected));
	CHECK_NULL(reply.file);
	rtk_hls_reply_clear(&reply);

	/* Invalid ladders change nothing. */
	rtk_hls_variant bad[3];
	memcpy(bad, ladder3, sizeof bad);
	bad[1].codecs = "avc1\",x";
	CHECK_EQ_INT(rtk_hls_ladder_set(hls, ID, bad, 3), -1);
	memcpy(bad, ladder3, sizeof bad);
	bad[2].stream_id = R720;
	CHECK_EQ_INT(rtk_hls_ladder_set(hls, ID, bad, 3), -1);
	memcpy(bad, ladder3, sizeof bad);
	bad[0].bandwidth = 0;
	CHECK_EQ_INT(rtk_hls_ladder_set(hls, ID, bad, 3), -1);
	memcpy(bad, ladder3, sizeof bad);
	bad[0].stream_id = "a/b";
	CHECK_EQ_INT(rtk_hls_ladder_set(hls, ID, bad, 3), -1);
	CHECK_EQ_INT(rtk_hls_ladder_set(hls, "a.b", ladder3, 3), -1);
	CHECK_EQ_INT(rtk_hls_ladder_set(hls, ID, ladder3, RTK_HLS_LADDER_MAX + 1), -1);
	/* A variant belongs to one ladder only. */
	CHECK_EQ_INT(rtk_hls_ladder_set(hls, "other", ladder3 + 1, 1), -1);
	text = rtk_hls_multivariant(hls, ID);
	CHECK_EQ_STR(text, expected);
	free(text);

	/* n == 0 removes it; its variants are free again. */
	CHECK_EQ_INT(rtk_hls_ladder_set(hls, ID, NULL, 0), 0);
	CHECK_NULL(rtk_hls_multivariant(hls, ID));
	CHECK_EQ_INT(rtk_hls_ladder_set(hls, "other", ladder3 + 1, 1), 0);
	CHECK_EQ_INT(rtk_hls_ladder_set(hls, "other", NULL, 0), 0);

	/* Closing the stream named like the ladder removes the ladder. */
	CHECK_EQ_INT(rtk_hls_ladder_set(hls, ID, ladder3, 3), 0);
	rtk_hls_stream_close(hls, ID);
	CHECK_NULL(rtk_hls_multivariant(hls, ID));
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_ANSWER);
	CHECK_EQ_INT(reply.status, 404);
	rtk_hls_reply_clear(&reply);
	CHECK_EQ_INT(wakes(&w), 0);
	rtk_hls_free(hls);
}

/* A VOD stream keeps every segment (file and record); live, its playlist
 * is the usual window; ended, it lists them all, without parts. */
static void test_vod(void)
{
	rtk_hls *hls = open_stream();
	CHECK_EQ_INT(rtk_hls_stream_set_vod(hls, ID), 0);
	CHECK_EQ_INT(rtk_hls_stream_set_vod(hls, "no-such-stream"), -1);
	feed(hls, 0, 15);
	part(hls, 15, 0);
	char *text = rtk_hls_playlist(hls, ID, false);
	CHECK_HAS(text, "#EXT-X-MEDIA-SEQUENCE:5\n");
	CHECK_HAS_NOT(text, "PLAYLIST-TYPE");
	CHECK_HAS_NOT(text, "\nseg4.m4s\n");
	free(text);
	CHECK(file_exists("seg0.m4s"));
	CHECK(!file_exists("seg0.0.m4s"));   /* parts still go */
	rtk_hls_stream_end(hls, ID);
	text = rtk_hls_playlist(hls, ID, false);
	CHECK_HAS(text, "#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-TARGETDURATION:2\n"
		"#EXT-X-MEDIA-SEQUENCE:0\n");
	CHECK_HAS(text, "#EXTINF:2.000,\nseg0.m4s\n");
	CHECK_HAS(text, "#EXTINF:2.000,\nseg14.m4s\n#EXT-X-ENDLIST\n");
	CHECK_HAS_NOT(text, "#EXT-X-PART:");
	CHECK_HAS_NOT(text, "PRELOAD-HINT");
	CHECK_HAS_NOT(text, "seg15");
	int listed = 0;
	for (const char *p = text; (p = strstr(p, "#EXTINF:")) != NULL; p++)
		listed++;
	CHECK_EQ_INT(listed, 15);
	free(text);
	rtk_hls_request req = { .path = "/hls/" ID "/seg0.m4s" };
	rtk_hls_reply reply;
	waker w = { 0 };
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_ANSWER);
	CHECK_EQ_INT(reply.status, 200);
	char *expected = file_path("seg0.m4s");
	CHECK_EQ_STR(reply.file, expected);
	g_free(expected);
	rtk_hls_reply_clear(&reply);
	rtk_hls_free(hls);
}

/* An ended VOD stream outlives the registry: its playlist and its ladder's
 * Multivariant Playlist are written beside its segments, and a new
 * registry (a restarted server) with the archive set serves them, its
 * init and segments, and nothing else. */
static void test_vod_archive(void)
{
	rtk_hls *hls = open_stream();
	CHECK_EQ_INT(rtk_hls_stream_set_vod(hls, ID), 0);
	CHECK_EQ_INT(rtk_hls_ladder_set(hls, ID, ladder3, 1), 0);
	feed(hls, 0, 4);
	part(hls, 4, 0);
	CHECK(!file_exists(RTK_HLS_VOD_PLAYLIST));   /* written at the end only */
	rtk_hls_stream_end(hls, ID);
	char *playlist = rtk_hls_playlist(hls, ID, false), *master = rtk_hls_multivariant(hls, ID);
	char *written = NULL, *path = file_path(RTK_HLS_VOD_PLAYLIST);
	CHECK(g_file_get_contents(path, &written, NULL, NULL));
	CHECK_EQ_STR(written, playlist);
	g_free(written);
	g_free(path);
	rtk_hls_free(hls);

	/* the archive: <root>/<stream id>/ is the stream's directory */
	char *root = g_dir_make_tmp("rtk-hls-archive-XXXXXX", NULL);
	char *link = g_build_filename(root, ID, NULL);
	CHECK_EQ_INT(symlink(dir, link), 0);
	hls = new_hls();
	rtk_hls_request req = { .path = "/hls/" ID "/index.m3u8" };
	rtk_hls_reply reply;
	waker w = { 0 };
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_ANSWER);
	CHECK_EQ_INT(reply.status, 404);              /* no archive set: not served */
	rtk_hls_reply_clear(&reply);
	rtk_hls_set_archive(hls, root);
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_ANSWER);
	CHECK_EQ_INT(reply.status, 200);
	CHECK_EQ_STR(reply.body, playlist);
	CHECK_EQ_INT(reply.body_len, strlen(playlist));
	rtk_hls_reply_clear(&reply);
	req.path = "/hls/" ID "/master.m3u8";
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_ANSWER);
	CHECK_EQ_INT(reply.status, 200);
	CHECK_EQ_STR(reply.body, master);
	rtk_hls_reply_clear(&reply);
	req.path = "/hls/" ID "/seg3.m4s";
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_ANSWER);
	CHECK_EQ_INT(reply.status, 200);
	char *expected = g_build_filename(root, ID, "seg3.m4s", NULL);
	CHECK_EQ_STR(reply.file, expected);
	g_free(expected);
	rtk_hls_reply_clear(&reply);
	req.path = "/hls/" ID "/init.mp4";
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_ANSWER);
	CHECK_EQ_INT(reply.status, 200);
	rtk_hls_reply_clear(&reply);
	req.path = "/hls/" ID "/seg3.0.m4s";          /* parts are never archived */
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_ANSWER);
	CHECK_EQ_INT(reply.status, 404);
	rtk_hls_reply_clear(&reply);
	req.path = "/hls/" R720 "/index.m3u8";         /* no such directory */
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_ANSWER);
	CHECK_EQ_INT(reply.status, 404);
	rtk_hls_reply_clear(&reply);
	CHECK_EQ_INT(wakes(&w), 0);
	/* a directory without the VOD playlist (a live stream's leftovers) is not served */
	char *vod = file_path(RTK_HLS_VOD_PLAYLIST);
	CHECK_EQ_INT(g_unlink(vod), 0);
	g_free(vod);
	req.path = "/hls/" ID "/seg3.m4s";
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_ANSWER);
	CHECK_EQ_INT(reply.status, 404);
	rtk_hls_reply_clear(&reply);
	rtk_hls_free(hls);
	g_unlink(link);
	g_rmdir(root);
	g_free(link);
	g_free(root);
	free(playlist);
	free(master);
}

/* CODECS from init.mp4 bytes: the first avcC record's profile,
 * constraints and level; nothing without a whole one. */
static void test_codecs_from_init(void)
{
	static const unsigned char init[] = "....ftypiso6....moov....avc1....avcC\x01\x64\x00\x1f" "\xff"
		"....avcC\x01\x42\xc0\x0d";
	char out[32];
	CHECK_EQ_INT(rtk_hls_codecs_from_init(init, sizeof init - 1, out, sizeof out), 0);
	CHECK_EQ_STR(out, "avc1.64001f,mp4a.40.2");
	/* avcC whose version is not 1 is skipped; a record cut short is none */
	static const unsigned char v0[] = "avcC\x00\x64\x00\x1f" "avcC\x01\x4d\x40\x28";
	CHECK_EQ_INT(rtk_hls_codecs_from_init(v0, sizeof v0 - 1, out, sizeof out), 0);
	CHECK_EQ_STR(out, "avc1.4d4028,mp4a.40.2");
	static const unsigned char cut[] = "xxxxavcC\x01\x64\x00";
	CHECK_EQ_INT(rtk_hls_codecs_from_init(cut, sizeof cut - 1, out, sizeof out), -1);
	CHECK_EQ_INT(rtk_hls_codecs_from_init(init, 8, out, sizeof out), -1);
	CHECK_EQ_INT(rtk_hls_codecs_from_init(init, sizeof init - 1, out, 23), -1);
	CHECK_EQ_INT(rtk_hls_codecs_from_init(NULL, 0, out, sizeof out), -1);
}

/* Writes seg<msn>.m4s of `bytes` bytes and announces it complete after `duration` s. */
static void sized_segment(rtk_hls *hls, int64_t msn, size_t bytes, double duration)
{
	char name[64];
	snprintf(name, sizeof name, "seg%" PRId64 ".m4s", msn);
	char *path = file_path(name);
	char *content = g_malloc0(bytes);
	CHECK(g_file_set_contents(path, content, (gssize)bytes, NULL));
	g_free(content);
	g_free(path);
	advance(duration);
	rtk_hls_stream_segment(hls, ID, msn, duration);
}

/* BANDWIDTH is the declared estimate while live, raised when a segment
 * file measured more; once the stream ended, the measured peak itself.
 * AVERAGE-BANDWIDTH appears with the first measured segment. */
static void test_ladder_bandwidth(void)
{
	rtk_hls *hls = open_stream();
	CHECK_EQ_INT(rtk_hls_ladder_set(hls, ID, ladder3, 3), 0);
	sized_segment(hls, 0, 250000, 2.0);          /* 1 Mbit/s, under the declared 4.5 */
	char *text = rtk_hls_multivariant(hls, ID);
	CHECK_HAS(text, "#EXT-X-STREAM-INF:BANDWIDTH=4500000,AVERAGE-BANDWIDTH=1000000,RESOLUTION=1920x1080,");
	CHECK_HAS(text, "#EXT-X-STREAM-INF:BANDWIDTH=2500000,RESOLUTION=1280x720,");   /* nothing measured */
	free(text);
	sized_segment(hls, 1, 1500000, 2.0);         /* 6 Mbit/s: over the estimate */
	text = rtk_hls_multivariant(hls, ID);
	CHECK_HAS(text, "#EXT-X-STREAM-INF:BANDWIDTH=6000000,AVERAGE-BANDWIDTH=3500000,RESOLUTION=1920x1080,");
	free(text);
	rtk_hls_free(hls);

	hls = open_stream();                         /* ended: every segment exists */
	CHECK_EQ_INT(rtk_hls_ladder_set(hls, ID, ladder3, 3), 0);
	sized_segment(hls, 0, 250000, 2.0);
	sized_segment(hls, 1, 125000, 1.0);
	rtk_hls_stream_end(hls, ID);
	text = rtk_hls_multivariant(hls, ID);
	CHECK_HAS(text, "#EXT-X-STREAM-INF:BANDWIDTH=1000000,AVERAGE-BANDWIDTH=1000000,RESOLUTION=1920x1080,");
	free(text);
	rtk_hls_free(hls);
}

static void test_ladder_rendition_reports(void)
{
	rtk_hls *hls = open_stream();
	CHECK_EQ_INT(rtk_hls_ladder_set(hls, ID, ladder3, 3), 0);
	/* The 720p rendition opened, nothing in it yet; 360p never opened. */
	CHECK_EQ_INT(rtk_hls_stream_open(hls, R720, dir, PART_S, 2.0), 0);
	feed(hls, 0, 1);
	part(hls, 1, 0);
	char *text = rtk_hls_playlist(hls, ID, false);
	CHECK_HAS_NOT(text, "RENDITION-REPORT");
	free(text);

	/* 720p in segment 1, part 1 (after a complete segment 0). */
	for (int p = 0; p < 4; p++)
		rtk_hls_stream_part(hls, R720, 0, p, PART_S, p == 0);
	rtk_hls_stream_segment(hls, R720, 0, 2.0);
	text = rtk_hls_playlist(hls, ID, false);
	CHECK_HAS(text, "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"seg1.1.m4s\"\n"
		"#EXT-X-RENDITION-REPORT:URI=\"../" R720 "/index.m3u8\",LAST-MSN=0,LAST-PART=3\n");
	free(text);
	rtk_hls_stream_part(hls, R720, 1, 0, PART_S, true);
	rtk_hls_stream_part(hls, R720, 1, 1, PART_S, false);
	text = rtk_hls_playlist(hls, ID, false);
	CHECK_HAS(text, "#EXT-X-RENDITION-REPORT:URI=\"../" R720 "/index.m3u8\",LAST-MSN=1,LAST-PART=1\n");
	CHECK_HAS_NOT(text, R360);
	free(text);

	/* The 720p playlist reports the ladder's first rendition; a segment
	 * announced without parts has no LAST-PART. */
	char *other = rtk_hls_playlist(hls, R720, false);
	CHECK_HAS(other, "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"seg1.2.m4s\"\n"
		"#EXT-X-RENDITION-REPORT:URI=\"../" ID "/index.m3u8\",LAST-MSN=1,LAST-PART=0\n");
	free(other);
	CHECK_EQ_INT(rtk_hls_stream_open(hls, R360, dir, PART_S, 2.0), 0);
	rtk_hls_stream_segment(hls, R360, 0, 2.0);
	text = rtk_hls_playlist(hls, ID, true);
	CHECK_HAS(text, "#EXT-X-RENDITION-REPORT:URI=\"../" R720 "/index.m3u8\",LAST-MSN=1,LAST-PART=1\n"
		"#EXT-X-RENDITION-REPORT:URI=\"../" R360 "/index.m3u8\",LAST-MSN=0\n");
	free(text);

	/* Over the request path too (a blocking reload answered). */
	rtk_hls_request req = playlist_req("_HLS_msn=1&_HLS_part=0");
	rtk_hls_reply reply;
	waker w = { 0 };
	CHECK_EQ_INT(ask(hls, &req, &w, &reply), RTK_HLS_ANSWER);
	CHECK_EQ_INT(reply.status, 200);
	CHECK_HAS(reply.body, "LAST-MSN=1,LAST-PART=1\n");
	rtk_hls_reply_clear(&reply);

	/* Out of the ladder, or ended: no reports. */
	rtk_hls_stream_end(hls, ID);
	text = rtk_hls_playlist(hls, ID, false);
	CHECK_HAS_NOT(text, "RENDITION-REPORT");
	free(text);
	CHECK_EQ_INT(rtk_hls_ladder_set(hls, ID, NULL, 0), 0);
	other = rtk_hls_playlist(hls, R720, false);
	CHECK_HAS_NOT(other, "RENDITION-REPORT");
	free(other);
	rtk_hls_free(hls);
}

static void count_request(rtk_hls *hls, const char *path, const char *key)
{
	rtk_hls_request req = { .path = path, .client_key = key };
	rtk_hls_reply reply;
	CHECK_EQ_INT(rtk_hls_handle(hls, &req, NULL, NULL, &reply), RTK_HLS_ANSWER);
	rtk_hls_reply_clear(&reply);
}

static void test_viewers(void)
{
	rtk_hls *hls = open_stream();
	feed(hls, 0, 1);
	const char *playlist = "/hls/" ID "/index.m3u8";
	CHECK_EQ_INT(rtk_hls_viewer_count(hls, ID), 0);
	count_request(hls, playlist, "10.0.0.1\nhls.js");
	count_request(hls, playlist, "10.0.0.2\nhls.js");
	count_request(hls, playlist, "10.0.0.1\nhls.js");
	count_request(hls, playlist, "10.0.0.1\nSafari");
	count_request(hls, playlist, NULL);                                  /* not counted */
	count_request(hls, "/hls/" ID "/seg0.m4s", "10.0.0.9\nmedia only");  /* media: not counted */
	CHECK_EQ_INT(rtk_hls_viewer_count(hls, ID), 3);
	CHECK_EQ_INT(rtk_hls_viewer_count(hls, "other"), 0);
	advance(6);
	count_request(hls, playlist, "10.0.0.2\nhls.js");
	advance(4.5);   /* 10.5 s after the first three, 4.5 s after the last */
	CHECK_EQ_INT(rtk_hls_viewer_count(hls, ID), 1);
	advance(10);
	CHECK_EQ_INT(rtk_hls_viewer_count(hls, ID), 0);
	/* A blocking reload counts too. */
	rtk_hls_request req = { .path = playlist, .query = "_HLS_msn=0", .client_key = "k" };
	rtk_hls_reply reply;
	CHECK_EQ_INT(rtk_hls_handle(hls, &req, NULL, NULL, &reply), RTK_HLS_ANSWER);
	rtk_hls_reply_clear(&reply);
	CHECK_EQ_INT(rtk_hls_viewer_count(hls, ID), 1);
	rtk_hls_free(hls);
}

/* ---- over HTTP: a real libmicrohttpd daemon on 127.0.0.1 ---- */

typedef struct http_result {
	int status;
	char *head;       /* status line and headers (g_malloc'd) */
	char *body;       /* g_malloc'd */
	gint64 done_us;   /* real monotonic time the response was complete */
} http_result;

static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return ntohs(a.sin_port);
}

static int http_port;

/* One HTTP/1.1 request with Connection: close; reads to EOF, giving up
 * after `timeout_s` without data (status -1). */
static http_result http_do_within(const char *method, const char *target, int timeout_s)
{
	http_result r = { .status = -1 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)http_port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct timeval tv = { .tv_sec = timeout_s };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		if (fd >= 0)
			close(fd);
		return r;
	}
	char *request = g_strdup_printf("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: test_hls\r\n"
		"Origin: http://example.test\r\nConnection: close\r\n\r\n", method, target);
	ssize_t sent = send(fd, request, strlen(request), MSG_NOSIGNAL);
	g_free(request);
	GString *in = g_string_new(NULL);
	char buf[4096];
	ssize_t n;
	while (sent > 0 && (n = recv(fd, buf, sizeof buf, 0)) > 0)
		g_string_append_len(in, buf, n);
	close(fd);
	r.done_us = g_get_monotonic_time();
	char *end = strstr(in->str, "\r\n\r\n");
	if (end && sscanf(in->str, "HTTP/1.1 %d", &r.status) == 1) {
		r.head = g_strndup(in->str, (gsize)(end - in->str));
		r.body = g_strdup(end + 4);
	}
	g_string_free(in, TRUE);
	return r;
}

static http_result http_do(const char *method, const char *target)
{
	return http_do_within(method, target, 10);
}

static void http_result_clear(http_result *r)
{
	g_free(r->head);
	g_free(r->body);
	*r = (http_result) { 0 };
}

typedef struct http_job {
	const char *target;
	http_result result;
} http_job;

static gpointer http_job_main(gpointer data)
{
	http_job *job = data;
	job->result = http_do("GET", job->target);
	return NULL;
}

#define BLOCKED 8   /* twice the HTTP thread pool (RTK_HTTP_THREADS = 4) */

static void test_http_blocking(void)
{
	clean_dir();
	rtk_hls *hls = rtk_hls_new();   /* real clocks: MHD runs on real time */
	CHECK_EQ_INT(rtk_hls_stream_open(hls, ID, dir, PART_S, 2.0), 0);
	write_file("init.mp4", "init");
	feed(hls, 0, 1);
	part(hls, 1, 0);
	rtk_rest_ctx ctx = { .hls = hls };
	char *error = NULL;
	http_port = free_port();
	rtk_http *http = rtk_http_start("127.0.0.1", http_port, &ctx, &error);
	CHECK_NOT_NULL(http);
	if (http == NULL) {
		fprintf(stderr, "\tcannot start HTTP: %s\n", error ? error : "?");
		free(error);
		rtk_hls_stop_waiting(hls);
		rtk_hls_free(hls);
		return;
	}

	/* Eight blocking reloads for the next part, twice the workers. They
	 * come one by one, so a worker that held its request (instead of
	 * suspending it) could not accept the next: each would take a worker
	 * and the requests below would find none. */
	http_job jobs[BLOCKED + 1];
	GThread *threads[BLOCKED + 1];
	for (int i = 0; i < BLOCKED; i++) {
		jobs[i] = (http_job) { .target = "/hls/" ID "/index.m3u8?_HLS_msn=1&_HLS_part=1" };
		threads[i] = g_thread_new("blocked", http_job_main, &jobs[i]);
		g_usleep(50 * 1000);
	}
	/* The hinted part itself, held the same way. */
	jobs[BLOCKED] = (http_job) { .target = "/hls/" ID "/seg1.1.m4s" };
	threads[BLOCKED] = g_thread_new("hint", http_job_main, &jobs[BLOCKED]);
	g_usleep(300 * 1000);

	/* Meanwhile every other request is answered at once: no worker is held. */
	gint64 t0 = g_get_monotonic_time();
	for (int i = 0; i < 8; i++) {
		http_result r = http_do_within("GET", "/hls/" ID "/index.m3u8", 2);
		CHECK_EQ_INT(r.status, 200);
		CHECK_HAS(r.body, "seg1.0.m4s");
		CHECK_HAS_NOT(r.body, "#EXT-X-PART:DURATION=0.500,URI=\"seg1.1.m4s\"");
		if (i == 0) {
			CHECK_HAS(r.head, "Content-Type: application/vnd.apple.mpegurl");
			CHECK_HAS(r.head, "Cache-Control: no-cache");
			CHECK_HAS(r.head, "Access-Control-Allow-Origin: *");
		}
		http_result_clear(&r);
	}
	CHECK(g_get_monotonic_time() - t0 < 2 * G_USEC_PER_SEC);
	for (int i = 0; i <= BLOCKED; i++)
		CHECK_EQ_INT(__atomic_load_n(&jobs[i].result.done_us, __ATOMIC_SEQ_CST), 0);

	/* The part appears: every parked request is answered. */
	gint64 announced = g_get_monotonic_time();
	part(hls, 1, 1);
	for (int i = 0; i <= BLOCKED; i++)
		g_thread_join(threads[i]);
	for (int i = 0; i < BLOCKED; i++) {
		CHECK_EQ_INT(jobs[i].result.status, 200);
		CHECK_HAS(jobs[i].result.body, "URI=\"seg1.1.m4s\"\n#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"seg1.2.m4s\"\n");
		CHECK(jobs[i].result.done_us >= announced);
		CHECK(jobs[i].result.done_us - announced < G_USEC_PER_SEC);
		http_result_clear(&jobs[i].result);
	}
	CHECK_EQ_INT(jobs[BLOCKED].result.status, 200);
	CHECK_EQ_STR(jobs[BLOCKED].result.body, "part 1.1");
	CHECK_HAS(jobs[BLOCKED].result.head, "Content-Type: video/mp4");
	CHECK_HAS(jobs[BLOCKED].result.head, "Cache-Control: max-age=30");
	CHECK_HAS(jobs[BLOCKED].result.head, "Access-Control-Allow-Origin: *");
	http_result_clear(&jobs[BLOCKED].result);

	/* Errors, methods, preflight, HEAD. */
	http_result r = http_do("GET", "/hls/" ID "/index.m3u8?_HLS_part=1");
	CHECK_EQ_INT(r.status, 400);
	CHECK_EQ_STR(r.body, "_HLS_part requires _HLS_msn\n");
	CHECK_HAS(r.head, "Access-Control-Allow-Origin: *");
	http_result_clear(&r);
	r = http_do("GET", "/hls/" ID "/index.m3u8?_HLS_msn=9");
	CHECK_EQ_INT(r.status, 400);
	http_result_clear(&r);
	r = http_do("GET", "/hls/" ID "/../../etc/passwd");
	CHECK_EQ_INT(r.status, 404);
	http_result_clear(&r);
	r = http_do("GET", "/hls/" ID "/seg0.m4s");
	CHECK_EQ_INT(r.status, 200);
	CHECK_EQ_STR(r.body, "segment");
	http_result_clear(&r);
	r = http_do("GET", "/hls/unknown/index.m3u8");
	CHECK_EQ_INT(r.status, 404);
	http_result_clear(&r);
	r = http_do("POST", "/hls/" ID "/index.m3u8");
	CHECK_EQ_INT(r.status, 405);
	CHECK_HAS(r.head, "Allow: GET, HEAD, OPTIONS");
	http_result_clear(&r);
	r = http_do("OPTIONS", "/hls/" ID "/index.m3u8");
	CHECK_EQ_INT(r.status, 204);
	CHECK_HAS(r.head, "Access-Control-Allow-Origin: *");
	CHECK_HAS(r.head, "Access-Control-Allow-Methods: GET, HEAD, OPTIONS");
	http_result_clear(&r);
	r = http_do("HEAD", "/hls/" ID "/init.mp4");
	CHECK_EQ_INT(r.status, 200);
	CHECK_HAS(r.head, "Content-Length: 4");
	CHECK_EQ_STR(r.body, "");
	http_result_clear(&r);
	CHECK(rtk_hls_viewer_count(hls, ID) >= 1);   /* test_hls from 127.0.0.1 */

	/* A request parked when the server stops: woken, no abort. */
	http_job last = { .target = "/hls/" ID "/index.m3u8?_HLS_msn=1&_HLS_part=2" };
	GThread *last_thread = g_thread_new("last", http_job_main, &last);
	g_usleep(200 * 1000);
	rtk_http_stop(http);
	g_thread_join(last_thread);
	CHECK(last.result.status == 503 || last.result.status == -1);
	http_result_clear(&last.result);
	rtk_hls_free(hls);
}

/* ---- main ---- */

static void remove_dir(void)
{
	clean_dir();
	g_rmdir(dir);
}

int main(void)
{
	dir = g_build_filename(g_get_tmp_dir(), "rtk-test-hls-XXXXXX", NULL);
	if (g_mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	UNIT_RUN(test_parse_query);
	UNIT_RUN(test_parse_path);
	UNIT_RUN(test_playlist_text);
	UNIT_RUN(test_open_validation);
	UNIT_RUN(test_target_duration);
	UNIT_RUN(test_out_of_order);
	UNIT_RUN(test_window_and_files);
	UNIT_RUN(test_blocking);
	UNIT_RUN(test_close_and_stop_waiting);
	UNIT_RUN(test_media_requests);
	UNIT_RUN(test_ladder_multivariant);
	UNIT_RUN(test_ladder_bandwidth);
	UNIT_RUN(test_ladder_rendition_reports);
	UNIT_RUN(test_codecs_from_init);
	UNIT_RUN(test_vod);
	UNIT_RUN(test_vod_archive);
	UNIT_RUN(test_viewers);
	UNIT_RUN(test_http_blocking);
	remove_dir();
	g_free(dir);
	return UNIT_DONE();
}
