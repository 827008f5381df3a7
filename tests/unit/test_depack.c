/*
 * test_depack.c - unit tests for media/depack.c: RTP header parsing,
 * reordering, loss and keyframe handling, and the H.264, VP8 and Opus
 * depacketizers.
 *
 * Packets are crafted with a small builder (rtp_put_opts) and every frame that
 * comes out is compared byte for byte. The last tests replay RTP captured
 * from a real aiortc sender (tests/unit/data/, see its README.md): VP8 and
 * Opus as aiortc puts them on the wire, in order, shuffled, and with a lost
 * packet.
 *
 * Seeds for tests/fuzz/fuzz_depack_*.c: with RTK_DEPACK_SEED_DIR set, every
 * depacketizer a test creates also writes what it is fed, in the fuzz
 * targets' input format (one byte: reorder window; then per packet a 2-byte
 * big-endian length and the bytes), to <dir>/depack_<codec>/<test>-<n>:
 *	RTK_DEPACK_SEED_DIR=tests/fuzz/corpus RTK_TOP_SRCDIR=. tests/unit/test_depack
 */
#include <stdint.h>
#include <stdbool.h>
#include <errno.h>
#include <sys/stat.h>

#include "unit.h"
#include "depack.h"

#define SSRC 0x11223344u

/* ---- fuzz seed recording (RTK_DEPACK_SEED_DIR; see the top comment) ---- */

#define SEED_MAX_BYTES 65536
#define SEED_SLOTS 16

static const char *seed_test = "test";
static int seed_count;
static struct seed_slot {
	rtk_depack *d;
	FILE *f;
	size_t size;
} seed_slots[SEED_SLOTS];

static const char *codec_name(rtk_codec codec)
{
	return codec == RTK_CODEC_H264 ? "h264" : codec == RTK_CODEC_VP8 ? "vp8" : "opus";
}

static FILE *seed_open(rtk_codec codec, unsigned window)
{
	const char *dir = getenv("RTK_DEPACK_SEED_DIR");
	if (!dir || !*dir)
		return NULL;
	char path[4096];
	snprintf(path, sizeof(path), "%s/depack_%s", dir, codec_name(codec));
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		return NULL;
	snprintf(path, sizeof(path), "%s/depack_%s/%s-%d", dir, codec_name(codec), seed_test, ++seed_count);
	FILE *f = fopen(path, "wb");
	if (f)
		fputc(window > 255 ? 255 : (int)window, f);
	return f;
}

static rtk_depack *depack_new(rtk_codec codec, unsigned window)
{
	rtk_depack *d = rtk_depack_new(codec, window);
	for (int i = 0; d && i < SEED_SLOTS; i++) {
		if (!seed_slots[i].d) {
			seed_slots[i].d = d;
			seed_slots[i].f = seed_open(codec, window);
			seed_slots[i].size = 1;
			break;
		}
	}
	return d;
}

static void depack_free(rtk_depack *d)
{
	for (int i = 0; d && i < SEED_SLOTS; i++) {
		if (seed_slots[i].d == d) {
			if (seed_slots[i].f)
				fclose(seed_slots[i].f);
			memset(&seed_slots[i], 0, sizeof(seed_slots[i]));
		}
	}
	rtk_depack_free(d);
}

/* rtk_depack_push(), recording the packet when seeds are wanted. */
static bool feed(rtk_depack *d, const uint8_t *packet, size_t len)
{
	for (int i = 0; d && i < SEED_SLOTS; i++) {
		struct seed_slot *s = &seed_slots[i];
		if (s->d == d && s->f && len <= 0xffff && s->size + 2 + len <= SEED_MAX_BYTES) {
			fputc((int)(len >> 8), s->f);
			fputc((int)(len & 0xff), s->f);
			if (len)
				fwrite(packet, 1, len, s->f);
			s->size += 2 + len;
		}
	}
	return rtk_depack_push(d, packet, len);
}

/* ---- packet builder ---- */

typedef struct rtp_opts {
	uint32_t ssrc;       /* 0: SSRC */
	unsigned csrcs;      /* CSRC count (entries written as zeros) */
	unsigned ext_words;  /* header extension of this many 32-bit words (0: none) */
	unsigned padding;    /* P bit with this many padding bytes (0: none) */
} rtp_opts;

/* Writes an RTP packet to `out`; returns its length. */
static size_t rtp_put_opts(uint8_t *out, uint16_t seq, uint32_t ts, bool marker,
		const uint8_t *payload, size_t n, const rtp_opts *o)
{
	uint32_t ssrc = o && o->ssrc ? o->ssrc : SSRC;
	unsigned csrcs = o ? o->csrcs : 0, ext = o ? o->ext_words : 0, pad = o ? o->padding : 0;
	size_t pos = 0;
	out[pos++] = (uint8_t)(0x80 | (pad ? 0x20 : 0) | (o && o->ext_words ? 0x10 : 0) | csrcs);
	out[pos++] = (uint8_t)((marker ? 0x80 : 0) | 96);
	out[pos++] = (uint8_t)(seq >> 8);
	out[pos++] = (uint8_t)seq;
	for (int s = 24; s >= 0; s -= 8)
		out[pos++] = (uint8_t)(ts >> s);
	for (int s = 24; s >= 0; s -= 8)
		out[pos++] = (uint8_t)(ssrc >> s);
	for (unsigned i = 0; i < csrcs * 4; i++)
		out[pos++] = 0xcc;
	if (ext) {
		out[pos++] = 0xbe;
		out[pos++] = 0xde;
		out[pos++] = 0;
		out[pos++] = (uint8_t)ext;
		for (unsigned i = 0; i < ext * 4; i++)
			out[pos++] = 0xee;
	}
	if (n)
		memcpy(out + pos, payload, n);
	pos += n;
	if (pad) {
		for (unsigned i = 0; i + 1 < pad; i++)
			out[pos++] = 0;
		out[pos++] = (uint8_t)pad;
	}
	return pos;
}

static bool push_opts(rtk_depack *d, uint16_t seq, uint32_t ts, bool marker,
		const uint8_t *payload, size_t n, const rtp_opts *o)
{
	uint8_t buf[2048];
	size_t len = rtp_put_opts(buf, seq, ts, marker, payload, n, o);
	return feed(d, buf, len);
}

static bool push(rtk_depack *d, uint16_t seq, uint32_t ts, bool marker, const uint8_t *payload, size_t n)
{
	return push_opts(d, seq, ts, marker, payload, n, NULL);
}

/* Pops one frame and checks everything about it. */
static void expect_frame_at(rtk_depack *d, int64_t ts, bool key, const uint8_t *bytes, size_t n,
		const char *file, int line)
{
	rtk_frame *f = rtk_depack_pop(d);
	if (!f) {
		unit_checks++;
		unit_fail(file, line, "a frame is ready");
		return;
	}
	unit_checks++;
	if (f->timestamp != ts || f->keyframe != key || f->size != n || memcmp(f->data, bytes, n) != 0 ||
			f->ssrc != SSRC) {
		unit_fail(file, line, "frame matches");
		fprintf(stderr, "\tgot ts %lld key %d size %zu ssrc %08x; expected ts %lld key %d size %zu\n",
			(long long)f->timestamp, f->keyframe, f->size, f->ssrc, (long long)ts, key, n);
	}
	rtk_frame_free(f);
}
#define EXPECT_FRAME(d, ts, key, bytes, n) expect_frame_at(d, ts, key, bytes, n, __FILE__, __LINE__)
#define EXPECT_NO_FRAME(d) CHECK_NULL(rtk_depack_pop(d))

