#!/usr/bin/python3
"""test_http_limits.py - the REST/HLS port stays usable under connection floods.

Owns what docs/rest.md "Limits" promises, seen from real sockets (the
flooding clients bind their own loopback addresses, 127.0.0.2 and
127.0.2.x, so the server sees them apart from the REST client on
127.0.0.1):
  * slow clients: 600 sockets from one address that send a request line
    and then one header line a second, never finishing (slowloris). The
    server keeps at most RTK_HTTP_MAX_CONNECTIONS_PER_ADDRESS (64) of them;
    meanwhile another address's REST request and /hls/ request are answered
    well within a generous bound, and at once after the flood closes;
  * 512 slow sockets from 8 addresses, the whole connection cap, close at
    once while janus is stopped for a moment (SIGSTOP, as on a loaded
    machine): REST is answered at once after it runs again;
  * livestream players: 560 players (140 addresses, 4 each) looping on
    blocking playlist reloads of a real livestream hold at most
    RTK_HTTP_HLS_MAX_CONNECTIONS (384) connections; the others get 503 with
    Retry-After; REST is answered meanwhile, a new player is answered (503)
    instead of hanging, and once the players leave a new one is served 200;
  * with small settings (second server): a request whose headers trickle in
    is closed after RTK_HTTP_HEADER_TIMEOUT although it is never silent, an
    idle keep-alive connection too, but a blocking reload parked longer than
    that is answered 200; the connection past the per-address limit is
    closed at once; a /hls/ request past the /hls/ budget gets 503, Retry-After
    and Connection: close, and a connection that moves on to REST gives its
    place back.
On 1a3ec61 (no such limits: 512 connections for everything, a 30 s idle
timeout that a trickle never reaches) the REST request waits behind the
flood, the slow sockets are all kept, and after the 512 sockets close REST
waits 28 s more.
"""

import asyncio
import http.client
import re
import signal
import socket
import threading
import time

from rtk_harness import (REST_PORT, RtkClient, Server, TestFailure, check, check_equal, log,
                         run_test)

FLOOD = 600                # sockets of the slow-client flood, from one address
PLAYERS = 560              # livestream players, 4 per address: more than 512 connections
PER_ADDRESS = 64           # RTK_HTTP_MAX_CONNECTIONS_PER_ADDRESS default
HLS_BUDGET = 384           # RTK_HTTP_HLS_MAX_CONNECTIONS default (3/4 of 512)
ANSWER_WITHIN = 10.0       # generous: the REST answer takes milliseconds when it works
SLOW_ADDRESS = "127.0.0.2"
HINT = re.compile(r'#EXT-X-PRELOAD-HINT:TYPE=PART,URI="seg(\d+)\.(\d+)\.m4s"')


# ---------------------------------------------------------------- plain HTTP

