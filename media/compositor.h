/*
 * compositor.h - the composite picture of a meeting: where each tile goes
 * (the layout) and drawing decoded pictures into it, for the recorder and
 * the HLS segmenter (design.md sections 2 and 4.4).
 *
 * Owns: the output canvas (one YUV 4:2:0 AVFrame of the output size, reused
 * for every output frame) and one cached libswscale context per tile slot,
 * so compositing allocates nothing while sizes stay the same.
 *
 * Layout (rtk_compositor_layout, a pure function, also used by tests; it
 * is the GRID of layout.h, which has the other layouts):
 * - no screenshare: a grid of cols = ceil(sqrt(n)), rows = ceil(n / cols)
 *   equal tiles (1, 2x1, 2x2, 3x2, 3x3, ...), filled row by row in the order
 *   given;
 * - screenshare: the share takes the main area (left three quarters), the
 *   cameras a vertical strip on the right.
 * Pictures are scaled to fit their tile keeping their aspect ratio
 * (letterboxed on the background colour). A tile without a picture gets a
 * flat placeholder colour and, when drawn with rtk_compositor_draw_tile(),
 * the participant's name centred on it (label.h renders it).
 *
 * Name labels: an em of tile height / 8 pixels (12 to 96), on at most the
 * tile width less 1/16 of it each side, cut with an ellipsis past that;
 * none on tiles too small for 12-pixel text. Each label is rendered once per
 * (name, tile size) into a small YUV block already blended on the
 * placeholder colour (coverage as alpha on luma towards
 * rtk_compositor_label_colour, chroma towards neutral by the 2x2 average),
 * kept in an LRU cache of RTK_COMPOSITOR_LABELS entries, so drawing a
 * labelled placeholder costs the fill plus copying that block. The font is
 * opened on the first label (label.h's system list) or chosen with
 * rtk_compositor_set_font(); without one, tiles get no name (logged once
 * per process on stderr) and everything else works.
 *
 * Ownership: tiles, pictures and names passed in are borrowed for the call
 * only (the label cache keeps its own copies of names). The canvas returned
 * by rtk_compositor_canvas() stays owned by the compositor; a caller that
 * hands it to an encoder must be done with it (encoder drained) before the
 * next rtk_compositor_begin().
 * Threading: none; one thread at a time per compositor (each has its own
 * FreeType instance, so compositors may run on separate threads).
 */
#ifndef RTK_COMPOSITOR_H
#define RTK_COMPOSITOR_H

#include <stdbool.h>
#include <stdint.h>
#include <libavutil/frame.h>

/* Tiles beyond this many are not drawn (a 7x7 grid is already unreadable). */
#define RTK_COMPOSITOR_MAX_TILES 49
/* Rendered name labels kept (a full grid's names at two tile sizes). */
#define RTK_COMPOSITOR_LABELS 100

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
/* The colour of a name on a placeholder (white-ish, neutral chroma). */
extern const rtk_yuv rtk_compositor_label_colour;

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
 * placeholder) into `rect`, using the scaler cached for `slot`. The same as
 * rtk_compositor_draw_tile() with no name. */
int rtk_compositor_draw(rtk_compositor *comp, int slot, const rtk_rect *rect, const AVFrame *picture);

/* Draws the tile of a participant: `picture` as rtk_compositor_draw() does,
 * or, when it is NULL, the placeholder with `name` (UTF-8, NUL-terminated;
 * NULL or "" for none) centred on it. A picture is never labelled. A label
 * that cannot be made (no font, out of memory) is left out, never an
 * error. Returns 0 or a negative AVERROR (from the scaler). */
int rtk_compositor_draw_tile(rtk_compositor *comp, int slot, const rtk_rect *rect, const AVFrame *picture,
	const char *name);

/* Chooses the font of name labels: the file at `path`, or with NULL the
 * system list of label.h (what the first label does by default). Drops the
 * labels rendered so far. Returns 0, or -1 when no font could be opened
 * (tiles then show no names). */
int rtk_compositor_set_font(rtk_compositor *comp, const char *path);

/* Fills `rect` with a flat colour. */
void rtk_compositor_fill(rtk_compositor *comp, const rtk_rect *rect, rtk_yuv colour);

/* The canvas (AV_PIX_FMT_YUV420P), owned by the compositor. */
AVFrame *rtk_compositor_canvas(rtk_compositor *comp);

#endif
