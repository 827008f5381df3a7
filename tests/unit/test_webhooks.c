/*
 * test_webhooks.c - webhook delivery (gateway/webhooks.c) end to end: a real
 * store with webhooks in it, rtk_webhooks_emit(), and a tiny HTTP receiver
 * on 127.0.0.1 (a thread in this test) that records every request and
 * answers with the statuses a test scripts for its path; and the target
 * policy (which addresses a webhook may reach), as a table, through
 * rtk_webhooks_check_url(), through the REST API (rtk_rest_dispatch()) and
 * at delivery time.
 *
 * Checked: the body (event, the data merged at the top level), the
 * headers (rtk-uuid, rtk-webhook-id and their dyte-* twins), that
 * rtk-signature verifies over the body with the public half of the signing
 * key (RSA-SHA256, checked here with OpenSSL's EVP_DigestVerify), that the
 * key is kept across loads, that rtk-signature-v2 verifies over
 * "<rtk-timestamp>.<body>" with the webhook's secret (HMAC computed here,
 * independently of webhooks.c) while a changed timestamp does not, that an unsubscribed event
 * and a disabled webhook get nothing, that a 500 is retried with the same
 * delivery and a redirect is not followed, that bad URLs fail without
 * harming other deliveries, that a receiver that never answers does not
 * hold back another webhook, that non-public targets are refused at
 * registration (422) and at delivery unless allowed, and that
 * rtk_webhooks_free() returns within its grace even with a receiver that
 * never answers.
 *
 * "Nothing (more) was delivered" is observed without sleeping:
 * rtk_webhooks_wait_idle() returns once every queued event and delivery is
 * done, and the receiver records a request before it answers, so whatever
 * was delivered is in its queue by then.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include "rest.h"
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
		/* recorded before the answer: once the sender has its status, the
		 * request is in the queue */
		if (r) {
			r->status = status;
			r->at = g_get_monotonic_time();
			g_async_queue_push(rc->requests, r);
		}
		/* a redirect points to another path of this receiver */
		char location[96] = "", reply[256];
		if (status / 100 == 3)
			snprintf(location, sizeof(location), "Location: http://127.0.0.1:%d/elsewhere\r\n", rc->port);
		snprintf(reply, sizeof(reply), "HTTP/1.1 %d Scripted\r\nContent-Length: 0\r\n"
			"%sConnection: close\r\n\r\n", status, location);
		if (send(c, reply, strlen(reply), MSG_NOSIGNAL) < 0)
			perror("receiver send");
		close(c);
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

static EVP_PKEY *signing_key;   /* <tmpdir>/webhook_key.pem */

/* Webhook delivery as the gateway starts it, with the test's key. */
static rtk_webhooks *new_webhooks(rtk_store *s, int allow_private)
{
	rtk_webhooks_config config = { .allow_private = allow_private, .signing_key = signing_key };
	return rtk_webhooks_new(s, &config);
}

/* Does `sig` (base64) verify over the body of `r` with the public key in
 * PEM `pem`, as a receiver checks rtk-signature? */
static int rsa_verifies(const char *pem, const char *sig, const received *r)
{
	BIO *mem = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *pub = PEM_read_bio_PUBKEY(mem, NULL, NULL, NULL);
	BIO_free(mem);
	gsize len = 0;
	guchar *raw = sig ? g_base64_decode(sig, &len) : NULL;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = pub && raw && len && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pub) == 1 &&
		EVP_DigestVerify(ctx, raw, len, (const unsigned char *)r->body, r->body_len) == 1;
	EVP_MD_CTX_free(ctx);
	g_free(raw);
	EVP_PKEY_free(pub);
	return ok;
}

/* Checks rtk-signature (and dyte-signature) of `r` with the test key's
 * public half, and that it does not verify over other bytes. */
