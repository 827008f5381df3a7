#!/usr/bin/python3
"""test_rest_parity.py - RealtimeKit REST parity of meetings, presets and
participants (issue 16), against a real server, as a user of RealtimeKit
switching to RTK with their code would meet it:
  * meetings take recording_config, ai_config, preferred_region,
    session_keep_alive_time_in_secs and transcribe_on_end: stored, echoed
    on create, GET, list, PATCH and PUT; a config with a bad value answers
    400 naming the full key; the write-only storage secrets never come back;
    they survive a restart;
  * PUT /v2/meetings/{id} and PUT /v2/presets/{id} replace: what they do not
    give returns to the default; a preset's PUT needs its name;
  * GET /v2/meetings narrows by search (title or id, either case),
    start_time / end_time (ISO 8601, on created_at) and repeated status,
    with 400 for a bad value;
  * field errors of meetings, presets and participants are 400 in the
    {success: false, error: {code, message}} envelope;
  * participants: client_specific_id is custom_participant_id's legacy name
    (echoed on create); PATCH answers a token of the current generation,
    which joins, and revokes nothing, while a refresh still revokes;
  * presets with AUDIO_ROOM and fhd/uhd: stored, echoed, and a participant
    holding an AUDIO_ROOM preset joins with viewType AUDIO_ROOM;
  * a meeting's recording_config is its recordings' default: record_on_start
    and POST /v2/recordings without a config take it, a request's own keys
    win;
  * the same calls through the official Cloudflare TypeScript SDK (npm
    cloudflare) where it has them (rest_parity_sdk.mjs), when the package is
    installed in tests/cloudflare_sdk (or $RTK_CLOUDFLARE_SDK_DIR).
"""

import asyncio
import json
import os
import subprocess

from rtk_harness import SRCDIR, RtkClient, Server, check, check_equal, jwt_claims, log, run_test

NO_SUCH_ID = "00000000-0000-4000-8000-000000000000"

RECORDING_CONFIG = {
    "max_seconds": 120, "file_name_prefix": "parity",
    "video_config": {"codec": "VP8", "width": 320, "height": 240, "export_file": True,
                     "watermark": {"url": "https://example.com/w.png", "size": {"width": 16, "height": 16},
                                   "position": "right bottom"}},
    "audio_config": {"codec": "AAC", "channel": "stereo", "export_file": True},
    "storage_config": {"type": "aws", "access_key": "AKIA-PARITY", "secret": "s3cr3t", "bucket": "recs",
                       "region": "us-east-1", "path": "meetings/"},
    "realtimekit_bucket_config": {"enabled": False},
    "live_streaming_config": {"rtmp_url": "rtmp://live.example/app"},
}
# What comes back: the storage secrets are written, never shown.
RECORDING_CONFIG_SHOWN = json.loads(json.dumps(RECORDING_CONFIG))
del RECORDING_CONFIG_SHOWN["storage_config"]["access_key"]
del RECORDING_CONFIG_SHOWN["storage_config"]["secret"]
AI_CONFIG = {"transcription": {"keywords": ["RTK", "Janus"], "language": "fr", "profanity_filter": True},
             "summarization": {"word_limit": 500, "text_format": "markdown", "summary_type": "team_meeting"}}

DEFAULTS = {"title": None, "record_on_start": False, "live_stream_on_start": False, "persist_chat": False,
            "summarize_on_end": False, "transcribe_on_end": False, "preferred_region": None,
            "session_keep_alive_time_in_secs": 0, "recording_config": None, "ai_config": None,
            "parent_meeting_id": None}


def settings(meeting):
    return {k: meeting[k] for k in DEFAULTS}


def expect_error(server, status, method, path, body, message):
    """A refused request: exact status and body."""
    got, reply = server.rest(method, path, body)
    check_equal((got, reply), (status, {"success": False, "error": {"code": status, "message": message}}),
                "%s %s %s" % (method, path, json.dumps(body)))


