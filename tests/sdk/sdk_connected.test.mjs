/*
 * sdk_connected.test.mjs - meeting.connectedMeetings (sdk/connected-meetings.js)
 * and the automatic move of meeting.js on a fake Janus: each method sends its
 * documented request and resolves with the reply's fields, getConnectedMeetings
 * fills the state and emits stateUpdate, refusals reject with the server's
 * code; a roomLeft {state: 'connected-meeting'} makes the meeting leave, join
 * the destination with the token it carries and turn its microphone back on,
 * with changingMeeting before and meetingChanged after.
 * Run: node --test tests/sdk/ (Node 20, no packages).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { until } from './fake_janus.mjs';
import { setup, roomJoined, pluginAnswers, token } from './helpers.mjs';

const sent = (janus) => janus.requests().map((m) => m.body).filter((b) => b.request.startsWith('connectedMeetings.'));

test('the methods send connectedMeetings.* and resolve with the reply; refusals reject with the code', async () => {
	const { janus, meeting } = await setup();
	await meeting.join();
	const state = [];
	meeting.connectedMeetings.on('stateUpdate', (s) => state.push(s));
	const answers = pluginAnswers(roomJoined());
	janus.onMessage = (h, body, jsep) => {
		const ok = (fields) => ({ data: { rtk: 'ok', request: body.request, ...fields } });
		switch (body.request) {
		case 'connectedMeetings.getConnectedMeetings':
			return ok({ parentMeeting: { id: 'm1', title: 'Standup', participants: [] },
				meetings: [{ id: 'c1', title: 'Room 1', participants: [] }] });
		case 'connectedMeetings.createMeetings':
			return ok({ meetings: body.meetings.map((m, i) => ({ id: `c${i + 1}`, title: m.title })) });
		case 'connectedMeetings.deleteMeetings':
			return { data: { rtk: 'error', request: body.request, error: { code: '0805', message: 'occupied' } } };
		case 'connectedMeetings.moveParticipants':
		case 'connectedMeetings.moveParticipantsWithCustomPreset':
			return ok({ moved: body.participantIds.map((id) => ({ id, destinationMeetingId: body.destinationMeetingId })) });
		default:
			return answers(h, body, jsep);
		}
	};
	const cm = meeting.connectedMeetings;
	assert.deepEqual(await cm.createMeetings([{ title: 'Room 1' }]), [{ id: 'c1', title: 'Room 1' }]);
	const got = await cm.getConnectedMeetings();
	assert.equal(got.parentMeeting.id, 'm1');
	assert.deepEqual(cm.meetings, [{ id: 'c1', title: 'Room 1', participants: [] }]);
	assert.equal(state.length, 1);
	assert.deepEqual(await cm.moveParticipants('m1', 'c1', ['peer-ada']), [{ id: 'peer-ada', destinationMeetingId: 'c1' }]);
	await cm.moveParticipantsWithCustomPreset('m1', 'c1', ['peer-ada'], 'group_call_host');
	await cm.moveParticipantsWithCustomPreset('m1', 'c1', ['peer-ada'], { presetId: 'p-9' });
	await assert.rejects(cm.deleteMeetings(['c1']), { code: '0805' });
	assert.deepEqual(sent(janus), [
		{ request: 'connectedMeetings.createMeetings', meetings: [{ title: 'Room 1' }] },
		{ request: 'connectedMeetings.getConnectedMeetings' },
		{ request: 'connectedMeetings.moveParticipants', sourceMeetingId: 'm1', destinationMeetingId: 'c1', participantIds: ['peer-ada'] },
		{ request: 'connectedMeetings.moveParticipantsWithCustomPreset', sourceMeetingId: 'm1', destinationMeetingId: 'c1',
			participantIds: ['peer-ada'], presetName: 'group_call_host' },
		{ request: 'connectedMeetings.moveParticipantsWithCustomPreset', sourceMeetingId: 'm1', destinationMeetingId: 'c1',
			participantIds: ['peer-ada'], presetId: 'p-9' },
		{ request: 'connectedMeetings.deleteMeetings', meetingIds: ['c1'] },
	]);
});

test('roomLeft connected-meeting: the meeting joins the destination with its token, microphone back on', async () => {
	const room1 = roomJoined({ meeting: { meetingId: 'c1', meetingTitle: 'Room 1', sessionId: 's2',
		meetingStartedTimestamp: '2026-11-22T09:10:00.000Z', viewType: 'GROUP_CALL' }, participants: [] });
	let joins = 0;
	const { janus, meeting } = await setup({ media: true, join: () => (joins++ === 0 ? roomJoined() : room1) });
	await meeting.join();
	await meeting.self.enableAudio();
	assert.equal(meeting.self.audioEnabled, true);
	const seen = [];
	meeting.self.on('roomLeft', (d) => seen.push(['roomLeft', d.state]));
	meeting.connectedMeetings.on('changingMeeting', (id) => seen.push(['changingMeeting', id]));
	meeting.connectedMeetings.on('meetingChanged', (m) => seen.push(['meetingChanged', m]));
	const destToken = token({ orgId: 'org1', meetingId: 'c1', participantId: 'u-self-2', presetId: 'p1' });
	const main = janus.requests("join")[0].handle_id;
	janus.push(main, { rtk: 'roomLeft', state: 'connected-meeting', destination: { meetingId: 'c1', title: 'Room 1',
		participantId: 'u-self-2', token: destToken, presetName: 'group_call_host', isParent: false } });
	await until(() => seen.some(([e]) => e === 'meetingChanged'), 'meetingChanged');
	assert.deepEqual(seen, [['changingMeeting', 'c1'], ['roomLeft', 'connected-meeting'],
		['meetingChanged', { id: 'c1', title: 'Room 1', isParent: false }]]);
	const joinsSent = janus.requests('join').map((m) => m.body.token);
	assert.equal(joinsSent.length, 2);
	assert.equal(joinsSent[1], destToken);
	assert.equal(meeting.self.roomState, 'joined');
	assert.equal(meeting.meta.meetingId, 'c1');
	assert.equal(meeting.self.audioEnabled, true);
	assert.equal(meeting.participants.joined.size, 0);
});
