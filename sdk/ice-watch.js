/*
 * ice-watch.js - notices when a PeerConnection's ICE needs a restart while
 * the signalling socket is up: iceConnectionState `failed`, or
 * `disconnected` for longer than disconnectedMs (a network change: the
 * path the media took is gone, and the browser will not find a new one by
 * itself without new ICE credentials).
 *
 * Owns nothing but a timer: it looks at the PeerConnection the getter
 * returns now (publisher and subscriber create theirs lazily and replace
 * them), so it needs no hook in the code that creates them. After it fired
 * it waits for the connection to recover, or cooldownMs, before firing
 * again. Timers are injectable for the Node tests.
 */
export const ICE_DISCONNECTED_MS = 4000;
export const ICE_CHECK_MS = 1000;
export const ICE_COOLDOWN_MS = 10000;

export class IceWatch {
	/* getPc: () => RTCPeerConnection or null; onTrouble: () => void. */
	constructor(getPc, onTrouble, options = {}) {
		this.getPc = getPc;
		this.onTrouble = onTrouble;
		this.disconnectedMs = options.disconnectedMs ?? ICE_DISCONNECTED_MS;
		this.cooldownMs = options.cooldownMs ?? ICE_COOLDOWN_MS;
		this.now = options.now || (() => Date.now());
		const g = globalThis;
		this.clearInterval = options.clearInterval || g.clearInterval.bind(g);
		this.since = null;       /* when the current `disconnected` began */
		this.firedAt = null;     /* when it last fired, until ICE recovers */
		this.timer = (options.setInterval || g.setInterval.bind(g))(() => this.check(), options.checkMs ?? ICE_CHECK_MS);
		if (this.timer && typeof this.timer.unref === 'function')
			this.timer.unref();
	}

	check() {
		const pc = this.getPc();
		const state = pc ? pc.iceConnectionState : null;
		const t = this.now();
		if (state === 'connected' || state === 'completed' || !pc) {
			this.since = null;
			this.firedAt = null;
			return;
		}
		if (state === 'disconnected') {
			if (this.since === null)
				this.since = t;
		} else if (state !== 'failed') {
			this.since = null;
			return;   /* new, checking, closed: nothing to do */
		}
		const due = state === 'failed' || t - this.since >= this.disconnectedMs;
		if (due && (this.firedAt === null || t - this.firedAt >= this.cooldownMs)) {
			this.firedAt = t;
			this.onTrouble(state);
		}
	}

	stop() {
		if (this.timer !== null)
			this.clearInterval(this.timer);
		this.timer = null;
	}
}
