/*
 * depack.h - from RTP packets to whole encoded frames, for the recorder and
 * the HLS segmenter (design.md sections 2 and 4.4).
 *
 * Owns, per incoming RTP stream: ordering by extended sequence number
 * (reorder window, duplicates dropped, 16-bit wrap), 32-bit timestamp wrap,
 * the codec's depacketization (H.264: single NAL, STAP-A, FU-A -> Annex B;
 * VP8: payload descriptor stripped, keyframe flag; Opus: one packet = one
 * frame), and loss handling: a frame with a missing packet is dropped, and
 * video then waits for the next keyframe, asking for one (need_keyframe).
 *
 * Everything here is plain C (no FFmpeg, no Janus) and is fuzzed: input is
 * untrusted bytes off the network.
 *
 * Ownership: rtk_depack_push() borrows the packet; frames returned by
 * rtk_depack_pop() are owned by the caller (rtk_frame_free()).
 */
#ifndef RTK_DEPACK_H
#define RTK_DEPACK_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

typedef enum rtk_codec {
	RTK_CODEC_OPUS = 0,
	RTK_CODEC_VP8,
	RTK_CODEC_H264
} rtk_codec;

typedef struct rtk_frame {
	rtk_codec codec;
	uint8_t *data;         /* the encoded frame: Opus packet, VP8 frame, or H.264 Annex B access unit */
	size_t size;
	int64_t timestamp;     /* extended RTP timestamp (wraps unrolled), in the codec's clock */
	uint32_t ssrc;
	bool keyframe;         /* video: decodable alone (VP8 key frame; H.264 IDR) */
} rtk_frame;

void rtk_frame_free(rtk_frame *frame);

typedef struct rtk_depack rtk_depack;

/* `reorder_window`: packets held at most to reorder (e.g. 64 for video,
 * 8 for audio); 0 picks a default for the codec. */
rtk_depack *rtk_depack_new(rtk_codec codec, unsigned reorder_window);
/* Larger reorder windows are clamped to this. */
#define RTK_DEPACK_MAX_WINDOW 1024
void rtk_depack_free(rtk_depack *depack);

/* Feeds one RTP packet (header included). Returns false for a packet that
 * is not RTP or not this stream's payload (it is ignored, nothing else
 * changes). */
bool rtk_depack_push(rtk_depack *depack, const uint8_t *packet, size_t len);

/* End of stream (also done by itself when the SSRC changes): delivers the
 * packets still held, counting the missing ones lost, drops a frame left
 * without its marker, and forgets the stream, so the next packet starts a
 * new one. Frames already finished stay queued for rtk_depack_pop(). */
void rtk_depack_flush(rtk_depack *depack);

/* The next complete frame in order, or NULL when none is ready. */
rtk_frame *rtk_depack_pop(rtk_depack *depack);

/* True when video lost data and the sender should be asked for a keyframe;
 * reading it clears it. (A video stream also starts by waiting for a
 * keyframe: frames before the first one are dropped, and this turns true
 * on the first such frame.) */
bool rtk_depack_need_keyframe(rtk_depack *depack);

/* Counters for tests and logs. */
typedef struct rtk_depack_stats {
	uint64_t packets, duplicates, late, lost, frames, dropped_frames;
	uint64_t ignored;   /* payloads skipped: H.264 STAP-B/MTAP/FU-B/reserved types, bad VP8 descriptors */
	unsigned width, height;   /* VP8: the picture size of the last keyframe; 0 before one */
} rtk_depack_stats;
void rtk_depack_get_stats(const rtk_depack *depack, rtk_depack_stats *stats);

#endif
