/*
 * test_recorder_core.c - the recorder's media core end to end: decoders,
 * compositor, mixer, output and the pipeline that ties them
 * (media/pipeline.h), without RTP or processes.
 *
 * Inputs are made here with libavcodec itself (VP8 or H.264 pictures of one
 * solid colour per participant with a moving bar at the top, 640x480, and Opus
 * sines), wrapped as rtk_frames with RTP timestamps (90 kHz / 48 kHz, bases
 * near the 32-bit wrap), and fed on media time: the test drives the
 * pipeline clock explicitly, so every run is identical. The outputs are
 * checked with libavformat/libavcodec and with the ffprobe command line:
 * codecs, size, duration, tile colours, audio energy, pause without a gap,
 * and a file cut at 60% (a recorder killed mid-way) still playing.
 */
#include "unit.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>

#include "compositor.h"
#include "pipeline.h"

#define MS 1000000LL
#define TOL 24 /* per YUV component, after two lossy generations + scaling */

/* ---- synthetic inputs: media_inputs.h ---- */

#include "media_inputs.h"

/* ---- feeding the pipeline on media time ---- */

typedef struct tpart {
	const char *id, *name;
	rtk_yuv colour;
	int join_ms, leave_ms;      /* leave_ms < 0: stays */
	bool video, h264;           /* camera sent as H.264 instead of VP8 */
	tstream v, a, screen;       /* screen: shared from share_ms */
	int share_ms;               /* < 0: never */
	uint32_t vbase, abase;
	bool present;
} tpart;

static void tpart_make(tpart *p, int end_ms, double hz)
{
	int ms = (p->leave_ms >= 0 ? p->leave_ms : end_ms) - p->join_ms;
	if (p->video)
		make_video(p->colour, ms / 40 + 1, p->h264, &p->v);
	make_audio(hz, ms / 20 + 1, &p->a);
	p->vbase = 4294967295u - 90000; /* wraps one second in */
	p->abase = 4294967295u - 24000;
}

static void tpart_push(rtk_pipeline *pl, tpart *p, tstream *s, rtk_codec codec, rtk_source source,
	int start_ms, int now_ms)
{
	while (s->next < s->count) {
		tpkt *k = &s->pkts[s->next];
		bool audio = codec == RTK_CODEC_OPUS;
		/* audio: packet i is 20 ms; video: pts counts 40 ms frames */
		int64_t index = audio ? (int64_t)s->next : k->pts;
		int at_ms = start_ms + (int)(index * (audio ? 20 : 40));
		if (at_ms > now_ms)
			break;
		rtk_frame f = {
			.codec = codec, .data = k->data, .size = k->size, .ssrc = 1, .keyframe = k->key,
			.timestamp = (int64_t)(audio ? p->abase : p->vbase) + index * (audio ? 960 : 3600),
		};
		CHECK_EQ_INT(rtk_pipeline_push(pl, p->id, source, &f), 0);
		s->next++;
	}
}

/* Runs `parts` from 0 to end_ms in 10 ms steps; pauses over
 * [pause_ms, resume_ms) when pause_ms >= 0. */
static void feed(rtk_pipeline *pl, tpart *parts, int n, int end_ms, int pause_ms, int resume_ms)
{
	for (int t = 0; t <= end_ms; t += 10) {
		for (int i = 0; i < n; i++) {
			tpart *p = &parts[i];
			if (t == p->join_ms) {
				CHECK_EQ_INT(rtk_pipeline_add_participant(pl, p->id, p->name), 0);
				p->present = true;
			}
			if (p->present && t == p->leave_ms) {
				CHECK_EQ_INT(rtk_pipeline_remove_participant(pl, p->id), 0);
				p->present = false;
			}
			if (!p->present)
				continue;
			if (t == p->share_ms)
				CHECK_EQ_INT(rtk_pipeline_set_screenshare(pl, p->id, true), 0);
			tpart_push(pl, p, &p->v, p->h264 ? RTK_CODEC_H264 : RTK_CODEC_VP8, RTK_SOURCE_CAMERA,
				p->join_ms, t);
			tpart_push(pl, p, &p->a, RTK_CODEC_OPUS, RTK_SOURCE_CAMERA, p->join_ms, t);
			if (p->share_ms >= 0 && t >= p->share_ms)
				tpart_push(pl, p, &p->screen, RTK_CODEC_VP8, RTK_SOURCE_SCREEN, p->share_ms, t);
		}
		if (t == pause_ms)
			CHECK_EQ_INT(rtk_pipeline_pause(pl, t * MS), 0);
		else if (t == resume_ms)
			CHECK_EQ_INT(rtk_pipeline_resume(pl, t * MS), 0);
		CHECK_EQ_INT(rtk_pipeline_tick(pl, t * MS), 0);
	}
}

