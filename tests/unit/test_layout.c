/*
 * test_layout.c - the composite's layouts (media/layout.h) and who the
 * pipeline features (media/pipeline.h, Layout), without RTP, processes or
 * Janus:
 *   - the geometry: tiles for 0..60 cameras in each layout, with and
 *     without a screenshare (exact rectangles for the common cases; every
 *     rectangle even and inside the canvas; ACTIVE_SPEAKER's thumbnails
 *     capped; PRESENTATION without a share is the grid);
 *   - the control commands "speaker" and "layout" (media/control.h);
 *   - a recording driven on media time (synthetic VP8 cameras of one
 *     colour each, media_inputs.h) with ACTIVE_SPEAKER: the featured
 *     camera fills the frame, a newly named speaker replaces it at once,
 *     the next one only after the hold (RTK_PIPELINE_SPEAKER_HOLD_MS), a
 *     speaker named back before the hold ends changes nothing, thumbnails
 *     come most recently featured first; then "layout" switches to GRID
 *     and to PRESENTATION (a share large, a strip of cameras below) in
 *     the same file, frames continuous (no encoder restart). The frames are
 *     decoded back with libavcodec at chosen times.
 */
#include "unit.h"

#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

#include "control.h"
#include "layout.h"
#include "pipeline.h"

#include "media_inputs.h"

#define MS 1000000LL
#define TOL 28   /* per YUV component, after two lossy generations + scaling */

static bool rect_is(const rtk_rect *r, int x, int y, int w, int h)
{
	bool ok = r->x == x && r->y == y && r->w == w && r->h == h;
	if (!ok)
		fprintf(stderr, "\trect %d,%d %dx%d, want %d,%d %dx%d\n", r->x, r->y, r->w, r->h, x, y, w, h);
	return ok;
}

/* ---- geometry ---- */

static void test_grid(void)
{
	rtk_layout_tile t[RTK_LAYOUT_TILES_MAX];
	CHECK_EQ_INT(rtk_layout_tiles(RTK_LAYOUT_GRID, 1280, 720, 0, false, t), 0);
	CHECK_EQ_INT(rtk_layout_tiles(RTK_LAYOUT_GRID, 1280, 720, 1, false, t), 1);
	CHECK(rect_is(&t[0].rect, 0, 0, 1280, 720) && t[0].camera == 0 && !t[0].over);
	CHECK_EQ_INT(rtk_layout_tiles(RTK_LAYOUT_GRID, 1280, 720, 3, false, t), 3);
	CHECK(rect_is(&t[2].rect, 0, 360, 640, 360) && t[2].camera == 2);
	/* a share: left three quarters, cameras stacked on the right */
	CHECK_EQ_INT(rtk_layout_tiles(RTK_LAYOUT_GRID, 1280, 720, 2, true, t), 3);
	CHECK(rect_is(&t[0].rect, 0, 0, 960, 720) && t[0].camera == -1);
	CHECK(rect_is(&t[1].rect, 960, 0, 320, 180) && t[1].camera == 0);
	CHECK(rect_is(&t[2].rect, 960, 180, 320, 180) && t[2].camera == 1);
}

