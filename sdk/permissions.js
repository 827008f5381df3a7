/*
 * permissions.js - the seeds' camelCase views of the preset the server
 * sends in roomJoined and permissionsUpdate (docs/rest.md, presets):
 *
 * - RTKPermissionsPreset (`meeting.self.permissions`): the permissions, an
 *   emitter that keeps its identity across updates (listeners stay) and
 *   emits `chatUpdate`, `pollsUpdate`, `pluginsUpdate` when that area
 *   changed, then `permissionsUpdate` (the view) for any change; `*`
 *   listeners get each of them with the event name first. Its methods are
 *   on the prototype, so Object.keys and JSON show the permissions only.
 * - configView (`meeting.self.config`): RTKThemePreset's names (viewType,
 *   maxVideoStreams, maxScreenShareCount, ...) over the snake_case config.
 *
 * Both keep the server's object as the non-enumerable `raw`.
 */
import { RTKEventEmitter } from './emitter.js';

function produce(raw, kind) {
	const m = raw.media && raw.media[kind];
	return (m && m.can_produce) || 'NOT_ALLOWED';
}

export function permissionsView(raw = {}) {
	const chat = raw.chat || {};
	const pub = chat.public || {};
	const priv = chat.private || {};
	const polls = raw.polls || {};
	const plugins = raw.plugins || {};
	const connected = raw.connected_meetings || {};
	const audio = produce(raw, 'audio');
	const video = produce(raw, 'video');
	const screen = produce(raw, 'screenshare');
	const view = {
		stageEnabled: Boolean(raw.stage_enabled),
		stageAccess: raw.stage_access || 'NOT_ALLOWED',
		acceptWaitingRequests: Boolean(raw.accept_waiting_requests),
		acceptStageRequests: Boolean(raw.accept_stage_requests),
		acceptPresentRequests: Boolean(raw.accept_stage_requests),
		canAcceptProductionRequests: Boolean(raw.can_accept_production_requests),
		requestProduceAudio: audio === 'CAN_REQUEST',
		requestProduceVideo: video === 'CAN_REQUEST',
		requestProduceScreenshare: screen === 'CAN_REQUEST',
		requestProduce: audio === 'CAN_REQUEST' || video === 'CAN_REQUEST',
		canAllowParticipantAudio: Boolean(raw.disable_participant_audio),
		canAllowParticipantVideo: Boolean(raw.disable_participant_video),
		canAllowParticipantScreensharing: Boolean(raw.disable_participant_screensharing),
		canDisableParticipantAudio: Boolean(raw.disable_participant_audio),
		canDisableParticipantVideo: Boolean(raw.disable_participant_video),
		canDisableParticipantScreensharing: Boolean(raw.disable_participant_screensharing),
		kickParticipant: Boolean(raw.kick_participant),
		pinParticipant: Boolean(raw.pin_participant),
		canRecord: Boolean(raw.can_record),
		canLivestream: Boolean(raw.can_livestream),
		canSpotlight: Boolean(raw.can_spotlight),
		canEditDisplayName: Boolean(raw.can_edit_display_name),
		waitingRoomType: raw.waiting_room_type || 'SKIP',
		waitingRoomBehaviour: raw.waiting_room_type || 'SKIP',
		produceAudio: audio,
		produceVideo: video,
		produceScreenshare: screen,
		canProduceAudio: audio,
		canProduceVideo: video,
		canProduceScreenshare: screen,
		chatPublic: { canSend: Boolean(pub.can_send), text: Boolean(pub.text), files: Boolean(pub.files) },
		chatPrivate: {
			canSend: Boolean(priv.can_send), canReceive: Boolean(priv.can_receive),
			text: Boolean(priv.text), files: Boolean(priv.files),
		},
		polls: pollsView(polls),
		plugins: {
			canStart: Boolean(plugins.can_start), canClose: Boolean(plugins.can_close),
			canEditConfig: Boolean(plugins.can_edit_config), config: plugins.config || {},
		},
		connectedMeetings: {
			canAlterConnectedMeetings: Boolean(connected.can_alter_connected_meetings),
			canSwitchConnectedMeetings: Boolean(connected.can_switch_connected_meetings),
			canSwitchToParentMeeting: Boolean(connected.can_switch_to_parent_meeting),
		},
		hiddenParticipant: Boolean(raw.hidden_participant),
		showParticipantList: raw.show_participant_list !== false,
		canChangeParticipantPermissions: Boolean(raw.can_change_participant_permissions),
		canChangeParticipantRole: Boolean(raw.can_change_participant_permissions),
		canChangeTheme: Boolean(raw.can_change_theme),
		isRecorder: Boolean(raw.is_recorder),
		recorderType: raw.recorder_type || 'NONE',
		canPresent: screen === 'ALLOWED',
		maxScreenShareCount: 1,
	};
	Object.defineProperty(view, 'raw', { value: raw, enumerable: false });
	return view;
}

