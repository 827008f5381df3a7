/*
 * pipeline.c - participants, output clock and the glue between decoders,
 * compositor, mixer and output (see pipeline.h for the clock, pause,
 * ownership and threading rules, and why).
 */
#include "pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>

#include "compositor.h"
#include "decode.h"
#include "mixer.h"

#define RTK_NS 1000000000LL

/* What one source of a participant (camera or screen) holds. */
typedef struct rtk_pipeline_source {
	rtk_decoder *video, *audio;
	AVFrame *picture;           /* last decoded picture; empty (width 0) until one */
	rtk_mixer_input *mix;       /* created with the source's first audio */
} rtk_pipeline_source;

typedef struct rtk_pipeline_participant {
	struct rtk_pipeline_participant *next;
	char *id, *name;
	rtk_pipeline_source sources[2]; /* indexed by rtk_source */
} rtk_pipeline_participant;

struct rtk_pipeline {
	rtk_output *output;
	rtk_compositor *compositor;
	rtk_mixer *mixer;
	int width, height, fps;
	rtk_pipeline_participant *participants; /* join order */
	rtk_pipeline_participant *screen_owner; /* NULL: grid layout */
	AVFrame *decoded;           /* reused for every decoder output */
	rtk_rect rects[RTK_COMPOSITOR_MAX_TILES + 1];

	bool started, paused, finished;
	int64_t t0, wall;           /* first tick; last wall time (ns since t0) */
	int64_t pause_start, paused_total;
	rtk_pipeline_stats stats;
};

static int rtk_pipeline_clamp(int v, int lo, int hi, int dflt)
{
	if (v == 0)
		return dflt;
	return v < lo ? lo : v > hi ? hi : v;
}

rtk_pipeline *rtk_pipeline_new(const rtk_pipeline_config *config, char *err, size_t errlen)
{
	rtk_pipeline *p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->width = rtk_pipeline_clamp(config->width, 2, 1920, 1280) & ~1;
	p->height = rtk_pipeline_clamp(config->height, 2, 1920, 720) & ~1;
	p->fps = rtk_pipeline_clamp(config->fps, 1, 60, 25);
	int delay_ms = config->audio_delay_ms < 0 ? 0 : config->audio_delay_ms > 500 ? 500 : config->audio_delay_ms;
	if (config->format == RTK_OUTPUT_CMAF_H264_AAC) {
		rtk_cmaf_options cmaf = { .part_ms = config->part_ms, .segment_ms = config->segment_ms,
			.on_cmaf = config->on_cmaf, .opaque = config->opaque };
		p->output = rtk_output_open_cmaf(config->path, p->width, p->height, p->fps, &cmaf, err, errlen);
	} else {
		p->output = rtk_output_open(config->path, config->format, p->width, p->height, p->fps,
			err, errlen);
	}
	if (p->output == NULL)
		goto fail;
	p->compositor = rtk_compositor_new(p->width, p->height);
	p->mixer = rtk_mixer_new((int64_t)delay_ms * RTK_MIXER_RATE / 1000);
	p->decoded = av_frame_alloc();
	if (p->compositor == NULL || p->mixer == NULL || p->decoded == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "out of memory");
		goto fail;
	}
	return p;
fail:
	rtk_pipeline_free(p);
	return NULL;
}

static void rtk_pipeline_source_clear(rtk_pipeline *p, rtk_pipeline_source *s)
{
	rtk_decoder_free(s->video);
	rtk_decoder_free(s->audio);
	s->video = s->audio = NULL;
	av_frame_free(&s->picture);
	if (s->mix != NULL)
		rtk_mixer_remove_input(p->mixer, s->mix);
	s->mix = NULL;
}

static void rtk_pipeline_participant_free(rtk_pipeline *p, rtk_pipeline_participant *part)
{
	for (int i = 0; i < 2; i++)
		rtk_pipeline_source_clear(p, &part->sources[i]);
	free(part->id);
	free(part->name);
	free(part);
}

void rtk_pipeline_free(rtk_pipeline *p)
{
	if (p == NULL)
		return;
	while (p->participants != NULL) {
		rtk_pipeline_participant *next = p->participants->next;
		rtk_pipeline_participant_free(p, p->participants);
		p->participants = next;
	}
	rtk_output_free(p->output);
	rtk_compositor_free(p->compositor);
	rtk_mixer_free(p->mixer);
	av_frame_free(&p->decoded);
	free(p);
}

static rtk_pipeline_participant *rtk_pipeline_find(rtk_pipeline *p, const char *id)
{
	for (rtk_pipeline_participant *part = p->participants; part != NULL; part = part->next)
		if (id != NULL && strcmp(part->id, id) == 0)
			return part;
	return NULL;
}

