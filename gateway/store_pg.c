/*
 * store_pg.c - the PostgreSQL backend of the store (rtk_store_postgres, see
 * store_backend.h), chosen by RTK_DATABASE_URL: its connections (libpq),
 * the schema's steps in PostgreSQL's dialect (store_migrations.c), and the
 * SQL of the operations store.c runs on the tables store_resources.c
 * describes. Like store_sqlite.c it owns the durability and concurrency
 * store.h promises and knows nothing of what a meeting is.
 *
 * Connections. One writer connection, used under `write_lock` by one write
 * at a time, and a pool of up to RTK_STORE_PG_READERS reader connections,
 * opened on demand and handed to one reader at a time: a read never waits
 * behind a write (PostgreSQL's MVCC), and readers do not wait for each
 * other. A connection found broken (the server restarted, or ended the
 * session) is reset: before it is handed out when libpq knows it already,
 * else when its first statement fails, and that statement runs again (a
 * read, or a write's BEGIN: nothing was done yet). A write whose
 * connection breaks after its BEGIN fails (FAILED); the next one
 * reconnects.
 *
 * Writes. Every write is one transaction (BEGIN ... COMMIT) on the writer.
 * Its first statement takes a transaction-scoped advisory lock
 * (RTK_STORE_PG_WRITE_LOCK), so the writes of every process sharing the
 * database take turns, as SQLite's one writer does: store.c's writes read
 * a row and write it back (an update merges fields; a token generation
 * moves up by one), and each sees every write acknowledged before it
 * began, whichever gateway made it. There is no batching of our own: a
 * write's COMMIT is its sync. Reads are not locked and see the writes
 * committed when their statement (a list: its transaction) began.
 *
 * Durability. Every connection sets synchronous_commit to on, whatever the
 * server's default, so a COMMIT returns only once the server has flushed
 * its WAL: an acknowledged write survives a crash of either process and a
 * power loss. A COMMIT whose answer is lost (the connection broke) is
 * reported FAILED, though the server may have kept it.
 *
 * Statements are written per call from the descriptors (no prepared
 * statements: a filter not given is left out of the SQL, not bound as
 * NULL), with every value a parameter ($1, $2, ...) of PQexecParams, in
 * text form: booleans "true"/"false", integers in decimal, JSON values as
 * their compact text.
 *
 * Counts. As on SQLite (store_sqlite.c, "Counts"): the counted tables'
 * totals are in row_counts, kept by triggers; a list and its count run in
 * one REPEATABLE READ transaction, so that they agree.
 *
 * Search. The chat's words are matched by PostgreSQL's full-text search
 * with the 'simple' configuration (lower case, no stemming, no stop
 * words), each word as a prefix ('word':*), ranked by ts_rank. It differs
 * from SQLite's FTS5 where PostgreSQL's parser keeps a token whole that
 * FTS5 splits (an e-mail address, a host name, a path) and in accents:
 * FTS5 matches "cafe" in "café", PostgreSQL does not.
 *
 * Rows leave as Jansson objects built from the row just read
 * (pg_read_row()), exactly as store_sqlite.c builds them.
 */
#include "store_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <libpq-fe.h>

#include "util.h"

/* Reader connections kept open at most; readers beyond this wait for one
 * to come back. */
#define RTK_STORE_PG_READERS 8
/* The advisory lock every write and every migration holds until its
 * transaction ends ("rtkstore"). */
#define RTK_STORE_PG_WRITE_LOCK "8247343454225772389"
/* Parameters of one statement at most. */
#define PG_MAX_PARAMS 64

struct rtk_store_conn {
	PGconn *pg;
	int in_txn;   /* a transaction is open on it (a write's, or a list's) */
	int reader;   /* one of the readers: its operations only read */
};

struct rtk_store_db {
	char *conninfo;

	GMutex write_lock;            /* held from write_begin() to write_end() */
	rtk_store_conn *writer;

	/* The readers, under read_lock (never held across a libpq call). */
	GMutex read_lock;
	GCond reader_back;
	rtk_store_conn *idle[RTK_STORE_PG_READERS];
	int n_idle;
	rtk_store_conn *readers[RTK_STORE_PG_READERS];
	int n_readers;
	int opening;
};

/* ---- statements and their parameters ---- */

/* The parameters of one statement, in order; `owned` ones are freed by
 * pg_params_clear(). */
typedef struct pg_params {
	int n;
	const char *value[PG_MAX_PARAMS];
	char *owned[PG_MAX_PARAMS];
} pg_params;

/* Appends a parameter (NULL: SQL NULL) and returns its number ($n). The
 * text is borrowed when `own` is 0, else freed with the parameters. */
