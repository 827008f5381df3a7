#!/usr/bin/python3
"""test_demo_webinar.py - a webinar with a stage, a recording and a
livestream on the demo page (issue 9).

Owns the stage, recording and livestream controls of the demo meeting page
(sdk/demo/, served at /) end to end in headless Chromium, every step a
click on the page's own buttons (tests/browser/demo_pages.js; the steps
shared with test_demo_host.py are demo_pages.py's). A meeting with a
presenter (Pat, livestream_host: stage_access ALLOWED, accepts stage
requests, records and livestreams), an attendee (Ava, webinar_viewer: the
WEBINAR view, stage_access and audio/video CAN_REQUEST) and a livestream
viewer (Lou, livestream_viewer: no stage, produces nothing):
  * all join; Pat and Ava are off stage and their pages say "No one is on
    stage yet"; Pat's stage bar offers Join stage, Ava's Request to join
    stage, and Ava has no screenshare button (her preset may not share);
    Lou's page has no media buttons and says "The livestream has not
    started yet";
  * Ava clicks the camera while off stage: the page shows the refusal with
    its RTKError code (Error 1501) and the camera stays off;
  * Pat clicks Join stage: her bar says she is on stage, her own tile
    shows, and Ava's page decodes Pat's video;
  * recording: Pat clicks Record: the REC pill says RECORDING on every page;
  * Ava clicks Request to join stage: her bar says she asked and offers
    Cancel; Pat's People button says "People · 1 waiting" and the panel
    lists Ava under the stage requests with Accept and Deny; Pat clicks
    Accept: Ava's bar offers Join stage; Ava clicks it: she is on stage with
    her camera and microphone on (as she left them in the lobby), and Pat's
    page decodes Ava's video; a screenshot of Pat's page goes to
    $RTK_TOP_BUILDDIR/tests/browser/demo-webinar.png;
  * Pat pauses ("REC · paused"), resumes and stops the recording: the pill
    goes away and REST reports the recording UPLOADED with a file ffprobe
    reads as H.264 lasting >= 2 s;
  * livestream: Pat clicks Go live: the LIVE pill on Pat's and Ava's pages,
    and on Pat's a Viewer page link; the viewer page at that link plays
    (Live, currentTime and frames advancing), so does Lou's meeting
    page (the viewer page in an iframe at the same link), Pat's pill counts
    "1 watching" (one address and browser: one player); Pat clicks again:
    the pill goes away, the viewer page says Ended, Lou's page "The
    livestream has ended";
  * Pat clicks "Off stage" on Ava in the People panel: Ava's bar says she
    is watching again, her camera track is stopped, her tile leaves Pat's
    grid and her row says "watching";
  * no console errors on any page (but, on the two players, a 404 of a
    media part hls.js asked for from a preload hint and that never came).

Needs /usr/bin/chromium (or $RTK_CHROMIUM), node, `npm ci --prefix
tests/browser` (playwright-core), `npm ci --prefix sdk` (hls.js for the
viewer page), the companions rtk-recorder and rtk-hls (built) and ffprobe;
without them the test fails and says so, unless RTK_SKIP_BROWSER=1 (then
it is skipped: 77).
"""

import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from rtk_harness import BUILDDIR, EXIT_SKIP, Server, check, log, run_test  # noqa: E402
from demo_pages import (Pages, finish_recording, livestream_round, page_url, row, start_recording,  # noqa: E402
                        tile_named, tools)

SCREENSHOT = os.path.join(BUILDDIR, "tests", "browser", "demo-webinar.png")


def bar(snap):
    return snap["stageBar"] or {}


def offered(snap):
    """The stage bar's buttons the user can click."""
    return sorted(b for b in ("stage-request", "stage-cancel", "stage-join", "stage-leave") if snap["buttons"][b])


