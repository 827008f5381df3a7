#!/usr/bin/python3
"""test_rtmp.py - a recording pushed live to an RTMP server.

Owns the RTMP push (docs/rest.md "Recordings", live_streaming_config;
docs/companions.md, rtk-recorder --rtmp): an RTMP server (ffmpeg listening
on rtmp://127.0.0.1:1935/live/key in the test's namespace, writing what it
receives to out.flv) and an aiortc participant publishing VP8 + Opus, and:
  * POST /v2/recordings with live_streaming_config from a participant's
    token is 403; an rtmp_url that is not rtmp:// or rtmps:// is 422, and
    so is one on an audio-only recording;
  * POST /v2/recordings with video_config H264 640x360 and
    live_streaming_config.rtmp_url: the recording reaches RECORDING, is
    stopped after ~5 s and is UPLOADED; the RTMP server got an FLV that
    ffprobe reads with h264 640x360 and aac, lasting the wall time between
    RECORDING and stop (within 20%); its pictures move (the participant's
    video is in it); the MP4 recording is there too;
  * an rtmp_url where nobody listens: the recording is ERRORED with the
    error "cannot open the output: cannot connect to the RTMP server:
    Connection refused" and stop_reason INTERNAL_ERROR, and the URL (its
    stream key) is not in the document.
"""

import asyncio
import json
import os
import subprocess
import tempfile
import time

from rtk_harness import RtkClient, Server, check, check_equal, log, run_test
from test_recording import moving_share, wait_status

URL = "rtmp://127.0.0.1:1935/live/key"


def ffprobe(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", path],
                         capture_output=True, check=False)
    check(out.returncode == 0, "ffprobe cannot read %s: %s" % (path, out.stderr.decode(errors="replace")))
    return json.loads(out.stdout)


async def wait_exit(proc, timeout):
    deadline = time.time() + timeout
    while proc.poll() is None and time.time() < deadline:
        await asyncio.sleep(0.2)
    return proc.poll()


def refusals(server, meeting_id, host):
    body = {"meeting_id": meeting_id, "live_streaming_config": {"rtmp_url": URL}}
    status, reply = server.rest("POST", "/v2/recordings", body, auth="Bearer " + host["token"])
    check_equal(status, 403, "live_streaming_config with a participant's token: %r" % reply)
    for bad in ("http://127.0.0.1/live", "rtmp://", "rtmp://a b", 7):
        status, reply = server.rest("POST", "/v2/recordings", {"meeting_id": meeting_id,
                                                               "live_streaming_config": {"rtmp_url": bad}})
        check_equal(status, 422, "rtmp_url %r: %r" % (bad, reply))
    status, reply = server.rest("POST", "/v2/recordings", {"meeting_id": meeting_id,
                                                           "video_config": {"export_file": False},
                                                           "live_streaming_config": {"rtmp_url": URL}})
    check_equal(status, 422, "rtmp_url on an audio-only recording: %r" % reply)
    log("refusals: participant token 403, bad URLs and audio-only 422")


async def push(server, meeting_id, directory):
    flv = os.path.join(directory, "out.flv")
    listener = subprocess.Popen(["ffmpeg", "-v", "error", "-y", "-listen", "1", "-i", URL, "-c", "copy", flv],
                                stdin=subprocess.DEVNULL)
    try:
        await asyncio.sleep(1)   # listening
        rec = server.rest_ok("POST", "/v2/recordings", {"meeting_id": meeting_id,
                                                        "video_config": {"codec": "H264", "width": 640,
                                                                         "height": 360},
                                                        "live_streaming_config": {"rtmp_url": URL}},
                             statuses=(201,))
        rec = await wait_status(server, rec["id"], ("RECORDING",))
        started = time.time()
        await asyncio.sleep(5)
        server.rest_ok("PUT", "/v2/recordings/%s" % rec["id"], {"action": "stop"})
        wall = time.time() - started
        rec = await wait_status(server, rec["id"], ("UPLOADED",))
        check(rec["file_size"] > 0, "the MP4 recording is there too: %r" % rec)
        check_equal(await wait_exit(listener, 15), 0, "the RTMP server's ffmpeg exit status")
    finally:
        if listener.poll() is None:
            listener.kill()
            listener.wait()
    probe = ffprobe(flv)
    check_equal(probe["format"]["format_name"], "flv", "what the RTMP server got")
    streams = {s["codec_type"]: s for s in probe["streams"]}
    check_equal((streams["video"]["codec_name"], streams["video"]["width"], streams["video"]["height"]),
                ("h264", 640, 360), "pushed video")
    check_equal(streams["audio"]["codec_name"], "aac", "pushed audio")
    duration = float(probe["format"]["duration"])
    check(abs(duration - wall) <= 0.2 * wall, "pushed %.2f s, wall %.2f s" % (duration, wall))
    share = moving_share(flv, 640, 360, 1.0, duration - 1.0)
    check(share > 0.1, "only %.0f%% of the pixels differ between pushed frames" % (100 * share))
    log("pushed: h264 640x360 + aac, %.2f s (wall %.2f s), %d%% of the pixels move"
        % (duration, wall, int(100 * share)))


async def unreachable(server, meeting_id):
    url = "rtmp://127.0.0.1:1936/live/secretkey"
    rec = server.rest_ok("POST", "/v2/recordings", {"meeting_id": meeting_id,
                                                    "live_streaming_config": {"rtmp_url": url}},
                         statuses=(201,))
    rec = await wait_status(server, rec["id"], ("ERRORED",))
    check_equal(rec["error"], "cannot open the output: cannot connect to the RTMP server: Connection refused",
                "error of a push nobody takes")
    check_equal(rec["stop_reason"]["reason"], "INTERNAL_ERROR", "stop_reason of a push nobody takes")
    check("secretkey" not in json.dumps(rec), "the stream key is not shown: %r" % rec)
    log("unreachable: ERRORED, %r" % rec["error"])


async def main():
    server = Server().start()
    meeting = server.create_meeting(title="RTMP")
    host_rest = server.add_participant(meeting["id"], "Host", "group_call_host")
    host = RtkClient(server, "host")
    await host.join(host_rest["token"])
    await host.publish()
    with tempfile.TemporaryDirectory() as directory:
        refusals(server, meeting["id"], host_rest)
        await push(server, meeting["id"], directory)
        await unreachable(server, meeting["id"])
    await host.close()
    server.stop()


if __name__ == "__main__":
    run_test(main)
