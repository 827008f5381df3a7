/*
 * policy.h - applies the forwarding policy (model/forwarding.h) to the
 * relay: which simulcast layer each camera tile of a subscriber gets, and
 * whose audio it gets under last-N; which simulcast layers each publisher
 * sends at all ("dynacast": publisherLayers events); and feeds the policy
 * the subscriber's receiver reports.
 *
 * Runs with the meeting's lock held (meeting_lock.h), from the view pass
 * of the meeting's tick and of every operation (session.c,
 * session_view_apply) and from a subscriber's RTCP (plugin.c); it touches
 * the relay's streams only through relay.h, which takes their subs_mutex.
 */
#ifndef RTK_POLICY_H
#define RTK_POLICY_H

#include <glib.h>
#include <plugins/plugin.h>
#include "session.h"

/* Last-N audio: each subscriber gets the audio of the `n` loudest other
 * speakers (0: everyone's, the default). Set once at init (the plugin's
 * last_n_audio setting). */
void rtk_policy_set_last_n(guint n);

/* Publisher layers (RTK_DYNACAST; on unless "0"): off, publishers are
 * never told to pause a layer. Set once at init. */
void rtk_policy_set_dynacast(gboolean on);

/* After the views of `live` were applied to every subscriber
 * (rtk_live_apply_views): each local simulcast stream's publisher is told,
 * in a publisherLayers event on its main handle, the layers its consumers
 * need when that changed (forwarding.h, "publisher layers": raised at
 * once, with a keyframe request; lowered after the hold). */
void rtk_policy_publishers(rtk_live *live);

/* Tells the publisher on `handle` again the layers each of its simulcast
 * streams sends now (publisherLayers), changed or not: for a client that
 * synced after its socket came back, and may have missed the last change.
 * The meeting's lock held. */
void rtk_policy_publisher_resend(rtk_live *live, janus_plugin_session *handle);

/* One subscriber `sub` of `live`: its video slots showing `selected`
 * (rtk_peer*, borrowed: the viewer's view, in its order) get their layer
 * limits; its audio slots are paused or resumed by last-N. Slots of peers
 * not shown are left to the caller (paused). */
void rtk_policy_apply(rtk_live *live, rtk_session *sub, GPtrArray *selected);

/* A subscriber's receiver report: `fraction_lost` (0..255, the worst of
 * its report blocks, rtk_fwd_rtcp_max_loss) moves the downlink limit of
 * each simulcast stream it receives now (the loss is the downlink's, and
 * Janus hands over the compound RTCP once for all of them); a limit that
 * drops takes effect at once, one that rises at the next rtk_policy_apply. */
void rtk_policy_subscriber_loss(rtk_session *sub, guint8 fraction_lost);

#endif
