#!/usr/bin/python3
"""test_screenshare.py - a participant shares her screen beside her camera.

Owns screenshare end to end, as the SDK user sees it (docs/protocol.md):
  * Ada (group_call_host) publishes Opus audio, a VP8 camera (320x240) and a
    second VP8 track (640x360) declared screenshare with `descriptions`;
    `published` lists three streams typed audio, video and screenshare;
  * Bob (group_call_participant), joined and subscribed before she
    publishes, gets audioUpdate/videoUpdate/screenShareUpdate (true) and an
    `updated` offer whose streams are Ada's three, typed, with her peer id;
    he decodes audio, 320x240 frames on the camera m-line and 640x360 frames
    on the screenshare m-line (so the screenshare stream carries the
    screenshare track, not the camera);
  * configure {screenshare: false} gives Bob screenShareUpdate false and
    stops the screenshare frames while the camera keeps flowing;
    {screenshare: true} brings the event back, and the frames within a
    second (the plugin asks for a keyframe: no multi-second freeze);
  * a layer request (configure {mid, substream 0, temporal 0}) on Bob's
    subscriber handle is answered `configured` and does not stop the
    (non-simulcast) camera;
  * Cy joins later, with a preset created over REST whose
    media.screenshare.can_produce is NOT_ALLOWED: her roomJoined shows Ada
    with screenShareEnabled true, her `subscribed` lists Ada's three streams;
    she publishes audio + video + screenshare and `published` lists only
    audio and video, her answer rejects the screenshare m-line, Bob gets
    only her audio and video streams (and frames); her configure
    {screenshare: true} is refused with 0904, and Bob never gets a
    screenShareUpdate true for her. (aiortc 1.4 cannot apply an answer with a rejected
    m-line: Cy applies a rewritten copy, see aiortc_applicable_answer().)
  * a recording made while Ada shares has the share layout: her screen in
    the main area (moving), the cameras in a column on the right.
"""

import asyncio
import collections
import os
import tempfile
import time

from rtk_harness import (RtkClient, Server, check, check_equal, jsep_of, log, make_tracks,
                         new_peer_connection, run_test)
from test_recording import download, gray_frame, moving_share, wait_status

CAMERA_SIZE = (320, 240)       # the harness's pattern track
SCREEN_SIZE = (640, 360)
VIDEO_FRAMES = 30
AUDIO_FRAMES = 50
MEDIA_TIMEOUT = 20
STRAY_FRAMES = 5               # screenshare frames already in flight when it is turned off
RESUME_FRAMES = 5              # screenshare frames that show it is back on...
RESUME_LIMIT = 1.0             # ...within this many seconds of `configured` (a keyframe round trip)


# ---------------------------------------------------------------- SDP

def sdp_mlines(sdp):
    """The m-lines of `sdp` in order: dicts with kind, port, mid, direction."""
    mlines = []
    for line in sdp.splitlines():
        line = line.strip()
        if line.startswith("m="):
            kind, port = line[2:].split()[:2]
            mlines.append({"kind": kind, "port": int(port), "mid": None, "direction": "sendrecv"})
        elif mlines and line.startswith("a=mid:"):
            mlines[-1]["mid"] = line[len("a=mid:"):]
        elif mlines and line[2:] in ("sendrecv", "sendonly", "recvonly", "inactive"):
            mlines[-1]["direction"] = line[2:]
    return mlines


