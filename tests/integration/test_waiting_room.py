#!/usr/bin/python3
"""test_waiting_room.py - guests wait until a host lets them in.

Owns the waiting room of docs/protocol.md ("Waiting room", and the
participants.*WaitingRoomRequest controls), as the SDK user sees it:
  * a preset created over REST from group_call_participant with
    permissions.waiting_room_type ON_PRIVILEGED_USER_ENTRY; a host
    (group_call_host) and a member (group_call_participant, SKIP) are in;
  * two guests with that preset join: each is answered `waitlisted`
    (self.roomState "waitlisted", no participant list), the host gets
    waitlistedParticipantJoined for each, the member hears nothing; a second
    host's roomJoined lists both in `waitlisted`;
  * a waiting guest's publish is refused with 0003; the member's
    participants.acceptWaitingRoomRequest with 0902;
  * the host accepts guest 1: guest 1 gets roomJoined (same peer id, the
    host and the member listed) and may publish, the host gets
    participantJoined and waitlistedParticipantLeft state "accepted", the
    member participantJoined;
  * the host rejects guest 2 (by user id): guest 2 gets roomLeft state
    "rejected" and is out (its publish: 0003), the host
    waitlistedParticipantLeft state "rejected"; accepting someone not
    waiting (guest 2 now, guest 1 already in) is refused with 1205;
  * a guest who leaves while waiting: the host gets waitlistedParticipantLeft
    state "left";
  * ON_PRIVILEGED_USER_ENTRY holds every join: guest 1 leaves and joins
    again and waits again; SKIP_ON_ACCEPT (a second REST preset) holds a
    guest only until accepted once: after leaving, her next join is
    roomJoined at once;
  * participants.acceptAllWaitingRoomRequest with two guests waiting: both
    get roomJoined, the host gets waitlistedParticipantLeft "accepted" and
    participantJoined for each.
"""

from rtk_harness import (RtkClient, Server, about_user, check, check_equal, check_error, log,
                         run_test)

WAITS = "guest-waits"          # ON_PRIVILEGED_USER_ENTRY
WAITS_ONCE = "guest-waits-once"  # SKIP_ON_ACCEPT


def create_preset(server, name, waiting_room_type):
    status, reply = server.rest("POST", "/v2/presets", {
        "name": name, "permissions": {"waiting_room_type": waiting_room_type}})
    check_equal(status, 201, "POST /v2/presets %s: status (%s)" % (name, server.last_text))
    permissions = reply["data"]["permissions"]
    check_equal(permissions.get("waiting_room_type"), waiting_room_type,
                "waiting_room_type of preset %s" % name)
    check_equal(permissions.get("accept_waiting_requests"), False,
                "accept_waiting_requests of preset %s (from group_call_participant)" % name)
    check_equal(permissions.get("media", {}).get("video", {}).get("can_produce"), "ALLOWED",
                "media.video.can_produce of preset %s (from group_call_participant)" % name)


def check_waitlisted(data, rest, meeting, what):
    """The `waitlisted` answer: self with roomState waitlisted, the meeting, nobody else."""
    me = data.get("self") or {}
    check_equal(me.get("userId"), rest["id"], what + ": self.userId")
    check_equal(me.get("customParticipantId"), rest["custom_participant_id"],
                what + ": self.customParticipantId")
    check_equal(me.get("presetName"), rest["preset_name"], what + ": self.presetName")
    check_equal(me.get("roomState"), "waitlisted", what + ": self.roomState")
    check(isinstance(me.get("id"), str) and me["id"], what + ": self.id (peer id) missing")
    check_equal((data.get("meeting") or {}).get("meetingId"), meeting["id"],
                what + ": meeting.meetingId")
    check("participants" not in data,
          what + ": a waitlisted answer lists participants: %r" % data.get("participants"))


def user_ids(participants):
    return sorted(p.get("userId") for p in participants or [])


async def wait_waitlist_left(client, peer, state):
    """`client` (an acceptor) gets waitlistedParticipantLeft about `peer` with `state`."""
    event = await client.wait_event("waitlistedParticipantLeft",
                                    where=lambda e: e.data.get("participantId") == peer.peer_id)
    check_equal((event.data.get("userId"), event.data.get("state")),
                (peer.joined["self"]["userId"], state),
                "%s: (userId, state) of waitlistedParticipantLeft for %s" % (client.name, peer.name))


