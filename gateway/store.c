/*
 * store.c - the SQLite store behind store.h: meetings, presets,
 * participants, recordings, livestreams, webhooks and deployment metadata.
 *
 * One connection per rtk_store, serialised by one GMutex; every statement is
 * prepared once at open (see `sql[]`) and reset after each use. The file is
 * in WAL mode with synchronous=FULL, so a write is on disk when its call
 * returns, and other connections (another process) may read and write the
 * same file. The schema lives in `migrations[]` only: each entry moves
 * PRAGMA user_version up by one, in its own transaction.
 *
 * Resources leave as Jansson objects in their REST shape; every function
 * that returns one builds it from the row it just read, so what a caller
 * sees is exactly what is stored. Recordings and livestreams are "document
 * tables": the whole object is one JSON column, with the few keys the store
 * filters on (meeting_id, status) copied into columns of their own, and one
 * set of functions (doc_*) serves both.
 */
#include "store.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <sqlite3.h>

#include "util.h"

/* ---- schema ---- */

static const char *const migrations[] = {
	/* 1: the v2 resources. `seq` gives every table a stable insertion order;
	 * participants reference presets by id, so a rename follows through and
	 * a preset in use cannot be deleted. */
	"CREATE TABLE meta ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL);"
	"CREATE TABLE meetings ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  id TEXT NOT NULL UNIQUE,"
	"  title TEXT,"
	"  status TEXT NOT NULL,"
	"  record_on_start INTEGER NOT NULL,"
	"  live_stream_on_start INTEGER NOT NULL,"
	"  persist_chat INTEGER NOT NULL,"
	"  summarize_on_end INTEGER NOT NULL,"
	"  created_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL);"
	"CREATE TABLE presets ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  id TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL UNIQUE,"
	"  config TEXT NOT NULL,"
	"  permissions TEXT NOT NULL,"
	"  ui TEXT NOT NULL,"
	"  created_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL);"
	"CREATE TABLE participants ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  id TEXT NOT NULL UNIQUE,"
	"  meeting_id TEXT NOT NULL REFERENCES meetings(id) ON DELETE RESTRICT,"
	"  preset_id TEXT NOT NULL REFERENCES presets(id) ON DELETE RESTRICT,"
	"  name TEXT,"
	"  picture TEXT,"
	"  custom_participant_id TEXT,"
	"  created_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL);"
	"CREATE INDEX participants_by_meeting ON participants(meeting_id, seq);"
	"CREATE INDEX participants_by_preset ON participants(preset_id);",

	/* 2: recordings, livestreams (document tables: `doc` is the whole
	 * object, the other columns are copies the store filters on; id is the
	 * key, `seq` the order) and webhooks. No foreign key to meetings: a
	 * recording outlives nothing, and the plugin names its meeting. */
	"CREATE TABLE recordings ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  id TEXT NOT NULL UNIQUE,"
	"  meeting_id TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  created_at TEXT NOT NULL,"
	"  doc TEXT NOT NULL);"
	"CREATE INDEX recordings_by_meeting ON recordings(meeting_id, seq);"
	"CREATE INDEX recordings_by_status ON recordings(status);"
	"CREATE TABLE livestreams ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  id TEXT NOT NULL UNIQUE,"
	"  meeting_id TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  created_at TEXT NOT NULL,"
	"  doc TEXT NOT NULL);"
	"CREATE INDEX livestreams_by_meeting ON livestreams(meeting_id, seq);"
	"CREATE INDEX livestreams_by_status ON livestreams(status);"
	"CREATE TABLE webhooks ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  id TEXT NOT NULL UNIQUE,"
	"  name TEXT,"
	"  url TEXT NOT NULL,"
	"  events TEXT NOT NULL,"
	"  enabled INTEGER NOT NULL,"
	"  secret TEXT NOT NULL,"
	"  created_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL);",

	/* 3: token generations (docs/rest.md, "Token revocation"): a refresh
	 * moves a participant's generation up, and tokens of lower generations
	 * stop admitting it. No row: generation 0. */
	"CREATE TABLE participant_tokens ("
	"  participant_id TEXT PRIMARY KEY REFERENCES participants(id) ON DELETE CASCADE,"
	"  generation INTEGER NOT NULL);",
};
#define SCHEMA_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])))

/* ---- statements ---- */

#define MEETING_COLS "id, title, status, record_on_start, live_stream_on_start, " \
	"persist_chat, summarize_on_end, created_at, updated_at"
#define PRESET_COLS "id, name, config, permissions, ui, created_at, updated_at"
#define PARTICIPANT_COLS "pa.id, pa.meeting_id, pa.name, pa.picture, pr.name, pa.preset_id, " \
	"pa.custom_participant_id, pa.created_at, pa.updated_at"
#define PARTICIPANT_FROM "FROM participants pa LEFT JOIN presets pr ON pr.id = pa.preset_id"

enum stmt_id {
	S_BEGIN, S_BEGIN_WRITE, S_COMMIT, S_ROLLBACK,
	S_META_GET, S_META_SET,
	S_MEETING_INSERT, S_MEETING_GET, S_MEETING_LIST, S_MEETING_COUNT, S_MEETING_UPDATE,
	S_PRESET_INSERT, S_PRESET_GET, S_PRESET_GET_BY_NAME, S_PRESET_LIST, S_PRESET_COUNT,
	S_PRESET_UPDATE, S_PRESET_DELETE,
	S_PARTICIPANT_INSERT, S_PARTICIPANT_GET, S_PARTICIPANT_LIST, S_PARTICIPANT_COUNT,
	S_PARTICIPANT_UPDATE, S_PARTICIPANT_DELETE,
	S_TOKEN_GENERATION_GET, S_TOKEN_GENERATION_BUMP,
	/* Document tables: the same six statements each, in DOC_* order. */
	S_RECORDING_INSERT, S_RECORDING_GET, S_RECORDING_LIST, S_RECORDING_COUNT,
	S_RECORDING_UPDATE, S_RECORDING_UNFINISHED,
	S_LIVESTREAM_INSERT, S_LIVESTREAM_GET, S_LIVESTREAM_LIST, S_LIVESTREAM_COUNT,
	S_LIVESTREAM_UPDATE, S_LIVESTREAM_UNFINISHED,
	S_WEBHOOK_INSERT, S_WEBHOOK_GET, S_WEBHOOK_LIST, S_WEBHOOK_COUNT, S_WEBHOOK_UPDATE,
	S_WEBHOOK_DELETE, S_WEBHOOK_ENABLED,
	S_COUNT
};

/* Offsets of a document table's statements from its *_INSERT. */
enum doc_stmt { DOC_INSERT, DOC_GET, DOC_LIST, DOC_COUNT, DOC_UPDATE, DOC_UNFINISHED };

/* ?1 id, ?2 meeting_id, ?3 status, ?4 created_at, ?5 doc; list and count
 * filter on ?1 meeting_id and ?2 status (NULL: any). */
