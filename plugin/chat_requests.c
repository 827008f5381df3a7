/*
 * chat_requests.c - the chat.* requests (chat_requests.h, docs/protocol.md
 * "Chat"). Each checks the handle, hands the request to the chat model,
 * which decides and tells the participants, and queues what changed for
 * the store (chat_store.h). On a cascade edge (cascade.h) the changes of
 * public messages are the owner node's: checked here, forwarded, and
 * answered with what the owner decided; the owner tells its edges of
 * every change of a public message. Replies are {"rtk":"ok","request":name, ...}
 * with the message, page or channel the caller asked about.
 */
#include <debug.h>

#include "cascade.h"
#include "chat_requests.h"
#include "chat_store.h"
#include "glue.h"

/* How many search hits the store returns before the model keeps those
 * the participant may see. */
#define CHAT_SEARCH_CANDIDATES (4 * RTK_CHAT_PAGE_MAX)

/* ---- the changes of messages: made here, or asked of the owner ---- */

/* Tells the meeting's edges (cascade.h) of a change of a public message,
 * when this node owns the meeting. */
static void chat_tell_edges(rtk_live *live, rtk_cascade_chat_event event, const rtk_chat_message *m,
		const char *deleted_id) {
	if(!live->edge)
		rtk_cascade_owner_chat(live, event, m ? m->doc : NULL, deleted_id);
}

static gboolean chat_doc_public(const json_t *doc) {
	return json_object_get(doc, "channelId") == NULL && json_object_get(doc, "targetUserIds") == NULL;
}

/* A send, edit or pin ended with `m` (NULL: refused for `why`): the
 * message is queued for the store and told to the edges; the reply's data
 * {"message":{...}} (NEW) or NULL. */
static json_t *chat_changed(rtk_live *live, rtk_cascade_chat_event event, const rtk_chat_message *m) {
	if(m == NULL)
		return NULL;
	rtk_chat_store_put(live->room->meeting_id, live->room->session_id, m->doc);
	if(chat_doc_public(m->doc))
		chat_tell_edges(live, event, m, NULL);
	return json_pack("{sO}", "message", m->doc);
}

/* An image or file message: the upload `file_id` must be one the sender
 * made in this meeting (0506); its name, size and link go into the
 * content. `*upload` (NEW, the content borrows from it) is released by
 * the caller. */
static gboolean chat_resolve_upload(rtk_live *live, rtk_peer *actor, rtk_chat_content *content, json_t **upload,
		rtk_refusal *why) {
	*upload = NULL;
	if(content->kind == RTK_CHAT_TEXT)
		return TRUE;
	*upload = rtk_gateway_chat_file(rtk_gw, live->room->meeting_id, content->file_id, actor->user_id);
	if(*upload == NULL) {
		rtk_refusal_set(why, RTK_ERR_CHAT_FILE, "no upload %.80s of yours in this meeting: upload the file first",
			content->file_id ? content->file_id : "(none)");
		return FALSE;
	}
	content->link = json_string_value(json_object_get(*upload, "link"));
	content->name = json_string_value(json_object_get(*upload, "name"));
	content->size = json_integer_value(json_object_get(*upload, "size"));
	return TRUE;
}

/* The request's content, with chat.request.file_id in place. */
static rtk_chat_content chat_content_of(const rtk_request *req) {
	rtk_chat_content content = req->chat.content;
	content.file_id = req->chat.file_id;
	return content;
}

static json_t *chat_apply_send(rtk_live *live, rtk_peer *actor, const rtk_request *req, rtk_refusal *why) {
	rtk_chat_content content = chat_content_of(req);
	gboolean in_public = req->chat.participant_ids == NULL && req->chat.channel_id == NULL;
	json_t *upload = NULL;
	const rtk_chat_message *m = NULL;
	if(rtk_chat_may_send(actor, content.kind, in_public, why) && chat_resolve_upload(live, actor, &content, &upload, why))
		m = rtk_chat_send(live->room, actor, &content, req->chat.participant_ids, req->chat.channel_id,
			g_get_real_time() / 1000, why);
	json_decref(upload);
	return chat_changed(live, RTK_CASCADE_CHAT_ADD, m);
}

