/*
 * rtk-core.d.ts - TypeScript declarations of what sdk/rtk-core.js
 * implements today (docs/sdk.md lists it). Names follow the RealtimeKit
 * web-core docs; members not declared here do not exist yet.
 */

/** 'failed' (reconnection gave up) and 'connected-meeting' (moved to a connected meeting) are the
 * seeds' values; this server does not reach 'connected-meeting' (no connected meetings). */
export type RoomState = 'init' | 'joined' | 'waitlisted' | 'rejected' | 'kicked' | 'left' | 'ended' | 'disconnected' | 'connected-meeting'
	| 'failed' | 'connected-meeting';
export type MediaPermission = 'NOT_REQUESTED' | 'ACCEPTED' | 'DENIED' | 'COULD_NOT_START';
export type StageStatus = 'ON_STAGE' | 'OFF_STAGE' | 'REQUESTED_TO_JOIN_STAGE' | 'ACCEPTED_TO_JOIN_STAGE';
export type ProduceAccess = 'ALLOWED' | 'NOT_ALLOWED' | 'CAN_REQUEST';
export type RecordingState = 'IDLE' | 'STARTING' | 'RECORDING' | 'PAUSED' | 'STOPPING';
export type LivestreamStatus = 'IDLE' | 'STARTING' | 'LIVESTREAMING' | 'STOPPING';
export type ViewMode = 'ACTIVE_GRID' | 'PAGINATED';

export class RTKError extends Error {
	/** Four-digit code in the RealtimeKit module scheme (docs/protocol.md). */
	code: string;
	capability?: string;
	/** 0806 (a join sent to another node), 0807 (a stage request on a cascade edge): that node's
	 * Janus WebSocket URL. */
	janusUrl?: string;
}

export class RTKEventEmitter {
	on(event: string, listener: (...args: any[]) => void): this;
	addListener(event: string, listener: (...args: any[]) => void): this;
	once(event: string, listener: (...args: any[]) => void): this;
	off(event: string, listener: (...args: any[]) => void): this;
	removeListener(event: string, listener: (...args: any[]) => void): this;
	removeAllListeners(event?: string): this;
	listenerCount(event: string): number;
	emit(event: string, ...args: any[]): boolean;
}

export interface ScreenshareQualityConstraints {
	displaySurface?: 'window' | 'monitor' | 'browser';
	width?: any;
	height?: any;
	frameRate?: any;
}

export interface RecordingConfig {
	videoConfig?: { height?: number; width?: number; codec?: 'H264' | 'VP8'; exportFile?: boolean };
	audioConfig?: { codec?: 'AAC' | 'MP3'; channel?: 'mono' | 'stereo'; exportFile?: boolean };
	fileNamePrefix?: string;
}

export interface InitOptions {
	authToken: string;
	/** The gateway (REST) origin; default: the origin this module was loaded from. */
	baseURI?: string;
	defaults?: {
		audio?: boolean;
		video?: boolean;
		recording?: RecordingConfig;
		mediaConfiguration?: {
			video?: { width?: any; height?: any; frameRate?: any };
			audio?: {
				echoCancellation?: boolean;
				/** The seeds' spelling; noiseSuppression is accepted too. */
				noiseSupression?: boolean;
				noiseSuppression?: boolean;
				autoGainControl?: boolean;
				enableStereo?: boolean;
				/** Caps the audio encoder at 128 kb/s instead of the browser's default. */
				enableHighBitrate?: boolean;
			};
			/** Both spellings are read; where both set a key, screenshare's wins. */
			screenshare?: ScreenshareQualityConstraints;
			screenShare?: ScreenshareQualityConstraints;
		};
		/** True for devices not to pick by default (default: virtual devices such as OBS, Continuity). */
		isNonPreferredDevice?: (device: MediaDeviceInfo) => boolean | undefined;
		/** Switch to a microphone when one is plugged in (default true). */
		autoSwitchAudioDevice?: boolean;
	};
	/** Server-specific: the Janus WebSocket URL (default: what the gateway's /sdk/server.json
	 * says, else ws(s)://<baseURI host>:<janusPort>/). */
	janusURL?: string;
	/** Server-specific: the Janus WebSocket port (RTK_JANUS_WS_PORT); without it and janusURL,
	 * init asks the gateway (/sdk/server.json), falling back to 8188. */
	janusPort?: number;
	/** The ICE servers of both PeerConnections (default: the ice_servers of the gateway's
	 * /sdk/server.json, i.e. its TURN server, RTK_TURN_SERVER; none when it names none). */
	iceServers?: RTCIceServer[];
	/** The seeds' overrides; simulcastConfig: the camera's simulcast layers (docs/sdk.md). */
	overrides?: { simulcastConfig?: SimulcastConfig; [key: string]: any };
	/** Keepalive period in ms (default 10000); a socket silent for about three periods is treated as dropped (docs/sdk.md, Reconnection). */
	keepaliveMs?: number;
	/** Server-specific: how often mediaScoreUpdate samples getStats, in ms (default 3000). */
	mediaScoreIntervalMs?: number;
	/** Reconnection (docs/sdk.md): claim the session again after a dropped socket (default true). */
	reconnect?: boolean;
	/** How long reconnection is tried before `failed`, in ms (default 30000, the server's RTK_JANUS_RECLAIM_TIMEOUT). */
	reconnectTimeoutMs?: number;
	/** Delays between reconnection attempts, in ms; the last repeats (default [250, 500, 1000, 2000, 4000]). */
	reconnectDelaysMs?: number[];
	/** How long a PeerConnection may stay ICE-`disconnected` before it restarts ICE, in ms (default 4000). */
	iceDisconnectedMs?: number;
	/** How often the ICE state is looked at, in ms (default 1000). */
	iceCheckMs?: number;
	/** Injection points for tests. */
	WebSocket?: typeof WebSocket;
	fetch?: typeof fetch;
	RTCPeerConnection?: typeof RTCPeerConnection;
	mediaDevices?: MediaDevices | null;
}

