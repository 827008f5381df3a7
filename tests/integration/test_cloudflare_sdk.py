#!/usr/bin/python3
"""test_cloudflare_sdk.py - the official Cloudflare TypeScript SDK (npm
`cloudflare`, pinned in tests/cloudflare_sdk/package.json) drives RTK's REST
API as a RealtimeKit user would: `baseURL` pointed at RTK, `apiToken` = the
API key, every call through the Cloudflare path form
/accounts/{account}/realtime/kit/{app}/...

This side starts the server and makes what the SDK's live routes need: a
meeting with persist_chat where a host (group_call_host) and a guest
publish VP8 + Opus from aiortc and subscribe to each other, and where the
host sends a chat message. Then tests/cloudflare_sdk/realtime_kit.mjs runs
under node while aiortc keeps the media flowing; it calls every method of
client.realtimeKit: the routes RTK serves (checked), the routes other
branches add (PENDING: reported while they answer 404/405), the routes RTK
does not have (they must answer 404/405; the script says why each is
absent), and fails on an SDK method it does not know. It prints every
mismatch and `N passed, M failed`.

Skipped (77) without node 20+ or without tests/cloudflare_sdk/node_modules
(`npm ci --prefix tests/cloudflare_sdk`, which ./rtk test runs).
"""

import asyncio
import json
import os
import shutil
import subprocess

from rtk_harness import SRCDIR, RtkClient, Server, check, log, run_test, skip

SCRIPT_DIR = os.path.join(SRCDIR, "tests", "cloudflare_sdk")
NODE_TIMEOUT = 240
MEDIA_TIMEOUT = 20


def node_command():
    node = shutil.which("node")
    if node is None:
        skip("node is not installed")
    major = int(subprocess.run([node, "-p", "process.versions.node.split('.')[0]"],
                               stdout=subprocess.PIPE, check=True).stdout.strip() or 0)
    if major < 20:
        skip("node %d is older than 20" % major)
    if not os.path.isdir(os.path.join(SCRIPT_DIR, "node_modules", "cloudflare")):
        skip("the cloudflare npm package is not installed: npm ci --prefix tests/cloudflare_sdk")
    return [node, os.path.join(SCRIPT_DIR, "realtime_kit.mjs")]


async def main():
    argv = node_command()
    server = Server().start()
    meeting = server.create_meeting(title="Cloudflare SDK", persist_chat=True)
    people = {"host": server.add_participant(meeting["id"], "Host", "group_call_host"),
              "guest": server.add_participant(meeting["id"], "Guest")}
    clients = {name: RtkClient(server, name) for name in people}
    for name, client in clients.items():
        await client.join(people[name]["token"])
        await client.publish()
    for name, client in clients.items():
        await client.subscribe(people[name]["token"])
    await clients["guest"].wait_frames(clients["host"].peer_id, 10, 10, MEDIA_TIMEOUT)
    await clients["host"].control({"request": "chat.sendMessage",
                                   "message": {"type": "text", "message": "hello from the host"}})
    env = dict(os.environ, RTK_CF_SDK=json.dumps({
        "base": server.rest_base, "apiKey": server.credentials["api_key"], "meetingId": meeting["id"],
        "host": {"id": people["host"]["id"]}, "guest": {"id": people["guest"]["id"]}}))
    log("node %s" % " ".join(argv[1:]))
    process = await asyncio.create_subprocess_exec(*argv, env=env, stdout=asyncio.subprocess.PIPE,
                                                   stderr=asyncio.subprocess.STDOUT)
    try:
        output, _ = await asyncio.wait_for(process.communicate(), NODE_TIMEOUT)
    except asyncio.TimeoutError:
        process.kill()
        check(False, "the SDK script did not finish within %d s" % NODE_TIMEOUT)
    print(output.decode(errors="replace"), flush=True)
    check(process.returncode == 0, "the Cloudflare SDK script failed (exit %d): see its lines above"
          % process.returncode)
    for client in clients.values():
        await client.close()
    server.stop()
    server.remove()


if __name__ == "__main__":
    run_test(main)
