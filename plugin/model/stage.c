/*
 * stage.c - the stage of webinar and livestream presets (see room.h, "the
 * stage", and the stage-management guide).
 *
 * Owns each peer's walk through the stage statuses (OFF_STAGE ->
 * REQUESTED_TO_JOIN_STAGE -> ACCEPTED_TO_JOIN_STAGE -> ON_STAGE), who may
 * take each step, and the events of each step: stageStatusUpdate to the peer
 * itself, the peer* events to the others, and the request list to the stage
 * hosts (peers with accept_stage_requests). What the peer may then publish
 * is rtk_peer_may_publish's business; the glue re-checks it on
 * changed(STAGE).
 */
#include "room.h"
#include "room_internal.h"

/* ---- the request list ---- */

/* The pending requests `viewer` sees (NULL: the server, all), as participant objects (NEW). */
static json_t *stage_request_list(const rtk_room *room, const rtk_peer *viewer) {
	json_t *list = json_array();
	for(guint i = 0; i < room->peers->len; i++) {
		const rtk_peer *peer = g_ptr_array_index(room->peers, i);
		if(peer->stage == RTK_STAGE_REQUESTED && (viewer == NULL || room_sees(viewer, peer, ROOM_VIEW_STAGE_HOST)))
			json_array_append_new(list, rtk_peer_to_json(peer));
	}
	return list;
}

void room_stage_requests_changed(rtk_room *room) {
	for(guint i = 0; i < room->peers->len; i++) {
		rtk_peer *host = g_ptr_array_index(room->peers, i);
		if(!host->permissions.accept_stage_requests)
			continue;
		json_t *event = room_event("stageAccessRequestUpdate");
		json_object_set_new(event, "requests", stage_request_list(room, host));
		room_send(room, host, event);
		json_decref(event);
	}
}

/* newStageRequest {count, participantId, userId, stageStatus} to the stage hosts. */
static void stage_announce_request(rtk_room *room, const rtk_peer *peer) {
	json_t *requests = stage_request_list(room, NULL);
	json_t *event = room_peer_event("newStageRequest", peer);
	json_object_set_new(event, "count", json_integer((json_int_t)json_array_size(requests)));
	json_decref(requests);
	room_broadcast(room, peer, ROOM_VIEW_STAGE_HOST, event);
}

/* ---- status changes ---- */

/* Sets the peer's status and tells the peer itself: stageStatusUpdate. */
static void stage_set(rtk_room *room, rtk_peer *peer, rtk_stage_status status) {
	peer->stage = status;
	json_t *event = room_peer_event("stageStatusUpdate", peer);
	json_object_set_new(event, "status", json_string(rtk_stage_status_name(status)));
	room_send(room, peer, event);
	json_decref(event);
}

/* Tells the peer itself a one-word outcome (stageRequestApproved, ...). */
static void stage_tell(rtk_room *room, rtk_peer *peer, const char *name) {
	json_t *event = room_peer_event(name, peer);
	room_send(room, peer, event);
	json_decref(event);
}

/* The others who see the peer's state get `name` about it. */
static void stage_tell_others(rtk_room *room, const rtk_peer *peer, const char *name, room_view view) {
	room_broadcast(room, peer, view, room_peer_event(name, peer));
}

/* ---- refusals ---- */

/* The peer's own stage step: it must be joined and its preset must have a stage it may use. */
static gboolean stage_check_own(const rtk_peer *peer, rtk_action action, rtk_refusal *why) {
	if(peer->waitlisted) {
		rtk_refusal_set(why, RTK_ERR_NOT_JOINED, "you are in the waiting room: wait to be accepted");
		return FALSE;
	}
	return rtk_permissions_allow(&peer->permissions, action, why);
}

/* Resolves `user_ids` and checks each target is in `wanted` status, before any change. */
static gboolean stage_resolve(rtk_room *room, rtk_peer *actor, const json_t *user_ids,
		rtk_stage_status wanted, GPtrArray *targets, rtk_refusal *why) {
	if(!room_actor_may(actor, RTK_ACTION_ACCEPT_STAGE, why))
		return FALSE;
	if(!room_resolve_targets(room, user_ids, targets, why))
		return FALSE;
	for(guint i = 0; i < targets->len; i++) {
		const rtk_peer *peer = g_ptr_array_index(targets, i);
		if(!peer->permissions.stage_enabled) {
			rtk_refusal_set(why, RTK_ERR_STAGE_DISABLED, "participant %s has no stage (its preset has stage_enabled false)", peer->user_id);
			return FALSE;
		}
		if(peer->stage == wanted)
			continue;
		if(wanted == RTK_STAGE_REQUESTED)
			rtk_refusal_set(why, RTK_ERR_STAGE_NO_REQUEST, "participant %s has no pending stage request (status %s)",
				peer->user_id, rtk_stage_status_name(peer->stage));
		else
			rtk_refusal_set(why, RTK_ERR_NOT_ON_STAGE, "participant %s is not on stage (status %s)",
				peer->user_id, rtk_stage_status_name(peer->stage));
		return FALSE;
	}
	return TRUE;
}

