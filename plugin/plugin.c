/*
 * plugin.c - the Janus glue of janus.plugin.rtk.
 *
 * Owns the janus_plugin callbacks and nothing more than it must: the
 * sessions (one per Janus handle), the live meetings (a room model plus the
 * subscriber handles watching it), the one thread that runs every signalling
 * request in order, and the hand-off of RTP to relay.c. What a meeting is and
 * which events it sends lives in room.c and peer.c; SDP rules in media.c;
 * forwarding in relay.c; REST, tokens and the store in gateway/.
 *
 * Handles: a participant's "main" handle joins and publishes; its
 * "subscriber" handle receives everyone else (docs/protocol.md).
 *
 * Locking: `state_mutex` guards the session table, the live meetings, the
 * room models and every session's role, slots and negotiation state. All
 * signalling runs under it (on the message thread, or in destroy/hangup
 * callbacks). The relay path never takes it: incoming_rtp takes only the
 * publisher's `pub_mutex`, then each published stream's `subs_mutex`.
 * Order: state_mutex -> pub_mutex -> subs_mutex.
 */
#include <string.h>
#include <jansson.h>
#include <plugins/plugin.h>
#include <debug.h>
#include <config.h>
#include <mutex.h>
#include <rtcp.h>
#include <utils.h>

#include "gateway.h"
#include "errors.h"
#include "room.h"
#include "relay.h"
#include "media.h"

#define RTK_PLUGIN_VERSION 1
#define RTK_PLUGIN_VERSION_STRING "0.1.0"
#define RTK_PLUGIN_DESCRIPTION "RealtimeKit meetings: participants, presets, SFU relay"
#define RTK_PLUGIN_NAME "RTK meetings"
#define RTK_PLUGIN_AUTHOR "RTK developers"
#define RTK_PLUGIN_PACKAGE "janus.plugin.rtk"
#define RTK_MAX_PUB_STREAMS 16

/* ---- plugin descriptor ---- */

int rtk_plugin_init(janus_callbacks *callback, const char *config_path);
void rtk_plugin_destroy(void);
int rtk_plugin_get_api_compatibility(void) { return JANUS_PLUGIN_API_VERSION; }
int rtk_plugin_get_version(void) { return RTK_PLUGIN_VERSION; }
const char *rtk_plugin_get_version_string(void) { return RTK_PLUGIN_VERSION_STRING; }
const char *rtk_plugin_get_description(void) { return RTK_PLUGIN_DESCRIPTION; }
const char *rtk_plugin_get_name(void) { return RTK_PLUGIN_NAME; }
const char *rtk_plugin_get_author(void) { return RTK_PLUGIN_AUTHOR; }
const char *rtk_plugin_get_package(void) { return RTK_PLUGIN_PACKAGE; }
void rtk_plugin_create_session(janus_plugin_session *handle, int *error);
struct janus_plugin_result *rtk_plugin_handle_message(janus_plugin_session *handle,
	char *transaction, json_t *message, json_t *jsep);
void rtk_plugin_setup_media(janus_plugin_session *handle);
void rtk_plugin_incoming_rtp(janus_plugin_session *handle, janus_plugin_rtp *packet);
void rtk_plugin_incoming_rtcp(janus_plugin_session *handle, janus_plugin_rtcp *packet);
void rtk_plugin_hangup_media(janus_plugin_session *handle);
void rtk_plugin_destroy_session(janus_plugin_session *handle, int *error);
json_t *rtk_plugin_query_session(janus_plugin_session *handle);

/* Designated initialisers rather than JANUS_PLUGIN_INIT, which -Wextra
 * flags for overriding its own NULLs: callbacks left out are NULL. */
static janus_plugin rtk_plugin = {
		.init = rtk_plugin_init,
		.destroy = rtk_plugin_destroy,
		.get_api_compatibility = rtk_plugin_get_api_compatibility,
		.get_version = rtk_plugin_get_version,
		.get_version_string = rtk_plugin_get_version_string,
		.get_description = rtk_plugin_get_description,
		.get_name = rtk_plugin_get_name,
		.get_author = rtk_plugin_get_author,
		.get_package = rtk_plugin_get_package,
		.create_session = rtk_plugin_create_session,
		.handle_message = rtk_plugin_handle_message,
		.setup_media = rtk_plugin_setup_media,
		.incoming_rtp = rtk_plugin_incoming_rtp,
		.incoming_rtcp = rtk_plugin_incoming_rtcp,
		.hangup_media = rtk_plugin_hangup_media,
		.destroy_session = rtk_plugin_destroy_session,
		.query_session = rtk_plugin_query_session,
};

__attribute__((visibility("default"))) janus_plugin *create(void) {
	return &rtk_plugin;
}

