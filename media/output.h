/*
 * output.h - encoders and muxer of a composite recording or livestream:
 * H.264 + AAC in fragmented MP4, VP8 + Opus in WebM, H.264 + AAC as
 * LL-HLS CMAF files in a directory (design.md section 4.4), or the mixed
 * audio alone: AAC in fragmented MP4 (.m4a, fragments of 1 s) or MP3.
 *
 * Owns: the AVFormatContext and its file (or, for CMAF, its in-memory
 * AVIOContext and the part/segment buffers), the two AVCodecContexts, one
 * reusable AVPacket, and one reusable audio AVFrame that collects mixed
 * samples until an encoder frame is full (1024 for AAC, 960 for Opus).
 *
 * Encoder settings (stated so the benchmark can give ffmpeg the same):
 *   H.264: libx264 -preset veryfast -tune zerolatency -crf 23
 *          -g 2*fps -pix_fmt yuv420p (no B-frames); CMAF adds
 *          -forced-idr 1, forces an IDR at every segment boundary and
 *          raises -g to segment frames + 1 when that is more (a backstop
 *          that never lands on a forced IDR)
 *   VP8:   libvpx -deadline realtime -cpu-used 8 -b:v (0.1 bit/pixel/frame,
 *          e.g. 2.3 Mb/s at 1280x720x25) -g 2*fps -lag-in-frames 0
 *   AAC:   native aac 128 kb/s, 48 kHz stereo
 *   Opus:  libopus 96 kb/s, 48 kHz stereo, 20 ms frames
 * Crash safety: MP4 is written with movflags
 * frag_keyframe+empty_moov+default_base_moof and frag_duration 1 s, WebM
 * with cluster_time_limit 1 s; both flush after every fragment/cluster, so
 * a recorder killed with SIGKILL leaves a file playable up to the last
 * second or so. CMAF files appear whole or not at all (below).
 *
 * FLV (RTK_OUTPUT_FLV_H264_AAC): the same H.264 and AAC settings as MP4,
 * muxed as FLV and written to `path` through libavformat's protocols (its
 * native rtmp/rtmps client: an RTMP push). Connecting must succeed within
 * 10 s and every later write within 10 s (rw_timeout), else the open or
 * the write fails; error texts never repeat the URL (it holds the key).
 *
 * Timestamps: video frame k has pts k in 1/fps; audio sample n has pts n in
 * 1/48000. The caller (the pipeline) numbers output time, so a paused
 * recording simply stops calling and resumes without a gap.
 *
 * CMAF (RTK_OUTPUT_CMAF_H264_AAC, for LL-HLS): `path` is an existing
 * directory; this module writes into it
 *   init.mp4          ftyp + moov (empty, with mvex), once, at open;
 *   seg<M>.<P>.m4s    part P (from 0) of segment M (from 0): one fMP4
 *                     fragment (one moof + one mdat, both tracks);
 *   seg<M>.m4s        segment M: the bytes of its parts, concatenated,
 *                     written when its last part is.
 * so `cat init.mp4 seg0.m4s seg1.m4s ...` (or init.mp4 followed by parts in
 * order) is one valid fragmented MP4; baseMediaDecodeTimes continue across
 * files. Cuts follow video frames: a part is part_frames =
 * round(part_ms * fps / 1000) frames (at least 1, at most 500 ms, so fps
 * must be >= 2), a segment segment_frames = round(segment_ms * fps / 1000)
 * frames (at least one part); every part of a segment but its last has
 * exactly part_frames. Each segment starts with an IDR forced on its first
 * frame (x264's -g is only a backstop), so its first part is INDEPENDENT.
 * A part holds its video frames and every audio packet that starts before
 * its last frame ends, so audio and video cover the same span (a player
 * whose audio buffer ends short of the part stalls). The AAC encoder
 * returns each frame about 1024 samples late, so the cut waits for the
 * first audio packet that starts at or after the part's end: it is made,
 * written and announced inside the rtk_output_write_audio() call (or the
 * rtk_output_write_video() call, when audio stopped coming for a whole
 * part) that brings that packet, 50 to 100 ms of output time after the
 * part's last frame; video frames encoded meanwhile wait for the next
 * part. AAC's priming packet (before
 * time 0) is dropped, as an empty moov cannot carry an edit list: audio
 * and video both start at 0, in sync. Each file is written under a
 * temporary name (".<name>.tmp") and rename()d into place before the
 * callback hears of it, so a reader never sees a partial file. This
 * module never deletes files: expiring old parts and segments is up to
 * whoever owns the playlist. rtk_output_finish() cuts the last (possibly short)
 * part and segment.
 *
 * Ownership: rtk_output_write_video() borrows the picture (and sets its
 * pts and pict_type); the encoder is drained before it returns, so the
 * caller may overwrite the picture right after (an encoder that still
 * holds a reference makes the compositor copy, never corrupts a frame).
 * rtk_output_write_audio() copies the samples. rtk_output_open_cmaf()
 * copies the directory name and the options; `opaque` stays the caller's.
 * A CMAF event, and its `name`, is valid for the callback only. After an
 * error from a write (e.g. a full disk) the output is only fit for
 * rtk_output_finish() / rtk_output_free(). Threading:
 * none (x264 and libvpx run their own threads inside); callbacks run on the
 * caller's thread, inside rtk_output_write_video() / rtk_output_finish(),
 * and must not call back into this output.
 */
