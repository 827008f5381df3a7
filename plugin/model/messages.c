/*
 * messages.c - messages participants send each other through the room
 * (room.h): participants.broadcastMessage, within a room or to the other
 * meetings of a connected-meetings family. The server only routes them:
 * what `type` and `payload` mean is the application's.
 */
#include "room_internal.h"

/* The recipients of a broadcast, in `out` (not owned). */
static gboolean messages_recipients(rtk_room *room, const json_t *participant_ids, const char *preset_name,
		GPtrArray *out, rtk_refusal *why) {
	if(participant_ids != NULL)
		return room_resolve_targets(room, participant_ids, out, why);
	for(guint i = 0; i < room->peers->len; i++) {
		rtk_peer *peer = g_ptr_array_index(room->peers, i);
		if(preset_name == NULL || !g_strcmp0(peer->preset_name, preset_name))
			g_ptr_array_add(out, peer);
	}
	return TRUE;
}

/* Counts one message of `actor` at `now_ms`; FALSE (0012) past the rate. */
static gboolean messages_within_rate(rtk_peer *actor, gint64 now_ms, rtk_refusal *why) {
	if(rtk_rate_take(&actor->broadcasts, now_ms, RTK_BROADCAST_PER_SECOND))
		return TRUE;
	rtk_refusal_set(why, RTK_ERR_RATE_LIMITED, "at most %d broadcast messages a second", RTK_BROADCAST_PER_SECOND);
	return FALSE;
}

int rtk_room_broadcast_message(rtk_room *room, rtk_peer *actor, const char *type, const json_t *payload,
		const json_t *participant_ids, const char *preset_name, gint64 timestamp_ms, rtk_refusal *why) {
	if(!messages_within_rate(actor, timestamp_ms, why))
		return -1;
	GPtrArray *recipients = g_ptr_array_new();
	if(!messages_recipients(room, participant_ids, preset_name, recipients, why)) {
		g_ptr_array_free(recipients, TRUE);
		return -1;
	}
	json_t *event = json_pack("{ss ss sO sI ss}", "rtk", "broadcastedMessage", "type", type, "payload", payload,
		"timestamp", (json_int_t)timestamp_ms, "senderId", actor->id);
	GHashTable *sent = g_hash_table_new(g_direct_hash, g_direct_equal);   /* an id named twice: once */
	for(guint i = 0; i < recipients->len; i++) {
		rtk_peer *peer = g_ptr_array_index(recipients, i);
		if(g_hash_table_add(sent, peer))
			room_send(room, peer, event);
	}
	int count = (int)g_hash_table_size(sent);
	g_hash_table_destroy(sent);
	json_decref(event);
	g_ptr_array_free(recipients, TRUE);
	return count;
}

int rtk_room_broadcast_mirror(rtk_room *room, const char *type, const json_t *payload, gint64 timestamp_ms,
		const char *sender_id, const char *preset_name) {
	GPtrArray *recipients = g_ptr_array_new();
	messages_recipients(room, NULL, preset_name, recipients, NULL);
	json_t *event = json_pack("{ss ss sO sI ss}", "rtk", "broadcastedMessage", "type", type, "payload", payload,
		"timestamp", (json_int_t)timestamp_ms, "senderId", sender_id);
	for(guint i = 0; i < recipients->len; i++)
		room_send(room, g_ptr_array_index(recipients, i), event);
	int count = (int)recipients->len;
	json_decref(event);
	g_ptr_array_free(recipients, TRUE);
	return count;
}

int rtk_room_broadcast_to_rooms(rtk_room *const *rooms, guint n_rooms, rtk_room *from, rtk_peer *actor,
		const char *type, const json_t *payload, const char *preset_name, gint64 timestamp_ms, rtk_refusal *why) {
	if(!messages_within_rate(actor, timestamp_ms, why))
		return -1;
	json_t *event = json_pack("{ss ss sO sI ss ss}", "rtk", "broadcastedMessage", "type", type, "payload", payload,
		"timestamp", (json_int_t)timestamp_ms, "senderId", actor->id, "meetingId", from->meeting_id);
	int count = 0;
	for(guint r = 0; r < n_rooms; r++) {
		GPtrArray *recipients = g_ptr_array_new();
		messages_recipients(rooms[r], NULL, preset_name, recipients, NULL);
		for(guint i = 0; i < recipients->len; i++)
			room_send(rooms[r], g_ptr_array_index(recipients, i), event);
		count += (int)recipients->len;
		g_ptr_array_free(recipients, TRUE);
	}
	json_decref(event);
	return count;
}
