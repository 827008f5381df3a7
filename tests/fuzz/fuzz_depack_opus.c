/*
 * fuzz_depack_opus.c - libFuzzer target for the Opus depacketizer
 * (recorder/lib/depack.c): RTP header parsing, reordering, one packet per
 * frame.
 *
 * Input: one byte, the reorder window (0: default); then packets, each a
 * 2-byte big-endian length and that many bytes (a short tail is one last
 * packet). All are pushed, with frames popped after each push, then the
 * stream is flushed and the rest popped.
 * Invariants (abort on breach):
 *  - a rejected packet changes no counter and yields no frame;
 *  - within one stream (until the SSRC changes) frame timestamps never
 *    decrease, and each frame carries that stream's SSRC and the codec;
 *  - a frame is a non-empty run of the input's bytes (an RTP payload, copied
 *    verbatim) and is marked decodable alone;
 *  - audio never asks for a keyframe; the counters agree with what was
 *    pushed and popped.
 * Seeds: tests/fuzz/corpus/depack_opus/, written by tests/unit/test_depack
 * (see its top comment), including RTP captured from aiortc.
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -Irecorder/lib \
 *   tests/fuzz/fuzz_depack_opus.c recorder/lib/depack.c
 */
#define _GNU_SOURCE   /* memmem */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "depack.h"

#define CODEC RTK_CODEC_OPUS

typedef struct run {
	rtk_depack *d;
	const uint8_t *input;
	size_t input_size;
	uint64_t accepted, popped;
	bool in_stream;
	uint32_t ssrc;          /* of the last accepted packet */
	bool have_ts;
	int64_t last_ts;
	uint32_t frame_ssrc;    /* the stream frames must come from */
} run;

static void check_frame(run *r, const rtk_frame *f)
{
	if (f->codec != CODEC || !f->data || f->size < 1 || f->size > r->input_size || !f->keyframe)
		abort();
	if (!memmem(r->input, r->input_size, f->data, f->size))
		abort();
	if (f->ssrc != r->frame_ssrc || (r->have_ts && f->timestamp < r->last_ts))
		abort();
	r->have_ts = true;
	r->last_ts = f->timestamp;
}

static void pop_all(run *r)
{
	rtk_frame *f;
	while ((f = rtk_depack_pop(r->d)) != NULL) {
		check_frame(r, f);
		r->popped++;
		rtk_frame_free(f);
	}
}

static void push_one(run *r, const uint8_t *p, size_t n)
{
	rtk_depack_stats before, after;
	rtk_depack_get_stats(r->d, &before);
	bool ok = rtk_depack_push(r->d, p, n);
	rtk_depack_get_stats(r->d, &after);
	if (!ok) {
		if (memcmp(&before, &after, sizeof(before)) != 0)
			abort();
		rtk_frame *f = rtk_depack_pop(r->d);
		if (f)
			abort();   /* frames are popped after every push */
		return;
	}
	uint32_t ssrc = ((uint32_t)p[8] << 24) | ((uint32_t)p[9] << 16) | ((uint32_t)p[10] << 8) | p[11];
	if (r->in_stream && ssrc != r->ssrc) {
		/* A new stream: the old one was flushed, its last frames come
		 * first; timestamps start over with the new one's. */
		rtk_frame *f;
		while ((f = rtk_depack_pop(r->d)) != NULL) {
			if (f->ssrc != r->frame_ssrc) {
				r->frame_ssrc = ssrc;
				r->have_ts = false;
			}
			check_frame(r, f);
			r->popped++;
			rtk_frame_free(f);
		}
	}
	if (!r->in_stream || ssrc != r->ssrc) {
		r->frame_ssrc = ssrc;
		r->have_ts = false;
	}
	r->in_stream = true;
	r->ssrc = ssrc;
	r->accepted++;
	pop_all(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	run r;
	memset(&r, 0, sizeof(r));
	r.d = rtk_depack_new(CODEC, data[0]);
	if (!r.d)
		abort();
	r.input = data;
	r.input_size = size;
	size_t pos = 1;
	while (pos < size) {
		size_t n = size - pos >= 2 ? ((size_t)data[pos] << 8) | data[pos + 1] : 0;
		pos += size - pos >= 2 ? 2 : size - pos;
		if (n > size - pos)
			n = size - pos;
		push_one(&r, data + pos, n);
		pos += n;
	}
	rtk_depack_flush(r.d);
	pop_all(&r);

	rtk_depack_stats s;
	rtk_depack_get_stats(r.d, &s);
	if (rtk_depack_need_keyframe(r.d))
		abort();
	if (s.packets != r.accepted || s.frames != r.popped || s.duplicates + s.late > s.packets)
		abort();
	rtk_depack_free(r.d);
	return 0;
}
