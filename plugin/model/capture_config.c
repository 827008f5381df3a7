/*
 * capture_config.c - validation of recording configs (capture_config.h).
 */
#include "capture_config.h"

#include <string.h>

void rtk_recording_config_default(rtk_recording_config *config) {
	memset(config, 0, sizeof *config);
	config->width = 1280;
	config->height = 720;
	config->channels = 2;
	config->audio_export = -1;
	g_strlcpy(config->layout, "GRID", sizeof config->layout);
}

gboolean rtk_recording_config_layout_ok(const char *s) {
	return s != NULL && (!strcmp(s, "GRID") || !strcmp(s, "ACTIVE_SPEAKER") || !strcmp(s, "PRESENTATION"));
}

/* video_config.layout: absent or null keeps the default (GRID). */
static gboolean capture_config_layout(const json_t *layout, rtk_recording_config *config, rtk_refusal *why) {
	if(layout == NULL || json_is_null(layout))
		return TRUE;
	if(!rtk_recording_config_layout_ok(json_string_value(layout))) {
		rtk_refusal_set(why, RTK_ERR_RECORDING_CONFIG,
			"video_config.layout must be \"GRID\", \"ACTIVE_SPEAKER\" or \"PRESENTATION\"");
		return FALSE;
	}
	g_strlcpy(config->layout, json_string_value(layout), sizeof config->layout);
	return TRUE;
}

const char *rtk_recording_config_format(const rtk_recording_config *config) {
	if(config->audio_only)
		return config->mp3 ? "mp3" : "m4a";
	return config->vp8 ? "webm" : "mp4";
}

gboolean rtk_recording_config_shareable(const rtk_recording_config *config, gboolean enabled) {
	return enabled && !config->vp8 && !config->audio_only && config->channels != 1 &&
		config->watermark_url[0] == '\0' && config->rtmp_url[0] == '\0';
}

gboolean rtk_encode_once_enabled(const char *value) {
	return value == NULL || strcmp(value, "0") != 0;
}

/* {key} under either spelling (camelCase first), or NULL. */
static const json_t *capture_config_get(const json_t *json, const char *camel, const char *snake) {
	const json_t *v = json_object_get(json, camel);
	return v != NULL ? v : json_object_get(json, snake);
}

/* export_file: absent or null leaves *out; else must be a boolean. */
static gboolean capture_config_export(const json_t *obj, int *out) {
	const json_t *v = capture_config_get(obj, "exportFile", "export_file");
	if(v == NULL || json_is_null(v))
		return TRUE;
	if(!json_is_boolean(v))
		return FALSE;
	*out = json_is_true(v);
	return TRUE;
}

/* audio_config: {codec: AAC | MP3, channel: mono | stereo (1 | 2), export_file}. */
static gboolean capture_config_audio(const json_t *audio, rtk_recording_config *config, rtk_refusal *why) {
	if(audio == NULL || json_is_null(audio))
		return TRUE;
	if(!json_is_object(audio)) {
		rtk_refusal_set(why, RTK_ERR_RECORDING_CONFIG, "audioConfig must be an object");
		return FALSE;
	}
	const json_t *codec = json_object_get(audio, "codec");
	if(codec != NULL && !json_is_null(codec)) {
		if(!json_is_string(codec) || (strcmp(json_string_value(codec), "AAC") && strcmp(json_string_value(codec), "MP3"))) {
			rtk_refusal_set(why, RTK_ERR_RECORDING_CONFIG, "audioConfig.codec must be \"AAC\" or \"MP3\"");
			return FALSE;
		}
		config->mp3 = !strcmp(json_string_value(codec), "MP3");
	}
	const json_t *channel = json_object_get(audio, "channel");
	if(channel != NULL && !json_is_null(channel)) {
		const char *c = json_string_value(channel);
		json_int_t n = json_is_integer(channel) ? json_integer_value(channel) : 0;
		if(c != NULL && (!strcmp(c, "mono") || !strcmp(c, "stereo")))
			config->channels = !strcmp(c, "mono") ? 1 : 2;
		else if(n == 1 || n == 2)
			config->channels = (int)n;
		else {
			rtk_refusal_set(why, RTK_ERR_RECORDING_CONFIG, "audioConfig.channel must be \"mono\" or \"stereo\"");
			return FALSE;
		}
	}
	if(!capture_config_export(audio, &config->audio_export)) {
		rtk_refusal_set(why, RTK_ERR_RECORDING_CONFIG, "audioConfig.export_file must be a boolean");
		return FALSE;
	}
	return TRUE;
}

