/*
 * fuzz_hls.c - libFuzzer target for the LL-HLS request side of the gateway
 * (hls/hls.c): the query parser, the path parser, and the request
 * decision on a stream the input itself builds.
 *
 * Input layout:
 *   byte 0       n: number of announcement ops (n % 48)
 *   n x 3 bytes  op, a, b:   op % 5 == 0 part (msn a % 6, part b % 12,
 *                            duration 0.1 * (b % 6 + 1), independent a & 1)
 *                            1 segment (msn a % 6, duration 0.1 * (b % 40 + 1))
 *                            2 end   3 clock + 10 ms * a   4 tick
 *   1 byte       flags: bit 0 prefix the path with "/hls/fuzz/"
 *   then         path NUL query; no NUL: the query is NULL
 * The stream "fuzz" is reopened (reset) for every input, so a reproducer
 * replays alone. Clocks are injected; no file is written (the model only
 * ever deletes files, in a scratch directory under $RTK_FUZZ_TMPDIR).
 *
 * The whole input is also read as an init.mp4 by rtk_hls_codecs_from_init().
 * Checked beyond the sanitizers: parse results are consistent (a part
 * implies an msn, an error message exactly when refused); an accepted path
 * is exactly the canonical spelling of what it names (so nothing but those
 * names, and no traversal, ever reaches the disk); a decision's status is
 * one of 200 400 404 503, a 200 carries either a playlist that looks like
 * one or a file directly inside the stream directory; a parked request is
 * cancelled and never woken afterwards.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include "hls.h"

static rtk_hls *hls;
static char *dir;
static int64_t mono = INT64_C(1000000000);
static int wakes;

static int64_t clock_mono(void *data)
{
	return __atomic_load_n(&mono, __ATOMIC_SEQ_CST);
}

static int64_t clock_wall(void *data)
{
	return INT64_C(1704067200000000) + __atomic_load_n(&mono, __ATOMIC_SEQ_CST);
}

static void on_wake(void *data)
{
	__atomic_add_fetch(&wakes, 1, __ATOMIC_SEQ_CST);
}

static void cleanup(void)
{
	rtk_hls_stop_waiting(hls);
	rtk_hls_free(hls);
	rmdir(dir);
	g_free(dir);
}

/* Out-of-order announcements are logged by design; the fuzzer makes
 * plenty of them. */
static void quiet(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data)
{
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	g_log_set_default_handler(quiet, NULL);
	const char *base = getenv("RTK_FUZZ_TMPDIR");
	if (base == NULL || *base == '\0')
		base = g_get_tmp_dir();
	dir = g_build_filename(base, "rtk-fuzz-hls-XXXXXX", NULL);
	if (g_mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		abort();
	}
	hls = rtk_hls_new();
	if (hls == NULL)
		abort();
	rtk_hls_set_clock(hls, clock_mono, clock_wall, NULL);
	atexit(cleanup);
	return 0;
}

static void check_query(const char *query)
{
	rtk_hls_query q;
	const char *error = "unset";
	int rc = rtk_hls_parse_query(query, &q, &error);
	if (rc == 0) {
		if (error != NULL || (q.has_part && !q.has_msn) || q.msn < 0 || q.part < 0 ||
		    (!q.has_msn && q.msn) || (!q.has_part && q.part) || q.skip > RTK_HLS_SKIP_V2)
			abort();
	} else if (rc != -1 || error == NULL || q.has_msn || q.has_part || q.skip) {
		abort();
	}
}

/* An accepted path must be exactly the canonical spelling of its target. */
static void check_path(const char *path)
{
	rtk_hls_target t;
	if (rtk_hls_parse_path(path, &t) != 0)
		return;
	char canonical[256];
	switch (t.resource) {
	case RTK_HLS_RES_PLAYLIST:
		snprintf(canonical, sizeof canonical, "/hls/%s/index.m3u8", t.stream_id);
		break;
	case RTK_HLS_RES_INIT:
		snprintf(canonical, sizeof canonical, "/hls/%s/init.mp4", t.stream_id);
		break;
	case RTK_HLS_RES_SEGMENT:
		snprintf(canonical, sizeof canonical, "/hls/%s/seg%" PRId64 ".m4s", t.stream_id, t.msn);
		break;
	case RTK_HLS_RES_PART:
		snprintf(canonical, sizeof canonical, "/hls/%s/seg%" PRId64 ".%d.m4s", t.stream_id, t.msn, t.part);
		break;
	case RTK_HLS_RES_MULTIVARIANT:
		snprintf(canonical, sizeof canonical, "/hls/%s/master.m3u8", t.stream_id);
		break;
	default:
		abort();
	}
	if (strcmp(canonical, path) != 0 || strstr(path, "..") != NULL || t.msn < 0 || t.part < 0)
		abort();
}

