/*
 * chat.c - the chat of a live meeting session (chat.h): messages, their
 * visibility and rights, edits, deletions, pins, paging and channels.
 */
#include <string.h>

#include "chat.h"
#include "room_internal.h"

struct rtk_chat_channel {
	char *id;
	char *name;
	char *picture;            /* may be NULL */
	char *visibility;         /* "public" or "private" */
	gboolean direct;          /* isDirectMessage */
	char *creator;            /* user id */
	GPtrArray *members;       /* user ids (char*, owned), the creator first */
	GHashTable *read;         /* user id (owned) -> last read seq (guint64*, owned) */
};

struct rtk_chat {
	GPtrArray *messages;      /* rtk_chat_message*, owned, in the order sent */
	GHashTable *by_id;        /* id -> message (borrowed from `messages`) */
	guint64 last_seq;
	gint64 last_time_ms;      /* the newest message's time: times are unique in a session */
	GPtrArray *channels;      /* rtk_chat_channel*, owned, in the order created */
};

/* ---- lifecycle ---- */

static void chat_message_free(rtk_chat_message *m) {
	g_free(m->id);
	g_free(m->author);
	g_strfreev(m->targets);
	json_decref(m->doc);
	g_free(m);
}

static void chat_channel_free(rtk_chat_channel *ch) {
	g_free(ch->id);
	g_free(ch->name);
	g_free(ch->picture);
	g_free(ch->visibility);
	g_free(ch->creator);
	g_ptr_array_free(ch->members, TRUE);
	g_hash_table_destroy(ch->read);
	g_free(ch);
}

rtk_chat *rtk_chat_new(void) {
	rtk_chat *chat = g_new0(rtk_chat, 1);
	chat->messages = g_ptr_array_new_with_free_func((GDestroyNotify)chat_message_free);
	chat->by_id = g_hash_table_new(g_str_hash, g_str_equal);
	chat->channels = g_ptr_array_new_with_free_func((GDestroyNotify)chat_channel_free);
	return chat;
}

void rtk_chat_free(rtk_chat *chat) {
	if(chat == NULL)
		return;
	g_hash_table_destroy(chat->by_id);
	g_ptr_array_free(chat->messages, TRUE);
	g_ptr_array_free(chat->channels, TRUE);
	g_free(chat);
}

/* ---- who sees what ---- */

static gboolean chat_channel_has(const rtk_chat_channel *ch, const char *user_id) {
	for(guint i = 0; i < ch->members->len; i++)
		if(!strcmp(g_ptr_array_index(ch->members, i), user_id))
			return TRUE;
	return FALSE;
}

static gboolean chat_visible(const rtk_chat_message *m, const rtk_peer *viewer) {
	if(m->channel != NULL)
		return chat_channel_has(m->channel, viewer->user_id);
	if(m->targets == NULL || !strcmp(m->author, viewer->user_id))
		return TRUE;
	return viewer->permissions.chat_private.can_receive &&
		g_strv_contains((const gchar * const *)m->targets, viewer->user_id);
}

/* Delivers `event` (consumed) to every joined peer that sees `m`. */
static void chat_deliver(rtk_room *room, const rtk_chat_message *m, json_t *event) {
	for(guint i = 0; i < room->peers->len; i++) {
		rtk_peer *peer = g_ptr_array_index(room->peers, i);
		if(chat_visible(m, peer))
			room_send(room, peer, event);
	}
	json_decref(event);
}

static rtk_chat_message *chat_find(rtk_room *room, const char *id) {
	return id != NULL ? g_hash_table_lookup(room->chat->by_id, id) : NULL;
}

/* A message `viewer` sees, or NULL with 0501. */
static rtk_chat_message *chat_find_visible(rtk_room *room, const rtk_peer *viewer, const char *id, rtk_refusal *why) {
	rtk_chat_message *m = chat_find(room, id);
	if(m == NULL || !chat_visible(m, viewer)) {
		rtk_refusal_set(why, RTK_ERR_CHAT_NOT_FOUND, "no chat message %.80s in this session", id ? id : "(none)");
		return NULL;
	}
	return m;
}

