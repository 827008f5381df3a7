/*
 * test_chat.c - the chat model (chat.c) driven through a room without
 * Janus: who gets each message (public, private, channel), the rights of
 * the default presets, edits, deletions and pins by authors and hosts,
 * paging, the history in roomJoined, channels and their read marks, the
 * rate, and that every refusal changes nothing.
 */
#include "room_fixture.h"

#define FILES "{\"chat\": {\"public\": {\"files\": true}}}"

static rtk_chat_content text_of(const char *text) {
	rtk_chat_content c = { .kind = RTK_CHAT_TEXT, .text = text };
	return c;
}

/* Sends `text` from `from`, at `now_ms`; the message (borrowed) or NULL. */
static const rtk_chat_message *say(world *w, rtk_peer *from, const char *text, gint64 now_ms) {
	rtk_chat_content c = text_of(text);
	return rtk_chat_send(w->room, from, &c, NULL, NULL, now_ms, NULL);
}

static json_t *ids_of(const char *a, const char *b) {
	return b ? json_pack("[ss]", a, b) : json_pack("[s]", a);
}

static void test_public_message(void) {
	world w;
	world_init(&w);
	rtk_peer *ada = join(&w, "ada", "group_call_host", NULL);
	join(&w, "bob", "group_call_participant", NULL);
	join(&w, "cy", "webinar_viewer", NULL);
	rtk_peer *wes = member("wes", "group_call_participant", "{\"waiting_room_type\": \"ON_PRIVILEGED_USER_ENTRY\"}");
	json_decref(rtk_room_enter(w.room, wes));
	recorder_clear(w.rec);

	const rtk_chat_message *m = say(&w, ada, "second", 1700000000200);
	CHECK_NOT_NULL(m);
	json_t *event = sent(w.rec, "cy", "chatUpdate");
	CHECK_NOT_NULL(event);
	CHECK_EQ_STR(str(event, "action"), "add");
	json_t *doc = json_object_get(event, "message");
	CHECK_EQ_STR(str(doc, "type"), "text");
	CHECK_EQ_STR(str(doc, "message"), "second");
	CHECK_EQ_STR(str(doc, "userId"), "u-ada");
	CHECK_EQ_STR(str(doc, "displayName"), "ada");
	CHECK_EQ_STR(str(doc, "id"), m->id);
	CHECK_EQ_STR(str(doc, "time"), "2023-11-14T22:13:20.200Z");
	CHECK(json_is_false(json_object_get(doc, "isEdited")));
	CHECK(json_is_false(json_object_get(doc, "pinned")));
	CHECK_NULL(json_object_get(doc, "targetUserIds"));
	/* the sender too; never the waiting room */
	CHECK_LINES(w.rec, "ada:chatUpdate,bob:chatUpdate,cy:chatUpdate");
	world_clear(&w);
}

