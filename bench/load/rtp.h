/*
 * rtp.h - reading the RTP and RTCP a load client receives (rtp.c; part of rtk-load, load.h).
 * GLib only: tests/fuzz/fuzz_load_rtp.c builds it alone. Nothing is allocated.
 */
#ifndef RTK_LOAD_RTP_H
#define RTK_LOAD_RTP_H

#include <glib.h>

typedef struct lc_rtp_info {
	int pt;
	guint16 seq;
	guint32 ts, ssrc;
	int payload;          /* offset of the payload (after CSRCs and the header extension) */
	int payload_len;      /* 0 when the header claims more than the packet holds */
} lc_rtp_info;

/* Reads an RTP header (RFC 3550 5.1); FALSE when under 12 bytes or not version 2. */
gboolean lc_rtp_parse(const guint8 *buf, int len, lc_rtp_info *out);
/* Whether a VP8 payload (RFC 7741: descriptor, then the frame tag) starts a keyframe. */
gboolean lc_rtp_vp8_keyframe(const guint8 *payload, int len);
/* Calls found(ssrc, lsr, data) for every sender report of a compound RTCP packet (lsr: the middle
 * 32 bits of its NTP time, for a receiver report's LSR); stops at the first malformed length.
 * Returns how many it found. */
int lc_rtcp_sender_reports(const guint8 *buf, int len, void (*found)(guint32 ssrc, guint32 lsr, gpointer data),
	gpointer data);

/* Calls lost(media_ssrc, seq, data) for every sequence number a compound RTCP packet's generic
 * NACKs (RFC 4585 6.2.1) ask for; stops at the first malformed length. Returns how many. */
int lc_rtcp_nacks(const guint8 *buf, int len, void (*lost)(guint32 ssrc, guint16 seq, gpointer data),
	gpointer data);
/* Whether a compound RTCP packet asks for a keyframe (PLI, RFC 4585 6.3.1, or FIR, RFC 5104
 * 4.3.1); stops at the first malformed length. */
gboolean lc_rtcp_wants_keyframe(const guint8 *buf, int len);

#endif
