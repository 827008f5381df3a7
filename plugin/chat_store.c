/*
 * chat_store.c - the chat's persistence (chat_store.h): a queue of changes
 * and the one thread that writes them, in batches, to the store.
 *
 * Why a thread: a store write returns once the disk has synced it
 * (milliseconds), and chat messages are sent under their meeting's lock
 * by a signalling worker. Delivery to participants never waits for the
 * disk; the store catches up behind it, one batch (one transaction, one
 * sync) for everything queued meanwhile.
 */
#include <string.h>
#include <debug.h>

#include "chat_store.h"
#include "glue.h"
#include "store.h"
#include "webhooks.h"

/* Changes one batch holds at most. */
#define CHAT_STORE_BATCH 256
/* How long a search waits for the writer to catch up. */
#define CHAT_STORE_SEARCH_WAIT_US (2 * G_TIME_SPAN_SECOND)
/* How long a persisted chat's download URL stays valid. */
#define CHAT_STORE_EXPORT_TTL_SECONDS (7 * 24 * 3600)

typedef enum chat_change_kind {
	CHAT_PUT,
	CHAT_DELETE,
	CHAT_SESSION_ENDED,
	CHAT_QUIT
} chat_change_kind;

typedef struct chat_change {
	chat_change_kind kind;
	guint64 seq;               /* order of queueing */
	json_t *row;               /* PUT: the store row; SESSION_ENDED: the webhook's meeting object */
	char *id;                  /* DELETE: the message; SESSION_ENDED: the session */
	gboolean persist;          /* SESSION_ENDED */
} chat_change;

static GAsyncQueue *changes;
static GThread *writer;
static GMutex stored_mutex;
static GCond stored_cond;
static GMutex queue_mutex;     /* numbers and queues a change in one step: the queue is in seq order */
static guint64 queued_seq;     /* under queue_mutex */
static guint64 stored_seq;     /* under stored_mutex */

static void chat_change_free(chat_change *c) {
	json_decref(c->row);
	g_free(c->id);
	g_free(c);
}

static void chat_store_queue(chat_change *c) {
	g_mutex_lock(&queue_mutex);
	c->seq = ++queued_seq;
	g_async_queue_push(changes, c);
	g_mutex_unlock(&queue_mutex);
}

/* ---- the writer ---- */

/* Writes the PUT and DELETE changes of `batch` in one store write. */
static void chat_store_write(GPtrArray *batch) {
	json_t *ops = json_array();
	for(guint i = 0; i < batch->len; i++) {
		chat_change *c = g_ptr_array_index(batch, i);
		if(c->kind == CHAT_PUT)
			json_array_append_new(ops, json_pack("{sO}", "put", c->row));
		else if(c->kind == CHAT_DELETE)
			json_array_append_new(ops, json_pack("{ss}", "delete", c->id));
	}
	if(json_array_size(ops) > 0) {
		rtk_store_status st = rtk_store_chat_write(rtk_gateway_store(rtk_gw), ops);
		if(st != RTK_STORE_OK)
			JANUS_LOG(LOG_ERR, "[rtk] chat: %zu changes could not be stored (status %d)\n",
				json_array_size(ops), (int)st);
	}
	json_decref(ops);
}

/* Removes the uploads the messages of session `id` carried. */
static void chat_store_remove_files(const char *id) {
	rtk_store *store = rtk_gateway_store(rtk_gw);
	for(int offset = 0;; offset += CHAT_STORE_BATCH) {
		json_t *rows = NULL;
		if(rtk_store_chat_list(store, id, offset, CHAT_STORE_BATCH, &rows, NULL) != RTK_STORE_OK) {
			JANUS_LOG(LOG_ERR, "[rtk] chat of session %s: its files could not be listed\n", id);
			return;
		}
		size_t i, n = json_array_size(rows);
		json_t *row;
		json_array_foreach(rows, i, row) {
			const char *file = json_string_value(json_object_get(row, "fileId"));
			const char *meeting = json_string_value(json_object_get(row, "meeting_id"));
			if(file != NULL && *file && !rtk_gateway_chat_file_remove(rtk_gw, meeting, file))
				JANUS_LOG(LOG_ERR, "[rtk] chat file %s of session %s: could not be removed\n", file, id);
		}
		json_decref(rows);
		if(n < CHAT_STORE_BATCH)
			return;
	}
}

/* The end of a session's chat: purge it (its files too), or keep it and
 * tell the webhooks. */
static void chat_store_end_session(const chat_change *c) {
	if(!c->persist) {
		chat_store_remove_files(c->id);
		if(rtk_store_chat_purge_session(rtk_gateway_store(rtk_gw), c->id) != RTK_STORE_OK)
			JANUS_LOG(LOG_ERR, "[rtk] chat of session %s: could not be removed\n", c->id);
		return;
	}
	rtk_webhooks *wh = rtk_gateway_webhooks(rtk_gw);
	if(wh == NULL)
		return;
	gint64 expires = g_get_real_time() / G_USEC_PER_SEC + CHAT_STORE_EXPORT_TTL_SECONDS;
	char *url = rtk_gateway_chat_export_url(rtk_gw, c->id, expires);
	GDateTime *t = g_date_time_new_from_unix_utc(expires);
	char *expiry = g_date_time_format(t, "%Y-%m-%dT%H:%M:%S.000Z");
	g_date_time_unref(t);
	/* RealtimeKit's shape: flat, camelCase; webhooks.c adds organizedBy */
	rtk_webhooks_emit(wh, "meeting.chatSynced", json_pack("{sO* ss ss? ss}",
		"meetingId", json_object_get(c->row, "id"), "sessionId", c->id,
		"chatDownloadUrl", url, "chatDownloadUrlExpiry", expiry));
	free(url);
	g_free(expiry);
}

