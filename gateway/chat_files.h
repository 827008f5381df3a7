/*
 * chat_files.h - the images and files participants send in the chat
 * (docs/rest.md, "Chat files"): uploaded over HTTP with the participant's
 * token, kept under <data_dir>/chat-files/<meeting_id>/, and downloaded
 * only by participants of that meeting who may see a message carrying
 * them.
 *
 * On disk, per upload: <file_id> holds the bytes and <file_id>.json its
 * description {"id", "name", "size", "type", "user_id", "created_at"}
 * (type: the Content-Type it was uploaded with). The description is
 * written last: an upload without one does not exist.
 */
#ifndef RTK_CHAT_FILES_H
#define RTK_CHAT_FILES_H

#include <jansson.h>

#define RTK_CHAT_FILES_DIR "chat-files"

/* The description of upload `file_id` of `meeting_id` under `files_dir`
 * (<data_dir>/chat-files), a NEW object, or NULL when there is none (or an
 * id is not UUID-shaped). */
json_t *rtk_chat_files_get(const char *files_dir, const char *meeting_id, const char *file_id);

/* The URL participants download an upload from (malloc'd):
 * <base_url>/v2/chat-files/<meeting_id>/<file_id>. */
char *rtk_chat_files_link(const char *base_url, const char *meeting_id, const char *file_id);

#endif
