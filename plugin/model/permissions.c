/*
 * permissions.c - typed view of a preset's permissions, the action ->
 * permission table and updatePermissions validation (see permissions.h).
 */
#include <stddef.h>
#include <string.h>
#include "permissions.h"

/* ---- reading the JSON ---- */

rtk_produce rtk_produce_from_string(const char *value) {
	if(value == NULL)
		return RTK_PRODUCE_NOT_ALLOWED;
	if(!strcmp(value, "ALLOWED"))
		return RTK_PRODUCE_ALLOWED;
	if(!strcmp(value, "CAN_REQUEST"))
		return RTK_PRODUCE_CAN_REQUEST;
	return RTK_PRODUCE_NOT_ALLOWED;
}

rtk_waiting_room rtk_waiting_room_from_string(const char *value) {
	if(value != NULL && !strcmp(value, "ON_PRIVILEGED_USER_ENTRY"))
		return RTK_WAITING_ON_PRIVILEGED_USER_ENTRY;
	if(value != NULL && !strcmp(value, "SKIP_ON_ACCEPT"))
		return RTK_WAITING_SKIP_ON_ACCEPT;
	return RTK_WAITING_SKIP;
}

const char *rtk_media_kind_name(rtk_media_kind kind) {
	switch(kind) {
		case RTK_MEDIA_AUDIO: return "audio";
		case RTK_MEDIA_VIDEO: return "video";
		case RTK_MEDIA_SCREENSHARE: return "screenshare";
		default: return "unknown";
	}
}

/* The value at a dotted path ("chat.public.can_send"), or NULL. */
static const json_t *permissions_lookup(const json_t *permissions, const char *path) {
	char **parts = g_strsplit(path, ".", -1);
	const json_t *value = permissions;
	for(int i = 0; parts[i] != NULL && value != NULL; i++)
		value = json_object_get(value, parts[i]);
	g_strfreev(parts);
	return value;
}

/* Every boolean permission: its JSON path and where it lives in the struct. */
typedef struct permission_flag {
	const char *path;
	size_t offset;
} permission_flag;

#define FLAG(path, member) { path, offsetof(rtk_permissions, member) }
static const permission_flag permission_flags[] = {
	FLAG("accept_waiting_requests", accept_waiting_requests),
	FLAG("can_accept_production_requests", can_accept_production_requests),
	FLAG("can_change_participant_permissions", can_change_participant_permissions),
	FLAG("can_edit_display_name", can_edit_display_name),
	FLAG("can_livestream", can_livestream),
	FLAG("can_record", can_record),
	FLAG("can_spotlight", can_spotlight),
	FLAG("disable_participant_audio", disable_participant_audio),
	FLAG("disable_participant_video", disable_participant_video),
	FLAG("disable_participant_screensharing", disable_participant_screensharing),
	FLAG("kick_participant", kick_participant),
	FLAG("pin_participant", pin_participant),
	FLAG("hidden_participant", hidden_participant),
	FLAG("show_participant_list", show_participant_list),
	FLAG("polls.can_create", polls.can_create),
	FLAG("polls.can_vote", polls.can_vote),
	FLAG("polls.can_view", polls.can_view),
	FLAG("plugins.can_start", plugins.can_start),
	FLAG("plugins.can_close", plugins.can_close),
	FLAG("connected_meetings.can_alter_connected_meetings", connected.can_alter),
	FLAG("connected_meetings.can_switch_connected_meetings", connected.can_switch),
	FLAG("connected_meetings.can_switch_to_parent_meeting", connected.can_switch_to_parent),
	FLAG("plugins.can_edit_config", plugins.can_edit_config),
	FLAG("chat.public.can_send", chat_public.can_send),
	FLAG("chat.private.can_send", chat_private.can_send),
	FLAG("chat.private.can_receive", chat_private.can_receive),
	FLAG("chat.public.text", chat_public.text),
	FLAG("chat.public.files", chat_public.files),
	FLAG("chat.private.text", chat_private.text),
	FLAG("chat.private.files", chat_private.files),
	FLAG("stage_enabled", stage_enabled),
	FLAG("accept_stage_requests", accept_stage_requests),
};
#undef FLAG

static gboolean *permissions_flag_field(rtk_permissions *p, const permission_flag *flag) {
	return (gboolean *)((char *)p + flag->offset);
}

