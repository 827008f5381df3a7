/*
 * connected_requests.c - connectedMeetings.* (connected_requests.h): each
 * request's three steps, the job that carries a request from one to the
 * next, and the `destination` a moved participant is given; and
 * broadcastMessage to the family's other meetings.
 *
 * Who frees what: the job belongs to the message (rtk_message.connected)
 * and is freed with it (plugin.c); every string and JSON value in it is
 * owned by the job.
 */
#include <string.h>
#include <debug.h>

#include "connected_requests.h"
#include "glue.h"
#include "gateway.h"

/* One moved participant, as step 1 saw it in the source room. */
typedef struct connected_target {
	char *user_id;
	char *name;
	char *picture;                /* may be NULL */
	char *custom_participant_id;  /* may be NULL */
	char *preset_name;            /* the preset it moves with (its own, or the custom one) */
	json_t *destination;          /* step 2: what its roomLeft carries (NULL: not moved) */
} connected_target;

struct rtk_connected_job {
	rtk_request_kind kind;
	char *root_id;              /* the family's parent meeting */
	const rtk_meeting_lock *lock;   /* step 3: the family's lock, held (borrowed) */
	gboolean host;              /* the caller has can_alter_connected_meetings: sees every room's participants */
	GPtrArray *targets;         /* move: connected_target*, owned */
	rtk_refusal error;          /* step 2's refusal (code NULL: none) */
	json_t *parent;             /* step 2: the parent meeting (get), NULL otherwise */
	json_t *meetings;           /* step 2: get the ACTIVE children; create/update/delete the meetings written */
	json_t *destination;        /* step 2, move: the destination meeting */
};

static void connected_target_free(gpointer data) {
	connected_target *t = data;
	g_free(t->user_id);
	g_free(t->name);
	g_free(t->picture);
	g_free(t->custom_participant_id);
	g_free(t->preset_name);
	json_decref(t->destination);
	g_free(t);
}

void rtk_connected_job_free(rtk_connected_job *job) {
	if(job == NULL)
		return;
	g_free(job->root_id);
	if(job->targets != NULL)
		g_ptr_array_free(job->targets, TRUE);
	json_decref(job->parent);
	json_decref(job->meetings);
	json_decref(job->destination);
	g_free(job);
}

/* ---- step 1: under the meeting's lock ---- */

/* A joined caller with well-formed fields: its job (NEW), else NULL with the reply set. */
static rtk_connected_job *connected_begin(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	if(!rtk_requests_needs_joined(session, reply) || !rtk_requests_body(msg, reply))
		return NULL;
	rtk_connected_job *job = g_new0(rtk_connected_job, 1);
	job->kind = msg->request.kind;
	job->root_id = g_strdup(rtk_room_connected_root(session->live->room));
	job->host = session->peer->permissions.connected.can_alter;
	return job;
}

void rtk_connected_request_get(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	msg->connected = connected_begin(session, msg, reply);
}

/* createMeetings, updateMeetings, deleteMeetings: can_alter_connected_meetings. */
static rtk_connected_job *connected_begin_alter(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	rtk_connected_job *job = connected_begin(session, msg, reply);
	if(job != NULL && !rtk_permissions_allow(&session->peer->permissions, RTK_ACTION_CONNECTED_ALTER, &why)) {
		rtk_requests_reply_refusal(reply, &why);
		rtk_connected_job_free(job);
		return NULL;
	}
	return job;
}

void rtk_connected_request_create(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	rtk_connected_job *job = connected_begin_alter(session, msg, reply);
	if(job != NULL && !rtk_connected_meetings_valid(msg->request.connected.meetings, FALSE, &why)) {
		rtk_requests_reply_refusal(reply, &why);
		rtk_connected_job_free(job);
		job = NULL;
	}
	msg->connected = job;
}

void rtk_connected_request_update(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	rtk_connected_job *job = connected_begin_alter(session, msg, reply);
	if(job != NULL && !rtk_connected_meetings_valid(msg->request.connected.meetings, TRUE, &why)) {
		rtk_requests_reply_refusal(reply, &why);
		rtk_connected_job_free(job);
		job = NULL;
	}
	msg->connected = job;
}