def aiortc_applicable_answer(sdp):
    """aiortc 1.4 cannot apply an answer that rejects an m-line the way JSEP
    and Janus write it (port 0, no ICE credentials, no codec): it raises
    "ICE username fragment or password is missing". Rewrites each rejected
    m-line as an inactive, bundled copy of an accepted m-line of the same
    kind, so aiortc applies the answer and sends nothing on that m-line.
    The test checks the answer as the server wrote it, not this copy."""
    lines = sdp.replace("\r\n", "\n").rstrip("\n").split("\n")
    head, sections = [], []
    for line in lines:
        if line.startswith("m="):
            sections.append([line])
        elif sections:
            sections[-1].append(line)
        else:
            head.append(line)
    accepted = {}
    for section in sections:
        kind, port = section[0][2:].split()[:2]
        if port != "0":
            accepted.setdefault(kind, section)
    rejected_mids = []
    for index, section in enumerate(sections):
        kind, port = section[0][2:].split()[:2]
        if port != "0":
            continue
        mid = next(line[len("a=mid:"):] for line in section if line.startswith("a=mid:"))
        dropped = ("a=mid:", "a=msid:", "a=ssrc", "a=candidate:", "a=end-of-candidates",
                   "a=sendrecv", "a=sendonly", "a=recvonly", "a=inactive")
        sections[index] = ([line for line in accepted[kind] if not line.startswith(dropped)]
                           + ["a=inactive", "a=mid:" + mid])
        rejected_mids.append(mid)
    head = [line + "".join(" " + mid for mid in rejected_mids)
            if line.startswith("a=group:BUNDLE") else line for line in head]
    return "\r\n".join(head + [line for section in sections for line in section]) + "\r\n"


# ---------------------------------------------------------------- client

class ScreenshareClient(RtkClient):
    """An RtkClient that publishes a third (screenshare) track and counts the
    frames it receives per subscriber m-line, with their sizes."""

    def __init__(self, server, name):
        super().__init__(server, name)
        self.mid_frames = collections.Counter()                      # mid -> frames
        self.mid_sizes = collections.defaultdict(collections.Counter)  # mid -> (w, h) -> frames
        self.mid_frame_times = collections.defaultdict(list)             # mid -> [monotonic time]
        self.offer_mlines = None      # m-lines of the publish offer
        self.answer_sdp = None        # the publish answer

    async def _count_frames(self, track):
        from aiortc.mediastreams import MediaStreamError
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            mid = self._mid_of(track)
            stream = self.streams.get(mid) or {}
            self.frames[stream.get("participantId")][track.kind] += 1
            self.mid_frames[mid] += 1
            self.mid_frame_times[mid].append(time.monotonic())
            if track.kind == "video":
                self.mid_sizes[mid][(frame.width, frame.height)] += 1
            await self._notify()

    async def publish_with_screenshare(self):
        """Publishes audio, camera and a screenshare track (3rd m-line, declared
        in `descriptions`); returns the `published` data."""
        from aiortc import RTCSessionDescription
        self.pub_pc = new_peer_connection()
        camera, audio = make_tracks()
        screen = type(camera)(*SCREEN_SIZE)
        self.pub_pc.addTransceiver(audio, direction="sendonly")
        self.pub_pc.addTransceiver(camera, direction="sendonly")
        self.pub_pc.addTransceiver(screen, direction="sendonly")
        await self.pub_pc.setLocalDescription(await self.pub_pc.createOffer())
        self.offer_mlines = sdp_mlines(self.pub_pc.localDescription.sdp)
        check_equal([m["kind"] for m in self.offer_mlines], ["audio", "video", "video"],
                    "%s: kinds of the m-lines of the publish offer" % self.name)
        body = {"request": "publish",
                "descriptions": [{"mid": self.offer_mlines[2]["mid"], "type": "screenshare"}]}
        event = await self.request(self.main, body, jsep=jsep_of(self.pub_pc.localDescription),
                                   expect="published")
        check(event.jsep and event.jsep.get("type") == "answer",
              "%s: published carries no JSEP answer: %r" % (self.name, event.message))
        self.answer_sdp = event.jsep["sdp"]
        await self.pub_pc.setRemoteDescription(
            RTCSessionDescription(type="answer", sdp=aiortc_applicable_answer(self.answer_sdp)))
        self.published = event.data
        return event.data

    @property
    def mids(self):
        """(audio, camera, screenshare) mids of the publish offer."""
        return tuple(m["mid"] for m in self.offer_mlines)

    def typed_streams_of(self, peer_id):
        """(kind, type, active) of the subscriber streams of `peer_id`, sorted."""
        return sorted((s.get("kind"), s.get("type"), s.get("active")) for s in self.streams.values()
                      if s.get("participantId") == peer_id)

    def mid_of(self, peer_id, stream_type):
        mids = [mid for mid, s in self.streams.items()
                if s.get("participantId") == peer_id and s.get("type") == stream_type]
        check(len(mids) == 1, "%s: expected one %s m-line of %s, got %r (streams %r)"
              % (self.name, stream_type, peer_id, mids, self.streams))
        return mids[0]

    async def wait_typed_streams(self, peer_id, expected, timeout=10):
        await self.wait_until(lambda: self.typed_streams_of(peer_id) == expected, timeout,
                              lambda: "streams of %s: expected %r, got %r (all: %r)"
                              % (peer_id, expected, self.typed_streams_of(peer_id), self.streams))

    async def wait_mid_frames(self, mid, count, what, timeout=MEDIA_TIMEOUT):
        """Waits until `count` frames were decoded on subscriber m-line `mid`."""
        await self.wait_until(lambda: self.mid_frames[mid] >= count, timeout,
                              lambda: "decoded %d frames on m-line %s (%s), expected >= %d "
                              "(frames per m-line: %r)" % (self.mid_frames[mid], mid, what, count,
                                                          dict(self.mid_frames)))
        return self.mid_frames[mid]

    def check_sizes(self, mid, size, what):
        sizes = dict(self.mid_sizes[mid])
        check(sizes and set(sizes) == {size},
              "%s: frame sizes decoded on m-line %s (%s): expected only %dx%d, got %r"
              % (self.name, mid, what, size[0], size[1], sizes))


