#!/usr/bin/python3
"""test_cascade.py - a webinar cascaded across two nodes (docs/deploy.md,
"Cascading a large meeting"; issue 15).

Owns README's RTK_NODE_CASCADE_PORT and plugin/cascade.c end to end.
PostgreSQL (test_postgres.py's Postgres) and two nodes sharing it in this
test's network namespace: node A (REST URL on 127.0.0.1, cascade port
8190 there) and node B (REST URL on 127.0.0.2, cascade port 8190 there).
Asserted, as the users see it:
  * the presenter (webinar_presenter) joins through A, goes on stage and
    publishes a voice and a solid red camera; the meeting is placed on A;
  * a viewer joins through A, and another through B, both with a webinar
    audience preset (webinar_viewer's, but stage_access NOT_ALLOWED: they
    only ever receive, so they may join an edge): B does not redirect her (no 0806) but joins her on
    its edge of the meeting: her roomJoined carries A's session id and
    lists the presenter with videoEnabled true, and the placement stays on
    A; both viewers decode the presenter's video (frames counted, the
    picture red) and audio; A's log says it relays the meeting to an edge;
  * a webinar_viewer (stage_access CAN_REQUEST: nothing to publish until
    a host accepts her request) joining through B is joined on B's edge
    too (no 0806; test_cascade_stage.py follows her to the stage), while
    a webinar_presenter (who may go on stage by herself) joining through
    B is sent to A (0806 with A's janusUrl);
  * the presenter turns her camera off: the B viewer gets videoUpdate
    false; she leaves the stage: peerStoppedPresenting; she leaves: the B
    viewer gets participantLeft;
  * a second B viewer shares B's edge (A feeds B once) and decodes too;
  * a second meeting whose session on A ends (its host leaves) ends its
    edge: the B viewer gets roomLeft "ended", reason "origin_ended"; her
    presence is in A's session history (REST, through A and B), open
    while she is there and closed with a duration after; A's active
    session counts her in live_participants (2) and lists A's host only,
    the session history's row counts A's participants (1);
  * A is killed (SIGKILL): both B viewers get roomLeft "ended", reason
    "origin_lost"; one joins again through B once A's lease has ended, and
    the meeting is placed on B;
  * A started again feeds a third meeting to B; B, then A, stop cleanly
    (SIGTERM, status 0) while cascading.
"""

import signal
import subprocess
import time

from rtk_harness import (RtkClient, TestFailure, check, check_equal, jsep_of, log, make_tracks,
                         new_peer_connection, run_test, solid_track, two_nodes)
from test_nodes import LEASE, join_refused, wait_sql
from test_postgres import with_postgres, wait_rest

OFFSET = 10                  # node B's ports, as test_nodes.py
RED = (220, 30, 30)
VIDEO_FRAMES = 30
AUDIO_FRAMES = 40
MEDIA_TIMEOUT = 25


