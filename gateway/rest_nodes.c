/*
 * rest_nodes.c - the REST API on one node of several (docs/deploy.md,
 * "Live operations from any node"): what the handlers of live operations
 * call so that a request about a meeting live on another node is answered
 * by that node (node_forward.h does the HTTP), and the internal requests
 * nodes send each other:
 *   POST /v2/internal/presets/{preset_id}/changed
 *       the stored preset reaches the live presences of this node that
 *       hold it (rtk_live_ops.preset_changed): a preset write on any node
 *       is sent to every node with live meetings;
 *   GET  /v2/internal/meetings/{meeting_id}/chat-files/{file_id}/visible?user_id=...
 *       {"visible": bool}: does that participant see a chat message
 *       carrying the file in the meeting's live session here
 *       (rtk_live_ops.chat_file_visible)? A download through another node
 *       asks it.
 * Both take the API key and the rtk-forwarded-by header and exist only on a
 * node: a server without RTK_NODE_ID answers 404, as for any unknown path.
 *
 * Exists so that each resource file adds one call where it reaches the
 * live state, and so that on one node (ctx->nodes NULL) every function
 * here returns at once without reading the store.
 */
#include "rest_internal.h"

#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "node_forward.h"

#define NODES_INTERNAL_SEGMENT "internal"

/* ---- which requests may be forwarded ---- */

bool rtk_rest_nodes_may_forward(const rtk_rest_ctx *ctx, const char *method, const char *target)
{
	if (ctx->nodes == NULL)
		return false;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return true;   /* every write runs on the writers anyway */
	char *path = g_strndup(target, strcspn(target, "?#"));
	rtk_rest_path split;
	bool may = false;
	if (rtk_rest_path_split(path, &split)) {
		const char *const *s = split.segs;
		may = (split.count == 3 && strcmp(s[0], "meetings") == 0 &&
				(strcmp(s[2], "active-session") == 0 || strcmp(s[2], "active-livestream") == 0)) ||
			(split.count == 3 && strcmp(s[0], "recordings") == 0 && strcmp(s[1], "active-recording") == 0) ||
			(split.count == 3 && strcmp(s[0], "chat-files") == 0);
	}
	free(split.copy);
	g_free(path);
	return may;
}

/* ---- forwarding a live operation ---- */

bool rtk_rest_forward_live(rtk_rest_call *call, const char *meeting_id)
{
	const rtk_rest_ctx *ctx = call->ctx;
	if (ctx->nodes == NULL || call->req->forwarded_by != NULL || meeting_id == NULL)
		return false;
	json_t *placement = NULL;
	switch (rtk_node_forward_owner(ctx->nodes, meeting_id, &placement)) {
	case RTK_NODE_OWNER_HERE:
		return false;
	case RTK_NODE_OWNER_ELSEWHERE:
		rtk_node_forward_send(ctx->nodes, placement, call->req, call->reply);
		json_decref(placement);
		return true;
	case RTK_NODE_OWNER_FAILED:
	default: {
		char *shown = rtk_rest_echo(meeting_id);
		rtk_rest_fail(call->reply, 500, "the store failed while finding the node of meeting '%s'; "
			"see the server log", shown);
		g_free(shown);
		return true;
	}
	}
}

void rtk_rest_nodes_preset_changed(const rtk_rest_ctx *ctx, const rtk_rest_request *req, const char *preset_id)
{
	if (ctx->nodes == NULL || req->forwarded_by != NULL || !rtk_rest_is_uuid(preset_id))
		return;
	char *path = g_strdup_printf("/v2/" NODES_INTERNAL_SEGMENT "/presets/%s/changed", preset_id);
	int asked = 0;
	int reached = rtk_node_forward_broadcast(ctx->nodes, path, &asked);
	if (reached < asked)
		g_warning("rtk nodes: preset %s changed: %d of the %d other nodes with live meetings applied it",
			preset_id, reached, asked);
	g_free(path);
}

bool rtk_rest_nodes_forward_download(const rtk_rest_ctx *ctx, const rtk_rest_request *req, const char *meeting_id,
	rtk_rest_reply *reply)
{
	if (ctx->nodes == NULL || req->forwarded_by != NULL)
		return false;
	json_t *placement = NULL;
	rtk_node_owner owner = rtk_node_forward_owner(ctx->nodes, meeting_id, &placement);
	if (owner == RTK_NODE_OWNER_HERE)
		return false;
	if (owner == RTK_NODE_OWNER_FAILED)
		rtk_rest_fail(reply, 500, "the store failed while finding the node of your meeting; see the server log");
	else
		rtk_node_forward_download(ctx->nodes, placement, req, reply);
	json_decref(placement);
	return true;
}

