/*
 * session.h - the Janus-side state of the plugin: one rtk_session per Janus
 * handle, one rtk_live per meeting in session, and the operations on them
 * that several requests and callbacks share (publishing, leaving, views).
 * Who receives which stream is the meeting's router's (router.h); a
 * subscriber handle's offers are subscriber.h's.
 *
 * Locking (see plugin.c): everything here runs with the lock of the
 * meeting's family held (meeting_lock.h), except the fields the relay path
 * reads, which have their own locks (pub_mutex, and each stream's
 * subs_mutex in relay.h). A session in no meeting is touched only by the
 * signalling worker of its handle and by destroy_session.
 */
#ifndef RTK_SESSION_H
#define RTK_SESSION_H

#include <glib.h>
#include <jansson.h>
#include <plugins/plugin.h>
#include <mutex.h>
#include <refcount.h>

#include "glue.h"
#include "meeting_lock.h"
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
	rtk_live *live;             /* the meeting this handle is in, or NULL; changed only with that
	                               meeting's lock held, through rtk_session_link() and the detach
	                               functions, so that rtk_session_lock() can find the lock */
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
	volatile gint destroyed;    /* set by rtk_session_mark_destroyed(): no meeting links it again */
	char *origin_url;           /* MAIN joined on a cascade edge (cascade.h): the Janus URL of the
	                               meeting's node, where a stage request is sent (0807); owned,
	                               freed with the session; NULL elsewhere */
	json_t *left;               /* MAIN: the last roomLeft the room sent this handle (a reference,
	                               released with the session), so that a client whose socket was
	                               down when it came learns it from `sync` */
} rtk_session;

/* A meeting in session: the room model, and the router of its media. */
struct rtk_live {
	rtk_meeting_lock *lock;     /* its family's (a reference): guards everything below */
	rtk_room *room;
	gboolean persist_chat;      /* the meeting's, when its session started: keep the chat after it */
	rtk_router *router;         /* published streams and who receives them (owned) */
	rtk_speakers *speakers;     /* active speaker, from the audio levels the relay sees */
	gint64 keep_alive_us;       /* the meeting's session_keep_alive_time_in_secs: how long the
	                               session outlives its last participant (0: not at all) */
	gint64 empty_since;         /* monotonic time its last participant left; 0 while occupied */
	gboolean edge;              /* an edge of a meeting owned by another node (cascade.h): its room
	                               holds the owner's participants too, its router the owner's
	                               streams; no webhooks of its own session, no history, no captures */
};


/* What the REST API may do to live meetings (live_api.c). */
extern const rtk_live_ops rtk_live_api;

/* With several nodes (node.c, each heartbeat; no lock held): applies to
 * this node's live presences every preset changed since this node last
 * applied it, when the broadcast of that change never reached it (the
 * node was unreachable then). The first call only records the presets as
 * they are. At most RTK_LIVE_PRESETS_MAX presets are looked at. */
#define RTK_LIVE_PRESETS_MAX 10000
void rtk_live_presets_catch_up(rtk_store *store);
/* Frees what rtk_live_presets_catch_up() recorded (the node stops). */
void rtk_live_presets_forget(void);

/* Live meetings: created on the first join, freed when nobody is left.
 * The table of live meetings has a leaf lock of its own; a live meeting
 * is used with its family's lock held. */
void rtk_lives_init(void);
void rtk_lives_destroy(void);
/* The live meeting of `meeting` (a store meeting object), created when it
 * is not in session; `held`: the lock of its family, acquired. NULL when
 * the meeting is in session under another family's lock (its family
 * changed meanwhile: the store's parent no longer matches the live one). */
rtk_live *rtk_live_get_or_create(rtk_meeting_lock *held, const json_t *meeting);
/* The live meeting `meeting_id` when it is in session and of the family
 * whose lock the caller holds (`held`), else NULL. */
rtk_live *rtk_live_find(const rtk_meeting_lock *held, const char *meeting_id);
/* The live meeting `meeting_id` with its family's lock acquired into
 * *held (rtk_meeting_lock_done() when finished), or NULL (*held NULL)
 * when it is not in session: for callers that hold no meeting lock. */
rtk_live *rtk_live_lock(const char *meeting_id, rtk_meeting_lock **held);
/* rtk_live_lock() that waits for the lock until `deadline` (monotonic us)
 * only: NULL with *timed_out TRUE when it could not have it by then. */
rtk_live *rtk_live_lock_until(const char *meeting_id, gint64 deadline, rtk_meeting_lock **held,
	gboolean *timed_out);
/* The ids of the live meetings now, as a NEW array of NEW strings. */
GPtrArray *rtk_lives_ids(void);
/* The same without this node's edges of meetings other nodes own
 * (`edge`, set when the live meeting is made and never changed): the
 * meetings whose placement is this node's (node.c). */
GPtrArray *rtk_lives_owned_ids(void);
rtk_session *rtk_live_main_session(rtk_peer *peer);
/* Frees the meeting when nobody is in it or watching it, and its keep-alive
 * time (if any) has passed since the last one left; until then it stays,
 * empty, and the ticker frees it when the time is up. */
void rtk_live_release_if_empty(rtk_live *live);
/* Whether the meeting's session is still on: someone is in it, or it is
 * kept alive after the last one left. */
gboolean rtk_live_in_session(const rtk_live *live);
/* After any room operation: announces the media kinds the room's changes
 * stopped (stage left, rights lost), then frees the meeting if it emptied. */
void rtk_live_flush(rtk_live *live);

/* Queues webhook `event` ("meeting.started", "meeting.participantJoined",
 * ...) with the meeting and, when not NULL, the participant. */
void rtk_live_webhook(rtk_live *live, const char *event, const rtk_peer *peer);
/* Sets "iceServers" on `joined` (a roomJoined, or the joined roomState of
 * a sync) for `peer`: the ICE servers its PeerConnections should use, with
 * TURN credentials of its own when the deployment mints them
 * (gateway.h, rtk_gateway_ice_servers). */
void rtk_live_add_ice_servers(json_t *joined, const rtk_peer *peer);

/* Delivers `event` (borrowed) to every joined participant of the meeting. */
void rtk_live_broadcast(rtk_live *live, json_t *event);
/* The same, by meeting id: nothing when the meeting has no live session.
 * The caller holds the lock of that meeting's family. */
void rtk_live_broadcast_to_meeting(const char *meeting_id, json_t *event);

/* Every ~200 ms on the plugin's ticker thread, with no lock held: for
 * each live meeting in turn, under its lock, active speaker changes
 * (activeSpeaker events) and the views that follow them, and its
 * livestreams' viewer counts. */
void rtk_lives_tick(void);

/* Which meeting a session is in. rtk_session_link() puts `session` in
 * `live` (whose lock the caller holds); FALSE when the session is being
 * destroyed (then it stays out). rtk_session_lock() acquires the lock of
 * the session's meeting, as it is when the lock is held, and returns it
 * with a reference (rtk_meeting_lock_done()); NULL: in no meeting.
 * rtk_session_mark_destroyed(): the handle is going; no link after it. */
gboolean rtk_session_link(rtk_session *session, rtk_live *live);
rtk_meeting_lock *rtk_session_lock(rtk_session *session);
void rtk_session_mark_destroyed(rtk_session *session);

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
