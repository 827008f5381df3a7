#!/usr/bin/env node
// sdk_publish.js - a publisher for tests that receive with aiortc: one
// headless Chromium (playwright-core, fake camera and microphone) opens the
// bare SDK test page, asks for a 1280x720 camera, joins and publishes
// (simulcast by default), waits until the server acknowledged every video
// layer it sends (after that Chromium no longer tags packets with their
// rid), and reports {"phase": "published", "id", "layers": [{rid,
// frameWidth}]}. It keeps publishing until its input ends, then closes
// Chromium and reports {"phase": "done", "consoleErrors"}. A failure
// reports {"phase": "error", "message"}.
//
// usage: node sdk_publish.js --url URL [--chromium PATH]

"use strict";

const path = require("path");
const readline = require("readline");
const { chromium } = require(path.join(__dirname, "node_modules", "playwright-core"));

const { emit, sleep, until, parseArgs, layersAcknowledged } = require(path.join(__dirname, "driver_util.js"));

async function main() {
  const args = parseArgs(process.argv.slice(2), { "--url": "url", "--chromium": "chromium" });
  if (!args.url)
    throw new Error("usage: sdk_publish.js --url URL [--chromium PATH]");
  const ended = new Promise((resolve) => readline.createInterface({ input: process.stdin }).on("close", resolve));
  const browser = await chromium.launch({ executablePath: args.chromium,
    args: ["--no-sandbox", "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"] });
  const consoleErrors = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(["camera", "microphone"]);
    const page = await context.newPage();
    page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text().slice(0, 400)); });
    page.on("pageerror", (e) => consoleErrors.push("pageerror: " + String(e).slice(0, 400)));
    await page.goto(args.url);
    await until("window.rtkMeeting (init)", 20000, () => page.evaluate(() =>
      ({ ok: !!window.rtkMeeting, error: window.rtkError || null })));
    await page.evaluate(async () => {
      await window.rtkMeeting.self.updateVideoConstraints({ width: { exact: 1280 }, height: { exact: 720 } });
      await window.rtkMeeting.join();
    });
    await until("joined", 20000, () => page.evaluate(() => ({ ok: window.rtkMeeting.self.roomState === "joined" })));
    const layers = (await until("the server acknowledged the video layers", 30000,
      () => page.evaluate(layersAcknowledged))).outbound.map((o) => ({ rid: o.rid, frameWidth: o.frameWidth }));
    emit({ phase: "published", id: await page.evaluate(() => window.rtkMeeting.self.id), layers });
    await ended;
    emit({ phase: "done", consoleErrors });
  } finally {
    await browser.close();
  }
}

main().then(() => process.exit(0), (error) => {
  emit({ phase: "error", message: String(error && error.stack || error) });
  process.exit(1);
});
