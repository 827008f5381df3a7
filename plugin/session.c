/*
 * session.c - sessions and live meetings on the Janus side (session.h):
 * what happens to a participant's handles when it leaves or the room model
 * removes it; the media consequences of the model's decisions (stage, a
 * host's lock, changed rights), which it hands to the meeting's router;
 * and the meetings' periodic work (active speaker, views).
 *
 * The room model reports its decisions through the sink's `changed`
 * callback, which runs inside a room call: what needs the room again
 * (announcing dropped media, freeing an empty meeting) waits for
 * rtk_live_flush(), which every operation calls when the room returns.
 */
#include <string.h>
#include <debug.h>

#include "session.h"
#include "capture.h"
#include "meeting_lock.h"
#include "chat_store.h"
#include "cascade.h"
#include "history.h"
#include "util.h"
#include "webhooks.h"
#include "media.h"
#include "policy.h"

janus_callbacks *rtk_janus;
rtk_gateway *rtk_gw;
static GMutex lives_mutex;      /* guards `lives` (the table, not the meetings): a leaf */
static GHashTable *lives;       /* meeting id -> rtk_live* (owned) */
static GMutex links_mutex;      /* guards each session's `live` and `destroyed` changes: a leaf */

static void session_peer_changed(rtk_peer *peer, rtk_peer_change change, void *user_data);

json_t *rtk_event_new(const char *name) {
	return json_pack("{ss}", "rtk", name);
}

json_t *rtk_jsep_new(const char *type, const char *sdp) {
	return json_pack("{ssss}", "type", type, "sdp", sdp);
}

void rtk_live_add_ice_servers(json_t *joined, const rtk_peer *peer) {
	json_object_set_new(joined, "iceServers", rtk_gateway_ice_servers(rtk_gw, peer->id));
}

/* The room sink: delivers room events to a peer's main handle. A
 * roomJoined (a waitlisted peer admitted) goes with the peer's ICE
 * servers, on a shallow copy: `event` is borrowed. */
static void session_deliver_to_peer(rtk_peer *peer, json_t *event, void *user_data) {
	rtk_session *session = peer->transport;
	if(session == NULL || g_atomic_int_get(&session->destroyed))
		return;
	const char *name = json_string_value(json_object_get(event, "rtk"));
	if(!g_strcmp0(name, "roomLeft")) {
		json_decref(session->left);
		session->left = json_deep_copy(event);
	}
	json_t *sent = !g_strcmp0(name, "roomJoined") ? json_copy(event) : json_incref(event);
	if(!g_strcmp0(name, "roomJoined"))
		rtk_live_add_ice_servers(sent, peer);
	rtk_janus->push_event(session->handle, &rtk_plugin, NULL, sent, NULL);
	json_decref(sent);
}

static const rtk_room_sink room_sink = {
	.deliver = session_deliver_to_peer,
	.changed = session_peer_changed,
};

/* The plugin registry for the rooms' roomJoined "pluginsAll": the
 * gateway's in-memory copy (no store I/O under the meeting's lock). */
static json_t *session_plugin_registry(void) {
	return rtk_plugin_registry_all(rtk_gateway_plugins(rtk_gw));
}

/* ---- live meetings ---- */

/* The live meeting `meeting_id`, whatever its family: only for a caller
 * that holds the lock of that meeting's family. */
static rtk_live *session_live_lookup(const char *meeting_id) {
	g_mutex_lock(&lives_mutex);
	rtk_live *live = meeting_id && lives ? g_hash_table_lookup(lives, meeting_id) : NULL;
	g_mutex_unlock(&lives_mutex);
	return live;
}

/* The live meeting `meeting_id` if it is of the family whose lock is
 * `held`; *elsewhere (when not NULL) says whether it is in session under
 * another family's lock. The family is compared under lives_mutex: a live
 * meeting of another family may be freed at any moment. */
static rtk_live *session_live_lookup_held(const rtk_meeting_lock *held, const char *meeting_id,
		gboolean *elsewhere) {
	g_mutex_lock(&lives_mutex);
	rtk_live *live = meeting_id && lives ? g_hash_table_lookup(lives, meeting_id) : NULL;
	gboolean other = live != NULL && live->lock != held;
	g_mutex_unlock(&lives_mutex);
	if(elsewhere != NULL)
		*elsewhere = other;
	return other ? NULL : live;
}

