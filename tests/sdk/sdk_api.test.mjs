/*
 * sdk_api.test.mjs - the seeds' API names and semantics that the SDK audit
 * (issue 9) found missing or different: each test drives the SDK through a
 * fake Janus (tests/sdk/helpers.mjs) and checks what an application sees.
 * Run: node --test tests/sdk/ (Node 20, no packages).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { until, tick } from './fake_janus.mjs';
import { setup, roomJoined, bob } from './helpers.mjs';

const hostRequests = (janus) => janus.requests().map((m) => m.body)
	.filter((b) => !['join', 'subscribe', 'publish', 'start'].includes(b.request));

test('participants.disableAudio/disableVideo/kick(id) act on one participant (peer id, user id or object)', async () => {
	const { janus, meeting } = await setup();
	await meeting.join();
	const ada = meeting.participants.joined.get('peer-ada');
	await meeting.participants.disableAudio('peer-ada');
	await meeting.participants.disableVideo('u-ada', false);
	await meeting.participants.kick(ada);
	await meeting.participants.disableAllAudio(false);
	assert.deepEqual(hostRequests(janus), [
		{ request: 'participant.disableAudio', participantId: 'peer-ada', allowUnmute: true },
		{ request: 'participant.disableVideo', participantId: 'peer-ada', allowUnmute: false },
		{ request: 'participant.kick', participantId: 'peer-ada' },
		{ request: 'participants.disableAllAudio', allowUnmute: false },
	]);
});

test('pin()/unpin() resolve with the participant id', async () => {
	const { meeting } = await setup();
	await meeting.join();
	const ada = meeting.participants.joined.get('peer-ada');
	assert.equal(await ada.pin(), 'peer-ada');
	assert.equal(await ada.unpin(), 'peer-ada');
	assert.equal(await meeting.self.pin(), 'peer-self');
	assert.equal(await meeting.self.unpin(), 'peer-self');
});

test('participants: all keeps everyone seen, socketJoined/mediaJoined follow the session, getAllJoinedPeers', async () => {
	const { janus, meeting } = await setup();
	const ps = meeting.participants;
	assert.equal(ps.socketJoined, false);
	assert.equal(ps.mediaJoined, false);
	assert.equal(ps.all.size, 0);
	await meeting.join();
	assert.equal(ps.socketJoined, true);
	await until(() => ps.mediaJoined, 'mediaJoined after subscribe');
	janus.push(janus.handles[0], { rtk: 'participantJoined', participant: bob });
	await until(() => ps.joined.has('peer-bob'), 'bob joined');
	assert.deepEqual(ps.getAllJoinedPeers().map((p) => p.id), ['peer-ada', 'peer-bob']);
	janus.push(janus.handles[0], { rtk: 'participantLeft', participantId: 'peer-bob', userId: 'u-bob' });
	await until(() => !ps.joined.has('peer-bob'), 'bob left');
	assert.deepEqual(ps.all.toArray().map((p) => p.name), ['Ada', 'Bob'], 'all keeps those who left');
	assert.deepEqual(ps.getAllJoinedPeers().map((p) => p.id), ['peer-ada']);
	await meeting.leave();
	assert.equal(ps.socketJoined, false);
	assert.equal(ps.mediaJoined, false);
});

test('videoSubscribed/audioSubscribed hold participant objects; selectedPeers the server\'s selection', async () => {
	const { janus, meeting } = await setup({ join: roomJoined({ participants: [{ id: 'peer-ada', userId: 'u-ada', name: 'Ada' }, bob] }) });
	await meeting.join();
	janus.push(janus.handles[0], { rtk: 'activeParticipantsUpdate', active: ['peer-bob'], videoSubscribed: ['peer-bob'],
		audioSubscribed: ['peer-ada', 'peer-bob'] });
	await until(() => meeting.participants.active.has('peer-bob'), 'active');
	const ps = meeting.participants;
	assert.equal(ps.videoSubscribed.length, 1);
	assert.equal(ps.videoSubscribed[0], ps.joined.get('peer-bob'));
	assert.deepEqual(ps.audioSubscribed.map((p) => p.name), ['Ada', 'Bob']);
	assert.deepEqual(ps.selectedPeers, ['peer-bob']);
});

test('getParticipantsInMeetingPreJoin and broadcastMessage reject as unsupported; pip says it is unsupported', async () => {
	const { janus, meeting } = await setup();
	await assert.rejects(meeting.participants.getParticipantsInMeetingPreJoin(),
		(e) => e.code === '0002' && e.capability === 'meeting.participants.getParticipantsInMeetingPreJoin');
	await meeting.join();
	await assert.rejects(meeting.participants.broadcastMessage('hello', { a: 1 }),
		(e) => e.code === '0501' && /broadcastMessage/.test(e.message));
	assert.equal(meeting.participants.pip.isSupported, false);
	await assert.rejects(meeting.participants.pip.enable(), (e) => e.code === '0601' && /does not implement/.test(e.message));
	assert.equal(hostRequests(janus).length, 0, 'nothing was sent');
});

test('participant objects carry the seeds\' device, producers, manualProducerConfig, supportsRemoteControl, socketJoined, mediaJoined', async () => {
	const { janus, meeting } = await setup();
	await meeting.join();
	const ada = meeting.participants.joined.get('peer-ada');
	assert.equal(ada.device, null);
	assert.deepEqual(ada.producers, []);
	assert.equal(ada.manualProducerConfig, null);
	assert.equal(ada.supportsRemoteControl, false);
	assert.equal(ada.socketJoined, true);
	assert.equal(ada.mediaJoined, false, 'no media received yet');
	await until(() => janus.handles.length === 2, 'subscriber handle');
	const { fakeOffer } = await import('./fake_janus.mjs');
	janus.push(janus.handles[1], { rtk: 'updated', streams: [
		{ mid: '0', participantId: 'peer-ada', userId: 'u-ada', kind: 'audio', type: 'audio', active: true },
	] }, fakeOffer([['audio', '0']]));
	await until(() => ada.audioTrack, 'ada\'s audio');
	assert.equal(ada.mediaJoined, true);
});

test('rejected namespaces: every documented method exists; async ones reject, sync getters return [], sync actions throw', async () => {
	const { meeting } = await setup();
	const { chat, polls, plugins, ai } = meeting;
	for (const m of ['setMaxTextLimit', 'getMessages', 'createChannel', 'updateChannel', 'sendMessageToChannel',
		'getChannelMembers', 'markLastReadMessage', 'searchMessages', 'sendTextMessage', 'pin', 'unpin'])
		assert.equal(typeof chat[m], 'function', `chat.${m}`);
	for (const m of ['getMessages', 'createChannel', 'updateChannel', 'sendMessageToChannel', 'getChannelMembers',
		'markLastReadMessage'])
		await assert.rejects(chat[m](), (e) => e.code === '0501' && e.capability === `meeting.chat.${m}`);
	assert.throws(() => chat.setMaxTextLimit(100), (e) => e.code === '0501' && e.capability === 'meeting.chat.setMaxTextLimit');
	/* S0 329/335 call these without await: an array, no unhandled rejection */
	assert.deepEqual(chat.getMessagesByUser('u-ada'), []);
	assert.deepEqual(chat.getMessagesByType('text'), []);
	assert.deepEqual(chat.channels, []);
	assert.equal(chat.socketJoined, false);
	assert.equal(polls.socketJoined, false);
	assert.throws(() => ai.parseTranscript('x'), (e) => e.code === '1801' && e.capability === 'meeting.ai.parseTranscript');
	assert.throws(() => ai.parseTranscripts('x'), { code: '1801' });
	/* plugins.all / active: the seeds call toArray() and get() on them */
	assert.deepEqual(plugins.all.toArray(), []);
	assert.deepEqual(plugins.active.toArray(), []);
	assert.equal(plugins.active.get('p1'), undefined);
	assert.equal(plugins.all.size, 0);
	assert.deepEqual([...plugins.all], []);
	assert.equal(plugins.all.toArray().find((p) => p.name === 'YouTube'), undefined);
});

