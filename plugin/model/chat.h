/*
 * chat.h - the chat of a live meeting session (meeting.chat of the seeds).
 *
 * Owns the session's messages (text, image, file), each public, private to
 * the participants it names, or in a channel; their edits, deletions and
 * pins; the channels with their members and read marks; who may do each of
 * these and who is told (chatUpdate, pinMessage, unpinMessage,
 * channelCreate, channelUpdate); and what a participant sees of it when it
 * joins or pages back in time. Plain C + GLib + Jansson: a unit test drives
 * it through a room (room.h) without Janus.
 *
 * Who sees a message (chat_visible): everyone joined for a public one; for
 * a private one its author and the named participants whose preset has
 * chat.private.can_receive; for a channel message the channel's members.
 * Ids are user ids (REST participant ids): a participant who reconnects
 * keeps seeing what it saw.
 *
 * Rights, from the preset: sending needs chat.public.can_send (public) or
 * chat.private.can_send (private, channels), plus .text for text and .files
 * for images and files. Authors edit, delete and pin their own messages;
 * nobody edits another's; deleting another's needs kick_participant and
 * pinning or unpinning another's needs pin_participant (the host presets).
 * Creating a channel needs chat.private.can_send; updating it, being its
 * creator or having kick_participant.
 *
 * What it keeps: the session's last RTK_CHAT_KEPT messages (older ones
 * leave memory; the glue's store keeps every message), at most
 * RTK_CHAT_CHANNELS_MAX channels. The glue persists what a call returns
 * (rtk_chat_message.doc) and resolves uploads into links before sending.
 *
 * Locking: as the room's (room.h).
 */
#ifndef RTK_CHAT_H
#define RTK_CHAT_H

#include <glib.h>
#include <jansson.h>
#include "errors.h"
#include "peer.h"

struct rtk_room;

/* Limits, in bytes where they are lengths. */
#define RTK_CHAT_TEXT_MAX 4096        /* a text message */
#define RTK_CHAT_NAME_MAX 255         /* a file's or a channel's name, a link */
#define RTK_CHAT_KEPT 5000            /* messages a session keeps in memory */
#define RTK_CHAT_HISTORY 100          /* the newest messages a joiner gets in roomJoined */
#define RTK_CHAT_PAGE_MAX 100         /* messages one getMessages page holds at most */
#define RTK_CHAT_CHANNELS_MAX 100     /* channels in a session */
#define RTK_CHAT_MEMBERS_MAX 100      /* members of a channel */
#define RTK_CHAT_PER_SECOND 20        /* messages a participant may send in a second (0012) */

typedef enum rtk_chat_kind {
	RTK_CHAT_TEXT = 0,
	RTK_CHAT_IMAGE,
	RTK_CHAT_FILE
} rtk_chat_kind;

/* What a message carries (all borrowed). */
typedef struct rtk_chat_content {
	rtk_chat_kind kind;
	const char *text;        /* TEXT */
	const char *file_id;     /* IMAGE, FILE: the upload's id (the glue checked it is this meeting's) */
	const char *link;        /* IMAGE, FILE: where participants download it (the glue's upload) */
	const char *name;        /* IMAGE, FILE: the file's name */
	gint64 size;             /* IMAGE, FILE: its size in bytes */
} rtk_chat_content;

typedef struct rtk_chat_channel rtk_chat_channel;

/* One message, owned by the session's chat. `doc` is the seed's Message
 * object as every participant who may see it gets it: id, type, userId,
 * displayName, time (ISO 8601), timeMs (unique in the session: a message
 * sent in the same millisecond as the one before gets the next one),
 * isEdited, pinned, and message
 * (text) or fileId, link, name, size (image, file), plus targetUserIds (private)
 * or channelId (channel). */
