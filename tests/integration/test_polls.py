#!/usr/bin/python3
"""test_polls.py - meeting.polls over the Janus API and REST (docs/protocol.md,
"Polls"; docs/rest.md, "Create a poll").

Owns the live session's polls end to end. In one meeting Ada
(group_call_host), Bob (group_call_participant) and Cy (webinar_viewer: may
vote, not create) are joined; Nia has a preset without polls.can_view; Wes
(a preset whose joins wait for a host) is in the waiting room. Asserted:
  * Ada creates a poll: the reply carries it as Ada sees it (createdBy,
    createdByUserId); Ada, Bob and Cy get pollsUpdate newPoll true;
  * Bob votes: each viewer's pollsUpdate (newPoll false) counts it and names
    Bob; his second vote is refused 0702;
  * refusals change nothing and send nothing: unknown poll 0701, an index
    out of range 0703, an oversized question or one option 0704, a
    mistyped field 0001, Cy creating 0902, Wes voting from the waiting room
    0003;
  * an anonymous poll shows nobody's id: every votes list is empty, voted
    holds only the viewer's own id once it voted;
  * POST /v2/meetings/{id}/active-session/poll (201) reaches the participants
    as a pollsUpdate with the same poll id, created by "" (the server);
    hide_votes hides the counts from Ada and Cy (the server created it) until
    they vote; 422 for bad fields,
    404 for an unknown meeting and for a meeting without a live session;
  * sync lists the polls; Nia and Wes never got a poll (no pollsUpdate, no
    polls in roomJoined).
"""

import time

from rtk_harness import RtkClient, Server, check, check_equal, log, run_test

QUIET_S = 1.0   # how long clients that must get nothing are watched


def updates(client):
    return [e.data for e in client.janus.events(client.main, "pollsUpdate")]


def poll_in(event, poll_id):
    for poll in event.get("polls") or [event.get("poll")]:
        if poll.get("id") == poll_id:
            return poll
    raise AssertionError("poll %s not in %r" % (poll_id, event))


async def next_update(client, new_poll):
    event = (await client.wait_event("pollsUpdate")).data
    check_equal(event.get("newPoll"), new_poll, "%s: pollsUpdate newPoll" % client.name)
    return event


