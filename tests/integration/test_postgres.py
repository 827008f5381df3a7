#!/usr/bin/python3
"""test_postgres.py - the server on PostgreSQL (RTK_DATABASE_URL), end to end.

Owns README's RTK_DATABASE_URL and docs/deploy.md "PostgreSQL": the plugin,
its REST gateway and its live meetings keep everything in a PostgreSQL
database instead of the SQLite file. The test starts its own PostgreSQL
server (Debian's postgresql: initdb and postgres of
/usr/lib/postgresql/<version>/bin, run as the `postgres` user, listening on
a Unix socket in a private directory only, stopped at the end) and a real
Janus whose RTK_DATABASE_URL is a postgresql:// URL naming that socket.
Asserted:
  * the default presets are seeded into the database, and no rtk.sqlite3
    is created in the data directory;
  * REST writes land in PostgreSQL: a meeting and its participants are
    rows of the database's tables (read with psql), the meetings list
    pages (total_count), filters by search, and a participant's PATCH
    comes back;
  * two participants join with REST tokens (the join check reads the
    participant, its preset and meeting from PostgreSQL); a chat message
    is stored and found by chat.searchMessages (PostgreSQL full-text
    search: a word's prefix); the live session and its two presences are
    in GET /v2/sessions;
  * janus is killed (kill -9) and started again on the same database:
    the meeting, its participants and the session (now ENDED, as a crash
    leaves it) are all there.
"""

import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.parse

from rtk_harness import RtkClient, Server, check, check_equal, log, run_test, skip

WRITE_DEADLINE = 10


class Postgres:
    """A PostgreSQL server of this test's own, on a Unix socket in a
    temporary directory, with a superuser `rtk` (trust) and a database `rtk`."""

    def __init__(self):
        bindirs = sorted(d for d in (os.path.join("/usr/lib/postgresql", v, "bin")
                                     for v in os.listdir("/usr/lib/postgresql"))
                         if os.path.isfile(os.path.join(d, "initdb"))) if os.path.isdir("/usr/lib/postgresql") else []
        if not bindirs:
            skip("no PostgreSQL server binaries (apt-get install postgresql)")
        self.bindir = bindirs[-1]
        self.dir = tempfile.mkdtemp(prefix="rtk-pg-")
        os.chmod(self.dir, 0o755)
        self.user = "postgres" if os.getuid() == 0 else None
        if self.user:
            shutil.chown(self.dir, self.user)
        self.proc = None

    def _run(self, *argv):
        subprocess.run([os.path.join(self.bindir, argv[0])] + list(argv[1:]), user=self.user, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self):
        self._run("initdb", "-D", os.path.join(self.dir, "data"), "-U", "rtk", "-A", "trust", "-E", "UTF8",
                  "--no-sync")
        self.log = open(os.path.join(self.dir, "server.log"), "w")
        self.proc = subprocess.Popen([os.path.join(self.bindir, "postgres"), "-D", os.path.join(self.dir, "data"),
                                      "-c", "listen_addresses=", "-k", self.dir],
                                     user=self.user, stdout=self.log, stderr=subprocess.STDOUT,
                                     preexec_fn=_die_with_parent)
        deadline = time.monotonic() + 30
        while subprocess.run([os.path.join(self.bindir, "pg_isready"), "-q", "-h", self.dir]).returncode != 0:
            check(self.proc.poll() is None, "postgres exited: %s" % self.tail())
            check(time.monotonic() < deadline, "postgres not ready within 30 s")
            time.sleep(0.1)
        self._run("createdb", "-h", self.dir, "-U", "rtk", "rtk")
        log("PostgreSQL up on %s" % self.dir)
        return self

    @property
    def url(self):
        return "postgresql://rtk@/rtk?host=%s" % urllib.parse.quote(self.dir, safe="")

    def sql(self, query):
        """One value (text) of `query`, read with psql."""
        out = subprocess.run([os.path.join(self.bindir, "psql"), "-h", self.dir, "-U", "rtk", "-d", "rtk",
                              "-A", "-t", "-X", "-c", query], check=True, stdout=subprocess.PIPE)
        return out.stdout.decode().strip()

    def tail(self):
        try:
            with open(os.path.join(self.dir, "server.log")) as f:
                return f.read()[-2000:]
        except OSError:
            return ""

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)   # fast shutdown
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def _die_with_parent():
    """preexec_fn (after the switch to the server's user): postgres gets
    SIGKILL if the test dies."""
    import ctypes
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)
    except OSError:
        pass


def wait_rest(server, path, condition, what):
    deadline = time.monotonic() + WRITE_DEADLINE
    while True:
        got, reply = server.rest("GET", path)
        if got == 200 and condition(reply.get("data")):
            return reply
        check(got in (200, 404), "%s: HTTP status %d (%s)" % (what, got, server.last_text))
        check(time.monotonic() < deadline, "no %s within %d s: %s" % (what, WRITE_DEADLINE, server.last_text))
        time.sleep(0.05)


