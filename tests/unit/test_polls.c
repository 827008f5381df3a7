/*
 * test_polls.c - the polls of a live session (plugin/model/polls.c) driven
 * without Janus: create and vote, who gets pollsUpdate, what each viewer
 * sees of anonymous and hideVotes polls, the limits and refusal codes
 * (refusals change nothing and send nothing), polls in roomJoined, and the
 * permission matrix of polls.create / polls.vote over the six default
 * presets through the room.
 */
#include <glib.h>
#include <jansson.h>
#include "unit.h"
#include "room.h"
#include "presets_default.h"

/* ---- fixtures: a room whose sink records "<peer name>:<event>" ---- */

typedef struct world {
	GPtrArray *lines;    /* char*, owned */
	json_t *events;      /* [{"to": name, "event": {...}}] */
	rtk_room *room;
} world;

static void world_record(rtk_peer *peer, json_t *event, void *user_data) {
	world *w = user_data;
	g_ptr_array_add(w->lines, g_strdup_printf("%s:%s", peer->name, json_string_value(json_object_get(event, "rtk"))));
	json_array_append_new(w->events, json_pack("{sssO}", "to", peer->name, "event", event));
}

static void world_init(world *w) {
	w->lines = g_ptr_array_new_with_free_func(g_free);
	w->events = json_array();
	rtk_room_sink sink = { world_record, w, NULL };
	json_t *meeting = json_pack("{ss ss}", "id", "m-polls", "title", "Town hall");
	w->room = rtk_room_new(meeting, &sink);
	json_decref(meeting);
}

static void world_forget(world *w) {
	g_ptr_array_set_size(w->lines, 0);
	json_array_clear(w->events);
}

static void world_clear(world *w) {
	rtk_room_free(w->room);
	g_ptr_array_free(w->lines, TRUE);
	json_decref(w->events);
}

/* The deliveries since the last check, "a:x,b:y", then forgotten. */
#define CHECK_LINES(w, expected) do { \
	g_ptr_array_add((w)->lines, NULL); \
	char *lines_ = g_strjoinv(",", (char **)(w)->lines->pdata); \
	g_ptr_array_remove_index((w)->lines, (w)->lines->len - 1); \
	CHECK_EQ_STR(lines_, expected); \
	g_free(lines_); \
	world_forget(w); \
} while(0)

/* `call` must use `&why_` as its refusal and return NULL. */
#define CHECK_REFUSED(call, expected_code) do { \
	rtk_refusal why_ = { 0 }; \
	CHECK((call) == NULL); \
	CHECK_EQ_STR(why_.code, expected_code); \
	CHECK(why_.message[0] != '\0'); \
} while(0)

/* The last event named `name` delivered to `to` (borrowed), or NULL. */
static json_t *last_sent(world *w, const char *to, const char *name) {
	json_t *found = NULL;
	size_t i;
	json_t *entry;
	json_array_foreach(w->events, i, entry) {
		json_t *event = json_object_get(entry, "event");
		if(!g_strcmp0(json_string_value(json_object_get(entry, "to")), to) &&
				!g_strcmp0(json_string_value(json_object_get(event, "rtk")), name))
			found = event;
	}
	return found;
}

static const char *str(const json_t *object, const char *key) {
	return json_string_value(json_object_get(object, key));
}

/* A NEW copy of the default preset `name` with `partial` (JSON text or NULL)
 * merged into its permissions. */
static json_t *preset_of(const char *name, const char *partial) {
	json_t *defaults = rtk_presets_default();
	json_t *found = NULL;
	size_t i;
	json_t *preset;
	json_array_foreach(defaults, i, preset)
		if(!g_strcmp0(str(preset, "name"), name))
			found = json_deep_copy(preset);
	json_decref(defaults);
	if(found != NULL && partial != NULL) {
		json_t *changes = json_loads(partial, 0, NULL);
		rtk_refusal why = { 0 };
		if(!rtk_permissions_merge(json_object_get(found, "permissions"), changes, &why))
			fprintf(stderr, "bad test preset %s: %s\n", partial, why.message);
		json_decref(changes);
	}
	return found;
}

