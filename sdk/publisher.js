/*
 * publisher.js - the one publishing (send-only) RTCPeerConnection of the
 * main handle: one transceiver per published type (audio, video,
 * screenshare), `publish` offers with trickle ICE, and track swaps.
 *
 * Owns the PeerConnection. Adding a type renegotiates (a new `publish`
 * offer on the same handle, which the plugin takes as replacing what was
 * published); turning a published type off or on again only swaps the
 * sender's track (replaceTrack) so no renegotiation is needed, and the
 * caller tells the server with `configure`. Offers are serialized.
 *
 * Simulcast: the camera is sent as the layers of `overrides.simulcastConfig`
 * (cameraSendEncodings below); the screenshare always as one encoding. The
 * server pauses the layers nobody receives (`publisherLayers`, docs/protocol.md
 * "Forwarding policy"): setLayers turns those encodings' `active` off, and on
 * again when it asks, so the browser does not encode or send them.
 */

/*
 * The camera's layers when init's `overrides.simulcastConfig` names none:
 * a quarter, a half and the full capture size, each with a bitrate cap.
 * The plugin takes rid-based simulcast with the highest layer first in the
 * SDP (Janus's "hml" order), and calls the lowest layer substream 0.
 */
export const DEFAULT_SIMULCAST_ENCODINGS = Object.freeze([
	Object.freeze({ scaleResolutionDownBy: 1, maxBitrate: 1500000 }),
	Object.freeze({ scaleResolutionDownBy: 2, maxBitrate: 500000 }),
	Object.freeze({ scaleResolutionDownBy: 4, maxBitrate: 150000 }),
]);
const SIMULCAST_RIDS = ['h', 'm', 'l'];

/*
 * The camera transceiver's sendEncodings for a simulcastConfig
 * ({disable, encodings} of the seeds): null (one encoding at the capture
 * size, the browser's default) when `disable` is true; else the given
 * encodings (RTCRtpEncodingParameters; the defaults above when none),
 * at most three, sorted from the largest to the smallest picture and
 * given rids h, m, l unless they carry their own. A single encoding is
 * sent as it is, without a rid: one (possibly scaled) stream, no simulcast.
 */
export function cameraSendEncodings(config) {
	if (config && config.disable === true)
		return null;
	const given = config && Array.isArray(config.encodings) && config.encodings.length > 0
		? config.encodings : DEFAULT_SIMULCAST_ENCODINGS;
	const layers = given.slice(0, 3).map((e) => ({ ...e }))
		.sort((a, b) => (a.scaleResolutionDownBy || 1) - (b.scaleResolutionDownBy || 1));
	if (layers.length === 1) {
		delete layers[0].rid;
		return layers;
	}
	const taken = new Set(layers.map((e) => e.rid).filter(Boolean));
	const spare = SIMULCAST_RIDS.filter((r) => !taken.has(r));
	for (const e of layers)
		if (!e.rid)
			e.rid = spare.shift();
	return layers;
}

/*
 * The substream of encoding `e` (index `i` of `encodings`) in a
 * publisherLayers event: by its rid when the event names them; else by
 * size, substream 0 being the smallest picture (cameraSendEncodings sorts
 * them largest first).
 */
function layerIndex(ev, encodings, e, i) {
	if (Array.isArray(ev.rids) && e.rid)
		return ev.rids.indexOf(e.rid);
	return encodings.length - 1 - i;
}

export class Publisher {
	/* pcFactory: () => RTCPeerConnection; handle: the main JanusHandle;
	 * options.simulcastConfig: init's overrides.simulcastConfig. */
	constructor(pcFactory, handle, options = {}) {
		this.pcFactory = pcFactory;
		this.handle = handle;
		this.simulcastConfig = options.simulcastConfig;
		this.pc = null;
		this.transceivers = {};
		this.streams = [];
		this.chain = Promise.resolve();
	}

	has(type) { return Boolean(this.transceivers[type]); }

