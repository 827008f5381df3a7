/*
 * store.c - the store of store.h on one backend (store_backend.h: SQLite,
 * store_sqlite.c, or PostgreSQL, store_pg.c, chosen by the open function):
 * generic create, get, list, update and delete driven by the tables'
 * descriptors (store_resources.c), and the public functions,
 * which name their table and, where a resource has rules of its own, the
 * hook that applies them:
 *   - participants: the meeting must exist and the preset is named by
 *     name (store_participant_meeting(), store_participant_preset());
 *   - token generations: read as 0 when absent, bumped by one;
 *   - recordings, livestreams: the clean-up of unfinished ones at start
 *     (store_fail_unfinished());
 *   - sessions: the ones a crash left LIVE end at start, their open
 *     presences closed (rtk_store_session_end_unfinished()), of every
 *     meeting or of one (rtk_store_meeting_end_unfinished());
 *   - placements: a claim reads the meeting's row and decides in the
 *     same write (rtk_store_placement_decide()); on PostgreSQL that write
 *     takes turns with every node's, so two claims never both win.
 *
 * Rows. A create builds its row here (store_row_new()): a document table's is a
 * copy of the caller's fields, any other's starts from its columns'
 * initial values and takes the fields the descriptor lets a caller set,
 * with their types; then the generated columns (UUID ids, a webhook's
 * secret) and the creation stamps, where absent. An update reads
 * the row, applies the fields the same way (store_row_change()) and writes it
 * whole. Both read the row back inside the same write, so what a caller
 * gets is what is stored.
 *
 * Ownership: rows built here are owned by the function that built them;
 * an operation's result (rtk_store_op.result) is a new reference that
 * passes to the caller's `*out` or is dropped here.
 */
#include "store.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "store_backend.h"
#include "util.h"

struct rtk_store {
	const rtk_store_backend *backend;
	rtk_store_db *db;
};

static const rtk_store_resource *store_table(enum rtk_store_table t)
{
	return &rtk_store_resources[t];
}

/* A store on `backend` at `location`; NULL with *error. */
static rtk_store *store_open_on(const rtk_store_backend *backend, const char *location, char **error)
{
	rtk_store *s = calloc(1, sizeof(*s));
	if (!s) {
		rtk_util_set_error(error, "out of memory");
		return NULL;
	}
	s->backend = backend;
	s->db = s->backend->open(location, error);
	if (!s->db) {
		free(s);
		return NULL;
	}
	return s;
}

rtk_store *rtk_store_open(const char *path, char **error)
{
	if (error)
		*error = NULL;
	if (!path) {
		rtk_util_set_error(error, "no store path");
		return NULL;
	}
	return store_open_on(&rtk_store_sqlite, path, error);
}

/* Whether `url` is one libpq takes: a postgres:// or postgresql:// URL, or
 * a conninfo string (keyword=value pairs, no scheme). */
static int store_is_postgres_url(const char *url)
{
	if (g_str_has_prefix(url, "postgres://") || g_str_has_prefix(url, "postgresql://"))
		return 1;
	return strstr(url, "://") == NULL && strchr(url, '=') != NULL;
}

rtk_store *rtk_store_open_url(const char *url, char **error)
{
	if (error)
		*error = NULL;
	if (!url || !store_is_postgres_url(url)) {
		rtk_util_set_error(error, "RTK_DATABASE_URL is not a PostgreSQL URL (postgres://..., "
			"postgresql://...) nor a libpq conninfo (host=... dbname=...)");
		return NULL;
	}
#ifdef RTK_HAVE_LIBPQ
	return store_open_on(&rtk_store_postgres, url, error);
#else
	rtk_util_set_error(error, "RTK_DATABASE_URL asks for PostgreSQL, but this build has no PostgreSQL "
		"support: install libpq-dev and run ./configure again");
	return NULL;
#endif
}

const char *rtk_store_backend_name(const rtk_store *store)
{
	return store->backend->name;
}

void rtk_store_close(rtk_store *store)
{
	if (!store)
		return;
	store->backend->close(store->db);
	free(store);
}

/* ---- rows ---- */

static int store_is_document(const rtk_store_resource *r)
{
	return rtk_store_document_column(r) != NULL;
}

static const rtk_store_column *store_column_of(const rtk_store_resource *r, const char *field)
{
	for (int i = 0; i < r->n_columns; i++)
		if (r->columns[i].field && strcmp(r->columns[i].field, field) == 0)
			return &r->columns[i];
	return NULL;
}

/* Whether `v` is a value of the column's type. */
static int store_fits(const rtk_store_column *col, const json_t *v)
{
	switch (col->type) {
	case RTK_STORE_TEXT:
	case RTK_STORE_TIMESTAMP:
		return json_is_string(v);
	case RTK_STORE_BOOL:
		return json_is_boolean(v);
	case RTK_STORE_INT:
		return json_is_integer(v);
	case RTK_STORE_JSON:
	case RTK_STORE_DOCUMENT:
		break;
	}
	return v && (col->takes & (1u << json_typeof(v)));
}

/* Whether every REQUIRED column of `row` holds a value of its type. */
static int store_row_complete(const rtk_store_resource *r, const json_t *row)
{
	for (int i = 0; i < r->n_columns; i++) {
		const rtk_store_column *col = &r->columns[i];
		if ((col->flags & RTK_STORE_REQUIRED) && col->field &&
				!store_fits(col, json_object_get(row, col->field)))
			return 0;
	}
	return 1;
}

/* Copies into `row` the fields a caller may set: in a document, every key
 * but the FIXED columns'; otherwise the columns that take the field's
 * JSON type. */
static void store_row_take(const rtk_store_resource *r, json_t *row, const json_t *fields)
{
	if (store_is_document(r)) {
		const char *key;
		json_t *v;
		json_object_foreach((json_t *)fields, key, v) {   /* jansson takes no const; not changed */
			const rtk_store_column *col = store_column_of(r, key);
			if (!col || !(col->flags & RTK_STORE_FIXED))
				json_object_set(row, key, v);
		}
		return;
	}
	for (int i = 0; i < r->n_columns; i++) {
		const rtk_store_column *col = &r->columns[i];
		json_t *v = col->takes ? json_object_get(fields, col->field) : NULL;
		if (v && (col->takes & (1u << json_typeof(v))))
			json_object_set(row, col->field, v);
	}
}

/* Sets a column the store generates (a UUID, a secret); -1 when out of
 * memory. The text is wiped before it is freed: it may be a secret. */
