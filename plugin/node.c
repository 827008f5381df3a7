/*
 * node.c - this process as one node of several on one database (node.h).
 *
 * Placement. A join's prepare step (requests.c, no lock held) claims the
 * meeting: the store decides in one write (rtk_store_placement_claim) and
 * a meeting held by another node's valid lease is refused with that
 * node's Janus URL (the redirect, docs/protocol.md). A claim that takes
 * over an expired lease ends what the dead node left of the meeting
 * (rtk_gateway_end_orphaned) before the join goes on, so the history shows
 * the old session ENDED and the new one LIVE.
 *
 * The node thread. Every lease/3 seconds, off every meeting lock, it
 * writes the heartbeat, renews the placement of every meeting live here
 * (rtk_lives_ids) and releases its placements of meetings no longer live
 * here: a meeting's placement goes within a beat of its live session's
 * end. It also catches up with preset changes whose broadcast (another
 * node's REST write, node_forward.h) never reached this node
 * (rtk_live_presets_catch_up). A claim made by a join whose live session is not created yet is
 * kept (the `recent` table) for one lease.
 *
 * Ownership: node_state owns its strings and tables; `recent` is guarded
 * by node_mutex (a leaf: nothing else is taken under it).
 */
#include "node.h"

#include <stdlib.h>
#include <string.h>
#include <debug.h>

#include "session.h"

typedef struct node_state {
	rtk_gateway *gateway;    /* borrowed */
	rtk_store *store;        /* borrowed */
	char *id, *janus_url, *rest_url;
	int lease;               /* seconds */
	GThread *thread;
	gboolean stopping;       /* under node_mutex */
	GCond wake;
	GHashTable *recent;      /* meeting id -> gint64* monotonic time of its claim */
} node_state;

static GMutex node_mutex;
static node_state *node;    /* NULL: one node */

static void node_note_claim(const char *meeting_id) {
	gint64 *at = g_new(gint64, 1);
	*at = g_get_monotonic_time();
	g_mutex_lock(&node_mutex);
	g_hash_table_replace(node->recent, g_strdup(meeting_id), at);
	g_mutex_unlock(&node_mutex);
}

/* Whether `meeting_id` was claimed by a join less than a lease ago;
 * forgets the older claims. */
static gboolean node_claimed_lately(const char *meeting_id) {
	gint64 horizon = g_get_monotonic_time() - (gint64)node->lease * G_TIME_SPAN_SECOND;
	g_mutex_lock(&node_mutex);
	GHashTableIter it;
	gpointer key, value;
	g_hash_table_iter_init(&it, node->recent);
	while(g_hash_table_iter_next(&it, &key, &value))
		if(*(gint64 *)value < horizon)
			g_hash_table_iter_remove(&it);
	gboolean lately = g_hash_table_contains(node->recent, meeting_id);
	g_mutex_unlock(&node_mutex);
	return lately;
}

/* Claims `meeting_id`; a join's takeover (`for_join`) ends what the
 * previous node left (a renewal never does: the live session is ours). */
static rtk_store_status node_claim_in_store(const char *meeting_id, gboolean for_join, json_t **out) {
	char *previous = NULL;
	rtk_store_status st = rtk_store_placement_claim(node->store, meeting_id, node->id, node->lease,
		out, &previous);
	if(st == RTK_STORE_OK && previous != NULL && for_join) {
		JANUS_LOG(LOG_WARN, "[rtk] node %s: meeting %s taken over from node %s, whose lease ended\n",
			node->id, meeting_id, previous);
		rtk_gateway_end_orphaned(node->gateway, meeting_id);
	}
	free(previous);
	return st;
}

char *rtk_node_claim(const char *meeting_id, gboolean *failed) {
	*failed = FALSE;
	if(node == NULL)
		return NULL;
	json_t *placement = NULL;
	rtk_store_status st = node_claim_in_store(meeting_id, TRUE, &placement);
	char *elsewhere = NULL;
	if(st == RTK_STORE_OK) {
		node_note_claim(meeting_id);
	} else if(st == RTK_STORE_CONFLICT) {
		const char *url = json_string_value(json_object_get(placement, "janus_url"));
		elsewhere = g_strdup(url ? url : "");
	} else {
		JANUS_LOG(LOG_ERR, "[rtk] node %s: cannot place meeting %s (store status %d)\n",
			node->id, meeting_id, (int)st);
		*failed = TRUE;
	}
	json_decref(placement);
	return elsewhere;
}

const char *rtk_node_id(void) {
	return node ? node->id : NULL;
}

char *rtk_node_owner_host(const char *meeting_id) {
	if(node == NULL)
		return NULL;
	json_t *placement = NULL;
	char *host = NULL;
	if(rtk_store_placement_get(node->store, meeting_id, &placement) == RTK_STORE_OK) {
		const char *node_id = json_string_value(json_object_get(placement, "node_id"));
		const char *url = json_string_value(json_object_get(placement, "rest_url"));
		GUri *uri = url && node_id && strcmp(node_id, node->id) ? g_uri_parse(url, G_URI_FLAGS_NONE, NULL) : NULL;
		if(uri != NULL && g_uri_get_host(uri) != NULL)
			host = g_strdup(g_uri_get_host(uri));
		if(uri != NULL)
			g_uri_unref(uri);
	}
	json_decref(placement);
	return host;
}