def check_meeting_settings(server):
    plain = server.rest_ok("POST", "/v2/meetings", {}, statuses=(201,))
    check_equal(settings(plain), DEFAULTS, "settings of a meeting created with {}")
    check_equal(set(plain), set(DEFAULTS) | {"id", "status", "created_at", "updated_at"}, "keys of a meeting")

    body = {"title": "Parity", "record_on_start": None, "live_stream_on_start": False, "persist_chat": True,
            "transcribe_on_end": True, "preferred_region": "us-east-1", "session_keep_alive_time_in_secs": 300,
            "recording_config": RECORDING_CONFIG, "ai_config": AI_CONFIG}
    m = server.rest_ok("POST", "/v2/meetings", body, statuses=(201,))
    want = dict(DEFAULTS, title="Parity", persist_chat=True, transcribe_on_end=True, preferred_region="us-east-1",
                session_keep_alive_time_in_secs=300, recording_config=RECORDING_CONFIG_SHOWN, ai_config=AI_CONFIG)
    check_equal(settings(m), want, "settings echoed by POST")
    check_equal(server.rest_ok("GET", "/v2/meetings/" + m["id"]), m, "GET of the meeting")
    listed = server.rest_ok("GET", "/v2/meetings?search=" + m["id"])
    check_equal(listed, [m], "the meeting in the list")
    log("meeting settings: stored and echoed on POST, GET and the list; storage secrets hidden")

    patched = server.rest_ok("PATCH", "/v2/meetings/" + m["id"],
                             {"session_keep_alive_time_in_secs": 45.5, "ai_config": None, "status": "INACTIVE"})
    check_equal(settings(patched), dict(want, session_keep_alive_time_in_secs=45.5, ai_config=None),
                "settings after PATCH")
    check_equal(patched["status"], "INACTIVE", "status after PATCH")

    replaced = server.rest_ok("PUT", "/v2/meetings/" + m["id"], {"title": "Replaced", "live_stream_on_start": True})
    check_equal(settings(replaced), dict(DEFAULTS, title="Replaced", live_stream_on_start=True),
                "settings after PUT (the rest back to the defaults)")
    check_equal((replaced["id"], replaced["status"], replaced["created_at"]), (m["id"], "INACTIVE", m["created_at"]),
                "id, status and created_at after PUT")
    again = server.rest_ok("PUT", "/v2/meetings/" + m["id"], dict(body, status="ACTIVE"))
    check_equal(settings(again), want, "settings after a PUT of everything")
    check_equal(again["status"], "ACTIVE", "status set by PUT")
    log("PATCH changes what it names; PUT returns the rest to the defaults and keeps the status")

    path = "/v2/meetings"
    for method, where, bad, message in (
            ("POST", path, {"preferred_region": "moon-1"},
             "field 'preferred_region' must be one of ap-south-1, ap-southeast-1, us-east-1, eu-central-1"),
            ("POST", path, {"title": 42}, "field 'title' must be a string or null"),
            ("POST", path, {"session_keep_alive_time_in_secs": 601},
             "field 'session_keep_alive_time_in_secs' must be a number of seconds from 0 to 600"),
            ("POST", path, {"transcribe_on_end": "yes"}, "field 'transcribe_on_end' must be a boolean"),
            ("POST", path, {"recording_config": {"max_seconds": 30}},
             "field 'recording_config.max_seconds' must be an integer from 60 to 86400"),
            ("POST", path, {"recording_config": {"video_config": {"codec": "VP9"}}},
             "field 'recording_config.video_config.codec' must be one of H264, VP8"),
            ("POST", path, {"recording_config": {"storage_config": {"bucket": "b"}}},
             "field 'recording_config.storage_config.type' is required"),
            ("POST", path, {"recording_config": {"audio_config": {"channel": "5.1"}}},
             "field 'recording_config.audio_config.channel' must be one of mono, stereo"),
            ("POST", path, {"ai_config": {"summarization": {"word_limit": 2000}}},
             "field 'ai_config.summarization.word_limit' must be an integer from 150 to 1000"),
            ("POST", path, {"ai_config": {"transcription": {"language": "tlh"}}},
             "field 'ai_config.transcription.language' must be one of en-US, en-IN, de, hi, sv, ru, pl, el, fr, nl"),
            ("PATCH", path + "/" + m["id"], {"status": "CLOSED"}, "field 'status' must be one of ACTIVE, INACTIVE"),
            ("PATCH", path + "/" + m["id"], {"record_on_start": None},
             "field 'record_on_start' must be a boolean, not null"),
            ("PUT", path + "/" + m["id"], {"ai_config": []}, "field 'ai_config' must be an object or null"),
            ("POST", path, {"parent_meeting_id": NO_SUCH_ID},
             "field 'parent_meeting_id': no meeting '%s'" % NO_SUCH_ID)):
        expect_error(server, 400, method, where, bad, message)
    expect_error(server, 404, "PUT", path + "/" + NO_SUCH_ID, {}, "meeting '%s' not found" % NO_SUCH_ID)
    check_equal(server.rest_ok("GET", "/v2/meetings/" + m["id"]), again, "the meeting after the refusals")
    log("field errors of meetings answer 400 naming the full key; nothing changed")
    return again


