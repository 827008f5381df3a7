/*
 * test_cmaf.c - the CMAF (LL-HLS) output of the media core
 * (RTK_OUTPUT_CMAF_H264_AAC, media/output.h): init.mp4, parts and
 * segments written into a directory and announced through on_cmaf, driven
 * through the pipeline (media/pipeline.h) on media time.
 *
 * Inputs are made as in test_recorder_core.c: libavcodec-encoded VP8 or
 * H.264 pictures of one colour with a moving bar, and Opus sines, fed as
 * rtk_frames on a 10 ms media clock. Checked: part and segment durations
 * (parts at most 500 ms and within a frame of part_ms except a segment's
 * last, segments near segment_ms, parts summing to their segment), every
 * segment starting with an INDEPENDENT part whose first video sample is a
 * keyframe, the INDEPENDENT flag of every part against its first sample,
 * every file in place (and no temporary name left) when announced, a part
 * announced within 100 ms of output time after its end, its audio ending
 * within an AAC frame of its video, each part one
 * moof + mdat, a segment equal to its parts concatenated, init.mp4 + one
 * INDEPENDENT part decoding alone, and init.mp4 + every segment read by
 * libavformat with continuous timestamps and by ffprobe with the size and
 * duration configured. RTK_KEEP_OUTPUTS keeps the files, RTK_AV_LOG=<level>
 * (e.g. 24 for warnings) shows FFmpeg's log.
 */
#include "unit.h"

#include <dirent.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>

#include "compositor.h"
#include "pipeline.h"

#define MS 1000000LL
#define EPS 1e-9

/* ---- synthetic inputs: media_inputs.h ---- */

#include "media_inputs.h"

typedef struct tpart {
	const char *id;
	rtk_yuv colour;
	bool h264;
	tstream v, a;
	bool present;
} tpart;

static void tpart_make(tpart *p, int end_ms, double hz)
{
	make_video(p->colour, end_ms / 40 + 1, p->h264, &p->v);
	make_audio(hz, end_ms / 20 + 1, &p->a);
}

static void tpart_push(rtk_pipeline *pl, tpart *p, tstream *s, rtk_codec codec, int now_ms)
{
	bool audio = codec == RTK_CODEC_OPUS;
	while (s->next < s->count) {
		tpkt *k = &s->pkts[s->next];
		int64_t index = audio ? (int64_t)s->next : k->pts;
		if (index * (audio ? 20 : 40) > now_ms)
			break;
		rtk_frame f = {
			.codec = codec, .data = k->data, .size = k->size, .ssrc = 1, .keyframe = k->key,
			.timestamp = 1000 + index * (audio ? 960 : 3600),
		};
		CHECK_EQ_INT(rtk_pipeline_push(pl, p->id, RTK_SOURCE_CAMERA, &f), 0);
		s->next++;
	}
}

static void tparts_free(tpart *parts, int n)
{
	for (int i = 0; i < n; i++) {
		tstream_free(&parts[i].v);
		tstream_free(&parts[i].a);
	}
}

/* ---- what on_cmaf heard ---- */

#define MAX_EVENTS 1024

typedef struct tevent {
	rtk_cmaf_event ev;
	char name[64];
	int at_ms;          /* output time of the tick that announced it; -1: finish */
	bool in_place;      /* the file existed, with the announced size */
	bool tmp_left;      /* a temporary file was still in the directory */
} tevent;

static char tmpdir[64];
static char outdir[128];        /* the run's CMAF directory */
static int now_ms;              /* output time of the current tick, ms; -1 in finish */
static tevent events[MAX_EVENTS];
static int n_events;

/* Whether `dir` holds a file whose name starts with '.' (a temporary). */
static bool has_tmp_file(const char *dir)
{
	DIR *d = opendir(dir);
	bool found = false;
	struct dirent *e;
	while (d != NULL && (e = readdir(d)) != NULL)
		if (e->d_name[0] == '.' && strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			found = true;
	if (d != NULL)
		closedir(d);
	return found;
}

static void on_cmaf(void *opaque, const rtk_cmaf_event *ev)
{
	CHECK(opaque == (void *)outdir);
	if (n_events >= MAX_EVENTS)
		return;
	tevent *t = &events[n_events++];
	t->ev = *ev;
	snprintf(t->name, sizeof(t->name), "%s", ev->name ? ev->name : "");
	t->ev.name = t->name;
	t->at_ms = now_ms;
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", outdir, t->name);
	struct stat st;
	t->in_place = stat(path, &st) == 0 && (size_t)st.st_size == ev->size && ev->size > 0;
	t->tmp_left = has_tmp_file(outdir);
}

/* ---- files ---- */

typedef struct tbuf {
	uint8_t *data;
	size_t len;
} tbuf;

static bool read_whole(const char *path, tbuf *b)
{
	b->data = NULL;
	b->len = 0;
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return false;
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 0, SEEK_SET);
	b->data = malloc(size > 0 ? (size_t)size : 1);
	b->len = size > 0 ? (size_t)size : 0;
	bool ok = fread(b->data, 1, b->len, f) == b->len;
	fclose(f);
	return ok;
}

