/*
 * ratelimit.c - per-key token buckets (ratelimit.h).
 *
 * A bucket stores its tokens as of `last_us`; a take first adds what
 * accrued since (rate * elapsed, capped at burst), then takes one. Keys
 * are copied into the table (g_strdup; freed with their bucket).
 */
#include "ratelimit.h"

#include <math.h>
#include <glib.h>

typedef struct ratelimit_bucket {
	double tokens;
	int64_t last_us;
} ratelimit_bucket;

struct rtk_ratelimit {
	GMutex lock;
	double rate;          /* tokens a second */
	double burst;         /* a bucket's capacity */
	GHashTable *buckets;  /* g_strdup'd key -> g_new'd ratelimit_bucket */
};

rtk_ratelimit *rtk_ratelimit_new(double rate, double burst)
{
	if (!(rate > 0) || !(burst >= 1))
		return NULL;
	rtk_ratelimit *rl = g_new0(rtk_ratelimit, 1);
	g_mutex_init(&rl->lock);
	rl->rate = rate;
	rl->burst = burst;
	rl->buckets = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	return rl;
}

void rtk_ratelimit_free(rtk_ratelimit *rl)
{
	if (rl == NULL)
		return;
	g_hash_table_destroy(rl->buckets);
	g_mutex_clear(&rl->lock);
	g_free(rl);
}

static void ratelimit_refill(const rtk_ratelimit *rl, ratelimit_bucket *b, int64_t now_us)
{
	if (now_us > b->last_us) {
		b->tokens += (double)(now_us - b->last_us) / 1e6 * rl->rate;
		if (b->tokens > rl->burst)
			b->tokens = rl->burst;
		b->last_us = now_us;
	}
}

/* Drops the buckets that are full at `now_us` (they hold nothing a new
 * bucket would not). Lock held. */
static void ratelimit_prune(rtk_ratelimit *rl, int64_t now_us)
{
	GHashTableIter iter;
	gpointer value;
	g_hash_table_iter_init(&iter, rl->buckets);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		ratelimit_bucket *b = value;
		ratelimit_refill(rl, b, now_us);
		if (b->tokens >= rl->burst)
			g_hash_table_iter_remove(&iter);
	}
}

unsigned int rtk_ratelimit_take(rtk_ratelimit *rl, const char *key, int64_t now_us)
{
	if (rl == NULL || key == NULL)
		return 0;
	unsigned int wait_s = 0;
	g_mutex_lock(&rl->lock);
	ratelimit_bucket *b = g_hash_table_lookup(rl->buckets, key);
	if (b == NULL) {
		if (g_hash_table_size(rl->buckets) >= RTK_RATELIMIT_PRUNE_AT)
			ratelimit_prune(rl, now_us);
		if (g_hash_table_size(rl->buckets) < RTK_RATELIMIT_MAX_KEYS) {
			b = g_new(ratelimit_bucket, 1);
			b->tokens = rl->burst;
			b->last_us = now_us;
			g_hash_table_insert(rl->buckets, g_strdup(key), b);
		}
	}
	if (b != NULL) {
		ratelimit_refill(rl, b, now_us);
		if (b->tokens >= 1) {
			b->tokens -= 1;
		} else {
			double s = ceil((1 - b->tokens) / rl->rate);
			wait_s = s < 1 ? 1 : s > 86400 ? 86400 : (unsigned int)s;
		}
	}
	g_mutex_unlock(&rl->lock);
	return wait_s;
}

unsigned int rtk_ratelimit_size(rtk_ratelimit *rl)
{
	if (rl == NULL)
		return 0;
	g_mutex_lock(&rl->lock);
	unsigned int n = g_hash_table_size(rl->buckets);
	g_mutex_unlock(&rl->lock);
	return n;
}
