/*
 * http.h - the libmicrohttpd front of the REST API and of LL-HLS serving.
 *
 * Owns the listening socket, who may hold its connections, and
 * per-connection request assembly (headers, raw URI with its query, body
 * up to RTK_REST_MAX_BODY; larger bodies get 413 without being buffered),
 * then hands a complete rtk_rest_request to rtk_rest_dispatch(), or a
 * /hls/ request to hls_http.c. Chat file uploads are not buffered: their
 * bodies stream to disk (rest_chat_files.c), up to chat_file_max_bytes. The threading model and the reasons for it
 * are in http.c's header comment.
 *
 * Connection limits (rtk_http_limits, docs/rest.md "Limits"): a total
 * cap, a cap per client address, a budget of connections that /hls/
 * players may hold so REST keeps room, a deadline for a request's headers
 * and an idle timeout; and a rate limit on REST requests per client
 * address (429 with Retry-After). Also serves /metrics and /healthz
 * (metrics.h) and counts every REST reply for them.
 *
 * TLS (RTK_TLS_CERT, RTK_TLS_KEY): given a certificate and key (tls.h),
 * the port speaks HTTPS and nothing else; a client speaking plain HTTP to
 * it fails its handshake and is closed.
 */
#ifndef RTK_HTTP_H
#define RTK_HTTP_H

#include "rest.h"
#include "tls.h"

#define RTK_HTTP_DEFAULT_MAX_CONNECTIONS 512
#define RTK_HTTP_DEFAULT_MAX_PER_ADDRESS 64
#define RTK_HTTP_DEFAULT_HEADER_TIMEOUT 10
#define RTK_HTTP_DEFAULT_IDLE_TIMEOUT 15
#define RTK_HTTP_DEFAULT_THREADS 4
/* The REST rate limit's defaults (docs/rest.md, "Rate limits"): what
 * ./rtk and the plugin use when unset; in rtk_http_limits 0 means off. */
#define RTK_HTTP_DEFAULT_RATE_LIMIT 200
#define RTK_HTTP_DEFAULT_RATE_LIMIT_BURST 2000

typedef struct rtk_http_limits {
	/* Open connections at once; past it new ones wait in the kernel's
	 * accept queue. 0: RTK_HTTP_DEFAULT_MAX_CONNECTIONS. */
	unsigned int max_connections;
	/* Open connections from one client address; more are closed as soon
	 * as they are accepted. 0: no limit (behind a reverse proxy, where
	 * every client has the proxy's address). */
	unsigned int max_per_address;
	/* Connections whose latest request is under /hls/ (parked blocking
	 * reloads and players' keep-alive connections). A /hls/ request on a
	 * connection past it is answered 503 and the connection closed, so REST
	 * always has max_connections - hls_max_connections. 0: three quarters
	 * of max_connections; more than max_connections reads as
	 * max_connections (no budget of its own). */
	unsigned int hls_max_connections;
	/* Seconds a request's headers may take to arrive complete, counted
	 * from the connection's opening or from the end of its previous
	 * request (so it bounds keep-alive idleness too), however slowly they
	 * trickle in; then the connection is closed. 0: the default. */
	unsigned int header_timeout_s;
	/* Seconds without a byte received or sent (a stalled body upload, a
	 * client that stopped reading) before the connection is closed; parked
	 * /hls/ requests are not idle. 0: the default. */
	unsigned int idle_timeout_s;
	/* Worker threads, each with its own epoll set; raised to one per 120
	 * connections of max_connections (http.c says why). 0: the default. */
	unsigned int threads;
	/* REST requests a second from one client address, refilled
	 * continuously into a bucket of rate_limit_burst (ratelimit.h); a
	 * request that finds the bucket empty gets 429 with Retry-After.
	 * /hls/, the web client's files, /metrics and /healthz are not
	 * counted. 0: no rate limit. rate_limit_burst 0: rate_limit. */
	unsigned int rate_limit;
	unsigned int rate_limit_burst;
} rtk_http_limits;

typedef struct rtk_http rtk_http;

/* `ctx` is borrowed and must outlive the server; `limits` is copied (NULL:
 * every default, RTK_HTTP_DEFAULT_MAX_PER_ADDRESS included). NULL + *error (free()) on failure, e.g. the port is
 * taken. */
rtk_http *rtk_http_start_with_limits(const char *bind_address, int port, const rtk_rest_ctx *ctx,
	const rtk_http_limits *limits, char **error);
/* rtk_http_start_with_limits() serving HTTPS with `tls` (borrowed: its
 * PEM text is copied; NULL: plain HTTP). Fails, rather than serve plain
 * HTTP, when libmicrohttpd cannot do TLS or refuses the pair. */
rtk_http *rtk_http_start_tls(const char *bind_address, int port, const rtk_rest_ctx *ctx,
	const rtk_http_limits *limits, const rtk_tls_pair *tls, char **error);
/* rtk_http_start_with_limits() with every default. */
rtk_http *rtk_http_start(const char *bind_address, int port, const rtk_rest_ctx *ctx, char **error);
void rtk_http_stop(rtk_http *http);

#endif