/* A peer for user "u-<name>" with the default preset `preset_name` (+ partial). */
static rtk_peer *member(const char *name, const char *preset_name, const char *partial) {
	json_t *preset = preset_of(preset_name, partial);
	char *user_id = g_strdup_printf("u-%s", name);
	json_t *participant = json_pack("{ss ss}", "id", user_id, "name", name);
	rtk_peer *peer = rtk_peer_new(participant, preset, NULL);
	json_decref(participant);
	g_free(user_id);
	json_decref(preset);
	return peer;
}

/* Joins straight in and forgets the events of joining. */
static rtk_peer *join(world *w, const char *name, const char *preset_name, const char *partial) {
	rtk_peer *peer = member(name, preset_name, partial);
	json_decref(rtk_room_join(w->room, peer));
	world_forget(w);
	return peer;
}

#define NO_VIEW "{\"polls\": {\"can_view\": false}}"
#define WAITS "{\"waiting_room_type\": \"ON_PRIVILEGED_USER_ENTRY\"}"

/* The poll `index` of a roomJoined list. */
static json_t *poll_at(const json_t *event, size_t index) {
	return json_array_get(json_object_get(event, "polls"), index);
}

/* The poll a pollsUpdate carries: the one that changed. */
static json_t *poll_of(const json_t *event) {
	return json_object_get(event, "poll");
}

static json_t *option_at(const json_t *poll, size_t index) {
	return json_array_get(json_object_get(poll, "options"), index);
}

static json_int_t count_of(const json_t *poll, size_t index) {
	return json_integer_value(json_object_get(option_at(poll, index), "count"));
}

static size_t votes_of(const json_t *poll, size_t index) {
	return json_array_size(json_object_get(option_at(poll, index), "votes"));
}

/* "voted" as "a,b" */
static char *voted_of(const json_t *poll) {
	GString *text = g_string_new(NULL);
	size_t i;
	json_t *id;
	json_array_foreach(json_object_get(poll, "voted"), i, id)
		g_string_append_printf(text, "%s%s", i ? "," : "", json_string_value(id));
	return g_string_free(text, FALSE);
}

#define CHECK_VOTED(poll, expected) do { \
	char *voted_ = voted_of(poll); \
	CHECK_EQ_STR(voted_, expected); \
	g_free(voted_); \
} while(0)

/* ---- create and vote ---- */

