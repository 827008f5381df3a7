/*
 * capture.c - recordings and livestreams on companion processes
 * (capture.h). Janus glue: it learns of the meeting's published streams
 * from the meeting's router (router.h), whose listener it is, feeds its
 * companions from them (relay.h) and asks their publishers for keyframes.
 */
#include "capture.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <glib/gstdio.h>
#include <debug.h>
#include <utils.h>

#include "hls.h"
#include "process.h"
#include "util.h"
#include "webhooks.h"

typedef enum capture_state {
	CAPTURE_STARTING = 0,   /* spawned, no output yet */
	CAPTURE_ACTIVE,         /* RECORDING / LIVESTREAMING */
	CAPTURE_PAUSED,         /* recordings only */
	CAPTURE_STOPPING,       /* stop sent, the companion finishes its output */
	CAPTURE_DONE            /* the companion exited: set just before the capture is forgotten */
} capture_state;

/* One published stream a capture is fed with. */
typedef struct capture_stream {
	rtk_pub_stream *ps;      /* borrowed: the router's producer_closed removes this entry first */
	uint32_t ssrc;           /* what the companion knows it by */
	char *peer_id;
	rtk_media_kind type;
} capture_stream;

typedef struct rtk_capture {
	char *id;
	rtk_capture_kind kind;
	capture_state state;
	char *meeting_id, *session_id;
	rtk_room *room;          /* borrowed: the live session's; NULL once it ended */
	rtk_router *router;      /* borrowed: the live session's (we listen to it); NULL once it ended */
	rtk_proc *proc;          /* our reference */
	gboolean allow_multiple;
	int max_seconds;
	double output_s;
	gint64 seq;              /* start order */
	char *notified;          /* the status the last statusUpdate webhook carried */
	char *output;            /* the file (recording) or directory (livestream) */
	GHashTable *streams;     /* rtk_pub_stream* -> capture_stream* (owned) */
	GHashTable *peers;       /* peer id -> screenshare flag (GINT) */
	uint32_t next_ssrc;
	int viewers;
	gint64 late_frames_logged;   /* the companion's late_frames when the last warning was logged */
	json_t *doc;             /* the REST object as last persisted (owned) */
} rtk_capture;

static GHashTable *captures;     /* id -> rtk_capture* (owned) */
static GQueue ended_streams;     /* capture_ended*: HLS streams still served after their end */
static char *companion_dir, *data_dir;
static GAsyncQueue *writes;      /* capture_write* for the writer thread */
static GThread *writer;
static void (*broadcast)(const char *meeting_id, json_t *event);   /* rtk_captures_init */
static const rtk_proc_callbacks capture_callbacks;
static const rtk_router_listener capture_router_listener;

/* ---- persistence and webhooks, off the state lock ---- */

typedef struct capture_write {
	rtk_capture_kind kind;
	json_t *doc;             /* a copy of the REST object */
	gboolean notify;         /* a status change: send the webhook */
	gboolean quit;
} capture_write;

static void capture_notify(capture_write *w);

static gpointer capture_writer(gpointer data) {
	(void)data;
	for(;;) {
		capture_write *w = g_async_queue_pop(writes);
		if(w->quit) {
			g_free(w);
			return NULL;
		}
		rtk_store *store = rtk_gateway_store(rtk_gw);
		const char *id = json_string_value(json_object_get(w->doc, "id"));
		json_t *out = NULL;
		rtk_store_status st = w->kind == RTK_CAPTURE_RECORDING ?
			rtk_store_recording_update(store, id, w->doc, &out) :
			rtk_store_livestream_update(store, id, w->doc, &out);
		json_decref(out);
		out = NULL;
		if(st == RTK_STORE_NOT_FOUND)
			st = w->kind == RTK_CAPTURE_RECORDING ? rtk_store_recording_create(store, w->doc, &out) :
				rtk_store_livestream_create(store, w->doc, &out);
		json_decref(out);
		out = NULL;
		if(st == RTK_STORE_CONFLICT)   /* the REST handler created it meanwhile */
			st = w->kind == RTK_CAPTURE_RECORDING ? rtk_store_recording_update(store, id, w->doc, &out) :
				rtk_store_livestream_update(store, id, w->doc, &out);
		json_decref(out);
		if(st != RTK_STORE_OK)
			JANUS_LOG(LOG_ERR, "[rtk] capture %s: could not be stored\n", id);
		if(w->notify)
			capture_notify(w);
		json_decref(w->doc);
		g_free(w);
	}
}

/* The statusUpdate webhook of one write. */
static void capture_notify(capture_write *w) {
	json_t *meeting = json_pack("{sO*sO*}", "id", json_object_get(w->doc, "meeting_id"),
			"session_id", json_object_get(w->doc, "session_id"));
		const char *event = w->kind == RTK_CAPTURE_RECORDING ? "recording.statusUpdate" : "livestreaming.statusUpdate";
	json_t *data = json_pack("{soso}", "meeting", meeting,
		w->kind == RTK_CAPTURE_RECORDING ? "recording" : "livestream", json_deep_copy(w->doc));
	rtk_webhooks *wh = rtk_gateway_webhooks(rtk_gw);
	if(wh != NULL)
		rtk_webhooks_emit(wh, event, data);
	else
		json_decref(data);
}

/* Queues the capture's REST object for the store and, when `notify` and
 * its status changed since the last one, its statusUpdate webhook. */
