/*
 * sdk_media.test.mjs - simulcast, layer choice by tile size,
 * mediaScoreUpdate and middlewares of the SDK without a browser: the
 * camera's sendEncodings per overrides.simulcastConfig, the substream a
 * tile size asks for and the `configure` requests it sends (only on a
 * change), the score formula and the events built from getStats reports,
 * and the track swaps of audio/video middlewares and updateVideoConstraints.
 * Run: node --test tests/sdk/ (Node 20, no packages).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import RealtimeKitClient from '../../sdk/rtk-core.js';
import { cameraSendEncodings } from '../../sdk/publisher.js';
import { substreamForSize } from '../../sdk/subscriber.js';
import { mediaScore, sentStreams, receivedStreams, MediaScoreMonitor } from '../../sdk/stats.js';
import { VideoMiddlewares } from '../../sdk/middleware.js';
import { FakeJanus, FakePeerConnection, FakeTrack, fakeMediaDevices, fakeOffer, until, tick } from './fake_janus.mjs';

function token() {
	const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
	return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ orgId: 'o', meetingId: 'm1', participantId: 'u-self' })}.sig`;
}

const MEDIA = { audio: { can_produce: 'ALLOWED' }, video: { can_produce: 'ALLOWED' }, screenshare: { can_produce: 'ALLOWED' } };
const ada = { id: 'peer-ada', userId: 'u-ada', name: 'Ada', audioEnabled: true, videoEnabled: true };
const bob = { id: 'peer-bob', userId: 'u-bob', name: 'Bob', audioEnabled: true, videoEnabled: true };

/* A joined meeting on a fake Janus; `streams` is then offered on the
 * subscriber handle. */
async function setup({ defaults = { audio: false, video: false }, overrides, streams } = {}) {
	const janus = new FakeJanus();
	janus.onMessage = (handle, body, jsep) => {
		switch (body.request) {
		case 'join':
			return { data: { rtk: 'roomJoined', self: { id: 'peer-self', userId: 'u-self', name: 'Self',
				permissions: { media: MEDIA, stage_enabled: false } }, meeting: { meetingId: 'm1' }, participants: [ada, bob] } };
		case 'subscribe':
			return { data: { rtk: 'subscribed', streams: [] } };
		case 'publish':
			return { data: { rtk: 'published', streams: jsep.sdp.split('\n').map((l, i) => {
				const kind = l.split(' ')[0].slice(2);
				const type = body.descriptions && body.descriptions.some((d) => d.mid === String(i)) ? 'screenshare' : kind;
				return { mid: String(i), kind, type };
			}) }, jsep: { type: 'answer', sdp: 'answer' } };
		default:
			return { data: { rtk: body.request === 'start' ? 'started' : 'configured' } };
		}
	};
	const meeting = await RealtimeKitClient.init({
		authToken: token(), baseURI: 'http://10.77.0.1:8080', defaults, overrides,
		WebSocket: janus.WebSocket, RTCPeerConnection: FakePeerConnection,
		mediaDevices: fakeMediaDevices(), keepaliveMs: 0, mediaScoreIntervalMs: 3600000,
	});
	await meeting.join();
	await until(() => janus.handles.length === 2, 'subscriber handle');
	const sub = janus.handles[1];
	if (streams) {
		janus.push(sub, { rtk: 'updated', streams }, fakeOffer(streams.map((s) => [s.kind, s.mid])));
		await until(() => janus.requests('start').length === 1, 'start');
	}
	const layers = () => janus.requests('configure').filter((m) => m.handle_id === sub).map((m) => m.body);
	return { janus, meeting, sub, layers };
}

const stream = (mid, participantId, kind, type = kind) => ({ mid, participantId, userId: 'u', kind, type, active: true });

