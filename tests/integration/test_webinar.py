#!/usr/bin/python3
"""test_webinar.py - a webinar: a presenter on stage, viewers who ask to join it.

Owns the stage of docs/protocol.md ("Stage", codes 1501 and 2001-2006) end
to end, as the SDK user sees it, with default presets:
  * the presenter (webinar_presenter: stage_access ALLOWED,
    accept_stage_requests) does stage.join directly: stageStatusUpdate
    ON_STAGE to her, peerStartedPresenting to the others; she publishes and
    every viewer (subscribed) decodes her video and audio;
  * viewer A (webinar_viewer: stage_access and audio/video CAN_REQUEST):
    publish while off stage -> 1501 with no JSEP answer, configure {"video":
    true} -> 1501; stage.join before
    a request -> 2004; stage.requestAccess -> stageStatusUpdate
    REQUESTED_TO_JOIN_STAGE to her, newStageRequest and
    stageAccessRequestUpdate to the presenter, peerRequestToJoinStage to the
    other viewers (not to the presenter); stage.getAccessRequests lists her;
    stage.grantAccess -> stageRequestApproved and stageStatusUpdate
    ACCEPTED_TO_JOIN_STAGE to her, peerAcceptedToJoinStage to the others, an
    empty request list to the presenter; stage.join -> ON_STAGE,
    peerStartedPresenting to the others;
  * A publishes audio + video (on the same main handle whose earlier offer
    was refused): the presenter gets audioUpdate/videoUpdate true and decodes
    A's video and audio; A's stage.leave -> peerStoppedPresenting to the
    others, videoUpdate/audioUpdate false and an `updated` offer with A's
    m-lines inactive to the presenter, and A's frames stop reaching her
    (a few in flight allowed);
  * viewer B asks and the presenter denies: stageRequestRejected and
    stageStatusUpdate OFF_STAGE to B, peerRejectedToJoinStage to the others;
    B's stage.join is still 2004;
  * the livestream_viewer (stage_access NOT_ALLOWED, nothing to produce):
    stage.requestAccess and stage.join -> 2002, publish -> 1501; no stream,
    frame or media update of hers ever reaches the presenter.
  * a recording made while only the presenter is on stage shows her alone.
Every stage event carries participantId, userId and the new stageStatus.
"""

import asyncio
import tempfile

from rtk_harness import (RtkClient, Server, check, check_equal, check_error, log, run_test)
from test_recording import download, gray_frame, wait_status

VIDEO_FRAMES = 30
AUDIO_FRAMES = 50
MEDIA_TIMEOUT = 20

OFF, REQUESTED, ACCEPTED, ON = ("OFF_STAGE", "REQUESTED_TO_JOIN_STAGE",
                                "ACCEPTED_TO_JOIN_STAGE", "ON_STAGE")


def subject_of(client):
    return (client.peer_id, client.joined["self"]["userId"])


async def wait_stage_event(client, name, subject, status):
    """`client` gets stage event `name` about `subject` (an RtkClient) with
    participantId, userId and stageStatus `status`."""
    event = await client.wait_event(name, where=lambda e: e.data.get("participantId") == subject.peer_id)
    check_equal((event.data.get("participantId"), event.data.get("userId"),
                 event.data.get("stageStatus")), subject_of(subject) + (status,),
                "%s: (participantId, userId, stageStatus) of %s about %s"
                % (client.name, name, subject.name))
    return event


async def wait_own_status(client, status):
    """stageStatusUpdate to the participant itself."""
    event = await wait_stage_event(client, "stageStatusUpdate", client, status)
    check_equal(event.data.get("status"), status, "%s: status in stageStatusUpdate" % client.name)


async def wait_request_list(host, expected):
    """The next stageAccessRequestUpdate the host gets lists `expected` (RtkClients)."""
    event = await host.wait_event("stageAccessRequestUpdate")
    listed = [(p.get("id"), p.get("userId"), p.get("stageStatus"))
              for p in event.data.get("requests") or []]
    check_equal(listed, [subject_of(c) + (REQUESTED,) for c in expected],
                "%s: requests in stageAccessRequestUpdate" % host.name)


def check_joined(client, rest, stage_status, others):
    me = client.joined["self"]
    check_equal((me.get("userId"), me.get("presetName"), me.get("stageStatus")),
                (rest["id"], rest["preset_name"], stage_status),
                "%s's roomJoined: (userId, presetName, stageStatus)" % client.name)
    check_equal(client.joined["meeting"].get("viewType"),
                "LIVESTREAM" if rest["preset_name"].startswith("livestream") else "WEBINAR",
                "%s's roomJoined: meeting.viewType" % client.name)
    check_equal(sorted(p.get("userId") for p in client.joined.get("participants") or []),
                sorted(o["id"] for o in others), "%s's roomJoined: participants" % client.name)


