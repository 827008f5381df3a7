/*
 * pipeline.h - one composite recording (or livestream rendition): the
 * participants on stage, their decoders and last pictures, the output clock,
 * the compositor, the audio mixer and the output file. The object rtk-recorder
 * and rtk-hls drive from their control pipe and their RTP sockets
 * (design.md sections 2 and 4.4).
 *
 * The clock: output is produced by rtk_pipeline_tick(now_ns), where now_ns
 * is any monotonic clock in nanoseconds the caller chooses (the recorder
 * passes CLOCK_MONOTONIC, tests pass media time). Each tick emits every
 * video frame whose slot (k / fps) has come and the audio mixed up to now.
 * Not driven by the inputs' media time, because a meeting must keep
 * producing frames when nobody sends any (cameras off, everyone muted) and
 * inputs come from several unsynchronised senders; and not by a timer
 * inside, so tests are deterministic and one thread can drive many outputs.
 * The first tick is output time 0.
 *
 * Inputs: rtk_pipeline_push() decodes right away and places what it
 * decoded on the wall clock (the clock's position at the last tick is the
 * frame's arrival time): audio into the mixer's timeline (mixer.h), video
 * pictures into a small queue per source; an output frame shows, for each
 * source, the newest picture whose time has come (to the nearest frame
 * slot). A participant without a new picture keeps its last one; one
 * without any picture gets a placeholder tile.
 *
 * Lip sync (placement): every frame, audio and video alike, plays at
 *   its time on a common axis + an offset + `audio_delay_ms`,
 * the delay being the jitter absorbed. Per RTP stream (a "track": one
 * source's audio or video):
 * - by arrival, until the participant is synced: the time is the RTP
 *   timestamp's media time, and the offset the smallest recent arrival -
 *   media time of the track (a windowed minimum over 2 to 4 s): a frame
 *   that came with the least delay plays audio_delay_ms after it arrived.
 * - by capture time, once RTCP sender reports (rtk_pipeline_sync) map the
 *   timestamps of every active track of the participant to its sender's
 *   NTP wall clock: the time is the capture time, and the offset, shared
 *   by all the participant's tracks, the largest of their smallest recent
 *   arrival - capture times, so the latest of them is on time and the
 *   others wait for it: audio and video captured together play together.
 *   Participants whose offsets lie within 0.5 s of each other (senders
 *   with agreeing clocks) share the largest, so they line up with each
 *   other; a participant whose clock is further off keeps its own. A
 *   stream added later is placed by arrival until its first report.
 * Offsets move only when their estimate drifts by more than 30 ms; audio
 * within 10 ms of continuing the previous frame continues it (no click
 * when a report moves the estimate slightly); a timestamp more than a
 * second off its track's placement restarts the track (a new timestamp
 * base). Bounds: at most 64 pictures, spanning at most 1 s, wait per
 * source (past that the oldest is shown early), and the mixer holds 2 s
 * per input.
 *
 * Pause: while paused, ticks produce nothing and inputs are still decoded
 * and placed (so pictures are current at resume; audio due meanwhile is
 * dropped); output time stops, so the file has no gap: timestamps continue
 * where they stopped.
 *
 * Layout (layout.h): config.layout, or rtk_pipeline_set_layout() at any
 * time, from the next composed frame on (the encoders go on: one file).
 * GRID and PRESENTATION show the cameras in join order. ACTIVE_SPEAKER
 * features one camera: the participant last named by
 * rtk_pipeline_set_speaker(), or with none (never named, or gone) the
 * participant featured before, else the first in join order; the
 * thumbnails follow, the most recently featured first (then join order).
 * The hold: a newly named speaker is featured at the first frame composed
 * once the featured one has been for RTK_PIPELINE_SPEAKER_HOLD_MS of the
 * clock (at once when nobody named was featured yet, or the featured one
 * left), so a quick exchange of speakers never makes the picture flicker
 * (the plugin's detector already holds a challenger 500 ms); a name
 * repeated, or one that comes back before the hold ends, changes nothing.
 *
 * CMAF (LL-HLS): with RTK_OUTPUT_CMAF_H264_AAC the output is a directory of
 * init.mp4, parts and segments (output.h). Each tick emits the audio due
 * before the video due, so the part a video frame completes carries the
 * audio up to that tick; the part is cut and on_cmaf called inside the
 * rtk_pipeline_tick() that encodes its last frame, and rtk_pipeline_finish()
 * cuts and announces the last, possibly short, part and segment.
 *
 * Ownership: the pipeline owns everything it creates (decoders, shown and
 * queued pictures, compositor, mixer, output) and copies ids, names and
 * what it needs of the config (`opaque` stays the caller's);
 * rtk_pipeline_push() borrows the rtk_frame (the caller still frees it,
 * e.g. rtk_frame_free()). Files written stay on disk; a CMAF event is
 * valid during the callback only.
 * Threading: not thread-safe; one thread makes every call, and on_cmaf runs
 * on it, inside rtk_pipeline_tick() / rtk_pipeline_finish(), and must not
 * call back into the pipeline (the encoders run their own threads inside).
 */
