/*
 * sender_report.c - finding and reading RTCP sender reports (sender_report.h).
 */
#include "sender_report.h"

static uint32_t sender_report_be32(const uint8_t *b) {
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

bool rtk_rtcp_is_rtcp(const uint8_t *buf, size_t len) {
	return len >= 8 && buf[1] >= 200 && buf[1] <= 204;
}

bool rtk_sender_report_next(const uint8_t *buf, size_t len, size_t *at, rtk_sender_report *sr) {
	while(*at <= len && len - *at >= 4) {
		const uint8_t *p = buf + *at;
		size_t plen = ((size_t)(p[2] << 8 | p[3]) + 1) * 4;
		if((p[0] >> 6) != 2 || plen > len - *at)
			return false;
		if(p[1] == 200 && plen >= 28) {
			sr->offset = *at;
			sr->length = plen;
			sr->ssrc = sender_report_be32(p + 4);
			sr->ntp = (uint64_t)sender_report_be32(p + 8) << 32 | sender_report_be32(p + 12);
			sr->rtp_ts = sender_report_be32(p + 16);
			*at += plen;
			return true;
		}
		*at += plen;
	}
	return false;
}
