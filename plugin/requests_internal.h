/*
 * requests_internal.h - what requests.c shares with the files that hold
 * one feature's requests (chat_requests.c): the reply a handler fills and
 * the checks every handler starts with. Not for other parts of the plugin.
 */
#ifndef RTK_REQUESTS_INTERNAL_H
#define RTK_REQUESTS_INTERNAL_H

#include "requests.h"

/* What a request handler answers: an event (and a JSEP), or an error
 * (`code` set). Both references are released once pushed. */
typedef struct rtk_reply {
	json_t *event;
	json_t *jsep;
	const char *code;
	char message[256];
	const char *janus_url;   /* an error's janusUrl (0806), borrowed; NULL: none */
} rtk_reply;

/* A joined participant (main handle, not waitlisted), else answers 0003. */
gboolean rtk_requests_needs_joined(rtk_session *session, rtk_reply *reply);
/* The fields request_parse.c read are fine, else answers the first wrong one. */
gboolean rtk_requests_body(rtk_message *msg, rtk_reply *reply);
void rtk_requests_reply_refusal(rtk_reply *reply, const rtk_refusal *why);
/* {"rtk": "ok", "request": name, ...the fields of `data` (stolen)}. */
void rtk_requests_reply_ok_with(rtk_message *msg, rtk_reply *reply, json_t *data);
/* Pushes the reply (or error) to the request's handle and clears `reply`. */
void rtk_requests_push_reply(rtk_message *msg, rtk_reply *reply);

#endif
