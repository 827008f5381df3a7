/*
 * unsupported.js - meeting.connectedMeetings and
 * meeting.ai: the seeds' namespaces whose
 * server side does not exist yet. They are there (so code written against
 * the seeds loads), hold empty state, and every documented method exists:
 *
 * - asynchronous ones (sending, editing, fetching, creating) reject at once
 *   with an RTKError naming the missing capability;
 * - synchronous ones that would act (ai.parseTranscript,
 *   ai.parseTranscripts) throw that RTKError.
 *
 * Later issues replace these namespaces (meeting.plugins is plugins.js's).
 */
import { RTKEventEmitter } from './emitter.js';
import { unsupported } from './errors.js';

/* Methods that return promises: they reject. */
const ASYNC_METHODS = {
	connectedMeetings: ['getConnectedMeetings', 'createMeetings', 'updateMeetings', 'deleteMeetings',
		'moveParticipants', 'moveParticipantsWithCustomPreset'],
	ai: ['getActiveTranscript', 'getSummary'],
};

/* Synchronous methods that would act: they throw. */
const THROWING_METHODS = {
	ai: ['parseTranscript', 'parseTranscripts'],
};

const STATE = {
	connectedMeetings: () => ({ meetings: [], parentMeeting: null }),
	ai: () => ({ transcripts: [] }),
};

export function unsupportedNamespace(name) {
	const ns = new RTKEventEmitter();
	Object.assign(ns, STATE[name]());
	for (const m of ASYNC_METHODS[name] || [])
		ns[m] = () => Promise.reject(unsupported(name, `meeting.${name}.${m}`));
	for (const m of THROWING_METHODS[name] || [])
		ns[m] = () => { throw unsupported(name, `meeting.${name}.${m}`); };
	return ns;
}
