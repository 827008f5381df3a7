/*
 * participants.js - meeting.participants: the four participant maps, the
 * view (mode, page, maxActiveParticipantsCount), the last active speaker,
 * and the meeting-wide host controls (waiting room, permissions, mute all,
 * kick all).
 *
 * Owns the RTKParticipant objects of the remote participants: meeting.js
 * feeds it the main handle's events (`handleEvent`), and it keeps `joined`
 * (everyone but self), `active` (those the server forwards video of:
 * activeParticipantsUpdate), `pinned` and `waitlisted` in step, emitting the
 * maps' and the namespace's events after the state changed.
 */
import { RTKEventEmitter } from './emitter.js';
import { RTKParticipantMap } from './participant-map.js';
import { RTKParticipant } from './participant.js';
import { unsupported } from './errors.js';

const KIND_OF_UPDATE = {
	audioUpdate: ['audio', 'audioEnabled'],
	videoUpdate: ['video', 'videoEnabled'],
	screenShareUpdate: ['screenshare', 'screenShareEnabled'],
};

const PEER_STAGE_EVENTS = new Set([
	'peerRequestToJoinStage', 'peerAcceptedToJoinStage', 'peerRejectedToJoinStage',
	'peerStartedPresenting', 'peerStoppedPresenting',
	'peerCancelledRequestToJoinStage',   /* not in the seeds: the request was withdrawn */
]);

export class RTKParticipants extends RTKEventEmitter {
	constructor(request) {
		super();
		Object.defineProperty(this, '_request', { value: request, enumerable: false });
		/* meeting.js: (participant, substream) when a participant's tiles
		 * need another simulcast layer (participant.js) */
		Object.defineProperty(this, '_onWantedLayer', { value: null, enumerable: false, writable: true });
		/* meeting.js: () => the pre-join answer's participants, asked on a
		 * connection of its own (getParticipantsInMeetingPreJoin) */
		Object.defineProperty(this, '_preJoin', { value: null, enumerable: false, writable: true });
		this.joined = new RTKParticipantMap();
		this.active = new RTKParticipantMap();
		this.pinned = new RTKParticipantMap();
		this.waitlisted = new RTKParticipantMap();
		this.viewMode = 'ACTIVE_GRID';
		this.currentPage = 0;
		this.pageCount = 0;
		this.maxActiveParticipantsCount = 0;
		this.lastActiveSpeaker = null;
		this.videoSubscribed = [];
		this.audioSubscribed = [];
		/* The seeds call these on the joined map too. */
		this.joined.acceptWaitingRoomRequest = (id) => this.acceptWaitingRoomRequest(id);
		this.joined.rejectWaitingRoomRequest = (id) => this.rejectWaitingRoomRequest(id);
		this.joined.acceptAllWaitingRoomRequest = () => this.acceptAllWaitingRoomRequest();
		this.pip = unsupportedPip();
		this._initSeedMembers();
	}

	get count() { return this.joined.size; }

	/* Accepts the seeds' slip `meeting.participants.toArray()`: the joined ones. */
	toArray() { return this.joined.toArray(); }

	/* Finds a remote participant by peer id or user id. */
	find(id) {
		const p = this.joined.get(id) || this.waitlisted.get(id);
		if (p)
			return p;
		for (const q of this.joined.values())
			if (q.userId === id)
				return q;
		return undefined;
	}

	_newParticipant(info) {
		const p = new RTKParticipant(info, (body) => this._request(body));
		p._onWantedLayer = (q, substream) => {
			if (this._onWantedLayer)
				this._onWantedLayer(q, substream);
		};
		return p;
	}

	/* The `participants`, `pinned`, `waitlisted` of roomJoined. */
	_reset(joinedInfo = [], pinnedIds = [], waitlistedInfo = []) {
		this._sessionStarted();
		this.joined.clear({ emit: false });
		this.active.clear({ emit: false });
		this.pinned.clear({ emit: false });
		this.waitlisted.clear({ emit: false });
		for (const info of joinedInfo) {
			const p = this._newParticipant(info);
			this.joined.add(p);
			if (p.isPinned || pinnedIds.includes(p.id)) {
				p.isPinned = true;
				this.pinned.add(p);
			}
		}
		for (const info of waitlistedInfo)
			this.waitlisted.add(this._newParticipant(info));
	}

	/* Every participant is gone (self left the meeting). */
	_clear() {
		for (const p of this.joined.values())
			p._stopWatching();
		this._sessionEnded();
		this.active.clear();
		this.pinned.clear();
		this.waitlisted.clear();
		this.joined.clear();
	}

