#!/usr/bin/python3
"""test_turn.py - a participant that cannot reach the server's media ports
meets others through the TURN server of the settings (RTK_TURN_SERVER,
RTK_TURN_PORT, RTK_TURN_USER, RTK_TURN_PASSWORD; docs/deploy.md "TURN").

Owns the TURN path as a user behind a restrictive network sees it, with
coturn (Debian's turnserver) and two network namespaces the test makes:
  * the server side (the harness's namespace): janus, whose ICE candidates
    are on 10.77.0.1 only (RTK_ICE_ENFORCE_LIST=rtk0), and coturn, listening
    on 10.78.0.1 (the client's side) and relaying from 10.77.0.1;
  * the client's namespace, joined to the server side by one veth
    (10.78.0.2 <-> 10.78.0.1) and with no route to 10.77.0.0/24: it reaches
    the Janus WebSocket and coturn on 10.78.0.1, never a Janus candidate;
  * /sdk/server.json hands out the TURN server as an RTCIceServer
    (turn:...?transport=udp, then tcp, with the credentials), so does each
    roomJoined, and the rendered janus.jcfg gives Janus the same server
    (RTK_JANUS_TURN=1 here; the default leaves TURN to the clients)
    (test_turn_secret.py: time-limited credentials instead);
  * a participant on the server side (host candidates) and one in the
    client's namespace (aiortc over the Janus WebSocket, with the ICE
    servers of /sdk/server.json) exchange VP8 and Opus frames both ways;
    the client's nominated candidate pairs are relay ones, and coturn's
    log shows the allocation of the test's user;
  * then, while that media flows, a third participant on the server side
    publishes and subscribes, each answered within LATE_SDP_SECONDS, and
    Janus never gave up waiting for its ICE gathering ("Waited 5s for
    candidates" in its log). Janus answers or offers only once it has
    gathered, through the TURN server too, and that gathering runs on the
    handle's event loop. With shared event loops (RTK_JANUS_EVENT_LOOPS,
    by default the number of CPUs) that loop also runs other handles'
    callbacks (a PeerConnection up, RTCP); when those waited in the plugin
    for the meeting lock the request held, the loop stood still: Janus gave
    up after 5 s, and the client behind TURN got no media at all
    (plugin/plugin.c, top comment, says why and what changed).
The client runs as a child process in its namespace (this file with
--client), reporting on stdout as JSON lines.
"""

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import types

from rtk_harness import (JANUS_WS_PORT, REST_PORT, JanusWsSession, RtkClient, Server, check, check_equal,
                         log, run_test, skip, _die_with_parent)

TURN_ADDRESS = "10.78.0.1"      # the server side of the client's veth: coturn listens here
CLIENT_ADDRESS = "10.78.0.2"    # the client's only address
TURN_PORT = 3478
TURN_USER, TURN_PASSWORD = "rtk-test", "s3cret-relay"
MEDIA_TIMEOUT = 40
# Janus waits 5 s at most for its gathering before it answers or offers;
# here it takes about 2 s with either event-loop setting: Janus's own
# allocation never shows in coturn's log, so libnice gives up on a relay
# candidate after its retransmissions (Janus offers host candidates only).
LATE_SDP_SECONDS = 4.5


# ---------------------------------------------------------------- the client's side

async def client_main(args):
    """In the client's namespace: join over the Janus WebSocket with the
    given ICE servers, publish, subscribe, and report."""
    def say(**fields):
        print(json.dumps(fields), flush=True)

    server = types.SimpleNamespace(janus_url=None, session_timeout=None, rest_base=args["origin"])
    client = RtkClient(server, "remote", janus=JanusWsSession(server, args["ws_url"]),
                       ice_servers=args["ice_servers"])
    joined = await client.join(args["token"])
    if args["ice_servers"] is None:   # the ones of its roomJoined, as the SDK takes them
        client.ice_servers = joined.get("iceServers")
    say(event="joined", peer_id=client.peer_id, ice_servers=joined.get("iceServers"))
    await client.publish()
    await client.subscribe(args["token"])
    others = [p["id"] for p in joined.get("participants") or []]
    frames = await client.wait_frames(others[0], video=30, audio=50, timeout=MEDIA_TIMEOUT)
    pairs = []
    for pc in (client.pub_pc, client.sub_pc):
        connection = pc.getTransceivers()[0].sender.transport.transport._connection
        for pair in connection._nominated.values():
            pairs.append({"local": pair.local_candidate.type, "local_address": pair.local_candidate.host,
                          "remote": pair.remote_candidate.type, "remote_address": pair.remote_candidate.host})
    say(event="media", frames=frames, pairs=pairs)
    # Keep sending until the server side has counted our frames.
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await client.close()


# ---------------------------------------------------------------- the server's side

