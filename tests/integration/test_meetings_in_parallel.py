#!/usr/bin/python3
"""test_meetings_in_parallel.py - several meetings busy at once, each under
its own lock (plugin/meeting_lock.h), none stalling or breaking another.

Three meetings run at the same time for a few seconds, each doing what
touches its lock most:
  * "chat": two participants send each other chat messages in turn (each
    under the chat's rate limit); every message reaches the other one, in
    order;
  * "churn": a host stays while guests join and leave on new handles, and
    REST mutes everyone and reads the active session meanwhile; every join
    is answered roomJoined, every leave roomLeft, every REST call 200;
  * "capture": a host stays while REST starts and stops recordings (each a
    companion spawned, fed and finished) and a breakout room of it (same
    family, same lock) is joined and left; every recording ends UPLOADED.
Meanwhile a REST reader asks every meeting's active session over and over:
each answer must come (a deadlock would stall it: 10 s is the bound, far
above any answer on a loaded machine, not a timing assertion). At the end
every meeting's session is over (404) and the server still answers.
"""

import asyncio
import threading
import time

from rtk_harness import RtkClient, Server, check, check_equal, log, run_test

BUSY_S = 8.0            # how long the meetings stay busy together
ANSWER_BOUND_S = 10.0   # a REST answer slower than this means something is stuck
RECORDINGS = 3
CHAT_PAUSE_S = 0.06     # under the chat's 20 messages a second per participant (0012)


async def chat_meeting(server, stop):
    meeting = server.create_meeting(title="chat")
    rests = [server.add_participant(meeting["id"], name, "group_call_host") for name in ("A", "B")]
    a, b = RtkClient(server, "a"), RtkClient(server, "b")
    await a.join(rests[0]["token"])
    await b.join(rests[1]["token"])
    sent = {"a": [], "b": []}
    turn = 0
    while not stop.is_set():
        sender = (a, b)[turn % 2]
        text = "%s-%d" % (sender.name, turn)
        await sender.control({"request": "chat.sendMessage", "message": {"type": "text", "message": text}})
        sent[sender.name].append(text)
        turn += 1
        await asyncio.sleep(CHAT_PAUSE_S)
    for sender, receiver in ((a, b), (b, a)):
        expected = sent[sender.name]

        def seen(receiver=receiver, sender=sender):
            return [e.data.get("message", {}).get("message") for e in receiver.janus.events(receiver.main, "chatUpdate")
                    if e.data.get("action") == "add" and
                    e.data.get("message", {}).get("message", "").startswith(sender.name + "-")]
        deadline = time.monotonic() + ANSWER_BOUND_S
        while len(seen()) < len(expected) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        check_equal(seen(), expected, "chat: %s's messages as %s got them" % (sender.name, receiver.name))
    log("chat: %d messages, each delivered once, in order" % turn)
    for client in (a, b):
        await client.leave()
    return meeting


async def churn_meeting(server, stop):
    meeting = server.create_meeting(title="churn")
    host = RtkClient(server, "host")
    await host.join(server.add_participant(meeting["id"], "Host", "group_call_host")["token"])
    guest_rest = server.add_participant(meeting["id"], "Guest")
    loop = asyncio.get_running_loop()
    base = "/v2/meetings/%s/active-session" % meeting["id"]
    cycles = 0
    while not stop.is_set():
        guest = RtkClient(server, "guest%d" % cycles)
        await guest.join(guest_rest["token"])
        status, _ = await loop.run_in_executor(None, server.rest, "POST", base + "/mute-all", {"allow_unmute": True})
        check_equal(status, 200, "churn: mute-all with the guest in")
        status, session = await loop.run_in_executor(None, server.rest, "GET", base)
        check_equal((status, session["data"]["live_participants"]), (200, 2), "churn: active session with the guest in")
        await guest.leave()
        await guest.close()
        cycles += 1
    log("churn: %d guest joins and leaves with REST in between" % cycles)
    await host.leave()
    return meeting


