/*
 * hls.c - the LL-HLS playlist model (see hls.h): stream records, playlist
 * rendering, the request decision, parked requests and their timer.
 *
 * One mutex guards the whole registry: announcements come from the
 * plugin's companion reader threads, requests from the HTTP worker
 * threads, deadlines from the timer thread; each holds the lock for a few
 * microseconds of bookkeeping or rendering. Files are deleted after the
 * lock is released (no lock held across I/O).
 *
 * A stream keeps one record per segment still on disk, contiguous in msn:
 * the old ones kept for late clients, the RTK_HLS_WINDOW_SEGMENTS complete
 * ones in the playlist, and at most one in progress (the last, with parts
 * and no EXTINF yet).
 *
 * Ladders (rtk_hls_ladder_set) live beside the streams, keyed by their own
 * id, with a reverse map from each variant's stream id to its ladder: a
 * Media Playlist looks its siblings up there for its rendition reports.
 */
#include "hls.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <glib.h>

#define RTK_HLS_EPSILON 1e-6            /* seconds: durations compare with this slack */
#define RTK_HLS_TIMER_MAX_SLEEP_US (1000 * 1000)

typedef struct rtk_hls_part {
	double duration;
	bool independent;
} rtk_hls_part;

typedef struct rtk_hls_segment {
	int64_t msn;
	double duration;        /* EXTINF once complete; the sum of the parts before */
	int64_t pdt_us;         /* wall clock of its first sample */
	bool complete;
	bool parts_deleted;     /* its part files were removed from disk */
	int nparts;
	int cap;
	rtk_hls_part *parts;
} rtk_hls_segment;

typedef struct rtk_hls_stream {
	char *id;
	char *dir;
	double part_target;
	double segment_target;
	int target_duration;    /* EXT-X-TARGETDURATION: never shrinks */
	bool ended;
	bool vod;               /* keeps every segment; once ended, lists them all as a VOD playlist */
	GPtrArray *segments;    /* rtk_hls_segment *, ascending contiguous msn (owned) */
	GHashTable *viewers;    /* client key -> gint64 * last seen, monotonic (both owned) */
	/* what its complete segments measured on disk (the ladder's BANDWIDTH) */
	int64_t peak_bps;       /* the highest segment bit rate so far, 0 before one */
	int64_t measured_bytes;
	double measured_seconds;
} rtk_hls_stream;

typedef struct rtk_hls_waiter {
	const rtk_hls_stream *stream;   /* identity only: waiters are fired before it goes */
	rtk_hls_wake_fn wake;
	void *wake_data;
	int64_t deadline_us;
} rtk_hls_waiter;

typedef struct rtk_hls_ladder_variant {
	char *stream_id;
	int64_t bandwidth;
	int width, height;
	double frame_rate;
	char *codecs;
} rtk_hls_ladder_variant;

typedef struct rtk_hls_ladder {
	int n;
	rtk_hls_ladder_variant variants[RTK_HLS_LADDER_MAX];
} rtk_hls_ladder;

struct rtk_hls {
	GMutex lock;
	GCond timer_cond;
	GThread *timer;
	bool quit;
	bool refusing;          /* rtk_hls_stop_waiting() was called */
	GHashTable *streams;    /* id -> rtk_hls_stream * (owned) */
	GHashTable *ladders;    /* ladder id -> rtk_hls_ladder * (both owned) */
	GHashTable *ladder_of;  /* variant stream id -> its ladder id (both owned) */
	GQueue waiters;         /* rtk_hls_waiter * (owned) */
	rtk_hls_clock_fn monotonic;
	rtk_hls_clock_fn wall;
	void *clock_data;
	char *archive;          /* ended VOD streams' directories are under it; NULL: none */
};

static void rtk_hls_ladder_remove(rtk_hls *hls, const char *ladder_id);
static GString *rtk_hls_render(const rtk_hls *hls, const rtk_hls_stream *s, bool skip);
static GString *rtk_hls_render_multivariant(rtk_hls *hls, const rtk_hls_ladder *ladder, const char *ladder_id);
static void rtk_hls_reply_text(rtk_hls_reply *reply, int status, const char *text);
static void rtk_hls_reply_file(rtk_hls_reply *reply, char *path);

/* ---- clocks ---- */

static int64_t rtk_hls_now(const rtk_hls *hls)
{
	return hls->monotonic ? hls->monotonic(hls->clock_data) : g_get_monotonic_time();
}

static int64_t rtk_hls_wall_now(const rtk_hls *hls)
{
	return hls->wall ? hls->wall(hls->clock_data) : g_get_real_time();
}

void rtk_hls_set_clock(rtk_hls *hls, rtk_hls_clock_fn monotonic, rtk_hls_clock_fn wall, void *clock_data)
{
	g_mutex_lock(&hls->lock);
	hls->monotonic = monotonic;
	hls->wall = wall;
	hls->clock_data = clock_data;
	g_cond_signal(&hls->timer_cond);
	g_mutex_unlock(&hls->lock);
}

/* ---- small helpers ---- */

/* malloc'd copy of `len` bytes plus a NUL (replies are freed with free()). */
static char *rtk_hls_memdup0(const char *data, size_t len)
{
	char *copy = malloc(len + 1);
	if (copy) {
		memcpy(copy, data, len);
		copy[len] = '\0';
	}
	return copy;
}

static bool rtk_hls_id_valid(const char *id)
{
	if (id == NULL || *id == '\0')
		return false;
	size_t n = 0;
	for (const char *p = id; *p; p++, n++) {
		if (n >= RTK_HLS_ID_MAX)
			return false;
		if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_')
			return false;
	}
	return true;
}

/* Locale-independent "%.3f" (Janus may run under any LC_NUMERIC). */
static void rtk_hls_append_seconds(GString *out, double seconds)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];
	g_string_append(out, g_ascii_formatd(buf, sizeof buf, "%.3f", seconds));
}

static void rtk_hls_append_pdt(GString *out, int64_t wall_us)
{
	time_t secs = (time_t)(wall_us / G_USEC_PER_SEC);
	int ms = (int)((wall_us / 1000) % 1000);
	if (ms < 0) {
		ms += 1000;
		secs--;
	}
	struct tm tm;
	gmtime_r(&secs, &tm);
	char buf[64];
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
	g_string_append_printf(out, "#EXT-X-PROGRAM-DATE-TIME:%s.%03dZ\n", buf, ms);
}

/* ceil() that forgives encoder rounding: 2.0000004 s is a 2 s segment. */
static int rtk_hls_ceil_seconds(double seconds)
{
	double c = ceil(seconds - 1e-3);
	if (c < 1)
		return 1;
	if (c > INT_MAX / 8)
		return INT_MAX / 8;
	return (int)c;
}

/* ---- segment records ---- */

static void rtk_hls_segment_free(gpointer p)
{
	rtk_hls_segment *seg = p;
	if (seg) {
		g_free(seg->parts);
		g_free(seg);
	}
}

static rtk_hls_segment *rtk_hls_segment_new(int64_t msn)
{
	rtk_hls_segment *seg = g_new0(rtk_hls_segment, 1);
	seg->msn = msn;
	return seg;
}

static void rtk_hls_segment_add_part(rtk_hls_segment *seg, double duration, bool independent)
{
	if (seg->nparts == seg->cap) {
		seg->cap = seg->cap ? seg->cap * 2 : 16;
		seg->parts = g_renew(rtk_hls_part, seg->parts, seg->cap);
	}
	seg->parts[seg->nparts++] = (rtk_hls_part) { duration, independent };
	seg->duration += duration;
}

