#!/usr/bin/python3
"""test_active_grid.py - whose video a viewer receives: the active speaker
(ACTIVE_GRID) or a fixed page (PAGINATED).

Owns active-speaker detection and the viewer's video selection end to end,
as the SDK user sees it (plugin/model/speaker.h, plugin/model/view.h): three
group_call_participant speakers Ada, Bob and Cy join in that order and
publish VP8 video plus Opus audio whose loudness the test switches at run
time between a 440 Hz tone (about -15 dBov) and digital silence (aiortc
puts each frame's level in the RFC 6464 ssrc-audio-level extension); a
viewer Vera (group_call_participant, publishes nothing) subscribes.
  1. setMaxActiveParticipantsCount {count: 1} -> viewModeUpdate
     (ACTIVE_GRID, maxActiveParticipantsCount 1, page 0 of 0); with nobody
     speaking the one active tile is the first in join order (Ada), and
     Bob's and Cy's video stop reaching Vera (a few frames in flight);
     silence alone never makes an activeSpeaker;
  2. Ada loud, Bob and Cy silent: Vera gets activeSpeaker (Ada's
     participantId and userId), the last activeParticipantsUpdate has
     active [Ada]; Ada's video flows while Bob's and Cy's stay stopped, and
     everyone's audio keeps flowing (audio is never paused);
  3. Ada silent, Bob loud: activeSpeaker Bob, no sooner than 0.5 s after
     the switch (the hysteresis: a challenger must be clearly louder for
     500 ms) and within 5 s, with no other activeSpeaker in between;
     activeParticipantsUpdate active [Bob]; Bob's video now arrives, Ada's
     stops;
  4. a 200 ms loud blip from Cy while Bob keeps talking changes nothing:
     no activeSpeaker and no activeParticipantsUpdate for 2 s, Cy's video
     stays stopped, Bob's flows;
  5. Cy talks 3 dB louder than Bob for 2.5 s: Bob keeps the floor (a
     challenger must be clearly louder, about 6 dB, not just louder): no
     activeSpeaker, no activeParticipantsUpdate, Bob's video still shown;
  6. Bob falls silent: he keeps the floor (the active speaker stays active
     through silence: no event for 1.5 s, his video still shown); once his
     1 s loudness window is empty, a 300 ms "yes" from Cy (loud enough to
     challenge a silent floor, but for less than the 500 ms hold) does not
     take the floor either: no activeSpeaker within 2 s;
  7. setViewMode PAGINATED -> viewModeUpdate page 1 of 3: the tile is Ada
     (first in join order) although Bob is the active speaker; setPage
     {page: 2} -> page 2 of 3: the tile is Bob; then Cy talks:
     activeSpeaker Cy (no sooner than 0.5 s), yet Vera keeps receiving
     Bob's video only (no activeParticipantsUpdate); setPage {page: 9} and
     {page: 0} -> error 0001, and the view stays on page 2.
"""

import asyncio
import fractions
import time

import rtk_harness
from rtk_harness import (RtkClient, Server, TestFailure, check, check_equal, jsep_of, log,
                         make_tracks, new_peer_connection, run_test)

MEDIA_TIMEOUT = 20
VIDEO_WINDOW = 30          # video frames of the shown tile that make one measuring window (~1 s)
AUDIO_WINDOW = 25          # audio frames each speaker must deliver in that window (~0.5 s)
STRAY_VIDEO = 5            # frames of a hidden tile allowed in flight after the selection changed
HOLD_MIN = 0.5             # seconds: the earliest a challenger may take the floor
SPEAKER_TIMEOUT = 5.0      # seconds: the latest
BLIP_FRAMES = 10           # 20 ms Opus frames: a 200 ms blip
BLIP_QUIET = 2.0           # seconds after the blip without a change of speaker
YES_FRAMES = 15            # a 300 ms "yes": loud enough to challenge silence, shorter than the hold
FADE = 1.5                 # seconds of silence after which a speaker's 1 s loudness window is empty
VIEW_TIMEOUT = 3           # seconds for the 200 ms view tick to follow a change
LOUD_AMPLITUDE = 8000      # 440 Hz sine: about -15 dBov; 0 is digital silence (-127 dBov)
LOUDER_AMPLITUDE = 11300   # +3 dB: about -12 dBov, louder but by less than the margin
INTERJECTION = 2.5         # seconds of Cy talking louder than Bob
AUDIO_LEVEL_URI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"


