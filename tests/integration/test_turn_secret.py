#!/usr/bin/python3
"""test_turn_secret.py - TURN with time-limited credentials (RTK_TURN_SECRET,
RTK_TURN_CREDENTIAL_TTL; docs/deploy.md "TURN"): coturn's use-auth-secret,
so no credential of the TURN server is ever public.

Owns gateway/turn_rest.c end to end and the secret's rendering in ./rtk.
The network of test_turn.py (its namespaces and coturn, here started with
--use-auth-secret and the test's secret):
  * `rtk render-conf` refuses RTK_TURN_SECRET together with RTK_TURN_USER /
    RTK_TURN_PASSWORD, an RTK_TURN_SERVER with neither, and a TTL out of
    60..2592000;
  * /sdk/server.json lists no ICE server (no credential to hand out to
    whoever asks);
  * by default (RTK_JANUS_TURN=0) the rendered janus.jcfg names no TURN
    server; with RTK_JANUS_TURN=1 it gives Janus "<expiry>:janus", expiring
    in ten years, and the HMAC-SHA1 of it under the secret (recomputed here);
  * each participant's roomJoined carries the TURN server with
    "<expiry>:<its peer id>", expiring RTK_TURN_CREDENTIAL_TTL (600 s) from
    now, and the HMAC-SHA1 of it under the secret (recomputed here): two
    participants get different credentials;
  * the client with no route to Janus's candidates (aiortc in its own
    namespace) uses the ICE servers of its roomJoined, as the SDK does:
    media flow both ways, its nominated pairs are relay ones, and coturn
    logs the allocation of its username;
  * a participant admitted from the waiting room gets its own in the
    roomJoined of its admission.
"""

import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import subprocess
import tempfile
import time

from rtk_harness import REST_PORT, RtkClient, Server, SRCDIR, check, check_equal, log, run_test
from test_turn import MEDIA_TIMEOUT, TURN_ADDRESS, TURN_PORT, TurnNetwork, read_line

SECRET = "turn-rest-s3cret"
TTL = 600
URLS = ["turn:%s:%d?transport=udp" % (TURN_ADDRESS, TURN_PORT), "turn:%s:%d?transport=tcp" % (TURN_ADDRESS, TURN_PORT)]


def password_of(username):
    return base64.b64encode(hmac.new(SECRET.encode(), username.encode(), hashlib.sha1).digest()).decode()


