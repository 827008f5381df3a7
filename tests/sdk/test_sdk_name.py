#!/usr/bin/python3
"""test_sdk_name.py - meeting.self.setName before join (sdk/self.js, the
join's `name`) against the real server: Node runs
tests/sdk/sdk_name_live.mjs, whose SDK clients join over the Janus
WebSocket as a page would.

This file starts the server (tests/integration/rtk_harness.py), makes one
meeting with Ada (group_call_host), Bob (group_call_participant, who may
edit his name) and Vera (webinar_viewer, who may not), and hands node their
tokens and the gateway's address (RTK_SDK_LIVE, JSON). What is asserted is
listed in sdk_name_live.mjs.

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
    run_live("sdk_name_live.mjs", "SDK setName test", (
        ("Ada", "group_call_host"),
        ("Bob", "group_call_participant"),
        ("Vera", "webinar_viewer"),
    ), "setName")


if __name__ == "__main__":
    run_test(main)
