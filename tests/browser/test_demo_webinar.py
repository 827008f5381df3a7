#!/usr/bin/python3
"""test_demo_webinar.py - the stage of a webinar on the demo page (issue 9).

Owns the stage controls of the demo meeting page (sdk/demo/, served at /)
end to end in headless Chromium, every step a click on the page's own
buttons (tests/browser/demo_pages.js; the pages and helpers are
test_demo_host.py's). A meeting with a presenter (Pat, webinar_presenter:
stage_access ALLOWED, accepts stage requests) and an attendee (Ava,
webinar_viewer: stage_access and audio/video CAN_REQUEST):
  * both join off stage: each page says "No one is on stage yet"; Pat's
    stage bar offers Join stage, Ava's Request to join stage;
  * Ava clicks the camera while off stage: the page shows the refusal with
    its RTKError code (Error 1501) and the camera stays off;
  * Pat clicks Join stage: her bar says she is on stage, her own tile
    shows, and Ava's page decodes Pat's video;
  * Ava clicks Request to join stage: her bar says she asked and offers
    Cancel, and no screenshare button (her preset may not share); Pat's People button says "1 waiting" and the panel lists Ava
    under the stage requests with Accept and Deny; Pat clicks Accept: Ava's
    bar offers Join stage; Ava clicks it: she is on stage with her camera
    and microphone on (as she left them in the lobby), and Pat's page
    decodes Ava's video;
  * Pat clicks "Off stage" on Ava in the People panel: Ava's bar says she
    is watching again, her camera track is stopped, and her tile leaves
    Pat's grid;
  * no console errors on either page; a screenshot of Pat's page with Ava
    on stage goes to $RTK_TOP_BUILDDIR/tests/browser/demo-webinar.png.

Needs what test_demo_host.py needs but the companions; RTK_SKIP_BROWSER=1
skips it (77).
"""

import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from rtk_harness import BUILDDIR, EXIT_SKIP, Server, check, log, run_test  # noqa: E402
import browser_driver  # noqa: E402
from test_demo_host import Pages, page_url, row, tile_named  # noqa: E402

SCREENSHOT = os.path.join(BUILDDIR, "tests", "browser", "demo-webinar.png")


def bar(snap):
    return snap["stageBar"] or {}


def offered(snap):
    """The stage bar's buttons the user can click."""
    return sorted(b for b in ("stage-request", "stage-cancel", "stage-join", "stage-leave") if snap["buttons"][b])


async def main():
    node = browser_driver.browser_tools("the demo page webinar test")
    os.makedirs(os.path.dirname(SCREENSHOT), exist_ok=True)
    server = Server().start()
    meeting = server.create_meeting(title="Quarterly webinar")
    pat = server.add_participant(meeting["id"], "Pat", "webinar_presenter")
    ava = server.add_participant(meeting["id"], "Ava", "webinar_viewer")
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
        log("both joined off stage (%.1f s)" % (time.monotonic() - started))

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
        await pages.click("ava", "#stage-join")
        a = await pages.until("ava", "on stage with camera and microphone",
                              lambda s: bar(s).get("status") == "ON_STAGE" and s["buttons"]["cam"]["pressed"] == "true"
                              and s["buttons"]["mic"]["pressed"] == "true")
        await pages.decoding("pat", ava_id, "Pat decodes Ava")
        p = await pages.until("pat", "Ava on stage in the panel",
                              lambda s: not s["stageRequests"] and (row(s, "people", ava_id) or {}).get("state") == "on stage")
        check("remove-from-stage" in row(p, "people", ava_id)["actions"], "Pat's row of Ava: %s" % row(p, "people", ava_id))
        await pages.command("screenshot", page="pat", path=SCREENSHOT)
        log("Ava asked, Pat accepted, Ava joined the stage; Pat decodes her video")

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