static rtk_hls_segment *rtk_hls_seg_at(const rtk_hls_stream *s, guint i)
{
	return g_ptr_array_index(s->segments, i);
}

static rtk_hls_segment *rtk_hls_last(const rtk_hls_stream *s)
{
	return s->segments->len ? rtk_hls_seg_at(s, s->segments->len - 1) : NULL;
}

/* The record of segment `msn`, or NULL. */
static rtk_hls_segment *rtk_hls_find(const rtk_hls_stream *s, int64_t msn)
{
	if (s->segments->len == 0)
		return NULL;
	int64_t first = rtk_hls_seg_at(s, 0)->msn;
	if (msn < first || msn - first >= (int64_t)s->segments->len)
		return NULL;
	return rtk_hls_seg_at(s, (guint)(msn - first));
}

static char *rtk_hls_part_path(const rtk_hls_stream *s, int64_t msn, int part)
{
	return g_strdup_printf("%s/seg%" PRId64 ".%d.m4s", s->dir, msn, part);
}

static char *rtk_hls_segment_path(const rtk_hls_stream *s, int64_t msn)
{
	return g_strdup_printf("%s/seg%" PRId64 ".m4s", s->dir, msn);
}

/* ---- streams ---- */

static void rtk_hls_stream_free(gpointer p)
{
	rtk_hls_stream *s = p;
	if (s == NULL)
		return;
	g_ptr_array_unref(s->segments);
	g_hash_table_unref(s->viewers);
	g_free(s->id);
	g_free(s->dir);
	g_free(s);
}

static rtk_hls_stream *rtk_hls_get(rtk_hls *hls, const char *id)
{
	return id ? g_hash_table_lookup(hls->streams, id) : NULL;
}

/* Index of the first record in the playlist: the last WINDOW complete
 * ones and the one in progress. */
static guint rtk_hls_first_listed(const rtk_hls_stream *s)
{
	guint n = s->segments->len;
	const rtk_hls_segment *last = rtk_hls_last(s);
	guint complete = (last && !last->complete) ? n - 1 : n;
	if (s->vod && s->ended)
		return 0;
	return complete > RTK_HLS_WINDOW_SEGMENTS ? complete - RTK_HLS_WINDOW_SEGMENTS : 0;
}

/* Seconds from the first listed record to the end of the last part. */
static double rtk_hls_listed_duration(const rtk_hls_stream *s, guint first)
{
	double total = 0;
	for (guint i = first; i < s->segments->len; i++)
		total += rtk_hls_seg_at(s, i)->duration;
	return total;
}

/* Index of the first record whose EXT-X-PART tags are listed: those that
 * start at most three target durations before the end (the segment in
 * progress always), never reaching back past a record whose parts are
 * gone. s->segments->len when none. */
static guint rtk_hls_parts_from(const rtk_hls_stream *s, guint first)
{
	double limit = 3.0 * s->target_duration + RTK_HLS_EPSILON;
	double from_end = 0;
	guint from = s->segments->len;
	for (guint i = s->segments->len; i > first; i--) {
		const rtk_hls_segment *seg = rtk_hls_seg_at(s, i - 1);
		from_end += seg->duration;
		bool in_progress = !seg->complete;
		if (seg->parts_deleted || seg->nparts == 0 || (!in_progress && from_end > limit))
			break;
		from = i - 1;
	}
	return from;
}

/* Deletes what left the window, with the grace periods of hls.h: part
 * files one segment after their tags left the playlist, records (and
 * segment files) WINDOW + 1 segments after they did. The paths go to
 * `unlink_paths` (g_free'd strings) to be removed after the lock. */
static void rtk_hls_trim(rtk_hls_stream *s, GPtrArray *unlink_paths)
{
	guint first = rtk_hls_first_listed(s);
	guint parts_from = rtk_hls_parts_from(s, first);
	for (guint i = 0; i + 1 < parts_from; i++) {
		rtk_hls_segment *seg = rtk_hls_seg_at(s, i);
		if (seg->parts_deleted || !seg->complete)
			continue;
		for (int p = 0; p < seg->nparts; p++)
			g_ptr_array_add(unlink_paths, rtk_hls_part_path(s, seg->msn, p));
		seg->parts_deleted = true;
	}
	guint keep_before = RTK_HLS_WINDOW_SEGMENTS + 1;
	guint drop = first > keep_before && !s->vod ? first - keep_before : 0;
	for (guint i = 0; i < drop; i++) {
		rtk_hls_segment *seg = rtk_hls_seg_at(s, i);
		for (int p = 0; !seg->parts_deleted && p < seg->nparts; p++)
			g_ptr_array_add(unlink_paths, rtk_hls_part_path(s, seg->msn, p));
		g_ptr_array_add(unlink_paths, rtk_hls_segment_path(s, seg->msn));
	}
	if (drop)
		g_ptr_array_remove_range(s->segments, 0, drop);
}

static void rtk_hls_unlink_all(GPtrArray *paths)
{
	for (guint i = 0; i < paths->len; i++) {
		const char *path = g_ptr_array_index(paths, i);
		if (unlink(path) != 0 && errno != ENOENT)
			g_warning("rtk hls: cannot remove %s: %s", path, g_strerror(errno));
	}
	g_ptr_array_unref(paths);
}

/* ---- parked requests ---- */

static void rtk_hls_fire(rtk_hls *hls, GList *link)
{
	rtk_hls_waiter *w = link->data;
	g_queue_delete_link(&hls->waiters, link);
	w->wake(w->wake_data);
	g_free(w);
}

/* Wakes every request parked on `s` (NULL: on any stream). */
static void rtk_hls_wake_stream(rtk_hls *hls, const rtk_hls_stream *s)
{
	GList *link = hls->waiters.head;
	while (link) {
		GList *next = link->next;
		const rtk_hls_waiter *w = link->data;
		if (s == NULL || w->stream == s)
			rtk_hls_fire(hls, link);
		link = next;
	}
}

static void rtk_hls_park(rtk_hls *hls, const rtk_hls_stream *s, int64_t deadline_us, rtk_hls_wake_fn wake,
	void *wake_data)
{
	rtk_hls_waiter *w = g_new0(rtk_hls_waiter, 1);
	*w = (rtk_hls_waiter) { s, wake, wake_data, deadline_us };
	g_queue_push_tail(&hls->waiters, w);
	g_cond_signal(&hls->timer_cond);
}

static void rtk_hls_fire_expired(rtk_hls *hls, int64_t now)
{
	GList *link = hls->waiters.head;
	while (link) {
		GList *next = link->next;
		const rtk_hls_waiter *w = link->data;
		if (w->deadline_us <= now)
			rtk_hls_fire(hls, link);
		link = next;
	}
}

void rtk_hls_tick(rtk_hls *hls)
{
	g_mutex_lock(&hls->lock);
	rtk_hls_fire_expired(hls, rtk_hls_now(hls));
	g_mutex_unlock(&hls->lock);
}

void rtk_hls_cancel(rtk_hls *hls, void *wake_data)
{
	if (hls == NULL)
		return;
	g_mutex_lock(&hls->lock);
	GList *link = hls->waiters.head;
	while (link) {
		GList *next = link->next;
		rtk_hls_waiter *w = link->data;
		if (w->wake_data == wake_data) {
			g_queue_delete_link(&hls->waiters, link);
			g_free(w);
		}
		link = next;
	}
	g_mutex_unlock(&hls->lock);
}