static rtk_chat_channel *chat_channel_find(rtk_room *room, const char *id) {
	for(guint i = 0; id != NULL && i < room->chat->channels->len; i++) {
		rtk_chat_channel *ch = g_ptr_array_index(room->chat->channels, i);
		if(!strcmp(ch->id, id))
			return ch;
	}
	return NULL;
}

/* A channel `viewer` is a member of, or NULL with 0505. */
static rtk_chat_channel *chat_channel_of(rtk_room *room, const rtk_peer *viewer, const char *id, rtk_refusal *why) {
	rtk_chat_channel *ch = chat_channel_find(room, id);
	if(ch == NULL || !chat_channel_has(ch, viewer->user_id)) {
		rtk_refusal_set(why, RTK_ERR_CHAT_CHANNEL, "no channel %.80s that you are a member of", id ? id : "(none)");
		return NULL;
	}
	return ch;
}

/* ---- content and rights ---- */

static const char *chat_kind_name(rtk_chat_kind kind) {
	switch(kind) {
		case RTK_CHAT_IMAGE: return "image";
		case RTK_CHAT_FILE: return "file";
		default: return "text";
	}
}

gboolean rtk_chat_may_send(const rtk_peer *actor, rtk_chat_kind kind, gboolean in_public, rtk_refusal *why) {
	rtk_action scope = in_public ? RTK_ACTION_CHAT_PUBLIC : RTK_ACTION_CHAT_PRIVATE;
	rtk_action what = kind == RTK_CHAT_TEXT ?
		(in_public ? RTK_ACTION_CHAT_PUBLIC_TEXT : RTK_ACTION_CHAT_PRIVATE_TEXT) :
		(in_public ? RTK_ACTION_CHAT_PUBLIC_FILES : RTK_ACTION_CHAT_PRIVATE_FILES);
	return room_actor_may(actor, scope, why) && room_actor_may(actor, what, why);
}

static gboolean chat_content_valid(const rtk_chat_content *c, rtk_refusal *why) {
	if(c->kind == RTK_CHAT_TEXT) {
		if(c->text == NULL || c->text[0] == '\0' || strlen(c->text) > RTK_CHAT_TEXT_MAX) {
			rtk_refusal_set(why, RTK_ERR_CHAT_CONTENT, "a text message must have 1 to %d bytes", RTK_CHAT_TEXT_MAX);
			return FALSE;
		}
		return TRUE;
	}
	if(c->link == NULL || c->link[0] == '\0' || strlen(c->link) > RTK_CHAT_NAME_MAX ||
			c->name == NULL || c->name[0] == '\0' || strlen(c->name) > RTK_CHAT_NAME_MAX || c->size < 0) {
		rtk_refusal_set(why, RTK_ERR_CHAT_CONTENT, "an %s message needs a link and a name of 1 to %d bytes",
			chat_kind_name(c->kind), RTK_CHAT_NAME_MAX);
		return FALSE;
	}
	return TRUE;
}

/* Writes the content's keys into `doc` (replacing those of the old content). */
static void chat_doc_set_content(json_t *doc, const rtk_chat_content *c) {
	json_object_set_new(doc, "type", json_string(chat_kind_name(c->kind)));
	if(c->kind == RTK_CHAT_TEXT) {
		json_object_set_new(doc, "message", json_string(c->text));
		return;
	}
	json_object_set_new(doc, "fileId", json_string(c->file_id ? c->file_id : ""));
	json_object_set_new(doc, "link", json_string(c->link));
	json_object_set_new(doc, "name", json_string(c->name));
	json_object_set_new(doc, "size", json_integer(c->size));
}

static char *chat_iso8601(gint64 ms) {
	GDateTime *t = g_date_time_new_from_unix_utc(ms / 1000);
	char *base = g_date_time_format(t, "%Y-%m-%dT%H:%M:%S");
	char *out = g_strdup_printf("%s.%03dZ", base, (int)(ms % 1000));
	g_free(base);
	g_date_time_unref(t);
	return out;
}

