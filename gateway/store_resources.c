/*
 * store_resources.c - every table of the store described once: its
 * columns with their JSON keys, types, defaults and what a caller may set,
 * its keys, the order and filters of its lists, what the store stamps and
 * counts. store.c's generic create/get/list/update/delete and the backend's
 * statements (store_sqlite.c, store_pg.c) are driven by these; the schema
 * itself is rtk_store_migrations[] (store_migrations.c), and these name
 * its columns.
 *
 * What is not a column rule is a hook in store.c, next to the function
 * that calls it: a participant's meeting and preset, token generations,
 * the clean-up of unfinished recordings, livestreams and sessions. Two rules are
 * the schema's: a preset in use cannot be deleted (participants reference
 * it: CONFLICT), and the counts of `counted` tables are kept by triggers.
 */
#include "store_backend.h"

#include <stddef.h>

#define COLUMN(name, type_, takes_, flags_, initial_) \
	{ .field = name, .column = name, .type = type_, .takes = takes_, .flags = flags_, \
	  .initial = initial_ }
#define ID_COLUMN(name) COLUMN(name, RTK_STORE_TEXT, 0, RTK_STORE_REQUIRED | RTK_STORE_FIXED, NULL)
#define UUID_COLUMN \
	{ .field = "id", .column = "id", .type = RTK_STORE_TEXT, \
	  .flags = RTK_STORE_REQUIRED | RTK_STORE_FIXED, .generated = RTK_STORE_UUID }
#define CREATED_AT COLUMN("created_at", RTK_STORE_TIMESTAMP, 0, RTK_STORE_REQUIRED | RTK_STORE_FIXED, NULL)
#define UPDATED_AT COLUMN("updated_at", RTK_STORE_TIMESTAMP, 0, 0, NULL)
#define FLAG(name) COLUMN(name, RTK_STORE_BOOL, RTK_STORE_TAKES_BOOL, 0, "false")
#define NULLABLE_TEXT(name) \
	COLUMN(name, RTK_STORE_TEXT, RTK_STORE_TAKES_STRING | RTK_STORE_TAKES_NULL, 0, "null")
#define COLUMNS(array) .columns = array, .n_columns = (int)(sizeof(array) / sizeof(array[0]))

static const char *const created_and_updated[] = { "created_at", "updated_at", NULL };

/* meta: deployment metadata, key -> value ("default_presets_seeded"). */
static const rtk_store_column meta_columns[] = {
	ID_COLUMN("key"),
	COLUMN("value", RTK_STORE_TEXT, 0, RTK_STORE_REQUIRED, NULL),
};

/* meetings: newest first; its total is counted; listed whole, by parent
 * and/or status, and narrowed by a text in the title or id and a range of
 * created_at. The REST layer validates recording_config and ai_config
 * (objects or null) and the keep-alive (a number). */
static const rtk_store_column meeting_columns[] = {
	UUID_COLUMN,
	NULLABLE_TEXT("title"),
	COLUMN("status", RTK_STORE_TEXT, RTK_STORE_TAKES_STRING, RTK_STORE_REQUIRED, "\"ACTIVE\""),
	FLAG("record_on_start"),
	FLAG("live_stream_on_start"),
	FLAG("persist_chat"),
	FLAG("summarize_on_end"),
	FLAG("transcribe_on_end"),
	NULLABLE_TEXT("preferred_region"),
	COLUMN("session_keep_alive_time_in_secs", RTK_STORE_JSON, (1u << JSON_INTEGER) | (1u << JSON_REAL),
		0, "0"),
	COLUMN("recording_config", RTK_STORE_JSON, RTK_STORE_TAKES_OBJECT | RTK_STORE_TAKES_NULL, 0, "null"),
	COLUMN("ai_config", RTK_STORE_JSON, RTK_STORE_TAKES_OBJECT | RTK_STORE_TAKES_NULL, 0, "null"),
	/* a connected meeting's (breakout room's) parent; null for a top-level meeting */
	COLUMN("parent_meeting_id", RTK_STORE_TEXT, RTK_STORE_TAKES_STRING | RTK_STORE_TAKES_NULL,
		RTK_STORE_FIXED, "null"),
	CREATED_AT,
	UPDATED_AT,
};

