/*
 * layout.c - the geometry of the composite's layouts: GRID, ACTIVE_SPEAKER
 * and PRESENTATION (see layout.h for each rule and why).
 */
#include "layout.h"

static int layout_even(int v)
{
	return v & ~1;
}

static rtk_rect layout_rect(int x, int y, int w, int h)
{
	rtk_rect r = { layout_even(x), layout_even(y), 0, 0 };
	r.w = layout_even(x + w) - r.x;
	r.h = layout_even(y + h) - r.y;
	return r;
}

static rtk_layout_tile layout_tile(rtk_rect rect, int camera, bool over)
{
	rtk_layout_tile t = { rect, camera, over };
	return t;
}

/* GRID: today's grid, or the share on the left with a strip on the right. */
static int layout_grid(int width, int height, int n, bool screenshare, rtk_layout_tile *out)
{
	rtk_rect rects[RTK_LAYOUT_TILES_MAX];
	int count = rtk_compositor_layout(width, height, n, screenshare, rects);
	for (int i = 0; i < count; i++)
		out[i] = layout_tile(rects[i], screenshare ? i - 1 : i, false);
	return count;
}

/* ACTIVE_SPEAKER: the main picture on the whole canvas, then thumbnails of
 * the next cameras over its bottom edge. */
static int layout_active_speaker(int width, int height, int n, bool screenshare, rtk_layout_tile *out)
{
	int count = 0, next = 0;
	rtk_rect all = layout_rect(0, 0, width, height);
	if (screenshare)
		out[count++] = layout_tile(all, -1, false);
	else if (n > 0)
		out[count++] = layout_tile(all, next++, false);
	int thumbs = n - next;
	if (thumbs > RTK_LAYOUT_THUMBS_MAX)
		thumbs = RTK_LAYOUT_THUMBS_MAX;
	if (thumbs <= 0)
		return count;
	int tw = layout_even(width / 5), th = layout_even(height / 5), gap = layout_even(height / 40);
	int row = thumbs * tw + (thumbs - 1) * gap;
	int x = (width - row) / 2, y = height - gap - th;
	for (int i = 0; i < thumbs; i++)
		out[count++] = layout_tile(layout_rect(x + i * (tw + gap), y, tw, th), next++, true);
	return count;
}

/* PRESENTATION with a share: the share above, a strip of every camera
 * below (tiles of the canvas's aspect, narrower when they do not fit). */
static int layout_presentation(int width, int height, int n, rtk_layout_tile *out)
{
	if (n == 0) {
		out[0] = layout_tile(layout_rect(0, 0, width, height), -1, false);
		return 1;
	}
	int strip = layout_even(height / 5);
	out[0] = layout_tile(layout_rect(0, 0, width, height - strip), -1, false);
	int tw = (int)((long long)strip * width / height);
	if (tw * n > width)
		tw = width / n;
	int x = (width - tw * n) / 2;
	for (int i = 0; i < n; i++)
		out[1 + i] = layout_tile(layout_rect(x + i * tw, height - strip, tw, strip), i, false);
	return n + 1;
}

int rtk_layout_tiles(rtk_layout layout, int width, int height, int n_cameras, bool screenshare,
	rtk_layout_tile *out)
{
	width = layout_even(width);
	height = layout_even(height);
	if (n_cameras < 0)
		n_cameras = 0;
	if (n_cameras > RTK_COMPOSITOR_MAX_TILES)
		n_cameras = RTK_COMPOSITOR_MAX_TILES;
	switch (layout) {
	case RTK_LAYOUT_ACTIVE_SPEAKER:
		return layout_active_speaker(width, height, n_cameras, screenshare, out);
	case RTK_LAYOUT_PRESENTATION:
		if (screenshare)
			return layout_presentation(width, height, n_cameras, out);
		return layout_grid(width, height, n_cameras, false, out);
	default:
		return layout_grid(width, height, n_cameras, screenshare, out);
	}
}
