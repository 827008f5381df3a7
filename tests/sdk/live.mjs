/*
 * live.mjs - what the SDK tests against the real server share (the
 * sdk_*_live.mjs scripts, run by tests/sdk/sdk_live.py): the run's
 * settings, SDK clients in Node that join over the Janus WebSocket as a
 * page would, and waiting for an event.
 *
 * RTK_SDK_LIVE (JSON, from sdk_live.py): {base: the gateway's address,
 * meetingId, people: {name: {token, id, name}}}.
 */
import assert from 'node:assert/strict';
import RealtimeKitClient from '../../sdk/rtk-core.js';

export const live = JSON.parse(process.env.RTK_SDK_LIVE || '{}');
export const { base, people } = live;
/* The joined meetings, by person. */
export const meetings = {};

/* The Janus WebSocket takes the gateway's origin only (README:
 * RTK_JANUS_ALLOW_ORIGIN); a page sends it by itself, Node must be told. */
class PageWebSocket extends WebSocket {
	constructor(url, protocols) {
		super(url, { protocols, headers: { Origin: new URL(base).origin } });
	}
}

/* Without RTCPeerConnection the SDK says once per join that media could
 * not start: expected here. */
const consoleError = console.error;
console.error = (...args) => {
	if (!/media setup failed/.test(String(args[0])))
		consoleError(...args);
};

/* `who` joins with its token; the meeting (also in `meetings`).
 * `beforeJoin(meeting)`, when given, runs (and is awaited) between init
 * and join, as an application's pre-join screen would. */
export async function join(who, beforeJoin = null) {
	const meeting = await RealtimeKitClient.init({
		authToken: people[who].token, baseURI: base, WebSocket: PageWebSocket,
		defaults: { audio: false, video: false }, mediaDevices: null,
	});
	if (beforeJoin)
		await beforeJoin(meeting);
	await meeting.join();
	assert.equal(meeting.self.roomState, 'joined', `${who} joined`);
	meetings[who] = meeting;
	return meeting;
}

/* Leaves every meeting joined (a test's after()). */
export async function leaveAll() {
	for (const meeting of Object.values(meetings))
		await meeting.leave().catch(() => {});
}

/* The next `event` on an emitter whose arguments match `where`: its one
 * argument, or all of them as an array when there are several. */
export function next(emitter, event, where = () => true, ms = 5000) {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			emitter.off(event, listener);
			reject(new Error(`no ${event} within ${ms} ms`));
		}, ms);
		const listener = (...args) => {
			if (!where(...args))
				return;
			clearTimeout(timer);
			emitter.off(event, listener);
			resolve(args.length > 1 ? args : args[0]);
		};
		emitter.on(event, listener);
	});
}