def from_peer(peer_id, **fields):
    def matches(event):
        return (event.data.get("participantId") == peer_id
                and all(event.data.get(k) == v for k, v in fields.items()))
    return matches


def media_state(data):
    return tuple(data.get(k) for k in ("audioEnabled", "videoEnabled", "screenShareEnabled"))


# ---------------------------------------------------------------- steps

def create_preset_without_screenshare(server):
    name = "no-screenshare-%d" % os.getpid()
    preset = server.rest_ok("POST", "/v2/presets", {
        "name": name,
        "permissions": {"media": {"screenshare": {"can_produce": "NOT_ALLOWED"}}},
    }, statuses=(201,))
    media = (preset.get("permissions") or {}).get("media") or {}
    check_equal({k: (media.get(k) or {}).get("can_produce") for k in ("audio", "video", "screenshare")},
                {"audio": "ALLOWED", "video": "ALLOWED", "screenshare": "NOT_ALLOWED"},
                "can_produce of the preset created over REST")
    return preset


async def ada_publishes_to_bob(server, meeting):
    """Bob joins and subscribes first; Ada then publishes three streams."""
    ada_rest = server.add_participant(meeting["id"], "Ada", preset_name="group_call_host")
    bob_rest = server.add_participant(meeting["id"], "Bob")
    ada, bob = ScreenshareClient(server, "ada"), ScreenshareClient(server, "bob")
    await ada.join(ada_rest["token"])
    await bob.join(bob_rest["token"])
    subscribed = await bob.subscribe(bob_rest["token"])
    check_equal(subscribed.get("streams"), [],
                "streams of Bob's `subscribed` before anyone published")

    published = await ada.publish_with_screenshare()
    audio_mid, camera_mid, screen_mid = ada.mids
    check_equal(sorted((s.get("mid"), s.get("kind"), s.get("type")) for s in published.get("streams", [])),
                sorted([(audio_mid, "audio", "audio"), (camera_mid, "video", "video"),
                        (screen_mid, "video", "screenshare")]),
                "Ada's published streams (mid, kind, type)")
    accepted = [(m["port"] > 0, m["direction"]) for m in sdp_mlines(ada.answer_sdp)]
    check_equal(accepted, [(True, "recvonly")] * 3,
                "Ada's publish answer: (port > 0, direction) of each m-line")
    log("Ada published audio %s, camera %s, screenshare %s" % ada.mids)

    for kind, field in (("audioUpdate", "audioEnabled"), ("videoUpdate", "videoEnabled"),
                        ("screenShareUpdate", "screenShareEnabled")):
        await bob.wait_event(kind, where=from_peer(ada.peer_id, **{field: True}))
    log("Bob got audioUpdate, videoUpdate and screenShareUpdate true for Ada")

    await bob.wait_typed_streams(ada.peer_id, [("audio", "audio", True), ("video", "screenshare", True),
                                              ("video", "video", True)])
    for stream in bob.streams.values():
        check_equal(stream.get("userId"), ada_rest["id"], "userId of Bob's stream %r" % stream)
    updated = bob.janus.events(bob.sub, "updated")
    check(updated and sorted(s.get("type") for s in updated[-1].data.get("streams", []))
          == ["audio", "screenshare", "video"],
          "Bob's `updated` events do not list Ada's typed streams: %r" % updated)
    return ada, bob, ada_rest, bob_rest


