/*
 * companion.c - the poll loop shared by rtk-recorder and rtk-hls
 * (companion.h): RTP in, control commands in, events out, pipeline ticks.
 */
#define _GNU_SOURCE
#include "companion.h"
#include "control.h"
#include "sender_report.h"
#include "watermark.h"

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
#include <libavutil/log.h>

#define COMPANION_MAX_PACKET 1600
#define COMPANION_POLL_MS 5
#define COMPANION_KEYFRAME_EVERY_NS 500000000LL
#define COMPANION_LINE_MAX 8192

/* One announced RTP stream. */
typedef struct companion_stream {
	uint32_t ssrc;
	char id[RTK_CTL_ID_MAX];
	rtk_source source;
	bool audio;
	uint64_t sender_reports;  /* RTCP SRs handed to the pipeline */
	rtk_depack *depack;
	int64_t last_keyframe_ask;
	uint64_t dropped_seen;   /* the depacketizer's dropped_frames at the last drain */
} companion_stream;

struct companion;

/* One output of a shared companion (--shared): a sink of the pipeline's
 * shared encoder, named by the plugin (add_output). */
typedef struct companion_output {
	struct companion *c;
	char name[RTK_CTL_ID_MAX];
	char path[RTK_CTL_PATH_MAX];
	rtk_output_format format;
	rtk_output *sink;
	bool started;
	int64_t last_progress;
} companion_output;

typedef struct companion {
	const rtk_companion_options *opts;
	companion_output *outputs[RTK_OUTPUT_SINKS_MAX];   /* --shared: attached now (owned) */
	int n_outputs;
	bool had_output;                /* --shared: one was asked for: the last one's end ends the process */
	rtk_pipeline *pipeline;
	int sock;
	GHashTable *streams;            /* ssrc -> companion_stream* (owned) */
	char line[COMPANION_LINE_MAX];  /* the control line being read */
	size_t line_len;
	bool line_overflow;             /* the current line is too long: skipped */
	bool started, stopping;
	int64_t last_progress;
	uint64_t unknown_packets;
} companion;

static volatile sig_atomic_t companion_signalled;

static void companion_on_signal(int sig)
{
	(void)sig;
	companion_signalled = 1;
}

static int64_t companion_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void companion_emit_error(const char *fmt, const char *detail)
{
	char msg[512];
	snprintf(msg, sizeof msg, fmt, detail);
	rtk_ctl_emit(stdout, json_pack("{s:s,s:s}", "event", "error", "message", msg));
}

/* ---- streams ---- */

static void companion_stream_free(gpointer p)
{
	companion_stream *s = p;
	rtk_depack_free(s->depack);
	g_free(s);
}

static void companion_add_stream(companion *c, const rtk_ctl *ctl)
{
	companion_stream *s = g_new0(companion_stream, 1);
	s->ssrc = ctl->ssrc;
	memcpy(s->id, ctl->id, sizeof s->id);
	s->source = ctl->source;
	s->audio = ctl->codec == RTK_CODEC_OPUS;
	s->depack = rtk_depack_new(ctl->codec, 0);
	g_hash_table_replace(c->streams, GUINT_TO_POINTER(ctl->ssrc), s);
}

static gboolean companion_stream_of(gpointer key, gpointer value, gpointer id)
{
	(void)key;
	return strcmp(((companion_stream *)value)->id, id) == 0;
}

/* Hands every frame the stream has finished to the pipeline, and asks for
 * a keyframe while the depacketizer is dropping frames for want of one (the
 * first request may reach the publisher before this process could receive
 * the answer, so one request is not enough). */
static void companion_drain(companion *c, companion_stream *s)
{
	rtk_frame *frame;
	while ((frame = rtk_depack_pop(s->depack)) != NULL) {
		rtk_pipeline_push(c->pipeline, s->id, s->source, frame);
		rtk_frame_free(frame);
	}
	rtk_depack_stats ds;
	rtk_depack_get_stats(s->depack, &ds);
	bool dropping = ds.dropped_frames > s->dropped_seen;
	s->dropped_seen = ds.dropped_frames;
	if (rtk_depack_need_keyframe(s->depack) || dropping) {
		int64_t now = companion_now();
		if (now - s->last_keyframe_ask >= COMPANION_KEYFRAME_EVERY_NS) {
			s->last_keyframe_ask = now;
			rtk_ctl_emit(stdout, json_pack("{s:s,s:I}", "event", "keyframe", "ssrc", (json_int_t)s->ssrc));
		}
	}
}