void rtk_permissions_parse(rtk_permissions *out, const json_t *permissions) {
	memset(out, 0, sizeof(*out));
	if(!json_is_object(permissions))
		return;
	for(size_t i = 0; i < G_N_ELEMENTS(permission_flags); i++)
		*permissions_flag_field(out, &permission_flags[i]) =
			json_is_true(permissions_lookup(permissions, permission_flags[i].path));
	const json_t *media = json_object_get(permissions, "media");
	for(int kind = 0; kind < RTK_MEDIA_KINDS; kind++) {
		const json_t *m = json_object_get(media, rtk_media_kind_name(kind));
		out->produce[kind] = rtk_produce_from_string(json_string_value(json_object_get(m, "can_produce")));
	}
	out->stage_access = rtk_produce_from_string(json_string_value(json_object_get(permissions, "stage_access")));
	out->waiting_room = rtk_waiting_room_from_string(json_string_value(json_object_get(permissions, "waiting_room_type")));
}

/* ---- actions ---- */

typedef enum action_rule {
	RULE_FLAG,      /* a boolean permission */
	RULE_PRODUCE,   /* media.<kind>.can_produce must be ALLOWED */
	RULE_STAGE      /* stage_enabled and stage_access not NOT_ALLOWED */
} action_rule;

typedef struct action_spec {
	const char *name;
	const char *permission;   /* the key named in refusals */
	action_rule rule;
	size_t offset;            /* RULE_FLAG: the field */
	rtk_media_kind kind;      /* RULE_PRODUCE: the kind */
} action_spec;

#define ACTION_FLAG(id, name, path, member) [id] = { name, path, RULE_FLAG, offsetof(rtk_permissions, member), 0 }
static const action_spec action_specs[RTK_ACTIONS] = {
	[RTK_ACTION_PRODUCE_AUDIO] = { "produce_audio", "media.audio.can_produce", RULE_PRODUCE, 0, RTK_MEDIA_AUDIO },
	[RTK_ACTION_PRODUCE_VIDEO] = { "produce_video", "media.video.can_produce", RULE_PRODUCE, 0, RTK_MEDIA_VIDEO },
	[RTK_ACTION_PRODUCE_SCREENSHARE] = { "produce_screenshare", "media.screenshare.can_produce", RULE_PRODUCE, 0, RTK_MEDIA_SCREENSHARE },
	ACTION_FLAG(RTK_ACTION_KICK, "kick", "kick_participant", kick_participant),
	ACTION_FLAG(RTK_ACTION_PIN, "pin", "pin_participant", pin_participant),
	ACTION_FLAG(RTK_ACTION_DISABLE_AUDIO, "disable_audio", "disable_participant_audio", disable_participant_audio),
	ACTION_FLAG(RTK_ACTION_DISABLE_VIDEO, "disable_video", "disable_participant_video", disable_participant_video),
	ACTION_FLAG(RTK_ACTION_DISABLE_SCREENSHARE, "disable_screenshare", "disable_participant_screensharing", disable_participant_screensharing),
	ACTION_FLAG(RTK_ACTION_ACCEPT_WAITING, "accept_waiting", "accept_waiting_requests", accept_waiting_requests),
	ACTION_FLAG(RTK_ACTION_ACCEPT_STAGE, "accept_stage", "accept_stage_requests", accept_stage_requests),
	[RTK_ACTION_STAGE_REQUEST] = { "stage_request", "stage_access", RULE_STAGE, 0, 0 },
	[RTK_ACTION_STAGE_JOIN] = { "stage_join", "stage_access", RULE_STAGE, 0, 0 },
	ACTION_FLAG(RTK_ACTION_RECORD, "record", "can_record", can_record),
	ACTION_FLAG(RTK_ACTION_LIVESTREAM, "livestream", "can_livestream", can_livestream),
	ACTION_FLAG(RTK_ACTION_POLL_CREATE, "poll_create", "polls.can_create", polls.can_create),
	ACTION_FLAG(RTK_ACTION_POLL_VOTE, "poll_vote", "polls.can_vote", polls.can_vote),
	ACTION_FLAG(RTK_ACTION_POLL_VIEW, "poll_view", "polls.can_view", polls.can_view),
	ACTION_FLAG(RTK_ACTION_PLUGIN_START, "plugin_start", "plugins.can_start", plugins.can_start),
	ACTION_FLAG(RTK_ACTION_PLUGIN_CLOSE, "plugin_close", "plugins.can_close", plugins.can_close),
	ACTION_FLAG(RTK_ACTION_CHAT_PUBLIC, "chat_public", "chat.public.can_send", chat_public.can_send),
	ACTION_FLAG(RTK_ACTION_CHAT_PRIVATE, "chat_private", "chat.private.can_send", chat_private.can_send),
	ACTION_FLAG(RTK_ACTION_CHANGE_PERMISSIONS, "change_permissions", "can_change_participant_permissions", can_change_participant_permissions),
	ACTION_FLAG(RTK_ACTION_CHAT_PUBLIC_TEXT, "chat_public_text", "chat.public.text", chat_public.text),
	ACTION_FLAG(RTK_ACTION_CHAT_PUBLIC_FILES, "chat_public_files", "chat.public.files", chat_public.files),
	ACTION_FLAG(RTK_ACTION_CHAT_PRIVATE_TEXT, "chat_private_text", "chat.private.text", chat_private.text),
	ACTION_FLAG(RTK_ACTION_CHAT_PRIVATE_FILES, "chat_private_files", "chat.private.files", chat_private.files),
	ACTION_FLAG(RTK_ACTION_CHAT_RECEIVE_PRIVATE, "chat_receive_private", "chat.private.can_receive", chat_private.can_receive),
	ACTION_FLAG(RTK_ACTION_CHAT_DELETE_OTHERS, "chat_delete_others", "kick_participant", kick_participant),
	ACTION_FLAG(RTK_ACTION_CHAT_PIN_OTHERS, "chat_pin_others", "pin_participant", pin_participant),
	ACTION_FLAG(RTK_ACTION_SPOTLIGHT, "spotlight", "can_spotlight", can_spotlight),
	ACTION_FLAG(RTK_ACTION_CONNECTED_ALTER, "connected_alter",
		"connected_meetings.can_alter_connected_meetings", connected.can_alter),
	ACTION_FLAG(RTK_ACTION_CONNECTED_SWITCH, "connected_switch",
		"connected_meetings.can_switch_connected_meetings", connected.can_switch),
	ACTION_FLAG(RTK_ACTION_CONNECTED_TO_PARENT, "connected_to_parent",
		"connected_meetings.can_switch_to_parent_meeting", connected.can_switch_to_parent),
	ACTION_FLAG(RTK_ACTION_PLUGIN_EDIT_CONFIG, "plugin_edit_config", "plugins.can_edit_config", plugins.can_edit_config),
	ACTION_FLAG(RTK_ACTION_EDIT_DISPLAY_NAME, "edit_display_name", "can_edit_display_name", can_edit_display_name),
	ACTION_FLAG(RTK_ACTION_VIEW_PARTICIPANT_LIST, "view_participant_list", "show_participant_list",
		show_participant_list),
};
#undef ACTION_FLAG