static rtk_depack_stats stats_of(rtk_depack *d)
{
	rtk_depack_stats s;
	rtk_depack_get_stats(d, &s);
	return s;
}

/* Annex B: 00 00 00 01 before each NAL. */
static size_t annexb(uint8_t *out, const uint8_t *const *nals, const size_t *sizes, size_t count)
{
	size_t pos = 0;
	for (size_t i = 0; i < count; i++) {
		memcpy(out + pos, "\0\0\0\1", 4);
		memcpy(out + pos + 4, nals[i], sizes[i]);
		pos += 4 + sizes[i];
	}
	return pos;
}

static const uint8_t sps[] = { 0x67, 0x42, 0xc0, 0x1f, 0x8c, 0x8d, 0x40, 0x50 };
static const uint8_t pps[] = { 0x68, 0xce, 0x3c, 0x80 };
static const uint8_t idr[] = { 0x65, 0x88, 0x84, 0x00, 0x33, 0xff, 0x10, 0x20 };
static const uint8_t pslice[] = { 0x41, 0x9a, 0x02, 0x03, 0x04 };

/* An IDR access unit in one STAP-A: SPS, PPS, IDR. */
static size_t stap_a_keyframe(uint8_t *out)
{
	size_t pos = 0;
	out[pos++] = 0x78;   /* F=0 NRI=3 type 24 */
	const uint8_t *nals[] = { sps, pps, idr };
	const size_t sizes[] = { sizeof(sps), sizeof(pps), sizeof(idr) };
	for (int i = 0; i < 3; i++) {
		out[pos++] = (uint8_t)(sizes[i] >> 8);
		out[pos++] = (uint8_t)sizes[i];
		memcpy(out + pos, nals[i], sizes[i]);
		pos += sizes[i];
	}
	return pos;
}

static void expect_stap_a_keyframe(rtk_depack *d, int64_t ts, const char *file, int line)
{
	uint8_t want[64];
	const uint8_t *nals[] = { sps, pps, idr };
	const size_t sizes[] = { sizeof(sps), sizeof(pps), sizeof(idr) };
	size_t n = annexb(want, nals, sizes, 3);
	expect_frame_at(d, ts, true, want, n, file, line);
}

static void expect_pslice(rtk_depack *d, int64_t ts, const char *file, int line)
{
	uint8_t want[32];
	const uint8_t *nals[] = { pslice };
	const size_t sizes[] = { sizeof(pslice) };
	size_t n = annexb(want, nals, sizes, 1);
	expect_frame_at(d, ts, false, want, n, file, line);
}

/* ---- H.264 ---- */

static void test_h264_single_nal(void)
{
	rtk_depack *d = depack_new(RTK_CODEC_H264, 0);
	CHECK(push(d, 500, 90000, true, idr, sizeof(idr)));
	uint8_t want[32];
	const uint8_t *nals[] = { idr };
	const size_t sizes[] = { sizeof(idr) };
	size_t n = annexb(want, nals, sizes, 1);
	EXPECT_FRAME(d, 90000, true, want, n);

	CHECK(push(d, 501, 93000, true, pslice, sizeof(pslice)));
	expect_pslice(d, 93000, __FILE__, __LINE__);

	/* Two single NALs with one timestamp make one access unit. */
	CHECK(push(d, 502, 96000, false, sps, sizeof(sps)));
	EXPECT_NO_FRAME(d);
	CHECK(push(d, 503, 96000, true, pslice, sizeof(pslice)));
	const uint8_t *nals2[] = { sps, pslice };
	const size_t sizes2[] = { sizeof(sps), sizeof(pslice) };
	n = annexb(want, nals2, sizes2, 2);
	EXPECT_FRAME(d, 96000, false, want, n);
	EXPECT_NO_FRAME(d);
	CHECK(!rtk_depack_need_keyframe(d));
	rtk_depack_stats s = stats_of(d);
	CHECK_EQ_INT(s.packets, 4);
	CHECK_EQ_INT(s.frames, 3);
	CHECK_EQ_INT(s.dropped_frames, 0);
	depack_free(d);
}

static void test_h264_waits_for_first_keyframe(void)
{
	rtk_depack *d = depack_new(RTK_CODEC_H264, 0);
	CHECK(push(d, 1, 3000, true, pslice, sizeof(pslice)));
	EXPECT_NO_FRAME(d);
	CHECK(rtk_depack_need_keyframe(d));
	CHECK(!rtk_depack_need_keyframe(d));   /* reading clears it */
	CHECK(push(d, 2, 6000, true, pslice, sizeof(pslice)));
	EXPECT_NO_FRAME(d);
	CHECK(!rtk_depack_need_keyframe(d));   /* once per episode */
	uint8_t stap[64];
	size_t n = stap_a_keyframe(stap);
	CHECK(push(d, 3, 9000, true, stap, n));
	expect_stap_a_keyframe(d, 9000, __FILE__, __LINE__);
	CHECK_EQ_INT(stats_of(d).dropped_frames, 2);
	depack_free(d);
}

static void test_h264_stap_a(void)
{
	rtk_depack *d = depack_new(RTK_CODEC_H264, 0);
	uint8_t stap[64];
	size_t n = stap_a_keyframe(stap);
	CHECK(push(d, 7, 1234, true, stap, n));
	expect_stap_a_keyframe(d, 1234, __FILE__, __LINE__);
	EXPECT_NO_FRAME(d);

	/* A STAP-A whose last size runs past the packet breaks its frame; so
	 * does one with a zero-size NAL, or a byte left over at the end. */
	uint8_t bad[64];
	memcpy(bad, stap, n);
	bad[n - sizeof(idr) - 1] = 0xff;
	CHECK(push(d, 8, 4234, true, bad, n));
	EXPECT_NO_FRAME(d);
	uint8_t empty_nal[5 + 256] = { 0x78, 0x00, 0x00, 0x01, 0x00, 0x65 };   /* sizes 0, 256 */
	CHECK(push(d, 9, 7234, true, empty_nal, sizeof(empty_nal)));
	EXPECT_NO_FRAME(d);
	memcpy(bad, stap, n);
	bad[n] = 0x00;
	CHECK(push(d, 10, 10234, true, bad, n + 1));
	EXPECT_NO_FRAME(d);
	CHECK_EQ_INT(stats_of(d).dropped_frames, 3);
	/* The next whole one comes out (a keyframe, so the wait ends). */
	CHECK(push(d, 11, 13234, true, stap, n));
	expect_stap_a_keyframe(d, 13234, __FILE__, __LINE__);
	depack_free(d);
}

/* An IDR NAL of 61 bytes in five FU-A fragments. */
#define FU_NAL_SIZE 61
static void make_fu_nal(uint8_t *nal)
{
	nal[0] = 0x65;   /* NRI 3, type 5 */
	for (int i = 1; i < FU_NAL_SIZE; i++)
		nal[i] = (uint8_t)(i * 7 + 3);
}

