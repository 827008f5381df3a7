#!/usr/bin/python3
"""test_cascade_mirror.py - what a cascaded meeting's edge mirrors of its
owner beyond participants and streams (docs/deploy.md, "Cascading a large
meeting", "What the edge shows"; issue 15).

Owns the mirrored active speaker, pins and chat of plugin/cascade.c end to
end. PostgreSQL and two nodes sharing it (rtk_harness.two_nodes): node A
owns the meeting, node B runs its edge. Asserted, as the users see it:
  * active speaker: a B viewer who joined before the presenter spoke gets
    activeSpeaker naming the presenter on A once her (440 Hz, about -15
    dBov) voice makes her A's speaker; a B viewer joining afterwards has
    her in roomJoined's activeSpeaker;
  * pins: the presenter (a host: pin_participant) pins herself on A: the B
    viewer gets participantPinned {participantId, userId}; unpins:
    participantUnpinned;
"""

from rtk_harness import check, check_equal, log, run_test, two_nodes
from test_cascade import Client, audience_preset, RED
from test_postgres import Postgres

OFFSET = 10
SPEAKER_TIMEOUT = 10


async def active_speaker(a, b, mid, audience):
    """The presenter's voice makes her A's active speaker: B's viewers are
    told, and a late one finds it in roomJoined."""
    presenter = Client(a, "presenter")
    await presenter.join(a.add_participant(mid, "Presenter", "webinar_presenter")["token"])
    await presenter.control({"request": "stage.join"})
    early = Client(b, "early@b")
    await early.join(a.add_participant(mid, "Early", audience)["token"])
    check(early.joined.get("activeSpeaker") is None,
          "nobody speaks yet, the early B viewer's roomJoined activeSpeaker: %r" % early.joined.get("activeSpeaker"))
    await presenter.publish_solid(RED)
    event = await early.wait_event("activeSpeaker", timeout=SPEAKER_TIMEOUT)
    check_equal((event.data.get("participantId"), event.data.get("userId")),
                (presenter.peer_id, presenter.joined["self"]["userId"]),
                "the B viewer's activeSpeaker (participantId, userId)")
    log("the presenter talks on A: the B viewer got activeSpeaker naming her")
    late = Client(b, "late@b")
    await late.join(a.add_participant(mid, "Late", audience)["token"])
    speaker = late.joined.get("activeSpeaker") or {}
    check_equal(speaker.get("participantId"), presenter.peer_id, "a late B viewer's roomJoined activeSpeaker")
    log("a late B viewer's roomJoined names the active speaker")
    return presenter, early, late


async def pins(presenter, viewer):
    """Pins decided on A reach B's viewers as the same events."""
    await presenter.control({"request": "participant.pin", "participantId": presenter.peer_id})
    event = await viewer.wait_event("participantPinned", timeout=10)
    check_equal((event.data.get("participantId"), event.data.get("userId")),
                (presenter.peer_id, presenter.joined["self"]["userId"]),
                "the B viewer's participantPinned (participantId, userId)")
    await presenter.control({"request": "participant.unpin", "participantId": presenter.peer_id})
    event = await viewer.wait_event("participantUnpinned", timeout=10)
    check_equal(event.data.get("participantId"), presenter.peer_id, "the B viewer's participantUnpinned")
    log("pin and unpin on A: the B viewer got participantPinned and participantUnpinned")


async def main():
    pg = Postgres().start()
    try:
        await mirrored(pg)
    except Exception:
        log("PostgreSQL server log:\n" + pg.tail())
        raise
    finally:
        pg.stop()


async def mirrored(pg):
    a, b = two_nodes(pg, OFFSET)
    mid = a.create_meeting(title="Mirrored webinar")["id"]
    audience = audience_preset(a)
    presenter, early, late = await active_speaker(a, b, mid, audience)
    await pins(presenter, early)


if __name__ == "__main__":
    run_test(main)
