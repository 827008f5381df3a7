/*
 * controls.c - what a host does to other participants (see room.h, "host
 * controls"): disable their media, kick them, end the meeting, pin them,
 * change their permissions.
 *
 * Owns the permission each control needs, the events it sends and the
 * changed() notice that lets the glue apply its media consequences. The
 * decision who sees which event stays room_sees's (room.c).
 */
#include "room.h"
#include "room_internal.h"

/* ---- disabling media ---- */

static rtk_action controls_disable_action(rtk_media_kind kind) {
	switch(kind) {
		case RTK_MEDIA_VIDEO: return RTK_ACTION_DISABLE_VIDEO;
		case RTK_MEDIA_SCREENSHARE: return RTK_ACTION_DISABLE_SCREENSHARE;
		case RTK_MEDIA_AUDIO:
		default: return RTK_ACTION_DISABLE_AUDIO;
	}
}

static gboolean controls_may_disable(const rtk_peer *actor, rtk_media_kind kind, rtk_refusal *why) {
	if((unsigned)kind >= RTK_MEDIA_KINDS) {
		rtk_refusal_set(why, RTK_ERR_BAD_REQUEST, "unknown media kind %d", (int)kind);
		return FALSE;
	}
	return room_actor_may(actor, controls_disable_action(kind), why);
}

/* Turns `kind` of `peer` off (others told if it was on), locks it unless
 * `allow_unmute`, tells the peer who did it, then changed(MEDIA). */
static void controls_disable(rtk_room *room, const rtk_peer *actor, rtk_peer *peer, rtk_media_kind kind, gboolean allow_unmute) {
	rtk_room_set_media(room, peer, kind, FALSE);
	peer->media_locked[kind] = !allow_unmute;
	json_t *event = room_event(rtk_peer_media_event(kind));
	json_object_set_new(event, "participantId", json_string(peer->id));
	json_object_set_new(event, rtk_peer_media_field(kind), json_false());
	json_object_set_new(event, "disabledBy", actor ? json_string(actor->id) : json_null());
	json_object_set_new(event, "canUnmute", json_boolean(allow_unmute));
	room_send(room, peer, event);
	json_decref(event);
	room_changed(room, peer, RTK_PEER_MEDIA);
}

/* A joined peer by peer id or user id, or NULL with 1204. */
static rtk_peer *controls_target(rtk_room *room, const char *target, rtk_refusal *why) {
	rtk_peer *peer = room_find_target(room, target);
	if(peer == NULL)
		rtk_refusal_set(why, RTK_ERR_TARGET_NOT_FOUND, "participant %.80s is not in the meeting", target ? target : "(none)");
	return peer;
}

gboolean rtk_room_disable_media(rtk_room *room, rtk_peer *actor, const char *target, rtk_media_kind kind, gboolean allow_unmute, rtk_refusal *why) {
	if(!controls_may_disable(actor, kind, why))
		return FALSE;
	rtk_peer *peer = controls_target(room, target, why);
	if(peer == NULL)
		return FALSE;
	controls_disable(room, actor, peer, kind, allow_unmute);
	return TRUE;
}

gboolean rtk_room_disable_all_media(rtk_room *room, rtk_peer *actor, rtk_media_kind kind, gboolean allow_unmute, rtk_refusal *why) {
	if(!controls_may_disable(actor, kind, why))
		return FALSE;
	for(guint i = 0; i < room->peers->len; i++) {
		rtk_peer *peer = g_ptr_array_index(room->peers, i);
		if(peer != actor)
			controls_disable(room, actor, peer, kind, allow_unmute);
	}
	return TRUE;
}

/* ---- removing people ---- */

gboolean rtk_room_kick(rtk_room *room, rtk_peer *actor, const char *target, rtk_refusal *why) {
	if(!room_actor_may(actor, RTK_ACTION_KICK, why))
		return FALSE;
	rtk_peer *peer = controls_target(room, target, why);
	if(peer == NULL)
		return FALSE;
	if(peer == actor) {
		rtk_refusal_set(why, RTK_ERR_BAD_REQUEST, "you cannot kick yourself: leave the meeting instead");
		return FALSE;
	}
	room_remove(room, peer, "kicked", NULL, TRUE);
	return TRUE;
}

