/*
 * room.c - a meeting's live session: joining, leaving, media toggles,
 * lookups, and the one rule of who sees events about whom (see room.h and
 * room_internal.h). The waiting room, the stage and host controls live in
 * waitlist.c, stage.c and controls.c.
 */
#include <string.h>
#include "room.h"
#include "room_internal.h"

static char *room_now_iso8601(void) {
	GDateTime *now = g_date_time_new_now_utc();
	char *base = g_date_time_format(now, "%Y-%m-%dT%H:%M:%S");
	char *text = g_strdup_printf("%s.%03dZ", base, g_date_time_get_microsecond(now) / 1000);
	g_free(base);
	g_date_time_unref(now);
	return text;
}

rtk_room *rtk_room_new(const json_t *meeting, const rtk_room_sink *sink) {
	const char *id = json_string_value(json_object_get(meeting, "id"));
	if(id == NULL)
		return NULL;
	rtk_room *room = g_new0(rtk_room, 1);
	room->meeting_id = g_strdup(id);
	const char *title = json_string_value(json_object_get(meeting, "title"));
	room->title = title ? g_strdup(title) : NULL;
	const char *parent = json_string_value(json_object_get(meeting, "parent_meeting_id"));
	room->parent_meeting_id = parent ? g_strdup(parent) : NULL;
	room->session_id = g_uuid_string_random();
	room->started_at = room_now_iso8601();
	room->peers = g_ptr_array_new_with_free_func((GDestroyNotify)rtk_peer_free);
	room->waitlisted = g_ptr_array_new_with_free_func((GDestroyNotify)rtk_peer_free);
	room->admitted = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	room->chat = rtk_chat_new();
	room->polls = g_ptr_array_new_with_free_func(room_poll_free);
	room->plugins = g_ptr_array_new_with_free_func(room_plugin_free);
	room->sink = *sink;
	return room;
}

void rtk_room_free(rtk_room *room) {
	if(room == NULL)
		return;
	g_ptr_array_free(room->peers, TRUE);
	g_ptr_array_free(room->waitlisted, TRUE);
	g_hash_table_destroy(room->admitted);
	rtk_chat_free(room->chat);
	g_ptr_array_free(room->polls, TRUE);
	g_free(room->spotlight_peer);
	g_ptr_array_free(room->plugins, TRUE);
	g_free(room->meeting_id);
	g_free(room->title);
	g_free(room->parent_meeting_id);
	g_free(room->session_id);
	g_free(room->started_at);
	g_free(room);
}

guint rtk_room_size(const rtk_room *room) {
	return room->peers->len + room->waitlisted->len;
}

/* ---- lookups ---- */

rtk_peer *rtk_room_find_peer(rtk_room *room, const char *peer_id) {
	for(guint i = 0; peer_id && i < room->peers->len; i++) {
		rtk_peer *peer = g_ptr_array_index(room->peers, i);
		if(!strcmp(peer->id, peer_id))
			return peer;
	}
	return NULL;
}

rtk_peer *rtk_room_find_user(rtk_room *room, const char *user_id) {
	for(guint i = 0; user_id && i < room->peers->len; i++) {
		rtk_peer *peer = g_ptr_array_index(room->peers, i);
		if(!strcmp(peer->user_id, user_id))
			return peer;
	}
	return NULL;
}

rtk_peer *room_find_target(rtk_room *room, const char *id) {
	rtk_peer *peer = rtk_room_find_peer(room, id);
	return peer ? peer : rtk_room_find_user(room, id);
}

gboolean room_resolve_targets(rtk_room *room, const json_t *ids, GPtrArray *out, rtk_refusal *why) {
	if(!json_is_array(ids)) {
		rtk_refusal_set(why, RTK_ERR_BAD_REQUEST, "userIds must be an array of participant ids");
		return FALSE;
	}
	size_t index;
	json_t *id;
	json_array_foreach(ids, index, id) {
		if(!json_is_string(id)) {
			rtk_refusal_set(why, RTK_ERR_BAD_REQUEST, "userIds[%zu] must be a string", index);
			return FALSE;
		}
		rtk_peer *peer = room_find_target(room, json_string_value(id));
		if(peer == NULL) {
			rtk_refusal_set(why, RTK_ERR_TARGET_NOT_FOUND, "participant %.80s is not in the meeting", json_string_value(id));
			return FALSE;
		}
		g_ptr_array_add(out, peer);
	}
	return TRUE;
}

/* ---- who sees whom, and delivery ---- */

gboolean room_sees(const rtk_peer *viewer, const rtk_peer *subject, room_view view) {
	if(viewer == subject)
		return TRUE;
	const rtk_permissions *v = &viewer->permissions;
	/* The waiting room is shown to those who must act on it, hidden or not:
	 * otherwise a hidden participant could wait forever. */
	if(view == ROOM_VIEW_WAITLIST)
		return v->accept_waiting_requests;
	if(subject->permissions.hidden_participant)
		return FALSE;
	switch(view) {
		case ROOM_VIEW_LIST: return rtk_permissions_allow(v, RTK_ACTION_VIEW_PARTICIPANT_LIST, NULL);
		case ROOM_VIEW_STAGE_HOST: return v->accept_stage_requests;
		case ROOM_VIEW_STAGE_AUDIENCE: return !v->accept_stage_requests;
		case ROOM_VIEW_STATE:
		default: return TRUE;
	}
}