class StampedEvent(rtk_harness.Event):
    """The harness's Event, stamped with the time it reached the client."""

    def __init__(self, message):
        super().__init__(message)
        self.received_at = time.monotonic()


rtk_harness.Event = StampedEvent   # JanusSession._deliver builds its events with it


def make_voice():
    """An Opus-friendly 48 kHz mono track of 20 ms frames: a 440 Hz tone
    of `amplitude` while `loud` (or during a blip), digital silence
    otherwise."""
    make_tracks()  # skips the test when aiortc is missing
    import av
    import numpy
    from aiortc import MediaStreamTrack
    from aiortc.mediastreams import MediaStreamError

    class VoiceTrack(MediaStreamTrack):
        kind = "audio"
        RATE, SAMPLES = 48000, 960

        def __init__(self):
            super().__init__()
            self.loud = False
            self.amplitude = LOUD_AMPLITUDE
            self.blip_left = 0
            self.loud_frames = 0      # loud frames produced so far
            self.start = None
            self.pts = 0

        def blip(self, frames):
            self.blip_left = frames

        async def recv(self):
            if self.readyState != "live":
                raise MediaStreamError
            if self.start is None:
                self.start = time.time()
            else:
                self.pts += self.SAMPLES
                await asyncio.sleep(max(0, self.start + self.pts / self.RATE - time.time()))
            loud = self.loud or self.blip_left > 0
            if self.blip_left > 0:
                self.blip_left -= 1
            if loud:
                self.loud_frames += 1
                t = (self.pts + numpy.arange(self.SAMPLES)) / self.RATE
                samples = (numpy.sin(2 * numpy.pi * 440 * t) * self.amplitude).astype(numpy.int16)
            else:
                samples = numpy.zeros(self.SAMPLES, dtype=numpy.int16)
            frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
            frame.sample_rate = self.RATE
            frame.pts = self.pts
            frame.time_base = fractions.Fraction(1, self.RATE)
            return frame

    return VoiceTrack()


class Speaker(RtkClient):
    """A participant publishing the pattern video and a VoiceTrack."""

    async def publish_voice(self):
        from aiortc import RTCSessionDescription
        video, _ = make_tracks()
        self.voice = make_voice()
        self.pub_pc = new_peer_connection()
        self.pub_pc.addTransceiver(self.voice, direction="sendonly")
        self.pub_pc.addTransceiver(video, direction="sendonly")
        await self.pub_pc.setLocalDescription(await self.pub_pc.createOffer())
        check(AUDIO_LEVEL_URI in self.pub_pc.localDescription.sdp,
              "%s: aiortc's offer lacks the audio-level extension" % self.name)
        event = await self.request(self.main, {"request": "publish"},
                                   jsep=jsep_of(self.pub_pc.localDescription), expect="published")
        check(event.jsep and event.jsep.get("type") == "answer",
              "%s: published carries no JSEP answer: %r" % (self.name, event.message))
        check(AUDIO_LEVEL_URI in event.jsep["sdp"],
              "%s: the plugin's answer does not accept the audio-level extension (%s): no "
              "active-speaker detection is possible" % (self.name, AUDIO_LEVEL_URI))
        await self.pub_pc.setRemoteDescription(RTCSessionDescription(**event.jsep))
        self.published = event.data
        return event.data


