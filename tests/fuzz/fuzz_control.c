/*
 * fuzz_control.c - libFuzzer target for rtk_ctl_parse(), the parser of the
 * control commands a companion (rtk-recorder, rtk-hls) reads on its stdin.
 *
 * Per input: the parser must accept or refuse with a message; what it
 * accepts must be well formed (ids non-empty and NUL-terminated inside their
 * buffers, enums in range, a stream's file a plain name) and must survive a round trip: written back as
 * the command it means and parsed again, it gives the same command.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"

static const char *const codec_names[] = { "opus", "vp8", "h264" };
static const char *const kind_names[] = {
	"participant", "remove", "stream", "unstream", "screenshare", "pause", "resume", "stop", "speaker", "layout",
	"add_output", "remove_output"
};

static json_t *ctl_to_json(const rtk_ctl *c)
{
	json_t *o = json_pack("{s:s}", "cmd", kind_names[c->kind]);
	switch (c->kind) {
	case RTK_CTL_PARTICIPANT:
		json_object_set_new(o, "id", json_string(c->id));
		if (c->name[0])
			json_object_set_new(o, "name", json_string(c->name));
		break;
	case RTK_CTL_REMOVE:
	case RTK_CTL_SPEAKER:
		json_object_set_new(o, "id", json_string(c->id));
		break;
	case RTK_CTL_LAYOUT:
		json_object_set_new(o, "layout", json_string(rtk_layout_name(c->layout)));
		break;
	case RTK_CTL_SCREENSHARE:
		json_object_set_new(o, "id", json_string(c->id));
		json_object_set_new(o, "on", json_boolean(c->on));
		break;
	case RTK_CTL_STREAM:
		json_object_set_new(o, "id", json_string(c->id));
		json_object_set_new(o, "codec", json_string(codec_names[c->codec]));
		json_object_set_new(o, "source", json_string(c->source == RTK_SOURCE_SCREEN ? "screen" : "camera"));
		if (c->file[0])
			json_object_set_new(o, "file", json_string(c->file));
		/* fall through */
	case RTK_CTL_UNSTREAM:
		json_object_set_new(o, "ssrc", json_integer(c->ssrc));
		break;
	case RTK_CTL_ADD_OUTPUT:
		json_object_set_new(o, "format", json_string(c->format == RTK_OUTPUT_CMAF_H264_AAC ? "cmaf" : "mp4"));
		json_object_set_new(o, "path", json_string(c->path));
		/* fall through */
	case RTK_CTL_REMOVE_OUTPUT:
		json_object_set_new(o, "output", json_string(c->output));
		break;
	case RTK_CTL_PAUSE:
	case RTK_CTL_RESUME:
		if (c->output[0])
			json_object_set_new(o, "output", json_string(c->output));
		break;
	default:
		break;
	}
	return o;
}

static void check_bounded(const char *s, size_t cap, int nonempty)
{
	if (memchr(s, '\0', cap) == NULL || (nonempty && s[0] == '\0'))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rtk_ctl c, again;
	char err[160] = "";
	if (rtk_ctl_parse((const char *)data, size, &c, err, sizeof err) != 0) {
		if (err[0] == '\0')
			abort();   /* a refusal always says why */
		return 0;
	}
	if ((unsigned)c.kind > RTK_CTL_REMOVE_OUTPUT || (unsigned)c.codec > RTK_CODEC_H264 ||
			(unsigned)c.layout > RTK_LAYOUT_PRESENTATION)
		abort();
	bool outputs = c.kind == RTK_CTL_ADD_OUTPUT || c.kind == RTK_CTL_REMOVE_OUTPUT;
	check_bounded(c.name, sizeof c.name, 0);
	check_bounded(c.file, sizeof c.file, 0);
	if (c.file[0] == '.' || strchr(c.file, '/') != NULL)
		abort();   /* a stream's file is a plain name in the companion's directory */
	check_bounded(c.id, sizeof c.id, c.kind != RTK_CTL_PAUSE && c.kind != RTK_CTL_RESUME &&
		c.kind != RTK_CTL_STOP && c.kind != RTK_CTL_UNSTREAM && c.kind != RTK_CTL_LAYOUT && !outputs);
	check_bounded(c.output, sizeof c.output, outputs);
	check_bounded(c.path, sizeof c.path, c.kind == RTK_CTL_ADD_OUTPUT);
	if (c.kind == RTK_CTL_ADD_OUTPUT && c.format != RTK_OUTPUT_MP4_H264_AAC && c.format != RTK_OUTPUT_CMAF_H264_AAC)
		abort();
	json_t *o = ctl_to_json(&c);
	char *text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (text == NULL || rtk_ctl_parse(text, strlen(text), &again, err, sizeof err) != 0)
		abort();
	free(text);
	if (again.kind != c.kind || strcmp(again.id, c.id) != 0 || strcmp(again.name, c.name) != 0 ||
			(c.kind == RTK_CTL_STREAM && (again.codec != c.codec || again.source != c.source ||
			strcmp(again.file, c.file) != 0)) ||
			((c.kind == RTK_CTL_STREAM || c.kind == RTK_CTL_UNSTREAM) && again.ssrc != c.ssrc) ||
			(c.kind == RTK_CTL_SCREENSHARE && again.on != c.on) ||
			(c.kind == RTK_CTL_LAYOUT && again.layout != c.layout) ||
			strcmp(again.output, c.output) != 0 || strcmp(again.path, c.path) != 0 ||
			(c.kind == RTK_CTL_ADD_OUTPUT && again.format != c.format))
		abort();
	return 0;
}
