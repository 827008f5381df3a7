/*
 * store_sqlite.c - the SQLite backend of the store (rtk_store_sqlite, see
 * store_backend.h): the file, its schema, its connections, and the
 * statements of the operations store.c runs on the tables that
 * store_resources.c describes. It owns the durability and concurrency
 * store.h promises; it knows nothing of what a meeting or a preset is.
 *
 * Connections. The file is in WAL mode, where one writer and any number of
 * readers proceed at once, and the store is shaped to match:
 *   - one writer connection, used under `write_lock` by one write at a time,
 *     each inside a savepoint of the transaction its batch shares;
 *   - a pool of up to RTK_STORE_READERS reader connections (query_only),
 *     opened on demand and handed to one reader at a time, so a read never
 *     waits behind a write, and readers do not wait for each other.
 * Every connection prepares every statement once (generated from the
 * descriptors at open: sqlite_sql_build()) and resets it after each use. Other
 * connections (another process) may read and write the same file.
 *
 * Batches. Every write is atomic: a savepoint, released when it succeeds
 * and rolled back to when it fails. The writes share transactions, their
 * batches: the first write BEGINs one, every write that follows joins it,
 * and it is COMMITted by its lead as soon as it holds a write and the
 * previous batch is synced. So there is one BEGIN IMMEDIATE, one COMMIT,
 * one WAL append of the pages touched and one sync per batch, however many
 * writes it holds: a burst of N writes costs that once, not N times
 * (sqlite_write_end()). A batch sees the writes made before it in it, as
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
 * writing (sqlite_batch_commit()).
 *
 * Checkpoints. SQLite's automatic checkpoint would run inside the COMMIT
 * that takes the WAL past 1000 pages: copying those pages into the file
 * and syncing it took 5 to 20 ms, under write_lock, so every write queued
 * behind it, and that was most of POST's p99. It is replaced
 * (sqlite_checkpoint_after_commit()): past RTK_STORE_CHECKPOINT_PAGES a thread of
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
 * counts of the tables that grow without bound (meetings, and recordings,
 * livestreams and sessions in total and per status) are kept in `row_counts` by
 * triggers, in the same transaction as the change, whoever makes it (this
 * process, another one, the sqlite3 shell). Filters the counters do not
 * cover (a meeting's participants, recordings or livestreams) count
 * through an index over that meeting's rows only; presets and webhooks are
 * a handful of rows and are counted directly. The descriptors say which
 * tables are `counted` (and `counted_by` which column): a list filtered
 * by nothing else reads row_counts (sqlite_run_list()). A list narrowed by
 * a `where` (a text in the searched columns, a range of the ranged one:
 * the meetings' search and times) is counted by a scan of the rows its
 * equality filters select.
 *
 * The schema lives in rtk_store_migrations[] only (store_migrations.c,
 * shared with the PostgreSQL backend, in SQLite's dialect here): each
 * step moves PRAGMA user_version up by one, in its own transaction. The descriptors name its
 * columns; a descriptor that names one the schema lacks fails at open,
 * when its statements are prepared.
 *
 * Rows leave as Jansson objects built from the row just read (sqlite_read_row()),
 * so what a caller sees is exactly what is stored: a document table's row
 * is its DOCUMENT column, any other's one key per column.
 */
#include "store_backend.h"

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

/* ---- statements ---- */

/* The transaction statements every connection has. */
enum txn_stmt {
	T_BEGIN, T_BEGIN_WRITE, T_COMMIT, T_ROLLBACK, T_SAVEPOINT, T_RELEASE, T_ROLLBACK_TO, T_COUNT
};

static const char *const txn_sql[T_COUNT] = {
	[T_BEGIN] = "BEGIN",
	[T_BEGIN_WRITE] = "BEGIN IMMEDIATE",
	[T_COMMIT] = "COMMIT",
	[T_ROLLBACK] = "ROLLBACK",
	[T_SAVEPOINT] = "SAVEPOINT one_write",
	[T_RELEASE] = "RELEASE one_write",
	[T_ROLLBACK_TO] = "ROLLBACK TO one_write",
};

/* The statements of one table, generated from its descriptor
 * (sqlite_sql_build()); NULL where the table has none (no second key, no list).
 * Q_GET + by looks a row up by keys[by]; Q_LIST + lead and Q_COUNT + lead
 * serve the filters from filters[lead - 1] on (lead 0: no filter), so that
 * SQLite picks the index of the first filter given; Q_COUNTED reads
 * row_counts; Q_LIST_WHERE and Q_COUNT_WHERE serve a list with a `where`
 * (sqlite_sql_where()). */
enum table_stmt {
	Q_INSERT, Q_UPDATE, Q_DELETE,
	Q_GET,
	Q_LIST = Q_GET + RTK_STORE_MAX_KEYS,
	Q_COUNT = Q_LIST + RTK_STORE_MAX_FILTERS + 1,
	Q_COUNTED = Q_COUNT + RTK_STORE_MAX_FILTERS + 1,
	Q_PURGE,
	Q_SEARCH,
	Q_LIST_WHERE,
	Q_COUNT_WHERE,
	Q_PER_TABLE
};

/* One SQLite connection with every statement prepared on it. Used by one
 * thread at a time (the store hands it out), so it is opened without
 * SQLite's own mutex. */
struct rtk_store_conn {
	sqlite3 *db;
	sqlite3_stmt *txn[T_COUNT];
	sqlite3_stmt *stmt[RTK_STORE_TABLES][Q_PER_TABLE];
};

/* The writes that share one transaction on the writer, from the write
 * that BEGINs it to its lead's COMMIT and sync (sqlite_write_end()). `writes` is
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

struct rtk_store_db {
	char *path;
	char *sql[RTK_STORE_TABLES][Q_PER_TABLE];   /* sqlite_sql_build(), g_free()d at close */

	/* The writer: one write at a time holds write_lock while it uses
	 * `writer` (see sqlite_write_begin() / sqlite_write_end()), inside the transaction of
	 * `batch`, open from its first write to its lead's COMMIT. */
	GMutex write_lock;
	rtk_store_conn *writer;
	int in_write;                  /* the current write's savepoint is open */
	write_batch *batch;            /* the open transaction's, or NULL */

	gboolean leading;              /* a batch is being committed and synced, or is handed the lead */
	int wal_pages;                 /* pages in the WAL after the last COMMIT (sqlite_wal_hook()) */
	gboolean wal_restarted;        /* the WAL started over since the last sqlite_checkpoint_after_commit() */

	/* The background checkpoint (sqlite_checkpointer_run()) on its own
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
	 * out, `opening` the ones being opened by sqlite_read_begin(). */
	GMutex read_lock;
	GCond reader_back;
	rtk_store_conn *idle[RTK_STORE_READERS];
	int n_idle;
	rtk_store_conn *readers[RTK_STORE_READERS];
	int n_readers;
	int opening;
};

