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
 */

export class Publisher {
	/* pcFactory: () => RTCPeerConnection; handle: the main JanusHandle. */
	constructor(pcFactory, handle) {
		this.pcFactory = pcFactory;
		this.handle = handle;
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
					this.transceivers[type] = pc.addTransceiver(track, { direction: 'sendonly' });
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
