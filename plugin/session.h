/*
 * session.h - the Janus-side state of the plugin: one rtk_session per Janus
 * handle, one rtk_live per meeting in session, and the operations on them
 * that several requests and callbacks share (publishing, leaving, views).
 * Who receives which stream is the meeting's router's (router.h); a
 * subscriber handle's offers are subscriber.h's.
 *
 * Locking (see plugin.c): everything here runs with the plugin's state
 * mutex held, except the fields the relay path reads, which have their own
 * locks (pub_mutex, and each stream's subs_mutex in relay.h).
 */
#ifndef RTK_SESSION_H
#define RTK_SESSION_H

#include <glib.h>
#include <jansson.h>
#include <plugins/plugin.h>
#include <mutex.h>
#include <refcount.h>

#include "glue.h"
#include "room.h"
#include "relay.h"
#include "router.h"
#include "speaker.h"
#include "view.h"

#define RTK_MAX_PUB_STREAMS 16

typedef enum rtk_role {
	RTK_ROLE_NONE = 0,
	RTK_ROLE_MAIN,           /* joined: the participant's presence, publishing */
	RTK_ROLE_SUBSCRIBER      /* receives every other participant's streams */
} rtk_role;

typedef struct rtk_live rtk_live;

/*
 * Lifetime: created by the plugin's create_session with one reference, the
 * session table's; destroy_session drops it. The relay path holds a
 * reference while it uses a session, so the last one may be dropped there.
 * Freeing a session releases the Janus core's plugin-session reference that
 * Janus handed to create_session (without it every handle, and its eventfd,
 * would leak).
 */
typedef struct rtk_session {
	janus_refcount ref;
	janus_plugin_session *handle;   /* we own one core reference (see above) */
	rtk_role role;
	rtk_live *live;             /* the meeting this handle is in, or NULL */
	rtk_peer *peer;             /* MAIN: our presence (owned by the room);
	                               SUBSCRIBER: the peer we receive for */
	/* MAIN: published streams by mindex; guarded by pub_mutex on the relay path */
	janus_mutex pub_mutex;
	rtk_pub_stream *pub[RTK_MAX_PUB_STREAMS];
	/* SUBSCRIBER: m-line slots (rtk_sub_stream*, owned, index == mindex) */
	GPtrArray *slots;
	gboolean offer_outstanding; /* an offer awaits its answer */
	gboolean offer_needed;      /* the slots changed meanwhile */
	guint64 sdp_version;
	gboolean announce_off[RTK_MEDIA_KINDS]; /* MAIN: dropped kinds rtk_live_flush() announces */
	rtk_view view;              /* MAIN: what this participant wants to see (setViewMode, ...) */
	struct {                    /* MAIN: the view it was last told (roomJoined, viewModeUpdate) */
		gboolean told;
		rtk_view_mode mode;
		guint page, pages, max_active;
	} view_told;
	char *shown;                /* SUBSCRIBER: peer ids whose video it gets now, for change detection */
	volatile gint started;      /* the PeerConnection is up */
	volatile gint destroyed;
	json_t *left;               /* MAIN: the last roomLeft the room sent this handle (a reference,
	                               released with the session), so that a client whose socket was
	                               down when it came learns it from `sync` */
} rtk_session;

/* A meeting in session: the room model, and the router of its media. */
struct rtk_live {
	rtk_room *room;
	gboolean persist_chat;      /* the meeting's, when its session started: keep the chat after it */
	rtk_router *router;         /* published streams and who receives them (owned) */
	rtk_speakers *speakers;     /* active speaker, from the audio levels the relay sees */
};


/* What the REST API may do to live meetings (live_api.c). */
extern const rtk_live_ops rtk_live_api;

/* Live meetings: created on the first join, freed when nobody is left. */
void rtk_lives_init(void);
void rtk_lives_destroy(void);
rtk_live *rtk_live_get_or_create(const json_t *meeting);
rtk_live *rtk_live_find(const char *meeting_id);
/* Every live meeting, as a NEW array of borrowed pointers (free the array). */
GPtrArray *rtk_lives_list(void);
rtk_session *rtk_live_main_session(rtk_peer *peer);
/* Frees the meeting when nobody is in it or watching it. */
void rtk_live_release_if_empty(rtk_live *live);
/* After any room operation: announces the media kinds the room's changes
 * stopped (stage left, rights lost), then frees the meeting if it emptied. */
void rtk_live_flush(rtk_live *live);

/* Queues webhook `event` ("meeting.started", "meeting.participantJoined",
 * ...) with the meeting and, when not NULL, the participant. */
void rtk_live_webhook(rtk_live *live, const char *event, const rtk_peer *peer);

/* Delivers `event` (borrowed) to every joined participant of the meeting. */
void rtk_live_broadcast(rtk_live *live, json_t *event);
/* The same, by meeting id: nothing when the meeting has no live session. */
void rtk_live_broadcast_to_meeting(const char *meeting_id, json_t *event);

/* Every ~200 ms on the signalling thread: active speaker changes
 * (activeSpeaker events) and the views that follow them. */
void rtk_lives_tick(void);

/* Views: applies each subscriber's view (ACTIVE_GRID or PAGINATED) to what
 * its video slots forward, and tells the viewer when its active set moved. */
void rtk_live_apply_views(rtk_live *live);

/* The MAIN session's view as a NEW viewModeUpdate event when it differs
 * from what the participant was last told (and remembers it as told), or
 * NULL. `candidates`: how many others its view chooses from
 * (rtk_view_count_candidates). Pages come and go as others join and
 * leave, so the view can change without a request. */
json_t *rtk_session_view_changed(rtk_session *viewer, guint candidates);

/* Subscribers: takes a subscriber handle out of its meeting. */
void rtk_subscriber_reset(rtk_session *sub);
/* Publishers. */
void rtk_publisher_teardown(rtk_session *session, gboolean announce);
gboolean rtk_publisher_has_kind(rtk_session *session, rtk_media_kind kind);

/* Takes a main handle's participant out of its meeting; `state` is the
 * roomLeft state sent to it through the room, or NULL to send none. */
void rtk_session_leave(rtk_session *session, const char *state);

#endif
