/*
 * label.c - display names laid out and rendered with FreeType into coverage
 * bitmaps (see label.h for what this owns and why).
 */
#include "label.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <ft2build.h>
#include FT_FREETYPE_H

/* Main fonts, best first; the first that opens is the main face, the others
 * found (and the fallbacks) serve characters it lacks. */
static const char *const rtk_label_font_paths[] = {
	/* Debian/Ubuntu fonts-dejavu-core, then Arch, Fedora, openSUSE/Alpine */
	"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
	"/usr/share/fonts/TTF/DejaVuSans.ttf",
	"/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
	"/usr/share/fonts/dejavu/DejaVuSans.ttf",
	"/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
	"/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
	"/usr/share/fonts/truetype/freefont/FreeSans.ttf",
	/* fallbacks for scripts the above lack (CJK mostly) */
	"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
	"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
};

struct rtk_label_font {
	FT_Library library;
	FT_Face faces[RTK_LABEL_MAX_FACES];
	int n_faces;
};

/* One laid-out character. */
typedef struct rtk_label_glyph {
	int face;           /* index in font->faces */
	FT_UInt index;      /* glyph index in that face (0: missing-glyph box) */
	FT_Pos x;           /* pen position, 26.6 pixels, kerning applied */
	FT_Pos advance;     /* 26.6 pixels */
	bool space;
} rtk_label_glyph;

static bool rtk_label_add_face(rtk_label_font *font, const char *path)
{
	if (font->n_faces >= RTK_LABEL_MAX_FACES)
		return false;
	FT_Face face;
	if (FT_New_Face(font->library, path, 0, &face) != 0)
		return false;
	/* Only scalable fonts with a Unicode map can draw any name at any size. */
	if (!FT_IS_SCALABLE(face) || FT_Select_Charmap(face, FT_ENCODING_UNICODE) != 0) {
		FT_Done_Face(face);
		return false;
	}
	font->faces[font->n_faces++] = face;
	return true;
}

rtk_label_font *rtk_label_font_open(const char *path)
{
	rtk_label_font *font = calloc(1, sizeof(*font));
	if (font == NULL)
		return NULL;
	if (FT_Init_FreeType(&font->library) != 0) {
		free(font);
		return NULL;
	}
	if (path != NULL) {
		rtk_label_add_face(font, path);
	} else {
		size_t n = sizeof(rtk_label_font_paths) / sizeof(rtk_label_font_paths[0]);
		for (size_t i = 0; i < n && font->n_faces < RTK_LABEL_MAX_FACES; i++)
			rtk_label_add_face(font, rtk_label_font_paths[i]);
	}
	if (font->n_faces == 0) {
		rtk_label_font_free(font);
		return NULL;
	}
	return font;
}

void rtk_label_font_free(rtk_label_font *font)
{
	if (font == NULL)
		return;
	for (int i = 0; i < font->n_faces; i++)
		FT_Done_Face(font->faces[i]);
	FT_Done_FreeType(font->library);
	free(font);
}

int rtk_label_font_faces(const rtk_label_font *font)
{
	return font->n_faces;
}

void rtk_label_bitmap_clear(rtk_label_bitmap *bitmap)
{
	free(bitmap->coverage);
	memset(bitmap, 0, sizeof(*bitmap));
}

/* ---- text ---- */