static void test_active_speaker(void)
{
	rtk_layout_tile t[RTK_LAYOUT_TILES_MAX];
	CHECK_EQ_INT(rtk_layout_tiles(RTK_LAYOUT_ACTIVE_SPEAKER, 1280, 720, 0, false, t), 0);
	/* one: the whole frame */
	CHECK_EQ_INT(rtk_layout_tiles(RTK_LAYOUT_ACTIVE_SPEAKER, 1280, 720, 1, false, t), 1);
	CHECK(rect_is(&t[0].rect, 0, 0, 1280, 720) && t[0].camera == 0 && !t[0].over);
	/* two: the other a 256x144 thumbnail, centred, 18 px above the bottom */
	CHECK_EQ_INT(rtk_layout_tiles(RTK_LAYOUT_ACTIVE_SPEAKER, 1280, 720, 2, false, t), 2);
	CHECK(rect_is(&t[1].rect, 512, 558, 256, 144) && t[1].camera == 1 && t[1].over);
	/* three: two thumbnails 18 px apart */
	CHECK_EQ_INT(rtk_layout_tiles(RTK_LAYOUT_ACTIVE_SPEAKER, 1280, 720, 3, false, t), 3);
	CHECK(rect_is(&t[1].rect, 374, 558, 256, 144) && rect_is(&t[2].rect, 648, 558, 256, 144));
	CHECK(t[1].camera == 1 && t[2].camera == 2);
	/* nine: the featured and four thumbnails */
	CHECK_EQ_INT(rtk_layout_tiles(RTK_LAYOUT_ACTIVE_SPEAKER, 1280, 720, 9, false, t), 1 + RTK_LAYOUT_THUMBS_MAX);
	CHECK(t[4].camera == 4 && t[4].over);
	/* a share takes the frame; the speaker is the first thumbnail */
	CHECK_EQ_INT(rtk_layout_tiles(RTK_LAYOUT_ACTIVE_SPEAKER, 1280, 720, 2, true, t), 3);
	CHECK(rect_is(&t[0].rect, 0, 0, 1280, 720) && t[0].camera == -1);
	CHECK(t[1].camera == 0 && t[2].camera == 1 && t[1].over && t[2].over);
	CHECK_EQ_INT(rtk_layout_tiles(RTK_LAYOUT_ACTIVE_SPEAKER, 1280, 720, 0, true, t), 1);
}

static void test_presentation(void)
{
	rtk_layout_tile t[RTK_LAYOUT_TILES_MAX], g[RTK_LAYOUT_TILES_MAX];
	/* no share: the grid */
	for (int n = 0; n <= 10; n++) {
		CHECK_EQ_INT(rtk_layout_tiles(RTK_LAYOUT_PRESENTATION, 1280, 720, n, false, t),
			rtk_layout_tiles(RTK_LAYOUT_GRID, 1280, 720, n, false, g));
		for (int i = 0; i < n; i++)
			CHECK(memcmp(&t[i].rect, &g[i].rect, sizeof t[i].rect) == 0 && t[i].camera == g[i].camera &&
			      t[i].over == g[i].over);
	}
	/* a share above, a strip of 256x144 tiles below, centred */
	CHECK_EQ_INT(rtk_layout_tiles(RTK_LAYOUT_PRESENTATION, 1280, 720, 2, true, t), 3);
	CHECK(rect_is(&t[0].rect, 0, 0, 1280, 576) && t[0].camera == -1);
	CHECK(rect_is(&t[1].rect, 384, 576, 256, 144) && t[1].camera == 0 && !t[1].over);
	CHECK(rect_is(&t[2].rect, 640, 576, 256, 144) && t[2].camera == 1);
	/* more than fit: narrower tiles over the whole width */
	CHECK_EQ_INT(rtk_layout_tiles(RTK_LAYOUT_PRESENTATION, 1280, 720, 8, true, t), 9);
	CHECK(rect_is(&t[1].rect, 0, 576, 160, 144) && rect_is(&t[8].rect, 1120, 576, 160, 144));
	/* a share alone: the whole frame */
	CHECK_EQ_INT(rtk_layout_tiles(RTK_LAYOUT_PRESENTATION, 1280, 720, 0, true, t), 1);
	CHECK(rect_is(&t[0].rect, 0, 0, 1280, 720));
}

/* Every layout, any count: tiles even, inside, each camera at most once. */
static void test_bounds(void)
{
	static const rtk_layout layouts[] = { RTK_LAYOUT_GRID, RTK_LAYOUT_ACTIVE_SPEAKER, RTK_LAYOUT_PRESENTATION };
	rtk_layout_tile t[RTK_LAYOUT_TILES_MAX];
	for (size_t l = 0; l < 3; l++)
		for (int n = -1; n <= 60; n++)
			for (int share = 0; share < 2; share++) {
				int c = rtk_layout_tiles(layouts[l], 642, 362, n, share, t);
				CHECK(c >= 0 && c <= RTK_LAYOUT_TILES_MAX);
				bool seen[RTK_LAYOUT_TILES_MAX] = { false };
				int shares = 0;
				for (int i = 0; i < c; i++) {
					const rtk_rect *r = &t[i].rect;
					CHECK(r->x % 2 == 0 && r->y % 2 == 0 && r->w % 2 == 0 && r->h % 2 == 0 &&
					      r->x >= 0 && r->y >= 0 && r->x + r->w <= 642 && r->y + r->h <= 362);
					if (t[i].camera < 0) {
						shares++;
					} else {
						CHECK(t[i].camera < (n < 0 ? 0 : n) && !seen[t[i].camera]);
						seen[t[i].camera] = true;
					}
				}
				CHECK_EQ_INT(shares, share);
			}
}

