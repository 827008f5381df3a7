/*
 * live_api.c - what the REST API may do to a meeting in session
 * (rtk_live_ops, gateway/rest.h): read who is in, kick, mute, and carry
 * REST changes to live presences (a deleted participant or revoked tokens
 * remove it, a new preset applies at once), create polls, and tell who
 * may download a chat file (a participant who sees a message carrying it).
 *
 * Runs on the gateway's HTTP threads, so every entry takes the lock of the
 * meeting it acts on (rtk_live_lock, meeting_lock.h) for its whole
 * duration, like a signalling request; a REST call on one meeting never
 * waits on another meeting's. The server acts with no actor (permission
 * checks are the REST API key's).
 */
#include <string.h>
#include <debug.h>

#include "capture.h"
#include "cascade.h"
#include "chat.h"
#include "meeting_lock.h"
#include "metrics_live.h"
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
	rtk_meeting_lock *lock;
	rtk_live *live = rtk_live_lock(meeting_id, &lock);
	json_t *session = NULL;
	if(live != NULL && rtk_live_in_session(live)) {
		json_t *participants = json_array();
		for(guint i = 0; i < live->room->peers->len; i++)
			json_array_append_new(participants, live_participant_json(g_ptr_array_index(live->room->peers, i)));
		session = json_pack("{ss ss ss? ss si so}",
			"id", live->room->session_id,
			"meeting_id", live->room->meeting_id,
			"title", live->room->title,
			"started_at", live->room->started_at,
			/* a cascaded meeting's viewers on edges count too (the list is this node's) */
			"live_participants", (int)rtk_room_size(live->room) + (live->edge ? 0 :
				rtk_cascade_audience(live->room->meeting_id)),
			"participants", participants);
	}
	rtk_meeting_lock_done(lock);
	return session;
}

/* Runs `act` on each target; returns the ones it succeeded for (REST shape). */
typedef gboolean (*live_act_fn)(rtk_room *room, rtk_peer *target, gboolean flag);

