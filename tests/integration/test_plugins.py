#!/usr/bin/python3
"""test_plugins.py - meeting.plugins over REST and the Janus API
(docs/protocol.md, "Plugins"; docs/rest.md, "Plugins").

Owns the server's plugin registry and the live plugin session. Asserted:
  * GET /v2/plugins lists the two built-in plugins (Whiteboard, Notes) on a
    fresh deployment; a plugin POSTed later is at once in a participant's
    plugins.list, and one deleted is gone from it;
  * Bob (group_call_participant: no plugins.can_start) activating: 0902,
    nothing sent; an unknown plugin id: 0601; a plugin the preset lists in
    config.disabledPlugins: 0602, and plugins.list leaves it out;
  * Ada (group_call_host) activates the whiteboard: Ada and Bob get
    pluginActivated with the plugin and her peer id;
  * Ada's plugin data reaches Bob (not Ada) as pluginData with her id;
    Bob, VIEW_ONLY, is refused 0604 until Ada toggles the view mode, then
    his data reaches Ada;
  * Ada stores two strokes in the plugin state (pluginStateUpdate to both);
    Cy, joining late, finds the plugin and both strokes in roomJoined;
    an over-long key: 0606, nothing changed;
  * Ada deactivates: everyone gets pluginDeactivated; data to it: 0603;
  * the seed file (RTK_PLUGINS_SEED): a deployment's own list is what a
    fresh deployment lists, an empty setting seeds none, a malformed file
    stops the start and the log says why.
"""

import json
import os
import tempfile
import time

from rtk_harness import RtkClient, Server, check, check_equal, log, run_test

QUIET_S = 1.0


def events(client, name):
    return [e.data for e in client.janus.events(client.main, name)]


