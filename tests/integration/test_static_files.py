#!/usr/bin/python3
"""test_static_files.py - the gateway serves the web client's files (issue 9).

Owns what docs/rest.md "Web client files" promises, over real HTTP against
the real janus + plugin, with RTK_WEB_DIR pointing to a directory this test
fills (so it does not depend on what sdk/ holds today):
  * /sdk/<path> answers each file's exact bytes with its Content-Type
    (.js/.mjs text/javascript, .d.ts text/typescript, .html, .css, .svg,
    .json, .map, .png), Cache-Control: no-cache, an ETag, nosniff and
    Access-Control-Allow-Origin: *; / is demo/index.html and /viewer (and
    /viewer/<livestream id>) viewer/index.html, without CORS; /sdk/<dir>/
    is its index.html; /sdk/vendor/hls.js/<file> is
    node_modules/hls.js/dist/<file>; a 5 MB file arrives whole;
  * If-None-Match with the ETag (or its W/ form, or in a list) is 304 with
    no body; a changed file gets a new ETag and 200;
  * HEAD: the GET's status and headers, Content-Length, no body;
  * OPTIONS under /sdk/ is the CORS preflight (204, Allow-Methods, the asked
    headers allowed); other methods are 405 with Allow, on the pages too;
  * traversal is refused and never shows the secret file next to the web
    directory: "..", "%2e%2e", "%2f..", "//", NUL, backslash (400); a
    symbolic link to a file or a directory outside, hidden files,
    node_modules, a directory without its final '/', a FIFO (404, at once);
  * a missing demo page is 404 naming demo/index.html and RTK_WEB_DIR;
  * /sdk/server.json tells where the Janus WebSocket is (the port and
    RTK_JANUS_WS_URL the server runs with), with CORS and no-store, and
    wins over a file of that name in the web directory;
  * the REST API still needs auth (401 without, 200 with, on a connection
    that just fetched static files);
  * static requests do not count against RTK_HTTP_HLS_MAX_CONNECTIONS: with
    the /hls/ budget (1) spent, a new connection gets the SDK (200) and
    then 503 for /hls/.
On 1a3ec61 (no static files) every such URL is the REST API's 401.
"""

import http.client
import json
import os
import shutil
import socket
import tempfile
import time

from rtk_harness import REST_PORT, Server, check, check_equal, log, run_test

SECRET = "rtk-static-secret-must-never-be-served"
JS = "text/javascript; charset=utf-8"
FILES = {
    # path under the web dir: (bytes, Content-Type)
    "rtk-core.js": (b"export default class RealtimeKitClient {}\n", JS),
    "rtk-core.mjs": (b"export const x = 1;\n", JS),
    "rtk-core.d.ts": (b"export default class RealtimeKitClient {}\n", "text/typescript; charset=utf-8"),
    "style.css": (b"body { color: #123; }\n", "text/css; charset=utf-8"),
    "logo.svg": (b"<svg xmlns='http://www.w3.org/2000/svg'/>\n", "image/svg+xml"),
    "data.json": (b'{"a": 1}\n', "application/json"),
    "rtk-core.js.map": (b'{"version": 3}\n', "application/json"),
    "icon.png": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "image/png"),
    "page.html": (b"<!DOCTYPE html><title>p</title>\n", "text/html; charset=utf-8"),
    "demo/index.html": (b"<!DOCTYPE html><title>demo</title>\n", "text/html; charset=utf-8"),
    "viewer/index.html": (b"<!DOCTYPE html><title>viewer</title>\n", "text/html; charset=utf-8"),
    "sub/index.html": (b"<!DOCTYPE html><title>sub</title>\n", "text/html; charset=utf-8"),
    "node_modules/hls.js/dist/hls.min.mjs": (b"export default function Hls() {}\n", JS),
    ".hidden.js": (b"hidden " + SECRET.encode(), JS),
}
BIG = 5 * 1024 * 1024
WS_URL = "wss://rtk.example.com/janus"
WS_PORT = 8199                 # not the default: the document must follow the setting


