/*
 * rtk_recorder.c - the rtk-recorder companion: one composite recording of a
 * meeting to MP4 (H.264 + AAC) or WebM (VP8 + Opus), fed by the plugin with
 * plain RTP and driven over its control pipe (companion.h,
 * docs/companions.md). One process per recording, so a codec crash never
 * reaches the SFU. With --tracks DIR it is a per-track recording instead:
 * every stream remuxed into its own file (track_recorder.h).
 */
#include <string.h>
#include "companion.h"
#include "track_recorder.h"

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--tracks") == 0)
			return rtk_track_recorder_main(argc, argv);
	rtk_companion_options options;
	memset(&options, 0, sizeof options);
	options.pipeline.format = RTK_OUTPUT_MP4_H264_AAC;
	options.pipeline.audio_delay_ms = 200;
	if (rtk_companion_parse_args(argc, argv, &options) != 0)
		return 2;
	if (options.pipeline.format == RTK_OUTPUT_CMAF_H264_AAC)
		return 2;   /* that is rtk-hls's job */
	return rtk_companion_run(&options);
}
