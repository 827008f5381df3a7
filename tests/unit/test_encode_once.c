/*
 * test_encode_once.c - the shared encoder of media/output.h ("encode
 * once") driven through a shared pipeline (media/pipeline.h,
 * config.shared) on media time: an MP4 sink and a CMAF sink added while it
 * runs, the MP4 paused and resumed, the CMAF finished before the MP4.
 *
 * Checked, reading the files back with libavformat: the MP4 starts with a
 * keyframe at time 0, holds exactly the frames it was attached and not
 * paused for, with consecutive timestamps (no gap where the pause was),
 * a keyframe where it resumed, and audio as long as its video (within an
 * AAC frame) with timestamps that never go back; the CMAF sink's segments
 * each start with an INDEPENDENT part whose first frame is a keyframe,
 * last the configured segment length, and init.mp4 + its segments read as
 * one stream from time 0; a sink of an unknown format is refused.
 * RTK_KEEP_OUTPUTS keeps the files.
 */
#include "unit.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libavformat/avformat.h>

#include "pipeline.h"

#define MS 1000000LL
#define FPS 25

static char tmpdir[64];

typedef struct tevent {
	rtk_cmaf_kind kind;
	int64_t msn;
	int part;
	double duration;
	bool independent;
} tevent;

static tevent events[256];
static int n_events;

static void on_cmaf(void *opaque, const rtk_cmaf_event *ev)
{
	(void)opaque;
	if (n_events < (int)(sizeof events / sizeof events[0]))
		events[n_events++] = (tevent){ ev->kind, ev->msn, ev->part, ev->duration_s, ev->independent };
}

/* What a file holds, per stream. */
typedef struct tread {
	int video, audio;            /* packets */
	int64_t video_first, video_last;   /* pts, 1/FPS */
	bool video_consecutive;      /* each video pts is the previous + 1 */
	bool first_key;
	int keys[64], n_keys;        /* video indexes of keyframes */
	double audio_end_s;          /* end of the last audio packet */
	bool audio_monotonic;
} tread;

static bool read_file(const char *path, tread *r)
{
	AVFormatContext *fmt = NULL;
	memset(r, 0, sizeof *r);
	r->video_consecutive = r->audio_monotonic = true;
	if (avformat_open_input(&fmt, path, NULL, NULL) < 0)
		return false;
	if (avformat_find_stream_info(fmt, NULL) < 0) {
		avformat_close_input(&fmt);
		return false;
	}
	AVPacket *pkt = av_packet_alloc();
	int64_t last_audio = INT64_MIN;
	while (av_read_frame(fmt, pkt) >= 0) {
		AVStream *st = fmt->streams[pkt->stream_index];
		if (st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO) {
			int64_t pts = av_rescale_q(pkt->pts, st->time_base, (AVRational){ 1, FPS });
			if (r->video == 0) {
				r->video_first = pts;
				r->first_key = pkt->flags & AV_PKT_FLAG_KEY;
			} else if (pts != r->video_last + 1) {
				r->video_consecutive = false;
			}
			if ((pkt->flags & AV_PKT_FLAG_KEY) && r->n_keys < 64)
				r->keys[r->n_keys++] = r->video;
			r->video_last = pts;
			r->video++;
		} else {
			if (pkt->pts <= last_audio)
				r->audio_monotonic = false;
			last_audio = pkt->pts;
			r->audio_end_s = (double)(pkt->pts + pkt->duration) * av_q2d(st->time_base);
			r->audio++;
		}
		av_packet_unref(pkt);
	}
	av_packet_free(&pkt);
	avformat_close_input(&fmt);
	return true;
}

static void tick_to(rtk_pipeline *p, int *now_ms, int until_ms)
{
	for (; *now_ms <= until_ms; *now_ms += 10)
		CHECK_EQ_INT(rtk_pipeline_tick(p, (int64_t)*now_ms * MS), 0);
}

static bool concat(const char *dst, const char *dir, int segments)
{
	FILE *out = fopen(dst, "wb");
	if (out == NULL)
		return false;
	bool ok = true;
	for (int i = -1; i < segments && ok; i++) {
		char path[256], buf[65536];
		if (i < 0)
			snprintf(path, sizeof path, "%s/init.mp4", dir);
		else
			snprintf(path, sizeof path, "%s/seg%d.m4s", dir, i);
		FILE *in = fopen(path, "rb");
		ok = in != NULL;
		size_t n;
		while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
			ok = fwrite(buf, 1, n, out) == n;
		if (in != NULL)
			fclose(in);
	}
	return fclose(out) == 0 && ok;
}

/* Time line (ms of output): the encoder runs from 0; the MP4 sink from
 * 1000 (frame 25), paused 3000..4000; the CMAF sink from 2000 (frame 50)
 * to 5000; the pipeline ends at 6000. */
