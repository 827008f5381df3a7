/*
 * compositor.c - grid/screenshare layout and tile drawing with libswscale
 * (see compositor.h for what this owns and why).
 */
#include "compositor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

const rtk_yuv rtk_compositor_placeholder = { 90, 140, 118 };
const rtk_yuv rtk_compositor_background = { 16, 128, 128 };

struct rtk_compositor {
	int width, height;
	AVFrame *canvas;
	struct SwsContext *scalers[RTK_COMPOSITOR_MAX_TILES + 1];
};

static int rtk_compositor_even(int v)
{
	return v & ~1;
}

static rtk_rect rtk_compositor_rect(int x, int y, int w, int h)
{
	rtk_rect r = { rtk_compositor_even(x), rtk_compositor_even(y), 0, 0 };
	r.w = rtk_compositor_even(x + w) - r.x;
	r.h = rtk_compositor_even(y + h) - r.y;
	return r;
}

/* n equal tiles in a cols x rows grid over the area (ax, ay, aw, ah). */
static int rtk_compositor_layout_grid(int ax, int ay, int aw, int ah, int n, rtk_rect *out)
{
	int cols = 1;
	while (cols * cols < n)
		cols++;
	int rows = (n + cols - 1) / cols;
	for (int i = 0; i < n; i++) {
		int c = i % cols, r = i / cols;
		out[i] = rtk_compositor_rect(ax + c * aw / cols, ay + r * ah / rows,
			aw / cols, ah / rows);
	}
	return n;
}

/* The share on the left 3/4, cameras stacked in the right quarter (at
 * least four slots high, so one camera does not become a tall sliver). */
static int rtk_compositor_layout_share(int width, int height, int n, rtk_rect *out)
{
	int main_w = rtk_compositor_even(width * 3 / 4);
	out[0] = rtk_compositor_rect(0, 0, main_w, height);
	int slots = n < 4 ? 4 : n;
	for (int i = 0; i < n; i++)
		out[1 + i] = rtk_compositor_rect(main_w, i * height / slots, width - main_w, height / slots);
	return n + 1;
}

int rtk_compositor_layout(int width, int height, int n_cameras, bool screenshare, rtk_rect *out)
{
	width = rtk_compositor_even(width);
	height = rtk_compositor_even(height);
	if (n_cameras < 0)
		n_cameras = 0;
	if (n_cameras > RTK_COMPOSITOR_MAX_TILES)
		n_cameras = RTK_COMPOSITOR_MAX_TILES;
	if (screenshare)
		return rtk_compositor_layout_share(width, height, n_cameras, out);
	return rtk_compositor_layout_grid(0, 0, width, height, n_cameras, out);
}

rtk_compositor *rtk_compositor_new(int width, int height)
{
	rtk_compositor *comp = calloc(1, sizeof(*comp));
	if (comp == NULL)
		return NULL;
	comp->width = rtk_compositor_even(width);
	comp->height = rtk_compositor_even(height);
	comp->canvas = av_frame_alloc();
	if (comp->canvas == NULL || comp->width < 2 || comp->height < 2)
		goto fail;
	comp->canvas->format = AV_PIX_FMT_YUV420P;
	comp->canvas->width = comp->width;
	comp->canvas->height = comp->height;
	if (av_frame_get_buffer(comp->canvas, 0) < 0)
		goto fail;
	return comp;
fail:
	rtk_compositor_free(comp);
	return NULL;
}

void rtk_compositor_free(rtk_compositor *comp)
{
	if (comp == NULL)
		return;
	for (int i = 0; i <= RTK_COMPOSITOR_MAX_TILES; i++)
		sws_freeContext(comp->scalers[i]);
	av_frame_free(&comp->canvas);
	free(comp);
}

AVFrame *rtk_compositor_canvas(rtk_compositor *comp)
{
	return comp->canvas;
}

void rtk_compositor_fill(rtk_compositor *comp, const rtk_rect *rect, rtk_yuv colour)
{
	AVFrame *f = comp->canvas;
	for (int y = rect->y; y < rect->y + rect->h; y++)
		memset(f->data[0] + (size_t)y * f->linesize[0] + rect->x, colour.y, rect->w);
	for (int y = rect->y / 2; y < (rect->y + rect->h) / 2; y++) {
		memset(f->data[1] + (size_t)y * f->linesize[1] + rect->x / 2, colour.u, rect->w / 2);
		memset(f->data[2] + (size_t)y * f->linesize[2] + rect->x / 2, colour.v, rect->w / 2);
	}
}

int rtk_compositor_begin(rtk_compositor *comp)
{
	/* Writable unless an encoder still holds the previous composite; then
	 * this copies once (the pipeline drains its encoder, so it does not). */
	int ret = av_frame_make_writable(comp->canvas);
	if (ret < 0)
		return ret;
	rtk_rect all = { 0, 0, comp->width, comp->height };
	rtk_compositor_fill(comp, &all, rtk_compositor_background);
	return 0;
}

/* The largest even rectangle with the picture's aspect ratio, centred in
 * `tile`. */
static rtk_rect rtk_compositor_fit(const rtk_rect *tile, int pic_w, int pic_h)
{
	int w = tile->w, h = tile->h;
	if ((int64_t)pic_w * tile->h > (int64_t)pic_h * tile->w)
		h = (int)((int64_t)tile->w * pic_h / pic_w);
	else
		w = (int)((int64_t)tile->h * pic_w / pic_h);
	return rtk_compositor_rect(tile->x + (tile->w - w) / 2, tile->y + (tile->h - h) / 2, w, h);
}

int rtk_compositor_draw(rtk_compositor *comp, int slot, const rtk_rect *rect, const AVFrame *picture)
{
	if (slot < 0 || slot > RTK_COMPOSITOR_MAX_TILES || rect->w < 2 || rect->h < 2)
		return 0;
	if (picture == NULL || picture->width < 1 || picture->height < 1) {
		rtk_compositor_fill(comp, rect, rtk_compositor_placeholder);
		return 0;
	}
	rtk_rect dst = rtk_compositor_fit(rect, picture->width, picture->height);
	if (dst.w < 2 || dst.h < 2)
		return 0;
	comp->scalers[slot] = sws_getCachedContext(comp->scalers[slot],
		picture->width, picture->height, picture->format,
		dst.w, dst.h, AV_PIX_FMT_YUV420P, SWS_BILINEAR, NULL, NULL, NULL);
	if (comp->scalers[slot] == NULL)
		return AVERROR(EINVAL);
	AVFrame *f = comp->canvas;
	uint8_t *planes[4] = {
		f->data[0] + (size_t)dst.y * f->linesize[0] + dst.x,
		f->data[1] + (size_t)(dst.y / 2) * f->linesize[1] + dst.x / 2,
		f->data[2] + (size_t)(dst.y / 2) * f->linesize[2] + dst.x / 2,
		NULL
	};
	int strides[4] = { f->linesize[0], f->linesize[1], f->linesize[2], 0 };
	int ret = sws_scale(comp->scalers[slot], (const uint8_t *const *)picture->data, picture->linesize,
		0, picture->height, planes, strides);
	return ret < 0 ? ret : 0;
}
