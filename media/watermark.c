/*
 * watermark.c - fetch, decode, scale and lay a watermark over the
 * composite (watermark.h).
 */
#include "watermark.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avio.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/time.h>
#include <libswscale/swscale.h>

struct rtk_watermark {
	AVFrame *picture;   /* YUVA420P, w x h (even) */
	int x, y;           /* top-left on the canvas (even) */
};

int rtk_watermark_corner_parse(const char *s, rtk_watermark_corner *out)
{
	static const char *const names[] = { "left top", "right top", "left bottom", "right bottom" };
	for (int i = 0; i < 4; i++) {
		if (s != NULL && strcmp(s, names[i]) == 0) {
			*out = (rtk_watermark_corner)i;
			return 0;
		}
	}
	return -1;
}

void rtk_watermark_place(int canvas_w, int canvas_h, int w, int h, rtk_watermark_corner corner, int *x, int *y)
{
	bool right = corner == RTK_WATERMARK_RIGHT_TOP || corner == RTK_WATERMARK_RIGHT_BOTTOM;
	bool bottom = corner == RTK_WATERMARK_LEFT_BOTTOM || corner == RTK_WATERMARK_RIGHT_BOTTOM;
	int mx = canvas_w - w >= 2 * RTK_WATERMARK_MARGIN ? RTK_WATERMARK_MARGIN : (canvas_w - w) / 2 & ~1;
	int my = canvas_h - h >= 2 * RTK_WATERMARK_MARGIN ? RTK_WATERMARK_MARGIN : (canvas_h - h) / 2 & ~1;
	*x = right ? (canvas_w - w - mx) & ~1 : mx;
	*y = bottom ? (canvas_h - h - my) & ~1 : my;
}

/* ---- fetching ---- */

typedef struct watermark_fetch {
	int64_t deadline_us;   /* av_gettime_relative() the fetch must end by */
} watermark_fetch;

static int watermark_interrupt(void *opaque)
{
	const watermark_fetch *f = opaque;
	return av_gettime_relative() > f->deadline_us;
}

static void watermark_error(char *err, size_t errlen, const char *what, int averr)
{
	if (err == NULL || errlen == 0)
		return;
	if (averr < 0) {
		char text[AV_ERROR_MAX_STRING_SIZE];
		av_strerror(averr, text, sizeof text);
		snprintf(err, errlen, "%s: %s", what, text);
	} else {
		snprintf(err, errlen, "%s", what);
	}
}

/* Reads all of `url` into a new buffer (the caller frees it with
 * av_free()); returns its size, or -1 with a reason in err. */
static long watermark_fetch_bytes(const char *url, uint8_t **out, char *err, size_t errlen)
{
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0 && strncmp(url, "data:", 5) != 0) {
		watermark_error(err, errlen, "the watermark url must be http://, https:// or data:", 0);
		return -1;
	}
	watermark_fetch f = { av_gettime_relative() + RTK_WATERMARK_TIMEOUT_MS * 1000LL };
	AVIOInterruptCB cb = { watermark_interrupt, &f };
	AVDictionary *opts = NULL;
	av_dict_set(&opts, "protocol_whitelist", "http,https,tcp,tls,data", 0);
	av_dict_set(&opts, "rw_timeout", "5000000", 0);
	AVIOContext *io = NULL;
	int ret = avio_open2(&io, url, AVIO_FLAG_READ, &cb, &opts);
	av_dict_free(&opts);
	if (ret < 0) {
		watermark_error(err, errlen, ret == AVERROR_EXIT ? "cannot fetch the watermark: no answer within 5 s" :
			"cannot fetch the watermark", ret == AVERROR_EXIT ? 0 : ret);
		return -1;
	}
	uint8_t *buf = av_malloc(RTK_WATERMARK_MAX_BYTES + 1);
	long size = 0;
	while (buf != NULL && size <= RTK_WATERMARK_MAX_BYTES) {
		ret = avio_read(io, buf + size, (int)(RTK_WATERMARK_MAX_BYTES + 1 - size));
		if (ret <= 0)
			break;
		size += ret;
	}
	avio_closep(&io);
	if (buf == NULL) {
		watermark_error(err, errlen, "out of memory", 0);
		return -1;
	}
	const char *why = ret == AVERROR_EXIT ? "cannot fetch the watermark: not complete within 5 s" :
		size > RTK_WATERMARK_MAX_BYTES ? "the watermark is larger than 1 MiB" :
		ret < 0 && ret != AVERROR_EOF ? "cannot fetch the watermark" : size == 0 ? "the watermark is empty" : NULL;
	if (why != NULL) {
		watermark_error(err, errlen, why, ret < 0 && ret != AVERROR_EOF && ret != AVERROR_EXIT &&
			size <= RTK_WATERMARK_MAX_BYTES ? ret : 0);
		av_free(buf);
		return -1;
	}
	*out = buf;
	return size;
}

/* ---- decoding ---- */