static uint32_t companion_be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* RTCP (RFC 5761 multiplexing: the second byte is a packet type in
 * 200..204): each sender report (RFC 3550 6.4.1) of an announced stream
 * maps that stream's RTP timestamps to its sender's wall clock (lip sync,
 * pipeline.h). The rest of a compound packet, and other RTCP, is ignored;
 * finding and reading the reports is sender_report.c's. */
static void companion_rtcp(companion *c, const uint8_t *buf, size_t len)
{
	rtk_sender_report sr;
	size_t at = 0;
	while (rtk_sender_report_next(buf, len, &at, &sr)) {
		companion_stream *s = g_hash_table_lookup(c->streams, GUINT_TO_POINTER(sr.ssrc));
		if (s != NULL && rtk_pipeline_sync(c->pipeline, s->id, s->source, s->audio, sr.rtp_ts, sr.ntp) == 0)
			s->sender_reports++;
	}
}

static void companion_read_rtp(companion *c)
{
	uint8_t buf[COMPANION_MAX_PACKET];
	for (int i = 0; i < 256; i++) {
		ssize_t n = recv(c->sock, buf, sizeof buf, MSG_DONTWAIT);
		if (n < 0)
			return;
		if (rtk_rtcp_is_rtcp(buf, (size_t)n)) {
			companion_rtcp(c, buf, (size_t)n);
			continue;
		}
		if (n < 12) {
			c->unknown_packets++;
			continue;
		}
		uint32_t ssrc = companion_be32(buf + 8);
		companion_stream *s = g_hash_table_lookup(c->streams, GUINT_TO_POINTER(ssrc));
		if (s == NULL) {
			c->unknown_packets++;
			continue;
		}
		if (rtk_depack_push(s->depack, buf, (size_t)n))
			companion_drain(c, s);
	}
}

/* ---- outputs of a shared companion (encode once) ---- */

static void companion_on_shared_cmaf(void *opaque, const rtk_cmaf_event *ev);

static int companion_output_find(const companion *c, const char *name)
{
	for (int i = 0; i < c->n_outputs; i++)
		if (strcmp(c->outputs[i]->name, name) == 0)
			return i;
	return -1;
}

static double companion_output_time(const companion *c, const companion_output *o)
{
	int fps = c->opts->pipeline.fps > 0 ? c->opts->pipeline.fps : 25;
	return (double)(rtk_output_sink_frames(o->sink) * 1000 / fps) / 1e3;
}

static void companion_output_emit(const char *event, const char *name, const char *message)
{
	json_t *e = json_pack("{s:s,s:s}", "event", event, "output", name);
	if (e != NULL && message != NULL)
		json_object_set_new(e, "message", json_string(message));
	rtk_ctl_emit(stdout, e);
}

/* add_output: a sink on the shared encoder from the next frame on. A
 * failure is that output's "error"; the process goes on. */
static void companion_output_add(companion *c, const rtk_ctl *ctl)
{
	char err[256] = "", msg[320];
	c->had_output = true;
	rtk_output *shared = rtk_pipeline_shared(c->pipeline);
	if (shared == NULL || companion_output_find(c, ctl->output) >= 0 || c->n_outputs >= RTK_OUTPUT_SINKS_MAX) {
		companion_output_emit("rejected", ctl->output, shared == NULL ? "add_output needs --shared" :
			"that output exists, or there are too many");
		return;
	}
	companion_output *o = g_new0(companion_output, 1);
	o->c = c;
	memcpy(o->name, ctl->output, sizeof o->name);
	memcpy(o->path, ctl->path, sizeof o->path);
	o->format = ctl->format;
	rtk_cmaf_options cmaf = { .part_ms = c->opts->pipeline.part_ms, .segment_ms = c->opts->pipeline.segment_ms,
		.on_cmaf = companion_on_shared_cmaf, .opaque = o };
	o->sink = rtk_output_sink_open(shared, o->format, o->path, &cmaf, err, sizeof err);
	if (o->sink == NULL) {
		snprintf(msg, sizeof msg, "cannot open the output: %s", err);
		companion_output_emit("error", o->name, msg);
		g_free(o);
		return;
	}
	c->outputs[c->n_outputs++] = o;
	companion_output_emit("added", o->name, NULL);
}

