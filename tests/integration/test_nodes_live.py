#!/usr/bin/python3
"""test_nodes_live.py - REST live operations through any node reach the
node running the meeting (docs/deploy.md, "Live operations from any node").

Owns README's RTK_NODE_FORWARD_TIMEOUT and the forwarding of
gateway/node_forward.c and rest_nodes.c. Two nodes on a PostgreSQL of the
test's own (test_nodes.py's node(), test_postgres.py's Postgres); a meeting
joined on node A by Ada (host) and Bob, both publishing. Every request
below goes to node B's REST, and what is asserted is what A's participants
see:
  * GET active-session through B lists both (A's live state: peer ids,
    live_participants 2);
  * a request carrying rtk-forwarded-by reaches B's own handlers and is not
    forwarded again: B answers 404 "no active session" as it would alone;
  * 40 requests forwarded one after the other open at most 8 connections
    from B to A's REST port (B's forwarding threads keep theirs);
  * mute Bob through B: 200 naming Bob, and Bob gets his own audioUpdate
    (audioEnabled false, canUnmute false); a poll created through B: 201,
    and Ada gets pollsUpdate with it;
  * a recording started through B (201, the recording object of A), read
    RECORDING, named by active-recording through B, stopped through B
    (200, UPLOADING) and UPLOADED: its file exists on A's disk with the
    stored size and ffprobe reads a VP8 video stream from it; its
    download_url read through B names A, and downloads the file;
  * a per-track recording started through B (200, TRACK), RECORDING, stopped
    through B, UPLOADED with Ada's audio and video and Bob's video (he is
    muted), whose files are on A's disk;
  * a token re-minted through B for Dee, live on A: Dee gets roomLeft
    {kicked, token_revoked}, and joins A again with the new token;
  * a livestream started through B (201, A's playback_url), LIVE in
    active-livestream through B, stopped through B (200);
  * a preset PATCH through B (kick_participant off): Cy, live on A with it,
    gets permissionsUpdate saying so; then a change A is never told of
    (written into PostgreSQL directly): within a heartbeat A applies it,
    and Cy gets one permissionsUpdate (kick_participant on);
  * a chat file Ada uploaded to A and sent to Bob alone: Bob downloads it
    through B (200, the bytes, image/png: relayed from A), Cy gets 403 (A's
    refusal), and B keeps no copy;
  * the participant DELETE of Cy through
    B: Cy gets roomLeft {kicked, participant_deleted}, Ada participantLeft;
  * kick Bob through B: 200 naming Bob, Bob gets roomLeft "kicked",
    active-session through B then lists Ada alone;
  * A's rate limit (40 a second, burst 120) counts B as one address: 320
    requests through B from four client addresses, each within B's own
    limit, get some 200s and some 429s, each 429 A's envelope with A's
    Retry-After relayed by B;
  * A stopped (SIGSTOP) with a valid lease: B answers 503 after the
    forward timeout, not later; A killed (SIGKILL): 503 at once; after the
    lease, B answers for itself: 404 "no active session".
"""

import asyncio
import hashlib
import http.client
import json
import os
import signal
import subprocess
import tempfile
import threading
import time
import urllib.request

from rtk_harness import RtkClient, TestFailure, check, check_equal, from_peer, log, run_test
from test_nodes import node
from test_postgres import with_postgres

LEASE = 6              # seconds: long enough for the SIGSTOP check inside it
FORWARD_TIMEOUT = 2    # RTK_NODE_FORWARD_TIMEOUT of the nodes
OFFSET = 10            # node B's ports, as in test_nodes.py
MEDIA_TIMEOUT = 20
A_RATE, A_BURST = 40, 120   # node A's RTK_RATE_LIMIT and RTK_RATE_LIMIT_BURST
CLIENTS, PER_CLIENT = 4, 80  # rate_limited(): 320 requests through B, 80 from each address
REUSE_REQUESTS = 40


