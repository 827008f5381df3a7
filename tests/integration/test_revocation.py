#!/usr/bin/python3
"""test_revocation.py - REST changes reach the live meeting at once.

Owns the revocation rules of issue 8 (items 2, 3 and the 0801 code of item
6), seen from the clients of a live meeting (docs/protocol.md, "roomLeft";
docs/rest.md, "Changes that reach live meetings"):
  * a second join of the same participant: the older presence gets
    roomLeft {state "left", reason "replaced"} (before the fix it got
    nothing), the others participantLeft then participantJoined, and the
    older handle's requests get 0003;
  * REST DELETE of a joined participant: it gets roomLeft {state "kicked",
    reason "participant_deleted"}, leaves the active session's list, the
    others get participantLeft, its next request gets 0003 and its token
    1201;
  * REST PATCH of a joined host's preset_name to livestream_viewer: it gets
    permissionsUpdate with presetName livestream_viewer and
    kick_participant false, its participant.kick is refused with 0902 and
    its configure {"video": true} with 0904 (item 6: it answered
    `configured` with videoEnabled false);
  * REST PATCH of a preset that a joined participant holds (kick_participant
    taken away): it gets permissionsUpdate, and its kick is refused 0902;
  * REST token refresh: the older token no longer joins (0011), the
    presence that joined with it gets roomLeft {state "kicked", reason
    "token_revoked"}, the new token joins;
  * a valid token naming a meeting that does not exist: 0801 (before the
    fix, 1201).
"""

import uuid

from rtk_harness import (JanusSession, Server, check, check_equal, jwt_claims, jwt_secret_bytes,
                         jwt_sign, log, run_test)


def expect_error(event, code, what):
    check_equal(event.name, "error", "%s: reply" % what)
    check_equal((event.data.get("error") or {}).get("code"), code, "%s: error code" % what)


class Member:
    """One participant on its own Janus session and main handle."""

    def __init__(self, server, token, name, expect="roomJoined"):
        self.name = name
        self.session = JanusSession(server)
        self.session.create()
        self.handle = self.session.attach()
        self.joined = self.session.request(self.handle, {"request": "join", "token": token})
        check_equal(self.joined.name, expect, "%s's join" % name)
        if expect == "roomJoined":
            self.peer_id = self.joined.data["self"]["id"]

    def request(self, body):
        return self.session.request(self.handle, body)

    def wait(self, name, where=None):
        return self.session.wait_event(self.handle, name, where=where, what="%s for %s" % (name, self.name))

    def close(self):
        self.session.destroy()


def about_peer(peer_id):
    return lambda event: event.data.get("participantId") == peer_id


def live_participant_ids(server, meeting_id):
    status, reply = server.rest("GET", "/v2/meetings/%s/active-session" % meeting_id)
    check_equal(status, 200, "GET active-session (%s)" % server.last_text)
    return [p["id"] for p in reply["data"]["participants"]]


def check_left(event, state, reason, who):
    check_equal(event.data.get("state"), state, "roomLeft state of %s" % who)
    check_equal(event.data.get("reason"), reason, "roomLeft reason of %s" % who)


def replaced_presence(server, meeting, rests):
    bob = Member(server, rests["bob"]["token"], "Bob")
    ada = Member(server, rests["ada"]["token"], "Ada")
    bob.wait("participantJoined")
    ada_again = Member(server, rests["ada"]["token"], "Ada's second tab")
    check_left(ada.wait("roomLeft"), "left", "replaced", "Ada's first tab")
    bob.wait("participantLeft", where=about_peer(ada.peer_id))
    bob.wait("participantJoined", where=lambda e: e.data["participant"]["id"] == ada_again.peer_id)
    expect_error(ada.request({"request": "configure", "audio": False}), "0003", "the replaced tab's configure")
    check_equal(live_participant_ids(server, meeting["id"]).count(rests["ada"]["id"]), 1,
                "Ada's presences in the active session")
    log("a second join replaced the first: roomLeft left/replaced")
    return bob, ada_again


