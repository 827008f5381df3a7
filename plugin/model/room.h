/*
 * room.h - a meeting's live session: who is in it and what they are told.
 *
 * A room exists while at least one participant is joined or waiting. It
 * owns its peers (rtk_peer), joined and waitlisted, and decides every
 * signalling event of the session: who receives participantJoined,
 * participantLeft, the media updates, roomLeft, the waiting-room, stage,
 * pin and permission events. It sends them through the `rtk_room_sink` the
 * glue provides, so a unit test can drive a room and read the events
 * without Janus.
 *
 * The room's operations live in one file per concept, all declared here:
 *   room.c      joining, leaving, media toggles, who sees whom, lookups
 *   waitlist.c  the waiting room (enter, accept, reject)
 *   stage.c     the stage (request, cancel, grant, deny, join, leave, kick)
 *   controls.c  host controls (disable media, kick, end, pin, permissions)
 *   messages.c  participants.broadcastMessage
 *   spotlight.c the spotlight (meta.setBroadcastTabChanges, setSelfActiveTab)
 *   chat.c      the chat (declared in chat.h)
 *   polls.c     the session's polls (create, vote, each viewer's view of them)
 *   connected.c connected meetings (breakout rooms): who may move whom, the move out
 *   plugins.c   the active plugins, their data and state (plugins.activate, ...)
 *
 * Conventions of every operation:
 * - An operation that can refuse returns gboolean (TRUE: done) and fills
 *   `why` (may be NULL) on FALSE; nothing has changed when it refuses.
 * - `actor` is the participant asking; NULL means the server itself (REST),
 *   which skips permission checks.
 * - Every target id ("target", the strings of `user_ids`/`target_ids`)
 *   accepts a peer id or a user id.
 * - Visibility: a peer with hidden_participant is absent from the others'
 *   lists and from every event about it they would receive; a peer with
 *   show_participant_list false gets an empty list and no
 *   participantJoined/participantLeft.
 *
 * Locking: a room is not thread-safe; the plugin serialises every call on a
 * room under its rooms lock.
 */
#ifndef RTK_ROOM_H
#define RTK_ROOM_H

#include <glib.h>
#include <jansson.h>
#include "errors.h"
#include "peer.h"
#include "chat.h"

/* What changed about a peer that the glue must act on (media consequences). */
typedef enum rtk_peer_change {
	RTK_PEER_MEDIA,        /* a host turned some media_enabled off: stop relaying those kinds */
	RTK_PEER_STAGE,        /* stage status changed: re-check rtk_peer_may_publish for what it publishes */
	RTK_PEER_ADMITTED,     /* a waitlisted peer was accepted (its roomJoined is already delivered) */
	RTK_PEER_REMOVED,      /* removed by someone else (kicked, rejected, meeting ended): called after
	                        * its roomLeft was delivered and before rtk_peer_free; tear down its handles */
	RTK_PEER_PERMISSIONS   /* updatePermissions changed its rights: same re-check as STAGE */
} rtk_peer_change;

typedef struct rtk_room_sink {
	/* Delivers `event` (borrowed: the callee takes its own reference if it
	 * keeps it) to the peer's client. */
	void (*deliver)(rtk_peer *peer, json_t *event, void *user_data);
	void *user_data;
	/* Tells the glue what changed about `peer` (see rtk_peer_change). May be
	 * NULL (unit tests). Must not call back into the room. */
	void (*changed)(rtk_peer *peer, rtk_peer_change change, void *user_data);
} rtk_room_sink;

/* Every plugin of the registry (a NEW array of plugin objects), for
 * roomJoined's "pluginsAll" (plugins.c); must not call back into the room. */
typedef json_t *(*rtk_plugin_registry_fn)(void);

typedef struct rtk_room {
	char *meeting_id;
	char *title;               /* may be NULL */
	char *parent_meeting_id;   /* a connected meeting's parent (connected.c), or NULL */
	char *session_id;          /* fresh for every live session */
	char *started_at;          /* ISO 8601 UTC of the first join */
	GPtrArray *peers;          /* rtk_peer*, owned, joined, in join order */
	GPtrArray *waitlisted;     /* rtk_peer*, owned, in the waiting room, in arrival order */
	GHashTable *admitted;      /* user ids (owned char*) accepted once: SKIP_ON_ACCEPT skips next time */
	rtk_chat *chat;            /* owned: the session's chat (chat.h) */
	GPtrArray *polls;          /* rtk_poll*, owned (polls.c), in creation order: the live session's polls */
	char *spotlight_peer;      /* owned, or NULL: the peer id of the spotlighter (spotlight.c) */
	GPtrArray *plugins;        /* rtk_active_plugin*, owned (plugins.c), in activation order */
	rtk_plugin_registry_fn plugin_registry; /* NULL (unit tests): no "pluginsAll" (rtk_room_set_plugin_registry) */
	const char *end_reason;    /* static: why the room was last emptied, for meeting.ended's `reason`:
	                            * "HOST_ENDED_MEETING" after rtk_room_end(), rtk_room_kick_all()
	                            * or REST's kick-all (live_api.c); NULL otherwise (every
	                            * admission clears it) */
	rtk_room_sink sink;
} rtk_room;

