/*
 * sdk_plugins.test.mjs - meeting.plugins against the fake Janus
 * (docs/protocol.md, Plugins): all and active from roomJoined, activate /
 * deactivate / sendData / setState / toggleViewMode send their requests,
 * the plugin events update the maps and reach the plugin objects (and
 * the maps re-emit them), deactivateForSelf / activateForSelf are local,
 * and the iframe bridge relays postMessage both ways.
 * Run: node --test tests/sdk/ (Node 20, no packages).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { until } from './fake_janus.mjs';
import { setup, roomJoined } from './helpers.mjs';
import { RTKEventEmitter } from '../../sdk/emitter.js';

const WB = { id: 'p-wb', name: 'Whiteboard', description: 'draw', picture: null, url: '/sdk/plugins/whiteboard/', config: {} };
const NOTES = { id: 'p-notes', name: 'Notes', description: 'write', picture: null, url: '/sdk/plugins/notes/', config: {} };
const ACTIVE_WB = { id: 'p-wb', plugin: WB, activatedBy: 'peer-ada', activatedAt: 1, viewOnlyControl: false,
	state: { 's-1': { points: [1, 2] } } };

const pluginRequests = (janus) => janus.requests().map((m) => m.body).filter((b) => b.request.startsWith('plugins.'));

test('all and active come from roomJoined; activate/deactivate/sendData/setState/toggleViewMode send their requests', async () => {
	const { janus, meeting } = await setup({ join: roomJoined({ pluginsAll: [WB, NOTES], plugins: [ACTIVE_WB] }) });
	assert.deepEqual(meeting.plugins.all.toArray(), []);
	await assert.rejects(meeting.plugins.activate('p-wb'), (e) => e.code === '0003');
	await meeting.join();
	assert.deepEqual(meeting.plugins.all.toArray().map((p) => p.name), ['Whiteboard', 'Notes']);
	assert.deepEqual([...meeting.plugins.active.keys()], ['p-wb']);
	const wb = meeting.plugins.active.get('p-wb');
	assert.equal(wb, meeting.plugins.all.get('p-wb'));
	assert.equal(wb.active, true);
	assert.equal(wb.activatedBy, 'peer-ada');
	assert.deepEqual(wb.state, { 's-1': { points: [1, 2] } });
	const notes = meeting.plugins.all.toArray().find((p) => p.name === 'Notes');
	await notes.activate();
	await wb.sendData({ eventName: 'stroke', data: [1, 2] });
	await wb.setState('s-2', { points: [3] });
	await wb.toggleViewMode(true);
	await wb.deactivate();
	assert.deepEqual(pluginRequests(janus), [
		{ request: 'plugins.activate', pluginId: 'p-notes' },
		{ request: 'plugins.sendData', pluginId: 'p-wb', data: { eventName: 'stroke', data: [1, 2] } },
		{ request: 'plugins.setState', pluginId: 'p-wb', key: 's-2', value: { points: [3] } },
		{ request: 'plugins.toggleViewMode', pluginId: 'p-wb', enabled: true },
		{ request: 'plugins.deactivate', pluginId: 'p-wb' },
	]);
	/* a refusal rejects with the server's code */
	janus.onMessage = (h, body) => ({ data: { rtk: 'error', request: body.request, error: { code: '0604', message: 'view only' } } });
	await assert.rejects(wb.sendData({ x: 1 }), (e) => e.code === '0604');
});

test('events update the maps and reach the plugins; the maps re-emit them; ForSelf is local', async () => {
	const { janus, meeting } = await setup({ join: roomJoined({ pluginsAll: [WB, NOTES], plugins: [] }) });
	await meeting.join();
	const got = [];
	meeting.plugins.active.on('pluginAdded', (p) => got.push(['added', p.id]));
	meeting.plugins.active.on('pluginDeleted', (p) => got.push(['deleted', p.id]));
	meeting.plugins.all.on('stateUpdate', (p, d) => got.push(['state', p.id, d.key, d.value]));
	const notes = meeting.plugins.all.get('p-notes');
	notes.on('enabled', () => got.push(['enabled']));
	notes.on('closed', () => got.push(['closed']));
	notes.on('data', (d) => got.push(['data', d.senderId, d.data]));
	notes.on('toggleViewMode', (canWrite) => got.push(['viewMode', canWrite]));
	const h = janus.handles[0];
	janus.push(h, { rtk: 'pluginActivated', pluginId: 'p-notes', activatedBy: 'peer-ada',
		plugin: { id: 'p-notes', plugin: NOTES, activatedBy: 'peer-ada', activatedAt: 2, viewOnlyControl: false, state: {} } });
	janus.push(h, { rtk: 'pluginStateUpdate', pluginId: 'p-notes', key: 'text', value: 'hello', updatedBy: 'peer-ada' });
	janus.push(h, { rtk: 'pluginData', pluginId: 'p-notes', data: { caret: 3 }, senderId: 'peer-ada' });
	janus.push(h, { rtk: 'pluginViewModeUpdate', pluginId: 'p-notes', viewOnlyControl: true, updatedBy: 'peer-ada' });
	await until(() => got.length >= 5, 'five events');
	assert.deepEqual(got, [['added', 'p-notes'], ['enabled'], ['state', 'p-notes', 'text', 'hello'],
		['data', 'peer-ada', { caret: 3 }], ['viewMode', true]]);
	assert.deepEqual(notes.state, { text: 'hello' });
	got.length = 0;
	await notes.deactivateForSelf();
	assert.equal(meeting.plugins.active.has('p-notes'), false);
	janus.push(h, { rtk: 'pluginData', pluginId: 'p-notes', data: { caret: 4 }, senderId: 'peer-ada' });
	janus.push(h, { rtk: 'pluginStateUpdate', pluginId: 'p-notes', key: 'text', value: 'hello!', updatedBy: 'peer-ada' });
	await until(() => got.some(([n]) => n === 'state'), 'state while hidden');
	await notes.activateForSelf();
	assert.equal(meeting.plugins.active.get('p-notes'), notes);
	assert.deepEqual(notes.state, { text: 'hello!' });
	janus.push(h, { rtk: 'pluginDeactivated', pluginId: 'p-notes', deactivatedBy: 'peer-ada' });
	await until(() => got.filter(([n]) => n === 'deleted').length === 2, 'deactivated');
	assert.deepEqual(got, [['deleted', 'p-notes'], ['closed'], ['state', 'p-notes', 'text', 'hello!'],
		['added', 'p-notes'], ['enabled'], ['deleted', 'p-notes'], ['closed']]);
	assert.deepEqual(notes.state, {});
	assert.equal(notes.active, false);
	assert.equal(meeting.plugins.all.has('p-notes'), true);
});

