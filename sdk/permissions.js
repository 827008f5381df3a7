/*
 * permissions.js - the seeds' camelCase view (RTKPermissionsPreset) of the
 * snake_case permissions the server sends in roomJoined and
 * permissionsUpdate (the preset's `permissions` in docs/rest.md).
 *
 * `meeting.self.permissions` is this view; the raw object stays reachable
 * as `permissions.raw` for keys the view does not name yet.
 */

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
		polls: { canCreate: Boolean(polls.can_create), canVote: Boolean(polls.can_vote), canView: Boolean(polls.can_view) },
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
		isRecorder: Boolean(raw.is_recorder),
		recorderType: raw.recorder_type || 'NONE',
		canPresent: screen === 'ALLOWED',
		maxScreenShareCount: 1,
	};
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