def make_web_dir(root):
    web = os.path.join(root, "web")
    for path, (body, _) in FILES.items():
        full = os.path.join(web, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(body)
    with open(os.path.join(web, "big.bin"), "wb") as f:
        f.write(bytes(i % 251 for i in range(BIG)))
    # Outside the web directory: what traversal would reach.
    outside = os.path.join(root, "secret")
    os.makedirs(outside)
    with open(os.path.join(outside, "secret.txt"), "w") as f:
        f.write(SECRET)
    os.symlink(os.path.join(outside, "secret.txt"), os.path.join(web, "escape.js"))
    os.symlink(outside, os.path.join(web, "outdir"))
    os.symlink("../secret/secret.txt", os.path.join(web, "relative-escape.js"))
    os.symlink("rtk-core.js", os.path.join(web, "alias.js"))     # inside: allowed
    os.mkfifo(os.path.join(web, "fifo.js"))
    return web


def request(method, path, headers=None, connection=None, timeout=15):
    """(status, headers as a lower-case dict, body bytes)."""
    own = connection is None
    if own:
        connection = http.client.HTTPConnection("127.0.0.1", REST_PORT, timeout=timeout)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        if own:
            connection.close()


def raw_request(target):
    """A GET with the request target sent byte for byte (http.client would
    refuse some of these): (status, body)."""
    sock = socket.create_connection(("127.0.0.1", REST_PORT), timeout=15)
    try:
        sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    finally:
        sock.close()
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    return status, body


def check_files():
    for path, (body, ctype) in FILES.items():
        if path.startswith((".", "node_modules/")):
            continue
        url = "/sdk/" + path
        status, headers, got = request("GET", url)
        check_equal(status, 200, "GET %s" % url)
        check(got == body, "GET %s: the file's bytes (got %r)" % (url, got[:80]))
        check_equal(headers.get("content-type"), ctype, "GET %s: Content-Type" % url)
        check_equal(headers.get("cache-control"), "no-cache", "GET %s: Cache-Control" % url)
        check_equal(headers.get("access-control-allow-origin"), "*", "GET %s: CORS" % url)
        check_equal(headers.get("x-content-type-options"), "nosniff", "GET %s: nosniff" % url)
        check(headers.get("etag", "").startswith('"'), "GET %s: ETag %r" % (url, headers.get("etag")))
    for url, path in (("/", "demo/index.html"), ("/?authToken=abc", "demo/index.html"),
                      ("/viewer", "viewer/index.html"), ("/viewer/", "viewer/index.html"),
                      ("/viewer?id=abc", "viewer/index.html"),
                      ("/viewer/1b4e28ba-2fa1-11d2-883f-0016d3cca427", "viewer/index.html"),
                      ("/sdk/sub/", "sub/index.html"), ("/sdk/alias.js", "rtk-core.js"),
                      ("/sdk/vendor/hls.js/hls.min.mjs", "node_modules/hls.js/dist/hls.min.mjs")):
        status, headers, got = request("GET", url)
        check_equal(status, 200, "GET %s" % url)
        check(got == FILES[path][0], "GET %s: the bytes of %s (got %r)" % (url, path, got[:80]))
        check_equal(headers.get("content-type"), FILES[path][1], "GET %s: Content-Type" % url)
        if not url.startswith("/sdk/"):
            check("access-control-allow-origin" not in headers, "GET %s: a page has no CORS header" % url)
    status, headers, got = request("GET", "/sdk/big.bin")
    check_equal(status, 200, "GET /sdk/big.bin")
    check(got == bytes(i % 251 for i in range(BIG)), "GET /sdk/big.bin: %d bytes, not the 5 MB file" % len(got))
    check_equal(headers.get("content-type"), "application/octet-stream", "big.bin: Content-Type")
    log("every file served with its bytes, Content-Type, ETag, no-cache and (under /sdk/) CORS")


def check_etag(web):
    status, headers, _ = request("GET", "/sdk/rtk-core.js")
    etag = headers["etag"]
    for value in (etag, "W/" + etag, '"nope", ' + etag, "*"):
        status, h304, body = request("GET", "/sdk/rtk-core.js", {"If-None-Match": value})
        check_equal(status, 304, "If-None-Match: %s" % value)
        check_equal(body, b"", "304 body")
        check_equal(h304.get("etag"), etag, "304: ETag")
        check_equal(h304.get("access-control-allow-origin"), "*", "304: CORS")
    status, _, body = request("GET", "/sdk/rtk-core.js", {"If-None-Match": '"other"'})
    check_equal(status, 200, "If-None-Match with another tag")
    # The file changes: same size, new content and mtime -> a new ETag.
    path = os.path.join(web, "rtk-core.js")
    with open(path, "wb") as f:
        f.write(FILES["rtk-core.js"][0].replace(b"class", b"CLASS"))
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 5_000_000_000))
    status, headers, body = request("GET", "/sdk/rtk-core.js", {"If-None-Match": etag})
    check_equal(status, 200, "If-None-Match with the old ETag after the file changed")
    check(b"CLASS" in body, "the changed file is served: %r" % body)
    check(headers["etag"] != etag, "the ETag changed with the file (%s)" % etag)
    with open(path, "wb") as f:
        f.write(FILES["rtk-core.js"][0])
    log("ETag: 304 for the current tag (plain, W/, in a list, *), 200 and a new tag once the file changed")


