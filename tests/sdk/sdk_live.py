"""sdk_live.py - what the SDK tests against the real server share
(test_sdk_*.py): start the server (tests/integration/rtk_harness.py), make
one meeting with the given participants, and run one sdk_*_live.mjs under
Node with node --test, handing it the gateway's address, the meeting and
the participants' tokens (RTK_SDK_LIVE, JSON; tests/sdk/live.mjs reads it).

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

from rtk_harness import Server, check, log, skip  # noqa: E402

NODE_TIMEOUT = 120


def node_argv(script):
    node = shutil.which("node")
    if node is None:
        skip("node is not installed")
    major = int(subprocess.run([node, "-p", "process.versions.node.split('.')[0]"],
                               stdout=subprocess.PIPE, check=True).stdout.strip() or 0)
    if major < 20:
        skip("node %d is older than 20" % major)
    return [node] + (["--experimental-websocket"] if major < 22 else []) + ["--test", os.path.join(HERE, script)]


def run_live(script, title, participants, what):
    """Runs `script` against a fresh server and a meeting `title` whose
    `participants` are (name, preset) pairs; `what` names the tests in the
    failure message."""
    argv = node_argv(script)
    server = Server().start()
    meeting = server.create_meeting(title=title)
    people = {}
    for name, preset in participants:
        p = server.add_participant(meeting["id"], name, preset)
        people[name.lower()] = {"token": p["token"], "id": p["id"], "name": name}
    env = dict(os.environ, RTK_SDK_LIVE=json.dumps({"base": server.rest_base, "meetingId": meeting["id"],
                                                    "people": people}))
    log("node %s" % " ".join(argv[1:]))
    try:
        result = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                timeout=NODE_TIMEOUT)
    except subprocess.TimeoutExpired:
        check(False, "node did not finish within %d s" % NODE_TIMEOUT)
    sys.stdout.write(result.stdout.decode(errors="replace"))
    check(result.returncode == 0, "the SDK %s tests failed (node exit %d)" % (what, result.returncode))
