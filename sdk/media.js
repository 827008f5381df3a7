/*
 * media.js - the browser's media APIs, guarded so every SDK module can be
 * imported in Node (tests/sdk/): local capture (getUserMedia,
 * getDisplayMedia, enumerateDevices) and attaching tracks to <video>
 * elements.
 *
 * The meeting passes its `mediaDevices` here (the global one unless init
 * was given another), so tests can inject fake devices.
 */

export function defaultMediaDevices() {
	return (typeof navigator !== 'undefined' && navigator.mediaDevices) || null;
}

export function streamOf(track) {
	if (!track || typeof MediaStream === 'undefined')
		return null;
	return new MediaStream([track]);
}

export function attachTrack(el, track) {
	if (!el)
		return;
	const stream = streamOf(track);
	el.srcObject = stream;
	if (stream && typeof el.play === 'function') {
		const played = el.play();
		if (played && typeof played.catch === 'function')
			played.catch(() => {});
	}
}

export function detachTrack(el) {
	if (el)
		el.srcObject = null;
}

/* Video constraints of the seeds' mediaConfiguration.video (width, height,
 * frameRate), with the camera device when one was chosen. */
export function videoConstraints(config = {}, deviceId) {
	const c = {};
	if (config.width)
		c.width = config.width;
	if (config.height)
		c.height = config.height;
	if (config.frameRate)
		c.frameRate = config.frameRate;
	if (deviceId)
		c.deviceId = { exact: deviceId };
	return Object.keys(c).length ? c : true;
}

/*
 * Audio constraints of the seeds' mediaConfiguration.audio:
 * echoCancellation, noiseSupression (the seeds' spelling; noiseSuppression
 * is accepted too) and autoGainControl (browser defaults, true, when
 * absent), enableStereo (two channels). enableHighBitrate is the encoder's
 * business: see HIGH_AUDIO_BITRATE.
 */
export function audioConstraints(config = {}, deviceId) {
	const c = {};
	if (typeof config.echoCancellation === 'boolean')
		c.echoCancellation = config.echoCancellation;
	const ns = config.noiseSuppression ?? config.noiseSupression;
	if (typeof ns === 'boolean')
		c.noiseSuppression = ns;
	if (typeof config.autoGainControl === 'boolean')
		c.autoGainControl = config.autoGainControl;
	if (config.enableStereo)
		c.channelCount = 2;
	if (deviceId)
		c.deviceId = { exact: deviceId };
	return Object.keys(c).length ? c : true;
}

/* The audio sender's maxBitrate with mediaConfiguration.audio.enableHighBitrate
 * (bits/s; Opus reaches transparent stereo music around it). */
export const HIGH_AUDIO_BITRATE = 128000;

/*
 * getDisplayMedia's video constraints: mediaConfiguration.screenshare (the
 * seeds' DefaultOptions spelling) or .screenShare (their displaySurface
 * section), merged, then updateScreenshareConstraints' override:
 * displaySurface, width, height, frameRate.
 */
export function screenshareConstraints(mediaConfiguration = {}, override = null) {
	const cfg = { ...(mediaConfiguration.screenShare || {}), ...(mediaConfiguration.screenshare || {}), ...(override || {}) };
	const c = {};
	for (const k of ['displaySurface', 'width', 'height', 'frameRate'])
		if (cfg[k] !== undefined)
			c[k] = cfg[k];
	return Object.keys(c).length ? c : true;
}

/* The default isNonPreferredDevice: virtual and relayed devices (OBS,
 * Continuity cameras, virtual cables), which the seeds say the SDK avoids
 * picking by default. */
export function isVirtualDevice(device) {
	return /virtual|\bobs\b|continuity|iphone|ipad|snap camera|manycam|xsplit|blackhole|voicemeeter|loopback/i
		.test((device && device.label) || '');
}
