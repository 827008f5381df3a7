/*
 * test_permissions.c - the permission model without a room: the permission
 * matrix (every action against the six default presets and one custom
 * preset), updatePermissions validation (rtk_permissions_merge) and the
 * publish rule (rtk_peer_may_publish) in each media and stage state.
 */
#include <glib.h>
#include <jansson.h>
#include "unit.h"
#include "permissions.h"
#include "peer.h"
#include "presets_default.h"
#include "room.h"

/* ---- presets ---- */

enum {
	GC_HOST, GC_PART, WEB_PRES, WEB_VIEW, LS_HOST, LS_VIEW, CUSTOM, PRESETS
};

static const char *const preset_names[PRESETS] = {
	"group_call_host", "group_call_participant", "webinar_presenter",
	"webinar_viewer", "livestream_host", "livestream_viewer",
	"custom: group_call_participant + kick_participant, screenshare NOT_ALLOWED",
};

/* The default preset called `name` (borrowed from `defaults`), or NULL. */
static json_t *default_preset(json_t *defaults, const char *name) {
	size_t i;
	json_t *preset;
	json_array_foreach(defaults, i, preset)
		if(!g_strcmp0(json_string_value(json_object_get(preset, "name")), name))
			return preset;
	return NULL;
}

/* A NEW reference to preset `index` (CUSTOM built from group_call_participant). */
static json_t *preset_at(int index) {
	json_t *defaults = rtk_presets_default();
	json_t *preset = NULL;
	if(index == CUSTOM) {
		preset = json_deep_copy(default_preset(defaults, "group_call_participant"));
		json_t *permissions = json_object_get(preset, "permissions");
		json_object_set_new(permissions, "kick_participant", json_true());
		json_object_set_new(json_object_get(json_object_get(permissions, "media"), "screenshare"),
			"can_produce", json_string("NOT_ALLOWED"));
		json_object_set_new(preset, "name", json_string("custom"));
	} else {
		preset = json_incref(default_preset(defaults, preset_names[index]));
	}
	json_decref(defaults);
	return preset;
}

static void parse_preset(rtk_permissions *out, int index) {
	json_t *preset = preset_at(index);
	rtk_permissions_parse(out, json_object_get(preset, "permissions"));
	json_decref(preset);
}

/* ---- the matrix ---- */

#define OK "ok"
#define NOPE RTK_ERR_NOT_PERMITTED      /* 0902 */
#define MEDIA RTK_ERR_MEDIA_NOT_ALLOWED /* 0904 */
#define NOSTG RTK_ERR_STAGE_DISABLED    /* 2001 */
#define STGNA RTK_ERR_STAGE_NOT_ALLOWED /* 2002 */