/** meeting.self.permissions: an emitter of chatUpdate, pollsUpdate, pluginsUpdate (the area changed)
 * and permissionsUpdate (anything changed); the same object across updates. */
export class RTKPermissionsPreset extends RTKEventEmitter {
	stageEnabled: boolean;
	stageAccess: ProduceAccess;
	acceptWaitingRequests: boolean;
	acceptStageRequests: boolean;
	acceptPresentRequests: boolean;
	canAcceptProductionRequests: boolean;
	requestProduceAudio: boolean;
	requestProduceVideo: boolean;
	requestProduceScreenshare: boolean;
	requestProduce: boolean;
	canAllowParticipantAudio: boolean;
	canAllowParticipantVideo: boolean;
	canAllowParticipantScreensharing: boolean;
	canDisableParticipantAudio: boolean;
	canDisableParticipantVideo: boolean;
	canDisableParticipantScreensharing: boolean;
	kickParticipant: boolean;
	pinParticipant: boolean;
	canRecord: boolean;
	canLivestream: boolean;
	canSpotlight: boolean;
	canEditDisplayName: boolean;
	waitingRoomType: string;
	waitingRoomBehaviour: string;
	produceAudio: ProduceAccess;
	produceVideo: ProduceAccess;
	produceScreenshare: ProduceAccess;
	canProduceAudio: ProduceAccess;
	canProduceVideo: ProduceAccess;
	canProduceScreenshare: ProduceAccess;
	chatPublic: { canSend: boolean; text: boolean; files: boolean };
	chatPrivate: { canSend: boolean; canReceive: boolean; text: boolean; files: boolean };
	/** canView: the name this SDK had, an alias of canViewResults. */
	polls: { canCreate: boolean; canVote: boolean; canViewResults: boolean; readonly canView: boolean };
	plugins: { canStart: boolean; canClose: boolean; canEditConfig: boolean; config: object };
	connectedMeetings: { canAlterConnectedMeetings: boolean; canSwitchConnectedMeetings: boolean; canSwitchToParentMeeting: boolean };
	hiddenParticipant: boolean;
	showParticipantList: boolean;
	canChangeParticipantPermissions: boolean;
	canChangeParticipantRole: boolean;
	/** @deprecated in the seeds; the preset's can_change_theme, false when absent. */
	canChangeTheme: boolean;
	isRecorder: boolean;
	recorderType: string;
	canPresent: boolean;
	maxScreenShareCount: number;
	/** The server's snake_case permissions object. */
	readonly raw: Record<string, any>;
	on(event: 'chatUpdate', listener: (d: { chatPublic: object; chatPrivate: object }) => void): this;
	on(event: 'pollsUpdate' | 'pluginsUpdate', listener: (area: Record<string, any>) => void): this;
	on(event: 'permissionsUpdate', listener: (p: RTKPermissionsPreset) => void): this;
	on(event: '*', listener: (event: string, ...args: any[]) => void): this;
	on(event: string, listener: (...args: any[]) => void): this;
}

/** @deprecated the old name of RTKPermissionsPreset */
export type PermissionsView = RTKPermissionsPreset;

/** meeting.self.config: RTKThemePreset's names over the preset's config (every key camelCased). */
export interface RTKThemePreset {
	viewType?: 'GROUP_CALL' | 'WEBINAR' | 'LIVESTREAM' | string;
	maxVideoStreams?: { mobile: number; desktop: number };
	maxScreenShareCount?: number;
	livestreamViewerQualities: string[];
	disabledPlugins: string[];
	media?: Record<string, any>;
	/** The server's snake_case config. */
	readonly raw: Record<string, any>;
	[key: string]: any;
}

export interface ScreenShareTracks { audio: MediaStreamTrack | null; video: MediaStreamTrack | null }

/** overrides.simulcastConfig: `disable` sends one encoding; `encodings` are the layers (at most 3). */
export interface SimulcastConfig {
	disable?: boolean;
	encodings?: RTCRtpEncodingParameters[];
}

/** The seeds' scoreStats; video adds the picture, a sent video the browser's limitations. */
export interface MediaScoreStats {
	score: number;
	/** bytes per second */
	bitrate: number;
	packetsLostPercentage: number;
	/** seconds */
	jitter: number;
	isScreenShare: boolean;
	frameWidth?: number;
	frameHeight?: number;
	framesPerSecond?: number;
	cpuLimitations?: boolean;
	bandwidthLimitations?: boolean;
}

