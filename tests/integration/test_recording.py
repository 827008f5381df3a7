#!/usr/bin/python3
"""test_recording.py - composite recordings, over the SDK side and over REST.

Owns recording end to end (docs/protocol.md "Recording", docs/rest.md
"Recordings"): a host (group_call_host) and a participant publish VP8 + Opus
from aiortc, and:
  * recording.start over signalling with videoConfig H264 640x360: every
    participant gets recordingUpdate STARTING then RECORDING; a second start
    without allowMultiple is refused with 1001, a bad codec with 1003, the
    participant (no can_record) with 0902; pause for ~3 s, resume, stop;
    REST reports UPLOADED with file_size and recording_duration; the file
    downloaded from download_url is an MP4 that ffprobe reads with h264
    640x360 and aac, lasting the wall time recorded minus the pause (10%);
  * POST /v2/recordings with video_config VP8 320x240: WebM with vp8 320x240
    and opus, duration within 10% of the wall time between RECORDING and
    the PUT stop; list filters (meeting_id, status) and their 400s;
    active-recording; stop of a stopped recording is 409;
  * crash safety: the recorder of a third recording is killed with SIGKILL;
    the recording becomes ERRORED, its file is downloadable and ffprobe
    reads a few seconds of it, and the meeting goes on (frames still flow);
  * everyone leaves while a recording runs: it stops by itself
    (stop_reason ALL_PEERS_LEFT) and is UPLOADED; max_seconds stops one
    by itself (stop_reason API_CALL, detail MAX_DURATION);
  * without the companion programs, starts are refused with 1004 / 1903
    (REST 500) and nothing is stored.
"""

import asyncio
import json
import os
import signal
import subprocess
import tempfile
import time
import urllib.request

from rtk_harness import RtkClient, host_and_guest, Server, WebhookReceiver, check, check_equal, log, run_test

MEDIA_TIMEOUT = 20


def ffprobe(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", path],
                         capture_output=True, check=False)
    check(out.returncode == 0, "ffprobe cannot read %s: %s" % (path, out.stderr.decode(errors="replace")))
    return json.loads(out.stdout)


def streams_by_type(probe):
    return {s["codec_type"]: s for s in probe["streams"]}


def download(server, rec, directory):
    url = rec["download_url"]
    check(url, "recording %s has no download_url: %r" % (rec["id"], rec))
    request = urllib.request.Request(url, headers={"Authorization": server.auth_header()})
    path = os.path.join(directory, rec["output_file_name"])
    with urllib.request.urlopen(request, timeout=30) as response, open(path, "wb") as out:
        out.write(response.read())
    check_equal(os.path.getsize(path), rec["file_size"], "downloaded bytes of %s" % rec["id"])
    return path


async def wait_status(server, rec_id, statuses, timeout=30):
    """Polls REST; sleeps in asyncio, so the aiortc clients keep sending."""
    deadline = time.time() + timeout
    rec = None
    while time.time() < deadline:
        rec = server.rest_ok("GET", "/v2/recordings/%s" % rec_id)
        if rec["status"] in statuses:
            return rec
        await asyncio.sleep(0.2)
    raise AssertionError("recording %s: status %s, waited for %s" % (rec_id, rec and rec["status"], statuses))


def gray_frame(path, at, width, height):
    out = subprocess.run(["ffmpeg", "-v", "error", "-ss", "%.2f" % at, "-i", path, "-frames:v", "1",
                          "-f", "rawvideo", "-pix_fmt", "gray", "-"], capture_output=True, check=False)
    check(out.returncode == 0 and len(out.stdout) == width * height,
          "cannot decode a frame at %.2f s of %s: %s" % (at, path, out.stderr.decode(errors="replace")))
    return out.stdout


