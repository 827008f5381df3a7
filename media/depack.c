/*
 * depack.c - RTP packets in, whole encoded frames out (interface: depack.h).
 *
 * Owns, for one RTP stream: RTP header parsing (CSRCs, header extension,
 * padding), the extended sequence number and timestamp, the reorder ring,
 * frame assembly for H.264 (RFC 6184 mode 1), VP8 (RFC 7741) and Opus, the
 * keyframe wait after a loss, and the queue of finished frames.
 *
 * How a packet travels:
 *  1. rtk_depack_push() parses the header (nothing changes on a malformed
 *     packet), extends seq and timestamp, and drops duplicates and late
 *     packets.
 *  2. The packet expected next goes straight to the assembler; any other one
 *     waits in the reorder ring (its payload copied into the slot's own,
 *     reused buffer). A packet beyond the ring's reach pushes emission
 *     forward: the sequence numbers it skips are lost.
 *  3. The assembler sees payloads in sequence order. A lost packet sets
 *     `gap`; the frame it falls in (or, for H.264, the next one) is dropped,
 *     and video then drops everything until a keyframe, raising
 *     need_keyframe once per episode.
 *  4. A finished frame is copied out of the stream's frame buffer (reused)
 *     into a new rtk_frame on the output queue.
 * So in steady state the only allocations are the frames handed out. No
 * recursion; every length is checked before it is used.
 */
#include "depack.h"

#include <stdlib.h>
#include <string.h>

#define RTK_DEPACK_VIDEO_WINDOW 64
#define RTK_DEPACK_AUDIO_WINDOW 8
#define RTK_DEPACK_MAX_FRAME_SIZE ((size_t)8 << 20)
#define RTK_DEPACK_MAX_QUEUED 1024
#define RTK_DEPACK_MAX_PACKET 65535
#define RTK_DEPACK_NONE INT64_MIN

/* One RTP packet as parsed; `payload` points into the caller's bytes. */
typedef struct rtk_depack_rtp {
	bool marker;
	uint16_t seq;
	uint32_t timestamp;
	uint32_t ssrc;
	const uint8_t *payload;
	size_t payload_len;
} rtk_depack_rtp;

/* A packet waiting in the reorder ring. The buffer outlives its packet. */
typedef struct rtk_depack_slot {
	bool used;
	bool marker;
	int64_t ext_seq;
	int64_t ext_ts;
	uint8_t *payload;
	size_t len, cap;
} rtk_depack_slot;

typedef struct rtk_depack_buf {
	uint8_t *data;
	size_t len, cap;
	bool overflow;   /* an append failed (size cap or memory) */
} rtk_depack_buf;

struct rtk_depack {
	rtk_codec codec;
	unsigned window;

	/* Ordering. Sequence numbers are extended from the highest one seen;
	 * the ring holds [next_seq, next_seq + window). done_seq[i] remembers
	 * which sequence number last went through slot i, to tell a duplicate
	 * of a delivered packet from a late one. */
	bool started;
	uint32_t ssrc;
	int64_t max_seq;
	int64_t ts_ref;
	int64_t next_seq;
	rtk_depack_slot *slots;
	int64_t *done_seq;
	unsigned held;

	/* Frame assembly, in sequence order. */
	bool gap;
	bool in_frame;
	int64_t frame_ts;
	bool frame_broken;
	bool frame_key;
	rtk_depack_buf frame;
	bool fu_open;          /* H.264: an FU-A NAL is being reassembled */
	uint8_t fu_type;

	/* Video: dropping until a keyframe; need_keyframe raised once per wait. */
	bool waiting_key;
	bool key_requested;
	bool need_keyframe;

	bool have_out_ts;
	int64_t last_out_ts;

	/* Finished frames, a ring of pointers. */
	rtk_frame **queue;
	size_t q_head, q_len, q_cap;

	rtk_depack_stats stats;
};

/* ---- small helpers ---- */

static bool rtk_depack_is_video(const rtk_depack *d)
{
	return d->codec != RTK_CODEC_OPUS;
}

static size_t rtk_depack_index(const rtk_depack *d, int64_t ext_seq)
{
	return (size_t)(ext_seq % (int64_t)d->window);
}

