#!/usr/bin/python3
"""test_chat_files.py - chat file uploads and downloads with participant
tokens (docs/rest.md, "Chat files"), and image messages that carry them
(docs/protocol.md, "Chat").

Owns the promise that a file sent in the chat reaches exactly those who
may see it. One meeting with Ada (host), Bob and Cy (participants), all
joined; Dan is a participant of another meeting. The server runs with
chat_file_max_bytes = 1.5 MiB (more than the 1 MiB of a REST body)
and chat_file_types image/, text/plain.
Asserted:
  * Ada uploads 40 KiB of PNG bytes (POST /v2/chat-files, her token): 201
    with id, name, size, type and the link; on disk <id> and <id>.json
    under the meeting's directory, nothing else;
  * Ada sends them to Bob in a private image message; Bob's chatUpdate
    carries the fileId and the link;
  * Bob downloads the exact bytes (sha256) with Authorization: Bearer and
    with ?token=, as image/png, inline, with the name escaped in
    Content-Disposition and nosniff; Ada (the uploader) may too;
  * Cy, in the meeting but not a recipient, gets 403; Dan 404 (another
    meeting), also under his own meeting's path; no token, a forged token
    and the API key get 401;
  * an upload of exactly the limit is taken, streamed (chunked) too;
    refusals keep nothing: over the limit by Content-Length and chunked
    (413), a type not allowed (415), bad names (400), no token (401);
  * chat.sendMessage with an unknown fileId, or with Ada's upload sent by
    Bob, is refused with 0506;
  * the ?token= of a download is nowhere in janus.log.
"""

import hashlib
import http.client
import json
import os
import time
import urllib.parse

from rtk_harness import REST_PORT, RtkClient, Server, check, check_equal, log, run_test

MAX_BYTES = 1536 * 1024   # above RTK_REST_MAX_BODY: an upload is not a buffered REST body
UPLOAD_NAME = "Ada's \"cat\" \u00e9t\u00e9.png"


def http_request(method, path, body=None, headers=None, chunked=False):
    """(status, headers dict with lower-case names, body bytes)."""
    connection = http.client.HTTPConnection("127.0.0.1", REST_PORT, timeout=30)
    try:
        try:
            connection.request(method, path, body=body, headers=headers or {}, encode_chunked=chunked)
        except (BrokenPipeError, ConnectionResetError):
            # the server answered (413, 415, ...) before the whole body was sent and closed
            # its side: its answer is still there to read
            pass
        response = connection.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data
    finally:
        connection.close()


def upload(token, data, name=UPLOAD_NAME, content_type="image/png", chunked=False):
    headers = {"Content-Type": content_type}
    if token is not None:
        headers["Authorization"] = "Bearer " + token
    path = "/v2/chat-files"
    if name is not None:
        path += "?name=" + urllib.parse.quote(name, safe="")
    if chunked:
        pieces = [data[i:i + 8192] for i in range(0, len(data), 8192)]
        return http_request("POST", path, body=iter(pieces), headers=headers, chunked=True)
    return http_request("POST", path, body=data, headers=headers)


def check_refused(result, status, what):
    got, _, body = result
    check_equal(got, status, what)
    reply = json.loads(body)
    check(reply.get("success") is False and reply["error"]["code"] == status and reply["error"]["message"],
          "%s: not an error envelope: %r" % (what, body[:300]))
    log("%s: %d %s" % (what, status, reply["error"]["message"]))


def files_on_disk(server):
    root = os.path.join(server.data_dir, "chat-files")
    found = []
    for directory, _, names in os.walk(root):
        found += [os.path.relpath(os.path.join(directory, n), root) for n in names]
    return sorted(found)


