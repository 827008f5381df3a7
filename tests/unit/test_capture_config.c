/*
 * test_capture_config.c - the recording configs a participant (SDK
 * RecordingConfig) or the REST API (POST /v2/recordings) may ask for:
 * defaults, both spellings, every bound, and that a refusal leaves the
 * config as it was and names code 1003; and a meeting's recording_config
 * as the defaults of its recordings.
 */
#include <glib.h>
#include <jansson.h>

#include "capture_config.h"
#include "unit.h"

/* Parses `text` over the defaults; returns the verdict. */
static gboolean parse(const char *text, rtk_recording_config *config, rtk_refusal *why)
{
	json_t *json = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
	rtk_recording_config_default(config);
	why->code = NULL;
	gboolean ok = rtk_recording_config_parse(json, config, why);
	json_decref(json);
	return ok;
}

static void test_defaults(void)
{
	rtk_recording_config c;
	rtk_refusal why;
	CHECK(parse(NULL, &c, &why));
	CHECK(!c.vp8);
	CHECK_EQ_INT(c.width, 1280);
	CHECK_EQ_INT(c.height, 720);
	CHECK_EQ_STR(c.file_name_prefix, "");
	CHECK_EQ_INT(c.max_seconds, 0);
	CHECK(parse("{}", &c, &why));
	CHECK(parse("{\"videoConfig\": null, \"fileNamePrefix\": null}", &c, &why));
	CHECK_EQ_INT(c.width, 1280);
}

static void test_sdk_spelling(void)
{
	rtk_recording_config c;
	rtk_refusal why;
	CHECK(parse("{\"videoConfig\": {\"codec\": \"VP8\", \"width\": 1920, \"height\": 1}, "
		"\"fileNamePrefix\": \"standup-2026_11.a\"}", &c, &why));
	CHECK(c.vp8);
	CHECK_EQ_INT(c.width, 1920);
	CHECK_EQ_INT(c.height, 1);
	CHECK_EQ_STR(c.file_name_prefix, "standup-2026_11.a");
	CHECK(parse("{\"videoConfig\": {\"codec\": \"H264\"}}", &c, &why));
	CHECK(!c.vp8);
	CHECK_EQ_INT(c.width, 1280);   /* what is not given keeps its default */
}

static void test_rest_spelling(void)
{
	rtk_recording_config c;
	rtk_refusal why;
	CHECK(parse("{\"video_config\": {\"codec\": \"VP8\", \"width\": 640, \"height\": 480}, "
		"\"file_name_prefix\": \"rest\", \"max_seconds\": 86400}", &c, &why));
	CHECK(c.vp8);
	CHECK_EQ_INT(c.width, 640);
	CHECK_EQ_INT(c.height, 480);
	CHECK_EQ_STR(c.file_name_prefix, "rest");
	CHECK_EQ_INT(c.max_seconds, 86400);
}

