#!/usr/bin/python3
"""test_spotlight.py - the spotlight over the Janus API (docs/protocol.md,
"Spotlight"): meta.setBroadcastTabChanges and meta.setSelfActiveTab.

Owns the server's relay of a presenter's tab changes. In one meeting Ada
(group_call_host), Bob (group_call_participant) and Cy (webinar_viewer) are
joined; Wes (a preset whose joins wait for a host) is in the waiting room.
Asserted:
  * Bob (no can_spotlight) turning broadcasting on: 0902, nothing sent;
    his own tab is accepted and told to nobody;
  * Ada sets a tab, then turns broadcasting on: Bob and Cy get
    activeTabUpdate with her tab and her peer id at once; each later tab
    (an id absent becomes null) reaches them too; Ada herself and Wes,
    waiting, get nothing; Wes's requests are refused with 0003;
  * bad tabs (type empty or over 32 bytes, id over 128 bytes or not a
    string, no tab) and a non-boolean enabled: 0001, nothing sent;
  * Dan, joining late, finds the spotlight (Ada's id and tab) in roomJoined,
    and Bob's sync snapshot carries it too;
  * Ada leaves: Bob, Cy and Dan get spotlightEnded {reason: "left"} before
    participantLeft, and a later joiner finds "spotlight": null.
"""

import time

from rtk_harness import RtkClient, Server, check, check_equal, log, run_test

BROADCAST = "meta.setBroadcastTabChanges"
TAB = "meta.setSelfActiveTab"
QUIET_S = 1.0   # how long a participant that must get nothing is watched


def events(client, name):
    return [e.data for e in client.janus.events(client.main, name)]


async def followed(client, spotlighter, tab):
    """`client` gets activeTabUpdate with `tab` from `spotlighter`."""
    event = (await client.wait_event("activeTabUpdate")).data
    check_equal((event.get("tab"), event.get("participantId")), (tab, spotlighter.peer_id),
                "%s's activeTabUpdate" % client.name)


async def main():
    server = Server().start()
    status, preset = server.rest("POST", "/v2/presets", {
        "name": "waits", "permissions": {"waiting_room_type": "ON_PRIVILEGED_USER_ENTRY"}})
    check(status == 201, "POST /v2/presets: %s" % status)
    meeting = server.create_meeting(title="spotlight")
    rests = {name: server.add_participant(meeting["id"], name.capitalize(), preset_name)
             for name, preset_name in (("ada", "group_call_host"), ("bob", "group_call_participant"),
                                       ("cy", "webinar_viewer"), ("dan", "group_call_participant"),
                                       ("eve", "group_call_participant"), ("wes", "waits"))}
    clients = {}
    for name in ("ada", "bob", "cy"):
        clients[name] = RtkClient(server, name)
        joined = await clients[name].join(rests[name]["token"])
        check(joined.get("spotlight", "absent") is None, "%s's roomJoined spotlight: %r"
              % (name, joined.get("spotlight", "absent")))
    ada, bob, cy = clients["ada"], clients["bob"], clients["cy"]
    wes = RtkClient(server, "wes")
    await wes.join(rests["wes"]["token"], expect="waitlisted")

    # no can_spotlight: 0902; a tab of one's own is fine and told to nobody
    await bob.refused({"request": BROADCAST, "enabled": True}, "0902")
    await bob.control({"request": TAB, "tab": {"type": "screenshare", "id": "s-1"}})
    await bob.control({"request": BROADCAST, "enabled": False})
    await wes.refused({"request": BROADCAST, "enabled": True}, "0003")
    await wes.refused({"request": TAB, "tab": {"type": "plugin", "id": "p"}}, "0003")
    log("Bob without can_spotlight: 0902; Wes in the waiting room: 0003")

    # Ada's tab, then broadcasting on: the others follow at once
    whiteboard = {"type": "plugin", "id": "whiteboard"}
    await ada.control({"request": TAB, "tab": whiteboard})
    time.sleep(QUIET_S)
    check_equal([events(c, "activeTabUpdate") for c in (bob, cy)], [[], []], "updates before Ada broadcasts")
    await ada.control({"request": BROADCAST, "enabled": True})
    for client in (bob, cy):
        await followed(client, ada, whiteboard)
    screen = {"type": "screenshare", "id": None}
    await ada.control({"request": TAB, "tab": {"type": "screenshare"}})
    for client in (bob, cy):
        await followed(client, ada, screen)
    log("Ada broadcasts: Bob and Cy followed her whiteboard, then her screenshare")

    # refusals change nothing
    for tab in ({"type": ""}, {"type": "t" * 33}, {"type": "plugin", "id": "i" * 129}, {"type": "plugin", "id": 7},
                "plugin", None):
        await ada.refused({"request": TAB, "tab": tab}, "0001")
    await ada.refused({"request": BROADCAST, "enabled": "yes"}, "0001")
    await ada.refused({"request": BROADCAST}, "0001")
    time.sleep(QUIET_S)
    check_equal([len(events(c, "activeTabUpdate")) for c in (bob, cy)], [2, 2], "updates after the refusals")
    check_equal([events(c, "activeTabUpdate") for c in (ada, wes)], [[], []], "updates Ada and Wes got")
    log("bad tabs and flags: 0001, nothing sent; Ada and Wes got nothing")

    # a late joiner, and a sync snapshot, carry the spotlight
    dan = RtkClient(server, "dan")
    joined = await dan.join(rests["dan"]["token"])
    check_equal(joined.get("spotlight"), {"participantId": ada.peer_id, "tab": screen}, "Dan's roomJoined spotlight")
    snapshot = (await bob.request(bob.main, {"request": "sync"}, expect="roomState")).data
    check_equal(snapshot.get("spotlight"), {"participantId": ada.peer_id, "tab": screen}, "Bob's sync spotlight")
    log("Dan, joining late, and Bob's sync found Ada's spotlight")

    # the spotlighter leaves: the others are told, before participantLeft
    await ada.leave()
    for client in (bob, cy, dan):
        ended = (await client.wait_event("spotlightEnded")).data
        check_equal((ended.get("participantId"), ended.get("reason")), (ada.peer_id, "left"),
                    "%s's spotlightEnded" % client.name)
        await client.wait_event("participantLeft")
        names = [e.name for e in client.janus.events(client.main) if e.name in ("spotlightEnded", "participantLeft")]
        check_equal(names[-2:], ["spotlightEnded", "participantLeft"], "%s's order of events" % client.name)
    eve = RtkClient(server, "eve")
    joined = await eve.join(rests["eve"]["token"])
    check(joined.get("spotlight", "absent") is None, "Eve's roomJoined spotlight after Ada left: %r"
          % joined.get("spotlight", "absent"))
    check_equal(events(wes, "spotlightEnded"), [], "what Wes got in the waiting room")
    log("Ada left: Bob, Cy and Dan were told; Eve found no spotlight")


if __name__ == "__main__":
    run_test(main)
