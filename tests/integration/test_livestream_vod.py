#!/usr/bin/python3
"""test_livestream_vod.py - a livestream started with "vod": true leaves a
VOD playlist (docs/rest.md "Livestream recording (VOD)").

A host publishes VP8 + Opus from aiortc; POST /v2/meetings/{id}/livestreams
{"vod": true} (a non-boolean vod is 422); the livestream runs until its live
playlist has slid past segment 0 (EXT-X-MEDIA-SEQUENCE > 0: more than ten
segments), then stops. Then:
  * index.m3u8 is a VOD playlist: EXT-X-PLAYLIST-TYPE:VOD, EXT-X-ENDLIST,
    EXT-X-MEDIA-SEQUENCE:0, every segment from seg0.m4s on, consecutive, no
    parts, no preload hint;
  * seg0.m4s (long out of the live window) is still served, and is on disk
    in DATA_DIR/livestreams/{id}/;
  * ffmpeg plays the playlist to its end: the copy's duration (ffprobe) is
    the sum of the EXTINFs, and within 3 s of the time the livestream was
    live;
  * after a restart of the server, the same playlist, master.m3u8 and
    segments are served (from DATA_DIR/livestreams/{id}/vod.m3u8 and
    vod-master.m3u8), parts are not.
"""

import asyncio
import os
import subprocess
import time

from rtk_harness import RtkClient, Server, check, check_equal, log, run_test
from test_livestream import Playlist, aget


async def main():
    server = Server().start()
    meeting = server.create_meeting(title="VOD")
    rest = server.add_participant(meeting["id"], "Host", "group_call_host")
    host = RtkClient(server, "host")
    await host.join(rest["token"])
    await host.publish()
    status, _ = server.rest("POST", "/v2/meetings/%s/livestreams" % meeting["id"], {"vod": "yes"})
    check_equal(status, 422, "vod not a boolean")
    doc = server.rest_ok("POST", "/v2/meetings/%s/livestreams" % meeting["id"], {"vod": True}, statuses=(201,))
    url = doc["playback_url"]
    deadline = time.time() + 30
    while server.rest_ok("GET", "/v2/livestreams/%s" % doc["id"])["livestream"]["status"] != "LIVE":
        check(time.time() < deadline, "never LIVE")
        await asyncio.sleep(0.3)
    live_since = time.time()
    deadline = time.time() + 60
    while True:
        status, _, body, _ = await aget(url)
        check_equal(status, 200, "live playlist")
        pl = Playlist(body.decode())
        if pl.segments and pl.segments[0][0] > 0:
            break
        check(time.time() < deadline, "the live window never slid past segment 0")
        await asyncio.sleep(1)
    check("PLAYLIST-TYPE" not in pl.text, "no PLAYLIST-TYPE while live")
    server.rest_ok("POST", "/v2/meetings/%s/active-livestream/stop" % meeting["id"])
    deadline = time.time() + 30
    while True:
        status, _, body, _ = await aget(url)
        if status == 200 and "#EXT-X-ENDLIST" in body.decode():
            break
        check(time.time() < deadline, "never ended")
        await asyncio.sleep(0.3)
    live_for = time.time() - live_since
    vod = Playlist(body.decode())
    check(vod.has("#EXT-X-PLAYLIST-TYPE:VOD") and vod.has("#EXT-X-MEDIA-SEQUENCE:0"), "VOD playlist:\n" + vod.text)
    check_equal([msn for msn, _, _ in vod.segments], list(range(len(vod.segments))), "every segment from 0")
    check_equal([uri for _, _, uri in vod.segments], ["seg%d.m4s" % i for i in range(len(vod.segments))], "URIs")
    check(len(vod.segments) > 10 and not vod.parts and not vod.has("#EXT-X-PRELOAD-HINT"),
          "%d segments, %d parts" % (len(vod.segments), len(vod.parts)))
    total = sum(d for _, d, _ in vod.segments)
    log("VOD playlist: %d segments, %.3f s (live for %.1f s)" % (len(vod.segments), total, live_for))

    base = url.rsplit("/", 1)[0] + "/"
    status, _, seg0, _ = await aget(base + "seg0.m4s")
    check(status == 200 and len(seg0) > 1000, "seg0.m4s after the end: %d" % status)
    on_disk = os.path.join(server.data_dir, "livestreams", doc["id"], "seg0.m4s")
    check(os.path.exists(on_disk), "%s kept" % on_disk)

    with_tmp = os.path.join(server.data_dir, "vod-copy.mp4")
    run = await asyncio.get_running_loop().run_in_executor(None, lambda: subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", url, "-c", "copy", with_tmp], capture_output=True, text=True,
        timeout=120))
    check(run.returncode == 0, "ffmpeg copy of the VOD playlist: %s" % run.stderr[-500:])
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
                            with_tmp], capture_output=True, text=True)
    duration = float(probe.stdout.strip())
    check(abs(duration - total) < 0.3, "ffmpeg played %.3f s, the playlist lists %.3f s" % (duration, total))
    check(abs(duration - live_for) < 3.0, "ffmpeg played %.3f s of a livestream live for %.1f s"
          % (duration, live_for))
    log("ffmpeg played the VOD to its end: %.3f s" % duration)

    # a restarted server serves the same VOD from disk (vod.m3u8 beside the segments)
    status, _, master, _ = await aget(base + "master.m3u8")
    check_equal(status, 200, "master.m3u8 of the ended VOD livestream")
    await host.close()
    server.restart()
    status, _, again, _ = await aget(url)
    check_equal(status, 200, "the VOD playlist after a restart")
    check_equal(again.decode(), body.decode(), "the VOD playlist after a restart")
    status, _, master_again, _ = await aget(base + "master.m3u8")
    check_equal((status, master_again), (200, master), "master.m3u8 after a restart")
    status, _, seg0_again, _ = await aget(base + "seg0.m4s")
    check(status == 200 and seg0_again == seg0, "seg0.m4s after a restart: %d, %d bytes" % (status, len(seg0_again)))
    status, _, _, _ = await aget(base + "seg0.0.m4s")
    check_equal(status, 404, "a part of the VOD after a restart")
    log("after a restart: the same VOD playlist, master.m3u8 and segments, from disk")


if __name__ == "__main__":
    run_test(main)
