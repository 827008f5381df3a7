#!/usr/bin/python3
"""test_webhooks.py - where webhooks may point, and slow names, against a real
server (docs/rest.md, Webhooks; the unit side is tests/unit/test_webhooks.c).

Owns what only a running server shows:
  * without RTK_WEBHOOK_ALLOW_PRIVATE (./rtk -> janus.plugin.rtk.jcfg ->
    plugin -> gateway): POST /v2/webhooks answers 422 for loopback, private,
    link-local, ... addresses, literal or behind a name that resolves only to
    such, and PATCH too; nothing is stored. A name that never resolves is
    accepted after a bounded wait.
  * at delivery, still without the setting: a name that resolved to a public
    address when it was registered and resolves to 127.0.0.1 now (DNS
    rebinding) gets nothing; a name with one public and one loopback address
    never reaches the loopback one. The receiver on 127.0.0.1 sees nothing,
    and the server logs why.
  * with the setting: a webhook whose host name never resolves (a DNS server
    that never answers) does not hold back another webhook: every event
    reaches the receiver that answers within a bound, signed
    (rtk-signature-v2 over "<timestamp>.<body>", checked by WebhookReceiver).

Names are the test's own: the test makes a mount namespace and binds its
own /etc/hosts and /etc/resolv.conf (nameserver 127.0.0.1, where a UDP
socket of the test reads nothing and answers nothing; glibc then waits
timeout:30 x attempts:5 = 150 s) before it starts janus.
"""

import asyncio
import ctypes
import os
import socket
import subprocess
import tempfile
import time

from rtk_harness import (RtkClient, Server, TestFailure, WebhookReceiver, check, check_equal, log,
                         run_test, skip)

CLONE_NEWNS = 0x00020000
PUBLIC = "93.184.216.34"       # some public address; unreachable from the namespace (no route)
HINT = "; set RTK_WEBHOOK_ALLOW_PRIVATE=1 on the server to allow non-public targets"
BOUND = 20                     # seconds: generous, but far below the 150 s a stalled lookup takes


def hosts_text(rebind_to):
    return "".join("%s %s\n" % pair for pair in (
        ("127.0.0.1", "localhost"), ("::1", "localhost"),
        ("10.77.0.1", "private-only.test"),
        (rebind_to, "rebind.test"),
        (PUBLIC, "mixed.test"), ("127.0.0.1", "mixed.test")))


def own_name_service(workdir):
    """Binds the test's /etc/hosts and /etc/resolv.conf in a new mount
    namespace; returns the hosts file (rewrite it in place: the bind mount
    follows the inode) and the silent DNS socket (keep it open)."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    if libc.unshare(CLONE_NEWNS) != 0:
        skip("cannot make a mount namespace: %s" % os.strerror(ctypes.get_errno()))
    subprocess.run(["mount", "--make-rprivate", "/"], check=True)
    hosts = os.path.join(workdir, "hosts")
    resolv = os.path.join(workdir, "resolv.conf")
    with open(hosts, "w") as f:
        f.write(hosts_text(PUBLIC))
    with open(resolv, "w") as f:
        f.write("nameserver 127.0.0.1\noptions timeout:30 attempts:5\n")
    for source, target in ((hosts, "/etc/hosts"), (resolv, "/etc/resolv.conf")):
        subprocess.run(["mount", "--bind", source, target], check=True)
    dns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    dns.bind(("127.0.0.1", 53))   # queries arrive and are never read
    return hosts, dns


def rewrite(path, text):
    with open(path, "r+") as f:
        f.truncate(0)
        f.write(text)


def server_log(server):
    text = ""
    for path in (server.log_path, server.console_path):
        try:
            with open(path, errors="replace") as f:
                text += f.read()
        except OSError:
            pass
    return text


async def wait_log(server, needle, receiver=None, timeout=BOUND):
    """Waits until the server logs `needle`; with `receiver`, fails as soon
    as anything reaches it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if receiver is not None:
            check(not receiver.deliveries and not receiver.bad,
                  "a delivery reached the receiver on 127.0.0.1: %r" % (receiver.deliveries or receiver.bad))
        if needle in server_log(server):
            return
        await asyncio.sleep(0.2)
    raise TestFailure("the server did not log %r within %ds" % (needle, timeout))


def webhook(server, url, events=("meeting.started",), status=201):
    got, reply = server.rest("POST", "/v2/webhooks", {"name": "t", "url": url, "events": list(events)})
    check_equal(got, status, "POST /v2/webhooks %s: %s" % (url, server.last_text))
    return reply


async def join(server, meeting_id, name):
    rest = server.add_participant(meeting_id, name)
    client = RtkClient(server, name.lower())
    await client.join(rest["token"])
    return client