static gboolean capture_config_dimension(const json_t *v, int *out) {
	if(v == NULL || json_is_null(v))
		return TRUE;
	if(!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 1920)
		return FALSE;
	*out = (int)json_integer_value(v);
	return TRUE;
}

/* 1..63 of A-Z a-z 0-9 - _ . not starting with a dot: safe as a file name. */
static gboolean capture_config_prefix(const char *s) {
	if(s[0] == '\0' || strlen(s) >= 64)
		return FALSE;
	for(const char *p = s; *p; p++)
		if(!g_ascii_isalnum(*p) && *p != '-' && *p != '_' && *p != '.')
			return FALSE;
	return s[0] != '.';
}

/* A URL fit for a command line: printable ASCII, no spaces. */
static gboolean capture_config_printable(const char *s) {
	for(const char *p = s; *p; p++)
		if(*p <= 0x20 || *p >= 0x7f)
			return FALSE;
	return TRUE;
}

/* video_config.watermark {url, size {width, height}, position}: url
 * http://, https:// or data: with something after it, under 8192 bytes of
 * printable ASCII; size optional (both 1..1920); position optional. */
static gboolean capture_config_watermark(const json_t *wm, rtk_recording_config *config, rtk_refusal *why) {
	if(wm == NULL || json_is_null(wm))
		return TRUE;
	const json_t *url = json_is_object(wm) ? json_object_get(wm, "url") : NULL;
	const char *s = json_is_string(url) ? json_string_value(url) : "";
	const char *rest = g_str_has_prefix(s, "http://") ? s + 7 : g_str_has_prefix(s, "https://") ? s + 8 :
		g_str_has_prefix(s, "data:") ? s + 5 : NULL;
	if(rest == NULL || *rest == '\0' || strlen(s) >= sizeof config->watermark_url || !capture_config_printable(s)) {
		rtk_refusal_set(why, RTK_ERR_RECORDING_CONFIG,
			"video_config.watermark.url must be an http://, https:// or data: URL under 8192 characters");
		return FALSE;
	}
	const json_t *size = json_object_get(wm, "size");
	int w = 0, h = 0;
	if(size != NULL && !json_is_null(size)) {
		const json_t *jw = json_is_object(size) ? json_object_get(size, "width") : NULL;
		const json_t *jh = json_is_object(size) ? json_object_get(size, "height") : NULL;
		if(!json_is_integer(jw) || !json_is_integer(jh) || json_integer_value(jw) < 1 ||
				json_integer_value(jw) > 1920 || json_integer_value(jh) < 1 || json_integer_value(jh) > 1920) {
			rtk_refusal_set(why, RTK_ERR_RECORDING_CONFIG,
				"video_config.watermark.size must be {width, height}, integers 1..1920");
			return FALSE;
		}
		w = (int)json_integer_value(jw);
		h = (int)json_integer_value(jh);
	}
	const json_t *pos = json_object_get(wm, "position");
	const char *p = pos == NULL || json_is_null(pos) ? "left top" : json_is_string(pos) ? json_string_value(pos) : "";
	if(strcmp(p, "left top") && strcmp(p, "right top") && strcmp(p, "left bottom") && strcmp(p, "right bottom")) {
		rtk_refusal_set(why, RTK_ERR_RECORDING_CONFIG, "video_config.watermark.position must be \"left top\", "
			"\"right top\", \"left bottom\" or \"right bottom\"");
		return FALSE;
	}
	g_strlcpy(config->watermark_url, s, sizeof config->watermark_url);
	config->watermark_width = w;
	config->watermark_height = h;
	g_strlcpy(config->watermark_position, p, sizeof config->watermark_position);
	return TRUE;
}

/* live_streaming_config {rtmp_url}: an rtmp:// or rtmps:// URL with a host,
 * under 1024 bytes of printable ASCII (it goes on the companion's command line), and
 * only with video. */
static gboolean capture_config_live_streaming(const json_t *live, rtk_recording_config *config, rtk_refusal *why) {
	if(live == NULL || json_is_null(live))
		return TRUE;
	const json_t *url = json_is_object(live) ? json_object_get(live, "rtmp_url") : NULL;
	if(json_is_object(live) && (url == NULL || json_is_null(url)))
		return TRUE;
	const char *s = json_is_string(url) ? json_string_value(url) : "";
	const char *host = g_str_has_prefix(s, "rtmp://") ? s + 7 : g_str_has_prefix(s, "rtmps://") ? s + 8 : NULL;
	gboolean ok = host != NULL && *host != '\0' && *host != '/' && strlen(s) < sizeof config->rtmp_url &&
		capture_config_printable(s);
	if(!ok) {
		rtk_refusal_set(why, RTK_ERR_RECORDING_CONFIG,
			"live_streaming_config.rtmp_url must be an rtmp:// or rtmps:// URL under 1024 characters");
		return FALSE;
	}
	if(config->audio_only) {
		rtk_refusal_set(why, RTK_ERR_RECORDING_CONFIG,
			"live_streaming_config.rtmp_url needs video (videoConfig.export_file true)");
		return FALSE;
	}
	g_strlcpy(config->rtmp_url, s, sizeof config->rtmp_url);
	return TRUE;
}