void rtk_hls_stop_waiting(rtk_hls *hls)
{
	if (hls == NULL)
		return;
	g_mutex_lock(&hls->lock);
	hls->refusing = true;
	rtk_hls_wake_stream(hls, NULL);
	g_mutex_unlock(&hls->lock);
}

/* The timer thread: fires deadlines; sleeps until the nearest one (at
 * most a second, so an injected clock is followed too). */
static gpointer rtk_hls_timer_main(gpointer data)
{
	rtk_hls *hls = data;
	g_mutex_lock(&hls->lock);
	while (!hls->quit) {
		int64_t now = rtk_hls_now(hls);
		rtk_hls_fire_expired(hls, now);
		int64_t sleep_us = RTK_HLS_TIMER_MAX_SLEEP_US;
		for (GList *l = hls->waiters.head; l; l = l->next) {
			const rtk_hls_waiter *w = l->data;
			if (w->deadline_us - now < sleep_us)
				sleep_us = w->deadline_us - now;
		}
		if (sleep_us < 1000)
			sleep_us = 1000;
		g_cond_wait_until(&hls->timer_cond, &hls->lock, g_get_monotonic_time() + sleep_us);
	}
	g_mutex_unlock(&hls->lock);
	return NULL;
}

/* ---- registry ---- */

static void rtk_hls_ladder_free(gpointer p)
{
	rtk_hls_ladder *ladder = p;
	for (int i = 0; i < ladder->n; i++) {
		g_free(ladder->variants[i].stream_id);
		g_free(ladder->variants[i].codecs);
	}
	g_free(ladder);
}

rtk_hls *rtk_hls_new(void)
{
	rtk_hls *hls = g_new0(rtk_hls, 1);
	g_mutex_init(&hls->lock);
	g_cond_init(&hls->timer_cond);
	g_queue_init(&hls->waiters);
	hls->streams = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, rtk_hls_stream_free);
	hls->ladders = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, rtk_hls_ladder_free);
	hls->ladder_of = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	GError *error = NULL;
	hls->timer = g_thread_try_new("rtk-hls-timer", rtk_hls_timer_main, hls, &error);
	if (hls->timer == NULL) {
		g_warning("rtk hls: cannot start the timer thread: %s", error ? error->message : "?");
		g_clear_error(&error);
		g_hash_table_unref(hls->streams);
		g_hash_table_unref(hls->ladders);
		g_hash_table_unref(hls->ladder_of);
		g_cond_clear(&hls->timer_cond);
		g_mutex_clear(&hls->lock);
		g_free(hls);
		return NULL;
	}
	return hls;
}

void rtk_hls_free(rtk_hls *hls)
{
	if (hls == NULL)
		return;
	g_mutex_lock(&hls->lock);
	hls->quit = true;
	g_cond_signal(&hls->timer_cond);
	g_mutex_unlock(&hls->lock);
	g_thread_join(hls->timer);
	if (hls->waiters.length)
		g_warning("rtk hls: freed with %u requests parked", hls->waiters.length);
	g_queue_clear_full(&hls->waiters, g_free);
	g_hash_table_unref(hls->streams);
	g_hash_table_unref(hls->ladders);
	g_hash_table_unref(hls->ladder_of);
	g_free(hls->archive);
	g_cond_clear(&hls->timer_cond);
	g_mutex_clear(&hls->lock);
	g_free(hls);
}

int rtk_hls_stream_open(rtk_hls *hls, const char *stream_id, const char *dir, double part_target_s,
	double segment_target_s)
{
	if (hls == NULL || !rtk_hls_id_valid(stream_id) || dir == NULL || *dir == '\0')
		return -1;
	if (!(part_target_s > 0.01) || !(segment_target_s >= part_target_s) || !(segment_target_s < 3600))
		return -1;
	rtk_hls_stream *s = g_new0(rtk_hls_stream, 1);
	s->id = g_strdup(stream_id);
	s->dir = g_strdup(dir);
	s->part_target = part_target_s;
	s->segment_target = segment_target_s;
	s->target_duration = rtk_hls_ceil_seconds(segment_target_s);
	s->segments = g_ptr_array_new_with_free_func(rtk_hls_segment_free);
	s->viewers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_mutex_lock(&hls->lock);
	rtk_hls_stream *old = rtk_hls_get(hls, stream_id);
	if (old)
		rtk_hls_wake_stream(hls, old);   /* before it goes: they ask again */
	g_hash_table_replace(hls->streams, s->id, s);
	g_mutex_unlock(&hls->lock);
	return 0;
}

/* Marks the record in progress complete with `duration` (or the sum of
 * its parts when duration <= 0). */
/* A complete segment's bit rate, from its file: the peak and average the
 * multivariant playlist declares. A segment whose file cannot be read
 * (not written, or already trimmed) is not counted. */
static void rtk_hls_measure(rtk_hls_stream *s, const rtk_hls_segment *seg)
{
	char *path = rtk_hls_segment_path(s, seg->msn);
	struct stat st;
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && seg->duration > RTK_HLS_EPSILON) {
		int64_t bps = (int64_t)ceil((double)st.st_size * 8 / seg->duration);
		if (bps > s->peak_bps)
			s->peak_bps = bps;
		s->measured_bytes += st.st_size;
		s->measured_seconds += seg->duration;
	}
	g_free(path);
}

static void rtk_hls_complete(rtk_hls_stream *s, rtk_hls_segment *seg, double duration)
{
	if (duration > 0)
		seg->duration = duration;
	seg->complete = true;
	rtk_hls_measure(s, seg);
	int td = rtk_hls_ceil_seconds(seg->duration);
	if (td > s->target_duration)
		s->target_duration = td;
}

/* The record for a new announcement of segment `msn`: the last one, or,
 * when `may_begin`, a new one right after it (completing the last). NULL
 * when out of order. */
static rtk_hls_segment *rtk_hls_record_for(rtk_hls_stream *s, int64_t msn, bool may_begin, int64_t wall_us)
{
	rtk_hls_segment *last = rtk_hls_last(s);
	if (last && msn == last->msn)
		return last;
	if (!may_begin || (last && msn != last->msn + 1))
		return NULL;
	if (last && !last->complete)
		rtk_hls_complete(s, last, 0);
	rtk_hls_segment *seg = rtk_hls_segment_new(msn);
	seg->pdt_us = wall_us;
	g_ptr_array_add(s->segments, seg);
	return seg;
}

static bool rtk_hls_duration_ok(double d)
{
	return d > 0 && d < 3600;
}

void rtk_hls_stream_part(rtk_hls *hls, const char *stream_id, int64_t msn, int part, double duration_s,
	bool independent)
{
	if (hls == NULL || msn < 0 || msn > RTK_HLS_MSN_MAX || part < 0 || !rtk_hls_duration_ok(duration_s))
		return;
	GPtrArray *unlink_paths = g_ptr_array_new_with_free_func(g_free);
	g_mutex_lock(&hls->lock);
	rtk_hls_stream *s = rtk_hls_get(hls, stream_id);
	rtk_hls_segment *seg = NULL;
	if (s && !s->ended) {
		int64_t wall = rtk_hls_wall_now(hls) - (int64_t)(duration_s * G_USEC_PER_SEC);
		seg = rtk_hls_record_for(s, msn, part == 0, wall);
	}
	if (seg && !seg->complete && part == seg->nparts) {
		rtk_hls_segment_add_part(seg, duration_s, independent);
		rtk_hls_trim(s, unlink_paths);
		rtk_hls_wake_stream(hls, s);
	} else if (s && !s->ended) {
		g_warning("rtk hls: stream %s: part %" PRId64 ".%d out of order, ignored", s->id, msn, part);
	}
	g_mutex_unlock(&hls->lock);
	rtk_hls_unlink_all(unlink_paths);
}

