/*
 * chat_requests.h - the chat.* signalling requests (docs/protocol.md,
 * "Chat"): the glue between a request, the chat model (model/chat.h) and
 * the chat's persistence (chat_store.h). Handlers run under the meeting's lock
 * and follow requests.c's conventions.
 *
 * chat.searchMessages reads the store, which must not happen under the
 * meeting's lock: its handler only checks the request and notes the session
 * to search in `msg`; the plugin's signalling worker then calls
 * rtk_chat_request_search_run() without the lock, and
 * rtk_chat_request_search_reply() with it again.
 */
#ifndef RTK_CHAT_REQUESTS_H
#define RTK_CHAT_REQUESTS_H

#include "requests_internal.h"

void rtk_chat_request_send(rtk_session *session, rtk_message *msg, rtk_reply *reply);
void rtk_chat_request_edit(rtk_session *session, rtk_message *msg, rtk_reply *reply);
void rtk_chat_request_delete(rtk_session *session, rtk_message *msg, rtk_reply *reply);
void rtk_chat_request_pin(rtk_session *session, rtk_message *msg, rtk_reply *reply);
void rtk_chat_request_unpin(rtk_session *session, rtk_message *msg, rtk_reply *reply);
void rtk_chat_request_get_messages(rtk_session *session, rtk_message *msg, rtk_reply *reply);
void rtk_chat_request_search(rtk_session *session, rtk_message *msg, rtk_reply *reply);
void rtk_chat_request_create_channel(rtk_session *session, rtk_message *msg, rtk_reply *reply);
void rtk_chat_request_update_channel(rtk_session *session, rtk_message *msg, rtk_reply *reply);
void rtk_chat_request_channel_members(rtk_session *session, rtk_message *msg, rtk_reply *reply);
void rtk_chat_request_mark_read(rtk_session *session, rtk_message *msg, rtk_reply *reply);

/* On the owner, with the meeting's lock: a change of public chat an edge
 * forwarded for one of its viewers (cascade.h), `actor` its stand-in
 * (borrowed, in no room): chat.send (public text), chat.edit,
 * chat.delete, chat.pin, chat.unpin. Made, stored and told as the
 * owner's own participants' are; the reply's data (NEW) or NULL with
 * `why`. */
json_t *rtk_chat_request_forwarded(rtk_live *live, rtk_peer *actor, const rtk_request *req, rtk_refusal *why);

/* Without a meeting lock: the store search rtk_chat_request_search noted. */
void rtk_chat_request_search_run(rtk_message *msg);
/* With the meeting's lock, `session` looked up again (NULL: gone, nothing is
 * sent): the messages found that the participant may see, as the reply. */
void rtk_chat_request_search_reply(rtk_session *session, rtk_message *msg);

#endif
