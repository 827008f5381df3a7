/*
 * request_parse.c - reading signalling request bodies (request_parse.h).
 *
 * Each request's fields are checked in the order its handler always
 * checked them, with the same codes and messages: the first wrong field is
 * the one answered.
 */
#include <stdlib.h>
#include <string.h>
#include "request_parse.h"

static const char *const request_names[RTK_REQ_COUNT] = {
	[RTK_REQ_JOIN] = "join",
	[RTK_REQ_PUBLISH] = "publish",
	[RTK_REQ_UNPUBLISH] = "unpublish",
	[RTK_REQ_CONFIGURE] = "configure",
	[RTK_REQ_LEAVE] = "leave",
	[RTK_REQ_SUBSCRIBE] = "subscribe",
	[RTK_REQ_START] = "start",
	[RTK_REQ_ACCEPT_WAITING] = "participants.acceptWaitingRoomRequest",
	[RTK_REQ_ACCEPT_ALL_WAITING] = "participants.acceptAllWaitingRoomRequest",
	[RTK_REQ_REJECT_WAITING] = "participants.rejectWaitingRoomRequest",
	[RTK_REQ_DISABLE_ALL_AUDIO] = "participants.disableAllAudio",
	[RTK_REQ_DISABLE_ALL_VIDEO] = "participants.disableAllVideo",
	[RTK_REQ_KICK_ALL] = "participants.kickAll",
	[RTK_REQ_UPDATE_PERMISSIONS] = "participants.updatePermissions",
	[RTK_REQ_DISABLE_AUDIO] = "participant.disableAudio",
	[RTK_REQ_DISABLE_VIDEO] = "participant.disableVideo",
	[RTK_REQ_DISABLE_SCREENSHARE] = "participant.disableScreenShare",
	[RTK_REQ_KICK] = "participant.kick",
	[RTK_REQ_PIN] = "participant.pin",
	[RTK_REQ_UNPIN] = "participant.unpin",
	[RTK_REQ_STAGE_REQUEST] = "stage.requestAccess",
	[RTK_REQ_STAGE_CANCEL] = "stage.cancelRequestAccess",
	[RTK_REQ_STAGE_GRANT] = "stage.grantAccess",
	[RTK_REQ_STAGE_DENY] = "stage.denyAccess",
	[RTK_REQ_STAGE_JOIN] = "stage.join",
	[RTK_REQ_STAGE_LEAVE] = "stage.leave",
	[RTK_REQ_STAGE_KICK] = "stage.kick",
	[RTK_REQ_STAGE_REQUESTS] = "stage.getAccessRequests",
	[RTK_REQ_SET_VIEW_MODE] = "participants.setViewMode",
	[RTK_REQ_SET_PAGE] = "participants.setPage",
	[RTK_REQ_SET_MAX_ACTIVE] = "participants.setMaxActiveParticipantsCount",
	[RTK_REQ_MEETING_END] = "meeting.end",
	[RTK_REQ_RECORDING_START] = "recording.start",
	[RTK_REQ_RECORDING_STOP] = "recording.stop",
	[RTK_REQ_RECORDING_PAUSE] = "recording.pause",
	[RTK_REQ_RECORDING_RESUME] = "recording.resume",
	[RTK_REQ_LIVESTREAM_START] = "livestream.start",
	[RTK_REQ_LIVESTREAM_STOP] = "livestream.stop",
	[RTK_REQ_SYNC] = "sync",
	[RTK_REQ_BROADCAST_MESSAGE] = "participants.broadcastMessage",
	[RTK_REQ_CHAT_SEND] = "chat.sendMessage",
	[RTK_REQ_CHAT_EDIT] = "chat.editMessage",
	[RTK_REQ_CHAT_DELETE] = "chat.deleteMessage",
	[RTK_REQ_CHAT_PIN] = "chat.pin",
	[RTK_REQ_CHAT_UNPIN] = "chat.unpin",
	[RTK_REQ_CHAT_GET_MESSAGES] = "chat.getMessages",
	[RTK_REQ_CHAT_SEARCH] = "chat.searchMessages",
	[RTK_REQ_CHAT_CREATE_CHANNEL] = "chat.createChannel",
	[RTK_REQ_CHAT_UPDATE_CHANNEL] = "chat.updateChannel",
	[RTK_REQ_CHAT_CHANNEL_MEMBERS] = "chat.getChannelMembers",
	[RTK_REQ_CHAT_MARK_READ] = "chat.markLastReadMessage",
	[RTK_REQ_PREJOIN] = "participants.getParticipantsInMeetingPreJoin",
	[RTK_REQ_POLL_CREATE] = "polls.create",
	[RTK_REQ_POLL_VOTE] = "polls.vote",
	[RTK_REQ_SET_BROADCAST_TABS] = "meta.setBroadcastTabChanges",
	[RTK_REQ_SET_ACTIVE_TAB] = "meta.setSelfActiveTab",
	[RTK_REQ_CONNECTED_GET] = "connectedMeetings.getConnectedMeetings",
	[RTK_REQ_CONNECTED_CREATE] = "connectedMeetings.createMeetings",
	[RTK_REQ_CONNECTED_UPDATE] = "connectedMeetings.updateMeetings",
	[RTK_REQ_CONNECTED_DELETE] = "connectedMeetings.deleteMeetings",
	[RTK_REQ_CONNECTED_MOVE] = "connectedMeetings.moveParticipants",
	[RTK_REQ_CONNECTED_MOVE_PRESET] = "connectedMeetings.moveParticipantsWithCustomPreset",
	[RTK_REQ_PLUGINS_LIST] = "plugins.list",
	[RTK_REQ_PLUGIN_ACTIVATE] = "plugins.activate",
	[RTK_REQ_PLUGIN_DEACTIVATE] = "plugins.deactivate",
	[RTK_REQ_PLUGIN_SEND_DATA] = "plugins.sendData",
	[RTK_REQ_PLUGIN_SET_STATE] = "plugins.setState",
	[RTK_REQ_PLUGIN_VIEW_MODE] = "plugins.toggleViewMode",
};

