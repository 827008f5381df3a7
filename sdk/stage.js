/*
 * stage.js - meeting.stage (RTKStage): the local user's stage status and
 * the stage requests of docs/protocol.md (Stage), with the seeds' events
 * `stageStatusUpdate`, `stageAccessRequestUpdate`, `newStageRequest`,
 * `stageRequestApproved`, `stageRequestRejected`.
 *
 * Self-directed stage events come here from meeting.js; what the stage
 * means for publishing (media stops off stage) is meeting.js's.
 */
import { RTKEventEmitter } from './emitter.js';

export class RTKStage extends RTKEventEmitter {
	constructor(request) {
		super();
		Object.defineProperty(this, '_request', { value: request, enumerable: false });
		this.status = 'OFF_STAGE';
		this.accessRequests = [];
	}

	_setStatus(status) {
		if (!status || status === this.status)
			return false;
		this.status = status;
		this.emit('stageStatusUpdate', status);
		return true;
	}

	/* A self-directed stage event; returns true when handled. */
	_handleEvent(ev) {
		switch (ev.rtk) {
		case 'stageStatusUpdate':
			this._setStatus(ev.stageStatus);
			return true;
		case 'stageRequestApproved':
			this._setStatus(ev.stageStatus || 'ACCEPTED_TO_JOIN_STAGE');
			this.emit('stageRequestApproved', ev);
			return true;
		case 'stageRequestRejected':
			this._setStatus(ev.stageStatus || 'OFF_STAGE');
			this.emit('stageRequestRejected', ev);
			return true;
		case 'stageAccessRequestUpdate':
			this.accessRequests = ev.requests || [];
			this.emit('stageAccessRequestUpdate', this.accessRequests);
			return true;
		case 'newStageRequest':
			this.emit('newStageRequest', { count: (ev.requests || this.accessRequests).length, ...ev });
			return true;
		default:
			return false;
		}
	}

	async getAccessRequests() {
		const { data } = await this._request({ request: 'stage.getAccessRequests' });
		this.accessRequests = data.requests || [];
		return { stageRequests: this.accessRequests };
	}
	requestAccess() { return this._request({ request: 'stage.requestAccess' }); }
	cancelRequestAccess() { return this._request({ request: 'stage.cancelRequestAccess' }); }
	grantAccess(userIds) { return this._request({ request: 'stage.grantAccess', userIds: [].concat(userIds) }); }
	denyAccess(userIds) { return this._request({ request: 'stage.denyAccess', userIds: [].concat(userIds) }); }
	join() { return this._request({ request: 'stage.join' }); }
	leave() { return this._request({ request: 'stage.leave' }); }
	kick(userIds) { return this._request({ request: 'stage.kick', userIds: [].concat(userIds) }); }
}
