/*
 * chat_files.c - chat uploads on disk (chat_files.h).
 */
#include "chat_files.h"

#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "rest_internal.h"

json_t *rtk_chat_files_get(const char *files_dir, const char *meeting_id, const char *file_id)
{
	if (!files_dir || !rtk_rest_is_uuid(meeting_id) || !rtk_rest_is_uuid(file_id))
		return NULL;
	char *name = g_strdup_printf("%s.json", file_id);
	char *path = g_build_filename(files_dir, meeting_id, name, NULL);
	json_t *meta = json_load_file(path, 0, NULL);
	g_free(name);
	g_free(path);
	if (!json_is_object(meta) || g_strcmp0(json_string_value(json_object_get(meta, "id")), file_id) != 0) {
		json_decref(meta);
		return NULL;
	}
	return meta;
}

char *rtk_chat_files_link(const char *base_url, const char *meeting_id, const char *file_id)
{
	char *link = g_strdup_printf("%s/v2/chat-files/%s/%s", base_url ? base_url : "", meeting_id, file_id);
	char *out = strdup(link);
	g_free(link);
	return out;
}
