/*
 * output.c - encoder setup, encoding and muxing of the composite, and the
 * CMAF part/segment cutter (see output.h for what this owns, the encoder
 * settings, the CMAF files and why).
 */
#include "output.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/mem.h>
#include <libavutil/opt.h>
#include <libavutil/time.h>

#define RTK_OUTPUT_RATE 48000
#define RTK_CMAF_AVIO_SIZE 65536
#define RTK_CMAF_MAX_SEGMENT_MS 60000

/* The write callback of AVIOContext takes a const buffer from lavf 61 on. */
#if LIBAVFORMAT_VERSION_MAJOR >= 61
#define RTK_AVIO_CONST const
#else
#define RTK_AVIO_CONST
#endif

/* A growable byte buffer; kept between parts, so steady state allocates
 * nothing. */
typedef struct rtk_output_buf {
	uint8_t *data;
	size_t len, cap;
} rtk_output_buf;

/* Video packets held while a cut waits for audio: more than a part's worth
 * means audio stopped coming, and the cut is made without it. */
#define RTK_CMAF_HELD_MAX 64

/* The CMAF cutter: where the muxer's bytes go and where the cuts are. */
typedef struct rtk_output_cmaf {
	char *dir;
	int fps, part_frames, segment_frames;
	rtk_cmaf_callback on_cmaf;
	void *opaque;
	rtk_output_buf pending;     /* muxer output since the last cut */
	rtk_output_buf segment;     /* the parts of the current segment so far */
	int64_t msn;                /* segment being filled */
	int part;                   /* part being filled, inside the segment */
	int64_t frames_sent;        /* video frames given to the encoder */
	int part_video;             /* video packets in the part being filled */
	int segment_video;          /* video packets in the segment being filled */
	bool part_independent;      /* the part's first video packet is a keyframe */
	bool segment_independent;   /* the segment's first part is */
	bool write_failed;          /* an AVIO write ran out of memory */
	/* A part's last video frame is muxed; the cut waits until the audio
	 * encoder (which returns each frame about 1024 samples late) has given
	 * every audio packet that starts before the part's end, so a part's
	 * audio and video cover the same span (players stall otherwise). The
	 * video packets the encoder returns meanwhile are held for the next
	 * part. */
	bool cut_pending, cut_last;
	int64_t cut_end;            /* the part's end, in audio samples (48 kHz) */
	AVPacket *held[RTK_CMAF_HELD_MAX];
	int held_count;
} rtk_output_cmaf;

struct rtk_output {
	rtk_output_format format;
	int64_t push_deadline;          /* FLV push: CLOCK_MONOTONIC ns the connect must finish by; 0: none */
	AVFormatContext *fmt;
	AVCodecContext *venc, *aenc;
	AVStream *vst, *ast;
	AVPacket *pkt;          /* reused: filled by an encoder, handed to the muxer */
	AVFrame *audio;         /* reused: one encoder frame of audio being filled */
	int audio_fill;         /* samples already in `audio` */
	int64_t audio_pts;      /* samples encoded so far */
	bool header_written, finished;
	int channels;           /* encoded audio channels: 1 (the mixed stereo folded) or 2 */
	bool sink;              /* a sink of a shared encoder: venc and aenc are borrowed */
	rtk_output_cmaf *cmaf;  /* NULL unless RTK_OUTPUT_CMAF_H264_AAC */
	/* Encode once (output.h): a shared encoder (RTK_OUTPUT_SHARED_H264_AAC)
	 * lists its sinks; a sink borrows the encoder's codec contexts. */
	rtk_output *sinks[RTK_OUTPUT_SINKS_MAX];   /* shared encoder: attached sinks (borrowed) */
	int n_sinks;
	int64_t frames_sent;    /* shared encoder: video frames given to the encoder */
	int64_t idr_base;       /* shared encoder: IDRs are forced on idr_base + n * idr_every */
	int idr_every;
	bool idr_next;          /* shared encoder: force an IDR on the next frame */
	rtk_output *src;        /* sink: its shared encoder (NULL once detached) */
	bool sink_key_seen;     /* sink: its first video packet (a keyframe) is written */
	int64_t sink_from, sink_until;   /* sink: video frame indexes kept now: [from, until) */
	int64_t sink_skip;      /* sink: frames of the encoder not in this sink (before it, paused) */
	int64_t sink_audio_end; /* sink: end of the last audio packet written (its samples) */
	int64_t sink_frames;    /* sink: video packets written */
	int sink_error;         /* sink: its first write error (the sink is done), or 0 */
};

static bool rtk_output_is_h264(const rtk_output *out)
{
	return out->format != RTK_OUTPUT_WEBM_VP8_OPUS;
}

/* Audio-only formats have no video stream: rtk_output_write_video() drops
 * the pictures. */
