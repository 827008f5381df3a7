/*
 * capture.c - recordings and livestreams on companion processes
 * (capture.h). Janus glue: it learns of the meeting's published streams
 * from the meeting's router (router.h), whose listener it is, feeds its
 * companions from them (relay.h), asks their publishers for keyframes and
 * tells the companions the meeting's active speaker (their layouts').
 * A per-track recording is the same with `rtk-recorder --tracks`: only the
 * streams its config takes, each named a file (capture_tracks.h).
 *
 * Locking: `captures_mutex` guards the table of captures and every
 * capture; it comes after the lock of the capture's meeting family
 * (meeting_lock.h), which every change that reaches the meeting holds
 * (SDK events go to its participants). Public functions take
 * captures_mutex themselves; static ones run with it held. A companion
 * is spawned with neither held by this file: the start functions check,
 * release the lock, spawn, then take it again to add the capture (the
 * meeting's lock, held by their caller, keeps a second start of the same
 * meeting out meanwhile).
 *
 * Encode once (docs/companions.md "Encode once"): a recording and a
 * livestream of the same meeting with compatible settings
 * (rtk_recording_config_shareable, a livestream of one rendition of the
 * recording's size) run as two outputs of one shared companion
 * (`--shared`), a capture_host: the first capture spawns it, the second
 * attaches (add_output) and is told apart in commands and events by its
 * id as "output". One capture of a host feeds it (peers, streams, router
 * listener: `feeds`); when that one stops, another running capture of the
 * host takes the feed over as it is. The host's process ends with its last
 * output; each capture ends with its own output's "stopped" (or "error").
 */
#include "capture.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <glib/gstdio.h>
#include <debug.h>
#include <utils.h>

#include "capture_tracks.h"
#include "capture_config.h"
#include "capture_upload.h"
#include "hls.h"
#include "meeting_lock.h"
#include "node.h"
#include "process.h"
#include "util.h"
#include "webhooks.h"

/* One published stream a capture is fed with. */
typedef struct capture_stream {
	rtk_pub_stream *ps;      /* borrowed: the router's producer_closed removes this entry first */
	uint32_t ssrc;           /* what the companion knows it by */
} capture_stream;

/* A shared companion (encode once): one per meeting and picture size. */
typedef struct capture_host {
	rtk_proc *proc;          /* our reference */
	char *meeting_id, *root; /* its meeting, and the root of that meeting's family (never change) */
	int width, height;
	char layout[32];         /* the layout its composite shows: an output sharing it asks for the same */
	char error[256];         /* the process's last "error" without "output" */
} capture_host;

/* A capture: its model (state, REST object) and the companion it runs on. */
typedef struct rtk_capture {
	rtk_capture_model *m;    /* owned */
	char *root;              /* the root of its meeting's family: whose lock its changes take */
	rtk_room *room;          /* borrowed: the live session's; NULL once it ended */
	rtk_router *router;      /* borrowed: the live session's (we listen to it); NULL once it ended */
	rtk_proc *proc;          /* our reference */
	char *output;            /* the file (recording) or directory (livestream) */
	GHashTable *streams;     /* rtk_pub_stream* -> capture_stream* (owned) */
	GHashTable *peers;       /* peer id -> screenshare flag (GINT) */
	uint32_t next_ssrc;
	gint64 late_frames_logged;   /* the companion's late_frames when the last warning was logged */
	gboolean spawning;       /* in the table while its companion is spawned: not listed yet */
	char error[256];         /* the companion's last "error" event: the ERRORED document's reason */
	/* livestream: its renditions, [0] the main one (stream id = livestream id,
	 * directory = output); the ladder is announced with the first segment */
	int n_renditions;
	struct capture_rendition {
		int width, height;
		char *stream_id, *dir;   /* owned */
	} renditions[RTK_CAPTURE_LADDER_MAX];
	gboolean ladder_set;
	gboolean vod;            /* livestream: keep every segment, a VOD playlist at the end */
	char *speaker;           /* the active speaker the companion was told (owned); NULL: none yet */
	/* a per-track recording (capture_tracks.h): what it takes and its
	 * tracks so far (both owned); NULL for a composite one */
	rtk_track_config *track_config;
	rtk_track_list *tracks;
	capture_host *host;      /* NULL, or the shared companion it is an output of (borrowed: hosts) */
	gboolean feeds;          /* it feeds its companion (peers, streams, the router's listener) */
} rtk_capture;

static GMutex captures_mutex;    /* see the top of this file */
static GHashTable *captures;     /* id -> rtk_capture* (owned) */
static GQueue ended_streams;     /* capture_ended*: HLS streams still served after their end */
static char *companion_dir, *data_dir;
static GAsyncQueue *writes;      /* capture_write* for the writer thread */
static GThread *writer;
static void (*broadcast)(const char *meeting_id, json_t *event);   /* rtk_captures_init */
static const rtk_proc_callbacks capture_callbacks, capture_host_callbacks;
static const rtk_router_listener capture_router_listener;
static GPtrArray *hosts;         /* capture_host* whose process runs (freed at its exit) */
static gboolean encode_once;     /* RTK_ENCODE_ONCE: not "0" */

/* ---- persistence and webhooks: the writer thread, off the meeting locks ----
 *
 * The writer is the one writer of recording and livestream rows while the
 * server runs: it creates each at its first write and updates it after,
 * in the order of the changes. A REST call that started a capture waits
 * for that first write (rtk_captures_wait_stored), so the object is
 * readable once the call is answered. */

typedef struct capture_write {
	rtk_capture_write w;
	guint64 seq;             /* order of queueing */
	gboolean quit;
} capture_write;

static GMutex stored_mutex;
static GCond stored_cond;
static guint64 queued_seq, stored_seq;   /* queued under captures_mutex; stored under stored_mutex */

/* The row of a capture: its document, and on a node of several, for a
 * recording, the node whose disk holds the file ("node_id": REST names
 * that node's URL in download_url, rest_recordings.c). NEW reference. */
static json_t *capture_store_doc(const rtk_capture_write *w) {
	const char *node_id = rtk_node_id();
	if(node_id == NULL || w->kind != RTK_CAPTURE_RECORDING)
		return json_incref(w->doc);
	json_t *doc = json_copy(w->doc);
	json_object_set_new(doc, "node_id", json_string(node_id));
	return doc;
}

static void capture_store_write(const rtk_capture_write *w) {
	rtk_store *store = rtk_gateway_store(rtk_gw);
	const char *id = json_string_value(json_object_get(w->doc, "id"));
	json_t *out = NULL, *doc = capture_store_doc(w);
	rtk_store_status st;
	if(w->kind == RTK_CAPTURE_RECORDING)
		st = w->create ? rtk_store_recording_create(store, doc, &out) : rtk_store_recording_update(store, id, doc, &out);
	else
		st = w->create ? rtk_store_livestream_create(store, doc, &out) : rtk_store_livestream_update(store, id, doc, &out);
	json_decref(out);
	json_decref(doc);
	if(st != RTK_STORE_OK)
		JANUS_LOG(LOG_ERR, "[rtk] capture %s: could not be stored (status %d)\n", id, (int)st);
}

static void capture_send_webhook(const rtk_capture_write *w) {
	rtk_webhooks *wh = rtk_gateway_webhooks(rtk_gw);
	if(wh != NULL)
		rtk_webhooks_emit(wh, rtk_capture_webhook_event(w->kind), rtk_capture_webhook_data(w));
}

static gpointer capture_writer(gpointer data) {
	(void)data;
	for(;;) {
		capture_write *w = g_async_queue_pop(writes);
		if(w->quit) {
			g_free(w);
			return NULL;
		}
		capture_store_write(&w->w);
		if(w->w.notify)
			capture_send_webhook(&w->w);
		g_mutex_lock(&stored_mutex);
		stored_seq = w->seq;
		g_cond_broadcast(&stored_cond);
		g_mutex_unlock(&stored_mutex);
		json_decref(w->w.doc);
		g_free(w);
	}
}

/* Queues the capture's REST object for the store (and its statusUpdate
 * webhook when its status changed since the last one). */