gboolean rtk_room_kick_all(rtk_room *room, rtk_peer *actor, rtk_refusal *why) {
	if(!room_actor_may(actor, RTK_ACTION_KICK, why))
		return FALSE;
	GPtrArray *victims = g_ptr_array_new();   /* borrowed: room_remove frees each */
	for(guint i = 0; i < room->peers->len; i++)
		if(g_ptr_array_index(room->peers, i) != actor)
			g_ptr_array_add(victims, g_ptr_array_index(room->peers, i));
	for(guint i = 0; i < victims->len; i++)
		room_remove(room, g_ptr_array_index(victims, i), "kicked", NULL, TRUE);
	g_ptr_array_free(victims, TRUE);
	room->end_reason = "HOST_ENDED_MEETING";   /* RealtimeKit's "end meeting for all": over once the host leaves */
	return TRUE;
}

/* Moves every peer of `from` (in order) to the end of `to`, without freeing. */
static void controls_take_all(GPtrArray *from, GPtrArray *to) {
	while(from->len > 0)
		g_ptr_array_add(to, g_ptr_array_steal_index(from, 0));
}

gboolean rtk_room_end(rtk_room *room, rtk_peer *actor, rtk_refusal *why) {
	if(!room_actor_may(actor, RTK_ACTION_KICK, why))
		return FALSE;
	GPtrArray *everyone = g_ptr_array_new_with_free_func((GDestroyNotify)rtk_peer_free);   /* owned */
	controls_take_all(room->peers, everyone);
	controls_take_all(room->waitlisted, everyone);
	g_hash_table_remove_all(room->admitted);   /* the live session is over */
	g_clear_pointer(&room->spotlight_peer, g_free);
	g_ptr_array_set_size(room->plugins, 0);   /* the active plugins and their state end with the session */
	json_t *left = json_pack("{ss ss}", "rtk", "roomLeft", "state", "ended");
	for(guint i = 0; i < everyone->len; i++) {
		rtk_peer *peer = g_ptr_array_index(everyone, i);
		room_send(room, peer, left);
		room_changed(room, peer, RTK_PEER_REMOVED);
	}
	json_decref(left);
	g_ptr_array_free(everyone, TRUE);
	room->end_reason = "HOST_ENDED_MEETING";
	return TRUE;
}

/* ---- pins ---- */

gboolean rtk_room_pin(rtk_room *room, rtk_peer *actor, const char *target, gboolean pin, rtk_refusal *why) {
	if(!room_actor_may(actor, RTK_ACTION_PIN, why))
		return FALSE;
	rtk_peer *peer = controls_target(room, target, why);
	if(peer == NULL)
		return FALSE;
	rtk_room_pin_mirror(room, peer, pin);
	return TRUE;
}

void rtk_room_pin_mirror(rtk_room *room, rtk_peer *peer, gboolean pin) {
	if(peer->pinned == !!pin)
		return;
	peer->pinned = !!pin;
	json_t *event = json_pack("{ss ss ss}", "rtk", pin ? "participantPinned" : "participantUnpinned",
		"participantId", peer->id, "userId", peer->user_id);
	room_send(room, peer, event);
	room_broadcast(room, peer, ROOM_VIEW_STATE, event);
}

/* ---- permissions ---- */

/* Merges `partial` into a copy of each target's permissions; NULL (and `why`)
 * when any target refuses it. Returns a NEW array of NEW references, aligned
 * with `targets`. */
static GPtrArray *controls_merged_permissions(GPtrArray *targets, const json_t *partial, rtk_refusal *why) {
	GPtrArray *merged = g_ptr_array_new_with_free_func((GDestroyNotify)json_decref);
	for(guint i = 0; i < targets->len; i++) {
		const rtk_peer *peer = g_ptr_array_index(targets, i);
		json_t *copy = json_deep_copy(peer->permissions_json);
		g_ptr_array_add(merged, copy);
		if(!rtk_permissions_merge(copy, partial, why)) {
			g_ptr_array_free(merged, TRUE);
			return NULL;
		}
	}
	return merged;
}

/* participantJoined/participantLeft to each peer whose view of `peer`
 * changed; `saw` holds, per joined peer index, whether it listed `peer` before. */