static int store_generate(json_t *row, const rtk_store_column *col)
{
	char *v = col->generated == RTK_STORE_UUID ? rtk_util_uuid4() :
		rtk_util_random_hex(RTK_STORE_SECRET_BYTES);
	int rc = v ? json_object_set_new(row, col->field, json_string(v)) : -1;
	if (v)
		memset(v, 0, strlen(v));
	free(v);
	return rc;
}

/* A column's initial value from its JSON text; null, false and true,
 * what most columns start as, without the parser. */
static json_t *store_initial_value(const char *text)
{
	if (strcmp(text, "null") == 0)
		return json_null();
	if (strcmp(text, "false") == 0)
		return json_false();
	if (strcmp(text, "true") == 0)
		return json_true();
	return json_loads(text, JSON_DECODE_ANY, NULL);
}

/* The row a create writes, a new reference (NULL: out of memory, or a
 * document table's fields are not an object): the fields taken over the
 * initial values, the generated columns, the creation stamps where
 * absent. */
static json_t *store_row_new(const rtk_store_resource *r, const json_t *fields, const char *now)
{
	json_t *row;
	if (store_is_document(r)) {
		row = json_is_object(fields) ? json_deep_copy(fields) : NULL;
	} else {
		row = json_object();
		for (int i = 0; row && i < r->n_columns; i++)
			if (r->columns[i].initial)
				json_object_set_new_nocheck(row, r->columns[i].field,
					store_initial_value(r->columns[i].initial));
		store_row_take(r, row, fields);
	}
	for (int i = 0; row && i < r->n_columns; i++) {
		const rtk_store_column *col = &r->columns[i];
		if (col->generated && !json_object_get(row, col->field) && store_generate(row, col) != 0) {
			json_decref(row);
			row = NULL;
		}
	}
	for (const char *const *key = r->stamped_at_create; row && key && *key; key++)
		if (!json_object_get(row, *key))
			json_object_set_new(row, *key, json_string(now));
	return row;
}

/* Applies an update's fields to a stored row and stamps it. A document
 * given no fields stays exactly as it is. */
static void store_row_change(const rtk_store_resource *r, json_t *row, const json_t *fields,
	const char *now)
{
	if (store_is_document(r) && !fields)
		return;
	store_row_take(r, row, fields);
	if (r->stamped_at_update)
		json_object_set_new(row, r->stamped_at_update, json_string(now));
}

static const char *store_row_id(const rtk_store_resource *r, const json_t *row)
{
	return json_string_value(json_object_get(row, r->keys[0]));
}

/* ---- operations on a connection ---- */

static rtk_store_status store_get_on(rtk_store *s, rtk_store_conn *c, const rtk_store_resource *r,
	int by, const char *key, const char *scope, json_t **out)
{
	rtk_store_op op = { .verb = RTK_STORE_GET, .res = r, .by = by, .key = key, .scope = scope };
	rtk_store_status status = s->backend->exec(c, &op);
	*out = op.result;
	return status;
}

static rtk_store_status store_exists_on(rtk_store *s, rtk_store_conn *c, const rtk_store_resource *r,
	const char *id)
{
	json_t *row = NULL;
	rtk_store_status status = store_get_on(s, c, r, 0, id, NULL, &row);
	json_decref(row);
	return status;
}

/* INSERT or UPDATE of a complete row (else FAILED). */
static rtk_store_status store_write_on(rtk_store *s, rtk_store_conn *c, const rtk_store_resource *r,
	rtk_store_verb verb, const json_t *row)
{
	if (!store_row_complete(r, row))
		return RTK_STORE_FAILED;
	rtk_store_op op = { .verb = verb, .res = r, .row = row };
	return s->backend->exec(c, &op);
}

/* A page of the rows matching the filters (NULL: any), as a new array in
 * *items; *total (when `total` is not NULL) counts them all. */
static rtk_store_status store_list_on(rtk_store *s, rtk_store_conn *c, const rtk_store_resource *r,
	const char *filter0, const char *filter1, int offset, int limit, json_t **items, int *total)
{
	rtk_store_op op = {
		.verb = RTK_STORE_LIST, .res = r, .filter = { filter0, filter1 },
		.offset = offset < 0 ? 0 : offset, .limit = limit < 0 ? -1 : limit, .total = total,
	};
	rtk_store_status status = s->backend->exec(c, &op);
	*items = op.result;
	return status;
}

/* ---- generic operations ---- */

/* One write in progress, as its hook sees it. */
typedef struct store_write {
	rtk_store *store;
	rtk_store_conn *conn;
	const json_t *fields;   /* the caller's, borrowed */
	json_t *row;            /* the row to write, owned by the generic operation */
	const char *missing;    /* a hook's NOT_FOUND: what was missing */
} store_write;

/* Runs inside a write, before its row is written. */
typedef rtk_store_status (*store_hook)(store_write *w);

/* Ends a write that read its row back into *out: *out stays only if the
 * write is durable; *missing is the hook's on NOT_FOUND. */
static rtk_store_status store_write_finish(store_write *w, rtk_store_status status,
	const char **missing, json_t **out)
{
	status = w->store->backend->write_end(w->store->db, status);
	if (status != RTK_STORE_OK) {
		json_decref(*out);
		*out = NULL;
	}
	if (missing && status == RTK_STORE_NOT_FOUND)
		*missing = w->missing;
	return status;
}

/* Makes a row of `fields` (store_row_new(); its scope column is `scope` when
 * not NULL), runs `hook` (may be NULL) inside the write, inserts the row
 * and reads it back into *out. */
static rtk_store_status store_create(rtk_store *s, const rtk_store_resource *r, const char *scope,
	const json_t *fields, store_hook hook, const char **missing, json_t **out)
{
	*out = NULL;
	if (missing)
		*missing = NULL;
	char *now = rtk_util_now_iso8601();
	json_t *row = now ? store_row_new(r, fields, now) : NULL;
	free(now);
	if (row && scope)
		json_object_set_new(row, r->scope, json_string(scope));
	if (!row || !store_row_complete(r, row)) {
		json_decref(row);
		return RTK_STORE_FAILED;   /* the REST layer validates; never store an incomplete row */
	}
	store_write w = { .store = s, .fields = fields, .row = row };
	rtk_store_status status;
	w.conn = s->backend->write_begin(s->db, &status);
	if (status == RTK_STORE_OK && hook)
		status = hook(&w);
	if (status == RTK_STORE_OK)
		status = store_write_on(s, w.conn, r, RTK_STORE_INSERT, row);
	if (status == RTK_STORE_OK)
		status = store_get_on(s, w.conn, r, 0, store_row_id(r, row), NULL, out);
	status = store_write_finish(&w, status, missing, out);
	json_decref(row);
	return status;
}

