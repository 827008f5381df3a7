/*
 * permissions.h - a preset's permissions as typed values, and the static
 * checks made against them.
 *
 * Owns the translation of a preset's `permissions` JSON (REST shape, see
 * docs/rest.md "Default presets") into the fields the server checks on
 * every request, so the checks never walk JSON; the mapping of each action
 * a participant may attempt to the permission it needs (rtk_permissions_allow);
 * and the validation of a host's updatePermissions partial
 * (rtk_permissions_merge). Missing or malformed fields read as the most
 * restrictive value.
 */
#ifndef RTK_PERMISSIONS_H
#define RTK_PERMISSIONS_H

#include <glib.h>
#include <jansson.h>
#include "errors.h"

typedef enum rtk_produce {
	RTK_PRODUCE_NOT_ALLOWED = 0,
	RTK_PRODUCE_ALLOWED,
	RTK_PRODUCE_CAN_REQUEST
} rtk_produce;

typedef enum rtk_media_kind {
	RTK_MEDIA_AUDIO = 0,
	RTK_MEDIA_VIDEO,
	RTK_MEDIA_SCREENSHARE,
	RTK_MEDIA_KINDS
} rtk_media_kind;

/* permissions.waiting_room_type */
typedef enum rtk_waiting_room {
	RTK_WAITING_SKIP = 0,                  /* straight in */
	RTK_WAITING_ON_PRIVILEGED_USER_ENTRY,  /* waitlisted on every join until accepted */
	RTK_WAITING_SKIP_ON_ACCEPT             /* waitlisted until accepted once per live session */
} rtk_waiting_room;

typedef struct rtk_permissions {
	rtk_produce produce[RTK_MEDIA_KINDS];          /* media.<kind>.can_produce */
	gboolean accept_waiting_requests;
	gboolean can_accept_production_requests;
	gboolean can_change_participant_permissions;
	gboolean can_edit_display_name;
	gboolean can_livestream;
	gboolean can_record;
	gboolean can_spotlight;
	gboolean disable_participant_audio;
	gboolean disable_participant_video;
	gboolean disable_participant_screensharing;
	gboolean kick_participant;
	gboolean pin_participant;
	gboolean hidden_participant;
	gboolean show_participant_list;
	rtk_waiting_room waiting_room;                 /* waiting_room_type */
	struct { gboolean can_create, can_vote, can_view; } polls;
	struct { gboolean can_start, can_close, can_edit_config; } plugins;
	/* connected_meetings (breakout rooms) */
	struct { gboolean can_alter, can_switch, can_switch_to_parent; } connected;
	struct { gboolean can_send, text, files; } chat_public;                /* chat.public */
	struct { gboolean can_send, can_receive, text, files; } chat_private;  /* chat.private */
	gboolean stage_enabled;
	rtk_produce stage_access;
	gboolean accept_stage_requests;
} rtk_permissions;