def live_node(pg, name, offset, **env):
    server = node(pg, name, offset)
    server.extra_env.update(RTK_NODE_LEASE=str(LEASE), RTK_NODE_FORWARD_TIMEOUT=str(FORWARD_TIMEOUT), **env)
    return server


def expect(server, method, path, body, status, what, headers=None):
    got, reply = server.rest(method, path, body, headers=headers)
    check_equal(got, status, "%s: HTTP status (%s)" % (what, server.last_text))
    check(isinstance(reply, dict) and reply.get("success") is (status < 400),
          "%s: envelope: %s" % (what, server.last_text))
    if status >= 400:
        check_equal((reply.get("error") or {}).get("code"), status, what + ": error.code")
        return reply["error"]
    return reply.get("data")


async def wait_rest_async(server, path, condition, what, timeout=30):
    """Polls a REST read; sleeps in asyncio so the aiortc clients keep sending."""
    deadline = time.monotonic() + timeout
    while True:
        got, reply = server.rest("GET", path)
        if got == 200 and condition(reply["data"]):
            return reply["data"]
        check(time.monotonic() < deadline, "no %s within %d s: %s" % (what, timeout, server.last_text))
        await asyncio.sleep(0.2)


async def active_session(a, b, mid, ada, bob, rests):
    session = expect(b, "GET", "/v2/meetings/%s/active-session" % mid, None, 200, "active-session through B")
    check_equal((session.get("meeting_id"), session.get("live_participants"), session.get("id")),
                (mid, 2, ada.joined["meeting"]["sessionId"]), "active session through B (meeting, count, id)")
    check_equal(sorted((p.get("id"), p.get("peer_id")) for p in session["participants"]),
                sorted([(rests["ada"]["id"], ada.peer_id), (rests["bob"]["id"], bob.peer_id)]),
                "participants of the active session through B")
    error = expect(b, "GET", "/v2/meetings/%s/active-session" % mid, None, 404,
                   "a forwarded request reaching B", headers={"rtk-forwarded-by": "node-a"})
    check("no active session" in error["message"], "B's own answer: %r" % error)
    log("active-session through B lists A's participants; a forwarded request is not forwarded again")


def connections_to(port):
    """TCP connections to `port` in this namespace, in any state (closed
    ones linger in TIME-WAIT for a minute): how many were opened."""
    out = subprocess.run(["ss", "-Htan", "dport = :%d" % port], check=True, stdout=subprocess.PIPE).stdout.decode()
    return len([line for line in out.splitlines() if line.strip()])


def connections_reused(a, b, mid):
    """B keeps its connections to A: REUSE_REQUESTS forwarded one after the
    other open a few connections to A's REST port (one per thread of B that
    forwards), not one each."""
    before = connections_to(a.rest_port)
    for _ in range(REUSE_REQUESTS):
        expect(b, "GET", "/v2/meetings/%s/active-session" % mid, None, 200, "active-session through B")
    opened = connections_to(a.rest_port) - before
    check(opened <= 8, "%d requests forwarded from B to A opened %d connections" % (REUSE_REQUESTS, opened))
    log("%d requests forwarded from B to A opened %d connection(s)" % (REUSE_REQUESTS, opened))


async def mute_and_poll(b, mid, ada, bob, rests):
    data = expect(b, "POST", "/v2/meetings/%s/active-session/mute" % mid,
                  {"participant_ids": [rests["bob"]["id"]]}, 200, "mute Bob through B")
    check_equal([p.get("id") for p in data["participants"]], [rests["bob"]["id"]], "muted through B")
    own = await bob.wait_event("audioUpdate", where=from_peer(bob.peer_id))
    check_equal((own.data.get("audioEnabled"), own.data.get("canUnmute")), (False, False),
                "Bob's own audioUpdate after the mute through B")
    data = expect(b, "POST", "/v2/meetings/%s/active-session/poll" % mid,
                  {"question": "Across nodes?", "options": ["yes", "no"]}, 201, "poll through B")
    poll_id = data["poll"]["id"]
    await ada.wait_event("pollsUpdate", where=lambda e: any((p or {}).get("id") == poll_id for p in
                                                           (e.data.get("polls") or [e.data.get("poll")])))
    log("mute and poll through B reached A's participants")


