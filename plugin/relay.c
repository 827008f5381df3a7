/*
 * relay.c - SFU forwarding of RTP from publishers to subscribers, and of
 * RTP and sender reports to companions (relay.h).
 */
#include <string.h>
#include <arpa/inet.h>
#include "relay.h"
#include "metrics_live.h"
#include "sender_report.h"

#define RTK_RELAY_PLI_INTERVAL_US (300 * 1000)
/* How long after a layer change keyframes are asked for until the new layer
 * is reached: a few tries (one every RTK_RELAY_PLI_INTERVAL_US), not a
 * stream of them when the publisher does not send that layer. */
#define RTK_RELAY_SWITCH_US (2 * 1000 * 1000)
/* The longest sender report passed on to companions: 28 bytes and 31 report blocks. */
#define RTK_RELAY_SR_MAX (28 + 31 * 24)

static void relay_companion_reset(rtk_pub_stream *ps);

rtk_pub_stream *rtk_pub_stream_new(janus_plugin_session *publisher, const char *peer_id,
		const char *user_id, int mindex, const char *mid, rtk_media_kind type) {
	rtk_pub_stream *ps = g_new0(rtk_pub_stream, 1);
	ps->peer_id = g_strdup(peer_id);
	ps->user_id = g_strdup(user_id);
	ps->publisher = publisher;
	ps->mindex = mindex;
	ps->mid = g_strdup(mid ? mid : "");
	ps->type = type;
	ps->video = (type != RTK_MEDIA_AUDIO);
	ps->acodec = JANUS_AUDIOCODEC_NONE;
	ps->vcodec = JANUS_VIDEOCODEC_NONE;
	ps->rid_ext_id = -1;
	janus_mutex_init(&ps->rid_mutex);
	janus_mutex_init(&ps->subs_mutex);
	ps->subs = g_ptr_array_new();
	ps->forwards = g_array_new(FALSE, FALSE, sizeof(rtk_forward));
	relay_companion_reset(ps);
	g_atomic_int_set(&ps->enabled, 1);
	return ps;
}

static void relay_companion_reset(rtk_pub_stream *ps) {
	janus_rtp_switching_context_reset(&ps->companion_context);
	janus_rtp_simulcasting_context_reset(&ps->companion_sim);
	ps->companion_sim.substream_target = 2;
	ps->companion_sim.templayer_target = 2;
	janus_vp8_simulcast_context_reset(&ps->companion_vp8);
}

void rtk_pub_stream_free(rtk_pub_stream *ps) {
	if(ps == NULL)
		return;
	janus_rtp_simulcasting_cleanup(&ps->rid_ext_id, ps->ssrcs, ps->rids, &ps->rid_mutex);
	g_ptr_array_free(ps->subs, TRUE);
	for(guint i = 0; i < ps->forwards->len; i++)
		rtk_proc_unref(g_array_index(ps->forwards, rtk_forward, i).proc);
	g_array_free(ps->forwards, TRUE);
	g_free(ps->mid);
	g_free(ps->peer_id);
	g_free(ps->user_id);
	g_free(ps);
}

rtk_sub_stream *rtk_sub_stream_new(janus_plugin_session *subscriber, int mindex, gboolean video,
		volatile gint *started, void *owner) {
	rtk_sub_stream *ss = g_new0(rtk_sub_stream, 1);
	ss->subscriber = subscriber;
	ss->mindex = mindex;
	g_snprintf(ss->mid, sizeof(ss->mid), "%d", mindex);
	ss->video = video;
	ss->started = started;
	ss->owner = owner;
	janus_rtp_switching_context_reset(&ss->context);
	janus_rtp_simulcasting_context_reset(&ss->sim);
	/* Until the subscriber chooses (configure): the lowest substream, every
	 * temporal layer (Chromium sends VP8 simulcast as L1T3: the base layer
	 * alone would be a quarter of the frame rate). */
	ss->sim.substream_target = 0;
	ss->sim.templayer_target = 2;
	ss->wanted = -1;
	ss->limit = RTK_FWD_LAYER_LOW;
	rtk_fwd_downlink_init(&ss->downlink);
	janus_vp8_simulcast_context_reset(&ss->vp8);
	return ss;
}

