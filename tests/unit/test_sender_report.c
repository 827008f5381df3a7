/*
 * test_sender_report.c - unit tests of the reading of RTCP sender reports
 * (plugin/sender_report.c), shared by the plugin's relay and the
 * companions: compound packets as browsers send them (SR + SDES, RR + SR),
 * several reports, and malformed packets, after which nothing is read.
 */
#include <stdint.h>
#include <string.h>

#include "sender_report.h"
#include "unit.h"

static size_t put32(uint8_t *p, uint32_t v) {
	p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
	return 4;
}

/* A sender report with `blocks` report blocks; returns its length. */
static size_t put_sr(uint8_t *p, uint32_t ssrc, uint64_t ntp, uint32_t rtp, int blocks) {
	size_t len = 28 + 24 * (size_t)blocks;
	memset(p, 0, len);
	p[0] = 0x80 | blocks;
	p[1] = 200;
	p[2] = (len / 4 - 1) >> 8;
	p[3] = (len / 4 - 1) & 0xff;
	put32(p + 4, ssrc);
	put32(p + 8, (uint32_t)(ntp >> 32));
	put32(p + 12, (uint32_t)ntp);
	put32(p + 16, rtp);
	return len;
}

/* Any other packet of `len` bytes (a multiple of 4) and type `pt`. */
static size_t put_other(uint8_t *p, uint8_t pt, size_t len) {
	memset(p, 0, len);
	p[0] = 0x81;
	p[1] = pt;
	p[2] = (len / 4 - 1) >> 8;
	p[3] = (len / 4 - 1) & 0xff;
	return len;
}

static void test_compound(void) {
	uint8_t buf[256];
	size_t len = put_other(buf, 201, 32);                                  /* RR, one block */
	len += put_sr(buf + len, 0x11223344, UINT64_C(0xe93c5a0080000000), 90000, 1);
	len += put_other(buf + len, 202, 24);                                  /* SDES */
	size_t at = 0;
	rtk_sender_report sr;
	CHECK(rtk_rtcp_is_rtcp(buf, len));
	CHECK(rtk_sender_report_next(buf, len, &at, &sr));
	CHECK_EQ_INT(sr.offset, 32);
	CHECK_EQ_INT(sr.length, 52);
	CHECK(sr.ssrc == 0x11223344);
	CHECK(sr.ntp == UINT64_C(0xe93c5a0080000000));
	CHECK_EQ_INT(sr.rtp_ts, 90000);
	CHECK_EQ_INT(at, 84);
	CHECK(!rtk_sender_report_next(buf, len, &at, &sr));
}

static void test_several(void) {
	uint8_t buf[128];
	size_t len = put_sr(buf, 1, 10, 100, 0);
	len += put_sr(buf + len, 2, 20, 200, 0);
	size_t at = 0;
	rtk_sender_report sr;
	CHECK(rtk_sender_report_next(buf, len, &at, &sr));
	CHECK(sr.ssrc == 1 && sr.ntp == 10 && sr.rtp_ts == 100);
	CHECK(rtk_sender_report_next(buf, len, &at, &sr));
	CHECK(sr.ssrc == 2 && sr.ntp == 20 && sr.rtp_ts == 200 && sr.offset == 28);
	CHECK(!rtk_sender_report_next(buf, len, &at, &sr));
}

static void test_malformed(void) {
	uint8_t buf[128];
	rtk_sender_report sr;
	size_t at;
	/* A length field running past the datagram: nothing after it is read. */
	size_t len = put_other(buf, 201, 8);
	buf[3] = 40;
	len += put_sr(buf + len, 1, 10, 100, 0);
	at = 0;
	CHECK(!rtk_sender_report_next(buf, len, &at, &sr));
	/* Version 1. */
	len = put_sr(buf, 1, 10, 100, 0);
	buf[0] = 0x40;
	at = 0;
	CHECK(!rtk_sender_report_next(buf, len, &at, &sr));
	/* A report cut short, and one whose length says less than 28 bytes. */
	len = put_sr(buf, 1, 10, 100, 0);
	at = 0;
	CHECK(!rtk_sender_report_next(buf, 24, &at, &sr));
	buf[3] = 5;   /* 24 bytes */
	at = 0;
	CHECK(!rtk_sender_report_next(buf, len, &at, &sr));
	/* RFC 5761: 200..204 in the second byte is RTCP; RTP has its payload type there. */
	CHECK(!rtk_rtcp_is_rtcp(buf, 7));
	buf[1] = 96;
	CHECK(!rtk_rtcp_is_rtcp(buf, len));
	buf[1] = 111 | 0x80;   /* Opus with the marker bit */
	CHECK(!rtk_rtcp_is_rtcp(buf, len));
	buf[1] = 204;
	CHECK(rtk_rtcp_is_rtcp(buf, len));
}

int main(void) {
	UNIT_RUN(test_compound);
	UNIT_RUN(test_several);
	UNIT_RUN(test_malformed);
	return UNIT_DONE();
}
