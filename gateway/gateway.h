/*
 * gateway.h - the RTK gateway: the REST v2 server and the store, as a library
 * linked into the Janus plugin and started by it (design.md section 2).
 *
 * Owns: the data directory (SQLite file unless the store is on PostgreSQL,
 * credentials.json with the org id,
 * API key and JWT secret generated on first start, webhook_key.pem with the
 * RSA key that signs webhooks, also generated once), the libmicrohttpd server
 * (REST, LL-HLS, and the web client files of RTK_WEB_DIR),
 * the webhook delivery thread, and the join check the plugin runs on a
 * participant token.
 *
 * Ownership: rtk_gateway_start() copies everything it needs from the config;
 * the caller keeps its strings. rtk_gateway_stop() frees the gateway.
 */
#ifndef RTK_GATEWAY_H
#define RTK_GATEWAY_H

#include <jansson.h>
#include "admit.h"
#include "store.h"
#include "rest.h"
#include "webhooks.h"
#include "hls.h"
#include "http.h"

typedef struct rtk_gateway_config {
	const char *data_dir;    /* created if missing (0700); required */
	const char *database_url;/* RTK_DATABASE_URL: the store on this PostgreSQL database
	                          * (store.h, rtk_store_open_url); NULL or "": SQLite in data_dir */
	const char *http_bind;   /* default "127.0.0.1" */
	int http_port;           /* default 8080; 0 = do not serve HTTP (unit tests) */
	const char *public_url;  /* RTK_PUBLIC_URL: "scheme://host[:port]" browsers reach the REST/HLS
	                          * port at, the base of every URL handed out (playback_url,
	                          * download_url, chat file links); NULL or "": from http_bind and
	                          * http_port (127.0.0.1 for a wildcard bind) */
	rtk_http_limits http_limits; /* connection limits and timeouts (http.h): zeros read as
	                          * the defaults, but max_per_address 0 as no limit */
	const char *org_id;      /* NULL or "": generated once into credentials.json */
	const char *api_key;     /* NULL or "": generated once into credentials.json */
	const char *jwt_secret;  /* NULL or "": generated once into credentials.json */
	int token_ttl_seconds;   /* default 86400 */
	const rtk_live_ops *live;/* the plugin's live meetings (rest.h); borrowed, may be NULL */
	int webhook_allow_private; /* non-zero: webhooks may target non-public addresses (webhooks.h) */
	const char *webhook_ca_file; /* PEM CA certificates trusted for https:// webhooks besides the
	                          * system's (webhooks.h); NULL or "": none */
	const char *web_dir;     /* the web client files (SDK, demo and viewer pages) served at /, /viewer
	                          * and /sdk/ (static.h); NULL or "": none */
	int janus_ws_port;       /* the Janus WebSocket's port, told to browsers at /sdk/server.json */
	const char *janus_ws_url;/* its URL for browsers when not ws(s)://<page host>:<port>/; NULL or "": none */
	unsigned long long chat_file_max_bytes; /* largest chat file upload (chat_files.h); 0: 10 MiB */
	const char *chat_file_types; /* the media types chat files may have, comma-separated, "image/"
	                          * for a prefix; NULL or "": RTK_CHAT_FILES_DEFAULT_TYPES */
	const char *plugins_seed;/* the plugins of the first start (plugin_registry.h); NULL or "": none */
	const char *tls_cert;    /* PEM certificate (chain) of the REST/HLS port: HTTPS only (tls.h); with tls_key */
	const char *tls_key;     /* its unencrypted PEM key; NULL or "" in both: plain HTTP. With
	                          * them the Janus WebSocket speaks wss too (./rtk renders it so),
	                          * and /sdk/server.json says so */
	const char *turn_server; /* a TURN server browsers may relay media through (/sdk/server.json); NULL or "": none */
	int turn_port;           /* its port; 0: 3478 */
	const char *turn_transport; /* "udp" (default: UDP, then TCP), "tcp" or "tls" (turns:) */
	const char *turn_user;   /* its long-term credentials, handed to every browser */
	const char *turn_password;
	const char *turn_secret; /* or its use-auth-secret (turn_rest.h): each participant gets
	                          * credentials of its own in roomJoined, none are public */
	int turn_credential_ttl; /* seconds those credentials are valid; <= 0: one day */
	const char *metrics_token; /* the bearer token GET /metrics needs (metrics.h); NULL or "": open */
	const char *node_id;     /* RTK_NODE_ID: this node of several on database_url (docs/deploy.md,
	                          * "Several nodes"); NULL or "": one node. Needs database_url */
	int node_forward_timeout;/* RTK_NODE_FORWARD_TIMEOUT: seconds a REST request forwarded to the node
	                          * running its meeting may take (node_forward.h); <= 0: the default */
} rtk_gateway_config;