/* A ResizeObserver for Node: the test sets element sizes and calls resize(). */
class FakeResizeObserver {
	static all = new Set();
	constructor(cb) { this.cb = cb; this.els = new Set(); FakeResizeObserver.all.add(this); }
	observe(el) { this.els.add(el); }
	unobserve(el) { this.els.delete(el); }
	disconnect() { this.els.clear(); FakeResizeObserver.all.delete(this); }
	static resize(el, width, height) {
		el.clientWidth = width;
		el.clientHeight = height;
		for (const o of FakeResizeObserver.all)
			if (o.els.has(el))
				o.cb([{ target: el, contentRect: { width, height } }]);
	}
}

test('simulcastConfig: default three layers h/m/l largest first, the given encodings sorted, one encoding without rid, disable', () => {
	const d = cameraSendEncodings(undefined);
	assert.deepEqual(d.map((e) => [e.rid, e.scaleResolutionDownBy]), [['h', 1], ['m', 2], ['l', 4]]);
	assert.ok(d.every((e) => e.maxBitrate > 0));
	assert.deepEqual(cameraSendEncodings({ disable: false }), d, 'disable false, no encodings: the defaults');
	assert.equal(cameraSendEncodings({ disable: true, encodings: [{ scaleResolutionDownBy: 2 }] }), null);
	assert.deepEqual(cameraSendEncodings({ disable: false, encodings: [{ scaleResolutionDownBy: 2 }] }),
		[{ scaleResolutionDownBy: 2 }], 'the seeds\' example: one encoding at half size, no simulcast');
	assert.deepEqual(cameraSendEncodings({ encodings: [{ scaleResolutionDownBy: 3, rid: 'lo' }, {}] }),
		[{ rid: 'h' }, { scaleResolutionDownBy: 3, rid: 'lo' }], 'sorted largest first; own rids kept');
	assert.equal(cameraSendEncodings({ encodings: [{}, {}, {}, {}] }).length, 3, 'at most three layers');
	const given = [{ scaleResolutionDownBy: 4 }, { scaleResolutionDownBy: 1 }];
	cameraSendEncodings({ encodings: given });
	assert.deepEqual(given, [{ scaleResolutionDownBy: 4 }, { scaleResolutionDownBy: 1 }], 'the caller\'s objects are not changed');
});

test('publish: the camera carries the simulcast encodings, audio and screenshare one encoding', async () => {
	const { janus, meeting } = await setup({ defaults: { audio: true, video: true },
		overrides: { simulcastConfig: { encodings: [{ scaleResolutionDownBy: 2 }, { scaleResolutionDownBy: 1 }] } } });
	await until(() => janus.requests('publish').length === 1, 'publish');
	await meeting.self.enableScreenShare();
	const t = meeting.self._publisher.transceivers;
	assert.deepEqual(t.video.sendEncodings, [{ scaleResolutionDownBy: 1, rid: 'h' }, { scaleResolutionDownBy: 2, rid: 'm' }]);
	assert.equal(t.audio.sendEncodings, undefined);
	assert.equal(t.screenshare.sendEncodings, undefined);
	const off = await setup({ defaults: { audio: false, video: true }, overrides: { simulcastConfig: { disable: true } } });
	await until(() => off.janus.requests('publish').length === 1, 'publish');
	assert.equal(off.meeting.self._publisher.transceivers.video.sendEncodings, undefined, 'simulcast off: one encoding');
});

