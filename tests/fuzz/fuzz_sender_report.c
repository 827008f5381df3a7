/*
 * fuzz_sender_report.c - libFuzzer target for the reading of RTCP sender
 * reports from outside packets (plugin/sender_report.c), as both its users
 * read them:
 *   - the plugin's relay (rtk_relay_rtcp): compound RTCP from a publisher,
 *     as Janus hands it over; packets under 28 bytes are skipped, and the
 *     first sender report is forwarded;
 *   - a companion's RTP socket (companion.c): a datagram is RTCP when
 *     rtk_rtcp_is_rtcp says so, and then every sender report in it is
 *     read (SSRC, NTP and RTP timestamps) for lip sync.
 *
 * Input: one datagram, as is.
 *
 * Checked beyond the sanitizers: every report found lies inside the
 * datagram, is version 2, type 200, 28 bytes or more and a multiple of 4,
 * after the previous one and reached from it by a chain of well-formed
 * packets (their length fields); its fields are the big-endian words at
 * their RFC 3550 offsets; the walk ends; the relay's first report is the
 * companion's first one.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sender_report.h"

#define CHECK(cond) do { if(!(cond)) __builtin_trap(); } while(0)

static uint32_t be32(const uint8_t *b) {
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* The well-formed packets from `from` lead exactly to `to`, and none of them is a report. */
static void check_chain(const uint8_t *buf, size_t len, size_t from, size_t to) {
	size_t at = from;
	while(at < to) {
		CHECK(to - at >= 4);
		size_t plen = ((size_t)(buf[at + 2] << 8 | buf[at + 3]) + 1) * 4;
		CHECK((buf[at] >> 6) == 2 && plen <= len - at);
		CHECK(!(buf[at + 1] == 200 && plen >= 28));
		at += plen;
	}
	CHECK(at == to);
}

static void check_report(const uint8_t *buf, size_t len, const rtk_sender_report *sr) {
	CHECK(sr->offset < len && sr->length <= len - sr->offset);
	CHECK(sr->length >= 28 && sr->length % 4 == 0);
	const uint8_t *p = buf + sr->offset;
	CHECK((p[0] >> 6) == 2 && p[1] == 200);
	CHECK(sr->length == ((size_t)(p[2] << 8 | p[3]) + 1) * 4);
	CHECK(sr->ssrc == be32(p + 4));
	CHECK(sr->ntp == ((uint64_t)be32(p + 8) << 32 | be32(p + 12)));
	CHECK(sr->rtp_ts == be32(p + 16));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	rtk_sender_report first = { 0 }, sr;
	bool relayed = false;
	size_t at = 0;

	/* The relay. */
	if(size >= 28 && rtk_sender_report_next(data, size, &at, &first)) {
		relayed = true;
		check_report(data, size, &first);
		check_chain(data, size, 0, first.offset);
		CHECK(at == first.offset + first.length);
	}

	/* The companion. */
	CHECK(rtk_rtcp_is_rtcp(data, size) == (size >= 8 && data[1] >= 200 && data[1] <= 204));
	if(!rtk_rtcp_is_rtcp(data, size))
		return 0;
	size_t end = 0, reports = 0;
	at = 0;
	while(rtk_sender_report_next(data, size, &at, &sr)) {
		check_report(data, size, &sr);
		check_chain(data, size, end, sr.offset);
		end = sr.offset + sr.length;
		CHECK(at == end);
		if(reports++ == 0 && relayed)
			CHECK(sr.offset == first.offset && sr.length == first.length && sr.ssrc == first.ssrc &&
				sr.ntp == first.ntp && sr.rtp_ts == first.rtp_ts);
		CHECK(reports <= size / 28);
	}
	/* It stopped after well-formed packets, at the end or at a malformed one. */
	check_chain(data, size, end, at);
	if(size - at >= 4)
		CHECK((data[at] >> 6) != 2 || ((size_t)(data[at + 2] << 8 | data[at + 3]) + 1) * 4 > size - at);
	/* Once the walk stops, it stays stopped. */
	CHECK(!rtk_sender_report_next(data, size, &at, &sr));
	return 0;
}