/* ---- the node thread ---- */

static gboolean node_ids_contain(GPtrArray *ids, const char *id) {
	for(guint i = 0; i < ids->len; i++)
		if(strcmp(g_ptr_array_index(ids, i), id) == 0)
			return TRUE;
	return FALSE;
}

/* Releases this node's placements of meetings not live here (listed
 * before `live` was taken: a later claim is not in the list). */
static void node_release_idle(json_t *placements, GPtrArray *live) {
	size_t i;
	json_t *placement;
	json_array_foreach(placements, i, placement) {
		const char *meeting_id = json_string_value(json_object_get(placement, "meeting_id"));
		if(meeting_id == NULL || node_ids_contain(live, meeting_id) || node_claimed_lately(meeting_id))
			continue;
		rtk_store_status st = rtk_store_placement_release(node->store, meeting_id, node->id);
		if(st == RTK_STORE_FAILED)
			JANUS_LOG(LOG_ERR, "[rtk] node %s: cannot release meeting %s\n", node->id, meeting_id);
		else if(st == RTK_STORE_OK)
			JANUS_LOG(LOG_INFO, "[rtk] node %s: meeting %s released (not live here)\n", node->id, meeting_id);
	}
}

static void node_beat(void) {
	if(rtk_store_node_heartbeat(node->store, node->id, node->janus_url, node->rest_url) != RTK_STORE_OK)
		JANUS_LOG(LOG_ERR, "[rtk] node %s: cannot write the heartbeat\n", node->id);
	json_t *placements = NULL;
	if(rtk_store_placement_list(node->store, node->id, &placements) != RTK_STORE_OK) {
		JANUS_LOG(LOG_ERR, "[rtk] node %s: cannot read its placements\n", node->id);
		return;
	}
	/* not this node's edges of other nodes' meetings (cascade.h), even one
	 * whose edge just ended while its live meeting is still being torn down */
	GPtrArray *live = rtk_lives_owned_ids();
	for(guint i = 0; i < live->len; i++) {
		json_t *out = NULL;
		rtk_store_status st = node_claim_in_store(g_ptr_array_index(live, i), FALSE, &out);
		if(st == RTK_STORE_CONFLICT)
			JANUS_LOG(LOG_ERR, "[rtk] node %s: meeting %s, live here, is placed on node %s\n", node->id,
				(const char *)g_ptr_array_index(live, i),
				json_string_value(json_object_get(out, "node_id")));
		else if(st != RTK_STORE_OK)
			JANUS_LOG(LOG_ERR, "[rtk] node %s: cannot renew meeting %s\n", node->id,
				(const char *)g_ptr_array_index(live, i));
		json_decref(out);
	}
	node_release_idle(placements, live);
	g_ptr_array_free(live, TRUE);
	json_decref(placements);
	rtk_live_presets_catch_up(node->store);   /* a preset change whose broadcast missed this node */
}

static gpointer node_run(gpointer data) {
	(void)data;
	gint64 period = MAX(1, node->lease / 3) * G_TIME_SPAN_SECOND;
	g_mutex_lock(&node_mutex);
	while(!node->stopping) {
		g_mutex_unlock(&node_mutex);
		node_beat();
		g_mutex_lock(&node_mutex);
		gint64 until = g_get_monotonic_time() + period;
		while(!node->stopping && g_cond_wait_until(&node->wake, &node_mutex, until))
			;
	}
	g_mutex_unlock(&node_mutex);
	return NULL;
}

/* ---- module ---- */

void rtk_node_init(rtk_gateway *gateway, const char *id, const char *janus_url, const char *rest_url,
		int lease_seconds) {
	if(id == NULL || *id == '\0')
		return;
	node = g_new0(node_state, 1);
	node->gateway = gateway;
	node->store = rtk_gateway_store(gateway);
	node->id = g_strdup(id);
	node->janus_url = g_strdup(janus_url && *janus_url ? janus_url : NULL);
	node->rest_url = g_strdup(rest_url && *rest_url ? rest_url : NULL);
	node->lease = MAX(3, lease_seconds);
	g_cond_init(&node->wake);
	node->recent = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	node->thread = g_thread_new("rtk node", node_run, NULL);
	JANUS_LOG(LOG_INFO, "[rtk] node %s: clients join at %s, placements last %d s\n", node->id,
		node->janus_url ? node->janus_url : "(no URL)", node->lease);
}

void rtk_node_destroy(void) {
	if(node == NULL)
		return;
	g_mutex_lock(&node_mutex);
	node->stopping = TRUE;
	g_cond_signal(&node->wake);
	g_mutex_unlock(&node_mutex);
	g_thread_join(node->thread);
	json_t *placements = NULL;
	size_t i;
	json_t *placement;
	if(rtk_store_placement_list(node->store, node->id, &placements) == RTK_STORE_OK)
		json_array_foreach(placements, i, placement)
			rtk_store_placement_release(node->store,
				json_string_value(json_object_get(placement, "meeting_id")), node->id);
	json_decref(placements);
	rtk_live_presets_forget();
	g_hash_table_destroy(node->recent);
	g_cond_clear(&node->wake);
	g_free(node->id);
	g_free(node->janus_url);
	g_free(node->rest_url);
	g_free(node);
	node = NULL;
}