/* The distinct user ids of the joined peers `ids` names, in `out` (owned
 * strings); FALSE with 0001/1204 as room_resolve_targets. */
static gboolean chat_resolve_users(rtk_room *room, const json_t *ids, GPtrArray *out, rtk_refusal *why) {
	GPtrArray *peers = g_ptr_array_new();
	gboolean ok = room_resolve_targets(room, ids, peers, why);
	for(guint i = 0; ok && i < peers->len; i++) {
		const rtk_peer *peer = g_ptr_array_index(peers, i);
		gboolean seen = FALSE;
		for(guint j = 0; j < out->len && !seen; j++)
			seen = !strcmp(g_ptr_array_index(out, j), peer->user_id);
		if(!seen)
			g_ptr_array_add(out, g_strdup(peer->user_id));
	}
	g_ptr_array_free(peers, TRUE);
	return ok;
}

/* Does anyone among `users` but the author receive private messages? */
static gboolean chat_anyone_receives(rtk_room *room, const rtk_peer *author, GPtrArray *users) {
	for(guint i = 0; i < users->len; i++) {
		const char *user = g_ptr_array_index(users, i);
		rtk_peer *peer = rtk_room_find_user(room, user);
		if(strcmp(user, author->user_id) && peer != NULL && peer->permissions.chat_private.can_receive)
			return TRUE;
	}
	return FALSE;
}

/* ---- messages ---- */

static void chat_keep(rtk_chat *chat, rtk_chat_message *m) {
	g_ptr_array_add(chat->messages, m);
	g_hash_table_insert(chat->by_id, m->id, m);
	while(chat->messages->len > RTK_CHAT_KEPT) {
		rtk_chat_message *oldest = g_ptr_array_index(chat->messages, 0);
		g_hash_table_remove(chat->by_id, oldest->id);
		g_ptr_array_remove_index(chat->messages, 0);
	}
}

static json_t *chat_event(const char *name, const char *action, const rtk_chat_message *m) {
	json_t *event = json_pack("{ss sO}", "rtk", name, "message", m->doc);
	if(action != NULL)
		json_object_set_new(event, "action", json_string(action));
	return event;
}

const rtk_chat_message *rtk_chat_send(rtk_room *room, rtk_peer *actor, const rtk_chat_content *content,
		const json_t *participant_ids, const char *channel_id, gint64 now_ms, rtk_refusal *why) {
	gboolean in_public = participant_ids == NULL && channel_id == NULL;
	if(!rtk_chat_may_send(actor, content->kind, in_public, why) || !chat_content_valid(content, why))
		return NULL;
	rtk_chat_channel *channel = NULL;
	GPtrArray *targets = g_ptr_array_new_with_free_func(g_free);
	if(channel_id != NULL && (channel = chat_channel_of(room, actor, channel_id, why)) == NULL)
		goto refused;
	if(participant_ids != NULL) {
		if(!chat_resolve_users(room, participant_ids, targets, why))
			goto refused;
		if(!chat_anyone_receives(room, actor, targets)) {
			rtk_refusal_set(why, RTK_ERR_CHAT_RECIPIENT,
				"none of the participants named may receive private messages (chat.private.can_receive)");
			goto refused;
		}
	}
	if(!rtk_rate_take(&actor->chats, now_ms, RTK_CHAT_PER_SECOND)) {
		rtk_refusal_set(why, RTK_ERR_RATE_LIMITED, "at most %d chat messages a second", RTK_CHAT_PER_SECOND);
		goto refused;
	}
	rtk_chat_message *m = g_new0(rtk_chat_message, 1);
	m->id = g_uuid_string_random();
	m->seq = ++room->chat->last_seq;
	/* A later message never shares a millisecond with an earlier one, so
	 * getMessages can page by time alone without skipping any. */
	m->time_ms = MAX(now_ms, room->chat->last_time_ms + 1);
	room->chat->last_time_ms = m->time_ms;
	m->author = g_strdup(actor->user_id);
	m->channel = channel;
	char *time = chat_iso8601(m->time_ms);
	m->doc = json_pack("{ss ss ss ss sI sb sb}", "id", m->id, "userId", actor->user_id,
		"displayName", actor->name ? actor->name : "", "time", time, "timeMs", (json_int_t)m->time_ms,
		"isEdited", 0, "pinned", 0);
	g_free(time);
	chat_doc_set_content(m->doc, content);
	if(participant_ids != NULL) {
		g_ptr_array_add(targets, NULL);
		m->targets = (GStrv)g_ptr_array_free(targets, FALSE);
		json_t *ids = json_array();
		for(int i = 0; m->targets[i] != NULL; i++)
			json_array_append_new(ids, json_string(m->targets[i]));
		json_object_set_new(m->doc, "targetUserIds", ids);
	} else {
		g_ptr_array_free(targets, TRUE);
	}
	if(channel != NULL)
		json_object_set_new(m->doc, "channelId", json_string(channel->id));
	chat_keep(room->chat, m);
	chat_deliver(room, m, chat_event("chatUpdate", "add", m));
	return m;
refused:
	g_ptr_array_free(targets, TRUE);
	return NULL;
}

