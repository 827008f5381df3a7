/*
 * static_path.h - which file of the web client directory (RTK_WEB_DIR) a
 * request names, with no I/O: the URL routes, the path sanitizer, the MIME
 * table and the ETag rules of static.c.
 *
 * Kept apart from static.c (libmicrohttpd, the file system) so that the
 * unit test and the libFuzzer target exercise exactly the code that decides
 * what may be opened.
 *
 * Routes (docs/rest.md, "Web client files"):
 *   /                  demo/index.html          the demo meeting page
 *   /viewer, /viewer/  viewer/index.html        the livestream viewer page
 *   /sdk/<path>        <path>                   the SDK, its .d.ts, the pages' files
 *   /sdk/<dir>/        <dir>/index.html         a directory only with a final '/'
 *   /sdk/vendor/hls.js/<file>                   node_modules/hls.js/dist/<file>
 *   /sdk/server.json   (no file)                where the SDK finds the Janus
 *                                               WebSocket, built from the settings
 *   /favicon.ico       nothing (404): answered here so a browser opening a
 *                      page never meets the REST API's 401 and its login box
 * The pages at / and /viewer are served under those URLs, so they must name
 * their files with absolute /sdk/... URLs (a relative one would resolve
 * against / instead of their directory).
 *
 * What the sanitizer refuses, before anything touches the disk:
 *   400: a bad or truncated percent escape, an escaped or raw NUL or other
 *        control byte, a backslash, a "." or ".." segment (raw or escaped),
 *        an empty segment ("//"), a path longer than RTK_STATIC_PATH_MAX;
 *   404: a segment starting with '.' (.git, .rtk-package-lock.json), the
 *        node_modules directory itself (only the vendor route reaches it),
 *        /sdk without a slash, an unknown vendor package.
 * A valid result is relative (no leading '/'), has no "." or ".." segment
 * and no NUL; static.c still opens it so that a symbolic link cannot lead
 * out of the web directory.
 */
#ifndef RTK_STATIC_PATH_H
#define RTK_STATIC_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest decoded path accepted, in bytes. */
#define RTK_STATIC_PATH_MAX 1024
/* Room for rtk_static_etag()'s output, NUL included. */
#define RTK_STATIC_ETAG_SIZE 64

typedef struct rtk_static_target {
	int status;             /* 0: serve `path`; else 400 or 404, said by `message` */
	const char *message;    /* static text ending in '\n' when status != 0 */
	char *path;             /* malloc'd when status == 0: relative to the web directory */
	bool cors;              /* under /sdk/: any origin may load it (and preflight) */
	bool page;              /* / or /viewer: a page, not a file of /sdk/ */
	bool server_info;       /* /sdk/server.json: static.c's generated document, no file (path NULL) */
} rtk_static_target;

/* Is this raw request target (path and query, as received) one of the
 * static routes? Everything else goes to the REST API (or /hls/). */
bool rtk_static_owns(const char *uri);

/* Resolves a raw request target the routes own into a path or a refusal.
 * The query and fragment are ignored. *out is always filled; release it
 * with rtk_static_target_clear(). */
void rtk_static_resolve(const char *uri, rtk_static_target *out);
void rtk_static_target_clear(rtk_static_target *target);

/* The Content-Type for a file name, by its extension (case-insensitive);
 * application/octet-stream when unknown. Static strings. */
const char *rtk_static_mime(const char *path);

/* A strong ETag (with its quotes) from what changes when the file does:
 * its size, modification time (ns) and inode. */
void rtk_static_etag(char out[RTK_STATIC_ETAG_SIZE], uint64_t size, int64_t mtime_ns, uint64_t inode);

/* Does an If-None-Match header value (a list of entity tags, or "*")
 * match `etag`? Weak comparison (RFC 9110, 13.1.2): a W/ prefix on either
 * side is ignored. A malformed list matches nothing. */
bool rtk_static_etag_matches(const char *if_none_match, const char *etag);

#endif
