/*
 * watermark.h - a recording's watermark (REST video_config.watermark): a
 * PNG or JPEG image fetched once when the output opens, scaled to the size
 * asked and laid over every composite picture in one corner.
 *
 * Owns: the fetched bytes while decoding them, and then the scaled picture
 * (YUVA 4:2:0, its alpha blended over the canvas; a JPEG is opaque).
 *
 * Fetching (rtk_watermark_load): `url` is http://, https:// or data:
 * (base64 or not), read with libavformat's protocols; the whole fetch,
 * connect included, must end within 5 s and the image must be at most
 * 1 MiB; anything else (an HTTP error, another scheme, bytes that are not a
 * PNG or JPEG) fails with a reason in `err` that never repeats the URL.
 *
 * Placement: the image is width x height (each 1..1920; 0: the image's
 * own size; cut to the canvas and rounded down to even, at least 2),
 * 16 pixels from the two edges of its corner (less when it does not fit:
 * half of what is left, even); nothing of it falls outside the canvas.
 *
 * Threading: none; the caller's.
 */
#ifndef RTK_WATERMARK_H
#define RTK_WATERMARK_H

#include <stddef.h>
#include <libavutil/frame.h>

typedef enum rtk_watermark_corner {
	RTK_WATERMARK_LEFT_TOP = 0,
	RTK_WATERMARK_RIGHT_TOP,
	RTK_WATERMARK_LEFT_BOTTOM,
	RTK_WATERMARK_RIGHT_BOTTOM
} rtk_watermark_corner;

#define RTK_WATERMARK_MAX_BYTES (1024 * 1024)
#define RTK_WATERMARK_TIMEOUT_MS 5000
#define RTK_WATERMARK_MARGIN 16

typedef struct rtk_watermark rtk_watermark;

/* Parses "left top", "right top", "left bottom" or "right bottom";
 * returns 0, or -1 for anything else. */
int rtk_watermark_corner_parse(const char *s, rtk_watermark_corner *out);

/* Fetches and decodes `url`, scales it to width x height for a canvas of
 * canvas_w x canvas_h. Returns the watermark (free with
 * rtk_watermark_free), or NULL with a reason in err. */
rtk_watermark *rtk_watermark_load(const char *url, int width, int height, rtk_watermark_corner corner,
	int canvas_w, int canvas_h, char *err, size_t errlen);

/* The place of a w x h image in the corner of a canvas (the layout math,
 * a pure function): writes its top-left corner. */
void rtk_watermark_place(int canvas_w, int canvas_h, int w, int h, rtk_watermark_corner corner, int *x, int *y);

/* Blends the watermark over `canvas` (YUV420P of the size it was loaded
 * for). */
void rtk_watermark_put(const rtk_watermark *wm, AVFrame *canvas);

void rtk_watermark_free(rtk_watermark *wm);

#endif
