#!/usr/bin/env node
// hls_player.js - the browser side of test_hls_js.py: headless Chromium
// (playwright-core) opens hls_player.html, which plays a livestream with
// hls.js in lowLatencyMode, and this script reports what the viewer saw, as
// JSON lines on stdout:
//   {"phase": "playing", ...}  once the video has played for --play-seconds
//                              (or {"phase": "error", ...} if it never did);
//   then it waits for a line "stopped" on stdin (the test stopped the
//   livestream; end of input instead: it closes the browser and exits) and
//   reports
//   {"phase": "ended", ...}    when hls.js saw the playlist end (a level
//                              update with live false, or the video's ended
//                              event), or after --end-timeout with what it saw.
// Assertions are the test's; this script only measures.
//
// usage: node hls_player.js --page URL [--chromium PATH] [--play-seconds 5]
//        [--start-timeout 30] [--end-timeout 15] [--debug-log FILE]
// --debug-log: the page runs hls.js with debug: true, and every console
// message of the page goes to FILE.

"use strict";

const fs = require("fs");
const path = require("path");
const readline = require("readline");
const { chromium } = require(path.join(__dirname, "node_modules", "playwright-core"));

function parseArgs(argv) {
  const args = { chromium: "/usr/bin/chromium", playSeconds: 5, startTimeout: 30, endTimeout: 15 };
  const names = { "--page": "page", "--chromium": "chromium", "--play-seconds": "playSeconds",
                  "--start-timeout": "startTimeout", "--end-timeout": "endTimeout",
                  "--debug-log": "debugLog" };
  for (let i = 0; i < argv.length; i += 2) {
    const name = names[argv[i]];
    if (!name || i + 1 >= argv.length)
      throw new Error("bad argument " + argv[i]);
    args[name] = ["page", "chromium", "debugLog"].includes(name) ? argv[i + 1] : Number(argv[i + 1]);
  }
  if (!args.page)
    throw new Error("--page URL is required");
  return args;
}