static void test_private_message(void) {
	world w;
	world_init(&w);
	rtk_peer *ada = join(&w, "ada", "group_call_host", NULL);
	rtk_peer *bob = join(&w, "bob", "group_call_participant", NULL);
	join(&w, "cy", "group_call_participant", NULL);
	rtk_peer *dee = join(&w, "dee", "group_call_participant", "{\"chat\": {\"private\": {\"can_receive\": false}}}");

	/* to bob by peer id and to cy by user id: the author and both get it */
	json_t *ids = ids_of(bob->id, "u-cy");
	rtk_chat_content c = text_of("psst");
	const rtk_chat_message *m = rtk_chat_send(w.room, ada, &c, ids, NULL, 1000, NULL);
	json_decref(ids);
	CHECK_NOT_NULL(m);
	json_t *targets = json_object_get(json_object_get(sent(w.rec, "bob", "chatUpdate"), "message"), "targetUserIds");
	CHECK_EQ_INT(json_array_size(targets), 2);
	CHECK_EQ_STR(json_string_value(json_array_get(targets, 0)), "u-bob");
	CHECK_LINES(w.rec, "ada:chatUpdate,bob:chatUpdate,cy:chatUpdate");

	/* dee cannot receive private messages: named with bob, only bob gets it */
	ids = ids_of("u-dee", "u-bob");
	CHECK_NOT_NULL(rtk_chat_send(w.room, ada, &c, ids, NULL, 1001, NULL));
	json_decref(ids);
	CHECK_LINES(w.rec, "ada:chatUpdate,bob:chatUpdate");
	/* dee alone: nobody may receive it (0504), nothing sent */
	ids = ids_of("u-dee", NULL);
	CHECK_REFUSED(rtk_chat_send(w.room, ada, &c, ids, NULL, 1002, &why_), RTK_ERR_CHAT_RECIPIENT);
	json_decref(ids);
	/* someone outside the meeting: 1204 */
	ids = ids_of("u-bob", "u-nobody");
	CHECK_REFUSED(rtk_chat_send(w.room, ada, &c, ids, NULL, 1003, &why_), RTK_ERR_TARGET_NOT_FOUND);
	json_decref(ids);
	CHECK_LINES(w.rec, "");

	/* what each one sees when it joins again (roomJoined's history) */
	json_t *seen = rtk_chat_joined_json(w.room, dee);
	CHECK_EQ_INT(json_array_size(json_object_get(seen, "messages")), 0);
	json_decref(seen);
	seen = rtk_chat_joined_json(w.room, bob);
	CHECK_EQ_INT(json_array_size(json_object_get(seen, "messages")), 2);
	json_decref(seen);
	world_clear(&w);
}

static void test_rights_of_presets(void) {
	world w;
	world_init(&w);
	rtk_peer *ada = join(&w, "ada", "group_call_host", NULL);
	rtk_peer *vic = join(&w, "vic", "webinar_viewer", NULL);
	rtk_chat_content c = text_of("hi");
	rtk_chat_content file = { .kind = RTK_CHAT_FILE, .file_id = "f", .link = "http://x/f", .name = "a.pdf", .size = 3 };

	/* a webinar viewer may write in public, not send files nor private messages */
	CHECK_NOT_NULL(rtk_chat_send(w.room, vic, &c, NULL, NULL, 1, NULL));
	CHECK_REFUSED(rtk_chat_send(w.room, vic, &file, NULL, NULL, 2, &why_), RTK_ERR_NOT_PERMITTED);
	json_t *ids = ids_of("u-ada", NULL);
	CHECK_REFUSED(rtk_chat_send(w.room, vic, &c, ids, NULL, 3, &why_), RTK_ERR_NOT_PERMITTED);
	CHECK_REFUSED(rtk_chat_channel_create(w.room, vic, "side", ids, NULL, NULL, FALSE, &why_) != NULL,
		RTK_ERR_NOT_PERMITTED);
	json_decref(ids);
	/* a host may do all of it */
	CHECK_NOT_NULL(rtk_chat_send(w.room, ada, &file, NULL, NULL, 4, NULL));
	recorder_clear(w.rec);

	/* content: empty or too long text (0503), a file without a name */
	rtk_chat_content empty = text_of("");
	CHECK_REFUSED(rtk_chat_send(w.room, ada, &empty, NULL, NULL, 5, &why_), RTK_ERR_CHAT_CONTENT);
	char *big = g_strnfill(RTK_CHAT_TEXT_MAX + 1, 'x');
	rtk_chat_content huge = text_of(big);
	CHECK_REFUSED(rtk_chat_send(w.room, ada, &huge, NULL, NULL, 6, &why_), RTK_ERR_CHAT_CONTENT);
	big[RTK_CHAT_TEXT_MAX] = '\0';
	huge = text_of(big);
	CHECK_NOT_NULL(rtk_chat_send(w.room, ada, &huge, NULL, NULL, 7, NULL));
	g_free(big);
	file.name = NULL;
	CHECK_REFUSED(rtk_chat_send(w.room, ada, &file, NULL, NULL, 8, &why_), RTK_ERR_CHAT_CONTENT);
	world_clear(&w);
}

