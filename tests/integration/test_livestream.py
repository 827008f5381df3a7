#!/usr/bin/python3
"""test_livestream.py - the LL-HLS livestream, over the SDK side and REST.

Owns the livestream end to end (docs/protocol.md "Livestream", docs/rest.md
"Livestreams" and "Livestream playback"): a host (group_call_host) and a
participant publish VP8 + Opus from aiortc, and:
  * livestream.start by the participant (no can_livestream) is refused with
    0902; by the host it answers STARTING with a playbackUrl, and everyone
    gets livestreamUpdate STARTING then LIVESTREAMING; a second start is 1901;
  * the live playlist has the tags of Apple's LL-HLS with the values the
    spec requires (version, target duration, server control with
    CAN-BLOCK-RELOAD, PART-HOLD-BACK >= 3 x PART-TARGET, CAN-SKIP-UNTIL,
    part target <= 0.5 s, the map, parts with INDEPENDENT on each segment's
    first part, a preload hint); every part is at most the part target and
    each segment starts with an independent part;
  * a player reading it with blocking reload (_HLS_msn/_HLS_part of the next
    part) gets a playlist holding that part each time, never a 503; a
    request for the preload-hinted part is held until the part exists and
    then served;
  * init.mp4 + a whole segment is H.264 + AAC that ffprobe reads, and
    ffmpeg decodes frames from the playback URL itself;
  * bad _HLS_ parameters give 400 (part without msn, not a number, an msn
    too far ahead); _HLS_skip=YES replaces old segments with EXT-X-SKIP once
    the playlist is long enough;
  * the player counts as a viewer: the host gets viewerCountUpdate 1;
  * livestream.stop: livestreamUpdate STOPPING then IDLE, the playlist ends
    with EXT-X-ENDLIST, REST shows it IDLE;
  * over REST: POST /v2/meetings/{id}/livestreams (201, playback_url), 409
    while one runs, GET active-livestream, POST active-livestream/stop
    ({message}, as the reference), and the livestreaming.statusUpdate
    webhooks INVOKED -> LIVE -> OFFLINE (the sessions and the list are
    test_recordings_parity.py's);
  * live_stream_on_start: the livestream starts with the session and stops
    when the last participant leaves.
"""

import asyncio
import http.client
import os
import re
import subprocess
import tempfile
import time
import urllib.parse

from rtk_harness import RtkClient, host_and_guest, Server, WebhookReceiver, check, check_equal, log, run_test

MEDIA_TIMEOUT = 20
UA = "rtk-test-player/1"


def http_get(url, timeout=15):
    """(status, headers, body bytes, seconds taken) of a GET."""
    parts = urllib.parse.urlsplit(url)
    started = time.time()
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("GET", parts.path + ("?" + parts.query if parts.query else ""),
                           headers={"User-Agent": UA})
        response = connection.getresponse()
        body = response.read()
        return response.status, dict(response.getheaders()), body, time.time() - started
    finally:
        connection.close()


async def aget(url, timeout=15):
    """http_get in a thread, so the aiortc clients keep sending meanwhile."""
    return await asyncio.get_running_loop().run_in_executor(None, http_get, url, timeout)


def attributes(line):
    return dict(re.findall(r'([A-Z0-9-]+)=("[^"]*"|[^,]*)', line.split(":", 1)[1]))


class Playlist:
    def __init__(self, text):
        self.text = text
        self.lines = text.splitlines()
        self.parts = []        # (msn, part index, duration, independent, uri)
        self.segments = []     # (msn, duration, uri)
        self.tags = {}
        msn = None
        part_index = 0
        duration = None
        for line in self.lines:
            if line.startswith("#EXT-X-MEDIA-SEQUENCE:"):
                msn = int(line.split(":")[1])
            elif line.startswith("#EXT-X-SKIP:"):
                msn += int(attributes(line)["SKIPPED-SEGMENTS"])
            elif line.startswith("#EXT-X-PART:"):
                a = attributes(line)
                self.parts.append((msn, part_index, float(a["DURATION"]), a.get("INDEPENDENT") == "YES",
                                   a["URI"].strip('"')))
                part_index += 1
            elif line.startswith("#EXTINF:"):
                duration = float(line.split(":")[1].rstrip(","))
            elif line and not line.startswith("#"):
                self.segments.append((msn, duration, line))
                msn += 1
                part_index = 0
            if line.startswith("#EXT") and ":" in line:
                self.tags.setdefault(line.split(":")[0], line)
        self.next_msn = msn

    def has(self, tag):
        return any(line.startswith(tag) for line in self.lines)

    def attrs(self, tag):
        return attributes(self.tags[tag])


