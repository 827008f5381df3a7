/*
 * http.c - the libmicrohttpd front of the REST API.
 *
 * Owns the listening socket and the assembly of each request: the raw URI
 * (captured with MHD_OPTION_URI_LOG_CALLBACK, because the URL MHD hands the
 * access handler is already unescaped and has lost its query), the
 * Authorization header, and the body up to RTK_REST_MAX_BODY. A body
 * announced larger by Content-Length is refused with 413 before it is read;
 * a chunked body that grows past the limit is drained without being kept
 * and answered with 413 at its end. Then rtk_rest_dispatch() decides and
 * this file sends its reply as application/json.
 * Chat file uploads (POST /v2/chat-files, rest_chat_files.c) are the one
 * exception to buffering: a file may be far larger than RTK_REST_MAX_BODY,
 * so their bodies go to disk as they arrive. With the headers,
 * rtk_rest_chat_upload_start() checks the participant's token, the name,
 * the type and the Content-Length against chat_file_max_bytes (a refusal is
 * answered before the body is read) and opens a temporary file in the
 * meeting's directory; each piece of the body is written to it from MHD's
 * buffer (no copy is kept here); a body that passes the limit (chunked) is
 * deleted at once, drained and answered with 413 at its end; a complete one
 * is synced and renamed by a writer thread (below), which answers 201.
 * Requests under /hls/ go to hls_http.c instead (LL-HLS, no auth), which
 * may suspend the connection until the playlist model wakes it; the web
 * client's files (/, /viewer, /sdk/) go to static.c (no auth, not counted
 * as /hls/); /metrics and /healthz to metrics.c.
 * Every other request is REST: with its headers it takes a token from its
 * client address's bucket (ratelimit.h; none left: 429 with Retry-After,
 * before the body is read), and its reply is counted, with the time since
 * its request line, for /metrics (rtk_http_answer()).
 *
 * Threads: a pool of `threads` MHD workers, each polling its own epoll set
 * (MHD_USE_EPOLL_INTERNAL_THREAD + MHD_OPTION_THREAD_POOL_SIZE), chosen
 * over the alternatives on purpose:
 *   - thread per connection would spend a thread (and its stack) on every
 *     slow client and on every parked LL-HLS reload, which is exactly what
 *     a flood of slow clients wants;
 *   - one polling thread would put every request behind the slowest
 *     handler (handlers wait on SQLite and on the plugin's live state);
 *   - select() cannot watch descriptors past FD_SETSIZE (1024), which a
 *     busy Janus process reaches; epoll has no such bound.
 * So a connection costs a socket and MHD's per-connection memory pool, not
 * a thread, and a parked request costs nothing but its socket. The handlers
 * share the store, which serialises its writes (store.h). A write (any
 * method but GET, HEAD and OPTIONS) waits for SQLite's WAL sync, so it does
 * not run on an MHD worker: its connection is suspended and the request
 * goes to `writers`, a pool of RTK_HTTP_WRITERS threads, which resumes the
 * connection with the reply. A worker thus never sleeps in a sync, the
 * reads it serves never queue behind one, and the writes in flight share
 * transactions and syncs (the store's batches), up to RTK_HTTP_WRITERS in
 * one. The end of a chat file upload (its syncs and renames) runs there
 * too; its body's write()s, which only fill the page cache, run on the
 * worker as the pieces arrive. On a node of several (node_forward.h) the
 * reads of live state (rtk_rest_nodes_may_forward()) go to the writers
 * as well, since they may wait for another node's answer; and a request
 * another node forwarded here (rtk-forwarded-by) goes to `forwarded`, a
 * pool of its own (RTK_HTTP_FORWARDED_WRITERS says why). The pool has at least
 * one worker per RTK_HTTP_MAX_PER_WORKER connections of the cap: see there
 * for the libmicrohttpd stall this avoids (it is what kept the server
 * unusable for the 30 s idle timeout after a flood of 512 clients closed).
 *
 * Who may hold a connection (rtk_http_limits, docs/rest.md "Limits"):
 *   - max_connections in all (MHD_OPTION_CONNECTION_LIMIT, shared out
 *     between the workers); past it new connections wait in the kernel's
 *     accept queue;
 *   - max_per_address from one client address
 *     (MHD_OPTION_PER_IP_CONNECTION_LIMIT): more are closed on accept, so
 *     one address cannot fill the server;
 *   - a deadline for each request's headers, counted from the
 *     connection's opening or from the end of its previous request: MHD's
 *     own timeout only counts silence, which a client trickling a byte at
 *     a time never leaves. The connections awaiting headers sit in a queue
 *     ordered by deadline (deadlines are now + one constant, so appending
 *     keeps the order); a reaper thread shuts down the socket of each one
 *     that is late, and MHD then closes it as a client that went away.
 *     shutdown() runs under watch_lock, which MHD's
 *     MHD_CONNECTION_NOTIFY_CLOSED (called before MHD closes the socket)
 *     also takes: the descriptor cannot have been closed and reused under
 *     it. shutdown() does not block;
 *   - a budget of connections for /hls/: a connection counts from a /hls/
 *     request until its next REST request or its end (a parked blocking
 *     reload or a player's keep-alive). A /hls/ request on a connection
 *     that does not count yet, when the budget is spent, is answered 503
 *     and closed, so players never take REST's share;
 *   - MHD's idle timeout (idle_timeout_s) for everything else that stalls.
 * Per-connection memory lives in an rtk_http_conn, created by the URI callback
 * and freed by the completion callback, whatever happened in between; the
 * socket's rtk_http_socket lives from MHD_CONNECTION_NOTIFY_STARTED to
 * MHD_CONNECTION_NOTIFY_CLOSED.
 *
 * TLS (rtk_http_start_tls): MHD_USE_TLS with the PEM text of the
 * certificate and key (tls.h checked them), kept here until the daemon
 * stops; the same workers, limits and deadlines apply, the handshake
 * counting towards the headers' deadline.
 */
