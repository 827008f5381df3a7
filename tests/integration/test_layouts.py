#!/usr/bin/python3
"""test_layouts.py - video_config.layout of recordings and livestreams.

Owns the composite's layouts end to end (docs/rest.md "Recordings",
media/layout.h, the "speaker" command of docs/companions.md): Ada and Bob
(in that join order) publish a solid 16:9 camera each, Ada red and Bob blue,
and a voice whose loudness the test switches between a 440 Hz tone and
silence (aiortc puts each frame's level in the RFC 6464 audio-level
extension, from which the plugin picks the active speaker), and:
  * refusals: POST /v2/recordings with video_config.layout "SPEAKER": 422;
    a meeting whose recording_config.video_config.layout is "grid": 400
    naming the field; POST /v2/meetings/{id}/livestreams with a bad
    video_config.layout: 422; a livestream with ACTIVE_SPEAKER echoes it;
  * ACTIVE_SPEAKER: Bob talks (Ada, first in join order, would be shown
    without a speaker), a recording with layout ACTIVE_SPEAKER starts and
    echoes the layout; a frame 1.5 s in is dominated by Bob's blue (at
    least 80% of its pixels; Ada's red at most 10%: a thumbnail); then Ada
    talks and Bob falls silent: 2.5 s after Bob gets activeSpeaker Ada, the
    frames are dominated by Ada's red, Bob's blue a thumbnail;
  * PRESENTATION from the meeting's recording_config: Sam joins with a
    green camera and a yellow screenshare; a recording started with a
    video_config naming only the codec takes the meeting's layout
    PRESENTATION and size (the merge goes one level down): in a frame 2 s
    in, the share's area (the top four fifths) is yellow in its middle, and
    the strip below shows Ada's red, Bob's blue and Sam's green tiles in
    join order.
Frames are decoded with the ffmpeg command line from the downloaded files.
"""

import asyncio
import subprocess
import tempfile
import time

from rtk_harness import RtkClient, Server, check, check_equal, jsep_of, log, new_peer_connection, run_test, solid_track
from test_active_grid import AUDIO_LEVEL_URI, make_voice
from test_recording import download, wait_status
from test_screenshare import aiortc_applicable_answer, sdp_mlines

W, H = 640, 360
CAMERA = (320, 180)
SCREEN = (640, 360)
RED, BLUE, GREEN, YELLOW = (220, 30, 30), (30, 30, 220), (30, 200, 30), (230, 220, 30)
SPEAKER_TIMEOUT = 8


class Publisher(RtkClient):
    """A participant publishing a voice, a solid camera and, with `screen`,
    a solid screenshare (its own m-line, declared in `descriptions`)."""

    async def publish_solid(self, camera, screen=None):
        from aiortc import RTCSessionDescription
        self.voice = make_voice()
        self.pub_pc = new_peer_connection()
        self.pub_pc.addTransceiver(self.voice, direction="sendonly")
        self.pub_pc.addTransceiver(solid_track(camera, CAMERA), direction="sendonly")
        if screen is not None:
            self.pub_pc.addTransceiver(solid_track(screen, SCREEN), direction="sendonly")
        await self.pub_pc.setLocalDescription(await self.pub_pc.createOffer())
        check(AUDIO_LEVEL_URI in self.pub_pc.localDescription.sdp,
              "%s: aiortc's offer lacks the audio-level extension" % self.name)
        body = {"request": "publish"}
        if screen is not None:
            body["descriptions"] = [{"mid": sdp_mlines(self.pub_pc.localDescription.sdp)[2]["mid"],
                                     "type": "screenshare"}]
        event = await self.request(self.main, body, jsep=jsep_of(self.pub_pc.localDescription),
                                   expect="published")
        check(event.jsep and event.jsep.get("type") == "answer",
              "%s: published carries no JSEP answer: %r" % (self.name, event.message))
        await self.pub_pc.setRemoteDescription(
            RTCSessionDescription(type="answer", sdp=aiortc_applicable_answer(event.jsep["sdp"])))
        self.published = event.data
        return event.data


