#!/usr/bin/python3
"""test_host_controls.py - what a host does to the others in a group call.

Owns the host controls of docs/protocol.md ("Meeting controls": disable
media, kick, pin, updatePermissions, kickAll, meeting.end; codes 0902,
0903, 0905) end to end, as the SDK user sees it. A host (group_call_host)
and two participants P1, P2 (group_call_participant) publish VP8 + Opus and
subscribe to each other:
  * participant.disableAudio on P1 with allowUnmute false: P1 gets
    audioUpdate with its own participantId, audioEnabled false, canUnmute
    false and disabledBy the host; the host and P2 get audioUpdate false;
    P1's audio frames stop reaching P2 and the host (a few in flight
    allowed) while its video keeps arriving; P1's configure {audio: true} is
    refused with 0905; a second disable with allowUnmute true lets P1 turn
    its audio back on, and P2 decodes it again;
  * P2 (no host rights): participant.kick, participant.disableVideo and
    participant.pin -> 0902;
  * participant.pin / unpin by the host: everyone (P1 itself included) gets
    participantPinned / participantUnpinned;
  * participants.updatePermissions gives P2 kick_participant: P2 gets
    permissionsUpdate with it true (the rest unchanged); an unknown key is
    refused with 0903; P2 now kicks P1: P1 gets roomLeft state "kicked", its
    Janus PeerConnections are hung up and its subscriber decodes nothing
    more, its later requests get 0003; the host and P2 get participantLeft
    and an `updated` offer with P1's m-lines inactive;
  * P1 joins again; participants.disableAllVideo (allowUnmute false) by the
    host: P1 and P2 each get videoUpdate (own id, canUnmute false), the host
    gets videoUpdate false for both and decodes no more video from either
    while their audio flows; P2's configure {video: true} -> 0905;
  * participants.kickAll: P1 and P2 get roomLeft "kicked", the host
    participantLeft for each, and stays;
  * in a new meeting, meeting.end by the host: the host, two participants
    and a guest in the waiting room all get roomLeft state "ended"; the next
    join starts a new live session (a new sessionId).
"""

from rtk_harness import (RtkClient, Server, about_user, check, check_equal, from_peer, log,
                         run_test)

VIDEO_FRAMES = 30
AUDIO_FRAMES = 50
MEDIA_TIMEOUT = 20


async def join_publish_subscribe(clients, rests):
    for client in clients:
        await client.join(rests[client]["token"])
        await client.publish()
    for client in clients:
        await client.subscribe(rests[client]["token"])


async def wait_media_between(clients):
    for receiver in clients:
        for sender in clients:
            if sender is not receiver:
                await receiver.wait_frames(sender.peer_id, VIDEO_FRAMES, AUDIO_FRAMES, MEDIA_TIMEOUT)


async def wait_own_update(client, event_name, field, host, can_unmute):
    """The target's own update after a host disabled its media."""
    event = await client.wait_event(event_name, where=from_peer(client.peer_id))
    check_equal((event.data.get(field), event.data.get("canUnmute"), event.data.get("disabledBy")),
                (False, can_unmute, host.peer_id),
                "%s: (%s, canUnmute, disabledBy) of its own %s" % (client.name, field, event_name))


async def disable_audio(host, p1, p2):
    await host.control({"request": "participant.disableAudio", "participantId": p1.peer_id,
                        "allowUnmute": False})
    await wait_own_update(p1, "audioUpdate", "audioEnabled", host, False)
    for other in (host, p2):
        await other.wait_event("audioUpdate", where=from_peer(p1.peer_id, audioEnabled=False))
    for receiver in (p2, host):
        stray = await receiver.check_stopped(p1.peer_id, ["audio"], receiver, p1.peer_id,
                                             what="were muted by the host")
        log("%s: P1's audio stopped (%d in flight), its video flows" % (receiver.name, stray["audio"]))
    await p1.refused({"request": "configure", "audio": True}, "0905")

    await host.control({"request": "participant.disableAudio", "participantId": p1.peer_id,
                        "allowUnmute": True})
    await wait_own_update(p1, "audioUpdate", "audioEnabled", host, True)
    state = await p1.configure(audio=True)
    check_equal(state.get("audioEnabled"), True, "P1's audioEnabled after unmuting when allowed")
    await p2.wait_event("audioUpdate", where=from_peer(p1.peer_id, audioEnabled=True))
    now = p2.frames[p1.peer_id]["audio"]
    await p2.wait_frames(p1.peer_id, audio=now + AUDIO_FRAMES, timeout=MEDIA_TIMEOUT)
    log("P1 unmuted once allowed; P2 decodes its audio again")