void rtk_sub_stream_free(rtk_sub_stream *ss) {
	if(ss == NULL)
		return;
	rtk_relay_detach(ss);
	g_free(ss);
}

void rtk_relay_attach(rtk_pub_stream *ps, rtk_sub_stream *ss) {
	janus_mutex_lock(&ps->subs_mutex);
	ss->source = ps;
	/* Keep the subscriber's sequence/timestamp continuity across a change of
	 * source: the switching context rebases on the new SSRC by itself. */
	int substream = ss->sim.substream_target, temporal = ss->sim.templayer_target;
	janus_rtp_simulcasting_context_reset(&ss->sim);
	ss->sim.rid_ext_id = ps->rid_ext_id;
	/* the layers the subscriber chose for this m-line (rtk_sub_stream_new's
	 * defaults until it chose) */
	ss->sim.substream_target = substream;
	ss->sim.templayer_target = temporal;
	janus_vp8_simulcast_context_reset(&ss->vp8);
	g_atomic_int_set(&ss->need_keyframe, ps->video);
	g_atomic_int_set(&ss->paused, 0);
	ss->audible_until = 0;
	g_ptr_array_add(ps->subs, ss);
	janus_mutex_unlock(&ps->subs_mutex);
}

void rtk_relay_detach(rtk_sub_stream *ss) {
	rtk_pub_stream *ps = ss->source;
	if(ps == NULL)
		return;
	janus_mutex_lock(&ps->subs_mutex);
	g_ptr_array_remove_fast(ps->subs, ss);
	ss->source = NULL;
	janus_mutex_unlock(&ps->subs_mutex);
}

void rtk_relay_detach_all(rtk_pub_stream *ps, void (*each)(rtk_sub_stream *ss, void *user), void *user) {
	janus_mutex_lock(&ps->subs_mutex);
	for(guint i = 0; i < ps->subs->len; i++) {
		rtk_sub_stream *ss = g_ptr_array_index(ps->subs, i);
		ss->source = NULL;
		if(each)
			each(ss, user);
	}
	g_ptr_array_set_size(ps->subs, 0);
	janus_mutex_unlock(&ps->subs_mutex);
}

void rtk_relay_set_enabled(janus_callbacks *gateway, rtk_pub_stream *ps, gboolean enabled) {
	janus_mutex_lock(&ps->subs_mutex);
	if(enabled && !g_atomic_int_get(&ps->enabled)) {
		for(guint i = 0; i < ps->subs->len; i++) {
			rtk_sub_stream *ss = g_ptr_array_index(ps->subs, i);
			ss->context.seq_reset = TRUE;
			g_atomic_int_set(&ss->need_keyframe, ss->video);
		}
	}
	g_atomic_int_set(&ps->enabled, enabled);
	janus_mutex_unlock(&ps->subs_mutex);
	if(enabled)
		rtk_relay_request_keyframe(gateway, ps);
}

void rtk_relay_set_paused(janus_callbacks *gateway, rtk_sub_stream *ss, gboolean paused) {
	rtk_pub_stream *ps = ss->source;
	if(ps == NULL || g_atomic_int_get(&ss->paused) == paused)
		return;
	janus_mutex_lock(&ps->subs_mutex);
	if(!paused) {
		ss->context.seq_reset = TRUE;
		g_atomic_int_set(&ss->need_keyframe, ss->video);
	}
	g_atomic_int_set(&ss->paused, paused);
	janus_mutex_unlock(&ps->subs_mutex);
	if(!paused)
		rtk_relay_request_keyframe(gateway, ps);
}

