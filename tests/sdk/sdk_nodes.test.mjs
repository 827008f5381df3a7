/*
 * sdk_nodes.test.mjs - meeting.join() with several nodes (docs/protocol.md,
 * join error 0806; sdk/meeting.js): a join refused with 0806 closes its
 * Janus session and joins once more at error.janusUrl, where it is in the
 * meeting; a second 0806 fails the join with that code, after exactly two
 * joins; a 0806 without a usable janusUrl fails as it came.
 * Run: node --test tests/sdk/ (Node 20, no packages).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { setup, roomJoined, pluginAnswers, ada, bob } from './helpers.mjs';
import { until } from './fake_janus.mjs';

const NODE_A = 'ws://10.77.0.2:8188/';

/* Answers a join on a socket whose URL is not `servedAt` with 0806 and `janusUrl`. */
function nodeAnswers(janus, servedAt, janusUrl) {
	const answers = pluginAnswers(roomJoined());
	const joinedAt = [];
	janus.onMessage = (h, body, jsep) => {
		if (body.request === 'join') {
			joinedAt.push(janus.socket.url);
			if (janus.socket.url !== servedAt)
				return { data: { rtk: 'error', request: 'join', error: { code: '0806',
					message: 'the meeting runs on another node: join again at janusUrl', janusUrl } } };
		}
		return answers(h, body, jsep);
	};
	return joinedAt;
}

test('a join sent to another node (0806) is made again at its janusUrl, once', async () => {
	const { janus, meeting } = await setup();
	const joinedAt = nodeAnswers(janus, NODE_A, NODE_A);
	await meeting.join();
	assert.deepEqual(joinedAt, ['ws://10.77.0.1:8188/', NODE_A]);
	assert.equal(meeting.self.roomState, 'joined');
	assert.equal(meeting.meta.sessionId, 's1');
	assert.equal(janus.sent.filter((m) => m.janus === 'destroy').length, 1, 'the first Janus session is destroyed');
	assert.equal(janus.sent.filter((m) => m.janus === 'create').length, 2);
	/* requests go to the node it joined at */
	await meeting.self.setName('Selfie').catch(() => {});
	assert.equal(janus.socket.url, NODE_A);
	await meeting.leave();
});

test('a second 0806 fails the join: no loop of redirects', async () => {
	const { janus, meeting } = await setup();
	const joinedAt = nodeAnswers(janus, 'ws://nowhere/', NODE_A);
	await assert.rejects(meeting.join(), (e) => e.code === '0806' && e.janusUrl === NODE_A);
	assert.deepEqual(joinedAt, ['ws://10.77.0.1:8188/', NODE_A]);
	assert.notEqual(meeting.self.roomState, 'joined');
	assert.equal(janus.sent.filter((m) => m.janus === 'destroy').length, 2, 'both Janus sessions are destroyed');
});

test('a 0806 without a ws(s) janusUrl fails the join as it came', async () => {
	const { janus, meeting } = await setup();
	const joinedAt = nodeAnswers(janus, NODE_A, '');
	await assert.rejects(meeting.join(), (e) => e.code === '0806' && e.janusUrl === '');
	assert.deepEqual(joinedAt, ['ws://10.77.0.1:8188/']);
});

/*
 * A webinar viewer on a cascade edge (docs/protocol.md, 0807): the edge
 * answers stage.requestAccess with 0807 and the owner's janusUrl; the SDK
 * leaves the edge, joins there with "origin": true and asks again. The app
 * sees no roomLeft and no second roomJoined; its participants map keeps the
 * owner's participants (the edge's own viewers leave it), self's id is the
 * new presence's, and the stage status ends REQUESTED_TO_JOIN_STAGE.
 */
const EDGE = 'ws://10.77.0.1:8188/';
const VIEWER_PERMISSIONS = { stage_enabled: true, stage_access: 'CAN_REQUEST', show_participant_list: true,
	media: { audio: { can_produce: 'CAN_REQUEST' }, video: { can_produce: 'CAN_REQUEST' },
		screenshare: { can_produce: 'NOT_ALLOWED' } } };
const presenter = { ...ada, id: 'peer-presenter', presetName: 'webinar_presenter', videoEnabled: true };
const edgeViewer = { ...bob, id: 'peer-edge-viewer', stageStatus: 'OFF_STAGE', presetName: 'webinar_viewer' };

function viewerJoined(selfId, participants) {
	const joined = roomJoined({ participants });
	joined.self = { ...joined.self, id: selfId, presetName: 'webinar_viewer', permissions: VIEWER_PERMISSIONS,
		stageStatus: 'OFF_STAGE' };
	return joined;
}

const OWNER_TURN = { urls: 'turn:10.77.0.2:3478', username: '1900000000:u-self', credential: 'minted-by-a' };

