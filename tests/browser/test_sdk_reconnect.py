#!/usr/bin/python3
"""test_sdk_reconnect.py - reconnection in a real browser (issue 9: "the
socket is cut and the meeting continues without a new roomJoined for the
others").

Two headless Chromium pages (tests/browser/sdk_reconnect.js,
sdk_reconnect.html served by the gateway) join one meeting through the web
SDK: B first, then A, whose Janus WebSocket goes through a TCP relay this
test runs (10.77.0.1:18188 -> Janus on 127.0.0.1:8188). Once each decodes
the other's video, the test cuts A's socket: the relay closes both ends of
A's connection, as a dropped network path or a restarted proxy would.
Asserted:
  * A's page goes to roomState "disconnected" (roomLeft {state:
    "disconnected"}) and back to "joined" (roomJoined {reconnected: true}),
    through a second relay connection (the claim), without a new join;
  * both of A's PeerConnections restarted ICE (new a=ice-ufrag in their
    local descriptions) and are connected again;
  * B saw A join once (one participantJoined) and never leave (no
    participantLeft), and its participants.joined still holds A with the
    same peer id;
  * A's video keeps arriving at B after the cut: B's
    requestVideoFrameCallback count for A advances by 60 frames after A
    is joined again, and A decodes 60 more frames of B's;
  * then a network change with the socket up: the test drops every UDP
    packet to or from the local ports of A's two PeerConnections (tc on
    the namespace's lo: an htb class with a zero-length queue, chosen by u32
    port filters); A's ICE goes disconnected, both PeerConnections restart
    ICE by themselves (new a=ice-ufrag, connected on other ports), A stays
    "joined" throughout (no new roomLeft) and video flows both ways again
    (60 more frames each way), B still sees no participantLeft;
  * A closes its tab: B sees A leave within 20 s, well inside the 30 s
    reconnection grace (the SDK sends leave on pagehide);
  * no console errors on either page.
Before the reconnection work, A ended in roomLeft {state: "disconnected"}
for good and B got participantLeft for A.

Needs /usr/bin/chromium (or $RTK_CHROMIUM), node and `npm ci --prefix
tests/browser`; RTK_SKIP_BROWSER=1 skips it (77).
"""

import asyncio
import json
import os
import subprocess
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from rtk_harness import (EXIT_SKIP, JANUS_WS_PORT, VETH_ADDRESS, Server, check, check_equal, log,  # noqa: E402
                         run_test)
import browser_driver  # noqa: E402
from browser_driver import CHROMIUM, BrowserDriver  # noqa: E402
from test_sdk_meeting import web_dir  # noqa: E402

DRIVER = os.path.join(HERE, "sdk_reconnect.js")
TEST_PAGE = os.path.join(HERE, "sdk_reconnect.html")
RELAY_PORT = 18188


class Relay:
    """A TCP relay to the Janus WebSocket port whose connections the test
    can cut (both ends closed at once)."""

    def __init__(self):
        self.connections = []   # (client writer, upstream writer)
        self.accepted = 0
        self.server = None

    async def start(self):
        self.server = await asyncio.start_server(self._serve, VETH_ADDRESS, RELAY_PORT)

    async def _serve(self, reader, writer):
        self.accepted += 1
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", JANUS_WS_PORT)
        pair = (writer, up_writer)
        self.connections.append(pair)

        async def pump(source, sink):
            try:
                while True:
                    data = await source.read(65536)
                    if not data:
                        break
                    sink.write(data)
                    await sink.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                sink.close()

        await asyncio.gather(pump(reader, up_writer), pump(up_reader, writer))
        if pair in self.connections:
            self.connections.remove(pair)

    def cut(self):
        """Closes every open connection, both ends; returns how many."""
        cut = list(self.connections)
        for client, upstream in cut:
            client.transport.abort()
            upstream.transport.abort()
        return len(cut)

    def close(self):
        if self.server is not None:
            self.server.close()