static void test_edit_delete_pin(void) {
	world w;
	world_init(&w);
	rtk_peer *ada = join(&w, "ada", "group_call_host", NULL);
	rtk_peer *bob = join(&w, "bob", "group_call_participant", NULL);
	rtk_peer *cy = join(&w, "cy", "group_call_participant", NULL);
	char *bobs = g_strdup(say(&w, bob, "tpyo", 10)->id);
	char *adas = g_strdup(say(&w, ada, "agenda", 11)->id);
	recorder_clear(w.rec);

	/* edit: the author only, same kind */
	rtk_chat_content fixed = text_of("typo");
	CHECK_REFUSED(rtk_chat_edit(w.room, ada, bobs, &fixed, &why_) != NULL, RTK_ERR_CHAT_NOT_AUTHOR);
	rtk_chat_content as_file = { .kind = RTK_CHAT_FILE, .link = "l", .name = "n" };
	CHECK_REFUSED(rtk_chat_edit(w.room, bob, bobs, &as_file, &why_) != NULL, RTK_ERR_CHAT_CONTENT);
	CHECK_REFUSED(rtk_chat_edit(w.room, bob, "no-such-id", &fixed, &why_) != NULL, RTK_ERR_CHAT_NOT_FOUND);
	CHECK_LINES(w.rec, "");
	const rtk_chat_message *m = rtk_chat_edit(w.room, bob, bobs, &fixed, NULL);
	CHECK_NOT_NULL(m);
	json_t *event = sent(w.rec, "cy", "chatUpdate");
	CHECK_EQ_STR(str(event, "action"), "edit");
	CHECK_EQ_STR(str(json_object_get(event, "message"), "message"), "typo");
	CHECK(json_is_true(json_object_get(json_object_get(event, "message"), "isEdited")));
	CHECK_LINES(w.rec, "ada:chatUpdate,bob:chatUpdate,cy:chatUpdate");

	/* pin: a participant may pin its own, not another's; a host may */
	CHECK_REFUSED(rtk_chat_pin(w.room, cy, adas, TRUE, &why_) != NULL, RTK_ERR_CHAT_NOT_AUTHOR);
	CHECK_NOT_NULL(rtk_chat_pin(w.room, bob, bobs, TRUE, NULL));
	CHECK_LINES(w.rec, "ada:pinMessage,bob:pinMessage,cy:pinMessage");
	CHECK_NOT_NULL(rtk_chat_pin(w.room, bob, bobs, TRUE, NULL));   /* already: no event */
	CHECK_LINES(w.rec, "");
	CHECK_NOT_NULL(rtk_chat_pin(w.room, ada, bobs, FALSE, NULL));
	CHECK_LINES(w.rec, "ada:unpinMessage,bob:unpinMessage,cy:unpinMessage");
	CHECK_NOT_NULL(rtk_chat_pin(w.room, ada, adas, TRUE, NULL));
	recorder_clear(w.rec);
	json_t *seen = rtk_chat_joined_json(w.room, cy);
	CHECK_EQ_INT(json_array_size(json_object_get(seen, "pinned")), 1);
	json_decref(seen);

	/* delete: a participant not another's; the author, or a host (kick_participant) */
	CHECK_REFUSED(rtk_chat_delete(w.room, cy, bobs, &why_) != NULL, RTK_ERR_CHAT_NOT_AUTHOR);
	char *gone = rtk_chat_delete(w.room, ada, bobs, NULL);
	CHECK_EQ_STR(gone, bobs);
	g_free(gone);
	event = sent(w.rec, "bob", "chatUpdate");
	CHECK_EQ_STR(str(event, "action"), "delete");
	CHECK_EQ_STR(str(event, "messageId"), bobs);
	CHECK_LINES(w.rec, "ada:chatUpdate,bob:chatUpdate,cy:chatUpdate");
	CHECK_REFUSED(rtk_chat_delete(w.room, bob, bobs, &why_) != NULL, RTK_ERR_CHAT_NOT_FOUND);
	gone = rtk_chat_delete(w.room, ada, adas, NULL);
	g_free(gone);
	seen = rtk_chat_joined_json(w.room, cy);
	CHECK_EQ_INT(json_array_size(json_object_get(seen, "messages")), 0);
	CHECK_EQ_INT(json_array_size(json_object_get(seen, "pinned")), 0);
	json_decref(seen);
	g_free(bobs);
	g_free(adas);
	world_clear(&w);
}

