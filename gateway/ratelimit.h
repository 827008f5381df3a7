/*
 * ratelimit.h - token buckets for the REST API's rate limit (docs/rest.md,
 * "Rate limits"): one bucket per client key (http.c uses the client's
 * address), holding at most `burst` tokens and refilled at `rate` tokens
 * a second. A request takes one token; a request that finds none is
 * refused with 429 and told how many whole seconds until one is there
 * (Retry-After).
 *
 * Why per address and not per API key: a deployment has one API key, so a
 * bucket per key would be one bucket for everybody, and participants'
 * chat file requests carry no API key at all.
 *
 * Memory: a bucket that has refilled completely is the same as no bucket,
 * so when the table passes RTK_RATELIMIT_PRUNE_AT keys the full ones are
 * dropped; at most RTK_RATELIMIT_MAX_KEYS buckets are kept (past that, a
 * new key is admitted without a bucket: the connection limits still bound
 * it).
 *
 * Thread safety: every function may be called from any thread (one mutex;
 * a take is a hash lookup and a few additions).
 */
#ifndef RTK_RATELIMIT_H
#define RTK_RATELIMIT_H

#include <stdint.h>

#define RTK_RATELIMIT_PRUNE_AT 4096
#define RTK_RATELIMIT_MAX_KEYS 65536

typedef struct rtk_ratelimit rtk_ratelimit;

/* `rate` tokens a second (> 0), at most `burst` (>= 1) in a bucket. NULL
 * when rate or burst is 0: no limit (every take admits). */
rtk_ratelimit *rtk_ratelimit_new(double rate, double burst);
void rtk_ratelimit_free(rtk_ratelimit *rl);   /* NULL is a no-op */

/* Takes a token from `key`'s bucket at `now_us` (monotonic microseconds).
 * 0: admitted. Else the request is refused and the value is the seconds
 * (>= 1) until the bucket holds a token again. A NULL `rl` admits. */
unsigned int rtk_ratelimit_take(rtk_ratelimit *rl, const char *key, int64_t now_us);

/* Buckets kept now (tests). */
unsigned int rtk_ratelimit_size(rtk_ratelimit *rl);

#endif
