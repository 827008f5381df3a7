/*
 * track_recorder.c - `rtk-recorder --tracks DIR`: every stream into its own
 * file, remuxed without transcoding (track_recorder.h).
 */
#define _GNU_SOURCE
#include "track_recorder.h"
#include "control.h"
#include "depack.h"
#include "sender_report.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <glib.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>

#define TRACK_MAX_PACKET 1600
#define TRACK_POLL_MS 10
#define TRACK_KEYFRAME_EVERY_NS 500000000LL
#define TRACK_LINE_MAX 8192

/* ---- codec helpers (pure; unit-tested) ---- */

int rtk_track_opus_samples(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 960;
	int config = data[0] >> 3, per;
	if (config < 12)
		per = (int[]){ 480, 960, 1920, 2880 }[config % 4];
	else if (config < 16)
		per = config % 2 ? 960 : 480;
	else
		per = (int[]){ 120, 240, 480, 960 }[config % 4];
	int frames = (data[0] & 3) == 0 ? 1 : (data[0] & 3) < 3 ? 2 : size >= 2 ? (data[1] & 0x3f) : 0;
	return frames > 0 ? per * frames : 960;
}

int rtk_track_vp8_size(const uint8_t *data, size_t size, int *width, int *height)
{
	/* a keyframe: bit 0 of the frame tag clear, start code 9d 01 2a */
	if (size < 10 || (data[0] & 1) != 0 || data[3] != 0x9d || data[4] != 0x01 || data[5] != 0x2a)
		return -1;
	*width = (data[6] | data[7] << 8) & 0x3fff;
	*height = (data[8] | data[9] << 8) & 0x3fff;
	return *width > 0 && *height > 0 ? 0 : -1;
}

/* The next NAL unit of Annex B `data` from *at: its start (after the start
 * code) and length; false at the end. */
static bool track_next_nal(const uint8_t *data, size_t size, size_t *at, size_t *start, size_t *len)
{
	size_t i = *at;
	while (i + 3 <= size && !(data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1))
		i++;
	if (i + 3 > size)
		return false;
	*start = i + 3;
	size_t j = *start;
	while (j + 3 <= size && !(data[j] == 0 && data[j + 1] == 0 && (data[j + 2] == 1 || (data[j + 2] == 0 &&
			j + 4 <= size && data[j + 3] == 1))))
		j++;
	if (j + 3 > size)
		j = size;
	*len = j - *start;
	*at = j;
	return true;
}

int rtk_track_h264_parameter_sets(const uint8_t *data, size_t size, uint8_t **out, size_t *out_size)
{
	size_t at = 0, start, len, total = 0;
	bool sps = false, pps = false;
	uint8_t *buf = av_mallocz(size + 4 * 8 + AV_INPUT_BUFFER_PADDING_SIZE);
	if (buf == NULL)
		return -1;
	while (track_next_nal(data, size, &at, &start, &len)) {
		int type = len > 0 ? data[start] & 0x1f : 0;
		if (len == 0 || (type != 7 && type != 8))
			continue;
		sps |= type == 7;
		pps |= type == 8;
		memcpy(buf + total, "\0\0\0\1", 4);
		memcpy(buf + total + 4, data + start, len);
		total += 4 + len;
	}
	if (!sps || !pps) {
		av_free(buf);
		return -1;
	}
	*out = buf;
	*out_size = total;
	return 0;
}

/* ---- one stream, one file ---- */

typedef struct track_stream {
	uint32_t ssrc;
	rtk_codec codec;
	char id[RTK_CTL_ID_MAX];
	char path[4096];
	rtk_depack *depack;
	AVFormatContext *fmt;     /* NULL until the first frame (video: keyframe) opens the file */
	AVStream *st;
	bool failed;              /* the muxer refused it: frames are dropped */
	bool resync;              /* after a pause (or before the first frame): the next frame sets `shift` */
	bool have_first;
	int64_t shift;            /* RTP ticks taken out of the timeline (pauses, the start) */
	int64_t last_ticks;       /* the last frame's time in the file, in RTP ticks */
	int64_t last_pts;         /* in st->time_base */
	int64_t step;             /* a frame's nominal length in RTP ticks (the gap left at a resync) */
	uint64_t frames, dropped_seen;
	int64_t last_keyframe_ask;
} track_stream;

typedef struct track_recorder {
	const char *dir;
	int sock;
	GHashTable *streams;      /* ssrc -> track_stream* (owned) */
	char line[TRACK_LINE_MAX];
	size_t line_len;
	bool line_overflow, stopping, paused;
	int64_t began, paused_at, paused_ns, last_progress;
	uint64_t unknown_packets;
	long long closed_bytes;   /* bytes of the files already finished */
} track_recorder;

