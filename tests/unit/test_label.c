/*
 * test_label.c - participant names on placeholder tiles: the label renderer
 * (media/label.h: UTF-8, ellipsis, bitmaps) and the compositor
 * drawing it (compositor.h: rtk_compositor_draw_tile(), the label cache,
 * the font fallback).
 *
 * The composites are checked pixel by pixel on the canvas itself: a named
 * placeholder has a band of luma clearly brighter than the placeholder near
 * the tile centre, with chroma only ever moved towards neutral; an empty
 * name leaves the placeholder flat; a long name stays inside its tile at
 * every tile size from 160x90 to 1920x1080; a tile with a picture never gets
 * a label. Needs a system font (fonts-dejavu-core, which ./rtk installs).
 */
#include "unit.h"

#include <stdbool.h>
#include <stdint.h>
#include <libavutil/frame.h>

#include "compositor.h"
#include "label.h"

/* Luma at least this far above the placeholder counts as text. */
#define INK_DELTA 60

typedef struct ink {
	int count;             /* text pixels */
	int x0, y0, x1, y1;    /* their bounding box, x1/y1 exclusive */
	int max_y;             /* the brightest luma */
} ink;

static ink find_ink(const AVFrame *f, const rtk_rect *r)
{
	ink k = { 0, r->x + r->w, r->y + r->h, r->x, r->y, 0 };
	for (int y = r->y; y < r->y + r->h; y++)
		for (int x = r->x; x < r->x + r->w; x++) {
			int Y = f->data[0][(size_t)y * f->linesize[0] + x];
			if (Y > k.max_y)
				k.max_y = Y;
			if (Y < rtk_compositor_placeholder.y + INK_DELTA)
				continue;
			k.count++;
			if (x < k.x0)
				k.x0 = x;
			if (y < k.y0)
				k.y0 = y;
			if (x + 1 > k.x1)
				k.x1 = x + 1;
			if (y + 1 > k.y1)
				k.y1 = y + 1;
		}
	return k;
}

/* Every Y, U and V sample of `r` within `tol` of `c`. */
static bool all_colour(const AVFrame *f, const rtk_rect *r, rtk_yuv c, int tol)
{
	for (int y = r->y; y < r->y + r->h; y++)
		for (int x = r->x; x < r->x + r->w; x++) {
			int Y = f->data[0][(size_t)y * f->linesize[0] + x];
			int U = f->data[1][(size_t)(y / 2) * f->linesize[1] + x / 2];
			int V = f->data[2][(size_t)(y / 2) * f->linesize[2] + x / 2];
			if (abs(Y - c.y) > tol || abs(U - c.u) > tol || abs(V - c.v) > tol) {
				fprintf(stderr, "\tat (%d,%d): yuv %d %d %d, want %d %d %d\n", x, y, Y, U, V, c.y, c.u, c.v);
				return false;
			}
		}
	return true;
}

/* Everything of the canvas outside `r` is the background. */
static bool outside_is_background(const AVFrame *f, const rtk_rect *r)
{
	rtk_rect parts[4] = {
		{ 0, 0, f->width, r->y },                                      /* above */
		{ 0, r->y + r->h, f->width, f->height - r->y - r->h },          /* below */
		{ 0, r->y, r->x, r->h },                                       /* left */
		{ r->x + r->w, r->y, f->width - r->x - r->w, r->h },            /* right */
	};
	for (int i = 0; i < 4; i++)
		if (!all_colour(f, &parts[i], rtk_compositor_background, 0))
			return false;
	return true;
}

static AVFrame *solid_picture(int w, int h, rtk_yuv c)
{
	AVFrame *f = av_frame_alloc();
	if (f == NULL)
		return NULL;
	f->format = AV_PIX_FMT_YUV420P;
	f->width = w;
	f->height = h;
	if (av_frame_get_buffer(f, 0) < 0) {
		av_frame_free(&f);
		return NULL;
	}
	for (int y = 0; y < h; y++)
		memset(f->data[0] + (size_t)y * f->linesize[0], c.y, w);
	for (int y = 0; y < h / 2; y++) {
		memset(f->data[1] + (size_t)y * f->linesize[1], c.u, w / 2);
		memset(f->data[2] + (size_t)y * f->linesize[2], c.v, w / 2);
	}
	return f;
}

