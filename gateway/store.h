/*
 * store.h - the persistent store of the RTK server: SQLite (WAL) by
 * default, PostgreSQL when RTK_DATABASE_URL names a database.
 *
 * Owns everything acknowledged to a REST client: meetings, presets,
 * participants, recordings, livestreams, webhooks, the history of live
 * sessions and their chat, plus a small key/value table for deployment
 * metadata.
 * Every write is committed and synced to disk (the WAL; on PostgreSQL the
 * server's WAL, synchronous_commit on) before the function returns, so a
 * crash, a kill -9 or a power loss after an acknowledgement loses nothing.
 *
 * Resources cross this boundary as Jansson objects already in their REST v2
 * shape (see docs/rest.md), so REST handlers can return them as they are.
 *
 * Ownership: every `json_t **out` receives a NEW reference that the caller
 * must json_decref(). Input `json_t *` arguments are borrowed. On any status
 * other than RTK_STORE_OK, *out is set to NULL.
 *
 * Thread safety: one rtk_store may be used from any thread (the REST server
 * and the Janus plugin threads share one store). Reads run side by side on
 * a pool of connections and never wait for a write; writes take turns on
 * one connection, and the writes that arrive while one sync runs share one
 * transaction and the next sync (store_sqlite.c, "Batches" and "Durability").
 * On PostgreSQL reads run on a pool of connections too, and every write is
 * one transaction on the writer connection, taking turns with the writes
 * of every process that shares the database (store_pg.c, "Writes").
 *
 * Lists: *total is the number of rows matching the filter, read in the same
 * snapshot as the page, without a scan of the table (store_sqlite.c, "Counts").
 *
 * Validation of field values is the caller's job (the REST layer); the store
 * only persists what it is given, taking the fields it knows and ignoring the
 * rest.
 */
#ifndef RTK_STORE_H
#define RTK_STORE_H

#include <jansson.h>

typedef struct rtk_store rtk_store;

typedef enum rtk_store_status {
	RTK_STORE_OK = 0,
	RTK_STORE_NOT_FOUND,  /* no row with that id (or name) */
	RTK_STORE_CONFLICT,   /* a unique constraint: duplicate preset name; preset still in use */
	RTK_STORE_FAILED      /* database error: logged, nothing partially written */
} rtk_store_status;

/* Opens (creating if needed) the SQLite file at `path`, switches it to WAL,
 * applies pending schema migrations. Returns NULL and sets *error (free with
 * free()) on failure. */
rtk_store *rtk_store_open(const char *path, char **error);
/* The same on the PostgreSQL database of `url` (RTK_DATABASE_URL): a
 * postgres:// or postgresql:// URL, or a libpq conninfo string
 * ("host=/run/postgresql dbname=rtk"); the database must exist, its
 * tables are created or migrated (store_pg.c). NULL and *error when the
 * URL is of another kind, when this build has no PostgreSQL support
 * (configure found no libpq), or when the database cannot be used. The
 * error never repeats the URL (it may hold a password). */
rtk_store *rtk_store_open_url(const char *url, char **error);
/* "sqlite" or "postgresql": the backend of an open store (logs, /metrics). */
const char *rtk_store_backend_name(const rtk_store *store);
void rtk_store_close(rtk_store *store);

/* Deployment metadata (e.g. "default_presets_seeded"). get: *value is a
 * malloc'd string the caller frees, or NULL when absent (status NOT_FOUND). */
rtk_store_status rtk_store_meta_get(rtk_store *store, const char *key, char **value);
rtk_store_status rtk_store_meta_set(rtk_store *store, const char *key, const char *value);
/* Whether the one-time step `key` (a seed) is done: 1 when meta holds the
 * key, 0 when not, -1 with *error ("cannot read store metadata"). */
int rtk_store_meta_done(rtk_store *store, const char *key, char **error);

/* ---- Meetings ----
 * Shape: {id, title, status ("ACTIVE"|"INACTIVE"), record_on_start,
 *         live_stream_on_start, persist_chat, summarize_on_end,
 *         transcribe_on_end, preferred_region, session_keep_alive_time_in_secs,
 *         recording_config, ai_config, parent_meeting_id, created_at, updated_at}
 * recording_config and ai_config: an object or null (the REST layer checks
 * their contents); session_keep_alive_time_in_secs a number (default 0);
 * preferred_region a string or null.
 * parent_meeting_id: null, or the parent of a connected meeting (breakout
 * room); set at creation only (the REST layer checks the parent).
 * Timestamps are ISO 8601 UTC with milliseconds: "2026-11-22T00:39:42.123Z".
 * create: the store assigns id (UUID v4), timestamps; missing fields take
 * defaults (title null, status ACTIVE, flags false). */
