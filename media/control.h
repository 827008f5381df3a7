/*
 * control.h - the control pipe between the plugin and a companion process
 * (rtk-recorder, rtk-hls): one JSON object per line on the companion's
 * stdin (commands) and stdout (events). See docs/companions.md.
 *
 * This file owns the parsing of commands, which is untrusted text as far as
 * the companion is concerned (it is fuzzed: tests/fuzz/fuzz_control.c), and
 * the writing of events. Plain C + Jansson; no FFmpeg.
 *
 * Commands:
 *   {"cmd":"participant","id":ID,"name":NAME}   add or rename, tile order = first add
 *   {"cmd":"remove","id":ID}                    drop the participant and its streams
 *   {"cmd":"stream","ssrc":N,"id":ID,"codec":"vp8"|"h264"|"opus","source":"camera"|"screen"[,"file":NAME]}
 *                                               RTP with SSRC N is that participant's media;
 *                                               "file": where a per-track recording
 *                                               (track_recorder.h) writes it
 *   {"cmd":"unstream","ssrc":N}
 *   {"cmd":"screenshare","id":ID,"on":BOOL}
 *   {"cmd":"speaker","id":ID}                   ID is the active speaker (ACTIVE_SPEAKER layout)
 *   {"cmd":"layout","layout":"GRID"|"ACTIVE_SPEAKER"|"PRESENTATION"}
 *                                               compose with that layout from the next frame
 *   {"cmd":"pause"} {"cmd":"resume"} {"cmd":"stop"}
 * and, for a companion started with --shared (encode once, companion.h):
 *   {"cmd":"add_output","output":NAME,"format":"mp4"|"cmaf","path":PATH}
 *   {"cmd":"remove_output","output":NAME}
 *   {"cmd":"pause","output":NAME} {"cmd":"resume","output":NAME}
 */
#ifndef RTK_CONTROL_H
#define RTK_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#include "depack.h"
#include "pipeline.h"

#define RTK_CTL_ID_MAX 128     /* participant ids: bytes, NUL included */
#define RTK_CTL_NAME_MAX 256   /* display names: longer ones are cut */
#define RTK_CTL_FILE_MAX 200   /* a stream's "file": bytes, NUL included */
#define RTK_CTL_PATH_MAX 1024  /* add_output paths: bytes, NUL included */

typedef enum rtk_ctl_kind {
	RTK_CTL_PARTICIPANT = 0,
	RTK_CTL_REMOVE,
	RTK_CTL_STREAM,
	RTK_CTL_UNSTREAM,
	RTK_CTL_SCREENSHARE,
	RTK_CTL_PAUSE,
	RTK_CTL_RESUME,
	RTK_CTL_STOP,
	RTK_CTL_SPEAKER,
	RTK_CTL_LAYOUT,
	RTK_CTL_ADD_OUTPUT,
	RTK_CTL_REMOVE_OUTPUT
} rtk_ctl_kind;

typedef struct rtk_ctl {
	rtk_ctl_kind kind;
	char id[RTK_CTL_ID_MAX];       /* participant: participant, remove, stream, screenshare, speaker */
	char name[RTK_CTL_NAME_MAX];   /* participant */
	uint32_t ssrc;                 /* stream, unstream */
	rtk_codec codec;               /* stream */
	rtk_source source;             /* stream */
	bool on;                       /* screenshare */
	rtk_layout layout;             /* layout */
	char file[RTK_CTL_FILE_MAX];   /* stream: "" or a plain file name (A-Z a-z 0-9 - _ ., not
	                                  starting with a dot: never a path) */
	char output[RTK_CTL_ID_MAX];   /* add_output, remove_output; pause, resume: "" for every output */
	rtk_output_format format;      /* add_output: RTK_OUTPUT_MP4_H264_AAC or RTK_OUTPUT_CMAF_H264_AAC */
	char path[RTK_CTL_PATH_MAX];   /* add_output */
} rtk_ctl;

/* Parses one command line (`len` bytes, no NUL needed). Returns 0, or -1
 * with a reason in err (malformed JSON, unknown command, a missing or
 * mistyped field, an id that is empty or too long). `out` is fully
 * written on success only. */
int rtk_ctl_parse(const char *line, size_t len, rtk_ctl *out, char *err, size_t errlen);

/* Writes `event` (STOLEN) as one line to `out` and flushes it. An event is
 * {"event": NAME, ...}. Returns 0 or -1 (write failed: the plugin is gone). */
int rtk_ctl_emit(FILE *out, json_t *event);

#endif