class Grid:
    """The viewer and the three speakers, with names for messages."""

    def __init__(self, viewer, ada, bob, cy, rests):
        self.viewer, self.ada, self.bob, self.cy = viewer, ada, bob, cy
        self.speakers = [ada, bob, cy]
        self.rests = rests
        self.names = {c.peer_id: c.name for c in self.speakers}

    def named(self, ids):
        return [self.names.get(i, i) for i in ids or []]

    def viewer_events(self, name):
        return self.viewer.janus.events(self.viewer.main, name)

    async def view_request(self, body):
        """A view request of the viewer that must be answered viewModeUpdate."""
        event = await self.viewer.request(self.viewer.main, body)
        check(event.name == "viewModeUpdate",
              "viewer: %s: expected viewModeUpdate, got %r" % (body, event))
        return event

    def check_view(self, event, what, mode, page, pages, count):
        got = tuple(event.data.get(k) for k in ("viewMode", "currentPage", "pageCount",
                                                 "maxActiveParticipantsCount"))
        check_equal(got, (mode, page, pages, count),
                    "%s: viewModeUpdate (viewMode, currentPage, pageCount, "
                    "maxActiveParticipantsCount)" % what)

    async def wait_active(self, shown, what, timeout=VIEW_TIMEOUT):
        """Waits for an activeParticipantsUpdate showing exactly `shown`."""
        want = [shown.peer_id]
        try:
            event = await self.viewer.wait_event(
                "activeParticipantsUpdate", timeout=timeout,
                where=lambda e: e.data.get("active") == want)
        except TestFailure:
            raise TestFailure("%s: no activeParticipantsUpdate with active [%s] within %ss; "
                              "updates seen: %r" % (what, shown.name, timeout, self.updates()))
        check_equal(event.data.get("videoSubscribed"), want,
                    "%s: videoSubscribed of activeParticipantsUpdate" % what)
        check_equal(sorted(event.data.get("audioSubscribed") or []),
                    sorted(c.peer_id for c in self.speakers),
                    "%s: audioSubscribed of activeParticipantsUpdate (everyone's audio)" % what)
        return event

    def updates(self):
        return [self.named(e.data.get("active")) for e in self.viewer_events("activeParticipantsUpdate")]

    def check_last_active(self, shown, what):
        events = self.viewer_events("activeParticipantsUpdate")
        check(events, "%s: the viewer never got activeParticipantsUpdate" % what)
        check_equal(self.named(events[-1].data.get("active")), [shown.name],
                    "%s: active of the last activeParticipantsUpdate" % what)

    async def wait_speaker(self, speaker, since, what, hold_min=None):
        """Waits for activeSpeaker naming `speaker`; checks that no other
        activeSpeaker came after `since` (a monotonic time) and, with
        `hold_min`, that it did not come sooner than that after `since`.
        Returns the delay."""
        try:
            event = await self.viewer.wait_event(
                "activeSpeaker", timeout=SPEAKER_TIMEOUT + 0.5,
                where=lambda e: e.data.get("participantId") == speaker.peer_id)
        except TestFailure:
            raise TestFailure("%s: no activeSpeaker for %s within %.1fs; activeSpeaker events "
                              "seen: %r" % (what, speaker.name, SPEAKER_TIMEOUT, self.speaker_log()))
        delay = event.received_at - since
        check_equal(event.data.get("userId"), self.rests[speaker]["id"],
                    "%s: userId of activeSpeaker %s" % (what, speaker.name))
        check(delay <= SPEAKER_TIMEOUT,
              "%s: activeSpeaker %s came %.2fs after the switch (limit %.1fs)"
              % (what, speaker.name, delay, SPEAKER_TIMEOUT))
        if hold_min is not None:
            check(delay >= hold_min,
                  "%s: activeSpeaker %s came %.2fs after the switch, sooner than the %.1fs "
                  "hold of the hysteresis" % (what, speaker.name, delay, hold_min))
        others = [e for e in self.viewer_events("activeSpeaker")
                  if e.received_at > since and e is not event and e.received_at <= event.received_at]
        check(not others, "%s: activeSpeaker for %r before the one for %s"
              % (what, [self.names.get(e.data.get("participantId")) for e in others], speaker.name))
        return delay

    def speaker_log(self):
        return [self.names.get(e.data.get("participantId"), e.data) for e in self.viewer_events("activeSpeaker")]

    async def check_tile(self, shown, what):
        """One measuring window: the viewer decodes VIDEO_WINDOW more video
        frames of `shown` and AUDIO_WINDOW more audio frames of every
        speaker, while the video of the others grows by at most STRAY_VIDEO
        frames (in flight when the selection changed)."""
        viewer = self.viewer
        before = {c: dict(viewer.frames[c.peer_id]) for c in self.speakers}

        def grown(client, kind):
            return viewer.frames[client.peer_id][kind] - before[client][kind]

        hidden = [c for c in self.speakers if c is not shown]

        def flowing():
            return (grown(shown, "video") >= VIDEO_WINDOW
                    and all(grown(c, "audio") >= AUDIO_WINDOW for c in self.speakers))

        def counts():
            return "video %r, audio %r" % ({c.name: grown(c, "video") for c in self.speakers},
                                           {c.name: grown(c, "audio") for c in self.speakers})

        # Ends early when a tile that is not selected clearly flows.
        await viewer.wait_until(
            lambda: flowing() or any(grown(c, "video") > STRAY_VIDEO for c in hidden),
            MEDIA_TIMEOUT,
            lambda: "%s: expected >= %d video frames from %s and >= %d audio frames from "
            "everyone; got %s" % (what, VIDEO_WINDOW, shown.name, AUDIO_WINDOW, counts()))
        for client in hidden:
            check(grown(client, "video") <= STRAY_VIDEO,
                  "%s: the viewer decoded %d video frames from %s (not selected; at most %d "
                  "in flight) while it decoded %d from %s; activeSpeaker events: %r; "
                  "activeParticipantsUpdate: %r"
                  % (what, grown(client, "video"), client.name, STRAY_VIDEO,
                     grown(shown, "video"), shown.name, self.speaker_log(), self.updates()))
        log("%s: video from %s only (%r), audio from all (%r)"
            % (what, shown.name, {c.name: grown(c, "video") for c in self.speakers},
               {c.name: grown(c, "audio") for c in self.speakers}))


