#!/usr/bin/python3
"""test_openapi.py - docs/openapi.yaml against the running server.

  * The document is OpenAPI 3.1 whose schemas are JSON Schema 2020-12: every
    reply is validated with Debian's python3-jsonschema (Draft 2020-12,
    $refs resolved in the document).
  * Every operation of the document is called in a real scenario (two
    aiortc participants publish in a meeting, so the active session,
    recordings, livestreams, chat files and session history have something
    to show): the status must be one the operation documents, and the body
    must validate against that status's schema (the content type too, for
    files, CSV and metrics).
  * No undocumented route: every route of the gateway's tables
    (gateway/rest_*.c) must be in the document and every REST operation of
    the document in the tables; on every documented path the methods it
    does not document answer 404 or 405, and paths it does not have answer
    404 or 405 (a few RealtimeKit routes RTK lacks among them).
  * Operations marked x-rtk-pending (added by other branches of issue 16)
    are called too: 404/405 (401 for an open one: without the route the
    server asks for credentials) is reported as pending, a reply is
    validated.
All mismatches are collected and reported together at the end.
"""

import asyncio
import glob
import http.client
import json
import os
import re
import time
import urllib.parse

from rtk_harness import REST_PORT, SRCDIR, RtkClient, Server, check, log, run_test, skip

try:
    import jsonschema
    import yaml
except ImportError as e:   # ./rtk test installs python3-jsonschema and python3-yaml
    jsonschema = yaml = None
    IMPORT_ERROR = str(e)

SPEC_PATH = os.path.join(SRCDIR, "docs", "openapi.yaml")
METHODS = ("get", "post", "put", "patch", "delete")
MEDIA_TIMEOUT = 20
# Served by their own code, not by the route tables of gateway/rest_*.c.
OUTSIDE_TABLES = {("post", "/v2/chat-files"), ("get", "/v2/chat-files/{}/{}"), ("get", "/v2/chat-exports/{}"),
                  ("get", "/metrics"), ("get", "/healthz"), ("get", "/.well-known/webhooks.json"),
                  ("get", "/v2/recordings/{}/tracks/{}/download")}


def normalize(template):
    return re.sub(r"\{[^}]*\}", "{}", template.rstrip("/") or "/")


def table_routes():
    """(method, /v2/pattern) of every route in the gateway's tables."""
    routes = set()
    for path in glob.glob(os.path.join(SRCDIR, "gateway", "rest_*.c")):
        with open(path) as f:
            for m in re.finditer(r'\{\s*"(GET|POST|PUT|PATCH|DELETE)",\s*"([^"]+)"', f.read()):
                routes.add((m.group(1).lower(), normalize("/v2/" + m.group(2))))
    return routes


