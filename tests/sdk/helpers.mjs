/*
 * helpers.mjs - the meeting fixture of the SDK unit tests: a participant
 * token, the roomJoined event of a host, and setup(), which inits a meeting
 * wired to a FakeJanus that answers join, subscribe, publish, start and
 * leave as janus.plugin.rtk does (docs/protocol.md). Not a test file
 * (run.sh runs *.test.mjs only).
 */
import RealtimeKitClient from '../../sdk/rtk-core.js';
import { FakeJanus, FakePeerConnection, fakeMediaDevices } from './fake_janus.mjs';

/* A token whose payload carries the claims (the signature is the server's business). */
export function token(claims = { orgId: 'org1', meetingId: 'm1', participantId: 'u-self', presetId: 'p1' }) {
	const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
	return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}.sig`;
}

export const HOST_PERMISSIONS = {
	accept_waiting_requests: true, kick_participant: true, pin_participant: true, can_record: true,
	can_livestream: true, disable_participant_audio: true, disable_participant_video: true,
	stage_enabled: false, stage_access: 'ALLOWED', waiting_room_type: 'SKIP', show_participant_list: true,
	can_change_participant_permissions: true,
	media: { audio: { can_produce: 'ALLOWED' }, video: { can_produce: 'ALLOWED' }, screenshare: { can_produce: 'ALLOWED' } },
	chat: { public: { can_send: true, text: true, files: true }, private: { can_send: true, can_receive: true, text: true, files: false } },
	polls: { can_create: true, can_vote: true, can_view: true },
	plugins: { can_start: false, can_close: false, can_edit_config: false, config: {} },
};

/* A preset config as the server sends it (docs/rest.md, presets). */
export const GROUP_CALL_CONFIG = {
	view_type: 'GROUP_CALL', max_video_streams: { mobile: 6, desktop: 25 }, max_screenshare_count: 1,
	media: { audio: { enable_stereo: false, enable_high_bitrate: false }, video: { quality: 'hd', frame_rate: 30 },
		screenshare: { quality: 'hd', frame_rate: 5 } },
};

export const ada = { id: 'peer-ada', userId: 'u-ada', name: 'Ada', picture: null, customParticipantId: 'ada@x',
	presetName: 'group_call_participant', audioEnabled: true, videoEnabled: false, screenShareEnabled: false,
	stageStatus: 'ON_STAGE', isPinned: false };
export const bob = { ...ada, id: 'peer-bob', userId: 'u-bob', name: 'Bob', customParticipantId: 'bob@x', audioEnabled: false };

export function roomJoined(extra = {}) {
	return {
		rtk: 'roomJoined',
		self: { id: 'peer-self', userId: 'u-self', name: 'Self', picture: null, customParticipantId: 'me@x',
			presetName: 'group_call_host', audioEnabled: false, videoEnabled: false, screenShareEnabled: false,
			permissions: HOST_PERMISSIONS, config: GROUP_CALL_CONFIG, roomState: 'joined' },
		meeting: { meetingId: 'm1', meetingTitle: 'Standup', sessionId: 's1',
			meetingStartedTimestamp: '2026-11-22T09:00:00.000Z', viewType: 'GROUP_CALL' },
		participants: [ada],
		pinned: [],
		recording: { recordingState: 'IDLE', recordings: [] },
		livestream: { status: 'IDLE', viewerCount: 0 },
		...extra,
	};
}

/* The plugin's answers; `join` is the event a join gets. */
export function pluginAnswers(join) {
	return (handle, body, jsep) => {
		switch (body.request) {
		case 'join':
			return { data: typeof join === 'function' ? join() : join };
		case 'subscribe':
			return { data: { rtk: 'subscribed', streams: [] } };
		case 'publish':
			return { data: { rtk: 'published', streams: jsep.sdp.split('\n').map((l, i) => {
				const kind = l.split(' ')[0].slice(2);
				const type = body.descriptions && body.descriptions.some((d) => d.mid === String(i)) ? 'screenshare' : kind;
				return { mid: String(i), kind, type };
			}) }, jsep: { type: 'answer', sdp: 'answer' } };
		case 'start':
			return { data: { rtk: 'started' } };
		case 'leave':
			return { data: { rtk: 'roomLeft', state: 'left' } };
		default:
			return { data: { rtk: 'ok', request: body.request } };
		}
	};
}

/*
 * A meeting on a fake Janus. media: true gives fake devices (or pass a
 * mediaDevices object); options are merged into init's.
 */
export async function setup({ defaults = { audio: false, video: false }, join = roomJoined(), media = false,
	options = {} } = {}) {
	const janus = new FakeJanus();
	janus.onMessage = pluginAnswers(join);
	const devices = media === true ? fakeMediaDevices() : media || null;
	const meeting = await RealtimeKitClient.init({
		authToken: token(), baseURI: 'http://10.77.0.1:8080', janusURL: 'ws://10.77.0.1:8188/', defaults,
		WebSocket: janus.WebSocket, RTCPeerConnection: FakePeerConnection,
		mediaDevices: devices, keepaliveMs: 0, ...options,
	});
	return { janus, meeting, devices };
}
