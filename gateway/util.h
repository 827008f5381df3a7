/*
 * util.h - small helpers shared across the gateway: random ids and secrets,
 * timestamps, and the few file operations the data directory needs.
 *
 * Ownership: every returned `char *` is malloc'd; the caller frees it with
 * free(). NULL means failure (allocation, entropy, I/O), with errno set by
 * the file helpers.
 */
#ifndef RTK_UTIL_H
#define RTK_UTIL_H

#include <stddef.h>

/* Random UUID v4, lower case, 36 characters. */
/* Sets *error (when error is not NULL) to a malloc'd formatted message the
 * caller frees with free(): the error convention of every gateway start/open
 * function. */
void rtk_util_set_error(char **error, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

char *rtk_util_uuid4(void);

/* Current UTC time as "2026-11-22T00:39:42.123Z". */
char *rtk_util_now_iso8601(void);
/* The same for the time `seconds` from now (negative: before). */
char *rtk_util_iso8601_in(long seconds);

/* `nbytes` (1..4096) random bytes as 2 * nbytes lower-case hex digits. */
char *rtk_util_random_hex(size_t nbytes);

/* mkdir -p: creates `path` and missing parents with `mode`. 0, or -1 with
 * errno. An existing directory is success (its mode is left alone). */
int rtk_util_mkdir_p(const char *path, int mode);

/* Whole file, NUL-terminated (the NUL is not counted in *len, which may be
 * NULL). NULL with errno on failure. */
char *rtk_util_read_file(const char *path, size_t *len);

/* Replaces `path` atomically: writes `<path>.tmp` with `mode`, fsyncs it,
 * renames it over `path`, fsyncs the directory. 0, or -1 with errno. */
int rtk_util_write_file_atomic(const char *path, const char *data, size_t len, int mode);

#endif
