/*
 * rest_meetings.c - the meetings resource of the REST v2 API:
 *   POST  /v2/meetings          create (201); parent_meeting_id makes it a connected
 *                               meeting (breakout room) of that parent
 *   GET   /v2/meetings          list, newest first (paged); narrowed by ?parent_meeting_id=,
 *                               ?search= (title or id), ?start_time= / ?end_time= (ISO 8601,
 *                               on created_at) and ?status= (repeatable)
 *   GET   /v2/meetings/{id}     fetch
 *   PATCH /v2/meetings/{id}     update the fields given
 *   PUT   /v2/meetings/{id}     replace: the fields not given return to their defaults
 *
 * Owns what a meeting's fields may hold: the flags, the region, the
 * session keep-alive, and the contents of recording_config and ai_config
 * (RealtimeKit's shapes, checked by the table rtk_meeting_specs[]); a
 * parent exists and is itself no child (one level of connected meetings).
 * Field errors answer 400, as RealtimeKit does. A meeting leaves the API
 * without the write-only secrets of its recording_config.storage_config.
 * rest.c has already authenticated, routed and parsed the body, and the
 * store owns ids, timestamps and defaults.
 */
#include <stdio.h>
#include <string.h>
#include <glib.h>
#include "rest_internal.h"

#define RTK_MEETING_TITLE_MAX 1024
#define RTK_MEETING_KEEP_ALIVE_MAX 600

static const char *const rtk_meeting_statuses[] = { "ACTIVE", "INACTIVE", NULL };
static const char *const rtk_meeting_regions[] = {
	"ap-south-1", "ap-southeast-1", "us-east-1", "eu-central-1", NULL
};

/* Fields of POST and PUT; PATCH accepts these plus status, PUT too. */
#define RTK_MEETING_FIELDS(flag_flags) \
	{ "title", RTK_REST_STRING, RTK_REST_NULLABLE, RTK_MEETING_TITLE_MAX, NULL }, \
	{ "record_on_start", RTK_REST_BOOLEAN, (flag_flags), 0, NULL }, \
	{ "live_stream_on_start", RTK_REST_BOOLEAN, (flag_flags), 0, NULL }, \
	{ "persist_chat", RTK_REST_BOOLEAN, 0, 0, NULL }, \
	{ "summarize_on_end", RTK_REST_BOOLEAN, 0, 0, NULL }, \
	{ "transcribe_on_end", RTK_REST_BOOLEAN, 0, 0, NULL }, \
	{ "preferred_region", RTK_REST_STRING, RTK_REST_NULLABLE, 0, rtk_meeting_regions }, \
	{ "recording_config", RTK_REST_OBJECT, RTK_REST_NULLABLE, 0, NULL }, \
	{ "ai_config", RTK_REST_OBJECT, RTK_REST_NULLABLE, 0, NULL }

/* A create's (and a replace's) record_on_start and live_stream_on_start
 * may be null (RealtimeKit's schema: nullable, default false). */
static const rtk_rest_field rtk_meeting_create_fields[] = {
	RTK_MEETING_FIELDS(RTK_REST_NULLABLE),
	{ "parent_meeting_id", RTK_REST_STRING, RTK_REST_NULLABLE, 36, NULL },
	{ NULL, 0, 0, 0, NULL }
};

static const rtk_rest_field rtk_meeting_replace_fields[] = {
	RTK_MEETING_FIELDS(RTK_REST_NULLABLE),
	{ "status", RTK_REST_STRING, 0, 0, rtk_meeting_statuses },
	{ NULL, 0, 0, 0, NULL }
};

static const rtk_rest_field rtk_meeting_update_fields[] = {
	RTK_MEETING_FIELDS(0),
	{ "status", RTK_REST_STRING, 0, 0, rtk_meeting_statuses },
	{ NULL, 0, 0, 0, NULL }
};

/* ---- recording_config and ai_config ---- */

typedef enum rtk_meeting_kind {
	RTK_SPEC_OBJECT,
	RTK_SPEC_STRING,     /* choices, when given, list its values */
	RTK_SPEC_BOOLEAN,
	RTK_SPEC_INTEGER,    /* min..max */
	RTK_SPEC_NUMBER,     /* integer or not, min..max */
	RTK_SPEC_STRINGS,    /* an array of strings */
	RTK_SPEC_URL,        /* an http(s) URL string */
	RTK_SPEC_PREFIX      /* a file name prefix a recording can use */
} rtk_meeting_kind;

