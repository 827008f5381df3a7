/*
 * media_inputs.h - synthetic encoded media for the media-core unit tests
 * (test_recorder_core.c, test_cmaf.c): libavcodec-encoded VP8 or H.264
 * pictures of one colour with a white bar moving along the top, and Opus
 * sines, as packets a test turns into rtk_frames. Header-only, like
 * unit.h: each test includes it once.
 *
 * Also the reading back of outputs with ffprobe (ffprobe_json and its two
 * lookups), which those tests share.
 *
 * Ownership: make_video()/make_audio() fill a tstream the caller frees with
 * tstream_free(); ffprobe_json() returns a string the caller free()s.
 */
#ifndef RTK_TESTS_MEDIA_INPUTS_H
#define RTK_TESTS_MEDIA_INPUTS_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libavcodec/avcodec.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>

#include "compositor.h"

typedef struct tpkt {
	uint8_t *data;
	size_t size;
	int64_t pts;
	bool key;
} tpkt;

typedef struct tstream {
	tpkt *pkts;
	size_t count, next;
} tstream;

static void tstream_add(tstream *s, const AVPacket *pkt)
{
	s->pkts = realloc(s->pkts, (s->count + 1) * sizeof(*s->pkts));
	tpkt *t = &s->pkts[s->count++];
	t->data = malloc((size_t)pkt->size);
	memcpy(t->data, pkt->data, (size_t)pkt->size);
	t->size = (size_t)pkt->size;
	t->pts = pkt->pts;
	t->key = pkt->flags & AV_PKT_FLAG_KEY;
}

static void tstream_free(tstream *s)
{
	for (size_t i = 0; i < s->count; i++)
		free(s->pkts[i].data);
	free(s->pkts);
	memset(s, 0, sizeof(*s));
}

static void drain(AVCodecContext *enc, AVPacket *pkt, tstream *out)
{
	while (avcodec_receive_packet(enc, pkt) == 0) {
		tstream_add(out, pkt);
		av_packet_unref(pkt);
	}
}

/* Paints picture `i` (YUV420P, the encoder's size) into `f`. */
typedef void (*tpaint_fn)(AVFrame *f, int i, void *arg);

/* `frames` pictures painted by `paint`, encoded at 25 fps as VP8 (or, with
 * `h264`, H.264 Annex B), keyframe every second; the encoder is flushed. */
static void make_video_with(int width, int height, int frames, bool h264, int64_t bit_rate,
	tpaint_fn paint, void *arg, tstream *out)
{
	const AVCodec *codec = avcodec_find_encoder_by_name(h264 ? "libx264" : "libvpx");
	AVCodecContext *enc = avcodec_alloc_context3(codec);
	enc->width = width;
	enc->height = height;
	enc->pix_fmt = AV_PIX_FMT_YUV420P;
	enc->time_base = (AVRational){ 1, 25 };
	enc->gop_size = 25;
	enc->bit_rate = bit_rate;
	if (h264) {
		av_opt_set(enc->priv_data, "preset", "ultrafast", 0);
		av_opt_set(enc->priv_data, "tune", "zerolatency", 0);
	} else {
		av_opt_set(enc->priv_data, "deadline", "realtime", 0);
		av_opt_set(enc->priv_data, "cpu-used", "8", 0);
		av_opt_set(enc->priv_data, "lag-in-frames", "0", 0);
	}
	if (avcodec_open2(enc, codec, NULL) < 0) {
		CHECK(!"video encoder opens");
		avcodec_free_context(&enc);
		return;
	}
	AVFrame *f = av_frame_alloc();
	AVPacket *pkt = av_packet_alloc();
	f->format = AV_PIX_FMT_YUV420P;
	f->width = width;
	f->height = height;
	av_frame_get_buffer(f, 0);
	for (int i = 0; i < frames; i++) {
		av_frame_make_writable(f);
		paint(f, i, arg);
		f->pts = i;
		avcodec_send_frame(enc, f);
		drain(enc, pkt, out);
	}
	avcodec_send_frame(enc, NULL);
	drain(enc, pkt, out);
	av_packet_free(&pkt);
	av_frame_free(&f);
	avcodec_free_context(&enc);
}