async def main():
    server = Server(env={"RTK_CHAT_FILE_MAX_BYTES": str(MAX_BYTES),
                         "RTK_CHAT_FILE_TYPES": "image/, text/plain"}).start()
    meeting = server.create_meeting(title="chat files")
    other = server.create_meeting(title="elsewhere")
    rests = {name: server.add_participant(meeting["id"], name.capitalize(), preset)
             for name, preset in (("ada", "group_call_host"), ("bob", "group_call_participant"),
                                  ("cy", "group_call_participant"))}
    dan = server.add_participant(other["id"], "Dan")
    clients = {}
    for name in ("ada", "bob", "cy"):
        clients[name] = RtkClient(server, name)
        await clients[name].join(rests[name]["token"])
    ada, bob = clients["ada"], clients["bob"]
    tokens = {name: rest["token"] for name, rest in rests.items()}

    # the upload
    content = b"\x89PNG\r\n\x1a\n" + os.urandom(40 * 1024)
    status, _, body = upload(tokens["ada"], content)
    check_equal(status, 201, "Ada's upload (%s)" % body[:300])
    data = json.loads(body)["data"]
    file_id = data["id"]
    link = "%s/v2/chat-files/%s/%s" % (server.rest_base, meeting["id"], file_id)
    check_equal((data["name"], data["size"], data["type"], data["link"]),
                (UPLOAD_NAME, len(content), "image/png", link), "the upload's description")
    check_equal(files_on_disk(server), sorted(["%s/%s" % (meeting["id"], file_id),
                                               "%s/%s.json" % (meeting["id"], file_id)]), "files on disk")
    with open(os.path.join(server.data_dir, "chat-files", meeting["id"], file_id), "rb") as f:
        check(f.read() == content, "the stored bytes differ from the upload")
    log("Ada uploaded %d bytes as %s" % (len(content), file_id))

    # a private image message to Bob
    await ada.control({"request": "chat.sendMessage", "message": {"type": "image", "fileId": file_id},
                       "participantIds": [bob.peer_id]})
    event = await bob.wait_event("chatUpdate")
    message = event.data["message"]
    check_equal((message["type"], message["fileId"], message["link"], message["name"], message["size"]),
                ("image", file_id, link, UPLOAD_NAME, len(content)), "the message Bob got")

    # downloads
    path = "/v2/chat-files/%s/%s" % (meeting["id"], file_id)
    digest = hashlib.sha256(content).hexdigest()
    for how, request_path, headers in (
            ("Bob, Bearer", path, {"Authorization": "Bearer " + tokens["bob"]}),
            ("Bob, ?token=", path + "?token=" + tokens["bob"], {}),
            ("Ada, the uploader", path, {"Authorization": "Bearer " + tokens["ada"]})):
        status, headers_got, body = http_request("GET", request_path, headers=headers)
        check_equal(status, 200, "download by %s (%s)" % (how, body[:300]))
        check_equal(hashlib.sha256(body).hexdigest(), digest, "sha256 of the download by " + how)
        check_equal(headers_got.get("content-type"), "image/png", "Content-Type of the download by " + how)
        check_equal(headers_got.get("x-content-type-options"), "nosniff", "nosniff of " + how)
        check_equal(headers_got.get("content-disposition"),
                    "inline; filename=\"Ada's _cat_ _t_.png\"; "
                    "filename*=UTF-8''Ada%27s%20%22cat%22%20%C3%A9t%C3%A9.png",
                    "Content-Disposition of the download by " + how)
        log("download by %s: %d bytes, sha256 matches" % (how, len(body)))

    check_refused(http_request("GET", path, headers={"Authorization": "Bearer " + tokens["cy"]}), 403,
                  "Cy, not a recipient")
    check_refused(http_request("GET", path + "?token=" + dan["token"]), 404, "Dan, another meeting")
    check_refused(http_request("GET", "/v2/chat-files/%s/%s?token=%s" % (other["id"], file_id, dan["token"])),
                  404, "Dan, under his meeting's path")
    check_refused(http_request("GET", path), 401, "no token")
    forged = tokens["bob"][:-4] + ("AAAA" if not tokens["bob"].endswith("AAAA") else "BBBB")
    check_refused(http_request("GET", path + "?token=" + forged), 401, "a forged token")
    check_refused(http_request("GET", path, headers={"Authorization": "Bearer " + server.credentials["api_key"]}),
                  401, "the API key")

    # refused uploads keep nothing
    before = files_on_disk(server)
    big = os.urandom(MAX_BYTES + 1)
    check_refused(upload(tokens["bob"], big), 413, "an upload one byte over the limit")
    check_refused(upload(tokens["bob"], big, chunked=True), 413, "a chunked upload over the limit")
    status, _, body = upload(tokens["bob"], big[:MAX_BYTES], name="limit.png")
    check_equal(status, 201, "an upload of exactly the limit (%s)" % body[:300])
    at_limit = json.loads(body)["data"]["id"]
    status, _, body = upload(tokens["bob"], big[:MAX_BYTES], name="limit.png", chunked=True)
    check_equal(status, 201, "a chunked upload of exactly the limit (%s)" % body[:300])
    chunked_id = json.loads(body)["data"]["id"]
    with open(os.path.join(server.data_dir, "chat-files", meeting["id"], chunked_id), "rb") as f:
        check(f.read() == big[:MAX_BYTES], "the chunked upload's bytes differ")
    before += ["%s/%s%s" % (meeting["id"], i, suffix) for i in (at_limit, chunked_id) for suffix in ("", ".json")]
    check_refused(upload(tokens["bob"], b"MZ...", content_type="application/x-msdownload"), 415, "a type not allowed")
    check_refused(upload(tokens["bob"], b"x", content_type="not a type"), 415, "a malformed type")
    check_refused(upload(tokens["bob"], b"x", name="a/b.png"), 400, "a name with '/'")
    check_refused(upload(tokens["bob"], b"x", name=""), 400, "an empty name")
    check_refused(upload(tokens["bob"], b"x", name="x" * 256), 400, "a 256-byte name")
    check_refused(upload(tokens["bob"], b"x", name=None), 400, "no name")
    check_refused(upload(None, b"x"), 401, "no token")
    check_refused(upload(server.credentials["api_key"], b"x"), 401, "the API key as the token")
    check_equal(files_on_disk(server), sorted(before), "files on disk after the refused uploads")
    status, _, _ = upload(tokens["cy"], b"hello\n", name="notes.txt", content_type="text/plain; charset=utf-8")
    check_equal(status, 201, "a text/plain upload with a charset")
    log("refused uploads left nothing on disk")

    # messages that name uploads they may not
    await bob.refused({"request": "chat.sendMessage", "message": {"type": "file",
                       "fileId": "00000000-0000-4000-8000-000000000000"}}, "0506")
    await bob.refused({"request": "chat.sendMessage", "message": {"type": "image", "fileId": file_id}}, "0506")

    # the meeting has no persist_chat: when its session ends, the files its messages carried go too
    sent_path = os.path.join(server.data_dir, "chat-files", meeting["id"], file_id)
    check(os.path.exists(sent_path), "Ada's sent image before the end of the session")
    for client in clients.values():
        await client.leave()
    deadline = time.time() + 10
    while os.path.exists(sent_path) and time.time() < deadline:
        time.sleep(0.05)
    check(not os.path.exists(sent_path) and not os.path.exists(sent_path + ".json"),
          "the image of a message of the ended session is still on disk")
    status, _, _ = http_request("GET", "/v2/chat-files/%s/%s" % (meeting["id"], file_id),
                                headers={"Authorization": "Bearer " + tokens["ada"]})
    check_equal(status, 404, "Ada downloads her image after the session ended")
    log("the session ended without persist_chat: the files its messages carried are gone")

    server.stop()
    with open(server.log_path, errors="replace") as f:
        check(tokens["bob"] not in f.read(), "Bob's token is in janus.log")
    log("no token in janus.log")


if __name__ == "__main__":
    run_test(main)
