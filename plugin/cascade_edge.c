/*
 * cascade_edge.c - the edges of cascaded meetings (cascade.h): a join of
 * a meeting another node owns opens this node's edge of it, one thread
 * per edge that reads the owner's lines and relays its RTP into a local
 * live meeting, mirroring the owner's participants, streams, active
 * speaker, pins, public chat, polls and broadcasts, and that forwards its
 * viewers' requests to the owner.
 *
 * Ownership: `edges` (cascade_mutex) owns the edges; an edge owns its
 * sockets, its thread, the last state it received, the remote peers it
 * mirrored (copies), the remote streams (rtk_pub_stream*, put in the live
 * router while attached, freed by the edge once closed there), its copies
 * of the owner's chat and polls, the lines not yet shown and the results
 * not yet taken by the requests waiting for them.
 *
 * Locking: meeting lock -> cascade_mutex -> edge->mutex -> a stream's
 * subs_mutex. edge->send_mutex (one line at a time on an edge's
 * connection from the threads other than its own) is a leaf, held only
 * while sending. The edge thread relays UDP with edge->mutex held (the
 * streams cannot be freed meanwhile) and takes a meeting lock only with
 * edge->mutex released. An edge is freed by its last reference (its
 * thread's, a waiting join's or request's, cascade_edges_stop()'s),
 * after its thread took its mirror out of the meeting under the meeting's
 * lock; attach and detach use it under that lock, so it outlives them.
 */
#include "cascade.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <debug.h>

#include "cascade_internal.h"
#include "cascade_msg.h"
#include "chat.h"
#include "chat_requests.h"
#include "glue.h"
#include "process.h"

typedef struct cascade_edge {
	gint refs;                   /* the edge thread's, and each waiting join's */
	char *meeting_id;
	int tcp_fd, udp_fd;
	struct sockaddr_storage owner;   /* the owner's address: media from any other is dropped */
	GThread *thread;
	GMutex mutex;                /* everything below */
	GCond changed;               /* a first state came, or the edge ended */
	rtk_cascade_msg state;       /* the last state received (type 0: none yet) */
	guint64 state_seq;           /* bumped with every state */
	guint64 applied_seq;         /* the edge thread's: the last one applied */
	GPtrArray *peers;            /* rtk_cascade_peer*, owned: the remote peers in the room */
	GHashTable *streams;         /* ssrc -> rtk_pub_stream* (owned) in the room's router */
	int next_mindex;
	int audience_told;           /* the edge thread's: the viewer count the owner was told last */
	const char *lost;            /* static: why the edge ended ("origin_ended", "origin_lost") */
	gboolean stopping;
	gboolean gone;               /* out of `edges`: no join uses it again */
	/* The owner's public chat: */
	GPtrArray *chat;             /* json_t* (owned references): its messages, oldest first, at most
	                                RTK_CHAT_KEPT, as the last chat lines said */
	GPtrArray *polls;            /* json_t* (owned references): the owner's polls' states, at most
	                                RTK_POLLS_MAX, in creation order */
	guint64 chat_seq;            /* chat and poll lines received */
	GQueue chat_pending;         /* edge_chat* (owned): those lines not yet shown in the live meeting */
	guint64 chat_shown_seq;      /* the live meeting's chat holds every line up to this one */
	/* Requests forwarded for the viewers: */
	gint64 next_request;
	GArray *waiting;             /* gint64: the request ids a viewer's request waits for */
	GQueue results_pending;      /* rtk_cascade_msg* (owned): results behind chat not yet shown */
	GPtrArray *results;          /* rtk_cascade_msg* (owned): results for the waiting requests */
	GMutex send_mutex;           /* a leaf: one line at a time on tcp_fd from the other threads */
	/* The meeting lock's: */
	gboolean chat_attached;      /* the live meeting's room holds the owner's chat */
} cascade_edge;

/* A chat line received, numbered. */
typedef struct edge_chat {
	guint64 seq;
	rtk_cascade_msg msg;
} edge_chat;

static void edge_chat_free(edge_chat *item) {
	rtk_cascade_msg_clear(&item->msg);
	g_free(item);
}

static void edge_result_free(rtk_cascade_msg *msg) {
	rtk_cascade_msg_clear(msg);
	g_free(msg);
}

static GMutex cascade_mutex;
static GHashTable *edges;        /* meeting id -> cascade_edge*, cascade_mutex */

static cascade_edge *edge_lookup(const char *meeting_id) {
	g_mutex_lock(&cascade_mutex);
	cascade_edge *edge = edges && meeting_id ? g_hash_table_lookup(edges, meeting_id) : NULL;
	g_mutex_unlock(&cascade_mutex);
	return edge;
}

gboolean rtk_cascade_is_edge(const char *meeting_id) {
	return edge_lookup(meeting_id) != NULL;
}

char *rtk_cascade_edge_session(const char *meeting_id) {
	char *session = NULL;
	g_mutex_lock(&cascade_mutex);
	cascade_edge *edge = edges && meeting_id ? g_hash_table_lookup(edges, meeting_id) : NULL;
	if(edge != NULL) {
		g_mutex_lock(&edge->mutex);
		session = g_strdup(edge->state.session_id);
		g_mutex_unlock(&edge->mutex);
	}
	g_mutex_unlock(&cascade_mutex);
	return session;
}

/* A stream of the edge asks the owner for a keyframe (relay.h's
 * remote_keyframe; any thread, possibly under subs_mutex: never blocks). */
