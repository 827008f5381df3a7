#!/usr/bin/python3
"""test_dynacast.py - publisher layers ("dynacast", issue 13;
docs/protocol.md "Forwarding policy", plugin/model/forwarding.h): a
simulcast publisher is told to stop sending the layers nobody receives, and
to send them again at once when someone needs them, as the publisher's own
browser shows.

Headless Chromium (tests/browser/sdk_dynacast.js) opens the bare SDK test
page for three participants A, B (a host) and C of one meeting, each
sending its 1280x720 camera as simulcast layers (rids l, m, h). Asserted,
from A's getStats() (outbound-rtp per rid) and its sender's parameters:
  * while nobody shows A (the SDKs ask for substream 0), A's top layer is
    inactive and sends no bytes, its lowest layer keeps sending; A's page
    got publisherLayers events with the top layer off;
  * B shows A in a 1280x720 tile and pins A: within 5 s A's top layer is
    active again and sends, and B decodes A wider than A's middle layer
    (inbound-rtp frameWidth);
  * B unpins A (in B's 2-tile view A is held to substream 1): A's top layer
    is inactive again, not before the 2.5 s hold (2 s allowing for the
    tick and the round trips) and within 12 s, and sends nothing more;
    B still decodes A;
  * A's page sends `sync` (as the SDK does once its socket is back) while
    idle: it gets publisherLayers again, the top layer off, unchanged;
  * a server with RTK_DYNACAST=0: nobody shows A, and 8 s on every layer of
    A is still active and sending; A's page got no publisherLayers event;
  * no console errors on any page.
Needs /usr/bin/chromium (or $RTK_CHROMIUM), node and `npm ci --prefix
tests/browser`; RTK_SKIP_BROWSER=1 skips it (77).
"""

import asyncio
import os
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from rtk_harness import EXIT_SKIP, Server, check, check_equal, log, run_test  # noqa: E402
import browser_driver  # noqa: E402
from browser_driver import CHROMIUM  # noqa: E402
from test_sdk_meeting import run_driver, web_dir  # noqa: E402

DRIVER = os.path.join(HERE, "sdk_dynacast.js")
HOLD_MS = 2500


def page_url(server, token):
    return "%s/sdk/test/meeting.html?token=%s" % (server.rest_base, urllib.parse.quote(token))


def check_layer(growth, rid, active, what):
    one = growth.get(rid)
    check(one is not None, "%s: A has no outbound-rtp for rid %s: %s" % (what, rid, growth))
    check_equal(one["active"], active, "%s: outbound-rtp `active` of A's rid %s (%s)" % (what, rid, growth))
    check_equal(one["param"], active, "%s: the sender's encoding %s active (%s)" % (what, rid, growth))
    if active:
        check(one["grew"] > 0, "%s: A's rid %s sent nothing in 2 s: %s" % (what, rid, growth))
    else:
        check_equal(one["grew"], 0, "%s: bytes A's inactive rid %s sent in 2 s (%s)" % (what, rid, growth))


async def check_dynacast(node, web):
    server = Server(env={"RTK_WEB_DIR": web}).start()
    try:
        meeting = server.create_meeting(title="dynacast test")
        a = server.add_participant(meeting["id"], "Ada", "group_call_participant")
        b = server.add_participant(meeting["id"], "Bob", "group_call_host")
        c = server.add_participant(meeting["id"], "Cy", "group_call_participant")
        doc = await run_driver([node, DRIVER, "--a-url", page_url(server, a["token"]),
                                "--b-url", page_url(server, b["token"]), "--c-url", page_url(server, c["token"]),
                                "--chromium", CHROMIUM], 300)
    finally:
        server.stop()
    log("idle: %s" % doc["idle"])
    check_layer(doc["idle"], "h", False, "nobody shows A")
    check_layer(doc["idle"], "l", True, "nobody shows A")
    events = doc["layerEvents"]["a"]
    check(any(e["layers"][-1] is False and e["rids"][-1] == "h" for e in events if e["step"] in ("join", "idle")),
          "A's page got no publisherLayers with its top layer off before the pin: %s" % events)
    check([e["layers"][-1] for e in events if e["step"] == "sync"] == [False],
          "A's sync: one publisherLayers, its top layer off (a change it could have missed): %s" % events)
    log("pinned: top layer active %d ms after the pin; %s; B decodes A %d px wide (A's middle layer %d, top %d)"
        % (doc["resumeMs"], doc["pinned"], doc["pinnedDecoded"]["frameWidth"], doc["middleWidth"], doc["topWidth"]))
    check(doc["resumeMs"] < 5000, "A's top layer came back %d ms after the pin (at once expected)" % doc["resumeMs"])
    check_layer(doc["pinned"], "h", True, "A pinned and shown large")
    check(doc["pinnedDecoded"]["frameWidth"] > doc["middleWidth"],
          "B decodes A at %d px, not wider than A's middle layer (%d px)"
          % (doc["pinnedDecoded"]["frameWidth"], doc["middleWidth"]))
    log("unpinned: top layer inactive %d ms after the unpin; %s" % (doc["pauseMs"], doc["unpinned"]))
    check(HOLD_MS - 500 <= doc["pauseMs"] <= 12000,
          "A's top layer paused %d ms after the unpin: the hold is %d ms" % (doc["pauseMs"], HOLD_MS))
    check_layer(doc["unpinned"], "h", False, "A unpinned")
    decoded = doc["unpinnedDecoded"]
    check(decoded["after"]["framesDecoded"] > decoded["before"]["framesDecoded"],
          "B no longer decodes A once its top layer is paused: %s" % decoded)
    check(any(e["layers"][-1] is True for e in events if e["step"] == "pinned"),
          "A's page got no publisherLayers with its top layer on after the pin: %s" % events)
    errors = doc["consoleErrors"]
    check(not any(errors.values()), "console errors: %s" % errors)


async def check_off(node, web):
    server = Server(env={"RTK_WEB_DIR": web, "RTK_DYNACAST": "0"}).start()
    try:
        meeting = server.create_meeting(title="dynacast off test")
        a = server.add_participant(meeting["id"], "Ada", "group_call_participant")
        b = server.add_participant(meeting["id"], "Bob", "group_call_participant")
        doc = await run_driver([node, DRIVER, "--mode", "off", "--a-url", page_url(server, a["token"]),
                                "--b-url", page_url(server, b["token"]), "--chromium", CHROMIUM], 180)
    finally:
        server.stop()
    log("RTK_DYNACAST=0: %s" % doc["off"])
    for rid in ("l", "m", "h"):
        check_layer(doc["off"], rid, True, "RTK_DYNACAST=0")
    check_equal(doc["layerEvents"]["a"], [], "publisherLayers events with RTK_DYNACAST=0")
    errors = doc["consoleErrors"]
    check(not any(errors.values()), "console errors: %s" % errors)


async def main():
    node = browser_driver.browser_tools("the dynacast test")
    web = web_dir()
    await check_dynacast(node, web)
    await check_off(node, web)


if __name__ == "__main__":
    if os.environ.get("RTK_SKIP_BROWSER") == "1":
        print("SKIP: RTK_SKIP_BROWSER=1", flush=True)
        sys.exit(EXIT_SKIP)
    run_test(main)