def ffprobe_video(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-of", "json", path],
                         capture_output=True, check=False)
    check(out.returncode == 0, "ffprobe cannot read %s: %s" % (path, out.stderr.decode(errors="replace")))
    return [s.get("codec_name") for s in json.loads(out.stdout)["streams"] if s.get("codec_type") == "video"]


async def recording(a, b, mid):
    rec = expect(b, "POST", "/v2/recordings", {"meeting_id": mid, "file_name_prefix": "nodes",
                                               "video_config": {"codec": "VP8", "width": 320, "height": 240}},
                 201, "recording start through B")
    check_equal((rec.get("meeting_id"), rec.get("status")), (mid, "INVOKED"), "the recording started through B")
    rec = await wait_rest_async(b, "/v2/recordings/%s" % rec["id"], lambda d: d["status"] == "RECORDING",
                                "recording RECORDING through B")
    active = expect(b, "GET", "/v2/recordings/active-recording/%s" % mid, None, 200, "active-recording through B")
    check_equal(active["id"], rec["id"], "active-recording through B")
    await asyncio.sleep(3)
    stopped = expect(b, "PUT", "/v2/recordings/%s" % rec["id"], {"action": "stop"}, 200, "recording stop through B")
    check_equal((stopped["id"], stopped["status"]), (rec["id"], "UPLOADING"), "the recording stopped through B")
    rec = await wait_rest_async(b, "/v2/recordings/%s" % rec["id"],
                                lambda d: d["status"] in ("UPLOADED", "ERRORED"), "recording finished")
    check_equal(rec["status"], "UPLOADED", "status of the recording stopped through B")
    path = os.path.join(a.data_dir, "recordings", rec["output_file_name"])
    check(os.path.isfile(path), "the recording's file is not on A's disk: %s" % path)
    check_equal(os.path.getsize(path), rec["file_size"], "bytes of the file on A")
    check_equal(ffprobe_video(path), ["vp8"], "video streams of the recording made on A")
    # read through B, its download_url names A, whose disk has the file
    check(rec["download_url"].startswith("http://127.0.0.1:%d/v2/recordings/%s/download?" % (a.rest_port, rec["id"])),
          "download_url read through B: %r" % rec["download_url"])
    with urllib.request.urlopen(rec["download_url"], timeout=30) as response:
        check_equal(len(response.read()), rec["file_size"], "bytes downloaded from the download_url B gave")
    log("recording started and stopped through B: %s on A, %d bytes" % (rec["output_file_name"], rec["file_size"]))


async def track_recording(a, b, mid, ada, bob):
    """A per-track recording started and stopped through B runs on A: its
    tracks are Ada's audio and video and Bob's video (mute_and_poll muted
    him), their files on A's disk."""
    started = expect(b, "POST", "/v2/recordings/track", {"meeting_id": mid}, 200, "track recording through B")
    rec = started["recording"]
    check_equal((rec.get("recording_type"), rec.get("status")), ("TRACK", "INVOKED"),
                "the track recording started through B")
    rec = await wait_rest_async(b, "/v2/recordings/%s" % rec["id"], lambda d: d["status"] == "RECORDING",
                                "track recording RECORDING through B")
    await asyncio.sleep(3)
    expect(b, "PUT", "/v2/recordings/%s" % rec["id"], {"action": "stop"}, 200, "track recording stop through B")
    rec = await wait_rest_async(b, "/v2/recordings/%s" % rec["id"],
                                lambda d: d["status"] in ("UPLOADED", "ERRORED"), "track recording finished")
    check_equal(rec["status"], "UPLOADED", "status of the track recording stopped through B")
    check_equal(sorted((t["peer_id"], t["kind"]) for t in rec["tracks"]),
                sorted([(ada.peer_id, "audio"), (ada.peer_id, "video"), (bob.peer_id, "video")]),
                "tracks of the track recording made through B (Bob muted through B before)")
    directory = os.path.join(a.data_dir, "recordings", rec["id"])
    check_equal(sorted(os.listdir(directory)), sorted(t["file_name"] for t in rec["tracks"]),
                "the track files on A's disk")
    check(all(t["file_size"] > 0 for t in rec["tracks"]), "empty track files: %r" % rec["tracks"])
    log("track recording started and stopped through B: %d tracks on A" % len(rec["tracks"]))