/* Expected outcome of rtk_permissions_allow: "ok" or the refusal code. */
static const char *const matrix[RTK_ACTIONS][PRESETS] = {
	/*                                   gc_host gc_part web_pres web_view ls_host ls_view custom */
	[RTK_ACTION_PRODUCE_AUDIO]       = { OK,     OK,     OK,      MEDIA,   OK,     MEDIA,  OK    },
	[RTK_ACTION_PRODUCE_VIDEO]       = { OK,     OK,     OK,      MEDIA,   OK,     MEDIA,  OK    },
	[RTK_ACTION_PRODUCE_SCREENSHARE] = { OK,     OK,     OK,      MEDIA,   OK,     MEDIA,  MEDIA },
	[RTK_ACTION_KICK]                = { OK,     NOPE,   OK,      NOPE,    OK,     NOPE,   OK    },
	[RTK_ACTION_PIN]                 = { OK,     NOPE,   OK,      NOPE,    OK,     NOPE,   NOPE  },
	[RTK_ACTION_DISABLE_AUDIO]       = { OK,     NOPE,   OK,      NOPE,    OK,     NOPE,   NOPE  },
	[RTK_ACTION_DISABLE_VIDEO]       = { OK,     NOPE,   OK,      NOPE,    OK,     NOPE,   NOPE  },
	[RTK_ACTION_DISABLE_SCREENSHARE] = { OK,     NOPE,   OK,      NOPE,    OK,     NOPE,   NOPE  },
	[RTK_ACTION_ACCEPT_WAITING]      = { OK,     NOPE,   OK,      NOPE,    OK,     NOPE,   NOPE  },
	[RTK_ACTION_ACCEPT_STAGE]        = { OK,     NOPE,   OK,      NOPE,    OK,     NOPE,   NOPE  },
	[RTK_ACTION_STAGE_REQUEST]       = { NOSTG,  NOSTG,  OK,      OK,      OK,     STGNA,  NOSTG },
	[RTK_ACTION_STAGE_JOIN]          = { NOSTG,  NOSTG,  OK,      OK,      OK,     STGNA,  NOSTG },
	[RTK_ACTION_RECORD]              = { OK,     NOPE,   OK,      NOPE,    OK,     NOPE,   NOPE  },
	[RTK_ACTION_LIVESTREAM]          = { OK,     NOPE,   NOPE,    NOPE,    OK,     NOPE,   NOPE  },
	[RTK_ACTION_POLL_CREATE]         = { OK,     OK,     OK,      NOPE,    OK,     NOPE,   OK    },
	[RTK_ACTION_POLL_VOTE]           = { OK,     OK,     OK,      OK,      OK,     OK,     OK    },
	[RTK_ACTION_POLL_VIEW]           = { OK,     OK,     OK,      OK,      OK,     OK,     OK    },
	[RTK_ACTION_PLUGIN_START]        = { OK,     NOPE,   OK,      NOPE,    OK,     NOPE,   NOPE  },
	[RTK_ACTION_PLUGIN_CLOSE]        = { OK,     NOPE,   OK,      NOPE,    OK,     NOPE,   NOPE  },
	[RTK_ACTION_CHAT_PUBLIC]         = { OK,     OK,     OK,      OK,      OK,     OK,     OK    },
	[RTK_ACTION_CHAT_PRIVATE]        = { OK,     OK,     OK,      NOPE,    OK,     NOPE,   OK    },
	[RTK_ACTION_CHANGE_PERMISSIONS]  = { OK,     NOPE,   OK,      NOPE,    OK,     NOPE,   NOPE  },
	[RTK_ACTION_CHAT_PUBLIC_TEXT]    = { OK,     OK,     OK,      OK,      OK,     OK,     OK    },
	[RTK_ACTION_CHAT_PUBLIC_FILES]   = { OK,     OK,     OK,      NOPE,    OK,     NOPE,   OK    },
	[RTK_ACTION_CHAT_PRIVATE_TEXT]   = { OK,     OK,     OK,      NOPE,    OK,     NOPE,   OK    },
	[RTK_ACTION_CHAT_PRIVATE_FILES]  = { OK,     OK,     OK,      NOPE,    OK,     NOPE,   OK    },
	[RTK_ACTION_CHAT_RECEIVE_PRIVATE]= { OK,     OK,     OK,      OK,      OK,     OK,     OK    },
	[RTK_ACTION_CHAT_DELETE_OTHERS]  = { OK,     NOPE,   OK,      NOPE,    OK,     NOPE,   OK    },
	[RTK_ACTION_CHAT_PIN_OTHERS]     = { OK,     NOPE,   OK,      NOPE,    OK,     NOPE,   NOPE  },
	[RTK_ACTION_SPOTLIGHT]           = { OK,     NOPE,   OK,      NOPE,    OK,     NOPE,   NOPE  },
	[RTK_ACTION_CONNECTED_ALTER]     = { OK,     NOPE,   OK,      NOPE,    OK,     NOPE,   NOPE  },
	[RTK_ACTION_CONNECTED_SWITCH]    = { OK,     NOPE,   OK,      NOPE,    OK,     NOPE,   NOPE  },
	[RTK_ACTION_CONNECTED_TO_PARENT] = { OK,     NOPE,   OK,      NOPE,    OK,     NOPE,   NOPE  },
	[RTK_ACTION_PLUGIN_EDIT_CONFIG]  = { OK,     NOPE,   OK,      NOPE,    OK,     NOPE,   NOPE  },
	[RTK_ACTION_EDIT_DISPLAY_NAME]   = { OK,     OK,     OK,      NOPE,    OK,     NOPE,   OK    },
	[RTK_ACTION_VIEW_PARTICIPANT_LIST]={ OK,     OK,     OK,      OK,      OK,     NOPE,   OK    },
};

