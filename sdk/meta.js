/*
 * meta.js - meeting.meta (RTKMeta): the meeting's id, title, view type,
 * session id and start time, from the `meeting` object of roomJoined or
 * waitlisted (docs/protocol.md, join); and the spotlight (docs/protocol.md,
 * Spotlight): this participant's active tab (selfActiveTab), whether it
 * broadcasts its tab changes (broadcastTabChanges), and, while another
 * participant broadcasts, following that participant's tab.
 *
 * Events: 'metaUpdate' (this) whenever any of it changes; 'activeTabUpdate'
 * {tab, participantId} when the spotlighter moves this participant's tab;
 * 'spotlightEnded' {participantId, reason} when the spotlight this
 * participant followed ends; 'broadcastTabChangesUpdate'
 * {broadcastTabChanges, reason, participantId} when this participant stops
 * broadcasting because another took over or it lost can_spotlight.
 */
import { RTKEventEmitter } from './emitter.js';

export class RTKMeta extends RTKEventEmitter {
	constructor(meetingId = null, request = null) {
		super();
		Object.defineProperty(this, '_request', { value: request, enumerable: false });
		/* the peer id of the participant this one follows, or null */
		Object.defineProperty(this, '_following', { value: null, enumerable: false, writable: true });
		this.meetingId = meetingId;
		this.meetingTitle = null;
		this.sessionId = null;
		this.meetingStartedTimestamp = null;
		this.viewType = null;
		this.selfActiveTab = null;
		this.broadcastTabChanges = false;
	}

	_update(m = {}) {
		this.meetingId = m.meetingId ?? this.meetingId;
		this.meetingTitle = m.meetingTitle ?? this.meetingTitle;
		this.sessionId = m.sessionId ?? this.sessionId;
		this.meetingStartedTimestamp = m.meetingStartedTimestamp ? new Date(m.meetingStartedTimestamp) : this.meetingStartedTimestamp;
		this.viewType = m.viewType ?? this.viewType;
		this.emit('metaUpdate', this);
	}

	/*
	 * roomJoined's or sync's `spotlight` ({participantId, tab} or null),
	 * seen by participant `selfId`: this participant broadcasts when it is
	 * the spotlighter; otherwise it follows the spotlighter's tab (an
	 * activeTabUpdate when the tab differs from its own).
	 */
	_applySpotlight(spotlight, selfId) {
		const by = spotlight && typeof spotlight.participantId === 'string' ? spotlight.participantId : null;
		const mine = by !== null && by === selfId;
		this._following = mine ? null : by;
		let changed = this.broadcastTabChanges !== mine;
		this.broadcastTabChanges = mine;
		if (!mine && by !== null && spotlight.tab && !sameTab(spotlight.tab, this.selfActiveTab)) {
			this.selfActiveTab = spotlight.tab;
			this.emit('activeTabUpdate', { tab: spotlight.tab, participantId: by });
			changed = true;
		}
		if (changed)
			this.emit('metaUpdate', this);
	}

	/* Events of the main handle; true when handled. */
	_handleEvent(ev) {
		switch (ev.rtk) {
		case 'activeTabUpdate':
			this._following = ev.participantId ?? null;
			this.selfActiveTab = ev.tab ?? null;
			this.emit('activeTabUpdate', { tab: this.selfActiveTab, participantId: this._following });
			this.emit('metaUpdate', this);
			return true;
		case 'spotlightEnded':
			if (this._following === ev.participantId)
				this._following = null;
			this.emit('spotlightEnded', { participantId: ev.participantId, reason: ev.reason });
			return true;
		case 'broadcastTabChangesUpdate':
			this.broadcastTabChanges = Boolean(ev.broadcastTabChanges);
			this.emit('broadcastTabChangesUpdate', { broadcastTabChanges: this.broadcastTabChanges,
				reason: ev.reason, participantId: ev.participantId ?? null });
			this.emit('metaUpdate', this);
			return true;
		default:
			return false;
		}
	}

	/* The room is left: nobody is followed, nothing is broadcast. */
	_left() {
		this._following = null;
		this.broadcastTabChanges = false;
	}

	/*
	 * Turns the broadcasting of this participant's tab changes on (needs
	 * can_spotlight: rejects with 0902) or off: while on, every other
	 * participant follows each tab set with setSelfActiveTab. One
	 * participant broadcasts at a time: the latest to turn it on takes over.
	 */
	async setBroadcastTabChanges(broadcastTabChanges) {
		const enabled = Boolean(broadcastTabChanges);
		await this._request({ request: 'meta.setBroadcastTabChanges', enabled });
		if (this.broadcastTabChanges !== enabled) {
			this.broadcastTabChanges = enabled;
			if (enabled)
				this._following = null;
			this.emit('metaUpdate', this);
		}
	}

	/*
	 * Sets this participant's active tab, {type, id} (type: a non-empty
	 * string of at most 32 bytes; id: a string of at most 128 bytes, or
	 * null): the others follow it while this participant broadcasts. Rejects
	 * with 0001 for a tab out of those limits, 0012 past 20 a second.
	 */
	async setSelfActiveTab(spotlightTab) {
		const tab = spotlightTab && typeof spotlightTab === 'object'
			? { type: spotlightTab.type, id: spotlightTab.id ?? null } : spotlightTab;
		await this._request({ request: 'meta.setSelfActiveTab', tab });
		this.selfActiveTab = tab;
		this.emit('metaUpdate', this);
	}
}

function sameTab(a, b) {
	return Boolean(a) && Boolean(b) && a.type === b.type && (a.id ?? null) === (b.id ?? null);
}