/* `meeting` is a borrowed store meeting object; `sink` is copied. */
rtk_room *rtk_room_new(const json_t *meeting, const rtk_room_sink *sink);
/* Frees the room and every peer still in it (joined or waiting), without events. */
void rtk_room_free(rtk_room *room);

/* ---- joining and leaving (room.c) ---- */

/* Adds `peer` (the room takes ownership) straight in, whatever its waiting
 * room: the others get participantJoined. Returns the roomJoined event for
 * the new peer (a NEW reference): self, meeting, participants, pinned (peer
 * ids), when the peer may accept waiting requests waitlisted, and when it
 * may view polls (polls.can_view) polls (rtk_room_polls_json). */
json_t *rtk_room_join(rtk_room *room, rtk_peer *peer);

/* The join entry point: applies the peer's waiting_room_type (the room
 * takes ownership of `peer` either way). SKIP, or a peer that may itself
 * accept waiting requests, or SKIP_ON_ACCEPT for a user already accepted in
 * this live session -> as rtk_room_join (returns roomJoined). Otherwise the
 * peer is waitlisted (peer->waitlisted TRUE, kept in room->waitlisted) and
 * the result is {"rtk":"waitlisted","self":{... "roomState":"waitlisted"},
 * "meeting":{...}} with no participant list; joined peers with
 * accept_waiting_requests get {"rtk":"waitlistedParticipantJoined",
 * "participant":{...}}. Returns a NEW reference. */
json_t *rtk_room_enter(rtk_room *room, rtk_peer *peer);

/* The roomJoined event a joined `peer` would get now (a NEW reference):
 * what `sync` answers a client that lost events while its socket was down. */
json_t *rtk_room_joined_snapshot(const rtk_room *room, const rtk_peer *peer);

/* Removes and frees `peer` (joined or waitlisted) on its own initiative
 * (no changed(REMOVED)). Joined: the others get participantLeft. Waitlisted:
 * the peers that may accept get waitlistedParticipantLeft {participantId,
 * state:"left"}. When `state` is not NULL the peer itself first gets
 * roomLeft with that state ("left", ...). A peer not in the room is ignored. */
void rtk_room_leave(rtk_room *room, rtk_peer *peer, const char *state);

/* Removes the participant `user_id` (joined or waitlisted) on the server's
 * behalf: it gets {"rtk":"roomLeft","state":state,"reason":reason} (reason
 * may be NULL), the others participantLeft (or waitlistedParticipantLeft
 * "left"), then changed(REMOVED), then it is freed. Used for a newer join
 * of the same participant ("left", "replaced") and for REST revocations
 * ("kicked", "participant_deleted" / "token_revoked"). FALSE when the
 * participant is not in the room. */
gboolean rtk_room_remove_user(rtk_room *room, const char *user_id, const char *state, const char *reason);

/* Sets one kind of the peer's media on or off; when it changes, the others
 * get the SDK's update event (audioUpdate, videoUpdate, screenShareUpdate).
 * No permission check (the glue reports what is actually relayed); a
 * waitlisted peer's media stays off. Returns TRUE when it changed. */
gboolean rtk_room_set_media(rtk_room *room, rtk_peer *peer, rtk_media_kind kind, gboolean enabled);

/* The participant's own toggle: enabling checks rtk_peer_may_publish
 * (0904, 0905, 1501); then as rtk_room_set_media. TRUE also when nothing
 * changed. */
gboolean rtk_room_set_own_media(rtk_room *room, rtk_peer *peer, rtk_media_kind kind, gboolean enabled, rtk_refusal *why);

/* Joined peers only. */
rtk_peer *rtk_room_find_peer(rtk_room *room, const char *peer_id);
rtk_peer *rtk_room_find_user(rtk_room *room, const char *user_id);
/* Joined and waitlisted peers: a room is freed only when this is 0. */
guint rtk_room_size(const rtk_room *room);

