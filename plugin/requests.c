/*
 * requests.c - the signalling requests (requests.h, docs/protocol.md).
 *
 * Owns each request's checks and its reply: the handle's role, the JSEP it
 * needs, and when a wrong field is answered (the fields themselves are read
 * by request_parse.c, without Janus). Meeting decisions (who may do what,
 * which events go to whom) are the room model's (room.h); a request here
 * calls it and turns a refusal into an error event. Media setup and its
 * teardown are session.c's and media.c's.
 */
#include <string.h>
#include <debug.h>

#include "requests.h"
#include "requests_internal.h"
#include "chat_requests.h"
#include "connected_requests.h"
#include "plugin_requests.h"
#include "capture.h"
#include "cascade.h"
#include "cascade_msg.h"
#include "errors.h"
#include "history.h"
#include "media.h"
#include "node.h"
#include "policy.h"
#include "subscriber.h"


static void request_reply_error(rtk_reply *reply, const char *code, const char *format, ...) G_GNUC_PRINTF(3, 4);
static void request_reply_error(rtk_reply *reply, const char *code, const char *format, ...) {
	va_list args;
	va_start(args, format);
	g_vsnprintf(reply->message, sizeof(reply->message), format, args);
	va_end(args);
	reply->code = code;
}

static const char *request_admit_error_code(rtk_admit_status status) {
	switch(status) {
		case RTK_ADMIT_TOKEN_MALFORMED: return RTK_ERR_TOKEN_MALFORMED;
		case RTK_ADMIT_TOKEN_FORGED: return RTK_ERR_TOKEN_FORGED;
		case RTK_ADMIT_TOKEN_EXPIRED: return RTK_ERR_TOKEN_EXPIRED;
		case RTK_ADMIT_TOKEN_REVOKED: return RTK_ERR_TOKEN_REVOKED;
		case RTK_ADMIT_PARTICIPANT_NOT_FOUND: return RTK_ERR_PARTICIPANT_DELETED;
		case RTK_ADMIT_MEETING_NOT_FOUND: return RTK_ERR_MEETING_NOT_FOUND;
		case RTK_ADMIT_MEETING_INACTIVE: return RTK_ERR_MEETING_INACTIVE;
		case RTK_ADMIT_PRESET_NOT_FOUND: return RTK_ERR_PRESET_NOT_FOUND;
		default: return RTK_ERR_INTERNAL;
	}
}

static const char *request_admit_error_message(rtk_admit_status status) {
	switch(status) {
		case RTK_ADMIT_TOKEN_MALFORMED: return "token malformed: expected a JWT from the REST API";
		case RTK_ADMIT_TOKEN_FORGED: return "token signature invalid: not issued by this deployment";
		case RTK_ADMIT_TOKEN_EXPIRED: return "token expired: ask the REST API for a fresh one";
		case RTK_ADMIT_TOKEN_REVOKED: return "token revoked: a newer token was issued for this participant";
		case RTK_ADMIT_PARTICIPANT_NOT_FOUND: return "participant was deleted";
		case RTK_ADMIT_MEETING_NOT_FOUND: return "meeting does not exist";
		case RTK_ADMIT_MEETING_INACTIVE: return "meeting is INACTIVE";
		case RTK_ADMIT_PRESET_NOT_FOUND: return "the participant's preset no longer exists";
		default: return "internal error: store unavailable";
	}
}

/* A join of a meeting placed on another node: whether it goes on here, on
 * this node's edge of the meeting (cascade.h), fed by the owner: its
 * preset only receives (rtk_cascade_receive_only), or publishes nothing
 * until a host accepts its stage request (rtk_permissions_stage_gated; it
 * is sent to the owner when it asks: 0807); it has no waiting room (the
 * hosts who admit are on the owner: on an edge it would wait for ever);
 * and the join did not ask for the owner ("origin": true; a value that is
 * not a boolean is refused by request_join). No lock held (it may
 * connect). */
static gboolean request_join_edge(const rtk_message *msg, const char *meeting_id) {
	const json_t *origin = json_object_get(msg->body, "origin");
	if(origin != NULL && !json_is_false(origin))
		return FALSE;
	rtk_permissions permissions;
	rtk_permissions_parse(&permissions, json_object_get(msg->admission.preset, "permissions"));
	if(!rtk_cascade_receive_only(&permissions) && !rtk_permissions_stage_gated(&permissions))
		return FALSE;
	if(permissions.waiting_room != RTK_WAITING_SKIP)
		return FALSE;
	char *owner = rtk_node_owner_host(meeting_id);
	gboolean edge = owner != NULL && rtk_cascade_edge_open(meeting_id, owner);
	g_free(owner);
	return edge;
}

void rtk_requests_prepare(rtk_message *msg) {
	const char *name = json_string_value(json_object_get(msg->body, "request"));
	const char *token = json_string_value(json_object_get(msg->body, "token"));
	if(name == NULL || token == NULL || (strcmp(name, "join") && strcmp(name, "subscribe") &&
			strcmp(name, rtk_request_name(RTK_REQ_PREJOIN))))
		return;
	msg->admit_status = rtk_gateway_admit(rtk_gw, token, &msg->admission);
	msg->admit_checked = TRUE;
	if(msg->admit_status == RTK_ADMIT_OK && strcmp(name, "join") == 0) {
		const char *meeting_id = json_string_value(json_object_get(msg->admission.meeting, "id"));
		msg->node_url = rtk_node_claim(meeting_id, &msg->node_failed);
		if(msg->node_url != NULL)
			msg->cascade_edge = request_join_edge(msg, meeting_id);
	}
}

/* The first request on a handle (join, subscribe): the handle must be
 * fresh and the token (checked by rtk_requests_prepare) admit its
 * participant. Returns the admission, borrowed from `msg`, or NULL. */
static const rtk_admission *request_admit(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	if(session->role != RTK_ROLE_NONE) {
		request_reply_error(reply, RTK_ERR_ALREADY_JOINED, "this handle already joined or subscribed");
		return NULL;
	}
	if(!msg->admit_checked) {
		request_reply_error(reply, RTK_ERR_TOKEN_MALFORMED, "field 'token' (string) is required");
		return NULL;
	}
	if(msg->admit_status != RTK_ADMIT_OK) {
		request_reply_error(reply, request_admit_error_code(msg->admit_status), "%s",
			request_admit_error_message(msg->admit_status));
		return NULL;
	}
	return &msg->admission;
}

/* roomJoined carries the meeting's recording and livestream states, as
 * recordingUpdate and livestreamUpdate would (minus the event names). */
static void request_join_captures(rtk_live *live, json_t *joined) {
	json_t *recording = rtk_captures_recording_event(live->room->meeting_id);
	json_t *livestream = rtk_captures_livestream_event(live->room->meeting_id);
	json_object_del(recording, "rtk");
	json_object_del(livestream, "rtk");
	json_object_set_new(joined, "recording", recording);
	json_object_set_new(joined, "livestream", livestream);
}

/* roomJoined (and sync's snapshot) carries the current active speaker,
 * as activeSpeaker would (minus the event name), or null: a participant
 * joining a meeting where someone already holds the floor is told at once,
 * not at the next change. */
