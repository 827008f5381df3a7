/*
 * fuzz_rtcp_loss.c - libFuzzer target for the reading of a subscriber's
 * receiver reports (plugin/model/forwarding.c, rtk_fwd_rtcp_max_loss), as
 * the plugin reads them: the compound RTCP Janus hands to incoming_rtcp,
 * from a browser.
 *
 * Input: one compound RTCP packet, as is.
 *
 * Checked beyond the sanitizers: the result is that of a walk written
 * here from RFC 3550 (version 2 packets chained by their length fields,
 * the walk ending at the first malformed one; report blocks of SR and RR
 * packets, only those wholly inside their packet): found or not, and the
 * highest fraction lost; nothing is written when none is found.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "forwarding.h"

#define CHECK(cond) do { if(!(cond)) __builtin_trap(); } while(0)

static bool reference(const uint8_t *buf, size_t len, uint8_t *worst) {
	bool found = false;
	*worst = 0;
	for(size_t at = 0; at + 4 <= len;) {
		size_t words = (size_t)buf[at + 2] << 8 | buf[at + 3];
		size_t plen = (words + 1) * 4;
		if((buf[at] & 0xc0) != 0x80 || at + plen > len)
			break;
		size_t first = buf[at + 1] == 200 ? 28 : (buf[at + 1] == 201 ? 8 : 0);
		if(first != 0) {
			for(size_t b = 0; b < (size_t)(buf[at] & 0x1f); b++) {
				size_t block = first + b * 24;
				if(block + 24 > plen)
					break;
				if(buf[at + block + 4] > *worst)
					*worst = buf[at + block + 4];
				found = true;
			}
		}
		at += plen;
	}
	return found;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	uint8_t want = 0;
	guint8 got = 0xa5;
	bool expected = reference(data, size, &want);
	bool found = rtk_fwd_rtcp_max_loss(data, size, &got);
	CHECK(found == expected);
	CHECK(found ? got == want : got == 0xa5);
	return 0;
}
