/*
 * store.h - the persistent store of the RTK server (SQLite, WAL).
 *
 * Owns everything acknowledged to a REST client: meetings, presets and
 * participants, plus a small key/value table for deployment metadata.
 * Every write is committed before the function returns, so a crash or a
 * kill -9 after an acknowledgement loses nothing.
 *
 * Resources cross this boundary as Jansson objects already in their REST v2
 * shape (see docs/rest.md), so REST handlers can return them as they are.
 *
 * Ownership: every `json_t **out` receives a NEW reference that the caller
 * must json_decref(). Input `json_t *` arguments are borrowed. On any status
 * other than RTK_STORE_OK, *out is set to NULL.
 *
 * Thread safety: one rtk_store may be used from any thread; calls are
 * serialised by an internal mutex (the REST server and the Janus plugin
 * threads share one store).
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
	RTK_STORE_FAILED      /* SQLite error: logged, nothing partially written */
} rtk_store_status;

/* Opens (creating if needed) the SQLite file at `path`, switches it to WAL,
 * applies pending schema migrations. Returns NULL and sets *error (free with
 * free()) on failure. */
rtk_store *rtk_store_open(const char *path, char **error);
void rtk_store_close(rtk_store *store);

/* Deployment metadata (e.g. "default_presets_seeded"). get: *value is a
 * malloc'd string the caller frees, or NULL when absent (status NOT_FOUND). */
rtk_store_status rtk_store_meta_get(rtk_store *store, const char *key, char **value);
rtk_store_status rtk_store_meta_set(rtk_store *store, const char *key, const char *value);

/* ---- Meetings ----
 * Shape: {id, title, status ("ACTIVE"|"INACTIVE"), record_on_start,
 *         live_stream_on_start, persist_chat, summarize_on_end,
 *         created_at, updated_at}
 * Timestamps are ISO 8601 UTC with milliseconds: "2026-11-22T00:39:42.123Z".
 * create: the store assigns id (UUID v4), timestamps; missing fields take
 * defaults (title null, status ACTIVE, flags false). */
rtk_store_status rtk_store_meeting_create(rtk_store *store, const json_t *fields, json_t **out);
rtk_store_status rtk_store_meeting_get(rtk_store *store, const char *id, json_t **out);
/* Newest first. *items is a new JSON array, *total the number of all rows. */
rtk_store_status rtk_store_meeting_list(rtk_store *store, int offset, int limit,
	json_t **items, int *total);
/* Applies the known fields present in `fields`, bumps updated_at. */
rtk_store_status rtk_store_meeting_update(rtk_store *store, const char *id,
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

#endif