/* ---- small helpers ---- */

static void sqlite_done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Maps an SQLite result to a store status; unexpected errors are logged. */
static rtk_store_status sqlite_status_of(rtk_store_conn *c, int rc, const char *what)
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
static rtk_store_status sqlite_step_once(rtk_store_conn *c, sqlite3_stmt *st)
{
	rtk_store_status status = sqlite_status_of(c, sqlite3_step(st), sqlite3_sql(st));
	sqlite_done(st);
	return status;
}

/* Runs a transaction statement. */
static rtk_store_status sqlite_txn(rtk_store_conn *c, enum txn_stmt id)
{
	return sqlite_step_once(c, c->txn[id]);
}

/* A read transaction, so that several statements (a count and a page) see
 * one snapshot; on the writer, whose transaction is open, it is that one. */
static int sqlite_read_txn_begin(rtk_store_conn *c, rtk_store_status *status)
{
	if (sqlite3_get_autocommit(c->db) == 0)
		return 0;
	*status = sqlite_txn(c, T_BEGIN);
	return 1;
}

static rtk_store_status sqlite_read_txn_end(rtk_store_conn *c, rtk_store_status status)
{
	rtk_store_status ended = sqlite_txn(c, T_COMMIT);
	if (ended != RTK_STORE_OK && sqlite3_get_autocommit(c->db) == 0)
		sqlite_txn(c, T_ROLLBACK);
	return status == RTK_STORE_OK ? ended : status;
}

/* ---- the writer: one write at a time, transactions and syncs shared ---- */

static void sqlite_batch_unref(write_batch *b)
{
	if (g_atomic_int_dec_and_test(&b->refs)) {
		g_cond_clear(&b->wake);
		free(b);
	}
}

/* Tells the writes waiting for `b` how it ended, and drops the reference
 * of whoever ended it. */
static void sqlite_batch_finish(rtk_store_db *s, write_batch *b, rtk_store_status status)
{
	g_mutex_lock(&s->sync_lock);
	b->status = status;
	b->ended = TRUE;
	g_cond_broadcast(&b->wake);
	g_mutex_unlock(&s->sync_lock);
	sqlite_batch_unref(b);
}

/* Starts a write: takes the writer, opens a batch (BEGIN IMMEDIATE) unless
 * one is open, and a savepoint for this write. Returns the writer
 * connection; *status says whether the write may go on. Every
 * sqlite_write_begin() is paired with sqlite_write_end(), whatever happened. */
static rtk_store_conn *sqlite_write_begin(rtk_store_db *s, rtk_store_status *status)
{
	g_mutex_lock(&s->write_lock);
	rtk_store_conn *c = s->writer;
	s->in_write = 0;
	*status = RTK_STORE_FAILED;
	if (g_atomic_int_get(&s->sync_failed))
		return c;
	if (!s->batch) {
		write_batch *b = calloc(1, sizeof(*b));
		if (!b)
			return c;
		if (sqlite_txn(c, T_BEGIN_WRITE) != RTK_STORE_OK) {
			free(b);
			return c;
		}
		b->refs = 1;   /* the open batch's own: whoever ends it drops it */
		g_cond_init(&b->wake);
		s->batch = b;
	}
	*status = sqlite_txn(c, T_SAVEPOINT);
	s->in_write = *status == RTK_STORE_OK;
	return c;
}

/* The lead, write_lock held, passes to the open batch if it holds a write
 * (one of its writes wakes to commit it), else is given up. */
static void sqlite_lead_pass_locked(rtk_store_db *s)
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
static int sqlite_wal_hook(void *data, sqlite3 *db, const char *name, int pages)
{
	rtk_store_db *s = data;
	(void)db;
	(void)name;
	if (pages < s->wal_pages)
		s->wal_restarted = TRUE;
	s->wal_pages = pages;
	return SQLITE_OK;
}

/* The background checkpoint: a PASSIVE checkpoint (it waits for nobody and
 * nobody waits for it) each time a lead asks for one. */
