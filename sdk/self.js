/*
 * self.js - meeting.self (RTKSelf): the local participant. Ids, name,
 * permissions (the seeds' camelCase view), config, roomState, local media
 * (tracks, enable/disable of audio, video and screenshare, devices,
 * <video> elements) and the self events (`roomJoined`, `roomLeft`,
 * `waitlisted`, `audioUpdate`, `videoUpdate`, `screenShareUpdate`,
 * `mediaPermissionError`, `permissionsUpdate`, `pinned`, `unpinned`,
 * `deviceUpdate`).
 *
 * Owns the local MediaStreamTracks. Before join, enable/disable only
 * acquires or stops them (the pre-call preview); once joined, meeting.js
 * gives it a Publisher, and enabling a kind publishes it (first time) or
 * swaps the track back in and sends `configure` (docs/protocol.md).
 *
 * Middlewares (middleware.js): with audio or video middlewares added, the
 * captured track is `rawAudioTrack`/`rawVideoTrack` and `audioTrack`/
 * `videoTrack` (shown in registered elements, and sent) is the
 * middlewares' output; adding or removing one rebuilds the output and
 * swaps it into the sender. `mediaScoreUpdate` is emitted here by
 * meeting.js (stats.js).
 */
import { RTKEventEmitter } from './emitter.js';
import { RTKError, SELF_MEDIA, NOT_JOINED } from './errors.js';
import { permissionsView, mayProduce } from './permissions.js';
import { attachTrack, detachTrack, videoConstraints, audioConstraints } from './media.js';
import { VideoMiddlewares, AudioMiddlewares } from './middleware.js';

const ENABLED_FIELD = { audio: 'audioEnabled', video: 'videoEnabled', screenshare: 'screenShareEnabled' };

export class RTKSelf extends RTKEventEmitter {
	constructor(ctx) {
		super();
		/* ctx: {request, mediaDevices, mediaConfiguration, stage} from meeting.js */
		Object.defineProperty(this, '_ctx', { value: ctx, enumerable: false });
		Object.defineProperty(this, '_videoElements', { value: new Map(), enumerable: false });
		Object.defineProperty(this, '_publisher', { value: null, enumerable: false, writable: true });
		Object.defineProperty(this, '_devices', { value: {}, enumerable: false, writable: true });
		Object.defineProperty(this, '_videoMiddlewares', { value: new VideoMiddlewares(), enumerable: false });
		Object.defineProperty(this, '_audioMiddlewares', { value: new AudioMiddlewares(), enumerable: false });
		/* kind -> {track, stop} of the running middleware pipeline */
		Object.defineProperty(this, '_pipelines', { value: { audio: null, video: null }, enumerable: false });
		/* updateVideoConstraints / updateScreenshareConstraints, for the next capture too */
		Object.defineProperty(this, '_constraints', { value: { video: null, screenshare: null }, enumerable: false });
		this.id = null;
		this.userId = ctx.tokenClaims.participantId || null;
		this.organizationId = ctx.tokenClaims.orgId || null;
		this.name = '';
		this.picture = null;
		this.customParticipantId = null;
		this.presetName = null;
		this.permissions = permissionsView({});
		this.config = {};
		this.roomState = 'init';
		this.roomJoined = false;
		this.isPinned = false;
		this.audioEnabled = false;
		this.videoEnabled = false;
		this.screenShareEnabled = false;
		this.audioTrack = null;
		this.videoTrack = null;
		this.rawAudioTrack = null;
		this.rawVideoTrack = null;
		this.screenShareTracks = { audio: null, video: null };
		this.mediaPermissions = { audio: 'NOT_REQUESTED', video: 'NOT_REQUESTED', screenshare: 'NOT_REQUESTED' };
	}

	get peerId() { return this.id; }
	get stageStatus() { return this._ctx.stage.status; }

	/* The `self` of roomJoined / waitlisted. */
	_update(info = {}) {
		this.id = info.id ?? this.id;
		this.userId = info.userId ?? this.userId;
		this.name = info.name ?? this.name;
		this.picture = info.picture ?? this.picture;
		this.customParticipantId = info.customParticipantId ?? this.customParticipantId;
		this.presetName = info.presetName ?? this.presetName;
		if (info.permissions)
			this.permissions = permissionsView(info.permissions);
		if (info.config)
			this.config = info.config;
		if (info.isPinned !== undefined)
			this.isPinned = Boolean(info.isPinned);
		if (info.stageStatus)
			this._ctx.stage.status = info.stageStatus;
	}

