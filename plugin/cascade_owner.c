/*
 * cascade_owner.c - the owner's side of a cascade (cascade.h): one server
 * thread accepts the edges' connections on the cascade port, feeds each
 * edge the meeting's state, chat, polls and broadcasts as lines and its
 * streams as plain RTP, and decides what the edges' viewers ask.
 *
 * Ownership: `server` owns its links; a link owns its socket, its sink
 * (one rtk_proc reference), its table of forwarded streams (the streams
 * are borrowed, guarded by the meeting's lock, and dropped from the table
 * when the router closes them), its queue of lines (out_mutex) and what
 * it told of the polls. `outboxes` borrows the links that follow a
 * session, for the threads that queue lines under a meeting lock.
 *
 * Locking: meeting lock -> out_mutex (the queues of lines: filled under
 * meeting locks, sent by the server thread with no lock held).
 */
#define _GNU_SOURCE   /* accept4, pipe2 */
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

typedef struct cascade_link {
	int fd;
	rtk_cascade_lines lines;
	char *meeting_id;          /* after hello */
	rtk_proc *sink;            /* a reference: the edge's UDP port */
	char *session_id;          /* the owner session followed, from the first sync */
	rtk_router *router;        /* borrowed: listened on while that session lives */
	GHashTable *forwards;      /* rtk_pub_stream* (borrowed) -> ssrc; the meeting's lock */
	uint32_t next_ssrc;
	char *last_sent;
	gint64 last_sent_at;       /* monotonic */
	gint64 accepted_at;        /* monotonic */
	gboolean closing;
	const char *end_reason;    /* static; sent as "ended" before closing, or NULL */
	GQueue out;                /* char* (owned): lines queued by other threads; out_mutex */
	gsize out_bytes;           /* their size; out_mutex */
	gboolean out_over;         /* more than RTK_CASCADE_QUEUE_MAX were queued: drop the edge; out_mutex */
	gboolean registered;       /* in `outboxes` (server thread) */
	GHashTable *polls_told;    /* poll id (owned) -> its votes + 1 when the edge was told; the meeting's lock */
	int audience;              /* the viewers the edge said it holds (counted in `audiences`) */
} cascade_link;

/* The viewers of each meeting on its edges, the sum of its links'
 * `audience` (rtk_cascade_audience): written by the server thread, read
 * by REST's. audience_mutex is a leaf. */
static GMutex audience_mutex;
static GHashTable *audiences;   /* meeting id (owned) -> GINT_TO_POINTER(viewers > 0) */

/* Sets the link's audience to `count`; server thread. */
static void link_set_audience(cascade_link *link, int count) {
	if(link->meeting_id == NULL || count == link->audience)
		return;
	g_mutex_lock(&audience_mutex);
	if(audiences == NULL)
		audiences = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	int total = GPOINTER_TO_INT(g_hash_table_lookup(audiences, link->meeting_id)) - link->audience + count;
	if(total > 0)
		g_hash_table_replace(audiences, g_strdup(link->meeting_id), GINT_TO_POINTER(total));
	else
		g_hash_table_remove(audiences, link->meeting_id);
	g_mutex_unlock(&audience_mutex);
	link->audience = count;
}

int rtk_cascade_audience(const char *meeting_id) {
	g_mutex_lock(&audience_mutex);
	int viewers = audiences && meeting_id ? GPOINTER_TO_INT(g_hash_table_lookup(audiences, meeting_id)) : 0;
	g_mutex_unlock(&audience_mutex);
	return viewers;
}

static struct {
	int listen_fd;
	int wake[2];               /* a pipe: rtk_cascade_destroy() wakes the thread */
	int kick[2];               /* a pipe (non-blocking): lines were queued for a link */
	GThread *thread;
	GPtrArray *links;          /* cascade_link*, the server thread's only */
} server = { -1, { -1, -1 }, { -1, -1 }, NULL, NULL };

/* The links that follow a meeting's session, by meeting id, so that a
 * chat change under its lock can queue lines for them. */
static GMutex out_mutex;
static GHashTable *outboxes;       /* meeting id (owned) -> GPtrArray of cascade_link* (borrowed); out_mutex */

/* Queues `line` (taken) for the link; out_mutex held. Beyond
 * RTK_CASCADE_QUEUE_MAX the link is marked to be dropped (a slow edge). */