const char *rtk_request_name(rtk_request_kind kind) {
	return (unsigned)kind < RTK_REQ_COUNT ? request_names[kind] : NULL;
}

/* Field `key`: a required non-empty string. */
static gboolean request_parse_string(const json_t *body, const char *key, const char **out, rtk_refusal *error) {
	*out = json_string_value(json_object_get(body, key));
	if(*out == NULL || **out == '\0') {
		*out = NULL;
		rtk_refusal_set(error, RTK_ERR_BAD_REQUEST, "field '%s' (a participant id string) is required", key);
		return FALSE;
	}
	return TRUE;
}

/* join's optional "name": absent or null is no name; else a non-empty
 * string of at most RTK_DISPLAY_NAME_MAX bytes. */
static void request_parse_display_name(const json_t *body, rtk_request *req) {
	const json_t *name = json_object_get(body, "name");
	if(name == NULL || json_is_null(name))
		return;
	if(!json_is_string(name) || json_string_length(name) == 0 || json_string_length(name) > RTK_DISPLAY_NAME_MAX) {
		rtk_refusal_set(&req->error, RTK_ERR_BAD_REQUEST, "field 'name' must be a non-empty string of at most %d bytes",
			RTK_DISPLAY_NAME_MAX);
		return;
	}
	req->display_name = json_string_value(name);
}

/* Field `key`: a required non-empty array of strings. */
static gboolean request_parse_id_list(const json_t *body, const char *key, const json_t **out, rtk_refusal *error) {
	const json_t *list = json_object_get(body, key);
	size_t i;
	const json_t *id;
	gboolean ok = json_is_array(list) && json_array_size(list) > 0;
	json_array_foreach(list, i, id)
		ok = ok && json_is_string(id);
	if(!ok) {
		rtk_refusal_set(error, RTK_ERR_BAD_REQUEST, "field '%s' (a non-empty array of id strings) is required", key);
		return FALSE;
	}
	*out = list;
	return TRUE;
}

/* Field `key`: an optional boolean, `fallback` when absent. */
static gboolean request_parse_flag(const json_t *body, const char *key, gboolean fallback, gboolean *out,
		rtk_refusal *error) {
	const json_t *value = json_object_get(body, key);
	if(value != NULL && !json_is_boolean(value)) {
		rtk_refusal_set(error, RTK_ERR_BAD_REQUEST, "field '%s' must be a boolean", key);
		return FALSE;
	}
	*out = value ? json_is_true(value) : fallback;
	return TRUE;
}

/* configure on a main handle: media on/off. */
static void request_parse_configure_media(const json_t *body, rtk_request *req) {
	static const char *keys[RTK_MEDIA_KINDS] = { "audio", "video", "screenshare" };
	for(int kind = 0; kind < RTK_MEDIA_KINDS; kind++) {
		const json_t *value = json_object_get(body, keys[kind]);
		if(value != NULL && !json_is_boolean(value)) {
			rtk_refusal_set(&req->error, RTK_ERR_BAD_REQUEST, "field '%s' must be a boolean", keys[kind]);
			return;
		}
		req->media[kind] = value == NULL ? -1 : json_is_true(value);
	}
}

