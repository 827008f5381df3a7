/*
 * capture.h - recordings and livestreams of live meetings: what the SDK's
 * meeting.recording and meeting.livestream and the REST recordings and
 * livestreams act on (design.md sections 2 and 4.4, docs/protocol.md).
 *
 * A capture is one companion process (rtk-recorder or rtk-hls, process.h)
 * fed with the meeting's published streams, or, when a recording and a
 * livestream of the meeting have compatible settings (encode once,
 * RTK_ENCODE_ONCE), one output of a companion both share. This file owns the captures'
 * states (STARTING, RECORDING or LIVESTREAMING, PAUSED, STOPPING), keeps
 * each companion's participants in step with the room
 * (rtk_captures_sync_peers) and its streams with the meeting's router,
 * whose listener it is (router.h: a companion's feed is one more consumer
 * of a stream), turns the companion's events into SDK events
 * (recordingUpdate, livestreamUpdate, viewerCountUpdate), REST statuses
 * (INVOKED, RECORDING, PAUSED, UPLOADING, UPLOADED, ERRORED; livestreams
 * INVOKED, LIVE, IDLE, ERRORED) and webhooks, and persists them.
 *
 * A capture outlives its meeting's live session: when everyone leaves it
 * is stopped, and it stays until its companion has finished the output.
 *
 * The state machine, the REST objects, the SDK events and when a webhook
 * is due are the model's (capture_model.h); this file carries out what
 * the model decides, with the companions, the router and the store.
 *
 * Locking: the functions that change a capture are called with the lock
 * of its meeting's family held (meeting_lock.h), as every change of a
 * meeting is: a request's, a REST call's (live_api.c takes it), a tick's;
 * the companion's events arrive on its reader thread, which takes it.
 * Those that only read (the REST objects, the events for a newcomer) need
 * none. This file's own lock comes after the meeting's (capture.c); a
 * companion is spawned without it. rtk_captures_wait_stored must be
 * called with no lock held. Store writes and webhooks happen on a writer
 * thread of this file, in order, so no lock is held across SQLite or
 * network I/O; that thread is the only writer of recording and livestream
 * rows while the server runs.
 */
#ifndef RTK_CAPTURE_H
#define RTK_CAPTURE_H

#include <glib.h>
#include <jansson.h>
#include "errors.h"
#include "glue.h"
#include "room.h"
#include "router.h"

#include "capture_model.h"
#include "track_config.h"

/* `companion_dir` holds rtk-recorder and rtk-hls; outputs go under
 * `data_dir`/recordings and `data_dir`/livestreams (copies both).
 * `broadcast(meeting_id, event)` delivers an SDK event (borrowed) to every
 * participant of the meeting's live session, if one runs. */
void rtk_captures_init(const char *companion_dir, const char *data_dir,
	void (*broadcast)(const char *meeting_id, json_t *event));
/* Encode once (capture.c, docs/companions.md): whether a recording and a
 * livestream of one meeting with compatible settings share a companion
 * (RTK_ENCODE_ONCE, on unless "0"). Set once, before any capture starts. */
void rtk_captures_set_encode_once(gboolean enabled);
/* Stops every companion (a short grace, then SIGKILL) and the writer. */
void rtk_captures_destroy(void);

/* Starts a recording of the live session of `room`, fed from its `router`
 * (both borrowed; the capture forgets them when rtk_captures_live_ended()
 * says the session ended). Returns its REST object (NEW reference) or
 * NULL with why (RTK_ERR_RECORDING_ACTIVE, RTK_ERR_RECORDING_FAILED). */
json_t *rtk_capture_recording_start(rtk_room *room, rtk_router *router, const rtk_recording_config *config,
	gboolean allow_multiple, const rtk_capture_caller *caller, rtk_refusal *why);

/* Starts a per-track recording (model/track_config.h: each stream it
 * takes into its own file, rtk-recorder --tracks) of the live session of
 * `room`, fed from `router` (as above). Takes config's user_ids (config
 * is left without them). One at a time per meeting, beside any composite
 * ones. Returns its REST object (NEW) or NULL with why
 * (RTK_ERR_RECORDING_ACTIVE, RTK_ERR_RECORDING_FAILED). */
json_t *rtk_capture_track_recording_start(rtk_room *room, rtk_router *router, rtk_track_config *config,
	const rtk_capture_caller *caller, rtk_refusal *why);