async def refusals_and_pins(host, p1, p2):
    await p2.refused({"request": "participant.kick", "participantId": p1.peer_id}, "0902")
    await p2.refused({"request": "participant.disableVideo", "participantId": p1.peer_id,
                      "allowUnmute": False}, "0902")
    await p2.refused({"request": "participant.pin", "participantId": p1.peer_id}, "0902")

    await host.control({"request": "participant.pin", "participantId": p1.peer_id})
    for client in (host, p1, p2):
        event = await client.wait_event("participantPinned", where=from_peer(p1.peer_id))
        check_equal(event.data.get("userId"), p1.joined["self"]["userId"],
                    "%s: userId in participantPinned" % client.name)
    await host.control({"request": "participant.unpin", "participantId": p1.peer_id})
    for client in (host, p1, p2):
        await client.wait_event("participantUnpinned", where=from_peer(p1.peer_id))
    log("pin/unpin seen by everyone; P2's host controls refused with 0902")


async def delegate_and_kick(host, p1, p2):
    await host.control({"request": "participants.updatePermissions", "participantIds": [p2.peer_id],
                        "permissions": {"kick_participant": True}})
    update = await p2.wait_event("permissionsUpdate")
    permissions = update.data.get("permissions") or {}
    check_equal((permissions.get("kick_participant"), permissions.get("pin_participant"),
                 permissions.get("media", {}).get("audio", {}).get("can_produce")),
                (True, False, "ALLOWED"),
                "P2's (kick_participant, pin_participant, media.audio.can_produce) in permissionsUpdate")
    await host.refused({"request": "participants.updatePermissions", "participantIds": [p2.peer_id],
                        "permissions": {"kick_participant": True, "can_fly": True}}, "0903")
    await host.refused({"request": "participants.updatePermissions", "participantIds": [p2.peer_id],
                        "permissions": {"kick_participant": "yes"}}, "0903")

    p1_mids = {c.name: c.mids_of(p1.peer_id) for c in (host, p2)}
    await p2.control({"request": "participant.kick", "participantId": p1.peer_id})
    left = await p1.wait_event("roomLeft")
    check_equal(left.data.get("state"), "kicked", "roomLeft state of the kicked P1")
    for other in (host, p2):
        await other.wait_event("participantLeft", where=from_peer(p1.peer_id))
        await other.wait_inactive(p1_mids[other.name])
    # Its PeerConnections are hung up, and its subscriber decodes nothing more.
    for handle, what in ((p1.main, "publisher"), (p1.sub, "subscriber")):
        await p1.wait_event("janus:hangup", handle=handle)
        log("P1's %s handle was hung up" % what)
    for sender in (host, p2):
        await p1.check_stopped(sender.peer_id, ["audio", "video"], host, p2.peer_id,
                               what="kicked the receiver")
    await p1.refused({"request": "configure", "audio": False}, "0003")
    check_equal(len(p2.janus.events(p2.main, "permissionsUpdate")), 1,
                "permissionsUpdate events P2 got (the refused updates changed nothing)")
    log("P2 kicked P1 with the delegated right")