/* configure on a subscriber handle: simulcast layers of one stream. */
static void request_parse_configure_layers(const json_t *body, rtk_request *req) {
	const json_t *substream = json_object_get(body, "substream");
	const json_t *temporal = json_object_get(body, "temporal");
	req->mid = json_string_value(json_object_get(body, "mid"));
	if((substream && !json_is_integer(substream)) || (temporal && !json_is_integer(temporal))) {
		rtk_refusal_set(&req->error, RTK_ERR_BAD_REQUEST, "fields 'substream' and 'temporal' must be integers 0-2");
		return;
	}
	req->substream = substream ? json_integer_value(substream) : -1;
	req->temporal = temporal ? json_integer_value(temporal) : -1;
}

static void request_parse_recording_start(const json_t *body, rtk_request *req) {
	if(!request_parse_flag(body, "allowMultiple", FALSE, &req->allow_multiple, &req->error))
		return;
	rtk_recording_config_default(&req->config);
	if(!rtk_recording_config_parse(json_object_get(body, "config"), &req->config, &req->error))
		return;
	if(req->config.rtmp_url[0] != '\0')   /* the server would push the meeting where a participant says */
		rtk_refusal_set(&req->error, RTK_ERR_RECORDING_CONFIG,
			"live_streaming_config needs the REST API with the API key");
	else if(req->config.watermark_url[0] != '\0' && !g_str_has_prefix(req->config.watermark_url, "data:"))
		/* the recorder would fetch a URL a participant chose, from inside the deployment's network */
		rtk_refusal_set(&req->error, RTK_ERR_RECORDING_CONFIG,
			"a participant's watermark must be a data: URI; an http(s) one needs the REST API with the API key");
}

static void request_parse_recording_id(const json_t *body, rtk_request *req) {
	const json_t *id = json_object_get(body, "id");
	if(id != NULL && !json_is_null(id) && !json_is_string(id)) {
		rtk_refusal_set(&req->error, RTK_ERR_BAD_REQUEST,
			"field 'id' must be a recording id string (or absent: all recordings)");
		return;
	}
	req->recording_id = json_string_value(id);
}

/* The compact JSON size of `value`, in bytes (0 when it cannot be encoded). */
static size_t request_parse_json_size(const json_t *value) {
	char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
	size_t size = text ? strlen(text) : 0;
	free(text);
	return size;
}

/* participants.broadcastMessage: {type, payload, participantIds? | presetName?}. */
static void request_parse_broadcast(const json_t *body, rtk_request *req) {
	const json_t *type = json_object_get(body, "type");
	if(!json_is_string(type) || json_string_length(type) == 0 || json_string_length(type) > RTK_BROADCAST_TYPE_MAX) {
		rtk_refusal_set(&req->error, RTK_ERR_BAD_REQUEST, "field 'type' must be a non-empty string of at most %d bytes",
			RTK_BROADCAST_TYPE_MAX);
		return;
	}
	const json_t *payload = json_object_get(body, "payload");
	if(!json_is_object(payload) || request_parse_json_size(payload) > RTK_BROADCAST_PAYLOAD_MAX) {
		rtk_refusal_set(&req->error, RTK_ERR_BAD_REQUEST, "field 'payload' must be an object of at most %d bytes as JSON",
			RTK_BROADCAST_PAYLOAD_MAX);
		return;
	}
	const json_t *ids = json_object_get(body, "participantIds");
	const json_t *preset = json_object_get(body, "presetName");
	const json_t *meetings = json_object_get(body, "meetingIds");
	if(ids != NULL && (preset != NULL || meetings != NULL)) {
		rtk_refusal_set(&req->error, RTK_ERR_BAD_REQUEST, "give 'participantIds' or '%s', not both",
			preset != NULL ? "presetName" : "meetingIds");
		return;
	}
	if(ids != NULL && !request_parse_id_list(body, "participantIds", &req->ids, &req->error))
		return;
	if(meetings != NULL && !request_parse_id_list(body, "meetingIds", &req->meeting_ids, &req->error))
		return;
	if(preset != NULL && (!json_is_string(preset) || json_string_length(preset) == 0)) {
		rtk_refusal_set(&req->error, RTK_ERR_BAD_REQUEST, "field 'presetName' must be a non-empty string");
		return;
	}
	req->message_type = json_string_value(type);
	req->payload = payload;
	req->preset_name = json_string_value(preset);
}