static bool read_out(const char *name, tbuf *b)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", outdir, name);
	return read_whole(path, b);
}

/* Writes the concatenation of `names` (in outdir) to `dst`. */
static bool concat(const char *dst, const char **names, int n)
{
	FILE *out = fopen(dst, "wb");
	bool ok = out != NULL;
	for (int i = 0; ok && i < n; i++) {
		tbuf b;
		ok = read_out(names[i], &b) && fwrite(b.data, 1, b.len, out) == b.len;
		free(b.data);
	}
	if (out != NULL)
		fclose(out);
	return ok;
}

/* The top-level box types of `b`, as "ftyp moov " etc. */
static void box_types(const tbuf *b, char *types, size_t len)
{
	size_t at = 0, used = 0;
	types[0] = '\0';
	while (at + 8 <= b->len && used + 6 < len) {
		uint32_t size = (uint32_t)b->data[at] << 24 | (uint32_t)b->data[at + 1] << 16 |
			(uint32_t)b->data[at + 2] << 8 | b->data[at + 3];
		used += (size_t)snprintf(types + used, len - used, "%.4s ", (const char *)b->data + at + 4);
		if (size < 8)
			break;
		at += size;
	}
	if (at != b->len)
		snprintf(types + used, len - used, "(trailing bytes)");
}

/* ---- reading CMAF back ---- */

typedef struct tread {
	int vstream, astream;
	int width, height;
	char vcodec[32], acodec[32];
	int video_packets, audio_packets, video_decoded;
	bool first_video_key;
	bool video_continuous, audio_continuous; /* no gap, no overlap */
	int64_t video_first_pts, audio_first_dts;
	double video_end_s, audio_end_s;
} tread;

/* Reads `path` with libavformat; with `decode`, decodes the video too. */
static bool read_mp4(const char *path, bool decode, tread *r)
{
	memset(r, 0, sizeof(*r));
	r->vstream = r->astream = -1;
	r->video_continuous = r->audio_continuous = true;
	AVFormatContext *fmt = NULL;
	if (avformat_open_input(&fmt, path, NULL, NULL) < 0)
		return false;
	avformat_find_stream_info(fmt, NULL);
	for (unsigned i = 0; i < fmt->nb_streams; i++) {
		const AVCodecParameters *par = fmt->streams[i]->codecpar;
		if (par->codec_type == AVMEDIA_TYPE_VIDEO && r->vstream < 0) {
			r->vstream = (int)i;
			r->width = par->width;
			r->height = par->height;
			snprintf(r->vcodec, sizeof(r->vcodec), "%s", avcodec_get_name(par->codec_id));
		} else if (par->codec_type == AVMEDIA_TYPE_AUDIO && r->astream < 0) {
			r->astream = (int)i;
			snprintf(r->acodec, sizeof(r->acodec), "%s", avcodec_get_name(par->codec_id));
		}
	}
	AVCodecContext *dec = NULL;
	if (decode && r->vstream >= 0) {
		const AVCodecParameters *par = fmt->streams[r->vstream]->codecpar;
		dec = avcodec_alloc_context3(avcodec_find_decoder(par->codec_id));
		avcodec_parameters_to_context(dec, par);
		if (avcodec_open2(dec, NULL, NULL) < 0)
			avcodec_free_context(&dec);
	}
	AVPacket *pkt = av_packet_alloc();
	AVFrame *f = av_frame_alloc();
	int64_t vnext = AV_NOPTS_VALUE, anext = AV_NOPTS_VALUE;
	while (av_read_frame(fmt, pkt) >= 0) {
		AVStream *st = fmt->streams[pkt->stream_index];
		double end = (double)(pkt->pts + pkt->duration) * av_q2d(st->time_base);
		if (pkt->stream_index == r->vstream) {
			if (r->video_packets++ == 0) {
				r->first_video_key = pkt->flags & AV_PKT_FLAG_KEY;
				r->video_first_pts = pkt->pts;
			} else if (pkt->pts != vnext) {
				r->video_continuous = false;
			}
			vnext = pkt->pts + pkt->duration;
			r->video_end_s = end;
			if (dec != NULL && avcodec_send_packet(dec, pkt) >= 0)
				while (avcodec_receive_frame(dec, f) == 0) {
					r->video_decoded++;
					av_frame_unref(f);
				}
		} else if (pkt->stream_index == r->astream) {
			if (r->audio_packets++ == 0)
				r->audio_first_dts = pkt->dts;
			else if (pkt->dts != anext)
				r->audio_continuous = false;
			anext = pkt->dts + pkt->duration;
			r->audio_end_s = end;
		}
		av_packet_unref(pkt);
	}
	if (dec != NULL && avcodec_send_packet(dec, NULL) >= 0)
		while (avcodec_receive_frame(dec, f) == 0) {
			r->video_decoded++;
			av_frame_unref(f);
		}
	av_frame_free(&f);
	av_packet_free(&pkt);
	avcodec_free_context(&dec);
	avformat_close_input(&fmt);
	return true;
}