/* What a participant may attempt, each mapped to the permission it needs. */
typedef enum rtk_action {
	RTK_ACTION_PRODUCE_AUDIO,
	RTK_ACTION_PRODUCE_VIDEO,
	RTK_ACTION_PRODUCE_SCREENSHARE,
	RTK_ACTION_KICK,
	RTK_ACTION_PIN,
	RTK_ACTION_DISABLE_AUDIO,
	RTK_ACTION_DISABLE_VIDEO,
	RTK_ACTION_DISABLE_SCREENSHARE,
	RTK_ACTION_ACCEPT_WAITING,
	RTK_ACTION_ACCEPT_STAGE,
	RTK_ACTION_STAGE_REQUEST,
	RTK_ACTION_STAGE_JOIN,
	RTK_ACTION_RECORD,
	RTK_ACTION_LIVESTREAM,
	RTK_ACTION_POLL_CREATE,
	RTK_ACTION_POLL_VOTE,
	RTK_ACTION_POLL_VIEW,
	RTK_ACTION_PLUGIN_START,
	RTK_ACTION_PLUGIN_CLOSE,
	RTK_ACTION_CHAT_PUBLIC,
	RTK_ACTION_CHAT_PRIVATE,
	RTK_ACTION_CHANGE_PERMISSIONS,
	RTK_ACTION_CHAT_PUBLIC_TEXT,     /* chat.public.text: text in the public chat */
	RTK_ACTION_CHAT_PUBLIC_FILES,    /* chat.public.files: images and files in the public chat */
	RTK_ACTION_CHAT_PRIVATE_TEXT,    /* chat.private.text: text to participants or in a channel */
	RTK_ACTION_CHAT_PRIVATE_FILES,   /* chat.private.files */
	RTK_ACTION_CHAT_RECEIVE_PRIVATE, /* chat.private.can_receive */
	RTK_ACTION_CHAT_DELETE_OTHERS,   /* deleting another's message: kick_participant (moderation) */
	RTK_ACTION_CHAT_PIN_OTHERS,      /* pinning another's message: pin_participant */
	RTK_ACTION_SPOTLIGHT,            /* meta.setBroadcastTabChanges on: can_spotlight */
	RTK_ACTION_CONNECTED_ALTER,      /* connected_meetings.can_alter_connected_meetings: create, update,
	                                  * delete connected meetings, move others */
	RTK_ACTION_CONNECTED_SWITCH,     /* connected_meetings.can_switch_connected_meetings: move oneself
	                                  * into a connected meeting */
	RTK_ACTION_CONNECTED_TO_PARENT,  /* connected_meetings.can_switch_to_parent_meeting: move oneself
	                                  * back to the parent */
	RTK_ACTION_PLUGIN_EDIT_CONFIG,   /* plugins.toggleViewMode: plugins.can_edit_config */
	RTK_ACTION_EDIT_DISPLAY_NAME,    /* join's name (self.setName before join): can_edit_display_name;
	                                  * refused, the stored name stays (no error) */
	RTK_ACTION_VIEW_PARTICIPANT_LIST,/* the participant list (roomJoined, pre-join, participant events):
	                                  * show_participant_list; refused, an empty list */
	RTK_ACTIONS
} rtk_action;

/* `permissions` is borrowed and may be NULL (everything refused). */
void rtk_permissions_parse(rtk_permissions *out, const json_t *permissions);
rtk_produce rtk_produce_from_string(const char *value);
rtk_waiting_room rtk_waiting_room_from_string(const char *value);   /* unknown: SKIP */
const char *rtk_media_kind_name(rtk_media_kind kind);   /* "audio", "video", "screenshare" */

/* The static preset check, independent of the peer's live state:
 * PRODUCE_*: only can_produce ALLOWED (CAN_REQUEST needs the stage, see
 *   rtk_peer_may_publish), else RTK_ERR_MEDIA_NOT_ALLOWED;
 * STAGE_REQUEST, STAGE_JOIN: stage_enabled (else RTK_ERR_STAGE_DISABLED)
 *   and stage_access ALLOWED or CAN_REQUEST (else RTK_ERR_STAGE_NOT_ALLOWED);
 * every other action: its boolean, else RTK_ERR_NOT_PERMITTED with a
 *   message naming the permission ("your preset does not allow kick_participant").
 * Returns TRUE when allowed; otherwise fills `why` (may be NULL). */
gboolean rtk_permissions_allow(const rtk_permissions *p, rtk_action action, rtk_refusal *why);
/* Whether a participant holding `p` publishes nothing until a host accepts
 * its stage request: stage_enabled with stage_access CAN_REQUEST (off
 * stage nothing is published, and only a host lifts it). Such a viewer of
 * a cascaded meeting joins an edge until it asks for the stage
 * (docs/deploy.md, "Cascading a large meeting"). */
gboolean rtk_permissions_stage_gated(const rtk_permissions *p);
/* "produce_audio", ..., "kick", "pin", ... "change_permissions"; "unknown" out of range. */
const char *rtk_action_name(rtk_action action);
/* The permission key an action reads ("kick_participant", "media.audio.can_produce", ...). */
const char *rtk_action_permission(rtk_action action);

/* updatePermissions: merges `partial` (borrowed) into `permissions`
 * (borrowed, modified in place). `partial` must be an object whose every
 * key exists in `permissions` with the same JSON type: objects merge
 * recursively, booleans stay booleans, strings of an enumeration
 * (can_produce, stage_access, waiting_room_type, recorder_type,
 * access_control) must hold one of its values. Otherwise returns FALSE
 * with RTK_ERR_BAD_PERMISSIONS naming the key, and `permissions` is left
 * unchanged (everything is checked before anything is written). */
gboolean rtk_permissions_merge(json_t *permissions, const json_t *partial, rtk_refusal *why);

#endif
