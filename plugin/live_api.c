/*
 * live_api.c - what the REST API may do to a meeting in session
 * (rtk_live_ops, gateway/rest.h): read who is in, kick, mute.
 *
 * Runs on the gateway's HTTP threads, so every entry takes rtk_state_mutex
 * for its whole duration, like a signalling request. The server acts with
 * no actor (permission checks are the REST API key's).
 */
#include <string.h>

#include "session.h"

/* A joined participant as the REST API names it (snake_case, REST ids). */
static json_t *live_participant_json(const rtk_peer *peer) {
	return json_pack("{ss ss ss? ss? ss? sb sb sb ss}",
		"id", peer->user_id,
		"peer_id", peer->id,
		"name", peer->name,
		"custom_participant_id", peer->custom_participant_id,
		"preset_name", peer->preset_name,
		"audio_enabled", peer->media_enabled[RTK_MEDIA_AUDIO],
		"video_enabled", peer->media_enabled[RTK_MEDIA_VIDEO],
		"screenshare_enabled", peer->media_enabled[RTK_MEDIA_SCREENSHARE],
		"stage_status", rtk_stage_status_name(peer->stage));
}

static gboolean live_list_has(const json_t *list, const char *value) {
	size_t i;
	const json_t *item;
	json_array_foreach(list, i, item) {
		if(value != NULL && json_is_string(item) && !strcmp(json_string_value(item), value))
			return TRUE;
	}
	return FALSE;
}

/* The joined peers an action names (all of them with `all`), as a new array
 * of borrowed pointers. */
static GPtrArray *live_targets(rtk_room *room, const json_t *ids, const json_t *customs, gboolean all) {
	GPtrArray *targets = g_ptr_array_new();
	for(guint i = 0; i < room->peers->len; i++) {
		rtk_peer *peer = g_ptr_array_index(room->peers, i);
		if(all || live_list_has(ids, peer->user_id) || live_list_has(customs, peer->custom_participant_id))
			g_ptr_array_add(targets, peer);
	}
	return targets;
}

static json_t *live_active_session(const char *meeting_id, void *user_data) {
	janus_mutex_lock(&rtk_state_mutex);
	rtk_live *live = rtk_live_find(meeting_id);
	json_t *session = NULL;
	if(live != NULL && rtk_room_size(live->room) > 0) {
		json_t *participants = json_array();
		for(guint i = 0; i < live->room->peers->len; i++)
			json_array_append_new(participants, live_participant_json(g_ptr_array_index(live->room->peers, i)));
		session = json_pack("{ss ss ss si so}",
			"id", live->room->session_id,
			"meeting_id", live->room->meeting_id,
			"started_at", live->room->started_at,
			"live_participants", (int)rtk_room_size(live->room),
			"participants", participants);
	}
	janus_mutex_unlock(&rtk_state_mutex);
	return session;
}

/* Runs `act` on each target; returns the ones it succeeded for (REST shape). */
typedef gboolean (*live_act_fn)(rtk_room *room, rtk_peer *target, gboolean flag);

static json_t *live_apply(const char *meeting_id, const json_t *ids, const json_t *customs, gboolean all,
		live_act_fn act, gboolean flag) {
	janus_mutex_lock(&rtk_state_mutex);
	rtk_live *live = rtk_live_find(meeting_id);
	json_t *done = NULL;
	if(live != NULL && rtk_room_size(live->room) > 0) {
		done = json_array();
		GPtrArray *targets = live_targets(live->room, ids, customs, all);
		for(guint i = 0; i < targets->len; i++) {
			rtk_peer *peer = g_ptr_array_index(targets, i);
			json_t *participant = live_participant_json(peer);   /* before a kick frees it */
			if(act(live->room, peer, flag))
				json_array_append(done, participant);
			json_decref(participant);
		}
		g_ptr_array_free(targets, TRUE);
		rtk_live_flush(live);
	}
	janus_mutex_unlock(&rtk_state_mutex);
	return done;
}

static gboolean live_kick_one(rtk_room *room, rtk_peer *target, gboolean unused) {
	rtk_refusal why;
	return rtk_room_kick(room, NULL, target->id, &why);
}

static gboolean live_mute_one(rtk_room *room, rtk_peer *target, gboolean allow_unmute) {
	rtk_refusal why;
	return rtk_room_disable_media(room, NULL, target->id, RTK_MEDIA_AUDIO, allow_unmute, &why);
}

static json_t *live_kick(const char *meeting_id, const json_t *ids, const json_t *customs, gboolean all,
		void *user_data) {
	return live_apply(meeting_id, ids, customs, all, live_kick_one, FALSE);
}

static json_t *live_mute(const char *meeting_id, const json_t *ids, const json_t *customs, gboolean all,
		gboolean allow_unmute, void *user_data) {
	return live_apply(meeting_id, ids, customs, all, live_mute_one, allow_unmute);
}

const rtk_live_ops rtk_live_api = {
	.active_session = live_active_session,
	.kick = live_kick,
	.mute = live_mute,
	.user_data = NULL,
};
