#!/usr/bin/python3
"""test_sdk_connected.py - meeting.connectedMeetings (sdk/connected-meetings.js)
and the SDK's automatic move (sdk/meeting.js) against the real server: Node
runs tests/sdk/sdk_connected_live.mjs, whose SDK clients join over the
Janus WebSocket as a page would.

This file starts the server (tests/integration/rtk_harness.py), makes one
meeting with Hal (group_call_host), Ann and Ben (group_call_participant),
and hands node their tokens, the meeting id and the gateway's address
(RTK_SDK_LIVE, JSON). What is asserted is listed in
sdk_connected_live.mjs.

The server and node run through sdk_live.py (node 20 or newer; without
node the test is skipped, 77).
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "integration")]

from rtk_harness import run_test  # noqa: E402
from sdk_live import run_live  # noqa: E402


def main():
    run_live("sdk_connected_live.mjs", "SDK breakout test", (
        ("Hal", "group_call_host"),
        ("Ann", "group_call_participant"),
        ("Ben", "group_call_participant"),
    ), "connected-meetings")


if __name__ == "__main__":
    run_test(main)