def sh(*argv, netns_pid=None):
    if netns_pid is not None:
        argv = ("nsenter", "--net=/proc/%d/ns/net", "--") + argv
        argv = tuple(a % netns_pid if "%d" in a else a for a in argv)
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def make_client_namespace():
    """A holder process in a new network namespace, joined to ours by the
    veth rtkc0 (10.78.0.1, here) <-> rtkc1 (10.78.0.2, there). Returns it."""
    holder = subprocess.Popen(["unshare", "--net", "--", "sleep", "3600"], preexec_fn=_die_with_parent)
    deadline = time.monotonic() + 5
    while os.readlink("/proc/%d/ns/net" % holder.pid) == os.readlink("/proc/self/ns/net"):
        check(time.monotonic() < deadline, "the client's namespace did not appear")
        time.sleep(0.01)
    sh("ip", "link", "add", "rtkc0", "type", "veth", "peer", "name", "rtkc1")
    sh("ip", "link", "set", "rtkc1", "netns", str(holder.pid))
    sh("ip", "addr", "add", TURN_ADDRESS + "/24", "dev", "rtkc0")
    sh("ip", "link", "set", "rtkc0", "up")
    sh("ip", "link", "set", "lo", "up", netns_pid=holder.pid)
    sh("ip", "addr", "add", CLIENT_ADDRESS + "/24", "dev", "rtkc1", netns_pid=holder.pid)
    sh("ip", "link", "set", "rtkc1", "up", netns_pid=holder.pid)
    routes = subprocess.run(["nsenter", "--net=/proc/%d/ns/net" % holder.pid, "ip", "route", "get", "10.77.0.1"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT).stdout.decode()
    check("unreachable" in routes, "the client's namespace must have no route to Janus: %r" % routes)
    return holder


def start_coturn(directory, auth=("--lt-cred-mech", "--user", "%s:%s" % (TURN_USER, TURN_PASSWORD))):
    """coturn on TURN_ADDRESS, relaying from 10.77.0.1; `auth`: its
    authentication options (long-term credentials by default)."""
    turnserver = shutil.which("turnserver")
    if turnserver is None:
        skip("coturn is not installed (apt-get install coturn)")
    logfile = os.path.join(directory, "turn.log")
    proc = subprocess.Popen(
        [turnserver, "-n", "--no-cli", "--no-tls", "--no-dtls", "--listening-ip", TURN_ADDRESS,
         "--listening-port", str(TURN_PORT), "--relay-ip", "10.77.0.1", "--min-port", "49160",
         "--max-port", "49200"] + list(auth) +
        ["--realm", "rtk.test", "--userdb", os.path.join(directory, "turndb"), "--log-file", logfile,
         "--simple-log", "--verbose", "--pidfile", os.path.join(directory, "turn.pid")],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
    deadline = time.monotonic() + 10
    while not (os.path.exists(logfile) and "listener opened on" in open(logfile, errors="replace").read()):
        check(proc.poll() is None, "turnserver exited with %s" % proc.returncode)
        check(time.monotonic() < deadline, "turnserver did not open its listener within 10 s")
        time.sleep(0.1)
    return proc, logfile


class TurnNetwork:
    """The client's namespace and coturn on TURN_ADDRESS (`auth`: its
    authentication options, as start_coturn's), and the clients spawned
    in that namespace; close() ends them all."""

    def __init__(self, **coturn):
        self.directory = tempfile.mkdtemp(prefix="rtk-turn-")
        self.clients = []
        self.turn = None
        self.holder = make_client_namespace()
        try:
            self.turn, self.turn_log = start_coturn(self.directory, **coturn)
        except BaseException:
            self.close()
            raise

    def spawn_client(self, args):
        """client_main(args) (this file with --client) in the client's
        namespace: reports on its stdout, runs until its stdin closes."""
        proc = subprocess.Popen(
            ["nsenter", "--net=/proc/%d/ns/net" % self.holder.pid, "--", sys.executable, os.path.abspath(__file__),
             "--client", json.dumps(args)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, preexec_fn=_die_with_parent, text=True,
            env=dict(os.environ, PYTHONUNBUFFERED="1"))
        self.clients.append(proc)
        return proc

    def turn_log_text(self):
        with open(self.turn_log, errors="replace") as f:
            return f.read()

    def close(self):
        for proc in self.clients:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if self.turn is not None:
            self.turn.terminate()
            self.turn.wait()
        self.holder.kill()
        self.holder.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


async def read_line(stream, what, timeout):
    """The client's next report (a JSON line); its log lines are passed on."""
    deadline = time.monotonic() + timeout
    while True:
        line = await asyncio.wait_for(asyncio.get_running_loop().run_in_executor(None, stream.readline),
                                      max(0.1, deadline - time.monotonic()))
        check(line, "the client exited before %s" % what)
        if line.startswith("{"):
            return json.loads(line)
        print("client: " + line, end="", flush=True)


async def third_participant_negotiates(server, meeting):
    """A participant who publishes and subscribes while the others' media
    (and their RTCP) flows: each SDP of Janus comes within LATE_SDP_SECONDS
    and Janus's log shows no gathering it gave up waiting for."""
    third_rest = server.add_participant(meeting["id"], "Third")
    third = RtkClient(server, "third")
    await third.join(third_rest["token"])
    took = {}
    started = time.monotonic()
    await third.publish()
    took["publish"] = time.monotonic() - started
    started = time.monotonic()
    await third.subscribe(third_rest["token"])
    took["subscribe"] = time.monotonic() - started
    log("the third participant's answer and offer took %s" %
        ", ".join("%s %.2f s" % item for item in took.items()))
    with open(server.log_path, errors="replace") as f:
        gave_up = [line.strip() for line in f if "Waited 5s for candidates" in line]
    check(not gave_up, "Janus gave up waiting for its ICE gathering: %r" % gave_up[:3])
    for what, seconds in took.items():
        check(seconds < LATE_SDP_SECONDS, "%s took %.2f s (at most %.1f)" % (what, seconds, LATE_SDP_SECONDS))
    await third.close()


async def main():
    network = TurnNetwork()
    try:
        server = Server(env={"RTK_TURN_SERVER": TURN_ADDRESS, "RTK_TURN_PORT": str(TURN_PORT),
                             "RTK_TURN_USER": TURN_USER, "RTK_TURN_PASSWORD": TURN_PASSWORD,
                             "RTK_ICE_ENFORCE_LIST": "rtk0", "RTK_JANUS_TURN": "1"}).start()
        with open(os.path.join(server.conf_dir, "janus.jcfg")) as f:
            conf = f.read()
        for line in ('turn_server = "%s"' % TURN_ADDRESS, "turn_port = %d" % TURN_PORT,
                     'turn_user = "%s"' % TURN_USER, 'turn_pwd = "%s"' % TURN_PASSWORD):
            check(line in conf, "janus.jcfg lacks %s" % line)

        connection = server.rest_connection()
        connection.request("GET", "/sdk/server.json")
        info = json.loads(connection.getresponse().read())
        connection.close()
        check_equal(info.get("ice_servers"), [{
            "urls": ["turn:%s:%d?transport=udp" % (TURN_ADDRESS, TURN_PORT),
                     "turn:%s:%d?transport=tcp" % (TURN_ADDRESS, TURN_PORT)],
            "username": TURN_USER, "credential": TURN_PASSWORD}], "server.json ice_servers")
        check_equal(info.get("janus_ws_secure"), False, "server.json janus_ws_secure")

        meeting = server.create_meeting(title="TURN")
        local_rest = server.add_participant(meeting["id"], "Local")
        remote_rest = server.add_participant(meeting["id"], "Remote")
        local = RtkClient(server, "local")
        await local.join(local_rest["token"])
        check_equal(local.joined.get("iceServers"), info["ice_servers"],
                    "roomJoined's iceServers (with long-term credentials: server.json's)")
        await local.publish()
        await local.subscribe(local_rest["token"])

        args = {"token": remote_rest["token"], "ws_url": "ws://%s:%d/" % (TURN_ADDRESS, info["janus_ws_port"]),
                "origin": "http://127.0.0.1:%d" % REST_PORT, "ice_servers": info["ice_servers"]}
        remote = network.spawn_client(args)
        joined = await read_line(remote.stdout, "joining", 30)
        log("the client with no route to Janus joined as %s" % joined["peer_id"])
        counts = await local.wait_frames(joined["peer_id"], video=30, audio=50, timeout=MEDIA_TIMEOUT)
        log("the server side received %r from the client" % counts)
        media = await read_line(remote.stdout, "receiving media", MEDIA_TIMEOUT + 10)
        log("the client received %r; nominated pairs %r" % (media["frames"], media["pairs"]))
        check(len(media["pairs"]) == 2, "a nominated pair on each PeerConnection: %r" % media["pairs"])
        for pair in media["pairs"]:
            check_equal(pair["local"], "relay", "the client's side of its candidate pair %r" % pair)
        turn_text = network.turn_log_text()
        check("ALLOCATE processed, success" in turn_text and TURN_USER in turn_text,
              "coturn's log shows no successful allocation for %s" % TURN_USER)
        log("coturn relayed: allocation of %s logged" % TURN_USER)
        await third_participant_negotiates(server, meeting)
        remote.stdin.close()
        check_equal(remote.wait(20), 0, "the client's exit status")
        await local.close()
        server.stop()
    finally:
        network.close()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--client":
        asyncio.run(client_main(json.loads(sys.argv[2])))
    else:
        run_test(main)