static rtk_chat_kind chat_kind_of(const rtk_chat_message *m) {
	const char *type = json_string_value(json_object_get(m->doc, "type"));
	return !g_strcmp0(type, "image") ? RTK_CHAT_IMAGE : !g_strcmp0(type, "file") ? RTK_CHAT_FILE : RTK_CHAT_TEXT;
}

const rtk_chat_message *rtk_chat_edit(rtk_room *room, rtk_peer *actor, const char *message_id,
		const rtk_chat_content *content, rtk_refusal *why) {
	rtk_chat_message *m = chat_find_visible(room, actor, message_id, why);
	if(m == NULL)
		return NULL;
	if(strcmp(m->author, actor->user_id)) {
		rtk_refusal_set(why, RTK_ERR_CHAT_NOT_AUTHOR, "only its author may edit a message");
		return NULL;
	}
	if(chat_kind_of(m) != content->kind) {
		rtk_refusal_set(why, RTK_ERR_CHAT_CONTENT, "a %s message cannot become a %s message",
			chat_kind_name(chat_kind_of(m)), chat_kind_name(content->kind));
		return NULL;
	}
	if(!rtk_chat_may_send(actor, content->kind, m->targets == NULL && m->channel == NULL, why) ||
			!chat_content_valid(content, why))
		return NULL;
	chat_doc_set_content(m->doc, content);
	json_object_set_new(m->doc, "isEdited", json_true());
	chat_deliver(room, m, chat_event("chatUpdate", "edit", m));
	return m;
}

/* Is `actor` the author of `m`, or may it do `others` to anyone's? */
static gboolean chat_may_touch(const rtk_peer *actor, const rtk_chat_message *m, rtk_action others,
		const char *what, rtk_refusal *why) {
	if(!strcmp(m->author, actor->user_id) || rtk_permissions_allow(&actor->permissions, others, NULL))
		return TRUE;
	rtk_refusal_set(why, RTK_ERR_CHAT_NOT_AUTHOR, "only its author or a participant with %s may %s a message",
		rtk_action_permission(others), what);
	return FALSE;
}

char *rtk_chat_delete(rtk_room *room, rtk_peer *actor, const char *message_id, rtk_refusal *why) {
	rtk_chat_message *m = chat_find_visible(room, actor, message_id, why);
	if(m == NULL || !chat_may_touch(actor, m, RTK_ACTION_CHAT_DELETE_OTHERS, "delete", why))
		return NULL;
	json_t *event = json_pack("{ss ss ss}", "rtk", "chatUpdate", "action", "delete", "messageId", m->id);
	if(m->channel != NULL)
		json_object_set_new(event, "channelId", json_string(m->channel->id));
	chat_deliver(room, m, event);
	char *id = g_strdup(m->id);
	g_hash_table_remove(room->chat->by_id, m->id);
	g_ptr_array_remove(room->chat->messages, m);
	return id;
}

