/*
 * sdk_reconnect.test.mjs - the SDK's reconnection state machine (docs/sdk.md,
 * "Reconnection") against the fake Janus: a dropped socket makes roomState
 * `disconnected` (roomLeft {state: 'disconnected'}) while participants and
 * PeerConnections stay; the transport claims the same session on a new
 * socket, `sync` is applied as the events it implies, both PeerConnections
 * restart ICE and self emits roomJoined {reconnected: true}; a session the
 * server lost, or reconnection attempts that run out, end in `failed`; ICE
 * that fails with the socket up restarts by itself.
 * Run: node --test tests/sdk/ (Node 20, no packages).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import RealtimeKitClient from '../../sdk/rtk-core.js';
import { FakeJanus, FakePeerConnection, fakeMediaDevices, fakeOffer, until } from './fake_janus.mjs';

function token() {
	const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
	return `${b64({ alg: 'HS256' })}.${b64({ orgId: 'o', meetingId: 'm1', participantId: 'u-self' })}.sig`;
}

const person = (id, extra = {}) => ({ id: `peer-${id}`, userId: `u-${id}`, name: id, audioEnabled: false,
	videoEnabled: true, screenShareEnabled: false, stageStatus: 'ON_STAGE', isPinned: false, ...extra });
const MEDIA = { audio: { can_produce: 'ALLOWED' }, video: { can_produce: 'ALLOWED' }, screenshare: { can_produce: 'ALLOWED' } };

function snapshot(participants, extra = {}) {
	return {
		self: { id: 'peer-self', userId: 'u-self', name: 'Self', presetName: 'group_call_host',
			permissions: { media: MEDIA, stage_enabled: false }, config: {}, roomState: 'joined' },
		meeting: { meetingId: 'm1', meetingTitle: 'Standup', sessionId: 's1', viewType: 'GROUP_CALL' },
		participants, pinned: [],
		recording: { recordingState: 'IDLE', recordings: [] },
		livestream: { status: 'IDLE', viewerCount: 0 },
		...extra,
	};
}

const SUB_OFFER = fakeOffer([['audio', '0'], ['video', '1']]);
const subStreams = (id) => [
	{ mid: '0', kind: 'audio', type: 'audio', participantId: `peer-${id}`, active: true },
	{ mid: '1', kind: 'video', type: 'video', participantId: `peer-${id}`, active: true },
];

/* A joined meeting publishing video, with one remote participant (ada);
 * `sync` answers what `state.sync` holds. */
async function joined(options = {}) {
	const janus = new FakeJanus();
	const state = { sync: { rtk: 'roomState', roomState: 'joined', ...snapshot([person('ada')]) } };
	janus.onMessage = (handle, body, jsep) => {
		switch (body.request) {
		case 'join':
			return { data: { rtk: 'roomJoined', ...snapshot([person('ada')]) } };
		case 'subscribe':
			return { data: { rtk: 'subscribed', streams: subStreams('ada') }, jsep: SUB_OFFER };
		case 'configure':
			if (body.restart)
				return { data: { rtk: 'updated', restart: true, streams: subStreams('ada') }, jsep: SUB_OFFER };
			return { data: { rtk: 'configured' } };
		case 'publish':
			return { data: { rtk: 'published', streams: [{ mid: '0', kind: 'video', type: 'video' }] },
				jsep: { type: 'answer', sdp: 'answer' } };
		case 'start':
			return { data: { rtk: 'started' } };
		case 'sync':
			return { data: state.sync };
		default:
			return { data: { rtk: 'ok', request: body.request } };
		}
	};
	const meeting = await RealtimeKitClient.init({
		authToken: token(), baseURI: 'http://10.77.0.1:8080', defaults: { audio: false, video: true },
		WebSocket: janus.WebSocket, RTCPeerConnection: FakePeerConnection, mediaDevices: fakeMediaDevices(),
		keepaliveMs: 0, reconnectDelaysMs: [5, 10, 20], iceCheckMs: 5, iceDisconnectedMs: 30, ...options,
	});
	const log = [];
	meeting.self.on('roomLeft', (d) => log.push(['roomLeft', d, meeting.self.roomState]));
	meeting.self.on('roomJoined', (d) => log.push(['roomJoined', d, meeting.self.roomState]));
	meeting.participants.joined.on('participantJoined', (p) => log.push(['participantJoined', p.id]));
	meeting.participants.joined.on('participantLeft', (p) => log.push(['participantLeft', p.id]));
	await meeting.join();
	await until(() => janus.requests('start').length === 1 && janus.requests('publish').length === 1, 'media set up');
	log.length = 0;
	const pub = meeting.self._publisher.pc;
	const sub = meeting._subscriber.pc;
	return { janus, meeting, state, log, pub, sub };
}

