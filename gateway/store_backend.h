/*
 * store_backend.h - what the store's generic operations (store.c) and a
 * backend (store_sqlite.c; store_pg.c, PostgreSQL) share:
 *   - how a table is described, once (rtk_store_resource, its columns,
 *     keys, filters and order; the descriptors are in store_resources.c);
 *   - the five operations a backend runs on a described table
 *     (rtk_store_op: insert, get, list, update, delete);
 *   - the backend itself (rtk_store_backend): open, close, a connection to
 *     read on, the shared write transaction, exec of one operation;
 *   - the schema's steps, listed once for every backend, each in every
 *     backend's SQL dialect (rtk_store_migrations[], store_migrations.c).
 * store.c builds rows (defaults, the caller's fields, ids, stamps) and
 * calls resource-specific hooks; a backend only stores and reads rows the
 * descriptors describe, and owns the durability and the concurrency that
 * store.h promises.
 *
 * Not a public interface: only gateway/store*.c include it.
 */
#ifndef RTK_STORE_BACKEND_H
#define RTK_STORE_BACKEND_H

#include <glib.h>
#include <stdbool.h>
#include <jansson.h>

#include "store.h"

/* ---- describing a table ---- */

/* How a column stores its JSON value. */
typedef enum rtk_store_type {
	RTK_STORE_TEXT,       /* a string, or null */
	RTK_STORE_BOOL,       /* true or false */
	RTK_STORE_INT,        /* an integer */
	RTK_STORE_JSON,       /* any JSON value, stored as its compact text */
	RTK_STORE_TIMESTAMP,  /* ISO 8601 UTC text with milliseconds */
	RTK_STORE_DOCUMENT    /* the whole row's object: the other columns are copies of its keys */
} rtk_store_type;

/* Which JSON types a column takes from a caller's fields; for JSON and
 * DOCUMENT columns also the types a stored value must have (else the row
 * is corrupt). */
#define RTK_STORE_TAKES_STRING (1u << JSON_STRING)
#define RTK_STORE_TAKES_NULL (1u << JSON_NULL)
#define RTK_STORE_TAKES_BOOL ((1u << JSON_TRUE) | (1u << JSON_FALSE))
#define RTK_STORE_TAKES_ARRAY (1u << JSON_ARRAY)
#define RTK_STORE_TAKES_OBJECT (1u << JSON_OBJECT)
#define RTK_STORE_TAKES_ANY 0xffu

/* Column flags. */
#define RTK_STORE_REQUIRED 1u   /* a write needs a value of its type: else RTK_STORE_FAILED */
#define RTK_STORE_FIXED 2u      /* set by create, never changed by update */

/* What the store generates for a column a create leaves unset. */
typedef enum rtk_store_generated {
	RTK_STORE_NOT_GENERATED,
	RTK_STORE_UUID,       /* a UUID v4: the ids the store assigns */
	RTK_STORE_SECRET      /* RTK_STORE_SECRET_BYTES random bytes as hex digits */
} rtk_store_generated;
#define RTK_STORE_SECRET_BYTES 32

/* A column read through another table's row (a participant's preset
 * name): `via` holds the `key` of that row, whose `column` is read. Never
 * written: the row's `via` column is. */
typedef struct rtk_store_through {
	const char *table;
	const char *key;
	const char *column;
	const char *via;
} rtk_store_through;

typedef struct rtk_store_column {
	const char *field;        /* its JSON key (NULL for the DOCUMENT column) */
	const char *column;       /* its SQL column (of `through.table` when read through) */
	rtk_store_type type;
	unsigned takes;           /* RTK_STORE_TAKES_*; 0: only the store or a hook sets it */
	unsigned flags;           /* RTK_STORE_REQUIRED, RTK_STORE_FIXED */
	/* Its value at create when the fields leave it unset: this JSON text,
	 * or generated. */
	const char *initial;
	rtk_store_generated generated;
	rtk_store_through through;   /* .table not NULL: read through that table */
} rtk_store_column;

#define RTK_STORE_MAX_KEYS 2
#define RTK_STORE_MAX_FILTERS 2
#define RTK_STORE_MAX_SEARCHED 2

