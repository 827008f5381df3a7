/*
 * webhooks.c - the delivery thread behind webhooks.h, and its small HTTP/1.1
 * client (plain POSIX sockets, http:// only).
 *
 * Owns two queues under one mutex: events as emitted (FIFO), and deliveries
 * (one per event and subscribed webhook) ordered by when their next attempt
 * is due. The thread turns events into deliveries (reading the store), then
 * runs the deliveries that are due, one at a time, with no lock held while
 * it talks to the network; a retry waits in the queue, so one failing
 * receiver does not hold back the others for longer than one attempt.
 *
 * Why a hand-made client: a delivery is one POST and one status line, and
 * keeping the gateway free of another library keeps it linkable into the
 * plugin, the unit tests and the fuzzers as it is.
 *
 * Shutdown: rtk_webhooks_free() sets a deadline (now + grace) and writes to a
 * pipe that every wait of an attempt also polls, so an attempt in flight
 * sees the deadline at once and never runs past it.
 *
 * Nothing here logs a secret, a body or a URL's path and query (they may
 * carry tokens): logs name the webhook by id and host.
 */
#define _GNU_SOURCE   /* pipe2, SOCK_NONBLOCK, MSG_NOSIGNAL */
#include "webhooks.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "util.h"

const char *const rtk_webhook_event_names[] = {
	"meeting.started",
	"meeting.ended",
	"meeting.participantJoined",
	"meeting.participantLeft",
	"recording.statusUpdate",
	"livestreaming.statusUpdate",
	"meeting.chatSynced",
	NULL
};

int rtk_webhook_event_known(const char *name)
{
	for (const char *const *e = rtk_webhook_event_names; name && *e; e++)
		if (strcmp(*e, name) == 0)
			return 1;
	return 0;
}

/* ---- signature ---- */

char *rtk_webhooks_signature(const char *secret, const char *body, size_t body_len)
{
	static const char hex[] = "0123456789abcdef";
	static const unsigned char empty = 0;
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	if (!HMAC(EVP_sha256(), secret ? secret : "", secret ? (int)strlen(secret) : 0,
			body ? (const unsigned char *)body : &empty, body_len, mac, &mac_len))
		return NULL;
	char *out = malloc(7 + 2 * mac_len + 1);
	if (!out)
		return NULL;
	memcpy(out, "sha256=", 7);
	for (unsigned int i = 0; i < mac_len; i++) {
		out[7 + 2 * i] = hex[mac[i] >> 4];
		out[7 + 2 * i + 1] = hex[mac[i] & 0x0f];
	}
	out[7 + 2 * mac_len] = '\0';
	return out;
}

/* ---- queues ---- */

typedef struct pending_event {
	char *name;
	json_t *data;        /* owned; an object */
	char *created_at;
} pending_event;

typedef struct delivery {
	char *webhook_id;
	char *url;
	char *secret;
	char *id;            /* delivery uuid, also in the body */
	char *event;
	char *body;          /* the signed bytes, NUL-terminated */
	char *signature;
	int attempts;        /* made so far */
	gint64 due;          /* monotonic microseconds */
} delivery;

struct rtk_webhooks {
	rtk_store *store;    /* borrowed */
	GThread *thread;
	GMutex lock;
	GCond cond;
	GQueue events;       /* pending_event *, oldest first */
	GQueue deliveries;   /* delivery *, by due time */
	gint64 stop_at;      /* 0 while running; then the monotonic deadline */
	int wake[2];         /* pipe: written once by free() */
};

static void pending_event_free(pending_event *e)
{
	if (!e)
		return;
	free(e->name);
	json_decref(e->data);
	free(e->created_at);
	free(e);
}