/* presets: oldest first (the default presets first); names are unique. */
static const rtk_store_column preset_columns[] = {
	UUID_COLUMN,
	COLUMN("name", RTK_STORE_TEXT, RTK_STORE_TAKES_STRING, RTK_STORE_REQUIRED, NULL),
	COLUMN("config", RTK_STORE_JSON, RTK_STORE_TAKES_ANY, 0, "{}"),
	COLUMN("permissions", RTK_STORE_JSON, RTK_STORE_TAKES_ANY, 0, "{}"),
	COLUMN("ui", RTK_STORE_JSON, RTK_STORE_TAKES_ANY, 0, "{}"),
	CREATED_AT,
	UPDATED_AT,
};

/* participants: a meeting's, oldest first. meeting_id comes from the
 * path and preset_id from the fields' preset_name (store.c's hooks); the
 * name is read through the preset, so a rename follows. */
static const rtk_store_column participant_columns[] = {
	UUID_COLUMN,
	COLUMN("meeting_id", RTK_STORE_TEXT, 0, RTK_STORE_FIXED, NULL),
	NULLABLE_TEXT("name"),
	NULLABLE_TEXT("picture"),
	{ .field = "preset_name", .column = "name", .type = RTK_STORE_TEXT,
	  .through = { .table = "presets", .key = "id", .column = "name", .via = "preset_id" } },
	COLUMN("preset_id", RTK_STORE_TEXT, 0, 0, NULL),
	NULLABLE_TEXT("custom_participant_id"),
	CREATED_AT,
	UPDATED_AT,
};

/* participant_tokens: a participant's token generation (no row: 0). */
static const rtk_store_column token_columns[] = {
	ID_COLUMN("participant_id"),
	COLUMN("generation", RTK_STORE_INT, 0, 0, NULL),
};

/* recordings, livestreams: document tables. The object is kept whole,
 * whatever its keys; id, meeting_id, status and created_at are copied into
 * columns to look rows up, filter and count them. */
#define DOCUMENT_COLUMNS \
	ID_COLUMN("id"), \
	COLUMN("meeting_id", RTK_STORE_TEXT, 0, RTK_STORE_REQUIRED, NULL), \
	COLUMN("status", RTK_STORE_TEXT, 0, RTK_STORE_REQUIRED, NULL), \
	CREATED_AT, \
	{ .column = "doc", .type = RTK_STORE_DOCUMENT, .takes = RTK_STORE_TAKES_OBJECT }

static const rtk_store_column recording_columns[] = { DOCUMENT_COLUMNS };
static const rtk_store_column livestream_columns[] = { DOCUMENT_COLUMNS };
static const char *const recording_stamps[] = { "created_at", "invoked_time", NULL };

/* webhooks: oldest first, all of them or the enabled ones; url and events
 * are required, the secret is generated when not given. */
static const rtk_store_column webhook_columns[] = {
	UUID_COLUMN,
	NULLABLE_TEXT("name"),
	COLUMN("url", RTK_STORE_TEXT, RTK_STORE_TAKES_STRING, RTK_STORE_REQUIRED, NULL),
	COLUMN("events", RTK_STORE_JSON, RTK_STORE_TAKES_ARRAY, RTK_STORE_REQUIRED, NULL),
	COLUMN("enabled", RTK_STORE_BOOL, RTK_STORE_TAKES_BOOL, 0, "true"),
	{ .field = "secret", .column = "secret", .type = RTK_STORE_TEXT, .takes = RTK_STORE_TAKES_STRING,
	  .flags = RTK_STORE_REQUIRED, .generated = RTK_STORE_SECRET },
	CREATED_AT,
	UPDATED_AT,
};

/* chat_messages: a live session's chat (plugin/chat_store.c), document
 * rows: the message as participants get it plus meeting_id, session_id and
 * created_at; oldest first by session, searchable by text. */
static const rtk_store_column chat_columns[] = {
	ID_COLUMN("id"),
	COLUMN("meeting_id", RTK_STORE_TEXT, 0, RTK_STORE_REQUIRED, NULL),
	COLUMN("session_id", RTK_STORE_TEXT, 0, RTK_STORE_REQUIRED, NULL),
	CREATED_AT,
	{ .column = "doc", .type = RTK_STORE_DOCUMENT, .takes = RTK_STORE_TAKES_OBJECT }
};