void rtk_hls_stream_segment(rtk_hls *hls, const char *stream_id, int64_t msn, double duration_s)
{
	if (hls == NULL || msn < 0 || msn > RTK_HLS_MSN_MAX || !rtk_hls_duration_ok(duration_s))
		return;
	GPtrArray *unlink_paths = g_ptr_array_new_with_free_func(g_free);
	g_mutex_lock(&hls->lock);
	rtk_hls_stream *s = rtk_hls_get(hls, stream_id);
	rtk_hls_segment *seg = NULL;
	if (s && !s->ended) {
		int64_t wall = rtk_hls_wall_now(hls) - (int64_t)(duration_s * G_USEC_PER_SEC);
		seg = rtk_hls_record_for(s, msn, true, wall);
	}
	if (seg && !seg->complete) {
		rtk_hls_complete(s, seg, duration_s);
		rtk_hls_trim(s, unlink_paths);
		rtk_hls_wake_stream(hls, s);
	} else if (s && !s->ended) {
		g_warning("rtk hls: stream %s: segment %" PRId64 " out of order, ignored", s->id, msn);
	}
	g_mutex_unlock(&hls->lock);
	rtk_hls_unlink_all(unlink_paths);
}

/* ---- the archive ---- */

typedef struct rtk_hls_archive_file {
	char *path;
	GString *text;
} rtk_hls_archive_file;

static void rtk_hls_archive_file_free(gpointer p)
{
	rtk_hls_archive_file *f = p;
	g_free(f->path);
	g_string_free(f->text, TRUE);
	g_free(f);
}

static void rtk_hls_archive_add(GPtrArray *files, const char *dir, const char *name, GString *text)
{
	rtk_hls_archive_file *f = g_new(rtk_hls_archive_file, 1);
	f->path = g_build_filename(dir, name, NULL);
	f->text = text;
	g_ptr_array_add(files, f);
}

/* What an ended VOD stream leaves for the archive, rendered with the lock
 * held: its playlist and, when it is a ladder's variant, the ladder's
 * Multivariant Playlist (the last variant to end writes the final one). */
static void rtk_hls_archive_render(rtk_hls *hls, const rtk_hls_stream *s, GPtrArray *files)
{
	rtk_hls_archive_add(files, s->dir, RTK_HLS_VOD_PLAYLIST, rtk_hls_render(hls, s, false));
	const char *ladder_id = g_hash_table_lookup(hls->ladder_of, s->id);
	const rtk_hls_ladder *ladder = ladder_id ? g_hash_table_lookup(hls->ladders, ladder_id) : NULL;
	const rtk_hls_stream *first = ladder_id ? rtk_hls_get(hls, ladder_id) : NULL;
	if (ladder && first)
		rtk_hls_archive_add(files, first->dir, RTK_HLS_VOD_MASTER,
			rtk_hls_render_multivariant(hls, ladder, ladder_id));
}

/* Writes the rendered files (no lock held): each replaced whole. */
static void rtk_hls_archive_write(GPtrArray *files)
{
	for (guint i = 0; i < files->len; i++) {
		const rtk_hls_archive_file *f = g_ptr_array_index(files, i);
		GError *error = NULL;
		if (!g_file_set_contents(f->path, f->text->str, (gssize)f->text->len, &error)) {
			g_warning("rtk hls: cannot write %s: %s", f->path, error->message);
			g_error_free(error);
		}
	}
	g_ptr_array_free(files, TRUE);
}

void rtk_hls_set_archive(rtk_hls *hls, const char *dir)
{
	g_mutex_lock(&hls->lock);
	g_free(hls->archive);
	hls->archive = g_strdup(dir);
	g_mutex_unlock(&hls->lock);
}

/* The archive's directory of `stream_id` when it holds an ended VOD
 * stream (g_free it), else NULL. */
static char *rtk_hls_archive_dir(rtk_hls *hls, const char *stream_id)
{
	g_mutex_lock(&hls->lock);
	char *dir = hls->archive && rtk_hls_id_valid(stream_id) ?
		g_build_filename(hls->archive, stream_id, NULL) : NULL;
	g_mutex_unlock(&hls->lock);
	char *playlist = dir ? g_build_filename(dir, RTK_HLS_VOD_PLAYLIST, NULL) : NULL;
	if (playlist && !g_file_test(playlist, G_FILE_TEST_IS_REGULAR)) {
		g_free(dir);
		dir = NULL;
	}
	g_free(playlist);
	return dir;
}

/* A playlist file of the archive as the reply's body; FALSE when it cannot
 * be read. */
static bool rtk_hls_archive_playlist(const char *dir, const char *name, rtk_hls_reply *reply)
{
	char *path = g_build_filename(dir, name, NULL);
	char *text = NULL;
	gsize len = 0;
	bool ok = g_file_get_contents(path, &text, &len, NULL);
	g_free(path);
	if (ok) {
		reply->status = 200;
		reply->body = rtk_hls_memdup0(text, len);
		reply->body_len = len;
	}
	g_free(text);
	return ok;
}

/* A request for a stream the registry does not hold. */
static rtk_hls_outcome rtk_hls_handle_archive(rtk_hls *hls, const rtk_hls_target *t, rtk_hls_reply *reply)
{
	char *dir = rtk_hls_archive_dir(hls, t->stream_id);
	if (dir == NULL) {
		rtk_hls_reply_text(reply, 404, t->resource == RTK_HLS_RES_MULTIVARIANT ?
			"no such livestream ladder\n" : "no such livestream\n");
		return RTK_HLS_ANSWER;
	}
	if (t->resource == RTK_HLS_RES_PLAYLIST || t->resource == RTK_HLS_RES_MULTIVARIANT) {
		if (!rtk_hls_archive_playlist(dir, t->resource == RTK_HLS_RES_PLAYLIST ? RTK_HLS_VOD_PLAYLIST :
				RTK_HLS_VOD_MASTER, reply))
			rtk_hls_reply_text(reply, 404, "no such playlist in this livestream\n");
	} else if (t->resource == RTK_HLS_RES_INIT) {
		rtk_hls_reply_file(reply, g_strdup_printf("%s/init.mp4", dir));
	} else if (t->resource == RTK_HLS_RES_SEGMENT) {
		rtk_hls_reply_file(reply, g_strdup_printf("%s/seg%" PRId64 ".m4s", dir, t->msn));
	} else {
		rtk_hls_reply_text(reply, 404, "no such file in this livestream\n");
	}
	g_free(dir);
	return RTK_HLS_ANSWER;
}

void rtk_hls_stream_end(rtk_hls *hls, const char *stream_id)
{
	if (hls == NULL)
		return;
	GPtrArray *unlink_paths = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *files = g_ptr_array_new_with_free_func(rtk_hls_archive_file_free);
	g_mutex_lock(&hls->lock);
	rtk_hls_stream *s = rtk_hls_get(hls, stream_id);
	if (s && !s->ended) {
		rtk_hls_segment *last = rtk_hls_last(s);
		if (last && !last->complete) {
			/* Never completed: no segment file to list after ENDLIST. */
			for (int p = 0; p < last->nparts; p++)
				g_ptr_array_add(unlink_paths, rtk_hls_part_path(s, last->msn, p));
			g_ptr_array_remove_index(s->segments, s->segments->len - 1);
		}
		s->ended = true;
		rtk_hls_wake_stream(hls, s);
		if (s->vod)
			rtk_hls_archive_render(hls, s, files);
	}
	g_mutex_unlock(&hls->lock);
	rtk_hls_unlink_all(unlink_paths);
	rtk_hls_archive_write(files);
}

