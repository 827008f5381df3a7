/*
 * static.h - serves the web client's files over libmicrohttpd: the SDK under
 * /sdk/, the demo meeting page at /, the livestream viewer at /viewer, and
 * the npm packages they use under /sdk/vendor/ (static_path.h has the
 * routes and what the sanitizer refuses).
 *
 * Owns the wire and the file system side: methods (GET, HEAD; OPTIONS
 * preflight under /sdk/; others 405), headers (Content-Type from the MIME
 * table, ETag and If-None-Match -> 304, Cache-Control: no-cache because the
 * URLs carry no version, nosniff, Access-Control-Allow-Origin: * under
 * /sdk/ so a page on another origin can import the SDK), and opening the
 * file so that no symbolic link leads out of the web directory. Files are
 * sent from their descriptor (sendfile), never read into memory.
 *
 * No authentication: these files are public. http.c routes here before the
 * REST dispatch (rtk_static_owns()), and a static request never counts
 * towards the /hls/ connection budget.
 */
#ifndef RTK_STATIC_H
#define RTK_STATIC_H

#include <microhttpd.h>
#include "static_path.h"

/* Answers a request whose raw target rtk_static_owns() claimed, from the
 * files under `web_dir` (borrowed; NULL or "": nothing is served, 404). */
enum MHD_Result rtk_static_serve(const char *web_dir, struct MHD_Connection *con, const char *method,
	const char *uri);

/* One log line at start: where the files come from, or why none will be
 * served (the directory is missing). */
void rtk_static_announce(const char *web_dir);

#endif