const rtk_chat_message *rtk_chat_pin(rtk_room *room, rtk_peer *actor, const char *message_id, gboolean pin,
		rtk_refusal *why) {
	rtk_chat_message *m = chat_find_visible(room, actor, message_id, why);
	if(m == NULL || !chat_may_touch(actor, m, RTK_ACTION_CHAT_PIN_OTHERS, pin ? "pin" : "unpin", why))
		return NULL;
	if(json_is_true(json_object_get(m->doc, "pinned")) == pin)
		return m;
	json_object_set_new(m->doc, "pinned", json_boolean(pin));
	chat_deliver(room, m, chat_event(pin ? "pinMessage" : "unpinMessage", NULL, m));
	return m;
}

/* ---- a cascade edge's mirror of its owner's public chat ---- */

/* The message `doc` (borrowed: copied) describes, new or over the one
 * with its id; NULL when `doc` lacks an id, userId or timeMs. */
static rtk_chat_message *chat_mirror_put(rtk_room *room, const json_t *doc) {
	const char *id = json_string_value(json_object_get(doc, "id"));
	const char *author = json_string_value(json_object_get(doc, "userId"));
	const json_t *time = json_object_get(doc, "timeMs");
	if(id == NULL || author == NULL || !json_is_integer(time))
		return NULL;
	rtk_chat_message *m = chat_find(room, id);
	if(m != NULL) {
		json_decref(m->doc);
		m->doc = json_deep_copy(doc);
		return m;
	}
	m = g_new0(rtk_chat_message, 1);
	m->id = g_strdup(id);
	m->seq = ++room->chat->last_seq;
	m->time_ms = json_integer_value(time);
	room->chat->last_time_ms = MAX(room->chat->last_time_ms, m->time_ms);
	m->author = g_strdup(author);
	m->doc = json_deep_copy(doc);
	chat_keep(room->chat, m);
	return m;
}

gboolean rtk_chat_mirror(rtk_room *room, rtk_chat_mirror_event event, const json_t *doc, const char *message_id) {
	if(event == RTK_CHAT_MIRROR_DELETE) {
		rtk_chat_message *m = chat_find(room, message_id);
		if(m == NULL)
			return FALSE;
		chat_deliver(room, m, json_pack("{ss ss ss}", "rtk", "chatUpdate", "action", "delete", "messageId", m->id));
		g_hash_table_remove(room->chat->by_id, m->id);
		g_ptr_array_remove(room->chat->messages, m);
		return TRUE;
	}
	if(!json_is_object(doc) || json_object_get(doc, "channelId") != NULL || json_object_get(doc, "targetUserIds") != NULL)
		return FALSE;
	rtk_chat_message *m = chat_mirror_put(room, doc);
	if(m == NULL)
		return FALSE;
	switch(event) {
		case RTK_CHAT_MIRROR_ADD: chat_deliver(room, m, chat_event("chatUpdate", "add", m)); break;
		case RTK_CHAT_MIRROR_EDIT: chat_deliver(room, m, chat_event("chatUpdate", "edit", m)); break;
		case RTK_CHAT_MIRROR_PIN: chat_deliver(room, m, chat_event("pinMessage", NULL, m)); break;
		case RTK_CHAT_MIRROR_UNPIN: chat_deliver(room, m, chat_event("unpinMessage", NULL, m)); break;
		default: break;
	}
	return TRUE;
}

json_t *rtk_chat_public_docs(const rtk_room *room, guint max) {
	GPtrArray *all = room->chat->messages;
	GPtrArray *newest = g_ptr_array_new();
	for(guint n = all->len; n > 0 && newest->len < max; n--) {
		const rtk_chat_message *m = g_ptr_array_index(all, n - 1);
		if(m->channel == NULL && m->targets == NULL)
			g_ptr_array_add(newest, (gpointer)m);
	}
	json_t *docs = json_array();
	for(guint n = newest->len; n > 0; n--)
		json_array_append(docs, ((const rtk_chat_message *)g_ptr_array_index(newest, n - 1))->doc);
	g_ptr_array_free(newest, TRUE);
	return docs;
}