#define _GNU_SOURCE   /* vasprintf */
#include "http.h"
#include "util.h"

#include <netdb.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib.h>
#include <microhttpd.h>
#include "rest_internal.h"
#include "hls_http.h"
#include "metrics.h"
#include "node_forward.h"
#include "ratelimit.h"
#include "static.h"
#include <arpa/inet.h>

/* The same complaint from MHD (e.g. a flood refused one connection at a
 * time) is logged once per this many seconds, with a count. */
#define RTK_HTTP_LOG_REPEAT_S 10
/* Connections per worker thread at most. libmicrohttpd (0.9.75, and later
 * releases as of this writing) drains epoll in rounds of 128 events and,
 * when a round comes back full, waits again with the full timeout before
 * handling any of them: a worker that gets exactly 128 events at once (a
 * burst of connections, a flood closing) sleeps until its next connection
 * timeout with requests unread. A worker with at most 120 connections,
 * plus its listening socket and its wake-up pipe, never gets 128 events. */
#define RTK_HTTP_MAX_PER_WORKER 120
/* Late headers: one summary line per this many seconds at most. */
#define RTK_HTTP_REAP_LOG_S 60
/* Threads that run REST writes (see the top of this file): how many writes
 * may wait for a sync at once; more queue in the pool. */
#define RTK_HTTP_WRITERS 32
/* Threads that run the writes other nodes forwarded here (node_forward.h),
 * only on a node. A pool of their own: a writer forwarding to another node
 * waits for that node's answer, so if forwarded requests queued behind
 * writers, two nodes forwarding to each other could each hold all their
 * writers waiting for the other's queue until the forward timeout. A
 * forwarded request is never forwarded again, so this pool never waits
 * on another node. */
#define RTK_HTTP_FORWARDED_WRITERS 16

/* One accepted socket, from MHD_CONNECTION_NOTIFY_STARTED to
 * MHD_CONNECTION_NOTIFY_CLOSED (its socket_context). Fields other than
 * `fd` are guarded by rtk_http.watch_lock. */
typedef struct rtk_http_socket {
	GList link;             /* in rtk_http.awaiting while `awaiting` */
	int fd;                 /* MHD's; shut down (never closed) by the reaper */
	gint64 deadline_us;     /* monotonic: the headers are due */
	bool awaiting;          /* between requests: waiting for headers */
	bool hls;               /* counts in rtk_http.hls_connections */
} rtk_http_socket;

struct rtk_http {
	struct MHD_Daemon *daemon;
	const rtk_rest_ctx *ctx;        /* borrowed */
	rtk_http_limits limits;         /* resolved: no defaults left to apply */
	GMutex log_lock;
	char start_error[256];          /* MHD's last complaint while starting */
	rtk_tls_pair tls;               /* HTTPS: copies of the PEM text (empty: plain HTTP) */
	bool starting;
	char last_log[256];             /* the previous MHD complaint, and when */
	gint64 last_log_us;
	unsigned int log_repeats;       /* its repeats not logged yet */

	GMutex watch_lock;              /* the fields below and every rtk_http_socket */
	GCond watch_cond;               /* the reaper's: the queue or `stopping` changed */
	GQueue awaiting;                /* rtk_http_socket awaiting headers, earliest deadline first */
	unsigned int hls_connections;   /* sockets whose latest request is under /hls/ */
	unsigned int reaped;            /* closed for late headers since the last log line */
	gint64 reaped_log_us;
	bool stopping;
	GThread *reaper;
	GMutex writers_lock;            /* `writers` itself: it goes NULL when the server stops */
	GThreadPool *writers;           /* rtk_http_conn* of suspended REST writes */
	GThreadPool *forwarded;         /* those another node forwarded here; NULL: one node (see above) */
	rtk_ratelimit *ratelimit;       /* REST requests per client address (ratelimit.h); NULL: no limit */
};

typedef struct rtk_http_conn {
	char *uri;          /* raw request target, path and query, NUL-terminated */
	gint64 start_us;    /* monotonic: the request line arrived (REST latency, metrics.h) */
	char *body;         /* the body so far; NULL until the first byte */
	size_t len;
	size_t cap;
	bool started;       /* the first access-handler call (headers only) is done */
	bool too_large;     /* the body passed RTK_REST_MAX_BODY: being drained */
	rtk_chat_upload *upload;  /* a chat file upload streaming its body to disk, or NULL */
	rtk_hls_http_req *hls;  /* a /hls/ request (hls_http.h), or NULL */
	/* A write dispatched on rtk_http.writers while the connection is
	 * suspended: what the writer reads (owned copies) and its reply. The
	 * MHD worker does not touch them from the suspension until the resume. */
	struct MHD_Connection *con;
	rtk_http *http;
	char *method;
	char *authorization;
	char *forwarded_by; /* the rtk-forwarded-by header (node_forward.h), or NULL */
	char *query;        /* points into `uri` (split at '?'), or NULL */
	bool dispatched;    /* the writer's reply is in `reply` */
	rtk_rest_reply reply;
} rtk_http_conn;

/* ---- Per-connection state ---- */

static rtk_http_conn *rtk_http_conn_new(const char *uri)
{
	rtk_http_conn *c = calloc(1, sizeof *c);
	if (c == NULL)
		return NULL;
	c->uri = strdup(uri ? uri : "");
	if (c->uri == NULL) {
		free(c);
		return NULL;
	}
	c->start_us = g_get_monotonic_time();
	return c;
}