/* ---- chat.* ---- */

/* Field `key`: an optional string (absent or null: NULL); `required` makes
 * it a required non-empty one. */
static gboolean request_parse_text(const json_t *body, const char *key, gboolean required, const char **out,
		rtk_refusal *error) {
	const json_t *value = json_object_get(body, key);
	*out = NULL;
	if(!required && (value == NULL || json_is_null(value)))
		return TRUE;
	if(!json_is_string(value) || (required && json_string_length(value) == 0)) {
		rtk_refusal_set(error, RTK_ERR_BAD_REQUEST, required ? "field '%s' (a non-empty string) is required" :
			"field '%s' must be a string", key);
		return FALSE;
	}
	*out = json_string_value(value);
	return TRUE;
}

/* Field `key`: an optional integer in [min, max], `fallback` when absent. */
static gboolean request_parse_int(const json_t *body, const char *key, gint64 min, gint64 max, gint64 fallback,
		gint64 *out, rtk_refusal *error) {
	const json_t *value = json_object_get(body, key);
	*out = fallback;
	if(value == NULL || json_is_null(value))
		return TRUE;
	if(!json_is_integer(value) || json_integer_value(value) < min || json_integer_value(value) > max) {
		rtk_refusal_set(error, RTK_ERR_BAD_REQUEST, "field '%s' must be an integer from %" G_GINT64_FORMAT
			" to %" G_GINT64_FORMAT, key, min, max);
		return FALSE;
	}
	*out = json_integer_value(value);
	return TRUE;
}

/* "message": {type: "text", message} or {type: "image"|"file", fileId}.
 * Lengths are the chat model's to check (0503). */
static gboolean request_parse_chat_message(const json_t *body, rtk_chat_request *chat, rtk_refusal *error) {
	const json_t *message = json_object_get(body, "message");
	const char *type = json_string_value(json_object_get(message, "type"));
	if(!json_is_object(message) || type == NULL) {
		rtk_refusal_set(error, RTK_ERR_BAD_REQUEST, "field 'message' must be an object with a string 'type'");
		return FALSE;
	}
	if(!strcmp(type, "text")) {
		chat->content.kind = RTK_CHAT_TEXT;
		if(!json_is_string(json_object_get(message, "message"))) {
			rtk_refusal_set(error, RTK_ERR_BAD_REQUEST, "a text message needs a string 'message'");
			return FALSE;
		}
		chat->content.text = json_string_value(json_object_get(message, "message"));
		return TRUE;
	}
	if(strcmp(type, "image") && strcmp(type, "file")) {
		rtk_refusal_set(error, RTK_ERR_BAD_REQUEST, "message type must be 'text', 'image' or 'file'");
		return FALSE;
	}
	chat->content.kind = !strcmp(type, "image") ? RTK_CHAT_IMAGE : RTK_CHAT_FILE;
	if(!request_parse_text(message, "fileId", TRUE, &chat->file_id, error))
		return FALSE;
	return TRUE;
}

/* A list of ids that may be empty (createChannel's memberIds). */
static gboolean request_parse_member_ids(const json_t *body, gboolean required, const json_t **out,
		rtk_refusal *error) {
	const json_t *list = json_object_get(body, "memberIds");
	*out = NULL;
	if(!required && list == NULL)
		return TRUE;
	gboolean ok = json_is_array(list);
	size_t i;
	const json_t *id;
	json_array_foreach(list, i, id)
		ok = ok && json_is_string(id);
	if(!ok) {
		rtk_refusal_set(error, RTK_ERR_BAD_REQUEST, "field 'memberIds' must be an array of participant id strings");
		return FALSE;
	}
	*out = list;
	return TRUE;
}

