#!/usr/bin/python3
"""test_rest_api.py - the REST v2 API over real HTTP, against bad input.

Owns what a REST client sees from the running server (design.md 4.1):
  * authentication: no header, wrong key, wrong org, malformed headers ->
    401 with the error envelope; Basic and Bearer both work;
  * malformed JSON -> 400, wrong types / missing / oversized fields of
    meetings, participants and presets -> 400 (RealtimeKit's status),
    unknown ids and paths -> 404, wrong method -> 405, conflicts -> 409,
    a 10 MB body -> 413 (announced by Content-Length, with and without
    Expect: 100-continue, and chunked);
  * after all of that nothing stored before has changed and normal
    requests succeed (unknown fields ignored, an empty body reads as {});
  * the Cloudflare path form reaches the same data;
  * paging: page_no/per_page, total_count, 1-based start/end offsets,
    bad paging parameters.
"""

import base64
import http.client
import socket
import uuid

from rtk_harness import REST_PORT, Server, check, check_equal, log, run_test

BIG_BODY = 10 * 1024 * 1024


# ---------------------------------------------------------------- helpers

def expect_error(server, status, method, path, body=None, what=None, **kwargs):
    """The request fails with `status` and the error envelope."""
    got, reply = server.rest(method, path, body, **kwargs)
    what = what or "%s %s" % (method, path)
    check_equal(got, status, "%s: HTTP status (body %s)" % (what, server.last_text[:300]))
    check(isinstance(reply, dict) and reply.get("success") is False,
          "%s: not an error envelope: %s" % (what, server.last_text[:300]))
    error = reply.get("error")
    check(isinstance(error, dict) and isinstance(error.get("message"), str) and error["message"],
          "%s: error lacks a message: %r" % (what, reply))
    check_equal(error.get("code"), status, "%s: error.code (the HTTP status, docs/rest.md)" % what)
    return error


def snapshot(server):
    """Everything stored, as the REST API lists it."""
    meetings = server.rest_ok("GET", "/v2/meetings?per_page=100")
    state = {"meetings": meetings, "presets": server.rest_ok("GET", "/v2/presets?per_page=100")}
    for meeting in meetings:
        state[meeting["id"]] = server.rest_ok("GET", "/v2/meetings/%s/participants?per_page=100"
                                              % meeting["id"])
    return state


def seed(server):
    meeting = server.create_meeting(title="Before the bad input", persist_chat=True)
    participant = server.add_participant(meeting["id"], "Ada")
    preset = server.rest_ok("POST", "/v2/presets", {"name": "rest_api_preset"})
    return meeting, participant, preset


# ---------------------------------------------------------------- checks

def check_auth(server):
    org, key = server.credentials["org_id"], server.credentials["api_key"]

    def basic(pair):
        return "Basic " + base64.b64encode(pair.encode()).decode()

    bad = [
        ("no Authorization header", None),
        ("wrong API key", basic("%s:%s" % (org, key + "x"))),
        ("wrong org id", basic("%s:%s" % (org + "x", key))),
        ("empty API key", basic("%s:" % org)),
        ("no colon", basic(org + key)),
        ("Basic that is not base64", "Basic %%%not-base64%%%"),
        ("wrong Bearer key", "Bearer " + key[:-1]),
        ("Bearer with the org id", "Bearer " + org),
        ("empty Bearer", "Bearer "),
        ("unknown scheme", "Token " + key),
    ]
    for what, header in bad:
        expect_error(server, 401, "GET", "/v2/meetings", auth=header, what=what)
    expect_error(server, 401, "POST", "/v2/meetings", {"title": "sneaky"}, auth=None,
                 what="POST without credentials")
    server.rest_ok("GET", "/v2/meetings", auth="basic")
    server.rest_ok("GET", "/v2/meetings", auth="bearer")
    server.rest_ok("GET", "/v2/meetings", auth="bearer " + key)  # scheme is case-insensitive
    log("auth: %d wrong credentials refused with 401" % len(bad))


def check_malformed(server):
    for raw in (b'{"title": ', b"not json at all", b"[1, 2, 3]", b'"a string"',
                b'{"title": "a", "title": "b"}', b'{"title": "\xff\xfe"}', b"\x00\x01\x02"):
        expect_error(server, 400, "POST", "/v2/meetings", raw=raw, what="POST body %r" % raw[:20])
    expect_error(server, 400, "GET", "/v2/meetings?page_no=%zz", what="bad percent escape in query")
    expect_error(server, 400, "GET", "/v2/meetings?page_no=1%00", what="%00 in the query")
    many = "&".join("p%d=1" % i for i in range(65))
    expect_error(server, 400, "GET", "/v2/meetings?" + many, what="65 query parameters")
    log("malformed bodies refused with 400")