static void test_shared_sinks(void)
{
	char mp4[128], dir[128], whole[128], err[256] = "";
	snprintf(mp4, sizeof mp4, "%s/shared.mp4", tmpdir);
	snprintf(dir, sizeof dir, "%s/hls", tmpdir);
	snprintf(whole, sizeof whole, "%s/hls.mp4", tmpdir);
	CHECK_EQ_INT(mkdir(dir, 0700), 0);
	rtk_pipeline_config config = { .shared = true, .width = 320, .height = 180, .fps = FPS,
		.part_ms = 200, .segment_ms = 1000 };
	rtk_pipeline *p = rtk_pipeline_new(&config, err, sizeof err);
	CHECK_NOT_NULL(p);
	if (p == NULL)
		return;
	CHECK_EQ_INT(rtk_pipeline_add_participant(p, "a", "Ada"), 0);
	rtk_output *shared = rtk_pipeline_shared(p);
	CHECK_NOT_NULL(shared);
	CHECK_NULL(rtk_output_sink_open(shared, RTK_OUTPUT_WEBM_VP8_OPUS, mp4, NULL, err, sizeof err));
	rtk_cmaf_options cmaf = { .part_ms = 200, .segment_ms = 1000, .on_cmaf = on_cmaf };
	rtk_cmaf_options other = { .part_ms = 200, .segment_ms = 2000 };
	int now = 0;
	tick_to(p, &now, 1000);
	rtk_output *file = rtk_output_sink_open(shared, RTK_OUTPUT_MP4_H264_AAC, mp4, NULL, err, sizeof err);
	CHECK_NOT_NULL(file);
	tick_to(p, &now, 2000);
	CHECK_NULL(rtk_output_sink_open(shared, RTK_OUTPUT_CMAF_H264_AAC, dir, &other, err, sizeof err));
	rtk_output *hls = rtk_output_sink_open(shared, RTK_OUTPUT_CMAF_H264_AAC, dir, &cmaf, err, sizeof err);
	CHECK_NOT_NULL(hls);
	tick_to(p, &now, 3000);
	CHECK_EQ_INT(rtk_output_sink_pause(file, true), 0);
	CHECK_EQ_INT(rtk_output_sink_pause(hls, true), -1);   /* a livestream does not pause */
	tick_to(p, &now, 4000);
	CHECK_EQ_INT(rtk_output_sink_pause(file, false), 0);
	tick_to(p, &now, 5000);
	CHECK_EQ_INT(rtk_output_finish(hls), 0);
	int64_t hls_frames = rtk_output_sink_frames(hls);
	rtk_output_free(hls);
	tick_to(p, &now, 6000);
	CHECK_EQ_INT(rtk_pipeline_finish(p), 0);
	CHECK_EQ_INT(rtk_output_finish(file), 0);
	int64_t file_frames = rtk_output_sink_frames(file);
	CHECK_EQ_INT(rtk_output_sink_error(file), 0);
	rtk_output_free(file);
	rtk_pipeline_free(p);

	/* MP4: 1000..3000 and 4000..6000 (the last frame slot at 6000 included) */
	tread r;
	CHECK(read_file(mp4, &r));
	CHECK(file_frames >= 100 && file_frames <= 101);
	CHECK_EQ_INT(r.video, (int)file_frames);
	CHECK_EQ_INT((int)r.video_first, 0);
	CHECK(r.first_key);
	CHECK(r.video_consecutive);
	bool key_at_resume = false;
	for (int i = 0; i < r.n_keys; i++)
		key_at_resume = key_at_resume || (r.keys[i] >= 49 && r.keys[i] <= 51);
	CHECK(key_at_resume);
	CHECK(r.audio_monotonic);
	double video_s = (double)r.video / FPS;
	CHECK(r.audio_end_s > video_s - 0.1 && r.audio_end_s < video_s + 0.05);
	printf("  mp4: %d frames (%.2f s), keyframes at", r.video, video_s);
	for (int i = 0; i < r.n_keys; i++)
		printf(" %d", r.keys[i]);
	printf(", audio to %.3f s\n", r.audio_end_s);

	/* CMAF: 2000..5000: three segments of 25 frames, each from an IDR */
	int segments = 0;
	bool at_segment_start = true;
	for (int i = 0; i < n_events; i++) {
		if (events[i].kind == RTK_CMAF_PART) {
			if (at_segment_start)
				CHECK(events[i].independent);
			at_segment_start = false;
		} else {
			CHECK_EQ_INT((int)events[i].msn, segments);
			CHECK(events[i].duration > 0.999 && events[i].duration < 1.001);
			segments++;
			at_segment_start = true;
		}
	}
	CHECK_EQ_INT(segments, 3);
	CHECK(hls_frames >= 75 && hls_frames <= 76);
	CHECK(concat(whole, dir, segments));
	CHECK(read_file(whole, &r));
	CHECK_EQ_INT(r.video, 75);
	CHECK_EQ_INT((int)r.video_first, 0);
	CHECK(r.first_key && r.video_consecutive);
	bool keys[3] = { false, false, false };
	for (int i = 0; i < r.n_keys; i++)
		if (r.keys[i] % 25 == 0 && r.keys[i] / 25 < 3)
			keys[r.keys[i] / 25] = true;
	CHECK(keys[0] && keys[1] && keys[2]);
	printf("  cmaf: %d segments, %d frames, audio to %.3f s\n", segments, r.video, r.audio_end_s);
}

static void remove_tree(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

int main(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/rtk_encode_once_XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	av_log_set_level(getenv("RTK_AV_LOG") ? atoi(getenv("RTK_AV_LOG")) : AV_LOG_ERROR);
	UNIT_RUN(test_shared_sinks);
	if (unit_failures == 0 && getenv("RTK_KEEP_OUTPUTS") == NULL)
		remove_tree();
	return UNIT_DONE();
}
