/*
 * unsupported.js - meeting.chat, meeting.polls, meeting.plugins,
 * meeting.connectedMeetings and meeting.ai: the seeds' namespaces whose
 * server side does not exist yet. They are there (so code written against
 * the seeds loads), hold empty state, and every method rejects at once with
 * an RTKError naming the missing capability. Later issues replace them.
 */
import { RTKEventEmitter } from './emitter.js';
import { unsupported } from './errors.js';

const METHODS = {
	chat: ['sendTextMessage', 'sendImageMessage', 'sendFileMessage', 'sendMessage', 'editTextMessage',
		'editImageMessage', 'editFileMessage', 'editMessage', 'deleteMessage', 'pin', 'unpin',
		'getMessagesByUser', 'getMessagesByType', 'searchMessages', 'fetchMessages'],
	polls: ['create', 'vote'],
	plugins: ['activate', 'deactivate'],
	connectedMeetings: ['getConnectedMeetings', 'createMeetings', 'updateMeetings', 'deleteMeetings',
		'moveParticipants', 'moveParticipantsWithCustomPreset'],
	ai: ['getActiveTranscript', 'getSummary'],
};

const STATE = {
	chat: () => ({ messages: [], pinned: [] }),
	polls: () => ({ items: [] }),
	plugins: () => ({ all: new Map(), active: new Map() }),
	connectedMeetings: () => ({ meetings: [], parentMeeting: null }),
	ai: () => ({ transcripts: [] }),
};

export function unsupportedNamespace(name) {
	const ns = new RTKEventEmitter();
	Object.assign(ns, STATE[name]());
	for (const m of METHODS[name])
		ns[m] = () => Promise.reject(unsupported(name, `meeting.${name}.${m}`));
	return ns;
}
