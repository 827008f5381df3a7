/*
 * rest_presets.c - the presets resource of the REST v2 API:
 *   POST   /v2/presets          create (201); name unique (409)
 *   GET    /v2/presets          list, oldest first (paged)
 *   GET    /v2/presets/{id}     fetch
 *   PATCH  /v2/presets/{id}     rename and/or merge into config/permissions/ui
 *   PUT    /v2/presets/{id}     replace: name required, config/permissions/ui merged onto
 *                               the default as at creation (what is not given returns to it)
 *   DELETE /v2/presets/{id}     delete; 409 while participants use it
 *
 * Owns the rules for a preset's documents. `config`, `permissions` and `ui`
 * are merged key by key onto a base - the group_call_participant default
 * for a new preset, the stored preset for a PATCH - so a preset created with
 * only a name, or patched with one permission, is complete. The merged
 * config and permissions are then checked against the shape of that default:
 * every key it has must keep its JSON type, enumerations must hold one of
 * their values, and numbers must be integers in range. Unknown keys are kept
 * as they are, for clients newer than this server. Field errors answer
 * 400, as RealtimeKit does.
 *
 * A PATCH or PUT reaches the live presences holding the preset at once:
 * this node's (rtk_live_ops.preset_changed) and, with several nodes,
 * every other node's with live meetings (rtk_rest_nodes_preset_changed()).
 */
#include "rest_internal.h"

#include <string.h>
#include <glib.h>
#include "presets_default.h"

#define RTK_PRESET_TEMPLATE "group_call_participant"

static const rtk_rest_field rtk_preset_create_fields[] = {
	{ "name", RTK_REST_STRING, RTK_REST_REQUIRED | RTK_REST_NONEMPTY, RTK_PRESET_NAME_MAX, NULL },
	{ "config", RTK_REST_OBJECT, 0, 0, NULL },
	{ "permissions", RTK_REST_OBJECT, 0, 0, NULL },
	{ "ui", RTK_REST_OBJECT, 0, 0, NULL },
	{ NULL, 0, 0, 0, NULL }
};

static const rtk_rest_field rtk_preset_update_fields[] = {
	{ "name", RTK_REST_STRING, RTK_REST_NONEMPTY, RTK_PRESET_NAME_MAX, NULL },
	{ "config", RTK_REST_OBJECT, 0, 0, NULL },
	{ "permissions", RTK_REST_OBJECT, 0, 0, NULL },
	{ "ui", RTK_REST_OBJECT, 0, 0, NULL },
	{ NULL, 0, 0, 0, NULL }
};

/* The three documents of a preset, in the order they are merged. */
static const char *const rtk_preset_documents[] = { "config", "permissions", "ui", NULL };

/* ---- The shape rules ---- */

/* AUDIO_ROOM is stored and handed to clients as the room's viewType; what
 * a participant may publish stays its permissions' (docs/rest.md). */
static const char *const rtk_preset_view_types[] = { "GROUP_CALL", "WEBINAR", "AUDIO_ROOM", "LIVESTREAM", NULL };
static const char *const rtk_preset_qualities[] = { "hd", "vga", "qvga", "fhd", "uhd", NULL };
static const char *const rtk_preset_access[] = { "ALLOWED", "NOT_ALLOWED", "CAN_REQUEST", NULL };
static const char *const rtk_preset_waiting[] = { "SKIP", "ON_PRIVILEGED_USER_ENTRY", "SKIP_ON_ACCEPT", NULL };
static const char *const rtk_preset_recorders[] = { "NONE", "RECORDER", "LIVESTREAMER", NULL };
static const char *const rtk_preset_plugin_access[] = { "FULL_ACCESS", "VIEW_ONLY", NULL };

