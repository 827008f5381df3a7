/*
 * test_track_recorder.c - the pieces of `rtk-recorder --tracks` that read
 * bytes (media/track_recorder.h): an Opus packet's length from its TOC, a
 * VP8 keyframe's picture size, an H.264 access unit's SPS and PPS; and the
 * "file" of a stream command (media/control.h), which must name a file in
 * the companion's directory and nothing else.
 */
#include <glib.h>
#include <string.h>
#include <libavutil/mem.h>

#include "control.h"
#include "track_recorder.h"
#include "unit.h"

static void test_opus_samples(void)
{
	CHECK_EQ_INT(rtk_track_opus_samples((const uint8_t[]){ 1 << 3 }, 1), 960);          /* SILK 20 ms */
	CHECK_EQ_INT(rtk_track_opus_samples((const uint8_t[]){ 3 << 3 }, 1), 2880);         /* SILK 60 ms */
	CHECK_EQ_INT(rtk_track_opus_samples((const uint8_t[]){ 12 << 3 }, 1), 480);         /* hybrid 10 ms */
	CHECK_EQ_INT(rtk_track_opus_samples((const uint8_t[]){ 16 << 3 }, 1), 120);         /* CELT 2.5 ms */
	CHECK_EQ_INT(rtk_track_opus_samples((const uint8_t[]){ 31 << 3 | 1 }, 1), 1920);    /* two 20 ms frames */
	CHECK_EQ_INT(rtk_track_opus_samples((const uint8_t[]){ 31 << 3 | 3, 3 }, 2), 2880); /* code 3, three frames */
	CHECK_EQ_INT(rtk_track_opus_samples((const uint8_t[]){ 31 << 3 | 3 }, 1), 960);     /* too short to say */
	CHECK_EQ_INT(rtk_track_opus_samples(NULL, 0), 960);
}

static void test_vp8_size(void)
{
	const uint8_t key[10] = { 0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x40 };   /* 320x240, scale bits set */
	int w = 0, h = 0;
	CHECK_EQ_INT(rtk_track_vp8_size(key, sizeof key, &w, &h), 0);
	CHECK_EQ_INT(w, 320);
	CHECK_EQ_INT(h, 240);
	uint8_t inter[10];
	memcpy(inter, key, sizeof inter);
	inter[0] |= 1;
	CHECK_EQ_INT(rtk_track_vp8_size(inter, sizeof inter, &w, &h), -1);
	CHECK_EQ_INT(rtk_track_vp8_size(key, 9, &w, &h), -1);
	uint8_t bad[10];
	memcpy(bad, key, sizeof bad);
	bad[4] = 0;
	CHECK_EQ_INT(rtk_track_vp8_size(bad, sizeof bad, &w, &h), -1);
}

static void test_h264_parameter_sets(void)
{
	const uint8_t au[] = { 0, 0, 0, 1, 0x09, 0xf0,           /* AUD */
		0, 0, 0, 1, 0x67, 0x42, 0xc0, 0x1e,                   /* SPS */
		0, 0, 1, 0x68, 0xce, 0x3c, 0x80,                      /* PPS (3-byte start code) */
		0, 0, 0, 1, 0x65, 0x88, 0x84, 0x00 };                 /* IDR slice */
	uint8_t *out = NULL;
	size_t size = 0;
	CHECK_EQ_INT(rtk_track_h264_parameter_sets(au, sizeof au, &out, &size), 0);
	const uint8_t want[] = { 0, 0, 0, 1, 0x67, 0x42, 0xc0, 0x1e, 0, 0, 0, 1, 0x68, 0xce, 0x3c, 0x80 };
	CHECK_EQ_INT((int)size, (int)sizeof want);
	CHECK(out != NULL && memcmp(out, want, sizeof want) == 0);
	av_free(out);
	const uint8_t no_pps[] = { 0, 0, 0, 1, 0x67, 0x42, 0, 0, 0, 1, 0x65, 0x88 };
	out = NULL;
	CHECK_EQ_INT(rtk_track_h264_parameter_sets(no_pps, sizeof no_pps, &out, &size), -1);
	CHECK_NULL(out);
	CHECK_EQ_INT(rtk_track_h264_parameter_sets((const uint8_t[]){ 0, 0 }, 2, &out, &size), -1);
}

static int parse(const char *line, rtk_ctl *ctl)
{
	char err[200];
	return rtk_ctl_parse(line, strlen(line), ctl, err, sizeof err);
}

static void test_stream_file(void)
{
	rtk_ctl ctl;
	const char *base = "{\"cmd\":\"stream\",\"ssrc\":1000,\"id\":\"p\",\"codec\":\"opus\"";
	char line[600];
	CHECK_EQ_INT(parse("{\"cmd\":\"stream\",\"ssrc\":1000,\"id\":\"p\",\"codec\":\"opus\"}", &ctl), 0);
	CHECK_EQ_STR(ctl.file, "");
	g_snprintf(line, sizeof line, "%s,\"file\":\"rec_ada-example.com_audio_1.webm\"}", base);
	CHECK_EQ_INT(parse(line, &ctl), 0);
	CHECK_EQ_STR(ctl.file, "rec_ada-example.com_audio_1.webm");
	static const char *const bad[] = { "\"\"", "\".x\"", "\"../x\"", "\"a/b\"", "\"a b\"", "7", "null",
		"\"a\\u0000b\"", "\"\\u00e9\"" };
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_snprintf(line, sizeof line, "%s,\"file\":%s}", base, bad[i]);
		CHECK_EQ_INT(parse(line, &ctl), -1);
	}
	char name[RTK_CTL_FILE_MAX + 1];
	memset(name, 'a', sizeof name - 1);
	name[RTK_CTL_FILE_MAX - 1] = '\0';   /* 199 bytes: fits */
	g_snprintf(line, sizeof line, "%s,\"file\":\"%s\"}", base, name);
	CHECK_EQ_INT(parse(line, &ctl), 0);
	name[RTK_CTL_FILE_MAX - 1] = 'a';
	name[RTK_CTL_FILE_MAX] = '\0';       /* 200 bytes: too long */
	g_snprintf(line, sizeof line, "%s,\"file\":\"%s\"}", base, name);
	CHECK_EQ_INT(parse(line, &ctl), -1);
}

int main(void)
{
	UNIT_RUN(test_opus_samples);
	UNIT_RUN(test_vp8_size);
	UNIT_RUN(test_h264_parameter_sets);
	UNIT_RUN(test_stream_file);
	return UNIT_DONE();
}