/* ---- state ---- */

typedef enum rtk_role {
	RTK_ROLE_NONE = 0,
	RTK_ROLE_MAIN,
	RTK_ROLE_SUBSCRIBER
} rtk_role;

typedef struct rtk_live rtk_live;

typedef struct rtk_session {
	janus_plugin_session *handle;
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
	volatile gint started;      /* the PeerConnection is up */
	volatile gint destroyed;
} rtk_session;

struct rtk_live {
	rtk_room *room;
	GPtrArray *subscribers;     /* rtk_session* in SUBSCRIBER role, borrowed */
};

typedef struct rtk_message {
	janus_plugin_session *handle;
	char *transaction;
	json_t *body;
	json_t *jsep;
} rtk_message;

/* What a request handler answers: an event (and a JSEP), or an error. */
typedef struct rtk_reply {
	json_t *event;
	json_t *jsep;
	const char *code;
	char message[256];
} rtk_reply;

static janus_callbacks *gateway;
static rtk_gateway *rtk_gw;
static volatile gint initialized, stopping;
static janus_mutex state_mutex = JANUS_MUTEX_INITIALIZER;
static GHashTable *sessions;    /* janus_plugin_session* -> rtk_session* (owned) */
static GHashTable *lives;       /* meeting id -> rtk_live* (owned) */
static GAsyncQueue *messages;
static GThread *message_thread;
static rtk_message exit_message;

/* ---- replies and events ---- */

static void reply_error(rtk_reply *reply, const char *code, const char *format, ...) G_GNUC_PRINTF(3, 4);
static void reply_error(rtk_reply *reply, const char *code, const char *format, ...) {
	va_list args;
	va_start(args, format);
	g_vsnprintf(reply->message, sizeof(reply->message), format, args);
	va_end(args);
	reply->code = code;
}

static json_t *event_new(const char *name) {
	return json_pack("{ss}", "rtk", name);
}

static json_t *jsep_new(const char *type, const char *sdp) {
	return json_pack("{ssss}", "type", type, "sdp", sdp);
}

/* The room sink: delivers room events to a peer's main handle. */
static void deliver_to_peer(rtk_peer *peer, json_t *event, void *user_data) {
	rtk_session *session = peer->transport;
	if(session == NULL || g_atomic_int_get(&session->destroyed))
		return;
	gateway->push_event(session->handle, &rtk_plugin, NULL, event, NULL);
}

static const rtk_room_sink room_sink = { deliver_to_peer, NULL };

/* ---- live meetings ---- */

static rtk_live *live_get_or_create(const json_t *meeting) {
	const char *id = json_string_value(json_object_get(meeting, "id"));
	rtk_live *live = g_hash_table_lookup(lives, id);
	if(live != NULL)
		return live;
	live = g_new0(rtk_live, 1);
	live->room = rtk_room_new(meeting, &room_sink);
	live->subscribers = g_ptr_array_new();
	g_hash_table_insert(lives, g_strdup(id), live);
	JANUS_LOG(LOG_INFO, "[rtk] meeting %s: session %s started\n", id, live->room->session_id);
	return live;
}

static void live_free(rtk_live *live) {
	rtk_room_free(live->room);
	g_ptr_array_free(live->subscribers, TRUE);
	g_free(live);
}

static void live_release_if_empty(rtk_live *live) {
	if(rtk_room_size(live->room) > 0 || live->subscribers->len > 0)
		return;
	JANUS_LOG(LOG_INFO, "[rtk] meeting %s: session %s ended\n", live->room->meeting_id, live->room->session_id);
	g_hash_table_remove(lives, live->room->meeting_id);
}

static rtk_session *live_main_session(rtk_peer *peer) {
	return peer ? peer->transport : NULL;
}

/* ---- subscribers ---- */

static void subscriber_send_offer(rtk_session *sub, const char *event_name, const char *transaction) {
	json_t *event = event_new(event_name);
	json_object_set_new(event, "streams", rtk_media_slots_json(sub->slots));
	json_t *jsep = NULL;
	if(sub->slots->len > 0) {
		char *sdp = rtk_media_offer_subscriber(sub->slots, ++sub->sdp_version);
		jsep = jsep_new("offer", sdp);
		g_free(sdp);
		sub->offer_outstanding = TRUE;
		sub->offer_needed = FALSE;
	}
	gateway->push_event(sub->handle, &rtk_plugin, transaction, event, jsep);
	json_decref(event);
	json_decref(jsep);
}

/* Sends an `updated` offer now, or once the outstanding one is answered. */
static void subscriber_renegotiate(rtk_session *sub) {
	if(sub->offer_outstanding) {
		sub->offer_needed = TRUE;
		return;
	}
	subscriber_send_offer(sub, "updated", NULL);
}