static void request_join_speaker(rtk_live *live, json_t *joined) {
	const char *id = rtk_speakers_current(live->speakers);
	json_t *speaker = id != NULL ? rtk_view_speaker_event(rtk_room_find_peer(live->room, id)) : NULL;
	json_object_del(speaker, "rtk");
	json_object_set_new(joined, "activeSpeaker", speaker != NULL ? speaker : json_null());
}

static guint request_view_candidates(rtk_session *session);
static gboolean request_body(rtk_message *msg, rtk_reply *reply);

/* roomJoined (and sync's snapshot) carries the view, viewModeUpdate's
 * fields: the page size comes from the preset, and the SDK needs it before
 * any view request. The participant counts as told. */
static void request_join_view(rtk_session *session, json_t *joined) {
	guint candidates = request_view_candidates(session);
	json_t *fields = rtk_view_mode_event(&session->view, candidates);
	json_decref(rtk_session_view_changed(session, candidates));
	json_object_del(fields, "rtk");
	json_object_set_new(joined, "view", fields);
}

static void request_join(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	const rtk_admission *admission = request_admit(session, msg, reply);
	if(admission == NULL || !request_body(msg, reply))
		return;
	if(msg->node_failed) {
		request_reply_error(reply, RTK_ERR_INTERNAL, "internal error: store unavailable");
		return;
	}
	const char *meeting_id = json_string_value(json_object_get(admission->meeting, "id"));
	if(msg->node_url != NULL && !(msg->cascade_edge && rtk_cascade_is_edge(meeting_id))) {
		/* several nodes: the meeting runs on another one */
		request_reply_error(reply, RTK_ERR_MEETING_ELSEWHERE, "the meeting runs on another node: "
			"join again at janusUrl");
		reply->janus_url = msg->node_url;
		return;
	}
	rtk_live *live = rtk_live_get_or_create(msg->lock, admission->meeting);
	if(live == NULL) {
		request_reply_error(reply, RTK_ERR_INTERNAL, "the meeting's session belongs to another family: "
			"join again once it ended");
		return;
	}
	if(live->edge)
		rtk_cascade_edge_attach(live);   /* the owner's participants and streams, before roomJoined */
	if(!rtk_session_link(session, live)) {   /* the handle is being destroyed: nobody to answer */
		rtk_live_release_if_empty(live);
		return;
	}
	const char *user_id = json_string_value(json_object_get(admission->participant, "id"));
	/* A newer join of the same participant takes the seat; the older
	 * presence is told why (roomLeft "left", reason "replaced"). */
	rtk_room_remove_user(live->room, user_id, "left", "replaced");
	rtk_peer *peer = rtk_peer_new(admission->participant, admission->preset, session);
	json_decref(session->left);
	session->left = NULL;
	/* self.setName before join: this presence's name, when the preset lets
	 * the participant choose it (else the stored name stays, and roomJoined
	 * says which one holds). The participant record is not changed. */
	if(msg->request.display_name != NULL &&
			rtk_permissions_allow(&peer->permissions, RTK_ACTION_EDIT_DISPLAY_NAME, NULL)) {
		g_free(peer->name);
		peer->name = g_strdup(msg->request.display_name);
	}
	session->role = RTK_ROLE_MAIN;
	session->peer = peer;
	if(live->edge) {   /* the owner's Janus URL (0806's), for a stage request (0807) */
		g_free(session->origin_url);
		session->origin_url = g_strdup(msg->node_url);
	}
	rtk_view_init(&session->view, peer->config_json);
	reply->event = rtk_room_enter(live->room, peer);
	request_join_captures(live, reply->event);
	/* waitlisted: told with the first viewModeUpdate once admitted */
	if(!peer->waitlisted) {
		request_join_view(session, reply->event);
		request_join_speaker(live, reply->event);
		rtk_live_add_ice_servers(reply->event, peer);
	}
	if(!peer->waitlisted) {
		rtk_live_webhook(live, "meeting.participantJoined", peer);
		rtk_history_joined(live->room, peer, live->edge);
	}
	rtk_captures_sync_peers(live->room, live->router);   /* recordings show the newcomer */
	JANUS_LOG(LOG_INFO, "[rtk] meeting %s: participant %s %s as peer %s\n",
		live->room->meeting_id, peer->user_id, peer->waitlisted ? "waitlisted" : "joined", peer->id);
}

static gboolean request_needs_role(rtk_session *session, rtk_role role, rtk_reply *reply) {
	if(session->role == role)
		return TRUE;
	request_reply_error(reply, RTK_ERR_NOT_JOINED, role == RTK_ROLE_MAIN ?
		"join first: this request belongs on a joined main handle" :
		"subscribe first: this request belongs on a subscriber handle");
	return FALSE;
}

/* A joined participant (main handle, not in the waiting room). */
static gboolean request_needs_joined(rtk_session *session, rtk_reply *reply) {
	if(!request_needs_role(session, RTK_ROLE_MAIN, reply))
		return FALSE;
	if(session->peer->waitlisted) {
		request_reply_error(reply, RTK_ERR_NOT_JOINED, "in the waiting room: wait until a host accepts you");
		return FALSE;
	}
	return TRUE;
}

static void request_reply_refusal(rtk_reply *reply, const rtk_refusal *why) {
	request_reply_error(reply, why->code, "%s", why->message);
}

/* The request's fields, as request_parse.c read them: FALSE (answering the
 * first missing or mistyped one) unless they are all fine. */
static gboolean request_body(rtk_message *msg, rtk_reply *reply) {
	if(msg->request.error.code == NULL)
		return TRUE;
	request_reply_refusal(reply, &msg->request.error);
	return FALSE;
}

static gboolean request_jsep(rtk_message *msg, const char *type, const char **sdp, rtk_reply *reply) {
	const char *jtype = json_string_value(json_object_get(msg->jsep, "type"));
	*sdp = json_string_value(json_object_get(msg->jsep, "sdp"));
	if(jtype == NULL || *sdp == NULL || strcmp(jtype, type)) {
		request_reply_error(reply, RTK_ERR_JSEP_REQUIRED, "a JSEP %s is required", type);
		return FALSE;
	}
	return TRUE;
}

/* Which kinds the peer may publish now; FALSE (with the refusal of the
 * camera, else the microphone) when none. */
static gboolean request_publish_allowed_kinds(rtk_peer *peer, gboolean allowed[RTK_MEDIA_KINDS], rtk_refusal *why) {
	gboolean any = FALSE;
	rtk_refusal kind_why[RTK_MEDIA_KINDS];
	for(int kind = 0; kind < RTK_MEDIA_KINDS; kind++) {
		allowed[kind] = rtk_peer_may_publish(peer, kind, &kind_why[kind]);
		any = any || allowed[kind];
	}
	if(!any)
		*why = kind_why[RTK_MEDIA_VIDEO];
	return any;
}

/* The Janus core set up ICE for the refused offer: close that
 * PeerConnection (unless one is already publishing) so a later offer on
 * the handle starts afresh. */