void rtk_connected_request_delete(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why = { 0 };
	rtk_connected_job *job = connected_begin_alter(session, msg, reply);
	if(job == NULL)
		return;
	size_t i;
	const json_t *id;
	json_array_foreach(msg->request.connected.meeting_ids, i, id) {
		const char *meeting_id = json_string_value(id);
		rtk_live *live = rtk_live_find(msg->lock, meeting_id);
		if(!strcmp(meeting_id, job->root_id))
			rtk_refusal_set(&why, RTK_ERR_CONNECTED_NOT_FOUND, "%.64s is the parent meeting, not a connected one",
				meeting_id);
		else if(live != NULL && strcmp(rtk_room_connected_root(live->room), job->root_id))
			rtk_refusal_set(&why, RTK_ERR_CONNECTED_NOT_FOUND, "meeting %.64s is not one of this meeting's "
				"connected meetings", meeting_id);
		else if(live != NULL && rtk_room_size(live->room) > 0)
			rtk_refusal_set(&why, RTK_ERR_CONNECTED_OCCUPIED, "connected meeting %.64s has participants: "
				"move them out first", meeting_id);
		if(why.code != NULL)
			break;
	}
	if(why.code != NULL) {
		rtk_requests_reply_refusal(reply, &why);
		rtk_connected_job_free(job);
		return;
	}
	msg->connected = job;
}

/* The joined participants a move names (peer or user ids) in `room`, as
 * targets moving with `preset_name` (NULL: their own preset). 1204 for an
 * id nobody joined with. */
static GPtrArray *connected_targets(rtk_room *room, const json_t *ids, const char *preset_name, rtk_refusal *why) {
	GPtrArray *targets = g_ptr_array_new_with_free_func(connected_target_free);
	size_t i;
	const json_t *id;
	json_array_foreach(ids, i, id) {
		const char *text = json_string_value(id);
		rtk_peer *peer = room != NULL ? rtk_room_find_peer(room, text) : NULL;
		if(peer == NULL && room != NULL)
			peer = rtk_room_find_user(room, text);
		if(peer == NULL) {
			rtk_refusal_set(why, RTK_ERR_TARGET_NOT_FOUND, "no participant %.64s in the source meeting", text);
			g_ptr_array_free(targets, TRUE);
			return NULL;
		}
		gboolean twice = FALSE;
		for(guint k = 0; k < targets->len; k++)
			twice = twice || !strcmp(((connected_target *)g_ptr_array_index(targets, k))->user_id, peer->user_id);
		if(twice)
			continue;
		connected_target *t = g_new0(connected_target, 1);
		t->user_id = g_strdup(peer->user_id);
		t->name = g_strdup(peer->name);
		t->picture = g_strdup(peer->picture);
		t->custom_participant_id = g_strdup(peer->custom_participant_id);
		t->preset_name = g_strdup(preset_name != NULL ? preset_name : peer->preset_name);
		g_ptr_array_add(targets, t);
	}
	return targets;
}

void rtk_connected_request_move(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why = { 0 };
	rtk_connected_job *job = connected_begin(session, msg, reply);
	if(job == NULL)
		return;
	const char *source = msg->request.connected.source;
	const char *destination = msg->request.connected.destination;
	rtk_live *live = rtk_live_find(msg->lock, source);
	rtk_room *room = live != NULL ? live->room : NULL;
	if(room != NULL && strcmp(rtk_room_connected_root(room), job->root_id))
		rtk_refusal_set(&why, RTK_ERR_CONNECTED_NOT_FOUND, "meeting %.64s is not one of this meeting's "
			"connected meetings", source);
	/* A custom preset given by id is resolved to its name in step 2. */
	if(why.code == NULL)
		job->targets = connected_targets(room, msg->request.connected.participant_ids,
			msg->request.connected.preset_name, &why);
	if(why.code == NULL) {
		GPtrArray *user_ids = g_ptr_array_new();
		for(guint i = 0; i < job->targets->len; i++)
			g_ptr_array_add(user_ids, ((connected_target *)g_ptr_array_index(job->targets, i))->user_id);
		rtk_connected_move_allowed(session->peer, job->root_id, source, destination, user_ids, &why);
		g_ptr_array_free(user_ids, TRUE);
	}
	if(why.code != NULL) {
		rtk_requests_reply_refusal(reply, &why);
		rtk_connected_job_free(job);
		return;
	}
	msg->connected = job;
}