def moving_share(path, width, height, first, second, box=(0.0, 1.0, 0.0, 1.0)):
    """The largest share (0..1) of the pixels in `box` (x0, x1, y0, y1 as
    fractions of the frame) that differ (luma by more than 8) between two
    of three instants: `first`, the middle and `second`. The aiortc pattern
    cycles its colour, so two instants can by chance show nearly the same
    grey; three such coincidences at once do not happen, while a still
    picture (a placeholder) differs in no pair."""
    mid = (first + second) / 2
    frames = [gray_frame(path, at, width, height) for at in (first, mid, second)]
    xs = range(int(box[0] * width), int(box[1] * width))
    ys = range(int(box[2] * height), int(box[3] * height))
    best = 0.0
    for a, b in ((0, 1), (1, 2), (0, 2)):
        fa, fb = frames[a], frames[b]
        changed = sum(1 for y in ys for x in xs if abs(fa[y * width + x] - fb[y * width + x]) > 8)
        best = max(best, changed / (len(xs) * len(ys)))
    return best


def check_pictures_move(path, width, height, first, second, what):
    """The participants' pictures are in the composite: the aiortc pattern
    changes colour all the time, a placeholder tile never does."""
    share = moving_share(path, width, height, first, second)
    check(share > 0.1, "%s: only %.0f%% of the pixels differ between instants from %.1f s to %.1f s: "
          "participants' video missing?" % (what, 100 * share, first, second))
    log("%s: %d%% of the pixels change between %.1f s and %.1f s" % (what, int(100 * share), first, second))


def check_duration(probe, expected, what):
    duration = float(probe["format"]["duration"])
    check(abs(duration - expected) <= 0.1 * expected,
          "%s: duration %.2f s, expected %.2f s within 10%%" % (what, duration, expected))
    log("%s: %.2f s (wall %.2f s)" % (what, duration, expected))


async def wait_recording_state(client, state, rec_id=None):
    def matches(event):
        if event.data.get("recordingState") != state:
            return False
        return rec_id is None or any(r["id"] == rec_id and r["state"] == state
                                     for r in event.data.get("recordings", []))
    return await client.wait_event("recordingUpdate", where=matches, timeout=20)


