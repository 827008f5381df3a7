/*
 * connected.c - connected meetings (breakout rooms) as the live model sees
 * them (room.h): the checks a move or a change of the family's meetings
 * makes before anything is written, and the move out of a room, whose
 * roomLeft "connected-meeting" tells the participant where to go.
 *
 * The family itself (which meetings are children of which parent) is the
 * store's: the glue (plugin/connected_requests.c) reads and writes it
 * without a meeting lock; this file only decides, from what it is given.
 */
#include <string.h>
#include "room.h"
#include "room_internal.h"

const char *rtk_room_connected_root(const rtk_room *room) {
	return room->parent_meeting_id != NULL ? room->parent_meeting_id : room->meeting_id;
}

/* A string of 1..max bytes without a NUL inside: 0 ok, -1 not a string, 1 empty or too long. */
static int connected_text(const json_t *value, size_t max) {
	if(!json_is_string(value))
		return -1;
	size_t length = json_string_length(value);
	return (length >= 1 && length <= max && strlen(json_string_value(value)) == length) ? 0 : 1;
}

gboolean rtk_connected_meetings_valid(const json_t *meetings, gboolean with_id, rtk_refusal *why) {
	if(!json_is_array(meetings)) {
		rtk_refusal_set(why, RTK_ERR_BAD_REQUEST, "field 'meetings' (an array of {%stitle}) is required",
			with_id ? "id, " : "");
		return FALSE;
	}
	if(json_array_size(meetings) == 0 || json_array_size(meetings) > RTK_CONNECTED_MAX) {
		rtk_refusal_set(why, RTK_ERR_CONNECTED_INVALID, "'meetings' must hold 1 to %d meetings", RTK_CONNECTED_MAX);
		return FALSE;
	}
	size_t i;
	const json_t *meeting;
	json_array_foreach(meetings, i, meeting) {
		if(!json_is_object(meeting)) {
			rtk_refusal_set(why, RTK_ERR_BAD_REQUEST, "meetings[%zu] must be an object", i);
			return FALSE;
		}
		if(with_id && connected_text(json_object_get(meeting, "id"), 64) != 0) {
			rtk_refusal_set(why, RTK_ERR_BAD_REQUEST, "meetings[%zu].id (a meeting id string) is required", i);
			return FALSE;
		}
		int title = connected_text(json_object_get(meeting, "title"), RTK_CONNECTED_TITLE_MAX);
		if(title < 0) {
			rtk_refusal_set(why, RTK_ERR_BAD_REQUEST, "meetings[%zu].title (a string) is required", i);
			return FALSE;
		}
		if(title > 0) {
			rtk_refusal_set(why, RTK_ERR_CONNECTED_INVALID, "meetings[%zu].title must be 1 to %d bytes", i,
				RTK_CONNECTED_TITLE_MAX);
			return FALSE;
		}
	}
	return TRUE;
}

gboolean rtk_connected_move_allowed(const rtk_peer *actor, const char *root_id, const char *source_id,
		const char *destination_id, const GPtrArray *targets, rtk_refusal *why) {
	if(!strcmp(source_id, destination_id)) {
		rtk_refusal_set(why, RTK_ERR_CONNECTED_INVALID, "source and destination are the same meeting");
		return FALSE;
	}
	if(actor == NULL)
		return TRUE;
	gboolean others = targets->len == 0;
	for(guint i = 0; i < targets->len; i++)
		others = others || strcmp(g_ptr_array_index(targets, i), actor->user_id) != 0;
	if(others || actor->permissions.connected.can_alter)
		return rtk_permissions_allow(&actor->permissions, RTK_ACTION_CONNECTED_ALTER, why);
	return rtk_permissions_allow(&actor->permissions,
		!strcmp(destination_id, root_id) ? RTK_ACTION_CONNECTED_TO_PARENT : RTK_ACTION_CONNECTED_SWITCH, why);
}

gboolean rtk_room_move_user(rtk_room *room, const char *user_id, const json_t *destination) {
	rtk_peer *peer = rtk_room_find_user(room, user_id);
	if(peer == NULL)
		return FALSE;
	json_t *left = json_pack("{ss ss sO}", "rtk", "roomLeft", "state", "connected-meeting",
		"destination", destination);
	room_remove_with(room, peer, left, TRUE);
	json_decref(left);
	return TRUE;
}

json_t *rtk_room_connected_participants(const rtk_room *room) {
	json_t *list = json_array();
	for(guint i = 0; i < room->peers->len; i++) {
		const rtk_peer *peer = g_ptr_array_index(room->peers, i);
		if(!peer->permissions.hidden_participant)
			json_array_append_new(list, rtk_peer_to_json(peer));
	}
	return list;
}
