/*
 * webhooks.h - signed delivery of server events to the webhooks in the store
 * (store.h, "Webhooks"; REST: rest_webhooks.c, docs/rest.md "Webhooks"), and
 * the rules on where a webhook may point.
 *
 * Owns the list of event names a webhook may subscribe to, the delivery of
 * events, and the target policy: a few background workers POST each event to
 * every enabled webhook subscribed to it, so the thread that emits (a Janus
 * plugin thread, the REST server) never waits on the network or on the
 * store, and one slow or unresolvable receiver holds at most one worker.
 *
 * A delivery is an HTTP/1.1 POST, over http:// or https:// (libcurl; the
 * certificate is verified against the system's CAs plus the extra CA file
 * of the config, RTK_WEBHOOK_CA_FILE), of
 *     {"event": "<name>", ...data}
 * (the keys of the emitted data merged at the top level, the shapes
 * RealtimeKit sends; see rtk_webhooks_emit() for what is added here) with
 * the headers RealtimeKit sends, and their Dyte-era twins:
 *     Content-Type: application/json
 *     rtk-uuid, dyte-uuid: <delivery uuid; the same on every attempt>
 *     rtk-webhook-id, dyte-webhook-id: <the webhook's id>
 *     rtk-signature, dyte-signature: <base64 RSA-SHA256 (PKCS#1 v1.5) of the
 *                    raw body with the deployment's key (the public half at
 *                    GET /.well-known/webhooks.json)>
 * and this server's own replay-resistant HMAC, kept from before:
 *     rtk-timestamp: <Unix seconds of the attempt>
 *     rtk-signature-v2: sha256=<lower-case hex HMAC-SHA256 of
 *                       "<rtk-timestamp>.<raw body>", keyed with the
 *                       webhook's secret string as bytes>
 * Each webhook gets its own delivery (its own uuid). Any 2xx answer is
 * success (a redirect is not followed); anything else (another status, a
 * refused connection, a certificate that does not verify, no answer within
 * 5 s of the start of the attempt, name resolution included) is retried, 3
 * attempts in all, 1 s then 2 s apart; the last failure is logged. A
 * malformed or unsupported URL, and a host that resolves only to
 * non-public addresses, fail at once, without retries.
 *
 * Target policy: unless the instance allows private targets
 * (RTK_WEBHOOK_ALLOW_PRIVATE), an attempt resolves the host once, drops every
 * address rtk_webhooks_address_forbidden() refuses, and gives libcurl only
 * the addresses it kept (CURLOPT_RESOLVE: never resolving again, so a DNS
 * answer that changes between the check and the connection cannot point it
 * elsewhere); the socket callback checks the policy again on the address
 * actually connected. No proxy from the environment is used.
 *
 * Thread safety: everything here may be called from any thread.
 */
#ifndef RTK_WEBHOOKS_H
#define RTK_WEBHOOKS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <jansson.h>
#include <openssl/evp.h>
#include "store.h"

/* The events a webhook may subscribe to, NULL-terminated:
 * meeting.started, meeting.ended, meeting.participantJoined,
 * meeting.participantLeft, recording.statusUpdate,
 * livestreaming.statusUpdate, meeting.chatSynced, meeting.transcript,
 * meeting.summary (the last two accepted in subscriptions as RealtimeKit
 * has them; never emitted: this server does not transcribe). */
extern const char *const rtk_webhook_event_names[];
/* Is `name` one of them? */
int rtk_webhook_event_known(const char *name);

#define RTK_WEBHOOKS_TIMEOUT_MS 5000       /* per attempt: resolve, connect, send, first answer line */
#define RTK_WEBHOOKS_ATTEMPTS 3
#define RTK_WEBHOOKS_BACKOFF_MS 1000       /* before attempt n+1: n * this */
#define RTK_WEBHOOKS_GRACE_MS 2000         /* rtk_webhooks_free() waits at most this long */
#define RTK_WEBHOOKS_MAX_PENDING 1000      /* events + deliveries queued; more are dropped (logged) */
#define RTK_WEBHOOKS_WORKERS 4             /* attempts in flight at once, at most one per webhook */
#define RTK_WEBHOOKS_CHECK_MS 2000         /* rtk_webhooks_check_url(): longest name resolution */
#define RTK_WEBHOOKS_MAX_RESOLVERS 32      /* names being resolved at once, process-wide */