static void tparts_free(tpart *parts, int n)
{
	for (int i = 0; i < n; i++) {
		tstream_free(&parts[i].v);
		tstream_free(&parts[i].a);
		tstream_free(&parts[i].screen);
	}
}

/* ---- checking outputs ---- */

typedef struct probe {
	char vcodec[32], acodec[32];
	int width, height, sample_rate, channels;
	double duration;
} probe;

static bool probe_avformat(const char *path, probe *pr)
{
	memset(pr, 0, sizeof(*pr));
	AVFormatContext *fmt = NULL;
	if (avformat_open_input(&fmt, path, NULL, NULL) < 0)
		return false;
	avformat_find_stream_info(fmt, NULL);
	for (unsigned i = 0; i < fmt->nb_streams; i++) {
		const AVCodecParameters *par = fmt->streams[i]->codecpar;
		if (par->codec_type == AVMEDIA_TYPE_VIDEO) {
			snprintf(pr->vcodec, sizeof(pr->vcodec), "%s", avcodec_get_name(par->codec_id));
			pr->width = par->width;
			pr->height = par->height;
		} else if (par->codec_type == AVMEDIA_TYPE_AUDIO) {
			snprintf(pr->acodec, sizeof(pr->acodec), "%s", avcodec_get_name(par->codec_id));
			pr->sample_rate = par->sample_rate;
			pr->channels = par->ch_layout.nb_channels;
		}
	}
	pr->duration = fmt->duration > 0 ? fmt->duration / (double)AV_TIME_BASE : 0;
	avformat_close_input(&fmt);
	return true;
}

static void check_ffprobe(const char *path, const char *vcodec, const char *acodec, int w, int h,
	double duration)
{
	char *json = ffprobe_json(path);
	CHECK_NOT_NULL(json);
	if (json == NULL)
		return;
	char v[64], a[64], ws[16], hs[16];
	snprintf(v, sizeof(v), "\"%s\"", vcodec);
	snprintf(a, sizeof(a), "\"%s\"", acodec);
	snprintf(ws, sizeof(ws), "%d", w);
	snprintf(hs, sizeof(hs), "%d", h);
	CHECK(json_has(json, "codec_name", v));
	CHECK(json_has(json, "codec_name", a));
	CHECK(json_has(json, "width", ws));
	CHECK(json_has(json, "height", hs));
	double d = ffprobe_duration(json);
	CHECK(fabs(d - duration) <= duration * 0.1);
	if (fabs(d - duration) > duration * 0.1)
		fprintf(stderr, "\tffprobe duration %.3f, expected %.3f\n", d, duration);
	free(json);
}

static void check_file(const char *path, const char *vcodec, const char *acodec, int w, int h,
	double duration)
{
	probe pr;
	CHECK(probe_avformat(path, &pr));
	CHECK_EQ_STR(pr.vcodec, vcodec);
	CHECK_EQ_STR(pr.acodec, acodec);
	CHECK_EQ_INT(pr.width, w);
	CHECK_EQ_INT(pr.height, h);
	CHECK_EQ_INT(pr.sample_rate, 48000);
	CHECK_EQ_INT(pr.channels, 2);
	CHECK(fabs(pr.duration - duration) <= duration * 0.1);
	if (fabs(pr.duration - duration) > duration * 0.1)
		fprintf(stderr, "\tlibavformat duration %.3f, expected %.3f\n", pr.duration, duration);
	check_ffprobe(path, vcodec, acodec, w, h, duration);
}

/* Decodes the first video frame at or after `at` seconds into `out`
 * (YUV 4:2:0) and the RMS of all audio into *rms. */
