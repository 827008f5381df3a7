#!/usr/bin/python3
"""test_demo_rooms.py - the Rooms panel of the demo page (sdk/demo/) and the
page following the SDK when it moves a participant (breakout rooms,
meeting.connectedMeetings).

Clicks the page's own buttons in headless Chromium (demo_pages.js; steps in
demo_pages.py). A group call with a host (Hedy, group_call_host) and two
participants (Grace, Ivan, group_call_participant):
  * only Hedy (can_alter_connected_meetings) has the Rooms button; her
    panel lists the main meeting (she is here, with Grace and Ivan);
  * "Add room" adds "Room 1"; Hedy chooses Room 1 for Grace and clicks
    Move: Grace's page says "You are in Room 1", its title is Room 1, its
    only tile is her own, and it never showed the "left" screen; Hedy's and
    Ivan's pages lose Grace's tile; Hedy's panel (refreshing by itself)
    lists Grace in Room 1;
  * "Bring everyone back": Grace's page says "Back in the main meeting",
    has the meeting's title and Hedy's and Ivan's tiles decoding video;
    Hedy's and Ivan's pages have Grace's tile back;
  * Room 1, empty again, has Close: Hedy closes it and it leaves the list;
  * no console errors on any page.
A screenshot of Hedy's page with the panel open while Grace is in Room 1
goes to $RTK_TOP_BUILDDIR/tests/browser/demo-rooms.png.

Needs /usr/bin/chromium (or $RTK_CHROMIUM), node and `npm ci --prefix
tests/browser` (playwright-core); without them the test fails and says
so, unless RTK_SKIP_BROWSER=1 (then it is skipped: 77).
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from rtk_harness import BUILDDIR, Server, check, check_equal, log, run_test  # noqa: E402
from demo_pages import Pages, page_url, tile_named, told, tools  # noqa: E402

SCREENSHOT = os.path.join(BUILDDIR, "tests", "browser", "demo-rooms.png")
TITLE = "Rooms test"
NAMES = ("hedy", "grace", "ivan")


def room(snap, title):
    return next((r for r in snap["rooms"]["list"] if r["title"] == title), None)


def names(snap):
    """The names on the page's tiles (self as "X (you)")."""
    return sorted(t["name"] for t in snap["tiles"] if not t["screen"])


