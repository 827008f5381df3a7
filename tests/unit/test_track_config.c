/*
 * test_track_config.c - what POST /v2/recordings/track may ask for
 * (layers, user_ids, max_seconds: defaults, each layer, every refusal with
 * code 1003), which streams that records, and the files and "tracks" list a
 * per-track recording makes (plugin/model/track_config.h).
 */
#include <glib.h>
#include <jansson.h>
#include <string.h>

#include "track_config.h"
#include "unit.h"

/* Parses `text` over the defaults (config init'd; clear it after). */
static gboolean parse(const char *text, rtk_track_config *config, rtk_refusal *why)
{
	json_t *json = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
	rtk_track_config_init(config);
	why->code = NULL;
	gboolean ok = rtk_track_config_parse(json, config, why);
	json_decref(json);
	return ok;
}

static void test_defaults(void)
{
	rtk_track_config c;
	rtk_refusal why;
	CHECK(parse("{\"meeting_id\": \"m\"}", &c, &why));
	for (int k = 0; k < RTK_TRACK_KINDS; k++) {
		CHECK(c.record[k]);
		CHECK_EQ_STR(c.prefix[k], "");
	}
	CHECK_EQ_INT(c.max_seconds, 0);
	CHECK_NULL(c.user_ids);
	CHECK(rtk_track_config_records(&c, RTK_TRACK_SCREENSHARE_AUDIO, "p", NULL));
	CHECK(parse("{\"layers\": null, \"user_ids\": null, \"max_seconds\": null}", &c, &why));
	CHECK(parse(NULL, &c, &why));
	rtk_track_config_clear(&c);
}

static void test_layers(void)
{
	rtk_track_config c;
	rtk_refusal why;
	/* the reference's example: a default layer to the RealtimeKit (Dyte) bucket */
	CHECK(parse("{\"layers\": {\"default\": {\"file_name_prefix\": \"rec\", \"outputs\": [{\"type\": \"REALTIMEKIT_BUCKET\"},"
		" {\"type\": \"DYTE_BUCKET\"}, {}]}}}", &c, &why));
	for (int k = 0; k < RTK_TRACK_KINDS; k++) {
		CHECK(c.record[k]);
		CHECK_EQ_STR(c.prefix[k], "rec");
	}
	/* one kind's layer: that kind only */
	CHECK(parse("{\"layers\": {\"audio\": {\"file_name_prefix\": \"mic\"}}}", &c, &why));
	CHECK(c.record[RTK_TRACK_AUDIO]);
	CHECK(!c.record[RTK_TRACK_VIDEO] && !c.record[RTK_TRACK_SCREENSHARE] && !c.record[RTK_TRACK_SCREENSHARE_AUDIO]);
	CHECK_EQ_STR(c.prefix[RTK_TRACK_AUDIO], "mic");
	CHECK(!rtk_track_config_records(&c, RTK_TRACK_VIDEO, "p", NULL));
	/* screenshare covers the screen's audio too */
	CHECK(parse("{\"layers\": {\"screenshare\": null}}", &c, &why));
	CHECK(c.record[RTK_TRACK_SCREENSHARE] && c.record[RTK_TRACK_SCREENSHARE_AUDIO] && !c.record[RTK_TRACK_AUDIO]);
	/* a kind's own layer wins over default, whatever the order */
	CHECK(parse("{\"layers\": {\"video\": {\"file_name_prefix\": \"cam\"}, \"default\": {\"file_name_prefix\": \"all\"}}}",
		&c, &why));
	CHECK_EQ_STR(c.prefix[RTK_TRACK_VIDEO], "cam");
	CHECK_EQ_STR(c.prefix[RTK_TRACK_AUDIO], "all");
	CHECK(c.record[RTK_TRACK_SCREENSHARE]);
	rtk_track_config_clear(&c);
}