static void request_publish_refused(rtk_session *session, rtk_message *msg) {
	gboolean publishing = FALSE;
	for(int kind = 0; kind < RTK_MEDIA_KINDS; kind++)
		publishing = publishing || rtk_publisher_has_kind(session, kind);
	if(msg->jsep != NULL && !publishing)
		rtk_janus->close_pc(session->handle);
}

/* Whether an accepted offer takes exactly the m-lines already published
 * (same mindex, mid, type and simulcast): an ICE restart, or a re-offer
 * that changes nothing the plugin relays. `streams`: the offer's new
 * streams (rtk_pub_stream*, owned by the caller). */
static gboolean request_publish_keeps_streams(rtk_session *session, GPtrArray *streams) {
	guint published = 0;
	for(int i = 0; i < RTK_MAX_PUB_STREAMS; i++)
		published += session->pub[i] != NULL;
	if(published == 0 || published != streams->len)
		return FALSE;
	for(guint i = 0; i < streams->len; i++) {
		rtk_pub_stream *ps = g_ptr_array_index(streams, i);
		rtk_pub_stream *old = ps->mindex < RTK_MAX_PUB_STREAMS ? session->pub[ps->mindex] : NULL;
		if(old == NULL || old->type != ps->type || g_strcmp0(old->mid, ps->mid) || old->simulcast != ps->simulcast)
			return FALSE;
	}
	return TRUE;
}

/* A re-offer that changes the m-lines (a screenshare added, say) replaces
 * every published stream; a simulcast one that stays (same mid, same rids)
 * keeps the SSRC of each layer learnt from the rid header extension, which
 * Chromium stops sending once the layer was acknowledged: the new stream
 * could never learn them again, and its camera would reach nobody. */
static void request_publish_carry_layers(rtk_session *session, GPtrArray *streams) {
	for(guint i = 0; i < streams->len; i++) {
		rtk_pub_stream *ps = g_ptr_array_index(streams, i);
		rtk_pub_stream *old = ps->mindex < RTK_MAX_PUB_STREAMS ? session->pub[ps->mindex] : NULL;
		if(old == NULL || !old->simulcast || !ps->simulcast || g_strcmp0(old->mid, ps->mid))
			continue;
		janus_mutex_lock(&old->rid_mutex);
		for(int l = 0; l < 3; l++)
			if(ps->ssrcs[l] == 0 && ps->rids[l] != NULL && !g_strcmp0(ps->rids[l], old->rids[l]))
				ps->ssrcs[l] = old->ssrcs[l];
		janus_mutex_unlock(&old->rid_mutex);
	}
}

/* The reply to a re-offer that keeps the published streams: `published`
 * with them and the answer (borrowed); nothing changes for the others. */
static void request_publish_answer_kept(rtk_session *session, const char *answer, rtk_reply *reply) {
	json_t *published = json_array();
	for(int i = 0; i < RTK_MAX_PUB_STREAMS; i++) {
		rtk_pub_stream *ps = session->pub[i];
		if(ps != NULL)
			json_array_append_new(published, json_pack("{ss ss ss}", "mid", ps->mid,
				"kind", ps->video ? "video" : "audio", "type", rtk_media_kind_name(ps->type)));
	}
	reply->event = rtk_event_new("published");
	json_object_set_new(reply->event, "streams", published);
	reply->jsep = rtk_jsep_new("answer", answer);
}

static void request_publish(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	const char *offer;
	if(!request_needs_joined(session, reply) || !request_jsep(msg, "offer", &offer, reply)) {
		request_publish_refused(session, msg);
		return;
	}
	rtk_peer *peer = session->peer;
	gboolean allowed[RTK_MEDIA_KINDS];
	rtk_refusal why;
	if(!request_publish_allowed_kinds(peer, allowed, &why)) {
		request_reply_refusal(reply, &why);
		request_publish_refused(session, msg);
		return;
	}
	GPtrArray *streams = g_ptr_array_new();
	char error[256] = "";
	char *answer = rtk_media_answer_publisher(session->handle, peer->id, peer->user_id, offer,
		json_object_get(msg->jsep, "simulcast"), msg->request.descriptions,
		allowed, streams, error, sizeof(error));
	if(answer == NULL) {
		g_ptr_array_free(streams, TRUE);
		request_reply_error(reply, RTK_ERR_SDP, "offer refused: %s", error);
		request_publish_refused(session, msg);
		return;
	}
	if(request_publish_keeps_streams(session, streams)) {
		request_publish_answer_kept(session, answer, reply);
		g_free(answer);
		g_ptr_array_free(streams, TRUE);
		return;
	}
	/* A new offer on the same handle replaces what was published before. */
	request_publish_carry_layers(session, streams);
	rtk_publisher_teardown(session, FALSE);
	json_t *published = json_array();
	janus_mutex_lock(&session->pub_mutex);
	for(guint i = 0; i < streams->len; i++) {
		rtk_pub_stream *ps = g_ptr_array_index(streams, i);
		if(ps->mindex >= RTK_MAX_PUB_STREAMS) {
			rtk_pub_stream_free(ps);
			g_ptr_array_index(streams, i) = NULL;
			continue;
		}
		ps->speakers = session->live->speakers;
		session->pub[ps->mindex] = ps;
		json_array_append_new(published, json_pack("{ss ss ss}", "mid", ps->mid,
			"kind", ps->video ? "video" : "audio", "type", rtk_media_kind_name(ps->type)));
	}
	janus_mutex_unlock(&session->pub_mutex);
	for(int kind = 0; kind < RTK_MEDIA_KINDS; kind++)
		rtk_room_set_media(session->live->room, peer, kind, rtk_publisher_has_kind(session, kind));
	rtk_router_add_producers(session->live->router, streams);
	g_ptr_array_free(streams, TRUE);
	reply->event = rtk_event_new("published");
	json_object_set_new(reply->event, "streams", published);
	reply->jsep = rtk_jsep_new("answer", answer);
	g_free(answer);
}

static void request_unpublish(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	if(!request_needs_role(session, RTK_ROLE_MAIN, reply))
		return;
	rtk_publisher_teardown(session, TRUE);
	rtk_janus->close_pc(session->handle);
	reply->event = rtk_event_new("unpublished");
}

/* configure on a main handle: media on/off. */
static void request_configure_media(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	static const char *keys[RTK_MEDIA_KINDS] = { "audio", "video", "screenshare" };
	if(!request_body(msg, reply))
		return;
	rtk_peer *peer = session->peer;
	/* Every kind is checked before any changes: a refused unmute changes
	 * nothing. Turning on a kind the peer may not publish is refused even
	 * when its stream is gone (dropped when the right was lost). */
	for(int kind = 0; kind < RTK_MEDIA_KINDS; kind++) {
		rtk_refusal why;
		if(json_is_true(json_object_get(msg->body, keys[kind])) && !rtk_peer_may_publish(peer, kind, &why)) {
			request_reply_refusal(reply, &why);
			return;
		}
	}
	for(int kind = 0; kind < RTK_MEDIA_KINDS; kind++) {
		json_t *value = json_object_get(msg->body, keys[kind]);
		if(value == NULL)
			continue;
		gboolean enabled = json_is_true(value) && rtk_publisher_has_kind(session, kind);
		for(int i = 0; i < RTK_MAX_PUB_STREAMS; i++) {
			rtk_pub_stream *ps = session->pub[i];
			if(ps != NULL && ps->type == (rtk_media_kind)kind)
				rtk_relay_set_enabled(rtk_janus, ps, enabled);
		}
		rtk_room_set_media(session->live->room, peer, kind, enabled);
	}
	reply->event = rtk_event_new("configured");
	for(int kind = 0; kind < RTK_MEDIA_KINDS; kind++)
		json_object_set_new(reply->event, rtk_peer_media_field(kind), json_boolean(peer->media_enabled[kind]));
}

