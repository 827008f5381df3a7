#!/usr/bin/env node
// demo_pages.js - the browser side of the demo page tests
// (test_demo_host.py, test_demo_webinar.py): one headless Chromium
// (playwright-core) whose pages the test drives step by step, as a user
// would, with commands on stdin, one JSON object a line:
//   {"id", "op": "open", "page": NAME, "url"}     a new page (its own browser
//                                                 context: one user) at url
//   {"id", "op": "click", "page", "selector"}     clicks a visible, enabled
//                                                 element (waits up to 30 s)
//   {"id", "op": "fill", "page", "selector", "value"}
//                                                 types into a text box
//   {"id", "op": "select", "page", "selector", "value"}
//                                                 chooses an option of a <select>
//   {"id", "op": "snap", "page", "probe": "demo"|"viewer"}
//                                                 what the page shows now (the
//                                                 demo page: with every notice
//                                                 it showed so far)
//   {"id", "op": "mark", "page"}                  keeps the page's current
//                                                 local tracks (self.audioTrack,
//                                                 videoTrack) so later snaps
//                                                 report whether they stopped
//   {"id", "op": "drop", "page"}                  drops the page's Janus WebSocket as a
//                                                 network failure would (the SDK's
//                                                 transport.dropSocket()); the SDK reconnects
//   {"id", "op": "run", "page", "script"}       evaluates `script` (a JS expression,
//                                                 e.g. an async arrow called at once)
//                                                 in the page, as an application's code
//                                                 would run; its (awaited, JSON) value
//   {"id", "op": "screenshot", "page", "path"}
//   {"id", "op": "errors"}                        console errors, by page
// Each gets one line on stdout: {"phase": "reply", "id", "result"} or
// {"phase": "reply", "id", "error"}. End of input closes Chromium.
// Assertions are the test's; this script only drives and reads.
//
// Chromium runs with a fake camera and microphone. Screen capture in
// headless Chromium: --use-fake-device-for-media-stream together with
// --use-fake-ui-for-media-stream makes getDisplayMedia() return the fake
// "screen" source (a moving test pattern, 1280x720) without a picker;
// fake UI alone tries the real display (no X: NotReadableError), and the
// fake device alone waits for a picker that never shows.
//
// usage: node demo_pages.js [--chromium PATH]

"use strict";

const path = require("path");
const readline = require("readline");
const { chromium } = require(path.join(__dirname, "node_modules", "playwright-core"));
const viewer = require(path.join(__dirname, "viewer_page.js"));

const emit = (object) => process.stdout.write(JSON.stringify(object) + "\n");

// Every notice the demo page shows, in order, in window.rtkToasts (a notice
// stays a few seconds: a test that looks later still finds it), and every
// screen it showed (window.rtkScreens) and each time the reconnecting banner
// appeared (window.rtkBanners), which may last less than a snapshot's period.
function logToasts() {
  window.rtkToasts = [];
  window.rtkScreens = [];
  window.rtkBanners = [];
  document.addEventListener("DOMContentLoaded", () => {
    new MutationObserver(() => {
      const screen = document.body.dataset.screen || null;
      if (window.rtkScreens[window.rtkScreens.length - 1] !== screen)
        window.rtkScreens.push(screen);
    }).observe(document.body, { attributes: true, attributeFilter: ["data-screen"] });
    const banner = document.getElementById("reconnecting");
    if (banner)
      new MutationObserver(() => {
        if (!banner.hidden)
          window.rtkBanners.push(banner.textContent.trim());
      }).observe(banner, { attributes: true, attributeFilter: ["hidden"] });
    const toast = document.getElementById("toast");
    if (!toast)
      return;
    new MutationObserver(() => {
      if (toast.hidden)
        return;
      const text = document.getElementById("toast-text").textContent;
      const code = document.getElementById("toast-code");
      const entry = { text, code: code.hidden ? null : code.textContent, error: toast.classList.contains("toast-error") };
      const last = window.rtkToasts[window.rtkToasts.length - 1];
      if (!last || last.text !== entry.text || last.code !== entry.code)
        window.rtkToasts.push(entry);
    }).observe(toast, { attributes: true, childList: true, characterData: true, subtree: true });
  });
}