/* Finishes output `i` and says so: "stopped" with its time and bytes, or
 * "error" when it failed. */
static void companion_output_end(companion *c, int i)
{
	companion_output *o = c->outputs[i];
	c->outputs[i] = c->outputs[--c->n_outputs];
	int failed = rtk_output_sink_error(o->sink);
	int ret = rtk_output_finish(o->sink);
	double output_s = companion_output_time(c, o);
	rtk_output_free(o->sink);
	if (failed < 0 || ret < 0) {
		companion_output_emit("error", o->name, "writing the output failed");
	} else {
		struct stat st;
		long long bytes = o->format == RTK_OUTPUT_MP4_H264_AAC && stat(o->path, &st) == 0 ? (long long)st.st_size : 0;
		rtk_ctl_emit(stdout, json_pack("{s:s,s:s,s:f,s:I}", "event", "stopped", "output", o->name,
			"output_s", output_s, "bytes", (json_int_t)bytes));
	}
	g_free(o);
}

static void companion_output_remove(companion *c, const char *name)
{
	int i = companion_output_find(c, name);
	if (i < 0) {
		companion_output_emit("rejected", name, "no such output");
		return;
	}
	companion_output_end(c, i);
}

/* pause / resume of one output (or, without "output", every one). */
static void companion_output_pause(companion *c, const rtk_ctl *ctl)
{
	bool pause = ctl->kind == RTK_CTL_PAUSE;
	for (int i = 0; i < c->n_outputs; i++) {
		companion_output *o = c->outputs[i];
		if (ctl->output[0] && strcmp(o->name, ctl->output) != 0)
			continue;
		if (rtk_output_sink_pause(o->sink, pause) == 0)
			companion_output_emit(pause ? "paused" : "resumed", o->name, NULL);
		else
			companion_output_emit("rejected", o->name, "a livestream output does not pause");
	}
}

/* Each tick: an output's "started" (its first frame is written), its
 * "progress" every second, and the end of one whose writes failed. */
static void companion_outputs_tick(companion *c, int64_t now)
{
	for (int i = c->n_outputs - 1; i >= 0; i--) {
		companion_output *o = c->outputs[i];
		if (rtk_output_sink_error(o->sink) < 0) {
			companion_output_end(c, i);
			continue;
		}
		if (!o->started && rtk_output_sink_frames(o->sink) > 0) {
			o->started = true;
			o->last_progress = now;
			companion_output_emit("started", o->name, NULL);
		}
		if (o->started && now - o->last_progress >= 1000000000LL) {
			o->last_progress = now;
			rtk_pipeline_stats st;
			rtk_pipeline_get_stats(c->pipeline, &st);
			rtk_ctl_emit(stdout, json_pack("{s:s,s:s,s:f,s:I}", "event", "progress", "output", o->name,
				"output_s", companion_output_time(c, o), "late_frames", (json_int_t)st.late_frames));
		}
	}
	if (c->had_output && c->n_outputs == 0)
		c->stopping = true;   /* the last output ended */
}

/* ---- control ---- */

static void companion_apply(companion *c, const rtk_ctl *ctl)
{
	int64_t now = companion_now();
	switch (ctl->kind) {
	case RTK_CTL_PARTICIPANT:
		rtk_pipeline_add_participant(c->pipeline, ctl->id, ctl->name);
		break;
	case RTK_CTL_REMOVE:
		g_hash_table_foreach_remove(c->streams, companion_stream_of, (gpointer)ctl->id);
		rtk_pipeline_remove_participant(c->pipeline, ctl->id);
		break;
	case RTK_CTL_STREAM:
		companion_add_stream(c, ctl);
		break;
	case RTK_CTL_UNSTREAM:
		g_hash_table_remove(c->streams, GUINT_TO_POINTER(ctl->ssrc));
		break;
	case RTK_CTL_SCREENSHARE:
		rtk_pipeline_set_screenshare(c->pipeline, ctl->id, ctl->on);
		break;
	case RTK_CTL_SPEAKER:
		rtk_pipeline_set_speaker(c->pipeline, ctl->id);
		break;
	case RTK_CTL_LAYOUT:
		rtk_pipeline_set_layout(c->pipeline, ctl->layout);
		break;
	case RTK_CTL_PAUSE:
	case RTK_CTL_RESUME:
		if (c->opts->pipeline.shared) {
			companion_output_pause(c, ctl);
			break;
		}
		if (ctl->kind == RTK_CTL_PAUSE)
			rtk_pipeline_pause(c->pipeline, now);
		else
			rtk_pipeline_resume(c->pipeline, now);
		rtk_ctl_emit(stdout, json_pack("{s:s}", "event", ctl->kind == RTK_CTL_PAUSE ? "paused" : "resumed"));
		break;
	case RTK_CTL_STOP:
		c->stopping = true;
		break;
	case RTK_CTL_ADD_OUTPUT:
		companion_output_add(c, ctl);
		break;
	case RTK_CTL_REMOVE_OUTPUT:
		companion_output_remove(c, ctl->output);
		break;
	}
}