static void capture_persist(rtk_capture *c, gboolean notify) {
	capture_write *w = g_new0(capture_write, 1);
	const char *status = json_string_value(json_object_get(c->doc, "status"));
	w->kind = c->kind;
	if(notify && status != NULL && g_strcmp0(status, c->notified) != 0) {
		w->notify = TRUE;
		g_free(c->notified);
		c->notified = g_strdup(status);
	}
	w->doc = json_deep_copy(c->doc);
	g_async_queue_push(writes, w);
}

static void capture_set(rtk_capture *c, const char *key, json_t *value) {
	json_object_set_new(c->doc, key, value);
}

static json_t *capture_now(void) {
	char *now = rtk_util_now_iso8601();
	json_t *v = now ? json_string(now) : json_null();
	free(now);
	return v;
}

/* Bytes in the output file, or -1 when there is none. */
static gint64 capture_file_size(const char *path) {
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) ? (gint64)st.st_size : -1;
}

static json_t *capture_reason(const char *reason, const rtk_capture_caller *caller) {
	json_t *who = caller && caller->peer_id ?
		json_pack("{ss ss ss? ss?}", "type", "PARTICIPANT", "peer_id", caller->peer_id,
			"user_id", caller->user_id, "name", caller->name) :
		json_pack("{ss}", "type", caller ? "API" : "SYSTEM");
	return json_pack("{ssso}", "reason", reason, "caller", who);
}

/* ---- names of states ---- */

static const char *capture_sdk_state(const rtk_capture *c) {
	switch(c->state) {
	case CAPTURE_STARTING: return "STARTING";
	case CAPTURE_ACTIVE: return c->kind == RTK_CAPTURE_RECORDING ? "RECORDING" : "LIVESTREAMING";
	case CAPTURE_PAUSED: return "PAUSED";
	case CAPTURE_STOPPING: return "STOPPING";
	default: return "IDLE";
	}
}

static gboolean capture_running(const rtk_capture *c) {
	return c->state == CAPTURE_STARTING || c->state == CAPTURE_ACTIVE || c->state == CAPTURE_PAUSED;
}

/* ---- SDK events ---- */

/* To every participant of the meeting's live session, if one runs (a
 * capture outlives its session, and the meeting may be in a new one). */
static void capture_broadcast(const char *meeting_id, json_t *event) {
	if(event != NULL && broadcast != NULL)
		broadcast(meeting_id, event);
	json_decref(event);
}

/* Recordings of the meeting not finished, oldest first. */
static GPtrArray *capture_list(const char *meeting_id, rtk_capture_kind kind) {
	GPtrArray *list = g_ptr_array_new();
	GHashTableIter it;
	gpointer v;
	g_hash_table_iter_init(&it, captures);
	while(g_hash_table_iter_next(&it, NULL, &v)) {
		rtk_capture *c = v;
		if(c->kind == kind && c->state != CAPTURE_DONE && (meeting_id == NULL || !strcmp(c->meeting_id, meeting_id)))
			g_ptr_array_add(list, c);
	}
	return list;
}

json_t *rtk_captures_recording_event(const char *meeting_id) {
	GPtrArray *list = capture_list(meeting_id, RTK_CAPTURE_RECORDING);
	json_t *recordings = json_array();
	const char *state = "IDLE";
	gint64 newest = -1;
	for(guint i = 0; i < list->len; i++) {
		rtk_capture *c = g_ptr_array_index(list, i);
		json_array_append_new(recordings, json_pack("{ssss}", "id", c->id, "state", capture_sdk_state(c)));
		if(c->seq > newest) {
			newest = c->seq;
			state = capture_sdk_state(c);
		}
	}
	g_ptr_array_free(list, TRUE);
	json_t *event = rtk_event_new("recordingUpdate");
	json_object_set_new(event, "recordingState", json_string(state));
	json_object_set_new(event, "recordings", recordings);
	return event;
}

static rtk_capture *capture_livestream_of(const char *meeting_id) {
	GPtrArray *list = capture_list(meeting_id, RTK_CAPTURE_LIVESTREAM);
	rtk_capture *c = list->len > 0 ? g_ptr_array_index(list, list->len - 1) : NULL;
	g_ptr_array_free(list, TRUE);
	return c;
}

json_t *rtk_captures_livestream_event(const char *meeting_id) {
	rtk_capture *c = capture_livestream_of(meeting_id);
	json_t *event = rtk_event_new("livestreamUpdate");
	json_object_set_new(event, "status", json_string(c ? capture_sdk_state(c) : "IDLE"));
	json_object_set(event, "playbackUrl", c ? json_object_get(c->doc, "playback_url") : json_null());
	json_object_set_new(event, "viewerCount", json_integer(c ? c->viewers : 0));
	json_object_set_new(event, "id", c ? json_string(c->id) : json_null());
	return event;
}

static void capture_announce(rtk_capture *c) {
	capture_broadcast(c->meeting_id, c->kind == RTK_CAPTURE_RECORDING ?
		rtk_captures_recording_event(c->meeting_id) : rtk_captures_livestream_event(c->meeting_id));
}

/* ---- lifecycle ---- */

static void capture_stream_free(gpointer p) {
	capture_stream *s = p;
	g_free(s->peer_id);
	g_free(s);
}

