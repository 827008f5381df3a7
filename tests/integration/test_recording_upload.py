#!/usr/bin/python3
"""test_recording_upload.py - a recording's storage_config (docs/rest.md,
"Recordings"): the finished file goes to S3-compatible storage with AWS
Signature V4, and the status says so.

The storage is s3rver (tests/s3, installed by ./rtk test with npm ci) on
this test's loopback, behind a small proxy of this test that checks each
request's SigV4 signature with the bucket's secret (s3rver checks the
access key but not the signature) and the body against its
x-amz-content-sha256, then passes it on. Nothing leaves the machine.
  * POST /v2/recordings with storage_config {type aws, bucket, region,
    access_key, secret, path, host}: 201, storage_config shown back without
    access_key and secret; the same with a participant's token is 403; type
    gcs and a missing secret are 422;
  * after the stop the recording is UPLOADING until the PUT succeeded, then
    UPLOADED; the statusUpdate webhooks go INVOKED, RECORDING, UPLOADING,
    UPLOADED; the object at <path>/<output_file_name> is, byte for byte, the
    file download_url serves, and ffprobe reads h264 + aac in it; one PUT,
    correctly signed for the region and service s3;
  * a wrong secret: the storage refuses (403), the recording is ERRORED
    with error "upload failed: ... refused with HTTP 403 ...", and the local
    file is still downloadable;
  * a meeting with record_on_start and a recording_config with a
    storage_config (not shown back): its recording, started by the first
    join and stopped by the session's end, is UPLOADED to that storage.
"""

import asyncio
import hashlib
import hmac
import http.client
import http.server
import json
import os
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from rtk_harness import (SRCDIR, RtkClient, Server, WebhookReceiver, check, check_equal, log, run_test,
                         skip)

