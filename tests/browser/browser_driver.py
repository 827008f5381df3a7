"""browser_driver.py - what the browser tests share: the tools they need and
the Node driver process they read reports from.

  * browser_tools(what, extra): node's path, or a failure naming what to
    install (node, Debian's chromium, playwright-core from npm, and any
    `extra` (path, npm prefix) pairs);
  * BrowserDriver(argv): a Node driver (hls_player.js, viewer_page.js, ...)
    in a child process that prints one JSON report per line, each with a
    "phase"; report(phase) reads the next one, say_stopped() writes
    "stopped" to it, close() ends it (end of input, SIGKILL after a bound);
    command(op, **args) sends one command line to a driver that answers
    each with a "reply" report (demo_pages.js) and returns its result;
  * until(what, probe, pred, timeout): polls probe() until pred holds on
    what it returned, fails with the last value after the bound.
"""

import asyncio
import json
import os
import shutil
import time

from rtk_harness import check

HERE = os.path.dirname(os.path.abspath(__file__))
CHROMIUM = os.environ.get("RTK_CHROMIUM") or "/usr/bin/chromium"
PLAYWRIGHT = os.path.join(HERE, "node_modules", "playwright-core", "package.json")


def browser_tools(what, extra=()):
    missing = []
    node = shutil.which("node")
    if node is None:
        missing.append("node (apt-get install nodejs npm)")
    if not os.access(CHROMIUM, os.X_OK):
        missing.append("%s (apt-get install chromium)" % CHROMIUM)
    for path, prefix in ((PLAYWRIGHT, HERE),) + tuple(extra):
        if not os.path.isfile(path):
            missing.append("%s (npm ci --prefix %s)" % (path, prefix))
    check(not missing, "%s needs: %s; ./rtk test installs them "
          "(RTK_SKIP_BROWSER=1 skips this test)" % (what, "; ".join(missing)))
    return node


class BrowserDriver:
    def __init__(self, argv, close_timeout=10):
        self.argv = list(argv)
        self.close_timeout = close_timeout
        self.proc = None
        self.stderr = []
        self.last_id = 0

    async def start(self):
        self.proc = await asyncio.create_subprocess_exec(
            *self.argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, limit=16 << 20)
        asyncio.ensure_future(self._drain_stderr())

    async def _drain_stderr(self):
        async for line in self.proc.stderr:
            self.stderr.append(line.decode(errors="replace").rstrip())

    async def report(self, phase, timeout):
        """The driver's next report, which must be `phase`."""
        try:
            line = await asyncio.wait_for(self.proc.stdout.readline(), timeout)
        except asyncio.TimeoutError:
            self.fail("no %r report from the browser within %d s" % (phase, timeout))
        if not line:
            await asyncio.wait_for(self.proc.wait(), 10)
            self.fail("the browser driver exited (status %s) before its %r report"
                      % (self.proc.returncode, phase))
        doc = json.loads(line)
        if doc.get("phase") != phase:
            self.fail("the browser reported %s, expected %r:\n%s"
                      % (doc.get("phase"), phase, json.dumps(doc, indent=1)[:6000]))
        return doc

    def fail(self, message):
        if self.stderr:
            message += "\ndriver stderr:\n" + "\n".join(self.stderr[-30:])
        check(False, message)

    def say_stopped(self):
        self.proc.stdin.write(b"stopped\n")

    async def command(self, op, timeout=90, **args):
        """One command to the driver; its result, or a failure with its error."""
        self.last_id += 1
        self.proc.stdin.write((json.dumps(dict(args, op=op, id=self.last_id)) + "\n").encode())
        doc = await self.report("reply", timeout)
        if doc.get("id") != self.last_id or "error" in doc:
            self.fail("%s %s: %s" % (op, json.dumps(args)[:300], doc.get("error") or doc))
        return doc.get("result")

    async def close(self):
        """End of its input (it closes Chromium and exits), SIGKILL if it
        is still there `close_timeout` seconds later."""
        if self.proc is None or self.proc.returncode is not None:
            return
        try:
            self.proc.stdin.close()
            await asyncio.wait_for(self.proc.wait(), self.close_timeout)
        except asyncio.TimeoutError:
            self.proc.kill()
            await self.proc.wait()


async def until(what, probe, pred, timeout, interval=0.2):
    """probe()'s value once pred(value) holds; a failure showing the last
    value when it did not within timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if pred(value):
            return value
        if time.monotonic() > deadline:
            check(False, "%s: not within %d s; last seen:\n%s" % (what, timeout, json.dumps(value, indent=1)[:8000]))
        await asyncio.sleep(interval)
