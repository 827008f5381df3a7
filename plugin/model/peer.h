/*
 * peer.h - one participant's presence in a live meeting session.
 *
 * A peer is created when a participant joins (from the store's participant
 * and preset objects) and freed when it leaves. It owns the participant's
 * identity as the SDK sees it (peer id, user id, name, ...), its preset's
 * permissions and config, its media state (on/off, locked by a host), its
 * stage status, pin and waiting-room flags, and the one rule that combines
 * them into "may this peer publish this kind now" (rtk_peer_may_publish).
 * It knows nothing of Janus: `transport` is an opaque pointer the plugin
 * glue uses to reach the participant's handle.
 */
#ifndef RTK_PEER_H
#define RTK_PEER_H

#include <glib.h>
#include <jansson.h>
#include "errors.h"
#include "permissions.h"

/* The stage statuses of the stage-management guide. */
typedef enum rtk_stage_status {
	RTK_STAGE_OFF_STAGE = 0,
	RTK_STAGE_REQUESTED,      /* REQUESTED_TO_JOIN_STAGE: waiting for a host */
	RTK_STAGE_ACCEPTED,       /* ACCEPTED_TO_JOIN_STAGE: may call stage join */
	RTK_STAGE_ON_STAGE
} rtk_stage_status;

/* A per-second budget of requests (broadcastMessage, chat messages). */
typedef struct rtk_rate {
	gint64 window_ms;         /* start of the current one-second window */
	int used;                 /* requests counted in it */
} rtk_rate;

/* meta.setSelfActiveTab: a tab's "type" is 1..RTK_TAB_TYPE_MAX bytes, its
 * "id" at most RTK_TAB_ID_MAX bytes (or absent). */
#define RTK_TAB_TYPE_MAX 32
#define RTK_TAB_ID_MAX 128

/* Counts one request at `now_ms` (ms since the epoch) against `per_second`;
 * FALSE (nothing counted) when the window's budget is spent. */
gboolean rtk_rate_take(rtk_rate *rate, gint64 now_ms, int per_second);

typedef struct rtk_peer {
	char *id;                 /* peer id: fresh for every join */
	char *user_id;            /* the REST participant id */
	char *name;
	char *picture;            /* may be NULL */
	char *custom_participant_id;
	char *preset_name;
	char *preset_id;          /* the store preset's id (REST preset changes find peers by it) */
	json_t *permissions_json; /* owned reference: the preset's permissions (updatePermissions edits it) */
	json_t *config_json;      /* owned reference: the preset's config */
	rtk_permissions permissions;   /* parsed from permissions_json; keep in step via rtk_peer_set_permissions */
	gboolean media_enabled[RTK_MEDIA_KINDS];
	gboolean media_locked[RTK_MEDIA_KINDS];  /* a host disabled it without allowing unmute */
	rtk_stage_status stage;   /* ON_STAGE from the start when the preset has no stage */
	gboolean pinned;
	gboolean waitlisted;      /* in the room's waiting room, not (yet) joined */
	rtk_rate broadcasts;      /* broadcastMessage's rate (messages.c) */
	rtk_rate chats;           /* chat messages' rate (chat.c) */
	gboolean broadcast_tabs;  /* meta.setBroadcastTabChanges: this peer is the room's spotlight (spotlight.c) */
	json_t *active_tab;       /* owned, or NULL: meta.setSelfActiveTab's {"type","id"} (id a string or null) */
	rtk_rate tab_changes;     /* setSelfActiveTab's rate (spotlight.c) */
	rtk_rate plugin_ops;      /* plugins.sendData and plugins.setState, counted together (plugins.c) */
	void *transport;          /* borrowed: the glue's handle for this peer */
} rtk_peer;

/* `participant` and `preset` are borrowed store objects (store.h shapes).
 * Returns NULL if the participant object lacks an id. Free with rtk_peer_free. */
rtk_peer *rtk_peer_new(const json_t *participant, const json_t *preset, void *transport);
void rtk_peer_free(rtk_peer *peer);

/* Replaces the peer's permissions with `permissions` (the peer takes the
 * reference) and re-parses them. A peer whose preset loses the stage is put
 * ON_STAGE (everyone may publish); one that gains it keeps its status. */
void rtk_peer_set_permissions(rtk_peer *peer, json_t *permissions);

/* The participant object other participants see (docs/protocol.md),
 * including "stageStatus" and "isPinned". Returns a NEW reference. */
json_t *rtk_peer_to_json(const rtk_peer *peer);
/* The `self` object of roomJoined / waitlisted: the above plus permissions,
 * config and roomState ("joined" or "waitlisted"). Returns a NEW reference. */
json_t *rtk_peer_self_json(const rtk_peer *peer);

/* SDK event name and field for a media kind: "audioUpdate"/"audioEnabled",
 * "videoUpdate"/"videoEnabled", "screenShareUpdate"/"screenShareEnabled". */
const char *rtk_peer_media_event(rtk_media_kind kind);
const char *rtk_peer_media_field(rtk_media_kind kind);

/* "OFF_STAGE", "REQUESTED_TO_JOIN_STAGE", "ACCEPTED_TO_JOIN_STAGE", "ON_STAGE". */
const char *rtk_stage_status_name(rtk_stage_status status);

/* May the peer publish `kind` now? In order:
 * locked by a host -> RTK_ERR_MEDIA_LOCKED;
 * stage-enabled preset and not ON_STAGE -> RTK_ERR_OFF_STAGE;
 * can_produce ALLOWED -> yes;
 * CAN_REQUEST -> yes while ON_STAGE in a stage-enabled preset (a viewer
 *   granted the stage may speak), else RTK_ERR_MEDIA_NOT_ALLOWED;
 * NOT_ALLOWED -> RTK_ERR_MEDIA_NOT_ALLOWED.
 * Fills `why` (may be NULL) on FALSE. */
gboolean rtk_peer_may_publish(const rtk_peer *peer, rtk_media_kind kind, rtk_refusal *why);
/* The same rule without the host's lock: may this peer's preset and stage
 * status let it produce `kind` at all? (A locked kind is paused, not
 * dropped: it comes back when the host allows it.) */
gboolean rtk_peer_may_produce(const rtk_peer *peer, rtk_media_kind kind, rtk_refusal *why);

#endif