static void test_refusals(void)
{
	static const char *const bad[] = {
		"[]", "{\"layers\": {}}", "{\"layers\": []}", "{\"layers\": {\"mix\": {}}}",
		"{\"layers\": {\"default\": 1}}",
		"{\"layers\": {\"default\": {\"file_name_prefix\": \".hidden\"}}}",
		"{\"layers\": {\"default\": {\"file_name_prefix\": \"a/b\"}}}",
		"{\"layers\": {\"default\": {\"file_name_prefix\": 7}}}",
		"{\"layers\": {\"default\": {\"outputs\": {}}}}",
		"{\"layers\": {\"default\": {\"outputs\": [7]}}}",
		"{\"layers\": {\"default\": {\"outputs\": [{\"type\": \"S3\"}]}}}",
		"{\"layers\": {\"default\": {\"outputs\": [{\"type\": \"STORAGE_CONFIG\", \"storage_config\": {\"type\": \"aws\"}}]}}}",
		"{\"user_ids\": []}", "{\"user_ids\": \"a\"}", "{\"user_ids\": [\"\"]}", "{\"user_ids\": [1]}",
		"{\"max_seconds\": 0}", "{\"max_seconds\": 86401}", "{\"max_seconds\": \"\"}", "{\"max_seconds\": \"1e3\"}",
		"{\"max_seconds\": \"-5\"}", "{\"max_seconds\": 1.5}", "{\"max_seconds\": true}",
	};
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		rtk_track_config c;
		rtk_refusal why;
		if (parse(bad[i], &c, &why))
			g_printerr("accepted: %s\n", bad[i]);
		CHECK(!parse(bad[i], &c, &why));
		CHECK_EQ_STR(why.code, RTK_ERR_RECORDING_CONFIG);
		CHECK(why.message[0] != '\0');
		rtk_track_config_clear(&c);
	}
	/* 101 user ids */
	GString *ids = g_string_new("{\"user_ids\": [");
	for (int i = 0; i < 101; i++)
		g_string_append_printf(ids, "%s\"u%d\"", i ? "," : "", i);
	g_string_append(ids, "]}");
	rtk_track_config c;
	rtk_refusal why;
	CHECK(!parse(ids->str, &c, &why));
	g_string_free(ids, TRUE);
	rtk_track_config_clear(&c);
}

static void test_user_ids_and_max(void)
{
	rtk_track_config c;
	rtk_refusal why;
	CHECK(parse("{\"user_ids\": [\"p1\", \"bob@example.com\"], \"max_seconds\": \"90\"}", &c, &why));
	CHECK_EQ_INT(c.max_seconds, 90);
	CHECK_EQ_INT((int)c.user_ids->len, 2);
	CHECK(rtk_track_config_records(&c, RTK_TRACK_AUDIO, "p1", NULL));
	CHECK(rtk_track_config_records(&c, RTK_TRACK_VIDEO, "p2", "bob@example.com"));
	CHECK(!rtk_track_config_records(&c, RTK_TRACK_VIDEO, "p2", "ann@example.com"));
	CHECK(!rtk_track_config_records(&c, RTK_TRACK_VIDEO, "p2", NULL));
	rtk_track_config_clear(&c);
	CHECK(parse("{\"max_seconds\": 86400}", &c, &why));
	CHECK_EQ_INT(c.max_seconds, 86400);
	rtk_track_config_clear(&c);
}