	/*
	 * One event of the main handle. Returns true when it was about remote
	 * participants (self-directed ones are meeting.js's).
	 */
	handleEvent(ev, selfId) {
		switch (ev.rtk) {
		case 'participantJoined': {
			const info = ev.participant || {};
			if (!info.id || info.id === selfId)
				return true;
			const known = this.joined.get(info.id);
			if (known) {
				known.update(info);
				return true;
			}
			const p = this._newParticipant(info);
			this.joined.add(p);
			if (p.isPinned)
				this.pinned.add(p);
			return true;
		}
		case 'participantLeft': {
			const p = this.joined.get(ev.participantId);
			if (!p)
				return true;
			this.active.delete(p.id);
			this.pinned.delete(p.id);
			this.joined.delete(p.id);
			p._stopWatching();
			return true;
		}
		case 'audioUpdate':
		case 'videoUpdate':
		case 'screenShareUpdate': {
			if (ev.participantId === selfId)
				return false;
			const p = this.joined.get(ev.participantId);
			const [kind, field] = KIND_OF_UPDATE[ev.rtk];
			if (p) {
				const extra = {};
				if (ev.disabledBy !== undefined)
					extra.disabledBy = ev.disabledBy;
				p._setMediaEnabled(kind, Boolean(ev[field]), extra);
			}
			return true;
		}
		case 'broadcastedMessage':
			/* participants.broadcastMessage from anyone, self included */
			this.emit('broadcastedMessage', { type: ev.type, payload: ev.payload, timestamp: ev.timestamp,
				senderId: ev.senderId, ...(ev.meetingId ? { meetingId: ev.meetingId } : {}) });
			return true;
		case 'participantPinned':
		case 'participantUnpinned': {
			const pinned = ev.rtk === 'participantPinned';
			if (ev.participantId === selfId)
				return false;
			const p = this.joined.get(ev.participantId);
			if (p) {
				p._setPinned(pinned);
				if (pinned)
					this.pinned.add(p);
				else
					this.pinned.delete(p.id);
			}
			return true;
		}
		case 'waitlistedParticipantJoined': {
			const info = ev.participant || {};
			if (info.id && !this.waitlisted.has(info.id))
				this.waitlisted.add(this._newParticipant(info));
			return true;
		}
		case 'waitlistedParticipantLeft':
			this.waitlisted.delete(ev.participantId);
			return true;
		case 'activeParticipantsUpdate': {
			const ids = ev.active || [];
			for (const id of [...this.active.keys()])
				if (!ids.includes(id))
					this.active.delete(id);
			for (const id of ids) {
				const p = this.joined.get(id);
				if (p && !this.active.has(id))
					this.active.add(p);
			}
			this._setSubscribed(ids, ev.videoSubscribed, ev.audioSubscribed);
			this.emit('activeParticipantsUpdate', this.active.toArray());
			return true;
		}
		case 'activeSpeaker': {
			this.lastActiveSpeaker = ev.participantId;
			this.emit('activeSpeaker', { peerId: ev.participantId, participantId: ev.participantId, userId: ev.userId });
			return true;
		}
		case 'viewModeUpdate': {
			const modeChanged = ev.viewMode !== this.viewMode;
			const pageChanged = ev.currentPage !== this.currentPage || ev.pageCount !== this.pageCount;
			this.viewMode = ev.viewMode ?? this.viewMode;
			this.currentPage = ev.currentPage ?? this.currentPage;
			this.pageCount = ev.pageCount ?? this.pageCount;
			this.maxActiveParticipantsCount = ev.maxActiveParticipantsCount ?? this.maxActiveParticipantsCount;
			const state = { viewMode: this.viewMode, currentPage: this.currentPage, pageCount: this.pageCount };
			if (modeChanged)
				this.emit('viewModeChanged', state);
			if (pageChanged)
				this.emit('pageChanged', state);
			return true;
		}
		default:
			if (PEER_STAGE_EVENTS.has(ev.rtk)) {
				const p = this.joined.get(ev.participantId);
				if (p) {
					if (ev.stageStatus)
						p.stageStatus = ev.stageStatus;
					p.emit(ev.rtk, { participantId: p.id, userId: p.userId, stageStatus: p.stageStatus });
				}
				return true;
			}
			return false;
		}
	}

	/* View (docs/protocol.md, Views and the active speaker). */
	setViewMode(viewMode) { return this._request({ request: 'participants.setViewMode', viewMode }); }
	setPage(page) { return this._request({ request: 'participants.setPage', page }); }
	setMaxActiveParticipantsCount(count) {
		return this._request({ request: 'participants.setMaxActiveParticipantsCount', count });
	}

	/* Waiting room. */
	acceptWaitingRoomRequest(id) {
		return this._request({ request: 'participants.acceptWaitingRoomRequest', id: idOf(id) });
	}
	acceptAllWaitingRoomRequest() {
		return this._request({ request: 'participants.acceptAllWaitingRoomRequest' });
	}
	rejectWaitingRoomRequest(id) {
		return this._request({ request: 'participants.rejectWaitingRoomRequest', id: idOf(id) });
	}