/* Each bad config is refused with 1003 and a message. */
static void test_refusals(void)
{
	static const char *const bad[] = {
		"[]", "\"H264\"",
		"{\"videoConfig\": {\"codec\": \"AV1\"}}",
		"{\"videoConfig\": {\"codec\": \"h264\"}}",       /* the SDK spells it H264 */
		"{\"videoConfig\": {\"codec\": 264}}",
		"{\"videoConfig\": \"H264\"}",
		"{\"videoConfig\": {\"width\": 0}}",
		"{\"videoConfig\": {\"width\": 1921}}",
		"{\"videoConfig\": {\"height\": -5}}",
		"{\"videoConfig\": {\"height\": 720.5}}",
		"{\"videoConfig\": {\"width\": \"1280\"}}",
		"{\"fileNamePrefix\": \"../etc\"}",
		"{\"fileNamePrefix\": \"a/b\"}",
		"{\"fileNamePrefix\": \".hidden\"}",
		"{\"fileNamePrefix\": \"sp ace\"}",
		"{\"fileNamePrefix\": \"\"}",
		"{\"fileNamePrefix\": 7}",
		"{\"fileNamePrefix\": \"0123456789012345678901234567890123456789012345678901234567890123\"}",
		"{\"max_seconds\": 0}",
		"{\"max_seconds\": 86401}",
		"{\"max_seconds\": \"60\"}",
		"{\"audio_config\": \"AAC\"}",
		"{\"audio_config\": {\"codec\": \"OPUS\"}}",               /* the reference: AAC or MP3 */
		"{\"audio_config\": {\"codec\": \"aac\"}}",
		"{\"audio_config\": {\"channel\": \"surround\"}}",
		"{\"audio_config\": {\"channel\": 3}}",
		"{\"audio_config\": {\"export_file\": \"yes\"}}",
		"{\"video_config\": {\"export_file\": 0}}",
		"{\"audio_config\": {\"codec\": \"MP3\"}}",               /* MP3 only without video */
		"{\"live_streaming_config\": {\"rtmp_url\": \"http://example.com/live\"}}",
		"{\"video_config\": {\"watermark\": {\"url\": \"ftp://a/w.png\"}}}",
		"{\"video_config\": {\"watermark\": {\"url\": \"data:\"}}}",
		"{\"video_config\": {\"watermark\": {\"url\": \"https://a/w .png\"}}}",
		"{\"video_config\": {\"watermark\": {}}}",
		"{\"video_config\": {\"watermark\": \"https://a/w.png\"}}",
		"{\"video_config\": {\"watermark\": {\"url\": \"https://a/w.png\", \"size\": {\"width\": 1921, \"height\": 1}}}}",
		"{\"video_config\": {\"watermark\": {\"url\": \"https://a/w.png\", \"size\": {\"width\": 10}}}}",
		"{\"video_config\": {\"watermark\": {\"url\": \"https://a/w.png\", \"position\": \"top left\"}}}",
		"{\"live_streaming_config\": {\"rtmp_url\": \"rtmp://\"}}",
		"{\"live_streaming_config\": {\"rtmp_url\": \"rtmp:///live\"}}",
		"{\"live_streaming_config\": {\"rtmp_url\": \"rtmp://a b/live\"}}",
		"{\"live_streaming_config\": {\"rtmp_url\": \"rtmp://a\\nb/live\"}}",
		"{\"live_streaming_config\": {\"rtmp_url\": 7}}",
		"{\"live_streaming_config\": \"rtmp://a/live\"}",
		"{\"video_config\": {\"export_file\": false}, \"live_streaming_config\": {\"rtmp_url\": \"rtmp://a/l\"}}",
	};
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		rtk_recording_config c;
		rtk_refusal why;
		gboolean ok = parse(bad[i], &c, &why);
		if (ok)
			fprintf(stderr, "accepted: %s\n", bad[i]);
		CHECK(!ok);
		CHECK_EQ_STR(why.code, RTK_ERR_RECORDING_CONFIG);
		CHECK(why.message[0] != '\0');
	}
	/* The longest prefix that fits. */
	rtk_recording_config c;
	rtk_refusal why;
	CHECK(parse("{\"fileNamePrefix\": \"012345678901234567890123456789012345678901234567890123456789012\"}", &c, &why));
	CHECK_EQ_INT(strlen(c.file_name_prefix), 63);
}

/* audio_config and video_config.export_file: the reference's enums, the
 * companion's format and channels. */
static void test_audio(void)
{
	rtk_recording_config c;
	rtk_refusal why;
	CHECK(parse(NULL, &c, &why));
	CHECK(!c.audio_only);
	CHECK_EQ_INT(c.channels, 2);
	CHECK_EQ_INT(c.audio_export, -1);
	CHECK_EQ_STR(rtk_recording_config_format(&c), "mp4");
	CHECK(parse("{\"video_config\": {\"codec\": \"VP8\"}, \"audio_config\": {\"codec\": \"AAC\", "
		"\"channel\": \"mono\", \"export_file\": false}}", &c, &why));
	CHECK_EQ_STR(rtk_recording_config_format(&c), "webm");   /* a VP8 recording's audio is Opus */
	CHECK_EQ_INT(c.channels, 1);
	CHECK_EQ_INT(c.audio_export, 0);
	CHECK(parse("{\"video_config\": {\"export_file\": false}, \"audio_config\": {\"channel\": \"stereo\"}}",
		&c, &why));
	CHECK(c.audio_only);
	CHECK_EQ_INT(c.channels, 2);
	CHECK_EQ_STR(rtk_recording_config_format(&c), "m4a");
	CHECK(parse("{\"videoConfig\": {\"exportFile\": false}, \"audioConfig\": {\"codec\": \"MP3\", \"channel\": 1}}",
		&c, &why));
	CHECK_EQ_STR(rtk_recording_config_format(&c), "mp3");
	CHECK_EQ_INT(c.channels, 1);
	CHECK(parse("{\"video_config\": {\"export_file\": true}, \"audio_config\": {\"export_file\": true}}",
		&c, &why));
	CHECK(!c.audio_only);
	CHECK_EQ_INT(c.audio_export, 1);
}

