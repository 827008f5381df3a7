/*
 * history.c - the history of live sessions (history.h): the store's
 * `sessions` and `session_participants` rows, written by one writer
 * thread of this file.
 *
 * Why a thread. A store write returns once it is synced to disk
 * (milliseconds); joins and leaves happen under their meeting's lock,
 * which every request and event of that meeting takes. So the glue's calls
 * only copy the facts (ids, names, the time) into a history_event and push
 * it on a GAsyncQueue, as capture.c does for recordings; the writer pops
 * them in order and writes. Ordering is the queue's: a leave is always
 * written after its join, an end after its session's leaves. The writer
 * is the only writer of these rows while the server runs (the gateway's
 * start ends the sessions a crash left LIVE, before the plugin runs).
 *
 * What the writer knows. It keeps, for each session it has written and
 * not yet ended, its open presences (peer id -> joined_at), the most
 * there were at once and the minutes of the presences that ended: the
 * session row's live_participants, max_concurrent_participants and
 * minutes_consumed come from there. A session row is created at its first
 * join, so a live session whose only visitors sat in the waiting room
 * leaves no history.
 *
 * An edge of a cascaded meeting (cascade.h) writes its viewers'
 * presences into the owner's session (the room carries the owner's
 * session id) and nothing of the session row, which is the owner's alone:
 * two writers of one row would lose each other's figures. So the row's
 * live_participants, max_concurrent_participants and minutes_consumed
 * count the owner's participants; the presences are everyone's.
 *
 * Ownership: a history_event owns its strings and its JSON; the writer
 * frees it. The writer's tables are its own (no lock).
 */
#include "history.h"

#include <stdlib.h>
#include <string.h>
#include <debug.h>

#include "glue.h"
#include "util.h"

typedef enum history_kind {
	HISTORY_JOINED,
	HISTORY_LEFT,
	HISTORY_ENDED,
	HISTORY_QUIT
} history_kind;

typedef struct history_event {
	history_kind kind;
	char *session_id;
	char *meeting_id;
	char *title;             /* may be NULL */
	char *at;                /* when it happened: ISO 8601 UTC */
	char *peer_id;           /* JOINED, LEFT */
	json_t *presence;        /* JOINED: the presence row's fields */
	gboolean edge;           /* about an edge's audience: presences only */
} history_event;

/* A session the writer has written and not yet ended. */
typedef struct history_session {
	GHashTable *open;        /* peer id -> joined_at (both owned) */
	guint max;               /* most open presences at once */
	double minutes;          /* of the presences that ended */
	gboolean edge;           /* an edge's: the row is the owner's, never written here */
} history_session;

static rtk_store *history_store;    /* borrowed */
static gboolean history_own_only;   /* several nodes: end only our sessions at the end */
static GMutex history_mutex;        /* guards history_queue's pointer (a leaf) */
static GAsyncQueue *history_queue;  /* history_event*; NULL when not running */
static GThread *history_writer;
static GHashTable *history_sessions;   /* the writer's: session id -> history_session* */

static void history_event_free(history_event *e) {
	g_free(e->session_id);
	g_free(e->meeting_id);
	g_free(e->title);
	g_free(e->at);
	g_free(e->peer_id);
	json_decref(e->presence);
	g_free(e);
}

static void history_session_free(history_session *s) {
	g_hash_table_destroy(s->open);
	g_free(s);
}

/* ---- the writer ---- */

static void history_log_failure(const char *what, const char *id, rtk_store_status st) {
	if(st != RTK_STORE_OK)
		JANUS_LOG(LOG_ERR, "[rtk] session history: %s %s could not be stored (status %d)\n", what, id, (int)st);
}

/* Writes the session row's figures (and `extra`'s keys, stolen, may be NULL). */
static void history_update_session(const char *id, history_session *s, json_t *extra) {
	if(s->edge) {
		json_decref(extra);
		return;
	}
	json_t *change = extra ? extra : json_object();
	json_object_set_new(change, "live_participants", json_integer(g_hash_table_size(s->open)));
	json_object_set_new(change, "max_concurrent_participants", json_integer(s->max));
	json_object_set_new(change, "minutes_consumed", json_real(s->minutes));
	json_t *out = NULL;
	history_log_failure("session", id, rtk_store_session_update(history_store, id, change, &out));
	json_decref(out);
	json_decref(change);
}

