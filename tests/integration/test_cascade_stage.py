#!/usr/bin/python3
"""test_cascade_stage.py - a webinar viewer of a cascaded meeting who asks
for the stage (docs/deploy.md, "Cascading a large meeting"; docs/protocol.md,
"Several nodes", 0807; issue 15).

Owns the routing of stage-gated presets (stage_access CAN_REQUEST) to a
cascade edge, the edge's 0807 answer to their stage.requestAccess and the
join flag "origin". PostgreSQL and two nodes as test_cascade.py (node A
owns the meeting, B is an edge), driven as a client following the protocol
would (the SDK's side: tests/browser/test_sdk_cascade_stage.py). Asserted,
as the users see it:
  * the presenter (webinar_presenter, a stage host) publishes red on A;
    Wendy (webinar_viewer) joins through B: no 0806, B's edge takes her
    (roomJoined with A's session id, B's log says it mirrors the meeting,
    A still holds the placement) and she decodes the presenter's red
    camera there; Vic, another webinar_viewer, also watches through B;
  * a webinar_viewer preset with a waiting room joining through B is sent
    to A (0806): its hosts are there;
  * on the edge, Wendy's stage.join is refused (2004: not accepted) and
    a join with "origin": "yes" is refused (0001); the presenter on A
    cannot grant her the stage (1204: A does not know edge viewers);
  * Wendy's stage.requestAccess on B is answered 0807 with A's
    RTK_NODE_JANUS_URL; a second try is answered 0807 again (nothing
    changed on the edge: her status is still OFF_STAGE there);
  * a join of hers with "origin": true through B is not put on the edge:
    0806 with A's janusUrl;
  * she leaves B and joins A with "origin": true: roomJoined on A (A's
    session id, the presenter listed); the session history holds her
    edge presence, closed, and her presence on A, open; stage.requestAccess there is "ok"
    and she gets stageStatusUpdate REQUESTED_TO_JOIN_STAGE; the presenter
    (the host) gets newStageRequest and stageAccessRequestUpdate listing
    her; Val, a webinar viewer on A, gets peerRequestToJoinStage; Vic on
    B's edge is told she asked (peerRequestToJoinStage, or
    her participantJoined already REQUESTED_TO_JOIN_STAGE);
  * the presenter grants her the stage: stageRequestApproved; she joins
    the stage and publishes a green camera; Vic on B decodes it (green,
    relayed from A to B's edge) while still decoding the presenter's red;
  * the presenter on A decodes her green camera too.
"""

from rtk_harness import check, check_equal, log, run_test, two_nodes
from test_cascade import Client, decodes_presenter, lists, log_says, near, OFFSET, RED
from test_postgres import with_postgres, wait_rest

GREEN = (30, 200, 60)
VIDEO_FRAMES = 30
MEDIA_TIMEOUT = 25


async def join_with(client, body, expect):
    """A join with extra fields on a fresh session; the reply event."""
    await client.connect()
    event = await client.request(client.main, dict(body, request="join"))
    check_equal(event.name, expect, "%s: join %s: reply" % (client.name, sorted(body)))
    if expect == "roomJoined":
        client.joined = event.data
        log("%s joined as %s" % (client.name, client.peer_id))
    return event


def told_requested(event, peer_id):
    """Whether `event` tells an edge viewer that `peer_id` asked for the
    stage: peerRequestToJoinStage, or her participantJoined already
    REQUESTED_TO_JOIN_STAGE when she joined and asked within one of the
    owner's state updates to the edge (RTK_CASCADE_SYNC_MS)."""
    if event.name == "peerRequestToJoinStage":
        return event.data.get("participantId") == peer_id
    p = event.data.get("participant") or {}
    return (event.name == "participantJoined" and p.get("id") == peer_id
            and p.get("stageStatus") == "REQUESTED_TO_JOIN_STAGE")


