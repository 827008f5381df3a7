#!/usr/bin/env node
// driver.js - the browser side of bench/join/run. One headless Chromium
// (Debian's, driven by playwright-core from tests/browser/node_modules)
// with the fake camera and microphone:
//   1. opens the two publishers, each in its own browser context: rtk.html
//      (the SDK, host preset) and videoroom.html (VideoRoom publisher), both
//      sending the same fake-camera picture, and waits until both encode;
//   2. then, join after join, opens a fresh context and page for one
//      subscriber (modes: "rtk" = the SDK with defaults audio and video on,
//      "rtk-recvonly" = the SDK with both off, "videoroom"), waits for the
//      page to be ready (for "rtk", init has acquired the camera and
//      microphone: the pre-call preview), calls window.benchJoin() and takes
//      its marks (probe.js) once the first remote frame is on screen, leaves,
//      closes the context and pauses.
// Reads its plan as JSON on argv[2]: {base, chromium, room, publisherToken,
// joins: [{mode, token?}], pauseMs, timeoutMs}. Prints one JSON line per
// step on stdout: {"phase": "publishers", ...}, {"phase": "join", mode,
// index, outcome, marks, stats, ...} for every join, then {"phase": "done"};
// {"phase": "error", message} when something it needs did not happen.

"use strict";

const path = require("path");
const { chromium } = require(path.join(__dirname, "..", "..", "tests", "browser", "node_modules", "playwright-core"));

const emit = (object) => process.stdout.write(JSON.stringify(object) + "\n");
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what, timeoutMs, probe) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value)
      return value;
    if (Date.now() > deadline)
      throw new Error("timed out after " + timeoutMs / 1000 + " s: " + what);
    await sleep(50);
  }
}

async function openPage(browser, url, errors) {
  const context = await browser.newContext({ viewport: { width: 640, height: 480 } });
  // Every page may use the camera and microphone, as a user who allowed them:
  // Chromium then gives its host candidates as addresses, not mDNS names.
  await context.grantPermissions(["camera", "microphone"]);
  const page = await context.newPage();
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text().slice(0, 300)); });
  page.on("pageerror", (e) => errors.push("pageerror: " + String(e).slice(0, 300)));
  await page.goto(url, { timeout: 90000 });
  await until(url + ": ready", 90000, () => page.evaluate(() => {
    if (window.benchError)
      throw new Error(window.benchError);
    return window.benchReady === true;
  }));
  return { context, page };
}

async function main() {
  const plan = JSON.parse(process.argv[2]);
  const browser = await chromium.launch({
    executablePath: plan.chromium,
    args: ["--no-sandbox", "--autoplay-policy=no-user-gesture-required",
           "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"],
  });
  const errors = [];
  try {
    const bench = plan.base + "/sdk/bench/";
    const rtkPub = await openPage(browser, bench + "rtk.html?role=publisher&token=" + encodeURIComponent(plan.publisherToken), errors);
    const vrPub = await openPage(browser, bench + "videoroom.html?role=publisher&room=" + plan.room, errors);
    const feed = await vrPub.page.evaluate(() => window.benchFeed);
    for (const [name, p] of [["rtk", rtkPub], ["videoroom", vrPub]])
      await until(name + " publisher sends video", 20000, () => p.page.evaluate(() => window.benchPublishing()));
    emit({ phase: "publishers", feed, chromium: browser.version() });
    await sleep(plan.pauseMs);

    for (let i = 0; i < plan.joins.length; i++) {
      const join = plan.joins[i];
      const url = join.mode === "videoroom"
        ? bench + "videoroom.html?role=subscriber&room=" + plan.room + "&feed=" + feed
        : bench + "rtk.html?role=subscriber&media=" + (join.mode === "rtk" ? "av" : "none") +
          "&token=" + encodeURIComponent(join.token);
      const pageErrors = [];
      let opened = null;
      let result;
      try {
        opened = await openPage(browser, url, pageErrors);
        await sleep(300);   // the preview camera (mode rtk) has started
        result = await opened.page.evaluate((t) => window.benchJoin(t), plan.timeoutMs);
      } catch (error) {
        result = { outcome: "error", message: String(error).slice(0, 1000),
                   marks: opened && await opened.page.evaluate(() => window.joinProbe.marks).catch(() => null) };
      }
      if (opened) {
        try {
          await Promise.race([opened.page.evaluate(() => window.benchLeave()), sleep(5000)]);
        } catch (error) {
          pageErrors.push("leave: " + String(error).slice(0, 300));
        }
        await opened.context.close();
      }
      emit(Object.assign({ phase: "join", index: i, mode: join.mode, errors: pageErrors }, result));
      await sleep(plan.pauseMs);
    }
    emit({ phase: "done", errors });
    return 0;
  } catch (error) {
    emit({ phase: "error", message: String(error && error.stack || error), errors });
    return 1;
  } finally {
    await browser.close();
  }
}

main().then((status) => process.exit(status), (error) => {
  emit({ phase: "error", message: "driver: " + (error && error.stack || String(error)) });
  process.exit(1);
});
