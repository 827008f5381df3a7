#!/usr/bin/python3
"""test_sdk_simulcast.py - simulcast, layer choice by tile size, a video
middleware and mediaScoreUpdate through the web SDK against the real server
(issue 9).

Owns what a user of sdk/rtk-core.js sees of simulcast in a real browser:
headless Chromium (tests/browser/sdk_simulcast.js, fake camera and
microphone, inside the test's network namespace) opens the bare SDK test
page for a publisher A and a subscriber B of one meeting. Asserted:
  * A's camera runs at 1280x720 after self.updateVideoConstraints, and A
    sends more than one simulcast layer (outbound-rtp with rids);
  * B joins after the server acknowledged A's layers (so Chromium no longer
    tags A's packets with their rid) and decodes A in a large tile; shrunk
    to 160x90 the decoded size drops (<video>.videoWidth and inbound-rtp
    frameWidth of getStats, compared with the large tile's, not exact
    sizes: under CPU load Chromium scales or drops layers);
  * in the large tile B decodes more than 45% of the frames A encodes on
    that layer (the base temporal layer alone is 25%) (Chromium sends L1T3; the plugin forwards every temporal
    layer until a subscriber asks for fewer, and the SDK does not);
  * B's page sends `configure` {mid, substream} only when the
    layer changes: 0 when A's camera arrives before B shows it, 2 for a
    large tile, none for a resize in the same band,
    0 for 160x90, 2 again, 0 for a hidden tile;
  * a video middleware on A (the seeds' shape, painting every frame
    magenta) turns the pixels B decodes magenta, and removing it brings
    the camera back; the same middleware turns them magenta without
    insertable streams too (canvas.captureStream()); A's self.videoTrack is the middleware's output, not
    rawVideoTrack;
  * mediaScoreUpdate arrives on A's meeting.self (what A sends) and on B's
    participants.joined map and participant object (what B gets from A),
    for audio and video, with the seeds' fields, participantId A's id and
    a score 0-10;
  * no console errors on either page.
Needs /usr/bin/chromium (or $RTK_CHROMIUM), node and `npm ci --prefix
tests/browser`; RTK_SKIP_BROWSER=1 skips it (77).
"""

import asyncio
import json
import os
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from rtk_harness import EXIT_SKIP, Server, check, check_equal, log, run_test  # noqa: E402
import browser_driver  # noqa: E402
from browser_driver import CHROMIUM  # noqa: E402
from test_sdk_meeting import run_driver, web_dir  # noqa: E402

DRIVER = os.path.join(HERE, "sdk_simulcast.js")

# The seeds' scoreStats fields (web-core docs, "mediaScoreUpdate").
SCORE_FIELDS = {
    ("audio", "sent"): {"score", "bitrate", "packetsLostPercentage", "jitter", "isScreenShare"},
    ("video", "sent"): {"score", "frameWidth", "frameHeight", "framesPerSecond", "jitter", "isScreenShare",
                        "packetsLostPercentage", "bitrate", "cpuLimitations", "bandwidthLimitations"},
    ("audio", "received"): {"score", "packetsLostPercentage", "jitter", "isScreenShare", "bitrate"},
    ("video", "received"): {"score", "frameWidth", "frameHeight", "framesPerSecond", "packetsLostPercentage",
                            "jitter", "isScreenShare", "bitrate"},
}


