/*
 * track_config.h - per-track recordings' rules: what POST /v2/recordings/track
 * asks for (RealtimeKit's {meeting_id, layers: {<name>: {file_name_prefix,
 * outputs: [{type}]}}, user_ids, max_seconds}), which published streams
 * that records, what each file is called, and the "tracks" list the
 * recording's REST object shows (docs/rest.md, "Per-track recordings").
 *
 * Layers: "default" (every kind), or "audio", "video" (cameras),
 * "screenshare" (screens, their audio too) for one kind each; a kind's own
 * layer wins over "default" for its file name prefix. No layers: every
 * kind. An output's type REALTIMEKIT_BUCKET (or Dyte's DYTE_BUCKET) keeps
 * the files here (downloaded over REST); STORAGE_CONFIG is refused, as is
 * any other layer name.
 *
 * Plain C + GLib + Jansson (no Janus), unit-tested
 * (tests/unit/test_track_config.c) and fuzzed (tests/fuzz/fuzz_track_config.c).
 * Not thread-safe: capture.c calls it under its lock.
 */
#ifndef RTK_TRACK_CONFIG_H
#define RTK_TRACK_CONFIG_H

#include <glib.h>
#include <jansson.h>
#include "errors.h"

#define RTK_TRACK_USER_IDS_MAX 100

/* The kinds of track a recording separates. */
typedef enum rtk_track_kind {
	RTK_TRACK_AUDIO = 0,        /* a microphone */
	RTK_TRACK_VIDEO,            /* a camera */
	RTK_TRACK_SCREENSHARE,      /* a screen's video */
	RTK_TRACK_SCREENSHARE_AUDIO,/* a screen's audio */
	RTK_TRACK_KINDS
} rtk_track_kind;

typedef struct rtk_track_config {
	gboolean record[RTK_TRACK_KINDS];
	char prefix[RTK_TRACK_KINDS][64];   /* "" or a file name prefix (A-Z a-z 0-9 - _ .) */
	int max_seconds;                    /* 0: no limit */
	GPtrArray *user_ids;                /* owned strings; NULL: everyone */
} rtk_track_config;

/* Every kind, no prefix, no limit, everyone. Clear with rtk_track_config_clear. */
void rtk_track_config_init(rtk_track_config *config);
void rtk_track_config_clear(rtk_track_config *config);
/* Reads layers, user_ids and max_seconds (an integer or a string of
 * digits, 1..86400) of the POST body over `config` (init'd). FALSE with
 * RTK_ERR_RECORDING_CONFIG (config then unchanged but for what a caller
 * clears). */
gboolean rtk_track_config_parse(const json_t *body, rtk_track_config *config, rtk_refusal *why);
/* Does the recording take a stream of `kind` from the participant with
 * REST id `participant_id` (and `custom_participant_id`, may be NULL)? */
gboolean rtk_track_config_records(const rtk_track_config *config, rtk_track_kind kind,
	const char *participant_id, const char *custom_participant_id);
/* "audio", "video", "screenshare", "screenshare_audio". Static. */
const char *rtk_track_kind_name(rtk_track_kind kind);

/* The tracks of one recording, in the order they began. */
typedef struct rtk_track_list rtk_track_list;
rtk_track_list *rtk_track_list_new(void);
void rtk_track_list_free(rtk_track_list *list);

/* Who a track is of (borrowed strings; custom_participant_id and name may be NULL). */
typedef struct rtk_track_owner {
	const char *participant_id, *peer_id, *custom_participant_id, *name;
} rtk_track_owner;

/* A new track fed to the companion as `ssrc`, begun at `now` (ISO 8601):
 * its file name (borrowed from the list, valid while it lives):
 * [<prefix>_]<who>_<kind>_<n>.<ext>, <who> the custom participant id when
 * it has one, else the participant id (characters other than A-Z a-z 0-9
 * - _ . and a leading dot become '-'; at most 64 bytes), <n> counting that participant's
 * tracks of that kind from 1, <ext> webm (codec "opus", "vp8") or mp4
 * ("h264"). */
const char *rtk_track_list_open(rtk_track_list *list, const rtk_track_config *config, const rtk_track_owner *who,
	rtk_track_kind kind, const char *codec, guint32 ssrc, const char *now);
/* The track of `ssrc` ended at `now` (a no-op for one that is not open). */
void rtk_track_list_close(rtk_track_list *list, guint32 ssrc, const char *now);
/* Every track still open ends at `now`. */
void rtk_track_list_close_all(rtk_track_list *list, const char *now);
/* The file names (borrowed), in order, to stat at the end. */
guint rtk_track_list_count(const rtk_track_list *list);
const char *rtk_track_list_file(const rtk_track_list *list, guint i);
/* Track i's file has `bytes` bytes (-1: no file: it never got a frame). */
void rtk_track_list_set_size(rtk_track_list *list, guint i, gint64 bytes);
/* The REST "tracks" (NEW): [{participant_id, peer_id, custom_participant_id,
 * name, kind, codec, file_name, started_time, stopped_time, file_size}],
 * leaving out, once `final`, the tracks that have no file. */
json_t *rtk_track_list_json(const rtk_track_list *list, gboolean final);

#endif