/* Feeds `ps` to `sub` on a free slot of the same kind, or a new one. */
static void subscriber_add_source(rtk_session *sub, rtk_pub_stream *ps) {
	rtk_sub_stream *slot = NULL;
	for(guint i = 0; i < sub->slots->len && slot == NULL; i++) {
		rtk_sub_stream *ss = g_ptr_array_index(sub->slots, i);
		if(ss->source == NULL && ss->video == ps->video)
			slot = ss;
	}
	if(slot == NULL) {
		slot = rtk_sub_stream_new(sub->handle, sub->slots->len, ps->video, &sub->started, sub);
		g_ptr_array_add(sub->slots, slot);
	}
	rtk_relay_attach(ps, slot);
}

static void subscriber_want_keyframes(rtk_session *sub) {
	for(guint i = 0; i < sub->slots->len; i++)
		rtk_relay_want_keyframe(g_ptr_array_index(sub->slots, i));
}

/* Takes `sub` out of its meeting: slots detached and freed, role cleared. */
static void subscriber_reset(rtk_session *sub) {
	if(sub->role != RTK_ROLE_SUBSCRIBER)
		return;
	g_ptr_array_free(sub->slots, TRUE);   /* frees and detaches every slot */
	sub->slots = NULL;
	sub->offer_outstanding = sub->offer_needed = FALSE;
	g_atomic_int_set(&sub->started, 0);
	rtk_live *live = sub->live;
	g_ptr_array_remove_fast(live->subscribers, sub);
	sub->role = RTK_ROLE_NONE;
	sub->live = NULL;
	sub->peer = NULL;
	live_release_if_empty(live);
}

/* ---- publishers ---- */

static void mark_owner_for_offer(rtk_sub_stream *ss, void *user) {
	GPtrArray *affected = user;
	if(!g_ptr_array_find(affected, ss->owner, NULL))
		g_ptr_array_add(affected, ss->owner);
}

/* Stops relaying everything `session` publishes; subscribers get updated
 * offers. With `announce`, the others see the media kinds turned off. */
static void publisher_teardown(rtk_session *session, gboolean announce) {
	rtk_pub_stream *streams[RTK_MAX_PUB_STREAMS];
	janus_mutex_lock(&session->pub_mutex);
	memcpy(streams, session->pub, sizeof(streams));
	memset(session->pub, 0, sizeof(session->pub));
	janus_mutex_unlock(&session->pub_mutex);
	GPtrArray *affected = g_ptr_array_new();
	for(int i = 0; i < RTK_MAX_PUB_STREAMS; i++) {
		if(streams[i] == NULL)
			continue;
		rtk_relay_detach_all(streams[i], mark_owner_for_offer, affected);
		rtk_pub_stream_free(streams[i]);
	}
	for(guint i = 0; i < affected->len; i++)
		subscriber_renegotiate(g_ptr_array_index(affected, i));
	g_ptr_array_free(affected, TRUE);
	if(announce && session->peer != NULL) {
		for(int kind = 0; kind < RTK_MEDIA_KINDS; kind++)
			rtk_room_set_media(session->live->room, session->peer, kind, FALSE);
	}
}

static gboolean publisher_has_kind(rtk_session *session, rtk_media_kind kind) {
	for(int i = 0; i < RTK_MAX_PUB_STREAMS; i++)
		if(session->pub[i] != NULL && session->pub[i]->type == kind)
			return TRUE;
	return FALSE;
}

/* Removes a main handle's participant from its meeting. `state`: the roomLeft
 * state sent to it through the room, or NULL to send none. */
static void main_leave(rtk_session *session, const char *state) {
	if(session->role != RTK_ROLE_MAIN)
		return;
	rtk_live *live = session->live;
	publisher_teardown(session, FALSE);
	for(guint i = live->subscribers->len; i > 0; i--) {
		rtk_session *sub = g_ptr_array_index(live->subscribers, i - 1);
		if(sub->peer == session->peer) {
			subscriber_reset(sub);
			gateway->close_pc(sub->handle);
		}
	}
	rtk_room_leave(live->room, session->peer, state);
	session->peer = NULL;
	session->role = RTK_ROLE_NONE;
	session->live = NULL;
	live_release_if_empty(live);
}

/* ---- requests ---- */

