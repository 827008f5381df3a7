/*
 * test_companion_events.c - unit tests of the plugin's reading of a
 * companion's stdout (plugin/companion_events.c): lines cut from reads of
 * any size, lines read into typed events, and a livestream's part and
 * segment events reaching the LL-HLS model (hls/hls.c) as capture.c
 * passes them on, odd numbers included.
 */
#include <stdint.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "companion_events.h"
#include "unit.h"

/* ---- lines ---- */

typedef struct collected {
	GPtrArray *lines;   /* char* (owned) */
} collected;

static void collect(const char *line, size_t len, void *user_data) {
	collected *c = user_data;
	CHECK_EQ_INT(strlen(line), len);
	g_ptr_array_add(c->lines, g_strndup(line, len));
}

/* Feeds `text` in reads of `chunk` bytes; returns the lines (free with g_ptr_array_unref). */
static GPtrArray *feed(const char *text, size_t len, size_t chunk) {
	collected c = { g_ptr_array_new_with_free_func(g_free) };
	rtk_event_lines lines;
	rtk_event_lines_init(&lines);
	for(size_t at = 0; at < len; at += chunk)
		rtk_event_lines_feed(&lines, text + at, MIN(chunk, len - at), collect, &c);
	rtk_event_lines_clear(&lines);
	return c.lines;
}

static void test_lines_across_reads(void) {
	static const char text[] = "{\"event\":\"ready\",\"rtp_port\":40123}\n\n{\"event\":\"started\"}\n{\"event\":\"prog";
	for(size_t chunk = 1; chunk <= sizeof text; chunk++) {
		GPtrArray *lines = feed(text, sizeof text - 1, chunk);
		CHECK_EQ_INT(lines->len, 3);   /* the unfinished last line is not one */
		if(lines->len == 3) {
			CHECK_EQ_STR(g_ptr_array_index(lines, 0), "{\"event\":\"ready\",\"rtp_port\":40123}");
			CHECK_EQ_STR(g_ptr_array_index(lines, 1), "");
			CHECK_EQ_STR(g_ptr_array_index(lines, 2), "{\"event\":\"started\"}");
		}
		g_ptr_array_unref(lines);
	}
}

static void test_long_line_cut(void) {
	/* 70000 bytes of one line, then a short one: the long one is cut to
	 * RTK_COMPANION_LINE_MAX bytes and is no event; the next is intact. */
	GString *text = g_string_new("{\"event\":\"stats\",\"pad\":\"");
	while(text->len < 70000)
		g_string_append_c(text, 'x');
	g_string_append(text, "\"}\n{\"event\":\"started\"}\n");
	GPtrArray *lines = feed(text->str, text->len, 4096);
	CHECK_EQ_INT(lines->len, 2);
	if(lines->len == 2) {
		const char *cut = g_ptr_array_index(lines, 0);
		CHECK_EQ_INT(strlen(cut), RTK_COMPANION_LINE_MAX);
		rtk_companion_event ev;
		CHECK(!rtk_companion_event_parse(cut, strlen(cut), &ev));
		CHECK_EQ_STR(g_ptr_array_index(lines, 1), "{\"event\":\"started\"}");
	}
	g_ptr_array_unref(lines);
	g_string_free(text, TRUE);
}

/* ---- events ---- */

static gboolean parse(const char *line, rtk_companion_event *ev) {
	return rtk_companion_event_parse(line, strlen(line), ev);
}

static void test_events(void) {
	rtk_companion_event ev;
	CHECK(parse("{\"event\":\"ready\",\"rtp_port\":40123}", &ev));
	CHECK_EQ_INT(ev.kind, RTK_COMPANION_EVENT_READY);
	CHECK_EQ_INT(ev.rtp_port, 40123);
	rtk_companion_event_clear(&ev);

	CHECK(parse("{\"event\":\"progress\",\"output_s\":12.04,\"late_frames\":3}", &ev));
	CHECK_EQ_INT(ev.kind, RTK_COMPANION_EVENT_PROGRESS);
	CHECK(ev.output_s == 12.04);
	CHECK_EQ_INT(ev.late_frames, 3);
	rtk_companion_event_clear(&ev);

	CHECK(parse("{\"event\":\"keyframe\",\"ssrc\":4294967295}", &ev));
	CHECK_EQ_INT(ev.kind, RTK_COMPANION_EVENT_KEYFRAME);
	CHECK(ev.ssrc == UINT32_MAX);
	rtk_companion_event_clear(&ev);

	CHECK(parse("{\"event\":\"part\",\"msn\":7,\"part\":3,\"duration\":0.2,\"independent\":true}", &ev));
	CHECK_EQ_INT(ev.kind, RTK_COMPANION_EVENT_PART);
	CHECK_EQ_INT(ev.msn, 7);
	CHECK_EQ_INT(ev.part, 3);
	CHECK(ev.duration == 0.2 && ev.independent);
	rtk_companion_event_clear(&ev);

	CHECK(parse("{\"event\":\"segment\",\"msn\":7,\"duration\":2}", &ev));
	CHECK_EQ_INT(ev.kind, RTK_COMPANION_EVENT_SEGMENT);
	CHECK(ev.msn == 7 && ev.duration == 2.0);
	rtk_companion_event_clear(&ev);

	CHECK(parse("{\"event\":\"error\",\"message\":\"encoding failed\"}", &ev));
	CHECK_EQ_INT(ev.kind, RTK_COMPANION_EVENT_ERROR);
	CHECK_EQ_STR(ev.message, "encoding failed");
	rtk_companion_event_clear(&ev);

	/* Objects the plugin does not act on still reach it; the rest is no event. */
	CHECK(parse("{\"event\":\"paused\"}", &ev));
	CHECK_EQ_INT(ev.kind, RTK_COMPANION_EVENT_OTHER);
	CHECK_EQ_STR(ev.name, "paused");
	rtk_companion_event_clear(&ev);
	CHECK(parse("{\"rtp_port\":1}", &ev));
	CHECK(ev.kind == RTK_COMPANION_EVENT_OTHER && ev.name == NULL && ev.rtp_port == 0);
	rtk_companion_event_clear(&ev);
	CHECK(!parse("[\"event\",\"ready\"]", &ev));
	CHECK(!parse("{\"event\":\"ready\"", &ev));
	CHECK(!parse("", &ev));
}

