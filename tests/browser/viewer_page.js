#!/usr/bin/env node
// viewer_page.js - the browser side of test_viewer_page.py: headless
// Chromium (playwright-core) opens the gateway's livestream viewer page
// (/viewer/<id>, sdk/viewer/) and reports what a viewer sees, as JSON lines
// on stdout:
//   {"phase": "playing", ...}  the page says "Live" and the video has played
//                              for --play-seconds (frames, currentTime, the
//                              state pill, the latency chip), after a
//                              screenshot to --screenshot; or
//                              {"phase": "error", ...} if it never did;
//   then, on a line "stopped" on stdin (the test stopped the livestream):
//   {"phase": "ended", ...}    the page's state once it says "Ended", or
//                              after --end-timeout with what it shows;
//   then {"phase": "nohls", ...}: the same page in a new tab where every
//                              /sdk/vendor/ request is answered 404, as on a
//                              server without the npm install.
// Assertions are the test's; this script only measures. Its snapshot()
// (what the viewer page shows) is also used by demo_pages.js.
//
// usage: node viewer_page.js --page URL --screenshot FILE [--chromium PATH]
//        [--play-seconds 4] [--start-timeout 40] [--end-timeout 20]

"use strict";

const path = require("path");
const readline = require("readline");
const { chromium } = require(path.join(__dirname, "node_modules", "playwright-core"));

function parseArgs(argv) {
  const args = { chromium: "/usr/bin/chromium", playSeconds: 4, startTimeout: 40, endTimeout: 20 };
  const names = { "--page": "page", "--chromium": "chromium", "--play-seconds": "playSeconds",
                  "--start-timeout": "startTimeout", "--end-timeout": "endTimeout",
                  "--screenshot": "screenshot" };
  for (let i = 0; i < argv.length; i += 2) {
    const name = names[argv[i]];
    if (!name || i + 1 >= argv.length)
      throw new Error("bad argument " + argv[i]);
    args[name] = ["page", "chromium", "screenshot"].includes(name) ? argv[i + 1] : Number(argv[i + 1]);
  }
  if (!args.page || !args.screenshot)
    throw new Error("--page URL and --screenshot FILE are required");
  return args;
}

const emit = (object) => process.stdout.write(JSON.stringify(object) + "\n");
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// What the viewer shows, read from the page as a user would see it.
function snapshot(page) {
  return page.evaluate(() => {
    const video = document.getElementById("video");
    const quality = video && video.getVideoPlaybackQuality ? video.getVideoPlaybackQuality() : {};
    const visible = (id) => {
      const el = document.getElementById(id);
      return !!el && !el.hidden && el.offsetParent !== null;
    };
    const text = (id) => (document.getElementById(id) || {}).textContent || "";
    const v = window.rtkViewer || {};
    return {
      now: performance.now(),
      state: document.body.dataset.state,
      pill: text("state"),
      latencyChip: visible("latency") ? text("latency") : null,
      overlay: visible("overlay") ? text("overlay-text") : null,
      problem: visible("problem") ? { title: text("problem-title"), text: text("problem-text") } : null,
      playerShown: visible("player"),
      latency: v.latency === undefined ? null : v.latency,
      lowLatencyMode: v.hls ? v.hls.lowLatencyMode : null,
      hlsVersion: v.hls && v.hls.constructor ? v.hls.constructor.version : null,
      currentTime: video ? video.currentTime : 0,
      paused: video ? video.paused : true,
      videoWidth: video ? video.videoWidth : 0,
      totalVideoFrames: quality.totalVideoFrames || 0
    };
  });
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const lines = readline.createInterface({ input: process.stdin });
  const stopped = new Promise((resolve) => {
    lines.on("line", (line) => { if (line.trim() === "stopped") resolve(true); });
    lines.on("close", () => resolve(false));
  });
  const browser = await chromium.launch({
    executablePath: args.chromium,
    args: ["--no-sandbox", "--autoplay-policy=no-user-gesture-required"]
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const consoleErrors = [];
    const responses = [];
    page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text().slice(0, 300)); });
    page.on("pageerror", (e) => consoleErrors.push("pageerror: " + String(e).slice(0, 300)));
    page.on("response", (r) => {
      const url = new URL(r.url());
      if (!url.pathname.startsWith("/hls/"))
        responses.push({ path: url.pathname, status: r.status(), type: r.headers()["content-type"] || null });
    });
    await page.goto(args.page);

    let snap;
    const deadline = Date.now() + args.startTimeout * 1000;
    for (;;) {
      snap = await snapshot(page);
      if (snap.state === "live" && snap.currentTime > 0 && !snap.paused)
        break;
      if (snap.state === "error" || Date.now() > deadline) {
        emit({ phase: "error", message: "the viewer page did not reach Live", snap, consoleErrors, responses });
        return 1;
      }
      await sleep(100);
    }
    const first = snap;
    const samples = [];
    const playDeadline = Date.now() + args.playSeconds * 1000;
    while (Date.now() < playDeadline) {
      await sleep(500);
      samples.push(await snapshot(page));
    }
    const last = samples[samples.length - 1];
    await page.screenshot({ path: args.screenshot });
    emit({ phase: "playing", first, last, wallSeconds: (last.now - first.now) / 1000,
           latencyChips: samples.map((s) => s.latencyChip), consoleErrors, responses });

    if (!(await stopped))
      return 2;
    const stoppedAt = Date.now();
    for (;;) {
      snap = await snapshot(page);
      if (snap.state === "ended" || Date.now() > stoppedAt + args.endTimeout * 1000)
        break;
      await sleep(100);
    }
    emit({ phase: "ended", afterStopMs: Date.now() - stoppedAt, snap });

    const bare = await context.newPage();
    await bare.route("**/sdk/vendor/**", (route) => route.fulfill({ status: 404, body: "no such file\n" }));
    await bare.goto(args.page);
    const bareDeadline = Date.now() + 15000;
    for (;;) {
      snap = await snapshot(bare);
      if (snap.state === "error" || Date.now() > bareDeadline)
        break;
      await sleep(100);
    }
    emit({ phase: "nohls", snap });
    return 0;
  } finally {
    lines.close();
    await browser.close();
  }
}

module.exports = { snapshot };

if (require.main === module)
  main().then((status) => process.exit(status), (error) => {
    emit({ phase: "error", message: "driver: " + (error && error.stack || String(error)) });
    process.exit(1);
  });
