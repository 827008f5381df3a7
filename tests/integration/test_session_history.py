#!/usr/bin/python3
"""test_session_history.py - the history of live sessions over REST.

Owns docs/rest.md "Sessions" end to end, over the real Janus (joins without
media: the history does not depend on it):
  * before anyone joins, GET /v2/sessions?associated_id=M lists nothing;
  * P1 and P2 join: the session (id = roomJoined's meeting.sessionId) is
    LIVE with live_participants 2, started_at, associated_id M; its
    participants are both presences (id = peer id, user_id, display_name,
    custom_participant_id, preset_name, joined_at, left_at null);
  * P2 leaves, joins again on a new connection, and is kicked over REST:
    two presences of P2, both closed (left_at, duration >= 0);
    GET .../participants/{P2's REST id} is the latest of them;
  * P1's connection is destroyed (as a dropped socket is): the session is
    ENDED with ended_at, live_participants 0, max_concurrent_participants 2;
    status=ENDED lists it, status=LIVE does not;
  * paging (per_page=1: total_count 3, one item), the Cloudflare path form,
    404 for an unknown session and an unknown participant, 400 for a bad
    status filter;
  * a session alive when the server is killed (kill -9) is ENDED after the
    restart, its presence closed;
  * on these two sessions: sort_order=ASC, start_time/end_time at their
    created_at, search for the title (any case), a piece of the session
    id and nothing, sort_by=minutesConsumed, and 400 for a bad sort_by and
    a start_time after end_time (docs/rest.md "GET /v2/sessions").
The plugin writes the history on a writer thread, off its state lock: a
read right after a join or a leave may not show it yet, so every check of
a change polls until a deadline (WRITE_DEADLINE) rather than sleeping.
"""

import time

from rtk_harness import RtkClient, Server, check, check_equal, log, run_test

WRITE_DEADLINE = 10
UNKNOWN = "00000000-0000-4000-8000-000000000000"


def rest_data(server, path, status=200, what=None):
    got, reply = server.rest("GET", path)
    check_equal(got, status, "%s: HTTP status (%s)" % (what or path, server.last_text))
    check(isinstance(reply, dict) and reply.get("success") is (status == 200),
          "%s: envelope: %s" % (what or path, server.last_text))
    return reply


def wait_rest(server, path, condition, what):
    """Polls GET `path` until it answers 200 and condition(data) holds (a row
    not written yet is a 404); returns that envelope."""
    deadline = time.monotonic() + WRITE_DEADLINE
    while True:
        got, reply = server.rest("GET", path)
        if got == 200 and condition(reply.get("data")):
            return reply
        check(got in (200, 404), "%s: HTTP status %d (%s)" % (what, got, server.last_text))
        check(time.monotonic() < deadline, "no %s within %d s: %s" % (what, WRITE_DEADLINE, server.last_text))
        time.sleep(0.05)


def presences(data):
    return (data or {}).get("participants") or []


def check_closed(p, what):
    check(isinstance(p.get("left_at"), str) and p["left_at"] >= p["joined_at"],
          "%s: left_at %r not after joined_at %r" % (what, p.get("left_at"), p.get("joined_at")))
    check(isinstance(p.get("duration"), (int, float)) and p["duration"] >= 0,
          "%s: duration %r" % (what, p.get("duration")))


