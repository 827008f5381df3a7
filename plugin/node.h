/*
 * node.h - this janus process as one node of several sharing one
 * PostgreSQL store (docs/deploy.md, "Several nodes"): its heartbeat, the
 * placements of the meetings it runs (store.h, "Nodes and placements")
 * and where a join of a meeting placed elsewhere is sent.
 *
 * Without a node id (one node, the default) every call here is a no-op
 * and every join stays here. Every call is made with no meeting lock held:
 * they read and write the store.
 */
#ifndef RTK_NODE_H
#define RTK_NODE_H

#include <glib.h>
#include "gateway.h"

/* Starts this node: `id` NULL or "" leaves it off. `janus_url` (required
 * with an id) and `rest_url` (may be NULL) are what its clients use; a
 * placement lasts `lease_seconds` unless renewed, which a thread of this
 * file does every lease_seconds / 3 (and writes the heartbeat). The
 * strings are copied; `gateway` is borrowed until rtk_node_destroy(). */
void rtk_node_init(rtk_gateway *gateway, const char *id, const char *janus_url, const char *rest_url,
	int lease_seconds);
/* Stops the thread and releases this node's placements (the meetings
 * ended with the server). After rtk_lives_destroy(). */
void rtk_node_destroy(void);

/* Before a join of meeting `meeting_id`: claims the meeting for this node
 * (store.h: placed on no node, on this one, or on one whose lease ended;
 * what a taken-over meeting's dead node left is ended first). Returns
 * NULL when the join may go on here, else the Janus URL (g_malloc'd) of
 * the node that holds it, "" when that node has none. *failed is TRUE
 * (and NULL returned) when the store could not say. */
char *rtk_node_claim(const char *meeting_id, gboolean *failed);

/* This node's id (RTK_NODE_ID), borrowed until rtk_node_destroy(); NULL
 * on one node. */
const char *rtk_node_id(void);

/* The host of the RTK_NODE_REST_URL of the node `meeting_id` is placed
 * on, when that is another node (g_malloc'd), else NULL: where its cascade
 * port is (cascade.h). Reads the store. */
char *rtk_node_owner_host(const char *meeting_id);

#endif