static void chat_store_mark_stored(guint64 seq) {
	g_mutex_lock(&stored_mutex);
	stored_seq = seq;
	g_cond_broadcast(&stored_cond);
	g_mutex_unlock(&stored_mutex);
}

/* Runs the batch in order: writes up to each session end, then the end. */
static gboolean chat_store_run(GPtrArray *batch) {
	gboolean quit = FALSE;
	GPtrArray *writes = g_ptr_array_new();
	for(guint i = 0; i < batch->len; i++) {
		chat_change *c = g_ptr_array_index(batch, i);
		if(c->kind == CHAT_PUT || c->kind == CHAT_DELETE) {
			g_ptr_array_add(writes, c);
			continue;
		}
		chat_store_write(writes);
		g_ptr_array_set_size(writes, 0);
		if(c->kind == CHAT_SESSION_ENDED)
			chat_store_end_session(c);
		else
			quit = TRUE;
	}
	chat_store_write(writes);
	g_ptr_array_free(writes, TRUE);
	return !quit;
}

static gpointer chat_store_writer(gpointer data) {
	(void)data;
	gboolean running = TRUE;
	GPtrArray *batch = g_ptr_array_new_with_free_func((GDestroyNotify)chat_change_free);
	while(running) {
		g_ptr_array_add(batch, g_async_queue_pop(changes));
		chat_change *more;
		while(batch->len < CHAT_STORE_BATCH && (more = g_async_queue_try_pop(changes)) != NULL)
			g_ptr_array_add(batch, more);
		running = chat_store_run(batch);
		chat_store_mark_stored(((chat_change *)g_ptr_array_index(batch, batch->len - 1))->seq);
		g_ptr_array_set_size(batch, 0);
	}
	g_ptr_array_free(batch, TRUE);
	return NULL;
}

void rtk_chat_store_start(void) {
	changes = g_async_queue_new();
	writer = g_thread_new("rtk-chat-store", chat_store_writer, NULL);
}

void rtk_chat_store_stop(void) {
	if(writer == NULL)
		return;
	chat_change *quit = g_new0(chat_change, 1);
	quit->kind = CHAT_QUIT;
	chat_store_queue(quit);
	g_thread_join(writer);
	writer = NULL;
	g_async_queue_unref(changes);
	changes = NULL;
}

/* ---- queueing (under the meeting's lock) ---- */

static char *chat_store_now(void) {
	GDateTime *t = g_date_time_new_now_utc();
	char *base = g_date_time_format(t, "%Y-%m-%dT%H:%M:%S");
	char *out = g_strdup_printf("%s.%03dZ", base, g_date_time_get_microsecond(t) / 1000);
	g_free(base);
	g_date_time_unref(t);
	return out;
}

void rtk_chat_store_put(const char *meeting_id, const char *session_id, const json_t *doc) {
	if(changes == NULL)
		return;
	chat_change *c = g_new0(chat_change, 1);
	c->kind = CHAT_PUT;
	c->row = json_deep_copy(doc);
	json_object_set_new(c->row, "meeting_id", json_string(meeting_id));
	json_object_set_new(c->row, "session_id", json_string(session_id));
	const char *time = json_string_value(json_object_get(doc, "time"));
	char *now = time == NULL ? chat_store_now() : NULL;
	json_object_set_new(c->row, "created_at", json_string(time ? time : now));
	g_free(now);
	chat_store_queue(c);
}

void rtk_chat_store_delete(const char *message_id) {
	if(changes == NULL)
		return;
	chat_change *c = g_new0(chat_change, 1);
	c->kind = CHAT_DELETE;
	c->id = g_strdup(message_id);
	chat_store_queue(c);
}

void rtk_chat_store_session_ended(const char *session_id, gboolean persist, const json_t *meeting) {
	if(changes == NULL)
		return;
	chat_change *c = g_new0(chat_change, 1);
	c->kind = CHAT_SESSION_ENDED;
	c->id = g_strdup(session_id);
	c->persist = persist;
	c->row = json_deep_copy(meeting);
	chat_store_queue(c);
}

/* ---- search (without a meeting lock) ---- */

/* Waits until the writer has stored everything queued up to `upto`;
 * FALSE after CHAT_STORE_SEARCH_WAIT_US. */
static gboolean chat_store_wait(guint64 upto) {
	gint64 deadline = g_get_monotonic_time() + CHAT_STORE_SEARCH_WAIT_US;
	gboolean done = TRUE;
	g_mutex_lock(&stored_mutex);
	while(stored_seq < upto && done)
		done = g_cond_wait_until(&stored_cond, &stored_mutex, deadline);
	done = stored_seq >= upto;
	g_mutex_unlock(&stored_mutex);
	return done;
}

json_t *rtk_chat_store_search(const char *session_id, const char *text, int limit) {
	json_t *ids = json_array();
	if(changes == NULL)
		return ids;
	g_mutex_lock(&queue_mutex);
	guint64 upto = queued_seq;
	g_mutex_unlock(&queue_mutex);
	if(!chat_store_wait(upto))
		JANUS_LOG(LOG_WARN, "[rtk] chat search: the store is behind; the newest messages may be missing\n");
	json_t *rows = NULL;
	if(rtk_store_chat_search(rtk_gateway_store(rtk_gw), session_id, text, limit, &rows) == RTK_STORE_OK) {
		size_t i;
		json_t *row;
		json_array_foreach(rows, i, row)
			json_array_append(ids, json_object_get(row, "id"));
	}
	json_decref(rows);
	return ids;
}
