/*
 * metrics.c - GET /metrics (Prometheus text format 0.0.4) and GET /healthz
 * (metrics.h; docs/rest.md, "Operations").
 *
 * The counters this file owns are relaxed atomics in static storage: a
 * bump is one lock-free add, and a scrape reads each once. A histogram's
 * buckets are kept per bucket (not cumulative) and summed at render, so
 * its _count is always the sum of its buckets; _sum may run a request
 * ahead of them, which Prometheus tolerates.
 *
 * Every family is written with its HELP and TYPE lines first, each family
 * once, label values escaped as the format wants (backslash, double quote,
 * newline).
 */
#include "metrics.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <glib.h>
#include "rest_internal.h"
#include "hls.h"
#include "webhooks.h"

/* ---- the gateway's counters ---- */

/* REST methods counted by name; anything else is "other". */
static const char *const metrics_methods[] = { "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS",
	"other" };
#define METRICS_METHODS (sizeof metrics_methods / sizeof metrics_methods[0])
/* Status classes 1xx..5xx. */
#define METRICS_CLASSES 5

/* Latency buckets (upper bounds in seconds); the last bucket is +Inf. */
static const double metrics_bounds[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
	5, 10 };
#define METRICS_BOUNDS (sizeof metrics_bounds / sizeof metrics_bounds[0])

static uint64_t metrics_requests[METRICS_METHODS][METRICS_CLASSES];
static uint64_t metrics_latency_buckets[METRICS_BOUNDS + 1];
static uint64_t metrics_latency_sum_us;