S3RVER = os.path.join(SRCDIR, "tests", "s3", "node_modules", "s3rver", "bin", "s3rver.js")
ACCESS_KEY = "S3RVER"          # s3rver's own account
SECRET = "S3RVER"
REGION = "eu-test-1"
BUCKET = "rtk-recordings"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sigv4_valid(method, raw_path, headers, secret):
    """Checks an AWS SigV4 Authorization header (service s3, REGION) the way
    S3 does; returns (ok, why)."""
    auth = headers.get("Authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return False, "not SigV4: %r" % auth[:40]
    fields = dict(part.strip().split("=", 1) for part in auth[len("AWS4-HMAC-SHA256 "):].split(","))
    akid, date, region, service, terminal = fields["Credential"].split("/")
    if (region, service, terminal) != (REGION, "s3", "aws4_request"):
        return False, "scope %s" % fields["Credential"]
    signed = fields["SignedHeaders"].split(";")
    if not {"host", "x-amz-date", "x-amz-content-sha256"} <= set(signed):
        return False, "signed headers %s" % signed
    lower = {k.lower(): v for k, v in headers.items()}
    path, _, query = raw_path.partition("?")
    canonical_query = "&".join(sorted(query.split("&"))) if query else ""
    canonical = "\n".join([method, path, canonical_query,
                           "".join("%s:%s\n" % (h, " ".join(lower[h].split())) for h in signed),
                           ";".join(signed), lower["x-amz-content-sha256"]])
    scope = "/".join([date, region, service, terminal])
    to_sign = "\n".join(["AWS4-HMAC-SHA256", lower["x-amz-date"], scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, terminal):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, fields["Signature"]):
        return False, "signature mismatch (access key %s)" % akid
    return True, ""


class CheckingProxy:
    """Checks each request's SigV4 signature and payload hash, answers 403
    like S3 when either is wrong, and passes the good ones to s3rver."""

    def __init__(self, upstream_port):
        self.puts = []       # (path, ok, why, bytes)
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_PUT(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                ok, why = sigv4_valid("PUT", self.path, self.headers, SECRET)
                if ok and hashlib.sha256(body).hexdigest() != self.headers.get("x-amz-content-sha256"):
                    ok, why = False, "x-amz-content-sha256 is not the body's"
                proxy.puts.append((self.path, ok, why, len(body)))
                if not ok:
                    reply = ("<Error><Code>SignatureDoesNotMatch</Code><Message>%s</Message></Error>" % why).encode()
                    self.send_response(403)
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)
                    return
                upstream = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=30)
                upstream.request("PUT", self.path, body, {k: v for k, v in self.headers.items()
                                                          if k.lower() not in ("expect", "connection")})
                answer = upstream.getresponse()
                data = answer.read()
                self.send_response(answer.status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                upstream.close()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()


def start_s3rver(directory):
    port = free_port()
    proc = subprocess.Popen(["node", S3RVER, "-d", directory, "-a", "127.0.0.1", "-p", str(port), "--silent",
                             "--configure-bucket", BUCKET], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 20
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, port
        except OSError:
            check(proc.poll() is None and time.time() < deadline,
                  "s3rver did not start: %s" % (proc.stderr.read().decode(errors="replace") if proc.poll() is not None
                                                else "no answer in 20 s"))
            time.sleep(0.2)


def plain_get(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


async def wait_recording(server, rec_id, statuses, timeout=30):
    deadline = time.time() + timeout
    seen = []
    while time.time() < deadline:
        rec = server.rest_ok("GET", "/v2/recordings/%s" % rec_id)
        if not seen or seen[-1] != rec["status"]:
            seen.append(rec["status"])
        if rec["status"] in statuses:
            return rec, seen
        await asyncio.sleep(0.05)
    raise AssertionError("recording %s: statuses %s, waited for %s" % (rec_id, seen, statuses))


def storage(proxy, **changes):
    config = {"type": "aws", "bucket": BUCKET, "region": REGION, "access_key": ACCESS_KEY, "secret": SECRET,
              "path": "meetings/upload", "host": "http://127.0.0.1:%d" % proxy.port}
    config.update(changes)
    return config


async def record(server, meeting_id, config, seconds=3):
    rec = server.rest_ok("POST", "/v2/recordings", {"meeting_id": meeting_id, "storage_config": config,
                                                    "video_config": {"codec": "H264", "width": 320, "height": 240}},
                         statuses=(201,))
    await wait_recording(server, rec["id"], ("RECORDING",))
    await asyncio.sleep(seconds)
    server.rest_ok("PUT", "/v2/recordings/%s" % rec["id"], {"action": "stop"})
    return rec


async def main():
    if not os.path.exists(S3RVER):
        skip("s3rver is not installed: npm ci --prefix tests/s3 (./rtk test does it)")
    with tempfile.TemporaryDirectory() as directory:
        s3, s3_port = start_s3rver(os.path.join(directory, "s3"))
        proxy = CheckingProxy(s3_port)
        try:
            await run(directory, proxy, s3_port)
        finally:
            proxy.close()
            s3.terminate()
            s3.wait(timeout=10)


async def run(directory, proxy, s3_port):
    server = Server().start()
    hooks = WebhookReceiver()
    hook = server.rest_ok("POST", "/v2/webhooks", {"name": "upload", "url": hooks.url,
                                                   "events": ["recording.statusUpdate"]}, statuses=(201,))
    hooks.secret = hook["secret"]
    meeting = server.create_meeting(title="Upload")
    host = server.add_participant(meeting["id"], "Host", "group_call_host")
    status, reply = server.rest("POST", "/v2/recordings", {"meeting_id": meeting["id"], "storage_config": storage(proxy)},
                                auth="Bearer " + host["token"])
    check_equal((status, reply), (403, {"success": False, "error": {
        "code": 403, "message": "storage_config needs the API key, not a participant's token"}}),
        "storage_config with a participant's token")
    client = RtkClient(server, "host")
    await client.join(host["token"])
    await client.publish()
    for bad, what in ((storage(proxy, type="gcs"), "type gcs"), (storage(proxy, secret=None), "no secret")):
        status, reply = server.rest("POST", "/v2/recordings", {"meeting_id": meeting["id"], "storage_config": bad})
        check_equal(status, 422, "storage_config with %s: %s" % (what, server.last_text))

    rec = await record(server, meeting["id"], storage(proxy))
    check_equal(rec["storage_config"], {"type": "aws", "bucket": BUCKET, "region": REGION, "path": "meetings/upload",
                                        "host": "http://127.0.0.1:%d" % proxy.port},
                "storage_config shown back without credentials")
    rec, seen = await wait_recording(server, rec["id"], ("UPLOADED", "ERRORED"))
    check_equal((rec["status"], rec.get("error")), ("UPLOADED", None), "status after the upload")
    check("UPLOADING" in seen, "UPLOADING before UPLOADED: %s" % seen)
    check(rec["file_size"] > 0 and "access_key" not in json.dumps(rec) and SECRET not in json.dumps(rec),
          "no credentials in the recording: %r" % rec)
    want = ["INVOKED", "RECORDING", "UPLOADING", "UPLOADED"]
    await hooks.wait(lambda: hooks.statuses(rec["id"]) == want, "recording.statusUpdate %s" % want)
    good = [p for p in proxy.puts if p[1]]
    key = "/%s/meetings/upload/%s" % (BUCKET, rec["output_file_name"])
    check_equal([(p[0], p[3]) for p in proxy.puts], [(key, rec["file_size"])], "one signed PUT of the whole file")
    check_equal(len(good), 1, "the PUT's SigV4 signature and payload hash hold: %r" % proxy.puts)

    status, stored = plain_get("http://127.0.0.1:%d%s" % (s3_port, key))
    check_equal(status, 200, "the object in the storage")
    status, local = plain_get(rec["download_url"])
    check_equal((status, len(local)), (200, rec["file_size"]), "the local file")
    check(stored == local, "the stored object is the recording's file, byte for byte")
    path = os.path.join(directory, "uploaded.mp4")
    with open(path, "wb") as f:
        f.write(stored)
    out = subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-of", "json", path], capture_output=True,
                         check=False)
    check(out.returncode == 0, "ffprobe of the stored object: %s" % out.stderr.decode(errors="replace"))
    check_equal(sorted(s["codec_name"] for s in json.loads(out.stdout)["streams"]), ["aac", "h264"],
                "the stored object's streams")
    log("uploaded %d bytes to s3rver as %s, SigV4 checked; UPLOADING -> UPLOADED" % (len(stored), key))

    rec = await record(server, meeting["id"], storage(proxy, secret="not-the-secret", path="failed"), seconds=2)
    rec, _ = await wait_recording(server, rec["id"], ("UPLOADED", "ERRORED"))
    check_equal(rec["status"], "ERRORED", "status after a refused upload")
    check(rec["error"].startswith("upload failed: upload to http://127.0.0.1:%d/%s/failed/%s refused with HTTP 403"
                                  % (proxy.port, BUCKET, rec["output_file_name"])),
          "the upload's error: %r" % rec["error"])
    check(not proxy.puts[-1][1], "the storage refused the wrong secret: %r" % (proxy.puts[-1],))
    status, local = plain_get(rec["download_url"])
    check_equal((status, len(local)), (200, rec["file_size"]), "a refused upload keeps the local file")
    log("a wrong secret: ERRORED (%s), the local file still served" % rec["error"][:80])
    await client.close()
    await record_on_start(server, proxy, s3_port)
    server.stop()


async def record_on_start(server, proxy, s3_port):
    """A meeting whose recording_config has a storage_config: its
    record_on_start recording is uploaded there too."""
    meeting = server.create_meeting(title="Uploads itself", record_on_start=True, recording_config={
        "storage_config": storage(proxy, path="on-start"),
        "video_config": {"codec": "H264", "width": 320, "height": 240}})
    check("secret" not in json.dumps(meeting) and "access_key" not in json.dumps(meeting),
          "the meeting shows the storage credentials: %r" % meeting)
    host = server.add_participant(meeting["id"], "Host", "group_call_host")
    client = RtkClient(server, "on-start host")
    await client.join(host["token"])
    await client.publish()
    deadline = time.time() + 20
    while True:
        listed = server.rest_ok("GET", "/v2/recordings?meeting_id=%s" % meeting["id"])
        recordings = listed.get("recordings", listed) if isinstance(listed, dict) else listed
        if recordings and recordings[0]["status"] == "RECORDING":
            break
        check(time.time() < deadline, "no RECORDING record_on_start recording: %r" % listed)
        await asyncio.sleep(0.1)
    rec_id = recordings[0]["id"]
    await asyncio.sleep(3)
    await client.leave()   # the session ends, and its recording with it
    rec, seen = await wait_recording(server, rec_id, ("UPLOADED", "ERRORED"))
    check_equal((rec["status"], rec.get("error")), ("UPLOADED", None), "a record_on_start recording's upload")
    key = "/%s/on-start/%s" % (BUCKET, rec["output_file_name"])
    status, stored = plain_get("http://127.0.0.1:%d%s" % (s3_port, key))
    check_equal((status, len(stored)), (200, rec["file_size"]), "the record_on_start recording in the storage")
    log("record_on_start with the meeting's storage_config: uploaded as %s (%d bytes)" % (key, len(stored)))


if __name__ == "__main__":
    run_test(main)