/* The meeting object of roomJoined (a NEW reference). */
json_t *rtk_room_meta_json(const rtk_room *room, const rtk_peer *viewer);

/* What a participant may know before it joins
 * (participants.getParticipantsInMeetingPreJoin, docs/protocol.md):
 * {"rtk": "participantsInMeetingPreJoin", "self": its self object with
 * roomState "init", "meeting": the meeting meta, "participants": the
 * joined peers it may list, as roomJoined lists them (none without
 * show_participant_list; hidden participants never)}. `viewer` is a peer
 * made for the question, in no room; `room` is the meeting's live session,
 * or NULL when it has none: then the meta comes from `meeting` (the store
 * object, borrowed), sessionId and meetingStartedTimestamp are null and
 * nobody is listed. Changes nothing. Returns a NEW reference. */
json_t *rtk_room_prejoin_json(const rtk_room *room, const json_t *meeting, const rtk_peer *viewer);
/* Peer ids of the pinned peers (a NEW array). */
json_t *rtk_room_pinned_json(const rtk_room *room);

/* ---- the waiting room (waitlist.c) ---- */

/* A waitlisted peer by peer id or user id, or NULL. */
rtk_peer *rtk_room_find_waiting(rtk_room *room, const char *id);
/* Participant objects of the waitlisted peers when `viewer` may accept
 * them (or is NULL: the server), else an empty array. A NEW reference. */
json_t *rtk_room_waitlisted_json(const rtk_room *room, const rtk_peer *viewer);
/* Needs accept_waiting_requests (0902). `target` NULL: everyone waiting.
 * Not waitlisted: 1205. Each accepted peer gets roomJoined through the sink
 * (as rtk_room_join returns it), the others participantJoined, the peers
 * that may accept waitlistedParticipantLeft {participantId,
 * state:"accepted"}; then changed(ADMITTED). */
gboolean rtk_room_accept_waiting(rtk_room *room, rtk_peer *actor, const char *target, rtk_refusal *why);
/* Needs accept_waiting_requests (0902); not waitlisted: 1205. The target
 * gets roomLeft state "rejected", the peers that may accept
 * waitlistedParticipantLeft {state:"rejected"}, then changed(REMOVED), then
 * the peer is freed. */
gboolean rtk_room_reject_waiting(rtk_room *room, rtk_peer *actor, const char *target, rtk_refusal *why);

/* ---- the stage (stage.c) ----
 * Self events: stageStatusUpdate {status}. Events about a peer carry
 * participantId, userId and stageStatus. "Stage hosts" are the peers with
 * accept_stage_requests; they get stageAccessRequestUpdate {requests:[...]}
 * whenever the pending requests change.
 * Common refusals: the peer is waitlisted (0003), stage_enabled false
 * (2001), stage_access NOT_ALLOWED (2002). */

/* requestAccess. stage_access ALLOWED -> ACCEPTED_TO_JOIN_STAGE at once
 * (others: peerAcceptedToJoinStage). CAN_REQUEST -> REQUESTED_TO_JOIN_STAGE:
 * stage hosts get newStageRequest {count, participantId, userId,
 * stageStatus} and stageAccessRequestUpdate, the others
 * peerRequestToJoinStage. Already requested, accepted or on stage: 2005. */
gboolean rtk_room_stage_request(rtk_room *room, rtk_peer *peer, rtk_refusal *why);
/* Whether requestAccess by `peer` would be taken (its checks, no change):
 * FALSE with the refusal rtk_room_stage_request would give. An edge of a
 * cascaded meeting asks before it sends the peer to the owner (0807). */
gboolean rtk_room_stage_may_request(const rtk_peer *peer, rtk_refusal *why);
/* cancelRequestAccess: REQUESTED -> OFF_STAGE (self stageStatusUpdate,
 * stage hosts stageAccessRequestUpdate). No pending request: 2003. */
gboolean rtk_room_stage_cancel(rtk_room *room, rtk_peer *peer, rtk_refusal *why);
/* grantAccess: needs accept_stage_requests (0902); `user_ids` a JSON array
 * of ids (else 0001; unknown id 1204; a target without a pending request
 * 2003; all checked before any change). Each target -> ACCEPTED: it gets
 * stageRequestApproved and stageStatusUpdate, the others
 * peerAcceptedToJoinStage, stage hosts stageAccessRequestUpdate. */
gboolean rtk_room_stage_grant(rtk_room *room, rtk_peer *actor, const json_t *user_ids, rtk_refusal *why);
/* denyAccess: as grant, but each target -> OFF_STAGE: stageRequestRejected
 * and stageStatusUpdate, others peerRejectedToJoinStage. */
