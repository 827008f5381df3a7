/*
 * sdk_plugins_live.mjs - meeting.plugins against the real server, run by
 * tests/sdk/test_sdk_plugins.py (tests/sdk/sdk_live.py) (which starts the server and passes
 * RTK_SDK_LIVE: {base, people: {ada, bob, lena: {token, id, name}}}).
 * Not a unit test (run.sh runs *.test.mjs only).
 *
 * SDK clients in Node join the meeting over the Janus WebSocket (no media:
 * Node has no RTCPeerConnection) and use plugins as an application does:
 * plugins.all holds the built-in Whiteboard and Notes; Bob (no can_start)
 * is refused 0902; Ada activates the whiteboard and both see it in
 * plugins.active (pluginAdded, enabled); Ada's sendData reaches Bob's
 * plugin as `data`; Bob (VIEW_ONLY) is refused 0604 until Ada toggles the
 * view mode; Ada's setState reaches both (stateUpdate) and Lena, joining
 * late, finds it in plugin.state; Bob's deactivateForSelf is his alone;
 * Ada's deactivate closes it everywhere.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { join, leaveAll, live, meetings, next } from './live.mjs';

const { people } = live;

const whiteboardOf = (meeting) => meeting.plugins.all.toArray().find((p) => p.name === 'Whiteboard');

test.before(async () => {
	await join('ada');
	await join('bob');
});

test.after(leaveAll);

test('plugins.all holds the built-in plugins; none is active', () => {
	for (const m of [meetings.ada, meetings.bob]) {
		assert.deepEqual(m.plugins.all.toArray().map((p) => p.name), ['Whiteboard', 'Notes']);
		assert.equal(m.plugins.active.size, 0);
		assert.equal(whiteboardOf(m).url, '/sdk/plugins/whiteboard/');
	}
});

test('a participant without plugins.can_start cannot activate (0902)', async () => {
	await assert.rejects(whiteboardOf(meetings.bob).activate(), (e) => e.code === '0902');
	assert.equal(meetings.bob.plugins.active.size, 0);
});

test('the host activates the whiteboard for everyone; data and state reach the others', async () => {
	const { ada, bob } = meetings;
	const added = [ada, bob].map((m) => next(m.plugins.active, 'pluginAdded'));
	const enabled = next(whiteboardOf(bob), 'enabled');
	await whiteboardOf(ada).activate();
	await Promise.all([...added, enabled]);
	const wb = bob.plugins.active.get(whiteboardOf(ada).id);
	assert.equal(wb, whiteboardOf(bob));
	assert.equal(wb.activatedBy, ada.self.id);
	assert.equal(wb.canWrite, false);   /* group_call_participant: VIEW_ONLY */

	const got = next(wb, 'data');
	await whiteboardOf(ada).sendData({ eventName: 'stroke', data: [1, 2, 3, 4] });
	assert.deepEqual(await got, { data: { eventName: 'stroke', data: [1, 2, 3, 4] }, senderId: ada.self.id });

	await assert.rejects(wb.sendData({ x: 1 }), (e) => e.code === '0604');
	const toggled = next(wb, 'toggleViewMode');
	await whiteboardOf(ada).toggleViewMode(true);
	assert.equal(await toggled, true);
	assert.equal(wb.canWrite, true);
	const back = next(whiteboardOf(ada), 'data');
	await wb.sendData({ eventName: 'stroke', data: [5, 6] });
	assert.equal((await back).senderId, bob.self.id);

	const both = [ada, bob].map((m) => next(whiteboardOf(m), 'stateUpdate', (d) => d.key === 's:1'));
	const mapped = next(bob.plugins.all, 'stateUpdate');   /* the map re-emits: (plugin, update) */
	await whiteboardOf(ada).setState('s:1', { p: [1, 2, 3, 4] });
	for (const update of await Promise.all(both))
		assert.deepEqual(update, { key: 's:1', value: { p: [1, 2, 3, 4] }, updatedBy: ada.self.id });
	assert.equal((await mapped)[0], wb);
	assert.deepEqual(wb.state, { 's:1': { p: [1, 2, 3, 4] } });
	await assert.rejects(whiteboardOf(ada).setState('k'.repeat(129), 1), (e) => e.code === '0606');
});

test('a late joiner finds the active plugin and its state', async () => {
	const lena = await join('lena');
	const wb = whiteboardOf(lena);
	assert.equal(lena.plugins.active.get(wb.id), wb);
	assert.deepEqual(wb.state, { 's:1': { p: [1, 2, 3, 4] } });
});

test('deactivateForSelf is local; deactivate closes it for everyone', async () => {
	const { ada, bob, lena } = meetings;
	const wb = whiteboardOf(bob);
	await wb.deactivateForSelf();
	assert.equal(bob.plugins.active.has(wb.id), false);
	assert.equal(ada.plugins.active.has(wb.id), true);
	await wb.activateForSelf();
	assert.equal(bob.plugins.active.get(wb.id), wb);
	const closed = [ada, bob, lena].map((m) => next(whiteboardOf(m), 'closed'));
	await whiteboardOf(ada).deactivate();
	await Promise.all(closed);
	for (const m of [ada, bob, lena])
		assert.equal(m.plugins.active.size, 0);
	await assert.rejects(whiteboardOf(ada).sendData({ x: 1 }), (e) => e.code === '0603');
});
