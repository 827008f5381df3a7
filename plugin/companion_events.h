/*
 * companion_events.h - reading what a companion process (rtk-recorder,
 * rtk-hls) writes on its stdout: one JSON event per line, its status as it
 * goes (docs/companions.md, "Events").
 *
 * Owns the plugin's side of that pipe's format: cutting the byte stream
 * into lines (process.c's reader thread feeds it), reading a line into a
 * typed event, and passing the livestream's part and segment events on to
 * the LL-HLS model (hls/hls.h). What an event means for a recording or
 * livestream is capture.c's. A companion is our own program, but it runs
 * outside the plugin (possibly on another host) and may die mid-line, so
 * nothing here trusts the text: it is fuzzed (tests/fuzz/fuzz_companion_events.c).
 * Plain C + GLib + Jansson; no Janus.
 */
#ifndef RTK_COMPANION_EVENTS_H
#define RTK_COMPANION_EVENTS_H

#include <stdint.h>
#include <glib.h>
#include <jansson.h>
#include "hls.h"

/* The longest line kept: a longer one is cut here (the rest of it is
 * dropped), and what remains is no JSON object, so it is ignored. */
#define RTK_COMPANION_LINE_MAX 65536

/* A byte stream being cut into lines. */
typedef struct rtk_event_lines {
	GString *line;           /* the line so far */
} rtk_event_lines;

void rtk_event_lines_init(rtk_event_lines *lines);
void rtk_event_lines_clear(rtk_event_lines *lines);
/* Takes the next `n` bytes of the stream; calls `fn` with each line they
 * complete (without its '\n'; `line` is NUL-terminated and valid during
 * the call only). A line still open at the end of the stream is dropped. */
void rtk_event_lines_feed(rtk_event_lines *lines, const char *data, size_t n,
	void (*fn)(const char *line, size_t len, void *user_data), void *user_data);

typedef enum rtk_companion_event_kind {
	RTK_COMPANION_EVENT_OTHER = 0,   /* no "event" string, or one the plugin does not act on */
	RTK_COMPANION_EVENT_READY,
	RTK_COMPANION_EVENT_STARTED,
	RTK_COMPANION_EVENT_PROGRESS,
	RTK_COMPANION_EVENT_KEYFRAME,
	RTK_COMPANION_EVENT_PART,
	RTK_COMPANION_EVENT_SEGMENT,
	RTK_COMPANION_EVENT_STOPPED,
	RTK_COMPANION_EVENT_STATS,
	RTK_COMPANION_EVENT_ERROR,
	RTK_COMPANION_EVENT_REJECTED
} rtk_companion_event_kind;

/* One event line. Fields a kind does not have are zero; a field that is
 * missing or of the wrong type reads as zero (false), as Jansson's getters
 * read it. */
typedef struct rtk_companion_event {
	rtk_companion_event_kind kind;
	const char *name;        /* "event", or NULL; borrowed from `json` */
	json_t *json;            /* the whole line, an object (owned: rtk_companion_event_clear) */
	int rtp_port;            /* ready: 1..65535, 0 when missing or out of range */
	double output_s;         /* progress, stopped */
	int64_t late_frames;     /* progress */
	uint32_t ssrc;           /* keyframe */
	int64_t msn;             /* part, segment */
	int part;                /* part: -1 when out of the int range */
	double duration;         /* part, segment */
	gboolean independent;    /* part */
	int rendition;           /* part, segment: 0 the main output, 1.. rtk-hls --rendition (or -1) */
	const char *message;     /* error, rejected: borrowed from `json`, or NULL */
	const char *output;      /* a shared companion's (--shared) output the event is about: borrowed
	                            from `json`, or NULL (the process's own event) */
} rtk_companion_event;

/* Reads one line (`len` bytes, no NUL needed). FALSE when it is not a JSON
 * object (nothing to clear then); TRUE with `event` filled otherwise. */
gboolean rtk_companion_event_parse(const char *line, size_t len, rtk_companion_event *event);
void rtk_companion_event_clear(rtk_companion_event *event);

/* A livestream's part or segment event, announced to the LL-HLS model as
 * stream `stream_id`; other events are ignored. */
void rtk_companion_event_to_hls(rtk_hls *hls, const char *stream_id, const rtk_companion_event *event);

#endif
