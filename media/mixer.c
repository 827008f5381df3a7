/*
 * mixer.c - audio buffering on the timeline, summing and clipping (see
 * mixer.h for the timeline, what this owns and why).
 */
#include "mixer.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libavutil/samplefmt.h>

#define RTK_MIXER_RING (2 * RTK_MIXER_RATE) /* samples per input */

struct rtk_mixer_input {
	rtk_mixer_input *next;
	int64_t start;          /* timeline position of the first buffered sample */
	size_t count;           /* buffered samples (from `start`) */
	size_t head;            /* ring index of `start` */
	float ring[RTK_MIXER_RING * RTK_MIXER_CHANNELS];
};

struct rtk_mixer {
	int64_t pos;
	rtk_mixer_input *inputs;
	float out[RTK_MIXER_MAX_CHUNK * RTK_MIXER_CHANNELS];
};

rtk_mixer *rtk_mixer_new(void)
{
	return calloc(1, sizeof(rtk_mixer));
}

void rtk_mixer_free(rtk_mixer *mixer)
{
	if (mixer == NULL)
		return;
	while (mixer->inputs != NULL)
		rtk_mixer_remove_input(mixer, mixer->inputs);
	free(mixer);
}

rtk_mixer_input *rtk_mixer_add_input(rtk_mixer *mixer)
{
	rtk_mixer_input *input = calloc(1, sizeof(*input));
	if (input == NULL)
		return NULL;
	input->next = mixer->inputs;
	mixer->inputs = input;
	return input;
}

void rtk_mixer_remove_input(rtk_mixer *mixer, rtk_mixer_input *input)
{
	for (rtk_mixer_input **p = &mixer->inputs; *p != NULL; p = &(*p)->next) {
		if (*p == input) {
			*p = input->next;
			free(input);
			return;
		}
	}
}

int64_t rtk_mixer_position(const rtk_mixer *mixer)
{
	return mixer->pos;
}

/* Drops buffered samples before timeline position `pos`. */
static void rtk_mixer_input_drop(rtk_mixer_input *in, int64_t pos)
{
	if (pos <= in->start)
		return;
	int64_t n = pos - in->start;
	if (n >= (int64_t)in->count) {
		in->count = 0;
		in->head = 0;
		in->start = pos;
		return;
	}
	in->head = (in->head + (size_t)n) % RTK_MIXER_RING;
	in->count -= (size_t)n;
	in->start = pos;
}

/* One sample of channel `ch` of the frame as a float. */
static float rtk_mixer_sample(const AVFrame *f, int i, int ch)
{
	int chans = f->ch_layout.nb_channels;
	if (ch >= chans)
		ch = chans - 1;
	switch (f->format) {
	case AV_SAMPLE_FMT_FLT: return ((const float *)f->data[0])[i * chans + ch];
	case AV_SAMPLE_FMT_FLTP: return ((const float *)f->data[ch])[i];
	case AV_SAMPLE_FMT_S16: return ((const int16_t *)f->data[0])[i * chans + ch] / 32768.0f;
	case AV_SAMPLE_FMT_S16P: return ((const int16_t *)f->data[ch])[i] / 32768.0f;
	default: return 0.0f;
	}
}

static bool rtk_mixer_format_ok(const AVFrame *f)
{
	int chans = f->ch_layout.nb_channels;
	if (chans < 1 || f->nb_samples < 0 || (f->sample_rate != 0 && f->sample_rate != RTK_MIXER_RATE))
		return false;
	return f->format == AV_SAMPLE_FMT_FLT || f->format == AV_SAMPLE_FMT_FLTP ||
		f->format == AV_SAMPLE_FMT_S16 || f->format == AV_SAMPLE_FMT_S16P;
}