static void test_create_and_vote(void) {
	world w;
	world_init(&w);
	rtk_peer *ada = join(&w, "ada", "group_call_host", NULL);
	rtk_peer *bob = join(&w, "bob", "group_call_participant", NULL);
	rtk_peer *cy = join(&w, "cy", "webinar_viewer", NULL);
	rtk_peer *vic = join(&w, "vic", "group_call_participant", NO_VIEW);
	rtk_peer *wes = member("wes", "group_call_participant", WAITS);
	json_decref(rtk_room_enter(w.room, wes));
	CHECK(wes->waitlisted);
	world_forget(&w);
	json_t *options = json_pack("[ss]", "Pizza", "Sushi");

	/* ada creates: every joined peer that may view polls is told, not vic, not wes */
	const rtk_poll *poll = rtk_room_poll_create(w.room, ada, "Lunch?", options, FALSE, FALSE, NULL);
	CHECK_NOT_NULL(poll);
	CHECK_LINES(&w, "ada:pollsUpdate,bob:pollsUpdate,cy:pollsUpdate");
	json_t *mine = rtk_room_poll_json(poll, ada);
	const char *poll_id = str(mine, "id");
	CHECK_EQ_STR(str(mine, "question"), "Lunch?");
	CHECK_EQ_STR(str(option_at(mine, 0), "text"), "Pizza");
	CHECK_EQ_STR(str(option_at(mine, 1), "text"), "Sushi");
	CHECK_EQ_INT(count_of(mine, 0), 0);
	CHECK(json_is_false(json_object_get(mine, "anonymous")));
	CHECK(json_is_false(json_object_get(mine, "hideVotes")));
	CHECK_EQ_STR(str(mine, "createdBy"), "ada");
	CHECK_EQ_STR(str(mine, "createdByUserId"), "u-ada");
	CHECK_VOTED(mine, "");

	/* bob votes for Sushi: everyone who views polls sees it, with his name */
	rtk_refusal why = { 0 };
	CHECK(rtk_room_poll_vote(w.room, bob, poll_id, 1, &why) == poll);
	json_t *event = last_sent(&w, "cy", "pollsUpdate");
	CHECK_NOT_NULL(event);
	CHECK(json_is_false(json_object_get(event, "newPoll")));
	CHECK_NULL(json_object_get(event, "polls"));   /* only the poll that changed */
	json_t *seen = poll_of(event);
	CHECK_EQ_STR(str(seen, "id"), poll_id);
	CHECK_EQ_INT(count_of(seen, 0), 0);
	CHECK_EQ_INT(count_of(seen, 1), 1);
	json_t *vote = json_array_get(json_object_get(option_at(seen, 1), "votes"), 0);
	CHECK_EQ_STR(str(vote, "id"), "u-bob");
	CHECK_EQ_STR(str(vote, "name"), "bob");
	CHECK_VOTED(seen, "u-bob");
	CHECK_LINES(&w, "ada:pollsUpdate,bob:pollsUpdate,cy:pollsUpdate");

	/* refusals send nothing and change nothing */
	CHECK_REFUSED(rtk_room_poll_vote(w.room, bob, poll_id, 0, &why_), RTK_ERR_POLL_ALREADY_VOTED);
	CHECK_REFUSED(rtk_room_poll_vote(w.room, cy, poll_id, 2, &why_), RTK_ERR_POLL_BAD_OPTION);
	CHECK_REFUSED(rtk_room_poll_vote(w.room, cy, poll_id, -1, &why_), RTK_ERR_POLL_BAD_OPTION);
	CHECK_REFUSED(rtk_room_poll_vote(w.room, cy, "no-such-poll", 0, &why_), RTK_ERR_POLL_NOT_FOUND);
	CHECK_REFUSED(rtk_room_poll_vote(w.room, wes, poll_id, 0, &why_), RTK_ERR_NOT_JOINED);
	CHECK_REFUSED(rtk_room_poll_create(w.room, wes, "Q", options, FALSE, FALSE, &why_), RTK_ERR_NOT_JOINED);
	CHECK_REFUSED(rtk_room_poll_vote(w.room, NULL, poll_id, 0, &why_), RTK_ERR_BAD_REQUEST);
	rtk_refusal denied = { 0 };
	CHECK_NULL(rtk_room_poll_create(w.room, cy, "Q", options, FALSE, FALSE, &denied));
	CHECK_EQ_STR(denied.code, RTK_ERR_NOT_PERMITTED);
	CHECK(strstr(denied.message, "polls.can_create") != NULL);
	CHECK_LINES(&w, "");
	json_t *after = rtk_room_poll_json(poll, ada);
	CHECK_EQ_INT(count_of(after, 0), 0);
	CHECK_EQ_INT(count_of(after, 1), 1);
	CHECK_VOTED(after, "u-bob");
	CHECK_EQ_INT(w.room->polls->len, 1);
	json_decref(after);

	/* vic may vote (polls.can_vote) but is never sent a poll */
	CHECK(rtk_room_poll_vote(w.room, vic, poll_id, 0, NULL) == poll);
	CHECK_LINES(&w, "ada:pollsUpdate,bob:pollsUpdate,cy:pollsUpdate");

	/* roomJoined and the sync snapshot list the polls, except to vic */
	rtk_peer *dee = member("dee", "group_call_participant", NULL);
	json_t *joined = rtk_room_join(w.room, dee);
	CHECK_EQ_INT(json_array_size(json_object_get(joined, "polls")), 1);
	CHECK_EQ_STR(str(poll_at(joined, 0), "id"), poll_id);
	CHECK_VOTED(poll_at(joined, 0), "u-bob,u-vic");
	json_decref(joined);
	json_t *snapshot = rtk_room_joined_snapshot(w.room, vic);
	CHECK_NULL(json_object_get(snapshot, "polls"));
	json_decref(snapshot);
	snapshot = rtk_room_joined_snapshot(w.room, cy);
	CHECK_EQ_INT(json_array_size(json_object_get(snapshot, "polls")), 1);
	json_decref(snapshot);
	json_t *hidden = rtk_room_polls_json(w.room, vic);
	CHECK_EQ_INT(json_array_size(hidden), 0);
	json_decref(hidden);

	/* a rejoin is the same participant: bob still cannot vote twice */
	world_forget(&w);
	rtk_room_leave(w.room, bob, NULL);
	bob = join(&w, "bob", "group_call_participant", NULL);
	CHECK_REFUSED(rtk_room_poll_vote(w.room, bob, poll_id, 0, &why_), RTK_ERR_POLL_ALREADY_VOTED);

	json_decref(mine);
	json_decref(options);
	world_clear(&w);
}

