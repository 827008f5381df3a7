/*
 * hls_http.c - the libmicrohttpd side of LL-HLS serving (see hls_http.h):
 * turns a /hls/ request into an rtk_hls_request, and the model's answer
 * into an HTTP response, or parks the connection.
 *
 * Parking, and why it cannot lose a wake: rtk_hls_handle() registers the
 * wake callback under the model's lock; the callback may then run on any
 * thread before this thread got to MHD_suspend_connection(). Each request
 * has a mutex and two flags: the handler suspends under the mutex unless
 * the wake already came (`woken`: it asks the model again at once); the
 * wake resumes under the mutex only a connection that is `suspended`.
 * MHD_resume_connection() is never called on a connection that is not
 * suspended (libmicrohttpd 0.9.75 would then skip the next suspend).
 *
 * Lock order: model lock -> request mutex -> MHD's internal locks. The
 * completion callback cancels a parked request (model lock) before its
 * memory goes; MHD holds none of its locks while calling it. Because wakes
 * run under the model lock, that cancel also waits out a wake still
 * unlocking the request's mutex on another thread after its resume let the
 * request finish: the mutex is never cleared under it.
 */
#define _GNU_SOURCE
#include "hls_http.h"

#include <fcntl.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib.h>

#define RTK_HLS_HTTP_MEDIA_MAX_AGE "max-age=30"
#define RTK_HLS_HTTP_UA_MAX 256

struct rtk_hls_http_req {
	rtk_hls *hls;                   /* borrowed */
	struct MHD_Connection *con;     /* borrowed: MHD's */
	GMutex lock;
	bool suspended;                 /* suspended and not yet resumed */
	bool woken;                     /* the wake came before we suspended */
	char *path;                     /* the URI's path (g_malloc'd) */
	char *query;                    /* its query, or NULL (g_malloc'd) */
	char *client_key;               /* "address\nUser-Agent" (g_malloc'd), NULL once counted */
	rtk_hls_request request;        /* borrows the strings above */
};

bool rtk_hls_http_owns(const char *uri)
{
	return uri && strncmp(uri, "/hls/", 5) == 0;
}

/* ---- per-request state ---- */

/* The viewer key of hls.h: the client's numeric address and User-Agent. */
static char *rtk_hls_http_client_key(struct MHD_Connection *con)
{
	char host[NI_MAXHOST] = "?";
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(con,
		MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (info && info->client_addr) {
		const struct sockaddr *sa = info->client_addr;
		socklen_t len = sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
			sizeof(struct sockaddr_in);
		if (getnameinfo(sa, len, host, sizeof host, NULL, 0, NI_NUMERICHOST) != 0)
			g_strlcpy(host, "?", sizeof host);
	}
	const char *ua = MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_USER_AGENT);
	return g_strdup_printf("%s\n%.*s", host, RTK_HLS_HTTP_UA_MAX, ua ? ua : "");
}

static rtk_hls_http_req *rtk_hls_http_req_new(rtk_hls *hls, struct MHD_Connection *con, const char *uri)
{
	rtk_hls_http_req *r = g_new0(rtk_hls_http_req, 1);
	r->hls = hls;
	r->con = con;
	g_mutex_init(&r->lock);
	const char *q = strchr(uri, '?');
	r->path = q ? g_strndup(uri, (gsize)(q - uri)) : g_strdup(uri);
	if (q) {
		const char *hash = strchr(q + 1, '#');
		r->query = hash ? g_strndup(q + 1, (gsize)(hash - q - 1)) : g_strdup(q + 1);
	} else {
		char *hash = strchr(r->path, '#');
		if (hash)
			*hash = '\0';
	}
	r->client_key = rtk_hls_http_client_key(con);
	r->request = (rtk_hls_request) { .path = r->path, .query = r->query, .client_key = r->client_key };
	return r;
}

void rtk_hls_http_req_free(rtk_hls_http_req *r)
{
	if (r == NULL)
		return;
	rtk_hls_cancel(r->hls, r);
	g_mutex_clear(&r->lock);
	g_free(r->path);
	g_free(r->query);
	g_free(r->client_key);
	g_free(r);
}

/* The model's wake callback (model lock held, any thread). */
static void rtk_hls_http_wake(void *data)
{
	rtk_hls_http_req *r = data;
	g_mutex_lock(&r->lock);
	if (r->suspended) {
		r->suspended = false;
		MHD_resume_connection(r->con);
	} else {
		r->woken = true;
	}
	g_mutex_unlock(&r->lock);
}

/* Suspends the connection unless the wake already came. True when
 * suspended; false: ask the model again. */