static void link_enqueue_locked(cascade_link *link, char *line) {
	size_t len = strlen(line);
	if(link->out_over || link->out_bytes + len > RTK_CASCADE_QUEUE_MAX) {
		link->out_over = TRUE;
		g_free(line);
		return;
	}
	g_queue_push_tail(&link->out, line);
	link->out_bytes += len;
}

static void server_kick(void) {
	if(server.kick[1] >= 0 && write(server.kick[1], "k", 1) < 0 && errno != EAGAIN)
		JANUS_LOG(LOG_VERB, "[rtk] cascade: cannot kick the server thread\n");
}

/* The link follows `live`'s session from now on: it is sent the newest
 * public chat messages (before its first state), then every change.
 * Meeting lock held. */
static void link_register(cascade_link *link, rtk_live *live) {
	json_t *docs = rtk_chat_public_docs(live->room, RTK_CASCADE_CHAT_HISTORY);
	g_mutex_lock(&out_mutex);
	size_t i;
	json_t *doc;
	json_array_foreach(docs, i, doc)
		link_enqueue_locked(link, rtk_cascade_chat_line(RTK_CASCADE_CHAT_HISTORY_ONE, doc, NULL));
	GPtrArray *links = g_hash_table_lookup(outboxes, link->meeting_id);
	if(links == NULL) {
		links = g_ptr_array_new();
		g_hash_table_insert(outboxes, g_strdup(link->meeting_id), links);
	}
	g_ptr_array_add(links, link);
	link->registered = TRUE;
	g_mutex_unlock(&out_mutex);
	json_decref(docs);
}

static void link_unregister(cascade_link *link) {
	g_mutex_lock(&out_mutex);
	GPtrArray *links = link->registered ? g_hash_table_lookup(outboxes, link->meeting_id) : NULL;
	if(links != NULL) {
		g_ptr_array_remove_fast(links, link);
		if(links->len == 0)
			g_hash_table_remove(outboxes, link->meeting_id);
	}
	link->registered = FALSE;
	g_queue_clear_full(&link->out, g_free);
	link->out_bytes = 0;
	g_mutex_unlock(&out_mutex);
}

/* Queues the polls that are new, or have votes, since the edge was told
 * (a poll changes only by its votes): the votes it was not told, in
 * lines of at most CASCADE_POLL_VOTES_PER_LINE. Meeting lock held. */
static void link_polls_sync(cascade_link *link, rtk_live *live) {
	for(guint i = 0; i < live->room->polls->len; i++) {
		const rtk_poll *poll = g_ptr_array_index(live->room->polls, i);
		guint now = rtk_room_poll_vote_count(poll);
		gpointer told_before = NULL;
		gboolean known = g_hash_table_lookup_extended(link->polls_told, rtk_room_poll_id(poll), NULL, &told_before);
		guint told = GPOINTER_TO_UINT(told_before);
		if(known && told == now)
			continue;
		g_mutex_lock(&out_mutex);
		do {
			json_t *state = rtk_room_poll_state(poll, told, CASCADE_POLL_VOTES_PER_LINE);
			link_enqueue_locked(link, rtk_cascade_poll_line(state));
			json_decref(state);
			told = MIN(now, told + CASCADE_POLL_VOTES_PER_LINE);
		} while(told < now);
		g_mutex_unlock(&out_mutex);
		g_hash_table_insert(link->polls_told, g_strdup(rtk_room_poll_id(poll)), GUINT_TO_POINTER(now));
	}
}

/* Whether an edge follows the live session of `live` (one of this node's,
 * not an edge itself): a line for its edges would be sent. */
static gboolean owner_followed(rtk_live *live) {
	if(live == NULL || live->edge)
		return FALSE;
	gboolean followed = FALSE;
	g_mutex_lock(&out_mutex);
	GPtrArray *links = outboxes ? g_hash_table_lookup(outboxes, live->room->meeting_id) : NULL;
	for(guint i = 0; links != NULL && i < links->len && !followed; i++)
		followed = g_strcmp0(((cascade_link *)g_ptr_array_index(links, i))->session_id,
			live->room->session_id) == 0;
	g_mutex_unlock(&out_mutex);
	return followed;
}

