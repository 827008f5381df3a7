/*
 * meeting.js - RealtimeKitClient, the `meeting` object: init, join/leave,
 * and the dispatch of the server's events to self, participants, stage,
 * recording, livestream and meta.
 *
 * Owns the Janus transport, the main handle (join, publish, every meeting
 * request) and the subscriber handle (remote media) of docs/protocol.md.
 * Each event updates state first and then emits, so a listener always sees
 * the state the event announces.
 */
import { RTKEventEmitter } from './emitter.js';
import { RTKError, NOT_JOINED, SOCKET } from './errors.js';
import { JanusTransport, janusWebSocketURL } from './transport.js';
import { RTKSelf } from './self.js';
import { RTKParticipants } from './participants.js';
import { RTKMeta } from './meta.js';
import { RTKStage } from './stage.js';
import { RTKRecording } from './recording.js';
import { RTKLivestream } from './livestream.js';
import { Publisher } from './publisher.js';
import { Subscriber } from './subscriber.js';
import { unsupportedNamespace } from './unsupported.js';
import { defaultMediaDevices } from './media.js';

const DEFAULT_JANUS_WS_PORT = 8188;
const SELF_KIND = { audioUpdate: 'audio', videoUpdate: 'video', screenShareUpdate: 'screenshare' };
const SELF_FIELD = { audioUpdate: 'audioEnabled', videoUpdate: 'videoEnabled', screenShareUpdate: 'screenShareEnabled' };

/* The claims of a participant token (not verified here: the server does). */
export function tokenClaims(token) {
	try {
		const part = String(token).split('.')[1];
		const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
		const json = typeof atob === 'function'
			? decodeURIComponent(escape(atob(b64)))
			: Buffer.from(b64, 'base64').toString('utf8');
		return JSON.parse(json) || {};
	} catch (e) {
		return {};
	}
}

/* Where this module was loaded from: the gateway that served it. */
function moduleOrigin() {
	try {
		const u = new URL(import.meta.url);
		return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null;
	} catch (e) {
		return null;
	}
}

export class RealtimeKitClient extends RTKEventEmitter {
	/*
	 * options: authToken; baseURI (the gateway, default the origin this module
	 * came from); defaults {audio, video, recording, mediaConfiguration};
	 * server-specific: janusURL (the Janus WebSocket, default the baseURI's
	 * host at port janusPort, 8188), iceServers, and for tests WebSocket,
	 * RTCPeerConnection, mediaDevices.
	 */
	static async init(options = {}) {
		if (!options.authToken)
			throw new RTKError('0005', 'init needs an authToken (the token of Add Participant)');
		const meeting = new RealtimeKitClient(options);
		await meeting.self._preview(meeting._defaults);
		return meeting;
	}

	constructor(options) {
		super();
		const priv = (k, v) => Object.defineProperty(this, k, { value: v, enumerable: false, writable: true });
		priv('_options', options);
		priv('_defaults', { audio: true, video: true, ...(options.defaults || {}) });
		priv('_claims', tokenClaims(options.authToken));
		priv('_transport', null);
		priv('_main', null);
		priv('_subscriber', null);
		priv('_joinWaiters', []);
		const base = options.baseURI ? normalizeBase(options.baseURI) : moduleOrigin();
		priv('_baseURI', base);
		priv('_janusURL', options.janusURL || (base ? janusWebSocketURL(base, options.janusPort || DEFAULT_JANUS_WS_PORT) : null));
		const request = (body) => this._request(body);
		this.meta = new RTKMeta(this._claims.meetingId || null);
		this.stage = new RTKStage(request);
		this.self = new RTKSelf({
			request,
			tokenClaims: this._claims,
			stage: this.stage,
			mediaDevices: () => (options.mediaDevices !== undefined ? options.mediaDevices : defaultMediaDevices()),
			mediaConfiguration: this._defaults.mediaConfiguration || {},
		});
		this.participants = new RTKParticipants(request);
		this.recording = new RTKRecording(request, this._defaults.recording || {});
		this.livestream = new RTKLivestream(request);
		this.chat = unsupportedNamespace('chat');
		this.polls = unsupportedNamespace('polls');
		this.plugins = unsupportedNamespace('plugins');
		this.connectedMeetings = unsupportedNamespace('connectedMeetings');
		this.ai = unsupportedNamespace('ai');
		/* The seeds' slips that users copy: meeting.poll, meeting.participant. */
		priv('poll', this.polls);
		priv('participant', this.participants);
		this.__internals__ = { logger: console, features: {} };
	}