async def bob_receives_both_videos(ada, bob):
    camera, screen = bob.mid_of(ada.peer_id, "video"), bob.mid_of(ada.peer_id, "screenshare")
    await bob.wait_mid_frames(camera, VIDEO_FRAMES, "Ada's camera")
    await bob.wait_mid_frames(screen, VIDEO_FRAMES, "Ada's screenshare")
    await bob.wait_frames(ada.peer_id, audio=AUDIO_FRAMES, timeout=MEDIA_TIMEOUT)
    bob.check_sizes(camera, CAMERA_SIZE, "Ada's camera")
    bob.check_sizes(screen, SCREEN_SIZE, "Ada's screenshare")
    log("Bob decoded Ada's camera (m-line %s, %r), screenshare (m-line %s, %r) and %d audio frames"
        % (camera, dict(bob.mid_sizes[camera]), screen, dict(bob.mid_sizes[screen]),
           bob.frames[ada.peer_id]["audio"]))


async def toggle_screenshare(ada, bob):
    camera, screen = bob.mid_of(ada.peer_id, "video"), bob.mid_of(ada.peer_id, "screenshare")

    state = await ada.configure(screenshare=False)
    check_equal(media_state(state), (True, True, False),
                "Ada's configured (audioEnabled, videoEnabled, screenShareEnabled) after screenshare off")
    await bob.wait_event("screenShareUpdate", where=from_peer(ada.peer_id, screenShareEnabled=False))
    off_at = time.monotonic()
    screen_before = bob.mid_frames[screen]
    await bob.wait_mid_frames(camera, bob.mid_frames[camera] + 2 * VIDEO_FRAMES,
                              "Ada's camera while her screenshare is off")
    stray = bob.mid_frames[screen] - screen_before
    check(stray <= STRAY_FRAMES,
          "Bob decoded %d screenshare frames from Ada while her screenshare was off (during %d "
          "camera frames, %.1fs)" % (stray, 2 * VIDEO_FRAMES, time.monotonic() - off_at))
    log("screenshare off: Bob got screenShareUpdate false, %d stray screenshare frames, "
        "the camera kept flowing" % stray)

    screen_before = bob.mid_frames[screen]
    state = await ada.configure(screenshare=True)
    on_at = time.monotonic()
    check_equal(media_state(state), (True, True, True),
                "Ada's configured (audioEnabled, videoEnabled, screenShareEnabled) after screenshare on")
    await bob.wait_event("screenShareUpdate", where=from_peer(ada.peer_id, screenShareEnabled=True))
    await bob.wait_mid_frames(screen, screen_before + VIDEO_FRAMES,
                              "Ada's screenshare after she turned it back on")
    bob.check_sizes(screen, SCREEN_SIZE, "Ada's screenshare")
    times = bob.mid_frame_times[screen][screen_before:]
    resumed = times[RESUME_FRAMES - 1] - on_at
    check(resumed <= RESUME_LIMIT,
          "Ada's screenshare came back too slowly: Bob decoded its first %d frames %.2fs after "
          "`configured` {screenshare: true} (first frame after %.2fs), expected within %.1fs; "
          "the camera, never paused, delivered %d frames meanwhile"
          % (RESUME_FRAMES, resumed, times[0] - on_at, RESUME_LIMIT,
             sum(1 for t in bob.mid_frame_times[camera] if on_at <= t <= times[RESUME_FRAMES - 1])))
    log("screenshare on: Bob got screenShareUpdate true; %d screenshare frames %.2fs after "
        "`configured`, %d within %.1fs" % (RESUME_FRAMES, resumed, VIDEO_FRAMES, times[-1] - on_at))


