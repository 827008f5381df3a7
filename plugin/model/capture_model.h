/*
 * capture_model.h - the state of one recording or livestream, and what
 * each change of it means for REST, the SDK and webhooks.
 *
 * Owns the capture's state machine (STARTING -> ACTIVE <-> PAUSED ->
 * STOPPING -> DONE), its REST object (docs/rest.md, Recordings and
 * Livestreams: INVOKED, RECORDING, PAUSED, UPLOADING, UPLOADED, ERRORED;
 * INVOKED, LIVE, IDLE, ERRORED), the SDK events describing it
 * (recordingUpdate, livestreamUpdate, viewerCountUpdate; docs/protocol.md),
 * when a statusUpdate webhook is due, and the rule on parallel
 * recordings. A transition changes the model and returns the effects the
 * caller must carry out (store the object, tell the meeting, command the
 * companion); capture.c does them, with the companion process and the
 * router.
 *
 * Plain C + GLib + Jansson (no Janus), so a unit test drives it:
 * tests/unit/test_capture_model.c. Not thread-safe: the plugin calls it
 * under capture.c's lock.
 */
#ifndef RTK_CAPTURE_MODEL_H
#define RTK_CAPTURE_MODEL_H

#include <glib.h>
#include <jansson.h>
#include "capture_config.h"
#include "errors.h"

typedef enum rtk_capture_kind {
	RTK_CAPTURE_RECORDING = 0,
	RTK_CAPTURE_LIVESTREAM
} rtk_capture_kind;

typedef enum rtk_capture_state {
	RTK_CAPTURE_STARTING = 0,  /* spawned, no output yet */
	RTK_CAPTURE_ACTIVE,        /* RECORDING / LIVESTREAMING */
	RTK_CAPTURE_PAUSED,        /* recordings only */
	RTK_CAPTURE_STOPPING,      /* stop sent, the companion finishes its output */
	RTK_CAPTURE_DONE           /* the companion exited */
} rtk_capture_state;

/* Who asked: a participant (user id, and peer id when joined), the REST
 * API with the API key (all NULL), or the server itself (a NULL caller).
 * The REST object shows it as the reference's caller: {type: "USER",
 * user_Id, name}, {type: "ORGANIZATION"}, or no caller. */
typedef struct rtk_capture_caller {
	const char *peer_id;
	const char *user_id;
	const char *name;
} rtk_capture_caller;

typedef enum rtk_capture_action { RTK_CAPTURE_STOP, RTK_CAPTURE_PAUSE, RTK_CAPTURE_RESUME } rtk_capture_action;

/* What a transition asks of its caller (a bit set; 0: nothing changed). */
typedef enum rtk_capture_effects {
	RTK_CAPTURE_STORE = 1 << 0,     /* persist the REST object (rtk_capture_model_take_write) */
	RTK_CAPTURE_ANNOUNCE = 1 << 1,  /* send the meeting recordingUpdate / livestreamUpdate */
	RTK_CAPTURE_VIEWERS = 1 << 2,   /* send the meeting viewerCountUpdate (rtk_capture_model_viewers_event) */
	RTK_CAPTURE_SEND_STOP = 1 << 3, /* tell the companion: stop (finish the output) */
	RTK_CAPTURE_SEND_PAUSE = 1 << 4,
	RTK_CAPTURE_SEND_RESUME = 1 << 5
} rtk_capture_effects;

typedef struct rtk_capture_model {
	char *id;
	rtk_capture_kind kind;
	rtk_capture_state state;
	char *meeting_id, *session_id;
	gint64 seq;                /* start order among all captures */
	gboolean allow_multiple;   /* recordings: may run beside others that allow it too */
	gboolean tracks;           /* a per-track recording (track_config.h): composite ones ignore it */
	int max_seconds;           /* recordings: stop by itself after this much output (0: never) */
	double output_s;           /* seconds of output written, as the companion said */
	int viewers;               /* livestreams: players in the last 10 s */
	json_t *doc;               /* the REST object (owned) */
	char *notified;            /* the status the last statusUpdate webhook carried */
	gboolean stored;           /* the object was written once: later writes update it */
	json_t *storage;           /* recordings: storage_config with credentials (owned), NULL: none */
	gboolean upload_pending;   /* finished cleanly with a storage_config: still UPLOADING until
	                              the upload (plugin/capture_upload.c) says UPLOADED or ERRORED */
} rtk_capture_model;

/* A capture just spawned, with its REST object's common fields
 * (invoked_time `now`: ISO 8601). Strings are copied. Free with
 * rtk_capture_model_free(). */
rtk_capture_model *rtk_capture_model_new(rtk_capture_kind kind, const char *id, const char *meeting_id,
	const char *session_id, gint64 seq, const char *now);
void rtk_capture_model_free(rtk_capture_model *m);

/* The REST object of a new recording (INVOKED, its settings, who asked;
 * `file_name`: the output's base name) or livestream. */
void rtk_capture_model_recording_invoked(rtk_capture_model *m, const rtk_recording_config *config,
	gboolean allow_multiple, const char *file_name, const rtk_capture_caller *caller);