static const struct {
	const char *path;
	const char *const *values;
} rtk_preset_enums[] = {
	{ "config.view_type", rtk_preset_view_types },
	{ "config.media.video.quality", rtk_preset_qualities },
	{ "config.media.screenshare.quality", rtk_preset_qualities },
	{ "permissions.waiting_room_type", rtk_preset_waiting },
	{ "permissions.recorder_type", rtk_preset_recorders },
	{ "permissions.stage_access", rtk_preset_access },
	{ "permissions.media.audio.can_produce", rtk_preset_access },
	{ "permissions.media.video.can_produce", rtk_preset_access },
	{ "permissions.media.screenshare.can_produce", rtk_preset_access },
	{ "permissions.plugins.config.access_control", rtk_preset_plugin_access },
};

/* Integers default to 0..1000; these are narrower. */
static const struct {
	const char *path;
	json_int_t min, max;
} rtk_preset_ranges[] = {
	{ "config.media.video.frame_rate", 1, 60 },
	{ "config.media.screenshare.frame_rate", 1, 60 },
};

static const char *const *rtk_preset_enum_values(const char *path)
{
	for (size_t i = 0; i < G_N_ELEMENTS(rtk_preset_enums); i++)
		if (strcmp(rtk_preset_enums[i].path, path) == 0)
			return rtk_preset_enums[i].values;
	return NULL;
}

static void rtk_preset_range(const char *path, json_int_t *min, json_int_t *max)
{
	*min = 0;
	*max = 1000;
	for (size_t i = 0; i < G_N_ELEMENTS(rtk_preset_ranges); i++)
		if (strcmp(rtk_preset_ranges[i].path, path) == 0) {
			*min = rtk_preset_ranges[i].min;
			*max = rtk_preset_ranges[i].max;
		}
}

