#!/usr/bin/env node
// sdk_meeting.js - the browser side of test_sdk_meeting.py: one headless
// Chromium (playwright-core, fake camera and microphone) opens two pages
// served by the gateway, each with a participant token, and drives the SDK
// (sdk/rtk-core.js) in them as an application would. The page only has to
// put its RealtimeKitClient in `window.rtkMeeting` once `init` resolved
// (and, with --join-button, join when that button is clicked; otherwise the
// driver calls meeting.join()).
//
// Prints one JSON line on stdout: {"phase": "done", ...} with what each
// page saw at each step (see `result` below), or {"phase": "error",
// "message", ...} with what was seen up to the failure. Assertions are the
// test's; this script only drives and measures.
//
// usage: node sdk_meeting.js --host-url URL --guest-url URL
//        [--chromium PATH] [--screenshot FILE] [--join-button SELECTOR]
//        [--camera-button SELECTOR] [--panel-button SELECTOR]
//        [--kick-button SELECTOR-with-{id}]
// The button options make the driver click the page's own controls (the
// demo page) instead of calling the SDK: join, camera off, opening the
// people panel before the screenshot, and the host's kick ({id}: the
// guest's peer id).

"use strict";

const path = require("path");
const { chromium } = require(path.join(__dirname, "node_modules", "playwright-core"));

const { emit, sleep, until: untilEvery, parseArgs: parseFlags } = require(path.join(__dirname, "driver_util.js"));
const until = (what, timeoutMs, probe) => untilEvery(what, timeoutMs, probe, 100);

function parseArgs(argv) {
  const args = parseFlags(argv, { "--host-url": "hostUrl", "--guest-url": "guestUrl", "--chromium": "chromium",
                                  "--screenshot": "screenshot", "--join-button": "joinButton",
                                  "--camera-button": "cameraButton", "--panel-button": "panelButton",
                                  "--kick-button": "kickButton", "--trust-spki": "trustSpki" },
                          { screenshot: null, joinButton: null, cameraButton: null, panelButton: null,
                            kickButton: null, trustSpki: null });
  if (!args.hostUrl || !args.guestUrl)
    throw new Error("--host-url and --guest-url are required");
  return args;
}

// Installed in each page once the meeting exists: an event log and frame
// counting <video> elements on remote participants' video tracks.
function instrument() {
  const m = window.rtkMeeting;
  const t = window.rtkProbe = { log: [], videos: {} };
  const note = (what, extra) => t.log.push(Object.assign({ what, at: performance.now() }, extra || {}));
  m.self.on("roomJoined", () => note("roomJoined"));
  m.self.on("roomLeft", (p) => note("roomLeft", { payload: p }));
  m.participants.joined.on("participantJoined", (p) => note("participantJoined", { id: p.id }));
  m.participants.joined.on("participantLeft", (p) => note("participantLeft", { id: p.id }));
  m.participants.joined.on("videoUpdate", (p, e) =>
    note("videoUpdate", { id: p.id, videoEnabled: e.videoEnabled, track: !!e.videoTrack }));
  m.participants.joined.on("audioUpdate", (p, e) =>
    note("audioUpdate", { id: p.id, audioEnabled: e.audioEnabled, track: !!e.audioTrack }));
  t.watch = (p) => {
    if (t.videos[p.id])
      return;
    const el = document.createElement("video");
    Object.assign(el, { autoplay: true, playsInline: true, muted: true });
    el.style.cssText = "position:fixed;left:-10000px;width:160px;height:120px";
    el.rvfcFrames = 0;
    const count = () => { el.rvfcFrames++; el.requestVideoFrameCallback(count); };
    el.requestVideoFrameCallback(count);
    document.body.appendChild(el);
    p.registerVideoElement(el);
    t.videos[p.id] = el;
  };
}

