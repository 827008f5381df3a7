/*
 * recording.js - meeting.recording (RTKRecording): the meeting's
 * recordings and their state (IDLE, STARTING, RECORDING, PAUSED, STOPPING)
 * from roomJoined's `recording` and `recordingUpdate` events, and
 * start/stop/pause/resume (docs/protocol.md, Recording). Emits
 * `recordingUpdate` with the new state.
 */
import { RTKEventEmitter } from './emitter.js';

export class RTKRecording extends RTKEventEmitter {
	constructor(request, defaults = {}) {
		super();
		Object.defineProperty(this, '_request', { value: request, enumerable: false });
		Object.defineProperty(this, '_defaults', { value: defaults, enumerable: false });
		this.recordingState = 'IDLE';
		this.recordings = [];
	}

	_update(r = {}) {
		const before = this.recordingState;
		this.recordingState = r.recordingState || 'IDLE';
		this.recordings = r.recordings || [];
		if (before !== this.recordingState)
			this.emit('recordingUpdate', this.recordingState);
	}

	/* options: {allowMultiple}; the config comes from defaults.recording. */
	start(options = {}) {
		const body = { request: 'recording.start', allowMultiple: Boolean(options.allowMultiple) };
		const config = options.config || this._defaults;
		if (config && Object.keys(config).length)
			body.config = config;
		return this._request(body);
	}
	stop(id) { return this._request(withId({ request: 'recording.stop' }, id)); }
	pause(id) { return this._request(withId({ request: 'recording.pause' }, id)); }
	resume(id) { return this._request(withId({ request: 'recording.resume' }, id)); }
}

function withId(body, id) {
	if (id)
		body.id = id;
	return body;
}
