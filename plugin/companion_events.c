/*
 * companion_events.c - a companion's stdout: lines and events
 * (companion_events.h).
 */
#include <string.h>
#include "companion_events.h"

void rtk_event_lines_init(rtk_event_lines *lines) {
	lines->line = g_string_new(NULL);
}

void rtk_event_lines_clear(rtk_event_lines *lines) {
	if(lines->line != NULL)
		g_string_free(lines->line, TRUE);
	lines->line = NULL;
}

void rtk_event_lines_feed(rtk_event_lines *lines, const char *data, size_t n,
		void (*fn)(const char *line, size_t len, void *user_data), void *user_data) {
	while(n > 0) {
		const char *nl = memchr(data, '\n', n);
		size_t take = nl != NULL ? (size_t)(nl - data) : n;
		if(lines->line->len < RTK_COMPANION_LINE_MAX)
			g_string_append_len(lines->line, data, (gssize)MIN(take, RTK_COMPANION_LINE_MAX - lines->line->len));
		if(nl == NULL)
			return;
		fn(lines->line->str, lines->line->len, user_data);
		g_string_truncate(lines->line, 0);
		data = nl + 1;
		n -= take + 1;
	}
}

static const struct {
	const char *name;
	rtk_companion_event_kind kind;
} event_kinds[] = {
	{ "ready", RTK_COMPANION_EVENT_READY },
	{ "started", RTK_COMPANION_EVENT_STARTED },
	{ "progress", RTK_COMPANION_EVENT_PROGRESS },
	{ "keyframe", RTK_COMPANION_EVENT_KEYFRAME },
	{ "part", RTK_COMPANION_EVENT_PART },
	{ "segment", RTK_COMPANION_EVENT_SEGMENT },
	{ "stopped", RTK_COMPANION_EVENT_STOPPED },
	{ "stats", RTK_COMPANION_EVENT_STATS },
	{ "error", RTK_COMPANION_EVENT_ERROR },
	{ "rejected", RTK_COMPANION_EVENT_REJECTED },
};

static json_int_t companion_event_integer(const json_t *json, const char *key) {
	return json_integer_value(json_object_get(json, key));
}

/* An int field; -1 when it does not fit. */
static int companion_event_int(const json_t *json, const char *key) {
	json_int_t value = companion_event_integer(json, key);
	return value >= G_MININT && value <= G_MAXINT ? (int)value : -1;
}

static double companion_event_number(const json_t *json, const char *key) {
	return json_number_value(json_object_get(json, key));
}

gboolean rtk_companion_event_parse(const char *line, size_t len, rtk_companion_event *event) {
	memset(event, 0, sizeof *event);
	json_t *json = json_loadb(line, len, 0, NULL);
	if(!json_is_object(json)) {
		json_decref(json);
		return FALSE;
	}
	event->json = json;
	event->name = json_string_value(json_object_get(json, "event"));
	event->output = json_string_value(json_object_get(json, "output"));
	for(size_t i = 0; event->name != NULL && i < G_N_ELEMENTS(event_kinds); i++)
		if(!strcmp(event_kinds[i].name, event->name))
			event->kind = event_kinds[i].kind;
	switch(event->kind) {
		case RTK_COMPANION_EVENT_READY: {
			json_int_t port = companion_event_integer(json, "rtp_port");
			event->rtp_port = port >= 1 && port <= 65535 ? (int)port : 0;
			break;
		}
		case RTK_COMPANION_EVENT_PROGRESS:
			event->output_s = companion_event_number(json, "output_s");
			event->late_frames = companion_event_integer(json, "late_frames");
			break;
		case RTK_COMPANION_EVENT_STOPPED:
			event->output_s = companion_event_number(json, "output_s");
			break;
		case RTK_COMPANION_EVENT_KEYFRAME:
			event->ssrc = (uint32_t)companion_event_integer(json, "ssrc");
			break;
		case RTK_COMPANION_EVENT_PART:
			event->part = companion_event_int(json, "part");
			event->independent = json_is_true(json_object_get(json, "independent"));
			/* and msn and duration, as a segment has them */
			/* fall through */
		case RTK_COMPANION_EVENT_SEGMENT:
			event->rendition = companion_event_int(json, "rendition");
			event->msn = companion_event_integer(json, "msn");
			event->duration = companion_event_number(json, "duration");
			break;
		case RTK_COMPANION_EVENT_ERROR:
		case RTK_COMPANION_EVENT_REJECTED:
			event->message = json_string_value(json_object_get(json, "message"));
			break;
		default:
			break;
	}
	return TRUE;
}

void rtk_companion_event_clear(rtk_companion_event *event) {
	json_decref(event->json);
	memset(event, 0, sizeof *event);
}

void rtk_companion_event_to_hls(rtk_hls *hls, const char *stream_id, const rtk_companion_event *event) {
	if(event->kind == RTK_COMPANION_EVENT_PART)
		rtk_hls_stream_part(hls, stream_id, event->msn, event->part, event->duration, event->independent);
	else if(event->kind == RTK_COMPANION_EVENT_SEGMENT)
		rtk_hls_stream_segment(hls, stream_id, event->msn, event->duration);
}