/* The session of `e`, created (row and state) at its first join. */
static history_session *history_session_for_join(history_event *e) {
	history_session *s = g_hash_table_lookup(history_sessions, e->session_id);
	if(s != NULL)
		return s;
	s = g_new0(history_session, 1);
	s->open = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	s->edge = e->edge;
	g_hash_table_insert(history_sessions, g_strdup(e->session_id), s);
	if(s->edge)
		return s;
	json_t *row = json_pack("{ss ss ss ss* ss ss ss sn si si sf}", "id", e->session_id,
		"meeting_id", e->meeting_id, "associated_id", e->meeting_id, "meeting_display_name", e->title,
		"type", "meeting", "status", "LIVE", "started_at", e->at, "ended_at",
		"live_participants", 0, "max_concurrent_participants", 0, "minutes_consumed", 0.0);
	json_t *out = NULL;
	history_log_failure("session", e->session_id, rtk_store_session_create(history_store, row, &out));
	json_decref(out);
	json_decref(row);
	return s;
}

static void history_write_joined(history_event *e) {
	history_session *s = history_session_for_join(e);
	json_t *out = NULL;
	history_log_failure("presence", e->peer_id,
		rtk_store_session_participant_create(history_store, e->presence, &out));
	json_decref(out);
	g_hash_table_replace(s->open, g_strdup(e->peer_id), g_strdup(e->at));
	s->max = MAX(s->max, g_hash_table_size(s->open));
	history_update_session(e->session_id, s, NULL);
}

/* Closes one open presence of `s` at `at`: left_at, duration. */
static void history_close_presence(history_session *s, const char *peer_id, const char *joined_at,
		const char *at) {
	double duration = rtk_store_minutes_between(joined_at, at);
	s->minutes += duration;
	json_t *change = json_pack("{ss sf}", "left_at", at, "duration", duration);
	json_t *out = NULL;
	history_log_failure("presence", peer_id,
		rtk_store_session_participant_update(history_store, peer_id, change, &out));
	json_decref(out);
	json_decref(change);
}

static void history_write_left(history_event *e) {
	history_session *s = g_hash_table_lookup(history_sessions, e->session_id);
	const char *joined_at = s ? g_hash_table_lookup(s->open, e->peer_id) : NULL;
	if(joined_at == NULL)
		return;
	history_close_presence(s, e->peer_id, joined_at, e->at);
	g_hash_table_remove(s->open, e->peer_id);
	history_update_session(e->session_id, s, NULL);
}

/* Ends session `id` at `at`: any presence still open closes then. */
static void history_end_session(const char *id, history_session *s, const char *at) {
	GHashTableIter it;
	gpointer peer_id, joined_at;
	g_hash_table_iter_init(&it, s->open);
	while(g_hash_table_iter_next(&it, &peer_id, &joined_at))
		history_close_presence(s, peer_id, joined_at, at);
	g_hash_table_remove_all(s->open);
	history_update_session(id, s, json_pack("{ss ss}", "status", "ENDED", "ended_at", at));
}

static void history_write_ended(history_event *e) {
	history_session *s = g_hash_table_lookup(history_sessions, e->session_id);
	if(s == NULL)
		return;
	history_end_session(e->session_id, s, e->at);
	g_hash_table_remove(history_sessions, e->session_id);
}

static gpointer history_writer_run(gpointer data) {
	GAsyncQueue *queue = data;   /* borrowed: freed after the join */
	for(;;) {
		history_event *e = g_async_queue_pop(queue);
		history_kind kind = e->kind;
		if(kind == HISTORY_JOINED)
			history_write_joined(e);
		else if(kind == HISTORY_LEFT)
			history_write_left(e);
		else if(kind == HISTORY_ENDED)
			history_write_ended(e);
		history_event_free(e);
		if(kind == HISTORY_QUIT)
			return NULL;
	}
}

