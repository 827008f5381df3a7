/*
 * audio-output.js - RTKAudioOutput: plays the remote participants' audio.
 *
 * The seeds give applications a video-element API but no audio one: the
 * core SDK plays what others say, and `self.setDevice()` with an
 * `audiooutput` device chooses the speaker. This module owns that: one
 * <audio> element per remote audio track (a participant's microphone, or
 * the audio of its screenshare), created when the track arrives and
 * removed when it goes, all playing to the chosen speaker (setSinkId).
 *
 * The elements live in one hidden container appended to <body>
 * (`<div data-rtk-audio hidden>`, each `<audio data-rtk-audio="<key>">`):
 * a WebRTC track is only heard through a media element in Chromium, and
 * keeping them in the document lets an application or a test see what
 * plays. Browsers may refuse to start sound before the user has touched
 * the page (autoplay policy): a refused element is retried at the next
 * click or key press, and `blocked` says whether anything is waiting.
 *
 * Without a document (Node: tests/sdk) every call is a no-op that still
 * keeps the track bookkeeping, so the state can be unit-tested.
 */

const GESTURES = ['pointerdown', 'keydown', 'touchstart'];

export class RTKAudioOutput {
	constructor(doc = (typeof document !== 'undefined' ? document : null)) {
		this._doc = doc;
		this._tracks = new Map();    /* key -> MediaStreamTrack */
		this._elements = new Map();  /* key -> HTMLAudioElement */
		this._blocked = new Set();   /* keys whose play() the autoplay policy refused */
		this._sinkId = '';
		this._container = null;
		this._onGesture = () => this.#retryBlocked();
	}

	/* The keys (participant id + ':audio' or ':screenshare') now playing or waiting. */
	get keys() { return [...this._tracks.keys()]; }
	get blocked() { return this._blocked.size > 0; }
	get sinkId() { return this._sinkId; }

	/* Plays `track` under `key`, replacing what played there; null stops it. */
	set(key, track) {
		if ((this._tracks.get(key) || null) === (track || null))
			return;
		this.delete(key);
		if (!track)
			return;
		this._tracks.set(key, track);
		const el = this.#element(key);
		if (!el)
			return;
		el.srcObject = new MediaStream([track]);
		this.#play(key, el);
	}

	delete(key) {
		this._tracks.delete(key);
		this._blocked.delete(key);
		const el = this._elements.get(key);
		if (!el)
			return;
		this._elements.delete(key);
		el.srcObject = null;
		el.remove();
	}

	/* Removes everything a participant (peer id) plays. */
	deleteParticipant(id) {
		for (const key of this.keys)
			if (key.startsWith(`${id}:`))
				this.delete(key);
	}

	clear() {
		for (const key of this.keys)
			this.delete(key);
		if (this._container) {
			this._container.remove();
			this._container = null;
		}
		this.#watchGestures(false);
	}

	/* The speaker: every element, and the ones created later, play there.
	 * Rejects when the browser cannot choose outputs (no setSinkId) or
	 * refuses the device. */
	async setSinkId(deviceId) {
		this._sinkId = deviceId || '';
		const els = [...this._elements.values()];
		if (els.length && typeof els[0].setSinkId !== 'function')
			throw new Error('this browser cannot choose the audio output (no setSinkId)');
		await Promise.all(els.map((el) => el.setSinkId(this._sinkId)));
	}

	#element(key) {
		if (!this._doc || typeof MediaStream === 'undefined')
			return null;
		if (!this._container) {
			this._container = this._doc.createElement('div');
			this._container.hidden = true;
			this._container.setAttribute('data-rtk-audio', '');
			(this._doc.body || this._doc.documentElement).appendChild(this._container);
		}
		const el = this._doc.createElement('audio');
		el.autoplay = true;
		el.setAttribute('data-rtk-audio', key);
		if (this._sinkId && typeof el.setSinkId === 'function')
			el.setSinkId(this._sinkId).catch(() => {});
		this._container.appendChild(el);
		this._elements.set(key, el);
		return el;
	}

	#play(key, el) {
		const played = el.play();
		if (!played || typeof played.then !== 'function')
			return;
		played.then(() => {
			this._blocked.delete(key);
			this.#watchGestures(this._blocked.size > 0);
		}, (e) => {
			if (e && e.name === 'NotAllowedError' && this._elements.get(key) === el) {
				this._blocked.add(key);
				this.#watchGestures(true);
			}
		});
	}

	#retryBlocked() {
		for (const key of [...this._blocked]) {
			const el = this._elements.get(key);
			if (el)
				this.#play(key, el);
		}
	}

	#watchGestures(on) {
		const target = this._doc && this._doc.defaultView;
		if (!target || on === Boolean(this._watching))
			return;
		this._watching = on;
		for (const type of GESTURES) {
			if (on)
				target.addEventListener(type, this._onGesture, true);
			else
				target.removeEventListener(type, this._onGesture, true);
		}
	}
}