class Client(RtkClient):
    """An RtkClient that publishes a solid camera and keeps the mean colour
    of the last video frame it decoded from each participant."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.colour = {}

    async def publish_solid(self, colour):
        from aiortc import RTCSessionDescription
        _, voice = make_tracks()
        self.pub_pc = new_peer_connection()
        self.pub_pc.addTransceiver(voice, direction="sendonly")
        self.pub_pc.addTransceiver(solid_track(colour), direction="sendonly")
        await self.pub_pc.setLocalDescription(await self.pub_pc.createOffer())
        event = await self.request(self.main, {"request": "publish"}, jsep=jsep_of(self.pub_pc.localDescription),
                                   expect="published")
        await self.pub_pc.setRemoteDescription(RTCSessionDescription(**event.jsep))
        self.published = event.data
        return event.data

    async def _count_frames(self, track):
        from aiortc.mediastreams import MediaStreamError
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            stream = self.streams.get(self._mid_of(track)) or {}
            peer = stream.get("participantId")
            if track.kind == "video":
                image = frame.to_ndarray(format="rgb24")
                self.colour[peer] = tuple(int(v) for v in image.reshape(-1, 3).mean(axis=0))
            self.frames[peer][track.kind] += 1
            await self._notify()


def audience_preset(server):
    """webinar_viewer as a preset that can never go on stage: the audience
    an edge takes (docs/deploy.md, "Cascading a large meeting")."""
    presets = server.rest_ok("GET", "/v2/presets?per_page=50")
    viewer = next(p for p in presets if p["name"] == "webinar_viewer")
    permissions = dict(viewer["permissions"], stage_access="NOT_ALLOWED")
    server.rest_ok("POST", "/v2/presets", {"name": "webinar_audience", "config": viewer["config"],
                                           "permissions": permissions})
    return "webinar_audience"


def near(got, want, tolerance=40):
    return got is not None and all(abs(a - b) <= tolerance for a, b in zip(got, want))


def lists(joined, peer_id):
    """The participant object of `peer_id` in a roomJoined, or None."""
    for p in joined.get("participants") or []:
        if p.get("id") == peer_id:
            return p
    return None


async def decodes_presenter(viewer, presenter):
    await viewer.wait_streams(presenter.peer_id, [("audio", True), ("video", True)], timeout=MEDIA_TIMEOUT)
    got = await viewer.wait_frames(presenter.peer_id, VIDEO_FRAMES, AUDIO_FRAMES, MEDIA_TIMEOUT)
    colour = viewer.colour.get(presenter.peer_id)
    check(near(colour, RED), "%s: the presenter's picture is %r, expected about %r" % (viewer.name, colour, RED))
    log("%s decodes the presenter: %d video / %d audio frames, colour %r"
        % (viewer.name, got["video"], got["audio"], colour))


def log_says(server, text):
    return log_count(server, text) > 0


def log_count(server, text):
    with open(server.log_path, errors="replace") as f:
        return f.read().count(text)


async def session_ends(a, b, audience):
    """A second meeting: when its session on A ends (its only participant
    leaves), the viewer on B's edge gets roomLeft ended/origin_ended."""
    mid = a.create_meeting(title="Short webinar")["id"]
    host = Client(a, "host2")
    await host.join(a.add_participant(mid, "Host", "webinar_presenter")["token"])
    viewer = Client(b, "viewer3@b")
    await viewer.join(a.add_participant(mid, "Viewer", audience)["token"])
    check(lists(viewer.joined, host.peer_id) is not None, "the B viewer of the second meeting lists its host")
    sid = host.joined["meeting"]["sessionId"]
    presences = "/v2/sessions/%s/participants" % sid

    def open_presences(data):
        return {p["id"]: p for p in data.get("participants", []) if p.get("left_at") is None}
    # the edge writes its viewer's presence into A's session; read through A
    wait_rest(a, presences, lambda d: set(open_presences(d)) == {host.peer_id, viewer.peer_id},
              "both presences open in A's session, the B viewer's included")
    row = open_presences(a.rest_ok("GET", presences))[viewer.peer_id]
    check_equal((row.get("display_name"), row.get("preset_name")), ("Viewer", audience),
                "the B viewer's presence in the session history")
    # A's active session counts the B viewer (B tells A its audience), lists A's own
    session = wait_rest(a, "/v2/meetings/%s/active-session" % mid, lambda d: d.get("live_participants") == 2,
                        "live_participants 2 (the host on A, the viewer on B)")["data"]
    check_equal([p["peer_id"] for p in session["participants"]], [host.peer_id],
                "the active session's participants (A's)")
    check_equal(a.rest_ok("GET", "/v2/sessions/%s" % sid).get("live_participants"), 1,
                "the session history row's live_participants (the owner's participants)")
    await host.leave()
    left = await viewer.wait_event("roomLeft", timeout=10)
    check_equal((left.data.get("state"), left.data.get("reason")), ("ended", "origin_ended"),
                "the B viewer's roomLeft when the session on A ended")
    viewer.abandon()
    closed = wait_rest(b, presences, lambda d: len(d.get("participants", [])) == 2 and not open_presences(d),
                       "both presences closed")["data"]["participants"]
    check(all(p.get("duration") is not None and p["duration"] >= 0 for p in closed),
          "closed presences have a duration: %r" % closed)
    log("a session that ends on A ends its edge: roomLeft ended/origin_ended on B; the B viewer's presence "
        "is in A's session history, closed")


