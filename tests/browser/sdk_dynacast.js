#!/usr/bin/env node
// sdk_dynacast.js - the browser side of test_dynacast.py: a simulcast
// publisher stops sending the layer nobody receives (publisherLayers,
// docs/protocol.md "Forwarding policy"), as its own getStats() shows.
// One headless Chromium (playwright-core, fake camera and microphone:
// Chromium's beeps, never loud enough to make an active speaker), one
// context per participant, the bare SDK test page:
//   1. A, B and C ask for a 1280x720 camera, join and publish (simulcast by
//      default: rids l, m, h); the driver waits until the server
//      acknowledged A's layers;
//   2. "idle": nobody shows A in a tile (the SDKs ask substream 0), so the
//      server needs only A's lowest layer: A's top layer (rid h) becomes
//      inactive (outbound-rtp `active` false, its bytesSent still over 2 s)
//      while the lowest keeps growing; then A's page sends `sync` (as the
//      SDK does once its socket is back) and gets publisherLayers again;
//   3. "pinned": B shows A in a 1280x720 tile and pins it (B is a host):
//      A's top layer becomes active again and its bytesSent grows, and B
//      decodes A wider than A's middle layer (inbound-rtp frameWidth);
//   4. "unpinned": B unpins A (a 2-tile view holds the others to
//      substream 1): A's top layer becomes inactive again, after the hold
//      (the time from unpin to inactive is reported), and stops growing,
//      while B keeps decoding A.
// With --mode off (a server with RTK_DYNACAST=0) only A and B join and
// nobody shows A: after 8 s every layer of A is still active and growing.
// Every publisherLayers event A's page receives is recorded.
//
// Prints one JSON line: {"phase": "done", ...} or {"phase": "error", ...}.
// The assertions are the test's.
//
// usage: node sdk_dynacast.js --a-url URL --b-url URL [--c-url URL] [--mode on|off] [--chromium PATH]

"use strict";

const path = require("path");
const { chromium } = require(path.join(__dirname, "node_modules", "playwright-core"));

const { emit, sleep, until, parseArgs: parseFlags, openPage: openSdkPage, layersAcknowledged, showTile, decoded } =
  require(path.join(__dirname, "driver_util.js"));

function parseArgs(argv) {
  const args = parseFlags(argv, { "--a-url": "aUrl", "--b-url": "bUrl", "--c-url": "cUrl", "--mode": "mode",
                                  "--chromium": "chromium" }, { mode: "on" });
  if (!args.aUrl || !args.bUrl || (args.mode === "on" && !args.cUrl))
    throw new Error("--a-url, --b-url (and --c-url unless --mode off) are required");
  return args;
}

// A: its camera's outbound-rtp per rid (getStats) and the sender's
// encodings as the SDK set them (getParameters).
async function layers() {
  const publisher = window.rtkMeeting.self._publisher;
  const t = publisher && publisher.transceivers.video;
  const out = { stats: {}, params: {}, at: Date.now() };
  if (!t)
    return out;
  (await publisher.pc.getStats()).forEach((s) => {
    if (s.type === "outbound-rtp" && s.kind === "video" && s.rid)
      out.stats[s.rid] = { active: s.active, bytesSent: s.bytesSent || 0, frameWidth: s.frameWidth || 0 };
  });
  for (const e of t.sender.getParameters().encodings || [])
    out.params[e.rid] = e.active !== false;
  return out;
}

// A's layers now and 2 s later: per rid, active (stats and parameters)
// and the bytes sent meanwhile.
async function layerGrowth(a) {
  const before = await a.evaluate(layers);
  await sleep(2000);
  const after = await a.evaluate(layers);
  const out = {};
  for (const rid of Object.keys(after.stats)) {
    out[rid] = { active: after.stats[rid].active, param: after.params[rid],
                 grew: after.stats[rid].bytesSent - ((before.stats[rid] || {}).bytesSent || 0),
                 frameWidth: after.stats[rid].frameWidth };
  }
  return out;
}

// The SDK test page (driver_util.js), every publisherLayers event it
// receives recorded in result.layerEvents[who] (the socket opens at join).
async function openPage(browser, who, url, result) {
  const page = await openSdkPage(browser, who, url, result);
  result.layerEvents[who] = [];
  page.on("websocket", (ws) => ws.on("framereceived", (frame) => {
    if (typeof frame.payload === "string" && frame.payload.includes("publisherLayers")) {
      try {
        const msg = JSON.parse(frame.payload);
        const data = msg.plugindata && msg.plugindata.data;
        if (data && data.rtk === "publisherLayers")
          result.layerEvents[who].push({ at: Date.now(), step: result.step, layers: data.layers, rids: data.rids });
      } catch (e) {
        /* not JSON: not ours */
      }
    }
  }));
  return page;
}

