#!/usr/bin/python3
"""test_track_recording.py - per-track recordings (docs/rest.md "Per-track
recordings", docs/companions.md "Per-track recordings").

Three participants publish VP8 + Opus from aiortc, each a picture of one
solid colour: Ada and Bob from the start, Cy joins once the recording runs,
Ada leaves before it stops. POST /v2/recordings/track (the reference's
{meeting_id, layers: {default: {file_name_prefix, outputs}}}) answers 200
with {recording}; a pause of ~2 s and a resume; PUT stop. Then:
  * the recording is UPLOADED and its tracks are exactly six files (each
    participant's audio and video), named after its custom participant id
    (ada@example.com: trk_ada-example.com_video_1.webm),
    and those are the only files in its directory;
  * each downloads from its signed download_url with no API key (bytes =
    file_size), with the API key on the unsigned path, and not at all with
    a changed signature (403) or without credentials (401);
  * ffprobe reads each: opus / vp8, lasting the time that participant
    published while the recording ran, the pause left out (15%, 1.5 s);
    a video file's pictures are that participant's colour;
  * recording.statusUpdate webhooks carry it to UPLOADED, the last one with
    recordingType TRACK, no downloadUrl and the files with their sizes;
  * bad bodies answer 422 (layer name, STORAGE_CONFIG output, user_ids,
    max_seconds, meeting id), an unknown meeting 404, a second track
    recording while one runs 409; user_ids limits a second recording to
    one participant's audio ("audio" layer).
"""

import asyncio
import os
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import rtk_harness
from rtk_harness import RtkClient, Server, WebhookReceiver, check, check_equal, log, run_test
from test_recording import ffprobe, streams_by_type, wait_status

MEDIA_TIMEOUT = 20
COLOURS = {"ada": (220, 40, 40), "bob": (40, 40, 220), "cy": (40, 200, 40)}


def solid_tracks(colour):
    """make_tracks() with a picture of one colour instead of the pattern."""
    import av
    import numpy
    from aiortc import VideoStreamTrack
    _, audio = rtk_harness.original_make_tracks()

    class SolidVideoTrack(VideoStreamTrack):
        async def recv(self):
            pts, time_base = await self.next_timestamp()
            image = numpy.empty((240, 320, 3), dtype=numpy.uint8)
            image[:, :] = colour
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = pts
            frame.time_base = time_base
            return frame

    return SolidVideoTrack(), audio


async def publish_in(client, colour):
    """Publishes the client with a solid `colour` picture and a tone."""
    rtk_harness.make_tracks = lambda: solid_tracks(colour)
    try:
        await client.publish()
    finally:
        rtk_harness.make_tracks = rtk_harness.original_make_tracks


