/*
 * chat_files.c - chat uploads on disk (chat_files.h).
 */
#include "chat_files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <glib.h>

#include "rest_internal.h"
#include "util.h"

struct rtk_chat_upload {
	char *files_dir;        /* <data_dir>/chat-files */
	char *dir;              /* <files_dir>/<meeting_id> */
	char *meeting_id;
	char *id;               /* the new file id (UUID) */
	char *part_path;        /* <dir>/<id>.part while being written */
	char *name;
	char *type;
	char *user_id;
	int fd;                 /* of part_path; -1 once closed */
	unsigned long long size;
	unsigned long long max_bytes;
	rtk_chat_upload_state state;
	bool committed;         /* the upload exists: nothing to remove */
};

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

char *rtk_chat_files_path(const char *files_dir, const char *meeting_id, const char *file_id)
{
	return g_build_filename(files_dir, meeting_id, file_id, NULL);
}

bool rtk_chat_files_remove(const char *files_dir, const char *meeting_id, const char *file_id)
{
	if (!files_dir || !rtk_rest_is_uuid(meeting_id) || !rtk_rest_is_uuid(file_id))
		return false;
	char *bytes = rtk_chat_files_path(files_dir, meeting_id, file_id);
	char *description = g_strdup_printf("%s.json", bytes);
	bool ok = (unlink(description) == 0 || errno == ENOENT) && (unlink(bytes) == 0 || errno == ENOENT);
	g_free(description);
	g_free(bytes);
	return ok;
}

/* ---- Checks ---- */

bool rtk_chat_files_name_ok(const char *name)
{
	size_t len = name ? strlen(name) : 0;
	if (len == 0 || len > RTK_CHAT_FILES_NAME_MAX || !g_utf8_validate(name, (gssize)len, NULL))
		return false;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p == '/' || *p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

/* RFC 9110 tchar. */
static bool chat_files_tchar(unsigned char c)
{
	return g_ascii_isalnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

char *rtk_chat_files_type_of(const char *content_type)
{
	if (content_type == NULL)
		return NULL;
	const char *p = content_type;
	while (*p == ' ' || *p == '\t')
		p++;
	const char *start = p;
	size_t slash = 0;
	for (; *p && *p != ';' && *p != ' ' && *p != '\t'; p++) {
		if (*p == '/' && slash == 0 && p != start)
			slash = (size_t)(p - start);
		else if (!chat_files_tchar((unsigned char)*p))
			return NULL;
	}
	size_t len = (size_t)(p - start);
	if (slash == 0 || slash + 1 >= len)
		return NULL;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '\0' && *p != ';')
		return NULL;
	return g_ascii_strdown(start, (gssize)len);
}

bool rtk_chat_files_type_allowed(const char *allowed, const char *type)
{
	if (type == NULL)
		return false;
	if (allowed == NULL || *allowed == '\0')
		allowed = RTK_CHAT_FILES_DEFAULT_TYPES;
	bool found = false;
	char **items = g_strsplit(allowed, ",", -1);
	for (char **item = items; *item && !found; item++) {
		char *entry = g_strstrip(*item);
		size_t n = strlen(entry);
		if (n == 0)
			continue;
		found = entry[n - 1] == '/' ? g_ascii_strncasecmp(type, entry, n) == 0 && type[n] != '\0' :
			g_ascii_strcasecmp(type, entry) == 0;
	}
	g_strfreev(items);
	return found;
}

/* RFC 8187 attr-char. */
static bool chat_files_attr_char(unsigned char c)
{
	return g_ascii_isalnum(c) || (c != '\0' && strchr("!#$&+-.^_`|~", c) != NULL);
}

char *rtk_chat_files_disposition(const char *name, const char *type)
{
	bool inline_image = type && g_str_has_prefix(type, "image/") && strcmp(type, "image/svg+xml") != 0;
	GString *out = g_string_new(inline_image ? "inline" : "attachment");
	if (name == NULL || *name == '\0')
		return g_string_free(out, FALSE);
	g_string_append(out, "; filename=\"");
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if ((*p & 0xC0) == 0x80)
			continue;   /* the rest of a character already replaced */
		g_string_append_c(out, *p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\' ? '_' : (char)*p);
	}
	g_string_append(out, "\"; filename*=UTF-8''");
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (chat_files_attr_char(*p))
			g_string_append_c(out, (char)*p);
		else
			g_string_append_printf(out, "%%%02X", *p);
	}
	return g_string_free(out, FALSE);
}

/* ---- Writing an upload ---- */

/* fsync of a directory, so a rename or a new entry in it is durable. */
static int chat_files_sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	int e = errno;
	close(fd);
	errno = e;
	return rc;
}