static void test_names(void)
{
	rtk_layout l = RTK_LAYOUT_GRID;
	CHECK_EQ_INT(rtk_layout_parse("ACTIVE_SPEAKER", &l), 0);
	CHECK_EQ_INT(l, RTK_LAYOUT_ACTIVE_SPEAKER);
	CHECK_EQ_INT(rtk_layout_parse("PRESENTATION", &l), 0);
	CHECK_EQ_STR(rtk_layout_name(l), "PRESENTATION");
	CHECK_EQ_INT(rtk_layout_parse("grid", &l), -1);
	CHECK_EQ_INT(rtk_layout_parse(NULL, &l), -1);
	CHECK_EQ_INT(l, RTK_LAYOUT_PRESENTATION);

	rtk_ctl c;
	char err[160] = "";
	const char *speaker = "{\"cmd\":\"speaker\",\"id\":\"peer-1\"}";
	CHECK_EQ_INT(rtk_ctl_parse(speaker, strlen(speaker), &c, err, sizeof err), 0);
	CHECK(c.kind == RTK_CTL_SPEAKER && strcmp(c.id, "peer-1") == 0);
	const char *layout = "{\"cmd\":\"layout\",\"layout\":\"ACTIVE_SPEAKER\"}";
	CHECK_EQ_INT(rtk_ctl_parse(layout, strlen(layout), &c, err, sizeof err), 0);
	CHECK(c.kind == RTK_CTL_LAYOUT && c.layout == RTK_LAYOUT_ACTIVE_SPEAKER);
	const char *bad[] = { "{\"cmd\":\"speaker\"}", "{\"cmd\":\"speaker\",\"id\":\"\"}",
		"{\"cmd\":\"layout\",\"layout\":\"SPEAKER\"}", "{\"cmd\":\"layout\"}" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		CHECK_EQ_INT(rtk_ctl_parse(bad[i], strlen(bad[i]), &c, err, sizeof err), -1);
		CHECK(err[0] != '\0');
	}
}

/* ---- a recording on media time ---- */

static const rtk_yuv RED = { 81, 90, 240 }, GREEN = { 145, 54, 34 }, BLUE = { 41, 240, 110 },
	YELLOW = { 210, 16, 146 };

#define W 320
#define H 180
#define END_MS 5600

typedef struct cam {
	const char *id;
	rtk_yuv colour;
	tstream v;
} cam;

static void push_due(rtk_pipeline *pl, const char *id, rtk_source source, tstream *s, int start_ms, int now_ms)
{
	while (s->next < s->count && start_ms + s->pkts[s->next].pts * 40 <= now_ms) {
		tpkt *k = &s->pkts[s->next];
		rtk_frame f = { .codec = RTK_CODEC_VP8, .data = k->data, .size = k->size, .ssrc = 1,
			.keyframe = k->key, .timestamp = 90000 + k->pts * 3600 };
		CHECK_EQ_INT(rtk_pipeline_push(pl, id, source, &f), 0);
		s->next++;
	}
}

