/*
 * decode.h - one libavcodec decoder per incoming media source (a
 * participant's camera, screenshare or microphone), for the recorder and
 * the HLS segmenter (design.md sections 2 and 4.4).
 *
 * Owns: the AVCodecContext for one rtk_codec (VP8, H.264 or Opus), a pool of
 * padded packet buffers (libavcodec wants AV_INPUT_BUFFER_PADDING_SIZE zero
 * bytes after the data, which an rtk_frame does not have) and one reusable
 * AVPacket, so decoding a frame allocates nothing once the pool is warm.
 * Video waits for a keyframe before decoding anything (a stream joined in
 * the middle, or after a decode error), so no garbage reaches the picture.
 *
 * Ownership: rtk_decoder_send() borrows the rtk_frame (its bytes are copied
 * into a pooled buffer). rtk_decoder_receive() moves a decoded picture or
 * audio frame into the caller's AVFrame (which it unreferences first); the
 * caller owns that reference and releases it with av_frame_unref().
 * Threading: none; one thread uses a decoder at a time.
 */
#ifndef RTK_DECODE_H
#define RTK_DECODE_H

#include <stdbool.h>
#include <libavutil/frame.h>

#include "depack.h"

typedef struct rtk_decoder rtk_decoder;

/* NULL when libavcodec has no decoder for the codec. */
rtk_decoder *rtk_decoder_new(rtk_codec codec);
void rtk_decoder_free(rtk_decoder *dec);

rtk_codec rtk_decoder_codec(const rtk_decoder *dec);

/* Feeds one encoded frame. Returns 0 when accepted, 1 when skipped (video
 * before its first keyframe, empty frame), a negative AVERROR otherwise
 * (after which video waits for the next keyframe). Call rtk_decoder_receive()
 * until it returns 0 after each send. */
int rtk_decoder_send(rtk_decoder *dec, const rtk_frame *frame);

/* 1 and `out` filled when a frame is ready, 0 when none, negative AVERROR
 * on a decode error. */
int rtk_decoder_receive(rtk_decoder *dec, AVFrame *out);

#endif
