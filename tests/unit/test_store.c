/*
 * test_store.c - the SQLite store (CRUD, conflicts, paging, durability
 * across reopen, a second connection on the same file, recordings,
 * livestreams and webhooks with their filters and the clean-up of
 * unfinished outputs, the schema migrations, list totals under every
 * filter, reads that do not wait behind writes, readers and writers at
 * once, writes that queue sharing one transaction, the WAL starting over
 * under a steady stream of writes, corrupt rows refused) and the gateway
 * built on it (data directory, credentials, default presets, the join
 * check with every refusal).
 *
 * Everything runs in a fresh mkdtemp() directory removed at the end.
 *
 * With RTK_TEST_PG set (a libpq conninfo without a dbname, e.g.
 * "host=/tmp/x user=rtk": tests/unit/run_store_pg.sh starts that server),
 * the same tests run on the PostgreSQL backend instead: each store a test
 * names is a database of that name, created on first use, and the gateway
 * tests start on one (database_url). The tests of SQLite's own machinery
 * (its file, WAL, batches, migrations of old files, corrupt rows written
 * with sqlite3) run on SQLite only; test_pg_write_turns runs on
 * PostgreSQL only.
 */
#define _GNU_SOURCE
#include <ftw.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <sqlite3.h>
#ifdef RTK_HAVE_LIBPQ
#include <libpq-fe.h>
#endif

#include "gateway.h"
#include "jwt.h"
#include "store.h"
#include "unit.h"
#include "util.h"

static char tmpdir[256];

static char *path_in(const char *name)
{
	return g_build_filename(tmpdir, name, NULL);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static const char *str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* RTK_TEST_PG: the PostgreSQL server the tests run on, or NULL: SQLite. */
static const char *pg_base;

#ifdef RTK_HAVE_LIBPQ
/* The conninfo of database `name` (its . and - made _) on the test's
 * server, created when it is not there yet. g_free() it. */
static char *pg_url(const char *name)
{
	char *db = g_strdelimit(g_ascii_strdown(name, -1), ".-/", '_');
	char *admin = g_strdup_printf("%s dbname=postgres", pg_base);
	PGconn *pg = PQconnectdb(admin);
	char *sql = g_strdup_printf("CREATE DATABASE \"%s\"", db);
	PGresult *res = PQexec(pg, sql);
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && !(state && strcmp(state, "42P04") == 0))
		fprintf(stderr, "CREATE DATABASE %s: %s", db, PQerrorMessage(pg));
	PQclear(res);
	PQfinish(pg);
	char *url = g_strdup_printf("%s dbname=%s", pg_base, db);
	g_free(sql);
	g_free(admin);
	g_free(db);
	return url;
}
#else
static char *pg_url(const char *name)
{
	return g_strdup(name);
}
#endif

/* The store `name` names: the file of that name in tmpdir, or on
 * PostgreSQL the database of that name. NULL with *error. */
static rtk_store *open_named(const char *name, char **error)
{
	if (pg_base) {
		char *url = pg_url(name);
		rtk_store *s = rtk_store_open_url(url, error);
		g_free(url);
		return s;
	}
	char *path = path_in(name);
	rtk_store *s = rtk_store_open(path, error);
	g_free(path);
	return s;
}

static rtk_store *open_store(const char *name)
{
	char *error = NULL;
	rtk_store *s = open_named(name, &error);
	if (!s)
		fprintf(stderr, "open %s: %s\n", name, error);
	CHECK_NOT_NULL(s);
	CHECK_NULL(error);
	CHECK_EQ_STR(s ? rtk_store_backend_name(s) : NULL, pg_base ? "postgresql" : "sqlite");
	free(error);
	return s;
}

static json_t *new_meeting(rtk_store *s, const char *title)
{
	json_t *fields = json_pack("{s:s}", "title", title), *m = NULL;
	CHECK_EQ_INT(rtk_store_meeting_create(s, fields, &m), RTK_STORE_OK);
	json_decref(fields);
	return m;
}

static json_t *new_preset(rtk_store *s, const char *name)
{
	json_t *fields = json_pack("{s:s, s:{s:i}, s:{s:b}, s:{}}", "name", name,
		"config", "max_video_streams", 6, "permissions", "can_record", 1, "ui"), *p = NULL;
	CHECK_EQ_INT(rtk_store_preset_create(s, fields, &p), RTK_STORE_OK);
	json_decref(fields);
	return p;
}

static json_t *new_participant(rtk_store *s, const char *meeting_id, const char *name,
	const char *preset_name)
{
	json_t *fields = json_pack("{s:s, s:s, s:s}", "name", name, "preset_name", preset_name,
		"custom_participant_id", name), *p = NULL;
	const char *missing = "unset";
	CHECK_EQ_INT(rtk_store_participant_create(s, meeting_id, fields, &p, &missing), RTK_STORE_OK);
	CHECK_NULL(missing);
	json_decref(fields);
	return p;
}

/* ---- store ---- */

static void test_meta(void)
{
	rtk_store *s = open_store("meta.sqlite3");
	char *v = (char *)"x";
	CHECK_EQ_INT(rtk_store_meta_get(s, "k", &v), RTK_STORE_NOT_FOUND);
	CHECK_NULL(v);
	CHECK_EQ_INT(rtk_store_meta_set(s, "k", "1"), RTK_STORE_OK);
	CHECK_EQ_INT(rtk_store_meta_set(s, "k", "2"), RTK_STORE_OK);
	CHECK_EQ_INT(rtk_store_meta_get(s, "k", &v), RTK_STORE_OK);
	CHECK_EQ_STR(v, "2");
	free(v);
	rtk_store_close(s);
}

