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
 * 'media', 'detached'. The transport emits 'timeout' when Janus expired the
 * session.
 *
 * Reconnection: when the socket drops under a live session, the transport
 * emits 'disconnected' and opens new sockets with exponential backoff
 * (reconnectDelaysMs), each sending `claim` for the same session_id: Janus
 * keeps a session whose socket went away for its reclaim_session_timeout
 * (conf/janus.jcfg.in), handles and PeerConnections included. A claim that
 * succeeds emits 'reconnected'; a claim Janus refuses (the session is gone)
 * or a reconnectTimeoutMs without one emits 'closed' {reconnectFailed: true}.
 * Without reconnection (reconnect: false) a dropped socket emits 'closed'.
 * Requests made while disconnected reject with SOCKET (0401).
 *
 * Liveness: a socket can die silently (a network that vanished without a
 * FIN, a NAT that forgot the flow): nothing closes it for minutes, while
 * Janus ends a session that sent no keepalive for its session_timeout
 * (60 s). So each keepalive tick first checks that Janus was heard since
 * the keepalive before the last one was sent (a whole period for its ack:
 * a page whose main thread stalled may run the timer before the message);
 * if not, the socket is treated as dropped and the reconnection above
 * starts, at most three keepalive periods (3 x 10 s by default) after the
 * silence began, well inside Janus's session_timeout.
 *
 * The WebSocket constructor and timers are injectable so the state
 * handling runs in Node with a fake Janus (tests/sdk/).
 */
import { RTKEventEmitter } from './emitter.js';
import { RTKError, SOCKET } from './errors.js';

