/*
 * polls.c - the polls of a meeting's live session (room.h, "polls"):
 * meeting.polls.create and vote, the limits on them, and what each viewer
 * may see of a poll (anonymous polls, hidden results), so every event and
 * reply that carries a poll is built by one function per viewer.
 *
 * A poll belongs to its room (room->polls) and is freed with it.
 */
#include <string.h>
#include "room_internal.h"

/* One participant's vote. */
typedef struct poll_vote {
	char *user_id;     /* the voter's REST participant id */
	char *name;        /* its display name when it voted */
	guint option;      /* index into the poll's options */
} poll_vote;

struct rtk_poll {
	char *id;
	char *question;
	GPtrArray *options;          /* char*, owned: the options' texts */
	gboolean anonymous;
	gboolean hide_votes;
	char *created_by;            /* display name, "" for the server */
	char *created_by_user_id;    /* user id, "" for the server */
	GPtrArray *votes;            /* poll_vote*, owned, in voting order */
	GHashTable *voters;          /* user id (borrowed from votes) -> TRUE */
};

static void poll_vote_free(gpointer data) {
	poll_vote *vote = data;
	g_free(vote->user_id);
	g_free(vote->name);
	g_free(vote);
}

void room_poll_free(gpointer data) {
	rtk_poll *poll = data;
	if(poll == NULL)
		return;
	g_hash_table_destroy(poll->voters);
	g_ptr_array_free(poll->votes, TRUE);
	g_ptr_array_free(poll->options, TRUE);
	g_free(poll->id);
	g_free(poll->question);
	g_free(poll->created_by);
	g_free(poll->created_by_user_id);
	g_free(poll);
}

/* A poll without votes yet (votes and voters are the caller's to set):
 * every string copied, `options` a checked array of strings. */
static rtk_poll *polls_poll_new(const char *id, const char *question, const json_t *options, gboolean anonymous,
		gboolean hide_votes, const char *created_by, const char *created_by_user_id) {
	rtk_poll *poll = g_new0(rtk_poll, 1);
	poll->id = g_strdup(id);
	poll->question = g_strdup(question);
	poll->options = g_ptr_array_new_with_free_func(g_free);
	size_t i;
	const json_t *option;
	json_array_foreach(options, i, option)
		g_ptr_array_add(poll->options, g_strdup(json_string_value(option)));
	poll->anonymous = anonymous;
	poll->hide_votes = hide_votes;
	poll->created_by = g_strdup(created_by);
	poll->created_by_user_id = g_strdup(created_by_user_id);
	return poll;
}

/* Peers of the waiting room cannot act (0003). */
static gboolean polls_actor_joined(const rtk_peer *actor, rtk_refusal *why) {
	if(actor != NULL && actor->waitlisted) {
		rtk_refusal_set(why, RTK_ERR_NOT_JOINED, "in the waiting room: wait until a host accepts you");
		return FALSE;
	}
	return TRUE;
}

/* The question and options of a new poll within the limits (0001, 0704). */
static gboolean polls_check_fields(const char *question, const json_t *options, rtk_refusal *why) {
	if(question == NULL || !json_is_array(options)) {
		rtk_refusal_set(why, RTK_ERR_BAD_REQUEST, "a poll needs a 'question' string and an 'options' array");
		return FALSE;
	}
	size_t length = strlen(question);
	if(length == 0 || length > RTK_POLL_QUESTION_MAX) {
		rtk_refusal_set(why, RTK_ERR_POLL_INVALID, "the question must be 1 to %d bytes long (it is %zu)",
			RTK_POLL_QUESTION_MAX, length);
		return FALSE;
	}
	size_t count = json_array_size(options);
	if(count < RTK_POLL_OPTIONS_MIN || count > RTK_POLL_OPTIONS_MAX) {
		rtk_refusal_set(why, RTK_ERR_POLL_INVALID, "a poll has %d to %d options (not %zu)",
			RTK_POLL_OPTIONS_MIN, RTK_POLL_OPTIONS_MAX, count);
		return FALSE;
	}
	size_t i;
	const json_t *option;
	json_array_foreach(options, i, option) {
		if(!json_is_string(option)) {
			rtk_refusal_set(why, RTK_ERR_BAD_REQUEST, "option %zu is not a string", i);
			return FALSE;
		}
		if(json_string_length(option) == 0 || json_string_length(option) > RTK_POLL_OPTION_MAX) {
			rtk_refusal_set(why, RTK_ERR_POLL_INVALID, "option %zu must be 1 to %d bytes long", i,
				RTK_POLL_OPTION_MAX);
			return FALSE;
		}
	}
	return TRUE;
}