/* Applies `action` to the recording `id` of the meeting, or, with id NULL,
 * to every recording of the meeting in a state it applies to (stop:
 * RECORDING or PAUSED; pause: RECORDING; resume: PAUSED). Returns how many
 * it changed, or -1 with why (RTK_ERR_RECORDING_NONE). `meeting_id` NULL
 * accepts a recording of any meeting (REST by recording id). */
int rtk_capture_recording_action(const char *meeting_id, const char *id, rtk_capture_action action,
	const rtk_capture_caller *caller, rtk_refusal *why);

/* The meeting's livestream: start (one at a time; RTK_ERR_LIVESTREAM_ACTIVE)
 * returns its REST object (NEW); stop returns FALSE with
 * RTK_ERR_LIVESTREAM_NONE when none runs. */
#define RTK_CAPTURE_LADDER_MAX 4   /* renditions of a livestream */
/* `qualities`: the heights of the renditions asked for (POST body's
 * livestream_viewer_qualities, 2..1080; n_qualities 0..RTK_CAPTURE_LADDER_MAX),
 * or none: one 1280x720 rendition and playback_url index.m3u8; with some,
 * playback_url is the ladder's master.m3u8. `vod`: every segment of every
 * rendition is kept, and once it ends its playlists are VOD ones, served
 * (and its directories kept) until the plugin stops, where an ended
 * livestream is otherwise forgotten and removed after 10 minutes.
 * `layout`: the composite's (rtk-hls --layout), NULL for GRID; shown as
 * the livestream's video_config.layout. */
json_t *rtk_capture_livestream_start(rtk_room *room, rtk_router *router, const char *name,
	const int *qualities, int n_qualities, gboolean vod, const char *layout, const rtk_capture_caller *caller,
	rtk_refusal *why);
gboolean rtk_capture_livestream_stop(const char *meeting_id, const rtk_capture_caller *caller, rtk_refusal *why);
/* The running livestream's REST object (NEW), or NULL. */
json_t *rtk_capture_livestream_active(const char *meeting_id);
/* The REST object of a recording still running (NEW), or NULL. */
json_t *rtk_capture_recording_get(const char *id);
/* The active (not finished) recording REST object of the meeting, newest first (NEW), or NULL. */
json_t *rtk_capture_recording_active(const char *meeting_id);

/* The writes queued so far, and a wait, with no lock held, until the
 * writer thread has stored them: a REST call that started a capture
 * returns once its object is readable from the store. */
guint64 rtk_captures_queued(void);
/* Queues a write made outside a capture (a recording's upload end) behind
 * the others, so the writer thread stays the one writer of the rows; takes
 * write->doc (set to NULL). Takes captures_mutex: call with no capture
 * lock held. */
void rtk_captures_queue_write(rtk_capture_write *write);
void rtk_captures_wait_stored(guint64 upto);

/* The SDK events describing the meeting's captures now, for a participant
 * that just joined: recordingUpdate and livestreamUpdate (NEW references;
 * NULL for one that has nothing to say). */
json_t *rtk_captures_recording_event(const char *meeting_id);
json_t *rtk_captures_livestream_event(const char *meeting_id);

/* After every room operation: brings the participants each capture of the
 * session shows in step with the room (who is in it and may produce
 * media), with the streams they already publish. Streams published and
 * closed later reach the captures through the router. */
void rtk_captures_sync_peers(rtk_room *room, rtk_router *router);
/* Every tick, for each live meeting (its lock held): its livestream's
 * viewer count. */
void rtk_captures_tick_meeting(const char *meeting_id);
/* Every tick, for each live meeting (its lock held): its active speaker
 * now (`peer_id`, NULL: none). Each running capture of the session whose
 * composite shows that peer and was not told yet is sent {"cmd":
 * "speaker"} (docs/companions.md): at a change, and at the first tick
 * after a capture starts. */
void rtk_captures_speaker(const char *meeting_id, rtk_router *router, const char *peer_id);
/* Every tick, with no lock held: forgets livestreams that ended long
 * enough ago (their playlists stop being served, their files go). */
void rtk_captures_tick(void);
/* The meeting's live session ends (nobody left): stops its captures,
 * which forget `router` and its room. */
void rtk_captures_live_ended(const char *meeting_id, rtk_router *router);
/* The root of the meeting family of capture `id` (or, with id NULL, of a
 * capture of `meeting_id`): whose lock a change of it takes. NEW, or NULL
 * when there is no such capture. No lock needed. */
char *rtk_captures_root_of(const char *id, const char *meeting_id);
/* A new live session of a meeting with record_on_start or
 * live_stream_on_start starts them. */
void rtk_captures_live_started(rtk_room *room, rtk_router *router, const json_t *meeting);

#endif
