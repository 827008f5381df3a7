#!/usr/bin/python3
"""test_load_client.py - bench/load/rtk-load, the C load client, against the real server.

rtk-load creates a meeting and 6 participants over REST; 1 publisher replays a short VP8
simulcast (3 layers) + Opus clip (bench/load/make-clip), 5 subscribers complete ICE, DTLS and
SRTP with janus and count what they receive for 5 s. What a user of the benchmark sees: exit
status 0, every peer up, every subscriber received video and audio packets with under 5% loss
(sequence numbers), sent RTCP (receiver reports and PLIs), and saw keyframes; its JSON report
has the documented fields. A second run drops 5% of the received RTP on purpose (--drop 5): audio
(never NACKed, as browsers do) loses about 5%, and every video packet lost is NACKed, once; with
--rtcp-delay 5 (so that Janus's RTT estimate is not 0 ms and it keeps a retransmission buffer)
janus sends most of them again (late packets). Then a meeting of 4 participants held by two
rtk-load processes of 2 (--meeting, --barrier, --expect-publishers 4): both exit 0, every
participant receives the video of the 3 others, the two windows start within 0.2 s of each other,
and each report counts its client drops.
Publisher layers (docs/protocol.md "Forwarding policy", RTK_DYNACAST): when every subscriber asks
for substream 0 (--substream 0), the server tells the publisher to pause layers 1 and 2 after its
2.5 s hold; rtk-load's report then counts 2 paused layers through the window, their frames not
sent, and every subscriber still receives video (layer 0, keyframes). On a server with
RTK_DYNACAST=0 the same run pauses nothing, and its publisher sends more (the paused run's bitrate is
under 70% of it).
A livestream (bench/cascade's load): a livestream_host publisher (--publisher-preset) that joins
the stage (--stage) and sends video only (--no-audio: its offer's Opus inactive) and 3
livestream_viewer subscribers (--subscriber-preset): exit 0, every viewer up and receiving video
and no audio packet at all; without --stage the same publisher is refused (1501, not on stage)
and rtk-load exits 1.
A third run, on a janus that also loads Debian's janus.plugin.videoroom (as bench/sfu and
bench/scale do), uses --plugin videoroom: 1 publisher and 3 subscribers of a room rtk-load
creates, every one up and receiving video and audio, the report the same shape (plugin
"videoroom"), and the two-process meeting again in one room (VideoRoom subscribers take the other
process's publishers from the room's list). Skipped when the VideoRoom plugin is not installed.
"""

import glob
import json
import os
import shutil
import subprocess
import tempfile

from rtk_harness import BUILDDIR, SRCDIR, Server, check, check_equal, log, run_test, skip

LOAD = os.path.join(BUILDDIR, "bench", "load", "rtk-load")
MAKE_CLIP = os.path.join(SRCDIR, "bench", "load", "make-clip")
SUBSCRIBERS = 5
VIDEOROOM = (os.environ.get("RTK_VIDEOROOM_PLUGIN")
             or next(iter(sorted(glob.glob("/usr/lib/*/janus/plugins/libjanus_videoroom.so"))), None))


class ServerWithVideoRoom(Server):
    """Our janus, with Debian's VideoRoom in its plugins folder too (numeric room ids)."""

    def _render(self):
        super()._render()
        os.symlink(VIDEOROOM, os.path.join(self.conf_dir, "plugins", os.path.basename(VIDEOROOM)))
        with open(os.path.join(self.conf_dir, "janus.plugin.videoroom.jcfg"), "w") as f:
            f.write("general: {\n\tstring_ids = false\n}\n")