/* Values no companion of ours writes: out of range, they read as "none". */
static void test_odd_values(void) {
	rtk_companion_event ev;
	/* 2^32 + 5000 is no port (it was connected to port 5000 before). */
	CHECK(parse("{\"event\":\"ready\",\"rtp_port\":4294972296}", &ev));
	CHECK_EQ_INT(ev.rtp_port, 0);
	rtk_companion_event_clear(&ev);
	CHECK(parse("{\"event\":\"ready\",\"rtp_port\":65536}", &ev));
	CHECK_EQ_INT(ev.rtp_port, 0);
	rtk_companion_event_clear(&ev);
	CHECK(parse("{\"event\":\"ready\",\"rtp_port\":\"40123\"}", &ev));
	CHECK_EQ_INT(ev.rtp_port, 0);
	rtk_companion_event_clear(&ev);
	/* Part 2^32 + 1 is no part 1. */
	CHECK(parse("{\"event\":\"part\",\"msn\":0,\"part\":4294967297,\"duration\":0.2}", &ev));
	CHECK_EQ_INT(ev.part, -1);
	rtk_companion_event_clear(&ev);
}

/* ---- into the LL-HLS model ---- */

static char *dir;

static void announce(rtk_hls *hls, const char *line) {
	rtk_companion_event ev;
	CHECK(parse(line, &ev));
	rtk_companion_event_to_hls(hls, "live", &ev);
	rtk_companion_event_clear(&ev);
}

static gboolean playlist_has(rtk_hls *hls, const char *what) {
	char *text = rtk_hls_playlist(hls, "live", false);
	gboolean has = text != NULL && strstr(text, what) != NULL;
	free(text);
	return has;
}

static void test_to_hls(void) {
	rtk_hls *hls = rtk_hls_new();
	CHECK_EQ_INT(rtk_hls_stream_open(hls, "live", dir, 0.5, 2.0), 0);
	announce(hls, "{\"event\":\"part\",\"msn\":0,\"part\":0,\"duration\":0.5,\"independent\":true}");
	announce(hls, "{\"event\":\"part\",\"msn\":0,\"part\":1,\"duration\":0.5}");
	announce(hls, "{\"event\":\"segment\",\"msn\":0,\"duration\":1.0}");
	announce(hls, "{\"event\":\"progress\",\"output_s\":1.0}");   /* not for the model */
	CHECK(playlist_has(hls, "URI=\"seg0.0.m4s\",INDEPENDENT=YES\n"));
	CHECK(playlist_has(hls, "URI=\"seg0.1.m4s\"\n"));
	CHECK(playlist_has(hls, "#EXTINF:1.000,\nseg0.m4s\n"));
	CHECK(playlist_has(hls, "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"seg1.0.m4s\"\n"));
	rtk_hls_free(hls);
}

/* A companion numbering segments past 2^53 - 1 (the largest a player's
 * JavaScript reads exactly): the announcement is ignored. Before, the
 * model took segment 2^63 - 1 and counted past it (signed overflow) to
 * hint the next part. */
static void test_to_hls_msn_bound(void) {
	rtk_hls *hls = rtk_hls_new();
	CHECK_EQ_INT(rtk_hls_stream_open(hls, "live", dir, 0.5, 2.0), 0);
	announce(hls, "{\"event\":\"segment\",\"msn\":9223372036854775807,\"duration\":2.0}");
	CHECK(!playlist_has(hls, "seg9223372036854775807"));
	CHECK(playlist_has(hls, "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"seg0.0.m4s\"\n"));
	announce(hls, "{\"event\":\"part\",\"msn\":9007199254740992,\"part\":0,\"duration\":0.5}");
	CHECK(!playlist_has(hls, "seg9007199254740992"));
	/* The largest one is taken. */
	announce(hls, "{\"event\":\"segment\",\"msn\":9007199254740991,\"duration\":2.0}");
	CHECK(playlist_has(hls, "#EXTINF:2.000,\nseg9007199254740991.m4s\n"));
	CHECK(playlist_has(hls, "URI=\"seg9007199254740992.0.m4s\"\n"));
	rtk_hls_free(hls);
}

int main(void) {
	dir = g_dir_make_tmp("rtk-test-events-XXXXXX", NULL);
	CHECK_NOT_NULL(dir);
	UNIT_RUN(test_lines_across_reads);
	UNIT_RUN(test_long_line_cut);
	UNIT_RUN(test_events);
	UNIT_RUN(test_odd_values);
	UNIT_RUN(test_to_hls);
	UNIT_RUN(test_to_hls_msn_bound);
	g_rmdir(dir);
	g_free(dir);
	return UNIT_DONE();
}