def render(**settings):
    """render-conf's exit status, output and janus.jcfg (or None) with these RTK_* settings only."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RTK_") or k == "RTK_TOP_SRCDIR"}
    env.update(settings)
    outdir = tempfile.mkdtemp(prefix="rtk-turn-secret-")
    try:
        result = subprocess.run([os.path.join(SRCDIR, "rtk"), "render-conf", os.path.join(outdir, "janus")],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        jcfg = os.path.join(outdir, "janus", "janus.jcfg")
        conf = open(jcfg).read() if os.path.exists(jcfg) else None
    finally:
        shutil.rmtree(outdir, ignore_errors=True)
    return result.returncode, result.stdout.decode(errors="replace"), conf


def refusals():
    for settings, why in (
            (dict(RTK_TURN_SECRET=SECRET, RTK_TURN_USER="u", RTK_TURN_PASSWORD="p"), "set one"),
            (dict(), "needs RTK_TURN_SECRET"),
            (dict(RTK_TURN_SECRET=SECRET, RTK_TURN_CREDENTIAL_TTL="59"), "RTK_TURN_CREDENTIAL_TTL"),
            (dict(RTK_TURN_SECRET=SECRET, RTK_TURN_CREDENTIAL_TTL="2592001"), "RTK_TURN_CREDENTIAL_TTL")):
        status, out, _ = render(RTK_TURN_SERVER=TURN_ADDRESS, **settings)
        check(status != 0 and why in out, "render-conf with %r: status %d, %r" % (settings, status, out))
    status, out, conf = render(RTK_TURN_SERVER=TURN_ADDRESS, RTK_TURN_SECRET=SECRET)
    check_equal(status, 0, "render-conf with a TURN secret: %s" % out)
    check(conf is not None and not re.search(r"^\s*turn_server\s*=", conf, re.M),
          "by default (RTK_JANUS_TURN=0) Janus gets no TURN server: %r" % re.findall(r"turn_\w+ = .*", conf or ""))
    log("render-conf refuses a secret with long-term credentials, a TURN server with neither, a TTL out of range; "
        "by default Janus gets no TURN server")


def check_credential(server_list, user, ttl, what, now):
    check(isinstance(server_list, list) and len(server_list) == 1, "%s: one ICE server: %r" % (what, server_list))
    ice = server_list[0]
    check_equal(ice.get("urls"), URLS, what + ": urls")
    expiry, _, named = ice.get("username", "").partition(":")
    check_equal(named, user, what + ": the username's user")
    check(expiry.isdigit() and abs(int(expiry) - (now + ttl)) <= 30,
          "%s: the username expires at %r, expected about %d" % (what, expiry, now + ttl))
    check_equal(ice.get("credential"), password_of(ice["username"]), what + ": the credential (HMAC-SHA1)")
    return ice


async def main():
    refusals()
    network = TurnNetwork(auth=("--use-auth-secret", "--static-auth-secret", SECRET))
    try:
        server = Server(env={"RTK_TURN_SERVER": TURN_ADDRESS, "RTK_TURN_PORT": str(TURN_PORT),
                             "RTK_TURN_SECRET": SECRET, "RTK_TURN_CREDENTIAL_TTL": str(TTL),
                             "RTK_ICE_ENFORCE_LIST": "rtk0", "RTK_JANUS_TURN": "1"}).start()
        with open(os.path.join(server.conf_dir, "janus.jcfg")) as f:
            conf = f.read()
        user = re.search(r'turn_user = "(\d+):janus"', conf)
        check(user is not None, "janus.jcfg has no minted turn_user: %r" % re.findall(r"turn_\w+ = .*", conf))
        check(int(user.group(1)) > time.time() + 9 * 365 * 86400, "Janus's TURN credential expires in ten years")
        check('turn_pwd = "%s"' % password_of(user.group(1) + ":janus") in conf,
              "janus.jcfg's turn_pwd is the HMAC of its turn_user")
        check(SECRET not in conf, "janus.jcfg holds the secret itself")

        connection = server.rest_connection()
        connection.request("GET", "/sdk/server.json")
        info = json.loads(connection.getresponse().read())
        connection.close()
        check_equal(info.get("ice_servers"), [], "server.json ice_servers (no public credential)")
        log("server.json lists no TURN credential; Janus has its own minted one")

        meeting = server.create_meeting(title="TURN secret")
        local_rest = server.add_participant(meeting["id"], "Local")
        remote_rest = server.add_participant(meeting["id"], "Remote")
        local = RtkClient(server, "local")
        await local.join(local_rest["token"])
        now = int(time.time())
        mine = check_credential(local.joined.get("iceServers"), local.peer_id, TTL, "the local roomJoined", now)
        await local.publish()
        await local.subscribe(local_rest["token"])

        args = {"token": remote_rest["token"], "ws_url": "ws://%s:%d/" % (TURN_ADDRESS, info["janus_ws_port"]),
                "origin": "http://127.0.0.1:%d" % REST_PORT, "ice_servers": None}
        remote = network.spawn_client(args)
        joined = await read_line(remote.stdout, "joining", 30)
        theirs = check_credential(joined["ice_servers"], joined["peer_id"], TTL, "the remote roomJoined",
                                  int(time.time()))
        check(theirs["username"] != mine["username"] and theirs["credential"] != mine["credential"],
              "two participants share a TURN credential")
        log("each roomJoined carries a credential of its participant's own (%s)" % theirs["username"])
        counts = await local.wait_frames(joined["peer_id"], video=30, audio=50, timeout=MEDIA_TIMEOUT)
        log("the server side received %r from the client behind TURN" % counts)
        media = await read_line(remote.stdout, "receiving media", MEDIA_TIMEOUT + 10)
        check(len(media["pairs"]) == 2, "a nominated pair on each PeerConnection: %r" % media["pairs"])
        for pair in media["pairs"]:
            check_equal(pair["local"], "relay", "the client's side of its candidate pair %r" % pair)
        turn_text = network.turn_log_text()
        check("ALLOCATE processed, success" in turn_text and theirs["username"] in turn_text,
              "coturn's log shows no successful allocation for %s" % theirs["username"])
        log("media both ways through coturn with the minted credential: %r" % media["frames"])

        # a participant admitted from the waiting room: its own, in the roomJoined of the admission
        server.rest_ok("POST", "/v2/presets", {
            "name": "waits", "permissions": {"waiting_room_type": "ON_PRIVILEGED_USER_ENTRY"}})
        host_rest = server.add_participant(meeting["id"], "Host", "group_call_host")
        host = RtkClient(server, "host")
        await host.join(host_rest["token"])
        waiting = RtkClient(server, "waiting")
        waited = await waiting.join(server.add_participant(meeting["id"], "Waiting", "waits")["token"],
                                    expect="waitlisted")
        check("iceServers" not in waited, "a waitlisted participant got ICE servers before its admission")
        await host.control({"request": "participants.acceptWaitingRoomRequest", "id": waiting.peer_id})
        admitted = await waiting.wait_event("roomJoined", timeout=10)
        check_credential(admitted.data.get("iceServers"), waiting.peer_id, TTL, "an admitted roomJoined",
                         int(time.time()))
        log("an admitted participant's roomJoined carries its own credential")

        remote.stdin.close()
        check_equal(remote.wait(20), 0, "the client's exit status")
        for client in (local, host, waiting):
            await client.close()
        server.stop()
    finally:
        network.close()


if __name__ == "__main__":
    run_test(main)