	#ensurePc() {
		if (this.pc)
			return this.pc;
		this.pc = this.pcFactory();
		this.pc.onicecandidate = (ev) => this.handle.trickle(ev.candidate || null);
		return this.pc;
	}

	/*
	 * Publishes these tracks: {audio, video, screenshare} (a missing or null
	 * entry leaves that type as it is). Types new to the PeerConnection get a
	 * transceiver and one `publish` offer covers them; returns the server's
	 * `published` data, or null when no offer was needed.
	 */
	publish(tracks) {
		const run = async () => {
			const pc = this.#ensurePc();
			let added = false;
			for (const type of ['audio', 'video', 'screenshare']) {
				const track = tracks[type];
				if (!track)
					continue;
				if (this.transceivers[type]) {
					await this.transceivers[type].sender.replaceTrack(track);
				} else {
					this.transceivers[type] = pc.addTransceiver(track, this.#transceiverInit(type));
					added = true;
				}
			}
			if (!added)
				return null;
			const offer = await pc.createOffer();
			await pc.setLocalDescription(offer);
			const body = { request: 'publish' };
			const ss = this.transceivers.screenshare;
			if (ss && ss.mid !== null)
				body.descriptions = [{ mid: ss.mid, type: 'screenshare' }];
			const { data, jsep } = await this.handle.send(body, { type: 'offer', sdp: pc.localDescription.sdp });
			if (jsep)
				await pc.setRemoteDescription(jsep);
			this.streams = data.streams || [];
			return data;
		};
		const p = this.chain.then(run, run);
		this.chain = p.catch(() => {});
		return p;
	}

	/* The camera gets the simulcast layers; audio and screenshare one encoding. */
	#transceiverInit(type) {
		const init = { direction: 'sendonly' };
		const encodings = type === 'video' ? cameraSendEncodings(this.simulcastConfig) : null;
		if (encodings)
			init.sendEncodings = encodings;
		return init;
	}

	/*
	 * Restarts ICE (reconnection, network change): a `publish` offer of the
	 * same m-lines with new ICE credentials, which the server answers
	 * keeping the published streams (docs/protocol.md, "Reconnecting").
	 * Serialized with the other offers; returns the `published` data, or
	 * null when nothing is published.
	 */
	restartIce() {
		const run = async () => {
			const pc = this.pc;
			if (!pc || Object.keys(this.transceivers).length === 0)
				return null;
			const offer = await pc.createOffer({ iceRestart: true });
			await pc.setLocalDescription(offer);
			const body = { request: 'publish' };
			const ss = this.transceivers.screenshare;
			if (ss && ss.mid !== null)
				body.descriptions = [{ mid: ss.mid, type: 'screenshare' }];
			const { data, jsep } = await this.handle.send(body, { type: 'offer', sdp: pc.localDescription.sdp });
			if (jsep)
				await pc.setRemoteDescription(jsep);
			this.streams = data.streams || this.streams;
			return data;
		};
		const p = this.chain.then(run, run);
		this.chain = p.catch(() => {});
		return p;
	}

	/*
	 * The server's `publisherLayers` {mid, layers, rids}: `layers[i]` says
	 * whether substream i (0 the smallest picture) is wanted; `rids[i]`, when
	 * given, is that substream's rid. Sets `active` on the matching encodings
	 * of that m-line's sender (setParameters; nothing when nothing changes).
	 * Serialized with the offers, so it applies to the transceivers the
	 * server answered. Resolves to whether the parameters changed.
	 */
	setLayers(ev) {
		const run = async () => {
			const t = Object.values(this.transceivers).find((x) => x.mid !== null && x.mid === ev.mid);
			if (!t || !Array.isArray(ev.layers) || typeof t.sender.getParameters !== 'function')
				return false;
			const params = t.sender.getParameters();
			const encodings = params.encodings || [];
			if (encodings.length < 2)
				return false;
			let changed = false;
			encodings.forEach((e, i) => {
				const wanted = ev.layers[layerIndex(ev, encodings, e, i)];
				if (typeof wanted === 'boolean' && (e.active !== false) !== wanted) {
					e.active = wanted;
					changed = true;
				}
			});
			if (changed)
				await t.sender.setParameters(params);
			return changed;
		};
		const p = this.chain.then(run, run);
		this.chain = p.catch(() => {});
		return p;
	}

	/* Whether the server took the type in the last answer. */
	published(type) {
		return this.streams.some((s) => s.type === type);
	}

	/* Swaps the track of a published type (null: send nothing). */
	async replaceTrack(type, track) {
		const t = this.transceivers[type];
		if (t)
			await t.sender.replaceTrack(track);
	}

	close() {
		if (this.pc) {
			try {
				this.pc.close();
			} catch (e) {
				/* ignore */
			}
		}
		this.pc = null;
		this.transceivers = {};
		this.streams = [];
	}
}