typedef struct rtk_chat_message {
	char *id;
	guint64 seq;              /* order of sending in the session, from 1 */
	gint64 time_ms;
	char *author;             /* user id */
	GStrv targets;            /* private: the named user ids; NULL otherwise */
	rtk_chat_channel *channel;   /* borrowed; NULL outside channels */
	json_t *doc;              /* owned */
} rtk_chat_message;

typedef struct rtk_chat rtk_chat;

rtk_chat *rtk_chat_new(void);
void rtk_chat_free(rtk_chat *chat);

/* chat.sendMessage, sendMessageToChannel: `actor` (joined) sends `content`
 * publicly, or privately to `participant_ids` (a JSON array of peer or
 * user ids of joined participants; unknown 1204), or to `channel_id`
 * (0505 unless a member). Refusals: the rights above (0902), empty or too
 * long text (0503), nobody named may receive it (0504), the rate (0012).
 * Everyone who may see it gets {"rtk":"chatUpdate","action":"add",
 * "message":{...}} (the actor too). Returns the message (borrowed: valid
 * until the next chat call), or NULL with `why`. */
const rtk_chat_message *rtk_chat_send(struct rtk_room *room, rtk_peer *actor, const rtk_chat_content *content,
	const json_t *participant_ids, const char *channel_id, gint64 now_ms, rtk_refusal *why);

/* May `actor` send a message of `kind` in public (`in_public`) or not
 * (private, channels)? The rights check of rtk_chat_send, for the glue to
 * make before it resolves an upload (0902). */
gboolean rtk_chat_may_send(const rtk_peer *actor, rtk_chat_kind kind, gboolean in_public, rtk_refusal *why);

/* chat.editMessage: only the author (0502), same kind (0503), the same
 * send rights as now. The message gets the new content and isEdited; those
 * who see it get chatUpdate "edit". Returns it (borrowed) or NULL. */
const rtk_chat_message *rtk_chat_edit(struct rtk_room *room, rtk_peer *actor, const char *message_id,
	const rtk_chat_content *content, rtk_refusal *why);

/* chat.deleteMessage: the author, or a peer with kick_participant (0502).
 * Those who saw it get {"rtk":"chatUpdate","action":"delete","messageId",
 * "channelId"?}. Returns the deleted message's id (a NEW string) or NULL. */
char *rtk_chat_delete(struct rtk_room *room, rtk_peer *actor, const char *message_id, rtk_refusal *why);

/* chat.pin / chat.unpin: the author, or a peer with pin_participant (0502).
 * When it changes, those who see it get {"rtk":"pinMessage"|"unpinMessage",
 * "message":{...}}. Returns the message (borrowed) or NULL. */
const rtk_chat_message *rtk_chat_pin(struct rtk_room *room, rtk_peer *actor, const char *message_id,
	gboolean pin, rtk_refusal *why);

/* chat.getMessages: up to `size` (1..RTK_CHAT_PAGE_MAX) messages `viewer`
 * sees in the public and private chat (or in `channel_id`), skipping the
 * first `offset` of them: with `reversed` the newest sent before
 * `timestamp_ms`, going back in time, else the oldest sent after it.
 * Returns {"messages":[... oldest first], "next": more remain} (NEW), or
 * NULL with 0505 for a channel the viewer is not in. */
json_t *rtk_chat_page(struct rtk_room *room, const rtk_peer *viewer, gint64 timestamp_ms, int size,
	gboolean reversed, int offset, const char *channel_id, rtk_refusal *why);

/* The messages among `ids` (a JSON array of message ids, borrowed) that
 * `viewer` sees, in the order of `ids`, at most `limit` (NEW array): what
 * a search found, filtered. */
json_t *rtk_chat_visible(struct rtk_room *room, const rtk_peer *viewer, const json_t *ids, int limit);

/* May the participant `user_id` (joined) download the upload `file_id`: is
 * it in a message the participant sees? */
gboolean rtk_chat_file_visible(struct rtk_room *room, const char *user_id, const char *file_id);

