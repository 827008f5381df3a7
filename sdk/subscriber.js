/*
 * subscriber.js - the subscriber handle's receive-only RTCPeerConnection:
 * `subscribe`, then answering each offer (`subscribed`, and `updated` when
 * publishers come and go) with `start`, and mapping every m-line (mid) to
 * the participant and type it carries.
 *
 * Owns the PeerConnection and the mid -> stream table. After each offer
 * is applied it reports every stream to `onTrack(stream, track)`, with
 * track null for an m-line that went inactive, so participant objects
 * always hold the tracks the server currently sends them. Offers are
 * handled one at a time in arrival order.
 *
 * Layers: `setLayer(mid, substream)` asks the plugin for a simulcast layer
 * of one video m-line (`configure`), only when it differs from the last
 * one asked for that m-line; an m-line that is withdrawn or moves to
 * another participant forgets its layer, so the next owner's is sent.
 */

/*
 * The simulcast layer a video tile needs: the larger side of the element
 * in device pixels (CSS size x devicePixelRatio) up to 320 gets substream
 * 0, up to 640 substream 1, larger substream 2. A zero size (hidden, not
 * in the page, or no element) gets 0. With the default layers of a
 * 1280x720 camera (publisher.js) that is the smallest layer at least
 * about as large as the tile: 320x180, 640x360, 1280x720.
 */
export const LAYER_SIDES = Object.freeze([320, 640]);

export function substreamForSize(width, height, pixelRatio = 1) {
	const side = Math.max(Number(width) || 0, Number(height) || 0) * (Number(pixelRatio) || 1);
	if (!(side > 0))
		return 0;
	const i = LAYER_SIDES.findIndex((limit) => side <= limit);
	return i === -1 ? LAYER_SIDES.length : i;
}

export class Subscriber {
	constructor(pcFactory, handle, onTrack) {
		this.pcFactory = pcFactory;
		this.handle = handle;
		this.onTrack = onTrack;
		this.pc = null;
		this.streams = new Map();
		this.layers = new Map();   /* mid -> the substream last asked for */
		this.chain = Promise.resolve();
		handle.on('event', (data, jsep) => {
			if (data.rtk === 'subscribed' || data.rtk === 'updated')
				this.#enqueue(data, jsep);
		});
	}

	subscribe(token) {
		return this.handle.send({ request: 'subscribe', token });
	}

	#enqueue(data, jsep) {
		const run = () => this.#apply(data, jsep);
		this.chain = this.chain.then(run, run).catch((e) => {
			if (typeof console !== 'undefined')
				console.error('rtk-core: subscriber offer failed', e);
		});
	}

	async #apply(data, jsep) {
		const previous = this.streams;
		this.streams = new Map();
		for (const s of data.streams || [])
			this.streams.set(String(s.mid), s);
		if (jsep && jsep.type === 'offer') {
			if (!this.pc) {
				this.pc = this.pcFactory();
				this.pc.onicecandidate = (ev) => this.handle.trickle(ev.candidate || null);
			}
			await this.pc.setRemoteDescription(jsep);
			const answer = await this.pc.createAnswer();
			await this.pc.setLocalDescription(answer);
			this.#report(previous);
			await this.handle.send({ request: 'start' }, { type: 'answer', sdp: this.pc.localDescription.sdp });
		} else {
			this.#report(previous);
		}
	}

	#trackOf(mid) {
		if (!this.pc)
			return null;
		const t = this.pc.getTransceivers().find((x) => String(x.mid) === mid);
		return t && t.receiver ? t.receiver.track : null;
	}

	/* Tells the owner what each m-line carries now; an m-line that moved to
	 * another participant, or went inactive, is withdrawn first. */
	#report(previous) {
		for (const [mid, old] of previous) {
			const now = this.streams.get(mid);
			if (old.active !== false && (!now || now.active === false || now.participantId !== old.participantId || now.type !== old.type)) {
				this.layers.delete(mid);
				this.onTrack(old, null);
			}
		}
		for (const [mid, s] of this.streams)
			if (s.active !== false)
				this.onTrack(s, this.#trackOf(mid));
	}

	/*
	 * Restarts ICE (reconnection, network change): asks the plugin for a
	 * fresh offer with new ICE credentials (`configure` {"restart": true});
	 * that offer comes back as an `updated` event and is answered as any
	 * other. Resolves once the answer was sent.
	 */
	async restartIce() {
		if (!this.pc)
			return;
		await this.handle.send({ request: 'configure', restart: true });
		await this.chain;
	}

	/* Chooses a simulcast layer (docs/protocol.md, subscriber configure). */
	configure(mid, substream, temporal) {
		const body = { request: 'configure', mid: String(mid) };
		if (substream !== undefined)
			body.substream = substream;
		if (temporal !== undefined)
			body.temporal = temporal;
		return this.handle.send(body);
	}

	/* The video m-lines (mids) that carry this participant's camera now. */
	videoMidsOf(participantId) {
		const mids = [];
		for (const [mid, s] of this.streams)
			if (s.participantId === participantId && s.type === 'video' && s.active !== false)
				mids.push(mid);
		return mids;
	}

	/* Asks for `substream` on a video m-line, unless that is what was asked
	 * last (the temporal layers stay the plugin's default: all of them). A
	 * refused request is forgotten so the next call tries again. */
	setLayer(mid, substream) {
		mid = String(mid);
		if (this.layers.get(mid) === substream)
			return Promise.resolve(null);
		this.layers.set(mid, substream);
		return this.configure(mid, substream).catch((e) => {
			if (this.layers.get(mid) === substream)
				this.layers.delete(mid);
			throw e;
		});
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
		this.streams = new Map();
		this.layers = new Map();
	}
}
