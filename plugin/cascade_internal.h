/*
 * cascade_internal.h - what the three files of the cascade (cascade.h)
 * share, and no one else uses:
 *   cascade.c        the module (init, destroy) and the sockets' helpers;
 *   cascade_owner.c  the owner's server: the links that feed edges and
 *                    decide what their viewers ask;
 *   cascade_edge.c   the edges, which mirror an owner's meeting into a
 *                    local live meeting.
 */
#ifndef RTK_CASCADE_INTERNAL_H
#define RTK_CASCADE_INTERNAL_H

#include <glib.h>

#define CASCADE_CONNECT_TIMEOUT_MS 2000
#define CASCADE_FIRST_STATE_US (3 * G_USEC_PER_SEC)
#define CASCADE_EDGE_IDLE_US (10 * G_USEC_PER_SEC)
#define CASCADE_SEND_TIMEOUT_S 2
#define CASCADE_UDP_BATCH 64
#define CASCADE_MAX_LINKS 256
#define CASCADE_HELLO_US (5 * G_USEC_PER_SEC)   /* a connection says hello by then or is closed */
/* The owner repeats an unchanged state this often; an edge that heard
 * nothing for CASCADE_SILENCE_US takes the owner for lost (a host gone
 * without closing its connections). */
#define CASCADE_REPEAT_US (5 * G_USEC_PER_SEC)
#define CASCADE_SILENCE_US (15 * G_USEC_PER_SEC)
/* Votes in one poll line: each at most ~1.2 kB (a 1 kB display name), so
 * a line stays well under RTK_CASCADE_LINE_MAX. */
#define CASCADE_POLL_VOTES_PER_LINE 200
/* The votes of one poll an edge keeps a copy of at most (the owner's
 * participants and every edge's viewers: far beyond a real meeting). */
#define CASCADE_POLL_VOTES_MAX 200000


/* The cascade port of every node (RTK_NODE_CASCADE_PORT); 0: off. Set by
 * rtk_cascade_init() before anything else runs, cleared by
 * rtk_cascade_destroy() after everything stopped. */
extern int rtk_cascade_port;

/* Sends all of `line` on a blocking socket (SO_SNDTIMEO bounds it). */
gboolean cascade_send_all(int fd, const char *line);
/* A send timeout, TCP_NODELAY and keepalives on a connection. */
void cascade_socket_timeouts(int fd);
/* Compares two secrets in a time that does not depend on where they differ. */
gboolean cascade_key_matches(const char *given, const char *expected);

/* cascade_owner.c: listens on `port` (on `bind_host`, or every address)
 * and serves edges on a thread of its own; FALSE when it cannot listen. */
gboolean cascade_server_start(int port, const char *bind_host);
/* Stops serving: every link is closed (its edge's viewers get origin_lost). */
void cascade_server_stop(void);

/* cascade_edge.c: the table of edges, made empty; and every edge stopped
 * (each thread takes its mirror out of its meeting), the table freed. */
void cascade_edges_init(void);
void cascade_edges_stop(void);

#endif