static void free_secret(char *s)
{
	if (s) {
		memset(s, 0, strlen(s));
		free(s);
	}
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void delivery_free(delivery *d)
{
	if (!d)
		return;
	free(d->webhook_id);
	free(d->url);
	free_secret(d->secret);
	free(d->id);
	free(d->event);
	free(d->body);
	free(d->signature);
	free(d);
}

static gint by_due(gconstpointer a, gconstpointer b, gpointer unused)
{
	gint64 da = ((const delivery *)a)->due, db = ((const delivery *)b)->due;
	return da < db ? -1 : da > db ? 1 : 0;
}

/* Called with the lock held. */
static guint pending_locked(rtk_webhooks *wh)
{
	return wh->events.length + wh->deliveries.length;
}

static gint64 stop_deadline(rtk_webhooks *wh)
{
	g_mutex_lock(&wh->lock);
	gint64 at = wh->stop_at;
	g_mutex_unlock(&wh->lock);
	return at;
}

/* ---- the HTTP client ---- */

typedef struct target {
	char *host;          /* without brackets */
	char *port;          /* decimal */
	char *authority;     /* for Host: */
	char *path;          /* "/..." with the query, without the fragment */
} target;

static void target_clear(target *t)
{
	g_free(t->host);
	g_free(t->port);
	g_free(t->authority);
	g_free(t->path);
	*t = (target) { 0 };
}

/* Splits an http:// URL. NULL on success, else why not (a static string). */
static const char *target_parse(const char *url, target *t)
{
	*t = (target) { 0 };
	if (!url)
		return "no URL";
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return "the URL has spaces or control characters";
	if (g_ascii_strncasecmp(url, "https://", 8) == 0)
		return "https:// URLs are not supported by this server (plain http:// only)";
	if (g_ascii_strncasecmp(url, "http://", 7) != 0)
		return "not an http:// URL";
	const char *rest = url + 7;
	size_t auth_len = strcspn(rest, "/?#");
	if (auth_len == 0)
		return "the URL has no host";
	char *authority = g_strndup(rest, auth_len);
	if (strchr(authority, '@')) {
		g_free(authority);
		return "user:password@ in a webhook URL is not supported";
	}
	const char *host = authority, *colon;
	size_t host_len;
	if (authority[0] == '[') {
		const char *close = strchr(authority, ']');
		if (!close || (close[1] && close[1] != ':')) {
			g_free(authority);
			return "malformed IPv6 host";
		}
		host = authority + 1;
		host_len = (size_t)(close - host);
		colon = close[1] ? close + 1 : NULL;
	} else {
		colon = strrchr(authority, ':');
		host_len = colon ? (size_t)(colon - authority) : strlen(authority);
	}
	long port = 80;
	if (colon) {
		char *end = NULL;
		port = colon[1] >= '0' && colon[1] <= '9' ? strtol(colon + 1, &end, 10) : -1;
		if (port < 1 || port > 65535 || *end) {
			g_free(authority);
			return "malformed port";
		}
	}
	if (host_len == 0) {
		g_free(authority);
		return "the URL has no host";
	}
	t->host = g_strndup(host, host_len);
	t->port = g_strdup_printf("%ld", port);
	t->authority = authority;
	const char *path = rest + auth_len;
	size_t path_len = strcspn(path, "#");
	t->path = path[0] == '/' ? g_strndup(path, path_len)
		: g_strdup_printf("/%.*s", (int)path_len, path);
	return NULL;
}

/* Waits until `fd` is ready for `events`, the attempt's deadline passes or
 * free()'s deadline does. 1 ready, 0 out of time, -1 error. */
static int wait_fd(rtk_webhooks *wh, int fd, short events, gint64 deadline)
{
	for (;;) {
		gint64 stop = stop_deadline(wh), limit = deadline;
		if (stop && stop < limit)
			limit = stop;
		gint64 left = limit - g_get_monotonic_time();
		if (left <= 0)
			return 0;
		/* Once free() has written to the pipe it stays readable: poll it
		 * only before, to learn of the new deadline. */
		struct pollfd p[2] = { { fd, events, 0 }, { wh->wake[0], POLLIN, 0 } };
		int n = poll(p, stop ? 1 : 2, (int)((left + 999) / 1000));
		if (n < 0 && errno != EINTR)
			return -1;
		if (n > 0 && p[0].revents)
			return 1;
	}
}

/* A connected socket, or -1 with *why set. */
static int connect_target(rtk_webhooks *wh, const target *t, gint64 deadline, const char **why)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
		.ai_flags = AI_NUMERICSERV }, *res = NULL;
	/* getaddrinfo() cannot be interrupted; a literal address or a local
	 * name resolves at once. */
	if (getaddrinfo(t->host, t->port, &hints, &res) != 0) {
		*why = "cannot resolve the host";
		return -1;
	}
	int fd = -1;
	*why = "cannot connect";
	for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		int err = 0;
		socklen_t len = sizeof(err);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno != EINPROGRESS) {
			*why = errno == ECONNREFUSED ? "connection refused" : "cannot connect";
		} else {
			int ready = wait_fd(wh, fd, POLLOUT, deadline);
			if (ready > 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0)
				break;
			*why = ready == 0 ? "timed out connecting" :
				err == ECONNREFUSED ? "connection refused" : "cannot connect";
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

static int send_all(rtk_webhooks *wh, int fd, const char *buf, size_t len, gint64 deadline)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		} else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			return -1;
		} else if (wait_fd(wh, fd, POLLOUT, deadline) <= 0) {
			return -1;
		}
	}
	return 0;
}