def check_wrong_types(server, meeting, participant):
    meetings = "/v2/meetings"
    one = "/v2/meetings/%s" % meeting["id"]
    people = one + "/participants"
    cases = [
        ("POST", meetings, {"title": 5}),
        ("POST", meetings, {"title": ["a"]}),
        ("POST", meetings, {"record_on_start": "yes"}),
        ("POST", meetings, {"persist_chat": 1}),
        ("POST", meetings, {"title": "x" * 5000}),
        ("PATCH", one, {"title": "changed", "status": "PAUSED"}),
        ("PATCH", one, {"title": "changed", "status": True}),
        ("PATCH", one, {"summarize_on_end": None}),
        ("POST", people, {"name": 7, "preset_name": "group_call_participant", "custom_participant_id": "x1"}),
        ("POST", people, {"name": "X", "preset_name": "group_call_participant", "custom_participant_id": 12}),
        ("POST", people, {"name": "X", "preset_name": "group_call_participant", "custom_participant_id": "x2",
                          "picture": "ftp://example.com/x.png"}),
        ("POST", people, {"name": "X", "preset_name": "no_such_preset", "custom_participant_id": "x3"}),
        ("PATCH", people + "/" + participant["id"], {"name": "changed", "preset_name": ""}),
        ("POST", "/v2/presets", {"name": "typed", "config": "not an object"}),
        ("POST", "/v2/presets", {"name": "typed", "config": {"view_type": "THEATRE"}}),
        ("POST", "/v2/presets", {"name": "typed", "permissions": {"kick_participant": "yes"}}),
    ]
    missing = [
        ("POST", people, {"preset_name": "group_call_participant", "name": "No id"}),
        ("POST", people, {"custom_participant_id": "x4", "name": "No preset"}),
        ("POST", "/v2/presets", {"config": {}}),
    ]
    for method, path, body in cases + missing:
        expect_error(server, 400, method, path, body, what="%s %s %s" % (method, path, str(body)[:80]))
    log("%d wrong types and %d missing fields refused with 400" % (len(cases), len(missing)))


def check_unknown(server, meeting, participant):
    nobody = str(uuid.uuid4())
    one = "/v2/meetings/%s" % meeting["id"]
    for method, path, body in [
        ("GET", "/v2/meetings/" + nobody, None),
        ("PATCH", "/v2/meetings/" + nobody, {"title": "ghost"}),
        ("GET", "/v2/meetings/not-a-uuid", None),
        ("GET", "/v2/meetings/%s/participants" % nobody, None),
        ("POST", "/v2/meetings/%s/participants" % nobody,
         {"name": "G", "preset_name": "group_call_participant", "custom_participant_id": "ghost"}),
        ("GET", one + "/participants/" + nobody, None),
        ("DELETE", one + "/participants/" + nobody, None),
        ("GET", "/v2/meetings/%s/participants/%s" % (nobody, participant["id"]), None),
        ("GET", "/v2/presets/" + nobody, None),
        ("DELETE", "/v2/presets/" + nobody, None),
        ("GET", "/v2/no-such-resource", None),
        ("GET", "/v1/meetings", None),
        ("GET", "/nothing-here", None),
    ]:
        expect_error(server, 404, method, path, body)
    expect_error(server, 405, "DELETE", "/v2/meetings")
    expect_error(server, 405, "DELETE", one)
    expect_error(server, 409, "POST", "/v2/presets", {"name": "group_call_host"}, what="duplicate preset name")
    log("unknown ids and paths refused with 404, methods with 405, duplicates with 409")


def raw_request(head, body_chunks, wait_for_continue):
    """Sends `head` then the body chunks on a raw socket and returns the
    status of the final response. The server may answer, and close, before
    the body is sent: sending errors are expected then."""
    sock = socket.create_connection(("127.0.0.1", REST_PORT), timeout=20)
    try:
        sock.sendall(head)
        if wait_for_continue:
            sock.settimeout(3)
            try:
                first = sock.recv(65536, socket.MSG_PEEK)
            except socket.timeout:
                first = b""
            sock.settimeout(20)
            if first and not first.startswith(b"HTTP/1.1 100"):
                body_chunks = []  # answered before the body: do not send it
            elif first:
                sock.recv(len(first.split(b"\r\n\r\n")[0]) + 4)
        try:
            for chunk in body_chunks:
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        response = http.client.HTTPResponse(sock)
        response.begin()
        response.read()
        return response.status
    finally:
        sock.close()