static void request_parse_chat(const json_t *body, rtk_request *req) {
	rtk_chat_request *chat = &req->chat;
	rtk_refusal *error = &req->error;
	switch(req->kind) {
		case RTK_REQ_CHAT_SEND:
			if(!request_parse_chat_message(body, chat, error) ||
					!request_parse_text(body, "channelId", FALSE, &chat->channel_id, error))
				return;
			if(json_object_get(body, "participantIds") != NULL && !json_is_null(json_object_get(body, "participantIds"))) {
				if(chat->channel_id != NULL) {
					rtk_refusal_set(error, RTK_ERR_BAD_REQUEST, "give 'participantIds' or 'channelId', not both");
					return;
				}
				request_parse_id_list(body, "participantIds", &chat->participant_ids, error);
			}
			return;
		case RTK_REQ_CHAT_EDIT:
			if(request_parse_text(body, "messageId", TRUE, &chat->message_id, error))
				request_parse_chat_message(body, chat, error);
			return;
		case RTK_REQ_CHAT_DELETE:
		case RTK_REQ_CHAT_PIN:
		case RTK_REQ_CHAT_UNPIN:
			request_parse_text(body, "messageId", TRUE, &chat->message_id, error);
			return;
		case RTK_REQ_CHAT_GET_MESSAGES:
			if(request_parse_int(body, "timestamp", 0, G_MAXINT64, -1, &chat->timestamp, error) &&
					request_parse_int(body, "size", 1, RTK_CHAT_PAGE_MAX, RTK_CHAT_PAGE_DEFAULT, &chat->size, error) &&
					request_parse_int(body, "offset", 0, G_MAXINT32, 0, &chat->offset, error) &&
					request_parse_flag(body, "reversed", TRUE, &chat->reversed, error))
				request_parse_text(body, "channelId", FALSE, &chat->channel_id, error);
			return;
		case RTK_REQ_CHAT_SEARCH:
			if(!request_parse_text(body, "query", TRUE, &chat->query, error) ||
					!request_parse_int(body, "limit", 1, RTK_CHAT_PAGE_MAX, RTK_CHAT_PAGE_DEFAULT, &chat->size, error) ||
					!request_parse_text(body, "channelId", FALSE, &chat->channel_id, error))
				return;
			if(strlen(chat->query) > RTK_CHAT_QUERY_MAX)
				rtk_refusal_set(error, RTK_ERR_BAD_REQUEST, "field 'query' has at most %d bytes", RTK_CHAT_QUERY_MAX);
			return;
		case RTK_REQ_CHAT_CREATE_CHANNEL:
			if(request_parse_text(body, "name", TRUE, &chat->name, error) &&
					request_parse_member_ids(body, TRUE, &chat->member_ids, error) &&
					request_parse_text(body, "displayPictureUrl", FALSE, &chat->picture, error) &&
					request_parse_text(body, "visibility", FALSE, &chat->visibility, error))
				request_parse_flag(body, "isDirectMessage", FALSE, &chat->direct, error);
			if(chat->visibility != NULL && strcmp(chat->visibility, "public") && strcmp(chat->visibility, "private"))
				rtk_refusal_set(error, RTK_ERR_BAD_REQUEST, "field 'visibility' must be 'public' or 'private'");
			return;
		case RTK_REQ_CHAT_UPDATE_CHANNEL:
			if(request_parse_text(body, "channelId", TRUE, &chat->channel_id, error) &&
					request_parse_text(body, "name", FALSE, &chat->name, error))
				request_parse_member_ids(body, FALSE, &chat->member_ids, error);
			return;
		case RTK_REQ_CHAT_CHANNEL_MEMBERS:
			request_parse_text(body, "channelId", TRUE, &chat->channel_id, error);
			return;
		case RTK_REQ_CHAT_MARK_READ:
			if(request_parse_text(body, "channelId", TRUE, &chat->channel_id, error))
				request_parse_text(body, "messageId", TRUE, &chat->message_id, error);
			return;
		default:
			return;
	}
}

/* polls.create: {question, options, anonymous?, hideVotes?}; the limits on
 * lengths and counts are the room model's (0704). */
static void request_parse_poll_create(const json_t *body, rtk_request *req) {
	const json_t *question = json_object_get(body, "question");
	if(!json_is_string(question)) {
		rtk_refusal_set(&req->error, RTK_ERR_BAD_REQUEST, "field 'question' (a string) is required");
		return;
	}
	const json_t *options = json_object_get(body, "options");
	size_t i;
	const json_t *option;
	gboolean ok = json_is_array(options);
	json_array_foreach(options, i, option)
		ok = ok && json_is_string(option);
	if(!ok) {
		rtk_refusal_set(&req->error, RTK_ERR_BAD_REQUEST, "field 'options' (an array of strings) is required");
		return;
	}
	if(!request_parse_flag(body, "anonymous", FALSE, &req->anonymous, &req->error) ||
			!request_parse_flag(body, "hideVotes", FALSE, &req->hide_votes, &req->error)) {
		req->anonymous = req->hide_votes = FALSE;
		return;
	}
	req->question = json_string_value(question);
	req->options = options;
}