static int pg_param(pg_params *p, const char *text, int own)
{
	if (p->n >= PG_MAX_PARAMS) {   /* the descriptors never come near */
		if (own)
			free((char *)text);
		return p->n;
	}
	p->value[p->n] = text;
	p->owned[p->n] = own ? (char *)text : NULL;
	return ++p->n;
}

static void pg_params_clear(pg_params *p)
{
	for (int i = 0; i < p->n; i++)
		free(p->owned[i]);
	p->n = 0;
}

/* A JSON value's compact text (malloc'd); "{}" when there is none. */
static char *pg_json_text(const json_t *v)
{
	char *text = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	return text ? text : strdup("{}");
}

/* A column's value from a row as a parameter: text binds a JSON string,
 * NULL anything else; a bool "true" or "false". */
static int pg_param_value(pg_params *p, rtk_store_type type, const json_t *v)
{
	switch (type) {
	case RTK_STORE_TEXT:
	case RTK_STORE_TIMESTAMP:
		return pg_param(p, json_string_value(v), 0);
	case RTK_STORE_BOOL:
		return pg_param(p, json_is_true(v) ? "true" : "false", 0);
	case RTK_STORE_INT:
		return pg_param(p, g_strdup_printf("%" JSON_INTEGER_FORMAT, json_integer_value(v)), 1);
	case RTK_STORE_JSON:
	case RTK_STORE_DOCUMENT:
		break;
	}
	return pg_param(p, pg_json_text(v), 1);
}

/* Maps a result to a store status: a unique key or a foreign key refused
 * it (CONFLICT), or anything else went wrong (FAILED, logged). */
static rtk_store_status pg_status_of(PGresult *res, PGconn *pg, const char *what)
{
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return RTK_STORE_OK;
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (state && (strcmp(state, "23505") == 0 || strcmp(state, "23503") == 0))
		return RTK_STORE_CONFLICT;
	const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(pg);
	g_warning("rtk store: %s: %s", what, msg && *msg ? msg : "no answer from the server");
	return RTK_STORE_FAILED;
}

/* Runs `sql` with `p`'s parameters (may be NULL); *status says how it went.
 * The result (PQclear() it) is NULL unless OK. */
static PGresult *pg_run(rtk_store_conn *c, const char *sql, const pg_params *p, rtk_store_status *status)
{
	PGresult *res = PQexecParams(c->pg, sql, p ? p->n : 0, NULL, p ? p->value : NULL, NULL, NULL, 0);
	*status = pg_status_of(res, c->pg, sql);
	if (*status != RTK_STORE_OK) {
		PQclear(res);
		return NULL;
	}
	return res;
}

/* Runs a statement whose rows are not wanted. */
static rtk_store_status pg_command(rtk_store_conn *c, const char *sql, const pg_params *p)
{
	rtk_store_status status;
	PQclear(pg_run(c, sql, p, &status));
	return status;
}

/* Ends the open transaction: COMMIT when `status` is OK (FAILED when the
 * server rolled it back instead: an earlier statement failed), else
 * ROLLBACK. */
static rtk_store_status pg_txn_end(rtk_store_conn *c, rtk_store_status status)
{
	c->in_txn = 0;
	if (status != RTK_STORE_OK) {
		PQclear(PQexec(c->pg, "ROLLBACK"));
		return status;
	}
	PGresult *res = PQexec(c->pg, "COMMIT");
	status = pg_status_of(res, c->pg, "COMMIT");
	if (status == RTK_STORE_OK && strcmp(PQcmdStatus(res), "COMMIT") != 0)
		status = RTK_STORE_FAILED;
	PQclear(res);
	return status;
}

/* ---- rows: reading by column type ---- */

/* A stored JSON value; NULL (logged) when it does not parse or has a type
 * the column does not take. */
static json_t *pg_read_json(PGresult *res, int row, int idx, const rtk_store_resource *r,
	const rtk_store_column *col)
{
	json_t *v = PQgetisnull(res, row, idx) ? NULL :
		json_loads(PQgetvalue(res, row, idx), JSON_DECODE_ANY, NULL);
	if (!v || !(col->takes & (1u << json_typeof(v)))) {
		const char *id = col->type == RTK_STORE_DOCUMENT ? NULL : PQgetvalue(res, row, 0);
		g_warning("rtk store: %s %s has a corrupt %s column", r->name, id ? id : "?", col->column);
		json_decref(v);
		return NULL;
	}
	return v;
}

