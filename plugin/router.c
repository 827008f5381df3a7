/*
 * router.c - who receives which published stream in one live meeting
 * (router.h): the producers, the subscriber slots they feed, and the
 * listeners (captures) told when producers come and go.
 */
#include <string.h>

#include "router.h"
#include "session.h"
#include "subscriber.h"

typedef struct router_listener {
	const rtk_router_listener *callbacks;
	void *user;
} router_listener;

rtk_router *rtk_router_new(void) {
	rtk_router *router = g_new0(rtk_router, 1);
	router->producers = g_ptr_array_new();
	router->subscribers = g_ptr_array_new();
	router->listeners = g_array_new(FALSE, FALSE, sizeof(router_listener));
	return router;
}

void rtk_router_free(rtk_router *router) {
	if(router == NULL)
		return;
	g_ptr_array_free(router->producers, TRUE);
	g_ptr_array_free(router->subscribers, TRUE);
	g_array_free(router->listeners, TRUE);
	g_free(router);
}

gboolean rtk_router_is_empty(const rtk_router *router) {
	return router->producers->len == 0 && router->subscribers->len == 0;
}

/* ---- slots: the consumers of subscriber handles ---- */

/* Feeds `ps` to `sub` on a free slot of the same kind, or a new one. */
static void router_feed(rtk_session *sub, rtk_pub_stream *ps) {
	rtk_sub_stream *slot = NULL;
	for(guint i = 0; i < sub->slots->len && slot == NULL; i++) {
		rtk_sub_stream *ss = g_ptr_array_index(sub->slots, i);
		if(ss->source == NULL && ss->video == ps->video)
			slot = ss;
	}
	if(slot == NULL) {
		slot = rtk_sub_stream_new(sub->handle, sub->slots->len, ps->video, &sub->started, sub);
		g_ptr_array_add(sub->slots, slot);
	}
	rtk_relay_attach(ps, slot);
}

/* A participant never receives its own streams. */
static gboolean router_receives(const rtk_session *sub, const rtk_pub_stream *ps) {
	return strcmp(sub->peer->id, ps->peer_id) != 0;
}

static void router_mark_owner(rtk_sub_stream *ss, void *user) {
	GPtrArray *affected = user;
	if(!g_ptr_array_find(affected, ss->owner, NULL))
		g_ptr_array_add(affected, ss->owner);
}

/* ---- producers ---- */

void rtk_router_add_producers(rtk_router *router, GPtrArray *streams) {
	for(guint i = 0; i < streams->len; i++)
		if(g_ptr_array_index(streams, i) != NULL)
			g_ptr_array_add(router->producers, g_ptr_array_index(streams, i));
	for(guint s = 0; s < router->subscribers->len; s++) {
		rtk_session *sub = g_ptr_array_index(router->subscribers, s);
		gboolean fed = FALSE;
		for(guint i = 0; i < streams->len; i++) {
			rtk_pub_stream *ps = g_ptr_array_index(streams, i);
			if(ps != NULL && router_receives(sub, ps)) {
				router_feed(sub, ps);
				fed = TRUE;
			}
		}
		if(fed)
			rtk_subscriber_renegotiate(sub);
	}
	for(guint i = 0; i < streams->len; i++) {
		rtk_pub_stream *ps = g_ptr_array_index(streams, i);
		for(guint l = 0; ps != NULL && l < router->listeners->len; l++) {
			router_listener *listener = &g_array_index(router->listeners, router_listener, l);
			if(listener->callbacks->producer_added)
				listener->callbacks->producer_added(router, ps, listener->user);
		}
	}
}

void rtk_router_close_producers(rtk_router *router, rtk_pub_stream **streams, int n) {
	GPtrArray *affected = g_ptr_array_new();
	for(int i = 0; i < n; i++) {
		rtk_pub_stream *ps = streams[i];
		if(ps == NULL)
			continue;
		g_ptr_array_remove(router->producers, ps);
		for(guint l = 0; l < router->listeners->len; l++) {
			router_listener *listener = &g_array_index(router->listeners, router_listener, l);
			if(listener->callbacks->producer_closed)
				listener->callbacks->producer_closed(router, ps, listener->user);
		}
		rtk_relay_detach_all(ps, router_mark_owner, affected);
	}
	for(guint i = 0; i < affected->len; i++)
		rtk_subscriber_renegotiate(g_ptr_array_index(affected, i));
	g_ptr_array_free(affected, TRUE);
}

gboolean rtk_router_peer_produces(const rtk_router *router, const char *peer_id, rtk_media_kind kind) {
	for(guint i = 0; i < router->producers->len; i++) {
		const rtk_pub_stream *ps = g_ptr_array_index(router->producers, i);
		if(ps->type == kind && !strcmp(ps->peer_id, peer_id))
			return TRUE;
	}
	return FALSE;
}

/* ---- subscribers ---- */

void rtk_router_add_subscriber(rtk_router *router, rtk_session *sub) {
	g_ptr_array_add(router->subscribers, sub);
	for(guint i = 0; i < router->producers->len; i++) {
		rtk_pub_stream *ps = g_ptr_array_index(router->producers, i);
		if(router_receives(sub, ps))
			router_feed(sub, ps);
	}
}

void rtk_router_remove_subscriber(rtk_router *router, rtk_session *sub) {
	g_ptr_array_remove_fast(router->subscribers, sub);
	if(sub->slots != NULL)
		g_ptr_array_free(sub->slots, TRUE);   /* frees and detaches every slot */
	sub->slots = NULL;
}

/* ---- listeners ---- */

void rtk_router_listen(rtk_router *router, const rtk_router_listener *callbacks, void *user) {
	rtk_router_unlisten(router, user);
	router_listener listener = { callbacks, user };
	g_array_append_val(router->listeners, listener);
}

void rtk_router_unlisten(rtk_router *router, void *user) {
	for(guint l = 0; l < router->listeners->len; l++) {
		if(g_array_index(router->listeners, router_listener, l).user == user) {
			g_array_remove_index(router->listeners, l);
			return;
		}
	}
}