static const char *admit_error_code(rtk_admit_status status) {
	switch(status) {
		case RTK_ADMIT_TOKEN_MALFORMED: return RTK_ERR_TOKEN_MALFORMED;
		case RTK_ADMIT_TOKEN_FORGED: return RTK_ERR_TOKEN_FORGED;
		case RTK_ADMIT_TOKEN_EXPIRED: return RTK_ERR_TOKEN_EXPIRED;
		case RTK_ADMIT_PARTICIPANT_NOT_FOUND: return RTK_ERR_PARTICIPANT_DELETED;
		case RTK_ADMIT_MEETING_NOT_FOUND: return RTK_ERR_MEETING_NOT_FOUND;
		case RTK_ADMIT_MEETING_INACTIVE: return RTK_ERR_MEETING_INACTIVE;
		case RTK_ADMIT_PRESET_NOT_FOUND: return RTK_ERR_PRESET_NOT_FOUND;
		default: return RTK_ERR_INTERNAL;
	}
}

static const char *admit_error_message(rtk_admit_status status) {
	switch(status) {
		case RTK_ADMIT_TOKEN_MALFORMED: return "token malformed: expected a JWT from the REST API";
		case RTK_ADMIT_TOKEN_FORGED: return "token signature invalid: not issued by this deployment";
		case RTK_ADMIT_TOKEN_EXPIRED: return "token expired: ask the REST API for a fresh one";
		case RTK_ADMIT_PARTICIPANT_NOT_FOUND: return "participant was deleted";
		case RTK_ADMIT_MEETING_NOT_FOUND: return "meeting does not exist";
		case RTK_ADMIT_MEETING_INACTIVE: return "meeting is INACTIVE";
		case RTK_ADMIT_PRESET_NOT_FOUND: return "the participant's preset no longer exists";
		default: return "internal error: store unavailable";
	}
}

/* Checks the request's token; on success fills `admission`. */
static gboolean request_admit(rtk_message *msg, rtk_admission *admission, rtk_reply *reply) {
	json_t *token = json_object_get(msg->body, "token");
	if(!json_is_string(token)) {
		reply_error(reply, RTK_ERR_TOKEN_MALFORMED, "field 'token' (string) is required");
		return FALSE;
	}
	rtk_admit_status status = rtk_gateway_admit(rtk_gw, json_string_value(token), admission);
	if(status != RTK_ADMIT_OK) {
		reply_error(reply, admit_error_code(status), "%s", admit_error_message(status));
		return FALSE;
	}
	return TRUE;
}

static void request_join(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	if(session->role != RTK_ROLE_NONE) {
		reply_error(reply, RTK_ERR_ALREADY_JOINED, "this handle already joined or subscribed");
		return;
	}
	rtk_admission admission;
	if(!request_admit(msg, &admission, reply))
		return;
	rtk_live *live = live_get_or_create(admission.meeting);
	rtk_peer *earlier = rtk_room_find_user(live->room,
		json_string_value(json_object_get(admission.participant, "id")));
	if(earlier != NULL)
		main_leave(live_main_session(earlier), "left");
	rtk_peer *peer = rtk_peer_new(admission.participant, admission.preset, session);
	session->role = RTK_ROLE_MAIN;
	session->live = live;
	session->peer = peer;
	reply->event = rtk_room_join(live->room, peer);
	JANUS_LOG(LOG_INFO, "[rtk] meeting %s: participant %s joined as peer %s\n",
		live->room->meeting_id, peer->user_id, peer->id);
	rtk_admission_clear(&admission);
}

static gboolean request_needs_role(rtk_session *session, rtk_role role, rtk_reply *reply) {
	if(session->role == role)
		return TRUE;
	reply_error(reply, RTK_ERR_NOT_JOINED, role == RTK_ROLE_MAIN ?
		"join first: this request belongs on a joined main handle" :
		"subscribe first: this request belongs on a subscriber handle");
	return FALSE;
}

static gboolean request_jsep(rtk_message *msg, const char *type, const char **sdp, rtk_reply *reply) {
	const char *jtype = json_string_value(json_object_get(msg->jsep, "type"));
	*sdp = json_string_value(json_object_get(msg->jsep, "sdp"));
	if(jtype == NULL || *sdp == NULL || strcmp(jtype, type)) {
		reply_error(reply, RTK_ERR_JSEP_REQUIRED, "a JSEP %s is required", type);
		return FALSE;
	}
	return TRUE;
}