gboolean room_actor_may(const rtk_peer *actor, rtk_action action, rtk_refusal *why) {
	return actor == NULL || rtk_permissions_allow(&actor->permissions, action, why);
}

json_t *room_event(const char *name) {
	return json_pack("{ss}", "rtk", name);
}

json_t *room_peer_event(const char *name, const rtk_peer *subject) {
	return json_pack("{ss ss ss ss}", "rtk", name, "participantId", subject->id, "userId", subject->user_id,
		"stageStatus", rtk_stage_status_name(subject->stage));
}

void room_send(rtk_room *room, rtk_peer *peer, json_t *event) {
	room->sink.deliver(peer, event, room->sink.user_data);
}

void room_broadcast(rtk_room *room, const rtk_peer *subject, room_view view, json_t *event) {
	for(guint i = 0; i < room->peers->len; i++) {
		rtk_peer *peer = g_ptr_array_index(room->peers, i);
		if(peer != subject && room_sees(peer, subject, view))
			room_send(room, peer, event);
	}
	json_decref(event);
}

void room_changed(rtk_room *room, rtk_peer *peer, rtk_peer_change change) {
	if(room->sink.changed != NULL)
		room->sink.changed(peer, change, room->sink.user_data);
}

/* ---- joining ---- */

json_t *rtk_room_meta_json(const rtk_room *room, const rtk_peer *viewer) {
	const char *view_type = json_string_value(json_object_get(viewer->config_json, "view_type"));
	return json_pack("{ss ss? ss ss ss}",
		"meetingId", room->meeting_id,
		"meetingTitle", room->title,
		"sessionId", room->session_id,
		"meetingStartedTimestamp", room->started_at,
		"viewType", view_type ? view_type : "GROUP_CALL");
}

json_t *rtk_room_pinned_json(const rtk_room *room) {
	json_t *ids = json_array();
	for(guint i = 0; i < room->peers->len; i++) {
		const rtk_peer *peer = g_ptr_array_index(room->peers, i);
		if(peer->pinned)
			json_array_append_new(ids, json_string(peer->id));
	}
	return ids;
}

/* The joined peers `viewer` may list, as participant objects (NEW). */
static json_t *room_participants_for(const rtk_room *room, const rtk_peer *viewer) {
	json_t *list = json_array();
	for(guint i = 0; i < room->peers->len; i++) {
		const rtk_peer *peer = g_ptr_array_index(room->peers, i);
		if(peer != viewer && room_sees(viewer, peer, ROOM_VIEW_LIST))
			json_array_append_new(list, rtk_peer_to_json(peer));
	}
	return list;
}

/* Ids of the pinned peers `viewer` sees (NEW). */
static json_t *room_pinned_for(const rtk_room *room, const rtk_peer *viewer) {
	json_t *ids = json_array();
	for(guint i = 0; i < room->peers->len; i++) {
		const rtk_peer *peer = g_ptr_array_index(room->peers, i);
		if(peer->pinned && room_sees(viewer, peer, ROOM_VIEW_STATE))
			json_array_append_new(ids, json_string(peer->id));
	}
	return ids;
}

static json_t *room_joined_event(const rtk_room *room, const rtk_peer *peer) {
	json_t *event = room_event("roomJoined");
	json_object_set_new(event, "self", rtk_peer_self_json(peer));
	json_object_set_new(event, "meeting", rtk_room_meta_json(room, peer));
	json_object_set_new(event, "participants", room_participants_for(room, peer));
	json_object_set_new(event, "pinned", room_pinned_for(room, peer));
	json_object_set_new(event, "chat", rtk_chat_joined_json(room, peer));
	if(peer->permissions.accept_waiting_requests)
		json_object_set_new(event, "waitlisted", rtk_room_waitlisted_json(room, peer));
	if(rtk_room_polls_visible(peer))
		json_object_set_new(event, "polls", rtk_room_polls_json(room, peer));
	json_object_set_new(event, "spotlight", rtk_room_spotlight_json(room));
	json_object_set_new(event, "plugins", rtk_room_plugins_json(room));
	json_t *registry = rtk_room_plugin_registry_for(room, peer);
	if(registry != NULL)
		json_object_set_new(event, "pluginsAll", registry);
	return event;
}

json_t *rtk_room_prejoin_json(const rtk_room *room, const json_t *meeting, const rtk_peer *viewer) {
	json_t *event = room_event("participantsInMeetingPreJoin");
	json_t *self = rtk_peer_self_json(viewer);
	json_object_set_new(self, "roomState", json_string("init"));
	json_object_set_new(event, "self", self);
	if(room != NULL) {
		json_object_set_new(event, "meeting", rtk_room_meta_json(room, viewer));
		json_object_set_new(event, "participants", room_participants_for(room, viewer));
		return event;
	}
	const char *view_type = json_string_value(json_object_get(viewer->config_json, "view_type"));
	json_object_set_new(event, "meeting", json_pack("{ss? ss? sn sn ss}",
		"meetingId", json_string_value(json_object_get(meeting, "id")),
		"meetingTitle", json_string_value(json_object_get(meeting, "title")),
		"sessionId", "meetingStartedTimestamp", "viewType", view_type ? view_type : "GROUP_CALL"));
	json_object_set_new(event, "participants", json_array());
	return event;
}

