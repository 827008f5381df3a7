#!/usr/bin/python3
"""test_hls_js.py - a viewer plays the LL-HLS livestream with hls.js in
headless Chromium (issue 4).

Owns what a browser viewer of a livestream sees, with the players people
really use: hls.js (npm, pinned in tests/browser/package-lock.json) with
lowLatencyMode in Debian's Chromium, driven by playwright-core
(tests/browser/hls_player.js). A host publishes VP8 + Opus from aiortc and
starts the livestream over signalling (livestream.start); a page on another
origin (a local HTTP server on 127.0.0.1 serving tests/browser/hls_player.html
and hls.js from node_modules: no CDN, no network) plays its playbackUrl in a
muted autoplaying <video>, opened once the playlist has its first complete
segment (see first_segment()), and:
  * the video plays: currentTime advances >= 3 s over ~5 s, and
    getVideoPlaybackQuality().totalVideoFrames grows;
  * hls.js is in low-latency mode and uses it: hls.lowLatencyMode, the
    playlist has parts and CAN-BLOCK-RELOAD, hls.js loads parts and asks for
    the playlist with blocking reload (_HLS_msn/_HLS_part), and hls.latency
    stays low (logged with hls.targetLatency);
  * no fatal hls.js error;
  * livestream.stop: hls.js sees the end (a playlist with EXT-X-ENDLIST,
    details.live false, or the video's ended event) within 15 s.

Needs /usr/bin/chromium (or $RTK_CHROMIUM), node and
`npm ci --prefix tests/browser`: `./rtk test` installs them; without them the
test fails and says so, unless RTK_SKIP_BROWSER=1 (then it is skipped: 77).
RTK_HLS_JS_DEBUG=FILE runs hls.js with debug: true and writes the page's
console to FILE.
"""

import asyncio
import http.client
import http.server
import json
import math
import os
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from rtk_harness import EXIT_SKIP, RtkClient, Server, check, log, run_test  # noqa: E402
import browser_driver  # noqa: E402
from browser_driver import CHROMIUM  # noqa: E402

NODE_MODULES = os.path.join(HERE, "node_modules")
HLS_JS = os.path.join(NODE_MODULES, "hls.js", "dist", "hls.min.js")
DRIVER = os.path.join(HERE, "hls_player.js")
PAGE = os.path.join(HERE, "hls_player.html")

PLAY_SECONDS = 5        # how long the viewer watches before the checks
MIN_ADVANCE = 3.0       # seconds of media played in that time, at least
END_TIMEOUT = 15        # seconds for hls.js to see the end after livestream.stop
MAX_LATENCY = 5.0       # seconds behind the live edge, at most (non-LL HLS: 3 x 2 s segments = 6 s)


def browser_tools():
    """(node, chromium), or a failure that says what to install."""
    return browser_driver.browser_tools("the browser test", ((HLS_JS, HERE),)), CHROMIUM


class PageServer:
    """The viewer's site on 127.0.0.1 (another origin than the livestream):
    the page, and hls.js from node_modules."""

    FILES = {"/hls_player.html": (PAGE, "text/html; charset=utf-8"),
             "/hls.js": (HLS_JS, "application/javascript")}

    def __init__(self):
        files = self.FILES

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                path = urllib.parse.urlsplit(self.path).path
                entry = files.get(path)
                if path == "/favicon.ico":
                    self.send_response(204)
                    self.end_headers()
                    return
                if entry is None:
                    self.send_error(404)
                    return
                with open(entry[0], "rb") as f:
                    body = f.read()
                self.send_response(200)
                self.send_header("Content-Type", entry[1])
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, src):
        return "%s/hls_player.html?%s" % (self.base, urllib.parse.urlencode({"src": src}))

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class Player(browser_driver.BrowserDriver):
    """hls_player.js in a child process: we read its JSON reports and tell
    it "stopped"."""

    def __init__(self, node, chromium, page_url):
        argv = [node, DRIVER, "--page", page_url, "--chromium", chromium,
                "--play-seconds", str(PLAY_SECONDS), "--end-timeout", str(END_TIMEOUT),
                "--start-timeout", "30"]
        if os.environ.get("RTK_HLS_JS_DEBUG"):
            argv += ["--debug-log", os.environ["RTK_HLS_JS_DEBUG"]]
        super().__init__(argv)