rtk_store_status rtk_store_meeting_create(rtk_store *store, const json_t *fields, json_t **out);
rtk_store_status rtk_store_meeting_get(rtk_store *store, const char *id, json_t **out);
/* Newest first. *items is a new JSON array, *total the number of all rows. */
rtk_store_status rtk_store_meeting_list(rtk_store *store, int offset, int limit,
	json_t **items, int *total);
/* The meetings whose parent_meeting_id is `parent_id`, newest first. */
rtk_store_status rtk_store_meeting_children(rtk_store *store, const char *parent_id, int offset,
	int limit, json_t **items, int *total);
/* A list of meetings narrowed by any of these (NULL: not narrowed):
 * the parent; the status; a text the title or the id holds (ASCII letters
 * match in either case; no character is a wildcard); created_at at or
 * after / at or before a timestamp in the store's form (above). Newest
 * first; *total counts the matching rows (a scan when search or times
 * are given). */
typedef struct rtk_store_meeting_filter {
	const char *parent_id;
	const char *status;
	const char *search;
	const char *created_from;
	const char *created_to;
} rtk_store_meeting_filter;
rtk_store_status rtk_store_meeting_find(rtk_store *store, const rtk_store_meeting_filter *filter,
	int offset, int limit, json_t **items, int *total);
/* Applies the known fields present in `fields`, bumps updated_at. */
rtk_store_status rtk_store_meeting_update(rtk_store *store, const char *id,
	const json_t *fields, json_t **out);
/* The same, but every field a create sets that `fields` lacks returns to
 * its default (status and parent_meeting_id stay as they are unless
 * `fields` sets status): PUT. */
rtk_store_status rtk_store_meeting_replace(rtk_store *store, const char *id,
	const json_t *fields, json_t **out);

/* ---- Presets ----
 * Shape: {id, name, config, permissions, ui, created_at, updated_at}
 * config/permissions/ui are stored as JSON documents. Names are unique:
 * create or rename to an existing name -> RTK_STORE_CONFLICT. */
rtk_store_status rtk_store_preset_create(rtk_store *store, const json_t *fields, json_t **out);
rtk_store_status rtk_store_preset_get(rtk_store *store, const char *id, json_t **out);
rtk_store_status rtk_store_preset_get_by_name(rtk_store *store, const char *name, json_t **out);
/* Oldest first (default presets first). */
rtk_store_status rtk_store_preset_list(rtk_store *store, int offset, int limit,
	json_t **items, int *total);
rtk_store_status rtk_store_preset_update(rtk_store *store, const char *id,
	const json_t *fields, json_t **out);
/* RTK_STORE_CONFLICT while a participant still uses the preset. */
rtk_store_status rtk_store_preset_delete(rtk_store *store, const char *id);

/* ---- Participants (of a meeting) ----
 * Shape: {id, meeting_id, name, picture, preset_name, preset_id,
 *         custom_participant_id, created_at, updated_at}
 * The participant references its preset by id; preset_name is read through
 * it, so renaming a preset renames it here too.
 * create: `fields` carries name, picture, preset_name, custom_participant_id;
 * RTK_STORE_NOT_FOUND if the meeting or the preset (by name) does not exist
 * (`*missing` is set to "meeting" or "preset" when not NULL).
 * `meeting_id` may be NULL in get: the participant is looked up by id alone
 * (used by the plugin when it checks a token). */
rtk_store_status rtk_store_participant_create(rtk_store *store, const char *meeting_id,
	const json_t *fields, json_t **out, const char **missing);
rtk_store_status rtk_store_participant_get(rtk_store *store, const char *meeting_id,
	const char *id, json_t **out);
/* Oldest first. */
rtk_store_status rtk_store_participant_list(rtk_store *store, const char *meeting_id,
	int offset, int limit, json_t **items, int *total);
/* Same `missing` rule as create when preset_name names an unknown preset. */
rtk_store_status rtk_store_participant_update(rtk_store *store, const char *meeting_id,
	const char *id, const json_t *fields, json_t **out, const char **missing);
rtk_store_status rtk_store_participant_delete(rtk_store *store, const char *meeting_id,
	const char *id);

