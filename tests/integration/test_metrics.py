#!/usr/bin/python3
"""test_metrics.py - GET /metrics and GET /healthz (docs/rest.md, "Operations").

What a Prometheus operator sees:
  * /healthz answers 200 {"status": "ok", "store": true, "plugin": true},
    without credentials;
  * /metrics answers 200 as text/plain; version=0.0.4, which parses in the
    exposition format's rules (tests/integration/prometheus_text.py, and
    promtool's `check metrics` when Debian's prometheus is installed), with
    HELP and TYPE for every family;
  * REST requests are counted by method and status class, exactly (the
    scrapes themselves are not counted), and land in the latency histogram;
  * two aiortc participants who publish VP8 + Opus and subscribe to each
    other: meetings live 1, participants 2, publishers 2, subscribers 2,
    and the forwarded RTP packet and byte counters grow while they talk;
    when they leave, the gauges go back to 0 and the counters stay;
  * a livestream on air: rtk_livestreams{status="LIVE"} 1 and its viewer
    once a player fetched the playlist;
  * webhook deliveries: one to a receiver that answers 204 counts as
    delivered, one to a receiver that answers 500 as failed after its
    attempts;
  * with RTK_METRICS_TOKEN set, /metrics needs that bearer token (401
    without it, or with the API key), /healthz stays open.
"""

import asyncio
import http.client
import http.server
import os
import shutil
import subprocess
import threading
import time

from prometheus_text import parse
from rtk_harness import REST_PORT, RtkClient, Server, check, check_equal, log, run_test

MEDIA_TIMEOUT = 20


