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
 */

export class Subscriber {
	constructor(pcFactory, handle, onTrack) {
		this.pcFactory = pcFactory;
		this.handle = handle;
		this.onTrack = onTrack;
		this.pc = null;
		this.streams = new Map();
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
			if (old.active !== false && (!now || now.active === false || now.participantId !== old.participantId || now.type !== old.type))
				this.onTrack(old, null);
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
	}
}
