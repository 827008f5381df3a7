/*
 * waitlist.c - the meeting's waiting room (see room.h, "the waiting room").
 *
 * Owns the decision whether an arriving peer waits (its preset's
 * waiting_room_type, and for SKIP_ON_ACCEPT whether its user was accepted
 * earlier in this live session), the waitlisted peers themselves
 * (room->waitlisted) and the events of accepting and rejecting them.
 * Waiting-room events go to the joined peers with accept_waiting_requests
 * (room_sees, ROOM_VIEW_WAITLIST).
 */
#include <string.h>
#include "room.h"
#include "room_internal.h"

/* Does `peer` wait before joining? A peer that may accept others never does. */
static gboolean waitlist_needed(const rtk_room *room, const rtk_peer *peer) {
	const rtk_permissions *p = &peer->permissions;
	if(p->accept_waiting_requests)
		return FALSE;
	switch(p->waiting_room) {
		case RTK_WAITING_ON_PRIVILEGED_USER_ENTRY:
			return TRUE;
		case RTK_WAITING_SKIP_ON_ACCEPT:
			return !g_hash_table_contains(room->admitted, peer->user_id);
		case RTK_WAITING_SKIP:
		default:
			return FALSE;
	}
}

rtk_peer *rtk_room_find_waiting(rtk_room *room, const char *id) {
	for(guint i = 0; id && i < room->waitlisted->len; i++) {
		rtk_peer *peer = g_ptr_array_index(room->waitlisted, i);
		if(!strcmp(peer->id, id) || !strcmp(peer->user_id, id))
			return peer;
	}
	return NULL;
}

json_t *rtk_room_waitlisted_json(const rtk_room *room, const rtk_peer *viewer) {
	json_t *list = json_array();
	for(guint i = 0; i < room->waitlisted->len; i++) {
		const rtk_peer *peer = g_ptr_array_index(room->waitlisted, i);
		if(viewer == NULL || room_sees(viewer, peer, ROOM_VIEW_WAITLIST))
			json_array_append_new(list, rtk_peer_to_json(peer));
	}
	return list;
}

/* The waitlisted answer to the arriving peer (NEW): no participant list. */
static json_t *waitlist_event(const rtk_room *room, const rtk_peer *peer) {
	json_t *event = room_event("waitlisted");
	json_object_set_new(event, "self", rtk_peer_self_json(peer));
	json_object_set_new(event, "meeting", rtk_room_meta_json(room, peer));
	return event;
}

/* waitlistedParticipantLeft {participantId, userId, state} to the acceptors. */
static void waitlist_announce_left(rtk_room *room, const rtk_peer *peer, const char *list_state) {
	json_t *event = json_pack("{ss ss ss ss}", "rtk", "waitlistedParticipantLeft",
		"participantId", peer->id, "userId", peer->user_id, "state", list_state);
	room_broadcast(room, peer, ROOM_VIEW_WAITLIST, event);
}

json_t *rtk_room_enter(rtk_room *room, rtk_peer *peer) {
	if(!waitlist_needed(room, peer))
		return rtk_room_join(room, peer);
	peer->waitlisted = TRUE;
	g_ptr_array_add(room->waitlisted, peer);
	json_t *note = room_event("waitlistedParticipantJoined");
	json_object_set_new(note, "participant", rtk_peer_to_json(peer));
	room_broadcast(room, peer, ROOM_VIEW_WAITLIST, note);
	return waitlist_event(room, peer);
}

void room_waitlist_remove(rtk_room *room, rtk_peer *peer, const char *state, const char *reason,
		const char *list_state, gboolean by_other) {
	guint index;
	if(!g_ptr_array_find(room->waitlisted, peer, &index))
		return;
	g_ptr_array_steal_index(room->waitlisted, index);   /* ours to free now */
	if(state != NULL)
		room_send_left(room, peer, state, reason);
	waitlist_announce_left(room, peer, list_state);
	if(by_other)
		room_changed(room, peer, RTK_PEER_REMOVED);
	rtk_peer_free(peer);
}

/* Moves a waitlisted peer into the meeting: roomJoined to it, participantJoined
 * to the others, waitlistedParticipantLeft "accepted" to the acceptors, then
 * changed(ADMITTED). */
static void waitlist_admit(rtk_room *room, rtk_peer *peer) {
	guint index;
	if(!g_ptr_array_find(room->waitlisted, peer, &index))
		return;
	g_ptr_array_steal_index(room->waitlisted, index);
	g_hash_table_add(room->admitted, g_strdup(peer->user_id));
	json_decref(room_admit(room, peer, TRUE));
	waitlist_announce_left(room, peer, "accepted");
	room_changed(room, peer, RTK_PEER_ADMITTED);
}

/* The waitlisted peer `target` names, or NULL with 1205. */
static rtk_peer *waitlist_target(rtk_room *room, const char *target, rtk_refusal *why) {
	rtk_peer *peer = rtk_room_find_waiting(room, target);
	if(peer == NULL)
		rtk_refusal_set(why, RTK_ERR_NOT_WAITLISTED, "participant %.80s is not waitlisted", target ? target : "(none)");
	return peer;
}

gboolean rtk_room_accept_waiting(rtk_room *room, rtk_peer *actor, const char *target, rtk_refusal *why) {
	if(!room_actor_may(actor, RTK_ACTION_ACCEPT_WAITING, why))
		return FALSE;
	if(target == NULL) {
		while(room->waitlisted->len > 0)
			waitlist_admit(room, g_ptr_array_index(room->waitlisted, 0));
		return TRUE;
	}
	rtk_peer *peer = waitlist_target(room, target, why);
	if(peer == NULL)
		return FALSE;
	waitlist_admit(room, peer);
	return TRUE;
}

gboolean rtk_room_reject_waiting(rtk_room *room, rtk_peer *actor, const char *target, rtk_refusal *why) {
	if(!room_actor_may(actor, RTK_ACTION_ACCEPT_WAITING, why))
		return FALSE;
	rtk_peer *peer = waitlist_target(room, target, why);
	if(peer == NULL)
		return FALSE;
	room_waitlist_remove(room, peer, "rejected", NULL, "rejected", TRUE);
	return TRUE;
}