void rtk_relay_want_keyframe(rtk_sub_stream *ss) {
	g_atomic_int_set(&ss->need_keyframe, ss->video);
}

void rtk_relay_request_keyframe(janus_callbacks *gateway, rtk_pub_stream *ps) {
	if(!ps->video)
		return;
	gint64 now = janus_get_monotonic_time();
	gint64 last = __atomic_load_n(&ps->last_pli, __ATOMIC_RELAXED);
	if(now - last < RTK_RELAY_PLI_INTERVAL_US)
		return;
	__atomic_store_n(&ps->last_pli, now, __ATOMIC_RELAXED);
	if(ps->remote_keyframe != NULL)
		ps->remote_keyframe(ps);
	else
		gateway->send_pli_stream(ps->publisher, ps->mindex);
}

/* Makes the sim context's target the policy's choice from `wanted` and
 * `limit`; subs_mutex held (or `ss` inactive). Returns whether it changed. */
static gboolean relay_retarget(rtk_sub_stream *ss) {
	int substream = rtk_fwd_layer_choose(ss->wanted, ss->limit, RTK_FWD_LAYER_HIGH);
	if(ss->sim.substream_target == substream)
		return FALSE;
	ss->sim.substream_target = substream;
	ss->switch_until = janus_get_monotonic_time() + RTK_RELAY_SWITCH_US;
	return TRUE;
}

void rtk_relay_set_layers(rtk_sub_stream *ss, int substream, int temporal) {
	rtk_pub_stream *ps = ss->source;
	if(ps != NULL)
		janus_mutex_lock(&ps->subs_mutex);
	if(substream >= 0 && substream <= 2)
		ss->wanted = substream;
	relay_retarget(ss);
	if(temporal >= 0 && temporal <= 2)
		ss->sim.templayer_target = temporal;
	ss->switch_until = janus_get_monotonic_time() + RTK_RELAY_SWITCH_US;
	if(ps != NULL)
		janus_mutex_unlock(&ps->subs_mutex);
}

void rtk_relay_set_limit(janus_callbacks *gateway, rtk_sub_stream *ss, int limit) {
	rtk_pub_stream *ps = ss->source;
	limit = CLAMP(limit, RTK_FWD_LAYER_LOW, RTK_FWD_LAYER_HIGH);
	if(ps == NULL || ss->limit == limit)
		return;
	janus_mutex_lock(&ps->subs_mutex);
	ss->limit = limit;
	gboolean changed = relay_retarget(ss);
	janus_mutex_unlock(&ps->subs_mutex);
	if(changed && ps->simulcast && g_atomic_int_get(ss->started) && !g_atomic_int_get(&ss->paused))
		rtk_relay_request_keyframe(gateway, ps);
}

int rtk_relay_current_layer(rtk_sub_stream *ss) {
	rtk_pub_stream *ps = ss->source;
	if(ps == NULL)
		return ss->sim.substream_target;
	janus_mutex_lock(&ps->subs_mutex);
	int layer = ss->sim.substream >= 0 ? ss->sim.substream : ss->sim.substream_target;
	janus_mutex_unlock(&ps->subs_mutex);
	return layer;
}

/* Whether `ss` is not on the layer chosen last, within RTK_RELAY_SWITCH_US
 * of the choice: the switch waits for a keyframe of that layer, and the one
 * request of configure may have been throttled away (or its keyframe gone
 * by before the switch could happen). */
static gboolean relay_switch_pending(rtk_sub_stream *ss) {
	if(ss->switch_until == 0)
		return FALSE;
	int target = ss->sim.substream_target_temp == -1 ? ss->sim.substream_target : ss->sim.substream_target_temp;
	if(ss->sim.substream == target || janus_get_monotonic_time() > ss->switch_until) {
		ss->switch_until = 0;
		return FALSE;
	}
	return TRUE;
}

/* Simulcast: decides whether this packet's layer goes to `ss`, and rewrites
 * the VP8 descriptor so the subscriber sees one continuous stream. Returns
 * FALSE to drop. `vp8pd` receives the original descriptor to restore. */
