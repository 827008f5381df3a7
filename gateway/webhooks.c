/*
 * webhooks.c - the delivery workers behind webhooks.h, their HTTP client
 * (libcurl, http:// and https://), the deployment's signing key, and the
 * target policy: which addresses a webhook may reach, checked when a URL is
 * registered and again on every attempt.
 *
 * Owns two queues under one mutex: events as emitted (FIFO), and deliveries
 * (one per event and subscribed webhook) ordered by when their next attempt
 * is due. RTK_WEBHOOKS_WORKERS threads share them: one at a time turns the
 * oldest event into deliveries (reading the store, which also completes the
 * payload: webhooks_complete()), so the first attempts to a webhook keep the
 * order of its events; the others run the deliveries that are due, with no
 * lock held while they talk to the network, taking a delivery only when no
 * other attempt to the same webhook is in flight. A retry waits in the
 * queue; so a receiver that is slow, silent or whose name never resolves
 * holds one worker for at most one attempt at a time, and the other
 * webhooks keep being served.
 *
 * Name resolution: getaddrinfo() cannot be interrupted or given a deadline,
 * so a name (not a literal address) is resolved in a detached thread of its
 * own, which the attempt waits for until its deadline; when the deadline
 * passes first the attempt fails (and is retried) and the thread is left to
 * finish, freeing what it holds (a reference count shared with the waiter).
 * At most RTK_WEBHOOKS_MAX_RESOLVERS such threads live at once.
 *
 * The addresses an attempt connects to are the ones that resolution returned
 * and the policy kept, handed to libcurl with CURLOPT_RESOLVE: nothing is
 * resolved twice, so a DNS answer that changes between the check and the
 * connection (DNS rebinding) cannot redirect it; libcurl's socket callback
 * (webhooks_open_socket) checks the policy once more on the address it is
 * about to connect to. Redirects are not followed; the transfer stops at the
 * status line (webhooks_on_header), as the hand-made client before it did.
 * No proxy from the environment is used: a proxy would connect for us.
 *
 * Why libcurl: https:// targets need TLS with certificate verification;
 * libcurl (OpenSSL flavour) brings both, and the extra CA file of the config
 * is added to the system's CAs in the SSL_CTX (webhooks_on_ssl_ctx).
 *
 * Shutdown: rtk_webhooks_free() sets a deadline (now + grace) and writes to a
 * pipe that every wait of an attempt also polls (curl_multi_poll() of the
 * transfer included), so an attempt in flight sees the deadline at once and
 * never runs past it.
 *
 * Nothing here logs a secret, a body or a URL's path and query (they may
 * carry tokens): logs name the webhook by id and host.
 */
#define _GNU_SOURCE   /* pipe2, memrchr */
#include "webhooks.h"
#include "signed_url.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <glib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "util.h"

#define MAX_ADDRESSES 16   /* addresses of one host an attempt tries, at most */

const char *const rtk_webhook_event_names[] = {
	"meeting.started",
	"meeting.ended",
	"meeting.participantJoined",
	"meeting.participantLeft",
	"recording.statusUpdate",
	"livestreaming.statusUpdate",
	"meeting.chatSynced",
	"meeting.transcript",   /* accepted, never emitted: no transcription */
	"meeting.summary",      /* accepted, never emitted: no transcription */
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

/* "sha256=" + lower-case hex HMAC-SHA256 of data keyed with secret (malloc'd). */
static char *webhooks_hex_hmac(const char *secret, const unsigned char *data, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	static const unsigned char empty = 0;
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	if (!HMAC(EVP_sha256(), secret ? secret : "", secret ? (int)strlen(secret) : 0,
			data ? data : &empty, len, mac, &mac_len))
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

char *rtk_webhooks_signature(const char *secret, const char *body, size_t body_len)
{
	return webhooks_hex_hmac(secret, (const unsigned char *)body, body_len);
}

char *rtk_webhooks_signature_v2(const char *secret, long long timestamp, const char *body,
	size_t body_len)
{
	char prefix[32];
	int n = snprintf(prefix, sizeof(prefix), "%lld.", timestamp);
	if (n <= 0 || (size_t)n >= sizeof(prefix))
		return NULL;
	unsigned char *bytes = malloc((size_t)n + body_len);
	if (!bytes)
		return NULL;
	memcpy(bytes, prefix, (size_t)n);
	if (body_len)
		memcpy(bytes + n, body, body_len);
	char *out = webhooks_hex_hmac(secret, bytes, (size_t)n + body_len);
	free(bytes);
	return out;
}

/* ---- the deployment's signing key ---- */

/* A new RSA-2048 key written to `path` (0600), or NULL and *error. */
static EVP_PKEY *webhooks_key_create(const char *path, char **error)
{
	EVP_PKEY *key = EVP_RSA_gen(2048);
	BIO *mem = BIO_new(BIO_s_mem());
	char *pem = NULL;
	long len = 0;
	if (!key || !mem || !PEM_write_bio_PrivateKey(mem, key, NULL, NULL, 0, NULL, NULL) ||
			(len = BIO_get_mem_data(mem, &pem)) <= 0) {
		rtk_util_set_error(error, "cannot generate the webhook signing key");
	} else if (rtk_util_write_file_atomic(path, pem, (size_t)len, 0600) != 0) {
		rtk_util_set_error(error, "cannot write %s: %s", path, strerror(errno));
	} else {
		BIO_free(mem);
		g_message("rtk webhooks: generated the webhook signing key in %s", path);
		return key;
	}
	BIO_free(mem);
	EVP_PKEY_free(key);
	return NULL;
}

EVP_PKEY *rtk_webhooks_key_load(const char *path, char **error)
{
	size_t len = 0;
	char *text = rtk_util_read_file(path, &len);
	if (!text) {
		if (errno == ENOENT)
			return webhooks_key_create(path, error);
		rtk_util_set_error(error, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	BIO *mem = BIO_new_mem_buf(text, (int)len);
	EVP_PKEY *key = mem ? PEM_read_bio_PrivateKey(mem, NULL, NULL, NULL) : NULL;
	BIO_free(mem);
	memset(text, 0, len);
	free(text);
	/* Refuse to regenerate over a damaged file: receivers hold the old
	 * public key. */
	if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
		rtk_util_set_error(error, "%s is not an RSA private key in PEM; fix or remove the file", path);
		EVP_PKEY_free(key);
		return NULL;
	}
	return key;
}

char *rtk_webhooks_public_key_pem(EVP_PKEY *key)
{
	BIO *mem = BIO_new(BIO_s_mem());
	char *data = NULL, *out = NULL;
	long len;
	if (mem && key && PEM_write_bio_PUBKEY(mem, key) && (len = BIO_get_mem_data(mem, &data)) > 0)
		out = strndup(data, (size_t)len);
	BIO_free(mem);
	return out;
}

char *rtk_webhooks_sign(EVP_PKEY *key, const char *body, size_t body_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *sig = NULL;
	size_t sig_len = 0;
	char *out = NULL;
	if (ctx && key && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
			EVP_DigestSign(ctx, NULL, &sig_len, (const unsigned char *)body, body_len) == 1 &&
			(sig = malloc(sig_len)) &&
			EVP_DigestSign(ctx, sig, &sig_len, (const unsigned char *)body, body_len) == 1) {
		gchar *b64 = g_base64_encode(sig, sig_len);
		out = strdup(b64);
		g_free(b64);
	}
	free(sig);
	EVP_MD_CTX_free(ctx);
	return out;
}

/* ---- which addresses a webhook may reach ---- */

/* IPv4 ranges that are not public unicast (IANA special-purpose registry,
 * plus multicast and the reserved class E); the broadcast address before
 * the class E range that holds it. */
static const struct v4_range {
	uint32_t net;
	unsigned bits;
	const char *what;
} v4_refused[] = {
	{ 0x00000000u, 8, "unspecified or \"this network\" (0.0.0.0/8)" },
	{ 0x0a000000u, 8, "private (10.0.0.0/8)" },
	{ 0x64400000u, 10, "shared carrier-grade NAT space (100.64.0.0/10)" },
	{ 0x7f000000u, 8, "loopback (127.0.0.0/8)" },
	{ 0xa9fe0000u, 16, "link-local (169.254.0.0/16)" },
	{ 0xac100000u, 12, "private (172.16.0.0/12)" },
	{ 0xc0000000u, 24, "IETF protocol assignments (192.0.0.0/24)" },
	{ 0xc0000200u, 24, "documentation (192.0.2.0/24)" },
	{ 0xc0586300u, 24, "6to4 relay anycast (192.88.99.0/24)" },
	{ 0xc0a80000u, 16, "private (192.168.0.0/16)" },
	{ 0xc6120000u, 15, "benchmarking (198.18.0.0/15)" },
	{ 0xc6336400u, 24, "documentation (198.51.100.0/24)" },
	{ 0xcb007100u, 24, "documentation (203.0.113.0/24)" },
	{ 0xe0000000u, 4, "multicast (224.0.0.0/4)" },
	{ 0xffffffffu, 32, "broadcast (255.255.255.255)" },
	{ 0xf0000000u, 4, "reserved (240.0.0.0/4)" },
};

/* `a` in host order. */
static const char *webhooks_v4_refusal(uint32_t a)
{
	for (size_t i = 0; i < G_N_ELEMENTS(v4_refused); i++) {
		uint32_t mask = 0xffffffffu << (32 - v4_refused[i].bits);
		if ((a & mask) == v4_refused[i].net)
			return v4_refused[i].what;
	}
	return NULL;
}

static uint32_t webhooks_be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int webhooks_all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* Only global unicast (2000::/3) is public, less its special blocks; an
 * address that carries an IPv4 address for a translator or a tunnel is
 * judged by that address. */
static const char *webhooks_v6_refusal(const uint8_t *b)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const uint8_t nat64[12] = { 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0 };
	if (memcmp(b, mapped, 12) == 0 || memcmp(b, nat64, 12) == 0)
		return webhooks_v4_refusal(webhooks_be32_at(b + 12));
	if (b[0] == 0x20 && b[1] == 0x02)   /* 6to4: 2002:AABB:CCDD::/48 */
		return webhooks_v4_refusal(webhooks_be32_at(b + 2));
	if ((b[0] & 0xe0) == 0x20) {
		if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
			return "documentation (2001:db8::/32)";
		if (b[0] == 0x20 && b[1] == 0x01 && (b[2] & 0xfe) == 0)
			return "IETF special-purpose, Teredo and benchmarking included (2001::/23)";
		if (b[0] == 0x3f && b[1] == 0xff && (b[2] & 0xf0) == 0)
			return "documentation (3fff::/20)";
		return NULL;
	}
	if (webhooks_all_zero(b, 16))
		return "unspecified (::)";
	if (webhooks_all_zero(b, 15) && b[15] == 1)
		return "loopback (::1)";
	if (webhooks_all_zero(b, 12))
		return "IPv4-compatible, deprecated (::/96)";
	if (b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4] == 0 && b[5] == 1)
		return "local-use NAT64 (64:ff9b:1::/48)";
	if (b[0] == 0x01 && webhooks_all_zero(b + 1, 7))
		return "discard-only (100::/64)";
	if ((b[0] & 0xfe) == 0xfc)
		return "unique local, private (fc00::/7)";
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return "link-local (fe80::/10)";
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
		return "site-local, deprecated (fec0::/10)";
	if (b[0] == 0xff)
		return "multicast (ff00::/8)";
	return "reserved, outside global unicast (2000::/3)";
}

const char *rtk_webhooks_address_forbidden(const struct sockaddr *addr, socklen_t len)
{
	if (addr && addr->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)addr;
		return webhooks_v4_refusal(ntohl(in->sin_addr.s_addr));
	}
	if (addr && addr->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;
		return webhooks_v6_refusal(in6->sin6_addr.s6_addr);
	}
	return "not an IPv4 or IPv6 address";
}