typedef struct rtk_webhooks rtk_webhooks;

typedef struct rtk_webhooks_config {
	/* non-zero: deliveries may reach loopback, private, link-local and
	 * other non-public addresses (a receiver on the same machine or
	 * network; RTK_WEBHOOK_ALLOW_PRIVATE) */
	int allow_private;
	/* a PEM file of CA certificates trusted for https:// targets besides
	 * the system's (RTK_WEBHOOK_CA_FILE), or NULL/"" */
	const char *ca_file;
	/* the deployment's RSA key (rtk_webhooks_key_load()); borrowed (the
	 * instance takes its own reference); NULL: no rtk-signature header */
	EVP_PKEY *signing_key;
	/* the deployment's organization id: meeting.organizedBy.id and
	 * recording.organizationId; NULL: not added */
	const char *org_id;
	/* "http://host:port" of the REST API: recording.downloadUrl; NULL: none */
	const char *base_url;
	/* the secret that signs download links (signed_url.h: the token
	 * secret, as the REST API's download_url); copied */
	const unsigned char *link_secret;
	size_t link_secret_len;
} rtk_webhooks_config;

/* Starts the delivery workers. `store` is borrowed and must outlive the
 * instance; `config` is copied. NULL (logged) when the workers cannot
 * start. */
rtk_webhooks *rtk_webhooks_new(rtk_store *store, const rtk_webhooks_config *config);

/* Stops the workers: what is queued keeps being delivered for at most
 * RTK_WEBHOOKS_GRACE_MS, an attempt in flight (a name resolution included)
 * is cut at that deadline, and whatever is left is dropped (logged). NULL is
 * accepted. */
void rtk_webhooks_free(rtk_webhooks *wh);

/* Waits until nothing is queued (retries included) and no attempt is in
 * flight, at most `timeout_ms`: 1 when idle, 0 when the time ran out. What
 * tests use to say "nothing (more) was delivered". */
int rtk_webhooks_wait_idle(rtk_webhooks *wh, int timeout_ms);

/* Queues `event` with `data` (a JSON object or NULL; the reference is
 * STOLEN, whatever happens) for every enabled webhook subscribed to it at
 * the time the thread takes the event. Never blocks on the network or the
 * store. `wh` may be NULL (the data is released); an event name not in
 * rtk_webhook_event_names is dropped and logged.
 *
 * The emitter gives what only it knows, in RealtimeKit's camelCase shapes
 * (docs/rest.md, Events); the delivery completes, from the store and the
 * config, what it does not: a "meeting" object without "createdAt" or
 * "title" gets both from the stored meeting, and "organizedBy"
 * {id: org_id, name: "RTK"}; a "participant" without "joinedAt" gets it
 * from the session's history when its join is there (participantLeft);
 * meeting.chatSynced gets "organizedBy" at the
 * top level; a "recording" object gets "organizationId", and "downloadUrl"
 * (base_url/v2/recordings/<id>/download) once it is UPLOADED with a file. */
void rtk_webhooks_emit(rtk_webhooks *wh, const char *event, json_t *data);

/* Deliveries finished since the start, for /metrics (metrics.h) and the
 * tests: delivered (a 2xx answer; a retried delivery counts once) and
 * failed (every attempt failed, a TLS certificate that never verified
 * included; refused at once; or dropped as the server stopped).
 * Process-wide; any thread. */
void rtk_webhooks_deliveries(uint64_t *delivered, uint64_t *failed);

/* "sha256=<hex HMAC-SHA256 of body with secret>", malloc'd (free()), or
 * NULL on allocation failure. No longer a delivery header (rtk-signature is
 * RSA now); the signed chat export URLs (rest_chat.c) use it. */
char *rtk_webhooks_signature(const char *secret, const char *body, size_t body_len);