/* configure on a subscriber handle: simulcast layers of one stream. */
static void request_configure_layers(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	const char *mid = msg->request.mid;
	if(!request_body(msg, reply))
		return;
	for(guint i = 0; mid != NULL && i < session->slots->len; i++) {
		rtk_sub_stream *ss = g_ptr_array_index(session->slots, i);
		if(strcmp(ss->mid, mid))
			continue;
		rtk_relay_set_layers(ss, msg->request.substream, msg->request.temporal);
		/* Before the PeerConnection is up a keyframe would reach nobody, and
		 * this request would throttle away the one setup_media makes when it
		 * comes up (a join's first frame waited 300 ms more for it). */
		if(ss->source != NULL && g_atomic_int_get(&session->started))
			rtk_relay_request_keyframe(rtk_janus, ss->source);
		reply->event = rtk_event_new("configured");
		return;
	}
	request_reply_error(reply, RTK_ERR_UNKNOWN_STREAM, "no stream with mid '%s'", mid ? mid : "(missing)");
}

static void request_configure(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	if(session->role == RTK_ROLE_MAIN && request_needs_joined(session, reply))
		request_configure_media(session, msg, reply);
	else if(session->role == RTK_ROLE_MAIN)
		return;
	else if(session->role == RTK_ROLE_SUBSCRIBER && msg->request.restart && request_body(msg, reply))
		rtk_subscriber_restart(session, msg->transaction);   /* the reply is the offer */
	else if(session->role == RTK_ROLE_SUBSCRIBER && !msg->request.restart)
		request_configure_layers(session, msg, reply);
	else if(session->role == RTK_ROLE_SUBSCRIBER)
		return;
	else
		request_reply_error(reply, RTK_ERR_NOT_JOINED, "join or subscribe first");
}

static void request_leave(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	if(!request_needs_role(session, RTK_ROLE_MAIN, reply))
		return;
	rtk_janus->close_pc(session->handle);
	rtk_session_leave(session, NULL);
	reply->event = json_pack("{ss ss}", "rtk", "roomLeft", "state", "left");
	json_decref(session->left);
	session->left = json_deep_copy(reply->event);
}

/* sync on a main handle: where this presence stands now, for a client whose
 * socket was down (the events pushed meanwhile were lost). Joined: the
 * roomJoined snapshot; waitlisted: self and meeting; gone: the roomLeft it
 * was sent. Each as {"rtk": "roomState", "roomState": ...}. */
static void request_sync(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	if(session->role == RTK_ROLE_NONE && session->left != NULL) {
		reply->event = json_deep_copy(session->left);   /* {rtk, state, reason?} */
		json_object_set(reply->event, "roomState", json_object_get(session->left, "state"));
		json_object_del(reply->event, "state");
	} else if(!request_needs_role(session, RTK_ROLE_MAIN, reply)) {
		return;
	} else if(session->peer->waitlisted) {
		reply->event = json_pack("{ss ss so so}", "rtk", "roomState", "roomState", "waitlisted",
			"self", rtk_peer_self_json(session->peer),
			"meeting", rtk_room_meta_json(session->live->room, session->peer));
		return;
	} else {
		reply->event = rtk_room_joined_snapshot(session->live->room, session->peer);
		request_join_captures(session->live, reply->event);
		request_join_view(session, reply->event);
		request_join_speaker(session->live, reply->event);
		rtk_live_add_ice_servers(reply->event, session->peer);
		json_object_set_new(reply->event, "roomState", json_string("joined"));
		rtk_policy_publisher_resend(session->live, session->handle);   /* a change it may have missed */
	}
	json_object_set_new(reply->event, "rtk", json_string("roomState"));
}

/* participants.getParticipantsInMeetingPreJoin: on a fresh handle, with
 * the token, what the participant would find if it joined now (the room
 * model decides what it may see: rtk_room_prejoin_json). Nothing changes:
 * no presence, no event to anyone, no webhook, no live session created;
 * the handle stays fresh, so it may join afterwards. */
static void request_prejoin(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	const rtk_admission *admission = request_admit(session, msg, reply);
	if(admission == NULL)
		return;
	rtk_peer *viewer = rtk_peer_new(admission->participant, admission->preset, NULL);
	if(viewer == NULL) {
		request_reply_error(reply, RTK_ERR_INTERNAL, "the participant could not be read");
		return;
	}
	rtk_live *live = rtk_live_find(msg->lock, json_string_value(json_object_get(admission->meeting, "id")));
	reply->event = rtk_room_prejoin_json(live ? live->room : NULL, admission->meeting, viewer);
	rtk_peer_free(viewer);
}

static void request_subscribe(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	const rtk_admission *admission = request_admit(session, msg, reply);
	if(admission == NULL)
		return;
	const char *meeting_id = json_string_value(json_object_get(admission->meeting, "id"));
	const char *user_id = json_string_value(json_object_get(admission->participant, "id"));
	rtk_live *live = rtk_live_find(msg->lock, meeting_id);
	rtk_peer *peer = live ? rtk_room_find_user(live->room, user_id) : NULL;
	if(peer == NULL) {
		request_reply_error(reply, RTK_ERR_PARTICIPANT_ABSENT,
			"participant is not in the meeting: join on a main handle first");
		return;
	}
	if(!rtk_session_link(session, live))   /* the handle is being destroyed */
		return;
	session->role = RTK_ROLE_SUBSCRIBER;
	session->peer = peer;
	session->slots = g_ptr_array_new_with_free_func((GDestroyNotify)rtk_sub_stream_free);
	rtk_router_add_subscriber(live->router, session);
	/* The reply carries the first offer: sent here with the transaction. */
	rtk_subscriber_send_offer(session, "subscribed", msg->transaction);
}

static void request_start(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	const char *answer;
	if(!request_needs_role(session, RTK_ROLE_SUBSCRIBER, reply) || !request_jsep(msg, "answer", &answer, reply))
		return;
	session->offer_outstanding = FALSE;
	rtk_subscriber_want_keyframes(session);
	reply->event = rtk_event_new("started");
}

/* ---- meeting controls: waiting room, stage, host controls, pins, rights ---- */

/* Ends every room operation: the refusal or {"rtk": "ok", "request": name},
 * then what the room's changes left to do (rtk_live_flush). `live` is taken
 * before the operation: the actor itself may have left it (meeting.end). */