static rtk_store_status store_get(rtk_store *s, const rtk_store_resource *r, int by, const char *key,
	const char *scope, json_t **out)
{
	*out = NULL;
	if (!key)
		return RTK_STORE_NOT_FOUND;
	rtk_store_conn *c = s->backend->read_begin(s->db);
	if (!c)
		return RTK_STORE_FAILED;
	rtk_store_status status = store_get_on(s, c, r, by, key, scope, out);
	s->backend->read_end(s->db, c);
	return status;
}

static rtk_store_status store_list(rtk_store *s, const rtk_store_resource *r, const char *filter0,
	const char *filter1, int offset, int limit, json_t **items, int *total)
{
	*items = NULL;
	if (total)
		*total = 0;
	rtk_store_conn *c = s->backend->read_begin(s->db);
	if (!c)
		return RTK_STORE_FAILED;
	rtk_store_status status = store_list_on(s, c, r, filter0, filter1, offset, limit, items, total);
	s->backend->read_end(s->db, c);
	return status;
}

/* Reads the row with `id` (in `scope`), runs `hook` (may be NULL), applies
 * `fields`, writes it and reads it back into *out. */
static rtk_store_status store_update(rtk_store *s, const rtk_store_resource *r, const char *id,
	const char *scope, const json_t *fields, store_hook hook, const char **missing, json_t **out)
{
	*out = NULL;
	if (missing)
		*missing = NULL;
	if (!id)
		return RTK_STORE_NOT_FOUND;
	if (store_is_document(r) && fields && !json_is_object(fields))
		return RTK_STORE_FAILED;
	char *now = rtk_util_now_iso8601();
	if (!now)
		return RTK_STORE_FAILED;

	store_write w = { .store = s, .fields = fields };
	rtk_store_status status;
	w.conn = s->backend->write_begin(s->db, &status);
	if (status == RTK_STORE_OK)
		status = store_get_on(s, w.conn, r, 0, id, scope, &w.row);
	if (status == RTK_STORE_OK && hook)
		status = hook(&w);
	if (status == RTK_STORE_OK) {
		store_row_change(r, w.row, fields, now);
		status = store_write_on(s, w.conn, r, RTK_STORE_UPDATE, w.row);
	}
	if (status == RTK_STORE_OK)
		status = store_get_on(s, w.conn, r, 0, id, scope, out);
	status = store_write_finish(&w, status, missing, out);
	json_decref(w.row);
	free(now);
	return status;
}

/* NOT_FOUND when no row has that id (in `scope`); CONFLICT when another
 * table's rows still reference it. */
static rtk_store_status store_delete(rtk_store *s, const rtk_store_resource *r, const char *id,
	const char *scope)
{
	if (!id)
		return RTK_STORE_NOT_FOUND;
	rtk_store_status status;
	rtk_store_conn *c = s->backend->write_begin(s->db, &status);
	if (status == RTK_STORE_OK) {
		rtk_store_op op = { .verb = RTK_STORE_DELETE, .res = r, .key = id, .scope = scope };
		status = s->backend->exec(c, &op);
	}
	return s->backend->write_end(s->db, status);
}

/* Writes `row` over the row with its id, or as a new one. */
static rtk_store_status store_put_on(rtk_store *s, rtk_store_conn *c, const rtk_store_resource *r,
	const json_t *row)
{
	rtk_store_status status = store_exists_on(s, c, r, store_row_id(r, row));
	if (status == RTK_STORE_NOT_FOUND)
		return store_write_on(s, c, r, RTK_STORE_INSERT, row);
	return status == RTK_STORE_OK ? store_write_on(s, c, r, RTK_STORE_UPDATE, row) : status;
}

/* ---- meta ---- */

rtk_store_status rtk_store_meta_get(rtk_store *store, const char *key, char **value)
{
	*value = NULL;
	json_t *row = NULL;
	rtk_store_status status = store_get(store, store_table(RTK_STORE_META), 0, key, NULL, &row);
	if (status == RTK_STORE_OK) {
		const char *v = json_string_value(json_object_get(row, "value"));
		*value = v ? strdup(v) : NULL;
		if (!*value)
			status = RTK_STORE_FAILED;
	}
	json_decref(row);
	return status;
}

rtk_store_status rtk_store_meta_set(rtk_store *store, const char *key, const char *value)
{
	if (!key || !value)
		return RTK_STORE_FAILED;
	json_t *row = json_pack("{s:s, s:s}", "key", key, "value", value);
	rtk_store_status status;
	rtk_store_conn *c = store->backend->write_begin(store->db, &status);
	if (status == RTK_STORE_OK)
		status = row ? store_put_on(store, c, store_table(RTK_STORE_META), row) : RTK_STORE_FAILED;
	json_decref(row);
	return store->backend->write_end(store->db, status);
}

int rtk_store_meta_done(rtk_store *store, const char *key, char **error)
{
	char *value = NULL;
	rtk_store_status st = rtk_store_meta_get(store, key, &value);
	free(value);
	if (st == RTK_STORE_OK)
		return 1;
	if (st == RTK_STORE_NOT_FOUND)
		return 0;
	rtk_util_set_error(error, "cannot read store metadata");
	return -1;
}

/* ---- meetings ---- */

rtk_store_status rtk_store_meeting_create(rtk_store *store, const json_t *fields, json_t **out)
{
	return store_create(store, store_table(RTK_STORE_MEETINGS), NULL, fields, NULL, NULL, out);
}

rtk_store_status rtk_store_meeting_get(rtk_store *store, const char *id, json_t **out)
{
	return store_get(store, store_table(RTK_STORE_MEETINGS), 0, id, NULL, out);
}

rtk_store_status rtk_store_meeting_list(rtk_store *store, int offset, int limit,
	json_t **items, int *total)
{
	return store_list(store, store_table(RTK_STORE_MEETINGS), NULL, NULL, offset, limit, items, total);
}

rtk_store_status rtk_store_meeting_children(rtk_store *store, const char *parent_id, int offset,
	int limit, json_t **items, int *total)
{
	return store_list(store, store_table(RTK_STORE_MEETINGS), parent_id, NULL, offset, limit, items, total);
}

