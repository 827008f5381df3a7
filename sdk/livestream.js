/*
 * livestream.js - meeting.livestream (RTKLivestream): status (IDLE,
 * STARTING, LIVESTREAMING, STOPPING), playbackUrl and viewerCount from
 * roomJoined's `livestream`, `livestreamUpdate` and `viewerCountUpdate`,
 * and start/stop (docs/protocol.md, Livestream). Emits `livestreamUpdate`
 * with the status and `viewerCountUpdate` with the count.
 */
import { RTKEventEmitter } from './emitter.js';

export class RTKLivestream extends RTKEventEmitter {
	constructor(request) {
		super();
		Object.defineProperty(this, '_request', { value: request, enumerable: false });
		this.status = 'IDLE';
		this.state = 'IDLE';
		this.playbackUrl = null;
		this.viewerCount = 0;
		this.id = null;
	}

	_update(l = {}) {
		const before = this.status;
		this.status = l.status || 'IDLE';
		this.state = this.status;
		this.playbackUrl = l.playbackUrl ?? (this.status === 'IDLE' ? null : this.playbackUrl);
		this.id = l.id ?? this.id;
		if (typeof l.viewerCount === 'number')
			this._setViewerCount(l.viewerCount);
		if (before !== this.status)
			this.emit('livestreamUpdate', this.status);
	}

	_setViewerCount(n) {
		if (n === this.viewerCount)
			return;
		this.viewerCount = n;
		this.emit('viewerCountUpdate', n);
	}

	start() { return this._request({ request: 'livestream.start' }); }
	stop() { return this._request({ request: 'livestream.stop' }); }
}