static rtk_poll *polls_find(rtk_room *room, const char *poll_id) {
	for(guint i = 0; poll_id != NULL && i < room->polls->len; i++) {
		rtk_poll *poll = g_ptr_array_index(room->polls, i);
		if(!strcmp(poll->id, poll_id))
			return poll;
	}
	return NULL;
}

gboolean rtk_room_polls_visible(const rtk_peer *viewer) {
	return viewer == NULL || viewer->permissions.polls.can_view;
}

/* Has `viewer` (NULL: the server) voted on `poll`? */
static gboolean polls_has_voted(const rtk_poll *poll, const rtk_peer *viewer) {
	return viewer != NULL && g_hash_table_contains(poll->voters, viewer->user_id);
}

/* May `viewer` see the counts and (unless anonymous) the voters? */
static gboolean polls_results_visible(const rtk_poll *poll, const rtk_peer *viewer) {
	if(!poll->hide_votes || viewer == NULL)
		return TRUE;
	return polls_has_voted(poll, viewer) || !g_strcmp0(viewer->user_id, poll->created_by_user_id);
}

/* The options as `viewer` sees them; `results` FALSE: counts 0, no voters.
 * One pass over the votes. */
static json_t *polls_options_json(const rtk_poll *poll, gboolean results) {
	json_t *options = json_array();
	for(guint o = 0; o < poll->options->len; o++)
		json_array_append_new(options, json_pack("{ss s[] sI}", "text", (const char *)g_ptr_array_index(poll->options, o),
			"votes", "count", (json_int_t)0));
	for(guint v = 0; results && v < poll->votes->len; v++) {
		const poll_vote *vote = g_ptr_array_index(poll->votes, v);
		json_t *option = json_array_get(options, vote->option);
		json_object_set_new(option, "count", json_integer(json_integer_value(json_object_get(option, "count")) + 1));
		if(!poll->anonymous)
			json_array_append_new(json_object_get(option, "votes"),
				json_pack("{ss ss}", "id", vote->user_id, "name", vote->name));
	}
	return options;
}

/* The "voted" list as `viewer` sees it (rules in room.h). */
static json_t *polls_voted_json(const rtk_poll *poll, const rtk_peer *viewer, gboolean results) {
	json_t *voted = json_array();
	if(!poll->anonymous && results) {
		for(guint v = 0; v < poll->votes->len; v++)
			json_array_append_new(voted, json_string(((const poll_vote *)g_ptr_array_index(poll->votes, v))->user_id));
	} else if(polls_has_voted(poll, viewer)) {
		json_array_append_new(voted, json_string(viewer->user_id));
	}
	return voted;
}

json_t *rtk_room_poll_json(const rtk_poll *poll, const rtk_peer *viewer) {
	gboolean results = polls_results_visible(poll, viewer);
	return json_pack("{ss ss so sb sb ss ss so}",
		"id", poll->id,
		"question", poll->question,
		"options", polls_options_json(poll, results),
		"anonymous", poll->anonymous,
		"hideVotes", poll->hide_votes,
		"createdBy", poll->created_by,
		"createdByUserId", poll->created_by_user_id,
		"voted", polls_voted_json(poll, viewer, results));
}

json_t *rtk_room_poll_rest_json(const rtk_poll *poll) {
	return json_pack("{ss ss so sb sb ss so}",
		"id", poll->id,
		"question", poll->question,
		"options", polls_options_json(poll, TRUE),
		"anonymous", poll->anonymous,
		"hide_votes", poll->hide_votes,
		"created_by", poll->created_by,
		"voted", polls_voted_json(poll, NULL, TRUE));
}

json_t *rtk_room_polls_json(const rtk_room *room, const rtk_peer *viewer) {
	json_t *list = json_array();
	for(guint i = 0; rtk_room_polls_visible(viewer) && i < room->polls->len; i++)
		json_array_append_new(list, rtk_room_poll_json(g_ptr_array_index(room->polls, i), viewer));
	return list;
}

/* pollsUpdate about `poll` to every joined peer that may view polls, as
 * each sees it. Only the poll that changed: the whole list for every
 * viewer on every vote cost viewers x polls x votes per vote (a 100-person
 * meeting voting on its 50th poll spent seconds of the signalling thread). */
