/*
 * test_webhooks.c - webhook delivery (gateway/webhooks.c) end to end: a real
 * store with webhooks in it, rtk_webhooks_emit(), and a tiny HTTP receiver
 * on 127.0.0.1 (a thread in this test) that records every request and
 * answers with the statuses a test scripts for its path.
 *
 * Checked: the body (event, id, created_at, the data merged at the top
 * level), the headers, that rtk-signature verifies with the webhook's secret
 * (HMAC computed here with OpenSSL, independently of webhooks.c), that an
 * unsubscribed event and a disabled webhook get nothing, that a 500 is
 * retried with the same delivery, that bad URLs fail without harming other
 * deliveries, and that rtk_webhooks_free() returns within its grace even
 * with a receiver that never answers.
 *
 * "Nothing was delivered" is observed without sleeping: one delivery thread
 * handles events in order, so after emitting the event under test the test
 * emits a sentinel event (meeting.chatSynced, to its own webhook) and checks
 * that the sentinel is the next request the receiver sees.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "store.h"
#include "unit.h"
#include "webhooks.h"

#define WAIT_MS 10000   /* longest wait for a request that must come */

static char tmpdir[256];

/* ---- the receiver ---- */

typedef struct received {
	char *method;
	char *path;          /* with the query */
	GHashTable *headers; /* lower-case name -> value */
	char *body;
	size_t body_len;
	int status;          /* what the receiver answered */
	gint64 at;           /* monotonic, when it was read */
} received;

typedef struct receiver {
	int fd;
	int port;
	gint stop;
	GThread *thread;
	GAsyncQueue *requests;   /* received * */
	GMutex lock;
	GHashTable *script;      /* path without query -> GQueue of statuses; 200 when empty */
} receiver;

static void received_free(received *r)
{
	if (!r)
		return;
	g_free(r->method);
	g_free(r->path);
	if (r->headers)
		g_hash_table_destroy(r->headers);
	g_free(r->body);
	g_free(r);
}

static const char *header(const received *r, const char *name)
{
	return g_hash_table_lookup(r->headers, name);
}

/* Parses "METHOD PATH HTTP/1.1" and the header lines of `head`. */
static received *parse_head(const char *head)
{
	received *r = g_new0(received, 1);
	r->headers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	char **lines = g_strsplit(head, "\r\n", -1);
	char **first = lines[0] ? g_strsplit(lines[0], " ", 3) : NULL;
	if (first && first[0] && first[1]) {
		r->method = g_strdup(first[0]);
		r->path = g_strdup(first[1]);
	}
	for (char **l = lines + (lines[0] ? 1 : 0); *l && **l; l++) {
		char *colon = strchr(*l, ':');
		if (!colon)
			continue;
		char *name = g_ascii_strdown(*l, colon - *l);
		g_hash_table_replace(r->headers, name, g_strdup(g_strstrip(colon + 1)));
	}
	g_strfreev(first);
	g_strfreev(lines);
	return r;
}

/* Reads one request from `c` (headers, then Content-Length bytes). */
static received *read_request(int c)
{
	GString *buf = g_string_new(NULL);
	char chunk[4096];
	const char *end = NULL;
	while (!(end = strstr(buf->str, "\r\n\r\n")) && buf->len < 65536) {
		ssize_t n = recv(c, chunk, sizeof(chunk), 0);
		if (n <= 0)
			break;
		g_string_append_len(buf, chunk, n);
	}
	received *r = NULL;
	if (end) {
		size_t head_len = (size_t)(end - buf->str);
		char *head = g_strndup(buf->str, head_len);
		r = parse_head(head);
		g_free(head);
		const char *cl = header(r, "content-length");
		size_t want = cl ? strtoul(cl, NULL, 10) : 0, have = buf->len - head_len - 4;
		while (have < want && want < 1024 * 1024) {
			ssize_t n = recv(c, chunk, sizeof(chunk), 0);
			if (n <= 0)
				break;
			g_string_append_len(buf, chunk, n);
			have += (size_t)n;
		}
		r->body_len = buf->len - head_len - 4;
		r->body = g_strndup(buf->str + head_len + 4, r->body_len);
	}
	g_string_free(buf, TRUE);
	return r;
}

