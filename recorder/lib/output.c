/*
 * output.c - encoder setup, encoding and muxing of the composite (see
 * output.h for what this owns, the encoder settings and why).
 */
#include "output.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>

#define RTK_OUTPUT_RATE 48000

struct rtk_output {
	rtk_output_format format;
	AVFormatContext *fmt;
	AVCodecContext *venc, *aenc;
	AVStream *vst, *ast;
	AVPacket *pkt;          /* reused: filled by an encoder, handed to the muxer */
	AVFrame *audio;         /* reused: one encoder frame of audio being filled */
	int audio_fill;         /* samples already in `audio` */
	int64_t audio_pts;      /* samples encoded so far */
	bool header_written, finished;
};

static void rtk_output_error(char *err, size_t errlen, const char *what, int averr)
{
	char reason[AV_ERROR_MAX_STRING_SIZE] = "";
	if (averr < 0)
		av_strerror(averr, reason, sizeof(reason));
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s%s%s", what, averr < 0 ? ": " : "", reason);
}

static AVCodecContext *rtk_output_open_video(rtk_output *out, int width, int height, int fps)
{
	bool h264 = out->format == RTK_OUTPUT_MP4_H264_AAC;
	const AVCodec *codec = avcodec_find_encoder_by_name(h264 ? "libx264" : "libvpx");
	if (codec == NULL)
		return NULL;
	AVCodecContext *ctx = avcodec_alloc_context3(codec);
	if (ctx == NULL)
		return NULL;
	ctx->width = width;
	ctx->height = height;
	ctx->pix_fmt = AV_PIX_FMT_YUV420P;
	ctx->time_base = (AVRational){ 1, fps };
	ctx->framerate = (AVRational){ fps, 1 };
	ctx->gop_size = 2 * fps;
	ctx->max_b_frames = 0;
	if (out->fmt->oformat->flags & AVFMT_GLOBALHEADER)
		ctx->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
	AVDictionary *opts = NULL;
	if (h264) {
		av_dict_set(&opts, "preset", "veryfast", 0);
		av_dict_set(&opts, "tune", "zerolatency", 0);
		av_dict_set(&opts, "crf", "23", 0);
	} else {
		ctx->bit_rate = (int64_t)width * height * fps / 10;
		av_dict_set(&opts, "deadline", "realtime", 0);
		av_dict_set(&opts, "cpu-used", "8", 0);
		av_dict_set(&opts, "lag-in-frames", "0", 0);
	}
	int ret = avcodec_open2(ctx, codec, &opts);
	av_dict_free(&opts);
	if (ret < 0)
		avcodec_free_context(&ctx);
	return ctx;
}

/* The first of `wanted` the encoder supports, else its first format. */
static enum AVSampleFormat rtk_output_sample_format(const AVCodec *codec)
{
	static const enum AVSampleFormat wanted[] = { AV_SAMPLE_FMT_FLTP, AV_SAMPLE_FMT_FLT, AV_SAMPLE_FMT_S16 };
	if (codec->sample_fmts == NULL)
		return AV_SAMPLE_FMT_FLTP;
	for (size_t w = 0; w < sizeof(wanted) / sizeof(wanted[0]); w++)
		for (const enum AVSampleFormat *f = codec->sample_fmts; *f != AV_SAMPLE_FMT_NONE; f++)
			if (*f == wanted[w])
				return *f;
	return codec->sample_fmts[0];
}

static AVCodecContext *rtk_output_open_audio(rtk_output *out)
{
	bool aac = out->format == RTK_OUTPUT_MP4_H264_AAC;
	const AVCodec *codec = avcodec_find_encoder_by_name(aac ? "aac" : "libopus");
	if (codec == NULL)
		return NULL;
	AVCodecContext *ctx = avcodec_alloc_context3(codec);
	if (ctx == NULL)
		return NULL;
	ctx->sample_rate = RTK_OUTPUT_RATE;
	av_channel_layout_default(&ctx->ch_layout, 2);
	ctx->sample_fmt = rtk_output_sample_format(codec);
	ctx->bit_rate = aac ? 128000 : 96000;
	ctx->time_base = (AVRational){ 1, RTK_OUTPUT_RATE };
	if (out->fmt->oformat->flags & AVFMT_GLOBALHEADER)
		ctx->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
	if (avcodec_open2(ctx, codec, NULL) < 0 ||
	    (ctx->sample_fmt != AV_SAMPLE_FMT_FLTP && ctx->sample_fmt != AV_SAMPLE_FMT_FLT &&
	     ctx->sample_fmt != AV_SAMPLE_FMT_S16))
		avcodec_free_context(&ctx);
	return ctx;
}

