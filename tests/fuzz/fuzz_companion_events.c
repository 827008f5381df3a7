/*
 * fuzz_companion_events.c - libFuzzer target for the plugin's reading of a
 * companion's stdout (plugin/companion_events.c): the byte stream cut into
 * lines as process.c's reader thread cuts it, each line read into a typed
 * event, and the part and segment events announced to a real LL-HLS model
 * (hls/hls.c) the way capture.c announces a livestream's.
 *
 * Input layout:
 *   byte 0        chunk size - 1: the stream arrives in reads of this size
 *                 (the last one shorter), as read() may cut it anywhere
 *   byte 1        bit 0: the stream starts with RTK_COMPANION_LINE_MAX + 100
 *                 bytes '#' (a line longer than the cut, which the next
 *                 bytes end); bit 1: the stream ends (playlist with
 *                 EXT-X-ENDLIST)
 *   the rest      the companion's stdout
 * The stream "fuzz" is opened for every input and closed after it, so a
 * reproducer replays alone; clocks are injected and no file is written
 * (the model only deletes files, in a scratch directory under
 * $RTK_FUZZ_TMPDIR).
 *
 * Checked beyond the sanitizers: the lines are those of the stream,
 * whatever the reads: split at each '\n', each cut to
 * RTK_COMPANION_LINE_MAX bytes, the unfinished tail kept back; an event
 * holds the line's JSON object, alone; each typed field is what the
 * object says, in range (the RTP port 1..65535 or 0, the part index -1 or
 * what was sent); the media playlist then still looks like one: its
 * header, at most RTK_HLS_WINDOW_SEGMENTS segments, each segment's
 * duration within EXT-X-TARGETDURATION (RFC 8216 4.3.3.1).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include "companion_events.h"

#define CHECK(cond) do { if(!(cond)) __builtin_trap(); } while(0)
#define FILLER (RTK_COMPANION_LINE_MAX + 100)

static rtk_hls *hls;
static char *dir;

static int64_t clock_mono(void *data) {
	return INT64_C(1000000000);
}

static int64_t clock_wall(void *data) {
	return INT64_C(1704067200000000);
}

static void cleanup(void) {
	rtk_hls_stop_waiting(hls);
	rtk_hls_free(hls);
	rmdir(dir);
	g_free(dir);
}

/* The model logs out-of-order announcements; the fuzzer makes plenty. */
static void quiet(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data) {
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
	g_log_set_default_handler(quiet, NULL);
	const char *base = getenv("RTK_FUZZ_TMPDIR");
	if(base == NULL || *base == '\0')
		base = g_get_tmp_dir();
	dir = g_build_filename(base, "rtk-fuzz-events-XXXXXX", NULL);
	if(g_mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		abort();
	}
	hls = rtk_hls_new();
	if(hls == NULL)
		abort();
	rtk_hls_set_clock(hls, clock_mono, clock_wall, NULL);
	atexit(cleanup);
	return 0;
}

/* The stream and where the next expected line starts in it. */
typedef struct fuzz_stream {
	const char *bytes;
	size_t len;
	size_t next;           /* offset of the next line's first byte */
	int lines;
} fuzz_stream;

static void check_event(const rtk_companion_event *ev, gboolean parsed) {
	if(!parsed)
		return;
	CHECK(json_is_object(ev->json) && ev->json->refcount == 1);
	const json_t *name = json_object_get(ev->json, "event");
	CHECK(ev->name == json_string_value(name));
	CHECK((unsigned)ev->kind <= RTK_COMPANION_EVENT_REJECTED);
	if(ev->kind != RTK_COMPANION_EVENT_OTHER)
		CHECK(ev->name != NULL);
	json_int_t port = json_integer_value(json_object_get(ev->json, "rtp_port"));
	json_int_t part = json_integer_value(json_object_get(ev->json, "part"));
	switch(ev->kind) {
		case RTK_COMPANION_EVENT_READY:
			CHECK(!strcmp(ev->name, "ready"));
			CHECK(ev->rtp_port == (port >= 1 && port <= 65535 ? port : 0));
			break;
		case RTK_COMPANION_EVENT_KEYFRAME:
			CHECK(!strcmp(ev->name, "keyframe"));
			CHECK(ev->ssrc == (uint32_t)json_integer_value(json_object_get(ev->json, "ssrc")));
			break;
		case RTK_COMPANION_EVENT_PART:
			CHECK(!strcmp(ev->name, "part"));
			CHECK(ev->part == (part >= G_MININT && part <= G_MAXINT ? part : -1));
			CHECK(ev->independent == json_is_true(json_object_get(ev->json, "independent")));
			/* fall through */
		case RTK_COMPANION_EVENT_SEGMENT:
			CHECK(ev->msn == json_integer_value(json_object_get(ev->json, "msn")));
			CHECK(ev->duration == json_number_value(json_object_get(ev->json, "duration")));
			break;
		case RTK_COMPANION_EVENT_PROGRESS:
			CHECK(ev->late_frames == json_integer_value(json_object_get(ev->json, "late_frames")));
			/* fall through */
		case RTK_COMPANION_EVENT_STOPPED:
			CHECK(ev->output_s == json_number_value(json_object_get(ev->json, "output_s")));
			break;
		case RTK_COMPANION_EVENT_ERROR:
		case RTK_COMPANION_EVENT_REJECTED:
			CHECK(ev->message == json_string_value(json_object_get(ev->json, "message")));
			break;
		case RTK_COMPANION_EVENT_OTHER:
			CHECK(ev->name == NULL || (strcmp(ev->name, "ready") && strcmp(ev->name, "part") &&
				strcmp(ev->name, "segment") && strcmp(ev->name, "keyframe") && strcmp(ev->name, "progress") &&
				strcmp(ev->name, "stopped") && strcmp(ev->name, "started") && strcmp(ev->name, "stats") &&
				strcmp(ev->name, "error") && strcmp(ev->name, "rejected")));
			break;
		default:
			break;
	}
	if(ev->kind != RTK_COMPANION_EVENT_READY)
		CHECK(ev->rtp_port == 0);
	if(ev->kind != RTK_COMPANION_EVENT_PART)
		CHECK(ev->part == 0 && !ev->independent);
}

