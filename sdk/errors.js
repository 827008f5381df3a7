/*
 * errors.js - the error every SDK promise rejects with.
 *
 * RTKError carries the server's four-digit code in the RealtimeKit module
 * scheme (docs/protocol.md, "Events and errors") next to its message, so an
 * application can branch on `err.code`. `unsupported()` builds the refusal of
 * the namespaces whose server side does not exist yet (plugins,
 * connectedMeetings, ai): it names the missing capability.
 */

export class RTKError extends Error {
	constructor(code, message, extra = {}) {
		super(message);
		this.name = 'RTKError';
		this.code = code;
		Object.assign(this, extra);
	}
}

/* Codes raised by the SDK itself, in the seeds' module prefixes. */
export const NOT_JOINED = '0003';      /* as the server's: join first */
export const SOCKET = '0401';          /* SocketService: the Janus WebSocket failed or closed */
export const SELF_MEDIA = '1101';      /* Self: local media could not be acquired */

/* Module prefix of each namespace without a server side yet. */
const UNSUPPORTED_CODES = {
	chat: '0501', plugins: '0601', ai: '1801', connectedMeetings: '0001',
	participants: '0002',   /* as the server's "unknown request": it has none for this */
	pip: '0601',            /* picture-in-picture is a plugin in RealtimeKit's scheme */
};

/* `why` replaces the default reason (no requests of that namespace). */
export function unsupported(namespace, capability, why) {
	return new RTKError(UNSUPPORTED_CODES[namespace] || '0001',
		`${capability} is not supported by this server yet (${why || `janus.plugin.rtk has no ${namespace} requests`})`,
		{ capability });
}