static bool rtk_depack_buf_reserve(uint8_t **data, size_t *cap, size_t need)
{
	if (need <= *cap)
		return true;
	size_t cap2 = *cap ? *cap : 256;
	while (cap2 < need)
		cap2 *= 2;
	uint8_t *p = realloc(*data, cap2);
	if (!p)
		return false;
	*data = p;
	*cap = cap2;
	return true;
}

static void rtk_depack_buf_append(rtk_depack_buf *b, const uint8_t *bytes, size_t n)
{
	if (b->overflow)
		return;
	if (n > RTK_DEPACK_MAX_FRAME_SIZE - b->len ||
			!rtk_depack_buf_reserve(&b->data, &b->cap, b->len + n)) {
		b->overflow = true;
		return;
	}
	memcpy(b->data + b->len, bytes, n);
	b->len += n;
}

/* ---- RTP header (RFC 3550, RFC 5761 for the RTCP check) ---- */

static bool rtk_depack_parse_rtp(const uint8_t *p, size_t len, rtk_depack_rtp *out)
{
	if (!p || len < 12 || len > RTK_DEPACK_MAX_PACKET)
		return false;
	if ((p[0] >> 6) != 2)
		return false;
	uint8_t pt = p[1] & 0x7f;
	if (pt >= 72 && pt <= 76)   /* RTCP SR..APP multiplexed on the port */
		return false;
	size_t pos = 12 + 4 * (size_t)(p[0] & 0x0f);
	if (pos > len)
		return false;
	if (p[0] & 0x10) {
		if (len - pos < 4)
			return false;
		size_t ext_len = 4 * (((size_t)p[pos + 2] << 8) | p[pos + 3]);
		pos += 4;
		if (ext_len > len - pos)
			return false;
		pos += ext_len;
	}
	size_t end = len;
	if (p[0] & 0x20) {
		uint8_t pad = p[len - 1];
		if (pad == 0 || pad > end - pos)
			return false;
		end -= pad;
	}
	out->marker = (p[1] & 0x80) != 0;
	out->seq = (uint16_t)((p[2] << 8) | p[3]);
	out->timestamp = ((uint32_t)p[4] << 24) | ((uint32_t)p[5] << 16) |
		((uint32_t)p[6] << 8) | p[7];
	out->ssrc = ((uint32_t)p[8] << 24) | ((uint32_t)p[9] << 16) |
		((uint32_t)p[10] << 8) | p[11];
	out->payload = p + pos;
	out->payload_len = end - pos;
	return true;
}

/* Extended values: the nearest unrolling to the reference, either way
 * within half the range. */
static int64_t rtk_depack_extend_seq(const rtk_depack *d, uint16_t seq)
{
	int16_t delta = (int16_t)(uint16_t)(seq - (uint16_t)d->max_seq);
	return d->max_seq + delta;
}

static int64_t rtk_depack_extend_ts(const rtk_depack *d, uint32_t ts)
{
	int32_t delta = (int32_t)(uint32_t)(ts - (uint32_t)d->ts_ref);
	return d->ts_ref + delta;
}

/* ---- keyframe wait and the output queue ---- */

static void rtk_depack_wait_for_keyframe(rtk_depack *d)
{
	if (!rtk_depack_is_video(d))
		return;
	d->waiting_key = true;
	if (!d->key_requested) {
		d->key_requested = true;
		d->need_keyframe = true;
	}
}

static void rtk_depack_drop_frame(rtk_depack *d)
{
	d->stats.dropped_frames++;
	rtk_depack_wait_for_keyframe(d);
}

static bool rtk_depack_queue_put(rtk_depack *d, rtk_frame *f)
{
	if (d->q_len == d->q_cap) {
		if (d->q_cap >= RTK_DEPACK_MAX_QUEUED)
			return false;
		size_t cap2 = d->q_cap ? d->q_cap * 2 : 16;
		rtk_frame **q = malloc(cap2 * sizeof(*q));
		if (!q)
			return false;
		for (size_t i = 0; i < d->q_len; i++)
			q[i] = d->queue[(d->q_head + i) % d->q_cap];
		free(d->queue);
		d->queue = q;
		d->q_cap = cap2;
		d->q_head = 0;
	}
	d->queue[(d->q_head + d->q_len) % d->q_cap] = f;
	d->q_len++;
	return true;
}

