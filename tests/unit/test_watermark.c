/*
 * test_watermark.c - the watermark's place on the canvas (corners, the
 * 16-pixel margin, even coordinates, never outside the canvas), its
 * position names, and a data: PNG laid over a canvas: the pixels under it
 * take its colour, those beside it keep theirs (media/watermark.h).
 */
#include <string.h>
#include <libavutil/frame.h>

#include "unit.h"
#include "watermark.h"

static void test_place(void)
{
	int x, y;
	rtk_watermark_place(640, 360, 64, 48, RTK_WATERMARK_LEFT_TOP, &x, &y);
	CHECK_EQ_INT(x, 16);
	CHECK_EQ_INT(y, 16);
	rtk_watermark_place(640, 360, 64, 48, RTK_WATERMARK_RIGHT_TOP, &x, &y);
	CHECK_EQ_INT(x, 640 - 16 - 64);
	CHECK_EQ_INT(y, 16);
	rtk_watermark_place(640, 360, 64, 48, RTK_WATERMARK_LEFT_BOTTOM, &x, &y);
	CHECK_EQ_INT(x, 16);
	CHECK_EQ_INT(y, 360 - 16 - 48);
	rtk_watermark_place(640, 360, 64, 48, RTK_WATERMARK_RIGHT_BOTTOM, &x, &y);
	CHECK_EQ_INT(x, 560);
	CHECK_EQ_INT(y, 296);
	/* too big for the margin: the margin shrinks to half what is left (even) */
	rtk_watermark_place(640, 360, 630, 360, RTK_WATERMARK_RIGHT_BOTTOM, &x, &y);
	CHECK_EQ_INT(x, 6);
	CHECK_EQ_INT(y, 0);
	rtk_watermark_place(640, 360, 640, 358, RTK_WATERMARK_LEFT_TOP, &x, &y);
	CHECK_EQ_INT(x, 0);
	CHECK_EQ_INT(y, 0);
	for (int w = 2; w <= 640; w += 2) {
		for (int c = 0; c < 4; c++) {
			rtk_watermark_place(640, 360, w, 40, (rtk_watermark_corner)c, &x, &y);
			CHECK(x >= 0 && x + w <= 640 && (x & 1) == 0 && y >= 0 && y + 40 <= 360 && (y & 1) == 0);
		}
	}
}

static void test_corner_names(void)
{
	rtk_watermark_corner c;
	CHECK(rtk_watermark_corner_parse("left top", &c) == 0 && c == RTK_WATERMARK_LEFT_TOP);
	CHECK(rtk_watermark_corner_parse("right top", &c) == 0 && c == RTK_WATERMARK_RIGHT_TOP);
	CHECK(rtk_watermark_corner_parse("left bottom", &c) == 0 && c == RTK_WATERMARK_LEFT_BOTTOM);
	CHECK(rtk_watermark_corner_parse("right bottom", &c) == 0 && c == RTK_WATERMARK_RIGHT_BOTTOM);
	CHECK(rtk_watermark_corner_parse("top left", &c) < 0);
	CHECK(rtk_watermark_corner_parse("", &c) < 0);
	CHECK(rtk_watermark_corner_parse(NULL, &c) < 0);
}

/* A 2x2 white opaque PNG (made with ffmpeg -f lavfi -i color=white:s=2x2). */
static const char white_png[] = "data:image/png;base64,"
	"iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAACXBIWXMAAAABAAAAAQBPJcTWAAAADklEQVR4nGP4DwYMEAoAU7oL9ZisIGcAAAAASUVORK5CYII=";

static void test_put(void)
{
	char err[256] = "";
	rtk_watermark *wm = rtk_watermark_load(white_png, 8, 6, RTK_WATERMARK_RIGHT_BOTTOM, 64, 48, err, sizeof err);
	if (wm == NULL)
		fprintf(stderr, "load: %s\n", err);
	CHECK(wm != NULL);
	AVFrame *canvas = av_frame_alloc();
	canvas->format = AV_PIX_FMT_YUV420P;
	canvas->width = 64;
	canvas->height = 48;
	CHECK(av_frame_get_buffer(canvas, 0) >= 0);
	for (int j = 0; j < 48; j++)
		memset(canvas->data[0] + j * canvas->linesize[0], 16, 64);
	rtk_watermark_put(wm, canvas);
	/* right bottom: x 64-16-8 = 40, y 48-16-6 = 26 */
	CHECK(canvas->data[0][30 * canvas->linesize[0] + 44] > 200);
	CHECK_EQ_INT(canvas->data[0][30 * canvas->linesize[0] + 39], 16);
	CHECK_EQ_INT(canvas->data[0][30 * canvas->linesize[0] + 48], 16);
	CHECK_EQ_INT(canvas->data[0][25 * canvas->linesize[0] + 44], 16);
	av_frame_free(&canvas);
	rtk_watermark_free(wm);
	CHECK(rtk_watermark_load("file:///etc/passwd", 8, 6, RTK_WATERMARK_LEFT_TOP, 64, 48, err, sizeof err) == NULL);
	CHECK_EQ_STR(err, "the watermark url must be http://, https:// or data:");
	CHECK(rtk_watermark_load("data:,GIF89a", 8, 6, RTK_WATERMARK_LEFT_TOP, 64, 48, err, sizeof err) == NULL);
	CHECK_EQ_STR(err, "the watermark is not a PNG or JPEG image");
}

int main(void)
{
	UNIT_RUN(test_place);
	UNIT_RUN(test_corner_names);
	UNIT_RUN(test_put);
	return UNIT_DONE();
}