static void capture_free(gpointer p) {
	rtk_capture *c = p;
	rtk_proc_unref(c->proc);
	g_hash_table_destroy(c->streams);
	g_hash_table_destroy(c->peers);
	json_decref(c->doc);
	g_free(c->id);
	g_free(c->meeting_id);
	g_free(c->session_id);
	g_free(c->output);
	g_free(c->notified);
	g_free(c);
}

static rtk_capture *capture_new(rtk_room *room, rtk_router *router, rtk_capture_kind kind) {
	rtk_capture *c = g_new0(rtk_capture, 1);
	char *uuid = rtk_util_uuid4();
	c->id = g_strdup(uuid);
	free(uuid);
	c->kind = kind;
	c->meeting_id = g_strdup(room->meeting_id);
	c->session_id = g_strdup(room->session_id);
	c->room = room;
	c->router = router;
	c->streams = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, capture_stream_free);
	c->peers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	c->next_ssrc = 1000;
	static gint64 seq;
	c->seq = ++seq;
	c->doc = json_pack("{sssssssosO}", "id", c->id, "meeting_id", c->meeting_id, "session_id", c->session_id,
		"invoked_time", capture_now(), "download_url", json_null());
	return c;
}

static gboolean capture_spawn(rtk_capture *c, char **argv, rtk_refusal *why, const char *code) {
	char *error = NULL;
	c->proc = rtk_proc_spawn(argv, &capture_callbacks, g_strdup(c->id), &error);
	if(c->proc == NULL) {
		rtk_refusal_set(why, code, "%s", error);
		JANUS_LOG(LOG_ERR, "[rtk] %s\n", error);
		g_free(error);
		return FALSE;
	}
	JANUS_LOG(LOG_INFO, "[rtk] meeting %s: %s %s started (pid %d, %s)\n", c->meeting_id,
		c->kind == RTK_CAPTURE_RECORDING ? "recording" : "livestream", c->id, (int)rtk_proc_pid(c->proc), c->output);
	return TRUE;
}

static void capture_sync_peers(rtk_capture *c);

/* A spawned capture joins the table and its meeting's router: it is fed
 * from now on. Returns its REST object (NEW). */
static json_t *capture_begin(rtk_capture *c) {
	g_hash_table_insert(captures, c->id, c);
	capture_persist(c, TRUE);
	rtk_router_listen(c->router, &capture_router_listener, c);
	capture_sync_peers(c);
	capture_announce(c);
	return json_deep_copy(c->doc);
}

static gboolean recording_may_start(const char *meeting_id, gboolean allow_multiple, rtk_refusal *why) {
	GPtrArray *list = capture_list(meeting_id, RTK_CAPTURE_RECORDING);
	gboolean ok = TRUE;
	for(guint i = 0; i < list->len; i++) {
		rtk_capture *c = g_ptr_array_index(list, i);
		if(capture_running(c) && (!allow_multiple || !c->allow_multiple))
			ok = FALSE;
	}
	g_ptr_array_free(list, TRUE);
	if(!ok)
		rtk_refusal_set(why, RTK_ERR_RECORDING_ACTIVE, "a recording is already running; parallel recordings "
			"need allowMultiple on the first one and on this one");
	return ok;
}

json_t *rtk_capture_recording_start(rtk_room *room, rtk_router *router, const rtk_recording_config *config,
		gboolean allow_multiple, const rtk_capture_caller *caller, rtk_refusal *why) {
	if(!recording_may_start(room->meeting_id, allow_multiple, why))
		return NULL;
	rtk_capture *c = capture_new(room, router, RTK_CAPTURE_RECORDING);
	c->allow_multiple = allow_multiple;
	c->max_seconds = config->max_seconds;
	const char *ext = config->vp8 ? "webm" : "mp4";
	char *name = g_strdup_printf("%s%s%s.%s", config->file_name_prefix, config->file_name_prefix[0] ? "_" : "", c->id, ext);
	char *dir = g_build_filename(data_dir, "recordings", NULL);
	rtk_util_mkdir_p(dir, 0700);
	c->output = g_build_filename(dir, name, NULL);
	g_free(dir);
	char width[16], height[16];
	g_snprintf(width, sizeof width, "%d", config->width);
	g_snprintf(height, sizeof height, "%d", config->height);
	char *path = g_build_filename(companion_dir, "rtk-recorder", NULL);
	char *argv[] = { path, "--output", c->output, "--format", (char *)(config->vp8 ? "webm" : "mp4"),
		"--width", width, "--height", height, NULL };
	gboolean ok = capture_spawn(c, argv, why, RTK_ERR_RECORDING_FAILED);
	g_free(path);
	if(!ok) {
		g_free(name);
		capture_free(c);
		return NULL;
	}
	capture_set(c, "status", json_string("INVOKED"));
	capture_set(c, "output_file_name", json_string(name));
	capture_set(c, "file_name_prefix", config->file_name_prefix[0] ? json_string(config->file_name_prefix) : json_null());
	capture_set(c, "video_config", json_pack("{sssisi}", "codec", config->vp8 ? "VP8" : "H264",
		"width", config->width, "height", config->height));
	capture_set(c, "audio_config", json_pack("{sssi}", "codec", config->vp8 ? "OPUS" : "AAC", "channel", 2));
	capture_set(c, "max_seconds", config->max_seconds ? json_integer(config->max_seconds) : json_null());
	capture_set(c, "allow_multiple_recordings", json_boolean(allow_multiple));
	capture_set(c, "start_reason", capture_reason("STARTED_BY_USER", caller));
	capture_set(c, "stop_reason", json_null());
	capture_set(c, "started_time", json_null());
	capture_set(c, "stopped_time", json_null());
	capture_set(c, "recording_duration", json_integer(0));
	capture_set(c, "file_size", json_null());
	g_free(name);
	return capture_begin(c);
}