/* Copies a finished frame out, unless the output would go back in time or
 * there is no room for it. */
static void rtk_depack_emit(rtk_depack *d, int64_t ts, bool key, const uint8_t *data, size_t size)
{
	if (d->have_out_ts && ts < d->last_out_ts) {
		rtk_depack_drop_frame(d);
		return;
	}
	rtk_frame *f = malloc(sizeof(*f));
	uint8_t *copy = malloc(size);
	if (!f || !copy || !rtk_depack_queue_put(d, f)) {
		free(f);
		free(copy);
		rtk_depack_drop_frame(d);
		return;
	}
	memcpy(copy, data, size);
	f->codec = d->codec;
	f->data = copy;
	f->size = size;
	f->timestamp = ts;
	f->ssrc = d->ssrc;
	f->keyframe = key;
	d->have_out_ts = true;
	d->last_out_ts = ts;
	d->stats.frames++;
	if (key) {
		d->waiting_key = false;
		d->key_requested = false;
		/* VP8 keyframe header (RFC 6386 9.1): a 3-byte frame tag, the start
		 * code 9d 01 2a, then 14-bit width and height, little endian. */
		if (d->codec == RTK_CODEC_VP8 && size >= 10 && data[3] == 0x9d && data[4] == 0x01 && data[5] == 0x2a) {
			d->stats.width = (unsigned)(data[6] | data[7] << 8) & 0x3fff;
			d->stats.height = (unsigned)(data[8] | data[9] << 8) & 0x3fff;
		}
	}
}

/* ---- video frame assembly ---- */

static void rtk_depack_begin_frame(rtk_depack *d, int64_t ts, bool broken)
{
	d->in_frame = true;
	d->frame_ts = ts;
	d->frame_broken = broken;
	d->frame_key = false;
	d->frame.len = 0;
	d->frame.overflow = false;
	d->fu_open = false;
}

static void rtk_depack_finish_frame(rtk_depack *d)
{
	d->in_frame = false;
	bool broken = d->frame_broken || d->fu_open || d->frame.overflow || d->frame.len == 0;
	d->fu_open = false;
	if (broken) {
		rtk_depack_drop_frame(d);
		return;
	}
	if (d->waiting_key && !d->frame_key) {
		rtk_depack_drop_frame(d);
		return;
	}
	rtk_depack_emit(d, d->frame_ts, d->frame_key, d->frame.data, d->frame.len);
}

static const uint8_t rtk_depack_start_code[4] = { 0, 0, 0, 1 };

static void rtk_depack_h264_add_nal(rtk_depack *d, const uint8_t *nal, size_t n)
{
	rtk_depack_buf_append(&d->frame, rtk_depack_start_code, sizeof(rtk_depack_start_code));
	rtk_depack_buf_append(&d->frame, nal, n);
	if ((nal[0] & 0x1f) == 5)
		d->frame_key = true;
}

/* STAP-A: [hdr] then { 16-bit size, NAL } until the end, each NAL 1..23. */
static bool rtk_depack_h264_stap_a(rtk_depack *d, const uint8_t *p, size_t len)
{
	size_t pos = 1;
	if (pos == len)
		return false;
	while (pos < len) {
		if (len - pos < 2)
			return false;
		size_t n = ((size_t)p[pos] << 8) | p[pos + 1];
		pos += 2;
		if (n == 0 || n > len - pos)
			return false;
		uint8_t type = p[pos] & 0x1f;
		if (type < 1 || type > 23)
			return false;
		rtk_depack_h264_add_nal(d, p + pos, n);
		pos += n;
	}
	return true;
}

/* FU-A: [indicator][S E R type] fragment. The start fragment rebuilds the
 * NAL header; a fragment without its start, or of another NAL, fails. */