/* The "message" texts of a page's messages, joined by ",". */
static char *texts(const json_t *page) {
	GString *out = g_string_new(NULL);
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(page, "messages"), i, m)
		g_string_append_printf(out, "%s%s", i ? "," : "", str(m, "message"));
	return g_string_free(out, FALSE);
}

#define CHECK_PAGE(page, expected, more) do { \
	json_t *page_ = (page); \
	char *texts_ = texts(page_); \
	CHECK_EQ_STR(texts_, expected); \
	CHECK(json_is_true(json_object_get(page_, "next")) == (more)); \
	g_free(texts_); \
	json_decref(page_); \
} while(0)

static void test_paging(void) {
	world w;
	world_init(&w);
	rtk_peer *ada = join(&w, "ada", "group_call_host", NULL);
	rtk_peer *bob = join(&w, "bob", "group_call_participant", NULL);
	join(&w, "cy", "group_call_participant", NULL);
	for(int i = 0; i < 10; i++) {
		char text[8];
		g_snprintf(text, sizeof text, "m%d", i);
		CHECK_NOT_NULL(say(&w, i % 2 ? bob : ada, text, 1000 + i));
	}
	/* a private message to cy that bob must not see: sent "at" 1005, it is
	 * stamped after the newest (1010: times only grow in a session) */
	json_t *ids = ids_of("u-cy", NULL);
	rtk_chat_content c = text_of("secret");
	CHECK_NOT_NULL(rtk_chat_send(w.room, ada, &c, ids, NULL, 1005, NULL));
	json_decref(ids);

	/* back in time from the end, three at a time, oldest first in a page */
	CHECK_PAGE(rtk_chat_page(w.room, bob, 2000, 3, TRUE, 0, NULL, NULL), "m7,m8,m9", TRUE);
	CHECK_PAGE(rtk_chat_page(w.room, bob, 1007, 3, TRUE, 0, NULL, NULL), "m4,m5,m6", TRUE);
	CHECK_PAGE(rtk_chat_page(w.room, bob, 1002, 3, TRUE, 0, NULL, NULL), "m0,m1", FALSE);
	CHECK_PAGE(rtk_chat_page(w.room, bob, 2000, 3, TRUE, 2, NULL, NULL), "m5,m6,m7", TRUE);
	/* forward in time */
	CHECK_PAGE(rtk_chat_page(w.room, bob, 1006, 10, FALSE, 0, NULL, NULL), "m7,m8,m9", FALSE);
	/* ada sees the private one too */
	CHECK_PAGE(rtk_chat_page(w.room, ada, 2000, 2, TRUE, 0, NULL, NULL), "m9,secret", TRUE);
	CHECK_REFUSED(rtk_chat_page(w.room, ada, 1006, 2, TRUE, 0, "no-channel", &why_) != NULL, RTK_ERR_CHAT_CHANNEL);
	world_clear(&w);
}