static bool decode_output(const char *path, double at, AVFrame *out, double *rms)
{
	AVFormatContext *fmt = NULL;
	if (avformat_open_input(&fmt, path, NULL, NULL) < 0)
		return false;
	avformat_find_stream_info(fmt, NULL);
	AVCodecContext *dec[8] = { 0 };
	for (unsigned i = 0; i < fmt->nb_streams && i < 8; i++) {
		const AVCodecParameters *par = fmt->streams[i]->codecpar;
		dec[i] = avcodec_alloc_context3(avcodec_find_decoder(par->codec_id));
		avcodec_parameters_to_context(dec[i], par);
		avcodec_open2(dec[i], NULL, NULL);
	}
	AVPacket *pkt = av_packet_alloc();
	AVFrame *f = av_frame_alloc();
	bool got = false;
	double sum = 0;
	long long samples = 0;
	while (av_read_frame(fmt, pkt) >= 0) {
		unsigned si = (unsigned)pkt->stream_index;
		AVStream *st = fmt->streams[si];
		if (si < 8 && avcodec_send_packet(dec[si], pkt) >= 0) {
			while (avcodec_receive_frame(dec[si], f) == 0) {
				if (st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO && !got &&
				    f->pts * av_q2d(st->time_base) >= at) {
					av_frame_ref(out, f);
					got = true;
				} else if (st->codecpar->codec_type == AVMEDIA_TYPE_AUDIO &&
					   f->format == AV_SAMPLE_FMT_FLTP) {
					for (int n = 0; n < f->nb_samples; n++) {
						float s = ((float *)f->data[0])[n];
						sum += s * s;
					}
					samples += f->nb_samples;
				}
				av_frame_unref(f);
			}
		}
		av_packet_unref(pkt);
	}
	*rms = samples ? sqrt(sum / samples) : 0;
	av_frame_free(&f);
	av_packet_free(&pkt);
	for (int i = 0; i < 8; i++)
		avcodec_free_context(&dec[i]);
	avformat_close_input(&fmt);
	return got;
}

static bool near_colour(const AVFrame *f, const rtk_rect *r, rtk_yuv want)
{
	int x = r->x + r->w / 2, y = r->y + r->h / 2;
	int Y = f->data[0][y * f->linesize[0] + x];
	int U = f->data[1][(y / 2) * f->linesize[1] + x / 2];
	int V = f->data[2][(y / 2) * f->linesize[2] + x / 2];
	bool ok = abs(Y - want.y) <= TOL && abs(U - want.u) <= TOL && abs(V - want.v) <= TOL;
	if (!ok)
		fprintf(stderr, "\tat (%d,%d): yuv %d %d %d, want %d %d %d\n", x, y, Y, U, V,
			want.y, want.u, want.v);
	return ok;
}

/* A placeholder tile's colour, checked above its centre, where a name
 * label (compositor.h) may be drawn. */
static bool near_placeholder(const AVFrame *f, const rtk_rect *r)
{
	rtk_rect upper = { r->x, r->y, r->w, r->h / 2 };
	return near_colour(f, &upper, rtk_compositor_placeholder);
}

/* Pixels of a name label (compositor.h) in the middle band of a tile, in
 * the file as decoded: much brighter than the placeholder colour. */
static int label_pixels(const AVFrame *f, const rtk_rect *r)
{
	int bright = 0;
	for (int y = r->y + r->h * 3 / 8; y < r->y + r->h * 5 / 8; y++)
		for (int x = r->x; x < r->x + r->w; x++)
			bright += f->data[0][y * f->linesize[0] + x] > rtk_compositor_placeholder.y + 60;
	return bright;
}

/* Copies the first `fraction` of src's bytes to dst (a file cut short as
 * if its writer had been killed). */
static bool copy_prefix(const char *src, const char *dst, double fraction)
{
	FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
	bool ok = in != NULL && out != NULL;
	if (ok) {
		fseek(in, 0, SEEK_END);
		long size = ftell(in);
		fseek(in, 0, SEEK_SET);
		size_t keep = (size_t)(size * fraction);
		char *buf = malloc(keep + 1);
		ok = fread(buf, 1, keep, in) == keep && fwrite(buf, 1, keep, out) == keep;
		free(buf);
	}
	if (in != NULL)
		fclose(in);
	if (out != NULL)
		fclose(out);
	return ok;
}

