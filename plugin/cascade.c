/*
 * cascade.c - cascading a meeting across nodes (cascade.h): the module's
 * start and stop, and the sockets' helpers its two halves share
 * (cascade_internal.h). The owner's server is cascade_owner.c, the edges
 * cascade_edge.c; each says what it owns and how it locks.
 *
 * Locking, across both halves: meeting lock -> cascade_mutex (the edges'
 * table) -> edge->mutex -> a stream's subs_mutex; meeting lock -> out_mutex
 * (the owner's queues of lines for its edges). edge->send_mutex is a leaf.
 */
#include "cascade.h"

#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <debug.h>

#include "cascade_internal.h"

int rtk_cascade_port;

/* Sends all of `line` on a blocking socket (SO_SNDTIMEO bounds it). */
gboolean cascade_send_all(int fd, const char *line) {
	size_t len = strlen(line), sent = 0;
	while(sent < len) {
		ssize_t n = send(fd, line + sent, len - sent, MSG_NOSIGNAL);
		if(n < 0 && errno == EINTR)
			continue;
		if(n <= 0)
			return FALSE;
		sent += (size_t)n;
	}
	return TRUE;
}

void cascade_socket_timeouts(int fd) {
	struct timeval tv = { CASCADE_SEND_TIMEOUT_S, 0 };
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
}

/* Compares two secrets in a time that does not depend on where they differ. */
gboolean cascade_key_matches(const char *given, const char *expected) {
	if(given == NULL || expected == NULL || *expected == '\0')
		return FALSE;
	size_t a = strlen(given), b = strlen(expected);
	unsigned char diff = a != b;
	for(size_t i = 0; i < b; i++)
		diff |= (unsigned char)expected[i] ^ (unsigned char)(i < a ? given[i] : 0);
	return diff == 0;
}

void rtk_cascade_init(int port, const char *rest_url) {
	if(port <= 0 || port > 65535)
		return;
	GUri *uri = rest_url && *rest_url ? g_uri_parse(rest_url, G_URI_FLAGS_NONE, NULL) : NULL;
	char *bind_host = uri && g_uri_get_host(uri) ? g_strdup(g_uri_get_host(uri)) : NULL;
	if(uri != NULL)
		g_uri_unref(uri);
	cascade_edges_init();
	rtk_cascade_port = port;
	if(!cascade_server_start(port, bind_host))
		JANUS_LOG(LOG_ERR, "[rtk] cascade: cannot listen on %s:%d: this node cannot feed edges "
			"(it can still be one)\n", bind_host && *bind_host ? bind_host : "*", port);
	else
		JANUS_LOG(LOG_INFO, "[rtk] cascade: edges are fed from %s:%d\n", bind_host && *bind_host ? bind_host : "*",
			port);
	g_free(bind_host);
}

void rtk_cascade_destroy(void) {
	if(rtk_cascade_port == 0)
		return;
	cascade_server_stop();
	cascade_edges_stop();
	rtk_cascade_port = 0;
}
