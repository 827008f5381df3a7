#!/usr/bin/python3
"""test_join_refusals.py - joins the plugin must refuse, with their codes.

Owns the token and admission checks of `join` (docs/protocol.md), seen
from the client: while Ada and Bob are in a meeting, joins with
  * a token signed with another secret (forged)      -> error 0007
  * a token past its exp, signed with the real secret -> error 0006
  * garbage, an unsigned alg=none token, no token     -> error 0005
  * the token of a deleted participant                -> error 1201
  * the token of a participant of an INACTIVE meeting -> error 0802
are refused on the handle that sent them (which stays unjoined: a
following `leave` gets 0003), nobody in the meeting hears a
participantJoined for any of them, and the refused handle can still join
with a valid token afterwards.

Also `join`'s optional `name` (self.setName before join): it names the
presence for everyone when the preset has can_edit_display_name (the
stored participant keeps its name), is ignored for a preset without it,
and a bad one (empty, not a string) is 0001 without replacing the
participant's earlier presence.
"""

import json
import time

from rtk_harness import (JanusSession, Server, b64url, check, check_equal, jwt_claims,
                         jwt_secret_bytes, jwt_sign, log, run_test)


def join(session, handle, token):
    body = {"request": "join"}
    if token is not None:
        body["token"] = token
    return session.request(handle, body)


def expect_error(event, request, code, what):
    check_equal(event.name, "error", "%s: reply to %s" % (what, request))
    check_equal(event.data.get("request"), request, "%s: error.request" % what)
    error = event.data.get("error") or {}
    check_equal(error.get("code"), code, "%s: error code" % what)
    check(isinstance(error.get("message"), str) and error["message"],
          "%s: error %s has no message: %r" % (what, code, event.data))


def joined_session(server, token, name):
    session = JanusSession(server)
    session.create()
    handle = session.attach()
    event = join(session, handle, token)
    check_equal(event.name, "roomJoined", "%s's join" % name)
    return session, handle, event.data


def unsigned_token(claims):
    header = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return "%s.%s." % (header, b64url(json.dumps(claims).encode()))


def refused_tokens(server, meeting, cy):
    """(what, token, expected code) for every refusal about the token itself."""
    secret = jwt_secret_bytes(server.credentials["jwt_secret"], cy["token"])
    claims = jwt_claims(cy["token"])
    now = int(time.time())
    return [
        ("forged token", jwt_sign(claims, b"the secret of another deployment"), "0007"),
        ("expired token", jwt_sign(dict(claims, iat=now - 7200, exp=now - 3600), secret), "0006"),
        ("garbage token", "this is not a token", "0005"),
        ("alg=none token", unsigned_token(claims), "0005"),
        ("missing token", None, "0005"),
    ]


def refused_participants(server, meeting):
    """(what, token, expected code) for participants who may not join."""
    deleted = server.add_participant(meeting["id"], "Dan")
    server.rest_ok("DELETE", "/v2/meetings/%s/participants/%s" % (meeting["id"], deleted["id"]))

    closed = server.create_meeting(title="Closed meeting")
    eve = server.add_participant(closed["id"], "Eve")
    patched = server.rest_ok("PATCH", "/v2/meetings/%s" % closed["id"], {"status": "INACTIVE"})
    check_equal(patched.get("status"), "INACTIVE", "status of the PATCHed meeting")
    return [
        ("deleted participant", deleted["token"], "1201"),
        ("participant of an INACTIVE meeting", eve["token"], "0802"),
    ]


def main():
    server = Server().start()
    meeting = server.create_meeting(title="Refusals")
    ada_rest = server.add_participant(meeting["id"], "Ada")
    bob_rest = server.add_participant(meeting["id"], "Bob")
    cy_rest = server.add_participant(meeting["id"], "Cy")

    ada, ada_main, _ = joined_session(server, ada_rest["token"], "Ada")
    bob, bob_main, _ = joined_session(server, bob_rest["token"], "Bob")
    ada.wait_event(ada_main, "participantJoined",
                   where=lambda e: (e.data.get("participant") or {}).get("userId") == bob_rest["id"])

    intruder = JanusSession(server)
    intruder.create()
    first_handle = None
    cases = refused_tokens(server, meeting, cy_rest) + refused_participants(server, meeting)
    for what, token, code in cases:
        handle = intruder.attach()
        first_handle = first_handle or handle
        expect_error(join(intruder, handle, token), "join", code, what)
        expect_error(intruder.request(handle, {"request": "leave"}), "leave", "0003",
                     "leave after the refused join of a " + what)
        log("%s refused with %s" % (what, code))

    # The handle refused first can still join with Cy's real token.
    event = join(intruder, first_handle, cy_rest["token"])
    check_equal(event.name, "roomJoined", "Cy's join with her real token after a refusal")
    check_equal(sorted(p.get("userId") for p in event.data.get("participants", [])),
                sorted([ada_rest["id"], bob_rest["id"]]), "participants in Cy's roomJoined")

    # Ada and Bob heard of Cy, and of nobody refused before her.
    for name, session, handle, expected in (("Ada", ada, ada_main, [bob_rest["id"], cy_rest["id"]]),
                                            ("Bob", bob, bob_main, [cy_rest["id"]])):
        session.wait_event(handle, "participantJoined",
                           where=lambda e: (e.data.get("participant") or {}).get("userId") == cy_rest["id"])
        heard = [(e.data.get("participant") or {}).get("userId")
                 for e in session.events(handle, "participantJoined")]
        check_equal(heard, expected, "userIds in the participantJoined events %s received" % name)

    check_join_names(server, meeting, ada, ada_main)
    for session in (intruder, ada, bob):
        session.destroy()
    server.stop()


def check_join_names(server, meeting, ada, ada_main):
    dee_rest = server.add_participant(meeting["id"], "Dee")
    dee = JanusSession(server)
    dee.create()
    dee_main = dee.attach()
    event = dee.request(dee_main, {"request": "join", "token": dee_rest["token"], "name": "Dee (phone)"})
    check_equal(event.name, "roomJoined", "Dee's join with a name")
    check_equal(event.data["self"]["name"], "Dee (phone)", "Dee's name in her roomJoined")
    heard = ada.wait_event(ada_main, "participantJoined",
                           where=lambda e: (e.data.get("participant") or {}).get("userId") == dee_rest["id"])
    check_equal(heard.data["participant"]["name"], "Dee (phone)", "the name Ada hears for Dee")
    stored = server.rest_ok("GET", "/v2/meetings/%s/participants/%s" % (meeting["id"], dee_rest["id"]))
    check_equal(stored["name"], "Dee", "the stored participant's name")
    for bad in ("", 7, ["Dee"]):
        other = dee.attach()
        expect_error(dee.request(other, {"request": "join", "token": dee_rest["token"], "name": bad}),
                     "join", "0001", "a join named %r" % (bad,))
    check_equal(dee.events(dee_main, "roomLeft"), [], "roomLeft for Dee's presence after refused joins")
    log("join's name: shown to all (stored name kept); empty or non-string names refused with 0001")

    viewer_rest = server.add_participant(meeting["id"], "Vi", preset_name="webinar_viewer")
    vi = JanusSession(server)
    vi.create()
    event = vi.request(vi.attach(), {"request": "join", "token": viewer_rest["token"], "name": "Someone else"})
    check_equal(event.name, "roomJoined", "Vi's join with a name")
    check_equal(event.data["self"]["name"], "Vi", "a preset without can_edit_display_name keeps the stored name")
    log("join's name: ignored without can_edit_display_name")
    for session in (dee, vi):
        session.destroy()


if __name__ == "__main__":
    run_test(main)