int rtk_pipeline_add_participant(rtk_pipeline *p, const char *id, const char *name)
{
	if (id == NULL)
		return -1;
	char *copy = strdup(name != NULL ? name : "");
	if (copy == NULL)
		return -1;
	rtk_pipeline_participant *part = rtk_pipeline_find(p, id);
	if (part != NULL) {
		free(part->name);
		part->name = copy;
		return 0;
	}
	part = calloc(1, sizeof(*part));
	if (part == NULL || (part->id = strdup(id)) == NULL) {
		free(part);
		free(copy);
		return -1;
	}
	part->name = copy;
	rtk_pipeline_participant **tail = &p->participants;
	while (*tail != NULL)
		tail = &(*tail)->next;
	*tail = part;
	return 0;
}

int rtk_pipeline_remove_participant(rtk_pipeline *p, const char *id)
{
	for (rtk_pipeline_participant **at = &p->participants; *at != NULL; at = &(*at)->next) {
		rtk_pipeline_participant *part = *at;
		if (strcmp(part->id, id) != 0)
			continue;
		*at = part->next;
		if (p->screen_owner == part)
			p->screen_owner = NULL;
		rtk_pipeline_participant_free(p, part);
		return 0;
	}
	return -1;
}

int rtk_pipeline_set_screenshare(rtk_pipeline *p, const char *id, bool on)
{
	rtk_pipeline_participant *part = rtk_pipeline_find(p, id);
	if (part == NULL)
		return -1;
	if (on) {
		p->screen_owner = part;
	} else {
		if (p->screen_owner == part)
			p->screen_owner = NULL;
		/* A later share starts from a keyframe and a fresh picture. */
		rtk_decoder_free(part->sources[RTK_SOURCE_SCREEN].video);
		part->sources[RTK_SOURCE_SCREEN].video = NULL;
		av_frame_free(&part->sources[RTK_SOURCE_SCREEN].picture);
	}
	return 0;
}

/* The source's decoder for `codec`, (re)created when the codec changes. */
static rtk_decoder *rtk_pipeline_decoder(rtk_decoder **slot, rtk_codec codec)
{
	if (*slot != NULL && rtk_decoder_codec(*slot) != codec) {
		rtk_decoder_free(*slot);
		*slot = NULL;
	}
	if (*slot == NULL)
		*slot = rtk_decoder_new(codec);
	return *slot;
}

/* Keeps the newest decoded picture: moves the reference, copies nothing. */
static int rtk_pipeline_keep_picture(rtk_pipeline_source *s, AVFrame *decoded)
{
	if (s->picture == NULL && (s->picture = av_frame_alloc()) == NULL)
		return -1;
	av_frame_unref(s->picture);
	av_frame_move_ref(s->picture, decoded);
	return 0;
}

static int rtk_pipeline_mix_audio(rtk_pipeline *p, rtk_pipeline_source *s, int64_t ts, AVFrame *decoded)
{
	if (s->mix == NULL && (s->mix = rtk_mixer_add_input(p->mixer)) == NULL)
		return -1;
	return rtk_mixer_write(p->mixer, s->mix, ts, decoded) < 0 ? -1 : 0;
}

int rtk_pipeline_push(rtk_pipeline *p, const char *id, rtk_source source, const rtk_frame *frame)
{
	rtk_pipeline_participant *part = rtk_pipeline_find(p, id);
	if (part == NULL || frame == NULL || (source != RTK_SOURCE_CAMERA && source != RTK_SOURCE_SCREEN))
		return -1;
	rtk_pipeline_source *s = &part->sources[source];
	bool audio = frame->codec == RTK_CODEC_OPUS;
	rtk_decoder *dec = rtk_pipeline_decoder(audio ? &s->audio : &s->video, frame->codec);
	if (dec == NULL)
		return -1;
	p->stats.frames_in++;
	int ret = rtk_decoder_send(dec, frame);
	if (ret > 0)
		return 0; /* waiting for a keyframe */
	int64_t ts = frame->timestamp;
	while (ret == 0 && (ret = rtk_decoder_receive(dec, p->decoded)) > 0) {
		if (audio) {
			ret = rtk_pipeline_mix_audio(p, s, ts, p->decoded);
			ts += p->decoded->nb_samples;
			av_frame_unref(p->decoded);
		} else {
			ret = rtk_pipeline_keep_picture(s, p->decoded);
		}
	}
	if (ret < 0) {
		p->stats.decode_errors++;
		return -1;
	}
	return 0;
}