async def sdk_recording(server, host, guest, directory, hooks):
    await guest.refused({"request": "recording.start"}, "0902")
    await host.refused({"request": "recording.start", "config": {"videoConfig": {"codec": "AV1"}}}, "1003")
    await host.refused({"request": "recording.start", "config": {"videoConfig": {"width": 4000}}}, "1003")
    await host.refused({"request": "recording.stop"}, "1002")
    reply = await host.control({"request": "recording.start",
                                "config": {"videoConfig": {"codec": "H264", "width": 640, "height": 360},
                                           "fileNamePrefix": "sdk"}})
    rec_id = reply.data["recording"]["id"]
    await wait_recording_state(guest, "STARTING", rec_id)
    await wait_recording_state(host, "RECORDING", rec_id)
    started = time.time()
    await guest.wait_event("recordingUpdate", where=lambda e: e.data.get("recordingState") == "RECORDING")
    await host.refused({"request": "recording.start"}, "1001")
    check_equal(server.rest_ok("GET", "/v2/recordings/active-recording/%s" % host.meeting_id)["id"],
                rec_id, "active-recording")
    await asyncio.sleep(3)
    await host.control({"request": "recording.pause"})
    paused_at = time.time()
    await wait_recording_state(guest, "PAUSED", rec_id)
    check_equal((await wait_status(server, rec_id, ("PAUSED",)))["status"], "PAUSED", "REST status while paused")
    await host.refused({"request": "recording.pause", "id": rec_id}, "1002")
    await asyncio.sleep(3)
    await host.control({"request": "recording.resume", "id": rec_id})
    resumed_at = time.time()
    await wait_recording_state(guest, "RECORDING", rec_id)
    await asyncio.sleep(3)
    await host.control({"request": "recording.stop"})
    stopped = time.time()
    await wait_recording_state(guest, "IDLE")
    rec = await wait_status(server, rec_id, ("UPLOADED", "ERRORED"))
    check_equal(rec["status"], "UPLOADED", "status after stop")
    check_equal(rec["stop_reason"]["reason"], "API_CALL", "stop reason")
    check_equal((rec["stop_reason"]["caller"]["type"], rec["stop_reason"]["caller"]["name"]), ("USER", "Host"),
                "stop caller (the host, over the SDK)")
    check(rec["output_file_name"].startswith("sdk_") and rec["output_file_name"].endswith(".mp4"),
          "file name %s" % rec["output_file_name"])
    path = download(server, rec, directory)
    probe = ffprobe(path)
    streams = streams_by_type(probe)
    check_equal((streams["video"]["codec_name"], streams["video"]["width"], streams["video"]["height"]),
                ("h264", 640, 360), "SDK recording video stream")
    check_equal(streams["audio"]["codec_name"], "aac", "SDK recording audio codec")
    check_duration(probe, (stopped - started) - (resumed_at - paused_at), "SDK MP4 without its pause")
    check_pictures_move(path, 640, 360, 1.0, 2.5, "SDK MP4")
    check(abs(rec["recording_duration"] - float(probe["format"]["duration"])) <= 1.5,
          "recording_duration %r vs file" % rec["recording_duration"])
    want = ["INVOKED", "RECORDING", "PAUSED", "RECORDING", "UPLOADING", "UPLOADED"]
    await hooks.wait(lambda: hooks.statuses(rec_id) == want, "recording.statusUpdate %s" % want)
    check(not hooks.bad, "%d webhook deliveries with a bad signature" % len(hooks.bad))
    uploaded = [d["recording"] for d in hooks.deliveries
                if d["event"] == "recording.statusUpdate" and d["recording"]["id"] == rec_id][-1]
    check_equal(sorted(uploaded), sorted([
        "id", "recordingId", "meetingId", "roomUUID", "status", "startedTime", "stoppedTime", "fileSize",
        "outputFileName", "downloadUrl", "downloadUrlExpiry", "organizationId"]), "the recording object's keys")
    last = [d for d in hooks.deliveries if d["event"] == "recording.statusUpdate"][-1]
    check_equal(sorted(last["meeting"]), ["createdAt", "id", "organizedBy", "sessionId", "title"],
                "the meeting object's keys in recording.statusUpdate")
    check_equal((uploaded["recordingId"], uploaded["meetingId"], uploaded["roomUUID"], uploaded["organizationId"]),
                (rec_id, rec["meeting_id"], rec["session_id"], server.credentials["org_id"]),
                "the UPLOADED recording.statusUpdate: ids")
    # downloadUrl is a signed link like REST's download_url (its expiry a day from when it was made)
    check_equal((uploaded["downloadUrl"].split("?")[0], uploaded["fileSize"], uploaded["outputFileName"]),
                (rec["download_url"].split("?")[0], rec["file_size"], rec["output_file_name"]),
                "the UPLOADED recording.statusUpdate: downloadUrl, fileSize, outputFileName as REST has them")
    check(isinstance(uploaded.get("downloadUrlExpiry"), str), "the UPLOADED recording.statusUpdate's "
          "downloadUrlExpiry: %r" % uploaded.get("downloadUrlExpiry"))
    with urllib.request.urlopen(uploaded["downloadUrl"], timeout=10) as reply:   # no credentials
        check_equal(len(reply.read()), rec["file_size"], "bytes behind the webhook's downloadUrl")
    log("webhooks: recording.statusUpdate %s, signatures verified" % " -> ".join(want))


