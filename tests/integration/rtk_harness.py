"""rtk_harness.py - the shared harness of the RTK integration tests.

Owns everything the integration tests need to drive a real server:
  * enter_netns(): every test runs inside a private network namespace
    (unshare --net) with a veth pair, so test traffic never leaves the
    machine and Janus, which never gathers loopback candidates, can still
    do ICE with aiortc on 10.77.0.1 (design.md section 6).
  * Server: renders the configuration with `./rtk render-conf` into a
    temporary directory, runs `janus -F` with our plugin, waits for the REST
    API and the Janus HTTP API, speaks REST (rest()), kills and restarts.
  * JanusSession: a Janus API client over HTTP long-poll (session, handles,
    messages, per-handle event queues, keepalives, abandon()); JanusWsSession
    the same over the Janus WebSocket (ws:// or wss:// with the test's CA).
  * RtkClient: an aiortc participant speaking docs/protocol.md: join,
    publish VP8 + Opus from synthetic tracks, subscribe and count the frames
    received from every remote participant (over either session, with the
    ICE servers it is given).
  * run_test(): exit codes for the automake harness: 0 pass, 1 fail,
    77 skip; janus is always stopped.

Tests must be run with /usr/bin/python3 (Debian's, which has aiortc).
"""

import asyncio
import base64
import collections
import concurrent.futures
import ctypes
import faulthandler
import fractions
import functools
import hashlib
import hmac
import http.client
import http.server
import inspect
import itertools
import json
import logging
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import traceback

EXIT_PASS, EXIT_FAIL, EXIT_SKIP = 0, 1, 77

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.environ.get("RTK_TOP_SRCDIR") or os.path.abspath(os.path.join(HERE, "..", ".."))
BUILDDIR = os.environ.get("RTK_TOP_BUILDDIR") or SRCDIR
PLUGIN = os.environ.get("RTK_PLUGIN") or os.path.join(BUILDDIR, ".libs", "libjanus_rtk.so")

# A test that hangs is stopped after this many seconds, with every thread's
# stack printed (janus dies with it: PR_SET_PDEATHSIG).
TEST_TIMEOUT = int(os.environ.get("RTK_TEST_TIMEOUT", "240"))

VETH_ADDRESS = "10.77.0.1"
REST_PORT = 8080
JANUS_HTTP_PORT = 8088
JANUS_WS_PORT = 8188

_STARTED = time.monotonic()
_SERVERS = []
_CLIENTS = []


# ---------------------------------------------------------------- reporting

class TestFailure(AssertionError):
    """An assertion about what a user would see did not hold."""


class TestSkipped(Exception):
    """The test cannot run on this machine (exit 77)."""


def log(message):
    print("[%7.2f] %s" % (time.monotonic() - _STARTED, message), flush=True)


def check(condition, message):
    if not condition:
        raise TestFailure(message)


def check_equal(got, expected, what):
    if got != expected:
        raise TestFailure("%s: expected %r, got %r" % (what, expected, got))


def skip(reason):
    raise TestSkipped(reason)


async def until(condition, timeout, what):
    """Polls condition() every 50 ms in asyncio (PeerConnection states and
    RTCP counts wake no one), so aiortc keeps running; fails after timeout s."""
    deadline = time.monotonic() + timeout
    while not condition():
        check(time.monotonic() < deadline, "no %s within %d s" % (what, timeout))
        await asyncio.sleep(0.05)


def check_error(event, code, what):
    """`event` is the plugin's refusal with error code `code` and a message."""
    check(event.name == "error", "%s: expected error %s, got %r" % (what, code, event))
    error = event.data.get("error") or {}
    check_equal(error.get("code"), code, "error code of " + what)
    check(isinstance(error.get("message"), str) and error["message"],
          "%s: error %s has no message: %r" % (what, code, event.data))


def from_peer(peer_id, **fields):
    """An event filter: participantId is `peer_id` and the fields match."""
    def matches(event):
        return (event.data.get("participantId") == peer_id
                and all(event.data.get(k) == v for k, v in fields.items()))
    return matches


def about_user(user_id):
    """An event filter: the event's `participant` object has userId `user_id`."""
    return lambda event: (event.data.get("participant") or {}).get("userId") == user_id


# ---------------------------------------------------------------- network namespace