static inline void metrics_add(uint64_t *counter, uint64_t n)
{
	__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

static inline uint64_t metrics_get(const uint64_t *counter)
{
	return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

void rtk_metrics_rest_request(const char *method, int status, int64_t elapsed_us)
{
	size_t m = METRICS_METHODS - 1;
	for (size_t i = 0; i + 1 < METRICS_METHODS; i++)
		if (method != NULL && strcmp(method, metrics_methods[i]) == 0)
			m = i;
	int c = status / 100 - 1;
	if (c < 0 || c >= METRICS_CLASSES)
		c = METRICS_CLASSES - 1;
	metrics_add(&metrics_requests[m][c], 1);
	if (elapsed_us < 0)
		elapsed_us = 0;
	size_t b = 0;
	while (b < METRICS_BOUNDS && (double)elapsed_us > metrics_bounds[b] * 1e6)
		b++;
	metrics_add(&metrics_latency_buckets[b], 1);
	metrics_add(&metrics_latency_sum_us, (uint64_t)elapsed_us);
}

/* ---- rendering ---- */

static void metrics_family(GString *out, const char *name, const char *type, const char *help)
{
	g_string_append_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value as the text format wants it. */
static void metrics_label_value(GString *out, const char *value)
{
	for (const char *p = value; *p; p++) {
		if (*p == '\\')
			g_string_append(out, "\\\\");
		else if (*p == '"')
			g_string_append(out, "\\\"");
		else if (*p == '\n')
			g_string_append(out, "\\n");
		else
			g_string_append_c(out, *p);
	}
}

static void metrics_gateway_families(GString *out)
{
	metrics_family(out, "rtk_rest_requests_total", "counter",
		"REST API requests answered, by method and status class.");
	for (size_t m = 0; m < METRICS_METHODS; m++)
		for (int c = 0; c < METRICS_CLASSES; c++)
			g_string_append_printf(out, "rtk_rest_requests_total{method=\"%s\",code=\"%dxx\"} %llu\n",
				metrics_methods[m], c + 1, (unsigned long long)metrics_get(&metrics_requests[m][c]));

	metrics_family(out, "rtk_rest_request_duration_seconds", "histogram",
		"Time from a REST request's headers to its reply.");
	uint64_t cumulative = 0;
	for (size_t b = 0; b <= METRICS_BOUNDS; b++) {
		cumulative += metrics_get(&metrics_latency_buckets[b]);
		if (b < METRICS_BOUNDS)
			g_string_append_printf(out, "rtk_rest_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
				metrics_bounds[b], (unsigned long long)cumulative);
		else
			g_string_append_printf(out, "rtk_rest_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
				(unsigned long long)cumulative);
	}
	g_string_append_printf(out, "rtk_rest_request_duration_seconds_sum %.6f\n",
		(double)metrics_get(&metrics_latency_sum_us) / 1e6);
	g_string_append_printf(out, "rtk_rest_request_duration_seconds_count %llu\n",
		(unsigned long long)cumulative);

	metrics_family(out, "rtk_webhook_deliveries_total", "counter",
		"Webhook deliveries finished: delivered (a 2xx answer) or failed after their last attempt.");
	uint64_t delivered = 0, failed = 0;
	rtk_webhooks_deliveries(&delivered, &failed);
	g_string_append_printf(out, "rtk_webhook_deliveries_total{result=\"delivered\"} %llu\n",
		(unsigned long long)delivered);
	g_string_append_printf(out, "rtk_webhook_deliveries_total{result=\"failed\"} %llu\n",
		(unsigned long long)failed);
}

static void metrics_live_families(GString *out, const rtk_rest_ctx *ctx)
{
	rtk_live_metrics live = { 0 };
	if (ctx->live == NULL || ctx->live->metrics == NULL ||
			!ctx->live->metrics(&live, RTK_METRICS_PLUGIN_WAIT_MS, ctx->live->user_data)) {
		/* The plugin did not answer: say nothing rather than zeros. */
		return;
	}
	static const struct {
		const char *name, *type, *help;
		size_t offset;
	} families[] = {
		{ "rtk_meetings_live", "gauge", "Meetings in session.",
			offsetof(rtk_live_metrics, meetings) },
		{ "rtk_participants", "gauge", "Participants joined in meetings in session.",
			offsetof(rtk_live_metrics, participants) },
		{ "rtk_publishers", "gauge", "Participants publishing at least one stream.",
			offsetof(rtk_live_metrics, publishers) },
		{ "rtk_subscribers", "gauge", "Subscriber connections receiving a meeting's streams.",
			offsetof(rtk_live_metrics, subscribers) },
		{ "rtk_rtp_forwarded_packets_total", "counter", "RTP packets the relay sent to subscribers.",
			offsetof(rtk_live_metrics, rtp_packets) },
		{ "rtk_rtp_forwarded_bytes_total", "counter",
			"Bytes of the RTP packets the relay sent to subscribers (headers included, before SRTP).",
			offsetof(rtk_live_metrics, rtp_bytes) },
	};
	for (size_t i = 0; i < sizeof families / sizeof families[0]; i++) {
		metrics_family(out, families[i].name, families[i].type, families[i].help);
		g_string_append_printf(out, "%s %llu\n", families[i].name,
			*(const unsigned long long *)((const char *)&live + families[i].offset));
	}
}

/* Rows of a recordings or livestreams table by status, from the store. */
typedef rtk_store_status (*metrics_list_fn)(rtk_store *store, const char *meeting_id, const char *status,
	int offset, int limit, json_t **items, int *total);

static void metrics_by_status(GString *out, const rtk_rest_ctx *ctx, const char *name, const char *help,
	metrics_list_fn list, const char *const *statuses)
{
	metrics_family(out, name, "gauge", help);
	for (const char *const *s = statuses; *s; s++) {
		json_t *items = NULL;
		int total = 0;
		if (list(ctx->store, NULL, *s, 0, 0, &items, &total) == RTK_STORE_OK)
			g_string_append_printf(out, "%s{status=\"%s\"} %d\n", name, *s, total);
		json_decref(items);
	}
}

/* Viewers of each livestream on air (LIVE in the store and open in the
 * LL-HLS registry). */
static void metrics_viewers(GString *out, const rtk_rest_ctx *ctx)
{
	metrics_family(out, "rtk_livestream_viewers", "gauge",
		"Distinct players of a livestream's playlist in the last 10 seconds.");
	if (ctx->hls == NULL)
		return;
	json_t *items = NULL;
	int total = 0;
	if (rtk_store_livestream_list(ctx->store, NULL, "LIVE", 0, -1, &items, &total) == RTK_STORE_OK) {
		size_t i;
		json_t *item;
		json_array_foreach(items, i, item) {
			const char *id = json_string_value(json_object_get(item, "id"));
			if (id == NULL)
				continue;
			g_string_append(out, "rtk_livestream_viewers{livestream_id=\"");
			metrics_label_value(out, id);
			g_string_append_printf(out, "\"} %d\n", rtk_hls_viewer_count(ctx->hls, id));
		}
	}
	json_decref(items);
}

char *rtk_metrics_render(const rtk_rest_ctx *ctx)
{
	static const char *const recording_statuses[] = { "INVOKED", "RECORDING", "PAUSED", "UPLOADING",
		"UPLOADED", "ERRORED", NULL };
	static const char *const livestream_statuses[] = { "INVOKED", "LIVE", "IDLE", "ERRORED", NULL };
	GString *out = g_string_sized_new(8192);
	metrics_live_families(out, ctx);
	if (ctx->store != NULL) {
		metrics_by_status(out, ctx, "rtk_recordings", "Recordings in the store, by status.",
			rtk_store_recording_list, recording_statuses);
		metrics_by_status(out, ctx, "rtk_livestreams", "Livestreams in the store, by status.",
			rtk_store_livestream_list, livestream_statuses);
		metrics_viewers(out, ctx);
	}
	metrics_gateway_families(out);
	char *text = strdup(out->str);
	g_string_free(out, TRUE);
	return text;
}

/* ---- serving ---- */

bool rtk_metrics_owns(const char *path)
{
	return path != NULL && (strcmp(path, "/metrics") == 0 || strcmp(path, "/healthz") == 0);
}

/* {"status": "ok"|"unavailable", "store": bool, "plugin": bool}: 200 when
 * both answer, else 503. */
static void metrics_health(const rtk_rest_ctx *ctx, rtk_rest_reply *reply)
{
	bool store_ok = false, plugin_ok = false;
	if (ctx->store != NULL) {
		json_t *items = NULL;
		int total = 0;
		store_ok = rtk_store_meeting_list(ctx->store, 0, 0, &items, &total) == RTK_STORE_OK;
		json_decref(items);
	}
	rtk_live_metrics live;
	if (ctx->live != NULL && ctx->live->metrics != NULL)
		plugin_ok = ctx->live->metrics(&live, RTK_METRICS_PLUGIN_WAIT_MS, ctx->live->user_data);
	bool ok = store_ok && plugin_ok;
	reply->status = ok ? 200 : 503;
	char body[96];
	snprintf(body, sizeof body, "{\"status\": \"%s\", \"store\": %s, \"plugin\": %s}",
		ok ? "ok" : "unavailable", store_ok ? "true" : "false", plugin_ok ? "true" : "false");
	reply->body = strdup(body);
}

static bool metrics_token_ok(const rtk_rest_ctx *ctx, const char *authorization)
{
	if (ctx->metrics_token == NULL || ctx->metrics_token[0] == '\0')
		return true;
	const char *given = authorization ? rtk_rest_auth_param(authorization, "Bearer") : NULL;
	return given != NULL && rtk_rest_secret_equal(given, strlen(given), ctx->metrics_token);
}

void rtk_metrics_serve(const rtk_rest_ctx *ctx, const char *method, const char *path,
	const char *authorization, rtk_rest_reply *reply)
{
	memset(reply, 0, sizeof *reply);
	if (method == NULL || (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)) {
		rtk_rest_fail(reply, 405, "method %s is not allowed here; allowed: GET, HEAD",
			method && strlen(method) <= 16 ? method : "?");
		return;
	}
	if (strcmp(path, "/healthz") == 0) {
		metrics_health(ctx, reply);
		return;
	}
	if (!metrics_token_ok(ctx, authorization)) {
		rtk_rest_fail(reply, 401, "/metrics needs 'Authorization: Bearer <RTK_METRICS_TOKEN>'");
		return;
	}
	reply->status = 200;
	reply->body = rtk_metrics_render(ctx);
	reply->content_type = RTK_METRICS_CONTENT_TYPE;
}