/* polls.vote: {pollId, index}. */
static void request_parse_poll_vote(const json_t *body, rtk_request *req) {
	const json_t *poll_id = json_object_get(body, "pollId");
	if(!json_is_string(poll_id) || json_string_length(poll_id) == 0) {
		rtk_refusal_set(&req->error, RTK_ERR_BAD_REQUEST, "field 'pollId' (a poll id string) is required");
		return;
	}
	const json_t *index = json_object_get(body, "index");
	if(!json_is_integer(index)) {
		rtk_refusal_set(&req->error, RTK_ERR_BAD_REQUEST, "field 'index' (the option's index, an integer from 0) is required");
		return;
	}
	req->poll_id = json_string_value(poll_id);
	req->index = json_integer_value(index);
}

/* Field `key`: a required non-empty meeting id string. */
static gboolean request_parse_meeting_id(const json_t *body, const char *key, const char **out, rtk_refusal *error) {
	*out = json_string_value(json_object_get(body, key));
	if(*out == NULL || **out == '\0') {
		*out = NULL;
		rtk_refusal_set(error, RTK_ERR_BAD_REQUEST, "field '%s' (a meeting id string) is required", key);
		return FALSE;
	}
	return TRUE;
}

/* connectedMeetings.*: the fields of each request (see request_parse.h). */
static void request_parse_connected(const json_t *body, rtk_request *req) {
	rtk_refusal *error = &req->error;
	switch(req->kind) {
		case RTK_REQ_CONNECTED_CREATE:
		case RTK_REQ_CONNECTED_UPDATE:
			req->connected.meetings = json_object_get(body, "meetings");
			if(!json_is_array(req->connected.meetings)) {
				req->connected.meetings = NULL;
				rtk_refusal_set(error, RTK_ERR_BAD_REQUEST, "field 'meetings' (an array of {%stitle}) is required",
					req->kind == RTK_REQ_CONNECTED_UPDATE ? "id, " : "");
			}
			return;
		case RTK_REQ_CONNECTED_DELETE:
			request_parse_id_list(body, "meetingIds", &req->connected.meeting_ids, error);
			return;
		case RTK_REQ_CONNECTED_MOVE:
		case RTK_REQ_CONNECTED_MOVE_PRESET:
			if(!request_parse_meeting_id(body, "sourceMeetingId", &req->connected.source, error) ||
					!request_parse_meeting_id(body, "destinationMeetingId", &req->connected.destination, error) ||
					!request_parse_id_list(body, "participantIds", &req->connected.participant_ids, error)) {
				memset(&req->connected, 0, sizeof req->connected);
				return;
			}
			if(req->kind == RTK_REQ_CONNECTED_MOVE)
				return;
			req->connected.preset_name = json_string_value(json_object_get(body, "presetName"));
			req->connected.preset_id = json_string_value(json_object_get(body, "presetId"));
			if((req->connected.preset_name == NULL) == (req->connected.preset_id == NULL) ||
					(req->connected.preset_name != NULL && *req->connected.preset_name == '\0') ||
					(req->connected.preset_id != NULL && *req->connected.preset_id == '\0')) {
				memset(&req->connected, 0, sizeof req->connected);
				rtk_refusal_set(error, RTK_ERR_BAD_REQUEST, "exactly one of 'presetName' and 'presetId' "
					"(a non-empty string) is required");
			}
			return;
		default:
			return;
	}
}

/* Is `value` a string of `min`..`max` bytes without a NUL inside? */
static gboolean request_parse_is_text(const json_t *value, size_t min, size_t max) {
	if(!json_is_string(value))
		return FALSE;
	size_t length = json_string_length(value);
	return length >= min && length <= max && strlen(json_string_value(value)) == length;
}

/* meta.setSelfActiveTab: {tab: {type, id?}}. */
static void request_parse_active_tab(const json_t *body, rtk_request *req) {
	const json_t *tab = json_object_get(body, "tab");
	const json_t *type = json_object_get(tab, "type");
	const json_t *id = json_object_get(tab, "id");
	if(!json_is_object(tab)) {
		rtk_refusal_set(&req->error, RTK_ERR_BAD_REQUEST, "field 'tab' (an object {type, id}) is required");
		return;
	}
	if(!request_parse_is_text(type, 1, RTK_TAB_TYPE_MAX)) {
		rtk_refusal_set(&req->error, RTK_ERR_BAD_REQUEST, "field 'tab.type' must be a non-empty string of at most %d bytes",
			RTK_TAB_TYPE_MAX);
		return;
	}
	if(id != NULL && !json_is_null(id) && !request_parse_is_text(id, 0, RTK_TAB_ID_MAX)) {
		rtk_refusal_set(&req->error, RTK_ERR_BAD_REQUEST, "field 'tab.id' must be a string of at most %d bytes, or null",
			RTK_TAB_ID_MAX);
		return;
	}
	req->tab_type = json_string_value(type);
	req->tab_id = json_string_value(id);
}