static json_t *chat_apply_edit(rtk_live *live, rtk_peer *actor, const rtk_request *req, rtk_refusal *why) {
	rtk_chat_content content = chat_content_of(req);
	json_t *upload = NULL;
	const rtk_chat_message *m = NULL;
	if(chat_resolve_upload(live, actor, &content, &upload, why))
		m = rtk_chat_edit(live->room, actor, req->chat.message_id, &content, why);
	json_decref(upload);
	return chat_changed(live, RTK_CASCADE_CHAT_EDIT, m);
}

static json_t *chat_apply_delete(rtk_live *live, rtk_peer *actor, const rtk_request *req, rtk_refusal *why) {
	gboolean in_public = rtk_chat_is_public(live->room, req->chat.message_id);
	char *id = rtk_chat_delete(live->room, actor, req->chat.message_id, why);
	if(id == NULL)
		return NULL;
	rtk_chat_store_delete(id);
	if(in_public)
		chat_tell_edges(live, RTK_CASCADE_CHAT_DELETE, NULL, id);
	json_t *data = json_pack("{ss}", "messageId", id);
	g_free(id);
	return data;
}

static json_t *chat_apply_pin(rtk_live *live, rtk_peer *actor, const rtk_request *req, gboolean pin, rtk_refusal *why) {
	const rtk_chat_message *m = rtk_chat_pin(live->room, actor, req->chat.message_id, pin, why);
	return chat_changed(live, pin ? RTK_CASCADE_CHAT_PIN : RTK_CASCADE_CHAT_UNPIN, m);
}

/* Makes the change `req` asks for (send, edit, delete, pin, unpin) as
 * `actor`: the reply's data (NEW) or NULL with `why`. */
static json_t *chat_apply(rtk_live *live, rtk_peer *actor, const rtk_request *req, rtk_refusal *why) {
	switch(req->kind) {
		case RTK_REQ_CHAT_SEND: return chat_apply_send(live, actor, req, why);
		case RTK_REQ_CHAT_EDIT: return chat_apply_edit(live, actor, req, why);
		case RTK_REQ_CHAT_DELETE: return chat_apply_delete(live, actor, req, why);
		case RTK_REQ_CHAT_PIN: return chat_apply_pin(live, actor, req, TRUE, why);
		case RTK_REQ_CHAT_UNPIN: return chat_apply_pin(live, actor, req, FALSE, why);
		default:
			rtk_refusal_set(why, RTK_ERR_UNKNOWN_REQUEST, "%s is not a chat change", req->name ? req->name : "?");
			return NULL;
	}
}

/* On an edge: whether the owner decides `req` (a send in public, or a
 * change of a public message, which only the owner holds); then the
 * local checks are made (rights, the rate, text only: 0902, 0012, 0506)
 * and, when they pass, the request is noted in `msg` to be forwarded
 * after the dispatch. Private and channel messages stay on the edge. */
