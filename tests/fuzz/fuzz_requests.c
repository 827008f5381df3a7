/*
 * fuzz_requests.c - libFuzzer target for the signalling request bodies a
 * client sends on a main or subscriber handle (plugin/model/request_parse.c, the
 * code requests.c runs on every body before it acts), and for the
 * Janus-free code the parsed fields go to: the view rules (setViewMode,
 * setPage, setMaxActiveParticipantsCount: plugin/model/view.c), the recording
 * config (plugin/model/capture_config.c, through the parse) and the publisher
 * offer rules with the body's "descriptions" (plugin/model/offer_plan.c).
 *
 * Input: the body's text, read as the Janus transports read it
 * (json_loadb, any JSON value; Janus hands the plugin objects only, the
 * others check the refusal). Each body is read as sent on a new handle, a
 * main handle and a subscriber handle.
 *
 * Checked beyond the sanitizers, for every body and handle:
 *   - reading has no side effect: the body dumps the same before and
 *     after, and a second reading gives the same request;
 *   - a body naming no known request is refused with 0001 or 0002 (0001
 *     exactly when it is no object with a string "request"), with a message;
 *   - a known request carries its own name back, and a field error is
 *     0001 (1003 for a recording config) with a message;
 *   - a request without a field error has exactly the fields its
 *     handler needs, with the types and values the body holds: ids are
 *     non-empty strings of the body, id lists non-empty arrays of strings,
 *     flags follow the body or their defaults, the recording config is
 *     within its documented bounds and its file name prefix is safe.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "request_parse.h"
#include "offer_plan.h"

#define CHECK(cond) do { if(!(cond)) __builtin_trap(); } while(0)

static void check_message(const rtk_refusal *error) {
	CHECK(memchr(error->message, '\0', sizeof error->message) != NULL);
	CHECK(error->message[0] != '\0');
}

/* `value` is the body's string `key`, non-empty. */
static void check_target(const json_t *body, const char *key, const char *value) {
	CHECK(value != NULL && value[0] != '\0');
	CHECK(value == json_string_value(json_object_get(body, key)));
}

static void check_id_list(const json_t *body, const char *key, const json_t *ids) {
	size_t i;
	const json_t *id;
	CHECK(ids != NULL && ids == json_object_get(body, key));
	CHECK(json_is_array(ids) && json_array_size(ids) > 0);
	json_array_foreach(ids, i, id)
		CHECK(json_is_string(id));
}

static void check_flag(const json_t *body, const char *key, gboolean fallback, gboolean value) {
	const json_t *v = json_object_get(body, key);
	CHECK(value == (v ? json_is_true(v) : fallback));
}

static void check_config(const rtk_recording_config *config) {
	CHECK(config->width >= 1 && config->width <= 1920);
	CHECK(config->height >= 1 && config->height <= 1920);
	CHECK(config->max_seconds >= 0 && config->max_seconds <= 86400);
	CHECK(memchr(config->file_name_prefix, '\0', sizeof config->file_name_prefix) != NULL);
	CHECK(config->file_name_prefix[0] != '.');
	for(const char *p = config->file_name_prefix; *p; p++)
		CHECK(g_ascii_isalnum(*p) || *p == '-' || *p == '_' || *p == '.');
	CHECK(config->channels == 1 || config->channels == 2);
	CHECK(!config->mp3 || config->audio_only);
	CHECK(memchr(config->rtmp_url, '\0', sizeof config->rtmp_url) != NULL);
	CHECK(config->rtmp_url[0] == '\0' || ((g_str_has_prefix(config->rtmp_url, "rtmp://") ||
		g_str_has_prefix(config->rtmp_url, "rtmps://")) && !config->audio_only));
	for(const char *p = config->rtmp_url; *p; p++)
		CHECK(*p > 0x20 && *p < 0x7f);
	CHECK(memchr(config->watermark_url, '\0', sizeof config->watermark_url) != NULL);
	CHECK(config->watermark_url[0] == '\0' || g_str_has_prefix(config->watermark_url, "http://") ||
		g_str_has_prefix(config->watermark_url, "https://") || g_str_has_prefix(config->watermark_url, "data:"));
	CHECK(config->watermark_width >= 0 && config->watermark_width <= 1920);
	CHECK(config->watermark_height >= 0 && config->watermark_height <= 1920);
	const char *format = rtk_recording_config_format(config);
	CHECK(!strcmp(format, "mp4") || !strcmp(format, "webm") || !strcmp(format, "m4a") || !strcmp(format, "mp3"));
}