json_t *rtk_capture_livestream_start(rtk_room *room, rtk_router *router, const char *name,
		const rtk_capture_caller *caller, rtk_refusal *why) {
	rtk_capture *running = capture_livestream_of(room->meeting_id);
	if(running != NULL && capture_running(running)) {
		rtk_refusal_set(why, RTK_ERR_LIVESTREAM_ACTIVE, "the meeting is already livestreaming (livestream %s)", running->id);
		return NULL;
	}
	rtk_capture *c = capture_new(room, router, RTK_CAPTURE_LIVESTREAM);
	c->output = g_build_filename(data_dir, "livestreams", c->id, NULL);
	rtk_util_mkdir_p(c->output, 0700);
	char *path = g_build_filename(companion_dir, "rtk-hls", NULL);
	char *argv[] = { path, "--output", c->output, NULL };
	gboolean ok = capture_spawn(c, argv, why, RTK_ERR_LIVESTREAM_FAILED);
	g_free(path);
	if(!ok) {
		capture_free(c);
		return NULL;
	}
	rtk_hls *hls = rtk_gateway_hls(rtk_gw);
	if(hls != NULL)
		rtk_hls_stream_open(hls, c->id, c->output, 0.2, 2.0);
	char *url = g_strdup_printf("%s/hls/%s/index.m3u8", rtk_gateway_url(rtk_gw), c->id);
	capture_set(c, "status", json_string("INVOKED"));
	capture_set(c, "name", name ? json_string(name) : json_null());
	capture_set(c, "playback_url", json_string(url));
	capture_set(c, "start_reason", capture_reason("STARTED_BY_USER", caller));
	capture_set(c, "started_time", json_null());
	capture_set(c, "stopped_time", json_null());
	capture_set(c, "viewer_count", json_integer(0));
	g_free(url);
	return capture_begin(c);
}

/* Sends stop: the companion finishes the output; "exited" ends it. */
static void capture_stop(rtk_capture *c, const char *reason, const rtk_capture_caller *caller) {
	if(!capture_running(c))
		return;
	c->state = CAPTURE_STOPPING;
	rtk_proc_command(c->proc, json_pack("{ss}", "cmd", "stop"));
	capture_set(c, "stop_reason", capture_reason(reason, caller));
	if(c->kind == RTK_CAPTURE_RECORDING)
		capture_set(c, "status", json_string("UPLOADING"));
	capture_persist(c, TRUE);
	capture_announce(c);
}

static gboolean capture_apply(rtk_capture *c, rtk_capture_action action, const rtk_capture_caller *caller) {
	switch(action) {
	case RTK_CAPTURE_STOP:
		if(!capture_running(c))
			return FALSE;
		capture_stop(c, "STOPPED_BY_USER", caller);
		return TRUE;
	case RTK_CAPTURE_PAUSE:
		if(c->state != CAPTURE_ACTIVE)
			return FALSE;
		c->state = CAPTURE_PAUSED;
		rtk_proc_command(c->proc, json_pack("{ss}", "cmd", "pause"));
		capture_set(c, "status", json_string("PAUSED"));
		break;
	case RTK_CAPTURE_RESUME:
		if(c->state != CAPTURE_PAUSED)
			return FALSE;
		c->state = CAPTURE_ACTIVE;
		rtk_proc_command(c->proc, json_pack("{ss}", "cmd", "resume"));
		capture_set(c, "status", json_string("RECORDING"));
		break;
	}
	capture_persist(c, TRUE);
	capture_announce(c);
	return TRUE;
}

int rtk_capture_recording_action(const char *meeting_id, const char *id, rtk_capture_action action,
		const rtk_capture_caller *caller, rtk_refusal *why) {
	static const char *const names[] = { "stop", "pause", "resume" };
	if(id != NULL) {
		rtk_capture *c = g_hash_table_lookup(captures, id);
		if(c == NULL || c->kind != RTK_CAPTURE_RECORDING || (meeting_id && strcmp(c->meeting_id, meeting_id))) {
			rtk_refusal_set(why, RTK_ERR_RECORDING_NONE, "no running recording %s in this meeting", id);
			return -1;
		}
		if(!capture_apply(c, action, caller)) {
			rtk_refusal_set(why, RTK_ERR_RECORDING_NONE, "recording %s is %s: cannot %s it", id,
				capture_sdk_state(c), names[action]);
			return -1;
		}
		return 1;
	}
	GPtrArray *list = capture_list(meeting_id, RTK_CAPTURE_RECORDING);
	int changed = 0;
	for(guint i = 0; i < list->len; i++)
		changed += capture_apply(g_ptr_array_index(list, i), action, caller) ? 1 : 0;
	g_ptr_array_free(list, TRUE);
	if(changed == 0)
		rtk_refusal_set(why, RTK_ERR_RECORDING_NONE, "no recording of this meeting can %s now",
			action == RTK_CAPTURE_STOP ? "stop" : action == RTK_CAPTURE_PAUSE ? "pause" : "resume");
	return changed > 0 ? changed : -1;
}