static volatile sig_atomic_t track_signalled;

static void track_on_signal(int sig)
{
	(void)sig;
	track_signalled = 1;
}

static int64_t track_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long track_file_bytes(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) ? (long long)st.st_size : 0;
}

static void track_fail(track_stream *s, const char *why)
{
	s->failed = true;
	rtk_ctl_emit(stdout, json_pack("{s:s,s:I,s:s}", "event", "track_failed", "ssrc", (json_int_t)s->ssrc,
		"message", why));
}

/* The file's muxer, with its one stream described from the first frame
 * (`frame`: a keyframe for video). 0, or -1 with the stream failed. */
static int track_open(track_stream *s, const rtk_frame *frame)
{
	int width = 0, height = 0;
	uint8_t *extradata = NULL;
	size_t extradata_size = 0;
	if (s->codec == RTK_CODEC_VP8 && rtk_track_vp8_size(frame->data, frame->size, &width, &height) != 0) {
		track_fail(s, "the first VP8 keyframe has no picture size");
		return -1;
	}
	if (s->codec == RTK_CODEC_H264) {
		if (rtk_track_h264_parameter_sets(frame->data, frame->size, &extradata, &extradata_size) != 0)
			return 1;   /* an IDR without SPS/PPS: wait for one that has them */
		AVCodecParserContext *parser = av_parser_init(AV_CODEC_ID_H264);
		AVCodecContext *ctx = avcodec_alloc_context3(NULL);
		uint8_t *out = NULL;
		int out_size = 0;
		if (parser != NULL)
			parser->flags |= PARSER_FLAG_COMPLETE_FRAMES;   /* one whole access unit: parse it now */
		if (parser != NULL && ctx != NULL)
			av_parser_parse2(parser, ctx, &out, &out_size, frame->data, (int)frame->size, 0, 0, 0);
		width = parser ? parser->width : 0;
		height = parser ? parser->height : 0;
		if (width <= 0 || height <= 0) {
			av_free(extradata);
			track_fail(s, "the first H.264 IDR's SPS gives no picture size");
			return -1;
		}
		av_parser_close(parser);
		avcodec_free_context(&ctx);
	}
	if (avformat_alloc_output_context2(&s->fmt, NULL, NULL, s->path) < 0 || s->fmt == NULL) {
		av_free(extradata);
		track_fail(s, "no muxer for this file name");
		return -1;
	}
	s->st = avformat_new_stream(s->fmt, NULL);
	AVCodecParameters *par = s->st ? s->st->codecpar : NULL;
	if (par == NULL) {
		av_free(extradata);
		track_fail(s, "out of memory");
		return -1;
	}
	if (s->codec == RTK_CODEC_OPUS) {
		static const uint8_t head[19] = { 'O', 'p', 'u', 's', 'H', 'e', 'a', 'd', 1, 2, 0x38, 0x01,
			0x80, 0xbb, 0, 0, 0, 0, 0 };   /* version 1, stereo, pre-skip 312, 48000 Hz, family 0 */
		par->codec_type = AVMEDIA_TYPE_AUDIO;
		par->codec_id = AV_CODEC_ID_OPUS;
		par->sample_rate = 48000;
		av_channel_layout_default(&par->ch_layout, 2);
		extradata = av_mallocz(sizeof head + AV_INPUT_BUFFER_PADDING_SIZE);
		if (extradata != NULL)
			memcpy(extradata, head, sizeof head);
		extradata_size = sizeof head;
		s->st->time_base = (AVRational){ 1, 48000 };
	} else {
		par->codec_type = AVMEDIA_TYPE_VIDEO;
		par->codec_id = s->codec == RTK_CODEC_VP8 ? AV_CODEC_ID_VP8 : AV_CODEC_ID_H264;
		par->width = width;
		par->height = height;
		s->st->time_base = (AVRational){ 1, 90000 };
	}
	par->extradata = extradata;
	par->extradata_size = extradata != NULL ? (int)extradata_size : 0;
	AVDictionary *opts = NULL;
	if (s->codec == RTK_CODEC_H264)   /* a process killed mid-way still leaves a playable file */
		av_dict_set(&opts, "movflags", "frag_keyframe+empty_moov+default_base_moof", 0);
	int ret = avio_open(&s->fmt->pb, s->path, AVIO_FLAG_WRITE);
	if (ret >= 0)
		ret = avformat_write_header(s->fmt, &opts);
	av_dict_free(&opts);
	if (ret < 0) {
		char why[AV_ERROR_MAX_STRING_SIZE + 32];
		snprintf(why, sizeof why, "cannot open the file: %s", av_err2str(ret));
		if (s->fmt->pb != NULL)
			avio_closep(&s->fmt->pb);
		avformat_free_context(s->fmt);
		s->fmt = NULL;
		track_fail(s, why);
		return -1;
	}
	return 0;
}

