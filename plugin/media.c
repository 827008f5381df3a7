/*
 * media.c - offer/answer for publishers and subscribers (see media.h).
 */
#include <string.h>
#include <sdp-utils.h>
#include "media.h"

static const char *media_mline_mid(janus_sdp_mline *m) {
	for(GList *l = m->attributes; l != NULL; l = l->next) {
		janus_sdp_attribute *a = l->data;
		if(a->name && !strcmp(a->name, "mid"))
			return a->value;
	}
	return NULL;
}

/* The type a client declared for `mid` in `descriptions`, or -1. */
static int media_described_type(json_t *descriptions, const char *mid) {
	size_t i;
	json_t *d;
	if(mid == NULL || !json_is_array(descriptions))
		return -1;
	json_array_foreach(descriptions, i, d) {
		const char *dmid = json_string_value(json_object_get(d, "mid"));
		const char *type = json_string_value(json_object_get(d, "type"));
		if(dmid == NULL || type == NULL || strcmp(dmid, mid))
			continue;
		if(!strcmp(type, "screenshare"))
			return RTK_MEDIA_SCREENSHARE;
		if(!strcmp(type, "video"))
			return RTK_MEDIA_VIDEO;
		if(!strcmp(type, "audio"))
			return RTK_MEDIA_AUDIO;
	}
	return -1;
}

static rtk_media_kind media_mline_type(janus_sdp_mline *m, json_t *descriptions, const gboolean *taken) {
	if(m->type == JANUS_SDP_AUDIO)
		return RTK_MEDIA_AUDIO;
	int described = media_described_type(descriptions, media_mline_mid(m));
	if(described == RTK_MEDIA_VIDEO || described == RTK_MEDIA_SCREENSHARE)
		return described;
	return taken[RTK_MEDIA_VIDEO] ? RTK_MEDIA_SCREENSHARE : RTK_MEDIA_VIDEO;
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
		const char *user_id, const char *offer_sdp, json_t *simulcast, json_t *descriptions,
		const gboolean allowed[RTK_MEDIA_KINDS], GPtrArray *streams, char *error, size_t errlen) {
	janus_sdp *offer = janus_sdp_parse(offer_sdp, error, errlen);
	if(offer == NULL)
		return NULL;
	janus_sdp *answer = janus_sdp_generate_answer(offer);
	gboolean taken[RTK_MEDIA_KINDS] = { FALSE };
	for(GList *l = offer->m_lines; l != NULL; l = l->next) {
		janus_sdp_mline *m = l->data;
		if(m->type != JANUS_SDP_AUDIO && m->type != JANUS_SDP_VIDEO) {
			janus_sdp_generate_answer_mline(offer, answer, m,
				JANUS_SDP_OA_MLINE, m->type, JANUS_SDP_OA_ENABLED, FALSE, JANUS_SDP_OA_DONE);
			continue;
		}
		rtk_media_kind type = media_mline_type(m, descriptions, taken);
		const char *codec = (m->type == JANUS_SDP_AUDIO) ? "opus" : "vp8";
		gboolean sending = (m->port > 0 &&
			(m->direction == JANUS_SDP_SENDONLY || m->direction == JANUS_SDP_SENDRECV));
		gboolean accept = sending && !taken[type] &&
			allowed[type] &&
			janus_sdp_get_codec_pt(offer, m->index, codec) != -1;
		janus_sdp_generate_answer_mline(offer, answer, m,
			JANUS_SDP_OA_MLINE, m->type,
			JANUS_SDP_OA_ENABLED, accept,
			JANUS_SDP_OA_CODEC, codec,
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
		taken[type] = TRUE;
		rtk_pub_stream *ps = rtk_pub_stream_new(publisher, peer_id, user_id, m->index,
			media_mline_mid(m), type);
		if(ps->video)
			ps->vcodec = JANUS_VIDEOCODEC_VP8;
		else
			ps->acodec = JANUS_AUDIOCODEC_OPUS;
		media_apply_simulcast(ps, simulcast);
		g_ptr_array_add(streams, ps);
	}
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