int rtk_hls_stream_set_vod(rtk_hls *hls, const char *stream_id)
{
	if (hls == NULL || stream_id == NULL)
		return -1;
	g_mutex_lock(&hls->lock);
	rtk_hls_stream *s = rtk_hls_get(hls, stream_id);
	if (s)
		s->vod = true;
	g_mutex_unlock(&hls->lock);
	return s ? 0 : -1;
}

void rtk_hls_stream_close(rtk_hls *hls, const char *stream_id)
{
	if (hls == NULL || stream_id == NULL)
		return;
	g_mutex_lock(&hls->lock);
	rtk_hls_stream *s = rtk_hls_get(hls, stream_id);
	if (s) {
		rtk_hls_wake_stream(hls, s);
		g_hash_table_remove(hls->streams, stream_id);
	}
	rtk_hls_ladder_remove(hls, stream_id);
	g_mutex_unlock(&hls->lock);
}

/* ---- ladders ---- */

/* Forgets ladder `ladder_id` and its reverse map entries; lock held. */
static void rtk_hls_ladder_remove(rtk_hls *hls, const char *ladder_id)
{
	const rtk_hls_ladder *ladder = g_hash_table_lookup(hls->ladders, ladder_id);
	if (ladder == NULL)
		return;
	for (int i = 0; i < ladder->n; i++)
		g_hash_table_remove(hls->ladder_of, ladder->variants[i].stream_id);
	g_hash_table_remove(hls->ladders, ladder_id);
}

static bool rtk_hls_codecs_valid(const char *codecs)
{
	size_t len = codecs ? strlen(codecs) : 0;
	if (len == 0 || len > RTK_HLS_CODECS_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!g_ascii_isalnum(codecs[i]) && codecs[i] != '.' && codecs[i] != ',')
			return false;
	return true;
}

static bool rtk_hls_variant_valid(const rtk_hls_variant *v)
{
	return rtk_hls_id_valid(v->stream_id) && v->bandwidth > 0 && v->width > 0 && v->height > 0 &&
		v->frame_rate >= 0 && v->frame_rate < 1000 && rtk_hls_codecs_valid(v->codecs);
}

/* Whether the variants are valid, distinct, and in no other ladder than
 * `ladder_id`; lock held. */
static bool rtk_hls_ladder_valid(rtk_hls *hls, const char *ladder_id, const rtk_hls_variant *variants, int n)
{
	for (int i = 0; i < n; i++) {
		if (!rtk_hls_variant_valid(&variants[i]))
			return false;
		for (int j = 0; j < i; j++)
			if (strcmp(variants[i].stream_id, variants[j].stream_id) == 0)
				return false;
		const char *owner = g_hash_table_lookup(hls->ladder_of, variants[i].stream_id);
		if (owner && strcmp(owner, ladder_id) != 0)
			return false;
	}
	return true;
}

int rtk_hls_ladder_set(rtk_hls *hls, const char *ladder_id, const rtk_hls_variant *variants, int n)
{
	if (hls == NULL || !rtk_hls_id_valid(ladder_id) || n < 0 || n > RTK_HLS_LADDER_MAX ||
	    (n > 0 && variants == NULL))
		return -1;
	g_mutex_lock(&hls->lock);
	if (!rtk_hls_ladder_valid(hls, ladder_id, variants, n)) {
		g_mutex_unlock(&hls->lock);
		return -1;
	}
	rtk_hls_ladder_remove(hls, ladder_id);
	if (n > 0) {
		rtk_hls_ladder *ladder = g_new0(rtk_hls_ladder, 1);
		ladder->n = n;
		for (int i = 0; i < n; i++) {
			rtk_hls_ladder_variant *v = &ladder->variants[i];
			v->stream_id = g_strdup(variants[i].stream_id);
			v->bandwidth = variants[i].bandwidth;
			v->width = variants[i].width;
			v->height = variants[i].height;
			v->frame_rate = variants[i].frame_rate;
			v->codecs = g_strdup(variants[i].codecs);
			g_hash_table_replace(hls->ladder_of, g_strdup(v->stream_id), g_strdup(ladder_id));
		}
		g_hash_table_replace(hls->ladders, g_strdup(ladder_id), ladder);
	}
	g_mutex_unlock(&hls->lock);
	return 0;
}

int rtk_hls_codecs_from_init(const unsigned char *init, size_t len, char *out, size_t out_len)
{
	if (init == NULL || out == NULL || out_len < 24)
		return -1;
	/* "avcC" is the box type; the configuration record after it starts
	 * with version 1, then profile, constraint flags, level. */
	for (size_t i = 4; i + 8 <= len; i++) {
		if (memcmp(init + i, "avcC", 4) != 0 || init[i + 4] != 1)
			continue;
		snprintf(out, out_len, "avc1.%02x%02x%02x,mp4a.40.2", init[i + 5], init[i + 6], init[i + 7]);
		return 0;
	}
	return -1;
}

/* A variant's URI as seen from /hls/<from_id>/: a sibling directory. */
static void rtk_hls_append_variant_uri(GString *out, const char *from_id, const char *stream_id)
{
	if (strcmp(from_id, stream_id) == 0)
		g_string_append(out, "index.m3u8");
	else
		g_string_append_printf(out, "../%s/index.m3u8", stream_id);
}

/* A variant's BANDWIDTH: the peak segment bit rate. While its stream is
 * live that is an estimate (RFC 8216bis 4.4.6.2): the declared one,
 * raised to the measured peak when a segment exceeded it; once the stream
 * ended, every segment exists and it is the measured peak itself. */
static int64_t rtk_hls_variant_bandwidth(const rtk_hls_ladder_variant *v, const rtk_hls_stream *s)
{
	if (s == NULL || s->peak_bps == 0)
		return v->bandwidth;
	if (s->ended)
		return s->peak_bps;
	return s->peak_bps > v->bandwidth ? s->peak_bps : v->bandwidth;
}

static GString *rtk_hls_render_multivariant(rtk_hls *hls, const rtk_hls_ladder *ladder, const char *ladder_id)
{
	GString *out = g_string_sized_new(512);
	g_string_append(out, "#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-INDEPENDENT-SEGMENTS\n");
	for (int i = 0; i < ladder->n; i++) {
		const rtk_hls_ladder_variant *v = &ladder->variants[i];
		const rtk_hls_stream *s = g_hash_table_lookup(hls->streams, v->stream_id);
		g_string_append_printf(out, "#EXT-X-STREAM-INF:BANDWIDTH=%" PRId64, rtk_hls_variant_bandwidth(v, s));
		if (s != NULL && s->measured_seconds > RTK_HLS_EPSILON)
			g_string_append_printf(out, ",AVERAGE-BANDWIDTH=%" PRId64,
				(int64_t)ceil((double)s->measured_bytes * 8 / s->measured_seconds));
		g_string_append_printf(out, ",RESOLUTION=%dx%d,CODECS=\"%s\"", v->width, v->height, v->codecs);
		if (v->frame_rate > 0)
			g_string_append_printf(out, ",FRAME-RATE=%.3f", v->frame_rate);
		g_string_append_c(out, '\n');
		rtk_hls_append_variant_uri(out, ladder_id, v->stream_id);
		g_string_append_c(out, '\n');
	}
	return out;
}