def check_head_options_methods():
    status, get_headers, body = request("GET", "/sdk/rtk-core.d.ts")
    status, headers, body = request("HEAD", "/sdk/rtk-core.d.ts")
    check_equal(status, 200, "HEAD")
    check_equal(body, b"", "HEAD body")
    check_equal(headers.get("content-length"), str(len(FILES["rtk-core.d.ts"][0])), "HEAD Content-Length")
    for name in ("content-type", "etag", "cache-control", "access-control-allow-origin"):
        check_equal(headers.get(name), get_headers.get(name), "HEAD %s" % name)
    status, headers, body = request("HEAD", "/")
    check_equal((status, body), (200, b""), "HEAD /")

    status, headers, body = request("OPTIONS", "/sdk/rtk-core.js", {
        "Origin": "https://app.example.com", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "x-requested-with"})
    check_equal(status, 204, "OPTIONS preflight")
    check_equal(headers.get("access-control-allow-origin"), "*", "preflight: Allow-Origin")
    check("GET" in headers.get("access-control-allow-methods", ""), "preflight: Allow-Methods %s" % headers)
    check_equal(headers.get("access-control-allow-headers"), "x-requested-with", "preflight: Allow-Headers")

    for method, path, allow in (("POST", "/sdk/rtk-core.js", "GET, HEAD, OPTIONS"),
                                ("PUT", "/sdk/new.js", "GET, HEAD, OPTIONS"),
                                ("DELETE", "/sdk/rtk-core.js", "GET, HEAD, OPTIONS"),
                                ("POST", "/", "GET, HEAD"), ("OPTIONS", "/", "GET, HEAD"),
                                ("PATCH", "/viewer", "GET, HEAD")):
        status, headers, body = request(method, path)
        check_equal(status, 405, "%s %s" % (method, path))
        check_equal(headers.get("allow"), allow, "%s %s: Allow" % (method, path))
    log("HEAD, the CORS preflight and 405 with Allow")


def check_traversal():
    for target, expected in (
            (b"/sdk/../secret/secret.txt", 400), (b"/sdk/../../../../etc/passwd", 400),
            (b"/sdk/%2e%2e/secret/secret.txt", 400), (b"/sdk/%2E%2E/%2e%2e/etc/passwd", 400),
            (b"/sdk/sub%2f..%2f..%2fsecret%2fsecret.txt", 400), (b"/sdk/.%2e/secret/secret.txt", 400),
            (b"/sdk//etc/passwd", 400), (b"/sdk/%2fetc%2fpasswd", 400),
            (b"/sdk/rtk-core.js%00.png", 400), (b"/sdk/..%5csecret%5csecret.txt", 400),
            (b"/sdk/./rtk-core.js", 400), (b"/sdk/%", 400),
            (b"/sdk/escape.js", 404), (b"/sdk/relative-escape.js", 404),
            (b"/sdk/outdir/secret.txt", 404), (b"/sdk/.hidden.js", 404),
            (b"/sdk/node_modules/hls.js/dist/hls.min.mjs", 404), (b"/sdk/sub", 404),
            (b"/sdk/nothing.js", 404), (b"/sdk/fifo.js", 404), (b"/sdk", 404),
            (b"/sdk/vendor/hls.js/", 404), (b"/viewer/../secret", 404),
            (b"/favicon.ico", 404)):
        started = time.monotonic()
        status, body = raw_request(target)
        check_equal(status, expected, "GET %s (body %r)" % (target.decode(), body[:200]))
        check(SECRET.encode() not in body, "GET %s showed the secret file" % target.decode())
        check(time.monotonic() - started < 10, "GET %s took %.1f s" % (target.decode(), time.monotonic() - started))
    log("traversal refused: '..' raw and escaped, '//', NUL, backslash (400); links out, hidden, "
        "node_modules, a directory without '/', a FIFO (404)")


