/*
 * store.c - the SQLite store behind store.h: meetings, presets,
 * participants, recordings, livestreams, webhooks and deployment metadata.
 *
 * Connections. The file is in WAL mode, where one writer and any number of
 * readers proceed at once, and the store is shaped to match:
 *   - one writer connection, used under `write_lock` by one write at a time,
 *     each inside a savepoint of the transaction its batch shares;
 *   - a pool of up to RTK_STORE_READERS reader connections (query_only),
 *     opened on demand and handed to one reader at a time, so a read never
 *     waits behind a write, and readers do not wait for each other.
 * Every connection prepares every statement once (see `sql[]`) and resets
 * it after each use. Other connections (another process) may read and
 * write the same file.
 *
 * Batches. Every write is atomic: a savepoint, released when it succeeds
 * and rolled back to when it fails. The writes share transactions, their
 * batches: the first write BEGINs one, every write that follows joins it,
 * and it is COMMITted by its lead as soon as it holds a write and the
 * previous batch is synced. So there is one BEGIN IMMEDIATE, one COMMIT,
 * one WAL append of the pages touched and one sync per batch, however many
 * writes it holds: a burst of N writes costs that once, not N times
 * (write_end()). A batch sees the writes made before it in it, as
 * consecutive transactions would; if its COMMIT fails, every write of the
 * batch fails.
 *
 * Durability. The COMMIT runs at synchronous=NORMAL, which appends the
 * batch to the WAL without syncing, and the lead then syncs the WAL
 * (fdatasync()) with no lock held: the next batch's writes go on
 * meanwhile. A write returns only once that sync is done, so an
 * acknowledged write survives a process crash and a power loss, as at
 * synchronous=FULL. The price is that a reader may see a write a fraction
 * of a millisecond before its writer is told it is durable; should the
 * machine lose power in that window, that write is lost, but it was never
 * acknowledged, and neither was any write after it (the WAL is in commit
 * order: a sync covering a later write covers it). A failed sync stops all
 * writing (batch_commit()).
 *
 * Checkpoints. SQLite's automatic checkpoint would run inside the COMMIT
 * that takes the WAL past 1000 pages: copying those pages into the file
 * and syncing it took 5 to 20 ms, under write_lock, so every write queued
 * behind it, and that was most of POST's p99. It is replaced
 * (checkpoint_after_commit()): past RTK_STORE_CHECKPOINT_PAGES a thread of
 * its own, on a connection of its own, copies the WAL into the file and
 * syncs it while the writes go on (a PASSIVE checkpoint); the WAL can only
 * start over from its beginning once a checkpoint has copied all of it
 * before a write transaction begins, which a checkpoint beside a steady
 * stream of commits never does (a checkpoint thread alone was tried: the
 * WAL grew by tens of MB in seconds, slowing every read). So once that
 * thread is within RTK_STORE_CHECKPOINT_CATCH_UP pages of the WAL's end,
 * the next lead copies the rest itself right after its COMMIT, before it
 * releases write_lock, and waits up to RTK_STORE_CHECKPOINT_WAIT_MS for the
 * readers still in the WAL (a RESTART checkpoint): a stall of a
 * millisecond or two, and the next batch starts the WAL over.
 * Either way, at synchronous=NORMAL a checkpoint syncs the WAL before
 * copying it and the file before the WAL is reused, so a synced write
 * stays on disk.
 *
 * Counts. `paging.total_count` must not cost a scan of the table: the row
 * counts of the tables that grow without bound (meetings, and recordings
 * and livestreams in total and per status) are kept in `row_counts` by
 * triggers, in the same transaction as the change, whoever makes it (this
 * process, another one, the sqlite3 shell). Filters the counters do not
 * cover (a meeting's participants, recordings or livestreams) count
 * through an index over that meeting's rows only; presets and webhooks are
 * a handful of rows and are counted directly.
 *
 * The schema lives in `migrations[]` only: each entry moves PRAGMA
 * user_version up by one, in its own transaction.
 *
 * Resources leave as Jansson objects in their REST shape; every function
 * that returns one builds it from the row it just read, so what a caller
 * sees is exactly what is stored. Recordings and livestreams are "document
 * tables": the whole object is one JSON column, with the few keys the store
 * filters on (meeting_id, status) copied into columns of their own, and one
 * set of functions (doc_*) serves both.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <sqlite3.h>

#include "util.h"

/* Reader connections kept open at most. Readers beyond this wait for one
 * to come back (the REST server has a handful of threads). */
#define RTK_STORE_READERS 8
/* Checkpoints (see the top of this file), in WAL pages: the background
 * checkpoint starts past CHECKPOINT_PAGES; a lead finishes it when it is
 * within CHECKPOINT_CATCH_UP of the WAL's end, or whatever it copied once
 * the WAL passes CHECKPOINT_MAX_PAGES (the background cannot keep up). */
#define RTK_STORE_CHECKPOINT_PAGES 1000
#define RTK_STORE_CHECKPOINT_CATCH_UP 256
#define RTK_STORE_CHECKPOINT_MAX_PAGES 16000
/* How long a lead's checkpoint waits for readers still in the WAL. */
#define RTK_STORE_CHECKPOINT_WAIT_MS 2
/* How long a statement waits for another process's lock. */
#define RTK_STORE_BUSY_MS 5000

/* ---- schema ---- */