/* Lays out the participants (join order) and draws the composite. */
static int rtk_pipeline_compose(rtk_pipeline *p)
{
	int ret = rtk_compositor_begin(p->compositor);
	if (ret < 0)
		return ret;
	int n = 0;
	for (rtk_pipeline_participant *part = p->participants; part != NULL; part = part->next)
		n++;
	bool share = p->screen_owner != NULL;
	int count = rtk_compositor_layout(p->width, p->height, n, share, p->rects);
	int tile = 0;
	if (share) {
		const AVFrame *pic = p->screen_owner->sources[RTK_SOURCE_SCREEN].picture;
		ret = rtk_compositor_draw(p->compositor, 0, &p->rects[tile++], pic);
	}
	for (rtk_pipeline_participant *part = p->participants; part != NULL && tile < count && ret >= 0;
	     part = part->next, tile++)
		ret = rtk_compositor_draw(p->compositor, tile + (share ? 0 : 1), &p->rects[tile],
			part->sources[RTK_SOURCE_CAMERA].picture);
	return ret;
}

static int64_t rtk_pipeline_sample_at(int64_t wall_ns)
{
	return wall_ns / 1000 * RTK_MIXER_RATE / 1000000;
}

static int rtk_pipeline_emit_audio(rtk_pipeline *p)
{
	int64_t end = rtk_pipeline_sample_at(p->wall);
	while (rtk_mixer_position(p->mixer) < end) {
		size_t count;
		const float *mixed = rtk_mixer_mix(p->mixer, end, &count);
		int ret = rtk_output_write_audio(p->output, mixed, count);
		if (ret < 0)
			return ret;
		p->stats.audio_samples += count;
	}
	return 0;
}

/* Every video frame whose slot k / fps is at or before the output time;
 * the composite is drawn once per tick however many are due. */
static int rtk_pipeline_emit_video(rtk_pipeline *p, int64_t out_ns)
{
	bool drawn = false;
	while ((int64_t)p->stats.video_frames * RTK_NS / p->fps <= out_ns) {
		if (!drawn) {
			int ret = rtk_pipeline_compose(p);
			if (ret < 0)
				return ret;
			drawn = true;
		}
		int ret = rtk_output_write_video(p->output, rtk_compositor_canvas(p->compositor),
			(int64_t)p->stats.video_frames);
		if (ret < 0)
			return ret;
		p->stats.video_frames++;
	}
	return 0;
}

/* Advances the wall clock (never backwards); the first call starts it. */
static void rtk_pipeline_clock(rtk_pipeline *p, int64_t now_ns)
{
	if (!p->started) {
		p->started = true;
		p->t0 = now_ns;
	}
	if (now_ns - p->t0 > p->wall)
		p->wall = now_ns - p->t0;
}

int rtk_pipeline_tick(rtk_pipeline *p, int64_t now_ns)
{
	if (p->finished)
		return AVERROR(EINVAL);
	rtk_pipeline_clock(p, now_ns);
	if (p->paused) {
		rtk_mixer_skip(p->mixer, rtk_pipeline_sample_at(p->wall));
		return 0;
	}
	int64_t out_ns = p->wall - p->paused_total;
	p->stats.output_ns = out_ns;
	/* Audio first: a CMAF part cut by a video frame below then carries the
	 * audio up to now (pipeline.h). */
	int ret = rtk_pipeline_emit_audio(p);
	if (ret >= 0)
		ret = rtk_pipeline_emit_video(p, out_ns);
	return ret;
}

int rtk_pipeline_pause(rtk_pipeline *p, int64_t now_ns)
{
	if (p->paused)
		return 0;
	int ret = rtk_pipeline_tick(p, now_ns);
	p->paused = true;
	p->pause_start = p->wall;
	return ret;
}

int rtk_pipeline_resume(rtk_pipeline *p, int64_t now_ns)
{
	if (!p->paused)
		return 0;
	rtk_pipeline_clock(p, now_ns);
	rtk_mixer_skip(p->mixer, rtk_pipeline_sample_at(p->wall));
	p->paused_total += p->wall - p->pause_start;
	p->paused = false;
	return 0;
}

bool rtk_pipeline_paused(const rtk_pipeline *p)
{
	return p->paused;
}

int rtk_pipeline_finish(rtk_pipeline *p)
{
	if (p->finished)
		return 0;
	p->finished = true;
	return rtk_output_finish(p->output);
}

int rtk_pipeline_cmaf_targets(const rtk_pipeline *p, double *part_s, double *segment_s)
{
	return rtk_output_cmaf_targets(p->output, part_s, segment_s);
}

void rtk_pipeline_get_stats(const rtk_pipeline *p, rtk_pipeline_stats *stats)
{
	*stats = p->stats;
}
