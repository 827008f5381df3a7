/*
 * decode.c - libavcodec decoding of rtk_frames (see decode.h for what this
 * owns and the ownership of frames crossing its boundary).
 */
#include "decode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libavcodec/avcodec.h>
#include <libavutil/buffer.h>
#include <libavutil/channel_layout.h>

struct rtk_decoder {
	rtk_codec codec;
	AVCodecContext *ctx;
	AVPacket *pkt;          /* reused for every send; its buffer comes from `pool` */
	AVBufferPool *pool;     /* padded packet buffers of `pool_size` bytes each */
	size_t pool_size;
	bool need_keyframe;     /* video: drop until a keyframe */
};

static enum AVCodecID rtk_decoder_codec_id(rtk_codec codec)
{
	switch (codec) {
	case RTK_CODEC_OPUS: return AV_CODEC_ID_OPUS;
	case RTK_CODEC_VP8: return AV_CODEC_ID_VP8;
	case RTK_CODEC_H264: return AV_CODEC_ID_H264;
	}
	return AV_CODEC_ID_NONE;
}

rtk_decoder *rtk_decoder_new(rtk_codec codec)
{
	const AVCodec *c = avcodec_find_decoder(rtk_decoder_codec_id(codec));
	if (c == NULL)
		return NULL;
	rtk_decoder *dec = calloc(1, sizeof(*dec));
	if (dec == NULL)
		return NULL;
	dec->codec = codec;
	dec->need_keyframe = codec != RTK_CODEC_OPUS;
	dec->ctx = avcodec_alloc_context3(c);
	dec->pkt = av_packet_alloc();
	if (dec->ctx == NULL || dec->pkt == NULL)
		goto fail;
	if (codec == RTK_CODEC_OPUS) {
		/* WebRTC Opus is always signalled as 48 kHz stereo (RFC 7587). */
		dec->ctx->sample_rate = 48000;
		av_channel_layout_default(&dec->ctx->ch_layout, 2);
	} else {
		/* One picture in, one picture out: frame threading would add
		 * latency, slice threading does not help small tiles. */
		dec->ctx->thread_count = 1;
	}
	if (avcodec_open2(dec->ctx, c, NULL) < 0)
		goto fail;
	return dec;
fail:
	rtk_decoder_free(dec);
	return NULL;
}

void rtk_decoder_free(rtk_decoder *dec)
{
	if (dec == NULL)
		return;
	avcodec_free_context(&dec->ctx);
	av_packet_free(&dec->pkt);
	av_buffer_pool_uninit(&dec->pool); /* freed once the last buffer returns */
	free(dec);
}

rtk_codec rtk_decoder_codec(const rtk_decoder *dec)
{
	return dec->codec;
}

/* Makes sure pooled buffers hold `size` bytes plus padding; grows the pool
 * (by doubling) only when a bigger frame than ever before arrives. */
static int rtk_decoder_reserve(rtk_decoder *dec, size_t size)
{
	if (dec->pool != NULL && size <= dec->pool_size)
		return 0;
	size_t want = dec->pool_size ? dec->pool_size : 64 * 1024;
	while (want < size)
		want *= 2;
	av_buffer_pool_uninit(&dec->pool);
	dec->pool = av_buffer_pool_init(want + AV_INPUT_BUFFER_PADDING_SIZE, NULL);
	if (dec->pool == NULL)
		return AVERROR(ENOMEM);
	dec->pool_size = want;
	return 0;
}

int rtk_decoder_send(rtk_decoder *dec, const rtk_frame *frame)
{
	if (frame == NULL || frame->data == NULL || frame->size == 0 || frame->size > INT32_MAX)
		return 1;
	if (dec->need_keyframe && !frame->keyframe)
		return 1;
	int ret = rtk_decoder_reserve(dec, frame->size);
	if (ret < 0)
		return ret;
	AVBufferRef *buf = av_buffer_pool_get(dec->pool);
	if (buf == NULL)
		return AVERROR(ENOMEM);
	memcpy(buf->data, frame->data, frame->size);
	memset(buf->data + frame->size, 0, AV_INPUT_BUFFER_PADDING_SIZE);
	/* The packet takes `buf`; the decoder references it as long as it
	 * needs, then it goes back to the pool. */
	av_packet_unref(dec->pkt);
	dec->pkt->buf = buf;
	dec->pkt->data = buf->data;
	dec->pkt->size = (int)frame->size;
	dec->pkt->pts = frame->timestamp;
	dec->pkt->flags = frame->keyframe ? AV_PKT_FLAG_KEY : 0;
	ret = avcodec_send_packet(dec->ctx, dec->pkt);
	av_packet_unref(dec->pkt);
	if (ret == AVERROR(EAGAIN))
		ret = 0; /* the caller drains with receive, then the next send fits */
	if (ret < 0) {
		dec->need_keyframe = dec->codec != RTK_CODEC_OPUS;
		return ret;
	}
	dec->need_keyframe = false;
	return 0;
}

int rtk_decoder_receive(rtk_decoder *dec, AVFrame *out)
{
	av_frame_unref(out);
	int ret = avcodec_receive_frame(dec->ctx, out);
	if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
		return 0;
	if (ret < 0) {
		dec->need_keyframe = dec->codec != RTK_CODEC_OPUS;
		return ret;
	}
	return 1;
}
