/*
 * room_internal.h - helpers shared by the room's own files (room.c,
 * waitlist.c, stage.c, controls.c); not part of the room's API.
 *
 * Owns the one rule of who sees events about whom (room_sees) and the
 * delivery helpers built on it, so every event of every module reaches the
 * same audience for the same reason.
 */
#ifndef RTK_ROOM_INTERNAL_H
#define RTK_ROOM_INTERNAL_H

#include "room.h"

/* What a viewer is being told about a subject. */
typedef enum room_view {
	ROOM_VIEW_LIST,           /* membership: participant lists, participantJoined/Left */
	ROOM_VIEW_STATE,          /* the subject's media, stage and pin events */
	ROOM_VIEW_STAGE_HOST,     /* stage requests: viewers with accept_stage_requests */
	ROOM_VIEW_STAGE_AUDIENCE, /* stage events for everyone who is not a stage host */
	ROOM_VIEW_WAITLIST        /* the waiting room: viewers with accept_waiting_requests */
} room_view;

/* THE rule: does `viewer` hear about `subject` for `view`? A hidden subject
 * is invisible to everyone but itself, except to those who must act on its
 * waiting-room entry; membership also needs show_participant_list. */
gboolean room_sees(const rtk_peer *viewer, const rtk_peer *subject, room_view view);

/* {"rtk": name}: a NEW reference. */
json_t *room_event(const char *name);
/* {"rtk": name, "participantId", "userId", "stageStatus"} about `subject`: NEW. */
json_t *room_peer_event(const char *name, const rtk_peer *subject);
/* Delivers `event` (borrowed) to one peer. */
void room_send(rtk_room *room, rtk_peer *peer, json_t *event);
/* Delivers `event` (consumed) to every joined peer but `subject` that sees
 * `subject` for `view`. */
void room_broadcast(rtk_room *room, const rtk_peer *subject, room_view view, json_t *event);
/* Calls the sink's `changed`, if any. */
void room_changed(rtk_room *room, rtk_peer *peer, rtk_peer_change change);

/* Checks `actor` may do `action` (NULL actor: the server, always may). */
gboolean room_actor_may(const rtk_peer *actor, rtk_action action, rtk_refusal *why);
/* A joined peer by peer id or user id, or NULL. */
rtk_peer *room_find_target(rtk_room *room, const char *id);
/* Resolves a JSON array of ids into joined peers (appended to `out`, not
 * owned): not an array or a non-string -> 0001, unknown id -> 1204. */
gboolean room_resolve_targets(rtk_room *room, const json_t *ids, GPtrArray *out, rtk_refusal *why);

/* Adds `peer` (owned from now on) to the joined peers and builds its
 * roomJoined; when `deliver_to_self`, delivers that roomJoined to the peer
 * before the others get participantJoined. Returns the roomJoined event (a
 * NEW reference). */
json_t *room_admit(rtk_room *room, rtk_peer *peer, gboolean deliver_to_self);
/* Sends `peer` {"rtk":"roomLeft","state":state} with "reason" when
 * `reason` is not NULL (docs/protocol.md, roomLeft). */
void room_send_left(rtk_room *room, rtk_peer *peer, const char *state, const char *reason);

/* Removes a joined peer: roomLeft `state` (and `reason`, may be NULL) to it
 * when `state` is not NULL, the others participantLeft, stage hosts an
 * updated request list if it had one pending, changed(REMOVED) when
 * `by_other`; then frees it. */
void room_remove(rtk_room *room, rtk_peer *peer, const char *state, const char *reason, gboolean by_other);
/* The same with the peer's last event given whole (`left` borrowed; NULL: none). */
void room_remove_with(rtk_room *room, rtk_peer *peer, json_t *left, gboolean by_other);

/* waitlist.c: removes a waitlisted peer (roomLeft `state` and `reason` to
 * it when `state` is not NULL, waitlistedParticipantLeft {state: list_state}
 * to acceptors, changed(REMOVED) when `by_other`) and frees it. */
void room_waitlist_remove(rtk_room *room, rtk_peer *peer, const char *state, const char *reason,
	const char *list_state, gboolean by_other);

/* stage.c: tells the stage hosts the current request list. */
void room_stage_requests_changed(rtk_room *room);

/* spotlight.c: `peer` is leaving the joined peers (already out of
 * room->peers): ends its spotlight, if any (spotlightEnded "left"). */
void room_spotlight_left(rtk_room *room, rtk_peer *peer);
/* spotlight.c: `peer`'s rights changed: a spotlighter without
 * can_spotlight now stops (broadcastTabChangesUpdate, spotlightEnded
 * "permissions"). */
void room_spotlight_recheck(rtk_room *room, rtk_peer *peer);

/* plugins.c: frees one active plugin (the free function of room->plugins). */
void room_plugin_free(gpointer data);

/* polls.c: frees one rtk_poll (the free function of room->polls). */
void room_poll_free(gpointer poll);

#endif