static const rtk_yuv RED = { 81, 90, 240 }, GREEN = { 145, 54, 34 }, BLUE = { 41, 240, 110 },
	YELLOW = { 210, 16, 146 };

/* A, B and D (audio only: a placeholder tile) from 0 s, C (H.264 camera)
 * joins at 1 s, B leaves at 3 s; 4 s in all. */
static void make_meeting(tpart *parts)
{
	tpart init[4] = {
		{ .id = "a", .name = "Alice", .colour = RED, .join_ms = 0, .leave_ms = -1, .video = true, .share_ms = -1 },
		{ .id = "b", .name = "Bob", .colour = GREEN, .join_ms = 0, .leave_ms = 3000, .video = true, .share_ms = -1 },
		{ .id = "d", .name = "Dee", .join_ms = 0, .leave_ms = -1, .video = false, .share_ms = -1 },
		{ .id = "c", .name = "Carol", .colour = BLUE, .join_ms = 1000, .leave_ms = -1, .video = true,
		  .h264 = true, .share_ms = -1 },
	};
	static const double hz[4] = { 440, 660, 330, 880 };
	for (int i = 0; i < 4; i++) {
		parts[i] = init[i];
		tpart_make(&parts[i], 4000, hz[i]);
	}
}

static char tmpdir[64];

static void path_in_tmp(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", tmpdir, name);
}

/* ---- the tests ---- */

static void test_layout(void)
{
	rtk_rect r[RTK_COMPOSITOR_MAX_TILES + 1];
	CHECK_EQ_INT(rtk_compositor_layout(1280, 720, 1, false, r), 1);
	CHECK(r[0].x == 0 && r[0].y == 0 && r[0].w == 1280 && r[0].h == 720);
	CHECK_EQ_INT(rtk_compositor_layout(1280, 720, 2, false, r), 2);
	CHECK(r[1].x == 640 && r[1].y == 0 && r[1].w == 640 && r[1].h == 720);
	CHECK_EQ_INT(rtk_compositor_layout(1280, 720, 4, false, r), 4);
	CHECK(r[3].x == 640 && r[3].y == 360 && r[3].w == 640 && r[3].h == 360);
	CHECK_EQ_INT(rtk_compositor_layout(1280, 720, 9, false, r), 9);
	CHECK(r[8].w == 426 && r[8].h == 240);
	CHECK_EQ_INT(rtk_compositor_layout(1280, 720, 2, true, r), 3);
	CHECK(r[0].x == 0 && r[0].w == 960 && r[0].h == 720);
	CHECK(r[1].x == 960 && r[1].w == 320 && r[1].h == 180 && r[2].y == 180);
	/* every rect even and inside, whatever the count */
	for (int n = 0; n <= 60; n++) {
		int c = rtk_compositor_layout(642, 362, n, n % 2, r);
		for (int i = 0; i < c; i++)
			CHECK(r[i].x % 2 == 0 && r[i].y % 2 == 0 && r[i].w % 2 == 0 && r[i].h % 2 == 0 &&
			      r[i].x + r[i].w <= 642 && r[i].y + r[i].h <= 362);
	}
}