static void test_files_and_list(void)
{
	rtk_track_config c;
	rtk_refusal why;
	CHECK(parse("{\"layers\": {\"default\": {\"file_name_prefix\": \"rec\"}, \"video\": {}}}", &c, &why));
	rtk_track_list *list = rtk_track_list_new();
	rtk_track_owner ada = { "p-1", "peer-1", "ada@example.com", "Ada" };
	rtk_track_owner bob = { "p/2", "peer-2", NULL, NULL };
	rtk_track_owner dot = { "p-3", "peer-3", ".x", NULL };
	CHECK_EQ_STR(rtk_track_list_open(list, &c, &ada, RTK_TRACK_AUDIO, "opus", 1000, "t0"),
		"rec_ada-example.com_audio_1.webm");
	CHECK_EQ_STR(rtk_track_list_open(list, &c, &ada, RTK_TRACK_VIDEO, "h264", 1001, "t0"), "ada-example.com_video_1.mp4");
	CHECK_EQ_STR(rtk_track_list_open(list, &c, &bob, RTK_TRACK_SCREENSHARE, "vp8", 1002, "t1"),
		"rec_p-2_screenshare_1.webm");
	CHECK_EQ_STR(rtk_track_list_open(list, &c, &dot, RTK_TRACK_AUDIO, "opus", 1004, "t1"), "rec_-x_audio_1.webm");
	rtk_track_list_close(list, 1000, "t2");
	/* Ada republishes her microphone: a second file */
	CHECK_EQ_STR(rtk_track_list_open(list, &c, &ada, RTK_TRACK_AUDIO, "opus", 1003, "t3"),
		"rec_ada-example.com_audio_2.webm");
	CHECK_EQ_INT((int)rtk_track_list_count(list), 5);
	json_t *running = rtk_track_list_json(list, FALSE);
	CHECK_EQ_INT((int)json_array_size(running), 5);
	json_t *first = json_array_get(running, 0);
	CHECK_EQ_STR(json_string_value(json_object_get(first, "participant_id")), "p-1");
	CHECK_EQ_STR(json_string_value(json_object_get(first, "peer_id")), "peer-1");
	CHECK_EQ_STR(json_string_value(json_object_get(first, "custom_participant_id")), "ada@example.com");
	CHECK_EQ_STR(json_string_value(json_object_get(first, "name")), "Ada");
	CHECK_EQ_STR(json_string_value(json_object_get(first, "kind")), "audio");
	CHECK_EQ_STR(json_string_value(json_object_get(first, "codec")), "OPUS");
	CHECK_EQ_STR(json_string_value(json_object_get(first, "started_time")), "t0");
	CHECK_EQ_STR(json_string_value(json_object_get(first, "stopped_time")), "t2");
	CHECK(json_is_null(json_object_get(first, "file_size")));
	CHECK(json_is_null(json_object_get(json_array_get(running, 2), "custom_participant_id")));
	CHECK(json_is_null(json_object_get(json_array_get(running, 1), "stopped_time")));
	json_decref(running);
	rtk_track_list_close_all(list, "t4");
	rtk_track_list_set_size(list, 0, 1234);
	rtk_track_list_set_size(list, 1, -1);   /* never got a frame */
	rtk_track_list_set_size(list, 2, 99);
	rtk_track_list_set_size(list, 3, -1);
	rtk_track_list_set_size(list, 4, 5);
	json_t *final = rtk_track_list_json(list, TRUE);
	CHECK_EQ_INT((int)json_array_size(final), 3);
	CHECK_EQ_INT((int)json_integer_value(json_object_get(json_array_get(final, 0), "file_size")), 1234);
	CHECK_EQ_STR(json_string_value(json_object_get(json_array_get(final, 1), "stopped_time")), "t4");
	CHECK_EQ_STR(json_string_value(json_object_get(json_array_get(final, 2), "file_name")),
		"rec_ada-example.com_audio_2.webm");
	json_decref(final);
	rtk_track_list_free(list);
	rtk_track_config_clear(&c);
	CHECK_EQ_STR(rtk_track_kind_name(RTK_TRACK_SCREENSHARE_AUDIO), "screenshare_audio");
}

int main(void)
{
	UNIT_RUN(test_defaults);
	UNIT_RUN(test_layers);
	UNIT_RUN(test_refusals);
	UNIT_RUN(test_user_ids_and_max);
	UNIT_RUN(test_files_and_list);
	return UNIT_DONE();
}