/* Fragment k of 5 of `nal` (header byte excluded from the fragments). */
static size_t fu_fragment(uint8_t *out, const uint8_t *nal, int k)
{
	const size_t body = FU_NAL_SIZE - 1, per = body / 5;   /* 12 bytes each */
	out[0] = (uint8_t)((nal[0] & 0xe0) | 28);
	out[1] = (uint8_t)((k == 0 ? 0x80 : 0) | (k == 4 ? 0x40 : 0) | (nal[0] & 0x1f));
	memcpy(out + 2, nal + 1 + k * per, per);
	return 2 + per;
}

static void test_h264_fu_a_reordered_across_seq_wrap(void)
{
	rtk_depack *d = depack_new(RTK_CODEC_H264, 0);
	uint8_t nal[FU_NAL_SIZE], frag[5][32];
	size_t len[5];
	make_fu_nal(nal);
	for (int k = 0; k < 5; k++)
		len[k] = fu_fragment(frag[k], nal, k);
	const uint16_t seqs[5] = { 65534, 65535, 0, 1, 2 };
	const int order[5] = { 0, 2, 1, 4, 3 };
	for (int i = 0; i < 5; i++) {
		int k = order[i];
		CHECK(push(d, seqs[k], 777000, k == 4, frag[k], len[k]));
		if (i < 4)
			EXPECT_NO_FRAME(d);
	}
	uint8_t want[4 + FU_NAL_SIZE];
	const uint8_t *nals[] = { nal };
	const size_t sizes[] = { FU_NAL_SIZE };
	size_t n = annexb(want, nals, sizes, 1);
	EXPECT_FRAME(d, 777000, true, want, n);
	EXPECT_NO_FRAME(d);

	/* The stream goes on after the wrap. */
	CHECK(push(d, 3, 780000, true, pslice, sizeof(pslice)));
	expect_pslice(d, 780000, __FILE__, __LINE__);
	rtk_depack_stats s = stats_of(d);
	CHECK_EQ_INT(s.lost, 0);
	CHECK_EQ_INT(s.duplicates, 0);
	CHECK_EQ_INT(s.late, 0);
	CHECK_EQ_INT(s.frames, 2);
	CHECK(!rtk_depack_need_keyframe(d));
	depack_free(d);
}

static void test_h264_lost_middle_fragment(void)
{
	rtk_depack *d = depack_new(RTK_CODEC_H264, 4);
	uint8_t stap[64];
	size_t sn = stap_a_keyframe(stap);
	CHECK(push(d, 10, 0, true, stap, sn));
	expect_stap_a_keyframe(d, 0, __FILE__, __LINE__);
	CHECK(!rtk_depack_need_keyframe(d));

	/* Frame 2: an IDR in five fragments; fragment 2 (seq 13) never comes. */
	uint8_t nal[FU_NAL_SIZE], frag[32];
	make_fu_nal(nal);
	for (int k = 0; k < 5; k++) {
		size_t n = fu_fragment(frag, nal, k);
		if (k != 2)
			CHECK(push(d, (uint16_t)(11 + k), 3000, k == 4, frag, n));
	}
	EXPECT_NO_FRAME(d);
	CHECK(!rtk_depack_need_keyframe(d));   /* 13 may still come */

	/* P-frames: the window (4) fills, 13 is declared lost. */
	for (int i = 0; i < 3; i++)
		CHECK(push(d, (uint16_t)(16 + i), (uint32_t)(6000 + 3000 * i), true, pslice, sizeof(pslice)));
	EXPECT_NO_FRAME(d);
	CHECK(rtk_depack_need_keyframe(d));
	CHECK_EQ_INT(stats_of(d).lost, 1);

	/* 13 arriving now is late; more P-frames are still dropped. */
	{
		uint8_t late[32];
		size_t n = fu_fragment(late, nal, 2);
		CHECK(push(d, 13, 3000, false, late, n));
	}
	for (int i = 3; i < 6; i++)
		CHECK(push(d, (uint16_t)(16 + i), (uint32_t)(6000 + 3000 * i), true, pslice, sizeof(pslice)));
	EXPECT_NO_FRAME(d);
	CHECK(!rtk_depack_need_keyframe(d));   /* once per loss episode */

	/* The next IDR comes out, and so do the P-frames after it. */
	CHECK(push(d, 22, 30000, true, stap, sn));
	CHECK(push(d, 23, 33000, true, pslice, sizeof(pslice)));
	expect_stap_a_keyframe(d, 30000, __FILE__, __LINE__);
	expect_pslice(d, 33000, __FILE__, __LINE__);
	EXPECT_NO_FRAME(d);

	rtk_depack_stats s = stats_of(d);
	CHECK_EQ_INT(s.lost, 1);
	CHECK_EQ_INT(s.late, 1);
	CHECK_EQ_INT(s.frames, 3);
	CHECK_EQ_INT(s.dropped_frames, 7);   /* the broken IDR and six P-frames */
	depack_free(d);
}

static void test_h264_fu_a_without_start(void)
{
	rtk_depack *d = depack_new(RTK_CODEC_H264, 0);
	uint8_t stap[64];
	size_t sn = stap_a_keyframe(stap);
	CHECK(push(d, 100, 0, true, stap, sn));
	expect_stap_a_keyframe(d, 0, __FILE__, __LINE__);
	/* No sequence gap, but the sender skipped the start fragment. */
	uint8_t nal[FU_NAL_SIZE], frag[32];
	make_fu_nal(nal);
	for (int k = 1; k < 5; k++) {
		size_t n = fu_fragment(frag, nal, k);
		CHECK(push(d, (uint16_t)(100 + k), 3000, k == 4, frag, n));
	}
	EXPECT_NO_FRAME(d);
	CHECK(rtk_depack_need_keyframe(d));
	/* An FU-A that never ends, followed by a single NAL, breaks too. */
	size_t n = fu_fragment(frag, nal, 0);
	CHECK(push(d, 105, 6000, false, frag, n));
	CHECK(push(d, 106, 6000, true, idr, sizeof(idr)));
	EXPECT_NO_FRAME(d);
	/* So does a fragment of another NAL type in the middle of one. */
	n = fu_fragment(frag, nal, 0);
	CHECK(push(d, 107, 9000, false, frag, n));
	n = fu_fragment(frag, nal, 1);
	frag[1] = (uint8_t)((frag[1] & 0xe0) | 1);
	CHECK(push(d, 108, 9000, false, frag, n));
	for (int k = 2; k < 5; k++) {
		n = fu_fragment(frag, nal, k);
		CHECK(push(d, (uint16_t)(107 + k), 9000, k == 4, frag, n));
	}
	EXPECT_NO_FRAME(d);
	CHECK_EQ_INT(stats_of(d).dropped_frames, 3);
	depack_free(d);
}

