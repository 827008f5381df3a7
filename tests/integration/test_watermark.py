#!/usr/bin/python3
"""test_watermark.py - a recording with video_config.watermark.

Owns the watermark (docs/rest.md "Recordings"; media/watermark.h): an
aiortc participant publishes, and:
  * POST /v2/recordings with a watermark whose url is not http(s):// or
    data:, whose size is out of range or whose position is unknown: 422;
  * a red 32x32 PNG as a data: URI, size 64x48, position "right bottom",
    on a 640x360 H264 recording: the recording echoes the watermark in
    video_config, and in a frame decoded from the downloaded file the
    64x48 rectangle 16 pixels from the right and bottom edges is red (its
    inner pixels), and the pixels just outside it are not;
  * a blue PNG served over http by this test (size left out: its own
    32x32), position "left top": that rectangle is blue;
  * a watermark url where nobody listens: the recording is ERRORED with
    the error "cannot open the output: cannot fetch the watermark:
    Connection refused"; one that is not an image: "... the watermark is
    not a PNG or JPEG image".
"""

import asyncio
import base64
import http.server
import os
import subprocess
import tempfile
import threading
import urllib.request

from rtk_harness import RtkClient, Server, check, check_equal, log, run_test
from test_recording import wait_status

W, H = 640, 360


def png(colour, path):
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=%s:s=32x32" % colour,
                    "-frames:v", "1", path], check=True)
    with open(path, "rb") as f:
        return f.read()


def rgb_frame(server, rec, directory, at):
    request = urllib.request.Request(rec["download_url"], headers={"Authorization": server.auth_header()})
    path = os.path.join(directory, rec["output_file_name"])
    with urllib.request.urlopen(request, timeout=30) as response, open(path, "wb") as out:
        out.write(response.read())
    out = subprocess.run(["ffmpeg", "-v", "error", "-ss", "%.2f" % at, "-i", path, "-frames:v", "1",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=False)
    check(len(out.stdout) == W * H * 3, "cannot decode a frame of %s: %s" % (path, out.stderr.decode()))
    return out.stdout


def pixel(frame, x, y):
    i = (y * W + x) * 3
    return tuple(frame[i:i + 3])


def near(got, want, tolerance=40):
    return all(abs(a - b) <= tolerance for a, b in zip(got, want))


def check_rect(frame, x, y, w, h, colour, what):
    """The inner pixels of the rectangle are `colour`; those 3 pixels
    outside it are not."""
    inside = [(x + dx, y + dy) for dx in range(3, w - 3, 4) for dy in range(3, h - 3, 4)]
    wrong = [(p, pixel(frame, *p)) for p in inside if not near(pixel(frame, *p), colour)]
    check(not wrong, "%s: %d of %d pixels inside are not %r, e.g. %r" % (what, len(wrong), len(inside), colour,
                                                                        wrong[:3]))
    outside = [(x - 3, y + h // 2), (x + w + 2, y + h // 2), (x + w // 2, y - 3), (x + w // 2, y + h + 2)]
    for p in outside:
        if 0 <= p[0] < W and 0 <= p[1] < H:
            check(not near(pixel(frame, *p), colour), "%s: pixel %r outside is %r too" % (what, p,
                                                                                          pixel(frame, *p)))
    log("%s: %d pixels inside are %r, the edges around are not" % (what, len(inside), colour))


async def record(server, meeting_id, watermark, directory):
    rec = server.rest_ok("POST", "/v2/recordings", {"meeting_id": meeting_id,
                                                    "video_config": {"codec": "H264", "width": W, "height": H,
                                                                     "watermark": watermark}},
                         statuses=(201,))
    rec = await wait_status(server, rec["id"], ("RECORDING",))
    await asyncio.sleep(3)
    server.rest_ok("PUT", "/v2/recordings/%s" % rec["id"], {"action": "stop"})
    rec = await wait_status(server, rec["id"], ("UPLOADED",))
    return rec, rgb_frame(server, rec, directory, 1.5)


async def participant_refusals(server, host, host_rest, meeting_id):
    """A participant (the host's token, whose preset may record) cannot make
    the recorder fetch an http(s) URL: 403 over REST, 1003 over the SDK."""
    watermark = {"url": "http://10.0.0.1/logo.png"}
    status, reply = server.rest("POST", "/v2/recordings", {"meeting_id": meeting_id,
                                                           "video_config": {"watermark": watermark}},
                                auth="Bearer " + host_rest["token"])
    check_equal(status, 403, "a participant's http watermark over REST: %r" % (reply,))
    await host.refused({"request": "recording.start", "config": {"videoConfig": {"watermark": watermark}}}, "1003")
    log("participants: 403 / 1003 for an http(s) watermark")


def refusals(server, meeting_id):
    for bad in ({"url": "ftp://example.com/w.png"}, {"url": "data:"}, {"url": 5}, {},
                {"url": "http://example.com/w.png", "size": {"width": 0, "height": 10}},
                {"url": "http://example.com/w.png", "size": {"width": 10}},
                {"url": "http://example.com/w.png", "position": "center"}):
        status, reply = server.rest("POST", "/v2/recordings", {"meeting_id": meeting_id,
                                                               "video_config": {"watermark": bad}})
        check_equal(status, 422, "watermark %r: %r" % (bad, reply))
    log("refusals: 422 for bad urls, sizes and positions")


class Images(http.server.BaseHTTPRequestHandler):
    body = b""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


async def main():
    server = Server().start()
    meeting = server.create_meeting(title="Watermark")
    host_rest = server.add_participant(meeting["id"], "Host", "group_call_host")
    host = RtkClient(server, "host")
    await host.join(host_rest["token"])
    await host.publish()
    with tempfile.TemporaryDirectory() as directory:
        refusals(server, meeting["id"])
        await participant_refusals(server, host, host_rest, meeting["id"])
        red = "data:image/png;base64," + base64.b64encode(png("red", os.path.join(directory, "r.png"))).decode()
        watermark = {"url": red, "size": {"width": 64, "height": 48}, "position": "right bottom"}
        rec, frame = await record(server, meeting["id"], watermark, directory)
        check_equal(rec["video_config"]["watermark"], watermark, "the watermark echoed")
        check_rect(frame, W - 16 - 64, H - 16 - 48, 64, 48, (255, 0, 0), "data: red, right bottom")

        Images.body = png("blue", os.path.join(directory, "b.png"))
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Images)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        url = "http://127.0.0.1:%d/logo.png" % httpd.server_address[1]
        rec, frame = await record(server, meeting["id"], {"url": url, "position": "left top"}, directory)
        check_rect(frame, 16, 16, 32, 32, (0, 0, 255), "http blue, own size, left top")

        for url, error in (("http://127.0.0.1:1/logo.png", "cannot fetch the watermark: Connection refused"),
                           ("data:text/plain,hello", "the watermark is not a PNG or JPEG image")):
            rec = server.rest_ok("POST", "/v2/recordings", {"meeting_id": meeting["id"],
                                                            "video_config": {"watermark": {"url": url}}},
                                 statuses=(201,))
            rec = await wait_status(server, rec["id"], ("ERRORED",))
            check_equal(rec["error"], "cannot open the output: " + error, "error of watermark %s" % url)
        log("failures: ERRORED with the reason")
        httpd.shutdown()
    await host.close()
    server.stop()


if __name__ == "__main__":
    run_test(main)