test('publisherLayers: the camera encodings the server names by rid are turned off and on; nothing set when nothing changes', async () => {
	const { janus, meeting } = await setup({ defaults: { audio: true, video: true } });
	await until(() => janus.requests('publish').length === 1, 'publish');
	const t = meeting.self._publisher.transceivers.video;
	await until(() => t.mid !== null, 'camera mid');
	const main = janus.handles[0];
	const active = () => Object.fromEntries(t.sender.encodings.map((e) => [e.rid, e.active]));
	janus.push(main, { rtk: 'publisherLayers', mid: t.mid, layers: [true, true, true], rids: ['l', 'm', 'h'] });
	await tick();
	await meeting.self._publisher.chain;
	assert.equal(t.sender.setCalls.length, 0, 'all active already: no setParameters');
	janus.push(main, { rtk: 'publisherLayers', mid: t.mid, layers: [true, false, false], rids: ['l', 'm', 'h'] });
	await until(() => t.sender.setCalls.length === 1, 'setParameters');
	assert.deepEqual(active(), { h: false, m: false, l: true });
	janus.push(main, { rtk: 'publisherLayers', mid: t.mid, layers: [true, true, true], rids: ['l', 'm', 'h'] });
	await until(() => t.sender.setCalls.length === 2, 'setParameters again');
	assert.deepEqual(active(), { h: true, m: true, l: true });
	/* without rids: substream 0 is the smallest (the last encoding) */
	janus.push(main, { rtk: 'publisherLayers', mid: t.mid, layers: [true, true, false] });
	await until(() => t.sender.setCalls.length === 3, 'setParameters by order');
	assert.deepEqual(active(), { h: false, m: true, l: true });
	/* another mid, or the audio m-line: nothing */
	janus.push(main, { rtk: 'publisherLayers', mid: 'nope', layers: [true, false, false] });
	janus.push(main, { rtk: 'publisherLayers', mid: meeting.self._publisher.transceivers.audio.mid, layers: [false] });
	await tick();
	await meeting.self._publisher.chain;
	assert.equal(t.sender.setCalls.length, 3, 'nothing for an unknown mid or a single encoding');
});

test('substreamForSize: larger side in device pixels, up to 320 -> 0, up to 640 -> 1, else 2; nothing visible -> 0', () => {
	assert.equal(substreamForSize(0, 0), 0);
	assert.equal(substreamForSize(160, 90), 0);
	assert.equal(substreamForSize(320, 180), 0);
	assert.equal(substreamForSize(321, 180), 1);
	assert.equal(substreamForSize(180, 400), 1, 'a portrait tile counts its height');
	assert.equal(substreamForSize(640, 360), 1);
	assert.equal(substreamForSize(641, 360), 2);
	assert.equal(substreamForSize(320, 180, 2), 1, 'devicePixelRatio 2 doubles the need');
	assert.equal(substreamForSize(1920, 1080), 2);
});

test('layers: a camera with no tile asks for 0; tile sizes ask for their layer, once per change; hidden or deregistered -> 0', async () => {
	globalThis.ResizeObserver = FakeResizeObserver;
	try {
		const { janus, meeting, sub, layers } = await setup({ streams: [stream('0', 'peer-ada', 'audio'),
			stream('1', 'peer-ada', 'video'), stream('2', 'peer-ada', 'video', 'screenshare')] });
		await until(() => layers().length === 1, 'configure for the new camera');
		assert.deepEqual(layers(), [{ request: 'configure', mid: '1', substream: 0 }],
			'no tile: the lowest layer, and no request for audio or the screenshare');
		const p = meeting.participants.joined.get('peer-ada');
		const el = { clientWidth: 0, clientHeight: 0 };
		p.registerVideoElement(el);
		FakeResizeObserver.resize(el, 1280, 720);
		await until(() => layers().length === 2, 'configure 2');
		FakeResizeObserver.resize(el, 1000, 600);
		FakeResizeObserver.resize(el, 900, 500);
		FakeResizeObserver.resize(el, 400, 300);
		await until(() => layers().length === 3, 'configure 1');
		FakeResizeObserver.resize(el, 0, 0);
		await until(() => layers().length === 4, 'configure 0 (hidden)');
		FakeResizeObserver.resize(el, 1280, 720);
		await until(() => layers().length === 5, 'configure 2 again');
		const second = { clientWidth: 200, clientHeight: 100 };
		p.registerVideoElement(second);
		await tick(20);
		assert.equal(layers().length, 5, 'a second, smaller tile: the larger one still decides');
		p.deregisterVideoElement(el);
		await until(() => layers().length === 6, 'configure 0 (only the small tile left)');
		assert.deepEqual(layers().map((b) => [b.mid, b.substream]), [['1', 0], ['1', 2], ['1', 1], ['1', 0], ['1', 2], ['1', 0]]);

		/* The m-line moves to Bob, whose tile is large: his layer is asked for. */
		const bobP = meeting.participants.joined.get('peer-bob');
		const big = { clientWidth: 1280, clientHeight: 720 };
		bobP.registerVideoElement(big);
		janus.push(sub, { rtk: 'updated', streams: [stream('0', 'peer-bob', 'audio'), stream('1', 'peer-bob', 'video')] },
			fakeOffer([['audio', '0'], ['video', '1']]));
		await until(() => layers().length === 7, 'configure for Bob');
		assert.deepEqual(layers().at(-1), { request: 'configure', mid: '1', substream: 2 });
	} finally {
		delete globalThis.ResizeObserver;
	}
});

