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
 * Threads: RTK_WORKERS signalling workers run the requests, each handle's
 * on one worker in the order they came (a handle is hashed to its
 * worker); a ticker runs the meetings' periodic work every 200 ms; with
 * several nodes, node.c's thread writes this node's heartbeat and
 * placements every few seconds, off every meeting lock; the
 * Janus core calls setup_media, hangup_media, destroy_session and the
 * relay callbacks on the handles' event loops; REST calls (live_api.c)
 * come on the gateway's HTTP threads, and companion events (capture.c) on
 * readers.
 *
 * An event loop never waits for a meeting lock: what those callbacks do
 * under one (a PeerConnection up or down, a handle gone, a subscriber's
 * keyframe request or loss report) is queued to the handle's worker, in
 * the order Janus called them (plugin_job). Why: a worker pushes a JSEP
 * with its meeting lock held, and Janus's push_event then waits up to 5 s
 * for that handle's ICE gathering (janus.c, janus_plugin_handle_sdp: "Wait
 * for candidates-done callback"), which runs on the handle's event loop
 * and, with a TURN server (turn_server in janus.jcfg), needs that loop to
 * turn. With event_loops = N > 0 handles share N loops: when one of them
 * waited on the meeting lock in a callback of another handle, gathering
 * stood still with every handle on that loop, Janus gave up after 5 s,
 * and the client behind TURN got no media (test_turn.py,
 * conf/janus.jcfg.in). Callbacks on the relay path take only the relay's
 * own locks, which no worker holds while it pushes a JSEP.
 *
 * Locking: one lock per meeting family (meeting_lock.h: a meeting and its
 * connected meetings) guards its live meetings, the sessions in them and
 * their rooms, routers and views. Every path takes the lock of the one
 * meeting it acts on, so meetings never wait on each other: a request
 * the lock of its session's meeting (rtk_session_lock), else that of the
 * meeting its token admits, else the lock of sessions in no meeting; a
 * REST call or a companion event the lock of its meeting. The store I/O of
 * a request runs without any: the token checks and the meeting's
 * placement before a join (rtk_requests_prepare, node.c), chat.searchMessages and connectedMeetings.*
 * after their dispatch. The relay path takes no meeting lock:
 * incoming_rtp takes only the publisher's `pub_mutex`, then each
 * published stream's `subs_mutex`.
 * Order: meeting lock -> capture.c's lock -> pub_mutex -> subs_mutex.
 * Leaves (nothing is taken under them): the session table's, the live
 * meetings' table (session.c), the session links (session.c) and the
 * meeting locks' table (meeting_lock.c).
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
#include "meeting_lock.h"
#include "cascade.h"
#include "node.h"
#include "policy.h"
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

#define RTK_WORKERS 4

static volatile gint initialized, stopping;
static GMutex sessions_mutex;   /* guards `sessions`: a leaf */
static GHashTable *sessions;    /* janus_plugin_session* -> rtk_session* (a reference) */
static GAsyncQueue *worker_queues[RTK_WORKERS];
static GThread *workers[RTK_WORKERS], *ticker;
static GMutex ticker_mutex;
static GCond ticker_cond;

/* The session of a handle, with a reference the caller drops
 * (janus_refcount_decrease), or NULL once the plugin is stopping (Janus
 * may still call back for handles it has not torn down yet). */
static rtk_session *plugin_session_lookup(janus_plugin_session *handle) {
	g_mutex_lock(&sessions_mutex);
	rtk_session *session = sessions != NULL ? g_hash_table_lookup(sessions, handle) : NULL;
	if(session != NULL)
		janus_refcount_increase(&session->ref);
	g_mutex_unlock(&sessions_mutex);
	return session;
}

