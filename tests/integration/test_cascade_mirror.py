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
  * chat, the owner deciding: the presenter's message on A reaches both B
    viewers as chatUpdate "add" with A's message object; a B viewer's
    message is answered with the message as A stored it (her userId and
    name, A's id) and reaches the presenter on A and the other B viewer,
    and the sender herself, exactly once each; her edit reaches A
    (chatUpdate "edit"), a pin on A reaches B (pinMessage); a viewer
    joining B afterwards finds both messages in roomJoined.chat (the
    pinned one among "pinned"), in chat.getMessages and in
    chat.searchMessages (the store both nodes share); a B viewer whose
    preset lacks chat.public.can_send is refused 0902 and nobody gets
    anything; a 600 kB message (more than a line of the control channel)
    is refused 0001 on B, and B keeps its edge (what follows still works); her deletion of her message reaches A (chatUpdate
    "delete");
  * polls, the owner deciding: a poll the presenter creates on A reaches
    both B viewers (pollsUpdate newPoll); a B viewer's vote is answered
    with the poll as she sees it (her vote counted) and reaches the
    presenter on A naming her, and the other B viewer; in a hideVotes
    poll a B viewer who voted sees the count, the other B viewer 0 until
    she votes (each her own view, as on A); a B viewer's polls.create is
    refused 0902 by A (the audience may not create polls); a viewer
    joining B afterwards finds both polls in roomJoined.polls;
  * broadcastMessage: the presenter's broadcast on A reaches both B viewers
    (broadcastedMessage with her senderId); a B viewer's reaches the
    presenter, the other B viewer and herself, once each, her reply
    counting A's recipients;
  * a second meeting chatting on A (two public messages and a private
    one) before B has an edge of it: its first B viewer's roomJoined.chat
    holds the two public messages as A sent them.
"""

import asyncio

from rtk_harness import check, check_equal, log, run_test, two_nodes
from test_cascade import Client, audience_preset, RED
from test_postgres import with_postgres

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


SEND = "chat.sendMessage"


def chat_adds(client, message_id):
    """The chatUpdate "add" events of `message_id` the client got so far."""
    return [e for e in client.janus.events(client.main, "chatUpdate")
            if e.data.get("action") == "add" and (e.data.get("message") or {}).get("id") == message_id]


def mute_audience_preset(server, audience):
    """The audience preset without chat.public.can_send."""
    presets = server.rest_ok("GET", "/v2/presets?per_page=50")
    base = next(p for p in presets if p["name"] == audience)
    permissions = dict(base["permissions"])
    chat = dict(permissions.get("chat") or {})
    chat["public"] = dict(chat.get("public") or {}, can_send=False)
    permissions["chat"] = chat
    server.rest_ok("POST", "/v2/presets", {"name": "webinar_mute_audience", "config": base["config"],
                                           "permissions": permissions})
    return "webinar_mute_audience"


async def chat(a, b, mid, audience, presenter, early, late):
    """The owner decides every public message; B's viewers see A's chat
    and speak in it."""
    # A -> B
    said = (await presenter.control({"request": SEND, "message": {"type": "text", "message": "welcome from A"}})).data
    welcome = said["message"]
    for viewer in (early, late):
        event = await viewer.wait_event("chatUpdate", timeout=10,
                                        where=lambda e: (e.data.get("message") or {}).get("id") == welcome["id"])
        check_equal((event.data.get("action"), event.data.get("message")), ("add", welcome),
                    "%s's chatUpdate of the presenter's message" % viewer.name)
    log("a message on A reaches both B viewers as A sent it")

    # B -> A and back to B, once each
    said = (await early.control({"request": SEND, "message": {"type": "text", "message": "a question from B"}})).data
    question = said["message"]
    check_equal((question.get("userId"), question.get("displayName"), question.get("message"), question.get("type")),
                (early.joined["self"]["userId"], "Early", "a question from B", "text"),
                "the B viewer's reply: the message as A stored it")
    for client in (presenter, late, early):
        event = await client.wait_event("chatUpdate", timeout=10,
                                        where=lambda e: (e.data.get("message") or {}).get("id") == question["id"])
        check_equal(event.data.get("message"), question, "%s's chatUpdate of the B viewer's message" % client.name)
    await asyncio.sleep(1.5)
    for client in (presenter, late, early):
        check_equal(len(chat_adds(client, question["id"])), 1,
                    "chatUpdate add of the B viewer's message that %s got" % client.name)
    log("a B viewer's message is answered as A stored it and reaches A and B once each")

    # her edit reaches A; A's pin reaches B
    edited = (await early.control({"request": "chat.editMessage", "messageId": question["id"],
                                   "message": {"type": "text", "message": "a better question from B"}})).data["message"]
    check(edited.get("isEdited") is True and edited.get("message") == "a better question from B",
          "the B viewer's edit reply: %r" % edited)
    event = await presenter.wait_event("chatUpdate", timeout=10, where=lambda e: e.data.get("action") == "edit")
    check_equal(event.data.get("message"), edited, "the presenter's chatUpdate edit")
    await presenter.control({"request": "chat.pin", "messageId": welcome["id"]})
    event = await late.wait_event("pinMessage", timeout=10)
    check_equal(((event.data.get("message") or {}).get("id"), (event.data.get("message") or {}).get("pinned")),
                (welcome["id"], True), "the B viewer's pinMessage")
    log("an edit from B reaches A; a pin on A reaches B")

    # a late viewer on B sees the meeting's chat
    latest = Client(b, "latest@b")
    await latest.join(a.add_participant(mid, "Latest", audience)["token"])
    history = latest.joined.get("chat") or {}
    check_equal([m.get("id") for m in history.get("messages") or []], [welcome["id"], question["id"]],
                "the ids in a late B viewer's roomJoined.chat.messages")
    check_equal([m.get("id") for m in history.get("pinned") or []], [welcome["id"]],
                "the ids in a late B viewer's roomJoined.chat.pinned")
    page = (await latest.control({"request": "chat.getMessages", "size": 10, "reversed": True})).data
    check_equal([m.get("message") for m in page.get("messages") or []], ["welcome from A", "a better question from B"],
                "a late B viewer's chat.getMessages")
    found = (await latest.control({"request": "chat.searchMessages", "query": "welcome"})).data["messages"]
    check_equal([m.get("id") for m in found], [welcome["id"]], "a late B viewer's chat.searchMessages 'welcome'")
    log("a late B viewer finds A's chat in roomJoined, chat.getMessages and chat.searchMessages")

    # no right to send: the exact refusal, nothing sent
    mute = Client(b, "mute@b")
    await mute.join(a.add_participant(mid, "Mute", mute_audience_preset(a, audience))["token"])
    before = len(presenter.janus.events(presenter.main, "chatUpdate"))
    await mute.refused({"request": SEND, "message": {"type": "text", "message": "let me speak"}}, "0902")
    await asyncio.sleep(1)
    check_equal(len(presenter.janus.events(presenter.main, "chatUpdate")), before,
                "the presenter's chatUpdates after the refused send")
    log("a B viewer without chat.public.can_send is refused 0902")

    # a request too large for the control channel is refused on B, and B stays fed
    await early.refused({"request": SEND, "message": {"type": "text", "message": "x" * (600 * 1024)}}, "0001")
    log("a request too large to forward is refused 0001 on B")

    # her deletion reaches A
    deleted = (await early.control({"request": "chat.deleteMessage", "messageId": question["id"]})).data
    check_equal(deleted.get("messageId"), question["id"], "the B viewer's delete reply")
    event = await presenter.wait_event("chatUpdate", timeout=10, where=lambda e: e.data.get("action") == "delete")
    check_equal(event.data.get("messageId"), question["id"], "the presenter's chatUpdate delete")
    await latest.wait_event("chatUpdate", timeout=10, where=lambda e: e.data.get("action") == "delete")
    log("a deletion from B reaches A and B")


def counts(poll):
    return [o.get("count") for o in poll.get("options") or []]


async def polls(a, b, mid, audience, presenter, early, late):
    """The owner decides every poll and vote; each B viewer sees its own
    view of them."""
    created = (await presenter.control({"request": "polls.create", "question": "Ship it?",
                                        "options": ["yes", "no"]})).data["poll"]
    for viewer in (early, late):
        event = await viewer.wait_event("pollsUpdate", timeout=10,
                                        where=lambda e: (e.data.get("poll") or {}).get("id") == created["id"])
        check(event.data.get("newPoll") is True, "%s's pollsUpdate of the new poll: newPoll" % viewer.name)
        check_equal(event.data["poll"], created, "%s's poll as A created it" % viewer.name)
    voted = (await early.control({"request": "polls.vote", "pollId": created["id"], "index": 1})).data["poll"]
    early_user = early.joined["self"]["userId"]
    check_equal((counts(voted), voted.get("voted")), ([0, 1], [early_user]), "the B viewer's vote reply (counts, voted)")
    event = await presenter.wait_event("pollsUpdate", timeout=10,
                                       where=lambda e: (e.data.get("poll") or {}).get("voted"))
    check_equal((counts(event.data["poll"]), event.data["poll"]["options"][1]["votes"]),
                ([0, 1], [{"id": early_user, "name": "Early"}]),
                "the presenter's pollsUpdate after the B vote (counts, the voters of 'no')")
    event = await late.wait_event("pollsUpdate", timeout=10, where=lambda e: e.data.get("newPoll") is False)
    check_equal(counts(event.data["poll"]), [0, 1], "the other B viewer's counts")
    log("a poll on A reaches B; a vote from B is counted on A and shown on B")

    secret = (await presenter.control({"request": "polls.create", "question": "Secret?", "options": ["a", "b"],
                                       "hideVotes": True})).data["poll"]
    await late.wait_event("pollsUpdate", timeout=10, where=lambda e: (e.data.get("poll") or {}).get("id") == secret["id"])
    mine = (await early.control({"request": "polls.vote", "pollId": secret["id"], "index": 0})).data["poll"]
    check_equal(counts(mine), [1, 0], "a hideVotes poll's counts for the B viewer who voted")
    event = await late.wait_event("pollsUpdate", timeout=10,
                                  where=lambda e: (e.data.get("poll") or {}).get("id") == secret["id"]
                                  and e.data.get("newPoll") is False)
    check_equal(counts(event.data["poll"]), [0, 0], "a hideVotes poll's counts for the B viewer who did not vote")
    log("a hideVotes poll: each B viewer sees its own view")

    await early.refused({"request": "polls.create", "question": "Mine?", "options": ["x", "y"]}, "0902")
    log("a B viewer's polls.create is refused 0902 by A")
    newest = Client(b, "newest@b")
    await newest.join(a.add_participant(mid, "Newest", audience)["token"])
    check_equal([p.get("id") for p in newest.joined.get("polls") or []], [created["id"], secret["id"]],
                "the poll ids in a late B viewer's roomJoined.polls")
    log("a late B viewer finds A's polls in roomJoined")


async def broadcasts(presenter, early, late):
    """Broadcasts to everyone are routed by the owner to every edge."""
    await presenter.request(presenter.main, {"request": "participants.broadcastMessage", "type": "hello",
                                             "payload": {"from": "A"}})
    for viewer in (early, late):
        event = await viewer.wait_event("broadcastedMessage", timeout=10, where=lambda e: e.data.get("type") == "hello")
        check_equal((event.data.get("payload"), event.data.get("senderId")), ({"from": "A"}, presenter.peer_id),
                    "%s's broadcastedMessage from A" % viewer.name)
    reply = await early.request(early.main, {"request": "participants.broadcastMessage", "type": "wave",
                                             "payload": {"from": "B"}})
    check(reply.name == "ok" and isinstance(reply.data.get("recipients"), int) and reply.data["recipients"] >= 1,
          "the B viewer's broadcast reply: %r" % reply.data)
    for client in (presenter, late, early):
        event = await client.wait_event("broadcastedMessage", timeout=10, where=lambda e: e.data.get("type") == "wave")
        check_equal((event.data.get("payload"), event.data.get("senderId")), ({"from": "B"}, early.peer_id),
                    "%s's broadcastedMessage from B" % client.name)
    await asyncio.sleep(1)
    for client in (presenter, late, early):
        got = [e for e in client.janus.events(client.main, "broadcastedMessage") if e.data.get("type") == "wave"]
        check_equal(len(got), 1, "the B viewer's broadcasts %s got" % client.name)
    log("broadcasts: A's reach B; a B viewer's reach A and B once each")


async def history_before_the_edge(a, b, audience):
    """A meeting whose chat began before B had an edge of it: the first B
    viewer finds it in roomJoined.chat (the owner sends a new edge the
    newest public messages), private messages left out."""
    mid = a.create_meeting(title="Chatty webinar")["id"]
    host = Client(a, "host2")
    await host.join(a.add_participant(mid, "Host", "webinar_presenter")["token"])
    other = Client(a, "other@a")
    await other.join(a.add_participant(mid, "Other", "webinar_presenter")["token"])
    first = (await host.control({"request": SEND, "message": {"type": "text", "message": "first"}})).data["message"]
    await host.control({"request": SEND, "message": {"type": "text", "message": "psst"},
                        "participantIds": [other.peer_id]})
    second = (await host.control({"request": SEND, "message": {"type": "text", "message": "second"}})).data["message"]
    viewer = Client(b, "first@b")
    await viewer.join(a.add_participant(mid, "First", audience)["token"])
    check_equal(viewer.joined.get("chat", {}).get("messages"), [first, second],
                "the first B viewer's roomJoined.chat.messages")
    log("the first viewer of a new edge finds the public chat held before it")


async def main():
    await with_postgres(mirrored)


async def mirrored(pg):
    a, b = two_nodes(pg, OFFSET)
    mid = a.create_meeting(title="Mirrored webinar")["id"]
    audience = audience_preset(a)
    presenter, early, late = await active_speaker(a, b, mid, audience)
    await pins(presenter, early)
    await chat(a, b, mid, audience, presenter, early, late)
    await polls(a, b, mid, audience, presenter, early, late)
    await broadcasts(presenter, early, late)
    await history_before_the_edge(a, b, audience)


if __name__ == "__main__":
    run_test(main)
