/*
 * participant.js - RTKParticipant: one remote participant (a peer id: one
 * presence in this session), its metadata, media state, tracks, and the
 * host controls that act on it.
 *
 * State changes arrive from meeting.js (participant events of
 * docs/protocol.md, tracks from the subscriber PeerConnection); each one
 * updates the fields first and then emits the seeds' event on the
 * participant (`audioUpdate` {audioEnabled, audioTrack}, `videoUpdate`,
 * `screenShareUpdate`, `pinned`, `unpinned`, `stageStatusUpdate`, ...),
 * which every participant map holding it re-emits with the participant
 * first.
 *
 * Tile size: each registered <video> is watched (ResizeObserver) and the
 * participant keeps the simulcast layer its largest tile needs
 * (substreamForSize of subscriber.js; no visible tile: the lowest);
 * when that changes, `_onWantedLayer(participant, substream)` (set by
 * participants.js) is told, and meeting.js asks the plugin for it.
 */
import { RTKEventEmitter } from './emitter.js';
import { attachTrack, detachTrack } from './media.js';
import { substreamForSize } from './subscriber.js';

export class RTKParticipant extends RTKEventEmitter {
	constructor(info, controls) {
		super();
		/* controls: the meeting's request function, not enumerable so a
		 * participant prints as data. */
		Object.defineProperty(this, '_request', { value: controls, enumerable: false });
		Object.defineProperty(this, '_videoElements', { value: new Set(), enumerable: false });
		/* element -> its last observed {width, height} in CSS pixels */
		Object.defineProperty(this, '_tileSizes', { value: new Map(), enumerable: false });
		Object.defineProperty(this, '_resizeObserver', { value: null, enumerable: false, writable: true });
		Object.defineProperty(this, '_wantedLayer', { value: 0, enumerable: false, writable: true });
		Object.defineProperty(this, '_onWantedLayer', { value: null, enumerable: false, writable: true });
		this.id = info.id;
		this.userId = info.userId;
		this.audioTrack = null;
		this.videoTrack = null;
		this.screenShareTracks = { audio: null, video: null };
		this.update(info);
		seedDefaults(this);
	}

	/* Metadata and media flags from a participant object of the protocol. */
	update(info) {
		this.name = info.name ?? this.name ?? '';
		this.picture = info.picture ?? this.picture ?? null;
		this.customParticipantId = info.customParticipantId ?? this.customParticipantId ?? null;
		this.clientSpecificId = this.customParticipantId;
		this.presetName = info.presetName ?? this.presetName ?? null;
		this.audioEnabled = Boolean(info.audioEnabled ?? this.audioEnabled);
		this.videoEnabled = Boolean(info.videoEnabled ?? this.videoEnabled);
		this.screenShareEnabled = Boolean(info.screenShareEnabled ?? this.screenShareEnabled);
		this.stageStatus = info.stageStatus ?? this.stageStatus ?? 'ON_STAGE';
		this.isPinned = Boolean(info.isPinned ?? this.isPinned);
	}

	get peerId() { return this.id; }

	/* Whether this subscriber receives any of its media now. */
	get mediaJoined() {
		return Boolean(this.audioTrack || this.videoTrack || this.screenShareTracks.audio || this.screenShareTracks.video);
	}

	_setMediaEnabled(kind, enabled, extra = {}) {
		if (kind === 'audio') {
			this.audioEnabled = enabled;
			this.emit('audioUpdate', { audioEnabled: enabled, audioTrack: this.audioTrack, ...extra });
		} else if (kind === 'video') {
			this.videoEnabled = enabled;
			this.emit('videoUpdate', { videoEnabled: enabled, videoTrack: this.videoTrack, ...extra });
		} else {
			this.screenShareEnabled = enabled;
			this.emit('screenShareUpdate', {
				screenShareEnabled: enabled, screenShareTracks: this.screenShareTracks, ...extra,
			});
		}
	}

