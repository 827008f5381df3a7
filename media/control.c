/*
 * control.c - parsing of the control commands a companion reads from its
 * stdin, and writing of the events it answers with (control.h).
 */
#include "control.h"

#include <string.h>

static int ctl_fail(char *err, size_t errlen, const char *what)
{
	if (errlen > 0)
		snprintf(err, errlen, "%s", what);
	return -1;
}

/* Copies a required, non-empty string field that fits `cap` bytes, or with
 * `cut` its longest prefix that does. */
static bool ctl_string(const json_t *root, const char *key, char *dst, size_t cap, bool cut)
{
	const char *s = json_string_value(json_object_get(root, key));
	if (s == NULL || s[0] == '\0')
		return false;
	size_t n = strlen(s);
	if (n >= cap) {
		if (!cut)
			return false;
		n = cap - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;   /* never split a UTF-8 sequence */
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
	return true;
}

static bool ctl_ssrc(const json_t *root, uint32_t *ssrc)
{
	const json_t *v = json_object_get(root, "ssrc");
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > UINT32_MAX)
		return false;
	*ssrc = (uint32_t)json_integer_value(v);
	return true;
}

static bool ctl_codec(const char *s, rtk_codec *codec)
{
	if (s == NULL)
		return false;
	if (strcmp(s, "vp8") == 0)
		*codec = RTK_CODEC_VP8;
	else if (strcmp(s, "h264") == 0)
		*codec = RTK_CODEC_H264;
	else if (strcmp(s, "opus") == 0)
		*codec = RTK_CODEC_OPUS;
	else
		return false;
	return true;
}

static bool ctl_source(const char *s, rtk_source *source)
{
	if (s == NULL || strcmp(s, "camera") == 0)
		*source = RTK_SOURCE_CAMERA;
	else if (strcmp(s, "screen") == 0)
		*source = RTK_SOURCE_SCREEN;
	else
		return false;
	return true;
}

/* A stream's optional "file": absent leaves it empty; else 1..199 bytes of
 * A-Z a-z 0-9 - _ . not starting with a dot, so it names a file in the
 * companion's directory and nothing else. */
static bool ctl_file(const json_t *root, char *dst, size_t cap)
{
	const json_t *v = json_object_get(root, "file");
	dst[0] = '\0';
	if (v == NULL)
		return true;
	const char *s = json_string_value(v);
	if (s == NULL || s[0] == '\0' || s[0] == '.' || strlen(s) >= cap || strlen(s) != json_string_length(v))
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_' || *p == '.'))
			return false;
	memcpy(dst, s, strlen(s) + 1);
	return true;
}

static const struct {
	const char *name;
	rtk_ctl_kind kind;
} ctl_names[] = {
	{ "participant", RTK_CTL_PARTICIPANT }, { "remove", RTK_CTL_REMOVE },
	{ "stream", RTK_CTL_STREAM }, { "unstream", RTK_CTL_UNSTREAM },
	{ "screenshare", RTK_CTL_SCREENSHARE }, { "pause", RTK_CTL_PAUSE },
	{ "resume", RTK_CTL_RESUME }, { "stop", RTK_CTL_STOP },
	{ "speaker", RTK_CTL_SPEAKER }, { "layout", RTK_CTL_LAYOUT },
	{ "add_output", RTK_CTL_ADD_OUTPUT }, { "remove_output", RTK_CTL_REMOVE_OUTPUT },
};

static bool ctl_format(const char *s, rtk_output_format *format)
{
	if (s != NULL && strcmp(s, "mp4") == 0)
		*format = RTK_OUTPUT_MP4_H264_AAC;
	else if (s != NULL && strcmp(s, "cmaf") == 0)
		*format = RTK_OUTPUT_CMAF_H264_AAC;
	else
		return false;
	return true;
}