static void track_ask_keyframe(track_stream *s)
{
	int64_t now = track_now();
	if (now - s->last_keyframe_ask >= TRACK_KEYFRAME_EVERY_NS) {
		s->last_keyframe_ask = now;
		rtk_ctl_emit(stdout, json_pack("{s:s,s:I}", "event", "keyframe", "ssrc", (json_int_t)s->ssrc));
	}
}

/* One frame into the stream's file, on its timeline: RTP time minus
 * `shift`, which a resync sets so that the frame follows the previous one
 * by a nominal step (the first frame is at 0). */
static void track_write(track_recorder *t, track_stream *s, const rtk_frame *frame)
{
	bool video = s->codec != RTK_CODEC_OPUS;
	if (s->failed || t->paused)
		return;
	if (s->resync && video && !frame->keyframe) {
		track_ask_keyframe(s);
		return;
	}
	if (s->fmt == NULL) {
		int rc = track_open(s, frame);
		if (rc != 0) {
			if (rc > 0)
				track_ask_keyframe(s);
			return;
		}
	}
	if (s->resync) {
		s->shift = frame->timestamp - (s->have_first ? s->last_ticks + s->step : 0);
		s->have_first = true;
		s->resync = false;
	}
	int64_t ticks = frame->timestamp - s->shift;
	if (ticks < 0)
		return;   /* older than the resync point (reordered): nothing to place it at */
	AVRational clock = { 1, video ? 90000 : 48000 };
	AVPacket *pkt = av_packet_alloc();
	if (pkt == NULL || av_new_packet(pkt, (int)frame->size) < 0) {
		av_packet_free(&pkt);
		return;
	}
	memcpy(pkt->data, frame->data, frame->size);
	int64_t pts = av_rescale_q(ticks, clock, s->st->time_base);
	if (s->frames > 0 && pts <= s->last_pts)
		pts = s->last_pts + 1;   /* a timestamp that went back: keep the file monotonic */
	pkt->pts = pkt->dts = pts;
	pkt->stream_index = 0;
	if (!video)
		pkt->duration = av_rescale_q(rtk_track_opus_samples(frame->data, frame->size), clock, s->st->time_base);
	if (!video || frame->keyframe)
		pkt->flags |= AV_PKT_FLAG_KEY;
	int ret = av_write_frame(s->fmt, pkt);
	av_packet_free(&pkt);
	if (ret < 0) {
		track_fail(s, "writing a frame failed");
		return;
	}
	s->last_pts = pts;
	s->last_ticks = ticks;
	s->frames++;
}

/* Finishes the file (its trailer) and counts its bytes. */
static void track_close(track_recorder *t, track_stream *s)
{
	if (s->fmt != NULL) {
		av_write_trailer(s->fmt);
		avio_closep(&s->fmt->pb);
		avformat_free_context(s->fmt);
		s->fmt = NULL;
		t->closed_bytes += track_file_bytes(s->path);
	}
}

static void track_drain(track_recorder *t, track_stream *s)
{
	rtk_frame *frame;
	while ((frame = rtk_depack_pop(s->depack)) != NULL) {
		track_write(t, s, frame);
		rtk_frame_free(frame);
	}
	rtk_depack_stats ds;
	rtk_depack_get_stats(s->depack, &ds);
	bool dropping = ds.dropped_frames > s->dropped_seen;
	s->dropped_seen = ds.dropped_frames;
	if (rtk_depack_need_keyframe(s->depack) || dropping)
		track_ask_keyframe(s);
}

static track_recorder *track_global;   /* for the hash table's free function */

static void track_stream_free(gpointer p)
{
	track_stream *s = p;
	rtk_depack_flush(s->depack);
	if (track_global != NULL)
		track_drain(track_global, s);
	if (track_global != NULL)
		track_close(track_global, s);
	rtk_depack_free(s->depack);
	g_free(s);
}