static void rtk_http_conn_free(rtk_http_conn *c)
{
	if (c == NULL)
		return;
	rtk_hls_http_req_free(c->hls);   /* first: it may still be parked */
	rtk_chat_upload_free(c->upload);   /* removes what an unfinished upload wrote */
	free(c->uri);
	free(c->body);
	free(c->method);
	free(c->authorization);
	free(c->forwarded_by);
	rtk_rest_reply_clear(&c->reply);
	free(c);
}

/* ---- Connection watch: header deadlines and the /hls/ budget ---- */

/* Starts (or restarts) the wait for a request's headers. watch_lock held. */
static void rtk_http_await_locked(rtk_http *http, rtk_http_socket *sock)
{
	if (sock->awaiting)
		g_queue_unlink(&http->awaiting, &sock->link);
	sock->awaiting = true;
	sock->deadline_us = g_get_monotonic_time() +
		(gint64)http->limits.header_timeout_s * G_USEC_PER_SEC;
	bool was_empty = g_queue_is_empty(&http->awaiting);
	g_queue_push_tail_link(&http->awaiting, &sock->link);
	if (was_empty)
		g_cond_signal(&http->watch_cond);   /* the reaper may sleep without a deadline */
}

static void rtk_http_stop_awaiting_locked(rtk_http *http, rtk_http_socket *sock)
{
	if (sock->awaiting) {
		g_queue_unlink(&http->awaiting, &sock->link);
		sock->awaiting = false;
	}
}

static void rtk_http_log_flush(rtk_http *http);

/* The reaper thread: shuts down the sockets whose headers are late, and
 * every RTK_HTTP_LOG_REPEAT_S seconds at most writes the log lines it and
 * rtk_http_log() held back (outside watch_lock). */
static gpointer rtk_http_reaper(gpointer data)
{
	rtk_http *http = data;
	g_mutex_lock(&http->watch_lock);
	while (!http->stopping) {
		gint64 now = g_get_monotonic_time();
		GList *head;
		while ((head = g_queue_peek_head_link(&http->awaiting)) != NULL) {
			rtk_http_socket *sock = head->data;
			if (sock->deadline_us > now)
				break;
			rtk_http_stop_awaiting_locked(http, sock);
			/* MHD reads end-of-stream and closes the connection itself. */
			shutdown(sock->fd, SHUT_RDWR);
			http->reaped++;
		}
		unsigned int reaped = 0;
		if (http->reaped > 0 && now - http->reaped_log_us >= RTK_HTTP_REAP_LOG_S * G_USEC_PER_SEC) {
			reaped = http->reaped;
			http->reaped = 0;
			http->reaped_log_us = now;
		}
		g_mutex_unlock(&http->watch_lock);
		if (reaped > 0)
			g_message("rtk http: closed %u connection(s) whose request headers took more than %u s",
				reaped, http->limits.header_timeout_s);
		rtk_http_log_flush(http);
		g_mutex_lock(&http->watch_lock);
		/* The queue may have changed meanwhile: its head decides. */
		gint64 wake = now + RTK_HTTP_LOG_REPEAT_S * G_USEC_PER_SEC;
		head = g_queue_peek_head_link(&http->awaiting);
		if (head != NULL && ((rtk_http_socket *)head->data)->deadline_us < wake)
			wake = ((rtk_http_socket *)head->data)->deadline_us;
		if (!http->stopping)
			g_cond_wait_until(&http->watch_cond, &http->watch_lock, wake);
	}
	g_mutex_unlock(&http->watch_lock);
	return NULL;
}

/* MHD_OPTION_NOTIFY_CONNECTION: a socket was accepted or is about to be
 * closed. On a failed allocation the socket goes unwatched (MHD's idle
 * timeout still applies). */
static void rtk_http_notify_connection(void *cls, struct MHD_Connection *con, void **socket_context,
	enum MHD_ConnectionNotificationCode code)
{
	rtk_http *http = cls;
	rtk_http_socket *sock = *socket_context;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *info = MHD_get_connection_info(con,
			MHD_CONNECTION_INFO_CONNECTION_FD);
		if (info == NULL || (sock = calloc(1, sizeof *sock)) == NULL)
			return;
		sock->fd = info->connect_fd;
		sock->link.data = sock;
		g_mutex_lock(&http->watch_lock);
		rtk_http_await_locked(http, sock);
		g_mutex_unlock(&http->watch_lock);
		*socket_context = sock;
		return;
	}
	if (sock == NULL)
		return;
	g_mutex_lock(&http->watch_lock);
	rtk_http_stop_awaiting_locked(http, sock);
	if (sock->hls)
		http->hls_connections--;
	g_mutex_unlock(&http->watch_lock);
	free(sock);
	*socket_context = NULL;
}

