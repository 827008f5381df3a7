/*
 * emitter.js - the event emitter every SDK object inherits (meeting.self,
 * participant objects, the participant maps, stage, recording, livestream).
 *
 * Exists because the seeds' API is event driven (`meeting.self.on('roomJoined',
 * ...)`) and the SDK must run in browsers and in Node without a dependency:
 * a small Node-style emitter (on/off/once/emit, addListener/removeListener
 * aliases). A listener that throws is reported on the console and does not
 * stop the others or the SDK's own state handling.
 */

export class RTKEventEmitter {
	#listeners = new Map();

	on(event, listener) {
		if (typeof listener !== 'function')
			throw new TypeError('listener must be a function');
		let list = this.#listeners.get(event);
		if (!list) {
			list = [];
			this.#listeners.set(event, list);
		}
		list.push(listener);
		return this;
	}

	addListener(event, listener) { return this.on(event, listener); }

	once(event, listener) {
		const wrapper = (...args) => {
			this.off(event, wrapper);
			listener.apply(this, args);
		};
		wrapper.listener = listener;
		return this.on(event, wrapper);
	}

	off(event, listener) {
		const list = this.#listeners.get(event);
		if (!list)
			return this;
		const i = list.findIndex((l) => l === listener || l.listener === listener);
		if (i >= 0)
			list.splice(i, 1);
		if (list.length === 0)
			this.#listeners.delete(event);
		return this;
	}

	removeListener(event, listener) { return this.off(event, listener); }

	removeAllListeners(event) {
		if (event === undefined)
			this.#listeners.clear();
		else
			this.#listeners.delete(event);
		return this;
	}

	listenerCount(event) {
		const list = this.#listeners.get(event);
		return list ? list.length : 0;
	}

	/* Calls the listeners of `event`, then those of '*' with the event name
	 * first. Returns whether anyone listened. */
	emit(event, ...args) {
		const list = this.#listeners.get(event);
		const any = this.#listeners.get('*');
		if (list)
			for (const l of [...list])
				callSafely(this, l, args);
		if (any && event !== '*')
			for (const l of [...any])
				callSafely(this, l, [event, ...args]);
		return Boolean(list || any);
	}
}

function callSafely(target, listener, args) {
	try {
		listener.apply(target, args);
	} catch (e) {
		if (typeof console !== 'undefined')
			console.error('rtk-core: an event listener threw', e);
	}
}

export default RTKEventEmitter;