static void plugin_message_free(rtk_message *msg) {
	janus_refcount_decrease(&msg->handle->ref);
	g_free(msg->search.session_id);
	json_decref(msg->search.found);
	g_free(msg->forward.meeting_id);
	json_decref(msg->forward.sender);
	json_decref(msg->forward.body);
	g_free(msg->forward.code);
	rtk_connected_job_free(msg->connected);
	g_free(msg->transaction);
	json_decref(msg->body);
	json_decref(msg->jsep);
	rtk_admission_clear(&msg->admission);
	g_free(msg->node_url);
	json_decref(msg->held_reply);
	g_free(msg);
}

/* The lock a request runs under (see the top of this file), acquired,
 * with a reference: its session's meeting's, else the family's of the
 * meeting its token admits (join, subscribe, pre-join), else the lock of
 * sessions in no meeting (root ""). The session cannot enter a meeting
 * meanwhile: only its own requests, on this worker, link it. */
static rtk_meeting_lock *plugin_message_lock(rtk_session *session, rtk_message *msg) {
	rtk_meeting_lock *lock = rtk_session_lock(session);
	if(lock != NULL)
		return lock;
	if(msg->admit_checked && msg->admit_status == RTK_ADMIT_OK)
		return rtk_meeting_lock_meeting(json_string_value(json_object_get(msg->admission.meeting, "id")),
			json_string_value(json_object_get(msg->admission.meeting, "parent_meeting_id")));
	return rtk_meeting_lock_meeting("", NULL);
}

/* chat.searchMessages: the store is read without a lock, then the reply
 * is made with the session's (chat_requests.h). */
static void plugin_message_search(rtk_session *session, rtk_message *msg) {
	rtk_chat_request_search_run(msg);
	msg->lock = rtk_session_lock(session);
	if(msg->lock != NULL && !g_atomic_int_get(&session->destroyed))
		rtk_chat_request_search_reply(session, msg);
	rtk_meeting_lock_done(msg->lock);
	msg->lock = NULL;
}

/* connectedMeetings.*: the store is read and written without a lock,
 * then, with the family's, the live rooms change and the reply is made
 * (connected_requests.h). */
static void plugin_message_connected(rtk_session *session, rtk_message *msg) {
	rtk_connected_request_run(msg);
	msg->lock = rtk_meeting_lock_meeting(rtk_connected_job_root(msg->connected), NULL);
	rtk_connected_request_reply(g_atomic_int_get(&session->destroyed) ? NULL : session, msg);
	rtk_meeting_lock_done(msg->lock);
	msg->lock = NULL;
}

/* A viewer's request on a cascade edge that the owner decides: sent and
 * waited for without a lock (cascade.h), answered with what the owner
 * said (its refusal's code and message as they are). */
static void plugin_message_forward(rtk_message *msg) {
	char *message = NULL;
	json_t *data = rtk_cascade_edge_request(msg->forward.meeting_id, msg->forward.sender, msg->forward.body,
		&msg->forward.code, &message);
	rtk_reply reply = { 0 };
	if(data != NULL) {
		rtk_requests_reply_ok_with(msg, &reply, data);
	} else {
		rtk_refusal why = { .code = msg->forward.code };
		g_strlcpy(why.message, message ? message : "", sizeof(why.message));
		rtk_requests_reply_refusal(&reply, &why);
	}
	g_free(message);
	rtk_requests_push_reply(msg, &reply);
}

static void plugin_message_run(rtk_message *msg) {
	rtk_requests_prepare(msg);   /* store reads: outside any lock */
	rtk_session *session = plugin_session_lookup(msg->handle);
	if(session == NULL)
		return;
	msg->lock = plugin_message_lock(session, msg);
	if(!g_atomic_int_get(&session->destroyed))
		rtk_requests_dispatch(session, msg);
	rtk_meeting_lock_done(msg->lock);
	msg->lock = NULL;
	rtk_requests_push_held(msg);
	if(msg->search.session_id != NULL)
		plugin_message_search(session, msg);
	if(msg->forward.meeting_id != NULL && !g_atomic_int_get(&session->destroyed))
		plugin_message_forward(msg);
	if(msg->connected != NULL)
		plugin_message_connected(session, msg);
	janus_refcount_decrease(&session->ref);
}