async def presenter_goes_live(presenter, viewers, rests):
    await presenter.control({"request": "stage.join"})
    await wait_own_status(presenter, ON)
    for viewer in viewers:
        await wait_stage_event(viewer, "peerStartedPresenting", presenter, ON)
    published = await presenter.publish()
    check_equal(sorted(s.get("kind") for s in published.get("streams", [])), ["audio", "video"],
                "kinds the presenter publishes on stage")
    for client in [presenter] + viewers:
        await client.subscribe(rests[client.name]["token"])
    for viewer in viewers:
        await viewer.wait_streams(presenter.peer_id, [("audio", True), ("video", True)])
        got = await viewer.wait_frames(presenter.peer_id, VIDEO_FRAMES, AUDIO_FRAMES, MEDIA_TIMEOUT)
        log("%s received from the presenter: %r" % (viewer.name, got))


async def viewer_asks_and_is_granted(presenter, a, others):
    check_error(await a.try_publish(), "1501", "viewer A's publish while off stage")
    await a.refused({"request": "configure", "video": True}, "1501")   # not `configured` with video off
    await a.refused({"request": "stage.join"}, "2004")
    await a.control({"request": "stage.requestAccess"})
    await wait_own_status(a, REQUESTED)
    note = await wait_stage_event(presenter, "newStageRequest", a, REQUESTED)
    check_equal(note.data.get("count"), 1, "count in the presenter's newStageRequest")
    await wait_request_list(presenter, [a])
    for other in others:
        await wait_stage_event(other, "peerRequestToJoinStage", a, REQUESTED)

    listed = await presenter.request(presenter.main, {"request": "stage.getAccessRequests"},
                                     expect="stageAccessRequests")
    check_equal([(p.get("id"), p.get("userId"), p.get("stageStatus"))
                 for p in listed.data.get("requests") or []], [subject_of(a) + (REQUESTED,)],
                "requests in the presenter's stageAccessRequests")
    await a.refused({"request": "stage.getAccessRequests"}, "0902")
    await a.refused({"request": "stage.grantAccess", "userIds": [a.joined["self"]["userId"]]},
                    "0902")

    await presenter.control({"request": "stage.grantAccess", "userIds": [a.joined["self"]["userId"]]})
    await wait_stage_event(a, "stageRequestApproved", a, ACCEPTED)
    await wait_own_status(a, ACCEPTED)
    for other in others + [presenter]:
        await wait_stage_event(other, "peerAcceptedToJoinStage", a, ACCEPTED)
    await wait_request_list(presenter, [])

    await a.control({"request": "stage.join"})
    await wait_own_status(a, ON)
    for other in others + [presenter]:
        await wait_stage_event(other, "peerStartedPresenting", a, ON)
    log("viewer A asked, was granted and is on stage")


async def viewer_presents_and_leaves(presenter, a, clock):
    """A publishes on the handle whose offer was refused before; the
    presenter sees and decodes her; A leaves the stage and her media stops."""
    event = await a.try_publish()
    check(event.name == "published",
          "viewer A's publish on stage (her main handle's earlier offer was refused with 1501): "
          "expected published, got %r" % (event,))
    check_equal(sorted(s.get("kind") for s in event.data.get("streams", [])), ["audio", "video"],
                "kinds viewer A publishes on stage")
    await presenter.wait_event("videoUpdate", where=lambda e: e.data.get("participantId") == a.peer_id
                               and e.data.get("videoEnabled") is True)
    await presenter.wait_event("audioUpdate", where=lambda e: e.data.get("participantId") == a.peer_id
                               and e.data.get("audioEnabled") is True)
    await presenter.wait_streams(a.peer_id, [("audio", True), ("video", True)])
    got = await presenter.wait_frames(a.peer_id, VIDEO_FRAMES, AUDIO_FRAMES, MEDIA_TIMEOUT)
    log("the presenter received from viewer A: %r" % got)

    a_mids = presenter.mids_of(a.peer_id)
    await a.control({"request": "stage.leave"})
    await wait_own_status(a, OFF)
    for other in (presenter, clock):
        await wait_stage_event(other, "peerStoppedPresenting", a, OFF)
    await presenter.wait_event("videoUpdate", where=lambda e: e.data.get("participantId") == a.peer_id
                               and e.data.get("videoEnabled") is False)
    await presenter.wait_event("audioUpdate", where=lambda e: e.data.get("participantId") == a.peer_id
                               and e.data.get("audioEnabled") is False)
    await presenter.wait_inactive(a_mids)
    stray = await presenter.check_stopped(a.peer_id, ["audio", "video"], clock, presenter.peer_id,
                                          what="left the stage")
    await a.refused({"request": "stage.leave"}, "2006")
    log("viewer A left the stage: m-lines %s inactive, %r frames in flight" % (a_mids, stray))


