/*
 * webhooks.h - signed delivery of server events to the webhooks in the store
 * (store.h, "Webhooks"; REST: rest_webhooks.c, docs/rest.md "Webhooks").
 *
 * Owns the list of event names a webhook may subscribe to and the delivery
 * of events: one background thread POSTs each event to every enabled webhook
 * subscribed to it, so the thread that emits (a Janus plugin thread, the REST
 * server) never waits on the network or on the store.
 *
 * A delivery is an HTTP/1.1 POST of
 *     {"event": "<name>", "id": "<delivery uuid>", "created_at": "<ISO 8601>", ...data}
 * (the keys of the emitted data merged at the top level; they cannot replace
 * event, id or created_at) with the headers
 *     Content-Type: application/json
 *     rtk-webhook-id: <delivery uuid, the body's "id"; the same on every attempt>
 *     rtk-timestamp: <Unix seconds of the attempt>
 *     rtk-signature: sha256=<lower-case hex HMAC-SHA256 of the raw body,
 *                    keyed with the webhook's secret string as bytes>
 * Each webhook gets its own delivery (its own id). Plain http:// only:
 * an https:// webhook is logged as unsupported and its deliveries fail.
 * Any 2xx answer is success; anything else (another status, a refused
 * connection, no answer within 5 s) is retried, 3 attempts in all, 1 s then
 * 2 s apart; the last failure is logged. A malformed or unsupported URL fails
 * at once, without retries.
 *
 * Thread safety: rtk_webhooks_emit() may be called from any thread.
 */
#ifndef RTK_WEBHOOKS_H
#define RTK_WEBHOOKS_H

#include <stddef.h>
#include <jansson.h>
#include "store.h"

/* The events a webhook may subscribe to, NULL-terminated:
 * meeting.started, meeting.ended, meeting.participantJoined,
 * meeting.participantLeft, recording.statusUpdate,
 * livestreaming.statusUpdate, meeting.chatSynced. */
extern const char *const rtk_webhook_event_names[];
/* Is `name` one of them? */
int rtk_webhook_event_known(const char *name);

#define RTK_WEBHOOKS_TIMEOUT_MS 5000       /* per attempt: connect, send, first answer line */
#define RTK_WEBHOOKS_ATTEMPTS 3
#define RTK_WEBHOOKS_BACKOFF_MS 1000       /* before attempt n+1: n * this */
#define RTK_WEBHOOKS_GRACE_MS 2000         /* rtk_webhooks_free() waits at most this long */
#define RTK_WEBHOOKS_MAX_PENDING 1000      /* events + deliveries queued; more are dropped (logged) */

typedef struct rtk_webhooks rtk_webhooks;

/* Starts the delivery thread. `store` is borrowed and must outlive the
 * instance. NULL (logged) when the thread cannot start. */
rtk_webhooks *rtk_webhooks_new(rtk_store *store);

/* Stops the thread: what is queued keeps being delivered for at most
 * RTK_WEBHOOKS_GRACE_MS, an attempt in flight is cut at that deadline, and
 * whatever is left is dropped (logged). NULL is accepted. */
void rtk_webhooks_free(rtk_webhooks *wh);

/* Queues `event` with `data` (a JSON object or NULL; the reference is
 * STOLEN, whatever happens) for every enabled webhook subscribed to it at
 * the time the thread takes the event. Never blocks on the network or the
 * store. `wh` may be NULL (the data is released); an event name not in
 * rtk_webhook_event_names is dropped and logged. For recording.statusUpdate
 * data looks like {"meeting": {...}, "recording": {...}}. */
void rtk_webhooks_emit(rtk_webhooks *wh, const char *event, json_t *data);

/* "sha256=<hex HMAC-SHA256 of body with secret>", malloc'd (free()), or
 * NULL on allocation failure: what rtk-signature carries. */
char *rtk_webhooks_signature(const char *secret, const char *body, size_t body_len);

#endif
