#!/usr/bin/env node
// sdk_reconnect.js - the browser side of test_sdk_reconnect.py: one headless
// Chromium (playwright-core, fake camera and microphone) opens two pages
// (sdk_reconnect.html), B then A join and decode each other's video (the
// probes of sdk_meeting.js), then the test cuts A's WebSocket and the
// driver watches A reconnect while B keeps receiving A's video.
//
// Talks with the test over its standard streams, one JSON line per phase:
//   {"phase": "decoding", ...}  both decode each other; the test now cuts
//                                 A's socket and writes "cut" on stdin;
//   {"phase": "reconnected", ...} A went `disconnected` and back to
//                                 `joined`, and A's video advanced at B
//                                 afterwards; `ports` are the local UDP ports
//                                 of A's two PeerConnections now: the test
//                                 drops their traffic (a network change) and
//                                 writes "netcut" on stdin;
//   {"phase": "done", ...}      A's PeerConnections noticed, restarted ICE
//                                 on new ports, and video flows both ways
//                                 again, A `joined` all along;
//   {"phase": "error", "message", ...} on a failure (with what was seen).
// Each report carries both pages' state (sdk_meeting.js's state()) and the
// ICE credentials (a=ice-ufrag) of A's two PeerConnections. Assertions are
// the test's; this script only drives and measures.
//
// usage: node sdk_reconnect.js --a-url URL --b-url URL [--chromium PATH]

"use strict";

const path = require("path");
const readline = require("readline");
const { chromium } = require(path.join(__dirname, "node_modules", "playwright-core"));
const { until, sleep, emit, instrument, state } = require("./sdk_meeting.js");

const { parseArgs: parseFlags } = require(path.join(__dirname, "driver_util.js"));

function parseArgs(argv) {
  const args = parseFlags(argv, { "--a-url": "aUrl", "--b-url": "bUrl", "--chromium": "chromium" });
  if (!args.aUrl || !args.bUrl)
    throw new Error("--a-url and --b-url are required");
  return args;
}

// The local ICE username fragments of A's publisher and subscriber.
function iceCredentials() {
  const m = window.rtkMeeting;
  const ufrag = (pc) => {
    const sdp = pc && pc.localDescription ? pc.localDescription.sdp : "";
    return [...new Set([...sdp.matchAll(/a=ice-ufrag:(\S+)/g)].map((x) => x[1]))];
  };
  return {
    publisher: ufrag(m.self._publisher && m.self._publisher.pc),
    subscriber: ufrag(m._subscriber && m._subscriber.pc),
    publisherIce: m.self._publisher && m.self._publisher.pc ? m.self._publisher.pc.iceConnectionState : null,
    subscriberIce: m._subscriber && m._subscriber.pc ? m._subscriber.pc.iceConnectionState : null,
  };
}

