/*
 * metrics_live.c - the plugin's figures for /metrics and /healthz
 * (metrics_live.h): meetings in session, their participants, publishers
 * and subscribers, each meeting read under its own lock; and the relay's
 * RTP counters, read without one.
 *
 * Runs on the gateway's HTTP threads. A meeting's lock is taken with
 * trylock until a deadline, never waited for without one: a meeting stuck
 * holding it makes /healthz answer 503 instead of hanging the scrape.
 */
#include <string.h>
#include <debug.h>

#include "metrics_live.h"
#include "session.h"

guint64 rtk_metrics_rtp_packets;
guint64 rtk_metrics_rtp_bytes;

/* Distinct publishing participants among the router's producers. */
static guint metrics_live_publishers(const rtk_router *router) {
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	for(guint i = 0; i < router->producers->len; i++) {
		rtk_pub_stream *ps = g_ptr_array_index(router->producers, i);
		if(ps->peer_id != NULL)
			g_hash_table_add(seen, ps->peer_id);
	}
	guint n = g_hash_table_size(seen);
	g_hash_table_destroy(seen);
	return n;
}

gboolean rtk_metrics_live_read(rtk_live_metrics *out, int timeout_ms, void *user_data) {
	(void)user_data;
	memset(out, 0, sizeof(*out));
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	gboolean answered = TRUE;
	GPtrArray *ids = rtk_lives_ids();
	for(guint i = 0; i < ids->len && answered; i++) {   /* each meeting under its own lock */
		rtk_meeting_lock *lock;
		gboolean timed_out;
		rtk_live *live = rtk_live_lock_until(g_ptr_array_index(ids, i), deadline, &lock, &timed_out);
		answered = !timed_out;
		if(live == NULL)
			continue;   /* ended meanwhile, or stuck (timed out) */
		out->meetings++;
		out->participants += rtk_room_size(live->room);
		out->publishers += metrics_live_publishers(live->router);
		out->subscribers += live->router->subscribers->len;
		rtk_meeting_lock_done(lock);
	}
	g_ptr_array_free(ids, TRUE);
	if(!answered)
		return FALSE;
	out->rtp_packets = __atomic_load_n(&rtk_metrics_rtp_packets, __ATOMIC_RELAXED);
	out->rtp_bytes = __atomic_load_n(&rtk_metrics_rtp_bytes, __ATOMIC_RELAXED);
	return TRUE;
}
