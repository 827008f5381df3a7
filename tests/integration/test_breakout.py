#!/usr/bin/python3
"""test_breakout.py - connected meetings (breakout rooms) over the Janus API
and REST (docs/protocol.md, "Connected meetings"; docs/rest.md, "Connected
meetings").

Owns a breakout session end to end. In a parent meeting the host Hal
(group_call_host) and four participants (group_call_participant) are joined.
Asserted:
  * refusals change nothing: a participant creating rooms or moving itself
    0902 (naming the permission), a mistyped field 0001, no title 0804, an
    unknown participant 1204, a destination outside the family 0803;
  * Hal creates two connected meetings: the reply carries their ids, REST
    lists them as the parent's children;
  * updateMeetings: an unknown meeting id or the parent 0803, a title that
    is no string 0001, an empty one 0804, each changing no title (REST,
    getConnectedMeetings); then Hal renames room 2, and both
    getConnectedMeetings and REST GET of the room show the new title;
  * Hal moves two participants into each room: each gets roomLeft
    `connected-meeting` with the destination's meeting id and a token, the
    others in the parent see them leave; each joins its room with that
    token (no REST call), sees only that room's participants, and with
    aiortc media receives only its room-mate's audio and video;
  * getConnectedMeetings shows Hal every room's participants; a participant
    sees the rooms without participants; the parent's REST active session
    lists breakout_rooms with their live participants;
  * a broadcastMessage to the rooms (meetingIds) reaches everyone in them,
    with the sender's meeting id, and no one else;
  * deleting an occupied room is refused 0805; then everyone moves back to
    the parent, rejoining as the participant it was there (same user id),
    and Hal sees them join; an empty room is deleted (INACTIVE over REST);
  * moveParticipantsWithCustomPreset: both presetName and presetId 0001,
    an unknown meeting 0803, nothing moved; then Hal moves Ben into room 2
    with a custom preset (room_lead): roomLeft's destination names it, and
    Ben's roomJoined there has self.presetName room_lead with its
    permissions (kick_participant, can_spotlight), as REST's participant.
"""

from rtk_harness import RtkClient, Server, check, check_equal, log, run_test

UNKNOWN = "00000000-0000-4000-8000-000000000000"
MEDIA_FRAMES = 10     # video and audio frames each must receive from its room-mate
MEDIA_TIMEOUT = 60


async def moved(client, destination_id, is_parent=False):
    """Waits for client's roomLeft connected-meeting; returns its destination."""
    left = (await client.wait_event("roomLeft")).data
    check_equal(left.get("state"), "connected-meeting", "%s: roomLeft state" % client.name)
    dest = left.get("destination") or {}
    check_equal(dest.get("meetingId"), destination_id, "%s: destination meeting" % client.name)
    check_equal(dest.get("isParent"), is_parent, "%s: destination isParent" % client.name)
    check(isinstance(dest.get("token"), str) and dest["token"].count(".") == 2,
          "%s: destination carries no token: %r" % (client.name, left))
    return dest


async def rejoin(client, token):
    """Joins with `token` on a fresh main handle of the same Janus session."""
    client.main = None
    return await client.join(token)


def names(participants):
    return sorted(p.get("name") for p in participants)