	/* Meeting-wide host controls. */
	updatePermissions(participantIds, permissions) {
		return this._request({
			request: 'participants.updatePermissions',
			participantIds: [].concat(participantIds).map(idOf), permissions,
		});
	}
	disableAllAudio(allowUnmute = true) {
		return this._request({ request: 'participants.disableAllAudio', allowUnmute });
	}
	disableAllVideo(allowUnmute = true) {
		return this._request({ request: 'participants.disableAllVideo', allowUnmute });
	}
	kickAll() { return this._request({ request: 'participants.kickAll' }); }

	/* ---- the seeds' RTKParticipants members added for issue 9 (audit items 3, 13-15) ---- */

	/* `all` (everyone added to `joined` this session, kept after they
	 * leave), the socketJoined/mediaJoined flags, selectedPeers. */
	_initSeedMembers() {
		this.all = new RTKParticipantMap();
		this.socketJoined = false;
		this.mediaJoined = false;
		this.selectedPeers = [];
		Object.defineProperty(this.joined, '_onAdd', { value: (p) => this.all.add(p), enumerable: false });
	}

	_sessionStarted() {
		this.all.clear({ emit: false });
		this.socketJoined = true;
	}

	_sessionEnded() {
		this.socketJoined = false;
		this.mediaJoined = false;
		this.selectedPeers = [];
		this.videoSubscribed = [];
		this.audioSubscribed = [];
	}

	/* The subscriber handle is subscribed (meeting.js). */
	_setMediaJoined(joined) { this.mediaJoined = Boolean(joined); }

	/* activeParticipantsUpdate: the server's selection (peer ids) and the
	 * participants whose video/audio this subscriber receives. */
	_setSubscribed(selected, videoIds = [], audioIds = []) {
		const objects = (ids) => ids.map((id) => this.joined.get(id)).filter(Boolean);
		this.selectedPeers = [...selected];
		this.videoSubscribed = objects(videoIds);
		this.audioSubscribed = objects(audioIds);
	}

	/* Host controls on one participant (peer id, user id or object). */
	#one(request, id, extra = {}) {
		const p = this.find(idOf(id));
		return this._request({ request, participantId: p ? p.id : idOf(id), ...extra });
	}
	disableAudio(participantId, allowUnmute = true) {
		return this.#one('participant.disableAudio', participantId, { allowUnmute });
	}
	disableVideo(participantId, allowUnmute = true) {
		return this.#one('participant.disableVideo', participantId, { allowUnmute });
	}
	kick(participantId) { return this.#one('participant.kick', participantId); }

	getAllJoinedPeers() { return this.joined.toArray(); }

	/*
	 * Before joining: the participants in the meeting now, as the server
	 * lists them to this participant (docs/protocol.md, Before joining:
	 * none when its preset may not show the participant list, never the
	 * hidden ones), as plain participant objects. Joined: the joined ones,
	 * as the seeds advise (meeting.participants.joined).
	 */
	async getParticipantsInMeetingPreJoin() {
		return this._preJoin ? this._preJoin() : this.joined.toArray();
	}

	/*
	 * Sends {type, payload} to the participants `target` names
	 * ({participantIds: [...]} or {presetName}), or to everyone, self
	 * included, without one; {meetingIds: [...]} sends to everyone in those
	 * meetings of the connected-meetings family instead (with {presetName}:
	 * those with that preset). They get 'broadcastedMessage' {type, payload,
	 * timestamp, senderId} (and meetingId, the sender's, from another
	 * meeting) on meeting.participants. Resolves with how many
	 * got it (docs/protocol.md, Messages between participants).
	 */
	async broadcastMessage(type, payload, target = {}) {
		const body = { request: 'participants.broadcastMessage', type, payload };
		if (target && target.participantIds)
			body.participantIds = target.participantIds.map(idOf);
		if (target && target.presetName)
			body.presetName = target.presetName;
		if (target && Array.isArray(target.meetingIds))
			body.meetingIds = target.meetingIds;
		const reply = await this._request(body);
		return reply && reply.data && typeof reply.data.recipients === 'number' ? reply.data.recipients : undefined;
	}
}

/* Picture-in-picture is not implemented: isSupported is false and every
 * method rejects (docs/sdk.md). */
function unsupportedPip() {
	const no = () => Promise.reject(unsupported('pip', 'picture-in-picture (meeting.participants.pip)',
		'this SDK does not implement picture-in-picture'));
	return { isSupported: false, init: no, enable: no, disable: no };
}

/* Methods take an id or a participant object. */
function idOf(x) {
	return x && typeof x === 'object' ? x.id : x;
}