static void test_history_and_rate(void) {
	world w;
	world_init(&w);
	rtk_peer *ada = join(&w, "ada", "group_call_host", NULL);
	for(int i = 0; i < RTK_CHAT_HISTORY + 5; i++)
		CHECK_NOT_NULL(say(&w, ada, "x", 1000 * i));   /* one a second: within the rate */
	/* a late joiner gets the newest RTK_CHAT_HISTORY in roomJoined */
	rtk_peer *bob = member("bob", "group_call_participant", NULL);
	json_t *joined = rtk_room_join(w.room, bob);
	json_t *chat = json_object_get(joined, "chat");
	CHECK_EQ_INT(json_array_size(json_object_get(chat, "messages")), RTK_CHAT_HISTORY);
	CHECK_EQ_INT(json_integer_value(json_object_get(json_array_get(json_object_get(chat, "messages"), 0), "timeMs")),
		5000);
	json_decref(joined);

	/* times are unique in the session: two messages in one millisecond get two */
	const rtk_chat_message *a = say(&w, ada, "same", 900000);
	gint64 a_time = a->time_ms;
	const rtk_chat_message *b = say(&w, ada, "ms", 900000);
	CHECK_EQ_INT(a_time, 900000);
	CHECK_EQ_INT(b->time_ms, 900001);
	CHECK_EQ_INT(json_integer_value(json_object_get(b->doc, "timeMs")), 900001);
	recorder_clear(w.rec);

	/* at most RTK_CHAT_PER_SECOND messages a second from one peer */
	for(int i = 0; i < RTK_CHAT_PER_SECOND; i++)
		CHECK_NOT_NULL(say(&w, bob, "y", 500000 + i));
	recorder_clear(w.rec);
	rtk_chat_content c = text_of("z");
	CHECK_REFUSED(rtk_chat_send(w.room, bob, &c, NULL, NULL, 500999, &why_), RTK_ERR_RATE_LIMITED);
	CHECK_LINES(w.rec, "");
	CHECK_NOT_NULL(say(&w, bob, "later", 501000));
	world_clear(&w);
}