function cascadeAnswers(janus, { ownerRefuses = false } = {}) {
	const log = [];
	janus.onMessage = (h, body) => {
		const at = janus.socket.url;
		log.push([at === EDGE ? 'edge' : 'owner', body.request, body.origin]);
		if (at === EDGE) {
			if (body.request === 'join')
				return { data: viewerJoined('peer-self-edge', [presenter, edgeViewer]) };
			if (body.request === 'stage.requestAccess')
				return { data: { rtk: 'error', request: body.request, error: { code: '0807',
					message: 'the stage is on the meeting\'s node', janusUrl: NODE_A } } };
			return pluginAnswers(null)(h, body);
		}
		if (body.request === 'join' && ownerRefuses)
			return { data: { rtk: 'error', request: 'join', error: { code: '0802', message: 'meeting is INACTIVE' } } };
		if (body.request === 'join')
			return { data: { ...viewerJoined('peer-self-owner', [presenter]), iceServers: [OWNER_TURN] } };
		if (body.request === 'stage.requestAccess')
			return { data: { rtk: 'ok', request: body.request }, then: [{ data: { rtk: 'stageStatusUpdate',
				participantId: 'peer-self-owner', userId: 'u-self', status: 'REQUESTED_TO_JOIN_STAGE',
				stageStatus: 'REQUESTED_TO_JOIN_STAGE' } }] };
		return pluginAnswers(null)(h, body);
	};
	return log;
}

test('a stage request answered 0807 on an edge moves the participant to the owner, unseen by the app', async () => {
	const { janus, meeting } = await setup();
	const log = cascadeAnswers(janus);
	const seen = [];
	for (const name of ['roomLeft', 'roomJoined'])
		meeting.self.on(name, (p) => seen.push([name, p]));
	meeting.participants.joined.on('participantLeft', (p) => seen.push(['participantLeft', p.id]));
	meeting.stage.on('stageStatusUpdate', (s) => seen.push(['stageStatusUpdate', s]));
	await meeting.join();
	assert.equal(meeting.self.id, 'peer-self-edge');
	seen.length = 0;
	const joinedMap = meeting.participants.joined;
	const presenterObject = joinedMap.get('peer-presenter');
	await meeting.stage.requestAccess();
	await until(() => meeting.stage.status === 'REQUESTED_TO_JOIN_STAGE', 'the stage status on the owner');
	assert.deepEqual(log.map((l) => l.slice(0, 2)), [
		['edge', 'join'], ['edge', 'subscribe'], ['edge', 'stage.requestAccess'], ['edge', 'leave'],
		['owner', 'join'], ['owner', 'subscribe'], ['owner', 'stage.requestAccess'],
	]);
	assert.equal(log[4][2], true, 'the join on the owner carries "origin": true');
	assert.equal(log[0][2], undefined, 'the first join carries no "origin"');
	assert.equal(janus.socket.url, NODE_A);
	assert.equal(meeting.self.roomState, 'joined');
	assert.equal(meeting.self.id, 'peer-self-owner');
	assert.equal(meeting.participants.joined, joinedMap, 'the same participants map');
	assert.equal(joinedMap.get('peer-presenter'), presenterObject, 'the same presenter object');
	assert.equal(joinedMap.get('peer-edge-viewer'), undefined, 'the edge\'s own viewer is not on the owner');
	assert.deepEqual(seen, [['participantLeft', 'peer-edge-viewer'], ['stageStatusUpdate', 'REQUESTED_TO_JOIN_STAGE']],
		'no roomLeft, no roomJoined: only what changed');
	assert.equal(janus.sent.filter((m) => m.janus === 'destroy').length, 1, 'the edge\'s Janus session is destroyed');
	assert.deepEqual(meeting._iceServers, [OWNER_TURN], 'the ICE servers of the owner\'s roomJoined');
	await meeting.leave();
});

test('requests made during the move wait for it and go to the owner', async () => {
	const { janus, meeting } = await setup();
	const log = cascadeAnswers(janus);
	await meeting.join();
	const move = meeting.stage.requestAccess();
	await until(() => log.some((l) => l[0] === 'edge' && l[1] === 'leave'), 'the move started');
	const during = meeting.chat.sendTextMessage('hello').catch((e) => e);
	await move;
	await during;
	const chat = log.filter((l) => l[1] === 'chat.sendMessage' || l[1] === 'chat.sendTextMessage');
	assert.ok(chat.length >= 1 && chat.every((l) => l[0] === 'owner'), `chat went to ${JSON.stringify(log)}`);
	await meeting.leave();
});

test('a move whose join on the owner fails ends the meeting as a lost session (roomLeft failed)', async () => {
	const { janus, meeting } = await setup();
	cascadeAnswers(janus, { ownerRefuses: true });
	const left = [];
	meeting.self.on('roomLeft', (p) => left.push(p));
	await meeting.join();
	await assert.rejects(meeting.stage.requestAccess(), (e) => e.code === '0802');
	assert.deepEqual(left, [{ state: 'failed' }]);
	assert.equal(meeting.self.roomState, 'failed');
});