/* ---- what each viewer sees ---- */

static void test_anonymous(void) {
	world w;
	world_init(&w);
	rtk_peer *ada = join(&w, "ada", "group_call_host", NULL);
	rtk_peer *bob = join(&w, "bob", "group_call_participant", NULL);
	rtk_peer *cy = join(&w, "cy", "webinar_viewer", NULL);
	json_t *options = json_pack("[sss]", "Early bird", "Night owl", "Both");
	const rtk_poll *poll = rtk_room_poll_create(w.room, ada, "Early or late?", options, TRUE, FALSE, NULL);
	CHECK_NOT_NULL(poll);
	json_t *first = rtk_room_poll_json(poll, ada);
	char *poll_id = g_strdup(str(first, "id"));
	json_decref(first);
	CHECK_NOT_NULL(rtk_room_poll_vote(w.room, ada, poll_id, 0, NULL));
	CHECK_NOT_NULL(rtk_room_poll_vote(w.room, bob, poll_id, 1, NULL));

	/* counts for everyone, voters for no one; voted: only one's own id */
	const rtk_peer *viewers[] = { ada, bob, cy };
	const char *own[] = { "u-ada", "u-bob", "" };
	for(int v = 0; v < 3; v++) {
		json_t *seen = poll_of(last_sent(&w, viewers[v]->name, "pollsUpdate"));
		CHECK(json_is_true(json_object_get(seen, "anonymous")));
		CHECK_EQ_INT(count_of(seen, 0), 1);
		CHECK_EQ_INT(count_of(seen, 1), 1);
		CHECK_EQ_INT(count_of(seen, 2), 0);
		for(size_t o = 0; o < 3; o++)
			CHECK_EQ_INT(votes_of(seen, o), 0);
		CHECK_VOTED(seen, own[v]);
	}
	/* nor to the server (REST) */
	json_t *rest = rtk_room_poll_rest_json(poll);
	CHECK_VOTED(rest, "");
	CHECK_EQ_INT(votes_of(rest, 0), 0);
	CHECK_EQ_INT(count_of(rest, 0), 1);
	CHECK(json_is_true(json_object_get(rest, "anonymous")));
	CHECK(json_is_false(json_object_get(rest, "hide_votes")));
	json_decref(rest);
	/* and anonymity does not allow a second vote */
	CHECK_REFUSED(rtk_room_poll_vote(w.room, bob, poll_id, 2, &why_), RTK_ERR_POLL_ALREADY_VOTED);
	g_free(poll_id);
	json_decref(options);
	world_clear(&w);
}

