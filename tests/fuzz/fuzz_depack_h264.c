/*
 * fuzz_depack_h264.c - libFuzzer target for the H.264 depacketizer
 * (media/depack.c): RTP header parsing, reordering, STAP-A and FU-A.
 * Input format and the shared invariants: fuzz_depack.h. Here, a frame is
 * no larger than the Annex B expansion of all input (each NAL gains a 4-byte
 * start code, at most 2 bytes per input byte), starts with a start code, and
 * a keyframe holds an IDR NAL header.
 * Seeds: tests/fuzz/corpus/depack_h264/, written by tests/unit/test_depack.
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -Imedia \
 *   tests/fuzz/fuzz_depack_h264.c media/depack.c
 */
#include "fuzz_depack.h"

static bool has_idr(const rtk_frame *f)
{
	for (size_t i = 0; i + 4 < f->size; i++)
		if (memcmp(f->data + i, "\0\0\0\1", 4) == 0 && (f->data[i + 4] & 0x1f) == 5)
			return true;
	return false;
}

static bool h264_frame_ok(const fuzz_run *r, const rtk_frame *f)
{
	return f->size >= 5 && f->size <= 2 * r->input_size + 4 &&
		memcmp(f->data, "\0\0\0\1", 4) == 0 && (!f->keyframe || has_idr(f));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_depack_input(data, size, RTK_CODEC_H264, h264_frame_ok);
}