async def capture_meeting(server, stop):
    meeting = server.create_meeting(title="capture")
    room = server.rest_ok("POST", "/v2/meetings", {"title": "capture room", "parent_meeting_id": meeting["id"]},
                          statuses=(201,))
    host = RtkClient(server, "rec-host")
    await host.join(server.add_participant(meeting["id"], "Rec host", "group_call_host")["token"])
    room_guest_rest = server.add_participant(room["id"], "Room guest")
    loop = asyncio.get_running_loop()
    done = []
    for i in range(RECORDINGS):
        guest = RtkClient(server, "room%d" % i)
        await guest.join(room_guest_rest["token"])
        rec = await loop.run_in_executor(None, lambda: server.rest_ok(
            "POST", "/v2/recordings", {"meeting_id": meeting["id"], "video_config": {"codec": "VP8", "width": 320,
                                                                                  "height": 240}},
            statuses=(201,)))
        await asyncio.sleep(1.0)
        await loop.run_in_executor(None, lambda: server.rest_ok("PUT", "/v2/recordings/%s" % rec["id"],
                                                                {"action": "stop"}))
        await guest.leave()
        await guest.close()
        done.append(rec["id"])
    for rec_id in done:
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline:
            status = (await loop.run_in_executor(None, server.rest_ok, "GET", "/v2/recordings/%s" % rec_id))["status"]
            if status in ("UPLOADED", "ERRORED"):
                break
            await asyncio.sleep(0.3)
        check_equal(status, "UPLOADED", "capture: recording %s" % rec_id)
    log("capture: %d recordings started and stopped over REST, a breakout room joined and left each time"
        % len(done))
    while not stop.is_set():
        await asyncio.sleep(0.1)
    await host.leave()
    return meeting


def reader(server, meetings, stop, stats):
    """Reads every meeting's active session until told to stop; records the
    slowest answer."""
    while not stop.is_set():
        for meeting in list(meetings):
            started = time.monotonic()
            status, _ = server.rest("GET", "/v2/meetings/%s/active-session" % meeting["id"])
            took = time.monotonic() - started
            stats["answers"] += 1
            stats["slowest"] = max(stats["slowest"], took)
            if status not in (200, 404):
                stats["bad"].append(status)


async def main():
    # The REST reader asks hundreds of times a second from one address: not what the rate limit is about.
    server = Server(env={"RTK_RATE_LIMIT": "0"}).start()
    stop = threading.Event()
    meetings = []
    stats = {"answers": 0, "slowest": 0.0, "bad": []}
    loop = asyncio.get_running_loop()

    async def run(make):
        meeting = await make(server, stop)
        meetings.append(meeting)
        return meeting

    workers = [asyncio.ensure_future(run(make)) for make in (chat_meeting, churn_meeting, capture_meeting)]
    await asyncio.sleep(1.0)
    read = loop.run_in_executor(None, reader, server, [{"id": m["id"]} for m in server.rest_ok(
        "GET", "/v2/meetings")], stop, stats)
    await asyncio.sleep(BUSY_S)
    stop.set()
    finished = await asyncio.gather(*workers)
    await read
    log("REST reader: %d answers, the slowest in %.3f s" % (stats["answers"], stats["slowest"]))
    check(not stats["bad"], "the REST reader got statuses other than 200/404: %r" % stats["bad"][:5])
    check(stats["answers"] > 0, "the REST reader got no answer")
    check(stats["slowest"] < ANSWER_BOUND_S, "a REST answer took %.1f s: something waited on a lock"
          % stats["slowest"])
    for meeting in finished:
        deadline = time.monotonic() + ANSWER_BOUND_S
        while server.rest("GET", "/v2/meetings/%s/active-session" % meeting["id"])[0] != 404:
            check(time.monotonic() < deadline, "meeting %r still in session after everyone left" % meeting["title"])
            await asyncio.sleep(0.2)
    log("every meeting's session ended; the server answers")
    server.stop()


if __name__ == "__main__":
    run_test(main)
