/*
 * janus-client.js - the smallest Janus API client bench/join needs to use
 * Debian's janus.plugin.videoroom from a page: one WebSocket
 * (`janus-protocol`), a session with keepalives, handles that send plugin
 * messages (resolved with the event carrying their transaction) and trickle
 * candidates. Written for the bench from the Janus API documentation; it is
 * the peer's client, not part of the SDK.
 */
export class JanusClient {
	constructor(url) {
		this.url = url;
		this.pending = new Map();
		this.session = null;
		this.counter = 0;
		this.keepalive = null;
	}

	async connect() {
		this.ws = new WebSocket(this.url, 'janus-protocol');
		await new Promise((resolve, reject) => {
			this.ws.onopen = resolve;
			this.ws.onerror = () => reject(new Error(`WebSocket ${this.url} failed`));
		});
		this.ws.onmessage = (ev) => this.#receive(JSON.parse(ev.data));
		this.session = (await this.#request({ janus: 'create' })).data.id;
		this.keepalive = setInterval(() => this.#request({ janus: 'keepalive' }).catch(() => {}), 25000);
	}

	async attach(plugin) {
		const id = (await this.#request({ janus: 'attach', plugin })).data.id;
		return {
			id,
			/* resolves with {data, jsep} of the plugin event answering it */
			send: (body, jsep) => this.#request({ janus: 'message', handle_id: id, body, ...(jsep ? { jsep } : {}) }, true),
			trickle: (c) => this.#request({ janus: 'trickle', handle_id: id,
				candidate: c ? { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex } : { completed: true } })
				.catch(() => {}),
		};
	}

	async destroy() {
		clearInterval(this.keepalive);
		try {
			await Promise.race([this.#request({ janus: 'destroy' }), new Promise((r) => setTimeout(r, 1000))]);
		} catch (e) {
			/* gone already */
		}
		this.ws.close();
	}

	#request(msg, plugin = false) {
		const transaction = `b${++this.counter}`;
		const full = { ...msg, transaction };
		if (this.session !== null)
			full.session_id = this.session;
		return new Promise((resolve, reject) => {
			this.pending.set(transaction, { resolve, reject, plugin });
			this.ws.send(JSON.stringify(full));
		});
	}

	#receive(msg) {
		const p = this.pending.get(msg.transaction);
		if (!p)
			return;
		if (msg.janus === 'ack' && p.plugin)
			return;   /* its event follows */
		this.pending.delete(msg.transaction);
		if (msg.janus === 'error') {
			p.reject(new Error(`Janus error ${msg.error && msg.error.code}: ${msg.error && msg.error.reason}`));
			return;
		}
		const data = (msg.plugindata && msg.plugindata.data) || {};
		if (data.error_code) {
			p.reject(new Error(`videoroom error ${data.error_code}: ${data.error}`));
			return;
		}
		p.resolve(p.plugin ? { data, jsep: msg.jsep || null } : msg);
	}
}