/* Queues `line` (taken) for every edge following the live session of
 * `live`, and wakes the server thread to send it. */
static void owner_queue_to_edges(rtk_live *live, char *line) {
	gboolean queued = FALSE;
	g_mutex_lock(&out_mutex);
	GPtrArray *links = outboxes ? g_hash_table_lookup(outboxes, live->room->meeting_id) : NULL;
	for(guint i = 0; links != NULL && i < links->len; i++) {
		cascade_link *link = g_ptr_array_index(links, i);
		if(g_strcmp0(link->session_id, live->room->session_id) != 0)
			continue;
		link_enqueue_locked(link, g_strdup(line));
		queued = TRUE;
	}
	g_mutex_unlock(&out_mutex);
	g_free(line);
	if(queued)
		server_kick();
}

void rtk_cascade_owner_broadcast(rtk_live *live, const char *type, const json_t *payload, gint64 timestamp,
		const char *sender_id, const char *preset_name) {
	if(owner_followed(live))
		owner_queue_to_edges(live, rtk_cascade_broadcast_line(type, payload, timestamp, sender_id, preset_name));
}

/* Sends what was queued for the link; no lock held (server thread). */
static void link_flush(cascade_link *link) {
	g_mutex_lock(&out_mutex);
	GQueue lines = link->out;
	g_queue_init(&link->out);
	link->out_bytes = 0;
	gboolean over = link->out_over;
	g_mutex_unlock(&out_mutex);
	if(over) {
		JANUS_LOG(LOG_WARN, "[rtk] cascade: an edge of meeting %s reads too slowly: dropped\n", link->meeting_id);
		link->closing = TRUE;
	}
	char *line;
	while((line = g_queue_pop_head(&lines)) != NULL) {
		if(!link->closing && !cascade_send_all(link->fd, line))
			link->closing = TRUE;
		g_free(line);
	}
}

void rtk_cascade_owner_chat(rtk_live *live, rtk_cascade_chat_event event, const json_t *doc, const char *message_id) {
	if(owner_followed(live))
		owner_queue_to_edges(live, rtk_cascade_chat_line(event, doc, message_id));
}

/* Starts forwarding `ps` to the link's edge; meeting lock held. */
static void link_forward(cascade_link *link, rtk_pub_stream *ps) {
	if(g_hash_table_contains(link->forwards, ps))
		return;
	uint32_t ssrc = link->next_ssrc++;
	if(ssrc == 0)
		ssrc = link->next_ssrc++;
	g_hash_table_insert(link->forwards, ps, GUINT_TO_POINTER(ssrc));
	rtk_relay_forward_add(ps, link->sink, ssrc);
	rtk_relay_request_keyframe(rtk_janus, ps);   /* the edge starts on a keyframe */
}

static void link_producer_added(rtk_router *router, rtk_pub_stream *ps, void *user) {
	(void)router;
	link_forward(user, ps);
}

static void link_producer_closed(rtk_router *router, rtk_pub_stream *ps, void *user) {
	(void)router;
	cascade_link *link = user;
	if(g_hash_table_remove(link->forwards, ps))
		rtk_relay_forward_remove(ps, link->sink);
}

static const rtk_router_listener link_listener = {
	.producer_added = link_producer_added,
	.producer_closed = link_producer_closed,
};

static gint link_compare_ssrc(gconstpointer a, gconstpointer b) {
	uint32_t x = (*(rtk_cascade_stream *const *)a)->ssrc, y = (*(rtk_cascade_stream *const *)b)->ssrc;
	return x < y ? -1 : x > y;
}

/* The meeting's active speaker when the edges may show it (a visible
 * participant), else NULL (borrowed, valid while the lock is held). */
static const char *link_active_speaker(rtk_live *live) {
	const char *id = rtk_speakers_current(live->speakers);
	const rtk_peer *speaker = id != NULL ? rtk_room_find_peer(live->room, id) : NULL;
	return speaker != NULL && !speaker->permissions.hidden_participant ? id : NULL;
}