/* ---- one run ---- */

typedef struct trun {
	int width, height, fps;
	int part_ms, segment_ms;    /* as configured (0: default) */
	int end_ms;                 /* media clock of the last tick */
	int pause_ms, resume_ms;    /* pause over [pause_ms, resume_ms) when pause_ms >= 0 */
	int n_parts;                /* synthetic participants, 1 or 2 */
	const char *dirname;
	int n_renditions;           /* more renditions (an ABR ladder), directories made by the test */
	const rtk_pipeline_rendition *renditions;
	rtk_pipeline_stats stats;   /* after the run */
	double part_target, segment_target; /* from rtk_pipeline_cmaf_targets() */
} trun;

static const rtk_yuv RED = { 81, 90, 240 }, BLUE = { 41, 240, 110 };

/* Runs a pipeline over `run`'s clock with 1 or 2 participants (VP8 red,
 * H.264 blue), collecting events; returns false when it does not open. */
static bool run_pipeline(trun *run)
{
	snprintf(outdir, sizeof(outdir), "%s/%s", tmpdir, run->dirname);
	if (mkdir(outdir, 0755) != 0) {
		CHECK(!"mkdir");
		return false;
	}
	n_events = 0;
	tpart parts[2] = {
		{ .id = "a", .colour = RED },
		{ .id = "b", .colour = BLUE, .h264 = true },
	};
	for (int i = 0; i < run->n_parts; i++)
		tpart_make(&parts[i], run->end_ms, i ? 660 : 440);
	char err[256] = "";
	rtk_pipeline_config cfg = { .path = outdir, .format = RTK_OUTPUT_CMAF_H264_AAC, .width = run->width,
		.height = run->height, .fps = run->fps, .audio_delay_ms = 40, .part_ms = run->part_ms,
		.segment_ms = run->segment_ms, .on_cmaf = on_cmaf, .opaque = outdir,
		.n_renditions = run->n_renditions, .renditions = run->renditions };
	rtk_pipeline *pl = rtk_pipeline_new(&cfg, err, sizeof(err));
	CHECK_NOT_NULL(pl);
	if (pl == NULL) {
		fprintf(stderr, "\t%s\n", err);
		tparts_free(parts, run->n_parts);
		return false;
	}
	CHECK_EQ_INT(rtk_pipeline_cmaf_targets(pl, &run->part_target, &run->segment_target), 0);
	char init[256];
	snprintf(init, sizeof(init), "%s/init.mp4", outdir);
	CHECK(access(init, R_OK) == 0); /* written at open */
	for (int t = 0; t <= run->end_ms; t += 10) {
		now_ms = t; /* output time: the wall clock less the pause */
		if (run->pause_ms >= 0 && t >= run->pause_ms)
			now_ms = t >= run->resume_ms ? t - (run->resume_ms - run->pause_ms) : run->pause_ms;
		for (int i = 0; i < run->n_parts; i++) {
			if (t == 0)
				CHECK_EQ_INT(rtk_pipeline_add_participant(pl, parts[i].id, parts[i].id), 0);
			tpart_push(pl, &parts[i], &parts[i].v, parts[i].h264 ? RTK_CODEC_H264 : RTK_CODEC_VP8, t);
			tpart_push(pl, &parts[i], &parts[i].a, RTK_CODEC_OPUS, t);
		}
		if (t == run->pause_ms)
			CHECK_EQ_INT(rtk_pipeline_pause(pl, t * MS), 0);
		else if (t == run->resume_ms)
			CHECK_EQ_INT(rtk_pipeline_resume(pl, t * MS), 0);
		CHECK_EQ_INT(rtk_pipeline_tick(pl, t * MS), 0);
	}
	now_ms = -1;
	rtk_pipeline_get_stats(pl, &run->stats);
	CHECK_EQ_INT(rtk_pipeline_finish(pl), 0);
	CHECK_EQ_INT(run->stats.decode_errors, 0);
	rtk_pipeline_free(pl);
	tparts_free(parts, run->n_parts);
	return true;
}