async def token_through_b(a, b, mid):
    """A token minted through B revokes the earlier one at A: Dee, live on
    A with it, leaves with roomLeft kicked/token_revoked, and joins A again
    with the new one."""
    dee_rest = b.add_participant(mid, "Dee")
    dee = RtkClient(a, "dee")
    await dee.join(dee_rest["token"])
    minted = expect(b, "POST", "/v2/meetings/%s/participants/%s/token" % (mid, dee_rest["id"]), None, 201,
                    "token re-mint through B")
    check(minted.get("token") and minted["token"] != dee_rest["token"], "a new token: %r" % minted)
    left = await dee.wait_event("roomLeft")
    check_equal((left.data.get("state"), left.data.get("reason")), ("kicked", "token_revoked"),
                "Dee's roomLeft after the re-mint through B")
    dee.abandon()
    again = RtkClient(a, "dee again")
    await again.join(minted["token"])
    check_equal(again.joined["self"]["userId"], dee_rest["id"], "Dee joined A again with the token minted through B")
    await again.leave()
    log("a token minted through B revoked Dee's presence on A; the new one joins A")


async def livestream(a, b, mid):
    doc = expect(b, "POST", "/v2/meetings/%s/livestreams" % mid, {"name": "across"}, 201, "livestream through B")
    check(doc["playback_url"].startswith("http://127.0.0.1:%d/" % a.rest_port),
          "the playback_url is not A's: %r" % doc["playback_url"])
    await wait_rest_async(b, "/v2/meetings/%s/active-livestream" % mid, lambda d: d["status"] == "LIVE",
                          "active-livestream LIVE through B")
    data = expect(b, "POST", "/v2/meetings/%s/active-livestream/stop" % mid, {}, 200, "livestream stop through B")
    check_equal(data.get("message"), "Stopped live stream successfully", "stop through B")
    log("livestream started, LIVE and stopped through B")


def download_through(server, path, token):
    connection = http.client.HTTPConnection("127.0.0.1", server.rest_port, timeout=15)
    try:
        connection.request("GET", "%s?token=%s" % (path, token))
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    finally:
        connection.close()


async def chat_file(a, b, mid, ada, bob, cy, rests, cy_rest):
    content = b"\x89PNG\r\n\x1a\n" + os.urandom(20 * 1024)
    uploaded = a.rest_ok("POST", "/v2/chat-files?name=across.png", raw=content, auth="Bearer " + rests["ada"]["token"],
                         headers={"Content-Type": "image/png"})
    await ada.control({"request": "chat.sendMessage", "message": {"type": "image", "fileId": uploaded["id"]},
                       "participantIds": [bob.peer_id]})
    await bob.wait_event("chatUpdate")
    path = "/v2/chat-files/%s/%s" % (mid, uploaded["id"])
    status, content_type, body = download_through(b, path, rests["bob"]["token"])
    check_equal((status, content_type, hashlib.sha256(body).hexdigest()),
                (200, "image/png", hashlib.sha256(content).hexdigest()),
                "Bob's download through B of a file on A (status, type, sha256)")
    status, _, body = download_through(b, path, cy_rest["token"])
    check_equal((status, json.loads(body)["error"]["code"]), (403, 403), "Cy's download through B (not a recipient)")
    left = [n for n in os.listdir(tempfile.gettempdir()) if n.startswith("rtk-forwarded-")]
    check_equal(left, [], "spooled copies left behind by B")
    log("a chat file on A: downloaded through B by its recipient, refused to Cy")