async def setup(server):
    meeting = server.create_meeting(title="Active grid test")
    viewer = RtkClient(server, "vera")
    ada, bob, cy = Speaker(server, "ada"), Speaker(server, "bob"), Speaker(server, "cy")
    rests = {c: server.add_participant(meeting["id"], c.name.capitalize())
             for c in (viewer, ada, bob, cy)}
    await viewer.join(rests[viewer]["token"])
    for speaker in (ada, bob, cy):           # the join order: Ada, Bob, Cy
        await speaker.join(rests[speaker]["token"])
        await speaker.publish_voice()
    subscribed = await viewer.subscribe(rests[viewer]["token"])
    offered = sorted((s.get("participantId"), s.get("kind")) for s in subscribed.get("streams", []))
    check_equal(offered, sorted((c.peer_id, k) for c in (ada, bob, cy) for k in ("audio", "video")),
                "streams offered to the viewer (participantId, kind)")
    grid = Grid(viewer, ada, bob, cy, rests)
    grid.meeting_id = meeting["id"]
    for speaker in grid.speakers:   # the default view shows everyone: media flows from all
        await viewer.wait_frames(speaker.peer_id, video=10, audio=25, timeout=MEDIA_TIMEOUT)
    log("vera receives video and audio from ada, bob and cy")
    return grid


async def one_tile(grid):
    event = await grid.view_request({"request": "participants.setMaxActiveParticipantsCount", "count": 1})
    grid.check_view(event, "setMaxActiveParticipantsCount 1", "ACTIVE_GRID", 0, 0, 1)
    await grid.wait_active(grid.ada, "count 1, nobody speaking (join order)")
    await grid.check_tile(grid.ada, "count 1, nobody speaking")
    check_equal(grid.speaker_log(), [], "activeSpeaker events while everyone was silent")


async def ada_speaks(grid):
    since = time.monotonic()
    grid.ada.voice.loud = True
    delay = await grid.wait_speaker(grid.ada, since, "Ada speaks")
    log("activeSpeaker Ada %.2fs after she started" % delay)
    grid.check_last_active(grid.ada, "Ada speaks")
    await grid.check_tile(grid.ada, "Ada speaks")


async def bob_takes_over(grid):
    since = time.monotonic()
    grid.ada.voice.loud = False
    grid.bob.voice.loud = True
    delay = await grid.wait_speaker(grid.bob, since, "Ada silent, Bob speaks", hold_min=HOLD_MIN)
    log("activeSpeaker Bob %.2fs after the switch" % delay)
    await grid.wait_active(grid.bob, "Bob speaks")
    await grid.check_tile(grid.bob, "Bob speaks")


