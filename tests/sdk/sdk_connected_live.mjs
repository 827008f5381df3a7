/*
 * sdk_connected_live.mjs - meeting.connectedMeetings and the automatic move
 * against the real server, run by tests/sdk/test_sdk_connected.py (tests/sdk/sdk_live.py) (which
 * starts the server and passes RTK_SDK_LIVE: {base, meetingId, people:
 * {hal, ann, ben: {token, id, name}}}). Not a unit test (run.sh runs
 * *.test.mjs only).
 *
 * SDK clients in Node join over the Janus WebSocket (no media: Node has no
 * RTCPeerConnection). Ann (no can_alter_connected_meetings) cannot create
 * rooms (0902); Hal (a host) creates two and moves Ann into one and Ben
 * into the other: with no application code each SDK leaves (roomLeft
 * connected-meeting), joins its room with the server's token and emits
 * meetingChanged, meta.meetingId is the room's and it sees nobody from the
 * other room; Hal's getConnectedMeetings shows both rooms' participants;
 * Hal moves them back and they are in the parent again, as the
 * participants they were there.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { join, leaveAll, live, meetings, next as nextEvent } from './live.mjs';

const { meetingId, people } = live;
/* Moves take a leave and a join: events wait longer. */
const next = (emitter, event, where = () => true, ms = 8000) => nextEvent(emitter, event, where, ms);

const rooms = {};

test.before(async () => {
	await join('hal');
	await join('ann');
	await join('ben');
});

test.after(leaveAll);

test('a participant without can_alter_connected_meetings cannot create rooms (0902)', async () => {
	await assert.rejects(meetings.ann.connectedMeetings.createMeetings([{ title: 'Mine' }]), (e) => e.code === '0902');
});

test('the host creates two rooms; each moved SDK joins its room by itself', async () => {
	const { hal, ann, ben } = meetings;
	const created = await hal.connectedMeetings.createMeetings([{ title: 'Room 1' }, { title: 'Room 2' }]);
	assert.deepEqual(created.map((m) => m.title), ['Room 1', 'Room 2']);
	rooms.one = created[0].id;
	rooms.two = created[1].id;
	const left = next(ann.self, 'roomLeft');
	const annChanged = next(ann.connectedMeetings, 'meetingChanged');
	const benChanged = next(ben.connectedMeetings, 'meetingChanged');
	const halSawAnnLeave = next(hal.participants.joined, 'participantLeft', (p) => p.name === 'Ann');
	await hal.connectedMeetings.moveParticipants(meetingId, rooms.one, [ann.self.id]);
	await hal.connectedMeetings.moveParticipants(meetingId, rooms.two, [ben.self.id]);
	assert.equal((await left).state, 'connected-meeting');
	assert.deepEqual(await annChanged, { id: rooms.one, title: 'Room 1', isParent: false });
	assert.deepEqual(await benChanged, { id: rooms.two, title: 'Room 2', isParent: false });
	await halSawAnnLeave;
	assert.equal(ann.self.roomState, 'joined');
	assert.equal(ann.meta.meetingId, rooms.one);
	assert.equal(ben.meta.meetingId, rooms.two);
	assert.equal(ann.participants.joined.size, 0, 'Ann sees nobody from the other room');
	assert.equal(ben.participants.joined.size, 0, 'Ben sees nobody from the other room');
	assert.equal(hal.participants.joined.size, 0, 'Hal is alone in the parent');
});

test('the host sees every room\'s participants', async () => {
	const state = await meetings.hal.connectedMeetings.getConnectedMeetings();
	assert.equal(state.parentMeeting.id, meetingId);
	const byId = Object.fromEntries(state.meetings.map((m) => [m.id, m.participants.map((p) => p.name)]));
	assert.deepEqual(byId, { [rooms.one]: ['Ann'], [rooms.two]: ['Ben'] });
	assert.deepEqual(meetings.hal.connectedMeetings.meetings, state.meetings);
});

test('moved back to the parent, both are there again as who they were', async () => {
	const { hal, ann, ben } = meetings;
	const annBack = next(ann.connectedMeetings, 'meetingChanged');
	const benBack = next(ben.connectedMeetings, 'meetingChanged');
	await hal.connectedMeetings.moveParticipants(rooms.one, meetingId, [ann.self.id]);
	await hal.connectedMeetings.moveParticipants(rooms.two, meetingId, [ben.self.id]);
	assert.equal((await annBack).isParent, true);
	assert.equal((await benBack).isParent, true);
	assert.equal(ann.meta.meetingId, meetingId);
	assert.equal(ann.self.userId, people.ann.id);
	assert.equal(ben.self.userId, people.ben.id);
	for (let i = 0; i < 50 && hal.participants.joined.size < 2; i++)
		await new Promise((r) => setTimeout(r, 100));
	assert.deepEqual(hal.participants.joined.toArray().map((p) => p.name).sort(), ['Ann', 'Ben']);
});