class Checker:
    def __init__(self, server, spec):
        self.server, self.spec = server, spec
        self.resolver = jsonschema.RefResolver.from_schema(spec)
        self.failures, self.pending, self.called = [], [], set()
        self.operations = {}   # (method, normalized path) -> (template, operation)
        for template, item in spec["paths"].items():
            for method in METHODS:
                if method in item:
                    self.operations[(method, normalize(template))] = (template, item[method])

    def fail(self, message):
        self.failures.append(message)
        log("MISMATCH " + message)

    def request(self, method, path, body=None, auth="basic", raw=None, headers=None):
        all_headers = dict(headers or {})
        header = self.server.auth_header(auth)
        if header is not None:
            all_headers["Authorization"] = header
        payload = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        if payload is not None:
            all_headers.setdefault("Content-Type", "application/json")
        connection = http.client.HTTPConnection("127.0.0.1", REST_PORT, timeout=30)
        try:
            if payload is not None and len(payload) > 1048576:
                # refused from its Content-Length before the body is read: send the headers only
                connection.putrequest(method.upper(), path)
                for name, value in dict(all_headers, **{"Content-Length": str(len(payload))}).items():
                    connection.putheader(name, value)
                connection.endheaders()
            else:
                connection.request(method.upper(), path, body=payload, headers=all_headers)
            response = connection.getresponse()
            return response.status, response.getheader("Content-Type") or "", response.read()
        finally:
            connection.close()

    def validate(self, schema, instance, what):
        validator = jsonschema.Draft202012Validator(schema, resolver=self.resolver)
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        for error in errors[:3]:
            self.fail("%s: %s at %s" % (what, error.message[:300], "/".join(map(str, error.absolute_path))))
        return not errors

    def call(self, method, template, path, expect, body=None, auth="basic", raw=None, headers=None):
        """One documented operation: checks the status, then the reply against the document.
        Returns the parsed JSON body (or the bytes of another type)."""
        key = (method, normalize(template))
        what = "%s %s (%s)" % (method.upper(), template, path)
        if key not in self.operations:
            self.fail("%s: the test calls an operation the document does not have" % what)
            return None
        self.called.add(key)
        _, operation = self.operations[key]
        status, content_type, data = self.request(method, path, body, auth, raw, headers)
        pending = operation.get("x-rtk-pending")
        # a server without the route: 404/405, or 401 for an open route outside /v2/ (auth comes first)
        if pending and status in (404, 405) or (pending and status == 401 and auth is None):
            self.pending.append("%s: %d (%s)" % (what, status, pending))
            log("pending  %s: %d" % (what, status))
            return None
        if status != expect:
            self.fail("%s: expected %d, got %d %s" % (what, expect, status, data[:200]))
        response = operation.get("responses", {}).get(str(status))
        if response is None:
            self.fail("%s: status %d is not documented" % (what, status))
            return None
        if "$ref" in response:
            response = self.resolver.resolve(response["$ref"])[1]
        content = response.get("content", {})
        media = content_type.split(";")[0].strip()
        if "application/json" in content:
            if media != "application/json":
                self.fail("%s: Content-Type %r, documented application/json" % (what, content_type))
                return None
            try:
                parsed = json.loads(data)
            except ValueError:
                self.fail("%s: the body is not JSON: %r" % (what, data[:200]))
                return None
            if self.validate(content["application/json"]["schema"], parsed, what):
                log("ok       %s -> %d" % (what, status))
            return parsed
        documented = [k.split(";")[0].strip() for k in content]
        if content and media not in documented and "*/*" not in documented:
            self.fail("%s: Content-Type %r, documented %s" % (what, content_type, documented))
        log("ok       %s -> %d (%s, %d bytes)" % (what, status, media, len(data)))
        return data

    def data(self, reply):
        return reply.get("data") if isinstance(reply, dict) else None


# ---------------------------------------------------------------- the routes

def check_route_tables(checker):
    tables = table_routes()
    documented = {k for k, (_, op) in checker.operations.items() if not op.get("x-rtk-pending")}
    pending = {k for k, (_, op) in checker.operations.items() if op.get("x-rtk-pending")}
    for route in sorted(tables - documented - pending):
        checker.fail("%s %s is in the gateway's route tables but not in docs/openapi.yaml" % route)
    for route in sorted(documented - tables - OUTSIDE_TABLES):
        checker.fail("%s %s is in docs/openapi.yaml but in no route table" % route)
    for route in sorted(pending & tables):
        log("note: %s %s is marked x-rtk-pending but is served now: remove the marker" % route)
    log("route tables: %d routes, all documented" % len(tables))


def check_no_other_methods(checker, ids):
    """Methods a documented path does not have: 404 or 405 (on /v2 and on the Cloudflare form)."""
    for template, item in checker.spec["paths"].items():
        path = template
        for name, value in ids.items():
            path = path.replace("{%s}" % name, value)
        if "{" in path:
            checker.fail("no id for %s in the probe" % template)
            continue
        for method in METHODS:
            if method in item:
                continue
            for probe in {path, path.replace("/v2/", "/accounts/acc/realtime/kit/app/", 1)}:
                status, _, data = checker.request(method, probe, body={} if method != "get" else None)
                if status not in (404, 405):
                    checker.fail("%s %s: undocumented, answered %d %s" % (method.upper(), probe, status, data[:120]))
    undocumented = ["/v2", "/v2/", "/v2/meeting", "/v2/analytics/daywise", "/v2/apps",
                    "/v2/sessions/peer-report/" + ids["participant_id"], "/v2/meetings/%s/nothing" % ids["meeting_id"],
                    "/v2/sessions/%s/summary" % ids["session_id"], "/v2/sessions/%s/transcript" % ids["session_id"],
                    "/accounts/acc/realtime/kit/apps", "/v3/meetings", "/nothing"]
    for path in undocumented:
        for method in METHODS:
            status, _, data = checker.request(method, path, body={} if method != "get" else None)
            if status not in (404, 405):
                checker.fail("%s %s: not in the document, answered %d %s" % (method.upper(), path, status, data[:120]))
    log("undocumented methods and paths: 404/405")