/* What a worker runs: a request, or what a Janus core callback made on an
 * event loop does under a meeting lock (see the top of this file). */
typedef enum plugin_job_kind {
	PLUGIN_JOB_REQUEST,          /* handle_message */
	PLUGIN_JOB_MEDIA_UP,         /* setup_media */
	PLUGIN_JOB_MEDIA_DOWN,       /* hangup_media */
	PLUGIN_JOB_SUBSCRIBER_RTCP,  /* incoming_rtcp: a keyframe request or a loss report */
	PLUGIN_JOB_DESTROY,          /* destroy_session */
	PLUGIN_JOB_EXIT,             /* the worker stops */
} plugin_job_kind;

typedef struct plugin_job {
	plugin_job_kind kind;
	rtk_message *msg;            /* REQUEST: owned (it holds the handle's reference) */
	janus_plugin_session *handle;   /* the other kinds: a reference, dropped with the job */
	rtk_session *session;        /* DESTROY: the session, with a reference dropped with the job */
	int mindex;                  /* SUBSCRIBER_RTCP: the subscriber's m-line */
	gboolean keyframe, report;   /* SUBSCRIBER_RTCP: a PLI/FIR; a receiver report... */
	guint8 lost;                 /* ...whose worst fraction lost this is */
} plugin_job;

static plugin_job exit_job = { .kind = PLUGIN_JOB_EXIT };

/* A job about `handle` (not a request), with a reference on it. */
static plugin_job *plugin_job_new(plugin_job_kind kind, janus_plugin_session *handle) {
	plugin_job *job = g_new0(plugin_job, 1);
	job->kind = kind;
	janus_refcount_increase(&handle->ref);
	job->handle = handle;
	return job;
}

static void plugin_job_free(plugin_job *job) {
	if(job == NULL || job == &exit_job)
		return;
	if(job->msg != NULL)
		plugin_message_free(job->msg);
	if(job->session != NULL)
		janus_refcount_decrease(&job->session->ref);
	if(job->handle != NULL)
		janus_refcount_decrease(&job->handle->ref);
	g_free(job);
}

static void plugin_media_up(janus_plugin_session *handle);
static void plugin_media_down(janus_plugin_session *handle);
static void plugin_subscriber_rtcp(janus_plugin_session *handle, const plugin_job *job);
static void plugin_session_gone(rtk_session *session);

static void plugin_job_run(plugin_job *job) {
	switch(job->kind) {
		case PLUGIN_JOB_REQUEST:
			plugin_message_run(job->msg);
			break;
		case PLUGIN_JOB_MEDIA_UP:
			plugin_media_up(job->handle);
			break;
		case PLUGIN_JOB_MEDIA_DOWN:
			plugin_media_down(job->handle);
			break;
		case PLUGIN_JOB_SUBSCRIBER_RTCP:
			plugin_subscriber_rtcp(job->handle, job);
			break;
		case PLUGIN_JOB_DESTROY:
			plugin_session_gone(job->session);
			break;
		case PLUGIN_JOB_EXIT:
			break;
	}
}

static gpointer plugin_worker(gpointer data) {
	GAsyncQueue *queue = data;
	for(;;) {
		plugin_job *job = g_async_queue_pop(queue);
		if(job == &exit_job)
			break;
		plugin_job_run(job);
		plugin_job_free(job);
	}
	return NULL;
}

#define RTK_TICK_US (200 * G_TIME_SPAN_MILLISECOND)

/* The meetings' periodic work (active speaker, views, livestream
 * viewers), every 200 ms, each meeting under its own lock. */
static gpointer plugin_ticker(gpointer data) {
	(void)data;
	g_mutex_lock(&ticker_mutex);
	while(!g_atomic_int_get(&stopping)) {
		gint64 until = g_get_monotonic_time() + RTK_TICK_US;
		while(!g_atomic_int_get(&stopping) && g_cond_wait_until(&ticker_cond, &ticker_mutex, until))
			;
		if(g_atomic_int_get(&stopping))
			break;
		g_mutex_unlock(&ticker_mutex);
		rtk_lives_tick();
		g_mutex_lock(&ticker_mutex);
	}
	g_mutex_unlock(&ticker_mutex);
	return NULL;
}

