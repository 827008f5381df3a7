/*
 * probe.js - the instrumentation of bench/join's pages. A classic script,
 * loaded before any module, so that what it wraps is in place before the
 * SDK (or our VideoRoom client) is imported; nothing of the SDK is changed.
 *
 * window.joinProbe:
 *   start()          t0: the moment the page calls meeting.join() (or opens
 *                    its VideoRoom session); every mark is ms after it.
 *   marks            {name: ms}, first occurrence only:
 *     wsOpen, sessionCreated            the WebSocket and Janus `create`
 *     joinSent, roomJoined              rtk's `join` and its reply
 *     subscribeSent                     rtk's `subscribe` / VideoRoom's subscriber `join`
 *     offerReceived                     the event carrying the subscriber offer
 *     answerSet, answerSent             setLocalDescription(answer), `start` with it
 *     iceChecking, iceConnected         iceConnectionState of the subscriber PC
 *     dtlsConnected                     its connectionState `connected` (ICE + DTLS)
 *     webrtcup                          Janus's `webrtcup` for the subscriber handle
 *     firstVideoRtp, firstAudioRtp      the remote track's `unmute`: Chromium
 *                                       unmutes a receiver's track when its
 *                                       first RTP packet arrives
 *     statsVideoRtp, framesDecoded      inbound-rtp video packetsReceived > 0 and
 *                                       framesDecoded > 0 (getStats polled every
 *                                       10 ms, but Chromium caches a report for
 *                                       up to 50 ms: coarse, upper bounds)
 *     firstFrame                        requestVideoFrameCallback's first call on
 *                                       the <video> showing the remote track
 *   watchVideo(el)   arms requestVideoFrameCallback on el (firstFrame)
 *   firstFrame       a promise resolved at firstFrame
 *   sending()        whether a PeerConnection of the page sends video
 *                    (outbound-rtp framesEncoded > 0): a publisher is up
 *   summary()        what the subscriber PC's getStats says after the first
 *                    frame: keyframe requests it sent, the ICE pair
 *
 * The subscriber PeerConnection is the first one given a remote offer (the
 * SDK's publishing PeerConnection offers itself, so it never is).
 */