/* The events in order: parts P = 0, 1, ... of segment M, then segment M
 * (whose `part` counts them), M = 0, 1, ...; each file in place, with no
 * temporary left, when announced. Returns the number of segments. */
static int check_event_order(void)
{
	int64_t msn = 0;
	int part = 0;
	for (int i = 0; i < n_events; i++) {
		const tevent *t = &events[i];
		CHECK(t->in_place);
		CHECK(!t->tmp_left);
		CHECK_EQ_INT(t->ev.msn, msn);
		char want[64];
		if (t->ev.kind == RTK_CMAF_PART) {
			CHECK_EQ_INT(t->ev.part, part);
			snprintf(want, sizeof(want), "seg%lld.%d.m4s", (long long)msn, part);
			part++;
		} else {
			CHECK_EQ_INT(t->ev.kind, RTK_CMAF_SEGMENT);
			CHECK_EQ_INT(t->ev.part, part);
			CHECK(part > 0);
			snprintf(want, sizeof(want), "seg%lld.m4s", (long long)msn);
			msn++;
			part = 0;
		}
		CHECK_EQ_STR(t->name, want);
	}
	CHECK_EQ_INT(part, 0); /* the last segment was announced too */
	CHECK(n_events > 0 && events[n_events - 1].ev.kind == RTK_CMAF_SEGMENT);
	return (int)msn;
}

/* Reads init.mp4 + `name` and checks the part or segment against `ev`:
 * one moof + mdat per part, its first video sample's keyframe flag is
 * `independent`, timestamps continue, and when independent it decodes
 * alone, every frame. */
static void check_alone(const trun *run, const tevent *t, int frames)
{
	tbuf b;
	CHECK(read_out(t->name, &b));
	if (t->ev.kind == RTK_CMAF_PART) {
		char types[256];
		box_types(&b, types, sizeof(types));
		CHECK_EQ_STR(types, "moof mdat ");
	}
	free(b.data);
	char probe[256];
	snprintf(probe, sizeof(probe), "%s/probe.mp4", tmpdir);
	const char *names[2] = { "init.mp4", t->name };
	CHECK(concat(probe, names, 2));
	tread r;
	CHECK(read_mp4(probe, t->ev.independent, &r));
	CHECK_EQ_INT(r.video_packets, frames);
	CHECK(r.first_video_key == t->ev.independent);
	CHECK(r.video_continuous);
	CHECK(r.audio_continuous);
	if (t->ev.independent)
		CHECK_EQ_INT(r.video_decoded, frames);
	/* audio rides along in every fragment but, possibly, a final short one,
	 * and covers what the video covers, to within one AAC frame (a player
	 * whose audio ends short of the part stalls) */
	CHECK(r.audio_packets > 0 || frames * 1000 / run->fps < 100);
	if (r.audio_packets > 0 && t->at_ms >= 0 && fabs(r.audio_end_s - r.video_end_s) > 1024.0 / 48000 + EPS) {
		fprintf(stderr, "\t%s: audio ends at %.3f s, video at %.3f s\n", t->name, r.audio_end_s, r.video_end_s);
		CHECK(false);
	}
	unlink(probe);
}