/* The REST-only storage_config, on any "storage_config" of the body: a
 * success has a supported type and every required field; a refusal leaves
 * the config as it was; the shown form never holds the credentials. */
static void check_storage(const json_t *body) {
	rtk_recording_config config;
	rtk_refusal why;
	rtk_recording_config_default(&config);
	const json_t *storage = json_is_object(body) ? json_object_get(body, "storage_config") : body;
	if(rtk_recording_config_parse_storage(storage, &config, &why)) {
		if(storage == NULL || json_is_null(storage)) {
			CHECK(config.storage.type[0] == '\0');
			return;
		}
		CHECK(!strcmp(config.storage.type, "aws") || !strcmp(config.storage.type, "digitalocean"));
		CHECK(config.storage.bucket[0] && config.storage.region[0] && config.storage.access_key[0] &&
			config.storage.secret[0]);
		json_t *shown = rtk_recording_config_storage_json(&config, FALSE);
		CHECK(shown != NULL && json_object_get(shown, "secret") == NULL && json_object_get(shown, "access_key") == NULL);
		json_decref(shown);
	} else {
		CHECK(config.storage.type[0] == '\0');
		CHECK(!strcmp(why.code, RTK_ERR_RECORDING_CONFIG));
	}
}

/* What the handlers do next with the fields, where that code is free of
 * Janus: the view rules, and the offer rules over a fixed offer. */
static void drive_consumers(const rtk_request *req) {
	rtk_view view;
	rtk_refusal why;
	rtk_view_init(&view, NULL);
	switch(req->kind) {
		case RTK_REQ_SET_VIEW_MODE:
			rtk_view_set_mode(&view, req->view_mode);
			CHECK(view.mode == req->view_mode);
			CHECK(view.page == (req->view_mode == RTK_VIEW_PAGINATED ? 1u : 0u));
			break;
		case RTK_REQ_SET_PAGE:
			rtk_view_set_mode(&view, RTK_VIEW_PAGINATED);
			for(guint candidates = 0; candidates < 30; candidates += 7) {
				memset(&why, 0, sizeof why);
				if(rtk_view_set_page(&view, req->page, candidates, &why))
					CHECK(view.page >= 1 && (gint64)view.page == req->page);
				else
					CHECK(why.code != NULL && !strcmp(why.code, RTK_ERR_BAD_REQUEST));
				json_t *event = rtk_view_mode_event(&view, candidates);
				CHECK(json_is_object(event));
				json_decref(event);
			}
			break;
		case RTK_REQ_SET_MAX_ACTIVE:
			rtk_view_set_max_active(&view, req->count);
			CHECK(view.max_active >= RTK_VIEW_MAX_ACTIVE_MIN && view.max_active <= RTK_VIEW_MAX_ACTIVE_MAX);
			break;
		case RTK_REQ_PUBLISH: {
			/* A browser's offer: microphone, camera, screenshare (mids 0, 1, 2). */
			rtk_offer_mline lines[4] = {
				{ .media = RTK_OFFER_AUDIO, .port = 9, .sends = TRUE, .mid = "0", .has_codec = TRUE },
				{ .media = RTK_OFFER_VIDEO, .port = 9, .sends = TRUE, .mid = "1", .has_codec = TRUE },
				{ .media = RTK_OFFER_VIDEO, .port = 9, .sends = TRUE, .mid = "2", .has_codec = TRUE },
				{ .media = RTK_OFFER_OTHER, .port = 9, .sends = TRUE, .mid = "3", .has_codec = TRUE },
			};
			const gboolean allowed[RTK_MEDIA_KINDS] = { TRUE, TRUE, TRUE };
			rtk_offer_plan(lines, G_N_ELEMENTS(lines), req->descriptions, allowed);
			/* Whatever the descriptions say: the microphone, the first video
			 * line, the second unless described as the same kind. */
			CHECK(lines[0].accept && lines[0].kind == RTK_MEDIA_AUDIO);
			CHECK(lines[1].accept && lines[1].kind != RTK_MEDIA_AUDIO && lines[2].kind != RTK_MEDIA_AUDIO);
			CHECK(lines[2].accept == (lines[2].kind != lines[1].kind));
			CHECK(!lines[3].accept);
			break;
		}
		default:
			break;
	}
}

