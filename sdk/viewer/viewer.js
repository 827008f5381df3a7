// viewer.js - the livestream viewer page (viewer/index.html): plays a
// livestream's playbackUrl with hls.js in low-latency mode and shows whether
// it is live, waiting or ended, and how far behind the live edge it plays.
//
// The source: /viewer/<id> or ?id=<id> (the playlist /hls/<id>/index.m3u8 of
// this server), or ?url=<playbackUrl>. hls.js is served by the gateway at
// /sdk/vendor/hls.js/ from an `npm ci --prefix sdk` (./rtk run does it); when
// it is missing the page says so instead of playing.
//
// States (document.body.dataset.state, also window.rtkViewer.state):
//   idle        no source given: a form asks for one
//   connecting  loading the playlist
//   waiting     the playlist is not there (yet): the livestream has not
//               started, or is not served here; retried every few seconds
//   live        playing a live playlist
//   ended       the playlist ended (EXT-X-ENDLIST) or the video played out
//   error       hls.js is missing, this browser cannot play HLS, or a
//               fatal error that retrying does not fix
// window.rtkViewer also holds the hls.js instance and the latest latency,
// for tests and for the curious.

const HLS_URL = new URL("/sdk/vendor/hls.js/hls.min.mjs", import.meta.url).href;
const RETRY_MS = 3000;
const BEHIND_LIVE_S = 6;   // "Jump to live" shows past this many seconds of latency

const $ = (id) => document.getElementById(id);
const viewer = window.rtkViewer = { state: "idle", source: null, hls: null, latency: null, error: null };

const LABELS = { idle: "Idle", connecting: "Connecting", waiting: "Waiting", live: "Live",
                 ended: "Ended", error: "Error" };

function setState(state, overlayText) {
  viewer.state = state;
  document.body.dataset.state = state;
  const pill = $("state");
  pill.textContent = LABELS[state];
  pill.className = "pill pill-" + state;
  const overlay = $("overlay");
  if (overlayText) {
    $("overlay-text").textContent = overlayText;
    overlay.hidden = false;
  } else {
    overlay.hidden = true;
  }
  if (state !== "live")
    $("latency").hidden = true;
}

function showProblem(title, text) {
  viewer.error = text;
  setState("error");
  $("player").hidden = true;
  $("problem").hidden = false;
  $("problem-title").textContent = title;
  $("problem-text").textContent = text;
}

// The playlist URL from the page's URL, or null.
function sourceFromLocation() {
  const params = new URLSearchParams(location.search);
  const url = params.get("url");
  if (url) {
    let parsed;
    try {
      parsed = new URL(url, location.href);
    } catch (e) {
      return { error: "“" + url + "” is not a URL." };
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
      return { error: "Only http and https playback URLs can be played." };
    return { url: parsed.href };
  }
  const match = location.pathname.match(/^\/viewer\/([A-Za-z0-9-]+)$/);
  const id = params.get("id") || (match && match[1]);
  if (id) {
    if (!/^[A-Za-z0-9-]{1,64}$/.test(id))
      return { error: "“" + id + "” is not a livestream id." };
    return { url: new URL("/hls/" + id + "/index.m3u8", location.origin).href };
  }
  return null;
}

function showChooser() {
  setState("idle");
  $("chooser").hidden = false;
  $("chooser-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = $("chooser-input").value.trim();
    if (!value)
      return;
    const target = /^https?:\/\//i.test(value) ?
      "/viewer?url=" + encodeURIComponent(value) : "/viewer/" + encodeURIComponent(value);
    location.assign(target);
  });
}

function formatLatency(seconds) {
  return seconds.toFixed(1) + " s behind live";
}

async function loadHls() {
  try {
    const module = await import(HLS_URL);
    return module.default;
  } catch (e) {
    return null;
  }
}