gboolean rtk_chat_is_public(rtk_room *room, const char *message_id) {
	const rtk_chat_message *m = chat_find(room, message_id);
	return m != NULL && m->channel == NULL && m->targets == NULL;
}

/* ---- reading ---- */

json_t *rtk_chat_page(rtk_room *room, const rtk_peer *viewer, gint64 timestamp_ms, int size, gboolean reversed,
		int offset, const char *channel_id, rtk_refusal *why) {
	rtk_chat_channel *channel = NULL;
	if(channel_id != NULL && (channel = chat_channel_of(room, viewer, channel_id, why)) == NULL)
		return NULL;
	size = CLAMP(size, 1, RTK_CHAT_PAGE_MAX);
	GPtrArray *all = room->chat->messages;
	GPtrArray *page = g_ptr_array_new();
	gboolean next = FALSE;
	int skipped = 0;
	for(guint n = 0; n < all->len; n++) {
		const rtk_chat_message *m = g_ptr_array_index(all, reversed ? all->len - 1 - n : n);
		if(m->channel != channel || !chat_visible(m, viewer) ||
				(reversed ? m->time_ms >= timestamp_ms : m->time_ms <= timestamp_ms))
			continue;
		if(skipped < offset) {
			skipped++;
			continue;
		}
		if((int)page->len == size) {
			next = TRUE;
			break;
		}
		g_ptr_array_add(page, (gpointer)m);
	}
	json_t *messages = json_array();
	for(guint n = 0; n < page->len; n++) {
		const rtk_chat_message *m = g_ptr_array_index(page, reversed ? page->len - 1 - n : n);
		json_array_append(messages, m->doc);
	}
	g_ptr_array_free(page, TRUE);
	return json_pack("{so sb}", "messages", messages, "next", next);
}

json_t *rtk_chat_visible(rtk_room *room, const rtk_peer *viewer, const json_t *ids, int limit) {
	json_t *out = json_array();
	size_t i;
	const json_t *id;
	json_array_foreach(ids, i, id) {
		if((int)json_array_size(out) >= limit)
			break;
		const rtk_chat_message *m = chat_find(room, json_string_value(id));
		if(m != NULL && chat_visible(m, viewer))
			json_array_append(out, m->doc);
	}
	return out;
}

gboolean rtk_chat_file_visible(rtk_room *room, const char *user_id, const char *file_id) {
	rtk_peer *viewer = rtk_room_find_user(room, user_id);
	GPtrArray *all = room->chat->messages;
	for(guint i = 0; viewer != NULL && file_id != NULL && i < all->len; i++) {
		const rtk_chat_message *m = g_ptr_array_index(all, i);
		if(!g_strcmp0(json_string_value(json_object_get(m->doc, "fileId")), file_id) && chat_visible(m, viewer))
			return TRUE;
	}
	return FALSE;
}

/* ---- channels ---- */

static guint64 chat_read_mark(const rtk_chat_channel *ch, const char *user_id) {
	const guint64 *mark = g_hash_table_lookup(ch->read, user_id);
	return mark ? *mark : 0;
}

/* The channel object `viewer` gets (NEW). */
static json_t *chat_channel_json(const rtk_room *room, const rtk_chat_channel *ch, const rtk_peer *viewer) {
	json_t *members = json_array();
	for(guint i = 0; i < ch->members->len; i++)
		json_array_append_new(members, json_string(g_ptr_array_index(ch->members, i)));
	const rtk_chat_message *latest = NULL;
	int unread = 0;
	guint64 mark = chat_read_mark(ch, viewer->user_id);
	GPtrArray *all = room->chat->messages;
	for(guint i = 0; i < all->len; i++) {
		const rtk_chat_message *m = g_ptr_array_index(all, i);
		if(m->channel != ch)
			continue;
		latest = m;
		if(m->seq > mark && strcmp(m->author, viewer->user_id))
			unread++;
	}
	return json_pack("{ss ss ss? ss sb ss so sO si}", "id", ch->id, "displayName", ch->name,
		"displayPictureUrl", ch->picture,
		"visibility", ch->visibility, "isDirectMessage", ch->direct, "createdBy", ch->creator,
		"memberIds", members, "latestMessage", latest ? latest->doc : json_null(), "unreadCount", unread);
}