/* The state line of `live` for the link (NEW); meeting lock held. */
static char *link_state_line(cascade_link *link, rtk_live *live) {
	json_t *peers = json_array();
	for(guint i = 0; i < live->room->peers->len; i++) {
		const rtk_peer *peer = g_ptr_array_index(live->room->peers, i);
		if(!peer->permissions.hidden_participant)
			json_array_append_new(peers, rtk_peer_to_json(peer));
	}
	GPtrArray *streams = g_ptr_array_new_with_free_func(g_free);
	GHashTableIter it;
	gpointer key, value;
	g_hash_table_iter_init(&it, link->forwards);
	while(g_hash_table_iter_next(&it, &key, &value)) {
		rtk_pub_stream *ps = key;
		rtk_cascade_stream *s = g_new0(rtk_cascade_stream, 1);
		s->ssrc = GPOINTER_TO_UINT(value);
		s->peer_id = ps->peer_id;   /* borrowed for the line */
		s->kind = ps->type;
		s->enabled = g_atomic_int_get(&ps->enabled) != 0;
		g_ptr_array_add(streams, s);
	}
	g_ptr_array_sort(streams, link_compare_ssrc);
	char *line = rtk_cascade_state_line(live->room->session_id, peers, streams, link_active_speaker(live));
	g_ptr_array_free(streams, TRUE);
	json_decref(peers);
	return line;
}

/* Brings the edge up to date with the meeting; marks the link closing
 * when the session it followed ended. No lock held. */
static void link_sync(cascade_link *link) {
	rtk_meeting_lock *held = NULL;
	rtk_live *live = rtk_live_lock(link->meeting_id, &held);
	if(live == NULL || live->edge ||
			(link->session_id != NULL && strcmp(link->session_id, live->room->session_id) != 0)) {
		if(held != NULL)
			rtk_meeting_lock_done(held);
		link->closing = TRUE;
		link->end_reason = "origin_ended";
		return;
	}
	if(link->session_id == NULL) {
		link->session_id = g_strdup(live->room->session_id);
		link->router = live->router;
		rtk_router_listen(live->router, &link_listener, link);
		link_register(link, live);
	}
	link_polls_sync(link, live);
	for(guint i = 0; i < live->router->producers->len; i++)
		link_forward(link, g_ptr_array_index(live->router->producers, i));
	char *line = link_state_line(link, live);
	rtk_meeting_lock_done(held);
	link_flush(link);   /* the chat lines queued before this state go first */
	if(link->closing) {
		g_free(line);
		return;
	}
	gint64 now = g_get_monotonic_time();
	if(g_strcmp0(line, link->last_sent) != 0 || now - link->last_sent_at >= CASCADE_REPEAT_US) {
		if(!cascade_send_all(link->fd, line)) {
			link->closing = TRUE;
			g_free(line);
			return;
		}
		g_free(link->last_sent);
		link->last_sent = line;
		link->last_sent_at = now;
	} else {
		g_free(line);
	}
}

/* The edge asks for a keyframe of the stream it knows as `ssrc`. */
static void link_keyframe(cascade_link *link, uint32_t ssrc) {
	if(link->session_id == NULL)
		return;
	rtk_meeting_lock *held = NULL;
	rtk_live *live = rtk_live_lock(link->meeting_id, &held);
	if(live != NULL && strcmp(live->room->session_id, link->session_id) == 0) {
		GHashTableIter it;
		gpointer key, value;
		g_hash_table_iter_init(&it, link->forwards);
		while(g_hash_table_iter_next(&it, &key, &value))
			if(GPOINTER_TO_UINT(value) == ssrc)
				rtk_relay_request_keyframe(rtk_janus, key);
	}
	if(held != NULL)
		rtk_meeting_lock_done(held);
}

/* The edge's hello: checks the key and makes the sink. */
static gboolean link_hello(cascade_link *link, const rtk_cascade_msg *msg) {
	if(link->meeting_id != NULL)
		return FALSE;
	if(!cascade_key_matches(msg->key, rtk_gateway_api_key(rtk_gw))) {
		JANUS_LOG(LOG_WARN, "[rtk] cascade: an edge with a wrong key was refused\n");
		link->end_reason = "unauthorized";
		return FALSE;
	}
	struct sockaddr_storage addr;
	socklen_t len = sizeof(addr);
	if(getpeername(link->fd, (struct sockaddr *)&addr, &len) != 0)
		return FALSE;
	if(addr.ss_family == AF_INET)
		((struct sockaddr_in *)&addr)->sin_port = htons((uint16_t)msg->rtp_port);
	else if(addr.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&addr)->sin6_port = htons((uint16_t)msg->rtp_port);
	else
		return FALSE;
	link->sink = rtk_proc_sink_new((struct sockaddr *)&addr, len);
	if(link->sink == NULL)
		return FALSE;
	link->meeting_id = g_strdup(msg->meeting_id);
	char host[INET6_ADDRSTRLEN] = "?";
	getnameinfo((struct sockaddr *)&addr, len, host, sizeof(host), NULL, 0, NI_NUMERICHOST);
	JANUS_LOG(LOG_INFO, "[rtk] cascade: meeting %s relayed to an edge at %s:%d\n", link->meeting_id, host,
		msg->rtp_port);
	return TRUE;
}

