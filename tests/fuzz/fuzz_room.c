/*
 * fuzz_room.c - libFuzzer target for the meeting model's reading of outside
 * JSON: a preset's `permissions` and `config` (written by REST clients) and a
 * participant object, through rtk_permissions_parse, rtk_peer_new, the
 * roomJoined/participantJoined builders and the media update events.
 *
 * Input: one JSON document {"participant": {...}, "preset": {...},
 * "media": [kind, on, kind, on, ...]}; anything else is used as both the
 * participant and the preset.
 */
#include <stdint.h>
#include <stddef.h>
#include <jansson.h>
#include "room.h"

static void fuzz_deliver(rtk_peer *peer, json_t *event, void *user_data) {
	char *text = json_dumps(event, JSON_COMPACT);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	json_t *doc = json_loadb((const char *)data, size, 0, NULL);
	if(doc == NULL)
		return 0;
	json_t *participant = json_object_get(doc, "participant");
	json_t *preset = json_object_get(doc, "preset");
	if(participant == NULL)
		participant = doc;
	if(preset == NULL)
		preset = doc;
	rtk_room_sink sink = { fuzz_deliver, NULL };
	json_t *title = json_object_get(doc, "title");
	json_t *meeting = json_pack("{ss sO}", "id", "m", "title", title ? title : json_null());
	rtk_room *room = rtk_room_new(meeting, &sink);
	rtk_peer *first = rtk_peer_new(participant, preset, NULL);
	rtk_peer *second = rtk_peer_new(participant, preset, NULL);
	if(room != NULL && first != NULL && second != NULL) {
		json_decref(rtk_room_join(room, first));
		json_decref(rtk_room_join(room, second));
		json_t *media = json_object_get(doc, "media");
		for(size_t i = 0; i + 1 < json_array_size(media); i += 2) {
			json_int_t kind = json_integer_value(json_array_get(media, i));
			if(kind >= 0 && kind < RTK_MEDIA_KINDS)
				rtk_room_set_media(room, second, (rtk_media_kind)kind,
					json_is_true(json_array_get(media, i + 1)));
		}
		rtk_room_leave(room, second, "left");
		rtk_room_leave(room, first, NULL);
	} else {
		rtk_peer_free(first);
		rtk_peer_free(second);
	}
	rtk_room_free(room);
	json_decref(meeting);
	json_decref(doc);
	return 0;
}