static void test_permission_matrix(void) {
	for(int preset = 0; preset < PRESETS; preset++) {
		rtk_permissions perms;
		parse_preset(&perms, preset);
		for(int action = 0; action < RTK_ACTIONS; action++) {
			rtk_refusal why = { 0 };
			gboolean allowed = rtk_permissions_allow(&perms, action, &why);
			const char *actual = allowed ? OK : why.code;
			const char *expected = matrix[action][preset];
			unit_checks++;
			if(g_strcmp0(actual, expected)) {
				unit_fail(__FILE__, __LINE__, "permission matrix");
				fprintf(stderr, "\t%s x %s: got %s (%s), expected %s\n", rtk_action_name(action),
					preset_names[preset], actual, allowed ? "" : why.message, expected);
			}
			if(!allowed)
				CHECK(why.message[0] != '\0');
		}
	}
}

static void test_action_names_and_messages(void) {
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	for(int action = 0; action < RTK_ACTIONS; action++) {
		const char *name = rtk_action_name(action);
		CHECK(g_strcmp0(name, "unknown") != 0);
		CHECK(!g_hash_table_contains(seen, name));
		g_hash_table_add(seen, (gpointer)name);
	}
	g_hash_table_destroy(seen);
	CHECK_EQ_STR(rtk_action_name(RTK_ACTION_KICK), "kick");
	CHECK_EQ_STR(rtk_action_name(RTK_ACTIONS), "unknown");
	CHECK_EQ_STR(rtk_action_permission(RTK_ACTION_KICK), "kick_participant");

	rtk_permissions perms;
	parse_preset(&perms, GC_PART);
	rtk_refusal why = { 0 };
	CHECK(!rtk_permissions_allow(&perms, RTK_ACTION_KICK, &why));
	CHECK_EQ_STR(why.message, "your preset does not allow kick_participant");
	CHECK(!rtk_permissions_allow(&perms, RTK_ACTION_CHANGE_PERMISSIONS, NULL));   /* why may be NULL */
	CHECK(!rtk_permissions_allow(&perms, RTK_ACTIONS, &why));
	CHECK_EQ_STR(why.code, RTK_ERR_BAD_REQUEST);
	parse_preset(&perms, WEB_VIEW);
	CHECK(!rtk_permissions_allow(&perms, RTK_ACTION_PRODUCE_AUDIO, &why));
	CHECK(strstr(why.message, "media.audio.can_produce") != NULL);
}

static void test_parse_every_field(void) {
	rtk_permissions perms;
	parse_preset(&perms, WEB_VIEW);
	CHECK_EQ_INT(perms.produce[RTK_MEDIA_AUDIO], RTK_PRODUCE_CAN_REQUEST);
	CHECK_EQ_INT(perms.produce[RTK_MEDIA_SCREENSHARE], RTK_PRODUCE_NOT_ALLOWED);
	CHECK_EQ_INT(perms.stage_access, RTK_PRODUCE_CAN_REQUEST);
	CHECK(perms.stage_enabled);
	CHECK(!perms.accept_stage_requests);
	CHECK(!perms.can_edit_display_name);
	CHECK(perms.show_participant_list);
	CHECK(perms.chat_public.can_send);
	CHECK(!perms.chat_private.can_send);
	CHECK(perms.chat_private.can_receive);
	CHECK(perms.polls.can_vote);
	CHECK(!perms.polls.can_create);
	CHECK_EQ_INT(perms.waiting_room, RTK_WAITING_SKIP);
	parse_preset(&perms, GC_HOST);
	CHECK(perms.can_spotlight && perms.can_accept_production_requests && perms.accept_waiting_requests);
	CHECK(!perms.hidden_participant);
	CHECK(!perms.stage_enabled);
	parse_preset(&perms, LS_VIEW);
	CHECK(!perms.show_participant_list);
	CHECK_EQ_INT(perms.stage_access, RTK_PRODUCE_NOT_ALLOWED);
	CHECK_EQ_INT(rtk_waiting_room_from_string("ON_PRIVILEGED_USER_ENTRY"), RTK_WAITING_ON_PRIVILEGED_USER_ENTRY);
	CHECK_EQ_INT(rtk_waiting_room_from_string("SKIP_ON_ACCEPT"), RTK_WAITING_SKIP_ON_ACCEPT);
	CHECK_EQ_INT(rtk_waiting_room_from_string("bogus"), RTK_WAITING_SKIP);
	CHECK_EQ_INT(rtk_waiting_room_from_string(NULL), RTK_WAITING_SKIP);
}

/* ---- updatePermissions ---- */

/* rtk_permissions_merge(partial) on a copy of group_call_participant's
 * permissions must refuse with 0903 naming `needle` and change nothing. */