/* The chat part of roomJoined for `viewer` (NEW): {"messages": the newest
 * RTK_CHAT_HISTORY it sees outside channels, oldest first, "pinned": every
 * pinned message it sees, "channels": the channels it is a member of}. */
json_t *rtk_chat_joined_json(const struct rtk_room *room, const rtk_peer *viewer);

/* chat.createChannel: `actor` needs chat.private.can_send; `name`
 * non-empty, at most RTK_CHAT_NAME_MAX bytes (0503); `member_ids` joined
 * participants (1204), the actor always a member; at most
 * RTK_CHAT_CHANNELS_MAX channels and RTK_CHAT_MEMBERS_MAX members (0507).
 * `display_picture_url` may be NULL; `visibility` "public" or "private".
 * Members get {"rtk":"channelCreate","channel":{...}}. Returns the channel
 * object as the actor sees it (NEW) or NULL. */
json_t *rtk_chat_channel_create(struct rtk_room *room, rtk_peer *actor, const char *name, const json_t *member_ids,
	const char *display_picture_url, const char *visibility, gboolean direct, rtk_refusal *why);

/* chat.updateChannel: the creator or a peer with kick_participant (0902);
 * `name` (NULL: kept) and `member_ids` (NULL: kept; the creator stays) as
 * for create. Old and new members get {"rtk":"channelUpdate","channel"}.
 * Returns the channel as the actor sees it (NEW) or NULL. */
json_t *rtk_chat_channel_update(struct rtk_room *room, rtk_peer *actor, const char *channel_id, const char *name,
	const json_t *member_ids, rtk_refusal *why);

/* chat.getChannelMembers: for a member (0505), the members' participant
 * objects as the viewer sees them when joined, {id: user id, name} else
 * (NEW array), or NULL. */
json_t *rtk_chat_channel_members(struct rtk_room *room, const rtk_peer *viewer, const char *channel_id,
	rtk_refusal *why);

/* chat.markLastReadMessage: the viewer's read mark in `channel_id` (0505)
 * moves to `message_id` (a message of that channel, 0501). Returns the
 * channel as the viewer sees it now (NEW, unreadCount updated) or NULL. */
json_t *rtk_chat_mark_read(struct rtk_room *room, const rtk_peer *viewer, const char *channel_id,
	const char *message_id, rtk_refusal *why);

/* A cascade edge (plugin/cascade.h) shows its owner node's public chat:
 * the owner decides every message, the edge puts what it was told into
 * its room's chat with the events the owner's participants got. */
typedef enum rtk_chat_mirror_event {
	RTK_CHAT_MIRROR_HISTORY = 1,   /* kept, nobody told (sent before the viewer came) */
	RTK_CHAT_MIRROR_ADD,           /* chatUpdate "add" */
	RTK_CHAT_MIRROR_EDIT,          /* chatUpdate "edit" */
	RTK_CHAT_MIRROR_DELETE,        /* chatUpdate "delete" {messageId} */
	RTK_CHAT_MIRROR_PIN,           /* pinMessage */
	RTK_CHAT_MIRROR_UNPIN          /* unpinMessage */
} rtk_chat_mirror_event;

/* Puts the owner's public message `doc` (borrowed: copied; its id,
 * userId, timeMs are kept as they are) into the room's chat, new or over
 * the one with its id, and tells everyone joined as the event says; for
 * DELETE removes `message_id`. FALSE (nothing changed) for a doc without
 * those fields, a private or channel message, or an unknown id to delete. */
gboolean rtk_chat_mirror(struct rtk_room *room, rtk_chat_mirror_event event, const json_t *doc,
	const char *message_id);

/* The newest `max` public messages, oldest first (a NEW array of the
 * docs): what an owner tells a new edge. */
json_t *rtk_chat_public_docs(const struct rtk_room *room, guint max);

/* Whether `message_id` is a public message of the session (not private,
 * not in a channel). */
gboolean rtk_chat_is_public(struct rtk_room *room, const char *message_id);

#endif
