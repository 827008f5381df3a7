/*
 * capture_tracks.h - the per-track side of recordings (capture.c): which
 * published streams a per-track recording takes and the file each goes
 * to, its REST object's "tracks", and the sizes of its files at the end.
 * The rules (layers, user_ids, file names) are the model's
 * (model/track_config.h); this file applies them to the live room's
 * peers and streams, and to the files on disk.
 *
 * Called by capture.c under its lock; nothing here locks.
 */
#ifndef RTK_CAPTURE_TRACKS_H
#define RTK_CAPTURE_TRACKS_H

#include <glib.h>
#include <jansson.h>
#include "capture_model.h"
#include "relay.h"
#include "room.h"
#include "track_config.h"

/* The track kind of a published stream. */
rtk_track_kind rtk_capture_tracks_kind(const rtk_pub_stream *ps);
/* Opens the track of `ps` (codec: "opus", "vp8", "h264") fed as `ssrc`
 * when `config` records it: its file name (borrowed from `list`), else
 * NULL. `room` (borrowed) says whose it is. */
const char *rtk_capture_tracks_open(rtk_track_list *list, const rtk_track_config *config, rtk_room *room,
	const rtk_pub_stream *ps, const char *codec, guint32 ssrc);
/* The REST object of a new per-track recording: INVOKED, its
 * file_name_prefix (the "default" layer's) and max_seconds, user_ids,
 * "tracks": [], video_config and audio_config null, output_file_name
 * `dir_name` (the directory of its files). Sets m->tracks. */
void rtk_capture_tracks_invoked(rtk_capture_model *m, const rtk_track_config *config, const char *dir_name,
	const rtk_capture_caller *caller);
/* m->doc's "tracks" from `list` now (final: only those with a file). */
void rtk_capture_tracks_publish(rtk_capture_model *m, const rtk_track_list *list, gboolean final);
/* At the end: every track closed at `now`, the size of each file in
 * `dir`; returns the total bytes, or -1 when no track has a file. */
gint64 rtk_capture_tracks_finish(rtk_track_list *list, const char *dir, const char *now);

#endif
