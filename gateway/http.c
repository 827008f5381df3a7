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
 * Requests under /hls/ go to hls_http.c instead (LL-HLS, no auth), which
 * may suspend the connection until the playlist model wakes it.
 *
 * Threads: MHD's internal polling thread with a pool of RTK_HTTP_THREADS;
 * the handlers share the store, which serialises itself (store.h).
 * Per-request memory lives in an rtk_http_conn, created by the URI callback
 * and freed by the completion callback, whatever happened in between.
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib.h>
#include <microhttpd.h>
#include "rest_internal.h"
#include "hls_http.h"

#define RTK_HTTP_THREADS 4
#define RTK_HTTP_TIMEOUT_SECONDS 30
#define RTK_HTTP_MAX_CONNECTIONS 512

struct rtk_http {
	struct MHD_Daemon *daemon;
	const rtk_rest_ctx *ctx;        /* borrowed */
	GMutex log_lock;
	char start_error[256];          /* MHD's last complaint while starting */
	bool starting;
};

typedef struct rtk_http_conn {
	char *uri;          /* raw request target, path and query, NUL-terminated */
	char *body;         /* the body so far; NULL until the first byte */
	size_t len;
	size_t cap;
	bool started;       /* the first access-handler call (headers only) is done */
	bool too_large;     /* the body passed RTK_REST_MAX_BODY: being drained */
	rtk_hls_http_req *hls;  /* a /hls/ request (hls_http.h), or NULL */
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
	return c;
}

static void rtk_http_conn_free(rtk_http_conn *c)
{
	if (c == NULL)
		return;
	rtk_hls_http_req_free(c->hls);   /* first: it may still be parked */
	free(c->uri);
	free(c->body);
	free(c);
}

/* MHD_OPTION_URI_LOG_CALLBACK: the first thing MHD tells us about a
 * request. The returned pointer becomes the request's *con_cls. */
static void *rtk_http_uri_log(void *cls, const char *uri, struct MHD_Connection *con)
{
	return rtk_http_conn_new(uri);
}

/* MHD_OPTION_NOTIFY_COMPLETED: the request is over (answered, timed out or
 * aborted); its memory goes. */
static void rtk_http_completed(void *cls, struct MHD_Connection *con, void **con_cls,
	enum MHD_RequestTerminationCode toe)
{
	rtk_http_conn_free(*con_cls);
	*con_cls = NULL;
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
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (reply->status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Basic realm=\"rtk\"");
	enum MHD_Result ret = MHD_queue_response(con, (unsigned int)reply->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Sends the file a handler named (a recording download), or 404 when it
 * cannot be opened after all. Frees reply->file_path. */
static enum MHD_Result rtk_http_send_file(struct MHD_Connection *con, rtk_rest_reply *reply)
{
	int fd = open(reply->file_path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	g_free(reply->file_path);
	reply->file_path = NULL;
	free(reply->body);
	reply->body = NULL;
	if (fd < 0 || fstat(fd, &st) != 0) {
		if (fd >= 0)
			close(fd);
		rtk_rest_fail(reply, 404, "the file is gone");
		return rtk_http_send(con, reply);
	}
	struct MHD_Response *resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
	if (resp == NULL) {
		close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, reply->content_type ?
		reply->content_type : "application/octet-stream");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
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

/* The request is complete: split the URI, dispatch, answer. */
static enum MHD_Result rtk_http_finish(rtk_http *http, struct MHD_Connection *con,
	const char *method, rtk_http_conn *c)
{
	if (c->too_large)
		return rtk_http_send_too_large(con);
	/* LL-HLS: no auth, may suspend the connection and be called again. */
	if (rtk_hls_http_owns(c->uri))
		return rtk_hls_http_serve(http->ctx->hls, con, method, c->uri, &c->hls);
	char *query = strchr(c->uri, '?');
	if (query)
		*query++ = '\0';
	char *fragment = strchr(query ? query : c->uri, '#');
	if (fragment)
		*fragment = '\0';
	rtk_rest_request req = {
		.method = method,
		.path = c->uri,
		.query = query,
		.authorization = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
			MHD_HTTP_HEADER_AUTHORIZATION),
		.body = c->body,
		.body_len = c->len,
	};
	rtk_rest_reply reply = { .status = 0 };
	rtk_rest_dispatch(http->ctx, &req, &reply);
	if (reply.file_path != NULL)
		return rtk_http_send_file(con, &reply);
	return rtk_http_send(con, &reply);
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
		if (rtk_http_announces_too_much(con))
			return rtk_http_send_too_large(con);
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		rtk_http_conn_append(c, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	return rtk_http_finish(http, con, method, c);
}

/* ---- Server ---- */

static void rtk_http_log(void *cls, const char *fmt, va_list ap)
{
	rtk_http *http = cls;
	char line[256];
	vsnprintf(line, sizeof line, fmt, ap);
	g_strchomp(line);
	g_mutex_lock(&http->log_lock);
	if (http->starting)
		g_strlcpy(http->start_error, line, sizeof http->start_error);
	g_mutex_unlock(&http->log_lock);
	g_warning("rtk http: %s", line);
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

rtk_http *rtk_http_start(const char *bind_address, int port, const rtk_rest_ctx *ctx, char **error)
{
	if (bind_address == NULL || *bind_address == '\0')
		bind_address = "127.0.0.1";
	if (port < 0 || port > 65535) {
		rtk_util_set_error(error, "HTTP port %d is out of range 0-65535", port);
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
	g_mutex_init(&http->log_lock);
	http->starting = true;
	/* Suspend/resume: blocking LL-HLS playlist reloads park without a thread. */
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG |
		MHD_ALLOW_SUSPEND_RESUME;
	if (addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	http->daemon = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL,
		rtk_http_handle, http,
		MHD_OPTION_EXTERNAL_LOGGER, rtk_http_log, http,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)RTK_HTTP_THREADS,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)RTK_HTTP_TIMEOUT_SECONDS,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)RTK_HTTP_MAX_CONNECTIONS,
		MHD_OPTION_URI_LOG_CALLBACK, rtk_http_uri_log, http,
		MHD_OPTION_NOTIFY_COMPLETED, rtk_http_completed, http,
		MHD_OPTION_END);
	g_mutex_lock(&http->log_lock);
	http->starting = false;
	g_mutex_unlock(&http->log_lock);
	if (http->daemon == NULL) {
		rtk_util_set_error(error, "cannot serve HTTP on %s port %d: %s", bind_address, port,
			http->start_error[0] ? http->start_error : "libmicrohttpd refused to start");
		g_mutex_clear(&http->log_lock);
		free(http);
		return NULL;
	}
	return http;
}

void rtk_http_stop(rtk_http *http)
{
	if (http == NULL)
		return;
	/* MHD must not be stopped with suspended connections: wake them all. */
	rtk_hls_stop_waiting(http->ctx->hls);
	MHD_stop_daemon(http->daemon);
	g_mutex_clear(&http->log_lock);
	free(http);
}
