/*
 * media.c - offer/answer for publishers and subscribers (see media.h).
 *
 * The SDP text is Janus's to parse and write (sdp-utils); which lines of a
 * publisher's offer are taken, and as what, is offer_plan.c's.
 */
#include <string.h>
#include <sdp-utils.h>
#include "media.h"
#include "offer_plan.h"

static const char *media_mline_mid(janus_sdp_mline *m) {
	for(GList *l = m->attributes; l != NULL; l = l->next) {
		janus_sdp_attribute *a = l->data;
		if(a->name && !strcmp(a->name, "mid"))
			return a->value;
	}
	return NULL;
}

static void media_apply_simulcast(rtk_pub_stream *ps, json_t *simulcast) {
	size_t i;
	json_t *s;
	if(!json_is_array(simulcast))
		return;
	json_array_foreach(simulcast, i, s) {
		if(json_integer_value(json_object_get(s, "mindex")) != ps->mindex)
			continue;
		ps->simulcast = TRUE;
		janus_mutex_lock(&ps->rid_mutex);
		janus_rtp_simulcasting_prepare(s, &ps->rid_ext_id, ps->ssrcs, ps->rids);
		janus_mutex_unlock(&ps->rid_mutex);
	}
}

char *rtk_media_answer_publisher(janus_plugin_session *publisher, const char *peer_id,
		const char *user_id, const char *offer_sdp, json_t *simulcast, const json_t *descriptions,
		const gboolean allowed[RTK_MEDIA_KINDS], GPtrArray *streams, char *error, size_t errlen) {
	janus_sdp *offer = janus_sdp_parse(offer_sdp, error, errlen);
	if(offer == NULL)
		return NULL;
	janus_sdp *answer = janus_sdp_generate_answer(offer);
	/* What each m-line says, for the rules of offer_plan.c. */
	guint count = g_list_length(offer->m_lines), i = 0;
	rtk_offer_mline *lines = g_new0(rtk_offer_mline, count);
	for(GList *l = offer->m_lines; l != NULL; l = l->next, i++) {
		janus_sdp_mline *m = l->data;
		rtk_offer_mline *line = &lines[i];
		line->media = m->type == JANUS_SDP_AUDIO ? RTK_OFFER_AUDIO :
			m->type == JANUS_SDP_VIDEO ? RTK_OFFER_VIDEO : RTK_OFFER_OTHER;
		line->port = m->port;
		line->sends = m->direction == JANUS_SDP_SENDONLY || m->direction == JANUS_SDP_SENDRECV;
		line->mid = media_mline_mid(m);
		const char *codec = rtk_offer_codec(line->media);
		line->has_codec = codec != NULL && janus_sdp_get_codec_pt(offer, m->index, codec) != -1;
	}
	rtk_offer_plan(lines, count, descriptions, allowed);
	i = 0;
	for(GList *l = offer->m_lines; l != NULL; l = l->next, i++) {
		janus_sdp_mline *m = l->data;
		const rtk_offer_mline *line = &lines[i];
		if(line->media == RTK_OFFER_OTHER) {
			janus_sdp_generate_answer_mline(offer, answer, m,
				JANUS_SDP_OA_MLINE, m->type, JANUS_SDP_OA_ENABLED, FALSE, JANUS_SDP_OA_DONE);
			continue;
		}
		gboolean accept = line->accept;
		janus_sdp_generate_answer_mline(offer, answer, m,
			JANUS_SDP_OA_MLINE, m->type,
			JANUS_SDP_OA_ENABLED, accept,
			JANUS_SDP_OA_CODEC, rtk_offer_codec(line->media),
			JANUS_SDP_OA_DIRECTION, accept ? JANUS_SDP_RECVONLY : JANUS_SDP_INACTIVE,
			JANUS_SDP_OA_ACCEPT_EXTMAP, JANUS_RTP_EXTMAP_MID,
			JANUS_SDP_OA_ACCEPT_EXTMAP, JANUS_RTP_EXTMAP_RID,
			JANUS_SDP_OA_ACCEPT_EXTMAP, JANUS_RTP_EXTMAP_REPAIRED_RID,
			JANUS_SDP_OA_ACCEPT_EXTMAP, JANUS_RTP_EXTMAP_AUDIO_LEVEL,
			/* The Janus core answers these with congestion feedback, so a browser
			 * publisher can adapt its bitrate. */
			JANUS_SDP_OA_ACCEPT_EXTMAP, JANUS_RTP_EXTMAP_TRANSPORT_WIDE_CC,
			JANUS_SDP_OA_ACCEPT_EXTMAP, JANUS_RTP_EXTMAP_ABS_SEND_TIME,
			JANUS_SDP_OA_DONE);
		if(!accept)
			continue;
		rtk_pub_stream *ps = rtk_pub_stream_new(publisher, peer_id, user_id, m->index,
			line->mid, line->kind);
		if(ps->video)
			ps->vcodec = JANUS_VIDEOCODEC_VP8;
		else
			ps->acodec = JANUS_AUDIOCODEC_OPUS;
		media_apply_simulcast(ps, simulcast);
		g_ptr_array_add(streams, ps);
	}
	g_free(lines);
	char *sdp = janus_sdp_write(answer);
	janus_sdp_destroy(offer);
	janus_sdp_destroy(answer);
	if(sdp == NULL)
		g_snprintf(error, errlen, "could not write the SDP answer");
	return sdp;
}