/* Durations and contents of every part and segment heard. */
static void check_parts_and_segments(const trun *run, int segments)
{
	double frame = 1.0 / run->fps;
	int part_ms = run->part_ms > 0 ? run->part_ms : 200;
	double part_want = (part_ms < 500 ? part_ms : 500) / 1000.0;
	double seg_want = (run->segment_ms > 0 ? run->segment_ms : 2000) / 1000.0;
	CHECK(fabs(run->part_target - part_want) <= frame + EPS && run->part_target <= 0.5 + EPS);
	CHECK(fabs(run->segment_target - seg_want) <= frame + EPS);
	int first = 0;              /* index of the segment's first part event */
	int64_t frames_before = 0;  /* video frames in earlier parts */
	int seg = 0;
	for (int i = 0; i < n_events; i++) {
		const tevent *t = &events[i];
		int frames = (int)lround(t->ev.duration_s * run->fps);
		CHECK(fabs(frames * frame - t->ev.duration_s) < EPS);
		if (t->ev.kind == RTK_CMAF_PART) {
			bool last_of_segment = i + 1 < n_events && events[i + 1].ev.kind == RTK_CMAF_SEGMENT;
			CHECK(t->ev.duration_s > 0 && t->ev.duration_s <= 0.5 + EPS);
			if (!last_of_segment)
				CHECK(fabs(t->ev.duration_s - part_want) <= frame + EPS);
			if (t->ev.part == 0)
				CHECK(t->ev.independent);
			frames_before += frames;
			/* Latency: announced once the audio up to the part's end is
			 * out of the AAC encoder (1024 samples late, plus filling its
			 * frame, on 10 ms ticks): within 100 ms of output time after the part's end
			 * (finish aside), never before its last frame. */
			if (t->at_ms >= 0 && !(t->at_ms >= (frames_before - 1) * 1000 / run->fps &&
					t->at_ms <= frames_before * 1000 / run->fps + 100)) {
				fprintf(stderr, "\t%s announced at %d ms, its end is at %lld ms\n", t->name, t->at_ms,
					(long long)(frames_before * 1000 / run->fps));
				CHECK(false);
			}
			check_alone(run, t, frames);
			continue;
		}
		double sum = 0;
		for (int k = first; k < i; k++)
			sum += events[k].ev.duration_s;
		CHECK(fabs(sum - t->ev.duration_s) < 1e-6);
		CHECK(t->ev.independent);
		if (seg + 1 < segments)
			CHECK(fabs(t->ev.duration_s - seg_want) <= frame + EPS);
		else
			CHECK(t->ev.duration_s <= seg_want + frame + EPS);
		/* the segment is its parts, byte for byte */
		tbuf whole, piece;
		CHECK(read_out(t->name, &whole));
		size_t at = 0;
		for (int k = first; k < i; k++) {
			CHECK(read_out(events[k].name, &piece));
			CHECK(at + piece.len <= whole.len && memcmp(whole.data + at, piece.data, piece.len) == 0);
			at += piece.len;
			free(piece.data);
		}
		CHECK_EQ_INT(at, whole.len);
		free(whole.data);
		check_alone(run, t, frames);
		first = i + 1;
		seg++;
	}
	CHECK_EQ_INT(frames_before, run->stats.video_frames);
}

/* init.mp4 + every segment, as one file: both tracks, continuous
 * timestamps from 0, the configured size, and the expected duration. */