static gboolean relay_simulcast_filter(janus_callbacks *gateway, rtk_pub_stream *ps, rtk_sub_stream *ss,
		janus_plugin_rtp *packet, char **payload, int *plen) {
	if(!janus_rtp_simulcasting_context_process_rtp(&ss->sim, packet->buffer, packet->length,
			ps->ssrcs, ps->rids, ps->vcodec, &ss->context, &ps->rid_mutex)) {
		/* No layer is chosen until a keyframe arrives: keep asking (throttled)
		 * until one does, as relay_check_keyframe() does without simulcast. A
		 * single request at start or configure is not enough: its keyframe
		 * may pass before the subscriber's PeerConnection is up, and a second
		 * request within the throttle interval is dropped. */
		if(ss->sim.need_pli || ss->sim.substream < 0 || relay_switch_pending(ss))
			rtk_relay_request_keyframe(gateway, ps);
		return FALSE;
	}
	if(ss->sim.need_pli || relay_switch_pending(ss))
		rtk_relay_request_keyframe(gateway, ps);
	*payload = janus_rtp_payload(packet->buffer, packet->length, plen);
	return *payload != NULL;
}

/* Until a keyframe reaches `ss`, every packet checks for one and otherwise
 * asks the publisher (throttled): a subscriber that starts mid-stream or
 * lost a keyframe gets a decodable picture within a few hundred ms. */
static void relay_check_keyframe(janus_callbacks *gateway, rtk_pub_stream *ps, rtk_sub_stream *ss,
		janus_plugin_rtp *packet) {
	int plen = 0;
	char *payload = janus_rtp_payload(packet->buffer, packet->length, &plen);
	if(payload != NULL && ps->vcodec == JANUS_VIDEOCODEC_VP8 && janus_vp8_is_keyframe(payload, plen))
		g_atomic_int_set(&ss->need_keyframe, 0);
	else
		rtk_relay_request_keyframe(gateway, ps);
}

/* Sends `packet` to `ss` unless its layer or state keeps it; TRUE when sent. */
static gboolean relay_to_subscriber(janus_callbacks *gateway, rtk_pub_stream *ps, rtk_sub_stream *ss,
		janus_plugin_rtp *packet) {
	if(!g_atomic_int_get(ss->started) || g_atomic_int_get(&ss->paused))
		return FALSE;
	janus_rtp_header *header = (janus_rtp_header *)packet->buffer;
	char saved_header[12];
	memcpy(saved_header, header, sizeof(saved_header));
	char *payload = NULL;
	int plen = 0;
	char saved_vp8[6];
	gboolean vp8_rewritten = FALSE;
	if(ps->simulcast) {
		if(!relay_simulcast_filter(gateway, ps, ss, packet, &payload, &plen))
			return FALSE;
		if(ps->vcodec == JANUS_VIDEOCODEC_VP8 && plen >= (int)sizeof(saved_vp8)) {
			memcpy(saved_vp8, payload, sizeof(saved_vp8));
			janus_vp8_simulcast_descriptor_update(payload, plen, &ss->vp8, ss->sim.changed_substream);
			vp8_rewritten = TRUE;
		}
	}
	if(g_atomic_int_get(&ss->need_keyframe))
		relay_check_keyframe(gateway, ps, ss, packet);
	janus_rtp_header_update(header, &ss->context, ps->video, 0);
	header->type = ps->video ? RTK_RELAY_VP8_PT : RTK_RELAY_OPUS_PT;
	int mindex = packet->mindex;
	packet->mindex = ss->mindex;
	gateway->relay_rtp(ss->subscriber, packet);
	packet->mindex = mindex;
	memcpy(header, saved_header, sizeof(saved_header));
	if(vp8_rewritten)
		memcpy(payload, saved_vp8, sizeof(saved_vp8));
	return TRUE;
}