char *rtk_media_offer_subscriber(GPtrArray *slots, guint64 version) {
	janus_sdp *offer = janus_sdp_generate_offer("RTK", "0.0.0.0", JANUS_SDP_OA_DONE);
	for(guint i = 0; i < slots->len; i++) {
		rtk_sub_stream *ss = g_ptr_array_index(slots, i);
		rtk_pub_stream *ps = ss->source;
		char *track_id = ps ? g_strdup_printf("%s-%s", ps->peer_id, rtk_media_kind_name(ps->type)) : NULL;
		janus_sdp_generate_offer_mline(offer,
			JANUS_SDP_OA_MLINE, ss->video ? JANUS_SDP_VIDEO : JANUS_SDP_AUDIO,
			JANUS_SDP_OA_MID, ss->mid,
			JANUS_SDP_OA_MSID, ps ? ps->peer_id : NULL, track_id,
			JANUS_SDP_OA_PT, ss->video ? RTK_RELAY_VP8_PT : RTK_RELAY_OPUS_PT,
			JANUS_SDP_OA_CODEC, ss->video ? "vp8" : "opus",
			JANUS_SDP_OA_DIRECTION, ps ? JANUS_SDP_SENDONLY : JANUS_SDP_INACTIVE,
			JANUS_SDP_OA_EXTENSION, JANUS_RTP_EXTMAP_MID, janus_rtp_extension_id(JANUS_RTP_EXTMAP_MID),
			JANUS_SDP_OA_EXTENSION, JANUS_RTP_EXTMAP_AUDIO_LEVEL,
				ss->video ? 0 : janus_rtp_extension_id(JANUS_RTP_EXTMAP_AUDIO_LEVEL),
			JANUS_SDP_OA_DONE);
		g_free(track_id);
	}
	offer->o_version = version;
	char *sdp = janus_sdp_write(offer);
	janus_sdp_destroy(offer);
	return sdp;
}

json_t *rtk_media_slots_json(GPtrArray *slots) {
	json_t *streams = json_array();
	for(guint i = 0; i < slots->len; i++) {
		rtk_sub_stream *ss = g_ptr_array_index(slots, i);
		rtk_pub_stream *ps = ss->source;
		json_t *s = json_pack("{ss ss sb}", "mid", ss->mid, "kind", ss->video ? "video" : "audio",
			"active", ps != NULL);
		if(ps != NULL) {
			json_object_set_new(s, "type", json_string(rtk_media_kind_name(ps->type)));
			json_object_set_new(s, "participantId", json_string(ps->peer_id));
			json_object_set_new(s, "userId", json_string(ps->user_id));
		}
		json_array_append_new(streams, s);
	}
	return streams;
}
