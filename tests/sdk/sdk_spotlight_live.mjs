/*
 * sdk_spotlight_live.mjs - meeting.meta's spotlight against the real
 * server, run by tests/sdk/test_sdk_spotlight.py (tests/sdk/sdk_live.py) (which starts the server
 * and passes RTK_SDK_LIVE: {base, people: {ada, bob, vera, lena:
 * {token, id, name}}}). Not a unit test (run.sh runs *.test.mjs only).
 *
 * SDK clients in Node join the meeting over the Janus WebSocket (no media:
 * Node has no RTCPeerConnection) and use the spotlight as an application
 * does: Bob (no can_spotlight) is refused with 0902; Ada (a host) sets a
 * tab and turns broadcasting on, and Bob's and Vera's meta.selfActiveTab
 * follow it with activeTabUpdate, then her next tab; a bad tab rejects with
 * 0001; Lena, joining late, starts on Ada's tab; Ada leaving ends the
 * spotlight for the others (spotlightEnded "left").
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { join, leaveAll, live, meetings, next } from './live.mjs';

const { people } = live;

test.before(async () => {
	await join('ada');
	await join('bob');
	await join('vera');
});

test.after(leaveAll);

test('a participant without can_spotlight cannot broadcast its tabs (0902)', async () => {
	const { bob } = meetings;
	await assert.rejects(bob.meta.setBroadcastTabChanges(true), (e) => e.code === '0902');
	assert.equal(bob.meta.broadcastTabChanges, false);
	await bob.meta.setSelfActiveTab({ type: 'plugin', id: 'notes' });   /* its own tab: fine */
	assert.deepEqual(bob.meta.selfActiveTab, { type: 'plugin', id: 'notes' });
});

test('the host\'s tabs are followed by the others once it broadcasts', async () => {
	const { ada, bob, vera } = meetings;
	const whiteboard = { type: 'plugin', id: 'whiteboard' };
	await ada.meta.setSelfActiveTab(whiteboard);
	const followed = [bob, vera].map((m) => next(m.meta, 'activeTabUpdate'));
	await ada.meta.setBroadcastTabChanges(true);
	assert.equal(ada.meta.broadcastTabChanges, true);
	for (const update of await Promise.all(followed))
		assert.deepEqual(update, { tab: whiteboard, participantId: ada.self.id });
	assert.deepEqual(bob.meta.selfActiveTab, whiteboard);
	assert.deepEqual(vera.meta.selfActiveTab, whiteboard);

	const screen = { type: 'screenshare', id: ada.self.id };
	const again = [bob, vera].map((m) => next(m.meta, 'activeTabUpdate', (d) => d.tab.type === 'screenshare'));
	await ada.meta.setSelfActiveTab(screen);
	await Promise.all(again);
	assert.deepEqual(bob.meta.selfActiveTab, screen);
	assert.deepEqual(vera.meta.selfActiveTab, screen);
	await assert.rejects(ada.meta.setSelfActiveTab({ type: '' }), (e) => e.code === '0001');
	assert.deepEqual(ada.meta.selfActiveTab, screen);
});

test('a late joiner starts on the spotlighter\'s tab; the spotlighter leaving ends it', async () => {
	const { ada, bob, vera } = meetings;
	const lena = await join('lena');
	assert.deepEqual(lena.meta.selfActiveTab, { type: 'screenshare', id: ada.self.id });
	assert.equal(lena.meta.broadcastTabChanges, false);
	const ended = [bob, vera, lena].map((m) => next(m.meta, 'spotlightEnded'));
	const adaId = ada.self.id;
	await ada.leave();
	delete meetings.ada;
	for (const d of await Promise.all(ended))
		assert.deepEqual(d, { participantId: adaId, reason: 'left' });
	assert.deepEqual(lena.meta.selfActiveTab, { type: 'screenshare', id: adaId }, 'the tab stays');
});