gboolean rtk_room_stage_deny(rtk_room *room, rtk_peer *actor, const json_t *user_ids, rtk_refusal *why);
/* join: stage_access ALLOWED or status ACCEPTED -> ON_STAGE (else 2004;
 * already on stage 2005): self stageStatusUpdate, others
 * peerStartedPresenting, then changed(STAGE). */
gboolean rtk_room_stage_join(rtk_room *room, rtk_peer *peer, rtk_refusal *why);
/* leave: ON_STAGE -> OFF_STAGE (else 2006): self stageStatusUpdate, others
 * peerStoppedPresenting, then changed(STAGE). */
gboolean rtk_room_stage_leave(rtk_room *room, rtk_peer *peer, rtk_refusal *why);
/* kick: needs accept_stage_requests (0902); `user_ids` as for grant; a
 * target not on stage: 2006. Each target -> OFF_STAGE: stageStatusUpdate to
 * it, peerStoppedPresenting to the others, changed(STAGE). */
gboolean rtk_room_stage_kick(rtk_room *room, rtk_peer *actor, const json_t *user_ids, rtk_refusal *why);
/* A participant of another node, mirrored in this room (cascade.h), had
 * its stage status changed there to `status`: sets it and tells the others
 * what they would have been told there (peerStartedPresenting,
 * peerStoppedPresenting, peerAcceptedToJoinStage, peerRequestToJoinStage;
 * nothing for a request withdrawn or denied; the request list of this
 * room's stage hosts stays as it is: the request is the owner's hosts').
 * No check, no self event, no changed(). */
void rtk_room_stage_mirror(rtk_room *room, rtk_peer *peer, rtk_stage_status status);
/* getAccessRequests: needs accept_stage_requests (0902). A NEW array of the
 * participant objects with REQUESTED_TO_JOIN_STAGE, or NULL when refused. */
json_t *rtk_room_stage_requests(rtk_room *room, rtk_peer *actor, rtk_refusal *why);

/* ---- host controls (controls.c) ---- */

/* Needs disable_participant_audio/video/screensharing (0902); unknown
 * target 1204. Turns the target's `kind` off (the others get the usual
 * update if it was on) and locks it unless `allow_unmute`; the target gets
 * {"rtk":"audioUpdate", "participantId": its own id, "audioEnabled": false,
 * "disabledBy": actor peer id or null, "canUnmute": allow_unmute} (video and
 * screenshare alike); then changed(MEDIA). */
gboolean rtk_room_disable_media(rtk_room *room, rtk_peer *actor, const char *target, rtk_media_kind kind, gboolean allow_unmute, rtk_refusal *why);
/* The same for every joined peer but the actor. */
gboolean rtk_room_disable_all_media(rtk_room *room, rtk_peer *actor, rtk_media_kind kind, gboolean allow_unmute, rtk_refusal *why);
/* Needs kick_participant (0902); unknown target 1204; kicking oneself 0001.
 * The target gets roomLeft "kicked", the others participantLeft, then
 * changed(REMOVED), then it is freed. */
gboolean rtk_room_kick(rtk_room *room, rtk_peer *actor, const char *target, rtk_refusal *why);
/* The same for every joined peer but the actor (the waiting room stays). */
gboolean rtk_room_kick_all(rtk_room *room, rtk_peer *actor, rtk_refusal *why);
/* Needs kick_participant (0902). Everyone, waitlisted and the actor
 * included, gets roomLeft "ended", then changed(REMOVED), then is freed
 * (the actor too: the glue must not use it afterwards). The room is left
 * empty. */
gboolean rtk_room_end(rtk_room *room, rtk_peer *actor, rtk_refusal *why);
/* Needs pin_participant (0902); unknown target 1204. When the pin changes,
 * every peer that sees the target (itself included) gets participantPinned
 * or participantUnpinned {participantId, userId}. */
gboolean rtk_room_pin(rtk_room *room, rtk_peer *actor, const char *target, gboolean pin, rtk_refusal *why);
/* Sets `peer`'s pin with the events of rtk_room_pin (when it changes), no
 * rights asked: a cascade edge shows the pins its owner node decided. */
