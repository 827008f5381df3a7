#!/usr/bin/python3
"""test_view_pages.py - the page arithmetic of PAGINATED views, without media.

Owns what `participants.setViewMode`, `setPage` and
`setMaxActiveParticipantsCount` answer (docs/protocol.md, "Views and the
active speaker") for an ordinary viewer and for a hidden one (a preset with
`hidden_participant`): the pages are counted over everyone else the viewer
can see, so a hidden viewer, who is in no one's list, counts the same pages
as a visible one. Refusals: a page past the last, a page that is not an
integer, an unknown view mode. roomJoined carries the view (the preset's
tiles per page), and a view that changes by itself (a page appears as
someone joins, or goes as they leave, moving a viewer on the last page
back) is pushed as viewModeUpdate without a request.
"""

from rtk_harness import JanusSession, Server, check_equal, log, run_test


def join(server, meeting, name, preset="group_call_participant"):
    participant = server.add_participant(meeting["id"], name, preset_name=preset)
    session = JanusSession(server)
    session.create()
    handle = session.attach()
    event = session.request(handle, {"request": "join", "token": participant["token"]})
    check_equal(event.name, "roomJoined", "%s's join" % name)
    check_equal(event.data.get("view"), {
        "viewMode": "ACTIVE_GRID", "currentPage": 0, "pageCount": 0,
        "maxActiveParticipantsCount": event.data["self"]["config"]["max_video_streams"]["desktop"]},
        "%s's roomJoined view" % name)
    return session, handle


def expect_pushed(session, handle, what, **fields):
    """The next viewModeUpdate pushed without a request (no transaction)."""
    event = session.wait_event(handle, "viewModeUpdate", where=lambda e: e.transaction is None, what=what)
    for key, value in fields.items():
        check_equal(event.data.get(key), value, "%s: %s" % (what, key))


def pages_follow_the_room(server, meeting, viewer, others):
    """`viewer` is on page 2 of 2, one tile a page, with `others` (two) in the room."""
    session, handle = viewer
    zed = join(server, meeting, "Zed")
    expect_pushed(session, handle, "a page appears as Zed joins", viewMode="PAGINATED",
                  currentPage=2, pageCount=3, maxActiveParticipantsCount=1)
    zed[0].destroy()
    expect_pushed(session, handle, "the page goes as Zed leaves", currentPage=2, pageCount=2)
    others[1][0].destroy()
    expect_pushed(session, handle, "Yuri leaves: the viewer on the last page moves back",
                  currentPage=1, pageCount=1)
    check_equal([e for e in session.events(handle, "viewModeUpdate") if e.transaction is None
                 and e.data.get("pageCount") not in (1, 2, 3)], [], "no other pushed view")
    log("pages follow the room: 2/2 -> 2/3 (Zed joins) -> 2/2 (Zed leaves) -> 1/1 (Yuri leaves)")


def expect_view(session, handle, body, what, **fields):
    event = session.request(handle, body)
    check_equal(event.name, "viewModeUpdate", "reply to " + what)
    for key, value in fields.items():
        check_equal(event.data.get(key), value, "%s: %s" % (what, key))
    return event


def expect_error(session, handle, body, code, what):
    event = session.request(handle, body)
    check_equal(event.name, "error", "reply to " + what)
    check_equal((event.data.get("error") or {}).get("code"), code, "error code of " + what)


def pages_of(session, handle, who):
    expect_view(session, handle, {"request": "participants.setMaxActiveParticipantsCount", "count": 1},
                who + ": one tile", viewMode="ACTIVE_GRID", currentPage=0, pageCount=0,
                maxActiveParticipantsCount=1)
    expect_view(session, handle, {"request": "participants.setViewMode", "viewMode": "PAGINATED"},
                who + ": paginated", viewMode="PAGINATED", currentPage=1, pageCount=2)
    expect_view(session, handle, {"request": "participants.setPage", "page": 2},
                who + ": page 2", currentPage=2, pageCount=2)
    expect_error(session, handle, {"request": "participants.setPage", "page": 3}, "0001",
                 who + ": page 3 of 2")
    expect_error(session, handle, {"request": "participants.setPage", "page": "2"}, "0001",
                 who + ": a page that is a string")
    expect_error(session, handle, {"request": "participants.setViewMode", "viewMode": "SPOTLIGHT"},
                 "0001", who + ": an unknown view mode")
    log("%s: PAGINATED, one tile a page, two pages" % who)


def main():
    server = Server().start()
    hidden = server.rest_ok("POST", "/v2/presets", {
        "name": "hidden_observer", "permissions": {"hidden_participant": True}})
    check_equal(hidden["permissions"]["hidden_participant"], True, "hidden_participant of the preset")
    meeting = server.create_meeting(title="Pages")
    sessions = [join(server, meeting, "Xena"), join(server, meeting, "Yuri")]
    # A visible viewer and a hidden one each see the two others: two pages of one.
    sessions.append(join(server, meeting, "Vic"))
    pages_of(*sessions[-1], who="Vic")
    sessions.pop()[0].destroy()
    # Hal, hidden, is in no one's list: his join and leave move no one's pages.
    sessions.append(join(server, meeting, "Hal", preset="hidden_observer"))
    pages_of(*sessions[-1], who="Hal (hidden)")
    pages_follow_the_room(server, meeting, sessions[-1], sessions[:2])
    for session, _ in sessions:
        session.destroy()
    server.stop()


if __name__ == "__main__":
    run_test(main)