static bool rtk_depack_h264_fu_a(rtk_depack *d, const uint8_t *p, size_t len)
{
	if (len < 2)
		return false;
	bool start = (p[1] & 0x80) != 0, end = (p[1] & 0x40) != 0;
	uint8_t type = p[1] & 0x1f;
	if (start) {
		if (d->fu_open || type < 1 || type > 23)
			return false;
		uint8_t nal_header = (uint8_t)((p[0] & 0xe0) | type);
		rtk_depack_h264_add_nal(d, &nal_header, 1);
		d->fu_open = true;
		d->fu_type = type;
	} else if (!d->fu_open || type != d->fu_type) {
		return false;
	}
	rtk_depack_buf_append(&d->frame, p + 2, len - 2);
	if (end)
		d->fu_open = false;
	return true;
}

/* One H.264 payload into the frame; false when it breaks the frame. */
static bool rtk_depack_h264_add(rtk_depack *d, const uint8_t *p, size_t len)
{
	uint8_t type = p[0] & 0x1f;
	if (d->fu_open && type != 28)
		return false;   /* the fragmented NAL never ended */
	if (type >= 1 && type <= 23) {
		rtk_depack_h264_add_nal(d, p, len);
		return true;
	}
	if (type == 24)
		return rtk_depack_h264_stap_a(d, p, len);
	if (type == 28)
		return rtk_depack_h264_fu_a(d, p, len);
	d->stats.ignored++;     /* STAP-B, MTAP16/24, FU-B, reserved 0/30/31 */
	return true;
}

/* VP8 payload descriptor (RFC 7741 section 4.2). */
typedef struct rtk_depack_vp8_desc {
	bool start;      /* S=1 and PID=0: the frame's first packet */
	size_t skip;     /* descriptor length */
} rtk_depack_vp8_desc;

static bool rtk_depack_vp8_parse(const uint8_t *p, size_t len, rtk_depack_vp8_desc *desc)
{
	size_t pos = 1;
	if (len < 1)
		return false;
	if (p[0] & 0x80) {                         /* X */
		if (pos >= len)
			return false;
		uint8_t x = p[pos++];
		if (x & 0x80) {                    /* I: PictureID, 7 or 15 bits */
			if (pos >= len)
				return false;
			pos += (p[pos] & 0x80) ? 2 : 1;
		}
		if (x & 0x40)                      /* L: TL0PICIDX */
			pos++;
		if (x & 0x30)                      /* T or K: TID/Y/KEYIDX */
			pos++;
	}
	if (pos >= len)
		return false;                      /* no VP8 payload */
	desc->start = (p[0] & 0x10) && (p[0] & 0x07) == 0;
	desc->skip = pos;
	return true;
}

/* Payloads of one timestamp make a frame; the marker or a new timestamp
 * ends it. A loss inside the frame breaks it; for H.264 a loss just before
 * it does too (the lost packet may have been its first). */
static void rtk_depack_take_video(rtk_depack *d, int64_t ts, bool marker,
		const uint8_t *p, size_t len)
{
	if (len == 0)
		return;   /* padding only: no content, and no news about the gap */
	rtk_depack_vp8_desc desc = { false, 0 };
	bool usable = true;
	if (d->codec == RTK_CODEC_VP8 && !rtk_depack_vp8_parse(p, len, &desc)) {
		d->stats.ignored++;
		usable = false;
	}

	if (d->in_frame && ts != d->frame_ts) {
		if (d->gap)
			d->frame_broken = true;
		rtk_depack_finish_frame(d);
	}
	if (!d->in_frame) {
		bool broken = d->codec == RTK_CODEC_VP8 ? !desc.start : d->gap;
		rtk_depack_begin_frame(d, ts, broken);
		if (d->codec == RTK_CODEC_VP8 && desc.start)
			d->frame_key = (p[desc.skip] & 0x01) == 0;
	} else if (d->gap || desc.start) {
		d->frame_broken = true;
	}
	d->gap = false;

	if (usable && !d->frame_broken) {
		if (d->codec == RTK_CODEC_VP8)
			rtk_depack_buf_append(&d->frame, p + desc.skip, len - desc.skip);
		else if (!rtk_depack_h264_add(d, p, len))
			d->frame_broken = true;
	}
	if (marker)
		rtk_depack_finish_frame(d);
}