/* Appends silence up to timeline position `pos` (a gap: loss or DTX). */
static void rtk_mixer_input_pad(rtk_mixer_input *in, int64_t pos)
{
	int64_t end = in->start + (int64_t)in->count;
	if (pos - end >= RTK_MIXER_RING) {
		in->start = pos;
		in->count = 0;
		in->head = 0;
		return;
	}
	for (; end < pos; end++) {
		if (in->count == RTK_MIXER_RING)
			rtk_mixer_input_drop(in, in->start + 1);
		size_t at = (in->head + in->count) % RTK_MIXER_RING;
		in->ring[at * 2] = in->ring[at * 2 + 1] = 0.0f;
		in->count++;
	}
}

/* Appends `frame` from its sample `skip` on at the input's end. */
static void rtk_mixer_input_append(rtk_mixer_input *in, const AVFrame *frame, int skip)
{
	for (int i = skip; i < frame->nb_samples; i++) {
		if (in->count == RTK_MIXER_RING)
			rtk_mixer_input_drop(in, in->start + 1);
		size_t at = (in->head + in->count) % RTK_MIXER_RING;
		in->ring[at * 2] = rtk_mixer_sample(frame, i, 0);
		in->ring[at * 2 + 1] = rtk_mixer_sample(frame, i, 1);
		in->count++;
	}
}

int rtk_mixer_write_at(rtk_mixer *mixer, rtk_mixer_input *input, int64_t pos, const AVFrame *frame)
{
	if (!rtk_mixer_format_ok(frame))
		return AVERROR(EINVAL);
	rtk_mixer_input_drop(input, mixer->pos); /* what was due is gone */
	/* The first sample kept: none before the read position, none over
	 * what the input already holds. */
	int64_t first = pos > mixer->pos ? pos : mixer->pos;
	if (input->count == 0) {
		input->start = first;
		input->head = 0;
	} else {
		int64_t end = input->start + (int64_t)input->count;
		if (first < end)
			first = end;
		rtk_mixer_input_pad(input, first);
	}
	if (first - pos >= frame->nb_samples)
		return 0;
	rtk_mixer_input_append(input, frame, (int)(first - pos));
	return 0;
}

static float rtk_mixer_clip(float v)
{
	return v > 1.0f ? 1.0f : v < -1.0f ? -1.0f : v;
}

const float *rtk_mixer_mix(rtk_mixer *mixer, int64_t end, size_t *count)
{
	*count = 0;
	if (end <= mixer->pos)
		return mixer->out;
	size_t n = (size_t)(end - mixer->pos);
	if (n > RTK_MIXER_MAX_CHUNK)
		n = RTK_MIXER_MAX_CHUNK;
	memset(mixer->out, 0, n * RTK_MIXER_CHANNELS * sizeof(float));
	int64_t stop = mixer->pos + (int64_t)n;
	for (rtk_mixer_input *in = mixer->inputs; in != NULL; in = in->next) {
		rtk_mixer_input_drop(in, mixer->pos);
		/* Buffered samples in [pos, stop) sit at out[start - pos ...]. */
		for (int64_t t = in->start > mixer->pos ? in->start : mixer->pos;
		     t < stop && t < in->start + (int64_t)in->count; t++) {
			size_t at = (in->head + (size_t)(t - in->start)) % RTK_MIXER_RING;
			size_t o = (size_t)(t - mixer->pos) * 2;
			mixer->out[o] += in->ring[at * 2];
			mixer->out[o + 1] += in->ring[at * 2 + 1];
		}
		rtk_mixer_input_drop(in, stop);
	}
	for (size_t i = 0; i < n * RTK_MIXER_CHANNELS; i++)
		mixer->out[i] = rtk_mixer_clip(mixer->out[i]);
	mixer->pos = stop;
	*count = n;
	return mixer->out;
}

void rtk_mixer_skip(rtk_mixer *mixer, int64_t end)
{
	if (end <= mixer->pos)
		return;
	for (rtk_mixer_input *in = mixer->inputs; in != NULL; in = in->next)
		rtk_mixer_input_drop(in, end);
	mixer->pos = end;
}