/* The address of `ai` as text (into buf). */
static const char *webhooks_address_text(const struct addrinfo *ai, char *buf, size_t size)
{
	const void *raw = ai->ai_family == AF_INET6 ?
		(const void *)&((const struct sockaddr_in6 *)ai->ai_addr)->sin6_addr :
		(const void *)&((const struct sockaddr_in *)ai->ai_addr)->sin_addr;
	if (!inet_ntop(ai->ai_family, raw, buf, (socklen_t)size))
		g_strlcpy(buf, "?", size);
	return buf;
}

/* ---- URLs ---- */

void rtk_webhooks_target_clear(rtk_webhook_target *t)
{
	g_free(t->host);
	g_free(t->port);
	g_free(t->authority);
	g_free(t->path);
	*t = (rtk_webhook_target) { 0 };
}

const char *rtk_webhooks_target_parse(const char *url, rtk_webhook_target *t)
{
	*t = (rtk_webhook_target) { 0 };
	if (!url)
		return "no URL";
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return "the URL has spaces or control characters";
	const char *rest;
	if (g_ascii_strncasecmp(url, "https://", 8) == 0) {
		t->https = 1;
		rest = url + 8;
	} else if (g_ascii_strncasecmp(url, "http://", 7) == 0) {
		rest = url + 7;
	} else {
		return "not an http:// or https:// URL";
	}
	size_t auth_len = strcspn(rest, "/?#");
	const char *at = memrchr(rest, '@', auth_len);
	if (at) {
		t->userinfo = 1;
		auth_len -= (size_t)(at + 1 - rest);
		rest = at + 1;
	}
	if (auth_len == 0)
		return "the URL has no host";
	const char *auth = rest, *end = rest + auth_len, *host = auth, *colon;
	size_t host_len;
	if (auth[0] == '[') {
		const char *close = memchr(auth, ']', auth_len);
		if (!close || (close + 1 < end && close[1] != ':'))
			return "malformed IPv6 host";
		host = auth + 1;
		host_len = (size_t)(close - host);
		colon = close + 1 < end ? close + 1 : NULL;
	} else {
		colon = memchr(auth, ':', auth_len);
		if (colon && memchr(colon + 1, ':', (size_t)(end - colon - 1)))
			return "malformed host (an IPv6 address needs brackets)";
		host_len = colon ? (size_t)(colon - auth) : auth_len;
	}
	if (host_len == 0)
		return "the URL has no host";
	if (memchr(host, '[', host_len) || memchr(host, ']', host_len))
		return "malformed IPv6 host";
	long port = t->https ? 443 : 80;
	if (colon) {
		size_t digits = (size_t)(end - colon - 1);
		port = 0;
		if (digits == 0 || digits > 5)
			return "malformed port";
		for (const char *p = colon + 1; p < end; p++) {
			if (*p < '0' || *p > '9')
				return "malformed port";
			port = port * 10 + (*p - '0');
		}
		if (port < 1 || port > 65535)
			return "malformed port";
	}
	t->host = g_strndup(host, host_len);
	t->port = g_strdup_printf("%ld", port);
	t->authority = g_strndup(auth, auth_len);
	const char *path = end;
	size_t path_len = strcspn(path, "#");
	t->path = path[0] == '/' ? g_strndup(path, path_len)
		: g_strdup_printf("/%.*s", (int)path_len, path);
	return NULL;
}