/* ---- the participant's own steps ---- */

gboolean rtk_room_stage_may_request(const rtk_peer *peer, rtk_refusal *why) {
	if(!stage_check_own(peer, RTK_ACTION_STAGE_REQUEST, why))
		return FALSE;
	if(peer->stage != RTK_STAGE_OFF_STAGE) {
		rtk_refusal_set(why, RTK_ERR_STAGE_ALREADY, "you cannot request the stage: your status is already %s",
			rtk_stage_status_name(peer->stage));
		return FALSE;
	}
	return TRUE;
}

gboolean rtk_room_stage_request(rtk_room *room, rtk_peer *peer, rtk_refusal *why) {
	if(!rtk_room_stage_may_request(peer, why))
		return FALSE;
	if(peer->permissions.stage_access == RTK_PRODUCE_ALLOWED) {
		stage_set(room, peer, RTK_STAGE_ACCEPTED);
		stage_tell_others(room, peer, "peerAcceptedToJoinStage", ROOM_VIEW_STATE);
		return TRUE;
	}
	stage_set(room, peer, RTK_STAGE_REQUESTED);
	stage_announce_request(room, peer);
	room_stage_requests_changed(room);
	stage_tell_others(room, peer, "peerRequestToJoinStage", ROOM_VIEW_STAGE_AUDIENCE);
	return TRUE;
}

gboolean rtk_room_stage_cancel(rtk_room *room, rtk_peer *peer, rtk_refusal *why) {
	if(!stage_check_own(peer, RTK_ACTION_STAGE_REQUEST, why))
		return FALSE;
	if(peer->stage != RTK_STAGE_REQUESTED) {
		rtk_refusal_set(why, RTK_ERR_STAGE_NO_REQUEST, "you have no pending stage request to cancel (status %s)",
			rtk_stage_status_name(peer->stage));
		return FALSE;
	}
	stage_set(room, peer, RTK_STAGE_OFF_STAGE);
	room_stage_requests_changed(room);
	/* Those told of the request hear it is withdrawn (else their copy of
	 * the peer would stay REQUESTED_TO_JOIN_STAGE). */
	stage_tell_others(room, peer, "peerCancelledRequestToJoinStage", ROOM_VIEW_STAGE_AUDIENCE);
	return TRUE;
}

gboolean rtk_room_stage_join(rtk_room *room, rtk_peer *peer, rtk_refusal *why) {
	if(!stage_check_own(peer, RTK_ACTION_STAGE_JOIN, why))
		return FALSE;
	if(peer->stage == RTK_STAGE_ON_STAGE) {
		rtk_refusal_set(why, RTK_ERR_STAGE_ALREADY, "you are already on stage");
		return FALSE;
	}
	if(peer->permissions.stage_access != RTK_PRODUCE_ALLOWED && peer->stage != RTK_STAGE_ACCEPTED) {
		rtk_refusal_set(why, RTK_ERR_STAGE_NOT_ACCEPTED, "you may join the stage only once a host accepts your request (status %s)",
			rtk_stage_status_name(peer->stage));
		return FALSE;
	}
	gboolean was_requested = peer->stage == RTK_STAGE_REQUESTED;
	stage_set(room, peer, RTK_STAGE_ON_STAGE);
	stage_tell_others(room, peer, "peerStartedPresenting", ROOM_VIEW_STATE);
	if(was_requested)
		room_stage_requests_changed(room);
	room_changed(room, peer, RTK_PEER_STAGE);
	return TRUE;
}