static void test_hide_votes(void) {
	world w;
	world_init(&w);
	rtk_peer *ada = join(&w, "ada", "group_call_host", NULL);
	rtk_peer *bob = join(&w, "bob", "group_call_participant", NULL);
	rtk_peer *cy = join(&w, "cy", "webinar_viewer", NULL);
	json_t *options = json_pack("[ss]", "Yes", "No");
	const rtk_poll *poll = rtk_room_poll_create(w.room, ada, "Ship it?", options, FALSE, TRUE, NULL);
	json_t *first = rtk_room_poll_json(poll, ada);
	char *poll_id = g_strdup(str(first, "id"));
	json_decref(first);
	CHECK_NOT_NULL(rtk_room_poll_vote(w.room, bob, poll_id, 0, NULL));

	/* bob voted: he sees the results; ada created it: she does; cy has not voted: she sees nothing */
	json_t *seen = poll_of(last_sent(&w, "bob", "pollsUpdate"));
	CHECK_EQ_INT(count_of(seen, 0), 1);
	CHECK_EQ_INT(votes_of(seen, 0), 1);
	CHECK_VOTED(seen, "u-bob");
	seen = poll_of(last_sent(&w, "ada", "pollsUpdate"));
	CHECK_EQ_INT(count_of(seen, 0), 1);
	CHECK_VOTED(seen, "u-bob");
	seen = poll_of(last_sent(&w, "cy", "pollsUpdate"));
	CHECK(json_is_true(json_object_get(seen, "hideVotes")));
	CHECK_EQ_INT(count_of(seen, 0), 0);
	CHECK_EQ_INT(votes_of(seen, 0), 0);
	CHECK_VOTED(seen, "");
	json_t *rest = rtk_room_poll_rest_json(poll);
	CHECK_EQ_INT(count_of(rest, 0), 1);
	CHECK_VOTED(rest, "u-bob");
	json_decref(rest);

	/* once cy votes, she sees them too */
	CHECK_NOT_NULL(rtk_room_poll_vote(w.room, cy, poll_id, 1, NULL));
	seen = poll_of(last_sent(&w, "cy", "pollsUpdate"));
	CHECK_EQ_INT(count_of(seen, 0), 1);
	CHECK_EQ_INT(count_of(seen, 1), 1);
	CHECK_VOTED(seen, "u-bob,u-cy");

	/* anonymous + hideVotes: hidden counts before voting, never voters */
	const rtk_poll *both = rtk_room_poll_create(w.room, bob, "Secret?", options, TRUE, TRUE, NULL);
	first = rtk_room_poll_json(both, bob);
	char *both_id = g_strdup(str(first, "id"));
	json_decref(first);
	CHECK_NOT_NULL(rtk_room_poll_vote(w.room, ada, both_id, 1, NULL));
	seen = poll_of(last_sent(&w, "cy", "pollsUpdate"));
	CHECK_EQ_INT(count_of(seen, 1), 0);
	CHECK_VOTED(seen, "");
	seen = poll_of(last_sent(&w, "bob", "pollsUpdate"));   /* the creator */
	CHECK_EQ_INT(count_of(seen, 1), 1);
	CHECK_EQ_INT(votes_of(seen, 1), 0);
	CHECK_VOTED(seen, "");
	seen = poll_of(last_sent(&w, "ada", "pollsUpdate"));
	CHECK_EQ_INT(count_of(seen, 1), 1);
	CHECK_VOTED(seen, "u-ada");
	g_free(both_id);
	g_free(poll_id);
	json_decref(options);
	world_clear(&w);
}

/* ---- limits, and the server as creator ---- */