def drop_udp_ports(ports):
    """Drops every UDP packet from or to `ports` on lo (where traffic
    between the namespace's own addresses goes): an htb class whose queue
    holds nothing, chosen by u32 filters; the rest passes by the default
    class. Needs only sch_htb, sch_fifo and cls_u32 (no netem, no actions)."""
    commands = [
        "qdisc add dev lo root handle 1: htb default 1",
        "class add dev lo parent 1: classid 1:1 htb rate 10gbit quantum 60000",
        "class add dev lo parent 1: classid 1:2 htb rate 10gbit quantum 60000",
        "qdisc add dev lo parent 1:2 handle 20: pfifo limit 0",
    ]
    for port in ports:
        for field in ("sport", "dport"):
            commands.append("filter add dev lo parent 1: protocol ip prio 1 u32 match ip protocol 17 0xff "
                            "match ip %s %d 0xffff flowid 1:2" % (field, port))
    for command in commands:
        result = subprocess.run(["tc"] + command.split(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        check(result.returncode == 0, "tc %s: %s" % (command, result.stdout.decode(errors="replace")))


def page_url(server, token, janus=None):
    query = {"token": token}
    if janus:
        query["janus"] = janus
    return "%s/sdk/test/reconnect.html?%s" % (server.rest_base, urllib.parse.urlencode(query))


def events(snapshot, what, peer_id=None):
    return [e for e in snapshot["log"] if e["what"] == what and (peer_id is None or e.get("id") == peer_id)]


async def main():
    node = browser_driver.browser_tools("the SDK reconnection browser test")
    root = web_dir()
    with open(TEST_PAGE, "rb") as src, open(os.path.join(root, "test", "reconnect.html"), "wb") as dst:
        dst.write(src.read())
    server = Server(env={"RTK_WEB_DIR": root}).start()
    meeting = server.create_meeting(title="SDK reconnection test")
    a = server.add_participant(meeting["id"], "Ada", "group_call_participant")
    b = server.add_participant(meeting["id"], "Bob", "group_call_participant")
    relay = Relay()
    await relay.start()
    driver = BrowserDriver([node, DRIVER, "--chromium", CHROMIUM,
                            "--a-url", page_url(server, a["token"], "ws://%s:%d/" % (VETH_ADDRESS, RELAY_PORT)),
                            "--b-url", page_url(server, b["token"])])
    await driver.start()
    try:
        doc = await driver.report("decoding", 120)
        a_id = doc["decoding"]["a"]["self"]["id"]
        check_equal(relay.accepted, 1, "A's WebSocket connections through the relay before the cut")
        log("both decode each other; A (%s) is on the relay" % a_id)

        check_equal(relay.cut(), 1, "connections cut")
        driver.proc.stdin.write(b"cut\n")
        doc = await driver.report("reconnected", 120)
        check_socket_cut(doc, relay, a_id)

        ports = sorted(set(doc["ports"].values()))
        drop_udp_ports(ports)
        log("network change: UDP of A's ports %s dropped" % ports)
        driver.proc.stdin.write(b"netcut\n")
        doc = await driver.report("done", 150)
        check_network_change(doc, a_id, ports)
    finally:
        await driver.close()
        relay.close()
    errors = doc["consoleErrors"]
    check(not errors["a"] and not errors["b"], "console errors: %s" % json.dumps(errors, indent=1)[:6000])


def check_socket_cut(doc, relay, a_id):
    # A: disconnected, then joined again on the same session
    after_a = doc["after"]["a"]
    left = [e["payload"] for e in events(after_a, "roomLeft")]
    check_equal(left, [{"state": "disconnected"}], "A's roomLeft events")
    check_equal(after_a["self"]["roomState"], "joined", "A's roomState after the reconnection")
    check_equal(after_a["self"]["id"], a_id, "A's peer id after the reconnection")
    check_equal(relay.accepted, 2, "A's WebSocket connections through the relay (the first, then the claim)")
    log("A: disconnected after %d ms, joined again %d ms after the cut" % (doc["disconnectedMs"], doc["rejoinedMs"]))

    # both of A's PeerConnections restarted ICE
    before, now = doc["decoding"]["aIce"], doc["after"]["aIce"]
    for pc in ("publisher", "subscriber"):
        check(now[pc] and not set(now[pc]) & set(before[pc]),
              "A's %s kept its ICE credentials %s -> %s" % (pc, before[pc], now[pc]))
        check(now[pc + "Ice"] in ("connected", "completed"), "A's %s ICE is %s" % (pc, now[pc + "Ice"]))
    log("A restarted ICE: publisher %s -> %s, subscriber %s -> %s"
        % (before["publisher"], now["publisher"], before["subscriber"], now["subscriber"]))

    # B saw nothing of it
    after_b = doc["after"]["b"]
    check_equal(len(events(after_b, "participantJoined", a_id)), 1, "B's participantJoined events for A")
    check_equal(events(after_b, "participantLeft", a_id), [], "B's participantLeft events for A")
    check_equal([p["id"] for p in after_b["joined"]], [a_id], "B's participants.joined")
    check_equal(events(after_b, "roomLeft"), [], "B's roomLeft events")

    # media flowed on
    for who, other in (("b", "a"), ("a", "b")):
        v0 = doc["reconnected"][who]["joined"][0]["video"]
        v1 = doc["after"][who]["joined"][0]["video"]
        check(v1["frames"] - v0["frames"] >= 60 and v1["width"] > 0,
              "%s: video of %s after the reconnection: %s -> %s" % (who, other, v0, v1))
        log("%s decoded %d frames of %s's video after the reconnection (%d before the cut)"
            % (who.upper(), v1["frames"] - v0["frames"], other.upper(),
               doc["decoding"][who]["joined"][0]["video"]["frames"]))



def check_network_change(doc, a_id, ports):
    after_a, after_b = doc["afterNetcut"]["a"], doc["afterNetcut"]["b"]
    check_equal([e["payload"] for e in events(after_a, "roomLeft")], [{"state": "disconnected"}],
                "A's roomLeft events (the socket cut's only)")
    check_equal(after_a["self"]["roomState"], "joined", "A's roomState after the network change")
    check(doc["iceSeen"]["publisherIce"] != "connected" or doc["iceSeen"]["subscriberIce"] != "connected",
          "A's ICE never noticed the cut: %s" % doc["iceSeen"])
    before, now = doc["after"]["aIce"], doc["afterNetcut"]["aIce"]
    for pc in ("publisher", "subscriber"):
        check(now[pc] and not set(now[pc]) & set(before[pc]),
              "A's %s did not restart ICE after the network change: %s -> %s" % (pc, before[pc], now[pc]))
        check(now[pc + "Ice"] in ("connected", "completed"), "A's %s ICE is %s" % (pc, now[pc + "Ice"]))
        check(doc["portsAfterNetcut"][pc] not in ports,
              "A's %s still uses a dropped port: %s" % (pc, doc["portsAfterNetcut"]))
    check_equal(events(after_b, "participantLeft", a_id), [], "B's participantLeft events for A")
    check_equal(len(events(after_b, "participantJoined", a_id)), 1, "B's participantJoined events for A")
    for who, other in (("b", "a"), ("a", "b")):
        got = after_a if who == "a" else after_b
        frames = got["joined"][0]["video"]["frames"] - doc["netcut"]["before"][who]
        check(frames >= 60, "%s decoded %d frames of %s's video after the network change" % (who, frames, other))
    log("network change: A's ICE left connected after %d ms, both PeerConnections restarted ICE on new "
        "ports %s and were connected again %d ms after the cut; video flows both ways, A stayed joined"
        % (doc["iceNoticedMs"], doc["portsAfterNetcut"], doc["iceRestoredMs"]))
    # the driver waited at most 20 s; without the SDK's leave on pagehide
    # the presence would stay for the reconnection grace (30 s)
    log("A closed its tab: B saw A leave %d ms later (the reconnection grace is 30 s)" % doc["closedTabLeftMs"])


if __name__ == "__main__":
    if os.environ.get("RTK_SKIP_BROWSER") == "1":
        print("SKIP: RTK_SKIP_BROWSER=1", flush=True)
        sys.exit(EXIT_SKIP)
    run_test(main)