async def with_postgres(body, *args):
    """Runs `await body(pg, *args)` on a PostgreSQL server of its own
    (Postgres), printing the server's log when it fails, and stops it."""
    pg = Postgres().start()
    try:
        await body(pg, *args)
    except Exception:
        log("PostgreSQL server log:\n" + pg.tail())
        raise
    finally:
        pg.stop()


async def main():
    await with_postgres(on_postgres)


async def on_postgres(pg):
    server = Server(env={"RTK_DATABASE_URL": pg.url}).start()
    check(not os.path.exists(os.path.join(server.data_dir, "rtk.sqlite3")), "an rtk.sqlite3 in the data directory")
    presets = int(pg.sql("SELECT count(*) FROM presets"))
    check(presets >= 4, "default presets in PostgreSQL: %d" % presets)

    meeting = server.create_meeting(title="On PostgreSQL", persist_chat=True)
    mid = meeting["id"]
    other = server.create_meeting(title="Another one")
    check_equal(pg.sql("SELECT title FROM meetings WHERE id = '%s'" % mid), "On PostgreSQL", "the meeting's row")
    r1 = server.add_participant(mid, "Ada", "group_call_host")
    r2 = server.add_participant(mid, "Bob")
    check_equal(pg.sql("SELECT count(*) FROM participants WHERE meeting_id = '%s'" % mid), "2",
                "participant rows of the meeting")
    got, reply = server.rest("GET", "/v2/meetings?per_page=1&page_no=1")
    check_equal((got, reply["paging"]["total_count"], [m["id"] for m in reply["data"]]), (200, 2, [other["id"]]),
                "meetings page 1 of 1 (status, total_count, ids: newest first)")
    got, reply = server.rest("GET", "/v2/meetings?search=postgres")
    check_equal((got, [m["id"] for m in reply["data"]], reply["paging"]["total_count"]), (200, [mid], 1),
                "search=postgres (either case)")
    patched = server.rest_ok("PATCH", "/v2/meetings/%s/participants/%s" % (mid, r2["id"]), {"name": "Robert"})
    check_equal(patched.get("name"), "Robert", "the PATCHed participant's name")
    log("REST on PostgreSQL: meetings, participants, paging, search, PATCH")

    ada, bob = RtkClient(server, "ada"), RtkClient(server, "bob")
    await ada.join(r1["token"])
    await bob.join(r2["token"])
    sid = ada.joined["meeting"]["sessionId"]
    sent = (await bob.control({"request": "chat.sendMessage",
                               "message": {"type": "text", "message": "Meeting notes on PostgreSQL"}})).data["message"]
    deadline = time.monotonic() + WRITE_DEADLINE
    while True:   # the plugin writes the chat on its writer thread
        found = (await ada.control({"request": "chat.searchMessages", "query": "note postgre"})).data["messages"]
        if found or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    check_equal([m["id"] for m in found], [sent["id"]], "search for 'note postgre' (word prefixes)")
    found = (await ada.control({"request": "chat.searchMessages", "query": "otes"})).data["messages"]
    check_equal(found, [], "search for 'otes' (not a word's prefix)")
    session = wait_rest(server, "/v2/sessions/%s" % sid, lambda d: d.get("live_participants") == 2,
                        "the session with both in it")["data"]
    check_equal((session["status"], session["associated_id"]), ("LIVE", mid), "session (status, associated_id)")
    got, reply = server.rest("GET", "/v2/sessions/%s/participants" % sid)
    check_equal(sorted(p["display_name"] for p in reply["data"]["participants"]), ["Ada", "Robert"],
                "the session's presences")
    check_equal(pg.sql("SELECT count(*) FROM chat_messages WHERE session_id = '%s'" % sid), "1",
                "chat rows of the session")
    log("joined with REST tokens; chat stored and searched; the live session in history")

    ada.abandon()
    bob.abandon()
    server.kill9()
    server.restart()
    got, reply = server.rest("GET", "/v2/meetings/%s" % mid)
    check_equal((got, reply["data"]["title"]), (200, "On PostgreSQL"), "the meeting after kill -9 and restart")
    got, reply = server.rest("GET", "/v2/meetings/%s/participants" % mid)
    check_equal(sorted(p["name"] for p in reply["data"]), ["Ada", "Robert"], "its participants after the restart")
    got, reply = server.rest("GET", "/v2/sessions/%s" % sid)
    check_equal((got, reply["data"]["status"], reply["data"]["live_participants"]), (200, "ENDED", 0),
                "the session alive at the crash, after the restart")
    got, reply = server.rest("GET", "/v2/sessions/%s/chat" % sid)
    check_equal(got, 200, "the chat export of the persist_chat session (%s)" % server.last_text)
    log("after kill -9: everything acknowledged is in PostgreSQL")
    server.stop()


if __name__ == "__main__":
    run_test(main)