char *rtk_hls_multivariant(rtk_hls *hls, const char *ladder_id)
{
	if (hls == NULL || ladder_id == NULL)
		return NULL;
	char *text = NULL;
	g_mutex_lock(&hls->lock);
	const rtk_hls_ladder *ladder = g_hash_table_lookup(hls->ladders, ladder_id);
	if (ladder) {
		GString *out = rtk_hls_render_multivariant(hls, ladder, ladder_id);
		text = rtk_hls_memdup0(out->str, out->len);
		g_string_free(out, TRUE);
	}
	g_mutex_unlock(&hls->lock);
	return text;
}

/* ---- viewers ---- */

static void rtk_hls_viewers_prune(rtk_hls_stream *s, int64_t now)
{
	GHashTableIter it;
	gpointer key, value;
	g_hash_table_iter_init(&it, s->viewers);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		if (now - *(gint64 *)value >= (int64_t)RTK_HLS_VIEWER_WINDOW_S * G_USEC_PER_SEC)
			g_hash_table_iter_remove(&it);
	}
}

static void rtk_hls_viewer_seen(rtk_hls_stream *s, const char *key, int64_t now)
{
	gint64 *seen = g_hash_table_lookup(s->viewers, key);
	if (seen) {
		*seen = now;
		return;
	}
	if (g_hash_table_size(s->viewers) >= RTK_HLS_VIEWERS_MAX)
		rtk_hls_viewers_prune(s, now);
	if (g_hash_table_size(s->viewers) >= RTK_HLS_VIEWERS_MAX)
		return;
	seen = g_new(gint64, 1);
	*seen = now;
	g_hash_table_insert(s->viewers, g_strdup(key), seen);
}

int rtk_hls_viewer_count(rtk_hls *hls, const char *stream_id)
{
	if (hls == NULL)
		return 0;
	g_mutex_lock(&hls->lock);
	rtk_hls_stream *s = rtk_hls_get(hls, stream_id);
	int n = 0;
	if (s) {
		rtk_hls_viewers_prune(s, rtk_hls_now(hls));
		n = (int)g_hash_table_size(s->viewers);
	}
	g_mutex_unlock(&hls->lock);
	return n;
}

/* ---- playlist ---- */

/* The next part the companion will write: what EXT-X-PRELOAD-HINT names. */
static void rtk_hls_next_part(const rtk_hls_stream *s, int64_t *msn, int *part)
{
	const rtk_hls_segment *last = rtk_hls_last(s);
	if (last == NULL) {
		*msn = 0;
		*part = 0;
	} else if (last->complete) {
		*msn = last->msn + 1;
		*part = 0;
	} else {
		*msn = last->msn;
		*part = last->nparts;
	}
}

/* How many listed segments a delta update skips: complete ones, without
 * listed parts, that end at least CAN-SKIP-UNTIL before the playlist's end. */
static guint rtk_hls_skip_count(const rtk_hls_stream *s, guint first, guint parts_from)
{
	double skip_until = 6.0 * s->target_duration;
	double remaining = rtk_hls_listed_duration(s, first);
	guint n = 0;
	for (guint i = first; i < parts_from && i < s->segments->len; i++) {
		const rtk_hls_segment *seg = rtk_hls_seg_at(s, i);
		remaining -= seg->duration;
		if (!seg->complete || remaining + RTK_HLS_EPSILON < skip_until)
			break;
		n++;
	}
	return n;
}

static void rtk_hls_render_header(const rtk_hls_stream *s, GString *out, int64_t media_sequence)
{
	g_string_append(out, "#EXTM3U\n#EXT-X-VERSION:9\n");
	if (s->vod && s->ended)
		g_string_append(out, "#EXT-X-PLAYLIST-TYPE:VOD\n");
	g_string_append_printf(out, "#EXT-X-TARGETDURATION:%d\n", s->target_duration);
	g_string_append_printf(out, "#EXT-X-MEDIA-SEQUENCE:%" PRId64 "\n", media_sequence);
	g_string_append(out, "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=");
	rtk_hls_append_seconds(out, 3.0 * s->part_target);
	g_string_append(out, ",CAN-SKIP-UNTIL=");
	rtk_hls_append_seconds(out, 6.0 * s->target_duration);
	g_string_append(out, "\n#EXT-X-PART-INF:PART-TARGET=");
	rtk_hls_append_seconds(out, s->part_target);
	g_string_append(out, "\n#EXT-X-MAP:URI=\"init.mp4\"\n");
}

static void rtk_hls_render_segment(const rtk_hls_segment *seg, bool with_parts, GString *out)
{
	rtk_hls_append_pdt(out, seg->pdt_us);
	for (int p = 0; with_parts && p < seg->nparts; p++) {
		g_string_append(out, "#EXT-X-PART:DURATION=");
		rtk_hls_append_seconds(out, seg->parts[p].duration);
		g_string_append_printf(out, ",URI=\"seg%" PRId64 ".%d.m4s\"%s\n", seg->msn, p,
			seg->parts[p].independent ? ",INDEPENDENT=YES" : "");
	}
	if (seg->complete) {
		g_string_append(out, "#EXTINF:");
		rtk_hls_append_seconds(out, seg->duration);
		g_string_append_printf(out, ",\nseg%" PRId64 ".m4s\n", seg->msn);
	}
}

/* EXT-X-RENDITION-REPORT of stream `other` (its newest segment and
 * part), seen from `s`; nothing while it has no segment. Lock held. */
static void rtk_hls_render_report(const rtk_hls_stream *s, const rtk_hls_stream *other, GString *out)
{
	const rtk_hls_segment *last = rtk_hls_last(other);
	if (last == NULL)
		return;
	g_string_append(out, "#EXT-X-RENDITION-REPORT:URI=\"");
	rtk_hls_append_variant_uri(out, s->id, other->id);
	g_string_append_printf(out, "\",LAST-MSN=%" PRId64, last->msn);
	if (last->nparts > 0)
		g_string_append_printf(out, ",LAST-PART=%d", last->nparts - 1);
	g_string_append_c(out, '\n');
}

/* The reports for every other open variant of the ladder `s` belongs to;
 * lock held. */
static void rtk_hls_render_reports(const rtk_hls *hls, const rtk_hls_stream *s, GString *out)
{
	const char *ladder_id = g_hash_table_lookup(hls->ladder_of, s->id);
	const rtk_hls_ladder *ladder = ladder_id ? g_hash_table_lookup(hls->ladders, ladder_id) : NULL;
	for (int i = 0; ladder && i < ladder->n; i++) {
		const rtk_hls_stream *other = g_hash_table_lookup(hls->streams, ladder->variants[i].stream_id);
		if (other && other != s)
			rtk_hls_render_report(s, other, out);
	}
}

