/*
 * sdk_name_live.mjs - meeting.self.setName before join against the real
 * server, run by tests/sdk/test_sdk_name.py (tests/sdk/sdk_live.py), which
 * starts the server and passes RTK_SDK_LIVE: {base, people: {ada, bob,
 * vera: {token, id, name}}}. Not a unit test (run.sh runs *.test.mjs only).
 *
 * SDK clients in Node join over the Janus WebSocket (no media). Ada
 * (group_call_host) is in. Bob (group_call_participant: can_edit_display_name)
 * calls self.setName('Robert') before join: self.name says so at once, and
 * after join too; Ada gets participantJoined with the name Robert and her
 * participants.joined shows it. Vera (webinar_viewer: no
 * can_edit_display_name) calls setName('Someone Else') before join: once
 * joined her self.name is her stored name again (roomJoined says which name
 * holds) and Ada sees Vera. setName('') rejects with 0001 and changes
 * nothing.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { join, leaveAll, live, meetings, next } from './live.mjs';

const { people } = live;

test.before(async () => {
	await join('ada');
});

test.after(leaveAll);

test('with can_edit_display_name the name set before join is the one everyone sees', async () => {
	const { ada } = meetings;
	const seen = next(ada.participants.joined, 'participantJoined', (p) => p.userId === people.bob.id);
	const bob = await join('bob', async (m) => {
		await assert.rejects(m.self.setName(''), (e) => e.code === '0001');
		assert.equal(m.self.roomState, 'init');
		await m.self.setName('Robert');
		assert.equal(m.self.name, 'Robert', 'self.name right after setName');
	});
	assert.equal(bob.self.name, 'Robert', 'self.name once joined');
	const joined = await seen;
	assert.equal(joined.name, 'Robert', 'the name in Ada\'s participantJoined');
	assert.equal(ada.participants.joined.get(bob.self.id).name, 'Robert', 'Ada\'s participants.joined');
});

test('without can_edit_display_name the stored name stays', async () => {
	const { ada } = meetings;
	const seen = next(ada.participants.joined, 'participantJoined', (p) => p.userId === people.vera.id);
	const vera = await join('vera', async (m) => {
		await m.self.setName('Someone Else');
		assert.equal(m.self.name, 'Someone Else', 'self.name before join (local only)');
	});
	assert.equal(vera.self.name, people.vera.name, 'self.name once joined: the stored one');
	const joined = await seen;
	assert.equal(joined.name, people.vera.name, 'the name in Ada\'s participantJoined');
	assert.equal(ada.participants.joined.get(vera.self.id).name, people.vera.name, 'Ada\'s participants.joined');
});