/* What the commands do, by time (ms): see the top of this file. */
static void apply_commands(rtk_pipeline *pl, int t)
{
	switch (t) {
	case 500: CHECK_EQ_INT(rtk_pipeline_set_speaker(pl, "b"), 0); break;   /* first named: at once */
	case 1200: CHECK_EQ_INT(rtk_pipeline_set_speaker(pl, "c"), 0); break;  /* held until 2.0 s */
	case 2400: CHECK_EQ_INT(rtk_pipeline_set_speaker(pl, "b"), 0); break;  /* held until 3.5 s ... */
	case 2600: CHECK_EQ_INT(rtk_pipeline_set_speaker(pl, "c"), 0); break;  /* ... and taken back */
	case 3800: rtk_pipeline_set_layout(pl, RTK_LAYOUT_GRID); break;
	case 4300: rtk_pipeline_set_layout(pl, RTK_LAYOUT_PRESENTATION); break;
	case 4500: CHECK_EQ_INT(rtk_pipeline_set_screenshare(pl, "a", true), 0); break;
	default: break;
	}
}

/* The decoded output frame first at or after each of `at` (seconds). */
static int decode_frames(const char *path, const double *at, int n, AVFrame **out)
{
	AVFormatContext *fmt = NULL;
	if (avformat_open_input(&fmt, path, NULL, NULL) < 0)
		return 0;
	avformat_find_stream_info(fmt, NULL);
	int vi = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
	AVCodecContext *dec = NULL;
	if (vi >= 0) {
		dec = avcodec_alloc_context3(avcodec_find_decoder(fmt->streams[vi]->codecpar->codec_id));
		avcodec_parameters_to_context(dec, fmt->streams[vi]->codecpar);
		avcodec_open2(dec, NULL, NULL);
	}
	AVPacket *pkt = av_packet_alloc();
	AVFrame *f = av_frame_alloc();
	int got = 0;
	while (dec != NULL && got < n && av_read_frame(fmt, pkt) >= 0) {
		if (pkt->stream_index == vi && avcodec_send_packet(dec, pkt) >= 0)
			while (got < n && avcodec_receive_frame(dec, f) == 0) {
				if (f->pts * av_q2d(fmt->streams[vi]->time_base) >= at[got] - 0.001)
					av_frame_ref(out[got++], f);
				av_frame_unref(f);
			}
		av_packet_unref(pkt);
	}
	av_frame_free(&f);
	av_packet_free(&pkt);
	avcodec_free_context(&dec);
	avformat_close_input(&fmt);
	return got;
}

/* The colour at the centre of `r`, within TOL of `want`. */
static bool colour_at(const AVFrame *f, const rtk_rect *r, rtk_yuv want, const char *what)
{
	int x = r->x + r->w / 2, y = r->y + r->h / 2;
	int Y = f->data[0][y * f->linesize[0] + x];
	int U = f->data[1][(y / 2) * f->linesize[1] + x / 2];
	int V = f->data[2][(y / 2) * f->linesize[2] + x / 2];
	bool ok = abs(Y - want.y) <= TOL && abs(U - want.u) <= TOL && abs(V - want.v) <= TOL;
	if (!ok)
		fprintf(stderr, "\t%s at (%d,%d): yuv %d %d %d, want %d %d %d\n", what, x, y, Y, U, V,
			want.y, want.u, want.v);
	return ok;
}