static rtk_http_socket *rtk_http_socket_of(struct MHD_Connection *con)
{
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(con,
		MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return info ? info->socket_context : NULL;
}

/* The headers of a request are in: its deadline is met, and the socket
 * counts for /hls/ or stops counting. False: the request is under /hls/
 * and the budget is spent (the caller answers rtk_hls_http_busy()). */
static bool rtk_http_headers_arrived(rtk_http *http, struct MHD_Connection *con, bool hls)
{
	rtk_http_socket *sock = rtk_http_socket_of(con);
	if (sock == NULL)
		return true;
	bool admitted = true;
	g_mutex_lock(&http->watch_lock);
	rtk_http_stop_awaiting_locked(http, sock);
	if (hls && !sock->hls) {
		if (http->hls_connections >= http->limits.hls_max_connections) {
			admitted = false;
		} else {
			sock->hls = true;
			http->hls_connections++;
		}
	} else if (!hls && sock->hls) {
		sock->hls = false;
		http->hls_connections--;
	}
	g_mutex_unlock(&http->watch_lock);
	return admitted;
}

/* MHD_OPTION_URI_LOG_CALLBACK: the first thing MHD tells us about a
 * request. The returned pointer becomes the request's *con_cls. Despite
 * the option's name nothing is logged: the raw URI may carry a
 * participant's ?token= (chat file downloads, rest_chat_files.c) and is
 * only kept for dispatch; MHD's own complaints (rtk_http_log) name the
 * path without its query. */
static void *rtk_http_uri_log(void *cls, const char *uri, struct MHD_Connection *con)
{
	return rtk_http_conn_new(uri);
}

/* MHD_OPTION_NOTIFY_COMPLETED: the request is over (answered, timed out or
 * aborted); its memory goes. */
static void rtk_http_completed(void *cls, struct MHD_Connection *con, void **con_cls,
	enum MHD_RequestTerminationCode toe)
{
	rtk_http *http = cls;
	rtk_http_conn_free(*con_cls);
	*con_cls = NULL;
	/* A kept-alive connection owes the next request's headers from now;
	 * one that is closing leaves the queue in rtk_http_notify_connection(). */
	rtk_http_socket *sock = rtk_http_socket_of(con);
	if (sock != NULL) {
		g_mutex_lock(&http->watch_lock);
		rtk_http_await_locked(http, sock);
		g_mutex_unlock(&http->watch_lock);
	}
}

/* Appends a piece of the body, or, past the limit, drops everything kept
 * so far and only counts on. */
static void rtk_http_conn_append(rtk_http_conn *c, const char *data, size_t size)
{
	if (c->too_large)
		return;
	if (size > RTK_REST_MAX_BODY - c->len) {
		c->too_large = true;
		free(c->body);
		c->body = NULL;
		c->len = c->cap = 0;
		return;
	}
	if (c->len + size > c->cap) {
		size_t cap = c->cap ? c->cap : 4096;
		while (cap < c->len + size)
			cap *= 2;
		if (cap > RTK_REST_MAX_BODY)
			cap = RTK_REST_MAX_BODY;
		char *grown = realloc(c->body, cap);
		if (grown == NULL) {
			/* Treat as too large: the client gets a clear answer. */
			c->too_large = true;
			free(c->body);
			c->body = NULL;
			c->len = c->cap = 0;
			return;
		}
		c->body = grown;
		c->cap = cap;
	}
	memcpy(c->body + c->len, data, size);
	c->len += size;
}

/* ---- Replies ---- */

/* Sends `reply` (its body is handed to MHD, which frees it). */
static enum MHD_Result rtk_http_send(struct MHD_Connection *con, rtk_rest_reply *reply)
{
	size_t len = reply->body ? strlen(reply->body) : 0;
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, reply->body,
		MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(reply->body);
		reply->body = NULL;
		return MHD_NO;
	}
	reply->body = NULL;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, reply->content_type ?
		reply->content_type : "application/json");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (reply->status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Basic realm=\"rtk\"");
	if (reply->retry_after > 0) {
		char retry[16];
		snprintf(retry, sizeof retry, "%u", reply->retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, retry);
	}
	enum MHD_Result ret = MHD_queue_response(con, (unsigned int)reply->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Adds the headers of a file reply: its type, and for a file participants
 * uploaded (a disposition) what keeps a browser from running it as a page
 * of this origin. */
static void rtk_http_file_headers(struct MHD_Response *resp, const rtk_rest_reply *reply)
{
	const char *type = reply->file_type ? reply->file_type :
		reply->content_type ? reply->content_type : "application/octet-stream";
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	if (reply->disposition != NULL) {
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, reply->disposition);
		MHD_add_response_header(resp, "Content-Security-Policy", "default-src 'none'; sandbox");
	}
}

/* Sends the file a handler named (a recording or a chat file), or 404 when
 * it cannot be opened after all. Frees what the reply holds. */
static enum MHD_Result rtk_http_send_file(struct MHD_Connection *con, rtk_rest_reply *reply)
{
	int fd = open(reply->file_path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		if (fd >= 0)
			close(fd);
		rtk_rest_reply_clear(reply);
		rtk_rest_fail(reply, 404, "the file is gone");
		return rtk_http_send(con, reply);
	}
	struct MHD_Response *resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
	if (resp == NULL) {
		close(fd);
		rtk_rest_reply_clear(reply);
		return MHD_NO;
	}
	rtk_http_file_headers(resp, reply);
	rtk_rest_reply_clear(reply);
	enum MHD_Result ret = MHD_queue_response(con, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result rtk_http_send_too_large(struct MHD_Connection *con)
{
	rtk_rest_reply reply = { .status = 0 };
	rtk_rest_fail(&reply, 413, "request body is larger than %d bytes",
		RTK_REST_MAX_BODY);
	return rtk_http_send(con, &reply);
}

/* Is the Content-Length header a number above the body limit? A value
 * that is not a number is left to MHD, which refuses it itself. */
static bool rtk_http_announces_too_much(struct MHD_Connection *con)
{
	const char *cl = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
		MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl == NULL)
		return false;
	unsigned long long n = 0;
	for (const char *p = cl; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (unsigned long long)(*p - '0');
		if (n > RTK_REST_MAX_BODY)
			return true;
	}
	return false;
}

static enum MHD_Result rtk_http_reply(struct MHD_Connection *con, rtk_rest_reply *reply)
{
	if (reply->file_path != NULL)
		return rtk_http_send_file(con, reply);
	return rtk_http_send(con, reply);
}

/* Sends a REST reply and counts it for /metrics (metrics.h). */
static enum MHD_Result rtk_http_answer(struct MHD_Connection *con, const char *method,
	const rtk_http_conn *c, rtk_rest_reply *reply)
{
	rtk_metrics_rest_request(method, reply->status, g_get_monotonic_time() - c->start_us);
	return rtk_http_reply(con, reply);
}

static enum MHD_Result rtk_http_answer_too_large(struct MHD_Connection *con, const char *method,
	const rtk_http_conn *c)
{
	rtk_metrics_rest_request(method, 413, g_get_monotonic_time() - c->start_us);
	return rtk_http_send_too_large(con);
}

/* The client's address as text (its bucket's key), or "" when unknown. */
static void rtk_http_client_address(struct MHD_Connection *con, char *out, size_t size)
{
	out[0] = '\0';
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(con,
		MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = info ? info->client_addr : NULL;
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)size);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)size);
}