/* chat.sendMessage / editMessage: the content read is the body's "message". */
static void check_chat_message(const json_t *body, const rtk_chat_request *chat) {
	const json_t *message = json_object_get(body, "message");
	const char *type = json_string_value(json_object_get(message, "type"));
	CHECK(json_is_object(message) && type != NULL);
	if(chat->content.kind == RTK_CHAT_TEXT) {
		CHECK(!strcmp(type, "text"));
		CHECK(chat->content.text == json_string_value(json_object_get(message, "message")));
	} else {
		CHECK(!strcmp(type, chat->content.kind == RTK_CHAT_IMAGE ? "image" : "file"));
		CHECK(chat->file_id != NULL && chat->file_id == json_string_value(json_object_get(message, "fileId")));
	}
}

static void check_fields(const json_t *body, rtk_request_handle on, const rtk_request *req) {
	static const char *media_keys[RTK_MEDIA_KINDS] = { "audio", "video", "screenshare" };
	switch(req->kind) {
		case RTK_REQ_JOIN:
			check_flag(body, "origin", FALSE, req->origin);
			break;
		case RTK_REQ_PUBLISH:
			CHECK(req->descriptions == json_object_get(body, "descriptions"));
			break;
		case RTK_REQ_CONFIGURE:
			for(int kind = 0; kind < RTK_MEDIA_KINDS; kind++) {
				const json_t *v = json_object_get(body, media_keys[kind]);
				if(on != RTK_REQUEST_ON_MAIN || v == NULL)
					CHECK(req->media[kind] == -1);
				else
					CHECK(json_is_boolean(v) && req->media[kind] == json_is_true(v));
			}
			if(on == RTK_REQUEST_ON_SUBSCRIBER) {
				const json_t *s = json_object_get(body, "substream"), *t = json_object_get(body, "temporal");
				CHECK(req->mid == json_string_value(json_object_get(body, "mid")));
				CHECK(s ? json_is_integer(s) && req->substream == json_integer_value(s) : req->substream == -1);
				CHECK(t ? json_is_integer(t) && req->temporal == json_integer_value(t) : req->temporal == -1);
			} else {
				CHECK(req->mid == NULL && req->substream == -1 && req->temporal == -1);
			}
			break;
		case RTK_REQ_ACCEPT_WAITING:
		case RTK_REQ_REJECT_WAITING:
			check_target(body, "id", req->target);
			break;
		case RTK_REQ_DISABLE_AUDIO:
		case RTK_REQ_DISABLE_VIDEO:
		case RTK_REQ_DISABLE_SCREENSHARE:
			check_target(body, "participantId", req->target);
			check_flag(body, "allowUnmute", TRUE, req->allow_unmute);
			break;
		case RTK_REQ_DISABLE_ALL_AUDIO:
		case RTK_REQ_DISABLE_ALL_VIDEO:
			check_flag(body, "allowUnmute", FALSE, req->allow_unmute);
			break;
		case RTK_REQ_KICK:
		case RTK_REQ_PIN:
		case RTK_REQ_UNPIN:
			check_target(body, "participantId", req->target);
			break;
		case RTK_REQ_UPDATE_PERMISSIONS:
			check_id_list(body, "participantIds", req->ids);
			CHECK(json_is_object(req->permissions) && req->permissions == json_object_get(body, "permissions"));
			break;
		case RTK_REQ_STAGE_GRANT:
		case RTK_REQ_STAGE_DENY:
		case RTK_REQ_STAGE_KICK:
			check_id_list(body, "userIds", req->ids);
			break;
		case RTK_REQ_CHAT_SEND:
		case RTK_REQ_CHAT_EDIT:
			check_chat_message(body, &req->chat);
			if(req->kind == RTK_REQ_CHAT_SEND) {
				CHECK(!(req->chat.participant_ids != NULL && req->chat.channel_id != NULL));
				if(req->chat.participant_ids != NULL)
					check_id_list(body, "participantIds", req->chat.participant_ids);
			} else {
				check_target(body, "messageId", req->chat.message_id);
			}
			break;
		case RTK_REQ_CHAT_GET_MESSAGES:
			CHECK(req->chat.size >= 1 && req->chat.size <= RTK_CHAT_PAGE_MAX);
			CHECK(req->chat.offset >= 0 && req->chat.timestamp >= -1);
			break;
		case RTK_REQ_CHAT_SEARCH:
			CHECK(req->chat.query != NULL && req->chat.query[0] != '\0' && strlen(req->chat.query) <= RTK_CHAT_QUERY_MAX);
			CHECK(req->chat.size >= 1 && req->chat.size <= RTK_CHAT_PAGE_MAX);
			break;
		case RTK_REQ_CHAT_CREATE_CHANNEL:
			CHECK(req->chat.name != NULL && json_is_array(req->chat.member_ids));
			CHECK(req->chat.visibility == NULL || !strcmp(req->chat.visibility, "public") ||
				!strcmp(req->chat.visibility, "private"));
			break;
		case RTK_REQ_SET_VIEW_MODE: {
			const char *mode = json_string_value(json_object_get(body, "viewMode"));
			CHECK(mode != NULL && !strcmp(mode, req->view_mode == RTK_VIEW_PAGINATED ? "PAGINATED" : "ACTIVE_GRID"));
			break;
		}
		case RTK_REQ_SET_PAGE:
			CHECK(req->page == json_integer_value(json_object_get(body, "page")));
			break;
		case RTK_REQ_SET_MAX_ACTIVE:
			CHECK(req->count == json_integer_value(json_object_get(body, "count")));
			break;
		case RTK_REQ_RECORDING_START:
			check_flag(body, "allowMultiple", FALSE, req->allow_multiple);
			check_config(&req->config);
			break;
		case RTK_REQ_RECORDING_STOP:
		case RTK_REQ_RECORDING_PAUSE:
		case RTK_REQ_RECORDING_RESUME:
			CHECK(req->recording_id == json_string_value(json_object_get(body, "id")));
			break;
		case RTK_REQ_BROADCAST_MESSAGE: {
			const json_t *type = json_object_get(body, "type");
			CHECK(req->message_type != NULL && req->message_type == json_string_value(type));
			CHECK(json_string_length(type) > 0 && json_string_length(type) <= RTK_BROADCAST_TYPE_MAX);
			CHECK(json_is_object(req->payload) && req->payload == json_object_get(body, "payload"));
			char *text = json_dumps(req->payload, JSON_COMPACT);
			CHECK(text != NULL && strlen(text) <= RTK_BROADCAST_PAYLOAD_MAX);
			free(text);
			CHECK(req->ids == NULL || req->preset_name == NULL);
			if(json_object_get(body, "participantIds") != NULL)
				check_id_list(body, "participantIds", req->ids);
			else
				CHECK(req->ids == NULL);
			CHECK(req->preset_name == json_string_value(json_object_get(body, "presetName")));
			CHECK(req->preset_name == NULL || req->preset_name[0] != '\0');
			if(json_object_get(body, "meetingIds") != NULL)
				check_id_list(body, "meetingIds", req->meeting_ids);
			else
				CHECK(req->meeting_ids == NULL);
			CHECK(req->ids == NULL || req->meeting_ids == NULL);
			break;
		}
		case RTK_REQ_POLL_CREATE: {
			CHECK(req->question != NULL && req->question == json_string_value(json_object_get(body, "question")));
			CHECK(json_is_array(req->options) && req->options == json_object_get(body, "options"));
			size_t i;
			const json_t *option;
			json_array_foreach(req->options, i, option)
				CHECK(json_is_string(option));
			check_flag(body, "anonymous", FALSE, req->anonymous);
			check_flag(body, "hideVotes", FALSE, req->hide_votes);
			break;
		}
		case RTK_REQ_POLL_VOTE:
			CHECK(req->poll_id != NULL && req->poll_id[0] != '\0' &&
				req->poll_id == json_string_value(json_object_get(body, "pollId")));
			CHECK(json_is_integer(json_object_get(body, "index")) &&
				req->index == json_integer_value(json_object_get(body, "index")));
			break;
		case RTK_REQ_SET_BROADCAST_TABS:
			CHECK(json_is_boolean(json_object_get(body, "enabled")) &&
				req->enabled == json_is_true(json_object_get(body, "enabled")));
			break;
		case RTK_REQ_SET_ACTIVE_TAB: {
			const json_t *tab = json_object_get(body, "tab");
			const json_t *id = json_object_get(tab, "id");
			CHECK(req->tab_type != NULL && req->tab_type == json_string_value(json_object_get(tab, "type")));
			CHECK(req->tab_type[0] != '\0' && json_string_length(json_object_get(tab, "type")) <= RTK_TAB_TYPE_MAX);
			CHECK(req->tab_id == json_string_value(id));
			CHECK(id == NULL || json_is_null(id) || json_string_length(id) <= RTK_TAB_ID_MAX);
			break;
		}
		case RTK_REQ_CONNECTED_CREATE:
		case RTK_REQ_CONNECTED_UPDATE:
			CHECK(json_is_array(req->connected.meetings) &&
				req->connected.meetings == json_object_get(body, "meetings"));
			break;
		case RTK_REQ_CONNECTED_DELETE:
			check_id_list(body, "meetingIds", req->connected.meeting_ids);
			break;
		case RTK_REQ_CONNECTED_MOVE_PRESET: {
			const char *name = req->connected.preset_name, *id = req->connected.preset_id;
			CHECK((name == NULL) != (id == NULL));
			if(name != NULL)
				check_target(body, "presetName", name);
			else
				check_target(body, "presetId", id);
		}
			/* fall through */
		case RTK_REQ_CONNECTED_MOVE:
			check_target(body, "sourceMeetingId", req->connected.source);
			check_target(body, "destinationMeetingId", req->connected.destination);
			check_id_list(body, "participantIds", req->connected.participant_ids);
			break;
		default:
			break;
	}
	/* Fields of other requests stay unset. */
	if(req->kind != RTK_REQ_PUBLISH)
		CHECK(req->descriptions == NULL);
	if(req->kind != RTK_REQ_UPDATE_PERMISSIONS && req->kind != RTK_REQ_STAGE_GRANT &&
			req->kind != RTK_REQ_STAGE_DENY && req->kind != RTK_REQ_STAGE_KICK &&
			req->kind != RTK_REQ_BROADCAST_MESSAGE)
		CHECK(req->ids == NULL);
	if(req->kind != RTK_REQ_BROADCAST_MESSAGE)
		CHECK(req->message_type == NULL && req->payload == NULL && req->preset_name == NULL &&
			req->meeting_ids == NULL);
	if(req->kind != RTK_REQ_POLL_CREATE)
		CHECK(req->question == NULL && req->options == NULL && !req->anonymous && !req->hide_votes);
	if(req->kind != RTK_REQ_POLL_VOTE)
		CHECK(req->poll_id == NULL && req->index == 0);
	if(req->kind != RTK_REQ_SET_BROADCAST_TABS && req->kind != RTK_REQ_PLUGIN_VIEW_MODE)
		CHECK(!req->enabled);
	if(req->kind != RTK_REQ_SET_ACTIVE_TAB)
		CHECK(req->tab_type == NULL && req->tab_id == NULL);
	if(req->kind != RTK_REQ_CONNECTED_CREATE && req->kind != RTK_REQ_CONNECTED_UPDATE)
		CHECK(req->connected.meetings == NULL);
	if(req->kind != RTK_REQ_CONNECTED_DELETE)
		CHECK(req->connected.meeting_ids == NULL);
	if(req->kind != RTK_REQ_CONNECTED_MOVE && req->kind != RTK_REQ_CONNECTED_MOVE_PRESET)
		CHECK(req->connected.source == NULL && req->connected.destination == NULL &&
			req->connected.participant_ids == NULL);
	if(req->kind != RTK_REQ_CONNECTED_MOVE_PRESET)
		CHECK(req->connected.preset_name == NULL && req->connected.preset_id == NULL);
	gboolean plugin_kind = req->kind == RTK_REQ_PLUGIN_ACTIVATE || req->kind == RTK_REQ_PLUGIN_DEACTIVATE ||
		req->kind == RTK_REQ_PLUGIN_SEND_DATA || req->kind == RTK_REQ_PLUGIN_SET_STATE ||
		req->kind == RTK_REQ_PLUGIN_VIEW_MODE;
	if(plugin_kind) {
		CHECK(req->plugin_id != NULL && req->plugin_id[0] != '\0' && strlen(req->plugin_id) <= RTK_PLUGIN_ID_MAX);
		CHECK(req->plugin_id == json_string_value(json_object_get(body, "pluginId")));
	} else {
		CHECK(req->plugin_id == NULL);
	}
	if(req->kind == RTK_REQ_PLUGIN_SEND_DATA)
		CHECK(json_is_object(req->plugin_data));
	else
		CHECK(req->plugin_data == NULL);
	if(req->kind == RTK_REQ_PLUGIN_SET_STATE)
		CHECK(req->state_key != NULL && req->state_value == json_object_get(body, "value"));
	else
		CHECK(req->state_key == NULL && req->state_value == NULL);
}