/* Fills `f` with one colour. */
static void tpaint_fill(AVFrame *f, rtk_yuv colour)
{
	for (int y = 0; y < f->height; y++)
		memset(f->data[0] + y * f->linesize[0], colour.y, (size_t)f->width);
	for (int y = 0; y < f->height / 2; y++) {
		memset(f->data[1] + y * f->linesize[1], colour.u, (size_t)f->width / 2);
		memset(f->data[2] + y * f->linesize[2], colour.v, (size_t)f->width / 2);
	}
}

/* One colour (`arg`: an rtk_yuv) with a white bar moving along the top 40 rows. */
static void tpaint_bar(AVFrame *f, int i, void *arg)
{
	tpaint_fill(f, *(const rtk_yuv *)arg);
	for (int y = 0; y < 40; y++)
		memset(f->data[0] + y * f->linesize[0] + (i * 16) % (f->width - 80), 235, 80);
}

/* `frames` 640x480 VP8 (or, with `h264`, H.264 Annex B) frames at 25 fps of
 * one colour with a white bar moving along the top 40 rows. */
static void make_video(rtk_yuv colour, int frames, bool h264, tstream *out)
{
	make_video_with(640, 480, frames, h264, 500000, tpaint_bar, &colour, out);
}

/* Fills the 960 interleaved stereo samples of 20 ms packet `i`. */
typedef void (*tsamples_fn)(float *s, int i, void *arg);

/* `packets` 20 ms Opus packets (48 kHz stereo) of what `fill` writes. */
static void make_audio_with(int packets, tsamples_fn fill, void *arg, tstream *out)
{
	const AVCodec *codec = avcodec_find_encoder_by_name("libopus");
	AVCodecContext *enc = avcodec_alloc_context3(codec);
	enc->sample_rate = 48000;
	av_channel_layout_default(&enc->ch_layout, 2);
	enc->sample_fmt = AV_SAMPLE_FMT_FLT;
	enc->bit_rate = 64000;
	enc->time_base = (AVRational){ 1, 48000 };
	if (avcodec_open2(enc, codec, NULL) < 0) {
		CHECK(!"libopus opens");
		avcodec_free_context(&enc);
		return;
	}
	AVFrame *f = av_frame_alloc();
	AVPacket *pkt = av_packet_alloc();
	f->format = AV_SAMPLE_FMT_FLT;
	f->nb_samples = 960;
	f->sample_rate = 48000;
	av_channel_layout_default(&f->ch_layout, 2);
	av_frame_get_buffer(f, 0);
	for (int i = 0; i < packets; i++) {
		av_frame_make_writable(f);
		fill((float *)f->data[0], i, arg);
		f->pts = (int64_t)i * 960;
		avcodec_send_frame(enc, f);
		drain(enc, pkt, out);
	}
	av_packet_free(&pkt);
	av_frame_free(&f);
	avcodec_free_context(&enc);
}

/* A sine at `arg` (a double, Hz), amplitude 0.2. */
static void tsamples_sine(float *s, int i, void *arg)
{
	double hz = *(const double *)arg;
	for (int n = 0; n < 960; n++)
		s[2 * n] = s[2 * n + 1] = (float)(0.2 * sin(2 * M_PI * hz * (i * 960 + n) / 48000.0));
}

/* `packets` 20 ms Opus packets of a stereo sine at `hz`, amplitude 0.2. */
static void make_audio(double hz, int packets, tstream *out)
{
	make_audio_with(packets, tsamples_sine, &hz, out);
}

/* ---- reading outputs back ---- */

/* ffprobe's JSON, read whole; NULL when ffprobe fails. Caller frees. */
static inline char *ffprobe_json(const char *path)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "ffprobe -v error -show_streams -show_format -of json '%s'", path);
	FILE *f = popen(cmd, "r");
	if (f == NULL)
		return NULL;
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	size_t n;
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 2)
			buf = realloc(buf, cap *= 2);
	}
	buf[len] = '\0';
	if (pclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* The format's "duration": "x.y" in ffprobe JSON, or -1. */
static inline double ffprobe_duration(const char *json)
{
	const char *format = strstr(json, "\"format\"");
	const char *d = format ? strstr(format, "\"duration\": \"") : NULL;
	return d ? atof(d + strlen("\"duration\": \"")) : -1;
}

static inline bool json_has(const char *json, const char *key, const char *value)
{
	char needle[128];
	snprintf(needle, sizeof(needle), "\"%s\": %s", key, value);
	return strstr(json, needle) != NULL;
}

#endif
