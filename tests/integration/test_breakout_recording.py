#!/usr/bin/python3
"""test_breakout_recording.py - recordings and livestreams of connected
meetings (breakout rooms) follow their own meeting (issue 12).

With real clients (aiortc) and the real rtk-recorder: in the parent
meeting Ada (group_call_host) records without publishing (her tile is a
still placeholder) while Bob publishes:
  * in the parent's recording Bob's tile moves and Ada's stays still;
  * Ada creates a breakout room and moves Bob there; Bob joins it with the
    token of his roomLeft and publishes again; the room is recorded over
    REST;
  * the room is livestreamed over REST too: LIVE, its playlist served,
    while the parent has no livestream (404);
  * from then on the parent's recording shows only Ada: nothing in its
    frame moves; the room's recording shows only Bob: his picture fills
    the frame and moves everywhere;
  * both recordings are UPLOADED and ffprobe reads them, each with its own
    meeting_id.
"""

import asyncio
import tempfile
import time

from rtk_harness import RtkClient, Server, check, check_equal, log, run_test, until
from test_breakout import moved, rejoin
from test_recording import download, ffprobe, streams_by_type, wait_status
from test_recording_follows import HEIGHT, MARGIN_S, PHASE_S, WIDTH, halves_moving
from test_livestream import aget

SETTLE_S = 2.0   # after a move: the new layout and Bob's first keyframe in the room


def check_halves(path, first, second, what, moving):
    left, right = halves_moving(path, first, second)
    log("%s: %.0f%% of the left half and %.0f%% of the right half change between %.1f s and %.1f s"
        % (what, left, right, first, second))
    if moving == "one":
        check(max(left, right) > 10 and min(left, right) < 2,
              "%s: one tile should move and the other stay still (left %.1f%%, right %.1f%%)" % (what, left, right))
    elif moving == "all":
        check(left > 10 and right > 10, "%s: the whole frame should move (left %.1f%%, right %.1f%%)"
              % (what, left, right))
    else:
        check(left < 2 and right < 2, "%s: nothing should move (left %.1f%%, right %.1f%%)" % (what, left, right))


async def main():
    server = Server().start()
    parent = server.create_meeting(title="plenary")
    ada_rest = server.add_participant(parent["id"], "Ada", "group_call_host")
    bob_rest = server.add_participant(parent["id"], "Bob", "group_call_participant")
    ada, bob = RtkClient(server, "ada"), RtkClient(server, "bob")
    await ada.join(ada_rest["token"])
    await bob.join(bob_rest["token"])
    await bob.publish()
    await until(lambda: bob.pub_pc.connectionState == "connected", 20, "bob's publishing PeerConnection connected")

    reply = await ada.control({"request": "recording.start",
                               "config": {"videoConfig": {"codec": "VP8", "width": WIDTH, "height": HEIGHT}}})
    parent_rec = reply.data["recording"]["id"]
    await wait_status(server, parent_rec, ("RECORDING",))
    t0 = time.monotonic()
    await asyncio.sleep(PHASE_S + SETTLE_S)
    log("the parent is RECORDING with Ada (still) and Bob (publishing)")

    # a breakout room; Bob goes there and publishes again
    room = (await ada.control({"request": "connectedMeetings.createMeetings",
                               "meetings": [{"title": "Room 1"}]})).data["meetings"][0]["id"]
    moved_at = time.monotonic() - t0
    await ada.control({"request": "connectedMeetings.moveParticipants", "sourceMeetingId": parent["id"],
                       "destinationMeetingId": room, "participantIds": [bob.peer_id]})
    destination = await moved(bob, room)
    await bob.pub_pc.close()
    await rejoin(bob, destination["token"])
    await bob.publish()
    await until(lambda: bob.pub_pc.connectionState == "connected", 20, "bob's PeerConnection in the room")
    room_rec = server.rest_ok("POST", "/v2/recordings", {"meeting_id": room, "video_config":
                              {"codec": "VP8", "width": WIDTH, "height": HEIGHT}}, statuses=(201,))["id"]
    await wait_status(server, room_rec, ("RECORDING",))
    t1 = time.monotonic()
    in_room_at = t1 - t0
    # the room's livestream is the room's: LIVE with a playlist, while the parent has none
    stream = server.rest_ok("POST", "/v2/meetings/%s/livestreams" % room, {"name": "room"}, statuses=(201,))
    check_equal(stream["meeting_id"], room, "the room livestream's meeting")
    deadline = time.time() + 30
    while server.rest_ok("GET", "/v2/meetings/%s/active-livestream" % room)["status"] != "LIVE":
        check(time.time() < deadline, "the room's livestream never became LIVE")
        await asyncio.sleep(0.3)
    status, _, body, _ = await aget(stream["playback_url"])
    check(status == 200 and body.startswith(b"#EXTM3U"), "the room's playlist: %s %r" % (status, body[:40]))
    check_equal(server.rest("GET", "/v2/meetings/%s/active-livestream" % parent["id"])[0], 404,
                "the parent's active livestream while the room streams")
    await asyncio.sleep(max(0.0, PHASE_S + SETTLE_S - (time.monotonic() - t1)))
    server.rest_ok("POST", "/v2/meetings/%s/active-livestream/stop" % room)
    log("Bob is in the room (moved at %.1f s of the parent's recording), which is RECORDING and LIVE" % moved_at)

    await ada.control({"request": "recording.stop"})
    server.rest_ok("PUT", "/v2/recordings/%s" % room_rec, {"action": "stop"})
    recs = {}
    for name, rec_id, meeting_id in (("parent", parent_rec, parent["id"]), ("room", room_rec, room)):
        recs[name] = await wait_status(server, rec_id, ("UPLOADED", "ERRORED"))
        check_equal((recs[name]["status"], recs[name]["meeting_id"]), ("UPLOADED", meeting_id),
                    "the %s's recording (status, meeting)" % name)
    with tempfile.TemporaryDirectory() as directory:
        parent_path, room_path = download(server, recs["parent"], directory), download(server, recs["room"], directory)
        for path, what in ((parent_path, "parent"), (room_path, "room")):
            streams = streams_by_type(ffprobe(path))
            check_equal((streams["video"]["codec_name"], streams["video"]["width"], streams["video"]["height"]),
                        ("vp8", WIDTH, HEIGHT), "the %s recording's video stream" % what)
        check_halves(parent_path, SETTLE_S, SETTLE_S + PHASE_S - MARGIN_S,
                     "parent, Ada and Bob", moving="one")
        check_halves(parent_path, in_room_at + MARGIN_S, in_room_at + PHASE_S,
                     "parent, Bob in the room", moving="none")
        check_halves(room_path, SETTLE_S, SETTLE_S + PHASE_S - MARGIN_S, "room, Bob", moving="all")
    log("each recording shows its own meeting's participants")


if __name__ == "__main__":
    run_test(main)