static const rtk_yuv RED = { 81, 90, 240 };

/* ---- label.h ---- */

static void test_utf8(void)
{
	struct { const char *in; uint32_t cp; int len; } cases[] = {
		{ "A", 'A', 1 },
		{ "\xc3\xab", 0xEB, 2 },                   /* ë */
		{ "\xe2\x80\xa6", 0x2026, 3 },             /* … */
		{ "\xf0\x9f\x98\x80", 0x1F600, 4 },        /* an emoji */
		{ "\xc0\xaf", 0xFFFD, 1 },                 /* overlong '/' */
		{ "\xed\xa0\x80", 0xFFFD, 1 },             /* a surrogate */
		{ "\xf4\x90\x80\x80", 0xFFFD, 1 },         /* past U+10FFFF */
		{ "\xe2\x82", 0xFFFD, 1 },                 /* cut short */
		{ "\xc3(", 0xFFFD, 1 },                    /* bad continuation */
		{ "\xff", 0xFFFD, 1 },
		{ "\x80", 0xFFFD, 1 },                     /* a lone continuation */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *s = cases[i].in;
		uint32_t cp = rtk_label_utf8_next(&s, cases[i].in + strlen(cases[i].in));
		CHECK_EQ_INT(cp, cases[i].cp);
		CHECK_EQ_INT(s - cases[i].in, cases[i].len);
	}
}

