/*
 * track_config.c - per-track recordings' request, file names and track
 * list (track_config.h).
 */
#include "track_config.h"

#include <string.h>

static const char *const track_kind_names[RTK_TRACK_KINDS] = { "audio", "video", "screenshare", "screenshare_audio" };

const char *rtk_track_kind_name(rtk_track_kind kind) {
	return kind >= 0 && kind < RTK_TRACK_KINDS ? track_kind_names[kind] : "audio";
}

void rtk_track_config_init(rtk_track_config *config) {
	memset(config, 0, sizeof *config);
	for(int k = 0; k < RTK_TRACK_KINDS; k++)
		config->record[k] = TRUE;
}

void rtk_track_config_clear(rtk_track_config *config) {
	if(config->user_ids != NULL)
		g_ptr_array_free(config->user_ids, TRUE);
	config->user_ids = NULL;
}

static gboolean track_fail(rtk_refusal *why, const char *message) {
	rtk_refusal_set(why, RTK_ERR_RECORDING_CONFIG, "%s", message);
	return FALSE;
}

/* 1..63 of A-Z a-z 0-9 - _ . not starting with a dot (as composite recordings' file_name_prefix). */
static gboolean track_prefix_ok(const char *s) {
	if(s[0] == '\0' || s[0] == '.' || strlen(s) >= 64)
		return FALSE;
	for(const char *p = s; *p; p++)
		if(!g_ascii_isalnum(*p) && *p != '-' && *p != '_' && *p != '.')
			return FALSE;
	return TRUE;
}

/* outputs: [{type: REALTIMEKIT_BUCKET | DYTE_BUCKET}] (STORAGE_CONFIG refused). */
static gboolean track_outputs(const json_t *outputs, rtk_refusal *why) {
	if(outputs == NULL || json_is_null(outputs))
		return TRUE;
	if(!json_is_array(outputs))
		return track_fail(why, "layers.<name>.outputs must be an array");
	size_t i;
	const json_t *o;
	json_array_foreach(outputs, i, o) {
		const json_t *type = json_is_object(o) ? json_object_get(o, "type") : NULL;
		const char *t = type == NULL || json_is_null(type) ? "REALTIMEKIT_BUCKET" : json_string_value(type);
		if(!json_is_object(o) || t == NULL)
			return track_fail(why, "layers.<name>.outputs[] must be objects {type}");
		if(!strcmp(t, "STORAGE_CONFIG"))
			return track_fail(why, "layers.<name>.outputs[].type STORAGE_CONFIG is not supported for track "
				"recordings: their files stay on this server (REALTIMEKIT_BUCKET) and are downloaded over REST");
		if(strcmp(t, "REALTIMEKIT_BUCKET") && strcmp(t, "DYTE_BUCKET"))
			return track_fail(why, "layers.<name>.outputs[].type must be \"REALTIMEKIT_BUCKET\" (or \"DYTE_BUCKET\")");
	}
	return TRUE;
}

/* One layer {file_name_prefix, outputs} for the kinds it names. */
static gboolean track_layer(const char *name, const json_t *layer, rtk_track_config *c, gboolean *given,
		rtk_refusal *why) {
	static const struct { const char *name; int kinds[2]; } layers[] = {
		{ "audio", { RTK_TRACK_AUDIO, -1 } },
		{ "video", { RTK_TRACK_VIDEO, -1 } },
		{ "screenshare", { RTK_TRACK_SCREENSHARE, RTK_TRACK_SCREENSHARE_AUDIO } },
	};
	gboolean all = !strcmp(name, "default");
	int which = -1;
	for(int i = 0; i < (int)G_N_ELEMENTS(layers); i++)
		if(!strcmp(name, layers[i].name))
			which = i;
	if(!all && which < 0)
		return track_fail(why, "layers: a layer's name must be \"default\", \"audio\", \"video\" or \"screenshare\"");
	if(layer != NULL && !json_is_null(layer) && !json_is_object(layer))
		return track_fail(why, "layers.<name> must be an object {file_name_prefix, outputs}");
	const json_t *prefix = json_object_get(layer, "file_name_prefix");
	if(prefix != NULL && !json_is_null(prefix) && (!json_is_string(prefix) || !track_prefix_ok(json_string_value(prefix))))
		return track_fail(why, "layers.<name>.file_name_prefix must be under 64 characters of A-Z a-z 0-9 - _ . "
			"(not starting with .)");
	if(!track_outputs(json_object_get(layer, "outputs"), why))
		return FALSE;
	const char *p = json_is_string(prefix) ? json_string_value(prefix) : "";
	for(int k = 0; k < RTK_TRACK_KINDS; k++) {
		gboolean mine = all || layers[which].kinds[0] == k || layers[which].kinds[1] == k;
		if(!mine)
			continue;
		if(all && given[k])
			continue;   /* the kind's own layer wins */
		given[k] = !all || given[k];
		c->record[k] = TRUE;
		g_strlcpy(c->prefix[k], p, sizeof c->prefix[k]);
	}
	return TRUE;
}

