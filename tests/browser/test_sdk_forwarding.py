#!/usr/bin/python3
"""test_sdk_forwarding.py - the forwarding policy's simulcast layer per tile
(plugin/model/forwarding.h, docs/protocol.md "Forwarding policy"), as a
subscriber using the web SDK sees it in a real browser.

Headless Chromium (tests/browser/sdk_forwarding.js) opens the bare SDK test
page for two publishers, A (its fake microphone plays a continuous tone, so
A is the active speaker) and C (Chromium's fake beeps, never loud enough to
speak), each sending its 1280x720 camera as simulcast layers, and for a
subscriber B that shows both in tiles of the same large size (1280x720 CSS
pixels: its SDK asks the top layer, substream 2, for both). Asserted:
  * B gets activeSpeaker A;
  * B decodes the active speaker A on a larger layer than C, and C below
    the largest layer C sends: in a view of two tiles the non-speaker's
    tile is held to substream 1 though the SDK asked for 2 (without the
    policy both came on the top layer);
  * A's tile shrunk to 160x90: B's SDK asks for substream 0 and B's decoded
    size of A drops (<video>.videoWidth and inbound-rtp frameWidth): the
    speaker's layer follows the tile;
  * no console errors on any page.
Sizes are compared, not exact (under CPU load Chromium scales or drops
layers). Needs /usr/bin/chromium (or $RTK_CHROMIUM), node and `npm ci
--prefix tests/browser`; RTK_SKIP_BROWSER=1 skips it (77).
"""

import asyncio
import os
import struct
import sys
import tempfile
import urllib.parse
import wave
import math

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from rtk_harness import EXIT_SKIP, Server, check, check_equal, log, run_test  # noqa: E402
import browser_driver  # noqa: E402
from browser_driver import CHROMIUM  # noqa: E402
from test_sdk_meeting import run_driver, web_dir  # noqa: E402

DRIVER = os.path.join(HERE, "sdk_forwarding.js")


def tone_wav():
    """A 10 s, 48 kHz mono WAV of a 440 Hz tone at about -12 dBFS (Chromium
    loops it): continuous speech for the speaker detector."""
    path = os.path.join(tempfile.mkdtemp(prefix="rtk-tone-"), "tone.wav")
    rate = 48000
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate)))
                               for i in range(rate * 10)))
    return path


async def main():
    node = browser_driver.browser_tools("the SDK forwarding test")
    server = Server(env={"RTK_WEB_DIR": web_dir()}).start()
    meeting = server.create_meeting(title="SDK forwarding test")
    a = server.add_participant(meeting["id"], "Ada", "group_call_participant")
    b = server.add_participant(meeting["id"], "Bob", "group_call_participant")
    c = server.add_participant(meeting["id"], "Cy", "group_call_participant")

    def url(token):
        return "%s/sdk/test/meeting.html?token=%s" % (server.rest_base, urllib.parse.quote(token))

    doc = await run_driver([node, DRIVER, "--a-url", url(a["token"]), "--b-url", url(b["token"]),
                            "--c-url", url(c["token"]), "--tone", tone_wav(), "--chromium", CHROMIUM], 240)

    check_equal(doc["speaker"], doc["aId"], "B's lastActiveSpeaker")
    large = doc["large"]
    a_top = max(o["frameWidth"] for o in doc["aLayers"])
    c_top = max(o["frameWidth"] for o in doc["cLayers"])
    log("A sends %s px wide, C %s; in two 1280x720 tiles B decodes A %d px wide, C %d"
        % (sorted(o["frameWidth"] for o in doc["aLayers"]), sorted(o["frameWidth"] for o in doc["cLayers"]),
           large["a"]["frameWidth"], large["c"]["frameWidth"]))
    check(large["a"]["frameWidth"] > large["c"]["frameWidth"],
          "B decodes the active speaker A (%d px) no larger than C (%d px)"
          % (large["a"]["frameWidth"], large["c"]["frameWidth"]))
    check(large["c"]["frameWidth"] < c_top,
          "B decodes C at %d px in a 1280x720 tile, C's top layer (%d px): the non-speaker's tile "
          "of a 2-tile view should be held to substream 1" % (large["c"]["frameWidth"], c_top))
    check(large["a"]["frameWidth"] > min(o["frameWidth"] for o in doc["aLayers"]),
          "B decodes the active speaker A on its lowest layer (%d px of %d)" % (large["a"]["frameWidth"], a_top))
    steps = {}
    for conf in doc["configures"]:
        steps.setdefault(conf["step"], []).append(conf["substream"])
    check(2 in steps.get("large", []), "B's SDK did not ask for substream 2 for the large tiles: %s"
          % doc["configures"])
    check_equal(steps.get("small"), [0], "substreams B's SDK asked for A's 160x90 tile")
    small = doc["small"]["a"]
    log("A's tile 160x90: B decodes A %d px wide (was %d)" % (small["frameWidth"], large["a"]["frameWidth"]))
    errors = doc["consoleErrors"]
    check(not any(errors.values()), "console errors: %s" % errors)


if __name__ == "__main__":
    if os.environ.get("RTK_SKIP_BROWSER") == "1":
        print("SKIP: RTK_SKIP_BROWSER=1", flush=True)
        sys.exit(EXIT_SKIP)
    run_test(main)
