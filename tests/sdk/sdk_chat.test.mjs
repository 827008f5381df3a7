/*
 * sdk_chat.test.mjs - meeting.chat's state handling (sdk/chat.js) against
 * the fake Janus: roomJoined's and sync's chat snapshot, the chat events,
 * the reply and the event of one change applied once, the requests each
 * method sends, the upload before an image or file message (a fake fetch:
 * no network), and what the SDK refuses by itself. The same API against
 * the real server: tests/sdk/test_sdk_chat.py.
 * Run: node --test tests/sdk/ (Node 20, no packages).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { until, tick } from './fake_janus.mjs';
import { setup, roomJoined, pluginAnswers, token, HOST_PERMISSIONS } from './helpers.mjs';

const T0 = Date.parse('2026-12-06T22:30:00.000Z');

function msg(id, text, extra = {}) {
	const timeMs = extra.timeMs ?? T0 + Number(id.replace(/\D/g, '')) * 1000;
	return { id, type: 'text', message: text, userId: 'u-ada', displayName: 'Ada', time: new Date(timeMs).toISOString(),
		timeMs, isEdited: false, pinned: false, ...extra };
}

const chatRequests = (janus) => janus.requests().map((m) => m.body).filter((b) => b.request.startsWith('chat.'));

/* A meeting whose chat requests `answer(body)` answers; `events(body)`
 * are pushed before the reply (the server tells everyone, then replies). */
async function chatMeeting({ chat, answer, events, options, permissions } = {}) {
	const self = roomJoined().self;
	const join = roomJoined({ chat: chat || { messages: [], pinned: [], channels: [] },
		self: { ...self, permissions: permissions || HOST_PERMISSIONS } });
	const fixture = await setup({ join, options });
	const base = pluginAnswers(join);
	fixture.janus.onMessage = (h, body, jsep) => {
		if (!body.request.startsWith('chat.') && body.request !== 'sync')
			return base(h, body, jsep);
		for (const ev of (events && events(body)) || [])
			fixture.janus.push(h, ev);
		return { data: answer ? answer(body) : { rtk: 'ok', request: body.request } };
	};
	await fixture.meeting.join();
	return fixture;
}

test('roomJoined\'s chat fills messages (time as a Date, time order), pinned and channels; socketJoined', async () => {
	const { meeting } = await chatMeeting({ chat: {
		messages: [msg('m2', 'second'), msg('m1', 'first')],
		pinned: [msg('m1', 'first', { pinned: true })],
		channels: [{ id: 'c1', displayName: 'ops', memberIds: ['u-self', 'u-ada'], latestMessage: null, unreadCount: 0 }],
	} });
	const chat = meeting.chat;
	assert.equal(chat.socketJoined, true);
	assert.deepEqual(chat.messages.map((m) => m.id), ['m1', 'm2']);
	assert.ok(chat.messages[0].time instanceof Date);
	assert.equal(chat.messages[0].time.getTime(), T0 + 1000);
	assert.equal(chat.messages[0].timeMs, T0 + 1000);
	assert.deepEqual(chat.pinned.map((m) => m.id), ['m1']);
	assert.deepEqual(chat.channels.map((c) => c.displayName), ['ops']);
	assert.deepEqual(chat.getMessagesByUser('u-ada').map((m) => m.id), ['m1', 'm2']);
	assert.deepEqual(chat.getMessagesByType('image'), []);
	await meeting.leave();
	assert.equal(chat.socketJoined, false);
});

test('chatUpdate add/edit/delete keep messages in order and emit {message, messages}', async () => {
	const { janus, meeting } = await chatMeeting({ chat: { messages: [msg('m1', 'one'), msg('m3', 'three')] } });
	const got = [];
	meeting.chat.on('chatUpdate', (d) => got.push(d));
	janus.push(janus.handles[0], { rtk: 'chatUpdate', action: 'add', message: msg('m2', 'two') });
	await until(() => got.length === 1, 'add');
	assert.deepEqual(meeting.chat.messages.map((m) => m.message), ['one', 'two', 'three']);
	assert.equal(got[0].message.id, 'm2');
	assert.equal(got[0].messages, meeting.chat.messages);
	janus.push(janus.handles[0], { rtk: 'chatUpdate', action: 'edit', message: msg('m2', 'two!', { isEdited: true }) });
	await until(() => got.length === 2, 'edit');
	assert.equal(meeting.chat.messages[1].message, 'two!');
	assert.equal(meeting.chat.messages[1].isEdited, true);
	assert.equal(meeting.chat.messages.length, 3);
	janus.push(janus.handles[0], { rtk: 'chatUpdate', action: 'delete', messageId: 'm1' });
	await until(() => got.length === 3, 'delete');
	assert.deepEqual(meeting.chat.messages.map((m) => m.id), ['m2', 'm3']);
	assert.equal(got[2].message.id, 'm1');
	assert.equal(got[2].action, 'delete');
	janus.push(janus.handles[0], { rtk: 'chatUpdate', action: 'delete', messageId: 'nope' });
	await tick(20);
	assert.equal(got.length, 3, 'an unknown message\'s delete changes nothing');
});

