/*
 * capture_config.c - validation of recording configs (capture_config.h).
 */
#include "capture_config.h"

#include <string.h>

void rtk_recording_config_default(rtk_recording_config *config) {
	memset(config, 0, sizeof *config);
	config->width = 1280;
	config->height = 720;
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
	if(!rtk_recording_config_parse(json_object_get(meeting, "recording_config"), &parsed, why))
		return FALSE;
	*config = parsed;
	return TRUE;
}
