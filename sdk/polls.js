/*
 * polls.js - meeting.polls (RTKPolls): the live session's polls
 * (docs/protocol.md, Polls). `items` is every poll as the server shows this
 * participant (Poll objects: {id, question, options: [{text, votes: [{id,
 * name}], count}], anonymous, hideVotes, createdBy, createdByUserId,
 * voted}), filled from roomJoined (and a reconnection's sync); each
 * `pollsUpdate` event carries the poll that changed, merged into `items`
 * by id (a new one goes last), then emitted as the seeds' {polls, newPoll}.
 * Participants whose preset lacks polls.can_view get no polls: items stays
 * []. Ids in `votes` and `voted` are user ids (participant.userId): a poll
 * this participant voted on has meeting.self.userId in `voted`, anonymous or
 * not.
 */
import { RTKEventEmitter } from './emitter.js';

export class RTKPolls extends RTKEventEmitter {
	constructor(request) {
		super();
		Object.defineProperty(this, '_request', { value: request, enumerable: false });
		this.items = [];
		this.socketJoined = false;
	}

	/* roomJoined: the polls so far (absent without polls.can_view), no event. */
	_reset(polls) {
		this.items = Array.isArray(polls) ? polls : [];
		this.socketJoined = true;
	}

	/* A reconnection's sync: polls created meanwhile make one pollsUpdate
	 * {newPoll: true}; only votes, {newPoll: false}; nothing changed, none. */
	_applySnapshot(polls) {
		const next = Array.isArray(polls) ? polls : [];
		if (JSON.stringify(next) === JSON.stringify(this.items))
			return;
		const known = new Set(this.items.map((p) => p.id));
		this.items = next;
		this.emit('pollsUpdate', { polls: this.items, newPoll: next.some((p) => !known.has(p.id)) });
	}

	_left() {
		this.socketJoined = false;
	}

	/* Events of the main handle; true when handled. */
	_handleEvent(ev) {
		if (ev.rtk !== 'pollsUpdate')
			return false;
		if (ev.poll && typeof ev.poll === 'object') {
			const at = this.items.findIndex((p) => p.id === ev.poll.id);
			this.items = at < 0 ? [...this.items, ev.poll] : this.items.map((p, i) => (i === at ? ev.poll : p));
		}
		this.emit('pollsUpdate', { polls: this.items, newPoll: Boolean(ev.newPoll) });
		return true;
	}

	/*
	 * Creates a poll (needs polls.can_create); resolves with it as this
	 * participant sees it, after `pollsUpdate` {newPoll: true} has updated
	 * items. Rejects with the server's code: 0704 (question or options out
	 * of the limits), 0705 (too many polls), 0902.
	 */
	async create(question, options, anonymous = false, hideVotes = false) {
		const reply = await this._request({ request: 'polls.create', question, options,
			anonymous: Boolean(anonymous), hideVotes: Boolean(hideVotes) });
		return reply && reply.data ? reply.data.poll : undefined;
	}

	/* Votes for option `index` (from 0); one vote per participant: a second
	 * one rejects with 0702 (0701 unknown poll, 0703 no such option). */
	async vote(pollId, index) {
		const reply = await this._request({ request: 'polls.vote', pollId, index });
		return reply && reply.data ? reply.data.poll : undefined;
	}
}
