/*
 * capture_config.h - what a recording is asked to write: the SDK's
 * RecordingConfig ({videoConfig: {codec, width, height}, fileNamePrefix})
 * or the REST body of POST /v2/recordings ({video_config, file_name_prefix,
 * max_seconds}), checked and turned into the companion's options.
 *
 * Plain C + GLib + Jansson (the meeting model's rules; no Janus), so a unit
 * test drives it: tests/unit/test_capture_config.c.
 */
#ifndef RTK_CAPTURE_CONFIG_H
#define RTK_CAPTURE_CONFIG_H

#include <glib.h>
#include <jansson.h>
#include "errors.h"

/* What a recording writes (the SDK's RecordingConfig, REST video_config). */
typedef struct rtk_recording_config {
	gboolean vp8;               /* VP8 + Opus in WebM; else H.264 + AAC in MP4 */
	int width, height;          /* 1..1920 */
	char file_name_prefix[64];
	int max_seconds;            /* 0: no limit */
} rtk_recording_config;

/* Defaults: H264, 1280x720, no prefix, no limit. */
void rtk_recording_config_default(rtk_recording_config *config);
/* Reads the SDK's {videoConfig:{codec,width,height}, fileNamePrefix} or the
 * REST {video_config:{codec,width,height}, file_name_prefix, max_seconds}
 * (both spellings accepted) over the defaults. FALSE with RTK_ERR_RECORDING_CONFIG. */
gboolean rtk_recording_config_parse(const json_t *json, rtk_recording_config *config, rtk_refusal *why);
/* The recording defaults of a meeting (its REST object): the defaults
 * above under its recording_config (docs/rest.md, "Meetings"), when it has
 * one. FALSE with RTK_ERR_RECORDING_CONFIG, and *config the plain
 * defaults, when that does not parse (the REST layer refuses such
 * configs, so only a store written by hand has one). */
gboolean rtk_recording_config_for_meeting(const json_t *meeting, rtk_recording_config *config, rtk_refusal *why);

#endif