/* A handle's requests and media jobs all go to one worker, so they run in
 * the order they came. */
static GAsyncQueue *plugin_worker_queue(janus_plugin_session *handle) {
	guintptr h = (guintptr)handle;
	return worker_queues[((h >> 4) ^ (h >> 12)) % RTK_WORKERS];
}

static void plugin_job_queue(plugin_job *job) {
	janus_plugin_session *handle = job->msg != NULL ? job->msg->handle : job->handle;
	g_async_queue_push(plugin_worker_queue(handle), job);
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
		.public_url = plugin_config_string(config, general, "public_url", ""),
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
			.rate_limit = (unsigned int)MAX(0, atoi(plugin_config_string(config, general,
				"http_rate_limit", G_STRINGIFY(RTK_HTTP_DEFAULT_RATE_LIMIT)))),
			.rate_limit_burst = (unsigned int)MAX(0, atoi(plugin_config_string(config, general,
				"http_rate_limit_burst", G_STRINGIFY(RTK_HTTP_DEFAULT_RATE_LIMIT_BURST)))),
		},
		.metrics_token = plugin_config_string(config, general, "metrics_token", NULL),
		.database_url = plugin_config_string(config, general, "database_url", NULL),
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
		.tls_cert = plugin_config_string(config, general, "tls_cert", NULL),
		.tls_key = plugin_config_string(config, general, "tls_key", NULL),
		.turn_server = plugin_config_string(config, general, "turn_server", NULL),
		.turn_port = atoi(plugin_config_string(config, general, "turn_port", "3478")),
		.turn_transport = plugin_config_string(config, general, "turn_transport", "udp"),
		.turn_user = plugin_config_string(config, general, "turn_user", NULL),
		.turn_password = plugin_config_string(config, general, "turn_password", NULL),
		.turn_secret = plugin_config_string(config, general, "turn_secret", NULL),
		.turn_credential_ttl = atoi(plugin_config_string(config, general, "turn_credential_ttl", "86400")),
		.node_id = plugin_config_string(config, general, "node_id", NULL),
		.node_forward_timeout = atoi(plugin_config_string(config, general, "node_forward_timeout", "10")),
	};
	char *error = NULL;
	rtk_gw = rtk_gateway_start(&gwc, &error);
	if(rtk_gw != NULL) {
		rtk_chat_store_start();
		rtk_captures_init(plugin_config_string(config, general, "companion_dir", RTK_COMPANION_DIR),
			gwc.data_dir, rtk_live_broadcast_to_meeting);
		rtk_captures_set_encode_once(rtk_encode_once_enabled(plugin_config_string(config, general, "encode_once", "1")));
		rtk_history_init(rtk_gateway_store(rtk_gw), gwc.node_id != NULL);
		rtk_node_init(rtk_gw, gwc.node_id, plugin_config_string(config, general, "node_janus_url", NULL),
			plugin_config_string(config, general, "node_rest_url", NULL),
			atoi(plugin_config_string(config, general, "node_lease", "15")));
		if(gwc.node_id != NULL && *gwc.node_id != '\0')   /* cascade.h: only with several nodes */
			rtk_cascade_init(atoi(plugin_config_string(config, general, "node_cascade_port", "0")),
				plugin_config_string(config, general, "node_rest_url", NULL));
		rtk_policy_set_last_n((guint)CLAMP(atoi(plugin_config_string(config, general,
			"last_n_audio", "0")), 0, 100));
		rtk_policy_set_dynacast(g_strcmp0(plugin_config_string(config, general, "dynacast", "1"), "0") != 0);
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
	for(int i = 0; i < RTK_WORKERS; i++) {
		char name[32];
		g_snprintf(name, sizeof name, "rtk signal %d", i);
		worker_queues[i] = g_async_queue_new();
		workers[i] = g_thread_new(name, plugin_worker, worker_queues[i]);
	}
	ticker = g_thread_new("rtk ticker", plugin_ticker, NULL);
	g_atomic_int_set(&initialized, 1);
	JANUS_LOG(LOG_INFO, "%s initialized\n", RTK_PLUGIN_NAME);
	return 0;
}