test('the sender\'s reply and event are one chatUpdate, whichever comes first', async () => {
	const sent = msg('m7', 'hello', { userId: 'u-self', displayName: 'Self' });
	let eventFirst = true;
	const { janus, meeting } = await chatMeeting({
		answer: (b) => ({ rtk: 'ok', request: b.request, message: sent }),
		events: () => (eventFirst ? [{ rtk: 'chatUpdate', action: 'add', message: sent }] : []),
	});
	const got = [];
	meeting.chat.on('chatUpdate', (d) => got.push(d.message.id));
	const m = await meeting.chat.sendTextMessage('hello');
	assert.equal(m.id, 'm7');
	assert.ok(m.time instanceof Date);
	await tick(20);
	assert.deepEqual(got, ['m7']);
	assert.deepEqual(meeting.chat.messages.map((x) => x.id), ['m7']);
	/* the reply first, the event after it */
	eventFirst = false;
	const second = msg('m8', 'again', { userId: 'u-self' });
	janus.onMessage = (h, body) => {
		setTimeout(() => janus.push(h, { rtk: 'chatUpdate', action: 'add', message: second }), 10);
		return { data: { rtk: 'ok', request: body.request, message: second } };
	};
	await meeting.chat.sendTextMessage('again');
	await tick(40);
	assert.deepEqual(got, ['m7', 'm8']);
	assert.deepEqual(chatRequests(janus), [
		{ request: 'chat.sendMessage', message: { type: 'text', message: 'hello' } },
		{ request: 'chat.sendMessage', message: { type: 'text', message: 'again' } },
	]);
});