static gpointer sqlite_checkpointer_run(gpointer data)
{
	rtk_store_db *s = data;
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
static void sqlite_checkpoint_after_commit(rtk_store_db *s)
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
static rtk_store_status sqlite_batch_commit(rtk_store_db *s, write_batch *b)
{
	rtk_store_conn *c = s->writer;
	s->batch = NULL;
	g_atomic_int_inc(&b->refs);   /* the lead's, while it ends the batch */
	rtk_store_status status = sqlite_txn(c, T_COMMIT);
	if (sqlite3_get_autocommit(c->db) == 0) {
		sqlite_txn(c, T_ROLLBACK);
		status = RTK_STORE_FAILED;
	}
	if (status == RTK_STORE_OK)
		sqlite_checkpoint_after_commit(s);
	g_mutex_unlock(&s->write_lock);

	if (status == RTK_STORE_OK && fdatasync(s->wal_fd) != 0) {
		int err = errno;
		g_atomic_int_set(&s->sync_failed, 1);
		g_critical("rtk store: fdatasync of %s-wal failed (%s): writes are refused from now on",
			s->path, g_strerror(err));
	}
	if (status == RTK_STORE_OK && g_atomic_int_get(&s->sync_failed))
		status = RTK_STORE_FAILED;
	sqlite_batch_finish(s, b, status);

	g_mutex_lock(&s->write_lock);
	sqlite_lead_pass_locked(s);
	g_mutex_unlock(&s->write_lock);
	sqlite_batch_unref(b);
	return status;
}

/* Ends a write begun by sqlite_write_begin(). Its savepoint is released when
 * `status` is OK, else rolled back to: a failed write leaves nothing and
 * returns its status at once (and a batch left with no write is rolled
 * back, so that the file's write lock is not kept for nothing).
 *
 * A successful write stays in the open batch. One batch at a time is
 * being committed and synced, by its lead: when none is, this write leads
 * its own batch, which it COMMITs and syncs at once (sqlite_batch_commit());
 * otherwise it releases the writer for the next write and waits. The lead,
 * once its batch is durable, wakes that batch's writes and hands the lead
 * to one write of the batch that formed during its sync, which commits
 * it. So every write is answered after a sync that began after its
 * COMMIT, and each sync covers everything written while the previous one
 * ran: one BEGIN, COMMIT, WAL append and sync per batch, with no thread of
 * its own (a dedicated commit thread was tried: on a busy machine the
 * whole write path waited for that one thread to be scheduled). */
static rtk_store_status sqlite_write_end(rtk_store_db *s, rtk_store_status status)
{
	rtk_store_conn *c = s->writer;
	write_batch *b = s->batch;
	if (s->in_write) {
		if (status == RTK_STORE_OK && sqlite_txn(c, T_RELEASE) != RTK_STORE_OK)
			status = RTK_STORE_FAILED;
		if (status != RTK_STORE_OK && sqlite3_get_autocommit(c->db) == 0) {
			sqlite_txn(c, T_ROLLBACK_TO);
			sqlite_txn(c, T_RELEASE);
		}
		s->in_write = 0;
	}
	if (!b) {   /* sqlite_write_begin() failed */
		g_mutex_unlock(&s->write_lock);
		return RTK_STORE_FAILED;
	}
	if (sqlite3_get_autocommit(c->db) != 0) {
		/* SQLite ended the transaction itself (an I/O error, a full
		 * disk): every write of the batch is lost. A lead handed to it
		 * and not taken yet is taken by one of its writes as it wakes. */
		s->batch = NULL;
		g_mutex_unlock(&s->write_lock);
		sqlite_batch_finish(s, b, RTK_STORE_FAILED);
		return RTK_STORE_FAILED;
	}
	if (status != RTK_STORE_OK) {
		if (b->writes == 0) {
			sqlite_txn(c, T_ROLLBACK);
			s->batch = NULL;
			g_mutex_unlock(&s->write_lock);
			sqlite_batch_finish(s, b, RTK_STORE_FAILED);   /* nobody waits for it */
		} else {
			g_mutex_unlock(&s->write_lock);
		}
		return status;
	}
	b->writes++;
	if (!s->leading) {
		s->leading = TRUE;
		return sqlite_batch_commit(s, b);
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
			status = sqlite_batch_commit(s, b);   /* releases write_lock */
			sqlite_batch_unref(b);
			return status;
		}
		sqlite_lead_pass_locked(s);   /* the batch was lost before its lead came */
		g_mutex_unlock(&s->write_lock);
		g_mutex_lock(&s->sync_lock);
	}
	status = b->status;
	g_mutex_unlock(&s->sync_lock);
	sqlite_batch_unref(b);
	return status;
}

/* ---- the readers: a pool of connections ---- */

static rtk_store_conn *sqlite_conn_open(rtk_store_db *s, int writer, char **error);
static void sqlite_conn_close(rtk_store_conn *c);

/* A reader connection for one read: an idle one, else a new one while
 * fewer than RTK_STORE_READERS exist, else the next one given back. NULL
 * (logged) when a new one cannot be opened. Pair with sqlite_read_end(). */