function play(Hls, url) {
  const video = $("video");
  let retryTimer = null;
  let ended = false;

  const start = () => {
    retryTimer = null;
    if (viewer.hls)
      viewer.hls.destroy();
    const hls = viewer.hls = new Hls({ lowLatencyMode: true, backBufferLength: 30 });
    hls.on(Hls.Events.MANIFEST_PARSED, () => {
      video.play().catch(() => {});
    });
    hls.on(Hls.Events.LEVEL_UPDATED, (event, data) => {
      if (data.details.live === false) {
        ended = true;
        setState("ended", "The livestream has ended.");
      } else if (viewer.state !== "live" && !ended) {
        setState("connecting", "Starting the livestream…");
      }
    });
    hls.on(Hls.Events.ERROR, (event, data) => {
      if (!data.fatal)
        return;
      if (ended)
        return;   // the server stops serving an ended stream: nothing to retry
      const code = data.response && data.response.code;
      if (data.type === Hls.ErrorTypes.NETWORK_ERROR) {
        setState("waiting", code === 404 ?
          "This livestream is not on air (yet). Waiting for it to start…" :
          "Cannot reach the livestream. Retrying…");
        hls.destroy();
        viewer.hls = null;
        retryTimer = setTimeout(start, RETRY_MS);
      } else if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
        hls.recoverMediaError();
      } else {
        showProblem("Playback failed", "hls.js: " + data.details);
      }
    });
    hls.loadSource(url);
    hls.attachMedia(video);
  };

  video.addEventListener("playing", () => {
    if (!ended)
      setState("live");
  });
  video.addEventListener("waiting", () => {
    if (viewer.state === "live")
      $("overlay-text").textContent = "Buffering…";
  });
  video.addEventListener("ended", () => {
    ended = true;
    setState("ended", "The livestream has ended.");
  });

  $("unmute").addEventListener("click", () => {
    video.muted = !video.muted;
    $("unmute").textContent = video.muted ? "Unmute" : "Mute";
    if (video.paused)
      video.play().catch(() => {});
  });
  $("golive").addEventListener("click", () => {
    const hls = viewer.hls;
    if (hls && Number.isFinite(hls.liveSyncPosition))
      video.currentTime = hls.liveSyncPosition;
  });

  setInterval(() => {
    const hls = viewer.hls;
    const latency = hls && viewer.state === "live" ? hls.latency : null;
    viewer.latency = Number.isFinite(latency) && latency > 0 ? latency : null;
    const chip = $("latency");
    chip.hidden = viewer.latency === null;
    if (viewer.latency !== null)
      chip.textContent = formatLatency(viewer.latency);
    $("golive").hidden = viewer.latency === null || viewer.latency < BEHIND_LIVE_S;
    const quality = video.getVideoPlaybackQuality ? video.getVideoPlaybackQuality() : null;
    const size = video.videoWidth ? video.videoWidth + "×" + video.videoHeight : "";
    $("stats").textContent = [size, quality ? quality.totalVideoFrames + " frames" : ""]
      .filter(Boolean).join(" · ");
  }, 500);

  setState("connecting", "Connecting to the livestream…");
  start();
  window.addEventListener("pagehide", () => {
    if (retryTimer)
      clearTimeout(retryTimer);
    if (viewer.hls)
      viewer.hls.destroy();
  });
}

async function main() {
  const source = sourceFromLocation();
  if (source === null) {
    showChooser();
    return;
  }
  if (source.error) {
    showProblem("Cannot play this", source.error);
    return;
  }
  viewer.source = source.url;
  $("source").textContent = source.url;
  const Hls = await loadHls();
  if (Hls === null) {
    showProblem("hls.js is missing",
      "This server does not serve hls.js (" + HLS_URL + "), which the viewer needs to play HLS. " +
      "Install it on the server with `npm ci --prefix sdk` (./rtk run does it when npm is installed).");
    return;
  }
  if (!Hls.isSupported()) {
    showProblem("This browser cannot play the livestream",
      "It lacks Media Source Extensions. Open the playback URL in Safari or a player app instead.");
    return;
  }
  $("player").hidden = false;
  play(Hls, source.url);
}

main();
