/*
 * offer_plan.h - which m-lines of a publisher's offer the plugin accepts,
 * and as which kind (microphone, camera, screenshare): the rules media.h
 * states, on m-lines already parsed.
 *
 * Owns the decisions the plugin makes on attacker-controlled SDP: the SDP
 * text itself is parsed, and the answer written, by the Janus core's SDP
 * utilities (janus_sdp_parse, janus_sdp_generate_answer_mline in media.c),
 * which live in the janus executable; media.c copies what each m-line says
 * into a rtk_offer_mline and this file decides, with the request's
 * `descriptions` ({mid, type} objects a client sends, untrusted JSON) and
 * the kinds the preset allows. Plain C + GLib + Jansson, so a unit test
 * (tests/unit/test_offer_plan.c) and a fuzzer (tests/fuzz/fuzz_offer.c)
 * drive the same code the plugin runs.
 */
#ifndef RTK_OFFER_PLAN_H
#define RTK_OFFER_PLAN_H

#include <glib.h>
#include <jansson.h>
#include "permissions.h"

/* What an m-line carries (m=audio, m=video, anything else). */
typedef enum rtk_offer_media {
	RTK_OFFER_OTHER = 0,
	RTK_OFFER_AUDIO,
	RTK_OFFER_VIDEO
} rtk_offer_media;

typedef struct rtk_offer_mline {
	/* What the offer says (media.c fills these from Janus's parse). */
	rtk_offer_media media;
	int port;                /* the m-line's port: 0 rejects the line */
	gboolean sends;          /* direction sendonly or sendrecv */
	const char *mid;         /* its a=mid, borrowed; NULL when absent */
	gboolean has_codec;      /* it offers rtk_offer_codec(media) */
	/* What the plugin answers (rtk_offer_plan fills these). */
	gboolean accept;         /* receive it (recvonly), else inactive */
	rtk_media_kind kind;     /* when accepted: what the stream is */
} rtk_offer_mline;

/* The codec the plugin takes for `media`: "opus", "vp8", or NULL. */
const char *rtk_offer_codec(rtk_offer_media media);

/* Decides every line of an offer (`count` lines, in m-line order). At most
 * one line per kind is accepted (the first that qualifies); a line
 * qualifies when it is audio or video, sends, has a port, offers the codec
 * and its kind is `allowed`. An audio line is the microphone; a video line
 * is what `descriptions` (borrowed, may be NULL or anything) says for its
 * mid ("video" or "screenshare"), else the camera, or the screenshare
 * once a camera was accepted. */
void rtk_offer_plan(rtk_offer_mline *lines, size_t count, const json_t *descriptions,
	const gboolean allowed[RTK_MEDIA_KINDS]);

#endif