static void companion_line(companion *c, const char *line, size_t len)
{
	rtk_ctl ctl;
	char err[160];
	if (len == 0)
		return;
	if (rtk_ctl_parse(line, len, &ctl, err, sizeof err) == 0)
		companion_apply(c, &ctl);
	else
		rtk_ctl_emit(stdout, json_pack("{s:s,s:s}", "event", "rejected", "message", err));
}

/* Reads what stdin has; returns false at EOF or on a read error. */
static bool companion_read_control(companion *c)
{
	char buf[4096];
	ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	if (n == 0)
		return false;
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			if (!c->line_overflow)
				companion_line(c, c->line, c->line_len);
			else
				rtk_ctl_emit(stdout, json_pack("{s:s,s:s}", "event", "rejected", "message", "line too long"));
			c->line_len = 0;
			c->line_overflow = false;
		} else if (c->line_len < sizeof c->line) {
			c->line[c->line_len++] = buf[i];
		} else {
			c->line_overflow = true;
		}
	}
	return true;
}

/* ---- output ---- */

/* `opaque` is the rendition number: NULL (0) for the main output, which
 * leaves "rendition" out as before renditions existed. */
static void companion_on_cmaf(void *opaque, const rtk_cmaf_event *ev)
{
	int rendition = (int)(intptr_t)opaque;
	json_t *event;
	if (ev->kind == RTK_CMAF_PART)
		event = json_pack("{s:s,s:I,s:i,s:f,s:b}", "event", "part", "msn", (json_int_t)ev->msn,
			"part", ev->part, "duration", ev->duration_s, "independent", ev->independent);
	else
		event = json_pack("{s:s,s:I,s:f}", "event", "segment", "msn", (json_int_t)ev->msn,
			"duration", ev->duration_s);
	if (event != NULL && rendition > 0)
		json_object_set_new(event, "rendition", json_integer(rendition));
	rtk_ctl_emit(stdout, event);
}

/* A part or segment of a shared companion's CMAF output: the event names
 * the output (`opaque` is it). */
static void companion_on_shared_cmaf(void *opaque, const rtk_cmaf_event *ev)
{
	const companion_output *o = opaque;
	json_t *event;
	if (ev->kind == RTK_CMAF_PART)
		event = json_pack("{s:s,s:I,s:i,s:f,s:b,s:s}", "event", "part", "msn", (json_int_t)ev->msn,
			"part", ev->part, "duration", ev->duration_s, "independent", ev->independent, "output", o->name);
	else
		event = json_pack("{s:s,s:I,s:f,s:s}", "event", "segment", "msn", (json_int_t)ev->msn,
			"duration", ev->duration_s, "output", o->name);
	rtk_ctl_emit(stdout, event);
}

/* Output time in seconds, to the millisecond. */
static double companion_seconds(int64_t ns)
{
	return (double)(ns / 1000000) / 1e3;
}

static double companion_output_s(const companion *c)
{
	rtk_pipeline_stats st;
	rtk_pipeline_get_stats(c->pipeline, &st);
	return companion_seconds(st.output_ns);
}

static int companion_tick(companion *c)
{
	int64_t now = companion_now();
	int rc = rtk_pipeline_tick(c->pipeline, now);
	if (rc < 0)
		return rc;
	if (c->opts->pipeline.shared) {
		companion_outputs_tick(c, now);
		return 0;
	}
	rtk_pipeline_stats st;
	rtk_pipeline_get_stats(c->pipeline, &st);
	if (!c->started && st.video_frames > 0) {
		c->started = true;
		c->last_progress = now;
		rtk_ctl_emit(stdout, json_pack("{s:s}", "event", "started"));
	}
	if (c->started && now - c->last_progress >= 1000000000LL) {
		c->last_progress = now;
		rtk_ctl_emit(stdout, json_pack("{s:s,s:f,s:I}", "event", "progress", "output_s", companion_seconds(st.output_ns),
			"late_frames", (json_int_t)st.late_frames));
	}
	return 0;
}

