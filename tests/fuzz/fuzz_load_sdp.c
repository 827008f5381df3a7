/*
 * fuzz_load_sdp.c - libFuzzer target for rtk-load's SDP handling (bench/load/sdp.c): the offer
 * a subscriber answers and the attributes it reads (ICE credentials, fingerprint, setup) come
 * from the server.
 *
 * Input: an SDP offer, any bytes (made a C string at the first NUL).
 *
 * Checked beyond the sanitizers: the answer is a session (starts "v=0") that BUNDLEs as many
 * m-lines as the offer has lines starting "m=", each with our ICE lines and fingerprint;
 * attributes read are the text after "a=NAME:" on some line of the offer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../bench/load/sdp.h"

#define CHECK(cond) do { if(!(cond)) __builtin_trap(); } while(0)

static int count_lines(const char *text, const char *prefix) {
	int count = 0;
	size_t n = strlen(prefix);
	for(const char *line = text; line != NULL && *line; ) {
		if(strncmp(line, prefix, n) == 0)
			count++;
		line = strchr(line, '\n');
		if(line != NULL)
			line++;
	}
	return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	if(size > 65536)
		return 0;
	char *offer = g_strndup((const char *)data, size);
	const char *ice = "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdef01234567\r\n"
		"a=candidate:1 1 UDP 2015363327 10.77.0.1 40000 typ host\r\na=end-of-candidates\r\n";
	char *answer = lc_sdp_answer(offer, ice, "AA:BB");
	CHECK(strncmp(answer, "v=0\r\n", 5) == 0);
	int mlines = count_lines(offer, "m=");
	CHECK(count_lines(answer, "m=") == mlines);
	CHECK(count_lines(answer, "a=ice-ufrag:abcd") == mlines);
	CHECK(count_lines(answer, "a=fingerprint:sha-256 AA:BB") == mlines);
	CHECK(count_lines(answer, "a=candidate:") == (mlines > 0 ? 1 : 0));
	static const char *names[] = {"ice-ufrag", "ice-pwd", "fingerprint", "setup", "mid"};
	for(size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *value = lc_sdp_attribute(offer, names[i]);
		if(value != NULL) {
			char *line = g_strdup_printf("a=%s:%s", names[i], value);
			CHECK(strstr(offer, line) != NULL);
			g_free(line);
		}
		g_free(value);
	}
	g_free(answer);
	g_free(offer);
	return 0;
}