test('mediaScore: 10 for clean media; loss, jitter, low frame rate and limitations cost points; 0-10 integers', () => {
	assert.equal(mediaScore({ packetsLostPercentage: 0, jitter: 0 }), 10);
	assert.equal(mediaScore({ packetsLostPercentage: 2, jitter: 0.01 }), 9);
	assert.equal(mediaScore({ packetsLostPercentage: 10, jitter: 0 }), 5, '10% loss: 5');
	assert.equal(mediaScore({ packetsLostPercentage: 0, jitter: 0.09 }), 7, '90 ms jitter: -3');
	assert.equal(mediaScore({ packetsLostPercentage: 0, jitter: 0.5 }), 7, 'jitter costs 3 at most');
	assert.equal(mediaScore({ packetsLostPercentage: 0, jitter: 0, framesPerSecond: 30 }), 10);
	assert.equal(mediaScore({ packetsLostPercentage: 0, jitter: 0, framesPerSecond: 5 }), 8, '5 fps: -2');
	assert.equal(mediaScore({ packetsLostPercentage: 0, jitter: 0, framesPerSecond: 0 }), 7, 'no frames: -3');
	assert.equal(mediaScore({ packetsLostPercentage: 0, jitter: 0, cpuLimitations: true, bandwidthLimitations: true }), 8);
	assert.equal(mediaScore({ packetsLostPercentage: 60, jitter: 1, framesPerSecond: 0 }), 0, 'never below 0');
});

test('sent and received figures from two getStats reports: layers summed, the largest picture, loss and bitrate', () => {
	const before = new Map([
		['o1', { id: 'o1', type: 'outbound-rtp', kind: 'video', mid: '1', rid: 'l', bytesSent: 1000, packetsSent: 10, framesEncoded: 10 }],
		['o2', { id: 'o2', type: 'outbound-rtp', kind: 'video', mid: '1', rid: 'h', bytesSent: 5000, packetsSent: 40, framesEncoded: 10 }],
		['r2', { id: 'r2', type: 'remote-inbound-rtp', kind: 'video', localId: 'o2', packetsLost: 0, jitter: 0.002 }],
	]);
	const now = new Map([
		['o1', { id: 'o1', type: 'outbound-rtp', kind: 'video', mid: '1', rid: 'l', bytesSent: 4000, packetsSent: 40,
			frameWidth: 320, frameHeight: 180, framesPerSecond: 30, qualityLimitationReason: 'none' }],
		['o2', { id: 'o2', type: 'outbound-rtp', kind: 'video', mid: '1', rid: 'h', bytesSent: 35000, packetsSent: 140,
			frameWidth: 1280, frameHeight: 720, framesPerSecond: 24, qualityLimitationReason: 'cpu' }],
		['r2', { id: 'r2', type: 'remote-inbound-rtp', kind: 'video', localId: 'o2', packetsLost: 13, jitter: 0.004 }],
		['o0', { id: 'o0', type: 'outbound-rtp', kind: 'audio', mid: '0', bytesSent: 6000, packetsSent: 50 }],
	]);
	const sent = sentStreams(before, now, 2);
	const video = sent.find((s) => s.mid === '1');
	assert.equal(video.bitrate, (3000 + 30000) / 2, 'bytes per second over both layers');
	assert.equal(video.frameWidth, 1280);
	assert.equal(video.frameHeight, 720);
	assert.equal(video.framesPerSecond, 24);
	assert.equal(video.packetsLostPercentage, 10, '13 of the 130 packets sent on both layers were lost');
	assert.equal(video.jitter, 0.004);
	assert.equal(video.cpuLimitations, true);
	assert.equal(video.bandwidthLimitations, false);
	const audio = sent.find((s) => s.mid === '0');
	assert.equal(audio.bitrate, 3000, 'a stream new in the second report counts from zero');
	assert.equal(audio.frameWidth, undefined);

	const rb = new Map([['i1', { id: 'i1', type: 'inbound-rtp', kind: 'video', mid: '3', bytesReceived: 100, packetsReceived: 10, packetsLost: 1, framesDecoded: 0 }]]);
	const rn = new Map([['i1', { id: 'i1', type: 'inbound-rtp', kind: 'video', mid: '3', bytesReceived: 3100, packetsReceived: 100,
		packetsLost: 11, framesDecoded: 60, frameWidth: 640, frameHeight: 360, jitter: 0.02 }]]);
	assert.deepEqual(receivedStreams(rb, rn, 3), [{ mid: '3', kind: 'video', bytes: 3000, bitrate: 1000,
		packetsLostPercentage: 10, jitter: 0.02, frameWidth: 640, frameHeight: 360, framesPerSecond: 20 }]);
});