def graceful_stop(server, what):
    """SIGTERM: janus must exit by itself, with status 0, within 15 s."""
    proc = server.proc
    proc.send_signal(signal.SIGTERM)
    try:
        status = proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise TestFailure("%s did not stop within 15 s of SIGTERM" % what)
    server.proc = None
    check_equal(status, 0, "%s's exit status after SIGTERM" % what)


async def stops_while_cascading(pg, a, b, audience):
    """A restarted, a third meeting published on it and watched through
    B's edge: B stops (its edge with a viewer on it), then A (it fed B)."""
    a.start()
    mid = a.create_meeting(title="Stopping")["id"]
    host = Client(a, "host3")
    await host.join(a.add_participant(mid, "Host", "webinar_presenter")["token"])
    await host.control({"request": "stage.join"})
    await host.publish_solid(RED)
    token = a.add_participant(mid, "Viewer", audience)["token"]
    viewer = Client(b, "viewer4@b")
    await viewer.join(token)
    await viewer.subscribe(token)
    await viewer.wait_frames(host.peer_id, VIDEO_FRAMES, 0, MEDIA_TIMEOUT)
    viewer.abandon()
    graceful_stop(b, "node B, an edge with a viewer")
    wait_sql(pg, "SELECT count(*) FROM placements WHERE meeting_id = '%s'" % mid, "1",
             "the third meeting still placed (on A)")
    host.abandon()
    graceful_stop(a, "node A, which fed B")
    log("both nodes stop cleanly while cascading")


async def main():
    await with_postgres(cascaded)