/* ---- queues ---- */

typedef struct pending_event {
	char *name;
	json_t *data;        /* owned; an object */
} pending_event;

typedef struct delivery {
	char *webhook_id;
	char *url;
	char *secret;
	char *id;            /* delivery uuid: rtk-uuid */
	char *event;
	char *body;          /* the signed bytes, NUL-terminated */
	char *rsa_signature; /* rtk-signature: over the body alone, the same on every attempt; NULL: no key */
	int attempts;        /* made so far */
	gint64 due;          /* monotonic microseconds */
} delivery;

struct rtk_webhooks {
	rtk_store *store;    /* borrowed */
	int allow_private;
	char *ca_file;       /* owned, or NULL: the system's CAs only */
	EVP_PKEY *key;       /* owned reference, or NULL: no rtk-signature */
	char *org_id;        /* owned, or NULL */
	char *base_url;      /* owned, or NULL */
	unsigned char *link_secret;   /* owned copy (signed download links), or NULL */
	size_t link_secret_len;
	GThread *workers[RTK_WEBHOOKS_WORKERS];
	GMutex lock;
	GCond cond;          /* broadcast whenever the fields below change */
	GQueue events;       /* pending_event *, oldest first */
	GQueue deliveries;   /* delivery *, by due time */
	char *busy[RTK_WEBHOOKS_WORKERS];   /* webhook ids with an attempt in flight (owned), or NULL */
	gboolean expanding;  /* a worker is turning an event into deliveries */
	gint64 stop_at;      /* 0 while running; then the monotonic deadline */
	int wake[2];         /* pipe: written once by free() */
};

static void webhooks_pending_event_free(pending_event *e)
{
	if (!e)
		return;
	free(e->name);
	json_decref(e->data);
	free(e);
}

static void webhooks_free_secret(char *s)
{
	if (s) {
		memset(s, 0, strlen(s));
		free(s);
	}
}

static char *webhooks_dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void webhooks_delivery_free(delivery *d)
{
	if (!d)
		return;
	free(d->webhook_id);
	free(d->url);
	webhooks_free_secret(d->secret);
	free(d->id);
	free(d->event);
	free(d->body);
	free(d->rsa_signature);
	free(d);
}

static gint webhooks_by_due(gconstpointer a, gconstpointer b, gpointer unused)
{
	gint64 da = ((const delivery *)a)->due, db = ((const delivery *)b)->due;
	return da < db ? -1 : da > db ? 1 : 0;
}

/* Called with the lock held. */
static guint webhooks_pending_locked(rtk_webhooks *wh)
{
	return wh->events.length + wh->deliveries.length;
}

/* Called with the lock held: is an attempt to webhook `id` in flight? */
static gboolean webhooks_busy_locked(rtk_webhooks *wh, const char *id)
{
	for (int i = 0; i < RTK_WEBHOOKS_WORKERS; i++)
		if (wh->busy[i] && strcmp(wh->busy[i], id) == 0)
			return TRUE;
	return FALSE;
}

/* Called with the lock held. */
static gboolean webhooks_idle_locked(rtk_webhooks *wh)
{
	if (webhooks_pending_locked(wh) > 0 || wh->expanding)
		return FALSE;
	for (int i = 0; i < RTK_WEBHOOKS_WORKERS; i++)
		if (wh->busy[i])
			return FALSE;
	return TRUE;
}

static gint64 webhooks_stop_deadline(rtk_webhooks *wh)
{
	g_mutex_lock(&wh->lock);
	gint64 at = wh->stop_at;
	g_mutex_unlock(&wh->lock);
	return at;
}

/* ---- waiting with deadlines ---- */

/* Waits until `fd` is ready for `events`, `deadline` passes or (when `wh`
 * is given) free()'s deadline does. 1 ready, 0 out of time, -1 error. */
static int webhooks_wait_fd(rtk_webhooks *wh, int fd, short events, gint64 deadline)
{
	for (;;) {
		gint64 stop = wh ? webhooks_stop_deadline(wh) : 0, limit = deadline;
		if (stop && stop < limit)
			limit = stop;
		gint64 left = limit - g_get_monotonic_time();
		if (left <= 0)
			return 0;
		/* Once free() has written to the pipe it stays readable: poll it
		 * only before, to learn of the new deadline. */
		struct pollfd p[2] = { { fd, events, 0 }, { wh ? wh->wake[0] : -1, POLLIN, 0 } };
		int n = poll(p, wh && !stop ? 2 : 1, (int)((left + 999) / 1000));
		if (n < 0 && errno != EINTR)
			return -1;
		if (n > 0 && p[0].revents)
			return 1;
	}
}

/* ---- name resolution with a deadline ---- */

typedef struct resolution {
	gint refs;           /* the waiter's and the resolver thread's */
	gint finished;       /* set by the thread, before it signals `done` */
	int done;            /* eventfd: readable once finished */
	char *host;
	char *port;
	int rc;              /* getaddrinfo()'s */
	struct addrinfo *res;/* owned until the waiter takes it */
} resolution;

static gint resolvers_running;   /* resolver threads alive, process-wide */

static const struct addrinfo resolve_hints = {
	.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV,
};

static void webhooks_resolution_unref(resolution *r)
{
	if (!g_atomic_int_dec_and_test(&r->refs))
		return;
	if (r->done >= 0)
		close(r->done);
	if (r->res)
		freeaddrinfo(r->res);
	g_free(r->host);
	g_free(r->port);
	g_free(r);
}

static gpointer webhooks_resolver_main(gpointer data)
{
	resolution *r = data;
	r->rc = getaddrinfo(r->host, r->port, &resolve_hints, &r->res);
	g_atomic_int_set(&r->finished, 1);
	uint64_t one = 1;
	if (write(r->done, &one, sizeof(one)) < 0)
		g_warning("rtk webhooks: cannot signal a finished name resolution: %s", strerror(errno));
	g_atomic_int_add(&resolvers_running, -1);
	webhooks_resolution_unref(r);
	return NULL;
}

/*
 * Resolves host:port into *out (freeaddrinfo()): a literal address at once,
 * in any form getaddrinfo() accepts; a name in a resolver thread, waited for
 * until `deadline` (and free()'s, when `wh` is given), and not at all when
 * `names` is 0. 0 on success; else -1 and *why (static; NULL for a name not
 * resolved because `names` is 0). *literal says which it was.
 */
