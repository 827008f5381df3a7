/*
 * test_metrics.c - unit tests of the operations endpoints (gateway/metrics.c)
 * and of the REST rate limit's token buckets (gateway/ratelimit.c).
 *
 * What the integration tests cannot make happen: /healthz answering 503
 * when the plugin does not answer (its state lock held past the wait) or
 * is not there, and the buckets' arithmetic at exact times (refill,
 * Retry-After rounding, pruning of full buckets, the key cap).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <jansson.h>

#include "unit.h"
#include "metrics.h"
#include "ratelimit.h"
#include "store.h"

static rtk_store *store;
static char *tmpdir;

/* ---- rate limit ---- */

static void test_ratelimit_off(void)
{
	CHECK_NULL(rtk_ratelimit_new(0, 10));
	CHECK_NULL(rtk_ratelimit_new(5, 0));
	CHECK_EQ_INT(rtk_ratelimit_take(NULL, "a", 0), 0);
}

static void test_ratelimit_burst_and_refill(void)
{
	rtk_ratelimit *rl = rtk_ratelimit_new(2, 5);   /* 2 a second, 5 at once */
	CHECK_NOT_NULL(rl);
	int64_t t = 1000000;
	for (int i = 0; i < 5; i++)
		CHECK_EQ_INT(rtk_ratelimit_take(rl, "10.0.0.1", t), 0);
	CHECK_EQ_INT(rtk_ratelimit_take(rl, "10.0.0.1", t), 1);     /* half a second to a token: 1 s */
	CHECK_EQ_INT(rtk_ratelimit_take(rl, "10.0.0.2", t), 0);     /* another key */
	CHECK_EQ_INT(rtk_ratelimit_take(rl, "10.0.0.1", t + 499999), 1);
	CHECK_EQ_INT(rtk_ratelimit_take(rl, "10.0.0.1", t + 500000), 0);   /* one token came back */
	CHECK_EQ_INT(rtk_ratelimit_take(rl, "10.0.0.1", t + 500000), 1);
	/* Long idle: the bucket is full again, not fuller. */
	t += (int64_t)3600 * G_USEC_PER_SEC;
	for (int i = 0; i < 5; i++)
		CHECK_EQ_INT(rtk_ratelimit_take(rl, "10.0.0.1", t), 0);
	CHECK_EQ_INT(rtk_ratelimit_take(rl, "10.0.0.1", t), 1);
	/* A clock that goes back never adds tokens. */
	CHECK_EQ_INT(rtk_ratelimit_take(rl, "10.0.0.1", t - G_USEC_PER_SEC), 1);
	rtk_ratelimit_free(rl);

	rl = rtk_ratelimit_new(0.1, 1);   /* a token every 10 s */
	CHECK_EQ_INT(rtk_ratelimit_take(rl, "k", 0), 0);
	CHECK_EQ_INT(rtk_ratelimit_take(rl, "k", 0), 10);
	CHECK_EQ_INT(rtk_ratelimit_take(rl, "k", 2500000), 8);    /* 7.5 s left: rounded up */
	rtk_ratelimit_free(rl);
}

static void test_ratelimit_prune(void)
{
	rtk_ratelimit *rl = rtk_ratelimit_new(1, 2);
	char key[32];
	for (int i = 0; i < RTK_RATELIMIT_PRUNE_AT; i++) {
		snprintf(key, sizeof key, "k%d", i);
		CHECK_EQ_INT(rtk_ratelimit_take(rl, key, 0), 0);
	}
	CHECK_EQ_INT(rtk_ratelimit_size(rl), RTK_RATELIMIT_PRUNE_AT);
	/* Still partly empty: nothing is dropped. */
	CHECK_EQ_INT(rtk_ratelimit_take(rl, "new", 100), 0);
	CHECK_EQ_INT(rtk_ratelimit_size(rl), RTK_RATELIMIT_PRUNE_AT + 1);
	/* Emptied just before the next new key comes: it stays, while every
	 * old bucket is full again two seconds on and goes. */
	CHECK_EQ_INT(rtk_ratelimit_take(rl, "new", 1900000), 0);
	CHECK_EQ_INT(rtk_ratelimit_take(rl, "new", 1900000), 0);
	CHECK_EQ_INT(rtk_ratelimit_take(rl, "newer", (int64_t)2 * G_USEC_PER_SEC), 0);
	CHECK_EQ_INT(rtk_ratelimit_size(rl), 2);
	rtk_ratelimit_free(rl);
}

/* ---- /healthz and /metrics ---- */

static gboolean live_answer;
static gboolean fake_metrics(rtk_live_metrics *out, int timeout_ms, void *user_data)
{
	(void)timeout_ms;
	(void)user_data;
	memset(out, 0, sizeof *out);
	out->meetings = 3;
	out->participants = 7;
	out->rtp_packets = 12345678901ULL;
	return live_answer;
}

static const rtk_live_ops fake_live = { .metrics = fake_metrics };