/* Reads up to the end of the status line; returns the status or -1. */
static int read_status(rtk_webhooks *wh, int fd, gint64 deadline)
{
	char line[256];
	size_t have = 0;
	while (have < sizeof(line) - 1) {
		ssize_t n = recv(fd, line + have, sizeof(line) - 1 - have, 0);
		if (n > 0) {
			have += (size_t)n;
			line[have] = '\0';
			if (strstr(line, "\r\n") || strchr(line, '\n'))
				break;
		} else if (n == 0) {
			break;
		} else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			return -1;
		} else if (wait_fd(wh, fd, POLLIN, deadline) <= 0) {
			return -1;
		}
	}
	line[have] = '\0';
	int major = 0, minor = 0, status = 0;
	if (sscanf(line, "HTTP/%d.%d %3d", &major, &minor, &status) != 3 || status < 100 || status > 999)
		return -1;
	return status;
}

/* The request bytes for one attempt (g_free()). */
static char *request_text(const target *t, const delivery *d)
{
	return g_strdup_printf("POST %s HTTP/1.1\r\n"
		"Host: %s\r\n"
		"User-Agent: rtk-webhooks/1\r\n"
		"Content-Type: application/json\r\n"
		"Content-Length: %zu\r\n"
		"rtk-webhook-id: %s\r\n"
		"rtk-timestamp: %lld\r\n"
		"rtk-signature: %s\r\n"
		"Connection: close\r\n"
		"\r\n"
		"%s", t->path, t->authority, strlen(d->body), d->id, (long long)time(NULL),
		d->signature, d->body);
}

typedef enum attempt_result { ATTEMPT_OK, ATTEMPT_RETRY, ATTEMPT_GIVE_UP } attempt_result;

/* One POST. *why (static) or *status says what went wrong. */
static attempt_result attempt(rtk_webhooks *wh, const delivery *d, const char **why, int *status,
	char **host)
{
	target t;
	*status = 0;
	*why = target_parse(d->url, &t);
	if (*why)
		return ATTEMPT_GIVE_UP;
	*host = g_strdup(t.authority);
	gint64 deadline = g_get_monotonic_time() + (gint64)RTK_WEBHOOKS_TIMEOUT_MS * 1000;
	attempt_result result = ATTEMPT_RETRY;
	int fd = connect_target(wh, &t, deadline, why);
	if (fd >= 0) {
		char *text = request_text(&t, d);
		if (send_all(wh, fd, text, strlen(text), deadline) != 0) {
			*why = "cannot send the request";
		} else {
			*status = read_status(wh, fd, deadline);
			if (*status < 0)
				*why = "no HTTP answer in time";
			else if (*status >= 200 && *status < 300)
				result = ATTEMPT_OK;
		}
		g_free(text);
		close(fd);
	}
	target_clear(&t);
	return result;
}

/* ---- turning events into deliveries ---- */

static char *body_text(const pending_event *e, const char *id)
{
	json_t *body = json_pack("{s:s, s:s, s:s}", "event", e->name, "id", id,
		"created_at", e->created_at);
	if (!body)
		return NULL;
	json_object_update_missing(body, e->data);
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	return text;
}

