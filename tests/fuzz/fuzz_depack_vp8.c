/*
 * fuzz_depack_vp8.c - libFuzzer target for the VP8 depacketizer
 * (media/depack.c): RTP header parsing, reordering, the VP8 payload
 * descriptor (X/I/L/T/K, 7- and 15-bit PictureID), frame start and keyframe.
 * Input format and the shared invariants: fuzz_depack.h. Here, a frame is
 * non-empty and no larger than the input (descriptors and headers are only
 * ever removed), and the keyframe flag is the VP8 frame tag's inverted P bit.
 * Seeds: tests/fuzz/corpus/depack_vp8/, written by tests/unit/test_depack,
 * including RTP captured from aiortc.
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -Imedia \
 *   tests/fuzz/fuzz_depack_vp8.c media/depack.c
 */
#include "fuzz_depack.h"

static bool vp8_frame_ok(const fuzz_run *r, const rtk_frame *f)
{
	return f->size >= 1 && f->size <= r->input_size && f->keyframe == ((f->data[0] & 1) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_depack_input(data, size, RTK_CODEC_VP8, vp8_frame_ok);
}