uint32_t rtk_label_utf8_next(const char **s, const char *end)
{
	const unsigned char *p = (const unsigned char *)*s;
	const unsigned char *e = (const unsigned char *)end;
	uint32_t c = p[0];
	int len;
	uint32_t min;
	if (c < 0x80) {
		*s += 1;
		return c;
	} else if ((c & 0xE0) == 0xC0) {
		len = 2, min = 0x80, c &= 0x1F;
	} else if ((c & 0xF0) == 0xE0) {
		len = 3, min = 0x800, c &= 0x0F;
	} else if ((c & 0xF8) == 0xF0) {
		len = 4, min = 0x10000, c &= 0x07;
	} else {
		*s += 1;
		return 0xFFFD;
	}
	if (e - p < len) {
		*s += 1;
		return 0xFFFD;
	}
	for (int i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80) {
			*s += 1;
			return 0xFFFD;
		}
		c = (c << 6) | (p[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
		*s += 1;
		return 0xFFFD;
	}
	*s += len;
	return c;
}

static bool rtk_label_is_space(uint32_t c)
{
	return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
		(c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
		c == 0x205F || c == 0x3000;
}

/* Characters that draw nothing and that we cannot apply: C0/C1 controls,
 * zero-width and bidirectional formatting, the byte order mark. */
static bool rtk_label_is_ignored(uint32_t c)
{
	return c < 0x20 || (c >= 0x7F && c <= 0x9F) || (c >= 0x200B && c <= 0x200F) ||
		(c >= 0x202A && c <= 0x202E) || (c >= 0x2060 && c <= 0x206F) || c == 0xFEFF;
}

/* ---- layout ---- */

static void rtk_label_lookup(rtk_label_font *font, const bool *usable, uint32_t c, rtk_label_glyph *g)
{
	g->face = 0;
	g->index = 0;
	for (int i = 0; i < font->n_faces; i++) {
		if (!usable[i])
			continue;
		FT_UInt index = FT_Get_Char_Index(font->faces[i], c);
		if (index != 0) {
			g->face = i;
			g->index = index;
			return;
		}
	}
}

/* Loads g's glyph (hinted) and sets its advance; returns false on a
 * FreeType error (the glyph then takes no room). */
static bool rtk_label_measure(rtk_label_font *font, rtk_label_glyph *g)
{
	FT_Face face = font->faces[g->face];
	g->advance = 0;
	if (FT_Load_Glyph(face, g->index, FT_LOAD_DEFAULT) != 0)
		return false;
	g->advance = face->glyph->advance.x;
	return true;
}

/* Decodes `utf8` into characters (spaces collapsed and trimmed, ignored
 * characters dropped), looked up and measured. Returns how many, and sets
 * *more when characters were left out past RTK_LABEL_MAX_CHARS. */
static int rtk_label_decode(rtk_label_font *font, const bool *usable, const char *utf8,
	rtk_label_glyph *glyphs, bool *more)
{
	const char *s = utf8, *end = utf8 + strlen(utf8);
	int n = 0;
	bool pending_space = false;
	*more = false;
	while (s < end) {
		uint32_t c = rtk_label_utf8_next(&s, end);
		if (rtk_label_is_space(c)) {
			pending_space = n > 0;
			continue;
		}
		if (rtk_label_is_ignored(c))
			continue;
		if (n + (pending_space ? 2 : 1) > RTK_LABEL_MAX_CHARS) {
			*more = true;
			break;
		}
		if (pending_space) {
			glyphs[n] = (rtk_label_glyph){ .space = true };
			rtk_label_lookup(font, usable, ' ', &glyphs[n]);
			rtk_label_measure(font, &glyphs[n]);
			n++;
			pending_space = false;
		}
		glyphs[n] = (rtk_label_glyph){ 0 };
		rtk_label_lookup(font, usable, c, &glyphs[n]);
		rtk_label_measure(font, &glyphs[n]);
		n++;
	}
	return n;
}

/* Places glyphs[0..n) from pen position 0 with kerning; returns the pen
 * position after the last. */
static FT_Pos rtk_label_place(rtk_label_font *font, rtk_label_glyph *glyphs, int n)
{
	FT_Pos pen = 0;
	for (int i = 0; i < n; i++) {
		if (i > 0 && glyphs[i].face == glyphs[i - 1].face) {
			FT_Face face = font->faces[glyphs[i].face];
			FT_Vector kern;
			if (FT_HAS_KERNING(face) &&
			    FT_Get_Kerning(face, glyphs[i - 1].index, glyphs[i].index, FT_KERNING_DEFAULT, &kern) == 0)
				pen += kern.x;
		}
		glyphs[i].x = pen;
		pen += glyphs[i].advance;
	}
	return pen;
}

static FT_Pos rtk_label_pen_end(const rtk_label_glyph *glyphs, int k)
{
	return k == 0 ? 0 : glyphs[k - 1].x + glyphs[k - 1].advance;
}

/* Cuts the laid-out text to fit `budget` (26.6) with an ellipsis: keeps
 * the longest prefix that fits with it, never ending on a letter whose
 * combining marks would be cut off, nor on a space, and appends the
 * ellipsis glyphs (room for 3 after glyphs[n] is required). Returns the
 * new count, 0 when not even one character fits. */
static int rtk_label_truncate(rtk_label_font *font, const bool *usable, rtk_label_glyph *glyphs, int n,
	FT_Pos budget)
{
	rtk_label_glyph ell[3];
	int n_ell = 1;
	ell[0] = (rtk_label_glyph){ 0 };
	rtk_label_lookup(font, usable, 0x2026, &ell[0]);
	if (ell[0].index == 0) {
		n_ell = 3;
		rtk_label_lookup(font, usable, '.', &ell[0]);
		ell[1] = ell[2] = ell[0];
	}
	FT_Pos ell_w = 0;
	for (int i = 0; i < n_ell; i++) {
		rtk_label_measure(font, &ell[i]);
		ell_w += ell[i].advance;
	}
	int k = n;
	while (k > 0 && rtk_label_pen_end(glyphs, k) + ell_w > budget)
		k--;
	/* glyphs[k] is the first one cut: if it is a combining mark (no
	 * advance), its letter goes too */
	while (k > 0 && k < n && glyphs[k].advance == 0)
		k--;
	while (k > 0 && glyphs[k - 1].space)
		k--;
	if (k == 0)
		return 0;
	FT_Pos pen = rtk_label_pen_end(glyphs, k);
	for (int i = 0; i < n_ell; i++) {
		glyphs[k + i] = ell[i];
		glyphs[k + i].x = pen;
		pen += ell[i].advance;
	}
	return k + n_ell;
}

/* ---- rendering ---- */

static void rtk_label_blit(rtk_label_bitmap *out, const FT_Bitmap *bm, int ox, int oy)
{
	if (bm->pixel_mode != FT_PIXEL_MODE_GRAY && bm->pixel_mode != FT_PIXEL_MODE_MONO)
		return;
	const unsigned char *top = bm->buffer;
	if (bm->pitch < 0)
		top -= (ptrdiff_t)bm->pitch * ((int)bm->rows - 1);
	for (int r = 0; r < (int)bm->rows; r++) {
		int y = oy + r;
		if (y < 0 || y >= out->height)
			continue;
		const unsigned char *src = top + (ptrdiff_t)r * bm->pitch;
		uint8_t *dst = out->coverage + (size_t)y * out->width;
		for (int c = 0; c < (int)bm->width; c++) {
			int x = ox + c;
			if (x < 0 || x >= out->width)
				continue;
			uint8_t a;
			if (bm->pixel_mode == FT_PIXEL_MODE_GRAY)
				a = bm->num_grays < 2 || bm->num_grays == 256 ? src[c] :
					(uint8_t)(src[c] * 255 / (bm->num_grays - 1));
			else
				a = (src[c >> 3] >> (7 - (c & 7))) & 1 ? 255 : 0;
			if (a > dst[x])
				dst[x] = a;
		}
	}
}

/* Drops the blank columns left and right of the ink (side bearings), so
 * that a centred bitmap centres the visible text; in place. A bitmap with
 * no ink at all is emptied. */
static void rtk_label_crop(rtk_label_bitmap *out)
{
	int left = out->width, right = 0;
	for (int y = 0; y < out->height; y++) {
		const uint8_t *row = out->coverage + (size_t)y * out->width;
		for (int x = 0; x < out->width; x++)
			if (row[x] != 0) {
				if (x < left)
					left = x;
				if (x + 1 > right)
					right = x + 1;
			}
	}
	if (right <= left) {
		bool truncated = out->truncated;
		rtk_label_bitmap_clear(out);
		out->truncated = truncated;
		return;
	}
	int w = right - left;
	if (w == out->width)
		return;
	for (int y = 0; y < out->height; y++)
		memmove(out->coverage + (size_t)y * w, out->coverage + (size_t)y * out->width + left, (size_t)w);
	out->width = w;
}

int rtk_label_render(rtk_label_font *font, const char *utf8, int pixel_size, int max_width,
	rtk_label_bitmap *out)
{
	memset(out, 0, sizeof(*out));
	if (font == NULL || pixel_size < 4 || pixel_size > 512 || max_width < 0)
		return -1;
	if (utf8 == NULL || max_width < 3)
		return 0;
	bool usable[RTK_LABEL_MAX_FACES] = { false };
	for (int i = 0; i < font->n_faces; i++)
		usable[i] = FT_Set_Pixel_Sizes(font->faces[i], 0, (FT_UInt)pixel_size) == 0;
	if (!usable[0])
		return -1;

	/* +3: the ellipsis may take three glyphs */
	rtk_label_glyph *glyphs = malloc((RTK_LABEL_MAX_CHARS + 3) * sizeof(*glyphs));
	if (glyphs == NULL)
		return -1;
	bool more;
	int n = rtk_label_decode(font, usable, utf8, glyphs, &more);
	/* One pixel each side for ink past the pen (a j's tail, an italic). */
	FT_Pos budget = (FT_Pos)(max_width - 2) * 64;
	FT_Pos pen = rtk_label_place(font, glyphs, n);
	if (n > 0 && (more || pen > budget)) {
		n = rtk_label_truncate(font, usable, glyphs, n, budget);
		out->truncated = n > 0;
		pen = rtk_label_pen_end(glyphs, n);
	}
	if (n == 0 || pen <= 0) {
		free(glyphs);
		memset(out, 0, sizeof(*out));
		return 0;
	}

	const FT_Size_Metrics *m = &font->faces[0]->size->metrics;
	int ascent = (int)((m->ascender + 63) >> 6);
	int descent = (int)((-m->descender + 63) >> 6);
	if (ascent < 1)
		ascent = pixel_size;
	if (descent < 0)
		descent = 0;
	out->width = (int)((pen + 63) >> 6) + 2;
	if (out->width > max_width)
		out->width = max_width;
	out->height = ascent + descent;
	out->baseline = ascent;
	out->coverage = calloc((size_t)out->width * out->height, 1);
	if (out->coverage == NULL) {
		free(glyphs);
		memset(out, 0, sizeof(*out));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		FT_Face face = font->faces[glyphs[i].face];
		if (glyphs[i].space || FT_Load_Glyph(face, glyphs[i].index, FT_LOAD_RENDER) != 0)
			continue;
		FT_GlyphSlot slot = face->glyph;
		rtk_label_blit(out, &slot->bitmap, 1 + (int)(glyphs[i].x >> 6) + slot->bitmap_left,
			ascent - slot->bitmap_top);
	}
	free(glyphs);
	rtk_label_crop(out);
	return 0;
}
