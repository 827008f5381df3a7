#!/usr/bin/python3
"""test_webhooks_tls.py - webhooks as RealtimeKit sends them, against a real
server (docs/rest.md, Webhooks): over HTTPS, signed with the published key,
in RealtimeKit's payload shapes.

Owns what a receiver written for RealtimeKit sees:
  * GET /.well-known/webhooks.json answers without credentials in
    RealtimeKit's shape {success, data: {publicKey}, message}, and the key
    (<data dir>/webhook_key.pem, mode 0600) is the same after a restart.
  * https:// delivery: a receiver started here (python's http.server + ssl)
    with a certificate of a CA the test makes with openssl, trusted through
    RTK_WEBHOOK_CA_FILE, gets meeting.started, participantJoined,
    participantLeft (with joinedAt from the session's history) and
    meeting.ended, in that order, in exactly RealtimeKit's shapes (every key
    checked), each with rtk-uuid (a fresh
    UUID per delivery), rtk-webhook-id (the webhook's id), the dyte-* twins,
    and an rtk-signature that verifies with the published key by the Python
    code of docs/rest.md (WebhookReceiver runs it) and an rtk-signature-v2
    that verifies with the webhook's secret; meeting.ended's reason is
    ALL_PARTICIPANTS_LEFT (the last one left), then HOST_ENDED_MEETING for
    a second session ended by REST's kick-all.
  * a receiver whose self-signed certificate nobody trusts gets no request:
    each attempt fails the TLS handshake, 3 attempts, then the failure is
    logged as a failed delivery naming the certificate problem.
  * meeting.transcript and meeting.summary are accepted in subscriptions
    (and never sent).
  * PUT /v2/webhooks/{id} replaces a webhook (enabled back to true unless
    given; the secret is kept), 422 without a required field, 404 for an
    unknown id.
  * the Node.js receiver of docs/rest.md, run as written, verifies a real
    delivery and refuses a forged one with 401.
"""

import asyncio
import json
import os
import shutil
import socket
import stat
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

from rtk_harness import (REST_PORT, RtkClient, Server, TestFailure, WebhookReceiver, check, check_equal,
                         docs_block, log, run_test)

BOUND = 20   # seconds


def openssl(*args):
    subprocess.run(["openssl"] + list(args), check=True, capture_output=True)


def make_certificates(directory):
    """A CA, a certificate it signs for 127.0.0.1 and localhost, and a
    self-signed certificate for 127.0.0.1 that nobody trusts: paths."""
    p = {name: os.path.join(directory, name) for name in (
        "ca.key", "ca.pem", "server.key", "server.csr", "server.pem", "server.ext", "untrusted.key",
        "untrusted.pem")}
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", p["ca.key"], "-out", p["ca.pem"],
            "-days", "2", "-subj", "/CN=RTK webhook test CA")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", p["server.key"], "-out", p["server.csr"],
            "-subj", "/CN=127.0.0.1")
    with open(p["server.ext"], "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                "extendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", p["server.csr"], "-CA", p["ca.pem"], "-CAkey", p["ca.key"],
            "-CAcreateserial", "-out", p["server.pem"], "-days", "2", "-extfile", p["server.ext"])
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", p["untrusted.key"],
            "-out", p["untrusted.pem"], "-days", "2", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1")
    return p


def server_log(server):
    text = ""
    for path in (server.log_path, server.console_path):
        try:
            with open(path, errors="replace") as f:
                text += f.read()
        except OSError:
            pass
    return text


async def wait_log(server, needle, timeout=BOUND):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if needle in server_log(server):
            return
        await asyncio.sleep(0.2)
    raise TestFailure("the server did not log %r within %ds" % (needle, timeout))


def published_key(server):
    status, reply = server.rest("GET", "/.well-known/webhooks.json", auth=None)
    check_equal(status, 200, "GET /.well-known/webhooks.json without credentials: %s" % server.last_text)
    check_equal(sorted(reply), ["data", "message", "success"], "keys of webhooks.json")
    check_equal((reply["success"], reply["message"], sorted(reply["data"])), (True, "", ["publicKey"]),
                "webhooks.json")
    pem = reply["data"]["publicKey"]
    check(pem.startswith("-----BEGIN PUBLIC KEY-----\n") and pem.endswith("-----END PUBLIC KEY-----\n"),
          "publicKey is a PEM public key: %r" % pem[:40])
    return pem


def check_meeting(meeting, meeting_rest, session_id, org_id, ended):
    keys = ["createdAt", "id", "organizedBy", "sessionId", "startedAt", "status", "title"]
    check_equal(sorted(meeting), sorted(keys + (["endedAt"] if ended else [])), "the meeting object's keys")
    check_equal((meeting["id"], meeting["title"], meeting["sessionId"], meeting["status"], meeting["createdAt"],
                 meeting["organizedBy"]),
                (meeting_rest["id"], meeting_rest["title"], session_id, "LIVE", meeting_rest["created_at"],
                 {"id": org_id, "name": "RTK"}), "the meeting object")
    check(meeting["startedAt"].endswith("Z") and (not ended or meeting["endedAt"] >= meeting["startedAt"]),
          "startedAt/endedAt: %r" % meeting)