static void test_label_render(void)
{
	CHECK_NULL(rtk_label_font_open("/nonexistent/font.ttf"));
	rtk_label_font *font = rtk_label_font_open(NULL);
	CHECK_NOT_NULL(font);
	if (font == NULL) {
		fprintf(stderr, "\tno system font: install fonts-dejavu-core\n");
		return;
	}
	CHECK(rtk_label_font_faces(font) >= 1);
	rtk_label_bitmap bm;

	/* nothing to draw */
	const char *blank[] = { NULL, "", "   ", " \t\n ", "\x01\x02\x7f", "\xe2\x80\x8b" /* ZWSP */ };
	for (size_t i = 0; i < sizeof(blank) / sizeof(blank[0]); i++) {
		CHECK_EQ_INT(rtk_label_render(font, blank[i], 20, 400, &bm), 0);
		CHECK_EQ_INT(bm.width, 0);
		CHECK_NULL(bm.coverage);
	}
	CHECK_EQ_INT(rtk_label_render(font, "Ada", 2, 400, &bm), -1);
	CHECK_EQ_INT(rtk_label_render(NULL, "Ada", 20, 400, &bm), -1);

	/* a name that fits: not cut, as high as the font, with opaque pixels */
	CHECK_EQ_INT(rtk_label_render(font, "Ada Lovelace", 20, 400, &bm), 0);
	int full_w = bm.width;
	CHECK(full_w > 60 && full_w <= 400);
	CHECK(bm.height >= 20 && bm.height <= 30);
	CHECK(bm.baseline > 0 && bm.baseline < bm.height);
	CHECK_EQ_INT(bm.truncated, 0);
	int opaque = 0;
	for (int i = 0; i < bm.width * bm.height; i++)
		opaque += bm.coverage[i] == 255;
	CHECK(opaque > 50);
	rtk_label_bitmap_clear(&bm);
	CHECK_NULL(bm.coverage);
	CHECK_EQ_INT(bm.width, 0);
	/* spaces around and inside are trimmed and collapsed */
	CHECK_EQ_INT(rtk_label_render(font, "  Ada \t  Lovelace ", 20, 400, &bm), 0);
	CHECK_EQ_INT(bm.width, full_w);
	rtk_label_bitmap_clear(&bm);

	/* too wide: cut with an ellipsis, within the width */
	CHECK_EQ_INT(rtk_label_render(font, "Ada Lovelace", 20, 60, &bm), 0);
	CHECK_EQ_INT(bm.truncated, 1);
	CHECK(bm.width > 20 && bm.width <= 60);
	rtk_label_bitmap_clear(&bm);
	/* too narrow for a letter and the ellipsis: nothing */
	CHECK_EQ_INT(rtk_label_render(font, "Ada Lovelace", 20, 12, &bm), 0);
	CHECK_EQ_INT(bm.width, 0);

	/* 256 bytes of multi-byte names, cut mid-character at the end; and a
	 * huge one past RTK_LABEL_MAX_CHARS that would fit if it were short */
	char name[257];
	const char *piece = "Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m-\xc3\x91\xc3\xba\xc3\xb1""ez ";
	name[0] = '\0';
	while (strlen(name) + strlen(piece) < sizeof(name))
		strcat(name, piece);
	size_t len = strlen(name);
	memcpy(name + len, piece, sizeof(name) - 1 - len);
	name[sizeof(name) - 1] = '\0';
	CHECK_EQ_INT(strlen(name), 256);
	CHECK_EQ_INT(rtk_label_render(font, name, 12, 144, &bm), 0);
	CHECK_EQ_INT(bm.truncated, 1);
	CHECK(bm.width > 100 && bm.width <= 144);
	rtk_label_bitmap_clear(&bm);
	char *huge = malloc(4001);
	if (huge != NULL) {
		memset(huge, 'i', 4000);
		huge[4000] = '\0';
		CHECK_EQ_INT(rtk_label_render(font, huge, 4, 100000, &bm), 0);
		CHECK_EQ_INT(bm.truncated, 1);
		CHECK(bm.width > 0 && bm.width <= 100000);
		rtk_label_bitmap_clear(&bm);
		free(huge);
	}

	/* malformed UTF-8 and combining marks draw something, never crash */
	CHECK_EQ_INT(rtk_label_render(font, "\xff\xfe Bad \xc3", 20, 400, &bm), 0);
	CHECK(bm.width > 0);
	rtk_label_bitmap_clear(&bm);
	/* "Zoë" precomposed and as e + U+0308: the same width */
	CHECK_EQ_INT(rtk_label_render(font, "Zo\xc3\xab", 20, 400, &bm), 0);
	int w1 = bm.width;
	rtk_label_bitmap_clear(&bm);
	CHECK_EQ_INT(rtk_label_render(font, "Zoe\xcc\x88", 20, 400, &bm), 0);
	CHECK(w1 > 0 && abs(bm.width - w1) <= 1);
	rtk_label_bitmap_clear(&bm);
	/* a cut name is its prefix followed by U+2026, pixel for pixel, and
	 * keeps a letter's combining marks with it */
	static const char *const cuts[][2] = {
		{ "Ada Lovelace", "Ada Lov\xe2\x80\xa6" },
		{ "Ze\xcc\x88\xcc\x88zzzzzzzzzzzz", "Ze\xcc\x88\xcc\x88\xe2\x80\xa6" },
		{ "Zo\xc3\xab Smith", "Zo\xc3\xab\xe2\x80\xa6" },  /* no space before the ellipsis */
	};
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		rtk_label_bitmap want;
		CHECK_EQ_INT(rtk_label_render(font, cuts[i][1], 20, 400, &want), 0);
		CHECK_EQ_INT(want.truncated, 0);
		CHECK_EQ_INT(rtk_label_render(font, cuts[i][0], 20, want.width + 6, &bm), 0);
		CHECK_EQ_INT(bm.truncated, 1);
		CHECK_EQ_INT(bm.width, want.width);
		CHECK_EQ_INT(bm.height, want.height);
		CHECK(bm.coverage != NULL && want.coverage != NULL && bm.width == want.width &&
		      memcmp(bm.coverage, want.coverage, (size_t)bm.width * bm.height) == 0);
		rtk_label_bitmap_clear(&want);
		rtk_label_bitmap_clear(&bm);
	}

	rtk_label_font_free(font);
}

/* ---- compositor.h: labels on tiles ---- */