static json_t *pg_read_value(PGresult *res, int row, int idx, const rtk_store_resource *r,
	const rtk_store_column *col)
{
	if (col->type != RTK_STORE_JSON && col->type != RTK_STORE_DOCUMENT && PQgetisnull(res, row, idx))
		return col->type == RTK_STORE_TEXT || col->type == RTK_STORE_TIMESTAMP ? json_null() : NULL;
	const char *text = PQgetvalue(res, row, idx);
	switch (col->type) {
	case RTK_STORE_TEXT:
	case RTK_STORE_TIMESTAMP:
		return json_string(text);
	case RTK_STORE_BOOL:
		return json_boolean(text[0] == 't');
	case RTK_STORE_INT:
		return json_integer(g_ascii_strtoll(text, NULL, 10));
	case RTK_STORE_JSON:
	case RTK_STORE_DOCUMENT:
		break;
	}
	return pg_read_json(res, row, idx, r, col);
}

/* Row `row` of a result of rtk_store_sql_select() as a new object; NULL when it
 * is corrupt. `doc` is the table's DOCUMENT column, or NULL. */
static json_t *pg_read_row(PGresult *res, int row, const rtk_store_resource *r, const rtk_store_column *doc)
{
	if (doc)
		return pg_read_json(res, row, 0, r, doc);
	json_t *obj = json_object();
	for (int i = 0; i < r->n_columns; i++) {
		json_t *v = pg_read_value(res, row, i, r, &r->columns[i]);
		if (!v) {
			json_decref(obj);
			return NULL;
		}
		json_object_set_new_nocheck(obj, r->columns[i].field, v);
	}
	return obj;
}

/* Every row of a result into a new array; NULL when one is corrupt. */
static json_t *pg_read_rows(PGresult *res, const rtk_store_resource *r)
{
	const rtk_store_column *doc = rtk_store_document_column(r);
	json_t *array = json_array();
	for (int i = 0; array && i < PQntuples(res); i++) {
		json_t *item = pg_read_row(res, i, r, doc);
		if (!item) {
			json_decref(array);
			return NULL;
		}
		json_array_append_new(array, item);
	}
	return array;
}

/* ---- the SQL of the operations, from the descriptors ---- */

/* " WHERE key = $k" and, when a scope is given, " AND scope = $s". */
static void pg_sql_key(GString *q, pg_params *p, const rtk_store_op *op, const char *key)
{
	const rtk_store_resource *r = op->res;
	g_string_append_printf(q, " WHERE %s.%s = $%d", r->table, key, pg_param(p, op->key, 0));
	if (r->scope && op->scope)
		g_string_append_printf(q, " AND %s.%s = $%d", r->table, r->scope, pg_param(p, op->scope, 0));
}

/* The LIKE pattern of a `contains` text: itself, its % _ and \ escaped,
 * between two % (malloc'd). */
static char *pg_like_pattern(const char *text)
{
	GString *p = g_string_new("%");
	for (const char *c = text; *c; c++) {
		if (*c == '%' || *c == '_' || *c == '\\')
			g_string_append_c(p, '\\');
		g_string_append_c(p, *c);
	}
	g_string_append_c(p, '%');
	char *pattern = strdup(p->str);
	g_string_free(p, TRUE);
	return pattern;
}

/* The WHERE of a list or count: every filter given, then the `where`. */
static void pg_sql_where(GString *q, pg_params *p, const rtk_store_op *op)
{
	const rtk_store_resource *r = op->res;
	const char *and = " WHERE ";
	for (int i = 0; i < rtk_store_n_filters(r); i++) {
		if (!op->filter[i])
			continue;
		g_string_append_printf(q, "%s%s.%s = $%d", and, r->table, r->filters[i], pg_param(p, op->filter[i], 0));
		and = " AND ";
	}
	const rtk_store_where *w = op->where;
	if (w && w->contains && r->searched[0]) {
		int n = pg_param(p, pg_like_pattern(w->contains), 1);
		g_string_append_printf(q, "%s(", and);
		for (int i = 0; i < RTK_STORE_MAX_SEARCHED && r->searched[i]; i++)
			g_string_append_printf(q, "%s%s.%s ILIKE $%d ESCAPE '\\'", i ? " OR " : "", r->table,
				r->searched[i], n);
		g_string_append(q, ")");
		and = " AND ";
	}
	if (w && w->since && r->ranged) {
		g_string_append_printf(q, "%s%s.%s >= $%d", and, r->table, r->ranged, pg_param(p, w->since, 0));
		and = " AND ";
	}
	if (w && w->until && r->ranged)
		g_string_append_printf(q, "%s%s.%s <= $%d", and, r->table, r->ranged, pg_param(p, w->until, 0));
}

/* Whether row_counts has the total of this list: its table is counted,
 * it filters on nothing but the counted column and has no `where`. */
static int pg_counted(const rtk_store_op *op)
{
	const rtk_store_resource *r = op->res;
	const rtk_store_where *w = op->where;
	if (w && (w->contains || w->since || w->until))
		return 0;
	for (int i = 0; i < rtk_store_n_filters(r); i++)
		if (op->filter[i] && (!r->counted_by || strcmp(r->filters[i], r->counted_by) != 0))
			return 0;
	return r->counted;
}

