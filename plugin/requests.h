/*
 * requests.h - the signalling requests of janus.plugin.rtk (docs/protocol.md).
 *
 * One function per request, named after it, each checking what the request
 * needs (role, token, JSEP, field types) before it changes anything, and
 * answering with an event or an error code from errors.h.
 */
#ifndef RTK_REQUESTS_H
#define RTK_REQUESTS_H

#include <jansson.h>
#include <plugins/plugin.h>
#include "session.h"

/* A request as Janus handed it over. Owns its transaction, body and jsep
 * (and a reference on the handle); freed by the plugin's message thread. */
typedef struct rtk_message {
	janus_plugin_session *handle;
	char *transaction;
	json_t *body;
	json_t *jsep;
} rtk_message;

/* Runs one request on `session` and pushes its reply. Call with the
 * plugin's state mutex held. */
void rtk_requests_dispatch(rtk_session *session, rtk_message *msg);

#endif
