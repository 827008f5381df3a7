/*
 * load.mjs - the load client of bench/chat/run (which starts the server,
 * makes the meeting and its participants and passes RTK_CHAT_BENCH, JSON:
 * {ws, origin, tokens, senders, rate, window, rounds, kinds, sockets,
 * size, drain, idle, pause, janusPid, latencyDir}).
 *
 * One Node process holds every participant: each is a Janus session with
 * one janus.plugin.rtk handle that `join`s (no media, no subscriber
 * handle), over `sockets` WebSockets (participant i on socket i % sockets;
 * one per participant by default, as browsers would). Then windows of
 * `window` seconds alternate between the kinds (chat, broadcast, broadcast,
 * chat, ...): `senders` of the participants send `rate` messages a second
 * in total, evenly spaced (message n at n / rate s after the window's
 * start, from sender n % senders), as chat.sendMessage (public text) or
 * participants.broadcastMessage (no target). Each message carries its
 * sequence number and its send time (performance.now() of this process,
 * taken just before ws.send), and every participant, the senders too,
 * takes the arrival time of each chatUpdate (action add) or
 * broadcastedMessage first thing in the socket's message handler. After
 * the last send of a window the client waits until every delivery arrived
 * (or `drain` seconds), and the window ends.
 *
 * Per window it prints one line `WINDOW {json}`: messages sent, refused,
 * deliveries expected (accepted messages x participants) and received, duplicates, latency percentiles, janus
 * CPU (utime + stime of /proc/<janusPid>/stat, and per thread name), this
 * process's CPU (process.cpuUsage()), its event loop delay and the whole
 * machine's busy share (/proc/stat). `IDLE {json}` lines measure janus
 * with everyone joined and nothing sent. Written for this bench from the
 * Janus API documentation and docs/protocol.md.
 */
import fs from 'node:fs';
import { performance, monitorEventLoopDelay } from 'node:perf_hooks';

const cfg = JSON.parse(process.env.RTK_CHAT_BENCH);
const N = cfg.tokens.length;
const TICK = 1e6 / 100;  /* us per clock tick (USER_HZ is 100 on Linux) */

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (m) => process.stderr.write(`[load ${(performance.now() / 1000).toFixed(2)}] ${m}\n`);

/* ---------------------------------------------------------------- /proc */

function janusCpu() {
	const stat = fs.readFileSync(`/proc/${cfg.janusPid}/stat`, 'utf8');
	const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	const total = (Number(f[11]) + Number(f[12])) * TICK;
	/* per thread, grouped by name without digits ("hloop 123" -> "hloop #") */
	const threads = {};
	for (const tid of fs.readdirSync(`/proc/${cfg.janusPid}/task`)) {
		let s;
		try {
			s = fs.readFileSync(`/proc/${cfg.janusPid}/task/${tid}/stat`, 'utf8');
		} catch (e) {
			continue;   /* ended meanwhile */
		}
		const name = s.slice(s.indexOf('(') + 1, s.lastIndexOf(')')).replace(/\d+/g, '#');
		const g = s.slice(s.lastIndexOf(')') + 2).split(' ');
		threads[name] = (threads[name] || 0) + (Number(g[11]) + Number(g[12])) * TICK;
	}
	return { total, threads };
}

function machine() {
	const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
	const idle = f[3] + f[4];
	const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
	return { busy: total - idle, total };
}

function sample() {
	return { at: performance.now(), janus: janusCpu(), own: process.cpuUsage(), machine: machine() };
}

function usage(a, b) {
	const threads = {};
	for (const [k, v] of Object.entries(b.janus.threads)) {
		const d = v - (a.janus.threads[k] || 0);
		if (d > 0)
			threads[k] = d;
	}
	return {
		seconds: (b.at - a.at) / 1000,
		janusUs: b.janus.total - a.janus.total,
		threadsUs: threads,
		ownUs: (b.own.user - a.own.user) + (b.own.system - a.own.system),
		busy: (b.machine.busy - a.machine.busy) / Math.max(1, b.machine.total - a.machine.total),
	};
}

/* ---------------------------------------------------------------- Janus API */

let current = null;   /* the window being measured: see runWindow */
const handles = new Map();   /* handle id -> participant */

class Socket {
	constructor(url) {
		this.url = url;
		this.pending = new Map();
		this.counter = 0;
	}