typedef struct rtk_store_resource {
	const char *name;         /* singular, for logs: "meeting" */
	const char *table;
	const rtk_store_column *columns;
	int n_columns;
	/* Columns a row is looked up by: keys[0] is its id; the others are
	 * unique too (a preset's name). */
	const char *keys[RTK_STORE_MAX_KEYS];
	/* A column get and delete may also require to equal a value (a
	 * participant's meeting), or NULL. */
	const char *scope;
	/* The insertion order lists follow (NULL: never listed), newest or
	 * oldest first, and the columns a list may filter on by equality. */
	const char *order;
	bool newest_first;
	const char *filters[RTK_STORE_MAX_FILTERS];
	/* Counts (store_sqlite.c, "Counts"): the backend keeps this table's row
	 * total, and one per value of `counted_by` when not NULL, so that a
	 * list filtered by nothing else counts no rows. */
	bool counted;
	const char *counted_by;
	/* Create sets these keys to now when absent (NULL-ended); update sets
	 * `stamped_at_update` to now when not NULL. */
	const char *const *stamped_at_create;
	const char *stamped_at_update;
	/* The backend's full-text index of this table's rows (RTK_STORE_SEARCH),
	 * or NULL: what it indexes is the backend's schema's business. */
	const char *search_index;
	/* RTK_STORE_PURGE may delete every row of one filters[0] value. */
	bool purgeable;
	/* A list's `where` (rtk_store_where): the text columns `contains`
	 * looks in, and the timestamp column `since`/`until` bound; NULL:
	 * the table has no such narrowing. */
	const char *searched[RTK_STORE_MAX_SEARCHED];
	const char *ranged;
} rtk_store_resource;

/* Every table, in one array (store_resources.c); an operation names its
 * table by a pointer into it. */
enum rtk_store_table {
	RTK_STORE_META, RTK_STORE_MEETINGS, RTK_STORE_PRESETS, RTK_STORE_PARTICIPANTS,
	RTK_STORE_TOKENS, RTK_STORE_RECORDINGS, RTK_STORE_LIVESTREAMS, RTK_STORE_WEBHOOKS,
	RTK_STORE_CHAT,
	RTK_STORE_SESSIONS, RTK_STORE_SESSION_PARTICIPANTS, RTK_STORE_PLUGINS,
	RTK_STORE_NODES, RTK_STORE_PLACEMENTS,
	RTK_STORE_TABLES
};
extern const rtk_store_resource rtk_store_resources[RTK_STORE_TABLES];

/* The DOCUMENT column of `r`, or NULL when its rows are built from columns. */
const rtk_store_column *rtk_store_document_column(const rtk_store_resource *r);
/* How many filters `r` lists. */
int rtk_store_n_filters(const rtk_store_resource *r);
/* Whether `col` is a column of its own table (else read through another). */
int rtk_store_column_written(const rtk_store_column *col);
/* Appends to `q` the SELECT ... FROM of a row of `r`, the same SQL in both
 * backends: a document table's DOCUMENT column alone, else every column,
 * those read through another table from a LEFT JOIN of it. */
void rtk_store_sql_select(GString *q, const rtk_store_resource *r);

/* ---- operations ---- */

typedef enum rtk_store_verb {
	RTK_STORE_INSERT,   /* `row` as a new row */
	RTK_STORE_GET,      /* the row whose keys[by] is `key` (and scope, `scope`) */
	RTK_STORE_LIST,     /* a page of the rows matching `filter` */
	RTK_STORE_UPDATE,   /* `row` over the row with its id (FIXED columns kept) */
	RTK_STORE_DELETE,   /* the row whose id is `key` (and scope, `scope`) */
	RTK_STORE_PURGE,    /* every row whose filters[0] is filter[0] (none: still OK) */
	RTK_STORE_SEARCH    /* up to `limit` rows holding every word of `key` (each also as a
	                     * prefix) whose filters[0] is filter[0], best match first (search_index) */
} rtk_store_verb;

