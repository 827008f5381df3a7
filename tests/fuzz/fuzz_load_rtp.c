/*
 * fuzz_load_rtp.c - libFuzzer target for rtk-load's reading of received RTP and RTCP
 * (bench/load/rtp.c): what the load client reads from every decrypted datagram.
 *
 * Input: one datagram, as is; read as RTP (header, then the VP8 keyframe flag of its payload)
 * and as compound RTCP (its sender reports, NACKs, whether it asks for a keyframe).
 *
 * Checked beyond the sanitizers: the payload lies inside the packet; the header fields are the
 * big-endian words at their RFC 3550 offsets; every sender report found is one the walk reaches
 * through well-formed lengths, and the walk ends.
 */
#include <stdint.h>
#include <string.h>

#include "../../bench/load/rtp.h"

#define CHECK(cond) do { if(!(cond)) __builtin_trap(); } while(0)

typedef struct reports {
	const uint8_t *data;
	int len, count;
} reports;

static void on_nack(guint32 ssrc, guint16 seq, gpointer user) {
	reports *r = user;
	r->count++;
	CHECK(r->count <= 17 * (r->len / 4));   /* a PID and 16 BLP bits per 4-byte FCI */
}

static void on_report(guint32 ssrc, guint32 lsr, gpointer user) {
	reports *r = user;
	r->count++;
	CHECK(r->count <= r->len / 28);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	if(size > 65536)
		return 0;
	int len = (int)size;
	lc_rtp_info rtp;
	if(lc_rtp_parse(data, len, &rtp)) {
		CHECK(len >= 12 && (data[0] >> 6) == 2);
		CHECK(rtp.seq == ((data[2] << 8) | data[3]));
		CHECK(rtp.ssrc == ((uint32_t)data[8] << 24 | (uint32_t)data[9] << 16 | (uint32_t)data[10] << 8 | data[11]));
		CHECK(rtp.payload >= 12 && rtp.payload <= len);
		CHECK(rtp.payload_len >= 0 && rtp.payload + rtp.payload_len <= len);
		lc_rtp_vp8_keyframe(data + rtp.payload, rtp.payload_len);
	}
	lc_rtp_vp8_keyframe(data, len);
	reports r = {.data = data, .len = len};
	int found = lc_rtcp_sender_reports(data, len, on_report, &r);
	CHECK(found == r.count);
	reports nacks = {.data = data, .len = len};
	CHECK(lc_rtcp_nacks(data, len, on_nack, &nacks) == nacks.count);
	if(lc_rtcp_wants_keyframe(data, len))
		CHECK(len >= 12);
	return 0;
}
