/*
 * history.h - the history of live sessions (REST /v2/sessions,
 * gateway/rest_history.c, docs/rest.md "Sessions"): a row per live
 * session of a meeting (LIVE, then ENDED) and a row per presence in it
 * (joined_at, left_at, duration), kept in the store.
 *
 * The glue tells this module what happened, in the order it happened,
 * with the meeting's lock held (meeting_lock.h): a participant joined the meeting (straight
 * in, or admitted from the waiting room), a joined participant left it
 * (whatever the way: leave, kick, socket drop, replaced by a newer join,
 * removed), the live session ended (its room is freed). Waiting-room
 * presences are not part of the history, as they are not of the webhooks.
 *
 * Each call only copies what it needs and queues it (microseconds); a
 * writer thread of history.c makes the store writes, in order, so no
 * store write (a disk sync: milliseconds) runs under a meeting lock. The
 * price: a REST read right after a join or a leave may not see it yet,
 * for the writer's latency (one store write, milliseconds).
 */
#ifndef RTK_HISTORY_H
#define RTK_HISTORY_H

#include "room.h"
#include "store.h"

/* Starts the writer; `store` (borrowed) must outlive rtk_history_destroy().
 * `own_only` (several nodes share the store): rtk_history_destroy() ends
 * the sessions this process wrote, not every LIVE one of the store. */
void rtk_history_init(rtk_store *store, gboolean own_only);
/* Writes what is queued, stops the writer, and ends the sessions still
 * LIVE (the server stops: their presences close now). Call with no
 * meeting left and no lock held. */
void rtk_history_destroy(void);

/* With the meeting's lock held. `peer` is borrowed, joined (not waitlisted).
 * `edge`: the room is this node's edge of a meeting cascaded from another
 * (cascade.h; its session id is the owner's): the presences of its viewers
 * are written into the owner's session, the session row is left to the
 * owner (its figures count the owner's participants only). */
void rtk_history_joined(const rtk_room *room, const rtk_peer *peer, gboolean edge);
void rtk_history_left(const rtk_room *room, const rtk_peer *peer, gboolean edge);
void rtk_history_ended(const rtk_room *room, gboolean edge);

#endif