async def main():
    node = tools("the demo page webinar test", hls=True)
    os.makedirs(os.path.dirname(SCREENSHOT), exist_ok=True)
    server = Server().start()
    meeting = server.create_meeting(title="Town hall")
    pat = server.add_participant(meeting["id"], "Pat", "livestream_host")
    ava = server.add_participant(meeting["id"], "Ava", "webinar_viewer")
    lou = server.add_participant(meeting["id"], "Lou", "livestream_viewer")
    pages = Pages(node)
    try:
        await pages.start()
        started = time.monotonic()

        # both join, off stage
        await pages.join("pat", page_url(server, pat["token"]))
        await pages.until("pat", "in the meeting", lambda s: s["screen"] == "meeting" and s["stageBar"])
        await pages.join("ava", page_url(server, ava["token"]))
        a = await pages.until("ava", "in the meeting, off stage", lambda s: s["screen"] == "meeting"
                              and bar(s).get("status") == "OFF_STAGE" and len(s["sdk"]["joined"]) == 1)
        p = await pages.snap("pat")
        pat_id, ava_id = p["sdk"]["id"], a["sdk"]["id"]
        check(bar(p).get("status") == "OFF_STAGE" and offered(p) == ["stage-join"],
              "Pat's stage bar: %s %s" % (p["stageBar"], offered(p)))
        check(offered(a) == ["stage-request"] and a["buttons"]["record"] is None and a["buttons"]["screen"] is None,
              "Ava's stage bar / buttons: %s %s" % (offered(a), a["buttons"]))
        for who, snap in (("Pat", p), ("Ava", a)):
            check(snap["tiles"] == [] and snap["emptyStage"] == "No one is on stage yet",
                  "%s's grid before anyone is on stage: %s %s" % (who, snap["tiles"], snap["emptyStage"]))
        # the SDK stops what the lobby turned on once media setup finds it may not publish
        await pages.until("ava", "camera and microphone off while off stage",
                          lambda s: s["buttons"]["cam"]["pressed"] == "false" and s["buttons"]["mic"]["pressed"] == "false"
                          and s["sdk"]["videoTrack"] is None)
        await pages.join("lou", page_url(server, lou["token"]))
        lo = await pages.until("lou", "in the meeting", lambda s: s["screen"] == "meeting" and s["emptyStage"])
        check(lo["emptyStage"] == "The livestream has not started yet" and lo["tiles"] == [] and lo["watch"] is None
              and lo["stageBar"] is None and [lo["buttons"][b] for b in ("mic", "cam", "screen")] == [None] * 3,
              "the livestream viewer's page before the livestream: %s" % json.dumps(lo, indent=1)[:4000])
        log("all joined, off stage (%.1f s)" % (time.monotonic() - started))

        # a refusal shows its code
        await pages.click("ava", "#cam")
        a = await pages.until("ava", "the refusal", lambda s: any(t["error"] for t in s["toasts"]))
        refusal = [t for t in a["toasts"] if t["error"]]
        check(len(refusal) == 1 and refusal[0]["code"] == "Error 1501"
              and refusal[0]["text"].startswith("Could not turn on your camera: ")
              and a["buttons"]["cam"]["pressed"] == "false",
              "Ava's camera click off stage shows: %s, camera %s" % (a["toasts"], a["buttons"]["cam"]))
        log("off stage, the camera button says: %s (%s)" % (refusal[0]["text"], refusal[0]["code"]))

        # Pat joins the stage; Ava sees her
        await pages.click("pat", "#stage-join")
        p = await pages.until("pat", "on stage", lambda s: bar(s).get("status") == "ON_STAGE" and s["tiles"]
                              and s["buttons"]["cam"]["pressed"] == "true")
        check(offered(p) == ["stage-leave"] and [t["name"] for t in p["tiles"]] == ["Pat (you)"],
              "Pat on stage: %s %s" % (offered(p), p["tiles"]))
        await pages.decoding("ava", pat_id, "Ava decodes Pat")
        log("Pat is on stage; Ava decodes her")
        recording_since = await start_recording(pages, "pat", ("ava", "lou"))

        # Ava asks, Pat accepts, Ava joins
        await pages.click("ava", "#stage-request")
        a = await pages.until("ava", "request pending", lambda s: bar(s).get("status") == "REQUESTED_TO_JOIN_STAGE")
        check(offered(a) == ["stage-cancel"], "Ava's bar while asking: %s" % offered(a))
        p = await pages.until("pat", "the request", lambda s: s["buttons"]["panel-toggle"]["text"] == "People · 1 waiting")
        await pages.click("pat", "#panel-toggle")
        p = await pages.until("pat", "Ava among the stage requests", lambda s: s["panel"] and s["stageRequests"])
        request = p["stageRequests"][0]
        check(request["name"] == "Ava" and request["actions"] == ["accept-stage", "deny-stage"],
              "Pat's stage requests: %s" % p["stageRequests"])
        await pages.click("pat", 'button[data-action="accept-stage"][data-participant="%s"]' % request["id"])
        a = await pages.until("ava", "invited", lambda s: bar(s).get("status") == "ACCEPTED_TO_JOIN_STAGE")
        check(offered(a) == ["stage-join"] and bar(a)["text"] == "A host invited you to the stage.",
              "Ava's bar once accepted: %s %s" % (a["stageBar"], offered(a)))
        log("Ava asked, Pat accepted from the People panel")
        await pages.click("ava", "#stage-join")
        a = await pages.until("ava", "on stage with camera and microphone",
                              lambda s: bar(s).get("status") == "ON_STAGE" and s["buttons"]["cam"]["pressed"] == "true"
                              and s["buttons"]["mic"]["pressed"] == "true")
        log("Ava is on stage with her camera and microphone on")
        await pages.decoding("pat", ava_id, "Pat decodes Ava")
        p = await pages.until("pat", "Ava on stage in the panel",
                              lambda s: not s["stageRequests"] and (row(s, "people", ava_id) or {}).get("state") == "on stage")
        check("remove-from-stage" in row(p, "people", ava_id)["actions"], "Pat's row of Ava: %s" % row(p, "people", ava_id))
        log("Pat decodes Ava's video")
        await pages.command("screenshot", page="pat", path=SCREENSHOT)

        # one composite encoder at a time: the recording ends before the livestream
        await finish_recording(pages, server, "pat", meeting["id"], recording_since)
        await livestream_round(pages, server, "pat", ("ava",), "lou")

        # Pat takes Ava off the stage
        await pages.command("mark", page="ava")
        await pages.click("pat", 'button[data-action="remove-from-stage"][data-participant="%s"]' % ava_id)
        a = await pages.until("ava", "off stage again", lambda s: bar(s).get("status") == "OFF_STAGE"
                              and s["marked"]["video"] == "ended")
        check(offered(a) == ["stage-request"] and a["buttons"]["cam"]["pressed"] == "false"
              and not tile_named(a, "Ava (you)"),
              "Ava's page off stage: %s %s %s" % (offered(a), a["buttons"]["cam"], a["tiles"]))
        await pages.until("pat", "Ava's tile gone", lambda s: tile_named(s, "Ava") is None
                          and (row(s, "people", ava_id) or {}).get("state") == "watching")
        log("Pat took Ava off the stage: her camera track ended, her tile left Pat's grid")

        errors = await pages.console_errors(players=("viewer", "lou"))
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