export interface MediaScoreUpdate {
	kind: 'audio' | 'video';
	isScreenshare: boolean;
	/** 0-10 */
	score: number;
	participantId: string;
	scoreStats: MediaScoreStats;
}

/** Called for every camera frame after it was drawn on the canvas (see setVideoMiddlewareGlobalConfig). */
export type VideoMiddlewareFrame = (canvas: HTMLCanvasElement, ctx: CanvasRenderingContext2D) => void | Promise<void>;
/** A function returning (possibly through a promise) its per-frame function. */
export type VideoMiddleware = () => VideoMiddlewareFrame | Promise<VideoMiddlewareFrame>;
/** A function of an AudioContext returning (possibly through a promise) the AudioNode the microphone runs through. */
export type AudioMiddleware = (audioContext: AudioContext) => AudioNode | Promise<AudioNode>;

export class RTKParticipant extends RTKEventEmitter {
	readonly id: string;
	readonly peerId: string;
	userId: string;
	name: string;
	picture: string | null;
	customParticipantId: string | null;
	clientSpecificId: string | null;
	presetName: string | null;
	audioEnabled: boolean;
	videoEnabled: boolean;
	screenShareEnabled: boolean;
	audioTrack: MediaStreamTrack | null;
	videoTrack: MediaStreamTrack | null;
	screenShareTracks: ScreenShareTracks;
	stageStatus: StageStatus;
	isPinned: boolean;
	/** Not reported by this server: null. */
	device: null;
	/** No mediasoup producers here: []. */
	producers: unknown[];
	manualProducerConfig: null;
	supportsRemoteControl: false;
	/** True: a participant object exists while it is in the meeting. */
	socketJoined: boolean;
	/** Whether this page receives any of its media now. */
	readonly mediaJoined: boolean;
	registerVideoElement(videoElement: HTMLVideoElement): void;
	deregisterVideoElement(videoElement: HTMLVideoElement): void;
	/** Resolves with the participant's id. */
	pin(): Promise<string>;
	unpin(): Promise<string>;
	setIsPinned(pinned: boolean): Promise<string>;
	kick(): Promise<unknown>;
	disableAudio(allowUnmute?: boolean): Promise<unknown>;
	disableVideo(allowUnmute?: boolean): Promise<unknown>;
	disableScreenShare(allowUnmute?: boolean): Promise<unknown>;
	on(event: 'audioUpdate', listener: (d: { audioEnabled: boolean; audioTrack: MediaStreamTrack | null }) => void): this;
	on(event: 'videoUpdate', listener: (d: { videoEnabled: boolean; videoTrack: MediaStreamTrack | null }) => void): this;
	on(event: 'screenShareUpdate', listener: (d: { screenShareEnabled: boolean; screenShareTracks: ScreenShareTracks }) => void): this;
	on(event: 'pinned' | 'unpinned', listener: (p: RTKParticipant) => void): this;
	on(event: 'mediaScoreUpdate', listener: (d: MediaScoreUpdate) => void): this;
	on(event: string, listener: (...args: any[]) => void): this;
}

export class RTKParticipantMap extends RTKEventEmitter implements Iterable<[string, RTKParticipant]> {
	readonly size: number;
	get(id: string): RTKParticipant | undefined;
	has(id: string): boolean;
	keys(): IterableIterator<string>;
	values(): IterableIterator<RTKParticipant>;
	entries(): IterableIterator<[string, RTKParticipant]>;
	forEach(fn: (p: RTKParticipant, id: string) => void, thisArg?: any): void;
	[Symbol.iterator](): IterableIterator<[string, RTKParticipant]>;
	toArray(): RTKParticipant[];
	on(event: 'participantJoined' | 'participantLeft', listener: (p: RTKParticipant) => void): this;
	/** Payload first (it names the participant), as the seeds show. */
	on(event: 'mediaScoreUpdate', listener: (d: MediaScoreUpdate) => void): this;
	on(event: string, listener: (participant: RTKParticipant, ...args: any[]) => void): this;
}

/** A participant as participants.getParticipantsInMeetingPreJoin() lists it before join (the server's participant object). */
export interface PreJoinParticipant {
	id: string;
	userId: string;
	name: string;
	picture?: string | null;
	customParticipantId?: string | null;
	presetName?: string;
	audioEnabled: boolean;
	videoEnabled: boolean;
	screenShareEnabled?: boolean;
	stageStatus: StageStatus;
	isPinned: boolean;
	[key: string]: unknown;
}

export interface JoinedMap extends RTKParticipantMap {
	acceptWaitingRoomRequest(id: string): Promise<unknown>;
	rejectWaitingRoomRequest(id: string): Promise<unknown>;
	acceptAllWaitingRoomRequest(): Promise<unknown>;
}