static void relay_forward_all(rtk_pub_stream *ps, janus_plugin_rtp *packet) {
	for(guint i = 0; i < ps->forwards->len; i++) {
		rtk_forward *f = &g_array_index(ps->forwards, rtk_forward, i);
		rtk_proc_forward(f->proc, f->ssrc, packet->buffer, packet->length);
	}
}

/* Companions get the publisher's packets as they are, but for the SSRC
 * (rtk_proc_forward rewrites its copy). Under simulcast they get the
 * highest layer through their own switching and simulcast contexts, like a
 * subscriber that asked for substream 2: the header and VP8 descriptor are
 * rewritten in place for them and restored after. */
static void relay_to_companions(janus_callbacks *gateway, rtk_pub_stream *ps, janus_plugin_rtp *packet) {
	if(!ps->simulcast) {
		relay_forward_all(ps, packet);
		return;
	}
	ps->companion_sim.rid_ext_id = ps->rid_ext_id;
	gboolean relay = janus_rtp_simulcasting_context_process_rtp(&ps->companion_sim, packet->buffer,
		packet->length, ps->ssrcs, ps->rids, ps->vcodec, &ps->companion_context, &ps->rid_mutex);
	if(ps->companion_sim.need_pli || ps->companion_sim.substream < 0)
		rtk_relay_request_keyframe(gateway, ps);
	int plen = 0;
	char *payload = relay ? janus_rtp_payload(packet->buffer, packet->length, &plen) : NULL;
	if(payload == NULL)
		return;
	janus_rtp_header *header = (janus_rtp_header *)packet->buffer;
	char saved_header[12], saved_vp8[6];
	memcpy(saved_header, header, sizeof(saved_header));
	gboolean vp8 = ps->vcodec == JANUS_VIDEOCODEC_VP8 && plen >= (int)sizeof(saved_vp8);
	if(vp8) {
		memcpy(saved_vp8, payload, sizeof(saved_vp8));
		janus_vp8_simulcast_descriptor_update(payload, plen, &ps->companion_vp8,
			ps->companion_sim.changed_substream);
	}
	janus_rtp_header_update(header, &ps->companion_context, TRUE, 0);
	relay_forward_all(ps, packet);
	memcpy(header, saved_header, sizeof(saved_header));
	if(vp8)
		memcpy(payload, saved_vp8, sizeof(saved_vp8));
}

/* Rid-based simulcast: learns which SSRC carries which layer from the rid
 * header extension, for every packet of the publisher. Chromium tags only
 * the first packets of each layer with their rid (until a receiver report
 * for that SSRC arrives, a second or so), so the mapping must be learnt
 * here and not only on a subscriber's path: a subscriber that starts
 * later, or a companion, would otherwise never recognize a layer. Runs on
 * the publisher's thread, the only writer of ps->ssrcs. */
static void relay_learn_rid(rtk_pub_stream *ps, janus_plugin_rtp *packet) {
	if(!ps->simulcast || ps->rid_ext_id < 1)
		return;
	uint32_t ssrc = ntohl(((janus_rtp_header *)packet->buffer)->ssrc);
	if(ssrc == ps->ssrcs[0] || ssrc == ps->ssrcs[1] || ssrc == ps->ssrcs[2])
		return;
	char rid[16];
	if(janus_rtp_header_extension_parse_rid(packet->buffer, packet->length, ps->rid_ext_id, rid, sizeof(rid)) != 0)
		return;
	janus_mutex_lock(&ps->rid_mutex);
	for(int i = 0; i < 3; i++) {
		if(ps->rids[i] != NULL && !strcmp(ps->rids[i], rid)) {
			ps->ssrcs[i] = ssrc;
			break;
		}
	}
	janus_mutex_unlock(&ps->rid_mutex);
}

