/*
 * fake_janus.mjs - a stand-in for the Janus WebSocket API and the browser's
 * media objects, so tests/sdk/ can drive the SDK's state handling in Node.
 *
 * FakeJanus gives a WebSocket constructor that answers the Janus core
 * requests (create, attach, keepalive, trickle, detach, destroy) and hands
 * each plugin `message` to the test's `onMessage(handle, body, jsep)`, whose
 * returned plugin event (and JSEP) is sent back with the request's
 * transaction, as docs/protocol.md says the plugin does. `push()` sends an
 * unsolicited plugin event. FakePeerConnection and fakeMediaDevices model
 * just what publisher.js and subscriber.js use.
 *
 * Reconnection: `dropSocket()` closes the socket as a network failure does;
 * the session survives (as with reclaim_session_timeout) and `claim` on a
 * new socket succeeds unless `sessionGone` is set (then Janus's 458);
 * `refuseConnections` makes new sockets fail to open. `silence()` makes the
 * current socket a dead one that never closes: what the SDK sends on it is
 * recorded and never answered (a network gone without a FIN).
 */

export class FakeJanus {
	constructor() {
		this.sent = [];          /* every Janus request the SDK sent, parsed */
		this.handles = [];       /* attached handle ids, in order */
		this.socket = null;
		this.nextId = 1000;
		this.onMessage = () => ({ data: { rtk: 'ok' } });
		this.sockets = 0;
		this.sessionGone = false;
		this.refuseConnections = false;
		this.sentToDeadSocket = [];
		const janus = this;
		this.WebSocket = class {
			constructor(url, protocol) {
				this.url = url;
				this.protocol = protocol;
				janus.sockets++;
				if (janus.refuseConnections) {
					setTimeout(() => {
						this.onerror && this.onerror({});
						this.onclose && this.onclose({ code: 1006, reason: 'refused' });
					}, 0);
					return;
				}
				janus.socket = this;
				janus.url = url;
				janus.protocol = protocol;
				setTimeout(() => this.onopen && this.onopen(), 0);
			}
			send(text) {
				if (this.silent)
					janus.sentToDeadSocket.push(JSON.parse(text));
				else
					janus.#receive(JSON.parse(text));
			}
			close() {
				setTimeout(() => this.onclose && this.onclose({ code: 1000, reason: '' }), 0);
			}
		};
	}

	#reply(msg) {
		setTimeout(() => this.socket.onmessage({ data: JSON.stringify(msg) }), 0);
	}

	#receive(msg) {
		this.sent.push(msg);
		const tx = msg.transaction;
		switch (msg.janus) {
		case 'create':
			this.sessionId = this.nextId++;
			this.#reply({ janus: 'success', transaction: tx, data: { id: this.sessionId } });
			return;
		case 'attach': {
			const id = this.nextId++;
			this.handles.push(id);
			this.#reply({ janus: 'success', transaction: tx, session_id: this.sessionId, data: { id } });
			return;
		}
		case 'keepalive':
		case 'trickle':
			this.#reply({ janus: 'ack', transaction: tx, session_id: this.sessionId });
			return;
		case 'claim':
			if (this.sessionGone || msg.session_id !== this.sessionId)
				this.#reply({ janus: 'error', transaction: tx, session_id: msg.session_id, error: { code: 458, reason: 'No such session' } });
			else
				this.#reply({ janus: 'success', transaction: tx, session_id: this.sessionId });
			return;
		case 'detach':
		case 'destroy':
			this.#reply({ janus: 'success', transaction: tx, session_id: this.sessionId });
			return;
		case 'message': {
			this.#reply({ janus: 'ack', transaction: tx, session_id: this.sessionId });
			Promise.resolve(this.onMessage(msg.handle_id, msg.body, msg.jsep)).then((r) => {
				if (!r)
					return;
				const out = {
					janus: 'event', session_id: this.sessionId, sender: msg.handle_id, transaction: tx,
					plugindata: { plugin: 'janus.plugin.rtk', data: r.data },
				};
				if (r.jsep)
					out.jsep = r.jsep;
				this.#reply(out);
				for (const later of r.then || [])
					this.push(later.handle ?? msg.handle_id, later.data, later.jsep);
			});
			return;
		}
		default:
			this.#reply({ janus: 'error', transaction: tx, error: { code: 456, reason: 'unknown request' } });
		}
	}

	/* An unsolicited plugin event on a handle. */
	push(handle, data, jsep) {
		const out = {
			janus: 'event', session_id: this.sessionId, sender: handle,
			plugindata: { plugin: 'janus.plugin.rtk', data },
		};
		if (jsep)
			out.jsep = jsep;
		this.#reply(out);
	}

	/* A Janus core event (webrtcup, hangup, ...) on a handle. */
	core(handle, janus, extra = {}) {
		this.#reply({ janus, session_id: this.sessionId, sender: handle, ...extra });
	}

	/* Plugin requests sent so far, by request name. */
	requests(name) {
		return this.sent.filter((m) => m.janus === 'message' && (!name || m.body.request === name));
	}

	dropSocket() {
		setTimeout(() => this.socket.onclose({ code: 1006, reason: 'gone' }), 0);
	}

	silence() {
		this.socket.silent = true;
	}
}