export class RTKParticipants extends RTKEventEmitter {
	joined: JoinedMap;
	active: RTKParticipantMap;
	pinned: RTKParticipantMap;
	waitlisted: RTKParticipantMap;
	readonly count: number;
	viewMode: ViewMode;
	currentPage: number;
	pageCount: number;
	maxActiveParticipantsCount: number;
	lastActiveSpeaker: string | null;
	/** The participants whose video / audio this page receives. */
	videoSubscribed: RTKParticipant[];
	audioSubscribed: RTKParticipant[];
	/** Everyone who was in `joined` during this session, also after leaving. */
	all: RTKParticipantMap;
	/** True from roomJoined to roomLeft. */
	socketJoined: boolean;
	/** True once the subscriber handle is subscribed, until roomLeft. */
	mediaJoined: boolean;
	/** Peer ids of the server's current selection (the `active` view). */
	selectedPeers: string[];
	/** Not implemented: isSupported is false and every method rejects (code 0601). */
	pip: { isSupported: false; init(o?: object): Promise<never>; enable(): Promise<never>; disable(): Promise<never> };
	disableAudio(participantId: string | RTKParticipant, allowUnmute?: boolean): Promise<unknown>;
	disableVideo(participantId: string | RTKParticipant, allowUnmute?: boolean): Promise<unknown>;
	kick(participantId: string | RTKParticipant): Promise<unknown>;
	getAllJoinedPeers(): RTKParticipant[];
	/** Before join: the participants in the meeting now, as the server lists them to this participant (none without showParticipantList, never hidden ones), as plain participant objects (docs/protocol.md); also fills meeting.meta. Joined: the joined participants. */
	getParticipantsInMeetingPreJoin(): Promise<Array<PreJoinParticipant | RTKParticipant>>;
	/** Rejects (code 0501): the server relays no custom messages yet. */
	/** Sends {type, payload} through the server to `target`'s participants, or to everyone (self included); resolves with how many got it. Received as 'broadcastedMessage' {type, payload, timestamp, senderId}. */
	broadcastMessage(type: string, payload: object, target?: { participantIds?: string[] } | { presetName?: string; meetingIds?: string[] }): Promise<number>;
	toArray(): RTKParticipant[];
	setViewMode(viewMode: ViewMode): Promise<unknown>;
	setPage(page: number): Promise<unknown>;
	setMaxActiveParticipantsCount(count: number): Promise<unknown>;
	acceptWaitingRoomRequest(id: string): Promise<unknown>;
	acceptAllWaitingRoomRequest(): Promise<unknown>;
	rejectWaitingRoomRequest(id: string): Promise<unknown>;
	updatePermissions(participantIds: string | string[], permissions: object): Promise<unknown>;
	disableAllAudio(allowUnmute?: boolean): Promise<unknown>;
	disableAllVideo(allowUnmute?: boolean): Promise<unknown>;
	kickAll(): Promise<unknown>;
}

export class RTKSelf extends RTKEventEmitter {
	id: string | null;
	readonly peerId: string | null;
	userId: string | null;
	organizationId: string | null;
	name: string;
	picture: string | null;
	customParticipantId: string | null;
	presetName: string | null;
	permissions: RTKPermissionsPreset;
	config: RTKThemePreset;
	roomState: RoomState;
	roomJoined: boolean;
	isPinned: boolean;
	readonly stageStatus: StageStatus;
	audioEnabled: boolean;
	videoEnabled: boolean;
	screenShareEnabled: boolean;
	audioTrack: MediaStreamTrack | null;
	videoTrack: MediaStreamTrack | null;
	/** The captured tracks, before the middlewares (audioTrack/videoTrack when there are none). */
	rawAudioTrack: MediaStreamTrack | null;
	rawVideoTrack: MediaStreamTrack | null;
	screenShareTracks: ScreenShareTracks;
	mediaPermissions: { audio: MediaPermission; video: MediaPermission; screenshare: MediaPermission };
	/** Set by hide()/show(); local to this page. */
	isHidden: boolean;
	enableAudio(): Promise<void>;
	disableAudio(): Promise<void>;
	enableVideo(): Promise<void>;
	disableVideo(): Promise<void>;
	enableScreenShare(): Promise<void>;
	disableScreenShare(): Promise<void>;
	setName(name: string): Promise<void>;
	/** Resolve with self.id. */
	pin(): Promise<string>;
	unpin(): Promise<string>;
	setIsPinned(pinned: boolean): Promise<string>;
	/** Local only: emit 'hidden' / 'shown' (self) when isHidden changes. */
	hide(): void;
	show(): void;
	/** Removes every listener of self and of self.permissions. */
	cleanupEvents(): void;
	/** Acquires (and once joined publishes) the kinds asked for (default both); rejects on failure. */
	setupTracks(options?: { audio?: boolean; video?: boolean }): Promise<void>;
	/** applyConstraints on the running screenshare track; kept for the next one. */
	updateScreenshareConstraints(constraints: ScreenshareQualityConstraints): Promise<void>;
	registerVideoElement(videoElement: HTMLVideoElement, isPreview?: boolean): void;
	deregisterVideoElement(videoElement: HTMLVideoElement): void;
	getAllDevices(): Promise<MediaDeviceInfo[]>;
	getAudioDevices(): Promise<MediaDeviceInfo[]>;
	getVideoDevices(): Promise<MediaDeviceInfo[]>;
	getSpeakerDevices(): Promise<MediaDeviceInfo[]>;
	getDeviceById(deviceId: string, kind: 'audio' | 'video' | 'speaker'): Promise<MediaDeviceInfo | undefined>;
	getCurrentDevices(): { audio?: MediaDeviceInfo; video?: MediaDeviceInfo; speaker?: MediaDeviceInfo };
	setDevice(device: MediaDeviceInfo): Promise<void>;
	updateVideoConstraints(constraints: MediaTrackConstraints): Promise<void>;
	updateScreenshareConstraints(constraints: MediaTrackConstraints): Promise<void>;
	addVideoMiddleware(middleware: VideoMiddleware): Promise<void>;
	removeVideoMiddleware(middleware: VideoMiddleware): Promise<void>;
	removeAllVideoMiddlewares(): Promise<void>;
	setVideoMiddlewareGlobalConfig(config: { disablePerFrameCanvasRendering?: boolean }): Promise<void>;
	addAudioMiddleware(middleware: AudioMiddleware): Promise<void>;
	removeAudioMiddleware(middleware: AudioMiddleware): Promise<void>;
	removeAllAudioMiddlewares(): Promise<void>;
	on(event: 'roomJoined', listener: (d: { reconnected: boolean }) => void): this;
	on(event: 'roomLeft', listener: (d: { state: RoomState; reason?: string }) => void): this;
	on(event: 'waitlisted', listener: () => void): this;
	on(event: 'audioUpdate', listener: (d: { audioEnabled: boolean; audioTrack: MediaStreamTrack | null }) => void): this;
	on(event: 'videoUpdate', listener: (d: { videoEnabled: boolean; videoTrack: MediaStreamTrack | null }) => void): this;
	on(event: 'screenShareUpdate', listener: (d: { screenShareEnabled: boolean; screenShareTracks: ScreenShareTracks }) => void): this;
	/** Failures of init's preview are given to the first listener added after init. */
	on(event: 'mediaPermissionError', listener: (d: { message: MediaPermission; kind: string }) => void): this;
	on(event: 'mediaPermissionUpdate', listener: (d: { message: MediaPermission; kind: string }) => void): this;
	on(event: 'hidden' | 'shown', listener: (self: RTKSelf) => void): this;
	on(event: 'permissionsUpdate', listener: (d: { permissions: PermissionsView }) => void): this;
	on(event: 'mediaScoreUpdate', listener: (d: MediaScoreUpdate) => void): this;
	on(event: string, listener: (...args: any[]) => void): this;
}

