#!/usr/bin/python3
"""test_prejoin.py - participants.getParticipantsInMeetingPreJoin over the Janus API.

Owns docs/protocol.md "Before joining" end to end:
  * on a fresh handle with P's token, before anyone joined: self (userId,
    name, presetName, permissions, config, roomState "init"), the meeting
    meta (meetingId, meetingTitle, sessionId null) and no participants;
    no live session appears (GET active-session stays 404) and no webhook
    (a receiver of meeting.started and meeting.participantJoined gets
    nothing within QUIET seconds; H's join then makes both arrive);
  * with H (group_call_host) and X (a hidden_participant preset) joined,
    P's answer lists H only (as roomJoined lists it, X hidden), with the
    live session's sessionId; H gets no event from it, the active session
    still counts 2, no webhook arrives, and P then joins on the same
    handle (it stayed fresh): roomJoined, H gets participantJoined, and
    the receiver gets P's meeting.participantJoined;
  * a participant whose preset has show_participant_list false gets the
    meta and no participants;
  * a malformed token is refused as join refuses it (0005), and so is the
    request on a handle that already joined (0004).
"""

import asyncio

from rtk_harness import RtkClient, Server, WebhookReceiver, check, check_equal, check_error, log, run_test

PREJOIN = "participants.getParticipantsInMeetingPreJoin"
QUIET = 2   # seconds a webhook would have had to arrive (deliveries take milliseconds here)


async def prejoin(client, token):
    await client.connect()
    event = await client.request(client.main, {"request": PREJOIN, "token": token})
    return event


async def main():
    server = Server().start()
    receiver = WebhookReceiver()
    hook = server.rest_ok("POST", "/v2/webhooks", {"name": "prejoin", "url": receiver.url,
                                                    "events": ["meeting.started", "meeting.participantJoined"]})
    receiver.secret = hook["secret"]
    meeting = server.create_meeting(title="Lobby")
    mid = meeting["id"]

    def hooks_seen():
        return [(d.get("event"), (d.get("participant") or {}).get("peerId")) for d in receiver.deliveries]
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
    await asyncio.sleep(QUIET)
    check_equal(hooks_seen(), [], "webhooks within %d s of a pre-join with nobody in" % QUIET)
    check_equal(receiver.bad, [], "webhook deliveries whose signature failed")
    log("pre-join with nobody in: self and meta, no participants, no session, no webhook")

    # -- H and a hidden X in
    h, x = RtkClient(server, "h"), RtkClient(server, "x")
    await h.join(rh["token"])
    await receiver.wait(lambda: {e for e, _ in hooks_seen()} == {"meeting.started", "meeting.participantJoined"},
                        "meeting.started and H's meeting.participantJoined after H joined")
    await x.join(rx["token"])
    await asyncio.sleep(0.5)   # X's webhook, if it has one, arrives before the count below
    before = len(receiver.deliveries)
    event = await prejoin(p, rp["token"])
    data = event.data
    check_equal([(q.get("id"), q.get("userId"), q.get("name")) for q in data.get("participants") or []],
                [(h.peer_id, rh["id"], "H")], "participants P may see before joining (X is hidden)")
    check_equal(data["meeting"].get("sessionId"), h.joined["meeting"]["sessionId"],
                "sessionId of the live session")
    check_equal(h.janus.events(h.main, "participantJoined"), [], "H's participantJoined events so far")
    session = server.rest_ok("GET", active)
    check_equal(session.get("live_participants"), 2, "live participants after P's pre-join")
    await asyncio.sleep(QUIET)
    check_equal(hooks_seen()[before:], [], "webhooks within %d s of P's pre-join" % QUIET)
    joined = await p.join(rp["token"])
    check_equal(sorted(q.get("id") for q in joined.get("participants") or []), [h.peer_id],
                "roomJoined's participants of P (the same list)")
    await h.wait_event("participantJoined", where=lambda e: (e.data.get("participant") or {})
                       .get("id") == p.peer_id)
    await receiver.wait(lambda: ("meeting.participantJoined", p.peer_id) in hooks_seen()[before:],
                        "P's meeting.participantJoined once P joined")
    log("pre-join lists H (not hidden X), no webhook; P joins on the same handle afterwards, and a webhook says so")

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