static bool rtk_output_has_video(rtk_output_format format)
{
	return format != RTK_OUTPUT_M4A_AAC && format != RTK_OUTPUT_MP3;
}

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
	bool h264 = rtk_output_is_h264(out);
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
	/* CMAF forces an IDR per segment; x264's own limit stays a backstop
	 * that never lands on the same frame (x264 would log a changed type). */
	if (out->cmaf != NULL && ctx->gop_size <= out->cmaf->segment_frames)
		ctx->gop_size = out->cmaf->segment_frames + 1;
	if (out->format == RTK_OUTPUT_SHARED_H264_AAC)   /* every IDR is forced (idr_every) */
		ctx->gop_size = out->idr_every + 1;
	ctx->max_b_frames = 0;
	if (out->fmt->oformat->flags & AVFMT_GLOBALHEADER)
		ctx->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
	AVDictionary *opts = NULL;
	if (h264) {
		av_dict_set(&opts, "preset", "veryfast", 0);
		av_dict_set(&opts, "tune", "zerolatency", 0);
		av_dict_set(&opts, "crf", "23", 0);
		if (out->cmaf != NULL || out->format == RTK_OUTPUT_SHARED_H264_AAC)
			av_dict_set(&opts, "forced-idr", "1", 0);
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
	bool aac = rtk_output_is_h264(out);
	const char *name = out->format == RTK_OUTPUT_MP3 ? "libmp3lame" : aac ? "aac" : "libopus";
	const AVCodec *codec = avcodec_find_encoder_by_name(name);
	if (codec == NULL)
		return NULL;
	AVCodecContext *ctx = avcodec_alloc_context3(codec);
	if (ctx == NULL)
		return NULL;
	ctx->sample_rate = RTK_OUTPUT_RATE;
	av_channel_layout_default(&ctx->ch_layout, out->channels);
	ctx->sample_fmt = rtk_output_sample_format(codec);
	ctx->bit_rate = (aac ? 128000 : 96000) * out->channels / 2;
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

/* ---- CMAF files (see output.h) ---- */

static int rtk_output_buf_append(rtk_output_buf *b, const uint8_t *data, size_t len)
{
	if (b->len + len > b->cap) {
		size_t cap = b->cap > 0 ? b->cap : RTK_CMAF_AVIO_SIZE;
		while (cap < b->len + len)
			cap *= 2;
		uint8_t *grown = realloc(b->data, cap);
		if (grown == NULL)
			return AVERROR(ENOMEM);
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	return 0;
}

/* The AVIOContext's write callback: the muxer's bytes pile up in `pending`
 * until a cut takes them. */
static int rtk_output_cmaf_avio_write(void *opaque, RTK_AVIO_CONST uint8_t *buf, int size)
{
	rtk_output_cmaf *c = opaque;
	if (rtk_output_buf_append(&c->pending, buf, (size_t)size) < 0) {
		c->write_failed = true;
		return AVERROR(ENOMEM);
	}
	return size;
}

/* Writes dir/name whole: into dir/.name.tmp first, then rename()d into
 * place, so a reader sees the complete file or none. */
static int rtk_output_cmaf_write_file(const rtk_output_cmaf *c, const char *name, const uint8_t *data,
	size_t len)
{
	char tmp[4096], path[4096];
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", c->dir, name) >= sizeof(tmp) ||
	    (size_t)snprintf(path, sizeof(path), "%s/%s", c->dir, name) >= sizeof(path))
		return AVERROR(ENAMETOOLONG);
	FILE *f = fopen(tmp, "wb");
	if (f == NULL)
		return AVERROR(errno);
	errno = EIO;
	bool ok = fwrite(data, 1, len, f) == len;
	ok = fclose(f) == 0 && ok;
	if (ok && rename(tmp, path) == 0)
		return 0;
	int ret = AVERROR(errno);
	unlink(tmp);
	return ret;
}

static void rtk_output_cmaf_announce(const rtk_output_cmaf *c, rtk_cmaf_kind kind, int part, int frames,
	bool independent, const char *name, size_t size)
{
	if (c->on_cmaf == NULL)
		return;
	rtk_cmaf_event ev = {
		.kind = kind, .msn = c->msn, .part = part, .duration_s = (double)frames / c->fps,
		.independent = independent, .name = name, .size = size,
	};
	c->on_cmaf(c->opaque, &ev);
}

/* Writes seg<msn>.m4s from the parts collected, announces it and starts
 * the next segment. */
static int rtk_output_cmaf_end_segment(rtk_output_cmaf *c)
{
	char name[64];
	snprintf(name, sizeof(name), "seg%lld.m4s", (long long)c->msn);
	int ret = rtk_output_cmaf_write_file(c, name, c->segment.data, c->segment.len);
	if (ret < 0)
		return ret;
	rtk_output_cmaf_announce(c, RTK_CMAF_SEGMENT, c->part, c->segment_video, c->segment_independent,
		name, c->segment.len);
	c->msn++;
	c->part = 0;
	c->segment_video = 0;
	c->segment.len = 0;
	return 0;
}

/* Closes the fragment being muxed (frag_custom) and takes its bytes as the
 * next part: written, kept for the segment, announced. `last` also ends
 * the segment. */
static int rtk_output_cmaf_cut(rtk_output *out, bool last)
{
	rtk_output_cmaf *c = out->cmaf;
	int ret = av_write_frame(out->fmt, NULL);
	if (ret < 0)
		return ret;
	avio_flush(out->fmt->pb);
	if (c->write_failed)
		return AVERROR(ENOMEM);
	char name[64];
	snprintf(name, sizeof(name), "seg%lld.%d.m4s", (long long)c->msn, c->part);
	ret = rtk_output_cmaf_write_file(c, name, c->pending.data, c->pending.len);
	if (ret >= 0)
		ret = rtk_output_buf_append(&c->segment, c->pending.data, c->pending.len);
	if (ret < 0)
		return ret;
	if (c->part == 0)
		c->segment_independent = c->part_independent;
	rtk_output_cmaf_announce(c, RTK_CMAF_PART, c->part, c->part_video, c->part_independent, name,
		c->pending.len);
	c->pending.len = 0;
	c->part++;
	c->part_video = 0;
	return last ? rtk_output_cmaf_end_segment(c) : 0;
}

/* Writes one video packet (already in the stream's time base) into the
 * fragment being built and counts it; when it completes a part, the cut is
 * due once audio reaches the part's end (see cut_pending). */
static int rtk_output_cmaf_write_video(rtk_output *out, AVPacket *pkt)
{
	rtk_output_cmaf *c = out->cmaf;
	bool key = pkt->flags & AV_PKT_FLAG_KEY;
	int64_t end = av_rescale_q(pkt->pts + pkt->duration, out->vst->time_base, (AVRational){ 1, 48000 });
	int ret = av_write_frame(out->fmt, pkt);
	if (ret < 0)
		return ret;
	if (c->part_video++ == 0)
		c->part_independent = key;
	c->segment_video++;
	if (c->segment_video >= c->segment_frames || c->part_video >= c->part_frames) {
		c->cut_pending = true;
		c->cut_last = c->segment_video >= c->segment_frames;
		c->cut_end = end;
	}
	return 0;
}

/* Makes the cut that was waiting, then writes the video packets held
 * meanwhile (which may make another cut due). */
static int rtk_output_cmaf_release(rtk_output *out)
{
	rtk_output_cmaf *c = out->cmaf;
	c->cut_pending = false;
	int ret = rtk_output_cmaf_cut(out, c->cut_last);
	int held = c->held_count;
	c->held_count = 0;
	for (int i = 0; i < held; i++) {
		if (ret >= 0 && c->cut_pending) {
			/* A held packet completed a part again: it waits for audio too. */
			c->held[c->held_count++] = c->held[i];
			continue;
		}
		if (ret >= 0)
			ret = rtk_output_cmaf_write_video(out, c->held[i]);
		av_packet_free(&c->held[i]);
	}
	return ret;
}

/* Muxes the packet in out->pkt into the fragment being built (no
 * interleaving queue: the cut points are ours), holding video while a cut
 * waits for the audio that belongs before it. */
static int rtk_output_cmaf_mux(rtk_output *out, AVCodecContext *enc, AVStream *st)
{
	rtk_output_cmaf *c = out->cmaf;
	AVPacket *pkt = out->pkt;
	bool video = st == out->vst;
	if (!video && pkt->pts < 0) {
		av_packet_unref(pkt); /* AAC priming, before time 0: see output.h */
		return 0;
	}
	if (pkt->duration <= 0)
		pkt->duration = video ? 1 : enc->frame_size;
	av_packet_rescale_ts(pkt, enc->time_base, st->time_base);
	pkt->stream_index = st->index;
	int ret = 0;
	if (video) {
		if (!c->cut_pending) {
			ret = rtk_output_cmaf_write_video(out, pkt);
		} else if (c->held_count < RTK_CMAF_HELD_MAX) {
			c->held[c->held_count] = av_packet_clone(pkt);
			ret = c->held[c->held_count] != NULL ? 0 : AVERROR(ENOMEM);
			c->held_count += ret == 0;
		}
		av_packet_unref(pkt);
		if (ret >= 0 && c->cut_pending && c->held_count >= c->part_frames)
			ret = rtk_output_cmaf_release(out);   /* audio stopped coming */
		return ret;
	}
	/* Audio starting at or after the waiting cut belongs to the next part. */
	int64_t start = av_rescale_q(pkt->pts, st->time_base, (AVRational){ 1, 48000 });
	if (c->cut_pending && start >= c->cut_end)
		ret = rtk_output_cmaf_release(out);
	if (ret >= 0)
		ret = av_write_frame(out->fmt, pkt);
	av_packet_unref(pkt);
	return ret;
}

static int rtk_output_cmaf_frames(int ms, int fps)
{
	long frames = lround(ms * (double)fps / 1000.0);
	return frames < 1 ? 1 : (int)frames;
}

/* Validates the options and sets the cutter up (before the encoders open:
 * the H.264 options depend on it). */
static int rtk_output_cmaf_new(rtk_output *out, const char *dir, int fps, const rtk_cmaf_options *options,
	char *err, size_t errlen)
{
	rtk_cmaf_options o = { 0 };
	if (options != NULL)
		o = *options;
	int max_frames = RTK_CMAF_MAX_PART_MS * fps / 1000;
	if (max_frames < 1 || strlen(dir) > 3900) {
		rtk_output_error(err, errlen, "CMAF needs fps >= 2 (parts of at most 500 ms) and a shorter path", 0);
		return -1;
	}
	rtk_output_cmaf *c = calloc(1, sizeof(*c));
	if (c == NULL || (c->dir = strdup(dir)) == NULL) {
		free(c);
		rtk_output_error(err, errlen, "out of memory", 0);
		return -1;
	}
	int part_ms = o.part_ms > 0 ? o.part_ms : RTK_CMAF_DEFAULT_PART_MS;
	int segment_ms = o.segment_ms > 0 ? o.segment_ms : RTK_CMAF_DEFAULT_SEGMENT_MS;
	c->fps = fps;
	c->part_frames = rtk_output_cmaf_frames(part_ms < RTK_CMAF_MAX_PART_MS ? part_ms : RTK_CMAF_MAX_PART_MS, fps);
	if (c->part_frames > max_frames)
		c->part_frames = max_frames;
	c->segment_frames = rtk_output_cmaf_frames(segment_ms < RTK_CMAF_MAX_SEGMENT_MS ? segment_ms :
		RTK_CMAF_MAX_SEGMENT_MS, fps);
	if (c->segment_frames < c->part_frames)
		c->segment_frames = c->part_frames;
	c->on_cmaf = o.on_cmaf;
	c->opaque = o.opaque;
	out->cmaf = c;
	return 0;
}

/* The muxer writes into memory through a custom AVIOContext. */
static int rtk_output_cmaf_open_io(rtk_output *out)
{
	uint8_t *buffer = av_malloc(RTK_CMAF_AVIO_SIZE);
	if (buffer == NULL)
		return AVERROR(ENOMEM);
	out->fmt->pb = avio_alloc_context(buffer, RTK_CMAF_AVIO_SIZE, 1, out->cmaf, NULL,
		rtk_output_cmaf_avio_write, NULL);
	if (out->fmt->pb == NULL) {
		av_free(buffer);
		return AVERROR(ENOMEM);
	}
	out->fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
	return 0;
}

/* init.mp4: what the muxer wrote for its header (ftyp + empty moov). */
static int rtk_output_cmaf_write_init(rtk_output *out)
{
	rtk_output_cmaf *c = out->cmaf;
	avio_flush(out->fmt->pb);
	if (c->write_failed)
		return AVERROR(ENOMEM);
	int ret = rtk_output_cmaf_write_file(c, "init.mp4", c->pending.data, c->pending.len);
	c->pending.len = 0;
	return ret;
}

/* The last part and segment: whatever video is left (audio returned after
 * a part was already cut at the last frame is dropped, see output.h). */
static int rtk_output_cmaf_finish(rtk_output *out)
{
	rtk_output_cmaf *c = out->cmaf;
	int ret = 0;
	while (ret >= 0 && c->cut_pending)
		ret = rtk_output_cmaf_release(out);
	if (ret < 0)
		return ret;
	if (c->part_video > 0)
		ret = rtk_output_cmaf_cut(out, true);
	else if (c->part > 0)
		ret = rtk_output_cmaf_end_segment(c);
	return ret;
}

static void rtk_output_cmaf_free(rtk_output *out)
{
	for (int i = 0; i < out->cmaf->held_count; i++)
		av_packet_free(&out->cmaf->held[i]);
	if (out->fmt != NULL && out->fmt->pb != NULL) {
		av_freep(&out->fmt->pb->buffer);
		avio_context_free(&out->fmt->pb);
	}
	free(out->cmaf->dir);
	free(out->cmaf->pending.data);
	free(out->cmaf->segment.data);
	free(out->cmaf);
	out->cmaf = NULL;
}

int rtk_output_cmaf_targets(const rtk_output *out, double *part_s, double *segment_s)
{
	if (out == NULL || out->cmaf == NULL)
		return -1;
	if (part_s != NULL)
		*part_s = (double)out->cmaf->part_frames / out->cmaf->fps;
	if (segment_s != NULL)
		*segment_s = (double)out->cmaf->segment_frames / out->cmaf->fps;
	return 0;
}

/* ---- opening ---- */

#define RTK_OUTPUT_PUSH_TIMEOUT_NS 10000000000LL

/* Interrupts a push's connect that takes longer than its deadline. */
static int rtk_output_push_interrupt(void *opaque)
{
	const rtk_output *out = opaque;
	return out->push_deadline != 0 && av_gettime_relative() * 1000 > out->push_deadline;
}

/* Opens an FLV push to `url` (rtmp:// or rtmps://): connect within 10 s,
 * each write within 10 s after that. */
static int rtk_output_open_push(rtk_output *out, const char *url)
{
	if (strncmp(url, "rtmp://", 7) != 0 && strncmp(url, "rtmps://", 8) != 0)
		return AVERROR(EINVAL);
	AVDictionary *opts = NULL;
	av_dict_set(&opts, "rw_timeout", "10000000", 0);
	out->fmt->interrupt_callback.callback = rtk_output_push_interrupt;
	out->fmt->interrupt_callback.opaque = out;
	out->push_deadline = av_gettime_relative() * 1000 + RTK_OUTPUT_PUSH_TIMEOUT_NS;
	int ret = avio_open2(&out->fmt->pb, url, AVIO_FLAG_WRITE, &out->fmt->interrupt_callback, &opts);
	av_dict_free(&opts);
	out->push_deadline = 0;   /* connected (or not): later writes have rw_timeout */
	return ret;
}

/* Muxer options: MP4 fragments and WebM clusters at least every second
 * (crash safety); CMAF fragments only when a part is cut, no mfra trailer. */
static int rtk_output_write_header(rtk_output *out)
{
	AVDictionary *opts = NULL;
	if (out->cmaf != NULL) {
		av_dict_set(&opts, "movflags", "frag_custom+empty_moov+default_base_moof+skip_trailer+cmaf", 0);
	} else if (out->format == RTK_OUTPUT_MP4_H264_AAC) {
		av_dict_set(&opts, "movflags", "frag_keyframe+empty_moov+default_base_moof", 0);
		av_dict_set(&opts, "frag_duration", "1000000", 0);
	} else if (out->format == RTK_OUTPUT_M4A_AAC) {
		/* every audio packet is a keyframe: fragments by time only */
		av_dict_set(&opts, "movflags", "empty_moov+default_base_moof", 0);
		av_dict_set(&opts, "frag_duration", "1000000", 0);
	} else if (out->format == RTK_OUTPUT_WEBM_VP8_OPUS) {
		av_dict_set(&opts, "cluster_time_limit", "1000", 0);
	}
	out->fmt->flags |= AVFMT_FLAG_FLUSH_PACKETS;
	out->fmt->flush_packets = 1;
	int ret = avformat_write_header(out->fmt, &opts);
	av_dict_free(&opts);
	if (ret >= 0)
		out->header_written = true;
	if (ret >= 0 && out->cmaf != NULL)
		ret = rtk_output_cmaf_write_init(out);
	return ret;
}

static rtk_output *rtk_output_create(const char *path, rtk_output_format format, int width, int height,
	int fps, int channels, const rtk_cmaf_options *cmaf, char *err, size_t errlen)
{
	if (path == NULL || width < 2 || height < 2 || width > 1920 || height > 1920 ||
	    (width | height) & 1 || fps < 1 || fps > 60 || format < RTK_OUTPUT_MP4_H264_AAC ||
	    format > RTK_OUTPUT_SHARED_H264_AAC || (channels != 1 && channels != 2)) {
		rtk_output_error(err, errlen, "invalid output settings", 0);
		return NULL;
	}
	rtk_output *out = calloc(1, sizeof(*out));
	if (out == NULL)
		return NULL;
	out->format = format;
	out->channels = channels;
	if (format == RTK_OUTPUT_CMAF_H264_AAC && rtk_output_cmaf_new(out, path, fps, cmaf, err, errlen) < 0)
		goto fail;
	bool shared = format == RTK_OUTPUT_SHARED_H264_AAC;
	if (shared) {
		/* the IDR cadence of the CMAF sinks it may get (rtk_output_open_shared) */
		int segment_ms = cmaf != NULL && cmaf->segment_ms > 0 ? cmaf->segment_ms : RTK_CMAF_DEFAULT_SEGMENT_MS;
		out->idr_every = rtk_output_cmaf_frames(segment_ms < RTK_CMAF_MAX_SEGMENT_MS ? segment_ms :
			RTK_CMAF_MAX_SEGMENT_MS, fps);
	}
	const char *muxer = format == RTK_OUTPUT_MP3 ? "mp3" : format == RTK_OUTPUT_FLV_H264_AAC ? "flv" :
		rtk_output_is_h264(out) ? "mp4" : "webm";
	/* a shared encoder has no file: its muxer context only says which
	 * headers the encoders put where (global: as every sink needs) */
	int ret = avformat_alloc_output_context2(&out->fmt, NULL, muxer, out->cmaf != NULL || shared ? NULL : path);
	if (ret < 0) {
		rtk_output_error(err, errlen, "no muxer", ret);
		goto fail;
	}
	bool video = rtk_output_has_video(format);
	out->venc = video ? rtk_output_open_video(out, width, height, fps) : NULL;
	out->aenc = rtk_output_open_audio(out);
	if ((video && out->venc == NULL) || out->aenc == NULL) {
		rtk_output_error(err, errlen, format == RTK_OUTPUT_MP3 ? "cannot open libmp3lame encoder" :
			!video ? "cannot open aac encoder" : rtk_output_is_h264(out) ?
			"cannot open libx264 or aac encoder" : "cannot open libvpx or libopus encoder", 0);
		goto fail;
	}
	out->vst = video ? rtk_output_add_stream(out, out->venc) : NULL;
	out->ast = rtk_output_add_stream(out, out->aenc);
	out->pkt = av_packet_alloc();
	ret = rtk_output_alloc_audio_frame(out);
	if ((video && out->vst == NULL) || out->ast == NULL || out->pkt == NULL || ret < 0) {
		rtk_output_error(err, errlen, "out of memory", ret);
		goto fail;
	}
	if (shared)
		return out;
	ret = out->cmaf != NULL ? rtk_output_cmaf_open_io(out) : format == RTK_OUTPUT_FLV_H264_AAC ?
		rtk_output_open_push(out, path) : avio_open(&out->fmt->pb, path, AVIO_FLAG_WRITE);
	if (ret < 0) {
		rtk_output_error(err, errlen, format == RTK_OUTPUT_FLV_H264_AAC ? "cannot connect to the RTMP server" :
			"cannot open output file", ret);
		goto fail;
	}
	ret = rtk_output_write_header(out);
	if (ret < 0) {
		rtk_output_error(err, errlen, out->cmaf != NULL ? "cannot write init.mp4" : "cannot write header", ret);
		goto fail;
	}
	return out;
fail:
	rtk_output_free(out);
	return NULL;
}

rtk_output *rtk_output_open(const char *path, rtk_output_format format, int width, int height,
	int fps, char *err, size_t errlen)
{
	return rtk_output_create(path, format, width, height, fps, 2, NULL, err, errlen);
}

rtk_output *rtk_output_open_channels(const char *path, rtk_output_format format, int width, int height,
	int fps, int channels, char *err, size_t errlen)
{
	return rtk_output_create(path, format, width, height, fps, channels, NULL, err, errlen);
}

rtk_output *rtk_output_open_cmaf(const char *dir, int width, int height, int fps,
	const rtk_cmaf_options *options, char *err, size_t errlen)
{
	return rtk_output_create(dir, RTK_OUTPUT_CMAF_H264_AAC, width, height, fps, 2, options, err, errlen);
}

/* ---- encoding ---- */

/* Muxes the packet in out->pkt (in `enc`'s time base) into `st`; the
 * muxer takes its reference, leaving `pkt` blank for reuse. */
static int rtk_output_mux(rtk_output *out, AVCodecContext *enc, AVStream *st)
{
	if (out->cmaf != NULL)
		return rtk_output_cmaf_mux(out, enc, st);
	if (out->pkt->duration <= 0)   /* the muxer would have to guess it */
		out->pkt->duration = st == out->vst ? 1 : enc->frame_size;
	av_packet_rescale_ts(out->pkt, enc->time_base, st->time_base);
	out->pkt->stream_index = st->index;
	return av_interleaved_write_frame(out->fmt, out->pkt);
}

/* Audio samples (48 kHz) at the start of video frame `frames` of `out`. */
static int64_t rtk_output_frames_to_samples(const rtk_output *out, int64_t frames)
{
	if (frames == INT64_MAX)
		return INT64_MAX;
	return av_rescale_q(frames, out->venc->time_base, (AVRational){ 1, RTK_OUTPUT_RATE });
}

/* A sink's share of a shared encoder's packet (now in sink->pkt, in the
 * encoder's time base): kept when it lies in the frames the sink is
 * attached and not paused for, moved back by the frames it was not (so
 * its timestamps run on without a gap), and muxed. Video starts with a
 * keyframe; audio never goes back in time. */
static int rtk_output_sink_take(rtk_output *sink, bool video)
{
	AVPacket *pkt = sink->pkt;
	int64_t from = sink->sink_from, until = sink->sink_until, skip = sink->sink_skip;
	bool keep;
	if (video) {
		keep = pkt->pts >= from && pkt->pts < until && (sink->sink_key_seen || (pkt->flags & AV_PKT_FLAG_KEY));
		if (keep) {
			sink->sink_key_seen = true;
			sink->sink_frames++;
		}
	} else {
		from = rtk_output_frames_to_samples(sink, from);
		until = rtk_output_frames_to_samples(sink, until);
		skip = rtk_output_frames_to_samples(sink, skip);
		keep = pkt->pts >= from && pkt->pts < until && pkt->pts - skip >= sink->sink_audio_end;
		if (keep)
			sink->sink_audio_end = pkt->pts - skip + (pkt->duration > 0 ? pkt->duration : sink->aenc->frame_size);
	}
	if (!keep) {
		av_packet_unref(pkt);
		return 0;
	}
	pkt->pts -= skip;
	pkt->dts -= skip;
	return rtk_output_mux(sink, video ? sink->venc : sink->aenc, video ? sink->vst : sink->ast);
}

/* Hands the packet in out->pkt (a shared encoder's) to every sink that has
 * not failed; a sink's failure is its own (sink_error). */
static void rtk_output_deliver(rtk_output *out, bool video)
{
	for (int i = 0; i < out->n_sinks; i++) {
		rtk_output *sink = out->sinks[i];
		if (sink->sink_error < 0)
			continue;
		int ret = av_packet_ref(sink->pkt, out->pkt);
		if (ret >= 0)
			ret = rtk_output_sink_take(sink, video);
		if (ret < 0) {
			av_packet_unref(sink->pkt);
			sink->sink_error = ret;
		}
	}
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
		if (out->n_sinks > 0)
			rtk_output_deliver(out, st == out->vst);
		if (out->format == RTK_OUTPUT_SHARED_H264_AAC) {
			av_packet_unref(out->pkt);   /* the sinks took their references */
			continue;
		}
		ret = rtk_output_mux(out, enc, st);
		if (ret < 0)
			return ret;
	}
}