/* A page of the rows of `r` whose filters are f0 and f1 (NULL: any),
 * narrowed by `where`. */
static rtk_store_status store_find(rtk_store *store, const rtk_store_resource *r, const char *f0,
	const char *f1, const rtk_store_where *where, int offset, int limit, json_t **items, int *total)
{
	rtk_store_op op = {
		.verb = RTK_STORE_LIST, .res = r, .filter = { f0, f1 },
		.offset = offset < 0 ? 0 : offset, .limit = limit < 0 ? -1 : limit, .total = total,
		.where = where,
	};
	*items = NULL;
	if (total)
		*total = 0;
	rtk_store_conn *c = store->backend->read_begin(store->db);
	if (!c)
		return RTK_STORE_FAILED;
	rtk_store_status status = store->backend->exec(c, &op);
	store->backend->read_end(store->db, c);
	*items = op.result;
	return status;
}

rtk_store_status rtk_store_meeting_find(rtk_store *store, const rtk_store_meeting_filter *filter,
	int offset, int limit, json_t **items, int *total)
{
	rtk_store_where where = { .contains = filter->search, .since = filter->created_from,
		.until = filter->created_to };
	return store_find(store, store_table(RTK_STORE_MEETINGS), filter->parent_id, filter->status, &where,
		offset, limit, items, total);
}

rtk_store_status rtk_store_meeting_update(rtk_store *store, const char *id,
	const json_t *fields, json_t **out)
{
	return store_update(store, store_table(RTK_STORE_MEETINGS), id, NULL, fields, NULL, NULL, out);
}

/* A replace's hook: every setting of the meeting returns to its initial
 * value (its status and parent stay), before the fields are applied. */
static rtk_store_status store_meeting_reset(store_write *w)
{
	const rtk_store_resource *r = store_table(RTK_STORE_MEETINGS);
	for (int i = 0; i < r->n_columns; i++) {
		const rtk_store_column *col = &r->columns[i];
		if (!col->takes || !col->initial || (col->flags & RTK_STORE_FIXED) || strcmp(col->field, "status") == 0)
			continue;
		json_t *v = store_initial_value(col->initial);
		if (!v || json_object_set_new(w->row, col->field, v) != 0)
			return RTK_STORE_FAILED;
	}
	return RTK_STORE_OK;
}

rtk_store_status rtk_store_meeting_replace(rtk_store *store, const char *id,
	const json_t *fields, json_t **out)
{
	return store_update(store, store_table(RTK_STORE_MEETINGS), id, NULL, fields, store_meeting_reset,
		NULL, out);
}

/* ---- presets ---- */

rtk_store_status rtk_store_preset_create(rtk_store *store, const json_t *fields, json_t **out)
{
	return store_create(store, store_table(RTK_STORE_PRESETS), NULL, fields, NULL, NULL, out);
}

rtk_store_status rtk_store_preset_get(rtk_store *store, const char *id, json_t **out)
{
	return store_get(store, store_table(RTK_STORE_PRESETS), 0, id, NULL, out);
}

rtk_store_status rtk_store_preset_get_by_name(rtk_store *store, const char *name, json_t **out)
{
	return store_get(store, store_table(RTK_STORE_PRESETS), 1, name, NULL, out);
}

rtk_store_status rtk_store_preset_list(rtk_store *store, int offset, int limit,
	json_t **items, int *total)
{
	return store_list(store, store_table(RTK_STORE_PRESETS), NULL, NULL, offset, limit, items, total);
}

rtk_store_status rtk_store_preset_update(rtk_store *store, const char *id,
	const json_t *fields, json_t **out)
{
	return store_update(store, store_table(RTK_STORE_PRESETS), id, NULL, fields, NULL, NULL, out);
}

rtk_store_status rtk_store_preset_delete(rtk_store *store, const char *id)
{
	return store_delete(store, store_table(RTK_STORE_PRESETS), id, NULL);
}

/* ---- participants ---- */

/* Hook: sets the row's preset_id to the preset the fields name by
 * preset_name (missing: "preset"). */
static rtk_store_status store_participant_preset(store_write *w)
{
	const char *name = json_string_value(json_object_get(w->fields, "preset_name"));
	json_t *preset = NULL;
	rtk_store_status status = name ? store_get_on(w->store, w->conn, store_table(RTK_STORE_PRESETS), 1, name,
		NULL, &preset) : RTK_STORE_NOT_FOUND;
	if (status == RTK_STORE_OK)
		json_object_set(w->row, "preset_id", json_object_get(preset, "id"));
	else if (status == RTK_STORE_NOT_FOUND)
		w->missing = "preset";
	json_decref(preset);
	return status;
}

/* Hook of create: the row's meeting must exist (missing: "meeting"), then
 * its preset is resolved. */
static rtk_store_status store_participant_meeting(store_write *w)
{
	const char *meeting_id = json_string_value(json_object_get(w->row, "meeting_id"));
	rtk_store_status status = meeting_id ?
		store_exists_on(w->store, w->conn, store_table(RTK_STORE_MEETINGS), meeting_id) : RTK_STORE_NOT_FOUND;
	if (status == RTK_STORE_NOT_FOUND)
		w->missing = "meeting";
	return status == RTK_STORE_OK ? store_participant_preset(w) : status;
}

/* Hook of update: a preset_name given names the new preset. */
static rtk_store_status store_participant_preset_change(store_write *w)
{
	return json_object_get(w->fields, "preset_name") ? store_participant_preset(w) : RTK_STORE_OK;
}

rtk_store_status rtk_store_participant_create(rtk_store *store, const char *meeting_id,
	const json_t *fields, json_t **out, const char **missing)
{
	return store_create(store, store_table(RTK_STORE_PARTICIPANTS), meeting_id, fields, store_participant_meeting,
		missing, out);
}

rtk_store_status rtk_store_participant_get(rtk_store *store, const char *meeting_id,
	const char *id, json_t **out)
{
	return store_get(store, store_table(RTK_STORE_PARTICIPANTS), 0, id, meeting_id, out);
}