static int ctl_fields(const json_t *root, rtk_ctl *c, char *err, size_t errlen)
{
	switch (c->kind) {
	case RTK_CTL_PARTICIPANT:
		if (!ctl_string(root, "id", c->id, sizeof c->id, false))
			return ctl_fail(err, errlen, "participant: \"id\" must be a non-empty string under 128 bytes");
		if (!ctl_string(root, "name", c->name, sizeof c->name, true))
			c->name[0] = '\0';
		return 0;
	case RTK_CTL_REMOVE:
	case RTK_CTL_SCREENSHARE:
	case RTK_CTL_SPEAKER:
		if (!ctl_string(root, "id", c->id, sizeof c->id, false))
			return ctl_fail(err, errlen, "\"id\" must be a non-empty string under 128 bytes");
		if (c->kind == RTK_CTL_SCREENSHARE) {
			const json_t *on = json_object_get(root, "on");
			if (!json_is_boolean(on))
				return ctl_fail(err, errlen, "screenshare: \"on\" must be a boolean");
			c->on = json_is_true(on);
		}
		return 0;
	case RTK_CTL_STREAM:
		if (!ctl_ssrc(root, &c->ssrc))
			return ctl_fail(err, errlen, "stream: \"ssrc\" must be an integer 0..4294967295");
		if (!ctl_string(root, "id", c->id, sizeof c->id, false))
			return ctl_fail(err, errlen, "stream: \"id\" must be a non-empty string under 128 bytes");
		if (!ctl_codec(json_string_value(json_object_get(root, "codec")), &c->codec))
			return ctl_fail(err, errlen, "stream: \"codec\" must be \"vp8\", \"h264\" or \"opus\"");
		if (!ctl_source(json_string_value(json_object_get(root, "source")), &c->source))
			return ctl_fail(err, errlen, "stream: \"source\" must be \"camera\" or \"screen\"");
		if (!ctl_file(root, c->file, sizeof c->file))
			return ctl_fail(err, errlen, "stream: \"file\" must be a file name under 200 bytes of "
				"A-Z a-z 0-9 - _ . (not starting with a dot)");
		return 0;
	case RTK_CTL_UNSTREAM:
		if (!ctl_ssrc(root, &c->ssrc))
			return ctl_fail(err, errlen, "unstream: \"ssrc\" must be an integer 0..4294967295");
		return 0;
	case RTK_CTL_LAYOUT:
		if (rtk_layout_parse(json_string_value(json_object_get(root, "layout")), &c->layout) != 0)
			return ctl_fail(err, errlen,
				"layout: \"layout\" must be \"GRID\", \"ACTIVE_SPEAKER\" or \"PRESENTATION\"");
		return 0;
	case RTK_CTL_ADD_OUTPUT:
		if (!ctl_format(json_string_value(json_object_get(root, "format")), &c->format))
			return ctl_fail(err, errlen, "add_output: \"format\" must be \"mp4\" or \"cmaf\"");
		if (!ctl_string(root, "path", c->path, sizeof c->path, false))
			return ctl_fail(err, errlen, "add_output: \"path\" must be a non-empty string under 1024 bytes");
		/* and its name, as remove_output */
		/* fall through */
	case RTK_CTL_REMOVE_OUTPUT:
		if (!ctl_string(root, "output", c->output, sizeof c->output, false))
			return ctl_fail(err, errlen, "\"output\" must be a non-empty string under 128 bytes");
		return 0;
	case RTK_CTL_PAUSE:
	case RTK_CTL_RESUME:
		/* optional: one output of a shared companion */
		if (json_object_get(root, "output") != NULL &&
		    !ctl_string(root, "output", c->output, sizeof c->output, false))
			return ctl_fail(err, errlen, "\"output\" must be a non-empty string under 128 bytes");
		return 0;
	default:
		return 0;
	}
}

int rtk_ctl_parse(const char *line, size_t len, rtk_ctl *out, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(root)) {
		json_decref(root);
		return ctl_fail(err, errlen, "not a JSON object");
	}
	const char *cmd = json_string_value(json_object_get(root, "cmd"));
	int rc = ctl_fail(err, errlen, "unknown or missing \"cmd\"");
	rtk_ctl c;
	memset(&c, 0, sizeof c);
	for (size_t i = 0; cmd != NULL && i < sizeof ctl_names / sizeof ctl_names[0]; i++) {
		if (strcmp(cmd, ctl_names[i].name) == 0) {
			c.kind = ctl_names[i].kind;
			rc = ctl_fields(root, &c, err, errlen);
			break;
		}
	}
	json_decref(root);
	if (rc == 0)
		*out = c;
	return rc;
}

int rtk_ctl_emit(FILE *out, json_t *event)
{
	if (event == NULL)
		return -1;
	int rc = json_dumpf(event, out, JSON_COMPACT | JSON_REAL_PRECISION(9)) == 0 && fputc('\n', out) != EOF &&
		fflush(out) == 0 ? 0 : -1;
	json_decref(event);
	return rc;
}
