/*
 * companion.h - the main loop of a companion process: rtk-recorder (a
 * composite file) and rtk-hls (LL-HLS CMAF parts) are both this loop with a
 * different output (design.md section 2, docs/companions.md).
 *
 * Owns: the UDP socket the plugin forwards plain RTP to (and, on the same
 * socket, the streams' RTCP sender reports: packets whose second byte is
 * 200..204 are RTCP, RFC 5761), one depacketizer per announced SSRC, the
 * pipeline (pipeline.h), the control pipe (stdin commands, stdout events;
 * control.h) and the output clock (CLOCK_MONOTONIC). Single-threaded:
 * poll() on stdin and the socket.
 *
 * Life: binds the socket, opens the output, prints {"event":"ready",
 * "rtp_port":N}; forwards RTP to the pipeline as commands map SSRCs to
 * participants, and each sender report of an announced SSRC as that
 * stream's timestamp -> wall clock mapping (rtk_pipeline_sync, lip sync); prints {"event":"started"} when the first output frame is
 * written, {"event":"progress","output_s":S} every second,
 * {"event":"keyframe","ssrc":N} when a stream needs one (at most every
 * 500 ms per stream) and, for rtk-hls, {"event":"part",...} and
 * {"event":"segment",...} as files appear. On "stop", stdin EOF, SIGTERM
 * or SIGINT it finishes the output, prints {"event":"stopped","output_s":S,
 * "bytes":B} and returns 0. On a fatal error it prints {"event":"error",
 * "message":M} and returns 1 (the output keeps what was written).
 *
 * Shared (--shared, encode once): the pipeline's output is a shared
 * encoder (output.h) and the outputs are its sinks, named by the plugin:
 * the first from the command line, more with add_output, each finished by
 * remove_output (its own "stopped") and paused on its own; "started",
 * "progress", "part", "segment", "paused", "resumed", "stopped" and a
 * failed output's "error" carry "output":NAME. The process finishes when
 * its last output has (or on stop, EOF, a signal: every output then).
 */
#ifndef RTK_COMPANION_H
#define RTK_COMPANION_H

#include "pipeline.h"

typedef struct rtk_companion_options {
	rtk_pipeline_config pipeline;   /* output; on_cmaf is set by the loop */
	const char *rtp_address;        /* IPv4 address to bind; NULL: 127.0.0.1 */
	int rtp_port;                   /* 0: any free port (announced in "ready") */
	const char *output_name;        /* --shared: the first output's name (--output-name; points into argv) */
	/* --rendition WxH:DIR (cmaf): pipeline.renditions points here */
	rtk_pipeline_rendition renditions[RTK_PIPELINE_RENDITIONS_MAX];
} rtk_companion_options;

/* Runs until stopped; returns the process exit status (0 or 1). */
int rtk_companion_run(const rtk_companion_options *options);

/* Parses the command line shared by both companions into `options`:
 *   --output PATH --width W --height H --fps F --rtp-address A --rtp-port P
 *   --part-ms MS --segment-ms MS (rtk-hls)
 *   --shared --output-name NAME (encode once: a shared encoder whose first
 *   output, NAME, is --output in --format mp4 (rtk-recorder) or cmaf
 *   (rtk-hls); more come and go with add_output / remove_output, and the
 *   process ends when its last output has; no renditions, push or watermark)
 *   --rendition WxH:DIR (rtk-hls, repeatable: one more rendition of the
 *   composite, its CMAF files in DIR, an existing directory; its part and
 *   segment events carry "rendition": 1, 2, ... in the order given)
 *   --layout GRID|ACTIVE_SPEAKER|PRESENTATION (the composite's layout at
 *   the start; the "layout" command changes it, "speaker" names the
 *   active speaker)
 * Returns 0, or -1 after printing usage to stderr. */
int rtk_companion_parse_args(int argc, char **argv, rtk_companion_options *options);

#endif