static int scripted_status(receiver *rc, const char *path)
{
	char *key = g_strndup(path, strcspn(path, "?"));
	g_mutex_lock(&rc->lock);
	GQueue *q = g_hash_table_lookup(rc->script, key);
	int status = q && !g_queue_is_empty(q) ? GPOINTER_TO_INT(g_queue_pop_head(q)) : 200;
	g_mutex_unlock(&rc->lock);
	g_free(key);
	return status;
}

static gpointer receiver_main(gpointer data)
{
	receiver *rc = data;
	while (!g_atomic_int_get(&rc->stop)) {
		struct pollfd p = { rc->fd, POLLIN, 0 };
		if (poll(&p, 1, 50) <= 0)
			continue;
		int c = accept(rc->fd, NULL, NULL);
		if (c < 0)
			continue;
		struct timeval tv = { 5, 0 };
		setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		received *r = read_request(c);
		int status = r && r->path ? scripted_status(rc, r->path) : 400;
		char reply[128];
		snprintf(reply, sizeof(reply), "HTTP/1.1 %d Scripted\r\nContent-Length: 0\r\n"
			"Connection: close\r\n\r\n", status);
		if (send(c, reply, strlen(reply), MSG_NOSIGNAL) < 0)
			perror("receiver send");
		close(c);
		if (r) {
			r->status = status;
			r->at = g_get_monotonic_time();
			g_async_queue_push(rc->requests, r);
		}
	}
	return NULL;
}

/* A listening socket on 127.0.0.1, any port; *port gets it. */
static int listen_local(int *port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 16) != 0 ||
			getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
		perror("listen_local");
		exit(1);
	}
	*port = ntohs(a.sin_port);
	return fd;
}

static receiver *receiver_start(void)
{
	receiver *rc = g_new0(receiver, 1);
	rc->fd = listen_local(&rc->port);
	rc->requests = g_async_queue_new_full((GDestroyNotify)received_free);
	g_mutex_init(&rc->lock);
	rc->script = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_queue_free);
	rc->thread = g_thread_new("receiver", receiver_main, rc);
	return rc;
}

static void receiver_stop(receiver *rc)
{
	g_atomic_int_set(&rc->stop, 1);
	g_thread_join(rc->thread);
	close(rc->fd);
	g_async_queue_unref(rc->requests);
	g_hash_table_destroy(rc->script);
	g_mutex_clear(&rc->lock);
	g_free(rc);
}

/* The next answers for `path`, before the default 200. */
static void receiver_script(receiver *rc, const char *path, int status)
{
	g_mutex_lock(&rc->lock);
	GQueue *q = g_hash_table_lookup(rc->script, path);
	if (!q) {
		q = g_queue_new();
		g_hash_table_insert(rc->script, g_strdup(path), q);
	}
	g_queue_push_tail(q, GINT_TO_POINTER(status));
	g_mutex_unlock(&rc->lock);
}

/* The next request, or NULL after WAIT_MS. */
static received *next_request(receiver *rc)
{
	return g_async_queue_timeout_pop(rc->requests, (guint64)WAIT_MS * 1000);
}

/* ---- fixtures ---- */

static rtk_store *open_store(const char *name)
{
	char *path = g_build_filename(tmpdir, name, NULL), *error = NULL;
	rtk_store *s = rtk_store_open(path, &error);
	if (!s) {
		fprintf(stderr, "open %s: %s\n", path, error ? error : "?");
		exit(1);
	}
	g_free(path);
	return s;
}

/* Stores a webhook; returns its id (g_free()). */
static char *add_webhook(rtk_store *s, const char *url, const char *event, int enabled,
	const char *secret)
{
	json_t *fields = json_pack("{s:s, s:s, s:[s], s:b}", "name", event, "url", url,
		"events", event, "enabled", enabled), *w = NULL;
	if (secret)
		json_object_set_new(fields, "secret", json_string(secret));
	CHECK_EQ_INT(rtk_store_webhook_create(s, fields, &w), RTK_STORE_OK);
	char *id = g_strdup(json_string_value(json_object_get(w, "id")));
	json_decref(w);
	json_decref(fields);
	return id;
}

static char *local_url(receiver *rc, const char *path)
{
	return g_strdup_printf("http://127.0.0.1:%d%s", rc->port, path);
}

/* "sha256=" + hex HMAC-SHA256, computed here (g_free()). */
static char *expected_signature(const char *secret, const char *body, size_t len)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)body, len, mac, &mac_len);
	GString *out = g_string_new("sha256=");
	for (unsigned int i = 0; i < mac_len; i++)
		g_string_append_printf(out, "%02x", mac[i]);
	return g_string_free(out, FALSE);
}

