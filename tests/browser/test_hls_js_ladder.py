#!/usr/bin/python3
"""test_hls_js_ladder.py - hls.js plays a livestream's ABR ladder and
switches renditions (docs/rest.md "ABR ladder").

A host publishes VP8 + Opus from aiortc; the livestream is started over
REST with livestream_viewer_qualities [720, 360, 240]; the viewer page of
test_hls_js.py (tests/browser/hls_player.html, hls.js in lowLatencyMode in
headless Chromium, served from another origin) opens its playback_url,
master.m3u8, with ?forceLevel=2: hls.js starts on level 0 and, 1.5 s after
the video first plays, is told hls.currentLevel = 2. Then:
  * hls.js read three levels from the multivariant playlist; it orders
    them by BANDWIDTH, so they are 240, 360 and 720 high: it starts on
    240p;
  * it switched from a lower level to level 2 (LEVEL_SWITCHED; hls.js may do
    so by itself before it is told) and the video's picture is then
    720 high (videoHeight);
  * the video played on: currentTime advances >= 3 s after the switch was
    asked for, frames keep being decoded, and no fatal hls.js error;
  * the level it plays is LL-HLS (parts, CAN-BLOCK-RELOAD);
  * after the stop hls.js sees the end.
Needs what test_hls_js.py needs (RTK_SKIP_BROWSER=1 skips it: 77).
"""

import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from rtk_harness import EXIT_SKIP, RtkClient, Server, check, log, run_test  # noqa: E402
import browser_driver  # noqa: E402
from test_hls_js import DRIVER, END_TIMEOUT, PageServer, browser_tools, check_ended, describe, first_segment  # noqa: E402

PLAY_SECONDS = 9        # 1.5 s before the switch is asked for, then the switch and more than 3 s after


class LadderPlayer(browser_driver.BrowserDriver):
    def __init__(self, node, chromium, page_url):
        super().__init__([node, DRIVER, "--page", page_url, "--chromium", chromium,
                          "--play-seconds", str(PLAY_SECONDS), "--end-timeout", str(END_TIMEOUT),
                          "--start-timeout", "30"])


def check_switched(doc):
    last = doc["last"]
    page = last["page"]
    fatal = [e for e in page["errors"] if e["fatal"]]
    check(not fatal, "fatal hls.js error: %s\n%s" % (fatal, describe(doc)))
    check(page["levelHeights"] == [240, 360, 720], "hls.js levels %r" % page["levelHeights"])
    forced = page["forcedAt"]
    check(forced is not None and forced > 0, "hls.currentLevel was never set: %s" % describe(doc))
    # hls.js started on level 0 and switched up to level 2: by itself (its bandwidth estimate may
    # beat the forced switch on a fast machine) or when told; either way it played on after it.
    levels = [s["level"] for s in page["switches"]]
    check(levels and levels[0] < 2 and 2 in levels[1:],
          "hls.js did not switch from a lower level to level 2: %r\n%s" % (page["switches"], describe(doc)))
    check(page["currentLevel"] == 2 and last["page"]["videoHeight"] == 720,
          "after the switch: level %r, videoHeight %r" % (page["currentLevel"], page["videoHeight"]))
    # samples are every 0.5 s over the play time; the switch was asked 1.5 s into it
    played = [s["currentTime"] for s in doc["samples"]]
    check(len(played) >= 10 and played[-1] - played[3] >= 3.0,
          "currentTime after the switch was asked: %r" % played)
    frames = [s["frames"] for s in doc["samples"]]
    check(frames[-1] > frames[3] + 25, "frames decoded after the switch: %r" % frames)
    level = page["lastLevel"]
    check(level["live"] and level["canBlockReload"] and level["parts"] > 0, "level 2 is LL-HLS: %s" % level)
    to_2 = [s for s in page["switches"] if s["level"] == 2]
    log("hls.js switched from level %s to 2 %.2f s from being told; played %.2f s more at 720p; "
        "switches %r" % (page["switches"][0]["level"], (to_2[0]["at"] - forced) / 1000,
                         played[-1] - played[3], page["switches"]))


async def main():
    node, chromium = browser_tools()
    server = Server().start()
    meeting = server.create_meeting(title="hls.js ladder")
    rest = server.add_participant(meeting["id"], "Host", "group_call_host")
    host = RtkClient(server, "host")
    await host.join(rest["token"])
    await host.publish()
    doc = server.rest_ok("POST", "/v2/meetings/%s/livestreams" % meeting["id"],
                         {"livestream_viewer_qualities": [720, 360, 240]}, statuses=(201,))
    url = doc["playback_url"]
    check(url.endswith("/master.m3u8"), "playback_url %s" % url)
    deadline = time.time() + 30
    while server.rest_ok("GET", "/v2/livestreams/%s" % doc["id"])["livestream"]["status"] != "LIVE":
        check(time.time() < deadline, "the livestream never went LIVE")
        time.sleep(0.3)
    await first_segment(url.replace("master.m3u8", "index.m3u8"))
    log("livestream on air: %s" % url)

    pages = PageServer()
    player = LadderPlayer(node, chromium, pages.url(url) + "&forceLevel=2")
    try:
        await player.start()
        check_switched(await player.report("playing", 60))
        server.rest_ok("POST", "/v2/meetings/%s/active-livestream/stop" % meeting["id"])
        player.say_stopped()
        check_ended(await player.report("ended", END_TIMEOUT + 15))
    finally:
        await player.close()
        pages.close()


if __name__ == "__main__":
    if os.environ.get("RTK_SKIP_BROWSER") == "1":
        print("SKIP: RTK_SKIP_BROWSER=1", flush=True)
        sys.exit(EXIT_SKIP)
    run_test(main)