/* Token generations (docs/rest.md, "Token revocation"): every participant
 * starts at 0; bump moves it up by one (for a token refresh) and returns
 * the new value. Deleting the participant deletes its generation. An
 * unknown participant id reads as 0; bump on one is RTK_STORE_CONFLICT. */
rtk_store_status rtk_store_token_generation_get(rtk_store *store, const char *participant_id,
	long long *generation);
rtk_store_status rtk_store_token_generation_bump(rtk_store *store, const char *participant_id,
	long long *generation);

/* ---- Recordings ----
 * Shape (REST v2): {id, meeting_id, session_id, status, output_file_name,
 *   file_size, recording_duration, invoked_time, started_time, stopped_time,
 *   start_reason {reason, caller}, stop_reason {reason, caller},
 *   file_name_prefix, video_config, audio_config, max_seconds, created_at, ...}
 * status: INVOKED | RECORDING | PAUSED | UPLOADING | UPLOADED | ERRORED.
 * The store keeps the whole object as one JSON document: whatever keys it is
 * given come back as they were. The caller (the plugin) chooses the id.
 * create: `fields` must hold the strings "id", "meeting_id" and "status"
 *   (else RTK_STORE_FAILED); created_at and invoked_time are set to now when
 *   absent. A duplicate id is RTK_STORE_CONFLICT.
 * update: merges the keys of `fields` into the stored object (a JSON null
 *   value stores null, it does not remove the key); "id" and "created_at"
 *   never change; meeting_id and status must stay strings (else FAILED).
 * list: newest first (creation order), filtered by meeting and/or status
 *   when those are not NULL; *total counts the filtered rows.
 * fail_unfinished: for the server's start. Every recording a crashed server
 *   left INVOKED, RECORDING, PAUSED or UPLOADING becomes ERRORED with
 *   stop_reason {"reason": "INTERNAL_ERROR", "detail": "SERVER_RESTART"}, in one transaction; *count
 *   (may be NULL) receives how many. */
rtk_store_status rtk_store_recording_create(rtk_store *store, const json_t *fields, json_t **out);
rtk_store_status rtk_store_recording_update(rtk_store *store, const char *id,
	const json_t *fields, json_t **out);
rtk_store_status rtk_store_recording_get(rtk_store *store, const char *id, json_t **out);
rtk_store_status rtk_store_recording_list(rtk_store *store, const char *meeting_id,
	const char *status, int offset, int limit, json_t **items, int *total);
rtk_store_status rtk_store_recording_fail_unfinished(rtk_store *store, int *count);

/* ---- Livestreams ----
 * Shape: {id, meeting_id, session_id, status, playback_url, name,
 *   started_time, stopped_time, created_at, updated_at, ...}
 * status: RealtimeKit's REST livestream statuses
 *   INVOKED (asked to start), LIVE (the stream is on air), IDLE (stopped
 *   normally, or not started), ERRORED (failed).
 * Same rules as recordings, except the stamps: create sets created_at and
 * updated_at when absent, update bumps updated_at, and fail_unfinished turns
 * INVOKED and LIVE into ERRORED (stop_reason {"reason": "INTERNAL_ERROR", "detail": "SERVER_RESTART"}). */
rtk_store_status rtk_store_livestream_create(rtk_store *store, const json_t *fields, json_t **out);
rtk_store_status rtk_store_livestream_update(rtk_store *store, const char *id,
	const json_t *fields, json_t **out);
rtk_store_status rtk_store_livestream_get(rtk_store *store, const char *id, json_t **out);
rtk_store_status rtk_store_livestream_list(rtk_store *store, const char *meeting_id,
	const char *status, int offset, int limit, json_t **items, int *total);
rtk_store_status rtk_store_livestream_fail_unfinished(rtk_store *store, int *count);

/* ---- Chat messages ----
 * Shape: the message object participants get (docs/protocol.md, "Chat":
 *   id, type, userId, displayName, time, message | link, name, size, ...)
 *   plus meeting_id, session_id and created_at; kept whole, as recordings.
 * write: applies `changes` (an array, borrowed) in one atomic write, in
 *   order: {"put": row} stores the row (new, or over the one with its id;
 *   it needs the strings id, meeting_id, session_id, created_at, else the
 *   whole write FAILED) and {"delete": id} removes one (absent: ignored).
 * purge_session: removes every message of a session.
 * list: a session's messages, oldest first; *total counts them.
 * search: up to `limit` messages of a session whose text (or file name)
 *   holds every word of `words` (whitespace-separated; each word also
 *   matches as a prefix: "meet" finds "meeting"; no word is an operator),
 *   best match first; an empty array when `words` has none. */