async def request_low_layer(ada, bob):
    camera = bob.mid_of(ada.peer_id, "video")
    event = await bob.request(bob.sub, {"request": "configure", "mid": camera,
                                        "substream": 0, "temporal": 0}, expect="configured")
    check_equal(event.data.get("rtk"), "configured", "reply to the layer request")
    await bob.wait_mid_frames(camera, bob.mid_frames[camera] + VIDEO_FRAMES,
                              "Ada's (non-simulcast) camera after asking for substream 0, temporal 0")
    bob.check_sizes(camera, CAMERA_SIZE, "Ada's camera")
    log("layer request on m-line %s answered `configured`; the camera kept flowing" % camera)


async def cy_without_screenshare(server, meeting, preset, ada, bob):
    cy_rest = server.add_participant(meeting["id"], "Cy", preset_name=preset["name"])
    cy = ScreenshareClient(server, "cy")

    # Cy joins after Ada published: the participant object tells her.
    joined = await cy.join(cy_rest["token"])
    check_equal(joined["self"].get("presetName"), preset["name"], "Cy's presetName")
    check_equal(((joined["self"].get("permissions") or {}).get("media") or {})
                .get("screenshare", {}).get("can_produce"), "NOT_ALLOWED",
                "Cy's self.permissions.media.screenshare.can_produce")
    listed = {p.get("id"): p for p in joined.get("participants") or []}
    check(ada.peer_id in listed, "Ada is not in Cy's roomJoined participants: %r" % joined)
    check_equal(media_state(listed[ada.peer_id]), (True, True, True),
                "Ada's (audioEnabled, videoEnabled, screenShareEnabled) in Cy's roomJoined")

    subscribed = await cy.subscribe(cy_rest["token"])
    check_equal(sorted((s.get("participantId"), s.get("kind"), s.get("type"), s.get("active"))
                       for s in subscribed.get("streams", [])),
                sorted([(ada.peer_id, "audio", "audio", True), (ada.peer_id, "video", "video", True),
                        (ada.peer_id, "video", "screenshare", True)]),
                "Cy's `subscribed` streams (participantId, kind, type, active)")

    # Cy publishes all three; the preset forbids the screenshare.
    published = await cy.publish_with_screenshare()
    audio_mid, camera_mid, screen_mid = cy.mids
    check_equal(sorted((s.get("mid"), s.get("kind"), s.get("type")) for s in published.get("streams", [])),
                sorted([(audio_mid, "audio", "audio"), (camera_mid, "video", "video")]),
                "Cy's published streams (mid, kind, type) with screenshare NOT_ALLOWED")
    answer = {m["mid"]: m for m in sdp_mlines(cy.answer_sdp)}
    check(screen_mid in answer, "Cy's publish answer has no m-line %s: %r" % (screen_mid, answer))
    rejected = answer[screen_mid]
    check(rejected["port"] == 0 or rejected["direction"] == "inactive",
          "Cy's publish answer accepts the forbidden screenshare m-line %s: %r" % (screen_mid, rejected))
    for mid in (audio_mid, camera_mid):
        check(answer[mid]["port"] > 0 and answer[mid]["direction"] == "recvonly",
              "Cy's publish answer does not accept m-line %s: %r" % (mid, answer[mid]))
    log("Cy published; her screenshare m-line %s was answered %r" % (screen_mid, rejected))

    await bob.wait_event("videoUpdate", where=from_peer(cy.peer_id, videoEnabled=True))
    await bob.wait_typed_streams(cy.peer_id, [("audio", "audio", True), ("video", "video", True)])
    cy_camera = bob.mid_of(cy.peer_id, "video")
    await bob.wait_mid_frames(cy_camera, VIDEO_FRAMES, "Cy's camera")
    await bob.wait_frames(cy.peer_id, audio=AUDIO_FRAMES, timeout=MEDIA_TIMEOUT)
    bob.check_sizes(cy_camera, CAMERA_SIZE, "Cy's camera")

    # Asking for the screenshare is refused (0904, docs/protocol.md
    # `configure`) and changes nothing. Then a sentinel: events reach Bob in
    # order, so once he has Cy's audioUpdate false, any screenShareUpdate
    # for her would be there already.
    await cy.refused({"request": "configure", "screenshare": True}, "0904")
    state = await cy.configure(audio=False)
    check_equal(media_state(state), (False, True, False), "Cy's configured state after audio off")
    await bob.wait_event("audioUpdate", where=from_peer(cy.peer_id, audioEnabled=False))
    shares = [e.data for e in bob.janus.events(bob.main, "screenShareUpdate")
              if e.data.get("participantId") == cy.peer_id]
    check_equal(shares, [], "screenShareUpdate events Bob got for Cy")

    check_equal(bob.typed_streams_of(cy.peer_id), [("audio", "audio", True), ("video", "video", True)],
                "Bob's streams of Cy at the end")
    known = set(bob.streams)
    check_equal(len(known), 5, "number of m-lines in Bob's subscription (3 of Ada, 2 of Cy): %r"
                % bob.streams)
    stray_mids = {mid: n for mid, n in bob.mid_frames.items() if mid not in known}
    check_equal(stray_mids, {}, "frames Bob decoded on m-lines no stream is offered on")
    log("Bob got only Cy's audio and video, and no screenShareUpdate for her")