static void check_merge_refused(const char *partial_text, const char *needle) {
	json_t *preset = preset_at(GC_PART);
	json_t *permissions = json_deep_copy(json_object_get(preset, "permissions"));
	json_t *before = json_deep_copy(permissions);
	json_t *partial = json_loads(partial_text, JSON_DECODE_ANY, NULL);
	CHECK_NOT_NULL(partial);
	rtk_refusal why = { 0 };
	CHECK(!rtk_permissions_merge(permissions, partial, &why));
	CHECK_EQ_STR(why.code, RTK_ERR_BAD_PERMISSIONS);
	if(strstr(why.message, needle) == NULL) {
		unit_fail(__FILE__, __LINE__, partial_text);
		fprintf(stderr, "\tmessage \"%s\" does not name \"%s\"\n", why.message, needle);
	}
	CHECK(json_equal(permissions, before));
	json_decref(partial);
	json_decref(before);
	json_decref(permissions);
	json_decref(preset);
}

static void test_merge_good_partial(void) {
	json_t *preset = preset_at(GC_PART);
	json_t *permissions = json_deep_copy(json_object_get(preset, "permissions"));
	json_t *partial = json_pack("{sb s{s{ss}} s{s{sb}} ss}", "kick_participant", 1,
		"media", "audio", "can_produce", "NOT_ALLOWED",
		"chat", "private", "can_send", 0,
		"waiting_room_type", "SKIP_ON_ACCEPT");
	rtk_refusal why = { 0 };
	CHECK(rtk_permissions_merge(permissions, partial, &why));
	rtk_permissions perms;
	rtk_permissions_parse(&perms, permissions);
	CHECK(perms.kick_participant);
	CHECK_EQ_INT(perms.produce[RTK_MEDIA_AUDIO], RTK_PRODUCE_NOT_ALLOWED);
	CHECK_EQ_INT(perms.produce[RTK_MEDIA_VIDEO], RTK_PRODUCE_ALLOWED);   /* siblings kept */
	CHECK(!perms.chat_private.can_send);
	CHECK(perms.chat_private.can_receive);
	CHECK_EQ_INT(perms.waiting_room, RTK_WAITING_SKIP_ON_ACCEPT);
	/* The merged value is a copy: changing the partial does not reach it. */
	json_object_set_new(partial, "kick_participant", json_false());
	CHECK(json_is_true(json_object_get(permissions, "kick_participant")));
	/* An empty partial changes nothing and is fine. */
	json_t *copy = json_deep_copy(permissions);
	json_t *empty = json_object();
	CHECK(rtk_permissions_merge(permissions, empty, NULL));
	CHECK(json_equal(copy, permissions));
	json_decref(empty);
	json_decref(copy);
	json_decref(partial);
	json_decref(permissions);
	json_decref(preset);
}

static void test_merge_refusals(void) {
	check_merge_refused("{\"bogus\": true}", "bogus");
	check_merge_refused("{\"media\": {\"hologram\": {\"can_produce\": \"ALLOWED\"}}}", "media.hologram");
	check_merge_refused("{\"kick_participant\": \"yes\"}", "kick_participant");
	check_merge_refused("{\"stage_enabled\": 1}", "stage_enabled");
	check_merge_refused("{\"media\": \"ALLOWED\"}", "media");
	check_merge_refused("{\"chat\": {\"public\": {\"can_send\": null}}}", "chat.public.can_send");
	check_merge_refused("{\"stage_access\": \"MAYBE\"}", "stage_access");
	check_merge_refused("{\"waiting_room_type\": \"NEVER\"}", "waiting_room_type");
	check_merge_refused("{\"media\": {\"video\": {\"can_produce\": \"allowed\"}}}", "media.video.can_produce");
	check_merge_refused("{\"recorder_type\": \"DJ\"}", "recorder_type");
	check_merge_refused("{\"plugins\": {\"config\": {\"access_control\": \"ROOT\"}}}", "plugins.config.access_control");
	/* All or nothing: a good key next to a bad one is not written either. */
	check_merge_refused("{\"kick_participant\": true, \"pin_participant\": 7}", "pin_participant");
	check_merge_refused("[true]", "object");
	check_merge_refused("true", "object");
}

/* ---- the publish rule ---- */

static rtk_peer *peer_with_preset(json_t *preset) {
	json_t *participant = json_pack("{ss ss}", "id", "u-1", "name", "ann");
	rtk_peer *peer = rtk_peer_new(participant, preset, NULL);
	json_decref(participant);
	return peer;
}