async def disable_all_video_and_kick_all(server, host, p2, rests):
    p1 = RtkClient(server, "p1-again")
    joined = await p1.join(rests["p1"]["token"])
    check_equal(sorted(p.get("userId") for p in joined.get("participants", [])),
                sorted([rests["host"]["id"], rests["p2"]["id"]]), "participants when P1 joins again")
    await p1.publish()
    await p1.subscribe(rests["p1"]["token"])
    await host.wait_frames(p1.peer_id, VIDEO_FRAMES, AUDIO_FRAMES, MEDIA_TIMEOUT)

    await host.control({"request": "participants.disableAllVideo", "allowUnmute": False})
    for target in (p1, p2):
        await wait_own_update(target, "videoUpdate", "videoEnabled", host, False)
        await host.wait_event("videoUpdate", where=from_peer(target.peer_id, videoEnabled=False))
    for target in (p1, p2):
        stray = await host.check_stopped(target.peer_id, ["video"], host, target.peer_id,
                                         clock_kind="audio", clock_frames=AUDIO_FRAMES,
                                         what="had their video disabled")
        log("host: %s's video stopped (%d in flight), its audio flows" % (target.name, stray["video"]))
    await p2.refused({"request": "configure", "video": True}, "0905")

    await host.control({"request": "participants.kickAll"})
    for target in (p1, p2):
        left = await target.wait_event("roomLeft")
        check_equal(left.data.get("state"), "kicked", "roomLeft state of %s after kickAll" % target.name)
        await host.wait_event("participantLeft", where=from_peer(target.peer_id))
    check_equal(host.janus.events(host.main, "roomLeft"), [], "roomLeft events the host got")
    configured = await host.configure(audio=True)
    check_equal(configured.get("audioEnabled"), True, "the host is still in after kickAll")
    log("disableAllVideo and kickAll done")


async def end_meeting(server):
    status, _ = server.rest("POST", "/v2/presets", {
        "name": "guest-waits", "permissions": {"waiting_room_type": "ON_PRIVILEGED_USER_ENTRY"}})
    check_equal(status, 201, "POST /v2/presets guest-waits (%s)" % server.last_text)
    meeting = server.create_meeting(title="Ended by the host")
    rests = {"host2": server.add_participant(meeting["id"], "Host2", "group_call_host"),
             "q1": server.add_participant(meeting["id"], "Q1"),
             "q2": server.add_participant(meeting["id"], "Q2"),
             "waiter": server.add_participant(meeting["id"], "Waiter", "guest-waits")}
    host2, q1, q2, waiter = (RtkClient(server, name) for name in rests)
    session_id = (await host2.join(rests["host2"]["token"]))["meeting"]["sessionId"]
    for client in (q1, q2):
        await client.join(rests[client.name]["token"])
    await waiter.join(rests["waiter"]["token"], expect="waitlisted")
    await host2.wait_event("waitlistedParticipantJoined", where=about_user(rests["waiter"]["id"]))
    await q1.refused({"request": "meeting.end"}, "0902")

    await host2.control({"request": "meeting.end"})
    for client in (host2, q1, q2, waiter):
        left = await client.wait_event("roomLeft")
        check_equal(left.data.get("state"), "ended", "roomLeft state of %s after meeting.end" % client.name)
    await q1.refused({"request": "configure", "audio": False}, "0003")
    again = RtkClient(server, "q1-again")
    joined = await again.join(rests["q1"]["token"])
    check_equal(joined.get("participants"), [], "participants when joining the ended meeting again")
    check(joined["meeting"].get("sessionId") != session_id,
          "the next join after meeting.end kept the ended sessionId %s" % session_id)
    log("meeting.end: everyone, the waiting guest included, got roomLeft ended")


async def main():
    server = Server().start()
    meeting = server.create_meeting(title="Host controls")
    rests = {"host": server.add_participant(meeting["id"], "Host", "group_call_host"),
             "p1": server.add_participant(meeting["id"], "P1"),
             "p2": server.add_participant(meeting["id"], "P2")}
    host, p1, p2 = (RtkClient(server, name) for name in rests)
    await join_publish_subscribe([host, p1, p2], {c: rests[c.name] for c in (host, p1, p2)})
    await wait_media_between([host, p1, p2])
    log("three participants exchange media")

    await disable_audio(host, p1, p2)
    await refusals_and_pins(host, p1, p2)
    await delegate_and_kick(host, p1, p2)
    await disable_all_video_and_kick_all(server, host, p2, rests)
    await end_meeting(server)


if __name__ == "__main__":
    run_test(main)
