/*
 * policy.c - the forwarding policy's glue (policy.h): gathers its inputs
 * from the meeting (view, active speaker, audio levels, receiver reports)
 * and applies its decisions to the subscriber streams (relay.h) and, as
 * publisherLayers events, to what the publishers send.
 */
#include <string.h>

#include "policy.h"
#include "forwarding.h"
#include "glue.h"
#include <debug.h>

static volatile guint policy_last_n = 0;
static volatile gint policy_dynacast = 1;

void rtk_policy_set_last_n(guint n) {
	g_atomic_int_set(&policy_last_n, n);
}

void rtk_policy_set_dynacast(gboolean on) {
	g_atomic_int_set(&policy_dynacast, on ? 1 : 0);
}

static rtk_peer *policy_shown_peer(GPtrArray *selected, const char *peer_id) {
	for(guint i = 0; i < selected->len; i++) {
		rtk_peer *peer = g_ptr_array_index(selected, i);
		if(!strcmp(peer->id, peer_id))
			return peer;
	}
	return NULL;
}

/* Camera tiles: the active speaker's (or a pinned peer's) unlimited, the
 * others by the size of the view; screenshares by the downlink only. */
static void policy_apply_layers(rtk_live *live, rtk_session *sub, GPtrArray *selected) {
	const char *speaker = rtk_speakers_current(live->speakers);
	for(guint i = 0; i < sub->slots->len; i++) {
		rtk_sub_stream *ss = g_ptr_array_index(sub->slots, i);
		rtk_pub_stream *ps = ss->source;
		if(ps == NULL || !ps->video)
			continue;
		int limit = RTK_FWD_LAYER_HIGH;
		if(ps->type == RTK_MEDIA_VIDEO) {
			rtk_peer *peer = policy_shown_peer(selected, ps->peer_id);
			if(peer == NULL)
				continue;   /* paused by the view */
			gboolean featured = peer->pinned || !g_strcmp0(speaker, peer->id);
			limit = rtk_fwd_layer_limit(featured, selected->len);
		}
		rtk_relay_set_limit(rtk_janus, ss, MIN(limit, ss->downlink.cap));
	}
}

/* Last-N: the audio of the top N of the subscriber's audio sources, and
 * of those that left the top N less than the hold time ago. */
static void policy_apply_last_n(rtk_live *live, rtk_session *sub, gint64 now) {
	guint n = g_atomic_int_get(&policy_last_n);
	rtk_fwd_voice *voices = g_new(rtk_fwd_voice, sub->slots->len);   /* freed below */
	guint count = 0;
	for(guint i = 0; i < sub->slots->len; i++) {
		rtk_sub_stream *ss = g_ptr_array_index(sub->slots, i);
		if(ss->source == NULL || ss->source->video)
			continue;
		if(n == 0) {
			rtk_relay_set_paused(rtk_janus, ss, FALSE);
			continue;
		}
		rtk_fwd_voice *voice = &voices[count++];
		voice->peer_id = ss->source->peer_id;
		voice->loudness = 0.0;
		voice->speaking = FALSE;
		voice->user = ss;
		rtk_speakers_voice(live->speakers, voice->peer_id, &voice->loudness, &voice->speaking);
	}
	guint top = rtk_fwd_lastn_top(voices, count, n);
	for(guint v = 0; v < count; v++) {
		rtk_sub_stream *ss = voices[v].user;
		rtk_relay_set_paused(rtk_janus, ss, !rtk_fwd_lastn_hold(&ss->audible_until, v < top, now));
	}
	g_free(voices);
}

/* The highest substream the consumers of `ps` are sent or about to be
 * (-1: none): its subscriber streams not paused, its companion feeds. */
static int policy_layers_needed(rtk_pub_stream *ps) {
	int needed = -1;
	janus_mutex_lock(&ps->subs_mutex);
	for(guint i = 0; i < ps->subs->len; i++) {
		rtk_sub_stream *ss = g_ptr_array_index(ps->subs, i);
		needed = rtk_fwd_layers_need(needed, g_atomic_int_get(&ss->paused), ss->wanted, ss->limit);
	}
	if(ps->forwards->len > 0)
		needed = rtk_fwd_layers_need_all(needed);
	janus_mutex_unlock(&ps->subs_mutex);
	return needed;
}

/* How many layers `ps` has: its rids, else its SSRCs, else Janus's 3. */
static int policy_layer_count(rtk_pub_stream *ps) {
	int rids = 0, ssrcs = 0;
	janus_mutex_lock(&ps->rid_mutex);
	for(int i = 0; i < 3; i++) {
		rids += ps->rids[i] != NULL;
		ssrcs += ps->ssrcs[i] != 0;
	}
	janus_mutex_unlock(&ps->rid_mutex);
	return rids > 0 ? rids : ssrcs > 1 ? ssrcs : 3;
}