/* polls.create or polls.vote of an edge's viewer (`actor`, its stand-in):
 * the reply's data as the viewer sees the poll (NEW), after the poll's
 * line; NULL with `why`. Meeting lock held. */
static json_t *link_forwarded_poll(cascade_link *link, rtk_live *live, rtk_peer *actor, const rtk_request *req,
		rtk_refusal *why) {
	const rtk_poll *poll = req->kind == RTK_REQ_POLL_CREATE ?
		rtk_room_poll_create(live->room, actor, req->question, req->options, req->anonymous, req->hide_votes, why) :
		rtk_room_poll_vote(live->room, actor, req->poll_id, req->index, why);
	if(poll == NULL)
		return NULL;
	link_polls_sync(link, live);
	return rtk_room_polls_visible(actor) ? json_pack("{so}", "poll", rtk_room_poll_json(poll, actor)) : json_object();
}

/* participants.broadcastMessage of an edge's viewer to everyone or to a
 * preset: the owner's participants get it, and every edge (the sender's
 * too, which shows it to its viewers, the sender included). The reply's
 * data, {"recipients": how many got it on the owner}, or NULL with `why`.
 * Meeting lock held. */
static json_t *link_forwarded_broadcast(rtk_live *live, rtk_peer *actor, const rtk_request *req, rtk_refusal *why) {
	if(req->ids != NULL || req->meeting_ids != NULL) {
		rtk_refusal_set(why, RTK_ERR_BAD_REQUEST, "an edge forwards only broadcasts to everyone or to a preset");
		return NULL;
	}
	gint64 now = g_get_real_time() / 1000;
	int sent = rtk_room_broadcast_message(live->room, actor, req->message_type, req->payload, NULL, req->preset_name,
		now, why);
	if(sent < 0)
		return NULL;
	rtk_cascade_owner_broadcast(live, req->message_type, req->payload, now, actor->id, req->preset_name);
	return json_pack("{si}", "recipients", sent);
}

/* An edge forwards a request of one of its viewers: the owner decides it
 * as its own participant's and queues the result after the chat lines it
 * caused. */
static void link_forward_request(cascade_link *link, const rtk_cascade_msg *msg) {
	rtk_refusal why = { 0 };
	json_t *data = NULL;
	rtk_meeting_lock *held = NULL;
	rtk_live *live = rtk_live_lock(link->meeting_id, &held);
	if(live == NULL || live->edge || g_strcmp0(live->room->session_id, link->session_id) != 0) {
		rtk_refusal_set(&why, RTK_ERR_NOT_JOINED, "the meeting's session ended on its node");
	} else {
		rtk_request req;
		rtk_peer *actor = rtk_cascade_sender_peer(msg->sender);
		if(!rtk_request_parse(msg->body, RTK_REQUEST_ON_MAIN, &req) || req.error.code != NULL)
			why = req.error;
		else if(actor == NULL)
			rtk_refusal_set(&why, RTK_ERR_BAD_REQUEST, "the request's sender lacks its ids");
		else if(req.kind == RTK_REQ_POLL_CREATE || req.kind == RTK_REQ_POLL_VOTE)
			data = link_forwarded_poll(link, live, actor, &req, &why);
		else if(req.kind == RTK_REQ_BROADCAST_MESSAGE)
			data = link_forwarded_broadcast(live, actor, &req, &why);
		else
			data = rtk_chat_request_forwarded(live, actor, &req, &why);
		rtk_peer_free(actor);
	}
	char *line = rtk_cascade_result_line(msg->request_id, data, why.code ? why.code : RTK_ERR_INTERNAL, why.message);
	json_decref(data);
	g_mutex_lock(&out_mutex);
	link_enqueue_locked(link, line);
	g_mutex_unlock(&out_mutex);
	if(held != NULL)
		rtk_meeting_lock_done(held);
}