void rtk_capture_model_livestream_invoked(rtk_capture_model *m, const char *name, const char *playback_url,
	const rtk_capture_caller *caller);
/* The meeting's settings started it (reason "RECORD_ON_START", "LIVE_STREAM_ON_START"). */
rtk_capture_effects rtk_capture_model_started_automatically(rtk_capture_model *m, const char *reason);

/* Transitions. `now`: ISO 8601 UTC, for the object's timestamps. */
/* The output began (a recording's first frame, a livestream's first
 * complete segment): RECORDING / LIVE. */
rtk_capture_effects rtk_capture_model_on_air(rtk_capture_model *m, const char *now);
/* The reference's reason for one of our causes: STARTED_BY_USER,
 * STOPPED_BY_USER and MAX_DURATION (the limit the start asked for) are
 * API_CALL; RECORD_ON_START, LIVE_STREAM_ON_START and ALL_PEERS_LEFT are
 * themselves; anything else (INTERNAL_ERROR, SERVER_SHUTDOWN,
 * SERVER_RESTART) is INTERNAL_ERROR. The REST object's start_reason and
 * stop_reason are {reason, detail (the cause, when it is neither the
 * reason nor a user's start or stop), caller (absent for the server)}. */
const char *rtk_capture_public_reason(const char *cause);

/* `reason` ("STOPPED_BY_USER", "ALL_PEERS_LEFT", "MAX_DURATION", ...):
 * STOPPING (a recording UPLOADING) unless it no longer runs (0). */
rtk_capture_effects rtk_capture_model_stop(rtk_capture_model *m, const char *reason, const rtk_capture_caller *caller);
/* stop, pause (RECORDING only) or resume (PAUSED only); 0 when `action`
 * does not apply in this state. */
rtk_capture_effects rtk_capture_model_apply(rtk_capture_model *m, rtk_capture_action action,
	const rtk_capture_caller *caller);
/* The companion wrote `output_s` seconds; a recording that reached
 * max_seconds stops (MAX_DURATION). */
rtk_capture_effects rtk_capture_model_progress(rtk_capture_model *m, double output_s);
/* The companion exited: `clean` (exit status 0) or not (`why`, e.g.
 * "killed by signal 9"); a recording's file has `file_size` bytes (-1:
 * none). UPLOADED or ERRORED (livestreams IDLE or ERRORED), DONE. A clean
 * recording with a storage_config stays UPLOADING with upload_pending set:
 * its file goes to the storage next (rtk_capture_model_uploaded). */
rtk_capture_effects rtk_capture_model_finished(rtk_capture_model *m, gboolean clean, const char *why,
	gint64 file_size, const char *now);
/* The end of a recording's upload, on `doc` (a copy of its REST object
 * when it finished; changed in place): UPLOADED when `error` is NULL, else
 * ERRORED with error "upload failed: <error>" (the local file stays and
 * download_url serves it). Plain JSON: the uploader runs after the model
 * is gone. */
void rtk_capture_model_uploaded(json_t *doc, const char *error);
/* A livestream's player count. */
rtk_capture_effects rtk_capture_model_set_viewers(rtk_capture_model *m, int viewers);

/* Running: STARTING, ACTIVE or PAUSED. */
gboolean rtk_capture_model_running(const rtk_capture_model *m);
/* The SDK's name of the state: STARTING, RECORDING / LIVESTREAMING, PAUSED, STOPPING, IDLE. */
const char *rtk_capture_model_sdk_state(const rtk_capture_model *m);

/* Persisting: a NEW copy of the REST object to write, whether the store
 * must create it (the first write) or update it, and whether the
 * statusUpdate webhook is due (the status changed since the last one). */
typedef struct rtk_capture_write {
	rtk_capture_kind kind;
	json_t *doc;               /* NEW */
	gboolean create;
	gboolean notify;
} rtk_capture_write;
void rtk_capture_model_take_write(rtk_capture_model *m, rtk_capture_write *write);
/* The statusUpdate webhook of a write: its event name and its data (NEW), in
 * RealtimeKit's shapes: {meeting, recording} or {streamId, status} (docs/rest.md, Events). */
const char *rtk_capture_webhook_event(rtk_capture_kind kind);
json_t *rtk_capture_webhook_data(const rtk_capture_write *write);

/* A new recording may start unless one of `running` (the meeting's
 * recordings, rtk_capture_model*) runs and this one or that one lacks
 * allow_multiple: FALSE with RTK_ERR_RECORDING_ACTIVE. Per-track
 * recordings (m->tracks) do not count: they run beside composite ones. */
gboolean rtk_capture_models_may_record(GPtrArray *recordings, gboolean allow_multiple, rtk_refusal *why);

/* SDK events (NEW). recordingUpdate from the meeting's recordings not done
 * (rtk_capture_model*, any order; the newest one's state is
 * recordingState); livestreamUpdate from its livestream (NULL: IDLE);
 * viewerCountUpdate. */
json_t *rtk_capture_models_recording_event(GPtrArray *recordings);
json_t *rtk_capture_model_livestream_event(const rtk_capture_model *livestream);
json_t *rtk_capture_model_viewers_event(const rtk_capture_model *livestream);

#endif
