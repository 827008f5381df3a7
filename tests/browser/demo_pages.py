"""demo_pages.py - what the demo page tests (test_demo_host.py,
test_demo_webinar.py) share: the pages of demo_pages.js and the steps both
take.

  * Pages: one headless Chromium (demo_pages.js in a child process) with a
    page per user; open, click, fill, select, run (a script in the page),
    snap (what a page shows), until (a snap that
    satisfies a condition), join (lobby, then Join), decoding (a tile's
    video advances), console_errors;
  * page_url, tile_named, row, told, button_state: reading a snapshot;
  * start_recording / finish_recording: the record button, the REC pill,
    pause and resume, and the file REST says was UPLOADED;
  * livestream_round: the live button, the LIVE pill, the viewer page at
    the page's link playing, a livestream viewer's meeting page too,
    the viewer count, and the stop.
"""

import asyncio
import os
import re
import tempfile
import time
import urllib.parse

from rtk_harness import SRCDIR, check, log
import browser_driver
from browser_driver import CHROMIUM, until
from test_recording import download, ffprobe, streams_by_type, wait_status

HERE = os.path.dirname(os.path.abspath(__file__))
DRIVER = os.path.join(HERE, "demo_pages.js")
SDK_HLS_JS = os.path.join(SRCDIR, "sdk", "node_modules", "hls.js", "dist", "hls.min.mjs")
# A part that hls.js asked for from a preload hint, which the segmenter
# never wrote (the segment was cut at a keyframe before it, or the stream
# ended): the gateway answers 404 as LL-HLS allows, and hls.js goes on.
PART_404 = re.compile(r"^(HTTP 404 \S+|Failed to load resource: the server responded with a status of 404 "
                      r"\(Not Found\) at \S+)/hls/[0-9a-f-]+/seg\d+\.\d+\.m4s$")


def tools(what, hls=False):
    """node, after checking what the test needs (hls.js for the viewer page)."""
    extra = ((SDK_HLS_JS, os.path.join(SRCDIR, "sdk")),) if hls else ()
    return browser_driver.browser_tools(what, extra)


class Pages(browser_driver.BrowserDriver):
    """The Chromium of demo_pages.js and what each of its pages shows."""

    def __init__(self, node):
        super().__init__([node, DRIVER, "--chromium", CHROMIUM], close_timeout=15)

    async def open(self, name, url):
        await self.command("open", page=name, url=url)

    async def click(self, name, selector):
        await self.command("click", page=name, selector=selector)

    async def fill(self, name, selector, value, frame=None):
        """Types `value` into `selector` (inside the iframe `frame` when given)."""
        await self.command("fill", page=name, selector=selector, value=value, frame=frame)

    async def drag(self, name, frame, selector, start, end):
        """A pointer drag over `selector` in the iframe `frame`, between
        fractions (x, y) of its box."""
        await self.command("drag", page=name, frame=frame, selector=selector,
                           **{"from": list(start), "to": list(end)})

    async def select(self, name, selector, value):
        await self.command("select", page=name, selector=selector, value=value)

    async def run(self, name, script):
        """Evaluates `script` (a JS expression) in the page; its JSON value."""
        return await self.command("run", page=name, script=script)

    async def snap(self, name, probe="demo"):
        return await self.command("snap", page=name, probe=probe)

    async def until(self, name, what, pred, timeout=30, probe="demo"):
        return await until("%s: %s" % (name, what), lambda: self.snap(name, probe), pred, timeout)

    async def join(self, name, url):
        """Opens the demo page of a token, waits for the lobby, clicks Join."""
        await self.open(name, url)
        await self.until(name, "the lobby's Join button", lambda s: s["buttons"]["join"] and not s["buttons"]["join"]["disabled"])
        await self.click(name, "#join")

    async def decoding(self, name, key, what, timeout=45):
        """The tile `key` decodes: frames advance by >= 10 between two looks
        (what the user sees: a moving picture). Returns the later tile."""
        def tile(s):
            return next((t for t in s["tiles"] if t["key"] == key), None)
        first = tile(await self.until(name, what + " (first frames)",
                                      lambda s: (tile(s) or {}).get("frames", 0) > 0 and tile(s)["width"] > 0,
                                      timeout))
        later = tile(await self.until(name, what + " (frames advancing)",
                                      lambda s: tile(s) is not None and tile(s)["frames"] >= first["frames"] + 10,
                                      timeout))
        check(later["currentTime"] > first["currentTime"], "%s: the video's time does not move: %s -> %s"
              % (what, first, later))
        return later

    async def console_errors(self, players=()):
        """Console errors by page; on the `players` (pages playing the
        livestream) the 404s of never-written parts are left out."""
        errors = await self.command("errors")
        for name in players:
            errors[name] = [e for e in errors.get(name, []) if not PART_404.search(e)]
        return errors


def page_url(server, token):
    return "%s/?token=%s" % (server.rest_base, urllib.parse.quote(token))


def tile_named(snap, name):
    return next((t for t in snap["tiles"] if t["name"] == name), None)


def row(snap, section, pid):
    return next((r for r in snap[section] if r["id"] == pid), None)


def told(snap, text):
    """Whether the page showed this notice (now or earlier)."""
    return any(t["text"] == text for t in snap["toasts"])


def button_state(snap, bid):
    return (snap["buttons"][bid] or {}).get("state")