const char *rtk_action_name(rtk_action action) {
	return (unsigned)action < RTK_ACTIONS ? action_specs[action].name : "unknown";
}

const char *rtk_action_permission(rtk_action action) {
	return (unsigned)action < RTK_ACTIONS ? action_specs[action].permission : "unknown";
}

static gboolean permissions_allow_stage(const rtk_permissions *p, rtk_refusal *why) {
	if(!p->stage_enabled) {
		rtk_refusal_set(why, RTK_ERR_STAGE_DISABLED, "your preset has no stage (stage_enabled is false)");
		return FALSE;
	}
	if(p->stage_access == RTK_PRODUCE_NOT_ALLOWED) {
		rtk_refusal_set(why, RTK_ERR_STAGE_NOT_ALLOWED, "your preset does not allow the stage (stage_access is NOT_ALLOWED)");
		return FALSE;
	}
	return TRUE;
}

gboolean rtk_permissions_stage_gated(const rtk_permissions *p) {
	return p->stage_enabled && p->stage_access == RTK_PRODUCE_CAN_REQUEST;
}

gboolean rtk_permissions_allow(const rtk_permissions *p, rtk_action action, rtk_refusal *why) {
	if((unsigned)action >= RTK_ACTIONS) {
		rtk_refusal_set(why, RTK_ERR_BAD_REQUEST, "unknown action %d", (int)action);
		return FALSE;
	}
	const action_spec *spec = &action_specs[action];
	switch(spec->rule) {
		case RULE_PRODUCE:
			if(p->produce[spec->kind] == RTK_PRODUCE_ALLOWED)
				return TRUE;
			rtk_refusal_set(why, RTK_ERR_MEDIA_NOT_ALLOWED, "your preset does not allow producing %s (%s is not ALLOWED)",
				rtk_media_kind_name(spec->kind), spec->permission);
			return FALSE;
		case RULE_STAGE:
			return permissions_allow_stage(p, why);
		case RULE_FLAG:
		default:
			if(*(const gboolean *)((const char *)p + spec->offset))
				return TRUE;
			rtk_refusal_set(why, RTK_ERR_NOT_PERMITTED, "your preset does not allow %s", spec->permission);
			return FALSE;
	}
}