/* The counters of one document table: its total and one per status. */
#define DOC_COUNTERS(table) \
	"INSERT INTO row_counts(name, n) SELECT '" table "', count(*) FROM " table ";" \
	"INSERT INTO row_counts(name, n) SELECT '" table ":' || status, count(*) FROM " table \
	"  GROUP BY status;" \
	"CREATE TRIGGER IF NOT EXISTS " table "_counted_insert AFTER INSERT ON " table " BEGIN" \
	"  UPDATE row_counts SET n = n + 1 WHERE name = '" table "';" \
	"  INSERT INTO row_counts(name, n) VALUES ('" table ":' || NEW.status, 1)" \
	"    ON CONFLICT(name) DO UPDATE SET n = n + 1;" \
	"END;" \
	"CREATE TRIGGER IF NOT EXISTS " table "_counted_delete AFTER DELETE ON " table " BEGIN" \
	"  UPDATE row_counts SET n = n - 1 WHERE name IN ('" table "', '" table ":' || OLD.status);" \
	"END;" \
	"CREATE TRIGGER IF NOT EXISTS " table "_counted_status AFTER UPDATE OF status ON " table \
	"  WHEN OLD.status IS NOT NEW.status BEGIN" \
	"  UPDATE row_counts SET n = n - 1 WHERE name = '" table ":' || OLD.status;" \
	"  INSERT INTO row_counts(name, n) VALUES ('" table ":' || NEW.status, 1)" \
	"    ON CONFLICT(name) DO UPDATE SET n = n + 1;" \
	"END;"

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
	 * stop admitting it. No row: generation 0. Written to be re-run. */
	"CREATE TABLE IF NOT EXISTS participant_tokens ("
	"  participant_id TEXT PRIMARY KEY REFERENCES participants(id) ON DELETE CASCADE,"
	"  generation INTEGER NOT NULL);",

	/* 4: row counts kept by triggers (see the header comment), computed
	 * once here from the rows already stored. Written to be re-run: the
	 * counts are recomputed and existing triggers kept. */
	"CREATE TABLE IF NOT EXISTS row_counts ("
	"  name TEXT PRIMARY KEY,"
	"  n INTEGER NOT NULL) WITHOUT ROWID;"
	"DELETE FROM row_counts;"
	"INSERT INTO row_counts(name, n) SELECT 'meetings', count(*) FROM meetings;"
	"CREATE TRIGGER IF NOT EXISTS meetings_counted_insert AFTER INSERT ON meetings BEGIN"
	"  UPDATE row_counts SET n = n + 1 WHERE name = 'meetings';"
	"END;"
	"CREATE TRIGGER IF NOT EXISTS meetings_counted_delete AFTER DELETE ON meetings BEGIN"
	"  UPDATE row_counts SET n = n - 1 WHERE name = 'meetings';"
	"END;"
	DOC_COUNTERS("recordings")
	DOC_COUNTERS("livestreams"),
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
	S_SAVEPOINT, S_RELEASE, S_ROLLBACK_TO,
	S_META_GET, S_META_SET,
	S_MEETING_INSERT, S_MEETING_GET, S_MEETING_LIST, S_MEETING_COUNT, S_MEETING_UPDATE,
	S_PRESET_INSERT, S_PRESET_GET, S_PRESET_GET_BY_NAME, S_PRESET_LIST, S_PRESET_COUNT,
	S_PRESET_UPDATE, S_PRESET_DELETE,
	S_PARTICIPANT_INSERT, S_PARTICIPANT_GET, S_PARTICIPANT_LIST, S_PARTICIPANT_COUNT,
	S_PARTICIPANT_UPDATE, S_PARTICIPANT_DELETE,
	S_TOKEN_GENERATION_GET, S_TOKEN_GENERATION_BUMP,
	/* Document tables: the same statements each, in DOC_* order. */
	S_RECORDING_INSERT, S_RECORDING_GET, S_RECORDING_LIST, S_RECORDING_LIST_MEETING,
	S_RECORDING_LIST_STATUS, S_RECORDING_COUNT, S_RECORDING_COUNT_MEETING,
	S_RECORDING_UPDATE, S_RECORDING_UNFINISHED,
	S_LIVESTREAM_INSERT, S_LIVESTREAM_GET, S_LIVESTREAM_LIST, S_LIVESTREAM_LIST_MEETING,
	S_LIVESTREAM_LIST_STATUS, S_LIVESTREAM_COUNT, S_LIVESTREAM_COUNT_MEETING,
	S_LIVESTREAM_UPDATE, S_LIVESTREAM_UNFINISHED,
	S_WEBHOOK_INSERT, S_WEBHOOK_GET, S_WEBHOOK_LIST, S_WEBHOOK_COUNT, S_WEBHOOK_UPDATE,
	S_WEBHOOK_DELETE, S_WEBHOOK_ENABLED,
	S_COUNT
};

/* Offsets of a document table's statements from its *_INSERT. */
enum doc_stmt {
	DOC_INSERT, DOC_GET, DOC_LIST, DOC_LIST_MEETING, DOC_LIST_STATUS, DOC_COUNT,
	DOC_COUNT_MEETING, DOC_UPDATE, DOC_UNFINISHED
};

/* ?1 id, ?2 meeting_id, ?3 status, ?4 created_at, ?5 doc in INSERT and
 * UPDATE. Lists and counts take ?1 meeting_id, ?2 status (NULL: any), ?3
 * limit, ?4 offset (SQLite numbers parameters up to the highest used, so a
 * statement may ignore the lower ones). Each filter has its own statement
 * so that SQLite picks the index that serves it (an "?1 IS NULL OR
 * meeting_id = ?1" term uses none). Unfiltered and by-status totals come
 * from row_counts. */