test('mediaScoreUpdate: what self sends on meeting.self, what arrives from a participant on it and on the joined map, payload first', async () => {
	const { meeting } = await setup({ defaults: { audio: true, video: true },
		streams: [stream('0', 'peer-ada', 'audio'), stream('1', 'peer-ada', 'video')] });
	await until(() => meeting.self._publisher.transceivers.video && meeting.self._publisher.transceivers.video.mid !== null, 'published');
	const self = [], map = [], ada = [];
	meeting.self.on('mediaScoreUpdate', (e) => self.push(e));
	meeting.participants.joined.on('mediaScoreUpdate', (...args) => map.push(args));
	meeting.participants.joined.get('peer-ada').on('mediaScoreUpdate', (e) => ada.push(e));
	let n = 0;
	const report = (k) => new Map([
		['oa', { id: 'oa', type: 'outbound-rtp', kind: 'audio', mid: '0', bytesSent: 1000 * k, packetsSent: 50 * k }],
		['ov', { id: 'ov', type: 'outbound-rtp', kind: 'video', mid: '1', rid: 'h', bytesSent: 30000 * k, packetsSent: 100 * k,
			frameWidth: 1280, frameHeight: 720, framesPerSecond: 30, qualityLimitationReason: 'bandwidth' }],
	]);
	meeting.self._publisher.pc.getStats = async () => report(++n);
	meeting._subscriber.pc.getStats = async () => new Map([
		['ia', { id: 'ia', type: 'inbound-rtp', kind: 'audio', mid: '0', bytesReceived: 500 * n, packetsReceived: 50 * n, packetsLost: 0, jitter: 0.004 }],
		['iv', { id: 'iv', type: 'inbound-rtp', kind: 'video', mid: '1', bytesReceived: 9000 * n, packetsReceived: 90 * n, packetsLost: 10 * n,
			frameWidth: 320, frameHeight: 180, framesPerSecond: 30, jitter: 0.002 }],
	]);
	const [sent, received] = meeting._scoreMonitors;
	await sent.sample();
	await received.sample();
	assert.equal(self.length + map.length, 0, 'the first sample only sets the baseline');
	await sent.sample();
	await received.sample();
	assert.deepEqual(self.map((e) => [e.kind, e.participantId, e.isScreenshare]), [['audio', 'peer-self', false], ['video', 'peer-self', false]]);
	const v = self[1];
	assert.deepEqual(Object.keys(v.scoreStats).sort(), ['bandwidthLimitations', 'bitrate', 'cpuLimitations', 'frameHeight', 'frameWidth',
		'framesPerSecond', 'isScreenShare', 'jitter', 'packetsLostPercentage', 'score']);
	assert.equal(v.scoreStats.frameWidth, 1280);
	assert.equal(v.scoreStats.bandwidthLimitations, true);
	assert.equal(v.score, 9);
	assert.deepEqual(Object.keys(self[0].scoreStats).sort(), ['bitrate', 'isScreenShare', 'jitter', 'packetsLostPercentage', 'score']);
	assert.equal(map.length, 2);
	assert.ok(map.every((args) => args.length === 1 && args[0].participantId === 'peer-ada'), 'the map emits the payload first');
	assert.deepEqual(ada, map.map((args) => args[0]));
	const rv = ada.find((e) => e.kind === 'video');
	assert.deepEqual(Object.keys(rv.scoreStats).sort(), ['bitrate', 'frameHeight', 'frameWidth', 'framesPerSecond', 'isScreenShare',
		'jitter', 'packetsLostPercentage', 'score']);
	assert.equal(rv.scoreStats.packetsLostPercentage, 10);
	assert.equal(rv.score, 5);
	/* Nothing flows: no event. */
	const count = self.length;
	meeting.self._publisher.pc.getStats = async () => report(n);
	await sent.sample();
	assert.equal(self.length, count);
	await meeting.leave();
	assert.deepEqual(meeting._scoreMonitors, [], 'leave stops the sampling');
});