test('after roomLeft the self media flags are off (with their events), and a second join publishes what they say', async () => {
	const { janus, meeting } = await setup({ defaults: { audio: true, video: true }, media: true });
	await meeting.join();
	await until(() => janus.requests('publish').length === 1, 'publish');
	const mic = meeting.self.audioTrack;
	const cam = meeting.self.videoTrack;
	const log = [];
	meeting.self.on('roomLeft', (d) => log.push(['roomLeft', d.state]));
	meeting.self.on('audioUpdate', (d) => log.push(['audioUpdate', d.audioEnabled, d.audioTrack]));
	meeting.self.on('videoUpdate', (d) => log.push(['videoUpdate', d.videoEnabled, d.videoTrack]));
	janus.push(janus.handles[0], { rtk: 'roomLeft', state: 'kicked' });
	await until(() => log.length === 3, 'roomLeft and two updates');
	assert.deepEqual(log, [['roomLeft', 'kicked'], ['audioUpdate', false, null], ['videoUpdate', false, null]]);
	assert.equal(meeting.self.audioEnabled, false);
	assert.equal(meeting.self.videoEnabled, false);
	assert.equal(mic.readyState, 'ended');
	assert.equal(cam.readyState, 'ended');
	/* join again: nothing is enabled, nothing is published, until enableAudio() */
	await meeting.join();
	await until(() => janus.requests('subscribe').length === 2, 'second subscribe');
	await tick(20);
	assert.equal(janus.requests('publish').length, 1, 'the flags say off: no publish');
	await meeting.self.enableAudio();
	assert.equal(janus.requests('publish').length, 2);
	assert.equal(janus.requests('publish')[1].jsep.sdp, 'm=audio 0', 'audio only, a live track');
	assert.equal(meeting.self.audioTrack.readyState, 'live');
});