def check_list_filters(server):
    a = server.create_meeting(title="Parity Standup ALPHA")
    b = server.create_meeting(title="parity standup beta")
    server.rest_ok("PATCH", "/v2/meetings/" + b["id"], {"status": "INACTIVE"})
    c = server.create_meeting(title="Parity retro")

    def found(query):
        status, reply = server.rest("GET", "/v2/meetings?" + query)
        check_equal(status, 200, "GET /v2/meetings?" + query)
        return [x["id"] for x in reply["data"]], reply["paging"]["total_count"]

    check_equal(found("search=PARITY%20STANDUP"), ([b["id"], a["id"]], 2), "search, either case")
    check_equal(found("search=parity+standup&status=ACTIVE"), ([a["id"]], 1), "search and status")
    check_equal(found("search=parity%20standup&status=ACTIVE&status=INACTIVE"), ([b["id"], a["id"]], 2),
                "a repeated status")
    check_equal(found("search=parity%20standup&status=INACTIVE,ACTIVE"), ([b["id"], a["id"]], 2),
                "statuses separated by a comma")
    check_equal(found("search=" + c["id"][:13].upper()), ([c["id"]], 1), "a piece of the id")
    check_equal(found("search=parity%20standup&start_time=" + b["created_at"]), ([b["id"]], 1), "start_time")
    check_equal(found("search=parity%20standup&end_time=" + a["created_at"]), ([a["id"]], 1), "end_time")
    check_equal(found("search=parity%20standup&start_time=" + a["created_at"] + "&end_time=" + b["created_at"]),
                ([b["id"], a["id"]], 2), "both bounds, inclusive")
    check_equal(found("start_time=2001-01-01&end_time=2001-12-31T23:59:59.999%2B14:00"), ([], 0),
                "a range with nothing in it")
    check_equal(found("search=parity%20standup&per_page=1&page_no=2")[1], 2, "total of a narrowed page")
    for query, message in (
            ("start_time=soon", "query parameter 'start_time' must be an ISO 8601 date-time such as "
             "2026-11-22T00:39:42Z or 2026-11-22, not 'soon'"),
            ("end_time=2026-02-30", "query parameter 'end_time' must be an ISO 8601 date-time such as "
             "2026-11-22T00:39:42Z or 2026-11-22, not '2026-02-30'"),
            ("start_time=2026-05-02&end_time=2026-05-01",
             "query parameter 'start_time' (2026-05-02T00:00:00.000Z) is after 'end_time' (2026-05-01T00:00:00.000Z)"),
            ("status=ACTIVE&status=ENDED", "query parameter 'status' must be one of ACTIVE, INACTIVE (repeat it, "
             "or separate values with commas, for several), not 'ENDED'")):
        expect_error(server, 400, "GET", "/v2/meetings?" + query, None, message)
    log("GET /v2/meetings: search, start_time, end_time, repeated status; 400 for bad values")