test('requests: private send, edit, delete, pin/unpin, getMessages, searchMessages, channels', async () => {
	const m1 = msg('m1', 'one', { userId: 'u-self' });
	const { janus, meeting } = await chatMeeting({
		chat: { messages: [m1] },
		answer: (b) => {
			switch (b.request) {
			case 'chat.sendMessage':
				return { rtk: 'ok', request: b.request, message: msg('m2', 'psst', { userId: 'u-self', targetUserIds: ['u-ada'] }) };
			case 'chat.editMessage':
				return { rtk: 'ok', request: b.request, message: { ...m1, message: 'uno', isEdited: true } };
			case 'chat.deleteMessage':
				return { rtk: 'ok', request: b.request, messageId: b.messageId };
			case 'chat.pin':
			case 'chat.unpin':
				return { rtk: 'ok', request: b.request, message: { ...m1, message: 'uno', isEdited: true, pinned: b.request === 'chat.pin' } };
			case 'chat.getMessages':
				return { rtk: 'ok', request: b.request, messages: [msg('m0', 'zero')], next: true };
			case 'chat.searchMessages':
				return { rtk: 'ok', request: b.request, messages: [m1] };
			case 'chat.createChannel':
			case 'chat.updateChannel':
				return { rtk: 'ok', request: b.request, channel: { id: 'c1', displayName: b.name || 'ops', memberIds: ['u-self', 'u-ada'], unreadCount: 0 } };
			case 'chat.getChannelMembers':
				return { rtk: 'ok', request: b.request, members: [{ id: 'peer-ada', userId: 'u-ada' }] };
			default:
				return { rtk: 'ok', request: b.request, channel: { id: 'c1', displayName: 'ops', memberIds: ['u-self'], unreadCount: 0 } };
			}
		},
	});
	const chat = meeting.chat;
	const pins = [];
	chat.on('pinMessage', (d) => pins.push(['pin', d.message.id]));
	chat.on('unpinMessage', (d) => pins.push(['unpin', d.message.id]));
	await chat.sendTextMessage('psst', ['u-ada']);
	await chat.editTextMessage('m1', 'uno');
	assert.equal(chat.messages[0].message, 'uno');
	await chat.pin('m1');
	assert.deepEqual(chat.pinned.map((m) => m.id), ['m1']);
	assert.equal(chat.messages[0].pinned, true);
	await chat.unpin(chat.messages[0]);
	assert.deepEqual(chat.pinned, []);
	assert.deepEqual(pins, [['pin', 'm1'], ['unpin', 'm1']]);
	const page = await chat.getMessages(new Date(T0), 10, true, 5);
	assert.equal(page.next, true);
	assert.ok(page.messages[0].time instanceof Date);
	const found = await chat.searchMessages('un', { limit: 3 });
	assert.deepEqual(found.map((m) => m.id), ['m1']);
	const c = await chat.createChannel('ops', ['u-ada'], { visibility: 'private' });
	assert.equal(c.id, 'c1');
	await chat.updateChannel('c1', { name: 'ops2', memberIds: ['u-ada'] });
	assert.deepEqual(chat.channels.map((x) => x.displayName), ['ops2']);
	assert.deepEqual(await chat.getChannelMembers('c1'), [{ id: 'peer-ada', userId: 'u-ada' }]);
	await chat.sendMessageToChannel({ type: 'text', message: 'hi ops' }, 'c1');
	await chat.markLastReadMessage('c1', { id: 'm9' });
	await chat.deleteMessage('m1');
	assert.deepEqual(chat.messages.map((m) => m.id), ['m2']);
	assert.deepEqual(chatRequests(janus), [
		{ request: 'chat.sendMessage', message: { type: 'text', message: 'psst' }, participantIds: ['u-ada'] },
		{ request: 'chat.editMessage', messageId: 'm1', message: { type: 'text', message: 'uno' } },
		{ request: 'chat.pin', messageId: 'm1' },
		{ request: 'chat.unpin', messageId: 'm1' },
		{ request: 'chat.getMessages', reversed: true, offset: 5, timestamp: T0, size: 10 },
		{ request: 'chat.searchMessages', query: 'un', limit: 3 },
		{ request: 'chat.createChannel', name: 'ops', memberIds: ['u-ada'], visibility: 'private' },
		{ request: 'chat.updateChannel', channelId: 'c1', name: 'ops2', memberIds: ['u-ada'] },
		{ request: 'chat.getChannelMembers', channelId: 'c1' },
		{ request: 'chat.sendMessage', message: { type: 'text', message: 'hi ops' }, channelId: 'c1' },
		{ request: 'chat.markLastReadMessage', channelId: 'c1', messageId: 'm9' },
		{ request: 'chat.deleteMessage', messageId: 'm1' },
	]);
});

test('channels: channelCreate adds, channelUpdate without self removes; channel messages stay out of messages', async () => {
	const { janus, meeting } = await chatMeeting();
	const chat = meeting.chat;
	const seen = [];
	chat.on('channelCreate', (d) => seen.push(['create', d.channel.id]));
	chat.on('channelUpdate', (d) => seen.push(['update', d.channel.id]));
	const updates = [];
	chat.on('chatUpdate', (d) => updates.push(d.message.id));
	janus.push(janus.handles[0], { rtk: 'channelCreate', channel: { id: 'c1', displayName: 'ops', memberIds: ['u-ada', 'u-self'], unreadCount: 0, latestMessage: null } });
	await until(() => chat.channels.length === 1, 'channel');
	janus.push(janus.handles[0], { rtk: 'chatUpdate', action: 'add', message: msg('m4', 'in ops', { channelId: 'c1' }) });
	await until(() => updates.length === 1, 'channel message');
	assert.deepEqual(chat.messages, []);
	assert.equal(chat.channels[0].latestMessage.id, 'm4');
	assert.equal(chat.channels[0].unreadCount, 1);
	janus.push(janus.handles[0], { rtk: 'channelUpdate', channel: { id: 'c1', displayName: 'ops', memberIds: ['u-ada'], unreadCount: 0 } });
	await until(() => chat.channels.length === 0, 'removed from the channel');
	assert.deepEqual(seen, [['create', 'c1'], ['update', 'c1']]);
});

test('setMaxTextLimit: longer text is refused (0503) and nothing is sent; refusals leave messages as they were', async () => {
	const { janus, meeting } = await chatMeeting({
		chat: { messages: [msg('m1', 'one')] },
		answer: (b) => ({ rtk: 'error', request: b.request, error: { code: '0902', message: 'chat.private.can_send is off' } }),
	});
	const chat = meeting.chat;
	chat.setMaxTextLimit(5);
	await assert.rejects(chat.sendTextMessage('123456'), (e) => e.code === '0503' && /setMaxTextLimit/.test(e.message));
	assert.equal(chatRequests(janus).length, 0);
	assert.throws(() => chat.setMaxTextLimit(0), { code: '0503' });
	const before = chat.messages;
	await assert.rejects(chat.sendTextMessage('hey', ['u-ada']), (e) => e.name === 'RTKError' && e.code === '0902');
	assert.equal(chat.messages, before);
	assert.deepEqual(chat.messages.map((m) => m.id), ['m1']);
});

