#!/usr/bin/python3
"""test_recordings_parity.py - recordings and livestreams over REST in the
shapes of the RealtimeKit reference (dyte-io/docs static/api/v2.yaml,
cloudflare-python types/realtime_kit), docs/rest.md "Recordings" and
"Livestreams":
  * participant tokens (Authorization: Bearer <participant token>, the
    reference's "Bearer" scheme): the host (group_call_host, can_record)
    starts, reads, lists and finds the active recording of its own meeting;
    the guest (no can_record) gets 403, the host 403 on another meeting and
    401 on PUT and on routes that are not the recordings';
  * start_reason {reason API_CALL, caller {type USER, user_Id, name}} for the
    participant's start, stop_reason {API_CALL, caller ORGANIZATION} for a
    PUT stop with the API key;
  * download_url is a signed link: opened without credentials it serves the
    MP4 (Content-Type video/mp4, Content-Length = file_size, ffprobe reads
    h264 320x240 + aac lasting the recorded time); download_url_expiry is the
    link's expiry (24 h); a tampered signature or expiry, or an expired link
    signed with the server's secret, is 403 with the error envelope;
  * audio only (video_config.export_file false, audio_config {AAC, mono}):
    an .m4a with one mono AAC stream and no video, lasting the recorded time,
    with the participant's tone in it; MP3 beside video and an unknown
    channel are 422;
  * GET /v2/recordings with the reference's filters: status (several),
    start_time/end_time, sort_by/sort_order, expired, search (meeting id or
    title), paging, and the 400 of each when malformed;
  * livestreams: stop answers {message}; GET /v2/livestreams/{id} is
    {livestream, session, sessions} with paging; active-livestream-session
    while it runs (404 after); livestreams/sessions/{id} with ingest_seconds;
    GET /v2/meetings/{id}/livestream; GET /v2/sessions/{id}/livestream-sessions; GET /v2/livestreams with status,
    sort_order, paging, exclude_meetings, start_time/end_time and their 400s.
"""

import asyncio
import datetime
import hashlib
import hmac
import json
import os
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

from rtk_harness import (RtkClient, Server, check, check_equal, jwt_secret_bytes, log, run_test)

MEDIA_TIMEOUT = 20
NOT_HERE = ("a participant's token is not accepted here; send 'Authorization: Basic base64(ORG_ID:API_KEY)' "
            "or 'Authorization: Bearer API_KEY'")


def error(code, message):
    return {"success": False, "error": {"code": code, "message": message}}


def bearer(participant):
    return "Bearer " + participant["token"]


