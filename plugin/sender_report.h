/*
 * sender_report.h - finding and reading RTCP sender reports (RFC 3550
 * 6.4.1) in packets that came from outside.
 *
 * Shared by both ends of the lip-sync path: the plugin's relay (relay.c)
 * picks the publisher's sender report out of the compound RTCP Janus hands
 * it and forwards it to companions; a companion (media/companion.c)
 * reads the reports arriving on its RTP socket, multiplexed with RTP (RFC
 * 5761). The bytes come from a browser (through Janus) or from whoever can
 * reach the companion's port, so this is fuzzed
 * (tests/fuzz/fuzz_sender_report.c). Plain C, no allocation, no library.
 */
#ifndef RTK_SENDER_REPORT_H
#define RTK_SENDER_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One sender report inside a packet. */
typedef struct rtk_sender_report {
	size_t offset;     /* where it starts in the packet */
	size_t length;     /* its length in bytes (header included): 28 or more, a multiple of 4 */
	uint32_t ssrc;     /* the sender's SSRC */
	uint64_t ntp;      /* NTP timestamp, 32.32 fixed point */
	uint32_t rtp_ts;   /* the RTP timestamp of the same instant */
} rtk_sender_report;

/* RFC 5761 demultiplexing: is a datagram on an RTP port RTCP? (8 bytes at
 * least, and a second byte 200..204: SR, RR, SDES, BYE, APP.) */
bool rtk_rtcp_is_rtcp(const uint8_t *buf, size_t len);

/* The next sender report of compound RTCP packet `buf` at or after *at
 * (start with *at = 0). Walks the packets by their length fields; returns
 * false at the end, or at the first packet that is not version 2 or runs
 * past `len` (nothing after it is read). On true, fills `sr` and moves *at
 * past the report. */
bool rtk_sender_report_next(const uint8_t *buf, size_t len, size_t *at, rtk_sender_report *sr);

#endif
