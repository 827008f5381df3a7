/*
 * chat_requests.c - the chat.* requests (chat_requests.h, docs/protocol.md
 * "Chat"). Each checks the handle, hands the request to the chat model,
 * which decides and tells the participants, and queues what changed for
 * the store (chat_store.h). Replies are {"rtk":"ok","request":name, ...}
 * with the message, page or channel the caller asked about.
 */
#include <debug.h>

#include "chat_requests.h"
#include "chat_store.h"
#include "glue.h"

/* How many search hits the store returns before the model keeps those
 * the participant may see. */
#define CHAT_SEARCH_CANDIDATES (4 * RTK_CHAT_PAGE_MAX)

static void chat_persist(rtk_session *session, const rtk_chat_message *m) {
	rtk_room *room = session->live->room;
	rtk_chat_store_put(room->meeting_id, room->session_id, m->doc);
}

/* A send, edit or pin ended with `m` (NULL: refused for `why`): the
 * message is queued for the store and the reply is {"rtk":"ok",
 * "request":name,"message":{...}}, or the refusal. */
static void chat_changed(rtk_session *session, rtk_message *msg, rtk_reply *reply, const rtk_chat_message *m,
		const rtk_refusal *why) {
	if(m == NULL) {
		rtk_requests_reply_refusal(reply, why);
		return;
	}
	chat_persist(session, m);
	rtk_requests_reply_ok_with(msg, reply, json_pack("{sO}", "message", m->doc));
}

/* An image or file message: the upload `file_id` must be one the sender
 * made in this meeting (0506); its name, size and link go into the
 * content. `*upload` (NEW, the content borrows from it) is released by
 * the caller. */
static gboolean chat_resolve_upload(rtk_session *session, rtk_chat_content *content, json_t **upload,
		rtk_refusal *why) {
	*upload = NULL;
	if(content->kind == RTK_CHAT_TEXT)
		return TRUE;
	*upload = rtk_gateway_chat_file(rtk_gw, session->live->room->meeting_id, content->file_id,
		session->peer->user_id);
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
static rtk_chat_content chat_content_of(rtk_message *msg) {
	rtk_chat_content content = msg->request.chat.content;
	content.file_id = msg->request.chat.file_id;
	return content;
}

void rtk_chat_request_send(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	if(!rtk_requests_needs_joined(session, reply) || !rtk_requests_body(msg, reply))
		return;
	rtk_chat_content content = chat_content_of(msg);
	gboolean in_public = msg->request.chat.participant_ids == NULL && msg->request.chat.channel_id == NULL;
	json_t *upload = NULL;
	const rtk_chat_message *m = NULL;
	if(rtk_chat_may_send(session->peer, content.kind, in_public, &why) &&
			chat_resolve_upload(session, &content, &upload, &why))
		m = rtk_chat_send(session->live->room, session->peer, &content, msg->request.chat.participant_ids,
			msg->request.chat.channel_id, g_get_real_time() / 1000, &why);
	json_decref(upload);
	chat_changed(session, msg, reply, m, &why);
}

void rtk_chat_request_edit(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	if(!rtk_requests_needs_joined(session, reply) || !rtk_requests_body(msg, reply))
		return;
	rtk_chat_content content = chat_content_of(msg);
	json_t *upload = NULL;
	const rtk_chat_message *m = NULL;
	if(chat_resolve_upload(session, &content, &upload, &why))
		m = rtk_chat_edit(session->live->room, session->peer, msg->request.chat.message_id, &content, &why);
	json_decref(upload);
	chat_changed(session, msg, reply, m, &why);
}

void rtk_chat_request_delete(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	if(!rtk_requests_needs_joined(session, reply) || !rtk_requests_body(msg, reply))
		return;
	char *id = rtk_chat_delete(session->live->room, session->peer, msg->request.chat.message_id, &why);
	if(id == NULL) {
		rtk_requests_reply_refusal(reply, &why);
		return;
	}
	rtk_chat_store_delete(id);
	rtk_requests_reply_ok_with(msg, reply, json_pack("{ss}", "messageId", id));
	g_free(id);
}

static void chat_request_pin(rtk_session *session, rtk_message *msg, rtk_reply *reply, gboolean pin) {
	rtk_refusal why;
	if(!rtk_requests_needs_joined(session, reply) || !rtk_requests_body(msg, reply))
		return;
	chat_changed(session, msg, reply, rtk_chat_pin(session->live->room, session->peer, msg->request.chat.message_id,
		pin, &why), &why);
}

void rtk_chat_request_pin(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	chat_request_pin(session, msg, reply, TRUE);
}

void rtk_chat_request_unpin(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	chat_request_pin(session, msg, reply, FALSE);
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
