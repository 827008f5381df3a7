#!/usr/bin/python3
"""test_media.py - two participants meet and exchange VP8 + Opus media.

Owns the end-to-end media path of a group call, as the SDK user sees it:
  * participants created over REST (group_call_participant) join with
    their tokens; roomJoined carries self, the meeting and the others, and
    the first participant gets participantJoined for the second;
  * each publishes VP8 video + Opus audio (aiortc, real ICE/DTLS/SRTP over
    a veth in a private network namespace) and subscribes; each receives the
    other's video and audio frames;
  * configure {audio: false} gives the other audioUpdate and stops relaying
    the audio; {audio: true} brings both back;
  * leave gives the other participantLeft and an `updated` offer marking
    the leaver's streams inactive; a vanished client whose Janus session
    times out leaves the same way.
"""

import time

from rtk_harness import RtkClient, Server, check, check_equal, log, run_test

SESSION_TIMEOUT = 5        # seconds; short so the vanished client leaves quickly
VIDEO_FRAMES = 30
AUDIO_FRAMES = 50
MEDIA_TIMEOUT = 30
STRAY_AUDIO_FRAMES = 5     # frames already in flight when audio is turned off


def check_participant(participant, rest, what):
    """A participant object of docs/protocol.md matches its REST participant."""
    check(isinstance(participant, dict), "%s: participant object missing" % what)
    check(isinstance(participant.get("id"), str) and participant["id"],
          "%s: participant has no peer id: %r" % (what, participant))
    check_equal(participant.get("userId"), rest["id"], "%s: userId" % what)
    check_equal(participant.get("name"), rest["name"], "%s: name" % what)
    check_equal(participant.get("customParticipantId"), rest["custom_participant_id"],
                "%s: customParticipantId" % what)
    check_equal(participant.get("presetName"), rest["preset_name"], "%s: presetName" % what)


def check_room_joined(joined, rest, meeting, others):
    """roomJoined: self, meeting meta, and exactly the `others` already in."""
    who = "%s's roomJoined" % rest["name"]
    me = joined.get("self") or {}
    check_participant(me, rest, who + " self")
    check_equal(me.get("roomState"), "joined", who + " self.roomState")
    check(isinstance(me.get("permissions"), dict) and me["permissions"],
          who + ": self.permissions missing")
    check(isinstance(me.get("config"), dict) and me["config"], who + ": self.config missing")
    meta = joined.get("meeting") or {}
    check_equal(meta.get("meetingId"), meeting["id"], who + " meeting.meetingId")
    check_equal(meta.get("meetingTitle"), meeting["title"], who + " meeting.meetingTitle")
    check_equal(meta.get("viewType"), "GROUP_CALL", who + " meeting.viewType")
    check(isinstance(meta.get("sessionId"), str) and meta["sessionId"],
          who + ": meeting.sessionId missing: %r" % meta)
    check(isinstance(meta.get("meetingStartedTimestamp"), str)
          and meta["meetingStartedTimestamp"].endswith("Z"),
          who + ": meeting.meetingStartedTimestamp is not an ISO time: %r" % meta)
    listed = joined.get("participants")
    check(isinstance(listed, list), who + ": participants is not a list")
    check_equal(sorted(p.get("userId") for p in listed), sorted(o["id"] for o in others),
                who + ": userIds of participants")
    return listed


def from_peer(peer_id, **fields):
    """An event filter: participantId is `peer_id` and the fields match."""
    def matches(event):
        return (event.data.get("participantId") == peer_id
                and all(event.data.get(k) == v for k, v in fields.items()))
    return matches


async def join_and_greet(server, meeting):
    """Ada joins and publishes; Bob joins; both see each other."""
    ada_rest = server.add_participant(meeting["id"], "Ada")
    bob_rest = server.add_participant(meeting["id"], "Bob")
    ada, bob = RtkClient(server, "ada"), RtkClient(server, "bob")

    check_room_joined(await ada.join(ada_rest["token"]), ada_rest, meeting, others=[])
    published = await ada.publish()
    check_equal(sorted(s.get("kind") for s in published.get("streams", [])), ["audio", "video"],
                "kinds in Ada's published streams")
    await ada.subscribe(ada_rest["token"])

    bob_joined = await bob.join(bob_rest["token"])
    listed = check_room_joined(bob_joined, bob_rest, meeting, others=[ada_rest])
    check_participant(listed[0], ada_rest, "Ada in Bob's roomJoined")
    check_equal(listed[0].get("id"), ada.peer_id, "Ada's peer id in Bob's roomJoined")
    check_equal((listed[0].get("audioEnabled"), listed[0].get("videoEnabled")), (True, True),
                "Ada's (audioEnabled, videoEnabled) in Bob's roomJoined after she published")
    check_equal(bob_joined["meeting"]["sessionId"], ada.joined["meeting"]["sessionId"],
                "sessionId of the live session seen by Bob and by Ada")

    greeting = await ada.wait_event(
        "participantJoined", where=lambda e: (e.data.get("participant") or {}).get("userId") == bob_rest["id"])
    check_participant(greeting.data["participant"], bob_rest, "participantJoined for Bob")
    check_equal(greeting.data["participant"]["id"], bob.peer_id, "Bob's peer id in participantJoined")
    log("both joined")
    return ada, bob, ada_rest, bob_rest


