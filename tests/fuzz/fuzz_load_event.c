/*
 * fuzz_load_event.c - libFuzzer target for rtk-load's reading of polled Janus messages
 * (bench/load/event.c): the rtk and VideoRoom events come from the server.
 *
 * Input: any bytes, parsed as JSON (inputs that are not JSON end there).
 *
 * Checked beyond the sanitizers: a match is -1, 0 or 1; a message whose sender is not the
 * handle never matches; an id read is 0 or the positive integer in the plugin data; the
 * publishers' feeds of a VideoRoom participants list are positive ids, as many as said; a
 * count of video streams is never negative; the layers of a publisherLayers event are -1 or a
 * mask of 3 bits, and only for the mid the event names.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../bench/load/event.h"

#define CHECK(cond) do { if(!(cond)) __builtin_trap(); } while(0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	if(size > 65536)
		return 0;
	json_t *message = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	if(message == NULL)
		return 0;
	const char *expects[] = {"roomJoined", "subscribed", "joined", "attached", "configured", "started", "success"};
	json_t *sender = json_object_get(message, "sender");
	guint64 handle = json_is_integer(sender) ? (guint64)json_integer_value(sender) : 7;
	for(size_t i = 0; i < G_N_ELEMENTS(expects); i++) {
		for(int plugin = LC_PLUGIN_RTK; plugin <= LC_PLUGIN_VIDEOROOM; plugin++) {
			int match = lc_event_matches(message, handle, plugin, expects[i]);
			CHECK(match >= -1 && match <= 1);
			CHECK(lc_event_matches(message, handle + 1, plugin, expects[i]) == 0);
		}
	}
	guint64 id = lc_event_id(message, "id");
	json_t *value = json_object_get(lc_event_data(message), "id");
	CHECK(id == 0 || (json_is_integer(value) && (guint64)json_integer_value(value) == id));
	GArray *feeds = g_array_new(FALSE, FALSE, sizeof(guint64));
	guint feeds_count = lc_event_publisher_feeds(message, feeds);
	CHECK(feeds_count == feeds->len);
	for(guint i = 0; i < feeds->len; i++)
		CHECK(g_array_index(feeds, guint64, i) > 0);
	g_array_free(feeds, TRUE);
	for(int plugin = LC_PLUGIN_RTK; plugin <= LC_PLUGIN_VIDEOROOM; plugin++)
		CHECK(lc_event_video_streams(message, plugin) >= 0);
	const char *mid = json_string_value(json_object_get(lc_event_data(message), "mid"));
	guint64 from = 0;
	int layers = lc_event_publisher_layers(message, mid ? mid : "1", &from);
	CHECK(layers >= -1 && layers <= 7);
	CHECK(layers == -1 || (json_is_integer(sender) && from == handle));
	if(mid != NULL) {
		char *other = g_strconcat(mid, "x", NULL);
		CHECK(lc_event_publisher_layers(message, other, NULL) == -1);
		g_free(other);
	}
	json_decref(message);
	return 0;
}