static AVStream *rtk_output_add_stream(rtk_output *out, const AVCodecContext *enc)
{
	AVStream *st = avformat_new_stream(out->fmt, NULL);
	if (st == NULL || avcodec_parameters_from_context(st->codecpar, enc) < 0)
		return NULL;
	st->time_base = enc->time_base;
	return st;
}

static int rtk_output_alloc_audio_frame(rtk_output *out)
{
	out->audio = av_frame_alloc();
	if (out->audio == NULL)
		return AVERROR(ENOMEM);
	out->audio->format = out->aenc->sample_fmt;
	out->audio->sample_rate = RTK_OUTPUT_RATE;
	out->audio->nb_samples = out->aenc->frame_size > 0 ? out->aenc->frame_size : 960;
	int ret = av_channel_layout_copy(&out->audio->ch_layout, &out->aenc->ch_layout);
	if (ret < 0)
		return ret;
	return av_frame_get_buffer(out->audio, 0);
}

/* Muxer options: fragments/clusters at least every second (crash safety). */
static int rtk_output_write_header(rtk_output *out)
{
	AVDictionary *opts = NULL;
	if (out->format == RTK_OUTPUT_MP4_H264_AAC) {
		av_dict_set(&opts, "movflags", "frag_keyframe+empty_moov+default_base_moof", 0);
		av_dict_set(&opts, "frag_duration", "1000000", 0);
	} else {
		av_dict_set(&opts, "cluster_time_limit", "1000", 0);
	}
	out->fmt->flags |= AVFMT_FLAG_FLUSH_PACKETS;
	out->fmt->flush_packets = 1;
	int ret = avformat_write_header(out->fmt, &opts);
	av_dict_free(&opts);
	if (ret >= 0)
		out->header_written = true;
	return ret;
}

rtk_output *rtk_output_open(const char *path, rtk_output_format format, int width, int height,
	int fps, char *err, size_t errlen)
{
	if (path == NULL || width < 2 || height < 2 || width > 1920 || height > 1920 ||
	    (width | height) & 1 || fps < 1 || fps > 60) {
		rtk_output_error(err, errlen, "invalid output settings", 0);
		return NULL;
	}
	rtk_output *out = calloc(1, sizeof(*out));
	if (out == NULL)
		return NULL;
	out->format = format;
	const char *muxer = format == RTK_OUTPUT_MP4_H264_AAC ? "mp4" : "webm";
	int ret = avformat_alloc_output_context2(&out->fmt, NULL, muxer, path);
	if (ret < 0) {
		rtk_output_error(err, errlen, "no muxer", ret);
		goto fail;
	}
	out->venc = rtk_output_open_video(out, width, height, fps);
	out->aenc = rtk_output_open_audio(out);
	if (out->venc == NULL || out->aenc == NULL) {
		rtk_output_error(err, errlen, format == RTK_OUTPUT_MP4_H264_AAC ?
			"cannot open libx264 or aac encoder" : "cannot open libvpx or libopus encoder", 0);
		goto fail;
	}
	out->vst = rtk_output_add_stream(out, out->venc);
	out->ast = rtk_output_add_stream(out, out->aenc);
	out->pkt = av_packet_alloc();
	ret = rtk_output_alloc_audio_frame(out);
	if (out->vst == NULL || out->ast == NULL || out->pkt == NULL || ret < 0) {
		rtk_output_error(err, errlen, "out of memory", ret);
		goto fail;
	}
	ret = avio_open(&out->fmt->pb, path, AVIO_FLAG_WRITE);
	if (ret < 0) {
		rtk_output_error(err, errlen, "cannot open output file", ret);
		goto fail;
	}
	ret = rtk_output_write_header(out);
	if (ret < 0) {
		rtk_output_error(err, errlen, "cannot write header", ret);
		goto fail;
	}
	return out;
fail:
	rtk_output_free(out);
	return NULL;
}

/* Sends `frame` (NULL: flush) and muxes every packet the encoder returns;
 * the muxer takes each packet's reference, leaving `pkt` blank for reuse. */