test('images and files: uploaded to POST /v2/chat-files with the token, then sent by fileId; getFileUrl adds the token', async () => {
	const calls = [];
	const fetch = async (url, init) => {
		calls.push({ url, init });
		if (url.endsWith('/sdk/server.json'))
			return { ok: false, status: 404, json: async () => ({}) };
		return { ok: true, status: 201, json: async () => ({ success: true, data: { id: 'f1', name: 'cat.png', size: 3, type: 'image/png',
			link: 'http://10.77.0.1:8080/v2/chat-files/m1/f1' } }) };
	};
	const image = { name: 'cat.png', type: 'image/png', size: 3 };
	const sent = { ...msg('m5', undefined, { userId: 'u-self' }), type: 'image', fileId: 'f1', link: 'http://10.77.0.1:8080/v2/chat-files/m1/f1', name: 'cat.png', size: 3 };
	delete sent.message;
	const { janus, meeting } = await chatMeeting({ options: { fetch },
		answer: (b) => ({ rtk: 'ok', request: b.request, message: sent }) });
	const m = await meeting.chat.sendImageMessage(image);
	const upload = calls.find((c) => c.url.includes('/v2/chat-files'));
	assert.equal(upload.url, 'http://10.77.0.1:8080/v2/chat-files?name=cat.png');
	assert.equal(upload.init.method, 'POST');
	assert.equal(upload.init.headers.Authorization, `Bearer ${token()}`);
	assert.equal(upload.init.headers['Content-Type'], 'image/png');
	assert.equal(upload.init.body, image);
	assert.deepEqual(chatRequests(janus), [{ request: 'chat.sendMessage', message: { type: 'image', fileId: 'f1' } }]);
	assert.equal(meeting.chat.getFileUrl(m), `http://10.77.0.1:8080/v2/chat-files/m1/f1?token=${encodeURIComponent(token())}`);
	assert.equal(meeting.chat.getFileUrl(msg('m1', 'text')), null);
	/* private files are off in this preset: refused before any upload */
	const uploads = calls.length;
	await assert.rejects(meeting.chat.sendFileMessage(image, ['u-ada']), (e) => e.code === '0902');
	assert.equal(calls.length, uploads);
});

test('an upload the gateway refuses rejects with an RTKError and sends nothing', async () => {
	const fetch = async (url) => (url.endsWith('/sdk/server.json') ? { ok: false, status: 404, json: async () => ({}) }
		: { ok: false, status: 413, json: async () => ({ success: false, error: { code: 413, message: 'too large' } }) });
	const { janus, meeting } = await chatMeeting({ options: { fetch } });
	await assert.rejects(meeting.chat.sendFileMessage({ name: 'big.bin', type: '', size: 1e9 }),
		(e) => e.code === '0506' && e.status === 413 && /too large/.test(e.message));
	assert.equal(chatRequests(janus).length, 0);
});

test('after a reconnection sync\'s chat replaces messages, pinned and channels', async () => {
	const { janus, meeting } = await chatMeeting({ options: { reconnectDelaysMs: [5] },
		chat: { messages: [msg('m1', 'one'), msg('m2', 'two')], pinned: [msg('m1', 'one', { pinned: true })] } });
	const sync = { ...roomJoined({ chat: { messages: [msg('m2', 'two'), msg('m3', 'three')], pinned: [],
		channels: [{ id: 'c9', displayName: 'new', memberIds: ['u-self'] }] } }), rtk: 'roomState', roomState: 'joined' };
	janus.onMessage = (h, body) => (body.request === 'sync' ? { data: sync } : pluginAnswers(roomJoined())(h, body));
	let back = false;
	meeting.self.on('roomJoined', (d) => { back = d.reconnected; });
	janus.dropSocket();
	await until(() => back, 'reconnected');
	assert.deepEqual(meeting.chat.messages.map((m) => m.id), ['m2', 'm3']);
	assert.deepEqual(meeting.chat.pinned, []);
	assert.deepEqual(meeting.chat.channels.map((c) => c.id), ['c9']);
	assert.equal(meeting.chat.socketJoined, true);
});
