#!/usr/bin/python3
"""test_active_session_rest.py - the REST API acts on a meeting in session.

Owns docs/rest.md "Active session" end to end: what the REST answers and
what the participants in the meeting see and hear.
  * GET /v2/meetings/{id}/active-session: 404 before anyone joins; with two
    participants in (publishing), 200 with the session id the SDK sees
    (sessionId), live_participants 2 and both participants (id, peer_id,
    name, custom_participant_id, preset_name, media flags, stage_status);
  * POST .../mute {custom_participant_ids: [P1's]}: 200 listing P1; P1 gets
    audioUpdate with its own id, audioEnabled false, canUnmute false
    (disabledBy null: the server did it); P2 gets audioUpdate false and
    decodes no more of P1's audio while P1's video flows; P1 cannot unmute
    (0905);
  * POST .../mute-all {allow_unmute: true}: 200 listing both; each gets its
    own audioUpdate with canUnmute true;
  * POST .../kick {participant_ids: [P1's]}: 200 listing P1; P1 gets roomLeft
    state "kicked", P2 participantLeft; GET then lists only P2;
  * bad input: kick {} and participant_ids that is not an array -> 422,
    allow_unmute not a boolean -> 422, an unknown meeting -> 404;
  * POST .../kick-all: P2 gets roomLeft "kicked"; GET is 404 again, and so
    are the actions (nobody in);
  * a meeting with session_keep_alive_time_in_secs 3: after its last
    participant leaves, GET still shows its session LIVE with nobody in; a
    join meanwhile continues the same session; it ends (404, history ENDED)
    3 s after the last leave, not before.
"""

import asyncio
import time

from rtk_harness import RtkClient, Server, check, check_equal, from_peer, log, run_test

VIDEO_FRAMES = 30
AUDIO_FRAMES = 50
MEDIA_TIMEOUT = 20
UNKNOWN_MEETING = "00000000-0000-4000-8000-000000000000"
KEEP_ALIVE_S = 3


def expect_status(server, method, path, body, status, what):
    got, reply = server.rest(method, path, body)
    check_equal(got, status, "%s: HTTP status (%s)" % (what, server.last_text))
    check(isinstance(reply, dict) and reply.get("success") is (status == 200),
          "%s: envelope: %s" % (what, server.last_text))
    if status != 200:
        check_equal((reply.get("error") or {}).get("code"), status, what + ": error.code")
    return reply.get("data")


def check_action(data, action, expected, what):
    """An action's answer: {"action", "participants": [...]} naming `expected` (REST participants)."""
    check_equal(data.get("action"), action, what + ": action")
    check_equal(sorted((p.get("id"), p.get("custom_participant_id"))
                       for p in data.get("participants") or []),
                sorted((r["id"], r["custom_participant_id"]) for r in expected),
                what + ": (id, custom_participant_id) of participants")