rtk_store_status rtk_store_participant_list(rtk_store *store, const char *meeting_id,
	int offset, int limit, json_t **items, int *total)
{
	*items = NULL;
	*total = 0;
	if (!meeting_id)
		return RTK_STORE_NOT_FOUND;
	rtk_store_conn *c = store->backend->read_begin(store->db);
	if (!c)
		return RTK_STORE_FAILED;
	rtk_store_status status = store_exists_on(store, c, store_table(RTK_STORE_MEETINGS), meeting_id);
	if (status == RTK_STORE_OK)
		status = store_list_on(store, c, store_table(RTK_STORE_PARTICIPANTS), meeting_id, NULL, offset, limit,
			items, total);
	store->backend->read_end(store->db, c);
	return status;
}

rtk_store_status rtk_store_participant_update(rtk_store *store, const char *meeting_id,
	const char *id, const json_t *fields, json_t **out, const char **missing)
{
	rtk_store_status status = store_update(store, store_table(RTK_STORE_PARTICIPANTS), id, meeting_id, fields,
		store_participant_preset_change, missing, out);
	if (missing && status == RTK_STORE_NOT_FOUND && !*missing)
		*missing = "participant";
	return status;
}

rtk_store_status rtk_store_participant_delete(rtk_store *store, const char *meeting_id,
	const char *id)
{
	return store_delete(store, store_table(RTK_STORE_PARTICIPANTS), id, meeting_id);
}

/* ---- token generations ---- */

static long long store_generation_of(const json_t *row)
{
	return json_integer_value(json_object_get(row, "generation"));
}

rtk_store_status rtk_store_token_generation_get(rtk_store *store, const char *participant_id,
	long long *generation)
{
	*generation = 0;
	json_t *row = NULL;
	rtk_store_status status = store_get(store, store_table(RTK_STORE_TOKENS), 0, participant_id, NULL, &row);
	if (status == RTK_STORE_OK)
		*generation = store_generation_of(row);
	json_decref(row);
	return status == RTK_STORE_NOT_FOUND && participant_id ? RTK_STORE_OK : status;
}

/* The row moves up by one, created at 1; an unknown participant's is a
 * CONFLICT (participant_tokens references participants). */
rtk_store_status rtk_store_token_generation_bump(rtk_store *store, const char *participant_id,
	long long *generation)
{
	const rtk_store_resource *r = store_table(RTK_STORE_TOKENS);
	*generation = 0;
	if (!participant_id)
		return RTK_STORE_NOT_FOUND;
	json_t *row = NULL;
	rtk_store_status status;
	rtk_store_conn *c = store->backend->write_begin(store->db, &status);
	if (status == RTK_STORE_OK)
		status = store_get_on(store, c, r, 0, participant_id, NULL, &row);
	if (status == RTK_STORE_OK || status == RTK_STORE_NOT_FOUND) {
		long long next = store_generation_of(row) + 1;
		json_t *bumped = json_pack("{s:s, s:I}", "participant_id", participant_id,
			"generation", (json_int_t)next);
		status = bumped ? store_write_on(store, c, r, row ? RTK_STORE_UPDATE : RTK_STORE_INSERT, bumped) :
			RTK_STORE_FAILED;
		if (status == RTK_STORE_OK)
			*generation = next;
		json_decref(bumped);
	}
	json_decref(row);
	return store->backend->write_end(store->db, status);
}

/* ---- recordings, livestreams ---- */

static const char *const recording_unfinished[] = { "INVOKED", "RECORDING", "PAUSED", "UPLOADING", NULL };
static const char *const livestream_unfinished[] = { "INVOKED", "LIVE", NULL };

/* Every row whose status is one of `statuses` becomes ERRORED with
 * stop_reason {"reason": "INTERNAL_ERROR", "detail": "SERVER_RESTART"}
 * (the reference's reason, our cause: capture_model.h), in one write. */
static rtk_store_status store_fail_unfinished(rtk_store *s, const rtk_store_resource *r,
	const char *meeting_id, const char *const *statuses, int *count)
{
	if (count)
		*count = 0;
	char *now = rtk_util_now_iso8601();
	json_t *change = json_pack("{s:s, s:{s:s, s:s}}", "status", "ERRORED",
		"stop_reason", "reason", "INTERNAL_ERROR", "detail", "SERVER_RESTART");
	if (!now || !change) {
		free(now);
		json_decref(change);
		return RTK_STORE_FAILED;
	}
	int failed = 0;
	rtk_store_status status;
	rtk_store_conn *c = s->backend->write_begin(s->db, &status);
	for (const char *const *st = statuses; status == RTK_STORE_OK && *st; st++) {
		json_t *rows = NULL, *row;
		size_t i;
		status = store_list_on(s, c, r, meeting_id, *st, 0, -1, &rows, NULL);
		json_array_foreach(rows, i, row) {
			if (status != RTK_STORE_OK)
				break;
			store_row_change(r, row, change, now);
			status = store_write_on(s, c, r, RTK_STORE_UPDATE, row);
			failed++;
		}
		json_decref(rows);
	}
	status = s->backend->write_end(s->db, status);
	if (status == RTK_STORE_OK && count)
		*count = failed;
	json_decref(change);
	free(now);
	return status;
}

rtk_store_status rtk_store_recording_create(rtk_store *store, const json_t *fields, json_t **out)
{
	return store_create(store, store_table(RTK_STORE_RECORDINGS), NULL, fields, NULL, NULL, out);
}

rtk_store_status rtk_store_recording_update(rtk_store *store, const char *id,
	const json_t *fields, json_t **out)
{
	return store_update(store, store_table(RTK_STORE_RECORDINGS), id, NULL, fields, NULL, NULL, out);
}

rtk_store_status rtk_store_recording_get(rtk_store *store, const char *id, json_t **out)
{
	return store_get(store, store_table(RTK_STORE_RECORDINGS), 0, id, NULL, out);
}

rtk_store_status rtk_store_recording_list(rtk_store *store, const char *meeting_id,
	const char *status, int offset, int limit, json_t **items, int *total)
{
	return store_list(store, store_table(RTK_STORE_RECORDINGS), meeting_id, status, offset, limit, items, total);
}

rtk_store_status rtk_store_recording_fail_unfinished(rtk_store *store, int *count)
{
	return store_fail_unfinished(store, store_table(RTK_STORE_RECORDINGS), NULL, recording_unfinished, count);
}

rtk_store_status rtk_store_livestream_create(rtk_store *store, const json_t *fields, json_t **out)
{
	return store_create(store, store_table(RTK_STORE_LIVESTREAMS), NULL, fields, NULL, NULL, out);
}

