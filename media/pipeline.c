/*
 * pipeline.c - participants, the output clock, the per-source picture
 * queues and the glue between decoders, compositor, mixer and output (see
 * pipeline.h for the clock, lip sync, pause, ownership and threading rules,
 * and why). Where each frame goes on the clock is avsync.c's.
 */
#include "pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
#include <libswscale/swscale.h>

#include "decode.h"

#include "pipeline_internal.h"

static int rtk_pipeline_clamp(int v, int lo, int hi, int dflt)
{
	if (v == 0)
		return dflt;
	return v < lo ? lo : v > hi ? hi : v;
}

/* The CMAF outputs of config->renditions, each with its scaler and frame. */
static int rtk_pipeline_open_renditions(rtk_pipeline *p, const rtk_pipeline_config *config, char *err,
	size_t errlen)
{
	if (config->n_renditions == 0)
		return 0;
	if (config->format != RTK_OUTPUT_CMAF_H264_AAC || config->n_renditions < 0 ||
	    config->n_renditions > RTK_PIPELINE_RENDITIONS_MAX || config->renditions == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "renditions are for CMAF, at most %d", RTK_PIPELINE_RENDITIONS_MAX);
		return -1;
	}
	for (int i = 0; i < config->n_renditions; i++) {
		const rtk_pipeline_rendition *r = &config->renditions[i];
		rtk_pipeline_scaled *sc = &p->scaled[p->n_scaled++];
		int w = rtk_pipeline_clamp(r->width, 2, 1920, 640) & ~1;
		int h = rtk_pipeline_clamp(r->height, 2, 1920, 360) & ~1;
		rtk_cmaf_options cmaf = { .part_ms = config->part_ms, .segment_ms = config->segment_ms,
			.on_cmaf = r->on_cmaf, .opaque = r->opaque };
		sc->output = rtk_output_open_cmaf(r->path, w, h, p->fps, &cmaf, err, errlen);
		if (sc->output == NULL)
			return -1;
		sc->scaler = sws_getContext(p->width, p->height, AV_PIX_FMT_YUV420P, w, h, AV_PIX_FMT_YUV420P,
			SWS_BILINEAR, NULL, NULL, NULL);
		sc->frame = av_frame_alloc();
		if (sc->scaler == NULL || sc->frame == NULL)
			goto oom;
		sc->frame->format = AV_PIX_FMT_YUV420P;
		sc->frame->width = w;
		sc->frame->height = h;
		if (av_frame_get_buffer(sc->frame, 0) < 0)
			goto oom;
	}
	return 0;
oom:
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "out of memory");
	return -1;
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
	p->delay = delay_ms * RTK_MS;
	p->layout = config->layout == RTK_LAYOUT_ACTIVE_SPEAKER || config->layout == RTK_LAYOUT_PRESENTATION ?
		config->layout : RTK_LAYOUT_GRID;
	if (config->shared) {
		rtk_cmaf_options cadence = { .part_ms = config->part_ms, .segment_ms = config->segment_ms };
		p->output = rtk_output_open_shared(p->width, p->height, p->fps, &cadence, err, errlen);
		p->shared = true;
		if (config->n_renditions > 0 || config->push_url != NULL) {
			if (err != NULL && errlen > 0)
				snprintf(err, errlen, "a shared encoder has no renditions or push of its own");
			goto fail;
		}
	} else if (config->format == RTK_OUTPUT_CMAF_H264_AAC) {
		rtk_cmaf_options cmaf = { .part_ms = config->part_ms, .segment_ms = config->segment_ms,
			.on_cmaf = config->on_cmaf, .opaque = config->opaque };
		p->output = rtk_output_open_cmaf(config->path, p->width, p->height, p->fps, &cmaf, err, errlen);
	} else {
		p->output = rtk_output_open_channels(config->path, config->format, p->width, p->height, p->fps,
			config->channels == 1 ? 1 : 2, err, errlen);
		p->audio_only = config->format == RTK_OUTPUT_M4A_AAC || config->format == RTK_OUTPUT_MP3;
	}
	if (p->output == NULL || rtk_pipeline_open_renditions(p, config, err, errlen) != 0)
		goto fail;
	if (config->watermark_url != NULL && !p->audio_only) {
		p->watermark = rtk_watermark_load(config->watermark_url, config->watermark_width,
			config->watermark_height, (rtk_watermark_corner)config->watermark_corner, p->width, p->height,
			err, errlen);
		if (p->watermark == NULL)
			goto fail;
	}
	if (config->push_url != NULL) {
		if (p->audio_only) {
			if (err != NULL && errlen > 0)
				snprintf(err, errlen, "an RTMP push needs a format with video");
			goto fail;
		}
		p->push = rtk_output_open_channels(config->push_url, RTK_OUTPUT_FLV_H264_AAC, p->width, p->height,
			p->fps, 2, err, errlen);
		if (p->push == NULL)
			goto fail;
	}
	p->compositor = rtk_compositor_new(p->width, p->height);
	p->mixer = rtk_mixer_new();
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