// What the demo page shows (sdk/demo/), read as a user sees it, plus the
// SDK state behind it for the failure messages.
function demoSnapshot() {
  // The chat panel: its button, the messages and pinned ones as shown (name,
  // "to ..." of a private one, time, text, an image's or file's link and
  // whether the image loaded, the pin actions), the "To" choices, Attach.
  function chatSnapshot() {
    const $ = (id) => document.getElementById(id);
    const shown = (el) => !!el && !el.hidden && el.checkVisibility();
    const text = (el) => (el ? el.textContent.trim() : null);
    const item = (li) => {
      const img = li.querySelector(".msg-body img");
      const link = li.querySelector(".msg-body a");
      return {
        id: li.dataset.messageId, type: li.dataset.type, name: text(li.querySelector(".msg-name")),
        to: text(li.querySelector(".msg-to")) || null, time: text(li.querySelector(".msg-time")),
        text: text(li.querySelector(".msg-body")),
        image: img ? { src: img.getAttribute("src"), loaded: img.complete && img.naturalWidth > 0 } : null,
        link: link ? { href: link.getAttribute("href"), text: text(link) } : null,
        actions: [...li.querySelectorAll("button")].filter(shown).map((b) => b.dataset.action),
      };
    };
    if (!$("chat"))
      return null;
    return {
      toggle: shown($("chat-toggle")) ? text($("chat-toggle")) : null,
      open: shown($("chat")),
      messages: [...$("chat-list").querySelectorAll("li")].map(item),
      pinned: shown($("chat-pinned-block")) ? [...$("chat-pinned").querySelectorAll("li")].map(item) : [],
      targets: shown($("chat-to")) ? [...$("chat-to").options].map((o) => ({ value: o.value, text: o.text })) : [],
      form: shown($("chat-form")),
      attach: shown($("chat-attach")),
    };
  }
  // The plugins panel (meeting.plugins.all with its buttons) and the
  // plugin's iframe shown, with what its app says it drew or holds
  // (body.dataset.strokes of the whiteboard, body.dataset.text of notes).
  function pluginsSnapshot() {
    const $ = (id) => document.getElementById(id);
    const shown = (el) => !!el && !el.hidden && el.checkVisibility();
    const text = (el) => (el ? el.textContent.trim() : null);
    if (!$("plugins"))
      return null;
    const frame = $("plugin-frame-box").querySelector("iframe");
    const doc = frame && frame.contentDocument;
    return {
      toggle: shown($("plugins-toggle")) ? text($("plugins-toggle")) : null,
      open: shown($("plugins")),
      items: [...$("plugins-list").querySelectorAll("li")].map((li) => ({
        id: li.dataset.pluginId, name: text(li.querySelector("strong")),
        actions: [...li.querySelectorAll("button")].filter(shown).map(text),
      })),
      view: shown($("plugin-view")) && frame ? {
        pluginId: frame.dataset.pluginId, title: text($("plugin-title")), src: frame.getAttribute("src"),
        strokes: doc && doc.body ? Number(doc.body.dataset.strokes || 0) : null,
        text: doc && doc.body ? doc.body.dataset.text ?? null : null,
        status: doc ? text(doc.getElementById("status")) : null,
      } : null,
    };
  }

  // The rooms panel (breakout rooms, hosts): its button, the family's
  // meetings listed (title, "you are here", who is in it, the actions), and
  // per participant here the move choices.
  function roomsSnapshot() {
    const $ = (id) => document.getElementById(id);
    const shown = (el) => !!el && !el.hidden && el.checkVisibility();
    const text = (el) => (el ? el.textContent.trim() : null);
    if (!$("rooms"))
      return null;
    return {
      toggle: shown($("rooms-toggle")) ? text($("rooms-toggle")) : null,
      open: shown($("rooms")),
      list: [...$("rooms-list").querySelectorAll("li")].map((li) => ({
        id: li.dataset.meetingId, title: text(li.querySelector(".room-title")),
        parent: li.classList.contains("room-parent"), here: text(li.querySelector(".room-here")) !== "",
        people: text(li.querySelector(".room-people")),
        actions: [...li.querySelectorAll("button")].filter(shown).map((b) => b.dataset.action),
      })),
      back: shown($("rooms-back")) ? { disabled: $("rooms-back").disabled } : null,
      people: [...$("rooms-people").querySelectorAll("li")].map((li) => ({
        id: li.dataset.participant, name: text(li.querySelector(".person-name")),
        options: [...li.querySelectorAll("select option")].map((o) => ({ value: o.value, text: o.text })),
      })),
    };
  }
  const $ = (id) => document.getElementById(id);
  const shown = (el) => !!el && !el.hidden && el.checkVisibility();
  const text = (el) => (el ? el.textContent.trim() : null);
  const button = (id) => {
    const b = $(id);
    if (!shown(b))
      return null;
    return { disabled: b.disabled, pressed: b.getAttribute("aria-pressed"), state: b.dataset.state || null,
             title: b.title || null, text: text(b) };
  };
  const rows = (id) => [...$(id).querySelectorAll("li")].filter(shown).map((li) => ({
    id: li.dataset.participant || null,
    name: text(li.querySelector(".person-name")),
    state: text(li.querySelector(".person-state")),
    actions: [...li.querySelectorAll("button")].filter(shown).map((b) => b.dataset.action),
  }));
  const m = window.rtkMeeting;
  const track = (t) => (t ? t.readyState : null);
  const marked = window.rtkTestTracks || null;
  return {
    now: performance.now(),
    screen: document.body.dataset.screen || null,
    title: text($("title")),
    documentTitle: document.title,
    heading: [...document.querySelectorAll("h1")].filter(shown).map(text),
    lobbyError: shown($("lobby-error")) ? text($("lobby-error")) : null,
    toast: shown($("toast")) ? { text: text($("toast-text")), code: shown($("toast-code")) ? text($("toast-code")) : null,
                                 error: $("toast").classList.contains("toast-error") } : null,
    toasts: window.rtkToasts || [],
    screens: window.rtkScreens || [],
    banners: window.rtkBanners || [],
    reconnecting: shown($("reconnecting")) ? text($("reconnecting")) : null,
    tiles: [...document.querySelectorAll("#grid .tile[data-key]")].filter(shown).map((el) => {
      const v = el.querySelector("video");
      const q = v.getVideoPlaybackQuality();
      return { key: el.dataset.key, name: text(el.querySelector(".name")),
               screen: el.classList.contains("tile-screen"), videoOff: el.classList.contains("video-off"),
               micOff: el.classList.contains("mic-off"), width: v.videoWidth, height: v.videoHeight,
               frames: q.totalVideoFrames, currentTime: v.currentTime };
    }),
    buttons: Object.fromEntries(["mic", "cam", "screen", "leave", "record", "record-pause", "golive",
      "stage-request", "stage-cancel", "stage-join", "stage-leave", "mute-all", "video-off-all",
      "panel-toggle", "join"].map((id) => [id, button(id)])),
    rec: shown($("rec")) ? { text: text($("rec")), state: $("rec").dataset.state } : null,
    live: shown($("live")) ? { text: text($("live")), state: $("live").dataset.state } : null,
    viewerLink: shown($("viewer-link")) ? $("viewer-link").getAttribute("href") : null,
    stageBar: shown($("stage-bar")) ? { status: $("stage-bar").dataset.status, text: text($("stage-text")) } : null,
    emptyStage: shown($("empty-stage")) ? text($("empty-title")) : null,
    watch: shown($("watch")) ? (() => {
      const doc = $("watch").contentDocument;
      const v = doc && doc.getElementById("video");
      return { src: $("watch").getAttribute("src"), state: doc && doc.body ? doc.body.dataset.state || null : null,
               frames: v ? v.getVideoPlaybackQuality().totalVideoFrames : 0, currentTime: v ? v.currentTime : 0 };
    })() : null,
    panel: shown($("panel")),
    people: rows("people"),
    waitlist: shown($("waitlist-block")) ? rows("waitlist") : [],
    stageRequests: shown($("stage-requests-block")) ? rows("stage-requests") : [],
    sdk: m ? {
      id: m.self.id, roomState: m.self.roomState, stageStatus: m.self.stageStatus,
      audioEnabled: m.self.audioEnabled, videoEnabled: m.self.videoEnabled,
      screenShareEnabled: m.self.screenShareEnabled, audioTrack: track(m.self.audioTrack),
      videoTrack: track(m.self.videoTrack), recordingState: m.recording.recordingState,
      livestream: m.livestream.status, viewerCount: m.livestream.viewerCount,
      meetingId: m.meta.meetingId,
      joined: m.participants.joined.toArray().map((p) => ({ id: p.id, name: p.name, stageStatus: p.stageStatus,
        audioEnabled: p.audioEnabled, videoEnabled: p.videoEnabled })),
    } : null,
    marked: marked ? { audio: track(marked.audio), video: track(marked.video) } : null,
    chat: chatSnapshot(),
    plugins: pluginsSnapshot(),
    rooms: roomsSnapshot(),
  };
}