static void edge_keyframe(rtk_pub_stream *ps) {
	cascade_edge *edge = ps->remote;
	char *line = rtk_cascade_pli_line((uint32_t)g_ascii_strtoull(ps->mid, NULL, 10));
	/* a line at a time; when a forwarded request is being sent, this one is dropped */
	gboolean sent = FALSE;
	if(g_mutex_trylock(&edge->send_mutex)) {
		ssize_t len = (ssize_t)strlen(line);
		ssize_t n = send(edge->tcp_fd, line, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL);
		/* half a line (the socket's buffer nearly full after a large forwarded
		 * request) would garble the channel: its rest is sent, blocking */
		sent = n == len || (n > 0 && cascade_send_all(edge->tcp_fd, line + n));
		g_mutex_unlock(&edge->send_mutex);
	}
	if(!sent)
		JANUS_LOG(LOG_VERB, "[rtk] cascade: a keyframe request to the owner was dropped\n");
	g_free(line);
}

static rtk_cascade_peer *edge_peer_copy(const rtk_cascade_peer *p) {
	rtk_cascade_peer *copy = g_memdup2(p, sizeof(*p));
	copy->id = g_strdup(p->id);
	copy->user_id = g_strdup(p->user_id);
	copy->name = g_strdup(p->name);
	copy->picture = g_strdup(p->picture);
	copy->custom_participant_id = g_strdup(p->custom_participant_id);
	copy->preset_name = g_strdup(p->preset_name);
	return copy;
}

/* A room peer for a remote participant: no transport (nobody to deliver
 * to), no permissions (it does nothing here), the owner's peer id. */
static rtk_peer *edge_room_peer_new(const rtk_cascade_peer *p) {
	json_t *participant = json_pack("{ss ss? ss? ss?}", "id", p->user_id, "name", p->name,
		"picture", p->picture, "custom_participant_id", p->custom_participant_id);
	json_t *preset = json_pack("{ss? s{}}", "name", p->preset_name, "permissions");
	rtk_peer *peer = rtk_peer_new(participant, preset, NULL);
	json_decref(participant);
	json_decref(preset);
	g_free(peer->id);
	peer->id = g_strdup(p->id);
	memcpy(peer->media_enabled, p->media_enabled, sizeof(peer->media_enabled));
	peer->stage = p->stage;
	peer->pinned = p->pinned;
	return peer;
}

static const rtk_cascade_peer *edge_state_peer(const rtk_cascade_msg *state, const char *id) {
	for(guint i = 0; state->peers != NULL && i < state->peers->len; i++) {
		const rtk_cascade_peer *p = g_ptr_array_index(state->peers, i);
		if(strcmp(p->id, id) == 0)
			return p;
	}
	return NULL;
}

static const rtk_cascade_stream *edge_state_stream(const rtk_cascade_msg *state, uint32_t ssrc) {
	for(guint i = 0; state->streams != NULL && i < state->streams->len; i++) {
		const rtk_cascade_stream *s = g_ptr_array_index(state->streams, i);
		if(s->ssrc == ssrc)
			return s;
	}
	return NULL;
}

static rtk_cascade_peer *edge_mirrored_peer(cascade_edge *edge, const char *id, guint *index) {
	for(guint i = 0; i < edge->peers->len; i++) {
		rtk_cascade_peer *p = g_ptr_array_index(edge->peers, i);
		if(strcmp(p->id, id) == 0) {
			if(index != NULL)
				*index = i;
			return p;
		}
	}
	return NULL;
}

/* Closes the edge's streams that `keep` says go (all when `keep` NULL);
 * meeting lock and edge->mutex held. */
static void edge_close_streams(cascade_edge *edge, rtk_live *live, const rtk_cascade_msg *keep) {
	GPtrArray *closing = g_ptr_array_new_with_free_func((GDestroyNotify)rtk_pub_stream_free);
	GHashTableIter it;
	gpointer key, value;
	g_hash_table_iter_init(&it, edge->streams);
	while(g_hash_table_iter_next(&it, &key, &value)) {
		if(keep != NULL && edge_state_stream(keep, GPOINTER_TO_UINT(key)) != NULL)
			continue;
		g_ptr_array_add(closing, value);
		g_hash_table_iter_remove(&it);
	}
	if(closing->len > 0)
		rtk_router_close_producers(live->router, (rtk_pub_stream **)closing->pdata, (int)closing->len);
	g_ptr_array_free(closing, TRUE);   /* after the router let go of them */
}

/* Takes out of the room the remote peers `keep` no longer lists (all
 * when NULL): the local viewers get participantLeft. */
static void edge_remove_peers(cascade_edge *edge, rtk_live *live, const rtk_cascade_msg *keep) {
	for(guint i = edge->peers->len; i > 0; i--) {
		rtk_cascade_peer *p = g_ptr_array_index(edge->peers, i - 1);
		if(keep != NULL && edge_state_peer(keep, p->id) != NULL)
			continue;
		rtk_peer *peer = rtk_room_find_peer(live->room, p->id);
		if(peer != NULL && peer->transport == NULL) {
			rtk_room_leave(live->room, peer, NULL);
			rtk_speakers_forget(live->speakers, p->id);
		}
		g_ptr_array_remove_index(edge->peers, i - 1);
	}
}

/* A remote peer already in the room changed: media toggles, stage steps
 * and pins become the SDK's events. */
static void edge_update_peer(rtk_live *live, const rtk_cascade_peer *now) {
	rtk_peer *peer = rtk_room_find_peer(live->room, now->id);
	if(peer == NULL || peer->transport != NULL)
		return;
	for(int kind = 0; kind < RTK_MEDIA_KINDS; kind++)
		rtk_room_set_media(live->room, peer, kind, now->media_enabled[kind]);
	rtk_room_stage_mirror(live->room, peer, now->stage);
	rtk_room_pin_mirror(live->room, peer, now->pinned);
	if(g_strcmp0(peer->name, now->name) != 0) {
		g_free(peer->name);
		peer->name = g_strdup(now->name);
	}
}