async def late_joiner_told(grid, server):
    """Lee joins while Bob has the floor: roomJoined names Bob as the active
    speaker at once (not at the next change); Wes, admitted from the
    waiting room by Hana, gets activeSpeaker Bob right after his roomJoined.
    They leave again, so the view's counts below stay those of Vera, Ada,
    Bob and Cy."""
    lee = RtkClient(server, "lee")
    rest = server.add_participant(grid.meeting_id, "Lee")
    joined = await lee.join(rest["token"])
    check_equal(joined.get("activeSpeaker"),
                {"participantId": grid.bob.peer_id, "userId": grid.rests[grid.bob]["id"]},
                "a late joiner's roomJoined activeSpeaker while Bob has the floor")
    await lee.leave()
    await lee.close()
    log("Lee, joining late, is told Bob has the floor")
    # admitted from the waiting room: roomJoined comes from the admission,
    # and activeSpeaker Bob right after it
    status, reply = server.rest("POST", "/v2/presets", {
        "name": "grid-waits", "permissions": {"waiting_room_type": "ON_PRIVILEGED_USER_ENTRY"}})
    check_equal(status, 201, "POST /v2/presets grid-waits (%s)" % server.last_text)
    hana, wes = RtkClient(server, "hana"), RtkClient(server, "wes")
    await hana.join(server.add_participant(grid.meeting_id, "Hana", "group_call_host")["token"])
    wes_rest = server.add_participant(grid.meeting_id, "Wes", "grid-waits")
    await wes.join(wes_rest["token"], expect="waitlisted")
    await hana.control({"request": "participants.acceptWaitingRoomRequest", "id": wes.peer_id})
    await wes.wait_event("roomJoined")
    told = await wes.wait_event("activeSpeaker", timeout=3)
    check_equal({k: told.data.get(k) for k in ("participantId", "userId")},
                {"participantId": grid.bob.peer_id, "userId": grid.rests[grid.bob]["id"]},
                "activeSpeaker to a participant admitted from the waiting room while Bob has the floor")
    for client in (wes, hana):
        await client.leave()
        await client.close()
    log("Wes, admitted from the waiting room, is told Bob has the floor")


async def check_nothing_since(grid, speakers_before, updates_before, what):
    check_equal([grid.names.get(e.data.get("participantId"))
                 for e in grid.viewer_events("activeSpeaker")[speakers_before:]], [],
                "activeSpeaker events " + what)
    check_equal([grid.named(e.data.get("active"))
                 for e in grid.viewer_events("activeParticipantsUpdate")[updates_before:]], [],
                "activeParticipantsUpdate events " + what)


async def cy_blips(grid):
    speakers_before = len(grid.viewer_events("activeSpeaker"))
    updates_before = len(grid.viewer_events("activeParticipantsUpdate"))
    since = time.monotonic()
    loud_before = grid.cy.voice.loud_frames
    grid.cy.voice.blip(BLIP_FRAMES)
    await grid.check_tile(grid.bob, "Cy blips while Bob speaks")
    check(grid.cy.voice.blip_left == 0 and grid.cy.voice.loud_frames - loud_before >= BLIP_FRAMES - 1,
          "Cy's blip was not sent (%d loud frames)" % (grid.cy.voice.loud_frames - loud_before))
    remaining = since + BLIP_QUIET - time.monotonic()
    if remaining > 0:
        await asyncio.sleep(remaining)   # a window in which nothing may happen
    await check_nothing_since(grid, speakers_before, updates_before,
                              "within %.1fs of Cy's %d ms blip while Bob talks"
                              % (BLIP_QUIET, BLIP_FRAMES * 20))
    log("Cy's blip changed nothing")


async def cy_interjects(grid):
    speakers_before = len(grid.viewer_events("activeSpeaker"))
    updates_before = len(grid.viewer_events("activeParticipantsUpdate"))
    since = time.monotonic()
    grid.cy.voice.amplitude = LOUDER_AMPLITUDE
    grid.cy.voice.loud = True
    while time.monotonic() < since + INTERJECTION:
        await grid.check_tile(grid.bob, "Cy talks 3 dB louder than Bob")
    grid.cy.voice.loud = False
    grid.cy.voice.amplitude = LOUD_AMPLITUDE
    await check_nothing_since(grid, speakers_before, updates_before,
                              "while Cy talked 3 dB louder than Bob for %.1fs" % INTERJECTION)
    log("Bob keeps the floor against a slightly louder Cy")