static void request_room_op_done(rtk_live *live, rtk_message *msg, gboolean done, const rtk_refusal *why,
		rtk_reply *reply) {
	if(done)
		reply->event = json_pack("{ss ss}", "rtk", "ok", "request",
			json_string_value(json_object_get(msg->body, "request")));
	else
		request_reply_refusal(reply, why);
	rtk_live_flush(live);
}

static void request_accept_waiting(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	if(!request_needs_joined(session, reply) || !request_body(msg, reply))
		return;
	rtk_live *live = session->live;
	request_room_op_done(live, msg, rtk_room_accept_waiting(live->room, session->peer, msg->request.target, &why),
		&why, reply);
}

static void request_accept_all_waiting(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	if(!request_needs_joined(session, reply))
		return;
	rtk_live *live = session->live;
	request_room_op_done(live, msg, rtk_room_accept_waiting(live->room, session->peer, NULL, &why), &why, reply);
}

static void request_reject_waiting(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	if(!request_needs_joined(session, reply) || !request_body(msg, reply))
		return;
	rtk_live *live = session->live;
	request_room_op_done(live, msg, rtk_room_reject_waiting(live->room, session->peer, msg->request.target, &why),
		&why, reply);
}

/* stage.requestAccess, cancelRequestAccess, join, leave: on oneself. */
typedef gboolean (*rtk_stage_self_fn)(rtk_room *room, rtk_peer *peer, rtk_refusal *why);

static void request_stage_self(rtk_session *session, rtk_message *msg, rtk_reply *reply, rtk_stage_self_fn fn) {
	rtk_refusal why;
	if(!request_needs_joined(session, reply))
		return;
	rtk_live *live = session->live;
	request_room_op_done(live, msg, fn(live->room, session->peer, &why), &why, reply);
}

/* stage.requestAccess on an edge of a cascaded meeting (cascade.h) by a
 * participant who may publish once on stage: the stage is the owner's,
 * whose hosts do not see the edge's viewers. Answered 0807 with the
 * owner's Janus URL: the client joins there with "origin": true and asks
 * again (docs/protocol.md, "Several nodes"). A request the owner would
 * refuse gets that refusal here. FALSE when the request stays here. */
static gboolean request_stage_on_origin(rtk_session *session, rtk_reply *reply) {
	rtk_peer *peer = session->peer;
	if(!session->live->edge || rtk_cascade_receive_only(&peer->permissions))
		return FALSE;
	rtk_refusal why;
	if(!rtk_room_stage_may_request(peer, &why)) {
		request_reply_refusal(reply, &why);
		return TRUE;
	}
	request_reply_error(reply, RTK_ERR_STAGE_ON_ORIGIN, "the stage is on the meeting's node: join again at "
		"janusUrl with \"origin\": true and ask there");
	reply->janus_url = session->origin_url != NULL ? session->origin_url : "";
	JANUS_LOG(LOG_INFO, "[rtk] meeting %s: participant %s asks for the stage on this edge: sent to %s\n",
		session->live->room->meeting_id, peer->user_id, reply->janus_url);
	return TRUE;
}

static void request_stage_request(rtk_session *s, rtk_message *m, rtk_reply *r) {
	if(request_needs_joined(s, r) && !request_stage_on_origin(s, r))
		request_stage_self(s, m, r, rtk_room_stage_request);
}
static void request_stage_cancel(rtk_session *s, rtk_message *m, rtk_reply *r) { request_stage_self(s, m, r, rtk_room_stage_cancel); }
static void request_stage_join(rtk_session *s, rtk_message *m, rtk_reply *r) { request_stage_self(s, m, r, rtk_room_stage_join); }
static void request_stage_leave(rtk_session *s, rtk_message *m, rtk_reply *r) { request_stage_self(s, m, r, rtk_room_stage_leave); }

/* stage.grantAccess, denyAccess, kick: on others, by user ids. */
typedef gboolean (*rtk_stage_others_fn)(rtk_room *room, rtk_peer *actor, const json_t *user_ids, rtk_refusal *why);

static void request_stage_others(rtk_session *session, rtk_message *msg, rtk_reply *reply, rtk_stage_others_fn fn) {
	rtk_refusal why;
	if(!request_needs_joined(session, reply) || !request_body(msg, reply))
		return;
	rtk_live *live = session->live;
	request_room_op_done(live, msg, fn(live->room, session->peer, msg->request.ids, &why), &why, reply);
}

static void request_stage_grant(rtk_session *s, rtk_message *m, rtk_reply *r) { request_stage_others(s, m, r, rtk_room_stage_grant); }
static void request_stage_deny(rtk_session *s, rtk_message *m, rtk_reply *r) { request_stage_others(s, m, r, rtk_room_stage_deny); }
static void request_stage_kick(rtk_session *s, rtk_message *m, rtk_reply *r) { request_stage_others(s, m, r, rtk_room_stage_kick); }

static void request_stage_requests(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	if(!request_needs_joined(session, reply))
		return;
	json_t *requests = rtk_room_stage_requests(session->live->room, session->peer, &why);
	if(requests == NULL) {
		request_reply_refusal(reply, &why);
		return;
	}
	reply->event = rtk_event_new("stageAccessRequests");
	json_object_set_new(reply->event, "requests", requests);
}

/* participant.disableAudio / disableVideo / disableScreenShare {participantId, allowUnmute}. */
static void request_disable_media(rtk_session *session, rtk_message *msg, rtk_reply *reply, rtk_media_kind kind) {
	rtk_refusal why;
	if(!request_needs_joined(session, reply) || !request_body(msg, reply))
		return;
	rtk_live *live = session->live;
	request_room_op_done(live, msg, rtk_room_disable_media(live->room, session->peer, msg->request.target, kind,
		msg->request.allow_unmute, &why), &why, reply);
}

static void request_disable_audio(rtk_session *s, rtk_message *m, rtk_reply *r) { request_disable_media(s, m, r, RTK_MEDIA_AUDIO); }
static void request_disable_video(rtk_session *s, rtk_message *m, rtk_reply *r) { request_disable_media(s, m, r, RTK_MEDIA_VIDEO); }
static void request_disable_screenshare(rtk_session *s, rtk_message *m, rtk_reply *r) { request_disable_media(s, m, r, RTK_MEDIA_SCREENSHARE); }

/* participants.disableAllAudio {allowUnmute} / disableAllVideo. */
static void request_disable_all_media(rtk_session *session, rtk_message *msg, rtk_reply *reply, rtk_media_kind kind) {
	rtk_refusal why;
	if(!request_needs_joined(session, reply) || !request_body(msg, reply))
		return;
	rtk_live *live = session->live;
	request_room_op_done(live, msg, rtk_room_disable_all_media(live->room, session->peer, kind,
		msg->request.allow_unmute, &why), &why, reply);
}

static void request_disable_all_audio(rtk_session *s, rtk_message *m, rtk_reply *r) { request_disable_all_media(s, m, r, RTK_MEDIA_AUDIO); }
static void request_disable_all_video(rtk_session *s, rtk_message *m, rtk_reply *r) { request_disable_all_media(s, m, r, RTK_MEDIA_VIDEO); }