static void test_placeholder_names(void)
{
	rtk_compositor *comp = rtk_compositor_new(1280, 720);
	CHECK_NOT_NULL(comp);
	AVFrame *pic = solid_picture(426, 360, RED);  /* a tile's size: no letterbox */
	CHECK_NOT_NULL(pic);
	if (comp == NULL || pic == NULL)
		goto out;
	rtk_rect r[RTK_COMPOSITOR_MAX_TILES + 1];
	CHECK_EQ_INT(rtk_compositor_layout(1280, 720, 6, false, r), 6);  /* 3x2 of 426x360 */
	CHECK_EQ_INT(rtk_compositor_begin(comp), 0);
	CHECK_EQ_INT(rtk_compositor_draw_tile(comp, 1, &r[0], NULL, "Ada Lovelace"), 0);
	CHECK_EQ_INT(rtk_compositor_draw_tile(comp, 2, &r[1], NULL, ""), 0);
	CHECK_EQ_INT(rtk_compositor_draw_tile(comp, 3, &r[2], NULL, "Zo\xc3\xab"), 0);
	CHECK_EQ_INT(rtk_compositor_draw_tile(comp, 4, &r[3], pic, "Carol"), 0);
	CHECK_EQ_INT(rtk_compositor_draw_tile(comp, 5, &r[4], NULL, "Zoe"), 0);
	CHECK_EQ_INT(rtk_compositor_draw_tile(comp, 6, &r[5], NULL, NULL), 0);
	AVFrame *f = rtk_compositor_canvas(comp);

	/* Ada: a band of bright luma around the centre, inside the margins */
	ink a = find_ink(f, &r[0]);
	CHECK(a.count > 300);
	CHECK(a.max_y >= 225);
	int cx = r[0].x + r[0].w / 2, cy = r[0].y + r[0].h / 2;
	CHECK(abs((a.x0 + a.x1) / 2 - cx) <= 4);
	CHECK(abs((a.y0 + a.y1) / 2 - cy) <= r[0].h / 16);
	CHECK(a.y1 - a.y0 >= 30 && a.y1 - a.y0 <= 70);           /* 45-pixel text */
	CHECK(a.x0 >= r[0].x + r[0].w / 16 - 1 && a.x1 <= r[0].x + r[0].w - r[0].w / 16 + 1);
	/* above and below the band: the plain placeholder */
	rtk_rect top = { r[0].x, r[0].y, r[0].w, r[0].h / 3 & ~1 };
	rtk_rect bottom = { r[0].x, r[0].y + r[0].h - (r[0].h / 3 & ~1), r[0].w, r[0].h / 3 & ~1 };
	CHECK(all_colour(f, &top, rtk_compositor_placeholder, 0));
	CHECK(all_colour(f, &bottom, rtk_compositor_placeholder, 0));
	/* chroma only moves from the placeholder's towards neutral, and is
	 * neutral under fully covered 2x2 blocks */
	bool chroma_ok = true;
	int neutral_blocks = 0;
	for (int y = r[0].y / 2; y < (r[0].y + r[0].h) / 2; y++)
		for (int x = r[0].x / 2; x < (r[0].x + r[0].w) / 2; x++) {
			int U = f->data[1][(size_t)y * f->linesize[1] + x];
			int V = f->data[2][(size_t)y * f->linesize[2] + x];
			chroma_ok &= U >= 128 && U <= rtk_compositor_placeholder.u &&
				V >= rtk_compositor_placeholder.v && V <= 128;
			int lmin = 255;
			for (int dy = 0; dy < 2; dy++)
				for (int dx = 0; dx < 2; dx++) {
					int Y = f->data[0][(size_t)(2 * y + dy) * f->linesize[0] + 2 * x + dx];
					lmin = Y < lmin ? Y : lmin;
				}
			if (lmin == rtk_compositor_label_colour.y) {
				neutral_blocks++;
				chroma_ok &= U == 128 && V == 128;
			}
		}
	CHECK(chroma_ok);
	CHECK(neutral_blocks > 10);

	/* an empty or NULL name: the flat placeholder */
	CHECK(all_colour(f, &r[1], rtk_compositor_placeholder, 0));
	CHECK(all_colour(f, &r[5], rtk_compositor_placeholder, 0));
	/* Zoë: as wide as Zoe, with more ink (the diaeresis), taller */
	ink z = find_ink(f, &r[2]), e = find_ink(f, &r[4]);
	CHECK(z.count > 100 && e.count > 100);
	CHECK(abs((z.x1 - z.x0) - (e.x1 - e.x0)) <= 1);
	CHECK(z.count > e.count);
	CHECK(z.y0 < e.y0);
	/* a tile with a picture: the picture only, no label over it */
	CHECK(all_colour(f, &r[3], RED, 2));
	CHECK_EQ_INT(find_ink(f, &r[3]).count, 0);

	/* the next composite from the cache is the same, byte for byte */
	size_t luma = (size_t)f->linesize[0] * f->height;
	uint8_t *before = malloc(luma);
	if (before != NULL) {
		memcpy(before, f->data[0], luma);
		CHECK_EQ_INT(rtk_compositor_begin(comp), 0);
		rtk_compositor_draw_tile(comp, 1, &r[0], NULL, "Ada Lovelace");
		rtk_compositor_draw_tile(comp, 2, &r[1], NULL, "");
		rtk_compositor_draw_tile(comp, 3, &r[2], NULL, "Zo\xc3\xab");
		rtk_compositor_draw_tile(comp, 4, &r[3], pic, "Carol");
		rtk_compositor_draw_tile(comp, 5, &r[4], NULL, "Zoe");
		rtk_compositor_draw_tile(comp, 6, &r[5], NULL, NULL);
		f = rtk_compositor_canvas(comp);
		CHECK(memcmp(before, f->data[0], luma) == 0);
		free(before);
	}
	/* the participant turns the camera on: the label goes; off: it is back */
	CHECK_EQ_INT(rtk_compositor_begin(comp), 0);
	rtk_compositor_draw_tile(comp, 1, &r[0], pic, "Ada Lovelace");
	CHECK(all_colour(f, &r[0], RED, 2));
	CHECK_EQ_INT(rtk_compositor_begin(comp), 0);
	rtk_compositor_draw_tile(comp, 1, &r[0], NULL, "Ada Lovelace");
	CHECK_EQ_INT(find_ink(f, &r[0]).count, a.count);
	/* another name in the same slot: other pixels */
	CHECK_EQ_INT(rtk_compositor_begin(comp), 0);
	rtk_compositor_draw_tile(comp, 1, &r[0], NULL, "Bob");
	ink b = find_ink(f, &r[0]);
	CHECK(b.count > 0 && b.x1 - b.x0 < a.x1 - a.x0);
	/* rtk_compositor_draw(): no name */
	CHECK_EQ_INT(rtk_compositor_begin(comp), 0);
	CHECK_EQ_INT(rtk_compositor_draw(comp, 1, &r[0], NULL), 0);
	CHECK(all_colour(f, &r[0], rtk_compositor_placeholder, 0));
out:
	av_frame_free(&pic);
	rtk_compositor_free(comp);
}