async def start_recording(pages, host, others):
    """The host clicks Record: REC on its page (button pressed) and on the
    others'. Returns when it started (time.monotonic())."""
    await pages.click(host, "#record")
    await pages.until(host, "REC pill RECORDING", lambda s: (s["rec"] or {}).get("state") == "RECORDING"
                      and s["buttons"]["record"]["pressed"] == "true", 60)
    for name in others:
        await pages.until(name, "REC pill", lambda s: (s["rec"] or {}).get("text") == "REC")
    log("recording: the REC pill shows on %s" % ", ".join((host,) + tuple(others)))
    return time.monotonic()


async def finish_recording(pages, server, host, meeting_id, since):
    """Pause (REC · paused), resume, stop (the pill goes): REST lists one
    recording of the meeting, UPLOADED, whose file ffprobe reads as H.264
    lasting >= 2 s. The recording runs at least 3.5 s before the pause, so
    a fast test run still leaves 2 s of media after the paused part."""
    await asyncio.sleep(max(0.0, since + 3.5 - time.monotonic()))
    await pages.click(host, "#record-pause")
    h = await pages.until(host, "REC paused", lambda s: (s["rec"] or {}).get("state") == "PAUSED")
    check(h["rec"]["text"] == "REC · paused" and h["buttons"]["record-pause"]["title"] == "Resume recording",
          "the paused recording shows %s %s" % (h["rec"], h["buttons"]["record-pause"]))
    await pages.click(host, "#record-pause")
    await pages.until(host, "REC again", lambda s: (s["rec"] or {}).get("state") == "RECORDING")
    await pages.click(host, "#record")
    recorded = time.monotonic() - since
    await pages.until(host, "REC pill gone", lambda s: s["rec"] is None and button_state(s, "record") == "IDLE", 60)
    listed = server.rest_ok("GET", "/v2/recordings?meeting_id=%s" % meeting_id)
    check(len(listed) == 1, "recordings of the meeting: %s" % listed)
    rec = await wait_status(server, listed[0]["id"], ("UPLOADED",), 60)
    probe = ffprobe(download(server, rec, tempfile.mkdtemp(prefix="rtk-demo-rec-")))
    video = streams_by_type(probe).get("video") or {}
    duration = float(probe["format"]["duration"])
    check(video.get("codec_name") == "h264" and duration >= 2.0,
          "the recorded file: %s, %.1f s" % (video.get("codec_name"), duration))
    log("recording paused, resumed, stopped: UPLOADED, %d bytes, h264 %sx%s, %.1f s (%.1f s from REC to stop)"
        % (rec["file_size"], video.get("width"), video.get("height"), duration, recorded))


async def livestream_round(pages, server, host, others, watcher):
    """The host clicks Go live: LIVE on every page and, on the host's, a
    Viewer page link; the viewer page at that link ("viewer") plays, the
    `watcher` (a livestream_viewer's meeting page) plays the same link, the
    host's pill counts 1 watching (one address and browser); the host clicks
    again: the pill goes, the viewer page says Ended, the watcher's page
    "The livestream has ended"."""
    await pages.click(host, "#golive")
    h = await pages.until(host, "LIVE pill LIVESTREAMING", lambda s: (s["live"] or {}).get("state") == "LIVESTREAMING"
                          and s["viewerLink"], 60)
    for name in others:
        await pages.until(name, "LIVE pill", lambda s: (s["live"] or {}).get("state") == "LIVESTREAMING")
    link = h["viewerLink"]
    check(link.startswith("/viewer/"), "the viewer link is %r" % link)
    log("livestream: LIVE on every page; the host's Viewer page link is %s" % link)
    await pages.open("viewer", server.rest_base + link)
    first = await pages.until("viewer", "Live and playing", lambda s: s["state"] == "live" and s["currentTime"] > 0
                              and not s["paused"], 60, probe="viewer")
    last = await pages.until("viewer", "playing on", lambda s: s["totalVideoFrames"] >= first["totalVideoFrames"] + 10
                             and s["currentTime"] >= first["currentTime"] + 1.5, 30, probe="viewer")
    check(last["pill"] == "Live" and last["videoWidth"] > 0, "the viewer page: %s" % last)
    log("viewer page: %.1f s played, %d frames" % (last["currentTime"] - first["currentTime"],
                                                  last["totalVideoFrames"] - first["totalVideoFrames"]))
    w = await pages.until(watcher, "the livestream in the page", lambda s: (s["watch"] or {}).get("state") == "live"
                          and s["watch"]["frames"] > 0, 60)
    check(w["watch"]["src"] == link, "%s's page plays %s, not %s" % (watcher, w["watch"]["src"], link))
    await pages.until(watcher, "the livestream playing on", lambda s: (s["watch"] or {}).get("frames", 0)
                      >= w["watch"]["frames"] + 10, 30)
    await pages.until(host, "one viewer counted", lambda s: (s["live"] or {}).get("text", "").endswith("· 1 watching"), 30)
    await pages.click(host, "#golive")
    await pages.until(host, "LIVE pill gone", lambda s: s["live"] is None and button_state(s, "golive") == "IDLE", 60)
    ended = await pages.until("viewer", "Ended", lambda s: s["state"] == "ended", 45, probe="viewer")
    check(ended["pill"] == "Ended", "the viewer page after the stop: %s" % ended)
    await pages.until(watcher, "the livestream ended", lambda s: s["emptyStage"] == "The livestream has ended")
    log("livestream stopped: the host's pill is gone, the viewer page says Ended, %s's page too" % watcher)