/* The playlist, g_malloc'd, with the lock held. */
static GString *rtk_hls_render(const rtk_hls *hls, const rtk_hls_stream *s, bool skip)
{
	GString *out = g_string_sized_new(2048);
	guint n = s->segments->len;
	guint first = rtk_hls_first_listed(s);
	/* a VOD playlist lists whole segments only */
	guint parts_from = s->vod && s->ended ? n : rtk_hls_parts_from(s, first);
	int64_t next_msn;
	int next_part;
	rtk_hls_next_part(s, &next_msn, &next_part);
	rtk_hls_render_header(s, out, first < n ? rtk_hls_seg_at(s, first)->msn : next_msn);
	guint skipped = skip ? rtk_hls_skip_count(s, first, parts_from) : 0;
	if (skipped)
		g_string_append_printf(out, "#EXT-X-SKIP:SKIPPED-SEGMENTS=%u\n", skipped);
	for (guint i = first + skipped; i < n; i++)
		rtk_hls_render_segment(rtk_hls_seg_at(s, i), i >= parts_from, out);
	if (s->ended)
		g_string_append(out, "#EXT-X-ENDLIST\n");
	else
		g_string_append_printf(out, "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"seg%" PRId64 ".%d.m4s\"\n",
			next_msn, next_part);
	if (!s->ended)
		rtk_hls_render_reports(hls, s, out);
	return out;
}

char *rtk_hls_playlist(rtk_hls *hls, const char *stream_id, bool skip)
{
	if (hls == NULL)
		return NULL;
	char *text = NULL;
	g_mutex_lock(&hls->lock);
	rtk_hls_stream *s = rtk_hls_get(hls, stream_id);
	if (s) {
		GString *out = rtk_hls_render(hls, s, skip);
		text = rtk_hls_memdup0(out->str, out->len);
		g_string_free(out, TRUE);
	}
	g_mutex_unlock(&hls->lock);
	return text;
}

/* ---- parsers ---- */

/* Plain decimal without sign or leading zeros, 0..max, exactly `len`
 * characters. */
static bool rtk_hls_parse_uint(const char *s, size_t len, int64_t max, int64_t *out)
{
	if (len == 0 || (len > 1 && s[0] == '0'))
		return false;
	int64_t v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		int d = s[i] - '0';
		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

/* A directive's value: plain decimal, leading zeros allowed ("007" is 7),
 * no sign, 0..max. */
static bool rtk_hls_parse_directive_uint(const char *s, size_t len, int64_t max, int64_t *out)
{
	while (len > 1 && s[0] == '0') {
		s++;
		len--;
	}
	return rtk_hls_parse_uint(s, len, max, out);
}

/* "seg<msn>.m4s" or "seg<msn>.<part>.m4s". */
static int rtk_hls_parse_media_name(const char *name, rtk_hls_target *out)
{
	size_t len = strlen(name);
	if (len < 8 || strncmp(name, "seg", 3) != 0 || strcmp(name + len - 4, ".m4s") != 0)
		return -1;
	const char *num = name + 3;
	size_t num_len = len - 3 - 4;
	const char *dot = memchr(num, '.', num_len);
	int64_t msn, part;
	if (dot == NULL) {
		if (!rtk_hls_parse_uint(num, num_len, INT64_MAX, &msn))
			return -1;
		out->resource = RTK_HLS_RES_SEGMENT;
		out->msn = msn;
		return 0;
	}
	size_t msn_len = (size_t)(dot - num);
	if (!rtk_hls_parse_uint(num, msn_len, INT64_MAX, &msn) ||
	    !rtk_hls_parse_uint(dot + 1, num_len - msn_len - 1, INT_MAX, &part))
		return -1;
	out->resource = RTK_HLS_RES_PART;
	out->msn = msn;
	out->part = (int)part;
	return 0;
}

int rtk_hls_parse_path(const char *path, rtk_hls_target *out)
{
	static const char prefix[] = "/hls/";
	if (path == NULL || out == NULL || strncmp(path, prefix, sizeof prefix - 1) != 0)
		return -1;
	memset(out, 0, sizeof *out);
	const char *id = path + sizeof prefix - 1;
	const char *slash = strchr(id, '/');
	if (slash == NULL || slash == id || (size_t)(slash - id) > RTK_HLS_ID_MAX)
		return -1;
	memcpy(out->stream_id, id, (size_t)(slash - id));
	out->stream_id[slash - id] = '\0';
	if (!rtk_hls_id_valid(out->stream_id))
		return -1;
	const char *name = slash + 1;
	if (strchr(name, '/') != NULL)
		return -1;
	if (strcmp(name, "index.m3u8") == 0) {
		out->resource = RTK_HLS_RES_PLAYLIST;
		return 0;
	}
	if (strcmp(name, "master.m3u8") == 0) {
		out->resource = RTK_HLS_RES_MULTIVARIANT;
		return 0;
	}
	if (strcmp(name, "init.mp4") == 0) {
		out->resource = RTK_HLS_RES_INIT;
		return 0;
	}
	return rtk_hls_parse_media_name(name, out);
}

/* One "name=value" of the query (len bytes at p). */
static int rtk_hls_parse_param(const char *p, size_t len, rtk_hls_query *q, bool *seen_skip, const char **error)
{
	const char *eq = memchr(p, '=', len);
	size_t name_len = eq ? (size_t)(eq - p) : len;
	const char *value = eq ? eq + 1 : p + len;
	size_t value_len = eq ? len - name_len - 1 : 0;
	int64_t v;
	if (name_len == 8 && memcmp(p, "_HLS_msn", 8) == 0) {
		if (q->has_msn)
			return *error = "_HLS_msn is given twice", -1;
		if (!rtk_hls_parse_directive_uint(value, value_len, INT64_MAX, &v))
			return *error = "_HLS_msn must be a non-negative integer", -1;
		q->has_msn = true;
		q->msn = v;
	} else if (name_len == 9 && memcmp(p, "_HLS_part", 9) == 0) {
		if (q->has_part)
			return *error = "_HLS_part is given twice", -1;
		if (!rtk_hls_parse_directive_uint(value, value_len, INT_MAX, &v))
			return *error = "_HLS_part must be a non-negative integer", -1;
		q->has_part = true;
		q->part = (int)v;
	} else if (name_len == 9 && memcmp(p, "_HLS_skip", 9) == 0) {
		if (*seen_skip)
			return *error = "_HLS_skip is given twice", -1;
		*seen_skip = true;
		if (value_len == 3 && memcmp(value, "YES", 3) == 0)
			q->skip = RTK_HLS_SKIP_YES;
		else if (value_len == 2 && memcmp(value, "v2", 2) == 0)
			q->skip = RTK_HLS_SKIP_V2;
		else
			return *error = "_HLS_skip must be YES or v2", -1;
	}
	return 0;
}

int rtk_hls_parse_query(const char *query, rtk_hls_query *out, const char **error)
{
	const char *ignored;
	if (error == NULL)
		error = &ignored;
	*error = NULL;
	memset(out, 0, sizeof *out);
	bool seen_skip = false;
	for (const char *p = query; p && *p;) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		if (len && rtk_hls_parse_param(p, len, out, &seen_skip, error) != 0) {
			memset(out, 0, sizeof *out);
			return -1;
		}
		p = amp ? amp + 1 : p + len;
	}
	if (out->has_part && !out->has_msn) {
		memset(out, 0, sizeof *out);
		*error = "_HLS_part requires _HLS_msn";
		return -1;
	}
	return 0;
}

/* ---- the decision ---- */

static void rtk_hls_reply_text(rtk_hls_reply *reply, int status, const char *text)
{
	reply->status = status;
	reply->body_len = strlen(text);
	reply->body = rtk_hls_memdup0(text, reply->body_len);
}

/* Does the playlist already hold segment `msn` (part < 0) or part
 * (msn, part), or something after it? */