/* From the smallest tile to a full 1080p one: the name is there, legible
 * (taller text on larger tiles), centred, and a long name stays inside its
 * tile (everything around the tile is still the background). */
static void test_tile_sizes(void)
{
	static const int sizes[][2] = { { 160, 90 }, { 274, 154 }, { 320, 180 }, { 640, 360 },
		{ 1280, 720 }, { 1920, 1080 } };
	char long_name[257];
	memset(long_name, 0, sizeof(long_name));
	while (strlen(long_name) + 24 < sizeof(long_name))
		strcat(long_name, "Maximiliana Wolfeschlegel");
	int last_h = 0;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int w = sizes[i][0], h = sizes[i][1];
		rtk_compositor *comp = rtk_compositor_new(w + 64, h + 64);
		CHECK_NOT_NULL(comp);
		if (comp == NULL)
			return;
		rtk_rect tile = { 32, 32, w, h };
		AVFrame *f = rtk_compositor_canvas(comp);
		int failures = unit_failures;

		CHECK_EQ_INT(rtk_compositor_begin(comp), 0);
		CHECK_EQ_INT(rtk_compositor_draw_tile(comp, 0, &tile, NULL, "Ada Lovelace"), 0);
		ink a = find_ink(f, &tile);
		CHECK(a.count > 20);
		CHECK(a.max_y >= 200);
		int text_h = a.y1 - a.y0;
		CHECK(text_h >= 9);                        /* cap height of 12-pixel text */
		CHECK(text_h >= last_h);
		last_h = text_h;
		CHECK(abs((a.x0 + a.x1) / 2 - (tile.x + w / 2)) <= 2);
		CHECK(abs((a.y0 + a.y1) / 2 - (tile.y + h / 2)) <= h / 8 + 2);
		CHECK(outside_is_background(f, &tile));

		CHECK_EQ_INT(rtk_compositor_begin(comp), 0);
		CHECK_EQ_INT(rtk_compositor_draw_tile(comp, 0, &tile, NULL, long_name), 0);
		ink l = find_ink(f, &tile);
		CHECK(l.count > 20);
		CHECK(l.x0 >= tile.x + w / 16 - 1 && l.x1 <= tile.x + w - w / 16 + 1);
		CHECK(l.x1 - l.x0 > (w - w / 8) * 3 / 4);  /* the width is used, up to the ellipsis */
		CHECK(l.y0 > tile.y && l.y1 < tile.y + h);
		CHECK(outside_is_background(f, &tile));
		if (unit_failures != failures)
			fprintf(stderr, "\tat tile %dx%d\n", w, h);
		rtk_compositor_free(comp);
	}
	/* tiles too small for 12-pixel text: no label, no harm */
	rtk_compositor *comp = rtk_compositor_new(64, 64);
	CHECK_NOT_NULL(comp);
	if (comp != NULL) {
		rtk_rect tiny = { 0, 0, 32, 16 };
		CHECK_EQ_INT(rtk_compositor_begin(comp), 0);
		CHECK_EQ_INT(rtk_compositor_draw_tile(comp, 0, &tiny, NULL, "Ada Lovelace"), 0);
		CHECK(all_colour(rtk_compositor_canvas(comp), &tiny, rtk_compositor_placeholder, 0));
		rtk_compositor_free(comp);
	}
}

