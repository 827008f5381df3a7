#!/usr/bin/python3
"""test_demo_plugins.py - the plugins of the demo page (sdk/demo/) and the
built-in Whiteboard (sdk/plugins/whiteboard/).

Owns what users of the demo page's plugins see, clicking its own buttons in
headless Chromium (tests/browser/demo_pages.js; steps in demo_pages.py). A
group call with a host (Hedy, group_call_host: plugins.can_start,
FULL_ACCESS) and a participant (Grace, group_call_participant: VIEW_ONLY):
  * both open the Plugins panel: it lists Whiteboard and Notes; Hedy has
    Activate on each, Grace nothing;
  * Hedy activates the whiteboard: both pages show its iframe; Hedy's board
    is writable ("0 strokes"), Grace's says "View only";
  * Hedy draws a stroke with the pointer in her iframe: her board counts
    one stroke, and Grace's iframe draws it (plugin data);
  * Ida, joining late, finds the whiteboard shown with the stroke (plugin
    state in roomJoined);
  * Hedy deactivates it: the iframes go on every page;
  * Hedy activates Notes and types in it: Grace's and Ida's notes show
    the text (plugin state);
  * no console errors on any page.
A screenshot of Grace's page with the drawing goes to
$RTK_TOP_BUILDDIR/tests/browser/demo-plugins.png.

Needs /usr/bin/chromium (or $RTK_CHROMIUM), node and `npm ci --prefix
tests/browser` (playwright-core); without them the test fails and says
so, unless RTK_SKIP_BROWSER=1 (then it is skipped: 77).
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from rtk_harness import BUILDDIR, Server, check, check_equal, log, run_test  # noqa: E402
from demo_pages import Pages, page_url, tools  # noqa: E402

SCREENSHOT = os.path.join(BUILDDIR, "tests", "browser", "demo-plugins.png")
FRAME = "#plugin-frame-box iframe"


def view(snap):
    return (snap.get("plugins") or {}).get("view")


async def main():
    node = tools("the demo page plugins test")
    server = Server().start()
    plugins = {p["name"]: p["id"] for p in server.rest_ok("GET", "/v2/plugins")}
    whiteboard = plugins["Whiteboard"]
    meeting = server.create_meeting(title="Plugins test")
    people = {name: server.add_participant(meeting["id"], name.capitalize(), preset)
              for name, preset in (("hedy", "group_call_host"), ("grace", "group_call_participant"),
                                   ("ida", "group_call_participant"))}
    pages = Pages(node)
    try:
        await pages.start()
        for name in ("hedy", "grace"):
            await pages.join(name, page_url(server, people[name]["token"]))
            await pages.until(name, "in the meeting", lambda s: s["screen"] == "meeting")
            await pages.click(name, "#plugins-toggle")
        h = await pages.until("hedy", "the plugins panel", lambda s: s["plugins"]["open"] and len(s["plugins"]["items"]) == 2)
        check_equal([(i["name"], i["actions"]) for i in h["plugins"]["items"]],
                    [("Whiteboard", ["Activate"]), ("Notes", ["Activate"])], "Hedy's plugins")
        g = await pages.until("grace", "the plugins panel", lambda s: s["plugins"]["open"] and len(s["plugins"]["items"]) == 2)
        check_equal([(i["name"], i["actions"]) for i in g["plugins"]["items"]],
                    [("Whiteboard", []), ("Notes", [])], "Grace's plugins (no plugins.can_start)")
        log("the Plugins panel lists the built-in plugins; only Hedy may activate")

        await pages.click("hedy", '#plugins-list li[data-plugin-id="%s"] button:has-text("Activate")' % whiteboard)
        h = await pages.until("hedy", "the whiteboard iframe", lambda s: (view(s) or {}).get("status") == "0 strokes")
        check_equal((view(h)["pluginId"], view(h)["title"]), (whiteboard, "Whiteboard"), "Hedy's plugin view")
        check(view(h)["src"].endswith("/sdk/plugins/whiteboard/"), "the iframe's src: %r" % view(h)["src"])
        await pages.until("grace", "the whiteboard iframe, view only", lambda s: (view(s) or {}).get("status") == "View only")
        log("Hedy activated the whiteboard: both pages show it; Grace's is view only")

        await pages.drag("hedy", FRAME, "#canvas", (0.2, 0.3), (0.7, 0.6))
        await pages.until("hedy", "her stroke", lambda s: (view(s) or {}).get("strokes") == 1)
        await pages.until("grace", "Hedy's stroke", lambda s: (view(s) or {}).get("strokes") == 1)
        os.makedirs(os.path.dirname(SCREENSHOT), exist_ok=True)
        await pages.command("screenshot", page="grace", path=SCREENSHOT)
        log("Hedy drew a stroke: Grace's whiteboard drew it")

        await pages.join("ida", page_url(server, people["ida"]["token"]))
        await pages.until("ida", "the whiteboard with the stroke", lambda s: s["screen"] == "meeting"
                          and (view(s) or {}).get("strokes") == 1)
        log("Ida, joining late, found the stroke")

        await pages.click("hedy", '#plugins-list li[data-plugin-id="%s"] button:has-text("Deactivate")' % whiteboard)
        for name in ("hedy", "grace", "ida"):
            await pages.until(name, "no plugin view", lambda s: view(s) is None)
        log("Hedy deactivated it: the iframes are gone")

        await pages.click("hedy", '#plugins-list li[data-plugin-id="%s"] button:has-text("Activate")' % plugins["Notes"])
        await pages.until("hedy", "the notes iframe", lambda s: (view(s) or {}).get("pluginId") == plugins["Notes"]
                          and (view(s) or {}).get("text") == "")
        await pages.fill("hedy", "#text", "agenda: plugins", frame=FRAME)
        for name in ("grace", "ida"):
            await pages.until(name, "Hedy's notes", lambda s: (view(s) or {}).get("text") == "agenda: plugins")
        log("Hedy wrote in Notes: Grace and Ida see the text")

        errors = await pages.console_errors()
        check(not any(errors.values()), "console errors: %r" % errors)
    finally:
        await pages.close()


if __name__ == "__main__":
    run_test(main)
