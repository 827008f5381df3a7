/*
 * compositor.h - the composite picture of a meeting: where each tile goes
 * (the layout) and drawing decoded pictures into it, for the recorder and
 * the HLS segmenter (design.md sections 2 and 4.4).
 *
 * Owns: the output canvas (one YUV 4:2:0 AVFrame of the output size, reused
 * for every output frame) and one cached libswscale context per tile slot,
 * so compositing allocates nothing while sizes stay the same.
 *
 * Layout (rtk_compositor_layout, a pure function, also used by tests):
 * - no screenshare: a grid of cols = ceil(sqrt(n)), rows = ceil(n / cols)
 *   equal tiles (1, 2x1, 2x2, 3x2, 3x3, ...), filled row by row in the order
 *   given;
 * - screenshare: the share takes the main area (left three quarters), the
 *   cameras a vertical strip on the right.
 * Pictures are scaled to fit their tile keeping their aspect ratio
 * (letterboxed on the background colour). A tile without a picture gets a
 * flat placeholder colour.
 *
 * Ownership: tiles and pictures passed in are borrowed for the call only.
 * The canvas returned by rtk_compositor_canvas() stays owned by the
 * compositor; a caller that hands it to an encoder must be done with it
 * (encoder drained) before the next rtk_compositor_begin().
 * Threading: none; one thread at a time.
 */
#ifndef RTK_COMPOSITOR_H
#define RTK_COMPOSITOR_H

#include <stdbool.h>
#include <stdint.h>
#include <libavutil/frame.h>

/* Tiles beyond this many are not drawn (a 7x7 grid is already unreadable). */
#define RTK_COMPOSITOR_MAX_TILES 49

typedef struct rtk_rect {
	int x, y, w, h;    /* even values, inside the canvas */
} rtk_rect;

typedef struct rtk_yuv {
	uint8_t y, u, v;
} rtk_yuv;

/* The colour of a tile whose participant has no picture yet (slate grey). */
extern const rtk_yuv rtk_compositor_placeholder;
/* The canvas background around tiles and letterboxes (black). */
extern const rtk_yuv rtk_compositor_background;

/* Computes the rectangles for `n_cameras` camera tiles (and, first in
 * `out`, the screenshare's main area when `screenshare`). Fills at most
 * RTK_COMPOSITOR_MAX_TILES + 1 rects; returns how many were filled. */
int rtk_compositor_layout(int width, int height, int n_cameras, bool screenshare, rtk_rect *out);

typedef struct rtk_compositor rtk_compositor;

/* width and height are rounded down to even numbers. */
rtk_compositor *rtk_compositor_new(int width, int height);
void rtk_compositor_free(rtk_compositor *comp);

/* Starts a new composite: makes the canvas writable and fills it with the
 * background colour. Returns 0 or a negative AVERROR. */
int rtk_compositor_begin(rtk_compositor *comp);

/* Draws `picture` (any size and pixel format swscale reads; NULL for the
 * placeholder) into `rect`, using the scaler cached for `slot`. */
int rtk_compositor_draw(rtk_compositor *comp, int slot, const rtk_rect *rect, const AVFrame *picture);

/* Fills `rect` with a flat colour. */
void rtk_compositor_fill(rtk_compositor *comp, const rtk_rect *rect, rtk_yuv colour);

/* The canvas (AV_PIX_FMT_YUV420P), owned by the compositor. */
AVFrame *rtk_compositor_canvas(rtk_compositor *comp);

#endif