# ---------------------------------------------------------------- the scenario

def wait_for(what, fn, timeout=30):
    deadline = time.time() + timeout
    while True:
        value = fn()
        if value:
            return value
        check(time.time() < deadline, "%s within %d s" % (what, timeout))
        time.sleep(0.2)


def rest_resources(c):
    """Meetings, presets, participants, plugins, webhooks; errors of each kind."""
    c.call("get", "/healthz", "/healthz", 200, auth=None)
    c.call("get", "/metrics", "/metrics", 200, auth=None)
    meeting = c.data(c.call("post", "/v2/meetings", "/v2/meetings", 201, {"title": "OpenAPI", "persist_chat": True}))
    mid = meeting["id"]
    c.call("get", "/v2/meetings", "/v2/meetings?per_page=5", 200)
    c.call("get", "/v2/meetings", "/v2/meetings?per_page=500", 422)
    c.call("get", "/v2/meetings", "/v2/meetings?page_no=%zz", 400)
    c.call("get", "/v2/meetings", "/v2/meetings", 401, auth=None)
    c.call("post", "/v2/meetings", "/v2/meetings", 400, {"title": 42})
    c.call("post", "/v2/meetings", "/v2/meetings", 400, raw=b'{"title": ')
    c.call("post", "/v2/meetings", "/v2/meetings", 413, raw=b" " * 2000000)
    c.call("get", "/v2/meetings/{meeting_id}", "/v2/meetings/" + mid, 200)
    c.call("get", "/v2/meetings/{meeting_id}", "/v2/meetings/00000000-0000-4000-8000-000000000000", 404)
    c.call("patch", "/v2/meetings/{meeting_id}", "/v2/meetings/" + mid, 200, {"title": "OpenAPI (renamed)"})
    c.call("put", "/v2/meetings/{meeting_id}", "/v2/meetings/" + mid, 200, {"title": "OpenAPI", "persist_chat": True})

    preset = c.data(c.call("post", "/v2/presets", "/v2/presets", 201, {"name": "openapi-%d" % os.getpid()}))
    c.call("post", "/v2/presets", "/v2/presets", 409, {"name": "group_call_host"})
    c.call("get", "/v2/presets", "/v2/presets?per_page=100", 200)
    c.call("get", "/v2/presets/{preset_id}", "/v2/presets/" + preset["id"], 200)
    c.call("patch", "/v2/presets/{preset_id}", "/v2/presets/" + preset["id"], 200, {"permissions": {"can_record": True}})
    c.call("put", "/v2/presets/{preset_id}", "/v2/presets/" + preset["id"], 200, {"name": preset["name"]})

    parts = "/v2/meetings/%s/participants" % mid
    people = {}
    for name, preset_name in (("host", "group_call_host"), ("guest", "group_call_participant"),
                              ("extra", preset["name"])):
        people[name] = c.data(c.call("post", "/v2/meetings/{meeting_id}/participants", parts, 201,
                                     {"name": name.title(), "preset_name": preset_name,
                                      "custom_participant_id": name + "@example.com"}))
    c.call("post", "/v2/meetings/{meeting_id}/participants", parts, 400, {"preset_name": "nope", "custom_participant_id": "x"})
    c.call("get", "/v2/meetings/{meeting_id}/participants", parts, 200)
    one = parts + "/" + people["extra"]["id"]
    c.call("get", "/v2/meetings/{meeting_id}/participants/{participant_id}", one, 200)
    c.call("patch", "/v2/meetings/{meeting_id}/participants/{participant_id}", one, 200, {"name": "Extra"})
    c.call("post", "/v2/meetings/{meeting_id}/participants/{participant_id}/token", one + "/token", 201)
    c.call("delete", "/v2/presets/{preset_id}", "/v2/presets/" + preset["id"], 409)
    c.call("delete", "/v2/meetings/{meeting_id}/participants/{participant_id}", one, 200)
    c.call("delete", "/v2/presets/{preset_id}", "/v2/presets/" + preset["id"], 200)

    plugin = c.data(c.call("post", "/v2/plugins", "/v2/plugins", 201, {"name": "Clock", "url": "https://example.com/c/"}))
    c.call("get", "/v2/plugins", "/v2/plugins", 200)
    c.call("get", "/v2/plugins/{plugin_id}", "/v2/plugins/" + plugin["id"], 200)
    c.call("patch", "/v2/plugins/{plugin_id}", "/v2/plugins/" + plugin["id"], 200, {"description": "time"})
    c.call("delete", "/v2/plugins/{plugin_id}", "/v2/plugins/" + plugin["id"], 200)

    hook = c.data(c.call("post", "/v2/webhooks", "/v2/webhooks", 201,
                         {"name": "openapi", "url": "http://127.0.0.1:9/h", "events": ["meeting.ended"]}))
    c.call("post", "/v2/webhooks", "/v2/webhooks", 422, {"name": "x", "url": "http://127.0.0.1:9/", "events": ["nope"]})
    c.call("get", "/v2/webhooks", "/v2/webhooks", 200)
    c.call("get", "/v2/webhooks/{webhook_id}", "/v2/webhooks/" + hook["id"], 200)
    c.call("patch", "/v2/webhooks/{webhook_id}", "/v2/webhooks/" + hook["id"], 200, {"enabled": False})
    c.call("put", "/v2/webhooks/{webhook_id}", "/v2/webhooks/" + hook["id"], 200,
           {"name": "openapi", "url": "http://127.0.0.1:9/h", "events": ["meeting.started"]})
    c.call("delete", "/v2/webhooks/{webhook_id}", "/v2/webhooks/" + hook["id"], 200)
    c.call("get", "/.well-known/webhooks.json", "/.well-known/webhooks.json", 200, auth=None)
    return mid, people, plugin["id"], hook["id"]


