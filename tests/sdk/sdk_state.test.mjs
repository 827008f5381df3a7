/*
 * sdk_state.test.mjs - the SDK's state handling without a browser: events of
 * docs/protocol.md go through a fake Janus WebSocket into meeting.self,
 * meeting.participants (and its maps and participant objects), stage,
 * recording, livestream and meta, and the tests check what an application
 * sees (fields, maps, events and their payloads, requests sent).
 * Run: node --test tests/sdk/ (Node 20, no packages).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import RealtimeKitClient from '../../sdk/rtk-core.js';
import { janusWebSocketURL } from '../../sdk/transport.js';
import { FakeJanus, FakePeerConnection, fakeMediaDevices, fakeOffer, until, tick } from './fake_janus.mjs';

/* A token whose payload carries the claims (the signature is the server's business). */
function token(claims = { orgId: 'org1', meetingId: 'm1', participantId: 'u-self', presetId: 'p1' }) {
	const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
	return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}.sig`;
}

const HOST_PERMISSIONS = {
	accept_waiting_requests: true, kick_participant: true, pin_participant: true, can_record: true,
	can_livestream: true, disable_participant_audio: true, disable_participant_video: true,
	stage_enabled: false, stage_access: 'ALLOWED', waiting_room_type: 'SKIP', show_participant_list: true,
	can_change_participant_permissions: true,
	media: { audio: { can_produce: 'ALLOWED' }, video: { can_produce: 'ALLOWED' }, screenshare: { can_produce: 'ALLOWED' } },
	chat: { public: { can_send: true, text: true, files: true }, private: { can_send: true, can_receive: true, text: true, files: false } },
	polls: { can_create: true, can_vote: true, can_view: true },
};

const ada = { id: 'peer-ada', userId: 'u-ada', name: 'Ada', picture: null, customParticipantId: 'ada@x',
	presetName: 'group_call_participant', audioEnabled: true, videoEnabled: false, screenShareEnabled: false,
	stageStatus: 'ON_STAGE', isPinned: false };
const bob = { ...ada, id: 'peer-bob', userId: 'u-bob', name: 'Bob', customParticipantId: 'bob@x', audioEnabled: false };

function roomJoined(extra = {}) {
	return {
		rtk: 'roomJoined',
		self: { id: 'peer-self', userId: 'u-self', name: 'Self', picture: null, customParticipantId: 'me@x',
			presetName: 'group_call_host', audioEnabled: false, videoEnabled: false, screenShareEnabled: false,
			permissions: HOST_PERMISSIONS, config: { view_type: 'GROUP_CALL', max_video_streams: { desktop: 9, mobile: 4 } },
			roomState: 'joined' },
		meeting: { meetingId: 'm1', meetingTitle: 'Standup', sessionId: 's1',
			meetingStartedTimestamp: '2026-11-22T09:00:00.000Z', viewType: 'GROUP_CALL' },
		participants: [ada],
		pinned: [],
		recording: { recordingState: 'IDLE', recordings: [] },
		livestream: { status: 'IDLE', viewerCount: 0 },
		...extra,
	};
}

/* A meeting wired to a fake Janus that answers join, subscribe, publish,
 * configure and start as the plugin does. */
async function setup({ defaults = { audio: false, video: false }, join = roomJoined(), media = false,
	subscribed = { data: { rtk: 'subscribed', streams: [] } }, PeerConnection = FakePeerConnection } = {}) {
	const janus = new FakeJanus();
	janus.onMessage = (handle, body, jsep) => {
		switch (body.request) {
		case 'join':
			return { data: join };
		case 'subscribe':
			return subscribed;
		case 'publish':
			return { data: { rtk: 'published', streams: jsep.sdp.split('\n').map((l, i) => {
				const kind = l.split(' ')[0].slice(2);
				const type = body.descriptions && body.descriptions.some((d) => d.mid === String(i)) ? 'screenshare' : kind;
				return { mid: String(i), kind, type };
			}) }, jsep: { type: 'answer', sdp: 'answer' } };
		case 'start':
			return { data: { rtk: 'started' } };
		case 'leave':
			return { data: { rtk: 'roomLeft', state: 'left' } };
		default:
			return { data: { rtk: 'ok', request: body.request } };
		}
	};
	const meeting = await RealtimeKitClient.init({
		authToken: token(), baseURI: 'http://10.77.0.1:8080', defaults,
		WebSocket: janus.WebSocket, RTCPeerConnection: PeerConnection,
		mediaDevices: media ? fakeMediaDevices() : null, keepaliveMs: 0,
	});
	return { janus, meeting };
}

test('the Janus WebSocket URL follows baseURI (same host, port 8188, ws or wss), janusURL overrides it', async () => {
	assert.equal(janusWebSocketURL('http://10.77.0.1:8080'), 'ws://10.77.0.1:8188/');
	assert.equal(janusWebSocketURL('https://meet.example.com'), 'wss://meet.example.com:8188/');
	assert.equal(janusWebSocketURL('http://[::1]:8080', 9000), 'ws://[::1]:9000/');
	const m = await RealtimeKitClient.init({ authToken: token(), baseURI: 'meet.example.com', mediaDevices: null });
	assert.equal(m.janusURL, 'wss://meet.example.com:8188/');
	const o = await RealtimeKitClient.init({ authToken: token(), janusURL: 'ws://h:1/x', mediaDevices: null });
	assert.equal(o.janusURL, 'ws://h:1/x');
	await assert.rejects(RealtimeKitClient.init({}), { code: '0005' });
});

test('init asks the gateway for its Janus WebSocket (GET /sdk/server.json) unless told', async () => {
	const asked = [];
	const answer = (doc, status = 200) => async (url) => {
		asked.push(url);
		return { ok: status === 200, status, json: async () => doc };
	};
	let m = await RealtimeKitClient.init({ authToken: token(), baseURI: 'http://10.77.0.1:8080', mediaDevices: null,
		fetch: answer({ janus_ws_port: 9188, janus_ws_url: null }) });
	assert.deepEqual(asked, ['http://10.77.0.1:8080/sdk/server.json']);
	assert.equal(m.janusURL, 'ws://10.77.0.1:9188/', 'the port the server runs with');
	m = await RealtimeKitClient.init({ authToken: token(), baseURI: 'https://meet.example.com', mediaDevices: null,
		fetch: answer({ janus_ws_port: 8188, janus_ws_url: 'wss://meet.example.com/janus' }) });
	assert.equal(m.janusURL, 'wss://meet.example.com/janus', 'RTK_JANUS_WS_URL wins over the port');
	for (const bad of [answer({}, 404), answer({ janus_ws_port: 'x', janus_ws_url: 'http://no' }),
		async () => { throw new TypeError('offline'); }]) {
		m = await RealtimeKitClient.init({ authToken: token(), baseURI: 'http://h:8080', mediaDevices: null, fetch: bad });
		assert.equal(m.janusURL, 'ws://h:8188/', 'an older gateway or a failure keeps the default');
	}
	asked.length = 0;
	m = await RealtimeKitClient.init({ authToken: token(), baseURI: 'http://h:8080', janusPort: 7000, iceServers: [],
		mediaDevices: null, fetch: answer({ janus_ws_port: 9188 }) });
	assert.equal(m.janusURL, 'ws://h:7000/');
	assert.deepEqual(asked, [], 'janusPort and iceServers given: nothing to ask');
	m = await RealtimeKitClient.init({ authToken: token(), baseURI: 'http://h:8080', janusPort: 7000, mediaDevices: null,
		fetch: answer({ janus_ws_port: 9188, janus_ws_secure: true }) });
	assert.equal(m.janusURL, 'ws://h:7000/', 'janusPort given: the server\'s port and scheme are not used');
	assert.deepEqual(asked, ['http://h:8080/sdk/server.json'], 'asked for the ICE servers only');
});

test('server.json with TLS and a TURN server: wss:// and the PeerConnections get its iceServers', async () => {
	const turn = { urls: ['turn:turn.example.com:3478?transport=udp', 'turn:turn.example.com:3478?transport=tcp'],
		username: 'rtk', credential: 'secret' };
	const janus = new FakeJanus();
	janus.onMessage = (handle, body) => (body.request === 'join' ? { data: roomJoined() }
		: body.request === 'subscribe' ? { data: { rtk: 'subscribed', streams: [] }, jsep: fakeOffer([]) }
		: body.request === 'start' ? { data: { rtk: 'started' } } : { data: { rtk: 'ok', request: body.request } });
	const fetch = async () => ({ ok: true, status: 200, json: async () => ({ janus_ws_port: 8188, janus_ws_url: null,
		janus_ws_secure: true, ice_servers: [turn, { urls: 'http://not-ice' }, null] }) });
	const before = FakePeerConnection.instances.length;
	const m = await RealtimeKitClient.init({ authToken: token(), baseURI: 'http://10.77.0.1:8080', fetch,
		WebSocket: janus.WebSocket, RTCPeerConnection: FakePeerConnection, mediaDevices: null, keepaliveMs: 0,
		defaults: { audio: false, video: false } });
	assert.equal(m.janusURL, 'wss://10.77.0.1:8188/', 'janus_ws_secure: wss even from an http: base');
	await m.join();
	await until(() => FakePeerConnection.instances.length > before, 'the subscriber PeerConnection');
	const made = FakePeerConnection.instances.slice(before);
	for (const pc of made)
		assert.deepEqual(pc.config.iceServers, [turn], 'only the valid RTCIceServer, as the server gave it');
	const given = await RealtimeKitClient.init({ authToken: token(), baseURI: 'http://10.77.0.1:8080', fetch,
		iceServers: [{ urls: 'stun:stun.example.com' }], mediaDevices: null });
	assert.deepEqual(given._iceServers, [{ urls: 'stun:stun.example.com' }], 'init\'s iceServers win');
});

test('roomJoined\'s iceServers (TURN credentials of the participant\'s own) go to the PeerConnections made after it', async () => {
	const mine = { urls: ['turn:turn.example.com:3478?transport=udp'], username: '1796655286:peer-self',
		credential: 'rCFVLvIwlVfR84C5QMSLI2HmoLo=' };
	const fetch = async () => ({ ok: true, status: 200, json: async () => ({ janus_ws_port: 8188, ice_servers: [] }) });
	for (const given of [undefined, [{ urls: 'stun:stun.example.com' }]]) {
		const janus = new FakeJanus();
		janus.onMessage = (handle, body) => (body.request === 'join'
			? { data: { ...roomJoined(), iceServers: [mine, { urls: 'http://not-ice' }] } }
			: body.request === 'subscribe' ? { data: { rtk: 'subscribed', streams: [] }, jsep: fakeOffer([]) }
			: body.request === 'start' ? { data: { rtk: 'started' } } : { data: { rtk: 'ok', request: body.request } });
		const before = FakePeerConnection.instances.length;
		const m = await RealtimeKitClient.init({ authToken: token(), baseURI: 'http://10.77.0.1:8080', fetch,
			iceServers: given, WebSocket: janus.WebSocket, RTCPeerConnection: FakePeerConnection, mediaDevices: null,
			keepaliveMs: 0, defaults: { audio: false, video: false } });
		assert.deepEqual(m._iceServers, given || [], 'before the join: init\'s, or server.json\'s (none)');
		await m.join();
		await until(() => FakePeerConnection.instances.length > before, 'the subscriber PeerConnection');
		for (const pc of FakePeerConnection.instances.slice(before))
			assert.deepEqual(pc.config.iceServers, given || [mine],
				given ? 'init\'s iceServers win over roomJoined\'s' : 'roomJoined\'s valid RTCIceServer');
		await m.leave();
	}
});

test('join: roomJoined fills self (camelCase permissions), meta and the joined map, then subscribes', async () => {
	const { janus, meeting } = await setup();
	assert.equal(meeting.self.roomState, 'init');
	assert.equal(meeting.self.userId, 'u-self', 'the token names the user before join');
	const seen = [];
	meeting.self.on('roomJoined', () => seen.push(['roomJoined', meeting.self.roomState, meeting.participants.joined.size]));
	await meeting.join();
	assert.equal(janus.protocol, 'janus-protocol');
	assert.equal(janus.url, 'ws://10.77.0.1:8188/');
	assert.deepEqual(seen, [['roomJoined', 'joined', 1]]);
	const s = meeting.self;
	assert.equal(s.id, 'peer-self');
	assert.equal(s.name, 'Self');
	assert.equal(s.presetName, 'group_call_host');
	assert.equal(s.roomJoined, true);
	assert.equal(s.permissions.kickParticipant, true);
	assert.equal(s.permissions.acceptWaitingRequests, true);
	assert.equal(s.permissions.canProduceVideo, 'ALLOWED');
	assert.equal(s.permissions.canRecord, true);
	assert.equal(s.permissions.stageEnabled, false);
	assert.deepEqual(s.permissions.chatPrivate, { canSend: true, canReceive: true, text: true, files: false });
	assert.equal(s.config.maxVideoStreams.desktop, 9);
	assert.equal(meeting.meta.meetingTitle, 'Standup');
	assert.equal(meeting.meta.sessionId, 's1');
	assert.equal(meeting.meta.viewType, 'GROUP_CALL');
	assert.equal(meeting.meta.meetingStartedTimestamp.toISOString(), '2026-11-22T09:00:00.000Z');
	const p = meeting.participants.joined.get('peer-ada');
	assert.equal(p.name, 'Ada');
	assert.equal(p.audioEnabled, true);
	assert.equal(meeting.participants.count, 1);
	assert.deepEqual(meeting.participants.toArray().map((x) => x.id), ['peer-ada'], 'toArray() on participants');
	await until(() => janus.requests('subscribe').length === 1, 'subscribe');
	const join = janus.requests('join')[0];
	const sub = janus.requests('subscribe')[0];
	assert.equal(sub.body.token, join.body.token);
	assert.notEqual(sub.handle_id, join.handle_id, 'subscribe goes on a second handle');
	assert.equal(meeting.stage.status, 'ON_STAGE', 'no stage in the preset: everyone is on stage');
});

test('participant events update the maps and the participant objects, then emit', async () => {
	const { janus, meeting } = await setup();
	await meeting.join();
	const main = janus.requests('join')[0].handle_id;
	const log = [];
	meeting.participants.joined.on('participantJoined', (p) => log.push(['joined', p.id, meeting.participants.joined.has(p.id)]));
	meeting.participants.joined.on('participantLeft', (p) => log.push(['left', p.id, meeting.participants.joined.has(p.id)]));
	meeting.participants.joined.on('videoUpdate', (p, d) => log.push(['map videoUpdate', p.id, d.videoEnabled]));
	janus.push(main, { rtk: 'participantJoined', participant: bob });
	await until(() => meeting.participants.joined.has('peer-bob'), 'bob joined');
	const b = meeting.participants.joined.get('peer-bob');
	b.on('videoUpdate', (d) => log.push(['videoUpdate', b.videoEnabled, d.videoEnabled]));
	b.on('audioUpdate', (d) => log.push(['audioUpdate', d.audioEnabled]));
	janus.push(main, { rtk: 'videoUpdate', participantId: 'peer-bob', videoEnabled: true });
	janus.push(main, { rtk: 'audioUpdate', participantId: 'peer-bob', audioEnabled: true });
	await until(() => b.audioEnabled, 'audio on');
	assert.equal(b.videoEnabled, true);
	janus.push(main, { rtk: 'participantPinned', participantId: 'peer-bob' });
	await until(() => meeting.participants.pinned.has('peer-bob'), 'pinned');
	assert.equal(b.isPinned, true);
	janus.push(main, { rtk: 'activeParticipantsUpdate', active: ['peer-bob'], videoSubscribed: ['peer-bob'], audioSubscribed: ['peer-ada', 'peer-bob'] });
	await until(() => meeting.participants.active.has('peer-bob'), 'active');
	assert.deepEqual(meeting.participants.audioSubscribed.map((p) => p.id), ['peer-ada', 'peer-bob']);
	let speaker;
	meeting.participants.on('activeSpeaker', (d) => { speaker = d; });
	janus.push(main, { rtk: 'activeSpeaker', participantId: 'peer-bob', userId: 'u-bob' });
	await until(() => speaker, 'activeSpeaker');
	assert.equal(meeting.participants.lastActiveSpeaker, 'peer-bob');
	assert.equal(speaker.peerId, 'peer-bob');
	janus.push(main, { rtk: 'videoUpdate', participantId: 'peer-bob', videoEnabled: false });
	await until(() => !b.videoEnabled, 'video off');
	janus.push(main, { rtk: 'participantLeft', participantId: 'peer-bob', userId: 'u-bob' });
	await until(() => !meeting.participants.joined.has('peer-bob'), 'bob left');
	assert.equal(meeting.participants.active.has('peer-bob'), false, 'leaving empties every map');
	assert.equal(meeting.participants.pinned.has('peer-bob'), false);
	assert.deepEqual(log, [
		['joined', 'peer-bob', true],
		['videoUpdate', true, true],
		['map videoUpdate', 'peer-bob', true],
		['audioUpdate', true],
		['videoUpdate', false, false],
		['map videoUpdate', 'peer-bob', false],
		['left', 'peer-bob', false],
	]);
});

test('remote tracks: subscribed/updated offers are answered with start and land on the participants', async () => {
	const { janus, meeting } = await setup();
	await meeting.join();
	await until(() => janus.handles.length === 2, 'subscriber handle');
	const subHandle = janus.handles[1];
	const ada = meeting.participants.joined.get('peer-ada');
	const updates = [];
	ada.on('videoUpdate', (d) => updates.push(d.videoTrack && d.videoTrack.kind));
	janus.push(subHandle, { rtk: 'updated', streams: [
		{ mid: '0', participantId: 'peer-ada', userId: 'u-ada', kind: 'audio', type: 'audio', active: true },
		{ mid: '1', participantId: 'peer-ada', userId: 'u-ada', kind: 'video', type: 'video', active: true },
	] }, fakeOffer([['audio', '0'], ['video', '1']]));
	await until(() => janus.requests('start').length === 1, 'start');
	const start = janus.requests('start')[0];
	assert.equal(start.jsep.type, 'answer');
	assert.equal(start.handle_id, subHandle);
	assert.equal(ada.audioTrack.label, 'remote 0');
	assert.equal(ada.videoTrack.label, 'remote 1');
	assert.deepEqual(updates, ['video']);
	assert.deepEqual(meeting._audio.keys, ['peer-ada:audio'], 'her microphone plays with no application code');
	/* Ada unpublishes: her m-lines go inactive and her tracks are withdrawn. */
	janus.push(subHandle, { rtk: 'updated', streams: [
		{ mid: '0', participantId: 'peer-ada', userId: 'u-ada', kind: 'audio', type: 'audio', active: false },
		{ mid: '1', participantId: 'peer-ada', userId: 'u-ada', kind: 'video', type: 'video', active: false },
	] }, fakeOffer([['audio', '0'], ['video', '1']]));
	await until(() => janus.requests('start').length === 2, 'second start');
	assert.equal(ada.audioTrack, null);
	assert.equal(ada.videoTrack, null);
	assert.deepEqual(updates, ['video', null]);
	assert.deepEqual(meeting._audio.keys, [], 'a withdrawn track stops playing');
});

test('self media: defaults publish in one offer; disable/enable send configure and swap the track', async () => {
	const { janus, meeting } = await setup({ defaults: { audio: true, video: true }, media: true });
	assert.equal(meeting.self.audioEnabled, true, 'pre-call preview per defaults');
	assert.equal(meeting.self.videoTrack.label, 'camera');
	await meeting.join();
	await until(() => janus.requests('publish').length === 1, 'publish');
	const pub = janus.requests('publish')[0];
	assert.equal(pub.jsep.type, 'offer');
	assert.equal(pub.jsep.sdp, 'm=audio 0\nm=video 1');
	const camera = meeting.self.videoTrack;
	const events = [];
	meeting.self.on('videoUpdate', (d) => events.push([d.videoEnabled, d.videoTrack && d.videoTrack.label]));
	await meeting.self.disableVideo();
	assert.equal(meeting.self.videoEnabled, false);
	assert.equal(camera.readyState, 'ended', 'the camera is released');
	assert.deepEqual(janus.requests('configure').map((m) => m.body), [{ request: 'configure', video: false }]);
	await meeting.self.enableVideo();
	assert.equal(meeting.self.videoEnabled, true);
	assert.deepEqual(janus.requests('configure').map((m) => m.body).at(-1), { request: 'configure', video: true });
	assert.equal(janus.requests('publish').length, 1, 'a published kind comes back without renegotiation');
	const pc = FakePeerConnection.instances.find((x) => x.localDescription && x.localDescription.sdp.startsWith('m=audio'));
	assert.equal(pc.transceivers[1].sender.track, meeting.self.videoTrack);
	await meeting.self.enableScreenShare();
	assert.equal(janus.requests('publish').length, 2, 'screenshare is a new m-line: a new offer');
	assert.deepEqual(janus.requests('publish')[1].body.descriptions, [{ mid: '2', type: 'screenshare' }]);
	assert.equal(meeting.self.screenShareEnabled, true);
	assert.deepEqual(events, [[false, null], [true, 'camera']]);
});

test('join: the subscriber offer is answered before self\'s media is published (the first remote frame comes sooner)', async () => {
	/* A browser applies an offer slowly; a publish offer made meanwhile
	 * would queue with it on the signalling thread. */
	class SlowPeerConnection extends FakePeerConnection {
		async setRemoteDescription(d) {
			if (d.type === 'offer')
				await tick(30);
			return super.setRemoteDescription(d);
		}
	}
	const { janus, meeting } = await setup({
		defaults: { audio: true, video: true }, media: true, PeerConnection: SlowPeerConnection,
		subscribed: { data: { rtk: 'subscribed', streams: [
			{ mid: '0', participantId: 'peer-ada', userId: 'u-ada', kind: 'audio', type: 'audio', active: true },
			{ mid: '1', participantId: 'peer-ada', userId: 'u-ada', kind: 'video', type: 'video', active: true },
		] }, jsep: fakeOffer([['audio', '0'], ['video', '1']]) },
	});
	await meeting.join();
	await until(() => janus.requests('publish').length === 1, 'publish');
	const order = janus.requests().map((m) => m.body.request).filter((r) => r === 'start' || r === 'publish');
	assert.deepEqual(order, ['start', 'publish']);
	assert.equal(meeting.participants.joined.get('peer-ada').videoTrack.label, 'remote 1');
});

test('a host turning self\'s audio off stops the microphone and emits audioUpdate', async () => {
	const { janus, meeting } = await setup({ defaults: { audio: true, video: false }, media: true });
	await meeting.join();
	await until(() => janus.requests('publish').length === 1, 'publish');
	const mic = meeting.self.audioTrack;
	let update;
	meeting.self.on('audioUpdate', (d) => { update = d; });
	janus.push(janus.handles[0], { rtk: 'audioUpdate', participantId: 'peer-self', audioEnabled: false, disabledBy: 'peer-ada', canUnmute: false });
	await until(() => update, 'audioUpdate');
	assert.deepEqual(update, { audioEnabled: false, audioTrack: null });
	assert.equal(mic.readyState, 'ended');
	assert.equal(janus.requests('configure').length, 0, 'the server already knows');
});

test('host controls send the protocol requests; a refusal rejects with the server code', async () => {
	const { janus, meeting } = await setup();
	await meeting.join();
	const ada = meeting.participants.joined.get('peer-ada');
	await ada.kick();
	await ada.disableAudio();
	await ada.pin();
	await meeting.participants.joined.acceptWaitingRoomRequest('peer-w');
	await meeting.participants.rejectWaitingRoomRequest('peer-w');
	await meeting.participants.updatePermissions(['peer-ada'], { can_record: true });
	await meeting.stage.grantAccess(['u-ada']);
	assert.deepEqual(janus.requests().map((m) => m.body).filter((b) => !['join', 'subscribe'].includes(b.request)), [
		{ request: 'participant.kick', participantId: 'peer-ada' },
		{ request: 'participant.disableAudio', participantId: 'peer-ada', allowUnmute: true },
		{ request: 'participant.pin', participantId: 'peer-ada' },
		{ request: 'participants.acceptWaitingRoomRequest', id: 'peer-w' },
		{ request: 'participants.rejectWaitingRoomRequest', id: 'peer-w' },
		{ request: 'participants.updatePermissions', participantIds: ['peer-ada'], permissions: { can_record: true } },
		{ request: 'stage.grantAccess', userIds: ['u-ada'] },
	]);
	janus.onMessage = (h, body) => ({ data: { rtk: 'error', request: body.request,
		error: { code: '0902', message: 'the preset does not allow kick_participant' } } });
	await assert.rejects(ada.kick(), (e) => e.code === '0902' && /kick_participant/.test(e.message));
});

test('roomLeft kicked: roomState, the event with its state and reason, maps emptied, handles closed', async () => {
	const { janus, meeting } = await setup();
	await meeting.join();
	let left;
	meeting.self.on('roomLeft', (d) => { left = { ...d, joined: meeting.participants.joined.size }; });
	janus.push(janus.handles[0], { rtk: 'roomLeft', state: 'kicked', reason: 'participant_deleted' });
	await until(() => left, 'roomLeft');
	assert.deepEqual(left, { state: 'kicked', reason: 'participant_deleted', joined: 0 });
	assert.equal(meeting.self.roomState, 'kicked');
	assert.equal(meeting.self.roomJoined, false);
	await until(() => janus.sent.some((m) => m.janus === 'destroy'), 'session destroyed');
	await assert.rejects(meeting.participants.kickAll(), { code: '0003' });
});

test('leave(): the leave request, roomLeft {state: "left"} once', async () => {
	const { janus, meeting } = await setup();
	await meeting.join();
	const states = [];
	meeting.self.on('roomLeft', (d) => states.push(d.state));
	await meeting.leaveRoom();
	assert.equal(janus.requests('leave').length, 1);
	assert.deepEqual(states, ['left']);
	assert.equal(meeting.self.roomState, 'left');
});

test('waiting room: join resolves waitlisted; acceptance brings roomJoined; a host sees the waitlisted map', async () => {
	const waitlisted = { rtk: 'waitlisted', self: { id: 'peer-self', userId: 'u-self', name: 'Self', roomState: 'waitlisted' },
		meeting: { meetingId: 'm1', meetingTitle: 'Standup' } };
	const { janus, meeting } = await setup({ join: waitlisted });
	const events = [];
	meeting.self.on('waitlisted', () => events.push('waitlisted'));
	meeting.self.on('roomJoined', () => events.push('roomJoined'));
	await meeting.join();
	assert.equal(meeting.self.roomState, 'waitlisted');
	assert.equal(meeting.meta.meetingTitle, 'Standup');
	assert.equal(janus.requests('subscribe').length, 0, 'no media while waiting');
	janus.push(janus.handles[0], roomJoined({ waitlisted: [bob] }));
	await until(() => meeting.self.roomState === 'joined', 'accepted');
	assert.deepEqual(events, ['waitlisted', 'roomJoined']);
	assert.equal(meeting.participants.waitlisted.get('peer-bob').name, 'Bob');
	let w;
	meeting.participants.waitlisted.on('participantJoined', (p) => { w = p.name; });
	janus.push(janus.handles[0], { rtk: 'waitlistedParticipantJoined', participant: { ...bob, id: 'peer-carl', name: 'Carl' } });
	await until(() => w, 'waitlisted joined');
	assert.equal(w, 'Carl');
	janus.push(janus.handles[0], { rtk: 'waitlistedParticipantLeft', participantId: 'peer-carl', userId: 'u-carl', state: 'accepted' });
	await until(() => !meeting.participants.waitlisted.has('peer-carl'), 'waitlisted left');
});

test('recording, livestream and stage state follow their events', async () => {
	const { janus, meeting } = await setup();
	await meeting.join();
	const main = janus.handles[0];
	const log = [];
	meeting.recording.on('recordingUpdate', (s) => log.push(['recording', s]));
	meeting.livestream.on('livestreamUpdate', (s) => log.push(['livestream', s]));
	meeting.livestream.on('viewerCountUpdate', (n) => log.push(['viewers', n]));
	meeting.stage.on('stageStatusUpdate', (s) => log.push(['stage', s]));
	janus.push(main, { rtk: 'recordingUpdate', recordingState: 'RECORDING', recordings: [{ id: 'r1', state: 'RECORDING' }] });
	janus.push(main, { rtk: 'livestreamUpdate', status: 'LIVESTREAMING', playbackUrl: 'http://h/hls/x/index.m3u8', viewerCount: 0, id: 'l1' });
	janus.push(main, { rtk: 'viewerCountUpdate', viewerCount: 3 });
	janus.push(main, { rtk: 'stageStatusUpdate', participantId: 'peer-self', userId: 'u-self', stageStatus: 'OFF_STAGE' });
	await until(() => log.length === 4, 'four events');
	assert.deepEqual(log, [['recording', 'RECORDING'], ['livestream', 'LIVESTREAMING'], ['viewers', 3], ['stage', 'OFF_STAGE']]);
	assert.deepEqual(meeting.recording.recordings, [{ id: 'r1', state: 'RECORDING' }]);
	assert.equal(meeting.livestream.playbackUrl, 'http://h/hls/x/index.m3u8');
	assert.equal(meeting.livestream.viewerCount, 3);
	await meeting.recording.start({ allowMultiple: true });
	await meeting.recording.stop('r1');
	await meeting.livestream.stop();
	assert.deepEqual(janus.requests().slice(-3).map((m) => m.body), [
		{ request: 'recording.start', allowMultiple: true },
		{ request: 'recording.stop', id: 'r1' },
		{ request: 'livestream.stop' },
	]);
});

test('namespaces without a server side reject at once, naming the capability; the seeds\' slips work', async () => {
	const { meeting } = await setup();
	await assert.rejects(meeting.chat.sendTextMessage('hi'), (e) => e.code === '0003', 'chat: join first');
	await assert.rejects(meeting.plugins.activate('x'), (e) => e.code === '0003', 'plugins: join first');
	await assert.rejects(meeting.ai.getSummary(), { code: '1801' });
	await assert.rejects(meeting.connectedMeetings.getConnectedMeetings(), { code: '0003' }, 'connectedMeetings: join first');
	assert.equal(meeting.poll, meeting.polls);
	assert.equal(meeting.participant.pip.isSupported, false);
	assert.equal(meeting.isPinned, false);
	assert.deepEqual(meeting.chat.messages, []);
});

test('a dropped socket: roomState disconnected and roomLeft {state: "disconnected"}', async () => {
	const { janus, meeting } = await setup();
	await meeting.join();
	let left;
	meeting.self.on('roomLeft', (d) => { left = d; });
	janus.dropSocket();
	await until(() => left, 'roomLeft');
	assert.deepEqual(left, { state: 'disconnected' });
	assert.equal(meeting.self.roomState, 'disconnected');
});

test('keepalives every keepaliveMs on the session', async () => {
	const janus = new FakeJanus();
	janus.onMessage = (h, body) => (body.request === 'join' ? { data: roomJoined() } : { data: { rtk: 'subscribed', streams: [] } });
	const meeting = await RealtimeKitClient.init({ authToken: token(), baseURI: 'http://h:8080', defaults: { audio: false, video: false },
		WebSocket: janus.WebSocket, RTCPeerConnection: FakePeerConnection, mediaDevices: null, keepaliveMs: 20 });
	await meeting.join();
	await until(() => janus.sent.filter((m) => m.janus === 'keepalive').length >= 2, 'two keepalives');
	assert.ok(janus.sent.filter((m) => m.janus === 'keepalive').every((m) => m.session_id === janus.sessionId));
	await meeting.leave();
	const n = janus.sent.filter((m) => m.janus === 'keepalive').length;
	await tick(80);
	assert.equal(janus.sent.filter((m) => m.janus === 'keepalive').length, n, 'keepalives stop after leave');
});

test('the view: roomJoined carries it, and a pushed viewModeUpdate moves the pages', async () => {
	const { janus, meeting } = await setup({ join: roomJoined({
		view: { viewMode: 'PAGINATED', currentPage: 2, pageCount: 2, maxActiveParticipantsCount: 1 } }) });
	const seen = [];
	meeting.participants.on('pageChanged', (s) => seen.push(['page', s.currentPage, s.pageCount]));
	await meeting.join();
	assert.equal(meeting.participants.viewMode, 'PAGINATED');
	assert.equal(meeting.participants.maxActiveParticipantsCount, 1, 'the page size before any request');
	assert.equal(meeting.participants.pageCount, 2);
	janus.push(janus.handles[0], { rtk: 'viewModeUpdate', viewMode: 'PAGINATED', currentPage: 1, pageCount: 1,
		maxActiveParticipantsCount: 1 });
	await until(() => meeting.participants.pageCount === 1, 'pushed view');
	assert.equal(meeting.participants.currentPage, 1);
	assert.deepEqual(seen.slice(-1), [['page', 1, 1]]);
});

test('setName before join goes with join; after join it is local only', async () => {
	const { janus, meeting } = await setup();
	await meeting.self.setName('Ada L.');
	assert.equal(meeting.self.name, 'Ada L.');
	await meeting.join();
	assert.equal(janus.requests('join')[0].body.name, 'Ada L.', 'join carries the chosen name');
	assert.equal(meeting.self.name, 'Self', 'roomJoined says which name holds');
	await meeting.self.setName('Later');
	assert.equal(meeting.self.name, 'Later');
	await assert.rejects(meeting.self.setName(''), { code: '0001' });
	const other = await setup();
	await other.meeting.join();
	assert.equal('name' in other.janus.requests('join')[0].body, false, 'no setName: no name in join');
});
