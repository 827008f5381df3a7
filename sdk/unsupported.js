/*
 * unsupported.js - meeting.ai: the seeds' namespace whose server side does
 * not exist yet. It is there (so code written against the seeds loads),
 * holds empty state, and every documented method exists:
 *
 * - asynchronous ones (sending, editing, fetching, creating) reject at once
 *   with an RTKError naming the missing capability;
 * - synchronous ones that would act (ai.parseTranscript,
 *   ai.parseTranscripts) throw that RTKError.
 *
 * A later issue replaces it (as plugins.js, chat.js, polls.js and
 * connected-meetings.js replaced the others).
 */
import { RTKEventEmitter } from './emitter.js';
import { unsupported } from './errors.js';

/* Methods that return promises: they reject. */
const ASYNC_METHODS = {
	ai: ['getActiveTranscript', 'getSummary'],
};

/* Synchronous methods that would act: they throw. */
const THROWING_METHODS = {
	ai: ['parseTranscript', 'parseTranscripts'],
};

const STATE = {
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