/* sessions: a meeting's live sessions (the room's session_id), a document
 * table like recordings: id, meeting_id, status (LIVE, ENDED) and
 * created_at are copies of the object's keys. Newest first, counted in
 * total and per status; a list may bound created_at (GET /v2/sessions's
 * start_time and end_time). */
static const rtk_store_column session_columns[] = { DOCUMENT_COLUMNS };
static const char *const session_stamps[] = { "created_at", "updated_at", NULL };

/* session_participants: one row per presence in a session (id: the peer
 * id of that join), oldest first, listed by session; a document table
 * whose session_id and created_at are copies of the object's keys. */
static const rtk_store_column session_participant_columns[] = {
	ID_COLUMN("id"),
	COLUMN("session_id", RTK_STORE_TEXT, 0, RTK_STORE_REQUIRED, NULL),
	CREATED_AT,
	{ .column = "doc", .type = RTK_STORE_DOCUMENT, .takes = RTK_STORE_TAKES_OBJECT },
};

/* plugins: the registry of plugins a meeting may activate (meeting.plugins,
 * /v2/plugins), oldest first (the two built-in ones first). name and url
 * are required; config is the plugin's free-form settings object. */
static const rtk_store_column plugin_columns[] = {
	UUID_COLUMN,
	COLUMN("name", RTK_STORE_TEXT, RTK_STORE_TAKES_STRING, RTK_STORE_REQUIRED, NULL),
	NULLABLE_TEXT("description"),
	NULLABLE_TEXT("picture"),
	COLUMN("url", RTK_STORE_TEXT, RTK_STORE_TAKES_STRING, RTK_STORE_REQUIRED, NULL),
	COLUMN("config", RTK_STORE_JSON, RTK_STORE_TAKES_OBJECT, 0, "{}"),
	CREATED_AT,
	UPDATED_AT,
};

/* nodes: the janus processes sharing one database (docs/deploy.md,
 * "Several nodes"), each with the URLs its clients use and when it last
 * said it was alive. */
static const rtk_store_column node_columns[] = {
	ID_COLUMN("id"),
	NULLABLE_TEXT("janus_url"),
	NULLABLE_TEXT("rest_url"),
	COLUMN("heartbeat_at", RTK_STORE_TIMESTAMP, 0, RTK_STORE_REQUIRED, NULL),
};

/* placements: which node runs a meeting's live session, until when
 * (the lease its node renews); listed by node, deleted by their node only
 * (the scope). */
static const rtk_store_column placement_columns[] = {
	ID_COLUMN("meeting_id"),
	COLUMN("node_id", RTK_STORE_TEXT, 0, RTK_STORE_REQUIRED, NULL),
	COLUMN("lease_until", RTK_STORE_TIMESTAMP, 0, RTK_STORE_REQUIRED, NULL),
};

