#!/usr/bin/python3
"""test_prejoin.py - participants.getParticipantsInMeetingPreJoin over the Janus API.

Owns docs/protocol.md "Before joining" end to end:
  * on a fresh handle with P's token, before anyone joined: self (userId,
    name, presetName, permissions, config, roomState "init"), the meeting
    meta (meetingId, meetingTitle, sessionId null) and no participants;
    no live session appears (GET active-session stays 404);
  * with H (group_call_host) and X (a hidden_participant preset) joined,
    P's answer lists H only (as roomJoined lists it, X hidden), with the
    live session's sessionId; H gets no event from it, the active session
    still counts 2, and P then joins on the same handle (it stayed fresh):
    roomJoined, and H gets participantJoined;
  * a participant whose preset has show_participant_list false gets the
    meta and no participants;
  * a malformed token is refused as join refuses it (0005), and so is the
    request on a handle that already joined (0004).
"""

from rtk_harness import RtkClient, Server, check, check_equal, check_error, log, run_test

PREJOIN = "participants.getParticipantsInMeetingPreJoin"


async def prejoin(client, token):
    await client.connect()
    event = await client.request(client.main, {"request": PREJOIN, "token": token})
    return event


async def main():
    server = Server().start()
    meeting = server.create_meeting(title="Lobby")
    mid = meeting["id"]
    server.rest_ok("POST", "/v2/presets", {"name": "hidden_observer",
                                           "permissions": {"hidden_participant": True}})
    server.rest_ok("POST", "/v2/presets", {"name": "no_list",
                                           "permissions": {"show_participant_list": False}})
    rh = server.add_participant(mid, "H", "group_call_host")
    rx = server.add_participant(mid, "X", "hidden_observer")
    rp = server.add_participant(mid, "P")
    rq = server.add_participant(mid, "Q", "no_list")
    active = "/v2/meetings/%s/active-session" % mid

    # -- nobody in yet
    p = RtkClient(server, "p")
    event = await prejoin(p, rp["token"])
    check_equal(event.name, "participantsInMeetingPreJoin", "reply to the pre-join request")
    data = event.data
    me = data.get("self") or {}
    check_equal((me.get("userId"), me.get("name"), me.get("presetName"), me.get("roomState")),
                (rp["id"], "P", "group_call_participant", "init"),
                "self before joining (userId, name, presetName, roomState)")
    check(isinstance(me.get("permissions"), dict) and isinstance(me.get("config"), dict),
          "self carries permissions and config: %r" % me)
    meta = data.get("meeting") or {}
    check_equal((meta.get("meetingId"), meta.get("meetingTitle"), meta.get("sessionId")),
                (mid, "Lobby", None), "meeting meta with no live session")
    check_equal(data.get("participants"), [], "participants with nobody in")
    status, _ = server.rest("GET", active)
    check_equal(status, 404, "active session after a pre-join request alone")
    log("pre-join with nobody in: self and meta, no participants, no session")

    # -- H and a hidden X in
    h, x = RtkClient(server, "h"), RtkClient(server, "x")
    await h.join(rh["token"])
    await x.join(rx["token"])
    event = await prejoin(p, rp["token"])
    data = event.data
    check_equal([(q.get("id"), q.get("userId"), q.get("name")) for q in data.get("participants") or []],
                [(h.peer_id, rh["id"], "H")], "participants P may see before joining (X is hidden)")
    check_equal(data["meeting"].get("sessionId"), h.joined["meeting"]["sessionId"],
                "sessionId of the live session")
    check_equal(h.janus.events(h.main, "participantJoined"), [], "H's participantJoined events so far")
    session = server.rest_ok("GET", active)
    check_equal(session.get("live_participants"), 2, "live participants after P's pre-join")
    joined = await p.join(rp["token"])
    check_equal(sorted(q.get("id") for q in joined.get("participants") or []), [h.peer_id],
                "roomJoined's participants of P (the same list)")
    await h.wait_event("participantJoined", where=lambda e: (e.data.get("participant") or {})
                       .get("id") == p.peer_id)
    log("pre-join lists H (not hidden X); P joins on the same handle afterwards")

    # -- a preset without the participant list
    q = RtkClient(server, "q")
    data = (await prejoin(q, rq["token"])).data
    check_equal((data["meeting"].get("meetingId"), data.get("participants")), (mid, []),
                "pre-join of a preset without show_participant_list (meetingId, participants)")

    # -- refusals
    r = RtkClient(server, "r")
    check_error(await prejoin(r, "not-a-token"), "0005", "pre-join with a malformed token")
    check_error(await p.request(p.main, {"request": PREJOIN, "token": rp["token"]}), "0004",
                "pre-join on a joined handle")
    log("refusals as join's")
    server.stop()


if __name__ == "__main__":
    run_test(main)
