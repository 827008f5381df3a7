#!/usr/bin/python3
"""test_sdk_collab.py - the collaboration half of the web SDK (issue 11)
in a real browser, against the real server.

Headless Chromium (demo_pages.js, driven step by step) opens the bare SDK
test page (sdk_meeting.html in test_sdk_meeting.py's web directory, with
?media=0: no camera or microphone) for Ada (group_call_host) and Bob
(group_call_participant), and calls the SDK in each page as an
application would (the driver's "run"). Asserted, as a user of the SDK
sees it:
  * Ada calls self.setName('Ada Lovelace') before join: her self.name is
    that name once joined;
  * Bob, not joined (roomState "init"), calls
    participants.getParticipantsInMeetingPreJoin() and gets Ada, under her
    new name and user id; his joined map stays empty;
  * Bob joins: participants.joined shows Ada as Ada Lovelace, and Ada gets
    participantJoined for Bob;
  * Ada creates a poll: Bob's pollsUpdate brings it (meeting.polls.items,
    newPoll true); Bob votes for the second option; Ada's pollsUpdate
    shows that option's count 1 with Bob as its voter;
  * Ada's participants.broadcastMessage('notice', payload,
    {participantIds: [Bob]}) resolves with 1 recipient, and Bob's
    broadcastedMessage event carries the type, the payload and Ada's id;
  * Ada (can_spotlight) sets her active tab and turns on
    setBroadcastTabChanges: Bob's meta.selfActiveTab follows it
    (activeTabUpdate from Ada), and then her next tab;
  * no console errors on either page.

Needs /usr/bin/chromium (or $RTK_CHROMIUM), node and `npm ci --prefix
tests/browser` (playwright-core); without them the test fails and says
so, unless RTK_SKIP_BROWSER=1 (then it is skipped: 77).
"""

import json
import os
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from rtk_harness import EXIT_SKIP, Server, check, check_equal, log, run_test  # noqa: E402
from browser_driver import until  # noqa: E402
from demo_pages import Pages, tools  # noqa: E402
from test_sdk_meeting import web_dir  # noqa: E402

# Waits for the page's meeting (init resolved), then logs the events this
# test reads; answers the room state.
INSTALL = """(async () => {
  for (let i = 0; i < 300 && !window.rtkMeeting && !window.rtkError; i++)
    await new Promise((resolve) => setTimeout(resolve, 100));
  if (!window.rtkMeeting)
    throw new Error('no meeting: ' + (window.rtkError || 'init did not resolve in 30 s'));
  const m = window.rtkMeeting;
  const log = window.collabLog = [];
  m.participants.joined.on('participantJoined', (p) => log.push({ what: 'participantJoined', userId: p.userId,
                                                                  name: p.name }));
  m.participants.on('broadcastedMessage', (message) => log.push(Object.assign({ what: 'broadcastedMessage' },
                                                                             message)));
  m.polls.on('pollsUpdate', (u) => log.push({ what: 'pollsUpdate', newPoll: u.newPoll, polls: u.polls }));
  m.meta.on('activeTabUpdate', (u) => log.push(Object.assign({ what: 'activeTabUpdate' }, u)));
  return m.self.roomState;
})()"""

# What the page's SDK shows now.
STATE = """(() => {
  const m = window.rtkMeeting;
  return {
    self: { id: m.self.id, userId: m.self.userId, name: m.self.name, roomState: m.self.roomState },
    joined: m.participants.joined.toArray().map((p) => ({ id: p.id, userId: p.userId, name: p.name })),
    polls: m.polls.items, tab: m.meta.selfActiveTab, broadcastTabChanges: m.meta.broadcastTabChanges,
    log: window.collabLog,
  };
})()"""


def call(expression):
    """A script that awaits `expression` (with m the page's meeting) and
    answers its value, or {error: code, message} when it rejects."""
    return """(async () => {
  const m = window.rtkMeeting;
  try {
    const value = await (%s);
    return { value: value === undefined ? null : value };
  } catch (e) {
    return { error: e && e.code || String(e), message: String(e && e.message || e) };
  }
})()""" % expression


def events(snap, what):
    return [e for e in snap["log"] if e["what"] == what]