export class RTKMeta extends RTKEventEmitter {
	meetingId: string | null;
	meetingTitle: string | null;
	sessionId: string | null;
	meetingStartedTimestamp: Date | null;
	viewType: string | null;
	/** This participant's active tab: its own (setSelfActiveTab), or the spotlighter's it follows. */
	selfActiveTab: SpotlightTab | null;
	/** Whether this participant is the spotlight: the others follow its tab changes. */
	broadcastTabChanges: boolean;
	/** Turns the broadcasting of this participant's tab changes on (needs can_spotlight: rejects with 0902) or off. The latest participant to turn it on takes over. */
	setBroadcastTabChanges(broadcastTabChanges: boolean): Promise<void>;
	/** Sets this participant's active tab (type 1-32 bytes, id at most 128 bytes or null; else 0001; 0012 past 20 a second); followed by the others while it broadcasts. */
	setSelfActiveTab(spotlightTab: SpotlightTab): Promise<void>;
	on(event: 'metaUpdate', listener: (meta: RTKMeta) => void): this;
	on(event: 'activeTabUpdate', listener: (d: { tab: SpotlightTab; participantId: string }) => void): this;
	on(event: 'spotlightEnded', listener: (d: { participantId: string; reason: 'disabled' | 'replaced' | 'left' | 'permissions' }) => void): this;
	on(event: 'broadcastTabChangesUpdate', listener: (d: { broadcastTabChanges: false; reason: 'replaced' | 'permissions'; participantId: string | null }) => void): this;
	on(event: string, listener: (...args: any[]) => void): this;
}

/** What a participant looks at: e.g. {type: 'screenshare', id: peerId} or {type: 'plugin', id: pluginId}. */
export interface SpotlightTab {
	type: string;
	id?: string | null;
}

export class RTKStage extends RTKEventEmitter {
	status: StageStatus;
	accessRequests: object[];
	getAccessRequests(): Promise<{ stageRequests: object[] }>;
	requestAccess(): Promise<unknown>;
	cancelRequestAccess(): Promise<unknown>;
	grantAccess(userIds: string[]): Promise<unknown>;
	denyAccess(userIds: string[]): Promise<unknown>;
	join(): Promise<unknown>;
	leave(): Promise<unknown>;
	kick(userIds: string[]): Promise<unknown>;
}

export class RTKRecording extends RTKEventEmitter {
	recordingState: RecordingState;
	recordings: { id: string; state: RecordingState }[];
	start(options?: { allowMultiple?: boolean; config?: RecordingConfig }): Promise<unknown>;
	stop(id?: string): Promise<unknown>;
	pause(id?: string): Promise<unknown>;
	resume(id?: string): Promise<unknown>;
}

export class RTKLivestream extends RTKEventEmitter {
	status: LivestreamStatus;
	state: LivestreamStatus;
	playbackUrl: string | null;
	viewerCount: number;
	id: string | null;
	start(): Promise<unknown>;
	stop(): Promise<unknown>;
}