let trackSeq = 0;
export class FakeTrack {
	constructor(kind, label = '') {
		this.kind = kind;
		this.id = `track${++trackSeq}`;
		this.label = label;
		this.readyState = 'live';
		this.enabled = true;
	}
	stop() { this.readyState = 'ended'; }
	getSettings() { return { deviceId: `${this.kind}-device` }; }
}

export function fakeMediaDevices(log = []) {
	const stream = (tracks) => ({
		getTracks: () => tracks,
		getAudioTracks: () => tracks.filter((t) => t.kind === 'audio'),
		getVideoTracks: () => tracks.filter((t) => t.kind === 'video'),
	});
	return {
		log,
		async getUserMedia(c) {
			log.push(['getUserMedia', c]);
			const tracks = [];
			if (c.audio)
				tracks.push(new FakeTrack('audio', 'mic'));
			if (c.video)
				tracks.push(new FakeTrack('video', 'camera'));
			return stream(tracks);
		},
		async getDisplayMedia(c) {
			log.push(['getDisplayMedia', c]);
			return stream([new FakeTrack('video', 'screen')]);
		},
		async enumerateDevices() {
			return [
				{ kind: 'audioinput', deviceId: 'mic1', label: 'Mic' },
				{ kind: 'videoinput', deviceId: 'cam1', label: 'Cam' },
				{ kind: 'audiooutput', deviceId: 'spk1', label: 'Speaker' },
			];
		},
	};
}

/*
 * Offers in these tests carry their m-lines as "m=<kind> <mid>" lines; the
 * fake PeerConnection creates one receiving transceiver (and track) per
 * new mid, as a browser does on setRemoteDescription.
 */
export function fakeOffer(lines) {
	return { type: 'offer', sdp: lines.map(([kind, mid]) => `m=${kind} ${mid}`).join('\n') };
}

export class FakePeerConnection {
	static instances = [];
	constructor(config) {
		this.config = config;
		this.transceivers = [];
		this.localDescription = null;
		this.remoteDescription = null;
		this.closed = false;
		this.iceConnectionState = 'connected';
		this.offerOptions = [];   /* the options of every createOffer */
		FakePeerConnection.instances.push(this);
	}
	addTransceiver(track, init) {
		const sender = { track, replaceTrack: async (t) => { sender.track = t; } };
		/* RTCRtpSender parameters: a copy out, every setParameters kept */
		sender.encodings = (init.sendEncodings || [{}]).map((e) => ({ active: true, ...e }));
		sender.setCalls = [];
		sender.getParameters = () => ({ encodings: sender.encodings.map((e) => ({ ...e })) });
		sender.setParameters = async (p) => { sender.setCalls.push(p); sender.encodings = p.encodings.map((e) => ({ ...e })); };
		const t = { mid: null, direction: init.direction, sendEncodings: init.sendEncodings, sender,
			receiver: { track: null }, kind: track.kind };
		this.transceivers.push(t);
		return t;
	}
	getTransceivers() { return this.transceivers; }
	async createOffer(options = {}) {
		this.offerOptions.push(options);
		return { type: 'offer', sdp: this.transceivers.map((t, i) => `m=${t.kind} ${i}`).join('\n') };
	}
	async createAnswer() {
		return { type: 'answer', sdp: `answer to ${this.remoteDescription.sdp.split('\n').length} m-lines` };
	}
	async setLocalDescription(d) {
		this.localDescription = d;
		this.transceivers.forEach((t, i) => { if (t.mid === null) t.mid = String(i); });
	}
	async setRemoteDescription(d) {
		this.remoteDescription = d;
		if (d.type !== 'offer')
			return;
		for (const line of d.sdp.split('\n')) {
			const m = /^m=(\w+) (\S+)/.exec(line);
			if (m && !this.transceivers.some((t) => t.mid === m[2]))
				this.transceivers.push({ mid: m[2], kind: m[1], receiver: { track: new FakeTrack(m[1], `remote ${m[2]}`) } });
		}
	}
	close() { this.closed = true; }
}

export const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

/* Waits until cond() holds (generous bound: the fake answers at once). */
export async function until(cond, what = 'condition', ms = 3000) {
	const end = Date.now() + ms;
	while (!cond()) {
		if (Date.now() > end)
			throw new Error(`timed out waiting for ${what}`);
		await tick(2);
	}
}