def get(path, source="127.0.0.1", timeout=ANSWER_WITHIN, headers=None):
    """One request on a new connection from `source`: (status, headers, body
    text, seconds it took)."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", REST_PORT, timeout=timeout,
                                            source_address=(source, 0))
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read().decode(errors="replace")
        return response.status, dict(response.getheaders()), body, time.monotonic() - started
    finally:
        connection.close()


def rest_meeting(server, meeting, what):
    """The meeting reads back over REST from 127.0.0.1 within ANSWER_WITHIN."""
    try:
        status, _, body, took = get("/v2/meetings/%s" % meeting["id"],
                                    headers={"Authorization": server.auth_header()})
    except OSError as error:
        raise TestFailure("%s: GET /v2/meetings/{id} from another address got no answer "
                             "within %.0f s (%r)" % (what, ANSWER_WITHIN, error))
    check_equal(status, 200, "%s: GET /v2/meetings/{id} status" % what)
    check(meeting["title"] in body, "%s: the meeting's title is not in %r" % (what, body[:200]))
    log("%s: REST answered in %.3f s" % (what, took))
    return took


def socket_closed(sock):
    """True when the server closed this non-blocking socket (EOF or reset)."""
    try:
        return sock.recv(4096) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def request_bytes(path, extra=""):
    return ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n" % (path, extra)).encode()


def read_response(sock, timeout):
    """Reads one response with a Content-Length from a blocking socket:
    (status, headers with lower-case names, body), or None when the server
    closed the connection first."""
    sock.settimeout(timeout)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode(errors="replace").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                return None
            body += chunk
        return int(lines[0].split()[1]), headers, body.decode(errors="replace")
    except ConnectionResetError:
        return None


def connect_from(source):
    sock = socket.socket()
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", REST_PORT))
    return sock


# ---------------------------------------------------------------- slow clients

def slow_client_flood(server, meeting):
    socks = []
    for _ in range(FLOOD):
        sock = socket.socket()
        sock.bind((SLOW_ADDRESS, 0))
        sock.setblocking(False)
        try:
            sock.connect(("127.0.0.1", REST_PORT))
        except BlockingIOError:
            pass
        socks.append(sock)
    stop = threading.Event()

    def trickle():
        """The request line at once, then one header line a second: never
        complete, never silent long enough for an idle timeout."""
        line = b"GET /v2/meetings HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        while not stop.is_set():
            for sock in socks:
                try:
                    sock.send(line)
                except OSError:
                    pass
            line = b"X-Slow: 1\r\n"
            stop.wait(1.0)

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        time.sleep(2.0)
        rest_meeting(server, meeting, "during the slow-client flood")
        status, _, body, took = get("/hls/no-such-stream/index.m3u8")
        check_equal(status, 404, "during the slow-client flood: /hls/ of an unknown stream")
        log("during the slow-client flood: /hls/ answered in %.3f s" % took)
        kept = sum(1 for sock in socks if not socket_closed(sock))
        log("the server keeps %d of the %d slow sockets from %s" % (kept, FLOOD, SLOW_ADDRESS))
        check(kept <= PER_ADDRESS, "the server keeps %d slow connections from one address, more than "
              "RTK_HTTP_MAX_CONNECTIONS_PER_ADDRESS (%d)" % (kept, PER_ADDRESS))
    finally:
        stop.set()
        thread.join()
        for sock in socks:
            sock.close()
    took = rest_meeting(server, meeting, "right after the slow-client flood closed")
    check(took < 5.0, "REST took %.1f s right after the flood closed" % took)


def distributed_flood_leaves(server, meeting):
    """512 slow sockets from 8 addresses (64 each: the whole cap) close
    while janus is stopped for a moment, as on a loaded machine; once it
    runs again, REST is answered at once. (libmicrohttpd sleeps until its
    next timeout when one epoll round returns exactly 128 events: a worker
    holding 128 closing connections did, and on 1a3ec61 REST then waited
    for the 30 s idle timeout.)"""
    socks = []
    for index in range(8 * PER_ADDRESS):
        sock = socket.socket()
        sock.bind(("127.0.3.%d" % (1 + index // PER_ADDRESS), 0))
        sock.setblocking(False)
        try:
            sock.connect(("127.0.0.1", REST_PORT))
        except BlockingIOError:
            pass
        socks.append(sock)
    time.sleep(1.0)
    for sock in socks:
        try:
            sock.send(b"GET /v2/meetings HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        except OSError:
            pass
    time.sleep(1.0)
    kept = sum(1 for sock in socks if not socket_closed(sock))
    log("the server keeps %d slow sockets from 8 addresses" % kept)
    server.proc.send_signal(signal.SIGSTOP)
    try:
        for sock in socks:
            sock.close()
        time.sleep(0.5)
    finally:
        server.proc.send_signal(signal.SIGCONT)
    took = rest_meeting(server, meeting, "right after 8 addresses' slow sockets closed")
    check(took < 5.0, "REST took %.1f s right after the flood closed" % took)


# ---------------------------------------------------------------- livestream players

class Players:
    """PLAYERS asyncio players, each on its own connection, looping as an
    LL-HLS player does: a blocking reload for the segment after the one in
    progress, again and again. Refused (503) players wait Retry-After and
    reconnect."""

    def __init__(self, stream_id):
        self.stream_id = stream_id
        self.served = set()         # players answered 200 at least once
        self.ok = 0
        self.refused = 0
        self.refused_without_retry_after = 0
        self.closed_unanswered = 0
        self.failed = []
        self.writers = {}           # index -> its current StreamWriter
        self.stopping = False
        self.tasks = []

    def start(self):
        for i in range(PLAYERS):
            address = "127.0.2.%d" % (1 + i // 4)
            self.tasks.append(asyncio.ensure_future(self.player(i, address)))

    async def stop(self):
        self.stopping = True
        await asyncio.sleep(0)
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    async def player(self, index, address):
        try:
            await self.play(index, address)
        finally:   # also when cancelled: the connection goes now, not at garbage collection
            writer = self.writers.pop(index, None)
            if writer is not None:
                writer.close()

    async def play(self, index, address):
        msn = None
        writer = None
        answered = 0                # responses on the current connection
        while not self.stopping:
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection("127.0.0.1", REST_PORT,
                                                                   local_addr=(address, 0))
                    self.writers[index] = writer
                    answered = 0
                query = "" if msn is None else "?_HLS_msn=%d" % (msn + 1)
                writer.write(request_bytes("/hls/%s/index.m3u8%s" % (self.stream_id, query),
                                           "User-Agent: player-%d\r\n" % index))
                status_line = await reader.readline()
                if not status_line:
                    raise ConnectionResetError("closed by the server")
                headers = {}
                while True:
                    line = (await reader.readline()).decode().strip()
                    if not line:
                        break
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = (await reader.readexactly(int(headers.get("content-length", "0")))).decode()
                status = int(status_line.split()[1])
                answered += 1
                if status == 200:
                    self.ok += 1
                    self.served.add(index)
                    hint = HINT.search(body)
                    msn = int(hint.group(1)) if hint else msn
                elif status == 503:
                    self.refused += 1
                    if headers.get("retry-after") != "1":
                        self.refused_without_retry_after += 1
                    if headers.get("connection", "").lower() == "close":
                        writer.close()
                        writer = None
                    await asyncio.sleep(1.0)
                else:
                    self.failed.append("player %d: HTTP %d %s" % (index, status, body[:80]))
                    msn = None
            except (OSError, asyncio.IncompleteReadError) as error:
                if writer is not None:
                    writer.close()
                    writer = None
                if answered == 0:
                    # Closed before any answer: refused when accepted, as
                    # the server does at its connection cap.
                    self.closed_unanswered += 1
                elif not self.stopping:
                    self.failed.append("player %d: %r after %d answers" % (index, error, answered))
                await asyncio.sleep(1.0)


async def wait_stream(stream_id):
    """Waits until the livestream's playlist has a preload hint."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status, _, body, _ = await asyncio.get_running_loop().run_in_executor(
            None, get, "/hls/%s/index.m3u8" % stream_id)
        if status == 200 and HINT.search(body):
            return body
        await asyncio.sleep(0.3)
    raise TestFailure("the livestream's playlist has no preload hint after 30 s")


