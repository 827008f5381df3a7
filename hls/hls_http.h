/*
 * hls_http.h - serves the LL-HLS model (hls.h) over libmicrohttpd: every
 * request under /hls/ that gateway/http.c routes here before the REST dispatch.
 *
 * Owns the wire side only: methods (GET, HEAD, OPTIONS preflight; others
 * 405), headers (Content-Type, Cache-Control, CORS on everything), sending
 * media files from disk, and parking blocked requests with
 * MHD_suspend_connection() until the model wakes them, so no HTTP worker
 * thread is held while a client waits. No authentication: the livestream
 * id in the URL is the capability. How many connections /hls/ may hold is
 * http.c's business; past its budget it answers rtk_hls_http_busy().
 *
 * The daemon must run with MHD_ALLOW_SUSPEND_RESUME, and
 * rtk_hls_stop_waiting() must be called before MHD_stop_daemon() (a
 * daemon must not be stopped with suspended connections).
 */
#ifndef RTK_HLS_HTTP_H
#define RTK_HLS_HTTP_H

#include <stdbool.h>
#include <microhttpd.h>
#include "hls.h"

/* Per-request state of one /hls/ request, kept by http.c in its own
 * per-connection record between the calls MHD makes. */
typedef struct rtk_hls_http_req rtk_hls_http_req;

/* Is this raw request target (path and query) one for /hls/? */
bool rtk_hls_http_owns(const char *uri);

/* Answers, or suspends, the request; call again with the same *state
 * when MHD calls the access handler again (after a resume). `hls` may be
 * NULL (no livestreams here: 404). *state is created on the first call
 * and freed by rtk_hls_http_req_free(). */
enum MHD_Result rtk_hls_http_serve(rtk_hls *hls, struct MHD_Connection *con, const char *method,
	const char *uri, rtk_hls_http_req **state);

/* The answer to a /hls/ request past the connection budget of http.c:
 * 503 with Retry-After, and the connection closes after it. */
enum MHD_Result rtk_hls_http_busy(struct MHD_Connection *con);

/* From MHD's completion callback; NULL is a no-op. */
void rtk_hls_http_req_free(rtk_hls_http_req *req);

#endif
