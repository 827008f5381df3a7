/*
 * test_avsync.c - lip sync in the media core (media/pipeline.h):
 * audio and video placed by capture time once RTCP sender reports map
 * their RTP timestamps to the sender's clock, by arrival before.
 *
 * Each sender is a participant whose camera flashes white and whose
 * microphone clicks (a loud 1 kHz burst over near silence) at the same
 * capture time. Inputs are VP8 and Opus encoded here with libavcodec,
 * wrapped as rtk_frames with RTP timestamps (bases near the 32-bit wrap,
 * different per stream), and delivered on a 10 ms media clock, each stream
 * arriving a fixed network delay after capture; sender reports describe
 * the true capture times (some stamped a little late, as a sender that
 * stamps them when it sends does). The output file is decoded with
 * libavformat/libavcodec: the time of the first bright frame in each
 * participant's tile and of each audio onset are compared.
 *
 * Measured: with reports, each participant's flash and click within one
 * frame (40 ms) whatever the delays, and participants whose clocks agree
 * line up with each other (capture-time differences kept); without
 * reports, placement follows arrival (the click as much after the flash as
 * the audio arrived later); a pause before the event keeps them together
 * and removes its length from the file; audio timestamps that jump (a
 * sender restart) are followed. RTK_KEEP_OUTPUTS keeps the files.
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
#define END_MS 4000
#define FRAME_MS 40      /* one video frame at 25 fps: the tolerance */

#include "media_inputs.h"

/* ---- inputs: a flash and a click ---- */

/* What a flash video paints: `colour`, white for two frames from `flash`. */
typedef struct tflash {
	rtk_yuv colour;
	int flash;
} tflash;

static void tpaint_flash(AVFrame *f, int i, void *arg)
{
	const tflash *fl = arg;
	static const rtk_yuv white = { 235, 128, 128 };
	tpaint_fill(f, i >= fl->flash && i < fl->flash + 2 ? white : fl->colour);
}

/* `frames` 320x240 VP8 frames at 25 fps of `colour`, white for two frames
 * from frame `flash` on (a flash). */
static void make_flash_video(rtk_yuv colour, int frames, int flash, tstream *out)
{
	tflash fl = { colour, flash };
	make_video_with(320, 240, frames, false, 400000, tpaint_flash, &fl, out);
}

/* A quiet 300 Hz tone, with a loud 1 kHz burst in packets `click` and
 * `click` + 1 (`arg`: an int). */
static void tsamples_click(float *s, int i, void *arg)
{
	int click = *(const int *)arg;
	bool loud = i >= click && i < click + 2;
	for (int n = 0; n < 960; n++) {
		double t = (i * 960 + n) / 48000.0;
		s[2 * n] = s[2 * n + 1] = (float)(loud ? 0.8 * sin(2 * M_PI * 1000 * t) : 0.01 * sin(2 * M_PI * 300 * t));
	}
}

/* `packets` 20 ms Opus packets of the click track. */
static void make_click_audio(int packets, int click, tstream *out)
{
	make_audio_with(packets, tsamples_click, &click, out);
}

/* ---- senders on media time ---- */

/* One participant: what it captured when, how late each stream arrives,
 * and the clock its sender reports are on. Capture time 0 is the
 * recording's start. */
typedef struct tsender {
	const char *id;
	rtk_yuv colour;
	int event_ms;           /* capture time of the flash and the click */
	int video_delay_ms;     /* capture -> arrival */
	int audio_delay_ms;
	int64_t clock_ms;       /* the sender's NTP clock minus true time */
	bool reports;           /* sends RTCP sender reports */
	int64_t vbase, abase;   /* RTP timestamps at capture time 0 (extended) */
	int jump_ms;            /* > 0: audio captured from then on has timestamps */
	int64_t jump;           /* moved by this much (a sender that restarted them) */
	tstream v, a;
	size_t vnext, anext;    /* next frame to deliver */
	int vsr, asr;           /* next report to deliver */
} tsender;