static void test_h264_unsupported_types_ignored(void)
{
	rtk_depack *d = depack_new(RTK_CODEC_H264, 0);
	const uint8_t stap_b[] = { 0x79, 0x00, 0x01, 0x00, 0x02, 0x41, 0x00 };
	const uint8_t mtap16[] = { 0x7a, 0x00, 0x01, 0x02, 0x03 };
	const uint8_t fu_b[] = { 0x7d, 0x85, 0x00, 0x01, 0x02 };
	CHECK(push(d, 1, 3000, false, idr, sizeof(idr)));
	CHECK(push(d, 2, 3000, false, stap_b, sizeof(stap_b)));
	CHECK(push(d, 3, 3000, false, mtap16, sizeof(mtap16)));
	CHECK(push(d, 4, 3000, true, fu_b, sizeof(fu_b)));
	uint8_t want[32];
	const uint8_t *nals[] = { idr };
	const size_t sizes[] = { sizeof(idr) };
	size_t n = annexb(want, nals, sizes, 1);
	EXPECT_FRAME(d, 3000, true, want, n);
	rtk_depack_stats s = stats_of(d);
	CHECK_EQ_INT(s.ignored, 3);
	CHECK_EQ_INT(s.lost, 0);
	CHECK_EQ_INT(s.packets, 4);
	depack_free(d);
}

/* ---- ordering, duplicates, late packets, wraps (Opus keeps it simple) ---- */

static void opus_payload(uint8_t *p, uint16_t seq)
{
	p[0] = 0x78;   /* TOC: CELT FB 20 ms, one frame */
	p[1] = (uint8_t)(seq >> 8);
	p[2] = (uint8_t)seq;
}

static void expect_opus(rtk_depack *d, uint16_t seq, int64_t ts, const char *file, int line)
{
	uint8_t p[3];
	opus_payload(p, seq);
	expect_frame_at(d, ts, true, p, sizeof(p), file, line);
}
#define EXPECT_OPUS(d, seq, ts) expect_opus(d, seq, ts, __FILE__, __LINE__)

static bool push_opus(rtk_depack *d, uint16_t seq, uint32_t ts)
{
	uint8_t p[3];
	opus_payload(p, seq);
	return push(d, seq, ts, false, p, sizeof(p));
}

static void test_duplicates_late_and_lost(void)
{
	rtk_depack *d = depack_new(RTK_CODEC_OPUS, 4);
	CHECK(push_opus(d, 100, 96000));
	CHECK(push_opus(d, 102, 96000 + 2 * 960));
	CHECK(push_opus(d, 102, 96000 + 2 * 960));   /* duplicate of a held packet */
	EXPECT_OPUS(d, 100, 96000);
	EXPECT_NO_FRAME(d);
	CHECK(push_opus(d, 101, 96000 + 960));
	EXPECT_OPUS(d, 101, 96000 + 960);
	EXPECT_OPUS(d, 102, 96000 + 2 * 960);
	CHECK(push_opus(d, 101, 96000 + 960));       /* duplicate of a delivered packet */
	EXPECT_NO_FRAME(d);

	/* 103 is missing; 104..106 wait; 107 fills the window: 103 is lost. */
	for (uint16_t s = 104; s <= 106; s++)
		CHECK(push_opus(d, s, 96000 + (s - 100) * 960u));
	EXPECT_NO_FRAME(d);
	CHECK(push_opus(d, 107, 96000 + 7 * 960));
	for (uint16_t s = 104; s <= 107; s++)
		EXPECT_OPUS(d, s, 96000 + (s - 100) * 960);
	EXPECT_NO_FRAME(d);
	CHECK(push_opus(d, 103, 96000 + 3 * 960));   /* after it was given up: late */
	CHECK(push_opus(d, 60, 96000 - 40 * 960));   /* far older: late */
	EXPECT_NO_FRAME(d);
	CHECK(!rtk_depack_need_keyframe(d));         /* audio never asks */

	rtk_depack_stats s = stats_of(d);
	CHECK_EQ_INT(s.packets, 11);
	CHECK_EQ_INT(s.duplicates, 2);
	CHECK_EQ_INT(s.late, 2);
	CHECK_EQ_INT(s.lost, 1);
	CHECK_EQ_INT(s.frames, 7);
	CHECK_EQ_INT(s.dropped_frames, 0);
	depack_free(d);
}

static void test_timestamp_wrap(void)
{
	rtk_depack *d = depack_new(RTK_CODEC_OPUS, 0);
	CHECK(push_opus(d, 1, 0xFFFFFE00u));
	CHECK(push_opus(d, 3, 0x00000100u));   /* after the wrap, early */
	CHECK(push_opus(d, 2, 0xFFFFFF00u));   /* before the wrap, late in coming */
	CHECK(push_opus(d, 4, 0x00000200u));
	EXPECT_OPUS(d, 1, 0xFFFFFE00LL);
	EXPECT_OPUS(d, 2, 0xFFFFFF00LL);
	EXPECT_OPUS(d, 3, 0x100000100LL);
	EXPECT_OPUS(d, 4, 0x100000200LL);
	EXPECT_NO_FRAME(d);
	depack_free(d);

	/* Video across the wrap, sequence numbers wrapping too. */
	d = depack_new(RTK_CODEC_H264, 0);
	uint8_t stap[64];
	size_t sn = stap_a_keyframe(stap);
	CHECK(push(d, 65535, 0xFFFFFF00u, true, stap, sn));
	CHECK(push(d, 0, 0x00000100u, true, pslice, sizeof(pslice)));
	expect_stap_a_keyframe(d, 0xFFFFFF00LL, __FILE__, __LINE__);
	expect_pslice(d, 0x100000100LL, __FILE__, __LINE__);
	depack_free(d);
}

/* Frames never go back in time: one whose timestamp is below the last
 * frame's is dropped (muxers need increasing times). */
static void test_timestamp_going_back_dropped(void)
{
	rtk_depack *d = depack_new(RTK_CODEC_OPUS, 0);
	CHECK(push_opus(d, 1, 10000));
	CHECK(push_opus(d, 2, 9040));
	CHECK(push_opus(d, 3, 10960));
	EXPECT_OPUS(d, 1, 10000);
	EXPECT_OPUS(d, 3, 10960);
	EXPECT_NO_FRAME(d);
	CHECK_EQ_INT(stats_of(d).dropped_frames, 1);
	depack_free(d);

	d = depack_new(RTK_CODEC_H264, 0);
	uint8_t stap[64];
	size_t sn = stap_a_keyframe(stap);
	CHECK(push(d, 1, 9000, true, stap, sn));
	CHECK(push(d, 2, 6000, true, stap, sn));
	CHECK(push(d, 3, 12000, true, stap, sn));
	expect_stap_a_keyframe(d, 9000, __FILE__, __LINE__);
	expect_stap_a_keyframe(d, 12000, __FILE__, __LINE__);
	EXPECT_NO_FRAME(d);
	CHECK_EQ_INT(stats_of(d).dropped_frames, 1);
	depack_free(d);
}