/* {"rtk": "publisherLayers", "mid", "layers": [low..high], "rids"?}
 * (docs/protocol.md, "Forwarding policy"): a NEW reference, the caller's
 * to release after push_event (which copies it). */
static json_t *policy_layers_event(rtk_pub_stream *ps) {
	json_t *event = json_pack("{ss ss}", "rtk", "publisherLayers", "mid", ps->mid);
	json_t *layers = json_array(), *rids = json_array();
	int count = policy_layer_count(ps);
	janus_mutex_lock(&ps->rid_mutex);
	for(int i = 0; i < count; i++) {
		json_array_append_new(layers, json_boolean(rtk_fwd_layers_active(&ps->layers, i)));
		if(ps->rids[i] != NULL)
			json_array_append_new(rids, json_string(ps->rids[i]));
	}
	janus_mutex_unlock(&ps->rid_mutex);
	json_object_set_new(event, "layers", layers);
	if(json_array_size(rids) == (size_t)count)
		json_object_set_new(event, "rids", rids);
	else
		json_decref(rids);
	return event;
}

/* One published stream: tells its publisher when the layers needed moved. */
static void policy_publisher_layers(rtk_pub_stream *ps, gint64 now) {
	gboolean raised = FALSE;
	if(!rtk_fwd_layers_update(&ps->layers, policy_layers_needed(ps), now, &raised))
		return;
	JANUS_LOG(LOG_VERB, "[rtk] %s's stream on mid %s: the publisher sends substreams 0-%d\n",
		ps->peer_id, ps->mid, ps->layers.sending);
	json_t *event = policy_layers_event(ps);
	rtk_janus->push_event(ps->publisher, &rtk_plugin, NULL, event, NULL);
	json_decref(event);
	if(raised)   /* the switch up happens on a keyframe of the layer resumed */
		rtk_relay_request_keyframe(rtk_janus, ps);
}

void rtk_policy_publishers(rtk_live *live) {
	if(!g_atomic_int_get(&policy_dynacast))
		return;
	gint64 now = janus_get_monotonic_time();
	GPtrArray *producers = live->router->producers;
	for(guint i = 0; i < producers->len; i++) {
		rtk_pub_stream *ps = g_ptr_array_index(producers, i);
		/* local publishers only: a stream relayed from another node has none here */
		if(ps->simulcast && ps->video && ps->publisher != NULL)
			policy_publisher_layers(ps, now);
	}
}

void rtk_policy_publisher_resend(rtk_live *live, janus_plugin_session *handle) {
	if(!g_atomic_int_get(&policy_dynacast) || handle == NULL)
		return;
	GPtrArray *producers = live->router->producers;
	for(guint i = 0; i < producers->len; i++) {
		rtk_pub_stream *ps = g_ptr_array_index(producers, i);
		if(ps->simulcast && ps->video && ps->publisher == handle) {
			json_t *event = policy_layers_event(ps);
			rtk_janus->push_event(ps->publisher, &rtk_plugin, NULL, event, NULL);
			json_decref(event);
		}
	}
}

void rtk_policy_apply(rtk_live *live, rtk_session *sub, GPtrArray *selected) {
	policy_apply_layers(live, sub, selected);
	policy_apply_last_n(live, sub, janus_get_monotonic_time());
}

void rtk_policy_subscriber_loss(rtk_session *sub, guint8 fraction_lost) {
	if(sub->role != RTK_ROLE_SUBSCRIBER || sub->slots == NULL)
		return;
	gint64 now = janus_get_monotonic_time();
	for(guint i = 0; i < sub->slots->len; i++) {
		rtk_sub_stream *ss = g_ptr_array_index(sub->slots, i);
		if(ss->source == NULL || !ss->source->simulcast || g_atomic_int_get(&ss->paused))
			continue;
		if(!rtk_fwd_downlink_report(&ss->downlink, fraction_lost, rtk_relay_current_layer(ss), now))
			continue;
		JANUS_LOG(LOG_INFO, "[rtk] subscriber of %s: loss %u/256, %s's stream on mid %s limited to substream %d\n",
			sub->peer ? sub->peer->id : "?", fraction_lost, ss->source->peer_id, ss->mid, ss->downlink.cap);
		rtk_relay_set_limit(rtk_janus, ss, MIN(ss->limit, ss->downlink.cap));
	}
}