static json_t *live_apply(const char *meeting_id, const json_t *ids, const json_t *customs, gboolean all,
		live_act_fn act, gboolean flag) {
	rtk_meeting_lock *lock;
	rtk_live *live = rtk_live_lock(meeting_id, &lock);
	json_t *done = NULL;
	if(live != NULL && rtk_live_in_session(live)) {
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
	rtk_meeting_lock_done(lock);
	return done;
}

/* `all`: REST's kick-all, which ends the session (meeting.ended's reason). */
static gboolean live_kick_one(rtk_room *room, rtk_peer *target, gboolean all) {
	rtk_refusal why;
	if(all)
		room->end_reason = "HOST_ENDED_MEETING";
	return rtk_room_kick(room, NULL, target->id, &why);
}

static gboolean live_mute_one(rtk_room *room, rtk_peer *target, gboolean allow_unmute) {
	rtk_refusal why;
	return rtk_room_disable_media(room, NULL, target->id, RTK_MEDIA_AUDIO, allow_unmute, &why);
}

static json_t *live_kick(const char *meeting_id, const json_t *ids, const json_t *customs, gboolean all,
		void *user_data) {
	return live_apply(meeting_id, ids, customs, all, live_kick_one, all);
}

static json_t *live_mute(const char *meeting_id, const json_t *ids, const json_t *customs, gboolean all,
		gboolean allow_unmute, void *user_data) {
	return live_apply(meeting_id, ids, customs, all, live_mute_one, allow_unmute);
}

/* ---- recordings and livestreams (capture.h) ---- */

/* The lock of the meeting family of capture `id` (or of a capture of
 * `meeting_id`), acquired, for a change of a capture that may have
 * outlived its live session; NULL when there is no such capture (the
 * action then finds none and says so). */
static rtk_meeting_lock *live_lock_capture(const char *id, const char *meeting_id) {
	char *root = rtk_captures_root_of(id, meeting_id);
	rtk_meeting_lock *lock = root != NULL ? rtk_meeting_lock_meeting(root, NULL) : NULL;
	g_free(root);
	return lock;
}

static json_t *live_fail(const rtk_refusal *why, int *status, char **message) {
	*status = rtk_refusal_http_status(why->code);
	*message = g_strdup_printf("%s (code %s)", why->message, why->code);
	return NULL;
}

static json_t *live_not_in_session(const char *meeting_id, int *status, char **message) {
	*status = 409;
	*message = g_strdup_printf("meeting '%s' has no active session: start one by joining it "
		"(or set record_on_start / live_stream_on_start)", meeting_id);
	return NULL;
}

/* The participant whose token started a capture (body.caller, set by the
 * gateway, never taken from the request), else the API key. Borrows from
 * `body`. */
static rtk_capture_caller live_caller(const json_t *body) {
	const json_t *who = json_object_get(body, "caller");
	rtk_capture_caller caller = { NULL, json_string_value(json_object_get(who, "user_id")),
		json_string_value(json_object_get(who, "name")) };
	return caller;
}

/* Releases `lock` and answers `doc` once the capture writer stored what
 * the start or change queued: a GET after the answer reads it. */
static json_t *live_answer_stored(rtk_meeting_lock *lock, json_t *doc) {
	guint64 written = rtk_captures_queued();
	rtk_meeting_lock_done(lock);
	rtk_captures_wait_stored(written);
	return doc;
}

static json_t *live_recording_start(const char *meeting_id, const json_t *body, int *status, char **message,
		void *user_data) {
	(void)user_data;
	rtk_refusal why;
	rtk_recording_config config;
	rtk_recording_config_default(&config);
	rtk_capture_caller caller = live_caller(body);
	json_t *doc = NULL;
	rtk_meeting_lock *lock;
	rtk_live *live = rtk_live_lock(meeting_id, &lock);
	if(live == NULL)
		live_not_in_session(meeting_id, status, message);
	else if(!rtk_recording_config_parse(body, &config, &why) ||
			!rtk_recording_config_parse_storage(json_object_get(body, "storage_config"), &config, &why))
		live_fail(&why, status, message);
	else if((doc = rtk_capture_recording_start(live->room, live->router, &config,
			json_is_true(json_object_get(body, "allow_multiple_recordings")), &caller, &why)) == NULL)
		live_fail(&why, status, message);
	return live_answer_stored(lock, doc);
}

static json_t *live_track_recording_start(const char *meeting_id, const json_t *body, int *status, char **message,
		void *user_data) {
	(void)user_data;
	rtk_refusal why;
	rtk_track_config config;
	rtk_track_config_init(&config);
	rtk_capture_caller caller = live_caller(body);
	json_t *doc = NULL;
	rtk_meeting_lock *lock;
	rtk_live *live = rtk_live_lock(meeting_id, &lock);
	if(live == NULL)
		live_not_in_session(meeting_id, status, message);
	else if(!rtk_track_config_parse(body, &config, &why))
		live_fail(&why, status, message);
	else if((doc = rtk_capture_track_recording_start(live->room, live->router, &config, &caller, &why)) == NULL)
		live_fail(&why, status, message);
	rtk_track_config_clear(&config);
	return live_answer_stored(lock, doc);
}

static json_t *live_recording_action(const char *recording_id, const char *action, int *status, char **message,
		void *user_data) {
	(void)user_data;
	rtk_refusal why;
	rtk_capture_action a = !strcmp(action, "stop") ? RTK_CAPTURE_STOP :
		!strcmp(action, "pause") ? RTK_CAPTURE_PAUSE : RTK_CAPTURE_RESUME;
	rtk_capture_caller api = { NULL, NULL, NULL };
	json_t *doc = NULL;
	rtk_meeting_lock *lock = live_lock_capture(recording_id, NULL);
	if(rtk_capture_recording_action(NULL, recording_id, a, &api, &why) < 0)
		live_fail(&why, status, message);
	else
		doc = rtk_capture_recording_get(recording_id);
	return live_answer_stored(lock, doc);
}

static json_t *live_recording_active(const char *meeting_id, void *user_data) {
	(void)user_data;
	return rtk_capture_recording_active(meeting_id);   /* a read: capture.c's lock is enough */
}

static json_t *live_livestream_start(const char *meeting_id, const char *name, const int *qualities,
		int n_qualities, bool vod, const char *layout, int *status, char **message, void *user_data) {
	(void)user_data;
	rtk_refusal why;
	rtk_capture_caller api = { NULL, NULL, NULL };
	json_t *doc = NULL;
	rtk_meeting_lock *lock;
	rtk_live *live = rtk_live_lock(meeting_id, &lock);
	if(live == NULL)
		live_not_in_session(meeting_id, status, message);
	else if((doc = rtk_capture_livestream_start(live->room, live->router, name, qualities, n_qualities,
			vod, layout, &api, &why)) == NULL)
		live_fail(&why, status, message);
	return live_answer_stored(lock, doc);
}

static json_t *live_livestream_stop(const char *meeting_id, int *status, char **message, void *user_data) {
	(void)user_data;
	rtk_refusal why;
	rtk_capture_caller api = { NULL, NULL, NULL };
	json_t *doc = NULL;
	rtk_meeting_lock *lock = live_lock_capture(NULL, meeting_id);
	if(!rtk_capture_livestream_stop(meeting_id, &api, &why))
		live_fail(&why, status, message);
	else
		doc = rtk_capture_livestream_active(meeting_id);
	return live_answer_stored(lock, doc);
}

static json_t *live_livestream_active(const char *meeting_id, void *user_data) {
	(void)user_data;
	return rtk_capture_livestream_active(meeting_id);   /* a read: capture.c's lock is enough */
}

/* ---- REST changes that reach live presences ---- */

static void live_participant_removed(const char *meeting_id, const char *participant_id, const char *reason,
		void *user_data) {
	(void)user_data;
	rtk_meeting_lock *lock;
	rtk_live *live = rtk_live_lock(meeting_id, &lock);
	if(live != NULL && rtk_room_remove_user(live->room, participant_id, "kicked", reason)) {
		JANUS_LOG(LOG_INFO, "[rtk] meeting %s: participant %s removed (%s)\n", meeting_id, participant_id, reason);
		rtk_live_flush(live);
	}
	rtk_meeting_lock_done(lock);
}

static void live_participant_preset(const char *meeting_id, const char *participant_id, const json_t *preset,
		void *user_data) {
	(void)user_data;
	rtk_meeting_lock *lock;
	rtk_live *live = rtk_live_lock(meeting_id, &lock);
	if(live != NULL && rtk_room_apply_preset(live->room, participant_id, preset))
		rtk_live_flush(live);
	rtk_meeting_lock_done(lock);
}

/* Adds the user ids of the peers in `list` holding preset `preset_id`. */
static void live_collect_preset_users(GPtrArray *list, const char *preset_id, GPtrArray *user_ids) {
	for(guint i = 0; i < list->len; i++) {
		rtk_peer *peer = g_ptr_array_index(list, i);
		if(g_strcmp0(peer->preset_id, preset_id) == 0)
			g_ptr_array_add(user_ids, g_strdup(peer->user_id));
	}
}

/* The version (updated_at) of each preset this node applied to its live
 * presences, or saw at its first catch-up: with several nodes, a change
 * whose broadcast never came (the node was unreachable then) is caught up
 * by rtk_live_presets_catch_up(). NULL until that first call (one node:
 * never). Guarded by presets_mutex, a leaf. */
static GMutex presets_mutex;
static GHashTable *presets_seen;   /* preset id -> updated_at, both owned */

/* Records `preset`'s version; whether it is newer than the one recorded
 * (TRUE for one never seen). */
static gboolean live_preset_note(const json_t *preset) {
	const char *id = json_string_value(json_object_get(preset, "id"));
	const char *updated = json_string_value(json_object_get(preset, "updated_at"));
	if(id == NULL || updated == NULL)
		return FALSE;
	g_mutex_lock(&presets_mutex);
	const char *known = presets_seen ? g_hash_table_lookup(presets_seen, id) : NULL;
	gboolean newer = known == NULL || strcmp(updated, known) > 0;   /* ISO 8601 UTC: ordered as text */
	if(presets_seen != NULL && newer)
		g_hash_table_replace(presets_seen, g_strdup(id), g_strdup(updated));
	g_mutex_unlock(&presets_mutex);
	return newer;
}

static void live_preset_changed(const json_t *preset, void *user_data) {
	(void)user_data;
	const char *preset_id = json_string_value(json_object_get(preset, "id"));
	if(preset_id == NULL || !live_preset_note(preset))
		return;   /* this version was applied already (caught up before its broadcast came) */
	GPtrArray *ids = rtk_lives_ids();
	GPtrArray *user_ids = g_ptr_array_new_with_free_func(g_free);
	for(guint m = 0; m < ids->len; m++) {   /* one meeting at a time, each under its lock */
		rtk_meeting_lock *lock;
		rtk_live *live = rtk_live_lock(g_ptr_array_index(ids, m), &lock);
		if(live == NULL)
			continue;
		g_ptr_array_set_size(user_ids, 0);
		/* Ids first: applying a preset may change who is where. */
		live_collect_preset_users(live->room->peers, preset_id, user_ids);
		live_collect_preset_users(live->room->waitlisted, preset_id, user_ids);
		for(guint i = 0; i < user_ids->len; i++)
			rtk_room_apply_preset(live->room, g_ptr_array_index(user_ids, i), preset);
		if(user_ids->len > 0)
			rtk_live_flush(live);
		rtk_meeting_lock_done(lock);
	}
	g_ptr_array_free(user_ids, TRUE);
	g_ptr_array_free(ids, TRUE);
}

void rtk_live_presets_catch_up(rtk_store *store) {
	json_t *presets = NULL;
	int total = 0;
	if(rtk_store_preset_list(store, 0, RTK_LIVE_PRESETS_MAX, &presets, &total) != RTK_STORE_OK)
		return;
	g_mutex_lock(&presets_mutex);
	gboolean first = presets_seen == NULL;
	if(first)
		presets_seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_mutex_unlock(&presets_mutex);
	size_t i;
	json_t *preset;
	json_array_foreach(presets, i, preset) {
		const char *id = json_string_value(json_object_get(preset, "id"));
		const char *updated = json_string_value(json_object_get(preset, "updated_at"));
		if(id == NULL || updated == NULL)
			continue;
		if(first) {   /* as they are: this node's presences joined with them so */
			live_preset_note(preset);
			continue;
		}
		g_mutex_lock(&presets_mutex);
		const char *seen = g_hash_table_lookup(presets_seen, id);
		/* one seen before and changed since; one new since, changed after its creation */
		gboolean missed = seen != NULL ? strcmp(updated, seen) > 0
			: g_strcmp0(updated, json_string_value(json_object_get(preset, "created_at"))) != 0;
		g_mutex_unlock(&presets_mutex);
		if(!missed) {
			live_preset_note(preset);
			continue;
		}
		JANUS_LOG(LOG_WARN, "[rtk] preset %s changed without this node being told: applied now\n", id);
		live_preset_changed(preset, NULL);   /* records it */
	}
	json_decref(presets);
}

void rtk_live_presets_forget(void) {
	g_mutex_lock(&presets_mutex);
	g_clear_pointer(&presets_seen, g_hash_table_destroy);
	g_mutex_unlock(&presets_mutex);
}

/* ---- polls ---- */

static json_t *live_poll_create(const char *meeting_id, const char *question, const json_t *options,
		gboolean anonymous, gboolean hide_votes, int *status, char **message, void *user_data) {
	(void)user_data;
	rtk_refusal why;
	json_t *doc = NULL;
	rtk_meeting_lock *lock;
	rtk_live *live = rtk_live_lock(meeting_id, &lock);
	if(live == NULL || rtk_room_size(live->room) == 0) {
		*status = 404;
		*message = g_strdup_printf("meeting '%s' has no active session", meeting_id);
	} else {
		const rtk_poll *poll = rtk_room_poll_create(live->room, NULL, question, options, anonymous, hide_votes, &why);
		if(poll == NULL) {
			live_fail(&why, status, message);
		} else {
			doc = rtk_room_poll_rest_json(poll);
			rtk_live_flush(live);
		}
	}
	rtk_meeting_lock_done(lock);
	return doc;
}

/* ---- chat files (gateway/rest_chat_files.c) ---- */

static gboolean live_chat_file_visible(const char *meeting_id, const char *file_id, const char *user_id,
		void *user_data) {
	(void)user_data;
	rtk_meeting_lock *lock;
	rtk_live *live = rtk_live_lock(meeting_id, &lock);
	gboolean visible = live != NULL && rtk_chat_file_visible(live->room, user_id, file_id);
	rtk_meeting_lock_done(lock);
	return visible;
}

const rtk_live_ops rtk_live_api = {
	.active_session = live_active_session,
	.kick = live_kick,
	.mute = live_mute,
	.recording_start = live_recording_start,
	.recording_action = live_recording_action,
	.track_recording_start = live_track_recording_start,
	.recording_active = live_recording_active,
	.livestream_start = live_livestream_start,
	.livestream_stop = live_livestream_stop,
	.livestream_active = live_livestream_active,
	.participant_removed = live_participant_removed,
	.participant_preset = live_participant_preset,
	.preset_changed = live_preset_changed,
	.poll_create = live_poll_create,
	.chat_file_visible = live_chat_file_visible,
	.metrics = rtk_metrics_live_read,   /* metrics_live.c */
	.user_data = NULL,
};
