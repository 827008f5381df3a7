/*
 * meeting.js - RealtimeKitClient, the `meeting` object: init, join/leave,
 * and the dispatch of the server's events to self, participants, stage,
 * recording, livestream, chat, polls, plugins, meta and connectedMeetings (a
 * move to a connected meeting: #moveTo).
 *
 * Owns the Janus transport, the main handle (join, publish, every meeting
 * request) and the subscriber handle (remote media) of docs/protocol.md.
 * Each event updates state first and then emits, so a listener always sees
 * the state the event announces.
 *
 * Reconnection (docs/sdk.md): when the socket drops, self.roomState becomes
 * `disconnected` and self emits roomLeft {state: 'disconnected'}, but
 * participants, tracks and PeerConnections stay; the transport claims the
 * Janus session again on a new socket, `sync` tells what was missed (applied
 * as the events it implies), both PeerConnections restart ICE, and self
 * emits roomJoined {reconnected: true}. When the session cannot be resumed
 * the state is `failed` (roomLeft {state: 'failed'}) and everything is
 * closed: join() again starts afresh. A PeerConnection whose ICE fails (or
 * stays disconnected) while the socket is up restarts ICE by itself.
 *
 * Several nodes (docs/protocol.md, join): a join refused with 0806 names
 * the node that runs the meeting (error.janusUrl); join() closes its Janus
 * session and joins once more there. A second 0806 fails the join.
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
import { RTKPolls } from './polls.js';
import { RTKConnectedMeetings } from './connected-meetings.js';
import { RTKPlugins } from './plugins.js';
import { RTKChat } from './chat.js';
import { Publisher } from './publisher.js';
import { Subscriber } from './subscriber.js';
import { unsupportedNamespace } from './unsupported.js';
import { defaultMediaDevices } from './media.js';
import { RTKAudioOutput } from './audio-output.js';
import { MediaScoreMonitor } from './stats.js';
import { IceWatch } from './ice-watch.js';

const DEFAULT_JANUS_WS_PORT = 8188;
const MEETING_ELSEWHERE = '0806';   /* join: the meeting runs on another node (error.janusUrl) */
const SERVER_INFO_TIMEOUT_MS = 3000;   /* /sdk/server.json; the default port after that */
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
/* An RTCIceServer as /sdk/server.json gives it: urls a string or strings. */
function validIceServer(server) {
	if (!server || typeof server !== 'object')
		return false;
	const urls = Array.isArray(server.urls) ? server.urls : [server.urls];
	return urls.length > 0 && urls.every((u) => typeof u === 'string' && /^(stun|stuns|turn|turns):/.test(u));
}

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
	 * server-specific: janusURL (the Janus WebSocket; by default what the
	 * gateway's /sdk/server.json says, else the baseURI's host at port
	 * janusPort, 8188), iceServers (by default what /sdk/server.json says,
	 * then what roomJoined says: the server's TURN server, if any, with
	 * credentials that may be the participant's own), and for tests WebSocket, fetch,
	 * RTCPeerConnection, mediaDevices.
	 */
	static async init(options = {}) {
		if (!options.authToken)
			throw new RTKError('0005', 'init needs an authToken (the token of Add Participant)');
		const meeting = new RealtimeKitClient(options);
		await Promise.all([meeting.self._preview(meeting._defaults), meeting._discoverJanus()]);
		return meeting;
	}

	/*
	 * Asks the gateway where its Janus WebSocket is and which ICE servers
	 * (a TURN server) PeerConnections should use (GET /sdk/server.json,
	 * docs/rest.md), unless init named both (janusURL or janusPort, and
	 * iceServers). janus_ws_secure makes it wss:// even from a page on
	 * http://. Any failure (an older gateway, a page with no fetch) keeps
	 * the defaults.
	 */
	async _discoverJanus() {
		const fetchFn = this._options.fetch || globalThis.fetch;
		const wantURL = !this._options.janusURL && !this._options.janusPort;
		const wantICE = !this._options.iceServers;
		if ((!wantURL && !wantICE) || !this._baseURI || !fetchFn)
			return;
		const abort = typeof AbortController === 'function' ? new AbortController() : null;
		const timer = abort ? setTimeout(() => abort.abort(), SERVER_INFO_TIMEOUT_MS) : null;
		try {
			const res = await fetchFn(new URL('/sdk/server.json', this._baseURI).href,
				{ signal: abort ? abort.signal : undefined, cache: 'no-store' });
			if (!res.ok)
				return;
			const info = await res.json();
			if (wantURL)
				this.#useServerJanus(info);
			if (wantICE && Array.isArray(info.ice_servers))
				this._iceServers = info.ice_servers.filter(validIceServer);
		} catch (e) {
			/* the default stays */
		} finally {
			if (timer)
				clearTimeout(timer);
		}
	}

	#useServerJanus(info) {
		if (typeof info.janus_ws_url === 'string' && /^wss?:\/\//.test(info.janus_ws_url))
			this._janusURL = info.janus_ws_url;
		else if (Number.isInteger(info.janus_ws_port) && info.janus_ws_port > 0 && info.janus_ws_port < 65536)
			this._janusURL = janusWebSocketURL(this._baseURI, info.janus_ws_port, info.janus_ws_secure === true);
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
		priv('_scoreMonitors', []);
		priv('_stateBeforeLoss', null);
		priv('_iceWatches', []);
		priv('_iceServers', options.iceServers || []);
		const base = options.baseURI ? normalizeBase(options.baseURI) : moduleOrigin();
		priv('_baseURI', base);
		priv('_janusURL', options.janusURL || (base ? janusWebSocketURL(base, options.janusPort || DEFAULT_JANUS_WS_PORT) : null));
		const request = (body) => this._request(body);
		this.meta = new RTKMeta(this._claims.meetingId || null, request);
		this.stage = new RTKStage(request);
		this.self = new RTKSelf({
			request,
			tokenClaims: this._claims,
			stage: this.stage,
			mediaDevices: () => (options.mediaDevices !== undefined ? options.mediaDevices : defaultMediaDevices()),
			mediaConfiguration: this._defaults.mediaConfiguration || {},
		});
		this.participants = new RTKParticipants(request);
		this.participants._preJoin = () => this.#preJoin();
		this.recording = new RTKRecording(request, this._defaults.recording || {});
		this.livestream = new RTKLivestream(request);
		this.chat = new RTKChat({
			request,
			self: this.self,
			baseURI: () => this._baseURI,
			token: options.authToken,
			fetch: options.fetch,
		});
		this.polls = new RTKPolls(request);
		this.plugins = new RTKPlugins({ request, self: this.self, baseURI: () => this._baseURI });
		this.connectedMeetings = new RTKConnectedMeetings(request);
		this.ai = unsupportedNamespace('ai');
		/* The seeds' slips that users copy: meeting.poll, meeting.participant. */
		priv('poll', this.polls);
		priv('participant', this.participants);
		priv('_audio', new RTKAudioOutput(options.document));
		this.#playRemoteAudio();
		this.__internals__ = { logger: console, features: {} };
	}

	get isPinned() { return this.self.isPinned; }

	/*
	 * Others are heard without any application code (audio-output.js): each
	 * remote microphone and screenshare-audio track plays while its
	 * participant is in the meeting, on the speaker self.setDevice() chose.
	 */
	#playRemoteAudio() {
		const audio = this._audio;
		const joined = this.participants.joined;
		joined.on('audioUpdate', (p) => audio.set(`${p.id}:audio`, p.audioTrack));
		joined.on('screenShareUpdate', (p) => audio.set(`${p.id}:screenshare`, p.screenShareTracks.audio));
		joined.on('participantLeft', (p) => audio.deleteParticipant(p.id));
		this.self.on('deviceUpdate', ({ device }) => {
			if (device && device.kind === 'audiooutput')
				audio.setSinkId(device.deviceId).catch((e) =>
					this.__internals__.logger.warn(`rtk: the speaker could not be set: ${e.message}`));
		});
	}
	get janusURL() { return this._janusURL; }

	#pcFactory() {
		const PC = this._options.RTCPeerConnection || globalThis.RTCPeerConnection;
		return () => {
			if (!PC)
				throw new RTKError('1101', 'no RTCPeerConnection in this environment');
			return new PC({ iceServers: this._iceServers });
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
		try {
			await this.#joinAt(this._janusURL);
		} catch (e) {
			if (e.code !== MEETING_ELSEWHERE || typeof e.janusUrl !== 'string' || !/^wss?:\/\//.test(e.janusUrl))
				throw e;
			try {
				await this.#joinAt(e.janusUrl);   /* the node that runs the meeting; once */
			} catch (again) {
				if (again.code === MEETING_ELSEWHERE)
					throw new RTKError(MEETING_ELSEWHERE, `the meeting was moved again (to ${again.janusUrl}) ` +
						`after a redirect to ${e.janusUrl}: join later`, { request: 'join', janusUrl: again.janusUrl });
				throw again;
			}
		}
	}

	/* One join on a new Janus session at `url`; a refusal closes it. */
	async #joinAt(url) {
		const transport = new JanusTransport({
			url,
			WebSocket: this._options.WebSocket,
			keepaliveMs: this._options.keepaliveMs,
			reconnect: this._options.reconnect,
			reconnectTimeoutMs: this._options.reconnectTimeoutMs,
			reconnectDelaysMs: this._options.reconnectDelaysMs,
		});
		this._transport = transport;
		transport.on('closed', (d) => (d && d.reconnectFailed ? this.#onFailed() : this.#onDisconnected()));
		transport.on('timeout', () => this.#onFailed());
		transport.on('disconnected', () => this.#onSocketLost());
		transport.on('reconnected', () => this.#onReconnected().catch((e) => {
			if (typeof console !== 'undefined')
				console.error('rtk-core: resuming after a reconnection failed', e);
			this.#onFailed();
		}));
		await transport.connect();
		this.#leaveOnPageHide(true);
		this._main = await transport.attach();
		this._main.on('event', (data) => this.#onMainEvent(data));
		this._main.on('hangup', () => {
			if (this.self._publisher)
				this.self._publisher.close();
		});
		try {
			const join = { request: 'join', token: this._options.authToken };
			if (this.self._nameForJoin)
				join.name = this.self._nameForJoin;
			await this._main.send(join);
		} catch (e) {
			await this.#teardown();
			throw e;
		}
		/* roomJoined ran #onRoomJoined already; wait for its media setup. */
		if (this.self.roomState === 'joined')
			await this._mediaReady;
	}

	joinRoom() { return this.join(); }

	/*
	 * participants.getParticipantsInMeetingPreJoin() before join: a Janus
	 * session of its own sends the pre-join request on a fresh handle and is
	 * destroyed again, so the join later starts as it always does. The
	 * answer also fills meeting.meta. Joined (or waiting), the joined
	 * participants are the answer.
	 */
	async #preJoin() {
		if (this.self.roomState === 'joined' || this.self.roomState === 'waitlisted')
			return this.participants.joined.toArray();
		if (!this._janusURL)
			throw new RTKError(SOCKET, 'no server: pass baseURI (or janusURL) to init');
		const transport = new JanusTransport({
			url: this._janusURL,
			WebSocket: this._options.WebSocket,
			keepaliveMs: this._options.keepaliveMs,
			reconnect: false,
		});
		try {
			await transport.connect();
			const handle = await transport.attach();
			const { data } = await handle.send({
				request: 'participants.getParticipantsInMeetingPreJoin',
				token: this._options.authToken,
			});
			if (data && data.meeting)
				this.meta._update(data.meeting);
			return (data && data.participants) || [];
		} finally {
			await transport.close().catch(() => {});
		}
	}

	/* Leaves: `leave`, then everything is closed; roomLeft {state: 'left'}. */
	async leave() {
		if (this.self.roomState === 'disconnected') {
			/* the server side ends with the session: leave locally */
			this.#roomLeft('left');
		} else if (this._main && (this.self.roomState === 'joined' || this.self.roomState === 'waitlisted')) {
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
		if (this.participants.handleEvent(ev, selfId) || this.chat._handleEvent(ev) || this.meta._handleEvent(ev))
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
			if (ev.state === 'connected-meeting' && ev.destination && ev.destination.token) {
				this.#moveTo(ev.destination).catch((e) => {
					if (typeof console !== 'undefined')
						console.error('rtk-core: joining the connected meeting failed', e);
				});
				return;
			}
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
		case 'pollsUpdate':
			this.polls._handleEvent(ev);
			return;
		case 'pluginActivated':
		case 'pluginDeactivated':
		case 'pluginData':
		case 'pluginStateUpdate':
		case 'pluginViewModeUpdate':
			this.plugins._handleEvent(ev);
			return;
		case 'publisherLayers':   /* internal: the simulcast layers the server needs (publisher.js) */
			if (this.self._publisher)
				this.self._publisher.setLayers(ev).catch(() => {});
			return;
		default:
			if (this.stage._handleEvent(ev))
				this.#onStageChange();
		}
	}

	#onRoomJoined(ev) {
		/* the server's ICE servers for this participant (TURN credentials may be
		 * its own and time-limited), for the PeerConnections made from now on;
		 * init's iceServers win */
		if (!this._options.iceServers && Array.isArray(ev.iceServers))
			this._iceServers = ev.iceServers.filter(validIceServer);
		this.self._update(ev.self);
		this.meta._update(ev.meeting);
		this.participants._reset(ev.participants || [], ev.pinned || [], ev.waitlisted || []);
		this.chat._reset(ev.chat);
		if (ev.recording)
			this.recording._update(ev.recording);
		if (ev.livestream)
			this.livestream._update(ev.livestream);
		this.polls._reset(ev.polls);
		this.plugins._reset(ev.plugins, ev.pluginsAll);
		this.meta._applySpotlight(ev.spotlight, this.self.id);
		if (ev.view)   /* the view's fields, as viewModeUpdate carries them */
			this.participants.handleEvent({ ...ev.view, rtk: 'viewModeUpdate' }, this.self.id);
		if (ev.activeSpeaker)   /* who holds the floor already, as activeSpeaker carries it */
			this.participants.handleEvent({ ...ev.activeSpeaker, rtk: 'activeSpeaker' }, this.self.id);
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
		const overrides = this._options.overrides || {};
		this.self._publisher = new Publisher(factory, this._main, { simulcastConfig: overrides.simulcastConfig });
		const handle = await this._transport.attach();
		this._subscriber = new Subscriber(factory, handle, (stream, track) => this.#onRemoteTrack(stream, track));
		handle.on('error', () => {});
		this.participants._onWantedLayer = (p, substream) => this.#askLayer(p, substream);
		this.#startScores();
		this.#watchIce();
		await this._subscriber.subscribe(this._options.authToken);
		this.participants._setMediaJoined(true);
		/* The remote media's answer first: a publish offer made meanwhile
		 * queues with it on the browser's signalling thread. */
		await this._subscriber.chain;
		await this.#publishEnabled();
	}

	/* The simulcast layer a participant's tiles need, on each m-line that
	 * carries its camera (subscriber.js). */
	#askLayer(p, substream) {
		if (!this._subscriber)
			return;
		for (const mid of this._subscriber.videoMidsOf(p.id))
			this._subscriber.setLayer(mid, substream).catch(() => {});
	}

	/* mediaScoreUpdate (stats.js): what self sends, on meeting.self; what
	 * arrives from each participant, on that participant (and so on the
	 * maps holding it). */
	#startScores() {
		this.#stopScores();
		const intervalMs = this._options.mediaScoreIntervalMs;
		const sent = new MediaScoreMonitor({
			intervalMs,
			sent: true,
			pc: () => (this.self._publisher ? this.self._publisher.pc : null),
			describe: ({ mid }) => {
				const t = this.self._publisher && this.self._publisher.transceivers;
				const type = t && ['audio', 'video', 'screenshare'].find((k) => t[k] && String(t[k].mid) === mid);
				if (!type || !this.self[type === 'screenshare' ? 'screenShareEnabled' : `${type}Enabled`])
					return null;
				return { participantId: this.self.id, isScreenshare: type === 'screenshare',
					emit: (payload) => this.self.emit('mediaScoreUpdate', payload) };
			},
		});
		const received = new MediaScoreMonitor({
			intervalMs,
			sent: false,
			pc: () => (this._subscriber ? this._subscriber.pc : null),
			describe: ({ mid }) => {
				const s = this._subscriber && this._subscriber.streams.get(mid);
				const p = s && s.active !== false && this.participants.joined.get(s.participantId);
				if (!p)
					return null;
				return { participantId: p.id, isScreenshare: s.type === 'screenshare',
					emit: (payload) => p.emit('mediaScoreUpdate', payload) };
			},
		});
		this._scoreMonitors = [sent, received];
		for (const m of this._scoreMonitors)
			m.start();
	}

	#stopScores() {
		for (const m of this._scoreMonitors)
			m.stop();
		this._scoreMonitors = [];
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
		if (p && track && stream.type === 'video' && this._subscriber)
			this._subscriber.setLayer(stream.mid, p._wantedSubstream).catch(() => {});
	}

	#roomLeft(state, reason) {
		const now = this.self.roomState;
		if (now !== 'joined' && now !== 'waitlisted' && now !== 'disconnected')
			return;   /* already out: roomLeft is emitted once (besides 'disconnected') */
		this.self._setRoomState(state);
		this.participants._clear();
		if (state !== 'disconnected') {
			this.polls._left();
			this.meta._left();
			this.plugins._left();
		}
		this.chat._clear();
		const payload = { state };
		if (reason)
			payload.reason = reason;
		this.self.emit('roomLeft', payload);
	}

	/*
	 * The server moved this participant to another meeting of its family
	 * (docs/protocol.md, "Connected meetings"): roomLeft {state:
	 * 'connected-meeting'}, everything closes, then it joins the destination
	 * with the token the server gave (the participant's token from now on)
	 * and turns back on the microphone and camera it had on.
	 * connectedMeetings emits changingMeeting before, meetingChanged after.
	 */
	async #moveTo(destination) {
		const media = { audio: this.self.audioEnabled, video: this.self.videoEnabled };
		this.connectedMeetings.emit('changingMeeting', destination.meetingId);
		this.#roomLeft('connected-meeting');
		await this.#teardown();
		this._options = { ...this._options, authToken: destination.token };
		this._claims = tokenClaims(destination.token);
		if (this.chat._ctx)
			this.chat._ctx.token = destination.token;
		await this.join();
		if (media.audio && !this.self.audioEnabled)
			await this.self.enableAudio().catch(() => {});
		if (media.video && !this.self.videoEnabled)
			await this.self.enableVideo().catch(() => {});
		this.connectedMeetings.emit('meetingChanged', {
			id: destination.meetingId,
			title: destination.title ?? null,
			isParent: Boolean(destination.isParent),
		});
	}

	#onDisconnected() {
		if (this.self.roomState === 'joined' || this.self.roomState === 'waitlisted') {
			this.#roomLeft('disconnected');
			this.#teardown();
		}
	}

	/* ---- reconnection ---- */

	/* The socket dropped; the transport is reconnecting. Media and
	 * participants stay as they are (the meeting goes on meanwhile). */
	#onSocketLost() {
		const state = this.self.roomState;
		if (state !== 'joined' && state !== 'waitlisted')
			return;
		this._stateBeforeLoss = state;
		this.self._setRoomState('disconnected');
		this.self.emit('roomLeft', { state: 'disconnected' });
	}

	/* The session could not be resumed: everything closes, roomLeft 'failed'. */
	#onFailed() {
		const state = this.self.roomState;
		if (state !== 'joined' && state !== 'waitlisted' && state !== 'disconnected')
			return;
		this.self._setRoomState('failed');
		this.participants._clear();
		this.chat._clear();
		this.self.emit('roomLeft', { state: 'failed' });
		this.#teardown();
	}

	/* The session is ours again: learn what was missed, restart ICE. */
	async #onReconnected() {
		if (this.self.roomState !== 'disconnected' || !this._main)
			return;
		const { data } = await this._main.send({ request: 'sync' });
		if (this.self.roomState !== 'disconnected')
			return;
		switch (data.roomState) {
		case 'joined':
			if (this._stateBeforeLoss === 'waitlisted') {
				/* accepted while away: everything starts as after any roomJoined */
				this.#onRoomJoined({ ...data, rtk: 'roomJoined' });
				return;
			}
			this.#applySnapshot(data);
			this.self._setRoomState('joined');
			this.self.emit('roomJoined', { reconnected: true });
			await this._restartIce();
			return;
		case 'waitlisted':
			this.self._setRoomState('waitlisted');
			this.self.emit('waitlisted');
			return;
		default:
			/* the presence ended while the socket was down (kicked, ended, ...) */
			this.#roomLeft(data.roomState || 'left', data.reason);
			this.#teardown();
		}
	}

	/* A sync snapshot (roomJoined's fields), applied as the events it implies:
	 * participantLeft for those gone, participantJoined for newcomers, and
	 * updates for the changed. */
	#applySnapshot(data) {
		const selfId = this.self.id;
		this.self._update(data.self);
		this.meta._update(data.meeting);
		const now = new Map((data.participants || []).map((p) => [p.id, p]));
		for (const id of [...this.participants.joined.keys()])
			if (!now.has(id))
				this.participants.handleEvent({ rtk: 'participantLeft', participantId: id }, selfId);
		const pinned = new Set(data.pinned || []);
		for (const info of now.values()) {
			this.participants.handleEvent({ rtk: 'participantJoined', participant: info }, selfId);
			const p = this.participants.joined.get(info.id);
			if (p && p.isPinned !== pinned.has(info.id))
				this.participants.handleEvent({ rtk: pinned.has(info.id) ? 'participantPinned' : 'participantUnpinned', participantId: info.id }, selfId);
		}
		if (data.recording)
			this.recording._update(data.recording);
		if (data.livestream)
			this.livestream._update(data.livestream);
		this.polls._applySnapshot(data.polls);
		this.plugins._reset(data.plugins, data.pluginsAll);
		if (data.chat)   /* chat events missed while away are in it */
			this.chat._reset(data.chat);
		this.meta._applySpotlight(data.spotlight, selfId);
		if (data.view)   /* viewModeUpdates pushed while the socket was down are lost */
			this.participants.handleEvent({ ...data.view, rtk: 'viewModeUpdate' }, selfId);
	}

	/*
	 * Restarts ICE on both PeerConnections: a publish offer with new ICE
	 * credentials (the server keeps the streams), and a restart offer asked
	 * of the subscriber handle. Runs after a reconnection, and when a
	 * PeerConnection's ICE fails with the socket up (a network change).
	 */
	async _restartIce() {
		const jobs = [];
		if (this.self._publisher && this.self._publisher.pc)
			jobs.push(this.self._publisher.restartIce());
		if (this._subscriber && this._subscriber.pc)
			jobs.push(this._subscriber.restartIce());
		const results = await Promise.allSettled(jobs);
		const failed = results.find((r) => r.status === 'rejected');
		if (failed)
			throw failed.reason;
	}

	/* ICE trouble on a PeerConnection with the socket up: restart it. */
	#watchIce() {
		const options = { disconnectedMs: this._options.iceDisconnectedMs, checkMs: this._options.iceCheckMs };
		const restart = (which) => {
			if (this.self.roomState !== 'joined' || !this._transport || !this._transport.connected)
				return;
			const job = which === 'publisher' ? this.self._publisher && this.self._publisher.restartIce()
				: this._subscriber && this._subscriber.restartIce();
			Promise.resolve(job).catch((e) => {
				if (typeof console !== 'undefined')
					console.warn(`rtk-core: ICE restart of the ${which} failed`, e);
			});
		};
		this._iceWatches = [
			new IceWatch(() => this.self._publisher && this.self._publisher.pc, () => restart('publisher'), options),
			new IceWatch(() => this._subscriber && this._subscriber.pc, () => restart('subscriber'), options),
		];
	}

	/*
	 * A closed tab or a navigation away is a leave, not a lost socket: the
	 * server would otherwise keep the presence for its reconnection grace
	 * (RTK_JANUS_RECLAIM_TIMEOUT) and the others would see the participant
	 * linger. `leave` goes out on the open socket as the page hides.
	 */
	#leaveOnPageHide(on) {
		const target = typeof window !== 'undefined' && typeof window.addEventListener === 'function' ? window : null;
		if (!target)
			return;
		if (!this._onPageHide)
			Object.defineProperty(this, '_onPageHide', { enumerable: false, value: () => {
				const state = this.self.roomState;
				if (this._main && (state === 'joined' || state === 'waitlisted'))
					this._main.send({ request: 'leave' }).catch(() => {});
			} });
		if (on)
			target.addEventListener('pagehide', this._onPageHide);
		else
			target.removeEventListener('pagehide', this._onPageHide);
	}

	async #teardown() {
		this.#leaveOnPageHide(false);
		for (const w of this._iceWatches || [])
			w.stop();
		this._iceWatches = [];
		const transport = this._transport;
		this._transport = null;
		this._main = null;
		this.#stopScores();
		if (this.self._publisher)
			this.self._publisher.close();
		this.self._publisher = null;
		if (this._subscriber)
			this._subscriber.close();
		this._subscriber = null;
		this.self._stopAll();
		this._audio.clear();
		if (transport)
			await transport.close();
	}
}

function normalizeBase(base) {
	const s = String(base);
	return /^[a-z]+:\/\//i.test(s) ? new URL(s).origin : new URL(`https://${s}`).origin;
}

export default RealtimeKitClient;