/* The rate limit (docs/rest.md, "Rate limits"): MHD_YES when the REST
 * request may go on, else its 429 was queued (*refused set). */
static enum MHD_Result rtk_http_rate_limit(rtk_http *http, struct MHD_Connection *con, const char *method,
	const rtk_http_conn *c, bool *refused)
{
	*refused = false;
	if (http->ratelimit == NULL)
		return MHD_YES;
	char address[INET6_ADDRSTRLEN];
	rtk_http_client_address(con, address, sizeof address);
	unsigned int wait_s = rtk_ratelimit_take(http->ratelimit, address, g_get_monotonic_time());
	if (wait_s == 0)
		return MHD_YES;
	*refused = true;
	rtk_metrics_rest_request(method, 429, g_get_monotonic_time() - c->start_us);
	rtk_rest_reply reply = { .status = 0 };
	rtk_rest_fail(&reply, 429, "too many requests from this address: at most %u a second, %u at once; "
		"retry after %u s", http->limits.rate_limit, http->limits.rate_limit_burst, wait_s);
	size_t len = strlen(reply.body);
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, reply.body, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(reply.body);
		return MHD_NO;
	}
	char retry[16];
	snprintf(retry, sizeof retry, "%u", wait_s);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, retry);
	enum MHD_Result ret = MHD_queue_response(con, 429, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Splits the request target into path (in c->uri) and query (c->query). */
static void rtk_http_split_uri(rtk_http_conn *c)
{
	char *query = strchr(c->uri, '?');
	if (query)
		*query++ = '\0';
	char *fragment = strchr(query ? query : c->uri, '#');
	if (fragment)
		*fragment = '\0';
	c->query = query;
}

static bool rtk_http_is_read(const char *method)
{
	return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 || strcmp(method, "OPTIONS") == 0;
}

/* A writer thread: runs the suspended write and resumes its connection,
 * whose next access-handler call sends the reply. */
static void rtk_http_write_job(gpointer data, gpointer user_data)
{
	rtk_http_conn *c = data;
	(void)user_data;
	rtk_rest_request req = {
		.method = c->method,
		.path = c->uri,
		.query = c->query,
		.authorization = c->authorization,
		.forwarded_by = c->forwarded_by,
		.body = c->body,
		.body_len = c->len,
	};
	if (c->upload != NULL)
		rtk_rest_chat_upload_finish(c->http->ctx, c->upload, &c->reply);
	else
		rtk_rest_dispatch(c->http->ctx, &req, &c->reply);
	c->dispatched = true;
	MHD_resume_connection(c->con);
}

/* The rtk-forwarded-by header (node_forward.h), or NULL; always NULL on
 * one node, where nothing is forwarded (not even looked up). */
static const char *rtk_http_forwarded_by(const rtk_http *http, struct MHD_Connection *con)
{
	if (http->ctx->nodes == NULL)
		return NULL;
	return MHD_lookup_connection_value(con, MHD_HEADER_KIND, RTK_NODE_FORWARDED_HEADER);
}

/* Hands a write (or a request that may be forwarded to another node) to
 * the writers with its connection suspended (a request another node
 * forwarded here to `forwarded`, when there is that pool); false when it
 * must run here instead (out of memory, no pool). */
static bool rtk_http_defer_write(rtk_http *http, struct MHD_Connection *con, const char *method,
	rtk_http_conn *c)
{
	const char *authorization = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
		MHD_HTTP_HEADER_AUTHORIZATION);
	const char *forwarded_by = rtk_http_forwarded_by(http, con);
	c->method = strdup(method);
	c->authorization = authorization ? strdup(authorization) : NULL;
	c->forwarded_by = forwarded_by ? strdup(forwarded_by) : NULL;
	if (c->method == NULL || (authorization && c->authorization == NULL) ||
			(forwarded_by && c->forwarded_by == NULL))
		return false;
	c->con = con;
	c->http = http;
	g_mutex_lock(&http->writers_lock);
	GThreadPool *pool = forwarded_by && http->forwarded ? http->forwarded : http->writers;
	bool deferred = pool != NULL;   /* NULL: the server is stopping */
	if (deferred) {
		MHD_suspend_connection(con);
		/* FALSE only says no new thread could start: the job is queued all
		 * the same, and a running writer takes it. */
		g_thread_pool_push(pool, c, NULL);
	}
	g_mutex_unlock(&http->writers_lock);
	return deferred;
}

/* The headers of a chat file upload are in: split the URI and start the
 * upload, or answer its refusal before the body is read. */
static enum MHD_Result rtk_http_upload_start(rtk_http *http, struct MHD_Connection *con, const char *method,
	rtk_http_conn *c)
{
	rtk_http_split_uri(c);
	const char *content_type = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
		MHD_HTTP_HEADER_CONTENT_TYPE);
	rtk_rest_request req = {
		.method = method,
		.path = c->uri,
		.query = c->query,
		.authorization = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
			MHD_HTTP_HEADER_AUTHORIZATION),
		.content_type = content_type,
	};
	rtk_rest_reply reply = { .status = 0 };
	c->upload = rtk_rest_chat_upload_start(http->ctx, &req, content_type,
		MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH), &reply);
	if (c->upload == NULL)
		return rtk_http_answer(con, method, c, &reply);
	return MHD_YES;
}

/* A chat file upload's body is complete: its commit syncs, so it goes to
 * the writers like a REST write (an upload already refused is answered
 * here). */