def main():
    if not os.access(LOAD, os.X_OK):
        libraries = subprocess.run(["pkg-config", "--exists", "nice", "libsrtp2", "openssl", "libcurl"])
        if libraries.returncode != 0:
            skip("bench/load/rtk-load is not built: no libnice-dev, libsrtp2-dev or libcurl4-openssl-dev")
        check(False, "%s is not built although its libraries are installed (configure, make)" % LOAD)
    if shutil.which("ffmpeg") is None:
        skip("ffmpeg is needed to make the clip")
    work = tempfile.mkdtemp(prefix="rtk-load-test-")
    try:
        clip = os.path.join(work, "clip")
        subprocess.run(["nice", MAKE_CLIP, clip, "2", "320x180"], check=True)
        with Server() as server:
            check_clean_run(server, clip, work)
            paused_kbps = check_paused_layers(server, clip, work)
            check_nacks(server, clip, work)
            check_two_processes(server, clip, work, "rtk")
            check_livestream(server, clip, work)
        with Server(env={"RTK_DYNACAST": "0"}) as server:
            full_kbps = check_no_dynacast(server, clip, work)
        check(paused_kbps < 0.7 * full_kbps,
              "the publisher sends less with layers 1 and 2 paused: %.0f kbit/s against %.0f with every layer"
              % (paused_kbps, full_kbps))
        if VIDEOROOM is None:
            log("no libjanus_videoroom.so: --plugin videoroom not checked")
        else:
            with ServerWithVideoRoom() as server:
                check_videoroom(server, clip, work)
                check_two_processes(server, clip, work, "videoroom")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_load(server, clip, work, *extra, subscribers=SUBSCRIBERS):
    """Runs rtk-load with 1 publisher and `subscribers` subscribers for 5 s; returns (exit status,
    output, JSON report)."""
    report_path = os.path.join(work, "report.json")
    argv = [LOAD, "--rest", server.rest_base, "--janus", server.janus_url,
            "--org-id", server.credentials["org_id"], "--api-key", server.credentials["api_key"],
            "--subscribers", str(subscribers), "--publishers", "1", "--duration", "5",
            "--settle", "1", "--clip", clip, "--json", report_path] + list(extra)
    log("running %s" % " ".join(argv))
    result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=90)
    output = result.stdout.decode(errors="replace")
    print(output, flush=True)
    with open(report_path) as f:
        report = json.load(f)
    os.unlink(report_path)
    return result.returncode, output, report


def check_clean_run(server, clip, work):
    status, output, report = run_load(server, clip, work)
    check_equal(status, 0, "rtk-load exit status")
    check("load: %d subscribers: client CPU" % SUBSCRIBERS in output, "the summary line is printed")
    check_equal(report["subscribers_up"], SUBSCRIBERS, "subscribers up")
    check_equal(report["publishers_up"], 1, "publishers up")
    check(report["cpu_s"] > 0 and report["cpu_s_per_subscriber"] > 0, "client CPU measured: %r" % report)
    # one report per stream and second: 2 streams x 5 s x SUBSCRIBERS, give or take a tick
    check(report["rtcp_sent"] >= SUBSCRIBERS * 2 * 4, "receiver reports sent: %d" % report["rtcp_sent"])
    check(report["video"]["jitter_ms_p99"] >= report["video"]["jitter_ms_p50"] >= 0, "jitter percentiles")
    for sub in report["per_subscriber"]:
        what = "subscriber %d (%r)" % (sub["index"], sub)
        check_equal(sub["state"], "up", what + " state")
        # substream 0 of 30 fps VP8: a few hundred packets in 5 s; Opus 50 a second
        check(sub["video_packets"] >= 100, what + ": video packets")
        check(sub["audio_packets"] >= 200, what + ": audio packets")
        check(sub["video_loss_pct"] < 5 and sub["audio_loss_pct"] < 5, what + ": loss under 5%")
        check(sub["keyframes"] >= 2, what + ": keyframes (one a second in the clip)")