rtk_chat_upload *rtk_chat_upload_begin(const char *files_dir, const char *meeting_id, const char *user_id,
	const char *name, const char *type, unsigned long long max_bytes, char **error)
{
	if (!files_dir || !rtk_rest_is_uuid(meeting_id) || !user_id || !rtk_chat_files_name_ok(name) || !type) {
		*error = g_strdup("uploads are not set up for this request");
		return NULL;
	}
	rtk_chat_upload *u = g_new0(rtk_chat_upload, 1);
	u->fd = -1;
	u->files_dir = g_strdup(files_dir);
	u->dir = g_build_filename(files_dir, meeting_id, NULL);
	u->meeting_id = g_strdup(meeting_id);
	u->name = g_strdup(name);
	u->type = g_strdup(type);
	u->user_id = g_strdup(user_id);
	u->max_bytes = max_bytes;
	char *id = rtk_util_uuid4();
	u->id = g_strdup(id);
	free(id);
	if (u->id == NULL) {
		*error = g_strdup("cannot make a file id: out of entropy");
		rtk_chat_upload_free(u);
		return NULL;
	}
	char *part = g_strdup_printf("%s.part", u->id);
	u->part_path = g_build_filename(u->dir, part, NULL);
	g_free(part);
	if (rtk_util_mkdir_p(u->dir, 0700) != 0 ||
			(u->fd = open(u->part_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		*error = g_strdup_printf("cannot create %s: %s", u->part_path, strerror(errno));
		rtk_chat_upload_free(u);
		return NULL;
	}
	return u;
}

/* Closes and removes the partial file: the upload will not complete. */
static void chat_upload_discard(rtk_chat_upload *u, rtk_chat_upload_state state)
{
	u->state = state;
	if (u->fd >= 0) {
		close(u->fd);
		u->fd = -1;
	}
	if (u->part_path)
		unlink(u->part_path);
}

rtk_chat_upload_state rtk_chat_upload_append(rtk_chat_upload *u, const void *data, size_t len)
{
	if (u->state != RTK_CHAT_UPLOAD_WRITING)
		return u->state;
	if (len > u->max_bytes - u->size) {
		chat_upload_discard(u, RTK_CHAT_UPLOAD_TOO_LARGE);
		return u->state;
	}
	const char *p = data;
	size_t left = len;
	while (left > 0) {
		ssize_t n = write(u->fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			g_warning("rtk chat files: cannot write %s: %s", u->part_path, n < 0 ? strerror(errno) : "no progress");
			chat_upload_discard(u, RTK_CHAT_UPLOAD_FAILED);
			return u->state;
		}
		p += n;
		left -= (size_t)n;
	}
	u->size += len;
	return u->state;
}

rtk_chat_upload_state rtk_chat_upload_state_of(const rtk_chat_upload *u)
{
	return u->state;
}

const char *rtk_chat_upload_id(const rtk_chat_upload *u)
{
	return u->id;
}

const char *rtk_chat_upload_meeting(const rtk_chat_upload *u)
{
	return u->meeting_id;
}

unsigned long long rtk_chat_upload_max(const rtk_chat_upload *u)
{
	return u->max_bytes;
}

json_t *rtk_chat_upload_commit(rtk_chat_upload *u, char **error)
{
	if (u->state != RTK_CHAT_UPLOAD_WRITING || u->fd < 0) {
		*error = g_strdup("the upload did not complete");
		return NULL;
	}
	char *bytes_path = rtk_chat_files_path(u->files_dir, u->meeting_id, u->id);
	char *json_name = g_strdup_printf("%s.json", u->id);
	char *json_path = g_build_filename(u->dir, json_name, NULL);
	g_free(json_name);
	char *created_at = rtk_util_now_iso8601();
	json_t *meta = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s?}", "id", u->id, "name", u->name,
		"size", (json_int_t)u->size, "type", u->type, "user_id", u->user_id, "created_at", created_at);
	free(created_at);
	char *text = meta ? json_dumps(meta, JSON_COMPACT) : NULL;

	int fd = u->fd;
	u->fd = -1;
	const char *step = "sync";
	bool ok = fsync(fd) == 0;
	if (close(fd) != 0 && ok) {
		ok = false;
		step = "close";
	}
	if (ok && rename(u->part_path, bytes_path) != 0) {
		ok = false;
		step = "rename";
	}
	/* The description last, after the bytes' rename: it syncs the
	 * meeting's directory, which makes both durable; then the directory's
	 * own entry, which rtk_chat_upload_begin() may have made. */
	if (ok && (text == NULL || rtk_util_write_file_atomic(json_path, text, strlen(text), 0600) != 0)) {
		ok = false;
		step = "write the description of";
	}
	if (ok && chat_files_sync_dir(u->files_dir) != 0) {
		ok = false;
		step = "sync the directory of";
	}
	if (!ok) {
		*error = g_strdup_printf("cannot %s upload %s: %s", step, u->id, strerror(errno));
		unlink(u->part_path);
		unlink(bytes_path);
		unlink(json_path);
		json_decref(meta);
		meta = NULL;
		u->state = RTK_CHAT_UPLOAD_FAILED;
	} else {
		u->committed = true;
	}
	free(text);
	g_free(bytes_path);
	g_free(json_path);
	return meta;
}

void rtk_chat_upload_free(rtk_chat_upload *u)
{
	if (u == NULL)
		return;
	if (!u->committed)
		chat_upload_discard(u, u->state);
	g_free(u->files_dir);
	g_free(u->dir);
	g_free(u->meeting_id);
	g_free(u->id);
	g_free(u->part_path);
	g_free(u->name);
	g_free(u->type);
	g_free(u->user_id);
	g_free(u);
}
