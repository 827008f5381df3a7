#!/usr/bin/python3
"""test_livestream_ladder.py - the livestream's ABR ladder (docs/rest.md
"Livestream playback (LL-HLS)", "ABR ladder").

A host publishes VP8 + Opus from aiortc; POST /v2/meetings/{id}/livestreams
with livestream_viewer_qualities [240, 720, 360] (any order) then:
  * bad qualities are 422 (a duplicate, out of range, not integers, more
    than four, not an array), before anything starts;
  * 201 with playback_url .../master.m3u8;
  * master.m3u8 is a Multivariant Playlist of three variants, highest
    first: 1280x720 (index.m3u8, the playlist existing players keep
    using), 640x360 and 426x240 (../<id>-360p/index.m3u8, ...), each with
    BANDWIDTH and CODECS "avc1.PPCCLL,mp4a.40.2" that match what ffprobe
    reads in that rendition (High profile 0x64, the level);
  * each rendition's media playlist is LL-HLS (parts, a preload hint) with
    an EXT-X-RENDITION-REPORT for each of the two others (URI, LAST-MSN,
    LAST-PART);
  * for segments every rendition has, init.mp4 + the segment is H.264 of
    the rendition's size + AAC, and its first video packet is a keyframe
    at the same time in all three renditions (players switch on segment
    boundaries);
  * ffmpeg plays the 240p rendition through the multivariant playlist;
  * after the stop every rendition's playlist ends with EXT-X-ENDLIST.
"""

import asyncio
import json
import os
import re
import subprocess
import tempfile
import time
import urllib.parse

from rtk_harness import RtkClient, Server, check, check_equal, log, run_test
from test_livestream import Playlist, aget, attributes

MEDIA_TIMEOUT = 20
SIZES = [(1280, 720), (640, 360), (426, 240)]


def variants_of(text):
    """[(attributes, uri)] of a multivariant playlist."""
    lines = text.splitlines()
    out = []
    for i, line in enumerate(lines):
        if line.startswith("#EXT-X-STREAM-INF:"):
            out.append((attributes(line), lines[i + 1]))
    return out


def probe(path):
    """ffprobe's streams of a file: [dict]."""
    result = subprocess.run(["ffprobe", "-v", "error", "-show_entries",
                             "stream=codec_name,width,height,profile,level", "-of", "json", path],
                            capture_output=True, text=True)
    return json.loads(result.stdout or "{}").get("streams", [])


def first_video_packet(path):
    """(pts_time, flags) of the first video packet."""
    result = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries",
                             "packet=pts_time,flags", "-read_intervals", "%+#1", "-of", "csv=p=0", path],
                            capture_output=True, text=True)
    first = result.stdout.split()[0].split(",")
    return float(first[0]), first[1]


async def bad_qualities(server, meeting_id):
    for body in ({"livestream_viewer_qualities": [720, 720]}, {"livestream_viewer_qualities": [100]},
                 {"livestream_viewer_qualities": [1440]}, {"livestream_viewer_qualities": ["720"]},
                 {"livestream_viewer_qualities": [720.5]}, {"livestream_viewer_qualities": 720},
                 {"livestream_viewer_qualities": []},
                 {"livestream_viewer_qualities": [1080, 720, 480, 360, 240]}):
        status, reply = server.rest("POST", "/v2/meetings/%s/livestreams" % meeting_id, body)
        check_equal(status, 422, "qualities %r" % body)
        check("livestream_viewer_qualities" in server.last_text, "the error names the field: %s" % server.last_text)
    log("bad livestream_viewer_qualities: 422")


async def wait_segments(url, count):
    deadline = time.time() + 40
    while True:
        status, _, body, _ = await aget(url)
        check_equal(status, 200, url)
        pl = Playlist(body.decode())
        if len(pl.segments) >= count:
            return pl
        check(time.time() < deadline, "%s: %d segments after 40 s" % (url, len(pl.segments)))
        await asyncio.sleep(0.5)