	_setRoomState(state) {
		this.roomState = state;
		this.roomJoined = state === 'joined';
	}

	/* ---- local media ---- */

	#devices() {
		const d = this._ctx.mediaDevices();
		if (!d)
			throw new RTKError(SELF_MEDIA, 'no mediaDevices in this environment (needs a browser and a secure context)');
		return d;
	}

	async #acquire(kind) {
		const cfg = this._ctx.mediaConfiguration || {};
		try {
			if (kind === 'screenshare') {
				const surface = cfg.screenShare && cfg.screenShare.displaySurface;
				const video = { ...(surface ? { displaySurface: surface } : {}), ...(this._constraints.screenshare || {}) };
				const stream = await this.#devices().getDisplayMedia({
					video: Object.keys(video).length ? video : true, audio: false,
				});
				this.mediaPermissions.screenshare = 'ACCEPTED';
				return stream.getVideoTracks()[0];
			}
			const constraints = kind === 'audio'
				? { audio: audioConstraints(cfg.audio, this._devices.audio) }
				: { video: withConstraints(videoConstraints(cfg.video, this._devices.video), this._constraints.video) };
			const stream = await this.#devices().getUserMedia(constraints);
			this.mediaPermissions[kind] = 'ACCEPTED';
			return kind === 'audio' ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0];
		} catch (e) {
			const denied = e && (e.name === 'NotAllowedError' || e.name === 'SecurityError');
			this.mediaPermissions[kind] = denied ? 'DENIED' : 'COULD_NOT_START';
			this.emit('mediaPermissionError', { message: this.mediaPermissions[kind], kind, error: e });
			throw e instanceof RTKError ? e : new RTKError(SELF_MEDIA, `could not capture ${kind}: ${e && e.message}`);
		}
	}

	/* Sets a kind's captured track (null: none) and what is shown and sent:
	 * the captured track, or the output of the kind's middlewares. */
	async #setLocalTrack(kind, raw) {
		const old = this._pipelines[kind];
		this._pipelines[kind] = null;
		const out = raw && kind !== 'screenshare' ? await this.#process(kind, raw) : raw;
		if (old)
			old.stop();
		this.#showTracks(kind, raw, out);
	}

	#showTracks(kind, raw, track) {
		if (kind === 'audio') {
			this.rawAudioTrack = raw;
			this.audioTrack = track;
		} else if (kind === 'video') {
			this.rawVideoTrack = raw;
			this.videoTrack = track;
			for (const [el] of this._videoElements)
				attachTrack(el, track);
		} else {
			this.screenShareTracks = { audio: null, video: track };
		}
	}

	/* The middlewares' output for a captured track (the track itself when
	 * there are none, or when they fail: the failure is reported). */
	async #process(kind, raw) {
		const middlewares = kind === 'audio' ? this._audioMiddlewares : this._videoMiddlewares;
		if (middlewares.size === 0)
			return raw;
		try {
			const pipeline = await middlewares.build(raw);
			this._pipelines[kind] = pipeline;
			return pipeline.track;
		} catch (e) {
			if (typeof console !== 'undefined')
				console.error(`rtk-core: the ${kind} middlewares could not start; sending the camera/microphone as it is`, e);
			return raw;
		}
	}

	/* The middlewares of a kind changed: rebuild its output and swap it in. */
	async #rebuild(kind) {
		const raw = kind === 'audio' ? this.rawAudioTrack : this.rawVideoTrack;
		if (!raw || raw.readyState === 'ended')
			return;
		const old = this._pipelines[kind];
		this._pipelines[kind] = null;
		const out = await this.#process(kind, raw);
		this.#showTracks(kind, raw, out);
		if (this._publisher && this._publisher.has(kind) && this[ENABLED_FIELD[kind]])
			await this._publisher.replaceTrack(kind, out);
		if (old)
			old.stop();
		this.#emitUpdate(kind);
	}

	#rawTrack(kind) {
		return kind === 'audio' ? this.rawAudioTrack : kind === 'video' ? this.rawVideoTrack : this.screenShareTracks.video;
	}

	#localTrack(kind) {
		return kind === 'audio' ? this.audioTrack : kind === 'video' ? this.videoTrack : this.screenShareTracks.video;
	}

	#emitUpdate(kind) {
		if (kind === 'audio')
			this.emit('audioUpdate', { audioEnabled: this.audioEnabled, audioTrack: this.audioTrack });
		else if (kind === 'video')
			this.emit('videoUpdate', { videoEnabled: this.videoEnabled, videoTrack: this.videoTrack });
		else
			this.emit('screenShareUpdate', { screenShareEnabled: this.screenShareEnabled, screenShareTracks: this.screenShareTracks });
	}

	async #enable(kind) {
		if (this.roomState === 'joined' && !mayProduce(this.permissions, kind, this.stageStatus))
			throw new RTKError(this.permissions.stageEnabled && this.stageStatus !== 'ON_STAGE' ? '1501' : '0904',
				`this participant may not produce ${kind} now (preset ${this.presetName}, stage ${this.stageStatus})`);
		let track = this.#localTrack(kind);
		if (!track || track.readyState === 'ended') {
			track = await this.#acquire(kind);
			if (kind === 'screenshare' && track)
				track.addEventListener?.('ended', () => { this.disableScreenShare().catch(() => {}); });
			await this.#setLocalTrack(kind, track);
			track = this.#localTrack(kind);
		}
		if (this.roomState === 'joined' && this._publisher) {
			const wasPublished = this._publisher.has(kind);
			const data = await this._publisher.publish({ [kind]: track });
			if (wasPublished || !data)
				await this._ctx.request({ request: 'configure', [kind === 'screenshare' ? 'screenshare' : kind]: true });
		}
		this[ENABLED_FIELD[kind]] = true;
		this.#emitUpdate(kind);
	}

	async #disable(kind, { tell = true } = {}) {
		const track = this.#localTrack(kind);
		const raw = this.#rawTrack(kind);
		if (this._publisher && this._publisher.has(kind)) {
			await this._publisher.replaceTrack(kind, null);
			if (tell && this.roomState === 'joined')
				await this._ctx.request({ request: 'configure', [kind]: false }).catch(() => {});
		}
		if (track)
			track.stop();
		if (raw && raw !== track)
			raw.stop();
		await this.#setLocalTrack(kind, null);
		const was = this[ENABLED_FIELD[kind]];
		this[ENABLED_FIELD[kind]] = false;
		if (was)
			this.#emitUpdate(kind);
	}

	enableAudio() { return this.#enable('audio'); }
	disableAudio() { return this.#disable('audio'); }
	enableVideo() { return this.#enable('video'); }
	disableVideo() { return this.#disable('video'); }
	enableScreenShare() { return this.#enable('screenshare'); }
	disableScreenShare() { return this.#disable('screenshare'); }

	/* The server stopped a kind (a host's disable, a lost right, off stage):
	 * stop the local track without telling the server again. */
	_stoppedByServer(kind) {
		return this.#disable(kind, { tell: false }).catch(() => {});
	}

	/* Publishes, in one offer, what is enabled locally and allowed (join, or
	 * arriving on stage). */
	async _publishEnabled() {
		const tracks = {};
		for (const kind of ['audio', 'video', 'screenshare']) {
			if (!this[ENABLED_FIELD[kind]])
				continue;
			if (!mayProduce(this.permissions, kind, this.stageStatus)) {
				await this.#disable(kind, { tell: false });
				continue;
			}
			tracks[kind] = this.#localTrack(kind);
		}
		if (Object.keys(tracks).length === 0 || !this._publisher)
			return null;
		return this._publisher.publish(tracks);
	}

	/* Pre-call: acquire what `defaults` asks for, reporting failures as
	 * mediaPermissionError without failing init. */
	async _preview(defaults) {
		if (!this._ctx.mediaDevices())
			return;
		for (const kind of ['audio', 'video'])
			if (defaults[kind] !== false)
				await this.#enable(kind).catch(() => {});
	}

	/* ---- names, pins, elements, devices ---- */

	async setName(name) {
		if (this.roomState === 'joined')
			throw new RTKError(NOT_JOINED, 'setName works before join only (the server takes the name from the participant record)');
		this.name = String(name);
	}

	pin() { return this._ctx.request({ request: 'participant.pin', participantId: this.id }); }
	unpin() { return this._ctx.request({ request: 'participant.unpin', participantId: this.id }); }

	registerVideoElement(videoElement, isPreview = false) {
		this._videoElements.set(videoElement, isPreview);
		videoElement.muted = true;
		attachTrack(videoElement, this.videoTrack);
	}

	deregisterVideoElement(videoElement) {
		this._videoElements.delete(videoElement);
		detachTrack(videoElement);
	}

	async getAllDevices() {
		return this.#devices().enumerateDevices();
	}
	async getAudioDevices() { return (await this.getAllDevices()).filter((d) => d.kind === 'audioinput'); }
	async getVideoDevices() { return (await this.getAllDevices()).filter((d) => d.kind === 'videoinput'); }
	async getSpeakerDevices() { return (await this.getAllDevices()).filter((d) => d.kind === 'audiooutput'); }
	async getDeviceById(deviceId, kind) {
		const want = kind === 'audio' ? 'audioinput' : kind === 'video' ? 'videoinput' : 'audiooutput';
		return (await this.getAllDevices()).find((d) => d.deviceId === deviceId && d.kind === want);
	}
	getCurrentDevices() {
		const settings = (t) => (t && typeof t.getSettings === 'function' ? t.getSettings().deviceId : undefined);
		return {
			audio: { deviceId: this._devices.audio || settings(this.audioTrack) },
			video: { deviceId: this._devices.video || settings(this.videoTrack) },
			speaker: { deviceId: this._devices.speaker },
		};
	}

	/* Switches the input of the device's kind; a running track is replaced. */
	async setDevice(device) {
		const kind = device.kind === 'audioinput' ? 'audio' : device.kind === 'videoinput' ? 'video' : 'speaker';
		this._devices = { ...this._devices, [kind]: device.deviceId };
		if (kind !== 'speaker' && this[ENABLED_FIELD[kind]]) {
			const old = this.#rawTrack(kind);
			await this.#setLocalTrack(kind, await this.#acquire(kind));
			if (this._publisher && this._publisher.has(kind))
				await this._publisher.replaceTrack(kind, this.#localTrack(kind));
			if (old)
				old.stop();
			this.#emitUpdate(kind);
		}
		this.emit('deviceUpdate', { device });
	}

	/* ---- middlewares (middleware.js) and constraints ---- */

	async addVideoMiddleware(middleware) {
		if (await this._videoMiddlewares.add(middleware))
			await this.#rebuild('video');
	}
	async removeVideoMiddleware(middleware) {
		if (this._videoMiddlewares.remove(middleware))
			await this.#rebuild('video');
	}
	async removeAllVideoMiddlewares() {
		if (this._videoMiddlewares.removeAll())
			await this.#rebuild('video');
	}
	async setVideoMiddlewareGlobalConfig(config = {}) {
		this._videoMiddlewares.setGlobalConfig(config);
		if (this._videoMiddlewares.size > 0)
			await this.#rebuild('video');
	}
	async addAudioMiddleware(middleware) {
		if (this._audioMiddlewares.add(middleware))
			await this.#rebuild('audio');
	}
	async removeAudioMiddleware(middleware) {
		if (this._audioMiddlewares.remove(middleware))
			await this.#rebuild('audio');
	}
	async removeAllAudioMiddlewares() {
		if (this._audioMiddlewares.removeAll())
			await this.#rebuild('audio');
	}

	/* Applies MediaTrackConstraints ({width: {ideal: 1920}, ...}) to the
	 * running camera (screenshare) and keeps them for the next capture. */
	async updateVideoConstraints(constraints = {}) {
		this._constraints.video = { ...constraints };
		const raw = this.rawVideoTrack;
		if (raw && raw.readyState !== 'ended' && typeof raw.applyConstraints === 'function')
			await raw.applyConstraints(withConstraints(videoConstraints(this._ctx.mediaConfiguration.video, this._devices.video), constraints));
	}
	async updateScreenshareConstraints(constraints = {}) {
		this._constraints.screenshare = { ...constraints };
		const t = this.screenShareTracks.video;
		if (t && t.readyState !== 'ended' && typeof t.applyConstraints === 'function')
			await t.applyConstraints(constraints);
	}

	/* Stops every local track (leave). */
	_stopAll() {
		for (const kind of ['audio', 'video', 'screenshare']) {
			const t = this.#localTrack(kind);
			const raw = this.#rawTrack(kind);
			if (t)
				t.stop();
			if (raw && raw !== t)
				raw.stop();
			if (this._pipelines[kind])
				this._pipelines[kind].stop();
			this._pipelines[kind] = null;
			this.#showTracks(kind, null, null);
		}
	}
}

/* Video constraints (true or an object) with updateVideoConstraints' on top. */
function withConstraints(base, extra) {
	if (!extra || Object.keys(extra).length === 0)
		return base;
	return { ...(base === true ? {} : base), ...extra };
}