async def main():
    server = Server().start()
    meeting = server.create_meeting(title="Active session")
    base = "/v2/meetings/%s/active-session" % meeting["id"]
    rests = {"p1": server.add_participant(meeting["id"], "P1"),
             "p2": server.add_participant(meeting["id"], "P2", "group_call_host")}

    expect_status(server, "GET", base, None, 404, "GET active-session before anyone joined")
    expect_status(server, "POST", base + "/kick-all", None, 404, "kick-all before anyone joined")

    p1, p2 = RtkClient(server, "p1"), RtkClient(server, "p2")
    for client in (p1, p2):
        await client.join(rests[client.name]["token"])
        await client.publish()
    for client in (p1, p2):
        await client.subscribe(rests[client.name]["token"])
    await p2.wait_frames(p1.peer_id, VIDEO_FRAMES, AUDIO_FRAMES, MEDIA_TIMEOUT)
    await p1.wait_frames(p2.peer_id, VIDEO_FRAMES, AUDIO_FRAMES, MEDIA_TIMEOUT)

    session = expect_status(server, "GET", base, None, 200, "GET active-session with two in")
    check_equal((session.get("id"), session.get("meeting_id"), session.get("live_participants")),
                (p1.joined["meeting"]["sessionId"], meeting["id"], 2),
                "active session (id, meeting_id, live_participants)")
    check(isinstance(session.get("started_at"), str) and session["started_at"].endswith("Z"),
          "started_at is not an ISO time: %r" % session.get("started_at"))
    # RealtimeKit's shape of an active session, as GET /v2/sessions/{id} has it
    check_equal({k: session.get(k) for k in ("associated_id", "meeting_display_name", "type", "status",
                                             "organization_id", "ended_at")},
                {"associated_id": meeting["id"], "meeting_display_name": "Active session", "type": "meeting",
                 "status": "LIVE", "organization_id": server.credentials["org_id"], "ended_at": None},
                "the active session's RealtimeKit fields")
    check(session.get("max_concurrent_participants") == 2,
          "max_concurrent_participants with two in: %r" % session.get("max_concurrent_participants"))
    check(isinstance(session.get("minutes_consumed"), (int, float)) and session["minutes_consumed"] >= 0,
          "minutes_consumed: %r" % session.get("minutes_consumed"))
    for field in ("created_at", "updated_at"):
        check(isinstance(session.get(field), str) and session[field].endswith("Z"),
              "%s is not an ISO time: %r" % (field, session.get(field)))
    listed = sorted((p.get("id"), p.get("peer_id"), p.get("name"), p.get("custom_participant_id"),
                     p.get("preset_name"), p.get("audio_enabled"), p.get("video_enabled"),
                     p.get("screenshare_enabled"), p.get("stage_status"))
                    for p in session.get("participants") or [])
    check_equal(listed, sorted((r["id"], c.peer_id, r["name"], r["custom_participant_id"],
                                r["preset_name"], True, True, False, "ON_STAGE")
                               for c, r in ((p1, rests["p1"]), (p2, rests["p2"]))),
                "participants of the active session")
    log("active session lists both participants")

    # -- mute one, by custom id
    data = expect_status(server, "POST", base + "/mute",
                         {"custom_participant_ids": [rests["p1"]["custom_participant_id"]]}, 200,
                         "mute P1 by custom id")
    check_action(data, "mute", [rests["p1"]], "mute P1")
    own = await p1.wait_event("audioUpdate", where=from_peer(p1.peer_id))
    check_equal((own.data.get("audioEnabled"), own.data.get("canUnmute"), own.data.get("disabledBy")),
                (False, False, None), "P1's own audioUpdate (audioEnabled, canUnmute, disabledBy)")
    await p2.wait_event("audioUpdate", where=from_peer(p1.peer_id, audioEnabled=False))
    stray = await p2.check_stopped(p1.peer_id, ["audio"], p2, p1.peer_id, what="were muted over REST")
    log("P2 hears P1 no more (%d frames in flight); P1's video flows" % stray["audio"])
    await p1.refused({"request": "configure", "audio": True}, "0905")
    session = expect_status(server, "GET", base, None, 200, "GET active-session after the mute")
    check_equal({p["id"]: p["audio_enabled"] for p in session["participants"]},
                {rests["p1"]["id"]: False, rests["p2"]["id"]: True},
                "audio_enabled of each participant after the mute")

    # -- mute everyone, allowing unmute
    data = expect_status(server, "POST", base + "/mute-all", {"allow_unmute": True}, 200, "mute-all")
    check_action(data, "mute-all", [rests["p1"], rests["p2"]], "mute-all")
    check_equal(data.get("muted_participants_count"), 2, "mute-all's muted_participants_count")
    for client in (p1, p2):
        own = await client.wait_event("audioUpdate", where=from_peer(client.peer_id))
        check_equal((own.data.get("audioEnabled"), own.data.get("canUnmute")), (False, True),
                    "%s's own audioUpdate after mute-all (audioEnabled, canUnmute)" % client.name)
    await p1.wait_event("audioUpdate", where=from_peer(p2.peer_id, audioEnabled=False))
    state = await p1.configure(audio=True)
    check_equal(state.get("audioEnabled"), True,
                "P1's audioEnabled when unmuting after mute-all allowed it")
    await p2.wait_event("audioUpdate", where=from_peer(p1.peer_id, audioEnabled=True))
    now = p2.frames[p1.peer_id]["audio"]
    await p2.wait_frames(p1.peer_id, audio=now + AUDIO_FRAMES, timeout=MEDIA_TIMEOUT)
    log("P1 unmuted once allowed; P2 decodes its audio again")

    # -- bad input
    expect_status(server, "POST", base + "/kick", {}, 422, "kick naming nobody")
    expect_status(server, "POST", base + "/kick", {"participant_ids": rests["p1"]["id"]}, 422,
                  "kick with participant_ids not an array")
    expect_status(server, "POST", base + "/mute", {"participant_ids": [rests["p1"]["id"]],
                                                   "allow_unmute": "yes"}, 422,
                  "mute with allow_unmute not a boolean")
    unknown = "/v2/meetings/%s/active-session" % UNKNOWN_MEETING
    expect_status(server, "GET", unknown, None, 404, "GET active-session of an unknown meeting")
    expect_status(server, "POST", unknown + "/kick", {"participant_ids": [rests["p1"]["id"]]}, 404,
                  "kick in an unknown meeting")
    check_equal([e.name for e in p1.janus.events(p1.main, "roomLeft")], [],
                "roomLeft events P1 got from the refused requests")

    # -- kick one
    data = expect_status(server, "POST", base + "/kick", {"participant_ids": [rests["p1"]["id"]]},
                         200, "kick P1")
    check_action(data, "kick", [rests["p1"]], "kick P1")
    left = await p1.wait_event("roomLeft")
    check_equal(left.data.get("state"), "kicked", "P1's roomLeft state")
    gone = await p2.wait_event("participantLeft", where=from_peer(p1.peer_id))
    check_equal(gone.data.get("userId"), rests["p1"]["id"], "userId in P2's participantLeft")
    session = expect_status(server, "GET", base, None, 200, "GET active-session after the kick")
    check_equal((session.get("live_participants"), [p.get("id") for p in session["participants"]]),
                (1, [rests["p2"]["id"]]), "active session (live_participants, ids) after the kick")

    # -- kick everyone
    data = expect_status(server, "POST", base + "/kick-all", None, 200, "kick-all")
    check_action(data, "kick-all", [rests["p2"]], "kick-all")
    check_equal(data.get("kicked_participants_count"), 1, "kick-all's kicked_participants_count")
    left = await p2.wait_event("roomLeft")
    check_equal(left.data.get("state"), "kicked", "P2's roomLeft state after kick-all")
    expect_status(server, "GET", base, None, 404, "GET active-session after everyone was kicked")
    expect_status(server, "POST", base + "/mute-all", {}, 404, "mute-all with nobody in")
    log("kick and kick-all emptied the session")
    await keep_alive(server)


