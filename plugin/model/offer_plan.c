/*
 * offer_plan.c - the publisher offer rules on parsed m-lines (offer_plan.h).
 */
#include <string.h>
#include "offer_plan.h"

const char *rtk_offer_codec(rtk_offer_media media) {
	switch(media) {
		case RTK_OFFER_AUDIO: return "opus";
		case RTK_OFFER_VIDEO: return "vp8";
		default: return NULL;
	}
}

/* The type a client declared for `mid` in `descriptions`, or -1. */
static int offer_plan_described_type(const json_t *descriptions, const char *mid) {
	size_t i;
	const json_t *d;
	if(mid == NULL || !json_is_array(descriptions))
		return -1;
	json_array_foreach(descriptions, i, d) {
		const char *dmid = json_string_value(json_object_get(d, "mid"));
		const char *type = json_string_value(json_object_get(d, "type"));
		if(dmid == NULL || type == NULL || strcmp(dmid, mid))
			continue;
		if(!strcmp(type, "screenshare"))
			return RTK_MEDIA_SCREENSHARE;
		if(!strcmp(type, "video"))
			return RTK_MEDIA_VIDEO;
		if(!strcmp(type, "audio"))
			return RTK_MEDIA_AUDIO;
	}
	return -1;
}

static rtk_media_kind offer_plan_line_kind(const rtk_offer_mline *line, const json_t *descriptions,
		const gboolean *taken) {
	if(line->media == RTK_OFFER_AUDIO)
		return RTK_MEDIA_AUDIO;
	int described = offer_plan_described_type(descriptions, line->mid);
	if(described == RTK_MEDIA_VIDEO || described == RTK_MEDIA_SCREENSHARE)
		return described;
	return taken[RTK_MEDIA_VIDEO] ? RTK_MEDIA_SCREENSHARE : RTK_MEDIA_VIDEO;
}

void rtk_offer_plan(rtk_offer_mline *lines, size_t count, const json_t *descriptions,
		const gboolean allowed[RTK_MEDIA_KINDS]) {
	gboolean taken[RTK_MEDIA_KINDS] = { FALSE };
	for(size_t i = 0; i < count; i++) {
		rtk_offer_mline *line = &lines[i];
		line->accept = FALSE;
		line->kind = RTK_MEDIA_AUDIO;
		if(line->media != RTK_OFFER_AUDIO && line->media != RTK_OFFER_VIDEO)
			continue;
		line->kind = offer_plan_line_kind(line, descriptions, taken);
		gboolean sending = line->port > 0 && line->sends;
		line->accept = sending && !taken[line->kind] && allowed[line->kind] && line->has_codec;
		if(line->accept)
			taken[line->kind] = TRUE;
	}
}
