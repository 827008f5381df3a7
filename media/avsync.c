/*
 * avsync.c - lip sync: where each decoded frame of a pipeline goes on its
 * output clock (pipeline.h explains the model). Owns the timing state of
 * every track (arrival statistics, the latest sender report's mapping of
 * RTP time to capture time), each participant's capture-to-wall offset and
 * the clusters of participants whose clocks agree. pipeline.c calls in
 * when a frame arrives (rtk_track_arrive, rtk_pipeline_resync,
 * rtk_pipeline_place) and when a report does (rtk_pipeline_sync).
 *
 * Same rules as the pipeline: not thread-safe, one caller thread.
 */
#include "pipeline_internal.h"

/* ---- lip sync: where each frame goes on the wall clock ---- */

static void rtk_minwin_add(rtk_minwin *w, int64_t v, int64_t now, int64_t window)
{
	if (!w->set || now >= w->cur_end + window) {
		/* the first sample, or both windows are stale */
		w->set = true;
		w->cur = w->prev = v;
		w->cur_end = now + window;
	} else if (now >= w->cur_end) {
		w->prev = w->cur;
		w->cur = v;
		w->cur_end = now + window;
	} else if (v < w->cur) {
		w->cur = v;
	}
}

static int64_t rtk_minwin_get(const rtk_minwin *w)
{
	return w->cur < w->prev ? w->cur : w->prev;
}

int64_t rtk_abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

/* RTP ticks at `rate` Hz as ns (no overflow for any 64-bit tick count
 * a stream reaches). */
static int64_t rtk_ticks_ns(int64_t ticks, int rate)
{
	return ticks / rate * RTK_NS + ticks % rate * RTK_NS / rate;
}

/* An NTP time (32.32 fixed point) as ns since the first report's. */
static int64_t rtk_pipeline_ntp_ns(rtk_pipeline *p, uint64_t ntp)
{
	if (!p->ntp_set) {
		p->ntp_set = true;
		p->ntp_ref = ntp;
	}
	int64_t d = (int64_t)(ntp - p->ntp_ref); /* wraps (NTP eras) cancel out */
	uint64_t a = d < 0 ? 0 - (uint64_t)d : (uint64_t)d;
	int64_t ns = (int64_t)((a >> 32) * RTK_NS + (((a & 0xffffffffu) * RTK_NS) >> 32));
	return d < 0 ? -ns : ns;
}

/* Media time of `ts` (ns since the track's first frame). */
static int64_t rtk_track_media(const rtk_pipeline_track *t, int64_t ts)
{
	return rtk_ticks_ns(ts - t->ts_first, t->rate);
}

/* Capture time of `ts` (ns on the NTP axis); needs has_sr. The 32-bit
 * difference to the report is right within half the timestamp range
 * (6 h of video) of it, and reports come every few seconds. */
static int64_t rtk_track_capture(const rtk_pipeline_track *t, int64_t ts)
{
	return rtk_minwin_get(&t->sr) + rtk_ticks_ns((int32_t)((uint32_t)ts - t->sr_rtp), t->rate);
}

/* The smallest recent arrival - capture time: the stream's transit plus
 * the sender's clock offset. Needs started and has_sr. */
static int64_t rtk_track_lag(const rtk_pipeline_track *t)
{
	return rtk_minwin_get(&t->skew) - (rtk_track_capture(t, t->ts_last) - rtk_track_media(t, t->ts_last));
}

static bool rtk_track_active(const rtk_pipeline *p, const rtk_pipeline_track *t)
{
	return t->started && p->wall - t->last_arrival <= RTK_SYNC_IDLE_NS;
}

/* Starts the track's media time at `ts`. After a jump, a report survives
 * only when it places this frame where the participant's other tracks are
 * (a new stream whose report came before its first frame); otherwise it
 * belonged to the timestamps before the jump. */
static void rtk_track_restart(const rtk_pipeline_participant *part, rtk_pipeline_track *t, int64_t ts,
	int64_t arrival, bool jump)
{
	if (jump && t->has_sr && !(part->synced &&
	    rtk_abs64(arrival - rtk_track_capture(t, ts) - part->offset) <= RTK_SYNC_JUMP_NS))
		t->has_sr = false;
	t->started = true;
	t->ts_first = ts;
	t->skew.set = false;
	t->placed = false;
}

/* A frame with timestamp `ts` arrived at wall time `arrival`: updates the
 * track's arrival statistics and its offset for placement by arrival. */
void rtk_track_arrive(const rtk_pipeline_participant *part, rtk_pipeline_track *t, int64_t ts,
	int64_t arrival)
{
	if (!t->started)
		rtk_track_restart(part, t, ts, arrival, false);
	int64_t skew = arrival - rtk_track_media(t, ts);
	if (t->skew.set && rtk_abs64(skew - t->offset) > RTK_SYNC_JUMP_NS) {
		/* a new timestamp base (sender restart), or a long stall */
		rtk_track_restart(part, t, ts, arrival, true);
		skew = arrival;
	}
	bool first = !t->skew.set;
	rtk_minwin_add(&t->skew, skew, arrival, RTK_SYNC_WINDOW_NS);
	int64_t est = rtk_minwin_get(&t->skew);
	if (first || rtk_abs64(est - t->offset) > RTK_SYNC_HYSTERESIS_NS)
		t->offset = est;
	t->ts_last = ts;
	t->last_arrival = arrival;
}