static delivery *delivery_new(const pending_event *e, const json_t *webhook)
{
	delivery *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->webhook_id = dup_or_null(json_string_value(json_object_get(webhook, "id")));
	d->url = dup_or_null(json_string_value(json_object_get(webhook, "url")));
	d->secret = dup_or_null(json_string_value(json_object_get(webhook, "secret")));
	d->event = dup_or_null(e->name);
	d->id = rtk_util_uuid4();
	d->body = d->id ? body_text(e, d->id) : NULL;
	d->signature = d->body ? rtk_webhooks_signature(d->secret, d->body, strlen(d->body)) : NULL;
	d->due = g_get_monotonic_time();
	if (!d->webhook_id || !d->url || !d->secret || !d->event || !d->signature) {
		delivery_free(d);
		return NULL;
	}
	return d;
}

/* Reads the subscribers of `e` and queues a delivery for each. */
static void expand(rtk_webhooks *wh, pending_event *e)
{
	json_t *hooks = NULL;
	if (rtk_store_webhook_list_for_event(wh->store, e->name, &hooks) != RTK_STORE_OK) {
		g_warning("rtk webhooks: cannot read the webhooks for %s; event dropped", e->name);
		return;
	}
	size_t i;
	json_t *hook;
	json_array_foreach(hooks, i, hook) {
		delivery *d = delivery_new(e, hook);
		if (!d) {
			g_warning("rtk webhooks: out of memory; %s not delivered", e->name);
			continue;
		}
		g_mutex_lock(&wh->lock);
		g_queue_insert_sorted(&wh->deliveries, d, by_due, NULL);
		g_mutex_unlock(&wh->lock);
	}
	json_decref(hooks);
}

/* Runs one attempt of `d`; requeues it for a retry or frees it. */
static void run(rtk_webhooks *wh, delivery *d)
{
	const char *why = NULL;
	int status = 0;
	char *host = NULL;
	attempt_result result = attempt(wh, d, &why, &status, &host);
	d->attempts++;
	if (result == ATTEMPT_OK) {
		delivery_free(d);
		g_free(host);
		return;
	}
	gint64 stop = stop_deadline(wh);
	if (result == ATTEMPT_RETRY && stop && g_get_monotonic_time() >= stop) {
		g_warning("rtk webhooks: %s to webhook %s (%s) dropped: the server is stopping",
			d->event, d->webhook_id, host ? host : "?");
		delivery_free(d);
		g_free(host);
		return;
	}
	char reason[128];
	if (status > 0)
		snprintf(reason, sizeof(reason), "answered HTTP %d", status);
	else
		snprintf(reason, sizeof(reason), "%s", why ? why : "failed");
	if (result == ATTEMPT_RETRY && d->attempts < RTK_WEBHOOKS_ATTEMPTS) {
		g_message("rtk webhooks: %s to webhook %s (%s): attempt %d %s; retrying",
			d->event, d->webhook_id, host ? host : "?", d->attempts, reason);
		d->due = g_get_monotonic_time() + (gint64)d->attempts * RTK_WEBHOOKS_BACKOFF_MS * 1000;
		g_mutex_lock(&wh->lock);
		g_queue_insert_sorted(&wh->deliveries, d, by_due, NULL);
		g_mutex_unlock(&wh->lock);
	} else {
		g_warning("rtk webhooks: %s to webhook %s (%s) failed after %d attempt%s: %s",
			d->event, d->webhook_id, host ? host : "?", d->attempts,
			d->attempts == 1 ? "" : "s", reason);
		delivery_free(d);
	}
	g_free(host);
}

/* ---- the thread ---- */

/* With the lock held: waits for work; returns false when the thread must end. */
static gboolean wait_for_work(rtk_webhooks *wh)
{
	for (;;) {
		gint64 now = g_get_monotonic_time();
		delivery *next = g_queue_peek_head(&wh->deliveries);
		if (wh->stop_at && (now >= wh->stop_at ||
				(wh->events.length == 0 && (!next || next->due >= wh->stop_at))))
			return FALSE;   /* stopping, and nothing more can run in the grace */
		if (wh->events.length > 0 || (next && next->due <= now))
			return TRUE;
		gint64 until = next ? next->due : G_MAXINT64;
		if (wh->stop_at && wh->stop_at < until)
			until = wh->stop_at;
		if (until == G_MAXINT64)
			g_cond_wait(&wh->cond, &wh->lock);
		else
			g_cond_wait_until(&wh->cond, &wh->lock, until);
	}
}

