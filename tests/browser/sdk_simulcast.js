#!/usr/bin/env node
// sdk_simulcast.js - the browser side of test_sdk_simulcast.py: one headless
// Chromium (playwright-core, fake camera and microphone) with two pages
// served by the gateway (the bare SDK test page), a publisher A and a
// subscriber B, driving the SDK as an application would:
//   1. A asks for a 1280x720 camera (self.updateVideoConstraints), joins
//      and publishes (simulcast by default); the driver waits until the
//      server has acknowledged every layer A sends (remote-inbound-rtp),
//      i.e. until Chromium stopped tagging its packets with their rid;
//   2. B joins and shows A in a large tile (1280x720 CSS pixels): the
//      decoded size (<video>.videoWidth, and inbound-rtp frameWidth of
//      getStats) is recorded once it is above the lowest layer's;
//   3. the tile is resized within the same band (no request expected),
//      then shrunk to 160x90: the decoded size is recorded once it drops;
//   4. the tile grows again, then is hidden (display: none);
//   5. A adds a video middleware that paints every frame magenta; B's
//      decoded pixels are sampled until they are magenta, then A removes
//      it and they are sampled until they are not; then again without
//      insertable streams (the page's MediaStreamTrackGenerator removed);
//   6. the mediaScoreUpdate events both pages got meanwhile.
// Every `configure` B's page sends on its WebSocket is recorded.
//
// Prints one JSON line: {"phase": "done", ...} (see `result`), or
// {"phase": "error", "message", ...}. The assertions are the test's.
//
// usage: node sdk_simulcast.js --a-url URL --b-url URL [--chromium PATH]

"use strict";

const path = require("path");
const { chromium } = require(path.join(__dirname, "node_modules", "playwright-core"));

const { emit, sleep, until, parseArgs: parseFlags, layersAcknowledged } = require(path.join(__dirname, "driver_util.js"));

function parseArgs(argv) {
  const args = parseFlags(argv, { "--a-url": "aUrl", "--b-url": "bUrl", "--chromium": "chromium" });
  if (!args.aUrl || !args.bUrl)
    throw new Error("--a-url and --b-url are required");
  return args;
}

// In each page: the mediaScoreUpdate events, and for B a tile for A.
function instrument() {
  const m = window.rtkMeeting;
  const t = window.rtkProbe = { selfScores: [], peerScores: [], mapScores: [] };
  m.self.on("mediaScoreUpdate", (e) => t.selfScores.push(e));
  m.participants.joined.on("mediaScoreUpdate", (e) => t.mapScores.push(e));
  m.participants.joined.on("participantJoined", (p) =>
    p.on("mediaScoreUpdate", (e) => t.peerScores.push(e)));
}

// B: a tile (a <video> registered on A) of the given CSS size.
function showTile(size) {
  const t = window.rtkProbe;
  if (!t.tile) {
    const el = document.createElement("video");
    Object.assign(el, { autoplay: true, playsInline: true, muted: true });
    el.style.cssText = "position:absolute;left:0;top:0;object-fit:fill";
    document.body.appendChild(el);
    t.tile = el;
    const p = window.rtkMeeting.participants.joined.toArray()[0];
    p.registerVideoElement(el);
  }
  t.tile.style.display = size ? "block" : "none";
  if (size) {
    t.tile.style.width = size[0] + "px";
    t.tile.style.height = size[1] + "px";
  }
}

// B: what it decodes from A: the <video>'s size, the inbound-rtp of A's
// camera, and the mean colour of a grid of pixels of the decoded picture.
async function decoded() {
  const m = window.rtkMeeting;
  const el = window.rtkProbe.tile;
  const p = m.participants.joined.toArray()[0];
  const out = { width: el ? el.videoWidth : 0, height: el ? el.videoHeight : 0, inbound: null, color: null };
  const pc = m._subscriber && m._subscriber.pc;
  out.track = p && p.videoTrack ? p.videoTrack.readyState : null;
  if (pc && !out.track) {
    // for a failure report: what the subscriber PeerConnection receives
    out.received = [];
    (await pc.getStats()).forEach((s) => {
      if (s.type === "inbound-rtp")
        out.received.push({ mid: s.mid, kind: s.kind, packets: s.packetsReceived, frameWidth: s.frameWidth });
    });
  }
  if (pc && p && p.videoTrack) {
    const stats = await pc.getStats(p.videoTrack);
    stats.forEach((s) => {
      if (s.type === "inbound-rtp" && s.kind === "video")
        out.inbound = { frameWidth: s.frameWidth || 0, frameHeight: s.frameHeight || 0,
                        framesDecoded: s.framesDecoded || 0, keyFramesDecoded: s.keyFramesDecoded || 0 };
    });
  }
  if (el && el.videoWidth > 0) {
    const c = document.createElement("canvas");
    c.width = 32;
    c.height = 18;
    const ctx = c.getContext("2d", { willReadFrequently: true });
    ctx.drawImage(el, 0, 0, c.width, c.height);
    const data = ctx.getImageData(0, 0, c.width, c.height).data;
    const sum = [0, 0, 0];
    for (let i = 0; i < data.length; i += 4)
      for (let k = 0; k < 3; k++)
        sum[k] += data[i + k];
    out.color = sum.map((v) => Math.round(v / (data.length / 4)));
  }
  return out;
}