/* Replays the announcement ops; returns the bytes consumed. */
static size_t apply_ops(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	size_t n = data[0] % 48, used = 1;
	for (size_t i = 0; i < n && used + 3 <= size; i++, used += 3) {
		uint8_t op = data[used], a = data[used + 1], b = data[used + 2];
		switch (op % 5) {
		case 0:
			rtk_hls_stream_part(hls, "fuzz", a % 6, b % 12, 0.1 * (b % 6 + 1), a & 1);
			break;
		case 1:
			rtk_hls_stream_segment(hls, "fuzz", a % 6, 0.1 * (b % 40 + 1));
			break;
		case 2:
			rtk_hls_stream_end(hls, "fuzz");
			break;
		case 3:
			__atomic_add_fetch(&mono, (int64_t)a * 10000, __ATOMIC_SEQ_CST);
			break;
		default:
			rtk_hls_tick(hls);
			break;
		}
	}
	return used;
}

static void check_reply(const rtk_hls_reply *reply)
{
	switch (reply->status) {
	case 200:
		if (reply->file) {
			size_t n = strlen(dir);
			if (reply->body || strncmp(reply->file, dir, n) != 0 || reply->file[n] != '/' ||
			    strchr(reply->file + n + 1, '/') || strstr(reply->file, ".."))
				abort();
		} else if (!reply->body || strncmp(reply->body, "#EXTM3U\n#EXT-X-VERSION:9\n", 25) != 0 ||
			   reply->body_len != strlen(reply->body) || reply->body[reply->body_len - 1] != '\n' ||
			   (!strstr(reply->body, "#EXT-X-ENDLIST\n") == !strstr(reply->body, "#EXT-X-PRELOAD-HINT:"))) {
			abort();
		}
		break;
	case 400: case 404: case 503:
		if (!reply->body || reply->file || reply->body_len == 0)
			abort();
		break;
	default:
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (rtk_hls_stream_open(hls, "fuzz", dir, 0.2, 1.0) != 0)
		abort();
	size_t used = apply_ops(data, size);
	uint8_t flags = used < size ? data[used++] : 0;
	const char *prefix = (flags & 1) ? "/hls/fuzz/" : "";
	char *text = g_malloc(strlen(prefix) + (size - used) + 1);
	strcpy(text, prefix);
	memcpy(text + strlen(prefix), data + used, size - used);
	text[strlen(prefix) + (size - used)] = '\0';   /* stops at the first NUL */
	size_t path_len = strlen(prefix) + strnlen((const char *)data + used, size - used);
	const char *query = NULL;
	if (used + (path_len - strlen(prefix)) < size) {
		size_t qlen = size - used - (path_len - strlen(prefix)) - 1;
		query = g_strndup((const char *)data + used + (path_len - strlen(prefix)) + 1, qlen);
	}

	check_query(query);
	check_path(text);
	char codecs[32];
	if (rtk_hls_codecs_from_init(data, size, codecs, sizeof codecs) == 0 && strlen(codecs) != 21)
		abort();

	rtk_hls_request req = { .path = text, .query = query, .client_key = "fuzz" };
	rtk_hls_reply reply;
	__atomic_store_n(&wakes, 0, __ATOMIC_SEQ_CST);
	rtk_hls_outcome outcome = rtk_hls_handle(hls, &req, on_wake, &wakes, &reply);
	if (outcome == RTK_HLS_WAIT) {
		rtk_hls_cancel(hls, &wakes);
		int before = __atomic_load_n(&wakes, __ATOMIC_SEQ_CST);
		rtk_hls_stream_part(hls, "fuzz", 0, 0, 0.2, true);
		rtk_hls_stream_end(hls, "fuzz");
		if (__atomic_load_n(&wakes, __ATOMIC_SEQ_CST) != before)
			abort();   /* woken after being cancelled */
	} else {
		check_reply(&reply);
		rtk_hls_reply_clear(&reply);
	}
	g_free(text);
	g_free((char *)query);
	return 0;
}