rtk_live *rtk_live_get_or_create(rtk_meeting_lock *held, const json_t *meeting) {
	const char *id = json_string_value(json_object_get(meeting, "id"));
	gboolean elsewhere;
	rtk_live *live = session_live_lookup_held(held, id, &elsewhere);
	if(live != NULL || elsewhere)   /* elsewhere: its family changed while in session */
		return live;
	live = g_new0(rtk_live, 1);
	live->lock = rtk_meeting_lock_ref(held);
	live->room = rtk_room_new(meeting, &room_sink);
	char *owner_session = rtk_cascade_edge_session(id);   /* cascade.h: an edge carries the owner's */
	if(owner_session != NULL) {
		live->edge = TRUE;
		g_free(live->room->session_id);
		live->room->session_id = owner_session;
	}
	rtk_room_set_plugin_registry(live->room, session_plugin_registry);
	live->persist_chat = json_is_true(json_object_get(meeting, "persist_chat"));
	live->router = rtk_router_new();
	live->speakers = rtk_speakers_new();
	double keep_alive = json_number_value(json_object_get(meeting, "session_keep_alive_time_in_secs"));
	live->keep_alive_us = keep_alive > 0 && !live->edge ? (gint64)(keep_alive * G_USEC_PER_SEC) : 0;
	g_mutex_lock(&lives_mutex);
	g_hash_table_insert(lives, g_strdup(id), live);
	g_mutex_unlock(&lives_mutex);
	JANUS_LOG(LOG_INFO, "[rtk] meeting %s: session %s %s\n", id, live->room->session_id,
		live->edge ? "mirrored here (cascade edge)" : "started");
	if(live->edge)
		return live;   /* the owner node announces, records and captures the session */
	rtk_live_webhook(live, "meeting.started", NULL);
	rtk_captures_live_started(live->room, live->router, meeting);
	return live;
}

/* The meeting object of the webhooks about `live` (NEW), in RealtimeKit's
 * shape; webhooks.c adds createdAt and organizedBy (webhooks.h). */
static json_t *session_meeting_json(const rtk_live *live) {
	const rtk_room *room = live->room;
	return json_pack("{ss ss* ss ss ss?}", "id", room->meeting_id, "title", room->title,
		"sessionId", room->session_id, "status", "LIVE", "startedAt", room->started_at);
}

/* The session ended (or the plugin stops): its chat is kept or removed.
 * Out of the table already; its lock is held by the caller, who keeps a
 * reference of its own (the live's is put back here). */
static void session_live_free(rtk_live *live) {
	json_t *meeting = session_meeting_json(live);
	if(!live->edge)   /* an edge's session id is the owner's, whose chat the owner keeps */
		rtk_chat_store_session_ended(live->room->session_id, live->persist_chat, meeting);
	json_decref(meeting);
	rtk_room_free(live->room);
	rtk_router_free(live->router);
	rtk_speakers_free(live->speakers);
	rtk_meeting_lock_put(live->lock);
	g_free(live);
}