test('MediaScoreMonitor: a replaced PeerConnection starts a new baseline', async () => {
	let pc = { getStats: async () => new Map([['o', { id: 'o', type: 'outbound-rtp', kind: 'audio', mid: '0', bytesSent: 10, packetsSent: 1 }]]) };
	const got = [];
	let t = 0;
	const m = new MediaScoreMonitor({ pc: () => pc, sent: true, now: () => (t += 1000),
		describe: () => ({ participantId: 'me', isScreenshare: false, emit: (e) => got.push(e) }) });
	await m.sample();
	pc = { getStats: async () => new Map([['o', { id: 'o', type: 'outbound-rtp', kind: 'audio', mid: '0', bytesSent: 5000, packetsSent: 50 }]]) };
	await m.sample();
	assert.equal(got.length, 0, 'no difference across two PeerConnections');
});

test('video middlewares: the factory is called once, duplicates ignored, order kept, removal by the factory', async () => {
	const mw = new VideoMiddlewares();
	const calls = [];
	const a = () => { calls.push('a'); return () => {}; };
	const b = async () => { calls.push('b'); return () => {}; };
	assert.equal(await mw.add(a), true);
	assert.equal(await mw.add(a), false);
	assert.equal(await mw.add(b), true);
	assert.deepEqual(calls, ['a', 'b']);
	assert.equal(mw.size, 2);
	await assert.rejects(mw.add(() => 'not a function'), TypeError);
	assert.equal(mw.remove(a), true);
	assert.equal(mw.remove(a), false);
	assert.equal(mw.removeAll(), true);
	assert.equal(mw.size, 0);
	mw.setGlobalConfig({ disablePerFrameCanvasRendering: true });
	assert.equal(mw.config.disablePerFrameCanvasRendering, true);
});