async def rest_recording(server, meeting_id, directory):
    check_equal(server.rest("POST", "/v2/recordings", {"meeting_id": meeting_id,
                                                       "video_config": {"codec": "VP9"}})[0], 422, "bad codec")
    check_equal(server.rest("POST", "/v2/recordings", {"meeting_id": "nope"})[0], 422, "bad meeting id")
    check_equal(server.rest("POST", "/v2/recordings", {"meeting_id": "00000000-0000-4000-8000-000000000000"})[0],
                404, "unknown meeting")
    rec = server.rest_ok("POST", "/v2/recordings", {"meeting_id": meeting_id, "file_name_prefix": "rest",
                                                    "video_config": {"codec": "VP8", "width": 320, "height": 240}},
                         statuses=(201,))
    check_equal(rec["status"], "INVOKED", "status of a new recording")
    check_equal(rec["start_reason"], {"reason": "API_CALL", "caller": {"type": "ORGANIZATION"}},
                "start_reason of a start with the API key")
    # The store has it once POST answered (the plugin writes it; REST waits for that write).
    check_equal(server.rest_ok("GET", "/v2/recordings/%s" % rec["id"])["id"], rec["id"], "GET right after POST")
    rec = await wait_status(server, rec["id"], ("RECORDING",))
    started = time.time()
    await asyncio.sleep(5)
    rec = server.rest_ok("PUT", "/v2/recordings/%s" % rec["id"], {"action": "stop"})
    stopped = time.time()
    check_equal(rec["status"], "UPLOADING", "status right after PUT stop")
    check_equal(rec["stop_reason"], {"reason": "API_CALL", "caller": {"type": "ORGANIZATION"}},
                "stop_reason of a PUT stop with the API key")
    check(server.rest_ok("GET", "/v2/recordings/%s" % rec["id"])["status"] in ("UPLOADING", "UPLOADED"),
          "GET right after PUT stop still says the recording runs")
    rec = await wait_status(server, rec["id"], ("UPLOADED", "ERRORED"))
    check_equal(rec["status"], "UPLOADED", "REST recording status")
    check_equal(server.rest("PUT", "/v2/recordings/%s" % rec["id"], {"action": "stop"})[0], 409,
                "stop of a stopped recording")
    check_equal(server.rest("PUT", "/v2/recordings/%s" % rec["id"], {"action": "rewind"})[0], 422, "bad action")
    path = download(server, rec, directory)
    probe = ffprobe(path)
    streams = streams_by_type(probe)
    check_equal((streams["video"]["codec_name"], streams["video"]["width"], streams["video"]["height"]),
                ("vp8", 320, 240), "REST recording video stream")
    check_equal(streams["audio"]["codec_name"], "opus", "REST recording audio codec")
    check_duration(probe, stopped - started, "REST WebM")
    check_pictures_move(path, 320, 240, 1.0, 2.5, "REST WebM")

    rec = server.rest_ok("POST", "/v2/recordings", {"meeting_id": meeting_id, "max_seconds": 2},
                         statuses=(201,))
    rec = await wait_status(server, rec["id"], ("UPLOADED", "ERRORED"), timeout=20)
    check_equal((rec["status"], rec["stop_reason"]), ("UPLOADED", {
        "reason": "API_CALL", "detail": "MAX_DURATION", "caller": {"type": "ORGANIZATION"}}),
        "a recording with max_seconds 2")
    check(2 <= rec["recording_duration"] <= 3, "max_seconds 2 recorded %r s" % rec["recording_duration"])
    log("max_seconds: stopped by itself after %d s of output" % rec["recording_duration"])

    listed = server.rest_ok("GET", "/v2/recordings?meeting_id=%s&status=UPLOADED" % meeting_id)
    ids = [r["id"] for r in listed]
    check(rec["id"] in ids and all(r["status"] == "UPLOADED" for r in listed),
          "list filtered by meeting and status: %r" % ids)
    check_equal(server.rest("GET", "/v2/recordings?status=DONE")[0], 400, "bad status filter")
    check_equal(server.rest("GET", "/v2/recordings?meeting_id=x")[0], 400, "bad meeting filter")
    check_equal(server.rest("GET", "/v2/recordings/active-recording/%s" % meeting_id)[0], 404,
                "active-recording when none runs")