async def preset_and_delete(pg, a, b, mid, ada, bob, rests):
    preset = b.rest_ok("POST", "/v2/presets", {"name": "nodes-live-host", "permissions": {"kick_participant": True}})
    cy_rest = b.add_participant(mid, "Cy", "nodes-live-host")
    cy = RtkClient(a, "cy")
    await cy.join(cy_rest["token"])
    expect(b, "PATCH", "/v2/presets/%s" % preset["id"], {"permissions": {"kick_participant": False}}, 200,
           "preset PATCH through B")
    update = await cy.wait_event("permissionsUpdate")
    check_equal(update.data["permissions"].get("kick_participant"), False,
                "Cy's kick_participant after the preset PATCH through B")
    # a change whose broadcast never reached A (written into the store behind
    # the nodes' backs, as a PATCH on a node that could not reach A would
    # be): A catches up within a heartbeat (a third of the lease)
    pg.sql("UPDATE presets SET permissions = jsonb_set(permissions::jsonb, '{kick_participant}', 'true')::text, "
           "updated_at = to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') "
           "WHERE id = '%s'" % preset["id"])
    written = time.monotonic()
    update = await cy.wait_event("permissionsUpdate", timeout=LEASE + 5)
    check_equal(update.data["permissions"].get("kick_participant"), True,
                "Cy's kick_participant after a change A was never told of")
    log("a preset change A missed reached Cy after %.1f s" % (time.monotonic() - written))
    try:   # the next heartbeats see that version applied: nothing more
        again = await cy.wait_event("permissionsUpdate", timeout=2 * LEASE / 3 + 1)
    except TestFailure:
        again = None
    check(again is None, "Cy got that change twice: %r" % (again.data if again else None))
    await chat_file(a, b, mid, ada, bob, cy, rests, cy_rest)
    expect(b, "DELETE", "/v2/meetings/%s/participants/%s" % (mid, cy_rest["id"]), None, 200,
           "participant DELETE through B")
    left = await cy.wait_event("roomLeft")
    check_equal((left.data.get("state"), left.data.get("reason")), ("kicked", "participant_deleted"),
                "Cy's roomLeft after the DELETE through B")
    await ada.wait_event("participantLeft", where=from_peer(cy.peer_id))
    cy.abandon()
    log("preset PATCH and participant DELETE through B reached Cy on A")


async def kick(b, mid, bob, rests):
    data = expect(b, "POST", "/v2/meetings/%s/active-session/kick" % mid,
                  {"participant_ids": [rests["bob"]["id"]]}, 200, "kick Bob through B")
    check_equal([p.get("id") for p in data["participants"]], [rests["bob"]["id"]], "kicked through B")
    left = await bob.wait_event("roomLeft")
    check_equal(left.data.get("state"), "kicked", "Bob's roomLeft after the kick through B")
    session = expect(b, "GET", "/v2/meetings/%s/active-session" % mid, None, 200, "active-session after the kick")
    check_equal([p["id"] for p in session["participants"]], [rests["ada"]["id"]], "who is left after the kick")
    log("kick through B: Bob left with roomLeft kicked")