#define DOC_SQL(S, table, unfinished) \
	[S##_INSERT] = "INSERT INTO " table "(id, meeting_id, status, created_at, doc)" \
		" VALUES (?1, ?2, ?3, ?4, ?5)", \
	[S##_GET] = "SELECT doc FROM " table " WHERE id = ?1", \
	[S##_LIST] = "SELECT doc FROM " table " ORDER BY seq DESC LIMIT ?3 OFFSET ?4", \
	[S##_LIST_MEETING] = "SELECT doc FROM " table " WHERE meeting_id = ?1" \
		" AND (?2 IS NULL OR status = ?2) ORDER BY seq DESC LIMIT ?3 OFFSET ?4", \
	[S##_LIST_STATUS] = "SELECT doc FROM " table " WHERE status = ?2" \
		" ORDER BY seq DESC LIMIT ?3 OFFSET ?4", \
	[S##_COUNT] = "SELECT coalesce((SELECT n FROM row_counts" \
		" WHERE name = '" table "' || coalesce(':' || ?2, '')), 0)", \
	[S##_COUNT_MEETING] = "SELECT count(*) FROM " table " WHERE meeting_id = ?1" \
		" AND (?2 IS NULL OR status = ?2)", \
	[S##_UPDATE] = "UPDATE " table " SET meeting_id = ?2, status = ?3, doc = ?5 WHERE id = ?1", \
	[S##_UNFINISHED] = "SELECT doc FROM " table " WHERE status IN (" unfinished ") ORDER BY seq"

#define WEBHOOK_COLS "id, name, url, events, enabled, secret, created_at, updated_at"

static const char *const sql[S_COUNT] = {
	[S_BEGIN] = "BEGIN",
	[S_BEGIN_WRITE] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_SAVEPOINT] = "SAVEPOINT one_write",
	[S_RELEASE] = "RELEASE one_write",
	[S_ROLLBACK_TO] = "ROLLBACK TO one_write",
	[S_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[S_META_SET] = "INSERT INTO meta(key, value) VALUES (?1, ?2)"
		" ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	[S_MEETING_INSERT] = "INSERT INTO meetings(" MEETING_COLS ")"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[S_MEETING_GET] = "SELECT " MEETING_COLS " FROM meetings WHERE id = ?1",
	[S_MEETING_LIST] = "SELECT " MEETING_COLS " FROM meetings ORDER BY seq DESC LIMIT ?1 OFFSET ?2",
	[S_MEETING_COUNT] = "SELECT coalesce((SELECT n FROM row_counts WHERE name = 'meetings'), 0)",
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
	/* participants_by_meeting: counts that meeting's index entries only */
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

/* One SQLite connection with every statement prepared on it. Used by one
 * thread at a time (the store hands it out), so it is opened without
 * SQLite's own mutex. */
typedef struct store_conn {
	sqlite3 *db;
	sqlite3_stmt *stmt[S_COUNT];
} store_conn;

/* The writes that share one transaction on the writer, from the write
 * that BEGINs it to its lead's COMMIT and sync (write_end()). `writes` is
 * under write_lock; `lead`, `ended` and `status` under sync_lock. Freed by
 * the last of its references: the open batch's own, dropped by whoever
 * ends it, and one per write waiting for it. */
typedef struct write_batch {
	gint refs;                     /* atomic */
	int writes;                    /* successful writes in it */
	gboolean lead;                 /* handed the lead: one of its writes is to commit it */
	gboolean ended;                /* committed and synced, or failed */
	rtk_store_status status;       /* once ended: OK when durable */
	GCond wake;                    /* broadcast when `ended` is set, signalled for `lead` */
} write_batch;

struct rtk_store {
	char *path;

	/* The writer: one write at a time holds write_lock while it uses
	 * `writer` (see write_begin() / write_end()), inside the transaction of
	 * `batch`, open from its first write to its lead's COMMIT. */
	GMutex write_lock;
	store_conn *writer;
	int in_write;                  /* the current write's savepoint is open */
	write_batch *batch;            /* the open transaction's, or NULL */

	gboolean leading;              /* a batch is being committed and synced, or is handed the lead */
	int wal_pages;                 /* pages in the WAL after the last COMMIT (wal_hook()) */
	gboolean wal_restarted;        /* the WAL started over since the last checkpoint_after_commit() */

	/* The background checkpoint (checkpointer_run()) on its own
	 * connection, under ckpt_lock: `ckpt_wanted` wakes it, `ckpt_copied` is
	 * how many WAL pages its last pass left copied (0: none to use). */
	sqlite3 *ckpt_db;
	GThread *checkpointer;
	GMutex ckpt_lock;
	GCond ckpt_cond;
	gboolean ckpt_wanted;
	gboolean ckpt_running;
	int ckpt_copied;
	gboolean stopping;

	/* Durability: the WAL (wal_fd), synced by each batch's lead after its
	 * COMMIT. sync_lock guards the batches' `lead`, `ended` and `status`. */
	int wal_fd;
	GMutex sync_lock;
	gint sync_failed;              /* atomic: a sync failed, writes are refused */

	/* The readers, under read_lock (never held across an SQLite call):
	 * `readers` are all the open ones, `idle` those waiting to be handed
	 * out, `opening` the ones being opened by read_begin(). */
	GMutex read_lock;
	GCond reader_back;
	store_conn *idle[RTK_STORE_READERS];
	int n_idle;
	store_conn *readers[RTK_STORE_READERS];
	int n_readers;
	int opening;
};

/* ---- small helpers ---- */

/* Returns the statement, ready for binding. Pair every use with done(). */
static sqlite3_stmt *stmt(store_conn *c, enum stmt_id id)
{
	return c->stmt[id];
}

static void done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Maps an SQLite result to a store status; unexpected errors are logged. */
static rtk_store_status status_of(store_conn *c, int rc, const char *what)
{
	switch (rc) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return RTK_STORE_OK;
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
	case SQLITE_CONSTRAINT_FOREIGNKEY:
	case SQLITE_CONSTRAINT_TRIGGER:   /* how ON DELETE RESTRICT reports; our triggers never RAISE */
		return RTK_STORE_CONFLICT;
	default:
		g_warning("rtk store: %s: %s (%d)", what, sqlite3_errmsg(c->db), rc);
		return RTK_STORE_FAILED;
	}
}

/* Steps a statement that returns no rows, then resets it. */
static rtk_store_status exec(store_conn *c, enum stmt_id id)
{
	sqlite3_stmt *st = stmt(c, id);
	int rc = sqlite3_step(st);
	rtk_store_status status = status_of(c, rc, sql[id]);
	done(st);
	return status;
}

/* A read transaction on a reader, so that several statements (a count and
 * a page) see one snapshot. */
static rtk_store_status read_txn_begin(store_conn *c)
{
	return exec(c, S_BEGIN);
}

static rtk_store_status read_txn_end(store_conn *c, rtk_store_status status)
{
	rtk_store_status ended = exec(c, S_COMMIT);
	if (ended != RTK_STORE_OK && sqlite3_get_autocommit(c->db) == 0)
		exec(c, S_ROLLBACK);
	return status == RTK_STORE_OK ? ended : status;
}

/* ---- the writer: one write at a time, transactions and syncs shared ---- */

static void batch_unref(write_batch *b)
{
	if (g_atomic_int_dec_and_test(&b->refs)) {
		g_cond_clear(&b->wake);
		free(b);
	}
}

/* Tells the writes waiting for `b` how it ended, and drops the reference
 * of whoever ended it. */
static void batch_finish(rtk_store *s, write_batch *b, rtk_store_status status)
{
	g_mutex_lock(&s->sync_lock);
	b->status = status;
	b->ended = TRUE;
	g_cond_broadcast(&b->wake);
	g_mutex_unlock(&s->sync_lock);
	batch_unref(b);
}

/* Starts a write: takes the writer, opens a batch (BEGIN IMMEDIATE) unless
 * one is open, and a savepoint for this write. Returns the writer
 * connection; *status says whether the write may go on. Every
 * write_begin() is paired with write_end(), whatever happened. */
static store_conn *write_begin(rtk_store *s, rtk_store_status *status)
{
	g_mutex_lock(&s->write_lock);
	store_conn *c = s->writer;
	s->in_write = 0;
	*status = RTK_STORE_FAILED;
	if (g_atomic_int_get(&s->sync_failed))
		return c;
	if (!s->batch) {
		write_batch *b = calloc(1, sizeof(*b));
		if (!b)
			return c;
		if (exec(c, S_BEGIN_WRITE) != RTK_STORE_OK) {
			free(b);
			return c;
		}
		b->refs = 1;   /* the open batch's own: whoever ends it drops it */
		g_cond_init(&b->wake);
		s->batch = b;
	}
	*status = exec(c, S_SAVEPOINT);
	s->in_write = *status == RTK_STORE_OK;
	return c;
}

/* The lead, write_lock held, passes to the open batch if it holds a write
 * (one of its writes wakes to commit it), else is given up. */
static void lead_pass_locked(rtk_store *s)
{
	write_batch *next = s->batch;
	if (!next || next->writes == 0) {
		s->leading = FALSE;
		return;
	}
	g_mutex_lock(&s->sync_lock);
	next->lead = TRUE;
	g_cond_signal(&next->wake);
	g_mutex_unlock(&s->sync_lock);
}

/* sqlite3_wal_hook() of the writer, called by each COMMIT (under
 * write_lock): it records the WAL's size, and, being a hook, turns SQLite's
 * automatic checkpoint off. */
static int wal_hook(void *data, sqlite3 *db, const char *name, int pages)
{
	rtk_store *s = data;
	(void)db;
	(void)name;
	if (pages < s->wal_pages)
		s->wal_restarted = TRUE;
	s->wal_pages = pages;
	return SQLITE_OK;
}

/* The background checkpoint: a PASSIVE checkpoint (it waits for nobody and
 * nobody waits for it) each time a lead asks for one. */
static gpointer checkpointer_run(gpointer data)
{
	rtk_store *s = data;
	g_mutex_lock(&s->ckpt_lock);
	for (;;) {
		while (!s->ckpt_wanted && !s->stopping)
			g_cond_wait(&s->ckpt_cond, &s->ckpt_lock);
		if (s->stopping)
			break;
		s->ckpt_wanted = FALSE;
		s->ckpt_running = TRUE;
		g_mutex_unlock(&s->ckpt_lock);
		int pages = 0, copied = 0;
		int rc = sqlite3_wal_checkpoint_v2(s->ckpt_db, NULL, SQLITE_CHECKPOINT_PASSIVE, &pages, &copied);
		if (rc != SQLITE_OK && rc != SQLITE_BUSY)
			g_warning("rtk store: checkpoint of %s: %s (%d)", s->path, sqlite3_errmsg(s->ckpt_db), rc);
		g_mutex_lock(&s->ckpt_lock);
		s->ckpt_running = FALSE;
		s->ckpt_copied = rc == SQLITE_OK ? copied : 0;
	}
	g_mutex_unlock(&s->ckpt_lock);
	return NULL;
}

/* After a COMMIT, write_lock held: past RTK_STORE_CHECKPOINT_PAGES, asks
 * the background for a checkpoint, or, when its last pass left little to
 * copy (or the WAL is past RTK_STORE_CHECKPOINT_MAX_PAGES), copies the rest
 * here, so that the next write transaction starts the WAL over. */
static void checkpoint_after_commit(rtk_store *s)
{
	int pages = s->wal_pages;
	if (s->wal_restarted) {
		/* what was copied of the previous WAL says nothing of this one */
		g_mutex_lock(&s->ckpt_lock);
		s->ckpt_copied = 0;
		g_mutex_unlock(&s->ckpt_lock);
		s->wal_restarted = FALSE;
	}
	if (pages < RTK_STORE_CHECKPOINT_PAGES)
		return;
	gboolean here = FALSE;
	g_mutex_lock(&s->ckpt_lock);
	if (!s->ckpt_running) {
		here = pages - s->ckpt_copied <= RTK_STORE_CHECKPOINT_CATCH_UP ||
			pages >= RTK_STORE_CHECKPOINT_MAX_PAGES;
		if (!here && !s->ckpt_wanted) {
			s->ckpt_wanted = TRUE;
			g_cond_signal(&s->ckpt_cond);
		}
	}
	g_mutex_unlock(&s->ckpt_lock);
	if (here) {
		/* Until the WAL starts over (a reader still in it when the next
		 * write began can prevent that), the leads that follow copy their
		 * own few pages the same way and try again. */
		int copied = 0;
		sqlite3_busy_timeout(s->writer->db, RTK_STORE_CHECKPOINT_WAIT_MS);
		int rc = sqlite3_wal_checkpoint_v2(s->writer->db, NULL, SQLITE_CHECKPOINT_RESTART, NULL, &copied);
		sqlite3_busy_timeout(s->writer->db, RTK_STORE_BUSY_MS);
		if (rc != SQLITE_OK && rc != SQLITE_BUSY)
			g_warning("rtk store: checkpoint of %s: %s (%d)", s->path, sqlite3_errmsg(s->writer->db), rc);
		g_mutex_lock(&s->ckpt_lock);
		s->ckpt_copied = rc == SQLITE_OK || rc == SQLITE_BUSY ? copied : 0;
		g_mutex_unlock(&s->ckpt_lock);
	}
}

/* Commits the open batch `b` as the lead: write_lock held on entry, released
 * before the sync. Then passes the lead on and returns how `b` ended. */
static rtk_store_status batch_commit(rtk_store *s, write_batch *b)
{
	store_conn *c = s->writer;
	s->batch = NULL;
	g_atomic_int_inc(&b->refs);   /* the lead's, while it ends the batch */
	rtk_store_status status = exec(c, S_COMMIT);
	if (sqlite3_get_autocommit(c->db) == 0) {
		exec(c, S_ROLLBACK);
		status = RTK_STORE_FAILED;
	}
	if (status == RTK_STORE_OK)
		checkpoint_after_commit(s);
	g_mutex_unlock(&s->write_lock);

	if (status == RTK_STORE_OK && fdatasync(s->wal_fd) != 0) {
		int err = errno;
		g_atomic_int_set(&s->sync_failed, 1);
		g_critical("rtk store: fdatasync of %s-wal failed (%s): writes are refused from now on",
			s->path, g_strerror(err));
	}
	if (status == RTK_STORE_OK && g_atomic_int_get(&s->sync_failed))
		status = RTK_STORE_FAILED;
	batch_finish(s, b, status);

	g_mutex_lock(&s->write_lock);
	lead_pass_locked(s);
	g_mutex_unlock(&s->write_lock);
	batch_unref(b);
	return status;
}

/* Ends a write begun by write_begin(). Its savepoint is released when
 * `status` is OK, else rolled back to: a failed write leaves nothing and
 * returns its status at once (and a batch left with no write is rolled
 * back, so that the file's write lock is not kept for nothing).
 *
 * A successful write stays in the open batch. One batch at a time is
 * being committed and synced, by its lead: when none is, this write leads
 * its own batch, which it COMMITs and syncs at once (batch_commit());
 * otherwise it releases the writer for the next write and waits. The lead,
 * once its batch is durable, wakes that batch's writes and hands the lead
 * to one write of the batch that formed during its sync, which commits
 * it. So every write is answered after a sync that began after its
 * COMMIT, and each sync covers everything written while the previous one
 * ran: one BEGIN, COMMIT, WAL append and sync per batch, with no thread of
 * its own (a dedicated commit thread was tried: on a busy machine the
 * whole write path waited for that one thread to be scheduled). */
static rtk_store_status write_end(rtk_store *s, rtk_store_status status)
{
	store_conn *c = s->writer;
	write_batch *b = s->batch;
	if (s->in_write) {
		if (status == RTK_STORE_OK && exec(c, S_RELEASE) != RTK_STORE_OK)
			status = RTK_STORE_FAILED;
		if (status != RTK_STORE_OK && sqlite3_get_autocommit(c->db) == 0) {
			exec(c, S_ROLLBACK_TO);
			exec(c, S_RELEASE);
		}
		s->in_write = 0;
	}
	if (!b) {   /* write_begin() failed */
		g_mutex_unlock(&s->write_lock);
		return RTK_STORE_FAILED;
	}
	if (sqlite3_get_autocommit(c->db) != 0) {
		/* SQLite ended the transaction itself (an I/O error, a full
		 * disk): every write of the batch is lost. A lead handed to it
		 * and not taken yet is taken by one of its writes as it wakes. */
		s->batch = NULL;
		g_mutex_unlock(&s->write_lock);
		batch_finish(s, b, RTK_STORE_FAILED);
		return RTK_STORE_FAILED;
	}
	if (status != RTK_STORE_OK) {
		if (b->writes == 0) {
			exec(c, S_ROLLBACK);
			s->batch = NULL;
			g_mutex_unlock(&s->write_lock);
			batch_finish(s, b, RTK_STORE_FAILED);   /* nobody waits for it */
		} else {
			g_mutex_unlock(&s->write_lock);
		}
		return status;
	}
	b->writes++;
	if (!s->leading) {
		s->leading = TRUE;
		return batch_commit(s, b);
	}
	g_atomic_int_inc(&b->refs);
	g_mutex_unlock(&s->write_lock);

	g_mutex_lock(&s->sync_lock);
	for (;;) {
		while (!b->ended && !b->lead)
			g_cond_wait(&b->wake, &s->sync_lock);
		if (!b->lead)
			break;
		b->lead = FALSE;
		g_mutex_unlock(&s->sync_lock);
		g_mutex_lock(&s->write_lock);
		if (s->batch == b) {
			status = batch_commit(s, b);   /* releases write_lock */
			batch_unref(b);
			return status;
		}
		lead_pass_locked(s);   /* the batch was lost before its lead came */
		g_mutex_unlock(&s->write_lock);
		g_mutex_lock(&s->sync_lock);
	}
	status = b->status;
	g_mutex_unlock(&s->sync_lock);
	batch_unref(b);
	return status;
}

/* ---- the readers: a pool of connections ---- */

static store_conn *conn_open(const char *path, int writer, char **error);
static void conn_close(store_conn *c);

/* A reader connection for one read: an idle one, else a new one while
 * fewer than RTK_STORE_READERS exist, else the next one given back. NULL
 * (logged) when a new one cannot be opened. Pair with read_end(). */
static store_conn *read_begin(rtk_store *s)
{
	g_mutex_lock(&s->read_lock);
	while (s->n_idle == 0 && s->n_readers + s->opening >= RTK_STORE_READERS)
		g_cond_wait(&s->reader_back, &s->read_lock);
	if (s->n_idle > 0) {
		store_conn *c = s->idle[--s->n_idle];
		g_mutex_unlock(&s->read_lock);
		return c;
	}
	s->opening++;
	g_mutex_unlock(&s->read_lock);

	char *error = NULL;
	store_conn *c = conn_open(s->path, 0, &error);
	if (!c) {
		g_warning("rtk store: cannot open a reader connection: %s", error ? error : "?");
		free(error);
	}
	g_mutex_lock(&s->read_lock);
	s->opening--;
	if (c)
		s->readers[s->n_readers++] = c;
	else
		g_cond_signal(&s->reader_back);   /* the slot is free for another try */
	g_mutex_unlock(&s->read_lock);
	return c;
}

static void read_end(rtk_store *s, store_conn *c)
{
	g_mutex_lock(&s->read_lock);
	s->idle[s->n_idle++] = c;
	g_cond_signal(&s->reader_back);
	g_mutex_unlock(&s->read_lock);
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

/* The writer switches the file to WAL (a property of the file, which the
 * readers then share), syncs every commit and enforces foreign keys; a
 * reader refuses to write. */
static int configure(sqlite3 *db, int writer, char **error)
{
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, RTK_STORE_BUSY_MS);
	if (!writer)
		return exec_sql(db, "PRAGMA query_only = ON;", error);

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
	return exec_sql(db, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;", error);
}

static void conn_close(store_conn *c)
{
	if (!c)
		return;
	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(c->stmt[i]);
	sqlite3_close(c->db);
	free(c);
}

/* Opens one connection and prepares every statement on it; the writer also
 * creates the file and applies the migrations. */
static store_conn *conn_open(const char *path, int writer, char **error)
{
	store_conn *c = calloc(1, sizeof(*c));
	if (!c) {
		rtk_util_set_error(error, "out of memory");
		return NULL;
	}
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (writer ? SQLITE_OPEN_CREATE : 0);
	int rc = sqlite3_open_v2(path, &c->db, flags, NULL);
	if (rc != SQLITE_OK) {
		rtk_util_set_error(error, "cannot open %s: %s", path,
			c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		goto fail;
	}
	char *why = NULL;
	if (configure(c->db, writer, &why) != 0 || (writer && migrate(c->db, &why) != 0)) {
		rtk_util_set_error(error, "%s: %s", path, why ? why : "unknown error");
		free(why);
		goto fail;
	}
	for (int i = 0; i < S_COUNT; i++) {
		if (sqlite3_prepare_v3(c->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT,
				&c->stmt[i], NULL) != SQLITE_OK) {
			rtk_util_set_error(error, "%s: preparing \"%s\": %s", path, sql[i], sqlite3_errmsg(c->db));
			goto fail;
		}
	}
	return c;
fail:
	conn_close(c);
	return NULL;
}

/* The WAL file the writer created, opened for the leads' syncs
 * (fdatasync() flushes the file whichever descriptor names it). Its
 * directory entry and everything written so far (the migrations) are
 * synced here: SQLite at synchronous=NORMAL would only do so at its first
 * checkpoint. */
static int wal_open(rtk_store *s, char **error)
{
	char *wal = g_strconcat(s->path, "-wal", NULL);
	char *dir = g_path_get_dirname(s->path);
	s->wal_fd = open(wal, O_RDONLY | O_CLOEXEC);
	int dir_fd = s->wal_fd >= 0 ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	int rc = dir_fd >= 0 && fdatasync(s->wal_fd) == 0 && fsync(dir_fd) == 0 ? 0 : -1;
	if (rc != 0)
		rtk_util_set_error(error, "cannot sync %s: %s", wal, g_strerror(errno));
	if (dir_fd >= 0)
		close(dir_fd);
	g_free(wal);
	g_free(dir);
	return rc;
}

/* The background checkpoint's connection and thread; from now on the
 * writer's COMMITs leave checkpoints to checkpoint_after_commit(). */
static int checkpointer_start(rtk_store *s, char **error)
{
	if (sqlite3_open_v2(s->path, &s->ckpt_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
			NULL) != SQLITE_OK) {
		rtk_util_set_error(error, "%s: cannot open the checkpoint connection: %s", s->path,
			s->ckpt_db ? sqlite3_errmsg(s->ckpt_db) : "out of memory");
		return -1;
	}
	/* A connection finds the file in WAL mode (and can checkpoint it) once
	 * it has read it. */
	char *why = NULL;
	if (exec_sql(s->ckpt_db, "SELECT count(*) FROM sqlite_schema", &why) != 0) {
		rtk_util_set_error(error, "%s: the checkpoint connection cannot read it: %s", s->path,
			why ? why : "?");
		free(why);
		return -1;
	}
	s->checkpointer = g_thread_try_new("rtk store checkpoint", checkpointer_run, s, NULL);
	if (!s->checkpointer) {
		rtk_util_set_error(error, "%s: cannot start the checkpoint thread", s->path);
		return -1;
	}
	sqlite3_wal_hook(s->writer->db, wal_hook, s);
	return 0;
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
	if (!s || !(s->path = strdup(path))) {
		free(s);
		rtk_util_set_error(error, "out of memory");
		return NULL;
	}
	g_mutex_init(&s->write_lock);
	g_mutex_init(&s->sync_lock);
	g_mutex_init(&s->ckpt_lock);
	g_cond_init(&s->ckpt_cond);
	s->wal_fd = -1;
	g_mutex_init(&s->read_lock);
	g_cond_init(&s->reader_back);

	s->writer = conn_open(path, 1, error);
	if (!s->writer || wal_open(s, error) != 0)
		goto fail;
	/* One reader now, so that a file readers cannot use fails here. */
	store_conn *reader = conn_open(path, 0, error);
	if (!reader)
		goto fail;
	s->readers[s->n_readers++] = reader;
	s->idle[s->n_idle++] = reader;
	if (checkpointer_start(s, error) != 0)
		goto fail;
	return s;
fail:
	rtk_store_close(s);
	return NULL;
}

/* No call may be in progress (the owner stops its threads first), so no
 * batch is open. Readers go first: the writer, closing last, checkpoints
 * the WAL into the file. */
void rtk_store_close(rtk_store *store)
{
	if (!store)
		return;
	if (store->checkpointer) {
		g_mutex_lock(&store->ckpt_lock);
		store->stopping = TRUE;
		g_cond_signal(&store->ckpt_cond);
		g_mutex_unlock(&store->ckpt_lock);
		g_thread_join(store->checkpointer);
	}
	sqlite3_close(store->ckpt_db);
	if (store->wal_fd >= 0)
		close(store->wal_fd);
	for (int i = 0; i < store->n_readers; i++)
		conn_close(store->readers[i]);
	conn_close(store->writer);
	g_mutex_clear(&store->write_lock);
	g_mutex_clear(&store->sync_lock);
	g_mutex_clear(&store->ckpt_lock);
	g_cond_clear(&store->ckpt_cond);
	g_mutex_clear(&store->read_lock);
	g_cond_clear(&store->reader_back);
	free(store->path);
	free(store);
}

/* ---- meta ---- */

rtk_store_status rtk_store_meta_get(rtk_store *store, const char *key, char **value)
{
	*value = NULL;
	if (!key)
		return RTK_STORE_NOT_FOUND;
	store_conn *c = read_begin(store);
	if (!c)
		return RTK_STORE_FAILED;
	sqlite3_stmt *st = stmt(c, S_META_GET);
	bind_text(st, 1, key);
	int rc = sqlite3_step(st);
	rtk_store_status status = status_of(c, rc, "meta get");
	if (rc == SQLITE_ROW) {
		*value = strdup((const char *)sqlite3_column_text(st, 0));
		if (!*value)
			status = RTK_STORE_FAILED;
	} else if (rc == SQLITE_DONE) {
		status = RTK_STORE_NOT_FOUND;
	}
	done(st);
	read_end(store, c);
	return status;
}

rtk_store_status rtk_store_meta_set(rtk_store *store, const char *key, const char *value)
{
	if (!key || !value)
		return RTK_STORE_FAILED;
	rtk_store_status status;
	store_conn *c = write_begin(store, &status);
	if (status == RTK_STORE_OK) {
		sqlite3_stmt *st = stmt(c, S_META_SET);
		bind_text(st, 1, key);
		bind_text(st, 2, value);
		status = status_of(c, sqlite3_step(st), "meta set");
		done(st);
	}
	return write_end(store, status);
}

/* ---- generic row access ---- */

typedef json_t *(*row_fn)(sqlite3_stmt *st);

/* Runs a prepared, bound statement expecting zero or one row. */
static rtk_store_status fetch_one(store_conn *c, sqlite3_stmt *st, row_fn row, json_t **out,
	const char *what)
{
	*out = NULL;
	int rc = sqlite3_step(st);
	rtk_store_status status = status_of(c, rc, what);
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
static rtk_store_status fetch_all(store_conn *c, sqlite3_stmt *st, row_fn row, json_t **items,
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
	rtk_store_status status = rc == SQLITE_ROW ? RTK_STORE_FAILED : status_of(c, rc, what);
	done(st);
	if (status != RTK_STORE_OK) {
		json_decref(array);
		array = NULL;
	}
	*items = array;
	return status;
}

static rtk_store_status count_rows(store_conn *c, sqlite3_stmt *st, int *total)
{
	int rc = sqlite3_step(st);
	rtk_store_status status = status_of(c, rc, "count");
	if (rc == SQLITE_ROW)
		*total = sqlite3_column_int(st, 0);
	else if (status == RTK_STORE_OK)
		status = RTK_STORE_FAILED;
	done(st);
	return status;
}

/* count + page in one read transaction, so total and items agree. */
static rtk_store_status list_page(store_conn *c, sqlite3_stmt *count, sqlite3_stmt *list,
	row_fn row, json_t **items, int *total)
{
	rtk_store_status status = read_txn_begin(c);
	if (status == RTK_STORE_OK)
		status = count_rows(c, count, total);
	else
		done(count);
	if (status == RTK_STORE_OK)
		status = fetch_all(c, list, row, items, "list");
	else
		done(list);
	return read_txn_end(c, status);
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

static rtk_store_status meeting_get_on(store_conn *c, const char *id, json_t **out)
{
	sqlite3_stmt *st = stmt(c, S_MEETING_GET);
	bind_text(st, 1, id);
	return fetch_one(c, st, meeting_row, out, "meeting get");
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

	rtk_store_status status;
	store_conn *c = write_begin(store, &status);
	if (status == RTK_STORE_OK) {
		sqlite3_stmt *st = stmt(c, S_MEETING_INSERT);
		meeting_bind(st, m);
		status = status_of(c, sqlite3_step(st), "meeting insert");
		done(st);
	}
	if (status == RTK_STORE_OK)
		status = meeting_get_on(c, id, out);
	status = write_end(store, status);

	if (status != RTK_STORE_OK) {
		json_decref(*out);
		*out = NULL;
	}
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
	store_conn *c = read_begin(store);
	if (!c)
		return RTK_STORE_FAILED;
	rtk_store_status status = meeting_get_on(c, id, out);
	read_end(store, c);
	return status;
}

rtk_store_status rtk_store_meeting_list(rtk_store *store, int offset, int limit,
	json_t **items, int *total)
{
	*items = NULL;
	*total = 0;
	clamp_page(&offset, &limit);
	store_conn *c = read_begin(store);
	if (!c)
		return RTK_STORE_FAILED;
	sqlite3_stmt *list = stmt(c, S_MEETING_LIST);
	sqlite3_bind_int(list, 1, limit);
	sqlite3_bind_int(list, 2, offset);
	rtk_store_status status = list_page(c, stmt(c, S_MEETING_COUNT), list,
		meeting_row, items, total);
	read_end(store, c);
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

	json_t *m = NULL;
	rtk_store_status status;
	store_conn *c = write_begin(store, &status);
	if (status == RTK_STORE_OK)
		status = meeting_get_on(c, id, &m);
	if (status == RTK_STORE_OK) {
		meeting_apply(m, fields);
		json_object_set_new(m, "updated_at", json_string(now));
		sqlite3_stmt *st = stmt(c, S_MEETING_UPDATE);
		meeting_bind(st, m);
		status = status_of(c, sqlite3_step(st), "meeting update");
		done(st);
	}
	if (status == RTK_STORE_OK)
		status = meeting_get_on(c, id, out);
	status = write_end(store, status);

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

static rtk_store_status preset_get_on(store_conn *c, enum stmt_id by, const char *key,
	json_t **out)
{
	sqlite3_stmt *st = stmt(c, by);
	bind_text(st, 1, key);
	return fetch_one(c, st, preset_row, out, "preset get");
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

	rtk_store_status status;
	store_conn *c = write_begin(store, &status);
	if (status == RTK_STORE_OK) {
		sqlite3_stmt *st = stmt(c, S_PRESET_INSERT);
		preset_bind(st, p);
		status = status_of(c, sqlite3_step(st), "preset insert");
		done(st);
	}
	if (status == RTK_STORE_OK)
		status = preset_get_on(c, S_PRESET_GET, id, out);
	status = write_end(store, status);

	if (status != RTK_STORE_OK) {
		json_decref(*out);
		*out = NULL;
	}
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
	store_conn *c = read_begin(store);
	if (!c)
		return RTK_STORE_FAILED;
	rtk_store_status status = preset_get_on(c, S_PRESET_GET, id, out);
	read_end(store, c);
	return status;
}

rtk_store_status rtk_store_preset_get_by_name(rtk_store *store, const char *name, json_t **out)
{
	*out = NULL;
	if (!name)
		return RTK_STORE_NOT_FOUND;
	store_conn *c = read_begin(store);
	if (!c)
		return RTK_STORE_FAILED;
	rtk_store_status status = preset_get_on(c, S_PRESET_GET_BY_NAME, name, out);
	read_end(store, c);
	return status;
}

rtk_store_status rtk_store_preset_list(rtk_store *store, int offset, int limit,
	json_t **items, int *total)
{
	*items = NULL;
	*total = 0;
	clamp_page(&offset, &limit);
	store_conn *c = read_begin(store);
	if (!c)
		return RTK_STORE_FAILED;
	sqlite3_stmt *list = stmt(c, S_PRESET_LIST);
	sqlite3_bind_int(list, 1, limit);
	sqlite3_bind_int(list, 2, offset);
	rtk_store_status status = list_page(c, stmt(c, S_PRESET_COUNT), list,
		preset_row, items, total);
	read_end(store, c);
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

	json_t *p = NULL;
	rtk_store_status status;
	store_conn *c = write_begin(store, &status);
	if (status == RTK_STORE_OK)
		status = preset_get_on(c, S_PRESET_GET, id, &p);
	if (status == RTK_STORE_OK) {
		preset_apply(p, fields);
		json_object_set_new(p, "updated_at", json_string(now));
		sqlite3_stmt *st = stmt(c, S_PRESET_UPDATE);
		preset_bind(st, p);
		status = status_of(c, sqlite3_step(st), "preset update");
		done(st);
	}
	if (status == RTK_STORE_OK)
		status = preset_get_on(c, S_PRESET_GET, id, out);
	status = write_end(store, status);

	if (status != RTK_STORE_OK) {
		json_decref(*out);
		*out = NULL;
	}
	json_decref(p);
	free(now);
	return status;
}

/* Runs a bound DELETE on the writer: NOT_FOUND when it removed no row. */
static rtk_store_status delete_on(store_conn *c, sqlite3_stmt *st, const char *what)
{
	rtk_store_status status = status_of(c, sqlite3_step(st), what);
	if (status == RTK_STORE_OK && sqlite3_changes(c->db) == 0)
		status = RTK_STORE_NOT_FOUND;
	done(st);
	return status;
}

rtk_store_status rtk_store_preset_delete(rtk_store *store, const char *id)
{
	if (!id)
		return RTK_STORE_NOT_FOUND;
	rtk_store_status status;
	store_conn *c = write_begin(store, &status);
	if (status == RTK_STORE_OK) {
		sqlite3_stmt *st = stmt(c, S_PRESET_DELETE);
		bind_text(st, 1, id);
		status = delete_on(c, st, "preset delete");
	}
	return write_end(store, status);
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

static rtk_store_status participant_get_on(store_conn *c, const char *meeting_id,
	const char *id, json_t **out)
{
	sqlite3_stmt *st = stmt(c, S_PARTICIPANT_GET);
	bind_text(st, 1, id);
	bind_text(st, 2, meeting_id);
	return fetch_one(c, st, participant_row, out, "participant get");
}

static rtk_store_status meeting_exists_on(store_conn *c, const char *meeting_id)
{
	json_t *m = NULL;
	rtk_store_status status = meeting_get_on(c, meeting_id, &m);
	json_decref(m);
	return status;
}

/* Resolves fields.preset_name to a preset id (malloc'd). */
static rtk_store_status preset_id_on(store_conn *c, const json_t *fields, char **preset_id)
{
	*preset_id = NULL;
	const char *name = json_string_value(json_object_get(fields, "preset_name"));
	if (!name)
		return RTK_STORE_NOT_FOUND;
	json_t *preset = NULL;
	rtk_store_status status = preset_get_on(c, S_PRESET_GET_BY_NAME, name, &preset);
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

	const char *what = NULL;
	rtk_store_status status;
	store_conn *c = write_begin(store, &status);
	if (status == RTK_STORE_OK) {
		status = meeting_id ? meeting_exists_on(c, meeting_id) : RTK_STORE_NOT_FOUND;
		what = "meeting";
	}
	if (status == RTK_STORE_OK) {
		status = preset_id_on(c, fields, &preset_id);
		what = "preset";
	}
	if (status == RTK_STORE_OK) {
		sqlite3_stmt *st = stmt(c, S_PARTICIPANT_INSERT);
		bind_text(st, 1, id);
		bind_text(st, 2, meeting_id);
		bind_json_string(st, 3, json_object_get(p, "name"));
		bind_json_string(st, 4, json_object_get(p, "picture"));
		bind_text(st, 5, preset_id);
		bind_json_string(st, 6, json_object_get(p, "custom_participant_id"));
		bind_text(st, 7, now);
		bind_text(st, 8, now);
		status = status_of(c, sqlite3_step(st), "participant insert");
		done(st);
	}
	if (status == RTK_STORE_OK)
		status = participant_get_on(c, meeting_id, id, out);
	status = write_end(store, status);

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
	store_conn *c = read_begin(store);
	if (!c)
		return RTK_STORE_FAILED;
	rtk_store_status status = participant_get_on(c, meeting_id, id, out);
	read_end(store, c);
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
	store_conn *c = read_begin(store);
	if (!c)
		return RTK_STORE_FAILED;
	rtk_store_status status = meeting_exists_on(c, meeting_id);
	if (status == RTK_STORE_OK) {
		sqlite3_stmt *count = stmt(c, S_PARTICIPANT_COUNT);
		sqlite3_stmt *list = stmt(c, S_PARTICIPANT_LIST);
		bind_text(count, 1, meeting_id);
		bind_text(list, 1, meeting_id);
		sqlite3_bind_int(list, 2, limit);
		sqlite3_bind_int(list, 3, offset);
		status = list_page(c, count, list, participant_row, items, total);
	}
	read_end(store, c);
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

	json_t *p = NULL;
	const char *what = "participant";
	rtk_store_status status;
	store_conn *c = write_begin(store, &status);
	if (status == RTK_STORE_OK)
		status = participant_get_on(c, meeting_id, id, &p);
	if (status == RTK_STORE_OK && json_object_get(fields, "preset_name")) {
		status = preset_id_on(c, fields, &preset_id);
		what = "preset";
	}
	if (status == RTK_STORE_OK) {
		participant_apply(p, fields);
		sqlite3_stmt *st = stmt(c, S_PARTICIPANT_UPDATE);
		bind_text(st, 1, id);
		bind_json_string(st, 2, json_object_get(p, "name"));
		bind_json_string(st, 3, json_object_get(p, "picture"));
		bind_text(st, 4, preset_id ? preset_id : json_string_value(json_object_get(p, "preset_id")));
		bind_json_string(st, 5, json_object_get(p, "custom_participant_id"));
		bind_text(st, 6, now);
		status = status_of(c, sqlite3_step(st), "participant update");
		done(st);
	}
	if (status == RTK_STORE_OK)
		status = participant_get_on(c, meeting_id, id, out);
	status = write_end(store, status);

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
	rtk_store_status status;
	store_conn *c = write_begin(store, &status);
	if (status == RTK_STORE_OK) {
		sqlite3_stmt *st = stmt(c, S_PARTICIPANT_DELETE);
		bind_text(st, 1, id);
		bind_text(st, 2, meeting_id);
		status = delete_on(c, st, "participant delete");
	}
	return write_end(store, status);
}

/* ---- token generations ---- */

/* Runs the generation statement `id` for `participant_id` on `c`. */
static rtk_store_status token_generation_step(store_conn *c, enum stmt_id id, const char *participant_id,
	long long *generation)
{
	sqlite3_stmt *st = stmt(c, id);
	bind_text(st, 1, participant_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*generation = sqlite3_column_int64(st, 0);
		if (id == S_TOKEN_GENERATION_BUMP)
			rc = sqlite3_step(st);   /* RETURNING: the write completes at SQLITE_DONE */
	}
	rtk_store_status status = status_of(c, rc, "token generation");
	done(st);
	return status;
}

/* Reads (GET, on a reader) or bumps (on the writer) a participant's token
 * generation; a statement that finds no row leaves *generation 0. */
static rtk_store_status token_generation(rtk_store *store, enum stmt_id id, const char *participant_id,
	long long *generation)
{
	*generation = 0;
	if (!participant_id)
		return RTK_STORE_NOT_FOUND;
	rtk_store_status status;
	if (id == S_TOKEN_GENERATION_GET) {
		store_conn *c = read_begin(store);
		if (!c)
			return RTK_STORE_FAILED;
		status = token_generation_step(c, id, participant_id, generation);
		read_end(store, c);
		return status;
	}
	store_conn *c = write_begin(store, &status);
	if (status == RTK_STORE_OK)
		status = token_generation_step(c, id, participant_id, generation);
	return write_end(store, status);
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

static sqlite3_stmt *doc_stmt(store_conn *c, const doc_kind *k, enum doc_stmt which)
{
	return stmt(c, (enum stmt_id)(k->first + which));
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

static rtk_store_status doc_get_on(store_conn *c, const doc_kind *k, const char *id,
	json_t **out)
{
	sqlite3_stmt *st = doc_stmt(c, k, DOC_GET);
	bind_text(st, 1, id);
	return fetch_one(c, st, doc_row, out, k->what);
}

/* Writes `doc` (already merged and valid) over the row with its id. */
static rtk_store_status doc_write_on(store_conn *c, const doc_kind *k, const json_t *doc)
{
	sqlite3_stmt *st = doc_stmt(c, k, DOC_UPDATE);
	doc_bind(st, doc);
	rtk_store_status status = status_of(c, sqlite3_step(st), k->what);
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

	rtk_store_status status;
	store_conn *c = write_begin(s, &status);
	if (status == RTK_STORE_OK) {
		sqlite3_stmt *st = doc_stmt(c, k, DOC_INSERT);
		doc_bind(st, doc);
		status = status_of(c, sqlite3_step(st), k->what);
		done(st);
	}
	if (status == RTK_STORE_OK)
		status = doc_get_on(c, k, json_string_value(json_object_get(doc, "id")), out);
	status = write_end(s, status);

	if (status != RTK_STORE_OK) {
		json_decref(*out);
		*out = NULL;
	}
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

	json_t *doc = NULL;
	rtk_store_status status;
	store_conn *c = write_begin(s, &status);
	if (status == RTK_STORE_OK)
		status = doc_get_on(c, k, id, &doc);
	if (status == RTK_STORE_OK) {
		if (fields)
			doc_merge(k, doc, fields, now);
		status = doc_valid(doc) ? doc_write_on(c, k, doc) : RTK_STORE_FAILED;
	}
	if (status == RTK_STORE_OK)
		status = doc_get_on(c, k, id, out);
	status = write_end(s, status);

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
	store_conn *c = read_begin(s);
	if (!c)
		return RTK_STORE_FAILED;
	rtk_store_status status = doc_get_on(c, k, id, out);
	read_end(s, c);
	return status;
}

/* The statements of a filter: a meeting's rows through its index (with or
 * without a status), all rows of a status, or all rows; the totals of the
 * last two are row_counts' counters. */
static rtk_store_status doc_list(rtk_store *s, const doc_kind *k, const char *meeting_id,
	const char *state, int offset, int limit, json_t **items, int *total)
{
	*items = NULL;
	*total = 0;
	clamp_page(&offset, &limit);
	store_conn *c = read_begin(s);
	if (!c)
		return RTK_STORE_FAILED;
	sqlite3_stmt *count = doc_stmt(c, k, meeting_id ? DOC_COUNT_MEETING : DOC_COUNT);
	sqlite3_stmt *list = doc_stmt(c, k,
		meeting_id ? DOC_LIST_MEETING : state ? DOC_LIST_STATUS : DOC_LIST);
	bind_text(count, 1, meeting_id);
	bind_text(count, 2, state);
	bind_text(list, 1, meeting_id);
	bind_text(list, 2, state);
	sqlite3_bind_int(list, 3, limit);
	sqlite3_bind_int(list, 4, offset);
	rtk_store_status status = list_page(c, count, list, doc_row, items, total);
	read_end(s, c);
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

	json_t *docs = NULL;
	rtk_store_status status;
	store_conn *c = write_begin(s, &status);
	if (status == RTK_STORE_OK)
		status = fetch_all(c, doc_stmt(c, k, DOC_UNFINISHED), doc_row, &docs, k->what);
	size_t i;
	json_t *doc;
	json_array_foreach(docs, i, doc) {
		if (status != RTK_STORE_OK)
			break;
		doc_merge(k, doc, change, now);
		status = doc_write_on(c, k, doc);
	}
	status = write_end(s, status);

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

static rtk_store_status webhook_get_on(store_conn *c, const char *id, json_t **out)
{
	sqlite3_stmt *st = stmt(c, S_WEBHOOK_GET);
	bind_text(st, 1, id);
	return fetch_one(c, st, webhook_row, out, "webhook get");
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

	rtk_store_status status;
	store_conn *c = write_begin(store, &status);
	if (status == RTK_STORE_OK) {
		sqlite3_stmt *st = stmt(c, S_WEBHOOK_INSERT);
		webhook_bind(st, w);
		status = status_of(c, sqlite3_step(st), "webhook insert");
		done(st);
	}
	if (status == RTK_STORE_OK)
		status = webhook_get_on(c, id, out);
	status = write_end(store, status);

	if (status != RTK_STORE_OK) {
		json_decref(*out);
		*out = NULL;
	}
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
	store_conn *c = read_begin(store);
	if (!c)
		return RTK_STORE_FAILED;
	rtk_store_status status = webhook_get_on(c, id, out);
	read_end(store, c);
	return status;
}

rtk_store_status rtk_store_webhook_list(rtk_store *store, int offset, int limit,
	json_t **items, int *total)
{
	*items = NULL;
	*total = 0;
	clamp_page(&offset, &limit);
	store_conn *c = read_begin(store);
	if (!c)
		return RTK_STORE_FAILED;
	sqlite3_stmt *list = stmt(c, S_WEBHOOK_LIST);
	sqlite3_bind_int(list, 1, limit);
	sqlite3_bind_int(list, 2, offset);
	rtk_store_status status = list_page(c, stmt(c, S_WEBHOOK_COUNT), list,
		webhook_row, items, total);
	read_end(store, c);
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

	json_t *w = NULL;
	rtk_store_status status;
	store_conn *c = write_begin(store, &status);
	if (status == RTK_STORE_OK)
		status = webhook_get_on(c, id, &w);
	if (status == RTK_STORE_OK) {
		webhook_apply(w, fields);
		json_object_set_new(w, "updated_at", json_string(now));
		sqlite3_stmt *st = stmt(c, S_WEBHOOK_UPDATE);
		webhook_bind(st, w);
		status = status_of(c, sqlite3_step(st), "webhook update");
		done(st);
	}
	if (status == RTK_STORE_OK)
		status = webhook_get_on(c, id, out);
	status = write_end(store, status);

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
	rtk_store_status status;
	store_conn *c = write_begin(store, &status);
	if (status == RTK_STORE_OK) {
		sqlite3_stmt *st = stmt(c, S_WEBHOOK_DELETE);
		bind_text(st, 1, id);
		status = delete_on(c, st, "webhook delete");
	}
	return write_end(store, status);
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
	store_conn *c = read_begin(store);
	if (!c)
		return RTK_STORE_FAILED;
	rtk_store_status status = fetch_all(c, stmt(c, S_WEBHOOK_ENABLED), webhook_row,
		&enabled, "webhook list");
	read_end(store, c);
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