async def cascaded(pg):
    a, b = two_nodes(pg, OFFSET)

    meeting = a.create_meeting(title="Cascaded webinar")
    mid = meeting["id"]
    rp = a.add_participant(mid, "Presenter", "webinar_presenter")
    audience = audience_preset(a)
    ra = a.add_participant(mid, "Viewer A", audience)
    rb = a.add_participant(mid, "Viewer B", audience)
    rb2 = a.add_participant(mid, "Viewer B2", audience)
    rw = a.add_participant(mid, "Webinar viewer", "webinar_viewer")
    rp2 = a.add_participant(mid, "Second presenter", "webinar_presenter")

    # the presenter on A, on stage, publishing red
    presenter = Client(a, "presenter")
    await presenter.join(rp["token"])
    sid = presenter.joined["meeting"]["sessionId"]
    await presenter.control({"request": "stage.join"})
    await presenter.publish_solid(RED)
    check_equal(pg.sql("SELECT node_id FROM placements WHERE meeting_id = '%s'" % mid), "node-a",
                "the meeting's placement")
    log("the presenter publishes on node A")

    # a viewer on A, one through B: B joins her on its edge
    va = Client(a, "viewer@a")
    await va.join(ra["token"])
    await va.subscribe(ra["token"])
    vb = Client(b, "viewer@b")
    await vb.join(rb["token"])
    check_equal(vb.joined["meeting"]["sessionId"], sid, "the B viewer's session id (the owner's)")
    listed = lists(vb.joined, presenter.peer_id)
    check(listed is not None and listed.get("videoEnabled") is True and listed.get("name") == "Presenter",
          "the B viewer's roomJoined lists the presenter with her camera on: %r" % vb.joined.get("participants"))
    await vb.subscribe(rb["token"])
    check_equal(pg.sql("SELECT node_id FROM placements WHERE meeting_id = '%s'" % mid), "node-a",
                "the placement after the join through B")
    vb2 = Client(b, "viewer2@b")
    await vb2.join(rb2["token"])
    await vb2.subscribe(rb2["token"])
    await decodes_presenter(va, presenter)
    await decodes_presenter(vb, presenter)
    await decodes_presenter(vb2, presenter)
    check_equal(log_count(a, "meeting %s relayed to an edge" % mid), 1,
                "edges node A feeds the meeting to (one for B's two viewers)")
    check(log_says(b, "mirrored here (cascade edge)"), "node B's log does not say it runs an edge")
    check_equal(vb.janus.base, b.janus_url, "the Janus API the B viewer's session is on")
    log("viewers on A and on B decode the presenter; B's through its edge")

    # a viewer who may ask for the stage joins the edge too; a presenter is
    # sent to the owner
    wv = RtkClient(b, "webinar-viewer@b")
    await wv.join(rw["token"])
    check_equal(wv.joined["meeting"]["sessionId"], sid, "the webinar_viewer's session id through B (the owner's)")
    await wv.leave()
    wv.abandon()
    wp = RtkClient(b, "presenter2@b")
    error = await join_refused(wp, rp2["token"])
    check_equal((error.get("code"), error.get("janusUrl")), ("0806", a.node_janus_url),
                "a webinar_presenter's join through B (code, janusUrl)")
    wp.abandon()
    log("a webinar_viewer joins B's edge; a presenter is sent to A (0806)")

    # camera off, then the presenter leaves: the B viewer is told
    await presenter.configure(video=False)
    await vb.wait_event("videoUpdate", timeout=10, where=lambda e: e.data.get("participantId") == presenter.peer_id
                        and e.data.get("videoEnabled") is False)
    log("camera off: the B viewer got videoUpdate false")
    await presenter.control({"request": "stage.leave"})
    event = await vb.wait_event("peerStoppedPresenting", timeout=10,
                                where=lambda e: e.data.get("participantId") == presenter.peer_id)
    check_equal(event.data.get("stageStatus"), "OFF_STAGE", "the B viewer's peerStoppedPresenting stageStatus")
    log("off stage: the B viewer got peerStoppedPresenting")
    await presenter.leave()
    await vb.wait_event("participantLeft", timeout=10,
                        where=lambda e: e.data.get("participantId") == presenter.peer_id)
    await va.wait_event("participantLeft", timeout=10,
                        where=lambda e: e.data.get("participantId") == presenter.peer_id)
    log("the presenter left: both viewers got participantLeft")

    await session_ends(a, b, audience)

    # the owner dies: the edge's viewers are told, at once
    a.kill9()
    killed = time.monotonic()
    for viewer in (vb, vb2):
        left = await viewer.wait_event("roomLeft", timeout=10)
        check_equal((left.data.get("state"), left.data.get("reason")), ("ended", "origin_lost"),
                    "%s's roomLeft after A died" % viewer.name)
    log("node A killed: the B viewer got roomLeft ended/origin_lost after %.1f s" % (time.monotonic() - killed))
    va.abandon()
    vb.abandon()
    vb2.abandon()

    # she joins again: once A's lease has ended, the meeting is placed on B
    time.sleep(max(0.0, LEASE + 0.5 - (time.monotonic() - killed)))
    again = Client(b, "viewer@b again")
    await again.join(rb["token"])
    check(again.joined["meeting"]["sessionId"] != sid, "a new session after A died: %r" % again.joined["meeting"])
    check_equal(pg.sql("SELECT node_id FROM placements WHERE meeting_id = '%s'" % mid), "node-b",
                "the placement once A's lease ended")
    again.abandon()
    log("the B viewer joined again: the meeting is placed on B")
    await stops_while_cascading(pg, a, b, audience)
    check(not log_says(b, "live here, is placed on node"),
          "node B's heartbeat took an edge of A's meeting for its own (renewing its placement)")
    with open(b.log_path, errors="replace") as f:
        said = [line.rstrip() for line in f if "cascade" in line]
    log("node B's log on cascading:\n  " + "\n  ".join(said))
    check(not any("bad message" in line or "silent" in line for line in said),
          "node B's edge complained of its owner: %r" % said)


if __name__ == "__main__":
    run_test(main)