test('a dropped socket: disconnected, then the same session is claimed, sync applied, ICE restarted, roomJoined {reconnected: true}', async () => {
	const { janus, meeting, state, log, pub, sub } = await joined();
	const session = janus.sessionId;
	const main = janus.requests('join')[0].handle_id;
	/* while away: ada left, bob joined */
	state.sync = { rtk: 'roomState', roomState: 'joined', ...snapshot([person('bob')]) };
	janus.dropSocket();
	await until(() => meeting.self.roomState === 'disconnected', 'disconnected');
	assert.deepEqual(log[0], ['roomLeft', { state: 'disconnected' }, 'disconnected']);
	assert.equal(meeting.participants.joined.size, 1, 'participants stay during the outage');
	assert.equal(pub.closed || sub.closed, false, 'PeerConnections stay during the outage');
	await until(() => meeting.self.roomState === 'joined', 'joined again');
	const claims = janus.sent.filter((m) => m.janus === 'claim');
	assert.equal(claims.length, 1);
	assert.equal(claims[0].session_id, session, 'claim names the same Janus session');
	assert.equal(janus.sockets, 2, 'one new socket');
	assert.equal(janus.requests('sync')[0].handle_id, main, 'sync on the main handle');
	assert.equal(janus.sent.filter((m) => m.janus === 'create').length, 1, 'no new session');
	assert.equal(janus.requests('join').length, 1, 'no new join');
	assert.deepEqual(log.slice(1), [
		['participantLeft', 'peer-ada'],
		['participantJoined', 'peer-bob'],
		['roomJoined', { reconnected: true }, 'joined'],
	]);
	/* ICE restart on both PeerConnections, the same ones */
	await until(() => janus.requests('publish').length === 2 && janus.requests('start').length === 2, 'ICE restarts');
	assert.deepEqual(pub.offerOptions.at(-1), { iceRestart: true });
	assert.ok(janus.requests('publish')[1].jsep, 'the restart publish carries an offer');
	const restart = janus.requests('configure').find((m) => m.body.restart === true);
	assert.ok(restart, 'the subscriber handle was asked for a restart offer');
	assert.notEqual(restart.handle_id, main);
	assert.equal(janus.requests('start')[1].jsep.type, 'answer', 'the restart offer was answered');
	assert.equal(meeting.self._publisher.pc, pub);
	assert.equal(meeting._subscriber.pc, sub);
	assert.equal(meeting.participants.joined.get('peer-bob').name, 'bob');
});

test('a socket that goes silent without closing is treated as dropped: the session is claimed on a new socket', async () => {
	const { janus, meeting, log } = await joined({ keepaliveMs: 20 });
	const session = janus.sessionId;
	await until(() => janus.sent.filter((m) => m.janus === 'keepalive').length >= 2, 'keepalives answered');
	assert.equal(meeting.self.roomState, 'joined', 'answered keepalives keep the socket');
	janus.silence();
	await until(() => meeting.self.roomState === 'disconnected', 'disconnected after unanswered keepalives');
	assert.ok(janus.sentToDeadSocket.some((m) => m.janus === 'keepalive'), 'keepalives went into the silence');
	await until(() => meeting.self.roomState === 'joined', 'joined again');
	const claims = janus.sent.filter((m) => m.janus === 'claim');
	assert.equal(claims.length, 1);
	assert.equal(claims[0].session_id, session, 'the same Janus session');
	assert.equal(janus.sockets, 2, 'one new socket');
	assert.deepEqual(log.map((e) => e[0]), ['roomLeft', 'roomJoined']);
	await until(() => janus.sent.filter((m) => m.janus === 'keepalive' && m.session_id === session).length >= 4,
		'keepalives on the new socket');
	assert.equal(meeting.self.roomState, 'joined', 'the new socket stays');
	assert.equal(janus.sockets, 2);
});