/* More names and sizes than the cache holds: entries are reused (ASan
 * checks nothing leaks) and every label is still right. */
static void test_label_cache(void)
{
	rtk_compositor *comp = rtk_compositor_new(640, 360);
	CHECK_NOT_NULL(comp);
	if (comp == NULL)
		return;
	rtk_rect r[RTK_COMPOSITOR_MAX_TILES + 1];
	int n = rtk_compositor_layout(640, 360, 16, false, r);
	AVFrame *f = rtk_compositor_canvas(comp);
	int drawn = 0, labelled = 0;
	for (int round = 0; round < 3 * RTK_COMPOSITOR_LABELS / 16; round++) {
		CHECK_EQ_INT(rtk_compositor_begin(comp), 0);
		for (int i = 0; i < n; i++) {
			char name[32];
			snprintf(name, sizeof(name), "P%d", round * n + i);
			CHECK_EQ_INT(rtk_compositor_draw_tile(comp, i, &r[i], NULL, name), 0);
			drawn++;
			labelled += find_ink(f, &r[i]).count > 0;
		}
	}
	CHECK_EQ_INT(labelled, drawn);
	rtk_compositor_free(comp);
}

/* No font: placeholders without names, nothing fails; a font again: names. */
static void test_no_font(void)
{
	rtk_compositor *comp = rtk_compositor_new(640, 360);
	CHECK_NOT_NULL(comp);
	if (comp == NULL)
		return;
	rtk_rect tile = { 0, 0, 640, 360 };
	AVFrame *f = rtk_compositor_canvas(comp);
	CHECK_EQ_INT(rtk_compositor_set_font(comp, "/nonexistent/font.ttf"), -1);
	CHECK_EQ_INT(rtk_compositor_begin(comp), 0);
	CHECK_EQ_INT(rtk_compositor_draw_tile(comp, 0, &tile, NULL, "Ada Lovelace"), 0);
	CHECK(all_colour(f, &tile, rtk_compositor_placeholder, 0));
	CHECK_EQ_INT(rtk_compositor_set_font(comp, NULL), 0);
	CHECK_EQ_INT(rtk_compositor_begin(comp), 0);
	CHECK_EQ_INT(rtk_compositor_draw_tile(comp, 0, &tile, NULL, "Ada Lovelace"), 0);
	CHECK(find_ink(f, &tile).count > 300);
	rtk_compositor_free(comp);
}

int main(void)
{
	UNIT_RUN(test_utf8);
	UNIT_RUN(test_label_render);
	UNIT_RUN(test_placeholder_names);
	UNIT_RUN(test_tile_sizes);
	UNIT_RUN(test_label_cache);
	UNIT_RUN(test_no_font);
	return UNIT_DONE();
}