async def recording_shows_screenshare(server, ada, directory):
    """A recording while Ada shares: the share takes the left three
    quarters (its picture moves there), the cameras a column on the right
    whose lower half is empty (in the grid, Bob's tile would be there)."""
    width, height = 640, 360
    reply = await ada.control({"request": "recording.start",
                               "config": {"videoConfig": {"codec": "VP8", "width": width, "height": height}}})
    rec_id = reply.data["recording"]["id"]
    await wait_status(server, rec_id, ("RECORDING",))
    await asyncio.sleep(4)
    await ada.control({"request": "recording.stop"})
    rec = await wait_status(server, rec_id, ("UPLOADED", "ERRORED"))
    check_equal(rec["status"], "UPLOADED", "recording of a screenshare")
    path = download(server, rec, directory)
    second = gray_frame(path, 3.0, width, height)

    def region(frame, x0, x1, y0, y1):
        return [frame[y * width + x] for y in range(int(y0 * height), int(y1 * height))
                for x in range(int(x0 * width), int(x1 * width))]
    empty = region(second, 0.8, 0.95, 0.55, 0.8)
    check(sum(empty) / len(empty) < 30, "the lower right of a screenshare layout is empty (mean luma %.0f)"
          % (sum(empty) / len(empty)))
    moved = moving_share(path, width, height, 1.5, 3.0, (0.1, 0.65, 0.2, 0.8))
    check(moved > 0.1, "the shared screen moves in the main area (%.0f%% of its pixels changed)" % (100 * moved))
    log("recording during the screenshare: share in the main area (%d%% of its pixels move), "
        "cameras in the right column" % int(100 * moved))


async def main():
    started = time.monotonic()
    server = Server().start()
    meeting = server.create_meeting(title="Screenshare test")
    preset = create_preset_without_screenshare(server)
    ada, bob, ada_rest, bob_rest = await ada_publishes_to_bob(server, meeting)
    await bob_receives_both_videos(ada, bob)
    with tempfile.TemporaryDirectory() as directory:
        await recording_shows_screenshare(server, ada, directory)
    await toggle_screenshare(ada, bob)
    await request_low_layer(ada, bob)
    await cy_without_screenshare(server, meeting, preset, ada, bob)
    log("done in %.1fs" % (time.monotonic() - started))


if __name__ == "__main__":
    run_test(main)
