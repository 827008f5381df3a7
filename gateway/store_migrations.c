/*
 * store_migrations.c - the schema of the store, step by step, in one place
 * for both backends (rtk_store_migrations[], store_backend.h).
 *
 * Each step is described once and written in each backend's dialect: the
 * SQLite text (`.sqlite`, run by store_sqlite.c inside one transaction that
 * also moves PRAGMA user_version up by one) and the PostgreSQL text
 * (`.postgres`, run by store_pg.c inside one transaction that also moves
 * rtk_schema.version up by one), plus the columns the step adds to a table
 * that exists (`.added`, with each dialect's declaration: SQLite cannot
 * write ALTER TABLE ADD COLUMN to be re-run, so store_sqlite.c adds each
 * only when the table lacks it; store_pg.c says ADD COLUMN IF NOT EXISTS).
 * Both add the columns before the step's text runs. A step is never edited
 * once released: a new step is appended, in both dialects.
 *
 * The SQLite texts are exactly those of the releases before PostgreSQL
 * (they were store_sqlite.c's `migrations[]`), so existing files migrate
 * as before. The PostgreSQL texts build the same tables with the same
 * columns, and:
 *   - booleans are BOOLEAN, integers BIGINT, `seq` an identity column;
 *     JSON values and documents are TEXT holding the JSON text (as SQLite),
 *     so a document comes back exactly as it was written;
 *   - timestamps are TEXT COLLATE "C", so that they compare as SQLite's do
 *     (byte by byte) whatever the database's collation;
 *   - the row counts (store_sqlite.c, "Counts") are kept by one PL/pgSQL
 *     trigger function, rtk_row_counted();
 *   - the chat's full-text index is a generated tsvector column of
 *     chat_messages (`chat_search`, the descriptor's search_index) with a
 *     GIN index, instead of SQLite's FTS5 table of the same name;
 *   - a PostgreSQL database is always created by this list from step 1,
 *     so its steps need not be written to be re-run.
 */
#include "store_backend.h"

/* The counters of one document table on SQLite: its total and one per status. */
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


/* The same on PostgreSQL: computed from the rows, then kept by rtk_row_counted(). */
#define PG_DOC_COUNTERS(table) \
	"INSERT INTO row_counts(name, n) SELECT '" table "', count(*) FROM " table ";" \
	"INSERT INTO row_counts(name, n) SELECT '" table ":' || status, count(*) FROM " table \
	"  GROUP BY status;" \
	"CREATE TRIGGER " table "_counted AFTER INSERT OR DELETE OR UPDATE OF status ON " table \
	"  FOR EACH ROW EXECUTE FUNCTION rtk_row_counted('status');"

