/*
 * event.c - which request a polled Janus message answers (event.h), for rtk-load's two plugins, and
 * the publishers a VideoRoom `listparticipants` names, the video streams a subscription offers,
 * and the layers rtk's `publisherLayers` asks a publisher to send.
 * Everything read here comes from the server, so nothing is assumed about types: jansson's
 * getters return NULL/0 for a missing or mistyped field and every one is checked.
 */
#include <string.h>
#include "event.h"

json_t *lc_event_data(json_t *message) {
	json_t *data = json_object_get(json_object_get(message, "plugindata"), "data");
	return json_is_object(data) ? data : NULL;
}

guint64 lc_event_id(json_t *message, const char *field) {
	json_t *value = json_object_get(lc_event_data(message), field);
	return json_is_integer(value) && json_integer_value(value) > 0 ? (guint64)json_integer_value(value) : 0;
}

static int event_matches_rtk(json_t *data, const char *expect) {
	const char *rtk = json_string_value(json_object_get(data, "rtk"));
	if(rtk == NULL)
		return 0;
	return !strcmp(rtk, expect) ? 1 : !strcmp(rtk, "error") ? -1 : 0;
}

static int event_matches_videoroom(json_t *data, const char *expect) {
	const char *kind = json_string_value(json_object_get(data, "videoroom"));
	if(kind == NULL)
		return 0;
	if(json_object_get(data, "error") != NULL || !strcmp(kind, "error"))
		return -1;
	if(!strcmp(kind, expect))
		return 1;
	return !strcmp(kind, "event") && json_object_get(data, expect) != NULL ? 1 : 0;
}

int lc_event_matches(json_t *message, guint64 handle, lc_plugin plugin, const char *expect) {
	if(!json_is_object(message) || expect == NULL)
		return 0;
	json_t *sender = json_object_get(message, "sender");
	if(!json_is_integer(sender) || (guint64)json_integer_value(sender) != handle)
		return 0;
	const char *kind = json_string_value(json_object_get(message, "janus"));
	if(kind && !strcmp(kind, "hangup"))
		return -1;
	json_t *data = lc_event_data(message);
	if(data == NULL)
		return 0;
	return plugin == LC_PLUGIN_VIDEOROOM ? event_matches_videoroom(data, expect) : event_matches_rtk(data, expect);
}

guint lc_event_publisher_feeds(json_t *message, GArray *feeds) {
	guint count = 0;
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(lc_event_data(message), "participants"), i, p) {
		json_t *id = json_object_get(p, "id");
		if(json_is_true(json_object_get(p, "publisher")) && json_is_integer(id) && json_integer_value(id) > 0) {
			guint64 feed = (guint64)json_integer_value(id);
			g_array_append_val(feeds, feed);
			count++;
		}
	}
	return count;
}

int lc_event_video_streams(json_t *message, lc_plugin plugin) {
	int count = 0;
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(lc_event_data(message), "streams"), i, s) {
		const char *kind = json_string_value(json_object_get(s, plugin == LC_PLUGIN_RTK ? "kind" : "type"));
		if(kind != NULL && !strcmp(kind, "video"))
			count++;
	}
	return count;
}

int lc_event_publisher_layers(json_t *message, const char *mid, guint64 *sender) {
	json_t *data = lc_event_data(message);
	json_t *from = json_object_get(message, "sender");
	const char *rtk = json_string_value(json_object_get(data, "rtk"));
	const char *its_mid = json_string_value(json_object_get(data, "mid"));
	json_t *layers = json_object_get(data, "layers");
	if(rtk == NULL || strcmp(rtk, "publisherLayers") || its_mid == NULL || mid == NULL || strcmp(its_mid, mid) ||
			!json_is_array(layers) || !json_is_integer(from))
		return -1;
	int mask = 0;
	size_t i;
	json_t *flag;
	json_array_foreach(layers, i, flag) {
		if(!json_is_boolean(flag))
			return -1;
		if(i < 3 && json_is_true(flag))
			mask |= 1 << i;
	}
	if(sender != NULL)
		*sender = (guint64)json_integer_value(from);
	return mask;
}
