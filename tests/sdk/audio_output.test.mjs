/*
 * audio_output.test.mjs - RTKAudioOutput (sdk/audio-output.js) against a
 * small fake document: one <audio> per remote track in one hidden
 * container, replaced and removed with its track, the chosen speaker on
 * every element, and the autoplay policy's refusal retried at the next
 * user gesture.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { RTKAudioOutput } from '../../sdk/audio-output.js';

class FakeElement {
	constructor(doc, tag) {
		this.doc = doc;
		this.tagName = tag.toUpperCase();
		this.attributes = {};
		this.children = [];
		this.parent = null;
		this.sinkId = '';
		this.plays = 0;
	}
	setAttribute(k, v) { this.attributes[k] = v; }
	appendChild(c) { c.parent = this; this.children.push(c); return c; }
	remove() {
		if (this.parent)
			this.parent.children = this.parent.children.filter((c) => c !== this);
		this.parent = null;
	}
	play() {
		this.plays++;
		return this.doc.allowAutoplay ? Promise.resolve() :
			Promise.reject(Object.assign(new Error('needs a gesture'), { name: 'NotAllowedError' }));
	}
	async setSinkId(id) { this.sinkId = id; }
}

function fakeDocument() {
	const listeners = new Map();
	const doc = {
		allowAutoplay: true,
		createElement: (tag) => new FakeElement(doc, tag),
		defaultView: {
			addEventListener: (t, f) => listeners.set(t, f),
			removeEventListener: (t) => listeners.delete(t),
		},
		listeners,
	};
	doc.body = new FakeElement(doc, 'body');
	return doc;
}

const flush = () => new Promise((r) => setTimeout(r, 0));
const track = (id) => ({ id, kind: 'audio' });
globalThis.MediaStream = class { constructor(tracks) { this.tracks = tracks; } };

test('one audio element per remote track, replaced and removed with it', async () => {
	const doc = fakeDocument();
	const out = new RTKAudioOutput(doc);
	out.set('p1:audio', track('a'));
	out.set('p1:screenshare', track('b'));
	out.set('p2:audio', track('c'));
	const container = doc.body.children[0];
	assert.equal(container.hidden, true);
	assert.deepEqual(container.children.map((e) => [e.tagName, e.attributes['data-rtk-audio'], e.srcObject.tracks[0].id]),
		[['AUDIO', 'p1:audio', 'a'], ['AUDIO', 'p1:screenshare', 'b'], ['AUDIO', 'p2:audio', 'c']]);
	assert.ok(container.children.every((e) => e.plays === 1 && e.autoplay));
	out.set('p2:audio', track('c'));                    /* the same track: nothing changes */
	assert.equal(container.children.length, 3);
	out.set('p2:audio', track('d'));                    /* a new track replaces the element */
	assert.deepEqual(container.children.map((e) => e.srcObject.tracks[0].id), ['a', 'b', 'd']);
	out.deleteParticipant('p1');
	assert.deepEqual(out.keys, ['p2:audio']);
	out.set('p2:audio', null);
	assert.deepEqual(container.children, []);
	out.set('p3:audio', track('e'));
	out.clear();
	assert.deepEqual(out.keys, []);
	assert.deepEqual(doc.body.children, [], 'clear removes the container');
});

test('the speaker applies to the playing elements and to the ones created later', async () => {
	const doc = fakeDocument();
	const out = new RTKAudioOutput(doc);
	out.set('p1:audio', track('a'));
	await out.setSinkId('speaker-2');
	out.set('p2:audio', track('b'));
	await flush();
	assert.deepEqual(doc.body.children[0].children.map((e) => e.sinkId), ['speaker-2', 'speaker-2']);
	assert.equal(out.sinkId, 'speaker-2');
});

test('audio the autoplay policy refused plays at the next user gesture', async () => {
	const doc = fakeDocument();
	doc.allowAutoplay = false;
	const out = new RTKAudioOutput(doc);
	out.set('p1:audio', track('a'));
	await flush();
	assert.equal(out.blocked, true);
	assert.ok(doc.listeners.has('pointerdown') && doc.listeners.has('keydown'), 'waits for a gesture');
	doc.allowAutoplay = true;
	doc.listeners.get('pointerdown')();
	await flush();
	assert.equal(out.blocked, false);
	assert.equal(doc.body.children[0].children[0].plays, 2);
	assert.equal(doc.listeners.size, 0, 'stops listening once everything plays');
});

test('without a document (Node) only the bookkeeping runs', () => {
	const out = new RTKAudioOutput(null);
	out.set('p1:audio', track('a'));
	assert.deepEqual(out.keys, ['p1:audio']);
	out.clear();
	assert.deepEqual(out.keys, []);
});