static void check_whole(const trun *run, int segments, double duration)
{
	tbuf init;
	CHECK(read_out("init.mp4", &init));
	char types[256];
	box_types(&init, types, sizeof(types));
	CHECK_EQ_STR(types, "ftyp moov ");
	free(init.data);

	const char **names = calloc((size_t)segments + 1, sizeof(*names));
	char (*segs)[64] = calloc((size_t)segments + 1, sizeof(*segs));
	names[0] = "init.mp4";
	for (int i = 0; i < segments; i++) {
		snprintf(segs[i], sizeof(segs[i]), "seg%d.m4s", i);
		names[i + 1] = segs[i];
	}
	char all[256];
	snprintf(all, sizeof(all), "%s/%s.mp4", tmpdir, run->dirname);
	CHECK(concat(all, names, segments + 1));
	free(names);
	free(segs);

	tread r;
	CHECK(read_mp4(all, true, &r));
	CHECK_EQ_STR(r.vcodec, "h264");
	CHECK_EQ_STR(r.acodec, "aac");
	CHECK_EQ_INT(r.width, run->width);
	CHECK_EQ_INT(r.height, run->height);
	CHECK_EQ_INT(r.video_packets, run->stats.video_frames);
	CHECK_EQ_INT(r.video_decoded, run->stats.video_frames);
	CHECK_EQ_INT(r.video_first_pts, 0);
	CHECK_EQ_INT(r.audio_first_dts, 0);
	CHECK(r.video_continuous);
	CHECK(r.audio_continuous);
	CHECK(fabs(r.video_end_s - (double)run->stats.video_frames / run->fps) < 1e-6);
	CHECK(fabs(r.audio_end_s - r.video_end_s) < 0.15);
	fprintf(stderr, "\twhole: video %.3f s (%d frames), audio %.3f s (%d packets)\n", r.video_end_s,
		r.video_packets, r.audio_end_s, r.audio_packets);

	char *json = ffprobe_json(all);
	CHECK_NOT_NULL(json);
	if (json != NULL) {
		char w[16], h[16];
		snprintf(w, sizeof(w), "%d", run->width);
		snprintf(h, sizeof(h), "%d", run->height);
		CHECK(json_has(json, "codec_name", "\"h264\""));
		CHECK(json_has(json, "codec_name", "\"aac\""));
		CHECK(json_has(json, "width", w));
		CHECK(json_has(json, "height", h));
		double d = ffprobe_duration(json);
		CHECK(fabs(d - duration) <= duration * 0.1);
		fprintf(stderr, "\tffprobe duration %.3f s, expected %.3f\n", d, duration);
		free(json);
	}
	if (unit_failures == 0)
		unlink(all);
}

static void report(const trun *run, int segments)
{
	size_t min = SIZE_MAX, max = 0, total = 0;
	int parts = 0;
	for (int i = 0; i < n_events; i++)
		if (events[i].ev.kind == RTK_CMAF_PART) {
			size_t s = events[i].ev.size;
			min = s < min ? s : min;
			max = s > max ? s : max;
			total += s;
			parts++;
		}
	fprintf(stderr, "\t%dx%d@%d part %.3f s segment %.3f s: %d parts (%zu..%zu bytes, mean %zu), "
		"%d segments\n", run->width, run->height, run->fps, run->part_target, run->segment_target, parts,
		min, max, parts ? total / (size_t)parts : 0, segments);
}

static void check_run(trun *run, double duration)
{
	if (!run_pipeline(run))
		return;
	int segments = check_event_order();
	check_parts_and_segments(run, segments);
	check_whole(run, segments, duration);
	report(run, segments);
}

/* ---- the tests ---- */

/* Defaults (200 ms parts, 2 s segments), two participants, ~7 s at 25 fps. */
static void test_cmaf_defaults(void)
{
	trun run = { .width = 640, .height = 360, .fps = 25, .end_ms = 7000, .pause_ms = -1, .resume_ms = -1,
		.n_parts = 2, .dirname = "defaults" };
	check_run(&run, 7.0);
	CHECK_EQ_INT(run.stats.video_frames, 176);
	CHECK(fabs(run.part_target - 0.2) < EPS && fabs(run.segment_target - 2.0) < EPS);
	/* 50-frame segments: 3 full ones and 26 frames; 10 parts of 5 frames each,
	 * the last segment 5 parts of 5 and one of 1 */
	int parts = 0, segments = 0;
	for (int i = 0; i < n_events; i++) {
		if (events[i].ev.kind == RTK_CMAF_PART)
			parts++;
		else
			segments++;
	}
	CHECK_EQ_INT(segments, 4);
	CHECK_EQ_INT(parts, 36);
}

/* Parts that do not divide the segment (300 ms of 30 fps, 1 s segments:
 * 9, 9, 9, 3 frames), and a pause in the middle that leaves no gap. */
static void test_cmaf_uneven_pause(void)
{
	trun run = { .width = 320, .height = 240, .fps = 30, .part_ms = 300, .segment_ms = 1000,
		.end_ms = 3000, .pause_ms = 1000, .resume_ms = 1500, .n_parts = 1, .dirname = "uneven" };
	check_run(&run, 2.5);
	CHECK(fabs(run.part_target - 0.3) < EPS && fabs(run.segment_target - 1.0) < EPS);
	bool saw_short = false;
	for (int i = 0; i < n_events; i++)
		if (events[i].ev.kind == RTK_CMAF_PART && events[i].ev.part == 3)
			saw_short = fabs(events[i].ev.duration_s - 0.1) < EPS;
	CHECK(saw_short);
}

