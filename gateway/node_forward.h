/*
 * node_forward.h - REST live operations that reach the node running the
 * meeting (docs/deploy.md, "Several nodes": "Live operations from any
 * node").
 *
 * Several nodes share one PostgreSQL store; a meeting's live session runs
 * on the node its placement names (store.h, "Nodes and placements"). A
 * REST request that acts on a live meeting (kick, mute, the active
 * session, recording and livestream starts, ...) is only meaningful on
 * that node, so the node that receives it forwards the whole request
 * there over HTTP, marked by the RTK_NODE_FORWARDED_HEADER header with
 * its own id, and answers with the owner's reply. A forwarded request is
 * never forwarded again (its receiver acts locally, whatever it finds).
 * Org-wide changes (a preset's new permissions) go to every node that
 * has a live meeting (rtk_node_forward_broadcast()).
 *
 * This file owns the owner lookup (one store read, made only when this
 * process is a node: no rtk_node_forward exists on one node) and the
 * HTTP client (libcurl, bounded by the forward timeout). Every call
 * blocks up to that timeout: callers run on the HTTP writer threads
 * (http.c), never on an MHD worker.
 *
 * Ownership: rtk_node_forward_new() copies its strings; the store is
 * borrowed until rtk_node_forward_free(). Thread-safe: the object is
 * read-only after creation, each call has its own curl handles.
 */
#ifndef RTK_NODE_FORWARD_H
#define RTK_NODE_FORWARD_H

#include <stdbool.h>
#include <jansson.h>
#include "rest.h"
#include "store.h"

/* Marks a forwarded request; its value is the forwarding node's id. */
#define RTK_NODE_FORWARDED_HEADER "rtk-forwarded-by"
/* RTK_NODE_FORWARD_TIMEOUT's default and bounds, in seconds. */
#define RTK_NODE_FORWARD_DEFAULT_TIMEOUT 10
#define RTK_NODE_FORWARD_MAX_TIMEOUT 600
/* A forwarded reply's body larger than this is refused (502). */
#define RTK_NODE_FORWARD_MAX_REPLY (16 * 1024 * 1024)

/* (rtk_node_forward is declared in rest.h: the REST context points to it.) */

/* This node's forwarding: `node_id` (NULL or "": one node, returns NULL),
 * `api_key` the deployment's (the same on every node: what broadcasts and
 * internal questions authenticate with), each request bounded by
 * `timeout_seconds` (<= 0: the default). */
rtk_node_forward *rtk_node_forward_new(rtk_store *store, const char *node_id, const char *api_key,
	int timeout_seconds);
void rtk_node_forward_free(rtk_node_forward *fw);
const char *rtk_node_forward_node_id(const rtk_node_forward *fw);
int rtk_node_forward_timeout_ms(const rtk_node_forward *fw);

typedef enum rtk_node_owner {
	RTK_NODE_OWNER_HERE,        /* placed here, on no node, or on one whose lease ended: act locally */
	RTK_NODE_OWNER_ELSEWHERE,   /* placed on another node with a valid lease */
	RTK_NODE_OWNER_FAILED       /* the store could not say */
} rtk_node_owner;

/* Where meeting `meeting_id`'s live session runs. ELSEWHERE: *placement
 * is a NEW {meeting_id, node_id, lease_until, rest_url (absent when the
 * node has none)}; else *placement is NULL. */
rtk_node_owner rtk_node_forward_owner(rtk_node_forward *fw, const char *meeting_id, json_t **placement);

/* Sends `req` (method, path, query, Authorization, body) to the node of
 * `placement` (from rtk_node_forward_owner()) marked as forwarded by this
 * node and fills `reply` with its answer: its status and body; or 503
 * (docs/deploy.md) when the node has no REST URL, cannot be reached or
 * does not answer within the timeout; 502 when its answer is not one. */
void rtk_node_forward_send(rtk_node_forward *fw, const json_t *placement, const rtk_rest_request *req,
	rtk_rest_reply *reply);

/* A download (a chat file, GET with a participant's token) forwarded as
 * rtk_node_forward_send() does, whose 200 body goes to a temporary file
 * instead of memory: `reply` names it (file_path, temporary_file: it is
 * unlinked once open) with the node's Content-Type and
 * Content-Disposition. Another status is relayed as its body says. */
void rtk_node_forward_download(rtk_node_forward *fw, const json_t *placement, const rtk_rest_request *req,
	rtk_rest_reply *reply);

/* A question to the node of `placement`: GET `path_and_query` with the
 * API key, marked as forwarded. Returns the reply's "data" (NEW) when it
 * answered 200 with the REST envelope, else NULL with *why (g_malloc'd). */
json_t *rtk_node_forward_ask(rtk_node_forward *fw, const json_t *placement, const char *path_and_query,
	char **why);

/* POSTs `path` (no body) with the API key, marked as forwarded, to every
 * other node holding a placement with a valid lease (the nodes with live
 * meetings), all at once, waiting for them up to the timeout. Returns
 * how many answered 2xx; *asked (may be NULL) how many were asked. A
 * node that did not answer is logged. */
int rtk_node_forward_broadcast(rtk_node_forward *fw, const char *path, int *asked);

#endif