static enum MHD_Result rtk_http_upload_finish(rtk_http *http, struct MHD_Connection *con, const char *method,
	rtk_http_conn *c)
{
	if (rtk_chat_upload_state_of(c->upload) == RTK_CHAT_UPLOAD_WRITING &&
			rtk_http_defer_write(http, con, method, c))
		return MHD_YES;
	rtk_rest_reply reply = { .status = 0 };
	rtk_rest_chat_upload_finish(http->ctx, c->upload, &reply);
	return rtk_http_answer(con, method, c, &reply);
}

/* The request is complete: split the URI, dispatch, answer. A write is
 * dispatched on the writers, and this is called again once it is done. */
static enum MHD_Result rtk_http_finish(rtk_http *http, struct MHD_Connection *con,
	const char *method, rtk_http_conn *c)
{
	if (c->dispatched)
		return rtk_http_answer(con, method, c, &c->reply);
	if (c->upload != NULL)
		return rtk_http_upload_finish(http, con, method, c);
	if (c->too_large)
		return rtk_http_answer_too_large(con, method, c);
	/* LL-HLS: no auth, may suspend the connection and be called again. */
	if (rtk_hls_http_owns(c->uri))
		return rtk_hls_http_serve(http->ctx->hls, con, method, c->uri, &c->hls);
	/* The web client's files: public, answered without the REST API. */
	if (rtk_static_owns(c->uri))
		return rtk_static_serve(http->ctx->web_dir, http->ctx->server_json, con, method, c->uri);
	rtk_http_split_uri(c);
	/* /metrics and /healthz: not REST (no API key, not counted). */
	if (rtk_metrics_owns(c->uri)) {
		rtk_rest_reply reply = { .status = 0 };
		rtk_metrics_serve(http->ctx, method, c->uri, MHD_lookup_connection_value(con, MHD_HEADER_KIND,
			MHD_HTTP_HEADER_AUTHORIZATION), &reply);
		return rtk_http_reply(con, &reply);
	}
	/* A write waits for a sync, a live read on a node may wait for another
	 * node (rest_nodes.c): neither runs on this worker. */
	if ((!rtk_http_is_read(method) || rtk_rest_nodes_may_forward(http->ctx, method, c->uri)) &&
			rtk_http_defer_write(http, con, method, c))
		return MHD_YES;
	rtk_rest_request req = {
		.method = method,
		.path = c->uri,
		.query = c->query,
		.authorization = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
			MHD_HTTP_HEADER_AUTHORIZATION),
		.forwarded_by = rtk_http_forwarded_by(http, con),
		.body = c->body,
		.body_len = c->len,
	};
	rtk_rest_reply reply = { .status = 0 };
	rtk_rest_dispatch(http->ctx, &req, &reply);
	return rtk_http_answer(con, method, c, &reply);
}

/* Is the request one the REST rate limit counts? Everything but /hls/,
 * the web client's files, /metrics and /healthz. */
static bool rtk_http_is_rest(const char *uri)
{
	if (rtk_hls_http_owns(uri) || rtk_static_owns(uri))
		return false;
	size_t path_len = strcspn(uri, "?#");
	return !((path_len == 8 && strncmp(uri, "/metrics", 8) == 0) ||
		(path_len == 8 && strncmp(uri, "/healthz", 8) == 0));
}

/* The access handler. MHD calls it once with the headers, then once per
 * piece of body (*upload_data_size > 0), then once more with nothing left. */
static enum MHD_Result rtk_http_handle(void *cls, struct MHD_Connection *con, const char *url,
	const char *method, const char *version, const char *upload_data,
	size_t *upload_data_size, void **con_cls)
{
	rtk_http *http = cls;
	rtk_http_conn *c = *con_cls;
	if (c == NULL) {
		/* The URI callback could not allocate; try again with what we have. */
		if ((c = rtk_http_conn_new(url)) == NULL)
			return MHD_NO;
		*con_cls = c;
	}
	if (!c->started) {
		c->started = true;
		if (!rtk_http_headers_arrived(http, con, rtk_hls_http_owns(c->uri)))
			return rtk_hls_http_busy(con);
		if (rtk_http_is_rest(c->uri)) {
			bool refused;
			enum MHD_Result limited = rtk_http_rate_limit(http, con, method, c, &refused);
			if (refused || limited != MHD_YES)
				return limited;
		}
		if (rtk_rest_chat_upload_owns(c->uri))
			return rtk_http_upload_start(http, con, method, c);
		if (rtk_http_announces_too_much(con))
			return rtk_http_answer_too_large(con, method, c);
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (c->upload != NULL)
			rtk_rest_chat_upload_append(c->upload, upload_data, *upload_data_size);
		else
			rtk_http_conn_append(c, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	return rtk_http_finish(http, con, method, c);
}

/* ---- Server ---- */

/* MHD's complaints. A flood makes MHD repeat one line per refused
 * connection: a line equal to the previous one, within
 * RTK_HTTP_LOG_REPEAT_S seconds of it, is counted instead of logged; the
 * count is logged before the next other line or by rtk_http_log_flush(). */
static void rtk_http_log(void *cls, const char *fmt, va_list ap)
{
	rtk_http *http = cls;
	char line[256];
	vsnprintf(line, sizeof line, fmt, ap);
	g_strchomp(line);
	gint64 now = g_get_monotonic_time();
	unsigned int repeats = 0;
	g_mutex_lock(&http->log_lock);
	if (http->starting)
		g_strlcpy(http->start_error, line, sizeof http->start_error);
	if (strcmp(line, http->last_log) == 0 &&
			now - http->last_log_us < RTK_HTTP_LOG_REPEAT_S * G_USEC_PER_SEC) {
		http->log_repeats++;
		g_mutex_unlock(&http->log_lock);
		return;
	}
	repeats = http->log_repeats;
	char previous[sizeof http->last_log];
	g_strlcpy(previous, http->last_log, sizeof previous);
	http->log_repeats = 0;
	g_strlcpy(http->last_log, line, sizeof http->last_log);
	http->last_log_us = now;
	g_mutex_unlock(&http->log_lock);
	if (repeats > 0)
		g_warning("rtk http: %s (%u more times)", previous, repeats);
	g_warning("rtk http: %s", line);
}

/* Logs the repeats rtk_http_log() counted once RTK_HTTP_LOG_REPEAT_S
 * seconds have passed since the line was logged. */
static void rtk_http_log_flush(rtk_http *http)
{
	gint64 now = g_get_monotonic_time();
	char line[sizeof http->last_log];
	unsigned int repeats = 0;
	g_mutex_lock(&http->log_lock);
	if (http->log_repeats > 0 && now - http->last_log_us >= RTK_HTTP_LOG_REPEAT_S * G_USEC_PER_SEC) {
		repeats = http->log_repeats;
		http->log_repeats = 0;
		http->last_log_us = now;
		g_strlcpy(line, http->last_log, sizeof line);
	}
	g_mutex_unlock(&http->log_lock);
	if (repeats > 0)
		g_warning("rtk http: %s (%u more times)", line, repeats);
}

/* Resolves the bind address (numeric or a host name) and port. */
static bool rtk_http_address(const char *bind_address, int port, struct sockaddr_storage *out,
	socklen_t *out_len, char **error)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
		.ai_flags = AI_PASSIVE };
	struct addrinfo *res = NULL;
	char service[16];
	snprintf(service, sizeof service, "%d", port);
	int rc = getaddrinfo(bind_address, service, &hints, &res);
	if (rc != 0 || res == NULL) {
		rtk_util_set_error(error, "cannot use '%s' as the HTTP bind address: %s",
			bind_address, gai_strerror(rc));
		return false;
	}
	memcpy(out, res->ai_addr, res->ai_addrlen);
	*out_len = res->ai_addrlen;
	freeaddrinfo(res);
	return true;
}

