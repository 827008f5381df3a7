#!/usr/bin/python3
"""test_sdk_meeting.py - two browsers meet through the web SDK against the
real server (issue 9).

Owns what users of sdk/rtk-core.js see in a real browser: a meeting with a
host (group_call_host) and a participant is made over REST; headless
Chromium (playwright-core, tests/browser/sdk_meeting.js) opens one page per
participant, served by the gateway (same origin as the REST API, so the
Janus WebSocket accepts it), with a fake camera and microphone. Each page
runs RealtimeKitClient.init({authToken, defaults: {audio: true, video:
true}}) and meeting.join() over the Janus WebSocket; ICE runs on the
namespace's veth address. Asserted:
  * both reach roomState "joined" with audio and video on, and each sees
    the other (name, preset, audio/video on) in participants.joined;
  * each hears the other without application code: the SDK plays the
    other's microphone track in its own <audio data-rtk-audio> element,
    whose playback time advances;
  * each decodes the other's video: a <video> on the remote participant's
    videoTrack has videoWidth > 0 and its requestVideoFrameCallback count
    and decoded frame count advance over two seconds;
  * the host's self.disableVideo() reaches the guest: a videoUpdate with
    videoEnabled false and participant.videoEnabled false;
  * the host's participant.kick() ends the guest's meeting: roomLeft
    {state: "kicked"}, roomState "kicked", and the host's joined map is
    empty;
  * no console errors on either page;
  * the Janus WebSocket is on a port that is not the SDK's default (8189):
    init({authToken}) finds it through the gateway's /sdk/server.json.
On the demo page the driver clicks its buttons (Join, camera, People,
Remove) instead of calling the SDK, and the page shows the two tiles with
names, the host's tile with its camera off on the guest's page, and "You
were removed from the meeting" on the kicked guest's.
The page is the demo page (sdk/demo/, `/?token=`) when it exists,
otherwise a bare test page (sdk_meeting.html) in a temporary copy of sdk/.
A screenshot of the host's page goes to
$RTK_TOP_BUILDDIR/tests/browser/demo-page.png.

Needs /usr/bin/chromium (or $RTK_CHROMIUM), node and `npm ci --prefix
tests/browser`; without them the test fails and says so, unless
RTK_SKIP_BROWSER=1 (then it is skipped: 77).
"""

import asyncio
import json
import os
import shutil
import sys
import tempfile
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from rtk_harness import BUILDDIR, EXIT_SKIP, SRCDIR, Server, check, log, run_test  # noqa: E402
import browser_driver  # noqa: E402
from browser_driver import CHROMIUM  # noqa: E402

DRIVER = os.path.join(HERE, "sdk_meeting.js")
TEST_PAGE = os.path.join(HERE, "sdk_meeting.html")
SCREENSHOT = os.path.join(BUILDDIR, "tests", "browser", "demo-page.png")
JANUS_WS_PORT = 8189


def browser_tools():
    return browser_driver.browser_tools("the SDK browser test")


def web_dir():
    """A copy of sdk/ (its files, not node_modules) with the test page at
    test/meeting.html; the gateway serves it as RTK_WEB_DIR."""
    root = tempfile.mkdtemp(prefix="rtk-web-")
    shutil.copytree(os.path.join(SRCDIR, "sdk"), os.path.join(root, "sdk"),
                    ignore=shutil.ignore_patterns("node_modules"))
    os.makedirs(os.path.join(root, "sdk", "test"))
    shutil.copy(TEST_PAGE, os.path.join(root, "sdk", "test", "meeting.html"))
    return os.path.join(root, "sdk")


