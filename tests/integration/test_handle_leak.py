#!/usr/bin/python3
"""test_handle_leak.py - handles and joins leave nothing behind in janus.

Owns the lifetime of the plugin's sessions as a client can drive it (issue
8, item 1): every handle attached to janus.plugin.rtk must give back what
it took once it is detached, or one client looping attach + detach with
no token at all exhausts janus's file descriptors (an eventfd per handle)
and takes the server down. Measured on the janus process itself
(/proc/PID/fd and VmRSS), after a warm-up so that caches and pools that
grow once are not counted:
  * 3000 attach + detach pairs on one Janus session, no request at all:
    janus still answers, its open file descriptors grow by at most
    FD_SLACK and its RSS by at most RSS_SLACK_KB;
  * 1000 cycles of attach, join (a real token), leave, detach, alternating
    two participants of one meeting so the live meeting is created and
    freed again and again: the same bounds;
  * the REST API still answers at the end.
Before the fix each pair left one descriptor open: janus died at about
990 pairs with ulimit -n 1024, and 500 joins left +500 descriptors.
"""

import os
import time

from rtk_harness import JanusSession, Server, check, check_equal, log, run_test

WARMUP_PAIRS = 200
WARMUP_CYCLES = 50
PAIRS = 3000
CYCLES = 1000
FD_SLACK = 24            # descriptors: sockets of the HTTP transport come and go
RSS_SLACK_KB = 6 * 1024  # glibc keeps freed memory in its arenas; a leak grows without bound


def open_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS for pid %d" % pid)


def footprint(server, what):
    """(descriptors, RSS) of janus: the least of a few samples, so that HTTP
    connections the transport has not closed yet are not counted."""
    pid = server.proc.pid
    check(server.running(), "janus died during %s" % what)
    samples = []
    for _ in range(6):
        samples.append((open_fds(pid), rss_kb(pid)))
        time.sleep(0.25)
    fds, rss = min(s[0] for s in samples), min(s[1] for s in samples)
    log("%s: %d open descriptors, RSS %d kB" % (what, fds, rss))
    return fds, rss


def check_flat(before, after, what):
    fds = after[0] - before[0]
    rss = after[1] - before[1]
    check(fds <= FD_SLACK, "%s: janus holds %d more file descriptors (at most %d allowed): "
          "handles leak" % (what, fds, FD_SLACK))
    check(rss <= RSS_SLACK_KB, "%s: janus RSS grew by %d kB (at most %d allowed)" % (what, rss, RSS_SLACK_KB))


def attach_detach(session, pairs):
    for _ in range(pairs):
        session.detach(session.attach())


def join_leave(session, tokens, cycles):
    for i in range(cycles):
        handle = session.attach()
        joined = session.request(handle, {"request": "join", "token": tokens[i % len(tokens)]})
        check_equal(joined.name, "roomJoined", "join %d" % i)
        left = session.request(handle, {"request": "leave"})
        check_equal(left.name, "roomLeft", "leave %d" % i)
        session.detach(handle)


def main():
    with Server() as server:
        check(server.running(), "janus is not running")
        meeting = server.create_meeting(title="Leak check")
        tokens = [server.add_participant(meeting["id"], name)["token"] for name in ("Ada", "Bob")]
        session = JanusSession(server)
        session.create()

        attach_detach(session, WARMUP_PAIRS)
        join_leave(session, tokens, WARMUP_CYCLES)

        before = footprint(server, "after the warm-up")
        attach_detach(session, PAIRS)
        after_pairs = footprint(server, "after %d attach/detach pairs" % PAIRS)
        check_flat(before, after_pairs, "%d attach/detach pairs" % PAIRS)

        join_leave(session, tokens, CYCLES)
        after_cycles = footprint(server, "after %d join/leave cycles" % CYCLES)
        check_flat(after_pairs, after_cycles, "%d join/leave cycles" % CYCLES)

        session.destroy()
        status, _ = server.rest("GET", "/v2/meetings")
        check_equal(status, 200, "REST status after the cycles")


if __name__ == "__main__":
    run_test(main)