def check_playlist_tags(pl):
    check(pl.lines[0] == "#EXTM3U", "playlist starts with #EXTM3U: %r" % pl.lines[:1])
    version = int(pl.tags["#EXT-X-VERSION"].split(":")[1])
    check(version >= 6, "EXT-X-VERSION %d (parts need >= 6... the spec's LL-HLS needs 9 for skip)" % version)
    target = int(pl.tags["#EXT-X-TARGETDURATION"].split(":")[1])
    server_control = pl.attrs("#EXT-X-SERVER-CONTROL")
    part_target = float(pl.attrs("#EXT-X-PART-INF")["PART-TARGET"])
    check_equal(server_control.get("CAN-BLOCK-RELOAD"), "YES", "CAN-BLOCK-RELOAD")
    check(float(server_control["PART-HOLD-BACK"]) >= 3 * part_target - 1e-9,
          "PART-HOLD-BACK %s >= 3 x PART-TARGET %s" % (server_control["PART-HOLD-BACK"], part_target))
    check(float(server_control["CAN-SKIP-UNTIL"]) >= 6 * target, "CAN-SKIP-UNTIL >= 6 x target duration")
    check(0 < part_target <= 0.5, "PART-TARGET %s within 0..0.5 s" % part_target)
    check('URI="init.mp4"' in pl.tags["#EXT-X-MAP"], "EXT-X-MAP names init.mp4")
    check(pl.has("#EXT-X-PRELOAD-HINT:TYPE=PART"), "a preload hint for the next part")
    check(pl.parts, "parts are listed")
    for msn, index, duration, independent, uri in pl.parts:
        check(duration <= part_target + 1e-6, "part %d.%d lasts %.3f s > PART-TARGET" % (msn, index, duration))
        if index == 0:
            check(independent, "the first part of segment %d is INDEPENDENT" % msn)
    for msn, duration, uri in pl.segments:
        check(round(duration) <= target, "segment %d lasts %.3f s, more than the target %d" % (msn, duration, target))
    return part_target, target