/* polls: the seeds' canViewResults; canView (the name this SDK had) stays
 * as a non-enumerable alias. */
function pollsView(polls) {
	const v = { canCreate: Boolean(polls.can_create), canVote: Boolean(polls.can_vote),
		canViewResults: Boolean(polls.can_view) };
	Object.defineProperty(v, 'canView', { get: () => v.canViewResults, enumerable: false });
	return v;
}

/* The areas with their own update event, and the view keys of each. */
const AREAS = {
	chatUpdate: ['chatPublic', 'chatPrivate'],
	pollsUpdate: ['polls'],
	pluginsUpdate: ['plugins'],
};

export class RTKPermissionsPreset extends RTKEventEmitter {
	constructor(raw = {}) {
		super();
		Object.defineProperty(this, 'raw', { value: raw, enumerable: false, writable: true });
		Object.assign(this, permissionsView(raw));
	}

	/* New permissions from the server: the fields change in place, then
	 * the events of what changed. Returns whether anything changed. */
	_update(raw = {}) {
		const next = permissionsView(raw);
		const before = JSON.stringify(this);
		const changed = Object.keys(AREAS).filter((ev) =>
			AREAS[ev].some((k) => JSON.stringify(this[k]) !== JSON.stringify(next[k])));
		this.raw = raw;
		Object.assign(this, next);
		if (JSON.stringify(this) === before)
			return false;
		for (const ev of changed)
			this.emit(ev, AREAS[ev].length === 1 ? this[AREAS[ev][0]] : { chatPublic: this.chatPublic, chatPrivate: this.chatPrivate });
		this.emit('permissionsUpdate', this);
		return true;
	}
}

/* RTKThemePreset names that a plain snake_case to camelCase would miss. */
const CONFIG_NAMES = { max_screenshare_count: 'maxScreenShareCount' };

function camel(key) {
	return CONFIG_NAMES[key] || key.replace(/_([a-z0-9])/g, (m, c) => c.toUpperCase());
}

function camelDeep(v) {
	if (Array.isArray(v))
		return v.map(camelDeep);
	if (!v || typeof v !== 'object')
		return v;
	const out = {};
	for (const [k, x] of Object.entries(v))
		out[camel(k)] = camelDeep(x);
	return out;
}

/*
 * meeting.self.config: every key of the server's config in camelCase
 * (viewType, maxVideoStreams {mobile, desktop}, maxScreenShareCount,
 * media {audio {enableStereo, ...}, video {quality, frameRate}, ...}),
 * with RTKThemePreset's livestreamViewerQualities and disabledPlugins
 * empty when the server has none. The deprecated UI members (setupScreen,
 * controlBar, header, ...) are absent: this server has no UI config.
 */
export function configView(raw = {}) {
	const view = { livestreamViewerQualities: [], disabledPlugins: [], ...camelDeep(raw) };
	Object.defineProperty(view, 'raw', { value: raw, enumerable: false });
	return view;
}

/* Whether the preset lets this participant publish a kind right now
 * (ALLOWED; CAN_REQUEST needs the stage). */
export function mayProduce(view, kind, stageStatus) {
	const v = kind === 'audio' ? view.canProduceAudio : kind === 'video' ? view.canProduceVideo : view.canProduceScreenshare;
	if (view.stageEnabled && stageStatus !== 'ON_STAGE')
		return false;
	return v === 'ALLOWED' || (v === 'CAN_REQUEST' && view.stageEnabled && stageStatus === 'ON_STAGE');
}
