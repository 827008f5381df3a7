/*
 * fuzz_depack.h - the harness the three depacketizer fuzz targets share
 * (fuzz_depack_h264.c, fuzz_depack_vp8.c, fuzz_depack_opus.c); each target
 * adds only what a valid frame of its codec looks like.
 *
 * Input: one byte, the reorder window (0: default); then packets, each a
 * 2-byte big-endian length and that many bytes (a short tail is one last
 * packet). All are pushed, with frames popped after each push, then the
 * stream is flushed and the rest popped.
 * Invariants (abort on breach):
 *  - a rejected packet changes no counter and yields no frame;
 *  - within one stream (until the SSRC changes) frame timestamps never
 *    decrease, and each frame carries that stream's SSRC and the codec;
 *  - the codec's own frame check (the target's `frame_ok`) holds;
 *  - the counters agree with what was pushed and popped; audio never asks
 *    for a keyframe.
 */
#ifndef RTK_FUZZ_DEPACK_H
#define RTK_FUZZ_DEPACK_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "depack.h"

typedef struct fuzz_run {
	rtk_depack *d;
	rtk_codec codec;
	const uint8_t *input;
	size_t input_size;
	bool (*frame_ok)(const struct fuzz_run *r, const rtk_frame *f);
	uint64_t accepted, popped;
	bool in_stream;
	uint32_t ssrc;          /* of the last accepted packet */
	bool have_ts;
	int64_t last_ts;
	uint32_t frame_ssrc;    /* the stream frames must come from */
} fuzz_run;

static void fuzz_check_frame(fuzz_run *r, const rtk_frame *f)
{
	if (f->codec != r->codec || !f->data || !r->frame_ok(r, f))
		abort();
	if (f->ssrc != r->frame_ssrc || (r->have_ts && f->timestamp < r->last_ts))
		abort();
	r->have_ts = true;
	r->last_ts = f->timestamp;
}

/* Pops every ready frame; with `switching`, the frames of the stream before
 * an SSRC change come first and reset the per-stream expectations. */
static void fuzz_pop_all(fuzz_run *r, bool switching, uint32_t new_ssrc)
{
	rtk_frame *f;
	while ((f = rtk_depack_pop(r->d)) != NULL) {
		if (switching && f->ssrc != r->frame_ssrc) {
			r->frame_ssrc = new_ssrc;
			r->have_ts = false;
		}
		fuzz_check_frame(r, f);
		r->popped++;
		rtk_frame_free(f);
	}
}

static void fuzz_push_one(fuzz_run *r, const uint8_t *p, size_t n)
{
	rtk_depack_stats before, after;
	rtk_depack_get_stats(r->d, &before);
	bool ok = rtk_depack_push(r->d, p, n);
	rtk_depack_get_stats(r->d, &after);
	if (!ok) {
		if (memcmp(&before, &after, sizeof(before)) != 0)
			abort();
		if (rtk_depack_pop(r->d) != NULL)
			abort();   /* frames are popped after every push */
		return;
	}
	uint32_t ssrc = ((uint32_t)p[8] << 24) | ((uint32_t)p[9] << 16) | ((uint32_t)p[10] << 8) | p[11];
	if (r->in_stream && ssrc != r->ssrc)
		fuzz_pop_all(r, true, ssrc);   /* the old stream was flushed: its frames first */
	if (!r->in_stream || ssrc != r->ssrc) {
		r->frame_ssrc = ssrc;
		r->have_ts = false;
	}
	r->in_stream = true;
	r->ssrc = ssrc;
	r->accepted++;
	fuzz_pop_all(r, false, 0);
}

static int fuzz_depack_input(const uint8_t *data, size_t size, rtk_codec codec,
	bool (*frame_ok)(const fuzz_run *r, const rtk_frame *f))
{
	if (size < 1)
		return 0;
	fuzz_run r;
	memset(&r, 0, sizeof(r));
	r.codec = codec;
	r.frame_ok = frame_ok;
	r.d = rtk_depack_new(codec, data[0]);
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
		fuzz_push_one(&r, data + pos, n);
		pos += n;
	}
	rtk_depack_flush(r.d);
	fuzz_pop_all(&r, false, 0);

	rtk_depack_stats s;
	rtk_depack_get_stats(r.d, &s);
	if (s.packets != r.accepted || s.frames != r.popped || s.duplicates + s.late > s.packets)
		abort();
	if (codec == RTK_CODEC_OPUS && rtk_depack_need_keyframe(r.d))
		abort();
	rtk_depack_free(r.d);
	return 0;
}

#endif