void rtk_room_pin_mirror(rtk_room *room, rtk_peer *peer, gboolean pin);
/* Needs can_change_participant_permissions (0902); `target_ids` a JSON
 * array of ids (else 0001; unknown 1204); `partial` is merged into each
 * target's permissions (rtk_permissions_merge, 0903; all targets checked
 * before any change). Each target's rights are re-parsed, a media kind the
 * partial mentions is unlocked, the target gets {"rtk":"permissionsUpdate",
 * "permissions":{...full}}, then changed(PERMISSIONS). A target that becomes
 * hidden (or visible) leaves (or joins) the others' lists. */
gboolean rtk_room_update_permissions(rtk_room *room, rtk_peer *actor, const json_t *target_ids, const json_t *partial, rtk_refusal *why);
/* The participant `user_id` (joined or waitlisted) now has `preset` (a
 * borrowed store preset: name, permissions, config), after a REST change of
 * the participant's preset or of the preset itself. Its permissions,
 * config and preset name are replaced (a host's media lock stays), and it gets
 * {"rtk":"permissionsUpdate","permissions":{...},"presetName":..,"config":{...}};
 * a joined peer is then held to the new rights as after updatePermissions
 * (visibility events, changed(PERMISSIONS)). FALSE when it is not here. */
gboolean rtk_room_apply_preset(rtk_room *room, const char *user_id, const json_t *preset);

/* participants.broadcastMessage (messages.c): `actor` (a joined peer)
 * sends {"rtk":"broadcastedMessage","type","payload","timestamp","senderId"}
 * (payload borrowed, copied into the event; timestamp in ms since the
 * epoch) to the joined peers `participant_ids` names (a JSON array of peer
 * or user ids: unknown 1204, nothing sent), or to every joined peer with
 * the preset `preset_name`, or, with neither, to every joined peer, the
 * actor included. Waitlisted peers get nothing. A peer may send
 * RTK_BROADCAST_PER_SECOND messages in a second (by `timestamp_ms`; more
 * is 0012), so one client cannot flood the others' connections. Returns
 * how many got it, or -1 with why. */
#define RTK_BROADCAST_PER_SECOND 20
int rtk_room_broadcast_message(rtk_room *room, rtk_peer *actor, const char *type, const json_t *payload,
	const json_t *participant_ids, const char *preset_name, gint64 timestamp_ms, rtk_refusal *why);
/* A cascade edge (plugin/cascade.h) shows a broadcast its owner node
 * routed (to everyone, or to a preset): the same broadcastedMessage, with
 * the owner's timestamp and sender id, to every joined peer (with the
 * preset `preset_name` when not NULL). No rights, no rate: the owner and
 * the sender's edge checked them. Returns how many got it. */
int rtk_room_broadcast_mirror(rtk_room *room, const char *type, const json_t *payload, gint64 timestamp_ms,
	const char *sender_id, const char *preset_name);
/* The same to other meetings of a connected-meetings family (the seeds'
 * broadcastMessage(type, payload, {meetingIds})): every joined peer of each
 * of the `n_rooms` rooms (filtered by `preset_name` when not NULL) gets it,
 * with "meetingId" (the actor's meeting) added; one message against the
 * actor's rate, whatever the number of rooms. The caller picks the rooms
 * (the family's, connected.c). Returns how many got it, or -1 (0012). */
int rtk_room_broadcast_to_rooms(rtk_room *const *rooms, guint n_rooms, rtk_room *from, rtk_peer *actor,
	const char *type, const json_t *payload, const char *preset_name, gint64 timestamp_ms, rtk_refusal *why);

/* ---- the spotlight (spotlight.c) ----
 * A peer with can_spotlight turns on broadcasting of its tab changes; from
 * then on every tab it sets is followed by every other joined peer. One
 * spotlighter at a time: the latest to enable takes over. Events (each to
 * every joined peer but the spotlighter, hidden or not: turning the
 * spotlight on is asking to be followed; waitlisted peers get nothing):
 *   activeTabUpdate {tab: {type, id}, participantId: the spotlighter}
 *     when the spotlighter sets a tab, and when one with a tab already set
 *     turns broadcasting on;
 *   spotlightEnded {participantId, reason: "disabled" | "replaced" |
 *     "left" | "permissions"} when its spotlight ends.
 * The spotlighter that is replaced, or loses can_spotlight, is told
 * {"rtk":"broadcastTabChangesUpdate","broadcastTabChanges":false,
 * "reason":"replaced"|"permissions","participantId": who took over, or null}.
 * roomJoined and sync carry "spotlight" (rtk_room_spotlight_json). */
#define RTK_TAB_CHANGES_PER_SECOND 20

/* meta.setBroadcastTabChanges. Waitlisted actor: 0003. Enabling needs
 * can_spotlight (0902); it makes `actor` the spotlighter (the previous one
 * is replaced, as above); enabling again changes nothing. Disabling always
 * succeeds, and ends the actor's spotlight if it has one. */