static void on_line(const char *line, size_t len, void *user_data) {
	fuzz_stream *s = user_data;
	/* The line the stream holds from s->next: up to its '\n', cut. */
	const char *nl = memchr(s->bytes + s->next, '\n', s->len - s->next);
	CHECK(nl != NULL);
	size_t full = (size_t)(nl - (s->bytes + s->next));
	CHECK(len == MIN(full, (size_t)RTK_COMPANION_LINE_MAX));
	CHECK(memcmp(line, s->bytes + s->next, len) == 0 && line[len] == '\0');
	s->next += full + 1;
	s->lines++;

	rtk_companion_event ev;
	gboolean parsed = rtk_companion_event_parse(line, len, &ev);
	check_event(&ev, parsed);
	if(parsed) {
		rtk_companion_event_to_hls(hls, "fuzz", &ev);
		rtk_companion_event_clear(&ev);
		CHECK(ev.json == NULL);
	}
}

static void check_playlist(void) {
	char *text = rtk_hls_playlist(hls, "fuzz", false);
	CHECK(text != NULL && !strncmp(text, "#EXTM3U\n#EXT-X-VERSION:9\n", 25));
	size_t len = strlen(text);
	CHECK(len > 0 && text[len - 1] == '\n');
	const char *t = strstr(text, "#EXT-X-TARGETDURATION:");
	CHECK(t != NULL);
	long target = strtol(t + strlen("#EXT-X-TARGETDURATION:"), NULL, 10);
	CHECK(target >= 1);
	int segments = 0;
	for(const char *p = strstr(text, "#EXTINF:"); p != NULL; p = strstr(p + 1, "#EXTINF:")) {
		double d = strtod(p + strlen("#EXTINF:"), NULL);
		CHECK(d > 0 && lround(d) <= target);
		segments++;
	}
	CHECK(segments <= RTK_HLS_WINDOW_SEGMENTS);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	if(size < 2)
		return 0;
	size_t chunk = (size_t)data[0] + 1;
	size_t filler = (data[1] & 1) ? FILLER : 0;
	gboolean end = (data[1] & 2) != 0;
	size_t body = size - 2;
	char *bytes = g_malloc(filler + body + 1);
	memset(bytes, '#', filler);
	memcpy(bytes + filler, data + 2, body);
	fuzz_stream s = { .bytes = bytes, .len = filler + body };

	CHECK(rtk_hls_stream_open(hls, "fuzz", dir, 0.2, 2.0) == 0);
	rtk_event_lines lines;
	rtk_event_lines_init(&lines);
	for(size_t at = 0; at < s.len; at += chunk)
		rtk_event_lines_feed(&lines, bytes + at, MIN(chunk, s.len - at), on_line, &s);
	/* Every complete line came out; what is left is the unfinished tail. */
	CHECK(memchr(bytes + s.next, '\n', s.len - s.next) == NULL);
	CHECK(lines.line->len == MIN(s.len - s.next, (size_t)RTK_COMPANION_LINE_MAX));
	rtk_event_lines_clear(&lines);
	if(end)
		rtk_hls_stream_end(hls, "fuzz");
	check_playlist();
	/* Closed at once: what one input allocates it frees, so libFuzzer
	 * never needs a (slow) leak scan to tell. */
	rtk_hls_stream_close(hls, "fuzz");
	g_free(bytes);
	return 0;
}