static void test_opus_passthrough(void)
{
	rtk_depack *d = depack_new(RTK_CODEC_OPUS, 0);
	const uint8_t a[] = { 0xfc, 0xff, 0xfe }, b[] = { 0x48, 0x01 }, c[] = { 0x78 };
	CHECK(push(d, 9, 48000, true, a, sizeof(a)));   /* marker: start of talkspurt */
	CHECK(push(d, 11, 48000 + 1920, false, c, sizeof(c)));
	CHECK(push(d, 10, 48000 + 960, false, b, sizeof(b)));
	CHECK(push(d, 12, 48000 + 2880, false, NULL, 0));   /* empty: dropped */
	EXPECT_FRAME(d, 48000, true, a, sizeof(a));
	EXPECT_FRAME(d, 48000 + 960, true, b, sizeof(b));
	EXPECT_FRAME(d, 48000 + 1920, true, c, sizeof(c));
	EXPECT_NO_FRAME(d);
	rtk_frame *f = NULL;
	CHECK(push(d, 13, 48000 + 3840, false, a, sizeof(a)));
	f = rtk_depack_pop(d);
	CHECK_NOT_NULL(f);
	if (f)
		CHECK_EQ_INT(f->codec, RTK_CODEC_OPUS);
	rtk_frame_free(f);
	rtk_depack_stats s = stats_of(d);
	CHECK_EQ_INT(s.frames, 4);
	CHECK_EQ_INT(s.lost, 0);
	depack_free(d);
}

/* ---- VP8 ---- */

/* Key frame: frame tag (key, version 0, shown, first partition 24 bytes),
 * start code, 320x240. */
static const uint8_t vp8_key_part1[] = {
	0x10, 0x03, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00,
	0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8
};
static const uint8_t vp8_key_part1b[] = { 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6 };
static const uint8_t vp8_key_part2[] = { 0xc1, 0xc2, 0xc3, 0xc4, 0xc5 };
static const uint8_t vp8_inter[] = { 0x31, 0x01, 0x00, 0xd1, 0xd2, 0xd3 };

/* Descriptor with every extension: X=1, S, PID | I L T K | M + 15-bit
 * PictureID | TL0PICIDX | TID/Y/KEYIDX. */
static size_t vp8_packet(uint8_t *out, bool start, unsigned pid, uint16_t picture_id,
		const uint8_t *data, size_t n)
{
	size_t pos = 0;
	out[pos++] = (uint8_t)(0x80 | (start ? 0x10 : 0) | pid);
	out[pos++] = 0xf0;
	out[pos++] = (uint8_t)(0x80 | (picture_id >> 8));
	out[pos++] = (uint8_t)picture_id;
	out[pos++] = 0x05;          /* TL0PICIDX */
	out[pos++] = 0x40 | 0x03;   /* TID 1, Y 0, KEYIDX 3 */
	memcpy(out + pos, data, n);
	return pos + n;
}

/* Minimal descriptor: X=0. */
static size_t vp8_packet_short(uint8_t *out, bool start, const uint8_t *data, size_t n)
{
	out[0] = start ? 0x10 : 0x00;
	memcpy(out + 1, data, n);
	return 1 + n;
}

static void test_vp8_three_packets_two_partitions(void)
{
	rtk_depack *d = depack_new(RTK_CODEC_VP8, 0);
	uint8_t pkt[3][64];
	size_t len[3];
	len[0] = vp8_packet(pkt[0], true, 0, 0x1234, vp8_key_part1, sizeof(vp8_key_part1));
	len[1] = vp8_packet(pkt[1], false, 0, 0x1234, vp8_key_part1b, sizeof(vp8_key_part1b));
	len[2] = vp8_packet(pkt[2], true, 1, 0x1234, vp8_key_part2, sizeof(vp8_key_part2));
	CHECK(push(d, 40000, 5000, false, pkt[0], len[0]));
	CHECK(push(d, 40002, 5000, true, pkt[2], len[2]));
	CHECK(push(d, 40001, 5000, false, pkt[1], len[1]));
	uint8_t want[64];
	size_t n = 0;
	memcpy(want + n, vp8_key_part1, sizeof(vp8_key_part1));
	n += sizeof(vp8_key_part1);
	memcpy(want + n, vp8_key_part1b, sizeof(vp8_key_part1b));
	n += sizeof(vp8_key_part1b);
	memcpy(want + n, vp8_key_part2, sizeof(vp8_key_part2));
	n += sizeof(vp8_key_part2);
	EXPECT_FRAME(d, 5000, true, want, n);
	/* The keyframe's picture size is in the stats (what companions report). */
	rtk_depack_stats st;
	rtk_depack_get_stats(d, &st);
	CHECK_EQ_INT((int)st.width, 320);
	CHECK_EQ_INT((int)st.height, 240);

	/* An inter frame with a 7-bit PictureID descriptor... */
	uint8_t p[32];
	p[0] = 0x90; p[1] = 0x80; p[2] = 0x35;
	memcpy(p + 3, vp8_inter, sizeof(vp8_inter));
	CHECK(push(d, 40003, 8000, true, p, 3 + sizeof(vp8_inter)));
	EXPECT_FRAME(d, 8000, false, vp8_inter, sizeof(vp8_inter));
	/* ...and one with no extension at all. */
	size_t m = vp8_packet_short(p, true, vp8_inter, sizeof(vp8_inter));
	CHECK(push(d, 40004, 11000, true, p, m));
	EXPECT_FRAME(d, 11000, false, vp8_inter, sizeof(vp8_inter));
	EXPECT_NO_FRAME(d);
	CHECK(!rtk_depack_need_keyframe(d));
	depack_free(d);
}

static void test_vp8_missing_first_packet(void)
{
	rtk_depack *d = depack_new(RTK_CODEC_VP8, 4);
	uint8_t p[64];
	size_t n;
	/* The stream's first packet we see is not a frame start. */
	n = vp8_packet(p, false, 0, 7, vp8_key_part1b, sizeof(vp8_key_part1b));
	CHECK(push(d, 1, 1000, true, p, n));
	EXPECT_NO_FRAME(d);
	CHECK_EQ_INT(stats_of(d).dropped_frames, 1);
	CHECK(rtk_depack_need_keyframe(d));

	/* A key frame, then a frame whose first packet (seq 4) is lost. */
	n = vp8_packet(p, true, 0, 8, vp8_key_part1, sizeof(vp8_key_part1));
	CHECK(push(d, 2, 2000, false, p, n));
	n = vp8_packet(p, false, 0, 8, vp8_key_part1b, sizeof(vp8_key_part1b));
	CHECK(push(d, 3, 2000, true, p, n));
	uint8_t want[64];
	memcpy(want, vp8_key_part1, sizeof(vp8_key_part1));
	memcpy(want + sizeof(vp8_key_part1), vp8_key_part1b, sizeof(vp8_key_part1b));
	EXPECT_FRAME(d, 2000, true, want, sizeof(vp8_key_part1) + sizeof(vp8_key_part1b));
	n = vp8_packet(p, false, 0, 9, vp8_inter, sizeof(vp8_inter));
	CHECK(push(d, 5, 3000, true, p, n));
	/* The next key frame: its packets fill the window, 4 is given up. */
	n = vp8_packet(p, true, 0, 10, vp8_key_part1, sizeof(vp8_key_part1));
	CHECK(push(d, 6, 4000, false, p, n));
	n = vp8_packet(p, false, 0, 10, vp8_key_part1b, sizeof(vp8_key_part1b));
	CHECK(push(d, 7, 4000, false, p, n));
	n = vp8_packet(p, true, 1, 10, vp8_key_part2, sizeof(vp8_key_part2));
	CHECK(push(d, 8, 4000, true, p, n));
	memcpy(want + sizeof(vp8_key_part1) + sizeof(vp8_key_part1b), vp8_key_part2, sizeof(vp8_key_part2));
	EXPECT_FRAME(d, 4000, true, want,
		sizeof(vp8_key_part1) + sizeof(vp8_key_part1b) + sizeof(vp8_key_part2));
	EXPECT_NO_FRAME(d);
	CHECK(rtk_depack_need_keyframe(d));
	rtk_depack_stats s = stats_of(d);
	CHECK_EQ_INT(s.lost, 1);
	CHECK_EQ_INT(s.dropped_frames, 2);
	CHECK_EQ_INT(s.frames, 2);
	depack_free(d);
}