#define SR_FIRST_MS 250
#define SR_EVERY_MS 500
#define NTP_2024_MS 3913056000000LL /* 2024-01-01 as ms since 1900 */

/* The RTP timestamp of what the sender captured at `ms`. */
static int64_t tsender_ts(const tsender *s, bool audio, int64_t ms)
{
	if (!audio)
		return s->vbase + ms * 90;
	return s->abase + ms * 48 + (s->jump_ms > 0 && ms >= s->jump_ms ? s->jump : 0);
}

/* NTP 32.32 of the sender's clock at true time `ms`. */
static uint64_t tsender_ntp(const tsender *s, int64_t ms)
{
	int64_t t = NTP_2024_MS + s->clock_ms + ms;
	return (uint64_t)(t / 1000) << 32 | (uint64_t)((t % 1000) << 32) / 1000;
}

static void tsender_make(tsender *s)
{
	make_flash_video(s->colour, END_MS / FRAME_MS + 1, s->event_ms / FRAME_MS, &s->v);
	make_click_audio(END_MS / 20 + 1, s->event_ms / 20, &s->a);
}

static void tsender_rewind(tsender *s)
{
	s->vnext = s->anext = 0;
	s->vsr = s->asr = 0;
}

/* Delivers the report of one stream: capture time k * SR_EVERY_MS +
 * SR_FIRST_MS, arriving with the stream's delay; every third report is
 * stamped 7 or 14 ms late (stamped when sent). */
static void tsender_report(rtk_pipeline *pl, tsender *s, bool audio, int now_ms)
{
	int *k = audio ? &s->asr : &s->vsr;
	for (;;) {
		int64_t at = SR_FIRST_MS + (int64_t)*k * SR_EVERY_MS;
		if (at + (audio ? s->audio_delay_ms : s->video_delay_ms) > now_ms)
			return;
		int64_t ts = tsender_ts(s, audio, at);
		uint64_t ntp = tsender_ntp(s, at + (*k % 3) * 7);
		CHECK_EQ_INT(rtk_pipeline_sync(pl, s->id, RTK_SOURCE_CAMERA, audio, (uint32_t)ts, ntp), 0);
		(*k)++;
	}
}

/* Delivers every frame of `st` that has arrived by `now_ms`. */
static void tsender_frames(rtk_pipeline *pl, tsender *s, bool audio, int now_ms)
{
	tstream *st = audio ? &s->a : &s->v;
	size_t *next = audio ? &s->anext : &s->vnext;
	while (*next < st->count) {
		tpkt *k = &st->pkts[*next];
		int64_t index = audio ? (int64_t)*next : k->pts;
		int64_t capture = index * (audio ? 20 : FRAME_MS);
		if (capture + (audio ? s->audio_delay_ms : s->video_delay_ms) > now_ms)
			return;
		rtk_frame f = {
			.codec = audio ? RTK_CODEC_OPUS : RTK_CODEC_VP8, .data = k->data, .size = k->size,
			.ssrc = 1, .keyframe = k->key,
			.timestamp = tsender_ts(s, audio, capture),
		};
		CHECK_EQ_INT(rtk_pipeline_push(pl, s->id, RTK_SOURCE_CAMERA, &f), 0);
		(*next)++;
	}
}

/* Records `n` senders from 0 to END_MS on a 10 ms media clock into
 * `path`, paused over [pause_ms, resume_ms) when pause_ms >= 0. */