static void test_limits(void) {
	world w;
	world_init(&w);
	rtk_peer *ada = join(&w, "ada", "group_call_host", NULL);
	json_t *two = json_pack("[ss]", "a", "b");
	char *long_question = g_strnfill(RTK_POLL_QUESTION_MAX + 1, 'q');
	char *max_question = g_strnfill(RTK_POLL_QUESTION_MAX, 'q');
	char *long_option = g_strnfill(RTK_POLL_OPTION_MAX + 1, 'o');
	char *max_option = g_strnfill(RTK_POLL_OPTION_MAX, 'o');
	json_t *one = json_pack("[s]", "a");
	json_t *eleven = json_array();
	for(int i = 0; i < RTK_POLL_OPTIONS_MAX + 1; i++)
		json_array_append_new(eleven, json_sprintf("option %d", i));
	json_t *empty_option = json_pack("[ss]", "a", "");
	json_t *too_long = json_pack("[ss]", "a", long_option);
	json_t *not_text = json_pack("[si]", "a", 7);

	CHECK_REFUSED(rtk_room_poll_create(w.room, ada, "", two, FALSE, FALSE, &why_), RTK_ERR_POLL_INVALID);
	CHECK_REFUSED(rtk_room_poll_create(w.room, ada, long_question, two, FALSE, FALSE, &why_), RTK_ERR_POLL_INVALID);
	CHECK_REFUSED(rtk_room_poll_create(w.room, ada, "Q", one, FALSE, FALSE, &why_), RTK_ERR_POLL_INVALID);
	CHECK_REFUSED(rtk_room_poll_create(w.room, ada, "Q", eleven, FALSE, FALSE, &why_), RTK_ERR_POLL_INVALID);
	CHECK_REFUSED(rtk_room_poll_create(w.room, ada, "Q", empty_option, FALSE, FALSE, &why_), RTK_ERR_POLL_INVALID);
	CHECK_REFUSED(rtk_room_poll_create(w.room, ada, "Q", too_long, FALSE, FALSE, &why_), RTK_ERR_POLL_INVALID);
	CHECK_REFUSED(rtk_room_poll_create(w.room, ada, "Q", not_text, FALSE, FALSE, &why_), RTK_ERR_BAD_REQUEST);
	CHECK_REFUSED(rtk_room_poll_create(w.room, ada, NULL, two, FALSE, FALSE, &why_), RTK_ERR_BAD_REQUEST);
	CHECK_REFUSED(rtk_room_poll_create(w.room, ada, "Q", NULL, FALSE, FALSE, &why_), RTK_ERR_BAD_REQUEST);
	CHECK_LINES(&w, "");
	CHECK_EQ_INT(w.room->polls->len, 0);

	/* at the limits exactly: fine */
	json_t *ten = json_array();
	for(int i = 0; i < RTK_POLL_OPTIONS_MAX; i++)
		json_array_append_new(ten, json_string(max_option));
	CHECK_NOT_NULL(rtk_room_poll_create(w.room, ada, max_question, ten, FALSE, FALSE, NULL));

	/* the server creates without permissions, as "" */
	const rtk_poll *server = rtk_room_poll_create(w.room, NULL, "From the API", two, FALSE, FALSE, NULL);
	CHECK_NOT_NULL(server);
	json_t *seen = rtk_room_poll_json(server, ada);
	CHECK_EQ_STR(str(seen, "createdBy"), "");
	CHECK_EQ_STR(str(seen, "createdByUserId"), "");
	json_decref(seen);
	json_t *rest = rtk_room_poll_rest_json(server);
	CHECK_EQ_STR(str(rest, "created_by"), "");
	CHECK_EQ_STR(str(rest, "question"), "From the API");
	CHECK_EQ_INT(json_array_size(json_object_get(rest, "options")), 2);
	json_decref(rest);
	world_forget(&w);

	/* RTK_POLLS_MAX per session */
	while(w.room->polls->len < RTK_POLLS_MAX)
		CHECK_NOT_NULL(rtk_room_poll_create(w.room, ada, "More?", two, FALSE, FALSE, NULL));
	world_forget(&w);
	CHECK_REFUSED(rtk_room_poll_create(w.room, ada, "One more?", two, FALSE, FALSE, &why_), RTK_ERR_POLL_LIMIT);
	CHECK_REFUSED(rtk_room_poll_create(w.room, NULL, "One more?", two, FALSE, FALSE, &why_), RTK_ERR_POLL_LIMIT);
	CHECK_LINES(&w, "");
	CHECK_EQ_INT(w.room->polls->len, RTK_POLLS_MAX);
	CHECK_EQ_INT(rtk_refusal_http_status(RTK_ERR_POLL_INVALID), 422);
	CHECK_EQ_INT(rtk_refusal_http_status(RTK_ERR_POLL_LIMIT), 409);

	json_decref(ten);
	json_decref(two);
	json_decref(one);
	json_decref(eleven);
	json_decref(empty_option);
	json_decref(too_long);
	json_decref(not_text);
	g_free(long_question);
	g_free(max_question);
	g_free(long_option);
	g_free(max_option);
	world_clear(&w);
}

/* ---- the permission matrix: polls.create and polls.vote x the default presets ---- */