static void request_kick(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	if(!request_needs_joined(session, reply) || !request_body(msg, reply))
		return;
	rtk_live *live = session->live;
	request_room_op_done(live, msg, rtk_room_kick(live->room, session->peer, msg->request.target, &why), &why,
		reply);
}

static void request_kick_all(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	if(!request_needs_joined(session, reply))
		return;
	rtk_live *live = session->live;
	request_room_op_done(live, msg, rtk_room_kick_all(live->room, session->peer, &why), &why, reply);
}

/* meeting.end: everyone, the caller included, gets roomLeft "ended" (the
 * caller's before its "ok" reply), and every handle of theirs is closed. */
static void request_end(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	if(!request_needs_joined(session, reply))
		return;
	rtk_live *live = session->live;
	request_room_op_done(live, msg, rtk_room_end(live->room, session->peer, &why), &why, reply);
}

static void request_pin(rtk_session *session, rtk_message *msg, rtk_reply *reply, gboolean pin) {
	rtk_refusal why;
	if(!request_needs_joined(session, reply) || !request_body(msg, reply))
		return;
	rtk_live *live = session->live;
	request_room_op_done(live, msg, rtk_room_pin(live->room, session->peer, msg->request.target, pin, &why), &why,
		reply);
}

static void request_pin_on(rtk_session *s, rtk_message *m, rtk_reply *r) { request_pin(s, m, r, TRUE); }
static void request_pin_off(rtk_session *s, rtk_message *m, rtk_reply *r) { request_pin(s, m, r, FALSE); }

/* participants.broadcastMessage: the reply says how many got it. The
 * room's state does not change, so there is nothing to flush. */
static void request_broadcast_message(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	if(!request_needs_joined(session, reply) || !request_body(msg, reply))
		return;
	if(msg->request.meeting_ids != NULL) {   /* to other meetings of the family */
		rtk_connected_broadcast(session, msg, reply);
		return;
	}
	gint64 now = g_get_real_time() / 1000;
	if(msg->request.ids == NULL && session->live->edge) {
		/* to everyone: the meeting's node routes it (cascade.h), after the rate here */
		if(!rtk_rate_take(&session->peer->broadcasts, now, RTK_BROADCAST_PER_SECOND)) {
			request_reply_error(reply, RTK_ERR_RATE_LIMITED, "at most %d broadcast messages a second",
				RTK_BROADCAST_PER_SECOND);
			return;
		}
		rtk_cascade_forward_if_edge(session, msg);
		return;
	}
	int sent = rtk_room_broadcast_message(session->live->room, session->peer, msg->request.message_type,
		msg->request.payload, msg->request.ids, msg->request.preset_name, now, &why);
	if(sent < 0) {
		request_reply_refusal(reply, &why);
		return;
	}
	if(msg->request.ids == NULL)   /* to everyone, or a preset: the edges' viewers too */
		rtk_cascade_owner_broadcast(session->live, msg->request.message_type, msg->request.payload, now,
			session->peer->id, msg->request.preset_name);
	reply->event = json_pack("{ss ss si}", "rtk", "ok", "request", msg->request.name, "recipients", sent);
}

/* polls.create and polls.vote answer with the poll as the caller sees it
 * (when it may view polls), after every viewer got its pollsUpdate. */
static void request_poll_done(rtk_session *session, rtk_message *msg, const rtk_poll *poll, const rtk_refusal *why,
		rtk_reply *reply) {
	request_room_op_done(session->live, msg, poll != NULL, why, reply);
	if(poll != NULL && rtk_room_polls_visible(session->peer))
		json_object_set_new(reply->event, "poll", rtk_room_poll_json(poll, session->peer));
}

static void request_poll_create(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	if(!request_needs_joined(session, reply) || !request_body(msg, reply))
		return;
	if(rtk_cascade_forward_if_edge(session, msg))
		return;   /* the meeting's node decides (cascade.h) */
	const rtk_request *req = &msg->request;
	const rtk_poll *poll = rtk_room_poll_create(session->live->room, session->peer, req->question, req->options,
		req->anonymous, req->hide_votes, &why);
	request_poll_done(session, msg, poll, &why, reply);
}

static void request_poll_vote(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	if(!request_needs_joined(session, reply) || !request_body(msg, reply))
		return;
	if(rtk_cascade_forward_if_edge(session, msg))
		return;   /* the meeting's node decides (cascade.h) */
	const rtk_poll *poll = rtk_room_poll_vote(session->live->room, session->peer, msg->request.poll_id,
		msg->request.index, &why);
	request_poll_done(session, msg, poll, &why, reply);
}

/* meta.setBroadcastTabChanges: the spotlight on or off (spotlight.c). */
static void request_set_broadcast_tabs(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	if(!request_needs_joined(session, reply) || !request_body(msg, reply))
		return;
	rtk_live *live = session->live;
	request_room_op_done(live, msg, rtk_room_set_broadcast_tabs(live->room, session->peer, msg->request.enabled, &why),
		&why, reply);
}

/* meta.setSelfActiveTab: the caller's tab, followed by the others while it is the spotlight. */
static void request_set_active_tab(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	if(!request_needs_joined(session, reply) || !request_body(msg, reply))
		return;
	rtk_live *live = session->live;
	request_room_op_done(live, msg, rtk_room_set_active_tab(live->room, session->peer, msg->request.tab_type,
		msg->request.tab_id, g_get_real_time() / 1000, &why), &why, reply);
}

static void request_update_permissions(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	if(!request_needs_joined(session, reply) || !request_body(msg, reply))
		return;
	rtk_live *live = session->live;
	request_room_op_done(live, msg, rtk_room_update_permissions(live->room, session->peer, msg->request.ids,
		msg->request.permissions, &why), &why, reply);
}

/* participants.setViewMode {viewMode}, setPage {page}, setMaxActiveParticipantsCount {count}:
 * the reply is viewModeUpdate; what the subscriber handle forwards follows. */
/* How many participants the viewer's view chooses from: everyone else. */
static guint request_view_candidates(rtk_session *session) {
	GPtrArray *others = g_ptr_array_new();
	GPtrArray *peers = session->live->room->peers;
	for(guint i = 0; i < peers->len; i++)
		if(g_ptr_array_index(peers, i) != session->peer)
			g_ptr_array_add(others, g_ptr_array_index(peers, i));
	guint candidates = rtk_view_count_candidates(others);
	g_ptr_array_free(others, TRUE);
	return candidates;
}

static void request_reply_view(rtk_session *session, rtk_reply *reply) {
	guint candidates = request_view_candidates(session);
	reply->event = rtk_view_mode_event(&session->view, candidates);
	json_t *told = rtk_session_view_changed(session, candidates);   /* the reply tells it */
	json_decref(told);
	rtk_live_apply_views(session->live);
}

static void request_set_view_mode(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	if(!request_needs_joined(session, reply) || !request_body(msg, reply))
		return;
	rtk_view_set_mode(&session->view, msg->request.view_mode);
	request_reply_view(session, reply);
}

static void request_set_page(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	if(!request_needs_joined(session, reply) || !request_body(msg, reply))
		return;
	if(!rtk_view_set_page(&session->view, msg->request.page, request_view_candidates(session), &why)) {
		request_reply_refusal(reply, &why);
		return;
	}
	request_reply_view(session, reply);
}