static void track_add_stream(track_recorder *t, const rtk_ctl *ctl)
{
	if (ctl->file[0] == '\0') {
		rtk_ctl_emit(stdout, json_pack("{s:s,s:s}", "event", "rejected", "message",
			"stream: a per-track recording needs \"file\""));
		return;
	}
	track_stream *s = g_new0(track_stream, 1);
	s->ssrc = ctl->ssrc;
	s->codec = ctl->codec;
	memcpy(s->id, ctl->id, sizeof s->id);
	snprintf(s->path, sizeof s->path, "%s/%s", t->dir, ctl->file);
	s->depack = rtk_depack_new(ctl->codec, 0);
	s->resync = true;
	s->step = ctl->codec == RTK_CODEC_OPUS ? 960 : 3000;
	g_hash_table_replace(t->streams, GUINT_TO_POINTER(ctl->ssrc), s);
}

static gboolean track_stream_of(gpointer key, gpointer value, gpointer id)
{
	(void)key;
	return strcmp(((track_stream *)value)->id, id) == 0;
}

static void track_set_paused(track_recorder *t, bool paused)
{
	int64_t now = track_now();
	if (paused == t->paused)
		return;
	t->paused = paused;
	if (paused) {
		t->paused_at = now;
	} else {
		t->paused_ns += now - t->paused_at;
		GHashTableIter it;
		gpointer v;
		g_hash_table_iter_init(&it, t->streams);
		while (g_hash_table_iter_next(&it, NULL, &v))
			((track_stream *)v)->resync = true;
	}
}

static void track_apply(track_recorder *t, const rtk_ctl *ctl)
{
	switch (ctl->kind) {
	case RTK_CTL_STREAM:
		track_add_stream(t, ctl);
		break;
	case RTK_CTL_UNSTREAM:
		g_hash_table_remove(t->streams, GUINT_TO_POINTER(ctl->ssrc));
		break;
	case RTK_CTL_REMOVE:
		g_hash_table_foreach_remove(t->streams, track_stream_of, (gpointer)ctl->id);
		break;
	case RTK_CTL_PAUSE:
		track_set_paused(t, true);
		rtk_ctl_emit(stdout, json_pack("{s:s}", "event", "paused"));
		break;
	case RTK_CTL_RESUME:
		track_set_paused(t, false);
		rtk_ctl_emit(stdout, json_pack("{s:s}", "event", "resumed"));
		break;
	case RTK_CTL_STOP:
		t->stopping = true;
		break;
	default:   /* participant, screenshare: nothing to draw */
		break;
	}
}

static bool track_read_control(track_recorder *t)
{
	char buf[4096];
	ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	if (n == 0)
		return false;
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] != '\n') {
			if (t->line_len < sizeof t->line)
				t->line[t->line_len++] = buf[i];
			else
				t->line_overflow = true;
			continue;
		}
		rtk_ctl ctl;
		char err[200];
		if (t->line_overflow)
			rtk_ctl_emit(stdout, json_pack("{s:s,s:s}", "event", "rejected", "message", "line too long"));
		else if (t->line_len > 0 && rtk_ctl_parse(t->line, t->line_len, &ctl, err, sizeof err) == 0)
			track_apply(t, &ctl);
		else if (t->line_len > 0)
			rtk_ctl_emit(stdout, json_pack("{s:s,s:s}", "event", "rejected", "message", err));
		t->line_len = 0;
		t->line_overflow = false;
	}
	return true;
}

static void track_read_rtp(track_recorder *t)
{
	uint8_t buf[TRACK_MAX_PACKET];
	for (int i = 0; i < 256; i++) {
		ssize_t n = recv(t->sock, buf, sizeof buf, MSG_DONTWAIT);
		if (n < 0)
			return;
		if (rtk_rtcp_is_rtcp(buf, (size_t)n))
			continue;   /* each file keeps its own timeline: sender reports are not needed */
		uint32_t ssrc = n >= 12 ? (uint32_t)buf[8] << 24 | (uint32_t)buf[9] << 16 | (uint32_t)buf[10] << 8 | buf[11] : 0;
		track_stream *s = n >= 12 ? g_hash_table_lookup(t->streams, GUINT_TO_POINTER(ssrc)) : NULL;
		if (s == NULL) {
			t->unknown_packets++;
			continue;
		}
		if (rtk_depack_push(s->depack, buf, (size_t)n))
			track_drain(t, s);
	}
}

/* Running time so far (pauses left out), in seconds to the millisecond. */
static double track_output_s(const track_recorder *t)
{
	int64_t now = track_now();
	int64_t ns = (t->paused ? t->paused_at : now) - t->began - t->paused_ns;
	return (double)(ns / 1000000) / 1e3;
}

