/*
 * clip.c - the publishers' recorded clip and its RTP packetizer (load.h).
 *
 * A clip is a directory written once by bench/load/make-clip (ffmpeg + libvpx + libopus):
 * layer0.ivf, layer1.ivf, layer2.ivf (VP8 at three sizes, smallest first, the same frame rate
 * and keyframe interval) and audio.ogg (Opus, 20 ms packets). It is read whole into memory and
 * replayed in a loop: every frame as RTP (VP8 per RFC 7741 with a 15-bit picture id, at most
 * 1100 payload bytes a packet, the marker on a frame's last packet; Opus one packet per 20 ms),
 * timestamps running on across loops so the stream looks live. Like a browser, every SSRC gets
 * a sender report (with SDES) every second, a PLI or FIR from the server is answered with a
 * keyframe at the next frame (the clip jumps to its first frame), and a NACK with the packet
 * again (the last LC_HISTORY packets of each SSRC are kept). Like the SDK (sdk/publisher.js), it
 * stops sending the layers the server's publisherLayers turns off (neither RTP nor SR), and sends
 * one turned on again from that layer's next keyframe in the clip (or the one a PLI brings).
 * Nothing is encoded at run time.
 */
#include <stdio.h>
#include <string.h>
#include "load.h"

#define CLIP_MAX_PAYLOAD 1100
#define CLIP_AUDIO_MS 20

static guint32 clip_le32(const guint8 *p) {
	return p[0] | (p[1] << 8) | (p[2] << 16) | ((guint32)p[3] << 24);
}

/* IVF: a 32-byte file header (DKIF, frame rate at 16/20), then 12-byte frame headers (size, pts). */
static gboolean clip_read_ivf(const char *path, lc_frame **frames, guint *count, double *fps) {
	gchar *data = NULL;
	gsize size = 0;
	if(!g_file_get_contents(path, &data, &size, NULL))
		return FALSE;
	const guint8 *p = (const guint8 *)data;
	if(size < 32 || memcmp(p, "DKIF", 4) != 0) {
		g_free(data);
		return FALSE;
	}
	guint32 rate = clip_le32(p + 16), scale = clip_le32(p + 20);
	*fps = (rate && scale) ? (double)rate / scale : 30.0;
	if(*fps > 120)   /* ffmpeg writes the stream time base here (1/1000 and the like) */
		*fps = 30.0;
	GArray *out = g_array_new(FALSE, TRUE, sizeof(lc_frame));
	for(gsize off = 32; off + 12 <= size; ) {
		guint32 n = clip_le32(p + off);
		if(off + 12 + n > size || n == 0)
			break;
		lc_frame f = {.data = g_memdup2(p + off + 12, n), .size = n, .keyframe = (p[off + 12] & 0x01) == 0};
		g_array_append_val(out, f);
		off += 12 + n;
	}
	g_free(data);
	*count = out->len;
	*frames = (lc_frame *)g_array_free(out, FALSE);
	return *count > 0;
}

/* Ogg: pages ("OggS", 27-byte header, segment table); a packet ends at a segment under 255.
 * The first two packets (OpusHead, OpusTags) are skipped. */
static gboolean clip_read_ogg_opus(const char *path, lc_frame **frames, guint *count) {
	gchar *data = NULL;
	gsize size = 0;
	if(!g_file_get_contents(path, &data, &size, NULL))
		return FALSE;
	const guint8 *p = (const guint8 *)data;
	GArray *out = g_array_new(FALSE, TRUE, sizeof(lc_frame));
	GByteArray *packet = g_byte_array_new();
	guint packets = 0;
	for(gsize off = 0; off + 27 <= size && memcmp(p + off, "OggS", 4) == 0; ) {
		guint segments = p[off + 26];
		gsize body = off + 27 + segments;
		if(body > size)
			break;
		for(guint i = 0; i < segments && body + p[off + 27 + i] <= size; i++) {
			guint len = p[off + 27 + i];
			g_byte_array_append(packet, p + body, len);
			body += len;
			if(len < 255) {
				if(packets++ >= 2 && packet->len > 0) {
					lc_frame f = {.data = g_memdup2(packet->data, packet->len), .size = packet->len};
					g_array_append_val(out, f);
				}
				g_byte_array_set_size(packet, 0);
			}
		}
		off = body;
	}
	g_byte_array_free(packet, TRUE);
	g_free(data);
	*count = out->len;
	*frames = (lc_frame *)g_array_free(out, FALSE);
	return *count > 0;
}