	async open() {
		this.ws = new WebSocket(this.url, { protocols: 'janus-protocol', headers: { Origin: cfg.origin } });
		await new Promise((resolve, reject) => {
			this.ws.onopen = resolve;
			this.ws.onerror = () => reject(new Error(`WebSocket ${this.url} failed`));
		});
		this.ws.onmessage = (ev) => this.receive(ev.data);
		this.ws.onclose = () => {
			if (!closing)
				fail('a WebSocket closed');
		};
	}

	/* resolves with the answer to `msg` (for a plugin message: its event) */
	request(msg, plugin = false) {
		const transaction = `t${++this.counter}`;
		return new Promise((resolve, reject) => {
			this.pending.set(transaction, { resolve, reject, plugin });
			this.ws.send(JSON.stringify({ ...msg, transaction }));
		});
	}

	receive(text) {
		const now = performance.now();
		const msg = JSON.parse(text);
		if (msg.janus === 'event' && msg.transaction === undefined) {
			const data = msg.plugindata && msg.plugindata.data;
			const p = handles.get(msg.sender);
			if (data && p)
				delivered(p, data, now);
			return;
		}
		const t = this.pending.get(msg.transaction);
		if (!t)
			return;
		if (msg.janus === 'ack' && t.plugin)
			return;   /* the event follows */
		this.pending.delete(msg.transaction);
		if (msg.janus === 'error')
			t.reject(new Error(`Janus error ${msg.error && msg.error.code}: ${msg.error && msg.error.reason}`));
		else
			t.resolve(t.plugin ? ((msg.plugindata && msg.plugindata.data) || {}) : msg);
	}
}

let closing = false;
function fail(why) {
	process.stdout.write(`FAIL ${why}\n`);
	process.exit(1);
}

/* ---------------------------------------------------------------- participants */

const participants = [];

async function joinAll(sockets) {
	for (let i = 0; i < N; i++) {
		const socket = sockets[i % sockets.length];
		const session = (await socket.request({ janus: 'create' })).data.id;
		const handle = (await socket.request({ janus: 'attach', plugin: 'janus.plugin.rtk', session_id: session })).data.id;
		const p = { index: i, socket, session, handle };
		handles.set(handle, p);
		p.send = (body) => socket.request({ janus: 'message', session_id: session, handle_id: handle, body }, true);
		const joined = await p.send({ request: 'join', token: cfg.tokens[i] });
		if (joined.rtk !== 'roomJoined')
			fail(`participant ${i}: join answered ${JSON.stringify(joined).slice(0, 300)}`);
		participants.push(p);
	}
}

function keepalives() {
	return setInterval(() => {
		for (const p of participants)
			p.socket.request({ janus: 'keepalive', session_id: p.session }).catch(() => {});
	}, 15000);
}

/* ---------------------------------------------------------------- messages */

/* A message's text: "<seq> <send time in ms> " padded with x to cfg.size bytes. */
function text(seq, at) {
	const head = `${seq} ${at.toFixed(3)} `;
	return head + 'x'.repeat(Math.max(0, cfg.size - head.length));
}

function delivered(p, data, now) {
	let body;
	if (data.rtk === 'chatUpdate' && data.action === 'add')
		body = data.message && data.message.message;
	else if (data.rtk === 'broadcastedMessage' && data.type === 'bench')
		body = data.payload && data.payload.text;
	else
		return;
	const w = current;
	if (!w || typeof body !== 'string') {
		stray++;
		return;
	}
	const space = body.indexOf(' ');
	const seq = Number(body.slice(0, space)) - w.firstSeq;
	const sentAt = Number(body.slice(space + 1, body.indexOf(' ', space + 1)));
	if (!(seq >= 0 && seq < w.capacity) || (data.rtk === 'chatUpdate') !== (w.kind === 'chat')) {
		stray++;
		return;
	}
	const slot = seq * N + p.index;
	if (w.seen[slot]++) {
		w.duplicates++;
		return;
	}
	w.latencies[w.received++] = now - sentAt;
}
let stray = 0;   /* deliveries of no current window (late or foreign): must stay 0 */

let nextSeq = 1;

