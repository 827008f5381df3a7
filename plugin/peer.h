/*
 * peer.h - one participant's presence in a live meeting session.
 *
 * A peer is created when a participant joins (from the store's participant
 * and preset objects) and freed when it leaves. It owns the participant's
 * identity as the SDK sees it (peer id, user id, name, ...), its preset's
 * permissions and config, and its media state. It knows nothing of Janus:
 * `transport` is an opaque pointer the plugin glue uses to reach the
 * participant's handle.
 */
#ifndef RTK_PEER_H
#define RTK_PEER_H

#include <glib.h>
#include <jansson.h>
#include "permissions.h"

typedef struct rtk_peer {
	char *id;                 /* peer id: fresh for every join */
	char *user_id;            /* the REST participant id */
	char *name;
	char *picture;            /* may be NULL */
	char *custom_participant_id;
	char *preset_name;
	json_t *permissions_json; /* owned reference: the preset's permissions */
	json_t *config_json;      /* owned reference: the preset's config */
	rtk_permissions permissions;
	gboolean media_enabled[RTK_MEDIA_KINDS];
	void *transport;          /* borrowed: the glue's handle for this peer */
} rtk_peer;

/* `participant` and `preset` are borrowed store objects (store.h shapes).
 * Returns NULL if the participant object lacks an id. Free with rtk_peer_free. */
rtk_peer *rtk_peer_new(const json_t *participant, const json_t *preset, void *transport);
void rtk_peer_free(rtk_peer *peer);

/* The participant object other participants see (docs/protocol.md).
 * Returns a NEW reference. */
json_t *rtk_peer_to_json(const rtk_peer *peer);
/* The `self` object of roomJoined: the above plus permissions, config and
 * roomState. Returns a NEW reference. */
json_t *rtk_peer_self_json(const rtk_peer *peer);

/* SDK event name and field for a media kind: "audioUpdate"/"audioEnabled",
 * "videoUpdate"/"videoEnabled", "screenShareUpdate"/"screenShareEnabled". */
const char *rtk_peer_media_event(rtk_media_kind kind);
const char *rtk_peer_media_field(rtk_media_kind kind);

#endif
