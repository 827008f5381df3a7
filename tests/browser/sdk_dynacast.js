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
//      while the lowest keeps growing;
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

const emit = (object) => process.stdout.write(JSON.stringify(object) + "\n");
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function parseArgs(argv) {
  const args = { chromium: "/usr/bin/chromium", mode: "on" };
  const names = { "--a-url": "aUrl", "--b-url": "bUrl", "--c-url": "cUrl", "--mode": "mode", "--chromium": "chromium" };
  for (let i = 0; i < argv.length; i += 2) {
    if (!names[argv[i]] || i + 1 >= argv.length)
      throw new Error("bad argument " + argv[i]);
    args[names[argv[i]]] = argv[i + 1];
  }
  if (!args.aUrl || !args.bUrl || (args.mode === "on" && !args.cUrl))
    throw new Error("--a-url, --b-url (and --c-url unless --mode off) are required");
  return args;
}

async function until(what, timeoutMs, probe) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await probe();
    if (last && last.ok)
      return last;
    if (Date.now() > deadline) {
      const e = new Error("timed out after " + timeoutMs / 1000 + " s: " + what);
      e.last = last;
      throw e;
    }
    await sleep(200);
  }
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

// A: whether the server acknowledged every layer it sends (receiver reports).
async function layersAcknowledged() {
  const pc = window.rtkMeeting.self._publisher.pc;
  const outbound = [], acked = new Set();
  (await pc.getStats()).forEach((s) => {
    if (s.type === "outbound-rtp" && s.kind === "video" && (s.packetsSent || 0) > 0)
      outbound.push({ id: s.id, rid: s.rid, frameWidth: s.frameWidth || 0 });
    if (s.type === "remote-inbound-rtp" && s.kind === "video")
      acked.add(s.localId);
  });
  return { ok: outbound.length >= 2 && outbound.every((o) => acked.has(o.id)), outbound };
}

// B: a <video> tile of participant `id`, of the given CSS size.
function showTile([id, size]) {
  const tiles = window.rtkTiles = window.rtkTiles || {};
  if (!tiles[id]) {
    const el = document.createElement("video");
    Object.assign(el, { autoplay: true, playsInline: true, muted: true });
    el.style.cssText = "position:absolute;left:0;top:0;object-fit:fill";
    document.body.appendChild(el);
    tiles[id] = el;
    window.rtkMeeting.participants.joined.get(id).registerVideoElement(el);
  }
  tiles[id].style.width = size[0] + "px";
  tiles[id].style.height = size[1] + "px";
}

// B: what it decodes from participant `id`.
async function decoded(id) {
  const m = window.rtkMeeting;
  const p = m.participants.joined.get(id);
  const out = { frameWidth: 0, framesDecoded: 0 };
  const pc = m._subscriber && m._subscriber.pc;
  if (pc && p && p.videoTrack) {
    (await pc.getStats(p.videoTrack)).forEach((s) => {
      if (s.type === "inbound-rtp" && s.kind === "video") {
        out.frameWidth = s.frameWidth || 0;
        out.framesDecoded = s.framesDecoded || 0;
      }
    });
  }
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

async function openPage(browser, who, url, result) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.grantPermissions(["camera", "microphone"]);
  const page = await context.newPage();
  result.consoleErrors[who] = [];
  page.on("console", (m) => {
    if (m.type() === "error")
      result.consoleErrors[who].push(m.text().slice(0, 400));
  });
  page.on("pageerror", (e) => result.consoleErrors[who].push("pageerror: " + String(e).slice(0, 400)));
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
  result.layerEvents[who] = [];
  await page.goto(url);
  await until(who + ": window.rtkMeeting (init)", 20000, () => page.evaluate(() =>
    ({ ok: !!window.rtkMeeting, error: window.rtkError || null })));
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