def check_scores(events, direction, participant_id, where):
    kinds = set()
    for e in events:
        check_equal(set(e), {"kind", "isScreenshare", "score", "participantId", "scoreStats"},
                    "%s: mediaScoreUpdate fields" % where)
        check_equal(set(e["scoreStats"]), SCORE_FIELDS[(e["kind"], direction)],
                    "%s: scoreStats fields of a %s event" % (where, e["kind"]))
        check(e["participantId"] == participant_id and e["isScreenshare"] is False,
              "%s: mediaScoreUpdate about someone else: %s" % (where, e))
        check(isinstance(e["score"], int) and 0 <= e["score"] <= 10 and e["scoreStats"]["score"] == e["score"],
              "%s: score: %s" % (where, e))
        check(e["scoreStats"]["bitrate"] > 0, "%s: no bitrate in %s" % (where, e))
        if e["kind"] == "video":
            check(e["scoreStats"]["frameWidth"] > 0, "%s: no picture size in %s" % (where, e))
        kinds.add(e["kind"])
    check_equal(kinds, {"audio", "video"}, "%s: kinds of mediaScoreUpdate" % where)
    # a sample may fall in a layer switch (no frame decoded then): one with frames is enough
    check(any(e["kind"] == "video" and e["scoreStats"]["framesPerSecond"] > 0 for e in events),
          "%s: no video mediaScoreUpdate with frames per second: %s" % (where, events))


async def main():
    node = browser_driver.browser_tools("the SDK simulcast test")
    server = Server(env={"RTK_WEB_DIR": web_dir()}).start()
    meeting = server.create_meeting(title="SDK simulcast test")
    a = server.add_participant(meeting["id"], "Ada", "group_call_participant")
    b = server.add_participant(meeting["id"], "Bob", "group_call_participant")

    def url(token):
        return "%s/sdk/test/meeting.html?token=%s" % (server.rest_base, urllib.parse.quote(token))

    driven = asyncio.Event()
    recording = asyncio.ensure_future(record_while_driving(server, meeting["id"], driven))
    try:
        doc = await run_driver([node, DRIVER, "--a-url", url(a["token"]), "--b-url", url(b["token"]),
                                "--chromium", CHROMIUM], 180)
    finally:
        driven.set()
    rec_id = await recording

    check_equal(doc["aConstraints"], {"width": 1280, "height": 720}, "A's camera after updateVideoConstraints")
    layers = doc["aLayers"]["outbound"]
    check(len(layers) >= 2 and all(o["rid"] for o in layers),
          "A does not send simulcast layers: %s" % layers)
    log("A sends %d layers: %s" % (len(layers), ", ".join("%s %dpx %s" % (o["rid"], o["frameWidth"], o["scalabilityMode"])
                                                          for o in layers)))

    large, small = doc["large"], doc["small"]
    check(small["width"] < large["width"] and small["inbound"]["frameWidth"] < large["inbound"]["frameWidth"],
          "the decoded size did not drop: %s -> %s" % (large, small))
    log("B decodes %dx%d in a 1280x720 tile, %dx%d in a 160x90 one (inbound-rtp %d -> %d)"
        % (large["width"], large["height"], small["width"], small["height"],
           large["inbound"]["frameWidth"], small["inbound"]["frameWidth"]))

    share = doc["frameShare"]
    check(share["decoded"] > 0.45 * share["encoded"],
          "B decodes %d of the %d frames A encoded on layer %s: only the base temporal layer?"
          % (share["decoded"], share["encoded"], share["rid"]))
    log("B decoded %d of the %d frames A encoded on layer %s in 5 s" % (share["decoded"], share["encoded"], share["rid"]))

    # the m-line's source is replaced when A adds a screenshare (step 7): asking
    # for the layer again then is expected, and not counted here
    configures = [c for c in doc["configures"] if c["step"] != "screenshare"]
    mids = {c["mid"] for c in configures}
    check(len(mids) == 1, "configure on several m-lines: %s" % configures)
    check(all(c.get("temporal") is None for c in configures), "configure names a temporal layer: %s" % configures)
    steps = {}
    for c in configures:
        steps.setdefault(c["step"], []).append(c["substream"])
    check(steps.get("same band") is None, "a resize within the band sent configure: %s" % configures)
    check_equal(steps.get("small"), [0], "substreams asked for the 160x90 tile")
    check_equal(steps.get("large again"), [2], "substreams asked for the tile grown again")
    check_equal(steps.get("hidden"), [0], "substreams asked for the hidden tile")
    check(steps.get("join", []) + steps.get("large", []) in ([2], [0, 2]),
          "substreams asked at join (no tile: 0) and for the first, large tile (2): %s" % configures)
    subs = [c["substream"] for c in configures]
    check(all(x != y for x, y in zip(subs, subs[1:])), "the same layer asked twice in a row: %s" % configures)
    log("configure sent on layer changes only: %s" % subs)

    check(doc["aAfterAdd"] == {"videoTrackIsRaw": False, "videoTrack": "live"},
          "A's videoTrack with a middleware: %s" % doc["aAfterAdd"])
    log("B's decoded colour: %s before the middleware, %s with it, %s after removing it, %s with it "
        "on canvas.captureStream()" % (doc["beforeMiddleware"]["color"], doc["withMiddleware"]["color"],
                                      doc["afterMiddleware"]["color"], doc["withCaptureStream"]["color"]))

    s = doc["scores"]
    check_scores(s["aSelf"], "sent", doc["aId"], "A's meeting.self")
    check_scores(s["bMap"], "received", doc["aId"], "B's participants.joined")
    check_scores(s["bPeer"], "received", doc["aId"], "B's participant object")
    log("mediaScoreUpdate: %d on A's self, %d on B's joined map; last on B: %s"
        % (s["counts"]["aSelf"], s["counts"]["bMap"], json.dumps(s["bMap"][-1])))

    errors = doc["consoleErrors"]
    check(not errors["a"] and not errors["b"], "console errors: %s" % errors)
    log("A added a screenshare after its layers were acknowledged: B still decodes A's camera (%s)"
        % doc["afterScreenshare"]["inbound"])

    # The recording got A's camera on a layer above the lowest (companions
    # take the highest the publisher sends; the recorder reports the picture
    # size of the keyframes it received per stream).
    widths = recorded_widths(server, rec_id, doc["aId"])
    lowest = min(o["frameWidth"] for o in layers)
    check(widths and max(widths) > lowest,
          "the recording got A's camera at %s px wide, the lowest layer is %d px" % (widths, lowest))
    log("the recording received A's camera %d px wide (layers %s)"
        % (max(widths), sorted(o["frameWidth"] for o in layers)))


