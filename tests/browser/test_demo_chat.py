#!/usr/bin/python3
"""test_demo_chat.py - the chat panel of the demo page (sdk/demo/).

Owns what users of the demo page's chat see, clicking its own buttons in
headless Chromium (tests/browser/demo_pages.js; steps in demo_pages.py). A
group call with a host (Hedy, group_call_host) and a participant (Grace,
group_call_participant):
  * Hedy opens the chat ("No messages yet"), types and sends "hello Grace":
    her list shows it once, as hers ("You", a time, the text); Grace's
    closed panel's button says "Chat · 1", and once she opens it the
    message shows with Hedy's name and the time;
  * Grace chooses "Hedy (private)" in To and sends "just for you": Hedy's
    page shows it from Grace marked "to you (private)";
  * who may pin: Grace has Pin on her own message only, Hedy (pin_participant)
    on both; Hedy pins Grace's message: both pages list it under Pinned and
    Grace's message offers Unpin; Grace unpins it: the Pinned list goes on
    both pages;
  * both have Attach (their presets may send files); image uploads are
    tested by tests/sdk/test_sdk_chat.py once the gateway has
    POST /v2/chat-files;
  * no console errors on either page.
A screenshot of Hedy's page with the chat open (while Grace's message is
pinned) goes to $RTK_TOP_BUILDDIR/tests/browser/demo-chat.png.

Needs /usr/bin/chromium (or $RTK_CHROMIUM), node and `npm ci --prefix
tests/browser` (playwright-core); without them the test fails and says
so, unless RTK_SKIP_BROWSER=1 (then it is skipped: 77).
"""

import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from rtk_harness import BUILDDIR, Server, check, check_equal, log, run_test  # noqa: E402
from demo_pages import Pages, page_url, tools  # noqa: E402

SCREENSHOT = os.path.join(BUILDDIR, "tests", "browser", "demo-chat.png")
TIME = re.compile(r"\d{1,2}[:.]\d{2}")


def texts(snap, where="messages"):
    return [m["text"] for m in snap["chat"][where]]


def message(snap, body, where="messages"):
    return next((m for m in snap["chat"][where] if m["text"] == body), None)


async def main():
    node = tools("the demo page chat test")
    server = Server().start()
    meeting = server.create_meeting(title="Chat test")
    hedy = server.add_participant(meeting["id"], "Hedy", "group_call_host")
    grace = server.add_participant(meeting["id"], "Grace", "group_call_participant")
    pages = Pages(node)
    try:
        await pages.start()
        await pages.join("hedy", page_url(server, hedy["token"]))
        await pages.until("hedy", "in the meeting", lambda s: s["screen"] == "meeting")
        await pages.join("grace", page_url(server, grace["token"]))
        await pages.until("grace", "in the meeting", lambda s: s["screen"] == "meeting")
        await pages.until("hedy", "the Chat button",
                          lambda s: s["chat"]["toggle"] == "Chat")

        # Hedy writes to everyone
        await pages.click("hedy", "#chat-toggle")
        h = await pages.until("hedy", "the chat panel", lambda s: s["chat"]["open"])
        check_equal(h["chat"]["messages"], [], "an empty chat")
        check(h["chat"]["attach"], "Hedy has no Attach button")
        await pages.fill("hedy", "#chat-text", "hello Grace")
        await pages.click("hedy", "#chat-send")
        h = await pages.until("hedy", "her message listed", lambda s: message(s, "hello Grace"))
        mine = message(h, "hello Grace")
        check_equal(mine["name"], "You", "the author's own name")
        check(TIME.search(mine["time"] or ""), "no time on the message: %r" % mine)
        g = await pages.until("grace", "the unread count", lambda s: s["chat"]["toggle"] == "Chat · 1")
        await pages.click("grace", "#chat-toggle")
        g = await pages.until("grace", "Hedy's message", lambda s: s["chat"]["open"] and message(s, "hello Grace"))
        got = message(g, "hello Grace")
        check_equal(got["name"], "Hedy", "the author's name at Grace")
        check(TIME.search(got["time"] or ""), "no time at Grace: %r" % got)
        check_equal(got["actions"], [], "Grace may not pin Hedy's message")
        check(g["chat"]["attach"], "Grace has no Attach button")
        h = await pages.snap("hedy")
        check_equal(texts(h), ["hello Grace"], "Hedy's list (her message once)")
        log("a message to everyone: shown on both pages with name and time")

        # Grace writes to Hedy only
        check(any(t["text"] == "Hedy (private)" for t in g["chat"]["targets"]),
              "Hedy is not among Grace's To choices: %r" % g["chat"]["targets"])
        hedy_user = next(t["value"] for t in g["chat"]["targets"] if t["text"] == "Hedy (private)")
        await pages.select("grace", "#chat-to", hedy_user)
        await pages.fill("grace", "#chat-text", "just for you")
        await pages.click("grace", "#chat-send")
        h = await pages.until("hedy", "Grace's private message", lambda s: message(s, "just for you"))
        check_equal(message(h, "just for you")["to"], "to you (private)", "the private mark at Hedy")
        check_equal(message(h, "just for you")["name"], "Grace", "the author at Hedy")
        g = await pages.until("grace", "her private message", lambda s: message(s, "just for you"))
        check_equal(message(g, "just for you")["to"], "to Hedy (private)", "the private mark at Grace")
        check_equal(message(g, "just for you")["actions"], ["pin"], "Grace may pin her own message")
        log("a private message: marked on both pages")

        # pins
        check_equal(message(h, "just for you")["actions"], ["pin"], "Hedy may pin Grace's message")
        pin = '#chat-list li[data-message-id="%s"] button[data-action="pin"]' % message(h, "just for you")["id"]
        await pages.click("hedy", pin)
        g = await pages.until("grace", "the pinned list", lambda s: texts(s, "pinned") == ["just for you"])
        check_equal(message(g, "just for you")["actions"], ["unpin"], "Grace's pinned message offers Unpin")
        await pages.until("hedy", "the pinned list", lambda s: texts(s, "pinned") == ["just for you"])
        os.makedirs(os.path.dirname(SCREENSHOT), exist_ok=True)
        await pages.command("screenshot", page="hedy", path=SCREENSHOT)
        unpin = '#chat-list li[data-message-id="%s"] button[data-action="unpin"]' % message(g, "just for you")["id"]
        await pages.click("grace", unpin)
        await pages.until("grace", "no pinned list", lambda s: s["chat"]["pinned"] == [])
        await pages.until("hedy", "no pinned list", lambda s: s["chat"]["pinned"] == [])
        log("pin and unpin: both pages follow")

        errors = await pages.console_errors()
        check(not any(errors.values()), "console errors: %r" % errors)
    finally:
        await pages.close()


if __name__ == "__main__":
    run_test(main)