def get(path, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", REST_PORT, timeout=15)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def scrape(headers=None):
    status, response_headers, text = get("/metrics", headers)
    check_equal(status, 200, "GET /metrics")
    check_equal(response_headers.get("Content-Type"), "text/plain; version=0.0.4; charset=utf-8",
                "the Content-Type of /metrics")
    try:
        families = parse(text)
    except ValueError as e:
        raise AssertionError("/metrics does not parse: %s\n%s" % (e, text))
    for name, family in families.items():
        check(family.help and family.type, "family %s has no HELP or TYPE" % name)
    return families, text


def promtool_check(text):
    promtool = shutil.which("promtool")
    if promtool is None:
        log("promtool not installed (Debian's prometheus): the test's own parser only")
        return
    result = subprocess.run([promtool, "check", "metrics"], input=text.encode(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    check(result.returncode == 0, "promtool check metrics: %s" % result.stdout.decode(errors="replace"))
    log("promtool check metrics: clean")


def value(families, name, suffix="", **labels):
    check(name in families, "no family %s in /metrics" % name)
    return families[name].value(suffix, **labels)


class Receiver:
    """An HTTP receiver that answers every POST with `status`."""

    def __init__(self, status):
        receiver = self
        self.count = 0

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.count += 1
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/hook" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


def check_health():
    status, headers, text = get("/healthz")
    check_equal(status, 200, "GET /healthz")
    check_equal(headers.get("Content-Type"), "application/json", "the Content-Type of /healthz")
    import json
    check_equal(json.loads(text), {"status": "ok", "store": True, "plugin": True}, "the body of /healthz")
    log("/healthz: 200 ok")


def check_rest_counts(server):
    before, text = scrape()
    promtool_check(text)
    get_2xx = value(before, "rtk_rest_requests_total", method="GET", code="2xx")
    post_2xx = value(before, "rtk_rest_requests_total", method="POST", code="2xx")
    get_4xx = value(before, "rtk_rest_requests_total", method="GET", code="4xx")
    count = value(before, "rtk_rest_request_duration_seconds", "_count")
    for _ in range(5):
        server.rest_ok("GET", "/v2/meetings")
    server.create_meeting(title="counted")
    for _ in range(3):
        check_equal(server.rest("GET", "/v2/nothing")[0], 404, "an unknown route")
    check_equal(server.rest("GET", "/v2/meetings", auth=None)[0], 401, "no credentials")
    after, _ = scrape()
    check_equal(value(after, "rtk_rest_requests_total", method="GET", code="2xx") - get_2xx, 5,
                "GET 2xx counted")
    check_equal(value(after, "rtk_rest_requests_total", method="POST", code="2xx") - post_2xx, 1,
                "POST 2xx counted")
    check_equal(value(after, "rtk_rest_requests_total", method="GET", code="4xx") - get_4xx, 4,
                "GET 4xx counted (three 404, one 401)")
    check_equal(value(after, "rtk_rest_request_duration_seconds", "_count") - count, 10,
                "requests in the latency histogram")
    check(value(after, "rtk_rest_request_duration_seconds", "_sum") > 0, "latency sum grows")
    log("REST requests counted by method and class; histogram +10")


async def check_live(server):
    meeting = server.create_meeting(title="Metrics")
    people = {name: server.add_participant(meeting["id"], name.title()) for name in ("alice", "bob")}
    clients = {name: RtkClient(server, name) for name in people}
    for name, client in clients.items():
        await client.join(people[name]["token"])
        await client.publish()
    for name, client in clients.items():
        await client.subscribe(people[name]["token"])
    await clients["alice"].wait_frames(clients["bob"].peer_id, 10, 10, MEDIA_TIMEOUT)
    await clients["bob"].wait_frames(clients["alice"].peer_id, 10, 10, MEDIA_TIMEOUT)
    first, _ = scrape()
    check_equal(value(first, "rtk_meetings_live"), 1, "rtk_meetings_live")
    check_equal(value(first, "rtk_participants"), 2, "rtk_participants")
    check_equal(value(first, "rtk_publishers"), 2, "rtk_publishers")
    check_equal(value(first, "rtk_subscribers"), 2, "rtk_subscribers")
    packets = value(first, "rtk_rtp_forwarded_packets_total")
    octets = value(first, "rtk_rtp_forwarded_bytes_total")
    check(packets > 0 and octets > packets * 12, "RTP forwarded: %r packets, %r bytes" % (packets, octets))
    await asyncio.sleep(1.0)
    second, _ = scrape()
    check(value(second, "rtk_rtp_forwarded_packets_total") > packets, "forwarded packets grow")
    check(value(second, "rtk_rtp_forwarded_bytes_total") > octets, "forwarded bytes grow")
    log("live: 1 meeting, 2 participants, 2 publishers, 2 subscribers; %d packets, %d bytes forwarded"
        % (packets, octets))
    await livestream(server, meeting["id"])
    for client in clients.values():
        await client.leave()
        await client.close()
    deadline = time.time() + 10
    while True:
        final, _ = scrape()
        if value(final, "rtk_meetings_live") == 0:
            break
        check(time.time() < deadline, "rtk_meetings_live stays %r after everyone left"
              % value(final, "rtk_meetings_live"))
        await asyncio.sleep(0.2)
    for name in ("rtk_participants", "rtk_publishers", "rtk_subscribers"):
        check_equal(value(final, name), 0, name + " after everyone left")
    check(value(final, "rtk_rtp_forwarded_packets_total") >= value(second, "rtk_rtp_forwarded_packets_total"),
          "the packet counter never goes back")
    log("everyone left: gauges 0, counters kept")


async def livestream(server, meeting_id):
    doc = server.rest_ok("POST", "/v2/meetings/%s/livestreams" % meeting_id, {"name": "metrics"},
                         statuses=(201,))
    deadline = time.time() + 30
    while server.rest_ok("GET", "/v2/livestreams/%s" % doc["id"])["livestream"]["status"] != "LIVE":
        check(time.time() < deadline, "the livestream never went LIVE")
        await asyncio.sleep(0.2)
    families, _ = scrape()
    check_equal(value(families, "rtk_livestreams", status="LIVE"), 1, 'rtk_livestreams{status="LIVE"}')
    check_equal(value(families, "rtk_livestream_viewers", livestream_id=doc["id"]), 0, "viewers before a player")
    path = doc["playback_url"].split(":%d" % REST_PORT, 1)[1]
    status, _, _ = get(path, {"User-Agent": "metrics-test-player"})
    check_equal(status, 200, "the livestream's playlist")
    families, _ = scrape()
    check_equal(value(families, "rtk_livestream_viewers", livestream_id=doc["id"]), 1, "viewers after a player")
    server.rest_ok("POST", "/v2/meetings/%s/active-livestream/stop" % meeting_id, {})
    deadline = time.time() + 20
    while True:
        families, _ = scrape()
        if value(families, "rtk_livestreams", status="LIVE") == 0:
            break
        check(time.time() < deadline, "the stopped livestream stays LIVE in /metrics")
        await asyncio.sleep(0.2)
    check_equal(value(families, "rtk_livestreams", status="IDLE"), 1, 'rtk_livestreams{status="IDLE"}')
    log("livestream: LIVE 1, one viewer, then IDLE 1")


async def check_webhooks(server):
    good, bad = Receiver(204), Receiver(500)
    before, _ = scrape()
    delivered = value(before, "rtk_webhook_deliveries_total", result="delivered")
    failed = value(before, "rtk_webhook_deliveries_total", result="failed")
    for receiver in (good, bad):
        server.rest_ok("POST", "/v2/webhooks", {"name": "metrics", "url": receiver.url,
                                                "events": ["meeting.started"]}, statuses=(201,))
    meeting = server.create_meeting(title="Webhook metrics")
    person = server.add_participant(meeting["id"], "Carol")
    client = RtkClient(server, "carol")
    await client.join(person["token"])
    deadline = time.time() + 20
    while True:
        families, _ = scrape()
        got = (value(families, "rtk_webhook_deliveries_total", result="delivered") - delivered,
               value(families, "rtk_webhook_deliveries_total", result="failed") - failed)
        if got == (1, 1):
            break
        check(time.time() < deadline, "webhook deliveries (delivered, failed) stay %r, not (1, 1); the "
              "receivers got %d and %d requests" % (got, good.count, bad.count))
        await asyncio.sleep(0.2)
    check_equal(bad.count, 3, "attempts of the failing delivery")
    await client.leave()
    await client.close()
    log("webhooks: one delivered, one failed after %d attempts" % bad.count)


def check_token():
    token = "metrics-secret-token"
    with Server(env={"RTK_METRICS_TOKEN": token}) as server:
        status, _, _ = get("/metrics")
        check_equal(status, 401, "/metrics without the token")
        status, _, _ = get("/metrics", {"Authorization": "Bearer " + server.credentials["api_key"]})
        check_equal(status, 401, "/metrics with the API key instead of the token")
        status, _, _ = get("/metrics", {"Authorization": "Bearer wrong"})
        check_equal(status, 401, "/metrics with a wrong token")
        scrape({"Authorization": "Bearer " + token})
        check_health()
        server.remove()
    log("RTK_METRICS_TOKEN: 401 without it, 200 with it; /healthz open")


async def main():
    with Server() as server:
        check_health()
        check_rest_counts(server)
        await check_live(server)
        await check_webhooks(server)
    server.remove()
    check_token()


if __name__ == "__main__":
    run_test(main)
