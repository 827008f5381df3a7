#!/usr/bin/python3
"""test_janus_origins.py - which web pages and which addresses reach the Janus API.

Owns what README.md says about RTK_JANUS_ALLOW_ORIGIN, RTK_JANUS_BIND and
RTK_JANUS_HTTP_BIND, seen from real clients of Debian's janus 1.1.2:
  * by default the allowed origin is the REST gateway's own
    (http://127.0.0.1:8080 here): the HTTP transport answers a CORS
    preflight and a request from it with `Access-Control-Allow-Origin` naming
    it, and answers a foreign origin with that same header (never the
    foreign origin, never `*`), so a browser keeps the answer from the
    foreign page; the WebSocket handshake from the allowed origin succeeds
    (and the API answers `info` over it), one from a foreign origin or
    without an Origin header is refused;
  * the WebSocket transport answers on every interface (10.77.0.1 too:
    browsers on other machines), the HTTP long-poll transport only on
    127.0.0.1;
  * RTK_JANUS_ALLOW_ORIGIN=https://app.example.com moves both checks to that
    origin; RTK_JANUS_ALLOW_ORIGIN='*' opens both to any origin;
  * `./rtk render-conf` refuses a value that is not one origin (two origins,
    a path), since Janus 1.1.2's transports take exactly one.
On 1a3ec61 every answer said `Access-Control-Allow-Origin: *`, every
WebSocket handshake succeeded and the HTTP transport listened everywhere.
"""

import base64
import http.client
import json
import os
import socket
import struct
import subprocess
import tempfile

from rtk_harness import (JANUS_HTTP_PORT, JANUS_WS_PORT, SRCDIR, VETH_ADDRESS, Server, check,
                         check_equal, log, run_test)

GATEWAY_ORIGIN = "http://127.0.0.1:8080"   # the harness's REST URL
FOREIGN_ORIGIN = "http://evil.example"
APP_ORIGIN = "https://app.example.com"


# ---------------------------------------------------------------- HTTP transport