static int companion_open_socket(const rtk_companion_options *o, int *port)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int rcvbuf = 4 * 1024 * 1024;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)o->rtp_port) };
	if (inet_pton(AF_INET, o->rtp_address ? o->rtp_address : "127.0.0.1", &sa.sin_addr) != 1 ||
			bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		close(fd);
		return -1;
	}
	socklen_t len = sizeof sa;
	getsockname(fd, (struct sockaddr *)&sa, &len);
	*port = ntohs(sa.sin_port);
	return fd;
}

/* What came in and what was made of it, for the plugin's log. */
static void companion_emit_stats(const companion *c)
{
	rtk_pipeline_stats st;
	rtk_pipeline_get_stats(c->pipeline, &st);
	json_t *streams = json_array();
	GHashTableIter it;
	gpointer v;
	g_hash_table_iter_init(&it, c->streams);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		const companion_stream *s = v;
		rtk_depack_stats ds;
		rtk_depack_get_stats(s->depack, &ds);
		json_array_append_new(streams, json_pack("{s:I,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "ssrc", (json_int_t)s->ssrc,
			"id", s->id, "source", s->source == RTK_SOURCE_SCREEN ? "screen" : "camera", "packets", (json_int_t)ds.packets, "lost", (json_int_t)ds.lost,
			"frames", (json_int_t)ds.frames, "dropped_frames", (json_int_t)ds.dropped_frames,
			"ignored", (json_int_t)ds.ignored, "sender_reports", (json_int_t)s->sender_reports,
			"width", (json_int_t)ds.width, "height", (json_int_t)ds.height));
	}
	rtk_ctl_emit(stdout, json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:o}", "event", "stats",
		"frames_in", (json_int_t)st.frames_in, "decode_errors", (json_int_t)st.decode_errors,
		"video_frames", (json_int_t)st.video_frames, "late_frames", (json_int_t)st.late_frames,
		"audio_samples", (json_int_t)st.audio_samples,
		"unknown_packets", (json_int_t)c->unknown_packets, "streams", streams));
}

static long long companion_output_bytes(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) ? (long long)st.st_size : 0;
}

static int companion_loop(companion *c)
{
	struct pollfd fds[2] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = c->sock, .events = POLLIN },
	};
	while (!c->stopping && !companion_signalled) {
		int n = poll(fds, 2, COMPANION_POLL_MS);
		if (n < 0 && errno != EINTR)
			return -1;
		/* Commands first: a "stream" command and that stream's first
		 * packets often arrive together, and packets of an SSRC not yet
		 * announced are dropped. */
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (!companion_read_control(c))
				c->stopping = true;
		}
		if (fds[1].revents & POLLIN)
			companion_read_rtp(c);
		if (companion_tick(c) < 0) {
			if (rtk_pipeline_push_failed(c->pipeline))
				companion_emit_error("%s", "the RTMP push failed: the server closed the connection or stopped reading");
			else
				companion_emit_error("encoding failed (%s)", c->opts->pipeline.path ? c->opts->pipeline.path :
					"shared encoder");
			return -1;
		}
	}
	return 0;
}

