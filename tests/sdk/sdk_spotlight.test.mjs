/*
 * sdk_spotlight.test.mjs - meeting.meta's spotlight against the fake Janus
 * (docs/protocol.md, Spotlight): setBroadcastTabChanges/setSelfActiveTab
 * send their requests and follow the replies, a follower's selfActiveTab
 * follows activeTabUpdate (with its events), spotlightEnded and
 * broadcastTabChangesUpdate reach the application, and roomJoined's
 * spotlight is the snapshot a late joiner starts from.
 * Run: node --test tests/sdk/ (Node 20, no packages).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { until } from './fake_janus.mjs';
import { setup, roomJoined } from './helpers.mjs';

const metaRequests = (janus) => janus.requests().map((m) => m.body).filter((b) => b.request.startsWith('meta.'));

/* Records meta's events as [name, payload]. */
function listen(meta) {
	const got = [];
	for (const name of ['metaUpdate', 'activeTabUpdate', 'spotlightEnded', 'broadcastTabChangesUpdate'])
		meta.on(name, (d) => got.push([name, name === 'metaUpdate' ? null : d]));
	return got;
}

test('setBroadcastTabChanges and setSelfActiveTab send the requests and follow the replies', async () => {
	const { janus, meeting } = await setup();
	await assert.rejects(meeting.meta.setBroadcastTabChanges(true), (e) => e.code === '0003');
	await meeting.join();
	assert.equal(meeting.meta.broadcastTabChanges, false);
	assert.equal(meeting.meta.selfActiveTab, null);
	const got = listen(meeting.meta);
	await meeting.meta.setSelfActiveTab({ type: 'plugin', id: 'whiteboard' });
	await meeting.meta.setBroadcastTabChanges(true);
	await meeting.meta.setSelfActiveTab({ type: 'screenshare' });
	assert.deepEqual(metaRequests(janus), [
		{ request: 'meta.setSelfActiveTab', tab: { type: 'plugin', id: 'whiteboard' } },
		{ request: 'meta.setBroadcastTabChanges', enabled: true },
		{ request: 'meta.setSelfActiveTab', tab: { type: 'screenshare', id: null } },
	]);
	assert.equal(meeting.meta.broadcastTabChanges, true);
	assert.deepEqual(meeting.meta.selfActiveTab, { type: 'screenshare', id: null });
	assert.deepEqual(got.map(([n]) => n), ['metaUpdate', 'metaUpdate', 'metaUpdate']);

	/* refusals reject with the server's code and change nothing */
	janus.onMessage = (h, body) => ({ data: { rtk: 'error', request: body.request,
		error: { code: body.request === 'meta.setBroadcastTabChanges' ? '0902' : '0001', message: 'no' } } });
	await assert.rejects(meeting.meta.setBroadcastTabChanges(false), (e) => e.code === '0902');
	await assert.rejects(meeting.meta.setSelfActiveTab({ type: '' }), (e) => e.code === '0001');
	assert.equal(meeting.meta.broadcastTabChanges, true);
	assert.deepEqual(meeting.meta.selfActiveTab, { type: 'screenshare', id: null });

	/* replaced by another spotlighter: told, broadcasting off */
	janus.push(janus.handles[0], { rtk: 'broadcastTabChangesUpdate', broadcastTabChanges: false, reason: 'replaced',
		participantId: 'peer-ada' });
	await until(() => got.some(([n]) => n === 'broadcastTabChangesUpdate'), 'broadcastTabChangesUpdate');
	assert.equal(meeting.meta.broadcastTabChanges, false);
	assert.deepEqual(got.find(([n]) => n === 'broadcastTabChangesUpdate')[1],
		{ broadcastTabChanges: false, reason: 'replaced', participantId: 'peer-ada' });
});

test('a follower\'s selfActiveTab follows activeTabUpdate; spotlightEnded is emitted and the tab stays', async () => {
	const { janus, meeting } = await setup();
	await meeting.join();
	const got = listen(meeting.meta);
	janus.push(janus.handles[0], { rtk: 'activeTabUpdate', tab: { type: 'plugin', id: 'p1' }, participantId: 'peer-ada' });
	await until(() => got.length >= 2, 'activeTabUpdate');
	assert.deepEqual(meeting.meta.selfActiveTab, { type: 'plugin', id: 'p1' });
	assert.deepEqual(got, [['activeTabUpdate', { tab: { type: 'plugin', id: 'p1' }, participantId: 'peer-ada' }],
		['metaUpdate', null]]);
	assert.ok(meeting.participants.joined.get('peer-ada'), 'the event is not taken for a participant event');
	janus.push(janus.handles[0], { rtk: 'spotlightEnded', participantId: 'peer-ada', reason: 'left' });
	await until(() => got.length >= 3, 'spotlightEnded');
	assert.deepEqual(got[2], ['spotlightEnded', { participantId: 'peer-ada', reason: 'left' }]);
	assert.deepEqual(meeting.meta.selfActiveTab, { type: 'plugin', id: 'p1' });
});

test('roomJoined\'s spotlight: a late joiner follows the tab; the spotlighter itself broadcasts', async () => {
	const spotlight = { participantId: 'peer-ada', tab: { type: 'screenshare', id: 'peer-ada' } };
	let { meeting } = await setup({ join: roomJoined({ spotlight }) });
	const got = listen(meeting.meta);
	await meeting.join();
	assert.deepEqual(meeting.meta.selfActiveTab, spotlight.tab);
	assert.equal(meeting.meta.broadcastTabChanges, false);
	assert.deepEqual(got.filter(([n]) => n === 'activeTabUpdate'), [['activeTabUpdate', spotlight]]);

	({ meeting } = await setup({ join: roomJoined({ spotlight: { participantId: 'peer-self', tab: null } }) }));
	await meeting.join();
	assert.equal(meeting.meta.broadcastTabChanges, true);
	assert.equal(meeting.meta.selfActiveTab, null);

	({ meeting } = await setup({ join: roomJoined({ spotlight: null }) }));
	await meeting.join();
	assert.equal(meeting.meta.broadcastTabChanges, false);
	assert.equal(meeting.meta.selfActiveTab, null);
});