static void test_speaker_recording(void)
{
	char dir[64] = "/tmp/rtk_layout_XXXXXX", path[128];
	if (mkdtemp(dir) == NULL) {
		CHECK(!"mkdtemp");
		return;
	}
	snprintf(path, sizeof path, "%s/speaker.mp4", dir);
	cam cams[3] = { { "a", RED, { 0 } }, { "b", GREEN, { 0 } }, { "c", BLUE, { 0 } } };
	for (int i = 0; i < 3; i++)
		make_video(cams[i].colour, END_MS / 40 + 1, false, &cams[i].v);
	tstream screen = { 0 };
	make_video(YELLOW, (END_MS - 4500) / 40 + 1, false, &screen);

	char err[256] = "";
	rtk_pipeline_config cfg = { .path = path, .format = RTK_OUTPUT_MP4_H264_AAC, .width = W, .height = H,
		.fps = 25, .audio_delay_ms = 40, .layout = RTK_LAYOUT_ACTIVE_SPEAKER };
	rtk_pipeline *pl = rtk_pipeline_new(&cfg, err, sizeof err);
	CHECK_NOT_NULL(pl);
	if (pl == NULL) {
		fprintf(stderr, "\t%s\n", err);
		return;
	}
	CHECK_EQ_INT(rtk_pipeline_set_speaker(pl, "nobody"), -1);
	for (int i = 0; i < 3; i++)
		CHECK_EQ_INT(rtk_pipeline_add_participant(pl, cams[i].id, cams[i].id), 0);
	for (int t = 0; t <= END_MS; t += 10) {
		apply_commands(pl, t);
		for (int i = 0; i < 3; i++)
			push_due(pl, cams[i].id, RTK_SOURCE_CAMERA, &cams[i].v, 0, t);
		if (t >= 4500)
			push_due(pl, "a", RTK_SOURCE_SCREEN, &screen, 4500, t);
		CHECK_EQ_INT(rtk_pipeline_tick(pl, t * MS), 0);
	}
	rtk_pipeline_stats st;
	rtk_pipeline_get_stats(pl, &st);
	CHECK_EQ_INT(st.video_frames, END_MS / 40 + 1);   /* every frame, through every switch */
	CHECK_EQ_INT(st.decode_errors, 0);
	CHECK_EQ_INT(rtk_pipeline_finish(pl), 0);
	rtk_pipeline_free(pl);

	/* the moments checked, and what each shows */
	static const double at[] = { 0.3, 1.0, 1.8, 2.3, 3.2, 3.7, 4.2, 4.45, 5.3 };
	enum { N = sizeof at / sizeof at[0] };
	AVFrame *f[N];
	for (int i = 0; i < N; i++)
		f[i] = av_frame_alloc();
	CHECK_EQ_INT(decode_frames(path, at, N, f), N);
	rtk_layout_tile as[RTK_LAYOUT_TILES_MAX], grid[RTK_LAYOUT_TILES_MAX], pres[RTK_LAYOUT_TILES_MAX];
	rtk_layout_tiles(RTK_LAYOUT_ACTIVE_SPEAKER, W, H, 3, false, as);
	rtk_layout_tiles(RTK_LAYOUT_GRID, W, H, 3, false, grid);
	rtk_layout_tiles(RTK_LAYOUT_PRESENTATION, W, H, 3, true, pres);
	rtk_rect main_area = { 0, 0, W, as[1].rect.y };   /* above the thumbnails */
	if (f[N - 1]->width == W) {
		/* 0.3 s: nobody named: the first in join order, then B and C */
		CHECK(colour_at(f[0], &main_area, RED, "0.3 s featured A"));
		CHECK(colour_at(f[0], &as[1].rect, GREEN, "0.3 s thumbnail B"));
		CHECK(colour_at(f[0], &as[2].rect, BLUE, "0.3 s thumbnail C"));
		/* 1.0 s: B named at 0.5 s: featured at once */
		CHECK(colour_at(f[1], &main_area, GREEN, "1.0 s featured B"));
		CHECK(colour_at(f[1], &as[1].rect, RED, "1.0 s thumbnail A"));
		CHECK(colour_at(f[1], &as[2].rect, BLUE, "1.0 s thumbnail C"));
		/* 1.8 s: C named at 1.2 s, held: B still */
		CHECK(colour_at(f[2], &main_area, GREEN, "1.8 s B held"));
		/* 2.3 s: the hold is over: C, then B (featured last), then A */
		CHECK(colour_at(f[3], &main_area, BLUE, "2.3 s featured C"));
		CHECK(colour_at(f[3], &as[1].rect, GREEN, "2.3 s thumbnail B"));
		CHECK(colour_at(f[3], &as[2].rect, RED, "2.3 s thumbnail A"));
		/* B named at 2.4 s, C again at 2.6 s: C throughout */
		CHECK(colour_at(f[4], &main_area, BLUE, "3.2 s C"));
		CHECK(colour_at(f[5], &main_area, BLUE, "3.7 s C"));
		/* 4.2 s: GRID: join order */
		CHECK(colour_at(f[6], &grid[0].rect, RED, "4.2 s grid A"));
		CHECK(colour_at(f[6], &grid[1].rect, GREEN, "4.2 s grid B"));
		CHECK(colour_at(f[6], &grid[2].rect, BLUE, "4.2 s grid C"));
		/* 4.45 s: PRESENTATION without a share: the grid */
		CHECK(colour_at(f[7], &grid[1].rect, GREEN, "4.45 s presentation = grid"));
		/* 5.3 s: A's share above, the cameras in a strip below */
		CHECK(colour_at(f[8], &pres[0].rect, YELLOW, "5.3 s the share"));
		CHECK(colour_at(f[8], &pres[1].rect, RED, "5.3 s strip A"));
		CHECK(colour_at(f[8], &pres[2].rect, GREEN, "5.3 s strip B"));
		CHECK(colour_at(f[8], &pres[3].rect, BLUE, "5.3 s strip C"));
	}
	for (int i = 0; i < N; i++)
		av_frame_free(&f[i]);
	for (int i = 0; i < 3; i++)
		tstream_free(&cams[i].v);
	tstream_free(&screen);
	if (unit_failures == 0) {
		unlink(path);
		rmdir(dir);
	} else {
		fprintf(stderr, "output kept in %s\n", path);
	}
}