async def start_livestream(server, title):
    meeting = server.create_meeting(title=title, live_stream_on_start=True)
    rest = server.add_participant(meeting["id"], "Host", "group_call_host")
    host = RtkClient(server, "host")
    joined = await host.join(rest["token"])
    stream_id = joined["livestream"]["id"]
    await wait_stream(stream_id)
    return host, stream_id


async def player_flood(server, meeting):
    loop = asyncio.get_running_loop()
    host, stream_id = await start_livestream(server, "Livestream under a player flood")
    players = Players(stream_id)
    players.start()
    try:
        await asyncio.sleep(6.0)
        await loop.run_in_executor(None, rest_meeting, server, meeting, "during the player flood")
        status, headers, _, took = await loop.run_in_executor(
            None, get, "/hls/%s/index.m3u8" % stream_id)
        check_equal(status, 503, "a new player during the player flood (the /hls/ budget is spent)")
        check_equal(headers.get("Retry-After"), "1", "Retry-After of the 503")
        log("a new player during the flood: 503 in %.3f s" % took)
        await asyncio.sleep(2.0)
    finally:
        await players.stop()
    log("players: %d served (%d reloads answered 200), %d refusals (503), %d connections closed "
        "unanswered, %d failures" % (len(players.served), players.ok, players.refused,
                                     players.closed_unanswered, len(players.failed)))
    check(not players.failed, "players saw failures: %r" % players.failed[:5])
    check(len(players.served) <= HLS_BUDGET,
          "%d players were served at once, more than RTK_HTTP_HLS_MAX_CONNECTIONS (%d)"
          % (len(players.served), HLS_BUDGET))
    check(len(players.served) >= HLS_BUDGET // 2, "only %d players were served" % len(players.served))
    check(players.refused > 0, "no player was refused although %d players flooded" % PLAYERS)
    check_equal(players.refused_without_retry_after, 0, "503 answers without Retry-After: 1")
    took = await loop.run_in_executor(None, rest_meeting, server, meeting, "right after the players left")
    check(took < 5.0, "REST took %.1f s right after the players left" % took)
    # The server notices the players' closed sockets within moments.
    deadline = time.monotonic() + 5.0
    while True:
        status, _, body, _ = await loop.run_in_executor(None, get, "/hls/%s/index.m3u8" % stream_id)
        if status == 200 or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    check_equal(status, 200, "a new player within 5 s of the flood's end")
    check("#EXTM3U" in body, "the playlist after the flood: %r" % body[:100])
    await host.close()


# ---------------------------------------------------------------- small settings

SMALL = {
    "RTK_HTTP_HEADER_TIMEOUT": "1",
    "RTK_HTTP_MAX_CONNECTIONS_PER_ADDRESS": "3",
    "RTK_HTTP_HLS_MAX_CONNECTIONS": "2",
}


def check_header_deadline():
    """A request whose headers trickle in, a byte every 0.2 s, is closed
    soon after the 1 s deadline; so is an idle keep-alive connection."""
    sock = connect_from("127.0.0.5")
    sock.setblocking(False)
    started = time.monotonic()
    sock.send(b"GET /v2/meetings HTTP/1.1\r\n")
    closed_after = None
    while time.monotonic() - started < 20:
        if socket_closed(sock):
            closed_after = time.monotonic() - started
            break
        try:
            sock.send(b"X")
        except OSError:
            closed_after = time.monotonic() - started
            break
        time.sleep(0.2)
    sock.close()
    check(closed_after is not None, "a request trickling its headers for 20 s was not closed "
          "(RTK_HTTP_HEADER_TIMEOUT=1)")
    check(closed_after >= 0.8, "the trickling request was closed after %.2f s, before its 1 s"
          % closed_after)
    log("a request trickling its headers was closed after %.2f s" % closed_after)

    sock = connect_from("127.0.0.6")
    sock.sendall(request_bytes("/hls/no-such-stream/index.m3u8"))
    reply = read_response(sock, 5)
    check(reply is not None and reply[0] == 404, "keep-alive: first request: %r" % (reply,))
    started = time.monotonic()
    sock.settimeout(20)
    try:
        eof = sock.recv(1) == b""
    except socket.timeout:
        eof = False
    except ConnectionResetError:
        eof = True
    idle = time.monotonic() - started
    sock.close()
    check(eof, "an idle keep-alive connection was kept 20 s (RTK_HTTP_HEADER_TIMEOUT=1)")
    log("an idle keep-alive connection was closed after %.2f s" % idle)


def check_per_address():
    """Four connections from one address with a limit of three: one is
    closed at once, the three others are served."""
    socks = [connect_from("127.0.0.7") for _ in range(4)]
    replies = []
    for sock in socks:
        try:
            sock.sendall(request_bytes("/v2/meetings"))   # no credentials: 401
        except OSError:
            pass
    for sock in socks:
        reply = None
        try:
            reply = read_response(sock, 5)
        except OSError:
            pass
        replies.append(reply and reply[0])
        sock.close()
    check_equal(sorted(replies, key=str), [401, 401, 401, None],
                "4 connections from one address, limit 3: statuses (None: closed unanswered)")
    log("per address: 3 connections served, the fourth closed at once")


async def check_hls_budget(server, meeting):
    """With RTK_HTTP_HLS_MAX_CONNECTIONS=2: two players park blocking
    reloads (held longer than the 1 s header deadline, still answered 200);
    a third player meanwhile gets 503 + Retry-After + Connection: close; a
    player connection that moves on to REST gives its place back."""
    loop = asyncio.get_running_loop()
    host, stream_id = await start_livestream(server, "Livestream with a budget of two")
    playlist_path = "/hls/%s/index.m3u8" % stream_id

    counted = [threading.Event(), threading.Event()]
    socks = [None, None]

    def admitted_playlist(index, source):
        """A new player's first playlist. A 503 is retried as a player
        would after Retry-After: the server may still count a place for
        wait_stream()'s connection, closed by the client a moment ago but
        not yet seen closed by the server."""
        deadline = time.monotonic() + 10
        while True:
            sock = connect_from(source)
            sock.sendall(request_bytes(playlist_path))
            reply = read_response(sock, 5)
            if reply is None or reply[0] != 503 or time.monotonic() > deadline:
                socks[index] = sock
                return reply
            sock.close()
            time.sleep(0.2)

    def held_reload(index, source):
        """A player's step: the playlist, then a blocking reload for the
        segment after the one in progress (held about a segment, 2 s)."""
        if socks[index] is None:
            reply = admitted_playlist(index, source)
        else:
            socks[index].sendall(request_bytes(playlist_path))
            reply = read_response(socks[index], 5)
        counted[index].set()   # its connection holds a /hls/ place from now on
        check(reply is not None and reply[0] == 200, "a player's playlist: %r" % (reply,))
        msn = int(HINT.search(reply[2]).group(1)) + 1
        socks[index].sendall(request_bytes("%s?_HLS_msn=%d" % (playlist_path, msn)))
        started = time.monotonic()
        reply = read_response(socks[index], 15)
        return reply, time.monotonic() - started, msn

    sources = ("127.0.0.11", "127.0.0.12")
    reloads = [loop.run_in_executor(None, held_reload, i, source) for i, source in enumerate(sources)]
    for event in counted:   # both players hold their places (a fixed sleep lost this race under load)
        check(await loop.run_in_executor(None, event.wait, 10), "a player's playlist took over 10 s")
    await asyncio.sleep(0.3)   # and are parked on their blocking reloads

    def third_player():
        sock = connect_from("127.0.0.13")
        sock.sendall(request_bytes("/hls/%s/index.m3u8" % stream_id))
        reply = read_response(sock, 5)
        closed = reply is not None and read_response(sock, 5) is None
        sock.close()
        return reply, closed

    reply, closed = await loop.run_in_executor(None, third_player)
    check(reply is not None, "the third player got no answer")
    status, headers, body = reply
    check_equal(status, 503, "the third player, past RTK_HTTP_HLS_MAX_CONNECTIONS=2")
    check_equal(headers.get("retry-after"), "1", "Retry-After of the 503")
    check_equal(headers.get("connection", "").lower(), "close", "Connection header of the 503")
    check(closed, "the connection of the 503 stays open")
    log("the third player got 503 (%s)" % body.strip())

    for (reply, held, msn), name in zip(await asyncio.gather(*reloads), ("first", "second")):
        check(reply is not None and reply[0] == 200, "the %s player's blocking reload: %r" % (name, reply))
        check("seg%d.m4s" % msn in reply[2], "the %s player's reload does not list segment %d: %r"
              % (name, msn, reply[2][-300:]))
        check(held > 1.2, "the %s player's reload was held only %.2f s: the test needs it parked "
              "past the 1 s header deadline" % (name, held))
        log("the %s player's blocking reload was held %.2f s, then answered 200" % (name, held))

    # The second player parks again (it keeps its place); the first
    # player's connection asks REST now: it no longer counts for /hls/.
    first, second = socks
    again = loop.run_in_executor(None, held_reload, 1, sources[1])
    first.sendall(("GET /v2/meetings/%s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: %s\r\n\r\n"
                   % (meeting["id"], server.auth_header())).encode())
    reply = read_response(first, 5)
    check(reply is not None and reply[0] == 200, "REST on the first player's connection: %r" % (reply,))
    reply, _ = await loop.run_in_executor(None, third_player)
    check(reply is not None and reply[0] == 200,
          "the third player after the first moved on to REST: %r" % (reply[:2] if reply else None,))
    log("a connection that moved on to REST gave its /hls/ place back")
    reply, _, _ = await again
    check(reply is not None and reply[0] == 200, "the second player's next reload: %r" % (reply,))
    first.close()
    second.close()
    await host.close()


async def main():
    server = Server().start()
    meeting = server.create_meeting(title="Before the floods")
    slow_client_flood(server, meeting)
    distributed_flood_leaves(server, meeting)
    await player_flood(server, meeting)
    server.stop()

    server = Server(env=SMALL).start()
    meeting = server.create_meeting(title="Small limits")
    check_header_deadline()
    check_per_address()
    await check_hls_budget(server, meeting)


if __name__ == "__main__":
    run_test(main)