static void test_healthz(void)
{
	rtk_rest_ctx ctx = { .store = store };
	rtk_rest_reply reply;
	rtk_metrics_serve(&ctx, "GET", "/healthz", NULL, &reply);   /* no plugin */
	CHECK_EQ_INT(reply.status, 503);
	CHECK_EQ_STR(reply.body, "{\"status\": \"unavailable\", \"store\": true, \"plugin\": false}");
	rtk_rest_reply_clear(&reply);

	ctx.live = &fake_live;
	live_answer = FALSE;   /* its state lock was not had in time */
	rtk_metrics_serve(&ctx, "GET", "/healthz", NULL, &reply);
	CHECK_EQ_INT(reply.status, 503);
	rtk_rest_reply_clear(&reply);

	live_answer = TRUE;
	rtk_metrics_serve(&ctx, "GET", "/healthz", NULL, &reply);
	CHECK_EQ_INT(reply.status, 200);
	CHECK_EQ_STR(reply.body, "{\"status\": \"ok\", \"store\": true, \"plugin\": true}");
	rtk_rest_reply_clear(&reply);

	rtk_metrics_serve(&ctx, "POST", "/healthz", NULL, &reply);
	CHECK_EQ_INT(reply.status, 405);
	rtk_rest_reply_clear(&reply);
}

static void test_metrics_text(void)
{
	rtk_rest_ctx ctx = { .store = store, .live = &fake_live };
	live_answer = TRUE;
	rtk_metrics_rest_request("GET", 200, 1500);
	rtk_metrics_rest_request("BREW", 418, (int64_t)20 * G_USEC_PER_SEC);
	char *text = rtk_metrics_render(&ctx);
	CHECK(strstr(text, "# TYPE rtk_meetings_live gauge\nrtk_meetings_live 3\n") != NULL);
	CHECK(strstr(text, "rtk_rtp_forwarded_packets_total 12345678901\n") != NULL);
	CHECK(strstr(text, "rtk_rest_requests_total{method=\"GET\",code=\"2xx\"} 1\n") != NULL);
	CHECK(strstr(text, "rtk_rest_requests_total{method=\"other\",code=\"4xx\"} 1\n") != NULL);
	CHECK(strstr(text, "rtk_rest_request_duration_seconds_bucket{le=\"0.001\"} 0\n") != NULL);
	CHECK(strstr(text, "rtk_rest_request_duration_seconds_bucket{le=\"0.0025\"} 1\n") != NULL);
	CHECK(strstr(text, "rtk_rest_request_duration_seconds_bucket{le=\"10\"} 1\n") != NULL);
	CHECK(strstr(text, "rtk_rest_request_duration_seconds_bucket{le=\"+Inf\"} 2\n") != NULL);
	CHECK(strstr(text, "rtk_rest_request_duration_seconds_count 2\n") != NULL);
	CHECK(strstr(text, "rtk_rest_request_duration_seconds_sum 20.001500\n") != NULL);
	CHECK(strstr(text, "rtk_webhook_deliveries_total{result=\"failed\"} 0\n") != NULL);
	CHECK(strstr(text, "rtk_recordings{status=\"RECORDING\"} 0\n") != NULL);
	CHECK(strstr(text, "rtk_livestreams{status=\"LIVE\"} 0\n") != NULL);
	free(text);

	/* A plugin that does not answer: its families are left out, not zero. */
	live_answer = FALSE;
	text = rtk_metrics_render(&ctx);
	CHECK(strstr(text, "rtk_meetings_live") == NULL);
	CHECK(strstr(text, "rtk_rest_requests_total") != NULL);
	free(text);
}

static void test_metrics_token(void)
{
	rtk_rest_ctx ctx = { .store = store, .live = &fake_live, .metrics_token = "s3cret" };
	live_answer = TRUE;
	rtk_rest_reply reply;
	const char *refused[] = { NULL, "Bearer", "Bearer s3cre", "Bearer s3cret2", "Basic czNjcmV0", "s3cret" };
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		rtk_metrics_serve(&ctx, "GET", "/metrics", refused[i], &reply);
		CHECK_EQ_INT(reply.status, 401);
		rtk_rest_reply_clear(&reply);
	}
	rtk_metrics_serve(&ctx, "GET", "/metrics", "bearer  s3cret", &reply);
	CHECK_EQ_INT(reply.status, 200);
	CHECK_EQ_STR(reply.content_type, RTK_METRICS_CONTENT_TYPE);
	rtk_rest_reply_clear(&reply);
	rtk_metrics_serve(&ctx, "GET", "/healthz", NULL, &reply);   /* never needs it */
	CHECK_EQ_INT(reply.status, 200);
	rtk_rest_reply_clear(&reply);
	CHECK(rtk_metrics_owns("/metrics") && rtk_metrics_owns("/healthz"));
	CHECK(!rtk_metrics_owns("/metrics/") && !rtk_metrics_owns("/v2/metrics") && !rtk_metrics_owns(NULL));
}

int main(void)
{
	char template[] = "/tmp/rtk-test-metrics-XXXXXX";
	tmpdir = g_strdup(mkdtemp(template));
	char *path = g_strdup_printf("%s/rtk.sqlite", tmpdir);
	char *error = NULL;
	store = rtk_store_open(path, &error);
	if (store == NULL) {
		fprintf(stderr, "cannot open the store: %s\n", error ? error : "?");
		return 1;
	}
	UNIT_RUN(test_ratelimit_off);
	UNIT_RUN(test_ratelimit_burst_and_refill);
	UNIT_RUN(test_ratelimit_prune);
	UNIT_RUN(test_healthz);
	UNIT_RUN(test_metrics_text);
	UNIT_RUN(test_metrics_token);
	rtk_store_close(store);
	unlink(path);
	char *wal = g_strdup_printf("%s-wal", path), *shm = g_strdup_printf("%s-shm", path);
	unlink(wal);
	unlink(shm);
	rmdir(tmpdir);
	g_free(wal);
	g_free(shm);
	g_free(path);
	g_free(tmpdir);
	return UNIT_DONE();
}
