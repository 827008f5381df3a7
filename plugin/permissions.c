/*
 * permissions.c - typed view of a preset's permissions (see permissions.h).
 */
#include <string.h>
#include "permissions.h"

rtk_produce rtk_produce_from_string(const char *value) {
	if(value == NULL)
		return RTK_PRODUCE_NOT_ALLOWED;
	if(!strcmp(value, "ALLOWED"))
		return RTK_PRODUCE_ALLOWED;
	if(!strcmp(value, "CAN_REQUEST"))
		return RTK_PRODUCE_CAN_REQUEST;
	return RTK_PRODUCE_NOT_ALLOWED;
}

const char *rtk_media_kind_name(rtk_media_kind kind) {
	switch(kind) {
		case RTK_MEDIA_AUDIO: return "audio";
		case RTK_MEDIA_VIDEO: return "video";
		case RTK_MEDIA_SCREENSHARE: return "screenshare";
		default: return "unknown";
	}
}

static gboolean permissions_flag(const json_t *permissions, const char *key) {
	return json_is_true(json_object_get(permissions, key));
}

void rtk_permissions_parse(rtk_permissions *out, const json_t *permissions) {
	memset(out, 0, sizeof(*out));
	if(!json_is_object(permissions))
		return;
	const json_t *media = json_object_get(permissions, "media");
	for(int kind = 0; kind < RTK_MEDIA_KINDS; kind++) {
		const json_t *m = json_object_get(media, rtk_media_kind_name(kind));
		out->produce[kind] = rtk_produce_from_string(json_string_value(json_object_get(m, "can_produce")));
	}
	out->hidden_participant = permissions_flag(permissions, "hidden_participant");
	out->show_participant_list = permissions_flag(permissions, "show_participant_list");
	out->stage_enabled = permissions_flag(permissions, "stage_enabled");
}