def plain_get(url):
    """(status, headers, body bytes) of a GET without credentials."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, dict(response.getheaders()), response.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def iso_seconds(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


async def wait_recording(server, rec_id, statuses, timeout=30):
    deadline = time.time() + timeout
    rec = None
    while time.time() < deadline:
        rec = server.rest_ok("GET", "/v2/recordings/%s" % rec_id)
        if rec["status"] in statuses:
            return rec
        await asyncio.sleep(0.2)
    raise AssertionError("recording %s: status %s, waited for %s" % (rec_id, rec and rec["status"], statuses))


async def wait_livestream(server, stream_id, status, timeout=30):
    deadline = time.time() + timeout
    while True:
        doc = server.rest_ok("GET", "/v2/livestreams/%s" % stream_id)["livestream"]
        if doc["status"] == status:
            return doc
        check(time.time() < deadline, "livestream %s stays %s, waited for %s" % (stream_id, doc["status"], status))
        await asyncio.sleep(0.3)


def refusals_before_join(server, meeting_id, other_id, host, guest):
    # The host's token reaches POST /v2/recordings: nobody is in the meeting yet (409).
    status, reply = server.rest("POST", "/v2/recordings", {"meeting_id": meeting_id}, auth=bearer(host))
    check_equal(status, 409, "participant start without a session: %s" % server.last_text)
    check_equal(server.rest("POST", "/v2/recordings", {"meeting_id": meeting_id}, auth=bearer(guest)),
                (403, error(403, "this participant's preset does not allow recording (permissions.can_record)")),
                "start by a participant without can_record")
    check_equal(server.rest("POST", "/v2/recordings", {"meeting_id": other_id}, auth=bearer(host)),
                (403, error(403, "a participant's token reaches only the recordings of its own meeting")),
                "start in another meeting")
    check_equal(server.rest("GET", "/v2/recordings?meeting_id=%s" % other_id, auth=bearer(host)),
                (403, error(403, "a participant's token reaches only the recordings of its own meeting")),
                "list of another meeting")
    check_equal(server.rest("GET", "/v2/recordings/active-recording/%s" % other_id, auth=bearer(host)),
                (403, error(403, "a participant's token reaches only the recordings of its own meeting")),
                "active recording of another meeting")
    check_equal(server.rest("PUT", "/v2/recordings/00000000-0000-4000-8000-000000000000", {"action": "stop"},
                            auth=bearer(host)), (401, error(401, NOT_HERE)), "PUT with a participant token")
    check_equal(server.rest("GET", "/v2/meetings", auth=bearer(host)), (401, error(401, NOT_HERE)),
                "GET /v2/meetings with a participant token")
    check_equal(server.rest("GET", "/v2/recordings", auth="Bearer not-a-token")[0], 401, "a token that is no JWT")
    check_equal(server.rest_ok("GET", "/v2/recordings", auth=bearer(host)), [], "the host's list, empty")
    log("participant tokens before the session: 409, 403 (can_record, other meeting), 401 (PUT, meetings)")


async def participant_recording(server, meeting_id, host, guest, directory):
    rec = server.rest_ok("POST", "/v2/recordings", {"meeting_id": meeting_id, "video_config": {
        "codec": "H264", "width": 320, "height": 240}}, statuses=(201,), auth=bearer(host))
    check_equal(rec["start_reason"], {"reason": "API_CALL", "caller": {
        "type": "USER", "user_Id": host["id"], "name": "Host"}}, "start_reason of the host's REST start")
    check_equal((rec["download_url"], rec["download_url_expiry"], rec["audio_download_url"]), (None, None, None),
                "no download before the file")
    check_equal(server.rest_ok("GET", "/v2/recordings/%s" % rec["id"], auth=bearer(host))["id"], rec["id"],
                "the host reads it")
    check_equal(server.rest("GET", "/v2/recordings/%s" % rec["id"], auth=bearer(guest)),
                (403, error(403, "this participant's preset does not allow recording (permissions.can_record)")),
                "the guest may not read it")
    check_equal(server.rest_ok("GET", "/v2/recordings/active-recording/%s" % meeting_id, auth=bearer(host))["id"],
                rec["id"], "active recording with the host's token")
    check_equal([r["id"] for r in server.rest_ok("GET", "/v2/recordings", auth=bearer(host))], [rec["id"]],
                "the host's list is its meeting's")
    await wait_recording(server, rec["id"], ("RECORDING",))
    started = time.time()
    await asyncio.sleep(4)
    check_equal(server.rest("PUT", "/v2/recordings/%s" % rec["id"], {"action": "stop"}, auth=bearer(host))[0],
                401, "the host cannot PUT (the reference: API key only)")
    stopped_rec = server.rest_ok("PUT", "/v2/recordings/%s" % rec["id"], {"action": "stop"})
    stopped = time.time()
    check_equal(stopped_rec["stop_reason"], {"reason": "API_CALL", "caller": {"type": "ORGANIZATION"}},
                "stop_reason of a PUT stop")
    rec = await wait_recording(server, rec["id"], ("UPLOADED", "ERRORED"))
    check_equal(rec["status"], "UPLOADED", "status")
    log("participant token: started (caller USER %s), stopped with the API key" % host["id"])
    return rec, stopped - started


def signed_download(server, rec, wall, secret, directory):
    url = rec["download_url"]
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qs(parts.query)
    check_equal(parts.path, "/v2/recordings/%s/download" % rec["id"], "download_url path")
    check_equal(sorted(query), ["expires", "signature"], "download_url query")
    expires = int(query["expires"][0])
    check_equal(iso_seconds(rec["download_url_expiry"]), float(expires), "download_url_expiry is the link's expiry")
    check(abs(expires - (time.time() + 24 * 3600)) < 120, "the link lasts 24 h: expires %d" % expires)

    status, headers, body = plain_get(url)
    check_equal(status, 200, "signed download without credentials")
    check_equal(headers.get("Content-Type"), "video/mp4", "Content-Type")
    check_equal(int(headers.get("Content-Length")), rec["file_size"], "Content-Length")
    check_equal(len(body), rec["file_size"], "bytes downloaded")
    path = os.path.join(directory, "signed.mp4")
    with open(path, "wb") as f:
        f.write(body)
    out = subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", path],
                         capture_output=True, check=False)
    check(out.returncode == 0, "ffprobe: %s" % out.stderr.decode(errors="replace"))
    probe = json.loads(out.stdout)
    streams = {s["codec_type"]: s for s in probe["streams"]}
    check_equal((streams["video"]["codec_name"], streams["video"]["width"], streams["video"]["height"],
                 streams["audio"]["codec_name"]), ("h264", 320, 240, "aac"), "the downloaded file's streams")
    duration = float(probe["format"]["duration"])
    check(abs(duration - wall) <= 0.15 * wall + 0.5, "duration %.2f s, recorded %.2f s" % (duration, wall))

    invalid = error(403, "this download URL is not valid: ask GET /v2/recordings/{id} for its download_url")
    sig = query["signature"][0]
    tampered = "%s://%s%s?expires=%d&signature=%s" % (parts.scheme, parts.netloc, parts.path, expires,
                                                     sig[:-1] + ("0" if sig[-1] != "0" else "1"))
    status, headers, body = plain_get(tampered)
    check_equal((status, json.loads(body)), (403, invalid), "a tampered signature")
    check_equal(headers.get("Content-Type"), "application/json", "the 403's type")
    later = "%s://%s%s?expires=%d&signature=%s" % (parts.scheme, parts.netloc, parts.path, expires + 1, sig)
    status, _, body = plain_get(later)
    check_equal((status, json.loads(body)), (403, invalid), "a later expiry with the old signature")
    other = "%s://%s/v2/recordings/00000000-0000-4000-8000-000000000000/download?%s" % (
        parts.scheme, parts.netloc, parts.query)
    status, _, body = plain_get(other)
    check_equal((status, json.loads(body)), (403, invalid), "the signature of another recording")
    past = int(time.time()) - 10
    text = "recording-download\n%s\n%d" % (rec["id"], past)
    expired_sig = hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()
    status, _, body = plain_get("%s://%s%s?expires=%d&signature=%s" % (parts.scheme, parts.netloc, parts.path,
                                                                       past, expired_sig))
    check_equal((status, json.loads(body)), (403, error(
        403, "this download URL has expired: ask GET /v2/recordings/{id} for a new one")), "an expired link")
    status, _, body = plain_get("%s://%s%s" % (parts.scheme, parts.netloc, parts.path))
    check_equal(status, 401, "the download route without a signature still needs the API key")
    log("download_url: %d bytes served without credentials; tampered, re-dated, foreign, expired: 403"
        % rec["file_size"])


async def audio_only(server, meeting_id, directory):
    """video_config.export_file false: the mixed audio alone, AAC in .m4a,
    mono as audio_config.channel asks; MP3 with video is refused."""
    check_equal(server.rest("POST", "/v2/recordings", {"meeting_id": meeting_id,
                                                       "audio_config": {"codec": "MP3"}})[0], 422,
                "MP3 beside video")
    check_equal(server.rest("POST", "/v2/recordings", {"meeting_id": meeting_id,
                                                       "audio_config": {"channel": "5.1"}})[0], 422,
                "an unknown channel")
    rec = server.rest_ok("POST", "/v2/recordings", {"meeting_id": meeting_id, "file_name_prefix": "voice",
                                                    "video_config": {"export_file": False},
                                                    "audio_config": {"codec": "AAC", "channel": "mono",
                                                                     "export_file": False}}, statuses=(201,))
    check(rec["output_file_name"].startswith("voice_") and rec["output_file_name"].endswith(".m4a"),
          "audio-only file name %s" % rec["output_file_name"])
    check_equal(rec["audio_config"], {"codec": "AAC", "channel": "mono", "export_file": False}, "audio_config echoed")
    check_equal(rec["video_config"]["export_file"], False, "video_config.export_file echoed")
    await wait_recording(server, rec["id"], ("RECORDING",))
    started = time.time()
    await asyncio.sleep(4)
    server.rest_ok("PUT", "/v2/recordings/%s" % rec["id"], {"action": "stop"})
    wall = time.time() - started
    rec = await wait_recording(server, rec["id"], ("UPLOADED", "ERRORED"))
    check_equal(rec["status"], "UPLOADED", "audio-only status")
    status, headers, body = plain_get(rec["download_url"])
    check_equal((status, headers.get("Content-Type"), len(body)), (200, "audio/mp4", rec["file_size"]),
                "the audio-only download")
    path = os.path.join(directory, "voice.m4a")
    with open(path, "wb") as f:
        f.write(body)
    out = subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", path],
                         capture_output=True, check=False)
    check(out.returncode == 0, "ffprobe: %s" % out.stderr.decode(errors="replace"))
    probe = json.loads(out.stdout)
    check_equal([(s["codec_type"], s["codec_name"], s["channels"]) for s in probe["streams"]], [("audio", "aac", 1)],
                "one mono AAC stream, no video")
    duration = float(probe["format"]["duration"])
    check(abs(duration - wall) <= 0.15 * wall + 0.5, "audio-only duration %.2f s, recorded %.2f s" % (duration, wall))
    vol = subprocess.run(["ffmpeg", "-v", "info", "-i", path, "-af", "volumedetect", "-f", "null", "-"],
                         capture_output=True, text=True, check=False).stderr
    mean = [float(line.split("mean_volume:")[1].split()[0]) for line in vol.splitlines() if "mean_volume:" in line]
    check(mean and mean[0] > -40, "the participant's tone is in the file (mean volume %r dB)" % mean)
    log("audio only: %s, mono AAC, %.2f s (recorded %.2f s), mean volume %.1f dB"
        % (rec["output_file_name"], duration, wall, mean[0]))
    return rec


def recording_list_filters(server, meeting_id, first, second):
    """GET /v2/recordings with the reference's filters, over the meeting's two
    finished recordings (`first` started before `second`)."""
    def ids(query):
        status, reply = server.rest("GET", "/v2/recordings?meeting_id=%s&%s" % (meeting_id, query))
        check_equal(status, 200, "GET /v2/recordings?%s: %s" % (query, server.last_text))
        return [r["id"] for r in reply["data"]], reply["paging"]["total_count"]
    future = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
    past = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600))
    for query, want in (("", [second, first]), ("sort_order=DESC&sort_by=invokedTime", [second, first]),
                        ("sort_order=ASC", [first, second]), ("status=UPLOADED,ERRORED", [second, first]),
                        ("status=RECORDING&status=UPLOADED", [second, first]), ("status=RECORDING", []),
                        ("expired=true", []), ("expired=false", [second, first]),
                        ("start_time=%s" % future, []), ("end_time=%s" % past, []),
                        ("start_time=%s&end_time=%s&sort_order=ASC" % (past, future), [first, second]),
                        ("search=PARI", [second, first]), ("search=%s" % meeting_id[:8], [second, first]),
                        ("search=no-such-meeting", [])):
        check_equal(ids(query), (want, len(want)), "GET /v2/recordings?%s" % query)
    status, reply = server.rest("GET", "/v2/recordings?meeting_id=%s&sort_order=ASC&per_page=1&page_no=2" % meeting_id)
    check_equal(([r["id"] for r in reply["data"]], reply["paging"]),
                ([second], {"total_count": 2, "start_offset": 2, "end_offset": 2}), "page 2 of 1, oldest first")
    for query, message in (
            ("status=DONE", "query 'status' must be one or more of INVOKED, RECORDING, PAUSED, UPLOADING, "
                            "UPLOADED, ERRORED"),
            ("sort_order=UP", "query 'sort_by' must be invokedTime and 'sort_order' ASC or DESC"),
            ("sort_by=startTime", "query 'sort_by' must be invokedTime and 'sort_order' ASC or DESC"),
            ("expired=maybe", "query 'expired' must be true or false"),
            ("start_time=yesterday", "queries 'start_time' and 'end_time' must be ISO 8601 times "
                                     "(e.g. 2026-12-07T00:00:00Z)")):
        check_equal(server.rest("GET", "/v2/recordings?%s" % query), (400, error(400, message)),
                    "GET /v2/recordings?%s" % query)
    log("GET /v2/recordings: status list, times, order, expired, search, paging and their 400s")


async def livestreams(server, meeting_id):
    first = server.rest_ok("POST", "/v2/meetings/%s/livestreams" % meeting_id, {"name": "parity"}, statuses=(201,))
    check_equal((first["ingest_server"], first["stream_key"], first["disabled"]), (None, None, False),
                "the reference's fields of a start")
    await wait_livestream(server, first["id"], "LIVE")
    status, reply = server.rest("GET", "/v2/livestreams/%s" % first["id"])
    check_equal(status, 200, "GET /v2/livestreams/{id}")
    data = reply["data"]
    check_equal(sorted(data), ["livestream", "paging", "session", "sessions"], "keys of GET /v2/livestreams/{id}")
    check_equal(reply["paging"], {"total_count": 1, "start_offset": 1, "end_offset": 1}, "paging")
    check_equal(data["paging"], reply["paging"], "paging inside data too (cloudflare's shape)")
    session = data["session"]
    check_equal(data["sessions"], [session], "sessions")
    check_equal((session["id"], session["livestream_id"], session["stopped_time"], session["err_message"],
                 session["viewer_seconds"]), (first["id"], first["id"], None, None, None), "a running session")
    check(session["started_time"] and session["invoked_time"], "session times %r" % session)
    check_equal((data["livestream"]["id"], data["livestream"]["name"], data["livestream"]["meeting_id"],
                 data["livestream"]["status"], data["livestream"]["disabled"]),
                (first["id"], "parity", meeting_id, "LIVE", False), "the livestream")
    active = server.rest_ok("GET", "/v2/livestreams/%s/active-livestream-session" % first["id"])
    check_equal((active["livestream"]["id"], active["session"]["id"]), (first["id"], first["id"]),
                "active-livestream-session")
    check_equal(server.rest_ok("GET", "/v2/meetings/%s/active-livestream" % meeting_id)["stream_key"], None,
                "active-livestream has the reference's fields")
    check_equal([d["id"] for d in server.rest_ok("GET", "/v2/livestreams?status=LIVE")], [first["id"]],
                "GET /v2/livestreams?status=LIVE")
    live_from = time.time()
    await asyncio.sleep(2)
    check_equal(server.rest("POST", "/v2/meetings/%s/active-livestream/stop" % meeting_id),
                (200, {"success": True, "data": {"message": "Stopped live stream successfully"}}), "stop")
    await wait_livestream(server, first["id"], "IDLE")
    wall = time.time() - live_from
    check_equal(server.rest("GET", "/v2/livestreams/%s/active-livestream-session" % first["id"]),
                (404, error(404, "livestream '%s' has no active session (it is IDLE)" % first["id"])),
                "active-livestream-session after the stop")
    session = server.rest_ok("GET", "/v2/livestreams/sessions/%s" % first["id"])
    check(session["stopped_time"] is not None, "stopped_time after the stop")
    check(2 <= session["ingest_seconds"] <= wall + 5, "ingest_seconds %r (live about %.1f s)"
          % (session["ingest_seconds"], wall))
    check_equal(server.rest("GET", "/v2/livestreams/sessions/00000000-0000-4000-8000-000000000000"),
                (404, error(404, "livestream session '00000000-0000-4000-8000-000000000000' not found")),
                "an unknown session")

    second = server.rest_ok("POST", "/v2/meetings/%s/livestreams" % meeting_id, {}, statuses=(201,))
    await wait_livestream(server, second["id"], "LIVE")
    server.rest_ok("POST", "/v2/meetings/%s/active-livestream/stop" % meeting_id)
    await wait_livestream(server, second["id"], "IDLE")

    status, reply = server.rest("GET", "/v2/meetings/%s/livestream" % meeting_id)
    check_equal(([d["id"] for d in reply["data"]["livestreams"]], [s["id"] for s in reply["data"]["sessions"]],
                 reply["paging"]), ([second["id"], first["id"]], [second["id"], first["id"]],
                                    {"total_count": 2, "start_offset": 1, "end_offset": 2}),
                "GET /v2/meetings/{id}/livestream")
    status, reply = server.rest("GET", "/v2/livestreams")
    check_equal(([d["id"] for d in reply["data"]], reply["paging"]),
                ([second["id"], first["id"]], {"total_count": 2, "start_offset": 1, "end_offset": 2}),
                "GET /v2/livestreams: newest first")
    check_equal([d["id"] for d in server.rest_ok("GET", "/v2/livestreams?sort_order=ASC")],
                [first["id"], second["id"]], "sort_order=ASC")
    check_equal([d["id"] for d in server.rest_ok("GET", "/v2/livestreams?sort_order=DSC")],
                [second["id"], first["id"]], "sort_order=DSC")
    status, reply = server.rest("GET", "/v2/livestreams?sort_order=ASC&per_page=1&page_no=2")
    check_equal(([d["id"] for d in reply["data"]], reply["paging"]),
                ([second["id"]], {"total_count": 2, "start_offset": 2, "end_offset": 2}), "page 2 of 1")
    session_id = server.rest_ok("GET", "/v2/livestreams/%s" % first["id"])["livestream"]["session_id"]
    status, reply = server.rest("GET", "/v2/sessions/%s/livestream-sessions" % session_id)
    check_equal(([d["id"] for d in reply["data"]["data"]], reply["data"]["paging"], reply["paging"]),
                ([first["id"], second["id"]], {"total_count": 2, "start_offset": 1, "end_offset": 2},
                 {"total_count": 2, "start_offset": 1, "end_offset": 2}),
                "GET /v2/sessions/{id}/livestream-sessions")
    check_equal(server.rest("GET", "/v2/sessions/00000000-0000-4000-8000-000000000000/livestream-sessions")[0],
                404, "livestream sessions of an unknown session")
    check_equal(server.rest_ok("GET", "/v2/livestreams?exclude_meetings=true"), [], "exclude_meetings=true")
    check_equal(server.rest_ok("GET", "/v2/livestreams?status=LIVE"), [], "none LIVE now")
    future = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
    past = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600))
    check_equal(server.rest_ok("GET", "/v2/livestreams?start_time=%s" % future), [], "start_time in the future")
    check_equal(server.rest_ok("GET", "/v2/livestreams?end_time=%s" % past), [], "end_time in the past")
    check_equal(len(server.rest_ok("GET", "/v2/livestreams?start_time=%s&end_time=%s" % (past, future))), 2,
                "both inside the range")
    check_equal(server.rest("GET", "/v2/livestreams?status=DONE"),
                (400, error(400, "query 'status' must be one of LIVE, IDLE, ERRORED, INVOKED")), "a bad status")
    check_equal(server.rest("GET", "/v2/livestreams?sort_order=UP"),
                (400, error(400, "query 'sort_order' must be ASC or DSC")), "a bad sort_order")
    check_equal(server.rest("GET", "/v2/livestreams?start_time=yesterday"), (400, error(
        400, "queries 'start_time' and 'end_time' must be ISO 8601 times (e.g. 2026-12-07T00:00:00Z)")),
        "a bad start_time")
    log("livestreams: {message} on stop, sessions, GET /v2/livestreams with filters, order and paging")


async def main():
    server = Server().start()
    meeting = server.create_meeting(title="Parity")
    other = server.create_meeting(title="Another")
    host = server.add_participant(meeting["id"], "Host", "group_call_host")
    guest = server.add_participant(meeting["id"], "Guest")
    refusals_before_join(server, meeting["id"], other["id"], host, guest)
    client = RtkClient(server, "host")
    await client.join(host["token"])
    await client.publish()
    with tempfile.TemporaryDirectory() as directory:
        rec, wall = await participant_recording(server, meeting["id"], host, guest, directory)
        secret = jwt_secret_bytes(server.credentials["jwt_secret"], host["token"])
        signed_download(server, rec, wall, secret, directory)
        voice = await audio_only(server, meeting["id"], directory)
        recording_list_filters(server, meeting["id"], rec["id"], voice["id"])
    await livestreams(server, meeting["id"])
    await client.close()
    server.stop()


if __name__ == "__main__":
    run_test(main)