export const PLUGIN = 'janus.plugin.rtk';
export const KEEPALIVE_MS = 10000;
/* The server's default grace (RTK_JANUS_RECLAIM_TIMEOUT) is 30 s. */
export const RECONNECT_TIMEOUT_MS = 30000;
export const RECONNECT_DELAYS_MS = [250, 500, 1000, 2000, 4000];

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
	 * global), keepaliveMs, reconnect (default true), reconnectTimeoutMs,
	 * reconnectDelaysMs, and the timer functions setInterval/clearInterval/
	 * setTimeout/clearTimeout.
	 */
	constructor(options) {
		super();
		this.url = options.url;
		this.WebSocketImpl = options.WebSocket || globalThis.WebSocket;
		this.keepaliveMs = options.keepaliveMs ?? KEEPALIVE_MS;
		this.reconnect = options.reconnect ?? true;
		this.reconnectTimeoutMs = options.reconnectTimeoutMs ?? RECONNECT_TIMEOUT_MS;
		this.reconnectDelaysMs = options.reconnectDelaysMs || RECONNECT_DELAYS_MS;
		const g = globalThis;
		this.timers = {
			setInterval: options.setInterval || g.setInterval.bind(g),
			clearInterval: options.clearInterval || g.clearInterval.bind(g),
			setTimeout: options.setTimeout || g.setTimeout.bind(g),
			clearTimeout: options.clearTimeout || g.clearTimeout.bind(g),
		};
		this.ws = null;
		this.sessionId = null;
		this.pending = new Map();
		this.handles = new Map();
		this.keepaliveTimer = null;
		this.keepalivesSentAt = [];   /* Date.now() of the last two keepalives sent, oldest first */
		this.lastHeardAt = 0;         /* Date.now() of the last message from Janus */
		this.closed = false;          /* for good: close(), or the session is lost */
		this.connected = false;       /* a socket is open and holds the session */
		this.reconnecting = false;
		this.reconnectTimer = null;
	}

	/* Opens the socket and creates the Janus session. */
	async connect() {
		await this.#open();
		const created = await this.request({ janus: 'create' });
		this.sessionId = created.data.id;
		this.#startKeepalive();
		return this.sessionId;
	}

	/* Opens a socket; resolves once it is open. Events of a socket that is
	 * no longer this.ws (an earlier one) are ignored. */
	#open() {
		if (!this.WebSocketImpl)
			return Promise.reject(new RTKError(SOCKET, 'no WebSocket implementation in this environment'));
		return new Promise((resolve, reject) => {
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
				if (this.ws !== ws)
					return;
				opened = true;
				this.connected = true;
				resolve();
			};
			ws.onerror = () => {
				if (!opened)
					reject(new RTKError(SOCKET, `WebSocket to ${this.url} failed (is Janus listening, and is this page's origin allowed: RTK_JANUS_ALLOW_ORIGIN?)`));
			};
			ws.onclose = (ev) => {
				if (!opened)
					reject(new RTKError(SOCKET, `WebSocket to ${this.url} closed before opening`));
				if (this.ws === ws)
					this.#onClose(ev, opened);
			};
			ws.onmessage = (ev) => {
				if (this.ws === ws)
					this.#onMessage(ev.data);
			};
		});
	}

	#startKeepalive() {
		this.#stopKeepalive();
		this.keepalivesSentAt = [];
		if (this.keepaliveMs > 0) {
			this.keepaliveTimer = this.timers.setInterval(() => {
				const sent = this.keepalivesSentAt;
				if (sent.length === 2 && this.lastHeardAt < sent[0]) {
					this.dropSocket();   /* unanswered for a whole period: see Liveness */
					return;
				}
				sent.push(Date.now());
				if (sent.length > 2)
					sent.shift();
				this.request({ janus: 'keepalive' }).catch(() => {});
			}, this.keepaliveMs);
			if (this.keepaliveTimer && typeof this.keepaliveTimer.unref === 'function')
				this.keepaliveTimer.unref();
		}
	}

	/*
	 * Drops the socket as a network failure would (the session stays on the
	 * server for its reclaim time): the reconnection runs as after a real
	 * drop. For tests and for an application that knows the network changed.
	 */
	dropSocket() {
		const ws = this.ws;
		if (!ws || this.closed || !this.connected)
			return;
		this.ws = null;
		this.#onClose({ code: 4000, reason: 'dropped by the client' }, true);
		try {
			ws.close();
		} catch (e) {
			/* ignore */
		}
	}

	/* The reconnection loop: new sockets with backoff, each claiming the
	 * session, until one succeeds, Janus says the session is gone, or the
	 * time is up. */
	async #reconnectLoop() {
		const deadline = Date.now() + this.reconnectTimeoutMs;
		for (let attempt = 0; !this.closed; attempt++) {
			const delay = this.reconnectDelaysMs[Math.min(attempt, this.reconnectDelaysMs.length - 1)];
			if (Date.now() + delay > deadline)
				break;
			await new Promise((r) => { this.reconnectTimer = this.timers.setTimeout(r, delay); });
			this.reconnectTimer = null;
			if (this.closed)
				return;
			try {
				await this.#open();
			} catch (e) {
				continue;   /* the server is unreachable still: try again later */
			}
			try {
				await this.request({ janus: 'claim' }, { allowDisconnected: true });
			} catch (e) {
				if (e.janus) {   /* Janus answered: the session is gone (458) */
					this.#lost(`the server ended the session (${e.message})`);
					return;
				}
				continue;        /* the new socket dropped as well */
			}
			this.reconnecting = false;
			this.#startKeepalive();
			this.emit('reconnected');
			return;
		}
		if (!this.closed)
			this.#lost('could not reconnect in time');
	}

	/* The session cannot be resumed: closed for good. */
	#lost(why) {
		this.reconnecting = false;
		this.closed = true;
		this.connected = false;
		this.#stopKeepalive();
		try {
			this.ws && this.ws.close();
		} catch (e) {
			/* ignore */
		}
		this.#failPending(why);
		this.emit('closed', { reconnectFailed: true, reason: why });
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
	request(msg, { plugin = false, request, allowDisconnected = false } = {}) {
		if (this.closed || !this.ws || !this.connected || (this.reconnecting && !allowDisconnected))
			return Promise.reject(new RTKError(SOCKET, this.reconnecting ?
				'disconnected from the server: reconnecting' : 'not connected to the server'));
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
		if (this.reconnectTimer !== null) {
			this.timers.clearTimeout(this.reconnectTimer);
			this.reconnectTimer = null;
		}
		if (this.sessionId !== null && this.ws && this.connected && !this.reconnecting) {
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
		this.connected = false;
		this.reconnecting = false;
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

	/* The current socket closed (opened: it had been open). */
	#onClose(ev, opened) {
		this.connected = false;
		this.#stopKeepalive();
		this.#failPending('the WebSocket closed');
		if (this.closed || this.reconnecting)
			return;   /* ours (close()), or a reconnection attempt that failed */
		if (this.reconnect && opened && this.sessionId !== null) {
			this.reconnecting = true;
			this.emit('disconnected', { code: ev && ev.code, reason: ev && ev.reason });
			this.#reconnectLoop();
			return;
		}
		this.closed = true;
		this.emit('closed', { code: ev && ev.code, reason: ev && ev.reason });
	}

	#onMessage(text) {
		this.lastHeardAt = Date.now();
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
	const extra = { request: data.request };
	if (typeof e.janusUrl === 'string')   /* 0806: the node to join at (docs/protocol.md) */
		extra.janusUrl = e.janusUrl;
	return new RTKError(e.code || '0000', e.message || 'request refused', extra);
}

function settlePlugin(p, data, jsep) {
	if (data && data.rtk === 'error')
		p.reject(toError(data));
	else
		p.resolve({ data: data || {}, jsep: jsep || null });
}

/*
 * The Janus WebSocket URL for a gateway base URL: same host, port
 * RTK_JANUS_WS_PORT (default 8188), wss: when `secure` (the server says its
 * WebSocket speaks only TLS) or the page is https:, else ws:.
 */
export function janusWebSocketURL(base, port = 8188, secure = false) {
	const u = new URL(base);
	const scheme = secure || u.protocol === 'https:' ? 'wss:' : 'ws:';
	return `${scheme}//${u.hostname}:${port}/`;   /* hostname keeps IPv6 brackets */
}