/* Forgets a source's video: decoder, shown and queued pictures, timing
 * (a later stream starts from a keyframe and a fresh picture). */
static void rtk_pipeline_source_clear_video(rtk_pipeline_source *s)
{
	rtk_decoder_free(s->video);
	s->video = NULL;
	av_frame_free(&s->picture);
	for (int i = 0; i < RTK_QUEUE_MAX; i++)
		av_frame_free(&s->queue[i].frame);
	s->head = s->queued = 0;
	memset(&s->tracks[RTK_TRACK_VIDEO], 0, sizeof(s->tracks[RTK_TRACK_VIDEO]));
}

static void rtk_pipeline_source_clear(rtk_pipeline *p, rtk_pipeline_source *s)
{
	rtk_pipeline_source_clear_video(s);
	rtk_decoder_free(s->audio);
	s->audio = NULL;
	if (s->mix != NULL)
		rtk_mixer_remove_input(p->mixer, s->mix);
	s->mix = NULL;
	memset(&s->tracks[RTK_TRACK_AUDIO], 0, sizeof(s->tracks[RTK_TRACK_AUDIO]));
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
	rtk_output_free(p->push);
	rtk_watermark_free(p->watermark);
	for (int i = 0; i < p->n_scaled; i++) {
		rtk_output_free(p->scaled[i].output);
		sws_freeContext(p->scaled[i].scaler);
		av_frame_free(&p->scaled[i].frame);
	}
	rtk_compositor_free(p->compositor);
	rtk_mixer_free(p->mixer);
	av_frame_free(&p->decoded);
	free(p);
}

rtk_pipeline_participant *rtk_pipeline_find(rtk_pipeline *p, const char *id)
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
		if (p->speaker == part)
			p->speaker = NULL;
		if (p->featured == part)
			p->featured = NULL;
		if (part->synced)
			p->clusters_dirty = true;
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
		rtk_pipeline_source_clear_video(&part->sources[RTK_SOURCE_SCREEN]);
	}
	return 0;
}

int rtk_pipeline_set_speaker(rtk_pipeline *p, const char *id)
{
	rtk_pipeline_participant *part = rtk_pipeline_find(p, id);
	if (part == NULL)
		return -1;
	p->speaker = part;
	return 0;
}