static void test_vp8_lost_last_packet(void)
{
	rtk_depack *d = depack_new(RTK_CODEC_VP8, 2);
	uint8_t p[64], want[64];
	size_t n;
	/* Descriptor with K only (KEYIDX byte, no PictureID). */
	p[0] = 0x90; p[1] = 0x10; p[2] = 0x1f;
	memcpy(p + 3, vp8_key_part1, sizeof(vp8_key_part1));
	CHECK(push(d, 1, 1000, true, p, 3 + sizeof(vp8_key_part1)));
	EXPECT_FRAME(d, 1000, true, vp8_key_part1, sizeof(vp8_key_part1));
	/* A key frame whose last packet (seq 3, the marker) is lost... */
	n = vp8_packet(p, true, 0, 2, vp8_key_part1, sizeof(vp8_key_part1));
	CHECK(push(d, 2, 2000, false, p, n));
	/* ...then a key frame that is whole: its first packet begins it. */
	n = vp8_packet(p, true, 0, 3, vp8_key_part1, sizeof(vp8_key_part1));
	CHECK(push(d, 4, 3000, false, p, n));
	n = vp8_packet(p, false, 0, 3, vp8_key_part1b, sizeof(vp8_key_part1b));
	CHECK(push(d, 5, 3000, true, p, n));
	memcpy(want, vp8_key_part1, sizeof(vp8_key_part1));
	memcpy(want + sizeof(vp8_key_part1), vp8_key_part1b, sizeof(vp8_key_part1b));
	EXPECT_FRAME(d, 3000, true, want, sizeof(vp8_key_part1) + sizeof(vp8_key_part1b));
	EXPECT_NO_FRAME(d);
	rtk_depack_stats s = stats_of(d);
	CHECK_EQ_INT(s.lost, 1);
	CHECK_EQ_INT(s.dropped_frames, 1);
	depack_free(d);
}

static void test_vp8_bad_descriptor_ignored(void)
{
	rtk_depack *d = depack_new(RTK_CODEC_VP8, 0);
	const uint8_t truncated[] = { 0x90, 0x80 };          /* I set, PictureID missing */
	const uint8_t no_payload[] = { 0x90, 0x80, 0x81, 0x02 };
	CHECK(push(d, 1, 1000, true, truncated, sizeof(truncated)));
	CHECK(push(d, 2, 2000, true, no_payload, sizeof(no_payload)));
	EXPECT_NO_FRAME(d);
	CHECK_EQ_INT(stats_of(d).ignored, 2);
	depack_free(d);
}

/* ---- RTP header ---- */

static void test_rtp_header_fields(void)
{
	rtk_depack *d = depack_new(RTK_CODEC_OPUS, 0);
	const uint8_t a[] = { 0x78, 0x01, 0x02, 0x03 };
	rtp_opts o = { 0, 3, 2, 5 };   /* 3 CSRCs, 2-word extension, 5 bytes of padding */
	CHECK(push_opts(d, 1, 960, false, a, sizeof(a), &o));
	EXPECT_FRAME(d, 960, true, a, sizeof(a));
	rtp_opts only_pad = { 0, 0, 0, 4 };   /* padding-only video packet */
	rtk_depack *v = depack_new(RTK_CODEC_H264, 0);
	CHECK(push(v, 1, 3000, false, idr, sizeof(idr)));
	CHECK(push_opts(v, 2, 3000, false, NULL, 0, &only_pad));
	CHECK(push(v, 3, 3000, true, pslice, sizeof(pslice)));
	uint8_t want[32];
	const uint8_t *nals[] = { idr, pslice };
	const size_t sizes[] = { sizeof(idr), sizeof(pslice) };
	size_t n = annexb(want, nals, sizes, 2);
	EXPECT_FRAME(v, 3000, true, want, n);
	CHECK_EQ_INT(stats_of(v).lost, 0);
	depack_free(v);
	depack_free(d);
}

