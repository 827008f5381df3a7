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
#include "request_parse.h"

/* A request as Janus handed it over. Owns its transaction, body and jsep
 * (and a reference on the handle); freed by the plugin's signalling worker
 * that ran it. */
typedef struct rtk_message {
	janus_plugin_session *handle;
	/* The meeting lock the worker holds while the request runs (plugin.c:
	 * the session's meeting's, else the admitted meeting's, else the lock
	 * of sessions in no meeting); borrowed. */
	rtk_meeting_lock *lock;
	char *transaction;
	json_t *body;
	json_t *jsep;
	/* The token check of join and subscribe, made by rtk_requests_prepare()
	 * before a meeting lock is taken (it reads the store). */
	gboolean admit_checked;
	rtk_admit_status admit_status;
	rtk_admission admission;    /* owned: rtk_admission_clear() when freeing */
	/* A join's placement (node.h), made with the token check: the Janus
	 * URL of the node the meeting runs on (owned, "" when unknown), NULL
	 * when it runs here; node_failed when the store could not say. */
	char *node_url;
	gboolean node_failed;
	/* The meeting runs on another node but this join (receive-only, or
	 * waiting for the stage) goes on here, on this node's edge of it
	 * (cascade.h); node_url then says where the stage is (0807). */
	gboolean cascade_edge;
	/* The body as rtk_requests_dispatch() read it (borrows from `body`). */
	rtk_request request;
	/* chat.searchMessages, run after the dispatch without a meeting lock
	 * (chat_requests.h): the session searched (owned; NULL: no search) and
	 * the ids found (owned). */
	struct {
		char *session_id;
		json_t *found;
	} search;
	/* A request of a viewer on a cascade edge that the meeting's owner
	 * node decides (cascade.h), sent and waited for after the dispatch
	 * without a meeting lock (plugin.c): the meeting (owned; NULL: none),
	 * the viewer as the owner is told of it and the fields of its body
	 * the owner reads (owned). `code` (owned) holds the owner's refusal
	 * code while the reply is pushed. */
	struct {
		char *meeting_id;
		json_t *sender;
		json_t *body;
		char *code;
	} forward;
	/* The answer of a request that changed a recording or livestream,
	 * held until the store has its new state (so a REST read after the
	 * answer sees it, as after the REST call): pushed by
	 * rtk_requests_push_held() with no lock held. NULL: none. */
	json_t *held_reply;
	guint64 held_until;         /* rtk_captures_queued() when it was held */
	/* connectedMeetings.*, whose store part runs after the dispatch
	 * without a meeting lock (connected_requests.h); owned, NULL: none. */
	struct rtk_connected_job *connected;
} rtk_message;

/* Does what a request needs from the store before a meeting
 * lock is taken, so no lock is held across that I/O: for join and
 * subscribe, checks the token and loads participant, meeting and preset;
 * with several nodes, a join also claims the meeting for this node. */
void rtk_requests_prepare(rtk_message *msg);

/* Pushes msg->held_reply once the store has what it says; with no lock
 * held (it waits for the capture writer: milliseconds). */
void rtk_requests_push_held(rtk_message *msg);

/* Runs one request on `session` and pushes its reply (or holds it: see
 * held_reply). Call with
 * msg->lock set and held. */
void rtk_requests_dispatch(rtk_session *session, rtk_message *msg);

#endif