static void request_publish(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	const char *offer;
	if(!request_needs_role(session, RTK_ROLE_MAIN, reply) || !request_jsep(msg, "offer", &offer, reply))
		return;
	rtk_peer *peer = session->peer;
	GPtrArray *streams = g_ptr_array_new();
	char error[256] = "";
	char *answer = rtk_media_answer_publisher(session->handle, peer->id, peer->user_id, offer,
		json_object_get(msg->jsep, "simulcast"), json_object_get(msg->body, "descriptions"),
		&peer->permissions, streams, error, sizeof(error));
	if(answer == NULL) {
		g_ptr_array_free(streams, TRUE);
		reply_error(reply, RTK_ERR_SDP, "offer refused: %s", error);
		return;
	}
	/* A new offer on the same handle replaces what was published before. */
	publisher_teardown(session, FALSE);
	json_t *published = json_array();
	janus_mutex_lock(&session->pub_mutex);
	for(guint i = 0; i < streams->len; i++) {
		rtk_pub_stream *ps = g_ptr_array_index(streams, i);
		if(ps->mindex >= RTK_MAX_PUB_STREAMS) {
			rtk_pub_stream_free(ps);
			g_ptr_array_index(streams, i) = NULL;
			continue;
		}
		session->pub[ps->mindex] = ps;
		json_array_append_new(published, json_pack("{ss ss ss}", "mid", ps->mid,
			"kind", ps->video ? "video" : "audio", "type", rtk_media_kind_name(ps->type)));
	}
	janus_mutex_unlock(&session->pub_mutex);
	for(int kind = 0; kind < RTK_MEDIA_KINDS; kind++)
		rtk_room_set_media(session->live->room, peer, kind, publisher_has_kind(session, kind));
	for(guint s = 0; s < session->live->subscribers->len; s++) {
		rtk_session *sub = g_ptr_array_index(session->live->subscribers, s);
		if(sub->peer == peer)
			continue;
		for(guint i = 0; i < streams->len; i++)
			if(g_ptr_array_index(streams, i) != NULL)
				subscriber_add_source(sub, g_ptr_array_index(streams, i));
		subscriber_renegotiate(sub);
	}
	g_ptr_array_free(streams, TRUE);
	reply->event = event_new("published");
	json_object_set_new(reply->event, "streams", published);
	reply->jsep = jsep_new("answer", answer);
	g_free(answer);
}

static void request_unpublish(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	if(!request_needs_role(session, RTK_ROLE_MAIN, reply))
		return;
	publisher_teardown(session, TRUE);
	gateway->close_pc(session->handle);
	reply->event = event_new("unpublished");
}

/* configure on a main handle: media on/off. */
static void request_configure_media(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	static const char *keys[RTK_MEDIA_KINDS] = { "audio", "video", "screenshare" };
	for(int kind = 0; kind < RTK_MEDIA_KINDS; kind++) {
		json_t *value = json_object_get(msg->body, keys[kind]);
		if(value != NULL && !json_is_boolean(value)) {
			reply_error(reply, RTK_ERR_BAD_REQUEST, "field '%s' must be a boolean", keys[kind]);
			return;
		}
	}
	rtk_peer *peer = session->peer;
	for(int kind = 0; kind < RTK_MEDIA_KINDS; kind++) {
		json_t *value = json_object_get(msg->body, keys[kind]);
		if(value == NULL)
			continue;
		gboolean enabled = json_is_true(value) && publisher_has_kind(session, kind);
		for(int i = 0; i < RTK_MAX_PUB_STREAMS; i++) {
			rtk_pub_stream *ps = session->pub[i];
			if(ps == NULL || ps->type != (rtk_media_kind)kind)
				continue;
			g_atomic_int_set(&ps->enabled, enabled);
			if(enabled)
				rtk_relay_request_keyframe(gateway, ps);
		}
		rtk_room_set_media(session->live->room, peer, kind, enabled);
	}
	reply->event = event_new("configured");
	for(int kind = 0; kind < RTK_MEDIA_KINDS; kind++)
		json_object_set_new(reply->event, rtk_peer_media_field(kind), json_boolean(peer->media_enabled[kind]));
}

/* configure on a subscriber handle: simulcast layers of one stream. */
static void request_configure_layers(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	const char *mid = json_string_value(json_object_get(msg->body, "mid"));
	json_t *substream = json_object_get(msg->body, "substream");
	json_t *temporal = json_object_get(msg->body, "temporal");
	if((substream && !json_is_integer(substream)) || (temporal && !json_is_integer(temporal))) {
		reply_error(reply, RTK_ERR_BAD_REQUEST, "fields 'substream' and 'temporal' must be integers 0-2");
		return;
	}
	for(guint i = 0; mid != NULL && i < session->slots->len; i++) {
		rtk_sub_stream *ss = g_ptr_array_index(session->slots, i);
		if(strcmp(ss->mid, mid))
			continue;
		rtk_relay_set_layers(ss, substream ? json_integer_value(substream) : -1,
			temporal ? json_integer_value(temporal) : -1);
		if(ss->source != NULL)
			rtk_relay_request_keyframe(gateway, ss->source);
		reply->event = event_new("configured");
		return;
	}
	reply_error(reply, RTK_ERR_UNKNOWN_STREAM, "no stream with mid '%s'", mid ? mid : "(missing)");
}