static void run(const char *path, rtk_output_format format, tsender *senders, int n, int width,
	int height, int pause_ms, int resume_ms)
{
	char err[256] = "";
	rtk_pipeline_config cfg = { .path = path, .format = format, .width = width, .height = height,
		.fps = 25, .audio_delay_ms = 100 };
	rtk_pipeline *pl = rtk_pipeline_new(&cfg, err, sizeof(err));
	CHECK_NOT_NULL(pl);
	if (pl == NULL) {
		fprintf(stderr, "\t%s\n", err);
		return;
	}
	for (int i = 0; i < n; i++) {
		tsender_rewind(&senders[i]);
		CHECK_EQ_INT(rtk_pipeline_add_participant(pl, senders[i].id, senders[i].id), 0);
	}
	for (int t = 0; t <= END_MS; t += 10) {
		for (int i = 0; i < n; i++) {
			tsender *s = &senders[i];
			if (s->reports) {
				tsender_report(pl, s, false, t);
				tsender_report(pl, s, true, t);
			}
			tsender_frames(pl, s, false, t);
			tsender_frames(pl, s, true, t);
		}
		if (t == pause_ms)
			CHECK_EQ_INT(rtk_pipeline_pause(pl, t * MS), 0);
		else if (t == resume_ms)
			CHECK_EQ_INT(rtk_pipeline_resume(pl, t * MS), 0);
		CHECK_EQ_INT(rtk_pipeline_tick(pl, t * MS), 0);
	}
	rtk_pipeline_stats st;
	rtk_pipeline_get_stats(pl, &st);
	int paused_ms = pause_ms >= 0 ? resume_ms - pause_ms : 0;
	CHECK_EQ_INT(st.decode_errors, 0);
	CHECK_EQ_INT(st.output_ns, (END_MS - paused_ms) * MS);
	CHECK_EQ_INT(st.video_frames, (END_MS - paused_ms) / FRAME_MS + 1);
	CHECK_EQ_INT(st.audio_samples, (END_MS - paused_ms) * 48);
	CHECK_EQ_INT(rtk_pipeline_finish(pl), 0);
	rtk_pipeline_free(pl);
}

/* ---- measuring the output ---- */

#define MAX_TILES 4
#define MAX_EVENTS 8

typedef struct measured {
	double flash[MAX_TILES];    /* first bright frame of each tile (s), -1: none */
	double clicks[MAX_EVENTS];  /* audio onsets (s) */
	int n_clicks;
} measured;

static int tile_luma(const AVFrame *f, const rtk_rect *r)
{
	int x = r->x + r->w / 2, y = r->y + r->h / 2;
	return f->data[0][y * f->linesize[0] + x];
}

/* An audio sample (left channel) of a decoded frame as a float. */
static float audio_sample(const AVFrame *f, int i)
{
	switch (f->format) {
	case AV_SAMPLE_FMT_FLTP: return ((const float *)f->data[0])[i];
	case AV_SAMPLE_FMT_FLT: return ((const float *)f->data[0])[i * f->ch_layout.nb_channels];
	case AV_SAMPLE_FMT_S16P: return ((const int16_t *)f->data[0])[i] / 32768.0f;
	case AV_SAMPLE_FMT_S16: return ((const int16_t *)f->data[0])[i * f->ch_layout.nb_channels] / 32768.0f;
	default: return 0;
	}
}

/* An onset: a sample above 0.3 (the tone stays below 0.02, the click
 * peaks at 0.8) after at least 300 ms without one. */
static void measure_audio(const AVFrame *f, double t0, measured *m, double *last_loud)
{
	for (int i = 0; i < f->nb_samples; i++) {
		double t = t0 + i / 48000.0;
		if (fabsf(audio_sample(f, i)) <= 0.3f)
			continue;
		if (t - *last_loud > 0.3 && m->n_clicks < MAX_EVENTS)
			m->clicks[m->n_clicks++] = t;
		*last_loud = t;
	}
}

static void measure_video(const AVFrame *f, double t, const rtk_rect *rects, int tiles, measured *m)
{
	for (int i = 0; i < tiles; i++)
		if (m->flash[i] < 0 && t > 0.5 && tile_luma(f, &rects[i]) > 160)
			m->flash[i] = t;
}