def check_headers(receiver, hook_id):
    uuids = [h["rtk-uuid"] for h in receiver.headers]
    check(all(len(u) == 36 for u in uuids) and len(set(uuids)) == len(uuids), "rtk-uuid: %r" % uuids)
    for h in receiver.headers:
        check_equal((h["rtk-webhook-id"], h["dyte-webhook-id"], h["dyte-uuid"], h["dyte-signature"]),
                    (hook_id, hook_id, h["rtk-uuid"], h["rtk-signature"]), "rtk-*/dyte-* headers")


async def https_delivery(certs):
    server = Server(env={"RTK_WEBHOOK_CA_FILE": certs["ca.pem"]}).start()
    org_id = server.credentials["org_id"]
    pem = published_key(server)
    key_file = os.path.join(server.data_dir, "webhook_key.pem")
    check_equal(stat.S_IMODE(os.stat(key_file).st_mode), 0o600, "mode of webhook_key.pem")

    trusted = WebhookReceiver(tls=(certs["server.pem"], certs["server.key"]))
    untrusted = WebhookReceiver(tls=(certs["untrusted.pem"], certs["untrusted.key"]))
    events = ["meeting.started", "meeting.participantJoined", "meeting.participantLeft", "meeting.ended",
              "meeting.transcript", "meeting.summary"]
    hook = server.rest_ok("POST", "/v2/webhooks", {"name": "tls", "url": trusted.url, "events": events},
                          statuses=(201,))
    check_equal(hook["events"], events, "transcript and summary accepted in a subscription")
    trusted.secret = hook["secret"]
    bad = server.rest_ok("POST", "/v2/webhooks", {"name": "untrusted", "url": untrusted.url,
                                                  "events": ["meeting.started"]}, statuses=(201,))

    meeting = server.create_meeting(title="Webhooks over TLS")
    rest = server.add_participant(meeting["id"], "Ada")
    ada = RtkClient(server, "ada")
    joined = await ada.join(rest["token"])
    session_id = joined["meeting"]["sessionId"]
    # participantLeft's joinedAt comes from the session's history: once the join is recorded
    deadline = time.monotonic() + BOUND
    def recorded():
        """The session's presences, or [] while the history's writer has
        not written the session yet (404) or the join."""
        status, reply = server.rest("GET", "/v2/sessions/%s/participants" % session_id)
        return reply["data"]["participants"] if status == 200 else []
    while not recorded():
        check(time.monotonic() < deadline, "the session's history never recorded Ada's join")
        await asyncio.sleep(0.1)
    presence = recorded()[0]
    await ada.leave()
    want = ["meeting.started", "meeting.participantJoined", "meeting.participantLeft", "meeting.ended"]
    await trusted.wait(lambda: [d["event"] for d in trusted.deliveries] == want, "the session's events", BOUND)
    check_equal(trusted.bad, [], "deliveries whose signatures did not verify")
    check_headers(trusted, hook["id"])

    started, joined_hook, left, ended = trusted.deliveries
    check_equal(sorted(started), ["event", "meeting"], "meeting.started's keys")
    check_meeting(started["meeting"], meeting, session_id, org_id, ended=False)
    for delivery, moment in ((joined_hook, "joinedAt"), (left, "leftAt")):
        check_equal(sorted(delivery), ["event", "meeting", "participant"], "%s's keys" % delivery["event"])
        check_meeting(delivery["meeting"], meeting, session_id, org_id, ended=False)
        participant = delivery["participant"]
        check_equal(sorted(participant), sorted(["peerId", "userDisplayName", "customParticipantId",
                                                 "clientSpecificId", "joinedAt"] + ([moment] if moment != "joinedAt"
                                                                                    else [])),
                    "the participant's keys")
        check_equal((participant["peerId"], participant["userDisplayName"], participant["customParticipantId"],
                     participant["clientSpecificId"]),
                    (ada.peer_id, "Ada", rest["custom_participant_id"], rest["custom_participant_id"]),
                    "the participant of %s" % delivery["event"])
        check(participant[moment].endswith("Z"), "%s: %r" % (moment, participant[moment]))
    check_equal(left["participant"]["joinedAt"], presence["joined_at"], "participantLeft's joinedAt (the history's)")
    check_equal(sorted(ended), ["event", "meeting", "reason"], "meeting.ended's keys")
    check_equal(ended["reason"], "ALL_PARTICIPANTS_LEFT", "meeting.ended's reason")
    check_meeting(ended["meeting"], meeting, session_id, org_id, ended=True)
    log("https:// delivery verified against RTK_WEBHOOK_CA_FILE; 4 events in RealtimeKit's shapes, "
        "rtk-signature verified with the published key (the code of docs/rest.md)")

    # a second session, ended by the host's REST kick-all: HOST_ENDED_MEETING
    again = RtkClient(server, "ada again")
    await again.join(rest["token"])
    server.rest_ok("POST", "/v2/meetings/%s/active-session/kick-all" % meeting["id"], {})
    await trusted.wait(lambda: [d["event"] for d in trusted.deliveries].count("meeting.ended") == 2,
                       "the second session's meeting.ended", BOUND)
    second = [d for d in trusted.deliveries if d["event"] == "meeting.ended"][1]
    check_equal(second["reason"], "HOST_ENDED_MEETING", "meeting.ended's reason after a kick-all")
    check(second["meeting"]["sessionId"] != session_id, "the second meeting.ended is the second session's")
    again.abandon()
    log("a session a host ended (REST kick-all): meeting.ended reason HOST_ENDED_MEETING")

    await wait_log(server, "meeting.started to webhook %s (127.0.0.1:%d) failed after 3 attempts: TLS failed: "
                   % (bad["id"], untrusted.httpd.server_address[1]))
    check_equal((untrusted.deliveries, untrusted.bad), ([], []), "requests that reached the untrusted receiver")
    log("a receiver with an untrusted certificate: no request, a failed delivery after 3 attempts")

    server.restart()
    check_equal(published_key(server), pem, "the published key after a restart")
    log("the key is the same after a restart")
    await replace_webhook(server, hook)
    server.stop()