gboolean rtk_recording_config_parse(const json_t *json, rtk_recording_config *config, rtk_refusal *why) {
	if(json == NULL || json_is_null(json))
		return TRUE;
	if(!json_is_object(json)) {
		rtk_refusal_set(why, RTK_ERR_RECORDING_CONFIG, "the recording config must be an object");
		return FALSE;
	}
	const json_t *video = json_object_get(json, "videoConfig");
	if(video == NULL)
		video = json_object_get(json, "video_config");
	if(video != NULL && !json_is_null(video)) {
		const json_t *codec = json_object_get(video, "codec");
		if(!json_is_object(video) || (codec != NULL && !json_is_string(codec)) ||
				(codec != NULL && strcmp(json_string_value(codec), "H264") && strcmp(json_string_value(codec), "VP8"))) {
			rtk_refusal_set(why, RTK_ERR_RECORDING_CONFIG, "videoConfig.codec must be \"H264\" or \"VP8\"");
			return FALSE;
		}
		if(codec != NULL)
			config->vp8 = !strcmp(json_string_value(codec), "VP8");
		if(!capture_config_dimension(json_object_get(video, "width"), &config->width) ||
				!capture_config_dimension(json_object_get(video, "height"), &config->height)) {
			rtk_refusal_set(why, RTK_ERR_RECORDING_CONFIG, "videoConfig.width and height must be integers 1..1920");
			return FALSE;
		}
		int video_export = 1;
		if(!capture_config_export(video, &video_export)) {
			rtk_refusal_set(why, RTK_ERR_RECORDING_CONFIG, "videoConfig.export_file must be a boolean");
			return FALSE;
		}
		config->audio_only = !video_export;
		if(!capture_config_watermark(json_object_get(video, "watermark"), config, why) ||
				!capture_config_layout(json_object_get(video, "layout"), config, why))
			return FALSE;
	}
	if(!capture_config_audio(capture_config_get(json, "audioConfig", "audio_config"), config, why))
		return FALSE;
	if(config->mp3 && !config->audio_only) {
		rtk_refusal_set(why, RTK_ERR_RECORDING_CONFIG, "audioConfig.codec \"MP3\" is for audio-only recordings "
			"(videoConfig.export_file false); with video the audio is AAC (H264) or Opus (VP8)");
		return FALSE;
	}
	const json_t *prefix = json_object_get(json, "fileNamePrefix");
	if(prefix == NULL)
		prefix = json_object_get(json, "file_name_prefix");
	if(prefix != NULL && !json_is_null(prefix)) {
		if(!json_is_string(prefix) || !capture_config_prefix(json_string_value(prefix))) {
			rtk_refusal_set(why, RTK_ERR_RECORDING_CONFIG,
				"fileNamePrefix must be under 64 characters of A-Z a-z 0-9 - _ . (not starting with .)");
			return FALSE;
		}
		g_strlcpy(config->file_name_prefix, json_string_value(prefix), sizeof config->file_name_prefix);
	}
	if(!capture_config_live_streaming(json_object_get(json, "live_streaming_config"), config, why))
		return FALSE;
	const json_t *max = json_object_get(json, "max_seconds");
	if(max != NULL && !json_is_null(max)) {
		if(!json_is_integer(max) || json_integer_value(max) < 1 || json_integer_value(max) > 86400) {
			rtk_refusal_set(why, RTK_ERR_RECORDING_CONFIG, "max_seconds must be an integer 1..86400");
			return FALSE;
		}
		config->max_seconds = (int)json_integer_value(max);
	}
	return TRUE;
}


gboolean rtk_recording_config_for_meeting(const json_t *meeting, rtk_recording_config *config, rtk_refusal *why) {
	rtk_recording_config_default(config);
	rtk_recording_config parsed = *config;
	const json_t *settings = json_object_get(meeting, "recording_config");
	if(!rtk_recording_config_parse(settings, &parsed, why))
		return FALSE;
	/* Its storage_config, when complete (bucket, region, keys): an
	 * incomplete one leaves the file local, as no storage_config does. */
	rtk_refusal storage_why;
	if(!rtk_recording_config_parse_storage(json_object_get(settings, "storage_config"), &parsed, &storage_why))
		memset(&parsed.storage, 0, sizeof parsed.storage);
	*config = parsed;
	return TRUE;
}