async def main():
    server = Server().start()
    status, listed = server.rest("GET", "/v2/plugins")
    check(status == 200, "GET /v2/plugins: %s" % status)
    builtin = {p["name"]: p for p in listed["data"]}
    check_equal(sorted(builtin), ["Notes", "Whiteboard"], "the built-in plugins")
    check_equal(builtin["Whiteboard"]["url"], "/sdk/plugins/whiteboard/", "the whiteboard's url")
    whiteboard = builtin["Whiteboard"]["id"]
    notes = builtin["Notes"]["id"]

    status, _ = server.rest("POST", "/v2/presets", {
        "name": "no_notes", "config": {"disabledPlugins": [notes]},
        "permissions": {"plugins": {"can_start": True, "can_close": True}}})
    check(status == 201, "POST /v2/presets: %s" % status)
    meeting = server.create_meeting(title="plugins")
    rests = {name: server.add_participant(meeting["id"], name.capitalize(), preset_name)
             for name, preset_name in (("ada", "group_call_host"), ("bob", "group_call_participant"),
                                       ("cy", "group_call_participant"), ("nia", "no_notes"))}
    ada, bob = RtkClient(server, "ada"), RtkClient(server, "bob")
    for client, name in ((ada, "ada"), (bob, "bob")):
        joined = await client.join(rests[name]["token"])
        check_equal(joined.get("plugins"), [], "%s's roomJoined plugins" % name)
        check_equal(sorted(p["name"] for p in joined.get("pluginsAll", [])), ["Notes", "Whiteboard"],
                    "%s's roomJoined pluginsAll" % name)

    # the registry as a participant sees it, following REST writes
    listed = (await ada.control({"request": "plugins.list"})).data
    check_equal(sorted(p["name"] for p in listed["plugins"]), ["Notes", "Whiteboard"], "Ada's plugins.list")
    created = server.rest_ok("POST", "/v2/plugins", {"name": "Clock", "url": "https://example.com/clock/"})
    listed = (await ada.control({"request": "plugins.list"})).data
    check("Clock" in [p["name"] for p in listed["plugins"]], "a new plugin in plugins.list: %r" % listed)
    server.rest_ok("DELETE", "/v2/plugins/%s" % created["id"])
    listed = (await ada.control({"request": "plugins.list"})).data
    check("Clock" not in [p["name"] for p in listed["plugins"]], "a deleted plugin in plugins.list")
    log("plugins.list follows the registry's REST writes")

    # refusals
    await bob.refused({"request": "plugins.activate", "pluginId": whiteboard}, "0902")
    await ada.refused({"request": "plugins.activate", "pluginId": "no-such-plugin"}, "0601")
    await ada.refused({"request": "plugins.sendData", "pluginId": whiteboard, "data": {"x": 1}}, "0603")
    nia = RtkClient(server, "nia")
    joined = await nia.join(rests["nia"]["token"])
    check_equal([p["name"] for p in joined.get("pluginsAll", [])], ["Whiteboard"], "Nia's roomJoined pluginsAll")
    await nia.refused({"request": "plugins.activate", "pluginId": notes}, "0602")
    listed = (await nia.control({"request": "plugins.list"})).data
    check_equal([p["name"] for p in listed["plugins"]], ["Whiteboard"], "Nia's plugins.list without Notes")
    time.sleep(QUIET_S)
    check_equal([events(c, "pluginActivated") for c in (ada, bob, nia)], [[], [], []], "activations after refusals")
    log("no can_start: 0902; unknown: 0601; disabled by the preset: 0602; nothing sent")

    # activation for everyone
    await ada.control({"request": "plugins.activate", "pluginId": whiteboard})
    for client in (ada, bob, nia):
        event = (await client.wait_event("pluginActivated")).data
        check_equal((event.get("pluginId"), event.get("activatedBy"), event["plugin"]["plugin"]["name"]),
                    (whiteboard, ada.peer_id, "Whiteboard"), "%s's pluginActivated" % client.name)
    log("Ada activated the whiteboard: everyone was told")

    # plugin data between the two
    stroke = {"type": "stroke", "points": [10, 10, 50, 60], "color": "#e33"}
    await ada.control({"request": "plugins.sendData", "pluginId": whiteboard, "data": stroke})
    got = (await bob.wait_event("pluginData")).data
    check_equal((got.get("pluginId"), got.get("data"), got.get("senderId")), (whiteboard, stroke, ada.peer_id),
                "Bob's pluginData")
    await bob.refused({"request": "plugins.sendData", "pluginId": whiteboard, "data": {"x": 1}}, "0604")
    await bob.refused({"request": "plugins.setState", "pluginId": whiteboard, "key": "k", "value": 1}, "0604")
    await bob.refused({"request": "plugins.toggleViewMode", "pluginId": whiteboard, "enabled": True}, "0902")
    await ada.control({"request": "plugins.toggleViewMode", "pluginId": whiteboard, "enabled": True})
    await bob.wait_event("pluginViewModeUpdate")
    reply = {"type": "stroke", "points": [1, 2, 3, 4], "color": "#33e"}
    await bob.control({"request": "plugins.sendData", "pluginId": whiteboard, "data": reply})
    got = (await ada.wait_event("pluginData")).data
    check_equal((got.get("data"), got.get("senderId")), (reply, bob.peer_id), "Ada's pluginData")
    time.sleep(QUIET_S)
    check_equal(len(events(ada, "pluginData")), 1, "pluginData Ada got (not her own)")
    check_equal(len(events(bob, "pluginData")), 1, "pluginData Bob got (not his own)")
    log("plugin data: Ada to Bob; Bob VIEW_ONLY refused 0604 until the view mode was toggled, then Bob to Ada")

    # state, and a late joiner
    await ada.control({"request": "plugins.setState", "pluginId": whiteboard, "key": "s-1", "value": stroke})
    await ada.control({"request": "plugins.setState", "pluginId": whiteboard, "key": "s-2", "value": reply})
    for client in (ada, bob):
        await client.wait_event("pluginStateUpdate", where=lambda e: e.data.get("key") == "s-2")
    await ada.refused({"request": "plugins.setState", "pluginId": whiteboard, "key": "k" * 129, "value": 1}, "0606")
    cy = RtkClient(server, "cy")
    joined = await cy.join(rests["cy"]["token"])
    active = joined.get("plugins") or [{}]
    check_equal(active[0].get("id"), whiteboard, "Cy's roomJoined plugin")
    check_equal(active[0].get("state"), {"s-1": stroke, "s-2": reply}, "Cy's roomJoined plugin state")
    snapshot = (await bob.request(bob.main, {"request": "sync"}, expect="roomState")).data
    check_equal(snapshot["plugins"][0]["state"], {"s-1": stroke, "s-2": reply}, "Bob's sync plugin state")
    log("Cy, joining late, found the whiteboard and its two strokes")

    # deactivation
    await ada.control({"request": "plugins.deactivate", "pluginId": whiteboard})
    for client in (ada, bob, cy):
        event = (await client.wait_event("pluginDeactivated")).data
        check_equal((event.get("pluginId"), event.get("deactivatedBy")), (whiteboard, ada.peer_id),
                    "%s's pluginDeactivated" % client.name)
    await ada.refused({"request": "plugins.sendData", "pluginId": whiteboard, "data": {"x": 1}}, "0603")
    log("Ada deactivated it: everyone told; data to it 0603")
    server.stop()

    # the seed file: a deployment's own list, none, or a bad one that stops the start
    with tempfile.TemporaryDirectory() as directory:
        seed = os.path.join(directory, "plugins.json")
        with open(seed, "w") as f:
            json.dump([{"name": "Kanban", "url": "https://kanban.example/app", "config": {"columns": 3}}], f)
        own = Server(env={"RTK_PLUGINS_SEED": seed}).start()
        listed = own.rest_ok("GET", "/v2/plugins")
        check_equal([(p["name"], p["url"], p["config"]) for p in listed],
                    [("Kanban", "https://kanban.example/app", {"columns": 3})], "the plugins of a custom seed")
        own.stop()
        none = Server(env={"RTK_PLUGINS_SEED": ""}).start()
        check_equal(none.rest_ok("GET", "/v2/plugins"), [], "the plugins of an empty seed setting")
        none.stop()
        with open(seed, "w") as f:
            f.write("{not json")
        bad = Server(env={"RTK_PLUGINS_SEED": seed})
        try:
            bad.start(timeout=10)
            started = True
        except Exception:
            started = False
        bad.stop()
        check(not started, "a server started with a malformed plugins seed file")
        with open(bad.log_path, errors="replace") as f:
            check("plugins_seed" in f.read(), "the log does not say the plugins seed is malformed")
    log("RTK_PLUGINS_SEED: a custom list, none, and a malformed file that stops the start with its reason")


if __name__ == "__main__":
    run_test(main)