rtk_store_status rtk_store_livestream_update(rtk_store *store, const char *id,
	const json_t *fields, json_t **out)
{
	return store_update(store, store_table(RTK_STORE_LIVESTREAMS), id, NULL, fields, NULL, NULL, out);
}

rtk_store_status rtk_store_livestream_get(rtk_store *store, const char *id, json_t **out)
{
	return store_get(store, store_table(RTK_STORE_LIVESTREAMS), 0, id, NULL, out);
}

rtk_store_status rtk_store_livestream_list(rtk_store *store, const char *meeting_id,
	const char *status, int offset, int limit, json_t **items, int *total)
{
	return store_list(store, store_table(RTK_STORE_LIVESTREAMS), meeting_id, status, offset, limit, items, total);
}

rtk_store_status rtk_store_livestream_fail_unfinished(rtk_store *store, int *count)
{
	return store_fail_unfinished(store, store_table(RTK_STORE_LIVESTREAMS), NULL, livestream_unfinished, count);
}

/* ---- chat messages ---- */

rtk_store_status rtk_store_chat_write(rtk_store *store, const json_t *changes)
{
	const rtk_store_resource *r = store_table(RTK_STORE_CHAT);
	if (!json_is_array(changes))
		return RTK_STORE_FAILED;
	rtk_store_status status;
	rtk_store_conn *c = store->backend->write_begin(store->db, &status);
	size_t i;
	const json_t *change;
	json_array_foreach(changes, i, change) {
		if (status != RTK_STORE_OK)
			break;
		const json_t *row = json_object_get(change, "put");
		const char *gone = json_string_value(json_object_get(change, "delete"));
		if (json_is_object(row)) {
			status = store_put_on(store, c, r, row);
		} else if (gone) {
			rtk_store_op op = { .verb = RTK_STORE_DELETE, .res = r, .key = gone };
			status = store->backend->exec(c, &op);
			if (status == RTK_STORE_NOT_FOUND)
				status = RTK_STORE_OK;
		} else {
			status = RTK_STORE_FAILED;
		}
	}
	return store->backend->write_end(store->db, status);
}

rtk_store_status rtk_store_chat_purge_session(rtk_store *store, const char *session_id)
{
	if (!session_id)
		return RTK_STORE_FAILED;
	rtk_store_status status;
	rtk_store_conn *c = store->backend->write_begin(store->db, &status);
	if (status == RTK_STORE_OK) {
		rtk_store_op op = { .verb = RTK_STORE_PURGE, .res = store_table(RTK_STORE_CHAT),
			.filter = { session_id } };
		status = store->backend->exec(c, &op);
	}
	return store->backend->write_end(store->db, status);
}

rtk_store_status rtk_store_chat_list(rtk_store *store, const char *session_id, int offset, int limit,
	json_t **items, int *total)
{
	return store_list(store, store_table(RTK_STORE_CHAT), session_id, NULL, offset, limit, items, total);
}

rtk_store_status rtk_store_chat_search(rtk_store *store, const char *session_id, const char *words,
	int limit, json_t **items)
{
	*items = NULL;
	if (!session_id || !words)
		return RTK_STORE_FAILED;
	rtk_store_conn *c = store->backend->read_begin(store->db);
	if (!c)
		return RTK_STORE_FAILED;
	rtk_store_op op = { .verb = RTK_STORE_SEARCH, .res = store_table(RTK_STORE_CHAT), .key = words,
		.filter = { session_id }, .limit = limit };
	rtk_store_status status = store->backend->exec(c, &op);
	store->backend->read_end(store->db, c);
	*items = op.result;
	return status;
}

/* ---- sessions ---- */

double rtk_store_minutes_between(const char *from, const char *to)
{
	GDateTime *a = from ? g_date_time_new_from_iso8601(from, NULL) : NULL;
	GDateTime *b = to ? g_date_time_new_from_iso8601(to, NULL) : g_date_time_new_now_utc();
	double minutes = 0;
	if (a && b) {
		GTimeSpan us = g_date_time_difference(b, a);
		minutes = us > 0 ? (double)(us / 600000) / 100.0 : 0;   /* 0.01 minute = 600 ms */
	}
	if (a)
		g_date_time_unref(a);
	if (b)
		g_date_time_unref(b);
	return minutes;
}

/* Closes, at `now`, the presences of session `id` still open (left_at
 * null): left_at and duration set. *minutes grows by their durations. */
static rtk_store_status store_session_close_presences(rtk_store *s, rtk_store_conn *c, const char *id,
	const char *now, double *minutes)
{
	const rtk_store_resource *r = store_table(RTK_STORE_SESSION_PARTICIPANTS);
	json_t *rows = NULL, *row;
	size_t i;
	rtk_store_status status = store_list_on(s, c, r, id, NULL, 0, -1, &rows, NULL);
	json_array_foreach(rows, i, row) {
		if (status != RTK_STORE_OK)
			break;
		const json_t *left = json_object_get(row, "left_at");
		if (left && !json_is_null(left))
			continue;
		double duration = rtk_store_minutes_between(
			json_string_value(json_object_get(row, "joined_at")), now);
		json_t *change = json_pack("{s:s, s:f}", "left_at", now, "duration", duration);
		if (!change) {
			status = RTK_STORE_FAILED;
			break;
		}
		store_row_change(r, row, change, now);
		json_decref(change);
		status = store_write_on(s, c, r, RTK_STORE_UPDATE, row);
		*minutes += duration;
	}
	json_decref(rows);
	return status;
}

/* Ends the LIVE sessions of `meeting_id` (NULL: of every meeting). */
static rtk_store_status store_session_end_unfinished(rtk_store *store, const char *meeting_id, int *count)
{
	const rtk_store_resource *r = store_table(RTK_STORE_SESSIONS);
	if (count)
		*count = 0;
	char *now = rtk_util_now_iso8601();
	if (!now)
		return RTK_STORE_FAILED;
	int ended = 0;
	json_t *rows = NULL, *row;
	size_t i;
	rtk_store_status status;
	rtk_store_conn *c = store->backend->write_begin(store->db, &status);
	if (status == RTK_STORE_OK)
		status = store_list_on(store, c, r, meeting_id, "LIVE", 0, -1, &rows, NULL);
	json_array_foreach(rows, i, row) {
		if (status != RTK_STORE_OK)
			break;
		double minutes = json_number_value(json_object_get(row, "minutes_consumed"));
		status = store_session_close_presences(store, c, store_row_id(r, row), now, &minutes);
		json_t *change = json_pack("{s:s, s:s, s:i, s:f}", "status", "ENDED", "ended_at", now,
			"live_participants", 0, "minutes_consumed", minutes);
		if (status == RTK_STORE_OK && change) {
			store_row_change(r, row, change, now);
			status = store_write_on(store, c, r, RTK_STORE_UPDATE, row);
			ended++;
		} else if (status == RTK_STORE_OK) {
			status = RTK_STORE_FAILED;
		}
		json_decref(change);
	}
	json_decref(rows);
	status = store->backend->write_end(store->db, status);
	if (status == RTK_STORE_OK && count)
		*count = ended;
	free(now);
	return status;
}