static void check_rsa_signature(const received *r)
{
	char *pem = rtk_webhooks_public_key_pem(signing_key);
	CHECK_NOT_NULL(pem);
	const char *sig = header(r, "rtk-signature");
	CHECK(rsa_verifies(pem, sig, r));
	CHECK_EQ_STR(header(r, "dyte-signature"), sig);
	received other = *r;
	other.body_len = r->body_len ? r->body_len - 1 : 0;
	CHECK(!rsa_verifies(pem, sig, &other));
	free(pem);
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

/* The same over "<timestamp>.<body>": how a receiver checks
 * rtk-signature-v2 (g_free()). */
static char *expected_signature_v2(const char *secret, const char *timestamp, const char *body,
	size_t len)
{
	GString *bytes = g_string_new(timestamp);
	g_string_append_c(bytes, '.');
	g_string_append_len(bytes, body, (gssize)len);
	char *sig = expected_signature(secret, bytes->str, bytes->len);
	g_string_free(bytes, TRUE);
	return sig;
}

/* Checks rtk-signature-v2 of `r` the way a receiver does: over its
 * rtk-timestamp and body; and that the same body under another timestamp
 * (a replay dressed up as fresh) does not verify. */
static void check_signature_v2(const received *r, const char *secret)
{
	const char *ts = header(r, "rtk-timestamp"), *sig = header(r, "rtk-signature-v2");
	CHECK_NOT_NULL(ts);
	CHECK_NOT_NULL(sig);
	char *want = expected_signature_v2(secret, ts ? ts : "", r->body, r->body_len);
	CHECK_EQ_STR(sig, want);
	g_free(want);
	char *later = g_strdup_printf("%lld", (ts ? atoll(ts) : 0) + 600);
	want = expected_signature_v2(secret, later, r->body, r->body_len);
	CHECK(strcmp(sig ? sig : "", want) != 0);
	/* what the server itself signs for that timestamp is what a verifier
	 * would want for it: so no header it sent fits the replay */
	char *server = rtk_webhooks_signature_v2(secret, atoll(later), r->body, r->body_len);
	CHECK_EQ_STR(server, want);
	free(server);
	g_free(want);
	g_free(later);
	/* the body-only signature is not the v2 one */
	want = expected_signature(secret, r->body, r->body_len);
	CHECK(strcmp(sig ? sig : "", want) != 0);
	g_free(want);
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

/* Once `w` is idle, the receiver has nothing more. */
static void expect_nothing_more(rtk_webhooks *w, receiver *rc)
{
	CHECK(rtk_webhooks_wait_idle(w, WAIT_MS * 3));
	received *r = g_async_queue_try_pop(rc->requests);
	if (r)
		fprintf(stderr, "\tunexpected request to %s: %s\n", r->path, r->body);
	CHECK_NULL(r);
	received_free(r);
}

/* Emits the sentinel and checks that it is the next request. */
static void expect_sentinel(rtk_webhooks *wh, receiver *rc)
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
	/* v2: the same HMAC over "<timestamp>.<body>" */
	sig = rtk_webhooks_signature_v2("Jefe", 1795300542, "what do ya want for nothing?", 28);
	char *want = expected_signature("Jefe", "1795300542.what do ya want for nothing?", 39);
	CHECK_EQ_STR(sig, want);
	free(sig);
	g_free(want);
	sig = rtk_webhooks_signature_v2("Jefe", 1795300543, "what do ya want for nothing?", 28);
	want = expected_signature("Jefe", "1795300542.what do ya want for nothing?", 39);
	CHECK(strcmp(sig, want) != 0);
	free(sig);
	g_free(want);
	CHECK(rtk_webhook_event_known("meeting.started"));
	CHECK(rtk_webhook_event_known("livestreaming.statusUpdate"));
	CHECK(rtk_webhook_event_known("meeting.transcript"));
	CHECK(rtk_webhook_event_known("meeting.summary"));
	CHECK(!rtk_webhook_event_known("meeting.Started"));
	CHECK(!rtk_webhook_event_known(NULL));
}

/* The key is made once and read back the same; a damaged file is refused. */
static void test_signing_key(void)
{
	char *path = g_build_filename(tmpdir, "webhook_key.pem", NULL), *error = NULL;
	EVP_PKEY *again = rtk_webhooks_key_load(path, &error);
	CHECK_NOT_NULL(again);
	char *a = rtk_webhooks_public_key_pem(signing_key), *b = rtk_webhooks_public_key_pem(again);
	CHECK(a && g_str_has_prefix(a, "-----BEGIN PUBLIC KEY-----\n"));
	CHECK_EQ_STR(a, b);
	struct stat st;
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	free(a);
	free(b);
	EVP_PKEY_free(again);
	char *bad = g_build_filename(tmpdir, "damaged.pem", NULL);
	CHECK(g_file_set_contents(bad, "-----BEGIN PRIVATE KEY-----\nnot a key\n", -1, NULL));
	CHECK_NULL(rtk_webhooks_key_load(bad, &error));
	CHECK(error && strstr(error, "is not an RSA private key in PEM; fix or remove the file"));
	free(error);
	g_free(bad);
	g_free(path);
}

static void test_delivery(void)
{
	char *url = local_url(rc, "/a?x=1#fragment");
	char *hook = add_webhook(store, url, "recording.statusUpdate", 1, "secret-a");
	g_free(url);

	time_t before = time(NULL);
	rtk_webhooks_emit(wh, "recording.statusUpdate", json_pack("{s:{s:s}, s:{s:s, s:s}, s:s}",
		"meeting", "id", "m1", "recording", "id", "r1", "status", "RECORDING",
		"event", "spoofed"));
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
	const char *uuid = header(r, "rtk-uuid");
	CHECK_EQ_INT(strlen(uuid ? uuid : ""), 36);
	CHECK_EQ_STR(header(r, "dyte-uuid"), uuid);
	CHECK_EQ_STR(header(r, "rtk-webhook-id"), hook);
	CHECK_EQ_STR(header(r, "dyte-webhook-id"), hook);
	CHECK_EQ_STR(json_string_value(json_object_get(json_object_get(body, "meeting"), "id")), "m1");
	json_t *rec = json_object_get(body, "recording");
	CHECK_EQ_STR(json_string_value(json_object_get(rec, "status")), "RECORDING");
	CHECK(json_is_null(json_object_get(rec, "downloadUrl")));   /* not UPLOADED */
	CHECK_EQ_INT(json_object_size(body), 3);
	json_decref(body);

	/* rtk-signature verifies with the deployment's public key, over the raw bytes */
	check_rsa_signature(r);
	long long ts = header(r, "rtk-timestamp") ? atoll(header(r, "rtk-timestamp")) : 0;
	CHECK(ts >= (long long)before && ts <= (long long)time(NULL) + 1);
	/* rtk-signature-v2 also covers the timestamp */
	check_signature_v2(r, "secret-a");
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
	expect_nothing_more(wh, rc);
	/* participantLeft: nobody subscribes; also data that is not an object */
	rtk_webhooks_emit(wh, "meeting.participantLeft", json_integer(5));
	rtk_webhooks_emit(wh, "meeting.participantLeft", NULL);
	expect_nothing_more(wh, rc);

	/* meeting.started: the enabled webhook gets it, the disabled one does not */
	rtk_webhooks_emit(wh, "meeting.started", json_pack("{s:{s:s}}", "meeting", "id", "m2"));
	received *r = next_request(rc);
	CHECK_NOT_NULL(r);
	if (r) {
		CHECK_EQ_STR(r->path, "/a");
		CHECK_EQ_STR(body_str(r, "event"), "meeting.started");
	}
	received_free(r);
	expect_nothing_more(wh, rc);

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
	expect_nothing_more(wh, rc);

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
	uint64_t delivered0 = 0, failed0 = 0, delivered = 0, failed = 0;
	CHECK(rtk_webhooks_wait_idle(wh, WAIT_MS));
	rtk_webhooks_deliveries(&delivered0, &failed0);
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
		CHECK_EQ_STR(header(second, "rtk-uuid"), header(first, "rtk-uuid"));
		CHECK_EQ_STR(header(second, "rtk-webhook-id"), hook);
		CHECK_EQ_STR(second->body, first->body);
		CHECK_EQ_STR(header(second, "rtk-signature"), header(first, "rtk-signature"));
		check_rsa_signature(second);
		/* each attempt is signed with its own timestamp */
		check_signature_v2(first, "retry-secret");
		check_signature_v2(second, "retry-secret");
		CHECK(second->at - first->at >= (gint64)RTK_WEBHOOKS_BACKOFF_MS * 1000 * 9 / 10);
	}
	received_free(first);
	received_free(second);
	/* a success is not repeated */
	expect_nothing_more(wh, rc);
	rtk_webhooks_deliveries(&delivered, &failed);
	CHECK_EQ_INT((int)(delivered - delivered0), 1);   /* a retried delivery counts once */
	CHECK_EQ_INT((int)(failed - failed0), 0);

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
	expect_nothing_more(wh, rc);
	rtk_webhooks_deliveries(&delivered, &failed);
	CHECK_EQ_INT((int)(delivered - delivered0), 1);
	CHECK_EQ_INT((int)(failed - failed0), 1);   /* three failed attempts: one failed delivery */
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
	expect_sentinel(wh, rc);
	/* the refused connection's retries wait in the queue, not in front of the sentinel */
	CHECK(g_get_monotonic_time() - start < (gint64)RTK_WEBHOOKS_BACKOFF_MS * 1000);
	for (size_t i = 0; i < G_N_ELEMENTS(urls); i++) {
		CHECK_EQ_INT(rtk_store_webhook_delete(store, ids[i]), RTK_STORE_OK);
		g_free(ids[i]);
	}
	rtk_webhooks_emit(NULL, "meeting.started", json_object());   /* no instance: released */
	rtk_webhooks_emit(wh, NULL, json_object());
	rtk_webhooks_emit(wh, "meeting.chatsynced", json_object());   /* not an event name: dropped */
	expect_nothing_more(wh, rc);
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
	rtk_webhooks *w = new_webhooks(s, 1);
	CHECK_NOT_NULL(w);
	for (int i = 0; i < 5; i++)
		rtk_webhooks_emit(w, "meeting.ended", json_object());
	g_usleep(300 * 1000);   /* the first attempt is now waiting for an answer */
	gint64 start = g_get_monotonic_time();
	rtk_webhooks_free(w);
	gint64 took = g_get_monotonic_time() - start;
	CHECK(took < (gint64)(RTK_WEBHOOKS_GRACE_MS + 1000) * 1000);
	CHECK(took < (gint64)RTK_WEBHOOKS_TIMEOUT_MS * 1000);

	w = new_webhooks(s, 1);
	start = g_get_monotonic_time();
	rtk_webhooks_free(w);
	CHECK(g_get_monotonic_time() - start < 500 * 1000);

	close(fd);
	g_free(hook);
	g_free(url);
	rtk_store_close(s);
}