async def blocking_reloads(base, pl, count):
    """Asks each time for the part after the last one listed; the answer
    must list it."""
    waits = []
    for _ in range(count):
        msn, index = pl.parts[-1][0], pl.parts[-1][1]
        status, _, body, took = await aget("%s?_HLS_msn=%d&_HLS_part=%d" % (base, msn, index + 1))
        check_equal(status, 200, "blocking reload for part %d.%d" % (msn, index + 1))
        pl = Playlist(body.decode())
        want = [(m, i) for m, i, *_ in pl.parts]
        check((msn, index + 1) in want or (msn + 1, 0) in want,
              "the blocked playlist lists part %d.%d or %d.0: %r" % (msn, index + 1, msn + 1, want[-3:]))
        waits.append(took)
    waits.sort()
    log("blocking reload: %d parts, wait median %.3f s, max %.3f s" % (count, waits[len(waits) // 2], waits[-1]))
    return pl


async def preload_hint(base_dir_url, pl):
    hint = [line for line in pl.lines if line.startswith("#EXT-X-PRELOAD-HINT")][-1]
    uri = attributes(hint)["URI"].strip('"')
    status, headers, body, took = await aget(base_dir_url + uri)
    check_equal(status, 200, "the preload-hinted part %s" % uri)
    check(len(body) > 100 and body[4:8] in (b"moof", b"styp"), "the hinted part is a fragment (%r)" % body[:8])
    log("preload hint %s held %.3f s, then %d bytes" % (uri, took, len(body)))


async def media_checks(url, base_dir_url, pl, directory):
    status, _, init, _ = await aget(base_dir_url + "init.mp4")
    check_equal(status, 200, "init.mp4")
    msn, _, uri = pl.segments[-1]
    status, _, segment, _ = await aget(base_dir_url + uri)
    check_equal(status, 200, "segment %s" % uri)
    path = os.path.join(directory, "seg.mp4")
    with open(path, "wb") as out:
        out.write(init + segment)
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width,height",
                            "-of", "csv=p=0", path], capture_output=True, text=True)
    codecs = probe.stdout.split()
    check(any(c.startswith("h264,1280,720") for c in codecs) and "aac" in codecs,
          "init + segment %d: %r %s" % (msn, codecs, probe.stderr))
    frames = await asyncio.get_running_loop().run_in_executor(None, lambda: subprocess.run(
        ["ffmpeg", "-v", "error", "-i", url, "-t", "3", "-map", "0:v", "-f", "framemd5", "-"],
        capture_output=True, text=True, timeout=60))
    decoded = [line for line in frames.stdout.splitlines() if line and not line.startswith("#")]
    check(len(decoded) >= 25, "ffmpeg decoded %d frames from the playback URL: %s" % (len(decoded), frames.stderr[-300:]))
    log("ffmpeg played the playback URL: %d frames" % len(decoded))


async def bad_requests(base, pl):
    for query, what in (("_HLS_part=1", "part without msn"), ("_HLS_msn=abc", "msn not a number"),
                        ("_HLS_msn=-1", "negative msn"),
                        ("_HLS_msn=%d" % (pl.next_msn + 5), "msn far ahead")):
        status, _, body, _ = await aget("%s?%s" % (base, query))
        check_equal(status, 400, "%s (%s)" % (what, query))
    log("bad _HLS_ parameters: 400")


async def skip(base, pl, target):
    deadline = time.time() + 40
    while time.time() < deadline:
        status, _, body, _ = await aget(base + "?_HLS_skip=YES")
        check_equal(status, 200, "_HLS_skip=YES")
        skipped = Playlist(body.decode())
        if skipped.has("#EXT-X-SKIP"):
            n = int(attributes(skipped.tags["#EXT-X-SKIP"])["SKIPPED-SEGMENTS"])
            check(n > 0 and len(skipped.segments) < n + len(skipped.segments), "SKIPPED-SEGMENTS %d" % n)
            log("delta update: %d segments skipped, %d listed" % (n, len(skipped.segments)))
            return
        await asyncio.sleep(1)
    raise AssertionError("no EXT-X-SKIP after 40 s of livestream")


async def wait_status_update(client, status):
    return await client.wait_event("livestreamUpdate", where=lambda e: e.data.get("status") == status, timeout=30)


async def rest_viewer_count(server, stream_id):
    """The REST documents count the player too, as active-livestream does."""
    deadline = time.time() + 10
    while True:
        doc = server.rest_ok("GET", "/v2/livestreams/%s" % stream_id)["livestream"]
        listed = [d for d in server.rest_ok("GET", "/v2/meetings/%s/livestreams" % doc["meeting_id"])
                  if d["id"] == stream_id]
        if doc.get("viewer_count", 0) >= 1 and listed and listed[0].get("viewer_count", 0) >= 1:
            break
        check(time.time() < deadline, "viewer_count stays %r on GET /v2/livestreams/{id} and %r in the "
              "meeting's list while a player watches" % (doc.get("viewer_count"), listed and listed[0].get("viewer_count")))
        await asyncio.sleep(0.3)
    log("REST shows the viewer: viewer_count %d" % doc["viewer_count"])


async def sdk_livestream(server, host, guest, directory):
    await guest.refused({"request": "livestream.start"}, "0902")
    await host.refused({"request": "livestream.stop"}, "1902")
    reply = await host.control({"request": "livestream.start"})
    url = reply.data["livestream"]["playbackUrl"]
    check(url.endswith("/index.m3u8") and "/hls/" in url, "playbackUrl %s" % url)
    await wait_status_update(guest, "STARTING")
    live = await wait_status_update(guest, "LIVESTREAMING")
    check_equal(live.data["playbackUrl"], url, "playbackUrl in livestreamUpdate")
    await host.refused({"request": "livestream.start"}, "1901")
    base_dir_url = url.rsplit("/", 1)[0] + "/"

    status, headers, body, _ = await aget(url)
    check_equal(status, 200, "playlist")
    check("mpegurl" in headers.get("Content-Type", "").lower(), "playlist content type %r" % headers.get("Content-Type"))
    pl = Playlist(body.decode())
    part_target, target = check_playlist_tags(pl)
    log("playlist: PART-TARGET %.3f, target duration %d, %d parts listed" % (part_target, target, len(pl.parts)))
    pl = await blocking_reloads(url, pl, 15)
    await preload_hint(base_dir_url, pl)
    await host.wait_event("viewerCountUpdate", where=lambda e: e.data.get("viewerCount", 0) >= 1, timeout=15)
    log("the host sees the player as a viewer")
    await rest_viewer_count(server, url.rsplit("/", 2)[-2])
    await bad_requests(url, pl)
    # Wait for a complete segment, then check the media.
    while not Playlist((await aget(url))[2].decode()).segments:
        await asyncio.sleep(0.5)
    await media_checks(url, base_dir_url, Playlist((await aget(url))[2].decode()), directory)
    await skip(url, pl, target)

    # Stop while a segment is in progress (parts of it listed, no EXTINF yet).
    while True:
        pl = Playlist((await aget(url))[2].decode())
        in_progress = [p for p in pl.parts if p[0] == pl.next_msn]
        if in_progress:
            break
        await asyncio.sleep(0.1)
    await host.control({"request": "livestream.stop"})
    await wait_status_update(guest, "STOPPING")
    await wait_status_update(guest, "IDLE")
    status, _, body, _ = await aget(url)
    check(status == 200 and "#EXT-X-ENDLIST" in body.decode(), "ENDLIST after stop (%d)" % status)
    check("#EXT-X-PRELOAD-HINT" not in body.decode(), "no preload hint after the end")
    # docs/rest.md: the segment in progress at the stop is kept, closed with
    # the media it has (at least the parts a player was shown).
    ended = Playlist(body.decode())
    last = [seg for seg in ended.segments if seg[0] == pl.next_msn]
    seen = sum(p[2] for p in in_progress)
    check(len(last) == 1 and last[0][1] >= seen - 0.002,
          "segment %d, in progress at the stop with %.3f s of parts: %r in the ended playlist"
          % (pl.next_msn, seen, last))
    status, _, data, _ = await aget(base_dir_url + last[0][2])
    check(status == 200 and len(data) > 0, "the last segment is served (%d, %d bytes)" % (status, len(data)))
    log("segment %d, in progress at the stop (%.3f s of parts), kept as the last segment of %.3f s"
        % (last[0][0], seen, last[0][1]))
    stream_id = url.rsplit("/", 2)[-2]
    doc = server.rest_ok("GET", "/v2/livestreams/%s" % stream_id)["livestream"]
    check_equal(doc["status"], "IDLE", "REST status after stop")
    log("stopped: EXT-X-ENDLIST, status IDLE")


async def rest_livestream(server, meeting_id, hooks):
    doc = server.rest_ok("POST", "/v2/meetings/%s/livestreams" % meeting_id, {"name": "rest"}, statuses=(201,))
    check(doc["playback_url"].endswith("/index.m3u8") and doc["status"] == "INVOKED", "REST start: %r" % doc)
    check_equal(server.rest_ok("GET", "/v2/livestreams/%s" % doc["id"])["livestream"]["id"], doc["id"],
                "GET right after POST")
    check_equal(server.rest("POST", "/v2/meetings/%s/livestreams" % meeting_id, {})[0], 409, "second start")
    deadline = time.time() + 30
    while server.rest_ok("GET", "/v2/meetings/%s/active-livestream" % meeting_id)["status"] != "LIVE":
        check(time.time() < deadline, "REST livestream never became LIVE")
        await asyncio.sleep(0.3)
    check_equal(server.rest_ok("POST", "/v2/meetings/%s/active-livestream/stop" % meeting_id),
                {"message": "Stopped live stream successfully"}, "the reference's stop answer")
    await hooks.wait(lambda: [d["status"] for d in hooks.deliveries
                              if d["event"] == "livestreaming.statusUpdate" and d["streamId"] == doc["id"]]
                     == ["INVOKED", "LIVE", "OFFLINE"], "livestreaming.statusUpdate INVOKED -> LIVE -> OFFLINE", 30)
    check_equal(server.rest("POST", "/v2/meetings/%s/active-livestream/stop" % meeting_id)[0], 409, "stop again")
    log("REST livestream: 201, 409, LIVE, stopped; webhooks INVOKED -> LIVE -> OFFLINE")


async def on_start(server):
    """live_stream_on_start starts the livestream with the live session; it
    stops when the last participant leaves."""
    meeting = server.create_meeting(title="Live on start", live_stream_on_start=True)
    rest = server.add_participant(meeting["id"], "Solo", "group_call_participant")
    solo = RtkClient(server, "solo")
    joined = await solo.join(rest["token"])
    check_equal(joined["livestream"]["status"], "STARTING", "roomJoined livestream status")
    stream_id = joined["livestream"]["id"]
    await solo.publish()
    deadline = time.time() + 30
    while server.rest_ok("GET", "/v2/livestreams/%s" % stream_id)["livestream"]["status"] != "LIVE":
        check(time.time() < deadline, "live_stream_on_start never went LIVE")
        await asyncio.sleep(0.3)
    await solo.leave()
    deadline = time.time() + 30
    while True:
        doc = server.rest_ok("GET", "/v2/livestreams/%s" % stream_id)["livestream"]
        if doc["status"] != "LIVE":
            break
        check(time.time() < deadline, "the livestream did not stop when everyone left")
        await asyncio.sleep(0.3)
    check_equal((doc["status"], doc["start_reason"], doc["stop_reason"]),
                ("IDLE", {"reason": "LIVE_STREAM_ON_START"}, {"reason": "ALL_PEERS_LEFT"}),
                "live_stream_on_start livestream")
    log("live_stream_on_start: on air with the session, IDLE when everyone left")


async def main():
    server = Server().start()
    hooks = WebhookReceiver()
    hook = server.rest_ok("POST", "/v2/webhooks", {"name": "test", "url": hooks.url,
                                                   "events": ["livestreaming.statusUpdate"]}, statuses=(201,))
    hooks.secret = hook["secret"]
    meeting = server.create_meeting(title="Livestream")
    _, host, guest = await host_and_guest(server, meeting["id"], MEDIA_TIMEOUT)
    with tempfile.TemporaryDirectory() as directory:
        await sdk_livestream(server, host, guest, directory)
    await rest_livestream(server, meeting["id"], hooks)
    await on_start(server)


if __name__ == "__main__":
    run_test(main)