async def main():
    node = tools("the demo page rooms test")
    server = Server().start()
    meeting = server.create_meeting(title=TITLE)
    tokens = {
        "hedy": server.add_participant(meeting["id"], "Hedy", "group_call_host")["token"],
        "grace": server.add_participant(meeting["id"], "Grace", "group_call_participant")["token"],
        "ivan": server.add_participant(meeting["id"], "Ivan", "group_call_participant")["token"],
    }
    pages = Pages(node)
    try:
        await pages.start()
        for name in NAMES:
            await pages.join(name, page_url(server, tokens[name]))
            await pages.until(name, "in the meeting", lambda s: s["screen"] == "meeting")
        everyone = {"hedy": ["Grace", "Hedy (you)", "Ivan"], "grace": ["Grace (you)", "Hedy", "Ivan"],
                    "ivan": ["Grace", "Hedy", "Ivan (you)"]}
        for name in NAMES:
            await pages.until(name, "everyone's tile", lambda s, n=name: names(s) == everyone[n])
        g = await pages.snap("grace")
        check_equal(g["title"], TITLE, "Grace's page title")
        check(g["rooms"]["toggle"] is None, "Grace (no can_alter_connected_meetings) has a Rooms button")
        check((await pages.snap("ivan"))["rooms"]["toggle"] is None, "Ivan has a Rooms button")
        await pages.until("hedy", "the Rooms button", lambda s: s["rooms"]["toggle"] == "Rooms")
        grace_id = g["sdk"]["id"]
        parent_id = g["sdk"]["meetingId"]
        check_equal(parent_id, meeting["id"], "the SDK's meeting id")

        # Hedy opens the panel: the main meeting, no rooms
        await pages.click("hedy", "#rooms-toggle")
        h = await pages.until("hedy", "the rooms panel", lambda s: s["rooms"]["open"] and len(s["rooms"]["list"]) == 1
                              and len(s["rooms"]["people"]) == 2)
        main = h["rooms"]["list"][0]
        check(main["parent"] and main["here"] and main["id"] == parent_id, "the main meeting's entry: %r" % main)
        check_equal(main["title"], "Main meeting · %s" % TITLE, "the main meeting's title")
        check_equal(sorted(main["people"].split(", ")), ["Grace", "Hedy", "Ivan"], "who is in the main meeting")
        check_equal(main["actions"], [], "the main meeting cannot be closed")
        check(h["rooms"]["back"]["disabled"], "Bring everyone back is enabled with no one in a room")
        log("only the host has Rooms; the panel lists the main meeting with everyone")

        # a room
        await pages.click("hedy", "#rooms-add")
        h = await pages.until("hedy", "Room 1 listed", lambda s: room(s, "Room 1") is not None)
        room1 = room(h, "Room 1")
        check_equal((room1["people"], room1["actions"], room1["parent"]), ("Empty", ["close"], False),
                    "the new room's entry")
        h = await pages.until("hedy", "Room 1 among the move choices",
                              lambda s: any(o["text"] == "Room 1" for p in s["rooms"]["people"] for o in p["options"]))
        grace_row = next(p for p in h["rooms"]["people"] if p["name"] == "Grace")
        check_equal(grace_row["id"], grace_id, "Grace's row")
        check_equal(grace_row["options"], [{"value": room1["id"], "text": "Room 1"}], "where Grace can go")
        log("Add room: Room 1 listed, empty, with Close; a move choice for Grace and Ivan")

        # Grace into Room 1
        row = '#rooms-people li[data-participant="%s"]' % grace_id
        await pages.select("hedy", row + " select", room1["id"])
        await pages.click("hedy", row + ' button[data-action="move"]')
        g = await pages.until("grace", "in Room 1", lambda s: s["screen"] == "meeting" and s["title"] == "Room 1"
                              and s["sdk"]["roomState"] == "joined" and told(s, "You are in Room 1"), 45)
        g = await pages.until("grace", "only her own tile", lambda s: names(s) == ["Grace (you)"])
        check_equal(g["sdk"]["meetingId"], room1["id"], "Grace's meeting")
        check_equal(g["documentTitle"], "Room 1 · RTK", "Grace's document title")
        check(told(g, "Moving to another room…"), "no notice of the move: %r" % g["toasts"])
        check("left" not in g["screens"], "Grace's page showed the left screen: %r" % g["screens"])
        for name, left in (("hedy", ["Hedy (you)", "Ivan"]), ("ivan", ["Hedy", "Ivan (you)"])):
            await pages.until(name, "Grace's tile gone", lambda s, want=left: names(s) == want)
        h = await pages.until("hedy", "Grace in Room 1", lambda s: (room(s, "Room 1") or {}).get("people") == "Grace"
                              and [p["name"] for p in s["rooms"]["people"]] == ["Ivan"], 20)
        check_equal(room(h, "Room 1")["actions"], [], "an occupied room can be closed")
        check(not h["rooms"]["back"]["disabled"], "Bring everyone back stays disabled")
        os.makedirs(os.path.dirname(SCREENSHOT), exist_ok=True)
        await pages.command("screenshot", page="hedy", path=SCREENSHOT)
        log("Move: Grace's page is Room 1 with her tile only; Hedy's and Ivan's lost her; the panel lists her there")

        # everyone back
        await pages.click("hedy", "#rooms-back")
        g = await pages.until("grace", "back in the main meeting", lambda s: s["screen"] == "meeting"
                              and s["title"] == TITLE and s["sdk"]["roomState"] == "joined"
                              and told(s, "Back in the main meeting"), 45)
        check(told(g, "Moving to the main meeting…"), "no notice of the move back: %r" % g["toasts"])
        g = await pages.until("grace", "Hedy's and Ivan's tiles", lambda s: names(s) == everyone["grace"])
        check_equal(g["sdk"]["meetingId"], parent_id, "Grace's meeting")
        for who in ("Hedy", "Ivan"):
            t = await pages.decoding("grace", tile_named(g, who)["key"], "Grace sees %s" % who)
            log("Grace sees %s: %dx%d" % (who, t["width"], t["height"]))
        check("left" not in g["screens"], "Grace's page showed the left screen: %r" % g["screens"])
        for name in ("hedy", "ivan"):
            s = await pages.until(name, "Grace's tile back", lambda s, n=name: names(s) == everyone[n])
            await pages.decoding(name, tile_named(s, "Grace")["key"], "%s sees Grace" % name)
        h = await pages.until("hedy", "Room 1 empty", lambda s: (room(s, "Room 1") or {}).get("actions") == ["close"]
                              and s["rooms"]["back"]["disabled"], 20)
        check_equal(room(h, "Room 1")["people"], "Empty", "Room 1 after everyone came back")
        log("Bring everyone back: Grace's page is the main meeting again, every tile decoding")

        # close the empty room
        await pages.click("hedy", '#rooms-list li[data-meeting-id="%s"] button[data-action="close"]' % room1["id"])
        h = await pages.until("hedy", "Room 1 gone", lambda s: room(s, "Room 1") is None and len(s["rooms"]["list"]) == 1)
        check(not any(t["error"] for t in h["toasts"]), "Hedy's page showed an error: %r" % h["toasts"])
        log("Close: Room 1 leaves the list")

        errors = await pages.console_errors()
        check(not any(errors.values()), "console errors: %r" % errors)
    finally:
        await pages.close()


if __name__ == "__main__":
    run_test(main)
