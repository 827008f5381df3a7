#!/usr/bin/python3
"""test_reconnect.py - the server side of reconnection (docs/protocol.md,
"Reconnecting"): a participant whose socket drops keeps its seat for
RTK_JANUS_RECLAIM_TIMEOUT seconds, finds out from `sync` what it missed,
and restarts ICE on both PeerConnections without the others noticing.

A host A and a participant B publish VP8 + Opus (aiortc, Janus HTTP API)
and subscribe to each other; the server runs with a 6 s reclaim timeout.
  * publisher re-offer: A sends `publish` again with an offer of the same
    m-lines (what an ICE restart sends): answered `published` with the same
    streams, and B sees nothing of it: no `updated` offer, no
    audioUpdate/videoUpdate, and A's frames keep arriving at B;
  * subscriber restart: a third participant C (over HTTP) subscribes and
    never answers the `subscribed` offer (as if it were lost with the
    socket); `configure` {"restart": true} is answered by an `updated` offer
    (`restart` true, the same streams) whose ICE credentials are new; C
    answers it and decodes A's video and audio;
  * claim: D joins over a WebSocket, which then closes; a new WebSocket
    `claim`s D's Janus session: success, and `sync` on D's main handle
    answers `roomState` "joined" with A, B and C in `participants`; after
    a second's worth of B's frames from A, B has seen no participantLeft and
    a single participantJoined for D;
  * what was missed: D's socket closes again, the host kicks D meanwhile (the
    roomLeft is lost); after a new claim, `sync` answers `roomState`
    "kicked";
  * the grace period ends: E joins over a WebSocket that closes and nobody
    claims the session: B gets participantLeft for E (within 30 s), and a
    later claim of E's session is refused by Janus (458, no such session).
Before the reclaim timeout (Janus's default 0), the claim got 458 at once
and B saw participantLeft for D; before the plugin's part, the re-offer sent
B an `updated` offer, `configure` without `mid` was refused (1203) and
`sync` was unknown (0002).
"""

import asyncio
import json
import re
import struct

from rtk_harness import (RtkClient, Server, about_user, check, check_equal, from_peer, log,
                         run_test, JanusSession, jsep_of, new_peer_connection)
from test_janus_origins import WebSocket, GATEWAY_ORIGIN

RECLAIM_TIMEOUT = 6


def ice_ufrags(sdp):
    return set(re.findall(r"a=ice-ufrag:(\S+)", sdp))