static const char *rtk_preset_type_name(const json_t *tmpl)
{
	switch (json_typeof(tmpl)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "valid";
}

static bool rtk_preset_same_type(const json_t *a, const json_t *b)
{
	if (json_is_boolean(a))
		return json_is_boolean(b);
	return json_typeof(a) == json_typeof(b);
}

/* Checks a leaf `value` at `path` whose template is the non-object `tmpl`. */
static bool rtk_preset_check_leaf(rtk_rest_call *call, const json_t *value, const json_t *tmpl, const char *path)
{
	if (!rtk_preset_same_type(value, tmpl)) {
		rtk_rest_fail(call->reply, RTK_REST_FIELD_ERROR, "field '%s' must be %s", path, rtk_preset_type_name(tmpl));
		return false;
	}
	const char *const *values = json_is_string(value) ? rtk_preset_enum_values(path) : NULL;
	if (values) {
		for (const char *const *v = values; *v; v++)
			if (strcmp(*v, json_string_value(value)) == 0)
				return true;
		GString *list = g_string_new(NULL);
		for (const char *const *v = values; *v; v++)
			g_string_append_printf(list, "%s%s", v == values ? "" : ", ", *v);
		rtk_rest_fail(call->reply, RTK_REST_FIELD_ERROR, "field '%s' must be one of %s", path, list->str);
		g_string_free(list, TRUE);
		return false;
	}
	if (json_is_integer(value)) {
		json_int_t min, max, n = json_integer_value(value);
		rtk_preset_range(path, &min, &max);
		if (n < min || n > max) {
			rtk_rest_fail(call->reply, RTK_REST_FIELD_ERROR, "field '%s' must be an integer from %" JSON_INTEGER_FORMAT
				" to %" JSON_INTEGER_FORMAT, path, min, max);
			return false;
		}
	}
	return true;
}

/* Checks `value` against `tmpl` for every key `tmpl` has; `path` is the
 * dotted name of `value` and is restored before returning. Answers 400 and
 * returns false on the first mismatch. */
static bool rtk_preset_check_like(rtk_rest_call *call, const json_t *value, const json_t *tmpl, GString *path)
{
	if (!json_is_object(tmpl))
		return rtk_preset_check_leaf(call, value, tmpl, path->str);
	if (!json_is_object(value)) {
		rtk_rest_fail(call->reply, RTK_REST_FIELD_ERROR, "field '%s' must be an object", path->str);
		return false;
	}
	const char *key;
	json_t *sub;
	json_object_foreach((json_t *)tmpl, key, sub) {
		json_t *v = json_object_get(value, key);
		if (v == NULL)
			continue;   /* only possible in an object the template has empty */
		size_t keep = path->len;
		g_string_append_printf(path, ".%s", key);
		bool ok = rtk_preset_check_like(call, v, sub, path);
		g_string_truncate(path, keep);
		if (!ok)
			return false;
	}
	return true;
}

/* ---- Merging ---- */

static gpointer rtk_preset_template_build(gpointer unused)
{
	json_t *all = rtk_presets_default();
	json_t *found = NULL;
	size_t i;
	json_t *p;
	json_array_foreach(all, i, p) {
		if (strcmp(json_string_value(json_object_get(p, "name")), RTK_PRESET_TEMPLATE) == 0)
			found = json_incref(p);
	}
	json_decref(all);
	return found;
}

/* The group_call_participant default, built once and never changed
 * afterwards (so it may be read from any thread). Borrowed, never NULL
 * unless memory ran out at the first call. */
static const json_t *rtk_preset_template(void)
{
	static GOnce once = G_ONCE_INIT;
	return g_once(&once, rtk_preset_template_build, NULL);
}

/* A NEW object: `base` (borrowed; NULL reads as {}) with `patch` (borrowed)
 * merged into it key by key, objects recursively. */
static json_t *rtk_preset_merge(const json_t *base, const json_t *patch)
{
	json_t *merged = json_is_object(base) ? json_deep_copy(base) : json_object();
	if (merged && patch && json_object_update_recursive(merged, (json_t *)patch) != 0) {
		json_decref(merged);
		return NULL;
	}
	return merged;
}

/* Replaces each document in `fields` (and, for a create, each missing one)
 * by its merge onto the same document of `base`, then validates config and
 * permissions. `fill` adds the documents `fields` lacks. Returns false after
 * answering. */
static bool rtk_preset_complete(rtk_rest_call *call, json_t *fields, const json_t *base, bool fill)
{
	const json_t *tmpl = rtk_preset_template();
	if (tmpl == NULL) {
		rtk_rest_fail(call->reply, 500, "out of memory");
		return false;
	}
	for (const char *const *doc = rtk_preset_documents; *doc; doc++) {
		json_t *patch = json_object_get(fields, *doc);
		if (patch == NULL && !fill)
			continue;
		json_t *merged = rtk_preset_merge(json_object_get(base, *doc), patch);
		if (merged == NULL || json_object_set_new(fields, *doc, merged) != 0) {
			rtk_rest_fail(call->reply, 500, "out of memory");
			return false;
		}
		if (strcmp(*doc, "ui") == 0)
			continue;   /* free-form: design tokens are the client's business */
		GString *path = g_string_new(*doc);
		bool ok = rtk_preset_check_like(call, merged, json_object_get(tmpl, *doc), path);
		g_string_free(path, TRUE);
		if (!ok)
			return false;
	}
	return true;
}

static void rtk_preset_fail_name_taken(rtk_rest_call *call, const json_t *fields)
{
	char *name = rtk_rest_echo(json_string_value(json_object_get(fields, "name")));
	rtk_rest_fail(call->reply, 409, "a preset named '%s' already exists", name);
	g_free(name);
}

/* ---- Handlers ---- */

static void rtk_preset_create(rtk_rest_call *call)
{
	json_t *fields, *preset = NULL;
	if (!rtk_rest_take_fields_as(call, rtk_preset_create_fields, RTK_REST_FIELD_ERROR, &fields))
		return;
	if (!rtk_preset_complete(call, fields, rtk_preset_template(), true)) {
		json_decref(fields);
		return;
	}
	rtk_store_status st = rtk_store_preset_create(call->ctx->store, fields, &preset);
	if (st == RTK_STORE_CONFLICT)
		rtk_preset_fail_name_taken(call, fields);
	else if (st != RTK_STORE_OK)
		rtk_rest_fail_store(call, st, "preset", NULL);
	else
		rtk_rest_reply_data(call, 201, preset);
	json_decref(fields);
}

static void rtk_preset_list(rtk_rest_call *call)
{
	json_t *items = NULL;
	int total = 0;
	rtk_store_status st = rtk_store_preset_list(call->ctx->store, call->offset, call->limit,
		&items, &total);
	if (st != RTK_STORE_OK)
		rtk_rest_fail_store(call, st, "preset", NULL);
	else
		rtk_rest_reply_list(call, items, total);
}

static void rtk_preset_get(rtk_rest_call *call)
{
	json_t *preset = NULL;
	rtk_store_status st = rtk_store_preset_get(call->ctx->store, call->ids[0], &preset);
	if (st != RTK_STORE_OK)
		rtk_rest_fail_store(call, st, "preset", call->ids[0]);
	else
		rtk_rest_reply_data(call, 200, preset);
}

/* PATCH merges the documents given onto the stored ones; PUT (`replace`)
 * takes a create's fields and merges every document onto the default, as
 * a create does, so what it does not give returns to the default. */
static void rtk_preset_write(rtk_rest_call *call, bool replace)
{
	const char *id = call->ids[0];
	json_t *fields, *current = NULL, *preset = NULL;
	if (!rtk_rest_take_fields_as(call, replace ? rtk_preset_create_fields : rtk_preset_update_fields,
			RTK_REST_FIELD_ERROR, &fields))
		return;
	rtk_store_status st = rtk_store_preset_get(call->ctx->store, id, &current);
	if (st == RTK_STORE_OK && !rtk_preset_complete(call, fields, replace ? rtk_preset_template() : current,
			replace))
		goto out;
	if (st == RTK_STORE_OK)
		st = rtk_store_preset_update(call->ctx->store, id, fields, &preset);
	if (st == RTK_STORE_CONFLICT)
		rtk_preset_fail_name_taken(call, fields);
	else if (st != RTK_STORE_OK)
		rtk_rest_fail_store(call, st, "preset", id);
	else {
		const rtk_live_ops *live = call->ctx->live;
		if (live && live->preset_changed)   /* live presences hold to it at once */
			live->preset_changed(preset, live->user_data);
		rtk_rest_nodes_preset_changed(call->ctx, call->req, id);   /* and those of the other nodes */
		rtk_rest_reply_data(call, 200, preset);
	}
out:
	json_decref(current);
	json_decref(fields);
}

static void rtk_preset_update(rtk_rest_call *call)
{
	rtk_preset_write(call, false);
}

static void rtk_preset_replace(rtk_rest_call *call)
{
	rtk_preset_write(call, true);
}

/* Answers 200 with the preset as it was before deletion. */
static void rtk_preset_delete(rtk_rest_call *call)
{
	const char *id = call->ids[0];
	json_t *preset = NULL;
	rtk_store_status st = rtk_store_preset_get(call->ctx->store, id, &preset);
	if (st == RTK_STORE_OK)
		st = rtk_store_preset_delete(call->ctx->store, id);
	if (st == RTK_STORE_CONFLICT) {
		char *name = rtk_rest_echo(json_string_value(json_object_get(preset, "name")));
		rtk_rest_fail(call->reply, 409, "preset '%s' is used by participants; move them to "
			"another preset or delete them first", name);
		g_free(name);
		json_decref(preset);
	} else if (st != RTK_STORE_OK) {
		rtk_rest_fail_store(call, st, "preset", id);
		json_decref(preset);
	} else {
		rtk_rest_reply_data(call, 200, preset);
	}
}

const rtk_rest_route rtk_rest_preset_routes[] = {
	{ "GET", "presets", RTK_REST_PAGED, rtk_preset_list },
	{ "POST", "presets", RTK_REST_BODY, rtk_preset_create },
	{ "GET", "presets/{preset}", 0, rtk_preset_get },
	{ "PATCH", "presets/{preset}", RTK_REST_BODY, rtk_preset_update },
	{ "PUT", "presets/{preset}", RTK_REST_BODY, rtk_preset_replace },
	{ "DELETE", "presets/{preset}", 0, rtk_preset_delete },
	{ NULL, NULL, 0, NULL }
};