function percentile(sorted, q) {
	if (sorted.length === 0)
		return null;
	return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

async function runWindow(kind, tag, loopDelay) {
	const count = Math.round(cfg.rate * cfg.window);
	const w = {
		kind, firstSeq: nextSeq, capacity: count, seen: new Uint8Array(count * N),
		latencies: new Float64Array(count * N), received: 0, duplicates: 0,
	};
	nextSeq += count;
	let sent = 0, refused = 0, answered = 0;
	const refusals = {};
	current = w;
	const before = sample();
	loopDelay.reset();
	const start = performance.now();
	const interval = 1000 / cfg.rate;
	for (let n = 0; n < count; n++) {
		const due = start + n * interval;
		const wait = due - performance.now();
		if (wait > 1)
			await sleep(wait);
		const p = participants[n % cfg.senders];
		const seq = w.firstSeq + n;
		const at = performance.now();
		const body = kind === 'chat' ?
			{ request: 'chat.sendMessage', message: { type: 'text', message: text(seq, at) } } :
			{ request: 'participants.broadcastMessage', type: 'bench', payload: { text: text(seq, at) } };
		sent++;
		p.send(body).then((reply) => {
			answered++;
			if (reply.rtk !== 'ok') {
				refused++;
				const code = (reply.error && reply.error.code) || reply.rtk;
				refusals[code] = (refusals[code] || 0) + 1;
			}
		}, () => { answered++; refused++; });
	}
	const sendEnd = performance.now();
	/* every accepted message to every participant (a refused one is counted apart) */
	const deadline = performance.now() + cfg.drain * 1000;
	while ((answered < sent || w.received < (sent - refused) * N) && performance.now() < deadline)
		await sleep(5);
	const expected = (sent - refused) * N;
	const after = sample();
	current = null;
	const lat = w.latencies.slice(0, w.received).sort();
	const u = usage(before, after);
	const result = {
		tag, kind, sent, refused, refusals, expected, received: w.received, missing: expected - w.received,
		duplicates: w.duplicates, sendSeconds: (sendEnd - start) / 1000,
		p50: percentile(lat, 0.5), p90: percentile(lat, 0.9), p99: percentile(lat, 0.99),
		max: lat.length ? lat[lat.length - 1] : null, mean: lat.length ? lat.reduce((a, b) => a + b, 0) / lat.length : null,
		loopDelayP99: loopDelay.percentile(99) / 1e6, loopDelayMax: loopDelay.max / 1e6,
		...u,
	};
	process.stdout.write(`WINDOW ${JSON.stringify(result)}\n`);
	/* the latencies, for the totals per kind (binary, next to the run's other files) */
	if (cfg.latencyDir)
		fs.writeFileSync(`${cfg.latencyDir}/${tag}.f64`, Buffer.from(lat.buffer, lat.byteOffset, lat.byteLength));
	return result;
}

async function idle(tag, seconds) {
	const before = sample();
	await sleep(seconds * 1000);
	const u = usage(before, sample());
	process.stdout.write(`IDLE ${JSON.stringify({ tag, ...u })}\n`);
}

/* ---------------------------------------------------------------- main */

async function main() {
	const t0 = performance.now();
	const sockets = [];
	for (let i = 0; i < Math.min(cfg.sockets, N); i++) {
		const s = new Socket(cfg.ws);
		await s.open();
		sockets.push(s);
	}
	await joinAll(sockets);
	log(`${N} participants joined over ${sockets.length} WebSockets in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
	const timer = keepalives();
	const loopDelay = monitorEventLoopDelay({ resolution: 1 });
	loopDelay.enable();
	await sleep(1000);   /* the join events settle */
	await idle('idle#1', cfg.idle);
	const done = {};
	for (let r = 0; r < cfg.rounds; r++) {
		const order = r % 2 === 0 ? cfg.kinds : [...cfg.kinds].reverse();
		for (const kind of order) {
			done[kind] = (done[kind] || 0) + 1;
			await runWindow(kind, `${kind}#${done[kind]}`, loopDelay);
			await sleep(cfg.pause * 1000);
		}
	}
	await idle('idle#2', cfg.idle);
	process.stdout.write(`STRAY ${stray}\n`);
	clearInterval(timer);
	closing = true;
	for (const p of participants)
		p.socket.ws.send(JSON.stringify({ janus: 'destroy', session_id: p.session, transaction: 'bye' }));
	await sleep(500);
	for (const s of sockets)
		s.ws.close();
	process.exit(0);
}

main().catch((e) => fail(e.stack || String(e)));