async def keep_alive(server):
    """session_keep_alive_time_in_secs: the session outlives its last
    participant that long (LIVE, nobody in), a participant who comes back
    meanwhile continues it, and it ends once the time is up."""
    meeting = server.create_meeting(title="Kept alive", session_keep_alive_time_in_secs=KEEP_ALIVE_S)
    base = "/v2/meetings/%s/active-session" % meeting["id"]
    rest = server.add_participant(meeting["id"], "Ada")
    ada = RtkClient(server, "ada")
    await ada.join(rest["token"])
    session_id = ada.joined["meeting"]["sessionId"]
    await ada.leave()
    session = expect_status(server, "GET", base, None, 200, "GET active-session right after the last one left")
    check_equal((session.get("id"), session.get("status"), session.get("live_participants"),
                 session.get("participants")), (session_id, "LIVE", 0, []),
                "the kept-alive session (id, status, live_participants, participants)")
    again = RtkClient(server, "ada-again")
    await again.join(rest["token"])
    check_equal(again.joined["meeting"]["sessionId"], session_id, "the session id of a join within the keep-alive")
    await again.leave()
    left_at = time.monotonic()
    while server.rest("GET", base)[0] == 200:
        check(time.monotonic() - left_at < KEEP_ALIVE_S + 10, "the session outlived its keep-alive by 10 s")
        await asyncio.sleep(0.1)
    ended_after = time.monotonic() - left_at
    check(ended_after >= KEEP_ALIVE_S - 0.5, "the session ended %.1f s after the last leave, before its %d s "
          "keep-alive" % (ended_after, KEEP_ALIVE_S))
    ended = server.rest_ok("GET", "/v2/sessions/%s" % session_id)
    check_equal(ended.get("status"), "ENDED", "the session's history status once its keep-alive is over")
    log("a session kept alive %d s: continued by a rejoin, ended %.1f s after the last leave"
        % (KEEP_ALIVE_S, ended_after))


if __name__ == "__main__":
    run_test(main)
