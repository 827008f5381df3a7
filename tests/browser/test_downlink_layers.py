#!/usr/bin/python3
"""test_downlink_layers.py - downlink adaptation of the forwarding policy
(plugin/model/forwarding.h, docs/protocol.md "Forwarding policy"): a
subscriber whose receiver reports show heavy loss is sent a lower simulcast
layer, and climbs back once its reports are clean.

A publisher A sends its 1280x720 fake camera as simulcast layers from
headless Chromium (tests/browser/sdk_publish.js, the SDK); a subscriber Vera
(aiortc) shows only A and asks for the top layer (configure substream 2).
Vera's aiortc sees every RTP packet of A's video before a filter the test
puts in front of its receiver, and reads the picture width of each VP8
keyframe; its receiver reports count what the filter drops as lost.
Asserted:
  1. without loss, Vera's keyframes of A are of the top layer (the widest
     A sends);
  2. the filter drops half of A's video packets: within 15 s the server
     sends Vera a narrower layer (keyframes narrower than the top), and
     says so in its log ("limited to substream");
  3. the filter drops nothing again: within 40 s (10 s of clean reports
     per layer climbed back) Vera's keyframes are of the top layer again,
     and it decodes A's frames.
Needs /usr/bin/chromium (or $RTK_CHROMIUM), node, `npm ci --prefix
tests/browser` and aiortc; RTK_SKIP_BROWSER=1 skips it (77).
"""

import asyncio
import os
import random
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from rtk_harness import EXIT_SKIP, RtkClient, Server, check, log, run_test  # noqa: E402
import browser_driver  # noqa: E402
from browser_driver import CHROMIUM, BrowserDriver  # noqa: E402
from test_sdk_meeting import web_dir  # noqa: E402

DRIVER = os.path.join(HERE, "sdk_publish.js")
DROP = 0.5            # the share of A's video packets the filter drops
DOWN_WITHIN = 15      # seconds for the first narrower keyframe
UP_WITHIN = 40        # seconds for the top layer to come back


def vp8_keyframe_width(payload):
    """The picture width of a packet starting a VP8 keyframe, else None
    (RFC 7741 payload descriptor, then the keyframe header of RFC 6386)."""
    if len(payload) < 1:
        return None
    at = 1
    start, partition = payload[0] & 0x10, payload[0] & 0x07
    if payload[0] & 0x80:
        if len(payload) < 2:
            return None
        ext = payload[1]
        at = 2
        if ext & 0x80:
            at += 2 if len(payload) > at and payload[at] & 0x80 else 1
        if ext & 0x40:
            at += 1
        if ext & 0x30:
            at += 1
    frame = payload[at:]
    if not start or partition != 0 or len(frame) < 10 or frame[0] & 0x01:
        return None
    if frame[3:6] != b"\x9d\x01\x2a":
        return None
    return (frame[6] | frame[7] << 8) & 0x3fff


class Vera(RtkClient):
    """A subscriber that filters and watches A's video packets."""

    def watch(self, mid):
        self.keyframes = []          # (monotonic time, width)
        self.drop = 0.0
        for transceiver in self.sub_pc.getTransceivers():
            if transceiver.mid == mid:
                receiver = transceiver.receiver
                handle = receiver._handle_rtp_packet

                async def lossy(packet, arrival_time_ms):
                    width = vp8_keyframe_width(packet.payload)
                    if width is not None:
                        self.keyframes.append((time.monotonic(), width))
                    if self.drop and random.random() < self.drop:
                        return
                    await handle(packet, arrival_time_ms=arrival_time_ms)

                receiver._handle_rtp_packet = lossy
                return
        check(False, "Vera has no transceiver for mid %s" % mid)

    def widths_since(self, since):
        return [w for t, w in self.keyframes if t >= since]

    async def wait_keyframe(self, what, pred, since, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            widths = self.widths_since(since)
            if widths and pred(widths[-1]):
                return widths[-1]
            await asyncio.sleep(0.2)
        check(False, "%s: not within %d s; keyframe widths since: %s" % (what, timeout, self.widths_since(since)))


async def main():
    node = browser_driver.browser_tools("the downlink layers test")
    server = Server(env={"RTK_WEB_DIR": web_dir()}).start()
    meeting = server.create_meeting(title="Downlink layers test")
    a = server.add_participant(meeting["id"], "Ada", "group_call_participant")
    v = server.add_participant(meeting["id"], "Vera", "group_call_participant")
    url = "%s/sdk/test/meeting.html?token=%s" % (server.rest_base, urllib.parse.quote(a["token"]))
    driver = BrowserDriver([node, DRIVER, "--url", url, "--chromium", CHROMIUM])
    await driver.start()
    try:
        published = await driver.report("published", 90)
        top = max(layer["frameWidth"] for layer in published["layers"])
        log("A sends layers %s" % sorted(layer["frameWidth"] for layer in published["layers"]))
        vera = Vera(server, "vera")
        await vera.join(v["token"])
        await vera.subscribe(v["token"])
        mids = [m for m in vera.mids_of(published["id"]) if vera.streams[m].get("kind") == "video"]
        check(len(mids) == 1, "A's video m-lines at Vera: %s" % mids)
        vera.watch(mids[0])
        await vera.request(vera.sub, {"request": "configure", "mid": mids[0], "substream": 2}, expect="configured")

        since = time.monotonic()
        await vera.wait_keyframe("1. no loss: a keyframe of A's top layer (%d px)" % top,
                                 lambda w: w == top, since, 30)
        log("1. no loss: Vera gets A's top layer (%d px keyframes)" % top)

        vera.drop = DROP
        since = time.monotonic()
        width = await vera.wait_keyframe("2. %d%% loss: a keyframe narrower than %d px" % (DROP * 100, top),
                                         lambda w: w < top, since, DOWN_WITHIN)
        log("2. %d%% loss: a %d px keyframe %.1f s later" % (DROP * 100, width, time.monotonic() - since))
        with open(server.log_path, errors="replace") as f:
            check("limited to substream" in f.read(), "the server's log does not mention the downlink limit")

        vera.drop = 0.0
        since = time.monotonic()
        await vera.wait_keyframe("3. loss over: a keyframe of A's top layer (%d px) again" % top,
                                 lambda w: w == top, since, UP_WITHIN)
        log("3. loss over: the top layer back %.1f s later" % (time.monotonic() - since))
        frames = vera.frames[published["id"]]["video"]
        await vera.wait_frames(published["id"], video=frames + 20, timeout=20)
    finally:
        await driver.close()


if __name__ == "__main__":
    if os.environ.get("RTK_SKIP_BROWSER") == "1":
        print("SKIP: RTK_SKIP_BROWSER=1", flush=True)
        sys.exit(EXIT_SKIP)
    run_test(main)