async function join(page, who, result) {
  await page.evaluate(async () => {
    await window.rtkMeeting.self.updateVideoConstraints({ width: { exact: 1280 }, height: { exact: 720 } });
    await window.rtkMeeting.join();
  });
  await until(who + " joined", 20000, () => page.evaluate(() => ({ ok: window.rtkMeeting.self.roomState === "joined" })));
  result[who + "Id"] = await page.evaluate(() => window.rtkMeeting.self.id);
}

// --mode on: the four steps above.
async function runDynacast(browser, args, result) {
  const a = await openPage(browser, "a", args.aUrl, result);
  await join(a, "a", result);
  result.aLayers = (await until("the server acknowledged A's layers", 30000,
    () => a.evaluate(layersAcknowledged))).outbound;
  const b = await openPage(browser, "b", args.bUrl, result);
  await join(b, "b", result);
  const c = await openPage(browser, "c", args.cUrl, result);
  await join(c, "c", result);
  await until("B sees A and C", 20000, () => b.evaluate(() =>
    ({ ok: window.rtkMeeting.participants.joined.size === 2 })));

  // 2. idle: A's top layer paused, its lowest sent
  result.step = "idle";
  await until("A's top layer inactive (nobody shows A)", 30000, async () => {
    const l = await a.evaluate(layers);
    return { ok: l.stats.h && l.stats.h.active === false, l };
  });
  result.idle = await layerGrowth(a);
  // a sync (what the SDK sends once its socket is back) tells A its layers
  // again, in case it missed the last change meanwhile
  result.step = "sync";
  await a.evaluate(() => window.rtkMeeting._request({ request: "sync" }));
  await until("A's page: publisherLayers after its sync", 10000, () =>
    ({ ok: result.layerEvents.a.some((e) => e.step === "sync") }));

  // 3. pinned: B shows A large and pins it
  result.step = "pinned";
  await b.evaluate(showTile, [result.aId, [1280, 720]]);
  const pinnedAt = Date.now();
  await b.evaluate((id) => window.rtkMeeting.participants.joined.get(id).pin(), result.aId);
  const resumed = await until("A's top layer active again (pinned by B)", 20000, async () => {
    const l = await a.evaluate(layers);
    return { ok: l.stats.h && l.stats.h.active === true, l };
  });
  result.resumeMs = resumed.l.at - pinnedAt;
  // the top layer's picture: wider than the middle one A sends now (under
  // CPU load Chromium may scale both below 1280 and 640)
  const wide = await until("B decodes A wider than A's middle layer", 45000, async () => {
    const d = await b.evaluate(decoded, result.aId);
    const l = await a.evaluate(layers);
    const m = (l.stats.m || {}).frameWidth || 0;
    return { ok: d.frameWidth > m && m > 0, d, middle: m, top: (l.stats.h || {}).frameWidth || 0 };
  });
  result.pinnedDecoded = wide.d;
  result.middleWidth = wide.middle;
  result.topWidth = wide.top;
  result.pinned = await layerGrowth(a);

  // 4. unpinned: A's top layer paused again after the hold
  result.step = "unpinned";
  const unpinnedAt = Date.now();
  await b.evaluate((id) => window.rtkMeeting.participants.joined.get(id).unpin(), result.aId);
  const paused = await until("A's top layer inactive again (unpinned)", 20000, async () => {
    const l = await a.evaluate(layers);
    return { ok: l.stats.h && l.stats.h.active === false, l };
  });
  result.pauseMs = paused.l.at - unpinnedAt;
  const before = await b.evaluate(decoded, result.aId);
  result.unpinned = await layerGrowth(a);
  const after = await b.evaluate(decoded, result.aId);
  result.unpinnedDecoded = { before, after };
}

// --mode off: nobody shows A; every layer keeps going.
async function runOff(browser, args, result) {
  const a = await openPage(browser, "a", args.aUrl, result);
  await join(a, "a", result);
  result.aLayers = (await until("the server acknowledged A's layers", 30000,
    () => a.evaluate(layersAcknowledged))).outbound;
  const b = await openPage(browser, "b", args.bUrl, result);
  await join(b, "b", result);
  result.step = "off";
  await sleep(8000);
  result.off = await layerGrowth(a);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const browser = await chromium.launch({ executablePath: args.chromium,
    args: ["--no-sandbox", "--autoplay-policy=no-user-gesture-required",
           "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"] });
  const result = { mode: args.mode, consoleErrors: {}, layerEvents: {}, step: "join" };
  try {
    if (args.mode === "off")
      await runOff(browser, args, result);
    else
      await runDynacast(browser, args, result);
    emit(Object.assign({ phase: "done" }, result));
    return 0;
  } catch (error) {
    emit(Object.assign({ phase: "error", message: String(error && error.stack || error),
                         last: error && error.last }, result));
    return 1;
  } finally {
    await browser.close();
  }
}

main().then((status) => process.exit(status), (error) => {
  emit({ phase: "error", message: "driver: " + (error && error.stack || String(error)) });
  process.exit(1);
});