void rtk_connected_broadcast(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_room *own = session->live->room;
	const char *root = rtk_room_connected_root(own);
	GPtrArray *rooms = g_ptr_array_new();
	size_t i;
	const json_t *id;
	json_array_foreach(msg->request.meeting_ids, i, id) {
		rtk_live *live = rtk_live_find(msg->lock, json_string_value(id));
		if(live != NULL && !strcmp(rtk_room_connected_root(live->room), root) &&
				!g_ptr_array_find(rooms, live->room, NULL))
			g_ptr_array_add(rooms, live->room);
	}
	rtk_refusal why;
	int sent = rtk_room_broadcast_to_rooms((rtk_room *const *)rooms->pdata, rooms->len, own, session->peer,
		msg->request.message_type, msg->request.payload, msg->request.preset_name, g_get_real_time() / 1000, &why);
	g_ptr_array_free(rooms, TRUE);
	if(sent < 0)
		rtk_requests_reply_refusal(reply, &why);
	else
		rtk_requests_reply_ok_with(msg, reply, json_pack("{si}", "recipients", sent));
}

/* ---- step 2: without a meeting lock ---- */

static void connected_store_failed(rtk_connected_job *job) {
	rtk_refusal_set(&job->error, RTK_ERR_INTERNAL, "internal error: store unavailable");
}

/* `meeting_id` of the family, read into *out (NEW): the parent itself when
 * `parent_ok`, else an ACTIVE meeting whose parent is the root. 0803. */
static gboolean connected_family_member(rtk_connected_job *job, const char *meeting_id, gboolean parent_ok,
		json_t **out) {
	json_t *meeting = NULL;
	rtk_store_status st = rtk_store_meeting_get(rtk_gateway_store(rtk_gw), meeting_id, &meeting);
	*out = NULL;
	if(st != RTK_STORE_OK && st != RTK_STORE_NOT_FOUND) {
		connected_store_failed(job);
		return FALSE;
	}
	const char *parent = json_string_value(json_object_get(meeting, "parent_meeting_id"));
	const char *status = json_string_value(json_object_get(meeting, "status"));
	gboolean is_root = st == RTK_STORE_OK && !strcmp(meeting_id, job->root_id);
	gboolean member = st == RTK_STORE_OK && ((parent_ok && is_root) ||
		(!g_strcmp0(parent, job->root_id) && !g_strcmp0(status, "ACTIVE")));
	if(!member) {
		json_decref(meeting);
		rtk_refusal_set(&job->error, RTK_ERR_CONNECTED_NOT_FOUND, "meeting %.64s is not %s of this meeting's "
			"connected meetings", meeting_id, parent_ok ? "the parent nor one" : "one");
		return FALSE;
	}
	*out = meeting;
	return TRUE;
}

/* The parent's ACTIVE connected meetings, oldest first: a NEW array, or NULL (store failed). */
static json_t *connected_children(rtk_connected_job *job) {
	json_t *all = NULL;
	int total = 0;
	if(rtk_store_meeting_children(rtk_gateway_store(rtk_gw), job->root_id, 0, -1, &all, &total) != RTK_STORE_OK) {
		connected_store_failed(job);
		return NULL;
	}
	json_t *active = json_array();
	for(size_t i = json_array_size(all); i > 0; i--) {
		json_t *m = json_array_get(all, i - 1);
		if(!g_strcmp0(json_string_value(json_object_get(m, "status")), "ACTIVE"))
			json_array_append(active, m);
	}
	json_decref(all);
	return active;
}