static void request_set_max_active(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	if(!request_needs_joined(session, reply) || !request_body(msg, reply))
		return;
	rtk_view_set_max_active(&session->view, msg->request.count);
	request_reply_view(session, reply);
}

/* ---- recording and livestream (capture.h) ---- */

/* A joined participant whose preset has `action` (can_record, can_livestream). */
static gboolean request_may(rtk_session *session, rtk_action action, rtk_reply *reply) {
	rtk_refusal why;
	if(!request_needs_joined(session, reply))
		return FALSE;
	if(!rtk_permissions_allow(&session->peer->permissions, action, &why)) {
		request_reply_refusal(reply, &why);
		return FALSE;
	}
	return TRUE;
}

static void request_caller(rtk_session *session, rtk_capture_caller *caller) {
	caller->peer_id = session->peer->id;
	caller->user_id = session->peer->user_id;
	caller->name = session->peer->name;
}

/* {"rtk": "ok", "request": name, ...fields of `data` (stolen)} */
static void request_reply_ok_with(rtk_message *msg, rtk_reply *reply, json_t *data) {
	reply->event = json_pack("{ss ss}", "rtk", "ok", "request", json_string_value(json_object_get(msg->body, "request")));
	json_object_update(reply->event, data);
	json_decref(data);
}

static void request_recording_start(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	rtk_capture_caller caller;
	if(!request_may(session, RTK_ACTION_RECORD, reply) || !request_body(msg, reply))
		return;
	request_caller(session, &caller);
	json_t *doc = rtk_capture_recording_start(session->live->room, session->live->router, &msg->request.config, msg->request.allow_multiple,
		&caller, &why);
	if(doc == NULL) {
		request_reply_refusal(reply, &why);
		return;
	}
	request_reply_ok_with(msg, reply,
		json_pack("{s{sOss}}", "recording", "id", json_object_get(doc, "id"), "state", "STARTING"));
	json_decref(doc);
}

static void request_recording_action(rtk_session *session, rtk_message *msg, rtk_reply *reply, rtk_capture_action action) {
	rtk_refusal why;
	rtk_capture_caller caller;
	if(!request_may(session, RTK_ACTION_RECORD, reply) || !request_body(msg, reply))
		return;
	request_caller(session, &caller);
	int changed = rtk_capture_recording_action(session->live->room->meeting_id, msg->request.recording_id, action,
		&caller, &why);
	if(changed < 0)
		request_reply_refusal(reply, &why);
	else
		request_reply_ok_with(msg, reply, json_pack("{si}", "changed", changed));
}

static void request_recording_stop(rtk_session *s, rtk_message *m, rtk_reply *r) { request_recording_action(s, m, r, RTK_CAPTURE_STOP); }
static void request_recording_pause(rtk_session *s, rtk_message *m, rtk_reply *r) { request_recording_action(s, m, r, RTK_CAPTURE_PAUSE); }
static void request_recording_resume(rtk_session *s, rtk_message *m, rtk_reply *r) { request_recording_action(s, m, r, RTK_CAPTURE_RESUME); }

static void request_livestream_start(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	rtk_capture_caller caller;
	if(!request_may(session, RTK_ACTION_LIVESTREAM, reply))
		return;
	request_caller(session, &caller);
	json_t *doc = rtk_capture_livestream_start(session->live->room, session->live->router, NULL, NULL, 0,
		FALSE, NULL, &caller, &why);
	if(doc == NULL) {
		request_reply_refusal(reply, &why);
		return;
	}
	request_reply_ok_with(msg, reply, json_pack("{s{sOsssO}}", "livestream", "id", json_object_get(doc, "id"),
		"status", "STARTING", "playbackUrl", json_object_get(doc, "playback_url")));
	json_decref(doc);
}

static void request_livestream_stop(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	rtk_capture_caller caller;
	if(!request_may(session, RTK_ACTION_LIVESTREAM, reply))
		return;
	request_caller(session, &caller);
	if(!rtk_capture_livestream_stop(session->live->room->meeting_id, &caller, &why))
		request_reply_refusal(reply, &why);
	else
		request_reply_ok_with(msg, reply, json_object());
}

/* ---- what the per-feature request files share (requests_internal.h) ---- */

gboolean rtk_requests_needs_joined(rtk_session *session, rtk_reply *reply) {
	return request_needs_joined(session, reply);
}

gboolean rtk_requests_body(rtk_message *msg, rtk_reply *reply) {
	return request_body(msg, reply);
}

void rtk_requests_reply_refusal(rtk_reply *reply, const rtk_refusal *why) {
	request_reply_refusal(reply, why);
}

void rtk_requests_reply_ok_with(rtk_message *msg, rtk_reply *reply, json_t *data) {
	request_reply_ok_with(msg, reply, data);
}

typedef void (*rtk_request_fn)(rtk_session *session, rtk_message *msg, rtk_reply *reply);