def rate_limited(b, mid):
    """A's rate limit (A_RATE a second, A_BURST at once) counts B as one client
    address: requests from CLIENTS addresses through B, each well within B's
    own limit, exceed it at A. The 429 reaches the client through B with A's
    Retry-After."""
    path = "/v2/meetings/%s/active-session" % mid
    answers = []

    def hammer(address):
        connection = http.client.HTTPConnection("127.0.0.1", b.rest_port, timeout=15, source_address=(address, 0))
        try:
            for _ in range(PER_CLIENT):
                connection.request("GET", path, headers={"Authorization": b.auth_header()})
                response = connection.getresponse()
                text = response.read().decode(errors="replace")
                answers.append((response.status, response.getheader("Retry-After"), text))
        finally:
            connection.close()
    threads = [threading.Thread(target=hammer, args=("127.0.0.%d" % (10 + i),)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(set(status for status, _, _ in answers))
    check(set(statuses) <= {200, 429} and 200 in statuses and 429 in statuses,
          "statuses through B when A limits B: %r" % statuses)
    refused = [(retry, text) for status, retry, text in answers if status == 429]
    retry, text = refused[0]
    check(retry is not None and retry.isdigit() and int(retry) >= 1,
          "Retry-After of a 429 relayed from A: %r (%s)" % (retry, text))
    check("too many requests" in json.loads(text)["error"]["message"], "A's 429 envelope: %s" % text)
    log("A limits B's forwards: %d of %d requests got A's 429 through B, with Retry-After %s"
        % (len(refused), len(answers), retry))
    time.sleep(A_BURST / A_RATE + 1)   # A's bucket refills for what follows


def owner_gone(pg, a, b, mid):
    path = "/v2/meetings/%s/active-session" % mid
    os.kill(a.proc.pid, signal.SIGSTOP)
    started = time.monotonic()
    error = expect(b, "GET", path, None, 503, "active-session through B while A does not answer")
    took = time.monotonic() - started
    check(FORWARD_TIMEOUT - 0.5 <= took <= FORWARD_TIMEOUT + 2,
          "the 503 came after %.1f s, the forward timeout is %d s" % (took, FORWARD_TIMEOUT))
    check("node 'node-a'" in error["message"], "the 503 names the node: %r" % error)
    log("A stopped: 503 after %.1f s (%s)" % (took, error["message"]))
    a.kill9()
    killed = time.monotonic()
    expect(b, "POST", "/v2/meetings/%s/active-session/kick-all" % mid, {}, 503, "kick-all while A is dead")
    check(time.monotonic() - killed < 1.5, "a dead node's 503 took %.1f s" % (time.monotonic() - killed))
    until = pg.sql("SELECT lease_until FROM placements WHERE meeting_id = '%s'" % mid)
    check(until, "the placement of the meeting is gone while A's lease is valid")
    deadline = time.monotonic() + LEASE + 5
    while True:
        got, reply = b.rest("GET", path)
        if got == 404:
            break
        check(got == 503 and time.monotonic() < deadline,
              "after A's lease (%s): %d %s" % (until, got, b.last_text))
        time.sleep(0.25)
    check("no active session" in reply["error"]["message"], "B's own answer after the lease: %r" % reply)
    log("after A's lease ended, B answers for itself (404)")


async def main():
    await with_postgres(on_nodes)


async def on_nodes(pg):
    a = live_node(pg, "node-a", 0, RTK_RATE_LIMIT=str(A_RATE), RTK_RATE_LIMIT_BURST=str(A_BURST)).start()
    b = live_node(pg, "node-b", OFFSET).start()
    meeting = b.create_meeting(title="Live across nodes")
    mid = meeting["id"]
    rests = {"ada": b.add_participant(mid, "Ada", "group_call_host"), "bob": b.add_participant(mid, "Bob")}
    ada, bob = RtkClient(a, "ada"), RtkClient(a, "bob")
    for client in (ada, bob):
        await client.join(rests[client.name]["token"])
        await client.publish()
    await ada.subscribe(rests["ada"]["token"])
    await ada.wait_frames(bob.peer_id, 10, 10, MEDIA_TIMEOUT)
    check_equal(pg.sql("SELECT node_id FROM placements WHERE meeting_id = '%s'" % mid), "node-a",
                "the meeting's placement")

    await active_session(a, b, mid, ada, bob, rests)
    connections_reused(a, b, mid)
    await mute_and_poll(b, mid, ada, bob, rests)
    await recording(a, b, mid)
    await track_recording(a, b, mid, ada, bob)
    await token_through_b(a, b, mid)
    await livestream(a, b, mid)
    await preset_and_delete(pg, a, b, mid, ada, bob, rests)
    await kick(b, mid, bob, rests)
    rate_limited(b, mid)
    ada.abandon()
    bob.abandon()
    owner_gone(pg, a, b, mid)
    b.stop()


if __name__ == "__main__":
    run_test(main)