static void capture_persist(rtk_capture *c) {
	capture_write *w = g_new0(capture_write, 1);
	rtk_capture_model_take_write(c->m, &w->w);
	w->seq = ++queued_seq;
	g_async_queue_push(writes, w);
}

void rtk_captures_queue_write(rtk_capture_write *write) {
	capture_write *w = g_new0(capture_write, 1);
	w->w = *write;
	write->doc = NULL;
	g_mutex_lock(&captures_mutex);
	w->seq = ++queued_seq;
	g_async_queue_push(writes, w);
	g_mutex_unlock(&captures_mutex);
}

guint64 rtk_captures_queued(void) {
	g_mutex_lock(&captures_mutex);
	guint64 queued = queued_seq;
	g_mutex_unlock(&captures_mutex);
	return queued;
}

void rtk_captures_wait_stored(guint64 upto) {
	g_mutex_lock(&stored_mutex);
	while(stored_seq < upto)
		g_cond_wait(&stored_cond, &stored_mutex);
	g_mutex_unlock(&stored_mutex);
}

static char *capture_now(void) {
	char *now = rtk_util_now_iso8601();
	char *copy = g_strdup(now);
	free(now);
	return copy;
}

/* Bytes in the output file, or -1 when there is none. */
static gint64 capture_file_size(const char *path) {
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) ? (gint64)st.st_size : -1;
}

/* ---- SDK events ---- */

/* To every participant of the meeting's live session, if one runs (a
 * capture outlives its session, and the meeting may be in a new one). */
static void capture_broadcast(const char *meeting_id, json_t *event) {
	if(event != NULL && broadcast != NULL)
		broadcast(meeting_id, event);
	json_decref(event);
}

/* The captures of a kind of the meeting (any meeting: NULL) not done, as
 * a NEW array of borrowed rtk_capture*. */
static GPtrArray *capture_list(const char *meeting_id, rtk_capture_kind kind) {
	GPtrArray *list = g_ptr_array_new();
	GHashTableIter it;
	gpointer v;
	g_hash_table_iter_init(&it, captures);
	while(g_hash_table_iter_next(&it, NULL, &v)) {
		rtk_capture *c = v;
		if(c->m->kind == kind && (meeting_id == NULL || !strcmp(c->m->meeting_id, meeting_id)) &&
				!c->spawning && c->m->state != RTK_CAPTURE_DONE)
			g_ptr_array_add(list, c);
	}
	return list;
}

/* The same as models (borrowed). */
static GPtrArray *capture_models(const char *meeting_id, rtk_capture_kind kind) {
	GPtrArray *list = capture_list(meeting_id, kind);
	for(guint i = 0; i < list->len; i++)
		g_ptr_array_index(list, i) = ((rtk_capture *)g_ptr_array_index(list, i))->m;
	return list;
}

static json_t *capture_recording_event(const char *meeting_id) {
	GPtrArray *models = capture_models(meeting_id, RTK_CAPTURE_RECORDING);
	json_t *event = rtk_capture_models_recording_event(models);
	g_ptr_array_free(models, TRUE);
	return event;
}

json_t *rtk_captures_recording_event(const char *meeting_id) {
	g_mutex_lock(&captures_mutex);
	json_t *event = capture_recording_event(meeting_id);
	g_mutex_unlock(&captures_mutex);
	return event;
}

/* The meeting's livestream not done (one at a time), or NULL. */
static rtk_capture *capture_livestream_of(const char *meeting_id) {
	GPtrArray *list = capture_list(meeting_id, RTK_CAPTURE_LIVESTREAM);
	rtk_capture *c = list->len > 0 ? g_ptr_array_index(list, list->len - 1) : NULL;
	g_ptr_array_free(list, TRUE);
	return c;
}

static json_t *capture_livestream_event(const char *meeting_id) {
	rtk_capture *c = capture_livestream_of(meeting_id);
	return rtk_capture_model_livestream_event(c ? c->m : NULL);
}

json_t *rtk_captures_livestream_event(const char *meeting_id) {
	g_mutex_lock(&captures_mutex);
	json_t *event = capture_livestream_event(meeting_id);
	g_mutex_unlock(&captures_mutex);
	return event;
}

static void capture_feed_hand_over(rtk_capture *c);

/* A command about the capture's own output: on a shared companion it
 * names the output (stop is remove_output there). */
static void capture_output_command(rtk_capture *c, const char *cmd) {
	if(c->host == NULL)
		rtk_proc_command(c->proc, json_pack("{ss}", "cmd", cmd));
	else
		rtk_proc_command(c->proc, json_pack("{ssss}", "cmd", strcmp(cmd, "stop") ? cmd : "remove_output",
			"output", c->m->id));
}

/* Carries out what a transition of the capture's model asked for. */
static void capture_effects(rtk_capture *c, rtk_capture_effects effects) {
	if(effects & RTK_CAPTURE_SEND_STOP) {
		capture_feed_hand_over(c);   /* the other outputs of its companion go on */
		capture_output_command(c, "stop");
	}
	if(effects & RTK_CAPTURE_SEND_PAUSE)
		capture_output_command(c, "pause");
	if(effects & RTK_CAPTURE_SEND_RESUME)
		capture_output_command(c, "resume");
	if(effects & RTK_CAPTURE_STORE)
		capture_persist(c);
	if(effects & RTK_CAPTURE_ANNOUNCE)
		capture_broadcast(c->m->meeting_id, c->m->kind == RTK_CAPTURE_RECORDING ?
			capture_recording_event(c->m->meeting_id) : capture_livestream_event(c->m->meeting_id));
	if(effects & RTK_CAPTURE_VIEWERS)
		capture_broadcast(c->m->meeting_id, rtk_capture_model_viewers_event(c->m));
}

/* ---- lifecycle ---- */

static void capture_free(gpointer p) {
	rtk_capture *c = p;
	for(int i = 0; i < c->n_renditions; i++) {
		g_free(c->renditions[i].stream_id);
		g_free(c->renditions[i].dir);
	}
	g_free(c->speaker);
	rtk_proc_unref(c->proc);
	if(c->track_config != NULL)
		rtk_track_config_clear(c->track_config);
	g_free(c->track_config);
	rtk_track_list_free(c->tracks);
	g_hash_table_destroy(c->streams);
	g_hash_table_destroy(c->peers);
	rtk_capture_model_free(c->m);
	g_free(c->root);
	g_free(c->output);
	g_free(c);
}

static rtk_capture *capture_new(rtk_room *room, rtk_router *router, rtk_capture_kind kind) {
	static gint seq;   /* starts in different meetings may run at once */
	rtk_capture *c = g_new0(rtk_capture, 1);
	char *id = rtk_util_uuid4(), *now = capture_now();
	c->m = rtk_capture_model_new(kind, id, room->meeting_id, room->session_id, g_atomic_int_add(&seq, 1) + 1, now);
	free(id);
	g_free(now);
	c->root = g_strdup(rtk_room_connected_root(room));
	c->room = room;
	c->router = router;
	c->streams = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	c->peers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	c->next_ssrc = 1000;
	c->feeds = TRUE;
	return c;
}

static void capture_host_free(capture_host *h) {
	rtk_proc_unref(h->proc);
	g_free(h->meeting_id);
	g_free(h->root);
	g_free(h);
}

/* Spawns the companion of `c` with none of this file's locks held. `c`
 * is in the table (flagged spawning) from before the spawn, so that its
 * reader finds it, and waits on the meeting's lock (held by the caller)
 * until the start is complete. `host` (taken): the companion is a shared
 * one (--shared) and `c` its first output. FALSE (with why): `c` (and
 * `host`) are gone. */