/* What REST answers when the plugin refuses a recording or livestream call. */
static void test_http_statuses(void)
{
	CHECK_EQ_INT(rtk_refusal_http_status(RTK_ERR_RECORDING_CONFIG), 422);
	CHECK_EQ_INT(rtk_refusal_http_status(RTK_ERR_RECORDING_FAILED), 500);
	CHECK_EQ_INT(rtk_refusal_http_status(RTK_ERR_LIVESTREAM_FAILED), 500);
	CHECK_EQ_INT(rtk_refusal_http_status(RTK_ERR_RECORDING_ACTIVE), 409);
	CHECK_EQ_INT(rtk_refusal_http_status(RTK_ERR_RECORDING_NONE), 409);
	CHECK_EQ_INT(rtk_refusal_http_status(RTK_ERR_LIVESTREAM_ACTIVE), 409);
	CHECK_EQ_INT(rtk_refusal_http_status(RTK_ERR_LIVESTREAM_NONE), 409);
}

/* A meeting's recording_config is its recordings' defaults; a meeting
 * without one, or with one that does not parse, has the plain defaults. */
static void test_meeting_defaults(void)
{
	rtk_recording_config c;
	rtk_refusal why = { 0 };
	json_t *meeting = json_pack("{s:s, s:{s:s, s:i, s:{s:s, s:i, s:i}, s:{s:s}}}", "id", "m",
		"recording_config", "file_name_prefix", "weekly", "max_seconds", 600,
		"video_config", "codec", "VP8", "width", 320, "height", 240, "storage_config", "type", "aws");
	CHECK(rtk_recording_config_for_meeting(meeting, &c, &why));
	CHECK(c.vp8);
	CHECK_EQ_INT(c.width, 320);
	CHECK_EQ_INT(c.height, 240);
	CHECK_EQ_STR(c.file_name_prefix, "weekly");
	CHECK_EQ_INT(c.max_seconds, 600);
	json_decref(meeting);

	meeting = json_pack("{s:s, s:n}", "id", "m", "recording_config");
	CHECK(rtk_recording_config_for_meeting(meeting, &c, &why));
	CHECK(!c.vp8);
	CHECK_EQ_INT(c.width, 1280);
	CHECK_EQ_STR(c.file_name_prefix, "");
	json_decref(meeting);
	meeting = json_pack("{s:s}", "id", "m");
	CHECK(rtk_recording_config_for_meeting(meeting, &c, &why));
	CHECK_EQ_INT(c.max_seconds, 0);
	json_decref(meeting);

	meeting = json_pack("{s:{s:s, s:{s:s}}}", "recording_config", "file_name_prefix", "kept?",
		"video_config", "codec", "VP9");
	CHECK(!rtk_recording_config_for_meeting(meeting, &c, &why));
	CHECK_EQ_STR(why.code, RTK_ERR_RECORDING_CONFIG);
	CHECK(!c.vp8);
	CHECK_EQ_STR(c.file_name_prefix, "");   /* nothing of a bad config */
	json_decref(meeting);
}

/* video_config.watermark: url, optional size and position (default left top). */
static void test_watermark(void)
{
	rtk_recording_config c;
	rtk_refusal why;
	CHECK(parse("{}", &c, &why));
	CHECK_EQ_STR(c.watermark_url, "");
	CHECK(parse("{\"video_config\": {\"watermark\": {\"url\": \"https://a/w.png\"}}}", &c, &why));
	CHECK_EQ_STR(c.watermark_url, "https://a/w.png");
	CHECK_EQ_STR(c.watermark_position, "left top");
	CHECK_EQ_INT(c.watermark_width, 0);
	CHECK(parse("{\"video_config\": {\"watermark\": {\"url\": \"data:image/png;base64,AAAA\", "
		"\"size\": {\"width\": 1920, \"height\": 1}, \"position\": \"right bottom\"}}}", &c, &why));
	CHECK_EQ_STR(c.watermark_url, "data:image/png;base64,AAAA");
	CHECK_EQ_STR(c.watermark_position, "right bottom");
	CHECK_EQ_INT(c.watermark_width, 1920);
	CHECK_EQ_INT(c.watermark_height, 1);
}

/* video_config.layout: GRID by default, the three names exactly, null
 * for the default; anything else refused. */
static void test_layout(void)
{
	rtk_recording_config c;
	rtk_refusal why;
	CHECK(parse("{}", &c, &why));
	CHECK_EQ_STR(c.layout, "GRID");
	CHECK(parse("{\"video_config\": {\"layout\": \"ACTIVE_SPEAKER\"}}", &c, &why));
	CHECK_EQ_STR(c.layout, "ACTIVE_SPEAKER");
	CHECK(parse("{\"videoConfig\": {\"codec\": \"VP8\", \"layout\": \"PRESENTATION\"}}", &c, &why));
	CHECK_EQ_STR(c.layout, "PRESENTATION");
	CHECK(parse("{\"video_config\": {\"layout\": null}}", &c, &why));
	CHECK_EQ_STR(c.layout, "GRID");
	const char *bad[] = { "{\"video_config\": {\"layout\": \"grid\"}}", "{\"video_config\": {\"layout\": 1}}",
		"{\"video_config\": {\"layout\": \"SPEAKER\"}}", "{\"video_config\": {\"layout\": \"\"}}" };
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		CHECK(!parse(bad[i], &c, &why));
		CHECK_EQ_STR(why.code, RTK_ERR_RECORDING_CONFIG);
		CHECK_EQ_STR(why.message, "video_config.layout must be \"GRID\", \"ACTIVE_SPEAKER\" or \"PRESENTATION\"");
	}
}