static void test_mp4_grid(void)
{
	tpart parts[4];
	make_meeting(parts);
	char path[128];
	path_in_tmp(path, sizeof(path), "grid.mp4");
	char err[256] = "";
	rtk_pipeline_config cfg = { .path = path, .format = RTK_OUTPUT_MP4_H264_AAC, .width = 1280,
		.height = 720, .fps = 25, .audio_delay_ms = 40 };
	rtk_pipeline *pl = rtk_pipeline_new(&cfg, err, sizeof(err));
	CHECK_NOT_NULL(pl);
	if (pl == NULL) {
		fprintf(stderr, "\t%s\n", err);
		tparts_free(parts, 4);
		return;
	}
	feed(pl, parts, 4, 4000, -1, -1);
	rtk_pipeline_stats st;
	rtk_pipeline_get_stats(pl, &st);
	CHECK_EQ_INT(st.video_frames, 101);
	CHECK_EQ_INT(st.audio_samples, 4 * 48000);
	CHECK_EQ_INT(st.decode_errors, 0);
	CHECK_EQ_INT(rtk_pipeline_finish(pl), 0);
	rtk_pipeline_free(pl);

	check_file(path, "h264", "aac", 1280, 720, 4.0);

	rtk_rect r[RTK_COMPOSITOR_MAX_TILES + 1];
	AVFrame *f = av_frame_alloc();
	double rms = 0;
	/* 2.5 s: A, B, D (placeholder), C in a 2x2 grid */
	CHECK(decode_output(path, 2.5, f, &rms));
	if (f->width == 1280) {
		rtk_compositor_layout(1280, 720, 4, false, r);
		CHECK(near_colour(f, &r[0], RED));
		CHECK(near_colour(f, &r[1], GREEN));
		CHECK(near_placeholder(f, &r[2]));
		CHECK(label_pixels(f, &r[2]) >= 50);   /* D's name */
		CHECK_EQ_INT(label_pixels(f, &r[0]), 0);   /* a picture carries no label */
		CHECK(near_colour(f, &r[3], BLUE));
	}
	CHECK(rms > 0.1); /* three or four 0.2 sines, not silence */
	if (rms <= 0.1)
		fprintf(stderr, "\taudio rms %.3f\n", rms);
	av_frame_unref(f);
	/* 3.8 s: B left: A, D, C */
	CHECK(decode_output(path, 3.8, f, &rms));
	if (f->width == 1280) {
		rtk_compositor_layout(1280, 720, 3, false, r);
		CHECK(near_colour(f, &r[0], RED));
		CHECK(near_placeholder(f, &r[1]));
		CHECK(near_colour(f, &r[2], BLUE));
		rtk_rect empty = { 640, 360, 640, 360 }; /* the grid's unused fourth cell */
		CHECK(near_colour(f, &empty, rtk_compositor_background));
	}
	av_frame_free(&f);

	/* Killed mid-way: the first 60% of the bytes still play, to ~2 s. */
	char cut[128];
	path_in_tmp(cut, sizeof(cut), "cut.mp4");
	CHECK(copy_prefix(path, cut, 0.6));
	char *json = ffprobe_json(cut);
	CHECK_NOT_NULL(json);
	double d = json ? ffprobe_duration(json) : -1;
	CHECK(d > 0);
	fprintf(stderr, "\tcut at 60%%: ffprobe duration %.3f s\n", d);
	free(json);
	f = av_frame_alloc();
	av_log_set_level(AV_LOG_QUIET); /* "partial file": expected here */
	CHECK(decode_output(cut, 2.0, f, &rms));
	av_log_set_level(AV_LOG_ERROR);
	av_frame_free(&f);
	tparts_free(parts, 4);
}