/* A sender report: RTP timestamp `rtp` was captured at `capture` (ns on
 * the NTP axis). Keeps the earliest capture time recent reports give for
 * one timestamp (a sender that stamps reports when it sends them, not when
 * it captured, is late by its send delay, never early). */
static void rtk_track_report(rtk_pipeline_track *t, uint32_t rtp, int64_t capture, int64_t now)
{
	if (!t->has_sr) {
		t->sr.set = false; /* what it held belonged to other timestamps */
	} else {
		/* carry the estimate over to the new report's timestamp */
		int64_t shift = rtk_ticks_ns((int32_t)(rtp - t->sr_rtp), t->rate);
		t->sr.cur += shift;
		t->sr.prev += shift;
		if (rtk_abs64(capture - rtk_minwin_get(&t->sr)) > RTK_SYNC_JUMP_NS)
			t->sr.set = false; /* a new timestamp base or a stepped clock */
	}
	t->sr_rtp = rtp;
	rtk_minwin_add(&t->sr, capture, now, RTK_SYNC_SR_WINDOW_NS);
	t->has_sr = true;
}

/* Decides whether the participant's tracks are placed by capture time, and
 * with which offset: the largest lag of its active tracks with reports, so
 * that none of them is late (the others wait for it). It starts once every
 * active track has a report, and stays while one has (a stream added later
 * is placed by arrival until its first report). Tracks whose lags differ
 * by more than RTK_SYNC_JUMP_NS do not describe one clock: by arrival. */
void rtk_pipeline_resync(rtk_pipeline *p, rtk_pipeline_participant *part)
{
	bool all = true, any = false;
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	for (int s = 0; s < 2; s++) {
		for (int k = 0; k < 2; k++) {
			const rtk_pipeline_track *t = &part->sources[s].tracks[k];
			if (!rtk_track_active(p, t))
				continue;
			if (!t->has_sr) {
				all = false;
				continue;
			}
			int64_t lag = rtk_track_lag(t);
			lo = lag < lo ? lag : lo;
			hi = lag > hi ? lag : hi;
			any = true;
		}
	}
	bool synced = any && hi - lo <= RTK_SYNC_JUMP_NS && (part->synced || all);
	if (synced && (!part->synced || rtk_abs64(hi - part->offset) > RTK_SYNC_HYSTERESIS_NS)) {
		part->offset = hi;
		p->clusters_dirty = true;
	}
	if (synced != part->synced)
		p->clusters_dirty = true;
	part->synced = synced;
}

/* Participants whose offsets lie within RTK_SYNC_SPREAD_NS of each other
 * share the largest of them, so they line up with each other (their
 * senders' clocks agree); the window holding the most participants wins,
 * and the others keep their own offsets (a sender whose clock is off). */
static void rtk_pipeline_cluster(rtk_pipeline *p)
{
	int best = 0;
	int64_t lo = 0, top = 0;
	p->clusters_dirty = false;
	for (rtk_pipeline_participant *a = p->participants; a != NULL; a = a->next) {
		if (!a->synced)
			continue;
		int n = 0;
		int64_t max = a->offset;
		for (rtk_pipeline_participant *b = p->participants; b != NULL; b = b->next) {
			if (b->synced && b->offset >= a->offset && b->offset - a->offset <= RTK_SYNC_SPREAD_NS) {
				n++;
				max = b->offset > max ? b->offset : max;
			}
		}
		if (n > best) {
			best = n;
			lo = a->offset;
			top = max;
		}
	}
	for (rtk_pipeline_participant *a = p->participants; a != NULL; a = a->next) {
		bool member = a->synced && a->offset >= lo && a->offset - lo <= RTK_SYNC_SPREAD_NS;
		a->effective = member ? top : a->offset;
	}
}

/* Where the frame of `t` with timestamp `ts` plays (wall ns): at its
 * capture time plus the participant's offset once synced, else at its
 * media time plus the track's arrival offset; plus the delay. */
int64_t rtk_pipeline_place(rtk_pipeline *p, const rtk_pipeline_participant *part,
	const rtk_pipeline_track *t, int64_t ts)
{
	if (p->clusters_dirty)
		rtk_pipeline_cluster(p);
	if (part->synced && t->has_sr)
		return rtk_track_capture(t, ts) + part->effective + p->delay;
	return rtk_track_media(t, ts) + t->offset + p->delay;
}

int rtk_pipeline_sync(rtk_pipeline *p, const char *id, rtk_source source, bool audio, uint32_t rtp_ts,
	uint64_t ntp)
{
	rtk_pipeline_participant *part = rtk_pipeline_find(p, id);
	if (part == NULL || (source != RTK_SOURCE_CAMERA && source != RTK_SOURCE_SCREEN))
		return -1;
	rtk_pipeline_track *t = &part->sources[source].tracks[audio ? RTK_TRACK_AUDIO : RTK_TRACK_VIDEO];
	t->rate = audio ? RTK_MIXER_RATE : 90000;
	rtk_track_report(t, rtp_ts, rtk_pipeline_ntp_ns(p, ntp), p->wall);
	rtk_pipeline_resync(p, part);
	return 0;
}