static void test_meetings(void)
{
	rtk_store *s = open_store("meetings.sqlite3");

	json_t *empty = json_object(), *m = NULL;
	CHECK_EQ_INT(rtk_store_meeting_create(s, empty, &m), RTK_STORE_OK);
	CHECK_EQ_INT(strlen(str(m, "id")), 36);
	CHECK(json_is_null(json_object_get(m, "title")));
	CHECK_EQ_STR(str(m, "status"), "ACTIVE");
	CHECK(json_is_false(json_object_get(m, "record_on_start")));
	CHECK(json_is_false(json_object_get(m, "live_stream_on_start")));
	CHECK(json_is_false(json_object_get(m, "persist_chat")));
	CHECK(json_is_false(json_object_get(m, "summarize_on_end")));
	CHECK_EQ_INT(strlen(str(m, "created_at")), 24);
	CHECK_EQ_STR(str(m, "created_at"), str(m, "updated_at"));
	CHECK(json_is_null(json_object_get(m, "parent_meeting_id")));
	CHECK_EQ_INT(json_object_size(m), 15);   /* with the settings of migration 9 */
	json_decref(empty);

	json_t *fields = json_pack("{s:s, s:b, s:b, s:s}", "title", "Standup", "record_on_start", 1,
		"persist_chat", 1, "unknown", "ignored"), *m2 = NULL;
	CHECK_EQ_INT(rtk_store_meeting_create(s, fields, &m2), RTK_STORE_OK);
	CHECK_EQ_STR(str(m2, "title"), "Standup");
	CHECK(json_is_true(json_object_get(m2, "record_on_start")));
	CHECK(json_is_true(json_object_get(m2, "persist_chat")));
	CHECK(json_is_false(json_object_get(m2, "summarize_on_end")));
	CHECK_NULL(json_object_get(m2, "unknown"));
	json_decref(fields);

	json_t *got = NULL;
	CHECK_EQ_INT(rtk_store_meeting_get(s, str(m2, "id"), &got), RTK_STORE_OK);
	CHECK(json_equal(got, m2));
	json_decref(got);
	got = (json_t *)0x1;
	CHECK_EQ_INT(rtk_store_meeting_get(s, "00000000-0000-4000-8000-000000000000", &got),
		RTK_STORE_NOT_FOUND);
	CHECK_NULL(got);

	/* update: known fields only, updated_at moves, created_at does not */
	usleep(2000);
	fields = json_pack("{s:s, s:n, s:b}", "status", "INACTIVE", "title", "record_on_start", 0);
	CHECK_EQ_INT(rtk_store_meeting_update(s, str(m2, "id"), fields, &got), RTK_STORE_OK);
	CHECK_EQ_STR(str(got, "status"), "INACTIVE");
	CHECK(json_is_null(json_object_get(got, "title")));
	CHECK(json_is_false(json_object_get(got, "record_on_start")));
	CHECK(json_is_true(json_object_get(got, "persist_chat")));
	CHECK_EQ_STR(str(got, "created_at"), str(m2, "created_at"));
	CHECK(strcmp(str(got, "updated_at"), str(m2, "updated_at")) > 0);
	json_decref(got);
	got = (json_t *)0x1;
	CHECK_EQ_INT(rtk_store_meeting_update(s, "nope", fields, &got), RTK_STORE_NOT_FOUND);
	CHECK_NULL(got);
	json_decref(fields);

	/* list: newest first, with paging */
	json_t *m3 = new_meeting(s, "third");
	json_t *items = NULL;
	int total = -1;
	CHECK_EQ_INT(rtk_store_meeting_list(s, 0, 10, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 3);
	CHECK_EQ_INT(json_array_size(items), 3);
	CHECK_EQ_STR(str(json_array_get(items, 0), "id"), str(m3, "id"));
	CHECK_EQ_STR(str(json_array_get(items, 1), "id"), str(m2, "id"));
	CHECK_EQ_STR(str(json_array_get(items, 2), "id"), str(m, "id"));
	json_decref(items);
	CHECK_EQ_INT(rtk_store_meeting_list(s, 1, 1, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 3);
	CHECK_EQ_INT(json_array_size(items), 1);
	CHECK_EQ_STR(str(json_array_get(items, 0), "id"), str(m2, "id"));
	json_decref(items);
	CHECK_EQ_INT(rtk_store_meeting_list(s, 5, 10, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 3);
	CHECK_EQ_INT(json_array_size(items), 0);
	json_decref(items);

	json_decref(m);
	json_decref(m2);
	json_decref(m3);
	rtk_store_close(s);
}

/* Connected meetings: parent_meeting_id is set at creation, never by an
 * update, and the children of a parent list by it, newest first. */
static void test_meeting_children(void)
{
	rtk_store *s = open_store("children.sqlite3");
	json_t *parent = new_meeting(s, "parent"), *other = new_meeting(s, "other");
	json_t *kids[2] = { NULL, NULL };
	for (int i = 0; i < 2; i++) {
		json_t *fields = json_pack("{s:s, s:s}", "title", i ? "room 2" : "room 1",
			"parent_meeting_id", str(parent, "id"));
		CHECK_EQ_INT(rtk_store_meeting_create(s, fields, &kids[i]), RTK_STORE_OK);
		CHECK_EQ_STR(str(kids[i], "parent_meeting_id"), str(parent, "id"));
		json_decref(fields);
	}
	json_t *items = NULL, *got = NULL;
	int total = -1;
	CHECK_EQ_INT(rtk_store_meeting_children(s, str(parent, "id"), 0, 10, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 2);
	CHECK_EQ_STR(str(json_array_get(items, 0), "id"), str(kids[1], "id"));
	CHECK_EQ_STR(str(json_array_get(items, 1), "id"), str(kids[0], "id"));
	json_decref(items);
	CHECK_EQ_INT(rtk_store_meeting_children(s, str(other, "id"), 0, 10, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 0);
	json_decref(items);
	CHECK_EQ_INT(rtk_store_meeting_list(s, 0, 10, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 4);
	json_decref(items);
	/* fixed: an update leaves the parent alone */
	json_t *fields = json_pack("{s:s}", "parent_meeting_id", str(other, "id"));
	CHECK_EQ_INT(rtk_store_meeting_update(s, str(kids[0], "id"), fields, &got), RTK_STORE_OK);
	CHECK_EQ_STR(str(got, "parent_meeting_id"), str(parent, "id"));
	json_decref(got);
	json_decref(fields);
	for (int i = 0; i < 2; i++)
		json_decref(kids[i]);
	json_decref(parent);
	json_decref(other);
	rtk_store_close(s);
}

/* RealtimeKit's meeting settings (migration 9): defaults, a replace that
 * returns what it is not given to them, the list's narrowing by status,
 * text and creation time, and a store of schema 8 brought up to date. */
static void test_meeting_settings(void)
{
	rtk_store *s = open_store("settings.sqlite3");
	json_t *m = new_meeting(s, "Weekly 100% Sync_up"), *got = NULL;
	CHECK(json_is_null(json_object_get(m, "recording_config")));
	CHECK(json_is_null(json_object_get(m, "ai_config")));
	CHECK(json_is_null(json_object_get(m, "preferred_region")));
	CHECK_EQ_INT(json_integer_value(json_object_get(m, "session_keep_alive_time_in_secs")), 0);
	CHECK(json_is_false(json_object_get(m, "transcribe_on_end")));

	json_t *fields = json_pack("{s:{s:i}, s:s, s:f, s:b, s:b, s:s}", "recording_config", "max_seconds", 120,
		"preferred_region", "eu-central-1", "session_keep_alive_time_in_secs", 90.5, "transcribe_on_end", 1,
		"persist_chat", 1, "status", "INACTIVE");
	CHECK_EQ_INT(rtk_store_meeting_update(s, str(m, "id"), fields, &got), RTK_STORE_OK);
	json_decref(fields);
	CHECK_EQ_INT(json_integer_value(json_object_get(json_object_get(got, "recording_config"), "max_seconds")), 120);
	CHECK_EQ_STR(str(got, "preferred_region"), "eu-central-1");
	CHECK(json_real_value(json_object_get(got, "session_keep_alive_time_in_secs")) == 90.5);
	CHECK_EQ_STR(str(got, "status"), "INACTIVE");
	json_decref(got);

	/* replace: the fields not given return to their defaults; the status stays */
	fields = json_pack("{s:s}", "title", "Replaced");
	CHECK_EQ_INT(rtk_store_meeting_replace(s, str(m, "id"), fields, &got), RTK_STORE_OK);
	json_decref(fields);
	CHECK_EQ_STR(str(got, "title"), "Replaced");
	CHECK(json_is_null(json_object_get(got, "recording_config")));
	CHECK(json_is_null(json_object_get(got, "preferred_region")));
	CHECK_EQ_INT(json_integer_value(json_object_get(got, "session_keep_alive_time_in_secs")), 0);
	CHECK(json_is_false(json_object_get(got, "transcribe_on_end")));
	CHECK(json_is_false(json_object_get(got, "persist_chat")));
	CHECK_EQ_STR(str(got, "status"), "INACTIVE");
	CHECK_EQ_STR(str(got, "created_at"), str(m, "created_at"));
	json_decref(got);
	CHECK_EQ_INT(rtk_store_meeting_replace(s, "00000000-0000-4000-8000-000000000000", NULL, &got),
		RTK_STORE_NOT_FOUND);

	/* narrowing */
	json_t *b = new_meeting(s, "weekly 100x sync"), *c = new_meeting(s, "Other");
	json_t *items = NULL;
	int total = -1;
	rtk_store_meeting_filter f = { .search = "WEEKLY" };
	CHECK_EQ_INT(rtk_store_meeting_find(s, &f, 0, 10, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 1);   /* "Replaced" lost the word; b has it */
	CHECK_EQ_STR(str(json_array_get(items, 0), "id"), str(b, "id"));
	json_decref(items);
	f = (rtk_store_meeting_filter) { .search = "100%" };   /* % is no wildcard */
	CHECK_EQ_INT(rtk_store_meeting_find(s, &f, 0, 10, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 0);
	json_decref(items);
	f = (rtk_store_meeting_filter) { .search = str(c, "id") + 9 };   /* a piece of an id */
	CHECK_EQ_INT(rtk_store_meeting_find(s, &f, 0, 10, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 1);
	json_decref(items);
	f = (rtk_store_meeting_filter) { .status = "INACTIVE" };
	CHECK_EQ_INT(rtk_store_meeting_find(s, &f, 0, 10, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 1);
	CHECK_EQ_STR(str(json_array_get(items, 0), "id"), str(m, "id"));
	json_decref(items);
	f = (rtk_store_meeting_filter) { .status = "ACTIVE", .created_from = str(b, "created_at") };
	CHECK_EQ_INT(rtk_store_meeting_find(s, &f, 0, 1, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 2);   /* b and c, one per page, newest first */
	CHECK_EQ_INT((int)json_array_size(items), 1);
	CHECK_EQ_STR(str(json_array_get(items, 0), "id"), str(c, "id"));
	json_decref(items);
	f = (rtk_store_meeting_filter) { .created_to = "2000-01-01T00:00:00.000Z" };
	CHECK_EQ_INT(rtk_store_meeting_find(s, &f, 0, 10, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 0);
	json_decref(items);
	f = (rtk_store_meeting_filter) { 0 };
	CHECK_EQ_INT(rtk_store_meeting_find(s, &f, 0, 10, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 3);
	json_decref(items);
	json_decref(b);
	json_decref(c);
	rtk_store_close(s);

	/* a store of schema 8 gets the columns, its meetings the defaults */
	if (pg_base) {
		json_decref(m);
		return;
	}
	char *path = path_in("settings.sqlite3");
	sqlite3 *db = NULL;
	CHECK_EQ_INT(sqlite3_open(path, &db), SQLITE_OK);
	CHECK_EQ_INT(sqlite3_exec(db, "DROP INDEX meetings_by_status;"
		" ALTER TABLE meetings DROP COLUMN recording_config; ALTER TABLE meetings DROP COLUMN ai_config;"
		" ALTER TABLE meetings DROP COLUMN preferred_region;"
		" ALTER TABLE meetings DROP COLUMN session_keep_alive_time_in_secs;"
		" ALTER TABLE meetings DROP COLUMN transcribe_on_end; PRAGMA user_version = 8;", NULL, NULL, NULL),
		SQLITE_OK);
	sqlite3_close(db);
	g_free(path);
	s = open_store("settings.sqlite3");
	CHECK_EQ_INT(rtk_store_meeting_get(s, str(m, "id"), &got), RTK_STORE_OK);
	CHECK_EQ_STR(str(got, "title"), "Replaced");
	CHECK(json_is_null(json_object_get(got, "recording_config")));
	CHECK_EQ_INT(json_integer_value(json_object_get(got, "session_keep_alive_time_in_secs")), 0);
	CHECK(json_is_false(json_object_get(got, "transcribe_on_end")));
	json_decref(got);
	json_decref(m);
	rtk_store_close(s);
}

static void test_presets(void)
{
	rtk_store *s = open_store("presets.sqlite3");
	json_t *a = new_preset(s, "alpha"), *b = new_preset(s, "beta"), *got = NULL;
	CHECK_EQ_INT(json_object_size(a), 7);
	CHECK_EQ_INT(json_integer_value(json_object_get(json_object_get(a, "config"),
		"max_video_streams")), 6);
	CHECK(json_is_true(json_object_get(json_object_get(a, "permissions"), "can_record")));
	CHECK(json_is_object(json_object_get(a, "ui")));

	/* a preset without name is refused, defaults fill config/permissions/ui */
	json_t *fields = json_object();
	CHECK(rtk_store_preset_create(s, fields, &got) != RTK_STORE_OK);
	CHECK_NULL(got);
	json_object_set_new(fields, "name", json_string("gamma"));
	CHECK_EQ_INT(rtk_store_preset_create(s, fields, &got), RTK_STORE_OK);
	CHECK(json_is_object(json_object_get(got, "config")));
	CHECK_EQ_INT(json_object_size(json_object_get(got, "config")), 0);
	json_t *c = got;
	json_decref(fields);

	/* duplicate name */
	fields = json_pack("{s:s}", "name", "alpha");
	got = (json_t *)0x1;
	CHECK_EQ_INT(rtk_store_preset_create(s, fields, &got), RTK_STORE_CONFLICT);
	CHECK_NULL(got);
	/* rename onto an existing name */
	CHECK_EQ_INT(rtk_store_preset_update(s, str(b, "id"), fields, &got), RTK_STORE_CONFLICT);
	CHECK_NULL(got);
	json_decref(fields);

	/* get, by name, rename, config replace */
	CHECK_EQ_INT(rtk_store_preset_get(s, str(a, "id"), &got), RTK_STORE_OK);
	CHECK(json_equal(got, a));
	json_decref(got);
	CHECK_EQ_INT(rtk_store_preset_get_by_name(s, "beta", &got), RTK_STORE_OK);
	CHECK_EQ_STR(str(got, "id"), str(b, "id"));
	json_decref(got);
	CHECK_EQ_INT(rtk_store_preset_get_by_name(s, "nope", &got), RTK_STORE_NOT_FOUND);
	CHECK_EQ_INT(rtk_store_preset_get(s, "nope", &got), RTK_STORE_NOT_FOUND);
	fields = json_pack("{s:s, s:{s:[s]}}", "name", "beta2", "ui", "design_tokens", "dark");
	CHECK_EQ_INT(rtk_store_preset_update(s, str(b, "id"), fields, &got), RTK_STORE_OK);
	CHECK_EQ_STR(str(got, "name"), "beta2");
	CHECK(json_equal(json_object_get(got, "ui"), json_object_get(fields, "ui")));
	CHECK(json_equal(json_object_get(got, "config"), json_object_get(b, "config")));
	json_decref(got);
	CHECK_EQ_INT(rtk_store_preset_update(s, "nope", fields, &got), RTK_STORE_NOT_FOUND);
	json_decref(fields);

	/* list: oldest first */
	json_t *items = NULL;
	int total = 0;
	CHECK_EQ_INT(rtk_store_preset_list(s, 0, 100, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 3);
	CHECK_EQ_STR(str(json_array_get(items, 0), "name"), "alpha");
	CHECK_EQ_STR(str(json_array_get(items, 1), "name"), "beta2");
	CHECK_EQ_STR(str(json_array_get(items, 2), "name"), "gamma");
	json_decref(items);
	CHECK_EQ_INT(rtk_store_preset_list(s, 2, 5, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(json_array_size(items), 1);
	CHECK_EQ_STR(str(json_array_get(items, 0), "name"), "gamma");
	json_decref(items);

	/* delete */
	CHECK_EQ_INT(rtk_store_preset_delete(s, str(c, "id")), RTK_STORE_OK);
	CHECK_EQ_INT(rtk_store_preset_delete(s, str(c, "id")), RTK_STORE_NOT_FOUND);
	CHECK_EQ_INT(rtk_store_preset_get(s, str(c, "id"), &got), RTK_STORE_NOT_FOUND);
	/* the name is free again */
	json_decref(new_preset(s, "gamma"));

	json_decref(a);
	json_decref(b);
	json_decref(c);
	rtk_store_close(s);
}

static void test_participants(void)
{
	rtk_store *s = open_store("participants.sqlite3");
	json_t *m = new_meeting(s, "m"), *other = new_meeting(s, "other");
	json_t *host = new_preset(s, "host"), *guest = new_preset(s, "guest");
	const char *mid = str(m, "id");

	/* unknown meeting / preset */
	json_t *fields = json_pack("{s:s, s:s}", "name", "Ann", "preset_name", "host"), *p = NULL;
	const char *missing = NULL;
	CHECK_EQ_INT(rtk_store_participant_create(s, "no-such-meeting", fields, &p, &missing),
		RTK_STORE_NOT_FOUND);
	CHECK_EQ_STR(missing, "meeting");
	CHECK_NULL(p);
	json_object_set_new(fields, "preset_name", json_string("no-such-preset"));
	CHECK_EQ_INT(rtk_store_participant_create(s, mid, fields, &p, &missing), RTK_STORE_NOT_FOUND);
	CHECK_EQ_STR(missing, "preset");
	CHECK_NULL(p);
	json_object_del(fields, "preset_name");
	CHECK_EQ_INT(rtk_store_participant_create(s, mid, fields, &p, &missing), RTK_STORE_NOT_FOUND);
	CHECK_EQ_STR(missing, "preset");
	json_decref(fields);

	/* create: shape */
	json_t *ann = new_participant(s, mid, "Ann", "host");
	CHECK_EQ_INT(json_object_size(ann), 9);
	CHECK_EQ_INT(strlen(str(ann, "id")), 36);
	CHECK_EQ_STR(str(ann, "meeting_id"), mid);
	CHECK_EQ_STR(str(ann, "name"), "Ann");
	CHECK(json_is_null(json_object_get(ann, "picture")));
	CHECK_EQ_STR(str(ann, "preset_name"), "host");
	CHECK_EQ_STR(str(ann, "preset_id"), str(host, "id"));
	CHECK_EQ_STR(str(ann, "custom_participant_id"), "Ann");
	json_t *bob = new_participant(s, mid, "Bob", "guest");
	json_t *cy = new_participant(s, str(other, "id"), "Cy", "guest");

	/* get: scoped to the meeting, or by id alone */
	json_t *got = NULL;
	CHECK_EQ_INT(rtk_store_participant_get(s, mid, str(ann, "id"), &got), RTK_STORE_OK);
	CHECK(json_equal(got, ann));
	json_decref(got);
	CHECK_EQ_INT(rtk_store_participant_get(s, NULL, str(ann, "id"), &got), RTK_STORE_OK);
	CHECK(json_equal(got, ann));
	json_decref(got);
	CHECK_EQ_INT(rtk_store_participant_get(s, str(other, "id"), str(ann, "id"), &got),
		RTK_STORE_NOT_FOUND);
	CHECK_NULL(got);

	/* preset_name follows a rename of the preset */
	fields = json_pack("{s:s}", "name", "moderator");
	json_t *renamed = NULL;
	CHECK_EQ_INT(rtk_store_preset_update(s, str(host, "id"), fields, &renamed), RTK_STORE_OK);
	json_decref(renamed);
	json_decref(fields);
	CHECK_EQ_INT(rtk_store_participant_get(s, mid, str(ann, "id"), &got), RTK_STORE_OK);
	CHECK_EQ_STR(str(got, "preset_name"), "moderator");
	json_decref(got);

	/* a preset in use cannot go */
	CHECK_EQ_INT(rtk_store_preset_delete(s, str(host, "id")), RTK_STORE_CONFLICT);
	CHECK_EQ_INT(rtk_store_preset_get(s, str(host, "id"), &got), RTK_STORE_OK);
	json_decref(got);

	/* update: fields, preset by name, unknown preset, unknown participant */
	fields = json_pack("{s:s, s:s, s:s}", "name", "Ann B", "picture", "https://x/a.png",
		"preset_name", "guest");
	missing = NULL;
	CHECK_EQ_INT(rtk_store_participant_update(s, mid, str(ann, "id"), fields, &got, &missing),
		RTK_STORE_OK);
	CHECK_NULL(missing);
	CHECK_EQ_STR(str(got, "name"), "Ann B");
	CHECK_EQ_STR(str(got, "picture"), "https://x/a.png");
	CHECK_EQ_STR(str(got, "preset_name"), "guest");
	CHECK_EQ_STR(str(got, "preset_id"), str(guest, "id"));
	CHECK_EQ_STR(str(got, "custom_participant_id"), "Ann");
	CHECK_EQ_STR(str(got, "created_at"), str(ann, "created_at"));
	json_decref(got);
	json_object_set_new(fields, "preset_name", json_string("nope"));
	CHECK_EQ_INT(rtk_store_participant_update(s, mid, str(ann, "id"), fields, &got, &missing),
		RTK_STORE_NOT_FOUND);
	CHECK_EQ_STR(missing, "preset");
	CHECK_NULL(got);
	CHECK_EQ_INT(rtk_store_participant_update(s, mid, "nope", fields, &got, &missing),
		RTK_STORE_NOT_FOUND);
	CHECK_EQ_STR(missing, "participant");
	json_decref(fields);
	/* the failed update changed nothing */
	CHECK_EQ_INT(rtk_store_participant_get(s, mid, str(ann, "id"), &got), RTK_STORE_OK);
	CHECK_EQ_STR(str(got, "name"), "Ann B");
	CHECK_EQ_STR(str(got, "preset_name"), "guest");
	json_decref(got);
	/* nobody uses "moderator" any more */
	CHECK_EQ_INT(rtk_store_preset_delete(s, str(host, "id")), RTK_STORE_OK);

	/* list: oldest first, per meeting */
	json_t *dee = new_participant(s, mid, "Dee", "guest");
	json_t *items = NULL;
	int total = 0;
	CHECK_EQ_INT(rtk_store_participant_list(s, mid, 0, 10, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 3);
	CHECK_EQ_INT(json_array_size(items), 3);
	CHECK_EQ_STR(str(json_array_get(items, 0), "id"), str(ann, "id"));
	CHECK_EQ_STR(str(json_array_get(items, 1), "id"), str(bob, "id"));
	CHECK_EQ_STR(str(json_array_get(items, 2), "id"), str(dee, "id"));
	json_decref(items);
	CHECK_EQ_INT(rtk_store_participant_list(s, mid, 1, 1, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 3);
	CHECK_EQ_INT(json_array_size(items), 1);
	CHECK_EQ_STR(str(json_array_get(items, 0), "id"), str(bob, "id"));
	json_decref(items);
	CHECK_EQ_INT(rtk_store_participant_list(s, str(other, "id"), 0, 10, &items, &total),
		RTK_STORE_OK);
	CHECK_EQ_INT(total, 1);
	json_decref(items);
	CHECK_EQ_INT(rtk_store_participant_list(s, "nope", 0, 10, &items, &total), RTK_STORE_NOT_FOUND);
	CHECK_NULL(items);

	/* delete: scoped to the meeting */
	CHECK_EQ_INT(rtk_store_participant_delete(s, str(other, "id"), str(bob, "id")),
		RTK_STORE_NOT_FOUND);
	CHECK_EQ_INT(rtk_store_participant_delete(s, mid, str(bob, "id")), RTK_STORE_OK);
	CHECK_EQ_INT(rtk_store_participant_delete(s, mid, str(bob, "id")), RTK_STORE_NOT_FOUND);
	CHECK_EQ_INT(rtk_store_participant_get(s, NULL, str(bob, "id"), &got), RTK_STORE_NOT_FOUND);
	CHECK_EQ_INT(rtk_store_participant_list(s, mid, 0, 10, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 2);
	json_decref(items);

	json_decref(m);
	json_decref(other);
	json_decref(host);
	json_decref(guest);
	json_decref(ann);
	json_decref(bob);
	json_decref(cy);
	json_decref(dee);
	rtk_store_close(s);
}

static void test_reopen(void)
{
	rtk_store *s = open_store("reopen.sqlite3");
	json_t *m = new_meeting(s, "durable"), *pr = new_preset(s, "p");
	json_t *pa = new_participant(s, str(m, "id"), "Eve", "p");
	CHECK_EQ_INT(rtk_store_meta_set(s, "k", "v"), RTK_STORE_OK);
	rtk_store_close(s);

	s = open_store("reopen.sqlite3");
	json_t *got = NULL;
	CHECK_EQ_INT(rtk_store_meeting_get(s, str(m, "id"), &got), RTK_STORE_OK);
	CHECK(json_equal(got, m));
	json_decref(got);
	CHECK_EQ_INT(rtk_store_preset_get(s, str(pr, "id"), &got), RTK_STORE_OK);
	CHECK(json_equal(got, pr));
	json_decref(got);
	CHECK_EQ_INT(rtk_store_participant_get(s, str(m, "id"), str(pa, "id"), &got), RTK_STORE_OK);
	CHECK(json_equal(got, pa));
	json_decref(got);
	char *v = NULL;
	CHECK_EQ_INT(rtk_store_meta_get(s, "k", &v), RTK_STORE_OK);
	CHECK_EQ_STR(v, "v");
	free(v);

	/* A second connection on the same file, as another process would have. */
	rtk_store *s2 = open_store("reopen.sqlite3");
	CHECK_EQ_INT(rtk_store_meeting_get(s2, str(m, "id"), &got), RTK_STORE_OK);
	json_decref(got);
	json_t *m2 = new_meeting(s2, "from the second");
	CHECK_EQ_INT(rtk_store_meeting_get(s, str(m2, "id"), &got), RTK_STORE_OK);
	CHECK_EQ_STR(str(got, "title"), "from the second");
	json_decref(got);
	json_t *m3 = new_meeting(s, "from the first");
	json_t *items = NULL;
	int total = 0;
	CHECK_EQ_INT(rtk_store_meeting_list(s2, 0, 10, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 3);
	CHECK_EQ_STR(str(json_array_get(items, 0), "id"), str(m3, "id"));
	json_decref(items);
	/* constraints hold across connections too */
	CHECK_EQ_INT(rtk_store_preset_delete(s2, str(pr, "id")), RTK_STORE_CONFLICT);
	rtk_store_close(s2);
	rtk_store_close(s);

	/* and the file is in WAL mode */
	char *path = path_in("reopen.sqlite3");
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	if (!pg_base) {
		CHECK_EQ_INT(sqlite3_open(path, &db), SQLITE_OK);
		CHECK_EQ_INT(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
		CHECK_EQ_INT(sqlite3_step(st), SQLITE_ROW);
		CHECK_EQ_STR((const char *)sqlite3_column_text(st, 0), "wal");
		sqlite3_finalize(st);
		sqlite3_close(db);
	}
	g_free(path);

	json_decref(m);
	json_decref(m2);
	json_decref(m3);
	json_decref(pr);
	json_decref(pa);
}

/* Every acknowledged write survives kill -9: a child creates meetings and
 * reports each id once the call has returned; the parent kills it mid-stream
 * and finds every reported id in the file. */
static void test_kill9(void)
{
	int fds[2];
	CHECK_EQ_INT(pipe(fds), 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		rtk_store *s = open_named("kill9.sqlite3", NULL);
		for (;;) {
			json_t *fields = json_object(), *m = NULL;
			if (!s || rtk_store_meeting_create(s, fields, &m) != RTK_STORE_OK)
				_exit(1);
			char line[40];
			snprintf(line, sizeof(line), "%s\n", json_string_value(json_object_get(m, "id")));
			if (write(fds[1], line, 37) != 37)
				_exit(1);
			json_decref(m);
			json_decref(fields);
		}
	}
	close(fds[1]);
	enum { N = 25 };
	char ids[N][37];
	FILE *f = fdopen(fds[0], "r");
	int got = 0;
	while (got < N && fgets(ids[got], sizeof(ids[got]), f) && fgetc(f) != EOF)
		got++;   /* fgets stops before '\n', fgetc consumes it */
	kill(pid, SIGKILL);
	int wstatus = 0;
	waitpid(pid, &wstatus, 0);
	fclose(f);
	CHECK_EQ_INT(got, N);
	CHECK(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL);

	rtk_store *s = open_store("kill9.sqlite3");
	int found = 0;
	for (int i = 0; i < got; i++) {
		json_t *m = NULL;
		if (rtk_store_meeting_get(s, ids[i], &m) == RTK_STORE_OK)
			found++;
		json_decref(m);
	}
	CHECK_EQ_INT(found, got);
	rtk_store_close(s);
}

/* One store shared by several threads (the REST server and the plugin). */
typedef struct worker_arg {
	rtk_store *store;
	const char *meeting_id;
	int failures;
} worker_arg;

static gpointer worker(gpointer data)
{
	worker_arg *arg = data;
	for (int i = 0; i < 50; i++) {
		json_t *fields = json_pack("{s:s, s:s}", "name", "t", "preset_name", "shared"), *p = NULL;
		if (rtk_store_participant_create(arg->store, arg->meeting_id, fields, &p, NULL) != RTK_STORE_OK)
			arg->failures++;
		json_t *got = NULL;
		if (p && rtk_store_participant_get(arg->store, NULL, json_string_value(json_object_get(p, "id")),
				&got) != RTK_STORE_OK)
			arg->failures++;
		json_decref(got);
		json_decref(p);
		json_decref(fields);
	}
	return NULL;
}

static void test_threads(void)
{
	rtk_store *s = open_store("threads.sqlite3");
	json_t *m = new_meeting(s, "busy"), *pr = new_preset(s, "shared");
	worker_arg args[4];
	GThread *threads[4];
	for (int i = 0; i < 4; i++) {
		args[i] = (worker_arg) { s, str(m, "id"), 0 };
		threads[i] = g_thread_new("store-worker", worker, &args[i]);
	}
	for (int i = 0; i < 4; i++) {
		g_thread_join(threads[i]);
		CHECK_EQ_INT(args[i].failures, 0);
	}
	json_t *items = NULL;
	int total = 0;
	CHECK_EQ_INT(rtk_store_participant_list(s, str(m, "id"), 0, -1, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 200);
	CHECK_EQ_INT(json_array_size(items), 200);
	json_decref(items);
	json_decref(m);
	json_decref(pr);
	rtk_store_close(s);
}

/* What RTK_DATABASE_URL may not be, and a PostgreSQL server that refuses. */
static void test_open_url_failure(void)
{
	const char *const bad[] = { "mysql://localhost/rtk", "sqlite:///tmp/x.sqlite3", "/var/lib/rtk.sqlite3", "" };
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		char *error = NULL;
		CHECK_NULL(rtk_store_open_url(bad[i], &error));
		CHECK(error && strstr(error, "RTK_DATABASE_URL is not a PostgreSQL URL"));
		free(error);
	}
	char *error = NULL;
#ifdef RTK_HAVE_LIBPQ
	/* no server at that socket: libpq's reason, never the password */
	CHECK_NULL(rtk_store_open_url("postgresql://rtk:hunter2@/rtk?host=/nonexistent-dir", &error));
	CHECK(error && strstr(error, "cannot connect to PostgreSQL"));
	CHECK(error && !strstr(error, "hunter2"));
	free(error);
	if (pg_base) {   /* a database that does not exist */
		char *url = g_strdup_printf("%s dbname=no_such_database", pg_base);
		error = NULL;
		CHECK_NULL(rtk_store_open_url(url, &error));
		CHECK(error && strstr(error, "no_such_database"));
		free(error);
		g_free(url);
	}
#else
	CHECK_NULL(rtk_store_open_url("postgres://localhost/rtk", &error));
	CHECK(error && strstr(error, "this build has no PostgreSQL support"));
	free(error);
#endif
}

static void test_open_failure(void)
{
	char *error = NULL;
	CHECK_NULL(rtk_store_open("/nonexistent-dir/x/y.sqlite3", &error));
	CHECK_NOT_NULL(error);
	free(error);

	/* not a database */
	char *path = path_in("garbage.sqlite3");
	const char junk[] = "this is not an SQLite file, not at all, no no no no no no no no no no";
	CHECK_EQ_INT(rtk_util_write_file_atomic(path, junk, sizeof(junk), 0600), 0);
	error = NULL;
	CHECK_NULL(rtk_store_open(path, &error));
	CHECK_NOT_NULL(error);
	free(error);
	g_free(path);
}

/* ---- recordings, livestreams (document tables) ---- */

static json_t *new_recording(rtk_store *s, const char *id, const char *meeting_id, const char *status)
{
	json_t *fields = json_pack("{s:s, s:s, s:s, s:s}", "id", id, "meeting_id", meeting_id,
		"status", status, "output_file_name", "out.mp4"), *r = NULL;
	CHECK_EQ_INT(rtk_store_recording_create(s, fields, &r), RTK_STORE_OK);
	json_decref(fields);
	return r;
}

static json_t *new_livestream(rtk_store *s, const char *id, const char *meeting_id, const char *status)
{
	json_t *fields = json_pack("{s:s, s:s, s:s}", "id", id, "meeting_id", meeting_id,
		"status", status), *l = NULL;
	CHECK_EQ_INT(rtk_store_livestream_create(s, fields, &l), RTK_STORE_OK);
	json_decref(fields);
	return l;
}

/* The ids of a list, comma-separated, for one comparison (g_free()). */
static char *ids_of(json_t *items)
{
	GString *out = g_string_new(NULL);
	size_t i;
	json_t *item;
	json_array_foreach(items, i, item)
		g_string_append_printf(out, "%s%s", i ? "," : "", str(item, "id"));
	return g_string_free(out, FALSE);
}

/* list + ids + total in one check. */
static void check_list(rtk_store_status (*list)(rtk_store *, const char *, const char *, int, int,
	json_t **, int *), rtk_store *s, const char *meeting_id, const char *status, int offset,
	int limit, const char *ids, int total)
{
	json_t *items = NULL;
	int got_total = -1;
	CHECK_EQ_INT(list(s, meeting_id, status, offset, limit, &items, &got_total), RTK_STORE_OK);
	char *got = ids_of(items);
	CHECK_EQ_STR(got, ids);
	CHECK_EQ_INT(got_total, total);
	g_free(got);
	json_decref(items);
}

static void test_recordings(void)
{
	rtk_store *s = open_store("recordings.sqlite3");
	json_t *r = (json_t *)0x1;

	/* id, meeting_id and status are required strings */
	json_t *fields = json_pack("{s:s, s:s}", "meeting_id", "m1", "status", "INVOKED");
	CHECK_EQ_INT(rtk_store_recording_create(s, fields, &r), RTK_STORE_FAILED);
	CHECK_NULL(r);
	json_object_set_new(fields, "id", json_integer(7));
	CHECK_EQ_INT(rtk_store_recording_create(s, fields, &r), RTK_STORE_FAILED);
	json_object_set_new(fields, "id", json_string("r0"));
	json_object_del(fields, "status");
	CHECK_EQ_INT(rtk_store_recording_create(s, fields, &r), RTK_STORE_FAILED);
	json_decref(fields);

	/* whatever keys it is given come back; created_at and invoked_time are stamped */
	fields = json_pack("{s:s, s:s, s:s, s:{s:s, s:i}, s:n, s:i, s:{s:s}}", "id", "r1",
		"meeting_id", "m1", "status", "INVOKED", "video_config", "codec", "H264", "width", 1280,
		"session_id", "max_seconds", 3600, "start_reason", "reason", "API_CALL");
	CHECK_EQ_INT(rtk_store_recording_create(s, fields, &r), RTK_STORE_OK);
	CHECK_EQ_STR(str(r, "id"), "r1");
	CHECK_EQ_STR(str(r, "status"), "INVOKED");
	CHECK_EQ_INT(strlen(str(r, "created_at") ? str(r, "created_at") : ""), 24);
	CHECK_EQ_STR(str(r, "invoked_time"), str(r, "created_at"));
	CHECK(json_is_null(json_object_get(r, "session_id")));
	CHECK_EQ_INT(json_integer_value(json_object_get(json_object_get(r, "video_config"), "width")), 1280);
	CHECK_EQ_STR(str(json_object_get(r, "start_reason"), "reason"), "API_CALL");
	CHECK_EQ_INT(json_object_size(r), 9);
	json_t *dup = (json_t *)0x1;
	CHECK_EQ_INT(rtk_store_recording_create(s, fields, &dup), RTK_STORE_CONFLICT);
	CHECK_NULL(dup);
	json_decref(fields);

	/* a given invoked_time is kept */
	fields = json_pack("{s:s, s:s, s:s, s:s}", "id", "r2", "meeting_id", "m1", "status", "RECORDING",
		"invoked_time", "2026-01-01T00:00:00.000Z");
	json_t *r2 = NULL;
	CHECK_EQ_INT(rtk_store_recording_create(s, fields, &r2), RTK_STORE_OK);
	CHECK_EQ_STR(str(r2, "invoked_time"), "2026-01-01T00:00:00.000Z");
	json_decref(fields);

	json_t *got = NULL;
	CHECK_EQ_INT(rtk_store_recording_get(s, "r1", &got), RTK_STORE_OK);
	CHECK(json_equal(got, r));
	json_decref(got);
	got = (json_t *)0x1;
	CHECK_EQ_INT(rtk_store_recording_get(s, "nope", &got), RTK_STORE_NOT_FOUND);
	CHECK_NULL(got);
	CHECK_EQ_INT(rtk_store_recording_get(s, NULL, &got), RTK_STORE_NOT_FOUND);

	/* update merges; null is stored as null; id and created_at never change */
	fields = json_pack("{s:s, s:s, s:n, s:s, s:s, s:{s:s}}", "status", "RECORDING",
		"started_time", "2026-01-01T00:00:01.000Z", "max_seconds", "id", "other",
		"created_at", "1999", "video_config", "codec", "VP8");
	CHECK_EQ_INT(rtk_store_recording_update(s, "r1", fields, &got), RTK_STORE_OK);
	CHECK_EQ_STR(str(got, "id"), "r1");
	CHECK_EQ_STR(str(got, "created_at"), str(r, "created_at"));
	CHECK_EQ_STR(str(got, "status"), "RECORDING");
	CHECK_EQ_STR(str(got, "started_time"), "2026-01-01T00:00:01.000Z");
	CHECK(json_is_null(json_object_get(got, "max_seconds")));
	CHECK_EQ_STR(str(json_object_get(got, "video_config"), "codec"), "VP8");
	CHECK_EQ_STR(str(json_object_get(got, "start_reason"), "reason"), "API_CALL");
	json_decref(fields);
	json_t *other = NULL;
	CHECK_EQ_INT(rtk_store_recording_get(s, "other", &other), RTK_STORE_NOT_FOUND);
	/* a status that is not a string is refused and nothing changes */
	fields = json_pack("{s:i, s:s}", "status", 5, "output_file_name", "x.mp4");
	json_t *bad = (json_t *)0x1, *again = NULL;
	CHECK_EQ_INT(rtk_store_recording_update(s, "r1", fields, &bad), RTK_STORE_FAILED);
	CHECK_NULL(bad);
	CHECK_EQ_INT(rtk_store_recording_get(s, "r1", &again), RTK_STORE_OK);
	CHECK(json_equal(again, got));
	json_decref(again);
	CHECK_EQ_INT(rtk_store_recording_update(s, "nope", fields, &bad), RTK_STORE_NOT_FOUND);
	CHECK_NULL(bad);
	json_decref(fields);
	json_decref(got);

	/* list: newest first, filters, paging */
	json_t *r3 = new_recording(s, "r3", "m2", "UPLOADED");
	json_t *r4 = new_recording(s, "r4", "m1", "PAUSED");
	check_list(rtk_store_recording_list, s, NULL, NULL, 0, 10, "r4,r3,r2,r1", 4);
	check_list(rtk_store_recording_list, s, "m1", NULL, 0, 10, "r4,r2,r1", 3);
	check_list(rtk_store_recording_list, s, NULL, "RECORDING", 0, 10, "r2,r1", 2);
	check_list(rtk_store_recording_list, s, "m2", "RECORDING", 0, 10, "", 0);
	check_list(rtk_store_recording_list, s, "m2", "UPLOADED", 0, 10, "r3", 1);
	check_list(rtk_store_recording_list, s, NULL, NULL, 1, 2, "r3,r2", 4);
	check_list(rtk_store_recording_list, s, "m1", NULL, 2, -1, "r1", 3);
	check_list(rtk_store_recording_list, s, NULL, NULL, 9, 10, "", 4);
	check_list(rtk_store_recording_list, s, "nobody", NULL, 0, 10, "", 0);

	/* fail_unfinished: INVOKED, RECORDING, PAUSED, UPLOADING -> ERRORED */
	json_decref(new_recording(s, "r5", "m3", "INVOKED"));
	json_decref(new_recording(s, "r6", "m3", "UPLOADING"));
	json_decref(new_recording(s, "r7", "m3", "ERRORED"));
	json_t *r3_before = NULL;
	CHECK_EQ_INT(rtk_store_recording_get(s, "r3", &r3_before), RTK_STORE_OK);
	int count = -1;
	CHECK_EQ_INT(rtk_store_recording_fail_unfinished(s, &count), RTK_STORE_OK);
	CHECK_EQ_INT(count, 5);   /* r1, r2 RECORDING; r4 PAUSED; r5 INVOKED; r6 UPLOADING */
	const char *failed[] = { "r1", "r2", "r4", "r5", "r6" };
	for (size_t i = 0; i < G_N_ELEMENTS(failed); i++) {
		CHECK_EQ_INT(rtk_store_recording_get(s, failed[i], &got), RTK_STORE_OK);
		CHECK_EQ_STR(str(got, "status"), "ERRORED");
		CHECK_EQ_STR(str(json_object_get(got, "stop_reason"), "reason"), "INTERNAL_ERROR");
		CHECK_EQ_STR(str(json_object_get(got, "stop_reason"), "detail"), "SERVER_RESTART");
		CHECK_EQ_STR(str(got, "output_file_name"), i < 2 ? NULL : "out.mp4");
		json_decref(got);
	}
	CHECK_EQ_INT(rtk_store_recording_get(s, "r3", &got), RTK_STORE_OK);
	CHECK(json_equal(got, r3_before));
	json_decref(got);
	json_decref(r3_before);
	check_list(rtk_store_recording_list, s, NULL, "ERRORED", 0, 10, "r7,r6,r5,r4,r2,r1", 6);
	CHECK_EQ_INT(rtk_store_recording_fail_unfinished(s, &count), RTK_STORE_OK);
	CHECK_EQ_INT(count, 0);
	CHECK_EQ_INT(rtk_store_recording_fail_unfinished(s, NULL), RTK_STORE_OK);

	/* reopen: all there, in the same order */
	CHECK_EQ_INT(rtk_store_recording_get(s, "r4", &got), RTK_STORE_OK);
	rtk_store_close(s);
	s = open_store("recordings.sqlite3");
	CHECK_EQ_INT(rtk_store_recording_get(s, "r4", &again), RTK_STORE_OK);
	CHECK(json_equal(again, got));
	json_decref(again);
	json_decref(got);
	check_list(rtk_store_recording_list, s, NULL, NULL, 0, 100, "r7,r6,r5,r4,r3,r2,r1", 7);

	json_decref(r);
	json_decref(r2);
	json_decref(r3);
	json_decref(r4);
	rtk_store_close(s);
}

static void test_livestreams(void)
{
	rtk_store *s = open_store("livestreams.sqlite3");
	json_t *l = (json_t *)0x1;
	json_t *fields = json_pack("{s:s, s:s}", "id", "l0", "status", "INVOKED");
	CHECK_EQ_INT(rtk_store_livestream_create(s, fields, &l), RTK_STORE_FAILED);   /* no meeting_id */
	CHECK_NULL(l);
	json_decref(fields);

	fields = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", "l1", "meeting_id", "m1",
		"status", "INVOKED", "name", "town hall", "playback_url", "http://h/v2/livestreams/l1/index.m3u8");
	CHECK_EQ_INT(rtk_store_livestream_create(s, fields, &l), RTK_STORE_OK);
	json_decref(fields);
	CHECK_EQ_STR(str(l, "name"), "town hall");
	CHECK_EQ_STR(str(l, "created_at"), str(l, "updated_at"));
	CHECK_NULL(json_object_get(l, "invoked_time"));
	CHECK_EQ_INT(json_object_size(l), 7);

	usleep(2000);
	json_t *got = NULL;
	fields = json_pack("{s:s, s:s}", "status", "LIVE", "started_time", "2026-01-01T00:00:00.000Z");
	CHECK_EQ_INT(rtk_store_livestream_update(s, "l1", fields, &got), RTK_STORE_OK);
	CHECK_EQ_STR(str(got, "status"), "LIVE");
	CHECK_EQ_STR(str(got, "created_at"), str(l, "created_at"));
	CHECK(strcmp(str(got, "updated_at"), str(l, "updated_at")) > 0);
	CHECK_EQ_STR(str(got, "playback_url"), "http://h/v2/livestreams/l1/index.m3u8");
	json_decref(got);
	json_decref(fields);
	CHECK_EQ_INT(rtk_store_livestream_update(s, "l9", NULL, &got), RTK_STORE_NOT_FOUND);

	json_decref(new_livestream(s, "l2", "m1", "IDLE"));
	json_decref(new_livestream(s, "l3", "m2", "INVOKED"));
	json_decref(new_livestream(s, "l4", "m2", "ERRORED"));
	check_list(rtk_store_livestream_list, s, NULL, NULL, 0, 10, "l4,l3,l2,l1", 4);
	check_list(rtk_store_livestream_list, s, "m2", NULL, 0, 10, "l4,l3", 2);
	check_list(rtk_store_livestream_list, s, NULL, "LIVE", 0, 10, "l1", 1);
	check_list(rtk_store_livestream_list, s, NULL, NULL, 3, 10, "l1", 4);
	/* a recording is not a livestream */
	CHECK_EQ_INT(rtk_store_recording_get(s, "l1", &got), RTK_STORE_NOT_FOUND);

	int count = -1;
	CHECK_EQ_INT(rtk_store_livestream_fail_unfinished(s, &count), RTK_STORE_OK);
	CHECK_EQ_INT(count, 2);   /* l1 LIVE, l3 INVOKED */
	check_list(rtk_store_livestream_list, s, NULL, "ERRORED", 0, 10, "l4,l3,l1", 3);
	check_list(rtk_store_livestream_list, s, NULL, "IDLE", 0, 10, "l2", 1);
	CHECK_EQ_INT(rtk_store_livestream_get(s, "l3", &got), RTK_STORE_OK);
	CHECK_EQ_STR(str(json_object_get(got, "stop_reason"), "reason"), "INTERNAL_ERROR");
	CHECK_EQ_STR(str(json_object_get(got, "stop_reason"), "detail"), "SERVER_RESTART");
	json_decref(got);
	rtk_store_close(s);

	s = open_store("livestreams.sqlite3");
	CHECK_EQ_INT(rtk_store_livestream_get(s, "l1", &got), RTK_STORE_OK);
	CHECK_EQ_STR(str(got, "status"), "ERRORED");
	CHECK_EQ_STR(str(got, "name"), "town hall");
	json_decref(got);
	check_list(rtk_store_livestream_list, s, NULL, NULL, 0, 10, "l4,l3,l2,l1", 4);
	json_decref(l);
	rtk_store_close(s);
}

/* ---- webhooks ---- */

static json_t *new_webhook(rtk_store *s, const char *name, const char *events_csv, int enabled)
{
	json_t *events = json_array();
	char **names = g_strsplit(events_csv, ",", -1);
	for (char **n = names; *n; n++)
		json_array_append_new(events, json_string(*n));
	g_strfreev(names);
	json_t *fields = json_pack("{s:s, s:s, s:o, s:b}", "name", name,
		"url", "http://127.0.0.1:9/hook", "events", events, "enabled", enabled), *w = NULL;
	CHECK_EQ_INT(rtk_store_webhook_create(s, fields, &w), RTK_STORE_OK);
	json_decref(fields);
	return w;
}

static void check_for_event(rtk_store *s, const char *event, const char *ids)
{
	json_t *items = (json_t *)0x1;
	CHECK_EQ_INT(rtk_store_webhook_list_for_event(s, event, &items), RTK_STORE_OK);
	char *got = ids_of(items);
	CHECK_EQ_STR(got, ids);
	g_free(got);
	json_decref(items);
}

static void test_webhooks(void)
{
	rtk_store *s = open_store("webhooks.sqlite3");
	json_t *w = (json_t *)0x1;
	json_t *fields = json_pack("{s:s, s:[s]}", "name", "no url", "events", "meeting.started");
	CHECK_EQ_INT(rtk_store_webhook_create(s, fields, &w), RTK_STORE_FAILED);
	CHECK_NULL(w);
	json_object_set_new(fields, "url", json_string("http://x/"));
	json_object_set_new(fields, "events", json_string("meeting.started"));
	CHECK_EQ_INT(rtk_store_webhook_create(s, fields, &w), RTK_STORE_FAILED);   /* events not an array */
	json_decref(fields);

	/* defaults: enabled, a generated secret, name null */
	fields = json_pack("{s:s, s:[s, s], s:s}", "url", "http://127.0.0.1:9/a",
		"events", "meeting.started", "meeting.ended", "ignored", "x");
	CHECK_EQ_INT(rtk_store_webhook_create(s, fields, &w), RTK_STORE_OK);
	json_decref(fields);
	CHECK_EQ_INT(strlen(str(w, "id")), 36);
	CHECK(json_is_null(json_object_get(w, "name")));
	CHECK(json_is_true(json_object_get(w, "enabled")));
	CHECK_EQ_INT(strlen(str(w, "secret")), 64);
	CHECK_EQ_INT(strspn(str(w, "secret"), "0123456789abcdef"), 64);
	CHECK_EQ_INT(json_array_size(json_object_get(w, "events")), 2);
	CHECK_EQ_STR(str(w, "created_at"), str(w, "updated_at"));
	CHECK_NULL(json_object_get(w, "ignored"));
	CHECK_EQ_INT(json_object_size(w), 8);

	/* a given secret is taken; two webhooks never share a generated one */
	fields = json_pack("{s:s, s:s, s:[s], s:b, s:s}", "name", "b", "url", "http://127.0.0.1:9/b",
		"events", "meeting.started", "enabled", 0, "secret", "s3cret");
	json_t *b = NULL;
	CHECK_EQ_INT(rtk_store_webhook_create(s, fields, &b), RTK_STORE_OK);
	json_decref(fields);
	CHECK_EQ_STR(str(b, "secret"), "s3cret");
	CHECK(json_is_false(json_object_get(b, "enabled")));
	json_t *c = new_webhook(s, "c", "meeting.participantJoined,recording.statusUpdate", 1);
	CHECK(strcmp(str(c, "secret"), str(w, "secret")) != 0);

	json_t *got = NULL;
	CHECK_EQ_INT(rtk_store_webhook_get(s, str(b, "id"), &got), RTK_STORE_OK);
	CHECK(json_equal(got, b));
	json_decref(got);
	CHECK_EQ_INT(rtk_store_webhook_get(s, "00000000-0000-4000-8000-000000000000", &got),
		RTK_STORE_NOT_FOUND);
	CHECK_NULL(got);

	/* list: oldest first, paged */
	json_t *items = NULL;
	int total = -1;
	CHECK_EQ_INT(rtk_store_webhook_list(s, 0, 10, &items, &total), RTK_STORE_OK);
	char *ids = ids_of(items), *want = g_strdup_printf("%s,%s,%s", str(w, "id"), str(b, "id"), str(c, "id"));
	CHECK_EQ_STR(ids, want);
	CHECK_EQ_INT(total, 3);
	g_free(ids);
	g_free(want);
	json_decref(items);
	CHECK_EQ_INT(rtk_store_webhook_list(s, 2, 5, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(json_array_size(items), 1);
	CHECK_EQ_STR(str(json_array_get(items, 0), "id"), str(c, "id"));
	CHECK_EQ_INT(total, 3);
	json_decref(items);

	/* for an event: enabled subscribers only, oldest first */
	check_for_event(s, "meeting.started", str(w, "id"));
	check_for_event(s, "recording.statusUpdate", str(c, "id"));
	check_for_event(s, "meeting.chatSynced", "");
	CHECK_EQ_INT(rtk_store_webhook_list_for_event(s, NULL, &items), RTK_STORE_FAILED);

	/* update: known fields, bumps updated_at */
	usleep(2000);
	fields = json_pack("{s:b, s:s, s:[s, s], s:i}", "enabled", 1, "name", "b2",
		"events", "meeting.started", "meeting.chatSynced", "url", 5);
	CHECK_EQ_INT(rtk_store_webhook_update(s, str(b, "id"), fields, &got), RTK_STORE_OK);
	json_decref(fields);
	CHECK_EQ_STR(str(got, "name"), "b2");
	CHECK(json_is_true(json_object_get(got, "enabled")));
	CHECK_EQ_STR(str(got, "url"), "http://127.0.0.1:9/b");
	CHECK_EQ_STR(str(got, "secret"), "s3cret");
	CHECK_EQ_STR(str(got, "created_at"), str(b, "created_at"));
	CHECK(strcmp(str(got, "updated_at"), str(b, "updated_at")) > 0);
	CHECK_EQ_INT(json_array_size(json_object_get(got, "events")), 2);
	json_decref(got);
	want = g_strdup_printf("%s,%s", str(w, "id"), str(b, "id"));
	check_for_event(s, "meeting.started", want);
	g_free(want);
	check_for_event(s, "meeting.chatSynced", str(b, "id"));
	CHECK_EQ_INT(rtk_store_webhook_update(s, "nope", NULL, &got), RTK_STORE_NOT_FOUND);

	/* delete */
	CHECK_EQ_INT(rtk_store_webhook_delete(s, str(w, "id")), RTK_STORE_OK);
	CHECK_EQ_INT(rtk_store_webhook_delete(s, str(w, "id")), RTK_STORE_NOT_FOUND);
	CHECK_EQ_INT(rtk_store_webhook_delete(s, NULL), RTK_STORE_NOT_FOUND);
	check_for_event(s, "meeting.started", str(b, "id"));

	/* reopen */
	rtk_store_close(s);
	s = open_store("webhooks.sqlite3");
	CHECK_EQ_INT(rtk_store_webhook_list(s, 0, -1, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 2);
	CHECK_EQ_STR(str(json_array_get(items, 0), "name"), "b2");
	CHECK_EQ_STR(str(json_array_get(items, 0), "secret"), "s3cret");
	CHECK(json_equal(json_array_get(items, 1), c));
	json_decref(items);

	json_decref(w);
	json_decref(b);
	json_decref(c);
	rtk_store_close(s);
}

/* A file made by the first schema (meetings, presets, participants only)
 * gains the new tables and keeps its rows. */
/* ---- chat messages ---- */

static json_t *chat_row(const char *id, const char *session, const char *text, const char *time)
{
	return json_pack("{s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s}}", "put", "id", id, "meeting_id", "m-1",
		"session_id", session, "created_at", time, "time", time, "type", "text", "message", text);
}

/* The ids of `rows`, joined by ",". */
static char *chat_ids(const json_t *rows)
{
	GString *out = g_string_new(NULL);
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row)
		g_string_append_printf(out, "%s%s", i ? "," : "", str(row, "id"));
	return g_string_free(out, FALSE);
}

#define CHECK_SEARCH(s, session, words, expected) do { \
	json_t *found_ = NULL; \
	CHECK_EQ_INT(rtk_store_chat_search(s, session, words, 10, &found_), RTK_STORE_OK); \
	char *ids_ = chat_ids(found_); \
	CHECK_EQ_STR(ids_, expected); \
	g_free(ids_); \
	json_decref(found_); \
} while (0)

static void test_chat_messages(void)
{
	rtk_store *s = open_store("chat.sqlite3");
	json_t *changes = json_array();
	json_array_append_new(changes, chat_row("c1", "s-1", "Meeting notes are in the doc", "2026-01-01T00:00:01.000Z"));
	json_array_append_new(changes, chat_row("c2", "s-1", "lunch at noon?", "2026-01-01T00:00:02.000Z"));
	json_array_append_new(changes, chat_row("c3", "s-2", "meeting moved", "2026-01-01T00:00:03.000Z"));
	json_array_append_new(changes, chat_row("c4", "s-1", "say \"hi\" AND NOT bye", "2026-01-01T00:00:04.000Z"));
	CHECK_EQ_INT(rtk_store_chat_write(s, changes), RTK_STORE_OK);
	json_decref(changes);

	/* words, as prefixes, all required; only the session's; case-blind */
	CHECK_SEARCH(s, "s-1", "meet", "c1");
	CHECK_SEARCH(s, "s-2", "MEETING", "c3");
	CHECK_SEARCH(s, "s-1", "notes doc", "c1");
	CHECK_SEARCH(s, "s-1", "notes lunch", "");
	/* no word is an operator, quotes are text */
	CHECK_SEARCH(s, "s-1", "\"hi\" AND", "c4");
	CHECK_SEARCH(s, "s-1", "NOT bye", "c4");
	CHECK_SEARCH(s, "s-1", "lunch*) OR (", "");
	CHECK_SEARCH(s, "s-1", "   ", "");
	/* quotes and backslashes of the query's syntaxes are text too */
	changes = json_pack("[o]", chat_row("c7", "s-3", "it's five o'clock, back\\slash", "2026-01-01T00:00:07.000Z"));
	CHECK_EQ_INT(rtk_store_chat_write(s, changes), RTK_STORE_OK);
	json_decref(changes);
	CHECK_SEARCH(s, "s-3", "o'clock", "c7");
	CHECK_SEARCH(s, "s-3", "it's", "c7");
	CHECK_SEARCH(s, "s-3", "back\\slash", "c7");
	CHECK_SEARCH(s, "s-3", "'\\ \\'", "");

	/* an edit re-indexes; a delete unindexes */
	changes = json_pack("[o, {s:s}]", chat_row("c2", "s-1", "dinner at eight", "2026-01-01T00:00:02.000Z"),
		"delete", "c1");
	CHECK_EQ_INT(rtk_store_chat_write(s, changes), RTK_STORE_OK);
	json_decref(changes);
	CHECK_SEARCH(s, "s-1", "lunch", "");
	CHECK_SEARCH(s, "s-1", "dinner", "c2");
	CHECK_SEARCH(s, "s-1", "notes", "");

	/* a change without the keys a row needs fails the whole write */
	changes = json_pack("[o, {s:{s:s}}]", chat_row("c5", "s-1", "fine", "2026-01-01T00:00:05.000Z"),
		"put", "id", "c6");
	CHECK_EQ_INT(rtk_store_chat_write(s, changes), RTK_STORE_FAILED);
	json_decref(changes);
	CHECK_SEARCH(s, "s-1", "fine", "");

	/* lists, oldest first, survive a reopen; a purge removes one session's */
	json_t *items = NULL;
	int total = -1;
	CHECK_EQ_INT(rtk_store_chat_list(s, "s-1", 0, 10, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 2);
	char *ids = chat_ids(items);
	CHECK_EQ_STR(ids, "c2,c4");
	g_free(ids);
	CHECK_EQ_STR(str(json_array_get(items, 0), "message"), "dinner at eight");
	json_decref(items);
	rtk_store_close(s);
	s = open_store("chat.sqlite3");
	CHECK_EQ_INT(rtk_store_chat_purge_session(s, "s-1"), RTK_STORE_OK);
	CHECK_EQ_INT(rtk_store_chat_list(s, "s-1", 0, 10, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 0);
	json_decref(items);
	CHECK_SEARCH(s, "s-1", "dinner", "");
	CHECK_SEARCH(s, "s-2", "moved", "c3");
	rtk_store_close(s);
}

static void test_migration(void)
{
	rtk_store *s = open_store("migrate.sqlite3");
	json_t *m = new_meeting(s, "old");
	rtk_store_close(s);
	char *path = path_in("migrate.sqlite3");
	sqlite3 *db = NULL;
	CHECK_EQ_INT(sqlite3_open(path, &db), SQLITE_OK);
	CHECK_EQ_INT(sqlite3_exec(db, "DROP TABLE recordings; DROP TABLE livestreams; DROP TABLE webhooks;"
		" DROP TABLE participant_tokens; DROP TABLE sessions;"
		" DROP TABLE session_participants; PRAGMA user_version = 1;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	g_free(path);

	s = open_store("migrate.sqlite3");
	json_t *got = NULL;
	CHECK_EQ_INT(rtk_store_meeting_get(s, str(m, "id"), &got), RTK_STORE_OK);
	json_decref(got);
	json_t *r = new_recording(s, "r1", str(m, "id"), "RECORDING");
	CHECK_EQ_STR(str(r, "meeting_id"), str(m, "id"));
	json_decref(r);
	long long generation = -1;   /* the token generations table came with migration 3 */
	CHECK_EQ_INT(rtk_store_token_generation_get(s, "00000000-0000-4000-8000-000000000000", &generation),
		RTK_STORE_OK);
	CHECK_EQ_INT(generation, 0);
	json_decref(m);
	rtk_store_close(s);
}

#ifdef RTK_HAVE_LIBPQ
/* ---- PostgreSQL: the writes of several processes take turns ---- */

typedef struct merge_arg {
	rtk_store *store;
	int from;
	int failures;
} merge_arg;

/* 25 updates of recording "shared", each merging a key of its own. */
static gpointer merger(gpointer data)
{
	merge_arg *arg = data;
	for (int i = 0; i < 25; i++) {
		char key[32];
		snprintf(key, sizeof(key), "k%d_%d", arg->from, i);
		json_t *fields = json_pack("{s:i}", key, i), *out = NULL;
		if (rtk_store_recording_update(arg->store, "shared", fields, &out) != RTK_STORE_OK)
			arg->failures++;
		json_decref(out);
		json_decref(fields);
	}
	return NULL;
}

typedef struct turn_arg {
	rtk_store *store;
	gint done;               /* atomic: the write returned */
	rtk_store_status status;
} turn_arg;

static gpointer waiting_writer(gpointer data)
{
	turn_arg *arg = data;
	json_t *fields = json_pack("{s:s}", "title", "after the turn"), *m = NULL;
	arg->status = rtk_store_meeting_create(arg->store, fields, &m);
	json_decref(m);
	json_decref(fields);
	g_atomic_int_set(&arg->done, 1);
	return NULL;
}

/* Two stores on one database, as two gateway processes: updates that
 * merge keys into one row from both lose none (each write reads the row
 * as the other's last write left it); while another session holds the
 * write turn (store_pg.c's advisory lock), reads go on and a write
 * waits for it. */
static void test_pg_write_turns(void)
{
	rtk_store *a = open_store("turns"), *b = open_store("turns");
	json_decref(new_recording(a, "shared", "m", "RECORDING"));
	merge_arg args[4];
	GThread *threads[4];
	for (int i = 0; i < 4; i++) {
		args[i] = (merge_arg) { i % 2 ? b : a, i, 0 };
		threads[i] = g_thread_new("merger", merger, &args[i]);
	}
	for (int i = 0; i < 4; i++) {
		g_thread_join(threads[i]);
		CHECK_EQ_INT(args[i].failures, 0);
	}
	json_t *got = NULL;
	CHECK_EQ_INT(rtk_store_recording_get(b, "shared", &got), RTK_STORE_OK);
	int keys = 0;
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 25; j++) {
			char key[32];
			snprintf(key, sizeof(key), "k%d_%d", i, j);
			keys += json_integer_value(json_object_get(got, key)) == j && json_object_get(got, key);
		}
	CHECK_EQ_INT(keys, 100);
	CHECK_EQ_STR(str(got, "status"), "RECORDING");
	json_decref(got);

	/* the lock store_pg.c's writes take (RTK_STORE_PG_WRITE_LOCK) */
	char *url = pg_url("turns");
	PGconn *pg = PQconnectdb(url);
	g_free(url);
	PGresult *res = PQexec(pg, "BEGIN; SELECT pg_advisory_xact_lock(8247343454225772389)");
	CHECK_EQ_INT(PQresultStatus(res), PGRES_TUPLES_OK);
	PQclear(res);
	turn_arg turn = { .store = a };
	GThread *writer = g_thread_new("waiting writer", waiting_writer, &turn);
	g_usleep(300 * 1000);
	CHECK_EQ_INT(g_atomic_int_get(&turn.done), 0);   /* waits for the other session's turn */
	CHECK_EQ_INT(rtk_store_recording_get(a, "shared", &got), RTK_STORE_OK);   /* reads do not */
	json_decref(got);
	json_t *items = NULL;
	int total = -1;
	CHECK_EQ_INT(rtk_store_meeting_list(b, 0, 10, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 0);
	json_decref(items);
	res = PQexec(pg, "COMMIT");
	CHECK_EQ_INT(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	g_thread_join(writer);
	CHECK_EQ_INT(g_atomic_int_get(&turn.done), 1);
	CHECK_EQ_INT(turn.status, RTK_STORE_OK);
	CHECK_EQ_INT(rtk_store_meeting_list(b, 0, 10, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 1);
	json_decref(items);
	PQfinish(pg);
	rtk_store_close(a);
	rtk_store_close(b);
}

/* The server ends every session of the store (as a restart of PostgreSQL,
 * or an administrator, would): the next read and the next write
 * reconnect and succeed. */
static void test_pg_reconnect(void)
{
	rtk_store *s = open_store("reconnect");
	json_t *m = new_meeting(s, "before"), *got = NULL;
	CHECK_EQ_INT(rtk_store_meeting_get(s, str(m, "id"), &got), RTK_STORE_OK);   /* a reader is open */
	json_decref(got);
	char *url = pg_url("postgres");
	PGconn *pg = PQconnectdb(url);
	g_free(url);
	PGresult *res = PQexec(pg, "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
		" WHERE datname = 'reconnect' AND pid <> pg_backend_pid()) ended");
	CHECK_EQ_INT(PQresultStatus(res), PGRES_TUPLES_OK);
	CHECK_EQ_STR(PQgetvalue(res, 0, 0), "2");   /* the writer and the reader */
	PQclear(res);
	PQfinish(pg);
	g_usleep(100 * 1000);   /* their ends are sent */
	CHECK_EQ_INT(rtk_store_meeting_get(s, str(m, "id"), &got), RTK_STORE_OK);
	CHECK_EQ_STR(str(got, "title"), "before");
	json_decref(got);
	json_decref(new_meeting(s, "after"));
	json_t *items = NULL;
	int total = 0;
	CHECK_EQ_INT(rtk_store_meeting_list(s, 0, 10, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 2);
	json_decref(items);
	json_decref(m);
	rtk_store_close(s);
}
#endif

/* ---- session history ---- */

static json_t *new_session(rtk_store *s, const char *id, const char *meeting_id, const char *started_at)
{
	json_t *fields = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i}", "id", id, "meeting_id", meeting_id,
		"associated_id", meeting_id, "status", "LIVE", "started_at", started_at, "live_participants", 0),
		*out = NULL;
	CHECK_EQ_INT(rtk_store_session_create(s, fields, &out), RTK_STORE_OK);
	json_decref(fields);
	return out;
}

static json_t *new_presence(rtk_store *s, const char *id, const char *session_id, const char *user_id,
	const char *joined_at)
{
	json_t *fields = json_pack("{s:s, s:s, s:s, s:s, s:s, s:n}", "id", id, "session_id", session_id,
		"user_id", user_id, "display_name", user_id, "joined_at", joined_at, "left_at"), *out = NULL;
	CHECK_EQ_INT(rtk_store_session_participant_create(s, fields, &out), RTK_STORE_OK);
	json_decref(fields);
	return out;
}

static void test_sessions(void)
{
	rtk_store *s = open_store("sessions.sqlite3");
	json_t *out = (json_t *)0x1;

	/* id, meeting_id and status are required; ids are unique */
	json_t *fields = json_pack("{s:s, s:s}", "meeting_id", "m1", "status", "LIVE");
	CHECK_EQ_INT(rtk_store_session_create(s, fields, &out), RTK_STORE_FAILED);
	CHECK_NULL(out);
	json_decref(fields);
	json_t *a = new_session(s, "s1", "m1", "2026-01-01T10:00:00.000Z");
	CHECK_EQ_STR(str(a, "status"), "LIVE");
	CHECK_NOT_NULL(str(a, "created_at"));
	CHECK_NOT_NULL(str(a, "updated_at"));
	fields = json_pack("{s:s, s:s, s:s}", "id", "s1", "meeting_id", "m1", "status", "LIVE");
	CHECK_EQ_INT(rtk_store_session_create(s, fields, &out), RTK_STORE_CONFLICT);
	json_decref(fields);
	json_decref(new_session(s, "s2", "m2", "2026-01-01T11:00:00.000Z"));
	json_decref(new_session(s, "s3", "m1", "2026-01-01T12:00:00.000Z"));

	/* update merges; lists are newest first, by meeting and status */
	fields = json_pack("{s:s, s:s, s:i}", "status", "ENDED", "ended_at", "2026-01-01T10:30:00.000Z",
		"max_concurrent_participants", 2);
	CHECK_EQ_INT(rtk_store_session_update(s, "s1", fields, &out), RTK_STORE_OK);
	CHECK_EQ_STR(str(out, "status"), "ENDED");
	CHECK_EQ_STR(str(out, "associated_id"), "m1");
	CHECK_EQ_STR(str(out, "created_at"), str(a, "created_at"));
	CHECK_EQ_INT(json_integer_value(json_object_get(out, "max_concurrent_participants")), 2);
	json_decref(out);
	json_decref(fields);
	CHECK_EQ_INT(rtk_store_session_update(s, "nope", NULL, &out), RTK_STORE_NOT_FOUND);
	check_list(rtk_store_session_list, s, NULL, NULL, 0, 10, "s3,s2,s1", 3);
	check_list(rtk_store_session_list, s, "m1", NULL, 0, 10, "s3,s1", 2);
	check_list(rtk_store_session_list, s, NULL, "LIVE", 0, 10, "s3,s2", 2);
	check_list(rtk_store_session_list, s, "m1", "ENDED", 0, 10, "s1", 1);
	check_list(rtk_store_session_list, s, NULL, NULL, 1, 1, "s2", 3);
	CHECK_EQ_INT(rtk_store_session_get(s, "nope", &out), RTK_STORE_NOT_FOUND);
	CHECK_NULL(out);

	/* presences: by session, in join order; get is scoped to the session */
	json_decref(new_presence(s, "p1", "s3", "u1", "2026-01-01T12:00:00.000Z"));
	json_decref(new_presence(s, "p2", "s3", "u2", "2026-01-01T12:01:00.000Z"));
	json_decref(new_presence(s, "p3", "s2", "u1", "2026-01-01T11:00:00.000Z"));
	fields = json_pack("{s:s, s:f}", "left_at", "2026-01-01T12:10:00.000Z", "duration", 10.0);
	CHECK_EQ_INT(rtk_store_session_participant_update(s, "p1", fields, &out), RTK_STORE_OK);
	CHECK_EQ_STR(str(out, "left_at"), "2026-01-01T12:10:00.000Z");
	CHECK_EQ_STR(str(out, "joined_at"), "2026-01-01T12:00:00.000Z");
	json_decref(out);
	json_decref(fields);
	json_t *items = NULL;
	int total = -1;
	CHECK_EQ_INT(rtk_store_session_participant_list(s, "s3", 0, 10, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 2);
	char *ids = ids_of(items);
	CHECK_EQ_STR(ids, "p1,p2");
	g_free(ids);
	json_decref(items);
	CHECK_EQ_INT(rtk_store_session_participant_list(s, "s3", 1, 10, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 2);
	CHECK_EQ_INT((int)json_array_size(items), 1);
	json_decref(items);
	CHECK_EQ_INT(rtk_store_session_participant_get(s, "s3", "p2", &out), RTK_STORE_OK);
	json_decref(out);
	CHECK_EQ_INT(rtk_store_session_participant_get(s, "s2", "p2", &out), RTK_STORE_NOT_FOUND);
	CHECK_EQ_INT(rtk_store_session_participant_get(s, NULL, "p2", &out), RTK_STORE_OK);
	json_decref(out);

	/* minutes between two stamps, to the hundredth */
	CHECK(rtk_store_minutes_between("2026-01-01T12:00:00.000Z", "2026-01-01T12:01:30.000Z") == 1.5);
	CHECK(rtk_store_minutes_between("2026-01-01T12:01:00.000Z", "2026-01-01T12:00:00.000Z") == 0);
	CHECK(rtk_store_minutes_between("garbage", NULL) == 0);
	rtk_store_close(s);

	/* reopen: the rows are there; a server start ends the LIVE ones and
	 * closes their open presences (p2 in s3; s2's p3), and only those */
	s = open_store("sessions.sqlite3");
	check_list(rtk_store_session_list, s, NULL, "LIVE", 0, 10, "s3,s2", 2);
	int count = -1;
	CHECK_EQ_INT(rtk_store_session_end_unfinished(s, &count), RTK_STORE_OK);
	CHECK_EQ_INT(count, 2);
	check_list(rtk_store_session_list, s, NULL, "LIVE", 0, 10, "", 0);
	check_list(rtk_store_session_list, s, NULL, "ENDED", 0, 10, "s3,s2,s1", 3);
	CHECK_EQ_INT(rtk_store_session_get(s, "s3", &out), RTK_STORE_OK);
	CHECK_NOT_NULL(str(out, "ended_at"));
	CHECK_EQ_INT(json_integer_value(json_object_get(out, "live_participants")), 0);
	CHECK(json_number_value(json_object_get(out, "minutes_consumed")) > 0);
	json_decref(out);
	CHECK_EQ_INT(rtk_store_session_get(s, "s1", &out), RTK_STORE_OK);
	CHECK_EQ_STR(str(out, "ended_at"), "2026-01-01T10:30:00.000Z");   /* untouched */
	json_decref(out);
	CHECK_EQ_INT(rtk_store_session_participant_get(s, "s3", "p1", &out), RTK_STORE_OK);
	CHECK_EQ_STR(str(out, "left_at"), "2026-01-01T12:10:00.000Z");    /* untouched */
	json_decref(out);
	CHECK_EQ_INT(rtk_store_session_participant_get(s, "s3", "p2", &out), RTK_STORE_OK);
	CHECK_NOT_NULL(str(out, "left_at"));
	CHECK(json_number_value(json_object_get(out, "duration")) > 0);
	json_decref(out);
	CHECK_EQ_INT(rtk_store_session_participant_get(s, "s2", "p3", &out), RTK_STORE_OK);
	CHECK_NOT_NULL(str(out, "left_at"));
	json_decref(out);
	CHECK_EQ_INT(rtk_store_session_end_unfinished(s, &count), RTK_STORE_OK);
	CHECK_EQ_INT(count, 0);
	json_decref(a);
	rtk_store_close(s);
}

/* ---- list totals and concurrency ---- */

/* COUNT(*) by an independent connection: what a total must say. */
static int sql_count(sqlite3 *db, const char *query, const char *a, const char *b)
{
	sqlite3_stmt *st = NULL;
	int n = -1;
	if (sqlite3_prepare_v2(db, query, -1, &st, NULL) == SQLITE_OK) {
		if (a)
			sqlite3_bind_text(st, 1, a, -1, SQLITE_TRANSIENT);
		if (b)
			sqlite3_bind_text(st, 2, b, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int(st, 0);
	}
	sqlite3_finalize(st);
	return n;
}

static void sql_exec(sqlite3 *db, const char *text)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, text, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		fprintf(stderr, "%s: %s\n", text, msg ? msg : "?");
	CHECK_EQ_INT(rc, SQLITE_OK);
	sqlite3_free(msg);
}

typedef rtk_store_status (*doc_list_fn)(rtk_store *, const char *, const char *, int, int,
	json_t **, int *);

static const char *const test_meetings_ids[] = { NULL, "m1", "m2", "m3" };
static const char *const test_statuses[] = { NULL, "INVOKED", "RECORDING", "UPLOADED", "ERRORED" };

/* Every filter of a document table: the total equals COUNT(*) and the
 * whole list (no limit) has that many items; a page of 2 has the same total. */
static void check_doc_totals(rtk_store *s, sqlite3 *db, const char *table, doc_list_fn list)
{
	char *query = g_strdup_printf("SELECT count(*) FROM %s"
		" WHERE (?1 IS NULL OR meeting_id = ?1) AND (?2 IS NULL OR status = ?2)", table);
	for (size_t m = 0; m < G_N_ELEMENTS(test_meetings_ids); m++) {
		for (size_t st = 0; st < G_N_ELEMENTS(test_statuses); st++) {
			const char *meeting = test_meetings_ids[m], *status = test_statuses[st];
			int expected = sql_count(db, query, meeting, status);
			json_t *items = NULL;
			int total = -1;
			CHECK_EQ_INT(list(s, meeting, status, 0, -1, &items, &total), RTK_STORE_OK);
			if (total != expected)
				fprintf(stderr, "%s meeting %s status %s\n", table, meeting ? meeting : "(any)",
					status ? status : "(any)");
			CHECK_EQ_INT(total, expected);
			CHECK_EQ_INT(json_array_size(items), expected);
			json_decref(items);
			CHECK_EQ_INT(list(s, meeting, status, 1, 2, &items, &total), RTK_STORE_OK);
			CHECK_EQ_INT(total, expected);
			json_decref(items);
		}
	}
	g_free(query);
}

static void check_meeting_total(rtk_store *s, sqlite3 *db)
{
	json_t *items = NULL;
	int total = -1;
	CHECK_EQ_INT(rtk_store_meeting_list(s, 0, 1, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, sql_count(db, "SELECT count(*) FROM meetings", NULL, NULL));
	json_decref(items);
}

/* paging.total_count is kept by counters (meetings; recordings and
 * livestreams in total and per status) or counted through a meeting's
 * index: after creates, status changes and deletes (made by another
 * connection, as the store has no delete for these) and rows written by
 * another connection, every filter's total is what COUNT(*) says. */
static void test_list_totals(void)
{
	rtk_store *s = open_store("totals.sqlite3");
	char *path = path_in("totals.sqlite3");
	sqlite3 *db = NULL;
	CHECK_EQ_INT(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);

	check_meeting_total(s, db);
	for (int i = 0; i < 5; i++)
		json_decref(new_meeting(s, "counted"));
	check_meeting_total(s, db);
	sql_exec(db, "INSERT INTO meetings(id, title, status, record_on_start, live_stream_on_start,"
		" persist_chat, summarize_on_end, created_at, updated_at) VALUES ('outside', NULL,"
		" 'ACTIVE', 0, 0, 0, 0, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')");
	check_meeting_total(s, db);
	sql_exec(db, "DELETE FROM meetings WHERE id = 'outside'");
	check_meeting_total(s, db);

	/* recordings and livestreams: a fixed pseudo-random walk of creates,
	 * status changes and deletes, every total checked after each step */
	GRand *rand = g_rand_new_with_seed(8);
	int made = 0;
	for (int step = 0; step < 60; step++) {
		int table = g_rand_int_range(rand, 0, 2), op = g_rand_int_range(rand, 0, 4);
		const char *name = table ? "livestreams" : "recordings";
		const char *meeting = test_meetings_ids[g_rand_int_range(rand, 1, 4)];
		const char *status = test_statuses[g_rand_int_range(rand, 1, 5)];
		char id[32];
		snprintf(id, sizeof(id), "d%d", g_rand_int_range(rand, 0, made + 1));
		json_t *out = NULL;
		if (op <= 1 || made == 0) {   /* create */
			snprintf(id, sizeof(id), "d%d", made++);
			json_t *fields = json_pack("{s:s, s:s, s:s}", "id", id, "meeting_id", meeting,
				"status", status);
			rtk_store_status st = table ? rtk_store_livestream_create(s, fields, &out)
				: rtk_store_recording_create(s, fields, &out);
			CHECK_EQ_INT(st, RTK_STORE_OK);
			json_decref(fields);
		} else if (op == 2) {          /* status change (or none, when the id is elsewhere) */
			json_t *fields = json_pack("{s:s}", "status", status);
			if (table)
				rtk_store_livestream_update(s, id, fields, &out);
			else
				rtk_store_recording_update(s, id, fields, &out);
			json_decref(fields);
		} else {                       /* delete by another connection */
			char *del = g_strdup_printf("DELETE FROM %s WHERE id = '%s'", name, id);
			sql_exec(db, del);
			g_free(del);
		}
		json_decref(out);
		check_doc_totals(s, db, "recordings", rtk_store_recording_list);
		check_doc_totals(s, db, "livestreams", rtk_store_livestream_list);
	}
	g_rand_free(rand);
	/* the server's restart clean-up moves rows between statuses too */
	CHECK_EQ_INT(rtk_store_recording_fail_unfinished(s, NULL), RTK_STORE_OK);
	CHECK_EQ_INT(rtk_store_livestream_fail_unfinished(s, NULL), RTK_STORE_OK);
	check_doc_totals(s, db, "recordings", rtk_store_recording_list);
	check_doc_totals(s, db, "livestreams", rtk_store_livestream_list);

	/* participants: per meeting, after creates and deletes */
	json_t *m1 = new_meeting(s, "one"), *m2 = new_meeting(s, "two"), *pr = new_preset(s, "counted");
	json_t *ps[5];
	for (int i = 0; i < 5; i++)
		ps[i] = new_participant(s, str(i < 3 ? m1 : m2, "id"), "P", "counted");
	CHECK_EQ_INT(rtk_store_participant_delete(s, str(m1, "id"), str(ps[1], "id")), RTK_STORE_OK);
	CHECK_EQ_INT(rtk_store_participant_delete(s, str(m1, "id"), str(ps[4], "id")), RTK_STORE_NOT_FOUND);
	json_t *items = NULL;
	int total = -1;
	CHECK_EQ_INT(rtk_store_participant_list(s, str(m1, "id"), 0, 1, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 2);
	json_decref(items);
	CHECK_EQ_INT(rtk_store_participant_list(s, str(m2, "id"), 0, 1, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 2);
	json_decref(items);
	for (int i = 0; i < 5; i++)
		json_decref(ps[i]);

	/* presets and webhooks: after a delete */
	CHECK_EQ_INT(rtk_store_preset_list(s, 0, 1, &items, &total), RTK_STORE_OK);
	int presets = total;
	json_decref(items);
	json_t *gone = new_preset(s, "gone");
	CHECK_EQ_INT(rtk_store_preset_delete(s, str(gone, "id")), RTK_STORE_OK);
	CHECK_EQ_INT(rtk_store_preset_list(s, 0, 1, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, presets);
	json_decref(items);
	json_decref(gone);
	json_t *wf = json_pack("{s:s, s:[s]}", "url", "http://127.0.0.1:9/x", "events", "meeting.started");
	json_t *w1 = NULL, *w2 = NULL;
	CHECK_EQ_INT(rtk_store_webhook_create(s, wf, &w1), RTK_STORE_OK);
	CHECK_EQ_INT(rtk_store_webhook_create(s, wf, &w2), RTK_STORE_OK);
	CHECK_EQ_INT(rtk_store_webhook_delete(s, str(w1, "id")), RTK_STORE_OK);
	CHECK_EQ_INT(rtk_store_webhook_list(s, 0, 10, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 1);
	json_decref(items);
	json_decref(wf);
	json_decref(w1);
	json_decref(w2);

	json_decref(m1);
	json_decref(m2);
	json_decref(pr);
	sqlite3_close(db);
	g_free(path);
	rtk_store_close(s);
}

/* A file written before the counters existed (schema 2, no row_counts, no
 * triggers) gets them on open, computed from the rows already there, and
 * they follow later changes. */
static void test_list_totals_migration(void)
{
	rtk_store *s = open_store("totals-old.sqlite3");
	for (int i = 0; i < 3; i++)
		json_decref(new_meeting(s, "before"));
	json_decref(new_recording(s, "r1", "m1", "UPLOADED"));
	json_decref(new_recording(s, "r2", "m1", "RECORDING"));
	json_decref(new_livestream(s, "l1", "m1", "LIVE"));
	rtk_store_close(s);

	char *path = path_in("totals-old.sqlite3");
	sqlite3 *db = NULL;
	CHECK_EQ_INT(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_stmt *st = NULL;
	GPtrArray *drops = g_ptr_array_new_with_free_func(g_free);
	CHECK_EQ_INT(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'trigger'",
		-1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		g_ptr_array_add(drops, g_strdup_printf("DROP TRIGGER %s", sqlite3_column_text(st, 0)));
	sqlite3_finalize(st);
	CHECK_EQ_INT(drops->len, 14);   /* 11 of the counts, 3 of the chat search index */
	for (guint i = 0; i < drops->len; i++)
		sql_exec(db, g_ptr_array_index(drops, i));
	g_ptr_array_free(drops, TRUE);
	sql_exec(db, "DROP TABLE row_counts; DROP TABLE sessions; DROP TABLE session_participants;"
		" PRAGMA user_version = 2;");
	/* rows the old schema took without counting */
	sql_exec(db, "INSERT INTO meetings(id, title, status, record_on_start, live_stream_on_start,"
		" persist_chat, summarize_on_end, created_at, updated_at) VALUES ('old', NULL,"
		" 'ACTIVE', 0, 0, 0, 0, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')");
	sql_exec(db, "INSERT INTO recordings(id, meeting_id, status, created_at, doc) VALUES"
		" ('r3', 'm2', 'UPLOADED', '2026', '{\"id\":\"r3\",\"meeting_id\":\"m2\","
		"\"status\":\"UPLOADED\",\"created_at\":\"2026\"}')");

	s = open_store("totals-old.sqlite3");
	check_meeting_total(s, db);
	check_doc_totals(s, db, "recordings", rtk_store_recording_list);
	check_doc_totals(s, db, "livestreams", rtk_store_livestream_list);
	json_t *items = NULL;
	int total = -1;
	CHECK_EQ_INT(rtk_store_meeting_list(s, 0, 1, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 4);
	json_decref(items);
	CHECK_EQ_INT(rtk_store_recording_list(s, NULL, "UPLOADED", 0, 10, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 2);
	json_decref(items);
	json_decref(new_meeting(s, "after"));
	json_decref(new_recording(s, "r4", "m2", "UPLOADED"));
	check_meeting_total(s, db);
	check_doc_totals(s, db, "recordings", rtk_store_recording_list);
	sqlite3_close(db);
	g_free(path);
	rtk_store_close(s);
}

/* A row whose stored JSON no longer has its column's type (edited by
 * hand, a bad disk) is refused and logged, and the other rows still serve:
 * a preset's config that does not parse, a webhook's events that are not
 * an array, a recording's document that is not an object. */
static void test_corrupt_rows(void)
{
	rtk_store *s = open_store("corrupt.sqlite3");
	json_t *p = new_preset(s, "corrupt"), *w = new_webhook(s, "w", "meeting.started", 1);
	json_t *m = new_meeting(s, "kept"), *r = new_recording(s, "r1", str(m, "id"), "RECORDING");
	char *path = path_in("corrupt.sqlite3");
	sqlite3 *db = NULL;
	CHECK_EQ_INT(sqlite3_open(path, &db), SQLITE_OK);
	sql_exec(db, "UPDATE presets SET config = 'not json' WHERE name = 'corrupt'");
	sql_exec(db, "UPDATE webhooks SET events = '{}'");
	sql_exec(db, "UPDATE recordings SET doc = '[1]' WHERE id = 'r1'");
	sqlite3_close(db);
	g_free(path);

	json_t *got = (json_t *)0x1, *items = (json_t *)0x1;
	int total = -1;
	CHECK_EQ_INT(rtk_store_preset_get(s, str(p, "id"), &got), RTK_STORE_FAILED);
	CHECK_NULL(got);
	CHECK_EQ_INT(rtk_store_preset_list(s, 0, 20, &items, &total), RTK_STORE_FAILED);
	CHECK_NULL(items);
	CHECK_EQ_INT(rtk_store_webhook_get(s, str(w, "id"), &got), RTK_STORE_FAILED);
	CHECK_EQ_INT(rtk_store_webhook_list_for_event(s, "meeting.started", &items), RTK_STORE_FAILED);
	CHECK_NULL(items);
	CHECK_EQ_INT(rtk_store_recording_get(s, "r1", &got), RTK_STORE_FAILED);
	json_t *change = json_pack("{s:s}", "status", "UPLOADED");
	CHECK_EQ_INT(rtk_store_recording_update(s, "r1", change, &got), RTK_STORE_FAILED);
	CHECK_NULL(got);
	json_decref(change);

	CHECK_EQ_INT(rtk_store_meeting_get(s, str(m, "id"), &got), RTK_STORE_OK);
	CHECK(json_equal(got, m));
	json_decref(got);
	CHECK_EQ_INT(rtk_store_meeting_list(s, 0, 20, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 1);
	json_decref(items);
	json_decref(p);
	json_decref(w);
	json_decref(m);
	json_decref(r);
	rtk_store_close(s);
}

/* Reads must not wait behind writes. Another connection holds the
 * database's write lock, so a store write blocks inside SQLite (for up to
 * its 5 s busy timeout) while it holds the store's writer; reads made
 * meanwhile (get, list, a meeting's participants, meta) must all answer
 * while that write is still waiting, and the write must succeed once the
 * lock is released. With one lock for every call, the reads would wait
 * until the write gave up. */
typedef struct blocked_write {
	rtk_store *store;
	gint finished;          /* atomic */
	rtk_store_status status;
} blocked_write;

static gpointer blocked_writer(gpointer data)
{
	blocked_write *w = data;
	json_t *fields = json_pack("{s:s}", "title", "waits"), *m = NULL;
	w->status = rtk_store_meeting_create(w->store, fields, &m);
	g_atomic_int_set(&w->finished, 1);
	json_decref(m);
	json_decref(fields);
	return NULL;
}

static void test_reads_during_write(void)
{
	rtk_store *s = open_store("readers.sqlite3");
	json_t *m = new_meeting(s, "present"), *pr = new_preset(s, "r");
	json_t *pa = new_participant(s, str(m, "id"), "Ann", "r");
	CHECK_EQ_INT(rtk_store_meta_set(s, "k", "v"), RTK_STORE_OK);

	char *path = path_in("readers.sqlite3");
	sqlite3 *db = NULL;
	CHECK_EQ_INT(sqlite3_open(path, &db), SQLITE_OK);
	sql_exec(db, "BEGIN IMMEDIATE");

	blocked_write w = { s, 0, RTK_STORE_FAILED };
	GThread *writer = g_thread_new("blocked-writer", blocked_writer, &w);
	g_usleep(300 * 1000);   /* lets the write reach SQLite; if it has not, the reads pass anyway */

	json_t *got = NULL, *items = NULL;
	int total = -1;
	CHECK_EQ_INT(rtk_store_meeting_get(s, str(m, "id"), &got), RTK_STORE_OK);
	json_decref(got);
	CHECK_EQ_INT(rtk_store_meeting_list(s, 0, 10, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 1);
	json_decref(items);
	CHECK_EQ_INT(rtk_store_participant_list(s, str(m, "id"), 0, 10, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 1);
	json_decref(items);
	char *v = NULL;
	CHECK_EQ_INT(rtk_store_meta_get(s, "k", &v), RTK_STORE_OK);
	free(v);
	/* every read above has answered; the write must still be waiting */
	CHECK_EQ_INT(g_atomic_int_get(&w.finished), 0);

	sql_exec(db, "COMMIT");
	g_thread_join(writer);
	CHECK_EQ_INT(w.status, RTK_STORE_OK);
	CHECK_EQ_INT(rtk_store_meeting_list(s, 0, 10, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 2);
	json_decref(items);

	sqlite3_close(db);
	g_free(path);
	json_decref(m);
	json_decref(pr);
	json_decref(pa);
	rtk_store_close(s);
}

/* Writers and readers at once: every list a reader gets is one snapshot
 * (its total is its number of items) and totals never go backwards;
 * every acknowledged write is there at the end. */
typedef struct mixed_arg {
	rtk_store *store;
	int failures;
	gint *stop;             /* atomic, shared */
} mixed_arg;

enum { MIXED_WRITERS = 4, MIXED_READERS = 3, MIXED_WRITES = 60 };

static gpointer mixed_writer(gpointer data)
{
	mixed_arg *a = data;
	for (int i = 0; i < MIXED_WRITES; i++) {
		json_t *fields = json_pack("{s:s}", "title", "w"), *m = NULL;
		if (rtk_store_meeting_create(a->store, fields, &m) != RTK_STORE_OK)
			a->failures++;
		json_decref(m);
		json_decref(fields);
	}
	return NULL;
}

static gpointer mixed_reader(gpointer data)
{
	mixed_arg *a = data;
	int last = 0;
	while (!g_atomic_int_get(a->stop)) {
		json_t *items = NULL;
		int total = -1;
		if (rtk_store_meeting_list(a->store, 0, -1, &items, &total) != RTK_STORE_OK ||
				total != (int)json_array_size(items) || total < last)
			a->failures++;
		last = total;
		json_decref(items);
	}
	return NULL;
}

static void test_mixed_threads(void)
{
	rtk_store *s = open_store("mixed.sqlite3");
	gint stop = 0;
	mixed_arg writers[MIXED_WRITERS], readers[MIXED_READERS];
	GThread *wt[MIXED_WRITERS], *rt[MIXED_READERS];
	for (int i = 0; i < MIXED_READERS; i++) {
		readers[i] = (mixed_arg) { s, 0, &stop };
		rt[i] = g_thread_new("mixed-reader", mixed_reader, &readers[i]);
	}
	for (int i = 0; i < MIXED_WRITERS; i++) {
		writers[i] = (mixed_arg) { s, 0, &stop };
		wt[i] = g_thread_new("mixed-writer", mixed_writer, &writers[i]);
	}
	for (int i = 0; i < MIXED_WRITERS; i++) {
		g_thread_join(wt[i]);
		CHECK_EQ_INT(writers[i].failures, 0);
	}
	g_atomic_int_set(&stop, 1);
	for (int i = 0; i < MIXED_READERS; i++) {
		g_thread_join(rt[i]);
		CHECK_EQ_INT(readers[i].failures, 0);
	}
	json_t *items = NULL;
	int total = -1;
	CHECK_EQ_INT(rtk_store_meeting_list(s, 0, -1, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, MIXED_WRITERS * MIXED_WRITES);
	CHECK_EQ_INT(json_array_size(items), MIXED_WRITERS * MIXED_WRITES);
	json_decref(items);
	rtk_store_close(s);
}

/* Writes that queue for the writer share one transaction: while another
 * connection holds the file's write lock, one write waits inside SQLite
 * holding the store's writer and BATCH_WRITES - 1 more queue behind it.
 * Once the lock is released, the successful ones must all be committed by
 * fewer COMMITs than writes (counted as commit frames in the WAL; one
 * each on 1a3ec61 and until the batches), a write that fails among them
 * (a duplicate preset name, an unknown meeting) must report exactly that
 * and leave nothing, and the others must not be affected by it. */
enum { BATCH_WRITES = 8, BATCH_CONFLICT = 3, BATCH_MISSING = 5 };

typedef struct batch_write {
	rtk_store *store;
	int index;
	gint finished;          /* atomic */
	rtk_store_status status;
	json_t *out;
} batch_write;

static gpointer batch_writer(gpointer data)
{
	batch_write *w = data;
	json_t *fields;
	if (w->index == BATCH_CONFLICT) {
		fields = json_pack("{s:s, s:{}, s:{}, s:{}}", "name", "taken", "config", "permissions", "ui");
		w->status = rtk_store_preset_create(w->store, fields, &w->out);
	} else if (w->index == BATCH_MISSING) {
		fields = json_pack("{s:s}", "title", "nobody");
		w->status = rtk_store_meeting_update(w->store, "no-such-meeting", fields, &w->out);
	} else {
		fields = json_pack("{s:s}", "title", "batched");
		w->status = rtk_store_meeting_create(w->store, fields, &w->out);
	}
	json_decref(fields);
	g_atomic_int_set(&w->finished, 1);
	return NULL;
}

static guint32 be32(const unsigned char *p)
{
	return (guint32)p[0] << 24 | (guint32)p[1] << 16 | (guint32)p[2] << 8 | p[3];
}

/* The commit frames of the current WAL generation of the file at
 * `db_path` (frames whose salt is the header's and whose "database size
 * after commit" is set); -1 when the WAL cannot be read. */
static int wal_commits(const char *db_path)
{
	char *wal = g_strconcat(db_path, "-wal", NULL);
	gchar *data = NULL;
	gsize len = 0;
	int commits = -1;
	if (g_file_get_contents(wal, &data, &len, NULL) && len >= 32) {
		const unsigned char *h = (const unsigned char *)data;
		guint32 page = be32(h + 8);
		commits = 0;
		for (gsize at = 32; page && at + 24 + page <= len; at += 24 + page) {
			const unsigned char *f = h + at;
			if (be32(f + 8) != be32(h + 16) || be32(f + 12) != be32(h + 20))
				break;   /* a frame of an earlier generation: the log ends here */
			if (be32(f + 4) != 0)
				commits++;
		}
	}
	g_free(data);
	g_free(wal);
	return commits;
}

static void test_batched_writes(void)
{
	rtk_store *s = open_store("batch.sqlite3");
	json_t *taken = new_preset(s, "taken"), *first = new_meeting(s, "before");
	char *path = path_in("batch.sqlite3");
	sqlite3 *db = NULL;
	CHECK_EQ_INT(sqlite3_open(path, &db), SQLITE_OK);
	sql_exec(db, "BEGIN IMMEDIATE");

	batch_write w[BATCH_WRITES];
	GThread *threads[BATCH_WRITES];
	for (int i = 0; i < BATCH_WRITES; i++) {
		w[i] = (batch_write) { s, i, 0, RTK_STORE_FAILED, NULL };
		threads[i] = g_thread_new("batch-writer", batch_writer, &w[i]);
		if (i == 0)
			g_usleep(300 * 1000);   /* the first is inside SQLite, the others queue behind it */
	}
	g_usleep(300 * 1000);
	int before = wal_commits(path);
	CHECK(before > 0);
	for (int i = 0; i < BATCH_WRITES; i++)
		CHECK_EQ_INT(g_atomic_int_get(&w[i].finished), 0);
	sql_exec(db, "COMMIT");   /* changes nothing: no commit frame */

	int created = 0;
	for (int i = 0; i < BATCH_WRITES; i++) {
		g_thread_join(threads[i]);
		if (i == BATCH_CONFLICT || i == BATCH_MISSING) {
			CHECK_EQ_INT(w[i].status, i == BATCH_CONFLICT ? RTK_STORE_CONFLICT : RTK_STORE_NOT_FOUND);
			CHECK_NULL(w[i].out);
			continue;
		}
		CHECK_EQ_INT(w[i].status, RTK_STORE_OK);
		CHECK_EQ_STR(str(w[i].out, "title"), "batched");
		/* acknowledged: committed, so another connection sees it */
		CHECK_EQ_INT(sql_count(db, "SELECT count(*) FROM meetings WHERE id = ?1",
			str(w[i].out, "id"), NULL), 1);
		json_decref(w[i].out);
		created++;
	}
	int commits = wal_commits(path) - before;
	fprintf(stderr, "  %d writes (%d created, 2 refused) committed by %d COMMIT(s)\n",
		BATCH_WRITES, created, commits);
	CHECK_EQ_INT(created, BATCH_WRITES - 2);
	CHECK(commits >= 1);
	CHECK(commits < created);
	CHECK_EQ_INT(sql_count(db, "SELECT count(*) FROM meetings", NULL, NULL), 1 + created);
	CHECK_EQ_INT(sql_count(db, "SELECT count(*) FROM presets WHERE name = ?1", "taken", NULL), 1);
	CHECK_EQ_INT(sql_count(db, "SELECT n FROM row_counts WHERE name = 'meetings'", NULL, NULL),
		1 + created);
	json_t *items = NULL;
	int total = -1;
	CHECK_EQ_INT(rtk_store_meeting_list(s, 0, -1, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 1 + created);
	json_decref(items);

	sqlite3_close(db);
	g_free(path);
	json_decref(taken);
	json_decref(first);
	rtk_store_close(s);
}

/* The WAL starts over under a steady stream of writes. Checkpoints run
 * beside the writes (store.c, "Checkpoints"), and a checkpoint beside a
 * steady stream of commits alone never lets the WAL start over: the file
 * would grow with every write (CHECKPOINT_WRITERS x CHECKPOINT_WRITES
 * meetings are about 12 000 WAL pages, 48 MB). Its size is its high-water
 * mark, so it must stay a few times the 1000-page checkpoint mark, while
 * a reader lists the first page all along and every write succeeds. */
enum { CHECKPOINT_WRITERS = 8, CHECKPOINT_WRITES = 1000 };

typedef struct checkpoint_arg {
	rtk_store *store;
	int failures;
} checkpoint_arg;

static gpointer checkpoint_writer(gpointer data)
{
	checkpoint_arg *a = data;
	for (int i = 0; i < CHECKPOINT_WRITES; i++) {
		json_t *fields = json_pack("{s:s}", "title", "steady"), *m = NULL;
		if (rtk_store_meeting_create(a->store, fields, &m) != RTK_STORE_OK)
			a->failures++;
		json_decref(m);
		json_decref(fields);
	}
	return NULL;
}

/* Lists the first page, as GET /v2/meetings does, until told to stop. */
static gpointer page_reader(gpointer data)
{
	mixed_arg *a = data;
	int last = 0;
	while (!g_atomic_int_get(a->stop)) {
		json_t *items = NULL;
		int total = -1;
		if (rtk_store_meeting_list(a->store, 0, 20, &items, &total) != RTK_STORE_OK ||
				total < last || (int)json_array_size(items) != (total < 20 ? total : 20))
			a->failures++;
		last = total;
		json_decref(items);
	}
	return NULL;
}

static void test_wal_starts_over(void)
{
	rtk_store *s = open_store("steady.sqlite3");
	char *path = path_in("steady.sqlite3");
	char *wal = g_strconcat(path, "-wal", NULL);
	gint stop = 0;
	mixed_arg reader = { s, 0, &stop };
	GThread *rt = g_thread_new("steady-reader", page_reader, &reader);
	checkpoint_arg writers[CHECKPOINT_WRITERS];
	GThread *wt[CHECKPOINT_WRITERS];
	for (int i = 0; i < CHECKPOINT_WRITERS; i++) {
		writers[i] = (checkpoint_arg) { s, 0 };
		wt[i] = g_thread_new("steady-writer", checkpoint_writer, &writers[i]);
	}
	for (int i = 0; i < CHECKPOINT_WRITERS; i++) {
		g_thread_join(wt[i]);
		CHECK_EQ_INT(writers[i].failures, 0);
	}
	g_atomic_int_set(&stop, 1);
	g_thread_join(rt);
	CHECK_EQ_INT(reader.failures, 0);

	struct stat st;
	CHECK_EQ_INT(stat(wal, &st), 0);
	fprintf(stderr, "  %d writes: the WAL reached %lld KiB\n", CHECKPOINT_WRITERS * CHECKPOINT_WRITES,
		(long long)st.st_size / 1024);
	CHECK(st.st_size < 6000LL * (4096 + 24));
	json_t *items = NULL;
	int total = -1;
	CHECK_EQ_INT(rtk_store_meeting_list(s, 0, 1, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, CHECKPOINT_WRITERS * CHECKPOINT_WRITES);
	json_decref(items);
	rtk_store_close(s);
	g_free(wal);
	g_free(path);
}

/* ---- util ---- */

static void test_util(void)
{
	char *a = rtk_util_uuid4(), *b = rtk_util_uuid4();
	CHECK_EQ_INT(strlen(a), 36);
	CHECK(strcmp(a, b) != 0);
	CHECK(a[8] == '-' && a[13] == '-' && a[18] == '-' && a[23] == '-');
	CHECK(a[14] == '4');
	CHECK(strchr("89ab", a[19]) != NULL);
	free(a);
	free(b);

	char *t = rtk_util_now_iso8601();
	CHECK_EQ_INT(strlen(t), 24);
	CHECK(t[4] == '-' && t[10] == 'T' && t[19] == '.' && t[23] == 'Z');
	free(t);

	char *h = rtk_util_random_hex(32);
	CHECK_EQ_INT(strlen(h), 64);
	CHECK_EQ_INT(strspn(h, "0123456789abcdef"), 64);
	free(h);

	char *dir = path_in("a/b/c");
	CHECK_EQ_INT(rtk_util_mkdir_p(dir, 0700), 0);
	CHECK_EQ_INT(rtk_util_mkdir_p(dir, 0700), 0);
	struct stat st;
	CHECK_EQ_INT(stat(dir, &st), 0);
	CHECK(S_ISDIR(st.st_mode));
	char *file = g_build_filename(dir, "f", NULL);
	CHECK_EQ_INT(rtk_util_write_file_atomic(file, "hello", 5, 0640), 0);
	CHECK_EQ_INT(stat(file, &st), 0);
	CHECK_EQ_INT(st.st_mode & 0777, 0640);
	size_t len = 0;
	char *data = rtk_util_read_file(file, &len);
	CHECK_EQ_STR(data, "hello");
	CHECK_EQ_INT(len, 5);
	free(data);
	CHECK_EQ_INT(rtk_util_mkdir_p(file, 0700), -1);   /* a file, not a directory */
	CHECK_NULL(rtk_util_read_file("/nonexistent/file", NULL));
	g_free(file);
	g_free(dir);
}

/* ---- gateway ---- */

static const char *const default_presets[] = {
	"group_call_host", "group_call_participant", "webinar_presenter",
	"webinar_viewer", "livestream_host", "livestream_viewer",
};

static rtk_gateway *start(const char *data_dir, const char *org_id, const char *api_key,
	const char *jwt_secret)
{
	char *base = g_path_get_basename(data_dir);
	char *database_url = pg_base ? pg_url(base) : NULL;   /* the database of open_named(base) */
	rtk_gateway_config config = {
		.data_dir = data_dir, .database_url = database_url, .http_port = 0,
		.org_id = org_id, .api_key = api_key, .jwt_secret = jwt_secret,
	};
	char *error = NULL;
	rtk_gateway *gw = rtk_gateway_start(&config, &error);
	g_free(database_url);
	g_free(base);
	if (!gw)
		fprintf(stderr, "rtk_gateway_start: %s\n", error);
	CHECK_NOT_NULL(gw);
	free(error);
	return gw;
}

static json_t *read_credentials(const char *data_dir)
{
	char *path = g_build_filename(data_dir, "credentials.json", NULL);
	char *text = rtk_util_read_file(path, NULL);
	json_t *creds = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	g_free(path);
	return creds;
}

static void test_gateway_start(void)
{
	char *data_dir = path_in("data/nested");
	rtk_gateway *gw = start(data_dir, NULL, "", NULL);
	if (!gw) {
		g_free(data_dir);
		return;
	}

	struct stat st;
	CHECK_EQ_INT(stat(data_dir, &st), 0);
	CHECK_EQ_INT(st.st_mode & 0777, 0700);
	char *creds_path = g_build_filename(data_dir, "credentials.json", NULL);
	CHECK_EQ_INT(stat(creds_path, &st), 0);
	CHECK_EQ_INT(st.st_mode & 0777, 0600);
	char *db_path = g_build_filename(data_dir, "rtk.sqlite3", NULL);
	CHECK_EQ_INT(access(db_path, F_OK), pg_base ? -1 : 0);   /* on PostgreSQL: no file */
	g_free(db_path);
	CHECK_EQ_STR(rtk_store_backend_name(rtk_gateway_store(gw)), pg_base ? "postgresql" : "sqlite");

	json_t *creds = read_credentials(data_dir);
	CHECK(json_is_object(creds));
	CHECK_EQ_STR(str(creds, "org_id"), rtk_gateway_org_id(gw));
	CHECK_EQ_STR(str(creds, "api_key"), rtk_gateway_api_key(gw));
	CHECK_EQ_INT(strlen(rtk_gateway_org_id(gw)), 36);
	CHECK_EQ_INT(strlen(rtk_gateway_api_key(gw)), 64);
	CHECK_EQ_INT(strlen(str(creds, "jwt_secret")), 64);
	CHECK(strcmp(str(creds, "jwt_secret"), str(creds, "api_key")) != 0);
	CHECK_EQ_STR(rtk_gateway_url(gw), "http://127.0.0.1:0");

	/* the six default presets, in order, before anything else */
	rtk_store *s = rtk_gateway_store(gw);
	json_t *items = NULL;
	int total = 0;
	CHECK_EQ_INT(rtk_store_preset_list(s, 0, 100, &items, &total), RTK_STORE_OK);
	CHECK_EQ_INT(total, 6);
	for (size_t i = 0; i < G_N_ELEMENTS(default_presets); i++)
		CHECK_EQ_STR(str(json_array_get(items, i), "name"), default_presets[i]);
	json_decref(items);
	/* seeded once: a deleted default preset stays deleted across restarts */
	json_t *viewer = NULL;
	CHECK_EQ_INT(rtk_store_preset_get_by_name(s, "livestream_viewer", &viewer), RTK_STORE_OK);
	CHECK_EQ_INT(rtk_store_preset_delete(s, str(viewer, "id")), RTK_STORE_OK);
	json_decref(viewer);
	rtk_gateway_stop(gw);

	/* restart: same credentials, no reseeding */
	gw = start(data_dir, "", NULL, "");
	CHECK_EQ_STR(rtk_gateway_org_id(gw), str(creds, "org_id"));
	CHECK_EQ_STR(rtk_gateway_api_key(gw), str(creds, "api_key"));
	CHECK_EQ_INT(rtk_store_preset_list(rtk_gateway_store(gw), 0, 100, &items, &total),
		RTK_STORE_OK);
	CHECK_EQ_INT(total, 5);
	json_decref(items);
	rtk_gateway_stop(gw);

	/* config values win, and do not overwrite the file */
	gw = start(data_dir, "my-org", "my-key", NULL);
	CHECK_EQ_STR(rtk_gateway_org_id(gw), "my-org");
	CHECK_EQ_STR(rtk_gateway_api_key(gw), "my-key");
	rtk_gateway_stop(gw);
	json_t *after = read_credentials(data_dir);
	CHECK(json_equal(after, creds));
	json_decref(after);
	CHECK_EQ_INT(stat(creds_path, &st), 0);
	CHECK_EQ_INT(st.st_mode & 0777, 0600);

	/* a damaged credentials file stops the start instead of replacing keys */
	CHECK_EQ_INT(rtk_util_write_file_atomic(creds_path, "{not json", 9, 0600), 0);
	rtk_gateway_config config = { .data_dir = data_dir };
	char *error = NULL;
	CHECK_NULL(rtk_gateway_start(&config, &error));
	CHECK_NOT_NULL(error);
	free(error);
	error = NULL;
	config.data_dir = NULL;
	CHECK_NULL(rtk_gateway_start(&config, &error));
	CHECK_NOT_NULL(error);
	free(error);

	json_decref(creds);
	g_free(creds_path);
	g_free(data_dir);
}

/* A start after a crash: what the previous run left recording or live is
 * ERRORED, what had finished is untouched; webhook delivery is running. */
static void test_gateway_unfinished(void)
{
	char *data_dir = path_in("unfinished");
	CHECK_EQ_INT(rtk_util_mkdir_p(data_dir, 0700), 0);
	char *db_path = g_build_filename(data_dir, "rtk.sqlite3", NULL), *error = NULL;
	char *database_url = pg_base ? pg_url("unfinished") : NULL;   /* start()'s */
	rtk_store *s = pg_base ? rtk_store_open_url(database_url, &error) : rtk_store_open(db_path, &error);
	g_free(database_url);
	CHECK_NOT_NULL(s);
	free(error);
	json_decref(new_recording(s, "busy", "m", "RECORDING"));
	json_decref(new_recording(s, "done", "m", "UPLOADED"));
	json_decref(new_livestream(s, "live", "m", "LIVE"));
	rtk_store_close(s);   /* as a crash would leave it */

	rtk_gateway *gw = start(data_dir, NULL, NULL, NULL);
	if (gw) {
		CHECK_NOT_NULL(rtk_gateway_webhooks(gw));
		s = rtk_gateway_store(gw);
		json_t *got = NULL;
		CHECK_EQ_INT(rtk_store_recording_get(s, "busy", &got), RTK_STORE_OK);
		CHECK_EQ_STR(str(got, "status"), "ERRORED");
		CHECK_EQ_STR(str(json_object_get(got, "stop_reason"), "reason"), "INTERNAL_ERROR");
		CHECK_EQ_STR(str(json_object_get(got, "stop_reason"), "detail"), "SERVER_RESTART");
		json_decref(got);
		CHECK_EQ_INT(rtk_store_recording_get(s, "done", &got), RTK_STORE_OK);
		CHECK_EQ_STR(str(got, "status"), "UPLOADED");
		json_decref(got);
		CHECK_EQ_INT(rtk_store_livestream_get(s, "live", &got), RTK_STORE_OK);
		CHECK_EQ_STR(str(got, "status"), "ERRORED");
		json_decref(got);
		/* emitting with no webhook subscribed is harmless */
		rtk_webhooks_emit(rtk_gateway_webhooks(gw), "meeting.started", json_object());
		rtk_gateway_stop(gw);
	}
	g_free(db_path);
	g_free(data_dir);
}

/* The claim rule of several nodes (store.h, "Nodes and placements"). */
static void test_placement_rule(void)
{
	const char *now = "2026-12-07T05:00:00.000Z";
	CHECK_EQ_INT(rtk_store_placement_decide(NULL, NULL, "a", now), RTK_PLACEMENT_INSERT);
	CHECK_EQ_INT(rtk_store_placement_decide("a", "2026-12-07T05:00:10.000Z", "a", now), RTK_PLACEMENT_RENEW);
	CHECK_EQ_INT(rtk_store_placement_decide("a", "2026-12-07T04:59:59.000Z", "a", now), RTK_PLACEMENT_RENEW);
	CHECK_EQ_INT(rtk_store_placement_decide("b", "2026-12-07T05:00:00.001Z", "a", now), RTK_PLACEMENT_HELD);
	CHECK_EQ_INT(rtk_store_placement_decide("b", "2026-12-07T05:00:00.000Z", "a", now), RTK_PLACEMENT_TAKE);
	CHECK_EQ_INT(rtk_store_placement_decide("b", "2026-12-07T04:59:59.999Z", "a", now), RTK_PLACEMENT_TAKE);
	CHECK_EQ_INT(rtk_store_placement_decide("b", NULL, "a", now), RTK_PLACEMENT_TAKE);
}

/* Claims, renewals, take-overs and releases between two nodes. */
static void test_placements(void)
{
	rtk_store *s = open_store("placements.sqlite3");
	CHECK_EQ_INT(rtk_store_node_heartbeat(s, "a", "ws://10.0.0.1:8188/", "http://10.0.0.1:8080"), RTK_STORE_OK);
	CHECK_EQ_INT(rtk_store_node_heartbeat(s, "a", "ws://10.0.0.1:8188/", NULL), RTK_STORE_OK);
	json_t *got = NULL, *list = NULL;
	CHECK_EQ_INT(rtk_store_node_get(s, "a", &got), RTK_STORE_OK);
	CHECK_EQ_STR(str(got, "janus_url"), "ws://10.0.0.1:8188/");
	CHECK(json_is_null(json_object_get(got, "rest_url")));
	CHECK_NOT_NULL(str(got, "heartbeat_at"));
	json_decref(got);

	char *previous = NULL;
	CHECK_EQ_INT(rtk_store_placement_claim(s, "m1", "a", 30, &got, &previous), RTK_STORE_OK);
	CHECK_EQ_STR(str(got, "node_id"), "a");
	CHECK_NULL(previous);
	json_decref(got);
	/* b finds it held, and where */
	CHECK_EQ_INT(rtk_store_placement_claim(s, "m1", "b", 30, &got, &previous), RTK_STORE_CONFLICT);
	CHECK_EQ_STR(str(got, "node_id"), "a");
	CHECK_EQ_STR(str(got, "janus_url"), "ws://10.0.0.1:8188/");
	CHECK_NULL(previous);
	json_decref(got);
	/* a renews it */
	CHECK_EQ_INT(rtk_store_placement_claim(s, "m1", "a", 30, &got, &previous), RTK_STORE_OK);
	CHECK_NULL(previous);
	json_decref(got);
	/* a lease already over: b takes it, and learns from whom */
	CHECK_EQ_INT(rtk_store_placement_claim(s, "m2", "a", -1, &got, &previous), RTK_STORE_OK);
	json_decref(got);
	CHECK_EQ_INT(rtk_store_placement_claim(s, "m2", "b", 30, &got, &previous), RTK_STORE_OK);
	CHECK_EQ_STR(str(got, "node_id"), "b");
	CHECK_EQ_STR(previous, "a");
	free(previous);
	json_decref(got);
	CHECK_EQ_INT(rtk_store_placement_get(s, "m2", &got), RTK_STORE_OK);
	CHECK_EQ_STR(str(got, "node_id"), "b");
	CHECK_NULL(json_object_get(got, "janus_url"));   /* b wrote no heartbeat */
	json_decref(got);
	CHECK_EQ_INT(rtk_store_placement_list(s, "a", &list), RTK_STORE_OK);
	CHECK_EQ_INT((int)json_array_size(list), 1);
	CHECK_EQ_STR(str(json_array_get(list, 0), "meeting_id"), "m1");
	json_decref(list);
	/* only its holder releases a placement */
	CHECK_EQ_INT(rtk_store_placement_release(s, "m1", "b"), RTK_STORE_NOT_FOUND);
	CHECK_EQ_INT(rtk_store_placement_release(s, "m1", "a"), RTK_STORE_OK);
	CHECK_EQ_INT(rtk_store_placement_get(s, "m1", &got), RTK_STORE_NOT_FOUND);
	CHECK_EQ_INT(rtk_store_placement_claim(s, "m1", "b", 30, &got, &previous), RTK_STORE_OK);
	CHECK_NULL(previous);
	json_decref(got);
	rtk_store_close(s);
}

/* What a dead node left of one meeting ends; the other meetings' stays. */
static void test_meeting_end_unfinished(void)
{
	rtk_store *s = open_store("orphans.sqlite3");
	json_t *got = NULL;
	const char *ids[] = { "s1", "s2" }, *meetings[] = { "m1", "m2" };
	for (int i = 0; i < 2; i++) {
		json_t *row = json_pack("{s:s, s:s, s:s, s:s, s:i, s:f}", "id", ids[i], "meeting_id", meetings[i],
			"status", "LIVE", "started_at", "2026-12-07T05:00:00.000Z", "live_participants", 1,
			"minutes_consumed", 0.0);
		CHECK_EQ_INT(rtk_store_session_create(s, row, &got), RTK_STORE_OK);
		json_decref(got);
		json_decref(row);
	}
	json_decref(new_recording(s, "r1", "m1", "RECORDING"));
	json_decref(new_recording(s, "r2", "m2", "RECORDING"));
	json_decref(new_livestream(s, "l1", "m1", "LIVE"));
	int sessions = -1, recordings = -1, livestreams = -1;
	CHECK_EQ_INT(rtk_store_meeting_end_unfinished(s, "m1", &sessions, &recordings, &livestreams), RTK_STORE_OK);
	CHECK_EQ_INT(sessions, 1);
	CHECK_EQ_INT(recordings, 1);
	CHECK_EQ_INT(livestreams, 1);
	CHECK_EQ_INT(rtk_store_session_get(s, "s1", &got), RTK_STORE_OK);
	CHECK_EQ_STR(str(got, "status"), "ENDED");
	CHECK_NOT_NULL(str(got, "ended_at"));
	json_decref(got);
	CHECK_EQ_INT(rtk_store_session_get(s, "s2", &got), RTK_STORE_OK);
	CHECK_EQ_STR(str(got, "status"), "LIVE");
	json_decref(got);
	CHECK_EQ_INT(rtk_store_recording_get(s, "r1", &got), RTK_STORE_OK);
	CHECK_EQ_STR(str(got, "status"), "ERRORED");
	json_decref(got);
	CHECK_EQ_INT(rtk_store_recording_get(s, "r2", &got), RTK_STORE_OK);
	CHECK_EQ_STR(str(got, "status"), "RECORDING");
	json_decref(got);
	rtk_store_close(s);
}

/* A node id needs PostgreSQL; with it, a start ends only what this node
 * left (its placed meetings), not the other nodes' live sessions. */
static void test_gateway_node(void)
{
	char *data_dir = path_in("node");
	CHECK_EQ_INT(rtk_util_mkdir_p(data_dir, 0700), 0);
	if (!pg_base) {
		rtk_gateway_config config = { .data_dir = data_dir, .http_port = 0, .node_id = "a" };
		char *error = NULL;
		CHECK_NULL(rtk_gateway_start(&config, &error));
		CHECK_NOT_NULL(error);
		CHECK(error && strstr(error, "RTK_NODE_ID needs RTK_DATABASE_URL") != NULL);
		free(error);
		g_free(data_dir);
		return;
	}
	char *database_url = pg_url("node"), *error = NULL;
	rtk_store *s = rtk_store_open_url(database_url, &error);
	CHECK_NOT_NULL(s);
	free(error);
	json_t *got = NULL;
	const char *ids[] = { "mine", "theirs" }, *meetings[] = { "m1", "m2" }, *nodes[] = { "a", "b" };
	for (int i = 0; i < 2; i++) {
		json_t *row = json_pack("{s:s, s:s, s:s}", "id", ids[i], "meeting_id", meetings[i], "status", "LIVE");
		CHECK_EQ_INT(rtk_store_session_create(s, row, &got), RTK_STORE_OK);
		json_decref(got);
		json_decref(row);
		CHECK_EQ_INT(rtk_store_placement_claim(s, meetings[i], nodes[i], 60, &got, NULL), RTK_STORE_OK);
		json_decref(got);
	}
	rtk_store_close(s);
	rtk_gateway_config config = { .data_dir = data_dir, .database_url = database_url, .http_port = 0,
		.node_id = "a" };
	rtk_gateway *gw = rtk_gateway_start(&config, &error);
	CHECK_NOT_NULL(gw);
	free(error);
	if (gw) {
		s = rtk_gateway_store(gw);
		CHECK_EQ_INT(rtk_store_session_get(s, "mine", &got), RTK_STORE_OK);
		CHECK_EQ_STR(str(got, "status"), "ENDED");
		json_decref(got);
		CHECK_EQ_INT(rtk_store_session_get(s, "theirs", &got), RTK_STORE_OK);
		CHECK_EQ_STR(str(got, "status"), "LIVE");
		json_decref(got);
		CHECK_EQ_INT(rtk_store_placement_get(s, "m1", &got), RTK_STORE_NOT_FOUND);
		CHECK_EQ_INT(rtk_store_placement_get(s, "m2", &got), RTK_STORE_OK);
		json_decref(got);
		rtk_gateway_stop(gw);
	}
	g_free(database_url);
	g_free(data_dir);
}

/* Raw SQL on the gateway's file with foreign keys off: reaches states the
 * store's constraints otherwise prevent (a dangling reference). */
static void raw_sql(const char *data_dir, const char *stmt_sql, const char *id)
{
	char *path = g_build_filename(data_dir, "rtk.sqlite3", NULL);
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	CHECK_EQ_INT(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	CHECK_EQ_INT(sqlite3_prepare_v2(db, stmt_sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	CHECK_EQ_INT(sqlite3_step(st), SQLITE_DONE);
	CHECK_EQ_INT(sqlite3_changes(db), 1);
	sqlite3_finalize(st);
	sqlite3_close(db);
	g_free(path);
}

#define SECRET "admit-test-secret"

static char *token_for(const char *org, const json_t *participant, long long exp,
	const char *secret)
{
	json_t *claims = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "orgId", org,
		"meetingId", str(participant, "meeting_id"), "participantId", str(participant, "id"),
		"presetId", str(participant, "preset_id"), "iat", (json_int_t)time(NULL),
		"exp", (json_int_t)exp);
	char *token = rtk_jwt_sign(claims, (const unsigned char *)secret, strlen(secret));
	json_decref(claims);
	return token;
}

static char *token_claims(json_t *claims)
{
	char *token = rtk_jwt_sign(claims, (const unsigned char *)SECRET, strlen(SECRET));
	json_decref(claims);
	return token;
}

static rtk_admit_status admit(rtk_gateway *gw, char *token)
{
	rtk_admission a;
	rtk_admit_status st = rtk_gateway_admit(gw, token, &a);
	if (st != RTK_ADMIT_OK)
		CHECK(!a.participant && !a.meeting && !a.preset);
	rtk_admission_clear(&a);
	free(token);
	return st;
}

static void test_gateway_admit(void)
{
	char *data_dir = path_in("admit");
	rtk_gateway *gw = start(data_dir, "org-A", NULL, SECRET);
	if (!gw) {
		g_free(data_dir);
		return;
	}
	rtk_store *s = rtk_gateway_store(gw);
	long long later = (long long)time(NULL) + 3600;
	json_t *m = new_meeting(s, "admit"), *m2 = new_meeting(s, "second");
	json_t *p = new_participant(s, str(m, "id"), "Ann", "group_call_host");

	/* admitted: the three resources come back */
	rtk_admission a;
	char *token = token_for("org-A", p, later, SECRET);
	CHECK_EQ_INT(rtk_gateway_admit(gw, token, &a), RTK_ADMIT_OK);
	CHECK_EQ_STR(str(a.participant, "id"), str(p, "id"));
	CHECK_EQ_STR(str(a.meeting, "id"), str(m, "id"));
	CHECK_EQ_STR(str(a.preset, "name"), "group_call_host");
	rtk_admission_clear(&a);
	CHECK(!a.participant && !a.meeting && !a.preset);
	rtk_admission_clear(&a);   /* twice is harmless */
	free(token);

	/* token problems */
	CHECK_EQ_INT(admit(gw, strdup("garbage")), RTK_ADMIT_TOKEN_MALFORMED);
	CHECK_EQ_INT(admit(gw, strdup("")), RTK_ADMIT_TOKEN_MALFORMED);
	CHECK_EQ_INT(admit(gw, token_for("org-A", p, later, "another-secret")), RTK_ADMIT_TOKEN_FORGED);
	CHECK_EQ_INT(admit(gw, token_for("org-A", p, time(NULL) - 1, SECRET)), RTK_ADMIT_TOKEN_EXPIRED);
	CHECK_EQ_INT(admit(gw, token_for("org-B", p, later, SECRET)), RTK_ADMIT_TOKEN_FORGED);
	CHECK_EQ_INT(admit(gw, token_claims(json_pack("{s:s, s:s, s:s, s:I}", "orgId", "org-A",
		"meetingId", str(m, "id"), "presetId", "x", "exp", (json_int_t)later))),
		RTK_ADMIT_TOKEN_MALFORMED);   /* no participantId */
	CHECK_EQ_INT(admit(gw, token_claims(json_pack("{s:s, s:s, s:s, s:i, s:I}", "orgId", "org-A",
		"meetingId", str(m, "id"), "participantId", str(p, "id"), "presetId", 7,
		"exp", (json_int_t)later))), RTK_ADMIT_TOKEN_MALFORMED);   /* presetId not a string */
	CHECK_EQ_INT(admit(gw, token_claims(json_pack("{s:s, s:s, s:s, s:I}",
		"meetingId", str(m, "id"), "participantId", str(p, "id"), "presetId", "x",
		"exp", (json_int_t)later))), RTK_ADMIT_TOKEN_FORGED);   /* no orgId */

	/* participant: unknown id, wrong meeting, deleted */
	CHECK_EQ_INT(admit(gw, token_claims(json_pack("{s:s, s:s, s:s, s:s, s:I}", "orgId", "org-A",
		"meetingId", str(m, "id"), "participantId", "00000000-0000-4000-8000-000000000000",
		"presetId", str(p, "preset_id"), "exp", (json_int_t)later))),
		RTK_ADMIT_PARTICIPANT_NOT_FOUND);
	CHECK_EQ_INT(admit(gw, token_claims(json_pack("{s:s, s:s, s:s, s:s, s:I}", "orgId", "org-A",
		"meetingId", str(m2, "id"), "participantId", str(p, "id"),
		"presetId", str(p, "preset_id"), "exp", (json_int_t)later))),
		RTK_ADMIT_PARTICIPANT_NOT_FOUND);
	json_t *gone = new_participant(s, str(m, "id"), "Gone", "group_call_participant");
	token = token_for("org-A", gone, later, SECRET);
	CHECK_EQ_INT(rtk_store_participant_delete(s, str(m, "id"), str(gone, "id")), RTK_STORE_OK);
	CHECK_EQ_INT(admit(gw, token), RTK_ADMIT_PARTICIPANT_NOT_FOUND);
	json_decref(gone);

	/* the participant's current preset counts, not the token's */
	token = token_for("org-A", p, later, SECRET);
	json_t *fields = json_pack("{s:s}", "preset_name", "webinar_viewer"), *up = NULL;
	CHECK_EQ_INT(rtk_store_participant_update(s, str(m, "id"), str(p, "id"), fields, &up, NULL),
		RTK_STORE_OK);
	json_decref(fields);
	json_decref(up);
	CHECK_EQ_INT(rtk_gateway_admit(gw, token, &a), RTK_ADMIT_OK);
	CHECK_EQ_STR(str(a.preset, "name"), "webinar_viewer");
	rtk_admission_clear(&a);

	/* meeting INACTIVE, then active again */
	fields = json_pack("{s:s}", "status", "INACTIVE");
	json_t *mm = NULL;
	CHECK_EQ_INT(rtk_store_meeting_update(s, str(m, "id"), fields, &mm), RTK_STORE_OK);
	json_decref(mm);
	CHECK_EQ_INT(rtk_gateway_admit(gw, token, &a), RTK_ADMIT_MEETING_INACTIVE);
	CHECK(!a.participant && !a.meeting && !a.preset);
	json_object_set_new(fields, "status", json_string("ACTIVE"));
	CHECK_EQ_INT(rtk_store_meeting_update(s, str(m, "id"), fields, &mm), RTK_STORE_OK);
	json_decref(mm);
	json_decref(fields);
	CHECK_EQ_INT(rtk_gateway_admit(gw, token, &a), RTK_ADMIT_OK);
	rtk_admission_clear(&a);

	/* dangling references (only reachable by damaging the SQLite file) */
	if (!pg_base) {
		json_t *q = new_participant(s, str(m2, "id"), "Quinn", "livestream_host");
		char *qtoken = token_for("org-A", q, later, SECRET);
		raw_sql(data_dir, "DELETE FROM presets WHERE name = ?1", "livestream_host");
		CHECK_EQ_INT(rtk_gateway_admit(gw, qtoken, &a), RTK_ADMIT_PRESET_NOT_FOUND);
		raw_sql(data_dir, "DELETE FROM meetings WHERE id = ?1", str(m2, "id"));
		CHECK_EQ_INT(rtk_gateway_admit(gw, qtoken, &a), RTK_ADMIT_MEETING_NOT_FOUND);
		CHECK(!a.participant && !a.meeting && !a.preset);
		free(qtoken);
		json_decref(q);
	}

	/* restart with the same secret: old tokens still admit */
	rtk_gateway_stop(gw);
	gw = start(data_dir, "org-A", NULL, SECRET);
	CHECK_EQ_INT(admit(gw, token), RTK_ADMIT_OK);
	rtk_gateway_stop(gw);

	/* the generated secret from credentials.json signs admissible tokens */
	char *dir2 = path_in("admit2");
	gw = start(dir2, NULL, NULL, NULL);
	json_t *creds = read_credentials(dir2);
	s = rtk_gateway_store(gw);
	json_t *m3 = new_meeting(s, "third");
	json_t *r = new_participant(s, str(m3, "id"), "Rae", "webinar_presenter");
	CHECK_EQ_INT(admit(gw, token_for(rtk_gateway_org_id(gw), r, later, str(creds, "jwt_secret"))),
		RTK_ADMIT_OK);
	CHECK_EQ_INT(admit(gw, token_for(rtk_gateway_org_id(gw), r, later, SECRET)),
		RTK_ADMIT_TOKEN_FORGED);
	rtk_gateway_stop(gw);
	json_decref(creds);
	json_decref(m3);
	json_decref(r);
	g_free(dir2);

	json_decref(m);
	json_decref(m2);
	json_decref(p);
	g_free(data_dir);
}

static char *token_of_generation(const json_t *participant, long long exp, json_t *generation)
{
	json_t *claims = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "orgId", "org-A",
		"meetingId", str(participant, "meeting_id"), "participantId", str(participant, "id"),
		"presetId", str(participant, "preset_id"), "iat", (json_int_t)time(NULL), "exp", (json_int_t)exp);
	if (generation)
		json_object_set_new(claims, "tokenGeneration", generation);
	return token_claims(claims);
}

/* Token revocation (docs/rest.md): a bump revokes every lower generation;
 * a token without the claim is generation 0; the meeting is checked
 * before the participant (0801 is reachable). */
static void test_gateway_token_generations(void)
{
	char *data_dir = path_in("generations");
	rtk_gateway *gw = start(data_dir, "org-A", NULL, SECRET);
	if (!gw) {
		g_free(data_dir);
		return;
	}
	rtk_store *s = rtk_gateway_store(gw);
	long long later = (long long)time(NULL) + 3600, generation = -1;
	json_t *m = new_meeting(s, "generations");
	json_t *p = new_participant(s, str(m, "id"), "Gen", "group_call_host");
	const char *pid = str(p, "id");

	CHECK_EQ_INT(rtk_store_token_generation_get(s, pid, &generation), RTK_STORE_OK);
	CHECK_EQ_INT(generation, 0);
	CHECK_EQ_INT(admit(gw, token_of_generation(p, later, NULL)), RTK_ADMIT_OK);
	CHECK_EQ_INT(admit(gw, token_of_generation(p, later, json_integer(0))), RTK_ADMIT_OK);

	CHECK_EQ_INT(rtk_store_token_generation_bump(s, pid, &generation), RTK_STORE_OK);
	CHECK_EQ_INT(generation, 1);
	CHECK_EQ_INT(admit(gw, token_of_generation(p, later, NULL)), RTK_ADMIT_TOKEN_REVOKED);
	CHECK_EQ_INT(admit(gw, token_of_generation(p, later, json_integer(0))), RTK_ADMIT_TOKEN_REVOKED);
	CHECK_EQ_INT(admit(gw, token_of_generation(p, later, json_integer(1))), RTK_ADMIT_OK);
	CHECK_EQ_INT(admit(gw, token_of_generation(p, later, json_string("1"))), RTK_ADMIT_TOKEN_MALFORMED);
	CHECK_EQ_INT(rtk_store_token_generation_bump(s, pid, &generation), RTK_STORE_OK);
	CHECK_EQ_INT(generation, 2);
	CHECK_EQ_INT(admit(gw, token_of_generation(p, later, json_integer(1))), RTK_ADMIT_TOKEN_REVOKED);

	/* a meeting that does not exist: MEETING_NOT_FOUND, not "participant deleted" */
	json_t *claims = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "orgId", "org-A",
		"meetingId", "00000000-0000-4000-8000-000000000000", "participantId", pid,
		"presetId", str(p, "preset_id"), "iat", (json_int_t)time(NULL), "exp", (json_int_t)later);
	CHECK_EQ_INT(admit(gw, token_claims(claims)), RTK_ADMIT_MEETING_NOT_FOUND);

	/* deleting the participant deletes its generation; an unknown one cannot be bumped */
	CHECK_EQ_INT(rtk_store_participant_delete(s, str(m, "id"), pid), RTK_STORE_OK);
	CHECK_EQ_INT(rtk_store_token_generation_get(s, pid, &generation), RTK_STORE_OK);
	CHECK_EQ_INT(generation, 0);
	CHECK_EQ_INT(rtk_store_token_generation_bump(s, pid, &generation), RTK_STORE_CONFLICT);
	CHECK_EQ_INT(admit(gw, token_of_generation(p, later, json_integer(2))), RTK_ADMIT_PARTICIPANT_NOT_FOUND);

	rtk_gateway_stop(gw);
	json_decref(m);
	json_decref(p);
	g_free(data_dir);
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s/rtk-test-store-XXXXXX", g_get_tmp_dir());
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	pg_base = getenv("RTK_TEST_PG");
	if (pg_base && !*pg_base)
		pg_base = NULL;
#ifndef RTK_HAVE_LIBPQ
	if (pg_base) {
		fprintf(stderr, "RTK_TEST_PG is set but this build has no PostgreSQL backend\n");
		return 77;
	}
#endif
	UNIT_RUN(test_util);
	UNIT_RUN(test_meta);
	UNIT_RUN(test_meetings);
	UNIT_RUN(test_meeting_children);
	UNIT_RUN(test_presets);
	UNIT_RUN(test_participants);
	UNIT_RUN(test_reopen);
	UNIT_RUN(test_kill9);
	UNIT_RUN(test_threads);
	if (!pg_base)
		UNIT_RUN(test_open_failure);
	UNIT_RUN(test_open_url_failure);
	UNIT_RUN(test_recordings);
	UNIT_RUN(test_livestreams);
	UNIT_RUN(test_webhooks);
	UNIT_RUN(test_chat_messages);
	UNIT_RUN(test_sessions);
	if (!pg_base)
		UNIT_RUN(test_migration);
	UNIT_RUN(test_meeting_settings);
	if (!pg_base)
		UNIT_RUN(test_list_totals);
	if (!pg_base)
		UNIT_RUN(test_list_totals_migration);
	if (!pg_base)
		UNIT_RUN(test_corrupt_rows);
	if (!pg_base)
		UNIT_RUN(test_reads_during_write);
	UNIT_RUN(test_mixed_threads);
	if (!pg_base)
		UNIT_RUN(test_batched_writes);
	if (!pg_base)
		UNIT_RUN(test_wal_starts_over);
#ifdef RTK_HAVE_LIBPQ
	if (pg_base) {
		UNIT_RUN(test_pg_write_turns);
		UNIT_RUN(test_pg_reconnect);
	}
#endif
	UNIT_RUN(test_gateway_start);
	UNIT_RUN(test_gateway_admit);
	UNIT_RUN(test_gateway_token_generations);
	UNIT_RUN(test_gateway_unfinished);
	UNIT_RUN(test_placement_rule);
	UNIT_RUN(test_placements);
	UNIT_RUN(test_meeting_end_unfinished);
	UNIT_RUN(test_gateway_node);
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return UNIT_DONE();
}
