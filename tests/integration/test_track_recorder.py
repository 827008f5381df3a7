#!/usr/bin/python3
"""test_track_recorder.py - `rtk-recorder --tracks DIR` on its own (docs/companions.md,
"Per-track recordings"), fed over loopback by FFmpeg's RTP muxer, with no Janus:

  * three streams announced with their files: H.264 (libx264, SPS/PPS on
    keyframes) to a.mp4, VP8 to c.webm, Opus to b.webm; FFmpeg sends 6 s of
    each (pauses are test_track_recording.py's, in real time);
  * a stream command without "file", and one whose file is a path, are
    rejected and write nothing;
  * unstream finishes the VP8 file; a stream announced and never fed
    leaves no file; stop finishes the rest, the process exits 0 and
    "stopped" counts every file's bytes;
  * ffprobe: a.mp4 is h264 320x240, c.webm vp8 320x240, b.webm opus at
    48 kHz, each lasting the 6 s sent (5.5..6.3 s); the H.264 file decodes
    to its last frame without errors;
  * DIR holds exactly those three files.
"""

import json
import os
import select
import shutil
import subprocess
import tempfile
import time

from rtk_harness import BUILDDIR, check, check_equal, log, run_test, skip


class Companion:
    def __init__(self, directory):
        self.proc = subprocess.Popen([os.path.join(BUILDDIR, "rtk-recorder"), "--tracks", directory],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.events = []

    def send(self, command):
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()

    def wait(self, name, timeout=10):
        deadline = time.time() + timeout
        for event in self.events:
            if event["event"] == name:
                return event
        while time.time() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if not ready:
                continue
            line = self.proc.stdout.readline()
            if not line:
                break
            event = json.loads(line)
            self.events.append(event)
            if event["event"] == name:
                return event
        raise AssertionError("no %s event within %d s: %r" % (name, timeout, self.events))

    def drain(self):
        while select.select([self.proc.stdout], [], [], 0)[0]:
            line = self.proc.stdout.readline()
            if not line:
                return
            self.events.append(json.loads(line))


def ffprobe(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", path],
                         capture_output=True, check=False)
    check(out.returncode == 0, "ffprobe cannot read %s: %s" % (path, out.stderr.decode(errors="replace")))
    return json.loads(out.stdout)


def sender(port, seconds):
    url = "rtp://127.0.0.1:%d" % port
    return subprocess.Popen([
        "ffmpeg", "-v", "error",
        "-f", "lavfi", "-t", str(seconds), "-i", "testsrc=size=320x240:rate=30",
        "-f", "lavfi", "-t", str(seconds), "-i", "sine=frequency=440:sample_rate=48000",
        "-map", "0:v", "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "30",
        "-bsf:v", "dump_extra", "-ssrc", "1", "-payload_type", "96", "-f", "rtp", url,
        "-map", "0:v", "-c:v", "libvpx", "-deadline", "realtime", "-g", "30", "-b:v", "300k",
        "-ssrc", "3", "-payload_type", "97", "-f", "rtp", url,
        "-map", "1:a", "-c:a", "libopus", "-ssrc", "2", "-payload_type", "111", "-f", "rtp", url],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def main():
    if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
        skip("ffmpeg and ffprobe are needed")
    with tempfile.TemporaryDirectory() as directory:
        c = Companion(directory)
        port = c.wait("ready")["rtp_port"]
        c.wait("started")
        stream = {"cmd": "stream", "id": "p1", "source": "camera"}
        c.send(dict(stream, ssrc=9, codec="opus"))
        c.send(dict(stream, ssrc=8, codec="opus", file="../escape.webm"))
        c.send(dict(stream, ssrc=1, codec="h264", file="a.mp4"))
        c.send(dict(stream, ssrc=2, codec="opus", file="b.webm"))
        c.send(dict(stream, id="p2", ssrc=3, codec="vp8", file="c.webm"))
        ffmpeg = sender(port, 6)
        out, err = ffmpeg.communicate(timeout=60)
        check_equal(ffmpeg.returncode, 0, "ffmpeg sending RTP: %s" % err.decode(errors="replace")[-400:])
        time.sleep(0.5)
        c.send({"cmd": "unstream", "ssrc": 3})
        c.send(dict(stream, id="p2", ssrc=3, codec="vp8", file="d.webm"))   # announced, never fed: no file
        c.send({"cmd": "stop"})
        stopped = c.wait("stopped")
        check_equal(c.proc.wait(timeout=10), 0, "exit status after stop")
        c.drain()
        rejected = [e for e in c.events if e["event"] == "rejected"]
        check_equal(len(rejected), 2, "rejected stream commands (no file, a path): %r" % rejected)
        check(not [e for e in c.events if e["event"] == "track_failed"], "a track failed: %r" % c.events)

        files = sorted(os.listdir(directory))
        check_equal(files, ["a.mp4", "b.webm", "c.webm"], "files in DIR")
        total = sum(os.path.getsize(os.path.join(directory, f)) for f in files)
        check_equal(stopped["bytes"], total, "stopped.bytes")
        # FFmpeg sends 6 s of media (as fast as it encodes: the RTP timestamps
        # carry the time): every file holds that
        for name, codec in (("a.mp4", "h264"), ("b.webm", "opus"), ("c.webm", "vp8")):
            probe = ffprobe(os.path.join(directory, name))
            check_equal(len(probe["streams"]), 1, "%s: one stream" % name)
            s = probe["streams"][0]
            check_equal(s["codec_name"], codec, "%s: codec" % name)
            if codec == "opus":
                check_equal(s["sample_rate"], "48000", "%s: sample rate" % name)
            else:
                check_equal((s["width"], s["height"]), (320, 240), "%s: picture size" % name)
            duration = float(probe["format"]["duration"])
            check(5.5 <= duration <= 6.3, "%s: lasts %.2f s of the 6 s sent" % (name, duration))
            log("%s: %s %.2f s (6 s sent)" % (name, codec, duration))
        frames = subprocess.run(["ffmpeg", "-v", "error", "-i", os.path.join(directory, "a.mp4"), "-f", "null", "-"],
                                capture_output=True, check=False)
        check_equal((frames.returncode, frames.stderr.decode(errors="replace")), (0, ""),
                    "a.mp4 decodes without errors")


if __name__ == "__main__":
    run_test(main)