enum {
	RTK_SPEC_REQUIRED = 1 << 0,   /* its object, when present, must have it */
	RTK_SPEC_NULLABLE = 1 << 1
};

typedef struct rtk_meeting_spec {
	const char *path;             /* dotted, from the meeting's field */
	rtk_meeting_kind kind;
	unsigned flags;
	double min, max;
	const char *const *choices;
} rtk_meeting_spec;

static const char *const rtk_spec_video_codecs[] = { "H264", "VP8", NULL };
static const char *const rtk_spec_layouts[] = { "GRID", "ACTIVE_SPEAKER", "PRESENTATION", NULL };
static const char *const rtk_spec_positions[] = { "left top", "right top", "left bottom", "right bottom", NULL };
static const char *const rtk_spec_audio_codecs[] = { "MP3", "AAC", NULL };
static const char *const rtk_spec_channels[] = { "mono", "stereo", NULL };
static const char *const rtk_spec_storage_types[] = { "aws", "azure", "digitalocean", "gcs", "sftp", NULL };
static const char *const rtk_spec_auth_methods[] = { "KEY", "PASSWORD", NULL };
static const char *const rtk_spec_languages[] = {
	"en-US", "en-IN", "de", "hi", "sv", "ru", "pl", "el", "fr", "nl", NULL
};
static const char *const rtk_spec_text_formats[] = { "plain_text", "markdown", NULL };
static const char *const rtk_spec_summary_types[] = {
	"general", "team_meeting", "sales_call", "client_check_in", "interview", "daily_standup",
	"one_on_one_meeting", "lecture", "code_review", NULL
};

#define RC "recording_config."
#define STORAGE_STRING(name) { RC "storage_config." name, RTK_SPEC_STRING, 0, 0, 0, NULL }

/* RealtimeKit's RecordingConfig and AIConfig, each object before what is
 * in it, and video_config.layout, ours (media/layout.h). Keys not listed
 * are kept as they are (newer clients). VP9, which
 * the Cloudflare types list, is refused: our recorder writes H264 or VP8. */