def check_presets(server):
    body = {"name": "parity-audio-room",
            "config": {"view_type": "AUDIO_ROOM", "media": {"video": {"quality": "uhd"},
                                                            "screenshare": {"quality": "fhd"}}},
            "permissions": {"media": {"video": {"can_produce": "NOT_ALLOWED"},
                                      "screenshare": {"can_produce": "NOT_ALLOWED"}}}}
    p = server.rest_ok("POST", "/v2/presets", body, statuses=(201,))
    config = p["config"]
    check_equal((config["view_type"], config["media"]["video"]["quality"], config["media"]["screenshare"]["quality"],
                 p["permissions"]["media"]["video"]["can_produce"]),
                ("AUDIO_ROOM", "uhd", "fhd", "NOT_ALLOWED"), "an AUDIO_ROOM preset as created")
    check_equal(server.rest_ok("GET", "/v2/presets/" + p["id"]), p, "GET of the AUDIO_ROOM preset")
    template = next(x for x in server.rest_ok("GET", "/v2/presets?per_page=100")
                    if x["name"] == "group_call_participant")
    replaced = server.rest_ok("PUT", "/v2/presets/" + p["id"], {"name": "parity-replaced"})
    check_equal((replaced["id"], replaced["name"]), (p["id"], "parity-replaced"), "id and name after PUT")
    check_equal([replaced[k] for k in ("config", "permissions", "ui")],
                [template[k] for k in ("config", "permissions", "ui")], "documents after a PUT of a name alone")
    restored = server.rest_ok("PUT", "/v2/presets/" + p["id"], dict(body, name="parity-audio-room"))
    check_equal([restored[k] for k in ("name", "config", "permissions", "ui")],
                [p[k] for k in ("name", "config", "permissions", "ui")], "a PUT of the created body")
    for method, path, bad, message in (
            ("PUT", "/v2/presets/" + p["id"], {"config": {"view_type": "AUDIO_ROOM"}}, "field 'name' is required"),
            ("POST", "/v2/presets", {"name": "x", "config": {"view_type": "STADIUM"}},
             "field 'config.view_type' must be one of GROUP_CALL, WEBINAR, AUDIO_ROOM, LIVESTREAM"),
            ("PATCH", "/v2/presets/" + p["id"], {"config": {"media": {"video": {"quality": "8k"}}}},
             "field 'config.media.video.quality' must be one of hd, vga, qvga, fhd, uhd"),
            ("POST", "/v2/presets", {"name": ""}, "field 'name' must not be empty")):
        expect_error(server, 400, method, path, bad, message)
    expect_error(server, 409, "PUT", "/v2/presets/" + p["id"], {"name": "group_call_host"},
                 "a preset named 'group_call_host' already exists")
    log("presets: AUDIO_ROOM, uhd, fhd stored and echoed; PUT replaces; field errors 400")
    return restored


async def check_participants(server, preset):
    meeting = server.create_meeting(title="Parity people")
    base = "/v2/meetings/%s/participants" % meeting["id"]
    legacy = server.rest_ok("POST", base, {"name": "Old code", "preset_name": preset["name"],
                                           "client_specific_id": "legacy-1"}, statuses=(201,))
    check_equal((legacy["custom_participant_id"], legacy["client_specific_id"]), ("legacy-1", "legacy-1"),
                "custom_participant_id and client_specific_id of a participant added with the legacy name")
    fetched = server.rest_ok("GET", "%s/%s" % (base, legacy["id"]))
    check_equal((fetched["custom_participant_id"], "client_specific_id" in fetched), ("legacy-1", False),
                "the participant as GET shows it")
    for bad, message in (
            ({"preset_name": "group_call_host"},
             "field 'custom_participant_id' is required (or its legacy name 'client_specific_id')"),
            ({"preset_name": "group_call_host", "custom_participant_id": "a", "client_specific_id": "b"},
             "fields 'custom_participant_id' and 'client_specific_id' name the same thing and must be equal "
             "when both are given"),
            ({"preset_name": "nope", "custom_participant_id": "a"}, "field 'preset_name': no preset named 'nope'"),
            ({"preset_name": "group_call_host", "custom_participant_id": 7},
             "field 'custom_participant_id' must be a string")):
        expect_error(server, 400, "POST", base, bad, message)
    expect_error(server, 400, "PATCH", "%s/%s" % (base, legacy["id"]), {"name": []},
                 "field 'name' must be a string or null")

    # The AUDIO_ROOM preset reaches the client as its view type.
    client = RtkClient(server, "listener")
    joined = await client.join(legacy["token"])
    check_equal(joined["meeting"]["viewType"], "AUDIO_ROOM", "viewType of an AUDIO_ROOM participant")

    # PATCH: a token of the current generation; nothing revoked, the presence stays.
    edited = server.rest_ok("PATCH", "%s/%s" % (base, legacy["id"]), {"name": "Renamed"})
    check_equal(edited["name"], "Renamed", "name after PATCH")
    claims = jwt_claims(edited["token"])
    check_equal((claims["participantId"], claims["presetId"], claims["tokenGeneration"]),
                (legacy["id"], preset["id"], 0), "claims of the PATCH token")
    await client.leave()
    again = RtkClient(server, "listener-again")
    await again.join(legacy["token"])      # the first token still admits
    await again.leave()
    third = RtkClient(server, "listener-patched")
    await third.join(edited["token"])      # so does PATCH's
    await third.leave()
    refreshed = server.rest_ok("POST", "%s/%s/token" % (base, legacy["id"]), statuses=(201,))
    check_equal(jwt_claims(refreshed["token"])["tokenGeneration"], 1, "generation of a refreshed token")
    revoked = RtkClient(server, "listener-revoked")
    await revoked.connect()
    event = await revoked.request(revoked.main, {"request": "join", "token": edited["token"]}, expect="error")
    check_equal((event.data.get("error") or {}).get("code"), "0011", "a join with a PATCH token after a refresh")
    later = server.rest_ok("PATCH", "%s/%s" % (base, legacy["id"]), {"picture": None})
    check_equal(jwt_claims(later["token"])["tokenGeneration"], 1, "generation of a PATCH token after a refresh")
    log("participants: client_specific_id; PATCH answers a joining token and revokes nothing; refresh revokes")