function state() {
  const m = window.rtkMeeting;
  const t = window.rtkProbe || { log: [], videos: {} };
  const joined = m.participants.joined.toArray().map((p) => {
    const el = t.videos[p.id];
    const q = el && el.getVideoPlaybackQuality ? el.getVideoPlaybackQuality() : {};
    return {
      id: p.id, userId: p.userId, name: p.name, presetName: p.presetName,
      audioEnabled: p.audioEnabled, videoEnabled: p.videoEnabled,
      audioTrack: p.audioTrack ? p.audioTrack.readyState : null,
      videoTrack: p.videoTrack ? p.videoTrack.readyState : null,
      video: el ? { frames: el.rvfcFrames, decoded: q.totalVideoFrames || 0, width: el.videoWidth,
                    height: el.videoHeight, paused: el.paused } : null,
    };
  });
  return {
    now: performance.now(),
    self: { id: m.self.id, userId: m.self.userId, name: m.self.name, roomState: m.self.roomState,
            audioEnabled: m.self.audioEnabled, videoEnabled: m.self.videoEnabled,
            presetName: m.self.presetName },
    joined, log: t.log,
    // the SDK's own playback of remote audio (sdk/audio-output.js)
    audio: [...document.querySelectorAll("audio[data-rtk-audio]")].map((el) => ({
      key: el.getAttribute("data-rtk-audio"), paused: el.paused, time: el.currentTime,
      track: el.srcObject && el.srcObject.getAudioTracks()[0] ? el.srcObject.getAudioTracks()[0].readyState : null })),
    // what the page shows, when it is the demo page
    screen: document.body.dataset.screen || null,
    heading: [...document.querySelectorAll("h1")].filter((h) => h.offsetParent !== null).map((h) => h.textContent),
    tiles: [...document.querySelectorAll(".tile[data-key]")].map((el) => ({
      key: el.dataset.key, videoOff: el.classList.contains("video-off"),
      name: (el.querySelector(".name") || {}).textContent || null })),
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const browser = await chromium.launch({
    executablePath: args.chromium,
    args: ["--no-sandbox", "--autoplay-policy=no-user-gesture-required",
           "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"].concat(
      /* a server with a test certificate: trust that key alone (HTTPS and wss) */
      args.trustSpki ? ["--ignore-certificate-errors-spki-list=" + args.trustSpki] : []),
  });
  const result = { consoleErrors: { host: [], guest: [] } };
  try {
    const pages = {};
    for (const [who, url] of [["host", args.hostUrl], ["guest", args.guestUrl]]) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      await context.grantPermissions(["camera", "microphone"]);
      const page = await context.newPage();
      page.on("console", (m) => {
        if (m.type() === "error")
          result.consoleErrors[who].push(m.text().slice(0, 400));
      });
      page.on("pageerror", (e) => result.consoleErrors[who].push("pageerror: " + String(e).slice(0, 400)));
      page.on("response", (r) => {
        if (r.status() >= 400)
          result.consoleErrors[who].push("HTTP " + r.status() + " " + r.url());
      });
      await page.goto(url);
      pages[who] = page;
    }
    const { host, guest } = pages;
    for (const [who, page] of Object.entries(pages)) {
      await until(who + " page: window.rtkMeeting (init)", 20000, () => page.evaluate(() =>
        ({ ok: !!window.rtkMeeting, error: window.rtkError || null })));
      await page.evaluate(instrument);
    }
    // join, one after the other
    result.joinMs = {};
    for (const [who, page] of Object.entries(pages)) {
      const started = Date.now();
      if (args.joinButton)
        await page.click(args.joinButton);
      else
        await page.evaluate(() => window.rtkMeeting.join());
      await until(who + " joined", 20000, () => page.evaluate(() =>
        ({ ok: window.rtkMeeting.self.roomState === "joined" })));
      result.joinMs[who] = Date.now() - started;
    }
    // each sees the other
    for (const page of [host, guest])
      await until("the other participant in participants.joined", 20000, () => page.evaluate(() =>
        ({ ok: window.rtkMeeting.participants.joined.size === 1 })));
    result.joined = { host: await host.evaluate(state), guest: await guest.evaluate(state) };

    // each decodes the other's video
    const watchAll = () => { for (const p of window.rtkMeeting.participants.joined.values()) window.rtkProbe.watch(p); };
    const decoding = (page) => async () => {
      const s = await page.evaluate(state);
      const p = s.joined[0];
      return { ok: !!(p && p.video && p.video.frames > 0 && p.video.width > 0), s };
    };
    for (const page of [host, guest])
      await page.evaluate(watchAll);
    try {
      for (const [who, page] of Object.entries(pages))
        await until(who + " decodes the other's video", 30000, decoding(page));
    } finally {
      result.firstFrames = { host: await host.evaluate(state), guest: await guest.evaluate(state) };
    }
    await sleep(2000);
    result.afterTwoSeconds = { host: await host.evaluate(state), guest: await guest.evaluate(state) };
    if (args.panelButton) {
      await host.click(args.panelButton);
      await sleep(300);
    }
    if (args.screenshot)
      await host.screenshot({ path: args.screenshot });

    // the host turns its camera off; the guest sees it
    const hostId = result.joined.host.self.id;
    const guestId = result.joined.guest.self.id;
    if (args.cameraButton)
      await host.click(args.cameraButton);
    else
      await host.evaluate(() => window.rtkMeeting.self.disableVideo());
    try {
      await until("guest sees the host's video off", 15000, () => guest.evaluate((id) => {
        const m = window.rtkMeeting;
        const p = m.participants.joined.get(id);
        const seen = window.rtkProbe.log.some((e) => e.what === "videoUpdate" && e.id === id && e.videoEnabled === false);
        return { ok: seen && p && p.videoEnabled === false };
      }, hostId));
    } finally {
      result.videoOff = { host: await host.evaluate(state), guest: await guest.evaluate(state) };
    }

    // the host kicks the guest
    if (args.kickButton) {
      await host.click(args.kickButton.replace("{id}", guestId));
      result.kickReply = { ok: true, clicked: true };
    } else {
      result.kickReply = await host.evaluate((id) => window.rtkMeeting.participants.joined.get(id).kick()
        .then((r) => ({ ok: true }), (e) => ({ ok: false, code: e.code, message: e.message })), guestId);
    }
    try {
      await until("the guest gets roomLeft", 15000, () => guest.evaluate(() =>
        ({ ok: window.rtkProbe.log.some((e) => e.what === "roomLeft") })));
      await until("the host sees the guest leave", 15000, () => host.evaluate(() =>
        ({ ok: window.rtkMeeting.participants.joined.size === 0 })));
    } finally {
      result.kicked = { host: await host.evaluate(state), guest: await guest.evaluate(state) };
    }
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

// The page probes and helpers, for the other SDK drivers (sdk_reconnect.js).
module.exports = { until, sleep, emit, instrument, state };

if (require.main === module) {
  main().then((status) => process.exit(status), (error) => {
    emit({ phase: "error", message: "driver: " + (error && error.stack || String(error)) });
    process.exit(1);
  });
}
