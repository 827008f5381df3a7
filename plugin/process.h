/*
 * process.h - one companion process (rtk-recorder or rtk-hls) as the
 * plugin sees it: the child, its control pipe, and the UDP socket the relay
 * forwards RTP through (design.md section 2, docs/companions.md).
 *
 * Owns the child's pid, its stdin (commands, one JSON object per line), a
 * reader thread on its stdout (events, read by companion_events.h), and a UDP socket connected to the
 * port the child announces in its "ready" event. Knows nothing of Janus or
 * meetings: the owner (capture.c) gets every event and the exit through
 * callbacks and decides what they mean.
 *
 * Threads: the callbacks run on the reader thread; "exited" is the last
 * call, made after the child was reaped. rtk_proc_forward() and
 * rtk_proc_forward_rtcp() may be called from any thread (the relay path)
 * and never block.
 *
 * Ownership: reference counted; the spawner holds one reference, the
 * reader thread another until after "exited". rtk_proc_unref() never waits.
 */
#ifndef RTK_PROCESS_H
#define RTK_PROCESS_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <glib.h>
#include <jansson.h>
#include "companion_events.h"

typedef struct rtk_proc rtk_proc;

typedef struct rtk_proc_callbacks {
	/* One event line, read by companion_events.h (borrowed), after "ready"
	 * was handled (the RTP socket is connected before the owner sees
	 * "ready"). Lines that are not JSON objects never get here. */
	void (*event)(rtk_proc *proc, const rtk_companion_event *event, void *user_data);
	/* The child is gone; `wait_status` as waitpid() reports it. */
	void (*exited)(rtk_proc *proc, int wait_status, void *user_data);
} rtk_proc_callbacks;

/* Starts argv[0] (a path) with `argv`. NULL on failure, with a reason in
 * *error (g_free). `callbacks` must outlive the process. */
rtk_proc *rtk_proc_spawn(char **argv, const rtk_proc_callbacks *callbacks, void *user_data, char **error);

/* A sink with no child: only the RTP socket, connected to `addr` (any
 * host, e.g. another node's cascade port, cascade.h), so the relay can
 * feed it as it feeds a companion. One reference (the caller's); commands
 * are refused and rtk_proc_kill() does nothing. NULL when the socket
 * cannot be made. */
struct sockaddr;
rtk_proc *rtk_proc_sink_new(const struct sockaddr *addr, socklen_t addr_len);

rtk_proc *rtk_proc_ref(rtk_proc *proc);
void rtk_proc_unref(rtk_proc *proc);

/* Writes one command (STOLEN) to the child's stdin without blocking.
 * FALSE once the pipe is closed; a child that let its pipe fill up (or
 * broke it) has its input closed, which makes it finish and exit. */
gboolean rtk_proc_command(rtk_proc *proc, json_t *command);

/* Sends one RTP packet with its SSRC replaced by `ssrc` (the stream id
 * the owner announced) to the child's RTP port; a no-op before "ready".
 * The packet itself is not modified. */
void rtk_proc_forward(rtk_proc *proc, uint32_t ssrc, const char *packet, size_t len);

/* Sends one RTCP packet (not compound; the relay passes sender reports)
 * with its sender SSRC (bytes 4..7, where RTP has it at 8..11) replaced by
 * `ssrc`, to the same port as the RTP (RFC 5761 multiplexing); a no-op
 * before "ready". The packet itself is not modified. */
void rtk_proc_forward_rtcp(rtk_proc *proc, uint32_t ssrc, const char *packet, size_t len);

/* Closes the child's stdin (the companion finishes its output and exits). */
void rtk_proc_close_input(rtk_proc *proc);
/* SIGKILL (tests of crash safety; shutdown after a grace period). */
void rtk_proc_kill(rtk_proc *proc);
pid_t rtk_proc_pid(const rtk_proc *proc);

#endif
