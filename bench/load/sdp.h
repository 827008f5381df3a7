/*
 * sdp.h - the SDP a load client reads and writes (sdp.c; part of rtk-load, load.h). GLib only:
 * tests/fuzz/fuzz_load_sdp.c builds it alone. Every string returned is the caller's to g_free.
 */
#ifndef RTK_LOAD_SDP_H
#define RTK_LOAD_SDP_H

#include <glib.h>

#define LC_VP8_PT 96
#define LC_OPUS_PT 111
/* the header extension id of the audio level (RFC 6464) in the publishers' offers and packets */
#define LC_AUDIO_LEVEL_EXT 1

/* An answer to a subscriber offer: every m-line received (recvonly; inactive stays inactive),
 * BUNDLEd, our ICE lines and fingerprint. */
char *lc_sdp_answer(const char *offer, const char *ice_lines, const char *fingerprint);
/* A publisher offer: Opus and VP8 with an SSRC simulcast group of `layers` (1 to 3) SSRCs;
 * without `audio` the Opus m-line is inactive (mid 0 kept: the video stays mid 1). */
char *lc_sdp_offer(guint32 audio_ssrc, const guint32 *video_ssrc, guint layers, const char *ice_lines,
	const char *fingerprint, gboolean audio);
/* The value of the first `a=NAME:` line, or NULL. */
char *lc_sdp_attribute(const char *sdp, const char *name);

#endif