/* ---- sequence order ---- */

/* Hands one packet, in sequence order, to its codec's assembler. */
static void rtk_depack_take(rtk_depack *d, int64_t ext_seq, int64_t ts, bool marker,
		const uint8_t *p, size_t len)
{
	d->done_seq[rtk_depack_index(d, ext_seq)] = ext_seq;
	d->next_seq = ext_seq + 1;
	if (rtk_depack_is_video(d)) {
		rtk_depack_take_video(d, ts, marker, p, len);
		return;
	}
	d->gap = false;
	if (len > 0)   /* Opus: one packet, one frame; empty ones carry nothing */
		rtk_depack_emit(d, ts, true, p, len);
}

static void rtk_depack_take_slot(rtk_depack *d, rtk_depack_slot *s)
{
	s->used = false;
	d->held--;
	rtk_depack_take(d, s->ext_seq, s->ext_ts, s->marker, s->payload, s->len);
}

static void rtk_depack_note_lost(rtk_depack *d, uint64_t count)
{
	d->stats.lost += count;
	d->gap = true;
	rtk_depack_wait_for_keyframe(d);
}

/* Moves emission up to `target`: held packets on the way are delivered,
 * missing ones are lost. */
static void rtk_depack_advance_to(rtk_depack *d, int64_t target)
{
	while (d->next_seq < target) {
		if (d->held == 0) {
			rtk_depack_note_lost(d, (uint64_t)(target - d->next_seq));
			d->next_seq = target;
			return;
		}
		rtk_depack_slot *s = &d->slots[rtk_depack_index(d, d->next_seq)];
		if (s->used) {
			rtk_depack_take_slot(d, s);
		} else {
			rtk_depack_note_lost(d, 1);
			d->next_seq++;
		}
	}
}

/* Delivers held packets that are next in line. */
static void rtk_depack_drain(rtk_depack *d)
{
	while (d->held > 0) {
		rtk_depack_slot *s = &d->slots[rtk_depack_index(d, d->next_seq)];
		if (!s->used)
			return;
		rtk_depack_take_slot(d, s);
	}
}

/* Keeps a packet that arrived ahead of its turn. */
static void rtk_depack_hold(rtk_depack *d, int64_t ext_seq, int64_t ts, const rtk_depack_rtp *rtp)
{
	rtk_depack_slot *s = &d->slots[rtk_depack_index(d, ext_seq)];
	if (s->used) {
		d->stats.duplicates++;
		return;
	}
	if (!rtk_depack_buf_reserve(&s->payload, &s->cap, rtp->payload_len ? rtp->payload_len : 1))
		return;   /* out of memory: it will count as lost */
	if (rtp->payload_len)
		memcpy(s->payload, rtp->payload, rtp->payload_len);
	s->len = rtp->payload_len;
	s->used = true;
	s->marker = rtp->marker;
	s->ext_seq = ext_seq;
	s->ext_ts = ts;
	d->held++;
}

static bool rtk_depack_was_delivered(const rtk_depack *d, int64_t ext_seq)
{
	return ext_seq >= d->next_seq - (int64_t)d->window &&
		d->done_seq[rtk_depack_index(d, ext_seq)] == ext_seq;
}

/* ---- stream state ---- */

static void rtk_depack_clear_stream(rtk_depack *d)
{
	d->started = false;
	d->held = 0;
	for (unsigned i = 0; i < d->window; i++) {
		d->slots[i].used = false;
		d->done_seq[i] = RTK_DEPACK_NONE;
	}
	d->gap = false;
	d->in_frame = false;
	d->fu_open = false;
	d->waiting_key = rtk_depack_is_video(d);
	d->key_requested = false;
	d->have_out_ts = false;
}

static void rtk_depack_start_stream(rtk_depack *d, const rtk_depack_rtp *rtp)
{
	d->started = true;
	d->ssrc = rtp->ssrc;
	d->max_seq = ((int64_t)1 << 16) + rtp->seq;   /* one cycle up: never negative */
	d->next_seq = d->max_seq;
	d->ts_ref = rtp->timestamp;
}

