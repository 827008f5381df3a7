/*
 * metrics.h - the operations endpoints of the REST port: GET /metrics in
 * the Prometheus text exposition format (version 0.0.4) and GET /healthz
 * (docs/rest.md, "Operations").
 *
 * Owns the REST counters: requests by method and status class and their
 * latency histogram, process-wide relaxed atomics bumped from any thread
 * without a lock (http.c once per REST reply). Webhook deliveries by
 * outcome are counted by webhooks.c (rtk_webhooks_deliveries(), so that
 * it needs nothing of this file). The live figures (meetings, participants, publishers, subscribers, RTP
 * forwarded) come from the plugin through rtk_live_ops.metrics (rest.h,
 * plugin/metrics_live.c); recordings and livestreams by state from the
 * store; livestream viewers from the LL-HLS registry (hls.h). A scrape
 * reads them all at that moment; nothing is sampled in the background.
 *
 * Access: /healthz is open. /metrics is open unless the context has a
 * metrics_token (RTK_METRICS_TOKEN): then it needs
 * "Authorization: Bearer <token>" (401 otherwise). Neither is a REST
 * request: they are not counted in the REST figures nor rate limited.
 */
#ifndef RTK_METRICS_H
#define RTK_METRICS_H

#include <stdbool.h>
#include <stdint.h>
#include "rest.h"

#define RTK_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
/* How long /healthz waits for the plugin's state lock before it answers 503. */
#define RTK_METRICS_PLUGIN_WAIT_MS 1000

/* Is the path (without query) /metrics or /healthz? */
bool rtk_metrics_owns(const char *path);

/* Answers GET or HEAD of /metrics or /healthz (405 for other methods) into
 * `reply` (its body malloc'd; the caller clears it). `authorization` is
 * the header's value or NULL. */
void rtk_metrics_serve(const rtk_rest_ctx *ctx, const char *method, const char *path,
	const char *authorization, rtk_rest_reply *reply);

/* One REST reply sent: `method` as the client sent it, `status` the HTTP
 * status, `elapsed_us` from the request's headers to its reply. */
void rtk_metrics_rest_request(const char *method, int status, int64_t elapsed_us);

/* The exposition text (malloc'd; free()) for `ctx`: what GET /metrics
 * answers. Unit tests call it directly. */
char *rtk_metrics_render(const rtk_rest_ctx *ctx);

#endif
