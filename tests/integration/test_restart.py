#!/usr/bin/python3
"""test_restart.py - nothing acknowledged is lost when janus is killed.

Owns the persistence promise of design.md section 5, seen over REST: after
meetings (one PATCHed to INACTIVE), a custom preset and participants (one
deleted) are created, janus is killed with SIGKILL and started again on the
same data directory. Then:
  * every meeting, preset and participant reads back with identical fields,
    the deleted participant stays deleted, lists and their paging agree;
  * credentials.json is unchanged (same org id, API key and JWT secret,
    mode 0600) and the old credentials still authenticate;
  * a token minted before the restart still admits a join, and the
    deleted participant's token is still refused (1201).
"""

import json
import os
import stat

from rtk_harness import JanusSession, Server, check, check_equal, log, run_test


def create_state(server):
    """Creates what must survive; returns the ids and a kept token."""
    meetings = [server.create_meeting(title="Restart %d" % i, record_on_start=(i == 1),
                                      persist_chat=(i != 1), summarize_on_end=(i == 2))
                for i in range(3)]
    server.rest_ok("PATCH", "/v2/meetings/%s" % meetings[2]["id"],
                   {"status": "INACTIVE", "title": "Restart 2 (closed)"})

    preset = server.rest_ok("POST", "/v2/presets", {
        "name": "restart_moderator",
        "permissions": {"kick_participant": True, "media": {"video": {"can_produce": "NOT_ALLOWED"}}},
        "ui": {"design_tokens": {"theme": "dark"}},
    })
    check_equal(preset["permissions"]["kick_participant"], True, "kick_participant of the new preset")

    ada = server.add_participant(meetings[0]["id"], "Ada", preset_name="restart_moderator")
    server.add_participant(meetings[0]["id"], "Bob", picture="https://example.com/bob.png")
    gone = server.add_participant(meetings[1]["id"], "Dan")
    server.rest_ok("DELETE", "/v2/meetings/%s/participants/%s" % (meetings[1]["id"], gone["id"]))
    return [m["id"] for m in meetings], preset["id"], ada, gone


def list_all(server, path):
    """Every item of a paged list, walking the pages."""
    items, page = [], 1
    while True:
        status, reply = server.rest("GET", "%s?per_page=2&page_no=%d" % (path, page))
        check(status == 200 and reply and reply.get("success"), "GET %s page %d: %s %s"
              % (path, page, status, server.last_text))
        items += reply["data"]
        if reply["paging"]["end_offset"] >= reply["paging"]["total_count"] or not reply["data"]:
            return items, reply["paging"]["total_count"]
        page += 1


def snapshot(server, meeting_ids, preset_id, gone):
    """Everything the REST API says about the stored state."""
    state = {"meetings": list_all(server, "/v2/meetings"), "presets": list_all(server, "/v2/presets")}
    state["preset"] = server.rest_ok("GET", "/v2/presets/%s" % preset_id)
    for meeting_id in meeting_ids:
        state["meeting " + meeting_id] = server.rest_ok("GET", "/v2/meetings/%s" % meeting_id)
        participants = list_all(server, "/v2/meetings/%s/participants" % meeting_id)
        state["participants " + meeting_id] = participants
        for participant in participants[0]:
            state["participant " + participant["id"]] = server.rest_ok(
                "GET", "/v2/meetings/%s/participants/%s" % (meeting_id, participant["id"]))
    status, _ = server.rest("GET", "/v2/meetings/%s/participants/%s" % (gone["meeting_id"], gone["id"]))
    state["deleted participant status"] = status
    return state


def read_credentials(server):
    path = os.path.join(server.data_dir, "credentials.json")
    with open(path) as f:
        text = f.read()
    return json.loads(text), stat.S_IMODE(os.stat(path).st_mode)


def compare(before, after):
    for key in before:
        check_equal(after.get(key), before[key], "after the restart, " + key)
    check_equal(sorted(after), sorted(before), "what the REST API shows after the restart")


def check_join(server, token, expected, code=None):
    session = JanusSession(server)
    session.create()
    handle = session.attach()
    event = session.request(handle, {"request": "join", "token": token})
    check_equal(event.name, expected, "join after the restart")
    if code is not None:
        check_equal((event.data.get("error") or {}).get("code"), code, "error code of the join")
    session.destroy()
    return event


def main():
    server = Server().start()
    meeting_ids, preset_id, ada, gone = create_state(server)
    before = snapshot(server, meeting_ids, preset_id, gone)
    check_equal(before["deleted participant status"], 404, "GET of the deleted participant")
    credentials_before, mode = read_credentials(server)
    check_equal(mode, 0o600, "mode of credentials.json")
    log("state created: %d meetings, %d presets" % (before["meetings"][1], before["presets"][1]))

    server.kill9()
    server.start()

    compare(before, snapshot(server, meeting_ids, preset_id, gone))
    credentials_after, mode = read_credentials(server)
    check_equal(credentials_after, credentials_before, "credentials.json after the restart")
    check_equal(mode, 0o600, "mode of credentials.json after the restart")
    check_equal(server.credentials["api_key"], credentials_before["api_key"], "API key in use")
    log("REST state and credentials identical after kill -9")

    fresh = server.add_participant(meeting_ids[0], "Cy")
    check(fresh["id"] not in (ada["id"], gone["id"]), "a new participant reuses an old id")

    event = check_join(server, ada["token"], "roomJoined")
    check_equal(event.data["self"]["userId"], ada["id"], "userId of the join with the old token")
    check_equal(event.data["self"]["presetName"], "restart_moderator", "presetName after the restart")
    check_join(server, gone["token"], "error", code="1201")
    log("pre-restart tokens: Ada admitted, deleted Dan refused")
    server.stop()


if __name__ == "__main__":
    run_test(main)