#ifndef RTK_OUTPUT_H
#define RTK_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libavutil/frame.h>

typedef enum rtk_output_format {
	RTK_OUTPUT_MP4_H264_AAC = 0,   /* fragmented MP4 */
	RTK_OUTPUT_WEBM_VP8_OPUS,
	RTK_OUTPUT_CMAF_H264_AAC,      /* LL-HLS CMAF files in a directory */
	RTK_OUTPUT_M4A_AAC,            /* audio only: AAC in fragmented MP4 (.m4a) */
	RTK_OUTPUT_MP3,                /* audio only: MP3 (libmp3lame 128 kb/s stereo, 64 mono) */
	RTK_OUTPUT_FLV_H264_AAC,       /* H.264 + AAC in FLV, `path` an rtmp:// or rtmps:// URL (a push) */
	RTK_OUTPUT_SHARED_H264_AAC     /* encoders only, no file: their packets feed sinks (encode once) */
} rtk_output_format;

typedef struct rtk_output rtk_output;

/* ---- CMAF (LL-HLS) ---- */

typedef enum rtk_cmaf_kind {
	RTK_CMAF_PART = 0,          /* seg<msn>.<part>.m4s is in place */
	RTK_CMAF_SEGMENT            /* seg<msn>.m4s is in place (after its last part) */
} rtk_cmaf_kind;

typedef struct rtk_cmaf_event {
	rtk_cmaf_kind kind;
	int64_t msn;                /* media sequence number: segments from 0 */
	int part;                   /* PART: index in the segment from 0; SEGMENT: how many parts */
	double duration_s;          /* video frames / fps; a segment's is the sum of its parts' */
	bool independent;           /* starts with a keyframe (a SEGMENT: its first part's, always true) */
	const char *name;           /* file name inside the directory, e.g. "seg3.2.m4s" */
	size_t size;                /* bytes of that file */
} rtk_cmaf_event;

typedef void (*rtk_cmaf_callback)(void *opaque, const rtk_cmaf_event *ev);

#define RTK_CMAF_DEFAULT_PART_MS 200
#define RTK_CMAF_DEFAULT_SEGMENT_MS 2000
#define RTK_CMAF_MAX_PART_MS 500

typedef struct rtk_cmaf_options {
	int part_ms;                /* 0: 200; cut to at most 500 */
	int segment_ms;             /* 0: 2000; at most 60000 */
	rtk_cmaf_callback on_cmaf;  /* may be NULL */
	void *opaque;               /* passed to on_cmaf */
} rtk_cmaf_options;

/* Opens `path` and writes the header. width and height must be even,
 * 2..1920 (callers round); fps 1..60. On failure returns NULL and writes a
 * reason into err. RTK_OUTPUT_CMAF_H264_AAC here means default options and
 * no callback. */
rtk_output *rtk_output_open(const char *path, rtk_output_format format, int width, int height,
	int fps, char *err, size_t errlen);

/* The same with `channels` (1 or 2) of audio: 1 encodes the mean of the
 * mixed stereo (at half the bit rate). The audio-only formats
 * (RTK_OUTPUT_M4A_AAC, RTK_OUTPUT_MP3) still take a valid picture size and
 * fps, and rtk_output_write_video() returns 0 without encoding. */
rtk_output *rtk_output_open_channels(const char *path, rtk_output_format format, int width, int height,
	int fps, int channels, char *err, size_t errlen);

/* Opens a CMAF output in the existing directory `dir` and writes init.mp4
 * there. `options` is copied (NULL: defaults, no callback); fps 2..60. */