static gboolean capture_spawn(rtk_capture *c, char **argv, rtk_refusal *why, const char *code, capture_host *host) {
	char *error = NULL;
	g_mutex_lock(&captures_mutex);
	c->spawning = TRUE;
	g_hash_table_insert(captures, c->m->id, c);
	g_mutex_unlock(&captures_mutex);
	gint64 began = janus_get_monotonic_time();
	rtk_proc *proc = host != NULL ? rtk_proc_spawn(argv, &capture_host_callbacks, host, &error) :
		rtk_proc_spawn(argv, &capture_callbacks, g_strdup(c->m->id), &error);
	gint64 took = janus_get_monotonic_time() - began;
	g_mutex_lock(&captures_mutex);
	if(proc == NULL) {
		rtk_refusal_set(why, code, "%s", error);
		JANUS_LOG(LOG_ERR, "[rtk] %s\n", error);
		g_free(error);
		g_hash_table_remove(captures, c->m->id);   /* frees it */
		g_mutex_unlock(&captures_mutex);
		if(host != NULL)
			capture_host_free(host);
		return FALSE;
	}
	c->proc = proc;
	if(host != NULL) {
		host->proc = rtk_proc_ref(proc);
		c->host = host;
		g_ptr_array_add(hosts, host);
	}
	g_mutex_unlock(&captures_mutex);
	JANUS_LOG(LOG_INFO, "[rtk] meeting %s: %s %s started (pid %d, %s; spawned in %" G_GINT64_FORMAT " us)\n",
		c->m->meeting_id, c->m->kind == RTK_CAPTURE_RECORDING ? "recording" : "livestream", c->m->id,
		(int)rtk_proc_pid(proc), c->output, took);
	return TRUE;
}

static void capture_sync_peers(rtk_capture *c);

/* ---- encode once: shared companions ---- */

/* How many captures of the host still run (not stopping); `feeder` (may
 * be NULL): the one that feeds it, or NULL. */
static int capture_host_running(const capture_host *h, rtk_capture **feeder) {
	int running = 0;
	GHashTableIter it;
	gpointer v;
	if(feeder != NULL)
		*feeder = NULL;
	g_hash_table_iter_init(&it, captures);
	while(g_hash_table_iter_next(&it, NULL, &v)) {
		rtk_capture *c = v;
		if(c->host != h)
			continue;
		running += rtk_capture_model_running(c->m) && !c->spawning;
		if(c->feeds && feeder != NULL)
			*feeder = c;
	}
	return running;
}

/* The meeting's shared companion an output of width x height may join:
 * one whose feeding output still runs, fed from `router`; or NULL. */
static capture_host *capture_host_for(const char *meeting_id, rtk_router *router, int width, int height,
		const char *layout) {
	for(guint i = 0; hosts != NULL && i < hosts->len; i++) {
		capture_host *h = g_ptr_array_index(hosts, i);
		rtk_capture *feeder = NULL;
		if(strcmp(h->meeting_id, meeting_id) || h->width != width || h->height != height || strcmp(h->layout, layout))
			continue;
		if(capture_host_running(h, &feeder) > 0 && feeder != NULL && feeder->router == router &&
				rtk_capture_model_running(feeder->m))
			return h;
	}
	return NULL;
}

/* A new host for `c`, the first output of a shared companion (taken by
 * capture_spawn). */
static capture_host *capture_host_new(rtk_capture *c, int width, int height, const char *layout) {
	capture_host *h = g_new0(capture_host, 1);
	h->meeting_id = g_strdup(c->m->meeting_id);
	h->root = g_strdup(c->root);
	h->width = width;
	h->height = height;
	g_strlcpy(h->layout, layout, sizeof h->layout);
	return h;
}

/* `c` becomes one more output of `h`'s companion (add_output), fed by the
 * host's feeder: listed at once, as a spawned capture would be. */
static void capture_attach(rtk_capture *c, capture_host *h, const char *format) {
	c->host = h;
	c->proc = rtk_proc_ref(h->proc);
	c->feeds = FALSE;
	c->spawning = TRUE;   /* listed by capture_begin */
	g_hash_table_insert(captures, c->m->id, c);
	rtk_proc_command(c->proc, json_pack("{ssssssss}", "cmd", "add_output", "output", c->m->id, "format", format,
		"path", c->output));
	JANUS_LOG(LOG_INFO, "[rtk] meeting %s: %s %s shares the companion (pid %d) of the meeting's %s (encode once)\n",
		c->m->meeting_id, c->m->kind == RTK_CAPTURE_RECORDING ? "recording" : "livestream", c->m->id,
		(int)rtk_proc_pid(c->proc), c->m->kind == RTK_CAPTURE_RECORDING ? "livestream" : "recording");
}

/* `c` stops (or ends) while other outputs of its shared companion go on:
 * if it feeds the companion, one of them that still runs takes the feed
 * over as it is (the companion's participants and streams stay). */
static void capture_feed_hand_over(rtk_capture *c) {
	if(c->host == NULL || !c->feeds || c->router == NULL)
		return;
	GHashTableIter it;
	gpointer v;
	rtk_capture *to = NULL;
	g_hash_table_iter_init(&it, captures);
	while(to == NULL && g_hash_table_iter_next(&it, NULL, &v)) {
		rtk_capture *o = v;
		if(o != c && o->host == c->host && !o->spawning && rtk_capture_model_running(o->m) && o->router == c->router)
			to = o;
	}
	if(to == NULL)
		return;
	GHashTable *streams = to->streams, *peers = to->peers;   /* empty: it did not feed */
	to->streams = c->streams;
	to->peers = c->peers;
	to->next_ssrc = c->next_ssrc;
	c->streams = streams;
	c->peers = peers;
	rtk_router_unlisten(c->router, c);
	c->feeds = FALSE;
	to->feeds = TRUE;
	rtk_router_listen(to->router, &capture_router_listener, to);
}

/* A spawned (or attached) capture is listed; one that feeds its companion
 * joins its meeting's router: it is fed from now on. Returns its REST
 * object (NEW). */
static json_t *capture_begin(rtk_capture *c) {
	c->spawning = FALSE;
	if(c->feeds) {
		rtk_router_listen(c->router, &capture_router_listener, c);
		capture_sync_peers(c);
	}
	capture_effects(c, RTK_CAPTURE_STORE | RTK_CAPTURE_ANNOUNCE);
	return json_deep_copy(c->m->doc);
}

json_t *rtk_capture_recording_start(rtk_room *room, rtk_router *router, const rtk_recording_config *config,
		gboolean allow_multiple, const rtk_capture_caller *caller, rtk_refusal *why) {
	g_mutex_lock(&captures_mutex);
	GPtrArray *recordings = capture_models(room->meeting_id, RTK_CAPTURE_RECORDING);
	gboolean may = rtk_capture_models_may_record(recordings, allow_multiple, why);
	g_ptr_array_free(recordings, TRUE);
	g_mutex_unlock(&captures_mutex);
	if(!may)
		return NULL;
	rtk_capture *c = capture_new(room, router, RTK_CAPTURE_RECORDING);
	gboolean shared = rtk_recording_config_shareable(config, encode_once);
	const char *layout = config->layout[0] ? config->layout : "GRID";
	int share_w = config->width < 2 ? 2 : config->width & ~1, share_h = config->height < 2 ? 2 : config->height & ~1;
	const char *ext = rtk_recording_config_format(config);   /* mp4, webm, m4a or mp3 */
	char *name = g_strdup_printf("%s%s%s.%s", config->file_name_prefix, config->file_name_prefix[0] ? "_" : "",
		c->m->id, ext);
	char *dir = g_build_filename(data_dir, "recordings", NULL);
	rtk_util_mkdir_p(dir, 0700);
	c->output = g_build_filename(dir, name, NULL);
	g_free(dir);
	char width[16], height[16];
	g_snprintf(width, sizeof width, "%d", config->width);
	g_snprintf(height, sizeof height, "%d", config->height);
	char *path = g_build_filename(companion_dir, "rtk-recorder", NULL);
	char wm_size[32];
	g_snprintf(wm_size, sizeof wm_size, "%dx%d", config->watermark_width, config->watermark_height);
	char *argv[28] = { path, "--output", c->output, "--format", (char *)ext,
		"--width", width, "--height", height, "--channels", config->channels == 1 ? "1" : "2",
		"--layout", (char *)layout, NULL };
	int argc = 13;
	capture_host *host = NULL;
	if(shared) {
		g_mutex_lock(&captures_mutex);
		capture_host *running = capture_host_for(room->meeting_id, router, share_w, share_h, layout);
		if(running != NULL) {   /* the meeting's livestream runs on a companion this recording can share */
			g_free(path);
			capture_attach(c, running, "mp4");
			rtk_capture_model_recording_invoked(c->m, config, allow_multiple, name, caller);
			g_free(name);
			json_t *doc = capture_begin(c);
			g_mutex_unlock(&captures_mutex);
			return doc;
		}
		g_mutex_unlock(&captures_mutex);
		host = capture_host_new(c, share_w, share_h, layout);
		argv[argc++] = "--shared";
		argv[argc++] = "--output-name";
		argv[argc++] = c->m->id;
	}
	if(config->rtmp_url[0]) {
		argv[argc++] = "--rtmp";
		argv[argc++] = (char *)config->rtmp_url;
	}
	if(config->watermark_url[0] && !config->audio_only) {
		argv[argc++] = "--watermark";
		argv[argc++] = (char *)config->watermark_url;
		argv[argc++] = "--watermark-position";
		argv[argc++] = (char *)config->watermark_position;
		if(config->watermark_width > 0) {
			argv[argc++] = "--watermark-size";
			argv[argc++] = wm_size;
		}
	}
	gboolean ok = capture_spawn(c, argv, why, RTK_ERR_RECORDING_FAILED, host);
	g_free(path);
	if(!ok) {
		g_free(name);
		return NULL;
	}
	g_mutex_lock(&captures_mutex);
	rtk_capture_model_recording_invoked(c->m, config, allow_multiple, name, caller);
	g_free(name);
	json_t *doc = capture_begin(c);
	g_mutex_unlock(&captures_mutex);
	return doc;
}

