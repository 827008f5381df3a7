#!/usr/bin/python3
"""test_encode_once.py - a meeting recorded and livestreamed at once runs one
companion: one composite and one encode feed both outputs (docs/companions.md
"Encode once").

A host and a participant publish VP8 + Opus from aiortc, in two meetings:
  * recording first: POST /v2/recordings (H.264 1280x720, the default), then
    POST .../livestreams (one 1280x720 rendition): once both run, exactly one
    companion process of this server runs (the process list); the recording
    pauses for ~3 s while the playlist goes on advancing, resumes, and stops:
    UPLOADED, and the livestream goes on (the same process, new segments);
    the MP4 is H.264 1280x720 + AAC lasting the wall time recorded minus the
    pause (10%); init.mp4 + a segment read as H.264 1280x720 + AAC and
    ffmpeg decodes frames from the playback URL; then the livestream stops
    (IDLE, EXT-X-ENDLIST) and the process is gone;
  * livestream first, then the recording: one process again; the livestream
    stops first (IDLE) while the recording goes on (its file grows, the
    process stays); the recording stops: UPLOADED, a valid MP4 of the time
    recorded, whose last seconds still show the participants' pictures
    (the recording took over feeding the companion);
  * a recording with the ACTIVE_SPEAKER layout and a GRID livestream of the
    same meeting: two companions (different pictures are not shared);
  * RTK_ENCODE_ONCE=0 (a second server): the same pair runs two companions.
"""

import asyncio
import os
import tempfile
import time

from rtk_harness import host_and_guest, Server, check, check_equal, log, run_test
from test_livestream import Playlist, aget, check_playlist_tags, media_checks
from test_recording import check_duration, download, ffprobe, gray_frame, streams_by_type, wait_status

MEDIA_TIMEOUT = 20