lc_clip *lc_clip_load(const char *dir) {
	lc_clip *clip = g_new0(lc_clip, 1);
	for(guint layer = 0; layer < 3; layer++) {
		char *path = g_strdup_printf("%s/layer%u.ivf", dir, layer);
		gboolean present = g_file_test(path, G_FILE_TEST_EXISTS);
		if(present && !clip_read_ivf(path, &clip->video[layer], &clip->video_frames[layer], &clip->fps)) {
			fprintf(stderr, "rtk-load: cannot read %s (IVF VP8)\n", path);
			present = FALSE;
		}
		g_free(path);
		if(!present)
			break;
		clip->layers++;
	}
	char *audio = g_strdup_printf("%s/audio.ogg", dir);
	if(!clip_read_ogg_opus(audio, &clip->audio, &clip->audio_frames))
		fprintf(stderr, "rtk-load: cannot read %s (Ogg Opus)\n", audio);
	g_free(audio);
	if(clip->layers == 0 || clip->audio_frames == 0) {
		fprintf(stderr, "rtk-load: no clip in %s (make it with bench/load/make-clip)\n", dir);
		lc_clip_free(clip);
		return NULL;
	}
	return clip;
}

void lc_clip_free(lc_clip *clip) {
	if(clip == NULL)
		return;
	for(guint layer = 0; layer < 3; layer++) {
		for(guint i = 0; i < clip->video_frames[layer]; i++)
			g_free(clip->video[layer][i].data);
		g_free(clip->video[layer]);
	}
	for(guint i = 0; i < clip->audio_frames; i++)
		g_free(clip->audio[i].data);
	g_free(clip->audio);
	g_free(clip);
}

lc_sender *lc_sender_new(const lc_clip *clip) {
	lc_sender *sender = g_new0(lc_sender, 1);
	sender->clip = clip;
	sender->layers_sent = (1u << clip->layers) - 1;
	sender->audio_level = 127;   /* silence until --speaking */
	g_atomic_int_set(&sender->layers_wanted, 0x7);
	return sender;
}

void lc_sender_want_layers(lc_sender *sender, int mask) {
	g_atomic_int_set(&sender->layers_wanted, mask & 0x7);
	g_atomic_int_inc(&sender->layer_events);
}

gboolean lc_sender_layer_paused(const lc_sender *sender, guint layer) {
	return layer < sender->clip->layers && !(sender->layers_sent & (1u << layer));
}

/* Media thread: follows layers_wanted. A layer turned off stops at once; one turned on waits
 * for its next keyframe (a decoder cannot start elsewhere). */
static void clip_follow_layers(lc_sender *sender) {
	guint wanted = (guint)g_atomic_int_get(&sender->layers_wanted);
	for(guint layer = 0; layer < sender->clip->layers; layer++) {
		guint bit = 1u << layer;
		if((wanted & bit) && !(sender->layers_sent & bit))
			sender->layer_resuming[layer] = TRUE;
		sender->layers_sent = (sender->layers_sent & ~bit) | (wanted & bit);
	}
}

/* Whether frame `f` of `layer` is sent: its layer is on and, after a resume, a keyframe came. */
static gboolean clip_layer_sends(lc_sender *sender, guint layer, const lc_frame *f) {
	if(!(sender->layers_sent & (1u << layer)) || (sender->layer_resuming[layer] && !f->keyframe)) {
		sender->layer_frames_skipped[layer]++;
		return FALSE;
	}
	sender->layer_resuming[layer] = FALSE;
	return TRUE;
}

static int clip_rtp_header(guint8 *buf, int pt, gboolean marker, guint16 seq, guint32 ts, guint32 ssrc) {
	buf[0] = 0x80;
	buf[1] = (marker ? 0x80 : 0) | pt;
	buf[2] = seq >> 8;
	buf[3] = seq & 0xff;
	buf[4] = ts >> 24; buf[5] = ts >> 16; buf[6] = ts >> 8; buf[7] = ts;
	buf[8] = ssrc >> 24; buf[9] = ssrc >> 16; buf[10] = ssrc >> 8; buf[11] = ssrc;
	return 12;
}

