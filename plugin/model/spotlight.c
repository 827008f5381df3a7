/*
 * spotlight.c - the room's spotlight (room.h): meta.setBroadcastTabChanges
 * and meta.setSelfActiveTab.
 *
 * Each peer keeps its own active tab (peer->active_tab) and whether it
 * broadcasts its tab changes (peer->broadcast_tabs). At most one joined
 * peer broadcasts at a time: the room's spotlighter (room->spotlight_peer,
 * a peer id, so a peer freed without us can never be reached through it).
 * While there is one, every other joined peer follows its tab: each tab it
 * sets reaches them as activeTabUpdate. The rule for a second peer that
 * turns broadcasting on: the latest to enable takes over, and the previous
 * spotlighter is told (broadcastTabChangesUpdate). A spotlight ends when
 * its peer turns it off, is replaced, leaves or loses can_spotlight: the
 * others get spotlightEnded with the reason.
 */
#include <string.h>
#include "room_internal.h"

/* The current spotlighter (a joined peer), or NULL. */
static rtk_peer *spotlight_peer(const rtk_room *room) {
	return room->spotlight_peer ? rtk_room_find_peer((rtk_room *)room, room->spotlight_peer) : NULL;
}

/* Delivers `event` (consumed) to every joined peer but `except` (may be NULL). */
static void spotlight_send_others(rtk_room *room, const rtk_peer *except, json_t *event) {
	for(guint i = 0; i < room->peers->len; i++) {
		rtk_peer *peer = g_ptr_array_index(room->peers, i);
		if(peer != except)
			room_send(room, peer, event);
	}
	json_decref(event);
}

/* The others follow `spotlighter`'s tab: activeTabUpdate (nothing while it
 * has set none). */
static void spotlight_announce_tab(rtk_room *room, const rtk_peer *spotlighter) {
	if(spotlighter->active_tab == NULL)
		return;
	spotlight_send_others(room, spotlighter, json_pack("{ss sO ss}", "rtk", "activeTabUpdate",
		"tab", spotlighter->active_tab, "participantId", spotlighter->id));
}

/* Ends `peer`'s spotlight, if it is the room's: every other joined peer
 * gets spotlightEnded {participantId, reason}. */
static void spotlight_end(rtk_room *room, rtk_peer *peer, const char *reason) {
	peer->broadcast_tabs = FALSE;
	if(g_strcmp0(room->spotlight_peer, peer->id))
		return;
	g_clear_pointer(&room->spotlight_peer, g_free);
	spotlight_send_others(room, peer, json_pack("{ss ss ss}", "rtk", "spotlightEnded",
		"participantId", peer->id, "reason", reason));
}

/* Tells `peer` it no longer broadcasts: broadcastTabChangesUpdate
 * {broadcastTabChanges: false, reason, participantId: who took over or null}. */
static void spotlight_tell_off(rtk_room *room, rtk_peer *peer, const char *reason, const rtk_peer *by) {
	json_t *told = json_pack("{ss sb ss s:s?}", "rtk", "broadcastTabChangesUpdate", "broadcastTabChanges", 0,
		"reason", reason, "participantId", by ? by->id : NULL);
	room_send(room, peer, told);
	json_decref(told);
}

/* 0003 for a peer in the waiting room. */
static gboolean spotlight_joined(const rtk_peer *actor, rtk_refusal *why) {
	if(!actor->waitlisted)
		return TRUE;
	rtk_refusal_set(why, RTK_ERR_NOT_JOINED, "you are in the waiting room: wait to be accepted");
	return FALSE;
}

gboolean rtk_room_set_broadcast_tabs(rtk_room *room, rtk_peer *actor, gboolean enabled, rtk_refusal *why) {
	if(!spotlight_joined(actor, why))
		return FALSE;
	if(!enabled) {
		spotlight_end(room, actor, "disabled");
		return TRUE;
	}
	if(!room_actor_may(actor, RTK_ACTION_SPOTLIGHT, why))
		return FALSE;
	rtk_peer *previous = spotlight_peer(room);
	if(previous == actor)
		return TRUE;
	if(previous != NULL) {
		spotlight_tell_off(room, previous, "replaced", actor);
		spotlight_end(room, previous, "replaced");
	}
	actor->broadcast_tabs = TRUE;
	g_free(room->spotlight_peer);
	room->spotlight_peer = g_strdup(actor->id);
	spotlight_announce_tab(room, actor);
	return TRUE;
}

/* A tab as the model keeps it: {"type", "id": string or null} (NEW), or
 * NULL (0001) when the fields break the limits. */
static json_t *spotlight_tab_new(const char *type, const char *id, rtk_refusal *why) {
	if(type == NULL || *type == '\0' || strlen(type) > RTK_TAB_TYPE_MAX) {
		rtk_refusal_set(why, RTK_ERR_BAD_REQUEST, "tab 'type' must be a non-empty string of at most %d bytes",
			RTK_TAB_TYPE_MAX);
		return NULL;
	}
	if(id != NULL && strlen(id) > RTK_TAB_ID_MAX) {
		rtk_refusal_set(why, RTK_ERR_BAD_REQUEST, "tab 'id' must be a string of at most %d bytes", RTK_TAB_ID_MAX);
		return NULL;
	}
	json_t *tab = json_pack("{ss s:s?}", "type", type, "id", id);
	if(tab == NULL)   /* not UTF-8: never from a parsed request */
		rtk_refusal_set(why, RTK_ERR_BAD_REQUEST, "tab 'type' and 'id' must be UTF-8 text");
	return tab;
}

gboolean rtk_room_set_active_tab(rtk_room *room, rtk_peer *actor, const char *type, const char *id, gint64 now_ms,
		rtk_refusal *why) {
	if(!spotlight_joined(actor, why))
		return FALSE;
	json_t *tab = spotlight_tab_new(type, id, why);
	if(tab == NULL)
		return FALSE;
	if(!rtk_rate_take(&actor->tab_changes, now_ms, RTK_TAB_CHANGES_PER_SECOND)) {
		json_decref(tab);
		rtk_refusal_set(why, RTK_ERR_RATE_LIMITED, "at most %d tab changes a second", RTK_TAB_CHANGES_PER_SECOND);
		return FALSE;
	}
	json_decref(actor->active_tab);
	actor->active_tab = tab;
	if(spotlight_peer(room) == actor)
		spotlight_announce_tab(room, actor);
	return TRUE;
}

json_t *rtk_room_spotlight_json(const rtk_room *room) {
	const rtk_peer *spotlighter = spotlight_peer(room);
	if(spotlighter == NULL)
		return json_null();
	return json_pack("{ss sO}", "participantId", spotlighter->id,
		"tab", spotlighter->active_tab ? spotlighter->active_tab : json_null());
}

void room_spotlight_left(rtk_room *room, rtk_peer *peer) {
	spotlight_end(room, peer, "left");
}

void room_spotlight_recheck(rtk_room *room, rtk_peer *peer) {
	if(peer->broadcast_tabs && !peer->permissions.can_spotlight) {
		spotlight_tell_off(room, peer, "permissions", NULL);
		spotlight_end(room, peer, "permissions");
	}
}