static void track_emit_stats(const track_recorder *t)
{
	json_t *streams = json_array();
	GHashTableIter it;
	gpointer v;
	g_hash_table_iter_init(&it, t->streams);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		const track_stream *s = v;
		rtk_depack_stats ds;
		rtk_depack_get_stats(s->depack, &ds);
		json_array_append_new(streams, json_pack("{s:I,s:s,s:I,s:I,s:I,s:I}", "ssrc", (json_int_t)s->ssrc,
			"id", s->id, "packets", (json_int_t)ds.packets, "lost", (json_int_t)ds.lost,
			"frames", (json_int_t)s->frames, "dropped_frames", (json_int_t)ds.dropped_frames));
	}
	rtk_ctl_emit(stdout, json_pack("{s:s,s:I,s:o}", "event", "stats", "unknown_packets",
		(json_int_t)t->unknown_packets, "streams", streams));
}

static int track_open_socket(const char *address, int port_in, int *port)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int rcvbuf = 4 * 1024 * 1024;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port_in) };
	if (inet_pton(AF_INET, address ? address : "127.0.0.1", &sa.sin_addr) != 1 ||
			bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		close(fd);
		return -1;
	}
	socklen_t len = sizeof sa;
	getsockname(fd, (struct sockaddr *)&sa, &len);
	*port = ntohs(sa.sin_port);
	return fd;
}

static void track_loop(track_recorder *t)
{
	struct pollfd fds[2] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = t->sock, .events = POLLIN },
	};
	while (!t->stopping && !track_signalled) {
		int n = poll(fds, 2, TRACK_POLL_MS);
		if (n < 0 && errno != EINTR)
			return;
		if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) && !track_read_control(t))
			t->stopping = true;   /* commands first: a stream's first packets may come with its command */
		if (fds[1].revents & POLLIN)
			track_read_rtp(t);
		int64_t now = track_now();
		if (now - t->last_progress >= 1000000000LL) {
			t->last_progress = now;
			rtk_ctl_emit(stdout, json_pack("{s:s,s:f,s:i}", "event", "progress", "output_s", track_output_s(t),
				"late_frames", 0));
		}
	}
}

static int track_usage(const char *prog)
{
	fprintf(stderr, "usage: %s --tracks DIR [--rtp-address IPV4] [--rtp-port PORT]\n"
		"Writes each announced stream into its own file in DIR; see docs/companions.md.\n", prog);
	return 2;
}

int rtk_track_recorder_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "tracks", required_argument, NULL, 't' }, { "rtp-address", required_argument, NULL, 'a' },
		{ "rtp-port", required_argument, NULL, 'p' }, { NULL, 0, NULL, 0 },
	};
	track_recorder t = { .sock = -1 };
	const char *address = NULL;
	int opt, port_in = 0, port = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		char *end = NULL;
		if (opt == 't')
			t.dir = optarg;
		else if (opt == 'a')
			address = optarg;
		else if (opt == 'p' && (port_in = (int)strtol(optarg, &end, 10), end != optarg && *end == '\0' &&
				port_in >= 0 && port_in <= 65535))
			;
		else
			return track_usage(argv[0]);
	}
	struct stat st;
	if (t.dir == NULL || optind != argc || stat(t.dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return track_usage(argv[0]);
	av_log_set_level(getenv("RTK_AV_LOG") ? AV_LOG_INFO : AV_LOG_ERROR);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, track_on_signal);
	signal(SIGINT, track_on_signal);
	t.sock = track_open_socket(address, port_in, &port);
	if (t.sock < 0) {
		char msg[300];
		snprintf(msg, sizeof msg, "cannot bind the RTP socket: %s", strerror(errno));
		rtk_ctl_emit(stdout, json_pack("{s:s,s:s}", "event", "error", "message", msg));
		return 1;
	}
	track_global = &t;
	t.streams = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, track_stream_free);
	rtk_ctl_emit(stdout, json_pack("{s:s,s:i}", "event", "ready", "rtp_port", port));
	t.began = t.last_progress = track_now();
	/* on air at once: a per-track recording runs whether or not anyone publishes yet */
	rtk_ctl_emit(stdout, json_pack("{s:s}", "event", "started"));
	track_loop(&t);
	track_emit_stats(&t);
	double output_s = track_output_s(&t);
	g_hash_table_destroy(t.streams);   /* finishes every file, counting it in closed_bytes */
	t.streams = NULL;
	close(t.sock);
	rtk_ctl_emit(stdout, json_pack("{s:s,s:f,s:I}", "event", "stopped", "output_s", output_s,
		"bytes", (json_int_t)t.closed_bytes));
	track_global = NULL;
	return 0;
}