def waiting_preset(server):
    """webinar_viewer with a waiting room: the hosts who admit are on the
    owner, so such a join is sent there (0806) rather than kept waiting on
    an edge for ever."""
    presets = server.rest_ok("GET", "/v2/presets?per_page=50")
    viewer = next(p for p in presets if p["name"] == "webinar_viewer")
    permissions = dict(viewer["permissions"], waiting_room_type="ON_PRIVILEGED_USER_ENTRY")
    server.rest_ok("POST", "/v2/presets", {"name": "webinar_viewer_waiting", "config": viewer["config"],
                                           "permissions": permissions})
    return "webinar_viewer_waiting"


async def decodes_colour(viewer, peer_id, colour, what):
    await viewer.wait_frames(peer_id, VIDEO_FRAMES, 0, MEDIA_TIMEOUT)
    start = viewer.frames[peer_id]["video"]
    await viewer.wait_frames(peer_id, start + VIDEO_FRAMES, 0, MEDIA_TIMEOUT)
    got = viewer.colour.get(peer_id)
    check(near(got, colour), "%s: %s's picture is %r, expected about %r" % (viewer.name, what, got, colour))
    log("%s decodes %s: %d video frames, colour %r" % (viewer.name, what, viewer.frames[peer_id]["video"], got))


async def main():
    await with_postgres(stage_from_edge)


