/*
 * compositor.c - grid/screenshare layout, tile drawing with libswscale and
 * the cache of name labels on placeholder tiles (see compositor.h for what
 * this owns and why).
 */
#include "compositor.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "label.h"

const rtk_yuv rtk_compositor_placeholder = { 90, 140, 118 };
const rtk_yuv rtk_compositor_background = { 16, 128, 128 };
const rtk_yuv rtk_compositor_label_colour = { 235, 128, 128 };

/* One name rendered for one tile size, blended on the placeholder. */
typedef struct rtk_compositor_label {
	char *name;             /* owned; NULL: an unused entry */
	int tile_w, tile_h;     /* with name, the key */
	int x, y, w, h;         /* the block in tile coordinates, all even */
	uint8_t *yuv;           /* owned: w*h luma, then (w/2)*(h/2) U, then V;
	                         * NULL when there is nothing to draw */
	uint64_t used;          /* LRU stamp */
} rtk_compositor_label;

struct rtk_compositor {
	int width, height;
	AVFrame *canvas;
	struct SwsContext *scalers[RTK_COMPOSITOR_MAX_TILES + 1];
	rtk_label_font *font;   /* owned; NULL until the first label, or none found */
	bool font_tried;
	rtk_compositor_label labels[RTK_COMPOSITOR_LABELS];
	int slot_label[RTK_COMPOSITOR_MAX_TILES + 1];  /* each slot's last label, 1-based; 0: none */
	uint64_t clock;
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

/* ---- name labels ---- */

static void rtk_compositor_drop_labels(rtk_compositor *comp)
{
	for (int i = 0; i < RTK_COMPOSITOR_LABELS; i++) {
		free(comp->labels[i].name);
		free(comp->labels[i].yuv);
		memset(&comp->labels[i], 0, sizeof(comp->labels[i]));
	}
	memset(comp->slot_label, 0, sizeof(comp->slot_label));
}

static void rtk_compositor_no_font(const char *path)
{
	static atomic_flag logged = ATOMIC_FLAG_INIT;
	if (!atomic_flag_test_and_set(&logged))
		fprintf(stderr, "rtk compositor: no usable font (%s); tiles without video show no names"
			" (install fonts-dejavu-core)\n", path != NULL ? path : "none of the system fonts");
}

int rtk_compositor_set_font(rtk_compositor *comp, const char *path)
{
	rtk_compositor_drop_labels(comp);
	rtk_label_font_free(comp->font);
	comp->font = rtk_label_font_open(path);
	comp->font_tried = true;
	if (comp->font == NULL) {
		rtk_compositor_no_font(path);
		return -1;
	}
	return 0;
}

static uint8_t rtk_compositor_blend(uint8_t bg, uint8_t fg, int alpha)
{
	return (uint8_t)(bg + ((fg - bg) * alpha + (fg >= bg ? 127 : -127)) / 255);
}

/* Renders `name` for a tile_w x tile_h tile into `e` (emptied first): the
 * block of the label centred in the tile, pre-blended on the placeholder.
 * Leaves e->yuv NULL when there is nothing to draw. */
static void rtk_compositor_label_make(rtk_compositor *comp, rtk_compositor_label *e)
{
	int tw = e->tile_w, th = e->tile_h;
	int px = th / 8;
	if (px < 12)
		px = 12;
	if (px > 96)
		px = 96;
	int margin = tw / 16 > 4 ? tw / 16 : 4;
	int max_w = tw - 2 * margin;
	if (th < px * 3 / 2 || max_w < px)
		return;
	rtk_label_bitmap bm;
	if (rtk_label_render(comp->font, e->name, px, max_w, &bm) != 0 || bm.width == 0) {
		rtk_label_bitmap_clear(&bm);
		return;
	}
	int w = (bm.width + 1) & ~1, h = (bm.height + 1) & ~1;
	if (h > (th & ~1))
		h = th & ~1;
	size_t luma = (size_t)w * h, chroma = (size_t)(w / 2) * (h / 2);
	uint8_t *yuv = malloc(luma + 2 * chroma);
	if (yuv == NULL) {
		rtk_label_bitmap_clear(&bm);
		return;
	}
	const rtk_yuv bg = rtk_compositor_placeholder, fg = rtk_compositor_label_colour;
	/* coverage at (x, y) of the block, 0 past the bitmap */
#define RTK_COV(x, y) ((x) < bm.width && (y) < bm.height ? bm.coverage[(size_t)(y) * bm.width + (x)] : 0)
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			yuv[(size_t)y * w + x] = rtk_compositor_blend(bg.y, fg.y, RTK_COV(x, y));
	uint8_t *u = yuv + luma, *v = u + chroma;
	for (int y = 0; y < h / 2; y++)
		for (int x = 0; x < w / 2; x++) {
			int a = (RTK_COV(2 * x, 2 * y) + RTK_COV(2 * x + 1, 2 * y) + RTK_COV(2 * x, 2 * y + 1) +
				RTK_COV(2 * x + 1, 2 * y + 1) + 2) / 4;
			u[(size_t)y * (w / 2) + x] = rtk_compositor_blend(bg.u, fg.u, a);
			v[(size_t)y * (w / 2) + x] = rtk_compositor_blend(bg.v, fg.v, a);
		}
#undef RTK_COV
	rtk_label_bitmap_clear(&bm);
	e->yuv = yuv;
	e->w = w;
	e->h = h;
	e->x = ((tw - w) / 2) & ~1;
	e->y = ((th - h) / 2) & ~1;
}

static bool rtk_compositor_label_is(const rtk_compositor_label *e, const char *name, int tw, int th)
{
	return e->name != NULL && e->tile_w == tw && e->tile_h == th && strcmp(e->name, name) == 0;
}

/* The label of `name` for a tile of this size: the slot's last one, any
 * cached one, or rendered now into the least recently used entry. NULL
 * without a font or memory. */
static const rtk_compositor_label *rtk_compositor_label_get(rtk_compositor *comp, int slot, const char *name,
	int tw, int th)
{
	if (!comp->font_tried) {
		comp->font_tried = true;
		comp->font = rtk_label_font_open(NULL);
		if (comp->font == NULL)
			rtk_compositor_no_font(NULL);
	}
	if (comp->font == NULL)
		return NULL;
	comp->clock++;
	rtk_compositor_label *e = NULL;
	int hint = comp->slot_label[slot] - 1;
	if (hint >= 0 && rtk_compositor_label_is(&comp->labels[hint], name, tw, th)) {
		e = &comp->labels[hint];
	} else {
		rtk_compositor_label *victim = &comp->labels[0];
		for (int i = 0; i < RTK_COMPOSITOR_LABELS && e == NULL; i++) {
			rtk_compositor_label *c = &comp->labels[i];
			if (rtk_compositor_label_is(c, name, tw, th))
				e = c;
			else if (victim->name != NULL && (c->name == NULL || c->used < victim->used))
				victim = c;
		}
		if (e == NULL) {
			char *copy = strdup(name);
			if (copy == NULL)
				return NULL;
			free(victim->name);
			free(victim->yuv);
			memset(victim, 0, sizeof(*victim));
			victim->name = copy;
			victim->tile_w = tw;
			victim->tile_h = th;
			rtk_compositor_label_make(comp, victim);
			e = victim;
		}
		comp->slot_label[slot] = (int)(e - comp->labels) + 1;
	}
	e->used = comp->clock;
	return e;
}

/* Copies the label block into the placeholder tile at `rect`. */
static void rtk_compositor_label_put(rtk_compositor *comp, const rtk_rect *rect, const rtk_compositor_label *e)
{
	AVFrame *f = comp->canvas;
	int x0 = rect->x + e->x, y0 = rect->y + e->y;
	for (int y = 0; y < e->h; y++)
		memcpy(f->data[0] + (size_t)(y0 + y) * f->linesize[0] + x0, e->yuv + (size_t)y * e->w, e->w);
	const uint8_t *u = e->yuv + (size_t)e->w * e->h, *v = u + (size_t)(e->w / 2) * (e->h / 2);
	for (int y = 0; y < e->h / 2; y++) {
		size_t row = (size_t)(y0 / 2 + y);
		memcpy(f->data[1] + row * f->linesize[1] + x0 / 2, u + (size_t)y * (e->w / 2), e->w / 2);
		memcpy(f->data[2] + row * f->linesize[2] + x0 / 2, v + (size_t)y * (e->w / 2), e->w / 2);
	}
}

/* ---- the compositor ---- */

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
	rtk_compositor_drop_labels(comp);
	rtk_label_font_free(comp->font);
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
	return rtk_compositor_draw_tile(comp, slot, rect, picture, NULL);
}

int rtk_compositor_draw_tile(rtk_compositor *comp, int slot, const rtk_rect *rect, const AVFrame *picture,
	const char *name)
{
	if (slot < 0 || slot > RTK_COMPOSITOR_MAX_TILES || rect->w < 2 || rect->h < 2)
		return 0;
	if (picture == NULL || picture->width < 1 || picture->height < 1) {
		rtk_compositor_fill(comp, rect, rtk_compositor_placeholder);
		if (name != NULL && name[0] != '\0') {
			const rtk_compositor_label *e = rtk_compositor_label_get(comp, slot, name, rect->w, rect->h);
			if (e != NULL && e->yuv != NULL)
				rtk_compositor_label_put(comp, rect, e);
		}
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