async def viewer_is_denied(presenter, b, others):
    await b.control({"request": "stage.requestAccess"})
    await wait_own_status(b, REQUESTED)
    await wait_stage_event(presenter, "newStageRequest", b, REQUESTED)
    await wait_request_list(presenter, [b])
    await b.refused({"request": "stage.requestAccess"}, "2005")
    await presenter.control({"request": "stage.denyAccess", "userIds": [b.peer_id]})
    await wait_stage_event(b, "stageRequestRejected", b, OFF)
    await wait_own_status(b, OFF)
    for other in others + [presenter]:
        await wait_stage_event(other, "peerRejectedToJoinStage", b, OFF)
    await wait_request_list(presenter, [])
    await b.refused({"request": "stage.join"}, "2004")
    await presenter.refused({"request": "stage.denyAccess", "userIds": [b.peer_id]}, "2003")
    log("viewer B asked and was denied")


async def livestream_viewer_stays_off(presenter, lv):
    await lv.refused({"request": "stage.requestAccess"}, "2002")
    await lv.refused({"request": "stage.join"}, "2002")
    check_error(await lv.try_publish(), "1501", "the livestream viewer's publish")
    # Nothing of hers reaches the presenter: no stream in any offer, no frame,
    # no media update. (Checked after A's and B's turns, so the presenter's
    # subscription has been re-offered several times meanwhile.)
    offered = [s for e in presenter.janus.events(presenter.sub)
               if e.name in ("subscribed", "updated") for s in e.data.get("streams") or []]
    check(offered, "the presenter's subscriber saw no offer at all")
    check_equal([s for s in offered if s.get("participantId") == lv.peer_id], [],
                "streams of the livestream viewer offered to the presenter")
    check(lv.peer_id not in presenter.frames,
          "the presenter decoded frames from the livestream viewer: %r" % presenter.frames.get(lv.peer_id))
    updates = [e for e in presenter.janus.events(presenter.main)
               if e.name in ("audioUpdate", "videoUpdate", "screenShareUpdate")
               and e.data.get("participantId") == lv.peer_id]
    check_equal(updates, [], "media updates about the livestream viewer at the presenter")
    log("the livestream viewer cannot reach the stage")


async def recording_shows_the_stage(server, presenter):
    """A recording while only the presenter is on stage shows her alone:
    one tile over the whole frame (her 4:3 picture centred, black at the
    sides), not a grid with the three viewers off stage."""
    width, height = 640, 360
    reply = await presenter.control({"request": "recording.start",
                                     "config": {"videoConfig": {"codec": "VP8", "width": width, "height": height}}})
    rec_id = reply.data["recording"]["id"]
    await wait_status(server, rec_id, ("RECORDING",))
    await asyncio.sleep(4)
    await presenter.control({"request": "recording.stop"})
    rec = await wait_status(server, rec_id, ("UPLOADED", "ERRORED"))
    check_equal(rec["status"], "UPLOADED", "webinar recording")
    with tempfile.TemporaryDirectory() as directory:
        path = download(server, rec, directory)
        for at in (1.0, 2.0, 3.0):
            frame = gray_frame(path, at, width, height)
            # Where a grid of two or more would put a tile (hers or a viewer's placeholder).
            band = [frame[y * width + x] for y in range(190, 290) for x in range(5, 60)]
            check(sum(band) / len(band) < 30, "at %.1f s the left band is not black (mean luma %.0f): "
                  "participants off stage are in the recording" % (at, sum(band) / len(band)))
    log("webinar recording: the presenter alone, the viewers off stage are not in it")


async def main():
    server = Server().start()
    meeting = server.create_meeting(title="Webinar")
    presets = {"presenter": "webinar_presenter", "viewer-a": "webinar_viewer",
               "viewer-b": "webinar_viewer", "lv-viewer": "livestream_viewer"}
    rests = {name: server.add_participant(meeting["id"], name.capitalize(), preset)
             for name, preset in presets.items()}
    presenter, a, b, lv = (RtkClient(server, name) for name in presets)

    for client in (presenter, a, b, lv):
        await client.join(rests[client.name]["token"])
    check_joined(presenter, rests["presenter"], OFF, [])
    check_joined(a, rests["viewer-a"], OFF, [rests["presenter"]])
    check_joined(b, rests["viewer-b"], OFF, [rests["presenter"], rests["viewer-a"]])
    check_joined(lv, rests["lv-viewer"], OFF, [])   # show_participant_list false

    await presenter_goes_live(presenter, [a, b, lv], rests)
    await recording_shows_the_stage(server, presenter)
    await viewer_asks_and_is_granted(presenter, a, [b, lv])
    await viewer_presents_and_leaves(presenter, a, clock=b)
    await viewer_is_denied(presenter, b, [a, lv])
    await livestream_viewer_stays_off(presenter, lv)

    asked = [e for e in presenter.janus.events(presenter.main, "peerRequestToJoinStage")]
    check_equal(asked, [], "peerRequestToJoinStage events the presenter got (she gets newStageRequest)")


if __name__ == "__main__":
    run_test(main)
