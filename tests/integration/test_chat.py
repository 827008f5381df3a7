#!/usr/bin/python3
"""test_chat.py - the chat over the Janus API (docs/protocol.md, "Chat") and
its REST side (docs/rest.md, "Chat export").

Owns what participants see of the chat and what the store keeps of it. In a
meeting with persist_chat, Ada (group_call_host), Bob and Cy
(group_call_participant) and Vic (webinar_viewer) are joined. Asserted:
  * a public message reaches all four (the sender too) with the seed's
    Message fields; a private one from Bob to Cy reaches Bob and Cy only;
  * the rights of the presets: Vic may write in public but not privately
    (0902); bad input gets its code and nobody gets anything: text over
    4096 bytes or empty (0503), an unknown recipient (1204), an unknown
    upload (0506), a message that is not an object (0001), an unknown
    message (0501);
  * edits (author only: 0502 for the host), deletes (the host may delete
    Bob's, Cy may not delete Ada's: 0502), pins and unpins, each with its
    event to those who see the message;
  * getMessages pages back in time; searchMessages finds words by prefix
    (SQLite FTS5 behind the store writer) and never what the caller may
    not see; a channel's messages reach its members only;
  * a late joiner gets the history in roomJoined.chat; a flood of 30
    messages: at most 20 a second, the rest 0012;
  * when the session ends: meeting.chatSynced with a signed CSV URL; the
    CSV (no API key) holds the messages; a tampered signature is 403; GET
    /v2/sessions/{id}/chat hands out a fresh URL. A meeting without
    persist_chat has its chat in the store while it runs, and nothing
    once it ended (404), also when the server was killed while it ran
    (the restart removes it; a persist_chat meeting's stays).
"""

import csv
import io
import time
import urllib.error
import urllib.request

from rtk_harness import RtkClient, Server, WebhookReceiver, check, check_equal, log, run_test

SEND = "chat.sendMessage"
QUIET_S = 1.0   # how long a participant that must get nothing is watched


def updates(client, action=None):
    return [e.data for e in client.janus.events(client.main, "chatUpdate")
            if action is None or e.data.get("action") == action]


def text(body, **fields):
    return dict({"request": SEND, "message": {"type": "text", "message": body}}, **fields)


async def send(client, body, **fields):
    return (await client.control(text(body, **fields))).data["message"]


def http_get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:
            return reply.status, reply.headers.get("Content-Type"), reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type"), error.read().decode()


