/*
 * connected-meetings.js - meeting.connectedMeetings (RTKConnectedMeetings):
 * breakout rooms (docs/protocol.md, "Connected meetings"). The methods are
 * the seeds'; each is one connectedMeetings.* request on the main handle,
 * refused with the server's code (0902 without the permission, 0803, 0804,
 * 0805, 1204).
 *
 * State: `parentMeeting` and `meetings` as the last getConnectedMeetings
 * answered ({id, title, participants?}: participants only for a host, one
 * with can_alter_connected_meetings), announced with `stateUpdate`.
 *
 * Moving is the meeting's (meeting.js): when the server moves this
 * participant (roomLeft {state: 'connected-meeting', destination}), the
 * meeting leaves, joins the destination with the token it was given and
 * brings its media back up, by itself. This namespace announces it:
 * `changingMeeting` (the destination's meeting id) before, `meetingChanged`
 * ({id, title, isParent}) once joined there.
 */
import { RTKEventEmitter } from './emitter.js';

export class RTKConnectedMeetings extends RTKEventEmitter {
	constructor(request) {
		super();
		Object.defineProperty(this, '_request', { value: request, enumerable: false });
		this.parentMeeting = null;
		this.meetings = [];
	}

	async #send(name, fields = {}) {
		const reply = await this._request({ request: `connectedMeetings.${name}`, ...fields });
		return (reply && reply.data) || {};
	}

	/* {parentMeeting, meetings}: the family of the meeting this participant is in. */
	async getConnectedMeetings() {
		const data = await this.#send('getConnectedMeetings');
		this.parentMeeting = data.parentMeeting || null;
		this.meetings = Array.isArray(data.meetings) ? data.meetings : [];
		this.emit('stateUpdate', { parentMeeting: this.parentMeeting, meetings: this.meetings });
		return { parentMeeting: this.parentMeeting, meetings: this.meetings };
	}

	/* meetings: [{title}]; resolves with the created [{id, title}]. */
	async createMeetings(meetings) {
		return (await this.#send('createMeetings', { meetings })).meetings || [];
	}

	/* meetings: [{id, title}]: new titles. */
	async updateMeetings(meetings) {
		return (await this.#send('updateMeetings', { meetings })).meetings || [];
	}

	/* meetingIds: the connected meetings to end (nobody may be in them). */
	async deleteMeetings(meetingIds) {
		return (await this.#send('deleteMeetings', { meetingIds })).meetings || [];
	}

	/* Moves participants (peer or user ids) joined in the source meeting;
	 * resolves with [{id, destinationMeetingId}] of those moved. */
	async moveParticipants(sourceMeetingId, destinationMeetingId, participantIds) {
		return (await this.#send('moveParticipants',
			{ sourceMeetingId, destinationMeetingId, participantIds })).moved || [];
	}

	/* As moveParticipants, with another preset in the destination: `preset`
	 * is a preset name, or {presetName} or {presetId}. */
	async moveParticipantsWithCustomPreset(sourceMeetingId, destinationMeetingId, participantIds, preset) {
		const which = typeof preset === 'string' ? { presetName: preset } :
			{ ...(preset && preset.presetName ? { presetName: preset.presetName } : {}),
				...(preset && preset.presetId ? { presetId: preset.presetId } : {}) };
		return (await this.#send('moveParticipantsWithCustomPreset',
			{ sourceMeetingId, destinationMeetingId, participantIds, ...which })).moved || [];
	}
}