static void edge_add_peers(cascade_edge *edge, rtk_live *live) {
	for(guint i = 0; edge->state.peers != NULL && i < edge->state.peers->len; i++) {
		const rtk_cascade_peer *now = g_ptr_array_index(edge->state.peers, i);
		guint index = 0;
		rtk_cascade_peer *was = edge_mirrored_peer(edge, now->id, &index);
		if(was != NULL) {
			if(!rtk_cascade_peer_same(was, now)) {
				edge_update_peer(live, now);
				g_ptr_array_index(edge->peers, index) = edge_peer_copy(now);
				rtk_cascade_peer_free(was);
			}
			continue;
		}
		if(rtk_room_find_peer(live->room, now->id) != NULL)
			continue;   /* a local peer by that id: never the owner's */
		json_decref(rtk_room_join(live->room, edge_room_peer_new(now)));
		g_ptr_array_add(edge->peers, edge_peer_copy(now));
	}
}

static rtk_pub_stream *edge_stream_new(cascade_edge *edge, const rtk_cascade_stream *s, const rtk_peer *peer) {
	char mid[16];
	g_snprintf(mid, sizeof(mid), "%u", s->ssrc);
	rtk_pub_stream *ps = rtk_pub_stream_new(NULL, s->peer_id, peer->user_id, edge->next_mindex++, mid, s->kind);
	if(ps->video)
		ps->vcodec = JANUS_VIDEOCODEC_VP8;
	else
		ps->acodec = JANUS_AUDIOCODEC_OPUS;
	ps->remote_keyframe = edge_keyframe;
	ps->remote = edge;
	g_atomic_int_set(&ps->enabled, s->enabled);
	return ps;
}

static void edge_add_streams(cascade_edge *edge, rtk_live *live) {
	GPtrArray *added = g_ptr_array_new();
	for(guint i = 0; edge->state.streams != NULL && i < edge->state.streams->len; i++) {
		const rtk_cascade_stream *s = g_ptr_array_index(edge->state.streams, i);
		rtk_pub_stream *ps = g_hash_table_lookup(edge->streams, GUINT_TO_POINTER(s->ssrc));
		if(ps != NULL) {
			if((g_atomic_int_get(&ps->enabled) != 0) != s->enabled)
				rtk_relay_set_enabled(rtk_janus, ps, s->enabled);
			continue;
		}
		const rtk_peer *peer = rtk_room_find_peer(live->room, s->peer_id);
		if(peer == NULL || peer->transport != NULL)
			continue;   /* a stream of a participant the edge does not show */
		ps = edge_stream_new(edge, s, peer);
		g_hash_table_insert(edge->streams, GUINT_TO_POINTER(s->ssrc), ps);
		g_ptr_array_add(added, ps);
	}
	if(added->len > 0)
		rtk_router_add_producers(live->router, added);
	g_ptr_array_free(added, TRUE);
}

/* The owner's active speaker becomes the edge's (announced by the next
 * tick, as on the owner); edge->mutex and the meeting lock held. */
static void edge_mirror_speaker(cascade_edge *edge, rtk_live *live) {
	const char *id = edge->state.active_speaker;
	const rtk_peer *peer = id != NULL ? rtk_room_find_peer(live->room, id) : NULL;
	rtk_speakers_impose(live->speakers, peer != NULL && peer->transport == NULL ? id : NULL);
}

/* Mirrors the last state into `live`; meeting lock held. */
static void edge_apply(cascade_edge *edge, rtk_live *live) {
	g_mutex_lock(&edge->mutex);
	if(edge->state.type == RTK_CASCADE_STATE && !edge->gone) {
		edge_close_streams(edge, live, &edge->state);
		edge_remove_peers(edge, live, &edge->state);
		edge_add_peers(edge, live);
		edge_add_streams(edge, live);
		edge_mirror_speaker(edge, live);
	}
	g_mutex_unlock(&edge->mutex);
	rtk_live_apply_views(live);
}

static void edge_detach(cascade_edge *edge, rtk_live *live) {
	edge->chat_attached = FALSE;
	g_mutex_lock(&edge->mutex);
	edge_close_streams(edge, live, NULL);
	edge_remove_peers(edge, live, NULL);
	g_mutex_unlock(&edge->mutex);
}

/* The owner's public chat into the live meeting's room, silently (a
 * joining viewer finds it in roomJoined), once per attachment; the lines
 * received so far are shown by it. Meeting lock held. */
static void edge_chat_attach(cascade_edge *edge, rtk_live *live) {
	if(edge->chat_attached)
		return;
	g_mutex_lock(&edge->mutex);
	for(guint i = 0; i < edge->chat->len; i++)
		rtk_chat_mirror(live->room, RTK_CHAT_MIRROR_HISTORY, g_ptr_array_index(edge->chat, i), NULL);
	for(guint i = 0; i < edge->polls->len; i++)
		rtk_room_poll_mirror(live->room, g_ptr_array_index(edge->polls, i), FALSE);
	edge->chat_shown_seq = edge->chat_seq;
	g_mutex_unlock(&edge->mutex);
	edge->chat_attached = TRUE;
}

void rtk_cascade_edge_attach(rtk_live *live) {
	cascade_edge *edge = live->edge ? edge_lookup(live->room->meeting_id) : NULL;
	if(edge != NULL) {
		edge_apply(edge, live);
		edge_chat_attach(edge, live);
	}
}

gboolean rtk_cascade_edge_unattended(rtk_live *live) {
	for(guint i = 0; i < live->room->peers->len; i++)
		if(((rtk_peer *)g_ptr_array_index(live->room->peers, i))->transport != NULL)
			return FALSE;
	return live->room->waitlisted->len == 0;
}

void rtk_cascade_edge_detach(rtk_live *live) {
	cascade_edge *edge = live->edge ? edge_lookup(live->room->meeting_id) : NULL;
	if(edge != NULL)
		edge_detach(edge, live);
}

/* The owner ended the session or is gone: every local participant is
 * told roomLeft "ended" with the reason, the mirror is taken out, and the
 * live meeting ends. When this node stops (`stopping`) only the mirror is
 * taken out: the node's meetings end with it, unannounced, as the others.
 * No lock held. */
