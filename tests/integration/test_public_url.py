#!/usr/bin/python3
"""test_public_url.py - RTK_PUBLIC_URL, the URL browsers reach the REST/HLS
port at (README "Configuration", docs/deploy.md "Ports").

Asserted:
  * `rtk render-conf` refuses a public URL that is not http(s)://, that has
    a path, or that holds a character no host has, and says so;
  * a server started with RTK_PUBLIC_URL=https://rtk.example.com/ (it
    listens on plain HTTP on loopback as usual: a proxy would hold TLS)
    hands out a livestream's playback_url under https://rtk.example.com/hls/
    and allows that origin on the Janus transports (the rendered
    allow_origin), while its REST answers on its own port as before.
"""

import os
import shutil
import subprocess
import tempfile

from rtk_harness import RtkClient, Server, SRCDIR, check, check_equal, log, run_test

PUBLIC = "https://rtk.example.com"


def render(public_url):
    """render-conf's exit status and output with RTK_PUBLIC_URL set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RTK_") or k == "RTK_TOP_SRCDIR"}
    env["RTK_PUBLIC_URL"] = public_url
    outdir = tempfile.mkdtemp(prefix="rtk-public-url-")
    try:
        result = subprocess.run([os.path.join(SRCDIR, "rtk"), "render-conf", os.path.join(outdir, "janus")],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    finally:
        shutil.rmtree(outdir, ignore_errors=True)
    return result.returncode, result.stdout.decode(errors="replace")


def refusals():
    for bad, why in (("ftp://rtk.example.com", "must start with http:// or https://"),
                     ("rtk.example.com", "must start with http:// or https://"),
                     ("https://rtk.example.com/app", "without a path"),
                     ("https://rtk.example.com\"x", "holds a character")):
        status, out = render(bad)
        check(status != 0 and why in out, "RTK_PUBLIC_URL=%s: status %d, %r" % (bad, status, out))
    status, out = render(PUBLIC + "/")
    check_equal(status, 0, "RTK_PUBLIC_URL=%s/: %s" % (PUBLIC, out))
    log("render-conf refuses a public URL with another scheme, a path or a stray character")


async def main():
    refusals()
    server = Server(env={"RTK_PUBLIC_URL": PUBLIC + "/"}).start()
    with open(os.path.join(server.conf_dir, "janus.transport.websockets.jcfg")) as f:
        check('allow_origin = "%s"' % PUBLIC in f.read(), "the WebSocket transport allows %s" % PUBLIC)
    meeting = server.create_meeting(title="Public URL")
    rest = server.add_participant(meeting["id"], "Host", "group_call_host")
    host = RtkClient(server, "host")
    await host.join(rest["token"])
    live = server.rest_ok("POST", "/v2/meetings/%s/livestreams" % meeting["id"], {}, statuses=(201,))
    check(live["playback_url"].startswith(PUBLIC + "/hls/"), "playback_url %r" % live["playback_url"])
    server.rest_ok("POST", "/v2/meetings/%s/active-livestream/stop" % meeting["id"])
    log("playback_url %s" % live["playback_url"])
    await host.close()
    server.stop()


if __name__ == "__main__":
    run_test(main)