gboolean rtk_room_set_broadcast_tabs(rtk_room *room, rtk_peer *actor, gboolean enabled, rtk_refusal *why);
/* meta.setSelfActiveTab: stores {type, id} (`id` may be NULL: null) as the
 * actor's active tab; when the actor is the spotlighter, the others get
 * activeTabUpdate. Waitlisted actor: 0003; `type` empty or longer than
 * RTK_TAB_TYPE_MAX, `id` longer than RTK_TAB_ID_MAX: 0001; more than
 * RTK_TAB_CHANGES_PER_SECOND a second (by `now_ms`): 0012. */
gboolean rtk_room_set_active_tab(rtk_room *room, rtk_peer *actor, const char *type, const char *id, gint64 now_ms,
	rtk_refusal *why);
/* {"participantId", "tab": {type, id} or null while the spotlighter has
 * set none}, or JSON null without a spotlight. A NEW reference. */
json_t *rtk_room_spotlight_json(const rtk_room *room);

/* ---- plugins (plugins.c) ----
 * The plugins active in the live session, for everyone. The registry is
 * the store's: the caller looks the plugin up and passes its object (NULL
 * when there is none). Events, to every joined peer (the waiting room
 * gets none):
 *   pluginActivated {pluginId, plugin: ACTIVE, activatedBy}
 *   pluginDeactivated {pluginId, deactivatedBy}
 *   pluginStateUpdate {pluginId, key, value (null: removed), updatedBy}
 *   pluginViewModeUpdate {pluginId, viewOnlyControl, updatedBy}
 * and pluginData {pluginId, data, senderId} to every joined peer but the
 * sender. ACTIVE is {id, plugin: the registry's object, activatedBy (peer
 * id or null), activatedAt (ms), viewOnlyControl, state: {key: value}};
 * roomJoined and sync carry "plugins": [ACTIVE...] (rtk_room_plugins_json)
 * and "pluginsAll" (rtk_room_plugin_registry_for).
 * A NULL actor is the server: no permission, view-only or rate check. */
#define RTK_PLUGINS_ACTIVE_MAX 8
#define RTK_PLUGIN_DATA_MAX (16 * 1024)     /* pluginData's data, as compact JSON */
#define RTK_PLUGIN_KEY_MAX 128              /* a state key, bytes */
#define RTK_PLUGIN_VALUE_MAX (16 * 1024)    /* a state value, as compact JSON */
#define RTK_PLUGIN_STATE_KEYS 256           /* keys per active plugin */
#define RTK_PLUGIN_OPS_PER_SECOND 50        /* sendData + setState per peer */

/* plugins.activate: plugins.can_start (0902); `plugin` NULL or not an
 * object: 0601; listed in the actor's config.disabledPlugins (by id or
 * name): 0602; RTK_PLUGINS_ACTIVE_MAX active already: 0605. Activating an
 * active plugin changes nothing and succeeds. Waitlisted actor: 0003. */
gboolean rtk_room_plugin_activate(rtk_room *room, rtk_peer *actor, const char *plugin_id, const json_t *plugin,
	gint64 now_ms, rtk_refusal *why);
/* plugins.deactivate: plugins.can_close (0902); not active: 0603. Drops its state. */
gboolean rtk_room_plugin_deactivate(rtk_room *room, rtk_peer *actor, const char *plugin_id, rtk_refusal *why);
/* plugins.sendData: not active 0603; VIEW_ONLY actor without the plugin's
 * view-only control 0604; `data` not an object or over
 * RTK_PLUGIN_DATA_MAX 0606; past the rate 0012. */
gboolean rtk_room_plugin_send_data(rtk_room *room, rtk_peer *actor, const char *plugin_id, const json_t *data,
	gint64 now_ms, rtk_refusal *why);
/* plugins.setState: sets `key` to a copy of `value` (NULL or JSON null
 * removes it). Refusals as sendData, plus 0606 for an empty key, one over
 * RTK_PLUGIN_KEY_MAX bytes or a value over RTK_PLUGIN_VALUE_MAX, 0605 for a
 * new key past RTK_PLUGIN_STATE_KEYS. Last writer wins. */
gboolean rtk_room_plugin_set_state(rtk_room *room, rtk_peer *actor, const char *plugin_id, const char *key,
	const json_t *value, gint64 now_ms, rtk_refusal *why);
/* plugins.toggleViewMode: plugins.can_edit_config (0902); not active 0603.
 * `enabled` gives VIEW_ONLY peers control of the plugin (data and state). */