static int webhooks_resolve(rtk_webhooks *wh, const char *host, const char *port, int names, gint64 deadline,
	struct addrinfo **out, int *literal, const char **why)
{
	struct addrinfo hints = resolve_hints;
	hints.ai_flags |= AI_NUMERICHOST;
	*out = NULL;
	*why = NULL;
	*literal = 1;
	int rc = getaddrinfo(host, port, &hints, out);
	if (rc == 0)
		return 0;
	*literal = 0;
	*out = NULL;
	if (rc != EAI_NONAME) {
		*why = "cannot resolve the host";
		return -1;
	}
	if (!names)
		return -1;
	if (g_atomic_int_add(&resolvers_running, 1) >= RTK_WEBHOOKS_MAX_RESOLVERS) {
		g_atomic_int_add(&resolvers_running, -1);
		*why = "too many host names are being resolved at once";
		return -1;
	}
	resolution *r = g_new0(resolution, 1);
	r->refs = 2;
	r->done = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	r->host = g_strdup(host);
	r->port = g_strdup(port);
	GThread *thread = r->done >= 0 ?
		g_thread_try_new("rtk-webhooks-dns", webhooks_resolver_main, r, NULL) : NULL;
	if (!thread) {
		g_atomic_int_add(&resolvers_running, -1);
		r->refs = 1;
		webhooks_resolution_unref(r);
		*why = "cannot start a name resolution";
		return -1;
	}
	g_thread_unref(thread);   /* detached: it ends by itself */
	int ready = webhooks_wait_fd(wh, r->done, POLLIN, deadline);
	int result = -1;
	if (g_atomic_int_get(&r->finished)) {
		if (r->rc == 0) {
			*out = r->res;   /* taken: the thread no longer touches it */
			r->res = NULL;
			result = 0;
		} else {
			*why = "cannot resolve the host";
		}
	} else {
		*why = ready == 0 ? "resolving the host took too long" : "cannot resolve the host";
	}
	webhooks_resolution_unref(r);
	return result;
}

char *rtk_webhooks_check_url(const char *url, int allow_private, int resolve_ms)
{
	rtk_webhook_target t;
	const char *bad = rtk_webhooks_target_parse(url, &t);
	if (bad)
		return g_strdup_printf("is not a usable webhook URL: %s", bad);
	char *refusal = NULL;
	struct addrinfo *res = NULL;
	int literal = 0;
	const char *why = NULL;
	gint64 deadline = g_get_monotonic_time() + (gint64)(resolve_ms > 0 ? resolve_ms : 0) * 1000;
	if (!allow_private &&
			webhooks_resolve(NULL, t.host, t.port, resolve_ms > 0, deadline, &res, &literal, &why) == 0) {
		const struct addrinfo *first = NULL;
		const char *first_why = NULL;
		int allowed = 0;
		for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
			const char *w = rtk_webhooks_address_forbidden(ai->ai_addr, ai->ai_addrlen);
			if (!w) {
				allowed++;
			} else if (!first) {
				first = ai;
				first_why = w;
			}
		}
		if (!allowed && first) {
			char text[INET6_ADDRSTRLEN];
			webhooks_address_text(first, text, sizeof(text));
			/* the host as the client wrote it, cut short (REST makes it valid UTF-8) */
			char *shown = strlen(t.host) > 64 ? g_strdup_printf("%.64s...", t.host) : g_strdup(t.host);
			const char *hint = "; set RTK_WEBHOOK_ALLOW_PRIVATE=1 on the server to allow non-public targets";
			if (literal && strcmp(text, t.host) == 0)
				refusal = g_strdup_printf("must point to a public address: %s is %s%s",
					text, first_why, hint);
			else if (literal)
				refusal = g_strdup_printf("must point to a public address: %s (%s) is %s%s",
					shown, text, first_why, hint);
			else
				refusal = g_strdup_printf("must point to a public address: %s resolves only to "
					"non-public addresses (%s is %s)%s", shown, text, first_why, hint);
			g_free(shown);
		}
		freeaddrinfo(res);
	}
	rtk_webhooks_target_clear(&t);
	return refusal;
}

/* ---- the HTTP client (libcurl) ---- */

int rtk_webhooks_status_of(const char *line)
{
	/* "HTTP/" 1*DIGIT ["." 1*DIGIT] SP 3DIGIT, then anything but a digit.
	 * No sscanf(): a receiver's digits must not overflow an int. */
	if (line == NULL || strncmp(line, "HTTP/", 5) != 0)
		return -1;
	const char *p = line + 5;
	if (!g_ascii_isdigit(*p))
		return -1;
	while (g_ascii_isdigit(*p))
		p++;
	if (*p == '.') {
		p++;
		if (!g_ascii_isdigit(*p))
			return -1;
		while (g_ascii_isdigit(*p))
			p++;
	}
	if (*p++ != ' ')
		return -1;
	if (!g_ascii_isdigit(p[0]) || !g_ascii_isdigit(p[1]) || !g_ascii_isdigit(p[2]) || g_ascii_isdigit(p[3]))
		return -1;
	int status = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	return status >= 100 ? status : -1;
}

/* What one transfer's callbacks share with the attempt. */
typedef struct transfer {
	rtk_webhooks *wh;
	int status;          /* the final (non-1xx) status, 0 until its line came */
	int line_start;      /* the next header line starts a response (a status line) */
	const char *refused; /* the policy refused the address libcurl was about to connect to */
} transfer;

/* Reads the status line of every response (1xx ones included) and stops the
 * transfer once a final status is known: headers and body are not read. */
static size_t webhooks_on_header(char *data, size_t size, size_t n, void *user)
{
	transfer *x = user;
	size_t len = size * n;
	if (x->line_start) {
		char line[256];
		size_t keep = MIN(len, sizeof(line) - 1);
		memcpy(line, data, keep);
		line[keep] = '\0';
		int status = rtk_webhooks_status_of(line);
		if (status >= 200) {
			x->status = status;
			return 0;   /* stop here: CURLE_WRITE_ERROR, with the status known */
		}
		x->line_start = 0;
	}
	if (len <= 2 && (len == 0 || data[0] == '\r' || data[0] == '\n'))
		x->line_start = 1;   /* the end of a 1xx response's headers */
	return len;
}

static size_t webhooks_on_body(char *data, size_t size, size_t n, void *user)
{
	return size * n;   /* not reached with a status line; discarded */
}

/* The socket of every connection libcurl makes: only to an address the
 * policy allows (the address actually connected, after CURLOPT_RESOLVE). */