// The local UDP port of the selected candidate pair of each of A's
// PeerConnections (null while none is selected).
async function selectedPorts() {
  const m = window.rtkMeeting;
  const portOf = async (pc) => {
    if (!pc)
      return null;
    const stats = await pc.getStats();
    let pair = null;
    stats.forEach((s) => {
      if (s.type === "transport" && s.selectedCandidatePairId)
        pair = stats.get(s.selectedCandidatePairId);
    });
    const local = pair && stats.get(pair.localCandidateId);
    return local ? local.port : null;
  };
  return { publisher: await portOf(m.self._publisher && m.self._publisher.pc),
           subscriber: await portOf(m._subscriber && m._subscriber.pc) };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const input = readline.createInterface({ input: process.stdin });
  const lines = [];
  let wake = null;
  input.on("line", (line) => { lines.push(line.trim()); if (wake) wake(); });
  const nextLine = async () => {
    while (!lines.length)
      await new Promise((resolve) => { wake = resolve; });
    return lines.shift();
  };

  const browser = await chromium.launch({
    executablePath: args.chromium,
    args: ["--no-sandbox", "--autoplay-policy=no-user-gesture-required",
           "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"],
  });
  const result = { consoleErrors: { a: [], b: [] } };
  const snap = async () => ({ a: await pages.a.evaluate(state), b: await pages.b.evaluate(state),
                              aIce: await pages.a.evaluate(iceCredentials) });
  const pages = {};
  try {
    for (const [who, url] of [["b", args.bUrl], ["a", args.aUrl]]) {
      const context = await browser.newContext({ viewport: { width: 640, height: 480 } });
      await context.grantPermissions(["camera", "microphone"]);
      const page = await context.newPage();
      page.on("console", (m) => {
        if (m.type() === "error")
          result.consoleErrors[who].push(m.text().slice(0, 400));
      });
      page.on("pageerror", (e) => result.consoleErrors[who].push("pageerror: " + String(e).slice(0, 400)));
      await page.goto(url);
      await until(who + " page: window.rtkMeeting (init)", 20000, () => page.evaluate(() =>
        ({ ok: !!window.rtkMeeting, error: window.rtkError || null })));
      await page.evaluate(instrument);
      pages[who] = page;
    }
    // B joins first, then A: B learns of A by one participantJoined
    for (const who of ["b", "a"]) {
      await pages[who].evaluate(() => window.rtkMeeting.join());
      await until(who + " joined", 20000, () => pages[who].evaluate(() =>
        ({ ok: window.rtkMeeting.self.roomState === "joined" })));
    }
    const watchAll = () => { for (const p of window.rtkMeeting.participants.joined.values()) window.rtkProbe.watch(p); };
    const decodingAbove = (page, frames) => async () => {
      await page.evaluate(watchAll);
      const s = await page.evaluate(state);
      const p = s.joined[0];
      return { ok: !!(p && p.video && p.video.frames > frames && p.video.width > 0), s };
    };
    for (const who of ["a", "b"]) {
      await until(who + " sees the other", 20000, () => pages[who].evaluate(() =>
        ({ ok: window.rtkMeeting.participants.joined.size === 1 })));
      await until(who + " decodes the other's video", 30000, decodingAbove(pages[who], 10));
    }
    result.decoding = await snap();
    emit(Object.assign({ phase: "decoding" }, result));

    const word = await nextLine();
    if (word !== "cut")
      throw new Error("expected 'cut' from the test, got " + JSON.stringify(word));
    const cutAt = Date.now();
    await until("A's roomState disconnected", 15000, () => pages.a.evaluate(() =>
      ({ ok: window.rtkMeeting.self.roomState === "disconnected"
             || window.rtkProbe.log.some((e) => e.what === "roomLeft") })));
    result.disconnectedMs = Date.now() - cutAt;
    await until("A joined again", 30000, () => pages.a.evaluate(() =>
      ({ ok: window.rtkMeeting.self.roomState === "joined", state: window.rtkMeeting.self.roomState })));
    result.rejoinedMs = Date.now() - cutAt;
    result.reconnected = await snap();
    // A's video keeps arriving at B, and B's at A, after the reconnection
    const framesAtB = result.reconnected.b.joined[0].video.frames;
    const framesAtA = result.reconnected.a.joined[0].video.frames;
    await until("A's ICE restarts complete", 20000, async () => {
      const ice = await pages.a.evaluate(iceCredentials);
      return { ok: ["connected", "completed"].includes(ice.publisherIce)
                   && ["connected", "completed"].includes(ice.subscriberIce)
                   && ice.publisher.join() !== result.decoding.aIce.publisher.join()
                   && ice.subscriber.join() !== result.decoding.aIce.subscriber.join(), ice };
    });
    await until("B decodes 60 more frames of A's video", 30000, decodingAbove(pages.b, framesAtB + 60));
    await until("A decodes 60 more frames of B's video", 30000, decodingAbove(pages.a, framesAtA + 60));
    result.after = await snap();
    result.ports = (await until("A's selected candidate pairs", 10000, async () => {
      const ports = await pages.a.evaluate(selectedPorts);
      return { ok: ports.publisher && ports.subscriber, ports };
    })).ports;
    emit(Object.assign({ phase: "reconnected" }, result));

    // a network change: the old ports' traffic is dropped, the socket stays up
    const word2 = await nextLine();
    if (word2 !== "netcut")
      throw new Error("expected 'netcut' from the test, got " + JSON.stringify(word2));
    const netcutAt = Date.now();
    const framesAtB2 = (await pages.b.evaluate(state)).joined[0].video.frames;
    const framesAtA2 = (await pages.a.evaluate(state)).joined[0].video.frames;
    result.iceSeen = (await until("A's ICE notices the cut", 30000, async () => {
      const ice = await pages.a.evaluate(iceCredentials);
      return { ok: ice.publisherIce !== "connected" || ice.subscriberIce !== "connected", ice };
    })).ice;
    result.iceNoticedMs = Date.now() - netcutAt;
    await until("A's ICE restarts after the network change", 40000, async () => {
      const ice = await pages.a.evaluate(iceCredentials);
      return { ok: ["connected", "completed"].includes(ice.publisherIce)
                   && ["connected", "completed"].includes(ice.subscriberIce)
                   && ice.publisher.join() !== result.after.aIce.publisher.join()
                   && ice.subscriber.join() !== result.after.aIce.subscriber.join(), ice };
    });
    result.iceRestoredMs = Date.now() - netcutAt;
    await until("B decodes 60 more frames of A's video after the network change", 30000,
                decodingAbove(pages.b, framesAtB2 + 60));
    await until("A decodes 60 more frames of B's video after the network change", 30000,
                decodingAbove(pages.a, framesAtA2 + 60));
    result.netcut = { before: { b: framesAtB2, a: framesAtA2 } };
    result.afterNetcut = await snap();
    result.portsAfterNetcut = await pages.a.evaluate(selectedPorts);

    // A closes its tab: the SDK's leave on pagehide, not a lost socket that
    // the server would keep for its reconnection grace (30 s)
    const closedAt = Date.now();
    await pages.a.close();
    await until("B sees A leave after A's tab closed", 20000, () => pages.b.evaluate(() =>
      ({ ok: window.rtkMeeting.participants.joined.size === 0 })));
    result.closedTabLeftMs = Date.now() - closedAt;
    emit(Object.assign({ phase: "done" }, result));
    return 0;
  } catch (error) {
    let last = null;
    try {
      last = await snap();
    } catch (e) {
      /* a page is gone */
    }
    emit(Object.assign({ phase: "error", message: String(error && error.stack || error),
                         last: error && error.last, pages: last }, result));
    return 1;
  } finally {
    input.close();
    await browser.close();
  }
}

main().then((status) => process.exit(status), (error) => {
  emit({ phase: "error", message: "driver: " + (error && error.stack || String(error)) });
  process.exit(1);
});