static void polls_changed(rtk_room *room, const rtk_poll *poll, gboolean new_poll) {
	for(guint i = 0; i < room->peers->len; i++) {
		rtk_peer *peer = g_ptr_array_index(room->peers, i);
		if(!rtk_room_polls_visible(peer))
			continue;
		json_t *event = json_pack("{ss so sb}", "rtk", "pollsUpdate", "poll", rtk_room_poll_json(poll, peer),
			"newPoll", new_poll);
		room_send(room, peer, event);
		json_decref(event);
	}
}

const rtk_poll *rtk_room_poll_create(rtk_room *room, rtk_peer *actor, const char *question, const json_t *options,
		gboolean anonymous, gboolean hide_votes, rtk_refusal *why) {
	if(!polls_actor_joined(actor, why) || !room_actor_may(actor, RTK_ACTION_POLL_CREATE, why) ||
			!polls_check_fields(question, options, why))
		return NULL;
	if(room->polls->len >= RTK_POLLS_MAX) {
		rtk_refusal_set(why, RTK_ERR_POLL_LIMIT, "this session has %d polls already, the most it may hold",
			RTK_POLLS_MAX);
		return NULL;
	}
	char *id = g_uuid_string_random();
	rtk_poll *poll = polls_poll_new(id, question, options, anonymous, hide_votes,
		actor != NULL && actor->name != NULL ? actor->name : "", actor != NULL ? actor->user_id : "");
	g_free(id);
	poll->votes = g_ptr_array_new_with_free_func(poll_vote_free);
	poll->voters = g_hash_table_new(g_str_hash, g_str_equal);
	g_ptr_array_add(room->polls, poll);
	polls_changed(room, poll, TRUE);
	return poll;
}

const rtk_poll *rtk_room_poll_vote(rtk_room *room, rtk_peer *actor, const char *poll_id, gint64 index,
		rtk_refusal *why) {
	if(actor == NULL) {
		rtk_refusal_set(why, RTK_ERR_BAD_REQUEST, "only a participant can vote");
		return NULL;
	}
	if(!polls_actor_joined(actor, why) || !room_actor_may(actor, RTK_ACTION_POLL_VOTE, why))
		return NULL;
	rtk_poll *poll = polls_find(room, poll_id);
	if(poll == NULL) {
		rtk_refusal_set(why, RTK_ERR_POLL_NOT_FOUND, "no poll '%s' in this session", poll_id ? poll_id : "");
		return NULL;
	}
	if(index < 0 || index >= (gint64)poll->options->len) {
		rtk_refusal_set(why, RTK_ERR_POLL_BAD_OPTION, "option %" G_GINT64_FORMAT " is not one of the poll's %u (0 to %u)",
			index, poll->options->len, poll->options->len - 1);
		return NULL;
	}
	if(polls_has_voted(poll, actor)) {
		rtk_refusal_set(why, RTK_ERR_POLL_ALREADY_VOTED, "you have voted on poll '%s' already", poll->id);
		return NULL;
	}
	poll_vote *vote = g_new0(poll_vote, 1);
	vote->user_id = g_strdup(actor->user_id);
	vote->name = g_strdup(actor->name != NULL ? actor->name : "");
	vote->option = (guint)index;
	g_ptr_array_add(poll->votes, vote);
	g_hash_table_add(poll->voters, vote->user_id);
	polls_changed(room, poll, FALSE);
	return poll;
}

/* ---- a cascade edge's mirror of its owner's polls ---- */

json_t *rtk_room_poll_state(const rtk_poll *poll, guint from, guint max) {
	json_t *options = json_array(), *votes = json_array();
	for(guint o = 0; o < poll->options->len; o++)
		json_array_append_new(options, json_string(g_ptr_array_index(poll->options, o)));
	for(guint v = from; v < poll->votes->len && v - from < max; v++) {
		const poll_vote *vote = g_ptr_array_index(poll->votes, v);
		json_array_append_new(votes, json_pack("{ss ss si}", "userId", vote->user_id, "name", vote->name,
			"option", (int)vote->option));
	}
	return json_pack("{ss ss so sb sb ss ss si so}", "id", poll->id, "question", poll->question, "options", options,
		"anonymous", poll->anonymous, "hideVotes", poll->hide_votes, "createdBy", poll->created_by,
		"createdByUserId", poll->created_by_user_id, "from", (int)from, "votes", votes);
}

const char *rtk_room_poll_id(const rtk_poll *poll) {
	return poll->id;
}

guint rtk_room_poll_vote_count(const rtk_poll *poll) {
	return poll->votes->len;
}