gboolean rtk_room_plugin_set_view_mode(rtk_room *room, rtk_peer *actor, const char *plugin_id, gboolean enabled,
	rtk_refusal *why);
/* [ACTIVE...] in activation order: a NEW reference. */
json_t *rtk_room_plugins_json(const rtk_room *room);
/* Where the room reads the plugin registry (the glue sets it once). */
void rtk_room_set_plugin_registry(rtk_room *room, rtk_plugin_registry_fn registry);
/* The registry as `viewer` may use it (the room's plugin_registry without
 * the plugins its config.disabledPlugins names): a NEW array, or NULL
 * when the room has no registry. roomJoined and sync carry it as
 * "pluginsAll"; plugins.list answers it. */
json_t *rtk_room_plugin_registry_for(const rtk_room *room, const rtk_peer *viewer);
/* The state object of an active plugin (borrowed), or NULL. */
const json_t *rtk_room_plugin_state(const rtk_room *room, const char *plugin_id);
/* Whether `peer`'s config.disabledPlugins (or disabled_plugins) names the
 * plugin by id or name. */
gboolean rtk_peer_plugin_disabled(const rtk_peer *peer, const char *plugin_id, const char *plugin_name);
/* Whether `peer` has plugins.config.access_control VIEW_ONLY. */
gboolean rtk_peer_plugin_view_only(const rtk_peer *peer);

/* ---- polls (polls.c) ----
 * The live session's polls: they last as long as the room. A poll is shown
 * to each viewer as its own JSON (rtk_room_poll_json), because what a
 * participant may see of the votes depends on who it is:
 *   - participant ids in "votes" and "voted" are user ids (REST participant
 *     ids, a participant's `userId`): one vote per participant, kept across
 *     rejoins;
 *   - results (each option's "count" and "votes") are hidden, as 0 and [],
 *     from a viewer of a hideVotes poll until it has voted, except from the
 *     poll's creator and the server (REST);
 *   - an anonymous poll never names voters: every "votes" list is empty and
 *     "voted" holds at most the viewer's own id, once it has voted (so a
 *     client can still tell whether it voted); the server sees [] too;
 *   - a non-anonymous poll with visible results names every voter: "votes"
 *     [{id, name}] per option, "voted" every voter's id in voting order;
 *     with hidden results, "voted" holds at most the viewer's own id.
 * Peers without polls.can_view get no poll at all: nothing in roomJoined,
 * no pollsUpdate. Every create and vote sends each joined peer that may
 * view polls {"rtk":"pollsUpdate","poll":{the poll that changed, as it
 * sees it},"newPoll":true on a create, false on a vote}. Waitlisted peers get
 * nothing and cannot act (0003). */
#define RTK_POLL_QUESTION_MAX 500   /* bytes */
#define RTK_POLL_OPTIONS_MIN 2
#define RTK_POLL_OPTIONS_MAX 10
#define RTK_POLL_OPTION_MAX 200     /* bytes of one option's text */
#define RTK_POLLS_MAX 50            /* polls in one live session */

typedef struct rtk_poll rtk_poll;   /* owned by its room */

/* Creates a poll. `actor` NULL is the server: createdBy and createdByUserId
 * are then "". Needs polls.can_create (0902); a waitlisted actor 0003;
 * `options` (borrowed) a JSON array of strings (else 0001); the question
 * non-empty and at most RTK_POLL_QUESTION_MAX bytes, RTK_POLL_OPTIONS_MIN to
 * RTK_POLL_OPTIONS_MAX options each non-empty and at most
 * RTK_POLL_OPTION_MAX bytes (else 0704); at most RTK_POLLS_MAX polls (0705).
 * Returns the new poll (owned by the room) after the pollsUpdate
 * {newPoll: true}, or NULL with why, nothing changed. */
const rtk_poll *rtk_room_poll_create(rtk_room *room, rtk_peer *actor, const char *question, const json_t *options,
	gboolean anonymous, gboolean hide_votes, rtk_refusal *why);
/* `actor` (a peer: the server does not vote, 0001) votes for option
 * `index` (from 0) of the poll `poll_id`. A waitlisted actor 0003; needs polls.can_vote (0902); unknown poll 0701;
 * index out of range 0703; a second vote by the same participant (user id)
 * 0702. Returns the poll after the pollsUpdate {newPoll: false}, or NULL
 * with why, nothing changed. */
const rtk_poll *rtk_room_poll_vote(rtk_room *room, rtk_peer *actor, const char *poll_id, gint64 index,
	rtk_refusal *why);