static void test_permission_matrix(void) {
	static const struct {
		const char *preset;
		const char *create;   /* NULL: allowed, else the refusal code */
		const char *vote;
		gboolean view;
	} rows[] = {
		{ "group_call_host",        NULL,                  NULL, TRUE },
		{ "group_call_participant", NULL,                  NULL, TRUE },
		{ "webinar_presenter",      NULL,                  NULL, TRUE },
		{ "webinar_viewer",         RTK_ERR_NOT_PERMITTED, NULL, TRUE },
		{ "livestream_host",        NULL,                  NULL, TRUE },
		{ "livestream_viewer",      RTK_ERR_NOT_PERMITTED, NULL, TRUE },
	};
	json_t *options = json_pack("[ss]", "a", "b");
	for(size_t r = 0; r < G_N_ELEMENTS(rows); r++) {
		world w;
		world_init(&w);
		const rtk_poll *poll = rtk_room_poll_create(w.room, NULL, "Q", options, FALSE, FALSE, NULL);
		json_t *server_view = rtk_room_poll_rest_json(poll);
		char *poll_id = g_strdup(str(server_view, "id"));
		json_decref(server_view);
		rtk_peer *peer = join(&w, "p", rows[r].preset, NULL);
		rtk_refusal why = { 0 };
		const rtk_poll *created = rtk_room_poll_create(w.room, peer, "Q", options, FALSE, FALSE, &why);
		if(rows[r].create == NULL) {
			CHECK_NOT_NULL(created);
		} else {
			CHECK_NULL(created);
			CHECK_EQ_STR(why.code, rows[r].create);
		}
		why.code = NULL;
		const rtk_poll *voted = rtk_room_poll_vote(w.room, peer, poll_id, 0, &why);
		if(rows[r].vote == NULL) {
			CHECK(voted == poll);
		} else {
			CHECK_NULL(voted);
			CHECK_EQ_STR(why.code, rows[r].vote);
		}
		CHECK_EQ_INT(rtk_room_polls_visible(peer), rows[r].view);
		if(!((rows[r].create == NULL) == (created != NULL) && (rows[r].vote == NULL) == (voted != NULL)))
			fprintf(stderr, "\tpreset %s\n", rows[r].preset);
		g_free(poll_id);
		world_clear(&w);
	}
	json_decref(options);
}

/* A cascade edge's mirror: a poll's state from the owner's room, put into
 * an edge's room, gives each viewer there the view the same participant
 * gets on the owner (an anonymous hideVotes poll: the hardest case), with
 * pollsUpdate newPoll on the first state only; bad states change nothing. */