static bool stats_equal(const rtk_depack_stats *a, const rtk_depack_stats *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static void test_malformed_rejected(void)
{
	rtk_depack *d = depack_new(RTK_CODEC_OPUS, 0);
	CHECK(push_opus(d, 10, 9600));
	EXPECT_OPUS(d, 10, 9600);
	CHECK(push_opus(d, 12, 9600 + 2 * 960));   /* held, waiting for 11 */
	rtk_depack_stats before = stats_of(d);

	const uint8_t a[] = { 0x78, 0x01, 0x02 };
	uint8_t buf[256];
	rtp_opts other = { 0x99999999u, 0, 0, 0 };   /* another SSRC: would reset */
	size_t n = rtp_put_opts(buf, 11, 9600 + 960, false, a, sizeof(a), &other);

	uint8_t bad[256];
	memcpy(bad, buf, n);
	bad[0] = (uint8_t)((bad[0] & 0x3f) | 0x40);               /* version 1 */
	CHECK(!feed(d, bad, n));
	CHECK(!feed(d, buf, 11));                       /* too short */
	CHECK(!feed(d, NULL, 0));
	memcpy(bad, buf, n);
	bad[0] |= 0x0f;                                            /* 15 CSRCs in 15 bytes */
	CHECK(!feed(d, bad, n));
	rtp_opts ext = { 0x99999999u, 0, 1, 0 };
	size_t en = rtp_put_opts(bad, 11, 9600 + 960, false, a, sizeof(a), &ext);
	bad[15] = 2;                                               /* extension: 2 words, 1 there */
	CHECK(!feed(d, bad, en));
	CHECK(!feed(d, bad, 14));                       /* extension header cut */
	rtp_opts pad = { 0x99999999u, 0, 0, 2 };
	size_t pn = rtp_put_opts(bad, 11, 9600 + 960, false, a, sizeof(a), &pad);
	bad[pn - 1] = (uint8_t)(sizeof(a) + 3);                    /* padding > payload */
	CHECK(!feed(d, bad, pn));
	bad[pn - 1] = 0;                                           /* padding length 0 */
	CHECK(!feed(d, bad, pn));
	memcpy(bad, buf, n);
	bad[1] = 200;                                              /* RTCP SR */
	CHECK(!feed(d, bad, n));

	rtk_depack_stats after = stats_of(d);
	CHECK(stats_equal(&before, &after));
	EXPECT_NO_FRAME(d);
	/* The stream is intact: 11 completes it. */
	CHECK(push_opus(d, 11, 9600 + 960));
	EXPECT_OPUS(d, 11, 9600 + 960);
	EXPECT_OPUS(d, 12, 9600 + 2 * 960);
	EXPECT_NO_FRAME(d);
	CHECK_EQ_INT(stats_of(d).lost, 0);

	/* Malformed packets cannot start a stream either. */
	rtk_depack *fresh = depack_new(RTK_CODEC_VP8, 0);
	memcpy(bad, buf, n);
	bad[0] = 0x00;
	CHECK(!feed(fresh, bad, n));
	rtk_depack_stats zero = stats_of(fresh), none;
	memset(&none, 0, sizeof(none));
	CHECK(stats_equal(&zero, &none));
	CHECK(!rtk_depack_need_keyframe(fresh));
	depack_free(fresh);
	depack_free(d);
}

static void test_ssrc_change_starts_a_new_stream(void)
{
	rtk_depack *d = depack_new(RTK_CODEC_OPUS, 0);
	CHECK(push_opus(d, 10, 9600));
	CHECK(push_opus(d, 12, 9600 + 2 * 960));   /* held; 11 never comes */
	EXPECT_OPUS(d, 10, 9600);
	uint8_t p[3];
	opus_payload(p, 5000);
	rtp_opts other = { 0x55667788u, 0, 0, 0 };
	CHECK(push_opts(d, 5000, 100, false, p, sizeof(p), &other));
	/* The old stream's held packet comes out first, then the new one. */
	EXPECT_OPUS(d, 12, 9600 + 2 * 960);
	rtk_frame *f = rtk_depack_pop(d);
	CHECK_NOT_NULL(f);
	if (f) {
		CHECK_EQ_INT(f->ssrc, 0x55667788u);
		CHECK_EQ_INT(f->timestamp, 100);
		CHECK_EQ_INT(f->size, 3);
	}
	rtk_frame_free(f);
	CHECK_EQ_INT(stats_of(d).lost, 1);
	depack_free(d);
}

static void test_flush(void)
{
	rtk_depack *d = depack_new(RTK_CODEC_H264, 0);
	uint8_t stap[64];
	size_t sn = stap_a_keyframe(stap);
	CHECK(push(d, 1, 1000, true, stap, sn));
	CHECK(push(d, 3, 7000, true, pslice, sizeof(pslice)));   /* held behind 2 */
	expect_stap_a_keyframe(d, 1000, __FILE__, __LINE__);
	EXPECT_NO_FRAME(d);
	rtk_depack_flush(d);
	EXPECT_NO_FRAME(d);   /* 2 lost: 3 is dropped, waiting for a key frame */
	rtk_depack_stats s = stats_of(d);
	CHECK_EQ_INT(s.lost, 1);
	CHECK_EQ_INT(s.dropped_frames, 1);
	/* After a flush, any sequence number starts the stream again. */
	CHECK(push(d, 30000, 500, true, stap, sn));
	expect_stap_a_keyframe(d, 500, __FILE__, __LINE__);
	depack_free(d);
}

/* ---- RTP captured from aiortc (tests/unit/data/README.md) ---- */

#define CAPTURE_FILE "tests/unit/data/depack_aiortc_vp8_opus.rtp"
#define CAPTURE_MAX_PACKETS 256
#define CAPTURE_VP8_PT 96
#define CAPTURE_OPUS_PT 111
#define CAPTURE_VP8_FRAMES 30
#define CAPTURE_VP8_SECOND_KEY 20   /* a keyframe was requested there */
#define CAPTURE_OPUS_FRAMES 50
#define CAPTURE_WIDTH 320
#define CAPTURE_HEIGHT 240

typedef struct capture {
	uint8_t *bytes;
	size_t size;
	const uint8_t *pkt[CAPTURE_MAX_PACKETS];
	size_t len[CAPTURE_MAX_PACKETS];
	int pt[CAPTURE_MAX_PACKETS];   /* -1: RTCP */
	size_t count;
} capture;

static bool capture_load(capture *c)
{
	const char *top = getenv("RTK_TOP_SRCDIR");
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", top && *top ? top : ".", CAPTURE_FILE);
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		return false;
	}
	c->bytes = malloc(1 << 20);
	c->size = c->bytes ? fread(c->bytes, 1, 1 << 20, f) : 0;
	fclose(f);
	c->count = 0;
	for (size_t pos = 0; pos + 2 <= c->size && c->count < CAPTURE_MAX_PACKETS;) {
		size_t n = ((size_t)c->bytes[pos] << 8) | c->bytes[pos + 1];
		if (n > c->size - pos - 2 || n < 2)
			return false;
		c->pkt[c->count] = c->bytes + pos + 2;
		c->len[c->count] = n;
		uint8_t b1 = c->bytes[pos + 3];
		c->pt[c->count] = (b1 >= 192 && b1 <= 223) ? -1 : (b1 & 0x7f);   /* RFC 5761 demux */
		c->count++;
		pos += 2 + n;
	}
	return c->count > 0;
}

typedef struct capture_result {
	int frames, keyframes, first_key, second_key;
	int64_t first_ts;
	bool spacing_ok, contiguous, headers_ok;
	uint8_t *blob;   /* every frame's bytes, concatenated, to compare runs */
	size_t blob_len;
} capture_result;

static void blob_add(capture_result *r, const uint8_t *p, size_t n)
{
	uint8_t *b = realloc(r->blob, r->blob_len + n);
	if (!b)
		return;
	memcpy(b + r->blob_len, p, n);
	r->blob = b;
	r->blob_len += n;
}

/* VP8 frame header (RFC 6386 9.1): the tag's first-partition size fits;
 * a key frame has the start code and the encoder's 14-bit dimensions. */
static bool vp8_header_ok(const rtk_frame *f)
{
	if (f->size < 3)
		return false;
	uint32_t tag = f->data[0] | (f->data[1] << 8) | ((uint32_t)f->data[2] << 16);
	bool key = (tag & 1) == 0, shown = (tag >> 4) & 1;
	size_t first_part = tag >> 5;
	if (key != f->keyframe || !shown || first_part + (key ? 10 : 3) > f->size)
		return false;
	if (!key)
		return true;
	unsigned w = (f->data[6] | (f->data[7] << 8)) & 0x3fff;
	unsigned h = (f->data[8] | (f->data[9] << 8)) & 0x3fff;
	return f->data[3] == 0x9d && f->data[4] == 0x01 && f->data[5] == 0x2a &&
		w == CAPTURE_WIDTH && h == CAPTURE_HEIGHT;
}

static void collect(rtk_depack *d, capture_result *r, int64_t spacing)
{
	rtk_frame *f;
	while ((f = rtk_depack_pop(d)) != NULL) {
		if (r->frames == 0)
			r->first_ts = f->timestamp;
		if (f->keyframe) {
			if (r->keyframes == 0)
				r->first_key = r->frames;
			else if (r->keyframes == 1)
				r->second_key = r->frames;
			r->keyframes++;
		}
		int64_t index = (f->timestamp - r->first_ts) / spacing;
		if ((f->timestamp - r->first_ts) % spacing != 0 || index < r->frames)
			r->spacing_ok = false;
		if (index != r->frames)
			r->contiguous = false;
		if (f->codec == RTK_CODEC_VP8 && !vp8_header_ok(f))
			r->headers_ok = false;
		blob_add(r, f->data, f->size);
		r->frames++;
		rtk_frame_free(f);
	}
}