static void controls_announce_visibility(rtk_room *room, rtk_peer *peer, const GArray *saw) {
	for(guint i = 0; i < room->peers->len; i++) {
		rtk_peer *viewer = g_ptr_array_index(room->peers, i);
		gboolean before = g_array_index(saw, gboolean, i);
		gboolean after = room_sees(viewer, peer, ROOM_VIEW_LIST);
		if(viewer == peer || before == after)
			continue;
		json_t *event = after ? room_event("participantJoined") : room_event("participantLeft");
		if(after) {
			json_object_set_new(event, "participant", rtk_peer_to_json(peer));
		} else {
			json_object_set_new(event, "participantId", json_string(peer->id));
			json_object_set_new(event, "userId", json_string(peer->user_id));
		}
		room_send(room, viewer, event);
		json_decref(event);
	}
}

/* Gives `peer` its new permissions (`permissions` consumed) and tells who
 * must know. A media kind `partial` (may be NULL) mentions is unlocked: a
 * host's lock outlives a change of preset. `preset` (may be NULL) adds the
 * preset's name and config to the peer's permissionsUpdate. */
static void controls_apply_permissions(rtk_room *room, rtk_peer *peer, json_t *permissions, const json_t *partial,
		const json_t *preset) {
	GArray *saw = g_array_sized_new(FALSE, FALSE, sizeof(gboolean), room->peers->len);
	for(guint i = 0; i < room->peers->len; i++) {
		gboolean sees = room_sees(g_ptr_array_index(room->peers, i), peer, ROOM_VIEW_LIST);
		g_array_append_val(saw, sees);
	}
	gboolean was_requested = peer->stage == RTK_STAGE_REQUESTED;
	rtk_peer_set_permissions(peer, permissions);
	const json_t *media = json_object_get(partial, "media");
	for(int kind = 0; kind < RTK_MEDIA_KINDS; kind++)
		if(json_object_get(media, rtk_media_kind_name(kind)) != NULL)
			peer->media_locked[kind] = FALSE;   /* the host re-stated this right */
	json_t *event = room_event("permissionsUpdate");
	json_object_set(event, "permissions", peer->permissions_json);
	if(preset != NULL) {
		json_object_set_new(event, "presetName", json_string(peer->preset_name));
		json_object_set(event, "config", peer->config_json);
	}
	room_send(room, peer, event);
	json_decref(event);
	if(peer->waitlisted) {   /* nobody lists it yet, and it publishes nothing */
		g_array_free(saw, TRUE);
		return;
	}
	controls_announce_visibility(room, peer, saw);
	g_array_free(saw, TRUE);
	room_spotlight_recheck(room, peer);
	if(was_requested && peer->stage != RTK_STAGE_REQUESTED)
		room_stage_requests_changed(room);
	room_changed(room, peer, RTK_PEER_PERMISSIONS);
}

gboolean rtk_room_update_permissions(rtk_room *room, rtk_peer *actor, const json_t *target_ids, const json_t *partial, rtk_refusal *why) {
	if(!room_actor_may(actor, RTK_ACTION_CHANGE_PERMISSIONS, why))
		return FALSE;
	GPtrArray *targets = g_ptr_array_new();   /* borrowed peers */
	GPtrArray *merged = NULL;
	gboolean ok = room_resolve_targets(room, target_ids, targets, why)
		&& (merged = controls_merged_permissions(targets, partial, why)) != NULL;
	for(guint i = 0; ok && i < targets->len; i++)
		controls_apply_permissions(room, g_ptr_array_index(targets, i), json_incref(g_ptr_array_index(merged, i)), partial,
			NULL);
	if(merged != NULL)
		g_ptr_array_free(merged, TRUE);
	g_ptr_array_free(targets, TRUE);
	return ok;
}

gboolean rtk_room_apply_preset(rtk_room *room, const char *user_id, const json_t *preset) {
	rtk_peer *peer = rtk_room_find_user(room, user_id);
	if(peer == NULL)
		peer = rtk_room_find_waiting(room, user_id);
	if(peer == NULL)
		return FALSE;
	const json_t *permissions = json_object_get(preset, "permissions");
	const json_t *config = json_object_get(preset, "config");
	g_free(peer->preset_name);
	peer->preset_name = g_strdup(json_string_value(json_object_get(preset, "name")));
	g_free(peer->preset_id);
	peer->preset_id = g_strdup(json_string_value(json_object_get(preset, "id")));
	json_decref(peer->config_json);
	peer->config_json = json_is_object(config) ? json_deep_copy(config) : json_object();
	controls_apply_permissions(room, peer, json_is_object(permissions) ? json_deep_copy(permissions) : json_object(),
		NULL, preset);
	return TRUE;
}