async def live_session(c, server, mid, people):
    """Active session, chat files, recordings, livestreams, kicks."""
    clients = {name: RtkClient(server, name) for name in ("host", "guest")}
    for name, client in clients.items():
        await client.join(people[name]["token"])
        await client.publish()
    for name, client in clients.items():
        await client.subscribe(people[name]["token"])
    await clients["guest"].wait_frames(clients["host"].peer_id, 10, 10, MEDIA_TIMEOUT)
    await clients["host"].control({"request": "chat.sendMessage", "message": {"type": "text", "message": "hi"}})
    base = "/v2/meetings/%s/active-session" % mid
    c.call("get", "/v2/meetings/{meeting_id}/active-session", base, 200)
    c.call("post", "/v2/meetings/{meeting_id}/active-session/poll", base + "/poll", 201,
           {"question": "Lunch?", "options": ["a", "b"]})
    c.call("post", "/v2/meetings/{meeting_id}/active-session/poll", base + "/poll", 422, {"question": "Lunch?"})
    c.call("post", "/v2/meetings/{meeting_id}/active-session/mute", base + "/mute", 200,
           {"participant_ids": [people["guest"]["id"]], "allow_unmute": True})
    c.call("post", "/v2/meetings/{meeting_id}/active-session/mute-all", base + "/mute-all", 200, {"allow_unmute": True})

    token = people["host"]["token"]
    upload = c.data(c.call("post", "/v2/chat-files", "/v2/chat-files?name=notes.txt", 201, raw=b"notes\n",
                           auth="Bearer " + token, headers={"Content-Type": "text/plain"}))
    c.call("post", "/v2/chat-files", "/v2/chat-files?name=x.txt", 401, raw=b"x", headers={"Content-Type": "text/plain"},
           auth="Bearer " + server.credentials["api_key"])
    c.call("post", "/v2/chat-files", "/v2/chat-files?name=x.html", 415, raw=b"<p>", auth="Bearer " + token,
           headers={"Content-Type": "text/html"})
    link = urllib.parse.urlsplit(upload["link"]).path
    c.call("get", "/v2/chat-files/{meeting_id}/{file_id}", link, 200, auth="Bearer " + token)
    c.call("get", "/v2/chat-files/{meeting_id}/{file_id}", link, 403, auth="Bearer " + people["guest"]["token"])

    rec = c.data(c.call("post", "/v2/recordings", "/v2/recordings", 201, {"meeting_id": mid}))
    c.call("post", "/v2/recordings", "/v2/recordings", 404, {"meeting_id": "00000000-0000-4000-8000-000000000000"})
    one = "/v2/recordings/" + rec["id"]
    wait_for("the recording RECORDING", lambda: server.rest_ok("GET", one)["status"] == "RECORDING")
    c.call("get", "/v2/recordings/{recording_id}", one, 200)
    c.call("get", "/v2/recordings/active-recording/{meeting_id}", "/v2/recordings/active-recording/" + mid, 200)
    c.call("get", "/v2/recordings", "/v2/recordings?meeting_id=" + mid, 200)
    c.call("get", "/v2/recordings", "/v2/recordings?status=DONE", 400)
    c.call("put", "/v2/recordings/{recording_id}", one, 200, {"action": "pause"})
    c.call("put", "/v2/recordings/{recording_id}", one, 200, {"action": "resume"})
    c.call("put", "/v2/recordings/{recording_id}", one, 422, {"action": "rewind"})
    c.call("put", "/v2/recordings/{recording_id}", one, 200, {"action": "stop"})
    wait_for("the recording UPLOADED", lambda: server.rest_ok("GET", one)["status"] == "UPLOADED")
    c.call("put", "/v2/recordings/{recording_id}", one, 409, {"action": "stop"})
    c.call("get", "/v2/recordings/{recording_id}/download", one + "/download", 200)

    track = "/v2/recordings/track"
    c.call("post", track, track, 422, {"meeting_id": mid, "layers": {"everything": {}}})
    rec = c.data(c.call("post", track, track, 200, {"meeting_id": mid, "layers": {"audio": {}}}))["recording"]
    one = "/v2/recordings/" + rec["id"]
    await asyncio.sleep(1)
    c.call("put", "/v2/recordings/{recording_id}", one, 200, {"action": "stop"})
    wait_for("the track recording UPLOADED", lambda: server.rest_ok("GET", one)["status"] == "UPLOADED")
    c.call("get", "/v2/recordings/{recording_id}", one, 200)
    # (no media flows here: the files and their 200s are test_track_recording.py's)
    template = "/v2/recordings/{recording_id}/tracks/{file_name}/download"
    c.call("get", template, one + "/tracks/a_audio_1.webm/download", 401, auth=None)
    c.call("get", template, one + "/tracks/a_audio_1.webm/download?expires=1&signature=00", 403, auth=None)
    c.call("get", template, one + "/tracks/nothing.webm/download", 404)

    stream = c.data(c.call("post", "/v2/meetings/{meeting_id}/livestreams", "/v2/meetings/%s/livestreams" % mid,
                           201, {"name": "openapi"}))
    c.call("post", "/v2/meetings/{meeting_id}/livestreams", "/v2/meetings/%s/livestreams" % mid, 409, {})
    c.call("get", "/v2/meetings/{meeting_id}/active-livestream", "/v2/meetings/%s/active-livestream" % mid, 200)
    c.call("get", "/v2/livestreams/{livestream_id}", "/v2/livestreams/" + stream["id"], 200)
    c.call("get", "/v2/meetings/{meeting_id}/livestreams", "/v2/meetings/%s/livestreams" % mid, 200)
    c.call("get", "/v2/livestreams", "/v2/livestreams", 200)
    wait_for("the livestream LIVE", lambda: server.rest_ok("GET", "/v2/livestreams/" + stream["id"])["livestream"]["status"] == "LIVE")
    c.call("get", "/v2/livestreams/{livestream_id}/active-livestream-session",
           "/v2/livestreams/%s/active-livestream-session" % stream["id"], 200)
    c.call("get", "/v2/livestreams/sessions/{livestream_session_id}", "/v2/livestreams/sessions/" + stream["id"], 200)
    c.call("get", "/v2/meetings/{meeting_id}/livestream", "/v2/meetings/%s/livestream" % mid, 200)
    c.call("post", "/v2/meetings/{meeting_id}/active-livestream/stop", "/v2/meetings/%s/active-livestream/stop" % mid,
           200)
    c.call("post", "/v2/meetings/{meeting_id}/active-livestream/stop", "/v2/meetings/%s/active-livestream/stop" % mid,
           409)

    c.call("post", "/v2/meetings/{meeting_id}/active-session/kick", base + "/kick", 200,
           {"participant_ids": [people["guest"]["id"]]})
    c.call("post", "/v2/meetings/{meeting_id}/active-session/kick", base + "/kick", 422, {})
    c.call("post", "/v2/meetings/{meeting_id}/active-session/kick-all", base + "/kick-all", 200)
    wait_for("the session ended", lambda: server.rest("GET", base)[0] == 404)
    c.call("get", "/v2/meetings/{meeting_id}/active-session", base, 404)
    for client in clients.values():
        await client.close()
    return stream["id"], rec["id"]