static bool rtk_hls_ready(const rtk_hls_stream *s, int64_t msn, int part)
{
	const rtk_hls_segment *last = rtk_hls_last(s);
	if (last == NULL)
		return false;
	if (msn < last->msn)
		return true;   /* a later segment began: this one is complete */
	if (msn > last->msn)
		return false;
	if (part < 0)
		return last->complete;
	return part < last->nparts;   /* past the final part of a complete one: the next, not there yet */
}

/* Is (msn, part) further ahead than the spec lets a client block for? */
static bool rtk_hls_too_far(const rtk_hls_stream *s, int64_t msn, int part)
{
	const rtk_hls_segment *last = rtk_hls_last(s);
	int64_t last_complete = last == NULL ? -1 : last->complete ? last->msn : last->msn - 1;
	if (msn > last_complete + 2)
		return true;
	if (part < 0)
		return false;
	/* Advance Part Limit (rfc8216bis 6.2.5.2): 3 / PART-TARGET under a second, else 3. */
	double limit = s->part_target < 1.0 ? 3.0 / s->part_target : 3.0;
	double ahead;
	if (last && msn == last->msn && !last->complete)
		ahead = (double)part - (last->nparts - 1);
	else if (last && msn == last->msn)
		ahead = 1;     /* past the final part: part 0 of the next segment */
	else
		ahead = (double)part + 1;   /* a segment not begun: at least this far */
	return ahead > limit + RTK_HLS_EPSILON;
}

static rtk_hls_outcome rtk_hls_wait_or_503(rtk_hls *hls, const rtk_hls_stream *s, rtk_hls_request *req,
	rtk_hls_wake_fn wake, void *wake_data, rtk_hls_reply *reply)
{
	int64_t now = rtk_hls_now(hls);
	if (req->deadline_us == 0)
		req->deadline_us = now + (int64_t)3 * s->target_duration * G_USEC_PER_SEC;
	if (hls->refusing || wake == NULL) {
		rtk_hls_reply_text(reply, 503, "the server is shutting down\n");
		return RTK_HLS_ANSWER;
	}
	if (now >= req->deadline_us) {
		rtk_hls_reply_text(reply, 503, "not available within three target durations\n");
		return RTK_HLS_ANSWER;
	}
	rtk_hls_park(hls, s, req->deadline_us, wake, wake_data);
	return RTK_HLS_WAIT;
}

static rtk_hls_outcome rtk_hls_handle_playlist(rtk_hls *hls, rtk_hls_stream *s, rtk_hls_request *req,
	const rtk_hls_query *q, rtk_hls_wake_fn wake, void *wake_data, rtk_hls_reply *reply)
{
	int part = q->has_part ? q->part : -1;
	if (!s->ended && q->has_msn && !rtk_hls_ready(s, q->msn, part)) {
		if (rtk_hls_too_far(s, q->msn, part)) {
			rtk_hls_reply_text(reply, 400, q->has_part ?
				"_HLS_msn/_HLS_part is too far ahead of the playlist\n" :
				"_HLS_msn is more than two segments ahead of the playlist\n");
			return RTK_HLS_ANSWER;
		}
		return rtk_hls_wait_or_503(hls, s, req, wake, wake_data, reply);
	}
	GString *out = rtk_hls_render(hls, s, q->skip != RTK_HLS_SKIP_NO);
	reply->status = 200;
	reply->body_len = out->len;
	reply->body = rtk_hls_memdup0(out->str, out->len);
	g_string_free(out, TRUE);
	return RTK_HLS_ANSWER;
}

static void rtk_hls_reply_file(rtk_hls_reply *reply, char *path)
{
	reply->status = 200;
	reply->file = rtk_hls_memdup0(path, strlen(path));
	g_free(path);
}

static rtk_hls_outcome rtk_hls_handle_media(rtk_hls *hls, rtk_hls_stream *s, rtk_hls_request *req,
	const rtk_hls_target *t, rtk_hls_wake_fn wake, void *wake_data, rtk_hls_reply *reply)
{
	const rtk_hls_segment *seg = rtk_hls_find(s, t->msn);
	if (t->resource == RTK_HLS_RES_INIT) {
		rtk_hls_reply_file(reply, g_strdup_printf("%s/init.mp4", s->dir));
		return RTK_HLS_ANSWER;
	}
	if (t->resource == RTK_HLS_RES_SEGMENT) {
		if (seg && seg->complete) {
			rtk_hls_reply_file(reply, rtk_hls_segment_path(s, t->msn));
			return RTK_HLS_ANSWER;
		}
	} else if (seg && t->part < seg->nparts && !seg->parts_deleted) {
		rtk_hls_reply_file(reply, rtk_hls_part_path(s, t->msn, t->part));
		return RTK_HLS_ANSWER;
	} else if (!s->ended) {
		int64_t next_msn;
		int next_part;
		rtk_hls_next_part(s, &next_msn, &next_part);
		if (t->msn == next_msn && t->part == next_part)
			return rtk_hls_wait_or_503(hls, s, req, wake, wake_data, reply);
	}
	rtk_hls_reply_text(reply, 404, "no such file in this livestream\n");
	return RTK_HLS_ANSWER;
}

/* master.m3u8: answered now, never parked. */
static rtk_hls_outcome rtk_hls_handle_multivariant(rtk_hls *hls, const rtk_hls_target *t, rtk_hls_reply *reply)
{
	char *text = rtk_hls_multivariant(hls, t->stream_id);
	if (text == NULL)
		return rtk_hls_handle_archive(hls, t, reply);
	reply->status = 200;
	reply->body_len = strlen(text);
	reply->body = text;
	return RTK_HLS_ANSWER;
}

rtk_hls_outcome rtk_hls_handle(rtk_hls *hls, rtk_hls_request *req, rtk_hls_wake_fn wake, void *wake_data,
	rtk_hls_reply *reply)
{
	memset(reply, 0, sizeof *reply);
	rtk_hls_target t;
	if (hls == NULL || req == NULL || rtk_hls_parse_path(req->path, &t) != 0) {
		rtk_hls_reply_text(reply, 404, "not found\n");
		return RTK_HLS_ANSWER;
	}
	reply->resource = t.resource;
	rtk_hls_query q = { 0 };
	const char *error = NULL;
	if (t.resource == RTK_HLS_RES_PLAYLIST && rtk_hls_parse_query(req->query, &q, &error) != 0) {
		char *text = g_strdup_printf("%s\n", error);
		rtk_hls_reply_text(reply, 400, text);
		g_free(text);
		return RTK_HLS_ANSWER;
	}
	if (t.resource == RTK_HLS_RES_MULTIVARIANT)
		return rtk_hls_handle_multivariant(hls, &t, reply);
	rtk_hls_outcome outcome;
	g_mutex_lock(&hls->lock);
	rtk_hls_stream *s = rtk_hls_get(hls, t.stream_id);
	if (s == NULL) {
		g_mutex_unlock(&hls->lock);
		return rtk_hls_handle_archive(hls, &t, reply);
	} else if (t.resource == RTK_HLS_RES_PLAYLIST) {
		if (req->client_key)
			rtk_hls_viewer_seen(s, req->client_key, rtk_hls_now(hls));
		outcome = rtk_hls_handle_playlist(hls, s, req, &q, wake, wake_data, reply);
	} else {
		outcome = rtk_hls_handle_media(hls, s, req, &t, wake, wake_data, reply);
	}
	g_mutex_unlock(&hls->lock);
	return outcome;
}

void rtk_hls_reply_clear(rtk_hls_reply *reply)
{
	if (reply == NULL)
		return;
	free(reply->body);
	free(reply->file);
	memset(reply, 0, sizeof *reply);
}