/* plugins.*: {pluginId, ...the fields of the request}. */
static void request_parse_plugin(const json_t *body, rtk_request *req) {
	const json_t *id = json_object_get(body, "pluginId");
	if(!json_is_string(id) || json_string_length(id) == 0 || json_string_length(id) > RTK_PLUGIN_ID_MAX) {
		rtk_refusal_set(&req->error, RTK_ERR_BAD_REQUEST, "field 'pluginId' must be a non-empty string of at most %d bytes",
			RTK_PLUGIN_ID_MAX);
		return;
	}
	req->plugin_id = json_string_value(id);
	if(req->kind == RTK_REQ_PLUGIN_SEND_DATA) {
		req->plugin_data = json_object_get(body, "data");
		if(!json_is_object(req->plugin_data))
			rtk_refusal_set(&req->error, RTK_ERR_BAD_REQUEST, "field 'data' (an object) is required");
	} else if(req->kind == RTK_REQ_PLUGIN_SET_STATE) {
		const json_t *key = json_object_get(body, "key");
		if(!json_is_string(key)) {
			rtk_refusal_set(&req->error, RTK_ERR_BAD_REQUEST, "field 'key' (a string) is required");
			return;
		}
		req->state_key = json_string_value(key);
		req->state_value = json_object_get(body, "value");
	} else if(req->kind == RTK_REQ_PLUGIN_VIEW_MODE) {
		if(!json_is_boolean(json_object_get(body, "enabled")))
			rtk_refusal_set(&req->error, RTK_ERR_BAD_REQUEST, "field 'enabled' (a boolean) is required");
		else
			req->enabled = json_is_true(json_object_get(body, "enabled"));
	}
}