static curl_socket_t webhooks_open_socket(void *user, curlsocktype purpose, struct curl_sockaddr *address)
{
	transfer *x = user;
	if (purpose != CURLSOCKTYPE_IPCXN)
		return CURL_SOCKET_BAD;
	if (!x->wh->allow_private) {
		const char *why = rtk_webhooks_address_forbidden(&address->addr, address->addrlen);
		if (why) {
			x->refused = why;
			return CURL_SOCKET_BAD;
		}
	}
	return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

/* Adds the extra CA file to the certificates libcurl already trusts. */
static CURLcode webhooks_on_ssl_ctx(CURL *curl, void *ssl_ctx, void *user)
{
	const char *ca_file = user;
	X509_STORE *store = SSL_CTX_get_cert_store(ssl_ctx);
	if (!store || X509_STORE_load_locations(store, ca_file, NULL) != 1)
		return CURLE_SSL_CACERT_BADFILE;
	return CURLE_OK;
}

/* "host:port:addr1,addr2,..." for CURLOPT_RESOLVE (g_free()): `addrs` as
 * the only addresses of t->host. */
static char *webhooks_pin_text(const rtk_webhook_target *t, const struct addrinfo *const *addrs, size_t n)
{
	GString *s = g_string_new(NULL);
	g_string_append_printf(s, "%s:%s:", t->host, t->port);
	for (size_t i = 0; i < n; i++) {
		char text[INET6_ADDRSTRLEN];
		webhooks_address_text(addrs[i], text, sizeof(text));
		g_string_append_printf(s, addrs[i]->ai_family == AF_INET6 ? "%s[%s]" : "%s%s", i ? "," : "", text);
	}
	return g_string_free(s, FALSE);
}

/* The request headers of one attempt made now (curl_slist_free_all()). */
static struct curl_slist *webhooks_headers(rtk_webhooks *wh, const delivery *d)
{
	long long now = (long long)time(NULL);
	char *v2 = rtk_webhooks_signature_v2(d->secret, now, d->body, strlen(d->body));
	if (!v2)
		return NULL;
	char *lines[] = {
		g_strdup("Content-Type: application/json"),
		g_strdup("User-Agent: rtk-webhooks/2"),
		g_strdup("Expect:"),
		g_strdup_printf("rtk-uuid: %s", d->id),
		g_strdup_printf("dyte-uuid: %s", d->id),
		g_strdup_printf("rtk-webhook-id: %s", d->webhook_id),
		g_strdup_printf("dyte-webhook-id: %s", d->webhook_id),
		d->rsa_signature ? g_strdup_printf("rtk-signature: %s", d->rsa_signature) : NULL,
		d->rsa_signature ? g_strdup_printf("dyte-signature: %s", d->rsa_signature) : NULL,
		g_strdup_printf("rtk-timestamp: %lld", now),
		g_strdup_printf("rtk-signature-v2: %s", v2),
	};
	free(v2);
	struct curl_slist *list = NULL;
	for (size_t i = 0; i < G_N_ELEMENTS(lines); i++) {
		if (lines[i]) {
			struct curl_slist *more = curl_slist_append(list, lines[i]);
			if (more)
				list = more;
		}
		g_free(lines[i]);
	}
	return list;
}

/* Sets up `curl` for one POST of `d` to the addresses `pin` holds. 0, or -1. */
static int webhooks_prepare(rtk_webhooks *wh, CURL *curl, const delivery *d, struct curl_slist *headers,
	struct curl_slist *pin, transfer *x, gint64 deadline, char *errbuf)
{
	long timeout_ms = (long)MAX(1, (deadline - g_get_monotonic_time()) / 1000);
	int bad = 0;
#define WEBHOOKS_SET(opt, value) bad |= curl_easy_setopt(curl, opt, value) != CURLE_OK
	WEBHOOKS_SET(CURLOPT_URL, d->url);
	WEBHOOKS_SET(CURLOPT_PROTOCOLS_STR, "http,https");
	WEBHOOKS_SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	WEBHOOKS_SET(CURLOPT_FOLLOWLOCATION, 0L);
	WEBHOOKS_SET(CURLOPT_PROXY, "");   /* never a proxy from the environment */
	WEBHOOKS_SET(CURLOPT_NOPROXY, "*");
	WEBHOOKS_SET(CURLOPT_NOSIGNAL, 1L);
	WEBHOOKS_SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	WEBHOOKS_SET(CURLOPT_FORBID_REUSE, 1L);
	WEBHOOKS_SET(CURLOPT_TIMEOUT_MS, timeout_ms);
	WEBHOOKS_SET(CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	WEBHOOKS_SET(CURLOPT_RESOLVE, pin);
	WEBHOOKS_SET(CURLOPT_OPENSOCKETFUNCTION, webhooks_open_socket);
	WEBHOOKS_SET(CURLOPT_OPENSOCKETDATA, x);
	WEBHOOKS_SET(CURLOPT_SSL_VERIFYPEER, 1L);
	WEBHOOKS_SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (wh->ca_file) {
		WEBHOOKS_SET(CURLOPT_CA_CACHE_TIMEOUT, 0L);
		WEBHOOKS_SET(CURLOPT_SSL_CTX_FUNCTION, webhooks_on_ssl_ctx);
		WEBHOOKS_SET(CURLOPT_SSL_CTX_DATA, wh->ca_file);
	}
	WEBHOOKS_SET(CURLOPT_POST, 1L);
	WEBHOOKS_SET(CURLOPT_POSTFIELDS, d->body);
	WEBHOOKS_SET(CURLOPT_POSTFIELDSIZE, (long)strlen(d->body));
	WEBHOOKS_SET(CURLOPT_HTTPHEADER, headers);
	WEBHOOKS_SET(CURLOPT_HEADERFUNCTION, webhooks_on_header);
	WEBHOOKS_SET(CURLOPT_HEADERDATA, x);
	WEBHOOKS_SET(CURLOPT_WRITEFUNCTION, webhooks_on_body);
	WEBHOOKS_SET(CURLOPT_ERRORBUFFER, errbuf);
#undef WEBHOOKS_SET
	return bad ? -1 : 0;
}

/* Runs the transfer until it ends, `deadline` passes or free()'s does
 * (the wake pipe is polled with libcurl's sockets). The transfer's result;
 * CURLE_OPERATION_TIMEDOUT when a deadline cut it. */
static CURLcode webhooks_perform(rtk_webhooks *wh, CURL *curl, gint64 deadline)
{
	CURLM *multi = curl_multi_init();
	if (!multi)
		return CURLE_OUT_OF_MEMORY;
	CURLcode result = CURLE_OPERATION_TIMEDOUT;
	if (curl_multi_add_handle(multi, curl) != CURLM_OK) {
		curl_multi_cleanup(multi);
		return CURLE_OUT_OF_MEMORY;
	}
	for (;;) {
		int running = 0;
		if (curl_multi_perform(multi, &running) != CURLM_OK) {
			result = CURLE_FAILED_INIT;
			break;
		}
		if (!running) {
			int left = 0;
			CURLMsg *msg;
			while ((msg = curl_multi_info_read(multi, &left)))
				if (msg->msg == CURLMSG_DONE)
					result = msg->data.result;
			break;
		}
		gint64 stop = webhooks_stop_deadline(wh), limit = deadline;
		if (stop && stop < limit)
			limit = stop;
		gint64 wait_us = limit - g_get_monotonic_time();
		if (wait_us <= 0)
			break;   /* out of time: CURLE_OPERATION_TIMEDOUT */
		/* Once free() has written to the pipe it stays readable: poll it
		 * only before, to learn of the new deadline. */
		struct curl_waitfd wake = { .fd = wh->wake[0], .events = CURL_WAIT_POLLIN };
		curl_multi_poll(multi, stop ? NULL : &wake, stop ? 0 : 1, (int)MIN((wait_us + 999) / 1000, 1000), NULL);
	}
	curl_multi_remove_handle(multi, curl);
	curl_multi_cleanup(multi);
	return result;
}

/* Why a transfer that ended with `rc` and no status failed (a phrase). */
static void webhooks_failure_text(CURLcode rc, const transfer *x, const char *errbuf, char *why, size_t size)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
		if (x->refused)
			snprintf(why, size, "refused: the address libcurl was to connect to is %s", x->refused);
		else   /* libcurl's text names the address and port, never the URL's path */
			snprintf(why, size, "cannot connect: %s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
		break;
	case CURLE_OPERATION_TIMEDOUT:
		g_strlcpy(why, "no HTTP answer in time", size);
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
		/* libcurl's text names the certificate problem, never the URL's path */
		snprintf(why, size, "TLS failed: %s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
		break;
	default:
		snprintf(why, size, "%s", curl_easy_strerror(rc));
		break;
	}
}

typedef enum attempt_result { ATTEMPT_OK, ATTEMPT_RETRY, ATTEMPT_GIVE_UP } attempt_result;

/* One POST to the addresses `use` (which the policy kept; none for a
 * literal address, which libcurl connects to as it is). */
static attempt_result webhooks_post(rtk_webhooks *wh, const delivery *d, const rtk_webhook_target *t,
	const struct addrinfo *const *use, size_t n, gint64 deadline, char *why, size_t why_size, int *status)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	transfer x = { .wh = wh, .line_start = 1 };
	/* a literal address is not resolved by libcurl: only a name is pinned */
	char *pin_text = n ? webhooks_pin_text(t, use, n) : NULL;
	struct curl_slist *pin = pin_text ? curl_slist_append(NULL, pin_text) : NULL;
	struct curl_slist *headers = webhooks_headers(wh, d);
	CURL *curl = curl_easy_init();
	attempt_result result = ATTEMPT_RETRY;
	if ((pin_text && !pin) || !headers || !curl || webhooks_prepare(wh, curl, d, headers, pin, &x, deadline, errbuf) != 0) {
		g_strlcpy(why, "cannot set up the request", why_size);
	} else {
		CURLcode rc = webhooks_perform(wh, curl, deadline);
		*status = x.status;
		if (x.status >= 200 && x.status < 300)
			result = ATTEMPT_OK;
		else if (x.status == 0)
			webhooks_failure_text(rc, &x, errbuf, why, why_size);
		if (x.status == 0 && (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL))
			result = ATTEMPT_GIVE_UP;   /* the same on every attempt */
	}
	if (curl)
		curl_easy_cleanup(curl);
	curl_slist_free_all(headers);
	curl_slist_free_all(pin);
	g_free(pin_text);
	return result;
}

/* One attempt: resolve, keep the addresses the policy allows, POST. `why`
 * (a phrase) or *status says what went wrong; *host names the target for
 * the logs (g_free()). */
static attempt_result webhooks_attempt(rtk_webhooks *wh, const delivery *d, char *why, size_t why_size,
	int *status, char **host)
{
	rtk_webhook_target t;
	*status = 0;
	const char *problem = rtk_webhooks_target_parse(d->url, &t);
	if (!problem && t.userinfo)
		problem = "user:password@ in a webhook URL is not supported";
	if (problem) {
		g_strlcpy(why, problem, why_size);
		rtk_webhooks_target_clear(&t);
		return ATTEMPT_GIVE_UP;
	}
	*host = g_strdup(t.authority);
	gint64 deadline = g_get_monotonic_time() + (gint64)RTK_WEBHOOKS_TIMEOUT_MS * 1000;
	attempt_result result = ATTEMPT_RETRY;
	struct addrinfo *res = NULL;
	int literal = 0;
	if (webhooks_resolve(wh, t.host, t.port, 1, deadline, &res, &literal, &problem) != 0) {
		g_strlcpy(why, problem, why_size);
		rtk_webhooks_target_clear(&t);
		return ATTEMPT_RETRY;
	}
	/* The addresses the policy keeps, in the resolver's order: the only
	 * ones this attempt connects to. */
	const struct addrinfo *use[MAX_ADDRESSES];
	size_t n = 0;
	const struct addrinfo *refused = NULL;
	const char *refused_why = NULL;
	for (const struct addrinfo *ai = res; ai && n < MAX_ADDRESSES; ai = ai->ai_next) {
		const char *w = wh->allow_private ? NULL :
			rtk_webhooks_address_forbidden(ai->ai_addr, ai->ai_addrlen);
		if (!w) {
			use[n++] = ai;
		} else if (!refused) {
			refused = ai;
			refused_why = w;
		}
	}
	if (n == 0) {
		char text[INET6_ADDRSTRLEN];
		snprintf(why, why_size, "refused: the host resolves only to non-public addresses (%s is %s); "
			"RTK_WEBHOOK_ALLOW_PRIVATE=1 allows them",
			refused ? webhooks_address_text(refused, text, sizeof(text)) : "?",
			refused_why ? refused_why : "?");
		result = ATTEMPT_GIVE_UP;
	} else {
		result = webhooks_post(wh, d, &t, literal ? NULL : use, literal ? 0 : n, deadline, why, why_size, status);
	}
	freeaddrinfo(res);
	rtk_webhooks_target_clear(&t);
	return result;
}

/* ---- turning events into deliveries ---- */

/* Adds what the emitter could not know to a "meeting" object: title and
 * createdAt from the stored meeting (when either is absent), and
 * organizedBy. */
static void webhooks_complete_meeting(rtk_webhooks *wh, json_t *meeting)
{
	const char *id = json_string_value(json_object_get(meeting, "id"));
	json_t *stored = NULL;
	if (id && (!json_object_get(meeting, "title") || !json_object_get(meeting, "createdAt")) &&
			rtk_store_meeting_get(wh->store, id, &stored) == RTK_STORE_OK) {
		json_t *title = json_object_get(stored, "title");
		json_object_set_new(meeting, "title", json_is_string(title) ? json_copy(title) : json_null());
		json_t *created = json_object_get(stored, "created_at");
		if (json_is_string(created))
			json_object_set_new(meeting, "createdAt", json_copy(created));
	}
	json_decref(stored);
	if (wh->org_id)
		json_object_set_new(meeting, "organizedBy", json_pack("{s:s, s:s}", "id", wh->org_id, "name", "RTK"));
}

/* Adds joinedAt to a participant who left, from the session's history
 * (store.h, session participants: the row of that join, by peer id), when
 * it is there. */
static void webhooks_complete_participant(rtk_webhooks *wh, json_t *participant)
{
	const char *peer = json_string_value(json_object_get(participant, "peerId"));
	json_t *row = NULL;
	if (peer && !json_object_get(participant, "joinedAt") &&
			rtk_store_session_participant_get(wh->store, NULL, peer, &row) == RTK_STORE_OK) {
		json_t *joined = json_object_get(row, "joined_at");
		if (json_is_string(joined))
			json_object_set_new(participant, "joinedAt", json_copy(joined));
	}
	json_decref(row);
}

/* Adds organizationId, and downloadUrl once the file can be fetched (null
 * for a per-track recording: its tracks' links are in its REST object). */
static void webhooks_complete_recording(rtk_webhooks *wh, json_t *rec)
{
	if (wh->org_id)
		json_object_set_new(rec, "organizationId", json_string(wh->org_id));
	const char *id = json_string_value(json_object_get(rec, "id"));
	const char *status = json_string_value(json_object_get(rec, "status"));
	json_t *size = json_object_get(rec, "fileSize");
	char *url = NULL, *expiry = NULL;
	gboolean tracks = json_object_get(rec, "tracks") != NULL;   /* per-track: each file has its own link (REST) */
	if (!tracks && wh->base_url && wh->link_secret && id && status && strcmp(status, "UPLOADED") == 0 &&
			json_is_integer(size) && json_integer_value(size) > 0)
		url = rtk_signed_url_recording(wh->link_secret, wh->link_secret_len, wh->base_url, id,
			g_get_real_time() / G_USEC_PER_SEC, &expiry);
	if (url != NULL) {   /* the signed link REST's download_url is, valid a day from now */
		json_object_set_new(rec, "downloadUrl", json_string(url));
		json_object_set_new(rec, "downloadUrlExpiry", json_string(expiry));
		g_free(url);
		g_free(expiry);
	} else if (!json_object_get(rec, "downloadUrl")) {
		json_object_set_new(rec, "downloadUrl", json_null());
	}
}

/* The body of event `e` as every subscriber gets it (free()), or NULL:
 * {"event", ...data}, completed from the store and the config. */
static char *webhooks_body_text(rtk_webhooks *wh, const pending_event *e)
{
	json_t *body = json_pack("{s:s}", "event", e->name);
	if (!body)
		return NULL;
	json_object_update_missing(body, e->data);
	json_t *meeting = json_object_get(body, "meeting");
	if (json_is_object(meeting)) {
		json_t *copy = json_deep_copy(meeting);   /* e->data is not changed */
		webhooks_complete_meeting(wh, copy);
		json_object_set_new(body, "meeting", copy);
	}
	json_t *participant = json_object_get(body, "participant");
	if (json_is_object(participant)) {
		json_t *copy = json_deep_copy(participant);
		webhooks_complete_participant(wh, copy);
		json_object_set_new(body, "participant", copy);
	}
	json_t *rec = json_object_get(body, "recording");
	if (json_is_object(rec)) {
		json_t *copy = json_deep_copy(rec);
		webhooks_complete_recording(wh, copy);
		json_object_set_new(body, "recording", copy);
	}
	if (strcmp(e->name, "meeting.chatSynced") == 0 && wh->org_id)
		json_object_set_new(body, "organizedBy", json_pack("{s:s, s:s}", "id", wh->org_id, "name", "RTK"));
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	return text;
}

static delivery *webhooks_delivery_new(rtk_webhooks *wh, const pending_event *e, const char *body,
	const char *rsa_signature, const json_t *webhook)
{
	delivery *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->webhook_id = webhooks_dup_or_null(json_string_value(json_object_get(webhook, "id")));
	d->url = webhooks_dup_or_null(json_string_value(json_object_get(webhook, "url")));
	d->secret = webhooks_dup_or_null(json_string_value(json_object_get(webhook, "secret")));
	d->event = webhooks_dup_or_null(e->name);
	d->id = rtk_util_uuid4();
	d->body = strdup(body);
	d->rsa_signature = webhooks_dup_or_null(rsa_signature);
	d->due = g_get_monotonic_time();
	if (!d->webhook_id || !d->url || !d->secret || !d->event || !d->id || !d->body ||
			(rsa_signature && !d->rsa_signature)) {
		webhooks_delivery_free(d);
		return NULL;
	}
	return d;
}

/* Reads the subscribers of `e` and queues a delivery for each: the same
 * body and signature for all (the body does not name the webhook). */
static void webhooks_expand(rtk_webhooks *wh, pending_event *e)
{
	json_t *hooks = NULL;
	if (rtk_store_webhook_list_for_event(wh->store, e->name, &hooks) != RTK_STORE_OK) {
		g_warning("rtk webhooks: cannot read the webhooks for %s; event dropped", e->name);
		return;
	}
	if (json_array_size(hooks) == 0) {
		json_decref(hooks);
		return;
	}
	char *body = webhooks_body_text(wh, e);
	char *sig = body && wh->key ? rtk_webhooks_sign(wh->key, body, strlen(body)) : NULL;
	if (!body || (wh->key && !sig)) {
		g_warning("rtk webhooks: cannot make or sign the body of %s; event dropped", e->name);
		free(body);
		json_decref(hooks);
		return;
	}
	size_t i;
	json_t *hook;
	json_array_foreach(hooks, i, hook) {
		delivery *d = webhooks_delivery_new(wh, e, body, sig, hook);
		if (!d) {
			g_warning("rtk webhooks: out of memory; %s not delivered", e->name);
			continue;
		}
		g_mutex_lock(&wh->lock);
		g_queue_insert_sorted(&wh->deliveries, d, webhooks_by_due, NULL);
		g_cond_broadcast(&wh->cond);
		g_mutex_unlock(&wh->lock);
	}
	free(body);
	free(sig);
	json_decref(hooks);
}

/* Deliveries finished, for /metrics (rtk_webhooks_deliveries()): process-wide
 * relaxed atomics, like every counter of metrics.h. */
static uint64_t webhooks_delivered, webhooks_failed;

static void webhooks_count(uint64_t *counter)
{
	__atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

void rtk_webhooks_deliveries(uint64_t *delivered, uint64_t *failed)
{
	*delivered = __atomic_load_n(&webhooks_delivered, __ATOMIC_RELAXED);
	*failed = __atomic_load_n(&webhooks_failed, __ATOMIC_RELAXED);
}

/* Runs one attempt of `d`; requeues it for a retry or frees it. */
static void webhooks_run(rtk_webhooks *wh, delivery *d)
{
	char why[320] = "failed";
	int status = 0;
	char *host = NULL;
	attempt_result result = webhooks_attempt(wh, d, why, sizeof(why), &status, &host);
	d->attempts++;
	if (result == ATTEMPT_OK) {
		webhooks_count(&webhooks_delivered);
		webhooks_delivery_free(d);
		g_free(host);
		return;
	}
	gint64 stop = webhooks_stop_deadline(wh);
	if (result == ATTEMPT_RETRY && stop && g_get_monotonic_time() >= stop) {
		g_warning("rtk webhooks: %s to webhook %s (%s) dropped: the server is stopping",
			d->event, d->webhook_id, host ? host : "?");
		webhooks_count(&webhooks_failed);
		webhooks_delivery_free(d);
		g_free(host);
		return;
	}
	char reason[sizeof(why)];
	if (status > 0)
		snprintf(reason, sizeof(reason), "answered HTTP %d", status);
	else
		g_strlcpy(reason, why, sizeof(reason));
	if (result == ATTEMPT_RETRY && d->attempts < RTK_WEBHOOKS_ATTEMPTS) {
		g_message("rtk webhooks: %s to webhook %s (%s): attempt %d %s; retrying",
			d->event, d->webhook_id, host ? host : "?", d->attempts, reason);
		d->due = g_get_monotonic_time() + (gint64)d->attempts * RTK_WEBHOOKS_BACKOFF_MS * 1000;
		g_mutex_lock(&wh->lock);
		g_queue_insert_sorted(&wh->deliveries, d, webhooks_by_due, NULL);
		g_cond_broadcast(&wh->cond);
		g_mutex_unlock(&wh->lock);
	} else {
		g_warning("rtk webhooks: %s to webhook %s (%s) failed after %d attempt%s: %s",
			d->event, d->webhook_id, host ? host : "?", d->attempts,
			d->attempts == 1 ? "" : "s", reason);
		webhooks_count(&webhooks_failed);
		webhooks_delivery_free(d);
	}
	g_free(host);
}

/* ---- the workers ---- */

/*
 * With the lock held: waits for work and takes it: the oldest event, when
 * no other worker is expanding one (*e), else the first due delivery whose
 * webhook has no attempt in flight (*d, marked busy in *slot). FALSE when
 * the worker must end: stopping, and nothing more can run in the grace.
 */
static gboolean webhooks_take_work(rtk_webhooks *wh, pending_event **e, delivery **d, int *slot)
{
	*e = NULL;
	*d = NULL;
	for (;;) {
		gint64 now = g_get_monotonic_time(), next = G_MAXINT64;
		GList *ready = NULL;
		for (GList *l = wh->deliveries.head; l; l = l->next) {
			delivery *x = l->data;
			if (webhooks_busy_locked(wh, x->webhook_id))
				continue;
			if (x->due <= now)
				ready = l;
			else
				next = x->due;   /* the queue is sorted: the earliest a free webhook is due */
			break;
		}
		gboolean event = wh->events.length > 0 && !wh->expanding;
		if (wh->stop_at && (now >= wh->stop_at || (!event && !ready && next >= wh->stop_at)))
			return FALSE;
		if (event) {
			*e = g_queue_pop_head(&wh->events);
			wh->expanding = TRUE;
			return TRUE;
		}
		if (ready) {
			*d = ready->data;
			g_queue_delete_link(&wh->deliveries, ready);
			for (*slot = 0; *slot < RTK_WEBHOOKS_WORKERS && wh->busy[*slot]; (*slot)++)
				;
			/* one attempt per worker: a slot is always free */
			wh->busy[*slot] = g_strdup((*d)->webhook_id);
			return TRUE;
		}
		gint64 until = next;
		if (wh->stop_at && wh->stop_at < until)
			until = wh->stop_at;
		if (until == G_MAXINT64)
			g_cond_wait(&wh->cond, &wh->lock);
		else
			g_cond_wait_until(&wh->cond, &wh->lock, until);
	}
}

static gpointer webhooks_worker_main(gpointer data)
{
	rtk_webhooks *wh = data;
	pending_event *e;
	delivery *d;
	int slot = 0;
	g_mutex_lock(&wh->lock);
	while (webhooks_take_work(wh, &e, &d, &slot)) {
		g_mutex_unlock(&wh->lock);
		if (e) {
			webhooks_expand(wh, e);
			webhooks_pending_event_free(e);
		} else {
			webhooks_run(wh, d);
		}
		g_mutex_lock(&wh->lock);
		if (e) {
			wh->expanding = FALSE;
		} else {
			g_free(wh->busy[slot]);
			wh->busy[slot] = NULL;
		}
		g_cond_broadcast(&wh->cond);
	}
	g_mutex_unlock(&wh->lock);
	return NULL;
}

/* ---- public ---- */

/* libcurl's process-wide set-up, once, before any transfer. */
static gpointer webhooks_curl_init(gpointer unused)
{
	return GINT_TO_POINTER(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK);
}

rtk_webhooks *rtk_webhooks_new(rtk_store *store, const rtk_webhooks_config *config)
{
	static GOnce curl_once = G_ONCE_INIT;
	if (!GPOINTER_TO_INT(g_once(&curl_once, webhooks_curl_init, NULL))) {
		g_warning("rtk webhooks: libcurl did not initialise");
		return NULL;
	}
	rtk_webhooks *wh = calloc(1, sizeof(*wh));
	if (!wh)
		return NULL;
	wh->store = store;
	wh->allow_private = config && config->allow_private != 0;
	wh->ca_file = config && config->ca_file && *config->ca_file ? g_strdup(config->ca_file) : NULL;
	if (config && config->signing_key && EVP_PKEY_up_ref(config->signing_key) == 1)
		wh->key = config->signing_key;
	wh->org_id = config && config->org_id ? g_strdup(config->org_id) : NULL;
	wh->base_url = config && config->base_url ? g_strdup(config->base_url) : NULL;
	if (config && config->link_secret && config->link_secret_len > 0) {
		wh->link_secret = g_memdup2(config->link_secret, config->link_secret_len);
		wh->link_secret_len = config->link_secret_len;
	}
	g_mutex_init(&wh->lock);
	g_cond_init(&wh->cond);
	g_queue_init(&wh->events);
	g_queue_init(&wh->deliveries);
	wh->wake[0] = wh->wake[1] = -1;
	gboolean ok = FALSE;
	if (pipe2(wh->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
		g_warning("rtk webhooks: cannot make a pipe: %s", strerror(errno));
	} else {
		ok = TRUE;
		for (int i = 0; ok && i < RTK_WEBHOOKS_WORKERS; i++) {
			GError *err = NULL;
			wh->workers[i] = g_thread_try_new("rtk-webhooks", webhooks_worker_main, wh, &err);
			if (!wh->workers[i]) {
				g_warning("rtk webhooks: cannot start a delivery worker: %s",
					err ? err->message : "unknown error");
				g_clear_error(&err);
				ok = FALSE;
			}
		}
	}
	if (!ok) {
		rtk_webhooks_free(wh);
		return NULL;
	}
	if (wh->ca_file)
		g_message("rtk webhooks: https:// targets may also use certificates from %s (RTK_WEBHOOK_CA_FILE)",
			wh->ca_file);
	if (wh->allow_private)
		g_message("rtk webhooks: deliveries may reach loopback, private and other non-public "
			"addresses (RTK_WEBHOOK_ALLOW_PRIVATE)");
	return wh;
}

void rtk_webhooks_free(rtk_webhooks *wh)
{
	if (!wh)
		return;
	g_mutex_lock(&wh->lock);
	wh->stop_at = g_get_monotonic_time() + (gint64)RTK_WEBHOOKS_GRACE_MS * 1000;
	g_cond_broadcast(&wh->cond);
	g_mutex_unlock(&wh->lock);
	if (wh->wake[1] >= 0 && write(wh->wake[1], "x", 1) < 0 && errno != EAGAIN)
		g_warning("rtk webhooks: cannot wake the delivery workers: %s", strerror(errno));
	for (int i = 0; i < RTK_WEBHOOKS_WORKERS; i++)
		if (wh->workers[i])
			g_thread_join(wh->workers[i]);
	guint dropped = webhooks_pending_locked(wh);
	if (dropped)
		g_warning("rtk webhooks: stopping; %u queued event(s) or deliveries dropped", dropped);
	g_queue_clear_full(&wh->events, (GDestroyNotify)webhooks_pending_event_free);
	g_queue_clear_full(&wh->deliveries, (GDestroyNotify)webhooks_delivery_free);
	for (int i = 0; i < 2; i++)
		if (wh->wake[i] >= 0)
			close(wh->wake[i]);
	g_free(wh->ca_file);
	EVP_PKEY_free(wh->key);
	g_free(wh->org_id);
	g_free(wh->base_url);
	g_free(wh->link_secret);
	g_cond_clear(&wh->cond);
	g_mutex_clear(&wh->lock);
	free(wh);
}

int rtk_webhooks_wait_idle(rtk_webhooks *wh, int timeout_ms)
{
	if (!wh)
		return 1;
	gint64 until = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	g_mutex_lock(&wh->lock);
	gboolean idle = webhooks_idle_locked(wh);
	while (!idle && g_cond_wait_until(&wh->cond, &wh->lock, until))
		idle = webhooks_idle_locked(wh);
	idle = webhooks_idle_locked(wh);
	g_mutex_unlock(&wh->lock);
	return idle ? 1 : 0;
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
	}
	if (!e || !e->name || !e->data) {
		if (e)
			webhooks_pending_event_free(e);
		else
			json_decref(data);
		g_warning("rtk webhooks: out of memory; %s dropped", event);
		return;
	}
	g_mutex_lock(&wh->lock);
	gboolean accepted = !wh->stop_at && webhooks_pending_locked(wh) < RTK_WEBHOOKS_MAX_PENDING;
	if (accepted) {
		g_queue_push_tail(&wh->events, e);
		g_cond_broadcast(&wh->cond);
	}
	g_mutex_unlock(&wh->lock);
	if (!accepted) {
		g_warning("rtk webhooks: %s dropped: the delivery queue is full or stopping", event);
		webhooks_pending_event_free(e);
	}
}