static const char *body_str(const received *r, const char *key)
{
	json_t *body = json_loadb(r->body, r->body_len, 0, NULL);
	static char value[256];
	const char *v = json_string_value(json_object_get(body, key));
	g_strlcpy(value, v ? v : "", sizeof(value));
	json_decref(body);
	return v ? value : NULL;
}

/* Emits the sentinel and checks that it, and nothing else, comes next. */
static void expect_only_sentinel(rtk_webhooks *wh, receiver *rc)
{
	rtk_webhooks_emit(wh, "meeting.chatSynced", json_pack("{s:s}", "sentinel", "yes"));
	received *r = next_request(rc);
	CHECK_NOT_NULL(r);
	if (r) {
		if (strcmp(r->path, "/sentinel") != 0)
			fprintf(stderr, "\tunexpected request to %s: %s\n", r->path, r->body);
		CHECK_EQ_STR(r->path, "/sentinel");
		CHECK_EQ_STR(body_str(r, "event"), "meeting.chatSynced");
	}
	received_free(r);
}

/* ---- tests ---- */

static rtk_store *store;
static receiver *rc;
static rtk_webhooks *wh;

static void test_signature_helper(void)
{
	/* RFC 4231, test case 2 */
	char *sig = rtk_webhooks_signature("Jefe", "what do ya want for nothing?", 28);
	CHECK_EQ_STR(sig, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	free(sig);
	CHECK(rtk_webhook_event_known("meeting.started"));
	CHECK(rtk_webhook_event_known("livestreaming.statusUpdate"));
	CHECK(!rtk_webhook_event_known("meeting.Started"));
	CHECK(!rtk_webhook_event_known(NULL));
}

static void test_delivery(void)
{
	char *url = local_url(rc, "/a?x=1#fragment");
	char *hook = add_webhook(store, url, "recording.statusUpdate", 1, "secret-a");
	g_free(url);

	time_t before = time(NULL);
	rtk_webhooks_emit(wh, "recording.statusUpdate", json_pack("{s:{s:s}, s:{s:s, s:s}, s:s, s:s}",
		"meeting", "id", "m1", "recording", "id", "r1", "status", "RECORDING",
		"event", "spoofed", "id", "spoofed"));
	received *r = next_request(rc);
	CHECK_NOT_NULL(r);
	if (!r)
		goto out;
	CHECK_EQ_STR(r->method, "POST");
	CHECK_EQ_STR(r->path, "/a?x=1");
	CHECK_EQ_STR(header(r, "content-type"), "application/json");
	char *host = g_strdup_printf("127.0.0.1:%d", rc->port);
	CHECK_EQ_STR(header(r, "host"), host);
	g_free(host);
	CHECK_EQ_INT(strtoul(header(r, "content-length") ? header(r, "content-length") : "0", NULL, 10),
		r->body_len);

	json_error_t err;
	json_t *body = json_loadb(r->body, r->body_len, 0, &err);
	CHECK(json_is_object(body));
	CHECK_EQ_STR(json_string_value(json_object_get(body, "event")), "recording.statusUpdate");
	const char *id = json_string_value(json_object_get(body, "id"));
	CHECK_EQ_INT(strlen(id ? id : ""), 36);
	CHECK_EQ_STR(header(r, "rtk-webhook-id"), id);
	const char *created = json_string_value(json_object_get(body, "created_at"));
	CHECK_EQ_INT(strlen(created ? created : ""), 24);
	CHECK_EQ_STR(json_string_value(json_object_get(json_object_get(body, "meeting"), "id")), "m1");
	CHECK_EQ_STR(json_string_value(json_object_get(json_object_get(body, "recording"), "status")),
		"RECORDING");
	CHECK_EQ_INT(json_object_size(body), 5);
	json_decref(body);

	/* the signature verifies with the webhook's secret, over the raw bytes */
	char *want = expected_signature("secret-a", r->body, r->body_len);
	CHECK_EQ_STR(header(r, "rtk-signature"), want);
	g_free(want);
	want = expected_signature("another secret", r->body, r->body_len);
	CHECK(strcmp(header(r, "rtk-signature") ? header(r, "rtk-signature") : "", want) != 0);
	g_free(want);
	long long ts = header(r, "rtk-timestamp") ? atoll(header(r, "rtk-timestamp")) : 0;
	CHECK(ts >= (long long)before && ts <= (long long)time(NULL) + 1);
	received_free(r);
out:
	CHECK_EQ_INT(rtk_store_webhook_delete(store, hook), RTK_STORE_OK);
	g_free(hook);
}

static void test_not_delivered(void)
{
	char *url_a = local_url(rc, "/a"), *url_d = local_url(rc, "/disabled");
	char *a = add_webhook(store, url_a, "meeting.started", 1, NULL);
	char *d = add_webhook(store, url_d, "meeting.started", 0, NULL);
	char *e = add_webhook(store, url_d, "meeting.ended", 0, NULL);

	/* meeting.ended: only a disabled webhook wants it */
	rtk_webhooks_emit(wh, "meeting.ended", json_object());
	expect_only_sentinel(wh, rc);
	/* participantLeft: nobody subscribes; also data that is not an object */
	rtk_webhooks_emit(wh, "meeting.participantLeft", json_integer(5));
	rtk_webhooks_emit(wh, "meeting.participantLeft", NULL);
	expect_only_sentinel(wh, rc);

	/* meeting.started: the enabled webhook gets it, the disabled one does not */
	rtk_webhooks_emit(wh, "meeting.started", json_pack("{s:{s:s}}", "meeting", "id", "m2"));
	received *r = next_request(rc);
	CHECK_NOT_NULL(r);
	if (r) {
		CHECK_EQ_STR(r->path, "/a");
		CHECK_EQ_STR(body_str(r, "event"), "meeting.started");
	}
	received_free(r);
	expect_only_sentinel(wh, rc);

	/* enabling it (PATCH) takes effect for the next event */
	json_t *fields = json_pack("{s:b}", "enabled", 1), *w = NULL;
	CHECK_EQ_INT(rtk_store_webhook_update(store, d, fields, &w), RTK_STORE_OK);
	json_decref(w);
	json_decref(fields);
	CHECK_EQ_INT(rtk_store_webhook_delete(store, a), RTK_STORE_OK);
	rtk_webhooks_emit(wh, "meeting.started", json_object());
	r = next_request(rc);
	CHECK_NOT_NULL(r);
	if (r)
		CHECK_EQ_STR(r->path, "/disabled");
	received_free(r);
	expect_only_sentinel(wh, rc);

	CHECK_EQ_INT(rtk_store_webhook_delete(store, d), RTK_STORE_OK);
	CHECK_EQ_INT(rtk_store_webhook_delete(store, e), RTK_STORE_OK);
	g_free(a);
	g_free(d);
	g_free(e);
	g_free(url_a);
	g_free(url_d);
}

static void test_retry(void)
{
	char *url = local_url(rc, "/retry");
	char *hook = add_webhook(store, url, "meeting.participantJoined", 1, "retry-secret");
	receiver_script(rc, "/retry", 500);
	rtk_webhooks_emit(wh, "meeting.participantJoined", json_pack("{s:{s:s}}",
		"participant", "name", "Ada"));
	received *first = next_request(rc), *second = next_request(rc);
	CHECK_NOT_NULL(first);
	CHECK_NOT_NULL(second);
	if (first && second) {
		CHECK_EQ_STR(first->path, "/retry");
		CHECK_EQ_STR(second->path, "/retry");
		CHECK_EQ_INT(first->status, 500);
		CHECK_EQ_INT(second->status, 200);
		/* the same delivery again, still correctly signed, after the backoff */
		CHECK_EQ_STR(header(second, "rtk-webhook-id"), header(first, "rtk-webhook-id"));
		CHECK_EQ_STR(second->body, first->body);
		char *want = expected_signature("retry-secret", second->body, second->body_len);
		CHECK_EQ_STR(header(second, "rtk-signature"), want);
		g_free(want);
		CHECK(second->at - first->at >= (gint64)RTK_WEBHOOKS_BACKOFF_MS * 1000 * 9 / 10);
	}
	received_free(first);
	received_free(second);
	/* a success is not repeated */
	expect_only_sentinel(wh, rc);

	/* three 500s: three attempts, then it gives up */
	for (int i = 0; i < 3; i++)
		receiver_script(rc, "/retry", 500);
	rtk_webhooks_emit(wh, "meeting.participantJoined", json_object());
	for (int i = 0; i < 3; i++) {
		received *r = next_request(rc);
		CHECK_NOT_NULL(r);
		if (r)
			CHECK_EQ_INT(r->status, 500);
		received_free(r);
	}
	expect_only_sentinel(wh, rc);
	CHECK_EQ_INT(rtk_store_webhook_delete(store, hook), RTK_STORE_OK);
	g_free(hook);
	g_free(url);
}

/* Unreachable or unsupported URLs fail, logged; the others still arrive. */
static void test_bad_urls(void)
{
	const char *urls[] = {
		"http://127.0.0.1:1/refused",
		"https://127.0.0.1:1/tls",
		"http://[::1/bad-ipv6",
		"http://127.0.0.1:99999/bad-port",
		"http://user:pw@127.0.0.1:1/userinfo",
		"ftp://127.0.0.1/",
	};
	char *ids[G_N_ELEMENTS(urls)];
	for (size_t i = 0; i < G_N_ELEMENTS(urls); i++)
		ids[i] = add_webhook(store, urls[i], "livestreaming.statusUpdate", 1, NULL);
	gint64 start = g_get_monotonic_time();
	rtk_webhooks_emit(wh, "livestreaming.statusUpdate", json_pack("{s:{s:s}}",
		"livestream", "status", "LIVE"));
	expect_only_sentinel(wh, rc);
	/* the refused connection's retries wait in the queue, not in front of the sentinel */
	CHECK(g_get_monotonic_time() - start < (gint64)RTK_WEBHOOKS_BACKOFF_MS * 1000);
	for (size_t i = 0; i < G_N_ELEMENTS(urls); i++) {
		CHECK_EQ_INT(rtk_store_webhook_delete(store, ids[i]), RTK_STORE_OK);
		g_free(ids[i]);
	}
	rtk_webhooks_emit(NULL, "meeting.started", json_object());   /* no instance: released */
	rtk_webhooks_emit(wh, NULL, json_object());
	rtk_webhooks_emit(wh, "meeting.chatsynced", json_object());   /* not an event name: dropped */
	expect_only_sentinel(wh, rc);
	rtk_webhooks_free(NULL);
}

/* A receiver that accepts but never answers: free() still returns within
 * its grace, and an idle instance stops at once. */
static void test_free_bounded(void)
{
	rtk_store *s = open_store("silent.sqlite3");
	int port = 0, fd = listen_local(&port);   /* never accept()ed: the kernel completes the handshake */
	char *url = g_strdup_printf("http://127.0.0.1:%d/silent", port);
	char *hook = add_webhook(s, url, "meeting.ended", 1, NULL);
	rtk_webhooks *w = rtk_webhooks_new(s);
	CHECK_NOT_NULL(w);
	for (int i = 0; i < 5; i++)
		rtk_webhooks_emit(w, "meeting.ended", json_object());
	g_usleep(300 * 1000);   /* the first attempt is now waiting for an answer */
	gint64 start = g_get_monotonic_time();
	rtk_webhooks_free(w);
	gint64 took = g_get_monotonic_time() - start;
	CHECK(took < (gint64)(RTK_WEBHOOKS_GRACE_MS + 1000) * 1000);
	CHECK(took < (gint64)RTK_WEBHOOKS_TIMEOUT_MS * 1000);

	w = rtk_webhooks_new(s);
	start = g_get_monotonic_time();
	rtk_webhooks_free(w);
	CHECK(g_get_monotonic_time() - start < 500 * 1000);

	close(fd);
	g_free(hook);
	g_free(url);
	rtk_store_close(s);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s/rtk-test-webhooks-XXXXXX", g_get_tmp_dir());
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	store = open_store("rtk.sqlite3");
	rc = receiver_start();
	wh = rtk_webhooks_new(store);
	CHECK_NOT_NULL(wh);
	char *sentinel_url = local_url(rc, "/sentinel");
	char *sentinel = add_webhook(store, sentinel_url, "meeting.chatSynced", 1, NULL);

	UNIT_RUN(test_signature_helper);
	UNIT_RUN(test_delivery);
	UNIT_RUN(test_not_delivered);
	UNIT_RUN(test_retry);
	UNIT_RUN(test_bad_urls);
	UNIT_RUN(test_free_bounded);

	rtk_webhooks_free(wh);
	receiver_stop(rc);
	rtk_store_close(store);
	g_free(sentinel);
	g_free(sentinel_url);
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return UNIT_DONE();
}