/* One operation. Inputs are borrowed; `result` receives a NEW reference
 * the caller json_decref()s: GET the row (NOT_FOUND: none), LIST a new
 * array; it is NULL unless the status is OK. DELETE is NOT_FOUND when no
 * row went. */
/* What narrows a LIST beyond its equality filters, for tables with
 * `searched` or `ranged` columns; a NULL member narrows nothing. Such a
 * list is counted by a scan of the rows its filters select. */
typedef struct rtk_store_where {
	const char *contains;   /* one of res->searched holds this text (ASCII letters in either case) */
	const char *since;      /* res->ranged >= this timestamp (the store's text form) */
	const char *until;      /* res->ranged <= this */
} rtk_store_where;

typedef struct rtk_store_op {
	rtk_store_verb verb;
	const rtk_store_resource *res;    /* a pointer into rtk_store_resources */
	int by;
	const char *key;
	const char *scope;                /* NULL: any */
	const json_t *row;
	const char *filter[RTK_STORE_MAX_FILTERS];   /* by res->filters ("true"/"false" for a bool); NULL: any */
	int offset;
	int limit;                        /* < 0: no limit */
	int *total;                       /* all the matching rows, in the page's snapshot; NULL: not counted */
	const rtk_store_where *where;     /* LIST: more narrowing, or NULL */
	json_t *result;
} rtk_store_op;

/* ---- the backend ---- */

typedef struct rtk_store_db rtk_store_db;       /* a backend's open store */
typedef struct rtk_store_conn rtk_store_conn;   /* one connection, used by one caller at a time */

typedef struct rtk_store_backend {
	const char *name;
	/* Opens the store at `location` (the SQLite file, the PostgreSQL
	 * URL or conninfo), creating it (SQLite) and
	 * bringing its schema up to date, ready for the operations on
	 * rtk_store_resources. NULL and *error (free()) on failure. */
	rtk_store_db *(*open)(const char *location, char **error);
	/* No call may be in progress. */
	void (*close)(rtk_store_db *db);
	/* A connection for reads, never waiting behind a write; NULL (logged)
	 * when none can be had. Every read_begin() is paired with read_end(). */
	rtk_store_conn *(*read_begin)(rtk_store_db *db);
	void (*read_end)(rtk_store_db *db, rtk_store_conn *conn);
	/* The writer, for one atomic write, whose operations see the writes
	 * before it. *status says whether the write may go on. Every
	 * write_begin() is paired with write_end(), whatever happened: with
	 * OK the write is kept and write_end() returns once it is durable (or
	 * how that failed); otherwise it is undone and its status returned. */
	rtk_store_conn *(*write_begin)(rtk_store_db *db, rtk_store_status *status);
	rtk_store_status (*write_end)(rtk_store_db *db, rtk_store_status status);
	/* Runs one operation on a connection of read_begin() or write_begin().
	 * CONFLICT: a unique key or a reference (a preset in use) refused it. */
	rtk_store_status (*exec)(rtk_store_conn *conn, rtk_store_op *op);
} rtk_store_backend;

/* The SQLite backend (store_sqlite.c). */
extern const rtk_store_backend rtk_store_sqlite;
#ifdef RTK_HAVE_LIBPQ
/* The PostgreSQL backend (store_pg.c): open() takes a libpq connection
 * URL (postgres://, postgresql://) or conninfo string. */
extern const rtk_store_backend rtk_store_postgres;
#endif

/* ---- the schema ---- */

/* A column a migration adds to a table that exists, with its declaration
 * in each dialect. */
typedef struct rtk_store_added_column {
	const char *table, *column;
	const char *sqlite, *postgres;
} rtk_store_added_column;

#define RTK_STORE_MAX_ADDED 6

/* One step of the schema (store_migrations.c): its SQL in each dialect,
 * run after its added columns (`added`, ended by a NULL table). */
typedef struct rtk_store_migration {
	const char *sqlite;
	const char *postgres;
	rtk_store_added_column added[RTK_STORE_MAX_ADDED];
} rtk_store_migration;

/* Every step, in order: a store at version v has run the first v. */
extern const rtk_store_migration rtk_store_migrations[];
extern const int rtk_store_schema_version;

#endif
