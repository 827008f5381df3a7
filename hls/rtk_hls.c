/*
 * rtk_hls.c - the rtk-hls companion: the composite of a meeting as LL-HLS
 * CMAF files (init.mp4, parts, segments) in one directory, each announced
 * on stdout as it appears so the gateway can serve blocking playlist
 * reloads (hls.h). Same loop and control pipe as rtk-recorder
 * (companion.h, docs/companions.md).
 *
 * The LL-HLS parts, all reachable from here:
 *   hls/rtk_hls.c              this companion (its own process);
 *   media/output.c, output.h   the CMAF muxer it runs (RTK_OUTPUT_CMAF_H264_AAC:
 *                              init.mp4, parts, segments), in the shared media
 *                              library;
 *   hls/hls.c, hls.h           the live playlists and blocking playlist
 *                              reloads, compiled into the gateway;
 *   hls/hls_http.c, hls_http.h serving /hls/ over libmicrohttpd, in the gateway.
 * The plugin starts this companion and announces its files to hls.h
 * (plugin/capture.c, plugin/companion_events.c).
 */
#include <string.h>
#include "companion.h"

int main(int argc, char **argv)
{
	rtk_companion_options options;
	memset(&options, 0, sizeof options);
	options.pipeline.audio_delay_ms = 100;
	if (rtk_companion_parse_args(argc, argv, &options) != 0)
		return 2;
	options.pipeline.format = RTK_OUTPUT_CMAF_H264_AAC;
	return rtk_companion_run(&options);
}