async def main():
    server = Server().start()
    receiver = WebhookReceiver()
    hook = server.rest_ok("POST", "/v2/webhooks", {"name": "chat", "url": receiver.url,
                                                    "events": ["meeting.chatSynced"]})
    receiver.secret = hook["secret"]
    meeting = server.create_meeting(title="chat", persist_chat=True)
    rests = {name: server.add_participant(meeting["id"], name.capitalize(), preset)
             for name, preset in (("ada", "group_call_host"), ("bob", "group_call_participant"),
                                  ("cy", "group_call_participant"), ("vic", "webinar_viewer"),
                                  ("dee", "group_call_participant"))}
    clients = {}
    for name in ("ada", "bob", "cy", "vic"):
        clients[name] = RtkClient(server, name)
        joined = await clients[name].join(rests[name]["token"])
    ada, bob, cy, vic = (clients[n] for n in ("ada", "bob", "cy", "vic"))
    session_id = joined["meeting"]["sessionId"]
    check_equal(joined["chat"], {"messages": [], "pinned": [], "channels": []}, "roomJoined.chat of an empty chat")

    # public and private messages
    sent_at = time.time() * 1000
    hello = await send(ada, "hello everyone: the quarterly planning meeting starts now")
    for client in clients.values():
        got = (await client.wait_event("chatUpdate")).data
        check_equal((got["action"], got["message"]), ("add", hello), "what %s got" % client.name)
    check_equal((hello["type"], hello["userId"], hello["displayName"], hello["isEdited"], hello["pinned"]),
                ("text", rests["ada"]["id"], "Ada", False, False), "the message's fields")
    check(abs(hello["timeMs"] - sent_at) < 10000 and hello["time"].endswith("Z"), "time %r" % hello)
    secret = await send(bob, "psst: the password is swordfish", participantIds=[cy.peer_id])
    check_equal(secret["targetUserIds"], [rests["cy"]["id"]], "targetUserIds (user ids)")
    await cy.wait_event("chatUpdate", where=lambda e: e.data.get("message", {}).get("id") == secret["id"])
    time.sleep(QUIET_S)
    for client in (ada, vic):
        check(all(u.get("message", {}).get("id") != secret["id"] for u in updates(client)),
              "%s got Bob's private message to Cy" % client.name)
    log("a public message reached everyone, a private one only Bob and Cy")

    # rights and bad input: nothing reaches anyone
    before = {name: len(updates(c)) for name, c in clients.items()}
    await vic.refused(text("hi", participantIds=[ada.peer_id]), "0902")
    await vic.refused({"request": SEND, "message": {"type": "file", "fileId": "0b9e5d2c-0000-4000-8000-000000000000"}},
                      "0902")
    await ada.refused(text("x" * 4097), "0503")
    await ada.refused(text(""), "0503")
    await ada.refused(text("hi", participantIds=[bob.peer_id, "nobody"]), "1204")
    await ada.refused({"request": SEND, "message": {"type": "image", "fileId": "0b9e5d2c-0000-4000-8000-000000000000"}},
                      "0506")
    await ada.refused({"request": SEND, "message": "hi"}, "0001")
    await ada.refused(text("hi", participantIds=[bob.peer_id], channelId="c"), "0001")
    await ada.refused({"request": "chat.editMessage", "messageId": "nope", "message": {"type": "text", "message": "x"}},
                      "0501")
    time.sleep(QUIET_S)
    check_equal({name: len(updates(c)) for name, c in clients.items()}, before, "chatUpdates after the refusals")
    vics = await send(vic, "a viewer may speak in public")
    log("preset rights and bad input refused (0902, 0503, 1204, 0506, 0001, 0501), nothing sent")

    # edit, delete, pin
    typo = await send(bob, "see you at noon, tpyo")
    await ada.refused({"request": "chat.editMessage", "messageId": typo["id"],
                       "message": {"type": "text", "message": "hijacked"}}, "0502")
    edited = (await bob.control({"request": "chat.editMessage", "messageId": typo["id"],
                                 "message": {"type": "text", "message": "see you at noon"}})).data["message"]
    check_equal((edited["message"], edited["isEdited"]), ("see you at noon", True), "the edited message")
    got = await cy.wait_event("chatUpdate", where=lambda e: e.data["action"] == "edit")
    check_equal(got.data["message"]["message"], "see you at noon", "Cy's edit event")
    await cy.refused({"request": "chat.deleteMessage", "messageId": hello["id"]}, "0502")
    await ada.control({"request": "chat.deleteMessage", "messageId": vics["id"]})
    got = await vic.wait_event("chatUpdate", where=lambda e: e.data["action"] == "delete")
    check_equal(got.data["messageId"], vics["id"], "Vic's delete event")
    await cy.refused({"request": "chat.pin", "messageId": hello["id"]}, "0502")
    await ada.control({"request": "chat.pin", "messageId": hello["id"]})
    pinned = await vic.wait_event("pinMessage")
    check(pinned.data["message"]["pinned"], "pinMessage carries the pinned message")
    log("edits by the author only, deletes and pins by the author or a host, with their events")

    # paging and search
    page = (await bob.control({"request": "chat.getMessages", "size": 2, "reversed": True})).data
    check_equal([m["id"] for m in page["messages"]], [secret["id"], typo["id"]], "the newest page")
    check(page["next"], "more before the newest page")
    page = (await bob.control({"request": "chat.getMessages", "timestamp": secret["timeMs"], "size": 5})).data
    check_equal([m["id"] for m in page["messages"]], [hello["id"]], "the page before Bob's secret")
    check(not page["next"], "nothing before the first message")
    found = (await cy.control({"request": "chat.searchMessages", "query": "plan meet"})).data["messages"]
    check_equal([m["id"] for m in found], [hello["id"]], "Cy's search for 'plan meet'")
    found = (await cy.control({"request": "chat.searchMessages", "query": "swordfish"})).data["messages"]
    check_equal([m["id"] for m in found], [secret["id"]], "Cy finds the private message she got")
    found = (await vic.control({"request": "chat.searchMessages", "query": "swordfish"})).data["messages"]
    check_equal(found, [], "Vic's search for a private message between others")
    found = (await ada.control({"request": "chat.searchMessages", "query": "\" OR * NEAR("})).data["messages"]
    check_equal(found, [], "a search of operators only")
    log("getMessages pages back in time; searchMessages finds by word prefix, only what the caller sees")

    # channels
    channel = (await bob.control({"request": "chat.createChannel", "name": "side", "memberIds": [cy.peer_id]})).data[
        "channel"]
    await cy.wait_event("channelCreate")
    in_channel = (await cy.control(text("channel talk", channelId=channel["id"]))).data["message"]
    await bob.wait_event("chatUpdate", where=lambda e: e.data.get("message", {}).get("channelId") == channel["id"])
    await ada.refused(text("let me in", channelId=channel["id"]), "0505")
    marked = (await bob.control({"request": "chat.markLastReadMessage", "channelId": channel["id"],
                                 "messageId": in_channel["id"]})).data["channel"]
    check_equal(marked["unreadCount"], 0, "unread after marking the last message")
    time.sleep(QUIET_S)
    check(all("channelId" not in u.get("message", {}) for u in updates(ada)), "Ada got a channel message")
    log("a channel's messages reach its members only")

    # a late joiner gets the history; a flood is cut at 20 a second
    dee = RtkClient(server, "dee")
    joined = await dee.join(rests["dee"]["token"])
    history = [m["id"] for m in joined["chat"]["messages"]]
    check_equal(history, [hello["id"], typo["id"]], "Dee's history (no private, channel or deleted message)")
    check_equal([m["id"] for m in joined["chat"]["pinned"]], [hello["id"]], "Dee's pinned messages")
    started = time.monotonic()
    sent = [dee.janus.send(dee.main, text("flood %d" % i)) for i in range(30)]
    took = time.monotonic() - started
    answers = []
    for transaction in sent:
        event = dee.janus.wait_event(dee.main, where=lambda e, t=transaction: e.transaction == t)
        answers.append(event.name if event.name == "ok" else event.data.get("error", {}).get("code"))
    check(set(answers) <= {"ok", "0012"} and answers.count("ok") >= 1, "answers to 30 quick messages: %s" % answers)
    if took < 0.5:   # all 30 well within one second of the server's: at most 20 go through
        check(answers.count("ok") <= 20 and answers.count("0012") >= 10,
              "answers to 30 messages sent in %.2f s: %s" % (took, answers))
    accepted, refused = answers.count("ok"), answers.count("0012")
    log("a late joiner got the history; a flood: %d sent, %d refused with 0012" % (accepted, refused))

    # the session ends: the chat is kept (persist_chat), chatSynced, the CSV
    for client in (ada, bob, cy, vic, dee):
        await client.leave()
    deadline = time.time() + 15
    while time.time() < deadline and not receiver.deliveries:
        time.sleep(0.1)
    check_equal([d["event"] for d in receiver.deliveries], ["meeting.chatSynced"], "webhooks delivered")
    synced = receiver.deliveries[0]
    check_equal((synced["meetingId"], synced["sessionId"]), (meeting["id"], session_id), "chatSynced's meeting")
    check_equal(sorted(synced), ["chatDownloadUrl", "chatDownloadUrlExpiry", "event", "meetingId", "organizedBy",
                                 "sessionId"], "chatSynced's keys (RealtimeKit's)")
    status, kind, body = http_get(synced["chatDownloadUrl"])
    check_equal((status, kind.split(";")[0]), (200, "text/csv"), "GET the chat CSV without credentials")
    rows = list(csv.DictReader(io.StringIO(body)))
    ids = [r["id"] for r in rows]
    check(hello["id"] in ids and secret["id"] in ids and in_channel["id"] in ids and vics["id"] not in ids,
          "the CSV's messages: %r" % ids)
    row = next(r for r in rows if r["id"] == typo["id"])
    check_equal((row["message"], row["is_edited"], row["participant_id"]),
                ("see you at noon", "true", rests["bob"]["id"]), "the CSV row of the edited message")
    tampered = synced["chatDownloadUrl"].replace("signature=", "signature=0")
    check_equal(http_get(tampered)[0], 403, "a tampered signature")
    export = server.rest_ok("GET", "/v2/sessions/%s/chat" % session_id)
    check_equal(http_get(export["chat_download_url"])[0], 200, "the URL of GET /v2/sessions/{id}/chat")
    log("the ended session's chat: chatSynced, a signed CSV of %d messages, 403 when tampered" % len(rows))

    # without persist_chat nothing is kept: when the session ends, or after a crash
    def chat_status(session, wanted):
        deadline = time.time() + 10
        while True:
            status, _ = server.rest("GET", "/v2/sessions/%s/chat" % session)
            if status == wanted or time.time() > deadline:
                return status
            time.sleep(0.05)

    other = server.create_meeting(title="ephemeral")
    kept = server.create_meeting(title="kept", persist_chat=True)
    eve_rest = server.add_participant(other["id"], "Eve", "group_call_host")
    kim_rest = server.add_participant(kept["id"], "Kim", "group_call_host")
    eve = RtkClient(server, "eve")
    joined = await eve.join(eve_rest["token"])
    await send(eve, "gone with the session")
    ephemeral = joined["meeting"]["sessionId"]
    check_equal(chat_status(ephemeral, 200), 200, "GET .../chat while the session runs (the writer stored it)")
    await eve.leave()
    check_equal(chat_status(ephemeral, 404), 404, "GET .../chat of an ended session without persist_chat")
    check_equal([d["event"] for d in receiver.deliveries], ["meeting.chatSynced"], "no chatSynced for it")
    log("without persist_chat the chat went with the session")

    sessions = {}
    for rest, title in ((eve_rest, "ephemeral"), (kim_rest, "kept")):
        client = RtkClient(server, title)
        sessions[title] = (await client.join(rest["token"]))["meeting"]["sessionId"]
        await send(client, "said just before a crash")
        check_equal(chat_status(sessions[title], 200), 200, "the %s meeting's chat, stored" % title)
        deadline = time.time() + 10   # and its history row (the restart reads it)
        while server.rest("GET", "/v2/sessions/%s" % sessions[title])[0] != 200 and time.time() < deadline:
            time.sleep(0.05)
        client.janus.abandon()
    server.kill9()
    server.restart()
    check_equal(server.rest("GET", "/v2/sessions/%s/chat" % sessions["ephemeral"])[0], 404,
                "the chat of a session a crash left LIVE, without persist_chat, after the restart")
    export = server.rest_ok("GET", "/v2/sessions/%s/chat" % sessions["kept"])
    status, _, body = http_get(export["chat_download_url"])
    check(status == 200 and "said just before a crash" in body, "the kept chat after the crash: %s" % status)
    log("after a crash the restart removes the chat of sessions without persist_chat and keeps the others")
    server.stop()

if __name__ == "__main__":
    run_test(main)