static void check_one(const json_t *body, rtk_request_handle on) {
	rtk_request req, again;
	const char *name = json_string_value(json_object_get(body, "request"));
	gboolean known = rtk_request_parse(body, on, &req);
	CHECK(rtk_request_parse(body, on, &again) == known);
	CHECK(memcmp(&req, &again, sizeof req) == 0);
	if(!known) {
		CHECK(req.error.code != NULL);
		check_message(&req.error);
		if(!json_is_object(body) || name == NULL) {
			CHECK(!strcmp(req.error.code, RTK_ERR_BAD_REQUEST));
		} else {
			CHECK(!strcmp(req.error.code, RTK_ERR_UNKNOWN_REQUEST));
			for(int kind = 0; kind < RTK_REQ_COUNT; kind++)
				CHECK(strcmp(rtk_request_name(kind), name) != 0);
		}
		return;
	}
	CHECK(json_is_object(body) && name != NULL && req.name == name);
	CHECK((unsigned)req.kind < RTK_REQ_COUNT && !strcmp(rtk_request_name(req.kind), name));
	if(req.error.code != NULL) {
		CHECK(!strcmp(req.error.code, RTK_ERR_BAD_REQUEST) ||
			(req.kind == RTK_REQ_RECORDING_START && !strcmp(req.error.code, RTK_ERR_RECORDING_CONFIG)));
		check_message(&req.error);
		return;
	}
	check_fields(body, on, &req);
	drive_consumers(&req);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	json_t *body = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	if(body == NULL)
		return 0;
	char *before = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
	for(int on = RTK_REQUEST_ON_NEW; on <= RTK_REQUEST_ON_SUBSCRIBER; on++)
		check_one(body, (rtk_request_handle)on);
	check_storage(body);
	char *after = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
	CHECK(before != NULL && after != NULL && !strcmp(before, after));
	free(before);
	free(after);
	json_decref(body);
	return 0;
}