async def check_recording_defaults(server):
    config = {"file_name_prefix": "auto", "max_seconds": 900,
              "video_config": {"codec": "VP8", "width": 320, "height": 240}}
    auto = server.create_meeting(title="Parity auto recording", record_on_start=True, recording_config=config)
    rest = server.add_participant(auto["id"], "Recorded")
    client = RtkClient(server, "recorded")
    joined = await client.join(rest["token"])
    rec = server.rest_ok("GET", "/v2/recordings/%s" % joined["recording"]["recordings"][0]["id"])
    check_equal((rec["file_name_prefix"], rec["max_seconds"], rec["video_config"]),
                ("auto", 900, {"codec": "VP8", "width": 320, "height": 240, "export_file": True, "layout": "GRID"}),
                "record_on_start: prefix, max_seconds and video_config from the meeting's recording_config")
    check(rec["output_file_name"].startswith("auto_"), "output file name %r" % rec["output_file_name"])
    server.rest_ok("PUT", "/v2/recordings/%s" % rec["id"], {"action": "stop"})

    manual = server.create_meeting(title="Parity REST recording", recording_config=config)
    rest = server.add_participant(manual["id"], "Host", "group_call_host")
    host = RtkClient(server, "host")
    await host.join(rest["token"])
    rec = server.rest_ok("POST", "/v2/recordings", {"meeting_id": manual["id"]}, statuses=(201,))
    check_equal((rec["file_name_prefix"], rec["max_seconds"], rec["video_config"]),
                ("auto", 900, {"codec": "VP8", "width": 320, "height": 240, "export_file": True, "layout": "GRID"}),
                "POST /v2/recordings without a config: the meeting's")
    server.rest_ok("PUT", "/v2/recordings/%s" % rec["id"], {"action": "stop"})
    rec = server.rest_ok("POST", "/v2/recordings", {"meeting_id": manual["id"], "allow_multiple_recordings": True,
                                                    "video_config": {"codec": "H264"}, "max_seconds": 60},
                         statuses=(201,))
    check_equal((rec["file_name_prefix"], rec["max_seconds"], rec["video_config"]["codec"]),
                ("auto", 60, "H264"), "POST /v2/recordings: its own keys win, the others are the meeting's")
    server.rest_ok("PUT", "/v2/recordings/%s" % rec["id"], {"action": "stop"})
    await client.leave()
    await host.leave()
    log("recording_config: the default of record_on_start and of POST /v2/recordings")


def check_sdk(server):
    sdk = os.environ.get("RTK_CLOUDFLARE_SDK_DIR") or os.path.join(SRCDIR, "tests", "cloudflare_sdk")
    if not os.path.isdir(os.path.join(sdk, "node_modules", "cloudflare")):
        log("Cloudflare SDK checks not run: no node_modules/cloudflare in %s (npm ci --prefix tests/cloudflare_sdk)"
            % sdk)
        return
    env = dict(os.environ, RTK_PARITY_SDK=json.dumps({"base": server.rest_base,
                                                      "apiKey": server.credentials["api_key"], "sdk": sdk}))
    out = subprocess.run(["node", os.path.join(SRCDIR, "tests", "integration", "rest_parity_sdk.mjs")],
                         env=env, capture_output=True, text=True, timeout=120, check=False)
    for line in out.stdout.splitlines():
        log("sdk: " + line)
    check(out.returncode == 0, "the Cloudflare SDK checks failed:\n%s%s" % (out.stdout, out.stderr))


async def main():
    server = Server().start()
    meeting = check_meeting_settings(server)
    check_list_filters(server)
    preset = check_presets(server)
    await check_participants(server, preset)
    await check_recording_defaults(server)
    check_sdk(server)
    server.restart()
    check_equal(server.rest_ok("GET", "/v2/meetings/" + meeting["id"]), meeting, "the meeting after a restart")
    log("the settings survive a restart")
    server.stop()


if __name__ == "__main__":
    run_test(main)