def describe(doc):
    return json.dumps(doc, indent=1, sort_keys=True)[:8000]


def check_playing(doc):
    first, last = doc["first"], doc["last"]
    page, hls = last["page"], last["hls"]
    requests = doc["requests"]
    fatal = [e for e in page["errors"] if e["fatal"]]
    check(not fatal, "fatal hls.js error while playing: %s\n%s" % (fatal, describe(doc)))
    advance = last["currentTime"] - first["currentTime"]
    frames = last["totalVideoFrames"] - first["totalVideoFrames"]
    log("hls.js %s played %.2f s of video in %.2f s (%d frames decoded, %d dropped), "
        "first picture %.2f s after the page opened"
        % (page["hlsVersion"], advance, doc["wallSeconds"], frames,
           last["droppedVideoFrames"] - first["droppedVideoFrames"], doc["startupMs"] / 1000))
    check(advance >= MIN_ADVANCE, "currentTime advanced %.2f s in %.2f s of playback (want >= %.1f)\n%s"
          % (advance, doc["wallSeconds"], MIN_ADVANCE, describe(doc)))
    check(frames >= 10, "totalVideoFrames grew by %d in %.2f s\n%s" % (frames, doc["wallSeconds"], describe(doc)))
    check(not last["paused"] and not last["ended"], "the video is paused or ended while live: %s" % describe(last))

    level = page["lastLevel"]
    log("hls.js latency %.3f s (target %.3f s, max %.3f s, drift %.3f), samples %s"
        % (hls["latency"], hls["targetLatency"], hls["maxLatency"] or 0, hls["drift"],
           " ".join("%.2f" % s["latency"] for s in doc["samples"])))
    log("playlist as hls.js read it: live %s, CAN-BLOCK-RELOAD %s, PART-TARGET %s, PART-HOLD-BACK %s, "
        "%d segments + %d parts, preload hint %s; %d playlist requests (%d blocking, %d with _HLS_part), "
        "%d parts + %d segments loaded"
        % (level["live"], level["canBlockReload"], level["partTarget"], level["partHoldBack"],
           level["fragments"], level["parts"], level["preloadHint"], requests["playlistRequests"],
           requests["blockingPlaylistRequests"], requests["partRequests"], page["partLoaded"], page["fragLoaded"]))
    loads = page["loads"]
    repeated = {key: n for key, n in loads.items() if n > 1}
    log("loaded: %s%s" % (" ".join(sorted(loads, key=lambda k: [int(x) for x in k.split(".")])),
                          "; loaded more than once: %s" % repeated if repeated else ""))
    nonfatal = page["errors"]
    if nonfatal:
        log("hls.js non-fatal errors: %s" % json.dumps(nonfatal)[:3000])
        for answer in requests["firstPlaylists"]:
            log("playlist answer %d ms after the page opened: %s -> %s\n%s"
                % (answer["t"], answer["url"], answer["status"], answer.get("text", "(no text)")))
    if requests["playlistErrors"]:
        log("playlist answers other than 200: %s" % requests["playlistErrors"][:10])

    check(hls["lowLatencyMode"] is True, "hls.lowLatencyMode is %r" % hls["lowLatencyMode"])
    check(level["live"] is True, "the playlist is not live while the livestream runs: %s" % level)
    check(level["canBlockReload"] is True and level["parts"] > 0 and level["partTarget"],
          "hls.js did not see an LL-HLS playlist (CAN-BLOCK-RELOAD, parts): %s" % level)
    check(requests["blockingPlaylistRequests"] > 0,
          "hls.js never asked for the playlist with _HLS_msn (blocking reload): %s" % requests)
    check(page["partLoaded"] > 0, "hls.js loaded no part (EXT-X-PART), only %d segments" % page["fragLoaded"])
    check(isinstance(hls["latency"], (int, float)) and math.isfinite(hls["latency"]) and hls["latency"] > 0,
          "hls.latency is not reported: %r" % hls["latency"])
    check(hls["latency"] <= MAX_LATENCY, "hls.latency %.3f s is more than %.1f s: not low latency"
          % (hls["latency"], MAX_LATENCY))


