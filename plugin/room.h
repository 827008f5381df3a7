/*
 * room.h - a meeting's live session: who is in it and what they are told.
 *
 * A room exists while at least one participant is joined. It owns its peers
 * (rtk_peer) and decides every signalling event of the session: who receives
 * participantJoined, participantLeft, the media updates, roomLeft. It sends
 * them through the `rtk_room_sink` the glue provides, so a unit test can
 * drive a room and read the events without Janus.
 *
 * Locking: a room is not thread-safe; the plugin serialises every call on a
 * room under its rooms lock.
 */
#ifndef RTK_ROOM_H
#define RTK_ROOM_H

#include <glib.h>
#include <jansson.h>
#include "peer.h"

typedef struct rtk_room_sink {
	/* Delivers `event` (borrowed: the callee takes its own reference if it
	 * keeps it) to the peer's client. */
	void (*deliver)(rtk_peer *peer, json_t *event, void *user_data);
	void *user_data;
} rtk_room_sink;

typedef struct rtk_room {
	char *meeting_id;
	char *title;               /* may be NULL */
	char *session_id;          /* fresh for every live session */
	char *started_at;          /* ISO 8601 UTC of the first join */
	GPtrArray *peers;          /* rtk_peer*, owned, in join order */
	rtk_room_sink sink;
} rtk_room;

/* `meeting` is a borrowed store meeting object. */
rtk_room *rtk_room_new(const json_t *meeting, const rtk_room_sink *sink);
/* Frees the room and every peer still in it, without events. */
void rtk_room_free(rtk_room *room);

/* Adds `peer` (the room takes ownership): the others get participantJoined.
 * Returns the roomJoined event for the new peer (a NEW reference). */
json_t *rtk_room_join(rtk_room *room, rtk_peer *peer);

/* Removes and frees `peer`: the others get participantLeft; when `state` is
 * not NULL the peer itself gets roomLeft with that state ("left", ...). */
void rtk_room_leave(rtk_room *room, rtk_peer *peer, const char *state);

/* Sets one kind of the peer's media on or off; when it changes, the others
 * get the SDK's update event (audioUpdate, videoUpdate, screenShareUpdate).
 * Returns TRUE when it changed. */
gboolean rtk_room_set_media(rtk_room *room, rtk_peer *peer, rtk_media_kind kind, gboolean enabled);

rtk_peer *rtk_room_find_peer(rtk_room *room, const char *peer_id);
rtk_peer *rtk_room_find_user(rtk_room *room, const char *user_id);
guint rtk_room_size(const rtk_room *room);

/* The meeting object of roomJoined (a NEW reference). */
json_t *rtk_room_meta_json(const rtk_room *room, const rtk_peer *viewer);

#endif