static gboolean chat_edge_forwards(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_live *live = session->live;
	const rtk_request *req = &msg->request;
	if(!live->edge)
		return FALSE;
	if(req->kind == RTK_REQ_CHAT_SEND) {
		if(req->chat.participant_ids != NULL || req->chat.channel_id != NULL)
			return FALSE;
		rtk_refusal why;
		if(!rtk_chat_may_send(session->peer, req->chat.content.kind, TRUE, &why)) {
			rtk_requests_reply_refusal(reply, &why);
			return TRUE;
		}
		if(req->chat.content.kind != RTK_CHAT_TEXT) {
			rtk_refusal_set(&why, RTK_ERR_CHAT_FILE, "images and files cannot be sent through this node "
				"(it relays a meeting held on another node): send text");
			rtk_requests_reply_refusal(reply, &why);
			return TRUE;
		}
		if(!rtk_rate_take(&session->peer->chats, g_get_real_time() / 1000, RTK_CHAT_PER_SECOND)) {
			rtk_refusal_set(&why, RTK_ERR_RATE_LIMITED, "at most %d chat messages a second", RTK_CHAT_PER_SECOND);
			rtk_requests_reply_refusal(reply, &why);
			return TRUE;
		}
	} else if(!rtk_chat_is_public(live->room, req->chat.message_id)) {
		return FALSE;
	} else if(req->kind == RTK_REQ_CHAT_EDIT && req->chat.content.kind != RTK_CHAT_TEXT) {
		rtk_refusal why;
		rtk_refusal_set(&why, RTK_ERR_CHAT_FILE, "images and files cannot be sent through this node: send text");
		rtk_requests_reply_refusal(reply, &why);
		return TRUE;
	}
	return rtk_cascade_forward_if_edge(session, msg);
}

/* A chat change by the handle's participant: decided here, or on an edge
 * forwarded to the owner (answered by the plugin's worker, plugin.c). */
static void chat_request_change(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	if(!rtk_requests_needs_joined(session, reply) || !rtk_requests_body(msg, reply))
		return;
	if(chat_edge_forwards(session, msg, reply))
		return;
	json_t *data = chat_apply(session->live, session->peer, &msg->request, &why);
	if(data == NULL)
		rtk_requests_reply_refusal(reply, &why);
	else
		rtk_requests_reply_ok_with(msg, reply, data);
}

void rtk_chat_request_send(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	chat_request_change(session, msg, reply);
}

void rtk_chat_request_edit(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	chat_request_change(session, msg, reply);
}

void rtk_chat_request_delete(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	chat_request_change(session, msg, reply);
}

void rtk_chat_request_pin(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	chat_request_change(session, msg, reply);
}

void rtk_chat_request_unpin(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	chat_request_change(session, msg, reply);
}

json_t *rtk_chat_request_forwarded(rtk_live *live, rtk_peer *actor, const rtk_request *req, rtk_refusal *why) {
	gboolean public_change = req->kind == RTK_REQ_CHAT_SEND ?
		req->chat.participant_ids == NULL && req->chat.channel_id == NULL && req->chat.content.kind == RTK_CHAT_TEXT :
		(req->kind == RTK_REQ_CHAT_EDIT || req->kind == RTK_REQ_CHAT_DELETE || req->kind == RTK_REQ_CHAT_PIN ||
			req->kind == RTK_REQ_CHAT_UNPIN) && rtk_chat_is_public(live->room, req->chat.message_id);
	if(!public_change) {
		rtk_refusal_set(why, RTK_ERR_CHAT_NOT_FOUND, "an edge may only forward changes of public text messages");
		return NULL;
	}
	return chat_apply(live, actor, req, why);
}

void rtk_chat_request_get_messages(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	if(!rtk_requests_needs_joined(session, reply) || !rtk_requests_body(msg, reply))
		return;
	const rtk_chat_request *r = &msg->request.chat;
	gint64 timestamp = r->timestamp >= 0 ? r->timestamp : g_get_real_time() / 1000 + 1;
	json_t *page = rtk_chat_page(session->live->room, session->peer, timestamp, (int)r->size, r->reversed,
		(int)r->offset, r->channel_id, &why);
	if(page == NULL)
		rtk_requests_reply_refusal(reply, &why);
	else
		rtk_requests_reply_ok_with(msg, reply, page);
}

void rtk_chat_request_search(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	if(!rtk_requests_needs_joined(session, reply) || !rtk_requests_body(msg, reply))
		return;
	if(msg->request.chat.channel_id != NULL) {
		/* only a member may search a channel */
		json_t *members = rtk_chat_channel_members(session->live->room, session->peer,
			msg->request.chat.channel_id, &why);
		if(members == NULL) {
			rtk_requests_reply_refusal(reply, &why);
			return;
		}
		json_decref(members);
	}
	/* answered by rtk_chat_request_search_reply once the store was read */
	msg->search.session_id = g_strdup(session->live->room->session_id);
}