void rtk_plugin_destroy(void) {
	if(!g_atomic_int_get(&initialized))
		return;
	g_atomic_int_set(&stopping, 1);
	g_mutex_lock(&ticker_mutex);
	g_cond_signal(&ticker_cond);
	g_mutex_unlock(&ticker_mutex);
	g_thread_join(ticker);
	for(int i = 0; i < RTK_WORKERS; i++) {
		g_async_queue_push(worker_queues[i], &exit_job);
		g_thread_join(workers[i]);
		plugin_job *late;   /* queued by a callback while the worker stopped: not run */
		while((late = g_async_queue_try_pop(worker_queues[i])) != NULL)
			plugin_job_free(late);
		g_async_queue_unref(worker_queues[i]);
	}
	rtk_cascade_destroy();    /* edges let go of their meetings; edges fed no more */
	rtk_captures_destroy();   /* companions finish their files first */
	/* Sessions stay allocated: Janus may still call destroy_session, RTP and
	 * RTCP callbacks for their handles; they find no session and return. */
	g_mutex_lock(&sessions_mutex);
	GHashTable *table = sessions;
	sessions = NULL;
	g_mutex_unlock(&sessions_mutex);
	g_hash_table_destroy(table);
	rtk_lives_destroy();
	rtk_node_destroy();      /* its placements go: the meetings ended */
	rtk_history_destroy();   /* after the meetings: their sessions end now */
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
	g_free(session->origin_url);
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
	g_mutex_lock(&sessions_mutex);
	g_hash_table_insert(sessions, handle, session);
	g_mutex_unlock(&sessions_mutex);
}

/* On the handle's worker: takes the session out of its meeting (a
 * vanished client leaves like any other), then out of the table. The
 * caller's reference stays the caller's. */
static void plugin_session_gone(rtk_session *session) {
	janus_plugin_session *handle = session->handle;
	rtk_meeting_lock *lock = rtk_session_lock(session);
	if(session->role == RTK_ROLE_MAIN)
		rtk_session_leave(session, NULL);
	else
		rtk_subscriber_reset(session);
	rtk_meeting_lock_done(lock);
	g_mutex_lock(&sessions_mutex);
	gboolean listed = sessions != NULL && g_hash_table_remove(sessions, handle);
	g_mutex_unlock(&sessions_mutex);
	handle->plugin_handle = NULL;
	if(listed)
		janus_refcount_decrease(&session->ref);   /* the table's */
}

/* On the handle's event loop: the session stops relaying and no meeting
 * takes it in from now on; its leaving is its worker's job (the reference
 * taken here goes with the job). */
void rtk_plugin_destroy_session(janus_plugin_session *handle, int *error) {
	rtk_session *session = plugin_session_lookup(handle);
	if(session == NULL) {
		*error = -2;
		return;
	}
	rtk_session_mark_destroyed(session);
	plugin_job *job = plugin_job_new(PLUGIN_JOB_DESTROY, handle);
	job->session = session;
	plugin_job_queue(job);
}

json_t *rtk_plugin_query_session(janus_plugin_session *handle) {
	rtk_session *session = plugin_session_lookup(handle);
	json_t *info = json_object();
	if(session == NULL)
		return info;
	rtk_meeting_lock *lock = rtk_session_lock(session);
	static const char *roles[] = { "none", "main", "subscriber" };
	json_object_set_new(info, "role", json_string(roles[session->role]));
	if(session->peer)
		json_object_set_new(info, "peer_id", json_string(session->peer->id));
	if(session->live)
		json_object_set_new(info, "meeting_id", json_string(session->live->room->meeting_id));
	rtk_meeting_lock_done(lock);
	janus_refcount_decrease(&session->ref);
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
	plugin_job *job = g_new0(plugin_job, 1);
	job->kind = PLUGIN_JOB_REQUEST;
	job->msg = msg;
	plugin_job_queue(job);
	return janus_plugin_result_new(JANUS_PLUGIN_OK_WAIT, NULL, NULL);
}