/* The name of a counted list's counter: "table", or "table:value" when
 * the counted_by filter is given (malloc'd). */
static char *pg_counter_name(const rtk_store_op *op)
{
	const rtk_store_resource *r = op->res;
	for (int i = 0; i < rtk_store_n_filters(r) && r->counted_by; i++)
		if (op->filter[i] && strcmp(r->filters[i], r->counted_by) == 0)
			return g_strdup_printf("%s:%s", r->table, op->filter[i]);
	return g_strdup(r->table);
}

/* ---- operations ---- */

/* Runs a GET: *out is the row (OK) or NULL (NOT_FOUND, FAILED). */
static rtk_store_status pg_run_get(rtk_store_conn *c, rtk_store_op *op)
{
	const rtk_store_resource *r = op->res;
	if (op->by < 0 || op->by >= RTK_STORE_MAX_KEYS || !r->keys[op->by])
		return RTK_STORE_FAILED;
	GString *q = g_string_new(NULL);
	pg_params p = { 0 };
	rtk_store_sql_select(q, r);
	pg_sql_key(q, &p, op, r->keys[op->by]);
	rtk_store_status status;
	PGresult *res = pg_run(c, q->str, &p, &status);
	if (res && PQntuples(res) == 0) {
		status = RTK_STORE_NOT_FOUND;
	} else if (res) {
		op->result = pg_read_row(res, 0, r, rtk_store_document_column(r));
		if (!op->result)
			status = RTK_STORE_FAILED;
	}
	PQclear(res);
	pg_params_clear(&p);
	g_string_free(q, TRUE);
	return status;
}

/* INSERT of a row: every written column; UPDATE: every written column but
 * the FIXED ones, of the row with its id. */
static rtk_store_status pg_run_write(rtk_store_conn *c, rtk_store_op *op)
{
	const rtk_store_resource *r = op->res;
	GString *q = g_string_new(NULL), *values = g_string_new(NULL);
	pg_params p = { 0 };
	const char *id = NULL;
	int set = 0;
	if (op->verb == RTK_STORE_INSERT)
		g_string_append_printf(q, "INSERT INTO %s(", r->table);
	else
		g_string_append_printf(q, "UPDATE %s SET ", r->table);
	for (int i = 0; i < r->n_columns; i++) {
		const rtk_store_column *col = &r->columns[i];
		if (!rtk_store_column_written(col))
			continue;
		const json_t *v = col->type == RTK_STORE_DOCUMENT ? op->row : json_object_get(op->row, col->field);
		if (op->verb == RTK_STORE_UPDATE && strcmp(col->column, r->keys[0]) == 0) {
			id = json_string_value(v);
			continue;
		}
		if (op->verb == RTK_STORE_UPDATE && (col->flags & RTK_STORE_FIXED))
			continue;
		int n = pg_param_value(&p, col->type, v);
		if (op->verb == RTK_STORE_INSERT) {
			g_string_append_printf(q, "%s%s", set ? ", " : "", col->column);
			g_string_append_printf(values, "%s$%d", set ? ", " : "", n);
		} else {
			g_string_append_printf(q, "%s%s = $%d", set ? ", " : "", col->column, n);
		}
		set++;
	}
	if (op->verb == RTK_STORE_INSERT)
		g_string_append_printf(q, ") VALUES (%s)", values->str);
	else
		g_string_append_printf(q, " WHERE %s = $%d", r->keys[0], pg_param(&p, id, 0));
	rtk_store_status status = set ? pg_command(c, q->str, &p) : RTK_STORE_OK;
	pg_params_clear(&p);
	g_string_free(values, TRUE);
	g_string_free(q, TRUE);
	return status;
}

/* DELETE of the row with the key (NOT_FOUND: none), or PURGE of every row
 * of one filters[0] value. */
static rtk_store_status pg_run_delete(rtk_store_conn *c, rtk_store_op *op)
{
	const rtk_store_resource *r = op->res;
	GString *q = g_string_new(NULL);
	pg_params p = { 0 };
	g_string_printf(q, "DELETE FROM %s", r->table);
	if (op->verb == RTK_STORE_PURGE) {
		if (!r->purgeable || !r->filters[0]) {
			g_string_free(q, TRUE);
			return RTK_STORE_FAILED;
		}
		g_string_append_printf(q, " WHERE %s = $%d", r->filters[0], pg_param(&p, op->filter[0], 0));
	} else {
		pg_sql_key(q, &p, op, r->keys[0]);
	}
	rtk_store_status status;
	PGresult *res = pg_run(c, q->str, &p, &status);
	if (res && op->verb == RTK_STORE_DELETE && strcmp(PQcmdTuples(res), "0") == 0)
		status = RTK_STORE_NOT_FOUND;
	PQclear(res);
	pg_params_clear(&p);
	g_string_free(q, TRUE);
	return status;
}

