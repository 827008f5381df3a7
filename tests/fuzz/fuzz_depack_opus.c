/*
 * fuzz_depack_opus.c - libFuzzer target for the Opus depacketizer
 * (media/depack.c): RTP header parsing, reordering, one packet per
 * frame. Input format and the shared invariants: fuzz_depack.h. Here, a
 * frame is a non-empty run of the input's bytes (an RTP payload, copied
 * verbatim) and is marked decodable alone.
 * Seeds: tests/fuzz/corpus/depack_opus/, written by tests/unit/test_depack,
 * including RTP captured from aiortc.
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -Imedia \
 *   tests/fuzz/fuzz_depack_opus.c media/depack.c
 */
#define _GNU_SOURCE   /* memmem */
#include "fuzz_depack.h"

static bool opus_frame_ok(const fuzz_run *r, const rtk_frame *f)
{
	return f->size >= 1 && f->size <= r->input_size && f->keyframe &&
		memmem(r->input, r->input_size, f->data, f->size) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_depack_input(data, size, RTK_CODEC_OPUS, opus_frame_ok);
}