/* The Poll object as `viewer` may see it (rules above; NULL: the server):
 * {id, question, options:[{text, votes:[{id,name}], count}], anonymous,
 * hideVotes, createdBy, createdByUserId, voted}. A NEW reference. */
json_t *rtk_room_poll_json(const rtk_poll *poll, const rtk_peer *viewer);
/* The same in the REST API's shape, as the server sees it: {id, question,
 * options, anonymous, hide_votes, created_by, voted}. A NEW reference. */
json_t *rtk_room_poll_rest_json(const rtk_poll *poll);
/* Every poll as `viewer` sees it, in creation order; [] when the viewer
 * lacks polls.can_view. A NEW reference. */
json_t *rtk_room_polls_json(const rtk_room *room, const rtk_peer *viewer);
/* May `viewer` see polls at all (polls.can_view)? */
gboolean rtk_room_polls_visible(const rtk_peer *viewer);
/* A cascade edge (plugin/cascade.h) shows its owner node's polls, each
 * viewer its own view as on the owner. The owner sends a poll's state,
 * {id, question, options:[text], anonymous, hideVotes, createdBy,
 * createdByUserId, from, votes:[{userId, name, option}]}: at most `max`
 * of its votes (voters of anonymous polls included) from the vote
 * `from` (0: the first) on (NEW), so that a poll with thousands of votes
 * goes in lines of bounded size, each vote once. The edge puts a state
 * into its room: with `from` 0 (or absent) a new poll, or the whole of a
 * known one; else votes appended to a poll holding exactly `from`; every
 * viewer who may view polls is told (pollsUpdate, newPoll when new) when
 * `announce`. FALSE, nothing changed, when the state breaks the limits
 * above, names an unknown option or a voter twice (or one who voted),
 * changes a poll's options, does not follow on from the poll's votes, or
 * a new poll would exceed RTK_POLLS_MAX. */
json_t *rtk_room_poll_state(const rtk_poll *poll, guint from, guint max);
gboolean rtk_room_poll_mirror(rtk_room *room, const json_t *state, gboolean announce);
const char *rtk_room_poll_id(const rtk_poll *poll);
guint rtk_room_poll_vote_count(const rtk_poll *poll);

/* ---- connected meetings: breakout rooms (connected.c) ---- */

/* The most connected meetings one createMeetings may make, and a parent may have. */
#define RTK_CONNECTED_MAX 50
/* The longest connected meeting title, in bytes (the REST API's). */
#define RTK_CONNECTED_TITLE_MAX 1024

/* The family of a meeting: its parent's id when it is a connected meeting,
 * else its own (it is the parent). Borrowed from `room`. */
const char *rtk_room_connected_root(const rtk_room *room);

/* createMeetings' (`with_id` FALSE) and updateMeetings' (`with_id` TRUE)
 * list, checked before anything is written: 1..RTK_CONNECTED_MAX objects,
 * each with a "title" of 1..RTK_CONNECTED_TITLE_MAX bytes and, with_id, a
 * non-empty string "id". Not an array of objects, a title or id missing or
 * mistyped: 0001; empty, too long or too many: 0804. */
gboolean rtk_connected_meetings_valid(const json_t *meetings, gboolean with_id, rtk_refusal *why);

/* The right a move needs (docs/protocol.md, "Connected meetings"): moving
 * anyone but oneself needs can_alter_connected_meetings; moving oneself
 * needs can_switch_to_parent_meeting to `root_id` (the parent) and
 * can_switch_connected_meetings to a connected meeting (either one will do
 * for a caller with can_alter_connected_meetings). `targets` are the user
 * ids moved; `source_id` = `destination_id` is 0804. */
gboolean rtk_connected_move_allowed(const rtk_peer *actor, const char *root_id, const char *source_id,
	const char *destination_id, const GPtrArray *targets, rtk_refusal *why);

/* Moves the participant `user_id` (joined) out of `room` to another meeting
 * of its family: it gets {"rtk":"roomLeft","state":"connected-meeting",
 * "destination": destination} (`destination` borrowed: what it needs to
 * join there, see docs/protocol.md), the others participantLeft, then
 * changed(REMOVED), and it is freed. FALSE when it is not joined here. */
gboolean rtk_room_move_user(rtk_room *room, const char *user_id, const json_t *destination);

/* The joined participants of `room` as a host of the family sees them
 * (hidden participants left out): a NEW array of participant objects. */
json_t *rtk_room_connected_participants(const rtk_room *room);

#endif