/* "sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" keyed with secret>"
 * (the timestamp in decimal), malloc'd (free()), or NULL on allocation
 * failure: what rtk-signature-v2 carries, with `timestamp` the attempt's
 * rtk-timestamp. */
char *rtk_webhooks_signature_v2(const char *secret, long long timestamp, const char *body,
	size_t body_len);

/* ---- the deployment's signing key (rtk-signature) ---- */

/* Reads the RSA private key (PEM) at `path`, or, when there is no such
 * file, generates an RSA-2048 key and writes it there (mode 0600) so it
 * stays the same across restarts. A NEW reference (EVP_PKEY_free()), or
 * NULL and *error (free()); a damaged file is an error, never replaced. */
EVP_PKEY *rtk_webhooks_key_load(const char *path, char **error);

/* The public half of `key` as a PEM "PUBLIC KEY" (SubjectPublicKeyInfo),
 * malloc'd (free()), or NULL: what GET /.well-known/webhooks.json shows. */
char *rtk_webhooks_public_key_pem(EVP_PKEY *key);

/* base64 of the RSA-SHA256 (PKCS#1 v1.5) signature of `body` with `key`,
 * malloc'd (free()), or NULL: what rtk-signature carries. */
char *rtk_webhooks_sign(EVP_PKEY *key, const char *body, size_t body_len);

/* The status of a receiver's answer from its first line ("HTTP/1.1 204
 * No Content" -> 204; the text a delivery reads, NUL-terminated), or -1
 * when it is not an HTTP status line with a 3-digit status. Only the status
 * counts: a redirect is not followed, and headers and body are not read. */
int rtk_webhooks_status_of(const char *line);

/* ---- target URLs ---- */

/* A webhook URL split for delivery (rtk_webhooks_target_parse()); every
 * string is g_malloc'd, owned by the struct (rtk_webhooks_target_clear()). */
typedef struct rtk_webhook_target {
	int https;           /* the scheme was https:// */
	int userinfo;        /* the authority had "user:password@" (which delivery does not support) */
	char *host;          /* without brackets or userinfo: a name or a literal address */
	char *port;          /* decimal; 80 (http) or 443 (https) when the URL has none */
	char *authority;     /* host[:port] as written, for Host: */
	char *path;          /* "/..." with the query, without the fragment */
} rtk_webhook_target;

/* Splits an http:// or https:// URL. NULL on success (fill *t, which the
 * caller clears), else why not (a static string; *t is left empty). Never
 * resolves anything. */
const char *rtk_webhooks_target_parse(const char *url, rtk_webhook_target *t);
void rtk_webhooks_target_clear(rtk_webhook_target *t);

/* Why `addr` (AF_INET or AF_INET6) may not receive webhooks without the
 * allow setting: NULL for a public unicast address, else a static phrase
 * such as "loopback (127.0.0.0/8)". Refused: unspecified and "this network"
 * (0.0.0.0/8, ::), loopback, private (RFC 1918, unique local fc00::/7),
 * shared CGNAT (100.64.0.0/10), link-local (169.254.0.0/16, fe80::/10),
 * multicast, broadcast, documentation, benchmarking and other reserved
 * ranges, and every IPv6 address outside 2000::/3; an IPv4-mapped, NAT64
 * (64:ff9b::/96) or 6to4 (2002::/16) address is judged by the IPv4 address
 * it carries. Any other family is refused. */
const char *rtk_webhooks_address_forbidden(const struct sockaddr *addr, socklen_t len);

/* Whether `url` may be registered (the REST API's check): NULL when it may,
 * else a sentence for the client (g_malloc'd; g_free()). Refused: a URL
 * rtk_webhooks_target_parse() cannot split, and, unless `allow_private`, a
 * host that is a non-public literal address (in any form the resolver
 * accepts: 127.1, 0x7f000001, 2130706433, [::ffff:127.0.0.1], ...) or a
 * name whose addresses are all non-public. A name is resolved for at most
 * `resolve_ms` (0: names are not resolved at all); a name that does not
 * resolve, or not in time, is accepted: every delivery checks again. */
char *rtk_webhooks_check_url(const char *url, int allow_private, int resolve_ms);

#endif
