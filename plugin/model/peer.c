/*
 * peer.c - a participant's presence in a live session (see peer.h).
 */
#include <string.h>
#include "peer.h"

static char *peer_dup_string(const json_t *object, const char *key) {
	const char *value = json_string_value(json_object_get(object, key));
	return value ? g_strdup(value) : NULL;
}

/* Group calls have no stage: everyone is "on stage" and may publish. */
static rtk_stage_status peer_initial_stage(const rtk_permissions *permissions) {
	return permissions->stage_enabled ? RTK_STAGE_OFF_STAGE : RTK_STAGE_ON_STAGE;
}

rtk_peer *rtk_peer_new(const json_t *participant, const json_t *preset, void *transport) {
	const char *user_id = json_string_value(json_object_get(participant, "id"));
	if(user_id == NULL)
		return NULL;
	rtk_peer *peer = g_new0(rtk_peer, 1);
	peer->id = g_uuid_string_random();
	peer->user_id = g_strdup(user_id);
	peer->name = peer_dup_string(participant, "name");
	peer->picture = peer_dup_string(participant, "picture");
	peer->custom_participant_id = peer_dup_string(participant, "custom_participant_id");
	peer->preset_name = peer_dup_string(preset, "name");
	peer->preset_id = peer_dup_string(preset, "id");
	json_t *permissions = json_object_get(preset, "permissions");
	json_t *config = json_object_get(preset, "config");
	peer->permissions_json = json_is_object(permissions) ? json_deep_copy(permissions) : json_object();
	peer->config_json = config ? json_deep_copy(config) : json_object();
	rtk_permissions_parse(&peer->permissions, peer->permissions_json);
	peer->stage = peer_initial_stage(&peer->permissions);
	peer->transport = transport;
	return peer;
}

gboolean rtk_rate_take(rtk_rate *rate, gint64 now_ms, int per_second) {
	if(now_ms - rate->window_ms >= 1000 || now_ms < rate->window_ms) {
		rate->window_ms = now_ms;
		rate->used = 0;
	}
	if(rate->used >= per_second)
		return FALSE;
	rate->used++;
	return TRUE;
}

void rtk_peer_free(rtk_peer *peer) {
	if(peer == NULL)
		return;
	g_free(peer->id);
	g_free(peer->user_id);
	g_free(peer->name);
	g_free(peer->picture);
	g_free(peer->custom_participant_id);
	g_free(peer->preset_name);
	g_free(peer->preset_id);
	json_decref(peer->active_tab);
	json_decref(peer->permissions_json);
	json_decref(peer->config_json);
	g_free(peer);
}

void rtk_peer_set_permissions(rtk_peer *peer, json_t *permissions) {
	json_decref(peer->permissions_json);
	peer->permissions_json = permissions;
	rtk_permissions_parse(&peer->permissions, permissions);
	if(!peer->permissions.stage_enabled)
		peer->stage = RTK_STAGE_ON_STAGE;
}

const char *rtk_peer_media_event(rtk_media_kind kind) {
	static const char *names[RTK_MEDIA_KINDS] = { "audioUpdate", "videoUpdate", "screenShareUpdate" };
	return kind < RTK_MEDIA_KINDS ? names[kind] : NULL;
}

const char *rtk_peer_media_field(rtk_media_kind kind) {
	static const char *names[RTK_MEDIA_KINDS] = { "audioEnabled", "videoEnabled", "screenShareEnabled" };
	return kind < RTK_MEDIA_KINDS ? names[kind] : NULL;
}

const char *rtk_stage_status_name(rtk_stage_status status) {
	switch(status) {
		case RTK_STAGE_OFF_STAGE: return "OFF_STAGE";
		case RTK_STAGE_REQUESTED: return "REQUESTED_TO_JOIN_STAGE";
		case RTK_STAGE_ACCEPTED: return "ACCEPTED_TO_JOIN_STAGE";
		case RTK_STAGE_ON_STAGE: return "ON_STAGE";
		default: return "OFF_STAGE";
	}
}

static json_t *peer_string_or_null(const char *value) {
	return value ? json_string(value) : json_null();
}

json_t *rtk_peer_to_json(const rtk_peer *peer) {
	json_t *object = json_object();
	json_object_set_new(object, "id", json_string(peer->id));
	json_object_set_new(object, "userId", json_string(peer->user_id));
	json_object_set_new(object, "name", peer_string_or_null(peer->name));
	json_object_set_new(object, "picture", peer_string_or_null(peer->picture));
	json_object_set_new(object, "customParticipantId", peer_string_or_null(peer->custom_participant_id));
	json_object_set_new(object, "presetName", peer_string_or_null(peer->preset_name));
	for(int kind = 0; kind < RTK_MEDIA_KINDS; kind++)
		json_object_set_new(object, rtk_peer_media_field(kind), json_boolean(peer->media_enabled[kind]));
	json_object_set_new(object, "stageStatus", json_string(rtk_stage_status_name(peer->stage)));
	json_object_set_new(object, "isPinned", json_boolean(peer->pinned));
	return object;
}

json_t *rtk_peer_self_json(const rtk_peer *peer) {
	json_t *object = rtk_peer_to_json(peer);
	json_object_set(object, "permissions", peer->permissions_json);
	json_object_set(object, "config", peer->config_json);
	json_object_set_new(object, "roomState", json_string(peer->waitlisted ? "waitlisted" : "joined"));
	return object;
}

gboolean rtk_peer_may_publish(const rtk_peer *peer, rtk_media_kind kind, rtk_refusal *why) {
	if((unsigned)kind >= RTK_MEDIA_KINDS) {
		rtk_refusal_set(why, RTK_ERR_MEDIA_NOT_ALLOWED, "unknown media kind %d", (int)kind);
		return FALSE;
	}
	if(peer->media_locked[kind]) {
		rtk_refusal_set(why, RTK_ERR_MEDIA_LOCKED, "a host disabled your %s and did not allow unmuting it",
			rtk_media_kind_name(kind));
		return FALSE;
	}
	return rtk_peer_may_produce(peer, kind, why);
}

gboolean rtk_peer_may_produce(const rtk_peer *peer, rtk_media_kind kind, rtk_refusal *why) {
	if((unsigned)kind >= RTK_MEDIA_KINDS) {
		rtk_refusal_set(why, RTK_ERR_MEDIA_NOT_ALLOWED, "unknown media kind %d", (int)kind);
		return FALSE;
	}
	const char *name = rtk_media_kind_name(kind);
	const rtk_permissions *p = &peer->permissions;
	if(p->stage_enabled && peer->stage != RTK_STAGE_ON_STAGE) {
		rtk_refusal_set(why, RTK_ERR_OFF_STAGE, "you are not on stage (status %s): join the stage to publish %s",
			rtk_stage_status_name(peer->stage), name);
		return FALSE;
	}
	switch(p->produce[kind]) {
		case RTK_PRODUCE_ALLOWED:
			return TRUE;
		case RTK_PRODUCE_CAN_REQUEST:
			if(p->stage_enabled)   /* and ON_STAGE, checked above */
				return TRUE;
			rtk_refusal_set(why, RTK_ERR_MEDIA_NOT_ALLOWED,
				"your preset allows %s only on request (media.%s.can_produce is CAN_REQUEST) and has no stage to grant it", name, name);
			return FALSE;
		case RTK_PRODUCE_NOT_ALLOWED:
		default:
			rtk_refusal_set(why, RTK_ERR_MEDIA_NOT_ALLOWED, "your preset does not allow producing %s (media.%s.can_produce is NOT_ALLOWED)", name, name);
			return FALSE;
	}
}