gboolean rtk_capture_livestream_stop(const char *meeting_id, const rtk_capture_caller *caller, rtk_refusal *why) {
	rtk_capture *c = capture_livestream_of(meeting_id);
	if(c == NULL || !capture_running(c)) {
		rtk_refusal_set(why, RTK_ERR_LIVESTREAM_NONE, "the meeting is not livestreaming");
		return FALSE;
	}
	capture_stop(c, "STOPPED_BY_USER", caller);
	return TRUE;
}

json_t *rtk_capture_livestream_active(const char *meeting_id) {
	rtk_capture *c = capture_livestream_of(meeting_id);
	return c != NULL ? json_deep_copy(c->doc) : NULL;
}

json_t *rtk_capture_recording_get(const char *id) {
	rtk_capture *c = g_hash_table_lookup(captures, id);
	return c != NULL && c->kind == RTK_CAPTURE_RECORDING ? json_deep_copy(c->doc) : NULL;
}

json_t *rtk_capture_recording_active(const char *meeting_id) {
	GPtrArray *list = capture_list(meeting_id, RTK_CAPTURE_RECORDING);
	rtk_capture *newest = NULL;
	for(guint i = 0; i < list->len; i++) {
		rtk_capture *c = g_ptr_array_index(list, i);
		if(newest == NULL || c->seq > newest->seq)
			newest = c;
	}
	g_ptr_array_free(list, TRUE);
	return newest != NULL ? json_deep_copy(newest->doc) : NULL;
}

/* ---- keeping companions in step with the meeting ---- */

static const char *capture_codec(const rtk_pub_stream *ps) {
	if(!ps->video)
		return ps->acodec == JANUS_AUDIOCODEC_OPUS ? "opus" : NULL;
	if(ps->vcodec == JANUS_VIDEOCODEC_VP8)
		return "vp8";
	if(ps->vcodec == JANUS_VIDEOCODEC_H264)
		return "h264";
	return NULL;
}

/* Does the composite show this peer? Those who may produce media now:
 * not webinar viewers off stage, not hidden participants. */
static gboolean capture_shows(const rtk_peer *peer) {
	if(peer->waitlisted || peer->permissions.hidden_participant)
		return FALSE;
	return rtk_peer_may_produce(peer, RTK_MEDIA_AUDIO, NULL) || rtk_peer_may_produce(peer, RTK_MEDIA_VIDEO, NULL);
}

static void capture_add_stream(rtk_capture *c, rtk_pub_stream *ps) {
	const char *codec = capture_codec(ps);
	if(codec == NULL || g_hash_table_contains(c->streams, ps))
		return;
	capture_stream *s = g_new0(capture_stream, 1);
	s->ps = ps;
	s->ssrc = c->next_ssrc++;
	s->peer_id = g_strdup(ps->peer_id);
	s->type = ps->type;
	g_hash_table_insert(c->streams, ps, s);
	rtk_proc_command(c->proc, json_pack("{sssIssssss}", "cmd", "stream", "ssrc", (json_int_t)s->ssrc,
		"id", ps->peer_id, "codec", codec, "source", ps->type == RTK_MEDIA_SCREENSHARE ? "screen" : "camera"));
	rtk_relay_forward_add(ps, c->proc, s->ssrc);
	if(ps->video)
		rtk_relay_request_keyframe(rtk_janus, ps);
}

/* Stops feeding the companion from `s`; `tell`: and says so (unstream). */
static void capture_remove_stream(rtk_capture *c, capture_stream *s, gboolean tell) {
	rtk_relay_forward_remove(s->ps, c->proc);
	if(tell)
		rtk_proc_command(c->proc, json_pack("{sssI}", "cmd", "unstream", "ssrc", (json_int_t)s->ssrc));
	g_hash_table_remove(c->streams, s->ps);
}

/* The composite shows a screenshare tile for the peer while it shares. */
static void capture_sync_screenshare(rtk_capture *c, const char *peer_id) {
	if(!g_hash_table_contains(c->peers, peer_id))
		return;
	gboolean screen = rtk_router_peer_produces(c->router, peer_id, RTK_MEDIA_SCREENSHARE);
	if(GPOINTER_TO_INT(g_hash_table_lookup(c->peers, peer_id)) == screen)
		return;
	rtk_proc_command(c->proc, json_pack("{sssssb}", "cmd", "screenshare", "id", peer_id, "on", screen));
	g_hash_table_insert(c->peers, g_strdup(peer_id), GINT_TO_POINTER(screen));
}

/* Every stream, or (all FALSE) those of peers no longer shown. */
static void capture_drop_streams(rtk_capture *c, gboolean all) {
	GPtrArray *gone = g_ptr_array_new();
	GHashTableIter it;
	gpointer v;
	g_hash_table_iter_init(&it, c->streams);
	while(g_hash_table_iter_next(&it, NULL, &v)) {
		capture_stream *s = v;
		if(all || !g_hash_table_contains(c->peers, s->peer_id))
			g_ptr_array_add(gone, s);
	}
	for(guint i = 0; i < gone->len; i++)
		capture_remove_stream(c, g_ptr_array_index(gone, i), !all);
	g_ptr_array_free(gone, TRUE);
}

/* The router's events: a shown participant's new stream is fed at once; a
 * closing one stops being fed before its publisher frees it. */
static void capture_producer_added(rtk_router *router, rtk_pub_stream *ps, void *user) {
	rtk_capture *c = user;
	(void)router;
	if(!capture_running(c) || !g_hash_table_contains(c->peers, ps->peer_id))
		return;
	capture_add_stream(c, ps);
	capture_sync_screenshare(c, ps->peer_id);
}