int rtk_companion_run(const rtk_companion_options *options)
{
	companion c = { .opts = options, .sock = -1 };
	char err[256] = "";
	int port = 0;
	/* FFmpeg's chatter (encoder banners, muxer notes) goes to stderr only
	 * when asked for: RTK_AV_LOG=1. */
	av_log_set_level(getenv("RTK_AV_LOG") ? AV_LOG_INFO : AV_LOG_ERROR);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, companion_on_signal);
	signal(SIGINT, companion_on_signal);

	c.sock = companion_open_socket(options, &port);
	if (c.sock < 0) {
		companion_emit_error("cannot bind the RTP socket: %s", strerror(errno));
		return 1;
	}
	rtk_pipeline_config config = options->pipeline;
	rtk_pipeline_rendition renditions[RTK_PIPELINE_RENDITIONS_MAX];
	if (config.format == RTK_OUTPUT_CMAF_H264_AAC) {
		config.on_cmaf = companion_on_cmaf;
		for (int i = 0; i < config.n_renditions; i++) {
			renditions[i] = config.renditions[i];
			renditions[i].on_cmaf = companion_on_cmaf;
			renditions[i].opaque = (void *)(intptr_t)(i + 1);
		}
		config.renditions = renditions;
	}
	c.pipeline = rtk_pipeline_new(&config, err, sizeof err);
	if (c.pipeline == NULL) {
		companion_emit_error("cannot open the output: %s", err);
		close(c.sock);
		return 1;
	}
	c.streams = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, companion_stream_free);
	if (config.shared) {   /* the first output: --output, --format, --output-name */
		rtk_ctl first = { .kind = RTK_CTL_ADD_OUTPUT, .format = config.format };
		g_strlcpy(first.output, options->output_name, sizeof first.output);
		g_strlcpy(first.path, config.path, sizeof first.path);
		companion_output_add(&c, &first);
	}
	rtk_ctl_emit(stdout, json_pack("{s:s,s:i}", "event", "ready", "rtp_port", port));

	int status = companion_loop(&c) == 0 ? 0 : 1;
	companion_emit_stats(&c);
	if (rtk_pipeline_finish(c.pipeline) < 0 && status == 0) {
		companion_emit_error("finishing the output failed (%s)", options->pipeline.path ?
			options->pipeline.path : "shared encoder");
		status = 1;
	}
	while (c.n_outputs > 0)   /* --shared: each output still attached ends with the process */
		companion_output_end(&c, c.n_outputs - 1);
	double output_s = companion_output_s(&c);
	rtk_pipeline_free(c.pipeline);
	g_hash_table_destroy(c.streams);
	close(c.sock);
	if (status == 0)
		rtk_ctl_emit(stdout, json_pack("{s:s,s:f,s:I}", "event", "stopped", "output_s", output_s,
			"bytes", (json_int_t)(options->pipeline.path ? companion_output_bytes(options->pipeline.path) : 0)));
	return status;
}

/* ---- command line ---- */

static bool companion_int_arg(const char *s, int min, int max, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return false;
	*out = (int)v;
	return true;
}

/* "WxH:DIR": one more rendition (W, H 2..1920). DIR points into argv. */
static bool companion_rendition_arg(const char *s, rtk_companion_options *o)
{
	const char *x = strchr(s, 'x'), *colon = strchr(s, ':');
	if (x == NULL || colon == NULL || colon < x || colon[1] == '\0' ||
	    o->pipeline.n_renditions >= RTK_PIPELINE_RENDITIONS_MAX)
		return false;
	char w[8], h[8];
	if ((size_t)(x - s) >= sizeof w || (size_t)(colon - x - 1) >= sizeof h)
		return false;
	memcpy(w, s, (size_t)(x - s));
	w[x - s] = '\0';
	memcpy(h, x + 1, (size_t)(colon - x - 1));
	h[colon - x - 1] = '\0';
	rtk_pipeline_rendition *r = &o->renditions[o->pipeline.n_renditions];
	memset(r, 0, sizeof *r);
	if (!companion_int_arg(w, 2, 1920, &r->width) || !companion_int_arg(h, 2, 1920, &r->height))
		return false;
	r->path = colon + 1;
	o->pipeline.n_renditions++;
	o->pipeline.renditions = o->renditions;
	return true;
}

static int companion_usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s --output PATH [--format mp4|webm|cmaf|m4a|mp3] [--width 1..1920] [--height 1..1920]\n"
		"       [--fps 1..60] [--channels 1|2] [--rtp-address IPV4] [--rtp-port PORT] [--part-ms MS]\n"
		"       [--segment-ms MS] [--rendition WxH:DIR]... [--shared --output-name NAME] [--rtmp rtmp://...|rtmps://...] [--watermark URL [--watermark-size WxH]]\n"
		"       [--watermark-position 'left top'|'right top'|'left bottom'|'right bottom']\n"
		"       [--layout GRID|ACTIVE_SPEAKER|PRESENTATION]\n"
		"Reads control commands on stdin and plain RTP on the UDP port; see docs/companions.md.\n",
		prog);
	return -1;
}