int rtk_output_write_video(rtk_output *out, AVFrame *picture, int64_t index)
{
	if (out->finished)
		return AVERROR(EINVAL);
	if (out->venc == NULL)   /* audio only */
		return 0;
	picture->pts = index;
	picture->pict_type = AV_PICTURE_TYPE_NONE;
	/* Shared: an IDR on the CMAF sinks' segment cadence, and when a sink
	 * (re)starts. */
	if (out->format == RTK_OUTPUT_SHARED_H264_AAC) {
		if (out->idr_next || (index - out->idr_base) % out->idr_every == 0)
			picture->pict_type = AV_PICTURE_TYPE_I;
		out->idr_next = false;
		out->frames_sent = index + 1;
	}
	/* CMAF: an IDR (forced-idr) starts every segment. */
	if (out->cmaf != NULL && out->cmaf->frames_sent++ % out->cmaf->segment_frames == 0)
		picture->pict_type = AV_PICTURE_TYPE_I;
	return rtk_output_encode(out, out->venc, out->vst, picture);
}

/* Copies `n` interleaved stereo samples into the audio frame at `at`; a
 * mono frame gets the mean of the two channels. */
static void rtk_output_put_samples(AVFrame *f, int at, const float *s, int n)
{
	if (f->ch_layout.nb_channels == 1) {
		for (int i = 0; i < n; i++) {
			float m = 0.5f * (s[2 * i] + s[2 * i + 1]);
			if (f->format == AV_SAMPLE_FMT_S16)
				((int16_t *)f->data[0])[at + i] = (int16_t)(m * 32767.0f);
			else   /* FLTP and FLT are the same for one channel */
				((float *)f->data[0])[at + i] = m;
		}
		return;
	}
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

/* ---- sinks of a shared encoder (encode once, output.h) ---- */

/* Takes the sink off its encoder's list (nothing more reaches it). */
static void rtk_output_sink_detach(rtk_output *sink)
{
	rtk_output *src = sink->src;
	if (src == NULL)
		return;
	for (int i = 0; i < src->n_sinks; i++) {
		if (src->sinks[i] == sink) {
			src->sinks[i] = src->sinks[--src->n_sinks];
			break;
		}
	}
	sink->src = NULL;
}

/* The sink's file ends where its packets did: CMAF cuts its last part and
 * segment, MP4 and FLV get their trailer. Its encoder goes on. */
static int rtk_output_sink_finish(rtk_output *sink)
{
	rtk_output_sink_detach(sink);
	int ret = sink->cmaf != NULL ? rtk_output_cmaf_finish(sink) : 0;
	int r2 = av_write_trailer(sink->fmt);
	int r3 = sink->cmaf != NULL ? 0 : avio_closep(&sink->fmt->pb);
	if (sink->cmaf != NULL)
		sink->cmaf->pending.len = 0;
	sink->finished = true;
	if (sink->sink_error < 0)
		return sink->sink_error;
	return ret < 0 ? ret : r2 < 0 ? r2 : r3;
}

rtk_output *rtk_output_open_shared(int width, int height, int fps, const rtk_cmaf_options *cadence, char *err,
	size_t errlen)
{
	return rtk_output_create("", RTK_OUTPUT_SHARED_H264_AAC, width, height, fps, 2, cadence, err, errlen);
}

rtk_output *rtk_output_sink_open(rtk_output *src, rtk_output_format format, const char *path,
	const rtk_cmaf_options *cmaf, char *err, size_t errlen)
{
	if (src == NULL || src->format != RTK_OUTPUT_SHARED_H264_AAC || src->finished || path == NULL ||
	    (format != RTK_OUTPUT_MP4_H264_AAC && format != RTK_OUTPUT_CMAF_H264_AAC &&
	     format != RTK_OUTPUT_FLV_H264_AAC)) {
		rtk_output_error(err, errlen, "invalid output settings", 0);
		return NULL;
	}
	if (src->n_sinks >= RTK_OUTPUT_SINKS_MAX) {
		rtk_output_error(err, errlen, "too many outputs on one encoder", 0);
		return NULL;
	}
	rtk_output *out = calloc(1, sizeof(*out));
	if (out == NULL)
		return NULL;
	out->format = format;
	out->channels = 2;
	out->sink = true;
	out->venc = src->venc;
	out->aenc = src->aenc;
	int fps = src->venc->time_base.den;
	if (format == RTK_OUTPUT_CMAF_H264_AAC) {
		if (rtk_output_cmaf_new(out, path, fps, cmaf, err, errlen) < 0)
			goto fail;
		if (out->cmaf->segment_frames != src->idr_every) {
			rtk_output_error(err, errlen, "the segment length is not the shared encoder's", 0);
			goto fail;
		}
	}
	const char *muxer = format == RTK_OUTPUT_FLV_H264_AAC ? "flv" : "mp4";
	int ret = avformat_alloc_output_context2(&out->fmt, NULL, muxer, out->cmaf != NULL ? NULL : path);
	if (ret < 0) {
		rtk_output_error(err, errlen, "no muxer", ret);
		goto fail;
	}
	out->vst = rtk_output_add_stream(out, out->venc);
	out->ast = rtk_output_add_stream(out, out->aenc);
	out->pkt = av_packet_alloc();
	if (out->vst == NULL || out->ast == NULL || out->pkt == NULL) {
		rtk_output_error(err, errlen, "out of memory", 0);
		goto fail;
	}
	ret = out->cmaf != NULL ? rtk_output_cmaf_open_io(out) : format == RTK_OUTPUT_FLV_H264_AAC ?
		rtk_output_open_push(out, path) : avio_open(&out->fmt->pb, path, AVIO_FLAG_WRITE);
	if (ret < 0) {
		rtk_output_error(err, errlen, format == RTK_OUTPUT_FLV_H264_AAC ? "cannot connect to the RTMP server" :
			"cannot open output file", ret);
		goto fail;
	}
	ret = rtk_output_write_header(out);
	if (ret < 0) {
		rtk_output_error(err, errlen, out->cmaf != NULL ? "cannot write init.mp4" : "cannot write header", ret);
		goto fail;
	}
	/* attached from the next frame on, which is an IDR: for CMAF the first
	 * of its segment cadence */
	out->src = src;
	src->sinks[src->n_sinks++] = out;
	out->sink_from = out->sink_skip = src->frames_sent;
	out->sink_until = INT64_MAX;
	if (format == RTK_OUTPUT_CMAF_H264_AAC)
		src->idr_base = src->frames_sent;
	else
		src->idr_next = true;
	return out;
fail:
	rtk_output_free(out);
	return NULL;
}

int rtk_output_sink_pause(rtk_output *sink, bool paused)
{
	if (!sink->sink || sink->cmaf != NULL || sink->src == NULL)
		return -1;
	int64_t now = sink->src->frames_sent;
	if (paused && sink->sink_until == INT64_MAX) {
		sink->sink_until = now;
	} else if (!paused && sink->sink_until != INT64_MAX) {
		sink->sink_skip += now - sink->sink_until;
		sink->sink_from = now;
		sink->sink_until = INT64_MAX;
		sink->sink_key_seen = false;
		sink->src->idr_next = true;
	}
	return 0;
}

int64_t rtk_output_sink_frames(const rtk_output *sink)
{
	return sink->sink_frames;
}

int rtk_output_sink_error(const rtk_output *sink)
{
	return sink->sink_error;
}

int rtk_output_finish(rtk_output *out)
{
	if (out->finished)
		return 0;
	if (out->sink)
		return rtk_output_sink_finish(out);
	int ret = rtk_output_flush_audio(out);
	int r2 = out->venc != NULL ? rtk_output_encode(out, out->venc, out->vst, NULL) : 0;
	int r3 = rtk_output_encode(out, out->aenc, out->ast, NULL);
	if (out->format == RTK_OUTPUT_SHARED_H264_AAC) {   /* no file: the sinks have the packets */
		out->finished = true;
		return ret < 0 ? ret : r2 < 0 ? r2 : r3;
	}
	if (out->cmaf != NULL && r2 >= 0 && r3 >= 0)
		r3 = rtk_output_cmaf_finish(out);
	int r4 = av_write_trailer(out->fmt);
	int r5 = out->cmaf != NULL ? 0 : avio_closep(&out->fmt->pb);
	if (out->cmaf != NULL)
		out->cmaf->pending.len = 0; /* nothing after the last part is kept */
	out->finished = true;
	return ret < 0 ? ret : r2 < 0 ? r2 : r3 < 0 ? r3 : r4 < 0 ? r4 : r5;
}

void rtk_output_free(rtk_output *out)
{
	if (out == NULL)
		return;
	rtk_output_sink_detach(out);
	for (int i = 0; i < out->n_sinks; i++)
		out->sinks[i]->src = NULL;   /* a sink outliving its encoder gets nothing more */
	if (out->sink)
		out->venc = out->aenc = NULL;   /* the encoder's */
	if (out->cmaf != NULL)
		rtk_output_cmaf_free(out);
	else if (out->fmt != NULL && out->fmt->pb != NULL)
		avio_closep(&out->fmt->pb);
	avformat_free_context(out->fmt);
	avcodec_free_context(&out->venc);
	avcodec_free_context(&out->aenc);
	av_packet_free(&out->pkt);
	av_frame_free(&out->audio);
	free(out);
}