async def wait_admitted(guest, rest, others):
    """The waiting guest gets roomJoined (pushed, no transaction) listing `others`."""
    waiting_id = guest.peer_id
    event = await guest.wait_event("roomJoined")
    me = event.data.get("self") or {}
    check_equal(me.get("roomState"), "joined", guest.name + "'s roomJoined: self.roomState")
    check_equal(me.get("id"), waiting_id, guest.name + "'s roomJoined: peer id (as while waiting)")
    check_equal(me.get("userId"), rest["id"], guest.name + "'s roomJoined: self.userId")
    check_equal(user_ids(event.data.get("participants")), sorted(o["id"] for o in others),
                guest.name + "'s roomJoined: userIds of participants")
    guest.joined = event.data
    return event.data


async def main():
    server = Server().start()
    create_preset(server, WAITS, "ON_PRIVILEGED_USER_ENTRY")
    create_preset(server, WAITS_ONCE, "SKIP_ON_ACCEPT")
    meeting = server.create_meeting(title="Waiting room")
    mid = meeting["id"]
    host_rest = server.add_participant(mid, "Host", "group_call_host")
    cohost_rest = server.add_participant(mid, "Cohost", "group_call_host")
    member_rest = server.add_participant(mid, "Member", "group_call_participant")
    g1_rest = server.add_participant(mid, "Guest1", WAITS)
    g2_rest = server.add_participant(mid, "Guest2", WAITS)
    g3_rest = server.add_participant(mid, "Guest3", WAITS_ONCE)

    host, member = RtkClient(server, "host"), RtkClient(server, "member")
    joined = await host.join(host_rest["token"])
    check_equal(joined.get("waitlisted"), [], "waitlisted in the host's roomJoined (nobody waits)")
    joined = await member.join(member_rest["token"])
    check_equal(user_ids(joined.get("participants")), [host_rest["id"]],
                "participants in the member's roomJoined")
    check("waitlisted" not in joined,
          "the member (no accept_waiting_requests) is shown the waiting room: %r" % joined)
    await host.wait_event("participantJoined", where=about_user(member_rest["id"]))

    # -- two guests wait
    g1, g2 = RtkClient(server, "guest1"), RtkClient(server, "guest2")
    for guest, rest in ((g1, g1_rest), (g2, g2_rest)):
        check_waitlisted(await guest.join(rest["token"], expect="waitlisted"), rest, meeting,
                         guest.name + "'s join")
        note = await host.wait_event("waitlistedParticipantJoined", where=about_user(rest["id"]))
        check_equal(note.data["participant"].get("id"), guest.peer_id,
                    "peer id in waitlistedParticipantJoined for " + guest.name)
        check_equal(note.data["participant"].get("customParticipantId"),
                    rest["custom_participant_id"],
                    "customParticipantId in waitlistedParticipantJoined for " + guest.name)
    log("both guests wait; the host was told of each")

    cohost = RtkClient(server, "cohost")
    joined = await cohost.join(cohost_rest["token"])
    check_equal([p.get("userId") for p in joined.get("waitlisted") or []],
                [g1_rest["id"], g2_rest["id"]], "waitlisted in a second host's roomJoined")
    check_equal(user_ids(joined.get("participants")), sorted([host_rest["id"], member_rest["id"]]),
                "participants in the second host's roomJoined (the waiting guests not among them)")
    await cohost.leave()

    check_error(await g1.try_publish(), "0003", "a waiting guest's publish")
    await member.refused({"request": "participants.acceptWaitingRoomRequest", "id": g1.peer_id},
                         "0902")
    for guest, expected in ((g1, ["waitlisted", "error"]), (g2, ["waitlisted"])):
        seen = [e.name for e in guest.janus.events(guest.main) if not e.name.startswith("janus:")]
        check_equal(seen, expected, "events %s saw while waiting (a cohost came and went)"
                    % guest.name)

    # -- the host accepts guest 1
    await host.control({"request": "participants.acceptWaitingRoomRequest", "id": g1.peer_id})
    await wait_admitted(g1, g1_rest, [host_rest, member_rest])
    greeting = await host.wait_event("participantJoined", where=about_user(g1_rest["id"]))
    check_equal(greeting.data["participant"].get("id"), g1.peer_id,
                "guest 1's peer id in the host's participantJoined")
    await wait_waitlist_left(host, g1, "accepted")
    await member.wait_event("participantJoined", where=about_user(g1_rest["id"]))
    published = await g1.publish()
    check_equal(sorted(s.get("kind") for s in published.get("streams", [])), ["audio", "video"],
                "kinds guest 1 publishes once accepted")
    log("guest 1 accepted and publishing")

    # -- the host rejects guest 2 (by user id)
    await host.control({"request": "participants.rejectWaitingRoomRequest", "id": g2_rest["id"]})
    left = await g2.wait_event("roomLeft")
    check_equal(left.data.get("state"), "rejected", "roomLeft state of the rejected guest")
    await wait_waitlist_left(host, g2, "rejected")
    check_error(await g2.try_publish(), "0003", "a rejected guest's publish")
    await host.refused({"request": "participants.acceptWaitingRoomRequest", "id": g2.peer_id},
                       "1205")
    await host.refused({"request": "participants.acceptWaitingRoomRequest", "id": g1.peer_id},
                       "1205")
    await host.refused({"request": "participants.rejectWaitingRoomRequest", "id": g1_rest["id"]},
                       "1205")
    log("guest 2 rejected; accepting people not waiting refused with 1205")

    # -- a guest who gives up waiting
    g2b = RtkClient(server, "guest2-again")
    await g2b.join(g2_rest["token"], expect="waitlisted")
    await host.wait_event("waitlistedParticipantJoined", where=about_user(g2_rest["id"]))
    await g2b.leave()
    await wait_waitlist_left(host, g2b, "left")

    # -- ON_PRIVILEGED_USER_ENTRY waits every time; SKIP_ON_ACCEPT once
    await g1.leave()
    await host.wait_event("participantLeft", where=lambda e: e.data.get("participantId") == g1.peer_id)
    g1b = RtkClient(server, "guest1-again")
    check_waitlisted(await g1b.join(g1_rest["token"], expect="waitlisted"), g1_rest, meeting,
                     "guest 1's second join (ON_PRIVILEGED_USER_ENTRY)")
    await host.wait_event("waitlistedParticipantJoined", where=about_user(g1_rest["id"]))

    g3 = RtkClient(server, "guest3")
    check_waitlisted(await g3.join(g3_rest["token"], expect="waitlisted"), g3_rest, meeting,
                     "guest 3's first join (SKIP_ON_ACCEPT)")
    await host.wait_event("waitlistedParticipantJoined", where=about_user(g3_rest["id"]))
    await host.control({"request": "participants.acceptWaitingRoomRequest", "id": g3_rest["id"]})
    await wait_admitted(g3, g3_rest, [host_rest, member_rest])
    await wait_waitlist_left(host, g3, "accepted")
    await g3.leave()
    await host.wait_event("participantLeft", where=lambda e: e.data.get("participantId") == g3.peer_id)
    g3b = RtkClient(server, "guest3-again")
    joined = await g3b.join(g3_rest["token"])   # roomJoined at once
    check_equal(joined["self"].get("roomState"), "joined", "guest 3's second join: roomState")
    check_equal(user_ids(joined.get("participants")), sorted([host_rest["id"], member_rest["id"]]),
                "participants in guest 3's second roomJoined")
    await host.wait_event("participantJoined", where=about_user(g3_rest["id"]))
    notes = [e for e in host.janus.events(host.main, "waitlistedParticipantJoined")
             if about_user(g3_rest["id"])(e)]
    check_equal(len(notes), 1, "waitlistedParticipantJoined the host got for guest 3's two joins")
    log("SKIP_ON_ACCEPT: accepted once, straight in the next time")

    # -- accept everyone waiting at once
    g2c = RtkClient(server, "guest2-third")
    await g2c.join(g2_rest["token"], expect="waitlisted")
    await host.wait_event("waitlistedParticipantJoined", where=about_user(g2_rest["id"]))
    await host.control({"request": "participants.acceptAllWaitingRoomRequest"})
    present = [host_rest, member_rest, g3_rest]
    await wait_admitted(g1b, g1_rest, present)                # admitted in arrival order
    await wait_admitted(g2c, g2_rest, present + [g1_rest])
    for guest, rest in ((g1b, g1_rest), (g2c, g2_rest)):
        await wait_waitlist_left(host, guest, "accepted")
        await host.wait_event("participantJoined", where=about_user(rest["id"]))
        await member.wait_event("participantJoined", where=about_user(rest["id"]))

    # The member never heard of the waiting room.
    seen = [e.name for e in member.janus.events(member.main)]
    check(not [n for n in seen if n.startswith("waitlisted")],
          "the member got waiting-room events: %r" % seen)
    log("acceptAll admitted both waiting guests")


if __name__ == "__main__":
    run_test(main)