/** Present, but every method rejects with an RTKError naming the missing capability. */
export type UnsupportedNamespace = RTKEventEmitter & Record<string, any>;

/** meeting.plugins.all / .active: a read-only map by plugin id that emits pluginAdded / pluginDeleted
 * (the plugin) and re-emits every event of a plugin it holds, the plugin first: ('stateUpdate', plugin, update). */
export interface RTKPluginMap<T = RTKPlugin> extends RTKEventEmitter, Iterable<[string, T]> {
	readonly size: number;
	get(id: string): T | undefined;
	has(id: string): boolean;
	keys(): IterableIterator<string>;
	values(): IterableIterator<T>;
	entries(): IterableIterator<[string, T]>;
	forEach(fn: (v: T, id: string) => void, thisArg?: any): void;
	toArray(): T[];
}

export type MessageType = 'text' | 'image' | 'file';

/** The seeds' BaseMessage: what every chat message carries. */
export interface BaseMessage<T extends MessageType> {
	type: T;
	id: string;
	/** The author's participant id (the REST id, the same across reconnects). */
	userId: string;
	displayName: string;
	time: Date;
	/** Server-specific: `time` in ms since the epoch (getMessages takes it as a timestamp). */
	timeMs: number;
	isEdited?: boolean;
	read?: boolean;
	pluginId?: string;
	pinned?: boolean;
	/** A private message: the user ids it was sent to. */
	targetUserIds?: string[];
	/** A channel message: its channel. */
	channelId?: string;
}

export interface TextMessage extends BaseMessage<'text'> {
	message: string;
}

/** An image or file: `link` needs the participant token (chat.getFileUrl adds it). */
export interface ImageMessage extends BaseMessage<'image'> {
	fileId: string;
	link: string;
	name: string;
	size: number;
}

export interface FileMessage extends BaseMessage<'file'> {
	fileId: string;
	link: string;
	name: string;
	size: number;
}

export type Message = TextMessage | ImageMessage | FileMessage;

/** What sendMessage, sendMessageToChannel and editMessage take. */
export type MessagePayload =
	| { type: 'text'; message: string }
	| { type: 'image'; image: File | Blob }
	| { type: 'file'; file: File | Blob };

export interface ChatChannel {
	id: string;
	displayName: string;
	displayPictureUrl?: string | null;
	visibility: 'public' | 'private';
	isDirectMessage: boolean;
	/** The creator's user id. */
	createdBy: string;
	memberIds: string[];
	latestMessage: Message | null;
	/** The channel's messages from others after self's markLastReadMessage. */
	unreadCount: number;
}

/** A chat channel member: a participant object, or {id, userId} for one not joined now. */
export type ChannelMember = { id: string; userId: string; name?: string; [key: string]: any };

export type ChatUpdateAction = 'add' | 'edit' | 'delete';

/** meeting.chat (docs/sdk.md, Chat). Refusals reject with RTKError (05xx, 0902, 0012, ...). */
export class RTKChat extends RTKEventEmitter {
	/** The public chat and the private messages self sees, oldest first (channel messages are not in it). */
	messages: Message[];
	/** The pinned messages self sees, oldest first. */
	pinned: Message[];
	/** The channels self is a member of. */
	channels: ChatChannel[];
	/** True from roomJoined to roomLeft. */
	socketJoined: boolean;
	/** sendTextMessage and editTextMessage refuse (0503) text longer than `limit` characters. */
	setMaxTextLimit(limit: number): void;
	/** Sends text to everyone, or privately to participantIds (user or peer ids). Resolves with the message. */
	sendTextMessage(message: string, participantIds?: string[]): Promise<Message>;
	/** Uploads the image (POST /v2/chat-files), then sends it. */
	sendImageMessage(image: File | Blob, participantIds?: string[]): Promise<Message>;
	/** Uploads the file (POST /v2/chat-files), then sends it. */
	sendFileMessage(file: File | Blob, participantIds?: string[]): Promise<Message>;
	sendMessage(message: MessagePayload, participantIds?: string[]): Promise<Message>;
	sendMessageToChannel(message: MessagePayload, channelId: string): Promise<Message>;
	editTextMessage(messageId: string, message: string): Promise<Message>;
	editImageMessage(messageId: string, image: File | Blob): Promise<Message>;
	editFileMessage(messageId: string, file: File | Blob): Promise<Message>;
	editMessage(messageId: string, message: MessagePayload): Promise<Message>;
	deleteMessage(messageId: string): Promise<void>;
	getMessagesByUser(userId: string): Message[];
	getMessagesByType(type: MessageType): Message[];
	/** Resolves with the message, pinned. */
	pin(id: string): Promise<Message>;
	unpin(id: string): Promise<Message>;
	/** A page: `reversed` (default true) goes back in time from `timestamp` (ms or Date). Does not change `messages`. */
	getMessages(timestamp?: number | Date, size?: number, reversed?: boolean, offset?: number, channelId?: string):
		Promise<{ messages: Message[]; next: boolean }>;
	/** Every word must match, each also as a prefix; best match first. */
	searchMessages(query: string, options?: { channelId?: string; limit?: number }): Promise<Message[]>;
	createChannel(channelName: string, memberIds: string[],
		options?: { displayPictureUrl?: string; visibility?: 'public' | 'private'; isDirectMessage?: boolean }): Promise<ChatChannel>;
	/** Renames the channel and/or replaces its members (the creator or kick_participant). */
	updateChannel(channelId: string, payload: { name?: string; memberIds?: string[] }): Promise<ChatChannel>;
	getChannelMembers(channelId: string): Promise<ChannelMember[]>;
	markLastReadMessage(channelId: string, message: Message | string): Promise<ChatChannel>;
	/** Server-specific: an image's or file's link with the participant token (for <img src>, <a href>); null for text. */
	getFileUrl(message: Message): string | null;
	/** `action` is server-specific; for 'delete', `message` is the removed one (or {id, channelId} when self never held it). */
	on(event: 'chatUpdate', listener: (d: { message: Message; messages: Message[]; action: ChatUpdateAction }) => void): this;
	on(event: 'pinMessage' | 'unpinMessage', listener: (d: { message: Message }) => void): this;
	on(event: 'channelCreate' | 'channelUpdate', listener: (d: { channel: ChatChannel; channels: ChatChannel[] }) => void): this;
	on(event: string, listener: (...args: any[]) => void): this;
}