rtk_store_status rtk_store_chat_write(rtk_store *store, const json_t *changes);
rtk_store_status rtk_store_chat_purge_session(rtk_store *store, const char *session_id);
rtk_store_status rtk_store_chat_list(rtk_store *store, const char *session_id, int offset, int limit,
	json_t **items, int *total);
rtk_store_status rtk_store_chat_search(rtk_store *store, const char *session_id, const char *words,
	int limit, json_t **items);

/* ---- Sessions (history of live sessions) ----
 * Shape (REST v2): {id, associated_id, meeting_id, meeting_display_name,
 *   type "meeting", status, started_at, ended_at, live_participants,
 *   max_concurrent_participants, minutes_consumed, created_at, updated_at}
 * status: LIVE | ENDED. id is the live room's session_id. Kept as one
 * document, like recordings; its writer is the plugin (plugin/history.c).
 * create: `fields` must hold the strings "id", "meeting_id" and "status";
 *   created_at and updated_at are set to now when absent; a duplicate id
 *   is RTK_STORE_CONFLICT.
 * update: merges the keys of `fields`, bumps updated_at.
 * list: newest first, filtered by meeting and/or status when not NULL.
 * end_unfinished: for the server's start. Every session a crashed server
 *   left LIVE becomes ENDED (ended_at now, live_participants 0), and its
 *   participants still in it get left_at now and their duration, in one
 *   transaction; *count (may be NULL) receives how many sessions. */
rtk_store_status rtk_store_session_create(rtk_store *store, const json_t *fields, json_t **out);
rtk_store_status rtk_store_session_update(rtk_store *store, const char *id,
	const json_t *fields, json_t **out);
rtk_store_status rtk_store_session_get(rtk_store *store, const char *id, json_t **out);
rtk_store_status rtk_store_session_list(rtk_store *store, const char *meeting_id,
	const char *status, int offset, int limit, json_t **items, int *total);
/* The same list narrowed by any of these (NULL: not narrowed): the
 * meeting, the status, created_at at or after / at or before a timestamp
 * in the store's form. *total counts the matching rows (a scan when a
 * time is given). */
typedef struct rtk_store_session_filter {
	const char *meeting_id;
	const char *status;
	const char *created_from;
	const char *created_to;
} rtk_store_session_filter;
rtk_store_status rtk_store_session_find(rtk_store *store, const rtk_store_session_filter *filter,
	int offset, int limit, json_t **items, int *total);
rtk_store_status rtk_store_session_end_unfinished(rtk_store *store, int *count);

/* ---- Session participants (one row per presence in a session) ----
 * Shape (REST v2): {id (the peer id of that join), session_id, user_id
 *   (the REST participant id), custom_participant_id, display_name,
 *   preset_name, joined_at, left_at (null while in), duration (minutes,
 *   once left), created_at, updated_at}
 * create: `fields` must hold the strings "id" and "session_id".
 * update: merges the keys of `fields`, bumps updated_at.
 * get: `session_id` may be NULL (any session).
 * list: a session's, oldest first (join order). */
rtk_store_status rtk_store_session_participant_create(rtk_store *store, const json_t *fields,
	json_t **out);
rtk_store_status rtk_store_session_participant_update(rtk_store *store, const char *id,
	const json_t *fields, json_t **out);
rtk_store_status rtk_store_session_participant_get(rtk_store *store, const char *session_id,
	const char *id, json_t **out);
rtk_store_status rtk_store_session_participant_list(rtk_store *store, const char *session_id,
	int offset, int limit, json_t **items, int *total);

/* Minutes between two ISO 8601 timestamps of the store (`to` NULL: now),
 * rounded to 0.01, never negative; 0 when `from` does not parse. */
double rtk_store_minutes_between(const char *from, const char *to);

/* ---- Webhooks ----
 * Shape: {id, name, url, events, enabled, secret, created_at, updated_at}
 * events is an array of event names ("meeting.started", ...); secret is the
 * HMAC key deliveries are signed with (see webhooks.h).
 * create: the store assigns id (UUID v4) and timestamps; `fields` must hold
 *   "url" (string) and "events" (array), else RTK_STORE_FAILED; name defaults
 *   to null, enabled to true, secret to 32 random bytes as 64 hex digits
 *   (a string "secret" in `fields` is taken instead: tests use it).
 * update: applies name, url, events, enabled, secret when present with the
 *   right type; bumps updated_at.
 * list: oldest first. Results carry the secret: the REST layer decides who
 *   sees it. */
