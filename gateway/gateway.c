/*
 * gateway.c - starts and stops the gateway (see gateway.h): the data
 * directory, the deployment credentials, the store (SQLite in the data
 * directory, or PostgreSQL when RTK_DATABASE_URL is set) with its default
 * presets (and the clean-up of recordings and livestreams a crash left
 * unfinished), webhook delivery, the LL-HLS stream registry (hls.h), the
 * HTTP server, and the join check the
 * plugin runs on tokens.
 *
 * Credentials: each of org_id, api_key and jwt_secret is taken from the
 * config when given (non-empty), else from <data_dir>/credentials.json, else
 * generated; generated values are written back (mode 0600) so they stay the
 * same across restarts. Values that came from the config are not written.
 * The JWT secret is used as the bytes of its string (HMAC key).
 *
 * TLS (RTK_TLS_CERT, RTK_TLS_KEY): the pair is read and checked (tls.h)
 * before anything listens; a bad pair stops the start, so the port never
 * serves plain HTTP where HTTPS was asked for. The gateway's URL (the REST
 * banner, playback and download links) is then https://.
 *
 * TURN (RTK_TURN_*): with long-term credentials, handed to browsers at
 * /sdk/server.json as one RTCIceServer (docs/deploy.md says what that
 * exposes) and in each roomJoined; with a TURN secret (turn_rest.h),
 * server.json lists no TURN server and each roomJoined carries
 * credentials minted for that participant, valid turn_credential_ttl.
 * Janus reads its own from janus.jcfg (./rtk renders them).
 *
 * The webhook signing key (webhooks.h, rtk-signature) lives in
 * <data_dir>/webhook_key.pem: generated (RSA-2048, mode 0600) at the first
 * start, read at every later one, so receivers keep the public key they
 * fetched from /.well-known/webhooks.json.
 *
 * Nothing here logs a secret or a token.
 */
#include "gateway.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glib.h>

#include "chat_files.h"
#include "http.h"
#include "node_forward.h"
#include "presets_default.h"
#include "rest.h"
#include "rest_internal.h"
#include "static.h"
#include "tls.h"
#include "turn_rest.h"
#include "util.h"

#define DEFAULT_BIND "127.0.0.1"
#define DEFAULT_TOKEN_TTL 86400
#define SECRET_BYTES 32
#define DEFAULT_TURN_PORT 3478
#define DEFAULT_TURN_CREDENTIAL_TTL 86400   /* RTK_TURN_CREDENTIAL_TTL's default: a day */

struct rtk_gateway {
	char *data_dir;
	char *recordings_dir;       /* <data_dir>/recordings (g_malloc'd): where rtk-recorder writes */
	char *chat_files_dir;       /* <data_dir>/chat-files (g_malloc'd): chat uploads (chat_files.h) */
	char *chat_file_types;      /* the media types chat uploads may have (g_malloc'd), or NULL: the default */
	char *web_dir;              /* the web client files (g_malloc'd), or NULL (static.h) */
	char *server_json;          /* /sdk/server.json (malloc'd by rtk_static_server_info) */
	json_t *ice_servers;        /* the TURN RTCIceServer of the settings, without credentials when
	                             * turn_secret is set (then minted per participant); [] for none */
	char *turn_secret;          /* malloc'd (cleared when freed), or NULL: long-term credentials or no TURN */
	int turn_credential_ttl;    /* seconds, with turn_secret */
	char *org_id;
	char *api_key;
	char *jwt_secret;
	char *url;
	rtk_store *store;
	rtk_webhooks *webhooks;
	EVP_PKEY *webhook_key;      /* the deployment's webhook signing key (webhooks.h) */
	char *webhook_public_pem;   /* its public half (malloc'd): /.well-known/webhooks.json */
	rtk_plugin_registry *plugins;   /* the store's plugins table, copied (plugin_registry.h) */
	rtk_hls *hls;        /* live LL-HLS streams (hls.h), served by the HTTP server */
	char *metrics_token; /* g_malloc'd, or NULL: /metrics is open (metrics.h) */
	rtk_node_forward *nodes; /* several nodes: live operations forwarded (node_forward.h); NULL: one node */
	rtk_rest_ctx rest;   /* borrowed by the HTTP server: lives as long as the gateway */
	rtk_http *http;
};