// A: the frames each video layer encoded so far.
async function sentFrames() {
  const out = [];
  (await window.rtkMeeting.self._publisher.pc.getStats()).forEach((s) => {
    if (s.type === "outbound-rtp" && s.kind === "video")
      out.push({ rid: s.rid, frameWidth: s.frameWidth || 0, framesEncoded: s.framesEncoded || 0 });
  });
  return out;
}

// A: the middleware of step 5 (the seeds' shape: a function returning the
// per-frame (canvas, ctx) function).
function addMagenta() {
  window.rtkMagenta = () => (canvas, ctx) => {
    ctx.fillStyle = "#ff00ff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
  };
  return window.rtkMeeting.self.addVideoMiddleware(window.rtkMagenta);
}

const isMagenta = (c) => !!c && c[0] > 200 && c[1] < 60 && c[2] > 200;

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const browser = await chromium.launch({
    executablePath: args.chromium,
    args: ["--no-sandbox", "--autoplay-policy=no-user-gesture-required",
           "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"],
  });
  const result = { consoleErrors: { a: [], b: [] }, configures: [] };
  try {
    const pages = {};
    for (const [who, url] of [["a", args.aUrl], ["b", args.bUrl]]) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      await context.grantPermissions(["camera", "microphone"]);
      const page = await context.newPage();
      page.on("console", (m) => {
        if (m.type() === "error")
          result.consoleErrors[who].push(m.text().slice(0, 400));
      });
      page.on("pageerror", (e) => result.consoleErrors[who].push("pageerror: " + String(e).slice(0, 400)));
      pages[who] = page;
    }
    const { a, b } = pages;
    b.on("websocket", (ws) => ws.on("framesent", (frame) => {
      let msg;
      try {
        msg = JSON.parse(frame.payload);
      } catch (e) {
        return;
      }
      if (msg.janus === "message" && msg.body && msg.body.request === "configure" && msg.body.mid !== undefined)
        result.configures.push({ mid: msg.body.mid, substream: msg.body.substream, temporal: msg.body.temporal,
                                 step: result.step || null });
    }));

    // 1. A: 1280x720, join, publish
    await a.goto(args.aUrl);
    await until("A: window.rtkMeeting (init)", 20000, () => a.evaluate(() =>
      ({ ok: !!window.rtkMeeting, error: window.rtkError || null })));
    await a.evaluate(instrument);
    result.aConstraints = await a.evaluate(async () => {
      await window.rtkMeeting.self.updateVideoConstraints({ width: { exact: 1280 }, height: { exact: 720 } });
      const s = window.rtkMeeting.self.rawVideoTrack.getSettings();
      return { width: s.width, height: s.height };
    });
    await a.evaluate(() => window.rtkMeeting.join());
    await until("A joined", 20000, () => a.evaluate(() => ({ ok: window.rtkMeeting.self.roomState === "joined" })));
    result.aLayers = await until("the server acknowledged A's video layers", 30000, () => a.evaluate(layersAcknowledged));

    // 2. B joins, large tile
    await b.goto(args.bUrl);
    await until("B: window.rtkMeeting (init)", 20000, () => b.evaluate(() =>
      ({ ok: !!window.rtkMeeting, error: window.rtkError || null })));
    await b.evaluate(instrument);
    result.step = "join";
    await b.evaluate(() => window.rtkMeeting.join());
    await until("B sees A", 20000, () => b.evaluate(() =>
      ({ ok: window.rtkMeeting.self.roomState === "joined" && window.rtkMeeting.participants.joined.size === 1 })));
    result.aId = await a.evaluate(() => window.rtkMeeting.self.id);
    result.step = "large";
    await b.evaluate(showTile, [1280, 720]);
    const probe = (want) => async () => {
      const d = await b.evaluate(decoded);
      return { ok: want(d), d };
    };
    result.large = (await until("B decodes A above the lowest layer", 40000,
      probe((d) => d.width > 400 && d.inbound && d.inbound.frameWidth > 400))).d;

    // B decodes every frame of that layer, not only its base temporal layer
    // (Chromium sends L1T3): frames B decoded / frames A encoded on the layer
    // of the same width, over 5 s in which neither width changed and A
    // encoded 20 frames or more.
    result.frameShare = (await until("a 5 s window without a layer change", 40000, async () => {
      const b0 = await b.evaluate(decoded), a0 = await a.evaluate(sentFrames);
      await sleep(5000);
      const b1 = await b.evaluate(decoded), a1 = await a.evaluate(sentFrames);
      const w = b1.inbound && b1.inbound.frameWidth;
      const l0 = a0.find((l) => l.frameWidth === w), l1 = a1.find((l) => l.frameWidth === w && l.rid === (l0 && l0.rid));
      if (!b0.inbound || b0.inbound.frameWidth !== w || !l0 || !l1 || l1.framesEncoded - l0.framesEncoded < 20)
        return { ok: false, b0, b1, a0, a1 };
      return { ok: true, rid: l1.rid, frameWidth: w, decoded: b1.inbound.framesDecoded - b0.inbound.framesDecoded,
               encoded: l1.framesEncoded - l0.framesEncoded };
    }));

    // 3. same band (no request), then small
    result.step = "same band";
    await b.evaluate(showTile, [1000, 600]);
    await sleep(1000);
    result.step = "small";
    await b.evaluate(showTile, [160, 90]);
    result.small = (await until("B's decoded size drops", 40000,
      probe((d) => d.width > 0 && d.width < result.large.width && d.inbound
        && d.inbound.frameWidth < result.large.inbound.frameWidth))).d;

    // 4. large again, then hidden
    result.step = "large again";
    await b.evaluate(showTile, [1280, 720]);
    await until("B asks for the high layer again", 10000, async () =>
      ({ ok: result.configures.some((c) => c.step === "large again") }));
    result.step = "hidden";
    await b.evaluate(showTile, null);
    await until("B asks for the low layer for a hidden tile", 10000, async () =>
      ({ ok: result.configures.some((c) => c.step === "hidden") }));

    // 5. a middleware paints A's camera magenta
    result.step = "middle";
    await b.evaluate(showTile, [640, 360]);
    result.beforeMiddleware = (await until("B decodes A (before the middleware)", 20000,
      probe((d) => !!d.color))).d;
    result.step = "middleware";
    await a.evaluate(addMagenta);
    result.aAfterAdd = await a.evaluate(() => ({
      videoTrackIsRaw: window.rtkMeeting.self.videoTrack === window.rtkMeeting.self.rawVideoTrack,
      videoTrack: window.rtkMeeting.self.videoTrack && window.rtkMeeting.self.videoTrack.readyState,
    }));
    result.withMiddleware = (await until("B decodes magenta frames", 30000, probe((d) => isMagenta(d.color)))).d;
    await a.evaluate(() => window.rtkMeeting.self.removeVideoMiddleware(window.rtkMagenta));
    result.afterMiddleware = (await until("B decodes A's camera again", 30000,
      probe((d) => !!d.color && !isMagenta(d.color)))).d;
    // the same without insertable streams (the <video> + canvas.captureStream path)
    await a.evaluate(() => { delete window.MediaStreamTrackGenerator; delete window.MediaStreamTrackProcessor; });
    await a.evaluate(addMagenta);
    result.withCaptureStream = (await until("B decodes magenta frames (captureStream)", 30000,
      probe((d) => isMagenta(d.color)))).d;
    await a.evaluate(() => window.rtkMeeting.self.removeVideoMiddleware(window.rtkMagenta));

    // 6. scores (they come every 3 s: wait for both kinds on both sides)
    const scores = (page) => page.evaluate(() => window.rtkProbe);
    await until("mediaScoreUpdate for audio and video on both pages", 20000, async () => {
      const sa = await scores(a), sb = await scores(b);
      const kinds = (list) => new Set(list.map((e) => e.kind));
      return { ok: kinds(sa.selfScores).size === 2 && kinds(sb.mapScores).size === 2 && kinds(sb.peerScores).size === 2 };
    });
    const sa = await scores(a), sb = await scores(b);
    result.scores = { aSelf: sa.selfScores.slice(-6), bMap: sb.mapScores.slice(-6), bPeer: sb.peerScores.slice(-6),
                      counts: { aSelf: sa.selfScores.length, bMap: sb.mapScores.length, bPeer: sb.peerScores.length } };

    // 7. A adds a screenshare long after its layers were acknowledged (Chromium
    // no longer tags their packets with the rid): the re-offer replaces A's
    // published streams, and B must go on decoding A's camera
    result.step = "screenshare";
    await a.evaluate(() => window.rtkMeeting.self.enableScreenShare());
    await sleep(2000);
    const base = (await b.evaluate(decoded)).inbound;
    result.afterScreenshare = (await until("B decodes A's camera after A added a screenshare", 30000,
      probe((d) => d.inbound && d.inbound.framesDecoded >= (base ? base.framesDecoded : 0) + 30))).d;
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
