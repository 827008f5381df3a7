#!/usr/bin/env node
// sdk_forwarding.js - the browser side of test_sdk_forwarding.py: the
// forwarding policy's simulcast layer per tile, seen by a subscriber's SDK.
// Two headless Chromium processes (playwright-core): one whose fake
// microphone plays a continuous tone (--use-file-for-fake-audio-capture)
// for the speaker A, one with Chromium's plain fake devices (short beeps,
// never loud enough to speak) for C and the subscriber B; three pages of
// the bare SDK test page:
//   1. C, then A ask for a 1280x720 camera, join and publish (simulcast
//      by default; B joins between them, so that it gets the activeSpeaker
//      event of A's turn); the driver waits until the server acknowledged
//      every layer each sends;
//   2. B shows A and C in tiles of the same large size
//      (1280x720 CSS pixels), so its SDK asks the top layer for both
//      (configure substream 2); B waits for activeSpeaker A, then records
//      what it decodes from each (<video>.videoWidth, inbound-rtp
//      frameWidth) once both sizes are steady for 3 s;
//   3. A's tile shrinks to 160x90: B's decoded size of A drops.
// Every `configure` B's page sends is recorded.
//
// Prints one JSON line: {"phase": "done", ...} or {"phase": "error", ...}.
// The assertions are the test's.
//
// usage: node sdk_forwarding.js --a-url URL --b-url URL --c-url URL --tone WAV [--chromium PATH]

"use strict";

const path = require("path");
const { chromium } = require(path.join(__dirname, "node_modules", "playwright-core"));

const { emit, sleep, until, parseArgs: parseFlags, openPage, layersAcknowledged, showTile, decoded } =
  require(path.join(__dirname, "driver_util.js"));

function parseArgs(argv) {
  const args = parseFlags(argv, { "--a-url": "aUrl", "--b-url": "bUrl", "--c-url": "cUrl", "--tone": "tone",
                                  "--chromium": "chromium" });
  if (!args.aUrl || !args.bUrl || !args.cUrl || !args.tone)
    throw new Error("--a-url, --b-url, --c-url and --tone are required");
  return args;
}

async function publish(page, who, result) {
  await page.evaluate(async () => {
    await window.rtkMeeting.self.updateVideoConstraints({ width: { exact: 1280 }, height: { exact: 720 } });
    await window.rtkMeeting.join();
  });
  await until(who + " joined", 20000, () => page.evaluate(() => ({ ok: window.rtkMeeting.self.roomState === "joined" })));
  result[who + "Layers"] = (await until("the server acknowledged " + who + "'s video layers", 30000,
    () => page.evaluate(layersAcknowledged))).outbound;
  result[who + "Id"] = await page.evaluate(() => window.rtkMeeting.self.id);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const common = ["--no-sandbox", "--autoplay-policy=no-user-gesture-required",
                  "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"];
  const toneBrowser = await chromium.launch({ executablePath: args.chromium,
    args: common.concat(["--use-file-for-fake-audio-capture=" + args.tone]) });
  const plainBrowser = await chromium.launch({ executablePath: args.chromium, args: common });
  const result = { consoleErrors: { a: [], b: [], c: [] }, configures: [] };
  try {
    // 1. C publishes; B joins (before A speaks, so that it hears of A's
    // turn as the active speaker); then A (the tone) publishes
    const c = await openPage(plainBrowser, "c", args.cUrl, result);
    await publish(c, "c", result);
    const b = await openPage(plainBrowser, "b", args.bUrl, result);
    b.on("websocket", (ws) => ws.on("framesent", (frame) => {
      let msg;
      try {
        msg = JSON.parse(frame.payload);
      } catch (e) {
        return;
      }
      if (msg.janus === "message" && msg.body && msg.body.request === "configure" && msg.body.mid !== undefined)
        result.configures.push({ mid: msg.body.mid, substream: msg.body.substream, step: result.step || null });
    }));
    result.step = "join";
    await b.evaluate(() => window.rtkMeeting.join());
    await until("B sees C", 20000, () => b.evaluate(() =>
      ({ ok: window.rtkMeeting.self.roomState === "joined" && window.rtkMeeting.participants.joined.size === 1 })));
    const a = await openPage(toneBrowser, "a", args.aUrl, result);
    await publish(a, "a", result);

    // 2. B: both in large tiles; A the active speaker
    await until("B sees A and C", 20000, () => b.evaluate(() =>
      ({ ok: window.rtkMeeting.participants.joined.size === 2 })));
    result.step = "large";
    await b.evaluate(showTile, [result.aId, [1280, 720]]);
    await b.evaluate(showTile, [result.cId, [1280, 720]]);
    result.speaker = (await until("B: activeSpeaker A", 30000, () => b.evaluate((id) =>
      ({ ok: window.rtkMeeting.participants.lastActiveSpeaker === id,
         speaker: window.rtkMeeting.participants.lastActiveSpeaker }), result.aId))).speaker;
    // steady: the same decoded sizes over 3 s, both decoding
    result.large = (await until("B decodes A and C at steady sizes", 60000, async () => {
      const before = { a: await b.evaluate(decoded, result.aId), c: await b.evaluate(decoded, result.cId) };
      await sleep(3000);
      const after = { a: await b.evaluate(decoded, result.aId), c: await b.evaluate(decoded, result.cId) };
      const same = (x, y) => x.frameWidth === y.frameWidth && x.width === y.width;
      return { ok: after.a.frameWidth > 0 && after.c.frameWidth > 0 && same(before.a, after.a) &&
               same(before.c, after.c) && after.a.frameWidth > after.c.frameWidth, a: after.a, c: after.c };
    }));

    // 3. A's tile small
    result.step = "small";
    await b.evaluate(showTile, [result.aId, [160, 90]]);
    result.small = (await until("B's decoded size of A drops", 40000, async () => {
      const d = await b.evaluate(decoded, result.aId);
      return { ok: d.frameWidth > 0 && d.frameWidth < result.large.a.frameWidth && d.width < result.large.a.width, a: d };
    }));
    emit(Object.assign({ phase: "done" }, result));
    return 0;
  } catch (error) {
    emit(Object.assign({ phase: "error", message: String(error && error.stack || error),
                         last: error && error.last }, result));
    return 1;
  } finally {
    await toneBrowser.close();
    await plainBrowser.close();
  }
}

main().then((status) => process.exit(status), (error) => {
  emit({ phase: "error", message: "driver: " + (error && error.stack || String(error)) });
  process.exit(1);
});