def history(c, server, mid, people):
    sessions = c.data(c.call("get", "/v2/sessions", "/v2/sessions?associated_id=" + mid, 200))
    c.call("get", "/v2/sessions", "/v2/sessions?status=ACTIVE", 400)
    c.call("get", "/v2/sessions", "/v2/sessions?search=%s&start_time=2000-01-01&sort_by=minutesConsumed"
           "&sort_order=ASC" % mid[:8], 200)
    c.call("get", "/v2/sessions", "/v2/sessions?sort_by=title", 400)
    sid = sessions["sessions"][0]["id"]
    c.call("get", "/v2/sessions/{session_id}", "/v2/sessions/" + sid, 200)
    c.call("get", "/v2/sessions/{session_id}/livestream-sessions", "/v2/sessions/%s/livestream-sessions" % sid, 200)
    c.call("get", "/v2/sessions/{session_id}/participants", "/v2/sessions/%s/participants" % sid, 200)
    c.call("get", "/v2/sessions/{session_id}/participants/{participant_id}",
           "/v2/sessions/%s/participants/%s" % (sid, people["host"]["id"]), 200)
    wait_for("the chat stored", lambda: server.rest("GET", "/v2/sessions/%s/chat" % sid)[0] == 200, 15)
    chat = c.data(c.call("get", "/v2/sessions/{session_id}/chat", "/v2/sessions/%s/chat" % sid, 200))
    export = urllib.parse.urlsplit(chat["chat_download_url"])
    c.call("get", "/v2/chat-exports/{file}", export.path + "?" + export.query, 200, auth=None)
    c.call("get", "/v2/chat-exports/{file}", export.path + "?" + export.query.replace("signature=", "signature=0"),
           403, auth=None)
    return sid


