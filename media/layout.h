/*
 * layout.h - the layouts a composite may have (a recording's or
 * livestream's video_config.layout, docs/rest.md) and the geometry of each:
 * which tiles a composite has, where, and what each shows. The pipeline
 * (pipeline.h) decides who is featured and in which order the cameras come;
 * this file only places them, so a unit test checks every layout for any
 * number of participants without decoding anything.
 *
 * Layouts (W x H the canvas; every rectangle even-sized, inside it):
 * - GRID (the default, as before layouts existed): without a screenshare, a
 *   grid of cols = ceil(sqrt(n)), rows = ceil(n / cols) equal tiles filled
 *   row by row; with one, the share on the left three quarters and the
 *   cameras stacked in the right quarter (rtk_compositor_layout()).
 * - ACTIVE_SPEAKER: the featured camera (the active speaker, first in the
 *   order given) takes the whole canvas; the next cameras, at most
 *   RTK_LAYOUT_THUMBS_MAX of them, are thumbnails of W/5 x H/5 laid over
 *   its bottom edge, H/40 apart and H/40 above the bottom, centred. With a
 *   screenshare, the share takes the whole canvas and the thumbnails are
 *   the first cameras (the speaker first): the content stays in focus.
 * - PRESENTATION: with a screenshare, the share takes the top of the
 *   canvas (W x H - H/5) and every camera a tile of a strip below it
 *   (H/5 high, tiles of the canvas's aspect ratio, narrower when they do
 *   not all fit, centred): nothing covers the content. Without a
 *   screenshare it falls back to GRID (everyone equal until somebody
 *   presents).
 *
 * Plain C, no allocation; header-only parsing of the names so the control
 * parser (control.c, fuzzed alone) needs no more than this header.
 */
#ifndef RTK_LAYOUT_H
#define RTK_LAYOUT_H

#include <stdbool.h>
#include <string.h>

#include "compositor.h"

typedef enum rtk_layout {
	RTK_LAYOUT_GRID = 0,
	RTK_LAYOUT_ACTIVE_SPEAKER,
	RTK_LAYOUT_PRESENTATION
} rtk_layout;

/* ACTIVE_SPEAKER: at most this many thumbnails over the featured tile. */
#define RTK_LAYOUT_THUMBS_MAX 4
/* Tiles a layout may return: every camera and the screenshare. */
#define RTK_LAYOUT_TILES_MAX (RTK_COMPOSITOR_MAX_TILES + 1)

/* One tile of a composite, in drawing order. */
typedef struct rtk_layout_tile {
	rtk_rect rect;
	int camera;       /* index in the cameras' order given; -1: the screenshare */
	bool over;        /* laid over an earlier tile: its rectangle is cleared to the background first */
} rtk_layout_tile;

/* The wire names, as in video_config.layout and the control pipe. */
static inline const char *rtk_layout_name(rtk_layout layout)
{
	switch (layout) {
	case RTK_LAYOUT_ACTIVE_SPEAKER: return "ACTIVE_SPEAKER";
	case RTK_LAYOUT_PRESENTATION: return "PRESENTATION";
	default: return "GRID";
	}
}

/* "GRID", "ACTIVE_SPEAKER" or "PRESENTATION" (exactly) into *out: 0, else
 * -1 and *out untouched. */
static inline int rtk_layout_parse(const char *name, rtk_layout *out)
{
	static const rtk_layout all[] = { RTK_LAYOUT_GRID, RTK_LAYOUT_ACTIVE_SPEAKER, RTK_LAYOUT_PRESENTATION };
	for (size_t i = 0; name != NULL && i < sizeof all / sizeof all[0]; i++)
		if (strcmp(name, rtk_layout_name(all[i])) == 0) {
			*out = all[i];
			return 0;
		}
	return -1;
}

/* The tiles of a `width` x `height` composite of `n_cameras` cameras (at
 * most RTK_COMPOSITOR_MAX_TILES are placed; ACTIVE_SPEAKER places fewer)
 * and, when `screenshare`, the share. Writes at most RTK_LAYOUT_TILES_MAX
 * tiles into `out` in drawing order; returns how many. */
int rtk_layout_tiles(rtk_layout layout, int width, int height, int n_cameras, bool screenshare,
	rtk_layout_tile *out);

#endif