async def refused_targets(hosts):
    """RTK_WEBHOOK_ALLOW_PRIVATE unset: 422 at registration, nothing at delivery."""
    server = Server(env={"RTK_WEBHOOK_ALLOW_PRIVATE": ""}).start()
    receiver = WebhookReceiver()
    port = receiver.httpd.server_address[1]

    refused = [
        ("http://127.0.0.1:%d/hooks" % port, "127.0.0.1 is loopback (127.0.0.0/8)"),
        ("http://localhost:%d/hooks" % port, "localhost resolves only to non-public addresses ("),
        ("http://private-only.test:%d/" % port,
         "private-only.test resolves only to non-public addresses (10.77.0.1 is private (10.0.0.0/8))"),
        ("http://10.77.0.1:8080/", "10.77.0.1 is private (10.0.0.0/8)"),
        ("http://[::1]:%d/" % port, "::1 is loopback (::1)"),
        ("http://[::ffff:127.0.0.1]:%d/" % port, "::ffff:127.0.0.1 is loopback (127.0.0.0/8)"),
        ("http://2130706433:%d/" % port, "2130706433 (127.0.0.1) is loopback (127.0.0.0/8)"),
        ("http://0x7f.1:%d/" % port, "0x7f.1 (127.0.0.1) is loopback (127.0.0.0/8)"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is link-local (169.254.0.0/16)"),
        ("http://100.64.0.1/", "100.64.0.1 is shared carrier-grade NAT space (100.64.0.0/10)"),
        ("http://0.0.0.0:%d/" % port, "0.0.0.0 is unspecified"),
    ]
    for url, reason in refused:
        reply = webhook(server, url, status=422)
        message = ((reply or {}).get("error") or {}).get("message", "")
        check(message.startswith("field 'url' must point to a public address: ") and reason in message
              and message.endswith(HINT), "422 for %s: %r does not say %r" % (url, message, reason))
    check_equal(server.rest_ok("GET", "/v2/webhooks"), [], "webhooks stored after the refusals")
    log("422 for %d non-public targets (literal, other forms, names); nothing stored" % len(refused))

    started = time.monotonic()
    webhook(server, "http://never.test/", events=("meeting.chatSynced",))
    took = time.monotonic() - started
    check(took < 10, "a name that never resolves held POST /v2/webhooks for %.1f s" % took)
    log("a name that never resolves is accepted after %.1f s" % took)

    rebind = webhook(server, "http://rebind.test:%d/hooks" % port)["data"]
    mixed = webhook(server, "http://mixed.test:%d/hooks" % port)["data"]
    receiver.secret = rebind["secret"]   # whatever arrives is counted, verified or not
    reply = webhook(server, "http://private-only.test:%d/" % port, status=422)
    got, reply = server.rest("PATCH", "/v2/webhooks/%s" % mixed["id"],
                             {"url": "http://[fd00::1]:%d/" % port})
    check_equal(got, 422, "PATCH to a unique local address: %s" % server.last_text)
    check_equal(server.rest_ok("GET", "/v2/webhooks/%s" % mixed["id"])["url"],
                "http://mixed.test:%d/hooks" % port, "url after the refused PATCH")
    rewrite(hosts, hosts_text("127.0.0.1"))   # rebind.test now points here
    log("rebind.test (public at registration) now resolves to 127.0.0.1")

    meeting = server.create_meeting(title="Webhook targets")
    await join(server, meeting["id"], "Ada")
    await wait_log(server, "meeting.started to webhook %s (rebind.test:%d) failed after 1 attempt: refused: "
                   "the host resolves only to non-public addresses (127.0.0.1 is loopback" % (rebind["id"], port),
                   receiver)
    await wait_log(server, "meeting.started to webhook %s (mixed.test:%d) failed after 3 attempts: "
                   % (mixed["id"], port), receiver)
    check_equal(len(receiver.deliveries) + len(receiver.bad), 0, "deliveries that reached 127.0.0.1")
    log("at delivery: the rebound name and the loopback address of a mixed name got nothing")
    server.stop()


async def slow_name():
    """With the setting: a name that never resolves holds back nothing."""
    server = Server().start()   # the harness sets RTK_WEBHOOK_ALLOW_PRIVATE=1
    receiver = WebhookReceiver()
    slow = webhook(server, "http://never.test/hooks", events=("meeting.participantJoined",))["data"]
    fast = webhook(server, receiver.url, events=("meeting.participantJoined",))["data"]
    receiver.secret = fast["secret"]
    meeting = server.create_meeting(title="Slow names")
    started = time.monotonic()
    for name in ("Ada", "Bob", "Cy"):
        await join(server, meeting["id"], name)
    await receiver.wait(lambda: len(receiver.deliveries) >= 3,
                        "3 participantJoined at the receiver that answers", timeout=BOUND)
    took = time.monotonic() - started
    check_equal(receiver.bad, [], "deliveries whose rtk-signature or rtk-signature-v2 did not verify")
    check_equal(sorted(d["participant"]["userDisplayName"] for d in receiver.deliveries), ["Ada", "Bob", "Cy"],
                "participants in the deliveries")
    await wait_log(server, "meeting.participantJoined to webhook %s (never.test): attempt 1 resolving "
                   "the host took too long; retrying" % slow["id"])
    log("3 events delivered in %.1f s while never.test does not resolve; signatures verified" % took)
    server.stop()


async def main():
    workdir = tempfile.mkdtemp(prefix="rtk-it-names-")
    hosts, dns = own_name_service(workdir)
    await refused_targets(hosts)
    await slow_name()
    dns.close()


if __name__ == "__main__":
    run_test(main)