void rtk_lives_init(void) {
	rtk_meeting_locks_init();
	lives = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

/* At shutdown, once no request, callback or companion event runs. */
void rtk_lives_destroy(void) {
	GHashTableIter iter;
	gpointer value;
	g_mutex_lock(&lives_mutex);
	GHashTable *table = lives;
	lives = NULL;
	g_mutex_unlock(&lives_mutex);
	g_hash_table_iter_init(&iter, table);
	while(g_hash_table_iter_next(&iter, NULL, &value)) {
		rtk_live *live = value;
		rtk_meeting_lock *lock = rtk_meeting_lock_ref(live->lock);
		rtk_meeting_lock_acquire(lock);
		session_live_free(live);
		rtk_meeting_lock_done(lock);
	}
	g_hash_table_destroy(table);
	rtk_meeting_locks_destroy();
}

rtk_live *rtk_live_find(const rtk_meeting_lock *held, const char *meeting_id) {
	return session_live_lookup_held(held, meeting_id, NULL);
}

/* Acquires `lock`, waiting until `deadline` at most (G_MAXINT64: no limit). */
static gboolean session_acquire_until(rtk_meeting_lock *lock, gint64 deadline) {
	if(deadline == G_MAXINT64) {
		rtk_meeting_lock_acquire(lock);
		return TRUE;
	}
	while(!rtk_meeting_lock_try_acquire(lock)) {
		if(g_get_monotonic_time() >= deadline)
			return FALSE;
		g_usleep(1000);
	}
	return TRUE;
}

rtk_live *rtk_live_lock(const char *meeting_id, rtk_meeting_lock **held) {
	gboolean timed_out;
	return rtk_live_lock_until(meeting_id, G_MAXINT64, held, &timed_out);
}

rtk_live *rtk_live_lock_until(const char *meeting_id, gint64 deadline, rtk_meeting_lock **held,
		gboolean *timed_out) {
	*held = NULL;
	*timed_out = FALSE;
	for(int attempt = 0; attempt < 8; attempt++) {
		g_mutex_lock(&lives_mutex);
		rtk_live *live = meeting_id && lives ? g_hash_table_lookup(lives, meeting_id) : NULL;
		rtk_meeting_lock *lock = live ? rtk_meeting_lock_ref(live->lock) : NULL;
		g_mutex_unlock(&lives_mutex);
		if(lock == NULL)
			return NULL;
		if(!session_acquire_until(lock, deadline)) {
			rtk_meeting_lock_put(lock);
			*timed_out = TRUE;
			return NULL;
		}
		live = rtk_live_find(lock, meeting_id);
		if(live != NULL) {
			*held = lock;
			return live;
		}
		/* It ended meanwhile (and may have started again, in the same
		 * family: then the next attempt finds it). */
		rtk_meeting_lock_done(lock);
	}
	return NULL;
}

/* Nobody is in the meeting nor watching it. */
static gboolean session_live_empty(const rtk_live *live) {
	return rtk_room_size(live->room) == 0 && rtk_router_is_empty(live->router);
}

gboolean rtk_live_in_session(const rtk_live *live) {
	return rtk_room_size(live->room) > 0 || live->empty_since != 0;
}

void rtk_live_release_if_empty(rtk_live *live) {
	if(live->edge && rtk_cascade_edge_unattended(live))
		rtk_cascade_edge_detach(live);   /* the owner's participants and streams go with the last viewer */
	if(!session_live_empty(live)) {
		live->empty_since = 0;
		return;
	}
	gint64 now = janus_get_monotonic_time();
	if(live->keep_alive_us > 0 && (live->empty_since == 0 || now - live->empty_since < live->keep_alive_us)) {
		if(live->empty_since == 0) {
			live->empty_since = now;
			JANUS_LOG(LOG_INFO, "[rtk] meeting %s: session %s empty, kept alive %" G_GINT64_FORMAT " s\n",
				live->room->meeting_id, live->room->session_id, live->keep_alive_us / G_USEC_PER_SEC);
		}
		return;
	}
	JANUS_LOG(LOG_INFO, "[rtk] meeting %s: session %s ended\n", live->room->meeting_id, live->room->session_id);
	if(!live->edge) {
		rtk_captures_live_ended(live->room->meeting_id, live->router);
		rtk_live_webhook(live, "meeting.ended", NULL);
	}
	rtk_history_ended(live->room, live->edge);   /* an edge: its viewers' presences close */
	g_mutex_lock(&lives_mutex);
	g_hash_table_remove(lives, live->room->meeting_id);
	g_mutex_unlock(&lives_mutex);
	session_live_free(live);
}

static GPtrArray *session_lives_ids(gboolean owned_only) {
	GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
	GHashTableIter iter;
	gpointer key, value;
	g_mutex_lock(&lives_mutex);
	if(lives != NULL) {
		g_hash_table_iter_init(&iter, lives);
		while(g_hash_table_iter_next(&iter, &key, &value))
			if(!owned_only || !((rtk_live *)value)->edge)
				g_ptr_array_add(ids, g_strdup(key));
	}
	g_mutex_unlock(&lives_mutex);
	return ids;
}

GPtrArray *rtk_lives_ids(void) {
	return session_lives_ids(FALSE);
}

GPtrArray *rtk_lives_owned_ids(void) {
	return session_lives_ids(TRUE);
}

/* ---- which meeting a session is in ---- */

gboolean rtk_session_link(rtk_session *session, rtk_live *live) {
	g_mutex_lock(&links_mutex);
	gboolean linked = !g_atomic_int_get(&session->destroyed);
	if(linked)
		session->live = live;
	g_mutex_unlock(&links_mutex);
	return linked;
}

static void session_unlink(rtk_session *session) {
	g_mutex_lock(&links_mutex);
	session->live = NULL;
	g_mutex_unlock(&links_mutex);
}

void rtk_session_mark_destroyed(rtk_session *session) {
	g_mutex_lock(&links_mutex);
	g_atomic_int_set(&session->destroyed, 1);
	g_mutex_unlock(&links_mutex);
}

rtk_meeting_lock *rtk_session_lock(rtk_session *session) {
	for(;;) {
		g_mutex_lock(&links_mutex);
		rtk_meeting_lock *lock = session->live != NULL ? rtk_meeting_lock_ref(session->live->lock) : NULL;
		g_mutex_unlock(&links_mutex);
		if(lock == NULL)
			return NULL;
		rtk_meeting_lock_acquire(lock);
		g_mutex_lock(&links_mutex);
		gboolean still = session->live != NULL && session->live->lock == lock;
		g_mutex_unlock(&links_mutex);
		if(still)
			return lock;
		rtk_meeting_lock_done(lock);   /* it left (or moved) meanwhile: again */
	}
}

rtk_session *rtk_live_main_session(rtk_peer *peer) {
	return peer ? peer->transport : NULL;
}

/* ---- subscribers ---- */

/* Takes `sub` out of its meeting (slots detached and freed, role cleared)
 * and returns the meeting it was in; does not free the meeting. */
static rtk_live *session_subscriber_detach(rtk_session *sub) {
	rtk_live *live = sub->live;
	rtk_router_remove_subscriber(live->router, sub);
	g_clear_pointer(&sub->shown, g_free);
	sub->offer_outstanding = sub->offer_needed = FALSE;
	g_atomic_int_set(&sub->started, 0);
	sub->role = RTK_ROLE_NONE;
	session_unlink(sub);
	sub->peer = NULL;
	return live;
}

void rtk_subscriber_reset(rtk_session *sub) {
	if(sub->role == RTK_ROLE_SUBSCRIBER)
		rtk_live_release_if_empty(session_subscriber_detach(sub));
}

/* ---- publishers ---- */

/* Stops relaying everything `session` publishes; subscribers get updated
 * offers. With `announce`, the others see the media kinds turned off. */
void rtk_publisher_teardown(rtk_session *session, gboolean announce) {
	rtk_pub_stream *streams[RTK_MAX_PUB_STREAMS];
	janus_mutex_lock(&session->pub_mutex);
	memcpy(streams, session->pub, sizeof(streams));
	memset(session->pub, 0, sizeof(session->pub));
	janus_mutex_unlock(&session->pub_mutex);
	if(session->live != NULL)
		rtk_router_close_producers(session->live->router, streams, RTK_MAX_PUB_STREAMS);
	for(int i = 0; i < RTK_MAX_PUB_STREAMS; i++)
		rtk_pub_stream_free(streams[i]);
	if(announce && session->peer != NULL) {
		for(int kind = 0; kind < RTK_MEDIA_KINDS; kind++)
			rtk_room_set_media(session->live->room, session->peer, kind, FALSE);
	}
}

gboolean rtk_publisher_has_kind(rtk_session *session, rtk_media_kind kind) {
	for(int i = 0; i < RTK_MAX_PUB_STREAMS; i++)
		if(session->pub[i] != NULL && session->pub[i]->type == kind)
			return TRUE;
	return FALSE;
}

/* Cuts the Janus side of a main handle loose from its peer: no more
 * publishing, its subscriber handles closed, the session back to no role.
 * Touches neither the room nor the meeting's lifetime. */
static void session_detach_main(rtk_session *session) {
	rtk_live *live = session->live;
	if(!session->peer->waitlisted) {
		rtk_live_webhook(live, "meeting.participantLeft", session->peer);
		rtk_history_left(live->room, session->peer, live->edge);
	}
	rtk_publisher_teardown(session, FALSE);
	rtk_speakers_forget(live->speakers, session->peer->id);
	GPtrArray *subscribers = live->router->subscribers;
	for(guint i = subscribers->len; i > 0; i--) {
		rtk_session *sub = g_ptr_array_index(subscribers, i - 1);
		if(sub->peer == session->peer) {
			session_subscriber_detach(sub);
			rtk_janus->close_pc(sub->handle);
		}
	}
	session->peer->transport = NULL;
	session->peer = NULL;
	session->role = RTK_ROLE_NONE;
	session_unlink(session);
	memset(session->announce_off, 0, sizeof(session->announce_off));
	memset(&session->view_told, 0, sizeof(session->view_told));
}

void rtk_session_leave(rtk_session *session, const char *state) {
	if(session->role != RTK_ROLE_MAIN)
		return;
	rtk_live *live = session->live;
	rtk_peer *peer = session->peer;
	session_detach_main(session);
	rtk_room_leave(live->room, peer, state);
	rtk_live_flush(live);
}

/* Drops the streams the peer may no longer produce (stage left, rights
 * changed) and pauses those a host turned off (locked or not): those come
 * back with the participant's own configure once allowed. The kinds dropped are
 * announced later, by rtk_live_flush(), outside the room's callback. */
static void session_enforce_publishing(rtk_session *session) {
	rtk_peer *peer = session->peer;
	rtk_pub_stream *dropped[RTK_MAX_PUB_STREAMS] = { NULL };
	janus_mutex_lock(&session->pub_mutex);
	for(int i = 0; i < RTK_MAX_PUB_STREAMS; i++) {
		rtk_pub_stream *ps = session->pub[i];
		rtk_refusal why;
		if(ps == NULL)
			continue;
		if(!rtk_peer_may_produce(peer, ps->type, &why)) {
			session->pub[i] = NULL;
			session->announce_off[ps->type] = TRUE;
			dropped[i] = ps;
		} else if(!peer->media_enabled[ps->type] || peer->media_locked[ps->type]) {
			rtk_relay_set_enabled(rtk_janus, ps, FALSE);
		}
	}
	janus_mutex_unlock(&session->pub_mutex);
	rtk_router_close_producers(session->live->router, dropped, RTK_MAX_PUB_STREAMS);
	for(int i = 0; i < RTK_MAX_PUB_STREAMS; i++)
		rtk_pub_stream_free(dropped[i]);
}

/* A participant admitted from the waiting room: its roomJoined came from
 * the model, which knows no speakers; the current active speaker follows
 * it as an activeSpeaker event (a join tells it in roomJoined itself). */
static void session_tell_speaker(rtk_live *live, rtk_peer *peer) {
	const char *id = rtk_speakers_current(live->speakers);
	rtk_peer *speaker = id != NULL && strcmp(id, peer->id) ? rtk_room_find_peer(live->room, id) : NULL;
	json_t *event = speaker != NULL ? rtk_view_speaker_event(speaker) : NULL;
	if(event == NULL)
		return;
	session_deliver_to_peer(peer, event, NULL);
	json_decref(event);
}

/* The room's `changed` callback: the Janus consequences of what the model
 * decided. Runs inside a room call, so it never calls back into the room. */
static void session_peer_changed(rtk_peer *peer, rtk_peer_change change, void *user_data) {
	rtk_session *session = peer->transport;
	if(session == NULL || session->role != RTK_ROLE_MAIN)
		return;
	switch(change) {
		case RTK_PEER_REMOVED:
			rtk_janus->close_pc(session->handle);
			session_detach_main(session);
			break;
		case RTK_PEER_MEDIA:
		case RTK_PEER_STAGE:
		case RTK_PEER_PERMISSIONS:
			session_enforce_publishing(session);
			break;
		case RTK_PEER_ADMITTED:
			session_tell_speaker(session->live, peer);
			rtk_live_webhook(session->live, "meeting.participantJoined", peer);
			rtk_history_joined(session->live->room, peer, session->live->edge);
			break;
	}
}

void rtk_live_flush(rtk_live *live) {
	for(guint p = 0; p < live->room->peers->len; p++) {
		rtk_peer *peer = g_ptr_array_index(live->room->peers, p);
		rtk_session *session = peer->transport;
		if(session == NULL)
			continue;
		for(int kind = 0; kind < RTK_MEDIA_KINDS; kind++) {
			if(session->announce_off[kind])
				rtk_room_set_media(live->room, peer, kind, FALSE);
			session->announce_off[kind] = FALSE;
		}
	}
	rtk_live_apply_views(live);
	rtk_captures_sync_peers(live->room, live->router);
	rtk_live_release_if_empty(live);
}

void rtk_live_webhook(rtk_live *live, const char *event, const rtk_peer *peer) {
	rtk_webhooks *webhooks = rtk_gw ? rtk_gateway_webhooks(rtk_gw) : NULL;
	if(webhooks == NULL)
		return;
	json_t *meeting = session_meeting_json(live);
	json_t *data = json_pack("{so}", "meeting", meeting);
	char *now = rtk_util_now_iso8601();
	if(strcmp(event, "meeting.ended") == 0) {
		/* the session ends when its last participant is gone: a host ended it, or they all left */
		json_object_set_new(meeting, "endedAt", json_string(now));
		json_object_set_new(data, "reason", json_string(live->room->end_reason ? live->room->end_reason
			: "ALL_PARTICIPANTS_LEFT"));
	}
	if(peer != NULL) {
		gboolean joined = strcmp(event, "meeting.participantJoined") == 0;
		json_t *cpid = peer->custom_participant_id ? json_string(peer->custom_participant_id) : json_null();
		json_object_set_new(data, "participant", json_pack("{ss ss? sO so ss}", "peerId", peer->id,
			"userDisplayName", peer->name, "customParticipantId", cpid, "clientSpecificId", cpid,
			joined ? "joinedAt" : "leftAt", now));
	}
	free(now);
	rtk_webhooks_emit(webhooks, event, data);
}

void rtk_live_broadcast(rtk_live *live, json_t *event) {
	for(guint p = 0; p < live->room->peers->len; p++)
		session_deliver_to_peer(g_ptr_array_index(live->room->peers, p), event, NULL);
}

void rtk_live_broadcast_to_meeting(const char *meeting_id, json_t *event) {
	rtk_live *live = session_live_lookup(meeting_id);
	if(live != NULL)
		rtk_live_broadcast(live, event);
}

/* The peer ids of `selected`, in order, as one string ("a,b,c"). */
static char *session_view_signature(GPtrArray *selected) {
	GString *text = g_string_new(NULL);
	for(guint i = 0; i < selected->len; i++) {
		rtk_peer *peer = g_ptr_array_index(selected, i);
		g_string_append_printf(text, "%s%s", i ? "," : "", peer->id);
	}
	return g_string_free(text, FALSE);
}

static gboolean session_view_shows(GPtrArray *selected, const char *peer_id) {
	for(guint i = 0; i < selected->len; i++)
		if(!strcmp(((rtk_peer *)g_ptr_array_index(selected, i))->id, peer_id))
			return TRUE;
	return FALSE;
}

json_t *rtk_session_view_changed(rtk_session *viewer, guint candidates) {
	const rtk_view *view = &viewer->view;
	guint page = rtk_view_current_page(view, candidates), pages = rtk_view_page_count(view, candidates);
	if(viewer->view_told.told && viewer->view_told.mode == view->mode && viewer->view_told.page == page &&
			viewer->view_told.pages == pages && viewer->view_told.max_active == view->max_active)
		return NULL;
	viewer->view_told.told = TRUE;
	viewer->view_told.mode = view->mode;
	viewer->view_told.page = page;
	viewer->view_told.pages = pages;
	viewer->view_told.max_active = view->max_active;
	return rtk_view_mode_event(view, candidates);
}

/* The joined peers but `self`, into `others` (emptied first). */
static void session_others(rtk_live *live, const rtk_peer *self, GPtrArray *others) {
	g_ptr_array_set_size(others, 0);
	for(guint i = 0; i < live->room->peers->len; i++) {
		rtk_peer *peer = g_ptr_array_index(live->room->peers, i);
		if(peer != self)
			g_ptr_array_add(others, peer);
	}
}

/* One subscriber: camera video of the peers its viewer's view selects
 * (from the meeting's `order`, computed once for every subscriber) is
 * forwarded, the rest paused; screenshares always flow; the layers and
 * whose audio flows are the forwarding policy's. `others` and `selected`
 * are scratch arrays. */
static void session_view_apply(rtk_live *live, rtk_session *sub, const rtk_view_order *order,
		GPtrArray *others, GPtrArray *selected) {
	rtk_session *viewer = rtk_live_main_session(sub->peer);
	if(viewer == NULL)
		return;
	rtk_view_select_ordered(&viewer->view, order, sub->peer, selected);
	for(guint i = 0; i < sub->slots->len; i++) {
		rtk_sub_stream *ss = g_ptr_array_index(sub->slots, i);
		if(ss->source != NULL && ss->source->type == RTK_MEDIA_VIDEO)
			rtk_relay_set_paused(rtk_janus, ss, !session_view_shows(selected, ss->source->peer_id));
	}
	rtk_policy_apply(live, sub, selected);   /* layers and last-N audio (policy.h) */
	char *shown = session_view_signature(selected);
	if(g_strcmp0(shown, sub->shown) != 0) {
		session_others(live, sub->peer, others);   /* only when telling: O(n) */
		json_t *event = rtk_view_active_event(selected, others);
		rtk_janus->push_event(viewer->handle, &rtk_plugin, NULL, event, NULL);
		json_decref(event);
		g_free(sub->shown);
		sub->shown = shown;
	} else {
		g_free(shown);
	}
}

/* Every joined participant whose view changed by itself (a page appeared
 * or went as others came and left) gets viewModeUpdate. Each chooses from
 * everyone but itself: the candidates of the room minus its own. */
static void session_views_tell_changes(rtk_live *live) {
	GPtrArray *peers = live->room->peers;
	guint all = rtk_view_count_candidates(peers);
	GPtrArray *one = g_ptr_array_sized_new(1);
	for(guint i = 0; i < peers->len; i++) {
		rtk_peer *peer = g_ptr_array_index(peers, i);
		rtk_session *viewer = rtk_live_main_session(peer);
		if(viewer == NULL)
			continue;
		g_ptr_array_set_size(one, 0);
		g_ptr_array_add(one, peer);
		json_t *event = rtk_session_view_changed(viewer, all - rtk_view_count_candidates(one));
		if(event != NULL) {
			rtk_janus->push_event(viewer->handle, &rtk_plugin, NULL, event, NULL);
			json_decref(event);
		}
	}
	g_ptr_array_free(one, TRUE);
}

void rtk_live_apply_views(rtk_live *live) {
	GPtrArray *others = g_ptr_array_new(), *selected = g_ptr_array_new();
	rtk_view_order order;
	rtk_view_order_init(&order);
	rtk_view_order_compute(&order, live->room->peers, live->speakers);
	GPtrArray *subscribers = live->router->subscribers;
	for(guint i = 0; i < subscribers->len; i++)
		session_view_apply(live, g_ptr_array_index(subscribers, i), &order, others, selected);
	rtk_view_order_clear(&order);
	g_ptr_array_free(others, TRUE);
	g_ptr_array_free(selected, TRUE);
	rtk_policy_publishers(live);   /* the layers each publisher sends (policy.h) */
	session_views_tell_changes(live);
}

/* A new active speaker: everyone who may see it gets activeSpeaker. */
static void session_live_announce_speaker(rtk_live *live, const char *peer_id) {
	rtk_peer *speaker = rtk_room_find_peer(live->room, peer_id);
	json_t *event = speaker ? rtk_view_speaker_event(speaker) : NULL;
	if(event == NULL)
		return;
	for(guint i = 0; i < live->room->peers->len; i++) {
		rtk_peer *peer = g_ptr_array_index(live->room->peers, i);
		if(peer != speaker)
			session_deliver_to_peer(peer, event, NULL);
	}
	json_decref(event);
}

/* One meeting's periodic work, its lock held. A meeting kept alive past
 * its last participant ends here when its time is up (last: it frees
 * `live`). */
static void session_live_tick(rtk_live *live, gint64 now) {
	if(live->empty_since != 0) {
		rtk_live_release_if_empty(live);
		return;
	}
	const char *speaker = rtk_speakers_evaluate(live->speakers, now);
	if(speaker != NULL)
		session_live_announce_speaker(live, speaker);
	rtk_captures_speaker(live->room->meeting_id, live->router, rtk_speakers_current(live->speakers));
	rtk_live_apply_views(live);
	rtk_captures_tick_meeting(live->room->meeting_id);
}

void rtk_lives_tick(void) {
	GPtrArray *ids = rtk_lives_ids();
	gint64 now = janus_get_monotonic_time();
	for(guint i = 0; i < ids->len; i++) {
		rtk_meeting_lock *lock;
		rtk_live *live = rtk_live_lock(g_ptr_array_index(ids, i), &lock);
		if(live != NULL)
			session_live_tick(live, now);
		rtk_meeting_lock_done(lock);
	}
	g_ptr_array_free(ids, TRUE);
	rtk_captures_tick();
}