#define DOC_FILTER " WHERE (?1 IS NULL OR meeting_id = ?1) AND (?2 IS NULL OR status = ?2)"
#define DOC_SQL(S, table, unfinished) \
	[S##_INSERT] = "INSERT INTO " table "(id, meeting_id, status, created_at, doc)" \
		" VALUES (?1, ?2, ?3, ?4, ?5)", \
	[S##_GET] = "SELECT doc FROM " table " WHERE id = ?1", \
	[S##_LIST] = "SELECT doc FROM " table DOC_FILTER " ORDER BY seq DESC LIMIT ?3 OFFSET ?4", \
	[S##_COUNT] = "SELECT count(*) FROM " table DOC_FILTER, \
	[S##_UPDATE] = "UPDATE " table " SET meeting_id = ?2, status = ?3, doc = ?5 WHERE id = ?1", \
	[S##_UNFINISHED] = "SELECT doc FROM " table " WHERE status IN (" unfinished ") ORDER BY seq"

#define WEBHOOK_COLS "id, name, url, events, enabled, secret, created_at, updated_at"

static const char *const sql[S_COUNT] = {
	[S_BEGIN] = "BEGIN",
	[S_BEGIN_WRITE] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[S_META_SET] = "INSERT INTO meta(key, value) VALUES (?1, ?2)"
		" ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	[S_MEETING_INSERT] = "INSERT INTO meetings(" MEETING_COLS ")"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[S_MEETING_GET] = "SELECT " MEETING_COLS " FROM meetings WHERE id = ?1",
	[S_MEETING_LIST] = "SELECT " MEETING_COLS " FROM meetings ORDER BY seq DESC LIMIT ?1 OFFSET ?2",
	[S_MEETING_COUNT] = "SELECT count(*) FROM meetings",
	[S_MEETING_UPDATE] = "UPDATE meetings SET title = ?2, status = ?3, record_on_start = ?4,"
		" live_stream_on_start = ?5, persist_chat = ?6, summarize_on_end = ?7,"
		" updated_at = ?9 WHERE id = ?1",
	[S_PRESET_INSERT] = "INSERT INTO presets(" PRESET_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_PRESET_GET] = "SELECT " PRESET_COLS " FROM presets WHERE id = ?1",
	[S_PRESET_GET_BY_NAME] = "SELECT " PRESET_COLS " FROM presets WHERE name = ?1",
	[S_PRESET_LIST] = "SELECT " PRESET_COLS " FROM presets ORDER BY seq LIMIT ?1 OFFSET ?2",
	[S_PRESET_COUNT] = "SELECT count(*) FROM presets",
	[S_PRESET_UPDATE] = "UPDATE presets SET name = ?2, config = ?3, permissions = ?4, ui = ?5,"
		" updated_at = ?7 WHERE id = ?1",
	[S_PRESET_DELETE] = "DELETE FROM presets WHERE id = ?1",
	[S_PARTICIPANT_INSERT] = "INSERT INTO participants(id, meeting_id, name, picture, preset_id,"
		" custom_participant_id, created_at, updated_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[S_PARTICIPANT_GET] = "SELECT " PARTICIPANT_COLS " " PARTICIPANT_FROM
		" WHERE pa.id = ?1 AND (?2 IS NULL OR pa.meeting_id = ?2)",
	[S_PARTICIPANT_LIST] = "SELECT " PARTICIPANT_COLS " " PARTICIPANT_FROM
		" WHERE pa.meeting_id = ?1 ORDER BY pa.seq LIMIT ?2 OFFSET ?3",
	[S_PARTICIPANT_COUNT] = "SELECT count(*) FROM participants WHERE meeting_id = ?1",
	[S_PARTICIPANT_UPDATE] = "UPDATE participants SET name = ?2, picture = ?3, preset_id = ?4,"
		" custom_participant_id = ?5, updated_at = ?6 WHERE id = ?1",
	[S_PARTICIPANT_DELETE] = "DELETE FROM participants"
		" WHERE id = ?1 AND (?2 IS NULL OR meeting_id = ?2)",
	[S_TOKEN_GENERATION_GET] = "SELECT generation FROM participant_tokens WHERE participant_id = ?1",
	[S_TOKEN_GENERATION_BUMP] = "INSERT INTO participant_tokens(participant_id, generation) VALUES (?1, 1)"
		" ON CONFLICT(participant_id) DO UPDATE SET generation = generation + 1 RETURNING generation",
	DOC_SQL(S_RECORDING, "recordings", "'INVOKED', 'RECORDING', 'PAUSED', 'UPLOADING'"),
	DOC_SQL(S_LIVESTREAM, "livestreams", "'INVOKED', 'LIVE'"),
	[S_WEBHOOK_INSERT] = "INSERT INTO webhooks(" WEBHOOK_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[S_WEBHOOK_GET] = "SELECT " WEBHOOK_COLS " FROM webhooks WHERE id = ?1",
	[S_WEBHOOK_LIST] = "SELECT " WEBHOOK_COLS " FROM webhooks ORDER BY seq LIMIT ?1 OFFSET ?2",
	[S_WEBHOOK_COUNT] = "SELECT count(*) FROM webhooks",
	[S_WEBHOOK_UPDATE] = "UPDATE webhooks SET name = ?2, url = ?3, events = ?4, enabled = ?5,"
		" secret = ?6, updated_at = ?8 WHERE id = ?1",
	[S_WEBHOOK_DELETE] = "DELETE FROM webhooks WHERE id = ?1",
	[S_WEBHOOK_ENABLED] = "SELECT " WEBHOOK_COLS " FROM webhooks WHERE enabled = 1 ORDER BY seq",
};

struct rtk_store {
	sqlite3 *db;
	GMutex lock;
	sqlite3_stmt *stmt[S_COUNT];
};

/* ---- small helpers ---- */

/* Returns the statement, ready for binding. Pair every use with done(). */
static sqlite3_stmt *stmt(rtk_store *s, enum stmt_id id)
{
	return s->stmt[id];
}

static void done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Maps an SQLite result to a store status; unexpected errors are logged. */
static rtk_store_status status_of(rtk_store *s, int rc, const char *what)
{
	switch (rc) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return RTK_STORE_OK;
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
	case SQLITE_CONSTRAINT_FOREIGNKEY:
	case SQLITE_CONSTRAINT_TRIGGER:   /* how ON DELETE RESTRICT reports; we define no triggers */
		return RTK_STORE_CONFLICT;
	default:
		g_warning("rtk store: %s: %s (%d)", what, sqlite3_errmsg(s->db), rc);
		return RTK_STORE_FAILED;
	}
}

/* Steps a statement that returns no rows, then resets it. */
static rtk_store_status exec(rtk_store *s, enum stmt_id id)
{
	sqlite3_stmt *st = stmt(s, id);
	int rc = sqlite3_step(st);
	rtk_store_status status = status_of(s, rc, sql[id]);
	done(st);
	return status;
}

static rtk_store_status begin(rtk_store *s, int write)
{
	return exec(s, write ? S_BEGIN_WRITE : S_BEGIN);
}

/* Ends the transaction: COMMIT when `status` is OK (its failure becomes
 * the result), ROLLBACK otherwise. */
static rtk_store_status end(rtk_store *s, rtk_store_status status)
{
	if (status == RTK_STORE_OK) {
		status = exec(s, S_COMMIT);
		if (status == RTK_STORE_OK)
			return status;
		status = RTK_STORE_FAILED;
	}
	if (sqlite3_get_autocommit(s->db) == 0)
		exec(s, S_ROLLBACK);
	return status;
}

static void bind_text(sqlite3_stmt *st, int idx, const char *text)
{
	if (text)
		sqlite3_bind_text(st, idx, text, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, idx);
}

/* A JSON string binds as text; anything else (null, missing) as NULL. */
static void bind_json_string(sqlite3_stmt *st, int idx, const json_t *v)
{
	bind_text(st, idx, json_string_value(v));
}

static void bind_json_doc(sqlite3_stmt *st, int idx, const json_t *v)
{
	char *text = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	if (text)
		sqlite3_bind_text(st, idx, text, -1, free);
	else
		sqlite3_bind_text(st, idx, "{}", -1, SQLITE_STATIC);
}

static json_t *col_string(sqlite3_stmt *st, int col)
{
	const unsigned char *text = sqlite3_column_text(st, col);
	return text ? json_string((const char *)text) : json_null();
}

static json_t *col_bool(sqlite3_stmt *st, int col)
{
	return json_boolean(sqlite3_column_int(st, col) != 0);
}

/* Parses a stored JSON document; NULL if the row is corrupt. */
static json_t *col_doc(sqlite3_stmt *st, int col)
{
	const char *text = (const char *)sqlite3_column_text(st, col);
	return text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
}

static void clamp_page(int *offset, int *limit)
{
	if (*offset < 0)
		*offset = 0;
	if (*limit < 0)
		*limit = -1;   /* SQLite: no limit */
}

/* Copies fields[key] into obj[key] when it has an accepted type. */
static void take_string(json_t *obj, const json_t *fields, const char *key, int nullable)
{
	json_t *v = json_object_get(fields, key);
	if (json_is_string(v) || (nullable && json_is_null(v)))
		json_object_set(obj, key, v);
}

static void take_bool(json_t *obj, const json_t *fields, const char *key)
{
	json_t *v = json_object_get(fields, key);
	if (json_is_boolean(v))
		json_object_set(obj, key, v);
}

static void take_doc(json_t *obj, const json_t *fields, const char *key)
{
	json_t *v = json_object_get(fields, key);
	if (v)
		json_object_set(obj, key, v);
}

/* ---- open / close ---- */

static int exec_sql(sqlite3 *db, const char *text, char **error)
{
	char *msg = NULL;
	if (sqlite3_exec(db, text, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	rtk_util_set_error(error, "%s", msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	return -1;
}

static int user_version(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int v = -1;
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
			sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int migrate(sqlite3 *db, char **error)
{
	for (;;) {
		if (exec_sql(db, "BEGIN IMMEDIATE", error) != 0)
			return -1;
		/* Read inside the write transaction: another process may migrate too. */
		int v = user_version(db);
		if (v < 0 || v > SCHEMA_VERSION) {
			exec_sql(db, "ROLLBACK", NULL);
			rtk_util_set_error(error, "schema version %d is not one this build knows (up to %d)",
				v, SCHEMA_VERSION);
			return -1;
		}
		if (v == SCHEMA_VERSION)
			return exec_sql(db, "COMMIT", error);
		char bump[64];
		snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", v + 1);
		if (exec_sql(db, migrations[v], error) != 0 || exec_sql(db, bump, error) != 0 ||
				exec_sql(db, "COMMIT", error) != 0) {
			exec_sql(db, "ROLLBACK", NULL);
			return -1;
		}
	}
}

static int configure(sqlite3 *db, char **error)
{
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, 5000);

	sqlite3_stmt *st = NULL;
	const char *mode = NULL;
	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &st, NULL) == SQLITE_OK &&
			sqlite3_step(st) == SQLITE_ROW)
		mode = (const char *)sqlite3_column_text(st, 0);
	int wal = mode && g_ascii_strcasecmp(mode, "wal") == 0;
	sqlite3_finalize(st);
	if (!wal) {
		rtk_util_set_error(error, "cannot switch to WAL: %s", sqlite3_errmsg(db));
		return -1;
	}
	return exec_sql(db, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;", error);
}

rtk_store *rtk_store_open(const char *path, char **error)
{
	if (error)
		*error = NULL;
	if (!path) {
		rtk_util_set_error(error, "no store path");
		return NULL;
	}
	rtk_store *s = calloc(1, sizeof(*s));
	if (!s) {
		rtk_util_set_error(error, "out of memory");
		return NULL;
	}
	g_mutex_init(&s->lock);

	int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		rtk_util_set_error(error, "cannot open %s: %s", path,
			s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		goto fail;
	}
	char *why = NULL;
	if (configure(s->db, &why) != 0 || migrate(s->db, &why) != 0) {
		rtk_util_set_error(error, "%s: %s", path, why ? why : "unknown error");
		free(why);
		goto fail;
	}
	for (int i = 0; i < S_COUNT; i++) {
		if (sqlite3_prepare_v3(s->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT,
				&s->stmt[i], NULL) != SQLITE_OK) {
			rtk_util_set_error(error, "%s: preparing \"%s\": %s", path, sql[i], sqlite3_errmsg(s->db));
			goto fail;
		}
	}
	return s;
fail:
	rtk_store_close(s);
	return NULL;
}

void rtk_store_close(rtk_store *store)
{
	if (!store)
		return;
	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(store->stmt[i]);
	sqlite3_close(store->db);
	g_mutex_clear(&store->lock);
	free(store);
}

/* ---- meta ---- */

rtk_store_status rtk_store_meta_get(rtk_store *store, const char *key, char **value)
{
	*value = NULL;
	if (!key)
		return RTK_STORE_NOT_FOUND;
	g_mutex_lock(&store->lock);
	sqlite3_stmt *st = stmt(store, S_META_GET);
	bind_text(st, 1, key);
	int rc = sqlite3_step(st);
	rtk_store_status status = status_of(store, rc, "meta get");
	if (rc == SQLITE_ROW) {
		*value = strdup((const char *)sqlite3_column_text(st, 0));
		if (!*value)
			status = RTK_STORE_FAILED;
	} else if (rc == SQLITE_DONE) {
		status = RTK_STORE_NOT_FOUND;
	}
	done(st);
	g_mutex_unlock(&store->lock);
	return status;
}

rtk_store_status rtk_store_meta_set(rtk_store *store, const char *key, const char *value)
{
	if (!key || !value)
		return RTK_STORE_FAILED;
	g_mutex_lock(&store->lock);
	sqlite3_stmt *st = stmt(store, S_META_SET);
	bind_text(st, 1, key);
	bind_text(st, 2, value);
	rtk_store_status status = status_of(store, sqlite3_step(st), "meta set");
	done(st);
	g_mutex_unlock(&store->lock);
	return status;
}

/* ---- generic row access ---- */

typedef json_t *(*row_fn)(sqlite3_stmt *st);

/* Runs a prepared, bound statement expecting zero or one row. */
static rtk_store_status fetch_one(rtk_store *s, sqlite3_stmt *st, row_fn row, json_t **out,
	const char *what)
{
	*out = NULL;
	int rc = sqlite3_step(st);
	rtk_store_status status = status_of(s, rc, what);
	if (rc == SQLITE_ROW) {
		*out = row(st);
		if (!*out)
			status = RTK_STORE_FAILED;
	} else if (rc == SQLITE_DONE) {
		status = RTK_STORE_NOT_FOUND;
	}
	done(st);
	return status;
}

/* Runs a prepared, bound statement collecting every row into a new array. */
static rtk_store_status fetch_all(rtk_store *s, sqlite3_stmt *st, row_fn row, json_t **items,
	const char *what)
{
	json_t *array = json_array();
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *item = row(st);
		if (!item)
			break;
		json_array_append_new(array, item);
	}
	rtk_store_status status = rc == SQLITE_ROW ? RTK_STORE_FAILED : status_of(s, rc, what);
	done(st);
	if (status != RTK_STORE_OK) {
		json_decref(array);
		array = NULL;
	}
	*items = array;
	return status;
}

static rtk_store_status count_rows(rtk_store *s, sqlite3_stmt *st, int *total)
{
	int rc = sqlite3_step(st);
	rtk_store_status status = status_of(s, rc, "count");
	if (rc == SQLITE_ROW)
		*total = sqlite3_column_int(st, 0);
	else if (status == RTK_STORE_OK)
		status = RTK_STORE_FAILED;
	done(st);
	return status;
}

/* count + page in one read transaction, so total and items agree. */
static rtk_store_status list_page(rtk_store *s, sqlite3_stmt *count, sqlite3_stmt *list,
	row_fn row, json_t **items, int *total)
{
	rtk_store_status status = begin(s, 0);
	if (status == RTK_STORE_OK)
		status = count_rows(s, count, total);
	else
		done(count);
	if (status == RTK_STORE_OK)
		status = fetch_all(s, list, row, items, "list");
	else
		done(list);
	return end(s, status);
}

/* ---- meetings ---- */

static json_t *meeting_row(sqlite3_stmt *st)
{
	json_t *m = json_object();
	json_object_set_new(m, "id", col_string(st, 0));
	json_object_set_new(m, "title", col_string(st, 1));
	json_object_set_new(m, "status", col_string(st, 2));
	json_object_set_new(m, "record_on_start", col_bool(st, 3));
	json_object_set_new(m, "live_stream_on_start", col_bool(st, 4));
	json_object_set_new(m, "persist_chat", col_bool(st, 5));
	json_object_set_new(m, "summarize_on_end", col_bool(st, 6));
	json_object_set_new(m, "created_at", col_string(st, 7));
	json_object_set_new(m, "updated_at", col_string(st, 8));
	return m;
}

static const char *const meeting_flags[] = {
	"record_on_start", "live_stream_on_start", "persist_chat", "summarize_on_end",
};

static void meeting_apply(json_t *m, const json_t *fields)
{
	take_string(m, fields, "title", 1);
	take_string(m, fields, "status", 0);
	for (size_t i = 0; i < G_N_ELEMENTS(meeting_flags); i++)
		take_bool(m, fields, meeting_flags[i]);
}

/* Binds a meeting object to S_MEETING_INSERT / S_MEETING_UPDATE (same slots). */
static void meeting_bind(sqlite3_stmt *st, const json_t *m)
{
	bind_json_string(st, 1, json_object_get(m, "id"));
	bind_json_string(st, 2, json_object_get(m, "title"));
	bind_json_string(st, 3, json_object_get(m, "status"));
	for (int i = 0; i < (int)G_N_ELEMENTS(meeting_flags); i++)
		sqlite3_bind_int(st, 4 + i, json_is_true(json_object_get(m, meeting_flags[i])));
	bind_json_string(st, 8, json_object_get(m, "created_at"));
	bind_json_string(st, 9, json_object_get(m, "updated_at"));
}

static rtk_store_status meeting_get_locked(rtk_store *s, const char *id, json_t **out)
{
	sqlite3_stmt *st = stmt(s, S_MEETING_GET);
	bind_text(st, 1, id);
	return fetch_one(s, st, meeting_row, out, "meeting get");
}

rtk_store_status rtk_store_meeting_create(rtk_store *store, const json_t *fields, json_t **out)
{
	*out = NULL;
	char *id = rtk_util_uuid4(), *now = rtk_util_now_iso8601();
	if (!id || !now) {
		free(id);
		free(now);
		return RTK_STORE_FAILED;
	}
	json_t *m = json_pack("{s:s, s:n, s:s, s:b, s:b, s:b, s:b, s:s, s:s}",
		"id", id, "title", "status", "ACTIVE", "record_on_start", 0,
		"live_stream_on_start", 0, "persist_chat", 0, "summarize_on_end", 0,
		"created_at", now, "updated_at", now);
	meeting_apply(m, fields);

	g_mutex_lock(&store->lock);
	sqlite3_stmt *st = stmt(store, S_MEETING_INSERT);
	meeting_bind(st, m);
	rtk_store_status status = status_of(store, sqlite3_step(st), "meeting insert");
	done(st);
	if (status == RTK_STORE_OK)
		status = meeting_get_locked(store, id, out);
	g_mutex_unlock(&store->lock);

	json_decref(m);
	free(id);
	free(now);
	return status;
}

rtk_store_status rtk_store_meeting_get(rtk_store *store, const char *id, json_t **out)
{
	*out = NULL;
	if (!id)
		return RTK_STORE_NOT_FOUND;
	g_mutex_lock(&store->lock);
	rtk_store_status status = meeting_get_locked(store, id, out);
	g_mutex_unlock(&store->lock);
	return status;
}

rtk_store_status rtk_store_meeting_list(rtk_store *store, int offset, int limit,
	json_t **items, int *total)
{
	*items = NULL;
	*total = 0;
	clamp_page(&offset, &limit);
	g_mutex_lock(&store->lock);
	sqlite3_stmt *list = stmt(store, S_MEETING_LIST);
	sqlite3_bind_int(list, 1, limit);
	sqlite3_bind_int(list, 2, offset);
	rtk_store_status status = list_page(store, stmt(store, S_MEETING_COUNT), list,
		meeting_row, items, total);
	g_mutex_unlock(&store->lock);
	return status;
}

rtk_store_status rtk_store_meeting_update(rtk_store *store, const char *id,
	const json_t *fields, json_t **out)
{
	*out = NULL;
	if (!id)
		return RTK_STORE_NOT_FOUND;
	char *now = rtk_util_now_iso8601();
	if (!now)
		return RTK_STORE_FAILED;

	g_mutex_lock(&store->lock);
	json_t *m = NULL;
	rtk_store_status status = begin(store, 1);
	if (status == RTK_STORE_OK)
		status = meeting_get_locked(store, id, &m);
	if (status == RTK_STORE_OK) {
		meeting_apply(m, fields);
		json_object_set_new(m, "updated_at", json_string(now));
		sqlite3_stmt *st = stmt(store, S_MEETING_UPDATE);
		meeting_bind(st, m);
		status = status_of(store, sqlite3_step(st), "meeting update");
		done(st);
	}
	if (status == RTK_STORE_OK)
		status = meeting_get_locked(store, id, out);
	status = end(store, status);
	g_mutex_unlock(&store->lock);

	if (status != RTK_STORE_OK) {
		json_decref(*out);
		*out = NULL;
	}
	json_decref(m);
	free(now);
	return status;
}

/* ---- presets ---- */

static json_t *preset_row(sqlite3_stmt *st)
{
	json_t *config = col_doc(st, 2), *permissions = col_doc(st, 3), *ui = col_doc(st, 4);
	if (!config || !permissions || !ui) {
		g_warning("rtk store: preset %s has a corrupt JSON column", sqlite3_column_text(st, 0));
		json_decref(config);
		json_decref(permissions);
		json_decref(ui);
		return NULL;
	}
	json_t *p = json_object();
	json_object_set_new(p, "id", col_string(st, 0));
	json_object_set_new(p, "name", col_string(st, 1));
	json_object_set_new(p, "config", config);
	json_object_set_new(p, "permissions", permissions);
	json_object_set_new(p, "ui", ui);
	json_object_set_new(p, "created_at", col_string(st, 5));
	json_object_set_new(p, "updated_at", col_string(st, 6));
	return p;
}

static void preset_apply(json_t *p, const json_t *fields)
{
	take_string(p, fields, "name", 0);
	take_doc(p, fields, "config");
	take_doc(p, fields, "permissions");
	take_doc(p, fields, "ui");
}

/* Binds a preset object to S_PRESET_INSERT / S_PRESET_UPDATE (same slots). */
static void preset_bind(sqlite3_stmt *st, const json_t *p)
{
	bind_json_string(st, 1, json_object_get(p, "id"));
	bind_json_string(st, 2, json_object_get(p, "name"));
	bind_json_doc(st, 3, json_object_get(p, "config"));
	bind_json_doc(st, 4, json_object_get(p, "permissions"));
	bind_json_doc(st, 5, json_object_get(p, "ui"));
	bind_json_string(st, 6, json_object_get(p, "created_at"));
	bind_json_string(st, 7, json_object_get(p, "updated_at"));
}

static rtk_store_status preset_get_locked(rtk_store *s, enum stmt_id by, const char *key,
	json_t **out)
{
	sqlite3_stmt *st = stmt(s, by);
	bind_text(st, 1, key);
	return fetch_one(s, st, preset_row, out, "preset get");
}

rtk_store_status rtk_store_preset_create(rtk_store *store, const json_t *fields, json_t **out)
{
	*out = NULL;
	if (!json_is_string(json_object_get(fields, "name")))
		return RTK_STORE_FAILED;   /* the REST layer validates; never store a nameless preset */
	char *id = rtk_util_uuid4(), *now = rtk_util_now_iso8601();
	if (!id || !now) {
		free(id);
		free(now);
		return RTK_STORE_FAILED;
	}
	json_t *p = json_pack("{s:s, s:{}, s:{}, s:{}, s:s, s:s}",
		"id", id, "config", "permissions", "ui", "created_at", now, "updated_at", now);
	preset_apply(p, fields);

	g_mutex_lock(&store->lock);
	sqlite3_stmt *st = stmt(store, S_PRESET_INSERT);
	preset_bind(st, p);
	rtk_store_status status = status_of(store, sqlite3_step(st), "preset insert");
	done(st);
	if (status == RTK_STORE_OK)
		status = preset_get_locked(store, S_PRESET_GET, id, out);
	g_mutex_unlock(&store->lock);

	json_decref(p);
	free(id);
	free(now);
	return status;
}

rtk_store_status rtk_store_preset_get(rtk_store *store, const char *id, json_t **out)
{
	*out = NULL;
	if (!id)
		return RTK_STORE_NOT_FOUND;
	g_mutex_lock(&store->lock);
	rtk_store_status status = preset_get_locked(store, S_PRESET_GET, id, out);
	g_mutex_unlock(&store->lock);
	return status;
}

rtk_store_status rtk_store_preset_get_by_name(rtk_store *store, const char *name, json_t **out)
{
	*out = NULL;
	if (!name)
		return RTK_STORE_NOT_FOUND;
	g_mutex_lock(&store->lock);
	rtk_store_status status = preset_get_locked(store, S_PRESET_GET_BY_NAME, name, out);
	g_mutex_unlock(&store->lock);
	return status;
}

rtk_store_status rtk_store_preset_list(rtk_store *store, int offset, int limit,
	json_t **items, int *total)
{
	*items = NULL;
	*total = 0;
	clamp_page(&offset, &limit);
	g_mutex_lock(&store->lock);
	sqlite3_stmt *list = stmt(store, S_PRESET_LIST);
	sqlite3_bind_int(list, 1, limit);
	sqlite3_bind_int(list, 2, offset);
	rtk_store_status status = list_page(store, stmt(store, S_PRESET_COUNT), list,
		preset_row, items, total);
	g_mutex_unlock(&store->lock);
	return status;
}

rtk_store_status rtk_store_preset_update(rtk_store *store, const char *id,
	const json_t *fields, json_t **out)
{
	*out = NULL;
	if (!id)
		return RTK_STORE_NOT_FOUND;
	char *now = rtk_util_now_iso8601();
	if (!now)
		return RTK_STORE_FAILED;

	g_mutex_lock(&store->lock);
	json_t *p = NULL;
	rtk_store_status status = begin(store, 1);
	if (status == RTK_STORE_OK)
		status = preset_get_locked(store, S_PRESET_GET, id, &p);
	if (status == RTK_STORE_OK) {
		preset_apply(p, fields);
		json_object_set_new(p, "updated_at", json_string(now));
		sqlite3_stmt *st = stmt(store, S_PRESET_UPDATE);
		preset_bind(st, p);
		status = status_of(store, sqlite3_step(st), "preset update");
		done(st);
	}
	if (status == RTK_STORE_OK)
		status = preset_get_locked(store, S_PRESET_GET, id, out);
	status = end(store, status);
	g_mutex_unlock(&store->lock);

	if (status != RTK_STORE_OK) {
		json_decref(*out);
		*out = NULL;
	}
	json_decref(p);
	free(now);
	return status;
}

rtk_store_status rtk_store_preset_delete(rtk_store *store, const char *id)
{
	if (!id)
		return RTK_STORE_NOT_FOUND;
	g_mutex_lock(&store->lock);
	sqlite3_stmt *st = stmt(store, S_PRESET_DELETE);
	bind_text(st, 1, id);
	rtk_store_status status = status_of(store, sqlite3_step(st), "preset delete");
	if (status == RTK_STORE_OK && sqlite3_changes(store->db) == 0)
		status = RTK_STORE_NOT_FOUND;
	done(st);
	g_mutex_unlock(&store->lock);
	return status;
}

/* ---- participants ---- */

static json_t *participant_row(sqlite3_stmt *st)
{
	json_t *p = json_object();
	json_object_set_new(p, "id", col_string(st, 0));
	json_object_set_new(p, "meeting_id", col_string(st, 1));
	json_object_set_new(p, "name", col_string(st, 2));
	json_object_set_new(p, "picture", col_string(st, 3));
	json_object_set_new(p, "preset_name", col_string(st, 4));
	json_object_set_new(p, "preset_id", col_string(st, 5));
	json_object_set_new(p, "custom_participant_id", col_string(st, 6));
	json_object_set_new(p, "created_at", col_string(st, 7));
	json_object_set_new(p, "updated_at", col_string(st, 8));
	return p;
}

static rtk_store_status participant_get_locked(rtk_store *s, const char *meeting_id,
	const char *id, json_t **out)
{
	sqlite3_stmt *st = stmt(s, S_PARTICIPANT_GET);
	bind_text(st, 1, id);
	bind_text(st, 2, meeting_id);
	return fetch_one(s, st, participant_row, out, "participant get");
}

static rtk_store_status meeting_exists_locked(rtk_store *s, const char *meeting_id)
{
	json_t *m = NULL;
	rtk_store_status status = meeting_get_locked(s, meeting_id, &m);
	json_decref(m);
	return status;
}

/* Resolves fields.preset_name to a preset id (malloc'd). */
static rtk_store_status preset_id_locked(rtk_store *s, const json_t *fields, char **preset_id)
{
	*preset_id = NULL;
	const char *name = json_string_value(json_object_get(fields, "preset_name"));
	if (!name)
		return RTK_STORE_NOT_FOUND;
	json_t *preset = NULL;
	rtk_store_status status = preset_get_locked(s, S_PRESET_GET_BY_NAME, name, &preset);
	if (status == RTK_STORE_OK) {
		*preset_id = strdup(json_string_value(json_object_get(preset, "id")));
		if (!*preset_id)
			status = RTK_STORE_FAILED;
	}
	json_decref(preset);
	return status;
}

static void participant_apply(json_t *p, const json_t *fields)
{
	take_string(p, fields, "name", 1);
	take_string(p, fields, "picture", 1);
	take_string(p, fields, "custom_participant_id", 1);
}

rtk_store_status rtk_store_participant_create(rtk_store *store, const char *meeting_id,
	const json_t *fields, json_t **out, const char **missing)
{
	*out = NULL;
	if (missing)
		*missing = NULL;
	char *id = rtk_util_uuid4(), *now = rtk_util_now_iso8601(), *preset_id = NULL;
	if (!id || !now) {
		free(id);
		free(now);
		return RTK_STORE_FAILED;
	}
	json_t *p = json_pack("{s:n, s:n, s:n}", "name", "picture", "custom_participant_id");
	participant_apply(p, fields);

	g_mutex_lock(&store->lock);
	const char *what = NULL;
	rtk_store_status status = begin(store, 1);
	if (status == RTK_STORE_OK) {
		status = meeting_id ? meeting_exists_locked(store, meeting_id) : RTK_STORE_NOT_FOUND;
		what = "meeting";
	}
	if (status == RTK_STORE_OK) {
		status = preset_id_locked(store, fields, &preset_id);
		what = "preset";
	}
	if (status == RTK_STORE_OK) {
		sqlite3_stmt *st = stmt(store, S_PARTICIPANT_INSERT);
		bind_text(st, 1, id);
		bind_text(st, 2, meeting_id);
		bind_json_string(st, 3, json_object_get(p, "name"));
		bind_json_string(st, 4, json_object_get(p, "picture"));
		bind_text(st, 5, preset_id);
		bind_json_string(st, 6, json_object_get(p, "custom_participant_id"));
		bind_text(st, 7, now);
		bind_text(st, 8, now);
		status = status_of(store, sqlite3_step(st), "participant insert");
		done(st);
	}
	if (status == RTK_STORE_OK)
		status = participant_get_locked(store, meeting_id, id, out);
	status = end(store, status);
	g_mutex_unlock(&store->lock);

	if (status != RTK_STORE_OK) {
		json_decref(*out);
		*out = NULL;
	}
	if (status == RTK_STORE_NOT_FOUND && missing)
		*missing = what;
	json_decref(p);
	free(preset_id);
	free(id);
	free(now);
	return status;
}

rtk_store_status rtk_store_participant_get(rtk_store *store, const char *meeting_id,
	const char *id, json_t **out)
{
	*out = NULL;
	if (!id)
		return RTK_STORE_NOT_FOUND;
	g_mutex_lock(&store->lock);
	rtk_store_status status = participant_get_locked(store, meeting_id, id, out);
	g_mutex_unlock(&store->lock);
	return status;
}

rtk_store_status rtk_store_participant_list(rtk_store *store, const char *meeting_id,
	int offset, int limit, json_t **items, int *total)
{
	*items = NULL;
	*total = 0;
	if (!meeting_id)
		return RTK_STORE_NOT_FOUND;
	clamp_page(&offset, &limit);
	g_mutex_lock(&store->lock);
	rtk_store_status status = meeting_exists_locked(store, meeting_id);
	if (status == RTK_STORE_OK) {
		sqlite3_stmt *count = stmt(store, S_PARTICIPANT_COUNT);
		sqlite3_stmt *list = stmt(store, S_PARTICIPANT_LIST);
		bind_text(count, 1, meeting_id);
		bind_text(list, 1, meeting_id);
		sqlite3_bind_int(list, 2, limit);
		sqlite3_bind_int(list, 3, offset);
		status = list_page(store, count, list, participant_row, items, total);
	}
	g_mutex_unlock(&store->lock);
	return status;
}

rtk_store_status rtk_store_participant_update(rtk_store *store, const char *meeting_id,
	const char *id, const json_t *fields, json_t **out, const char **missing)
{
	*out = NULL;
	if (missing)
		*missing = NULL;
	if (!id) {
		if (missing)
			*missing = "participant";
		return RTK_STORE_NOT_FOUND;
	}
	char *now = rtk_util_now_iso8601(), *preset_id = NULL;
	if (!now)
		return RTK_STORE_FAILED;

	g_mutex_lock(&store->lock);
	json_t *p = NULL;
	const char *what = "participant";
	rtk_store_status status = begin(store, 1);
	if (status == RTK_STORE_OK)
		status = participant_get_locked(store, meeting_id, id, &p);
	if (status == RTK_STORE_OK && json_object_get(fields, "preset_name")) {
		status = preset_id_locked(store, fields, &preset_id);
		what = "preset";
	}
	if (status == RTK_STORE_OK) {
		participant_apply(p, fields);
		sqlite3_stmt *st = stmt(store, S_PARTICIPANT_UPDATE);
		bind_text(st, 1, id);
		bind_json_string(st, 2, json_object_get(p, "name"));
		bind_json_string(st, 3, json_object_get(p, "picture"));
		bind_text(st, 4, preset_id ? preset_id : json_string_value(json_object_get(p, "preset_id")));
		bind_json_string(st, 5, json_object_get(p, "custom_participant_id"));
		bind_text(st, 6, now);
		status = status_of(store, sqlite3_step(st), "participant update");
		done(st);
	}
	if (status == RTK_STORE_OK)
		status = participant_get_locked(store, meeting_id, id, out);
	status = end(store, status);
	g_mutex_unlock(&store->lock);

	if (status != RTK_STORE_OK) {
		json_decref(*out);
		*out = NULL;
	}
	if (status == RTK_STORE_NOT_FOUND && missing)
		*missing = what;
	json_decref(p);
	free(preset_id);
	free(now);
	return status;
}

rtk_store_status rtk_store_participant_delete(rtk_store *store, const char *meeting_id,
	const char *id)
{
	if (!id)
		return RTK_STORE_NOT_FOUND;
	g_mutex_lock(&store->lock);
	sqlite3_stmt *st = stmt(store, S_PARTICIPANT_DELETE);
	bind_text(st, 1, id);
	bind_text(st, 2, meeting_id);
	rtk_store_status status = status_of(store, sqlite3_step(st), "participant delete");
	if (status == RTK_STORE_OK && sqlite3_changes(store->db) == 0)
		status = RTK_STORE_NOT_FOUND;
	done(st);
	g_mutex_unlock(&store->lock);
	return status;
}

/* ---- token generations ---- */

/* Runs the generation statement `id` for `participant_id`; a statement that
 * finds no row leaves *generation 0. */
static rtk_store_status token_generation(rtk_store *store, enum stmt_id id, const char *participant_id,
	long long *generation)
{
	*generation = 0;
	if (!participant_id)
		return RTK_STORE_NOT_FOUND;
	g_mutex_lock(&store->lock);
	sqlite3_stmt *st = stmt(store, id);
	bind_text(st, 1, participant_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*generation = sqlite3_column_int64(st, 0);
		if (id == S_TOKEN_GENERATION_BUMP)
			rc = sqlite3_step(st);   /* RETURNING: the write completes at SQLITE_DONE */
	}
	rtk_store_status status = status_of(store, rc, "token generation");
	done(st);
	g_mutex_unlock(&store->lock);
	return status;
}

rtk_store_status rtk_store_token_generation_get(rtk_store *store, const char *participant_id,
	long long *generation)
{
	return token_generation(store, S_TOKEN_GENERATION_GET, participant_id, generation);
}

rtk_store_status rtk_store_token_generation_bump(rtk_store *store, const char *participant_id,
	long long *generation)
{
	rtk_store_status status = token_generation(store, S_TOKEN_GENERATION_BUMP, participant_id, generation);
	return status == RTK_STORE_OK && *generation == 0 ? RTK_STORE_FAILED : status;
}

/* ---- document tables: recordings, livestreams ---- */

/* What differs between the document tables. */
typedef struct doc_kind {
	const char *what;                    /* for logs: "recording" */
	enum stmt_id first;                  /* its *_INSERT; the rest follow in DOC_* order */
	const char *const *create_stamps;    /* keys set to now at create when absent (NULL-ended) */
	const char *update_stamp;            /* key set to now at every update, or NULL */
} doc_kind;

static const char *const recording_stamps[] = { "created_at", "invoked_time", NULL };
static const char *const livestream_stamps[] = { "created_at", "updated_at", NULL };

static const doc_kind recording_kind = { "recording", S_RECORDING_INSERT, recording_stamps, NULL };
static const doc_kind livestream_kind = { "livestream", S_LIVESTREAM_INSERT, livestream_stamps,
	"updated_at" };

static sqlite3_stmt *doc_stmt(rtk_store *s, const doc_kind *k, enum doc_stmt which)
{
	return stmt(s, (enum stmt_id)(k->first + which));
}

/* The doc column as an object; NULL (logged) when the row is corrupt. */
static json_t *doc_row(sqlite3_stmt *st)
{
	json_t *doc = col_doc(st, 0);
	if (!json_is_object(doc)) {
		g_warning("rtk store: a recording or livestream row has a corrupt document");
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/* The keys the table keeps in columns must be strings. */
static int doc_valid(const json_t *doc)
{
	return json_is_string(json_object_get(doc, "id")) &&
		json_is_string(json_object_get(doc, "meeting_id")) &&
		json_is_string(json_object_get(doc, "status")) &&
		json_is_string(json_object_get(doc, "created_at"));
}

/* Binds a document to its INSERT / UPDATE (same slots). */
static void doc_bind(sqlite3_stmt *st, const json_t *doc)
{
	bind_json_string(st, 1, json_object_get(doc, "id"));
	bind_json_string(st, 2, json_object_get(doc, "meeting_id"));
	bind_json_string(st, 3, json_object_get(doc, "status"));
	bind_json_string(st, 4, json_object_get(doc, "created_at"));
	bind_json_doc(st, 5, doc);
}

static rtk_store_status doc_get_locked(rtk_store *s, const doc_kind *k, const char *id,
	json_t **out)
{
	sqlite3_stmt *st = doc_stmt(s, k, DOC_GET);
	bind_text(st, 1, id);
	return fetch_one(s, st, doc_row, out, k->what);
}

/* Writes `doc` (already merged and valid) over the row with its id. */
static rtk_store_status doc_write_locked(rtk_store *s, const doc_kind *k, const json_t *doc)
{
	sqlite3_stmt *st = doc_stmt(s, k, DOC_UPDATE);
	doc_bind(st, doc);
	rtk_store_status status = status_of(s, sqlite3_step(st), k->what);
	done(st);
	return status;
}

static rtk_store_status doc_create(rtk_store *s, const doc_kind *k, const json_t *fields,
	json_t **out)
{
	*out = NULL;
	if (!json_is_object(fields))
		return RTK_STORE_FAILED;
	char *now = rtk_util_now_iso8601();
	json_t *doc = json_deep_copy(fields);
	if (!now || !doc) {
		free(now);
		json_decref(doc);
		return RTK_STORE_FAILED;
	}
	for (const char *const *key = k->create_stamps; *key; key++)
		if (!json_object_get(doc, *key))
			json_object_set_new(doc, *key, json_string(now));
	free(now);
	if (!doc_valid(doc)) {
		json_decref(doc);
		return RTK_STORE_FAILED;   /* the caller's bug: id, meeting_id, status are required */
	}

	g_mutex_lock(&s->lock);
	sqlite3_stmt *st = doc_stmt(s, k, DOC_INSERT);
	doc_bind(st, doc);
	rtk_store_status status = status_of(s, sqlite3_step(st), k->what);
	done(st);
	if (status == RTK_STORE_OK)
		status = doc_get_locked(s, k, json_string_value(json_object_get(doc, "id")), out);
	g_mutex_unlock(&s->lock);
	json_decref(doc);
	return status;
}

/* Merges `fields` into `doc`, keeping its id and created_at. */
static void doc_merge(const doc_kind *k, json_t *doc, const json_t *fields, const char *now)
{
	json_t *id = json_incref(json_object_get(doc, "id"));
	json_t *created = json_incref(json_object_get(doc, "created_at"));
	json_object_update(doc, (json_t *)fields);   /* jansson takes no const here; fields is not changed */
	json_object_set_new(doc, "id", id);
	json_object_set_new(doc, "created_at", created);
	if (k->update_stamp)
		json_object_set_new(doc, k->update_stamp, json_string(now));
}

static rtk_store_status doc_update(rtk_store *s, const doc_kind *k, const char *id,
	const json_t *fields, json_t **out)
{
	*out = NULL;
	if (!id)
		return RTK_STORE_NOT_FOUND;
	if (fields && !json_is_object(fields))
		return RTK_STORE_FAILED;
	char *now = rtk_util_now_iso8601();
	if (!now)
		return RTK_STORE_FAILED;

	g_mutex_lock(&s->lock);
	json_t *doc = NULL;
	rtk_store_status status = begin(s, 1);
	if (status == RTK_STORE_OK)
		status = doc_get_locked(s, k, id, &doc);
	if (status == RTK_STORE_OK) {
		if (fields)
			doc_merge(k, doc, fields, now);
		status = doc_valid(doc) ? doc_write_locked(s, k, doc) : RTK_STORE_FAILED;
	}
	if (status == RTK_STORE_OK)
		status = doc_get_locked(s, k, id, out);
	status = end(s, status);
	g_mutex_unlock(&s->lock);

	if (status != RTK_STORE_OK) {
		json_decref(*out);
		*out = NULL;
	}
	json_decref(doc);
	free(now);
	return status;
}

static rtk_store_status doc_get(rtk_store *s, const doc_kind *k, const char *id, json_t **out)
{
	*out = NULL;
	if (!id)
		return RTK_STORE_NOT_FOUND;
	g_mutex_lock(&s->lock);
	rtk_store_status status = doc_get_locked(s, k, id, out);
	g_mutex_unlock(&s->lock);
	return status;
}

static rtk_store_status doc_list(rtk_store *s, const doc_kind *k, const char *meeting_id,
	const char *state, int offset, int limit, json_t **items, int *total)
{
	*items = NULL;
	*total = 0;
	clamp_page(&offset, &limit);
	g_mutex_lock(&s->lock);
	sqlite3_stmt *count = doc_stmt(s, k, DOC_COUNT), *list = doc_stmt(s, k, DOC_LIST);
	bind_text(count, 1, meeting_id);
	bind_text(count, 2, state);
	bind_text(list, 1, meeting_id);
	bind_text(list, 2, state);
	sqlite3_bind_int(list, 3, limit);
	sqlite3_bind_int(list, 4, offset);
	rtk_store_status status = list_page(s, count, list, doc_row, items, total);
	g_mutex_unlock(&s->lock);
	return status;
}

/* Every unfinished row becomes ERRORED with stop_reason SERVER_RESTART, in
 * one write transaction. */
static rtk_store_status doc_fail_unfinished(rtk_store *s, const doc_kind *k, int *count)
{
	if (count)
		*count = 0;
	char *now = rtk_util_now_iso8601();
	json_t *change = json_pack("{s:s, s:{s:s}}", "status", "ERRORED",
		"stop_reason", "reason", "SERVER_RESTART");
	if (!now || !change) {
		free(now);
		json_decref(change);
		return RTK_STORE_FAILED;
	}

	g_mutex_lock(&s->lock);
	json_t *docs = NULL;
	rtk_store_status status = begin(s, 1);
	if (status == RTK_STORE_OK)
		status = fetch_all(s, doc_stmt(s, k, DOC_UNFINISHED), doc_row, &docs, k->what);
	size_t i;
	json_t *doc;
	json_array_foreach(docs, i, doc) {
		if (status != RTK_STORE_OK)
			break;
		doc_merge(k, doc, change, now);
		status = doc_write_locked(s, k, doc);
	}
	status = end(s, status);
	g_mutex_unlock(&s->lock);

	if (status == RTK_STORE_OK && count)
		*count = (int)json_array_size(docs);
	json_decref(docs);
	json_decref(change);
	free(now);
	return status;
}

rtk_store_status rtk_store_recording_create(rtk_store *store, const json_t *fields, json_t **out)
{
	return doc_create(store, &recording_kind, fields, out);
}

rtk_store_status rtk_store_recording_update(rtk_store *store, const char *id,
	const json_t *fields, json_t **out)
{
	return doc_update(store, &recording_kind, id, fields, out);
}

rtk_store_status rtk_store_recording_get(rtk_store *store, const char *id, json_t **out)
{
	return doc_get(store, &recording_kind, id, out);
}

rtk_store_status rtk_store_recording_list(rtk_store *store, const char *meeting_id,
	const char *status, int offset, int limit, json_t **items, int *total)
{
	return doc_list(store, &recording_kind, meeting_id, status, offset, limit, items, total);
}

rtk_store_status rtk_store_recording_fail_unfinished(rtk_store *store, int *count)
{
	return doc_fail_unfinished(store, &recording_kind, count);
}

rtk_store_status rtk_store_livestream_create(rtk_store *store, const json_t *fields, json_t **out)
{
	return doc_create(store, &livestream_kind, fields, out);
}

rtk_store_status rtk_store_livestream_update(rtk_store *store, const char *id,
	const json_t *fields, json_t **out)
{
	return doc_update(store, &livestream_kind, id, fields, out);
}

rtk_store_status rtk_store_livestream_get(rtk_store *store, const char *id, json_t **out)
{
	return doc_get(store, &livestream_kind, id, out);
}

rtk_store_status rtk_store_livestream_list(rtk_store *store, const char *meeting_id,
	const char *status, int offset, int limit, json_t **items, int *total)
{
	return doc_list(store, &livestream_kind, meeting_id, status, offset, limit, items, total);
}

rtk_store_status rtk_store_livestream_fail_unfinished(rtk_store *store, int *count)
{
	return doc_fail_unfinished(store, &livestream_kind, count);
}

/* ---- webhooks ---- */

#define WEBHOOK_SECRET_BYTES 32

static json_t *webhook_row(sqlite3_stmt *st)
{
	json_t *events = col_doc(st, 3);
	if (!json_is_array(events)) {
		g_warning("rtk store: webhook %s has a corrupt events column", sqlite3_column_text(st, 0));
		json_decref(events);
		return NULL;
	}
	json_t *w = json_object();
	json_object_set_new(w, "id", col_string(st, 0));
	json_object_set_new(w, "name", col_string(st, 1));
	json_object_set_new(w, "url", col_string(st, 2));
	json_object_set_new(w, "events", events);
	json_object_set_new(w, "enabled", col_bool(st, 4));
	json_object_set_new(w, "secret", col_string(st, 5));
	json_object_set_new(w, "created_at", col_string(st, 6));
	json_object_set_new(w, "updated_at", col_string(st, 7));
	return w;
}

static void webhook_apply(json_t *w, const json_t *fields)
{
	take_string(w, fields, "name", 1);
	take_string(w, fields, "url", 0);
	take_bool(w, fields, "enabled");
	take_string(w, fields, "secret", 0);
	json_t *events = json_object_get(fields, "events");
	if (json_is_array(events))
		json_object_set(w, "events", events);
}

/* Binds a webhook object to S_WEBHOOK_INSERT / S_WEBHOOK_UPDATE (same slots). */
static void webhook_bind(sqlite3_stmt *st, const json_t *w)
{
	bind_json_string(st, 1, json_object_get(w, "id"));
	bind_json_string(st, 2, json_object_get(w, "name"));
	bind_json_string(st, 3, json_object_get(w, "url"));
	bind_json_doc(st, 4, json_object_get(w, "events"));
	sqlite3_bind_int(st, 5, json_is_true(json_object_get(w, "enabled")));
	bind_json_string(st, 6, json_object_get(w, "secret"));
	bind_json_string(st, 7, json_object_get(w, "created_at"));
	bind_json_string(st, 8, json_object_get(w, "updated_at"));
}

static rtk_store_status webhook_get_locked(rtk_store *s, const char *id, json_t **out)
{
	sqlite3_stmt *st = stmt(s, S_WEBHOOK_GET);
	bind_text(st, 1, id);
	return fetch_one(s, st, webhook_row, out, "webhook get");
}

rtk_store_status rtk_store_webhook_create(rtk_store *store, const json_t *fields, json_t **out)
{
	*out = NULL;
	if (!json_is_string(json_object_get(fields, "url")) ||
			!json_is_array(json_object_get(fields, "events")))
		return RTK_STORE_FAILED;   /* the REST layer validates; never store a webhook without them */
	char *id = rtk_util_uuid4(), *now = rtk_util_now_iso8601();
	char *secret = rtk_util_random_hex(WEBHOOK_SECRET_BYTES);
	if (!id || !now || !secret) {
		free(id);
		free(now);
		free(secret);
		return RTK_STORE_FAILED;
	}
	json_t *w = json_pack("{s:s, s:n, s:b, s:s, s:s, s:s}", "id", id, "name", "enabled", 1,
		"secret", secret, "created_at", now, "updated_at", now);
	webhook_apply(w, fields);

	g_mutex_lock(&store->lock);
	sqlite3_stmt *st = stmt(store, S_WEBHOOK_INSERT);
	webhook_bind(st, w);
	rtk_store_status status = status_of(store, sqlite3_step(st), "webhook insert");
	done(st);
	if (status == RTK_STORE_OK)
		status = webhook_get_locked(store, id, out);
	g_mutex_unlock(&store->lock);

	json_decref(w);
	memset(secret, 0, strlen(secret));
	free(secret);
	free(id);
	free(now);
	return status;
}

rtk_store_status rtk_store_webhook_get(rtk_store *store, const char *id, json_t **out)
{
	*out = NULL;
	if (!id)
		return RTK_STORE_NOT_FOUND;
	g_mutex_lock(&store->lock);
	rtk_store_status status = webhook_get_locked(store, id, out);
	g_mutex_unlock(&store->lock);
	return status;
}

rtk_store_status rtk_store_webhook_list(rtk_store *store, int offset, int limit,
	json_t **items, int *total)
{
	*items = NULL;
	*total = 0;
	clamp_page(&offset, &limit);
	g_mutex_lock(&store->lock);
	sqlite3_stmt *list = stmt(store, S_WEBHOOK_LIST);
	sqlite3_bind_int(list, 1, limit);
	sqlite3_bind_int(list, 2, offset);
	rtk_store_status status = list_page(store, stmt(store, S_WEBHOOK_COUNT), list,
		webhook_row, items, total);
	g_mutex_unlock(&store->lock);
	return status;
}

rtk_store_status rtk_store_webhook_update(rtk_store *store, const char *id,
	const json_t *fields, json_t **out)
{
	*out = NULL;
	if (!id)
		return RTK_STORE_NOT_FOUND;
	char *now = rtk_util_now_iso8601();
	if (!now)
		return RTK_STORE_FAILED;

	g_mutex_lock(&store->lock);
	json_t *w = NULL;
	rtk_store_status status = begin(store, 1);
	if (status == RTK_STORE_OK)
		status = webhook_get_locked(store, id, &w);
	if (status == RTK_STORE_OK) {
		webhook_apply(w, fields);
		json_object_set_new(w, "updated_at", json_string(now));
		sqlite3_stmt *st = stmt(store, S_WEBHOOK_UPDATE);
		webhook_bind(st, w);
		status = status_of(store, sqlite3_step(st), "webhook update");
		done(st);
	}
	if (status == RTK_STORE_OK)
		status = webhook_get_locked(store, id, out);
	status = end(store, status);
	g_mutex_unlock(&store->lock);

	if (status != RTK_STORE_OK) {
		json_decref(*out);
		*out = NULL;
	}
	json_decref(w);
	free(now);
	return status;
}

rtk_store_status rtk_store_webhook_delete(rtk_store *store, const char *id)
{
	if (!id)
		return RTK_STORE_NOT_FOUND;
	g_mutex_lock(&store->lock);
	sqlite3_stmt *st = stmt(store, S_WEBHOOK_DELETE);
	bind_text(st, 1, id);
	rtk_store_status status = status_of(store, sqlite3_step(st), "webhook delete");
	if (status == RTK_STORE_OK && sqlite3_changes(store->db) == 0)
		status = RTK_STORE_NOT_FOUND;
	done(st);
	g_mutex_unlock(&store->lock);
	return status;
}

static int webhook_wants(const json_t *w, const char *event)
{
	size_t i;
	json_t *name;
	json_array_foreach(json_object_get(w, "events"), i, name)
		if (json_is_string(name) && strcmp(json_string_value(name), event) == 0)
			return 1;
	return 0;
}

rtk_store_status rtk_store_webhook_list_for_event(rtk_store *store, const char *event,
	json_t **items)
{
	*items = NULL;
	if (!event)
		return RTK_STORE_FAILED;
	/* A deployment has a handful of webhooks: filter the enabled ones here
	 * rather than rely on SQLite's JSON functions. */
	json_t *enabled = NULL;
	g_mutex_lock(&store->lock);
	rtk_store_status status = fetch_all(store, stmt(store, S_WEBHOOK_ENABLED), webhook_row,
		&enabled, "webhook list");
	g_mutex_unlock(&store->lock);
	if (status != RTK_STORE_OK)
		return status;
	json_t *wanted = json_array();
	size_t i;
	json_t *w;
	json_array_foreach(enabled, i, w)
		if (webhook_wants(w, event))
			json_array_append(wanted, w);
	json_decref(enabled);
	*items = wanted;
	return RTK_STORE_OK;
}