static void request_configure(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	if(session->role == RTK_ROLE_MAIN)
		request_configure_media(session, msg, reply);
	else if(session->role == RTK_ROLE_SUBSCRIBER)
		request_configure_layers(session, msg, reply);
	else
		reply_error(reply, RTK_ERR_NOT_JOINED, "join or subscribe first");
}

static void request_leave(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	if(!request_needs_role(session, RTK_ROLE_MAIN, reply))
		return;
	gateway->close_pc(session->handle);
	main_leave(session, NULL);
	reply->event = json_pack("{ss ss}", "rtk", "roomLeft", "state", "left");
}

static void request_subscribe(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	if(session->role != RTK_ROLE_NONE) {
		reply_error(reply, RTK_ERR_ALREADY_JOINED, "this handle already joined or subscribed");
		return;
	}
	rtk_admission admission;
	if(!request_admit(msg, &admission, reply))
		return;
	const char *meeting_id = json_string_value(json_object_get(admission.meeting, "id"));
	const char *user_id = json_string_value(json_object_get(admission.participant, "id"));
	rtk_live *live = g_hash_table_lookup(lives, meeting_id);
	rtk_peer *peer = live ? rtk_room_find_user(live->room, user_id) : NULL;
	rtk_admission_clear(&admission);
	if(peer == NULL) {
		reply_error(reply, RTK_ERR_PARTICIPANT_ABSENT, "participant is not in the meeting: join on a main handle first");
		return;
	}
	session->role = RTK_ROLE_SUBSCRIBER;
	session->live = live;
	session->peer = peer;
	session->slots = g_ptr_array_new_with_free_func((GDestroyNotify)rtk_sub_stream_free);
	g_ptr_array_add(live->subscribers, session);
	for(guint p = 0; p < live->room->peers->len; p++) {
		rtk_peer *other = g_ptr_array_index(live->room->peers, p);
		rtk_session *publisher = live_main_session(other);
		if(other == peer || publisher == NULL)
			continue;
		for(int i = 0; i < RTK_MAX_PUB_STREAMS; i++)
			if(publisher->pub[i] != NULL)
				subscriber_add_source(session, publisher->pub[i]);
	}
	/* The reply carries the first offer: sent here with the transaction. */
	subscriber_send_offer(session, "subscribed", msg->transaction);
}

static void request_start(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	const char *answer;
	if(!request_needs_role(session, RTK_ROLE_SUBSCRIBER, reply) || !request_jsep(msg, "answer", &answer, reply))
		return;
	session->offer_outstanding = FALSE;
	subscriber_want_keyframes(session);
	reply->event = event_new("started");
}

typedef void (*rtk_request_fn)(rtk_session *session, rtk_message *msg, rtk_reply *reply);

static const struct {
	const char *name;
	rtk_request_fn fn;
} requests[] = {
	{ "join", request_join },
	{ "publish", request_publish },
	{ "unpublish", request_unpublish },
	{ "configure", request_configure },
	{ "leave", request_leave },
	{ "subscribe", request_subscribe },
	{ "start", request_start },
};

static rtk_request_fn request_lookup(const char *name) {
	for(size_t i = 0; i < G_N_ELEMENTS(requests); i++)
		if(!strcmp(requests[i].name, name))
			return requests[i].fn;
	return NULL;
}

static void dispatch(rtk_session *session, rtk_message *msg) {
	rtk_reply reply = { 0 };
	const char *name = json_string_value(json_object_get(msg->body, "request"));
	rtk_request_fn fn = name ? request_lookup(name) : NULL;
	if(!json_is_object(msg->body) || name == NULL)
		reply_error(&reply, RTK_ERR_BAD_REQUEST, "body must be a JSON object with a string 'request'");
	else if(fn == NULL)
		reply_error(&reply, RTK_ERR_UNKNOWN_REQUEST, "unknown request '%s'", name);
	else
		fn(session, msg, &reply);
	if(reply.code != NULL) {
		json_t *event = json_pack("{ss ss? s{ssss}}", "rtk", "error", "request", name,
			"error", "code", reply.code, "message", reply.message);
		gateway->push_event(msg->handle, &rtk_plugin, msg->transaction, event, NULL);
		json_decref(event);
	} else if(reply.event != NULL) {
		gateway->push_event(msg->handle, &rtk_plugin, msg->transaction, reply.event, reply.jsep);
	}
	json_decref(reply.event);
	json_decref(reply.jsep);
	/* An answer may free the way for an offer that waited for it. */
	if(session->role == RTK_ROLE_SUBSCRIBER && !session->offer_outstanding && session->offer_needed)
		subscriber_send_offer(session, "updated", NULL);
}