def deleted_participant(server, meeting, rests, bob, ada):
    server.rest_ok("DELETE", "/v2/meetings/%s/participants/%s" % (meeting["id"], rests["ada"]["id"]))
    check_left(ada.wait("roomLeft"), "kicked", "participant_deleted", "Ada")
    bob.wait("participantLeft", where=about_peer(ada.peer_id))
    check(rests["ada"]["id"] not in live_participant_ids(server, meeting["id"]),
          "the deleted participant is still in the active session")
    expect_error(ada.request({"request": "configure", "audio": False}), "0003", "a deleted participant's configure")
    again = JanusSession(server)
    again.create()
    expect_error(again.request(again.attach(), {"request": "join", "token": rests["ada"]["token"]}), "1201",
                 "the deleted participant's token")
    again.destroy()
    log("DELETE removed the live presence")


def demoted_host(server, meeting, rests, bob):
    host = Member(server, rests["host"]["token"], "Host")
    server.rest_ok("PATCH", "/v2/meetings/%s/participants/%s" % (meeting["id"], rests["host"]["id"]),
                   {"preset_name": "livestream_viewer"})
    update = host.wait("permissionsUpdate")
    check_equal(update.data.get("presetName"), "livestream_viewer", "presetName of the demoted host")
    check_equal(update.data["permissions"].get("kick_participant"), False, "kick_participant after the demotion")
    expect_error(host.request({"request": "participant.kick", "participantId": bob.peer_id}), "0902",
                 "the demoted host's kick")
    check(rests["bob"]["id"] in live_participant_ids(server, meeting["id"]), "Bob was kicked by a demoted host")
    expect_error(host.request({"request": "configure", "video": True}), "0904",
                 "the demoted host turning its camera on")
    log("PATCH participant preset applied to the live host")
    return host


def changed_preset(server, meeting, bob):
    preset = server.rest_ok("POST", "/v2/presets", {"name": "revocable-host",
                                                    "permissions": {"kick_participant": True}})
    keeper = server.add_participant(meeting["id"], "Keeper", "revocable-host")
    member = Member(server, keeper["token"], "Keeper")
    server.rest_ok("PATCH", "/v2/presets/%s" % preset["id"], {"permissions": {"kick_participant": False}})
    update = member.wait("permissionsUpdate")
    check_equal(update.data["permissions"].get("kick_participant"), False, "kick_participant after PATCH preset")
    expect_error(member.request({"request": "participant.kick", "participantId": bob.peer_id}), "0902",
                 "a kick after the preset lost kick_participant")
    log("PATCH preset applied to its live holder")
    return member


def revoked_token(server, meeting, rests, bob):
    old = rests["bob"]["token"]
    fresh = server.rest_ok("POST", "/v2/meetings/%s/participants/%s/token" % (meeting["id"], rests["bob"]["id"]))
    check(fresh.get("token") and fresh["token"] != old, "the refresh returned no new token: %r" % fresh)
    check_left(bob.wait("roomLeft"), "kicked", "token_revoked", "Bob (joined with the older token)")
    session = JanusSession(server)
    session.create()
    expect_error(session.request(session.attach(), {"request": "join", "token": old}), "0011",
                 "a join with the revoked token")
    session.destroy()
    Member(server, fresh["token"], "Bob with the new token").close()
    log("a token refresh revoked the older token")


def unknown_meeting(server, rests):
    token = rests["carol"]["token"]
    claims = dict(jwt_claims(token), meetingId=str(uuid.uuid4()))
    forged_meeting = jwt_sign(claims, jwt_secret_bytes(server.credentials["jwt_secret"], token))
    session = JanusSession(server)
    session.create()
    expect_error(session.request(session.attach(), {"request": "join", "token": forged_meeting}), "0801",
                 "a token for a meeting that does not exist")
    session.destroy()


def main():
    with Server() as server:
        meeting = server.create_meeting(title="Revocations")
        rests = {"ada": server.add_participant(meeting["id"], "Ada"),
                 "bob": server.add_participant(meeting["id"], "Bob"),
                 "carol": server.add_participant(meeting["id"], "Carol"),
                 "host": server.add_participant(meeting["id"], "Host", "group_call_host")}
        bob, ada = replaced_presence(server, meeting, rests)
        deleted_participant(server, meeting, rests, bob, ada)
        host = demoted_host(server, meeting, rests, bob)
        keeper = changed_preset(server, meeting, bob)
        revoked_token(server, meeting, rests, bob)
        unknown_meeting(server, rests)
        for member in (bob, ada, host, keeper):
            member.close()


if __name__ == "__main__":
    run_test(main)