static void capture_producer_closed(rtk_router *router, rtk_pub_stream *ps, void *user) {
	rtk_capture *c = user;
	(void)router;
	capture_stream *s = g_hash_table_lookup(c->streams, ps);
	if(s == NULL)
		return;
	char *peer_id = g_strdup(s->peer_id);
	capture_remove_stream(c, s, capture_running(c));
	if(capture_running(c))
		capture_sync_screenshare(c, peer_id);
	g_free(peer_id);
}

static const rtk_router_listener capture_router_listener = {
	.producer_added = capture_producer_added,
	.producer_closed = capture_producer_closed,
};

/* Who the composite shows, after the room changed: participants that
 * left or may no longer produce go (with their streams), new ones come
 * with the streams they already publish. */
static void capture_sync_peers(rtk_capture *c) {
	GHashTableIter it;
	gpointer k;
	g_hash_table_iter_init(&it, c->peers);
	while(g_hash_table_iter_next(&it, &k, NULL)) {
		rtk_peer *peer = rtk_room_find_peer(c->room, k);
		if(peer != NULL && capture_shows(peer))
			continue;
		rtk_proc_command(c->proc, json_pack("{ssss}", "cmd", "remove", "id", (const char *)k));
		g_hash_table_iter_remove(&it);
	}
	capture_drop_streams(c, FALSE);
	for(guint p = 0; p < c->room->peers->len; p++) {
		rtk_peer *peer = g_ptr_array_index(c->room->peers, p);
		if(!capture_shows(peer) || g_hash_table_contains(c->peers, peer->id))
			continue;
		rtk_proc_command(c->proc, json_pack("{ssssss}", "cmd", "participant", "id", peer->id, "name", peer->name ? peer->name : ""));
		g_hash_table_insert(c->peers, g_strdup(peer->id), GINT_TO_POINTER(0));
		for(guint i = 0; i < c->router->producers->len; i++) {
			rtk_pub_stream *ps = g_ptr_array_index(c->router->producers, i);
			if(!strcmp(ps->peer_id, peer->id))
				capture_add_stream(c, ps);
		}
		capture_sync_screenshare(c, peer->id);
	}
}

static void capture_sync_viewers(rtk_capture *c) {
	rtk_hls *hls = rtk_gateway_hls(rtk_gw);
	int viewers = hls ? rtk_hls_viewer_count(hls, c->id) : 0;
	if(viewers == c->viewers)
		return;
	c->viewers = viewers;
	capture_set(c, "viewer_count", json_integer(viewers));
	capture_persist(c, FALSE);   /* GET /v2/livestreams/{id} reads the store */
	json_t *event = rtk_event_new("viewerCountUpdate");
	json_object_set_new(event, "viewerCount", json_integer(viewers));
	capture_broadcast(c->meeting_id, event);
}

void rtk_captures_sync_peers(rtk_room *room, rtk_router *router) {
	if(captures == NULL)
		return;
	GHashTableIter it;
	gpointer v;
	g_hash_table_iter_init(&it, captures);
	while(g_hash_table_iter_next(&it, NULL, &v)) {
		rtk_capture *c = v;
		if(c->router == router && c->room == room && capture_running(c))
			capture_sync_peers(c);
	}
}

/* The capture no longer follows a live session: fed by nothing, deaf to
 * the router. */
static void capture_detach(rtk_capture *c) {
	capture_drop_streams(c, TRUE);
	if(c->router != NULL)
		rtk_router_unlisten(c->router, c);
	c->router = NULL;
	c->room = NULL;
}

void rtk_captures_live_ended(rtk_router *router) {
	if(captures == NULL)
		return;
	GHashTableIter it;
	gpointer v;
	g_hash_table_iter_init(&it, captures);
	while(g_hash_table_iter_next(&it, NULL, &v)) {
		rtk_capture *c = v;
		if(c->router != router)
			continue;
		capture_detach(c);
		capture_stop(c, "ALL_PEERS_LEFT", NULL);
	}
}

/* A capture the meeting's settings started: says so in its start reason. */
static void capture_mark_automatic(const char *id, const char *reason) {
	rtk_capture *c = g_hash_table_lookup(captures, id);
	if(c == NULL)
		return;
	capture_set(c, "start_reason", capture_reason(reason, NULL));
	capture_persist(c, FALSE);
}

void rtk_captures_live_started(rtk_room *room, rtk_router *router, const json_t *meeting) {
	rtk_refusal why;
	if(json_is_true(json_object_get(meeting, "record_on_start"))) {
		rtk_recording_config config;
		rtk_recording_config_default(&config);
		json_t *doc = rtk_capture_recording_start(room, router, &config, FALSE, NULL, &why);
		if(doc == NULL)
			JANUS_LOG(LOG_ERR, "[rtk] record_on_start: %s\n", why.message);
		else
			capture_mark_automatic(json_string_value(json_object_get(doc, "id")), "RECORD_ON_START");
		json_decref(doc);
	}
	if(json_is_true(json_object_get(meeting, "live_stream_on_start"))) {
		json_t *doc = rtk_capture_livestream_start(room, router, NULL, NULL, &why);
		if(doc == NULL)
			JANUS_LOG(LOG_ERR, "[rtk] live_stream_on_start: %s\n", why.message);
		else
			capture_mark_automatic(json_string_value(json_object_get(doc, "id")), "LIVE_STREAM_ON_START");
		json_decref(doc);
	}
}

