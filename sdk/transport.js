/*
 * transport.js - the Janus API over one WebSocket (subprotocol
 * `janus-protocol`): session create, plugin handles (attach, message,
 * trickle, detach), keepalives, transactions.
 *
 * Owns the socket and the Janus session. Everything above it talks to
 * JanusHandle objects: `handle.send(body, jsep)` resolves with the plugin
 * event that carries the request's transaction (docs/protocol.md: every
 * request is acked, its result comes as an event on the same handle) or
 * rejects with an RTKError when that event is `{"rtk": "error"}`. Every
 * plugin event, solicited or not, is also emitted on the handle as
 * 'event' (data, jsep), so one state machine handles both. Janus's own
 * handle events are re-emitted by name: 'webrtcup', 'hangup', 'slowlink',
 * 'media', 'detached'. The transport emits 'closed' when the socket ends
 * and 'timeout' when Janus expired the session.
 *
 * The WebSocket constructor and timers are injectable so the state
 * handling runs in Node with a fake Janus (tests/sdk/).
 */
import { RTKEventEmitter } from './emitter.js';
import { RTKError, SOCKET } from './errors.js';

export const PLUGIN = 'janus.plugin.rtk';
export const KEEPALIVE_MS = 25000;

let txCounter = 0;
function newTransaction() {
	txCounter = (txCounter + 1) % 1e9;
	return `rtk${Date.now().toString(36)}${txCounter.toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

export class JanusHandle extends RTKEventEmitter {
	constructor(transport, id) {
		super();
		this.transport = transport;
		this.id = id;
		this.detached = false;
	}

	/* Sends a plugin request; resolves with {data, jsep} of its event. */
	send(body, jsep) {
		const msg = { janus: 'message', handle_id: this.id, body };
		if (jsep)
			msg.jsep = jsep;
		return this.transport.request(msg, { plugin: true, request: body.request });
	}

	/* A local ICE candidate, or null when gathering completed. */
	trickle(candidate) {
		const c = candidate ? {
			candidate: candidate.candidate, sdpMid: candidate.sdpMid,
			sdpMLineIndex: candidate.sdpMLineIndex,
		} : { completed: true };
		return this.transport.request({ janus: 'trickle', handle_id: this.id, candidate: c })
			.catch(() => {});
	}

	async detach() {
		if (this.detached)
			return;
		this.detached = true;
		try {
			await this.transport.request({ janus: 'detach', handle_id: this.id });
		} catch (e) {
			/* the session or socket may be gone already */
		}
		this.transport.handles.delete(this.id);
	}
}

export class JanusTransport extends RTKEventEmitter {
	/*
	 * options: url (ws:// or wss://), WebSocket (constructor; default the
	 * global), keepaliveMs, setInterval/clearInterval.
	 */
	constructor(options) {
		super();
		this.url = options.url;
		this.WebSocketImpl = options.WebSocket || globalThis.WebSocket;
		this.keepaliveMs = options.keepaliveMs ?? KEEPALIVE_MS;
		this.timers = {
			setInterval: options.setInterval || globalThis.setInterval.bind(globalThis),
			clearInterval: options.clearInterval || globalThis.clearInterval.bind(globalThis),
		};
		this.ws = null;
		this.sessionId = null;
		this.pending = new Map();
		this.handles = new Map();
		this.keepaliveTimer = null;
		this.closed = false;
	}

	/* Opens the socket and creates the Janus session. */
	async connect() {
		if (!this.WebSocketImpl)
			throw new RTKError(SOCKET, 'no WebSocket implementation in this environment');
		await new Promise((resolve, reject) => {
			let ws;
			try {
				ws = new this.WebSocketImpl(this.url, 'janus-protocol');
			} catch (e) {
				reject(new RTKError(SOCKET, `cannot open ${this.url}: ${e.message}`));
				return;
			}
			this.ws = ws;
			let opened = false;
			ws.onopen = () => {
				opened = true;
				resolve();
			};
			ws.onerror = () => {
				if (!opened)
					reject(new RTKError(SOCKET, `WebSocket to ${this.url} failed (is Janus listening, and is this page's origin allowed: RTK_JANUS_ALLOW_ORIGIN?)`));
			};
			ws.onclose = (ev) => {
				if (!opened)
					reject(new RTKError(SOCKET, `WebSocket to ${this.url} closed before opening`));
				this.#onClose(ev);
			};
			ws.onmessage = (ev) => this.#onMessage(ev.data);
		});
		const created = await this.request({ janus: 'create' });
		this.sessionId = created.data.id;
		if (this.keepaliveMs > 0) {
			this.keepaliveTimer = this.timers.setInterval(() => {
				this.request({ janus: 'keepalive' }).catch(() => {});
			}, this.keepaliveMs);
			if (this.keepaliveTimer && typeof this.keepaliveTimer.unref === 'function')
				this.keepaliveTimer.unref();
		}
		return this.sessionId;
	}

	async attach(plugin = PLUGIN) {
		const reply = await this.request({ janus: 'attach', plugin });
		const handle = new JanusHandle(this, reply.data.id);
		this.handles.set(handle.id, handle);
		return handle;
	}

	/* Sends one Janus request with a fresh transaction. Plugin requests
	 * resolve with their event ({data, jsep}); core requests with the
	 * `success` reply (or the `ack` of keepalive and trickle). */
	request(msg, { plugin = false, request } = {}) {
		if (this.closed || !this.ws)
			return Promise.reject(new RTKError(SOCKET, 'not connected to the server'));
		const transaction = newTransaction();
		const full = { ...msg, transaction };
		if (this.sessionId !== null && msg.janus !== 'create')
			full.session_id = this.sessionId;
		return new Promise((resolve, reject) => {
			this.pending.set(transaction, { resolve, reject, plugin, request, janus: msg.janus });
			try {
				this.ws.send(JSON.stringify(full));
			} catch (e) {
				this.pending.delete(transaction);
				reject(new RTKError(SOCKET, `send failed: ${e.message}`));
			}
		});
	}

	/* Ends the session and closes the socket. */
	async close() {
		if (this.closed)
			return;
		if (this.sessionId !== null && this.ws) {
			try {
				await Promise.race([
					this.request({ janus: 'destroy' }),
					new Promise((r) => setTimeout(r, 1000)),
				]);
			} catch (e) {
				/* already gone */
			}
		}
		this.closed = true;
		this.#stopKeepalive();
		try {
			this.ws && this.ws.close();
		} catch (e) {
			/* ignore */
		}
		this.#failPending('the connection was closed');
	}

	#stopKeepalive() {
		if (this.keepaliveTimer !== null) {
			this.timers.clearInterval(this.keepaliveTimer);
			this.keepaliveTimer = null;
		}
	}

	#failPending(why) {
		for (const [, p] of this.pending)
			p.reject(new RTKError(SOCKET, why));
		this.pending.clear();
	}

	#onClose(ev) {
		const wasClosed = this.closed;
		this.closed = true;
		this.#stopKeepalive();
		this.#failPending('the WebSocket closed');
		if (!wasClosed)
			this.emit('closed', { code: ev && ev.code, reason: ev && ev.reason });
	}

	#onMessage(text) {
		let msg;
		try {
			msg = JSON.parse(typeof text === 'string' ? text : String(text));
		} catch (e) {
			return;
		}
		const p = msg.transaction !== undefined ? this.pending.get(msg.transaction) : undefined;
		switch (msg.janus) {
		case 'ack':
			if (p && !p.plugin) {
				this.pending.delete(msg.transaction);
				p.resolve(msg);
			}
			return;
		case 'success':
			if (p) {
				this.pending.delete(msg.transaction);
				if (p.plugin) {
					/* a plugin that answered synchronously */
					const data = msg.plugindata ? msg.plugindata.data : {};
					this.#dispatchEvent(msg.sender, data, msg.jsep);
					settlePlugin(p, data, msg.jsep);
				} else {
					p.resolve(msg);
				}
			}
			return;
		case 'error':
			if (p) {
				this.pending.delete(msg.transaction);
				const err = msg.error || {};
				p.reject(new RTKError(String(err.code ?? ''), err.reason || 'Janus error', { janus: true }));
			}
			return;
		case 'event': {
			const data = msg.plugindata ? msg.plugindata.data : {};
			this.#dispatchEvent(msg.sender, data, msg.jsep, p !== undefined);
			if (p) {
				this.pending.delete(msg.transaction);
				settlePlugin(p, data, msg.jsep);
			}
			return;
		}
		case 'timeout':
			this.emit('timeout');
			return;
		case 'webrtcup':
		case 'hangup':
		case 'slowlink':
		case 'media':
		case 'detached': {
			const h = this.handles.get(msg.sender);
			if (h)
				h.emit(msg.janus, msg);
			return;
		}
		default:
			return;
		}
	}

	#dispatchEvent(sender, data, jsep, solicited = false) {
		const h = this.handles.get(sender);
		if (!h)
			return;
		/* A refusal belongs to the request that asked; an unsolicited one
		 * is reported as 'error'. */
		if (data && data.rtk === 'error') {
			if (!solicited)
				h.emit('error', toError(data));
			return;
		}
		h.emit('event', data || {}, jsep || null);
	}
}

function toError(data) {
	const e = data.error || {};
	return new RTKError(e.code || '0000', e.message || 'request refused', { request: data.request });
}

function settlePlugin(p, data, jsep) {
	if (data && data.rtk === 'error')
		p.reject(toError(data));
	else
		p.resolve({ data: data || {}, jsep: jsep || null });
}

/*
 * The Janus WebSocket URL for a gateway base URL: same host, port
 * RTK_JANUS_WS_PORT (default 8188), ws: or wss: after the page's scheme.
 */
export function janusWebSocketURL(base, port = 8188) {
	const u = new URL(base);
	const scheme = u.protocol === 'https:' ? 'wss:' : 'ws:';
	return `${scheme}//${u.hostname}:${port}/`;   /* hostname keeps IPv6 brackets */
}