static rtk_peer *peer_of(int index) {
	json_t *preset = preset_at(index);
	rtk_peer *peer = peer_with_preset(preset);
	json_decref(preset);
	return peer;
}

/* "ok" or the refusal code of rtk_peer_may_publish. */
static const char *publish(const rtk_peer *peer, rtk_media_kind kind) {
	static rtk_refusal why;
	return rtk_peer_may_publish(peer, kind, &why) ? OK : why.code;
}

static void test_may_publish(void) {
	/* Group call: no stage, everyone starts ON_STAGE and publishes what ALLOWED. */
	rtk_peer *part = peer_of(GC_PART);
	CHECK_EQ_INT(part->stage, RTK_STAGE_ON_STAGE);
	CHECK_EQ_STR(publish(part, RTK_MEDIA_AUDIO), OK);
	part->media_locked[RTK_MEDIA_AUDIO] = TRUE;
	CHECK_EQ_STR(publish(part, RTK_MEDIA_AUDIO), RTK_ERR_MEDIA_LOCKED);
	CHECK_EQ_STR(publish(part, RTK_MEDIA_VIDEO), OK);
	CHECK_EQ_STR(publish(part, RTK_MEDIA_KINDS), RTK_ERR_MEDIA_NOT_ALLOWED);
	rtk_peer_free(part);

	rtk_peer *custom = peer_of(CUSTOM);
	CHECK_EQ_STR(publish(custom, RTK_MEDIA_SCREENSHARE), RTK_ERR_MEDIA_NOT_ALLOWED);
	rtk_peer_free(custom);

	/* CAN_REQUEST without a stage can never be granted. */
	json_t *odd = preset_at(GC_PART);
	json_object_set_new(json_object_get(json_object_get(json_object_get(odd, "permissions"), "media"), "audio"),
		"can_produce", json_string("CAN_REQUEST"));
	rtk_peer *requester = peer_with_preset(odd);
	CHECK_EQ_STR(publish(requester, RTK_MEDIA_AUDIO), RTK_ERR_MEDIA_NOT_ALLOWED);
	rtk_peer_free(requester);
	json_decref(odd);

	/* Webinar presenter: ALLOWED, but only on stage. */
	rtk_peer *presenter = peer_of(WEB_PRES);
	CHECK_EQ_INT(presenter->stage, RTK_STAGE_OFF_STAGE);
	CHECK_EQ_STR(publish(presenter, RTK_MEDIA_VIDEO), RTK_ERR_OFF_STAGE);
	presenter->stage = RTK_STAGE_ACCEPTED;
	CHECK_EQ_STR(publish(presenter, RTK_MEDIA_VIDEO), RTK_ERR_OFF_STAGE);
	presenter->stage = RTK_STAGE_ON_STAGE;
	CHECK_EQ_STR(publish(presenter, RTK_MEDIA_VIDEO), OK);
	CHECK_EQ_STR(publish(presenter, RTK_MEDIA_SCREENSHARE), OK);
	rtk_peer_free(presenter);

	/* Webinar viewer: CAN_REQUEST audio/video once on stage; never screenshare. */
	rtk_peer *viewer = peer_of(WEB_VIEW);
	CHECK_EQ_STR(publish(viewer, RTK_MEDIA_AUDIO), RTK_ERR_OFF_STAGE);
	viewer->stage = RTK_STAGE_REQUESTED;
	CHECK_EQ_STR(publish(viewer, RTK_MEDIA_AUDIO), RTK_ERR_OFF_STAGE);
	viewer->stage = RTK_STAGE_ON_STAGE;
	CHECK_EQ_STR(publish(viewer, RTK_MEDIA_AUDIO), OK);
	CHECK_EQ_STR(publish(viewer, RTK_MEDIA_VIDEO), OK);
	CHECK_EQ_STR(publish(viewer, RTK_MEDIA_SCREENSHARE), RTK_ERR_MEDIA_NOT_ALLOWED);
	/* A lock wins over everything, even off stage. */
	viewer->stage = RTK_STAGE_OFF_STAGE;
	viewer->media_locked[RTK_MEDIA_VIDEO] = TRUE;
	CHECK_EQ_STR(publish(viewer, RTK_MEDIA_VIDEO), RTK_ERR_MEDIA_LOCKED);
	rtk_peer_free(viewer);

	/* Livestream viewer: nothing, even if it were put on stage. */
	rtk_peer *watcher = peer_of(LS_VIEW);
	CHECK_EQ_STR(publish(watcher, RTK_MEDIA_AUDIO), RTK_ERR_OFF_STAGE);
	watcher->stage = RTK_STAGE_ON_STAGE;
	CHECK_EQ_STR(publish(watcher, RTK_MEDIA_AUDIO), RTK_ERR_MEDIA_NOT_ALLOWED);
	rtk_peer_free(watcher);
}

