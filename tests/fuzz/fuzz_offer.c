/*
 * fuzz_offer.c - libFuzzer target for the plugin's decisions on a
 * publisher's SDP offer (plugin/model/offer_plan.c): which m-lines are taken and
 * as which kind, from what each m-line says and the request's
 * "descriptions" JSON.
 *
 * What this does not reach: the SDP text. The plugin hands it to the Janus
 * core's SDP parser (janus_sdp_parse) and writes the answer with Janus's
 * generator, and the simulcast description comes from the core too
 * (janus_rtp_simulcasting_prepare); those live in the janus executable,
 * which cannot be linked into a fuzzer (ld refuses an executable as input,
 * dlopen refuses a PIE executable) and are not ours. media.c copies each
 * parsed m-line into a rtk_offer_mline; this target builds those m-lines
 * from the input instead, with every value the copy can produce
 * (negative and zero ports, missing mids, any mid text).
 *
 * Input layout:
 *   byte 0        allowed kinds: bit 0 microphone, 1 camera, 2 screenshare
 *   byte 1        n: number of m-lines (n % 20)
 *   n x 3 bytes   a: media (a % 3: other, audio, video), bit 2 sends,
 *                    bit 3 offers the codec;
 *                 b: the port, as a signed byte;
 *                 c: the mid: 255 none, 200..254 one of a few odd ones,
 *                    else the decimal of c % 24 (as browsers number them)
 *   the rest      the "descriptions" value (any JSON; absent when invalid)
 *
 * Checked beyond the sanitizers (offer_plan.h's rules): an accepted line
 * is audio or video, has a port, sends, offers the codec and is of an
 * allowed kind; audio lines are the microphone, video lines the camera or
 * the screenshare; a kind is taken once at most, by the first line that
 * qualifies for it; a video line is of the kind its description names,
 * else the camera unless a camera was already taken; the inputs are left
 * as they were, and a second run decides the same.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "offer_plan.h"

#define CHECK(cond) do { if(!(cond)) __builtin_trap(); } while(0)
#define MAX_LINES 20

static const char *const odd_mids[] = { "", "audio", "0 ", "\xff\xfe", "video0" };

/* The first description of `mid` with a type offer_plan.h knows, or -1. */
static int described(const json_t *descriptions, const char *mid) {
	size_t i;
	const json_t *d;
	if(mid == NULL || !json_is_array(descriptions))
		return -1;
	json_array_foreach(descriptions, i, d) {
		const char *dmid = json_string_value(json_object_get(d, "mid"));
		const char *type = json_string_value(json_object_get(d, "type"));
		if(dmid == NULL || type == NULL || strcmp(dmid, mid) != 0)
			continue;
		if(!strcmp(type, "screenshare"))
			return RTK_MEDIA_SCREENSHARE;
		if(!strcmp(type, "video"))
			return RTK_MEDIA_VIDEO;
		if(!strcmp(type, "audio"))
			return RTK_MEDIA_AUDIO;
	}
	return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	if(size < 2)
		return 0;
	gboolean allowed[RTK_MEDIA_KINDS];
	for(int k = 0; k < RTK_MEDIA_KINDS; k++)
		allowed[k] = (data[0] >> k) & 1;
	size_t n = data[1] % MAX_LINES;
	if(size < 2 + 3 * n)
		return 0;
	char mids[MAX_LINES][8];
	rtk_offer_mline lines[MAX_LINES], copy[MAX_LINES];
	memset(lines, 0xa5, sizeof lines);   /* what the plan writes must not depend on what was there */
	for(size_t i = 0; i < n; i++) {
		const uint8_t *p = data + 2 + 3 * i;
		rtk_offer_mline *line = &lines[i];
		line->media = (rtk_offer_media)(p[0] % 3);
		line->sends = (p[0] >> 2) & 1;
		line->has_codec = (p[0] >> 3) & 1;
		line->port = (int8_t)p[1];
		if(p[2] == 255) {
			line->mid = NULL;
		} else if(p[2] >= 200) {
			line->mid = odd_mids[p[2] % G_N_ELEMENTS(odd_mids)];
		} else {
			snprintf(mids[i], sizeof mids[i], "%d", p[2] % 24);
			line->mid = mids[i];
		}
		CHECK(rtk_offer_codec(line->media) != NULL || line->media == RTK_OFFER_OTHER);
	}
	size_t off = 2 + 3 * n;
	json_t *descriptions = json_loadb((const char *)data + off, size - off, JSON_DECODE_ANY, NULL);
	char *before = descriptions ? json_dumps(descriptions, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

	rtk_offer_plan(lines, n, descriptions, allowed);
	memcpy(copy, lines, sizeof lines);
	rtk_offer_plan(copy, n, descriptions, allowed);

	gboolean taken[RTK_MEDIA_KINDS] = { FALSE };
	for(size_t i = 0; i < n; i++) {
		const rtk_offer_mline *line = &lines[i];
		const uint8_t *p = data + 2 + 3 * i;
		/* inputs untouched, outputs the same on a second run */
		CHECK(line->media == (rtk_offer_media)(p[0] % 3) && line->port == (int8_t)p[1]);
		CHECK(line->sends == ((p[0] >> 2) & 1) && line->has_codec == ((p[0] >> 3) & 1));
		CHECK(copy[i].accept == line->accept && copy[i].kind == line->kind);
		CHECK(line->accept == TRUE || line->accept == FALSE);
		if(line->media == RTK_OFFER_OTHER) {
			CHECK(!line->accept);
			continue;
		}
		CHECK((unsigned)line->kind < RTK_MEDIA_KINDS);
		if(line->media == RTK_OFFER_AUDIO) {
			CHECK(line->kind == RTK_MEDIA_AUDIO);
		} else {
			int d = described(descriptions, line->mid);
			if(d == RTK_MEDIA_VIDEO || d == RTK_MEDIA_SCREENSHARE)
				CHECK(line->kind == (rtk_media_kind)d);
			else
				CHECK(line->kind == (taken[RTK_MEDIA_VIDEO] ? RTK_MEDIA_SCREENSHARE : RTK_MEDIA_VIDEO));
		}
		gboolean qualifies = line->port > 0 && line->sends && line->has_codec && allowed[line->kind];
		CHECK(line->accept == (qualifies && !taken[line->kind]));
		if(line->accept)
			taken[line->kind] = TRUE;
	}
	if(descriptions != NULL) {
		char *after = json_dumps(descriptions, JSON_COMPACT | JSON_ENCODE_ANY);
		CHECK(before != NULL && after != NULL && !strcmp(before, after));
		free(after);
	}
	free(before);
	json_decref(descriptions);
	return 0;
}
