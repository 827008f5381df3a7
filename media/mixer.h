/*
 * mixer.h - the meeting's audio mix: every participant's decoded audio
 * placed on one sample timeline and summed with clipping, for the recorder
 * and the HLS segmenter (design.md sections 2 and 4.4).
 *
 * Timeline: positions are sample indexes at 48 kHz on the caller's clock
 * (the pipeline's wall clock, which keeps running while a recording is
 * paused). The mixer has a read position `pos`: everything before it has
 * been mixed (or skipped). Where each frame goes is the caller's choice
 * (the pipeline places audio and video by capture time, pipeline.h); the
 * mixer keeps each input's samples in order on the timeline: a gap before
 * a frame (loss, DTX, a later placement) is silence, a frame overlapping
 * what the input already holds (an earlier placement) loses its overlap,
 * and samples that land before `pos` are dropped.
 *
 * Owns: one ring buffer per input (interleaved float stereo, 2 s) and the
 * output buffer returned by rtk_mixer_mix(). All sized at creation: mixing
 * allocates nothing.
 *
 * Ownership: rtk_mixer_write_at() borrows the decoded AVFrame (the caller
 * keeps and unrefs it). Inputs belong to the mixer; rtk_mixer_remove_input()
 * frees one. The pointer returned by rtk_mixer_mix() is valid until the
 * next call on the mixer. Threading: none; one thread at a time.
 */
#ifndef RTK_MIXER_H
#define RTK_MIXER_H

#include <stddef.h>
#include <stdint.h>
#include <libavutil/frame.h>

#define RTK_MIXER_RATE 48000
#define RTK_MIXER_CHANNELS 2
/* Most samples one rtk_mixer_mix() call returns (one second). */
#define RTK_MIXER_MAX_CHUNK RTK_MIXER_RATE

typedef struct rtk_mixer rtk_mixer;
typedef struct rtk_mixer_input rtk_mixer_input;

rtk_mixer *rtk_mixer_new(void);
void rtk_mixer_free(rtk_mixer *mixer);

rtk_mixer_input *rtk_mixer_add_input(rtk_mixer *mixer);
void rtk_mixer_remove_input(rtk_mixer *mixer, rtk_mixer_input *input);

/* Places one decoded frame (48 kHz; mono or stereo; FLT, FLTP, S16 or S16P)
 * with its first sample at timeline position `pos` (see the timeline
 * above). Returns 0, or AVERROR(EINVAL) for a format it does not take (the
 * frame is dropped). */
int rtk_mixer_write_at(rtk_mixer *mixer, rtk_mixer_input *input, int64_t pos, const AVFrame *frame);

/* The read position: every sample before it has been mixed or skipped. */
int64_t rtk_mixer_position(const rtk_mixer *mixer);

/* Mixes from the read position up to `end` (at most RTK_MIXER_MAX_CHUNK
 * samples per call; call again for more) and advances. Returns interleaved
 * stereo floats in [-1, 1] and sets *count to the samples mixed (0 when
 * `end` is not past the read position). */
const float *rtk_mixer_mix(rtk_mixer *mixer, int64_t end, size_t *count);

/* Advances the read position to `end` dropping what is buffered before it
 * (a paused recording). */
void rtk_mixer_skip(rtk_mixer *mixer, int64_t end);

#endif