rtk_store_status rtk_store_webhook_create(rtk_store *store, const json_t *fields, json_t **out);
rtk_store_status rtk_store_webhook_get(rtk_store *store, const char *id, json_t **out);
rtk_store_status rtk_store_webhook_list(rtk_store *store, int offset, int limit,
	json_t **items, int *total);
rtk_store_status rtk_store_webhook_update(rtk_store *store, const char *id,
	const json_t *fields, json_t **out);
rtk_store_status rtk_store_webhook_delete(rtk_store *store, const char *id);
/* The enabled webhooks whose events include `event`, oldest first: *items is
 * a new array (empty when none). */
rtk_store_status rtk_store_webhook_list_for_event(rtk_store *store, const char *event,
	json_t **items);

/* ---- Plugins ----
 * Shape: {id, name, description, picture, url, config, created_at, updated_at}
 * the registry meeting.plugins shows (docs/rest.md, "Plugins"). create: the
 * store assigns id and timestamps; `fields` must hold "name" and "url"
 * (strings); description and picture default to null, config to {}.
 * update: applies those fields when present with the right type. list:
 * oldest first. */
rtk_store_status rtk_store_plugin_create(rtk_store *store, const json_t *fields, json_t **out);
rtk_store_status rtk_store_plugin_get(rtk_store *store, const char *id, json_t **out);
rtk_store_status rtk_store_plugin_list(rtk_store *store, int offset, int limit, json_t **items, int *total);
rtk_store_status rtk_store_plugin_update(rtk_store *store, const char *id, const json_t *fields, json_t **out);
rtk_store_status rtk_store_plugin_delete(rtk_store *store, const char *id);

/* ---- Nodes and placements (several nodes on one database) ----
 * docs/deploy.md, "Several nodes". A node: {id, janus_url, rest_url,
 * heartbeat_at}; heartbeat writes it (new or over the old) with
 * heartbeat_at now. A placement: {meeting_id, node_id, lease_until}: the
 * node that runs the meeting's live session, until when unless renewed.
 * decide: the claim rule, on a meeting's placement (holder NULL: none) at
 *   `now` (timestamps in the store's form): INSERT (none), RENEW (ours),
 *   TAKE (another node's whose lease ended at or before now, or does not
 *   parse), HELD (another node's, still valid).
 * claim: that rule and its write in one atomic write: OK with *out our
 *   placement (lease_until now + lease_seconds) and *previous (malloc'd,
 *   may be NULL) the node it was taken from, or NULL; CONFLICT with *out
 *   the holder's placement plus its node's janus_url and rest_url (when
 *   the node row is there).
 * get: the placement with its node's janus_url and rest_url.
 * list: a node's placements (node_id NULL: all), oldest first.
 * release: deletes the meeting's placement if `node_id` holds it
 *   (NOT_FOUND otherwise). */
typedef enum rtk_store_placement_rule {
	RTK_PLACEMENT_INSERT,
	RTK_PLACEMENT_RENEW,
	RTK_PLACEMENT_TAKE,
	RTK_PLACEMENT_HELD
} rtk_store_placement_rule;
rtk_store_placement_rule rtk_store_placement_decide(const char *holder, const char *lease_until,
	const char *node_id, const char *now);
rtk_store_status rtk_store_node_heartbeat(rtk_store *store, const char *id, const char *janus_url,
	const char *rest_url);
rtk_store_status rtk_store_node_get(rtk_store *store, const char *id, json_t **out);
rtk_store_status rtk_store_placement_claim(rtk_store *store, const char *meeting_id, const char *node_id,
	int lease_seconds, json_t **out, char **previous);
rtk_store_status rtk_store_placement_get(rtk_store *store, const char *meeting_id, json_t **out);
rtk_store_status rtk_store_placement_list(rtk_store *store, const char *node_id, json_t **items);
rtk_store_status rtk_store_placement_release(rtk_store *store, const char *meeting_id, const char *node_id);
/* What a node that died left of one meeting's live session (the meeting
 * is being placed again, or its node restarts): its unfinished recordings
 * and livestreams become ERRORED and its LIVE sessions ENDED, as the
 * server-wide clean-ups above do; the counts may be NULL. */
rtk_store_status rtk_store_meeting_end_unfinished(rtk_store *store, const char *meeting_id,
	int *sessions, int *recordings, int *livestreams);

#endif