static int rtk_output_encode(rtk_output *out, AVCodecContext *enc, AVStream *st, const AVFrame *frame)
{
	int ret = avcodec_send_frame(enc, frame);
	if (ret < 0 && ret != AVERROR_EOF)
		return ret;
	for (;;) {
		ret = avcodec_receive_packet(enc, out->pkt);
		if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
			return 0;
		if (ret < 0)
			return ret;
		av_packet_rescale_ts(out->pkt, enc->time_base, st->time_base);
		out->pkt->stream_index = st->index;
		ret = av_interleaved_write_frame(out->fmt, out->pkt);
		if (ret < 0)
			return ret;
	}
}

int rtk_output_write_video(rtk_output *out, AVFrame *picture, int64_t index)
{
	if (out->finished)
		return AVERROR(EINVAL);
	picture->pts = index;
	picture->pict_type = AV_PICTURE_TYPE_NONE;
	return rtk_output_encode(out, out->venc, out->vst, picture);
}

/* Copies `n` interleaved stereo samples into the audio frame at `at`. */
static void rtk_output_put_samples(AVFrame *f, int at, const float *s, int n)
{
	switch (f->format) {
	case AV_SAMPLE_FMT_FLTP:
		for (int i = 0; i < n; i++) {
			((float *)f->data[0])[at + i] = s[2 * i];
			((float *)f->data[1])[at + i] = s[2 * i + 1];
		}
		break;
	case AV_SAMPLE_FMT_FLT:
		memcpy((float *)f->data[0] + 2 * at, s, (size_t)n * 2 * sizeof(float));
		break;
	default: /* AV_SAMPLE_FMT_S16, checked at open */
		for (int i = 0; i < 2 * n; i++)
			((int16_t *)f->data[0])[2 * at + i] = (int16_t)(s[i] * 32767.0f);
		break;
	}
}

static int rtk_output_encode_audio_frame(rtk_output *out)
{
	out->audio->pts = out->audio_pts;
	out->audio_pts += out->audio->nb_samples;
	out->audio_fill = 0;
	return rtk_output_encode(out, out->aenc, out->ast, out->audio);
}

int rtk_output_write_audio(rtk_output *out, const float *samples, size_t count)
{
	if (out->finished)
		return AVERROR(EINVAL);
	while (count > 0) {
		if (out->audio_fill == 0) {
			/* The encoder was drained, so this copies nothing. */
			int ret = av_frame_make_writable(out->audio);
			if (ret < 0)
				return ret;
		}
		int room = out->audio->nb_samples - out->audio_fill;
		int n = count < (size_t)room ? (int)count : room;
		rtk_output_put_samples(out->audio, out->audio_fill, samples, n);
		out->audio_fill += n;
		samples += 2 * n;
		count -= (size_t)n;
		if (out->audio_fill == out->audio->nb_samples) {
			int ret = rtk_output_encode_audio_frame(out);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

/* The last, partial audio frame: shortened when the encoder allows it,
 * padded with silence otherwise. */
static int rtk_output_flush_audio(rtk_output *out)
{
	if (out->audio_fill == 0)
		return 0;
	if (out->aenc->codec->capabilities & AV_CODEC_CAP_SMALL_LAST_FRAME)
		out->audio->nb_samples = out->audio_fill;
	else
		av_samples_set_silence(out->audio->data, out->audio_fill,
			out->audio->nb_samples - out->audio_fill,
			out->audio->ch_layout.nb_channels, out->audio->format);
	return rtk_output_encode_audio_frame(out);
}

int rtk_output_finish(rtk_output *out)
{
	if (out->finished)
		return 0;
	int ret = rtk_output_flush_audio(out);
	int r2 = rtk_output_encode(out, out->venc, out->vst, NULL);
	int r3 = rtk_output_encode(out, out->aenc, out->ast, NULL);
	int r4 = av_write_trailer(out->fmt);
	int r5 = avio_closep(&out->fmt->pb);
	out->finished = true;
	return ret < 0 ? ret : r2 < 0 ? r2 : r3 < 0 ? r3 : r4 < 0 ? r4 : r5;
}

void rtk_output_free(rtk_output *out)
{
	if (out == NULL)
		return;
	if (out->fmt != NULL && out->fmt->pb != NULL)
		avio_closep(&out->fmt->pb);
	avformat_free_context(out->fmt);
	avcodec_free_context(&out->venc);
	avcodec_free_context(&out->aenc);
	av_packet_free(&out->pkt);
	av_frame_free(&out->audio);
	free(out);
}