def recorder_pid(rec_id):
    out = subprocess.run(["pgrep", "-f", "rtk-recorder .*%s" % rec_id], capture_output=True, text=True)
    pids = [int(p) for p in out.stdout.split()]
    check(len(pids) == 1, "one rtk-recorder for %s, found %r" % (rec_id, pids))
    return pids[0]


async def crash(server, meeting_id, host, guest, directory):
    rec = server.rest_ok("POST", "/v2/recordings", {"meeting_id": meeting_id}, statuses=(201,))
    await wait_status(server, rec["id"], ("RECORDING",))
    await asyncio.sleep(4)
    os.kill(recorder_pid(rec["id"]), signal.SIGKILL)
    rec = await wait_status(server, rec["id"], ("ERRORED", "UPLOADED"))
    check_equal(rec["status"], "ERRORED", "status after SIGKILL")
    path = download(server, rec, directory)
    probe = ffprobe(path)
    streams = streams_by_type(probe)
    check("video" in streams and "audio" in streams, "killed MP4 keeps both streams: %r" % list(streams))
    duration = float(probe["format"].get("duration", 0))
    check(duration >= 2.0, "killed MP4 plays %.2f s (expected about 4 s)" % duration)
    log("SIGKILLed recorder left %d bytes, %.2f s readable" % (rec["file_size"], duration))
    await guest.wait_event("recordingUpdate", where=lambda e: e.data.get("recordingState") == "IDLE")
    before = dict(guest.frames[host.peer_id])
    await guest.wait_frames(host.peer_id, before["video"] + 30, before["audio"] + 50, MEDIA_TIMEOUT)
    log("the meeting goes on after the recorder died")


async def auto_start_and_stop(server, directory, hooks):
    """record_on_start starts a recording with the live session; when the
    last participant leaves it stops by itself."""
    meeting = server.create_meeting(title="Auto stop", record_on_start=True)
    rest = server.add_participant(meeting["id"], "Solo", "group_call_participant")
    solo = RtkClient(server, "solo")
    joined = await solo.join(rest["token"])
    check_equal(joined["recording"]["recordingState"], "STARTING", "roomJoined recording state")
    await solo.publish()
    rec_id = joined["recording"]["recordings"][0]["id"]
    rec = await wait_status(server, rec_id, ("RECORDING",))
    check_equal(rec["start_reason"], {"reason": "RECORD_ON_START"}, "start reason (no user details)")
    await asyncio.sleep(2)
    await solo.leave()
    rec = await wait_status(server, rec_id, ("UPLOADED", "ERRORED"))
    check_equal((rec["status"], rec["stop_reason"]), ("UPLOADED", {"reason": "ALL_PEERS_LEFT"}),
                "a recording nobody is left in")
    ffprobe(download(server, rec, directory))
    log("record_on_start: started with the session, stopped when everyone left")

    def of_meeting(event):
        return [d for d in hooks.deliveries if d["event"] == event and d["meeting"]["id"] == meeting["id"]]
    await hooks.wait(lambda: of_meeting("meeting.ended"), "meeting.ended for the meeting nobody is left in")
    left = of_meeting("meeting.participantLeft")
    check_equal([d["participant"]["customParticipantId"] for d in left], [rest["custom_participant_id"]],
                "meeting.participantLeft")
    check_equal(of_meeting("meeting.ended")[0]["meeting"]["sessionId"],
                of_meeting("meeting.started")[0]["meeting"]["sessionId"], "session of meeting.ended")
    log("webhooks: meeting.participantLeft and meeting.ended when the last participant left")


