/*
 * room.c - a meeting's live session and the events it sends (see room.h).
 */
#include <string.h>
#include "room.h"

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
	room->session_id = g_uuid_string_random();
	room->started_at = room_now_iso8601();
	room->peers = g_ptr_array_new_with_free_func((GDestroyNotify)rtk_peer_free);
	room->sink = *sink;
	return room;
}

void rtk_room_free(rtk_room *room) {
	if(room == NULL)
		return;
	g_ptr_array_free(room->peers, TRUE);
	g_free(room->meeting_id);
	g_free(room->title);
	g_free(room->session_id);
	g_free(room->started_at);
	g_free(room);
}

guint rtk_room_size(const rtk_room *room) {
	return room->peers->len;
}

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

/* Sends `event` (consumed) to every peer but `except`. */
static void room_broadcast(rtk_room *room, const rtk_peer *except, json_t *event) {
	for(guint i = 0; i < room->peers->len; i++) {
		rtk_peer *peer = g_ptr_array_index(room->peers, i);
		if(peer != except)
			room->sink.deliver(peer, event, room->sink.user_data);
	}
	json_decref(event);
}

static json_t *room_event(const char *name) {
	return json_pack("{ss}", "rtk", name);
}

json_t *rtk_room_meta_json(const rtk_room *room, const rtk_peer *viewer) {
	const char *view_type = json_string_value(json_object_get(viewer->config_json, "view_type"));
	return json_pack("{ss ss? ss ss ss}",
		"meetingId", room->meeting_id,
		"meetingTitle", room->title,
		"sessionId", room->session_id,
		"meetingStartedTimestamp", room->started_at,
		"viewType", view_type ? view_type : "GROUP_CALL");
}

json_t *rtk_room_join(rtk_room *room, rtk_peer *peer) {
	json_t *others = json_array();
	for(guint i = 0; i < room->peers->len; i++)
		json_array_append_new(others, rtk_peer_to_json(g_ptr_array_index(room->peers, i)));

	json_t *joined = room_event("participantJoined");
	json_object_set_new(joined, "participant", rtk_peer_to_json(peer));
	room_broadcast(room, peer, joined);
	g_ptr_array_add(room->peers, peer);

	json_t *event = room_event("roomJoined");
	json_object_set_new(event, "self", rtk_peer_self_json(peer));
	json_object_set_new(event, "meeting", rtk_room_meta_json(room, peer));
	json_object_set_new(event, "participants", others);
	return event;
}

void rtk_room_leave(rtk_room *room, rtk_peer *peer, const char *state) {
	guint index;
	if(!g_ptr_array_find(room->peers, peer, &index))
		return;
	g_ptr_array_steal_index(room->peers, index);
	if(state != NULL) {
		json_t *left = json_pack("{ss ss}", "rtk", "roomLeft", "state", state);
		room->sink.deliver(peer, left, room->sink.user_data);
		json_decref(left);
	}
	json_t *event = room_event("participantLeft");
	json_object_set_new(event, "participantId", json_string(peer->id));
	json_object_set_new(event, "userId", json_string(peer->user_id));
	room_broadcast(room, peer, event);
	rtk_peer_free(peer);
}

gboolean rtk_room_set_media(rtk_room *room, rtk_peer *peer, rtk_media_kind kind, gboolean enabled) {
	if(kind >= RTK_MEDIA_KINDS || peer->media_enabled[kind] == enabled)
		return FALSE;
	peer->media_enabled[kind] = enabled;
	json_t *event = room_event(rtk_peer_media_event(kind));
	json_object_set_new(event, "participantId", json_string(peer->id));
	json_object_set_new(event, rtk_peer_media_field(kind), json_boolean(enabled));
	room_broadcast(room, peer, event);
	return TRUE;
}