async def check_ladder(server, meeting_id, directory):
    doc = server.rest_ok("POST", "/v2/meetings/%s/livestreams" % meeting_id,
                         {"name": "ladder", "livestream_viewer_qualities": [240, 720, 360]}, statuses=(201,))
    master_url = doc["playback_url"]
    check(master_url.endswith("/hls/%s/master.m3u8" % doc["id"]), "playback_url %r" % master_url)
    deadline = time.time() + 30
    while server.rest_ok("GET", "/v2/livestreams/%s" % doc["id"])["livestream"]["status"] != "LIVE":
        check(time.time() < deadline, "the ladder livestream never went LIVE")
        await asyncio.sleep(0.3)
    status, headers, body, _ = await aget(master_url)
    check_equal(status, 200, "master.m3u8")
    check_equal(headers.get("Content-Type"), "application/vnd.apple.mpegurl", "master.m3u8 content type")
    text = body.decode()
    check(text.startswith("#EXTM3U\n") and "#EXT-X-INDEPENDENT-SEGMENTS" in text, "multivariant:\n" + text)
    variants = variants_of(text)
    sid = doc["id"]
    check_equal([uri for _, uri in variants],
                ["index.m3u8", "../%s-360p/index.m3u8" % sid, "../%s-240p/index.m3u8" % sid], "variant URIs")
    check_equal([a["RESOLUTION"] for a, _ in variants], ["%dx%d" % s for s in SIZES], "RESOLUTIONs")
    bandwidths = [int(a["BANDWIDTH"]) for a, _ in variants]
    check(bandwidths == sorted(bandwidths, reverse=True) and bandwidths[-1] > 128000, "BANDWIDTH %r" % bandwidths)
    log("master.m3u8:\n" + text)

    urls = [urllib.parse.urljoin(master_url, uri) for _, uri in variants]
    playlists = [await wait_segments(url, 2) for url in urls]
    for i, (url, pl) in enumerate(zip(urls, playlists)):
        check(pl.parts and pl.has("#EXT-X-PRELOAD-HINT:TYPE=PART"), "%s: parts and a preload hint" % url)
        reports = [attributes(line) for line in pl.lines if line.startswith("#EXT-X-RENDITION-REPORT:")]
        reported = sorted(urllib.parse.urljoin(url, r["URI"].strip('"')) for r in reports)
        check_equal(reported, sorted(u for j, u in enumerate(urls) if j != i), "%s: rendition reports" % url)
        for r in reports:
            check(int(r["LAST-MSN"]) >= pl.segments[-1][0] - 1 and int(r["LAST-PART"]) >= 0,
                  "%s: report %r near the playlist's end (msn %d)" % (url, r, pl.segments[-1][0]))
    log("media playlists: parts, preload hints, two rendition reports each")

    # segments every rendition has: the same keyframe time
    common = sorted(set.intersection(*[{msn for msn, _, _ in pl.segments} for pl in playlists]))
    check(len(common) >= 1, "a segment in every rendition")
    for msn in common[-2:]:
        times = []
        for i, (url, pl) in enumerate(zip(urls, playlists)):
            base = url.rsplit("/", 1)[0] + "/"
            status, _, init, _ = await aget(base + "init.mp4")
            status2, _, seg, _ = await aget(base + "seg%d.m4s" % msn)
            check(status == 200 and status2 == 200, "%s: init and segment %d (%d, %d)" % (url, msn, status, status2))
            path = os.path.join(directory, "r%d-%d.mp4" % (i, msn))
            with open(path, "wb") as out:
                out.write(init + seg)
            streams = probe(path)
            video = [s for s in streams if s.get("codec_name") == "h264"]
            check(len(video) == 1 and (video[0]["width"], video[0]["height"]) == SIZES[i]
                  and any(s.get("codec_name") == "aac" for s in streams),
                  "rendition %d segment %d: %r" % (i, msn, streams))
            codecs = variants[i][0]["CODECS"].strip('"')
            m = re.fullmatch(r"avc1\.([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2}),mp4a\.40\.2", codecs)
            check(m is not None and int(m.group(1), 16) == 100 and video[0].get("profile") == "High"
                  and int(m.group(3), 16) == video[0].get("level"),
                  "CODECS %s vs ffprobe %r" % (codecs, video[0]))
            pts, flags = first_video_packet(path)
            check(flags.startswith("K"), "rendition %d segment %d starts with a keyframe (%s)" % (i, msn, flags))
            times.append(pts)
        check(max(times) - min(times) < 0.001, "segment %d keyframe times %r" % (msn, times))
        log("segment %d: 1280x720, 640x360, 426x240, keyframes at %.3f s" % (msn, times[0]))
    await check_measured_bandwidth(master_url, urls, playlists)

    frames = await asyncio.get_running_loop().run_in_executor(None, lambda: subprocess.run(
        ["ffmpeg", "-v", "error", "-i", master_url, "-t", "2", "-map", "0:v:2", "-f", "framemd5", "-"],
        capture_output=True, text=True, timeout=60))
    decoded = [line for line in frames.stdout.splitlines() if line and not line.startswith("#")]
    check(len(decoded) >= 25, "ffmpeg decoded %d frames of the 240p variant: %s" % (len(decoded), frames.stderr[-300:]))
    log("ffmpeg played the 240p variant from master.m3u8: %d frames" % len(decoded))

    check_equal(server.rest_ok("POST", "/v2/meetings/%s/active-livestream/stop" % meeting_id),
                {"message": "Stopped live stream successfully"}, "stop")
    for url in urls:
        deadline = time.time() + 30
        while True:
            status, _, body, _ = await aget(url)
            if status == 200 and "#EXT-X-ENDLIST" in body.decode():
                break
            check(time.time() < deadline, "%s never ended (%d)" % (url, status))
            await asyncio.sleep(0.3)
        check("RENDITION-REPORT" not in body.decode(), "no rendition reports once ended")
    log("stopped: every rendition ends with EXT-X-ENDLIST")


