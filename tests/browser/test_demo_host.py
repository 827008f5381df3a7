#!/usr/bin/python3
"""test_demo_host.py - a host runs a group call on the demo page (issue 9).

Owns the host flows of the demo meeting page (sdk/demo/, served at /) end to
end in headless Chromium: every step clicks the page's own buttons
(tests/browser/demo_pages.js drives the pages, fake camera, microphone and
screen) and checks what the pages show. A meeting with a host (Hedy,
group_call_host), a participant (Grace, group_call_participant) and a guest
whose preset waits (Wanda, a REST preset with waiting_room_type
ON_PRIVILEGED_USER_ENTRY):
  * Hedy and Grace click Join and each decodes the other's tile; Lou
    (livestream_viewer: no stage, produces nothing) joins and her page has
    no microphone, camera or screenshare button and says "The livestream
    has not started yet";
  * recording: Hedy clicks Record: the REC pill says RECORDING on both
    pages; later Pause shows "REC · paused", Resume, and Record again stops
    it: the pill goes away and REST reports the recording UPLOADED with a
    file that ffprobe reads as H.264 lasting >= 2 s;
  * screenshare: Hedy clicks Share screen: Grace's page shows a tile "Hedy
    is presenting" whose video decodes frames (count advancing);
  * livestream: Hedy clicks Go live: both pages show the LIVE pill and the
    host a link to the viewer page; the viewer page at that link plays
    (Live, currentTime and frames advancing), the host's pill counts
    "1 watching" (the viewer page and Lou's count as one player: same
    address and browser); Lou's page plays it in the viewer page (an iframe
    on the same link, Live, frames advancing); Hedy clicks again: the pill
    goes away, the viewer page says Ended and Lou's "The livestream has
    ended";
  * host mute: in the People panel Hedy clicks Mute and Stop video on
    Grace: Grace's page shows her microphone and camera off with a notice
    that a host did it, and the tracks it captured are stopped (readyState
    "ended"); Hedy's page shows Grace muted with her camera off;
  * waiting room: Wanda clicks Join and sees the waiting screen; Hedy's
    People button says "1 waiting" and the panel lists Wanda with Admit;
    a screenshot of this host view goes to
    $RTK_TOP_BUILDDIR/tests/browser/demo-host.png; Admit: Wanda's page is
    in the meeting and decodes Hedy's video;
  * Mute all: Wanda's page shows her microphone off (told a host did it),
    Hedy's tile shows her muted, Hedy's own microphone stays on;
  * Hedy clicks Remove on Grace: Grace's page says "You were removed from
    the meeting";
  * no console errors on any page (but, on the players, a 404 of a media
    part hls.js asked for from a preload hint and that never came).

Needs /usr/bin/chromium (or $RTK_CHROMIUM), node, `npm ci --prefix
tests/browser` (playwright-core), `npm ci --prefix sdk` (hls.js for the
viewer page), the companions rtk-recorder and rtk-hls (built) and ffprobe;
without them the test fails and says so, unless RTK_SKIP_BROWSER=1 (then it
is skipped: 77).
"""

import asyncio
import json
import os
import re
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from rtk_harness import BUILDDIR, EXIT_SKIP, SRCDIR, Server, check, log, run_test  # noqa: E402
import browser_driver  # noqa: E402
from browser_driver import CHROMIUM, until  # noqa: E402
from test_recording import download, ffprobe, streams_by_type, wait_status  # noqa: E402

DRIVER = os.path.join(HERE, "demo_pages.js")
SDK_HLS_JS = os.path.join(SRCDIR, "sdk", "node_modules", "hls.js", "dist", "hls.min.mjs")
SCREENSHOT = os.path.join(BUILDDIR, "tests", "browser", "demo-host.png")
WAITS = "guest-waits"
# A part that hls.js asked for from a preload hint, which the segmenter
# never wrote (the segment was cut at a keyframe before it, or the stream
# ended): the gateway answers 404 as LL-HLS allows, and hls.js goes on.
PART_404 = re.compile(r"^(HTTP 404 \S+|Failed to load resource: the server responded with a status of 404 "
                      r"\(Not Found\) at \S+)/hls/[0-9a-f-]+/seg\d+\.\d+\.m4s$")