async def record_while_driving(server, meeting_id, driven):
    """Starts a small recording once the meeting is live and stops it when
    the driver is done; returns its id."""
    while True:
        status, _ = server.rest("GET", "/v2/meetings/%s/active-session" % meeting_id)
        if status == 200:
            break
        check(not driven.is_set(), "the meeting never became live")
        await asyncio.sleep(0.5)
    rec = server.rest_ok("POST", "/v2/recordings", {
        "meeting_id": meeting_id, "video_config": {"codec": "VP8", "width": 320, "height": 240}},
        statuses=(201,))
    await driven.wait()
    server.rest("PUT", "/v2/recordings/%s" % rec["id"], {"action": "stop"})   # 409 once the meeting ended
    for _ in range(60):
        if server.rest_ok("GET", "/v2/recordings/%s" % rec["id"])["status"] in ("UPLOADED", "ERRORED"):
            break
        await asyncio.sleep(0.5)
    return rec["id"]


def recorded_widths(server, rec_id, peer_id):
    """The keyframe widths the recorder reported for `peer_id`'s camera."""
    widths = []
    marker = "[rtk] capture %s: " % rec_id
    with open(server.log_path, errors="replace") as f:
        for line in f:
            at = line.find(marker)
            if at < 0 or not line[at + len(marker):].startswith("{"):
                continue   # not the stats (a warning about the same capture)
            stats = json.loads(line[at + len(marker):])
            widths += [s["width"] for s in stats.get("streams", [])
                       if s.get("id") == peer_id and s.get("source") == "camera" and s.get("width")]
    return widths


if __name__ == "__main__":
    if os.environ.get("RTK_SKIP_BROWSER") == "1":
        print("SKIP: RTK_SKIP_BROWSER=1", flush=True)
        sys.exit(EXIT_SKIP)
    run_test(main)