/* ---- the glue's calls (the meeting's lock held) ---- */

static char *history_now(void) {
	char *now = rtk_util_now_iso8601();
	char *copy = g_strdup(now);
	free(now);
	return copy;
}

/* A new event about `room`, stamped now (`at` NULL when the clock could
 * not be read: history_push() drops it). */
static history_event *history_event_new(history_kind kind, const rtk_room *room, gboolean edge) {
	history_event *e = g_new0(history_event, 1);
	e->kind = kind;
	e->edge = edge;
	e->session_id = g_strdup(room->session_id);
	e->meeting_id = g_strdup(room->meeting_id);
	e->title = g_strdup(room->title);
	e->at = history_now();
	return e;
}

static void history_push(history_event *e) {
	g_mutex_lock(&history_mutex);
	gboolean running = history_queue != NULL && e->at != NULL;
	if(running)
		g_async_queue_push(history_queue, e);
	g_mutex_unlock(&history_mutex);
	if(!running)
		history_event_free(e);
}

void rtk_history_joined(const rtk_room *room, const rtk_peer *peer, gboolean edge) {
	history_event *e = history_event_new(HISTORY_JOINED, room, edge);
	e->peer_id = g_strdup(peer->id);
	e->presence = json_pack("{ss ss ss ss* ss* ss* ss sn}", "id", peer->id, "session_id", room->session_id,
		"user_id", peer->user_id, "custom_participant_id", peer->custom_participant_id,
		"display_name", peer->name, "preset_name", peer->preset_name, "joined_at", e->at ? e->at : "",
		"left_at");
	history_push(e);
}

void rtk_history_left(const rtk_room *room, const rtk_peer *peer, gboolean edge) {
	history_event *e = history_event_new(HISTORY_LEFT, room, edge);
	e->peer_id = g_strdup(peer->id);
	history_push(e);
}

void rtk_history_ended(const rtk_room *room, gboolean edge) {
	history_push(history_event_new(HISTORY_ENDED, room, edge));
}

/* ---- module ---- */

void rtk_history_init(rtk_store *store, gboolean own_only) {
	history_store = store;
	history_own_only = own_only;
	history_sessions = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
		(GDestroyNotify)history_session_free);
	history_queue = g_async_queue_new();
	history_writer = g_thread_new("rtk-history-store", history_writer_run, history_queue);
}

void rtk_history_destroy(void) {
	if(history_queue == NULL)
		return;
	history_event *quit = g_new0(history_event, 1);
	quit->kind = HISTORY_QUIT;
	g_mutex_lock(&history_mutex);
	GAsyncQueue *queue = history_queue;
	g_async_queue_push(queue, quit);
	history_queue = NULL;
	g_mutex_unlock(&history_mutex);
	g_thread_join(history_writer);
	g_async_queue_unref(queue);
	history_writer = NULL;
	/* Whatever is still LIVE ends with the server, its presences now:
	 * with several nodes, the sessions this one wrote (the others' are
	 * theirs). */
	int ended = 0;
	if(history_own_only) {
		char *now = history_now();
		GHashTableIter it;
		gpointer id, s;
		g_hash_table_iter_init(&it, history_sessions);
		while(now != NULL && g_hash_table_iter_next(&it, &id, &s)) {
			history_end_session(id, s, now);
			ended++;
		}
		g_free(now);
		if(ended > 0)
			JANUS_LOG(LOG_INFO, "[rtk] session history: %d live session(s) ended with the node\n", ended);
	} else if(rtk_store_session_end_unfinished(history_store, &ended) != RTK_STORE_OK)
		JANUS_LOG(LOG_ERR, "[rtk] session history: the live sessions could not be ended\n");
	else if(ended > 0)
		JANUS_LOG(LOG_INFO, "[rtk] session history: %d live session(s) ended with the server\n", ended);
	g_hash_table_destroy(history_sessions);
	history_sessions = NULL;
}
