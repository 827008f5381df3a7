/*
 * subscriber.h - the negotiation of a subscriber handle: the offers it is
 * sent as its slots change (router.h decides what the slots carry), ICE
 * restarts, and the keyframes its first pictures need.
 *
 * Every function runs with the meeting's lock held (meeting_lock.h).
 */
#ifndef RTK_SUBSCRIBER_H
#define RTK_SUBSCRIBER_H

#include "session.h"

/* Sends `event_name` ("subscribed", "updated") with the slots and, when
 * there is at least one, a fresh offer (with `transaction`, may be NULL). */
void rtk_subscriber_send_offer(rtk_session *sub, const char *event_name, const char *transaction);
/* Sends an `updated` offer now, or once the outstanding one is answered. */
void rtk_subscriber_renegotiate(rtk_session *sub);
/* Answers a subscriber's `configure` {"restart": true}: a fresh `updated`
 * offer (with `transaction`) that asks the Janus core for an ICE restart,
 * sent at once even when an earlier offer is still unanswered (it may have
 * been lost with the client's socket). */
void rtk_subscriber_restart(rtk_session *sub, const char *transaction);
/* Makes every slot wait for a keyframe (its m-line was (re)negotiated). */
void rtk_subscriber_want_keyframes(rtk_session *sub);
/* The subscriber's PeerConnection is up: as rtk_subscriber_want_keyframes,
 * and every publisher it forwards video from (not paused) is asked for a
 * keyframe now rather than on that publisher's next packet, which can be a
 * frame interval (33 ms at 30 fps) away. */
void rtk_subscriber_request_keyframes(rtk_session *sub);

#endif