def mean_colour(path, at):
    out = subprocess.run(["ffmpeg", "-v", "error", "-ss", "%.2f" % at, "-i", path, "-frames:v", "1",
                          "-vf", "scale=32:24", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         capture_output=True, check=False)
    check(out.returncode == 0 and len(out.stdout) == 32 * 24 * 3,
          "cannot decode a frame at %.2f s of %s: %s" % (at, path, out.stderr.decode(errors="replace")))
    n = 32 * 24
    return tuple(sum(out.stdout[i::3]) // n for i in range(3))


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def bad_bodies(server, meeting_id):
    path = "/v2/recordings/track"
    cases = [
        ({"meeting_id": meeting_id, "layers": {"everything": {}}}, 422, "unknown layer name"),
        ({"meeting_id": meeting_id, "layers": {}}, 422, "no layer"),
        ({"meeting_id": meeting_id, "layers": "default"}, 422, "layers not an object"),
        ({"meeting_id": meeting_id, "layers": {"default": {"outputs": [{"type": "STORAGE_CONFIG",
                                                                       "storage_config": {"type": "aws"}}]}}},
         422, "STORAGE_CONFIG output"),
        ({"meeting_id": meeting_id, "layers": {"default": {"outputs": [{"type": "FTP"}]}}}, 422, "output type"),
        ({"meeting_id": meeting_id, "layers": {"default": {"file_name_prefix": "../x"}}}, 422, "prefix"),
        ({"meeting_id": meeting_id, "user_ids": "ada"}, 422, "user_ids not an array"),
        ({"meeting_id": meeting_id, "user_ids": []}, 422, "empty user_ids"),
        ({"meeting_id": meeting_id, "user_ids": [7]}, 422, "user_ids of numbers"),
        ({"meeting_id": meeting_id, "max_seconds": 0}, 422, "max_seconds 0"),
        ({"meeting_id": meeting_id, "max_seconds": "ten"}, 422, "max_seconds text"),
        ({"meeting_id": meeting_id, "max_seconds": True}, 422, "max_seconds boolean"),
        ({"meeting_id": "nope"}, 422, "bad meeting id"),
        ({}, 422, "no meeting id"),
        ({"meeting_id": "00000000-0000-4000-8000-000000000000"}, 404, "unknown meeting"),
    ]
    for body, status, what in cases:
        check_equal(server.rest("POST", path, body)[0], status, "POST %s: %s" % (path, what))
    check_equal(server.rest("POST", path, raw=b"{not json")[0], 400, "POST %s: malformed JSON" % path)
    check_equal(server.rest("POST", path, {"meeting_id": meeting_id}, auth=None)[0], 401,
                "POST %s without credentials" % path)


def check_file(path, track, expected, what):
    probe = ffprobe(path)
    streams = streams_by_type(probe)
    check_equal(list(streams), ["audio" if track["kind"] == "audio" else "video"], "%s: streams" % what)
    stream = next(iter(streams.values()))
    check_equal(stream["codec_name"], "opus" if track["kind"] == "audio" else "vp8", "%s: codec" % what)
    duration = float(probe["format"]["duration"])
    check(abs(duration - expected) <= max(1.5, 0.15 * expected),
          "%s: lasts %.2f s, the participant published %.2f s of it" % (what, duration, expected))
    log("%s: %s %.2f s (published %.2f s)" % (what, stream["codec_name"], duration, expected))
    return duration


async def main():
    rtk_harness.original_make_tracks = rtk_harness.make_tracks
    server = Server().start()
    hooks = WebhookReceiver()
    hook = server.rest_ok("POST", "/v2/webhooks", {"name": "tracks", "url": hooks.url,
                                                   "events": ["recording.statusUpdate"]}, statuses=(201,))
    hooks.secret = hook["secret"]
    meeting = server.create_meeting(title="Tracks")
    rests = {name: server.add_participant(meeting["id"], name.capitalize(), "group_call_host")
             for name in ("ada", "bob", "cy")}
    clients = {name: RtkClient(server, name) for name in rests}
    check_equal(server.rest("POST", "/v2/recordings/track", {"meeting_id": meeting["id"]})[0], 409,
                "a track recording of a meeting nobody is in")
    for name in ("ada", "bob"):
        await clients[name].join(rests[name]["token"])
        await publish_in(clients[name], COLOURS[name])
    await clients["bob"].subscribe(rests["bob"]["token"])
    await clients["bob"].wait_frames(clients["ada"].peer_id, 30, 50, MEDIA_TIMEOUT)
    bad_bodies(server, meeting["id"])

    started = server.rest_ok("POST", "/v2/recordings/track", {
        "meeting_id": meeting["id"],
        "layers": {"default": {"file_name_prefix": "trk", "outputs": [{"type": "REALTIMEKIT_BUCKET"}]}}},
        statuses=(200,))
    rec = started["recording"]
    check_equal((rec["status"], rec["download_url"], rec["recording_type"]), ("INVOKED", None, "TRACK"),
                "a new track recording")
    check_equal(server.rest("POST", "/v2/recordings/track", {"meeting_id": meeting["id"]})[0], 409,
                "a second track recording while one runs")
    rec = await wait_status(server, rec["id"], ("RECORDING",))
    t0 = time.time()
    check_equal(sorted((t["custom_participant_id"], t["kind"]) for t in rec["tracks"]),
                [("ada@example.com", "audio"), ("ada@example.com", "video"),
                 ("bob@example.com", "audio"), ("bob@example.com", "video")], "tracks of a running recording")
    await asyncio.sleep(3)
    await clients["cy"].join(rests["cy"]["token"])
    await publish_in(clients["cy"], COLOURS["cy"])
    t_cy = time.time()
    await asyncio.sleep(3)
    server.rest_ok("PUT", "/v2/recordings/%s" % rec["id"], {"action": "pause"})
    paused = time.time()
    await asyncio.sleep(2)
    server.rest_ok("PUT", "/v2/recordings/%s" % rec["id"], {"action": "resume"})
    pause = time.time() - paused
    await asyncio.sleep(3)
    await clients["ada"].leave()
    await clients["ada"].close()
    t_ada = time.time()
    await asyncio.sleep(3)
    rec = server.rest_ok("PUT", "/v2/recordings/%s" % rec["id"], {"action": "stop"})
    t_stop = time.time()
    rec = await wait_status(server, rec["id"], ("UPLOADED", "ERRORED"))
    check_equal(rec["status"], "UPLOADED", "status of the stopped track recording")
    check_equal(rec["download_url"], None, "a track recording's download_url (its tracks have one each)")

    names = {rests[n]["id"]: n for n in rests}
    tracks = rec["tracks"]
    check_equal(sorted((names[t["participant_id"]], t["kind"]) for t in tracks),
                sorted((n, k) for n in ("ada", "bob", "cy") for k in ("audio", "video")),
                "tracks of the finished recording")
    for t in tracks:
        n = names[t["participant_id"]]
        check_equal(t["file_name"], "trk_%s-example.com_%s_1.webm" % (n, t["kind"]), "file name of %s's %s"
                    % (n, t["kind"]))
    on_disk = sorted(os.listdir(os.path.join(server.data_dir, "recordings", rec["id"])))
    check_equal(on_disk, sorted(t["file_name"] for t in tracks), "files in the recording's directory")
    check_equal(rec["file_size"], sum(t["file_size"] for t in tracks), "file_size: the tracks' bytes")
    spans = {"ada": t_ada - t0 - pause, "bob": t_stop - t0 - pause, "cy": t_stop - t_cy - pause}

    downloaded = {}
    with tempfile.TemporaryDirectory() as directory:
        for t in tracks:
            n = names[t["participant_id"]]
            what = "%s's %s" % (n, t["kind"])
            status, data = fetch(t["download_url"])
            check_equal((status, len(data)), (200, t["file_size"]), "%s: signed download" % what)
            downloaded[t["file_name"]] = data
            path = os.path.join(directory, t["file_name"])
            with open(path, "wb") as out:
                out.write(data)
            duration = check_file(path, t, spans[n], what)
            if t["kind"] == "video":
                for at in (0.5, duration / 2, duration - 0.5):
                    got, want = mean_colour(path, at), COLOURS[n]
                    check(all(abs(g - w) <= 30 for g, w in zip(got, want)),
                          "%s at %.1f s: colour %r, %s sent %r" % (what, at, got, n, want))
                log("%s: frames are %s's colour %r" % (what, n, COLOURS[n]))
        t = tracks[0]
        plain = t["download_url"].split("?")[0]
        check_equal(fetch(plain, {"Authorization": server.auth_header()}), (200, downloaded[t["file_name"]]),
                    "download with the API key")
        check_equal(fetch(plain)[0], 401, "download without credentials")
        check_equal(fetch(t["download_url"][:-1] + ("0" if t["download_url"][-1] != "0" else "1"))[0], 403,
                    "download with a changed signature")
        other = plain.replace(t["file_name"], "rtk.sqlite3")
        check_equal(fetch(other, {"Authorization": server.auth_header()})[0], 404, "a file that is no track")

    listed = server.rest_ok("GET", "/v2/recordings?meeting_id=%s" % meeting["id"])
    check_equal([len(r["tracks"]) for r in listed if r["id"] == rec["id"]], [6], "the recording in the list")
    await hooks.wait(lambda: hooks.statuses(rec["id"])[-1:] == ["UPLOADED"], "recording.statusUpdate UPLOADED")
    check_equal(hooks.statuses(rec["id"]), ["INVOKED", "RECORDING", "PAUSED", "RECORDING", "UPLOADING", "UPLOADED"],
                "webhook statuses of the track recording")
    uploaded = [d["recording"] for d in hooks.deliveries
                if d["event"] == "recording.statusUpdate" and d["recording"]["id"] == rec["id"]][-1]
    check_equal((uploaded["recordingType"], uploaded["downloadUrl"], uploaded["fileSize"],
                 sorted((t["fileName"], t["fileSize"]) for t in uploaded["tracks"])),
                ("TRACK", None, rec["file_size"], sorted((t["file_name"], t["file_size"]) for t in tracks)),
                "the UPLOADED webhook's recording")

    # user_ids and a kind's own layer: only Bob's audio
    rec = server.rest_ok("POST", "/v2/recordings/track", {
        "meeting_id": meeting["id"], "user_ids": [rests["bob"]["custom_participant_id"]],
        "layers": {"audio": {"file_name_prefix": "bob"}}, "max_seconds": "2"}, statuses=(200,))["recording"]
    rec = await wait_status(server, rec["id"], ("UPLOADED", "ERRORED"), timeout=20)
    check_equal((rec["status"], [(names[t["participant_id"]], t["kind"], t["file_name"]) for t in rec["tracks"]]),
                ("UPLOADED", [("bob", "audio", "bob_bob-example.com_audio_1.webm")]),
                "a recording of Bob's audio alone, stopped by max_seconds")
    for name in ("bob", "cy"):
        await clients[name].close()
    server.stop()


if __name__ == "__main__":
    run_test(main)