static gboolean track_layers(const json_t *layers, rtk_track_config *c, rtk_refusal *why) {
	if(layers == NULL || json_is_null(layers))
		return TRUE;
	if(!json_is_object(layers) || json_object_size(layers) == 0)
		return track_fail(why, "layers must be an object with at least one layer (\"default\", \"audio\", \"video\", "
			"\"screenshare\")");
	gboolean given[RTK_TRACK_KINDS] = { FALSE };
	rtk_track_config next = *c;
	for(int k = 0; k < RTK_TRACK_KINDS; k++) {
		next.record[k] = FALSE;
		next.prefix[k][0] = '\0';
	}
	/* the kinds' own layers first, so that "default" only fills the rest */
	for(int pass = 0; pass < 2; pass++) {
		const char *name;
		const json_t *layer;
		json_object_foreach((json_t *)layers, name, layer) {
			if((pass == 0) == !strcmp(name, "default"))
				continue;
			if(!track_layer(name, layer, &next, given, why))
				return FALSE;
		}
	}
	memcpy(c->record, next.record, sizeof c->record);
	memcpy(c->prefix, next.prefix, sizeof c->prefix);
	return TRUE;
}

static gboolean track_user_ids(const json_t *ids, rtk_track_config *c, rtk_refusal *why) {
	if(ids == NULL || json_is_null(ids))
		return TRUE;
	if(!json_is_array(ids) || json_array_size(ids) < 1 || json_array_size(ids) > RTK_TRACK_USER_IDS_MAX)
		return track_fail(why, "user_ids must be an array of 1..100 participant ids (or custom participant ids)");
	GPtrArray *list = g_ptr_array_new_with_free_func(g_free);
	size_t i;
	const json_t *id;
	json_array_foreach(ids, i, id) {
		if(!json_is_string(id) || json_string_length(id) == 0 || json_string_length(id) > 255 ||
				strlen(json_string_value(id)) != json_string_length(id)) {
			g_ptr_array_free(list, TRUE);
			return track_fail(why, "user_ids[] must be non-empty strings under 256 characters");
		}
		g_ptr_array_add(list, g_strdup(json_string_value(id)));
	}
	rtk_track_config_clear(c);
	c->user_ids = list;
	return TRUE;
}

/* max_seconds: an integer, or (Dyte's schema) a string of digits, 1..86400. */
static gboolean track_max_seconds(const json_t *max, rtk_track_config *c, rtk_refusal *why) {
	if(max == NULL || json_is_null(max))
		return TRUE;
	gint64 v = -1;
	if(json_is_integer(max)) {
		v = json_integer_value(max);
	} else if(json_is_string(max)) {
		const char *s = json_string_value(max);
		char *end = NULL;
		gboolean digits = s[0] != '\0' && strlen(s) <= 6 && strspn(s, "0123456789") == strlen(s);
		v = digits ? g_ascii_strtoll(s, &end, 10) : -1;
	}
	if(v < 1 || v > 86400)
		return track_fail(why, "max_seconds must be an integer 1..86400");
	c->max_seconds = (int)v;
	return TRUE;
}

gboolean rtk_track_config_parse(const json_t *body, rtk_track_config *config, rtk_refusal *why) {
	if(body == NULL || json_is_null(body))
		return TRUE;
	if(!json_is_object(body))
		return track_fail(why, "the track recording request must be an object");
	return track_layers(json_object_get(body, "layers"), config, why) &&
		track_max_seconds(json_object_get(body, "max_seconds"), config, why) &&
		track_user_ids(json_object_get(body, "user_ids"), config, why);
}

gboolean rtk_track_config_records(const rtk_track_config *config, rtk_track_kind kind,
		const char *participant_id, const char *custom_participant_id) {
	if(kind < 0 || kind >= RTK_TRACK_KINDS || !config->record[kind])
		return FALSE;
	if(config->user_ids == NULL)
		return TRUE;
	for(guint i = 0; i < config->user_ids->len; i++) {
		const char *id = g_ptr_array_index(config->user_ids, i);
		if(!g_strcmp0(id, participant_id) || !g_strcmp0(id, custom_participant_id))
			return TRUE;
	}
	return FALSE;
}

/* ---- the track list ---- */

typedef struct track_entry {
	guint32 ssrc;
	gboolean open;
	json_t *doc;      /* owned: the REST object of the track */
	char *file;       /* owned */
} track_entry;