static void edge_end_meeting(cascade_edge *edge, gboolean stopping) {
	rtk_meeting_lock *held = NULL;
	rtk_live *live = rtk_live_lock(edge->meeting_id, &held);
	if(live != NULL && live->edge && stopping) {
		edge_detach(edge, live);
	} else if(live != NULL && live->edge) {
		GPtrArray *locals = g_ptr_array_new_with_free_func(g_free);
		for(guint i = 0; i < live->room->peers->len; i++) {
			rtk_peer *peer = g_ptr_array_index(live->room->peers, i);
			if(peer->transport != NULL)
				g_ptr_array_add(locals, g_strdup(peer->user_id));
		}
		for(guint i = 0; i < live->room->waitlisted->len; i++)
			g_ptr_array_add(locals, g_strdup(((rtk_peer *)g_ptr_array_index(live->room->waitlisted, i))->user_id));
		for(guint i = 0; i < locals->len; i++)
			rtk_room_remove_user(live->room, g_ptr_array_index(locals, i), "ended", edge->lost);
		g_ptr_array_free(locals, TRUE);
		edge_detach(edge, live);
		JANUS_LOG(LOG_INFO, "[rtk] cascade: edge of meeting %s ended (%s)\n", edge->meeting_id, edge->lost);
		rtk_live_flush(live);
	}
	if(held != NULL)
		rtk_meeting_lock_done(held);
}

static guint edge_chat_index(cascade_edge *edge, const char *id) {
	for(guint i = edge->chat->len; i > 0; i--)
		if(g_strcmp0(json_string_value(json_object_get(g_ptr_array_index(edge->chat, i - 1), "id")), id) == 0)
			return i - 1;
	return G_MAXUINT;
}

/* The edge's copy of the owner's public chat follows a chat line;
 * edge->mutex held. */
static void edge_chat_keep(cascade_edge *edge, const rtk_cascade_msg *msg) {
	if(msg->chat_event == RTK_CASCADE_CHAT_DELETE) {
		guint at = edge_chat_index(edge, msg->message_id);
		if(at != G_MAXUINT)
			g_ptr_array_remove_index(edge->chat, at);
		return;
	}
	guint at = edge_chat_index(edge, json_string_value(json_object_get(msg->message, "id")));
	if(at != G_MAXUINT) {
		json_decref(g_ptr_array_index(edge->chat, at));
		g_ptr_array_index(edge->chat, at) = json_incref(msg->message);
		return;
	}
	g_ptr_array_add(edge->chat, json_incref(msg->message));
	if(edge->chat->len > RTK_CHAT_KEPT)
		g_ptr_array_remove_index(edge->chat, 0);
}

/* The edge's copy of the owner's polls follows a poll line (a whole
 * poll, or votes following on from those it holds; anything else is
 * ignored, as the room would); edge->mutex held. */
static void edge_poll_keep(cascade_edge *edge, const rtk_cascade_msg *msg) {
	const char *id = json_string_value(json_object_get(msg->poll, "id"));
	json_int_t from = json_integer_value(json_object_get(msg->poll, "from"));
	const json_t *votes = json_object_get(msg->poll, "votes");
	for(guint i = 0; i < edge->polls->len; i++) {
		json_t *kept = g_ptr_array_index(edge->polls, i);
		if(g_strcmp0(json_string_value(json_object_get(kept, "id")), id) != 0)
			continue;
		json_t *all = json_object_get(kept, "votes");
		if(from == 0) {
			json_decref(kept);
			g_ptr_array_index(edge->polls, i) = json_deep_copy(msg->poll);
		} else if(json_is_array(all) && json_is_array(votes) && from == (json_int_t)json_array_size(all) &&
				json_array_size(all) + json_array_size(votes) <= CASCADE_POLL_VOTES_MAX) {
			json_array_extend(all, (json_t *)votes);
		}
		return;
	}
	if(from == 0 && edge->polls->len < RTK_POLLS_MAX)
		g_ptr_array_add(edge->polls, json_deep_copy(msg->poll));
}

static const rtk_chat_mirror_event edge_mirror_events[] = {
	[RTK_CASCADE_CHAT_HISTORY_ONE] = RTK_CHAT_MIRROR_HISTORY,
	[RTK_CASCADE_CHAT_ADD] = RTK_CHAT_MIRROR_ADD,
	[RTK_CASCADE_CHAT_EDIT] = RTK_CHAT_MIRROR_EDIT,
	[RTK_CASCADE_CHAT_DELETE] = RTK_CHAT_MIRROR_DELETE,
	[RTK_CASCADE_CHAT_PIN] = RTK_CHAT_MIRROR_PIN,
	[RTK_CASCADE_CHAT_UNPIN] = RTK_CHAT_MIRROR_UNPIN,
};

/* Shows chat lines in the live meeting, with the owner's events, those
 * its room does not hold yet. Meeting lock held. */
static void edge_chat_show(cascade_edge *edge, rtk_live *live, GQueue *items) {
	if(!edge->chat_attached)
		return;   /* the next attachment takes the whole chat */
	for(GList *l = items->head; l != NULL; l = l->next) {
		edge_chat *item = l->data;
		if(item->seq <= edge->chat_shown_seq)
			continue;
		if(item->msg.type == RTK_CASCADE_POLL)
			rtk_room_poll_mirror(live->room, item->msg.poll, TRUE);
		else if(item->msg.type == RTK_CASCADE_BROADCAST)
			rtk_room_broadcast_mirror(live->room, item->msg.message_type, item->msg.payload, item->msg.timestamp,
				item->msg.sender_id, item->msg.preset_name);
		else
			rtk_chat_mirror(live->room, edge_mirror_events[item->msg.chat_event], item->msg.message,
				item->msg.message_id);
		edge->chat_shown_seq = item->seq;
	}
}