rtk_rest_nodes_visibility rtk_rest_nodes_chat_file_visible(const rtk_rest_ctx *ctx, const rtk_rest_request *req,
	const char *meeting_id, const char *file_id, const char *user_id, rtk_rest_reply *reply)
{
	if (ctx->nodes == NULL || req->forwarded_by != NULL)
		return RTK_REST_NODES_ASK_HERE;
	json_t *placement = NULL;
	rtk_node_owner owner = rtk_node_forward_owner(ctx->nodes, meeting_id, &placement);
	if (owner == RTK_NODE_OWNER_HERE)
		return RTK_REST_NODES_ASK_HERE;
	if (owner == RTK_NODE_OWNER_FAILED) {
		rtk_rest_fail(reply, 500, "the store failed while finding the node of your meeting; see the server log");
		return RTK_REST_NODES_ANSWERED;
	}
	char *escaped = g_uri_escape_string(user_id, NULL, FALSE);
	char *path = g_strdup_printf("/v2/" NODES_INTERNAL_SEGMENT "/meetings/%s/chat-files/%s/visible?user_id=%s",
		meeting_id, file_id, escaped);
	char *why = NULL;
	json_t *data = rtk_node_forward_ask(ctx->nodes, placement, path, &why);
	rtk_rest_nodes_visibility answer = RTK_REST_NODES_ANSWERED;
	if (data != NULL) {
		answer = json_is_true(json_object_get(data, "visible")) ? RTK_REST_NODES_VISIBLE : RTK_REST_NODES_HIDDEN;
	} else {
		g_warning("rtk nodes: a chat file download could not ask the meeting's node: %s", why);
		rtk_rest_fail(reply, 503, "the node running your meeting could not say whether you see this file "
			"(%s); retry", why);
	}
	g_free(why);
	json_decref(data);
	g_free(path);
	g_free(escaped);
	json_decref(placement);
	return answer;
}

/* ---- the internal requests ---- */

/* POST /v2/internal/presets/{id}/changed */
static void nodes_preset_changed_here(rtk_rest_call *call, const char *preset_id)
{
	json_t *preset = NULL;
	rtk_store_status st = rtk_store_preset_get(call->ctx->store, preset_id, &preset);
	if (st != RTK_STORE_OK) {
		rtk_rest_fail_store(call, st, "preset", preset_id);
		json_decref(preset);
		return;
	}
	const rtk_live_ops *live = call->ctx->live;
	if (live && live->preset_changed)
		live->preset_changed(preset, live->user_data);
	json_decref(preset);
	rtk_rest_reply_data(call, 200, json_pack("{s:s}", "preset_id", preset_id));
}

/* GET /v2/internal/meetings/{m}/chat-files/{f}/visible?user_id= */
static void nodes_chat_file_visible_here(rtk_rest_call *call, const char *meeting_id, const char *file_id)
{
	const char *error = NULL;
	const char *query = call->req->query;
	rtk_rest_query *q = rtk_rest_query_parse(query, query ? strlen(query) : 0, &error);
	const char *user_id = q ? rtk_rest_query_get(q, "user_id") : NULL;
	if (user_id == NULL || *user_id == '\0') {
		rtk_rest_fail(call->reply, 400, "query parameter 'user_id' is required");
	} else {
		const rtk_live_ops *live = call->ctx->live;
		bool visible = live && live->chat_file_visible &&
			live->chat_file_visible(meeting_id, file_id, user_id, live->user_data);
		rtk_rest_reply_data(call, 200, json_pack("{s:b}", "visible", visible));
	}
	rtk_rest_query_free(q);
}

bool rtk_rest_nodes_serve(const rtk_rest_ctx *ctx, const rtk_rest_request *req, rtk_rest_reply *reply)
{
	if (ctx->nodes == NULL || req->forwarded_by == NULL)
		return false;
	rtk_rest_path split;
	if (!rtk_rest_path_split(req->path, &split) || split.count < 1 ||
			strcmp(split.segs[0], NODES_INTERNAL_SEGMENT) != 0) {
		free(split.copy);
		return false;
	}
	const char *const *s = split.segs;
	rtk_rest_call call = { .ctx = ctx, .req = req, .reply = reply };
	bool preset = split.count == 4 && strcmp(s[1], "presets") == 0 && strcmp(s[3], "changed") == 0 &&
		rtk_rest_is_uuid(s[2]);
	bool visible = split.count == 6 && strcmp(s[1], "meetings") == 0 && strcmp(s[3], "chat-files") == 0 &&
		strcmp(s[5], "visible") == 0 && rtk_rest_is_uuid(s[2]) && rtk_rest_is_uuid(s[4]);
	if (!rtk_rest_authorized(ctx, req->authorization))
		rtk_rest_fail(reply, 401, "missing or wrong credentials: internal requests take the API key");
	else if (preset && strcmp(req->method, "POST") == 0)
		nodes_preset_changed_here(&call, s[2]);
	else if (visible && strcmp(req->method, "GET") == 0)
		nodes_chat_file_visible_here(&call, s[2], s[4]);
	else if (preset || visible)
		rtk_rest_fail(reply, 405, "method not allowed here");
	else
		rtk_rest_fail(reply, 404, "no such internal request");
	free(split.copy);
	return true;
}