gboolean rtk_room_stage_leave(rtk_room *room, rtk_peer *peer, rtk_refusal *why) {
	if(peer->waitlisted) {
		rtk_refusal_set(why, RTK_ERR_NOT_JOINED, "you are in the waiting room: wait to be accepted");
		return FALSE;
	}
	if(!peer->permissions.stage_enabled) {
		rtk_refusal_set(why, RTK_ERR_STAGE_DISABLED, "your preset has no stage (stage_enabled is false)");
		return FALSE;
	}
	if(peer->stage != RTK_STAGE_ON_STAGE) {
		rtk_refusal_set(why, RTK_ERR_NOT_ON_STAGE, "you are not on stage (status %s)", rtk_stage_status_name(peer->stage));
		return FALSE;
	}
	stage_set(room, peer, RTK_STAGE_OFF_STAGE);
	stage_tell_others(room, peer, "peerStoppedPresenting", ROOM_VIEW_STATE);
	room_changed(room, peer, RTK_PEER_STAGE);
	return TRUE;
}

void rtk_room_stage_mirror(rtk_room *room, rtk_peer *peer, rtk_stage_status status) {
	rtk_stage_status was = peer->stage;
	if(was == status)
		return;
	peer->stage = status;
	if(status == RTK_STAGE_ON_STAGE)
		stage_tell_others(room, peer, "peerStartedPresenting", ROOM_VIEW_STATE);
	else if(was == RTK_STAGE_ON_STAGE)
		stage_tell_others(room, peer, "peerStoppedPresenting", ROOM_VIEW_STATE);
	else if(status == RTK_STAGE_ACCEPTED)
		stage_tell_others(room, peer, "peerAcceptedToJoinStage", ROOM_VIEW_STATE);
	else if(status == RTK_STAGE_REQUESTED)
		stage_tell_others(room, peer, "peerRequestToJoinStage", ROOM_VIEW_STAGE_AUDIENCE);
}

/* ---- the stage hosts' steps ---- */

/* Grant (TRUE) or deny (FALSE) the pending request of each of `user_ids`. */
static gboolean stage_answer(rtk_room *room, rtk_peer *actor, const json_t *user_ids, gboolean grant, rtk_refusal *why) {
	GPtrArray *targets = g_ptr_array_new();   /* borrowed peers */
	gboolean ok = stage_resolve(room, actor, user_ids, RTK_STAGE_REQUESTED, targets, why);
	for(guint i = 0; ok && i < targets->len; i++) {
		rtk_peer *peer = g_ptr_array_index(targets, i);
		if(peer->stage != RTK_STAGE_REQUESTED)   /* named twice */
			continue;
		stage_set(room, peer, grant ? RTK_STAGE_ACCEPTED : RTK_STAGE_OFF_STAGE);
		stage_tell(room, peer, grant ? "stageRequestApproved" : "stageRequestRejected");
		stage_tell_others(room, peer, grant ? "peerAcceptedToJoinStage" : "peerRejectedToJoinStage", ROOM_VIEW_STATE);
	}
	if(ok && targets->len > 0)
		room_stage_requests_changed(room);
	g_ptr_array_free(targets, TRUE);
	return ok;
}

gboolean rtk_room_stage_grant(rtk_room *room, rtk_peer *actor, const json_t *user_ids, rtk_refusal *why) {
	return stage_answer(room, actor, user_ids, TRUE, why);
}

gboolean rtk_room_stage_deny(rtk_room *room, rtk_peer *actor, const json_t *user_ids, rtk_refusal *why) {
	return stage_answer(room, actor, user_ids, FALSE, why);
}

gboolean rtk_room_stage_kick(rtk_room *room, rtk_peer *actor, const json_t *user_ids, rtk_refusal *why) {
	GPtrArray *targets = g_ptr_array_new();   /* borrowed peers */
	gboolean ok = stage_resolve(room, actor, user_ids, RTK_STAGE_ON_STAGE, targets, why);
	for(guint i = 0; ok && i < targets->len; i++) {
		rtk_peer *peer = g_ptr_array_index(targets, i);
		if(peer->stage != RTK_STAGE_ON_STAGE)   /* named twice */
			continue;
		stage_set(room, peer, RTK_STAGE_OFF_STAGE);
		stage_tell_others(room, peer, "peerStoppedPresenting", ROOM_VIEW_STATE);
		room_changed(room, peer, RTK_PEER_STAGE);
	}
	g_ptr_array_free(targets, TRUE);
	return ok;
}

json_t *rtk_room_stage_requests(rtk_room *room, rtk_peer *actor, rtk_refusal *why) {
	if(!room_actor_may(actor, RTK_ACTION_ACCEPT_STAGE, why))
		return NULL;
	return stage_request_list(room, actor);
}