/* Hands the results received to the requests waiting for them (others
 * waited no longer: dropped). */
static void edge_results_publish(cascade_edge *edge, GQueue *results) {
	g_mutex_lock(&edge->mutex);
	rtk_cascade_msg *msg;
	while((msg = g_queue_pop_head(results)) != NULL) {
		gboolean waited = FALSE;
		for(guint i = 0; i < edge->waiting->len && !waited; i++)
			waited = g_array_index(edge->waiting, gint64, i) == msg->request_id;
		if(waited)
			g_ptr_array_add(edge->results, msg);
		else
			edge_result_free(msg);
	}
	g_cond_broadcast(&edge->changed);
	g_mutex_unlock(&edge->mutex);
}

static gboolean edge_line(const char *line, size_t len, void *user) {
	cascade_edge *edge = user;
	rtk_cascade_msg msg;
	const char *why = NULL;
	if(!rtk_cascade_msg_parse(line, len, &msg, &why)) {
		JANUS_LOG(LOG_WARN, "[rtk] cascade: the owner of meeting %s sent a bad message (%s)\n",
			edge->meeting_id, why);
		return FALSE;
	}
	gboolean go_on = TRUE;
	g_mutex_lock(&edge->mutex);
	if(msg.type == RTK_CASCADE_STATE) {
		rtk_cascade_msg_clear(&edge->state);
		edge->state = msg;   /* taken */
		memset(&msg, 0, sizeof(msg));
		edge->state_seq++;
	} else if(msg.type == RTK_CASCADE_ENDED) {
		edge->lost = "origin_ended";
		go_on = FALSE;
	} else if(msg.type == RTK_CASCADE_CHAT || msg.type == RTK_CASCADE_POLL || msg.type == RTK_CASCADE_BROADCAST) {
		if(msg.type == RTK_CASCADE_CHAT)
			edge_chat_keep(edge, &msg);
		else if(msg.type == RTK_CASCADE_POLL)
			edge_poll_keep(edge, &msg);
		edge_chat *item = g_new0(edge_chat, 1);
		item->seq = ++edge->chat_seq;
		item->msg = msg;   /* taken */
		memset(&msg, 0, sizeof(msg));
		g_queue_push_tail(&edge->chat_pending, item);
	} else if(msg.type == RTK_CASCADE_RESULT) {
		g_queue_push_tail(&edge->results_pending, g_memdup2(&msg, sizeof(msg)));   /* taken */
		memset(&msg, 0, sizeof(msg));
	} else {
		go_on = FALSE;
	}
	g_cond_broadcast(&edge->changed);
	g_mutex_unlock(&edge->mutex);
	rtk_cascade_msg_clear(&msg);
	return go_on;
}

/* Whether `from` is the owner's host (any port: its sinks' are ephemeral). */
static gboolean edge_from_owner(const cascade_edge *edge, const struct sockaddr_storage *from) {
	if(from->ss_family != edge->owner.ss_family)
		return FALSE;
	if(from->ss_family == AF_INET)
		return ((const struct sockaddr_in *)from)->sin_addr.s_addr ==
			((const struct sockaddr_in *)&edge->owner)->sin_addr.s_addr;
	if(from->ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)from)->sin6_addr,
			&((const struct sockaddr_in6 *)&edge->owner)->sin6_addr, sizeof(struct in6_addr)) == 0;
	return FALSE;
}

/* Relays the RTP waiting on the edge's UDP socket into its streams. */
static void edge_relay_udp(cascade_edge *edge) {
	char buf[1600];
	for(int i = 0; i < CASCADE_UDP_BATCH; i++) {
		struct sockaddr_storage from;
		socklen_t from_len = sizeof(from);
		ssize_t n = recvfrom(edge->udp_fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &from_len);
		if(n < 0)
			return;
		if(n < 12 || ((guint8)buf[0] >> 6) != 2 || !edge_from_owner(edge, &from))
			continue;
		guint8 pt = (guint8)buf[1];
		if(pt >= 200 && pt <= 204)
			continue;   /* RTCP (the owner's sender reports): not relayed */
		uint32_t ssrc;
		memcpy(&ssrc, buf + 8, 4);
		ssrc = ntohl(ssrc);
		g_mutex_lock(&edge->mutex);
		rtk_pub_stream *ps = g_hash_table_lookup(edge->streams, GUINT_TO_POINTER(ssrc));
		if(ps != NULL) {
			janus_plugin_rtp packet;
			memset(&packet, 0, sizeof(packet));
			janus_plugin_rtp_extensions_reset(&packet.extensions);
			packet.mindex = ps->mindex;
			packet.video = ps->video;
			packet.buffer = buf;
			packet.length = (uint16_t)n;
			rtk_relay_rtp(rtk_janus, ps, &packet);
		}
		g_mutex_unlock(&edge->mutex);
	}
}

/* Applies a state the edge thread has not applied yet, shows the chat
 * lines received, then answers the requests whose results came (after
 * the chat lines they caused, as on the owner). */
static void edge_apply_pending(cascade_edge *edge) {
	g_mutex_lock(&edge->mutex);
	guint64 seq = edge->state_seq;
	GQueue chats = edge->chat_pending, results = edge->results_pending;
	g_queue_init(&edge->chat_pending);
	g_queue_init(&edge->results_pending);
	g_mutex_unlock(&edge->mutex);
	if(seq != edge->applied_seq || chats.length > 0) {
		gboolean new_state = seq != edge->applied_seq;
		edge->applied_seq = seq;
		rtk_meeting_lock *held = NULL;
		rtk_live *live = rtk_live_lock(edge->meeting_id, &held);
		if(live != NULL && live->edge) {
			if(new_state)
				edge_apply(edge, live);
			edge_chat_show(edge, live, &chats);
		}
		if(held != NULL)
			rtk_meeting_lock_done(held);
		g_queue_clear_full(&chats, (GDestroyNotify)edge_chat_free);
	}
	if(results.length > 0)
		edge_results_publish(edge, &results);
}