async def main():
    server = Server().start()
    meeting = server.create_meeting(title="History")
    mid = meeting["id"]
    r1 = server.add_participant(mid, "P1", "group_call_host")
    r2 = server.add_participant(mid, "P2")

    data = rest_data(server, "/v2/sessions?associated_id=%s" % mid)["data"]
    check_equal(data.get("sessions"), [], "sessions of the meeting before anyone joined")

    p1, p2 = RtkClient(server, "p1"), RtkClient(server, "p2")
    await p1.join(r1["token"])
    await p2.join(r2["token"])
    sid = p1.joined["meeting"]["sessionId"]
    base = "/v2/sessions/%s" % sid

    session = wait_rest(server, base, lambda d: d.get("live_participants") == 2,
                        "session with two participants")["data"]
    check_equal((session.get("id"), session.get("associated_id"), session.get("status"),
                 session.get("type"), session.get("meeting_display_name"), session.get("ended_at")),
                (sid, mid, "LIVE", "meeting", "History", None),
                "session (id, associated_id, status, type, meeting_display_name, ended_at)")
    check(isinstance(session.get("started_at"), str) and session["started_at"].endswith("Z"),
          "started_at is not an ISO time: %r" % session.get("started_at"))
    listed = presences(rest_data(server, base + "/participants")["data"])
    check_equal(sorted((p.get("id"), p.get("user_id"), p.get("display_name"), p.get("custom_participant_id"),
                        p.get("preset_name"), p.get("left_at")) for p in listed),
                sorted((c.peer_id, r["id"], r["name"], r["custom_participant_id"], r["preset_name"], None)
                       for c, r in ((p1, r1), (p2, r2))),
                "presences (id, user_id, display_name, custom_participant_id, preset_name, left_at)")
    log("LIVE session with both presences")

    # -- P2 leaves, comes back on a new connection, is kicked over REST
    first_peer = p2.peer_id
    await p2.leave()
    await p2.close()
    wait_rest(server, base + "/participants/%s" % first_peer,
              lambda d: d["participant"].get("left_at") is not None, "P2's first presence closed")
    p2b = RtkClient(server, "p2b")
    await p2b.join(r2["token"])
    wait_rest(server, base, lambda d: d.get("live_participants") == 2, "P2 back in the session")
    server.rest_ok("POST", "/v2/meetings/%s/active-session/kick" % mid, {"participant_ids": [r2["id"]]})
    await p2b.wait_event("roomLeft")
    wait_rest(server, base, lambda d: d.get("live_participants") == 1, "P2 kicked")
    mine = [p for p in presences(rest_data(server, base + "/participants")["data"])
            if p.get("user_id") == r2["id"]]
    check_equal([p["id"] for p in mine], [first_peer, p2b.peer_id], "P2's presences, in join order")
    for p in mine:
        check_closed(p, "P2's presence %s" % p["id"])
    latest = rest_data(server, base + "/participants/%s" % r2["id"])["data"]["participant"]
    check_equal(latest.get("id"), p2b.peer_id, "the presence of P2 by its REST id (the latest)")
    log("P2's two presences closed (left, kicked)")

    # -- paging, path forms, refusals
    page = rest_data(server, base + "/participants?per_page=1&page_no=2")
    check_equal((page["paging"].get("total_count"), page["paging"].get("start_offset"),
                 [p["id"] for p in presences(page["data"])]),
                (3, 2, [first_peer]), "participants page 2 of 1 (total, start, ids)")
    cf = rest_data(server, "/accounts/acc/realtime/kit/app/sessions/%s" % sid)["data"]
    check_equal(cf.get("id"), sid, "session by the Cloudflare path form")
    rest_data(server, "/v2/sessions/%s" % UNKNOWN, 404)
    rest_data(server, "/v2/sessions/%s/participants" % UNKNOWN, 404)
    rest_data(server, base + "/participants/%s" % UNKNOWN, 404)
    rest_data(server, "/v2/sessions?status=ACTIVE", 400)

    # -- P1's connection goes away: the session ends
    await p1.close()
    session = wait_rest(server, base, lambda d: d.get("status") == "ENDED", "session ENDED")["data"]
    check_equal((session.get("live_participants"), session.get("max_concurrent_participants")), (0, 2),
                "ended session (live_participants, max_concurrent_participants)")
    check(isinstance(session.get("ended_at"), str) and session["ended_at"] >= session["started_at"],
          "ended_at %r" % session.get("ended_at"))
    check(isinstance(session.get("minutes_consumed"), (int, float)), "minutes_consumed %r"
          % session.get("minutes_consumed"))
    for p in presences(rest_data(server, base + "/participants")["data"]):
        check_closed(p, "presence %s after the end" % p["id"])
    ended = rest_data(server, "/v2/sessions?associated_id=%s&status=ENDED" % mid)
    check_equal([s["id"] for s in ended["data"]["sessions"]], [sid], "ENDED sessions of the meeting")
    check_equal(ended["paging"].get("total_count"), 1, "total_count of ENDED sessions of the meeting")
    live = rest_data(server, "/v2/sessions?associated_id=%s&status=LIVE" % mid)
    check_equal(live["data"]["sessions"], [], "LIVE sessions of the meeting")
    log("session ENDED; all presences closed")

    # -- a crash with a session live: ENDED after the restart
    p3 = RtkClient(server, "p3")
    await p3.join(r1["token"])
    sid2 = p3.joined["meeting"]["sessionId"]
    check(sid2 != sid, "a new live session has a new id")
    wait_rest(server, "/v2/sessions/%s" % sid2, lambda d: d.get("live_participants") == 1,
              "the second session with P1 in")
    p3.abandon()
    server.kill9()
    server.restart()
    session = rest_data(server, "/v2/sessions/%s" % sid2)["data"]
    check_equal((session.get("status"), session.get("live_participants")), ("ENDED", 0),
                "the session alive at the crash, after the restart (status, live_participants)")
    for p in presences(rest_data(server, "/v2/sessions/%s/participants" % sid2)["data"]):
        check_closed(p, "presence %s after the restart" % p["id"])
    listed = rest_data(server, "/v2/sessions?associated_id=%s" % mid)["data"]["sessions"]
    check_equal([s["id"] for s in listed], [sid2, sid], "the meeting's sessions, newest first")
    log("a crash's LIVE session is ENDED at the restart")

    # -- the list's filters and order on the two sessions the plugin wrote
    def ids(query):
        return [s["id"] for s in rest_data(server, "/v2/sessions?associated_id=%s&%s" % (mid, query))
                ["data"]["sessions"]]
    first, second = listed[1], listed[0]
    check_equal(ids("sort_order=ASC"), [sid, sid2], "sort_order=ASC")
    check_equal(ids("start_time=%s" % second["created_at"]), [sid2], "start_time at the second session")
    check_equal(ids("end_time=%s" % first["created_at"]), [sid], "end_time at the first session")
    check_equal(ids("search=hISTory"), [sid2, sid], "search for the meeting's title")
    check_equal(ids("search=%s" % sid2[:13]), [sid2], "search for a piece of the session id")
    check_equal(ids("search=no-such-session"), [], "search for nothing")
    by_minutes = sorted(listed, key=lambda s: (-s["minutes_consumed"], listed.index(s)))
    check_equal(ids("sort_by=minutesConsumed"), [s["id"] for s in by_minutes], "sort_by=minutesConsumed")
    rest_data(server, "/v2/sessions?sort_by=duration", 400)
    rest_data(server, "/v2/sessions?start_time=%s&end_time=%s" % (second["created_at"], first["created_at"]), 400)
    log("start_time, end_time, search, sort_by and sort_order on the plugin's sessions")
    server.stop()


if __name__ == "__main__":
    run_test(main)