	get isPinned() { return this.self.isPinned; }
	get janusURL() { return this._janusURL; }

	#pcFactory() {
		const PC = this._options.RTCPeerConnection || globalThis.RTCPeerConnection;
		return () => {
			if (!PC)
				throw new RTKError('1101', 'no RTCPeerConnection in this environment');
			return new PC({ iceServers: this._options.iceServers || [] });
		};
	}

	/* A request on the main handle; resolves with {data, jsep}. */
	_request(body) {
		if (!this._main)
			return Promise.reject(new RTKError(NOT_JOINED, `${body.request}: join the meeting first`));
		return this._main.send(body);
	}

	/*
	 * Joins: connects, sends `join`, resolves once the room is joined or the
	 * join waits in the waiting room (roomState `waitlisted`; `roomJoined`
	 * follows on self when a host accepts).
	 */
	async join() {
		if (this.self.roomState === 'joined' || this.self.roomState === 'waitlisted')
			return;
		if (!this._janusURL)
			throw new RTKError(SOCKET, 'no server: pass baseURI (or janusURL) to init');
		const transport = new JanusTransport({
			url: this._janusURL,
			WebSocket: this._options.WebSocket,
			keepaliveMs: this._options.keepaliveMs,
		});
		this._transport = transport;
		transport.on('closed', () => this.#onDisconnected());
		transport.on('timeout', () => this.#onDisconnected());
		await transport.connect();
		this._main = await transport.attach();
		this._main.on('event', (data) => this.#onMainEvent(data));
		this._main.on('hangup', () => {
			if (this.self._publisher)
				this.self._publisher.close();
		});
		try {
			await this._main.send({ request: 'join', token: this._options.authToken });
		} catch (e) {
			await this.#teardown();
			throw e;
		}
		/* roomJoined ran #onRoomJoined already; wait for its media setup. */
		if (this.self.roomState === 'joined')
			await this._mediaReady;
	}

	joinRoom() { return this.join(); }

	/* Leaves: `leave`, then everything is closed; roomLeft {state: 'left'}. */
	async leave() {
		if (this._main && (this.self.roomState === 'joined' || this.self.roomState === 'waitlisted')) {
			try {
				await this._main.send({ request: 'leave' });
			} catch (e) {
				/* the server side is gone already: leave locally */
				this.#roomLeft('left');
			}
		}
		await this.#teardown();
	}

	leaveRoom() { return this.leave(); }

	#onMainEvent(ev) {
		const selfId = this.self.id;
		if (this.participants.handleEvent(ev, selfId))
			return;
		switch (ev.rtk) {
		case 'roomJoined':
			this.#onRoomJoined(ev);
			return;
		case 'waitlisted':
			this.self._update(ev.self);
			this.meta._update(ev.meeting);
			this.self._setRoomState('waitlisted');
			this.self.emit('waitlisted');
			return;
		case 'roomLeft':
			this.#roomLeft(ev.state || 'left', ev.reason);
			this.#teardown();
			return;
		case 'audioUpdate':
		case 'videoUpdate':
		case 'screenShareUpdate': {
			/* about self: a host turned a kind off */
			const kind = SELF_KIND[ev.rtk];
			if (ev[SELF_FIELD[ev.rtk]] === false)
				this.self._stoppedByServer(kind);
			return;
		}
		case 'participantPinned':
		case 'participantUnpinned': {
			const pinned = ev.rtk === 'participantPinned';
			if (this.self.isPinned !== pinned) {
				this.self.isPinned = pinned;
				this.self.emit(pinned ? 'pinned' : 'unpinned', this.self);
			}
			return;
		}
		case 'permissionsUpdate':
			this.self._update({ permissions: ev.permissions, presetName: ev.presetName, config: ev.config });
			this.self.emit('permissionsUpdate', { permissions: this.self.permissions });
			return;
		case 'recordingUpdate':
			this.recording._update(ev);
			return;
		case 'livestreamUpdate':
			this.livestream._update(ev);
			return;
		case 'viewerCountUpdate':
			this.livestream._setViewerCount(ev.viewerCount);
			return;
		default:
			if (this.stage._handleEvent(ev))
				this.#onStageChange();
		}
	}

	#onRoomJoined(ev) {
		this.self._update(ev.self);
		this.meta._update(ev.meeting);
		this.participants._reset(ev.participants || [], ev.pinned || [], ev.waitlisted || []);
		if (ev.recording)
			this.recording._update(ev.recording);
		if (ev.livestream)
			this.livestream._update(ev.livestream);
		if (!this.self.permissions.stageEnabled && !ev.self.stageStatus)
			this.stage.status = 'ON_STAGE';
		this.self._setRoomState('joined');
		this._mediaReady = this.#startMedia().catch((e) => {
			if (typeof console !== 'undefined')
				console.error('rtk-core: media setup failed', e);
		});
		this.self.emit('roomJoined', { reconnected: false });
	}

	/* The subscriber handle, then what self has enabled. */
	async #startMedia() {
		const factory = this.#pcFactory();
		this.self._publisher = new Publisher(factory, this._main);
		const handle = await this._transport.attach();
		this._subscriber = new Subscriber(factory, handle, (stream, track) => this.#onRemoteTrack(stream, track));
		handle.on('error', () => {});
		await this._subscriber.subscribe(this._options.authToken);
		/* The remote media's answer first: a publish offer made meanwhile
		 * queues with it on the browser's signalling thread. */
		await this._subscriber.chain;
		await this.#publishEnabled();
	}

	async #publishEnabled() {
		const data = await this.self._publishEnabled();
		if (!data)
			return;
		for (const kind of ['audio', 'video', 'screenshare'])
			if (this.self._publisher.has(kind) && !this.self._publisher.published(kind))
				await this.self._stoppedByServer(kind);
	}

	#onStageChange() {
		if (this.self.roomState !== 'joined')
			return;
		if (this.stage.status === 'ON_STAGE') {
			this.#publishEnabled().catch(() => {});
		} else if (this.self._publisher && this.self._publisher.pc) {
			/* off stage: the server stopped the streams */
			for (const kind of ['audio', 'video', 'screenshare'])
				this.self._stoppedByServer(kind);
		}
	}

	#onRemoteTrack(stream, track) {
		const p = this.participants.joined.get(stream.participantId);
		if (p)
			p._setTrack(stream.kind, stream.type, track);
	}

	#roomLeft(state, reason) {
		if (this.self.roomState !== 'joined' && this.self.roomState !== 'waitlisted')
			return;   /* already out: roomLeft is emitted once */
		this.self._setRoomState(state);
		this.participants._clear();
		const payload = { state };
		if (reason)
			payload.reason = reason;
		this.self.emit('roomLeft', payload);
	}

	#onDisconnected() {
		if (this.self.roomState === 'joined' || this.self.roomState === 'waitlisted') {
			this.#roomLeft('disconnected');
			this.#teardown();
		}
	}

	async #teardown() {
		const transport = this._transport;
		this._transport = null;
		this._main = null;
		if (this.self._publisher)
			this.self._publisher.close();
		this.self._publisher = null;
		if (this._subscriber)
			this._subscriber.close();
		this._subscriber = null;
		this.self._stopAll();
		if (transport)
			await transport.close();
	}
}

function normalizeBase(base) {
	const s = String(base);
	return /^[a-z]+:\/\//i.test(s) ? new URL(s).origin : new URL(`https://${s}`).origin;
}

export default RealtimeKitClient;
