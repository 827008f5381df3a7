#!/usr/bin/python3
"""test_demo_host.py - a host runs a group call on the demo page (issue 9).

Owns the host flows of a group call on the demo meeting page (sdk/demo/,
served at /) end to end in headless Chromium: every step clicks the page's
own buttons (tests/browser/demo_pages.js drives the pages, with a fake
camera, microphone and screen; demo_pages.py holds the steps) and checks
what the pages show. A meeting with a host (Hedy, group_call_host), a
participant (Grace, group_call_participant) and a guest whose preset waits
(Wanda, a REST preset with waiting_room_type ON_PRIVILEGED_USER_ENTRY):
  * Hedy and Grace click Join and each decodes the other's tile; Grace has
    no record or live button;
  * screenshare: Hedy clicks Share screen: Grace's page shows a tile "Hedy
    is presenting" whose video decodes (frame count advancing);
  * host mute: in the People panel Hedy clicks Mute and Stop video on
    Grace: Grace's page shows her microphone and camera off and says "A
    host turned off your microphone" (camera), and the tracks it captured
    are stopped (readyState "ended"); Hedy's page shows Grace's tile muted
    with the camera off, her row "muted · camera off" with only Remove;
  * waiting room: Wanda clicks Join and sees "Waiting to be let in"; Hedy's
    People button says "People · 1 waiting" and the panel lists Wanda with
    Admit and Deny; a screenshot of this host view goes to
    $RTK_TOP_BUILDDIR/tests/browser/demo-host.png; Admit: Wanda's page is
    in the meeting and decodes Hedy's video;
  * Mute all: Wanda's page shows her microphone off (and is told a host
    did it), Hedy's shows Wanda's tile muted; Hedy's own microphone stays on;
  * Wanda's connection drops (her Janus WebSocket closed as a network
    failure would): her page keeps the meeting on screen (never the
    "Connection lost" screen) with a "Reconnecting" banner, is back in the
    meeting after the SDK's reconnection, says "Back in the meeting", hides
    the banner and still decodes Hedy; Hedy's page keeps Wanda's tile;
  * Hedy clicks Remove on Grace: Grace's page says "You were removed from
    the meeting", Hedy's no longer lists her;
  * no console errors on any page.
Recording and the livestream are test_demo_webinar.py's.

Needs /usr/bin/chromium (or $RTK_CHROMIUM), node and `npm ci --prefix
tests/browser` (playwright-core); without them the test fails and says
so, unless RTK_SKIP_BROWSER=1 (then it is skipped: 77).
"""

import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from rtk_harness import BUILDDIR, EXIT_SKIP, Server, check, log, run_test  # noqa: E402
from demo_pages import Pages, page_url, row, tile_named, told, tools  # noqa: E402

SCREENSHOT = os.path.join(BUILDDIR, "tests", "browser", "demo-host.png")
WAITS = "guest-waits"


async def main():
    node = tools("the demo page host test")
    os.makedirs(os.path.dirname(SCREENSHOT), exist_ok=True)
    server = Server().start()
    status, reply = server.rest("POST", "/v2/presets", {
        "name": WAITS, "permissions": {"waiting_room_type": "ON_PRIVILEGED_USER_ENTRY"}})
    check(status == 201, "POST /v2/presets: %s %s" % (status, server.last_text))
    meeting = server.create_meeting(title="Design review")
    hedy = server.add_participant(meeting["id"], "Hedy", "group_call_host")
    grace = server.add_participant(meeting["id"], "Grace", "group_call_participant")
    wanda = server.add_participant(meeting["id"], "Wanda", WAITS)
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

        # screenshare
        await pages.click("hedy", "#screen")
        await pages.until("hedy", "Share screen pressed", lambda s: s["buttons"]["screen"]["pressed"] == "true")
        screen = await pages.decoding("grace", hedy_id + ":screen", "Grace decodes Hedy's screenshare")
        check(screen["screen"] and screen["name"] == "Hedy is presenting",
              "the screenshare tile on Grace's page: %s" % screen)
        log("screenshare: Grace's page shows %r at %dx%d, frames advancing"
            % (screen["name"], screen["width"], screen["height"]))

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
        await pages.until("hedy", "Wanda in", lambda s: not s["waitlist"] and tile_named(s, "Wanda"))
        log("waiting room: admitted from the People panel, Wanda decodes Hedy")

        # mute all
        await pages.click("hedy", "#mute-all")
        w = await pages.until("wanda", "microphone off by Mute all", lambda s: s["buttons"]["mic"]["pressed"] == "false"
                              and s["sdk"]["audioTrack"] is None)
        check(told(w, "A host turned off your microphone"), "Wanda is not told: %s" % w["toasts"])
        h = await pages.until("hedy", "Wanda muted", lambda s: (tile_named(s, "Wanda") or {}).get("micOff"))
        check(h["buttons"]["mic"]["pressed"] == "true", "Mute all muted the host too: %s" % h["buttons"]["mic"])
        log("mute all: Wanda's microphone is off, the host's is on")

        # a dropped connection
        before = await pages.snap("wanda")
        await pages.command("drop", page="wanda")
        w = await pages.until("wanda", "joined again after the drop",
                              lambda s: s["sdk"]["roomState"] == "joined" and len(s["banners"]) > len(before["banners"])
                              and s["reconnecting"] is None)
        check(w["banners"][-1].startswith("Connection lost. Reconnecting"), "Wanda's banner: %s" % w["banners"])
        check(w["screens"][len(before["screens"]):] == [], "Wanda's page left the meeting screen during the drop: %s"
              % w["screens"])
        w = await pages.until("wanda", "told she is back", lambda s: told(s, "Back in the meeting"))
        await pages.decoding("wanda", hedy_id, "Wanda decodes Hedy after the reconnection")
        h = await pages.snap("hedy")
        check(tile_named(h, "Wanda"), "Hedy's page lost Wanda's tile during her reconnection")
        log("dropped connection: Wanda's page showed the reconnecting banner, stayed in the meeting, decodes Hedy")

        # kick
        await pages.click("hedy", 'button[data-action="remove"][data-participant="%s"]' % grace_id)
        g = await pages.until("grace", "removed", lambda s: s["screen"] == "left")
        check(g["heading"] == ["You were removed from the meeting"], "Grace's page after the kick: %s" % g["heading"])
        await pages.until("hedy", "Grace gone", lambda s: tile_named(s, "Grace") is None and not row(s, "people", grace_id))
        log("kick: Grace's page says %r" % g["heading"][0])

        errors = await pages.console_errors()
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