/* The handler of each request kind (request_parse.h names them). */
static const rtk_request_fn requests[RTK_REQ_COUNT] = {
	[RTK_REQ_JOIN] = request_join,
	[RTK_REQ_PUBLISH] = request_publish,
	[RTK_REQ_UNPUBLISH] = request_unpublish,
	[RTK_REQ_CONFIGURE] = request_configure,
	[RTK_REQ_LEAVE] = request_leave,
	[RTK_REQ_SUBSCRIBE] = request_subscribe,
	[RTK_REQ_START] = request_start,
	[RTK_REQ_ACCEPT_WAITING] = request_accept_waiting,
	[RTK_REQ_ACCEPT_ALL_WAITING] = request_accept_all_waiting,
	[RTK_REQ_REJECT_WAITING] = request_reject_waiting,
	[RTK_REQ_DISABLE_ALL_AUDIO] = request_disable_all_audio,
	[RTK_REQ_DISABLE_ALL_VIDEO] = request_disable_all_video,
	[RTK_REQ_KICK_ALL] = request_kick_all,
	[RTK_REQ_UPDATE_PERMISSIONS] = request_update_permissions,
	[RTK_REQ_DISABLE_AUDIO] = request_disable_audio,
	[RTK_REQ_DISABLE_VIDEO] = request_disable_video,
	[RTK_REQ_DISABLE_SCREENSHARE] = request_disable_screenshare,
	[RTK_REQ_KICK] = request_kick,
	[RTK_REQ_PIN] = request_pin_on,
	[RTK_REQ_UNPIN] = request_pin_off,
	[RTK_REQ_STAGE_REQUEST] = request_stage_request,
	[RTK_REQ_STAGE_CANCEL] = request_stage_cancel,
	[RTK_REQ_STAGE_GRANT] = request_stage_grant,
	[RTK_REQ_STAGE_DENY] = request_stage_deny,
	[RTK_REQ_STAGE_JOIN] = request_stage_join,
	[RTK_REQ_STAGE_LEAVE] = request_stage_leave,
	[RTK_REQ_STAGE_KICK] = request_stage_kick,
	[RTK_REQ_STAGE_REQUESTS] = request_stage_requests,
	[RTK_REQ_SET_VIEW_MODE] = request_set_view_mode,
	[RTK_REQ_SET_PAGE] = request_set_page,
	[RTK_REQ_SET_MAX_ACTIVE] = request_set_max_active,
	[RTK_REQ_MEETING_END] = request_end,
	[RTK_REQ_RECORDING_START] = request_recording_start,
	[RTK_REQ_RECORDING_STOP] = request_recording_stop,
	[RTK_REQ_RECORDING_PAUSE] = request_recording_pause,
	[RTK_REQ_RECORDING_RESUME] = request_recording_resume,
	[RTK_REQ_LIVESTREAM_START] = request_livestream_start,
	[RTK_REQ_LIVESTREAM_STOP] = request_livestream_stop,
	[RTK_REQ_SYNC] = request_sync,
	[RTK_REQ_BROADCAST_MESSAGE] = request_broadcast_message,
	[RTK_REQ_SET_BROADCAST_TABS] = request_set_broadcast_tabs,
	[RTK_REQ_SET_ACTIVE_TAB] = request_set_active_tab,
	[RTK_REQ_PLUGINS_LIST] = rtk_plugin_request_list,
	[RTK_REQ_PLUGIN_ACTIVATE] = rtk_plugin_request_activate,
	[RTK_REQ_PLUGIN_DEACTIVATE] = rtk_plugin_request_deactivate,
	[RTK_REQ_PLUGIN_SEND_DATA] = rtk_plugin_request_send_data,
	[RTK_REQ_PLUGIN_SET_STATE] = rtk_plugin_request_set_state,
	[RTK_REQ_PLUGIN_VIEW_MODE] = rtk_plugin_request_view_mode,
	[RTK_REQ_CHAT_SEND] = rtk_chat_request_send,
	[RTK_REQ_CHAT_EDIT] = rtk_chat_request_edit,
	[RTK_REQ_CHAT_DELETE] = rtk_chat_request_delete,
	[RTK_REQ_CHAT_PIN] = rtk_chat_request_pin,
	[RTK_REQ_CHAT_UNPIN] = rtk_chat_request_unpin,
	[RTK_REQ_CHAT_GET_MESSAGES] = rtk_chat_request_get_messages,
	[RTK_REQ_CHAT_SEARCH] = rtk_chat_request_search,
	[RTK_REQ_CHAT_CREATE_CHANNEL] = rtk_chat_request_create_channel,
	[RTK_REQ_CHAT_UPDATE_CHANNEL] = rtk_chat_request_update_channel,
	[RTK_REQ_CHAT_CHANNEL_MEMBERS] = rtk_chat_request_channel_members,
	[RTK_REQ_CHAT_MARK_READ] = rtk_chat_request_mark_read,
	[RTK_REQ_PREJOIN] = request_prejoin,
	[RTK_REQ_POLL_CREATE] = request_poll_create,
	[RTK_REQ_POLL_VOTE] = request_poll_vote,
	[RTK_REQ_CONNECTED_GET] = rtk_connected_request_get,
	[RTK_REQ_CONNECTED_CREATE] = rtk_connected_request_create,
	[RTK_REQ_CONNECTED_UPDATE] = rtk_connected_request_update,
	[RTK_REQ_CONNECTED_DELETE] = rtk_connected_request_delete,
	[RTK_REQ_CONNECTED_MOVE] = rtk_connected_request_move,
	[RTK_REQ_CONNECTED_MOVE_PRESET] = rtk_connected_request_move,
};

void rtk_requests_push_reply(rtk_message *msg, rtk_reply *reply) {
	const char *name = json_string_value(json_object_get(msg->body, "request"));
	if(reply->code != NULL) {
		json_t *event = json_pack("{ss ss? s{ssss}}", "rtk", "error", "request", name,
			"error", "code", reply->code, "message", reply->message);
		if(reply->janus_url != NULL)
			json_object_set_new(json_object_get(event, "error"), "janusUrl", json_string(reply->janus_url));
		rtk_janus->push_event(msg->handle, &rtk_plugin, msg->transaction, event, NULL);
		json_decref(event);
	} else if(reply->event != NULL) {
		rtk_janus->push_event(msg->handle, &rtk_plugin, msg->transaction, reply->event, reply->jsep);
	}
	json_decref(reply->event);
	json_decref(reply->jsep);
	reply->event = reply->jsep = NULL;
	reply->janus_url = NULL;
}

/* recording.* and livestream.*: what they change is written to the store
 * by the capture writer, after the request. A join that started the
 * meeting's recording or livestream (record_on_start, live_stream_on_start)
 * is held the same way, by rtk_requests_dispatch, so that a recording its
 * roomJoined names is readable over REST once the participant has it. */
static gboolean request_changes_captures(const rtk_message *msg) {
	switch(msg->request.kind) {
		case RTK_REQ_RECORDING_START:
		case RTK_REQ_RECORDING_STOP:
		case RTK_REQ_RECORDING_PAUSE:
		case RTK_REQ_RECORDING_RESUME:
		case RTK_REQ_LIVESTREAM_START:
		case RTK_REQ_LIVESTREAM_STOP:
			return TRUE;
		default:
			return FALSE;
	}
}

void rtk_requests_push_held(rtk_message *msg) {
	if(msg->held_reply == NULL)
		return;
	rtk_captures_wait_stored(msg->held_until);
	rtk_janus->push_event(msg->handle, &rtk_plugin, msg->transaction, msg->held_reply, NULL);
	json_decref(msg->held_reply);
	msg->held_reply = NULL;
}

void rtk_requests_dispatch(rtk_session *session, rtk_message *msg) {
	rtk_reply reply = { 0 };
	rtk_request_handle on = session->role == RTK_ROLE_MAIN ? RTK_REQUEST_ON_MAIN :
		session->role == RTK_ROLE_SUBSCRIBER ? RTK_REQUEST_ON_SUBSCRIBER : RTK_REQUEST_ON_NEW;
	gboolean join = FALSE;
	guint64 queued_before = 0;
	if(!rtk_request_parse(msg->body, on, &msg->request)) {
		request_reply_refusal(&reply, &msg->request.error);
	} else {
		join = msg->request.kind == RTK_REQ_JOIN;
		if(join)
			queued_before = rtk_captures_queued();
		requests[msg->request.kind](session, msg, &reply);
	}
	gboolean captures_written = (join && rtk_captures_queued() != queued_before) ||
		(!join && request_changes_captures(msg));
	if(reply.code == NULL && reply.event != NULL && reply.jsep == NULL && captures_written) {
		msg->held_reply = reply.event;   /* pushed once stored: rtk_requests_push_held() */
		msg->held_until = rtk_captures_queued();
		reply.event = NULL;
	}
	rtk_requests_push_reply(msg, &reply);
	/* An answer may free the way for an offer that waited for it. */
	if(session->role == RTK_ROLE_SUBSCRIBER && !session->offer_outstanding && session->offer_needed)
		rtk_subscriber_send_offer(session, "updated", NULL);
	/* Streams came or went, or who is shown changed: views follow at once. */
	if(session->live != NULL)
		rtk_live_apply_views(session->live);
}
