/*
 * media.h - SDP negotiation for publishers and subscribers.
 *
 * Owns the offer/answer exchange: answering a publisher's offer with the
 * m-lines offer_plan.h accepts (Opus audio, VP8 video; one microphone, one
 * camera, one screenshare; only kinds the preset allows) and how a
 * subscriber's offer is laid out (one m-line per slot, inactive slots kept
 * for reuse).
 */
#ifndef RTK_MEDIA_H
#define RTK_MEDIA_H

#include <glib.h>
#include <jansson.h>
#include "relay.h"
#include "permissions.h"

/* Answers a publisher's offer, accepting an m-line only for a kind
 * `allowed` (the caller's rtk_peer_may_publish verdicts). `simulcast` and
 * `descriptions` are borrowed (may be NULL): the JSEP's "simulcast" array
 * from the Janus core, the request's "descriptions" array ({mid, type}). On success returns the
 * answer SDP (g_free) and fills `streams` (owned rtk_pub_stream*, one per
 * accepted m-line, indexed by nothing: each knows its mindex). On failure
 * returns NULL with a message in `error`. */
char *rtk_media_answer_publisher(janus_plugin_session *publisher, const char *peer_id,
	const char *user_id, const char *offer_sdp, json_t *simulcast, const json_t *descriptions,
	const gboolean allowed[RTK_MEDIA_KINDS], GPtrArray *streams, char *error, size_t errlen);

/* Builds a subscriber offer with one m-line per slot (rtk_sub_stream*, in
 * mindex order); slots without a source are inactive. Returns g_free-able SDP. */
char *rtk_media_offer_subscriber(GPtrArray *slots, guint64 version);

/* The `streams` array of subscribed/updated events (a NEW reference). */
json_t *rtk_media_slots_json(GPtrArray *slots);

#endif