/* The audio level header extension (RFC 6464, one-byte form, RFC 8285) after a 12-byte header
 * of `n` bytes: the X bit, 0xBEDE, one word holding the element and its padding. Returns the
 * header's new length. A level below 127 carries the voice-activity bit. */
static int clip_audio_level(guint8 *buf, int n, int level) {
	buf[0] |= 0x10;
	buf[n] = 0xBE; buf[n + 1] = 0xDE; buf[n + 2] = 0; buf[n + 3] = 1;
	buf[n + 4] = (guint8)(LC_AUDIO_LEVEL_EXT << 4);   /* id, length - 1 = 0 */
	buf[n + 5] = (guint8)((level < 127 ? 0x80 : 0) | (level & 0x7f));
	buf[n + 6] = buf[n + 7] = 0;
	return n + 8;
}

/* index: the SSRC's slot in ssrc_packets (layer, or 3 for audio); `header`: the RTP header's
 * length, extensions included (the sender reports count payload octets only) */
static void clip_send_packet(lc_peer *peer, lc_sender *sender, guint index, guint8 *buf, int header, int len) {
	sender->packets++;
	sender->bytes += len;
	sender->ssrc_packets[index]++;
	sender->ssrc_octets[index] += len - header;
	if(sender->history[index] == NULL)
		sender->history[index] = g_new0(lc_sent, LC_HISTORY);
	guint16 seq = (guint16)((buf[2] << 8) | buf[3]);
	lc_sent *kept = &sender->history[index][seq % LC_HISTORY];
	if((size_t)len <= sizeof(kept->data)) {
		kept->seq = seq;
		kept->len = len;
		memcpy(kept->data, buf, len);
	}
	lc_peer_send_rtp(peer, buf, len);
}

void lc_clip_retransmit(lc_peer *peer, lc_sender *sender, guint32 ssrc, guint16 seq) {
	int index = ssrc == sender->audio_ssrc ? 3 : -1;
	for(guint layer = 0; layer < 3 && index < 0; layer++)
		if(ssrc == sender->video_ssrc[layer])
			index = layer;
	if(index < 0 || sender->history[index] == NULL)
		return;
	lc_sent *kept = &sender->history[index][seq % LC_HISTORY];
	if(kept->len == 0 || kept->seq != seq)
		return;
	guint8 buf[1400];
	memcpy(buf, kept->data, kept->len);
	sender->retransmitted++;
	lc_peer_send_rtp(peer, buf, kept->len);
}

static guint8 *clip_put32(guint8 *p, guint32 v) {
	p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
	return p + 4;
}

/* SR (RFC 3550 6.4.1: NTP time now, the RTP time of now on the stream's clock, counts) + SDES. */
static void clip_send_sr(lc_peer *peer, lc_sender *sender, guint32 ssrc, guint index, guint32 rtp_now) {
	guint8 buf[128], *p = buf;
	gint64 wall = g_get_real_time();
	guint64 fraction = (guint64)(wall % G_USEC_PER_SEC) * 4294967296ULL / G_USEC_PER_SEC;
	*p++ = 0x80; *p++ = 200; *p++ = 0; *p++ = 6;
	p = clip_put32(p, ssrc);
	p = clip_put32(p, (guint32)(wall / G_USEC_PER_SEC + 2208988800ULL));
	p = clip_put32(p, (guint32)fraction);
	p = clip_put32(p, rtp_now);
	p = clip_put32(p, sender->ssrc_packets[index]);
	p = clip_put32(p, sender->ssrc_octets[index]);
	static const char cname[] = "rtk-load";
	guint8 *sdes = p;
	*p++ = 0x81; *p++ = 202; *p++ = 0; *p++ = 0;
	p = clip_put32(p, ssrc);
	*p++ = 1;
	*p++ = sizeof(cname) - 1;
	memcpy(p, cname, sizeof(cname) - 1);
	p += sizeof(cname) - 1;
	*p++ = 0;
	while((p - sdes) % 4)
		*p++ = 0;
	sdes[3] = (p - sdes) / 4 - 1;
	lc_peer_send_rtcp(peer, buf, p - buf);
}