static void test_channels(void) {
	world w;
	world_init(&w);
	rtk_peer *ada = join(&w, "ada", "group_call_host", NULL);
	rtk_peer *bob = join(&w, "bob", "group_call_participant", NULL);
	rtk_peer *cy = join(&w, "cy", "group_call_participant", NULL);
	rtk_peer *dan = join(&w, "dan", "group_call_participant", NULL);

	/* bob makes a channel with cy: both are told, nobody else */
	json_t *ids = ids_of("u-cy", NULL);
	json_t *channel = rtk_chat_channel_create(w.room, bob, "side", ids, NULL, "private", FALSE, NULL);
	json_decref(ids);
	CHECK_NOT_NULL(channel);
	char *channel_id = g_strdup(str(channel, "id"));
	CHECK_EQ_INT(json_array_size(json_object_get(channel, "memberIds")), 2);
	CHECK_EQ_STR(str(channel, "createdBy"), "u-bob");
	json_decref(channel);
	CHECK_LINES(w.rec, "bob:channelCreate,cy:channelCreate");

	/* messages go to the members only; a non-member may neither send nor read */
	rtk_chat_content c = text_of("in the channel");
	const rtk_chat_message *m = rtk_chat_send(w.room, cy, &c, NULL, channel_id, 100, NULL);
	CHECK_NOT_NULL(m);
	char *first = g_strdup(m->id);
	CHECK_EQ_STR(str(json_object_get(sent(w.rec, "bob", "chatUpdate"), "message"), "channelId"), channel_id);
	CHECK_LINES(w.rec, "bob:chatUpdate,cy:chatUpdate");
	CHECK_REFUSED(rtk_chat_send(w.room, dan, &c, NULL, channel_id, 101, &why_), RTK_ERR_CHAT_CHANNEL);
	CHECK_REFUSED(rtk_chat_page(w.room, dan, 1000, 10, TRUE, 0, channel_id, &why_) != NULL, RTK_ERR_CHAT_CHANNEL);
	CHECK_REFUSED(rtk_chat_delete(w.room, ada, first, &why_) != NULL, RTK_ERR_CHAT_NOT_FOUND);   /* unseen */
	CHECK_NOT_NULL(rtk_chat_send(w.room, cy, &c, NULL, channel_id, 102, NULL));
	recorder_clear(w.rec);
	/* channel messages stay out of the main chat's pages and history */
	json_t *page = rtk_chat_page(w.room, bob, 1000, 10, TRUE, 0, NULL, NULL);
	CHECK_EQ_INT(json_array_size(json_object_get(page, "messages")), 0);
	json_decref(page);
	page = rtk_chat_page(w.room, bob, 1000, 10, TRUE, 0, channel_id, NULL);
	CHECK_EQ_INT(json_array_size(json_object_get(page, "messages")), 2);
	json_decref(page);

	/* read marks: bob has two unread until he marks the first, then one */
	json_t *seen = rtk_chat_joined_json(w.room, bob);
	json_t *listed = json_array_get(json_object_get(seen, "channels"), 0);
	CHECK_EQ_INT(json_integer_value(json_object_get(listed, "unreadCount")), 2);
	json_decref(seen);
	channel = rtk_chat_mark_read(w.room, bob, channel_id, first, NULL);
	CHECK_EQ_INT(json_integer_value(json_object_get(channel, "unreadCount")), 1);
	json_decref(channel);
	CHECK_REFUSED(rtk_chat_mark_read(w.room, bob, channel_id, "nope", &why_) != NULL, RTK_ERR_CHAT_NOT_FOUND);

	/* members: cy (not the creator, no kick right) may not update; bob may */
	ids = ids_of("u-dan", NULL);
	CHECK_REFUSED(rtk_chat_channel_update(w.room, cy, channel_id, "x", ids, &why_) != NULL, RTK_ERR_NOT_PERMITTED);
	channel = rtk_chat_channel_update(w.room, bob, channel_id, "renamed", ids, NULL);
	json_decref(ids);
	CHECK_EQ_STR(str(channel, "displayName"), "renamed");
	json_decref(channel);
	/* cy (removed) and dan (added) are told, bob too */
	CHECK_LINES(w.rec, "bob:channelUpdate,cy:channelUpdate,dan:channelUpdate");
	json_t *members = rtk_chat_channel_members(w.room, dan, channel_id, NULL);
	CHECK_EQ_INT(json_array_size(members), 2);
	json_decref(members);
	CHECK_REFUSED(rtk_chat_channel_members(w.room, cy, channel_id, &why_) != NULL, RTK_ERR_CHAT_CHANNEL);
	/* dan now gets the channel's messages, cy no longer */
	CHECK_NOT_NULL(rtk_chat_send(w.room, bob, &c, NULL, channel_id, 103, NULL));
	CHECK_LINES(w.rec, "bob:chatUpdate,dan:chatUpdate");
	CHECK_REFUSED(rtk_chat_send(w.room, cy, &c, NULL, channel_id, 104, &why_), RTK_ERR_CHAT_CHANNEL);
	(void)ada;
	g_free(first);
	g_free(channel_id);
	world_clear(&w);
}

static void test_files(void) {
	world w;
	world_init(&w);
	rtk_peer *ada = join(&w, "ada", "group_call_host", NULL);
	join(&w, "bob", "group_call_participant", NULL);
	join(&w, "vic", "webinar_viewer", NULL);
	rtk_chat_content image = { .kind = RTK_CHAT_IMAGE, .file_id = "f-1", .link = "http://h/v2/chat-files/m/f-1",
		.name = "cat.png", .size = 1234 };
	json_t *ids = ids_of("u-bob", NULL);
	const rtk_chat_message *m = rtk_chat_send(w.room, ada, &image, ids, NULL, 5, NULL);
	json_decref(ids);
	CHECK_NOT_NULL(m);
	CHECK_EQ_STR(str(m->doc, "type"), "image");
	CHECK_EQ_STR(str(m->doc, "link"), "http://h/v2/chat-files/m/f-1");
	CHECK_EQ_INT(json_integer_value(json_object_get(m->doc, "size")), 1234);
	/* who may download it: those who see the message */
	CHECK(rtk_chat_file_visible(w.room, "u-ada", "f-1"));
	CHECK(rtk_chat_file_visible(w.room, "u-bob", "f-1"));
	CHECK(!rtk_chat_file_visible(w.room, "u-vic", "f-1"));
	CHECK(!rtk_chat_file_visible(w.room, "u-bob", "f-2"));
	CHECK(!rtk_chat_file_visible(w.room, "u-nobody", "f-1"));
	world_clear(&w);
}