/* Sends each joined member of `ch`, and of `also` (user ids, may be NULL),
 * {"rtk": name, "channel": as it sees it}. */
static void chat_channel_announce(rtk_room *room, const rtk_chat_channel *ch, GPtrArray *also, const char *name) {
	for(guint i = 0; i < room->peers->len; i++) {
		rtk_peer *peer = g_ptr_array_index(room->peers, i);
		gboolean was = FALSE;
		for(guint j = 0; also != NULL && j < also->len && !was; j++)
			was = !strcmp(g_ptr_array_index(also, j), peer->user_id);
		if(!was && !chat_channel_has(ch, peer->user_id))
			continue;
		json_t *event = json_pack("{ss so}", "rtk", name, "channel", chat_channel_json(room, ch, peer));
		room_send(room, peer, event);
		json_decref(event);
	}
}

static gboolean chat_channel_name_valid(const char *name, rtk_refusal *why) {
	if(name == NULL || name[0] == '\0' || strlen(name) > RTK_CHAT_NAME_MAX) {
		rtk_refusal_set(why, RTK_ERR_CHAT_CONTENT, "a channel name must have 1 to %d bytes", RTK_CHAT_NAME_MAX);
		return FALSE;
	}
	return TRUE;
}

/* The members `member_ids` names plus `creator` first, in `out`. */
static gboolean chat_channel_members_resolve(rtk_room *room, const char *creator, const json_t *member_ids,
		GPtrArray *out, rtk_refusal *why) {
	g_ptr_array_add(out, g_strdup(creator));
	if(!chat_resolve_users(room, member_ids, out, why))
		return FALSE;
	if(out->len > RTK_CHAT_MEMBERS_MAX) {
		rtk_refusal_set(why, RTK_ERR_CHAT_LIMIT, "a channel has at most %d members", RTK_CHAT_MEMBERS_MAX);
		return FALSE;
	}
	return TRUE;
}

json_t *rtk_chat_channel_create(rtk_room *room, rtk_peer *actor, const char *name, const json_t *member_ids,
		const char *display_picture_url, const char *visibility, gboolean direct, rtk_refusal *why) {
	if(!room_actor_may(actor, RTK_ACTION_CHAT_PRIVATE, why) || !chat_channel_name_valid(name, why))
		return NULL;
	if(room->chat->channels->len >= RTK_CHAT_CHANNELS_MAX) {
		rtk_refusal_set(why, RTK_ERR_CHAT_LIMIT, "a session has at most %d channels", RTK_CHAT_CHANNELS_MAX);
		return NULL;
	}
	GPtrArray *members = g_ptr_array_new_with_free_func(g_free);
	if(!chat_channel_members_resolve(room, actor->user_id, member_ids, members, why)) {
		g_ptr_array_free(members, TRUE);
		return NULL;
	}
	rtk_chat_channel *ch = g_new0(rtk_chat_channel, 1);
	ch->id = g_uuid_string_random();
	ch->name = g_strdup(name);
	ch->picture = g_strdup(display_picture_url);
	ch->visibility = g_strdup(!g_strcmp0(visibility, "public") ? "public" : "private");
	ch->direct = direct;
	ch->creator = g_strdup(actor->user_id);
	ch->members = members;
	ch->read = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_ptr_array_add(room->chat->channels, ch);
	chat_channel_announce(room, ch, NULL, "channelCreate");
	return chat_channel_json(room, ch, actor);
}