/* Decodes one PNG or JPEG picture; NULL with a reason in err. */
static AVFrame *watermark_decode(const uint8_t *bytes, long size, char *err, size_t errlen)
{
	enum AVCodecID id = size >= 8 && memcmp(bytes, "\x89PNG\r\n\x1a\n", 8) == 0 ? AV_CODEC_ID_PNG :
		size >= 3 && memcmp(bytes, "\xff\xd8\xff", 3) == 0 ? AV_CODEC_ID_MJPEG : AV_CODEC_ID_NONE;
	if (id == AV_CODEC_ID_NONE) {
		watermark_error(err, errlen, "the watermark is not a PNG or JPEG image", 0);
		return NULL;
	}
	const AVCodec *codec = avcodec_find_decoder(id);
	AVCodecContext *ctx = codec != NULL ? avcodec_alloc_context3(codec) : NULL;
	AVPacket *pkt = av_packet_alloc();
	AVFrame *frame = av_frame_alloc();
	int ret = ctx != NULL && pkt != NULL && frame != NULL ? avcodec_open2(ctx, codec, NULL) : AVERROR(ENOMEM);
	if (ret >= 0)
		ret = av_new_packet(pkt, (int)size);
	if (ret >= 0) {
		memcpy(pkt->data, bytes, (size_t)size);
		ret = avcodec_send_packet(ctx, pkt);
	}
	if (ret >= 0)
		ret = avcodec_send_packet(ctx, NULL);
	if (ret >= 0)
		ret = avcodec_receive_frame(ctx, frame);
	av_packet_free(&pkt);
	avcodec_free_context(&ctx);
	if (ret < 0) {
		watermark_error(err, errlen, "cannot decode the watermark image", ret);
		av_frame_free(&frame);
	}
	return frame;
}

/* Scales `src` to a new YUVA420P picture of w x h. */
static AVFrame *watermark_scale(const AVFrame *src, int w, int h, char *err, size_t errlen)
{
	AVFrame *dst = av_frame_alloc();
	struct SwsContext *sws = sws_getContext(src->width, src->height, (enum AVPixelFormat)src->format, w, h,
		AV_PIX_FMT_YUVA420P, SWS_BICUBIC, NULL, NULL, NULL);
	int ret = AVERROR(ENOMEM);
	if (dst != NULL && sws != NULL) {
		dst->format = AV_PIX_FMT_YUVA420P;
		dst->width = w;
		dst->height = h;
		ret = av_frame_get_buffer(dst, 0);
		if (ret >= 0)
			ret = sws_scale(sws, (const uint8_t *const *)src->data, src->linesize, 0, src->height,
				dst->data, dst->linesize);
	}
	sws_freeContext(sws);
	if (ret < 0 || sws == NULL) {
		watermark_error(err, errlen, "cannot scale the watermark image", ret);
		av_frame_free(&dst);
	}
	return dst;
}

rtk_watermark *rtk_watermark_load(const char *url, int width, int height, rtk_watermark_corner corner,
	int canvas_w, int canvas_h, char *err, size_t errlen)
{
	if (url == NULL || width < 0 || height < 0 || canvas_w < 2 || canvas_h < 2) {
		watermark_error(err, errlen, "invalid watermark settings", 0);
		return NULL;
	}
	uint8_t *bytes = NULL;
	long size = watermark_fetch_bytes(url, &bytes, err, errlen);
	if (size < 0)
		return NULL;
	AVFrame *decoded = watermark_decode(bytes, size, err, errlen);
	av_free(bytes);
	if (decoded != NULL && (width == 0 || height == 0)) {   /* the image's own size */
		width = decoded->width;
		height = decoded->height;
	}
	int w = (width < canvas_w ? width : canvas_w) & ~1, h = (height < canvas_h ? height : canvas_h) & ~1;
	if (w < 2)
		w = 2;
	if (h < 2)
		h = 2;
	AVFrame *scaled = decoded != NULL ? watermark_scale(decoded, w, h, err, errlen) : NULL;
	av_frame_free(&decoded);
	rtk_watermark *wm = scaled != NULL ? calloc(1, sizeof *wm) : NULL;
	if (wm == NULL) {
		av_frame_free(&scaled);
		return NULL;
	}
	wm->picture = scaled;
	rtk_watermark_place(canvas_w, canvas_h, w, h, corner, &wm->x, &wm->y);
	return wm;
}

/* ---- drawing ---- */

static uint8_t watermark_mix(uint8_t bg, uint8_t fg, int alpha)
{
	return (uint8_t)((bg * (255 - alpha) + fg * alpha + 127) / 255);
}

void rtk_watermark_put(const rtk_watermark *wm, AVFrame *canvas)
{
	if (wm == NULL)
		return;
	const AVFrame *p = wm->picture;
	for (int j = 0; j < p->height; j++) {
		uint8_t *row = canvas->data[0] + (size_t)(wm->y + j) * canvas->linesize[0] + wm->x;
		const uint8_t *y = p->data[0] + (size_t)j * p->linesize[0];
		const uint8_t *a = p->data[3] + (size_t)j * p->linesize[3];
		for (int i = 0; i < p->width; i++)
			row[i] = watermark_mix(row[i], y[i], a[i]);
	}
	for (int j = 0; j < p->height / 2; j++) {
		const uint8_t *a0 = p->data[3] + (size_t)(2 * j) * p->linesize[3];
		const uint8_t *a1 = a0 + p->linesize[3];
		for (int plane = 1; plane <= 2; plane++) {
			uint8_t *row = canvas->data[plane] + (size_t)(wm->y / 2 + j) * canvas->linesize[plane] + wm->x / 2;
			const uint8_t *c = p->data[plane] + (size_t)j * p->linesize[plane];
			for (int i = 0; i < p->width / 2; i++) {
				int alpha = (a0[2 * i] + a0[2 * i + 1] + a1[2 * i] + a1[2 * i + 1] + 2) / 4;
				row[i] = watermark_mix(row[i], c[i], alpha);
			}
		}
	}
}

void rtk_watermark_free(rtk_watermark *wm)
{
	if (wm == NULL)
		return;
	av_frame_free(&wm->picture);
	free(wm);
}
