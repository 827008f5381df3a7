#!/usr/bin/python3
"""test_subscriber_keyframe.py - a subscriber's PeerConnection coming up
asks the publishers for a keyframe at once.

Owns the keyframe request that starts a subscriber's first picture (issue 9,
join to first frame): when Janus reports a subscriber handle's
PeerConnection up (setup_media), the plugin asks every publisher whose
video it forwards for a keyframe right then, as VideoRoom does, instead of
on that publisher's next video packet (which was up to a frame interval
later, and never while the publisher sends no video). With real clients
(aiortc, ICE, DTLS, SRTP):
  * A publishes VP8 + Opus, then its camera stalls: its video sender sends
    nothing more (its audio goes on);
  * B joins and subscribes, and chooses a simulcast layer of A's video
    (`configure` on the subscriber handle, as the SDK does at once) before
    answering the offer: no PLI reaches A while B's PeerConnection is not
    up (a keyframe then would reach nobody, and the relay's throttle would
    drop the request that matters, made 300 ms later or less);
  * once B's subscriber PeerConnection is connected, A's video sender
    receives a PLI from janus although it sent no video packet since;
  * A's camera resumes and B decodes A's video.
Before the change the PLI came only with A's next video packet: none
arrived while the camera stalled, and the test fails; before the second
change the `configure` sent a PLI at once, and the SDK's joins waited for
its throttle (bench/join: first frame 532 ms after join() against 283).
"""

import asyncio
import time

from rtk_harness import RtkClient, Server, check, log, run_test, until

STALL_SETTLE_S = 1.0     # in-flight frames and their keyframe requests die down
EARLY_CONFIGURE_S = 0.5  # a PLI sent for the early configure arrives in ms
PLI_WAIT_S = 10          # generous: the request is sent when the PC comes up


def video_sender(pc):
    return next(t.sender for t in pc.getTransceivers() if t.sender.track is not None and t.sender.track.kind == "video")


def count_plis(sender):
    """Counts the PLIs janus sends to this sender (wraps its RTCP handler)."""
    from aiortc.rtcrtpsender import RTCP_PSFB_PLI, RtcpPsfbPacket
    seen = {"plis": 0, "last": None}
    handle = sender._handle_rtcp_packet

    async def counting(packet):
        if isinstance(packet, RtcpPsfbPacket) and packet.fmt == RTCP_PSFB_PLI:
            seen["plis"] += 1
            seen["last"] = time.monotonic()
        await handle(packet)
    sender._handle_rtcp_packet = counting
    return seen


def stall(track):
    """Makes the track's recv() wait while the returned event is clear."""
    running = asyncio.Event()
    running.set()
    recv = track.recv

    async def gated():
        await running.wait()
        return await recv()
    track.recv = gated
    return running


async def subscribe_choosing_layer_first(bob, token):
    """subscribe, then configure the video stream's layer before answering
    the offer; waits EARLY_CONFIGURE_S and leaves the offer in
    bob.pending_offer."""
    bob.sub = await bob._blocking(bob.janus.attach)
    from rtk_harness import new_peer_connection
    bob.sub_pc = new_peer_connection()
    bob.sub_pc.on("track", bob._on_track)
    event = await bob.request(bob.sub, {"request": "subscribe", "token": token}, expect="subscribed")
    video = [s for s in event.data.get("streams") or [] if s.get("kind") == "video"]
    check(len(video) == 1 and event.jsep, "bob's subscription: one video stream and an offer: %r"
          % event.data)
    await bob.request(bob.sub, {"request": "configure", "mid": video[0]["mid"], "substream": 2},
                      expect="configured")
    await asyncio.sleep(EARLY_CONFIGURE_S)
    for stream in event.data["streams"]:
        bob.streams[stream["mid"]] = stream
    bob.pending_offer = event.jsep


async def main():
    server = Server().start()
    meeting = server.create_meeting(title="keyframe on subscribe")
    ada_rest = server.add_participant(meeting["id"], "Ada", "group_call_host")
    bob_rest = server.add_participant(meeting["id"], "Bob", "group_call_participant")

    ada = RtkClient(server, "ada")
    await ada.join(ada_rest["token"])
    await ada.publish()
    sender = video_sender(ada.pub_pc)
    plis = count_plis(sender)
    camera = stall(sender.track)
    await until(lambda: ada.pub_pc.connectionState == "connected", 20,
                "ada's publishing PeerConnection connected")
    camera.clear()
    await asyncio.sleep(STALL_SETTLE_S)
    stalled_at = time.monotonic()
    before = plis["plis"]
    sent = sender._RTCRtpSender__packet_count
    log("ada's camera stalled (%d video packets, %d PLIs so far)" % (sent, before))

    bob = RtkClient(server, "bob")
    await bob.join(bob_rest["token"])
    await subscribe_choosing_layer_first(bob, bob_rest["token"])
    check(plis["plis"] == before, "%d PLIs reached ada before bob's PeerConnection was up"
          % (plis["plis"] - before))
    log("no PLI to ada while bob's subscriber PeerConnection is not up")
    await bob._answer(bob.pending_offer)
    await until(lambda: bob.sub_pc.connectionState == "connected", 20,
                "bob's subscriber PeerConnection connected")
    await until(lambda: plis["plis"] > before, PLI_WAIT_S, "PLI to ada while her camera sends nothing")
    check(plis["last"] > stalled_at, "the PLI came before the stall")
    check(sender._RTCRtpSender__packet_count == sent, "ada sent %d video packets while her camera stalled"
          % (sender._RTCRtpSender__packet_count - sent))
    log("ada got a PLI %.2f s after her camera stalled, with no video sent since"
        % (plis["last"] - stalled_at))

    camera.set()
    await bob.wait_frames(ada.peer_id, video=10, timeout=30)
    log("bob decodes ada's video")


if __name__ == "__main__":
    run_test(main)