/** A vote as a Poll names it: `id` is the voter's user id (participant.userId). */
export interface PollVote { id: string; name: string }
export interface PollOption { text: string; votes: PollVote[]; count: number }
/** A poll as the server shows this participant (docs/protocol.md, Polls): anonymous polls name no
 * voter (`voted` holds at most self.userId); with hideVotes, counts and votes read 0 and [] until
 * this participant has voted (its creator always sees them). */
export interface Poll {
	id: string;
	question: string;
	options: PollOption[];
	anonymous: boolean;
	hideVotes: boolean;
	/** Display name of the creator; "" for a poll created over REST. */
	createdBy: string;
	/** User id of the creator; "" for a poll created over REST. */
	createdByUserId: string;
	/** User ids of the voters this participant may see. */
	voted: string[];
}

export class RTKPolls extends RTKEventEmitter {
	/** Every poll of the live session (empty without polls.can_view). */
	items: Poll[];
	/** True once the meeting is joined. */
	socketJoined: boolean;
	/** Needs polls.can_create; resolves with the poll. Rejects 0704 (limits), 0705 (too many polls), 0902. */
	create(question: string, options: string[], anonymous?: boolean, hideVotes?: boolean): Promise<Poll>;
	/** One vote per participant; resolves with the poll. Rejects 0701 (unknown poll), 0702 (voted already), 0703 (no such option), 0902. */
	vote(pollId: string, index: number): Promise<Poll>;
	on(event: 'pollsUpdate', listener: (update: { polls: Poll[]; newPoll: boolean }) => void): this;
	on(event: string, listener: (...args: any[]) => void): this;
}

/** A meeting of a connected-meetings family (docs/protocol.md, "Connected meetings"). */
export interface ConnectedMeeting {
	id: string;
	title: string | null;
	/** Who is joined there now; only for a caller with can_alter_connected_meetings. */
	participants?: Record<string, any>[];
}

export class RTKConnectedMeetings extends RTKEventEmitter {
	/** As the last getConnectedMeetings() answered. */
	parentMeeting: ConnectedMeeting | null;
	meetings: ConnectedMeeting[];
	/** The parent and its ACTIVE connected meetings; emits stateUpdate. */
	getConnectedMeetings(): Promise<{ parentMeeting: ConnectedMeeting; meetings: ConnectedMeeting[] }>;
	/** Needs can_alter_connected_meetings. Rejects 0804 (titles, at most 50), 0902. */
	createMeetings(meetings: { title: string }[]): Promise<{ id: string; title: string }[]>;
	/** Rejects 0803 (not a connected meeting of this family), 0804, 0902. */
	updateMeetings(meetings: { id: string; title: string }[]): Promise<{ id: string; title: string }[]>;
	/** Sets them INACTIVE. Rejects 0803, 0805 (someone is in it), 0902. */
	deleteMeetings(meetingIds: string[]): Promise<{ id: string; title: string }[]>;
	/** Others: can_alter_connected_meetings; oneself: can_switch_connected_meetings / can_switch_to_parent_meeting.
	 * Rejects 0803, 0804 (source = destination), 1204 (not joined in the source), 0902. */
	moveParticipants(sourceMeetingId: string, destinationMeetingId: string, participantIds: string[]):
		Promise<{ id: string; destinationMeetingId: string }[]>;
	/** As moveParticipants with another preset there (a name, or {presetName} / {presetId}); also 0901. */
	moveParticipantsWithCustomPreset(sourceMeetingId: string, destinationMeetingId: string, participantIds: string[],
		preset: string | { presetName?: string; presetId?: string }): Promise<{ id: string; destinationMeetingId: string }[]>;
	on(event: 'stateUpdate', listener: (state: { parentMeeting: ConnectedMeeting | null; meetings: ConnectedMeeting[] }) => void): this;
	/** This participant is being moved (the meeting id it goes to). */
	on(event: 'changingMeeting', listener: (meetingId: string) => void): this;
	/** This participant joined the meeting it was moved to. */
	on(event: 'meetingChanged', listener: (meeting: { id: string; title: string | null; isParent: boolean }) => void): this;
	on(event: string, listener: (...args: any[]) => void): this;
}