static rtk_store_conn *sqlite_read_begin(rtk_store_db *s)
{
	g_mutex_lock(&s->read_lock);
	while (s->n_idle == 0 && s->n_readers + s->opening >= RTK_STORE_READERS)
		g_cond_wait(&s->reader_back, &s->read_lock);
	if (s->n_idle > 0) {
		rtk_store_conn *c = s->idle[--s->n_idle];
		g_mutex_unlock(&s->read_lock);
		return c;
	}
	s->opening++;
	g_mutex_unlock(&s->read_lock);

	char *error = NULL;
	rtk_store_conn *c = sqlite_conn_open(s, 0, &error);
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

static void sqlite_read_end(rtk_store_db *s, rtk_store_conn *c)
{
	g_mutex_lock(&s->read_lock);
	s->idle[s->n_idle++] = c;
	g_cond_signal(&s->reader_back);
	g_mutex_unlock(&s->read_lock);
}

/* ---- rows: binding and reading by column type ---- */

static void sqlite_bind_text(sqlite3_stmt *st, int idx, const char *text)
{
	if (text)
		sqlite3_bind_text(st, idx, text, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, idx);
}

/* A JSON value as its compact text; "{}" when there is none. */
static void sqlite_bind_json(sqlite3_stmt *st, int idx, const json_t *v)
{
	char *text = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	if (text)
		sqlite3_bind_text(st, idx, text, -1, free);
	else
		sqlite3_bind_text(st, idx, "{}", -1, SQLITE_STATIC);
}

/* Text binds a JSON string, NULL anything else; a bool binds 1 for true. */
static void sqlite_bind_value(sqlite3_stmt *st, int idx, rtk_store_type type, const json_t *v)
{
	switch (type) {
	case RTK_STORE_TEXT:
	case RTK_STORE_TIMESTAMP:
		sqlite_bind_text(st, idx, json_string_value(v));
		break;
	case RTK_STORE_BOOL:
		sqlite3_bind_int(st, idx, json_is_true(v));
		break;
	case RTK_STORE_INT:
		sqlite3_bind_int64(st, idx, json_integer_value(v));
		break;
	case RTK_STORE_JSON:
	case RTK_STORE_DOCUMENT:
		sqlite_bind_json(st, idx, v);
		break;
	}
}

/* Binds `row` to a table's INSERT or UPDATE: the written columns are
 * ?1, ?2, ... in the descriptor's order in both. */
static void sqlite_bind_row(sqlite3_stmt *st, const rtk_store_resource *r, const json_t *row)
{
	int slot = 0;
	for (int i = 0; i < r->n_columns; i++) {
		const rtk_store_column *col = &r->columns[i];
		if (!rtk_store_column_written(col))
			continue;
		const json_t *v = col->type == RTK_STORE_DOCUMENT ? row : json_object_get(row, col->field);
		sqlite_bind_value(st, ++slot, col->type, v);
	}
}

/* A stored JSON value; NULL (logged) when it does not parse or has a type
 * the column does not take. A row built from columns reads its id first
 * (every descriptor starts with it), so the log names the row. */
static json_t *sqlite_read_json(sqlite3_stmt *st, int idx, const rtk_store_resource *r,
	const rtk_store_column *col)
{
	const char *text = (const char *)sqlite3_column_text(st, idx);
	json_t *v = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
	if (!v || !(col->takes & (1u << json_typeof(v)))) {
		const char *id = col->type == RTK_STORE_DOCUMENT ? NULL :
			(const char *)sqlite3_column_text(st, 0);
		g_warning("rtk store: %s %s has a corrupt %s column", r->name, id ? id : "?", col->column);
		json_decref(v);
		return NULL;
	}
	return v;
}

static json_t *sqlite_read_value(sqlite3_stmt *st, int idx, const rtk_store_resource *r,
	const rtk_store_column *col)
{
	switch (col->type) {
	case RTK_STORE_TEXT:
	case RTK_STORE_TIMESTAMP: {
		const unsigned char *text = sqlite3_column_text(st, idx);
		return text ? json_string((const char *)text) : json_null();
	}
	case RTK_STORE_BOOL:
		return json_boolean(sqlite3_column_int(st, idx) != 0);
	case RTK_STORE_INT:
		return json_integer(sqlite3_column_int64(st, idx));
	case RTK_STORE_JSON:
	case RTK_STORE_DOCUMENT:
		break;
	}
	return sqlite_read_json(st, idx, r, col);
}

/* The current row of a statement of rtk_store_sql_select() as a new object; NULL
 * when it is corrupt. `doc` is the table's DOCUMENT column, or NULL. The
 * keys are the descriptor's, plain ASCII: Jansson need not check them. */
static json_t *sqlite_read_row(sqlite3_stmt *st, const rtk_store_resource *r, const rtk_store_column *doc)
{
	if (doc)
		return sqlite_read_json(st, 0, r, doc);
	json_t *row = json_object();
	for (int i = 0; i < r->n_columns; i++) {
		json_t *v = sqlite_read_value(st, i, r, &r->columns[i]);
		if (!v) {
			json_decref(row);
			return NULL;
		}
		json_object_set_new_nocheck(row, r->columns[i].field, v);
	}
	return row;
}

/* ---- the statements of a table, from its descriptor ---- */

/* " AND (?2 IS NULL OR table.scope = ?2)" after a key at ?1. */
static void sqlite_sql_scope(GString *q, const rtk_store_resource *r)
{
	if (r->scope)
		g_string_append_printf(q, " AND (?2 IS NULL OR %s.%s = ?2)", r->table, r->scope);
}

/* The WHERE of the filters from filters[lead - 1] on: that one must
 * match, the later ones when given; filter i is ?(i + 1). */
static void sqlite_sql_filters(GString *q, const rtk_store_resource *r, int lead)
{
	if (lead == 0)
		return;
	g_string_append_printf(q, " WHERE %s.%s = ?%d", r->table, r->filters[lead - 1], lead);
	for (int i = lead; i < rtk_store_n_filters(r); i++)
		g_string_append_printf(q, " AND (?%d IS NULL OR %s.%s = ?%d)",
			i + 1, r->table, r->filters[i], i + 1);
}

static char *sqlite_sql_insert(const rtk_store_resource *r)
{
	GString *q = g_string_new(NULL), *values = g_string_new(NULL);
	g_string_append_printf(q, "INSERT INTO %s(", r->table);
	int slot = 0;
	for (int i = 0; i < r->n_columns; i++) {
		if (!rtk_store_column_written(&r->columns[i]))
			continue;
		g_string_append_printf(q, "%s%s", slot ? ", " : "", r->columns[i].column);
		g_string_append_printf(values, "%s?%d", slot ? ", " : "", slot + 1);
		slot++;
	}
	g_string_append_printf(q, ") VALUES (%s)", values->str);
	g_string_free(values, TRUE);
	return g_string_free(q, FALSE);
}

/* SET of every written column but the FIXED ones, in sqlite_bind_row()'s slots. */
static char *sqlite_sql_update(const rtk_store_resource *r)
{
	GString *q = g_string_new(NULL);
	g_string_append_printf(q, "UPDATE %s SET ", r->table);
	int slot = 0, id_slot = 0, set = 0;
	for (int i = 0; i < r->n_columns; i++) {
		const rtk_store_column *col = &r->columns[i];
		if (!rtk_store_column_written(col))
			continue;
		slot++;
		if (strcmp(col->column, r->keys[0]) == 0)
			id_slot = slot;
		else if (!(col->flags & RTK_STORE_FIXED))
			g_string_append_printf(q, "%s%s = ?%d", set++ ? ", " : "", col->column, slot);
	}
	g_string_append_printf(q, " WHERE %s = ?%d", r->keys[0], id_slot);
	return g_string_free(q, FALSE);
}

/* SELECT of the row whose `key` is ?1 (and scope ?2); DELETE of the one
 * whose id is. */
static char *sqlite_sql_get(const rtk_store_resource *r, const char *key)
{
	GString *q = g_string_new(NULL);
	rtk_store_sql_select(q, r);
	g_string_append_printf(q, " WHERE %s.%s = ?1", r->table, key);
	sqlite_sql_scope(q, r);
	return g_string_free(q, FALSE);
}

static char *sqlite_sql_delete(const rtk_store_resource *r)
{
	GString *q = g_string_new(NULL);
	g_string_printf(q, "DELETE FROM %s WHERE %s.%s = ?1", r->table, r->table, r->keys[0]);
	sqlite_sql_scope(q, r);
	return g_string_free(q, FALSE);
}

/* A page of the rows of the filters from `lead` (sqlite_sql_filters()): limit and
 * offset follow the filters' parameters. */
static char *sqlite_sql_list(const rtk_store_resource *r, int lead)
{
	GString *q = g_string_new(NULL);
	rtk_store_sql_select(q, r);
	sqlite_sql_filters(q, r, lead);
	g_string_append_printf(q, " ORDER BY %s.%s%s LIMIT ?%d OFFSET ?%d", r->table, r->order,
		r->newest_first ? " DESC" : "", rtk_store_n_filters(r) + 1, rtk_store_n_filters(r) + 2);
	return g_string_free(q, FALSE);
}

static char *sqlite_sql_count(const rtk_store_resource *r, int lead)
{
	GString *q = g_string_new(NULL);
	g_string_printf(q, "SELECT count(*) FROM %s", r->table);
	sqlite_sql_filters(q, r, lead);
	return g_string_free(q, FALSE);
}

/* The table's counter in row_counts: 'table', or 'table:value' when the
 * counted_by filter is given. */
static char *sqlite_sql_counted(const rtk_store_resource *r)
{
	GString *q = g_string_new(NULL);
	g_string_printf(q, "SELECT coalesce((SELECT n FROM row_counts WHERE name = '%s'", r->table);
	for (int i = 0; i < rtk_store_n_filters(r) && r->counted_by; i++)
		if (strcmp(r->filters[i], r->counted_by) == 0)
			g_string_append_printf(q, " || coalesce(':' || ?%d, '')", i + 1);
	g_string_append(q, "), 0)");
	return g_string_free(q, FALSE);
}

/* RTK_STORE_PURGE: every row of filters[0] = ?1. */
static char *sqlite_sql_purge(const rtk_store_resource *r)
{
	return g_strdup_printf("DELETE FROM %s WHERE %s = ?1", r->table, r->filters[0]);
}

/* RTK_STORE_SEARCH: the index's rowid is the table's seq; ?1 the query,
 * ?2 filters[0], ?3 the limit. */
static char *sqlite_sql_search(const rtk_store_resource *r)
{
	GString *q = g_string_new(NULL);
	rtk_store_sql_select(q, r);
	g_string_append_printf(q, " JOIN %s ON %s.rowid = %s.seq WHERE %s MATCH ?1 AND %s.%s = ?2"
		" ORDER BY %s.rank LIMIT ?3", r->search_index, r->search_index, r->table, r->search_index,
		r->table, r->filters[0], r->search_index);
	return g_string_free(q, FALSE);
}

/* The WHERE of a list with a `where`: every filter when given (?1...),
 * then ?nf+3 a LIKE pattern any searched column matches, ?nf+4 and ?nf+5
 * the bounds of the ranged column (NULL: no bound). ?nf+1 and ?nf+2 are
 * the list's limit and offset. */
static void sqlite_sql_where(GString *q, const rtk_store_resource *r)
{
	int nf = rtk_store_n_filters(r);
	g_string_append(q, " WHERE 1");
	for (int i = 0; i < nf; i++)
		g_string_append_printf(q, " AND (?%d IS NULL OR %s.%s = ?%d)", i + 1, r->table, r->filters[i], i + 1);
	if (r->searched[0]) {
		g_string_append_printf(q, " AND (?%d IS NULL", nf + 3);
		for (int i = 0; i < RTK_STORE_MAX_SEARCHED && r->searched[i]; i++)
			g_string_append_printf(q, " OR %s.%s LIKE ?%d ESCAPE '\\'", r->table, r->searched[i], nf + 3);
		g_string_append(q, ")");
	}
	if (r->ranged)
		g_string_append_printf(q, " AND (?%d IS NULL OR %s.%s >= ?%d) AND (?%d IS NULL OR %s.%s <= ?%d)",
			nf + 4, r->table, r->ranged, nf + 4, nf + 5, r->table, r->ranged, nf + 5);
}

static char *sqlite_sql_list_where(const rtk_store_resource *r)
{
	GString *q = g_string_new(NULL);
	rtk_store_sql_select(q, r);
	sqlite_sql_where(q, r);
	g_string_append_printf(q, " ORDER BY %s.%s%s LIMIT ?%d OFFSET ?%d", r->table, r->order,
		r->newest_first ? " DESC" : "", rtk_store_n_filters(r) + 1, rtk_store_n_filters(r) + 2);
	return g_string_free(q, FALSE);
}

static char *sqlite_sql_count_where(const rtk_store_resource *r)
{
	GString *q = g_string_new(NULL);
	g_string_printf(q, "SELECT count(*) FROM %s", r->table);
	sqlite_sql_where(q, r);
	return g_string_free(q, FALSE);
}

/* Every statement of every table into s->sql. */
static void sqlite_sql_build(rtk_store_db *s)
{
	for (int t = 0; t < RTK_STORE_TABLES; t++) {
		const rtk_store_resource *r = &rtk_store_resources[t];
		char **sql = s->sql[t];
		sql[Q_INSERT] = sqlite_sql_insert(r);
		sql[Q_UPDATE] = sqlite_sql_update(r);
		sql[Q_DELETE] = sqlite_sql_delete(r);
		for (int by = 0; by < RTK_STORE_MAX_KEYS && r->keys[by]; by++)
			sql[Q_GET + by] = sqlite_sql_get(r, r->keys[by]);
		for (int lead = 0; r->order && lead <= rtk_store_n_filters(r); lead++) {
			sql[Q_LIST + lead] = sqlite_sql_list(r, lead);
			sql[Q_COUNT + lead] = sqlite_sql_count(r, lead);
		}
		if (r->counted)
			sql[Q_COUNTED] = sqlite_sql_counted(r);
		if (r->purgeable && r->filters[0])
			sql[Q_PURGE] = sqlite_sql_purge(r);
		if (r->search_index && r->filters[0])
			sql[Q_SEARCH] = sqlite_sql_search(r);
		if (r->order && (r->searched[0] || r->ranged)) {
			sql[Q_LIST_WHERE] = sqlite_sql_list_where(r);
			sql[Q_COUNT_WHERE] = sqlite_sql_count_where(r);
		}
	}
}

static void sqlite_sql_free(rtk_store_db *s)
{
	for (int t = 0; t < RTK_STORE_TABLES; t++)
		for (int i = 0; i < Q_PER_TABLE; i++)
			g_free(s->sql[t][i]);
}

/* ---- open / close ---- */

static int sqlite_exec_sql(sqlite3 *db, const char *text, char **error)
{
	char *msg = NULL;
	if (sqlite3_exec(db, text, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	rtk_util_set_error(error, "%s", msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	return -1;
}

static int sqlite_user_version(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int v = -1;
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
			sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The columns migration `version` (1-based) adds that the tables lack,
 * added (rtk_store_migration.added, SQLite's declarations). */
static int sqlite_add_columns(sqlite3 *db, int version, char **error)
{
	const rtk_store_added_column *added = rtk_store_migrations[version - 1].added;
	for (int i = 0; i < RTK_STORE_MAX_ADDED && added[i].table; i++) {
		const rtk_store_added_column *mc = &added[i];
		sqlite3_stmt *st = NULL;
		int present = 0;
		if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2", -1, &st, NULL) == SQLITE_OK) {
			sqlite3_bind_text(st, 1, mc->table, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, mc->column, -1, SQLITE_STATIC);
			present = sqlite3_step(st) == SQLITE_ROW;
		}
		sqlite3_finalize(st);
		if (present)
			continue;
		char *sql = g_strdup_printf("ALTER TABLE %s ADD COLUMN %s %s", mc->table, mc->column, mc->sqlite);
		int rc = sqlite_exec_sql(db, sql, error);
		g_free(sql);
		if (rc != 0)
			return -1;
	}
	return 0;
}

static int sqlite_migrate(sqlite3 *db, char **error)
{
	for (;;) {
		if (sqlite_exec_sql(db, "BEGIN IMMEDIATE", error) != 0)
			return -1;
		/* Read inside the write transaction: another process may migrate too. */
		int v = sqlite_user_version(db);
		if (v < 0 || v > rtk_store_schema_version) {
			sqlite_exec_sql(db, "ROLLBACK", NULL);
			rtk_util_set_error(error, "schema version %d is not one this build knows (up to %d)",
				v, rtk_store_schema_version);
			return -1;
		}
		if (v == rtk_store_schema_version)
			return sqlite_exec_sql(db, "COMMIT", error);
		char bump[64];
		snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", v + 1);
		if (sqlite_add_columns(db, v + 1, error) != 0 ||
				sqlite_exec_sql(db, rtk_store_migrations[v].sqlite, error) != 0 || sqlite_exec_sql(db, bump, error) != 0 ||
				sqlite_exec_sql(db, "COMMIT", error) != 0) {
			sqlite_exec_sql(db, "ROLLBACK", NULL);
			return -1;
		}
	}
}

/* The writer switches the file to WAL (a property of the file, which the
 * readers then share), syncs every commit and enforces foreign keys; a
 * reader refuses to write. */
static int sqlite_configure(sqlite3 *db, int writer, char **error)
{
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, RTK_STORE_BUSY_MS);
	if (!writer)
		return sqlite_exec_sql(db, "PRAGMA query_only = ON;", error);

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
	return sqlite_exec_sql(db, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;", error);
}

static void sqlite_conn_close(rtk_store_conn *c)
{
	if (!c)
		return;
	for (int i = 0; i < T_COUNT; i++)
		sqlite3_finalize(c->txn[i]);
	for (int t = 0; t < RTK_STORE_TABLES; t++)
		for (int i = 0; i < Q_PER_TABLE; i++)
			sqlite3_finalize(c->stmt[t][i]);
	sqlite3_close(c->db);
	free(c);
}

/* Prepares one statement; an SQL text of NULL is no statement. */
static int sqlite_prepare(rtk_store_conn *c, const char *sql, sqlite3_stmt **st, const char *path,
	char **error)
{
	if (!sql || sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) == SQLITE_OK)
		return 0;
	rtk_util_set_error(error, "%s: preparing \"%s\": %s", path, sql, sqlite3_errmsg(c->db));
	return -1;
}

/* Opens one connection and prepares every statement on it; the writer also
 * creates the file and applies the migrations. */
static rtk_store_conn *sqlite_conn_open(rtk_store_db *s, int writer, char **error)
{
	rtk_store_conn *c = calloc(1, sizeof(*c));
	if (!c) {
		rtk_util_set_error(error, "out of memory");
		return NULL;
	}
	const char *path = s->path;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (writer ? SQLITE_OPEN_CREATE : 0);
	int rc = sqlite3_open_v2(path, &c->db, flags, NULL);
	if (rc != SQLITE_OK) {
		rtk_util_set_error(error, "cannot open %s: %s", path,
			c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		goto fail;
	}
	char *why = NULL;
	if (sqlite_configure(c->db, writer, &why) != 0 || (writer && sqlite_migrate(c->db, &why) != 0)) {
		rtk_util_set_error(error, "%s: %s", path, why ? why : "unknown error");
		free(why);
		goto fail;
	}
	for (int i = 0; i < T_COUNT; i++)
		if (sqlite_prepare(c, txn_sql[i], &c->txn[i], path, error) != 0)
			goto fail;
	for (int t = 0; t < RTK_STORE_TABLES; t++)
		for (int i = 0; i < Q_PER_TABLE; i++)
			if (sqlite_prepare(c, s->sql[t][i], &c->stmt[t][i], path, error) != 0)
				goto fail;
	return c;
fail:
	sqlite_conn_close(c);
	return NULL;
}

/* The WAL file the writer created, opened for the leads' syncs
 * (fdatasync() flushes the file whichever descriptor names it). Its
 * directory entry and everything written so far (the migrations) are
 * synced here: SQLite at synchronous=NORMAL would only do so at its first
 * checkpoint. */
static int sqlite_wal_open(rtk_store_db *s, char **error)
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
 * writer's COMMITs leave checkpoints to sqlite_checkpoint_after_commit(). */
static int sqlite_checkpointer_start(rtk_store_db *s, char **error)
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
	if (sqlite_exec_sql(s->ckpt_db, "SELECT count(*) FROM sqlite_schema", &why) != 0) {
		rtk_util_set_error(error, "%s: the checkpoint connection cannot read it: %s", s->path,
			why ? why : "?");
		free(why);
		return -1;
	}
	s->checkpointer = g_thread_try_new("rtk store checkpoint", sqlite_checkpointer_run, s, NULL);
	if (!s->checkpointer) {
		rtk_util_set_error(error, "%s: cannot start the checkpoint thread", s->path);
		return -1;
	}
	sqlite3_wal_hook(s->writer->db, sqlite_wal_hook, s);
	return 0;
}

static void sqlite_db_close(rtk_store_db *store);

/* rtk_store_backend.open: the statements generated, the writer (which
 * creates the file and migrates it), its WAL synced, one reader, the
 * checkpoint thread. */
static rtk_store_db *sqlite_db_open(const char *path, char **error)
{
	rtk_store_db *s = calloc(1, sizeof(*s));
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
	sqlite_sql_build(s);

	s->writer = sqlite_conn_open(s, 1, error);
	if (!s->writer || sqlite_wal_open(s, error) != 0)
		goto fail;
	/* One reader now, so that a file readers cannot use fails here. */
	rtk_store_conn *reader = sqlite_conn_open(s, 0, error);
	if (!reader)
		goto fail;
	s->readers[s->n_readers++] = reader;
	s->idle[s->n_idle++] = reader;
	if (sqlite_checkpointer_start(s, error) != 0)
		goto fail;
	return s;
fail:
	sqlite_db_close(s);
	return NULL;
}

/* No call may be in progress (the owner stops its threads first), so no
 * batch is open. Readers go first: the writer, closing last, checkpoints
 * the WAL into the file. */
static void sqlite_db_close(rtk_store_db *store)
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
		sqlite_conn_close(store->readers[i]);
	sqlite_conn_close(store->writer);
	g_mutex_clear(&store->write_lock);
	g_mutex_clear(&store->sync_lock);
	g_mutex_clear(&store->ckpt_lock);
	g_cond_clear(&store->ckpt_cond);
	g_mutex_clear(&store->read_lock);
	g_cond_clear(&store->reader_back);
	sqlite_sql_free(store);
	free(store->path);
	free(store);
}

/* ---- operations ---- */

/* Runs a bound statement expecting zero or one row: *out is it (OK) or
 * NULL (NOT_FOUND, or FAILED when it is corrupt). */
static rtk_store_status sqlite_fetch_one(rtk_store_conn *c, sqlite3_stmt *st, const rtk_store_resource *r,
	json_t **out)
{
	*out = NULL;
	int rc = sqlite3_step(st);
	rtk_store_status status = sqlite_status_of(c, rc, sqlite3_sql(st));
	if (rc == SQLITE_ROW) {
		*out = sqlite_read_row(st, r, rtk_store_document_column(r));
		if (!*out)
			status = RTK_STORE_FAILED;
	} else if (rc == SQLITE_DONE) {
		status = RTK_STORE_NOT_FOUND;
	}
	sqlite_done(st);
	return status;
}

/* Runs a bound statement collecting every row into a new array (*items,
 * NULL unless OK). */
static rtk_store_status sqlite_fetch_all(rtk_store_conn *c, sqlite3_stmt *st, const rtk_store_resource *r,
	json_t **items)
{
	const rtk_store_column *doc = rtk_store_document_column(r);
	json_t *array = json_array();
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *item = sqlite_read_row(st, r, doc);
		if (!item)
			break;
		json_array_append_new(array, item);
	}
	rtk_store_status status = rc == SQLITE_ROW ? RTK_STORE_FAILED : sqlite_status_of(c, rc, sqlite3_sql(st));
	sqlite_done(st);
	if (status != RTK_STORE_OK) {
		json_decref(array);
		array = NULL;
	}
	*items = array;
	return status;
}

static rtk_store_status sqlite_count_rows(rtk_store_conn *c, sqlite3_stmt *st, int *total)
{
	int rc = sqlite3_step(st);
	rtk_store_status status = sqlite_status_of(c, rc, sqlite3_sql(st));
	if (rc == SQLITE_ROW)
		*total = sqlite3_column_int(st, 0);
	else if (status == RTK_STORE_OK)
		status = RTK_STORE_FAILED;
	sqlite_done(st);
	return status;
}

/* count + page in one read transaction, so total and items agree. */
static rtk_store_status sqlite_list_page(rtk_store_conn *c, sqlite3_stmt *count, sqlite3_stmt *list,
	const rtk_store_resource *r, json_t **items, int *total)
{
	rtk_store_status status = RTK_STORE_OK;
	int own = sqlite_read_txn_begin(c, &status);
	if (status == RTK_STORE_OK)
		status = sqlite_count_rows(c, count, total);
	else
		sqlite_done(count);
	if (status == RTK_STORE_OK)
		status = sqlite_fetch_all(c, list, r, items);
	else
		sqlite_done(list);
	return own ? sqlite_read_txn_end(c, status) : status;
}

/* Binds a list's filters (?1, ?2, ...) to a list or count statement. */
static const rtk_store_column *sqlite_column_named(const rtk_store_resource *r, const char *name)
{
	for (int i = 0; i < r->n_columns; i++)
		if (r->columns[i].column && strcmp(r->columns[i].column, name) == 0)
			return &r->columns[i];
	return NULL;
}

/* A filter's text as its column's type: a bool's is "true" or "false". */
static void sqlite_bind_filters(sqlite3_stmt *st, const rtk_store_op *op)
{
	for (int i = 0; i < rtk_store_n_filters(op->res); i++) {
		const rtk_store_column *col = sqlite_column_named(op->res, op->res->filters[i]);
		if (op->filter[i] && col && col->type == RTK_STORE_BOOL)
			sqlite3_bind_int(st, i + 1, strcmp(op->filter[i], "true") == 0);
		else
			sqlite_bind_text(st, i + 1, op->filter[i]);
	}
}

/* Whether row_counts has the total of this list: its table is counted
 * and it filters on nothing but the counted column. */
static int sqlite_counted(const rtk_store_op *op)
{
	const rtk_store_resource *r = op->res;
	for (int i = 0; i < rtk_store_n_filters(r); i++)
		if (op->filter[i] && (!r->counted_by || strcmp(r->filters[i], r->counted_by) != 0))
			return 0;
	return r->counted;
}

/* The LIKE pattern of a `contains` text: itself, its % _ and \ escaped,
 * between two %. g_free() it. */
static char *sqlite_like_pattern(const char *text)
{
	GString *p = g_string_new("%");
	for (const char *c = text; *c; c++) {
		if (*c == '%' || *c == '_' || *c == '\\')
			g_string_append_c(p, '\\');
		g_string_append_c(p, *c);
	}
	g_string_append_c(p, '%');
	return g_string_free(p, FALSE);
}

/* Binds a `where` (sqlite_sql_where()) after the filters; *pattern is the
 * LIKE pattern bound (the caller g_free()s it after the statement ran). */
static void sqlite_bind_where(sqlite3_stmt *st, const rtk_store_op *op, char **pattern)
{
	int nf = rtk_store_n_filters(op->res);
	sqlite_bind_filters(st, op);
	if (op->where->contains && !*pattern)
		*pattern = sqlite_like_pattern(op->where->contains);
	sqlite_bind_text(st, nf + 3, *pattern);
	sqlite_bind_text(st, nf + 4, op->where->since);
	sqlite_bind_text(st, nf + 5, op->where->until);
}

/* A list with a `where`: counted by a scan of what it selects. */
static rtk_store_status sqlite_run_list_where(rtk_store_conn *c, sqlite3_stmt *const *stmt, rtk_store_op *op)
{
	sqlite3_stmt *list = stmt[Q_LIST_WHERE], *count = stmt[Q_COUNT_WHERE];
	if (!list || !count)
		return RTK_STORE_FAILED;   /* a table without searched or ranged columns */
	int nf = rtk_store_n_filters(op->res);
	char *pattern = NULL;
	sqlite_bind_where(list, op, &pattern);
	sqlite3_bind_int(list, nf + 1, op->limit < 0 ? -1 : op->limit);
	sqlite3_bind_int(list, nf + 2, op->offset);
	rtk_store_status status;
	if (!op->total) {
		status = sqlite_fetch_all(c, list, op->res, &op->result);
	} else {
		sqlite_bind_where(count, op, &pattern);
		status = sqlite_list_page(c, count, list, op->res, &op->result, op->total);
	}
	g_free(pattern);
	return status;
}

static rtk_store_status sqlite_run_list(rtk_store_conn *c, sqlite3_stmt *const *stmt, rtk_store_op *op)
{
	const rtk_store_where *w = op->where;
	if (w && (w->contains || w->since || w->until))
		return sqlite_run_list_where(c, stmt, op);
	int nf = rtk_store_n_filters(op->res), lead = 0;
	while (lead < nf && !op->filter[lead])
		lead++;
	lead = lead < nf ? lead + 1 : 0;
	sqlite3_stmt *list = stmt[Q_LIST + lead];
	if (!list)
		return RTK_STORE_FAILED;   /* a table that is never listed */
	sqlite_bind_filters(list, op);
	sqlite3_bind_int(list, nf + 1, op->limit < 0 ? -1 : op->limit);
	sqlite3_bind_int(list, nf + 2, op->offset);
	if (!op->total)
		return sqlite_fetch_all(c, list, op->res, &op->result);
	sqlite3_stmt *count = stmt[sqlite_counted(op) ? Q_COUNTED : Q_COUNT + lead];
	sqlite_bind_filters(count, op);
	return sqlite_list_page(c, count, list, op->res, &op->result, op->total);
}

/* GET and DELETE look their row up by a key at ?1 and the scope at ?2. */
static void sqlite_bind_key(sqlite3_stmt *st, const rtk_store_op *op)
{
	sqlite_bind_text(st, 1, op->key);
	if (op->res->scope)
		sqlite_bind_text(st, 2, op->scope);
}

static rtk_store_status sqlite_run_delete(rtk_store_conn *c, sqlite3_stmt *st, const rtk_store_op *op)
{
	sqlite_bind_key(st, op);
	rtk_store_status status = sqlite_status_of(c, sqlite3_step(st), sqlite3_sql(st));
	if (status == RTK_STORE_OK && sqlite3_changes(c->db) == 0)
		status = RTK_STORE_NOT_FOUND;
	sqlite_done(st);
	return status;
}

/* The FTS5 query for the words of `text`: each quoted (a quote doubled),
 * so that no word is read as an operator, and made a prefix ("w"*); FTS5
 * requires all of them. NULL when `text` has no word; g_free() it. */
static char *sqlite_fts_query(const char *text)
{
	char **words = g_strsplit_set(text ? text : "", " \t\r\n", -1);
	GString *query = g_string_new(NULL);
	for (int i = 0; words[i] != NULL; i++) {
		if (words[i][0] == '\0')
			continue;
		if (query->len > 0)
			g_string_append_c(query, ' ');
		g_string_append_c(query, '"');
		for (const char *p = words[i]; *p; p++) {
			if (*p == '"')
				g_string_append_c(query, '"');
			g_string_append_c(query, *p);
		}
		g_string_append(query, "\"*");
	}
	g_strfreev(words);
	return g_string_free(query, query->len == 0);
}

static rtk_store_status sqlite_run_search(rtk_store_conn *c, sqlite3_stmt *st, rtk_store_op *op)
{
	if (!st)
		return RTK_STORE_FAILED;
	char *query = sqlite_fts_query(op->key);
	if (!query) {
		op->result = json_array();
		return RTK_STORE_OK;
	}
	sqlite_bind_text(st, 1, query);
	sqlite_bind_text(st, 2, op->filter[0]);
	sqlite3_bind_int(st, 3, op->limit < 0 ? -1 : op->limit);
	rtk_store_status status = sqlite_fetch_all(c, st, op->res, &op->result);
	g_free(query);
	return status;
}

static rtk_store_status sqlite_run(rtk_store_conn *c, rtk_store_op *op)
{
	sqlite3_stmt *const *stmt = c->stmt[op->res - rtk_store_resources];
	switch (op->verb) {
	case RTK_STORE_INSERT:
	case RTK_STORE_UPDATE: {
		sqlite3_stmt *st = stmt[op->verb == RTK_STORE_INSERT ? Q_INSERT : Q_UPDATE];
		sqlite_bind_row(st, op->res, op->row);
		return sqlite_step_once(c, st);
	}
	case RTK_STORE_GET:
		if (op->by < 0 || op->by >= RTK_STORE_MAX_KEYS || !stmt[Q_GET + op->by])
			return RTK_STORE_FAILED;
		sqlite_bind_key(stmt[Q_GET + op->by], op);
		return sqlite_fetch_one(c, stmt[Q_GET + op->by], op->res, &op->result);
	case RTK_STORE_LIST:
		return sqlite_run_list(c, stmt, op);
	case RTK_STORE_DELETE:
		return sqlite_run_delete(c, stmt[Q_DELETE], op);
	case RTK_STORE_PURGE: {
		if (!stmt[Q_PURGE])
			return RTK_STORE_FAILED;
		sqlite_bind_text(stmt[Q_PURGE], 1, op->filter[0]);
		return sqlite_step_once(c, stmt[Q_PURGE]);
	}
	case RTK_STORE_SEARCH:
		return sqlite_run_search(c, stmt[Q_SEARCH], op);
	}
	return RTK_STORE_FAILED;
}

static rtk_store_status sqlite_exec(rtk_store_conn *c, rtk_store_op *op)
{
	op->result = NULL;
	rtk_store_status status = sqlite_run(c, op);
	if (status != RTK_STORE_OK) {
		json_decref(op->result);
		op->result = NULL;
	}
	return status;
}

const rtk_store_backend rtk_store_sqlite = {
	.name = "sqlite",
	.open = sqlite_db_open,
	.close = sqlite_db_close,
	.read_begin = sqlite_read_begin,
	.read_end = sqlite_read_end,
	.write_begin = sqlite_write_begin,
	.write_end = sqlite_write_end,
	.exec = sqlite_exec,
};