def check_missing_page(web):
    os.rename(os.path.join(web, "demo", "index.html"), os.path.join(web, "demo", "gone.html"))
    status, headers, body = request("GET", "/")
    check_equal(status, 404, "GET / without demo/index.html")
    text = body.decode()
    check("demo/index.html" in text and "RTK_WEB_DIR" in text, "the 404 says what is missing: %r" % text)
    check_equal(headers.get("content-type"), "text/plain; charset=utf-8", "404 Content-Type")
    os.rename(os.path.join(web, "demo", "gone.html"), os.path.join(web, "demo", "index.html"))
    log("a missing demo page: 404 %r" % text.strip())


def check_rest_auth(server):
    connection = http.client.HTTPConnection("127.0.0.1", REST_PORT, timeout=15)
    try:
        check_equal(request("GET", "/sdk/rtk-core.js", connection=connection)[0], 200, "static first")
        status, headers, body = request("GET", "/v2/meetings", connection=connection)
        check_equal(status, 401, "GET /v2/meetings without auth after a static file on the same connection")
        status, headers, body = request("GET", "/v2/meetings", {"Authorization": server.auth_header()},
                                        connection=connection)
        check_equal(status, 200, "GET /v2/meetings with auth")
    finally:
        connection.close()
    check_equal(server.rest("GET", "/v2/meetings", auth=None)[0], 401, "REST without auth")
    check_equal(server.rest("GET", "/v2/no-such-resource")[0], 404, "an unknown REST path")
    log("the REST API still needs auth")


def check_hls_budget():
    # The budget is 1: a connection that asked for /hls/ holds it.
    player = http.client.HTTPConnection("127.0.0.1", REST_PORT, timeout=15)
    other = http.client.HTTPConnection("127.0.0.1", REST_PORT, timeout=15)
    try:
        check_equal(request("GET", "/hls/no-such-stream/index.m3u8", connection=player)[0], 404, "the player")
        status, _, _ = request("GET", "/sdk/rtk-core.js", connection=other)
        check_equal(status, 200, "the SDK while the /hls/ budget is spent")
        status, _, _ = request("GET", "/viewer", connection=other)
        check_equal(status, 200, "the viewer page while the /hls/ budget is spent")
        status, _, _ = request("GET", "/hls/no-such-stream/index.m3u8", connection=other)
        check_equal(status, 503, "/hls/ on another connection: the budget is spent")
    finally:
        player.close()
        other.close()
    log("static requests do not count against the /hls/ budget (200 while /hls/ gets 503)")


def check_server_info(web):
    with open(os.path.join(web, "server.json"), "w") as f:
        f.write('{"janus_ws_port": 1}\n')
    for method in ("GET", "HEAD"):
        status, headers, body = request(method, "/sdk/server.json",
                                        headers={"Origin": "https://app.example.com"})
        check_equal(status, 200, "%s /sdk/server.json" % method)
        check_equal(headers.get("content-type"), "application/json", "server.json type")
        check_equal(headers.get("cache-control"), "no-store", "server.json caching")
        check_equal(headers.get("access-control-allow-origin"), "*", "server.json CORS")
    check_equal(json.loads(body or request("GET", "/sdk/server.json")[2]),
                {"janus_ws_port": WS_PORT, "janus_ws_url": WS_URL, "janus_ws_secure": False,
                 "ice_servers": []},
                "/sdk/server.json (the settings, not the file of that name)")
    log("/sdk/server.json: %s" % request("GET", "/sdk/server.json")[2].decode().strip())


def main():
    root = tempfile.mkdtemp(prefix="rtk-static-")
    try:
        web = make_web_dir(root)
        server = Server(env={"RTK_WEB_DIR": web, "RTK_HTTP_HLS_MAX_CONNECTIONS": "1",
                             "RTK_JANUS_WS_PORT": str(WS_PORT), "RTK_JANUS_WS_URL": WS_URL}).start()
        check_files()
        check_etag(web)
        check_head_options_methods()
        check_traversal()
        check_missing_page(web)
        check_server_info(web)
        check_rest_auth(server)
        check_hls_budget()
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    run_test(main)