json_t *rtk_room_joined_snapshot(const rtk_room *room, const rtk_peer *peer) {
	return room_joined_event(room, peer);
}

json_t *room_admit(rtk_room *room, rtk_peer *peer, gboolean deliver_to_self) {
	peer->waitlisted = FALSE;
	room->end_reason = NULL;   /* the session goes on */
	json_t *event = room_joined_event(room, peer);
	if(deliver_to_self)
		room_send(room, peer, event);
	json_t *joined = room_event("participantJoined");
	json_object_set_new(joined, "participant", rtk_peer_to_json(peer));
	room_broadcast(room, peer, ROOM_VIEW_LIST, joined);
	g_ptr_array_add(room->peers, peer);
	return event;
}

json_t *rtk_room_join(rtk_room *room, rtk_peer *peer) {
	return room_admit(room, peer, FALSE);
}

/* ---- leaving ---- */

void room_send_left(rtk_room *room, rtk_peer *peer, const char *state, const char *reason) {
	json_t *left = json_pack("{ss ss ss*}", "rtk", "roomLeft", "state", state, "reason", reason);
	room_send(room, peer, left);
	json_decref(left);
}

void room_remove(rtk_room *room, rtk_peer *peer, const char *state, const char *reason, gboolean by_other) {
	json_t *left = state != NULL ? json_pack("{ss ss ss*}", "rtk", "roomLeft", "state", state, "reason", reason) : NULL;
	room_remove_with(room, peer, left, by_other);
	json_decref(left);
}

void room_remove_with(rtk_room *room, rtk_peer *peer, json_t *left, gboolean by_other) {
	guint index;
	if(!g_ptr_array_find(room->peers, peer, &index))
		return;
	g_ptr_array_steal_index(room->peers, index);
	if(left != NULL)
		room_send(room, peer, left);
	room_spotlight_left(room, peer);
	json_t *event = room_event("participantLeft");
	json_object_set_new(event, "participantId", json_string(peer->id));
	json_object_set_new(event, "userId", json_string(peer->user_id));
	room_broadcast(room, peer, ROOM_VIEW_LIST, event);
	if(peer->stage == RTK_STAGE_REQUESTED)
		room_stage_requests_changed(room);
	if(by_other)
		room_changed(room, peer, RTK_PEER_REMOVED);
	rtk_peer_free(peer);
}

void rtk_room_leave(rtk_room *room, rtk_peer *peer, const char *state) {
	if(peer == NULL)
		return;
	if(g_ptr_array_find(room->waitlisted, peer, NULL))
		room_waitlist_remove(room, peer, state, NULL, "left", FALSE);
	else
		room_remove(room, peer, state, NULL, FALSE);
}

gboolean rtk_room_remove_user(rtk_room *room, const char *user_id, const char *state, const char *reason) {
	rtk_peer *peer = rtk_room_find_user(room, user_id);
	if(peer != NULL) {
		room_remove(room, peer, state, reason, TRUE);
		return TRUE;
	}
	peer = rtk_room_find_waiting(room, user_id);
	if(peer != NULL) {
		room_waitlist_remove(room, peer, state, reason, "left", TRUE);
		return TRUE;
	}
	return FALSE;
}

/* ---- media ---- */

gboolean rtk_room_set_media(rtk_room *room, rtk_peer *peer, rtk_media_kind kind, gboolean enabled) {
	if((unsigned)kind >= RTK_MEDIA_KINDS || peer->waitlisted || peer->media_enabled[kind] == enabled)
		return FALSE;
	peer->media_enabled[kind] = enabled;
	json_t *event = room_event(rtk_peer_media_event(kind));
	json_object_set_new(event, "participantId", json_string(peer->id));
	json_object_set_new(event, rtk_peer_media_field(kind), json_boolean(enabled));
	room_broadcast(room, peer, ROOM_VIEW_STATE, event);
	return TRUE;
}

gboolean rtk_room_set_own_media(rtk_room *room, rtk_peer *peer, rtk_media_kind kind, gboolean enabled, rtk_refusal *why) {
	if((unsigned)kind >= RTK_MEDIA_KINDS) {
		rtk_refusal_set(why, RTK_ERR_BAD_REQUEST, "unknown media kind %d", (int)kind);
		return FALSE;
	}
	if(peer->waitlisted) {
		rtk_refusal_set(why, RTK_ERR_NOT_JOINED, "you are in the waiting room: wait to be accepted");
		return FALSE;
	}
	if(enabled && !rtk_peer_may_publish(peer, kind, why))
		return FALSE;
	rtk_room_set_media(room, peer, kind, enabled);
	return TRUE;
}