#ifndef RTK_PIPELINE_H
#define RTK_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "depack.h"
#include "layout.h"
#include "output.h"

/* ACTIVE_SPEAKER: how long a featured speaker stays at least (see Layout). */
#define RTK_PIPELINE_SPEAKER_HOLD_MS 1500

typedef struct rtk_pipeline_config {
	const char *path;           /* output file; for CMAF an existing directory */
	rtk_output_format format;   /* MP4 (H.264 + AAC), WebM (VP8 + Opus), CMAF (H.264 + AAC), or audio
	                               only: M4A (AAC) or MP3 (no composite is drawn) */
	int channels;               /* audio channels written: 1 (mono) or 2; 0: 2. CMAF: always 2 */
	int width, height;          /* 1..1920, rounded down to even; 0: 1280x720 */
	int fps;                    /* 1..60 (CMAF: 2..60); 0: 25 */
	int audio_delay_ms;         /* jitter absorbed (audio and video play this late), 0..500 */
	const char *watermark_url;  /* NULL, or an http(s):// or data: PNG/JPEG laid over every picture
	                               (watermark.h): fetched when the pipeline opens, which fails without it */
	int watermark_width, watermark_height;   /* its size, 1..1920; 0: the image's own */
	int watermark_corner;       /* rtk_watermark_corner */
	rtk_layout layout;          /* GRID (0), ACTIVE_SPEAKER or PRESENTATION; see Layout above */
	const char *push_url;       /* NULL, or an rtmp:// or rtmps:// URL the same composite is also pushed to
	                               (H.264 + AAC in FLV, its own encoders; not with audio-only formats) */
	/* CMAF only (see output.h for the files and the cuts): */
	int part_ms;                /* 0: 200; at most 500 */
	int segment_ms;             /* 0: 2000 */
	rtk_cmaf_callback on_cmaf;  /* each part and segment once in place; may be NULL */
	void *opaque;               /* passed to on_cmaf */
	/* CMAF only: more renditions of the same composite (an ABR ladder).
	 * Each is the composite scaled to its size and encoded on its own into
	 * its own directory, with the output above's fps, part and segment
	 * lengths: every rendition forces its IDRs on the same frame indexes,
	 * so segment msn of every rendition starts at the same time. */
	int n_renditions;           /* 0..RTK_PIPELINE_RENDITIONS_MAX */
	const struct rtk_pipeline_rendition *renditions;
	/* Encode once: instead of `path` and `format`, a shared H.264 + AAC
	 * encoder (output.h) whose sinks the caller opens and closes
	 * (rtk_pipeline_shared); its IDR cadence is segment_ms's. No
	 * renditions, push or pause then (each sink pauses on its own). */
	bool shared;
} rtk_pipeline_config;

#define RTK_PIPELINE_RENDITIONS_MAX 7

typedef struct rtk_pipeline_rendition {
	const char *path;           /* an existing directory (copied by the output) */
	int width, height;          /* 2..1920, rounded down to even */
	rtk_cmaf_callback on_cmaf;  /* may be NULL */
	void *opaque;
} rtk_pipeline_rendition;

typedef enum rtk_source {
	RTK_SOURCE_CAMERA = 0,      /* camera video and microphone audio */
	RTK_SOURCE_SCREEN           /* screenshare video and its audio */
} rtk_source;