/* A receiver that answers 307 the first time: the redirect counts as a
 * failed attempt, is not followed, and the retry succeeds. */
static void test_redirect_not_followed(void)
{
	char *url = local_url(rc, "/redirect");
	char *hook = add_webhook(store, url, "meeting.ended", 1, NULL);
	receiver_script(rc, "/redirect", 307);
	rtk_webhooks_emit(wh, "meeting.ended", json_object());
	received *first = next_request(rc), *second = next_request(rc);
	CHECK_NOT_NULL(first);
	CHECK_NOT_NULL(second);
	if (first && second) {
		CHECK_EQ_STR(first->path, "/redirect");
		CHECK_EQ_INT(first->status, 307);
		CHECK_EQ_STR(second->path, "/redirect");   /* not /elsewhere */
		CHECK_EQ_INT(second->status, 200);
	}
	received_free(first);
	received_free(second);
	expect_nothing_more(wh, rc);
	CHECK_EQ_INT(rtk_store_webhook_delete(store, hook), RTK_STORE_OK);
	g_free(hook);
	g_free(url);
}

/* Fills *ss with a literal IPv4 or IPv6 address; returns its length. */
static socklen_t sockaddr_of(const char *text, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, text, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		return sizeof(*in);
	}
	if (inet_pton(AF_INET6, text, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		return sizeof(*in6);
	}
	fprintf(stderr, "not an address: %s\n", text);
	exit(1);
}