def check_paused_layers(server, clip, work):
    """Every subscriber on substream 0: layers 1 and 2 paused for the whole window; returns the
    publisher's kbit/s."""
    status, output, report = run_load(server, clip, work, "--substream", "0", "--settle", "4")
    check_equal(status, 0, "rtk-load --substream 0 exit status")
    layers = report["publisher_layers"]
    log("every subscriber on substream 0: %r; publisher %.0f kbit/s" % (layers, report["publishers_kbps"]))
    check_equal(report["paused_layers"], 2, "layers the publisher paused (%r)" % layers)
    check_equal(layers["paused_by_substream"], [0, 1, 1], "paused substreams")
    check(layers["events"] >= 1, "publisherLayers events taken: %r" % layers)
    check_equal(layers["paused_at_window_start"], 2, "layers paused when the window started (%r)" % layers)
    # 5 s at 30 fps, two layers
    check(layers["frames_not_sent"] >= 250, "frames of the paused layers not sent in the window: %r" % layers)
    for sub in report["per_subscriber"]:
        what = "subscriber %d on substream 0 (%r)" % (sub["index"], sub)
        check(sub["video_packets"] >= 100, what + ": video packets")
        check(sub["video_loss_pct"] < 5, what + ": loss under 5%")
        check(sub["keyframes"] >= 2, what + ": keyframes")
    return report["publishers_kbps"]


def check_no_dynacast(server, clip, work):
    """The same on RTK_DYNACAST=0: nothing paused; returns the publisher's kbit/s."""
    status, output, report = run_load(server, clip, work, "--substream", "0", "--settle", "4", subscribers=2)
    check_equal(status, 0, "rtk-load on RTK_DYNACAST=0: exit status")
    check_equal(report["paused_layers"], 0, "layers paused with RTK_DYNACAST=0 (%r)" % report["publisher_layers"])
    check_equal(report["publisher_layers"]["frames_not_sent"], 0, "frames not sent with RTK_DYNACAST=0")
    log("RTK_DYNACAST=0: publisher %.0f kbit/s" % report["publishers_kbps"])
    return report["publishers_kbps"]


def check_nacks(server, clip, work):
    status, output, report = run_load(server, clip, work, "--drop", "5", "--rtcp-delay", "5", "--settle", "3")
    check_equal(status, 0, "rtk-load --drop 5 exit status")
    check_equal(report["srtp_errors"], 0, "SRTP errors")
    # the drop is real: audio (never NACKed, as browsers do) loses about 5% (+-0.6 over 1250 packets)
    check(3.0 < report["audio"]["loss_pct"] < 8.0, "audio loss near 5%%: %.2f%%" % report["audio"]["loss_pct"])
    # every video packet still missing was NACKed (once); janus's retransmissions (late_packets)
    # fill some of the gaps, so there are at least as many NACKs as video packets still lost
    lost = report["video"]["lost"]
    check(report["nacks_sent"] > 0 and report["nacks_sent"] + 2 * SUBSCRIBERS >= lost,
          "NACKs sent (%d) for the %d video packets lost" % (report["nacks_sent"], lost))
    check(report["nacks_sent"] <= report["video"]["expected"] * 0.10,
          "NACKs (%d) only for what was dropped (~5%% of %d)" % (report["nacks_sent"], report["video"]["expected"]))
    # Janus keeps a retransmission buffer once its RTT estimate changed from 0 ms (--rtcp-delay):
    # it resends what was NACKed but the first second's (and the 5% of resent packets dropped again)
    check(report["late_packets"] >= 0.7 * report["nacks_sent"],
          "janus resent %d of the %d NACKed packets" % (report["late_packets"], report["nacks_sent"]))
    log("janus resent %d of the %d NACKed packets" % (report["late_packets"], report["nacks_sent"]))