/* 0507: at most RTK_CHAT_CHANNELS_MAX channels in a session; the refusal
 * creates nothing and tells nobody. */
static void test_channel_limit(void) {
	world w;
	world_init(&w);
	rtk_peer *ada = join(&w, "ada", "group_call_host", NULL);
	join(&w, "bob", "group_call_participant", NULL);
	json_t *ids = ids_of("u-bob", NULL);
	for(int i = 0; i < RTK_CHAT_CHANNELS_MAX; i++)
		json_decref(rtk_chat_channel_create(w.room, ada, "c", ids, NULL, NULL, FALSE, NULL));
	recorder_clear(w.rec);
	CHECK_REFUSED(rtk_chat_channel_create(w.room, ada, "one more", ids, NULL, NULL, FALSE, &why_) != NULL,
		RTK_ERR_CHAT_LIMIT);
	CHECK_LINES(w.rec, "");
	json_t *seen = rtk_chat_joined_json(w.room, ada);
	CHECK_EQ_INT(json_array_size(json_object_get(seen, "channels")), RTK_CHAT_CHANNELS_MAX);
	json_decref(seen);
	json_decref(ids);
	world_clear(&w);
}

/* A cascade edge's mirror: the owner's docs kept as they are, told with the
 * owner's events, in roomJoined and pages; private and channel messages
 * and docs without ids refused; and what an owner sends a new edge. */