def check_ended(doc):
    snap = doc["snap"]
    page = snap["page"]
    fatal = [e for e in page["errors"] if e["fatal"]]
    check(not fatal, "fatal hls.js error after livestream.stop: %s\n%s" % (fatal, describe(doc)))
    saw = "a playlist with live false (EXT-X-ENDLIST)" if page["notLive"] else \
        "the video's ended event" if page["ended"] else None
    check(saw is not None, "hls.js did not see the end within %d s of livestream.stop: last level %s, "
          "playlist requests after the stop %s\n%s"
          % (END_TIMEOUT, page["lastLevel"], doc["playlistsAfterStop"], describe(doc)))
    log("hls.js saw the end %.2f s after livestream.stop answered: %s (video ended: %s)"
        % (doc["afterStopMs"] / 1000, saw, page["ended"]))


def http_get(url):
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", parts.path)
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection.close()


async def first_segment(url, timeout=15):
    """Waits until the playlist lists a complete segment (#EXTINF).

    The viewer opens the page only then: opened at once, while segment 0 is
    still in progress, hls.js sometimes stalls at the end of segment 0 and
    loads its parts again and again (latency 2.3-4.7 s, and now and then
    less than 3 s played in 5 s), because in every part the audio ends about
    0.1 s before the video and the part's DURATION; RTK_HLS_JS_AT_START=1
    opens the page at once, to see it."""
    deadline = time.monotonic() + timeout
    while True:
        status, text = await asyncio.get_running_loop().run_in_executor(None, http_get, url)
        if status == 200 and "#EXTINF:" in text:
            return
        check(time.monotonic() < deadline, "no complete segment in the playlist %d s after LIVESTREAMING "
              "(%d):\n%s" % (timeout, status, text))
        await asyncio.sleep(0.1)


async def main():
    node, chromium = browser_tools()
    server = Server().start()
    meeting = server.create_meeting(title="hls.js viewer")
    rest = server.add_participant(meeting["id"], "Host", "group_call_host")
    host = RtkClient(server, "host")
    await host.join(rest["token"])
    await host.publish()
    reply = await host.control({"request": "livestream.start"})
    url = reply.data["livestream"]["playbackUrl"]
    check(url.startswith("http://127.0.0.1:") and url.endswith("/index.m3u8"), "playbackUrl %s" % url)
    await host.wait_event("livestreamUpdate", where=lambda e: e.data.get("status") == "LIVESTREAMING",
                          timeout=30)
    log("livestream on air: %s" % url)
    if os.environ.get("RTK_HLS_JS_AT_START") != "1":
        await first_segment(url)

    pages = PageServer()
    player = Player(node, chromium, pages.url(url))
    try:
        await player.start()
        check_playing(await player.report("playing", 60))
        started = time.monotonic()
        await host.control({"request": "livestream.stop"})
        player.say_stopped()
        log("livestream.stop answered in %.2f s" % (time.monotonic() - started))
        check_ended(await player.report("ended", END_TIMEOUT + 15))
    finally:
        await player.close()
        pages.close()


if __name__ == "__main__":
    if os.environ.get("RTK_SKIP_BROWSER") == "1":
        print("SKIP: RTK_SKIP_BROWSER=1", flush=True)
        sys.exit(EXIT_SKIP)
    run_test(main)