def janus_http(method, origin, body=None, host="127.0.0.1"):
    """One request to /janus: (status, headers with lower-case names, body)."""
    headers = {}
    if origin is not None:
        headers["Origin"] = origin
    if method == "OPTIONS":
        headers["Access-Control-Request-Method"] = "POST"
        headers["Access-Control-Request-Headers"] = "content-type"
    if body is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(body).encode()
    connection = http.client.HTTPConnection(host, JANUS_HTTP_PORT, timeout=10)
    try:
        connection.request(method, "/janus", body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode(errors="replace")
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text
    finally:
        connection.close()


def check_http_cors(allowed, foreign):
    """A preflight and a create from `allowed` name it; from `foreign` they
    do not name the foreign origin (nor `*`)."""
    status, headers, _ = janus_http("OPTIONS", allowed)
    check_equal(status, 200, "preflight from %s: status" % allowed)
    check_equal(headers.get("access-control-allow-origin"), allowed,
                "preflight from %s: Access-Control-Allow-Origin" % allowed)
    check("origin" in headers.get("vary", "").lower(),
          "preflight from %s: no Vary: Origin (%r)" % (allowed, headers))
    check("content-type" in headers.get("access-control-allow-headers", "").lower(),
          "preflight from %s: Content-Type not allowed (%r)" % (allowed, headers))

    status, headers, text = janus_http("POST", allowed, {"janus": "create", "transaction": "o1"})
    check_equal(status, 200, "create from %s: status" % allowed)
    check_equal(json.loads(text).get("janus"), "success", "create from %s" % allowed)
    check_equal(headers.get("access-control-allow-origin"), allowed,
                "create from %s: Access-Control-Allow-Origin" % allowed)

    for method, body in (("OPTIONS", None), ("POST", {"janus": "create", "transaction": "o2"})):
        _, headers, _ = janus_http(method, foreign, body)
        got = headers.get("access-control-allow-origin")
        check(got not in (foreign, "*"),
              "%s from %s: Access-Control-Allow-Origin %r lets a browser give the answer to "
              "that page" % (method, foreign, got))
        check_equal(got, allowed, "%s from %s: Access-Control-Allow-Origin" % (method, foreign))
    log("HTTP transport: %s is named in CORS answers, %s is not" % (allowed, foreign))


def check_http_where():
    """The long-poll transport answers on 127.0.0.1 and not on 10.77.0.1."""
    status, _, text = janus_http("POST", None, {"janus": "info", "transaction": "w1"})
    check_equal((status, json.loads(text).get("janus")), (200, "server_info"), "HTTP info on 127.0.0.1")
    try:
        janus_http("POST", None, {"janus": "info", "transaction": "w2"}, host=VETH_ADDRESS)
        reached = True
    except ConnectionRefusedError:
        reached = False
    check(not reached, "the Janus HTTP transport answers on %s (RTK_JANUS_HTTP_BIND default "
          "127.0.0.1)" % VETH_ADDRESS)
    log("HTTP transport: on 127.0.0.1 only")


# ---------------------------------------------------------------- WebSocket transport

class WebSocket:
    """A minimal RFC 6455 client: the handshake, text frames out (masked)
    and in."""

    def __init__(self, origin, host="127.0.0.1"):
        self.sock = socket.create_connection((host, JANUS_WS_PORT), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = ["GET / HTTP/1.1", "Host: %s:%d" % (host, JANUS_WS_PORT), "Upgrade: websocket",
                 "Connection: Upgrade", "Sec-WebSocket-Key: " + key, "Sec-WebSocket-Version: 13",
                 "Sec-WebSocket-Protocol: janus-protocol"]
        if origin is not None:
            lines.append("Origin: " + origin)
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = b""
        try:
            while b"\r\n\r\n" not in head:
                chunk = self.sock.recv(4096)
                if not chunk:
                    break
                head += chunk
        except ConnectionResetError:
            pass
        self.head, _, self.rest = head.partition(b"\r\n\r\n")
        first = self.head.split(b"\r\n", 1)[0].decode(errors="replace")
        self.status = int(first.split()[1]) if first.startswith("HTTP/") else None
        self.headers = {}
        for line in self.head.decode(errors="replace").split("\r\n")[1:]:
            name, _, value = line.partition(":")
            self.headers[name.strip().lower()] = value.strip()

    def _exactly(self, n):
        while len(self.rest) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the WebSocket closed")
            self.rest += chunk
        data, self.rest = self.rest[:n], self.rest[n:]
        return data

    def send(self, message):
        payload = json.dumps(message).encode()
        mask = os.urandom(4)
        if len(payload) < 126:
            header = struct.pack("!BB", 0x81, 0x80 | len(payload))
        else:
            header = struct.pack("!BBH", 0x81, 0x80 | 126, len(payload))
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def receive(self):
        first, second = self._exactly(2)
        length = second & 0x7F
        if length == 126:
            length = struct.unpack("!H", self._exactly(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", self._exactly(8))[0]
        payload = self._exactly(length)
        check_equal(first & 0x0F, 1, "WebSocket frame opcode (text)")
        return json.loads(payload)

    def close(self):
        self.sock.close()


def check_ws_allowed(origin, host="127.0.0.1"):
    ws = WebSocket(origin, host)
    try:
        check_equal(ws.status, 101, "WebSocket handshake on %s with Origin %s" % (host, origin))
        check_equal(ws.headers.get("sec-websocket-protocol"), "janus-protocol",
                    "WebSocket subprotocol with Origin %s" % origin)
        ws.send({"janus": "info", "transaction": "ws1"})
        reply = ws.receive()
        check_equal(reply.get("janus"), "server_info", "info over the WebSocket with Origin %s" % origin)
    finally:
        ws.close()


def check_ws_refused(origin):
    ws = WebSocket(origin)
    ws.close()
    check(ws.status != 101, "a WebSocket handshake with Origin %r was accepted: %r"
          % (origin, ws.head[:200]))


# ---------------------------------------------------------------- render-conf

def check_render_refuses(value):
    with tempfile.TemporaryDirectory() as directory:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("RTK_") or k in ("RTK_PLUGIN", "RTK_JANUS_LIBDIR")}
        env.update({"RTK_DATA_DIR": os.path.join(directory, "data"), "RTK_JANUS_ALLOW_ORIGIN": value})
        result = subprocess.run([os.path.join(SRCDIR, "rtk"), "render-conf", os.path.join(directory, "conf")],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = result.stdout.decode(errors="replace")
    check(result.returncode != 0, "rtk render-conf accepted RTK_JANUS_ALLOW_ORIGIN=%r" % value)
    check("RTK_JANUS_ALLOW_ORIGIN" in output, "rtk render-conf's refusal of %r does not name the "
          "setting: %s" % (value, output.strip()))
    log("render-conf refuses RTK_JANUS_ALLOW_ORIGIN=%r" % value)


# ---------------------------------------------------------------- main

def main():
    with Server():
        check_http_cors(GATEWAY_ORIGIN, FOREIGN_ORIGIN)
        check_ws_allowed(GATEWAY_ORIGIN)
        check_ws_allowed(GATEWAY_ORIGIN, host=VETH_ADDRESS)
        check_ws_refused(FOREIGN_ORIGIN)
        check_ws_refused(None)
        log("WebSocket transport: %s admitted (on 127.0.0.1 and %s), %s and no Origin refused"
            % (GATEWAY_ORIGIN, VETH_ADDRESS, FOREIGN_ORIGIN))
        check_http_where()

    with Server(env={"RTK_JANUS_ALLOW_ORIGIN": APP_ORIGIN}):
        check_http_cors(APP_ORIGIN, GATEWAY_ORIGIN)
        check_ws_allowed(APP_ORIGIN)
        check_ws_refused(GATEWAY_ORIGIN)
        log("RTK_JANUS_ALLOW_ORIGIN=%s: only that origin" % APP_ORIGIN)

    with Server(env={"RTK_JANUS_ALLOW_ORIGIN": "*"}):
        _, headers, _ = janus_http("OPTIONS", FOREIGN_ORIGIN)
        check_equal(headers.get("access-control-allow-origin"), "*", "RTK_JANUS_ALLOW_ORIGIN=*: preflight")
        check_ws_allowed(FOREIGN_ORIGIN)
        log("RTK_JANUS_ALLOW_ORIGIN=*: any origin")

    check_render_refuses("https://a.example https://b.example")
    check_render_refuses("https://a.example/app")


if __name__ == "__main__":
    run_test(main)