static void test_mirror(void) {
	world w;
	world_init(&w);
	rtk_peer *vera = join(&w, "vera", "livestream_viewer", NULL);
	recorder_clear(w.rec);
	json_t *old = json_pack("{ss ss ss sI ss ss sb sb}", "id", "m-old", "userId", "u-owner", "displayName", "Host",
		"timeMs", (json_int_t)1700000000100, "type", "text", "message", "before you came", "isEdited", 0, "pinned", 1);
	CHECK(rtk_chat_mirror(w.room, RTK_CHAT_MIRROR_HISTORY, old, NULL));
	CHECK_LINES(w.rec, "");
	json_t *doc = json_pack("{ss ss ss sI ss ss sb sb}", "id", "m-1", "userId", "u-owner", "displayName", "Host",
		"timeMs", (json_int_t)1700000000200, "type", "text", "message", "hello", "isEdited", 0, "pinned", 0);
	CHECK(rtk_chat_mirror(w.room, RTK_CHAT_MIRROR_ADD, doc, NULL));
	json_t *event = sent(w.rec, "vera", "chatUpdate");
	CHECK_EQ_STR(str(event, "action"), "add");
	CHECK(json_equal(json_object_get(event, "message"), doc));
	recorder_clear(w.rec);
	/* roomJoined's history and pinned, a page: the owner's messages */
	json_t *joined = rtk_chat_joined_json(w.room, vera);
	CHECK_EQ_INT(json_array_size(json_object_get(joined, "messages")), 2);
	CHECK_EQ_STR(str(json_array_get(json_object_get(joined, "messages"), 0), "id"), "m-old");
	CHECK_EQ_INT(json_array_size(json_object_get(joined, "pinned")), 1);
	json_decref(joined);
	json_t *page = rtk_chat_page(w.room, vera, 1700000000150, 10, FALSE, 0, NULL, NULL);
	CHECK_EQ_INT(json_array_size(json_object_get(page, "messages")), 1);
	json_decref(page);
	/* edit, pin, delete as the owner says */
	json_object_set_new(doc, "message", json_string("hello again"));
	json_object_set_new(doc, "isEdited", json_true());
	CHECK(rtk_chat_mirror(w.room, RTK_CHAT_MIRROR_EDIT, doc, NULL));
	event = sent(w.rec, "vera", "chatUpdate");
	CHECK_EQ_STR(str(event, "action"), "edit");
	CHECK_EQ_STR(str(json_object_get(event, "message"), "message"), "hello again");
	json_object_set_new(doc, "pinned", json_true());
	CHECK(rtk_chat_mirror(w.room, RTK_CHAT_MIRROR_PIN, doc, NULL));
	CHECK_NOT_NULL(sent(w.rec, "vera", "pinMessage"));
	recorder_clear(w.rec);
	CHECK(rtk_chat_mirror(w.room, RTK_CHAT_MIRROR_DELETE, NULL, "m-1"));
	event = sent(w.rec, "vera", "chatUpdate");
	CHECK_EQ_STR(str(event, "action"), "delete");
	CHECK_EQ_STR(str(event, "messageId"), "m-1");
	CHECK(!rtk_chat_mirror(w.room, RTK_CHAT_MIRROR_DELETE, NULL, "m-1"));
	/* refused: private, channel, no id */
	recorder_clear(w.rec);
	json_t *private = json_pack("{ss ss sI s[s]}", "id", "m-p", "userId", "u", "timeMs", (json_int_t)1, "targetUserIds", "u-vera");
	CHECK(!rtk_chat_mirror(w.room, RTK_CHAT_MIRROR_ADD, private, NULL));
	json_t *channel = json_pack("{ss ss sI ss}", "id", "m-c", "userId", "u", "timeMs", (json_int_t)1, "channelId", "c");
	CHECK(!rtk_chat_mirror(w.room, RTK_CHAT_MIRROR_ADD, channel, NULL));
	json_t *bare = json_pack("{ss}", "userId", "u");
	CHECK(!rtk_chat_mirror(w.room, RTK_CHAT_MIRROR_ADD, bare, NULL));
	CHECK_LINES(w.rec, "");
	/* what an owner sends a new edge: public messages only, the newest */
	rtk_peer *ada = join(&w, "ada", "group_call_host", NULL);
	say(&w, ada, "one", 1700000001000);
	say(&w, ada, "two", 1700000002000);
	rtk_chat_content c = text_of("psst");
	json_t *to = ids_of("u-vera", NULL);
	const rtk_chat_message *secret = rtk_chat_send(w.room, ada, &c, to, NULL, 1700000003000, NULL);
	CHECK_NOT_NULL(secret);
	CHECK(!rtk_chat_is_public(w.room, secret->id));
	json_t *docs = rtk_chat_public_docs(w.room, 2);
	CHECK_EQ_INT(json_array_size(docs), 2);
	CHECK_EQ_STR(str(json_array_get(docs, 0), "message"), "one");
	CHECK_EQ_STR(str(json_array_get(docs, 1), "message"), "two");
	CHECK(rtk_chat_is_public(w.room, str(json_array_get(docs, 1), "id")));
	json_decref(docs);
	json_decref(to);
	json_decref(private);
	json_decref(channel);
	json_decref(bare);
	json_decref(doc);
	json_decref(old);
	world_clear(&w);
}

int main(void) {
	UNIT_RUN(test_public_message);
	UNIT_RUN(test_private_message);
	UNIT_RUN(test_rights_of_presets);
	UNIT_RUN(test_edit_delete_pin);
	UNIT_RUN(test_paging);
	UNIT_RUN(test_history_and_rate);
	UNIT_RUN(test_channels);
	UNIT_RUN(test_files);
	UNIT_RUN(test_channel_limit);
	UNIT_RUN(test_mirror);
	return UNIT_DONE();
}