rtk_output *rtk_output_open_cmaf(const char *dir, int width, int height, int fps,
	const rtk_cmaf_options *options, char *err, size_t errlen);

/* The part and segment durations a CMAF output aims at (every part but a
 * segment's last is exactly *part_s; for EXT-X-PART-INF and
 * EXT-X-TARGETDURATION). Returns 0, or -1 when `out` is not CMAF. */
int rtk_output_cmaf_targets(const rtk_output *out, double *part_s, double *segment_s);

/* Encodes `picture` (YUV420P of the output size) as video frame `index`
 * (pts in 1/fps) and muxes what the encoder returns; for CMAF, cuts and
 * announces the part (and segment) this frame completes. */
int rtk_output_write_video(rtk_output *out, AVFrame *picture, int64_t index);

/* Appends `count` interleaved stereo float samples (48 kHz) to the audio
 * track, encoding each full encoder frame. */
int rtk_output_write_audio(rtk_output *out, const float *samples, size_t count);

/* Flushes encoders (the last partial audio frame too) and writes the
 * trailer (CMAF: cuts and announces the last part and segment). The file
 * is complete after this; later writes fail. */
int rtk_output_finish(rtk_output *out);

/* ---- encode once: one encoder, several files ----
 *
 * A shared encoder (rtk_output_open_shared) is H.264 + AAC (stereo) with
 * the settings of CMAF above, and no file of its own: every packet it makes
 * goes to each of its sinks (at most RTK_OUTPUT_SINKS_MAX), outputs opened
 * on it with rtk_output_sink_open() that mux without encoding: fragmented
 * MP4 (as RTK_OUTPUT_MP4_H264_AAC), CMAF (as rtk_output_open_cmaf) or an
 * FLV push. The caller writes pictures and samples to the shared encoder
 * as to any output; sinks come and go meanwhile.
 *
 * IDRs: the encoder forces them on the CMAF cadence (every segment_frames
 * of `cadence`, counted from the frame the last CMAF sink was attached at,
 * so that sink's segments each start with one) and on the first frame of
 * any other sink, or after its resume; x264's own -g (segment frames + 1)
 * never fires. A CMAF sink must have the encoder's segment length.
 *
 * A sink's time: it gets the packets of the frames from the next one
 * written after it opened (its time 0) on, and, while paused
 * (rtk_output_sink_pause: MP4 and FLV sinks only), none: its timestamps
 * continue after a pause without a gap, as a paused pipeline's do. Audio
 * is cut to the same frames (to a packet of 1024 samples, 21 ms). A
 * sink's write error is its own (rtk_output_sink_error): it gets nothing
 * more, the encoder and the other sinks go on. rtk_output_finish() on a
 * sink ends its file where its packets end (CMAF: the last part and
 * segment) and detaches it; on the encoder, it flushes the encoders into
 * the sinks still attached, which the caller finishes after. Ownership:
 * the caller frees sinks and encoder (either first: a sink freed detaches,
 * an encoder freed leaves its sinks detached); a sink borrows the encoder's
 * codec contexts, so its encoder must live until it is finished. */
#define RTK_OUTPUT_SINKS_MAX 8

/* The shared encoder: width, height even 2..1920, fps 2..60; `cadence`
 * NULL or the CMAF options whose segment_ms sets the IDR cadence. */
rtk_output *rtk_output_open_shared(int width, int height, int fps, const rtk_cmaf_options *cadence, char *err,
	size_t errlen);
/* A sink of `shared`: RTK_OUTPUT_MP4_H264_AAC (`path` a file),
 * RTK_OUTPUT_CMAF_H264_AAC (`path` a directory, `cmaf` its options) or
 * RTK_OUTPUT_FLV_H264_AAC (an rtmp:// URL). NULL with a reason in err. */
rtk_output *rtk_output_sink_open(rtk_output *shared, rtk_output_format format, const char *path,
	const rtk_cmaf_options *cmaf, char *err, size_t errlen);
/* Pauses or resumes a sink (idempotent). Returns 0, or -1 for a CMAF sink
 * or one no longer attached. */
int rtk_output_sink_pause(rtk_output *sink, bool paused);
/* Video frames the sink has written (its output time * fps). */
int64_t rtk_output_sink_frames(const rtk_output *sink);
/* 0, or the negative AVERROR its first failed write gave. */
int rtk_output_sink_error(const rtk_output *sink);

/* Closes the file (without a trailer if rtk_output_finish() was not called:
 * the fragments written so far stay playable) and frees everything. */
void rtk_output_free(rtk_output *out);

#endif
