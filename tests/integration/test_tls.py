#!/usr/bin/python3
"""test_tls.py - the server with a certificate: HTTPS on the REST/HLS port
and wss on the Janus WebSocket (RTK_TLS_CERT, RTK_TLS_KEY; docs/deploy.md).

Owns what a user with TLS configured sees, with a CA and a certificate for
127.0.0.1 and 10.77.0.1 that the test makes with openssl:
  * a key that is not the certificate's: the plugin refuses to start, its
    log names both files, and nothing listens on the REST port (no silent
    plain HTTP); a certificate file that does not exist: `rtk render-conf`
    refuses and names the setting;
  * REST over HTTPS, verified against the test's CA: meetings and
    participants are created, and every URL the server hands out
    (playback_url) is https://; the same port refuses plain HTTP (no HTTP
    answer at all), and a client that does not trust the CA fails the
    handshake;
  * /sdk/server.json says janus_ws_secure: true;
  * two participants join over wss:// (the CA again) and exchange VP8 and
    Opus frames; plain ws:// on that port fails;
  * a livestream started over REST is played over HTTPS: its LL-HLS
    playlist, then a part it lists.
"""

import asyncio
import json
import http.client
import os
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.parse

from rtk_harness import (JANUS_WS_PORT, REST_PORT, SRCDIR, JanusWsSession, RtkClient, Server,
                         check, check_equal, log, run_test, skip)

MEDIA_TIMEOUT = 30


def openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def make_certificates(directory):
    """ca.pem, and server.pem/server.key signed by it for 127.0.0.1 and
    10.77.0.1; other.key, a key of no certificate."""
    if subprocess.run(["which", "openssl"], stdout=subprocess.DEVNULL).returncode != 0:
        skip("openssl is not installed (apt-get install openssl)")
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=RTK test CA", cwd=directory)
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=rtk test server", cwd=directory)
    with open(os.path.join(directory, "san.cnf"), "w") as f:
        f.write("subjectAltName = IP:127.0.0.1, IP:10.77.0.1\n"
                "extendedKeyUsage = serverAuth\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.pem", "-days", "2", "-extfile", "san.cnf", cwd=directory)
    openssl("genpkey", "-algorithm", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-out", "other.key", cwd=directory)
    return {name: os.path.join(directory, name) for name in ("ca.pem", "server.pem", "server.key", "other.key")}


def tls_env(certs, key="server.key"):
    return {"RTK_TLS_CERT": certs["server.pem"], "RTK_TLS_KEY": certs[key]}


def port_closed(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return False
    except ConnectionRefusedError:
        return True


def refuses_mismatched_key(certs):
    """The key of no certificate: the gateway does not start and says why."""
    server = Server(env=tls_env(certs, "other.key"))
    server._render()
    server._spawn()
    deadline = time.monotonic() + 30
    text = ""
    while "gateway did not start" not in text:
        check(time.monotonic() < deadline, "no 'gateway did not start' in janus.log within 30 s")
        time.sleep(0.2)
        try:
            with open(server.log_path, errors="replace") as f:
                text = f.read()
        except OSError:
            pass
    line = [l for l in text.splitlines() if "gateway did not start" in l][0]
    check("is not the key of the certificate" in line and certs["other.key"] in line
          and certs["server.pem"] in line, "the refusal names the key and the certificate: %r" % line)
    check(port_closed(REST_PORT), "something listens on the REST port although the gateway refused")
    server.stop()
    server.remove()
    log("a mismatched key: refused (%s)" % line.split("gateway did not start: ", 1)[-1])

    env = dict(os.environ, RTK_TLS_CERT=certs["server.pem"] + ".missing", RTK_TLS_KEY=certs["server.key"],
               RTK_DATA_DIR=tempfile.mkdtemp(prefix="rtk-tls-"))
    with tempfile.TemporaryDirectory() as out:
        result = subprocess.run([os.path.join(SRCDIR, "rtk"), "render-conf", out], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    text = result.stdout.decode(errors="replace")
    check(result.returncode != 0 and "RTK_TLS_CERT: no such file" in text,
          "render-conf with a missing certificate: exit %d, %r" % (result.returncode, text))
    log("a missing certificate: render-conf refuses (%s)" % text.strip())


def plain_http_fails():
    """Plain HTTP on the HTTPS port gets no HTTP answer."""
    connection = http.client.HTTPConnection("127.0.0.1", REST_PORT, timeout=5)
    try:
        connection.request("GET", "/v2/meetings")
        response = connection.getresponse()
        raise AssertionError("plain HTTP on the HTTPS port was answered %d" % response.status)
    except (OSError, http.client.HTTPException) as error:
        log("plain HTTP on the REST port: %s" % type(error).__name__)
    finally:
        connection.close()


def untrusted_fails():
    """A client with only the system's CAs refuses the test's certificate."""
    connection = http.client.HTTPSConnection("127.0.0.1", REST_PORT, timeout=5,
                                             context=ssl.create_default_context())
    try:
        connection.request("GET", "/v2/meetings")
        raise AssertionError("a client without the test's CA accepted the certificate")
    except ssl.SSLCertVerificationError:
        pass
    finally:
        connection.close()


def https_get(server, url):
    """(status, headers, body) of a GET of `url` (on the REST port) over HTTPS."""
    parts = urllib.parse.urlsplit(url)
    check_equal(parts.scheme, "https", "scheme of %s" % url)
    connection = server.rest_connection()
    try:
        connection.request("GET", parts.path + ("?" + parts.query if parts.query else ""))
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


async def plain_ws_fails():
    import websockets
    try:
        socket_ = await websockets.connect("ws://127.0.0.1:%d/" % JANUS_WS_PORT,
                                           subprotocols=["janus-protocol"], open_timeout=5)
        await socket_.close()
        raise AssertionError("plain ws:// was accepted on the wss port")
    except (OSError, asyncio.TimeoutError, websockets.exceptions.WebSocketException) as error:
        log("plain ws:// on the Janus WebSocket: %s" % type(error).__name__)


async def play_livestream(server, meeting_id):
    doc = server.rest_ok("POST", "/v2/meetings/%s/livestreams" % meeting_id, {"name": "tls"}, statuses=(201,))
    url = doc["playback_url"]
    check(url.startswith("https://127.0.0.1:%d/hls/" % REST_PORT), "playback_url over HTTPS: %s" % url)
    deadline = time.monotonic() + 40
    while True:
        status, headers, body = await asyncio.get_running_loop().run_in_executor(None, https_get, server, url)
        parts = [line.split('URI="', 1)[1].split('"', 1)[0] for line in body.decode(errors="replace").splitlines()
                 if line.startswith("#EXT-X-PART:")] if status == 200 else []
        if parts:
            break
        check(time.monotonic() < deadline, "no part in the playlist over HTTPS within 40 s (%d %r)"
              % (status, body[:200]))
        await asyncio.sleep(0.5)
    check("mpegurl" in headers.get("Content-Type", "").lower(), "playlist type %r" % headers.get("Content-Type"))
    part_url = urllib.parse.urljoin(url, parts[-1])
    status, headers, body = await asyncio.get_running_loop().run_in_executor(None, https_get, server, part_url)
    check(status == 200 and len(body) > 0, "part %s over HTTPS: %d, %d bytes" % (part_url, status, len(body)))
    log("livestream over HTTPS: playlist with %d parts, part %s (%d bytes)" % (len(parts), parts[-1], len(body)))
    server.rest_ok("POST", "/v2/meetings/%s/active-livestream/stop" % meeting_id)


async def main():
    with tempfile.TemporaryDirectory() as directory:
        certs = make_certificates(directory)
        refuses_mismatched_key(certs)

        ca = ssl.create_default_context(cafile=certs["ca.pem"])
        server = Server(env=tls_env(certs), tls_ca=ca).start()
        meeting = server.create_meeting(title="TLS")
        rests = {"host": server.add_participant(meeting["id"], "Host", "group_call_host"),
                 "guest": server.add_participant(meeting["id"], "Guest")}
        log("REST over HTTPS: meeting and participants created")
        plain_http_fails()
        untrusted_fails()

        status, headers, body = https_get(server, server.rest_base + "/sdk/server.json")
        check_equal(status, 200, "GET /sdk/server.json")

        info = json.loads(body)
        check_equal(info.get("janus_ws_secure"), True, "server.json janus_ws_secure")
        check_equal(info.get("janus_ws_port"), JANUS_WS_PORT, "server.json janus_ws_port")

        await plain_ws_fails()
        wss = "wss://127.0.0.1:%d/" % info["janus_ws_port"]
        clients = {name: RtkClient(server, name, janus=JanusWsSession(server, wss, ssl_context=ca))
                   for name in rests}
        for name, client in clients.items():
            await client.join(rests[name]["token"])
            await client.publish()
        for name, client in clients.items():
            await client.subscribe(rests[name]["token"])
        host, guest = clients["host"], clients["guest"]
        await guest.wait_frames(host.peer_id, video=30, audio=50, timeout=MEDIA_TIMEOUT)
        await host.wait_frames(guest.peer_id, video=30, audio=50, timeout=MEDIA_TIMEOUT)
        log("joined over wss: media flows both ways")

        await play_livestream(server, meeting["id"])
        for client in clients.values():
            await client.close()
        server.stop()


if __name__ == "__main__":
    run_test(main)
