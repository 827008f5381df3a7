/*
 * sdk_api.test.mjs - the seeds' API names and semantics that the SDK audit
 * (issue 9) found missing or different: each test drives the SDK through a
 * fake Janus (tests/sdk/helpers.mjs) and checks what an application sees.
 * Run: node --test tests/sdk/ (Node 20, no packages).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { until, tick, fakeMediaDevices, FakePeerConnection } from './fake_janus.mjs';
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

test('broadcastMessage sends the request with its target and resolves with the count; broadcastedMessage is emitted', async () => {
	const { janus, meeting } = await setup();
	await meeting.join();
	const ada = meeting.participants.joined.get('peer-ada');
	janus.onMessage = (h, body) => (body.request === 'participants.broadcastMessage'
		? { data: { rtk: 'ok', request: body.request, recipients: body.participantIds ? body.participantIds.length : 3 } }
		: { data: { rtk: 'ok', request: body.request } });
	assert.equal(await meeting.participants.broadcastMessage('reaction', { emoji: 'wave' }), 3);
	assert.equal(await meeting.participants.broadcastMessage('reaction', { emoji: 'wave' }, { participantIds: [ada, 'u-bob'] }), 2);
	assert.equal(await meeting.participants.broadcastMessage('note', {}, { presetName: 'webinar_viewer' }), 3);
	assert.deepEqual(hostRequests(janus), [
		{ request: 'participants.broadcastMessage', type: 'reaction', payload: { emoji: 'wave' } },
		{ request: 'participants.broadcastMessage', type: 'reaction', payload: { emoji: 'wave' }, participantIds: ['peer-ada', 'u-bob'] },
		{ request: 'participants.broadcastMessage', type: 'note', payload: {}, presetName: 'webinar_viewer' },
	]);
	const got = [];
	meeting.participants.on('broadcastedMessage', (m) => got.push(m));
	janus.push(janus.handles[0], { rtk: 'broadcastedMessage', type: 'reaction', payload: { emoji: 'wave' },
		timestamp: 1796560000000, senderId: 'peer-ada' });
	await until(() => got.length === 1, 'broadcastedMessage');
	assert.deepEqual(got[0], { type: 'reaction', payload: { emoji: 'wave' }, timestamp: 1796560000000, senderId: 'peer-ada' });
	janus.onMessage = (h, body) => ({ data: { rtk: 'error', request: body.request, error: { code: '1204', message: 'participant nobody is not in the meeting' } } });
	await assert.rejects(meeting.participants.broadcastMessage('t', {}, { participantIds: ['nobody'] }), (e) => e.code === '1204');
});

test('getParticipantsInMeetingPreJoin asks on a Janus session of its own before join and leaves join as it was; pip says it is unsupported', async () => {
	const { janus, meeting } = await setup();
	const answers = janus.onMessage;
	const PRE = 'participants.getParticipantsInMeetingPreJoin';
	janus.onMessage = (h, body, jsep) => (body.request === PRE ? { data: {
		rtk: 'participantsInMeetingPreJoin', self: { ...roomJoined().self, roomState: 'init' },
		meeting: { meetingId: 'm1', meetingTitle: 'Lobby', sessionId: 's1' }, participants: [bob] } }
		: answers(h, body, jsep));
	const list = await meeting.participants.getParticipantsInMeetingPreJoin();
	assert.deepEqual(list.map((p) => p.id), ['peer-bob']);
	assert.equal(meeting.meta.meetingTitle, 'Lobby');
	assert.equal(meeting.self.roomState, 'init');
	const asked = janus.requests(PRE);
	assert.equal(asked.length, 1);
	assert.equal(asked[0].body.token, meeting._options.authToken);
	assert.ok(janus.sent.some((m) => m.janus === 'destroy'), 'its Janus session was destroyed');
	await meeting.join();
	assert.equal(meeting.self.roomState, 'joined');
	/* joined: the joined participants, without asking the server */
	assert.deepEqual((await meeting.participants.getParticipantsInMeetingPreJoin()).map((p) => p.id), ['peer-ada']);
	assert.equal(janus.requests(PRE).length, 1);
	assert.equal(meeting.participants.pip.isSupported, false);
	await assert.rejects(meeting.participants.pip.enable(), (e) => e.code === '0601' && /does not implement/.test(e.message));
	assert.equal(hostRequests(janus).filter((b) => b.request !== PRE).length, 0, 'nothing else was sent');
});