static bool rtk_hls_http_park(rtk_hls_http_req *r)
{
	g_mutex_lock(&r->lock);
	bool park = !r->woken;
	r->woken = false;
	if (park) {
		MHD_suspend_connection(r->con);
		r->suspended = true;
	}
	g_mutex_unlock(&r->lock);
	return park;
}

/* ---- responses ---- */

static void rtk_hls_http_cors(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, "*");
}

static enum MHD_Result rtk_hls_http_queue(struct MHD_Connection *con, unsigned int status,
	struct MHD_Response *resp)
{
	if (resp == NULL)
		return MHD_NO;
	rtk_hls_http_cors(resp);
	enum MHD_Result ret = MHD_queue_response(con, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result rtk_hls_http_text(struct MHD_Connection *con, unsigned int status, const char *text)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(text), (void *)text,
		MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	return rtk_hls_http_queue(con, status, resp);
}

static enum MHD_Result rtk_hls_http_options(struct MHD_Connection *con)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	const char *asked = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
		MHD_HTTP_HEADER_ACCESS_CONTROL_REQUEST_HEADERS);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_METHODS, "GET, HEAD, OPTIONS");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_HEADERS,
		asked && *asked ? asked : "Range");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCESS_CONTROL_MAX_AGE, "86400");
	return rtk_hls_http_queue(con, MHD_HTTP_NO_CONTENT, resp);
}

static enum MHD_Result rtk_hls_http_not_allowed(struct MHD_Connection *con)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen("method not allowed\n"),
		(void *)"method not allowed\n", MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD, OPTIONS");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	return rtk_hls_http_queue(con, MHD_HTTP_METHOD_NOT_ALLOWED, resp);
}

enum MHD_Result rtk_hls_http_busy(struct MHD_Connection *con)
{
	static const char text[] = "too many livestream connections on this server; retry shortly\n";
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(text), (void *)text,
		MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "1");
	/* The slot goes back at once instead of idling as a keep-alive. */
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	return rtk_hls_http_queue(con, MHD_HTTP_SERVICE_UNAVAILABLE, resp);
}

/* A media file from disk: MHD sends it (sendfile) and closes the fd. A
 * file gone in the meantime is 404. */
static enum MHD_Result rtk_hls_http_file(struct MHD_Connection *con, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		return rtk_hls_http_text(con, MHD_HTTP_NOT_FOUND, "no such file in this livestream\n");
	}
	struct MHD_Response *resp = MHD_create_response_from_fd64((uint64_t)st.st_size, fd);
	if (resp == NULL) {
		close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "video/mp4");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, RTK_HLS_HTTP_MEDIA_MAX_AGE);
	return rtk_hls_http_queue(con, MHD_HTTP_OK, resp);
}

static enum MHD_Result rtk_hls_http_playlist(struct MHD_Connection *con, rtk_hls_reply *reply)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(reply->body_len, reply->body,
		MHD_RESPMEM_MUST_FREE);
	if (resp == NULL)
		return MHD_NO;
	reply->body = NULL;   /* MHD frees it with free() */
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/vnd.apple.mpegurl");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	return rtk_hls_http_queue(con, MHD_HTTP_OK, resp);
}

static enum MHD_Result rtk_hls_http_answer(struct MHD_Connection *con, rtk_hls_reply *reply)
{
	enum MHD_Result ret;
	if (reply->status == 200 && reply->file)
		ret = rtk_hls_http_file(con, reply->file);
	else if (reply->status == 200 && reply->body)
		ret = rtk_hls_http_playlist(con, reply);
	else
		ret = rtk_hls_http_text(con, (unsigned int)reply->status, reply->body ? reply->body : "\n");
	rtk_hls_reply_clear(reply);
	return ret;
}

/* ---- entry ---- */

enum MHD_Result rtk_hls_http_serve(rtk_hls *hls, struct MHD_Connection *con, const char *method,
	const char *uri, rtk_hls_http_req **state)
{
	if (strcmp(method, MHD_HTTP_METHOD_OPTIONS) == 0)
		return rtk_hls_http_options(con);
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return rtk_hls_http_not_allowed(con);
	if (hls == NULL)
		return rtk_hls_http_text(con, MHD_HTTP_NOT_FOUND, "no livestreams on this server\n");
	if (*state == NULL)
		*state = rtk_hls_http_req_new(hls, con, uri);
	rtk_hls_http_req *r = *state;
	for (;;) {
		rtk_hls_reply reply;
		rtk_hls_outcome outcome = rtk_hls_handle(hls, &r->request, rtk_hls_http_wake, r, &reply);
		r->request.client_key = NULL;   /* one request, one sighting */
		if (outcome == RTK_HLS_ANSWER)
			return rtk_hls_http_answer(con, &reply);
		if (rtk_hls_http_park(r))
			return MHD_YES;
	}
}