async function main() {
  let chromiumPath = "/usr/bin/chromium";
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    if (argv[i] === "--chromium" && i + 1 < argv.length)
      chromiumPath = argv[i + 1];
    else
      throw new Error("bad argument " + argv[i]);
  }
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ["--no-sandbox", "--autoplay-policy=no-user-gesture-required",
           "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"],
  });
  const pages = {};
  const consoleErrors = {};
  const page = (name) => {
    if (!pages[name])
      throw new Error("no page " + name);
    return pages[name];
  };
  const watch = (name, p) => {
      consoleErrors[name] = [];
      p.on("console", (m) => {
        if (m.type() === "error")
          consoleErrors[name].push(m.text().slice(0, 400) + (m.location().url ? " at " + m.location().url : ""));
      });
      p.on("pageerror", (e) => consoleErrors[name].push("pageerror: " + String(e).slice(0, 400)));
      p.on("response", (r) => {
        if (r.status() >= 400)
          consoleErrors[name].push("HTTP " + r.status() + " " + r.url());
      });
      pages[name] = p;
  };
  const ops = {
    async open({ page: name, url }) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      await context.grantPermissions(["camera", "microphone"]);
      const p = await context.newPage();
      await p.addInitScript(logToasts);
      watch(name, p);
      await p.goto(url);
      return { url: p.url() };
    },
    async click({ page: name, selector }) {
      // Visible and enabled, as a user needs it; no wait for it to stay put
      // over two animation frames (playwright's "stable"): a renderer busy
      // encoding video on a loaded machine may draw one frame in seconds.
      const target = page(name).locator(selector);
      await target.waitFor({ state: "visible", timeout: 30000 });
      const deadline = Date.now() + 30000;
      while (!(await target.isEnabled())) {
        if (Date.now() > deadline)
          throw new Error(selector + " stays disabled");
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await target.click({ force: true, timeout: 30000 });
      return true;
    },
    async fill({ page: name, selector, value, frame }) {
      const root = frame ? page(name).frameLocator(frame) : page(name);
      await root.locator(selector).fill(value, { timeout: 30000 });
      return true;
    },
    async select({ page: name, selector, value }) {
      await page(name).locator(selector).selectOption(value, { timeout: 30000 });
      return true;
    },
    // A pointer drag inside an iframe's element, as a user draws: from and
    // to are fractions of the element's box.
    async drag({ page: name, frame, selector, from, to, steps }) {
      const p = page(name);
      const target = p.frameLocator(frame).locator(selector);
      await target.waitFor({ state: "visible", timeout: 30000 });
      const box = await target.boundingBox();
      if (!box)
        throw new Error(selector + " has no box");
      const at = ([fx, fy]) => [box.x + fx * box.width, box.y + fy * box.height];
      await p.mouse.move(...at(from));
      await p.mouse.down();
      await p.mouse.move(...at(to), { steps: steps || 12 });
      await p.mouse.up();
      return true;
    },
    async snap({ page: name, probe }) {
      return probe === "viewer" ? viewer.snapshot(page(name)) : page(name).evaluate(demoSnapshot);
    },
    async mark({ page: name }) {
      return page(name).evaluate(() => {
        const s = window.rtkMeeting.self;
        window.rtkTestTracks = { audio: s.audioTrack, video: s.videoTrack };
        return { audio: s.audioTrack ? s.audioTrack.readyState : null, video: s.videoTrack ? s.videoTrack.readyState : null };
      });
    },
    async drop({ page: name }) {
      return page(name).evaluate(() => {
        window.rtkMeeting._transport.dropSocket();
        return window.rtkMeeting.self.roomState;
      });
    },
    async run({ page: name, script }) {
      return page(name).evaluate(script);
    },
    async screenshot({ page: name, path: file }) {
      await page(name).screenshot({ path: file });
      return file;
    },
    async errors() {
      return consoleErrors;
    },
  };
  const lines = readline.createInterface({ input: process.stdin });
  try {
    for await (const line of lines) {
      if (!line.trim())
        continue;
      let command;
      try {
        command = JSON.parse(line);
        const op = ops[command.op];
        if (!op)
          throw new Error("unknown op " + command.op);
        emit({ phase: "reply", id: command.id, result: await op(command) });
      } catch (error) {
        emit({ phase: "reply", id: command && command.id, error: String(error && error.stack || error) });
      }
    }
  } finally {
    await browser.close();
  }
  return 0;
}

main().then((status) => process.exit(status), (error) => {
  emit({ phase: "error", message: "driver: " + (error && error.stack || String(error)) });
  process.exit(1);
});