test('getParticipantsInMeetingPreJoin rejects with the server\'s refusal (a bad token: 0005)', async () => {
	const { janus, meeting } = await setup();
	janus.onMessage = (h, body) => ({ data: { rtk: 'error', request: body.request,
		error: { code: '0005', message: 'token malformed: expected a JWT from the REST API' } } });
	await assert.rejects(meeting.participants.getParticipantsInMeetingPreJoin(), (e) => e.code === '0005');
	assert.equal(meeting.self.roomState, 'init');
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
	/* chat has a server side now: before join its requests reject as not joined */
	for (const m of ['getMessages', 'getChannelMembers', 'markLastReadMessage'])
		await assert.rejects(chat[m]('c1'), (e) => e.code === '0003');
	chat.setMaxTextLimit(100);
	/* S0 329/335 call these without await: an array, no unhandled rejection */
	assert.deepEqual(chat.getMessagesByUser('u-ada'), []);
	assert.deepEqual(chat.getMessagesByType('text'), []);
	assert.deepEqual(chat.channels, []);
	assert.equal(chat.socketJoined, false);
	assert.equal(polls.socketJoined, false);   /* not joined yet */
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

/* Fake devices with a device list the test changes, devicechange, and a
 * camera the browser refuses when `denyVideo` is set. */
function devicesWith(list, { denyVideo = false } = {}) {
	const d = fakeMediaDevices();
	const listeners = [];
	d.list = list;
	d.denyVideo = denyVideo;
	const gum = d.getUserMedia.bind(d);
	d.getUserMedia = async (c) => {
		if (c.video && d.denyVideo)
			throw Object.assign(new Error('Permission denied'), { name: 'NotAllowedError' });
		const stream = await gum(c);
		/* the track runs on the device asked for, else on the list's first of its kind */
		for (const t of stream.getTracks()) {
			const want = t.kind === 'audio' ? 'audioinput' : 'videoinput';
			const asked = (c[t.kind] && c[t.kind].deviceId && c[t.kind].deviceId.exact)
				|| (d.list.find((x) => x.kind === want) || {}).deviceId;
			t.getSettings = () => ({ deviceId: asked });
		}
		return stream;
	};
	d.enumerateDevices = async () => d.list.map((x) => ({ ...x }));
	d.addEventListener = (ev, fn) => { if (ev === 'devicechange') listeners.push(fn); };
	d.change = (newList) => { d.list = newList; for (const fn of listeners) fn(); };
	return d;
}

test('mediaPermissionUpdate on each change; preview failures at init reach the first listener', async () => {
	const devices = devicesWith([{ kind: 'audioinput', deviceId: 'mic1', label: 'Mic' }], { denyVideo: true });
	const { meeting } = await setup({ defaults: { audio: true, video: true }, media: devices });
	/* init resolved: the camera was refused during the preview */
	assert.deepEqual(meeting.self.mediaPermissions, { audio: 'ACCEPTED', video: 'DENIED', screenshare: 'NOT_REQUESTED' });
	const errors = [];
	const updates = [];
	meeting.self.on('mediaPermissionError', (d) => errors.push([d.kind, d.message]));
	meeting.self.on('mediaPermissionUpdate', (d) => updates.push([d.kind, d.message]));
	await until(() => errors.length === 1 && updates.length === 2, 'the kept events');
	assert.deepEqual(errors, [['video', 'DENIED']]);
	assert.deepEqual(updates, [['audio', 'ACCEPTED'], ['video', 'DENIED']]);
	const late = [];
	meeting.self.on('mediaPermissionError', (d) => late.push(d));
	await tick(10);
	assert.deepEqual(late, [], 'given once');
	devices.denyVideo = false;
	await meeting.self.enableVideo();
	assert.deepEqual(updates.at(-1), ['video', 'ACCEPTED'], 'live updates after init');
	await meeting.self.disableVideo();
	await meeting.self.enableVideo();
	assert.equal(updates.length, 3, 'no update when the state stays ACCEPTED');
	assert.equal(errors.length, 1);
});

test('mediaConfiguration: audio constraints (both noise spellings), screenshare key spellings and quality, high bitrate', async () => {
	class PC extends FakePeerConnection {
		addTransceiver(track, init) {
			const t = super.addTransceiver(track, init);
			t.sender.params = { encodings: [{}] };
			t.sender.getParameters = () => structuredClone(t.sender.params);
			t.sender.setParameters = async (p) => { t.sender.params = p; };
			return t;
		}
	}
	const { janus, meeting, devices } = await setup({ media: true, options: { RTCPeerConnection: PC }, defaults: {
		audio: true, video: false,
		mediaConfiguration: {
			audio: { echoCancellation: false, noiseSupression: false, autoGainControl: false, enableStereo: true, enableHighBitrate: true },
			screenshare: { width: { ideal: 1280 }, frameRate: { ideal: 5 } },
			screenShare: { displaySurface: 'monitor' },
		},
	} });
	const gum = devices.log.find(([f]) => f === 'getUserMedia')[1];
	assert.deepEqual(gum.audio, { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 2 });
	await meeting.join();
	await until(() => janus.requests('publish').length === 1, 'publish');
	const pc = PC.instances.at(-1);
	assert.equal(pc.transceivers[0].sender.params.encodings[0].maxBitrate, 128000, 'enableHighBitrate: the encoder cap');
	await meeting.self.enableScreenShare();
	const gdm = devices.log.find(([f]) => f === 'getDisplayMedia')[1];
	assert.deepEqual(gdm.video, { displaySurface: 'monitor', width: { ideal: 1280 }, frameRate: { ideal: 5 } });
	/* updateScreenshareConstraints: the running track, and the next capture */
	const applied = [];
	meeting.self.screenShareTracks.video.applyConstraints = async (c) => { applied.push(c); };
	await meeting.self.updateScreenshareConstraints({ frameRate: { ideal: 15 } });
	assert.deepEqual(applied, [{ frameRate: { ideal: 15 } }]);
	await meeting.self.disableScreenShare();
	await meeting.self.enableScreenShare();
	const gdm2 = devices.log.filter(([f]) => f === 'getDisplayMedia')[1][1];
	assert.deepEqual(gdm2.video.frameRate, { ideal: 15 });
	/* the other spelling alone; noiseSuppression spelled right */
	const { devices: d2 } = await setup({ media: true, defaults: { audio: true, video: false,
		mediaConfiguration: { audio: { noiseSuppression: true } }, } });
	assert.deepEqual(d2.log[0][1].audio, { noiseSuppression: true });
});

test('isNonPreferredDevice: a virtual camera is avoided by default, the application\'s function decides when given', async () => {
	const cams = [{ kind: 'videoinput', deviceId: 'obs', label: 'OBS Virtual Camera' },
		{ kind: 'videoinput', deviceId: 'cam1', label: 'HD Webcam' }];
	let { meeting } = await setup({ defaults: { audio: false, video: true }, media: devicesWith(cams) });
	assert.equal(meeting.self.videoTrack.getSettings().deviceId, 'cam1');
	assert.equal(meeting.self.getCurrentDevices().video.label, 'HD Webcam');
	({ meeting } = await setup({ defaults: { audio: false, video: true, isNonPreferredDevice: (d) => d.label.startsWith('HD') },
		media: devicesWith(cams) }));
	assert.equal(meeting.self.videoTrack.getSettings().deviceId, 'obs');
});

test('autoSwitchAudioDevice: a microphone plugged in becomes the audio device (deviceUpdate); off when false', async () => {
	const mics = [{ kind: 'audioinput', deviceId: 'mic1', label: 'Built-in' }];
	const devices = devicesWith(mics);
	const { meeting } = await setup({ defaults: { audio: true, video: false }, media: devices });
	const old = meeting.self.audioTrack;
	let update;
	meeting.self.on('deviceUpdate', (d) => { update = d; });
	devices.change([...mics, { kind: 'audioinput', deviceId: 'headset', label: 'USB Headset' }]);
	await until(() => update, 'deviceUpdate');
	assert.equal(update.device.deviceId, 'headset');
	assert.equal(meeting.self.audioTrack.getSettings().deviceId, 'headset');
	assert.equal(old.readyState, 'ended');
	assert.equal(meeting.self.getCurrentDevices().audio.label, 'USB Headset');
	/* a virtual one is not switched to; nor anything when the option is false */
	update = undefined;
	devices.change([...devices.list, { kind: 'audioinput', deviceId: 'vb', label: 'VB-Audio Virtual Cable' }]);
	const off = devicesWith(mics);
	const { meeting: m2 } = await setup({ defaults: { audio: true, video: false, autoSwitchAudioDevice: false }, media: off });
	let update2;
	m2.self.on('deviceUpdate', (d) => { update2 = d; });
	off.change([...mics, { kind: 'audioinput', deviceId: 'headset', label: 'USB Headset' }]);
	await tick(20);
	assert.equal(update, undefined);
	assert.equal(update2, undefined);
	assert.equal(m2.self.audioTrack.getSettings().deviceId, 'mic1');
});

test('getCurrentDevices returns MediaDeviceInfo objects: the one setDevice got, else the live track\'s', async () => {
	const list = [{ kind: 'audioinput', deviceId: 'mic1', label: 'Mic', groupId: 'g1' },
		{ kind: 'videoinput', deviceId: 'cam1', label: 'Cam', groupId: 'g2' },
		{ kind: 'videoinput', deviceId: 'cam2', label: 'Cam 2', groupId: 'g3' },
		{ kind: 'audiooutput', deviceId: 'default', label: 'Default speaker', groupId: 'g1' }];
	const { meeting } = await setup({ defaults: { audio: true, video: true }, media: devicesWith(list) });
	let cur = meeting.self.getCurrentDevices();
	assert.deepEqual(cur.audio, list[0]);
	assert.deepEqual(cur.video, list[1]);
	assert.deepEqual(cur.speaker, list[3]);
	const cam2 = (await meeting.self.getVideoDevices())[1];
	await meeting.self.setDevice(cam2);
	cur = meeting.self.getCurrentDevices();
	assert.equal(cur.video, cam2);
	assert.equal(meeting.self.videoTrack.getSettings().deviceId, 'cam2');
});

test('self.setIsPinned, hide/show (local, events), cleanupEvents, setupTracks', async () => {
	const { janus, meeting } = await setup({ media: true });
	await meeting.join();
	assert.equal(await meeting.self.setIsPinned(true), 'peer-self');
	await meeting.self.setIsPinned(false);
	assert.deepEqual(janus.requests().map((m) => m.body.request).filter((r) => r.startsWith('participant.')),
		['participant.pin', 'participant.unpin']);
	const log = [];
	meeting.self.on('hidden', () => log.push('hidden'));
	meeting.self.on('shown', () => log.push('shown'));
	meeting.self.hide();
	assert.equal(meeting.self.isHidden, true);
	meeting.self.hide();
	meeting.self.show();
	assert.equal(meeting.self.isHidden, false);
	assert.deepEqual(log, ['hidden', 'shown']);
	meeting.self.permissions.on('chatUpdate', () => log.push('chat'));
	meeting.self.cleanupEvents();
	meeting.self.hide();
	meeting.self.permissions.emit('chatUpdate');
	assert.deepEqual(log, ['hidden', 'shown'], 'no listener left');
	/* setupTracks: acquires and, joined, publishes what it is asked */
	await meeting.self.setupTracks({ audio: true, video: false });
	assert.equal(meeting.self.audioEnabled, true);
	assert.equal(meeting.self.videoEnabled, false);
	assert.equal(janus.requests('publish').length, 1);
	assert.equal(janus.requests('publish')[0].jsep.sdp, 'm=audio 0');
});