async def main():
    server = Server().start()
    status, _ = server.rest("POST", "/v2/presets", {
        "name": "waits", "permissions": {"waiting_room_type": "ON_PRIVILEGED_USER_ENTRY",
                                         "polls": {"can_create": True, "can_vote": True, "can_view": True}}})
    check(status == 201, "POST /v2/presets waits: %s" % status)
    status, _ = server.rest("POST", "/v2/presets", {
        "name": "blind", "permissions": {"polls": {"can_create": False, "can_vote": True, "can_view": False}}})
    check(status == 201, "POST /v2/presets blind: %s" % status)
    meeting = server.create_meeting(title="polls")
    idle = server.create_meeting(title="nobody in")
    rests = {name: server.add_participant(meeting["id"], name.capitalize(), preset_name)
             for name, preset_name in (("ada", "group_call_host"), ("bob", "group_call_participant"),
                                       ("cy", "webinar_viewer"), ("nia", "blind"), ("wes", "waits"))}
    clients = {}
    for name in ("ada", "bob", "cy", "nia"):
        clients[name] = RtkClient(server, name)
        await clients[name].join(rests[name]["token"])
    ada, bob, cy, nia = clients["ada"], clients["bob"], clients["cy"], clients["nia"]
    wes = RtkClient(server, "wes")
    await wes.join(rests["wes"]["token"], expect="waitlisted")
    check_equal(ada.joined.get("polls"), [], "polls in Ada's roomJoined before any")
    check("polls" not in nia.joined, "Nia's roomJoined lists polls: %r" % nia.joined.get("polls"))
    viewers = (ada, bob, cy)

    # create
    reply = (await ada.control({"request": "polls.create", "question": "Lunch?",
                                "options": ["Pizza", "Sushi"]})).data
    poll = reply["poll"]
    lunch = poll["id"]
    check_equal((poll["question"], [o["text"] for o in poll["options"]], poll["anonymous"], poll["hideVotes"],
                 poll["createdBy"], poll["createdByUserId"], poll["voted"]),
                ("Lunch?", ["Pizza", "Sushi"], False, False, "Ada", rests["ada"]["id"], []), "the created poll")
    for client in viewers:
        event = await next_update(client, True)
        check_equal(poll_in(event, lunch)["question"], "Lunch?", "%s's new poll" % client.name)
    log("Ada's poll reached Ada, Bob and Cy")

    # vote
    reply = (await bob.control({"request": "polls.vote", "pollId": lunch, "index": 1})).data
    check_equal(reply["poll"]["voted"], [rests["bob"]["id"]], "Bob's vote in his reply")
    for client in viewers:
        seen = poll_in(await next_update(client, False), lunch)
        check_equal([o["count"] for o in seen["options"]], [0, 1], "%s: counts" % client.name)
        check_equal(seen["options"][1]["votes"], [{"id": rests["bob"]["id"], "name": "Bob"}],
                    "%s: Sushi's voters" % client.name)
    await bob.refused({"request": "polls.vote", "pollId": lunch, "index": 0}, "0702")
    log("Bob's vote counted; a second one is refused 0702")

    # refusals change nothing
    before = {name: len(updates(c)) for name, c in clients.items()}
    await cy.refused({"request": "polls.vote", "pollId": "no-such-poll", "index": 0}, "0701")
    await cy.refused({"request": "polls.vote", "pollId": lunch, "index": 2}, "0703")
    await cy.refused({"request": "polls.vote", "pollId": lunch, "index": -1}, "0703")
    await cy.refused({"request": "polls.vote", "pollId": lunch, "index": "0"}, "0001")
    await ada.refused({"request": "polls.create", "question": "x" * 501, "options": ["a", "b"]}, "0704")
    await ada.refused({"request": "polls.create", "question": "Q", "options": ["only"]}, "0704")
    await ada.refused({"request": "polls.create", "question": "Q", "options": ["a", 2]}, "0001")
    error = await cy.refused({"request": "polls.create", "question": "Q", "options": ["a", "b"]}, "0902")
    check("polls.can_create" in error.data["error"]["message"], "0902 names the permission: %r" % error.data)
    await wes.refused({"request": "polls.vote", "pollId": lunch, "index": 0}, "0003")
    await wes.refused({"request": "polls.create", "question": "Q", "options": ["a", "b"]}, "0003")
    time.sleep(QUIET_S)
    check_equal({name: len(updates(c)) for name, c in clients.items()}, before, "pollsUpdates after the refusals")
    sync = (await ada.request(ada.main, {"request": "sync"}, expect="roomState")).data
    check_equal([(p["id"], [o["count"] for o in p["options"]]) for p in sync["polls"]], [(lunch, [0, 1])],
                "polls in Ada's sync after the refusals")
    log("refusals 0701/0703/0001/0704/0902/0003 changed nothing")

    # anonymous
    reply = (await bob.control({"request": "polls.create", "question": "Early or late?",
                                "options": ["Early bird", "Night owl"], "anonymous": True})).data
    anon = reply["poll"]["id"]
    for client in viewers:
        await next_update(client, True)
    await ada.control({"request": "polls.vote", "pollId": anon, "index": 0})
    for client in viewers:
        await next_update(client, False)
    await cy.control({"request": "polls.vote", "pollId": anon, "index": 1})
    own = {"ada": [rests["ada"]["id"]], "bob": [], "cy": [rests["cy"]["id"]]}
    for client in viewers:
        seen = poll_in(await next_update(client, False), anon)
        check_equal([(o["count"], o["votes"]) for o in seen["options"]], [(1, []), (1, [])],
                    "%s: anonymous options" % client.name)
        check_equal(seen["voted"], own[client.name], "%s: anonymous voted" % client.name)
    log("the anonymous poll named no voter, each saw only itself in voted")

    # REST
    base = "/v2/meetings/%s/active-session/poll" % meeting["id"]
    status, body = server.rest("POST", base, {"question": "From the API", "options": ["Yes", "No"],
                                              "hide_votes": True})
    check_equal(status, 201, "POST active-session/poll (%s)" % server.last_text)
    rest_poll = body["data"]["poll"]
    check_equal((rest_poll["question"], rest_poll["created_by"], rest_poll["hide_votes"], rest_poll["anonymous"],
                 [(o["text"], o["count"], o["votes"]) for o in rest_poll["options"]], rest_poll["voted"]),
                ("From the API", "", True, False, [("Yes", 0, []), ("No", 0, [])], []), "the REST poll")
    for client in viewers:
        seen = poll_in(await next_update(client, True), rest_poll["id"])
        check_equal((seen["createdBy"], seen["createdByUserId"], seen["hideVotes"]), ("", "", True),
                    "%s: the REST poll" % client.name)
    await bob.control({"request": "polls.vote", "pollId": rest_poll["id"], "index": 0})
    for client in viewers:
        seen = poll_in(await next_update(client, False), rest_poll["id"])
        counts = [o["count"] for o in seen["options"]]
        check_equal(counts, [1, 0] if client is bob else [0, 0], "%s: hideVotes counts" % client.name)
    await cy.control({"request": "polls.vote", "pollId": rest_poll["id"], "index": 1})
    seen = poll_in(await next_update(cy, False), rest_poll["id"])
    check_equal([o["count"] for o in seen["options"]], [1, 1], "Cy's counts once she voted")
    for bad in ({"options": ["a", "b"]}, {"question": "Q", "options": "a"}, {"question": "Q", "options": ["a", 1]},
                {"question": "Q", "options": ["a", "b"], "anonymous": "yes"},
                {"question": "x" * 501, "options": ["a", "b"]}, {"question": "Q", "options": ["a"]}):
        status, _ = server.rest("POST", base, bad)
        check_equal(status, 422, "POST poll %r (%s)" % (bad, server.last_text))
    status, _ = server.rest("POST", "/v2/meetings/%s/active-session/poll" % idle["id"],
                            {"question": "Q", "options": ["a", "b"]})
    check_equal(status, 404, "a poll in a meeting nobody is in")
    status, _ = server.rest("POST", "/v2/meetings/00000000-0000-4000-8000-000000000000/active-session/poll",
                            {"question": "Q", "options": ["a", "b"]})
    check_equal(status, 404, "a poll in an unknown meeting")
    log("REST poll creation reached the participants; bad input 422, no session 404")

    # who never got a poll
    time.sleep(QUIET_S)
    check_equal(updates(nia), [], "pollsUpdates Nia (no polls.can_view) got")
    check_equal(updates(wes), [], "pollsUpdates Wes (waiting room) got")
    sync = (await nia.request(nia.main, {"request": "sync"}, expect="roomState")).data
    check("polls" not in sync, "Nia's sync lists polls: %r" % sync.get("polls"))
    sync = (await cy.request(cy.main, {"request": "sync"}, expect="roomState")).data
    check_equal([p["id"] for p in sync["polls"]], [lunch, anon, rest_poll["id"]], "polls in Cy's sync")
    log("Nia and Wes got no poll; sync lists all three to Cy")


if __name__ == "__main__":
    run_test(main)
