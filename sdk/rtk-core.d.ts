/*
 * rtk-core.d.ts - TypeScript declarations of what sdk/rtk-core.js
 * implements today (docs/sdk.md lists it). Names follow the RealtimeKit
 * web-core docs; members not declared here do not exist yet.
 */

export type RoomState = 'init' | 'joined' | 'waitlisted' | 'rejected' | 'kicked' | 'left' | 'ended' | 'disconnected' | 'failed';
export type StageStatus = 'ON_STAGE' | 'OFF_STAGE' | 'REQUESTED_TO_JOIN_STAGE' | 'ACCEPTED_TO_JOIN_STAGE';
export type ProduceAccess = 'ALLOWED' | 'NOT_ALLOWED' | 'CAN_REQUEST';
export type RecordingState = 'IDLE' | 'STARTING' | 'RECORDING' | 'PAUSED' | 'STOPPING';
export type LivestreamStatus = 'IDLE' | 'STARTING' | 'LIVESTREAMING' | 'STOPPING';
export type ViewMode = 'ACTIVE_GRID' | 'PAGINATED';

export class RTKError extends Error {
	/** Four-digit code in the RealtimeKit module scheme (docs/protocol.md). */
	code: string;
	capability?: string;
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

export interface RecordingConfig {
	videoConfig?: { height?: number; width?: number; codec?: 'H264' | 'VP8' };
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
			audio?: { enableStereo?: boolean };
			screenShare?: { displaySurface?: 'window' | 'monitor' | 'browser' };
		};
	};
	/** Server-specific: the Janus WebSocket URL (default ws(s)://<baseURI host>:<janusPort>/). */
	janusURL?: string;
	/** Server-specific: the Janus WebSocket port (RTK_JANUS_WS_PORT), default 8188. */
	janusPort?: number;
	iceServers?: RTCIceServer[];
	/** Keepalive period in ms (default 25000). */
	keepaliveMs?: number;
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
	RTCPeerConnection?: typeof RTCPeerConnection;
	mediaDevices?: MediaDevices | null;
}

export interface PermissionsView {
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
	polls: { canCreate: boolean; canVote: boolean; canView: boolean };
	plugins: { canStart: boolean; canClose: boolean; canEditConfig: boolean; config: object };
	connectedMeetings: { canAlterConnectedMeetings: boolean; canSwitchConnectedMeetings: boolean; canSwitchToParentMeeting: boolean };
	hiddenParticipant: boolean;
	showParticipantList: boolean;
	canChangeParticipantPermissions: boolean;
	canChangeParticipantRole: boolean;
	isRecorder: boolean;
	recorderType: string;
	canPresent: boolean;
	maxScreenShareCount: number;
	/** The server's snake_case permissions object. */
	readonly raw: Record<string, any>;
}

