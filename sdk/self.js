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
import { RTKPermissionsPreset, configView, mayProduce } from './permissions.js';
import { attachTrack, detachTrack, videoConstraints, audioConstraints, screenshareConstraints,
	isVirtualDevice, HIGH_AUDIO_BITRATE } from './media.js';
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
		Object.defineProperty(this, '_nameForJoin', { value: null, enumerable: false, writable: true });
		Object.defineProperty(this, '_videoMiddlewares', { value: new VideoMiddlewares(), enumerable: false });
		Object.defineProperty(this, '_audioMiddlewares', { value: new AudioMiddlewares(), enumerable: false });
		/* kind -> {track, stop} of the running middleware pipeline */
		Object.defineProperty(this, '_pipelines', { value: { audio: null, video: null }, enumerable: false });
		/* updateVideoConstraints, for the next capture too */
		Object.defineProperty(this, '_constraints', { value: { video: null }, enumerable: false });
		this.id = null;
		this.userId = ctx.tokenClaims.participantId || null;
		this.organizationId = ctx.tokenClaims.orgId || null;
		this.name = '';
		this.picture = null;
		this.customParticipantId = null;
		this.presetName = null;
		this.permissions = new RTKPermissionsPreset({});
		this.config = configView({});
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
			this.permissions._update(info.permissions);
		if (info.config)
			this.config = configView(info.config);
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
				const stream = await this.#devices().getDisplayMedia({
					video: screenshareConstraints(cfg, this.#screenshareOverride), audio: false,
				});
				this._setMediaPermission('screenshare', 'ACCEPTED');
				return stream.getVideoTracks()[0];
			}
			const track = await this.#capture(kind, this._devices[kind]);
			this._setMediaPermission(kind, 'ACCEPTED');
			return this._devices[kind] ? track : this._preferredTrack(kind, track, (id) => this.#capture(kind, id));
		} catch (e) {
			const denied = e && (e.name === 'NotAllowedError' || e.name === 'SecurityError');
			this._setMediaPermission(kind, denied ? 'DENIED' : 'COULD_NOT_START');
			this._emitOrKeep('mediaPermissionError', { message: this.mediaPermissions[kind], kind, error: e });
			throw e instanceof RTKError ? e : new RTKError(SELF_MEDIA, `could not capture ${kind}: ${e && e.message}`);
		}
	}

	/* One microphone or camera track (of that device, when given). */
	async #capture(kind, deviceId) {
		const cfg = this._ctx.mediaConfiguration || {};
		const constraints = kind === 'audio'
			? { audio: audioConstraints(cfg.audio, deviceId) }
			: { video: withConstraints(videoConstraints(cfg.video, deviceId), this._constraints.video) };
		const stream = await this.#devices().getUserMedia(constraints);
		return kind === 'audio' ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0];
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
			await this._applyAudioBitrate();
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
		const data = await this._publisher.publish(tracks);
		await this._applyAudioBitrate();
		return data;
	}

	/* Pre-call: acquire what `defaults` asks for, reporting failures as
	 * mediaPermissionError without failing init. */
	async _preview(defaults) {
		this.#seedDefaults = defaults;
		if (!this._ctx.mediaDevices())
			return;
		this.#keeping = true;
		for (const kind of ['audio', 'video'])
			if (defaults[kind] !== false)
				await this.#enable(kind).catch(() => {});
		this.#keeping = false;
		await this._watchDevices();
	}

	/* ---- names, pins, elements, devices ---- */

	/*
	 * Before join the name goes with `join` and is what everyone sees (when
	 * the preset's can_edit_display_name allows it; roomJoined then says
	 * which name holds). After join, as the seeds say, it changes only here.
	 */
	async setName(name) {
		const text = String(name);
		if (!text)
			throw new RTKError('0001', 'setName needs a non-empty name');
		this.name = text;
		if (this.roomState !== 'joined' && this.roomState !== 'waitlisted')
			this._nameForJoin = text;
	}

	pin() { return this._ctx.request({ request: 'participant.pin', participantId: this.id }).then(() => this.id); }
	unpin() { return this._ctx.request({ request: 'participant.unpin', participantId: this.id }).then(() => this.id); }

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
		this.#deviceInfos = await this.#devices().enumerateDevices();
		return this.#deviceInfos;
	}
	async getAudioDevices() { return (await this.getAllDevices()).filter((d) => d.kind === 'audioinput'); }
	async getVideoDevices() { return (await this.getAllDevices()).filter((d) => d.kind === 'videoinput'); }
	async getSpeakerDevices() { return (await this.getAllDevices()).filter((d) => d.kind === 'audiooutput'); }
	async getDeviceById(deviceId, kind) {
		const want = kind === 'audio' ? 'audioinput' : kind === 'video' ? 'videoinput' : 'audiooutput';
		return (await this.getAllDevices()).find((d) => d.deviceId === deviceId && d.kind === want);
	}
	/* The MediaDeviceInfo of each device in use (undefined when unknown):
	 * the one given to setDevice, else the one the live track runs on. */
	getCurrentDevices() {
		const find = (want, id) => this.#deviceInfos.find((d) => d.kind === want && (id === undefined || d.deviceId === id));
		const settings = (t) => (t && typeof t.getSettings === 'function' ? t.getSettings().deviceId : undefined);
		const current = (kind, want, track) => this.#chosen[kind]
			|| ((this._devices[kind] || settings(track)) ? find(want, this._devices[kind] || settings(track)) : undefined);
		return {
			audio: current('audio', 'audioinput', this.audioTrack),
			video: current('video', 'videoinput', this.videoTrack),
			speaker: this.#chosen.speaker || find('audiooutput', 'default') || find('audiooutput'),
		};
	}

	/* Switches the input of the device's kind; a running track is replaced. */
	async setDevice(device) {
		const kind = device.kind === 'audioinput' ? 'audio' : device.kind === 'videoinput' ? 'video' : 'speaker';
		this._devices = { ...this._devices, [kind]: device.deviceId };
		this.#chosen = { ...this.#chosen, [kind]: device };
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
	 * running camera and keeps them for the next capture. */
	async updateVideoConstraints(constraints = {}) {
		this._constraints.video = { ...constraints };
		const raw = this.rawVideoTrack;
		if (raw && raw.readyState !== 'ended' && typeof raw.applyConstraints === 'function')
			await raw.applyConstraints(withConstraints(videoConstraints(this._ctx.mediaConfiguration.video, this._devices.video), constraints));
	}

	/* Out of the meeting (leave, kick, rejection, lost socket): every local
	 * track stops and every kind is off, with its update event, so the flags
	 * say what a later join() publishes (nothing until enabled again). */
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
			if (this[ENABLED_FIELD[kind]]) {
				this[ENABLED_FIELD[kind]] = false;
				this.#emitUpdate(kind);
			}
		}
	}

	/* ---- issue 9 audit items 8, 12, 16: media permission events, device
	 * choice, the seeds' other RTKSelf methods ---- */

	#seedDefaults = {};       /* init's `defaults` */
	#keeping = false;         /* init's preview runs: no listener can exist yet */
	#kept = [];               /* [event, payload] nobody heard during init */
	#deviceInfos = [];        /* the last enumerateDevices() */
	#chosen = {};             /* kind -> the MediaDeviceInfo given to setDevice */
	#screenshareOverride = null;
	#watching = false;
	isHidden = false;

	/* mediaPermissions[kind] changed: mediaPermissionUpdate {kind, message}. */
	_setMediaPermission(kind, state) {
		if (this.mediaPermissions[kind] === state)
			return;
		this.mediaPermissions[kind] = state;
		this._emitOrKeep('mediaPermissionUpdate', { kind, message: state });
	}

	/* The preview runs inside init, before the application holds the
	 * meeting: an event of it that nobody heard is kept and emitted once
	 * the first listener of that event is added (a microtask later). */
	_emitOrKeep(event, payload) {
		if (this.#keeping && this.listenerCount(event) === 0)
			this.#kept.push([event, payload]);
		else
			this.emit(event, payload);
	}

	on(event, listener) {
		super.on(event, listener);
		const kept = this.#kept.filter(([e]) => e === event);
		if (kept.length) {
			this.#kept = this.#kept.filter(([e]) => e !== event);
			queueMicrotask(() => { for (const [e, payload] of kept) this.emit(e, payload); });
		}
		return this;
	}

	/* Without a chosen device: if the browser's pick is a non-preferred one
	 * (defaults.isNonPreferredDevice, else a virtual device) and a preferred
	 * one exists, capture that instead. */
	async _preferredTrack(kind, track, capture) {
		const custom = this.#seedDefaults.isNonPreferredDevice;
		const nonPreferred = typeof custom === 'function' ? (d) => Boolean(custom(d)) : isVirtualDevice;
		const want = kind === 'audio' ? 'audioinput' : 'videoinput';
		let list;
		try {
			list = (await this.getAllDevices()).filter((d) => d.kind === want);
		} catch (e) {
			return track;
		}
		const id = track && typeof track.getSettings === 'function' ? track.getSettings().deviceId : undefined;
		const current = list.find((d) => d.deviceId === id);
		if (!current || !nonPreferred(current))
			return track;
		const better = list.find((d) => !['default', 'communications', id].includes(d.deviceId) && !nonPreferred(d));
		if (!better)
			return track;
		try {
			const t = await capture(better.deviceId);
			track.stop();
			return t;
		} catch (e) {
			return track;
		}
	}

	/* mediaConfiguration.audio.enableHighBitrate: the audio sender's
	 * maxBitrate, once published. */
	async _applyAudioBitrate() {
		const audio = (this._ctx.mediaConfiguration || {}).audio || {};
		const t = audio.enableHighBitrate && this._publisher && this._publisher.transceivers
			&& this._publisher.transceivers.audio;
		if (!t || typeof t.sender.getParameters !== 'function')
			return;
		const params = t.sender.getParameters();
		if (!params.encodings || params.encodings.length === 0)
			params.encodings = [{}];
		if (params.encodings[0].maxBitrate === HIGH_AUDIO_BITRATE)
			return;
		params.encodings[0].maxBitrate = HIGH_AUDIO_BITRATE;
		await t.sender.setParameters(params).catch(() => {});
	}

	/* defaults.autoSwitchAudioDevice (default true): a microphone plugged in
	 * (devicechange) becomes the audio device, unless non-preferred. */
	async _watchDevices() {
		const md = this._ctx.mediaDevices();
		if (this.#watching || this.#seedDefaults.autoSwitchAudioDevice === false
			|| !md || typeof md.addEventListener !== 'function')
			return;
		this.#watching = true;
		const custom = this.#seedDefaults.isNonPreferredDevice;
		const nonPreferred = typeof custom === 'function' ? (d) => Boolean(custom(d)) : isVirtualDevice;
		const inputs = async () => (await this.getAllDevices().catch(() => [])).filter((d) => d.kind === 'audioinput');
		let known = new Set((await inputs()).map((d) => d.deviceId));
		md.addEventListener('devicechange', async () => {
			const now = await inputs();
			const added = now.find((d) => !known.has(d.deviceId)
				&& !['default', 'communications'].includes(d.deviceId) && !nonPreferred(d));
			known = new Set(now.map((d) => d.deviceId));
			if (added)
				await this.setDevice(added).catch(() => {});
		});
	}

	setIsPinned(pinned) { return pinned ? this.pin() : this.unpin(); }

	/* Local only: the tile of self is hidden in this page's UI. */
	hide() {
		if (!this.isHidden) {
			this.isHidden = true;
			this.emit('hidden', this);
		}
	}

	show() {
		if (this.isHidden) {
			this.isHidden = false;
			this.emit('shown', this);
		}
	}

	/* Removes every listener of self and of self.permissions. */
	cleanupEvents() {
		this.removeAllListeners();
		this.permissions.removeAllListeners();
	}

	/* Acquires (and once joined, publishes) the kinds asked for, as the
	 * preview does; rejects with the first failure. */
	async setupTracks({ audio = true, video = true } = {}) {
		for (const [kind, want] of [['audio', audio], ['video', video]])
			if (want && !this[ENABLED_FIELD[kind]])
				await this.#enable(kind);
	}

	/* Applies constraints ({width, height, frameRate}) to the running
	 * screenshare track, and to the next one. */
	async updateScreenshareConstraints(constraints = {}) {
		this.#screenshareOverride = { ...(this.#screenshareOverride || {}), ...constraints };
		const t = this.screenShareTracks.video;
		if (t && typeof t.applyConstraints === 'function')
			await t.applyConstraints(constraints);
	}
}

/* Video constraints (true or an object) with updateVideoConstraints' on top. */
function withConstraints(base, extra) {
	if (!extra || Object.keys(extra).length === 0)
		return base;
	return { ...(base === true ? {} : base), ...extra };
}