async def main():
    if jsonschema is None:
        skip("python3-jsonschema and python3-yaml are needed (./rtk test installs them): %s" % IMPORT_ERROR)
    with open(SPEC_PATH) as f:
        spec = yaml.safe_load(f)
    check(str(spec.get("openapi", "")).startswith("3.1"), "docs/openapi.yaml is not OpenAPI 3.1")
    jsonschema.Draft202012Validator.check_schema({"$defs": spec["components"]["schemas"]})
    with Server() as server:
        c = Checker(server, spec)
        check_route_tables(c)
        mid, people, plugin_id, hook_id = rest_resources(c)
        stream_id, rec_id = await live_session(c, server, mid, people)
        sid = history(c, server, mid, people)
        ids = {"meeting_id": mid, "participant_id": people["host"]["id"], "preset_id": people["host"]["preset_id"],
               "plugin_id": plugin_id, "webhook_id": hook_id, "session_id": sid, "recording_id": rec_id,
               "livestream_id": stream_id, "livestream_session_id": stream_id,
               "file_id": "00000000-0000-4000-8000-000000000000",
               "file": sid + ".csv", "file_name": "a_audio_1.webm"}
        check_no_other_methods(c, ids)
        for key, (template, operation) in sorted(c.operations.items()):
            if key not in c.called:
                c.fail("%s %s is documented but the test never called it" % (key[0].upper(), template))
        server.stop()
        server.remove()
    for note in c.pending:
        log("pending on another branch: " + note)
    check(not c.failures, "%d mismatches between docs/openapi.yaml and the server:\n  %s"
          % (len(c.failures), "\n  ".join(c.failures)))
    log("docs/openapi.yaml: %d operations called and validated, %d pending on other branches"
        % (len(c.called) - len(c.pending), len(c.pending)))


if __name__ == "__main__":
    run_test(main)
