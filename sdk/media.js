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

export function audioConstraints(config = {}, deviceId) {
	const c = {};
	if (config.enableStereo)
		c.channelCount = 2;
	if (deviceId)
		c.deviceId = { exact: deviceId };
	return Object.keys(c).length ? c : true;
}