test('self middlewares: videoTrack becomes the output and is sent; removing brings the camera back; raw tracks stay raw', async () => {
	const { meeting } = await setup({ defaults: { audio: true, video: true } });
	await until(() => meeting.self._publisher.transceivers.video, 'published');
	const camera = meeting.self.videoTrack;
	assert.equal(meeting.self.rawVideoTrack, camera, 'no middleware: the camera itself');
	const built = [];
	meeting.self._videoMiddlewares.build = (raw) => {
		const out = new FakeTrack('video', `processed ${raw.label}`);
		const pipeline = { track: out, stopped: false, stop() { pipeline.stopped = true; out.stop(); } };
		built.push(pipeline);
		return pipeline;
	};
	const updates = [];
	meeting.self.on('videoUpdate', (e) => updates.push(e.videoTrack && e.videoTrack.label));
	const retro = () => (canvas, ctx) => {};
	await meeting.self.addVideoMiddleware(retro);
	const sender = meeting.self._publisher.transceivers.video.sender;
	assert.equal(meeting.self.videoTrack.label, 'processed camera');
	assert.equal(meeting.self.rawVideoTrack, camera);
	assert.equal(sender.track, meeting.self.videoTrack, 'the output is sent');
	assert.deepEqual(updates, ['processed camera']);
	await meeting.self.removeVideoMiddleware(retro);
	assert.equal(meeting.self.videoTrack, camera);
	assert.equal(sender.track, camera);
	assert.equal(built[0].stopped, true, 'the pipeline stops');
	assert.equal(camera.readyState, 'live', 'the camera keeps running');
	/* With a middleware, disabling stops both the output and the camera. */
	await meeting.self.addVideoMiddleware(retro);
	const out = meeting.self.videoTrack;
	await meeting.self.disableVideo();
	assert.equal(out.readyState, 'ended');
	assert.equal(camera.readyState, 'ended');
	assert.equal(meeting.self.rawVideoTrack, null);
	await meeting.self.enableVideo();
	assert.equal(meeting.self.videoTrack.label, 'processed camera', 'a new capture goes through the middleware');
	assert.equal(sender.track, meeting.self.videoTrack);
});

test('audio middlewares: the microphone runs through the nodes in order into the sent track', async () => {
	const graph = [];
	class Node { constructor(name) { this.name = name; } connect(n) { graph.push([this.name, n.name]); return n; } }
	const outTrack = new FakeTrack('audio', 'processed mic');
	globalThis.MediaStream = class { constructor(tracks) { this.tracks = tracks; } };
	globalThis.AudioContext = class {
		constructor() { this.state = 'running'; }
		createMediaStreamSource(s) { return new Node(`source ${s.tracks[0].label}`); }
		createMediaStreamDestination() { const d = new Node('destination'); d.stream = { getAudioTracks: () => [outTrack] }; return d; }
		async close() { this.closed = true; }
	};
	try {
		const { meeting } = await setup({ defaults: { audio: true, video: false } });
		await until(() => meeting.self._publisher.transceivers.audio, 'published');
		const gain = (ctx) => new Node('gain');
		const noise = async (ctx) => new Node('noise');
		await meeting.self.addAudioMiddleware(gain);
		await meeting.self.addAudioMiddleware(noise);
		assert.equal(meeting.self.audioTrack, outTrack);
		assert.equal(meeting.self.rawAudioTrack.label, 'mic');
		assert.equal(meeting.self._publisher.transceivers.audio.sender.track, outTrack);
		assert.deepEqual(graph.slice(-3), [['source mic', 'gain'], ['gain', 'noise'], ['noise', 'destination']]);
		await meeting.self.removeAllAudioMiddlewares();
		assert.equal(meeting.self.audioTrack, meeting.self.rawAudioTrack);
	} finally {
		delete globalThis.AudioContext;
		delete globalThis.MediaStream;
	}
});

test('updateVideoConstraints: applied to the running camera and to the next capture', async () => {
	const { meeting } = await setup({ defaults: { audio: false, video: true } });
	const applied = [];
	meeting.self.rawVideoTrack.applyConstraints = async (c) => applied.push(c);
	await meeting.self.updateVideoConstraints({ width: { ideal: 1920 }, height: { ideal: 1080 } });
	assert.deepEqual(applied, [{ width: { ideal: 1920 }, height: { ideal: 1080 } }]);
	await meeting.self.disableVideo();
	const log = meeting.self._ctx.mediaDevices().log;
	await meeting.self.enableVideo();
	assert.deepEqual(log.at(-1), ['getUserMedia', { video: { width: { ideal: 1920 }, height: { ideal: 1080 } } }]);
});