async def stage_from_edge(pg):
    a, b = two_nodes(pg, OFFSET)
    mid = a.create_meeting(title="Webinar with questions")["id"]
    rp = a.add_participant(mid, "Presenter", "webinar_presenter")
    rw = a.add_participant(mid, "Wendy", "webinar_viewer")
    rv = a.add_participant(mid, "Vic", "webinar_viewer")
    rq = a.add_participant(mid, "Quinn", waiting_preset(a))
    rval = a.add_participant(mid, "Val", "webinar_viewer")

    presenter = Client(a, "presenter@a")
    await presenter.join(rp["token"])
    sid = presenter.joined["meeting"]["sessionId"]
    await presenter.control({"request": "stage.join"})
    await presenter.publish_solid(RED)
    await presenter.subscribe(rp["token"])
    val = Client(a, "val@a")
    await val.join(rval["token"])
    log("the presenter publishes red on node A; Val, a webinar viewer, joined through A")

    # Wendy and Vic, webinar viewers, join through B: its edge takes them
    wendy = Client(b, "wendy@b")
    await wendy.join(rw["token"])
    check_equal(wendy.joined["meeting"]["sessionId"], sid, "Wendy's session id through B (A's)")
    check(lists(wendy.joined, presenter.peer_id) is not None, "Wendy's roomJoined on B lists the presenter")
    check_equal(wendy.joined["self"].get("stageStatus"), "OFF_STAGE", "Wendy's stage status on B")
    await wendy.subscribe(rw["token"])
    vic = Client(b, "vic@b")
    await vic.join(rv["token"])
    await vic.subscribe(rv["token"])
    check(log_says(b, "mirrored here (cascade edge)"), "node B's log does not say it runs an edge")
    check_equal(pg.sql("SELECT node_id FROM placements WHERE meeting_id = '%s'" % mid), "node-a",
                "the placement after the webinar viewers joined through B")
    await decodes_presenter(wendy, presenter)
    await decodes_presenter(vic, presenter)
    log("webinar viewers through B are on its edge (no 0806) and decode the presenter")

    # a webinar viewer with a waiting room is sent to A, where the hosts are
    quinn = Client(b, "quinn@b")
    event = await join_with(quinn, {"token": rq["token"]}, "error")
    check_equal((event.data["error"]["code"], event.data["error"].get("janusUrl")), ("0806", a.node_janus_url),
                "a waiting-room webinar viewer's join through B")
    quinn.abandon()

    # on the edge: no stage.join before a request; a bad "origin"
    await wendy.refused({"request": "stage.join"}, "2004")
    bad = Client(b, "bad-origin@b")
    event = await join_with(bad, {"token": rw["token"], "origin": "yes"}, "error")
    check_equal(event.data["error"]["code"], "0001", "a join with \"origin\": \"yes\"")
    bad.abandon()

    # the host on A does not know her: no grant to someone who did not ask there
    await presenter.refused({"request": "stage.grantAccess", "userIds": [rw["id"]]}, "1204")

    # her stage request: 0807, to A
    for attempt in (1, 2):
        event = await wendy.refused({"request": "stage.requestAccess"}, "0807")
        check_equal(event.data["error"].get("janusUrl"), a.node_janus_url,
                    "0807's janusUrl (A's RTK_NODE_JANUS_URL), try %d" % attempt)
    check(log_says(b, "asks for the stage on this edge: sent to %s" % a.node_janus_url),
          "node B's log does not say it sent her to A")
    log("stage.requestAccess on B's edge: 0807 with A's janusUrl")

    # "origin": true never lands on an edge
    probe = Client(b, "origin-probe@b")
    event = await join_with(probe, {"token": rw["token"], "origin": True}, "error")
    check_equal((event.data["error"]["code"], event.data["error"].get("janusUrl")), ("0806", a.node_janus_url),
                "a join with \"origin\": true through B")
    probe.abandon()

    # she moves: leaves B, joins A with "origin": true, asks again there
    edge_id = wendy.peer_id
    await wendy.leave()
    await vic.wait_event("participantLeft", timeout=10, where=lambda e: e.data.get("participantId") == edge_id)
    wendy_a = Client(a, "wendy@a")
    await join_with(wendy_a, {"token": rw["token"], "origin": True}, "roomJoined")
    check_equal(wendy_a.joined["meeting"]["sessionId"], sid, "Wendy's session id on A")
    check(lists(wendy_a.joined, presenter.peer_id) is not None, "Wendy's roomJoined on A lists the presenter")
    await wendy_a.subscribe(rw["token"])
    presences = "/v2/sessions/%s/participants" % sid

    def wendys(data):
        return {p["id"]: p.get("left_at") is None for p in data.get("participants", []) if p.get("user_id") == rw["id"]}
    wait_rest(a, presences, lambda d: wendys(d) == {edge_id: False, wendy_a.peer_id: True},
              "Wendy's presences in A's session: the edge's closed, A's open")
    await wendy_a.control({"request": "stage.requestAccess"})
    status = await wendy_a.wait_event("stageStatusUpdate", timeout=10)
    check_equal(status.data.get("status"), "REQUESTED_TO_JOIN_STAGE", "Wendy's stage status on A")
    user_id = wendy_a.joined["self"]["userId"]
    request = await presenter.wait_event("newStageRequest", timeout=10,
                                         where=lambda e: e.data.get("userId") == user_id)
    check_equal(request.data.get("stageStatus"), "REQUESTED_TO_JOIN_STAGE", "the host's newStageRequest")
    update = await presenter.wait_event(
        "stageAccessRequestUpdate", timeout=10,
        where=lambda e: [r.get("userId") for r in e.data.get("requests") or []] == [user_id])
    log("the host on A sees her request: newStageRequest, stageAccessRequestUpdate %r"
        % [r.get("name") for r in update.data["requests"]])
    await val.wait_event("peerRequestToJoinStage", timeout=10,
                         where=lambda e: e.data.get("participantId") == wendy_a.peer_id)
    told = await vic.wait_event(None, timeout=10, where=lambda e: told_requested(e, wendy_a.peer_id))
    log("Vic on B's edge sees her REQUESTED_TO_JOIN_STAGE (%s)" % told.name)

    # the host accepts; she goes on stage and publishes green
    await presenter.control({"request": "stage.grantAccess", "userIds": [user_id]})
    await wendy_a.wait_event("stageRequestApproved", timeout=10)
    await wendy_a.control({"request": "stage.join"})
    await wendy_a.publish_solid(GREEN)
    log("Wendy is on stage on A, publishing green")
    await vic.wait_streams(wendy_a.peer_id, [("audio", True), ("video", True)], timeout=MEDIA_TIMEOUT)
    await decodes_colour(vic, wendy_a.peer_id, GREEN, "Wendy (relayed from A)")
    await decodes_colour(vic, presenter.peer_id, RED, "the presenter")
    await decodes_colour(presenter, wendy_a.peer_id, GREEN, "Wendy")
    for client in (presenter, wendy, vic, wendy_a, val):
        client.abandon()
    a.stop()
    b.stop()


if __name__ == "__main__":
    run_test(main)
