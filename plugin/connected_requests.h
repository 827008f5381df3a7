/*
 * connected_requests.h - the connectedMeetings.* signalling requests
 * (docs/protocol.md, "Connected meetings"): breakout rooms. The glue
 * between a request, the live rooms (model/connected.c decides who may do
 * what and moves a participant out) and the store, which holds the family
 * (a connected meeting's parent_meeting_id) and the participants a move
 * creates.
 *
 * Every one of these requests reads or writes the store, which must not
 * happen under a meeting lock, so each runs in three steps, as
 * chat.searchMessages does (chat_requests.h):
 *   1. the handler (under the family's lock, from rtk_requests_dispatch) checks the
 *      caller and the request against the live rooms and notes what the
 *      store part needs in msg->connected (a job);
 *   2. rtk_connected_request_run() (without the lock) reads and writes the
 *      store and mints the moved participants' tokens;
 *   3. rtk_connected_request_reply() (under the family's lock again) applies the
 *      result to the live rooms (a move's roomLeft) and answers.
 * A refusal in step 1 or 2 changes nothing.
 */
#ifndef RTK_CONNECTED_REQUESTS_H
#define RTK_CONNECTED_REQUESTS_H

#include "requests_internal.h"

typedef struct rtk_connected_job rtk_connected_job;

void rtk_connected_request_get(rtk_session *session, rtk_message *msg, rtk_reply *reply);
void rtk_connected_request_create(rtk_session *session, rtk_message *msg, rtk_reply *reply);
void rtk_connected_request_update(rtk_session *session, rtk_message *msg, rtk_reply *reply);
void rtk_connected_request_delete(rtk_session *session, rtk_message *msg, rtk_reply *reply);
void rtk_connected_request_move(rtk_session *session, rtk_message *msg, rtk_reply *reply);

/* participants.broadcastMessage with "meetingIds" (a joined caller, fields
 * checked): to every joined participant of each meeting named that is a
 * live meeting of the caller's family (the caller's own included when
 * named); other ids reach nobody. Live rooms only: no store, one step. */
void rtk_connected_broadcast(rtk_session *session, rtk_message *msg, rtk_reply *reply);

/* Step 2, without a meeting lock: the store part of the job in msg->connected. */
void rtk_connected_request_run(rtk_message *msg);
/* The root meeting of the job's family (borrowed): whose lock step 3 takes. */
const char *rtk_connected_job_root(const rtk_connected_job *job);
/* Step 3, with msg->lock set to the family's lock, held, and `session`
 * looked up again (NULL: gone; the job's result is dropped, nothing is
 * moved). */
void rtk_connected_request_reply(rtk_session *session, rtk_message *msg);
/* Frees msg->connected (NULL is fine). */
void rtk_connected_job_free(rtk_connected_job *job);

#endif