/* Copies string `key` of `json` into `out` (of `size`): FALSE when it is
 * present but not a string, or too long, or absent while `required`. */
static gboolean capture_config_storage_str(const json_t *json, const char *key, gboolean required,
		char *out, size_t size) {
	const json_t *v = json_object_get(json, key);
	if(v == NULL || json_is_null(v))
		return !required;
	if(!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) >= size ||
			strlen(json_string_value(v)) != json_string_length(v))
		return FALSE;
	g_strlcpy(out, json_string_value(v), size);
	return TRUE;
}

gboolean rtk_recording_config_parse_storage(const json_t *json, rtk_recording_config *config, rtk_refusal *why) {
	if(json == NULL || json_is_null(json))
		return TRUE;
	rtk_recording_config c = *config;
	memset(&c.storage, 0, sizeof c.storage);
	const char *type = json_string_value(json_object_get(json, "type"));
	if(!json_is_object(json) || type == NULL) {
		rtk_refusal_set(why, RTK_ERR_RECORDING_CONFIG, "storage_config must be an object with a type");
		return FALSE;
	}
	if(strcmp(type, "aws") && strcmp(type, "digitalocean")) {
		rtk_refusal_set(why, RTK_ERR_RECORDING_CONFIG, "storage_config.type must be \"aws\" or \"digitalocean\" "
			"(S3-compatible storage; azure, gcs and sftp are not supported)");
		return FALSE;
	}
	g_strlcpy(c.storage.type, type, sizeof c.storage.type);
	if(!capture_config_storage_str(json, "bucket", TRUE, c.storage.bucket, sizeof c.storage.bucket) ||
			!capture_config_storage_str(json, "region", TRUE, c.storage.region, sizeof c.storage.region) ||
			!capture_config_storage_str(json, "access_key", TRUE, c.storage.access_key, sizeof c.storage.access_key) ||
			!capture_config_storage_str(json, "secret", TRUE, c.storage.secret, sizeof c.storage.secret) ||
			!capture_config_storage_str(json, "path", FALSE, c.storage.path, sizeof c.storage.path) ||
			!capture_config_storage_str(json, "host", FALSE, c.storage.host, sizeof c.storage.host)) {
		rtk_refusal_set(why, RTK_ERR_RECORDING_CONFIG, "storage_config needs bucket, region, access_key and secret "
			"(strings), and takes path and host (strings)");
		return FALSE;
	}
	for(const char *p = c.storage.bucket; *p; p++)
		if(!g_ascii_isalnum(*p) && *p != '-' && *p != '.' && *p != '_') {
			rtk_refusal_set(why, RTK_ERR_RECORDING_CONFIG, "storage_config.bucket must be a bucket name "
				"(A-Z a-z 0-9 - . _)");
			return FALSE;
		}
	for(const char *p = c.storage.region; *p; p++)
		if(!g_ascii_isalnum(*p) && *p != '-') {
			rtk_refusal_set(why, RTK_ERR_RECORDING_CONFIG, "storage_config.region must be a region name (e.g. us-east-1)");
			return FALSE;
		}
	for(const char *p = c.storage.host; *p; p++)
		if((unsigned char)*p <= ' ' || *p == '?' || *p == '#' || *p == '@' || (unsigned char)*p >= 0x7f) {
			rtk_refusal_set(why, RTK_ERR_RECORDING_CONFIG, "storage_config.host must be a URL (http:// or https://) "
				"or a host name, without credentials, query or spaces");
			return FALSE;
		}
	if(strstr(c.storage.host, "://") != NULL && !g_str_has_prefix(c.storage.host, "http://") &&
			!g_str_has_prefix(c.storage.host, "https://")) {
		rtk_refusal_set(why, RTK_ERR_RECORDING_CONFIG, "storage_config.host must be http:// or https://");
		return FALSE;
	}
	*config = c;
	return TRUE;
}

json_t *rtk_recording_config_storage_json(const rtk_recording_config *config, gboolean credentials) {
	if(config->storage.type[0] == '\0')
		return NULL;
	json_t *s = json_pack("{ss ss ss}", "type", config->storage.type, "bucket", config->storage.bucket,
		"region", config->storage.region);
	json_object_set_new(s, "path", config->storage.path[0] ? json_string(config->storage.path) : json_null());
	json_object_set_new(s, "host", config->storage.host[0] ? json_string(config->storage.host) : json_null());
	if(credentials) {
		json_object_set_new(s, "access_key", json_string(config->storage.access_key));
		json_object_set_new(s, "secret", json_string(config->storage.secret));
	}
	return s;
}