test('a snapshot (sync) of an active plugin tells the keys that changed meanwhile', async () => {
	const { meeting } = await setup({ join: roomJoined({ pluginsAll: [WB], plugins: [ACTIVE_WB] }) });
	await meeting.join();
	const wb = meeting.plugins.active.get('p-wb');
	const got = [];
	wb.on('stateUpdate', (d) => got.push(d));
	meeting.plugins._reset([{ ...ACTIVE_WB, state: { 's-2': [9] } }], [WB]);
	assert.deepEqual(got, [{ key: 's-1', value: null, updatedBy: null }, { key: 's-2', value: [9], updatedBy: null }]);
	assert.deepEqual(wb.state, { 's-2': [9] });
	assert.equal(meeting.plugins.active.get('p-wb'), wb);
});

/* A stand-in iframe: its window receives what the page posts; the page's
 * window gets `message` events whose source is the iframe's window. */
function fakeIframe() {
	const page = new RTKEventEmitter();
	const pageWindow = {
		addEventListener: (name, fn) => page.on(name, fn),
		removeEventListener: (name, fn) => page.off(name, fn),
	};
	const inbox = [];
	const contentWindow = { postMessage: (msg) => inbox.push(msg) };
	const attrs = {};
	const iframe = {
		ownerDocument: { defaultView: pageWindow }, contentWindow,
		getAttribute: (k) => attrs[k] ?? null,
		set src(v) { attrs.src = v; }, get src() { return attrs.src; },
	};
	const post = (data, source = contentWindow) => page.emit('message', { data, source });
	return { iframe, inbox, post };
}

test('the iframe bridge: init on ready, data and state both ways, only from the iframe', async () => {
	const { janus, meeting } = await setup({ join: roomJoined({ pluginsAll: [WB], plugins: [ACTIVE_WB] }) });
	await meeting.join();
	const wb = meeting.plugins.active.get('p-wb');
	const { iframe, inbox, post } = fakeIframe();
	await wb.addPluginView(iframe);
	assert.equal(iframe.src, 'http://10.77.0.1:8080/sdk/plugins/whiteboard/');
	let ready = false;
	wb.on('ready', () => { ready = true; });
	post({ type: 'rtk:ready' });
	assert.equal(ready, true);
	assert.deepEqual(inbox.shift(), { type: 'rtk:init', pluginId: 'p-wb', self: { id: 'peer-self', name: 'Self' },
		state: { 's-1': { points: [1, 2] } }, canWrite: true });
	post({ type: 'rtk:sendData', data: { stroke: [5, 6] } });
	post({ type: 'rtk:setState', key: 's-2', value: { points: [5, 6] } });
	post({ type: 'rtk:sendData', data: { forged: true } }, { postMessage() {} });   /* another window: ignored */
	await until(() => pluginRequests(janus).length === 2, 'two requests');
	assert.deepEqual(pluginRequests(janus), [
		{ request: 'plugins.sendData', pluginId: 'p-wb', data: { stroke: [5, 6] } },
		{ request: 'plugins.setState', pluginId: 'p-wb', key: 's-2', value: { points: [5, 6] } },
	]);
	const h = janus.handles[0];
	janus.push(h, { rtk: 'pluginData', pluginId: 'p-wb', data: { stroke: [7] }, senderId: 'peer-ada' });
	janus.push(h, { rtk: 'pluginStateUpdate', pluginId: 'p-wb', key: 's-3', value: [7], updatedBy: 'peer-ada' });
	await until(() => inbox.length === 2, 'two messages to the iframe');
	assert.deepEqual(inbox, [{ type: 'rtk:data', data: { stroke: [7] }, senderId: 'peer-ada' },
		{ type: 'rtk:state', key: 's-3', value: [7], updatedBy: 'peer-ada' }]);
	wb.removePluginView();
	post({ type: 'rtk:sendData', data: { late: true } });
	await new Promise((r) => setTimeout(r, 20));
	assert.equal(pluginRequests(janus).length, 2);
});
