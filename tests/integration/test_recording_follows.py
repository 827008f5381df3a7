#!/usr/bin/python3
"""test_recording_follows.py - a running recording follows the streams
published and closed after it started.

Owns the router's events as a recording sees them (plugin/router.h: a
companion's feed is one more consumer of a published stream, added and
removed with it). With real clients (aiortc) and the real rtk-recorder:
  * Ada publishes and starts a recording (VP8 640x360); once it is
    RECORDING, Bob joins without publishing: the composite gets a grid of
    two, Bob's tile a still placeholder;
  * Bob publishes: his tile's picture moves in the file as Ada's does;
  * Bob unpublishes: his tile is still again, Ada's keeps moving;
  * the recording is UPLOADED and ffprobe reads it.
The halves of the frame are compared between two instants of each phase:
the aiortc test pattern changes colour all the time, a placeholder never.
"""

import asyncio
import tempfile
import time

from rtk_harness import RtkClient, Server, check, check_equal, log, run_test, until
from test_recording import download, ffprobe, moving_share, streams_by_type, wait_status

WIDTH, HEIGHT = 640, 360
PHASE_S = 3.0          # each still phase lasts this long in the recording
PUBLISHED_S = 5.0      # Bob's publishing phase: his first keyframe may take a while on a loaded machine
MARGIN_S = 0.8         # instants are taken this far inside a phase


def halves_moving(path, first, second):
    """The share of pixels (percent) that changed between instants from
    `first` to `second` (test_recording.moving_share), in the left and the
    right half of the frame."""
    return [100.0 * moving_share(path, WIDTH, HEIGHT, first, second, box)
            for box in ((0.0, 0.5, 0.0, 1.0), (0.5, 1.0, 0.0, 1.0))]


def check_phase(path, start, what, both_move, length=PHASE_S, lead_in=MARGIN_S):
    first, second = start + lead_in, start + length - MARGIN_S
    left, right = halves_moving(path, first, second)
    log("%s: %.0f%% of the left half and %.0f%% of the right half change between %.1f s and %.1f s"
        % (what, left, right, first, second))
    moving = [share > 10 for share in (left, right)]
    still = [share < 2 for share in (left, right)]
    if both_move:
        check(all(moving), "%s: both tiles should move (left %.1f%%, right %.1f%%)" % (what, left, right))
    else:
        check(any(moving) and any(still), "%s: one tile should move and the other stay still "
              "(left %.1f%%, right %.1f%%)" % (what, left, right))


async def main():
    server = Server().start()
    meeting = server.create_meeting(title="recording follows")
    ada_rest = server.add_participant(meeting["id"], "Ada", "group_call_host")
    bob_rest = server.add_participant(meeting["id"], "Bob", "group_call_participant")

    ada = RtkClient(server, "ada")
    await ada.join(ada_rest["token"])
    await ada.publish()
    await until(lambda: ada.pub_pc.connectionState == "connected", 20, "ada's publishing PeerConnection connected")
    reply = await ada.control({"request": "recording.start",
                               "config": {"videoConfig": {"codec": "VP8", "width": WIDTH, "height": HEIGHT}}})
    rec_id = reply.data["recording"]["id"]
    await wait_status(server, rec_id, ("RECORDING",))
    t0 = time.monotonic()
    log("recording %s is RECORDING" % rec_id)

    bob = RtkClient(server, "bob")
    await bob.join(bob_rest["token"])
    joined_at = time.monotonic() - t0
    await asyncio.sleep(PHASE_S)

    published_at = time.monotonic() - t0
    await bob.publish()
    await until(lambda: bob.pub_pc.connectionState == "connected", 20, "bob's publishing PeerConnection connected")
    connected_at = time.monotonic() - t0
    await asyncio.sleep(PUBLISHED_S)

    unpublished_at = time.monotonic() - t0
    await bob.request(bob.main, {"request": "unpublish"}, expect="unpublished")
    await bob.pub_pc.close()
    await asyncio.sleep(PHASE_S + 0.5)

    await ada.control({"request": "recording.stop"})
    rec = await wait_status(server, rec_id, ("UPLOADED", "ERRORED"))
    check_equal(rec["status"], "UPLOADED", "the recording's status")
    log("bob joined at %.1f s, published at %.1f s (connected %.1f s), unpublished at %.1f s"
        % (joined_at, published_at, connected_at, unpublished_at))
    with tempfile.TemporaryDirectory() as directory:
        path = download(server, rec, directory)
        streams = streams_by_type(ffprobe(path))
        check_equal((streams["video"]["codec_name"], streams["video"]["width"], streams["video"]["height"]),
                    ("vp8", WIDTH, HEIGHT), "the recording's video stream")
        check_phase(path, joined_at, "bob joined, not publishing", both_move=False)
        check_phase(path, connected_at, "bob publishing", both_move=True, length=PUBLISHED_S, lead_in=2.0)
        check_phase(path, unpublished_at, "bob unpublished", both_move=False)


if __name__ == "__main__":
    run_test(main)
