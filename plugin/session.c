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
#include "chat_store.h"
#include "history.h"
#include "util.h"
#include "webhooks.h"
#include "media.h"

janus_callbacks *rtk_janus;
rtk_gateway *rtk_gw;
janus_mutex rtk_state_mutex = JANUS_MUTEX_INITIALIZER;
static GHashTable *lives;       /* meeting id -> rtk_live* (owned) */

static void session_peer_changed(rtk_peer *peer, rtk_peer_change change, void *user_data);

json_t *rtk_event_new(const char *name) {
	return json_pack("{ss}", "rtk", name);
}

json_t *rtk_jsep_new(const char *type, const char *sdp) {
	return json_pack("{ssss}", "type", type, "sdp", sdp);
}

/* The room sink: delivers room events to a peer's main handle. */
static void session_deliver_to_peer(rtk_peer *peer, json_t *event, void *user_data) {
	rtk_session *session = peer->transport;
	if(session == NULL || g_atomic_int_get(&session->destroyed))
		return;
	if(!g_strcmp0(json_string_value(json_object_get(event, "rtk")), "roomLeft")) {
		json_decref(session->left);
		session->left = json_deep_copy(event);
	}
	rtk_janus->push_event(session->handle, &rtk_plugin, NULL, event, NULL);
}

static const rtk_room_sink room_sink = {
	.deliver = session_deliver_to_peer,
	.changed = session_peer_changed,
};

/* The plugin registry for the rooms' roomJoined "pluginsAll": the
 * gateway's in-memory copy (no store I/O under the state lock). */
static json_t *session_plugin_registry(void) {
	return rtk_plugin_registry_all(rtk_gateway_plugins(rtk_gw));
}

/* ---- live meetings ---- */

rtk_live *rtk_live_get_or_create(const json_t *meeting) {
	const char *id = json_string_value(json_object_get(meeting, "id"));
	rtk_live *live = g_hash_table_lookup(lives, id);
	if(live != NULL)
		return live;
	live = g_new0(rtk_live, 1);
	live->room = rtk_room_new(meeting, &room_sink);
	rtk_room_set_plugin_registry(live->room, session_plugin_registry);
	live->persist_chat = json_is_true(json_object_get(meeting, "persist_chat"));
	live->router = rtk_router_new();
	live->speakers = rtk_speakers_new();
	g_hash_table_insert(lives, g_strdup(id), live);
	JANUS_LOG(LOG_INFO, "[rtk] meeting %s: session %s started\n", id, live->room->session_id);
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

/* The session ended (or the plugin stops): its chat is kept or removed. */
static void session_live_free(rtk_live *live) {
	json_t *meeting = session_meeting_json(live);
	rtk_chat_store_session_ended(live->room->session_id, live->persist_chat, meeting);
	json_decref(meeting);
	rtk_room_free(live->room);
	rtk_router_free(live->router);
	rtk_speakers_free(live->speakers);
	g_free(live);
}

void rtk_lives_init(void) {
	lives = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)session_live_free);
}

void rtk_lives_destroy(void) {
	g_hash_table_destroy(lives);
	lives = NULL;
}

rtk_live *rtk_live_find(const char *meeting_id) {
	return meeting_id ? g_hash_table_lookup(lives, meeting_id) : NULL;
}

void rtk_live_release_if_empty(rtk_live *live) {
	if(rtk_room_size(live->room) > 0 || !rtk_router_is_empty(live->router))
		return;
	JANUS_LOG(LOG_INFO, "[rtk] meeting %s: session %s ended\n", live->room->meeting_id, live->room->session_id);
	rtk_captures_live_ended(live->router);
	rtk_live_webhook(live, "meeting.ended", NULL);
	rtk_history_ended(live->room);
	g_hash_table_remove(lives, live->room->meeting_id);
}

GPtrArray *rtk_lives_list(void) {
	GPtrArray *list = g_ptr_array_new();
	GHashTableIter iter;
	gpointer value;
	g_hash_table_iter_init(&iter, lives);
	while(g_hash_table_iter_next(&iter, NULL, &value))
		g_ptr_array_add(list, value);
	return list;
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
	sub->live = NULL;
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
		rtk_history_left(live->room, session->peer);
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
	session->live = NULL;
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
			rtk_live_webhook(session->live, "meeting.participantJoined", peer);
			rtk_history_joined(session->live->room, peer);
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
		/* the session ends when its last participant is gone */
		json_object_set_new(meeting, "endedAt", json_string(now));
		json_object_set_new(data, "reason", json_string("ALL_PARTICIPANTS_LEFT"));
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
	rtk_live *live = rtk_live_find(meeting_id);
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

/* One subscriber: camera video of the peers its viewer's view selects is
 * forwarded, the rest paused; audio and screenshares always flow. */
static void session_view_apply(rtk_live *live, rtk_session *sub, GPtrArray *others, GPtrArray *selected) {
	rtk_session *viewer = rtk_live_main_session(sub->peer);
	if(viewer == NULL)
		return;
	g_ptr_array_set_size(others, 0);
	for(guint i = 0; i < live->room->peers->len; i++) {
		rtk_peer *peer = g_ptr_array_index(live->room->peers, i);
		if(peer != sub->peer)
			g_ptr_array_add(others, peer);
	}
	g_ptr_array_set_size(selected, 0);
	rtk_view_select(&viewer->view, others, live->speakers, selected);
	for(guint i = 0; i < sub->slots->len; i++) {
		rtk_sub_stream *ss = g_ptr_array_index(sub->slots, i);
		if(ss->source != NULL && ss->source->type == RTK_MEDIA_VIDEO)
			rtk_relay_set_paused(rtk_janus, ss, !session_view_shows(selected, ss->source->peer_id));
	}
	char *shown = session_view_signature(selected);
	if(g_strcmp0(shown, sub->shown) != 0) {
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
	GPtrArray *subscribers = live->router->subscribers;
	for(guint i = 0; i < subscribers->len; i++)
		session_view_apply(live, g_ptr_array_index(subscribers, i), others, selected);
	g_ptr_array_free(others, TRUE);
	g_ptr_array_free(selected, TRUE);
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

void rtk_lives_tick(void) {
	if(lives == NULL)
		return;
	rtk_captures_tick();
	gint64 now = janus_get_monotonic_time();
	GHashTableIter iter;
	gpointer value;
	g_hash_table_iter_init(&iter, lives);
	while(g_hash_table_iter_next(&iter, NULL, &value)) {
		rtk_live *live = value;
		const char *speaker = rtk_speakers_evaluate(live->speakers, now);
		if(speaker != NULL)
			session_live_announce_speaker(live, speaker);
		rtk_live_apply_views(live);
	}
}