def check_livestream(server, clip, work):
    """A livestream_host on stage sending video only, 3 livestream_viewers; then off stage: 1501."""
    presets = ["--publisher-preset", "livestream_host", "--subscriber-preset", "livestream_viewer", "--no-audio"]
    status, output, report = run_load(server, clip, work, "--stage", *presets, subscribers=3)
    check_equal(status, 0, "rtk-load livestream (--stage --no-audio) exit status")
    check_equal((report["subscribers_up"], report["publishers_up"]), (3, 1), "livestream viewers and host up")
    check_equal(report["audio"]["packets"], 0, "audio packets with --no-audio")
    for sub in report["per_subscriber"]:
        what = "livestream viewer %d (%r)" % (sub["index"], sub)
        check_equal(sub["state"], "up", what + " state")
        check(sub["video_packets"] >= 100 and sub["video_loss_pct"] < 5, what + ": video packets, loss under 5%")
    argv = [LOAD, "--rest", server.rest_base, "--janus", server.janus_url, "--org-id", server.credentials["org_id"],
            "--api-key", server.credentials["api_key"], "--subscribers", "1", "--publishers", "1", "--duration", "2",
            "--clip", clip] + presets
    result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=90)
    output = result.stdout.decode(errors="replace")
    check_equal(result.returncode, 1, "rtk-load exit status with a livestream_host off stage")
    check('"1501"' in output, "the publish off stage refused with 1501: %s" % output[-600:])
    log("livestream: 3 viewers received the host's video only; off stage the host's publish got 1501")


def check_videoroom(server, clip, work):
    status, output, report = run_load(server, clip, work, "--plugin", "videoroom", "--room", "4321",
                                      subscribers=3)
    check_equal(status, 0, "rtk-load --plugin videoroom exit status")
    check("load: 3 subscribers: client CPU" in output, "the summary line is printed")
    check_equal(report["plugin"], "videoroom", "plugin in the report")
    check_equal(report["subscribers_up"], 3, "VideoRoom subscribers up")
    check_equal(report["publishers_up"], 1, "VideoRoom publishers up")
    check_equal(report["srtp_errors"], 0, "SRTP errors")
    for sub in report["per_subscriber"]:
        what = "VideoRoom subscriber %d (%r)" % (sub["index"], sub)
        check_equal(sub["state"], "up", what + " state")
        check(sub["video_packets"] >= 100, what + ": video packets")
        check(sub["audio_packets"] >= 200, what + ": audio packets")
        check(sub["video_loss_pct"] < 5 and sub["audio_loss_pct"] < 5, what + ": loss under 5%")
        check(sub["keyframes"] >= 2, what + ": keyframes")


def check_two_processes(server, clip, work, plugin):
    """4 participants of one meeting (rtk) or room (VideoRoom) over two rtk-load processes of 2."""
    barrier = tempfile.mkdtemp(dir=work)
    where = ["--room", "5678"] if plugin == "videoroom" else ["--meeting", server.create_meeting()["id"]]
    procs = []
    for i in range(2):
        report = os.path.join(work, "meeting-%d.json" % i)
        argv = [LOAD, "--rest", server.rest_base, "--janus", server.janus_url, "--plugin", plugin,
                "--org-id", server.credentials["org_id"], "--api-key", server.credentials["api_key"],
                "--participants", "2", "--first-index", str(2 * i), "--expect-publishers", "4",
                "--barrier", barrier, "--barrier-count", "2", "--duration", "3", "--settle", "1",
                "--clip", clip, "--json", report] + where
        log("running %s" % " ".join(argv))
        procs.append((subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT), report))
    reports = []
    for proc, report in procs:
        output = proc.communicate(timeout=120)[0].decode(errors="replace")
        print(output, flush=True)
        check_equal(proc.returncode, 0, "%s two-process meeting: rtk-load exit status" % plugin)
        with open(report) as f:
            reports.append(json.load(f))
    starts = [r["window_start"] for r in reports]
    check(max(starts) - min(starts) < 0.2, "the two windows start together: %r" % starts)
    for n, r in enumerate(reports):
        check_equal(r["subscribers_up"], 2, "process %d: participants up" % n)
        check("client_drops" in r and "client_drops_pct" in r, "process %d reports its client drops" % n)
        for sub in r["per_subscriber"]:
            what = "%s process %d participant %d (%r)" % (plugin, n, sub["index"], sub)
            # the other process's 2 publishers and its own process's other one
            check_equal(sub["video_streams"], 3, what + ": video streams received")
            check(sub["video_packets"] >= 100 and sub["audio_packets"] >= 200, what + ": packets")


if __name__ == "__main__":
    run_test(main)
