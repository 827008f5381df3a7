/*
 * rtp.c - reading received RTP and RTCP for rtk-load (rtp.h): the header fields it counts, the
 * VP8 keyframe flag, the sender reports' NTP time, keyframe requests and NACKs. Bounds are checked against the packet length
 * at every step (the input is a decrypted datagram from the server; fuzzed by
 * tests/fuzz/fuzz_load_rtp.c).
 */
#include "rtp.h"

static guint32 rtp_be32(const guint8 *p) {
	return ((guint32)p[0] << 24) | ((guint32)p[1] << 16) | ((guint32)p[2] << 8) | p[3];
}

gboolean lc_rtp_parse(const guint8 *buf, int len, lc_rtp_info *out) {
	if(len < 12 || (buf[0] >> 6) != 2)
		return FALSE;
	out->pt = buf[1] & 0x7f;
	out->seq = (guint16)((buf[2] << 8) | buf[3]);
	out->ts = rtp_be32(buf + 4);
	out->ssrc = rtp_be32(buf + 8);
	int header = 12 + 4 * (buf[0] & 0x0f);
	if((buf[0] & 0x10) && header + 4 <= len)
		header += 4 + 4 * ((buf[header + 2] << 8) | buf[header + 3]);
	else if(buf[0] & 0x10)
		header = len + 1;
	out->payload = MIN(header, len);
	out->payload_len = header < len ? len - header : 0;
	return TRUE;
}

gboolean lc_rtp_vp8_keyframe(const guint8 *p, int len) {
	if(len < 1)
		return FALSE;
	gboolean start = (p[0] & 0x10) && (p[0] & 0x07) == 0;
	int i = 1;
	if(p[0] & 0x80) {                 /* X: an extension byte follows */
		if(len < 2)
			return FALSE;
		guint8 x = p[1];
		i = 2;
		if(x & 0x80)                  /* I: picture id, 7 or 15 bits (M) */
			i += (i < len && (p[i] & 0x80)) ? 2 : 1;
		if(x & 0x40)                  /* L: TL0PICIDX */
			i++;
		if(x & 0x30)                  /* T or K: one byte for both */
			i++;
	}
	return start && i < len && (p[i] & 0x01) == 0;
}

int lc_rtcp_sender_reports(const guint8 *buf, int len, void (*found)(guint32 ssrc, guint32 lsr, gpointer data),
		gpointer data) {
	int count = 0;
	for(int off = 0; off + 4 <= len; ) {
		int size = 4 * (((buf[off + 2] << 8) | buf[off + 3]) + 1);
		if(off + size > len)
			break;
		if(buf[off + 1] == 200 && size >= 28) {
			const guint8 *p = buf + off;
			found(rtp_be32(p + 4), rtp_be32(p + 10), data);
			count++;
		}
		off += size;
	}
	return count;
}

gboolean lc_rtcp_wants_keyframe(const guint8 *buf, int len) {
	for(int off = 0; off + 4 <= len; ) {
		int size = 4 * (((buf[off + 2] << 8) | buf[off + 3]) + 1);
		if(off + size > len)
			break;
		int fmt = buf[off] & 0x1f;
		if(buf[off + 1] == 206 && size >= 12 && (fmt == 1 || fmt == 4))
			return TRUE;
		off += size;
	}
	return FALSE;
}

int lc_rtcp_nacks(const guint8 *buf, int len, void (*lost)(guint32 ssrc, guint16 seq, gpointer data),
		gpointer data) {
	int count = 0;
	for(int off = 0; off + 4 <= len; ) {
		int size = 4 * (((buf[off + 2] << 8) | buf[off + 3]) + 1);
		if(off + size > len)
			break;
		if(buf[off + 1] == 205 && (buf[off] & 0x1f) == 1 && size >= 16) {
			guint32 ssrc = rtp_be32(buf + off + 8);
			for(int fci = off + 12; fci + 4 <= off + size; fci += 4) {
				guint16 pid = (guint16)((buf[fci] << 8) | buf[fci + 1]);
				guint16 blp = (guint16)((buf[fci + 2] << 8) | buf[fci + 3]);
				lost(ssrc, pid, data);
				count++;
				for(int bit = 0; bit < 16; bit++)
					if(blp & (1 << bit)) {
						lost(ssrc, (guint16)(pid + bit + 1), data);
						count++;
					}
			}
		}
		off += size;
	}
	return count;
}
