/*
 * capture_tracks.c - per-track recordings in the plugin (capture_tracks.h).
 */
#include "capture_tracks.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

rtk_track_kind rtk_capture_tracks_kind(const rtk_pub_stream *ps) {
	if(ps->type == RTK_MEDIA_SCREENSHARE)
		return ps->video ? RTK_TRACK_SCREENSHARE : RTK_TRACK_SCREENSHARE_AUDIO;
	return ps->video ? RTK_TRACK_VIDEO : RTK_TRACK_AUDIO;
}

const char *rtk_capture_tracks_open(rtk_track_list *list, const rtk_track_config *config, rtk_room *room,
		const rtk_pub_stream *ps, const char *codec, guint32 ssrc) {
	rtk_peer *peer = room != NULL ? rtk_room_find_peer(room, ps->peer_id) : NULL;
	const char *participant_id = peer != NULL ? peer->user_id : ps->user_id;
	const char *custom = peer != NULL ? peer->custom_participant_id : NULL;
	rtk_track_kind kind = rtk_capture_tracks_kind(ps);
	if(!rtk_track_config_records(config, kind, participant_id, custom))
		return NULL;
	rtk_track_owner who = { participant_id, ps->peer_id, custom, peer != NULL ? peer->name : NULL };
	char *now = rtk_util_now_iso8601();
	const char *file = rtk_track_list_open(list, config, &who, kind, codec, ssrc, now);
	free(now);
	return file;
}

void rtk_capture_tracks_invoked(rtk_capture_model *m, const rtk_track_config *config, const char *dir_name,
		const rtk_capture_caller *caller) {
	rtk_recording_config rc;
	rtk_recording_config_default(&rc);
	rc.max_seconds = config->max_seconds;
	rtk_capture_model_recording_invoked(m, &rc, FALSE, dir_name, caller);
	m->tracks = TRUE;
	json_t *doc = m->doc;
	const char *prefix = config->prefix[RTK_TRACK_AUDIO];
	for(int k = 1; k < RTK_TRACK_KINDS && prefix[0] == '\0'; k++)
		prefix = config->prefix[k];
	json_object_set_new(doc, "file_name_prefix", prefix[0] ? json_string(prefix) : json_null());
	json_object_set_new(doc, "video_config", json_null());
	json_object_set_new(doc, "audio_config", json_null());
	json_object_set_new(doc, "recording_type", json_string("TRACK"));
	json_t *kinds = json_array();
	for(int k = 0; k < RTK_TRACK_KINDS; k++)
		if(config->record[k])
			json_array_append_new(kinds, json_string(rtk_track_kind_name((rtk_track_kind)k)));
	json_object_set_new(doc, "track_kinds", kinds);
	json_t *ids = json_null();
	if(config->user_ids != NULL) {
		ids = json_array();
		for(guint i = 0; i < config->user_ids->len; i++)
			json_array_append_new(ids, json_string(g_ptr_array_index(config->user_ids, i)));
	}
	json_object_set_new(doc, "user_ids", ids);
	json_object_set_new(doc, "tracks", json_array());
}

void rtk_capture_tracks_publish(rtk_capture_model *m, const rtk_track_list *list, gboolean final) {
	json_object_set_new(m->doc, "tracks", rtk_track_list_json(list, final));
}

gint64 rtk_capture_tracks_finish(rtk_track_list *list, const char *dir, const char *now) {
	gint64 total = -1;
	rtk_track_list_close_all(list, now);
	for(guint i = 0; i < rtk_track_list_count(list); i++) {
		char *path = g_build_filename(dir, rtk_track_list_file(list, i), NULL);
		struct stat st;
		gint64 bytes = stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 ? (gint64)st.st_size : -1;
		g_free(path);
		rtk_track_list_set_size(list, i, bytes);
		if(bytes > 0)
			total = (total < 0 ? 0 : total) + bytes;
	}
	return total;
}