void rtk_pipeline_set_layout(rtk_pipeline *p, rtk_layout layout)
{
	if (layout == RTK_LAYOUT_GRID || layout == RTK_LAYOUT_ACTIVE_SPEAKER || layout == RTK_LAYOUT_PRESENTATION)
		p->layout = layout;
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

/* ---- pictures waiting for their time ---- */

/* The oldest queued picture becomes the one shown. */
static void rtk_pipeline_show_next(rtk_pipeline_source *s)
{
	rtk_pipeline_queued *q = &s->queue[s->head];
	if (s->picture == NULL)
		s->picture = av_frame_alloc();
	if (s->picture != NULL) {
		av_frame_unref(s->picture);
		av_frame_move_ref(s->picture, q->frame);
	} else {
		av_frame_unref(q->frame);
	}
	s->head = (s->head + 1) % RTK_QUEUE_MAX;
	s->queued--;
}

/* Shows the newest picture due at wall time `now` (older ones due are
 * skipped); a picture due later waits. */
static void rtk_pipeline_advance(rtk_pipeline_source *s, int64_t now)
{
	int due = 0;
	for (int i = 0; i < s->queued; i++)
		if (s->queue[(s->head + i) % RTK_QUEUE_MAX].at <= now)
			due = i + 1;
	while (due-- > 0)
		rtk_pipeline_show_next(s);
}

/* Queues a decoded picture (its reference moves, nothing is copied) to be
 * shown at `at`. Past RTK_QUEUE_MAX pictures or RTK_QUEUE_NS of them, the
 * oldest is shown early. */
static int rtk_pipeline_queue_picture(rtk_pipeline_source *s, AVFrame *decoded, int64_t at)
{
	while (s->queued > 0 &&
	       (s->queued == RTK_QUEUE_MAX || at - s->queue[s->head].at > RTK_QUEUE_NS))
		rtk_pipeline_show_next(s);
	rtk_pipeline_queued *q = &s->queue[(s->head + s->queued) % RTK_QUEUE_MAX];
	if (q->frame == NULL && (q->frame = av_frame_alloc()) == NULL)
		return -1;
	av_frame_move_ref(q->frame, decoded);
	q->at = at;
	s->queued++;
	return 0;
}

static void rtk_pipeline_advance_all(rtk_pipeline *p, int64_t now)
{
	for (rtk_pipeline_participant *part = p->participants; part != NULL; part = part->next)
		for (int i = 0; i < 2; i++)
			rtk_pipeline_advance(&part->sources[i], now);
}

/* ---- input ---- */

static int64_t rtk_pipeline_sample_at(int64_t wall_ns)
{
	return wall_ns / 1000 * RTK_MIXER_RATE / 1000000;
}

/* Mixer position of an audio frame placed at `at` (wall ns): the end of
 * the previous frame when that is within RTK_SYNC_SNAP, so small changes
 * of the placement (a new report) cause no click. */
static int64_t rtk_pipeline_audio_pos(rtk_pipeline_track *t, int64_t ts, int64_t at)
{
	int64_t pos = rtk_pipeline_sample_at(at);
	if (t->placed) {
		int64_t cont = t->next_pos + (ts - t->next_ts);
		if (rtk_abs64(pos - cont) <= RTK_SYNC_SNAP)
			pos = cont;
	}
	return pos;
}

/* Decodes what `frame` gives: audio into the mix, pictures into the queue,
 * at `at` (wall ns). */
static int rtk_pipeline_decode(rtk_pipeline *p, rtk_pipeline_source *s, rtk_decoder *dec,
	const rtk_frame *frame, int64_t at)
{
	bool audio = frame->codec == RTK_CODEC_OPUS;
	rtk_pipeline_track *t = &s->tracks[audio ? RTK_TRACK_AUDIO : RTK_TRACK_VIDEO];
	int ret = rtk_decoder_send(dec, frame);
	if (ret > 0)
		return 0; /* waiting for a keyframe */
	int64_t ts = frame->timestamp;
	int64_t pos = audio ? rtk_pipeline_audio_pos(t, ts, at) : 0;
	while (ret == 0 && (ret = rtk_decoder_receive(dec, p->decoded)) > 0) {
		if (audio) {
			if (s->mix == NULL && (s->mix = rtk_mixer_add_input(p->mixer)) == NULL)
				ret = -1;
			else
				ret = rtk_mixer_write_at(p->mixer, s->mix, pos, p->decoded) < 0 ? -1 : 0;
			pos += p->decoded->nb_samples;
			ts += p->decoded->nb_samples;
			av_frame_unref(p->decoded);
		} else {
			ret = rtk_pipeline_queue_picture(s, p->decoded, at);
		}
	}
	if (audio) {
		t->placed = true;
		t->next_pos = pos;
		t->next_ts = ts;
	}
	return ret;
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
	rtk_pipeline_track *t = &s->tracks[audio ? RTK_TRACK_AUDIO : RTK_TRACK_VIDEO];
	t->rate = audio ? RTK_MIXER_RATE : 90000;
	rtk_track_arrive(part, t, frame->timestamp, p->wall);
	rtk_pipeline_resync(p, part);
	int64_t at = rtk_pipeline_place(p, part, t, frame->timestamp);
	if (rtk_pipeline_decode(p, s, dec, frame, at) < 0) {
		p->stats.decode_errors++;
		return -1;
	}
	return 0;
}

/* ACTIVE_SPEAKER's featured participant at wall time `now`: the named
 * speaker once the hold allows (pipeline.h, Layout), else the one featured
 * so far, else the first in join order. */
static rtk_pipeline_participant *rtk_pipeline_featured(rtk_pipeline *p, int64_t now)
{
	rtk_pipeline_participant *want = p->speaker;
	bool held = p->featured != NULL && p->featured_named &&
		now - p->featured_at < RTK_PIPELINE_SPEAKER_HOLD_MS * RTK_MS;
	if (want != NULL && want != p->featured && !held) {
		p->featured = want;
		p->featured_named = true;
		p->featured_at = now;
		want->featured_seq = ++p->featured_count;
	}
	if (p->featured == NULL) {
		p->featured = p->participants;   /* nobody named (yet, or any more) */
		p->featured_named = false;
	}
	return p->featured;
}

/* The cameras in the layout's order, into p->order; returns how many.
 * ACTIVE_SPEAKER: the featured first, then the others, the most recently
 * featured first (stable: join order among equals). Else join order. */
static int rtk_pipeline_camera_order(rtk_pipeline *p)
{
	int n = 0;
	rtk_pipeline_participant *first = NULL;
	if (p->layout == RTK_LAYOUT_ACTIVE_SPEAKER && (first = rtk_pipeline_featured(p, p->wall)) != NULL)
		p->order[n++] = first;
	for (rtk_pipeline_participant *part = p->participants; part != NULL && n < RTK_COMPOSITOR_MAX_TILES;
	     part = part->next) {
		if (part == first)
			continue;
		int at = n;
		if (p->layout == RTK_LAYOUT_ACTIVE_SPEAKER)
			while (at > 1 && p->order[at - 1]->featured_seq < part->featured_seq)
				at--;
		memmove(&p->order[at + 1], &p->order[at], (size_t)(n - at) * sizeof p->order[0]);
		p->order[at] = part;
		n++;
	}
	return n;
}

/* Lays out the participants (layout.h) and draws the composite. */
static int rtk_pipeline_compose(rtk_pipeline *p)
{
	int ret = rtk_compositor_begin(p->compositor);
	if (ret < 0)
		return ret;
	int n = rtk_pipeline_camera_order(p);
	int count = rtk_layout_tiles(p->layout, p->width, p->height, n, p->screen_owner != NULL, p->tiles);
	for (int i = 0; i < count && ret >= 0; i++) {
		const rtk_layout_tile *t = &p->tiles[i];
		if (t->over)
			rtk_compositor_fill(p->compositor, &t->rect, rtk_compositor_background);
		if (t->camera < 0)
			ret = rtk_compositor_draw(p->compositor, i, &t->rect,
				p->screen_owner->sources[RTK_SOURCE_SCREEN].picture);
		else
			ret = rtk_compositor_draw_tile(p->compositor, i, &t->rect,
				p->order[t->camera]->sources[RTK_SOURCE_CAMERA].picture, p->order[t->camera]->name);
	}
	if (ret >= 0)
		rtk_watermark_put(p->watermark, rtk_compositor_canvas(p->compositor));
	return ret;
}

static int rtk_pipeline_emit_audio(rtk_pipeline *p)
{
	int64_t end = rtk_pipeline_sample_at(p->wall);
	while (rtk_mixer_position(p->mixer) < end) {
		size_t count;
		const float *mixed = rtk_mixer_mix(p->mixer, end, &count);
		int ret = rtk_output_write_audio(p->output, mixed, count);
		if (ret >= 0 && p->push != NULL && (ret = rtk_output_write_audio(p->push, mixed, count)) < 0)
			p->push_failed = true;
		for (int i = 0; i < p->n_scaled && ret >= 0; i++)
			ret = rtk_output_write_audio(p->scaled[i].output, mixed, count);
		if (ret < 0)
			return ret;
		p->stats.audio_samples += count;
	}
	return 0;
}

/* The composite scaled into one rendition's frame (once per tick, like
 * the composite itself). */
static int rtk_pipeline_scale(rtk_pipeline *p, rtk_pipeline_scaled *sc)
{
	int ret = av_frame_make_writable(sc->frame);
	if (ret < 0)
		return ret;
	const AVFrame *canvas = rtk_compositor_canvas(p->compositor);
	ret = sws_scale(sc->scaler, (const uint8_t *const *)canvas->data, canvas->linesize, 0, p->height,
		sc->frame->data, sc->frame->linesize);
	return ret < 0 ? ret : 0;
}

/* Every video frame whose slot k / fps is at or before the output time.
 * The composite is drawn once per tick however many are due, with each
 * source's picture due at the last of those slots (to the nearest slot: a
 * picture due within half a frame after it is shown in it). */
static int rtk_pipeline_emit_video(rtk_pipeline *p, int64_t out_ns)
{
	int64_t due = 0;
	while ((int64_t)(p->stats.video_frames + (uint64_t)due) * RTK_NS / p->fps <= out_ns)
		due++;
	if (due == 0)
		return 0;
	p->stats.late_frames += (uint64_t)(due - 1);
	int64_t slot = (int64_t)(p->stats.video_frames + (uint64_t)due - 1) * RTK_NS / p->fps;
	rtk_pipeline_advance_all(p, slot + p->paused_total + RTK_NS / p->fps / 2);
	int ret = p->audio_only ? 0 : rtk_pipeline_compose(p);   /* audio only: nothing to draw */
	for (int i = 0; i < p->n_scaled && ret >= 0; i++)
		ret = rtk_pipeline_scale(p, &p->scaled[i]);
	for (int64_t i = 0; i < due && ret >= 0; i++) {
		int64_t index = (int64_t)p->stats.video_frames;
		ret = rtk_output_write_video(p->output, rtk_compositor_canvas(p->compositor), index);
		if (ret >= 0 && p->push != NULL && (ret = rtk_output_write_video(p->push,
				rtk_compositor_canvas(p->compositor), index)) < 0)
			p->push_failed = true;
		for (int r = 0; r < p->n_scaled && ret >= 0; r++)
			ret = rtk_output_write_video(p->scaled[r].output, p->scaled[r].frame, index);
		if (ret >= 0)
			p->stats.video_frames++;
	}
	return ret;
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
		/* nothing is output; pictures stay current for the resume */
		rtk_mixer_skip(p->mixer, rtk_pipeline_sample_at(p->wall));
		rtk_pipeline_advance_all(p, p->wall);
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
	int ret = rtk_output_finish(p->output);
	for (int i = 0; i < p->n_scaled; i++) {
		int r = rtk_output_finish(p->scaled[i].output);
		if (ret >= 0)
			ret = r;
	}
	int pushed = p->push != NULL ? rtk_output_finish(p->push) : 0;
	p->push_failed = p->push_failed || pushed < 0;
	return ret < 0 ? ret : pushed;
}

int rtk_pipeline_cmaf_targets(const rtk_pipeline *p, double *part_s, double *segment_s)
{
	return rtk_output_cmaf_targets(p->output, part_s, segment_s);
}

void rtk_pipeline_get_stats(const rtk_pipeline *p, rtk_pipeline_stats *stats)
{
	*stats = p->stats;
}

rtk_output *rtk_pipeline_shared(rtk_pipeline *p)
{
	return p->shared ? p->output : NULL;
}

bool rtk_pipeline_push_failed(const rtk_pipeline *p)
{
	return p->push_failed;
}