async def check_measured_bandwidth(master_url, urls, playlists):
    """Once segments exist, every variant declares the AVERAGE-BANDWIDTH its
    segments measured, and a BANDWIDTH no segment exceeds (the HLS rule:
    BANDWIDTH is the peak segment bit rate); checked on the segments the
    playlists listed, each fetched and sized here."""
    rates = []
    for url, pl in zip(urls, playlists):
        peak = 0
        for msn, duration, uri in pl.segments:
            status, _, seg, _ = await aget(urllib.parse.urljoin(url, uri))
            if status == 200:   # a segment trimmed meanwhile is skipped
                peak = max(peak, len(seg) * 8 / duration)
        rates.append(peak)
    status, _, body, _ = await aget(master_url)
    check_equal(status, 200, "master.m3u8 once segments exist")
    for (attrs, uri), peak in zip(variants_of(body.decode()), rates):
        check("AVERAGE-BANDWIDTH" in attrs and 0 < int(attrs["AVERAGE-BANDWIDTH"]) <= int(attrs["BANDWIDTH"]),
              "%s: AVERAGE-BANDWIDTH and BANDWIDTH %r" % (uri, attrs))
        check(peak > 0 and peak <= int(attrs["BANDWIDTH"]) * 1.01,
              "%s: a segment of %.0f bit/s over BANDWIDTH %s" % (uri, peak, attrs["BANDWIDTH"]))
    log("master.m3u8 measured: %s" % ", ".join("%s/%s (segments' peak %.0f)" % (a["BANDWIDTH"], a["AVERAGE-BANDWIDTH"], r)
                                              for (a, _), r in zip(variants_of(body.decode()), rates)))


async def main():
    server = Server().start()
    meeting = server.create_meeting(title="Ladder")
    rest = server.add_participant(meeting["id"], "Host", "group_call_host")
    host = RtkClient(server, "host")
    await host.join(rest["token"])
    await host.publish()
    await bad_qualities(server, meeting["id"])
    with tempfile.TemporaryDirectory() as directory:
        await check_ladder(server, meeting["id"], directory)


if __name__ == "__main__":
    run_test(main)