export interface RTKPluginsUnsupported extends UnsupportedNamespace {
	all: RTKEmptyMap<never>;
	active: RTKEmptyMap<never>;
/** A plugin of the registry (REST /v2/plugins): the seeds' plugin object. */
export interface RTKPluginInfo {
	id: string;
	name: string;
	description: string | null;
	picture: string | null;
	/** The iframe app: an http(s) URL or a path on the server. */
	url: string;
	config: Record<string, any>;
}

/** A key of a plugin's meeting state changed (value null: removed). */
export interface RTKPluginStateUpdate {
	key: string;
	value: any;
	updatedBy: string | null;
}

/** One plugin of meeting.plugins (protocol.md, "Plugins"). */
export class RTKPlugin extends RTKEventEmitter implements RTKPluginInfo {
	id: string;
	name: string;
	description: string | null;
	picture: string | null;
	url: string;
	config: Record<string, any>;
	/** Active in the meeting (for everyone). */
	active: boolean;
	/** Peer id of who activated it, or null. */
	activatedBy: string | null;
	/** The plugin's key-value state in this meeting (while active). */
	state: Record<string, any>;
	/** Whether VIEW_ONLY participants were given control (toggleViewMode). */
	viewOnlyControl: boolean;
	/** Closed for this participant only (deactivateForSelf). */
	hiddenForSelf: boolean;
	/** This participant may send data and set state (FULL_ACCESS, or view-only control on). */
	readonly canWrite: boolean;
	/** For everyone; needs plugins.can_start. Rejects 0601 (unknown), 0602 (disabled by the preset), 0605, 0902. */
	activate(): Promise<void>;
	/** For everyone; needs plugins.can_close. Rejects 0603 (not active), 0902. */
	deactivate(): Promise<void>;
	/** Local: shows an active plugin again for this participant. */
	activateForSelf(): Promise<void>;
	/** Local: hides the plugin for this participant (the others keep it). */
	deactivateForSelf(): Promise<void>;
	/** @deprecated activateForSelf */
	enable(): Promise<void>;
	/** @deprecated deactivateForSelf */
	disable(): Promise<void>;
	/** To this plugin's instances of the other participants: an object of at most 16 KiB as JSON.
	 * Rejects 0603, 0604 (view only), 0606 (too large), 0012. */
	sendData(payload: Record<string, any>): Promise<void>;
	/** Sets a key of the plugin's meeting state (null removes it): keys 1-128 bytes, values 16 KiB, 256 keys. */
	setState(key: string, value: any): Promise<void>;
	/** Gives (true) or takes back control from VIEW_ONLY participants; needs plugins.can_edit_config. */
	toggleViewMode(enabled?: boolean): Promise<void>;
	/** Hosts the plugin's app in `iframe` (src set to its url when empty) and bridges its postMessage protocol. */
	addPluginView(iframe: HTMLIFrameElement, viewId?: string): Promise<void>;
	/** Detaches a view's bridge; call before the iframe leaves the DOM. */
	removePluginView(viewId?: string): void;
	/** Posts `message` to every view of the plugin. */
	sendIframeEvent(message: any): void;
	on(event: 'enabled' | 'closed' | 'ready', listener: () => void): this;
	on(event: 'stateUpdate' | 'rtkStateUpdate', listener: (update: RTKPluginStateUpdate) => void): this;
	on(event: 'data', listener: (message: { data: any; senderId: string | null }) => void): this;
	on(event: 'toggleViewMode', listener: (canWrite: boolean) => void): this;
	on(event: string, listener: (...args: any[]) => void): this;
}

/** meeting.plugins: every plugin this participant may use, and the active ones. */
export class RTKPlugins extends RTKEventEmitter {
	all: RTKPluginMap<RTKPlugin>;
	active: RTKPluginMap<RTKPlugin>;
	/** By id, as RTKPlugin.activate / deactivate. */
	activate(pluginId: string): Promise<void>;
	deactivate(pluginId: string): Promise<void>;
	/** Re-reads the registry into `all` (plugins.list). */
	refresh(): Promise<RTKPluginMap<RTKPlugin>>;
}

export interface RTKAiUnsupported extends UnsupportedNamespace {
	/** Throw (1801). */
	parseTranscript(line: string): never;
	parseTranscripts(text: string): never;
}

export class RealtimeKitClient extends RTKEventEmitter {
	static init(options: InitOptions): Promise<RealtimeKitClient>;
	self: RTKSelf;
	participants: RTKParticipants;
	meta: RTKMeta;
	stage: RTKStage;
	recording: RTKRecording;
	livestream: RTKLivestream;
	chat: RTKChat;
	polls: RTKPolls;
	plugins: RTKPlugins;
	connectedMeetings: RTKConnectedMeetings;
	ai: RTKAiUnsupported;
	readonly isPinned: boolean;
	readonly janusURL: string | null;
	join(): Promise<void>;
	leave(): Promise<void>;
	/** @deprecated use join() */
	joinRoom(): Promise<void>;
	/** @deprecated use leave() */
	leaveRoom(): Promise<void>;
}

export default RealtimeKitClient;
