/*
 * meta.js - meeting.meta (RTKMeta): the meeting's id, title, view type,
 * session id and start time, from the `meeting` object of roomJoined or
 * waitlisted (docs/protocol.md, join).
 */
import { RTKEventEmitter } from './emitter.js';

export class RTKMeta extends RTKEventEmitter {
	constructor(meetingId = null) {
		super();
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

	/* Local only: the server has no spotlight/tab sharing yet. */
	setBroadcastTabChanges(broadcastTabChanges) { this.broadcastTabChanges = Boolean(broadcastTabChanges); }
	setSelfActiveTab(tab) { this.selfActiveTab = tab; }
}