/* The session of a handle, or NULL once the plugin is stopping (Janus may
 * still call back for handles it has not torn down yet). Call with
 * state_mutex held. */
static rtk_session *session_lookup(janus_plugin_session *handle) {
	return sessions != NULL ? g_hash_table_lookup(sessions, handle) : NULL;
}

static void message_free(rtk_message *msg) {
	janus_refcount_decrease(&msg->handle->ref);
	g_free(msg->transaction);
	json_decref(msg->body);
	json_decref(msg->jsep);
	g_free(msg);
}

static gpointer message_loop(gpointer data) {
	while(TRUE) {
		rtk_message *msg = g_async_queue_pop(messages);
		if(msg == &exit_message)
			break;
		janus_mutex_lock(&state_mutex);
		rtk_session *session = session_lookup(msg->handle);
		if(session != NULL && !g_atomic_int_get(&session->destroyed))
			dispatch(session, msg);
		janus_mutex_unlock(&state_mutex);
		message_free(msg);
	}
	return NULL;
}

/* ---- janus_plugin callbacks ---- */

static const char *config_string(janus_config *config, janus_config_category *general,
		const char *name, const char *fallback) {
	janus_config_item *item = janus_config_get(config, general, janus_config_type_item, name);
	return (item && item->value && *item->value) ? item->value : fallback;
}

int rtk_plugin_init(janus_callbacks *callback, const char *config_path) {
	if(callback == NULL || config_path == NULL)
		return -1;
	char *filename = g_strdup_printf("%s/%s.jcfg", config_path, RTK_PLUGIN_PACKAGE);
	janus_config *config = janus_config_parse(filename);
	g_free(filename);
	janus_config_category *general = config ?
		janus_config_get(config, NULL, janus_config_type_category, "general") : NULL;
	rtk_gateway_config gwc = {
		.data_dir = config_string(config, general, "data_dir", "./data"),
		.http_bind = config_string(config, general, "http_bind", "127.0.0.1"),
		.http_port = atoi(config_string(config, general, "http_port", "8080")),
		.org_id = config_string(config, general, "org_id", NULL),
		.api_key = config_string(config, general, "api_key", NULL),
		.jwt_secret = config_string(config, general, "jwt_secret", NULL),
		.token_ttl_seconds = atoi(config_string(config, general, "token_ttl", "86400")),
	};
	char *error = NULL;
	rtk_gw = rtk_gateway_start(&gwc, &error);
	if(config)
		janus_config_destroy(config);
	if(rtk_gw == NULL) {
		JANUS_LOG(LOG_FATAL, "[rtk] gateway did not start: %s\n", error ? error : "unknown error");
		free(error);
		return -1;
	}
	JANUS_LOG(LOG_INFO, "[rtk] REST API at %s\n", rtk_gateway_url(rtk_gw));
	gateway = callback;
	sessions = g_hash_table_new_full(NULL, NULL, NULL, NULL);
	lives = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)live_free);
	messages = g_async_queue_new();
	message_thread = g_thread_new("rtk signalling", message_loop, NULL);
	g_atomic_int_set(&initialized, 1);
	JANUS_LOG(LOG_INFO, "%s initialized\n", RTK_PLUGIN_NAME);
	return 0;
}

void rtk_plugin_destroy(void) {
	if(!g_atomic_int_get(&initialized))
		return;
	g_atomic_int_set(&stopping, 1);
	g_async_queue_push(messages, &exit_message);
	g_thread_join(message_thread);
	janus_mutex_lock(&state_mutex);
	g_hash_table_destroy(lives);
	lives = NULL;
	/* Sessions stay allocated: Janus may still call destroy_session, RTP and
	 * RTCP callbacks for their handles; they find no session and return. */
	g_hash_table_destroy(sessions);
	sessions = NULL;
	janus_mutex_unlock(&state_mutex);
	g_async_queue_unref(messages);
	rtk_gateway_stop(rtk_gw);
	rtk_gw = NULL;
	g_atomic_int_set(&initialized, 0);
	JANUS_LOG(LOG_INFO, "%s destroyed\n", RTK_PLUGIN_NAME);
}

void rtk_plugin_create_session(janus_plugin_session *handle, int *error) {
	if(g_atomic_int_get(&stopping) || !g_atomic_int_get(&initialized)) {
		*error = -1;
		return;
	}
	rtk_session *session = g_new0(rtk_session, 1);
	session->handle = handle;
	janus_mutex_init(&session->pub_mutex);
	handle->plugin_handle = session;
	janus_mutex_lock(&state_mutex);
	g_hash_table_insert(sessions, handle, session);
	janus_mutex_unlock(&state_mutex);
}