def _run(argv):
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def enter_netns():
    """Re-executes this script in a private network namespace (once), then
    brings up lo and the veth pair rtk0/rtk1 with 10.77.0.1/24 on rtk0."""
    if os.environ.get("RTK_IN_NETNS") != "1":
        if shutil.which("unshare") is None or shutil.which("ip") is None:
            _exit_skip("unshare (util-linux) and ip (iproute2) are needed")
        probe = subprocess.run(["unshare", "--net", "--", "true"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if probe.returncode != 0:
            _exit_skip("cannot create a network namespace (run as root): %s"
                       % probe.stderr.decode(errors="replace").strip())
        env = dict(os.environ, RTK_IN_NETNS="1", PYTHONUNBUFFERED="1")
        argv = ["unshare", "--net", "--", sys.executable] + sys.argv
        sys.stdout.flush()
        sys.stderr.flush()
        os.execvpe("unshare", argv, env)
    # No IPv6 in the namespace: the kernel would give each interface a
    # link-local address a second or two after it comes up (after duplicate
    # address detection), and Chromium, seeing the addresses change, fails
    # the page loads in flight with ERR_NETWORK_CHANGED. Nothing here uses
    # IPv6 (the namespace's own sysctls: the host's are untouched).
    for scope in ("default", "all"):
        path = "/proc/sys/net/ipv6/conf/%s/disable_ipv6" % scope
        if os.path.exists(path):
            with open(path, "w") as sysctl:
                sysctl.write("1")
    _run(["ip", "link", "set", "lo", "up"])
    if not os.path.exists("/sys/class/net/rtk0"):
        _run(["ip", "link", "add", "rtk0", "type", "veth", "peer", "name", "rtk1"])
        _run(["ip", "addr", "add", VETH_ADDRESS + "/24", "dev", "rtk0"])
        _run(["ip", "link", "set", "rtk0", "up"])
        _run(["ip", "link", "set", "rtk1", "up"])
    # and the veth's carrier is up before anything starts (it comes a moment
    # after "up", and is one more change a browser would see)
    # (/sys shows the host's interfaces, not the namespace's: ask ip)
    deadline = time.time() + 5
    while time.time() < deadline:
        link = subprocess.run(["ip", "-o", "link", "show", "rtk0"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL).stdout.decode()
        if "LOWER_UP" in link:
            break
        time.sleep(0.01)


def _exit_skip(reason):
    log("SKIP: " + reason)
    sys.exit(EXIT_SKIP)


def require_server_prerequisites():
    if shutil.which("janus") is None:
        skip("janus is not installed (apt-get install janus)")
    if not os.path.isfile(PLUGIN):
        skip("the plugin is not built: %s" % PLUGIN)


# ---------------------------------------------------------------- test runner

def run_test(main):
    """Runs main() (a function or a coroutine function) inside the network
    namespace and exits 0 (pass), 1 (fail) or 77 (skip). Every server and
    client is stopped whatever happens; janus.log is shown on failure."""
    enter_netns()
    faulthandler.dump_traceback_later(TEST_TIMEOUT, exit=True)
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    status = EXIT_FAIL
    try:
        require_server_prerequisites()
        if inspect.iscoroutinefunction(main):
            _run_async(main)
        else:
            main()
        status = EXIT_PASS
        log("PASS")
    except TestSkipped as skipped:
        status = EXIT_SKIP
        log("SKIP: %s" % skipped)
    except TestFailure as failure:
        log("FAIL: %s" % failure)
        traceback.print_exc(file=sys.stdout)
    except Exception:
        log("FAIL: unexpected exception")
        traceback.print_exc(file=sys.stdout)
    finally:
        _cleanup(dump_logs=status == EXIT_FAIL)
    sys.stdout.flush()
    os._exit(status)


def _run_async(main):
    loop = asyncio.new_event_loop()
    # aiortc decodes in threads and every Janus call blocks: a large pool
    # keeps long polls from starving other requests.
    loop.set_default_executor(concurrent.futures.ThreadPoolExecutor(64))
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(_run_and_close_clients(main))
    finally:
        loop.close()


async def _run_and_close_clients(main):
    try:
        await main()
    finally:
        for client in list(_CLIENTS):
            try:
                await asyncio.wait_for(client.close(), 10)
            except Exception as error:  # closing must not hide the verdict
                log("closing %s: %r" % (client.name, error))


def _cleanup(dump_logs):
    for client in list(_CLIENTS):
        client.janus.stop()
    for server in list(_SERVERS):
        server.stop()  # first: janus flushes its log when it exits
        if dump_logs:
            server.dump_log()
        server.remove(keep=dump_logs)


# ---------------------------------------------------------------- the server

_PR_SET_PDEATHSIG = 1


def _die_with_parent():
    """preexec_fn: janus gets SIGKILL if the test process dies."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except OSError:
        pass


class Server:
    """One janus process with janus.plugin.rtk, configured by `rtk render-conf`
    in its own temporary directory. REST on 127.0.0.1:8080, the Janus HTTP
    API on every interface of the namespace (port 8088). With `tls_ca` (an
    ssl.SSLContext trusting the test's CA; env then names RTK_TLS_CERT and
    RTK_TLS_KEY) REST is spoken over HTTPS. `port_offset` moves the REST,
    Janus HTTP and Janus WebSocket ports up by that much: a second server
    in the same network namespace (test_nodes.py)."""

    def __init__(self, data_dir=None, session_timeout=None, env=None, tls_ca=None, port_offset=0):
        self.workdir = tempfile.mkdtemp(prefix="rtk-it-")
        self.data_dir = data_dir or os.path.join(self.workdir, "data")
        self.conf_dir = os.path.join(self.workdir, "janus")
        self.session_timeout = session_timeout
        self.extra_env = dict(env or {})
        self.proc = None
        self.died_on_its_own = False
        self.credentials = None
        self.last_text = None
        self.tls_ca = tls_ca
        self.rest_port = REST_PORT + port_offset
        self.janus_http_port = JANUS_HTTP_PORT + port_offset
        self.janus_ws_port = JANUS_WS_PORT + port_offset
        self.rest_base = "%s://127.0.0.1:%d" % ("https" if tls_ca else "http", self.rest_port)
        self.janus_url = "http://127.0.0.1:%d/janus" % self.janus_http_port
        _SERVERS.append(self)

    # -- lifecycle

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, kind, value, tb):
        self.stop()
        if kind is not None and not isinstance(value, TestSkipped):
            self.dump_log()
        return False

    @property
    def log_path(self):
        return os.path.join(self.data_dir, "janus.log")

    @property
    def console_path(self):
        return os.path.join(self.workdir, "janus.console")

    def start(self, timeout=30):
        self._render()
        self._spawn()
        self._wait_ready(timeout)
        self.credentials = self._load_credentials()
        log("server up (data dir %s)" % self.data_dir)
        return self

    def _render_env(self):
        # RTK_JANUS_EVENT_LOOPS passes through so that the suite can be run
        # with Janus's loop per handle (0) as with shared loops (the default).
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("RTK_") or k in ("RTK_TOP_SRCDIR", "RTK_TOP_BUILDDIR",
                                                     "RTK_JANUS_LIBDIR", "RTK_IN_NETNS",
                                                     "RTK_JANUS_EVENT_LOOPS")}
        env.update({
            "RTK_PLUGIN": PLUGIN,
            "RTK_DATA_DIR": self.data_dir,
            "RTK_HTTP_BIND": "127.0.0.1",
            "RTK_HTTP_PORT": str(self.rest_port),
            "RTK_JANUS_HTTP_PORT": str(self.janus_http_port),
            "RTK_JANUS_WS_PORT": str(self.janus_ws_port),
            "RTK_COMPANION_DIR": BUILDDIR,
            # the tests' webhook receivers listen on 127.0.0.1 or 10.77.0.1
            "RTK_WEBHOOK_ALLOW_PRIVATE": "1",
        })
        if self.session_timeout is not None:
            env["RTK_JANUS_SESSION_TIMEOUT"] = str(self.session_timeout)
        env.update(self.extra_env)
        return env

    def _render(self):
        result = subprocess.run([os.path.join(SRCDIR, "rtk"), "render-conf", self.conf_dir],
                                env=self._render_env(), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        if result.returncode != 0:
            raise TestFailure("rtk render-conf failed: %s" % result.stdout.decode(errors="replace"))

    def _spawn(self):
        console = open(self.console_path, "ab")
        self.proc = subprocess.Popen([shutil.which("janus"), "-F", self.conf_dir],
                                     stdin=subprocess.DEVNULL, stdout=console,
                                     stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
        console.close()

    def _wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.died_on_its_own = True
                raise TestFailure("janus exited with status %s while starting" % self.proc.returncode)
            if self._rest_answers() and self._janus_answers():
                return
            time.sleep(0.05)
        raise TestFailure("the REST API (%s) or the Janus API (%s) did not answer within %ds"
                          % (self.rest_base, self.janus_url, timeout))

    def rest_connection(self, timeout=15):
        """A connection to the REST/HLS port: HTTPS checked against the
        test's CA when the server has TLS."""
        if self.tls_ca is not None:
            return http.client.HTTPSConnection("127.0.0.1", self.rest_port, timeout=timeout,
                                               context=self.tls_ca)
        return http.client.HTTPConnection("127.0.0.1", self.rest_port, timeout=timeout)

    def _rest_answers(self):
        try:
            connection = self.rest_connection(timeout=2)
            connection.request("GET", "/v2/meetings")
            connection.getresponse().read()
            connection.close()
            return True
        except OSError:
            return False

    def _janus_answers(self):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.janus_http_port, timeout=2)
            connection.request("GET", "/janus/info")
            response = connection.getresponse()
            body = json.loads(response.read())
            connection.close()
            return response.status == 200 and body.get("janus") == "server_info"
        except (OSError, ValueError):
            return False

    def _load_credentials(self):
        path = os.path.join(self.data_dir, "credentials.json")
        credentials = {}
        if os.path.exists(path):
            with open(path) as f:
                credentials = json.load(f)
        for key, env_name in (("org_id", "RTK_ORG_ID"), ("api_key", "RTK_API_KEY"),
                              ("jwt_secret", "RTK_JWT_SECRET")):
            if self.extra_env.get(env_name):
                credentials[key] = self.extra_env[env_name]
        check(credentials.get("org_id") and credentials.get("api_key"),
              "no org_id/api_key in %s" % path)
        return credentials

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=15):
        """SIGTERM, then SIGKILL if janus has not exited within `timeout`."""
        if self.proc is None:
            return
        if self.proc.poll() is not None:
            self.died_on_its_own = True
            log("janus had exited by itself with status %s" % self.proc.returncode)
        else:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                log("janus did not stop within %ds: SIGKILL" % timeout)
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def kill9(self):
        check(self.running(), "janus is not running")
        self.proc.kill()
        self.proc.wait()
        self.proc = None
        log("janus killed with SIGKILL")

    def restart(self):
        self.stop()
        return self.start()

    def remove(self, keep=False):
        if keep:
            log("kept for inspection: %s" % self.workdir)
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def dump_log(self, lines=80):
        """Prints the tail of janus.log; also the console output (stderr,
        crash reports) when janus exited on its own."""
        paths = [self.log_path]
        if self.died_on_its_own or not os.path.exists(self.log_path):
            paths.append(self.console_path)
        for path in paths:
            try:
                with open(path, errors="replace") as f:
                    tail = f.readlines()[-lines:]
            except OSError:
                continue
            print("----- last %d lines of %s -----" % (len(tail), path))
            sys.stdout.writelines(tail)
            print("----- end of %s -----" % path, flush=True)

    # -- REST

    def auth_header(self, auth="basic"):
        if auth is None:
            return None
        if auth == "basic":
            pair = "%s:%s" % (self.credentials["org_id"], self.credentials["api_key"])
            return "Basic " + base64.b64encode(pair.encode()).decode()
        if auth == "bearer":
            return "Bearer " + self.credentials["api_key"]
        return auth  # a header value given verbatim

    def rest(self, method, path, body=None, auth="basic", raw=None, headers=None):
        """One REST request. `path` may carry a query; `body` is JSON-encoded,
        `raw` (bytes) is sent as it is. Returns (status, parsed JSON or None);
        the text of the reply is kept in self.last_text."""
        all_headers = dict(headers or {})
        header = self.auth_header(auth)
        if header is not None:
            all_headers["Authorization"] = header
        payload = raw
        if body is not None:
            payload = json.dumps(body).encode()
        if payload is not None:
            all_headers.setdefault("Content-Type", "application/json")
        connection = self.rest_connection()
        try:
            connection.request(method, path, body=payload, headers=all_headers)
            response = connection.getresponse()
            text = response.read().decode(errors="replace")
        finally:
            connection.close()
        self.last_text = text
        try:
            return response.status, json.loads(text)
        except ValueError:
            return response.status, None

    def rest_ok(self, method, path, body=None, statuses=(200, 201), **kwargs):
        """A request that must succeed: returns the envelope's data."""
        status, reply = self.rest(method, path, body, **kwargs)
        check(status in statuses and isinstance(reply, dict) and reply.get("success") is True,
              "%s %s: expected success (%s), got %s %s"
              % (method, path, "/".join(map(str, statuses)), status, self.last_text))
        return reply.get("data")

    def create_meeting(self, **fields):
        fields.setdefault("title", "Integration test")
        return self.rest_ok("POST", "/v2/meetings", fields)

    def add_participant(self, meeting_id, name, preset_name="group_call_participant", **fields):
        fields.update({"name": name, "preset_name": preset_name})
        fields.setdefault("custom_participant_id", "%s@example.com" % name.lower())
        data = self.rest_ok("POST", "/v2/meetings/%s/participants" % meeting_id, fields)
        check(isinstance(data.get("token"), str) and data.get("id"),
              "participant reply lacks id/token: %r" % data)
        return data


# ---------------------------------------------------------------- tokens

def cascade_node(pg, name, offset, host, extra_env=None, cascade_port=8190):
    """A node of a multi-node deployment on PostgreSQL `pg` (test_postgres.py's
    Postgres) whose REST URL, and so its cascade port, is on `host`; ports moved
    up by `offset` (docs/deploy.md, "Cascading a large meeting"); `extra_env`:
    more settings (a browser test allows any page origin). Not started."""
    from test_nodes import CREDENTIALS, LEASE
    janus_url = "ws://127.0.0.1:%d/" % (8188 + offset)
    env = dict(CREDENTIALS, RTK_DATABASE_URL=pg.url, RTK_NODE_ID=name, RTK_NODE_JANUS_URL=janus_url,
               RTK_NODE_REST_URL="http://%s:%d" % (host, 8080 + offset), RTK_NODE_LEASE=str(LEASE),
               RTK_NODE_CASCADE_PORT=str(cascade_port), RTK_PLUGINS_SEED="", **(extra_env or {}))
    server = Server(env=env, port_offset=offset)
    server.node_janus_url = janus_url
    return server


def two_nodes(pg, offset=10, extra_env=None):
    """Node A (REST and cascade port on 127.0.0.1) and node B (on 127.0.0.2,
    ports moved up by `offset`) sharing PostgreSQL `pg`, both started and
    registered: the set-up of the cascade tests (`extra_env`: more settings
    of both). Returns (a, b)."""
    from test_nodes import wait_sql
    a = cascade_node(pg, "node-a", 0, "127.0.0.1", extra_env).start()
    b = cascade_node(pg, "node-b", offset, "127.0.0.2", extra_env).start()
    wait_sql(pg, "SELECT count(*) FROM nodes", "2", "both nodes' rows")
    return a, b


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jwt_claims(token):
    return json.loads(b64url_decode(token.split(".")[1]))


def jwt_sign(claims, secret):
    """An HS256 JWT over `claims` with the raw `secret` bytes."""
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = b64url(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = ("%s.%s" % (header, payload)).encode()
    signature = hmac.new(secret, signing_input, hashlib.sha256).digest()
    return "%s.%s.%s" % (header, payload, b64url(signature))


def jwt_secret_bytes(jwt_secret, server_token):
    """The key bytes the server signs with: credentials.json's jwt_secret
    used as text, or decoded from hex or base64. Chosen by reproducing the
    signature of a token the server minted."""
    signing_input, _, signature = server_token.rpartition(".")
    candidates = [jwt_secret.encode()]
    for decode in (bytes.fromhex, base64.b64decode, b64url_decode):
        try:
            candidates.append(decode(jwt_secret))
        except ValueError:
            pass
    for key in candidates:
        digest = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
        if hmac.compare_digest(b64url(digest), signature):
            return key
    raise TestFailure("cannot reproduce the signature of a server token with the jwt_secret "
                      "of credentials.json (as text, hex or base64)")


# ---------------------------------------------------------------- Janus API client

class SessionClosed(Exception):
    """The Janus session was destroyed, timed out, or stopped by us."""


class JanusError(TestFailure):
    """The Janus core refused a request (not a plugin-level refusal)."""


class Event:
    """One event on a handle: a plugin event (name = its `rtk` field) or a
    Janus core event (name = "janus:<type>", e.g. "janus:webrtcup")."""

    def __init__(self, message):
        self.message = message
        plugindata = message.get("plugindata") or {}
        self.data = plugindata.get("data") or {}
        self.jsep = message.get("jsep")
        self.transaction = message.get("transaction")
        if message.get("janus") in ("event", "success") and plugindata:
            self.name = self.data.get("rtk")
        else:
            self.name = "janus:%s" % message.get("janus")

    def __repr__(self):
        return "<%s %s%s>" % (self.name, json.dumps(self.data)[:300], " +jsep" if self.jsep else "")


class JanusSession:
    """A Janus API session over HTTP long-poll. A poller thread sorts the
    events into one queue per handle; a keepalive thread keeps the session
    alive until destroy() or abandon()."""

    _transactions = itertools.count(1)

    def __init__(self, server, keepalive_interval=None):
        self.base = server.janus_url
        self.port = getattr(server, "janus_http_port", JANUS_HTTP_PORT)
        if keepalive_interval is None:
            timeout = server.session_timeout or 60
            keepalive_interval = max(0.5, min(15.0, timeout / 4.0))
        self.keepalive_interval = keepalive_interval
        self.session_id = None
        self.closed = False
        self._stop = threading.Event()
        self._cond = threading.Condition()
        self._queues = collections.defaultdict(list)   # handle -> [Event]
        self._history = collections.defaultdict(list)  # handle -> every Event seen
        self._threads = []

    # -- plumbing

    def _http(self, method, path, payload=None, timeout=15):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            body = json.dumps(payload).encode() if payload is not None else None
            headers = {"Content-Type": "application/json"} if body else {}
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return json.loads(response.read())
        finally:
            connection.close()

    def _post(self, suffix, payload):
        payload = dict(payload, transaction="t%d" % next(self._transactions))
        reply = self._http("POST", "/janus" + suffix, payload)
        if reply.get("janus") == "error":
            error = reply.get("error", {})
            if error.get("code") == 458:  # no such session
                self._mark_closed()
                raise SessionClosed("Janus session %s is gone" % self.session_id)
            raise JanusError("Janus refused %s: %s" % (payload.get("janus"), error))
        return payload["transaction"], reply

    def _start_thread(self, target, name):
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _mark_closed(self):
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    # -- API

    def create(self):
        _, reply = self._post("", {"janus": "create"})
        self.session_id = reply["data"]["id"]
        self._start_thread(self._poll_loop, "janus-poll-%s" % self.session_id)
        self._start_thread(self._keepalive_loop, "janus-keepalive-%s" % self.session_id)
        return self.session_id

    def attach(self, plugin="janus.plugin.rtk"):
        _, reply = self._post("/%s" % self.session_id, {"janus": "attach", "plugin": plugin})
        return reply["data"]["id"]

    def detach(self, handle):
        self._post("/%s/%s" % (self.session_id, handle), {"janus": "detach"})

    def send(self, handle, body, jsep=None):
        """Sends a plugin message; returns its transaction. A synchronous
        plugin reply is queued like an event."""
        payload = {"janus": "message", "body": body}
        if jsep is not None:
            payload["jsep"] = jsep
        transaction, reply = self._post("/%s/%s" % (self.session_id, handle), payload)
        if reply.get("janus") == "success" and reply.get("plugindata"):
            reply.setdefault("transaction", transaction)
            self._deliver(handle, reply)
        return transaction

    def request(self, handle, body, jsep=None, timeout=10):
        """Sends a request and returns the event answering it (same transaction)."""
        transaction = self.send(handle, body, jsep)
        return self.wait_event(handle, timeout=timeout,
                               where=lambda event: event.transaction == transaction,
                               what="the reply to %s" % json.dumps(body)[:120])

    def wait_event(self, handle, rtk_name=None, timeout=10, where=None, what=None):
        """Removes and returns the first queued event on `handle` named
        `rtk_name` (any name when None) for which where(event) holds; waits up
        to `timeout` seconds for it. Other events stay queued."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for index, event in enumerate(self._queues[handle]):
                    if (rtk_name is None or event.name == rtk_name) and (where is None or where(event)):
                        return self._queues[handle].pop(index)
                if self.closed:
                    raise SessionClosed("Janus session %s closed while waiting for %s"
                                        % (self.session_id, what or rtk_name))
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TestFailure("no %s on handle %s within %ss; events seen there: %r"
                                      % (what or rtk_name or "event", handle, timeout,
                                         self._history[handle][-15:]))
                self._cond.wait(remaining)

    def events(self, handle, rtk_name=None):
        """Every event seen on `handle` so far (consumed or not), oldest first."""
        with self._cond:
            return [e for e in self._history[handle] if rtk_name is None or e.name == rtk_name]

    def keepalive(self):
        self._post("/%s" % self.session_id, {"janus": "keepalive"})

    def destroy(self):
        if self.session_id is not None and not self.closed and not self._stop.is_set():
            try:
                self._post("/%s" % self.session_id, {"janus": "destroy"})
            except (OSError, SessionClosed, JanusError):
                pass
        self.stop()

    def abandon(self):
        """Stops polling and keepalives without telling Janus: the session
        times out after session_timeout, as a vanished client's would."""
        self.stop()

    def stop(self):
        self._stop.set()
        self._mark_closed()

    # -- threads

    def _deliver(self, handle, message):
        event = Event(message)
        with self._cond:
            self._queues[handle].append(event)
            self._history[handle].append(event)
            self._cond.notify_all()

    def _poll_loop(self):
        failures = 0
        while not self._stop.is_set():
            try:
                path = "/janus/%s?maxev=10&rid=%d" % (self.session_id, int(time.time() * 1000))
                reply = self._http("GET", path, timeout=45)
                failures = 0
            except (OSError, ValueError, http.client.HTTPException):
                failures += 1
                if failures > 50:
                    break
                self._stop.wait(0.2)
                continue
            if self._stop.is_set():
                break  # abandoned: the events are not read any more
            for message in reply if isinstance(reply, list) else [reply]:
                self._dispatch(message)
        self._mark_closed()

    def _dispatch(self, message):
        kind = message.get("janus")
        if kind == "keepalive":
            return
        if kind == "timeout" or (kind == "error" and message.get("error", {}).get("code") == 458):
            self._stop.set()
            return
        handle = message.get("sender")
        if handle is not None:
            self._deliver(handle, message)

    def _keepalive_loop(self):
        while not self._stop.wait(self.keepalive_interval):
            try:
                self.keepalive()
            except SessionClosed:
                break
            except (OSError, ValueError, http.client.HTTPException, JanusError):
                pass


class JanusWsSession(JanusSession):
    """The Janus API over the Janus WebSocket (subprotocol janus-protocol), as
    the SDK speaks it: `url` is ws:// or wss:// (verified with `ssl_context`),
    `origin` the Origin header Janus checks (enforce_cors). A thread runs an
    asyncio loop holding the socket: replies (success, error, ack) go to the
    request that waits for their transaction, events to the per-handle queues
    of JanusSession. Needs python3-websockets."""

    def __init__(self, server, url, ssl_context=None, origin=None, keepalive_interval=None):
        super().__init__(server, keepalive_interval)
        try:
            import websockets  # noqa: F401
        except ImportError as error:
            skip("python3-websockets is not installed (%s)" % error)
        self.url = url
        self.ssl_context = ssl_context
        self.origin = origin or server.rest_base
        self._socket = None
        self._waiting = {}   # transaction -> concurrent.futures.Future
        self._loop = asyncio.new_event_loop()
        self._loop_thread = threading.Thread(target=self._loop.run_forever, name="janus-ws",
                                             daemon=True)
        self._loop_thread.start()

    def _in_loop(self, coroutine, timeout=15):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    async def _open(self):
        import websockets
        self._socket = await websockets.connect(
            self.url, subprotocols=["janus-protocol"], ssl=self.ssl_context,
            origin=self.origin, open_timeout=10, max_size=None)
        self._loop.create_task(self._receive_loop())

    async def _receive_loop(self):
        try:
            async for text in self._socket:
                message = json.loads(text)
                waiter = self._waiting.get(message.get("transaction"))
                if waiter is not None and message.get("janus") in ("success", "error", "ack"):
                    del self._waiting[message["transaction"]]
                    waiter.set_result(message)
                else:
                    self._dispatch(message)
        except Exception:  # the socket closed: the session is over for us
            pass
        self._mark_closed()
        for waiter in self._waiting.values():
            if not waiter.done():
                waiter.set_exception(SessionClosed("the Janus WebSocket closed"))

    def _post(self, suffix, payload):
        """Sends `payload` (for the session and handle of `suffix`,
        /session[/handle]) and waits for the reply to its transaction."""
        parts = [p for p in suffix.split("/") if p]
        payload = dict(payload, transaction="t%d" % next(self._transactions))
        if parts:
            payload["session_id"] = int(parts[0])
        if len(parts) > 1:
            payload["handle_id"] = int(parts[1])
        if self.closed:
            raise SessionClosed("Janus session %s is gone" % self.session_id)
        waiter = concurrent.futures.Future()
        self._waiting[payload["transaction"]] = waiter
        self._in_loop(self._socket.send(json.dumps(payload)))
        reply = waiter.result(15)
        if reply.get("janus") == "error":
            error = reply.get("error", {})
            if error.get("code") == 458:
                self._mark_closed()
                raise SessionClosed("Janus session %s is gone" % self.session_id)
            raise JanusError("Janus refused %s: %s" % (payload.get("janus"), error))
        return payload["transaction"], reply

    def create(self):
        if self._socket is None:
            self._in_loop(self._open())
        _, reply = self._post("", {"janus": "create"})
        self.session_id = reply["data"]["id"]
        self._start_thread(self._keepalive_loop, "janus-keepalive-%s" % self.session_id)
        return self.session_id

    def stop(self):
        super().stop()
        if self._socket is not None and self._loop.is_running():
            try:
                self._in_loop(self._socket.close(), timeout=5)
            except Exception:
                pass
            self._loop.call_soon_threadsafe(self._loop.stop)


# ---------------------------------------------------------------- media

def _media_imports():
    try:
        import av  # noqa: F401
        import numpy  # noqa: F401
        import aiortc  # noqa: F401
    except ImportError as error:
        skip("aiortc is not available (%s): run with /usr/bin/python3 "
             "and apt-get install python3-aiortc" % error)


def solid_track(colour, size=(320, 240)):
    """A VideoStreamTrack of one colour (rgb24, `size` = (width, height))
    at 30 fps: a picture whose colour a test can check after decoding."""
    _media_imports()
    import av
    import numpy
    from aiortc import VideoStreamTrack

    class SolidTrack(VideoStreamTrack):
        def __init__(self):
            super().__init__()
            self.image = numpy.empty((size[1], size[0], 3), dtype=numpy.uint8)
            self.image[:, :] = colour

        async def recv(self):
            pts, time_base = await self.next_timestamp()
            frame = av.VideoFrame.from_ndarray(self.image, format="rgb24")
            frame.pts = pts
            frame.time_base = time_base
            return frame

    return SolidTrack()


def make_tracks():
    """A VP8-friendly moving colour pattern and an Opus-friendly 440 Hz tone."""
    _media_imports()
    import av
    import numpy
    from aiortc import MediaStreamTrack, VideoStreamTrack
    from aiortc.mediastreams import MediaStreamError

    class PatternVideoTrack(VideoStreamTrack):
        """320x240 at 30 fps: the background cycles through colours and a
        white bar sweeps across, so every frame differs."""

        def __init__(self, width=320, height=240):
            super().__init__()
            self.width, self.height = width, height
            self.count = 0

        async def recv(self):
            pts, time_base = await self.next_timestamp()
            self.count += 1
            image = numpy.empty((self.height, self.width, 3), dtype=numpy.uint8)
            image[:, :] = ((self.count * 3) % 256, (self.count * 5) % 256, (self.count * 7) % 256)
            x = (self.count * 4) % self.width
            image[:, x:x + 16] = 255
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = pts
            frame.time_base = time_base
            return frame

    class ToneAudioTrack(MediaStreamTrack):
        """48 kHz mono, 20 ms frames of a 440 Hz sine."""

        kind = "audio"
        RATE, SAMPLES = 48000, 960

        def __init__(self):
            super().__init__()
            self.start = None
            self.pts = 0

        async def recv(self):
            if self.readyState != "live":
                raise MediaStreamError
            if self.start is None:
                self.start = time.time()
            else:
                self.pts += self.SAMPLES
                await asyncio.sleep(max(0, self.start + self.pts / self.RATE - time.time()))
            t = (self.pts + numpy.arange(self.SAMPLES)) / self.RATE
            samples = (numpy.sin(2 * numpy.pi * 440 * t) * 8000).astype(numpy.int16)
            frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
            frame.sample_rate = self.RATE
            frame.pts = self.pts
            frame.time_base = fractions.Fraction(1, self.RATE)
            return frame

    return PatternVideoTrack(), ToneAudioTrack()


def new_peer_connection(ice_servers=None):
    """`ice_servers`: RTCIceServer dicts as /sdk/server.json has them
    ({"urls", "username", "credential"}); none: the only candidates are
    host candidates on the veth."""
    _media_imports()
    from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection
    servers = [RTCIceServer(urls=s["urls"], username=s.get("username"), credential=s.get("credential"))
               for s in ice_servers or []]
    return RTCPeerConnection(RTCConfiguration(iceServers=servers))


def jsep_of(description):
    return {"type": description.type, "sdp": description.sdp}


def check_bundle_codecs(sdp, what):
    """Every payload type means one codec across all m-lines of a BUNDLE, as
    browsers require ("BUNDLE group contains a codec collision")."""
    seen = {}
    for line in sdp.splitlines():
        if line.startswith("a=rtpmap:"):
            pt, codec = line[len("a=rtpmap:"):].split(" ", 1)
            codec = codec.strip().lower()
            check(seen.setdefault(pt, codec) == codec,
                  "%s maps payload type %s to both %s and %s" % (what, pt, seen[pt], codec))


class RtkClient:
    """One participant: a Janus session with a main handle (join, publish,
    configure, leave) and a subscriber handle whose offers it answers,
    counting the frames received from each remote participant."""

    def __init__(self, server, name, janus=None, ice_servers=None):
        """`janus`: the Janus API session to use (default: HTTP long-poll,
        JanusSession); `ice_servers`: for new_peer_connection()."""
        self.server = server
        self.name = name
        self.janus = janus or JanusSession(server)
        self.ice_servers = ice_servers
        self.main = None
        self.sub = None
        self.joined = None          # data of roomJoined
        self.published = None      # data of published
        self.pub_pc = None
        self.sub_pc = None
        self.streams = {}           # subscriber mid -> stream object
        self.frames = collections.defaultdict(lambda: {"audio": 0, "video": 0})
        self.offers_answered = 0
        self._changed = asyncio.Condition()   # frames counted, streams updated
        self._follower_error = None
        self._tasks = []
        _CLIENTS.append(self)

    @property
    def peer_id(self):
        return self.joined["self"]["id"]

    async def _blocking(self, function, *args, **kwargs):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, functools.partial(function, *args, **kwargs))

    async def request(self, handle, body, jsep=None, expect=None, timeout=10):
        """Sends a request; returns its reply event, which must be `expect`."""
        event = await self._blocking(self.janus.request, handle, body, jsep, timeout)
        if expect is not None:
            check(event.name == expect, "%s: %s: expected %s, got %r"
                  % (self.name, body.get("request"), expect, event))
        return event

    async def wait_event(self, rtk_name, handle=None, timeout=10, where=None):
        return await self._blocking(self.janus.wait_event, handle or self.main, rtk_name,
                                    timeout, where)

    # -- main handle

    async def connect(self):
        if self.janus.session_id is None:
            await self._blocking(self.janus.create)
        if self.main is None:
            self.main = await self._blocking(self.janus.attach)

    async def join(self, token, expect="roomJoined"):
        """join on the main handle; returns the reply's data (roomJoined, or
        `expect`: "waitlisted" for a join that waits)."""
        await self.connect()
        event = await self.request(self.main, {"request": "join", "token": token}, expect=expect)
        self.joined = event.data
        log("%s %s as %s" % (self.name, "joined" if expect == "roomJoined" else expect, self.peer_id))
        return event.data

    async def publish(self):
        """Publishes a VP8 video and an Opus audio track (send-only)."""
        event = await self.try_publish()
        check(event.name == "published", "%s: publish: expected published, got %r" % (self.name, event))
        return event.data

    async def try_publish(self):
        """Offers a VP8 video and an Opus audio track (send-only) and returns
        the reply event: `published` (its answer applied) or an error (the
        publishing PeerConnection closed again)."""
        self.pub_pc = new_peer_connection(self.ice_servers)
        video, audio = make_tracks()
        self.pub_pc.addTransceiver(audio, direction="sendonly")
        self.pub_pc.addTransceiver(video, direction="sendonly")
        await self.pub_pc.setLocalDescription(await self.pub_pc.createOffer())
        try:
            event = await self.request(self.main, {"request": "publish"},
                                       jsep=jsep_of(self.pub_pc.localDescription))
        except JanusError as error:
            raise TestFailure("%s: publish: the Janus core refused the offer before the plugin "
                              "saw it (%s)" % (self.name, error))
        if event.name != "published":
            # docs/protocol.md: the plugin closes the half-made PeerConnection
            # of a refused offer; Janus says `hangup` when it is gone, and only
            # then may the handle take a new offer.
            await self.pub_pc.close()
            self.pub_pc = None
            await self._blocking(self.janus.wait_event, self.main, "janus:hangup", 10)
            return event
        check(event.jsep and event.jsep.get("type") == "answer",
              "%s: published carries no JSEP answer: %r" % (self.name, event.message))
        from aiortc import RTCSessionDescription
        await self.pub_pc.setRemoteDescription(RTCSessionDescription(**event.jsep))
        self.published = event.data
        return event

    async def control(self, body, timeout=10):
        """A meeting control on the main handle (docs/protocol.md, "Meeting
        controls") that must be answered {"rtk": "ok", "request": name}."""
        event = await self.request(self.main, body, timeout=timeout)
        check(event.name == "ok" and event.data.get("request") == body.get("request"),
              "%s: %s: expected ok, got %r" % (self.name, json.dumps(body)[:160], event))
        return event

    async def refused(self, body, code, handle=None, jsep=None):
        """A request that must be refused with error `code`; returns the error event."""
        event = await self.request(handle or self.main, body, jsep=jsep)
        check_error(event, code, "%s: %s" % (self.name, json.dumps(body)[:160]))
        check(event.jsep is None, "%s: the refusal of %s carries a JSEP: %r"
              % (self.name, body.get("request"), event.jsep))
        return event

    async def configure(self, **media):
        event = await self.request(self.main, dict(media, request="configure"), expect="configured")
        return event.data

    async def leave(self):
        event = await self.request(self.main, {"request": "leave"}, expect="roomLeft")
        check(event.data.get("state") == "left",
              "%s: roomLeft state: expected 'left', got %r" % (self.name, event.data))
        return event.data

    # -- subscriber handle

    async def subscribe(self, token):
        """subscribe on a second handle, answering the offer (recvonly) and
        every `updated` offer that follows."""
        self.sub = await self._blocking(self.janus.attach)
        self.sub_pc = new_peer_connection(self.ice_servers)
        self.sub_pc.on("track", self._on_track)
        event = await self.request(self.sub, {"request": "subscribe", "token": token},
                                   expect="subscribed")
        await self._apply_streams(event)
        self._tasks.append(asyncio.ensure_future(self._follow_updates()))
        return event.data

    async def _apply_streams(self, event):
        for stream in event.data.get("streams") or []:
            self.streams[stream.get("mid")] = stream
        if event.jsep:
            await self._answer(event.jsep)
        await self._notify()

    async def _notify(self):
        async with self._changed:
            self._changed.notify_all()

    async def _answer(self, offer):
        from aiortc import RTCSessionDescription
        check(offer.get("type") == "offer", "%s: subscriber JSEP is not an offer: %r"
              % (self.name, offer.get("type")))
        check_bundle_codecs(offer.get("sdp", ""), "%s's subscriber offer" % self.name)
        await self.sub_pc.setRemoteDescription(RTCSessionDescription(**offer))
        self._route_new_ssrcs(offer.get("sdp", ""))
        await self.sub_pc.setLocalDescription(await self.sub_pc.createAnswer())
        await self.request(self.sub, {"request": "start"},
                           jsep=jsep_of(self.sub_pc.localDescription), expect="started")
        self.offers_answered += 1

    def _route_new_ssrcs(self, sdp):
        """aiortc 1.4 routes incoming RTP by the SSRCs each receiver had when
        it first started (and by payload type only when a single m-line uses
        it, never the case here: every subscriber m-line of a kind has the
        same payload type). When an `updated` offer reuses an inactive m-line
        for a new stream, the Janus core announces a new SSRC on it, and
        aiortc would drop its packets. Routes each m-line's media SSRC (its
        first a=ssrc) to the m-line's receiver, as a browser does."""
        first_ssrc = {}
        for section in sdp.replace("\r\n", "\n").split("\nm=")[1:]:
            mid, ssrc = None, None
            for line in section.split("\n"):
                if line.startswith("a=mid:"):
                    mid = line[len("a=mid:"):].strip()
                elif line.startswith("a=ssrc:") and ssrc is None:
                    ssrc = int(line[len("a=ssrc:"):].split()[0])
            if mid is not None and ssrc is not None:
                first_ssrc[mid] = ssrc
        for transceiver in self.sub_pc.getTransceivers():
            receiver = transceiver.receiver
            router = getattr(receiver.transport, "_rtp_router", None)
            if router is not None and transceiver.mid in first_ssrc:
                router.ssrc_table[first_ssrc[transceiver.mid]] = receiver

    async def _follow_updates(self):
        """Answers every `updated` offer; a failure is kept for the waiters."""
        while True:
            try:
                event = await self._blocking(self.janus.wait_event, self.sub, "updated", 3600)
                await self._apply_streams(event)
            except SessionClosed:
                return
            except Exception as error:  # reported by wait_until()
                self._follower_error = error
                await self._notify()
                return

    def _on_track(self, track):
        self._tasks.append(asyncio.ensure_future(self._count_frames(track)))

    def _mid_of(self, track):
        for transceiver in self.sub_pc.getTransceivers():
            if transceiver.receiver.track is track:
                return transceiver.mid
        return None

    async def _count_frames(self, track):
        from aiortc.mediastreams import MediaStreamError
        while True:
            try:
                await track.recv()
            except MediaStreamError:
                return
            stream = self.streams.get(self._mid_of(track)) or {}
            self.frames[stream.get("participantId")][track.kind] += 1
            await self._notify()

    async def wait_until(self, condition, timeout, describe):
        """Waits until condition() holds (re-checked whenever frames arrive or
        streams change); on timeout fails with describe()."""
        def done():
            return self._follower_error is not None or condition()
        try:
            async with self._changed:
                await asyncio.wait_for(self._changed.wait_for(done), timeout)
        except asyncio.TimeoutError:
            raise TestFailure("%s: %s within %ss" % (self.name, describe(), timeout))
        if self._follower_error is not None:
            raise TestFailure("%s: answering an `updated` offer failed: %s"
                              % (self.name, self._follower_error))

    async def wait_frames(self, peer_id, video=0, audio=0, timeout=30):
        """Waits until at least `video` video and `audio` audio frames were
        received from `peer_id`; returns the counts."""
        counts = self.frames[peer_id]
        await self.wait_until(
            lambda: counts["video"] >= video and counts["audio"] >= audio, timeout,
            lambda: "received %d video / %d audio frames from %s, expected >= %d / %d"
            % (counts["video"], counts["audio"], peer_id, video, audio))
        return dict(counts)

    def mids_of(self, peer_id):
        return sorted(mid for mid, s in self.streams.items() if s.get("participantId") == peer_id)

    async def wait_inactive(self, mids, timeout=10):
        """Waits until the subscriber m-lines `mids` are offered inactive."""
        await self.wait_until(lambda: all(self.streams[m].get("active") is False for m in mids),
                              timeout, lambda: "m-lines %r are not all inactive: %r"
                              % (mids, {m: self.streams.get(m) for m in mids}))

    async def check_stopped(self, peer_id, kinds, clock, clock_peer, clock_kind="video",
                            clock_frames=30, stray=5, what="stopped"):
        """After `kinds` of `peer_id` were stopped: waits until `clock` (an
        RtkClient, maybe self) decoded `clock_frames` more `clock_kind`
        frames from `clock_peer` (media flowed meanwhile: 30 video or 50
        audio frames are about a second), then checks that self decoded at
        most `stray` frames (in flight) of each of `kinds` from `peer_id` in
        that time. Returns the counts received meanwhile."""
        before = dict(self.frames[peer_id])
        ticks = clock.frames[clock_peer][clock_kind]
        await clock.wait_frames(clock_peer, **{clock_kind: ticks + clock_frames})
        got = {kind: self.frames[peer_id][kind] - before[kind] for kind in kinds}
        for kind in kinds:
            check(got[kind] <= stray,
                  "%s: received %d %s frames from %s after they %s (while %s received %d "
                  "%s frames from %s)" % (self.name, got[kind], kind, peer_id, what,
                                          clock.name, clock_frames, clock_kind, clock_peer))
        return got

    def streams_of(self, peer_id):
        """(kind, active) of the subscriber streams of `peer_id`, sorted."""
        return sorted((s.get("kind"), s.get("active")) for s in self.streams.values()
                      if s.get("participantId") == peer_id)

    async def wait_streams(self, peer_id, expected, timeout=10):
        """Waits until the offered streams of `peer_id` are `expected`, a
        sorted list of (kind, active)."""
        await self.wait_until(lambda: self.streams_of(peer_id) == expected, timeout,
                              lambda: "streams of %s: expected %r, got %r (all: %r)"
                              % (peer_id, expected, self.streams_of(peer_id), self.streams))

    # -- teardown

    def abandon(self):
        """Vanishes: no more polls or keepalives; Janus times the session out."""
        self.janus.abandon()

    async def close(self):
        for task in self._tasks:
            task.cancel()
        for pc in (self.pub_pc, self.sub_pc):
            if pc is not None:
                await pc.close()
        self.pub_pc = self.sub_pc = None
        await self._blocking(self.janus.destroy)
        if self in _CLIENTS:
            _CLIENTS.remove(self)


def docs_block(language, first_line, doc="rest.md"):
    """The fenced ```<language> block of docs/<doc> whose first line is
    `first_line` (the code, as text): tests run the documentation's examples."""
    with open(os.path.join(SRCDIR, "docs", doc)) as f:
        text = f.read()
    start = text.index("```%s\n%s\n" % (language, first_line)) + len("```%s\n" % language)
    return text[start:text.index("\n```\n", start) + 1]


def webhook_receiver_example():
    """rtk_public_key() and rtk_verified() of docs/rest.md's Python receiver
    (Verifying a delivery), as a dict of its globals."""
    code = docs_block("python", "# webhook_receiver.py - receives RTK webhooks and checks rtk-signature")
    example = {"__name__": "rtk_docs_webhook_receiver"}
    exec(compile(code, "docs/rest.md (webhook_receiver.py)", "exec"), example)
    return example



async def host_and_guest(server, meeting_id, timeout=20):
    """A host (group_call_host) and a guest (group_call_participant) join
    `meeting_id`, publish VP8 + Opus from aiortc and subscribe, and the
    guest decodes the host's media (30 video and 50 audio frames within
    `timeout` s). Returns (rests, host, guest), rests by client name."""
    rests = {"host": server.add_participant(meeting_id, "Host", "group_call_host"),
             "guest": server.add_participant(meeting_id, "Guest")}
    host, guest = RtkClient(server, "host"), RtkClient(server, "guest")
    for client in (host, guest):
        await client.join(rests[client.name]["token"])
        await client.publish()
    for client in (host, guest):
        await client.subscribe(rests[client.name]["token"])
    await guest.wait_frames(host.peer_id, 30, 50, timeout)
    return rests, host, guest

class WebhookReceiver:
    """An HTTP server on 127.0.0.1 (HTTPS with `tls` = (certfile, keyfile))
    that keeps every webhook delivery whose rtk-signature verifies with the
    server's published key, checked with the very code of docs/rest.md
    (rtk_public_key() and rtk_verified() of webhook_receiver.py), and, once
    `secret` is given, whose rtk-signature-v2 verifies over
    "<rtk-timestamp>.<body>" with a timestamp within TOLERANCE seconds of now.
    Every delivery's headers are kept in `headers` (lower-case names),
    in step with `deliveries`."""

    TOLERANCE = 300

    def __init__(self, tls=None, status=200):
        receiver = self
        self.deliveries, self.headers, self.bad, self.secret = [], [], [], None
        self.status = status
        example = webhook_receiver_example()
        self._public_key = None

        def public_key():
            if receiver._public_key is None:
                receiver._public_key = example["rtk_public_key"]("http://127.0.0.1:%d" % REST_PORT)
            return receiver._public_key

        def sign(data):
            return "sha256=" + hmac.new(receiver.secret.encode(), data, hashlib.sha256).hexdigest()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                event = example["rtk_verified"](public_key(), body, self.headers)
                timestamp = self.headers.get("rtk-timestamp", "")
                fresh = timestamp.isdigit() and abs(time.time() - int(timestamp)) <= receiver.TOLERANCE
                hmac_ok = receiver.secret is None or (
                    fresh and hmac.compare_digest(sign(timestamp.encode() + b"." + body),
                                                  self.headers.get("rtk-signature-v2", "")))
                if event is not None and hmac_ok:
                    receiver.headers.append({k.lower(): v for k, v in self.headers.items()})
                    receiver.deliveries.append(event)
                else:
                    receiver.bad.append(body)
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        scheme = "http"
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
            scheme = "https"
        self.url = "%s://127.0.0.1:%d/hooks" % (scheme, self.httpd.server_address[1])
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def statuses(self, rec_id):
        return [d["recording"]["status"] for d in self.deliveries
                if d["event"] == "recording.statusUpdate" and d["recording"]["id"] == rec_id]

    async def wait(self, condition, what, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if condition():
                return
            await asyncio.sleep(0.1)
        raise AssertionError("webhooks: %s; got %r" % (what, [
            (d["event"], (d.get("recording") or d).get("status")) for d in self.deliveries]))