static void clip_send_reports(lc_peer *peer, lc_sender *sender, gint64 now_us) {
	if(now_us < sender->next_sr_us)
		return;
	sender->next_sr_us = now_us + G_USEC_PER_SEC;
	gint64 elapsed = now_us - sender->started_us;
	for(guint layer = 0; layer < sender->clip->layers; layer++)
		if(sender->layers_sent & (1u << layer))
			clip_send_sr(peer, sender, sender->video_ssrc[layer], layer, (guint32)(elapsed * 90000 / G_USEC_PER_SEC));
	if(!sender->audio_off)
		clip_send_sr(peer, sender, sender->audio_ssrc, 3, (guint32)(elapsed * 48000 / G_USEC_PER_SEC));
}

/* One VP8 frame of one layer: descriptor X=1 I=1 (M=1: 15-bit picture id), S on the first. */
static void clip_send_vp8(lc_peer *peer, lc_sender *sender, guint layer, const lc_frame *f, guint32 ts) {
	guint16 pid = sender->picture_id[layer]++ & 0x7fff;
	for(guint32 off = 0; off < f->size; ) {
		guint32 chunk = MIN(CLIP_MAX_PAYLOAD, f->size - off);
		guint8 buf[1500];
		int n = clip_rtp_header(buf, LC_VP8_PT, off + chunk == f->size, sender->video_seq[layer]++, ts,
			sender->video_ssrc[layer]);
		buf[n++] = 0x80 | (off == 0 ? 0x10 : 0);
		buf[n++] = 0x80;
		buf[n++] = 0x80 | (pid >> 8);
		buf[n++] = pid & 0xff;
		memcpy(buf + n, f->data + off, chunk);
		clip_send_packet(peer, sender, layer, buf, 12, n + chunk);
		off += chunk;
	}
}

void lc_clip_send_due(lc_peer *peer, lc_sender *sender, gint64 now_us) {
	const lc_clip *clip = sender->clip;
	if(sender->started_us == 0) {
		sender->started_us = now_us;
		sender->next_sr_us = now_us + G_USEC_PER_SEC / 2;
	}
	clip_follow_layers(sender);
	clip_send_reports(peer, sender, now_us);
	gint64 elapsed = now_us - sender->started_us;
	/* Video: frame k is due at k / fps; a late tick sends what it owes, but never more than a
	 * second's worth at once (a stalled thread catches up by skipping). */
	guint64 due = (guint64)(elapsed * clip->fps / 1000000.0) + 1;
	if(due > sender->video_sent + (guint64)clip->fps)
		sender->video_sent = due - (guint64)clip->fps;
	while(sender->video_sent < due) {
		guint64 k = sender->video_sent++;
		guint32 ts = (guint32)(k * 90000 / clip->fps);
		if(sender->keyframe_requested) {
			/* as an encoder answers a PLI: a keyframe now (the clip's first frame, in every layer) */
			sender->keyframe_requested = FALSE;
			sender->video_offset = clip->video_frames[0] - k % clip->video_frames[0];
		}
		for(guint layer = 0; layer < clip->layers; layer++) {
			const lc_frame *f = &clip->video[layer][(k + sender->video_offset) % clip->video_frames[layer]];
			if(clip_layer_sends(sender, layer, f))
				clip_send_vp8(peer, sender, layer, f, ts);
		}
	}
	guint64 audio_due = (guint64)(elapsed / (CLIP_AUDIO_MS * 1000)) + 1;
	if(audio_due > sender->audio_sent + 50)
		sender->audio_sent = audio_due - 50;
	while(sender->audio_sent < audio_due && !sender->audio_off) {
		guint64 k = sender->audio_sent++;
		const lc_frame *f = &clip->audio[k % clip->audio_frames];
		guint8 buf[1500];
		if(f->size > 1400)
			continue;
		int n = clip_rtp_header(buf, LC_OPUS_PT, k == 0, sender->audio_seq++, (guint32)(k * 48 * CLIP_AUDIO_MS),
			sender->audio_ssrc);
		n = clip_audio_level(buf, n, sender->audio_level);
		memcpy(buf + n, f->data, f->size);
		clip_send_packet(peer, sender, 3, buf, n, n + f->size);
	}
}