async def run_driver(argv, timeout):
    proc = await asyncio.create_subprocess_exec(*argv, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE, limit=16 << 20)
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except asyncio.TimeoutError:
        proc.kill()
        await proc.wait()
        check(False, "the browser driver did not finish within %d s" % timeout)
    lines = [line for line in out.decode(errors="replace").splitlines() if line.startswith("{")]
    check(lines, "the browser driver printed no report (exit %s):\n%s"
          % (proc.returncode, err.decode(errors="replace")[-3000:]))
    doc = json.loads(lines[-1])
    if doc.get("phase") != "done":
        check(False, "the browser run failed: %s\n%s\ndriver stderr:\n%s"
              % (doc.get("message"), json.dumps(doc, indent=1)[:12000], err.decode(errors="replace")[-3000:]))
    return doc


def other(snap):
    check(len(snap["joined"]) == 1, "participants.joined is not exactly the other participant: %s"
          % json.dumps(snap["joined"]))
    return snap["joined"][0]


async def main(tls=None, screenshot=SCREENSHOT):
    """tls: {"env": RTK_TLS_*, "ca": ssl context, "spki": the key's hash}
    for a server with a test certificate (test_sdk_tls.py)."""
    node = browser_tools()
    os.makedirs(os.path.dirname(screenshot), exist_ok=True)
    demo = os.path.isfile(os.path.join(SRCDIR, "sdk", "demo", "index.html"))
    env = {} if demo else {"RTK_WEB_DIR": web_dir()}
    # Not the default port: the page passes no janus option, so the SDK
    # must find the WebSocket through /sdk/server.json.
    env["RTK_JANUS_WS_PORT"] = str(JANUS_WS_PORT)
    env.update(tls["env"] if tls else {})
    server = Server(env=env, tls_ca=tls["ca"] if tls else None).start()
    meeting = server.create_meeting(title="SDK browser test")
    host = server.add_participant(meeting["id"], "Hedy", "group_call_host")
    guest = server.add_participant(meeting["id"], "Grace", "group_call_participant")

    def url(token):
        if demo:
            return "%s/?token=%s" % (server.rest_base, urllib.parse.quote(token))
        return "%s/sdk/test/meeting.html?token=%s" % (server.rest_base, urllib.parse.quote(token))

    argv = [node, DRIVER, "--host-url", url(host["token"]), "--guest-url", url(guest["token"]),
            "--chromium", CHROMIUM, "--screenshot", screenshot]
    if tls:
        argv += ["--trust-spki", tls["spki"]]
    if demo:
        argv += ["--join-button", "#join", "--camera-button", "#cam", "--panel-button", "#panel-toggle",
                 "--kick-button", 'button[data-action="remove"][data-participant="{id}"]']
    log("pages: %s" % ("the demo page /" if demo else "/sdk/test/meeting.html"))
    doc = await run_driver(argv, 150)
    dump = lambda key: json.dumps(doc.get(key), indent=1)[:8000]  # noqa: E731

    # joined, each sees the other
    names = {"host": ("Hedy", "group_call_host", host["id"]), "guest": ("Grace", "group_call_participant", guest["id"])}
    for who, peer in (("host", "guest"), ("guest", "host")):
        snap = doc["joined"][who]
        me = snap["self"]
        check(me["roomState"] == "joined" and me["name"] == names[who][0] and me["userId"] == names[who][2],
              "%s's self after join: %s" % (who, me))
        check(me["audioEnabled"] is True and me["videoEnabled"] is True,
              "%s's audio/video are not on after join: %s" % (who, me))
        o = other(snap)
        check(o["name"] == names[peer][0] and o["presetName"] == names[peer][1] and o["userId"] == names[peer][2]
              and o["id"] == doc["joined"][peer]["self"]["id"],
              "%s sees %s wrongly: %s" % (who, peer, o))
    log("joined in %d ms (host) and %d ms (guest)" % (doc["joinMs"]["host"], doc["joinMs"]["guest"]))

    # each decodes the other's video
    for who in ("host", "guest"):
        first = other(doc["firstFrames"][who])
        last = other(doc["afterTwoSeconds"][who])
        check(last["videoEnabled"] is True and last["audioEnabled"] is True and last["videoTrack"] == "live"
              and last["audioTrack"] == "live",
              "%s: the other's media state or tracks: %s" % (who, last))
        v0, v1 = first["video"], last["video"]
        check(v1["width"] > 0 and v1["height"] > 0, "%s: the remote video has no size: %s" % (who, v1))
        check(v1["frames"] - v0["frames"] >= 10 and v1["decoded"] - v0["decoded"] >= 10,
              "%s: remote video frames did not advance over 2 s: %s -> %s" % (who, v0, v1))
        log("%s decodes the other's %dx%d video: %d frames in 2 s"
            % (who, v1["width"], v1["height"], v1["frames"] - v0["frames"]))
        # the SDK plays the other's microphone by itself: one <audio>, playing
        a0, a1 = doc["firstFrames"][who]["audio"], doc["afterTwoSeconds"][who]["audio"]
        check([a["key"] for a in a1] == ["%s:audio" % last["id"]] and a1[0]["track"] == "live"
              and not a1[0]["paused"], "%s: the SDK does not play the other's audio: %s" % (who, a1))
        check(len(a0) == 1 and a1[0]["time"] - a0[0]["time"] >= 1.0,
              "%s: the other's audio did not advance over 2 s: %s -> %s" % (who, a0, a1))
        log("%s plays the other's audio (%.1f s in 2 s)" % (who, a1[0]["time"] - a0[0]["time"]))

    # the host's camera off reaches the guest
    host_id = doc["joined"]["host"]["self"]["id"]
    g = doc["videoOff"]["guest"]
    offs = [e for e in g["log"] if e["what"] == "videoUpdate" and e["id"] == host_id and e["videoEnabled"] is False]
    check(offs and other(g)["videoEnabled"] is False,
          "the guest did not see the host's video go off: %s" % dump("videoOff"))
    check(doc["videoOff"]["host"]["self"]["videoEnabled"] is False, "the host's self.videoEnabled is still true")
    if demo:
        tile = [t for t in g["tiles"] if t["key"] == host_id]
        check(tile and tile[0]["videoOff"] and tile[0]["name"] == "Hedy",
              "the guest's demo page does not show the host's camera off: %s" % g["tiles"])
        check(doc["videoOff"]["host"]["tiles"][0]["videoOff"] is True, "the host's own tile still shows video")
    log("disableVideo reached the other page")

    # the host kicks the guest
    check(doc["kickReply"].get("ok") is True, "participant.kick refused: %s" % doc["kickReply"])
    g = doc["kicked"]["guest"]
    left = [e["payload"] for e in g["log"] if e["what"] == "roomLeft"]
    check(left == [{"state": "kicked"}], "the guest's roomLeft events: %s" % left)
    check(g["self"]["roomState"] == "kicked", "the guest's roomState after the kick: %s" % g["self"])
    check(doc["kicked"]["host"]["joined"] == [], "the host still lists: %s" % doc["kicked"]["host"]["joined"])
    if demo:
        check(g["screen"] == "left" and g["heading"] == ["You were removed from the meeting"],
              "the kicked guest's demo page shows %s %s" % (g["screen"], g["heading"]))
        check(doc["joined"]["host"]["screen"] == "meeting"
              and sorted(t["name"] for t in doc["joined"]["host"]["tiles"]) == ["Grace", "Hedy (you)"],
              "the host's demo page after join: %s %s" % (doc["joined"]["host"]["screen"], doc["joined"]["host"]["tiles"]))
    log("the kicked guest got roomLeft %s" % left[0])

    errors = doc["consoleErrors"]
    check(not errors["host"] and not errors["guest"], "console errors: %s" % errors)
    if demo:
        check(os.path.getsize(screenshot) > 10000, "the screenshot %s is empty" % screenshot)
        log("screenshot: %s" % screenshot)


if __name__ == "__main__":
    if os.environ.get("RTK_SKIP_BROWSER") == "1":
        print("SKIP: RTK_SKIP_BROWSER=1", flush=True)
        sys.exit(EXIT_SKIP)
    run_test(main)
