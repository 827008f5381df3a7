#!/usr/bin/python3
"""test_rest_writes.py - REST reads never wait behind writes.

Owns the promise of docs/rest.md "Limits" that a write waiting for the disk
holds no HTTP worker (gateway/http.c runs writes on their own threads with
the connection suspended): while another process holds the SQLite file's
write lock, so that every REST write waits inside SQLite,
  * WRITES POSTs of meetings, more than the HTTP workers (RTK_HTTP_THREADS,
    5 with the default cap), each on its own connection, are in flight;
  * GET /v2/meetings and GET /v2/presets on other connections are answered
    200 within READ_WITHIN seconds, every one of them;
  * once the lock is released every POST is answered 201 and the meetings
    are listed.
On 1a3ec61 the POSTs sat on the HTTP workers themselves, so the reads
queued behind them until the lock was released.
"""

import base64
import http.client
import json
import os
import socket
import sqlite3
import threading
import time

from rtk_harness import REST_PORT, Server, TestFailure, check, check_equal, log, run_test

WRITES = 12
READS = 20
READ_WITHIN = 1.5      # a read takes milliseconds; the writes wait for seconds
LOCK_SECONDS = 4.0     # under SQLite's 5 s busy timeout: the writes succeed afterwards


def request(server, method, path, body=None, timeout=30):
    pair = "%s:%s" % (server.credentials["org_id"], server.credentials["api_key"])
    headers = {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    connection = http.client.HTTPConnection("127.0.0.1", REST_PORT, timeout=timeout)
    started = time.monotonic()
    try:
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        data = json.loads(response.read())
        return response.status, data, time.monotonic() - started
    except socket.timeout:
        raise TestFailure("%s %s: no answer within %.1f s" % (method, path, timeout))
    finally:
        connection.close()


def main():
    with Server() as server:
        db = sqlite3.connect(os.path.join(server.data_dir, "rtk.sqlite3"), timeout=5,
                             isolation_level=None)
        db.execute("BEGIN IMMEDIATE")   # the write lock, held by another process's connection
        locked_at = time.monotonic()
        results = []
        writers = [threading.Thread(target=lambda i=i: results.append(
            request(server, "POST", "/v2/meetings", {"title": "blocked %d" % i}))) for i in range(WRITES)]
        for thread in writers:
            thread.start()
        time.sleep(0.5)   # the POSTs are in, waiting in SQLite
        slowest = 0.0
        for i in range(READS):
            path = "/v2/meetings" if i % 2 == 0 else "/v2/presets"
            status, _, took = request(server, "GET", path, timeout=READ_WITHIN * 2)
            check_equal(status, 200, "GET %s while writes wait" % path)
            check(took < READ_WITHIN, "GET %s took %.2f s while %d writes waited for the disk "
                  "(reads queue behind writes)" % (path, took, WRITES))
            slowest = max(slowest, took)
        check(time.monotonic() - locked_at < LOCK_SECONDS, "the reads took too long to prove anything")
        check_equal(len(results), 0, "POSTs answered while the write lock was held")
        log("%d reads answered (slowest %.3f s) while %d writes waited" % (READS, slowest, WRITES))
        time.sleep(max(0.0, LOCK_SECONDS - (time.monotonic() - locked_at)))
        db.execute("ROLLBACK")
        db.close()
        for thread in writers:
            thread.join(30)
        check_equal(sorted(status for status, _, _ in results), [201] * WRITES, "statuses of the POSTs")
        status, listed, _ = request(server, "GET", "/v2/meetings?per_page=100")
        titles = {m["title"] for m in listed["data"]}
        check_equal(len([t for t in titles if t.startswith("blocked ")]), WRITES, "meetings created")


if __name__ == "__main__":
    run_test(main)
