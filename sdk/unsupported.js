/*
 * unsupported.js - meeting.plugins and meeting.ai: the seeds' namespaces whose
 * server side does not exist yet. They are there (so code written against
 * the seeds loads), hold empty state, and every documented method exists:
 *
 * - asynchronous ones (sending, editing, fetching, creating) reject at once
 *   with an RTKError naming the missing capability;
 * - synchronous ones that would act (ai.parseTranscript,
 *   ai.parseTranscripts) throw that RTKError.
 *
 * plugins.all / plugins.active are empty maps with toArray(). Later issues
 * replace these namespaces.
 */
import { RTKEventEmitter } from './emitter.js';
import { unsupported } from './errors.js';

/* Methods that return promises: they reject. */
const ASYNC_METHODS = {
	plugins: ['activate', 'deactivate'],
	ai: ['getActiveTranscript', 'getSummary'],
};

/* Synchronous methods that would act: they throw. */
const THROWING_METHODS = {
	ai: ['parseTranscript', 'parseTranscripts'],
};

/* An empty, read-only map with the seeds' toArray() (plugins.all/active). */
export function emptyMap() {
	const map = new Map();
	const m = new RTKEventEmitter();
	const methods = {
		get: (id) => map.get(id),
		has: (id) => map.has(id),
		keys: () => map.keys(),
		values: () => map.values(),
		entries: () => map.entries(),
		forEach: (fn, thisArg) => map.forEach(fn, thisArg),
		toArray: () => [...map.values()],
		[Symbol.iterator]: () => map[Symbol.iterator](),
	};
	for (const k of Reflect.ownKeys(methods))
		Object.defineProperty(m, k, { value: methods[k], enumerable: false });
	Object.defineProperty(m, 'size', { get: () => map.size, enumerable: false });
	return m;
}

const STATE = {
	plugins: () => ({ all: emptyMap(), active: emptyMap() }),
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
