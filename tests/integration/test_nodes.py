#!/usr/bin/python3
"""test_nodes.py - two nodes on one PostgreSQL database (docs/deploy.md,
"Several nodes"; docs/protocol.md, join error 0806).

Owns README's RTK_NODE_ID, RTK_NODE_JANUS_URL, RTK_NODE_REST_URL and
RTK_NODE_LEASE. The test starts its own PostgreSQL (test_postgres.py's
Postgres, imported) and two janus processes with our plugin sharing it:
node A on the usual ports, node B on ports 10 higher, each with its own
data directory and the same credentials. Asserted:
  * both nodes write their row (id, janus_url, rest_url, heartbeat);
  * a meeting joined through A is placed on A (its placements row), and
    the live session in the history reads the same from B's REST as from
    A's (REST reads the shared store);
  * a participant of that meeting joining through B is refused with 0806
    and A's janusUrl; joining again at A (the URL followed), both are in
    the meeting and each sees the other's participantJoined;
  * A killed with SIGKILL: its lease is still valid for a moment (a join
    through B is sent to A); once the lease ends, a join through B
    places the meeting on B, starts a new live session there, and the
    session A left LIVE is ENDED in the history;
  * a node id without RTK_DATABASE_URL is refused by `rtk render-conf`
    with a clear message.
"""

import os
import shutil
import subprocess
import tempfile
import time

from rtk_harness import RtkClient, Server, SRCDIR, check, check_equal, log, run_test
from test_postgres import with_postgres, wait_rest

LEASE = 3        # seconds: RTK_NODE_ID's lease, the shortest the setting takes
OFFSET = 10      # node B's ports: 8090 (REST), 8098 (Janus HTTP), 8198 (Janus WebSocket)
CREDENTIALS = {
    "RTK_ORG_ID": "4a1b6a3e-0f4c-4f43-9d2e-6c3b1b0a7e11",
    "RTK_API_KEY": "nodes-test-api-key",
    "RTK_JWT_SECRET": "nodes-test-jwt-secret",
}


def node(pg, name, offset):
    janus_url = "ws://127.0.0.1:%d/" % (8188 + offset)
    env = dict(CREDENTIALS, RTK_DATABASE_URL=pg.url, RTK_NODE_ID=name, RTK_NODE_JANUS_URL=janus_url,
               RTK_NODE_REST_URL="http://127.0.0.1:%d" % (8080 + offset), RTK_NODE_LEASE=str(LEASE),
               RTK_PLUGINS_SEED="")
    server = Server(env=env, port_offset=offset)
    server.node_janus_url = janus_url
    return server


