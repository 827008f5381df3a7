/*
 * participant-map.js - RTKParticipantMap: the `joined`, `active`, `pinned`
 * and `waitlisted` maps of meeting.participants, keyed by peer id.
 *
 * A Map (get, has, size, keys, values, entries, forEach, iteration) plus
 * `toArray()`, that emits `participantJoined` / `participantLeft` with the
 * participant when one enters or leaves it, and re-emits every event of the
 * participants it holds with the participant first (`audioUpdate`
 * (participant, {audioEnabled, audioTrack}), ...), as the seeds describe;
 * `mediaScoreUpdate` is re-emitted as it is (its payload has participantId).
 */
import { RTKEventEmitter } from './emitter.js';

/* Events the seeds show on a map with their payload first (it names the
 * participant itself): `mediaScoreUpdate` ({participantId, kind, score, ...}). */
const PAYLOAD_FIRST = new Set(['mediaScoreUpdate']);

export class RTKParticipantMap extends RTKEventEmitter {
	#map = new Map();
	#relays = new Map();

	get size() { return this.#map.size; }
	get(id) { return this.#map.get(id); }
	has(id) { return this.#map.has(id); }
	keys() { return this.#map.keys(); }
	values() { return this.#map.values(); }
	entries() { return this.#map.entries(); }
	forEach(fn, thisArg) { this.#map.forEach(fn, thisArg); }
	[Symbol.iterator]() { return this.#map[Symbol.iterator](); }
	toArray() { return [...this.#map.values()]; }

	/* Adds (or replaces) a participant; emits participantJoined when new. */
	add(participant, { emit = true } = {}) {
		const had = this.#map.get(participant.id);
		if (had === participant)
			return;
		if (had)
			this.delete(participant.id, { emit: false });
		this.#map.set(participant.id, participant);
		if (this._onAdd)
			this._onAdd(participant);
		const relay = (event, ...args) => (PAYLOAD_FIRST.has(event)
			? this.emit(event, ...args) : this.emit(event, participant, ...args));
		this.#relays.set(participant.id, relay);
		participant.on('*', relay);
		if (emit && !had)
			this.emit('participantJoined', participant);
	}

	/* Removes a participant; emits participantLeft when it was there. */
	delete(id, { emit = true } = {}) {
		const p = this.#map.get(id);
		if (!p)
			return false;
		this.#map.delete(id);
		const relay = this.#relays.get(id);
		this.#relays.delete(id);
		if (relay)
			p.off('*', relay);
		if (emit)
			this.emit('participantLeft', p);
		return true;
	}

	clear({ emit = true } = {}) {
		for (const id of [...this.#map.keys()])
			this.delete(id, { emit });
	}
}