/* Whether the edge serves a live meeting now (one with local viewers). */
/* Whether the edge serves a live meeting now (one with local viewers);
 * *viewers: how many are joined there (the owner's peers not counted). */
static gboolean edge_in_use(cascade_edge *edge, int *viewers) {
	*viewers = 0;
	rtk_meeting_lock *held = NULL;
	rtk_live *live = rtk_live_lock(edge->meeting_id, &held);
	gboolean used = live != NULL && live->edge;
	for(guint i = 0; used && i < live->room->peers->len; i++)
		if(((rtk_peer *)g_ptr_array_index(live->room->peers, i))->transport != NULL)
			(*viewers)++;
	if(held != NULL)
		rtk_meeting_lock_done(held);
	return used;
}

/* Tells the owner how many viewers the edge holds, when that changed
 * (rtk_cascade_audience); from the edge thread. */
static void edge_tell_audience(cascade_edge *edge, int viewers) {
	if(viewers == edge->audience_told)
		return;
	char *line = rtk_cascade_audience_line(viewers);
	g_mutex_lock(&edge->send_mutex);
	gboolean sent = cascade_send_all(edge->tcp_fd, line);
	g_mutex_unlock(&edge->send_mutex);
	g_free(line);
	if(sent)
		edge->audience_told = viewers;
}

static void edge_free(cascade_edge *edge) {
	close(edge->tcp_fd);
	close(edge->udp_fd);
	rtk_cascade_msg_clear(&edge->state);
	g_ptr_array_free(edge->chat, TRUE);
	g_ptr_array_free(edge->polls, TRUE);
	g_queue_clear_full(&edge->chat_pending, (GDestroyNotify)edge_chat_free);
	g_queue_clear_full(&edge->results_pending, (GDestroyNotify)edge_result_free);
	g_ptr_array_free(edge->results, TRUE);
	g_array_free(edge->waiting, TRUE);
	g_mutex_clear(&edge->send_mutex);
	g_ptr_array_free(edge->peers, TRUE);
	g_hash_table_destroy(edge->streams);
	g_mutex_clear(&edge->mutex);
	g_cond_clear(&edge->changed);
	g_free(edge->meeting_id);
	g_free(edge);
}

static cascade_edge *edge_ref(cascade_edge *edge) {
	g_atomic_int_inc(&edge->refs);
	return edge;
}

static void edge_unref(cascade_edge *edge) {
	if(edge != NULL && g_atomic_int_dec_and_test(&edge->refs))
		edge_free(edge);
}

/* Out of `edges`: no join finds it any more. Returns whether
 * rtk_cascade_destroy() stops it (and joins its thread). */
static gboolean edge_forget(cascade_edge *edge) {
	g_mutex_lock(&cascade_mutex);
	if(edges != NULL && g_hash_table_lookup(edges, edge->meeting_id) == edge)
		g_hash_table_remove(edges, edge->meeting_id);
	g_mutex_lock(&edge->mutex);
	gboolean stopped = edge->stopping;
	edge->gone = TRUE;
	g_cond_broadcast(&edge->changed);
	g_mutex_unlock(&edge->mutex);
	g_mutex_unlock(&cascade_mutex);
	return stopped;
}

static gpointer edge_run(gpointer data) {
	cascade_edge *edge = data;
	rtk_cascade_lines lines;
	rtk_cascade_lines_init(&lines);
	gint64 idle_since = g_get_monotonic_time(), heard_at = idle_since;
	gint64 next_check = 0;
	for(;;) {
		g_mutex_lock(&edge->mutex);
		gboolean stopping = edge->stopping;
		g_mutex_unlock(&edge->mutex);
		if(stopping)
			break;
		struct pollfd fds[2] = { { edge->tcp_fd, POLLIN, 0 }, { edge->udp_fd, POLLIN, 0 } };
		poll(fds, 2, 100);
		if(fds[1].revents)
			edge_relay_udp(edge);
		if(fds[0].revents) {
			char buf[16384];
			ssize_t n = recv(edge->tcp_fd, buf, sizeof(buf), MSG_DONTWAIT);
			if(n > 0)
				heard_at = g_get_monotonic_time();
			if(!(n < 0 && (errno == EAGAIN || errno == EINTR)) &&
					(n <= 0 || !rtk_cascade_lines_feed(&lines, buf, (size_t)n, edge_line, edge))) {
				g_mutex_lock(&edge->mutex);
				if(edge->lost == NULL)
					edge->lost = "origin_lost";
				g_mutex_unlock(&edge->mutex);
				break;
			}
		}
		edge_apply_pending(edge);
		gint64 now = g_get_monotonic_time();
		if(now - heard_at > CASCADE_SILENCE_US) {
			JANUS_LOG(LOG_WARN, "[rtk] cascade: the owner of meeting %s is silent\n", edge->meeting_id);
			g_mutex_lock(&edge->mutex);
			edge->lost = "origin_lost";
			g_mutex_unlock(&edge->mutex);
			break;
		}
		if(now >= next_check) {
			next_check = now + G_USEC_PER_SEC;
			int viewers = 0;
			if(edge_in_use(edge, &viewers))
				idle_since = now;
			else if(now - idle_since > CASCADE_EDGE_IDLE_US)
				break;
			edge_tell_audience(edge, viewers);
		}
	}
	rtk_cascade_lines_clear(&lines);
	gboolean stopped = edge_forget(edge);
	if(edge->lost == NULL)
		edge->lost = "origin_lost";
	edge_end_meeting(edge, stopped);
	if(!stopped)
		g_thread_unref(edge->thread);   /* nobody joins it: it goes when it returns */
	edge_unref(edge);
	return NULL;
}