async def exchange_media(ada, bob, bob_rest):
    await bob.publish()
    subscribed = await bob.subscribe(bob_rest["token"])
    offered = sorted((s.get("participantId"), s.get("kind"), s.get("active"))
                     for s in subscribed.get("streams", []))
    check_equal(offered, [(ada.peer_id, "audio", True), (ada.peer_id, "video", True)],
                "streams offered to Bob's subscriber (participantId, kind, active)")

    await ada.wait_event("videoUpdate", where=from_peer(bob.peer_id, videoEnabled=True))
    await ada.wait_event("audioUpdate", where=from_peer(bob.peer_id, audioEnabled=True))
    await ada.wait_streams(bob.peer_id, [("audio", True), ("video", True)])

    got = await ada.wait_frames(bob.peer_id, VIDEO_FRAMES, AUDIO_FRAMES, MEDIA_TIMEOUT)
    log("Ada received from Bob: %r" % got)
    got = await bob.wait_frames(ada.peer_id, VIDEO_FRAMES, AUDIO_FRAMES, MEDIA_TIMEOUT)
    log("Bob received from Ada: %r" % got)


async def toggle_audio(ada, bob):
    state = await ada.configure(audio=False)
    check_equal((state.get("audioEnabled"), state.get("videoEnabled")), (False, True),
                "Ada's configured (audioEnabled, videoEnabled) after audio off")
    await bob.wait_event("audioUpdate", where=from_peer(ada.peer_id, audioEnabled=False))

    before = dict(bob.frames[ada.peer_id])
    await bob.wait_frames(ada.peer_id, video=before["video"] + VIDEO_FRAMES, timeout=MEDIA_TIMEOUT)
    stray = bob.frames[ada.peer_id]["audio"] - before["audio"]
    check(stray <= STRAY_AUDIO_FRAMES,
          "Bob received %d audio frames from Ada while her audio was off (during %d video frames)"
          % (stray, VIDEO_FRAMES))

    state = await ada.configure(audio=True)
    check_equal(state.get("audioEnabled"), True, "Ada's configured audioEnabled after audio on")
    await bob.wait_event("audioUpdate", where=from_peer(ada.peer_id, audioEnabled=True))
    now = bob.frames[ada.peer_id]["audio"]
    await bob.wait_frames(ada.peer_id, audio=now + AUDIO_FRAMES, timeout=MEDIA_TIMEOUT)
    log("audio off/on seen by Bob (%d stray frames)" % stray)


async def leave(ada, bob, bob_rest):
    bob_mids = ada.mids_of(bob.peer_id)
    check(bob_mids, "Ada's subscription has no m-line of Bob before he leaves")
    await bob.leave()
    left = await ada.wait_event("participantLeft", where=from_peer(bob.peer_id))
    check_equal(left.data.get("userId"), bob_rest["id"], "userId in participantLeft for Bob")
    await ada.wait_inactive(bob_mids)
    await bob.close()
    log("Bob left; m-lines %s of Ada's subscription are inactive" % bob_mids)


async def vanish(server, meeting, ada):
    cy_rest = server.add_participant(meeting["id"], "Cy")
    cy = RtkClient(server, "cy")
    await cy.join(cy_rest["token"])
    await ada.wait_event("participantJoined",
                         where=lambda e: (e.data.get("participant") or {}).get("id") == cy.peer_id)
    cy.abandon()
    vanished_at = time.monotonic()
    left = await ada.wait_event("participantLeft", where=from_peer(cy.peer_id),
                                timeout=SESSION_TIMEOUT + 15)
    check_equal(left.data.get("userId"), cy_rest["id"], "userId in participantLeft for Cy")
    log("Cy vanished; participantLeft after %.1fs (session timeout %ds)"
        % (time.monotonic() - vanished_at, SESSION_TIMEOUT))


async def main():
    server = Server(session_timeout=SESSION_TIMEOUT).start()
    meeting = server.create_meeting(title="Media test")
    ada, bob, ada_rest, bob_rest = await join_and_greet(server, meeting)
    await exchange_media(ada, bob, bob_rest)
    await toggle_audio(ada, bob)
    await leave(ada, bob, bob_rest)
    await vanish(server, meeting, ada)


if __name__ == "__main__":
    run_test(main)