static void connected_run_get(rtk_connected_job *job) {
	if(rtk_store_meeting_get(rtk_gateway_store(rtk_gw), job->root_id, &job->parent) != RTK_STORE_OK) {
		connected_store_failed(job);
		return;
	}
	job->meetings = connected_children(job);
}

static void connected_run_create(rtk_connected_job *job, const json_t *meetings) {
	json_t *existing = connected_children(job);
	if(existing == NULL)
		return;
	size_t count = json_array_size(existing);
	json_decref(existing);
	if(count + json_array_size(meetings) > RTK_CONNECTED_MAX) {
		rtk_refusal_set(&job->error, RTK_ERR_CONNECTED_INVALID, "a meeting has at most %d connected meetings "
			"(%zu already)", RTK_CONNECTED_MAX, count);
		return;
	}
	job->meetings = json_array();
	size_t i;
	const json_t *m;
	json_array_foreach(meetings, i, m) {
		json_t *fields = json_pack("{sO ss}", "title", json_object_get(m, "title"), "parent_meeting_id", job->root_id);
		json_t *created = NULL;
		rtk_store_status st = rtk_store_meeting_create(rtk_gateway_store(rtk_gw), fields, &created);
		json_decref(fields);
		if(st != RTK_STORE_OK) {
			connected_store_failed(job);
			return;
		}
		json_array_append_new(job->meetings, created);
	}
}

/* updateMeetings (titles) and deleteMeetings (status INACTIVE): every
 * meeting is checked to be a connected meeting of the family first. */
static void connected_run_change(rtk_connected_job *job, const json_t *list, gboolean delete) {
	size_t i;
	const json_t *item;
	json_array_foreach(list, i, item) {
		json_t *meeting = NULL;
		const char *id = delete ? json_string_value(item) : json_string_value(json_object_get(item, "id"));
		if(!connected_family_member(job, id, FALSE, &meeting))
			return;
		json_decref(meeting);
	}
	job->meetings = json_array();
	json_array_foreach(list, i, item) {
		const char *id = delete ? json_string_value(item) : json_string_value(json_object_get(item, "id"));
		json_t *fields = delete ? json_pack("{ss}", "status", "INACTIVE") :
			json_pack("{sO}", "title", json_object_get(item, "title"));
		json_t *changed = NULL;
		rtk_store_status st = rtk_store_meeting_update(rtk_gateway_store(rtk_gw), id, fields, &changed);
		json_decref(fields);
		if(st != RTK_STORE_OK) {
			connected_store_failed(job);
			return;
		}
		json_array_append_new(job->meetings, changed);
	}
}

/* The destination's participant for `t`: the one it already has with the
 * same custom_participant_id and preset (a participant moving back to where
 * it was), else a new one. *generation: its token generation. NEW, or NULL
 * (store failed, or the preset vanished: job->error set). */
static json_t *connected_destination_participant(rtk_connected_job *job, const connected_target *t,
		const char *meeting_id, long long *generation) {
	rtk_store *store = rtk_gateway_store(rtk_gw);
	json_t *list = NULL, *found = NULL;
	int total = 0;
	*generation = 0;
	if(t->custom_participant_id != NULL &&
			rtk_store_participant_list(store, meeting_id, 0, -1, &list, &total) == RTK_STORE_OK) {
		size_t i;
		json_t *p;
		json_array_foreach(list, i, p) {
			if(!g_strcmp0(json_string_value(json_object_get(p, "custom_participant_id")), t->custom_participant_id) &&
					!g_strcmp0(json_string_value(json_object_get(p, "preset_name")), t->preset_name))
				found = json_incref(p);
		}
	}
	json_decref(list);
	if(found != NULL) {
		const char *id = json_string_value(json_object_get(found, "id"));
		if(rtk_store_token_generation_get(store, id, generation) == RTK_STORE_OK)
			return found;
		json_decref(found);
		connected_store_failed(job);
		return NULL;
	}
	json_t *fields = json_pack("{ss ss* ss* ss*}", "preset_name", t->preset_name, "name", t->name,
		"picture", t->picture, "custom_participant_id", t->custom_participant_id);
	json_t *created = NULL;
	const char *missing = NULL;
	rtk_store_status st = rtk_store_participant_create(store, meeting_id, fields, &created, &missing);
	json_decref(fields);
	if(st == RTK_STORE_NOT_FOUND && !g_strcmp0(missing, "preset"))
		rtk_refusal_set(&job->error, RTK_ERR_PRESET_NOT_FOUND, "no preset named %.64s", t->preset_name);
	else if(st != RTK_STORE_OK)
		connected_store_failed(job);
	return st == RTK_STORE_OK ? created : NULL;
}