async def parallel(server, host, guest):
    """Two recordings at once, both with allowMultiple; stop by id, then all."""
    first = (await host.control({"request": "recording.start", "allowMultiple": True}))
    first_id = first.data["recording"]["id"]
    second_id = (await host.control({"request": "recording.start", "allowMultiple": True,
                                     "config": {"videoConfig": {"codec": "VP8"}}})).data["recording"]["id"]
    for rec_id in (first_id, second_id):
        await wait_status(server, rec_id, ("RECORDING",))
    event = await guest.wait_event("recordingUpdate", where=lambda e: sorted(
        (r["id"], r["state"]) for r in e.data["recordings"]) == sorted(
        [(first_id, "RECORDING"), (second_id, "RECORDING")]))
    check_equal(len(event.data["recordings"]), 2, "two recordings listed")
    await host.control({"request": "recording.stop", "id": first_id})
    check_equal((await wait_status(server, first_id, ("UPLOADED", "ERRORED")))["status"], "UPLOADED", "first")
    check_equal(server.rest_ok("GET", "/v2/recordings/%s" % second_id)["status"], "RECORDING",
                "the second runs on after stop(first id)")
    reply = await host.control({"request": "recording.stop"})
    check_equal(reply.data["changed"], 1, "stop() without an id stops the rest")
    check_equal((await wait_status(server, second_id, ("UPLOADED", "ERRORED")))["status"], "UPLOADED", "second")
    log("two parallel recordings with allowMultiple; stop by id, then stop all")


async def companions_missing():
    """A server whose companion programs are not where it was told: every
    start is refused with its code (1004, 1903; REST 500), and the meeting
    goes on."""
    server = Server(env={"RTK_COMPANION_DIR": "/nonexistent"}).start()
    meeting = server.create_meeting(title="No companions")
    rest = server.add_participant(meeting["id"], "Host", "group_call_host")
    host = RtkClient(server, "host")
    await host.join(rest["token"])
    await host.refused({"request": "recording.start"}, "1004")
    await host.refused({"request": "livestream.start"}, "1903")
    check_equal(server.rest("POST", "/v2/recordings", {"meeting_id": meeting["id"]})[0], 500,
                "REST start without rtk-recorder")
    check_equal(server.rest_ok("GET", "/v2/recordings?meeting_id=%s" % meeting["id"]), [],
                "nothing stored for a refused start")
    await host.control({"request": "participant.pin", "participantId": host.peer_id})
    log("without companions: 1004, 1903, REST 500; nothing stored, the meeting goes on")


async def main():
    server = Server().start()
    hooks = WebhookReceiver()
    hook = server.rest_ok("POST", "/v2/webhooks", {"name": "test", "url": hooks.url, "events": [
        "recording.statusUpdate", "meeting.started", "meeting.participantJoined", "meeting.participantLeft",
        "meeting.ended"]}, statuses=(201,))
    hooks.secret = hook["secret"]
    meeting = server.create_meeting(title="Recording")
    rests, host, guest = await host_and_guest(server, meeting["id"], MEDIA_TIMEOUT)
    host.meeting_id = meeting["id"]
    await hooks.wait(lambda: [d["event"] for d in hooks.deliveries][:3] == [
        "meeting.started", "meeting.participantJoined", "meeting.participantJoined"],
        "meeting.started then two participantJoined")
    check_equal({d["participant"]["customParticipantId"] for d in hooks.deliveries
                 if d["event"] == "meeting.participantJoined"},
                {rests["host"]["custom_participant_id"], rests["guest"]["custom_participant_id"]},
                "participants in meeting.participantJoined")
    with tempfile.TemporaryDirectory() as directory:
        await sdk_recording(server, host, guest, directory, hooks)
        await rest_recording(server, meeting["id"], directory)
        await crash(server, meeting["id"], host, guest, directory)
        await parallel(server, host, guest)
        await auto_start_and_stop(server, directory, hooks)
    for client in (host, guest):
        await client.close()
    server.stop()
    await companions_missing()


if __name__ == "__main__":
    run_test(main)