async def main():
    node = tools("the SDK collaboration browser test")
    server = Server(env={"RTK_WEB_DIR": web_dir()}).start()
    meeting = server.create_meeting(title="SDK collaboration test")
    ada = server.add_participant(meeting["id"], "Ada", "group_call_host")
    bob = server.add_participant(meeting["id"], "Bob", "group_call_participant")
    pages = Pages(node)

    async def run(name, expression):
        reply = await pages.run(name, call(expression))
        check("error" not in reply, "%s: %s: %s" % (name, expression, reply))
        return reply["value"]

    async def state(name, what, pred, timeout=20):
        return await until("%s: %s" % (name, what), lambda: pages.run(name, STATE), pred, timeout)

    try:
        await pages.start()
        for name, rest in (("ada", ada), ("bob", bob)):
            await pages.open(name, "%s/sdk/test/meeting.html?media=0&token=%s"
                             % (server.rest_base, urllib.parse.quote(rest["token"])))
            check_equal(await pages.run(name, INSTALL), "init", "%s's roomState before join" % name)

        # setName before join
        await run("ada", "m.self.setName('Ada Lovelace')")
        await run("ada", "m.join()")
        a = await pages.run("ada", STATE)
        check_equal((a["self"]["roomState"], a["self"]["name"], a["self"]["userId"]),
                    ("joined", "Ada Lovelace", ada["id"]), "Ada's self once joined (roomState, name, userId)")
        log("Ada joined as Ada Lovelace (setName before join)")

        # pre-join
        listed = await run("bob", "m.participants.getParticipantsInMeetingPreJoin()"
                                  ".then((list) => list.map((p) => ({ userId: p.userId, name: p.name })))")
        check_equal(listed, [{"userId": ada["id"], "name": "Ada Lovelace"}], "Bob's pre-join participants")
        b = await pages.run("bob", STATE)
        check_equal((b["self"]["roomState"], b["joined"]), ("init", []), "Bob after the pre-join (roomState, joined)")
        await run("bob", "m.join()")
        b = await pages.run("bob", STATE)
        check_equal([(p["userId"], p["name"]) for p in b["joined"]], [(ada["id"], "Ada Lovelace")],
                    "Bob's participants.joined")
        a = await state("ada", "participantJoined for Bob", lambda s: events(s, "participantJoined"))
        check_equal([(e["userId"], e["name"]) for e in events(a, "participantJoined")], [(bob["id"], "Bob")],
                    "Ada's participantJoined events")
        ada_id, bob_id = a["self"]["id"], b["self"]["id"]
        log("Bob saw Ada Lovelace before joining, then joined")

        # a poll
        await run("ada", "m.polls.create('Lunch?', ['Pizza', 'Sushi'], false, false)")
        b = await state("bob", "the new poll", lambda s: events(s, "pollsUpdate"))
        update = events(b, "pollsUpdate")[0]
        check_equal((update["newPoll"], [p["question"] for p in update["polls"]]), (True, ["Lunch?"]),
                    "Bob's pollsUpdate (newPoll, questions)")
        poll = b["polls"][0]
        check_equal(([o["text"] for o in poll["options"]], [o["count"] for o in poll["options"]]),
                    (["Pizza", "Sushi"], [0, 0]), "the poll in Bob's meeting.polls.items (options, counts)")
        await run("bob", "m.polls.vote(%r, 1)" % poll["id"])
        a = await state("ada", "Bob's vote", lambda s: any(
            p["options"][1]["count"] == 1 for e in events(s, "pollsUpdate") for p in e["polls"]))
        voted = a["polls"][0]
        check_equal(([o["count"] for o in voted["options"]], [v.get("id") for v in voted["options"][1]["votes"]]),
                    ([0, 1], [bob["id"]]), "the poll in Ada's meeting.polls.items (counts, Sushi's voters)")
        check_equal(events(a, "pollsUpdate")[-1]["newPoll"], False, "Ada's last pollsUpdate.newPoll")
        log("Ada's poll: Bob voted, Ada's pollsUpdate counts it")

        # a message to Bob
        recipients = await run("ada", "m.participants.broadcastMessage('notice', {message: '5 minutes left'}, "
                                      "{participantIds: [%r]})" % bob_id)
        check_equal(recipients, 1, "broadcastMessage's recipients")
        b = await state("bob", "the broadcast message", lambda s: events(s, "broadcastedMessage"))
        got = events(b, "broadcastedMessage")
        check_equal([(e["type"], e["payload"], e["senderId"]) for e in got],
                    [("notice", {"message": "5 minutes left"}, ada_id)], "Bob's broadcastedMessage events")
        check(isinstance(got[0].get("timestamp"), (int, float)), "no timestamp: %r" % got[0])
        log("Ada's broadcastMessage reached Bob")

        # spotlight
        whiteboard = {"type": "plugin", "id": "whiteboard"}
        await run("ada", "m.meta.setSelfActiveTab(%s)" % json.dumps(whiteboard))
        await run("ada", "m.meta.setBroadcastTabChanges(true)")
        b = await state("bob", "Ada's tab", lambda s: s["tab"] == whiteboard)
        check_equal([(e["tab"], e["participantId"]) for e in events(b, "activeTabUpdate")], [(whiteboard, ada_id)],
                    "Bob's activeTabUpdate events")
        screen = {"type": "screenshare", "id": ada_id}
        await run("ada", "m.meta.setSelfActiveTab(%s)" % json.dumps(screen))
        await state("bob", "Ada's next tab", lambda s: s["tab"] == screen)
        a = await pages.run("ada", STATE)
        check_equal((a["broadcastTabChanges"], a["tab"]), (True, screen), "Ada's meta (broadcastTabChanges, tab)")
        log("Bob's meta.selfActiveTab follows Ada's tabs")

        errors = await pages.console_errors()
        check(not any(errors.values()), "console errors: %r" % errors)
    finally:
        await pages.close()


if __name__ == "__main__":
    if os.environ.get("RTK_SKIP_BROWSER") == "1":
        print("SKIP: RTK_SKIP_BROWSER=1", flush=True)
        sys.exit(EXIT_SKIP)
    run_test(main)