static void connected_run_move(rtk_connected_job *job, const rtk_request *req) {
	rtk_store *store = rtk_gateway_store(rtk_gw);
	const char *destination = req->connected.destination;
	if(!connected_family_member(job, destination, TRUE, &job->destination))
		return;
	if(req->connected.preset_id != NULL) {
		json_t *preset = NULL;
		rtk_store_status st = rtk_store_preset_get(store, req->connected.preset_id, &preset);
		const char *name = json_string_value(json_object_get(preset, "name"));
		if(st == RTK_STORE_OK && name != NULL) {
			for(guint i = 0; i < job->targets->len; i++) {
				connected_target *t = g_ptr_array_index(job->targets, i);
				g_free(t->preset_name);
				t->preset_name = g_strdup(name);
			}
		} else if(st == RTK_STORE_NOT_FOUND) {
			rtk_refusal_set(&job->error, RTK_ERR_PRESET_NOT_FOUND, "no preset %.64s", req->connected.preset_id);
		} else {
			connected_store_failed(job);
		}
		json_decref(preset);
		if(job->error.code != NULL)
			return;
	} else if(req->connected.preset_name != NULL) {
		json_t *preset = NULL;
		rtk_store_status st = rtk_store_preset_get_by_name(store, req->connected.preset_name, &preset);
		json_decref(preset);
		if(st == RTK_STORE_NOT_FOUND)
			rtk_refusal_set(&job->error, RTK_ERR_PRESET_NOT_FOUND, "no preset named %.64s", req->connected.preset_name);
		else if(st != RTK_STORE_OK)
			connected_store_failed(job);
		if(job->error.code != NULL)
			return;
	}
	for(guint i = 0; i < job->targets->len; i++) {
		connected_target *t = g_ptr_array_index(job->targets, i);
		long long generation = 0;
		json_t *participant = connected_destination_participant(job, t, destination, &generation);
		if(participant == NULL)
			return;
		char *token = rtk_gateway_participant_token(rtk_gw, participant, generation);
		if(token == NULL) {
			json_decref(participant);
			rtk_refusal_set(&job->error, RTK_ERR_INTERNAL, "internal error: could not sign a token");
			return;
		}
		t->destination = json_pack("{ss sO? ss ss sO? sb}", "meetingId", destination,
			"title", json_object_get(job->destination, "title"),
			"participantId", json_string_value(json_object_get(participant, "id")),
			"token", token, "presetName", json_object_get(participant, "preset_name"),
			"isParent", !strcmp(destination, job->root_id));
		free(token);
		json_decref(participant);
	}
}

void rtk_connected_request_run(rtk_message *msg) {
	rtk_connected_job *job = msg->connected;
	switch(job->kind) {
		case RTK_REQ_CONNECTED_GET:
			connected_run_get(job);
			break;
		case RTK_REQ_CONNECTED_CREATE:
			connected_run_create(job, msg->request.connected.meetings);
			break;
		case RTK_REQ_CONNECTED_UPDATE:
			connected_run_change(job, msg->request.connected.meetings, FALSE);
			break;
		case RTK_REQ_CONNECTED_DELETE:
			connected_run_change(job, msg->request.connected.meeting_ids, TRUE);
			break;
		case RTK_REQ_CONNECTED_MOVE:
		case RTK_REQ_CONNECTED_MOVE_PRESET:
			connected_run_move(job, &msg->request);
			break;
		default:
			break;
	}
}