static int gateway_given(const char *s)
{
	return s && *s;
}

/* ---- credentials ---- */

typedef struct credential {
	const char *key;       /* in credentials.json */
	const char *config;    /* from rtk_gateway_config, may be NULL */
	char **slot;           /* where the chosen value goes (malloc'd) */
} credential;

static char *gateway_generate(const char *key)
{
	return strcmp(key, "org_id") == 0 ? rtk_util_uuid4() : rtk_util_random_hex(SECRET_BYTES);
}

/* Reads credentials.json into a new object; a missing file reads as {}. */
static json_t *gateway_credentials_read(const char *path, char **error)
{
	size_t len = 0;
	char *text = rtk_util_read_file(path, &len);
	if (!text) {
		if (errno == ENOENT)
			return json_object();
		rtk_util_set_error(error, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	json_error_t jerr;
	json_t *file = json_loadb(text, len, 0, &jerr);
	free(text);
	/* Refuse to regenerate over a damaged file: that would silently void
	 * every API key and token handed out so far. */
	if (!file) {
		rtk_util_set_error(error, "%s: line %d: %s; fix or remove the file", path, jerr.line, jerr.text);
		return NULL;
	}
	if (!json_is_object(file)) {
		rtk_util_set_error(error, "%s is not a JSON object; fix or remove the file", path);
		json_decref(file);
		return NULL;
	}
	return file;
}

static int gateway_credentials_load(rtk_gateway *gw, const rtk_gateway_config *config, char **error)
{
	credential creds[] = {
		{ "org_id", config->org_id, &gw->org_id },
		{ "api_key", config->api_key, &gw->api_key },
		{ "jwt_secret", config->jwt_secret, &gw->jwt_secret },
	};
	char *path = g_build_filename(gw->data_dir, "credentials.json", NULL);
	json_t *file = gateway_credentials_read(path, error);
	int rc = file ? 0 : -1, dirty = 0;

	for (size_t i = 0; rc == 0 && i < G_N_ELEMENTS(creds); i++) {
		const char *stored = json_string_value(json_object_get(file, creds[i].key));
		if (gateway_given(creds[i].config)) {
			*creds[i].slot = strdup(creds[i].config);
		} else if (gateway_given(stored)) {
			*creds[i].slot = strdup(stored);
		} else {
			*creds[i].slot = gateway_generate(creds[i].key);
			if (*creds[i].slot) {
				json_object_set_new(file, creds[i].key, json_string(*creds[i].slot));
				dirty = 1;
			}
		}
		if (!*creds[i].slot) {
			rtk_util_set_error(error, "cannot set up %s: out of memory or entropy", creds[i].key);
			rc = -1;
		}
	}

	if (rc == 0 && dirty) {
		char *text = json_dumps(file, JSON_INDENT(2) | JSON_SORT_KEYS);
		if (!text || rtk_util_write_file_atomic(path, text, strlen(text), 0600) != 0) {
			rtk_util_set_error(error, "cannot write %s: %s", path, strerror(errno));
			rc = -1;
		}
		free(text);
		if (rc == 0)   /* the file path, never the values */
			g_message("rtk gateway: generated credentials saved in %s", path);
	} else if (rc == 0 && chmod(path, 0600) != 0 && errno != ENOENT) {
		g_warning("rtk gateway: cannot restrict %s to mode 0600: %s", path, strerror(errno));
	}
	json_decref(file);
	g_free(path);
	return rc;
}

/* ---- default presets ---- */

static int gateway_seed_presets(rtk_store *store, char **error)
{
	int done = rtk_store_meta_done(store, "default_presets_seeded", error);
	if (done != 0)
		return done < 0 ? -1 : 0;
	rtk_store_status st;

	json_t *presets = rtk_presets_default();
	size_t i;
	json_t *preset;
	int rc = json_is_array(presets) ? 0 : -1;
	json_array_foreach(presets, i, preset) {
		const char *name = json_string_value(json_object_get(preset, "name"));
		json_t *existing = NULL, *created = NULL;
		st = rtk_store_preset_get_by_name(store, name, &existing);
		if (st == RTK_STORE_NOT_FOUND)
			st = rtk_store_preset_create(store, preset, &created);
		/* Another node sharing the database created it in between. */
		if (st == RTK_STORE_CONFLICT)
			st = RTK_STORE_OK;
		json_decref(existing);
		json_decref(created);
		if (st != RTK_STORE_OK) {
			rtk_util_set_error(error, "cannot create default preset %s", name ? name : "(unnamed)");
			rc = -1;
			break;
		}
	}
	json_decref(presets);
	if (rc == 0 && rtk_store_meta_set(store, "default_presets_seeded", "1") != RTK_STORE_OK) {
		rtk_util_set_error(error, "cannot write store metadata");
		rc = -1;
	}
	if (rc != 0 && error && !*error)
		rtk_util_set_error(error, "no default presets");
	return rc;
}

/* ---- unfinished outputs ---- */

/* Removes the uploads the stored chat of session `id` carried. */
static void gateway_remove_chat_files(rtk_store *store, const char *chat_files_dir, const char *id)
{
	json_t *rows = NULL, *row;
	size_t i;
	if (rtk_store_chat_list(store, id, 0, -1, &rows, NULL) != RTK_STORE_OK)
		return;
	json_array_foreach(rows, i, row) {
		const char *file = json_string_value(json_object_get(row, "fileId"));
		if (file && *file && !rtk_chat_files_remove(chat_files_dir,
				json_string_value(json_object_get(row, "meeting_id")), file))
			g_warning("rtk gateway: cannot remove chat file %s of session %s", file, id);
	}
	json_decref(rows);
}

/* The chat of the sessions a previous run left LIVE goes, files and all,
 * as it would have at their end, unless their meeting has persist_chat (a
 * session that ends normally is the plugin's: plugin/chat_store.c).
 * Failures are logged: the rows stay until a later start. */
static void gateway_purge_unkept_chat(rtk_store *store, const char *chat_files_dir, const char *meeting_id)
{
	json_t *live = NULL, *session;
	size_t i;
	if (rtk_store_session_list(store, meeting_id, "LIVE", 0, -1, &live, NULL) != RTK_STORE_OK) {
		g_warning("rtk gateway: cannot list the sessions left LIVE: their chat stays");
		return;
	}
	json_array_foreach(live, i, session) {
		const char *id = json_string_value(json_object_get(session, "id"));
		json_t *meeting = NULL;
		rtk_store_status st = rtk_store_meeting_get(store,
			json_string_value(json_object_get(session, "meeting_id")), &meeting);
		gboolean keep = st == RTK_STORE_OK && json_is_true(json_object_get(meeting, "persist_chat"));
		json_decref(meeting);
		if (keep || !id)
			continue;
		gateway_remove_chat_files(store, chat_files_dir, id);
		if (rtk_store_chat_purge_session(store, id) != RTK_STORE_OK)
			g_warning("rtk gateway: cannot remove the chat of session %s", id);
	}
	json_decref(live);
}

/* One meeting's share of the clean-up below: for a node of several,
 * whose start or claim ends what a dead node (or its own previous run)
 * left of that meeting alone. */
static int gateway_end_meeting_orphans(rtk_store *store, const char *chat_files_dir, const char *meeting_id)
{
	gateway_purge_unkept_chat(store, chat_files_dir, meeting_id);
	int sessions = 0, recordings = 0, livestreams = 0;
	if (rtk_store_meeting_end_unfinished(store, meeting_id, &sessions, &recordings, &livestreams) !=
			RTK_STORE_OK) {
		g_warning("rtk gateway: cannot end what a stopped node left of meeting %s", meeting_id);
		return -1;
	}
	if (sessions || recordings || livestreams)
		g_message("rtk gateway: meeting %s: %d session(s) left LIVE by a stopped node are now ENDED, "
			"%d recording(s) and %d livestream(s) ERRORED", meeting_id, sessions, recordings, livestreams);
	return 0;
}

/* With several nodes: what this node's previous run left, the meetings
 * it had placed, ends; their placements go. Other nodes' meetings are
 * theirs (a dead node's are ended by the node that places them again). */
static int gateway_fail_unfinished_of_node(rtk_store *store, const char *chat_files_dir, const char *node_id,
	char **error)
{
	json_t *placements = NULL, *placement;
	size_t i;
	if (rtk_store_placement_list(store, node_id, &placements) != RTK_STORE_OK) {
		rtk_util_set_error(error, "cannot read this node's meeting placements");
		return -1;
	}
	int rc = 0;
	json_array_foreach(placements, i, placement) {
		const char *meeting_id = json_string_value(json_object_get(placement, "meeting_id"));
		if (gateway_end_meeting_orphans(store, chat_files_dir, meeting_id) != 0 ||
				rtk_store_placement_release(store, meeting_id, node_id) == RTK_STORE_FAILED) {
			rtk_util_set_error(error, "cannot end what the previous run left of meeting %s", meeting_id);
			rc = -1;
			break;
		}
	}
	json_decref(placements);
	return rc;
}

/* Recordings and livestreams a previous run left in progress cannot be
 * resumed (their companions died with it): they become ERRORED; its live
 * sessions become ENDED. */
static int gateway_fail_unfinished(rtk_store *store, const char *chat_files_dir, char **error)
{
	int recordings = 0, livestreams = 0;
	if (rtk_store_recording_fail_unfinished(store, &recordings) != RTK_STORE_OK ||
			rtk_store_livestream_fail_unfinished(store, &livestreams) != RTK_STORE_OK) {
		rtk_util_set_error(error, "cannot mark unfinished recordings and livestreams as ERRORED");
		return -1;
	}
	if (recordings || livestreams)
		g_message("rtk gateway: %d recording(s) and %d livestream(s) left unfinished by the "
			"previous run are now ERRORED", recordings, livestreams);
	/* The sessions it left LIVE ended with it, and so did their chat. */
	gateway_purge_unkept_chat(store, chat_files_dir, NULL);
	int sessions = 0;
	if (rtk_store_session_end_unfinished(store, &sessions) != RTK_STORE_OK) {
		rtk_util_set_error(error, "cannot mark the sessions left LIVE as ENDED");
		return -1;
	}
	if (sessions)
		g_message("rtk gateway: %d session(s) left LIVE by the previous run are now ENDED", sessions);
	return 0;
}

/* ---- start / stop ---- */

/* The RTCIceServer of the TURN server (a new array of one object, or of
 * none when no server is set; NULL when the transport is unknown, with
 * *error). UDP relaying is offered first, then TCP for networks that let
 * no UDP out; "tls" offers turns: only. */
static json_t *gateway_ice_servers(const rtk_gateway_config *config, char **error)
{
	json_t *servers = json_array();
	if (!gateway_given(config->turn_server))
		return servers;
	const char *transport = gateway_given(config->turn_transport) ? config->turn_transport : "udp";
	int port = config->turn_port > 0 ? config->turn_port : DEFAULT_TURN_PORT;
	const char *host = config->turn_server;
	bool v6 = strchr(host, ':') != NULL;
	char *udp = g_strdup_printf("turn:%s%s%s:%d?transport=udp", v6 ? "[" : "", host, v6 ? "]" : "", port);
	char *tcp = g_strdup_printf("turn:%s%s%s:%d?transport=tcp", v6 ? "[" : "", host, v6 ? "]" : "", port);
	char *tls = g_strdup_printf("turns:%s%s%s:%d?transport=tcp", v6 ? "[" : "", host, v6 ? "]" : "", port);
	json_t *urls = NULL;
	if (strcmp(transport, "udp") == 0)
		urls = json_pack("[s, s]", udp, tcp);
	else if (strcmp(transport, "tcp") == 0)
		urls = json_pack("[s]", tcp);
	else if (strcmp(transport, "tls") == 0)
		urls = json_pack("[s]", tls);
	g_free(udp);
	g_free(tcp);
	g_free(tls);
	if (urls == NULL) {
		rtk_util_set_error(error, "unknown TURN transport '%s' (RTK_TURN_TRANSPORT): udp, tcp or tls",
			transport);
		json_decref(servers);
		return NULL;
	}
	json_t *server = json_pack("{s:o}", "urls", urls);
	if (!gateway_given(config->turn_secret) && gateway_given(config->turn_user))
		json_object_set_new(server, "username", json_string(config->turn_user));
	if (!gateway_given(config->turn_secret) && gateway_given(config->turn_password))
		json_object_set_new(server, "credential", json_string(config->turn_password));
	json_array_append_new(servers, server);
	return servers;
}

/* gw->ice_servers, the TURN secret and /sdk/server.json's text into
 * gw->server_json (which lists the TURN server only with long-term
 * credentials: minted ones are a participant's own); -1 with *error. */
static int gateway_server_info(rtk_gateway *gw, const rtk_gateway_config *config, bool tls, char **error)
{
	gw->ice_servers = gateway_ice_servers(config, error);
	if (gw->ice_servers == NULL)
		return -1;
	bool minted = gateway_given(config->turn_server) && gateway_given(config->turn_secret);
	if (minted) {
		gw->turn_secret = strdup(config->turn_secret);
		gw->turn_credential_ttl = config->turn_credential_ttl > 0 ? config->turn_credential_ttl
			: DEFAULT_TURN_CREDENTIAL_TTL;
	}
	json_t *public = minted ? json_array() : json_incref(gw->ice_servers);
	gw->server_json = rtk_static_server_info(config->janus_ws_port > 0 ? config->janus_ws_port : 8188,
		config->janus_ws_url, tls, public);
	json_decref(public);
	if (gw->server_json == NULL) {
		rtk_util_set_error(error, "out of memory");
		return -1;
	}
	if (minted)
		g_message("rtk gateway: participants get credentials of their own for the TURN server %s, valid "
			"%d s (RTK_TURN_SECRET)", config->turn_server, gw->turn_credential_ttl);
	else if (json_array_size(gw->ice_servers) > 0)
		g_message("rtk gateway: browsers are told to relay through the TURN server %s (RTK_TURN_SERVER)",
			config->turn_server);
	return 0;
}

json_t *rtk_gateway_ice_servers(rtk_gateway *gateway, const char *user)
{
	if (gateway == NULL || gateway->ice_servers == NULL)
		return json_array();
	json_t *servers = json_deep_copy(gateway->ice_servers);
	if (gateway->turn_secret == NULL || user == NULL)
		return servers;
	char *username = rtk_turn_username((long long)(g_get_real_time() / G_USEC_PER_SEC) +
		gateway->turn_credential_ttl, user);
	char *password = rtk_turn_password(gateway->turn_secret, username);
	size_t i;
	json_t *server;
	json_array_foreach(servers, i, server) {
		json_object_set_new(server, "username", json_string(username));
		json_object_set_new(server, "credential", json_string(password));
	}
	g_free(username);
	g_free(password);
	return servers;
}

/* The TLS pair into *pair when one is configured; 0 (and an empty pair)
 * when neither file is, -1 with *error when it cannot be used. */
static int gateway_tls_load(const rtk_gateway_config *config, rtk_tls_pair *pair, char **error)
{
	*pair = (rtk_tls_pair) { 0 };
	if (!gateway_given(config->tls_cert) && !gateway_given(config->tls_key))
		return 0;
	return rtk_tls_pair_load(config->tls_cert, config->tls_key, pair, error);
}

static char *gateway_make_url(const char *bind, int port, bool tls)
{
	const char *host = bind;
	if (strcmp(bind, "0.0.0.0") == 0 || strcmp(bind, "") == 0)
		host = "127.0.0.1";
	else if (strcmp(bind, "::") == 0)
		host = "::1";
	int v6 = strchr(host, ':') != NULL;
	size_t n = strlen(host) + 32;
	char *url = malloc(n);
	if (url)
		snprintf(url, n, "%s://%s%s%s:%d", tls ? "https" : "http", v6 ? "[" : "", host, v6 ? "]" : "", port);
	return url;
}

rtk_gateway *rtk_gateway_start(const rtk_gateway_config *config, char **error)
{
	rtk_tls_pair tls = { 0 };   /* read here, copied by the HTTP server, cleared at the end */
	if (error)
		*error = NULL;
	if (!config || !gateway_given(config->data_dir)) {
		rtk_util_set_error(error, "no data directory configured");
		return NULL;
	}
	rtk_gateway *gw = calloc(1, sizeof(*gw));
	if (!gw || !(gw->data_dir = strdup(config->data_dir))) {
		free(gw);
		rtk_util_set_error(error, "out of memory");
		return NULL;
	}

	if (rtk_util_mkdir_p(gw->data_dir, 0700) != 0) {
		rtk_util_set_error(error, "cannot create %s: %s", gw->data_dir, strerror(errno));
		goto fail;
	}
	/* First: a bad certificate should be said before anything else runs. */
	if (gateway_tls_load(config, &tls, error) != 0)
		goto fail;
	if (gateway_credentials_load(gw, config, error) != 0)
		goto fail;

	if (gateway_given(config->node_id) && !gateway_given(config->database_url)) {
		rtk_util_set_error(error, "RTK_NODE_ID needs RTK_DATABASE_URL: several nodes share one PostgreSQL "
			"database, not a SQLite file");
		goto fail;
	}
	if (gateway_given(config->database_url)) {
		gw->store = rtk_store_open_url(config->database_url, error);
		if (gw->store)
			g_message("rtk gateway: the store is on PostgreSQL (RTK_DATABASE_URL)");
	} else {
		char *db_path = g_build_filename(gw->data_dir, "rtk.sqlite3", NULL);
		gw->store = rtk_store_open(db_path, error);
		g_free(db_path);
	}
	gw->chat_files_dir = g_build_filename(gw->data_dir, RTK_CHAT_FILES_DIR, NULL);
	if (!gw->store || gateway_seed_presets(gw->store, error) != 0 || rtk_plugins_seed(gw->store, config->plugins_seed, error) != 0 ||
			(gateway_given(config->node_id) ?
				gateway_fail_unfinished_of_node(gw->store, gw->chat_files_dir, config->node_id, error) :
				gateway_fail_unfinished(gw->store, gw->chat_files_dir, error)) != 0)
		goto fail;
	gw->plugins = rtk_plugin_registry_new();
	if (rtk_plugin_registry_reload(gw->plugins, gw->store) != 0) {
		rtk_util_set_error(error, "cannot read the plugin registry");
		goto fail;
	}
	char *key_path = g_build_filename(gw->data_dir, "webhook_key.pem", NULL);
	gw->webhook_key = rtk_webhooks_key_load(key_path, error);
	g_free(key_path);
	if (!gw->webhook_key)
		goto fail;
	gw->webhook_public_pem = rtk_webhooks_public_key_pem(gw->webhook_key);
	const char *bind = gateway_given(config->http_bind) ? config->http_bind : DEFAULT_BIND;
	gw->url = gateway_given(config->public_url) ? strdup(config->public_url) :
		gateway_make_url(bind, config->http_port, tls.cert_pem != NULL);
	if (!gw->webhook_public_pem || !gw->url) {
		rtk_util_set_error(error, "out of memory");
		goto fail;
	}
	rtk_webhooks_config whc = {
		.allow_private = config->webhook_allow_private,
		.ca_file = config->webhook_ca_file,
		.signing_key = gw->webhook_key,
		.org_id = gw->org_id,
		.base_url = gw->url,
		.link_secret = (const unsigned char *)gw->jwt_secret,
		.link_secret_len = strlen(gw->jwt_secret),
	};
	gw->webhooks = rtk_webhooks_new(gw->store, &whc);
	if (!gw->webhooks) {
		rtk_util_set_error(error, "cannot start webhook delivery");
		goto fail;
	}

	gw->hls = rtk_hls_new();
	if (!gw->hls) {
		rtk_util_set_error(error, "cannot start the LL-HLS timer thread");
		goto fail;
	}
	/* the plugin writes livestreams under RTK_DATA_DIR/livestreams/{id} (capture.c):
	 * ended VOD ones are served from there after a restart */
	char *livestreams_dir = g_build_filename(gw->data_dir, "livestreams", NULL);
	rtk_hls_set_archive(gw->hls, livestreams_dir);
	g_free(livestreams_dir);

	gw->recordings_dir = g_build_filename(gw->data_dir, "recordings", NULL);
	gw->chat_file_types = gateway_given(config->chat_file_types) ? g_strdup(config->chat_file_types) : NULL;
	gw->web_dir = gateway_given(config->web_dir) ? g_strdup(config->web_dir) : NULL;
	if (gateway_server_info(gw, config, tls.cert_pem != NULL, error) != 0)
		goto fail;
	gw->metrics_token = gateway_given(config->metrics_token) ? g_strdup(config->metrics_token) : NULL;
	if (gateway_given(config->node_id)) {
		gw->nodes = rtk_node_forward_new(gw->store, config->node_id, gw->api_key, config->node_forward_timeout);
		if (!gw->nodes) {
			rtk_util_set_error(error, "cannot set up forwarding to the other nodes (libcurl)");
			goto fail;
		}
	}
	gw->rest = (rtk_rest_ctx) {
		.store = gw->store,
		.org_id = gw->org_id,
		.api_key = gw->api_key,
		.jwt_secret = (const unsigned char *)gw->jwt_secret,
		.jwt_secret_len = strlen(gw->jwt_secret),
		.token_ttl_seconds = config->token_ttl_seconds > 0 ?
			config->token_ttl_seconds : DEFAULT_TOKEN_TTL,
		.live = config->live,
		.base_url = gw->url,
		.recordings_dir = gw->recordings_dir,
		.hls = gw->hls,
		.webhooks_allow_private = config->webhook_allow_private != 0,
		.webhooks_public_key_pem = gw->webhook_public_pem,
		.web_dir = gw->web_dir,
		.server_json = gw->server_json,
		.chat_files_dir = gw->chat_files_dir,
		.chat_file_max_bytes = config->chat_file_max_bytes,
		.chat_file_types = gw->chat_file_types,
		.plugins = gw->plugins,
		.metrics_token = gw->metrics_token,
		.nodes = gw->nodes,
	};
	if (config->http_port > 0) {
		gw->http = rtk_http_start_tls(bind, config->http_port, &gw->rest,
			&config->http_limits, tls.cert_pem != NULL ? &tls : NULL, error);
		if (!gw->http)
			goto fail;
		rtk_static_announce(gw->web_dir);
	}
	rtk_tls_pair_clear(&tls);   /* the HTTP server keeps its own copy */
	return gw;
fail:
	rtk_tls_pair_clear(&tls);
	rtk_gateway_stop(gw);
	return NULL;
}

static void gateway_free_secret(char *s)
{
	if (s) {
		memset(s, 0, strlen(s));
		free(s);
	}
}

void rtk_gateway_stop(rtk_gateway *gateway)
{
	if (!gateway)
		return;
	if (gateway->http)
		rtk_http_stop(gateway->http);   /* first: its threads use the store */
	rtk_hls_free(gateway->hls);   /* after HTTP: nothing is parked on it any more */
	rtk_node_forward_free(gateway->nodes);   /* after HTTP: no writer forwards any more */
	rtk_webhooks_free(gateway->webhooks);   /* before the store its thread reads */
	EVP_PKEY_free(gateway->webhook_key);
	free(gateway->webhook_public_pem);
	rtk_store_close(gateway->store);
	rtk_plugin_registry_free(gateway->plugins);
	free(gateway->data_dir);
	g_free(gateway->recordings_dir);
	g_free(gateway->chat_files_dir);
	g_free(gateway->chat_file_types);
	g_free(gateway->web_dir);
	if (gateway->metrics_token) {
		memset(gateway->metrics_token, 0, strlen(gateway->metrics_token));
		g_free(gateway->metrics_token);
	}
	free(gateway->server_json);
	json_decref(gateway->ice_servers);
	gateway_free_secret(gateway->turn_secret);
	free(gateway->org_id);
	gateway_free_secret(gateway->api_key);
	gateway_free_secret(gateway->jwt_secret);
	free(gateway->url);
	free(gateway);
}

int rtk_gateway_end_orphaned(rtk_gateway *gateway, const char *meeting_id)
{
	return gateway_end_meeting_orphans(gateway->store, gateway->chat_files_dir, meeting_id);
}

rtk_store *rtk_gateway_store(rtk_gateway *gateway)
{
	return gateway->store;
}

rtk_plugin_registry *rtk_gateway_plugins(rtk_gateway *gateway)
{
	return gateway->plugins;
}

rtk_webhooks *rtk_gateway_webhooks(rtk_gateway *gateway)
{
	return gateway->webhooks;
}

rtk_hls *rtk_gateway_hls(rtk_gateway *gateway)
{
	return gateway->hls;
}

const char *rtk_gateway_org_id(rtk_gateway *gateway)
{
	return gateway->org_id;
}

const char *rtk_gateway_api_key(rtk_gateway *gateway)
{
	return gateway->api_key;
}

const char *rtk_gateway_url(rtk_gateway *gateway)
{
	return gateway->url;
}

char *rtk_gateway_chat_export_url(rtk_gateway *gateway, const char *session_id, long long expires)
{
	return rtk_rest_chat_export_url(&gateway->rest, session_id, expires);
}

bool rtk_gateway_chat_file_remove(rtk_gateway *gateway, const char *meeting_id, const char *file_id)
{
	return rtk_chat_files_remove(gateway->chat_files_dir, meeting_id, file_id);
}

json_t *rtk_gateway_chat_file(rtk_gateway *gateway, const char *meeting_id, const char *file_id,
	const char *user_id)
{
	json_t *meta = rtk_chat_files_get(gateway->chat_files_dir, meeting_id, file_id);
	if (!meta || g_strcmp0(json_string_value(json_object_get(meta, "user_id")), user_id) != 0) {
		json_decref(meta);
		return NULL;
	}
	char *link = rtk_chat_files_link(gateway->url, meeting_id, file_id);
	json_t *out = json_pack("{s:s, s:O, s:O, s:O, s:s}", "id", file_id, "name", json_object_get(meta, "name"),
		"size", json_object_get(meta, "size"), "type", json_object_get(meta, "type"), "link", link);
	free(link);
	json_decref(meta);
	return out;
}

/* ---- admission ---- */

char *rtk_gateway_participant_token(rtk_gateway *gateway, const json_t *participant, long long generation)
{
	return rtk_rest_participant_token(&gateway->rest, participant, generation);
}

rtk_admit_status rtk_gateway_admit(rtk_gateway *gateway, const char *token, rtk_admission *out)
{
	return rtk_admit_token(gateway->store, gateway->org_id, (const unsigned char *)gateway->jwt_secret,
		strlen(gateway->jwt_secret), token, out);
}
