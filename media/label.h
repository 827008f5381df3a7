/*
 * label.h - a participant's display name as a picture: UTF-8 text laid out
 * on one line with FreeType, cut with an ellipsis to fit a width, rendered
 * to an 8-bit coverage bitmap. The compositor blends it into the placeholder
 * tile of a participant without video (compositor.h); this module knows
 * nothing of tiles or YUV.
 *
 * Owns: one FreeType library instance and the font faces opened from it
 * (rtk_label_font), and the coverage bitmaps it renders (rtk_label_bitmap).
 *
 * Fonts: rtk_label_font_open(NULL) opens the first usable file of a fixed
 * list of system fonts (Debian's fonts-dejavu-core DejaVuSans.ttf first,
 * then the same file where other distributions put it, then Liberation,
 * Noto and FreeFont), and every other listed font found as a fallback for
 * characters the first one lacks (Noto CJK, Droid Sans Fallback, ...), at
 * most RTK_LABEL_MAX_FACES in all. No fontconfig: one file list to read,
 * one dependency less. Characters no face has are drawn as the first
 * face's missing-glyph box.
 *
 * Text: invalid UTF-8 becomes U+FFFD, control characters are dropped,
 * leading and trailing white space is trimmed, kerning is applied when the
 * font has a kern table. No shaping (ligatures, Arabic joining) and no
 * bidirectional reordering: glyphs go left to right in string order.
 *
 * Ownership: rtk_label_render() fills a caller's rtk_label_bitmap whose
 * `coverage` is malloc()ed by it and freed by rtk_label_bitmap_clear() (or
 * free()); the font is freed with rtk_label_font_free(). Strings passed in
 * are borrowed for the call.
 * Threading: a font is used by one thread at a time (FreeType's rule for a
 * library and its faces); separate fonts may be used on separate threads.
 */
#ifndef RTK_LABEL_H
#define RTK_LABEL_H

#include <stdint.h>

/* Faces opened by rtk_label_font_open(NULL): the main one and fallbacks. */
#define RTK_LABEL_MAX_FACES 4
/* Characters of a name looked at; the rest is cut (with an ellipsis). */
#define RTK_LABEL_MAX_CHARS 512

typedef struct rtk_label_font rtk_label_font;

typedef struct rtk_label_bitmap {
	int width, height;    /* pixels; 0 x 0 when there is nothing to draw */
	int baseline;         /* rows from the top to the baseline */
	uint8_t *coverage;    /* width * height bytes, row after row (stride = width),
	                       * 0 transparent .. 255 opaque; NULL when empty */
	int truncated;        /* 1 when the text was cut and ends with an ellipsis */
} rtk_label_bitmap;

/* Opens the font file at `path` alone, or with NULL the system fonts of
 * the list above. Returns NULL when no face could be opened. */
rtk_label_font *rtk_label_font_open(const char *path);
void rtk_label_font_free(rtk_label_font *font);

/* The number of faces opened (1..RTK_LABEL_MAX_FACES). */
int rtk_label_font_faces(const rtk_label_font *font);

/* Renders `utf8` (NUL-terminated; NULL is the empty name) with an em of
 * `pixel_size` pixels (4..512) on one line at most `max_width` pixels wide:
 * text wider than that is cut at a character boundary (never between a
 * letter and its combining marks) and ends with U+2026 (or "..." when the
 * font lacks it). The bitmap is exactly as wide as the text's ink (no
 * side bearings, so centring it centres the text) and as high as the
 * font's ascender plus descender. An empty or blank name, or a
 * max_width too small for one character and the ellipsis, gives an empty
 * bitmap. `out` is overwritten (clear it first if it held a bitmap).
 * Returns 0, or -1 (out of memory, bad sizes; `out` is then empty). */
int rtk_label_render(rtk_label_font *font, const char *utf8, int pixel_size, int max_width,
	rtk_label_bitmap *out);

/* Frees the coverage and empties the bitmap; safe on an empty one. */
void rtk_label_bitmap_clear(rtk_label_bitmap *bitmap);

/* Decodes one UTF-8 character at *s (before `end`), advances *s past it and
 * returns the code point; malformed input (overlong forms, surrogates,
 * truncated sequences, > U+10FFFF) gives U+FFFD and skips one byte. */
uint32_t rtk_label_utf8_next(const char **s, const char *end);

#endif