class Pages(browser_driver.BrowserDriver):
    """The Chromium of demo_pages.js and what each of its pages shows."""

    def __init__(self, node):
        super().__init__([node, DRIVER, "--chromium", CHROMIUM], close_timeout=15)

    async def open(self, name, url):
        await self.command("open", page=name, url=url)

    async def click(self, name, selector):
        await self.command("click", page=name, selector=selector)

    async def snap(self, name, probe="demo"):
        return await self.command("snap", page=name, probe=probe)

    async def until(self, name, what, pred, timeout=20, probe="demo"):
        return await until("%s: %s" % (name, what), lambda: self.snap(name, probe), pred, timeout)

    async def join(self, name, url):
        """Opens the demo page of a token, waits for the lobby, clicks Join."""
        await self.open(name, url)
        await self.until(name, "the lobby's Join button", lambda s: s["buttons"]["join"] and not s["buttons"]["join"]["disabled"])
        await self.click(name, "#join")

    async def decoding(self, name, key, what, timeout=30):
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

    async def console_errors(self):
        return await self.command("errors")


def tools():
    return browser_driver.browser_tools("the demo page host test", ((SDK_HLS_JS, os.path.join(SRCDIR, "sdk")),))


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


async def main():
    node = tools()
    os.makedirs(os.path.dirname(SCREENSHOT), exist_ok=True)
    server = Server().start()
    status, reply = server.rest("POST", "/v2/presets", {
        "name": WAITS, "permissions": {"waiting_room_type": "ON_PRIVILEGED_USER_ENTRY"}})
    check(status == 201, "POST /v2/presets: %s %s" % (status, server.last_text))
    meeting = server.create_meeting(title="Design review")
    hedy = server.add_participant(meeting["id"], "Hedy", "group_call_host")
    grace = server.add_participant(meeting["id"], "Grace", "group_call_participant")
    wanda = server.add_participant(meeting["id"], "Wanda", WAITS)
    lou = server.add_participant(meeting["id"], "Lou", "livestream_viewer")
    pages = Pages(node)
    try:
        await pages.start()
        started = time.monotonic()

        # join; each decodes the other
        await pages.join("hedy", page_url(server, hedy["token"]))
        await pages.until("hedy", "in the meeting", lambda s: s["screen"] == "meeting" and s["sdk"]["id"])
        await pages.join("grace", page_url(server, grace["token"]))
        g = await pages.until("grace", "in the meeting with Hedy",
                              lambda s: s["screen"] == "meeting" and tile_named(s, "Hedy"))
        h = await pages.until("hedy", "Grace's tile", lambda s: tile_named(s, "Grace"))
        hedy_id, grace_id = h["sdk"]["id"], g["sdk"]["id"]
        await pages.decoding("hedy", grace_id, "Hedy decodes Grace")
        await pages.decoding("grace", hedy_id, "Grace decodes Hedy")
        check(g["buttons"]["record"] is None and g["buttons"]["golive"] is None,
              "Grace (no can_record, can_livestream) sees host buttons: %s" % g["buttons"])
        log("joined; each decodes the other (%.1f s)" % (time.monotonic() - started))
        await pages.join("lou", page_url(server, lou["token"]))
        lo = await pages.until("lou", "in the meeting", lambda s: s["screen"] == "meeting" and s["emptyStage"])
        check(lo["emptyStage"] == "The livestream has not started yet" and lo["tiles"] == [] and lo["watch"] is None
              and lo["stageBar"] is None and [lo["buttons"][b] for b in ("mic", "cam", "screen")] == [None] * 3,
              "the livestream viewer's page before the livestream: %s" % json.dumps(lo, indent=1)[:4000])

        # recording starts
        await pages.click("hedy", "#record")
        h = await pages.until("hedy", "REC pill RECORDING", lambda s: (s["rec"] or {}).get("state") == "RECORDING"
                              and s["buttons"]["record"]["pressed"] == "true", 40)
        recording_since = time.monotonic()
        await pages.until("grace", "REC pill", lambda s: (s["rec"] or {}).get("text") == "REC")
        log("recording: the REC pill shows on both pages")

        # screenshare
        await pages.click("hedy", "#screen")
        await pages.until("hedy", "Share screen pressed", lambda s: s["buttons"]["screen"]["pressed"] == "true")
        screen = await pages.decoding("grace", hedy_id + ":screen", "Grace decodes Hedy's screenshare")
        check(screen["screen"] and screen["name"] == "Hedy is presenting",
              "the screenshare tile on Grace's page: %s" % screen)
        log("screenshare: Grace's page shows %r at %dx%d, frames advancing"
            % (screen["name"], screen["width"], screen["height"]))

        # livestream and the viewer page
        await pages.click("hedy", "#golive")
        h = await pages.until("hedy", "LIVE pill LIVESTREAMING", lambda s: (s["live"] or {}).get("state") == "LIVESTREAMING"
                              and s["viewerLink"], 60)
        await pages.until("grace", "LIVE pill", lambda s: (s["live"] or {}).get("state") == "LIVESTREAMING")
        link = h["viewerLink"]
        check(link.startswith("/viewer/"), "the viewer link is %r" % link)
        log("livestream: LIVE on both pages; viewer link %s" % link)
        await pages.open("viewer", server.rest_base + link)
        first = await pages.until("viewer", "Live and playing", lambda s: s["state"] == "live" and s["currentTime"] > 0
                                  and not s["paused"], 40, probe="viewer")
        last = await pages.until("viewer", "playing on", lambda s: s["totalVideoFrames"] >= first["totalVideoFrames"] + 10
                                 and s["currentTime"] >= first["currentTime"] + 1.5, 20, probe="viewer")
        check(last["pill"] == "Live" and last["videoWidth"] > 0, "the viewer page: %s" % last)
        log("viewer page: %.1f s played, %d frames" % (last["currentTime"] - first["currentTime"],
                                                      last["totalVideoFrames"] - first["totalVideoFrames"]))
        lo = await pages.until("lou", "the livestream in the page", lambda s: (s["watch"] or {}).get("state") == "live"
                               and s["watch"]["frames"] > 0, 40)
        check(lo["watch"]["src"] == link, "Lou's page plays %s, not %s" % (lo["watch"]["src"], link))
        await pages.until("lou", "the livestream playing on", lambda s: (s["watch"] or {}).get("frames", 0)
                          >= lo["watch"]["frames"] + 10, 20)
        await pages.until("hedy", "one viewer counted", lambda s: (s["live"] or {}).get("text", "").endswith("· 1 watching"), 30)
        await pages.click("hedy", "#golive")
        await pages.until("hedy", "LIVE pill gone", lambda s: s["live"] is None and button_state(s, "golive") == "IDLE", 40)
        ended = await pages.until("viewer", "Ended", lambda s: s["state"] == "ended", 30, probe="viewer")
        check(ended["pill"] == "Ended", "the viewer page after the stop: %s" % ended)
        await pages.until("lou", "the livestream ended", lambda s: s["emptyStage"] == "The livestream has ended")
        log("livestream stopped: the host's pill is gone, the viewer page says Ended, Lou's page too")

        # pause and resume the recording, then stop it
        await pages.click("hedy", "#record-pause")
        h = await pages.until("hedy", "REC paused", lambda s: (s["rec"] or {}).get("state") == "PAUSED")
        check(h["rec"]["text"] == "REC · paused" and h["buttons"]["record-pause"]["title"] == "Resume recording",
              "the paused recording shows %s %s" % (h["rec"], h["buttons"]["record-pause"]))
        await pages.click("hedy", "#record-pause")
        await pages.until("hedy", "REC again", lambda s: (s["rec"] or {}).get("state") == "RECORDING")
        await pages.click("hedy", "#record")
        recorded = time.monotonic() - recording_since
        await pages.until("hedy", "REC pill gone", lambda s: s["rec"] is None and button_state(s, "record") == "IDLE", 40)
        listed = server.rest_ok("GET", "/v2/recordings?meeting_id=%s" % meeting["id"])
        check(len(listed) == 1, "recordings of the meeting: %s" % listed)
        rec = await wait_status(server, listed[0]["id"], ("UPLOADED",), 40)
        probe = ffprobe(download(server, rec, tempfile.mkdtemp(prefix="rtk-demo-rec-")))
        video = streams_by_type(probe).get("video") or {}
        duration = float(probe["format"]["duration"])
        check(video.get("codec_name") == "h264" and duration >= 2.0,
              "the recorded file: %s, %.1f s" % (video.get("codec_name"), duration))
        log("recording UPLOADED: %d bytes, h264 %sx%s, %.1f s (%.1f s wall, a pause included)"
            % (rec["file_size"], video.get("width"), video.get("height"), duration, recorded))

        # host mute
        await pages.command("mark", page="grace")
        await pages.click("hedy", "#panel-toggle")
        await pages.until("hedy", "the People panel", lambda s: s["panel"] and row(s, "people", grace_id))
        await pages.click("hedy", 'button[data-action="mute"][data-participant="%s"]' % grace_id)
        g = await pages.until("grace", "microphone off by the host",
                              lambda s: s["buttons"]["mic"]["pressed"] == "false" and s["marked"]["audio"] == "ended")
        check(told(g, "A host turned off your microphone"), "Grace is not told: %s" % g["toasts"])
        await pages.click("hedy", 'button[data-action="stop-video"][data-participant="%s"]' % grace_id)
        g = await pages.until("grace", "camera off by the host",
                              lambda s: s["buttons"]["cam"]["pressed"] == "false" and s["marked"]["video"] == "ended")
        check(told(g, "A host turned off your camera"), "Grace is not told: %s" % g["toasts"])
        check(g["sdk"]["audioTrack"] is None and g["sdk"]["videoTrack"] is None,
              "Grace's page still holds tracks: %s" % g["sdk"])
        h = await pages.until("hedy", "Grace muted, camera off",
                              lambda s: (tile_named(s, "Grace") or {}).get("micOff") and tile_named(s, "Grace")["videoOff"])
        grace_row = row(h, "people", grace_id)
        check(grace_row["state"] == "muted · camera off" and grace_row["actions"] == ["remove"],
              "Hedy's People row of Grace: %s" % grace_row)
        log("host mute: Grace's microphone and camera are off, her tracks ended")

        # waiting room
        await pages.join("wanda", page_url(server, wanda["token"]))
        w = await pages.until("wanda", "the waiting screen", lambda s: s["screen"] == "waiting")
        check(w["heading"] == ["Waiting to be let in"], "Wanda's waiting screen: %s" % w["heading"])
        h = await pages.until("hedy", "Wanda in the waiting room", lambda s: s["waitlist"])
        wanda_id = h["waitlist"][0]["id"]
        check(h["waitlist"][0]["name"] == "Wanda" and h["waitlist"][0]["actions"] == ["admit", "deny"]
              and h["buttons"]["panel-toggle"]["text"] == "People · 1 waiting",
              "Hedy's page with Wanda waiting: %s %s" % (h["waitlist"], h["buttons"]["panel-toggle"]))
        await pages.command("screenshot", page="hedy", path=SCREENSHOT)
        await pages.click("hedy", 'button[data-action="admit"][data-participant="%s"]' % wanda_id)
        await pages.until("wanda", "in the meeting", lambda s: s["screen"] == "meeting")
        await pages.decoding("wanda", hedy_id, "Wanda decodes Hedy")
        h = await pages.until("hedy", "Wanda in", lambda s: not s["waitlist"] and tile_named(s, "Wanda"))
        log("waiting room: admitted from the People panel, Wanda decodes Hedy")

        # mute all
        await pages.click("hedy", "#mute-all")
        w = await pages.until("wanda", "microphone off by Mute all", lambda s: s["buttons"]["mic"]["pressed"] == "false"
                              and s["sdk"]["audioTrack"] is None)
        check(told(w, "A host turned off your microphone"), "Wanda is not told: %s" % w["toasts"])
        h = await pages.until("hedy", "Wanda muted", lambda s: (tile_named(s, "Wanda") or {}).get("micOff"))
        check(h["buttons"]["mic"]["pressed"] == "true", "Mute all muted the host too: %s" % h["buttons"]["mic"])
        log("mute all: Wanda's microphone is off, the host's is on")

        # kick
        await pages.click("hedy", 'button[data-action="remove"][data-participant="%s"]' % grace_id)
        g = await pages.until("grace", "removed", lambda s: s["screen"] == "left")
        check(g["heading"] == ["You were removed from the meeting"], "Grace's page after the kick: %s" % g["heading"])
        await pages.until("hedy", "Grace gone", lambda s: tile_named(s, "Grace") is None and not row(s, "people", grace_id))
        log("kick: Grace's page says %r" % g["heading"][0])

        errors = await pages.console_errors()
        for player in ("viewer", "lou"):
            errors[player] = [e for e in errors[player] if not PART_404.search(e)]
        check(not any(errors.values()), "console errors: %s" % json.dumps(errors, indent=1))
        check(os.path.getsize(SCREENSHOT) > 10000, "the screenshot %s is empty" % SCREENSHOT)
        log("screenshot: %s; all in %.1f s" % (SCREENSHOT, time.monotonic() - started))
    finally:
        await pages.close()


if __name__ == "__main__":
    if os.environ.get("RTK_SKIP_BROWSER") == "1":
        print("SKIP: RTK_SKIP_BROWSER=1", flush=True)
        sys.exit(EXIT_SKIP)
    run_test(main)