static void test_webm_screenshare(void)
{
	tpart parts[4];
	make_meeting(parts);
	/* Alice shares a yellow screen from 1.5 s. */
	parts[0].share_ms = 1500;
	make_video(YELLOW, 2500 / 40 + 1, false, &parts[0].screen);
	char path[128];
	path_in_tmp(path, sizeof(path), "share.webm");
	char err[256] = "";
	rtk_pipeline_config cfg = { .path = path, .format = RTK_OUTPUT_WEBM_VP8_OPUS, .width = 640,
		.height = 360, .fps = 25, .audio_delay_ms = 40 };
	rtk_pipeline *pl = rtk_pipeline_new(&cfg, err, sizeof(err));
	CHECK_NOT_NULL(pl);
	if (pl == NULL) {
		fprintf(stderr, "\t%s\n", err);
		tparts_free(parts, 4);
		return;
	}
	feed(pl, parts, 4, 4000, -1, -1);
	CHECK_EQ_INT(rtk_pipeline_finish(pl), 0);
	rtk_pipeline_free(pl);

	check_file(path, "vp8", "opus", 640, 360, 4.0);

	rtk_rect r[RTK_COMPOSITOR_MAX_TILES + 1];
	AVFrame *f = av_frame_alloc();
	double rms = 0;
	/* 1.0 s: the grid (A, B, D) before the share */
	CHECK(decode_output(path, 1.0 - 0.001, f, &rms));
	if (f->width == 640) {
		rtk_compositor_layout(640, 360, 3, false, r);
		CHECK(near_colour(f, &r[0], RED));
		CHECK(near_colour(f, &r[1], GREEN));
		CHECK(near_placeholder(f, &r[2]));
	}
	CHECK(rms > 0.1);
	av_frame_unref(f);
	/* 2.5 s: the share in the main area, A, B, D, C in the strip */
	CHECK(decode_output(path, 2.5, f, &rms));
	if (f->width == 640) {
		rtk_compositor_layout(640, 360, 4, true, r);
		CHECK(near_colour(f, &r[0], YELLOW));
		CHECK(near_colour(f, &r[1], RED));
		CHECK(near_colour(f, &r[2], GREEN));
		CHECK(near_placeholder(f, &r[3]));
		CHECK(near_colour(f, &r[4], BLUE));
	}
	av_frame_free(&f);
	/* WebM cut at 60%: complete clusters still decode, past 1.5 s. */
	char cut[128];
	path_in_tmp(cut, sizeof(cut), "cut.webm");
	CHECK(copy_prefix(path, cut, 0.6));
	f = av_frame_alloc();
	av_log_set_level(AV_LOG_QUIET); /* "File ended prematurely": expected */
	CHECK(decode_output(cut, 1.5, f, &rms));
	av_log_set_level(AV_LOG_ERROR);
	av_frame_free(&f);
	tparts_free(parts, 4);
}

static void test_pause(void)
{
	tpart parts[1] = {
		{ .id = "a", .name = "Alice", .colour = RED, .join_ms = 0, .leave_ms = -1, .video = true, .share_ms = -1 },
	};
	tpart_make(&parts[0], 3000, 440);
	char path[128];
	path_in_tmp(path, sizeof(path), "pause.mp4");
	char err[256] = "";
	rtk_pipeline_config cfg = { .path = path, .format = RTK_OUTPUT_MP4_H264_AAC, .width = 320,
		.height = 240, .fps = 25 };
	rtk_pipeline *pl = rtk_pipeline_new(&cfg, err, sizeof(err));
	CHECK_NOT_NULL(pl);
	if (pl == NULL) {
		fprintf(stderr, "\t%s\n", err);
		tparts_free(parts, 1);
		return;
	}
	feed(pl, parts, 1, 3000, 1000, 2000);
	CHECK(!rtk_pipeline_paused(pl));
	rtk_pipeline_stats st;
	rtk_pipeline_get_stats(pl, &st);
	CHECK_EQ_INT(st.output_ns, 2000 * MS);
	CHECK_EQ_INT(st.video_frames, 51);
	CHECK_EQ_INT(st.audio_samples, 2 * 48000);
	CHECK_EQ_INT(rtk_pipeline_finish(pl), 0);
	rtk_pipeline_free(pl);
	check_file(path, "h264", "aac", 320, 240, 2.0);
	tparts_free(parts, 1);
}

static void test_bad_config(void)
{
	char err[256] = "";
	rtk_pipeline_config cfg = { .path = "/nonexistent-dir/x.mp4", .format = RTK_OUTPUT_MP4_H264_AAC };
	CHECK_NULL(rtk_pipeline_new(&cfg, err, sizeof(err)));
	CHECK(strstr(err, "cannot open output file") != NULL);
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rtk_recorder_core_XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	av_log_set_level(AV_LOG_ERROR);
	UNIT_RUN(test_layout);
	UNIT_RUN(test_mp4_grid);
	UNIT_RUN(test_webm_screenshare);
	UNIT_RUN(test_pause);
	UNIT_RUN(test_bad_config);
	if (unit_failures == 0 && getenv("RTK_KEEP_OUTPUTS") == NULL) {
		const char *names[] = { "grid.mp4", "cut.mp4", "share.webm", "cut.webm", "pause.mp4" };
		char path[128];
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			path_in_tmp(path, sizeof(path), names[i]);
			unlink(path);
		}
		rmdir(tmpdir);
	} else {
		fprintf(stderr, "outputs kept in %s (RTK_KEEP_OUTPUTS or a failure)\n", tmpdir);
	}
	return UNIT_DONE();
}