function emit(object) {
  process.stdout.write(JSON.stringify(object) + "\n");
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// What the page knows, read in one evaluate.
function snapshot(page) {
  return page.evaluate(() => {
    const video = document.getElementById("video");
    const quality = video.getVideoPlaybackQuality ? video.getVideoPlaybackQuality() : {};
    const hls = window.hls;
    const rtk = window.rtk;
    const buffered = [];
    for (let i = 0; i < video.buffered.length; i++)
      buffered.push([video.buffered.start(i), video.buffered.end(i)]);
    return {
      now: performance.now(),
      currentTime: video.currentTime,
      paused: video.paused,
      ended: video.ended,
      readyState: video.readyState,
      totalVideoFrames: quality.totalVideoFrames || 0,
      droppedVideoFrames: quality.droppedVideoFrames || 0,
      buffered: buffered,
      hls: hls ? {
        lowLatencyMode: hls.lowLatencyMode,
        latency: hls.latency,
        targetLatency: hls.targetLatency,
        maxLatency: hls.maxLatency,
        drift: hls.drift,
        liveSyncPosition: hls.liveSyncPosition
      } : null,
      page: {
        supported: rtk.supported,
        hlsVersion: rtk.hlsVersion,
        manifestParsed: rtk.manifestParsed,
        levelUpdates: rtk.levelUpdates,
        firstLevel: rtk.firstLevel,
        lastLevel: rtk.lastLevel,
        notLive: rtk.notLive,
        fragLoaded: rtk.fragLoaded,
        partLoaded: rtk.partLoaded,
        loads: rtk.loads,
        errors: rtk.errors,
        videoEvents: rtk.videoEvents,
        ended: rtk.ended,
        playError: rtk.playError || null,
        switches: rtk.switches,
        forcedAt: rtk.forcedAt,
        levelHeights: rtk.levelHeights,
        currentLevel: hls ? hls.currentLevel : null,
        videoHeight: video.videoHeight
      }
    };
  });
}

function fatalOf(snap) {
  return snap.page.errors.find((e) => e.fatal) || null;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const lines = readline.createInterface({ input: process.stdin });
  const stopped = new Promise((resolve) => {
    lines.on("line", (line) => { if (line.trim() === "stopped") resolve(true); });
    lines.on("close", () => resolve(false));   // the test gave up: end now
  });

  const browser = await chromium.launch({
    executablePath: args.chromium,
    args: ["--no-sandbox", "--autoplay-policy=no-user-gesture-required",
           "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
  });
  try {
    const page = await browser.newPage();
    const playlists = [];   // every playlist answer: {t, url, status}
    const failed = [];      // requests that got no answer
    const console_ = [];    // the page's console errors and warnings
    const t0 = Date.now();
    page.on("response", (response) => {
      const url = response.url();
      if (!new URL(url).pathname.endsWith(".m3u8"))
        return;
      const entry = { t: Date.now() - t0, url: url, status: response.status() };
      playlists.push(entry);
      if (playlists.length <= 3)   // the first playlists, as text, for the report
        response.text().then((text) => { entry.text = text; }, () => {});
    });
    page.on("requestfailed", (request) => {
      failed.push({ t: Date.now() - t0, url: request.url(), error: request.failure() && request.failure().errorText });
    });
    const debugLog = args.debugLog ? fs.createWriteStream(args.debugLog) : null;
    page.on("console", (message) => {
      if (debugLog)
        debugLog.write((Date.now() - t0) + " " + message.type() + ": " + message.text() + "\n");
      if (message.type() === "error" || message.type() === "warning")
        console_.push(message.type() + ": " + message.text().slice(0, 300));
    });
    page.on("pageerror", (error) => console_.push("pageerror: " + String(error).slice(0, 300)));
    const requestsSummary = () => ({
      playlistRequests: playlists.length,
      blockingPlaylistRequests: playlists.filter((r) => /[?&]_HLS_msn=/.test(r.url)).length,
      partRequests: playlists.filter((r) => /[?&]_HLS_part=/.test(r.url)).length,
      playlistErrors: playlists.filter((r) => r.status !== 200),
      firstPlaylists: playlists.slice(0, 3),
      lastPlaylistRequests: playlists.slice(-5).map((r) => ({ t: r.t, url: r.url, status: r.status })),
      failedRequests: failed.slice(-10),
      console: console_.slice(-10)
    });

    await page.goto(args.debugLog ? args.page + "&debug=1" : args.page);
    let snap = await snapshot(page);
    if (!snap.page.supported) {
      emit({ phase: "error", message: "Hls.isSupported() is false in this Chromium (no MSE?)", snap: snap });
      return 1;
    }

    // Wait until the video plays: time advances, not paused, data to play.
    const startDeadline = Date.now() + args.startTimeout * 1000;
    for (;;) {
      snap = await snapshot(page);
      if (fatalOf(snap)) {
        emit({ phase: "error", message: "fatal hls.js error before playback", fatal: fatalOf(snap),
               snap: snap, requests: requestsSummary() });
        return 1;
      }
      if (snap.currentTime > 0 && !snap.paused && snap.readyState >= 3)
        break;
      if (Date.now() > startDeadline) {
        emit({ phase: "error", message: "the video did not start playing within " + args.startTimeout + " s",
               snap: snap, requests: requestsSummary() });
        return 1;
      }
      await sleep(100);
    }
    const startupMs = Date.now() - t0;

    // Play for --play-seconds, sampling the latency twice a second.
    const first = snap;
    const samples = [];
    const playDeadline = Date.now() + args.playSeconds * 1000;
    while (Date.now() < playDeadline) {
      await sleep(500);
      snap = await snapshot(page);
      samples.push({ currentTime: snap.currentTime, latency: snap.hls.latency, frames: snap.totalVideoFrames });
    }
    const last = snap;
    emit({ phase: "playing", startupMs: startupMs, first: first, last: last,
           wallSeconds: (last.now - first.now) / 1000, samples: samples, requests: requestsSummary() });

    // The test stops the livestream, then says "stopped".
    if (!(await stopped))
      return 2;
    const stoppedAt = Date.now();
    const endDeadline = stoppedAt + args.endTimeout * 1000;
    for (;;) {
      snap = await snapshot(page);
      if (snap.page.notLive || snap.page.ended || Date.now() > endDeadline)
        break;
      await sleep(100);
    }
    const playlistsAfterStop = playlists.filter((r) => r.t >= stoppedAt - t0);
    emit({ phase: "ended", afterStopMs: Date.now() - stoppedAt, snap: snap,
           playlistsAfterStop: playlistsAfterStop.slice(-10).map((r) => ({ t: r.t - (stoppedAt - t0), url: r.url, status: r.status })),
           requests: requestsSummary() });
    return 0;
  } finally {
    lines.close();
    await browser.close();
  }
}

main().then((status) => process.exit(status), (error) => {
  emit({ phase: "error", message: "driver: " + (error && error.stack || String(error)) });
  process.exit(1);
});