test('requests during the outage reject with 0401; leave while disconnected ends locally', async () => {
	const { janus, meeting, log } = await joined();
	janus.refuseConnections = true;
	janus.dropSocket();
	await until(() => meeting.self.roomState === 'disconnected', 'disconnected');
	await assert.rejects(meeting.participants.kickAll(), { code: '0401' });
	await meeting.leave();
	assert.equal(meeting.self.roomState, 'left');
	assert.deepEqual(log.map((e) => e[0] === 'roomLeft' && e[1].state).filter(Boolean), ['disconnected', 'left']);
	const sockets = janus.sockets;
	await new Promise((r) => setTimeout(r, 60));
	assert.equal(janus.sockets, sockets, 'no reconnection attempts after leave');
});

test('the server lost the session (claim answered 458): roomLeft {state: "failed"}, everything closed', async () => {
	const { janus, meeting, log, pub, sub } = await joined();
	janus.sessionGone = true;
	janus.dropSocket();
	await until(() => meeting.self.roomState === 'failed', 'failed');
	assert.deepEqual(log.filter((e) => e[0] === 'roomLeft'), [
		['roomLeft', { state: 'disconnected' }, 'disconnected'],
		['roomLeft', { state: 'failed' }, 'failed'],
	]);
	assert.equal(janus.sent.filter((m) => m.janus === 'claim').length, 1, 'no retry after Janus refused the claim');
	assert.equal(meeting.participants.joined.size, 0);
	assert.ok(pub.closed && sub.closed, 'both PeerConnections closed');
	assert.equal(meeting.self.videoTrack, null, 'local tracks stopped');
});

test('reconnection attempts run out (the server stays unreachable): failed after reconnectTimeoutMs', async () => {
	const { janus, meeting, log } = await joined({ reconnectTimeoutMs: 60 });
	janus.refuseConnections = true;
	janus.dropSocket();
	await until(() => meeting.self.roomState === 'failed', 'failed');
	assert.ok(janus.sockets >= 3, `retried with backoff (${janus.sockets - 1} attempts)`);
	assert.deepEqual(log.filter((e) => e[0] === 'roomLeft').map((e) => e[1].state), ['disconnected', 'failed']);
});

test('kicked while the socket was down: sync says so and roomLeft {state: "kicked"} follows', async () => {
	const { janus, meeting, state, log } = await joined();
	state.sync = { rtk: 'roomState', roomState: 'kicked' };
	janus.dropSocket();
	await until(() => meeting.self.roomState === 'kicked', 'kicked');
	assert.deepEqual(log.filter((e) => e[0] === 'roomLeft').map((e) => e[1]), [{ state: 'disconnected' }, { state: 'kicked' }]);
	assert.equal(log.some((e) => e[0] === 'roomJoined'), false);
	assert.equal(janus.requests('publish').length, 1, 'no ICE restart for a meeting that is over');
});

test('ICE failed with the socket up (a network change): the PeerConnection restarts ICE by itself', async () => {
	const { janus, meeting, pub, sub } = await joined();
	pub.iceConnectionState = 'failed';
	await until(() => janus.requests('publish').length === 2, 'publisher ICE restart');
	assert.deepEqual(pub.offerOptions.at(-1), { iceRestart: true });
	pub.iceConnectionState = 'connected';
	sub.iceConnectionState = 'disconnected';   /* restarted only once it lasts */
	await until(() => janus.requests('configure').some((m) => m.body.restart), 'subscriber ICE restart');
	await until(() => janus.requests('start').length === 2, 'restart offer answered');
	assert.equal(meeting.self.roomState, 'joined', 'the meeting never left joined');
	sub.iceConnectionState = 'connected';
	await new Promise((r) => setTimeout(r, 40));
	assert.equal(janus.requests('publish').length, 2, 'no more restarts once connected');
	await meeting.leave();
});