static const rtk_meeting_spec rtk_meeting_specs[] = {
	{ RC "max_seconds", RTK_SPEC_INTEGER, 0, 60, 86400, NULL },
	{ RC "file_name_prefix", RTK_SPEC_PREFIX, 0, 0, 0, NULL },
	{ RC "video_config", RTK_SPEC_OBJECT, 0, 0, 0, NULL },
	{ RC "video_config.codec", RTK_SPEC_STRING, 0, 0, 0, rtk_spec_video_codecs },
	{ RC "video_config.width", RTK_SPEC_INTEGER, 0, 1, 1920, NULL },
	{ RC "video_config.height", RTK_SPEC_INTEGER, 0, 1, 1920, NULL },
	{ RC "video_config.export_file", RTK_SPEC_BOOLEAN, 0, 0, 0, NULL },
	{ RC "video_config.layout", RTK_SPEC_STRING, RTK_SPEC_NULLABLE, 0, 0, rtk_spec_layouts },
	{ RC "video_config.watermark", RTK_SPEC_OBJECT, 0, 0, 0, NULL },
	{ RC "video_config.watermark.url", RTK_SPEC_URL, 0, 0, 0, NULL },
	{ RC "video_config.watermark.size", RTK_SPEC_OBJECT, 0, 0, 0, NULL },
	{ RC "video_config.watermark.size.width", RTK_SPEC_INTEGER, 0, 1, 1920, NULL },
	{ RC "video_config.watermark.size.height", RTK_SPEC_INTEGER, 0, 1, 1920, NULL },
	{ RC "video_config.watermark.position", RTK_SPEC_STRING, 0, 0, 0, rtk_spec_positions },
	{ RC "audio_config", RTK_SPEC_OBJECT, 0, 0, 0, NULL },
	{ RC "audio_config.codec", RTK_SPEC_STRING, 0, 0, 0, rtk_spec_audio_codecs },
	{ RC "audio_config.channel", RTK_SPEC_STRING, 0, 0, 0, rtk_spec_channels },
	{ RC "audio_config.export_file", RTK_SPEC_BOOLEAN, 0, 0, 0, NULL },
	{ RC "storage_config", RTK_SPEC_OBJECT, RTK_SPEC_NULLABLE, 0, 0, NULL },
	{ RC "storage_config.type", RTK_SPEC_STRING, RTK_SPEC_REQUIRED, 0, 0, rtk_spec_storage_types },
	{ RC "storage_config.auth_method", RTK_SPEC_STRING, 0, 0, 0, rtk_spec_auth_methods },
	{ RC "storage_config.port", RTK_SPEC_INTEGER, 0, 1, 65535, NULL },
	STORAGE_STRING("access_key"), STORAGE_STRING("secret"), STORAGE_STRING("bucket"),
	STORAGE_STRING("region"), STORAGE_STRING("path"), STORAGE_STRING("username"),
	STORAGE_STRING("password"), STORAGE_STRING("host"), STORAGE_STRING("private_key"),
	{ RC "dyte_bucket_config", RTK_SPEC_OBJECT, 0, 0, 0, NULL },
	{ RC "dyte_bucket_config.enabled", RTK_SPEC_BOOLEAN, RTK_SPEC_REQUIRED, 0, 0, NULL },
	{ RC "realtimekit_bucket_config", RTK_SPEC_OBJECT, 0, 0, 0, NULL },
	{ RC "realtimekit_bucket_config.enabled", RTK_SPEC_BOOLEAN, RTK_SPEC_REQUIRED, 0, 0, NULL },
	{ RC "live_streaming_config", RTK_SPEC_OBJECT, 0, 0, 0, NULL },
	{ RC "live_streaming_config.rtmp_url", RTK_SPEC_STRING, 0, 0, 0, NULL },
	{ "ai_config.transcription", RTK_SPEC_OBJECT, 0, 0, 0, NULL },
	{ "ai_config.transcription.keywords", RTK_SPEC_STRINGS, 0, 0, 0, NULL },
	{ "ai_config.transcription.language", RTK_SPEC_STRING, 0, 0, 0, rtk_spec_languages },
	{ "ai_config.transcription.profanity_filter", RTK_SPEC_BOOLEAN, 0, 0, 0, NULL },
	{ "ai_config.summarization", RTK_SPEC_OBJECT, 0, 0, 0, NULL },
	{ "ai_config.summarization.word_limit", RTK_SPEC_INTEGER, 0, 150, 1000, NULL },
	{ "ai_config.summarization.text_format", RTK_SPEC_STRING, 0, 0, 0, rtk_spec_text_formats },
	{ "ai_config.summarization.summary_type", RTK_SPEC_STRING, 0, 0, 0, rtk_spec_summary_types },
};

#undef STORAGE_STRING
#undef RC

/* What a recording_config.storage_config takes but never shows. */
static const char *const rtk_meeting_write_only[] = { "access_key", "secret", "password", "private_key", NULL };

/* The value at the dotted `path` under `root`, or NULL when a step is
 * missing or not an object. Borrowed. */
static json_t *rtk_meeting_at(json_t *root, const char *path)
{
	char **steps = g_strsplit(path, ".", -1);
	json_t *v = root;
	for (int i = 0; v && steps[i]; i++)
		v = json_is_object(v) ? json_object_get(v, steps[i]) : NULL;
	g_strfreev(steps);
	return v;
}

/* 1..63 of A-Z a-z 0-9 - _ . not starting with a dot (the recorder's rule
 * for a file name prefix, plugin/model/capture_config.c). */
