/*
 * static.h - serves the web client's files over libmicrohttpd: the SDK under
 * /sdk/, the demo meeting page at /, the livestream viewer at /viewer, and
 * the npm packages they use under /sdk/vendor/ (static_path.h has the
 * routes and what the sanitizer refuses), and /sdk/server.json, the one
 * generated document: where browsers reach the Janus WebSocket, so that the
 * SDK needs no option when the server runs with non-default ports or TLS,
 * and the TURN server its PeerConnections may relay through.
 *
 * Owns the wire and the file system side: methods (GET, HEAD; OPTIONS
 * preflight under /sdk/; others 405), headers (Content-Type from the MIME
 * table, ETag and If-None-Match -> 304, Cache-Control: no-cache because the
 * URLs carry no version, nosniff, Access-Control-Allow-Origin: * under
 * /sdk/ so a page on another origin can import the SDK), and opening the
 * file so that no symbolic link leads out of the web directory. Files are
 * sent from their descriptor (sendfile), never read into memory.
 *
 * No authentication: these files are public. http.c routes here before the
 * REST dispatch (rtk_static_owns()), and a static request never counts
 * towards the /hls/ connection budget.
 */
#ifndef RTK_STATIC_H
#define RTK_STATIC_H

#include <stdbool.h>
#include <jansson.h>
#include <microhttpd.h>
#include "static_path.h"

/* Answers a request whose raw target rtk_static_owns() claimed, from the
 * files under `web_dir` (borrowed; NULL or "": no file is served, 404), and
 * /sdk/server.json with `server_json` (borrowed; NULL: 404). */
enum MHD_Result rtk_static_serve(const char *web_dir, const char *server_json, struct MHD_Connection *con,
	const char *method, const char *uri);

/* The document of /sdk/server.json (docs/rest.md, "Web client files"):
 * {"janus_ws_port": port, "janus_ws_url": url or null, "janus_ws_secure":
 * bool, "ice_servers": [...]}. `janus_ws_url` (borrowed; NULL or "": none)
 * is the WebSocket URL browsers must use when it is not
 * ws(s)://<the page's host>:<port>/ (a TLS proxy, another host);
 * `janus_ws_secure`: the port speaks wss only; `ice_servers` (borrowed;
 * NULL: []) the RTCIceServer objects browsers give their
 * RTCPeerConnections (a TURN server). Returns a malloc'd string the
 * caller frees, or NULL (out of memory). */
char *rtk_static_server_info(int janus_ws_port, const char *janus_ws_url, bool janus_ws_secure,
	json_t *ice_servers);

/* One log line at start: where the files come from, or why none will be
 * served (the directory is missing). */
void rtk_static_announce(const char *web_dir);

#endif