/* Fills in the defaults and bounds of rtk_http_limits (http.h). */
static rtk_http_limits rtk_http_limits_resolve(const rtk_http_limits *given)
{
	rtk_http_limits l = given ? *given : (rtk_http_limits) {
		.max_per_address = RTK_HTTP_DEFAULT_MAX_PER_ADDRESS };
	if (l.max_connections == 0)
		l.max_connections = RTK_HTTP_DEFAULT_MAX_CONNECTIONS;
	if (l.threads == 0)
		l.threads = RTK_HTTP_DEFAULT_THREADS;
	/* MHD gives each worker an equal share of the cap. */
	unsigned int needed = (l.max_connections + RTK_HTTP_MAX_PER_WORKER - 1) / RTK_HTTP_MAX_PER_WORKER;
	if (l.threads < needed)
		l.threads = needed;
	if (l.threads > l.max_connections)
		l.threads = l.max_connections;
	if (l.hls_max_connections == 0)
		l.hls_max_connections = l.max_connections - l.max_connections / 4;
	if (l.hls_max_connections > l.max_connections)
		l.hls_max_connections = l.max_connections;
	if (l.header_timeout_s == 0)
		l.header_timeout_s = RTK_HTTP_DEFAULT_HEADER_TIMEOUT;
	if (l.idle_timeout_s == 0)
		l.idle_timeout_s = RTK_HTTP_DEFAULT_IDLE_TIMEOUT;
	if (l.rate_limit > 0 && l.rate_limit_burst == 0)
		l.rate_limit_burst = l.rate_limit;
	return l;
}

/* Every connection is a descriptor of this process, which Janus shares:
 * say so when the cap cannot be reached. */
static void rtk_http_check_descriptors(unsigned int max_connections)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
			(rlim_t)max_connections * 2 > rl.rlim_cur)
		g_warning("rtk http: %u connections may use more than half of this process's %llu file "
			"descriptors (ulimit -n), which Janus needs too", max_connections,
			(unsigned long long)rl.rlim_cur);
}

/* Stops taking writes and waits for those queued: each resumes its
 * connection. Writes that arrive from now on run on the MHD worker. */
static void rtk_http_stop_writers(rtk_http *http)
{
	g_mutex_lock(&http->writers_lock);
	GThreadPool *writers = http->writers, *forwarded = http->forwarded;
	http->writers = NULL;
	http->forwarded = NULL;
	g_mutex_unlock(&http->writers_lock);
	if (writers != NULL)
		g_thread_pool_free(writers, FALSE, TRUE);
	if (forwarded != NULL)
		g_thread_pool_free(forwarded, FALSE, TRUE);
}

static void rtk_http_free(rtk_http *http)
{
	rtk_http_stop_writers(http);
	g_mutex_clear(&http->writers_lock);
	if (http->reaper != NULL) {
		g_mutex_lock(&http->watch_lock);
		http->stopping = true;
		g_cond_signal(&http->watch_cond);
		g_mutex_unlock(&http->watch_lock);
		g_thread_join(http->reaper);
	}
	g_mutex_clear(&http->watch_lock);
	g_cond_clear(&http->watch_cond);
	g_mutex_clear(&http->log_lock);
	rtk_tls_pair_clear(&http->tls);
	rtk_ratelimit_free(http->ratelimit);
	free(http);
}

/* http->tls := copies of `tls` (NULL: stays empty). false when out of memory. */
static bool rtk_http_copy_tls(rtk_http *http, const rtk_tls_pair *tls)
{
	if (tls == NULL)
		return true;
	http->tls.cert_pem = strdup(tls->cert_pem);
	http->tls.key_pem = strdup(tls->key_pem);
	return http->tls.cert_pem != NULL && http->tls.key_pem != NULL;
}