static bool rtk_meeting_prefix_ok(const char *s)
{
	size_t len = strlen(s);
	if (len == 0 || len > 63 || s[0] == '.')
		return false;
	for (const char *p = s; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_' && *p != '.')
			return false;
	return true;
}

static bool rtk_meeting_strings_ok(const json_t *v)
{
	size_t i;
	json_t *item;
	if (!json_is_array(v))
		return false;
	json_array_foreach(v, i, item)
		if (!json_is_string(item))
			return false;
	return true;
}

static bool rtk_meeting_is_url(const char *s)
{
	return (g_ascii_strncasecmp(s, "https://", 8) == 0 && s[8] != '\0') ||
		(g_ascii_strncasecmp(s, "http://", 7) == 0 && s[7] != '\0');
}

/* What `spec` wants, for a message: "an integer from 60 to 86400". A
 * g_malloc'd string. */
static char *rtk_meeting_wants(const rtk_meeting_spec *spec)
{
	GString *list;
	switch (spec->kind) {
	case RTK_SPEC_OBJECT: return g_strdup("an object");
	case RTK_SPEC_BOOLEAN: return g_strdup("a boolean");
	case RTK_SPEC_STRINGS: return g_strdup("an array of strings");
	case RTK_SPEC_URL: return g_strdup("an http:// or https:// URL");
	case RTK_SPEC_PREFIX:
		return g_strdup("1 to 63 characters of A-Z a-z 0-9 - _ . (not starting with '.')");
	case RTK_SPEC_INTEGER:
		return g_strdup_printf("an integer from %.0f to %.0f", spec->min, spec->max);
	case RTK_SPEC_NUMBER:
		return g_strdup_printf("a number from %.0f to %.0f", spec->min, spec->max);
	case RTK_SPEC_STRING:
		if (!spec->choices)
			return g_strdup("a string");
		list = g_string_new("one of ");
		for (const char *const *c = spec->choices; *c; c++)
			g_string_append_printf(list, "%s%s", c == spec->choices ? "" : ", ", *c);
		return g_string_free(list, FALSE);
	}
	return g_strdup("valid");
}

static bool rtk_meeting_in_range(const rtk_meeting_spec *spec, double n)
{
	return n >= spec->min && n <= spec->max;
}

/* Whether the present, non-null `v` is what `spec` wants. */
static bool rtk_meeting_value_ok(const rtk_meeting_spec *spec, const json_t *v)
{
	switch (spec->kind) {
	case RTK_SPEC_OBJECT:
		return json_is_object(v);
	case RTK_SPEC_BOOLEAN:
		return json_is_boolean(v);
	case RTK_SPEC_STRINGS:
		return rtk_meeting_strings_ok(v);
	case RTK_SPEC_URL:
		return json_is_string(v) && rtk_meeting_is_url(json_string_value(v));
	case RTK_SPEC_PREFIX:
		return json_is_string(v) && rtk_meeting_prefix_ok(json_string_value(v));
	case RTK_SPEC_INTEGER:
		return json_is_integer(v) && rtk_meeting_in_range(spec, (double)json_integer_value(v));
	case RTK_SPEC_NUMBER:
		return json_is_number(v) && rtk_meeting_in_range(spec, json_number_value(v));
	case RTK_SPEC_STRING:
		if (!json_is_string(v))
			return false;
		for (const char *const *c = spec->choices; c && *c; c++)
			if (strcmp(*c, json_string_value(v)) == 0)
				return true;
		return spec->choices == NULL;
	}
	return false;
}

/* Checks one spec in `fields`; answers 400 and returns false when it fails. */
static bool rtk_meeting_check_spec(rtk_rest_call *call, json_t *fields, const rtk_meeting_spec *spec)
{
	const char *dot = strrchr(spec->path, '.');
	char *parent_path = g_strndup(spec->path, (size_t)(dot - spec->path));
	json_t *parent = rtk_meeting_at(fields, parent_path);
	g_free(parent_path);
	if (!json_is_object(parent))
		return true;   /* not given, null, or refused before */
	json_t *v = json_object_get(parent, dot + 1);
	if (v == NULL && !(spec->flags & RTK_SPEC_REQUIRED))
		return true;
	if (v == NULL) {
		rtk_rest_fail(call->reply, RTK_REST_FIELD_ERROR, "field '%s' is required", spec->path);
		return false;
	}
	if ((json_is_null(v) && (spec->flags & RTK_SPEC_NULLABLE)) || (!json_is_null(v) && rtk_meeting_value_ok(spec, v)))
		return true;
	char *wants = rtk_meeting_wants(spec);
	rtk_rest_fail(call->reply, RTK_REST_FIELD_ERROR, "field '%s' must be %s%s", spec->path, wants,
		json_is_null(v) ? ", not null" : "");
	g_free(wants);
	return false;
}

static bool rtk_meeting_configs_valid(rtk_rest_call *call, json_t *fields)
{
	for (size_t i = 0; i < G_N_ELEMENTS(rtk_meeting_specs); i++)
		if (!rtk_meeting_check_spec(call, fields, &rtk_meeting_specs[i]))
			return false;
	return true;
}

/* session_keep_alive_time_in_secs, a number 0..600, into `fields` when
 * the body has it. Answers 400 and returns false when it is bad. */
static bool rtk_meeting_take_keep_alive(rtk_rest_call *call, json_t *fields)
{
	json_t *v = json_object_get(call->body, "session_keep_alive_time_in_secs");
	if (v == NULL)
		return true;
	if (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > RTK_MEETING_KEEP_ALIVE_MAX) {
		rtk_rest_fail(call->reply, RTK_REST_FIELD_ERROR, "field 'session_keep_alive_time_in_secs' must be "
			"a number of seconds from 0 to %d", RTK_MEETING_KEEP_ALIVE_MAX);
		return false;
	}
	json_object_set(fields, "session_keep_alive_time_in_secs", v);
	return true;
}

/* The fields of a create, replace or update in a NEW *out: listed ones
 * checked, then the keep-alive and the configs; a null flag means its
 * default (removed: the store fills it). False after answering 400. */
static bool rtk_meeting_take(rtk_rest_call *call, const rtk_rest_field *list, json_t **out)
{
	if (!rtk_rest_take_fields_as(call, list, RTK_REST_FIELD_ERROR, out))
		return false;
	if (!rtk_meeting_take_keep_alive(call, *out) || !rtk_meeting_configs_valid(call, *out)) {
		json_decref(*out);
		*out = NULL;
		return false;
	}
	if (json_is_null(json_object_get(*out, "record_on_start")))
		json_object_del(*out, "record_on_start");
	if (json_is_null(json_object_get(*out, "live_stream_on_start")))
		json_object_del(*out, "live_stream_on_start");
	return true;
}

/* `meeting` (a store row, changed in place) as the API shows it: without
 * the write-only keys of its storage_config. Returns `meeting`. */
static json_t *rtk_meeting_public(json_t *meeting)
{
	json_t *storage = rtk_meeting_at(meeting, "recording_config.storage_config");
	for (const char *const *k = rtk_meeting_write_only; json_is_object(storage) && *k; k++)
		json_object_del(storage, *k);
	return meeting;
}

/* ---- handlers ---- */

/* A parent named at creation must exist and be a top-level meeting (no
 * grandchildren). Answers 400 and returns false otherwise; NULL is fine. */
static bool rtk_meeting_parent_valid(rtk_rest_call *call, const char *parent_id)
{
	if (parent_id == NULL)
		return true;
	json_t *parent = NULL;
	rtk_store_status st = rtk_rest_is_uuid(parent_id) ?
		rtk_store_meeting_get(call->ctx->store, parent_id, &parent) : RTK_STORE_NOT_FOUND;
	bool top = st == RTK_STORE_OK && json_is_null(json_object_get(parent, "parent_meeting_id"));
	json_decref(parent);
	if (st == RTK_STORE_NOT_FOUND)
		rtk_rest_fail(call->reply, RTK_REST_FIELD_ERROR, "field 'parent_meeting_id': no meeting '%s'", parent_id);
	else if (st != RTK_STORE_OK)
		rtk_rest_fail_store(call, st, "meeting", parent_id);
	else if (!top)
		rtk_rest_fail(call->reply, RTK_REST_FIELD_ERROR, "field 'parent_meeting_id': meeting '%s' is itself a "
			"connected meeting; connected meetings have one level", parent_id);
	return st == RTK_STORE_OK && top;
}

/* Answers with the meeting of a write, or its failure. */
static void rtk_meeting_reply(rtk_rest_call *call, rtk_store_status st, int ok_status, json_t *meeting,
	const char *id)
{
	if (st != RTK_STORE_OK)
		rtk_rest_fail_store(call, st, "meeting", id);
	else
		rtk_rest_reply_data(call, ok_status, rtk_meeting_public(meeting));
}

static void rtk_meeting_create(rtk_rest_call *call)
{
	json_t *fields, *meeting = NULL;
	if (!rtk_meeting_take(call, rtk_meeting_create_fields, &fields))
		return;
	if (!rtk_meeting_parent_valid(call, json_string_value(json_object_get(fields, "parent_meeting_id")))) {
		json_decref(fields);
		return;
	}
	rtk_store_status st = rtk_store_meeting_create(call->ctx->store, fields, &meeting);
	json_decref(fields);
	rtk_meeting_reply(call, st, 201, meeting, NULL);
}

/* The list's narrowing from the query into *f (its strings borrowed from
 * q or the two buffers). Answers 400 and returns false when a value is bad. */
static bool rtk_meeting_list_filter(rtk_rest_call *call, const rtk_rest_query *q, rtk_store_meeting_filter *f,
	char from[RTK_REST_TIME_LEN], char to[RTK_REST_TIME_LEN])
{
	unsigned statuses = 0;
	*f = (rtk_store_meeting_filter) { 0 };
	if (!rtk_rest_query_time_range(call->reply, q, from, to) ||
			!rtk_rest_query_choices(call->reply, q, "status", rtk_meeting_statuses, &statuses))
		return false;
	const char *search = rtk_rest_query_get(q, "search");
	f->parent_id = rtk_rest_query_get(q, "parent_meeting_id");
	f->search = search && *search ? search : NULL;
	f->created_from = from[0] ? from : NULL;
	f->created_to = to[0] ? to : NULL;
	if (statuses == 1u || statuses == 2u)   /* both: no narrowing */
		f->status = rtk_meeting_statuses[statuses == 1u ? 0 : 1];
	return true;
}

static void rtk_meeting_list(rtk_rest_call *call)
{
	json_t *items = NULL;
	int total = 0;
	const char *error = NULL;
	const char *raw = call->req->query;
	char from[RTK_REST_TIME_LEN], to[RTK_REST_TIME_LEN];
	rtk_store_meeting_filter filter;
	rtk_rest_query *q = rtk_rest_query_parse(raw, raw ? strlen(raw) : 0, &error);
	if (q == NULL) {
		rtk_rest_fail(call->reply, 400, "%s", error);
		return;
	}
	if (rtk_meeting_list_filter(call, q, &filter, from, to)) {
		rtk_store_status st = rtk_store_meeting_find(call->ctx->store, &filter, call->offset, call->limit,
			&items, &total);
		if (st != RTK_STORE_OK) {
			rtk_rest_fail_store(call, st, "meeting", NULL);
		} else {
			size_t i;
			json_t *m;
			json_array_foreach(items, i, m)
				rtk_meeting_public(m);
			rtk_rest_reply_list(call, items, total);
		}
	}
	rtk_rest_query_free(q);
}

static void rtk_meeting_get(rtk_rest_call *call)
{
	json_t *meeting = NULL;
	rtk_store_status st = rtk_store_meeting_get(call->ctx->store, call->ids[0], &meeting);
	rtk_meeting_reply(call, st, 200, meeting, call->ids[0]);
}

static void rtk_meeting_update(rtk_rest_call *call)
{
	json_t *fields, *meeting = NULL;
	if (!rtk_meeting_take(call, rtk_meeting_update_fields, &fields))
		return;
	rtk_store_status st = rtk_store_meeting_update(call->ctx->store, call->ids[0], fields, &meeting);
	json_decref(fields);
	rtk_meeting_reply(call, st, 200, meeting, call->ids[0]);
}

/* PUT: every field not given returns to its default (status and the
 * parent stay unless status is given). */
static void rtk_meeting_replace(rtk_rest_call *call)
{
	json_t *fields, *meeting = NULL;
	if (!rtk_meeting_take(call, rtk_meeting_replace_fields, &fields))
		return;
	rtk_store_status st = rtk_store_meeting_replace(call->ctx->store, call->ids[0], fields, &meeting);
	json_decref(fields);
	rtk_meeting_reply(call, st, 200, meeting, call->ids[0]);
}

const rtk_rest_route rtk_rest_meeting_routes[] = {
	{ "GET", "meetings", RTK_REST_PAGED, rtk_meeting_list },
	{ "POST", "meetings", RTK_REST_BODY, rtk_meeting_create },
	{ "GET", "meetings/{meeting}", 0, rtk_meeting_get },
	{ "PATCH", "meetings/{meeting}", RTK_REST_BODY, rtk_meeting_update },
	{ "PUT", "meetings/{meeting}", RTK_REST_BODY, rtk_meeting_replace },
	{ NULL, NULL, 0, NULL }
};