/* The count of a list into *total. */
static rtk_store_status pg_run_count(rtk_store_conn *c, const rtk_store_op *op, int *total)
{
	GString *q = g_string_new(NULL);
	pg_params p = { 0 };
	if (pg_counted(op)) {
		g_string_printf(q, "SELECT coalesce((SELECT n FROM row_counts WHERE name = $%d), 0)",
			pg_param(&p, pg_counter_name(op), 1));
	} else {
		g_string_printf(q, "SELECT count(*) FROM %s", op->res->table);
		pg_sql_where(q, &p, op);
	}
	rtk_store_status status;
	PGresult *res = pg_run(c, q->str, &p, &status);
	if (res && PQntuples(res) == 1)
		*total = (int)g_ascii_strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	else if (status == RTK_STORE_OK)
		status = RTK_STORE_FAILED;
	PQclear(res);
	pg_params_clear(&p);
	g_string_free(q, TRUE);
	return status;
}

/* The page of a list into op->result. */
static rtk_store_status pg_run_page(rtk_store_conn *c, rtk_store_op *op)
{
	const rtk_store_resource *r = op->res;
	GString *q = g_string_new(NULL);
	pg_params p = { 0 };
	rtk_store_sql_select(q, r);
	pg_sql_where(q, &p, op);
	int limit = pg_param(&p, op->limit < 0 ? NULL : g_strdup_printf("%d", op->limit), 1);
	int offset = pg_param(&p, g_strdup_printf("%d", op->offset < 0 ? 0 : op->offset), 1);
	g_string_append_printf(q, " ORDER BY %s.%s%s LIMIT $%d::bigint OFFSET $%d::bigint", r->table, r->order,
		r->newest_first ? " DESC" : "", limit, offset);
	rtk_store_status status;
	PGresult *res = pg_run(c, q->str, &p, &status);
	if (res) {
		op->result = pg_read_rows(res, r);
		if (!op->result)
			status = RTK_STORE_FAILED;
	}
	PQclear(res);
	pg_params_clear(&p);
	g_string_free(q, TRUE);
	return status;
}

/* A LIST: its page, and its count in the same snapshot when asked (a
 * REPEATABLE READ transaction, unless the write's is open). */
