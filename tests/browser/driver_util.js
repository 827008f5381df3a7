// driver_util.js - what the Chromium drivers of tests/browser share
// (playwright-core, Node): their output line, waiting for a condition,
// argument parsing, opening a page of the bare SDK test page, and the
// page-side probes several of them evaluate in a page (page.evaluate sends
// a function's source, so each of those is self-contained).
//
// Each driver prints one JSON line through emit() and leaves the
// assertions to its Python test.

"use strict";

const emit = (object) => process.stdout.write(JSON.stringify(object) + "\n");
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Polls `probe` every intervalMs until it returns {ok: true, ...}, which is
// returned; after timeoutMs throws, with the last answer in error.last.
async function until(what, timeoutMs, probe, intervalMs = 200) {
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
    await sleep(intervalMs);
  }
}

// "--flag value" pairs into a copy of `defaults`: `names` maps each flag to
// its key. An unknown flag or one without a value throws.
function parseArgs(argv, names, defaults = {}) {
  const args = Object.assign({ chromium: "/usr/bin/chromium" }, defaults);
  for (let i = 0; i < argv.length; i += 2) {
    if (!names[argv[i]] || i + 1 >= argv.length)
      throw new Error("bad argument " + argv[i]);
    args[names[argv[i]]] = argv[i + 1];
  }
  return args;
}

// A page of `url` (the SDK test page) in a context of its own with camera
// and microphone granted, its console errors and page errors collected in
// result.consoleErrors[who]; returns once window.rtkMeeting exists (init).
async function openPage(browser, who, url, result, viewport = { width: 1400, height: 900 }) {
  const context = await browser.newContext({ viewport });
  await context.grantPermissions(["camera", "microphone"]);
  const page = await context.newPage();
  result.consoleErrors[who] = result.consoleErrors[who] || [];
  page.on("console", (m) => {
    if (m.type() === "error")
      result.consoleErrors[who].push(m.text().slice(0, 400));
  });
  page.on("pageerror", (e) => result.consoleErrors[who].push("pageerror: " + String(e).slice(0, 400)));
  await page.goto(url);
  await until(who + ": window.rtkMeeting (init)", 20000, () => page.evaluate(() =>
    ({ ok: !!window.rtkMeeting, error: window.rtkError || null })));
  return page;
}

// ---- page side (page.evaluate) ----

// A publisher: whether it sends two video layers or more and the server
// sent a receiver report for each (after that, Chromium leaves the rid out
// of its packets); each layer's rid, width and scalability mode.
async function layersAcknowledged() {
  const pc = window.rtkMeeting.self._publisher.pc;
  const outbound = [], acked = new Set();
  (await pc.getStats()).forEach((s) => {
    if (s.type === "outbound-rtp" && s.kind === "video" && (s.packetsSent || 0) > 0)
      outbound.push({ id: s.id, rid: s.rid, frameWidth: s.frameWidth || 0, scalabilityMode: s.scalabilityMode || null });
    if (s.type === "remote-inbound-rtp" && s.kind === "video")
      acked.add(s.localId);
  });
  return { ok: outbound.length >= 2 && outbound.every((o) => acked.has(o.id)), outbound, acked: acked.size };
}

// A subscriber: a tile (a <video> registered on participant `id`) of the
// given CSS size [width, height], made at the first call.
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

// A subscriber: what it decodes from participant `id`: its tile's size and
// the inbound-rtp of its camera.
async function decoded(id) {
  const m = window.rtkMeeting;
  const el = (window.rtkTiles || {})[id];
  const p = m.participants.joined.get(id);
  const out = { width: el ? el.videoWidth : 0, height: el ? el.videoHeight : 0, frameWidth: 0, framesDecoded: 0 };
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

module.exports = { emit, sleep, until, parseArgs, openPage, layersAcknowledged, showTile, decoded };