/* ---- ended livestreams ---- */

/* An ended livestream's playlist (with EXT-X-ENDLIST) stays served for a
 * while, so players reach its end; then the stream is forgotten and its
 * directory removed. */
#define CAPTURE_HLS_LINGER_US (10 * 60 * G_USEC_PER_SEC)

typedef struct capture_ended {
	char *id, *dir;
	gint64 until;
} capture_ended;

static void capture_remove_dir(const char *dir) {
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;
	while(d != NULL && (name = g_dir_read_name(d)) != NULL) {
		char *path = g_build_filename(dir, name, NULL);
		g_unlink(path);
		g_free(path);
	}
	if(d != NULL)
		g_dir_close(d);
	g_rmdir(dir);
}

static void capture_ended_free(capture_ended *e, gboolean remove) {
	rtk_hls *hls = rtk_gateway_hls(rtk_gw);
	if(hls != NULL)
		rtk_hls_stream_close(hls, e->id);
	if(remove)
		capture_remove_dir(e->dir);
	g_free(e->id);
	g_free(e->dir);
	g_free(e);
}

void rtk_captures_tick(void) {
	GHashTableIter it;
	gpointer v;
	g_hash_table_iter_init(&it, captures);
	while(g_hash_table_iter_next(&it, NULL, &v)) {
		rtk_capture *c = v;
		if(c->kind == RTK_CAPTURE_LIVESTREAM && capture_running(c))
			capture_sync_viewers(c);
	}
	gint64 now = janus_get_monotonic_time();
	while(!g_queue_is_empty(&ended_streams) && ((capture_ended *)g_queue_peek_head(&ended_streams))->until <= now)
		capture_ended_free(g_queue_pop_head(&ended_streams), TRUE);
}

/* ---- the companion's events (reader thread) ---- */

/* A companion that repeats frames because its ticks come late cannot keep
 * up with real time (too many recordings for this machine): said in the
 * log each time another second's worth (25 frames) was repeated. */
static void capture_check_load(rtk_capture *c, gint64 late_frames) {
	if(late_frames - c->late_frames_logged >= 25) {
		JANUS_LOG(LOG_WARN, "[rtk] capture %s: %" G_GINT64_FORMAT " frames repeated so far: the machine "
			"cannot keep up with this %s in real time\n", c->id, late_frames,
			c->kind == RTK_CAPTURE_RECORDING ? "recording" : "livestream");
		c->late_frames_logged = late_frames;
	}
}

static void capture_on_started(rtk_capture *c) {
	if(c->state != CAPTURE_STARTING)
		return;
	c->state = CAPTURE_ACTIVE;
	capture_set(c, "status", json_string(c->kind == RTK_CAPTURE_RECORDING ? "RECORDING" : "LIVE"));
	capture_set(c, "started_time", capture_now());
	capture_persist(c, TRUE);
	capture_announce(c);
}

static void capture_on_keyframe(rtk_capture *c, uint32_t ssrc) {
	GHashTableIter it;
	gpointer v;
	g_hash_table_iter_init(&it, c->streams);
	while(g_hash_table_iter_next(&it, NULL, &v)) {
		capture_stream *s = v;
		if(s->ssrc == ssrc)
			rtk_relay_request_keyframe(rtk_janus, s->ps);
	}
}

/* What a companion said (companion_events.h read the line). */
static void capture_on_event(rtk_proc *proc, const rtk_companion_event *event, void *user_data) {
	if(event->name == NULL)
		return;
	janus_mutex_lock(&rtk_state_mutex);
	rtk_capture *c = captures ? g_hash_table_lookup(captures, user_data) : NULL;
	if(c != NULL && c->proc == proc) {
		if(event->kind == RTK_COMPANION_EVENT_STARTED && c->kind == RTK_CAPTURE_RECORDING) {
			capture_on_started(c);
		} else if(event->kind == RTK_COMPANION_EVENT_PROGRESS) {
			c->output_s = event->output_s;
			capture_check_load(c, event->late_frames);
			if(c->kind == RTK_CAPTURE_RECORDING) {
				capture_set(c, "recording_duration", json_integer((json_int_t)c->output_s));
				capture_persist(c, FALSE);
			}
			if(c->max_seconds > 0 && c->output_s >= c->max_seconds)
				capture_stop(c, "MAX_DURATION", NULL);
		} else if(event->kind == RTK_COMPANION_EVENT_KEYFRAME) {
			capture_on_keyframe(c, event->ssrc);
		} else if(event->kind == RTK_COMPANION_EVENT_PART || event->kind == RTK_COMPANION_EVENT_SEGMENT) {
			rtk_hls *hls = rtk_gateway_hls(rtk_gw);
			if(hls != NULL)
				rtk_companion_event_to_hls(hls, c->id, event);
			/* On air once its first segment is complete: players (hls.js)
			 * treat a playlist of parts without a segment as empty. */
			if(event->kind == RTK_COMPANION_EVENT_SEGMENT)
				capture_on_started(c);
		} else if(event->kind == RTK_COMPANION_EVENT_STOPPED) {
			c->output_s = event->output_s;
		} else if(event->kind == RTK_COMPANION_EVENT_STATS) {
			char *text = json_dumps(event->json, JSON_COMPACT);
			JANUS_LOG(LOG_INFO, "[rtk] capture %s: %s\n", c->id, text);
			free(text);
		} else if(event->kind == RTK_COMPANION_EVENT_ERROR || event->kind == RTK_COMPANION_EVENT_REJECTED) {
			JANUS_LOG(LOG_ERR, "[rtk] capture %s: %s: %s\n", c->id, event->name, event->message);
		}
	}
	janus_mutex_unlock(&rtk_state_mutex);
}

