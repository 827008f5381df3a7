#!/usr/bin/python3
"""test_rate_limit.py - the REST rate limit (docs/rest.md, "Rate limits").

With RTK_RATE_LIMIT=2 and RTK_RATE_LIMIT_BURST=5, what a client sees:
  * five requests in a row are answered; the sixth gets 429 with the error
    envelope and a Retry-After of whole seconds (1 here: a token comes back
    every half second);
  * another client address is not held back by the first one's bucket;
  * /healthz and /metrics are not rate limited (a monitor keeps seeing the
    server while a client is refused), and the 429s are counted in
    rtk_rest_requests_total{code="4xx"};
  * after waiting Retry-After, the client is served again; and sending at
    the refill rate (2 a second) it is never refused;
  * the official Cloudflare SDK (tests/cloudflare_sdk, when installed) rides
    over the limit as it does RealtimeKit's: ten list calls in a row all
    succeed, the SDK waiting Retry-After between its retries;
  * with RTK_RATE_LIMIT=0 there is no limit: 300 requests in a row are all
    answered.
"""

import http.client
import json
import os
import shutil
import socket
import subprocess
import time

from prometheus_text import parse
from rtk_harness import REST_PORT, SRCDIR, Server, check, check_equal, log, run_test

SDK_DIR = os.path.join(SRCDIR, "tests", "cloudflare_sdk")
# Ten calls through the SDK with its default retries (2, honouring Retry-After).
SDK_SCRIPT = """
import Cloudflare from 'cloudflare';
const [base, key] = process.argv.slice(1);
const client = new Cloudflare({apiToken: key, baseURL: base});
const started = Date.now();
for (let i = 0; i < 10; i++) {
	const page = await client.realtimeKit.meetings.get('app', {account_id: 'acc', per_page: 1});
	if (page.success !== true) throw new Error('call ' + i + ': ' + JSON.stringify(page));
}
console.log(JSON.stringify({seconds: (Date.now() - started) / 1000}));
"""


def get(server, path, source="127.0.0.1", auth=True):
    """(status, headers, parsed body) of a GET from the address `source`."""
    connection = http.client.HTTPConnection("127.0.0.1", REST_PORT, timeout=10, source_address=(source, 0))
    try:
        headers = {"Authorization": server.auth_header()} if auth else {}
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        try:
            body = json.loads(text)
        except ValueError:
            body = text
        return response.status, dict(response.getheaders()), body
    finally:
        connection.close()


def requests_4xx(server):
    _, _, text = get(server, "/metrics", auth=False)
    return parse(text)["rtk_rest_requests_total"].value(method="GET", code="4xx")


def limited():
    with Server(env={"RTK_RATE_LIMIT": "2", "RTK_RATE_LIMIT_BURST": "5"}) as server:
        before = requests_4xx(server)
        time.sleep(3)   # the harness's readiness probes took tokens: let the bucket fill (2.5 s)
        for i in range(5):
            check_equal(get(server, "/v2/meetings")[0], 200, "request %d of the burst" % (i + 1))
        status, headers, body = get(server, "/v2/meetings")
        check_equal(status, 429, "the sixth request")
        check_equal(headers.get("Retry-After"), "1", "Retry-After of the 429")
        check_equal(headers.get("Content-Type"), "application/json", "Content-Type of the 429")
        check(isinstance(body, dict) and body.get("success") is False and body["error"]["code"] == 429
              and "retry after 1 s" in body["error"]["message"], "the 429's envelope: %r" % body)
        log("burst of 5 answered; the sixth: 429, Retry-After: 1")

        check_equal(get(server, "/v2/meetings", source="127.0.0.2")[0], 200, "another address")
        check_equal(get(server, "/healthz", auth=False)[0], 200, "/healthz while the address is limited")
        check_equal(requests_4xx(server) - before, 1, "the 429 in rtk_rest_requests_total{code=\"4xx\"}")
        log("another address served; /healthz and /metrics not limited; the 429 counted")

        time.sleep(int(headers["Retry-After"]))
        check_equal(get(server, "/v2/meetings")[0], 200, "after Retry-After")
        for i in range(6):
            time.sleep(0.55)
            check_equal(get(server, "/v2/meetings")[0], 200, "request %d at the refill rate" % (i + 1))
        log("served again after Retry-After, and at 2 a second")
        sdk_retries(server)
        server.remove()


def sdk_retries(server):
    node = shutil.which("node")
    if node is None or not os.path.isdir(os.path.join(SDK_DIR, "node_modules", "cloudflare")):
        log("the Cloudflare SDK is not installed (npm ci --prefix tests/cloudflare_sdk): its retries not checked")
        return
    time.sleep(3)   # a full bucket: 5 calls pass, the other 5 wait for tokens
    result = subprocess.run([node, "--input-type=module", "-e", SDK_SCRIPT, server.rest_base,
                             server.credentials["api_key"]], cwd=SDK_DIR, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, timeout=60)
    output = result.stdout.decode(errors="replace")
    check(result.returncode == 0, "the SDK's calls past the limit: %s" % output)
    seconds = json.loads(output.strip().splitlines()[-1])["seconds"]
    check(seconds >= 1.0, "ten SDK calls at 2 a second after a burst of 5 took only %.2f s" % seconds)
    log("Cloudflare SDK: 10 calls past a burst of 5 all succeeded in %.1f s, retrying after Retry-After"
        % seconds)


def unlimited():
    with Server(env={"RTK_RATE_LIMIT": "0"}) as server:
        connection = http.client.HTTPConnection("127.0.0.1", REST_PORT, timeout=10)
        statuses = set()
        for _ in range(300):
            connection.request("GET", "/v2/meetings?per_page=1", headers={"Authorization": server.auth_header()})
            response = connection.getresponse()
            response.read()
            statuses.add(response.status)
        connection.close()
        check_equal(statuses, {200}, "300 requests with RTK_RATE_LIMIT=0")
        log("RTK_RATE_LIMIT=0: 300 requests in a row, all 200")
        server.remove()


def main():
    socket.setdefaulttimeout(10)
    limited()
    unlimited()


if __name__ == "__main__":
    run_test(main)
