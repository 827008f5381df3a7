/*
 * chat_files.h - the images and files participants send in the chat
 * (docs/rest.md, "Chat files"): uploaded over HTTP with the participant's
 * token, kept under <data_dir>/chat-files/<meeting_id>/, and downloaded
 * only by participants of that meeting who may see a message carrying
 * them.
 *
 * On disk, per upload: <file_id> holds the bytes and <file_id>.json its
 * description {"id", "name", "size", "type", "user_id", "created_at"}
 * (type: the media type it was uploaded with, lower case, without
 * parameters). The description is written last: an upload without one
 * does not exist. While it arrives, the body is <file_id>.part in the same
 * directory (written as it comes, never held in memory), renamed to
 * <file_id> once complete and synced; an upload that fails or is refused
 * midway removes it.
 *
 * Owns that layout, the checks on an upload's name and type, and the
 * Content-Disposition a download gets. Who may upload or download is
 * rest_chat_files.c's.
 */
#ifndef RTK_CHAT_FILES_H
#define RTK_CHAT_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#define RTK_CHAT_FILES_DIR "chat-files"
/* Longest file name, in bytes (as the chat's RTK_CHAT_NAME_MAX). */
#define RTK_CHAT_FILES_NAME_MAX 255
/* Settings chat_file_max_bytes and chat_file_types when not given. */
#define RTK_CHAT_FILES_DEFAULT_MAX_BYTES (10ULL * 1024 * 1024)
#define RTK_CHAT_FILES_DEFAULT_TYPES \
	"image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain,application/zip"

/* The description of upload `file_id` of `meeting_id` under `files_dir`
 * (<data_dir>/chat-files), a NEW object, or NULL when there is none (or an
 * id is not UUID-shaped). */
json_t *rtk_chat_files_get(const char *files_dir, const char *meeting_id, const char *file_id);

/* The URL participants download an upload from (malloc'd):
 * <base_url>/v2/chat-files/<meeting_id>/<file_id>. */
char *rtk_chat_files_link(const char *base_url, const char *meeting_id, const char *file_id);

/* Where upload `file_id`'s bytes are (g_malloc'd; no check that it exists). */
char *rtk_chat_files_path(const char *files_dir, const char *meeting_id, const char *file_id);

/* Removes upload `file_id` of `meeting_id` (its description first, so it
 * stops existing at once, then its bytes). False when an id is not
 * UUID-shaped or a file could not be removed (absent ones are fine). */
bool rtk_chat_files_remove(const char *files_dir, const char *meeting_id, const char *file_id);

/* ---- Checks ---- */

/* May an upload be called `name`: 1..RTK_CHAT_FILES_NAME_MAX bytes of
 * valid UTF-8 without '/' or control characters (a C string has no NUL). */
bool rtk_chat_files_name_ok(const char *name);

/* The media type of a Content-Type value, lower case, without parameters
 * or spaces ("Image/PNG; q=1" gives "image/png"), g_malloc'd; NULL when it
 * is not type/subtype made of RFC 9110 token characters. */
char *rtk_chat_files_type_of(const char *content_type);

/* Does `allowed` admit `type` (as rtk_chat_files_type_of() gives it)?
 * `allowed` is a comma-separated list of media types ("image/png") and of
 * prefixes ending in '/' ("image/"), compared case-insensitively, spaces
 * around items ignored; NULL or "" reads as RTK_CHAT_FILES_DEFAULT_TYPES. */
bool rtk_chat_files_type_allowed(const char *allowed, const char *type);

/* The Content-Disposition of a download (g_malloc'd): "inline" for images
 * a browser shows as pictures (an image/... type but SVG, which can run scripts),
 * "attachment" otherwise, with filename="..." (ASCII: other characters,
 * quotes, backslashes and control characters become '_') and
 * filename*=UTF-8''...
 * (RFC 8187 percent-encoding of the whole name). */
char *rtk_chat_files_disposition(const char *name, const char *type);

/* ---- Writing an upload ---- */

typedef struct rtk_chat_upload rtk_chat_upload;

typedef enum rtk_chat_upload_state {
	RTK_CHAT_UPLOAD_WRITING = 0,
	RTK_CHAT_UPLOAD_TOO_LARGE,   /* passed its limit: its bytes are gone, the rest is ignored */
	RTK_CHAT_UPLOAD_FAILED       /* the disk refused (full, I/O error): its bytes are gone */
} rtk_chat_upload_state;

/* Starts the upload of a file called `name` (refused unless
 * rtk_chat_files_name_ok()) of media type `type` (as the caller checked
 * it) by participant `user_id` into <files_dir>/<meeting_id>/ (created,
 * 0700), with a new file id, at most `max_bytes` long. NULL + *error
 * (g_free()) when refused or when the directory or the file cannot be
 * created. */
rtk_chat_upload *rtk_chat_upload_begin(const char *files_dir, const char *meeting_id, const char *user_id,
	const char *name, const char *type, unsigned long long max_bytes, char **error);

/* Writes the next `len` bytes. Past the limit or on a write error the
 * partial file is removed at once and the upload stays in the state
 * returned; later calls do nothing. */
rtk_chat_upload_state rtk_chat_upload_append(rtk_chat_upload *upload, const void *data, size_t len);

rtk_chat_upload_state rtk_chat_upload_state_of(const rtk_chat_upload *upload);
const char *rtk_chat_upload_id(const rtk_chat_upload *upload);
const char *rtk_chat_upload_meeting(const rtk_chat_upload *upload);
unsigned long long rtk_chat_upload_max(const rtk_chat_upload *upload);

/* Completes an upload in state WRITING: syncs the bytes, renames them to
 * <file_id>, writes <file_id>.json (temp file, sync, rename, sync of the
 * directory). Returns the description (NEW), or NULL + *error (g_free())
 * after removing what was written. Blocks on the disk: not for an HTTP
 * worker thread. */
json_t *rtk_chat_upload_commit(rtk_chat_upload *upload, char **error);

/* Frees the upload; one not committed leaves nothing on disk. */
void rtk_chat_upload_free(rtk_chat_upload *upload);

#endif