/* The output's final REST status; a companion killed or failed leaves an
 * ERRORED recording whose file still holds what was written. */
static void capture_finish(rtk_capture *c, int wait_status) {
	gboolean clean = WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0;
	if(c->kind == RTK_CAPTURE_RECORDING) {
		capture_set(c, "status", json_string(clean ? "UPLOADED" : "ERRORED"));
		gint64 size = capture_file_size(c->output);
		capture_set(c, "file_size", size >= 0 ? json_integer(size) : json_null());
		capture_set(c, "recording_duration", json_integer((json_int_t)c->output_s));
	} else {
		capture_set(c, "status", json_string(clean ? "IDLE" : "ERRORED"));
		rtk_hls *hls = rtk_gateway_hls(rtk_gw);
		if(hls != NULL)
			rtk_hls_stream_end(hls, c->id);
		capture_ended *e = g_new0(capture_ended, 1);
		e->id = g_strdup(c->id);
		e->dir = g_strdup(c->output);
		e->until = janus_get_monotonic_time() + CAPTURE_HLS_LINGER_US;
		g_queue_push_tail(&ended_streams, e);
	}
	if(!clean) {
		char why[64];
		if(WIFSIGNALED(wait_status))
			g_snprintf(why, sizeof why, "killed by signal %d", WTERMSIG(wait_status));
		else
			g_snprintf(why, sizeof why, "exited with status %d", WEXITSTATUS(wait_status));
		capture_set(c, "error", json_string(why));
		if(json_is_null(json_object_get(c->doc, "stop_reason")))
			capture_set(c, "stop_reason", json_pack("{sss{ss}}", "reason", "INTERNAL_ERROR", "caller", "type", "SYSTEM"));
	}
	capture_set(c, "stopped_time", capture_now());
	int level = clean ? LOG_INFO : LOG_ERR;
	JANUS_LOG(level, "[rtk] capture %s ended: %s\n", c->id, json_string_value(json_object_get(c->doc, "status")));
}

static void capture_on_exit(rtk_proc *proc, int wait_status, void *user_data) {
	janus_mutex_lock(&rtk_state_mutex);
	rtk_capture *c = captures ? g_hash_table_lookup(captures, user_data) : NULL;
	if(c != NULL && c->proc == proc) {
		capture_detach(c);
		capture_finish(c, wait_status);
		c->state = CAPTURE_DONE;
		capture_persist(c, TRUE);
		capture_announce(c);
		g_hash_table_remove(captures, c->id);
	}
	janus_mutex_unlock(&rtk_state_mutex);
	g_free(user_data);
}

static const rtk_proc_callbacks capture_callbacks = {
	.event = capture_on_event,
	.exited = capture_on_exit,
};

/* ---- module ---- */

void rtk_captures_init(const char *companions, const char *data,
		void (*broadcast_to_meeting)(const char *meeting_id, json_t *event)) {
	broadcast = broadcast_to_meeting;
	companion_dir = g_strdup(companions);
	data_dir = g_strdup(data);
	captures = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, capture_free);
	writes = g_async_queue_new();
	writer = g_thread_new("rtk-capture-store", capture_writer, NULL);
}

/* Asks every companion to finish, waits up to `grace_us`, then kills. */
void rtk_captures_destroy(void) {
	if(captures == NULL)
		return;
	janus_mutex_lock(&rtk_state_mutex);
	GHashTableIter it;
	gpointer v;
	g_hash_table_iter_init(&it, captures);
	while(g_hash_table_iter_next(&it, NULL, &v)) {
		rtk_capture *c = v;
		capture_detach(c);
		capture_stop(c, "SERVER_SHUTDOWN", NULL);
		rtk_proc_close_input(c->proc);
	}
	janus_mutex_unlock(&rtk_state_mutex);
	gint64 deadline = janus_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	for(;;) {
		janus_mutex_lock(&rtk_state_mutex);
		guint left = g_hash_table_size(captures);
		if(left > 0 && janus_get_monotonic_time() >= deadline) {
			g_hash_table_iter_init(&it, captures);
			while(g_hash_table_iter_next(&it, NULL, &v))
				rtk_proc_kill(((rtk_capture *)v)->proc);
			deadline = G_MAXINT64;
		}
		janus_mutex_unlock(&rtk_state_mutex);
		if(left == 0)
			break;
		g_usleep(50000);
	}
	capture_write *quit = g_new0(capture_write, 1);
	quit->quit = TRUE;
	g_async_queue_push(writes, quit);
	g_thread_join(writer);
	g_async_queue_unref(writes);
	capture_ended *e;
	while((e = g_queue_pop_head(&ended_streams)) != NULL)
		capture_ended_free(e, TRUE);
	janus_mutex_lock(&rtk_state_mutex);
	g_hash_table_destroy(captures);
	captures = NULL;
	janus_mutex_unlock(&rtk_state_mutex);
	g_free(companion_dir);
	g_free(data_dir);
}