/* A string field of at most `max` bytes, or NULL. */
static const char *polls_state_string(const json_t *object, const char *key, size_t max) {
	const json_t *value = json_object_get(object, key);
	return json_is_string(value) && json_string_length(value) <= max &&
		strlen(json_string_value(value)) == json_string_length(value) ? json_string_value(value) : NULL;
}

/* The votes of a poll state (NEW, with their voters' table) when every
 * vote names a user not among `earlier` (a poll's votes so far, or NULL)
 * nor twice, and one of `options` options; else NULL. */
static GPtrArray *polls_state_votes(const json_t *votes, guint options, GHashTable *earlier, GHashTable **voters) {
	if(!json_is_array(votes))
		return NULL;
	GPtrArray *out = g_ptr_array_new_with_free_func(poll_vote_free);
	*voters = g_hash_table_new(g_str_hash, g_str_equal);
	size_t i;
	const json_t *item;
	json_array_foreach(votes, i, item) {
		const char *user = polls_state_string(item, "userId", 128), *name = polls_state_string(item, "name", 1024);
		const json_t *option = json_object_get(item, "option");
		if(user == NULL || *user == '\0' || name == NULL || !json_is_integer(option) || json_integer_value(option) < 0 ||
				json_integer_value(option) >= options || g_hash_table_contains(*voters, user) ||
				(earlier != NULL && g_hash_table_contains(earlier, user))) {
			g_hash_table_destroy(*voters);
			*voters = NULL;
			g_ptr_array_free(out, TRUE);
			return NULL;
		}
		poll_vote *vote = g_new0(poll_vote, 1);
		vote->user_id = g_strdup(user);
		vote->name = g_strdup(name);
		vote->option = (guint)json_integer_value(option);
		g_ptr_array_add(out, vote);
		g_hash_table_add(*voters, vote->user_id);
	}
	return out;
}

gboolean rtk_room_poll_mirror(rtk_room *room, const json_t *state, gboolean announce) {
	const char *id = polls_state_string(state, "id", 128);
	const char *question = polls_state_string(state, "question", RTK_POLL_QUESTION_MAX);
	const char *created_by = polls_state_string(state, "createdBy", 1024);
	const char *created_by_user_id = polls_state_string(state, "createdByUserId", 128);
	const json_t *options = json_object_get(state, "options");
	if(id == NULL || *id == '\0' || question == NULL || created_by == NULL || created_by_user_id == NULL ||
			!polls_check_fields(question, options, NULL))
		return FALSE;
	rtk_poll *poll = polls_find(room, id);
	const json_t *from_json = json_object_get(state, "from");
	json_int_t from = from_json != NULL ? (json_is_integer(from_json) ? json_integer_value(from_json) : -1) : 0;
	if((poll == NULL && (room->polls->len >= RTK_POLLS_MAX || from != 0)) ||
			(poll != NULL && from != 0 && from != (json_int_t)poll->votes->len))
		return FALSE;
	if(poll != NULL && poll->options->len != json_array_size(options))
		return FALSE;   /* a poll's options never change */
	gboolean appending = poll != NULL && from > 0;
	GHashTable *voters = NULL;
	GPtrArray *votes = polls_state_votes(json_object_get(state, "votes"), (guint)json_array_size(options),
		appending ? poll->voters : NULL, &voters);
	if(votes == NULL)
		return FALSE;
	gboolean new_poll = poll == NULL;
	if(new_poll) {
		poll = polls_poll_new(id, question, options, json_is_true(json_object_get(state, "anonymous")),
			json_is_true(json_object_get(state, "hideVotes")), created_by, created_by_user_id);
		g_ptr_array_add(room->polls, poll);
	} else if(appending) {
		for(guint i = 0; i < votes->len; i++) {
			poll_vote *vote = g_ptr_array_index(votes, i);
			g_ptr_array_add(poll->votes, vote);
			g_hash_table_add(poll->voters, vote->user_id);
		}
		g_ptr_array_set_free_func(votes, NULL);   /* moved into the poll */
		g_ptr_array_free(votes, TRUE);
		g_hash_table_destroy(voters);
		votes = NULL;
	} else {
		g_hash_table_destroy(poll->voters);
		g_ptr_array_free(poll->votes, TRUE);
	}
	if(votes != NULL) {
		poll->votes = votes;
		poll->voters = voters;
	}
	if(announce)
		polls_changed(room, poll, new_poll);
	return TRUE;
}
