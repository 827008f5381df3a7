/*
 * router.h - who receives which published stream in one live meeting.
 *
 * A router owns the meeting's routing: its producers (the published
 * streams, rtk_pub_stream) and their consumers, which are the subscriber
 * handles' m-line slots (rtk_sub_stream) and the companions' UDP feeds
 * (recordings and livestreams, capture.c). Every change of who receives
 * what goes through here, in pairs:
 *
 *   producers added    every subscriber of another participant gets a slot
 *                      fed by each (one `updated` offer per subscriber for
 *                      the batch); listeners hear producer_added
 *   producers closed   listeners hear producer_closed, then every slot fed
 *                      by them is detached (its subscriber renegotiates);
 *                      only then may the publisher free the streams
 *   subscriber added   it gets a slot for every producer of the others
 *   subscriber removed its slots are detached and freed
 *
 * Companions are the listeners: a capture starts and stops feeding its
 * companion from a stream when these events say so (relay.h,
 * rtk_relay_forward_add/remove), so it never looks for streams itself.
 *
 * Ownership: a producer is owned by its publisher's session (session.h,
 * `pub`), a subscriber session by the plugin's session table, a listener's
 * `user` by whoever registered it; the router borrows them all and frees
 * only its own arrays. A router is freed empty (no producer, no
 * subscriber): the meeting ends when nobody is in it or watching it.
 *
 * Locking: every call is made with the meeting's lock held (meeting_lock.h); the
 * relay path does not use the router. Listeners are called with it held
 * and must not call back into the router.
 */
#ifndef RTK_ROUTER_H
#define RTK_ROUTER_H

#include <glib.h>
#include "relay.h"

typedef struct rtk_session rtk_session;
typedef struct rtk_router rtk_router;

typedef struct rtk_router_listener {
	/* `ps` is relayed from now on; its participant is ps->peer_id. */
	void (*producer_added)(rtk_router *router, rtk_pub_stream *ps, void *user);
	/* `ps` is about to be freed: stop feeding from it now. It is no longer
	 * among the router's producers. */
	void (*producer_closed)(rtk_router *router, rtk_pub_stream *ps, void *user);
} rtk_router_listener;

struct rtk_router {
	GPtrArray *producers;    /* rtk_pub_stream*, borrowed, in the order added */
	GPtrArray *subscribers;  /* rtk_session* in SUBSCRIBER role, borrowed */
	GArray *listeners;       /* router_listener (router.c) */
};

rtk_router *rtk_router_new(void);
/* The router must be empty (no producer, no subscriber); listeners still
 * registered are forgotten. */
void rtk_router_free(rtk_router *router);
gboolean rtk_router_is_empty(const rtk_router *router);

/* Producers: `streams` (rtk_pub_stream*, borrowed; NULL entries skipped)
 * were just put in their publisher's `pub` table. */
void rtk_router_add_producers(rtk_router *router, GPtrArray *streams);
/* The `n` streams of `streams` (NULL entries skipped) were just taken out
 * of their publisher's `pub` table; after this call no consumer uses them
 * and the caller frees them. */
void rtk_router_close_producers(rtk_router *router, rtk_pub_stream **streams, int n);
/* Whether participant `peer_id` publishes a stream of `kind`. */
gboolean rtk_router_peer_produces(const rtk_router *router, const char *peer_id, rtk_media_kind kind);

/* Subscribers: `sub` (its role, peer and empty `slots` set) receives every
 * producer of the other participants from now on; no offer is sent. */
void rtk_router_add_subscriber(rtk_router *router, rtk_session *sub);
/* Detaches and frees `sub`'s slots (sub->slots becomes NULL). */
void rtk_router_remove_subscriber(rtk_router *router, rtk_session *sub);

/* Listeners: `user` identifies the registration (one per user). */
void rtk_router_listen(rtk_router *router, const rtk_router_listener *listener, void *user);
void rtk_router_unlisten(rtk_router *router, void *user);

#endif