test('self.config is RTKThemePreset\'s camelCase view of the preset config, the server\'s object as .raw', async () => {
	const { meeting } = await setup();
	await meeting.join();
	const c = meeting.self.config;
	assert.equal(c.viewType, 'GROUP_CALL');
	assert.deepEqual(c.maxVideoStreams, { mobile: 6, desktop: 25 });
	assert.equal(c.maxScreenShareCount, 1);
	assert.deepEqual(c.media.audio, { enableStereo: false, enableHighBitrate: false });
	assert.equal(c.media.screenshare.frameRate, 5);
	assert.deepEqual(c.disabledPlugins, []);
	assert.deepEqual(c.livestreamViewerQualities, []);
	assert.equal(c.raw.max_video_streams.desktop, 25);
	assert.equal(Object.keys(c).some((k) => k.includes('_')), false, 'no snake_case key');
	assert.equal(Object.keys(c).includes('raw'), false);
});

test('self.permissions is an emitter: chatUpdate/pollsUpdate/pluginsUpdate/* per area, permissionsUpdate stays on self', async () => {
	const { janus, meeting } = await setup();
	await meeting.join();
	const perms = meeting.self.permissions;
	assert.equal(typeof perms.on, 'function');
	assert.deepEqual(Object.keys(perms).filter((k) => typeof perms[k] === 'function'), [], 'methods are not enumerable');
	assert.equal(JSON.parse(JSON.stringify(perms)).kickParticipant, true, 'JSON shows the permissions');
	/* seeds' names (audit item 20); the old name stays as an alias */
	assert.equal(perms.polls.canViewResults, true);
	assert.equal(perms.polls.canView, true);
	assert.equal(perms.canChangeTheme, false);
	const log = [];
	perms.on('chatUpdate', (d) => log.push(['chatUpdate', d.chatPublic.canSend]));
	perms.on('pollsUpdate', (d) => log.push(['pollsUpdate', d.canCreate]));
	perms.on('pluginsUpdate', () => log.push(['pluginsUpdate']));
	perms.on('*', (ev) => log.push(['*', ev]));
	meeting.self.on('permissionsUpdate', (d) => log.push(['self permissionsUpdate', d.permissions === perms]));
	const { HOST_PERMISSIONS } = await import('./helpers.mjs');
	const raw = { ...HOST_PERMISSIONS, chat: { ...HOST_PERMISSIONS.chat, public: { can_send: false, text: false, files: false } } };
	janus.push(janus.handles[0], { rtk: 'permissionsUpdate', permissions: raw, presetName: 'group_call_host' });
	await until(() => log.some((l) => l[0] === 'self permissionsUpdate'), 'permissionsUpdate');
	assert.deepEqual(log, [
		['chatUpdate', false], ['*', 'chatUpdate'], ['*', 'permissionsUpdate'], ['self permissionsUpdate', true],
	]);
	assert.equal(meeting.self.permissions, perms, 'the same object: listeners stay');
	assert.equal(perms.chatPublic.canSend, false);
	assert.deepEqual(perms.raw, raw);
	log.length = 0;
	const raw2 = { ...raw, polls: { can_create: false, can_vote: true, can_view: true }, kick_participant: false };
	janus.push(janus.handles[0], { rtk: 'permissionsUpdate', permissions: raw2, presetName: 'group_call_host' });
	await until(() => log.some((l) => l[0] === 'self permissionsUpdate'), 'second permissionsUpdate');
	assert.deepEqual(log, [
		['pollsUpdate', false], ['*', 'pollsUpdate'], ['*', 'permissionsUpdate'], ['self permissionsUpdate', true],
	]);
	assert.equal(perms.kickParticipant, false);
});