/* A featured speaker who leaves: the next named one at once, no hold. */
static void test_speaker_leaves(void)
{
	char dir[64] = "/tmp/rtk_layout_XXXXXX", path[128];
	if (mkdtemp(dir) == NULL) {
		CHECK(!"mkdtemp");
		return;
	}
	snprintf(path, sizeof path, "%s/leaves.mp4", dir);
	cam cams[2] = { { "a", RED, { 0 } }, { "b", GREEN, { 0 } } };
	for (int i = 0; i < 2; i++)
		make_video(cams[i].colour, 2000 / 40 + 1, false, &cams[i].v);
	char err[256] = "";
	rtk_pipeline_config cfg = { .path = path, .format = RTK_OUTPUT_MP4_H264_AAC, .width = W, .height = H,
		.fps = 25, .layout = RTK_LAYOUT_ACTIVE_SPEAKER };
	rtk_pipeline *pl = rtk_pipeline_new(&cfg, err, sizeof err);
	CHECK_NOT_NULL(pl);
	if (pl == NULL)
		return;
	for (int i = 0; i < 2; i++)
		CHECK_EQ_INT(rtk_pipeline_add_participant(pl, cams[i].id, cams[i].id), 0);
	bool present[2] = { true, true };
	for (int t = 0; t <= 2000; t += 10) {
		if (t == 200)
			CHECK_EQ_INT(rtk_pipeline_set_speaker(pl, "b"), 0);
		if (t == 600) {   /* B, featured for 0.4 s only, leaves */
			CHECK_EQ_INT(rtk_pipeline_remove_participant(pl, "b"), 0);
			present[1] = false;
		}
		for (int i = 0; i < 2; i++)
			if (present[i])
				push_due(pl, cams[i].id, RTK_SOURCE_CAMERA, &cams[i].v, 0, t);
		CHECK_EQ_INT(rtk_pipeline_tick(pl, t * MS), 0);
	}
	CHECK_EQ_INT(rtk_pipeline_finish(pl), 0);
	rtk_pipeline_free(pl);
	static const double at[] = { 0.5, 0.9 };
	AVFrame *f[2] = { av_frame_alloc(), av_frame_alloc() };
	CHECK_EQ_INT(decode_frames(path, at, 2, f), 2);
	rtk_rect whole = { 0, 0, W, H };
	if (f[1]->width == W) {
		CHECK(colour_at(f[0], &whole, GREEN, "0.5 s B"));
		CHECK(colour_at(f[1], &whole, RED, "0.9 s A, B gone"));   /* not held: B left */
	}
	av_frame_free(&f[0]);
	av_frame_free(&f[1]);
	for (int i = 0; i < 2; i++)
		tstream_free(&cams[i].v);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	(void)make_audio;   /* media_inputs.h's; silence is enough here */
	av_log_set_level(AV_LOG_ERROR);
	UNIT_RUN(test_grid);
	UNIT_RUN(test_active_speaker);
	UNIT_RUN(test_presentation);
	UNIT_RUN(test_bounds);
	UNIT_RUN(test_names);
	UNIT_RUN(test_speaker_recording);
	UNIT_RUN(test_speaker_leaves);
	return UNIT_DONE();
}