/* Which presets wait for a host to publish (a cascaded meeting's edge takes
 * them), and whether a peer's stage request would be taken. */
static void test_stage_gated_and_may_request(void) {
	static const gboolean gated[PRESETS] = { [WEB_VIEW] = TRUE };
	for(int i = GC_HOST; i < CUSTOM; i++) {
		rtk_permissions perms;
		parse_preset(&perms, i);
		CHECK_EQ_INT(rtk_permissions_stage_gated(&perms), gated[i]);
	}
	rtk_refusal why;
	rtk_peer *viewer = peer_of(WEB_VIEW);
	CHECK(rtk_room_stage_may_request(viewer, &why));
	viewer->stage = RTK_STAGE_REQUESTED;
	CHECK(!rtk_room_stage_may_request(viewer, &why));
	CHECK_EQ_STR(why.code, RTK_ERR_STAGE_ALREADY);
	viewer->stage = RTK_STAGE_OFF_STAGE;
	viewer->waitlisted = TRUE;
	CHECK(!rtk_room_stage_may_request(viewer, &why));
	CHECK_EQ_STR(why.code, RTK_ERR_NOT_JOINED);
	rtk_peer_free(viewer);
	rtk_peer *watcher = peer_of(LS_VIEW);
	CHECK(!rtk_room_stage_may_request(watcher, &why));
	CHECK_EQ_STR(why.code, RTK_ERR_STAGE_NOT_ALLOWED);
	rtk_peer_free(watcher);
	rtk_peer *part = peer_of(GC_PART);
	CHECK(!rtk_room_stage_may_request(part, &why));
	CHECK_EQ_STR(why.code, RTK_ERR_STAGE_DISABLED);
	rtk_peer_free(part);
}

static void test_stage_names_and_peer_json(void) {
	CHECK_EQ_STR(rtk_stage_status_name(RTK_STAGE_OFF_STAGE), "OFF_STAGE");
	CHECK_EQ_STR(rtk_stage_status_name(RTK_STAGE_REQUESTED), "REQUESTED_TO_JOIN_STAGE");
	CHECK_EQ_STR(rtk_stage_status_name(RTK_STAGE_ACCEPTED), "ACCEPTED_TO_JOIN_STAGE");
	CHECK_EQ_STR(rtk_stage_status_name(RTK_STAGE_ON_STAGE), "ON_STAGE");
	rtk_peer *viewer = peer_of(WEB_VIEW);
	json_t *object = rtk_peer_to_json(viewer);
	CHECK_EQ_STR(json_string_value(json_object_get(object, "stageStatus")), "OFF_STAGE");
	CHECK(json_is_false(json_object_get(object, "isPinned")));
	json_decref(object);
	viewer->waitlisted = TRUE;
	object = rtk_peer_self_json(viewer);
	CHECK_EQ_STR(json_string_value(json_object_get(object, "roomState")), "waitlisted");
	json_decref(object);
	/* Losing the stage puts the peer ON_STAGE; permissions are re-parsed. */
	json_t *permissions = json_deep_copy(viewer->permissions_json);
	json_object_set_new(permissions, "stage_enabled", json_false());
	rtk_peer_set_permissions(viewer, permissions);
	CHECK(!viewer->permissions.stage_enabled);
	CHECK_EQ_INT(viewer->stage, RTK_STAGE_ON_STAGE);
	rtk_peer_free(viewer);
}

int main(void) {
	UNIT_RUN(test_permission_matrix);
	UNIT_RUN(test_action_names_and_messages);
	UNIT_RUN(test_parse_every_field);
	UNIT_RUN(test_merge_good_partial);
	UNIT_RUN(test_merge_refusals);
	UNIT_RUN(test_may_publish);
	UNIT_RUN(test_stage_names_and_peer_json);
	UNIT_RUN(test_stage_gated_and_may_request);
	return UNIT_DONE();
}
