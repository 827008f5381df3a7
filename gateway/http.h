/*
 * http.h - the libmicrohttpd front of the REST API.
 *
 * Owns the listening socket and per-connection request assembly (headers,
 * raw URI with its query, body up to RTK_REST_MAX_BODY; larger bodies get
 * 413 without being buffered), then hands a complete rtk_rest_request to
 * rtk_rest_dispatch(). One thread per connection is not used: MHD's internal
 * select thread with a small thread pool.
 */
#ifndef RTK_HTTP_H
#define RTK_HTTP_H

#include "rest.h"

typedef struct rtk_http rtk_http;

/* `ctx` is borrowed and must outlive the server. NULL + *error (free()) on
 * failure, e.g. the port is taken. */
rtk_http *rtk_http_start(const char *bind_address, int port, const rtk_rest_ctx *ctx, char **error);
void rtk_http_stop(rtk_http *http);

#endif