/* Feeds the capture's packets of `pt`, in the order of `order` (n indices;
 * NULL: as captured), leaving out index `skip` (-1: none). */
static capture_result replay(const capture *c, int pt, const size_t *order, size_t n, long skip,
		unsigned window, rtk_depack_stats *stats)
{
	rtk_codec codec = pt == CAPTURE_VP8_PT ? RTK_CODEC_VP8 : RTK_CODEC_OPUS;
	int64_t spacing = pt == CAPTURE_VP8_PT ? 3000 : 960;
	rtk_depack *d = depack_new(codec, window);
	capture_result r = { 0, 0, -1, -1, 0, true, true, true, NULL, 0 };
	if (!order)
		n = c->count;
	for (size_t i = 0; i < n; i++) {
		size_t k = order ? order[i] : i;
		if (c->pt[k] != pt || (long)k == skip)
			continue;
		CHECK(feed(d, c->pkt[k], c->len[k]));
		collect(d, &r, spacing);
	}
	rtk_depack_flush(d);
	collect(d, &r, spacing);
	rtk_depack_get_stats(d, stats);
	depack_free(d);
	return r;
}

/* The RTP payload of a captured packet (header, CSRCs, extension skipped). */
static const uint8_t *capture_payload(const capture *c, size_t k)
{
	const uint8_t *p = c->pkt[k];
	size_t pos = 12 + 4 * (size_t)(p[0] & 0x0f);
	if (p[0] & 0x10)
		pos += 4 + 4 * (((size_t)p[pos + 2] << 8) | p[pos + 3]);
	return p + pos;
}

/* A VP8 packet that continues (S=0) a frame at or after `from`, and that
 * frame's index. */
static long capture_vp8_middle_packet(const capture *c, int from, int *frame)
{
	int f = 0;
	for (size_t k = 0; k < c->count; k++) {
		if (c->pt[k] != CAPTURE_VP8_PT)
			continue;
		if (f >= from && f < CAPTURE_VP8_SECOND_KEY && !(capture_payload(c, k)[0] & 0x10)) {
			*frame = f;
			return (long)k;
		}
		if (c->pkt[k][1] & 0x80)
			f++;
	}
	return -1;
}

static bool same_bytes(const capture_result *a, const capture_result *b)
{
	return a->blob_len == b->blob_len && (a->blob_len == 0 || memcmp(a->blob, b->blob, a->blob_len) == 0);
}

static void test_aiortc_capture(void)
{
	capture c;
	memset(&c, 0, sizeof(c));
	bool loaded = capture_load(&c);
	CHECK(loaded);
	if (!loaded) {
		free(c.bytes);
		return;
	}

	/* As captured. */
	rtk_depack_stats s;
	capture_result v = replay(&c, CAPTURE_VP8_PT, NULL, 0, -1, 0, &s);
	CHECK_EQ_INT(v.frames, CAPTURE_VP8_FRAMES);
	CHECK_EQ_INT(v.keyframes, 2);
	CHECK_EQ_INT(v.first_key, 0);
	CHECK_EQ_INT(v.second_key, CAPTURE_VP8_SECOND_KEY);
	CHECK(v.spacing_ok && v.contiguous);
	CHECK(v.headers_ok);
	CHECK_EQ_INT(s.lost + s.duplicates + s.late + s.dropped_frames + s.ignored, 0);
	capture_result a = replay(&c, CAPTURE_OPUS_PT, NULL, 0, -1, 0, &s);
	CHECK_EQ_INT(a.frames, CAPTURE_OPUS_FRAMES);
	CHECK(a.spacing_ok && a.contiguous);
	CHECK_EQ_INT(s.lost + s.duplicates + s.late + s.dropped_frames, 0);

	/* Shuffled (neighbours swapped, every fifth packet twice): same bytes. */
	size_t order[2 * CAPTURE_MAX_PACKETS];
	size_t n = 0;
	for (size_t i = 0; i < c.count; i += 2) {
		if (i + 1 < c.count)
			order[n++] = i + 1;
		order[n++] = i;
		if (i % 5 == 0)
			order[n++] = i;
	}
	capture_result vs = replay(&c, CAPTURE_VP8_PT, order, n, -1, 0, &s);
	CHECK_EQ_INT(vs.frames, CAPTURE_VP8_FRAMES);
	CHECK(same_bytes(&vs, &v));
	CHECK(s.duplicates > 0);
	CHECK_EQ_INT(s.lost + s.late + s.dropped_frames, 0);
	capture_result as = replay(&c, CAPTURE_OPUS_PT, order, n, -1, 0, &s);
	CHECK_EQ_INT(as.frames, CAPTURE_OPUS_FRAMES);
	CHECK(same_bytes(&as, &a));

	/* One packet lost in the middle of frame k: k and what follows up to
	 * the requested key frame are dropped; the rest is intact. */
	int k = -1;
	long lost = capture_vp8_middle_packet(&c, 5, &k);
	CHECK(lost >= 0);
	capture_result vl = replay(&c, CAPTURE_VP8_PT, NULL, 0, lost, 8, &s);
	CHECK_EQ_INT(vl.frames, k + (CAPTURE_VP8_FRAMES - CAPTURE_VP8_SECOND_KEY));
	CHECK_EQ_INT(vl.keyframes, 2);
	CHECK_EQ_INT(vl.second_key, k);
	CHECK_EQ_INT(s.lost, 1);
	CHECK_EQ_INT(s.dropped_frames, CAPTURE_VP8_SECOND_KEY - k);
	CHECK(vl.headers_ok);

	free(v.blob);
	free(a.blob);
	free(vs.blob);
	free(as.blob);
	free(vl.blob);
	free(c.bytes);
}

/* UNIT_RUN, naming the test's fuzz seeds after it. */
#define RUN(fn) do { seed_test = #fn; seed_count = 0; UNIT_RUN(fn); } while (0)

int main(void)
{
	RUN(test_h264_single_nal);
	RUN(test_h264_waits_for_first_keyframe);
	RUN(test_h264_stap_a);
	RUN(test_h264_fu_a_reordered_across_seq_wrap);
	RUN(test_h264_lost_middle_fragment);
	RUN(test_h264_fu_a_without_start);
	RUN(test_h264_unsupported_types_ignored);
	RUN(test_duplicates_late_and_lost);
	RUN(test_timestamp_wrap);
	RUN(test_timestamp_going_back_dropped);
	RUN(test_opus_passthrough);
	RUN(test_vp8_three_packets_two_partitions);
	RUN(test_vp8_missing_first_packet);
	RUN(test_vp8_lost_last_packet);
	RUN(test_vp8_bad_descriptor_ignored);
	RUN(test_rtp_header_fields);
	RUN(test_malformed_rejected);
	RUN(test_ssrc_change_starts_a_new_stream);
	RUN(test_flush);
	RUN(test_aiortc_capture);
	return UNIT_DONE();
}