void rtk_chat_request_search_run(rtk_message *msg) {
	msg->search.found = rtk_chat_store_search(msg->search.session_id, msg->request.chat.query,
		CHAT_SEARCH_CANDIDATES);
}

/* The messages of `messages` in the channel `channel_id` (NULL: outside
 * channels), at most `limit`, as a NEW array. */
static json_t *chat_in_scope(const json_t *messages, const char *channel_id, int limit) {
	json_t *kept = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(messages, i, m) {
		if((int)json_array_size(kept) >= limit)
			break;
		if(!g_strcmp0(json_string_value(json_object_get(m, "channelId")), channel_id))
			json_array_append(kept, m);
	}
	return kept;
}

void rtk_chat_request_search_reply(rtk_session *session, rtk_message *msg) {
	rtk_reply reply = { 0 };
	if(session == NULL)
		return;
	if(session->role != RTK_ROLE_MAIN || session->live == NULL ||
			g_strcmp0(session->live->room->session_id, msg->search.session_id)) {
		rtk_refusal why;
		rtk_refusal_set(&why, RTK_ERR_NOT_JOINED, "left the meeting while searching");
		rtk_requests_reply_refusal(&reply, &why);
	} else {
		json_t *visible = rtk_chat_visible(session->live->room, session->peer, msg->search.found,
			CHAT_SEARCH_CANDIDATES);
		json_t *found = chat_in_scope(visible, msg->request.chat.channel_id, (int)msg->request.chat.size);
		json_decref(visible);
		rtk_requests_reply_ok_with(msg, &reply, json_pack("{so}", "messages", found));
	}
	rtk_requests_push_reply(msg, &reply);
}

void rtk_chat_request_create_channel(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	if(!rtk_requests_needs_joined(session, reply) || !rtk_requests_body(msg, reply))
		return;
	const rtk_chat_request *r = &msg->request.chat;
	json_t *channel = rtk_chat_channel_create(session->live->room, session->peer, r->name, r->member_ids,
		r->picture, r->visibility, r->direct, &why);
	if(channel == NULL)
		rtk_requests_reply_refusal(reply, &why);
	else
		rtk_requests_reply_ok_with(msg, reply, json_pack("{so}", "channel", channel));
}

void rtk_chat_request_update_channel(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	if(!rtk_requests_needs_joined(session, reply) || !rtk_requests_body(msg, reply))
		return;
	const rtk_chat_request *r = &msg->request.chat;
	json_t *channel = rtk_chat_channel_update(session->live->room, session->peer, r->channel_id, r->name,
		r->member_ids, &why);
	if(channel == NULL)
		rtk_requests_reply_refusal(reply, &why);
	else
		rtk_requests_reply_ok_with(msg, reply, json_pack("{so}", "channel", channel));
}

void rtk_chat_request_channel_members(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	if(!rtk_requests_needs_joined(session, reply) || !rtk_requests_body(msg, reply))
		return;
	json_t *members = rtk_chat_channel_members(session->live->room, session->peer, msg->request.chat.channel_id,
		&why);
	if(members == NULL)
		rtk_requests_reply_refusal(reply, &why);
	else
		rtk_requests_reply_ok_with(msg, reply, json_pack("{so}", "members", members));
}

void rtk_chat_request_mark_read(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	if(!rtk_requests_needs_joined(session, reply) || !rtk_requests_body(msg, reply))
		return;
	json_t *channel = rtk_chat_mark_read(session->live->room, session->peer, msg->request.chat.channel_id,
		msg->request.chat.message_id, &why);
	if(channel == NULL)
		rtk_requests_reply_refusal(reply, &why);
	else
		rtk_requests_reply_ok_with(msg, reply, json_pack("{so}", "channel", channel));
}