typedef struct rtk_pipeline_stats {
	uint64_t video_frames;      /* output frames encoded */
	uint64_t audio_samples;     /* output samples (per channel) encoded */
	int64_t output_ns;          /* output time reached */
	uint64_t frames_in, decode_errors;
	uint64_t late_frames;       /* output frames that repeated the previous picture because
	                               the ticks came late (the machine cannot keep up) */
} rtk_pipeline_stats;

typedef struct rtk_pipeline rtk_pipeline;

/* Opens the output (header written). NULL on failure with a reason in err. */
rtk_pipeline *rtk_pipeline_new(const rtk_pipeline_config *config, char *err, size_t errlen);

/* Frees everything; without rtk_pipeline_finish() the file ends at its last
 * complete fragment. */
void rtk_pipeline_free(rtk_pipeline *pipeline);

/* Participants in tile order (join order). Adding an existing id updates
 * its name. Returns 0, or -1 (unknown id, out of memory). */
int rtk_pipeline_add_participant(rtk_pipeline *pipeline, const char *id, const char *name);
int rtk_pipeline_remove_participant(rtk_pipeline *pipeline, const char *id);

/* Marks (on) or unmarks the participant's screenshare: while marked, its
 * RTK_SOURCE_SCREEN video takes the main area and cameras a strip. The last
 * one marked wins. */
int rtk_pipeline_set_screenshare(rtk_pipeline *pipeline, const char *id, bool on);

/* The active speaker is now this participant (see Layout above: featured
 * after the hold). Returns 0, or -1 for an unknown id. */
int rtk_pipeline_set_speaker(rtk_pipeline *pipeline, const char *id);

/* Composes with `layout` from the next frame on. */
void rtk_pipeline_set_layout(rtk_pipeline *pipeline, rtk_layout layout);

/* Decodes one frame from the participant's source. Returns 0 (also for a
 * frame dropped while waiting for a keyframe), -1 for an unknown id or a
 * frame that failed to decode. */
int rtk_pipeline_push(rtk_pipeline *pipeline, const char *id, rtk_source source, const rtk_frame *frame);

/* A sender report (RTCP SR, RFC 3550 6.4.1) of the participant's `source`
 * audio (`audio`) or video stream: RTP timestamp `rtp_ts` (the 32 bits on
 * the wire) was captured at `ntp` (NTP 32.32 fixed point: seconds since
 * 1900 in the high word) on the sender's wall clock. See lip sync above.
 * Returns 0, or -1 for an unknown id or source. */
int rtk_pipeline_sync(rtk_pipeline *pipeline, const char *id, rtk_source source, bool audio,
	uint32_t rtp_ts, uint64_t ntp);

/* Produces output up to `now_ns` (see the clock above). Returns 0 or a
 * negative AVERROR from the encoder or muxer. */
int rtk_pipeline_tick(rtk_pipeline *pipeline, int64_t now_ns);

/* Pause emits what is due up to now_ns, then stops output time; resume
 * starts it again at now_ns. Both are idempotent. */
int rtk_pipeline_pause(rtk_pipeline *pipeline, int64_t now_ns);
int rtk_pipeline_resume(rtk_pipeline *pipeline, int64_t now_ns);
bool rtk_pipeline_paused(const rtk_pipeline *pipeline);

/* Flushes encoders and writes the trailer (CMAF: the last part and
 * segment). Call rtk_pipeline_free() after. */
int rtk_pipeline_finish(rtk_pipeline *pipeline);

/* CMAF: the part and segment durations aimed at (rtk_output_cmaf_targets()).
 * Returns 0, or -1 for another format. */
int rtk_pipeline_cmaf_targets(const rtk_pipeline *pipeline, double *part_s, double *segment_s);

void rtk_pipeline_get_stats(const rtk_pipeline *pipeline, rtk_pipeline_stats *stats);

/* The shared encoder (config.shared), to open sinks on; NULL otherwise.
 * Borrowed: the pipeline frees it, after the caller freed its sinks. */
rtk_output *rtk_pipeline_shared(rtk_pipeline *p);

/* Whether the last failure (of rtk_pipeline_tick() or rtk_pipeline_finish())
 * was the RTMP push's (push_url): the server went away or stalled. */
bool rtk_pipeline_push_failed(const rtk_pipeline *p);

#endif
