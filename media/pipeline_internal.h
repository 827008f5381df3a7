/*
 * pipeline_internal.h - what pipeline.c and avsync.c share: the pipeline's
 * structures and the lip-sync entry points. Not a public interface (see
 * pipeline.h); nothing else includes it.
 */
#ifndef RTK_PIPELINE_INTERNAL_H
#define RTK_PIPELINE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <libavutil/frame.h>

#include "compositor.h"
#include "decode.h"
#include "mixer.h"
#include "pipeline.h"
#include "watermark.h"

#define RTK_NS 1000000000LL
#define RTK_MS 1000000LL

/* Lip sync (pipeline.h explains the model). */
#define RTK_SYNC_WINDOW_NS (2 * RTK_NS)        /* arrival minima: over the last 2 to 4 s */
#define RTK_SYNC_SR_WINDOW_NS (10 * RTK_NS)    /* report minima: over the last 10 to 20 s */
#define RTK_SYNC_HYSTERESIS_NS (30 * RTK_MS)   /* an offset moves when its estimate is this far */
#define RTK_SYNC_JUMP_NS RTK_NS                /* a timestamp or report this far off restarts */
#define RTK_SYNC_SPREAD_NS (500 * RTK_MS)      /* participants this close share one offset */
#define RTK_SYNC_IDLE_NS (2 * RTK_NS)          /* a track without frames this long is left out */
#define RTK_SYNC_SNAP (10 * RTK_MIXER_RATE / 1000) /* audio this close to continuous stays so */
#define RTK_QUEUE_MAX 64                       /* pictures queued per source, */
#define RTK_QUEUE_NS RTK_NS                    /* spanning at most one second */

/* The smallest sample of the current window and of the previous one, so
 * over the last one to two windows: follows slow drift both ways and
 * ignores samples that came late. */
typedef struct rtk_minwin {
	bool set;
	int64_t cur, prev;
	int64_t cur_end;            /* wall ns when `cur` becomes `prev` */
} rtk_minwin;

/* Timing of one RTP stream of a source (its audio or its video). */
typedef struct rtk_pipeline_track {
	int rate;                   /* RTP clock: 48000 (Opus) or 90000 (video) */
	bool started;               /* a frame came: the fields below are set */
	int64_t ts_first, ts_last;  /* extended RTP timestamps: media time 0, and latest */
	int64_t last_arrival;       /* wall ns of the latest frame */
	rtk_minwin skew;            /* arrival - media time (ns) */
	int64_t offset;             /* by arrival: placed at media time + offset */
	bool has_sr;                /* a sender report maps the timestamps to capture time */
	uint32_t sr_rtp;            /* the latest report's RTP timestamp */
	rtk_minwin sr;              /* capture time of sr_rtp (ns on the NTP axis) */
	bool placed;                /* audio: the previous frame's end is known */
	int64_t next_pos, next_ts;  /* audio: where (samples) and at which timestamp it ended */
} rtk_pipeline_track;

enum { RTK_TRACK_AUDIO = 0, RTK_TRACK_VIDEO = 1 };

/* A decoded picture waiting for its time (wall ns). */
typedef struct rtk_pipeline_queued {
	AVFrame *frame;             /* allocated on first use, then reused */
	int64_t at;
} rtk_pipeline_queued;

/* What one source of a participant (camera or screen) holds. */
typedef struct rtk_pipeline_source {
	rtk_decoder *video, *audio;
	AVFrame *picture;           /* shown: the last picture due; NULL or empty until one */
	rtk_pipeline_queued queue[RTK_QUEUE_MAX]; /* a ring: pictures not due yet */
	int head, queued;
	rtk_mixer_input *mix;       /* created with the source's first audio */
	rtk_pipeline_track tracks[2]; /* RTK_TRACK_AUDIO, RTK_TRACK_VIDEO */
} rtk_pipeline_source;

typedef struct rtk_pipeline_participant {
	struct rtk_pipeline_participant *next;
	char *id, *name;
	rtk_pipeline_source sources[2]; /* indexed by rtk_source */
	bool synced;                /* tracks with reports are placed by capture time */
	int64_t offset;             /* its own capture time -> wall clock offset */
	int64_t effective;          /* the offset used: its cluster's, or its own */
	uint64_t featured_seq;      /* when it was last featured (rtk_pipeline.featured_count); 0: never */
} rtk_pipeline_participant;

/* One more rendition of the composite (rtk_pipeline_config.renditions). */
typedef struct rtk_pipeline_scaled {
	rtk_output *output;
	struct SwsContext *scaler;  /* canvas size -> this size */
	AVFrame *frame;             /* the scaled composite, reused */
} rtk_pipeline_scaled;

struct rtk_pipeline {
	rtk_output *output;
	rtk_watermark *watermark;   /* NULL, or laid over every composite */
	rtk_output *push;           /* NULL, or the RTMP push (FLV) fed the same frames and samples */
	bool push_failed;           /* a write to `push` failed (the server went away or stalled 10 s) */
	int n_scaled;
	rtk_pipeline_scaled scaled[RTK_PIPELINE_RENDITIONS_MAX];
	rtk_compositor *compositor;
	rtk_mixer *mixer;
	int width, height, fps;
	bool audio_only;            /* M4A or MP3: the composite is not drawn */
	bool shared;                /* `output` is a shared encoder (config.shared) */
	int64_t delay;              /* audio_delay_ms, in ns */
	rtk_pipeline_participant *participants; /* join order */
	rtk_pipeline_participant *screen_owner; /* NULL: no screenshare */
	AVFrame *decoded;           /* reused for every decoder output */
	/* the layout (pipeline.h, Layout): who is named, who is featured */
	rtk_layout layout;
	rtk_pipeline_participant *speaker;   /* the last named active speaker; NULL: none (or gone) */
	rtk_pipeline_participant *featured;  /* ACTIVE_SPEAKER's main camera; NULL: none yet (or gone) */
	bool featured_named;        /* `featured` was named (so the hold applies to a change) */
	int64_t featured_at;        /* wall ns it became featured */
	uint64_t featured_count;    /* switches so far: participants' featured_seq */
	rtk_pipeline_participant *order[RTK_COMPOSITOR_MAX_TILES]; /* the cameras of one composite */
	rtk_layout_tile tiles[RTK_LAYOUT_TILES_MAX];

	bool ntp_set;               /* ntp_ref is the first report's NTP time */
	uint64_t ntp_ref;           /* capture times are ns since this */
	bool clusters_dirty;        /* an offset changed: recompute `effective` */

	bool started, paused, finished;
	int64_t t0, wall;           /* first tick; last wall time (ns since t0) */
	int64_t pause_start, paused_total;
	rtk_pipeline_stats stats;
};

/* The participant with that id, or NULL (pipeline.c). */
rtk_pipeline_participant *rtk_pipeline_find(rtk_pipeline *p, const char *id);

/* ---- lip sync (avsync.c) ---- */

int64_t rtk_abs64(int64_t v);
/* A frame with RTP timestamp `ts` of `t` arrived at `now` (wall ns). */
void rtk_track_arrive(const rtk_pipeline_participant *part, rtk_pipeline_track *t, int64_t ts, int64_t now);
/* Re-derives the participant's offset after its tracks' statistics moved. */
void rtk_pipeline_resync(rtk_pipeline *p, rtk_pipeline_participant *part);
/* The wall time (ns) at which the frame of `t` with timestamp `ts` is due. */
int64_t rtk_pipeline_place(rtk_pipeline *p, const rtk_pipeline_participant *part,
	const rtk_pipeline_track *t, int64_t ts);

#endif