struct rtk_track_list {
	GPtrArray *entries;      /* track_entry* (owned) */
	GHashTable *counts;      /* "<participant>/<kind>" -> tracks so far (GINT) */
};

static void track_entry_free(gpointer p) {
	track_entry *e = p;
	json_decref(e->doc);
	g_free(e->file);
	g_free(e);
}

rtk_track_list *rtk_track_list_new(void) {
	rtk_track_list *list = g_new0(rtk_track_list, 1);
	list->entries = g_ptr_array_new_with_free_func(track_entry_free);
	list->counts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	return list;
}

void rtk_track_list_free(rtk_track_list *list) {
	if(list == NULL)
		return;
	g_ptr_array_free(list->entries, TRUE);
	g_hash_table_destroy(list->counts);
	g_free(list);
}

/* Who, in file name characters: the custom participant id when there is
 * one, else the participant id, with other characters (and a leading dot)
 * replaced by '-', at most 64 bytes. */
static char *track_who(const rtk_track_owner *who) {
	const char *id = who->custom_participant_id != NULL && who->custom_participant_id[0] ?
		who->custom_participant_id : who->participant_id != NULL && who->participant_id[0] ?
		who->participant_id : "participant";
	char *s = g_strndup(id, 64);
	for(char *p = s; *p; p++)
		if(!g_ascii_isalnum(*p) && *p != '-' && *p != '_' && (*p != '.' || p == s))
			*p = '-';
	return s;
}

const char *rtk_track_list_open(rtk_track_list *list, const rtk_track_config *config, const rtk_track_owner *who,
		rtk_track_kind kind, const char *codec, guint32 ssrc, const char *now) {
	char *name = track_who(who);
	char *key = g_strdup_printf("%s/%d", who->participant_id ? who->participant_id : "", (int)kind);
	int n = GPOINTER_TO_INT(g_hash_table_lookup(list->counts, key)) + 1;
	g_hash_table_insert(list->counts, key, GINT_TO_POINTER(n));
	const char *prefix = config->prefix[kind];
	track_entry *e = g_new0(track_entry, 1);
	e->ssrc = ssrc;
	e->open = TRUE;
	e->file = g_strdup_printf("%s%s%s_%s_%d.%s", prefix, prefix[0] ? "_" : "", name, rtk_track_kind_name(kind), n,
		!g_strcmp0(codec, "h264") ? "mp4" : "webm");
	g_free(name);
	char *upper = g_ascii_strup(codec ? codec : "", -1);
	e->doc = json_pack("{s:s?, s:s?, s:s?, s:s?, s:s, s:s, s:s, s:s?, s:n, s:n}",
		"participant_id", who->participant_id, "peer_id", who->peer_id,
		"custom_participant_id", who->custom_participant_id, "name", who->name,
		"kind", rtk_track_kind_name(kind), "codec", upper, "file_name", e->file, "started_time", now,
		"stopped_time", "file_size");
	g_free(upper);
	g_ptr_array_add(list->entries, e);
	return e->file;
}

static void track_entry_close(track_entry *e, const char *now) {
	if(!e->open)
		return;
	e->open = FALSE;
	json_object_set_new(e->doc, "stopped_time", now ? json_string(now) : json_null());
}

void rtk_track_list_close(rtk_track_list *list, guint32 ssrc, const char *now) {
	for(guint i = 0; i < list->entries->len; i++) {
		track_entry *e = g_ptr_array_index(list->entries, i);
		if(e->ssrc == ssrc && e->open)
			track_entry_close(e, now);
	}
}

void rtk_track_list_close_all(rtk_track_list *list, const char *now) {
	for(guint i = 0; i < list->entries->len; i++)
		track_entry_close(g_ptr_array_index(list->entries, i), now);
}

guint rtk_track_list_count(const rtk_track_list *list) {
	return list->entries->len;
}

const char *rtk_track_list_file(const rtk_track_list *list, guint i) {
	return i < list->entries->len ? ((track_entry *)g_ptr_array_index(list->entries, i))->file : NULL;
}

void rtk_track_list_set_size(rtk_track_list *list, guint i, gint64 bytes) {
	if(i < list->entries->len)
		json_object_set_new(((track_entry *)g_ptr_array_index(list->entries, i))->doc, "file_size",
			bytes >= 0 ? json_integer(bytes) : json_null());
}

json_t *rtk_track_list_json(const rtk_track_list *list, gboolean final) {
	json_t *tracks = json_array();
	for(guint i = 0; i < list->entries->len; i++) {
		const track_entry *e = g_ptr_array_index(list->entries, i);
		if(final && !json_is_integer(json_object_get(e->doc, "file_size")))
			continue;
		json_array_append_new(tracks, json_deep_copy(e->doc));
	}
	return tracks;
}
