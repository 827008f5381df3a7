/*
 * plugin.c - the Janus glue of janus.plugin.rtk.
 *
 * Owns the janus_plugin callbacks and nothing more than it must: the table
 * of sessions (one per Janus handle), the one thread that runs every
 * signalling request in order, and the hand-off of RTP to relay.c. The
 * requests are in requests.c (chat's in chat_requests.c, connected
 * meetings' in connected_requests.c); what they share about sessions and live
 * meetings in session.c; who receives which stream in router.c (a
 * subscriber handle's offers in subscriber.c); what a meeting is and which
 * events it sends in room.c and peer.c; recordings and livestreams in
 * capture.c; SDP rules in media.c; forwarding in relay.c; REST, tokens and
 * the store in gateway/.
 *
 * Handles: a participant's "main" handle joins and publishes; its
 * "subscriber" handle receives everyone else (docs/protocol.md).
 *
 * Locking: `rtk_state_mutex` (session.c) guards the session table, the live meetings, the
 * room models and every session's role, slots and negotiation state. All
 * signalling runs under it (on the message thread, or in destroy/hangup
 * callbacks), except the store I/O of a request, which the message thread
 * runs without it: the token checks before a join (rtk_requests_prepare),
 * chat.searchMessages and connectedMeetings.* after their dispatch. The relay path never takes it: incoming_rtp takes only the
 * publisher's `pub_mutex`, then each published stream's `subs_mutex`.
 * Order: rtk_state_mutex -> pub_mutex -> subs_mutex.
 */
#include <string.h>
#include <jansson.h>
#include <plugins/plugin.h>
#include <debug.h>
#include <config.h>
#include <mutex.h>
#include <rtcp.h>
#include <utils.h>

#include "capture.h"
#include "chat_requests.h"
#include "chat_store.h"
#include "connected_requests.h"
#include "history.h"
#include "requests.h"
#include "session.h"
#include "subscriber.h"