/* live_streaming_config.rtmp_url: rtmp:// or rtmps:// with a host, kept
 * as given; absent or null: no push. */
static void test_rtmp_url(void)
{
	rtk_recording_config c;
	rtk_refusal why;
	CHECK(parse("{}", &c, &why));
	CHECK_EQ_STR(c.rtmp_url, "");
	CHECK(parse("{\"live_streaming_config\": null}", &c, &why));
	CHECK_EQ_STR(c.rtmp_url, "");
	CHECK(parse("{\"live_streaming_config\": {\"rtmp_url\": null}}", &c, &why));
	CHECK_EQ_STR(c.rtmp_url, "");
	CHECK(parse("{\"live_streaming_config\": {\"rtmp_url\": \"rtmp://live.example:1935/app/key?x=1\"}}", &c, &why));
	CHECK_EQ_STR(c.rtmp_url, "rtmp://live.example:1935/app/key?x=1");
	CHECK(parse("{\"live_streaming_config\": {\"rtmp_url\": \"rtmps://live.example/app/key\"}}", &c, &why));
	CHECK_EQ_STR(c.rtmp_url, "rtmps://live.example/app/key");
	char text[1200];
	g_snprintf(text, sizeof text, "{\"live_streaming_config\": {\"rtmp_url\": \"rtmp://h/%01014d\"}}", 0);
	CHECK(parse(text, &c, &why));   /* 1023 characters */
	g_snprintf(text, sizeof text, "{\"live_streaming_config\": {\"rtmp_url\": \"rtmp://h/%01015d\"}}", 0);
	CHECK(!parse(text, &c, &why));  /* 1024 */
}

/* Encode once: which recordings may share the livestream's companion. */
static void test_shareable(void)
{
	rtk_recording_config c;
	rtk_refusal why;
	CHECK(parse("{}", &c, &why));
	CHECK(rtk_recording_config_shareable(&c, TRUE));    /* H.264 1280x720 stereo: the default */
	CHECK(!rtk_recording_config_shareable(&c, FALSE));  /* RTK_ENCODE_ONCE=0 */
	CHECK(parse("{\"video_config\": {\"width\": 640, \"height\": 360}}", &c, &why));
	CHECK(rtk_recording_config_shareable(&c, TRUE));    /* the size is matched against the livestream's */
	CHECK(parse("{\"video_config\": {\"codec\": \"VP8\"}}", &c, &why));
	CHECK(!rtk_recording_config_shareable(&c, TRUE));
	CHECK(parse("{\"video_config\": {\"export_file\": false}}", &c, &why));
	CHECK(!rtk_recording_config_shareable(&c, TRUE));
	CHECK(parse("{\"audio_config\": {\"channel\": \"mono\"}}", &c, &why));
	CHECK(!rtk_recording_config_shareable(&c, TRUE));
	CHECK(parse("{\"video_config\": {\"watermark\": {\"url\": \"https://a/w.png\"}}}", &c, &why));
	CHECK(!rtk_recording_config_shareable(&c, TRUE));
	CHECK(parse("{\"live_streaming_config\": {\"rtmp_url\": \"rtmp://h/app/key\"}}", &c, &why));
	CHECK(!rtk_recording_config_shareable(&c, TRUE));
	CHECK(rtk_encode_once_enabled(NULL));
	CHECK(rtk_encode_once_enabled("1"));
	CHECK(rtk_encode_once_enabled(""));
	CHECK(!rtk_encode_once_enabled("0"));
}

int main(void)
{
	UNIT_RUN(test_shareable);
	UNIT_RUN(test_defaults);
	UNIT_RUN(test_sdk_spelling);
	UNIT_RUN(test_rest_spelling);
	UNIT_RUN(test_refusals);
	UNIT_RUN(test_audio);
	UNIT_RUN(test_rtmp_url);
	UNIT_RUN(test_watermark);
	UNIT_RUN(test_layout);
	UNIT_RUN(test_http_statuses);
	UNIT_RUN(test_meeting_defaults);
	return UNIT_DONE();
}