const rtk_store_resource rtk_store_resources[RTK_STORE_TABLES] = {
	[RTK_STORE_META] = {
		.name = "meta", .table = "meta", COLUMNS(meta_columns), .keys = { "key" },
	},
	[RTK_STORE_MEETINGS] = {
		.name = "meeting", .table = "meetings", COLUMNS(meeting_columns), .keys = { "id" },
		.order = "seq", .newest_first = true, .counted = true,
		.filters = { "parent_meeting_id", "status" },
		.searched = { "title", "id" }, .ranged = "created_at",
		.stamped_at_create = created_and_updated,
		.stamped_at_update = "updated_at",
	},
	[RTK_STORE_PRESETS] = {
		.name = "preset", .table = "presets", COLUMNS(preset_columns), .keys = { "id", "name" },
		.order = "seq",
		.stamped_at_create = created_and_updated,
		.stamped_at_update = "updated_at",
	},
	[RTK_STORE_PARTICIPANTS] = {
		.name = "participant", .table = "participants", COLUMNS(participant_columns),
		.keys = { "id" }, .scope = "meeting_id",
		.order = "seq", .filters = { "meeting_id" },
		.stamped_at_create = created_and_updated,
		.stamped_at_update = "updated_at",
	},
	[RTK_STORE_TOKENS] = {
		.name = "token generation", .table = "participant_tokens", COLUMNS(token_columns),
		.keys = { "participant_id" },
	},
	[RTK_STORE_RECORDINGS] = {
		.name = "recording", .table = "recordings", COLUMNS(recording_columns), .keys = { "id" },
		.order = "seq", .newest_first = true, .filters = { "meeting_id", "status" },
		.counted = true, .counted_by = "status",
		.stamped_at_create = recording_stamps,
	},
	[RTK_STORE_LIVESTREAMS] = {
		.name = "livestream", .table = "livestreams", COLUMNS(livestream_columns), .keys = { "id" },
		.order = "seq", .newest_first = true, .filters = { "meeting_id", "status" },
		.counted = true, .counted_by = "status",
		.stamped_at_create = created_and_updated, .stamped_at_update = "updated_at",
	},
	[RTK_STORE_WEBHOOKS] = {
		.name = "webhook", .table = "webhooks", COLUMNS(webhook_columns), .keys = { "id" },
		.order = "seq", .filters = { "enabled" },
		.stamped_at_create = created_and_updated,
		.stamped_at_update = "updated_at",
	},
	[RTK_STORE_CHAT] = {
		.name = "chat message", .table = "chat_messages", COLUMNS(chat_columns), .keys = { "id" },
		.order = "seq", .filters = { "session_id" },
		.search_index = "chat_search", .purgeable = true,
	},
	[RTK_STORE_SESSIONS] = {
		.name = "session", .table = "sessions", COLUMNS(session_columns), .keys = { "id" },
		.order = "seq", .newest_first = true, .filters = { "meeting_id", "status" },
		.counted = true, .counted_by = "status",
		.stamped_at_create = session_stamps, .stamped_at_update = "updated_at",
		.ranged = "created_at",
	},
	[RTK_STORE_SESSION_PARTICIPANTS] = {
		.name = "session participant", .table = "session_participants",
		COLUMNS(session_participant_columns), .keys = { "id" }, .scope = "session_id",
		.order = "seq", .filters = { "session_id" },
		.stamped_at_create = session_stamps, .stamped_at_update = "updated_at",
	},
	[RTK_STORE_PLUGINS] = {
		.name = "plugin", .table = "plugins", COLUMNS(plugin_columns), .keys = { "id" },
		.order = "seq",
		.stamped_at_create = created_and_updated,
		.stamped_at_update = "updated_at",
	},
	[RTK_STORE_NODES] = {
		.name = "node", .table = "nodes", COLUMNS(node_columns), .keys = { "id" },
		.order = "seq",
	},
	[RTK_STORE_PLACEMENTS] = {
		.name = "placement", .table = "placements", COLUMNS(placement_columns),
		.keys = { "meeting_id" }, .scope = "node_id",
		.order = "seq", .filters = { "node_id" },
	},
};

int rtk_store_n_filters(const rtk_store_resource *r)
{
	int n = 0;
	while (n < RTK_STORE_MAX_FILTERS && r->filters[n])
		n++;
	return n;
}

int rtk_store_column_written(const rtk_store_column *col)
{
	return col->through.table == NULL;
}

void rtk_store_sql_select(GString *q, const rtk_store_resource *r)
{
	const rtk_store_column *doc = rtk_store_document_column(r);
	g_string_append(q, "SELECT ");
	int first = 1;
	for (int i = 0; i < r->n_columns; i++) {
		const rtk_store_column *col = &r->columns[i];
		if (doc && col != doc)
			continue;
		if (!first)
			g_string_append(q, ", ");
		first = 0;
		if (rtk_store_column_written(col))
			g_string_append_printf(q, "%s.%s", r->table, col->column);
		else
			g_string_append_printf(q, "j%d.%s", i, col->column);
	}
	g_string_append_printf(q, " FROM %s", r->table);
	for (int i = 0; i < r->n_columns && !doc; i++) {
		const rtk_store_through *t = &r->columns[i].through;
		if (t->table)
			g_string_append_printf(q, " LEFT JOIN %s j%d ON j%d.%s = %s.%s",
				t->table, i, i, t->key, r->table, t->via);
	}
}

const rtk_store_column *rtk_store_document_column(const rtk_store_resource *r)
{
	for (int i = 0; i < r->n_columns; i++)
		if (r->columns[i].type == RTK_STORE_DOCUMENT)
			return &r->columns[i];
	return NULL;
}