/* On the handle's worker: its PeerConnection is up; a subscriber's
 * streams start on keyframes. */
static void plugin_media_up(janus_plugin_session *handle) {
	rtk_session *session = plugin_session_lookup(handle);
	if(session == NULL)
		return;
	rtk_meeting_lock *lock = rtk_session_lock(session);
	g_atomic_int_set(&session->started, 1);
	if(lock != NULL && session->role == RTK_ROLE_SUBSCRIBER)
		rtk_subscriber_request_keyframes(session);
	rtk_meeting_lock_done(lock);
	janus_refcount_decrease(&session->ref);
}

void rtk_plugin_setup_media(janus_plugin_session *handle) {
	plugin_job_queue(plugin_job_new(PLUGIN_JOB_MEDIA_UP, handle));
}

/* The relay path: no meeting lock here (see the top of this file). */
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
 * (on the relay path's locks, as incoming_rtp: no meeting lock); a
 * subscriber asking for a keyframe: pass it to the stream's publisher; a
 * subscriber's receiver reports: their loss goes to the forwarding policy.
 * Those two need the meeting lock: the handle's worker does them. */
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
	guint8 lost = 0;
	gboolean keyframe = packet->video && (janus_rtcp_has_pli(packet->buffer, packet->length) ||
			janus_rtcp_has_fir(packet->buffer, packet->length));
	gboolean report = packet->video && rtk_fwd_rtcp_max_loss((const uint8_t *)packet->buffer,
		packet->length, &lost);   /* a subscriber's downlink (policy.h) */
	if(!keyframe && !report)
		return;
	plugin_job *job = plugin_job_new(PLUGIN_JOB_SUBSCRIBER_RTCP, handle);
	job->mindex = packet->mindex;
	job->keyframe = keyframe;
	job->report = report;
	job->lost = lost;
	plugin_job_queue(job);
}

/* On the handle's worker: what a subscriber's RTCP asks (see
 * rtk_plugin_incoming_rtcp). */
static void plugin_subscriber_rtcp(janus_plugin_session *handle, const plugin_job *job) {
	rtk_session *session = plugin_session_lookup(handle);
	if(session == NULL)
		return;
	rtk_meeting_lock *lock = rtk_session_lock(session);
	if(lock != NULL && job->keyframe && session->role == RTK_ROLE_SUBSCRIBER && job->mindex >= 0 &&
			(guint)job->mindex < session->slots->len) {
		rtk_sub_stream *ss = g_ptr_array_index(session->slots, job->mindex);
		if(ss->source != NULL)
			rtk_relay_request_keyframe(rtk_janus, ss->source);
	}
	if(lock != NULL && job->report)
		rtk_policy_subscriber_loss(session, job->lost);
	rtk_meeting_lock_done(lock);
	janus_refcount_decrease(&session->ref);
}

/* On the handle's worker: its PeerConnection is gone. */
static void plugin_media_down(janus_plugin_session *handle) {
	rtk_session *session = plugin_session_lookup(handle);
	if(session == NULL)
		return;
	rtk_meeting_lock *lock = rtk_session_lock(session);
	g_atomic_int_set(&session->started, 0);
	if(session->role == RTK_ROLE_MAIN)
		rtk_publisher_teardown(session, TRUE);
	else if(session->role == RTK_ROLE_SUBSCRIBER)
		rtk_subscriber_reset(session);
	rtk_meeting_lock_done(lock);
	janus_refcount_decrease(&session->ref);
}

void rtk_plugin_hangup_media(janus_plugin_session *handle) {
	plugin_job_queue(plugin_job_new(PLUGIN_JOB_MEDIA_DOWN, handle));
}
