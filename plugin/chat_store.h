/*
 * chat_store.h - the chat's persistence (design.md section 5): every
 * message the chat model (plugin/model/chat.h) keeps in memory is also in
 * the store's chat_messages table, written off the meeting locks by one
 * writer thread, in the order of the changes.
 *
 * While a session runs its messages are searchable (SQLite FTS5). When it
 * ends they are removed, unless the meeting has persist_chat: then they
 * stay, the meeting.chatSynced webhook fires, and REST
 * GET /v2/sessions/{id}/chat hands out a CSV of them.
 *
 * Threads: the queueing functions run under a meeting lock and
 * never wait; rtk_chat_store_search waits for the writer and reads the
 * store, so it runs without the lock.
 */
#ifndef RTK_CHAT_STORE_H
#define RTK_CHAT_STORE_H

#include <glib.h>
#include <jansson.h>

void rtk_chat_store_start(void);
/* Stores what is still queued, then stops the writer. */
void rtk_chat_store_stop(void);

/* Queues the message `doc` (borrowed: copied) of `session_id` for the
 * store, new or over its earlier version. */
void rtk_chat_store_put(const char *meeting_id, const char *session_id, const json_t *doc);
/* Queues the removal of a message. */
void rtk_chat_store_delete(const char *message_id);
/* Queues the end of a session's chat: its messages go, or with `persist`
 * stay and the meeting.chatSynced webhook fires with `meeting` (borrowed:
 * copied; the webhook's meeting object) and the CSV's download URL. */
void rtk_chat_store_session_ended(const char *session_id, gboolean persist, const json_t *meeting);

/* The ids of up to `limit` messages of `session_id` whose text or file name
 * holds every word of `text` (a word's prefix matches: "meet" finds
 * "meeting"), best match first, once the writer has stored everything
 * queued before the call (at most 2 s). A NEW array (empty when nothing
 * matches or the store fails). */
json_t *rtk_chat_store_search(const char *session_id, const char *text, int limit);

#endif