/* part_ms above 500 is cut to at most 500 ms (12 frames of 25 fps). */
static void test_cmaf_part_cap(void)
{
	trun run = { .width = 320, .height = 240, .fps = 25, .part_ms = 900, .segment_ms = 1500,
		.end_ms = 3000, .pause_ms = -1, .resume_ms = -1, .n_parts = 1, .dirname = "cap" };
	check_run(&run, 3.0);
	CHECK(fabs(run.part_target - 0.48) < EPS);
}

/* Freed without rtk_pipeline_finish() (a killed livestream): the parts
 * announced stay whole, nothing temporary is left, nothing leaks (ASan). */
static void test_cmaf_unfinished(void)
{
	snprintf(outdir, sizeof(outdir), "%s/unfinished", tmpdir);
	CHECK(mkdir(outdir, 0755) == 0);
	n_events = 0;
	tpart a = { .id = "a", .colour = RED };
	tpart_make(&a, 700, 440);
	char err[256] = "";
	rtk_pipeline_config cfg = { .path = outdir, .format = RTK_OUTPUT_CMAF_H264_AAC, .width = 320,
		.height = 240, .on_cmaf = on_cmaf, .opaque = outdir };
	rtk_pipeline *pl = rtk_pipeline_new(&cfg, err, sizeof(err));
	CHECK_NOT_NULL(pl);
	if (pl != NULL) {
		CHECK_EQ_INT(rtk_pipeline_add_participant(pl, "a", "A"), 0);
		for (int t = 0; t <= 700; t += 10) {
			now_ms = t;
			tpart_push(pl, &a, &a.v, RTK_CODEC_VP8, t);
			tpart_push(pl, &a, &a.a, RTK_CODEC_OPUS, t);
			CHECK_EQ_INT(rtk_pipeline_tick(pl, t * MS), 0);
		}
		rtk_pipeline_free(pl);
	}
	/* 18 frames: parts of 5, 5, 5 announced, 3 frames lost with the process */
	CHECK_EQ_INT(n_events, 3);
	for (int i = 0; i < n_events; i++)
		CHECK(events[i].in_place && !events[i].tmp_left && events[i].ev.kind == RTK_CMAF_PART);
	CHECK(!has_tmp_file(outdir));
	tparts_free(&a, 1);
}

/* ---- an ABR ladder: one composite, three renditions ---- */

#define LADDER_N 2              /* renditions besides the main output */

typedef struct tladder {
	char dir[128];
	int width, height;
	int n;
	rtk_cmaf_event ev[MAX_EVENTS];
} tladder;

static tladder ladder[LADDER_N];

static void on_rendition(void *opaque, const rtk_cmaf_event *ev)
{
	tladder *l = opaque;
	if (l->n < MAX_EVENTS) {
		l->ev[l->n] = *ev;
		l->ev[l->n++].name = NULL;
	}
}

/* init.mp4 + `name` of directory `dir`, read back (outdir is switched
 * for concat() and restored). */
static bool read_with_init(const char *dir, const char *name, tread *r)
{
	char saved[sizeof outdir], want[sizeof outdir], probe[256];
	snprintf(want, sizeof want, "%s", dir);   /* `dir` may be outdir itself */
	memcpy(saved, outdir, sizeof outdir);
	memcpy(outdir, want, sizeof outdir);
	snprintf(probe, sizeof probe, "%s/probe.mp4", tmpdir);
	const char *names[2] = { "init.mp4", name };
	bool ok = concat(probe, names, 2) && read_mp4(probe, false, r);
	unlink(probe);
	memcpy(outdir, saved, sizeof outdir);
	return ok;
}

/* The main output at 640x360 and renditions at 426x240 and 256x144 of the
 * same composite: each rendition announces the same parts and segments
 * (same msn, part indexes, durations, INDEPENDENT flags) as the main one,
 * and each of its segments is H.264 + AAC of its size starting with a
 * keyframe at the same time as the main output's segment of that msn. */