def rgb_frame(path, at):
    out = subprocess.run(["ffmpeg", "-v", "error", "-ss", "%.2f" % at, "-i", path, "-frames:v", "1",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=False)
    check(len(out.stdout) == W * H * 3, "cannot decode a frame at %.2f s of %s: %s"
          % (at, path, out.stderr.decode(errors="replace")))
    return out.stdout


def near(got, want, tolerance=60):
    return all(abs(a - b) <= tolerance for a, b in zip(got, want))


def share_of(frame, colour, x0=0, y0=0, x1=W, y1=H, step=4):
    """The fraction of the pixels of the region (sampled every `step`) near `colour`."""
    pixels = [tuple(frame[(y * W + x) * 3:(y * W + x) * 3 + 3])
              for y in range(y0, y1, step) for x in range(x0, x1, step)]
    return sum(1 for p in pixels if near(p, colour)) / len(pixels)


def check_dominated(frame, main, other, what):
    got_main, got_other = share_of(frame, main), share_of(frame, other)
    check(got_main >= 0.8 and got_other <= 0.1,
          "%s: %.0f%% of the frame is the speaker's colour %r (want 80%% or more), %.0f%% the other's %r "
          "(want 10%% or less)" % (what, 100 * got_main, main, 100 * got_other, other))
    log("%s: %.0f%% the speaker's colour, %.0f%% the other's" % (what, 100 * got_main, 100 * got_other))


async def wait_speaker(listener, speaker):
    """Waits for `listener` to get activeSpeaker naming `speaker`."""
    await listener.wait_event("activeSpeaker", timeout=SPEAKER_TIMEOUT,
                              where=lambda e: e.data.get("participantId") == speaker.peer_id)


def refusals(server, meeting_id):
    status, reply = server.rest("POST", "/v2/recordings", {"meeting_id": meeting_id,
                                                           "video_config": {"layout": "SPEAKER"}})
    check_equal((status, reply["error"]["message"]),
                (422, 'video_config.layout must be "GRID", "ACTIVE_SPEAKER" or "PRESENTATION" (code 1003)'),
                "POST /v2/recordings with layout SPEAKER")
    status, reply = server.rest("POST", "/v2/meetings", {"title": "Bad layout", "recording_config":
                                                         {"video_config": {"layout": "grid"}}})
    check_equal((status, reply["error"]["message"]),
                (400, "field 'recording_config.video_config.layout' must be one of GRID, ACTIVE_SPEAKER, "
                      "PRESENTATION"), "POST /v2/meetings with recording_config.video_config.layout grid")
    status, reply = server.rest("POST", "/v2/meetings/%s/livestreams" % meeting_id,
                                {"video_config": {"layout": 3}})
    check_equal((status, reply["error"]["message"]),
                (422, "field 'video_config.layout' must be one of GRID, ACTIVE_SPEAKER, PRESENTATION"),
                "POST .../livestreams with layout 3")
    log("refusals: 422 (recordings, livestreams) and 400 (meetings) for unknown layouts")


async def livestream_echo(server, meeting_id):
    live = server.rest_ok("POST", "/v2/meetings/%s/livestreams" % meeting_id,
                          {"video_config": {"layout": "ACTIVE_SPEAKER"}}, statuses=(201,))
    check_equal(live.get("video_config"), {"layout": "ACTIVE_SPEAKER"}, "the livestream's video_config")
    server.rest_ok("POST", "/v2/meetings/%s/active-livestream/stop" % meeting_id)
    stored = server.rest_ok("GET", "/v2/livestreams/%s" % live["id"])
    check_equal(stored["livestream"].get("video_config"), {"layout": "ACTIVE_SPEAKER"},
                "GET /v2/livestreams/{id}: video_config")
    log("livestream: video_config.layout echoed and stored")


async def active_speaker(server, meeting_id, ada, bob, directory):
    ada.voice.loud, bob.voice.loud = False, True
    await wait_speaker(ada, bob)
    rec = server.rest_ok("POST", "/v2/recordings", {"meeting_id": meeting_id, "video_config":
                                                    {"codec": "H264", "width": W, "height": H,
                                                     "layout": "ACTIVE_SPEAKER"}}, statuses=(201,))
    check_equal(rec["video_config"]["layout"], "ACTIVE_SPEAKER", "the recording's video_config.layout")
    rec = await wait_status(server, rec["id"], ("RECORDING",))
    started = time.monotonic()
    await asyncio.sleep(3)
    ada.voice.loud, bob.voice.loud = True, False
    await wait_speaker(bob, ada)
    switched = time.monotonic() - started
    log("Ada took the floor %.1f s into the recording" % switched)
    await asyncio.sleep(4)
    server.rest_ok("PUT", "/v2/recordings/%s" % rec["id"], {"action": "stop"})
    rec = await wait_status(server, rec["id"], ("UPLOADED",))
    check_equal(rec["video_config"]["layout"], "ACTIVE_SPEAKER", "GET /v2/recordings/{id}: video_config.layout")
    path = download(server, rec, directory)
    check_dominated(rgb_frame(path, 1.5), BLUE, RED, "1.5 s in, Bob speaking")
    check_dominated(rgb_frame(path, switched + 2.5), RED, BLUE, "%.1f s in, Ada speaking" % (switched + 2.5))
    ada.voice.loud = False


async def presentation(server, meeting_id, directory):
    sam_rest = server.add_participant(meeting_id, "Sam", "group_call_host")
    sam = Publisher(server, "sam")
    await sam.join(sam_rest["token"])
    await sam.publish_solid(GREEN, YELLOW)
    await asyncio.sleep(1)
    # a video_config of its own naming the codec only: the meeting's layout and size still apply
    rec = server.rest_ok("POST", "/v2/recordings", {"meeting_id": meeting_id, "video_config": {"codec": "H264"}},
                         statuses=(201,))
    check_equal(rec["video_config"]["layout"], "PRESENTATION", "the meeting's recording_config layout")
    check_equal((rec["video_config"]["width"], rec["video_config"]["height"]), (W, H),
                "the meeting's recording_config size under a video_config of the request's")
    rec = await wait_status(server, rec["id"], ("RECORDING",))
    await asyncio.sleep(3.5)
    server.rest_ok("PUT", "/v2/recordings/%s" % rec["id"], {"action": "stop"})
    rec = await wait_status(server, rec["id"], ("UPLOADED",))
    frame = rgb_frame(download(server, rec, directory), 2.0)
    strip = H // 5   # media/layout.h: the share above, a strip of H/5 below
    yellow = share_of(frame, YELLOW, W // 6, 10, W - W // 6, H - strip - 10)
    check(yellow >= 0.95, "the middle of the share's area is %.0f%% the share's yellow" % (100 * yellow))
    tile = strip * W // H
    x0 = (W - 3 * tile) // 2
    for i, (colour, name) in enumerate(((RED, "Ada"), (BLUE, "Bob"), (GREEN, "Sam"))):
        got = share_of(frame, colour, x0 + i * tile + 16, H - strip + 16, x0 + (i + 1) * tile - 16, H - 16, 2)
        check(got >= 0.9, "strip tile %d: %.0f%% %s's colour %r" % (i, 100 * got, name, colour))
    log("PRESENTATION: the share fills the top (%.0f%% yellow), Ada, Bob and Sam in the strip" % (100 * yellow))
    await sam.close()


async def main():
    server = Server().start()
    meeting = server.create_meeting(title="Layouts", recording_config={
        "video_config": {"codec": "H264", "width": W, "height": H, "layout": "PRESENTATION"}})
    check_equal(meeting["recording_config"]["video_config"]["layout"], "PRESENTATION",
                "the meeting's recording_config.video_config.layout")
    ada_rest = server.add_participant(meeting["id"], "Ada", "group_call_host")
    bob_rest = server.add_participant(meeting["id"], "Bob", "group_call_host")
    ada, bob = Publisher(server, "ada"), Publisher(server, "bob")
    await ada.join(ada_rest["token"])
    await bob.join(bob_rest["token"])
    await ada.publish_solid(RED)
    await bob.publish_solid(BLUE)
    refusals(server, meeting["id"])
    await livestream_echo(server, meeting["id"])
    with tempfile.TemporaryDirectory() as directory:
        await active_speaker(server, meeting["id"], ada, bob, directory)
        await presentation(server, meeting["id"], directory)
    await ada.close()
    await bob.close()
    server.stop()


if __name__ == "__main__":
    run_test(main)