/* The owner's host and cascade port, connected, or -1. */
static int edge_connect(const char *host) {
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *found = NULL;
	char service[8];
	g_snprintf(service, sizeof(service), "%d", rtk_cascade_port);
	if(getaddrinfo(host, service, &hints, &found) != 0)
		return -1;
	int fd = -1;
	for(struct addrinfo *a = found; a != NULL && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if(fd < 0)
			continue;
		int rc = connect(fd, a->ai_addr, a->ai_addrlen);
		if(rc != 0 && errno == EINPROGRESS) {
			struct pollfd p = { fd, POLLOUT, 0 };
			int err = 0;
			socklen_t len = sizeof(err);
			rc = (poll(&p, 1, CASCADE_CONNECT_TIMEOUT_MS) == 1 &&
				getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) ? 0 : -1;
		}
		if(rc != 0) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(found);
	if(fd >= 0) {
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
		cascade_socket_timeouts(fd);
	}
	return fd;
}

/* A UDP socket on any address, an ephemeral port (*port), or -1. */
static int edge_udp_socket(int family, int *port) {
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if(fd < 0)
		return -1;
	int rcvbuf = 4 * 1024 * 1024;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	struct sockaddr_storage addr;
	memset(&addr, 0, sizeof(addr));
	addr.ss_family = family;
	socklen_t len = family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	if(bind(fd, (struct sockaddr *)&addr, len) != 0 || getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(family == AF_INET6 ? ((struct sockaddr_in6 *)&addr)->sin6_port
		: ((struct sockaddr_in *)&addr)->sin_port);
	return fd;
}

/* A new edge, connected and greeted, not yet in `edges`; NULL on failure. */
static cascade_edge *edge_new(const char *meeting_id, const char *owner_host) {
	int tcp = edge_connect(owner_host);
	if(tcp < 0) {
		JANUS_LOG(LOG_WARN, "[rtk] cascade: cannot reach the owner of meeting %s at %s:%d\n", meeting_id,
			owner_host, rtk_cascade_port);
		return NULL;
	}
	struct sockaddr_storage local;
	socklen_t len = sizeof(local);
	int port = 0, udp = -1;
	if(getsockname(tcp, (struct sockaddr *)&local, &len) == 0)
		udp = edge_udp_socket(local.ss_family, &port);
	char *hello = rtk_cascade_hello_line(rtk_gateway_api_key(rtk_gw), meeting_id, port);
	gboolean greeted = udp >= 0 && cascade_send_all(tcp, hello);
	g_free(hello);
	if(!greeted) {
		close(tcp);
		if(udp >= 0)
			close(udp);
		return NULL;
	}
	cascade_edge *edge = g_new0(cascade_edge, 1);
	socklen_t owner_len = sizeof(edge->owner);
	if(getpeername(tcp, (struct sockaddr *)&edge->owner, &owner_len) != 0) {
		close(tcp);
		close(udp);
		g_free(edge);
		return NULL;
	}
	edge->refs = 1;
	edge->meeting_id = g_strdup(meeting_id);
	edge->tcp_fd = tcp;
	edge->udp_fd = udp;
	g_mutex_init(&edge->mutex);
	g_cond_init(&edge->changed);
	edge->peers = g_ptr_array_new_with_free_func((GDestroyNotify)rtk_cascade_peer_free);
	edge->streams = g_hash_table_new(NULL, NULL);
	edge->chat = g_ptr_array_new_with_free_func((GDestroyNotify)json_decref);
	edge->polls = g_ptr_array_new_with_free_func((GDestroyNotify)json_decref);
	g_queue_init(&edge->chat_pending);
	g_queue_init(&edge->results_pending);
	edge->results = g_ptr_array_new_with_free_func((GDestroyNotify)edge_result_free);
	edge->waiting = g_array_new(FALSE, FALSE, sizeof(gint64));
	g_mutex_init(&edge->send_mutex);
	edge->next_mindex = 0;
	return edge;
}

/* Waits until the edge has a state, ended, or the time is up. */
static gboolean edge_wait_first_state(cascade_edge *edge) {
	gint64 until = g_get_monotonic_time() + CASCADE_FIRST_STATE_US;
	g_mutex_lock(&edge->mutex);
	while(edge->state.type != RTK_CASCADE_STATE && !edge->gone && edge->lost == NULL)
		if(!g_cond_wait_until(&edge->changed, &edge->mutex, until))
			break;
	gboolean ready = edge->state.type == RTK_CASCADE_STATE && !edge->gone && edge->lost == NULL;
	g_mutex_unlock(&edge->mutex);
	return ready;
}

gboolean rtk_cascade_edge_open(const char *meeting_id, const char *owner_host) {
	if(rtk_cascade_port == 0 || meeting_id == NULL || owner_host == NULL || *owner_host == '\0')
		return FALSE;
	g_mutex_lock(&cascade_mutex);
	cascade_edge *edge = edges ? g_hash_table_lookup(edges, meeting_id) : NULL;
	if(edge != NULL)
		edge_ref(edge);
	g_mutex_unlock(&cascade_mutex);
	if(edge == NULL) {
		cascade_edge *fresh = edge_new(meeting_id, owner_host);
		if(fresh == NULL)
			return FALSE;
		g_mutex_lock(&cascade_mutex);
		edge = edges ? g_hash_table_lookup(edges, meeting_id) : NULL;
		if(edge != NULL) {   /* another join opened it meanwhile */
			edge_ref(edge);
		} else if(edges != NULL) {
			edge = edge_ref(fresh);   /* the thread's and ours */
			g_hash_table_insert(edges, edge->meeting_id, edge);
			edge->thread = g_thread_new("rtk cascade edge", edge_run, edge);
			fresh = NULL;
			JANUS_LOG(LOG_INFO, "[rtk] cascade: edge of meeting %s opened (owner %s)\n", meeting_id, owner_host);
		}
		g_mutex_unlock(&cascade_mutex);
		if(fresh != NULL)
			edge_free(fresh);
		if(edge == NULL)
			return FALSE;
	}
	gboolean ready = edge_wait_first_state(edge);
	edge_unref(edge);
	return ready;
}

/* The fields of the requests an edge forwards: nothing else of a
 * viewer's body goes to the owner. */
static const char *const forward_fields[] = {
	"request", "message", "messageId", "question", "options", "anonymous", "hideVotes", "pollId", "index",
	"type", "payload", "presetName", NULL
};

gboolean rtk_cascade_forward_if_edge(rtk_session *session, struct rtk_message *msg) {
	if(session->live == NULL || !session->live->edge || session->peer == NULL)
		return FALSE;
	msg->forward.meeting_id = g_strdup(session->live->room->meeting_id);
	msg->forward.sender = rtk_cascade_sender_json(session->peer);
	msg->forward.body = json_object();
	for(int i = 0; forward_fields[i] != NULL; i++) {
		json_t *value = json_object_get(msg->body, forward_fields[i]);
		if(value != NULL)
			json_object_set(msg->forward.body, forward_fields[i], value);
	}
	return TRUE;
}

/* The result of request `id` (taken), or NULL; edge->mutex held. */
static rtk_cascade_msg *edge_take_result(cascade_edge *edge, gint64 id) {
	for(guint i = 0; i < edge->results->len; i++) {
		rtk_cascade_msg *msg = g_ptr_array_index(edge->results, i);
		if(msg->request_id == id)
			return g_ptr_array_steal_index(edge->results, i);
	}
	return NULL;
}

/* Request `id` waits no more; edge->mutex held. */
static void edge_unwait(cascade_edge *edge, gint64 id) {
	for(guint i = 0; i < edge->waiting->len; i++)
		if(g_array_index(edge->waiting, gint64, i) == id) {
			g_array_remove_index_fast(edge->waiting, i);
			break;
		}
	rtk_cascade_msg *late = edge_take_result(edge, id);
	if(late != NULL)
		edge_result_free(late);
}

json_t *rtk_cascade_edge_request(const char *meeting_id, const json_t *sender, const json_t *body, char **code,
		char **message) {
	*code = *message = NULL;
	g_mutex_lock(&cascade_mutex);
	cascade_edge *edge = edges && meeting_id ? g_hash_table_lookup(edges, meeting_id) : NULL;
	if(edge != NULL)
		edge_ref(edge);
	g_mutex_unlock(&cascade_mutex);
	if(edge == NULL) {
		*code = g_strdup(RTK_ERR_INTERNAL);
		*message = g_strdup("the node holding the meeting is out of reach: try again");
		return NULL;
	}
	g_mutex_lock(&edge->mutex);
	gint64 id = ++edge->next_request;
	g_array_append_val(edge->waiting, id);
	g_mutex_unlock(&edge->mutex);
	char *line = rtk_cascade_forward_line(id, sender, body);
	if(strlen(line) >= RTK_CASCADE_LINE_MAX) {   /* the owner would drop the connection */
		g_free(line);
		g_mutex_lock(&edge->mutex);
		edge_unwait(edge, id);
		g_mutex_unlock(&edge->mutex);
		edge_unref(edge);
		*code = g_strdup(RTK_ERR_BAD_REQUEST);
		*message = g_strdup("the request is too large");
		return NULL;
	}
	g_mutex_lock(&edge->send_mutex);
	gboolean sent = cascade_send_all(edge->tcp_fd, line);
	g_mutex_unlock(&edge->send_mutex);
	g_free(line);
	gint64 until = g_get_monotonic_time() + RTK_CASCADE_REQUEST_MS * G_TIME_SPAN_MILLISECOND;
	rtk_cascade_msg *result = NULL;
	g_mutex_lock(&edge->mutex);
	while(sent && (result = edge_take_result(edge, id)) == NULL && !edge->gone && edge->lost == NULL)
		if(!g_cond_wait_until(&edge->changed, &edge->mutex, until)) {
			result = edge_take_result(edge, id);
			break;
		}
	edge_unwait(edge, id);
	g_mutex_unlock(&edge->mutex);
	edge_unref(edge);
	json_t *data = NULL;
	if(result == NULL) {
		*code = g_strdup(RTK_ERR_INTERNAL);
		*message = g_strdup("the node holding the meeting did not answer: try again");
	} else if(result->data != NULL) {
		data = json_incref(result->data);
	} else {
		*code = g_strdup(result->error_code);
		*message = g_strdup(result->error_message ? result->error_message : "refused by the meeting's node");
	}
	if(result != NULL)
		edge_result_free(result);
	return data;
}

void cascade_edges_init(void) {
	g_mutex_lock(&cascade_mutex);
	edges = g_hash_table_new(g_str_hash, g_str_equal);
	g_mutex_unlock(&cascade_mutex);
}

void cascade_edges_stop(void) {
	g_mutex_lock(&cascade_mutex);
	GList *open = edges ? g_hash_table_get_values(edges) : NULL;
	GPtrArray *threads = g_ptr_array_new();
	for(GList *l = open; l != NULL; l = l->next) {
		cascade_edge *edge = l->data;
		g_mutex_lock(&edge->mutex);
		edge->stopping = TRUE;
		g_mutex_unlock(&edge->mutex);
		g_ptr_array_add(threads, edge_ref(edge));
	}
	g_list_free(open);
	g_mutex_unlock(&cascade_mutex);
	for(guint i = 0; i < threads->len; i++) {
		cascade_edge *edge = g_ptr_array_index(threads, i);
		g_thread_join(edge->thread);
		edge_unref(edge);
	}
	g_ptr_array_free(threads, TRUE);
	/* Edges that ended by themselves freed themselves. */
	g_mutex_lock(&cascade_mutex);
	g_hash_table_destroy(edges);
	edges = NULL;
	g_mutex_unlock(&cascade_mutex);
}
