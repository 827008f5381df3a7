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
import { setup, roomJoined, pluginAnswers } from './helpers.mjs';

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