json_t *rtk_capture_track_recording_start(rtk_room *room, rtk_router *router, rtk_track_config *config,
		const rtk_capture_caller *caller, rtk_refusal *why) {
	g_mutex_lock(&captures_mutex);
	GPtrArray *recordings = capture_models(room->meeting_id, RTK_CAPTURE_RECORDING);
	const rtk_capture_model *running = NULL;
	for(guint i = 0; i < recordings->len; i++) {
		const rtk_capture_model *m = g_ptr_array_index(recordings, i);
		if(m->tracks && rtk_capture_model_running(m))
			running = m;
	}
	if(running != NULL)
		rtk_refusal_set(why, RTK_ERR_RECORDING_ACTIVE, "a track recording of this meeting is already running "
			"(recording %s)", running->id);
	g_ptr_array_free(recordings, TRUE);
	g_mutex_unlock(&captures_mutex);
	if(running != NULL)
		return NULL;
	rtk_capture *c = capture_new(room, router, RTK_CAPTURE_RECORDING);
	c->m->tracks = TRUE;
	c->track_config = g_new(rtk_track_config, 1);
	*c->track_config = *config;   /* takes its user_ids */
	config->user_ids = NULL;
	c->tracks = rtk_track_list_new();
	c->output = g_build_filename(data_dir, "recordings", c->m->id, NULL);
	rtk_util_mkdir_p(c->output, 0700);
	char *path = g_build_filename(companion_dir, "rtk-recorder", NULL);
	char *dir = g_strdup(c->output), *name = g_strdup(c->m->id);
	char *argv[] = { path, "--tracks", dir, NULL };
	gboolean ok = capture_spawn(c, argv, why, RTK_ERR_RECORDING_FAILED, NULL);
	g_free(path);
	json_t *doc = NULL;
	if(ok) {
		g_mutex_lock(&captures_mutex);
		rtk_capture_tracks_invoked(c->m, c->track_config, name, caller);
		doc = capture_begin(c);
		g_mutex_unlock(&captures_mutex);
	} else {
		g_rmdir(dir);
	}
	g_free(dir);
	g_free(name);
	return doc;
}

/* The livestream's renditions from the requested heights (any order,
 * duplicates ignored; none: one 1280x720 rendition as before ladders):
 * highest first, 16:9 with even sizes, each with its stream id and
 * directory (made here). */
static void capture_livestream_renditions(rtk_capture *c, const int *heights, int n) {
	int sorted[RTK_CAPTURE_LADDER_MAX], count = 0;
	for(int i = 0; i < n && count < RTK_CAPTURE_LADDER_MAX; i++) {
		int h = heights[i] & ~1, at = 0;
		if(h < 2 || h > 1080)
			continue;
		while(at < count && sorted[at] > h)
			at++;
		if(at < count && sorted[at] == h)
			continue;
		memmove(sorted + at + 1, sorted + at, (size_t)(count - at) * sizeof *sorted);
		sorted[at] = h;
		count++;
	}
	if(count == 0)
		sorted[count++] = 720;
	for(int i = 0; i < count; i++) {
		struct capture_rendition *r = &c->renditions[i];
		r->height = sorted[i];
		r->width = (sorted[i] * 16 / 9 + 1) & ~1;   /* 16:9 to an even size: 426x240, 854x480 */
		r->stream_id = i == 0 ? g_strdup(c->m->id) : g_strdup_printf("%s-%dp", c->m->id, r->height);
		r->dir = g_build_filename(data_dir, "livestreams", r->stream_id, NULL);
		rtk_util_mkdir_p(r->dir, 0700);
	}
	c->n_renditions = count;
}

/* rtk-hls's command line for `c`'s renditions (g_free the array, and
 * each of its strings from index 1 on: index 0 is `path`). */
static char **capture_hls_argv(rtk_capture *c, char *path, const char *layout) {
	GPtrArray *argv = g_ptr_array_new();
	g_ptr_array_add(argv, path);
	g_ptr_array_add(argv, g_strdup("--output"));
	g_ptr_array_add(argv, g_strdup(c->output));
	g_ptr_array_add(argv, g_strdup("--width"));
	g_ptr_array_add(argv, g_strdup_printf("%d", c->renditions[0].width));
	g_ptr_array_add(argv, g_strdup("--height"));
	g_ptr_array_add(argv, g_strdup_printf("%d", c->renditions[0].height));
	g_ptr_array_add(argv, g_strdup("--layout"));
	g_ptr_array_add(argv, g_strdup(layout));
	for(int i = 1; i < c->n_renditions; i++) {
		const struct capture_rendition *r = &c->renditions[i];
		g_ptr_array_add(argv, g_strdup("--rendition"));
		g_ptr_array_add(argv, g_strdup_printf("%dx%d:%s", r->width, r->height, r->dir));
	}
	if(c->n_renditions == 1 && encode_once) {   /* a shared companion a recording may join */
		g_ptr_array_add(argv, g_strdup("--shared"));
		g_ptr_array_add(argv, g_strdup("--output-name"));
		g_ptr_array_add(argv, g_strdup(c->m->id));
	}
	g_ptr_array_add(argv, NULL);
	return (char **)g_ptr_array_free(argv, FALSE);
}