def wait_sql(pg, query, wanted, what, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        got = pg.sql(query)
        if got == wanted:
            return
        check(time.monotonic() < deadline, "%s: expected %r, got %r" % (what, wanted, got))
        time.sleep(0.1)


async def join_refused(client, token):
    """A join answered with an error: its error object."""
    await client.connect()
    event = await client.request(client.main, {"request": "join", "token": token}, expect="error")
    return event.data["error"]


def render_refused():
    """RTK_NODE_ID without RTK_DATABASE_URL: render-conf (./rtk run's
    check) fails and says why."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RTK_") or k == "RTK_TOP_SRCDIR"}
    env.update(RTK_NODE_ID="a", RTK_NODE_JANUS_URL="ws://127.0.0.1:8188/")
    outdir = tempfile.mkdtemp(prefix="rtk-nodes-conf-")
    try:
        result = subprocess.run([os.path.join(SRCDIR, "rtk"), "render-conf", os.path.join(outdir, "janus")],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    finally:
        shutil.rmtree(outdir, ignore_errors=True)
    out = result.stdout.decode(errors="replace")
    check(result.returncode != 0 and "RTK_NODE_ID needs RTK_DATABASE_URL" in out,
          "render-conf with a node id on SQLite: status %d, %r" % (result.returncode, out))
    log("a node id without RTK_DATABASE_URL is refused: %s" % out.strip().splitlines()[-1])


async def main():
    render_refused()
    await with_postgres(on_nodes)


async def on_nodes(pg):
    a = node(pg, "node-a", 0).start()
    b = node(pg, "node-b", OFFSET).start()
    for server, name in ((a, "node-a"), (b, "node-b")):
        wait_sql(pg, "SELECT janus_url || ' ' || rest_url FROM nodes WHERE id = '%s'" % name,
                 "%s http://127.0.0.1:%d" % (server.node_janus_url, server.rest_port), "%s's row" % name)
    log("both nodes are in the nodes table")

    # 1. a meeting joined through A is placed on A; B's REST reads the same session
    meeting = a.create_meeting(title="Across nodes")
    mid = meeting["id"]
    r1 = a.add_participant(mid, "Ada", "group_call_host")
    r2 = b.add_participant(mid, "Bob")     # REST on either node: one store
    ada = RtkClient(a, "ada")
    await ada.join(r1["token"])
    sid = ada.joined["meeting"]["sessionId"]
    check_equal(pg.sql("SELECT node_id FROM placements WHERE meeting_id = '%s'" % mid), "node-a",
                "the meeting's placement after a join through A")
    on_a = wait_rest(a, "/v2/sessions/%s" % sid, lambda d: d.get("live_participants") == 1,
                     "the live session on A's REST")["data"]
    on_b = wait_rest(b, "/v2/sessions/%s" % sid, lambda d: d.get("live_participants") == 1,
                     "the live session on B's REST")["data"]
    check_equal((on_b["status"], on_b["meeting_id"], on_b["started_at"]),
                (on_a["status"], on_a["meeting_id"], on_a["started_at"]), "the session read through B and A")
    got, reply = b.rest("GET", "/v2/sessions?meeting_id=%s&status=LIVE" % mid)
    check_equal((got, [s["id"] for s in reply["data"]["sessions"]]), (200, [sid]),
                "B's list of the meeting's LIVE sessions")
    log("meeting placed on node A; its live session reads the same through B")

    # 2. Bob joins through B: sent to A, joins there, both see each other
    bob_b = RtkClient(b, "bob@b")
    error = await join_refused(bob_b, r2["token"])
    check_equal((error.get("code"), error.get("janusUrl")), ("0806", a.node_janus_url),
                "the join through B (code, janusUrl)")
    check(isinstance(error.get("message"), str) and error["message"], "0806 without a message: %r" % error)
    check_equal(pg.sql("SELECT node_id FROM placements WHERE meeting_id = '%s'" % mid), "node-a",
                "the placement after the refused join")
    bob_b.abandon()
    bob = RtkClient(a, "bob")   # the janusUrl followed: A's Janus
    await bob.join(r2["token"])
    await ada.wait_event("participantJoined", where=lambda e: e.data["participant"]["name"] == "Bob")
    check_equal(bob.joined["meeting"]["sessionId"], sid, "Bob's session after the redirect")
    check("Ada" in [p.get("name") for p in bob.joined.get("participants", [])],
          "Bob's roomJoined lists Ada: %r" % bob.joined.get("participants"))
    log("a join through B is sent to A (0806, janusUrl); there both are in the meeting")

    # 3. A dies: after its lease, B places the meeting again
    ada.abandon()
    bob.abandon()
    a.kill9()
    killed = time.monotonic()
    cy = RtkClient(b, "cy@b")
    error = await join_refused(cy, r2["token"])
    check_equal(error.get("code"), "0806", "a join through B while A's lease is still valid")
    cy.abandon()
    time.sleep(max(0.0, LEASE + 0.5 - (time.monotonic() - killed)))
    bob2 = RtkClient(b, "bob2")
    await bob2.join(r2["token"])
    sid2 = bob2.joined["meeting"]["sessionId"]
    check(sid2 != sid, "a new live session on B: %s" % sid2)
    check_equal(pg.sql("SELECT node_id FROM placements WHERE meeting_id = '%s'" % mid), "node-b",
                "the placement after A's lease ended")
    old = b.rest_ok("GET", "/v2/sessions/%s" % sid)
    check_equal((old["status"], old["live_participants"]), ("ENDED", 0), "the session A left LIVE")
    check(isinstance(old.get("ended_at"), str), "the ended session has no ended_at: %r" % old)
    new = wait_rest(b, "/v2/sessions/%s" % sid2, lambda d: d.get("live_participants") == 1,
                    "the new live session on B")["data"]
    check_equal((new["status"], new["meeting_id"]), ("LIVE", mid), "the new session")
    log("node A killed: after its lease, B placed the meeting, the old session is ENDED")

    # B stops: the meeting ends with it and its placement goes
    bob2.abandon()
    b.stop()
    check_equal(pg.sql("SELECT count(*) FROM placements"), "0", "placements after B stopped")
    check_equal(pg.sql("SELECT doc::json->>'status' FROM sessions WHERE id = '%s'" % sid2), "ENDED",
                "B's session after B stopped")
    log("a node that stops releases its placements and ends its sessions")


if __name__ == "__main__":
    run_test(main)