static bool measure(const char *path, int tiles, measured *m)
{
	for (int i = 0; i < MAX_TILES; i++)
		m->flash[i] = -1;
	m->n_clicks = 0;
	AVFormatContext *fmt = NULL;
	if (avformat_open_input(&fmt, path, NULL, NULL) < 0)
		return false;
	avformat_find_stream_info(fmt, NULL);
	AVCodecContext *dec[2] = { 0 };
	for (unsigned i = 0; i < fmt->nb_streams && i < 2; i++) {
		const AVCodecParameters *par = fmt->streams[i]->codecpar;
		dec[i] = avcodec_alloc_context3(avcodec_find_decoder(par->codec_id));
		avcodec_parameters_to_context(dec[i], par);
		avcodec_open2(dec[i], NULL, NULL);
	}
	rtk_rect rects[RTK_COMPOSITOR_MAX_TILES + 1];
	AVPacket *pkt = av_packet_alloc();
	AVFrame *f = av_frame_alloc();
	double last_loud = -1;
	while (av_read_frame(fmt, pkt) >= 0) {
		unsigned si = (unsigned)pkt->stream_index;
		if (si < 2 && avcodec_send_packet(dec[si], pkt) >= 0) {
			AVStream *st = fmt->streams[si];
			while (avcodec_receive_frame(dec[si], f) == 0) {
				double t = f->best_effort_timestamp * av_q2d(st->time_base);
				if (st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO) {
					rtk_compositor_layout(f->width, f->height, tiles, false, rects);
					measure_video(f, t, rects, tiles, m);
				} else {
					measure_audio(f, t, m, &last_loud);
				}
				av_frame_unref(f);
			}
		}
		av_packet_unref(pkt);
	}
	av_frame_free(&f);
	av_packet_free(&pkt);
	for (int i = 0; i < 2; i++)
		avcodec_free_context(&dec[i]);
	avformat_close_input(&fmt);
	return true;
}

/* ---- the tests ---- */

static char tmpdir[64];

static void path_in_tmp(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", tmpdir, name);
}

static const rtk_yuv RED = { 81, 90, 240 }, BLUE = { 41, 240, 110 }, GREEN = { 145, 54, 34 };

/* One participant, flash and click captured at 2.0 s: click - flash in
 * the output, in ms; the click's output time in *click when not NULL. */
static double one_offset(tsender *s, const char *name, int pause_ms, int resume_ms, double *click)
{
	char path[128];
	path_in_tmp(path, sizeof(path), name);
	run(path, RTK_OUTPUT_MP4_H264_AAC, s, 1, 320, 240, pause_ms, resume_ms);
	measured m;
	CHECK(measure(path, 1, &m));
	if (click != NULL)
		*click = m.n_clicks > 0 ? m.clicks[0] : -1;
	CHECK(m.flash[0] > 0);
	CHECK_EQ_INT(m.n_clicks, 1);
	double d = (m.clicks[0] - m.flash[0]) * 1000;
	fprintf(stderr, "\t%s: video +%d ms, audio +%d ms, reports %s: flash %.3f s, click %.3f s, "
		"click - flash %+.0f ms\n", name, s->video_delay_ms, s->audio_delay_ms,
		s->reports ? "yes" : "no", m.flash[0], m.clicks[0], d);
	return d;
}

/* Audio 150 ms later than video, then video 150 ms later than audio: with
 * reports the flash and the click come out together; without, 150 ms
 * apart, as they arrived. */
static void test_one_participant(void)
{
	tsender s = { .id = "a", .colour = RED, .event_ms = 2000, .video_delay_ms = 20, .audio_delay_ms = 170,
		.clock_ms = 0, .vbase = 4294967295LL - 90000, .abase = 4294967295LL - 24000 };
	tsender_make(&s);

	s.reports = false;
	double d = one_offset(&s, "audio_late_arrival.mp4", -1, -1, NULL);
	CHECK(fabs(d - 150) <= FRAME_MS);
	s.reports = true;
	double click = 0, click_paused = 0;
	d = one_offset(&s, "audio_late_sync.mp4", -1, -1, &click);
	CHECK(fabs(d) <= FRAME_MS);
	/* Paused for 500 ms before the event: still together, 500 ms earlier
	 * in the file (no gap). */
	d = one_offset(&s, "audio_late_paused.mp4", 1000, 1500, &click_paused);
	CHECK(fabs(d) <= FRAME_MS);
	CHECK(fabs((click - click_paused) * 1000 - 500) <= 2);
	/* The audio's timestamps jump at 1.0 s (its reports follow): the
	 * track starts over, and is in sync again by the event. */
	s.jump_ms = 1000;
	s.jump = 123456789;
	d = one_offset(&s, "audio_jump_sync.mp4", -1, -1, NULL);
	CHECK(fabs(d) <= FRAME_MS);
	s.jump_ms = 0;

	s.video_delay_ms = 200;
	s.audio_delay_ms = 50;
	s.clock_ms = -123456; /* any clock: only its own streams are compared */
	s.reports = false;
	d = one_offset(&s, "video_late_arrival.mp4", -1, -1, NULL);
	CHECK(fabs(d + 150) <= FRAME_MS);
	s.reports = true;
	d = one_offset(&s, "video_late_sync.mp4", -1, -1, NULL);
	CHECK(fabs(d) <= FRAME_MS);
	tstream_free(&s.v);
	tstream_free(&s.a);
}