async def replace_webhook(server, hook):
    path = "/v2/webhooks/%s" % hook["id"]
    server.rest_ok("PATCH", path, {"enabled": False})
    body = {"name": "replaced", "url": "https://hooks.example.com/rtk", "events": ["meeting.ended"]}
    replaced = server.rest_ok("PUT", path, body)
    check_equal({k: replaced[k] for k in ("id", "name", "url", "events", "enabled")},
                dict(body, id=hook["id"], enabled=True), "PUT /v2/webhooks/{id}")
    check("secret" not in replaced and replaced["created_at"] == hook["created_at"], "PUT's answer: %r" % replaced)
    check_equal(server.rest_ok("GET", path)["name"], "replaced", "GET after PUT")
    status, reply = server.rest("PUT", path, {"name": "no events", "url": "https://hooks.example.com/"})
    check_equal((status, reply["error"]["message"]), (422, "field 'events' is required"), "PUT without events")
    status, _ = server.rest("PUT", "/v2/webhooks/3f2b8c1d-5e7a-4b9c-8d1e-2f4a6b8c0d1e", body)
    check_equal(status, 404, "PUT of an unknown webhook")
    log("PUT /v2/webhooks/{id}: replaced (enabled back to true), 422 without events, 404 unknown")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def node_example():
    """docs/rest.md's Node.js receiver, run as written."""
    node = shutil.which("node")
    if not node:
        log("node not found: the Node.js receiver of docs/rest.md is not run")
        return
    server = Server().start()   # RTK_WEBHOOK_ALLOW_PRIVATE=1: the receiver is on 127.0.0.1
    workdir = tempfile.mkdtemp(prefix="rtk-it-node-")
    script = os.path.join(workdir, "webhook_receiver.mjs")
    with open(script, "w") as f:
        f.write(docs_block("js", "// webhook_receiver.mjs - usage: node webhook_receiver.mjs "
                                 "http://rtk.example.com:8080 8000"))
    port = free_port()
    proc = subprocess.Popen([node, script, "http://127.0.0.1:%d" % REST_PORT, str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = "http://127.0.0.1:%d/hooks" % port
        deadline = time.monotonic() + BOUND
        while True:   # until it listens (it fetched the key first)
            try:
                request = urllib.request.Request(url, data=b'{"event":"meeting.started"}', method="POST",
                                                 headers={"rtk-signature": "Zm9yZ2Vk"})
                urllib.request.urlopen(request, timeout=5)
                raise TestFailure("the Node.js receiver accepted a forged delivery")
            except urllib.error.HTTPError as error:
                check_equal(error.code, 401, "the Node.js receiver's answer to a forged delivery")
                break
            except urllib.error.URLError:
                check(time.monotonic() < deadline and proc.poll() is None, "the Node.js receiver did not start")
                await asyncio.sleep(0.2)
        hook = server.rest_ok("POST", "/v2/webhooks", {"name": "node", "url": url, "events": ["meeting.started"]},
                              statuses=(201,))
        meeting = server.create_meeting(title="Node receiver")
        bob = RtkClient(server, "bob")
        await bob.join(server.add_participant(meeting["id"], "Bob")["token"])
        line = await asyncio.wait_for(asyncio.get_running_loop().run_in_executor(None, proc.stdout.readline), BOUND)
        uuid, webhook_id, event = line.rstrip("\n").split(" ", 2)
        event = json.loads(event)
        check_equal((len(uuid), webhook_id, event["event"], event["meeting"]["id"]),
                    (36, hook["id"], "meeting.started", meeting["id"]), "what the Node.js receiver verified")
        log("the Node.js receiver of docs/rest.md verified a delivery and refused a forged one (401)")
        await bob.leave()
    finally:
        proc.kill()
        proc.wait()
        shutil.rmtree(workdir, ignore_errors=True)
        server.stop()


async def main():
    directory = tempfile.mkdtemp(prefix="rtk-it-tls-")
    try:
        await https_delivery(make_certificates(directory))
        await node_example()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    run_test(main)
