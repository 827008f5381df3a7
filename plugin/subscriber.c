/*
 * subscriber.c - a subscriber handle's offers and keyframes
 * (subscriber.h). Which streams its slots carry is the router's
 * business (router.c).
 */
#include "subscriber.h"
#include "media.h"

/* Pushes `event_name` with the slots and, when there is one, a fresh offer;
 * `restart` asks the Janus core to restart its side of ICE with it. */
static void subscriber_offer(rtk_session *sub, const char *event_name, const char *transaction,
		gboolean restart) {
	json_t *event = rtk_event_new(event_name);
	json_object_set_new(event, "streams", rtk_media_slots_json(sub->slots));
	if(restart)
		json_object_set_new(event, "restart", json_true());
	json_t *jsep = NULL;
	if(sub->slots->len > 0) {
		char *sdp = rtk_media_offer_subscriber(sub->slots, ++sub->sdp_version);
		jsep = rtk_jsep_new("offer", sdp);
		if(restart)
			json_object_set_new(jsep, "restart", json_true());
		g_free(sdp);
		sub->offer_outstanding = TRUE;
		sub->offer_needed = FALSE;
	}
	rtk_janus->push_event(sub->handle, &rtk_plugin, transaction, event, jsep);
	json_decref(event);
	json_decref(jsep);
}

void rtk_subscriber_send_offer(rtk_session *sub, const char *event_name, const char *transaction) {
	subscriber_offer(sub, event_name, transaction, FALSE);
}

void rtk_subscriber_restart(rtk_session *sub, const char *transaction) {
	subscriber_offer(sub, "updated", transaction, TRUE);
}

void rtk_subscriber_renegotiate(rtk_session *sub) {
	if(sub->offer_outstanding) {
		sub->offer_needed = TRUE;
		return;
	}
	rtk_subscriber_send_offer(sub, "updated", NULL);
}

void rtk_subscriber_want_keyframes(rtk_session *sub) {
	for(guint i = 0; i < sub->slots->len; i++)
		rtk_relay_want_keyframe(g_ptr_array_index(sub->slots, i));
}

void rtk_subscriber_request_keyframes(rtk_session *sub) {
	for(guint i = 0; i < sub->slots->len; i++) {
		rtk_sub_stream *ss = g_ptr_array_index(sub->slots, i);
		rtk_relay_want_keyframe(ss);
		if(ss->source != NULL && ss->video && !g_atomic_int_get(&ss->paused))
			rtk_relay_request_keyframe(rtk_janus, ss->source);
	}
}