json_t *rtk_chat_channel_update(rtk_room *room, rtk_peer *actor, const char *channel_id, const char *name,
		const json_t *member_ids, rtk_refusal *why) {
	rtk_chat_channel *ch = chat_channel_of(room, actor, channel_id, why);
	if(ch == NULL)
		return NULL;
	if(strcmp(ch->creator, actor->user_id) && !rtk_permissions_allow(&actor->permissions, RTK_ACTION_KICK, NULL)) {
		rtk_refusal_set(why, RTK_ERR_NOT_PERMITTED,
			"only the channel's creator or a participant with kick_participant may update it");
		return NULL;
	}
	if(name != NULL && !chat_channel_name_valid(name, why))
		return NULL;
	GPtrArray *members = NULL;
	if(member_ids != NULL) {
		members = g_ptr_array_new_with_free_func(g_free);
		if(!chat_channel_members_resolve(room, ch->creator, member_ids, members, why)) {
			g_ptr_array_free(members, TRUE);
			return NULL;
		}
	}
	if(name != NULL) {
		g_free(ch->name);
		ch->name = g_strdup(name);
	}
	GPtrArray *old = NULL;
	if(members != NULL) {
		old = ch->members;
		ch->members = members;
	}
	chat_channel_announce(room, ch, old, "channelUpdate");
	if(old != NULL)
		g_ptr_array_free(old, TRUE);
	return chat_channel_json(room, ch, actor);
}

json_t *rtk_chat_channel_members(rtk_room *room, const rtk_peer *viewer, const char *channel_id, rtk_refusal *why) {
	rtk_chat_channel *ch = chat_channel_of(room, viewer, channel_id, why);
	if(ch == NULL)
		return NULL;
	json_t *out = json_array();
	for(guint i = 0; i < ch->members->len; i++) {
		const char *user = g_ptr_array_index(ch->members, i);
		rtk_peer *peer = rtk_room_find_user(room, user);
		if(peer == NULL)
			json_array_append_new(out, json_pack("{ss ss}", "id", user, "userId", user));
		else if(room_sees(viewer, peer, ROOM_VIEW_LIST))
			json_array_append_new(out, rtk_peer_to_json(peer));
	}
	return out;
}

json_t *rtk_chat_mark_read(rtk_room *room, const rtk_peer *viewer, const char *channel_id, const char *message_id,
		rtk_refusal *why) {
	rtk_chat_channel *ch = chat_channel_of(room, viewer, channel_id, why);
	if(ch == NULL)
		return NULL;
	const rtk_chat_message *m = chat_find(room, message_id);
	if(m == NULL || m->channel != ch) {
		rtk_refusal_set(why, RTK_ERR_CHAT_NOT_FOUND, "no message %.80s in channel %.80s", message_id, channel_id);
		return NULL;
	}
	guint64 *mark = g_new(guint64, 1);
	*mark = m->seq;
	g_hash_table_insert(ch->read, g_strdup(viewer->user_id), mark);
	return chat_channel_json(room, ch, viewer);
}

/* ---- roomJoined ---- */

json_t *rtk_chat_joined_json(const rtk_room *room, const rtk_peer *viewer) {
	GPtrArray *all = room->chat->messages;
	json_t *recent = json_array(), *pinned = json_array(), *channels = json_array();
	GPtrArray *newest = g_ptr_array_new();
	for(guint n = all->len; n > 0 && newest->len < RTK_CHAT_HISTORY; n--) {
		const rtk_chat_message *m = g_ptr_array_index(all, n - 1);
		if(m->channel == NULL && chat_visible(m, viewer))
			g_ptr_array_add(newest, (gpointer)m);
	}
	for(guint n = newest->len; n > 0; n--)
		json_array_append(recent, ((const rtk_chat_message *)g_ptr_array_index(newest, n - 1))->doc);
	g_ptr_array_free(newest, TRUE);
	for(guint i = 0; i < all->len; i++) {
		const rtk_chat_message *m = g_ptr_array_index(all, i);
		if(json_is_true(json_object_get(m->doc, "pinned")) && chat_visible(m, viewer))
			json_array_append(pinned, m->doc);
	}
	for(guint i = 0; i < room->chat->channels->len; i++) {
		const rtk_chat_channel *ch = g_ptr_array_index(room->chat->channels, i);
		if(chat_channel_has(ch, viewer->user_id))
			json_array_append_new(channels, chat_channel_json(room, ch, viewer));
	}
	return json_pack("{so so so}", "messages", recent, "pinned", pinned, "channels", channels);
}