class JanusSocket:
    """The Janus API over one WebSocket (blocking): requests wait for the
    reply with their transaction; other messages are kept."""

    counter = 0

    def __init__(self):
        self.ws = WebSocket(GATEWAY_ORIGIN)
        check_equal(self.ws.status, 101, "WebSocket handshake")
        self.session_id = None
        self.seen = []

    def request(self, message, plugin=False):
        JanusSocket.counter += 1
        transaction = "ws%d" % JanusSocket.counter
        message = dict(message, transaction=transaction)
        if self.session_id is not None and "session_id" not in message:
            message["session_id"] = self.session_id
        self.ws.send(message)
        while True:
            reply = self.receive()
            self.seen.append(reply)
            if reply.get("transaction") != transaction or reply.get("janus") == "ack":
                continue
            if plugin and reply.get("janus") == "event":
                return reply["plugindata"]["data"]
            if not plugin or reply.get("janus") == "error":
                return reply

    def receive(self):
        """One text message, its fragments joined (libwebsockets splits
        long ones); control frames are skipped."""
        payload = b""
        while True:
            first, second = self.ws._exactly(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack("!H", self.ws._exactly(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", self.ws._exactly(8))[0]
            data = self.ws._exactly(length)
            if first & 0x0F in (0x8, 0x9, 0xA):
                continue
            payload += data
            if first & 0x80:
                return json.loads(payload)

    def create(self):
        self.session_id = self.request({"janus": "create"})["data"]["id"]
        return self.session_id

    def attach(self):
        return self.request({"janus": "attach", "plugin": "janus.plugin.rtk"})["data"]["id"]

    def message(self, handle, body):
        return self.request({"janus": "message", "handle_id": handle, "body": body}, plugin=True)

    def close(self):
        self.ws.close()


async def blocking(function, *args):
    return await asyncio.get_running_loop().run_in_executor(None, function, *args)


async def check_publish_reoffer(a, b):
    answered = b.offers_answered
    before = dict(b.frames[a.peer_id])
    event = await a.request(a.main, {"request": "publish"}, jsep=jsep_of(a.pub_pc.localDescription),
                            expect="published")
    check_equal(event.data.get("streams"), a.published.get("streams"), "streams of the re-offer")
    check(event.jsep and event.jsep.get("type") == "answer", "the re-offer got no answer")
    # a second's worth of media: the re-offer changed nothing for B
    await b.wait_frames(a.peer_id, video=before["video"] + 30, audio=before["audio"] + 50)
    check_equal(b.offers_answered, answered, "offers B answered after A's re-offer")
    updates = [e for name in ("audioUpdate", "videoUpdate") for e in b.janus.events(b.main, name)
               if from_peer(a.peer_id)(e)]
    check_equal(updates, [], "B's media updates about A after A's re-offer")
    log("publish re-offer: same streams, B saw nothing and kept decoding A")


async def check_subscriber_restart(server, a, token_c):
    c = RtkClient(server, "C")
    await c.join(token_c)
    c.sub = await c._blocking(c.janus.attach)
    first = await c.request(c.sub, {"request": "subscribe", "token": token_c}, expect="subscribed")
    check(first.jsep is not None, "C's subscribed carries no offer")
    # the offer is not answered: as if it were lost with C's socket
    restarted = await c.request(c.sub, {"request": "configure", "restart": True}, expect="updated")
    check_equal(restarted.data.get("restart"), True, "restart flag of the restart offer")
    check_equal(restarted.data.get("streams"), first.data.get("streams"), "streams of the restart offer")
    check(restarted.jsep is not None and restarted.jsep.get("type") == "offer",
          "the restart reply carries no offer: %r" % restarted.jsep)
    old, new = ice_ufrags(first.jsep["sdp"]), ice_ufrags(restarted.jsep["sdp"])
    check(new and not (old & new), "ICE credentials did not change: %r -> %r" % (old, new))
    c.sub_pc = new_peer_connection()
    c.sub_pc.on("track", c._on_track)
    await c._apply_streams(restarted)
    await c.wait_frames(a.peer_id, video=30, audio=50)
    log("subscriber restart: new ICE credentials %s -> %s, C decodes A" % (sorted(old), sorted(new)))
    return c


def ws_join(token):
    sock = JanusSocket()
    sock.create()
    main = sock.attach()
    joined = sock.message(main, {"request": "join", "token": token})
    check_equal(joined.get("rtk"), "roomJoined", "join over the WebSocket")
    return sock, main, joined["self"]["id"]


def ws_claim(session_id):
    sock = JanusSocket()
    sock.session_id = session_id
    return sock, sock.request({"janus": "claim"})


async def check_claim(b, peers, token_d, host, rest_d):
    sock, main, d_peer = await blocking(ws_join, token_d)
    await b.wait_event("participantJoined", where=about_user(rest_d["id"]))
    sock.close()
    await asyncio.sleep(1)    # the transport is gone before the claim
    sock, reply = await blocking(ws_claim, sock.session_id)
    check_equal(reply.get("janus"), "success", "claim of D's session: %r" % reply)
    state = await blocking(sock.message, main, {"request": "sync"})
    check_equal((state.get("rtk"), state.get("roomState")), ("roomState", "joined"), "D's sync")
    check_equal(state["self"]["id"], d_peer, "D's peer id after the claim")
    check_equal(sorted(p["id"] for p in state.get("participants") or []), sorted(peers),
                "participants in D's sync")
    check("recording" in state and "livestream" in state, "sync has no recording/livestream: %r" % state)
    before = dict(b.frames[host.peer_id])
    await b.wait_frames(host.peer_id, video=before["video"] + 30)
    check_equal([e for e in b.janus.events(b.main, "participantLeft") if e.data.get("participantId") == d_peer],
                [], "B's participantLeft for D across D's reconnection")
    joined = [e for e in b.janus.events(b.main, "participantJoined") if about_user(rest_d["id"])(e)]
    check_equal(len(joined), 1, "B's participantJoined for D")
    log("claim: D kept peer %s, sync listed %d participants, B saw no participantLeft" % (d_peer, len(peers)))

    # the socket drops again and the host kicks D meanwhile: the roomLeft is lost
    sock.close()
    await asyncio.sleep(1)
    await host.control({"request": "participant.kick", "participantId": d_peer})
    await b.wait_event("participantLeft", where=from_peer(d_peer))
    sock, reply = await blocking(ws_claim, sock.session_id)
    check_equal(reply.get("janus"), "success", "second claim of D's session: %r" % reply)
    state = await blocking(sock.message, main, {"request": "sync"})
    check_equal((state.get("rtk"), state.get("roomState")), ("roomState", "kicked"),
                "D's sync after a kick it missed")
    sock.close()
    log("sync after a missed kick: roomState kicked")


async def check_grace_ends(b, token_e, rest_e):
    sock, main, e_peer = await blocking(ws_join, token_e)
    await b.wait_event("participantJoined", where=about_user(rest_e["id"]))
    sock.close()
    left = await b.wait_event("participantLeft", where=from_peer(e_peer), timeout=RECLAIM_TIMEOUT + 24)
    check(left is not None, "no participantLeft for E")
    sock, reply = await blocking(ws_claim, sock.session_id)
    check_equal((reply.get("janus"), (reply.get("error") or {}).get("code")), ("error", 458),
                "claim of E's expired session")
    sock.close()
    log("grace period over: B got participantLeft for E, the claim got 458")


async def scenario(server):
    meeting = server.create_meeting(title="Reconnect")["id"]
    rests = {name: server.add_participant(meeting, name, preset_name=preset)
             for name, preset in (("A", "group_call_host"), ("B", "group_call_participant"),
                                  ("C", "group_call_participant"), ("D", "group_call_participant"),
                                  ("E", "group_call_participant"))}
    a, b = RtkClient(server, "A"), RtkClient(server, "B")
    for client in (a, b):
        await client.join(rests[client.name]["token"])
        await client.publish()
    for client in (a, b):
        await client.subscribe(rests[client.name]["token"])
    await b.wait_frames(a.peer_id, video=30, audio=50)

    await check_publish_reoffer(a, b)
    c = await check_subscriber_restart(server, a, rests["C"]["token"])
    await check_claim(b, [a.peer_id, b.peer_id, c.peer_id], rests["D"]["token"], a, rests["D"])
    await check_grace_ends(b, rests["E"]["token"], rests["E"])


async def main():
    server = Server(env={"RTK_JANUS_RECLAIM_TIMEOUT": str(RECLAIM_TIMEOUT)}).start()
    await scenario(server)


if __name__ == "__main__":
    run_test(main)