async def cy_says_yes(grid):
    speakers_before = len(grid.viewer_events("activeSpeaker"))
    updates_before = len(grid.viewer_events("activeParticipantsUpdate"))
    since = time.monotonic()
    grid.bob.voice.loud = False
    await grid.check_tile(grid.bob, "Bob silent, still the active speaker")
    remaining = since + FADE - time.monotonic()
    if remaining > 0:
        await asyncio.sleep(remaining)   # Bob's loudness window empties; nothing may happen
    await check_nothing_since(grid, speakers_before, updates_before,
                              "within %.1fs of Bob falling silent" % FADE)

    since = time.monotonic()
    loud_before = grid.cy.voice.loud_frames
    grid.cy.voice.blip(YES_FRAMES)
    await grid.check_tile(grid.bob, "Cy says a %d ms yes" % (YES_FRAMES * 20))
    check(grid.cy.voice.blip_left == 0 and grid.cy.voice.loud_frames - loud_before >= YES_FRAMES - 1,
          "Cy's yes was not sent (%d loud frames)" % (grid.cy.voice.loud_frames - loud_before))
    remaining = since + BLIP_QUIET - time.monotonic()
    if remaining > 0:
        await asyncio.sleep(remaining)   # a window in which nothing may happen
    await check_nothing_since(grid, speakers_before, updates_before,
                              "within %.1fs of Cy's %d ms yes to a silent floor (500 ms hold)"
                              % (BLIP_QUIET, YES_FRAMES * 20))
    log("Bob keeps the floor through silence and Cy's yes")


async def paginated(grid):
    event = await grid.view_request({"request": "participants.setViewMode", "viewMode": "PAGINATED"})
    grid.check_view(event, "setViewMode PAGINATED", "PAGINATED", 1, 3, 1)
    await grid.wait_active(grid.ada, "PAGINATED page 1 (Bob the active speaker)")
    await grid.check_tile(grid.ada, "PAGINATED page 1, Bob the active speaker")

    event = await grid.view_request({"request": "participants.setPage", "page": 2})
    grid.check_view(event, "setPage 2", "PAGINATED", 2, 3, 1)
    await grid.wait_active(grid.bob, "PAGINATED page 2")
    await grid.check_tile(grid.bob, "PAGINATED page 2")

    updates_before = len(grid.viewer_events("activeParticipantsUpdate"))
    since = time.monotonic()
    grid.cy.voice.loud = True
    delay = await grid.wait_speaker(grid.cy, since, "PAGINATED page 2, Cy speaks", hold_min=HOLD_MIN)
    log("activeSpeaker Cy %.2fs after the switch" % delay)
    await grid.check_tile(grid.bob, "PAGINATED page 2 while Cy speaks")
    check_equal([grid.named(e.data.get("active"))
                 for e in grid.viewer_events("activeParticipantsUpdate")[updates_before:]], [],
                "activeParticipantsUpdate events on page 2 after Cy took the floor")

    for page in (9, 0):
        body = {"request": "participants.setPage", "page": page}
        event = await grid.viewer.request(grid.viewer.main, body)
        check(event.name == "error", "viewer: %s: expected error 0001, got %r" % (body, event))
        error = event.data.get("error") or {}
        check_equal(error.get("code"), "0001", "error code of setPage %d (3 pages)" % page)
        check(isinstance(error.get("message"), str) and error["message"],
              "setPage %d: error without a message: %r" % (page, event.data))
    event = await grid.view_request({"request": "participants.setViewMode", "viewMode": "PAGINATED"})
    grid.check_view(event, "setViewMode PAGINATED after refused setPage 9 and 0",
                    "PAGINATED", 2, 3, 1)
    grid.check_last_active(grid.bob, "after refused setPage 9 and 0")
    log("setPage 9 and 0 refused with 0001; still page 2")


async def main():
    server = Server().start()
    grid = await setup(server)
    await one_tile(grid)
    await ada_speaks(grid)
    await bob_takes_over(grid)
    await late_joiner_told(grid, server)
    await cy_blips(grid)
    await cy_interjects(grid)
    await cy_says_yes(grid)
    await paginated(grid)


if __name__ == "__main__":
    run_test(main)