void rtk_plugin_destroy_session(janus_plugin_session *handle, int *error) {
	janus_mutex_lock(&state_mutex);
	rtk_session *session = session_lookup(handle);
	if(session == NULL) {
		janus_mutex_unlock(&state_mutex);
		*error = -2;
		return;
	}
	g_atomic_int_set(&session->destroyed, 1);
	if(session->role == RTK_ROLE_MAIN)
		main_leave(session, NULL);     /* a vanished client leaves like any other */
	else
		subscriber_reset(session);
	g_hash_table_remove(sessions, handle);
	handle->plugin_handle = NULL;
	janus_mutex_unlock(&state_mutex);
	g_free(session);
}

json_t *rtk_plugin_query_session(janus_plugin_session *handle) {
	janus_mutex_lock(&state_mutex);
	rtk_session *session = session_lookup(handle);
	json_t *info = json_object();
	if(session != NULL) {
		static const char *roles[] = { "none", "main", "subscriber" };
		json_object_set_new(info, "role", json_string(roles[session->role]));
		if(session->peer)
			json_object_set_new(info, "peer_id", json_string(session->peer->id));
		if(session->live)
			json_object_set_new(info, "meeting_id", json_string(session->live->room->meeting_id));
	}
	janus_mutex_unlock(&state_mutex);
	return info;
}

struct janus_plugin_result *rtk_plugin_handle_message(janus_plugin_session *handle,
		char *transaction, json_t *message, json_t *jsep) {
	if(g_atomic_int_get(&stopping) || !g_atomic_int_get(&initialized)) {
		json_decref(message);
		json_decref(jsep);
		g_free(transaction);
		return janus_plugin_result_new(JANUS_PLUGIN_ERROR, "plugin shutting down", NULL);
	}
	rtk_message *msg = g_new0(rtk_message, 1);
	janus_refcount_increase(&handle->ref);
	msg->handle = handle;
	msg->transaction = transaction;   /* ours now, as the plugin API says */
	msg->body = message;
	msg->jsep = jsep;
	g_async_queue_push(messages, msg);
	return janus_plugin_result_new(JANUS_PLUGIN_OK_WAIT, NULL, NULL);
}

void rtk_plugin_setup_media(janus_plugin_session *handle) {
	janus_mutex_lock(&state_mutex);
	rtk_session *session = session_lookup(handle);
	if(session != NULL) {
		g_atomic_int_set(&session->started, 1);
		if(session->role == RTK_ROLE_SUBSCRIBER)
			subscriber_want_keyframes(session);
	}
	janus_mutex_unlock(&state_mutex);
}

/* The relay path: no state_mutex here (see the top of this file). */
void rtk_plugin_incoming_rtp(janus_plugin_session *handle, janus_plugin_rtp *packet) {
	rtk_session *session = handle ? handle->plugin_handle : NULL;
	if(session == NULL || g_atomic_int_get(&session->destroyed) ||
			packet->mindex < 0 || packet->mindex >= RTK_MAX_PUB_STREAMS)
		return;
	janus_mutex_lock(&session->pub_mutex);
	rtk_pub_stream *ps = session->pub[packet->mindex];
	if(ps != NULL)
		rtk_relay_rtp(gateway, ps, packet);
	janus_mutex_unlock(&session->pub_mutex);
}

/* A subscriber asking for a keyframe: pass it to the stream's publisher. */
void rtk_plugin_incoming_rtcp(janus_plugin_session *handle, janus_plugin_rtcp *packet) {
	if(!packet->video || !(janus_rtcp_has_pli(packet->buffer, packet->length) ||
			janus_rtcp_has_fir(packet->buffer, packet->length)))
		return;
	janus_mutex_lock(&state_mutex);
	rtk_session *session = session_lookup(handle);
	if(session != NULL && session->role == RTK_ROLE_SUBSCRIBER && packet->mindex >= 0 &&
			(guint)packet->mindex < session->slots->len) {
		rtk_sub_stream *ss = g_ptr_array_index(session->slots, packet->mindex);
		if(ss->source != NULL)
			rtk_relay_request_keyframe(gateway, ss->source);
	}
	janus_mutex_unlock(&state_mutex);
}

void rtk_plugin_hangup_media(janus_plugin_session *handle) {
	janus_mutex_lock(&state_mutex);
	rtk_session *session = session_lookup(handle);
	if(session != NULL) {
		g_atomic_int_set(&session->started, 0);
		if(session->role == RTK_ROLE_MAIN)
			publisher_teardown(session, TRUE);
		else if(session->role == RTK_ROLE_SUBSCRIBER)
			subscriber_reset(session);
	}
	janus_mutex_unlock(&state_mutex);
}