static gpointer thread_main(gpointer data)
{
	rtk_webhooks *wh = data;
	g_mutex_lock(&wh->lock);
	while (wait_for_work(wh)) {
		pending_event *e = g_queue_pop_head(&wh->events);
		delivery *d = e ? NULL : g_queue_pop_head(&wh->deliveries);
		g_mutex_unlock(&wh->lock);
		if (e) {
			expand(wh, e);
			pending_event_free(e);
		} else {
			run(wh, d);
		}
		g_mutex_lock(&wh->lock);
	}
	guint dropped = pending_locked(wh);
	g_mutex_unlock(&wh->lock);
	if (dropped)
		g_warning("rtk webhooks: stopping; %u queued event(s) or deliveries dropped", dropped);
	return NULL;
}

/* ---- public ---- */

rtk_webhooks *rtk_webhooks_new(rtk_store *store)
{
	rtk_webhooks *wh = calloc(1, sizeof(*wh));
	if (!wh)
		return NULL;
	wh->store = store;
	g_mutex_init(&wh->lock);
	g_cond_init(&wh->cond);
	g_queue_init(&wh->events);
	g_queue_init(&wh->deliveries);
	wh->wake[0] = wh->wake[1] = -1;
	GError *err = NULL;
	if (pipe2(wh->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
		g_warning("rtk webhooks: cannot make a pipe: %s", strerror(errno));
	} else {
		wh->thread = g_thread_try_new("rtk-webhooks", thread_main, wh, &err);
		if (!wh->thread) {
			g_warning("rtk webhooks: cannot start the delivery thread: %s",
				err ? err->message : "unknown error");
			g_clear_error(&err);
		}
	}
	if (!wh->thread) {
		rtk_webhooks_free(wh);
		return NULL;
	}
	return wh;
}

void rtk_webhooks_free(rtk_webhooks *wh)
{
	if (!wh)
		return;
	if (wh->thread) {
		g_mutex_lock(&wh->lock);
		wh->stop_at = g_get_monotonic_time() + (gint64)RTK_WEBHOOKS_GRACE_MS * 1000;
		g_cond_signal(&wh->cond);
		g_mutex_unlock(&wh->lock);
		if (write(wh->wake[1], "x", 1) < 0 && errno != EAGAIN)
			g_warning("rtk webhooks: cannot wake the delivery thread: %s", strerror(errno));
		g_thread_join(wh->thread);
	}
	g_queue_clear_full(&wh->events, (GDestroyNotify)pending_event_free);
	g_queue_clear_full(&wh->deliveries, (GDestroyNotify)delivery_free);
	for (int i = 0; i < 2; i++)
		if (wh->wake[i] >= 0)
			close(wh->wake[i]);
	g_cond_clear(&wh->cond);
	g_mutex_clear(&wh->lock);
	free(wh);
}

void rtk_webhooks_emit(rtk_webhooks *wh, const char *event, json_t *data)
{
	if (!wh || !event) {
		json_decref(data);
		return;
	}
	if (!rtk_webhook_event_known(event)) {
		g_warning("rtk webhooks: '%s' is not a webhook event (webhooks.h); dropped", event);
		json_decref(data);
		return;
	}
	if (data && !json_is_object(data)) {
		g_warning("rtk webhooks: %s emitted with data that is not an object; sent without it", event);
		json_decref(data);
		data = NULL;
	}
	pending_event *e = calloc(1, sizeof(*e));
	if (e) {
		e->name = strdup(event);
		e->data = data ? data : json_object();
		e->created_at = rtk_util_now_iso8601();
	}
	if (!e || !e->name || !e->data || !e->created_at) {
		if (e)
			pending_event_free(e);
		else
			json_decref(data);
		g_warning("rtk webhooks: out of memory; %s dropped", event);
		return;
	}
	g_mutex_lock(&wh->lock);
	gboolean accepted = !wh->stop_at && pending_locked(wh) < RTK_WEBHOOKS_MAX_PENDING;
	if (accepted) {
		g_queue_push_tail(&wh->events, e);
		g_cond_signal(&wh->cond);
	}
	g_mutex_unlock(&wh->lock);
	if (!accepted) {
		g_warning("rtk webhooks: %s dropped: the delivery queue is full or stopping", event);
		pending_event_free(e);
	}
}