int rtk_companion_parse_args(int argc, char **argv, rtk_companion_options *o)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' }, { "format", required_argument, NULL, 'f' },
		{ "width", required_argument, NULL, 'w' }, { "height", required_argument, NULL, 'h' },
		{ "fps", required_argument, NULL, 'r' }, { "rtp-address", required_argument, NULL, 'a' },
		{ "rtp-port", required_argument, NULL, 'p' }, { "part-ms", required_argument, NULL, 'P' },
		{ "segment-ms", required_argument, NULL, 'S' }, { "channels", required_argument, NULL, 'c' },
		{ "rtmp", required_argument, NULL, 'R' }, { "watermark", required_argument, NULL, 'W' },
		{ "watermark-size", required_argument, NULL, 'Z' },
		{ "watermark-position", required_argument, NULL, 'X' },
		{ "rendition", required_argument, NULL, 'N' }, { "shared", no_argument, NULL, 'H' },
		{ "output-name", required_argument, NULL, 'n' },
		{ "layout", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;
	bool ok = true;
	while (ok && (opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o': o->pipeline.path = optarg; break;
		case 'f':
			if (strcmp(optarg, "mp4") == 0)
				o->pipeline.format = RTK_OUTPUT_MP4_H264_AAC;
			else if (strcmp(optarg, "webm") == 0)
				o->pipeline.format = RTK_OUTPUT_WEBM_VP8_OPUS;
			else if (strcmp(optarg, "cmaf") == 0)
				o->pipeline.format = RTK_OUTPUT_CMAF_H264_AAC;
			else if (strcmp(optarg, "m4a") == 0)
				o->pipeline.format = RTK_OUTPUT_M4A_AAC;
			else if (strcmp(optarg, "mp3") == 0)
				o->pipeline.format = RTK_OUTPUT_MP3;
			else
				ok = false;
			break;
		case 'w': ok = companion_int_arg(optarg, 1, 1920, &o->pipeline.width); break;
		case 'h': ok = companion_int_arg(optarg, 1, 1920, &o->pipeline.height); break;
		case 'r': ok = companion_int_arg(optarg, 1, 60, &o->pipeline.fps); break;
		case 'a': o->rtp_address = optarg; break;
		case 'p': ok = companion_int_arg(optarg, 0, 65535, &o->rtp_port); break;
		case 'P': ok = companion_int_arg(optarg, 50, 500, &o->pipeline.part_ms); break;
		case 'S': ok = companion_int_arg(optarg, 500, 10000, &o->pipeline.segment_ms); break;
		case 'c': ok = companion_int_arg(optarg, 1, 2, &o->pipeline.channels); break;
		case 'W': o->pipeline.watermark_url = optarg; break;
		case 'Z': {
			int w = 0, h = 0, n = 0;
			ok = sscanf(optarg, "%dx%d%n", &w, &h, &n) == 2 && optarg[n] == '\0' && w >= 1 && w <= 1920 &&
				h >= 1 && h <= 1920;
			o->pipeline.watermark_width = w;
			o->pipeline.watermark_height = h;
			break;
		}
		case 'X': {
			rtk_watermark_corner corner;
			ok = rtk_watermark_corner_parse(optarg, &corner) == 0;
			o->pipeline.watermark_corner = (int)corner;
			break;
		}
		case 'R':
			ok = strncmp(optarg, "rtmp://", 7) == 0 || strncmp(optarg, "rtmps://", 8) == 0;
			o->pipeline.push_url = optarg;
			break;
		case 'N': ok = companion_rendition_arg(optarg, o); break;
		case 'L': ok = rtk_layout_parse(optarg, &o->pipeline.layout) == 0; break;
		case 'H': o->pipeline.shared = true; break;
		case 'n': ok = optarg[0] != '\0' && strlen(optarg) < RTK_CTL_ID_MAX; o->output_name = optarg; break;
		default: ok = false; break;
		}
	}
	if (!ok || optind != argc || o->pipeline.path == NULL || (o->output_name != NULL) != o->pipeline.shared ||
	    (o->pipeline.shared && (o->pipeline.n_renditions > 0 || o->pipeline.push_url != NULL ||
	                            o->pipeline.watermark_url != NULL || o->pipeline.channels == 1 ||
	                            (o->pipeline.format != RTK_OUTPUT_MP4_H264_AAC &&
	                             o->pipeline.format != RTK_OUTPUT_CMAF_H264_AAC))))
		return companion_usage(argv[0]);
	return 0;
}
