#!/usr/bin/python3
"""test_sdk_cascade_stage.py - a webinar viewer in Chromium, joined through
an edge of a cascaded meeting, asks for the stage: the SDK moves her to the
meeting's node without the app noticing (sdk/meeting.js, #moveToOrigin;
docs/protocol.md, 0807; docs/deploy.md, "Cascading a large meeting").

PostgreSQL and two nodes as tests/integration/test_cascade.py (node A owns
the meeting, B is an edge; both let any page origin use their Janus API).
The presenter (webinar_presenter, a stage host) publishes red on A from
aiortc. Wendy (webinar_viewer) opens the demo page (sdk/demo/, driven by
tests/browser/demo_pages.js) served by B and clicks Join. Asserted, as she
and the app see it:
  * her SDK's Janus WebSocket is B's, B's log says it mirrors the meeting
    (she is on its edge, not sent to A), and her page decodes the
    presenter's tile;
  * she clicks "Request to join stage": her stage bar ends
    REQUESTED_TO_JOIN_STAGE, her Janus WebSocket is now A's
    RTK_NODE_JANUS_URL, self.id is a new presence's, the page stayed on the
    meeting screen, and the app got no roomLeft and no roomJoined (listeners
    on meeting.self); participants.joined still holds the presenter;
  * the presenter on A gets newStageRequest for her and grants it; she
    clicks Join stage: ON_STAGE, and the presenter decodes her camera (the
    fake camera, from A where she now publishes);
  * her page decodes the presenter's tile again after the move (new
    subscriber on A);
  * no console errors on her page.

Needs /usr/bin/chromium (or $RTK_CHROMIUM), node and `npm ci --prefix
tests/browser`; RTK_SKIP_BROWSER=1 skips it (77).
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from rtk_harness import EXIT_SKIP, check, check_equal, log, run_test, two_nodes  # noqa: E402
from demo_pages import Pages, page_url, tools  # noqa: E402
from test_cascade import OFFSET, RED, Client, log_says  # noqa: E402
from test_postgres import with_postgres  # noqa: E402

ANY_ORIGIN = {"RTK_JANUS_ALLOW_ORIGIN": "*"}

# Listeners an app would have: every roomLeft / roomJoined the SDK emits.
WATCH = """(() => {
  const m = window.rtkMeeting;
  window.appSaw = { roomLeft: [], roomJoined: [] };
  m.self.on('roomLeft', (p) => window.appSaw.roomLeft.push(p));
  m.self.on('roomJoined', (p) => window.appSaw.roomJoined.push(p));
  return m._transport.url;
})()"""

STATE = """(() => {
  const m = window.rtkMeeting;
  return { url: m._transport && m._transport.url, id: m.self.id, roomState: m.self.roomState,
           stage: m.stage.status, saw: window.appSaw, joined: m.participants.joined.toArray().map((p) => p.id) };
})()"""


def bar(snap):
    return snap["stageBar"] or {}


async def main():
    node = tools("the cascade stage browser test")
    await with_postgres(move_to_stage, node)


async def move_to_stage(pg, node):
    a, b = two_nodes(pg, OFFSET, ANY_ORIGIN)
    mid = a.create_meeting(title="Webinar in a browser")["id"]
    rp = a.add_participant(mid, "Presenter", "webinar_presenter")
    rw = a.add_participant(mid, "Wendy", "webinar_viewer")

    presenter = Client(a, "presenter@a")
    await presenter.join(rp["token"])
    await presenter.control({"request": "stage.join"})
    await presenter.publish_solid(RED)
    await presenter.subscribe(rp["token"])
    log("the presenter publishes red on node A")

    pages = Pages(node)
    await pages.start()
    try:
        await pages.join("wendy", page_url(b, rw["token"]))
        w = await pages.until("wendy", "in the meeting, off stage", lambda s: s["screen"] == "meeting"
                              and bar(s).get("status") == "OFF_STAGE", timeout=45)
        edge_id = w["sdk"]["id"]
        url = await pages.run("wendy", WATCH)
        check(url.endswith(":%d/" % b.janus_ws_port), "Wendy's Janus WebSocket before the move: %s (B's port is %d)"
              % (url, b.janus_ws_port))
        check(log_says(b, "mirrored here (cascade edge)"), "node B's log does not say it runs an edge")
        await pages.decoding("wendy", presenter.peer_id, "Wendy on B's edge decodes the presenter")
        log("Wendy's page joined through B (%s), on its edge, and decodes the presenter" % url)

        await pages.click("wendy", "#stage-request")
        await pages.until("wendy", "her request on A", lambda s: bar(s).get("status") == "REQUESTED_TO_JOIN_STAGE")
        state = await pages.run("wendy", STATE)
        check_equal(state["url"], a.node_janus_url, "Wendy's Janus WebSocket after the request")
        check(state["id"] and state["id"] != edge_id, "self.id after the move: %r (on the edge: %r)"
              % (state["id"], edge_id))
        check_equal((state["roomState"], state["stage"]), ("joined", "REQUESTED_TO_JOIN_STAGE"),
                    "Wendy's roomState and stage status")
        check_equal(state["saw"], {"roomLeft": [], "roomJoined": []}, "what the app's listeners got")
        check(presenter.peer_id in state["joined"], "participants.joined lost the presenter: %r" % state["joined"])
        snap = await pages.snap("wendy")
        screens = snap["screens"]
        check("meeting" in screens and screens[screens.index("meeting"):] == ["meeting"],
              "the page left the meeting screen: %r" % screens)
        check(log_says(b, "asks for the stage on this edge: sent to %s" % a.node_janus_url),
              "node B's log does not say it sent her to A")
        log("she asked: now on A (%s) as %s, REQUESTED_TO_JOIN_STAGE, no roomLeft/roomJoined for the app"
            % (state["url"], state["id"]))

        user_id = rw["id"]
        await presenter.wait_event("newStageRequest", timeout=10, where=lambda e: e.data.get("userId") == user_id)
        await presenter.control({"request": "stage.grantAccess", "userIds": [user_id]})
        await pages.until("wendy", "Join stage offered", lambda s: (s["buttons"]["stage-join"] or {}).get("disabled")
                          is False)
        await pages.click("wendy", "#stage-join")
        await pages.until("wendy", "on stage", lambda s: bar(s).get("status") == "ON_STAGE")
        await presenter.wait_frames(state["id"], 30, 0, 30)
        log("the host granted the stage; she is on stage and the presenter decodes her camera (%d frames)"
            % presenter.frames[state["id"]]["video"])
        await pages.decoding("wendy", presenter.peer_id, "Wendy on A decodes the presenter")
        errors = await pages.console_errors()
        check(not errors.get("wendy"), "console errors on Wendy's page: %s" % json.dumps(errors, indent=1)[:4000])
    finally:
        await pages.close()
        presenter.abandon()


if __name__ == "__main__":
    if os.environ.get("RTK_SKIP_BROWSER") == "1":
        print("SKIP: RTK_SKIP_BROWSER=1", flush=True)
        sys.exit(EXIT_SKIP)
    run_test(main)
