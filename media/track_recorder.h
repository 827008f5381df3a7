/*
 * track_recorder.h - per-track recordings: `rtk-recorder --tracks DIR`
 * (docs/companions.md, "Per-track recordings"). Each announced stream
 * (a participant's microphone, camera or screenshare) is written as it
 * arrives, without decoding or encoding, into its own file in DIR: the
 * depacketized frames (depack.h) remuxed by libavformat, VP8 and Opus
 * into WebM, H.264 into fragmented MP4. The plugin names every file in
 * the stream's "stream" command ("file", control.h), so it knows what it
 * will list without asking.
 *
 * Owns: the UDP socket (plain RTP from the plugin, as rtk-recorder's),
 * the control pipe (commands in, events out: the same ones as the
 * composite companion where they apply), one depacketizer and one muxer
 * per stream, and the pause clock. A stream's file opens with its first
 * frame (video: its first keyframe, which also gives the picture size)
 * and is finished on "unstream", on "remove" of its participant, and on
 * "stop". Every file starts at time 0; a pause leaves no gap in any file
 * (time stops, as in a composite recording), and video restarts there on
 * a keyframe. Single-threaded, like companion.c (which it does not reuse:
 * that loop is built around the composite pipeline, and nothing here
 * decodes).
 *
 * A stream whose file cannot be written (its muxer refuses it) is dropped
 * with {"event":"track_failed","ssrc":N,"message":M}; the others go on.
 */
#ifndef RTK_TRACK_RECORDER_H
#define RTK_TRACK_RECORDER_H

#include <stddef.h>
#include <stdint.h>

/* `rtk-recorder --tracks DIR [--rtp-address A] [--rtp-port P]`: runs until
 * stopped; returns the exit status (0 stopped cleanly, 1 a fatal error,
 * 2 bad arguments). */
int rtk_track_recorder_main(int argc, char **argv);

/* The samples (at 48 kHz) an Opus packet holds, from its TOC byte
 * (RFC 6716 3.1); 960 (20 ms) for a packet too short to say. */
int rtk_track_opus_samples(const uint8_t *data, size_t size);

/* The picture size of a VP8 keyframe (RFC 6386 9.1): 0, or -1 when
 * `data` is not a keyframe with a valid start code. */
int rtk_track_vp8_size(const uint8_t *data, size_t size, int *width, int *height);

/* The SPS and PPS NAL units of an H.264 Annex B access unit, copied in
 * Annex B (start codes included) into `out` (NEW, av_malloc'd, padded for
 * libavcodec) with *out_size; -1 (nothing allocated) when it has none. */
int rtk_track_h264_parameter_sets(const uint8_t *data, size_t size, uint8_t **out, size_t *out_size);

#endif