def companions(server):
    """Pids of this server's rtk-recorder and rtk-hls processes (their
    outputs are under its data directory)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        name = os.path.basename(argv[0].decode(errors="replace"))
        if name in ("rtk-recorder", "rtk-hls") and any(server.data_dir.encode() in a for a in argv):
            pids.append(int(entry))
    return sorted(pids)


async def wait_companions(server, count, timeout=20):
    deadline = time.time() + timeout
    while True:
        pids = companions(server)
        if len(pids) == count or time.time() > deadline:
            return pids
        await asyncio.sleep(0.2)


async def wait_live(server, stream_id, timeout=30):
    deadline = time.time() + timeout
    while True:
        doc = server.rest_ok("GET", "/v2/livestreams/%s" % stream_id)["livestream"]
        if doc["status"] == "LIVE":
            return doc
        check(time.time() < deadline, "livestream %s never went LIVE (%s)" % (stream_id, doc["status"]))
        await asyncio.sleep(0.3)


async def playlist(url):
    status, _, body, _ = await aget(url)
    check_equal(status, 200, "playlist %s" % url)
    return Playlist(body.decode())


async def check_advances(url, seconds, what):
    """The playlist gets at least one new segment within `seconds`."""
    before = (await playlist(url)).next_msn
    deadline = time.time() + seconds
    while (await playlist(url)).next_msn <= before:
        check(time.time() < deadline, "%s: the playlist stayed at msn %d for %.0f s" % (what, before, seconds))
        await asyncio.sleep(0.3)
    log("%s: the playlist advances past msn %d" % (what, before))


async def stop_livestream(server, meeting_id, stream_id, url):
    server.rest_ok("POST", "/v2/meetings/%s/active-livestream/stop" % meeting_id)
    deadline = time.time() + 30
    while server.rest_ok("GET", "/v2/livestreams/%s" % stream_id)["livestream"]["status"] != "IDLE":
        check(time.time() < deadline, "the livestream did not become IDLE")
        await asyncio.sleep(0.3)
    pl = await playlist(url)
    check(pl.has("#EXT-X-ENDLIST"), "EXT-X-ENDLIST after the livestream stopped")


def check_pictures_move(path, first, last, what):
    """The participants' pictures are in the composite between `first` and
    `last` s: some pair of frames 0.5 s apart there differs in more than a
    tenth of its pixels (the aiortc pattern changes colour all the time, a
    placeholder tile never does; two frames may happen to match)."""
    size = 1280 * 720
    changes = []
    at = first
    while at + 0.5 <= last + 1e-6:
        a, b = gray_frame(path, at, 1280, 720), gray_frame(path, at + 0.5, 1280, 720)
        changes.append(sum(1 for x, y in zip(a, b) if abs(x - y) > 8) * 100 // size)
        at += 0.5
    check(max(changes) > 10, "%s: the pictures hardly change (%r %% of the pixels per 0.5 s): participants' "
          "video missing?" % (what, changes))
    log("%s: %r %% of the pixels change per 0.5 s" % (what, changes))


def check_mp4(server, rec, directory, expected, what):
    path = download(server, rec, directory)
    probe = ffprobe(path)
    streams = streams_by_type(probe)
    check_equal((streams["video"]["codec_name"], streams["video"]["width"], streams["video"]["height"]),
                ("h264", 1280, 720), "%s: video stream" % what)
    check_equal(streams["audio"]["codec_name"], "aac", "%s: audio codec" % what)
    check_duration(probe, expected, what)
    return path, float(probe["format"]["duration"])


async def recording_first(server, meeting_id, directory):
    rec = server.rest_ok("POST", "/v2/recordings", {"meeting_id": meeting_id}, statuses=(201,))
    rec = await wait_status(server, rec["id"], ("RECORDING",))
    started = time.time()
    live = server.rest_ok("POST", "/v2/meetings/%s/livestreams" % meeting_id, {"name": "shared"}, statuses=(201,))
    url = live["playback_url"]
    await wait_live(server, live["id"])
    pids = await wait_companions(server, 1)
    check_equal(len(pids), 1, "companions while the meeting is recorded and livestreamed: %r" % pids)
    log("recorded and livestreamed on one companion (pid %d)" % pids[0])
    check_playlist_tags(await playlist(url))

    server.rest_ok("PUT", "/v2/recordings/%s" % rec["id"], {"action": "pause"})
    await wait_status(server, rec["id"], ("PAUSED",))
    paused = time.time()
    await check_advances(url, 10, "recording paused")
    await asyncio.sleep(max(0.0, 3.0 - (time.time() - paused)))
    server.rest_ok("PUT", "/v2/recordings/%s" % rec["id"], {"action": "resume"})
    await wait_status(server, rec["id"], ("RECORDING",))
    pause = time.time() - paused
    await asyncio.sleep(3)
    server.rest_ok("PUT", "/v2/recordings/%s" % rec["id"], {"action": "stop"})
    stopped = time.time()
    rec = await wait_status(server, rec["id"], ("UPLOADED", "ERRORED"))
    check_equal(rec["status"], "UPLOADED", "the shared recording's status")
    check_equal(server.rest_ok("GET", "/v2/livestreams/%s" % live["id"])["livestream"]["status"], "LIVE",
                "the livestream after the recording stopped")
    await check_advances(url, 10, "recording stopped")
    check_equal(companions(server), pids, "the companion after the recording stopped")
    check_mp4(server, rec, directory, stopped - started - pause, "MP4 recorded beside the livestream")

    pl = await playlist(url)
    await media_checks(url, url.rsplit("/", 1)[0] + "/", pl, directory)
    await stop_livestream(server, meeting_id, live["id"], url)
    check_equal(await wait_companions(server, 0), [], "companions once both ended")
    log("recording first: the recording stopped, the livestream went on, then ended with the process")


async def livestream_first(server, meeting_id, directory):
    live = server.rest_ok("POST", "/v2/meetings/%s/livestreams" % meeting_id, {}, statuses=(201,))
    url = live["playback_url"]
    await wait_live(server, live["id"])
    rec = server.rest_ok("POST", "/v2/recordings", {"meeting_id": meeting_id}, statuses=(201,))
    rec = await wait_status(server, rec["id"], ("RECORDING",))
    started = time.time()
    pids = await wait_companions(server, 1)
    check_equal(len(pids), 1, "companions (livestream first): %r" % pids)
    await check_advances(url, 10, "livestream with the recording")
    await stop_livestream(server, meeting_id, live["id"], url)
    check_equal(server.rest_ok("GET", "/v2/recordings/%s" % rec["id"])["status"], "RECORDING",
                "the recording after the livestream stopped")
    check_equal(companions(server), pids, "the companion after the livestream stopped")
    path = os.path.join(server.data_dir, "recordings", rec["output_file_name"])
    size = os.path.getsize(path)
    await asyncio.sleep(3)
    check(os.path.getsize(path) > size, "the recording's file grows after the livestream stopped")
    server.rest_ok("PUT", "/v2/recordings/%s" % rec["id"], {"action": "stop"})
    stopped = time.time()
    rec = await wait_status(server, rec["id"], ("UPLOADED", "ERRORED"))
    check_equal(rec["status"], "UPLOADED", "the recording that outlived the livestream")
    path, duration = check_mp4(server, rec, directory, stopped - started, "MP4 that outlived the livestream")
    # its last seconds, after the livestream (which fed the companion) stopped, still show the cameras
    check_pictures_move(path, duration - 2.6, duration - 0.6, "MP4 after the livestream stopped")
    check_equal(await wait_companions(server, 0), [], "companions once both ended")
    log("livestream first: the livestream stopped, the recording went on and ended the process")


async def meeting_with_media(server, title):
    meeting = server.create_meeting(title=title)
    _, host, guest = await host_and_guest(server, meeting["id"], MEDIA_TIMEOUT)
    return meeting["id"], (host, guest)


async def layouts_differ(server, meeting_id):
    """A recording with the ACTIVE_SPEAKER layout and a GRID livestream of
    the same size: different pictures, so two companions."""
    rec = server.rest_ok("POST", "/v2/recordings", {"meeting_id": meeting_id,
                                                     "video_config": {"layout": "ACTIVE_SPEAKER"}}, statuses=(201,))
    live = server.rest_ok("POST", "/v2/meetings/%s/livestreams" % meeting_id, {}, statuses=(201,))
    await wait_status(server, rec["id"], ("RECORDING",))
    await wait_live(server, live["id"])
    check_equal(len(await wait_companions(server, 2)), 2, "companions of an ACTIVE_SPEAKER recording and a GRID livestream")
    server.rest_ok("PUT", "/v2/recordings/%s" % rec["id"], {"action": "stop"})
    await stop_livestream(server, meeting_id, live["id"], live["playback_url"])
    check_equal(await wait_companions(server, 0), [], "companions once both ended (layouts differ)")
    log("an ACTIVE_SPEAKER recording and a GRID livestream: two companions")


async def sharing_off():
    """RTK_ENCODE_ONCE=0: a recording and a livestream run on two companions."""
    server = Server(env={"RTK_ENCODE_ONCE": "0"}).start()
    meeting_id, clients = await meeting_with_media(server, "Encode twice")
    rec = server.rest_ok("POST", "/v2/recordings", {"meeting_id": meeting_id}, statuses=(201,))
    live = server.rest_ok("POST", "/v2/meetings/%s/livestreams" % meeting_id, {}, statuses=(201,))
    await wait_status(server, rec["id"], ("RECORDING",))
    await wait_live(server, live["id"])
    check_equal(len(await wait_companions(server, 2)), 2, "companions with RTK_ENCODE_ONCE=0")
    log("RTK_ENCODE_ONCE=0: two companions")
    for client in clients:
        await client.close()
    server.stop()


async def main():
    server = Server().start()
    with tempfile.TemporaryDirectory() as directory:
        meeting_id, clients = await meeting_with_media(server, "Recorded and livestreamed")
        await recording_first(server, meeting_id, directory)
        for client in clients:
            await client.close()
        meeting_id, clients = await meeting_with_media(server, "Livestreamed and recorded")
        await livestream_first(server, meeting_id, directory)
        await layouts_differ(server, meeting_id)
        for client in clients:
            await client.close()
    server.stop()
    await sharing_off()


if __name__ == "__main__":
    run_test(main)