rtk_http *rtk_http_start_with_limits(const char *bind_address, int port, const rtk_rest_ctx *ctx,
	const rtk_http_limits *limits, char **error)
{
	return rtk_http_start_tls(bind_address, port, ctx, limits, NULL, error);
}

rtk_http *rtk_http_start_tls(const char *bind_address, int port, const rtk_rest_ctx *ctx,
	const rtk_http_limits *limits, const rtk_tls_pair *tls, char **error)
{
	if (bind_address == NULL || *bind_address == '\0')
		bind_address = "127.0.0.1";
	if (port < 0 || port > 65535) {
		rtk_util_set_error(error, "HTTP port %d is out of range 0-65535", port);
		return NULL;
	}
	if (tls != NULL && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		rtk_util_set_error(error, "TLS is configured (RTK_TLS_CERT) but this libmicrohttpd "
			"was built without TLS support");
		return NULL;
	}
	struct sockaddr_storage addr;
	socklen_t addr_len = 0;
	if (!rtk_http_address(bind_address, port, &addr, &addr_len, error))
		return NULL;

	rtk_http *http = calloc(1, sizeof *http);
	if (http == NULL) {
		rtk_util_set_error(error, "out of memory");
		return NULL;
	}
	http->ctx = ctx;
	http->limits = rtk_http_limits_resolve(limits);
	if (!rtk_http_copy_tls(http, tls)) {
		rtk_util_set_error(error, "out of memory");
		rtk_tls_pair_clear(&http->tls);
		free(http);
		return NULL;
	}
	http->ratelimit = rtk_ratelimit_new(http->limits.rate_limit, http->limits.rate_limit_burst);
	g_mutex_init(&http->log_lock);
	g_mutex_init(&http->writers_lock);
	g_mutex_init(&http->watch_lock);
	g_cond_init(&http->watch_cond);
	g_queue_init(&http->awaiting);
	http->reaper = g_thread_try_new("rtk http reaper", rtk_http_reaper, http, NULL);
	if (http->reaper == NULL) {
		rtk_util_set_error(error, "cannot start the HTTP reaper thread");
		rtk_http_free(http);
		return NULL;
	}
	rtk_http_check_descriptors(http->limits.max_connections);
	http->writers = g_thread_pool_new(rtk_http_write_job, NULL, RTK_HTTP_WRITERS, FALSE, NULL);
	if (ctx->nodes != NULL)
		http->forwarded = g_thread_pool_new(rtk_http_write_job, NULL, RTK_HTTP_FORWARDED_WRITERS, FALSE, NULL);
	if (http->writers == NULL || (ctx->nodes != NULL && http->forwarded == NULL)) {
		rtk_util_set_error(error, "cannot start the HTTP writer threads");
		rtk_http_free(http);
		return NULL;
	}
	http->starting = true;
	/* Suspend/resume: blocking LL-HLS playlist reloads park without a thread. */
	unsigned int flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
	if (addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* HTTPS: the certificate and key; plain HTTP: no options at all. */
	struct MHD_OptionItem tls_options[] = {
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, http->tls.cert_pem },
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, http->tls.key_pem },
		{ MHD_OPTION_END, 0, NULL },
	};
	if (tls != NULL)
		flags |= MHD_USE_TLS;
	http->daemon = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL,
		rtk_http_handle, http,
		MHD_OPTION_EXTERNAL_LOGGER, rtk_http_log, http,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
		MHD_OPTION_THREAD_POOL_SIZE, http->limits.threads,
		MHD_OPTION_CONNECTION_TIMEOUT, http->limits.idle_timeout_s,
		MHD_OPTION_CONNECTION_LIMIT, http->limits.max_connections,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, http->limits.max_per_address,
		MHD_OPTION_NOTIFY_CONNECTION, rtk_http_notify_connection, http,
		MHD_OPTION_URI_LOG_CALLBACK, rtk_http_uri_log, http,
		MHD_OPTION_NOTIFY_COMPLETED, rtk_http_completed, http,
		MHD_OPTION_ARRAY, tls != NULL ? tls_options : &tls_options[2],
		MHD_OPTION_END);
	g_mutex_lock(&http->log_lock);
	http->starting = false;
	g_mutex_unlock(&http->log_lock);
	if (http->daemon == NULL) {
		rtk_util_set_error(error, "cannot serve %s on %s port %d: %s", tls ? "HTTPS" : "HTTP", bind_address, port,
			http->start_error[0] ? http->start_error : "libmicrohttpd refused to start");
		rtk_http_free(http);
		return NULL;
	}
	g_message("rtk http: %s; at most %u connections, %u per client address%s, %u for /hls/; "
		"headers within %u s, idle %u s; %u threads; REST rate limit %u/s, burst %u per client address%s",
		tls ? "HTTPS only" : "plain HTTP", http->limits.max_connections,
		http->limits.max_per_address, http->limits.max_per_address ? "" : " (no limit)",
		http->limits.hls_max_connections, http->limits.header_timeout_s,
		http->limits.idle_timeout_s, http->limits.threads, http->limits.rate_limit,
		http->limits.rate_limit_burst, http->ratelimit ? "" : " (off)");
	return http;
}

rtk_http *rtk_http_start(const char *bind_address, int port, const rtk_rest_ctx *ctx, char **error)
{
	return rtk_http_start_with_limits(bind_address, port, ctx, NULL, error);
}

void rtk_http_stop(rtk_http *http)
{
	if (http == NULL)
		return;
	/* MHD must not be stopped with suspended connections: wake them all
	 * (the writers resume theirs as they finish what is queued). */
	rtk_hls_stop_waiting(http->ctx->hls);
	rtk_http_stop_writers(http);
	MHD_stop_daemon(http->daemon);   /* closes every socket: the queue is empty after it */
	rtk_http_free(http);
}