static void test_mirror(void) {
	world owner, edge;
	world_init(&owner);
	world_init(&edge);
	rtk_peer *host = join(&owner, "host", "webinar_presenter", NULL);
	join(&owner, "ann", "webinar_presenter", NULL);
	rtk_peer *vic_there = join(&edge, "vic", "livestream_viewer", NULL);
	rtk_peer *bea_there = join(&edge, "bea", "livestream_viewer", NULL);
	rtk_peer *vic = member("vic", "livestream_viewer", NULL);   /* vic as the owner knows it */
	json_t *options = json_pack("[ss]", "yes", "no");
	rtk_refusal why = { 0 };
	const rtk_poll *poll = rtk_room_poll_create(owner.room, host, "Ship it?", options, TRUE, TRUE, &why);
	CHECK_NOT_NULL(poll);
	json_t *state = rtk_room_poll_state(poll, 0, G_MAXUINT);
	CHECK(rtk_room_poll_mirror(edge.room, state, TRUE));
	CHECK_LINES(&edge, "vic:pollsUpdate,bea:pollsUpdate");
	json_decref(state);
	CHECK_NOT_NULL(rtk_room_poll_vote(owner.room, vic, rtk_room_poll_id(poll), 1, &why));
	CHECK_EQ_INT(rtk_room_poll_vote_count(poll), 1);
	state = rtk_room_poll_state(poll, 0, G_MAXUINT);
	world_forget(&edge);
	CHECK(rtk_room_poll_mirror(edge.room, state, TRUE));
	json_t *update = last_sent(&edge, "vic", "pollsUpdate");
	CHECK(json_is_false(json_object_get(update, "newPoll")));
	json_t *seen = rtk_room_poll_json(poll, vic);
	CHECK(json_equal(json_object_get(update, "poll"), seen));   /* vic voted: he sees the count, and himself */
	json_decref(seen);
	json_t *polls = rtk_room_polls_json(edge.room, bea_there);
	rtk_peer *bea = member("bea", "livestream_viewer", NULL);
	seen = rtk_room_poll_json(poll, bea);
	CHECK(json_equal(json_array_get(polls, 0), seen));          /* bea did not: hidden */
	json_decref(seen);
	json_decref(polls);
	CHECK_EQ_INT(rtk_room_poll_vote_count(poll), 1);
	/* the same state again, silently: nothing sent */
	world_forget(&edge);
	CHECK(rtk_room_poll_mirror(edge.room, state, FALSE));
	CHECK_LINES(&edge, "");
	/* refused: a vote for an unknown option, a voter twice, other options, no id */
	json_t *bad = json_deep_copy(state);
	json_object_set_new(json_array_get(json_object_get(bad, "votes"), 0), "option", json_integer(2));
	CHECK(!rtk_room_poll_mirror(edge.room, bad, TRUE));
	json_decref(bad);
	bad = json_deep_copy(state);
	json_array_append(json_object_get(bad, "votes"), json_array_get(json_object_get(bad, "votes"), 0));
	CHECK(!rtk_room_poll_mirror(edge.room, bad, TRUE));
	json_decref(bad);
	bad = json_deep_copy(state);
	json_array_append_new(json_object_get(bad, "options"), json_string("maybe"));
	CHECK(!rtk_room_poll_mirror(edge.room, bad, TRUE));
	json_decref(bad);
	bad = json_deep_copy(state);
	json_object_del(bad, "id");
	CHECK(!rtk_room_poll_mirror(edge.room, bad, TRUE));
	json_decref(bad);
	CHECK_LINES(&edge, "");
	/* votes in slices: each follows on from the poll's votes, else refused */
	rtk_peer *ann = member("ann2", "livestream_viewer", NULL);
	CHECK_NOT_NULL(rtk_room_poll_vote(owner.room, bea, rtk_room_poll_id(poll), 0, &why));
	CHECK_NOT_NULL(rtk_room_poll_vote(owner.room, ann, rtk_room_poll_id(poll), 0, &why));
	json_t *tail = rtk_room_poll_state(poll, 2, 1);
	CHECK_EQ_INT(json_array_size(json_object_get(tail, "votes")), 1);
	CHECK(!rtk_room_poll_mirror(edge.room, tail, TRUE));    /* the edge holds 1 vote, not 2 */
	json_t *next = rtk_room_poll_state(poll, 1, 1);
	json_t *again = json_deep_copy(next);
	json_object_set_new(json_array_get(json_object_get(again, "votes"), 0), "userId", json_string("u-vic"));
	CHECK(!rtk_room_poll_mirror(edge.room, again, TRUE));   /* vic voted already */
	json_decref(again);
	CHECK(rtk_room_poll_mirror(edge.room, next, TRUE));
	CHECK(rtk_room_poll_mirror(edge.room, tail, TRUE));
	polls = rtk_room_polls_json(edge.room, bea_there);
	seen = rtk_room_poll_json(poll, bea);
	CHECK(json_equal(json_array_get(polls, 0), seen));      /* bea voted: she sees all three */
	CHECK_EQ_INT(json_integer_value(json_object_get(json_array_get(json_object_get(json_array_get(polls, 0),
		"options"), 0), "count")), 2);
	json_decref(seen);
	json_decref(polls);
	json_decref(next);
	json_decref(tail);
	rtk_peer_free(ann);
	world_forget(&edge);
	(void)vic_there;
	json_decref(state);
	json_decref(options);
	rtk_peer_free(vic);
	rtk_peer_free(bea);
	world_clear(&owner);
	world_clear(&edge);
}

int main(void) {
	UNIT_RUN(test_create_and_vote);
	UNIT_RUN(test_anonymous);
	UNIT_RUN(test_hide_votes);
	UNIT_RUN(test_limits);
	UNIT_RUN(test_permission_matrix);
	UNIT_RUN(test_mirror);
	return UNIT_DONE();
}