static rtk_store_status pg_run_list(rtk_store_conn *c, rtk_store_op *op)
{
	const rtk_store_resource *r = op->res;
	const rtk_store_where *w = op->where;
	if (!r->order || (w && ((w->contains && !r->searched[0]) || ((w->since || w->until) && !r->ranged))))
		return RTK_STORE_FAILED;   /* never listed, or narrowed by what it lacks */
	if (!op->total)
		return pg_run_page(c, op);
	int own = !c->in_txn;
	rtk_store_status status = RTK_STORE_OK;
	if (own) {
		status = pg_command(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", NULL);
		c->in_txn = status == RTK_STORE_OK;
	}
	if (status == RTK_STORE_OK)
		status = pg_run_count(c, op, op->total);
	if (status == RTK_STORE_OK)
		status = pg_run_page(c, op);
	if (own && c->in_txn)
		status = pg_txn_end(c, status);
	return status;
}

/* The tsquery of the words of `text`: each a quoted lexeme (its quote
 * and backslash escaped) made a prefix, all required. NULL when `text` has
 * no word; g_free() it. */
static char *pg_tsquery(const char *text)
{
	char **words = g_strsplit_set(text ? text : "", " \t\r\n", -1);
	GString *query = g_string_new(NULL);
	for (int i = 0; words[i] != NULL; i++) {
		if (words[i][0] == '\0')
			continue;
		if (query->len > 0)
			g_string_append(query, " & ");
		g_string_append_c(query, '\'');
		for (const char *p = words[i]; *p; p++) {
			if (*p == '\'')
				g_string_append_c(query, '\'');
			else if (*p == '\\')
				g_string_append_c(query, '\\');
			g_string_append_c(query, *p);
		}
		g_string_append(query, "':*");
	}
	g_strfreev(words);
	return g_string_free(query, query->len == 0);
}

/* SEARCH: the rows of filters[0] whose search_index column matches every
 * word, best first (then oldest). */
static rtk_store_status pg_run_search(rtk_store_conn *c, rtk_store_op *op)
{
	const rtk_store_resource *r = op->res;
	if (!r->search_index || !r->filters[0])
		return RTK_STORE_FAILED;
	char *words = pg_tsquery(op->key);
	if (!words) {
		op->result = json_array();
		return RTK_STORE_OK;
	}
	GString *q = g_string_new(NULL);
	pg_params p = { 0 };
	rtk_store_sql_select(q, r);
	int filter = pg_param(&p, op->filter[0], 0);
	int query = pg_param(&p, words, 0);
	int limit = pg_param(&p, op->limit < 0 ? NULL : g_strdup_printf("%d", op->limit), 1);
	g_string_append_printf(q, " WHERE %s.%s = $%d AND %s.%s @@ to_tsquery('simple', $%d)"
		" ORDER BY ts_rank(%s.%s, to_tsquery('simple', $%d)) DESC, %s.%s LIMIT $%d::bigint",
		r->table, r->filters[0], filter, r->table, r->search_index, query,
		r->table, r->search_index, query, r->table, r->order, limit);
	rtk_store_status status;
	PGresult *res = pg_run(c, q->str, &p, &status);
	if (res) {
		op->result = pg_read_rows(res, r);
		if (!op->result)
			status = RTK_STORE_FAILED;
	}
	PQclear(res);
	pg_params_clear(&p);
	g_string_free(q, TRUE);
	g_free(words);
	return status;
}

static rtk_store_status pg_run_op(rtk_store_conn *c, rtk_store_op *op)
{
	switch (op->verb) {
	case RTK_STORE_INSERT:
	case RTK_STORE_UPDATE:
		return pg_run_write(c, op);
	case RTK_STORE_GET:
		return pg_run_get(c, op);
	case RTK_STORE_LIST:
		return pg_run_list(c, op);
	case RTK_STORE_DELETE:
	case RTK_STORE_PURGE:
		return pg_run_delete(c, op);
	case RTK_STORE_SEARCH:
		return pg_run_search(c, op);
	}
	return RTK_STORE_FAILED;
}

static int pg_conn_ready(rtk_store_conn *c);

/* Runs one operation. A read whose connection turns out to be broken (the
 * server restarted, or ended the session) runs once more on it, reset:
 * a read can be repeated. */
static rtk_store_status pg_exec(rtk_store_conn *c, rtk_store_op *op)
{
	op->result = NULL;
	rtk_store_status status = pg_run_op(c, op);
	if (status == RTK_STORE_FAILED && c->reader && !c->in_txn && PQstatus(c->pg) == CONNECTION_BAD &&
			pg_conn_ready(c) == 0) {
		json_decref(op->result);
		op->result = NULL;
		status = pg_run_op(c, op);
	}
	if (status != RTK_STORE_OK) {
		json_decref(op->result);
		op->result = NULL;
	}
	return status;
}

/* ---- connections ---- */

/* libpq's notices (to_tsquery's "no lexemes", ...) are not ours to log. */
static void pg_notice_ignored(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* What every connection sets: the durability store.h promises whatever
 * the server's default, the string syntax of our SQL, UTF-8 text and the
 * isolation our writes rely on. */
static const char pg_session_sql[] =
	"SET synchronous_commit = on;"
	"SET standard_conforming_strings = on;"
	"SET client_encoding = 'UTF8';"
	"SET default_transaction_isolation = 'read committed';"
	"SET client_min_messages = warning";

static int pg_session_setup(rtk_store_conn *c, char **error)
{
	PQsetNoticeProcessor(c->pg, pg_notice_ignored, NULL);
	PGresult *res = PQexec(c->pg, pg_session_sql);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		rtk_util_set_error(error, "cannot set up the session: %s", PQerrorMessage(c->pg));
	PQclear(res);
	return ok ? 0 : -1;
}

/* A new connection to the database (NULL with *error). The error is
 * libpq's, which names the host, never the password. */
static rtk_store_conn *pg_conn_open(rtk_store_db *s, char **error)
{
	rtk_store_conn *c = calloc(1, sizeof(*c));
	if (!c) {
		rtk_util_set_error(error, "out of memory");
		return NULL;
	}
	c->pg = PQconnectdb(s->conninfo);
	if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
		char *msg = c->pg ? g_strchomp(g_strdup(PQerrorMessage(c->pg))) : g_strdup("out of memory");
		rtk_util_set_error(error, "cannot connect to PostgreSQL (RTK_DATABASE_URL): %s", msg);
		g_free(msg);
		PQfinish(c->pg);
		free(c);
		return NULL;
	}
	if (pg_session_setup(c, error) != 0) {
		PQfinish(c->pg);
		free(c);
		return NULL;
	}
	return c;
}

static void pg_conn_close(rtk_store_conn *c)
{
	if (!c)
		return;
	PQfinish(c->pg);
	free(c);
}

/* A connection fit for use: one the server dropped is reset (and set up
 * again). 0 when it is usable. */
static int pg_conn_ready(rtk_store_conn *c)
{
	c->in_txn = 0;
	if (PQstatus(c->pg) == CONNECTION_OK && PQtransactionStatus(c->pg) == PQTRANS_IDLE)
		return 0;
	if (PQstatus(c->pg) == CONNECTION_OK) {   /* left in a transaction: cannot be, but never reuse it */
		PQclear(PQexec(c->pg, "ROLLBACK"));
		if (PQtransactionStatus(c->pg) == PQTRANS_IDLE)
			return 0;
	}
	PQreset(c->pg);
	char *error = NULL;
	if (PQstatus(c->pg) != CONNECTION_OK || pg_session_setup(c, &error) != 0) {
		g_warning("rtk store: cannot reconnect to PostgreSQL: %s",
			error ? error : PQerrorMessage(c->pg));
		free(error);
		return -1;
	}
	g_message("rtk store: reconnected to PostgreSQL");
	return 0;
}

/* ---- the writer ---- */

/* Starts a write: takes the writer, BEGINs, and waits for the turn of
 * this write among every process's (the advisory lock). */
static rtk_store_conn *pg_write_begin(rtk_store_db *s, rtk_store_status *status)
{
	g_mutex_lock(&s->write_lock);
	rtk_store_conn *c = s->writer;
	*status = RTK_STORE_FAILED;
	if (pg_conn_ready(c) != 0)
		return c;
	*status = pg_command(c, "BEGIN", NULL);
	if (*status != RTK_STORE_OK && PQstatus(c->pg) == CONNECTION_BAD && pg_conn_ready(c) == 0)
		*status = pg_command(c, "BEGIN", NULL);   /* broken since its last use: nothing was sent */
	if (*status != RTK_STORE_OK)
		return c;
	c->in_txn = 1;
	*status = pg_command(c, "SELECT pg_advisory_xact_lock(" RTK_STORE_PG_WRITE_LOCK ")", NULL);
	return c;
}

/* Ends a write: COMMIT when `status` is OK (it returns once the server
 * has flushed it), else ROLLBACK; releases the writer. */
static rtk_store_status pg_write_end(rtk_store_db *s, rtk_store_status status)
{
	rtk_store_conn *c = s->writer;
	if (c->in_txn)
		status = pg_txn_end(c, status);
	else if (status == RTK_STORE_OK)
		status = RTK_STORE_FAILED;
	g_mutex_unlock(&s->write_lock);
	return status;
}

/* ---- the readers: a pool of connections ---- */

/* A reader connection for one read: an idle one, else a new one while
 * fewer than RTK_STORE_PG_READERS exist, else the next one given back.
 * NULL (logged) when none can be had. Pair with pg_read_end(). */
static rtk_store_conn *pg_read_begin(rtk_store_db *s)
{
	g_mutex_lock(&s->read_lock);
	while (s->n_idle == 0 && s->n_readers + s->opening >= RTK_STORE_PG_READERS)
		g_cond_wait(&s->reader_back, &s->read_lock);
	if (s->n_idle > 0) {
		rtk_store_conn *c = s->idle[--s->n_idle];
		g_mutex_unlock(&s->read_lock);
		if (pg_conn_ready(c) != 0) {
			g_mutex_lock(&s->read_lock);
			s->idle[s->n_idle++] = c;
			g_cond_signal(&s->reader_back);
			g_mutex_unlock(&s->read_lock);
			return NULL;
		}
		return c;
	}
	s->opening++;
	g_mutex_unlock(&s->read_lock);

	char *error = NULL;
	rtk_store_conn *c = pg_conn_open(s, &error);
	if (!c) {
		g_warning("rtk store: cannot open a reader connection: %s", error ? error : "?");
		free(error);
	}
	if (c)
		c->reader = 1;
	g_mutex_lock(&s->read_lock);
	s->opening--;
	if (c)
		s->readers[s->n_readers++] = c;
	else
		g_cond_signal(&s->reader_back);
	g_mutex_unlock(&s->read_lock);
	return c;
}

static void pg_read_end(rtk_store_db *s, rtk_store_conn *c)
{
	g_mutex_lock(&s->read_lock);
	s->idle[s->n_idle++] = c;
	g_cond_signal(&s->reader_back);
	g_mutex_unlock(&s->read_lock);
}

/* ---- the schema ---- */

/* The version the database is at (0: none yet), -1 on error. Inside the
 * migration's transaction. */
static int pg_schema_version(rtk_store_conn *c, char **error)
{
	rtk_store_status status = pg_command(c, "CREATE TABLE IF NOT EXISTS rtk_schema (version INTEGER NOT NULL)",
		NULL);
	PGresult *res = status == RTK_STORE_OK ? pg_run(c, "SELECT max(version) FROM rtk_schema", NULL, &status) :
		NULL;
	int v = -1;
	if (res && PQntuples(res) == 1)
		v = PQgetisnull(res, 0, 0) ? 0 : atoi(PQgetvalue(res, 0, 0));
	if (v < 0)
		rtk_util_set_error(error, "cannot read the schema version: %s", PQerrorMessage(c->pg));
	PQclear(res);
	return v;
}

/* Step `version` (1-based): its added columns, its SQL, the version
 * moved up. -1 with *error. */
static int pg_migrate_step(rtk_store_conn *c, int version, char **error)
{
	const rtk_store_migration *m = &rtk_store_migrations[version - 1];
	GString *sql = g_string_new(NULL);
	for (int i = 0; i < RTK_STORE_MAX_ADDED && m->added[i].table; i++)
		g_string_append_printf(sql, "ALTER TABLE %s ADD COLUMN IF NOT EXISTS %s %s;", m->added[i].table,
			m->added[i].column, m->added[i].postgres);
	g_string_append(sql, m->postgres);
	g_string_append_printf(sql, ";DELETE FROM rtk_schema; INSERT INTO rtk_schema(version) VALUES (%d)", version);
	PGresult *res = PQexec(c->pg, sql->str);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		rtk_util_set_error(error, "schema step %d: %s", version, PQerrorMessage(c->pg));
	PQclear(res);
	g_string_free(sql, TRUE);
	return ok ? 0 : -1;
}

/* Brings the schema up to date, one step per transaction, holding the
 * write lock: another process may migrate too. */
static int pg_migrate(rtk_store_conn *c, char **error)
{
	for (;;) {
		rtk_store_status status = pg_command(c, "BEGIN", NULL);
		c->in_txn = status == RTK_STORE_OK;
		if (status == RTK_STORE_OK)
			status = pg_command(c, "SELECT pg_advisory_xact_lock(" RTK_STORE_PG_WRITE_LOCK ")", NULL);
		if (status != RTK_STORE_OK) {
			rtk_util_set_error(error, "cannot start the schema migration: %s", PQerrorMessage(c->pg));
			if (c->in_txn)
				pg_txn_end(c, RTK_STORE_FAILED);
			return -1;
		}
		int v = pg_schema_version(c, error);
		if (v > rtk_store_schema_version)
			rtk_util_set_error(error, "schema version %d is not one this build knows (up to %d)", v,
				rtk_store_schema_version);
		if (v < 0 || v > rtk_store_schema_version || (v < rtk_store_schema_version &&
				pg_migrate_step(c, v + 1, error) != 0)) {
			pg_txn_end(c, RTK_STORE_FAILED);
			return -1;
		}
		if (pg_txn_end(c, RTK_STORE_OK) != RTK_STORE_OK) {
			rtk_util_set_error(error, "schema step %d: cannot commit: %s", v + 1, PQerrorMessage(c->pg));
			return -1;
		}
		if (v == rtk_store_schema_version)
			return 0;
	}
}

/* ---- open / close ---- */

static void pg_db_close(rtk_store_db *s);

/* rtk_store_backend.open: the writer (which migrates the schema) and one
 * reader, so that a database readers cannot use fails here. */
static rtk_store_db *pg_db_open(const char *conninfo, char **error)
{
	rtk_store_db *s = calloc(1, sizeof(*s));
	if (!s || !(s->conninfo = strdup(conninfo))) {
		free(s);
		rtk_util_set_error(error, "out of memory");
		return NULL;
	}
	g_mutex_init(&s->write_lock);
	g_mutex_init(&s->read_lock);
	g_cond_init(&s->reader_back);
	s->writer = pg_conn_open(s, error);
	if (!s->writer || pg_migrate(s->writer, error) != 0)
		goto fail;
	rtk_store_conn *reader = pg_conn_open(s, error);
	if (!reader)
		goto fail;
	reader->reader = 1;
	s->readers[s->n_readers++] = reader;
	s->idle[s->n_idle++] = reader;
	return s;
fail:
	pg_db_close(s);
	return NULL;
}

/* No call may be in progress. */
static void pg_db_close(rtk_store_db *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->n_readers; i++)
		pg_conn_close(s->readers[i]);
	pg_conn_close(s->writer);
	g_mutex_clear(&s->write_lock);
	g_mutex_clear(&s->read_lock);
	g_cond_clear(&s->reader_back);
	if (s->conninfo)
		memset(s->conninfo, 0, strlen(s->conninfo));   /* may hold a password */
	free(s->conninfo);
	free(s);
}

const rtk_store_backend rtk_store_postgres = {
	.name = "postgresql",
	.open = pg_db_open,
	.close = pg_db_close,
	.read_begin = pg_read_begin,
	.read_end = pg_read_end,
	.write_begin = pg_write_begin,
	.write_end = pg_write_end,
	.exec = pg_exec,
};