static gboolean link_line(const char *line, size_t len, void *user) {
	cascade_link *link = user;
	rtk_cascade_msg msg;
	const char *why = NULL;
	if(!rtk_cascade_msg_parse(line, len, &msg, &why)) {
		JANUS_LOG(LOG_WARN, "[rtk] cascade: an edge sent a bad message (%s)\n", why);
		return FALSE;
	}
	gboolean ok = TRUE;
	if(msg.type == RTK_CASCADE_HELLO)
		ok = link_hello(link, &msg);
	else if(msg.type == RTK_CASCADE_PLI && link->meeting_id != NULL)
		link_keyframe(link, msg.ssrc);
	else if(msg.type == RTK_CASCADE_FORWARD && link->session_id != NULL)
		link_forward_request(link, &msg);
	else if(msg.type == RTK_CASCADE_AUDIENCE && link->meeting_id != NULL)
		link_set_audience(link, msg.count);
	else
		ok = FALSE;
	rtk_cascade_msg_clear(&msg);
	return ok;
}

static void link_read(cascade_link *link) {
	char buf[4096];
	ssize_t n = recv(link->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if(n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if(n <= 0 || !rtk_cascade_lines_feed(&link->lines, buf, (size_t)n, link_line, link))
		link->closing = TRUE;
}

/* Stops forwarding to the link's edge and frees it. No lock held. */
static void link_free(cascade_link *link) {
	link_set_audience(link, 0);   /* its viewers are no longer this meeting's */
	if(link->end_reason != NULL) {
		char *line = rtk_cascade_ended_line(link->end_reason);
		cascade_send_all(link->fd, line);
		g_free(line);
	}
	if(link->session_id != NULL) {
		rtk_meeting_lock *held = NULL;
		rtk_live *live = rtk_live_lock(link->meeting_id, &held);
		/* the same session: its router still holds the streams forwarded */
		if(live != NULL && live->router == link->router && strcmp(live->room->session_id, link->session_id) == 0) {
			rtk_router_unlisten(live->router, link);
			GHashTableIter it;
			gpointer key;
			g_hash_table_iter_init(&it, link->forwards);
			while(g_hash_table_iter_next(&it, &key, NULL))
				rtk_relay_forward_remove(key, link->sink);
		}
		if(held != NULL)
			rtk_meeting_lock_done(held);
	}
	if(link->meeting_id != NULL)
		JANUS_LOG(LOG_INFO, "[rtk] cascade: meeting %s no longer relayed to an edge\n", link->meeting_id);
	link_unregister(link);
	close(link->fd);
	rtk_cascade_lines_clear(&link->lines);
	if(link->sink != NULL)
		rtk_proc_unref(link->sink);
	g_hash_table_destroy(link->forwards);
	g_hash_table_destroy(link->polls_told);
	g_free(link->meeting_id);
	g_free(link->session_id);
	g_free(link->last_sent);
	g_free(link);
}

static void server_accept(void) {
	int fd = accept4(server.listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if(fd < 0)
		return;
	if(server.links->len >= CASCADE_MAX_LINKS) {
		close(fd);
		return;
	}
	cascade_socket_timeouts(fd);
	cascade_link *link = g_new0(cascade_link, 1);
	link->fd = fd;
	rtk_cascade_lines_init(&link->lines);
	link->forwards = g_hash_table_new(NULL, NULL);
	link->polls_told = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	link->next_ssrc = g_random_int();
	link->accepted_at = g_get_monotonic_time();
	g_ptr_array_add(server.links, link);
}

static gpointer server_run(gpointer data) {
	(void)data;
	gint64 next_sync = 0;
	for(;;) {
		guint n = server.links->len;
		struct pollfd *fds = g_new0(struct pollfd, n + 3);
		fds[0] = (struct pollfd){ server.listen_fd, POLLIN, 0 };
		fds[1] = (struct pollfd){ server.wake[0], POLLIN, 0 };
		fds[2] = (struct pollfd){ server.kick[0], POLLIN, 0 };
		for(guint i = 0; i < n; i++)
			fds[i + 3] = (struct pollfd){ ((cascade_link *)g_ptr_array_index(server.links, i))->fd, POLLIN, 0 };
		poll(fds, n + 3, RTK_CASCADE_SYNC_MS / 2);
		if(fds[1].revents) {
			g_free(fds);
			break;
		}
		if(fds[2].revents) {
			char drain[64];
			while(read(server.kick[0], drain, sizeof(drain)) > 0)
				;
		}
		for(guint i = 0; i < n; i++)
			if(fds[i + 3].revents)
				link_read(g_ptr_array_index(server.links, i));
		for(guint i = 0; i < n; i++) {
			cascade_link *link = g_ptr_array_index(server.links, i);
			if(!link->closing)
				link_flush(link);
		}
		gboolean accept_one = fds[0].revents != 0;
		g_free(fds);
		if(accept_one)
			server_accept();
		gint64 now = g_get_monotonic_time();
		gboolean sync = now >= next_sync;
		if(sync)
			next_sync = now + RTK_CASCADE_SYNC_MS * 1000;
		for(guint i = server.links->len; i > 0; i--) {
			cascade_link *link = g_ptr_array_index(server.links, i - 1);
			if(sync && !link->closing && link->meeting_id != NULL)
				link_sync(link);
			if(link->meeting_id == NULL && now - link->accepted_at > CASCADE_HELLO_US)
				link->closing = TRUE;   /* never said hello: not an edge */
			if(link->closing) {
				g_ptr_array_remove_index_fast(server.links, i - 1);
				link_free(link);
			}
		}
	}
	while(server.links->len > 0) {
		cascade_link *link = g_ptr_array_steal_index_fast(server.links, 0);
		link_free(link);
	}
	return NULL;
}

gboolean cascade_server_start(int port, const char *bind_host) {
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICHOST };
	struct addrinfo *found = NULL;
	char service[8];
	g_snprintf(service, sizeof(service), "%d", port);
	if(getaddrinfo(bind_host && *bind_host ? bind_host : NULL, service, &hints, &found) != 0 || found == NULL) {
		/* not an address literal (a host name): every address */
		hints.ai_flags = AI_PASSIVE;
		if(getaddrinfo(NULL, service, &hints, &found) != 0 || found == NULL)
			return FALSE;
	}
	int fd = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	gboolean ok = fd >= 0 && bind(fd, found->ai_addr, found->ai_addrlen) == 0 && listen(fd, 64) == 0;
	freeaddrinfo(found);
	if(!ok) {
		if(fd >= 0)
			close(fd);
		return FALSE;
	}
	if(pipe2(server.wake, O_CLOEXEC) != 0) {
		close(fd);
		return FALSE;
	}
	if(pipe2(server.kick, O_CLOEXEC | O_NONBLOCK) != 0) {
		close(fd);
		close(server.wake[0]);
		close(server.wake[1]);
		server.wake[0] = server.wake[1] = -1;
		return FALSE;
	}
	g_mutex_lock(&out_mutex);
	outboxes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
	g_mutex_unlock(&out_mutex);
	server.listen_fd = fd;
	server.links = g_ptr_array_new();
	server.thread = g_thread_new("rtk cascade", server_run, NULL);
	return TRUE;
}

void cascade_server_stop(void) {
	if(server.thread == NULL)
		return;
	if(write(server.wake[1], "x", 1) < 0)
		JANUS_LOG(LOG_WARN, "[rtk] cascade: cannot wake the server thread\n");
	g_thread_join(server.thread);
	server.thread = NULL;
	close(server.listen_fd);
	close(server.wake[0]);
	close(server.wake[1]);
	close(server.kick[0]);
	close(server.kick[1]);
	server.listen_fd = server.wake[0] = server.wake[1] = server.kick[0] = server.kick[1] = -1;
	g_mutex_lock(&out_mutex);
	g_hash_table_destroy(outboxes);
	outboxes = NULL;
	g_mutex_unlock(&out_mutex);
	g_ptr_array_free(server.links, TRUE);
	server.links = NULL;
	g_mutex_lock(&audience_mutex);
	g_clear_pointer(&audiences, g_hash_table_destroy);   /* every link is gone: all were 0 */
	g_mutex_unlock(&audience_mutex);
}