def check_huge_body(server):
    auth = server.auth_header("basic")
    prefix, suffix = b'{"title": "', b'"}'
    filler = BIG_BODY - len(prefix) - len(suffix)
    chunk = b"x" * 65536
    body = [prefix] + [chunk] * (filler // len(chunk)) + [b"x" * (filler % len(chunk)), suffix]

    def head(extra):
        return ("POST /v2/meetings HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: %s\r\n"
                "Content-Type: application/json\r\nConnection: close\r\n%s\r\n"
                % (auth, extra)).encode()

    length = "Content-Length: %d\r\n" % BIG_BODY
    status = raw_request(head(length + "Expect: 100-continue\r\n"), body, wait_for_continue=True)
    check_equal(status, 413, "10 MB body with Content-Length and Expect: 100-continue")
    status = raw_request(head(length), body, wait_for_continue=False)
    check_equal(status, 413, "10 MB body with Content-Length, sent at once")
    chunked = [b"%x\r\n%s\r\n" % (len(piece), piece) for piece in body if piece] + [b"0\r\n\r\n"]
    status = raw_request(head("Transfer-Encoding: chunked\r\n"), chunked, wait_for_continue=False)
    check_equal(status, 413, "10 MB chunked body")
    log("10 MB bodies refused with 413")


def check_cloudflare_paths(server, meeting):
    prefix = "/accounts/%s/realtime/kit/%s" % (server.credentials["org_id"], uuid.uuid4())
    check_equal(server.rest_ok("GET", prefix + "/meetings/" + meeting["id"]),
                server.rest_ok("GET", "/v2/meetings/" + meeting["id"]),
                "a meeting read through the Cloudflare path form")
    created = server.rest_ok("POST", prefix + "/meetings", {"title": "Made via Cloudflare path"})
    check_equal(server.rest_ok("GET", "/v2/meetings/" + created["id"]), created,
                "a meeting created through the Cloudflare path form, read through /v2")
    people = server.rest_ok("GET", prefix + "/meetings/%s/participants" % meeting["id"])
    check_equal(people, server.rest_ok("GET", "/v2/meetings/%s/participants" % meeting["id"]),
                "participants through both path forms")
    expect_error(server, 404, "GET", "/accounts/%s/realtime/meetings" % server.credentials["org_id"])
    log("Cloudflare path form reaches the same data")


def check_paging(server):
    for i in range(7):
        server.create_meeting(title="Paging %d" % i)
    status, reply = server.rest("GET", "/v2/meetings?per_page=100")
    check_equal(status, 200, "GET /v2/meetings")
    everything = [m["id"] for m in reply["data"]]
    total = reply["paging"]["total_count"]
    check_equal(len(everything), total, "items of one page holding every meeting")
    check_equal(reply["data"][0]["title"], "Paging 6", "newest meeting first")

    seen = []
    for page in range(1, (total + 2) // 3 + 2):
        status, reply = server.rest("GET", "/v2/meetings?page_no=%d&per_page=3" % page)
        check_equal(status, 200, "GET page %d" % page)
        items = [m["id"] for m in reply["data"]]
        expected = everything[(page - 1) * 3:page * 3]
        check_equal(items, expected, "ids on page %d of 3 per page" % page)
        first = (page - 1) * 3 + 1 if items else 0
        check_equal(reply["paging"], {"total_count": total, "start_offset": first,
                                      "end_offset": first + len(items) - 1 if items else 0},
                    "paging of page %d" % page)
        seen += items
    check_equal(seen, everything, "meetings seen walking the pages")
    _, reply = server.rest("GET", "/v2/meetings")
    check_equal(len(reply["data"]), min(total, 20), "default page size")

    for query in ("per_page=0", "per_page=101", "per_page=-1", "page_no=0", "page_no=abc",
                  "per_page=1e3", "page_no=99999999999999999999"):
        expect_error(server, 422, "GET", "/v2/meetings?" + query, what="paging query " + query)
    log("paging over %d meetings" % total)


def main():
    server = Server().start()
    meeting, participant, _ = seed(server)
    before = snapshot(server)

    check_auth(server)
    check_malformed(server)
    check_wrong_types(server, meeting, participant)
    check_unknown(server, meeting, participant)
    check_huge_body(server)

    check_equal(snapshot(server), before, "stored meetings, presets and participants after the bad input")
    created = server.create_meeting(title="After the bad input", colour="unknown fields are ignored")
    check_equal(server.rest_ok("GET", "/v2/meetings/" + created["id"]), created,
                "a meeting created after the bad input, read back")
    check("colour" not in created, "an unknown field was stored: %r" % created)
    empty = server.rest_ok("POST", "/v2/meetings/", raw=b"", statuses=(201,))
    check_equal((empty["title"], empty["status"], empty["persist_chat"]), (None, "ACTIVE", False),
                "(title, status, persist_chat) of a meeting created with an empty body (trailing slash)")
    log("nothing stored changed; normal requests succeed")

    check_cloudflare_paths(server, meeting)
    check_paging(server)
    server.stop()


if __name__ == "__main__":
    run_test(main)
