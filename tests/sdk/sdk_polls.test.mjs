/*
 * sdk_polls.test.mjs - meeting.polls (sdk/polls.js) on a fake Janus: items
 * from roomJoined, create/vote send the documented requests and resolve with
 * the poll of the reply, pollsUpdate merges its poll into items and is emitted as
 * {polls, newPoll}, refusals reject with the server's code, and a
 * reconnection's snapshot emits only what changed.
 * Run: node --test tests/sdk/ (Node 20, no packages).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { until } from './fake_janus.mjs';
import { setup, roomJoined } from './helpers.mjs';

const lunch = {
	id: 'poll-1', question: 'Lunch?', anonymous: false, hideVotes: false, createdBy: 'Ada', createdByUserId: 'u-ada',
	options: [{ text: 'Pizza', votes: [], count: 0 }, { text: 'Sushi', votes: [{ id: 'u-ada', name: 'Ada' }], count: 1 }],
	voted: ['u-ada'],
};
const pollRequests = (janus) => janus.requests().map((m) => m.body).filter((b) => b.request.startsWith('polls.'));

test('items come from roomJoined (none without polls.can_view); meeting.poll is meeting.polls', async () => {
	const { meeting } = await setup({ join: roomJoined({ polls: [lunch] }) });
	assert.equal(meeting.polls.socketJoined, false);
	assert.deepEqual(meeting.polls.items, []);
	await meeting.join();
	assert.equal(meeting.polls.socketJoined, true);
	assert.deepEqual(meeting.polls.items, [lunch]);
	assert.equal(meeting.poll, meeting.polls);
	const blind = await setup();   /* roomJoined without "polls" */
	await blind.meeting.join();
	assert.deepEqual(blind.meeting.polls.items, []);
});

test('create and vote send polls.create / polls.vote and resolve with the poll; pollsUpdate updates items first', async () => {
	const { janus, meeting } = await setup({ join: roomJoined({ polls: [] }) });
	await meeting.join();
	const got = [];
	meeting.polls.on('pollsUpdate', (u) => got.push(u));
	let votes = 0;
	janus.onMessage = (h, body) => {
		if (body.request === 'polls.create') {
			const poll = { ...lunch, id: 'poll-2', question: body.question, anonymous: body.anonymous,
				hideVotes: body.hideVotes, voted: [], options: body.options.map((text) => ({ text, votes: [], count: 0 })) };
			janus.push(h, { rtk: 'pollsUpdate', poll, newPoll: true });
			return { data: { rtk: 'ok', request: body.request, poll } };
		}
		if (body.request === 'polls.vote' && body.index > 1)
			return { data: { rtk: 'error', request: body.request, error: { code: '0703', message: 'option 5 is not one of the poll\'s 2 (0 to 1)' } } };
		if (body.request === 'polls.vote' && body.pollId === 'poll-2' && votes++ === 0) {
			const poll = { ...meeting.polls.items[0], voted: ['u-self'] };
			poll.options = poll.options.map((o, i) => (i === body.index ? { ...o, count: 1, votes: [{ id: 'u-self', name: 'Self' }] } : o));
			janus.push(h, { rtk: 'pollsUpdate', poll, newPoll: false });
			return { data: { rtk: 'ok', request: body.request, poll } };
		}
		return { data: { rtk: 'error', request: body.request, error: { code: '0702', message: 'you have voted on poll \'poll-2\' already' } } };
	};
	const created = await meeting.polls.create('Tea or coffee?', ['Tea', 'Coffee']);
	assert.equal(created.id, 'poll-2');
	assert.equal(created.anonymous, false);
	await until(() => got.length === 1, 'pollsUpdate after create');
	assert.deepEqual(got[0].polls.map((p) => p.id), ['poll-2']);
	assert.equal(got[0].newPoll, true);
	assert.deepEqual(meeting.polls.items.map((p) => p.question), ['Tea or coffee?']);
	await meeting.polls.create('Secret?', ['a', 'b'], true, true);
	const voted = await meeting.polls.vote('poll-2', 1);
	assert.deepEqual(voted.voted, ['u-self']);
	await until(() => got.length === 3, 'pollsUpdate after the vote');
	assert.equal(got[2].newPoll, false);
	assert.equal(meeting.polls.items[0].options[1].count, 1);
	await assert.rejects(meeting.polls.vote('poll-2', 0), (e) => e.code === '0702');
	await assert.rejects(meeting.polls.vote('poll-2', 5), (e) => e.code === '0703');
	assert.deepEqual(pollRequests(janus), [
		{ request: 'polls.create', question: 'Tea or coffee?', options: ['Tea', 'Coffee'], anonymous: false, hideVotes: false },
		{ request: 'polls.create', question: 'Secret?', options: ['a', 'b'], anonymous: true, hideVotes: true },
		{ request: 'polls.vote', pollId: 'poll-2', index: 1 },
		{ request: 'polls.vote', pollId: 'poll-2', index: 0 },
		{ request: 'polls.vote', pollId: 'poll-2', index: 5 },
	]);
});

test('before join, create and vote reject (0003) and send nothing', async () => {
	const { janus, meeting } = await setup();
	await assert.rejects(meeting.polls.create('q', ['a', 'b']), (e) => e.code === '0003');
	await assert.rejects(meeting.polls.vote('poll-1', 0), (e) => e.code === '0003');
	assert.deepEqual(pollRequests(janus), []);
});

test('a reconnection snapshot emits pollsUpdate only when the polls changed, newPoll when one is new', async () => {
	const { meeting } = await setup({ join: roomJoined({ polls: [lunch] }) });
	await meeting.join();
	const got = [];
	meeting.polls.on('pollsUpdate', (u) => got.push(u));
	meeting.polls._applySnapshot([lunch]);
	assert.equal(got.length, 0);
	const counted = { ...lunch, options: [{ ...lunch.options[0], count: 1 }, lunch.options[1]] };
	meeting.polls._applySnapshot([counted]);
	assert.deepEqual(got.map((u) => u.newPoll), [false]);
	meeting.polls._applySnapshot([counted, { ...lunch, id: 'poll-9' }]);
	assert.deepEqual(got.map((u) => u.newPoll), [false, true]);
	assert.equal(meeting.polls.items.length, 2);
});