static void test_cmaf_ladder(void)
{
	const int sizes[LADDER_N][2] = { { 426, 240 }, { 256, 144 } };
	rtk_pipeline_rendition renditions[LADDER_N];
	for (int i = 0; i < LADDER_N; i++) {
		tladder *l = &ladder[i];
		memset(l, 0, sizeof *l);
		snprintf(l->dir, sizeof l->dir, "%s/ladder%d", tmpdir, i + 1);
		CHECK(mkdir(l->dir, 0755) == 0);
		l->width = sizes[i][0];
		l->height = sizes[i][1];
		renditions[i] = (rtk_pipeline_rendition) { .path = l->dir, .width = l->width, .height = l->height,
			.on_cmaf = on_rendition, .opaque = l };
	}
	trun run = { .width = 640, .height = 360, .fps = 25, .end_ms = 4500, .pause_ms = -1, .resume_ms = -1,
		.n_parts = 2, .dirname = "ladder0", .n_renditions = LADDER_N, .renditions = renditions };
	check_run(&run, 4.5);
	int segments = 0;
	for (int i = 0; i < LADDER_N; i++) {
		const tladder *l = &ladder[i];
		CHECK_EQ_INT(l->n, n_events);
		for (int e = 0; e < l->n && e < n_events; e++) {
			const rtk_cmaf_event *a = &events[e].ev, *b = &l->ev[e];
			CHECK(a->kind == b->kind && a->msn == b->msn && a->part == b->part &&
				fabs(a->duration_s - b->duration_s) < EPS && a->independent == b->independent);
			if (b->kind != RTK_CMAF_SEGMENT)
				continue;
			segments++;
			char name[64];
			snprintf(name, sizeof name, "seg%" PRId64 ".m4s", b->msn);
			tread main_r, r;
			CHECK(read_with_init(outdir, name, &main_r));
			CHECK(read_with_init(l->dir, name, &r));
			CHECK_EQ_INT(r.width, l->width);
			CHECK_EQ_INT(r.height, l->height);
			CHECK_EQ_STR(r.vcodec, "h264");
			CHECK_EQ_STR(r.acodec, "aac");
			CHECK(r.first_video_key);
			CHECK(main_r.first_video_key);
			CHECK(r.video_first_pts == main_r.video_first_pts);
			CHECK_EQ_INT(r.video_packets, main_r.video_packets);
			CHECK(r.audio_continuous && r.video_continuous);
		}
	}
	CHECK_EQ_INT(segments, 3 * LADDER_N);   /* 50, 50 and 13 frames */
}

static void test_cmaf_bad_config(void)
{
	char err[256] = "";
	rtk_pipeline_config cfg = { .path = "/nonexistent-dir", .format = RTK_OUTPUT_CMAF_H264_AAC };
	CHECK_NULL(rtk_pipeline_new(&cfg, err, sizeof(err)));
	CHECK(strstr(err, "init.mp4") != NULL);
	cfg.path = tmpdir;
	cfg.fps = 1;
	CHECK_NULL(rtk_pipeline_new(&cfg, err, sizeof(err)));
	CHECK(strstr(err, "fps") != NULL);
	/* other formats have no CMAF targets */
	char path[128];
	snprintf(path, sizeof(path), "%s/plain.mp4", tmpdir);
	rtk_pipeline_config mp4 = { .path = path, .format = RTK_OUTPUT_MP4_H264_AAC, .width = 320, .height = 240 };
	rtk_pipeline *pl = rtk_pipeline_new(&mp4, err, sizeof(err));
	CHECK_NOT_NULL(pl);
	double part_s = 0;
	CHECK_EQ_INT(rtk_pipeline_cmaf_targets(pl, &part_s, NULL), -1);
	rtk_pipeline_free(pl);
	unlink(path);
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];
	while (d != NULL && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	if (d != NULL)
		closedir(d);
	rmdir(dir);
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rtk_cmaf_XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	av_log_set_level(getenv("RTK_AV_LOG") ? atoi(getenv("RTK_AV_LOG")) : AV_LOG_ERROR);
	UNIT_RUN(test_cmaf_defaults);
	UNIT_RUN(test_cmaf_uneven_pause);
	UNIT_RUN(test_cmaf_part_cap);
	UNIT_RUN(test_cmaf_unfinished);
	UNIT_RUN(test_cmaf_ladder);
	UNIT_RUN(test_cmaf_bad_config);
	if (unit_failures == 0 && getenv("RTK_KEEP_OUTPUTS") == NULL) {
		const char *dirs[] = { "defaults", "uneven", "cap", "unfinished", "ladder0", "ladder1", "ladder2" };
		char path[128];
		for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", tmpdir, dirs[i]);
			remove_dir(path);
		}
		rmdir(tmpdir);
	} else {
		fprintf(stderr, "outputs kept in %s (RTK_KEEP_OUTPUTS or a failure)\n", tmpdir);
	}
	return UNIT_DONE();
}