const rtk_store_migration rtk_store_migrations[] = {
	{
		/* 1: the v2 resources. `seq` gives every table a stable insertion order;
		 * participants reference presets by id, so a rename follows through and
		 * a preset in use cannot be deleted. */
		.sqlite =
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
		.postgres =
		"CREATE TABLE meta ("
		"  key TEXT PRIMARY KEY,"
		"  value TEXT NOT NULL);"
		"CREATE TABLE meetings ("
		"  seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
		"  id TEXT NOT NULL UNIQUE,"
		"  title TEXT,"
		"  status TEXT NOT NULL,"
		"  record_on_start BOOLEAN NOT NULL,"
		"  live_stream_on_start BOOLEAN NOT NULL,"
		"  persist_chat BOOLEAN NOT NULL,"
		"  summarize_on_end BOOLEAN NOT NULL,"
		"  created_at TEXT COLLATE \"C\" NOT NULL,"
		"  updated_at TEXT COLLATE \"C\" NOT NULL);"
		"CREATE TABLE presets ("
		"  seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
		"  id TEXT NOT NULL UNIQUE,"
		"  name TEXT NOT NULL UNIQUE,"
		"  config TEXT NOT NULL,"
		"  permissions TEXT NOT NULL,"
		"  ui TEXT NOT NULL,"
		"  created_at TEXT COLLATE \"C\" NOT NULL,"
		"  updated_at TEXT COLLATE \"C\" NOT NULL);"
		"CREATE TABLE participants ("
		"  seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
		"  id TEXT NOT NULL UNIQUE,"
		"  meeting_id TEXT NOT NULL REFERENCES meetings(id) ON DELETE RESTRICT,"
		"  preset_id TEXT NOT NULL REFERENCES presets(id) ON DELETE RESTRICT,"
		"  name TEXT,"
		"  picture TEXT,"
		"  custom_participant_id TEXT,"
		"  created_at TEXT COLLATE \"C\" NOT NULL,"
		"  updated_at TEXT COLLATE \"C\" NOT NULL);"
		"CREATE INDEX participants_by_meeting ON participants(meeting_id, seq);"
		"CREATE INDEX participants_by_preset ON participants(preset_id);",
	},
	{
		/* 2: recordings, livestreams (document tables: `doc` is the whole
		 * object, the other columns are copies the store filters on; id is the
		 * key, `seq` the order) and webhooks. No foreign key to meetings: a
		 * recording outlives nothing, and the plugin names its meeting. */
		.sqlite =
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
		.postgres =
		"CREATE TABLE recordings ("
		"  seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
		"  id TEXT NOT NULL UNIQUE,"
		"  meeting_id TEXT NOT NULL,"
		"  status TEXT NOT NULL,"
		"  created_at TEXT COLLATE \"C\" NOT NULL,"
		"  doc TEXT NOT NULL);"
		"CREATE INDEX recordings_by_meeting ON recordings(meeting_id, seq);"
		"CREATE INDEX recordings_by_status ON recordings(status);"
		"CREATE TABLE livestreams ("
		"  seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
		"  id TEXT NOT NULL UNIQUE,"
		"  meeting_id TEXT NOT NULL,"
		"  status TEXT NOT NULL,"
		"  created_at TEXT COLLATE \"C\" NOT NULL,"
		"  doc TEXT NOT NULL);"
		"CREATE INDEX livestreams_by_meeting ON livestreams(meeting_id, seq);"
		"CREATE INDEX livestreams_by_status ON livestreams(status);"
		"CREATE TABLE webhooks ("
		"  seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
		"  id TEXT NOT NULL UNIQUE,"
		"  name TEXT,"
		"  url TEXT NOT NULL,"
		"  events TEXT NOT NULL,"
		"  enabled BOOLEAN NOT NULL,"
		"  secret TEXT NOT NULL,"
		"  created_at TEXT COLLATE \"C\" NOT NULL,"
		"  updated_at TEXT COLLATE \"C\" NOT NULL);",
	},
	{
		/* 3: token generations (docs/rest.md, "Token revocation"): a refresh
		 * moves a participant's generation up, and tokens of lower generations
		 * stop admitting it. No row: generation 0. Written to be re-run. */
		.sqlite =
		"CREATE TABLE IF NOT EXISTS participant_tokens ("
		"  participant_id TEXT PRIMARY KEY REFERENCES participants(id) ON DELETE CASCADE,"
		"  generation INTEGER NOT NULL);",
		.postgres =
		"CREATE TABLE participant_tokens ("
		"  participant_id TEXT PRIMARY KEY REFERENCES participants(id) ON DELETE CASCADE,"
		"  generation BIGINT NOT NULL);",
	},
	{
		/* 4: row counts kept by triggers (see the header comment), computed
		 * once here from the rows already stored. Written to be re-run: the
		 * counts are recomputed and existing triggers kept. */
		.sqlite =
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
		.postgres =
		"CREATE TABLE row_counts ("
		"  name TEXT PRIMARY KEY,"
		"  n BIGINT NOT NULL);"
		"CREATE FUNCTION rtk_row_count_add(counter TEXT, delta BIGINT) RETURNS void LANGUAGE sql AS $$"
		"  INSERT INTO row_counts(name, n) VALUES (counter, delta)"
		"    ON CONFLICT (name) DO UPDATE SET n = row_counts.n + EXCLUDED.n $$;"
		/* The trigger of every counted table; an argument (any) counts per status too. */
		"CREATE FUNCTION rtk_row_counted() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
		"  IF TG_OP = 'INSERT' THEN"
		"    PERFORM rtk_row_count_add(TG_TABLE_NAME, 1);"
		"    IF TG_NARGS > 0 THEN PERFORM rtk_row_count_add(TG_TABLE_NAME || ':' || NEW.status, 1); END IF;"
		"  ELSIF TG_OP = 'DELETE' THEN"
		"    PERFORM rtk_row_count_add(TG_TABLE_NAME, -1);"
		"    IF TG_NARGS > 0 THEN PERFORM rtk_row_count_add(TG_TABLE_NAME || ':' || OLD.status, -1); END IF;"
		"  ELSIF TG_NARGS > 0 THEN"
		"    IF OLD.status IS DISTINCT FROM NEW.status THEN"
		"      PERFORM rtk_row_count_add(TG_TABLE_NAME || ':' || OLD.status, -1);"
		"      PERFORM rtk_row_count_add(TG_TABLE_NAME || ':' || NEW.status, 1);"
		"    END IF;"
		"  END IF;"
		"  RETURN NULL;"
		"END $$;"
		"INSERT INTO row_counts(name, n) SELECT 'meetings', count(*) FROM meetings;"
		"CREATE TRIGGER meetings_counted AFTER INSERT OR DELETE ON meetings"
		"  FOR EACH ROW EXECUTE FUNCTION rtk_row_counted();"
		PG_DOC_COUNTERS("recordings")
		PG_DOC_COUNTERS("livestreams"),
	},
	{
		/* 5: session history (docs/rest.md, "Sessions"): a meeting's live
		 * sessions and one row per presence in each, document tables like
		 * recordings. No foreign keys: the plugin names the meeting and the
		 * session, and history outlives a deleted participant. Sessions are
		 * counted like recordings (total and per status); a session's
		 * participants through their index. Written to be re-run. */
		.sqlite =
		"CREATE TABLE IF NOT EXISTS sessions ("
		"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
		"  id TEXT NOT NULL UNIQUE,"
		"  meeting_id TEXT NOT NULL,"
		"  status TEXT NOT NULL,"
		"  created_at TEXT NOT NULL,"
		"  doc TEXT NOT NULL);"
		"CREATE INDEX IF NOT EXISTS sessions_by_meeting ON sessions(meeting_id, seq);"
		"CREATE INDEX IF NOT EXISTS sessions_by_status ON sessions(status);"
		"CREATE TABLE IF NOT EXISTS session_participants ("
		"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
		"  id TEXT NOT NULL UNIQUE,"
		"  session_id TEXT NOT NULL,"
		"  created_at TEXT NOT NULL,"
		"  doc TEXT NOT NULL);"
		"CREATE INDEX IF NOT EXISTS session_participants_by_session"
		"  ON session_participants(session_id, seq);"
		"DELETE FROM row_counts WHERE name = 'sessions' OR name LIKE 'sessions:%';"
		DOC_COUNTERS("sessions"),
		.postgres =
		"CREATE TABLE sessions ("
		"  seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
		"  id TEXT NOT NULL UNIQUE,"
		"  meeting_id TEXT NOT NULL,"
		"  status TEXT NOT NULL,"
		"  created_at TEXT COLLATE \"C\" NOT NULL,"
		"  doc TEXT NOT NULL);"
		"CREATE INDEX sessions_by_meeting ON sessions(meeting_id, seq);"
		"CREATE INDEX sessions_by_status ON sessions(status);"
		"CREATE TABLE session_participants ("
		"  seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
		"  id TEXT NOT NULL UNIQUE,"
		"  session_id TEXT NOT NULL,"
		"  created_at TEXT COLLATE \"C\" NOT NULL,"
		"  doc TEXT NOT NULL);"
		"CREATE INDEX session_participants_by_session ON session_participants(session_id, seq);"
		PG_DOC_COUNTERS("sessions"),
	},
	{
		/* 6: chat messages (a document table, like recordings) and their
		 * full-text index: a contentless FTS5 table whose rowid is the
		 * message's seq, over its text (or its file's name), kept by triggers
		 * (a contentless table is told the old text to forget it). Written to
		 * be re-run. */
		.sqlite =
		"CREATE TABLE IF NOT EXISTS chat_messages ("
		"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
		"  id TEXT NOT NULL UNIQUE,"
		"  meeting_id TEXT NOT NULL,"
		"  session_id TEXT NOT NULL,"
		"  created_at TEXT NOT NULL,"
		"  doc TEXT NOT NULL);"
		"CREATE INDEX IF NOT EXISTS chat_messages_by_session ON chat_messages(session_id, seq);"
		"CREATE VIRTUAL TABLE IF NOT EXISTS chat_search USING fts5(body, content='');"
		"CREATE TRIGGER IF NOT EXISTS chat_messages_indexed AFTER INSERT ON chat_messages BEGIN"
		"  INSERT INTO chat_search(rowid, body) VALUES (NEW.seq,"
		"    coalesce(json_extract(NEW.doc, '$.message'), json_extract(NEW.doc, '$.name'), ''));"
		"END;"
		"CREATE TRIGGER IF NOT EXISTS chat_messages_unindexed AFTER DELETE ON chat_messages BEGIN"
		"  INSERT INTO chat_search(chat_search, rowid, body) VALUES ('delete', OLD.seq,"
		"    coalesce(json_extract(OLD.doc, '$.message'), json_extract(OLD.doc, '$.name'), ''));"
		"END;"
		"CREATE TRIGGER IF NOT EXISTS chat_messages_reindexed AFTER UPDATE OF doc ON chat_messages BEGIN"
		"  INSERT INTO chat_search(chat_search, rowid, body) VALUES ('delete', OLD.seq,"
		"    coalesce(json_extract(OLD.doc, '$.message'), json_extract(OLD.doc, '$.name'), ''));"
		"  INSERT INTO chat_search(rowid, body) VALUES (NEW.seq,"
		"    coalesce(json_extract(NEW.doc, '$.message'), json_extract(NEW.doc, '$.name'), ''));"
		"END;",
		.postgres =
		"CREATE TABLE chat_messages ("
		"  seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
		"  id TEXT NOT NULL UNIQUE,"
		"  meeting_id TEXT NOT NULL,"
		"  session_id TEXT NOT NULL,"
		"  created_at TEXT COLLATE \"C\" NOT NULL,"
		"  doc TEXT NOT NULL,"
		"  chat_search tsvector GENERATED ALWAYS AS (to_tsvector('simple',"
		"    coalesce(doc::jsonb ->> 'message', doc::jsonb ->> 'name', ''))) STORED);"
		"CREATE INDEX chat_messages_by_session ON chat_messages(session_id, seq);"
		"CREATE INDEX chat_messages_search ON chat_messages USING gin(chat_search);",
	},
	{
		/* 7: connected meetings (breakout rooms): a child meeting names its
		 * parent (the column: .added); the children of a parent
		 * are listed by it. */
		.sqlite =
		"CREATE INDEX IF NOT EXISTS meetings_by_parent ON meetings(parent_meeting_id, seq);",
		.postgres =
		"CREATE INDEX meetings_by_parent ON meetings(parent_meeting_id, seq);",
		.added = {
			{ "meetings", "parent_meeting_id", "TEXT", "TEXT" },
		},
	},
	{
		/* 8: the plugin registry (/v2/plugins, meeting.plugins). Written to be
		 * re-run. */
		.sqlite =
		"CREATE TABLE IF NOT EXISTS plugins ("
		"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
		"  id TEXT NOT NULL UNIQUE,"
		"  name TEXT NOT NULL,"
		"  description TEXT,"
		"  picture TEXT,"
		"  url TEXT NOT NULL,"
		"  config TEXT NOT NULL,"
		"  created_at TEXT NOT NULL,"
		"  updated_at TEXT NOT NULL);",
		.postgres =
		"CREATE TABLE plugins ("
		"  seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
		"  id TEXT NOT NULL UNIQUE,"
		"  name TEXT NOT NULL,"
		"  description TEXT,"
		"  picture TEXT,"
		"  url TEXT NOT NULL,"
		"  config TEXT NOT NULL,"
		"  created_at TEXT COLLATE \"C\" NOT NULL,"
		"  updated_at TEXT COLLATE \"C\" NOT NULL);",
	},
	{
		/* 9: RealtimeKit's other meeting settings (docs/rest.md, "Meetings"):
		 * recording_config and ai_config (JSON objects or null),
		 * preferred_region, session_keep_alive_time_in_secs (a JSON number)
		 * and transcribe_on_end (the columns: .added, with the
		 * defaults existing meetings take); meetings listed by status. */
		.sqlite =
		"CREATE INDEX IF NOT EXISTS meetings_by_status ON meetings(status, seq);",
		.postgres =
		"CREATE INDEX meetings_by_status ON meetings(status, seq);",
		.added = {
			{ "meetings", "recording_config", "TEXT NOT NULL DEFAULT 'null'", "TEXT NOT NULL DEFAULT 'null'" },
			{ "meetings", "ai_config", "TEXT NOT NULL DEFAULT 'null'", "TEXT NOT NULL DEFAULT 'null'" },
			{ "meetings", "preferred_region", "TEXT", "TEXT" },
			{ "meetings", "session_keep_alive_time_in_secs", "TEXT NOT NULL DEFAULT '0'", "TEXT NOT NULL DEFAULT '0'" },
			{ "meetings", "transcribe_on_end", "INTEGER NOT NULL DEFAULT 0", "BOOLEAN NOT NULL DEFAULT false" },
		},
	},
	{
		/* 10: several nodes on one database (docs/deploy.md, "Several
		 * nodes"): the nodes and the meeting each runs, with its lease
		 * (store.h, "Nodes and placements"). Written to be re-run. */
		.sqlite =
		"CREATE TABLE IF NOT EXISTS nodes ("
		"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
		"  id TEXT NOT NULL UNIQUE,"
		"  janus_url TEXT,"
		"  rest_url TEXT,"
		"  heartbeat_at TEXT NOT NULL);"
		"CREATE TABLE IF NOT EXISTS placements ("
		"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
		"  meeting_id TEXT NOT NULL UNIQUE,"
		"  node_id TEXT NOT NULL,"
		"  lease_until TEXT NOT NULL);"
		"CREATE INDEX IF NOT EXISTS placements_by_node ON placements(node_id, seq);",
		.postgres =
		"CREATE TABLE nodes ("
		"  seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
		"  id TEXT NOT NULL UNIQUE,"
		"  janus_url TEXT,"
		"  rest_url TEXT,"
		"  heartbeat_at TEXT COLLATE \"C\" NOT NULL);"
		"CREATE TABLE placements ("
		"  seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
		"  meeting_id TEXT NOT NULL UNIQUE,"
		"  node_id TEXT NOT NULL,"
		"  lease_until TEXT COLLATE \"C\" NOT NULL);"
		"CREATE INDEX placements_by_node ON placements(node_id, seq);",
	},
};

const int rtk_store_schema_version = (int)(sizeof(rtk_store_migrations) / sizeof(rtk_store_migrations[0]));