/* ---- step 3: under the family's lock again ---- */

/* {id, title, participants?} of one meeting of the family, participants
 * from its live room (for a host of the family). NEW. */
static json_t *connected_meeting_json(const rtk_connected_job *job, const json_t *meeting) {
	const char *id = json_string_value(json_object_get(meeting, "id"));
	json_t *out = json_pack("{ss sO?}", "id", id, "title", json_object_get(meeting, "title"));
	if(job->host) {
		rtk_live *live = rtk_live_find(job->lock, id);
		json_object_set_new(out, "participants", live != NULL ?
			rtk_room_connected_participants(live->room) : json_array());
	}
	return out;
}

static json_t *connected_meetings_json(const rtk_connected_job *job, const json_t *meetings) {
	json_t *list = json_array();
	size_t i;
	const json_t *m;
	json_array_foreach(meetings, i, m)
		json_array_append_new(list, connected_meeting_json(job, m));
	return list;
}

/* Moves each target still in the source room; the moved ones, as
 * [{id (user id), destinationMeetingId}]. */
static json_t *connected_apply_move(rtk_connected_job *job, const char *source) {
	json_t *moved = json_array();
	rtk_live *live = rtk_live_find(job->lock, source);
	if(live == NULL)
		return moved;
	for(guint i = 0; i < job->targets->len; i++) {
		connected_target *t = g_ptr_array_index(job->targets, i);
		if(t->destination != NULL && rtk_room_move_user(live->room, t->user_id, t->destination))
			json_array_append_new(moved, json_pack("{ss sO?}", "id", t->user_id,
				"destinationMeetingId", json_object_get(t->destination, "meetingId")));
	}
	JANUS_LOG(LOG_INFO, "[rtk] meeting %s: %zu participant(s) moved to connected meeting %s\n",
		source, json_array_size(moved), json_string_value(json_object_get(job->destination, "id")));
	rtk_live_flush(live);   /* may free the meeting: last */
	return moved;
}

const char *rtk_connected_job_root(const rtk_connected_job *job) {
	return job->root_id;
}

void rtk_connected_request_reply(rtk_session *session, rtk_message *msg) {
	rtk_connected_job *job = msg->connected;
	rtk_reply reply = { 0 };
	if(session == NULL)
		return;
	job->lock = msg->lock;
	if(job->error.code != NULL) {
		rtk_requests_reply_refusal(&reply, &job->error);
	} else if(session->role != RTK_ROLE_MAIN || session->live == NULL || session->live->lock != job->lock) {
		rtk_refusal why;
		rtk_refusal_set(&why, RTK_ERR_NOT_JOINED, "left the meeting before the request was done");
		rtk_requests_reply_refusal(&reply, &why);
		/* a move already written still applies: the participants were asked to move */
		if(job->kind == RTK_REQ_CONNECTED_MOVE || job->kind == RTK_REQ_CONNECTED_MOVE_PRESET)
			json_decref(connected_apply_move(job, msg->request.connected.source));
	} else if(job->kind == RTK_REQ_CONNECTED_GET) {
		rtk_requests_reply_ok_with(msg, &reply, json_pack("{so so}",
			"parentMeeting", connected_meeting_json(job, job->parent),
			"meetings", connected_meetings_json(job, job->meetings)));
	} else if(job->kind == RTK_REQ_CONNECTED_MOVE || job->kind == RTK_REQ_CONNECTED_MOVE_PRESET) {
		rtk_requests_reply_ok_with(msg, &reply, json_pack("{so}", "moved",
			connected_apply_move(job, msg->request.connected.source)));
	} else {
		gboolean seen = job->host;
		job->host = FALSE;   /* a changed meeting is answered without its participants */
		rtk_requests_reply_ok_with(msg, &reply, json_pack("{so}", "meetings", connected_meetings_json(job, job->meetings)));
		job->host = seen;
	}
	rtk_requests_push_reply(msg, &reply);
}
