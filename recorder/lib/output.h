/*
 * output.h - encoders and muxer of a composite recording: H.264 + AAC in
 * fragmented MP4, or VP8 + Opus in WebM (design.md section 4.4).
 *
 * Owns: the AVFormatContext and its file, the two AVCodecContexts, one
 * reusable AVPacket, and one reusable audio AVFrame that collects mixed
 * samples until an encoder frame is full (1024 for AAC, 960 for Opus).
 *
 * Encoder settings (stated so the benchmark can give ffmpeg the same):
 *   H.264: libx264 -preset veryfast -tune zerolatency -crf 23
 *          -g 2*fps -pix_fmt yuv420p (no B-frames)
 *   VP8:   libvpx -deadline realtime -cpu-used 8 -b:v (0.1 bit/pixel/frame,
 *          e.g. 2.3 Mb/s at 1280x720x25) -g 2*fps -lag-in-frames 0
 *   AAC:   native aac 128 kb/s, 48 kHz stereo
 *   Opus:  libopus 96 kb/s, 48 kHz stereo, 20 ms frames
 * Crash safety: MP4 is written with movflags
 * frag_keyframe+empty_moov+default_base_moof and frag_duration 1 s, WebM
 * with cluster_time_limit 1 s; both flush after every fragment/cluster, so
 * a recorder killed with SIGKILL leaves a file playable up to the last
 * second or so.
 *
 * Timestamps: video frame k has pts k in 1/fps; audio sample n has pts n in
 * 1/48000. The caller (the pipeline) numbers output time, so a paused
 * recording simply stops calling and resumes without a gap.
 *
 * Ownership: rtk_output_write_video() borrows the picture (and sets its
 * pts); the encoder is drained before it returns, so the caller may
 * overwrite the picture right after (an encoder that still holds a
 * reference makes the compositor copy, never corrupts a frame). rtk_output_write_audio() copies the samples. Threading: none (x264
 * and libvpx run their own threads inside).
 */
#ifndef RTK_OUTPUT_H
#define RTK_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <libavutil/frame.h>

typedef enum rtk_output_format {
	RTK_OUTPUT_MP4_H264_AAC = 0,   /* fragmented MP4 */
	RTK_OUTPUT_WEBM_VP8_OPUS
} rtk_output_format;

typedef struct rtk_output rtk_output;

/* Opens `path` and writes the header. width and height must be even,
 * 2..1920 (callers round); fps 1..60. On failure returns NULL and writes a
 * reason into err. */
rtk_output *rtk_output_open(const char *path, rtk_output_format format, int width, int height,
	int fps, char *err, size_t errlen);

/* Encodes `picture` (YUV420P of the output size) as video frame `index`
 * (pts in 1/fps) and muxes what the encoder returns. */
int rtk_output_write_video(rtk_output *out, AVFrame *picture, int64_t index);

/* Appends `count` interleaved stereo float samples (48 kHz) to the audio
 * track, encoding each full encoder frame. */
int rtk_output_write_audio(rtk_output *out, const float *samples, size_t count);

/* Flushes encoders (the last partial audio frame too) and writes the
 * trailer. The file is complete after this; later writes fail. */
int rtk_output_finish(rtk_output *out);

/* Closes the file (without a trailer if rtk_output_finish() was not called:
 * the fragments written so far stay playable) and frees everything. */
void rtk_output_free(rtk_output *out);

#endif
