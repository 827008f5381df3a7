/*
 * presets_default.c - the six presets every deployment starts with, in
 * the RealtimeKit REST shape {name, config, permissions, ui}.
 *
 * Owns the values that make each default preset behave as its name says
 * (the table in docs/rest.md, "Default presets", mirrors rtk_preset_specs[]
 * below). The store seeds them on first start; the REST layer also uses
 * group_call_participant as the template that fills what a created preset
 * leaves out and that a preset's config/permissions are validated against.
 *
 * Each preset is one row of traits; the JSON is built from the row, so the
 * six presets cannot drift apart in shape.
 */
#include "presets_default.h"

#include <stdbool.h>

typedef struct rtk_preset_spec {
	const char *name;
	const char *view_type;          /* GROUP_CALL | WEBINAR | LIVESTREAM */
	int streams_mobile;             /* config.max_video_streams */
	int streams_desktop;
	/* Host controls: accept waiting/production/stage requests, change
	 * permissions, spotlight, disable others' media, kick, pin, plugins,
	 * connected meetings. */
	bool host;
	bool can_record;
	bool can_livestream;
	const char *produce_audio;      /* ALLOWED | NOT_ALLOWED | CAN_REQUEST */
	const char *produce_video;
	const char *produce_screenshare;
	bool stage_enabled;
	const char *stage_access;       /* ALLOWED | NOT_ALLOWED | CAN_REQUEST */
	bool audience;                  /* viewer: no name edits, no files, no private sends */
	bool show_participant_list;
	bool poll_create;
} rtk_preset_spec;

#define A "ALLOWED"
#define N "NOT_ALLOWED"
#define R "CAN_REQUEST"

static const rtk_preset_spec rtk_preset_specs[] = {
	/* name                     view          mob desk host   rec    live   audio video screen stage  access aud.   list   poll+ */
	{ "group_call_host",        "GROUP_CALL", 6,  25,  true,  true,  true,  A,    A,    A,     false, A,     false, true,  true  },
	{ "group_call_participant", "GROUP_CALL", 6,  25,  false, false, false, A,    A,    A,     false, A,     false, true,  true  },
	{ "webinar_presenter",      "WEBINAR",    4,  9,   true,  true,  false, A,    A,    A,     true,  A,     false, true,  true  },
	{ "webinar_viewer",         "WEBINAR",    4,  9,   false, false, false, R,    R,    N,     true,  R,     true,  true,  false },
	{ "livestream_host",        "LIVESTREAM", 4,  9,   true,  true,  true,  A,    A,    A,     true,  A,     false, true,  true  },
	{ "livestream_viewer",      "LIVESTREAM", 4,  9,   false, false, false, N,    N,    N,     true,  N,     true,  false, false },
};

#undef A
#undef N
#undef R

static json_t *rtk_preset_config(const rtk_preset_spec *s)
{
	return json_pack("{s:s, s:{s:i, s:i}, s:i, s:{s:{s:b, s:b}, s:{s:s, s:i}, s:{s:s, s:i}}}",
		"view_type", s->view_type,
		"max_video_streams", "mobile", s->streams_mobile, "desktop", s->streams_desktop,
		"max_screenshare_count", 1,
		"media",
			"audio", "enable_stereo", 0, "enable_high_bitrate", 0,
			"video", "quality", "hd", "frame_rate", 30,
			"screenshare", "quality", "hd", "frame_rate", 5);
}

static json_t *rtk_preset_permissions_media(const rtk_preset_spec *s)
{
	return json_pack("{s:{s:s}, s:{s:s}, s:{s:s}}",
		"audio", "can_produce", s->produce_audio,
		"video", "can_produce", s->produce_video,
		"screenshare", "can_produce", s->produce_screenshare);
}

static json_t *rtk_preset_permissions_chat(const rtk_preset_spec *s)
{
	bool member = !s->audience;
	return json_pack("{s:{s:b, s:b, s:b}, s:{s:b, s:b, s:b, s:b}}",
		"public", "can_send", 1, "text", 1, "files", member,
		"private", "can_send", member, "can_receive", 1, "text", member, "files", member);
}

static json_t *rtk_preset_permissions(const rtk_preset_spec *s)
{
	bool host = s->host;
	json_t *p = json_pack("{s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b,"
		" s:b, s:b, s:b, s:s, s:s}",
		"accept_waiting_requests", host,
		"can_accept_production_requests", host,
		"can_change_participant_permissions", host,
		"can_edit_display_name", !s->audience,
		"can_livestream", s->can_livestream,
		"can_record", s->can_record,
		"can_spotlight", host,
		"disable_participant_audio", host,
		"disable_participant_video", host,
		"disable_participant_screensharing", host,
		"kick_participant", host,
		"pin_participant", host,
		"hidden_participant", 0,
		"show_participant_list", s->show_participant_list,
		"is_recorder", 0,
		"recorder_type", "NONE",
		"waiting_room_type", "SKIP");
	json_t *rest = json_pack("{s:{s:b, s:b, s:b, s:{s:s, s:b}}, s:{s:b, s:b, s:b}, s:o, s:o,"
		" s:{s:b, s:b, s:b}, s:b, s:s, s:b}",
		"plugins", "can_start", host, "can_close", host, "can_edit_config", host,
			"config", "access_control", host ? "FULL_ACCESS" : "VIEW_ONLY", "handles_view_only", 0,
		"polls", "can_create", s->poll_create, "can_vote", 1, "can_view", 1,
		"media", rtk_preset_permissions_media(s),
		"chat", rtk_preset_permissions_chat(s),
		"connected_meetings", "can_alter_connected_meetings", host,
			"can_switch_connected_meetings", host, "can_switch_to_parent_meeting", host,
		"stage_enabled", s->stage_enabled,
		"stage_access", s->stage_access,
		"accept_stage_requests", host);
	if (p == NULL || rest == NULL || json_object_update(p, rest) != 0) {
		json_decref(p);
		json_decref(rest);
		return NULL;
	}
	json_decref(rest);
	return p;
}

static json_t *rtk_preset_ui(void)
{
	return json_pack("{s:{s:s, s:s, s:s, s:i, s:s, s:{s:{s:s}, s:{s:s}, s:s, s:s, s:s, s:s, s:s}}}",
		"design_tokens",
			"theme", "dark",
			"border_radius", "rounded",
			"border_width", "thin",
			"spacing_base", 4,
			"logo", "",
			"colors",
				"brand", "500", "#2160FD",
				"background", "1000", "#080808",
				"text", "#FFFFFF",
				"text_on_brand", "#FFFFFF",
				"danger", "#FF2D2D",
				"success", "#62A504",
				"warning", "#FFCD07");
}

json_t *rtk_presets_default(void)
{
	json_t *list = json_array();
	if (list == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof rtk_preset_specs / sizeof rtk_preset_specs[0]; i++) {
		const rtk_preset_spec *s = &rtk_preset_specs[i];
		/* "o" steals each part, also when json_pack fails on a NULL one. */
		json_t *preset = json_pack("{s:s, s:o, s:o, s:o}", "name", s->name,
			"config", rtk_preset_config(s),
			"permissions", rtk_preset_permissions(s),
			"ui", rtk_preset_ui());
		if (preset == NULL || json_array_append_new(list, preset) != 0) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}