/* The fields of `req->kind`. */
static void request_parse_fields(const json_t *body, rtk_request_handle on, rtk_request *req) {
	rtk_refusal *error = &req->error;
	switch(req->kind) {
		case RTK_REQ_JOIN:
			request_parse_display_name(body, req);
			if(error->code == NULL)
				request_parse_flag(body, "origin", FALSE, &req->origin, error);
			break;
		case RTK_REQ_PUBLISH:
			req->descriptions = json_object_get(body, "descriptions");
			break;
		case RTK_REQ_CONFIGURE:
			if(on == RTK_REQUEST_ON_MAIN)
				request_parse_configure_media(body, req);
			else if(on == RTK_REQUEST_ON_SUBSCRIBER
					&& request_parse_flag(body, "restart", FALSE, &req->restart, error)
					&& !req->restart)
				request_parse_configure_layers(body, req);
			break;
		case RTK_REQ_ACCEPT_WAITING:
		case RTK_REQ_REJECT_WAITING:
			request_parse_string(body, "id", &req->target, error);
			break;
		case RTK_REQ_DISABLE_AUDIO:
		case RTK_REQ_DISABLE_VIDEO:
		case RTK_REQ_DISABLE_SCREENSHARE:
			if(request_parse_string(body, "participantId", &req->target, error))
				request_parse_flag(body, "allowUnmute", TRUE, &req->allow_unmute, error);
			break;
		case RTK_REQ_DISABLE_ALL_AUDIO:
		case RTK_REQ_DISABLE_ALL_VIDEO:
			request_parse_flag(body, "allowUnmute", FALSE, &req->allow_unmute, error);
			break;
		case RTK_REQ_KICK:
		case RTK_REQ_PIN:
		case RTK_REQ_UNPIN:
			request_parse_string(body, "participantId", &req->target, error);
			break;
		case RTK_REQ_UPDATE_PERMISSIONS:
			if(!request_parse_id_list(body, "participantIds", &req->ids, error))
				break;
			req->permissions = json_object_get(body, "permissions");
			if(!json_is_object(req->permissions)) {
				req->permissions = NULL;
				rtk_refusal_set(error, RTK_ERR_BAD_REQUEST, "field 'permissions' (an object) is required");
			}
			break;
		case RTK_REQ_STAGE_GRANT:
		case RTK_REQ_STAGE_DENY:
		case RTK_REQ_STAGE_KICK:
			request_parse_id_list(body, "userIds", &req->ids, error);
			break;
		case RTK_REQ_SET_VIEW_MODE:
			if(!rtk_view_parse_mode(json_string_value(json_object_get(body, "viewMode")), &req->view_mode))
				rtk_refusal_set(error, RTK_ERR_BAD_REQUEST, "field 'viewMode' must be \"ACTIVE_GRID\" or \"PAGINATED\"");
			break;
		case RTK_REQ_SET_PAGE: {
			const json_t *page = json_object_get(body, "page");
			if(!json_is_integer(page))
				rtk_refusal_set(error, RTK_ERR_BAD_REQUEST, "field 'page' (an integer from 1) is required");
			else
				req->page = json_integer_value(page);
			break;
		}
		case RTK_REQ_SET_MAX_ACTIVE: {
			const json_t *count = json_object_get(body, "count");
			if(!json_is_integer(count))
				rtk_refusal_set(error, RTK_ERR_BAD_REQUEST, "field 'count' (an integer from 1) is required");
			else
				req->count = json_integer_value(count);
			break;
		}
		case RTK_REQ_RECORDING_START:
			request_parse_recording_start(body, req);
			break;
		case RTK_REQ_BROADCAST_MESSAGE:
			request_parse_broadcast(body, req);
			break;
		case RTK_REQ_CHAT_SEND:
		case RTK_REQ_CHAT_EDIT:
		case RTK_REQ_CHAT_DELETE:
		case RTK_REQ_CHAT_PIN:
		case RTK_REQ_CHAT_UNPIN:
		case RTK_REQ_CHAT_GET_MESSAGES:
		case RTK_REQ_CHAT_SEARCH:
		case RTK_REQ_CHAT_CREATE_CHANNEL:
		case RTK_REQ_CHAT_UPDATE_CHANNEL:
		case RTK_REQ_CHAT_CHANNEL_MEMBERS:
		case RTK_REQ_CHAT_MARK_READ:
			request_parse_chat(body, req);
			break;
		case RTK_REQ_POLL_CREATE:
			request_parse_poll_create(body, req);
			break;
		case RTK_REQ_POLL_VOTE:
			request_parse_poll_vote(body, req);
			break;
		case RTK_REQ_SET_BROADCAST_TABS:
			if(!json_is_boolean(json_object_get(body, "enabled")))
				rtk_refusal_set(error, RTK_ERR_BAD_REQUEST, "field 'enabled' (a boolean) is required");
			else
				req->enabled = json_is_true(json_object_get(body, "enabled"));
			break;
		case RTK_REQ_SET_ACTIVE_TAB:
			request_parse_active_tab(body, req);
			break;
		case RTK_REQ_CONNECTED_CREATE:
		case RTK_REQ_CONNECTED_UPDATE:
		case RTK_REQ_CONNECTED_DELETE:
		case RTK_REQ_CONNECTED_MOVE:
		case RTK_REQ_CONNECTED_MOVE_PRESET:
			request_parse_connected(body, req);
			break;
		case RTK_REQ_PLUGIN_ACTIVATE:
		case RTK_REQ_PLUGIN_DEACTIVATE:
		case RTK_REQ_PLUGIN_SEND_DATA:
		case RTK_REQ_PLUGIN_SET_STATE:
		case RTK_REQ_PLUGIN_VIEW_MODE:
			request_parse_plugin(body, req);
			break;
		case RTK_REQ_RECORDING_STOP:
		case RTK_REQ_RECORDING_PAUSE:
		case RTK_REQ_RECORDING_RESUME:
			request_parse_recording_id(body, req);
			break;
		default:
			/* join, subscribe and the pre-join request carry a token,
			 * which rtk_requests_prepare() hands to the gateway; the
			 * others have no fields. */
			break;
	}
}

gboolean rtk_request_parse(const json_t *body, rtk_request_handle on, rtk_request *req) {
	memset(req, 0, sizeof *req);
	req->kind = RTK_REQ_COUNT;
	req->name = json_string_value(json_object_get(body, "request"));
	if(!json_is_object(body) || req->name == NULL) {
		rtk_refusal_set(&req->error, RTK_ERR_BAD_REQUEST, "body must be a JSON object with a string 'request'");
		return FALSE;
	}
	for(int kind = 0; kind < RTK_REQ_COUNT; kind++)
		if(!strcmp(request_names[kind], req->name))
			req->kind = kind;
	if(req->kind == RTK_REQ_COUNT) {
		rtk_refusal_set(&req->error, RTK_ERR_UNKNOWN_REQUEST, "unknown request '%s'", req->name);
		return FALSE;
	}
	for(int kind = 0; kind < RTK_MEDIA_KINDS; kind++)
		req->media[kind] = -1;
	req->substream = req->temporal = -1;
	request_parse_fields(body, on, req);
	return TRUE;
}