#define RTK_PLUGIN_VERSION 1
#define RTK_PLUGIN_VERSION_STRING "0.1.0"
#define RTK_PLUGIN_DESCRIPTION "RealtimeKit meetings: participants, presets, SFU relay"
#define RTK_PLUGIN_NAME "RTK meetings"
#define RTK_PLUGIN_AUTHOR "RTK developers"
#define RTK_PLUGIN_PACKAGE "janus.plugin.rtk"

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
janus_plugin rtk_plugin = {
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

static volatile gint initialized, stopping;
static GHashTable *sessions;    /* janus_plugin_session* -> rtk_session* (owned) */
static GAsyncQueue *messages;
static GThread *message_thread;
static rtk_message exit_message;

/* The session of a handle, or NULL once the plugin is stopping (Janus may
 * still call back for handles it has not torn down yet). Call with
 * rtk_state_mutex held. */
static rtk_session *plugin_session_lookup(janus_plugin_session *handle) {
	return sessions != NULL ? g_hash_table_lookup(sessions, handle) : NULL;
}

static void plugin_message_free(rtk_message *msg) {
	janus_refcount_decrease(&msg->handle->ref);
	g_free(msg->search.session_id);
	json_decref(msg->search.found);
	rtk_connected_job_free(msg->connected);
	g_free(msg->transaction);
	json_decref(msg->body);
	json_decref(msg->jsep);
	rtk_admission_clear(&msg->admission);
	g_free(msg);
}

/* chat.searchMessages: the store is read without the state lock, then the
 * reply is made with it (chat_requests.h). */
static void plugin_message_search(rtk_message *msg) {
	rtk_chat_request_search_run(msg);
	janus_mutex_lock(&rtk_state_mutex);
	rtk_session *session = plugin_session_lookup(msg->handle);
	if(session != NULL && !g_atomic_int_get(&session->destroyed))
		rtk_chat_request_search_reply(session, msg);
	janus_mutex_unlock(&rtk_state_mutex);
}

/* connectedMeetings.*: the store is read and written without the state
 * lock, then the live rooms change and the reply is made with it
 * (connected_requests.h). */
static void plugin_message_connected(rtk_message *msg) {
	rtk_connected_request_run(msg);
	janus_mutex_lock(&rtk_state_mutex);
	rtk_session *session = plugin_session_lookup(msg->handle);
	if(session != NULL && !g_atomic_int_get(&session->destroyed))
		rtk_connected_request_reply(session, msg);
	janus_mutex_unlock(&rtk_state_mutex);
}

#define RTK_TICK_US (200 * G_TIME_SPAN_MILLISECOND)

static gpointer plugin_message_loop(gpointer data) {
	gint64 next_tick = janus_get_monotonic_time() + RTK_TICK_US;
	while(TRUE) {
		/* The meetings' periodic work (active speaker, views) runs here too,
		 * every 200 ms, between requests: signalling stays on one thread. */
		gint64 wait = next_tick - janus_get_monotonic_time();
		rtk_message *msg = wait > 0 ? g_async_queue_timeout_pop(messages, wait) : g_async_queue_try_pop(messages);
		if(msg == &exit_message)
			break;
		if(janus_get_monotonic_time() >= next_tick) {
			janus_mutex_lock(&rtk_state_mutex);
			rtk_lives_tick();
			janus_mutex_unlock(&rtk_state_mutex);
			next_tick = janus_get_monotonic_time() + RTK_TICK_US;
		}
		if(msg == NULL)
			continue;
		rtk_requests_prepare(msg);   /* store reads: outside the lock */
		janus_mutex_lock(&rtk_state_mutex);
		rtk_session *session = plugin_session_lookup(msg->handle);
		if(session != NULL && !g_atomic_int_get(&session->destroyed))
			rtk_requests_dispatch(session, msg);
		janus_mutex_unlock(&rtk_state_mutex);
		if(msg->search.session_id != NULL)
			plugin_message_search(msg);
		if(msg->connected != NULL)
			plugin_message_connected(msg);
		plugin_message_free(msg);
	}
	return NULL;
}

/* ---- janus_plugin callbacks ---- */

static const char *plugin_config_string(janus_config *config, janus_config_category *general,
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
	/* web_dir = "" serves no web client files: only a missing item takes the default. */
	janus_config_item *web_item = config ?
		janus_config_get(config, general, janus_config_type_item, "web_dir") : NULL;
	const char *web_dir = web_item && web_item->value ? web_item->value : RTK_WEB_DIR;
	/* plugins_seed = "" seeds no plugins, as web_dir does. */
	janus_config_item *seed_item = config ?
		janus_config_get(config, general, janus_config_type_item, "plugins_seed") : NULL;
	const char *plugins_seed = seed_item && seed_item->value ? seed_item->value : RTK_PLUGINS_SEED;
	rtk_gateway_config gwc = {
		.data_dir = plugin_config_string(config, general, "data_dir", "./data"),
		.http_bind = plugin_config_string(config, general, "http_bind", "127.0.0.1"),
		.http_port = atoi(plugin_config_string(config, general, "http_port", "8080")),
		.http_limits = {
			.max_connections = (unsigned int)MAX(0, atoi(plugin_config_string(config, general,
				"http_max_connections", "512"))),
			.max_per_address = (unsigned int)MAX(0, atoi(plugin_config_string(config, general,
				"http_max_connections_per_address", "64"))),
			.hls_max_connections = (unsigned int)MAX(0, atoi(plugin_config_string(config, general,
				"http_hls_max_connections", "0"))),
			.header_timeout_s = (unsigned int)MAX(0, atoi(plugin_config_string(config, general,
				"http_header_timeout", "10"))),
			.idle_timeout_s = (unsigned int)MAX(0, atoi(plugin_config_string(config, general,
				"http_idle_timeout", "15"))),
			.threads = (unsigned int)MAX(0, atoi(plugin_config_string(config, general,
				"http_threads", "4"))),
		},
		.org_id = plugin_config_string(config, general, "org_id", NULL),
		.api_key = plugin_config_string(config, general, "api_key", NULL),
		.jwt_secret = plugin_config_string(config, general, "jwt_secret", NULL),
		.token_ttl_seconds = atoi(plugin_config_string(config, general, "token_ttl", "86400")),
		.live = &rtk_live_api,
		.webhook_allow_private = janus_is_true(plugin_config_string(config, general,
			"webhook_allow_private", "no")),
		.webhook_ca_file = plugin_config_string(config, general, "webhook_ca_file", NULL),
		.web_dir = web_dir,
		.janus_ws_port = atoi(plugin_config_string(config, general, "janus_ws_port", "8188")),
		.janus_ws_url = plugin_config_string(config, general, "janus_ws_url", NULL),
		.chat_file_max_bytes = g_ascii_strtoull(plugin_config_string(config, general,
			"chat_file_max_bytes", "10485760"), NULL, 10),
		.chat_file_types = plugin_config_string(config, general, "chat_file_types", NULL),
		.plugins_seed = plugins_seed,
	};
	char *error = NULL;
	rtk_gw = rtk_gateway_start(&gwc, &error);
	if(rtk_gw != NULL) {
		rtk_chat_store_start();
		rtk_captures_init(plugin_config_string(config, general, "companion_dir", RTK_COMPANION_DIR),
			gwc.data_dir, rtk_live_broadcast_to_meeting);
		rtk_history_init(rtk_gateway_store(rtk_gw));
	}
	if(config)
		janus_config_destroy(config);
	if(rtk_gw == NULL) {
		JANUS_LOG(LOG_FATAL, "[rtk] gateway did not start: %s\n", error ? error : "unknown error");
		free(error);
		return -1;
	}
	JANUS_LOG(LOG_INFO, "[rtk] REST API at %s\n", rtk_gateway_url(rtk_gw));
	rtk_janus = callback;
	sessions = g_hash_table_new_full(NULL, NULL, NULL, NULL);
	rtk_lives_init();
	messages = g_async_queue_new();
	message_thread = g_thread_new("rtk signalling", plugin_message_loop, NULL);
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
	rtk_captures_destroy();   /* companions finish their files first */
	janus_mutex_lock(&rtk_state_mutex);
	rtk_lives_destroy();
	/* Sessions stay allocated: Janus may still call destroy_session, RTP and
	 * RTCP callbacks for their handles; they find no session and return. */
	g_hash_table_destroy(sessions);
	sessions = NULL;
	janus_mutex_unlock(&rtk_state_mutex);
	rtk_history_destroy();   /* after the meetings: their sessions end now */
	g_async_queue_unref(messages);
	rtk_chat_store_stop();   /* stores the sessions' chat, ended above */
	rtk_gateway_stop(rtk_gw);
	rtk_gw = NULL;
	g_atomic_int_set(&initialized, 0);
	JANUS_LOG(LOG_INFO, "%s destroyed\n", RTK_PLUGIN_NAME);
}

/* The last reference to a session is gone: release the core's plugin
 * session, which Janus handed us with one reference in create_session. */
static void plugin_session_free(const janus_refcount *ref) {
	rtk_session *session = janus_refcount_containerof(ref, rtk_session, ref);
	janus_refcount_decrease(&session->handle->ref);
	json_decref(session->left);
	janus_mutex_destroy(&session->pub_mutex);
	g_free(session);
}

/* The session of a handle for the relay path, with a reference the caller
 * drops (janus_refcount_decrease), or NULL when it is going away. */
static rtk_session *plugin_session_acquire(janus_plugin_session *handle) {
	rtk_session *session = handle && !g_atomic_int_get(&handle->stopped) ? handle->plugin_handle : NULL;
	if(session == NULL || g_atomic_int_get(&stopping) || g_atomic_int_get(&session->destroyed))
		return NULL;
	janus_refcount_increase(&session->ref);
	return session;
}

void rtk_plugin_create_session(janus_plugin_session *handle, int *error) {
	if(g_atomic_int_get(&stopping) || !g_atomic_int_get(&initialized)) {
		*error = -1;
		return;
	}
	rtk_session *session = g_new0(rtk_session, 1);
	janus_refcount_init(&session->ref, plugin_session_free);
	session->handle = handle;
	janus_mutex_init(&session->pub_mutex);
	handle->plugin_handle = session;
	janus_mutex_lock(&rtk_state_mutex);
	g_hash_table_insert(sessions, handle, session);
	janus_mutex_unlock(&rtk_state_mutex);
}

void rtk_plugin_destroy_session(janus_plugin_session *handle, int *error) {
	janus_mutex_lock(&rtk_state_mutex);
	rtk_session *session = plugin_session_lookup(handle);
	if(session == NULL) {
		janus_mutex_unlock(&rtk_state_mutex);
		*error = -2;
		return;
	}
	g_atomic_int_set(&session->destroyed, 1);
	if(session->role == RTK_ROLE_MAIN)
		rtk_session_leave(session, NULL);     /* a vanished client leaves like any other */
	else
		rtk_subscriber_reset(session);
	g_hash_table_remove(sessions, handle);
	handle->plugin_handle = NULL;
	janus_mutex_unlock(&rtk_state_mutex);
	janus_refcount_decrease(&session->ref);   /* the table's */
}

json_t *rtk_plugin_query_session(janus_plugin_session *handle) {
	janus_mutex_lock(&rtk_state_mutex);
	rtk_session *session = plugin_session_lookup(handle);
	json_t *info = json_object();
	if(session != NULL) {
		static const char *roles[] = { "none", "main", "subscriber" };
		json_object_set_new(info, "role", json_string(roles[session->role]));
		if(session->peer)
			json_object_set_new(info, "peer_id", json_string(session->peer->id));
		if(session->live)
			json_object_set_new(info, "meeting_id", json_string(session->live->room->meeting_id));
	}
	janus_mutex_unlock(&rtk_state_mutex);
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
	janus_mutex_lock(&rtk_state_mutex);
	rtk_session *session = plugin_session_lookup(handle);
	if(session != NULL) {
		g_atomic_int_set(&session->started, 1);
		if(session->role == RTK_ROLE_SUBSCRIBER)
			rtk_subscriber_request_keyframes(session);
	}
	janus_mutex_unlock(&rtk_state_mutex);
}

/* The relay path: no state_mutex here (see the top of this file). */
void rtk_plugin_incoming_rtp(janus_plugin_session *handle, janus_plugin_rtp *packet) {
	if(packet->mindex < 0 || packet->mindex >= RTK_MAX_PUB_STREAMS)
		return;
	rtk_session *session = plugin_session_acquire(handle);
	if(session == NULL)
		return;
	janus_mutex_lock(&session->pub_mutex);
	rtk_pub_stream *ps = session->pub[packet->mindex];
	if(ps != NULL)
		rtk_relay_rtp(rtk_janus, ps, packet);
	janus_mutex_unlock(&session->pub_mutex);
	janus_refcount_decrease(&session->ref);
}

/* A publisher's sender reports go to the companions fed with the stream
 * (on the relay path's locks, as incoming_rtp: no state_mutex); a
 * subscriber asking for a keyframe: pass it to the stream's publisher. */
void rtk_plugin_incoming_rtcp(janus_plugin_session *handle, janus_plugin_rtcp *packet) {
	rtk_session *publisher = packet->mindex >= 0 && packet->mindex < RTK_MAX_PUB_STREAMS ?
		plugin_session_acquire(handle) : NULL;
	if(publisher != NULL) {
		janus_mutex_lock(&publisher->pub_mutex);
		rtk_pub_stream *ps = publisher->pub[packet->mindex];
		if(ps != NULL)
			rtk_relay_rtcp(ps, packet);
		janus_mutex_unlock(&publisher->pub_mutex);
		janus_refcount_decrease(&publisher->ref);
	}
	if(!packet->video || !(janus_rtcp_has_pli(packet->buffer, packet->length) ||
			janus_rtcp_has_fir(packet->buffer, packet->length)))
		return;
	janus_mutex_lock(&rtk_state_mutex);
	rtk_session *session = plugin_session_lookup(handle);
	if(session != NULL && session->role == RTK_ROLE_SUBSCRIBER && packet->mindex >= 0 &&
			(guint)packet->mindex < session->slots->len) {
		rtk_sub_stream *ss = g_ptr_array_index(session->slots, packet->mindex);
		if(ss->source != NULL)
			rtk_relay_request_keyframe(rtk_janus, ss->source);
	}
	janus_mutex_unlock(&rtk_state_mutex);
}

void rtk_plugin_hangup_media(janus_plugin_session *handle) {
	janus_mutex_lock(&rtk_state_mutex);
	rtk_session *session = plugin_session_lookup(handle);
	if(session != NULL) {
		g_atomic_int_set(&session->started, 0);
		if(session->role == RTK_ROLE_MAIN)
			rtk_publisher_teardown(session, TRUE);
		else if(session->role == RTK_ROLE_SUBSCRIBER)
			rtk_subscriber_reset(session);
	}
	janus_mutex_unlock(&rtk_state_mutex);
}