json_t *rtk_capture_livestream_start(rtk_room *room, rtk_router *router, const char *name,
		const int *qualities, int n_qualities, gboolean vod, const char *layout, const rtk_capture_caller *caller,
		rtk_refusal *why) {
	if(layout == NULL)
		layout = "GRID";
	g_mutex_lock(&captures_mutex);
	rtk_capture *running = capture_livestream_of(room->meeting_id);
	if(running != NULL && rtk_capture_model_running(running->m)) {
		rtk_refusal_set(why, RTK_ERR_LIVESTREAM_ACTIVE, "the meeting is already livestreaming (livestream %s)",
			running->m->id);
		g_mutex_unlock(&captures_mutex);
		return NULL;
	}
	g_mutex_unlock(&captures_mutex);
	rtk_capture *c = capture_new(room, router, RTK_CAPTURE_LIVESTREAM);
	capture_livestream_renditions(c, qualities, n_qualities);
	c->output = g_strdup(c->renditions[0].dir);
	/* encode once: one rendition may share the meeting's recording's companion */
	gboolean shared = c->n_renditions == 1 && encode_once;
	g_mutex_lock(&captures_mutex);
	capture_host *host = shared ? capture_host_for(room->meeting_id, router, c->renditions[0].width,
		c->renditions[0].height, layout) : NULL;
	if(host != NULL)
		capture_attach(c, host, "cmaf");
	g_mutex_unlock(&captures_mutex);
	if(host == NULL) {
		char *path = g_build_filename(companion_dir, "rtk-hls", NULL);
		char **argv = capture_hls_argv(c, path, layout);
		gboolean ok = capture_spawn(c, argv, why, RTK_ERR_LIVESTREAM_FAILED, shared ?
			capture_host_new(c, c->renditions[0].width, c->renditions[0].height,
			layout) : NULL);
		g_free(path);
		for(int i = 1; argv[i] != NULL; i++)
			g_free(argv[i]);
		g_free(argv);
		if(!ok)
			return NULL;
	}
	rtk_hls *hls = rtk_gateway_hls(rtk_gw);
	c->vod = vod;
	for(int i = 0; hls != NULL && i < c->n_renditions; i++) {
		rtk_hls_stream_open(hls, c->renditions[i].stream_id, c->renditions[i].dir, 0.2, 2.0);
		if(vod)
			rtk_hls_stream_set_vod(hls, c->renditions[i].stream_id);
	}
	/* asked for a ladder: players get the multivariant playlist */
	char *url = g_strdup_printf("%s/hls/%s/%s", rtk_gateway_url(rtk_gw), c->m->id,
		n_qualities > 0 ? "master.m3u8" : "index.m3u8");
	g_mutex_lock(&captures_mutex);
	rtk_capture_model_livestream_invoked(c->m, name, url, caller);
	json_object_set_new(c->m->doc, "video_config", json_pack("{ss}", "layout", layout));
	g_free(url);
	json_t *doc = capture_begin(c);
	g_mutex_unlock(&captures_mutex);
	return doc;
}

/* Asks the companion to finish its output; its exit ends the capture. */
static void capture_stop(rtk_capture *c, const char *reason, const rtk_capture_caller *caller) {
	capture_effects(c, rtk_capture_model_stop(c->m, reason, caller));
}

static int capture_recording_action(const char *meeting_id, const char *id, rtk_capture_action action,
		const rtk_capture_caller *caller, rtk_refusal *why) {
	static const char *const names[] = { "stop", "pause", "resume" };
	if(id != NULL) {
		rtk_capture *c = g_hash_table_lookup(captures, id);
		if(c == NULL || c->m->kind != RTK_CAPTURE_RECORDING || (meeting_id && strcmp(c->m->meeting_id, meeting_id))) {
			rtk_refusal_set(why, RTK_ERR_RECORDING_NONE, "no running recording %s in this meeting", id);
			return -1;
		}
		rtk_capture_effects effects = rtk_capture_model_apply(c->m, action, caller);
		if(effects == 0) {
			rtk_refusal_set(why, RTK_ERR_RECORDING_NONE, "recording %s is %s: cannot %s it", id,
				rtk_capture_model_sdk_state(c->m), names[action]);
			return -1;
		}
		capture_effects(c, effects);
		return 1;
	}
	GPtrArray *list = capture_list(meeting_id, RTK_CAPTURE_RECORDING);
	int changed = 0;
	for(guint i = 0; i < list->len; i++) {
		rtk_capture *c = g_ptr_array_index(list, i);
		rtk_capture_effects effects = rtk_capture_model_apply(c->m, action, caller);
		capture_effects(c, effects);
		changed += effects != 0;
	}
	g_ptr_array_free(list, TRUE);
	if(changed == 0)
		rtk_refusal_set(why, RTK_ERR_RECORDING_NONE, "no recording of this meeting can %s now", names[action]);
	return changed > 0 ? changed : -1;
}

int rtk_capture_recording_action(const char *meeting_id, const char *id, rtk_capture_action action,
		const rtk_capture_caller *caller, rtk_refusal *why) {
	g_mutex_lock(&captures_mutex);
	int changed = capture_recording_action(meeting_id, id, action, caller, why);
	g_mutex_unlock(&captures_mutex);
	return changed;
}

gboolean rtk_capture_livestream_stop(const char *meeting_id, const rtk_capture_caller *caller, rtk_refusal *why) {
	g_mutex_lock(&captures_mutex);
	rtk_capture *c = capture_livestream_of(meeting_id);
	gboolean running = c != NULL && rtk_capture_model_running(c->m);
	if(!running)
		rtk_refusal_set(why, RTK_ERR_LIVESTREAM_NONE, "the meeting is not livestreaming");
	else
		capture_stop(c, "STOPPED_BY_USER", caller);
	g_mutex_unlock(&captures_mutex);
	return running;
}

json_t *rtk_capture_livestream_active(const char *meeting_id) {
	g_mutex_lock(&captures_mutex);
	rtk_capture *c = capture_livestream_of(meeting_id);
	json_t *doc = c != NULL ? json_deep_copy(c->m->doc) : NULL;
	g_mutex_unlock(&captures_mutex);
	return doc;
}

json_t *rtk_capture_recording_get(const char *id) {
	g_mutex_lock(&captures_mutex);
	rtk_capture *c = g_hash_table_lookup(captures, id);
	json_t *doc = c != NULL && c->m->kind == RTK_CAPTURE_RECORDING ? json_deep_copy(c->m->doc) : NULL;
	g_mutex_unlock(&captures_mutex);
	return doc;
}

char *rtk_captures_root_of(const char *id, const char *meeting_id) {
	char *root = NULL;
	g_mutex_lock(&captures_mutex);
	if(id != NULL) {
		rtk_capture *c = captures ? g_hash_table_lookup(captures, id) : NULL;
		root = c != NULL ? g_strdup(c->root) : NULL;
	} else if(captures != NULL) {
		GHashTableIter it;
		gpointer v;
		g_hash_table_iter_init(&it, captures);
		while(root == NULL && g_hash_table_iter_next(&it, NULL, &v)) {
			rtk_capture *c = v;
			if(!strcmp(c->m->meeting_id, meeting_id))
				root = g_strdup(c->root);
		}
	}
	g_mutex_unlock(&captures_mutex);
	return root;
}

json_t *rtk_capture_recording_active(const char *meeting_id) {
	g_mutex_lock(&captures_mutex);
	GPtrArray *list = capture_list(meeting_id, RTK_CAPTURE_RECORDING);
	rtk_capture *newest = NULL;
	for(guint i = 0; i < list->len; i++) {
		rtk_capture *c = g_ptr_array_index(list, i);
		if(newest == NULL || c->m->seq > newest->m->seq)
			newest = c;
	}
	g_ptr_array_free(list, TRUE);
	json_t *doc = newest != NULL ? json_deep_copy(newest->m->doc) : NULL;
	g_mutex_unlock(&captures_mutex);
	return doc;
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
	/* a per-track recording: only the streams it takes, each into its file */
	const char *file = c->tracks != NULL ?
		rtk_capture_tracks_open(c->tracks, c->track_config, c->room, ps, codec, c->next_ssrc) : NULL;
	if(c->tracks != NULL && file == NULL)
		return;
	capture_stream *s = g_new0(capture_stream, 1);
	s->ps = ps;
	s->ssrc = c->next_ssrc++;
	g_hash_table_insert(c->streams, ps, s);
	rtk_proc_command(c->proc, json_pack("{sssIssssssss*}", "cmd", "stream", "ssrc", (json_int_t)s->ssrc,
		"id", ps->peer_id, "codec", codec, "source", ps->type == RTK_MEDIA_SCREENSHARE ? "screen" : "camera",
		"file", file));
	if(c->tracks != NULL) {
		rtk_capture_tracks_publish(c->m, c->tracks, FALSE);
		capture_persist(c);
	}
	rtk_relay_forward_add(ps, c->proc, s->ssrc);
	if(ps->video)
		rtk_relay_request_keyframe(rtk_janus, ps);
}