/* A and B (clocks agreeing, different RTP bases and network delays) and
 * C (its clock 20 s behind): events captured at 1.4 s (A), 2.0 s (B) and
 * 2.6 s (C). Each flash with its click; A and B 600 ms apart as captured
 * (on their own offsets, 160 and 290 ms, they would be 730 ms apart); C on
 * its own offset. */
static void test_participants(void)
{
	tsender s[3] = {
		{ .id = "a", .colour = RED, .event_ms = 1400, .video_delay_ms = 20, .audio_delay_ms = 170,
		  .clock_ms = 3, .vbase = 1234567, .abase = 4294967295LL - 48000 },
		{ .id = "b", .colour = BLUE, .event_ms = 2000, .video_delay_ms = 300, .audio_delay_ms = 60,
		  .clock_ms = -2, .vbase = 4294967295LL - 45000, .abase = 77 },
		{ .id = "c", .colour = GREEN, .event_ms = 2600, .video_delay_ms = 40, .audio_delay_ms = 110,
		  .clock_ms = -20000, .vbase = 999, .abase = 3000000000LL },
	};
	for (int i = 0; i < 3; i++) {
		s[i].reports = true;
		tsender_make(&s[i]);
	}
	char path[128];
	path_in_tmp(path, sizeof(path), "participants.webm");
	run(path, RTK_OUTPUT_WEBM_VP8_OPUS, s, 3, 640, 480, -1, -1);
	measured m;
	CHECK(measure(path, 3, &m));
	CHECK_EQ_INT(m.n_clicks, 3);
	for (int i = 0; i < 3 && m.n_clicks == 3; i++) {
		double d = (m.clicks[i] - m.flash[i]) * 1000;
		fprintf(stderr, "\t%s: flash %.3f s, click %.3f s, click - flash %+.0f ms\n", s[i].id,
			m.flash[i], m.clicks[i], d);
		CHECK(m.flash[i] > 0);
		CHECK(fabs(d) <= FRAME_MS);
	}
	if (m.n_clicks == 3) {
		double ab = (m.clicks[1] - m.clicks[0]) * 1000;
		fprintf(stderr, "\tB - A: %.0f ms (captured 600 ms apart)\n", ab);
		CHECK(fabs(ab - 600) <= FRAME_MS);
		CHECK(fabs((m.flash[1] - m.flash[0]) * 1000 - 600) <= FRAME_MS);
	}
	for (int i = 0; i < 3; i++) {
		tstream_free(&s[i].v);
		tstream_free(&s[i].a);
	}
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rtk_avsync_XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	av_log_set_level(AV_LOG_ERROR);
	(void)make_video; /* media_inputs.h's pictures and sines: not needed here */
	(void)make_audio;
	UNIT_RUN(test_one_participant);
	UNIT_RUN(test_participants);
	if (unit_failures == 0 && getenv("RTK_KEEP_OUTPUTS") == NULL) {
		const char *names[] = { "audio_late_arrival.mp4", "audio_late_sync.mp4", "audio_late_paused.mp4",
			"audio_jump_sync.mp4", "video_late_arrival.mp4", "video_late_sync.mp4", "participants.webm" };
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
