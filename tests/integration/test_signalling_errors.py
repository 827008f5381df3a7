#!/usr/bin/python3
"""test_signalling_errors.py - requests the plugin must refuse, with their codes.

Owns the request-level refusals of docs/protocol.md (the token checks of
`join` are test_join_refusals.py's): bodies without a `request`, unknown
requests, requests out of order (before join, on the wrong handle, twice),
missing JSEPs and bad field types. Each gets an `error` event with the
documented code on the handle that sent it, and nothing breaks: afterwards a
second participant still joins and the first one hears of it.
"""

from rtk_harness import JanusSession, Server, check, check_equal, log, run_test


def expect_error(event, code, what):
    check_equal(event.name, "error", "reply to " + what)
    error = event.data.get("error") or {}
    check_equal(error.get("code"), code, "error code of " + what)
    check(isinstance(error.get("message"), str) and error["message"],
          "%s: error %s has no message: %r" % (what, code, event.data))


def refuse(session, handle, body, code, what, jsep=None):
    expect_error(session.request(handle, body, jsep=jsep), code, what)
    log("%-55s -> %s" % (what, code))


def main():
    server = Server().start()
    meeting = server.create_meeting(title="Signalling errors")
    ada_rest = server.add_participant(meeting["id"], "Ada")
    bob_rest = server.add_participant(meeting["id"], "Bob")
    absent = server.add_participant(meeting["id"], "Cy")

    ada = JanusSession(server)
    ada.create()
    main_handle = ada.attach()

    # Bodies the plugin cannot read, and requests it does not know.
    refuse(ada, main_handle, {}, "0001", "a body without 'request'")
    refuse(ada, main_handle, {"request": 42}, "0001", "a non-string 'request'")
    refuse(ada, main_handle, {"request": "dance"}, "0002", "an unknown request")

    # Requests that need a joined participant, before the join.
    for request in ("publish", "unpublish", "configure", "leave", "start"):
        refuse(ada, main_handle, {"request": request}, "0003", request + " before join")

    joined = ada.request(main_handle, {"request": "join", "token": ada_rest["token"]})
    check_equal(joined.name, "roomJoined", "Ada's join")
    refuse(ada, main_handle, {"request": "join", "token": ada_rest["token"]}, "0004",
           "a second join on the same handle")
    refuse(ada, main_handle, {"request": "subscribe", "token": ada_rest["token"]}, "0004",
           "subscribe on the joined main handle")
    refuse(ada, main_handle, {"request": "start"}, "0003", "start on the main handle")
    refuse(ada, main_handle, {"request": "publish"}, "0008", "publish without a JSEP offer")
    refuse(ada, main_handle, {"request": "configure", "audio": "off"}, "0001",
           "configure with a non-boolean 'audio'")
    configured = ada.request(main_handle, {"request": "configure", "video": True})
    check_equal(configured.name, "configured", "configure before publishing")
    check_equal(configured.data.get("videoEnabled"), False,
                "videoEnabled after asking for video with nothing published")

    # The subscriber handle.
    sub = ada.attach()
    refuse(ada, sub, {"request": "subscribe", "token": "garbage"}, "0005",
           "subscribe with a garbage token")
    cy = JanusSession(server)
    cy.create()
    refuse(cy, cy.attach(), {"request": "subscribe", "token": absent["token"]}, "1202",
           "subscribe for a participant who has not joined")
    subscribed = ada.request(sub, {"request": "subscribe", "token": ada_rest["token"]})
    check_equal(subscribed.name, "subscribed", "Ada's subscribe")
    check_equal(subscribed.data.get("streams"), [], "streams offered in an empty meeting")
    check(subscribed.jsep is None, "no offer is sent while there is nothing to receive")
    refuse(ada, sub, {"request": "start"}, "0008", "start without a JSEP answer")
    refuse(ada, sub, {"request": "configure", "mid": "99", "substream": 0}, "1203",
           "configure layers of an unknown mid")
    refuse(ada, sub, {"request": "configure", "mid": "0", "substream": "high"}, "0001",
           "configure with a non-integer 'substream'")
    refuse(ada, sub, {"request": "publish"}, "0003", "publish on the subscriber handle")

    # Nothing broke: Bob joins and Ada hears of him.
    bob = JanusSession(server)
    bob.create()
    event = bob.request(bob.attach(), {"request": "join", "token": bob_rest["token"]})
    check_equal(event.name, "roomJoined", "Bob's join after the refusals")
    check_equal([p.get("userId") for p in event.data.get("participants", [])], [ada_rest["id"]],
                "participants in Bob's roomJoined")
    ada.wait_event(main_handle, "participantJoined",
                   where=lambda e: (e.data.get("participant") or {}).get("userId") == bob_rest["id"])
    left = ada.request(main_handle, {"request": "leave"})
    check_equal(left.name, "roomLeft", "Ada's leave")
    check_equal(left.data.get("state"), "left", "roomLeft state")
    for session in (ada, bob, cy):
        session.destroy()
    server.stop()


if __name__ == "__main__":
    run_test(main)