/* ---- updatePermissions ---- */

/* The string permissions that hold one of a fixed set of values, by key. */
typedef struct permission_enum {
	const char *key;
	const char *values[4];   /* NULL-terminated */
} permission_enum;

static const permission_enum permission_enums[] = {
	{ "can_produce", { "ALLOWED", "NOT_ALLOWED", "CAN_REQUEST", NULL } },
	{ "stage_access", { "ALLOWED", "NOT_ALLOWED", "CAN_REQUEST", NULL } },
	{ "waiting_room_type", { "SKIP", "ON_PRIVILEGED_USER_ENTRY", "SKIP_ON_ACCEPT", NULL } },
	{ "recorder_type", { "NONE", "RECORDER", "LIVESTREAMER", NULL } },
	{ "access_control", { "FULL_ACCESS", "VIEW_ONLY", NULL } },
};

/* TRUE when `value` is allowed for `key` (keys that are not enumerations allow any string). */
static gboolean permissions_enum_allows(const char *key, const char *value) {
	for(size_t i = 0; i < G_N_ELEMENTS(permission_enums); i++) {
		if(strcmp(permission_enums[i].key, key))
			continue;
		for(int v = 0; permission_enums[i].values[v] != NULL; v++)
			if(!strcmp(permission_enums[i].values[v], value))
				return TRUE;
		return FALSE;
	}
	return TRUE;
}

/* JSON type for comparison: true and false are one type. */
static json_type permissions_type(const json_t *value) {
	json_type type = json_typeof(value);
	return type == JSON_FALSE ? JSON_TRUE : type;
}

static const char *permissions_type_name(const json_t *value) {
	switch(permissions_type(value)) {
		case JSON_OBJECT: return "an object";
		case JSON_ARRAY: return "an array";
		case JSON_STRING: return "a string";
		case JSON_INTEGER: return "an integer";
		case JSON_REAL: return "a number";
		case JSON_TRUE: return "a boolean";
		default: return "null";
	}
}

/* Checks `partial` against `current` without changing anything; `path` is
 * the dotted prefix for messages ("" at the top). */
static gboolean permissions_check(const json_t *current, const json_t *partial, const char *path, rtk_refusal *why) {
	const char *key;
	json_t *value;
	json_object_foreach((json_t *)partial, key, value) {
		char *name = *path ? g_strdup_printf("%s.%s", path, key) : g_strdup(key);
		const json_t *existing = json_object_get(current, key);
		gboolean ok = TRUE;
		if(existing == NULL) {
			rtk_refusal_set(why, RTK_ERR_BAD_PERMISSIONS, "unknown permission '%s'", name);
			ok = FALSE;
		} else if(permissions_type(existing) != permissions_type(value)) {
			rtk_refusal_set(why, RTK_ERR_BAD_PERMISSIONS, "permission '%s' must be %s", name, permissions_type_name(existing));
			ok = FALSE;
		} else if(json_is_object(value)) {
			ok = permissions_check(existing, value, name, why);
		} else if(json_is_string(value) && !permissions_enum_allows(key, json_string_value(value))) {
			rtk_refusal_set(why, RTK_ERR_BAD_PERMISSIONS, "permission '%s' cannot be '%s'", name, json_string_value(value));
			ok = FALSE;
		}
		g_free(name);
		if(!ok)
			return FALSE;
	}
	return TRUE;
}

/* Writes a checked `partial` into `current`: objects recursively, values copied. */
static void permissions_apply(json_t *current, const json_t *partial) {
	const char *key;
	json_t *value;
	json_object_foreach((json_t *)partial, key, value) {
		if(json_is_object(value))
			permissions_apply(json_object_get(current, key), value);
		else
			json_object_set_new(current, key, json_deep_copy(value));
	}
}

gboolean rtk_permissions_merge(json_t *permissions, const json_t *partial, rtk_refusal *why) {
	if(!json_is_object(permissions) || !json_is_object(partial)) {
		rtk_refusal_set(why, RTK_ERR_BAD_PERMISSIONS, "permissions must be an object");
		return FALSE;
	}
	if(!permissions_check(permissions, partial, "", why))
		return FALSE;
	permissions_apply(permissions, partial);
	return TRUE;
}