rtk_store_status rtk_store_session_end_unfinished(rtk_store *store, int *count)
{
	return store_session_end_unfinished(store, NULL, count);
}

rtk_store_status rtk_store_meeting_end_unfinished(rtk_store *store, const char *meeting_id,
	int *sessions, int *recordings, int *livestreams)
{
	if (!meeting_id)
		return RTK_STORE_FAILED;
	rtk_store_status st = store_fail_unfinished(store, store_table(RTK_STORE_RECORDINGS), meeting_id,
		recording_unfinished, recordings);
	if (st == RTK_STORE_OK)
		st = store_fail_unfinished(store, store_table(RTK_STORE_LIVESTREAMS), meeting_id,
			livestream_unfinished, livestreams);
	if (st == RTK_STORE_OK)
		st = store_session_end_unfinished(store, meeting_id, sessions);
	return st;
}

rtk_store_status rtk_store_session_create(rtk_store *store, const json_t *fields, json_t **out)
{
	return store_create(store, store_table(RTK_STORE_SESSIONS), NULL, fields, NULL, NULL, out);
}

rtk_store_status rtk_store_session_update(rtk_store *store, const char *id,
	const json_t *fields, json_t **out)
{
	return store_update(store, store_table(RTK_STORE_SESSIONS), id, NULL, fields, NULL, NULL, out);
}

rtk_store_status rtk_store_session_get(rtk_store *store, const char *id, json_t **out)
{
	return store_get(store, store_table(RTK_STORE_SESSIONS), 0, id, NULL, out);
}

rtk_store_status rtk_store_session_list(rtk_store *store, const char *meeting_id,
	const char *status, int offset, int limit, json_t **items, int *total)
{
	return store_list(store, store_table(RTK_STORE_SESSIONS), meeting_id, status, offset, limit, items, total);
}

rtk_store_status rtk_store_session_find(rtk_store *store, const rtk_store_session_filter *filter,
	int offset, int limit, json_t **items, int *total)
{
	rtk_store_where where = { .since = filter->created_from, .until = filter->created_to };
	return store_find(store, store_table(RTK_STORE_SESSIONS), filter->meeting_id, filter->status, &where,
		offset, limit, items, total);
}

rtk_store_status rtk_store_session_participant_create(rtk_store *store, const json_t *fields,
	json_t **out)
{
	return store_create(store, store_table(RTK_STORE_SESSION_PARTICIPANTS), NULL, fields, NULL, NULL, out);
}

rtk_store_status rtk_store_session_participant_update(rtk_store *store, const char *id,
	const json_t *fields, json_t **out)
{
	return store_update(store, store_table(RTK_STORE_SESSION_PARTICIPANTS), id, NULL, fields, NULL, NULL, out);
}

rtk_store_status rtk_store_session_participant_get(rtk_store *store, const char *session_id,
	const char *id, json_t **out)
{
	return store_get(store, store_table(RTK_STORE_SESSION_PARTICIPANTS), 0, id, session_id, out);
}

rtk_store_status rtk_store_session_participant_list(rtk_store *store, const char *session_id,
	int offset, int limit, json_t **items, int *total)
{
	*items = NULL;
	if (total)
		*total = 0;
	if (!session_id)
		return RTK_STORE_NOT_FOUND;
	return store_list(store, store_table(RTK_STORE_SESSION_PARTICIPANTS), session_id, NULL, offset, limit,
		items, total);
}

/* ---- webhooks ---- */

rtk_store_status rtk_store_webhook_create(rtk_store *store, const json_t *fields, json_t **out)
{
	return store_create(store, store_table(RTK_STORE_WEBHOOKS), NULL, fields, NULL, NULL, out);
}

rtk_store_status rtk_store_webhook_get(rtk_store *store, const char *id, json_t **out)
{
	return store_get(store, store_table(RTK_STORE_WEBHOOKS), 0, id, NULL, out);
}

rtk_store_status rtk_store_webhook_list(rtk_store *store, int offset, int limit,
	json_t **items, int *total)
{
	return store_list(store, store_table(RTK_STORE_WEBHOOKS), NULL, NULL, offset, limit, items, total);
}

rtk_store_status rtk_store_webhook_update(rtk_store *store, const char *id,
	const json_t *fields, json_t **out)
{
	return store_update(store, store_table(RTK_STORE_WEBHOOKS), id, NULL, fields, NULL, NULL, out);
}

rtk_store_status rtk_store_webhook_delete(rtk_store *store, const char *id)
{
	return store_delete(store, store_table(RTK_STORE_WEBHOOKS), id, NULL);
}

/* ---- plugins ---- */

rtk_store_status rtk_store_plugin_create(rtk_store *store, const json_t *fields, json_t **out)
{
	return store_create(store, store_table(RTK_STORE_PLUGINS), NULL, fields, NULL, NULL, out);
}

rtk_store_status rtk_store_plugin_get(rtk_store *store, const char *id, json_t **out)
{
	return store_get(store, store_table(RTK_STORE_PLUGINS), 0, id, NULL, out);
}

rtk_store_status rtk_store_plugin_list(rtk_store *store, int offset, int limit, json_t **items, int *total)
{
	return store_list(store, store_table(RTK_STORE_PLUGINS), NULL, NULL, offset, limit, items, total);
}

rtk_store_status rtk_store_plugin_update(rtk_store *store, const char *id, const json_t *fields, json_t **out)
{
	return store_update(store, store_table(RTK_STORE_PLUGINS), id, NULL, fields, NULL, NULL, out);
}

rtk_store_status rtk_store_plugin_delete(rtk_store *store, const char *id)
{
	return store_delete(store, store_table(RTK_STORE_PLUGINS), id, NULL);
}