/* Stops feeding the companion from `s`; `tell`: and says so (unstream). */
static void capture_remove_stream(rtk_capture *c, capture_stream *s, gboolean tell) {
	rtk_relay_forward_remove(s->ps, c->proc);
	if(tell)
		rtk_proc_command(c->proc, json_pack("{sssI}", "cmd", "unstream", "ssrc", (json_int_t)s->ssrc));
	if(c->tracks != NULL && rtk_capture_model_running(c->m)) {
		char *now = capture_now();
		rtk_track_list_close(c->tracks, s->ssrc, now);
		g_free(now);
		rtk_capture_tracks_publish(c->m, c->tracks, FALSE);
		capture_persist(c);
	}
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
		if(all || !g_hash_table_contains(c->peers, s->ps->peer_id))
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
	g_mutex_lock(&captures_mutex);
	if(rtk_capture_model_running(c->m) && g_hash_table_contains(c->peers, ps->peer_id)) {
		capture_add_stream(c, ps);
		capture_sync_screenshare(c, ps->peer_id);
	}
	g_mutex_unlock(&captures_mutex);
}

static void capture_producer_closed(rtk_router *router, rtk_pub_stream *ps, void *user) {
	rtk_capture *c = user;
	(void)router;
	g_mutex_lock(&captures_mutex);
	capture_stream *s = g_hash_table_lookup(c->streams, ps);
	if(s != NULL) {
		capture_remove_stream(c, s, rtk_capture_model_running(c->m));
		if(rtk_capture_model_running(c->m))
			capture_sync_screenshare(c, ps->peer_id);   /* `ps` is freed only after this call */
	}
	g_mutex_unlock(&captures_mutex);
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
		if(!g_strcmp0(c->speaker, k)) {   /* the companion forgets it: told again if it comes back */
			g_free(c->speaker);
			c->speaker = NULL;
		}
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

/* Viewers of every rendition (one that switched within the viewer window
 * counts in both). */
static void capture_sync_viewers(rtk_capture *c) {
	rtk_hls *hls = rtk_gateway_hls(rtk_gw);
	int viewers = 0;
	for(int i = 0; hls != NULL && i < c->n_renditions; i++)
		viewers += rtk_hls_viewer_count(hls, c->renditions[i].stream_id);
	capture_effects(c, rtk_capture_model_set_viewers(c->m, viewers));
}

void rtk_captures_sync_peers(rtk_room *room, rtk_router *router) {
	g_mutex_lock(&captures_mutex);
	GHashTableIter it;
	gpointer v;
	if(captures != NULL)
		g_hash_table_iter_init(&it, captures);
	while(captures != NULL && g_hash_table_iter_next(&it, NULL, &v)) {
		rtk_capture *c = v;
		if(!strcmp(c->m->meeting_id, room->meeting_id) && c->router == router && c->room == room &&
				rtk_capture_model_running(c->m) && c->feeds)
			capture_sync_peers(c);
	}
	g_mutex_unlock(&captures_mutex);
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

void rtk_captures_live_ended(const char *meeting_id, rtk_router *router) {
	g_mutex_lock(&captures_mutex);
	GHashTableIter it;
	gpointer v;
	if(captures != NULL)
		g_hash_table_iter_init(&it, captures);
	while(captures != NULL && g_hash_table_iter_next(&it, NULL, &v)) {
		rtk_capture *c = v;
		if(strcmp(c->m->meeting_id, meeting_id) || c->router != router)
			continue;
		capture_detach(c);
		capture_stop(c, "ALL_PEERS_LEFT", NULL);
	}
	g_mutex_unlock(&captures_mutex);
}

/* A capture the meeting's settings started: says so in its start reason. */
static void capture_mark_automatic(const char *id, const char *reason) {
	g_mutex_lock(&captures_mutex);
	rtk_capture *c = g_hash_table_lookup(captures, id);
	if(c != NULL)
		capture_effects(c, rtk_capture_model_started_automatically(c->m, reason));
	g_mutex_unlock(&captures_mutex);
}

void rtk_captures_live_started(rtk_room *room, rtk_router *router, const json_t *meeting) {
	rtk_refusal why;
	if(json_is_true(json_object_get(meeting, "record_on_start"))) {
		rtk_recording_config config;
		if(!rtk_recording_config_for_meeting(meeting, &config, &why))
			JANUS_LOG(LOG_WARN, "[rtk] record_on_start: the meeting's recording_config: %s (the defaults apply)\n",
				why.message);
		json_t *doc = rtk_capture_recording_start(room, router, &config, FALSE, NULL, &why);
		if(doc == NULL)
			JANUS_LOG(LOG_ERR, "[rtk] record_on_start: %s\n", why.message);
		else
			capture_mark_automatic(json_string_value(json_object_get(doc, "id")), "RECORD_ON_START");
		json_decref(doc);
	}
	if(json_is_true(json_object_get(meeting, "live_stream_on_start"))) {
		json_t *doc = rtk_capture_livestream_start(room, router, NULL, NULL, 0, FALSE, NULL, NULL, &why);
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
 * directory removed. A VOD one (vod in POST .../livestreams) stays served
 * until the plugin stops, and its directories are never removed. */
#define CAPTURE_HLS_LINGER_US (10 * 60 * G_USEC_PER_SEC)

typedef struct capture_ended {
	char *id, *dir;
	gint64 until;            /* G_MAXINT64: a VOD one, never expires */
	gboolean keep;           /* VOD: its directory stays on disk */
} capture_ended;

/* Earliest `until` first, so the tick only looks at the head. */
static gint capture_ended_cmp(gconstpointer a, gconstpointer b, gpointer data) {
	(void)data;
	gint64 x = ((const capture_ended *)a)->until, y = ((const capture_ended *)b)->until;
	return x < y ? -1 : x > y;
}

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

/* Tells the companion the active speaker when it shows that peer and was
 * told another one (or none) so far. A per-track recording has no layout. */
static void capture_tell_speaker(rtk_capture *c, const char *peer_id) {
	if(c->track_config != NULL || peer_id == NULL || !g_hash_table_contains(c->peers, peer_id) ||
			!g_strcmp0(c->speaker, peer_id))
		return;
	rtk_proc_command(c->proc, json_pack("{ssss}", "cmd", "speaker", "id", peer_id));
	g_free(c->speaker);
	c->speaker = g_strdup(peer_id);
}

void rtk_captures_speaker(const char *meeting_id, rtk_router *router, const char *peer_id) {
	g_mutex_lock(&captures_mutex);
	GHashTableIter it;
	gpointer v;
	if(captures != NULL)
		g_hash_table_iter_init(&it, captures);
	while(captures != NULL && peer_id != NULL && g_hash_table_iter_next(&it, NULL, &v)) {
		rtk_capture *c = v;
		if(!strcmp(c->m->meeting_id, meeting_id) && c->router == router && !c->spawning &&
				rtk_capture_model_running(c->m))
			capture_tell_speaker(c, peer_id);
	}
	g_mutex_unlock(&captures_mutex);
}

void rtk_captures_tick_meeting(const char *meeting_id) {
	g_mutex_lock(&captures_mutex);
	rtk_capture *c = captures ? capture_livestream_of(meeting_id) : NULL;
	if(c != NULL && rtk_capture_model_running(c->m))
		capture_sync_viewers(c);
	g_mutex_unlock(&captures_mutex);
}

void rtk_captures_tick(void) {
	gint64 now = janus_get_monotonic_time();
	GQueue expired = G_QUEUE_INIT;
	g_mutex_lock(&captures_mutex);
	while(!g_queue_is_empty(&ended_streams) && ((capture_ended *)g_queue_peek_head(&ended_streams))->until <= now)
		g_queue_push_tail(&expired, g_queue_pop_head(&ended_streams));
	g_mutex_unlock(&captures_mutex);
	capture_ended *e;
	while((e = g_queue_pop_head(&expired)) != NULL)   /* directories removed without the lock */
		capture_ended_free(e, TRUE);
}

/* ---- the companion's events (reader thread) ---- */

/* A companion that repeats frames because its ticks come late cannot keep
 * up with real time (too many recordings for this machine): said in the
 * log each time another second's worth (25 frames) was repeated. */
static void capture_check_load(rtk_capture *c, gint64 late_frames) {
	if(late_frames - c->late_frames_logged >= 25) {
		JANUS_LOG(LOG_WARN, "[rtk] capture %s: %" G_GINT64_FORMAT " frames repeated so far: the machine "
			"cannot keep up with this %s in real time\n", c->m->id, late_frames,
			c->m->kind == RTK_CAPTURE_RECORDING ? "recording" : "livestream");
		c->late_frames_logged = late_frames;
	}
}

static void capture_on_air(rtk_capture *c) {
	char *now = capture_now();
	capture_effects(c, rtk_capture_model_on_air(c->m, now));
	g_free(now);
}

/* The ladder's multivariant playlist, once every rendition's init.mp4 is
 * written (the companion writes them all before its first segment):
 * CODECS read from them, BANDWIDTH a nominal 0.1 bit per pixel per frame
 * at 25 fps plus 128 kb/s of AAC (x264 runs at constant quality). */
static void capture_set_ladder(rtk_capture *c) {
	rtk_hls *hls = rtk_gateway_hls(rtk_gw);
	if(hls == NULL || c->ladder_set)
		return;
	rtk_hls_variant variants[RTK_CAPTURE_LADDER_MAX];
	char codecs[RTK_CAPTURE_LADDER_MAX][32];
	for(int i = 0; i < c->n_renditions; i++) {
		const struct capture_rendition *r = &c->renditions[i];
		char *init = g_build_filename(r->dir, "init.mp4", NULL), *bytes = NULL;
		gsize len = 0;
		gboolean read = g_file_get_contents(init, &bytes, &len, NULL);
		g_free(init);
		int ok = read ? rtk_hls_codecs_from_init((const unsigned char *)bytes, len, codecs[i], sizeof codecs[i]) : -1;
		g_free(bytes);
		if(ok != 0) {
			JANUS_LOG(LOG_WARN, "[rtk] livestream %s: no avcC in %s/init.mp4\n", c->m->id, r->dir);
			return;
		}
		variants[i] = (rtk_hls_variant){ .stream_id = r->stream_id, .width = r->width, .height = r->height,
			.bandwidth = (int64_t)r->width * r->height * 25 / 10 + 128000, .frame_rate = 25,
			.codecs = codecs[i] };
	}
	if(rtk_hls_ladder_set(hls, c->m->id, variants, c->n_renditions) == 0)
		c->ladder_set = TRUE;
}

/* The stream a livestream event's rendition feeds, or NULL. */
static const char *capture_rendition_stream(const rtk_capture *c, int rendition) {
	return rendition >= 0 && rendition < c->n_renditions ? c->renditions[rendition].stream_id : NULL;
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

/* For a companion's reader: the lock of the capture's meeting family,
 * acquired, then captures_mutex; NULL (neither held) when the capture is
 * gone. The capture is looked up again once both are held. */
static rtk_meeting_lock *capture_lock_for_event(const char *id) {
	char *root = rtk_captures_root_of(id, NULL);
	if(root == NULL)
		return NULL;
	rtk_meeting_lock *lock = rtk_meeting_lock_meeting(root, NULL);
	g_free(root);
	g_mutex_lock(&captures_mutex);
	return lock;
}

static void capture_unlock_for_event(rtk_meeting_lock *lock) {
	g_mutex_unlock(&captures_mutex);
	rtk_meeting_lock_done(lock);
}

/* A livestream's playlist gets its end, and stays served a while. */
static void capture_end_hls(rtk_capture *c) {
	rtk_hls *hls = rtk_gateway_hls(rtk_gw);
	/* the main stream last: closing it removes the ladder */
	for(int i = c->n_renditions - 1; i >= 0; i--) {
		if(hls != NULL)
			rtk_hls_stream_end(hls, c->renditions[i].stream_id);
		capture_ended *e = g_new0(capture_ended, 1);
		e->id = g_strdup(c->renditions[i].stream_id);
		e->dir = g_strdup(c->renditions[i].dir);
		/* VOD: served and kept until the plugin stops (it removes nothing then) */
		e->until = c->vod ? G_MAXINT64 : janus_get_monotonic_time() + CAPTURE_HLS_LINGER_US;
		e->keep = c->vod;
		g_queue_insert_sorted(&ended_streams, e, capture_ended_cmp, NULL);
	}
}

static void capture_finish(rtk_capture *c, gboolean clean, const char *why);

/* What a companion said about capture `c`: its own process's event, or
 * its output's on a shared companion (where "stopped" and "error" end
 * that output, and so the capture: `c` may be freed on return). */
static void capture_handle_event(rtk_capture *c, const rtk_companion_event *event) {
	if(event->kind == RTK_COMPANION_EVENT_STARTED && c->m->kind == RTK_CAPTURE_RECORDING) {
		capture_on_air(c);
	} else if(event->kind == RTK_COMPANION_EVENT_PROGRESS) {
		capture_check_load(c, event->late_frames);
		capture_effects(c, rtk_capture_model_progress(c->m, event->output_s));
	} else if(event->kind == RTK_COMPANION_EVENT_KEYFRAME) {
		capture_on_keyframe(c, event->ssrc);
	} else if(event->kind == RTK_COMPANION_EVENT_PART || event->kind == RTK_COMPANION_EVENT_SEGMENT) {
		rtk_hls *hls = rtk_gateway_hls(rtk_gw);
		const char *stream_id = capture_rendition_stream(c, event->rendition);
		if(hls != NULL && stream_id != NULL)
			rtk_companion_event_to_hls(hls, stream_id, event);
		/* On air once its first segment is complete: players (hls.js)
		 * treat a playlist of parts without a segment as empty. */
		if(event->kind == RTK_COMPANION_EVENT_SEGMENT && event->rendition == 0) {
			capture_set_ladder(c);
			capture_on_air(c);
		}
	} else if(event->kind == RTK_COMPANION_EVENT_STOPPED) {
		c->m->output_s = event->output_s;
		if(c->host != NULL)
			capture_finish(c, TRUE, "");
	} else if(event->kind == RTK_COMPANION_EVENT_STATS) {
		char *text = json_dumps(event->json, JSON_COMPACT);
		JANUS_LOG(LOG_INFO, "[rtk] capture %s: %s\n", c->m->id, text);
		free(text);
	} else if(!strcmp(event->name, "track_failed")) {   /* one file of a per-track recording */
		char *text = json_dumps(event->json, JSON_COMPACT);
		JANUS_LOG(LOG_ERR, "[rtk] capture %s: %s\n", c->m->id, text);
		free(text);
	} else if(event->kind == RTK_COMPANION_EVENT_ERROR || event->kind == RTK_COMPANION_EVENT_REJECTED) {
		if(event->kind == RTK_COMPANION_EVENT_ERROR && event->message != NULL)
			g_strlcpy(c->error, event->message, sizeof c->error);
		JANUS_LOG(LOG_ERR, "[rtk] capture %s: %s: %s\n", c->m->id, event->name, event->message);
		if(event->kind == RTK_COMPANION_EVENT_ERROR && c->host != NULL)
			capture_finish(c, FALSE, c->error);
	}
}

/* What a companion said (companion_events.h read the line). */
static void capture_on_event(rtk_proc *proc, const rtk_companion_event *event, void *user_data) {
	if(event->name == NULL)
		return;
	rtk_meeting_lock *lock = capture_lock_for_event(user_data);
	if(lock == NULL)
		return;
	rtk_capture *c = captures ? g_hash_table_lookup(captures, user_data) : NULL;
	if(c != NULL && c->proc == proc)
		capture_handle_event(c, event);
	capture_unlock_for_event(lock);
}

/* The capture's output is complete (`clean`) or failed (`why`): its final
 * REST status. A companion killed or failed leaves an ERRORED recording
 * whose file still holds what was written. `c` is freed. */
static void capture_finish(rtk_capture *c, gboolean clean, const char *why) {
	capture_feed_hand_over(c);   /* a shared companion's other outputs go on */
	capture_detach(c);
	char *now = capture_now();
	if(c->m->kind == RTK_CAPTURE_LIVESTREAM)
		capture_end_hls(c);
	gint64 size = c->tracks != NULL ? rtk_capture_tracks_finish(c->tracks, c->output, now) :
		c->m->kind == RTK_CAPTURE_RECORDING ? capture_file_size(c->output) : -1;
	if(c->tracks != NULL)
		rtk_capture_tracks_publish(c->m, c->tracks, TRUE);
	capture_effects(c, rtk_capture_model_finished(c->m, clean, why, size, now));
	rtk_capture_upload_start(c->m, c->output, queued_seq);   /* storage_config: UPLOADING until sent */
	g_free(now);
	int level = clean ? LOG_INFO : LOG_ERR;
	JANUS_LOG(level, "[rtk] capture %s ended: %s\n", c->m->id,
		json_string_value(json_object_get(c->m->doc, "status")));
	g_hash_table_remove(captures, c->m->id);
}

/* Why a companion that exited with `wait_status` failed ("" when clean),
 * its last "error" (`error`) first. */
static gboolean capture_exit_why(int wait_status, const char *error, char *why, size_t len) {
	gboolean clean = WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0;
	why[0] = '\0';
	if(!clean && error[0])
		g_strlcpy(why, error, len);
	else if(WIFSIGNALED(wait_status))
		g_snprintf(why, len, "killed by signal %d", WTERMSIG(wait_status));
	else if(!clean)
		g_snprintf(why, len, "exited with status %d", WEXITSTATUS(wait_status));
	return clean;
}

/* The companion exited: the output's final REST status. */
static void capture_on_exit(rtk_proc *proc, int wait_status, void *user_data) {
	rtk_meeting_lock *lock = capture_lock_for_event(user_data);
	if(lock == NULL) {
		g_free(user_data);
		return;
	}
	rtk_capture *c = captures ? g_hash_table_lookup(captures, user_data) : NULL;
	if(c != NULL && c->proc == proc) {
		char why[256];
		gboolean clean = capture_exit_why(wait_status, c->error, why, sizeof why);
		capture_finish(c, clean, why);
	}
	capture_unlock_for_event(lock);
	g_free(user_data);
}

/* ---- a shared companion's events (reader thread) ---- */

/* An event of a shared companion: one naming an output is that capture's;
 * a keyframe request (and the stats, for the log) its feeder's; an error
 * without an output is the process's (its exit follows). */
static void capture_host_on_event(rtk_proc *proc, const rtk_companion_event *event, void *user_data) {
	capture_host *h = user_data;
	if(event->name == NULL)
		return;
	rtk_meeting_lock *lock = rtk_meeting_lock_meeting(h->root, NULL);
	g_mutex_lock(&captures_mutex);
	rtk_capture *c = NULL;
	if(captures != NULL && event->output != NULL)
		c = g_hash_table_lookup(captures, event->output);
	else if(captures != NULL && (event->kind == RTK_COMPANION_EVENT_KEYFRAME || event->kind == RTK_COMPANION_EVENT_STATS))
		capture_host_running(h, &c);   /* its feeder */
	if(c != NULL && c->proc == proc && c->host == h) {
		capture_handle_event(c, event);
	} else if(event->output == NULL && event->kind == RTK_COMPANION_EVENT_ERROR && event->message != NULL) {
		g_strlcpy(h->error, event->message, sizeof h->error);
		JANUS_LOG(LOG_ERR, "[rtk] shared companion of meeting %s: %s\n", h->meeting_id, event->message);
	}
	g_mutex_unlock(&captures_mutex);
	rtk_meeting_lock_done(lock);
}

/* A shared companion exited: its outputs that had not ended end with it
 * (ERRORED unless it stopped cleanly). */
static void capture_host_on_exit(rtk_proc *proc, int wait_status, void *user_data) {
	capture_host *h = user_data;
	rtk_meeting_lock *lock = rtk_meeting_lock_meeting(h->root, NULL);
	g_mutex_lock(&captures_mutex);
	char why[256];
	gboolean clean = capture_exit_why(wait_status, h->error, why, sizeof why);
	GPtrArray *left = g_ptr_array_new();
	GHashTableIter it;
	gpointer v;
	if(captures != NULL)
		g_hash_table_iter_init(&it, captures);
	while(captures != NULL && g_hash_table_iter_next(&it, NULL, &v))
		if(((rtk_capture *)v)->host == h && ((rtk_capture *)v)->proc == proc)
			g_ptr_array_add(left, v);
	for(guint i = 0; i < left->len; i++) {
		rtk_capture *c = g_ptr_array_index(left, i);
		capture_finish(c, clean, clean ? "" : c->error[0] ? c->error : why);
	}
	g_ptr_array_free(left, TRUE);
	if(hosts != NULL)
		g_ptr_array_remove(hosts, h);
	g_mutex_unlock(&captures_mutex);
	rtk_meeting_lock_done(lock);
	capture_host_free(h);
}

static const rtk_proc_callbacks capture_host_callbacks = {
	.event = capture_host_on_event,
	.exited = capture_host_on_exit,
};

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
	hosts = g_ptr_array_new();
	encode_once = TRUE;
	writes = g_async_queue_new();
	writer = g_thread_new("rtk-capture-store", capture_writer, NULL);
}

void rtk_captures_set_encode_once(gboolean enabled) {
	encode_once = enabled;
}

/* Asks every companion to finish (each under its meeting's lock: the
 * participants still there are told), waits up to 10 s, then kills. */
void rtk_captures_destroy(void) {
	if(captures == NULL)
		return;
	GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
	GHashTableIter it;
	gpointer k, v;
	g_mutex_lock(&captures_mutex);
	g_hash_table_iter_init(&it, captures);
	while(g_hash_table_iter_next(&it, &k, NULL))
		g_ptr_array_add(ids, g_strdup(k));
	g_mutex_unlock(&captures_mutex);
	for(guint i = 0; i < ids->len; i++) {
		rtk_meeting_lock *lock = capture_lock_for_event(g_ptr_array_index(ids, i));
		rtk_capture *c = lock ? g_hash_table_lookup(captures, g_ptr_array_index(ids, i)) : NULL;
		if(c != NULL) {
			capture_detach(c);
			capture_stop(c, "SERVER_SHUTDOWN", NULL);
			rtk_proc_close_input(c->proc);
		}
		if(lock != NULL)
			capture_unlock_for_event(lock);
	}
	g_ptr_array_free(ids, TRUE);
	gint64 deadline = janus_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	for(;;) {
		g_mutex_lock(&captures_mutex);
		guint left = g_hash_table_size(captures) + hosts->len;   /* a shared companion exits after its outputs */
		if(left > 0 && janus_get_monotonic_time() >= deadline) {
			g_hash_table_iter_init(&it, captures);
			while(g_hash_table_iter_next(&it, NULL, &v))
				rtk_proc_kill(((rtk_capture *)v)->proc);
			for(guint i = 0; i < hosts->len; i++)
				rtk_proc_kill(((capture_host *)g_ptr_array_index(hosts, i))->proc);
			deadline = G_MAXINT64;
		}
		g_mutex_unlock(&captures_mutex);
		if(left == 0)
			break;
		g_usleep(50000);
	}
	rtk_capture_uploads_finish(10 * G_USEC_PER_SEC);   /* uploads still use the writer and the store */
	capture_write *quit = g_new0(capture_write, 1);
	quit->quit = TRUE;
	g_async_queue_push(writes, quit);
	g_thread_join(writer);
	g_async_queue_unref(writes);
	capture_ended *e;
	while((e = g_queue_pop_head(&ended_streams)) != NULL)
		capture_ended_free(e, !e->keep);
	g_mutex_lock(&captures_mutex);
	g_hash_table_destroy(captures);
	captures = NULL;
	g_ptr_array_free(hosts, TRUE);
	hosts = NULL;
	g_mutex_unlock(&captures_mutex);
	g_free(companion_dir);
	g_free(data_dir);
}