export interface ScreenShareTracks { audio: MediaStreamTrack | null; video: MediaStreamTrack | null }

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
	registerVideoElement(videoElement: HTMLVideoElement): void;
	deregisterVideoElement(videoElement: HTMLVideoElement): void;
	pin(): Promise<unknown>;
	unpin(): Promise<unknown>;
	setIsPinned(pinned: boolean): Promise<unknown>;
	kick(): Promise<unknown>;
	disableAudio(allowUnmute?: boolean): Promise<unknown>;
	disableVideo(allowUnmute?: boolean): Promise<unknown>;
	disableScreenShare(allowUnmute?: boolean): Promise<unknown>;
	on(event: 'audioUpdate', listener: (d: { audioEnabled: boolean; audioTrack: MediaStreamTrack | null }) => void): this;
	on(event: 'videoUpdate', listener: (d: { videoEnabled: boolean; videoTrack: MediaStreamTrack | null }) => void): this;
	on(event: 'screenShareUpdate', listener: (d: { screenShareEnabled: boolean; screenShareTracks: ScreenShareTracks }) => void): this;
	on(event: 'pinned' | 'unpinned', listener: (p: RTKParticipant) => void): this;
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
	on(event: string, listener: (participant: RTKParticipant, ...args: any[]) => void): this;
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
	videoSubscribed: string[];
	audioSubscribed: string[];
	pip: { isSupported: boolean; init(o?: object): Promise<never>; enable(): Promise<never>; disable(): Promise<never> };
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
	permissions: PermissionsView;
	config: Record<string, any>;
	roomState: RoomState;
	roomJoined: boolean;
	isPinned: boolean;
	readonly stageStatus: StageStatus;
	audioEnabled: boolean;
	videoEnabled: boolean;
	screenShareEnabled: boolean;
	audioTrack: MediaStreamTrack | null;
	videoTrack: MediaStreamTrack | null;
	screenShareTracks: ScreenShareTracks;
	mediaPermissions: { audio: string; video: string; screenshare: string };
	enableAudio(): Promise<void>;
	disableAudio(): Promise<void>;
	enableVideo(): Promise<void>;
	disableVideo(): Promise<void>;
	enableScreenShare(): Promise<void>;
	disableScreenShare(): Promise<void>;
	setName(name: string): Promise<void>;
	pin(): Promise<unknown>;
	unpin(): Promise<unknown>;
	registerVideoElement(videoElement: HTMLVideoElement, isPreview?: boolean): void;
	deregisterVideoElement(videoElement: HTMLVideoElement): void;
	getAllDevices(): Promise<MediaDeviceInfo[]>;
	getAudioDevices(): Promise<MediaDeviceInfo[]>;
	getVideoDevices(): Promise<MediaDeviceInfo[]>;
	getSpeakerDevices(): Promise<MediaDeviceInfo[]>;
	getDeviceById(deviceId: string, kind: 'audio' | 'video' | 'speaker'): Promise<MediaDeviceInfo | undefined>;
	getCurrentDevices(): { audio: { deviceId?: string }; video: { deviceId?: string }; speaker: { deviceId?: string } };
	setDevice(device: MediaDeviceInfo): Promise<void>;
	on(event: 'roomJoined', listener: (d: { reconnected: boolean }) => void): this;
	on(event: 'roomLeft', listener: (d: { state: RoomState; reason?: string }) => void): this;
	on(event: 'waitlisted', listener: () => void): this;
	on(event: 'audioUpdate', listener: (d: { audioEnabled: boolean; audioTrack: MediaStreamTrack | null }) => void): this;
	on(event: 'videoUpdate', listener: (d: { videoEnabled: boolean; videoTrack: MediaStreamTrack | null }) => void): this;
	on(event: 'screenShareUpdate', listener: (d: { screenShareEnabled: boolean; screenShareTracks: ScreenShareTracks }) => void): this;
	on(event: 'mediaPermissionError', listener: (d: { message: string; kind: string }) => void): this;
	on(event: 'permissionsUpdate', listener: (d: { permissions: PermissionsView }) => void): this;
	on(event: string, listener: (...args: any[]) => void): this;
}

export class RTKMeta extends RTKEventEmitter {
	meetingId: string | null;
	meetingTitle: string | null;
	sessionId: string | null;
	meetingStartedTimestamp: Date | null;
	viewType: string | null;
	selfActiveTab: any;
	broadcastTabChanges: boolean;
	setBroadcastTabChanges(b: boolean): void;
	setSelfActiveTab(tab: any): void;
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

export class RealtimeKitClient extends RTKEventEmitter {
	static init(options: InitOptions): Promise<RealtimeKitClient>;
	self: RTKSelf;
	participants: RTKParticipants;
	meta: RTKMeta;
	stage: RTKStage;
	recording: RTKRecording;
	livestream: RTKLivestream;
	chat: UnsupportedNamespace;
	polls: UnsupportedNamespace;
	plugins: UnsupportedNamespace;
	connectedMeetings: UnsupportedNamespace;
	ai: UnsupportedNamespace;
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