static int store_webhook_wants(const json_t *w, const char *event)
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
	/* A deployment has a handful of webhooks: filter the enabled ones
	 * here rather than rely on the backend's JSON functions. */
	json_t *all = NULL;
	rtk_store_status status = store_list(store, store_table(RTK_STORE_WEBHOOKS), "true", NULL, 0, -1, &all, NULL);
	if (status != RTK_STORE_OK)
		return status;
	json_t *wanted = json_array();
	size_t i;
	json_t *w;
	json_array_foreach(all, i, w)
		if (store_webhook_wants(w, event))
			json_array_append(wanted, w);
	json_decref(all);
	*items = wanted;
	return RTK_STORE_OK;
}

/* ---- nodes and placements ---- */

rtk_store_placement_rule rtk_store_placement_decide(const char *holder, const char *lease_until,
	const char *node_id, const char *now)
{
	if (!holder)
		return RTK_PLACEMENT_INSERT;
	if (strcmp(holder, node_id) == 0)
		return RTK_PLACEMENT_RENEW;
	/* Timestamps of one form compare as text; a lease that does not
	 * parse (NULL) counts as expired. */
	if (!lease_until || strcmp(lease_until, now) <= 0)
		return RTK_PLACEMENT_TAKE;
	return RTK_PLACEMENT_HELD;
}

rtk_store_status rtk_store_node_heartbeat(rtk_store *store, const char *id, const char *janus_url,
	const char *rest_url)
{
	const rtk_store_resource *r = store_table(RTK_STORE_NODES);
	char *now = rtk_util_now_iso8601();
	json_t *row = now && id ? json_pack("{s:s, s:s*, s:s*, s:s}", "id", id, "janus_url", janus_url,
		"rest_url", rest_url, "heartbeat_at", now) : NULL;
	free(now);
	if (!row)
		return RTK_STORE_FAILED;
	rtk_store_status status;
	rtk_store_conn *c = store->backend->write_begin(store->db, &status);
	if (status == RTK_STORE_OK) {
		status = store_exists_on(store, c, r, id);
		if (status == RTK_STORE_OK || status == RTK_STORE_NOT_FOUND)
			status = store_write_on(store, c, r,
				status == RTK_STORE_OK ? RTK_STORE_UPDATE : RTK_STORE_INSERT, row);
	}
	json_decref(row);
	return store->backend->write_end(store->db, status);
}

rtk_store_status rtk_store_node_get(rtk_store *store, const char *id, json_t **out)
{
	return store_get(store, store_table(RTK_STORE_NODES), 0, id, NULL, out);
}

/* The holder's node's janus_url and rest_url copied into its placement
 * row `row` (a node row missing: they stay absent). */
static void store_placement_add_node(rtk_store *s, rtk_store_conn *c, json_t *row)
{
	json_t *node = NULL;
	if (store_get_on(s, c, store_table(RTK_STORE_NODES), 0,
			json_string_value(json_object_get(row, "node_id")), NULL, &node) == RTK_STORE_OK) {
		json_object_set(row, "janus_url", json_object_get(node, "janus_url"));
		json_object_set(row, "rest_url", json_object_get(node, "rest_url"));
	}
	json_decref(node);
}

rtk_store_status rtk_store_placement_claim(rtk_store *store, const char *meeting_id, const char *node_id,
	int lease_seconds, json_t **out, char **previous)
{
	const rtk_store_resource *r = store_table(RTK_STORE_PLACEMENTS);
	*out = NULL;
	if (previous)
		*previous = NULL;
	char *now = rtk_util_now_iso8601();
	char *until = rtk_util_iso8601_in(lease_seconds);
	if (!meeting_id || !node_id || !now || !until) {
		free(now);
		free(until);
		return RTK_STORE_FAILED;
	}
	json_t *held = NULL, *row = NULL;
	rtk_store_status status;
	rtk_store_conn *c = store->backend->write_begin(store->db, &status);
	if (status == RTK_STORE_OK)
		status = store_get_on(store, c, r, 0, meeting_id, NULL, &held);
	rtk_store_placement_rule rule = RTK_PLACEMENT_HELD;
	if (status == RTK_STORE_OK || status == RTK_STORE_NOT_FOUND) {
		rule = rtk_store_placement_decide(json_string_value(json_object_get(held, "node_id")),
			json_string_value(json_object_get(held, "lease_until")), node_id, now);
		status = RTK_STORE_OK;
	}
	if (status == RTK_STORE_OK && rule == RTK_PLACEMENT_HELD) {
		store_placement_add_node(store, c, held);
		*out = json_incref(held);
		status = RTK_STORE_CONFLICT;
	} else if (status == RTK_STORE_OK) {
		row = json_pack("{s:s, s:s, s:s}", "meeting_id", meeting_id, "node_id", node_id,
			"lease_until", until);
		status = row ? store_write_on(store, c, r, rule == RTK_PLACEMENT_INSERT ? RTK_STORE_INSERT :
			RTK_STORE_UPDATE, row) : RTK_STORE_FAILED;
	}
	status = store->backend->write_end(store->db, status);
	if (status == RTK_STORE_OK) {
		*out = json_incref(row);
		if (previous && rule == RTK_PLACEMENT_TAKE)
			*previous = strdup(json_string_value(json_object_get(held, "node_id")));
	} else if (status != RTK_STORE_CONFLICT) {
		json_decref(*out);
		*out = NULL;
	}
	json_decref(held);
	json_decref(row);
	free(now);
	free(until);
	return status;
}

rtk_store_status rtk_store_placement_get(rtk_store *store, const char *meeting_id, json_t **out)
{
	*out = NULL;
	rtk_store_conn *c = store->backend->read_begin(store->db);
	if (!c)
		return RTK_STORE_FAILED;
	rtk_store_status status = store_get_on(store, c, store_table(RTK_STORE_PLACEMENTS), 0, meeting_id,
		NULL, out);
	if (status == RTK_STORE_OK)
		store_placement_add_node(store, c, *out);
	store->backend->read_end(store->db, c);
	return status;
}

rtk_store_status rtk_store_placement_list(rtk_store *store, const char *node_id, json_t **items)
{
	return store_list(store, store_table(RTK_STORE_PLACEMENTS), node_id, NULL, 0, -1, items, NULL);
}

rtk_store_status rtk_store_placement_release(rtk_store *store, const char *meeting_id, const char *node_id)
{
	return store_delete(store, store_table(RTK_STORE_PLACEMENTS), meeting_id, node_id);
}