/* Every refused range (with its edges) and public neighbours. */
static void test_address_table(void)
{
	static const struct {
		const char *address;
		const char *refused;   /* a part of the reason, or NULL: public */
	} cases[] = {
		{ "0.0.0.0", "unspecified or \"this network\" (0.0.0.0/8)" },
		{ "0.255.255.255", "(0.0.0.0/8)" },
		{ "1.0.0.0", NULL },
		{ "9.255.255.255", NULL },
		{ "10.0.0.0", "private (10.0.0.0/8)" },
		{ "10.77.0.1", "private (10.0.0.0/8)" },
		{ "10.255.255.255", "private (10.0.0.0/8)" },
		{ "11.0.0.0", NULL },
		{ "100.63.255.255", NULL },
		{ "100.64.0.0", "carrier-grade NAT space (100.64.0.0/10)" },
		{ "100.127.255.255", "(100.64.0.0/10)" },
		{ "100.128.0.0", NULL },
		{ "126.255.255.255", NULL },
		{ "127.0.0.0", "loopback (127.0.0.0/8)" },
		{ "127.0.0.1", "loopback (127.0.0.0/8)" },
		{ "127.255.255.255", "loopback (127.0.0.0/8)" },
		{ "128.0.0.0", NULL },
		{ "169.253.255.255", NULL },
		{ "169.254.0.0", "link-local (169.254.0.0/16)" },
		{ "169.254.169.254", "link-local (169.254.0.0/16)" },
		{ "169.255.0.0", NULL },
		{ "172.15.255.255", NULL },
		{ "172.16.0.0", "private (172.16.0.0/12)" },
		{ "172.31.255.255", "private (172.16.0.0/12)" },
		{ "172.32.0.0", NULL },
		{ "191.255.255.255", NULL },
		{ "192.0.0.0", "IETF protocol assignments (192.0.0.0/24)" },
		{ "192.0.0.255", "(192.0.0.0/24)" },
		{ "192.0.1.0", NULL },
		{ "192.0.2.1", "documentation (192.0.2.0/24)" },
		{ "192.0.3.0", NULL },
		{ "192.88.99.1", "6to4 relay anycast (192.88.99.0/24)" },
		{ "192.167.255.255", NULL },
		{ "192.168.0.0", "private (192.168.0.0/16)" },
		{ "192.168.255.255", "private (192.168.0.0/16)" },
		{ "192.169.0.0", NULL },
		{ "198.17.255.255", NULL },
		{ "198.18.0.0", "benchmarking (198.18.0.0/15)" },
		{ "198.19.255.255", "benchmarking (198.18.0.0/15)" },
		{ "198.20.0.0", NULL },
		{ "198.51.100.7", "documentation (198.51.100.0/24)" },
		{ "203.0.113.9", "documentation (203.0.113.0/24)" },
		{ "203.0.114.0", NULL },
		{ "223.255.255.255", NULL },
		{ "224.0.0.0", "multicast (224.0.0.0/4)" },
		{ "239.255.255.255", "multicast (224.0.0.0/4)" },
		{ "240.0.0.0", "reserved (240.0.0.0/4)" },
		{ "255.255.255.254", "reserved (240.0.0.0/4)" },
		{ "255.255.255.255", "broadcast (255.255.255.255)" },
		{ "8.8.8.8", NULL },
		{ "1.1.1.1", NULL },
		{ "93.184.216.34", NULL },
		/* IPv6: only 2000::/3 is public, less its special blocks */
		{ "::", "unspecified (::)" },
		{ "::1", "loopback (::1)" },
		{ "::2", "IPv4-compatible, deprecated (::/96)" },
		{ "::8.8.8.8", "(::/96)" },
		{ "::ffff:127.0.0.1", "loopback (127.0.0.0/8)" },   /* IPv4-mapped */
		{ "::ffff:10.1.2.3", "private (10.0.0.0/8)" },
		{ "::ffff:169.254.169.254", "link-local (169.254.0.0/16)" },
		{ "::ffff:0.0.0.0", "(0.0.0.0/8)" },
		{ "::ffff:255.255.255.255", "broadcast" },
		{ "::ffff:8.8.8.8", NULL },
		{ "::fffe:8.8.8.8", "(2000::/3)" },
		{ "64:ff9b::7f00:1", "loopback (127.0.0.0/8)" },   /* NAT64 of 127.0.0.1 */
		{ "64:ff9b::a00:1", "private (10.0.0.0/8)" },
		{ "64:ff9b::808:808", NULL },
		{ "64:ff9b:1::1", "local-use NAT64 (64:ff9b:1::/48)" },
		{ "100::1", "discard-only (100::/64)" },
		{ "1::1", "outside global unicast (2000::/3)" },
		{ "1fff:ffff::1", "(2000::/3)" },
		{ "2000::1", NULL },
		{ "2001::1", "(2001::/23)" },   /* Teredo */
		{ "2001:2::1", "(2001::/23)" },   /* benchmarking */
		{ "2001:1ff:ffff::1", "(2001::/23)" },
		{ "2001:200::1", NULL },
		{ "2001:db8::1", "documentation (2001:db8::/32)" },
		{ "2001:db9::1", NULL },
		{ "2002:7f00:1::1", "loopback (127.0.0.0/8)" },   /* 6to4 of 127.0.0.1 */
		{ "2002:c0a8:101::1", "private (192.168.0.0/16)" },
		{ "2002:808:808::1", NULL },
		{ "2001:4860:4860::8888", NULL },
		{ "2606:4700:4700::1111", NULL },
		{ "2a00:1450:4001:80b::200e", NULL },
		{ "3ffe::1", NULL },
		{ "3fff::1", "documentation (3fff::/20)" },
		{ "3fff:fff:ffff::1", "(3fff::/20)" },
		{ "3fff:1000::1", NULL },
		{ "4000::1", "(2000::/3)" },
		{ "5f00::1", "(2000::/3)" },
		{ "fbff:ffff::1", "(2000::/3)" },
		{ "fc00::1", "unique local, private (fc00::/7)" },
		{ "fd12:3456:789a::1", "unique local, private (fc00::/7)" },
		{ "fe80::1", "link-local (fe80::/10)" },
		{ "febf:ffff::1", "link-local (fe80::/10)" },
		{ "fec0::1", "site-local, deprecated (fec0::/10)" },
		{ "ff02::1", "multicast (ff00::/8)" },
		{ "ff0e::101", "multicast (ff00::/8)" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct sockaddr_storage ss;
		socklen_t len = sockaddr_of(cases[i].address, &ss);
		const char *why = rtk_webhooks_address_forbidden((struct sockaddr *)&ss, len);
		int ok = cases[i].refused ? why && strstr(why, cases[i].refused) : why == NULL;
		if (!ok)
			fprintf(stderr, "\t%s: expected %s, got %s\n", cases[i].address,
				cases[i].refused ? cases[i].refused : "public", why ? why : "public");
		CHECK(ok);
	}
	/* not an IP address, or too short for its family */
	struct sockaddr_storage ss = { .ss_family = AF_UNIX };
	CHECK_NOT_NULL(rtk_webhooks_address_forbidden((struct sockaddr *)&ss, sizeof(ss)));
	socklen_t len = sockaddr_of("8.8.8.8", &ss);
	CHECK_NOT_NULL(rtk_webhooks_address_forbidden((struct sockaddr *)&ss, len - 1));
	CHECK_NULL(rtk_webhooks_address_forbidden((struct sockaddr *)&ss, len));
	CHECK_NOT_NULL(rtk_webhooks_address_forbidden(NULL, 0));
}

static void test_target_parse(void)
{
	rtk_webhook_target t;
	CHECK_NULL(rtk_webhooks_target_parse("http://user:pw@[::1]:8080/a?b=1#frag", &t));
	CHECK_EQ_STR(t.host, "::1");
	CHECK_EQ_STR(t.port, "8080");
	CHECK_EQ_STR(t.authority, "[::1]:8080");
	CHECK_EQ_STR(t.path, "/a?b=1");
	CHECK(t.userinfo && !t.https);
	rtk_webhooks_target_clear(&t);
	CHECK_NULL(rtk_webhooks_target_parse("HTTPS://Example.com", &t));
	CHECK_EQ_STR(t.host, "Example.com");
	CHECK_EQ_STR(t.port, "443");
	CHECK_EQ_STR(t.path, "/");
	CHECK(t.https && !t.userinfo);
	rtk_webhooks_target_clear(&t);
	CHECK_NULL(rtk_webhooks_target_parse("http://h?q=1", &t));
	CHECK_EQ_STR(t.port, "80");
	CHECK_EQ_STR(t.path, "/?q=1");
	rtk_webhooks_target_clear(&t);
}

/* rtk_webhooks_check_url(): what registration refuses, and why. */
static void test_check_url(void)
{
	static const struct {
		const char *url;
		int allow, resolve_ms;
		const char *refused;   /* a part of the answer, or NULL: accepted */
	} cases[] = {
		/* non-public literals, in every form the resolver accepts */
		{ "http://127.0.0.1:8000/hooks", 0, 0, "must point to a public address: 127.0.0.1 is loopback "
			"(127.0.0.0/8); set RTK_WEBHOOK_ALLOW_PRIVATE=1 on the server to allow non-public targets" },
		{ "http://127.1/", 0, 0, "127.1 (127.0.0.1) is loopback (127.0.0.0/8)" },
		{ "http://2130706433/", 0, 0, "2130706433 (127.0.0.1) is loopback" },
		{ "http://0x7f000001/", 0, 0, "0x7f000001 (127.0.0.1) is loopback" },
		{ "http://0177.0.0.1/", 0, 0, "0177.0.0.1 (127.0.0.1) is loopback" },
		{ "http://0x7f.1/", 0, 0, "0x7f.1 (127.0.0.1) is loopback" },
		{ "http://0/", 0, 0, "0 (0.0.0.0) is unspecified" },
		{ "http://0.0.0.0:80/", 0, 0, "0.0.0.0 is unspecified" },
		{ "http://[::1]:8080/x", 0, 0, "::1 is loopback (::1)" },
		{ "http://[::]/", 0, 0, ":: is unspecified (::)" },
		{ "http://[::ffff:127.0.0.1]/", 0, 0, "::ffff:127.0.0.1 is loopback (127.0.0.0/8)" },
		{ "http://[::ffff:7f00:1]/", 0, 0, "::ffff:7f00:1 (::ffff:127.0.0.1) is loopback" },
		{ "http://10.77.0.1:8080/", 0, 0, "10.77.0.1 is private (10.0.0.0/8)" },
		{ "http://172.20.0.1/", 0, 0, "private (172.16.0.0/12)" },
		{ "http://192.168.1.1/", 0, 0, "private (192.168.0.0/16)" },
		{ "http://169.254.169.254/latest/meta-data/", 0, 0, "link-local (169.254.0.0/16)" },
		{ "http://100.64.1.1/", 0, 0, "carrier-grade NAT" },
		{ "http://224.0.0.251/", 0, 0, "multicast (224.0.0.0/4)" },
		{ "http://255.255.255.255/", 0, 0, "broadcast" },
		{ "http://[fe80::1]/", 0, 0, "link-local (fe80::/10)" },
		{ "http://[fd00::1]/", 0, 0, "unique local, private (fc00::/7)" },
		{ "http://[ff02::1]/", 0, 0, "multicast (ff00::/8)" },
		{ "https://192.168.1.1/", 0, 0, "private (192.168.0.0/16)" },
		{ "HTTP://user:secret@10.0.0.1/", 0, 0, "10.0.0.1 is private" },
		/* a name that resolves only to non-public addresses (/etc/hosts) */
		{ "http://localhost:8000/", 0, RTK_WEBHOOKS_CHECK_MS,
			"must point to a public address: localhost resolves only to non-public addresses (" },
		/* public literals; names left unresolved; the allow setting */
		{ "http://8.8.8.8/hooks", 0, 0, NULL },
		{ "http://[2606:4700:4700::1111]:8080/", 0, 0, NULL },
		{ "http://[::ffff:8.8.8.8]/", 0, 0, NULL },
		{ "http://localhost:8000/", 0, 0, NULL },
		{ "http://127.0.0.1:8000/", 1, 0, NULL },
		{ "http://localhost/", 1, RTK_WEBHOOKS_CHECK_MS, NULL },
		/* URLs no delivery can use */
		{ "ftp://8.8.8.8/", 1, 0, "is not a usable webhook URL: not an http:// or https:// URL" },
		{ "http://[::1/", 1, 0, "is not a usable webhook URL: malformed IPv6 host" },
		{ "http://[::1]x/", 1, 0, "malformed IPv6 host" },
		{ "http://::1/", 1, 0, "an IPv6 address needs brackets" },
		{ "http://8.8.8.8:99999/", 1, 0, "malformed port" },
		{ "http://8.8.8.8:/", 1, 0, "malformed port" },
		{ "http://8.8.8.8:8a/", 1, 0, "malformed port" },
		{ "http:///path", 1, 0, "no host" },
		{ "http://user@/", 1, 0, "no host" },
		{ "http://a b/", 1, 0, "spaces or control characters" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *why = rtk_webhooks_check_url(cases[i].url, cases[i].allow, cases[i].resolve_ms);
		int ok = cases[i].refused ? why && strstr(why, cases[i].refused) : why == NULL;
		if (!ok)
			fprintf(stderr, "\t%s (allow %d): expected %s, got %s\n", cases[i].url, cases[i].allow,
				cases[i].refused ? cases[i].refused : "accepted", why ? why : "accepted");
		CHECK(ok);
		g_free(why);
	}
}

/* One REST request on `ctx`; returns the status, *message the error's. */
static int rest(const rtk_rest_ctx *ctx, const char *method, const char *path, const char *body,
	char **message, char **id)
{
	rtk_rest_request req = {
		.method = method, .path = path, .authorization = "Bearer test-key",
		.body = body, .body_len = body ? strlen(body) : 0,
	};
	rtk_rest_reply reply = { .status = -1 };
	rtk_rest_dispatch(ctx, &req, &reply);
	json_t *root = reply.body ? json_loads(reply.body, 0, NULL) : NULL;
	const char *m = json_string_value(json_object_get(json_object_get(root, "error"), "message"));
	const char *i = json_string_value(json_object_get(json_object_get(root, "data"), "id"));
	if (message)
		*message = g_strdup(m);
	if (id)
		*id = g_strdup(i);
	json_decref(root);
	free(reply.body);
	g_free(reply.file_path);
	return reply.status;
}

/* POST and PATCH /v2/webhooks answer 422 for a non-public target unless
 * the server allows them; nothing is stored. */
static void test_rest_refusals(void)
{
	rtk_store *s = open_store("rest.sqlite3");
	rtk_rest_ctx ctx = { .store = s, .org_id = "org", .api_key = "test-key",
		.jwt_secret = (const unsigned char *)"jwt", .jwt_secret_len = 3, .token_ttl_seconds = 60 };
	char *message = NULL, *id = NULL;
	CHECK_EQ_INT(rest(&ctx, "POST", "/v2/webhooks", "{\"name\": \"n\", \"url\": "
		"\"http://127.0.0.1:9/hooks\", \"events\": [\"meeting.ended\"]}", &message, NULL), 422);
	CHECK_EQ_STR(message, "field 'url' must point to a public address: 127.0.0.1 is loopback "
		"(127.0.0.0/8); set RTK_WEBHOOK_ALLOW_PRIVATE=1 on the server to allow non-public targets");
	g_free(message);
	CHECK_EQ_INT(rest(&ctx, "POST", "/v2/webhooks", "{\"name\": \"n\", \"url\": "
		"\"http://localhost:9/\", \"events\": [\"meeting.ended\"]}", &message, NULL), 422);
	CHECK(message && strstr(message, "field 'url' must point to a public address: localhost resolves "
		"only to non-public addresses ("));
	g_free(message);
	CHECK_EQ_INT(rest(&ctx, "POST", "/v2/webhooks", "{\"name\": \"n\", \"url\": "
		"\"http://[::1/\", \"events\": [\"meeting.ended\"]}", &message, NULL), 422);
	CHECK_EQ_STR(message, "field 'url' is not a usable webhook URL: malformed IPv6 host");
	g_free(message);
	/* a public target is fine; PATCHing it to a private one is not */
	CHECK_EQ_INT(rest(&ctx, "POST", "/v2/webhooks", "{\"name\": \"n\", \"url\": "
		"\"http://8.8.8.8/hooks\", \"events\": [\"meeting.ended\"]}", NULL, &id), 201);
	char *path = g_strdup_printf("/v2/webhooks/%s", id ? id : "none");
	CHECK_EQ_INT(rest(&ctx, "PATCH", path, "{\"url\": \"http://[fd00::5]:80/\"}", &message, NULL), 422);
	CHECK_EQ_STR(message, "field 'url' must point to a public address: fd00::5 is unique local, "
		"private (fc00::/7); set RTK_WEBHOOK_ALLOW_PRIVATE=1 on the server to allow non-public targets");
	g_free(message);
	json_t *stored = NULL;
	CHECK_EQ_INT(rtk_store_webhook_get(s, id ? id : "none", &stored), RTK_STORE_OK);
	CHECK_EQ_STR(json_string_value(json_object_get(stored, "url")), "http://8.8.8.8/hooks");
	json_decref(stored);
	json_t *all = NULL;
	int total = -1;
	CHECK_EQ_INT(rtk_store_webhook_list(s, 0, -1, &all, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 1);
	json_decref(all);
	/* allowed: the same private targets are accepted */
	ctx.webhooks_allow_private = 1;
	CHECK_EQ_INT(rest(&ctx, "PATCH", path, "{\"url\": \"http://[fd00::5]:80/\"}", NULL, NULL), 200);
	CHECK_EQ_INT(rest(&ctx, "POST", "/v2/webhooks", "{\"name\": \"n\", \"url\": "
		"\"http://127.0.0.1:9/hooks\", \"events\": [\"meeting.ended\"]}", NULL, NULL), 201);
	g_free(path);
	g_free(id);
	rtk_store_close(s);
}

/* Without the allow setting a delivery never reaches a non-public address,
 * whatever form the URL names it in, even when the URL was stored without
 * the REST check (or its name resolved elsewhere then): it fails at once,
 * without retries. The same webhooks, allowed, all reach the receiver. */
static void test_refused_at_delivery(void)
{
	rtk_store *s = open_store("policy.sqlite3");
	const char *forms[] = { "127.0.0.1", "localhost", "[::ffff:127.0.0.1]", "2130706433", "0x7f.1" };
	char *ids[G_N_ELEMENTS(forms)];
	for (size_t i = 0; i < G_N_ELEMENTS(forms); i++) {
		char *url = g_strdup_printf("http://%s:%d/form%zu", forms[i], rc->port, i);
		ids[i] = add_webhook(s, url, "meeting.participantJoined", 1, NULL);
		g_free(url);
	}
	rtk_webhooks *w = new_webhooks(s, 0);
	CHECK_NOT_NULL(w);
	gint64 start = g_get_monotonic_time();
	rtk_webhooks_emit(w, "meeting.participantJoined", json_object());
	expect_nothing_more(w, rc);
	/* no retry: a retry would come 1 s, then 2 s later */
	CHECK(g_get_monotonic_time() - start < (gint64)RTK_WEBHOOKS_BACKOFF_MS * 1000 * 5 / 2);
	rtk_webhooks_free(w);

	w = new_webhooks(s, 1);
	rtk_webhooks_emit(w, "meeting.participantJoined", json_object());
	GHashTable *paths = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(forms); i++) {
		received *r = next_request(rc);
		CHECK_NOT_NULL(r);
		if (r)
			g_hash_table_add(paths, g_strdup(r->path));
		received_free(r);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(forms); i++) {
		char *path = g_strdup_printf("/form%zu", i);
		if (!g_hash_table_contains(paths, path))
			fprintf(stderr, "\tallowed, %s got nothing\n", forms[i]);
		CHECK(g_hash_table_contains(paths, path));
		g_free(path);
		g_free(ids[i]);
	}
	g_hash_table_destroy(paths);
	expect_nothing_more(w, rc);
	rtk_webhooks_free(w);
	rtk_store_close(s);
}

/* A receiver that accepts but never answers holds one worker for its
 * attempt; a webhook to a receiver that answers is served meanwhile. */
static void test_slow_receiver_does_not_hold_back(void)
{
	rtk_store *s = open_store("slow.sqlite3");
	int port = 0, fd = listen_local(&port);   /* never accept()ed: the kernel completes the handshake */
	char *silent = g_strdup_printf("http://127.0.0.1:%d/silent", port), *fast = local_url(rc, "/fast");
	char *a = add_webhook(s, silent, "meeting.participantLeft", 1, NULL);   /* first in the store */
	char *b = add_webhook(s, fast, "meeting.participantLeft", 1, NULL);
	rtk_webhooks *w = new_webhooks(s, 1);
	gint64 start = g_get_monotonic_time();
	for (int i = 0; i < 3; i++)
		rtk_webhooks_emit(w, "meeting.participantLeft", json_object());
	for (int i = 0; i < 3; i++) {
		received *r = next_request(rc);
		CHECK_NOT_NULL(r);
		if (r)
			CHECK_EQ_STR(r->path, "/fast");
		received_free(r);
	}
	/* one event alone would wait behind 5 s of silence with a single queue */
	CHECK(g_get_monotonic_time() - start < (gint64)RTK_WEBHOOKS_TIMEOUT_MS * 1000 * 4 / 5);
	rtk_webhooks_free(w);
	close(fd);
	g_free(a);
	g_free(b);
	g_free(silent);
	g_free(fast);
	rtk_store_close(s);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* The receiver's status line, read strictly (no sscanf: digits that
 * would overflow an int are refused, not wrapped). */
static void test_status_line(void)
{
	CHECK_EQ_INT(rtk_webhooks_status_of("HTTP/1.1 204 No Content\r\n"), 204);
	CHECK_EQ_INT(rtk_webhooks_status_of("HTTP/1.0 302 Found\r\nLocation: /x\r\n"), 302);
	CHECK_EQ_INT(rtk_webhooks_status_of("HTTP/2 200\r\n"), 200);
	CHECK_EQ_INT(rtk_webhooks_status_of("HTTP/1.1 999"), 999);
	CHECK_EQ_INT(rtk_webhooks_status_of("HTTP/1.1 099 Too low"), -1);
	CHECK_EQ_INT(rtk_webhooks_status_of("HTTP/1.1 2000 Four digits"), -1);
	CHECK_EQ_INT(rtk_webhooks_status_of("HTTP/1.1 20"), -1);
	CHECK_EQ_INT(rtk_webhooks_status_of("HTTP/1.1\v302 vertical tab"), -1);
	CHECK_EQ_INT(rtk_webhooks_status_of("HTTP/1.1  200 two spaces"), -1);
	CHECK_EQ_INT(rtk_webhooks_status_of("HTTP/88888888888888888888.0 302"), 302);
	CHECK_EQ_INT(rtk_webhooks_status_of("HTTP/. 200"), -1);
	CHECK_EQ_INT(rtk_webhooks_status_of("http/1.1 200"), -1);
	CHECK_EQ_INT(rtk_webhooks_status_of(""), -1);
	CHECK_EQ_INT(rtk_webhooks_status_of(NULL), -1);
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s/rtk-test-webhooks-XXXXXX", g_get_tmp_dir());
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	store = open_store("rtk.sqlite3");
	char *key_path = g_build_filename(tmpdir, "webhook_key.pem", NULL), *key_error = NULL;
	signing_key = rtk_webhooks_key_load(key_path, &key_error);   /* made here */
	g_free(key_path);
	CHECK_NOT_NULL(signing_key);
	rc = receiver_start();
	wh = new_webhooks(store, 1);   /* the receiver is on 127.0.0.1 */
	CHECK_NOT_NULL(wh);
	char *sentinel_url = local_url(rc, "/sentinel");
	char *sentinel = add_webhook(store, sentinel_url, "meeting.chatSynced", 1, NULL);

	UNIT_RUN(test_signature_helper);
	UNIT_RUN(test_signing_key);
	UNIT_RUN(test_status_line);
	UNIT_RUN(test_delivery);
	UNIT_RUN(test_not_delivered);
	UNIT_RUN(test_retry);
	UNIT_RUN(test_bad_urls);
	UNIT_RUN(test_redirect_not_followed);
	UNIT_RUN(test_address_table);
	UNIT_RUN(test_target_parse);
	UNIT_RUN(test_check_url);
	UNIT_RUN(test_rest_refusals);
	UNIT_RUN(test_refused_at_delivery);
	UNIT_RUN(test_slow_receiver_does_not_hold_back);
	UNIT_RUN(test_free_bounded);

	rtk_webhooks_free(wh);
	EVP_PKEY_free(signing_key);
	receiver_stop(rc);
	rtk_store_close(store);
	g_free(sentinel);
	g_free(sentinel_url);
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return UNIT_DONE();
}