async def main():
    server = Server().start()
    parent = server.create_meeting(title="All hands")
    elsewhere = server.create_meeting(title="Another meeting")
    people = ["Ann", "Ben", "Cat", "Dan"]
    rests = {"Hal": server.add_participant(parent["id"], "Hal", "group_call_host")}
    for name in people:
        rests[name] = server.add_participant(parent["id"], name)
    clients = {}
    for name in ["Hal"] + people:
        clients[name] = RtkClient(server, name)
        await clients[name].join(rests[name]["token"])
    hal, ann, ben, cat, dan = (clients[n] for n in ["Hal"] + people)

    def children():
        return server.rest_ok("GET", "/v2/meetings?parent_meeting_id=%s" % parent["id"])

    # refusals change nothing
    error = await ann.refused({"request": "connectedMeetings.createMeetings",
                               "meetings": [{"title": "Mine"}]}, "0902")
    check("can_alter_connected_meetings" in error.data["error"]["message"],
          "0902 names the permission: %r" % error.data)
    await hal.refused({"request": "connectedMeetings.createMeetings", "meetings": "Room"}, "0001")
    await hal.refused({"request": "connectedMeetings.createMeetings", "meetings": [{"title": ""}]}, "0804")
    check_equal(children(), [], "connected meetings after the refusals")

    # two rooms
    reply = (await hal.control({"request": "connectedMeetings.createMeetings",
                                "meetings": [{"title": "Room 1"}, {"title": "Room 2"}]})).data
    rooms = reply["meetings"]
    check_equal([r["title"] for r in rooms], ["Room 1", "Room 2"], "created rooms")
    room1, room2 = rooms[0]["id"], rooms[1]["id"]
    check_equal(sorted(m["id"] for m in children()), sorted([room1, room2]), "the parent's children over REST")
    log("Hal created two connected meetings")

    # rename a room: refusals first, each changing nothing
    update = {"request": "connectedMeetings.updateMeetings"}
    bad_updates = (([{"id": UNKNOWN, "title": "Nowhere"}], "0803"),
                   ([{"id": room2, "title": "Room B"}, {"id": parent["id"], "title": "Parent"}], "0803"),
                   ([{"id": room2, "title": 2}], "0001"),
                   ([{"id": room2}], "0001"),
                   ([{"id": room2, "title": ""}], "0804"),
                   ([], "0804"))
    for meetings, code in bad_updates:
        await hal.refused(dict(update, meetings=meetings), code)
    state = (await hal.control({"request": "connectedMeetings.getConnectedMeetings"})).data
    check_equal((state["parentMeeting"]["title"], [(m["id"], m["title"]) for m in state["meetings"]]),
                ("All hands", [(room1, "Room 1"), (room2, "Room 2")]), "titles after the refused updates")
    check_equal([server.rest_ok("GET", "/v2/meetings/%s" % m)["title"] for m in (parent["id"], room1, room2)],
                ["All hands", "Room 1", "Room 2"], "REST titles after the refused updates")
    reply = (await hal.control(dict(update, meetings=[{"id": room2, "title": "Room B"}]))).data
    check_equal([(m["id"], m["title"]) for m in reply["meetings"]], [(room2, "Room B")], "updateMeetings' reply")
    state = (await ann.control({"request": "connectedMeetings.getConnectedMeetings"})).data
    check_equal([(m["id"], m["title"]) for m in state["meetings"]], [(room1, "Room 1"), (room2, "Room B")],
                "getConnectedMeetings after the rename")
    check_equal(server.rest_ok("GET", "/v2/meetings/%s" % room2)["title"], "Room B", "room 2's title over REST")
    log("updateMeetings renamed room 2 (refusals 0803/0001/0804 changed nothing)")

    move = {"request": "connectedMeetings.moveParticipants", "sourceMeetingId": parent["id"]}
    error = await ann.refused(dict(move, destinationMeetingId=room1, participantIds=[ann.peer_id]), "0902")
    check("can_switch_connected_meetings" in error.data["error"]["message"], "0902 names can_switch: %r"
          % error.data)
    await hal.refused(dict(move, destinationMeetingId=room1, participantIds=["nobody"]), "1204")
    await hal.refused(dict(move, destinationMeetingId=elsewhere["id"], participantIds=[ann.peer_id]), "0803")
    await hal.refused(dict(move, destinationMeetingId=parent["id"], participantIds=[ann.peer_id]), "0804")
    await hal.refused({"request": "connectedMeetings.moveParticipantsWithCustomPreset",
                       "sourceMeetingId": parent["id"], "destinationMeetingId": room1,
                       "participantIds": [ann.peer_id], "presetName": "no_such_preset"}, "0901")
    check_equal(len(server.rest_ok("GET", "/v2/meetings/%s/participants" % room1)), 0,
                "participants of room 1 after the refusals")
    log("refusals 0902/0001/0804/1204/0803/0901 changed nothing")

    # move two into each room
    reply = (await hal.control(dict(move, destinationMeetingId=room1,
                                    participantIds=[ann.peer_id, rests["Ben"]["id"]]))).data
    check_equal(sorted(m["id"] for m in reply["moved"]), sorted([rests["Ann"]["id"], rests["Ben"]["id"]]),
                "moved to room 1")
    await hal.control(dict(move, destinationMeetingId=room2, participantIds=[cat.peer_id, dan.peer_id]))
    tokens = {}
    for client, room in ((ann, room1), (ben, room1), (cat, room2), (dan, room2)):
        tokens[client.name] = (await moved(client, room))["token"]
    for name in people:
        await hal.wait_event("participantLeft", where=lambda e, n=name: e.data.get("userId") == rests[n]["id"])
    log("the four got roomLeft connected-meeting with a token; Hal saw them leave")

    # each joins its room with the token it was given
    joined = {}
    for client in (ann, cat, ben, dan):
        joined[client.name] = await rejoin(client, tokens[client.name])
    check_equal((joined["Ann"]["meeting"]["meetingId"], joined["Ann"]["meeting"]["meetingTitle"]),
                (room1, "Room 1"), "Ann's meeting")
    check_equal(names(joined["Ann"]["participants"]), [], "Ann's room when she joined")
    check_equal(names(joined["Ben"]["participants"]), ["Ann"], "Ben's room when he joined")
    check_equal(names(joined["Dan"]["participants"]), ["Cat"], "Dan's room when he joined")
    await ann.wait_event("participantJoined", where=lambda e: e.data["participant"]["name"] == "Ben")
    await cat.wait_event("participantJoined", where=lambda e: e.data["participant"]["name"] == "Dan")
    for client, other in ((ann, "Cat"), (ann, "Dan"), (cat, "Ann"), (cat, "Ben")):
        seen = [e for e in client.janus.events(client.main, "participantJoined")
                if e.data["participant"]["name"] == other]
        check_equal(seen, [], "%s hears of %s in another room" % (client.name, other))
    check_equal(joined["Ann"]["self"]["name"], "Ann", "Ann's name in her room")
    log("each room has exactly its two participants")

    # media: each publishes; each hears and sees its room-mate, nothing from the other room
    for client in (ann, ben, cat, dan):
        await client.publish()
    for client in (ann, ben, cat, dan):
        await client.subscribe(tokens[client.name])
    for client, mate in ((ann, ben), (ben, ann), (cat, dan), (dan, cat)):
        await client.wait_frames(mate.peer_id, video=MEDIA_FRAMES, audio=MEDIA_FRAMES, timeout=MEDIA_TIMEOUT)
    for client, others in ((ann, (cat, dan)), (ben, (cat, dan)), (cat, (ann, ben)), (dan, (ann, ben))):
        streams = {s.get("participantId") for s in client.streams.values()}
        for other in others:
            check(other.peer_id not in streams and sum(client.frames[other.peer_id].values()) == 0,
                  "%s receives %s of the other room: streams %r, frames %r"
                  % (client.name, other.name, streams, dict(client.frames[other.peer_id])))
    log("each hears and sees only its room-mate")

    # who sees what
    state = (await hal.control({"request": "connectedMeetings.getConnectedMeetings"})).data
    check_equal(state["parentMeeting"]["id"], parent["id"], "parent meeting")
    check_equal(names(state["parentMeeting"]["participants"]), ["Hal"], "the parent's participants")
    check_equal([(m["id"], names(m["participants"])) for m in state["meetings"]],
                [(room1, ["Ann", "Ben"]), (room2, ["Cat", "Dan"])], "Hal sees every room")
    state = (await ann.control({"request": "connectedMeetings.getConnectedMeetings"})).data
    check_equal([m["id"] for m in state["meetings"]], [room1, room2], "Ann sees the rooms")
    check("participants" not in state["meetings"][0], "Ann sees the rooms' participants: %r" % state)
    session = server.rest_ok("GET", "/v2/meetings/%s/active-session" % parent["id"])
    check_equal(sorted((r["id"], r["live_participants"]) for r in session["breakout_rooms"]),
                sorted([(room1, 2), (room2, 2)]), "breakout_rooms of the parent's active session")
    log("Hal sees every room's participants; REST shows breakout_rooms")

    # a message to the rooms: everyone in them gets it, with Hal's meeting; not the parent
    notice = {"request": "participants.broadcastMessage", "type": "notice", "payload": {"message": "5 minutes"},
              "meetingIds": [room1, room2, elsewhere["id"]]}
    check_equal((await hal.control(notice)).data["recipients"], 4, "recipients of the rooms' notice")
    for client in (ann, ben, cat, dan):
        got = (await client.wait_event("broadcastedMessage")).data
        check_equal((got["type"], got["payload"], got["senderId"], got["meetingId"]),
                    ("notice", {"message": "5 minutes"}, hal.peer_id, parent["id"]), "%s's notice" % client.name)
    check_equal(hal.janus.events(hal.main, "broadcastedMessage"), [], "Hal's own notice")
    await ann.refused(dict(notice, participantIds=[ben.peer_id]), "0001")
    log("a broadcast to the rooms reached their four participants")

    # an occupied room cannot go; then everyone returns
    await hal.refused({"request": "connectedMeetings.deleteMeetings", "meetingIds": [room1]}, "0805")
    back = {"request": "connectedMeetings.moveParticipants", "destinationMeetingId": parent["id"]}
    await hal.control(dict(back, sourceMeetingId=room1, participantIds=[ann.peer_id, ben.peer_id]))
    await hal.control(dict(back, sourceMeetingId=room2, participantIds=[cat.peer_id, dan.peer_id]))
    for client in (ann, ben, cat, dan):
        dest = await moved(client, parent["id"], is_parent=True)
        check_equal(dest["participantId"], rests[client.name]["id"],
                    "%s returns as the participant it was in the parent" % client.name)
        data = await rejoin(client, dest["token"])
        check_equal(data["self"]["userId"], rests[client.name]["id"], "%s's user id back in the parent"
                    % client.name)
    for name in people:
        await hal.wait_event("participantJoined",
                             where=lambda e, n=name: e.data["participant"]["userId"] == rests[n]["id"])
    check_equal(names(dan.joined["participants"]), ["Ann", "Ben", "Cat", "Hal"], "the parent after the return")
    log("all four are back in the parent")

    reply = (await hal.control({"request": "connectedMeetings.deleteMeetings", "meetingIds": [room1]})).data
    check_equal(reply["meetings"][0]["id"], room1, "deleted room")
    check_equal(server.rest_ok("GET", "/v2/meetings/%s" % room1)["status"], "INACTIVE", "room 1 over REST")
    state = (await hal.control({"request": "connectedMeetings.getConnectedMeetings"})).data
    check_equal([m["id"] for m in state["meetings"]], [room2], "rooms after the delete")
    log("an empty room was deleted")

    # a move with a custom preset: refusals, then Ben into room 2 as room_lead
    lead = server.rest_ok("POST", "/v2/presets", {"name": "room_lead", "permissions": {
        "kick_participant": True, "can_spotlight": True}})
    custom = {"request": "connectedMeetings.moveParticipantsWithCustomPreset", "sourceMeetingId": parent["id"],
              "destinationMeetingId": room2, "participantIds": [ben.peer_id]}
    await hal.refused(dict(custom, presetName="room_lead", presetId=lead["id"]), "0001")
    await hal.refused(dict(custom, destinationMeetingId=UNKNOWN, presetName="room_lead"), "0803")
    await hal.refused(dict(custom, presetName=7), "0001")
    before = sorted((p["name"], p["preset_name"]) for p in
                    server.rest_ok("GET", "/v2/meetings/%s/participants" % room2))
    check_equal(ben.janus.events(ben.main, "roomLeft"), [], "Ben's roomLeft after the refused custom moves")
    reply = (await hal.control(dict(custom, presetName="room_lead"))).data
    check_equal([m["id"] for m in reply["moved"]], [rests["Ben"]["id"]], "moved with a custom preset")
    dest = await moved(ben, room2)
    check_equal((dest.get("title"), dest.get("presetName")), ("Room B", "room_lead"),
                "Ben's destination (title, presetName)")
    data = await rejoin(ben, dest["token"])
    me = data["self"]
    perms = me.get("permissions") or {}
    check_equal((data["meeting"]["meetingId"], me.get("presetName"), perms.get("kick_participant"),
                 perms.get("can_spotlight")), (room2, "room_lead", True, True),
                "Ben's roomJoined in room 2 (meetingId, self.presetName, kick_participant, can_spotlight)")
    after = sorted((p["name"], p["preset_name"]) for p in
                   server.rest_ok("GET", "/v2/meetings/%s/participants" % room2))
    check(("Ben", "room_lead") in after and ("Ben", "room_lead") not in before,
          "room 2's REST participants: Ben as room_lead is new: before %r, after %r" % (before, after))
    log("moveParticipantsWithCustomPreset: Ben arrived in room 2 as room_lead")


if __name__ == "__main__":
    run_test(main)