	/* A remote track from the subscriber PeerConnection (or null when its
	 * m-line went inactive). type: audio | video | screenshare. */
	_setTrack(kind, type, track) {
		if (type === 'screenshare') {
			if (this.screenShareTracks[kind] === track)
				return;
			this.screenShareTracks = { ...this.screenShareTracks, [kind]: track };
			this.emit('screenShareUpdate', {
				screenShareEnabled: this.screenShareEnabled, screenShareTracks: this.screenShareTracks,
			});
		} else if (kind === 'audio') {
			if (this.audioTrack === track)
				return;
			this.audioTrack = track;
			this.emit('audioUpdate', { audioEnabled: this.audioEnabled, audioTrack: track });
		} else {
			if (this.videoTrack === track)
				return;
			this.videoTrack = track;
			for (const el of this._videoElements)
				attachTrack(el, track);
			this.emit('videoUpdate', { videoEnabled: this.videoEnabled, videoTrack: track });
		}
	}

	_setPinned(pinned) {
		if (this.isPinned === pinned)
			return;
		this.isPinned = pinned;
		this.emit(pinned ? 'pinned' : 'unpinned', this);
	}

	registerVideoElement(videoElement) {
		this._videoElements.add(videoElement);
		attachTrack(videoElement, this.videoTrack);
		this.#watchTile(videoElement);
	}

	deregisterVideoElement(videoElement) {
		this._videoElements.delete(videoElement);
		detachTrack(videoElement);
		this._tileSizes.delete(videoElement);
		if (this._resizeObserver)
			this._resizeObserver.unobserve(videoElement);
		this.#updateWantedLayer();
	}

	/* The simulcast substream this participant's tiles need now (0-2). */
	get _wantedSubstream() { return this._wantedLayer; }

	#watchTile(el) {
		const RO = globalThis.ResizeObserver;
		this._tileSizes.set(el, { width: el.clientWidth || 0, height: el.clientHeight || 0 });
		if (RO) {
			if (!this._resizeObserver) {
				this._resizeObserver = new RO((entries) => {
					for (const entry of entries) {
						if (!this._tileSizes.has(entry.target))
							continue;
						const box = entry.contentRect || {};
						this._tileSizes.set(entry.target, { width: box.width || 0, height: box.height || 0 });
					}
					this.#updateWantedLayer();
				});
			}
			this._resizeObserver.observe(el);
		}
		this.#updateWantedLayer();
	}

	#updateWantedLayer() {
		const ratio = globalThis.devicePixelRatio || 1;
		let wanted = 0;
		for (const { width, height } of this._tileSizes.values())
			wanted = Math.max(wanted, substreamForSize(width, height, ratio));
		if (wanted === this._wantedLayer)
			return;
		this._wantedLayer = wanted;
		if (this._onWantedLayer)
			this._onWantedLayer(this, wanted);
	}

	/* Left the meeting: stop watching its tiles. */
	_stopWatching() {
		if (this._resizeObserver)
			this._resizeObserver.disconnect();
		this._resizeObserver = null;
		this._tileSizes.clear();
	}

	/* Host controls (docs/protocol.md, Meeting controls). */
	/* Resolve with the participant's id, as the seeds say. */
	pin() { return this._request({ request: 'participant.pin', participantId: this.id }).then(() => this.id); }
	unpin() { return this._request({ request: 'participant.unpin', participantId: this.id }).then(() => this.id); }
	setIsPinned(pinned) { return pinned ? this.pin() : this.unpin(); }
	kick() { return this._request({ request: 'participant.kick', participantId: this.id }); }
	disableAudio(allowUnmute = true) {
		return this._request({ request: 'participant.disableAudio', participantId: this.id, allowUnmute });
	}
	disableVideo(allowUnmute = true) {
		return this._request({ request: 'participant.disableVideo', participantId: this.id, allowUnmute });
	}
	disableScreenShare(allowUnmute = true) {
		return this._request({ request: 'participant.disableScreenShare', participantId: this.id, allowUnmute });
	}

	toJSON() {
		const { id, userId, name, picture, customParticipantId, presetName, audioEnabled, videoEnabled,
			screenShareEnabled, stageStatus, isPinned } = this;
		return { id, userId, name, picture, customParticipantId, presetName, audioEnabled, videoEnabled,
			screenShareEnabled, stageStatus, isPinned };
	}
}

/* The seeds' RTKParticipant members this server has nothing for, with
 * honest values: no device info, no mediasoup producers or manual
 * subscription, no remote control; socketJoined: it is in the meeting. */
function seedDefaults(p) {
	p.device = null;
	p.producers = [];
	p.manualProducerConfig = null;
	p.supportsRemoteControl = false;
	p.socketJoined = true;
}