/* ---- public interface ---- */

void rtk_frame_free(rtk_frame *frame)
{
	if (!frame)
		return;
	free(frame->data);
	free(frame);
}

rtk_depack *rtk_depack_new(rtk_codec codec, unsigned reorder_window)
{
	if (codec != RTK_CODEC_OPUS && codec != RTK_CODEC_VP8 && codec != RTK_CODEC_H264)
		return NULL;
	rtk_depack *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->codec = codec;
	if (reorder_window == 0)
		reorder_window = codec == RTK_CODEC_OPUS ? RTK_DEPACK_AUDIO_WINDOW : RTK_DEPACK_VIDEO_WINDOW;
	if (reorder_window > RTK_DEPACK_MAX_WINDOW)
		reorder_window = RTK_DEPACK_MAX_WINDOW;
	d->window = reorder_window;
	d->slots = calloc(d->window, sizeof(*d->slots));
	d->done_seq = calloc(d->window, sizeof(*d->done_seq));
	if (!d->slots || !d->done_seq) {
		rtk_depack_free(d);
		return NULL;
	}
	rtk_depack_clear_stream(d);
	return d;
}

void rtk_depack_free(rtk_depack *d)
{
	if (!d)
		return;
	if (d->slots)
		for (unsigned i = 0; i < d->window; i++)
			free(d->slots[i].payload);
	free(d->slots);
	free(d->done_seq);
	free(d->frame.data);
	for (size_t i = 0; i < d->q_len; i++)
		rtk_frame_free(d->queue[(d->q_head + i) % d->q_cap]);
	free(d->queue);
	free(d);
}

bool rtk_depack_push(rtk_depack *d, const uint8_t *packet, size_t len)
{
	rtk_depack_rtp rtp;
	if (!d || !rtk_depack_parse_rtp(packet, len, &rtp))
		return false;
	if (d->started && rtp.ssrc != d->ssrc)
		rtk_depack_flush(d);   /* a new stream */
	if (!d->started)
		rtk_depack_start_stream(d, &rtp);
	d->stats.packets++;

	int64_t ext_seq = rtk_depack_extend_seq(d, rtp.seq);
	int64_t ext_ts = rtk_depack_extend_ts(d, rtp.timestamp);
	if (ext_seq < d->next_seq) {
		if (rtk_depack_was_delivered(d, ext_seq))
			d->stats.duplicates++;
		else
			d->stats.late++;
		return true;
	}
	if (ext_seq > d->max_seq) {
		d->max_seq = ext_seq;
		d->ts_ref = ext_ts;
	}
	if (ext_seq >= d->next_seq + (int64_t)d->window)
		rtk_depack_advance_to(d, ext_seq - (int64_t)d->window + 1);
	if (ext_seq == d->next_seq)
		rtk_depack_take(d, ext_seq, ext_ts, rtp.marker, rtp.payload, rtp.payload_len);
	else
		rtk_depack_hold(d, ext_seq, ext_ts, &rtp);
	rtk_depack_drain(d);
	return true;
}

void rtk_depack_flush(rtk_depack *d)
{
	if (!d || !d->started)
		return;
	rtk_depack_advance_to(d, d->max_seq + 1);
	if (d->in_frame) {
		d->frame_broken = true;   /* no marker: its end may be missing */
		rtk_depack_finish_frame(d);
	}
	rtk_depack_clear_stream(d);
}

rtk_frame *rtk_depack_pop(rtk_depack *d)
{
	if (!d || d->q_len == 0)
		return NULL;
	rtk_frame *f = d->queue[d->q_head];
	d->q_head = (d->q_head + 1) % d->q_cap;
	d->q_len--;
	return f;
}

bool rtk_depack_need_keyframe(rtk_depack *d)
{
	if (!d)
		return false;
	bool need = d->need_keyframe;
	d->need_keyframe = false;
	return need;
}

void rtk_depack_get_stats(const rtk_depack *d, rtk_depack_stats *stats)
{
	if (!stats)
		return;
	if (!d) {
		memset(stats, 0, sizeof(*stats));
		return;
	}
	*stats = d->stats;
}
