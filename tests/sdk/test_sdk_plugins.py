#!/usr/bin/python3
"""test_sdk_plugins.py - meeting.plugins (sdk/plugins.js) against the real
server: Node runs tests/sdk/sdk_plugins_live.mjs, whose SDK clients join
over the Janus WebSocket as a page would.

This file starts the server (tests/integration/rtk_harness.py), makes one
meeting with Ada (group_call_host), Bob (group_call_participant) and Lena
(group_call_participant, who joins late), and hands node their tokens and
the gateway's address (RTK_PLUGINS_LIVE, JSON). What is asserted is listed
in sdk_plugins_live.mjs.

Needs node 20 or newer (its WebSocket: --experimental-websocket before
22); without node the test is skipped (77).
"""

import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from rtk_harness import Server, check, log, run_test, skip  # noqa: E402

SCRIPT = os.path.join(HERE, "sdk_plugins_live.mjs")
NODE_TIMEOUT = 120


def node_argv():
    node = shutil.which("node")
    if node is None:
        skip("node is not installed")
    major = int(subprocess.run([node, "-p", "process.versions.node.split('.')[0]"],
                               stdout=subprocess.PIPE, check=True).stdout.strip() or 0)
    if major < 20:
        skip("node %d is older than 20" % major)
    return [node] + (["--experimental-websocket"] if major < 22 else []) + ["--test", SCRIPT]


def main():
    argv = node_argv()
    server = Server().start()
    meeting = server.create_meeting(title="SDK plugins test")
    people = {}
    for name, preset in (("Ada", "group_call_host"), ("Bob", "group_call_participant"),
                         ("Lena", "group_call_participant")):
        p = server.add_participant(meeting["id"], name, preset)
        people[name.lower()] = {"token": p["token"], "id": p["id"], "name": name}
    env = dict(os.environ, RTK_PLUGINS_LIVE=json.dumps({"base": server.rest_base, "people": people}))
    log("node %s" % " ".join(argv[1:]))
    try:
        result = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                timeout=NODE_TIMEOUT)
    except subprocess.TimeoutExpired:
        check(False, "node did not finish within %d s" % NODE_TIMEOUT)
    out = result.stdout.decode(errors="replace")
    sys.stdout.write(out)
    check(result.returncode == 0, "the SDK plugins tests failed (node exit %d)" % result.returncode)


if __name__ == "__main__":
    run_test(main)