typedef struct rtk_gateway rtk_gateway;

/* Opens the store, seeds the default presets on first start, marks the
 * recordings and livestreams a previous run left unfinished as ERRORED
 * (store.h, *_fail_unfinished; with a node_id only those of the meetings
 * placed on this node, whose placements go), loads or generates credentials, starts
 * webhook delivery and HTTP. NULL + *error (free()) on failure. */
rtk_gateway *rtk_gateway_start(const rtk_gateway_config *config, char **error);
void rtk_gateway_stop(rtk_gateway *gateway);

rtk_store *rtk_gateway_store(rtk_gateway *gateway);   /* borrowed */
/* What a node that died left of meeting `meeting_id`'s live session (its
 * unfinished recordings and livestreams, LIVE sessions and their chat
 * unless the meeting keeps it) ends, as a start ends a crashed run's:
 * for a node that places the meeting again (docs/deploy.md, "Several
 * nodes"). Logged; -1 when the store failed. */
int rtk_gateway_end_orphaned(rtk_gateway *gateway, const char *meeting_id);
/* Webhook delivery (webhooks.h): the plugin calls rtk_webhooks_emit() on it.
 * Borrowed; lives until rtk_gateway_stop(). */
rtk_webhooks *rtk_gateway_webhooks(rtk_gateway *gateway);
/* The plugin registry's copy (plugin_registry.h): what plugins.list and
 * plugins.activate read under the plugin's state lock. Borrowed; lives
 * until rtk_gateway_stop(). */
rtk_plugin_registry *rtk_gateway_plugins(rtk_gateway *gateway);
/* The live LL-HLS streams served at /hls/<id>/index.m3u8 (hls.h): the plugin
 * opens, announces and closes streams on it. Borrowed; lives until
 * rtk_gateway_stop(). */
rtk_hls *rtk_gateway_hls(rtk_gateway *gateway);
const char *rtk_gateway_org_id(rtk_gateway *gateway);
const char *rtk_gateway_api_key(rtk_gateway *gateway);
/* e.g. "http://127.0.0.1:8080" ("https://..." with TLS) */
const char *rtk_gateway_url(rtk_gateway *gateway);
/* The RTCIceServers a participant's PeerConnections should use (a NEW
 * array; empty without a TURN server): the TURN server with the
 * long-term credentials, or with credentials minted now for `user` (its
 * peer id) when the gateway has a TURN secret (turn_rest.h). Any thread. */
json_t *rtk_gateway_ice_servers(rtk_gateway *gateway, const char *user);
/* The signed URL of a session's chat CSV, valid until `expires` (seconds
 * since the epoch): rtk_rest_chat_export_url(). malloc'd (free()). */
char *rtk_gateway_chat_export_url(rtk_gateway *gateway, const char *session_id, long long expires);
/* The chat upload `file_id` of `meeting_id` when participant `user_id`
 * made it (chat_files.h): a NEW {"id", "name", "size", "type", "link"},
 * else NULL. */
json_t *rtk_gateway_chat_file(rtk_gateway *gateway, const char *meeting_id, const char *file_id,
	const char *user_id);
/* Removes the chat upload `file_id` of `meeting_id` (chat_files.h); false
 * when it could not be. */
bool rtk_gateway_chat_file_remove(rtk_gateway *gateway, const char *meeting_id, const char *file_id);

/* A participant token (the REST API's, rtk_rest_participant_token) for
 * `participant` (a store participant object, borrowed) of token generation
 * `generation`: what a participant moved to a connected meeting joins with.
 * malloc'd (free()), NULL on failure. */
char *rtk_gateway_participant_token(rtk_gateway *gateway, const json_t *participant, long long generation);
/* The plugin's join check (admit.h): rtk_admit_token() with the gateway's
 * store and credentials. */
rtk_admit_status rtk_gateway_admit(rtk_gateway *gateway, const char *token, rtk_admission *out);

#endif