void rtk_relay_rtp(janus_callbacks *gateway, rtk_pub_stream *ps, janus_plugin_rtp *packet) {
	if(packet->length < 12)
		return;
	relay_learn_rid(ps, packet);
	if(!g_atomic_int_get(&ps->enabled))
		return;
	if(!ps->video && ps->speakers != NULL && packet->extensions.audio_level >= 0)
		rtk_speakers_level(ps->speakers, ps->peer_id, packet->extensions.audio_level,
			packet->extensions.audio_level_vad, janus_get_monotonic_time());
	guint sent = 0;
	janus_mutex_lock(&ps->subs_mutex);
	for(guint i = 0; i < ps->subs->len; i++)
		sent += relay_to_subscriber(gateway, ps, g_ptr_array_index(ps->subs, i), packet);
	if(ps->forwards->len > 0)
		relay_to_companions(gateway, ps, packet);
	janus_mutex_unlock(&ps->subs_mutex);
	if(sent > 0)
		rtk_metrics_live_forwarded(sent, (guint)packet->length);   /* metrics_live.h */
}

void rtk_relay_rtcp(rtk_pub_stream *ps, janus_plugin_rtcp *packet) {
	rtk_sender_report sr;
	size_t at = 0;
	if(packet->buffer == NULL || packet->length < 28)
		return;
	if(!rtk_sender_report_next((const guint8 *)packet->buffer, packet->length, &at, &sr))
		return;
	janus_mutex_lock(&ps->subs_mutex);
	const char *report = packet->buffer + sr.offset;
	char shifted[RTK_RELAY_SR_MAX];
	if(ps->simulcast) {
		/* Only the layer relay_to_companions() forwards now, with its RTP
		 * timestamp moved as the switching context moves that layer's
		 * packets' (janus_rtp_header_update: out = in - base + base_prev). */
		const janus_rtp_switching_context *ctx = &ps->companion_context;
		if(ctx->last_ssrc == 0 || sr.ssrc != ctx->last_ssrc || sr.length > sizeof(shifted)) {
			janus_mutex_unlock(&ps->subs_mutex);
			return;
		}
		memcpy(shifted, report, sr.length);
		uint32_t ts = htonl(sr.rtp_ts - ctx->base_ts + ctx->base_ts_prev);
		memcpy(shifted + 16, &ts, sizeof(ts));   /* after the header, SSRC and NTP time */
		report = shifted;
	}
	for(guint i = 0; i < ps->forwards->len; i++) {
		rtk_forward *f = &g_array_index(ps->forwards, rtk_forward, i);
		rtk_proc_forward_rtcp(f->proc, f->ssrc, report, sr.length);
	}
	janus_mutex_unlock(&ps->subs_mutex);
}

void rtk_relay_forward_add(rtk_pub_stream *ps, rtk_proc *proc, uint32_t ssrc) {
	janus_mutex_lock(&ps->subs_mutex);
	if(ps->forwards->len == 0)
		relay_companion_reset(ps);   /* the first companion starts on a keyframe of its own */
	gboolean found = FALSE;
	for(guint i = 0; i < ps->forwards->len; i++) {
		rtk_forward *f = &g_array_index(ps->forwards, rtk_forward, i);
		if(f->proc == proc) {
			f->ssrc = ssrc;
			found = TRUE;
		}
	}
	if(!found) {
		rtk_forward f = { rtk_proc_ref(proc), ssrc };
		g_array_append_val(ps->forwards, f);
	}
	janus_mutex_unlock(&ps->subs_mutex);
}

void rtk_relay_forward_remove(rtk_pub_stream *ps, rtk_proc *proc) {
	janus_mutex_lock(&ps->subs_mutex);
	for(guint i = 0; i < ps->forwards->len; i++) {
		if(g_array_index(ps->forwards, rtk_forward, i).proc == proc) {
			rtk_proc_unref(proc);
			g_array_remove_index_fast(ps->forwards, i);
			break;
		}
	}
	janus_mutex_unlock(&ps->subs_mutex);
}