(function () {
	'use strict';
	const now = () => performance.now();
	const P = window.joinProbe = { t0: null, marks: {}, subPc: null, subHandle: null, trickled: 0, pcs: [] };
	let resolveFrame;
	P.firstFrame = new Promise((resolve) => { resolveFrame = resolve; });

	P.start = () => {
		P.t0 = now();
		P.marks = {};
	};
	P.mark = (name, at) => {
		if (P.t0 === null || name in P.marks)
			return;
		P.marks[name] = Math.round(((at === undefined ? now() : at) - P.t0) * 10) / 10;
	};

	/* ---- the Janus API over the WebSocket ---- */
	const sent = new Map();   /* transaction -> what it asked */

	function onSend(msg) {
		if (!msg || typeof msg !== 'object')
			return;
		const body = msg.body || {};
		let what = msg.janus;
		if (msg.janus === 'message')
			what = body.request === 'join' && body.ptype === 'subscriber' ? 'subscribe' : body.request;
		sent.set(msg.transaction, what);
		if (what === 'join')
			P.mark('joinSent');
		else if (what === 'subscribe')
			P.mark('subscribeSent');
		else if (what === 'start' && msg.jsep)
			P.mark('answerSent');
		else if (msg.janus === 'trickle' && msg.handle_id === P.subHandle)
			P.trickled++;
	}

	function onReceive(text) {
		let msg;
		try {
			msg = JSON.parse(text);
		} catch (e) {
			return;
		}
		const asked = sent.get(msg.transaction);
		if (msg.janus === 'success' && asked === 'create')
			P.mark('sessionCreated');
		if (msg.janus === 'event') {
			const data = (msg.plugindata && msg.plugindata.data) || {};
			if (data.rtk === 'roomJoined')
				P.mark('roomJoined');
			if (msg.jsep && msg.jsep.type === 'offer' && (data.rtk === 'subscribed' || data.videoroom === 'attached')) {
				P.mark('offerReceived');
				if (P.subHandle === null)
					P.subHandle = msg.sender;
			}
		}
		if (msg.janus === 'webrtcup' && msg.sender === P.subHandle)
			P.mark('webrtcup');
	}

	const NativeWebSocket = window.WebSocket;
	class ProbeWebSocket extends NativeWebSocket {
		constructor(url, protocols) {
			super(url, protocols);
			this.addEventListener('open', () => P.mark('wsOpen'));
			this.addEventListener('message', (ev) => onReceive(ev.data));
		}

		send(data) {
			try {
				onSend(JSON.parse(data));
			} catch (e) {
				/* not JSON: not ours to time */
			}
			return super.send(data);
		}
	}
	window.WebSocket = ProbeWebSocket;

	/* ---- the subscriber PeerConnection ---- */
	function pollStats(pc) {
		const deadline = now() + 30000;
		const poll = async () => {
			if (pc.connectionState === 'closed' || now() > deadline || 'framesDecoded' in P.marks)
				return;
			let report;
			try {
				report = await pc.getStats();
			} catch (e) {
				return;
			}
			report.forEach((s) => {
				if (s.type !== 'inbound-rtp')
					return;
				if (s.kind === 'video' && s.packetsReceived > 0)
					P.mark('statsVideoRtp');
				if (s.kind === 'video' && s.framesDecoded > 0)
					P.mark('framesDecoded');
			});
			setTimeout(poll, 10);
		};
		poll();
	}

	function watchPc(pc) {
		pc.addEventListener('iceconnectionstatechange', () => {
			if (pc.iceConnectionState === 'checking')
				P.mark('iceChecking');
			if (pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed')
				P.mark('iceConnected');
		});
		pc.addEventListener('track', (ev) => {
			const name = ev.track.kind === 'video' ? 'firstVideoRtp' : 'firstAudioRtp';
			if (ev.track.muted)
				ev.track.addEventListener('unmute', () => P.mark(name), { once: true });
			else
				P.unmutedAtStart = true;
		});
		pc.addEventListener('connectionstatechange', () => {
			if (pc.connectionState === 'connected')
				P.mark('dtlsConnected');
		});
		if (P.t0 !== null)
			pollStats(pc);
	}

	const NativePC = window.RTCPeerConnection;
	class ProbePeerConnection extends NativePC {
		constructor(...args) {
			super(...args);
			P.pcs.push(this);
		}

		async setRemoteDescription(description) {
			if (P.subPc === null && description && description.type === 'offer') {
				P.subPc = this;
				watchPc(this);
			}
			return super.setRemoteDescription(description);
		}

		async setLocalDescription(...args) {
			const result = await super.setLocalDescription(...args);
			if (this === P.subPc && this.localDescription && this.localDescription.type === 'answer')
				P.mark('answerSet');
			return result;
		}
	}
	window.RTCPeerConnection = ProbePeerConnection;

	/* ---- the first frame on screen ---- */
	P.watchVideo = (el) => {
		el.requestVideoFrameCallback((t, meta) => {
			P.mark('firstFrame', t);
			P.frame = { width: meta.width, height: meta.height };
			resolveFrame();
		});
	};

	P.sending = async () => {
		for (const pc of P.pcs) {
			let frames = 0;
			(await pc.getStats()).forEach((s) => {
				if (s.type === 'outbound-rtp' && s.kind === 'video')
					frames += s.framesEncoded || 0;
			});
			if (frames > 0)
				return true;
		}
		return false;
	};

	/* After the first frame: what the receiver did to get it. */
	P.summary = async () => {
		const out = { trickled: P.trickled };
		if (!P.subPc)
			return out;
		const report = await P.subPc.getStats();
		const byId = new Map();
		report.forEach((s) => byId.set(s.id, s));
		report.forEach((s) => {
			if (s.type === 'inbound-rtp' && s.kind === 'video') {
				out.pliSent = s.pliCount;
				out.firSent = s.firCount;
				out.nackSent = s.nackCount;
				out.framesDecoded = s.framesDecoded;
				out.keyFramesDecoded = s.keyFramesDecoded;
			}
			if (s.type === 'transport' && s.selectedCandidatePairId) {
				const pair = byId.get(s.selectedCandidatePairId) || {};
				const local = byId.get(pair.localCandidateId) || {};
				const remote = byId.get(pair.remoteCandidateId) || {};
				out.pair = `${local.candidateType} ${local.address || local.ip} <-> ${remote.candidateType} ${remote.address || remote.ip}`;
			}
		});
		return out;
	};
}());
