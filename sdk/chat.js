/*
 * chat.js - meeting.chat (RTKChat): the meeting's chat messages, the pinned
 * ones and the caller's channels, and the chat.* requests of
 * docs/protocol.md (Chat).
 *
 * Owns `messages` (the public and private chat, oldest first, one entry per
 * message id), `pinned` and `channels`. roomJoined's (and sync's) `chat`
 * snapshot replaces them; the events chatUpdate (add/edit/delete),
 * pinMessage, unpinMessage, channelCreate and channelUpdate update them.
 * The sender of a change gets both the request's reply and the event: the
 * two are applied the same way and the seeds' event (chatUpdate {message,
 * messages}, pinMessage/unpinMessage {message}) is emitted once, for
 * whichever comes first. Messages are the seeds' Message: `time` is a Date
 * (the wire's ISO `time`, `timeMs` kept beside it).
 *
 * Images and files are uploaded over HTTP first (POST /v2/chat-files on
 * the gateway, with the participant token), then sent by the upload's id;
 * getFileUrl() gives a link a page can use in <img src> or <a href>.
 * Channel messages stay out of `messages` (as in roomJoined and
 * getMessages without channelId); their chatUpdate is emitted all the same
 * and the channel's latestMessage follows them.
 */
import { RTKEventEmitter } from './emitter.js';
import { RTKError } from './errors.js';

/* The server's codes (plugin/model/errors.h) the SDK raises itself. */
const CONTENT = '0503';       /* text too long (setMaxTextLimit), or no content */
const UPLOAD = '0506';        /* the upload failed */
const PERMISSION = '0902';    /* the preset forbids it (checked before an upload) */

/* The server's limit on a text message, in bytes (RTK_CHAT_TEXT_MAX). */
export const CHAT_TEXT_MAX_BYTES = 4096;

/* A wire message as the seeds' Message: time as a Date. */
export function toMessage(doc) {
	const ms = typeof doc.timeMs === 'number' ? doc.timeMs : Date.parse(doc.time);
	return { ...doc, time: new Date(ms), timeMs: ms };
}

function timeOf(m) {
	return m.timeMs ?? m.time.getTime();
}

/* Methods take a message id or a message object. */
function idOf(x) {
	return x && typeof x === 'object' ? x.id : x;
}

export class RTKChat extends RTKEventEmitter {
	/*
	 * ctx: request (a main-handle request, resolves with {data}), self
	 * (meeting.self: userId and permissions), baseURI() (the gateway
	 * origin), token (the participant token), fetch (optional).
	 */
	constructor(ctx) {
		super();
		Object.defineProperty(this, '_ctx', { value: ctx, enumerable: false });
		Object.defineProperty(this, '_seen', { value: new Map(), enumerable: false });   /* id -> wire JSON applied */
		Object.defineProperty(this, '_maxText', { value: null, enumerable: false, writable: true });
		this.messages = [];
		this.pinned = [];
		this.channels = [];
		this.socketJoined = false;
	}

	/* ---- state from the server ---- */

	/* roomJoined's or sync's `chat`: replaces everything. */
	_reset(chat = {}) {
		this._seen.clear();
		this.messages = [];
		for (const doc of chat.messages || []) {
			this.#fresh(doc);
			this.#putMessage(doc);
		}
		this.pinned = (chat.pinned || []).map(toMessage).sort((a, b) => timeOf(a) - timeOf(b));
		this.channels = [];
		for (const c of chat.channels || [])
			this.#putChannel(c);
		this.socketJoined = true;
	}

	/* Self left the meeting: what was seen stays readable. */
	_clear() {
		this.socketJoined = false;
	}

	/* One event of the main handle; returns true when it was the chat's. */
	_handleEvent(ev) {
		switch (ev.rtk) {
		case 'chatUpdate':
			if (ev.action === 'delete')
				this.#applyDelete(ev.messageId, ev.channelId);
			else if (ev.message)
				this.#applyMessage(ev.message, ev.action === 'edit' ? 'edit' : 'add');
			return true;
		case 'pinMessage':
		case 'unpinMessage':
			if (ev.message)
				this.#applyPin(ev.message);
			return true;
		case 'channelCreate':
		case 'channelUpdate':
			if (ev.channel)
				this.#applyChannel(ev.channel, ev.rtk);
			return true;
		default:
			return false;
		}
	}

	/* Records the wire form of a message; false when this exact form was
	 * applied already (the reply and the event of one change). */
	#fresh(doc) {
		const wire = JSON.stringify(doc);
		if (this._seen.get(doc.id) === wire)
			return false;
		this._seen.set(doc.id, wire);
		return true;
	}

	/* Inserts or replaces a message in `messages`, keeping time order. */
	#putMessage(doc) {
		const m = toMessage(doc);
		const list = this.messages.filter((x) => x.id !== m.id);
		let i = list.length;
		while (i > 0 && timeOf(list[i - 1]) > m.timeMs)
			i--;
		list.splice(i, 0, m);
		this.messages = list;
		return m;
	}

	/* chatUpdate add/edit (the event, or the reply to self's request). An
	 * edit of a message older than `messages` holds updates only `pinned`. */
	#applyMessage(doc, action) {
		if (!this.#fresh(doc))
			return;
		let m;
		if (doc.channelId) {
			m = toMessage(doc);
			this.#touchChannel(m, action);
		} else if (action === 'add' || this.messages.some((x) => x.id === doc.id)) {
			m = this.#putMessage(doc);
		} else {
			m = toMessage(doc);
		}
		this.#replacePinned(m);
		this.emit('chatUpdate', { message: m, messages: this.messages, action });
	}

	#applyDelete(id, channelId) {
		const gone = this.messages.find((m) => m.id === id) || this.pinned.find((m) => m.id === id);
		if (!gone && !this._seen.has(id))
			return;
		this._seen.delete(id);
		this.messages = this.messages.filter((m) => m.id !== id);
		this.pinned = this.pinned.filter((m) => m.id !== id);
		this.emit('chatUpdate', { message: gone || { id, channelId }, messages: this.messages, action: 'delete' });
	}

	/* pinMessage/unpinMessage (or the reply to pin/unpin): the message's
	 * `pinned` flag in `messages`, and `pinned`. */
	#applyPin(doc) {
		let m = toMessage(doc);
		if (this.messages.some((x) => x.id === doc.id)) {
			if (this.#fresh(doc))
				this.#putMessage(doc);
			m = this.messages.find((x) => x.id === doc.id);
		}
		const was = this.pinned.some((x) => x.id === doc.id);
		if (doc.pinned && !was) {
			this.pinned = [...this.pinned, m].sort((a, b) => timeOf(a) - timeOf(b));
			this.emit('pinMessage', { message: m });
		} else if (!doc.pinned && was) {
			this.pinned = this.pinned.filter((x) => x.id !== doc.id);
			this.emit('unpinMessage', { message: m });
		}
	}

	/* An edited message that is pinned: the pinned copy follows. */
	#replacePinned(m) {
		if (this.pinned.some((x) => x.id === m.id))
			this.pinned = this.pinned.map((x) => (x.id === m.id ? m : x));
	}

	/* ---- channels ---- */

	#isMember(channel) {
		const me = this._ctx.self.userId;
		return !Array.isArray(channel.memberIds) || channel.memberIds.includes(me);
	}

	/* Inserts or replaces a channel; removes it when self is no longer a
	 * member. Returns true when `channels` changed. */
	#putChannel(c) {
		const before = this.channels.find((x) => x.id === c.id);
		if (!this.#isMember(c)) {
			if (!before)
				return false;
			this.channels = this.channels.filter((x) => x.id !== c.id);
			return true;
		}
		const channel = { ...c, latestMessage: c.latestMessage ? toMessage(c.latestMessage) : c.latestMessage ?? null };
		if (before && JSON.stringify(before) === JSON.stringify(channel))
			return false;
		this.channels = before ? this.channels.map((x) => (x.id === c.id ? channel : x)) : [...this.channels, channel];
		return true;
	}

	#applyChannel(c, event) {
		if (this.#putChannel(c))
			this.emit(event, { channel: this.channels.find((x) => x.id === c.id) || c, channels: this.channels });
	}

	/* A channel message: the channel's latestMessage (and unreadCount for
	 * another's new message). */
	#touchChannel(m, action) {
		this.channels = this.channels.map((c) => {
			if (c.id !== m.channelId)
				return c;
			const newer = !c.latestMessage || c.latestMessage.id === m.id || timeOf(c.latestMessage) <= m.timeMs;
			const unread = action === 'add' && m.userId !== this._ctx.self.userId ? 1 : 0;
			return { ...c, latestMessage: newer ? m : c.latestMessage, unreadCount: (c.unreadCount || 0) + unread };
		});
	}

	/* ---- reading local state ---- */

	/** Messages (in `messages`) sent by the participant with this user id. */
	getMessagesByUser(userId) {
		return this.messages.filter((m) => m.userId === userId);
	}

	/** Messages of one type: 'text', 'image' or 'file'. */
	getMessagesByType(type) {
		return this.messages.filter((m) => m.type === type);
	}

	/** sendTextMessage refuses (0503) text longer than `limit` characters. */
	setMaxTextLimit(limit) {
		const n = Number(limit);
		if (!Number.isInteger(n) || n <= 0)
			throw new RTKError(CONTENT, `setMaxTextLimit: ${limit} is not a positive whole number of characters`);
		this._maxText = n;
	}

	/**
	 * The URL of an image or file message's upload with the participant
	 * token in its query (for <img src>, <a href>), or null for text.
	 */
	getFileUrl(message) {
		if (!message || !message.link)
			return null;
		const base = this._ctx.baseURI();
		const url = base ? new URL(message.link, base).href : message.link;
		return `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(this._ctx.token)}`;
	}

	/* ---- sending ---- */

	/** Sends text to everyone, or privately to participantIds (user or peer ids). */
	sendTextMessage(message, participantIds) {
		return this.sendMessage({ type: 'text', message }, participantIds);
	}

	/** Uploads an image (File or Blob) and sends it. */
	sendImageMessage(image, participantIds) {
		return this.sendMessage({ type: 'image', image }, participantIds);
	}

	/** Uploads a file (File or Blob) and sends it. */
	sendFileMessage(file, participantIds) {
		return this.sendMessage({ type: 'file', file }, participantIds);
	}

	/**
	 * Sends {type: 'text', message} | {type: 'image', image} | {type: 'file',
	 * file} to everyone, or privately to participantIds. Resolves with the
	 * message as sent.
	 */
	async sendMessage(message, participantIds) {
		const ids = participantIds == null ? [] : [].concat(participantIds).map(idOf);
		const targets = ids.length ? ids : null;   /* none named: everyone */
		const body = { request: 'chat.sendMessage', message: await this.#content(message, targets ? 'private' : 'public') };
		if (targets)
			body.participantIds = targets;
		return this.#sent(await this._ctx.request(body), 'add');
	}

	/** As sendMessage, into a channel self is a member of. */
	async sendMessageToChannel(message, channelId) {
		const body = { request: 'chat.sendMessage', message: await this.#content(message, 'private'), channelId };
		return this.#sent(await this._ctx.request(body), 'add');
	}

	editTextMessage(messageId, message) {
		return this.editMessage(messageId, { type: 'text', message });
	}

	editImageMessage(messageId, image) {
		return this.editMessage(messageId, { type: 'image', image });
	}

	editFileMessage(messageId, file) {
		return this.editMessage(messageId, { type: 'file', file });
	}

	/** Replaces a message's content (same type; authors only). Resolves with the message. */
	async editMessage(messageId, message) {
		const old = this.messages.find((m) => m.id === idOf(messageId));
		const scope = old && (old.targetUserIds || old.channelId) ? 'private' : 'public';
		const body = { request: 'chat.editMessage', messageId: idOf(messageId), message: await this.#content(message, scope) };
		return this.#sent(await this._ctx.request(body), 'edit');
	}

	/** Deletes a message (the author's own, or anyone's with kick_participant). */
	async deleteMessage(messageId) {
		const { data } = await this._ctx.request({ request: 'chat.deleteMessage', messageId: idOf(messageId) });
		this.#applyDelete(data.messageId || idOf(messageId));
	}

	/** Pins a message; resolves with it. */
	pin(id) { return this.#pin('chat.pin', id); }

	/** Unpins a message; resolves with it. */
	unpin(id) { return this.#pin('chat.unpin', id); }

	async #pin(request, id) {
		const { data } = await this._ctx.request({ request, messageId: idOf(id) });
		if (!data.message)
			return undefined;
		this.#applyPin(data.message);
		return toMessage(data.message);
	}

	/* A reply carrying `message`: applied as its event would be. */
	#sent(reply, action) {
		const doc = reply && reply.data && reply.data.message;
		if (!doc)
			return undefined;
		this.#applyMessage(doc, action);
		return this.messages.find((m) => m.id === doc.id) || toMessage(doc);
	}

	/* The wire `message` of a send or edit: text as it is (checked against
	 * setMaxTextLimit), an image or file uploaded first. */
	async #content(message, scope) {
		if (!message || typeof message !== 'object')
			throw new RTKError(CONTENT, 'a message is {type: "text", message} or {type: "image", image} or {type: "file", file}');
		switch (message.type) {
		case 'text': {
			const text = String(message.message ?? '');
			if (this._maxText !== null && [...text].length > this._maxText)
				throw new RTKError(CONTENT, `the text has ${[...text].length} characters, more than the limit set by setMaxTextLimit (${this._maxText})`);
			return { type: 'text', message: text };
		}
		case 'image':
		case 'file': {
			const file = message.type === 'image' ? message.image ?? message.file : message.file ?? message.image;
			this.#mayUpload(scope);
			const upload = await this.#upload(file);
			return { type: message.type, fileId: upload.id };
		}
		default:
			throw new RTKError(CONTENT, `unknown message type ${message.type}: text, image or file`);
		}
	}

	/* The server refuses a file message the preset forbids (0902), but
	 * only after the upload: the same check first saves sending the bytes. */
	#mayUpload(scope) {
		const p = this._ctx.self.permissions || {};
		const area = scope === 'private' ? p.chatPrivate : p.chatPublic;
		if (area && (!area.canSend || !area.files))
			throw new RTKError(PERMISSION, `this preset may not send files in the ${scope} chat (chat.${scope}.${area.canSend ? 'files' : 'can_send'})`);
	}

	/* POST <gateway>/v2/chat-files?name=...: resolves with the upload
	 * {id, name, size, type, link}. */
	async #upload(file) {
		if (!file || typeof file.size !== 'number')
			throw new RTKError(CONTENT, 'an image or file message needs a File or Blob');
		const fetchFn = this._ctx.fetch || globalThis.fetch;
		const base = this._ctx.baseURI();
		if (!fetchFn || !base)
			throw new RTKError(UPLOAD, 'no gateway to upload to: pass baseURI to init');
		const url = new URL('/v2/chat-files', base);
		url.searchParams.set('name', file.name || 'file');
		let res;
		let reply = null;
		try {
			res = await fetchFn(url.href, {
				method: 'POST',
				headers: { Authorization: `Bearer ${this._ctx.token}`, 'Content-Type': file.type || 'application/octet-stream' },
				body: file,
			});
			reply = await res.json().catch(() => null);
		} catch (e) {
			throw new RTKError(UPLOAD, `the upload to ${url.origin} failed: ${e.message}`);
		}
		if (!res.ok || !reply || reply.success !== true || !reply.data || !reply.data.id) {
			const err = (reply && reply.error) || {};
			const code = /^\d{4}$/.test(String(err.code)) ? String(err.code) : UPLOAD;
			throw new RTKError(code, `the upload was refused (HTTP ${res.status}): ${err.message || 'no reason given'}`,
				{ status: res.status });
		}
		return reply.data;
	}

	/* ---- paging and search ---- */

	/**
	 * A page of messages: with `reversed` (default true) the `size` newest
	 * sent before `timestamp` (ms or Date; default now), skipping `offset`,
	 * else the oldest sent after it; in `channelId` or the chat. Resolves
	 * with {messages (oldest first), next (more remain)}.
	 */
	async getMessages(timestamp, size, reversed = true, offset = 0, channelId) {
		const body = { request: 'chat.getMessages', reversed: Boolean(reversed), offset: offset || 0 };
		if (timestamp != null)
			body.timestamp = timestamp instanceof Date ? timestamp.getTime() : Number(timestamp);
		if (size != null)
			body.size = size;
		if (channelId)
			body.channelId = channelId;
		const { data } = await this._ctx.request(body);
		return { messages: (data.messages || []).map(toMessage), next: Boolean(data.next) };
	}

	/** Messages matching every word of `query` (each also as a prefix), best first. */
	async searchMessages(query, { channelId, limit } = {}) {
		const body = { request: 'chat.searchMessages', query };
		if (channelId)
			body.channelId = channelId;
		if (limit != null)
			body.limit = limit;
		const { data } = await this._ctx.request(body);
		return (data.messages || []).map(toMessage);
	}

	/* ---- channels ---- */

	/**
	 * Creates a channel with these members (user or peer ids; self is always
	 * one). options: displayPictureUrl, visibility ('public' | 'private'),
	 * isDirectMessage. Resolves with the channel.
	 */
	async createChannel(channelName, memberIds = [], options = {}) {
		const body = { request: 'chat.createChannel', name: channelName, memberIds: [].concat(memberIds).map(idOf) };
		if (options.displayPictureUrl)
			body.displayPictureUrl = options.displayPictureUrl;
		if (options.visibility)
			body.visibility = options.visibility;
		if (options.isDirectMessage !== undefined)
			body.isDirectMessage = Boolean(options.isDirectMessage);
		return this.#channelReply(await this._ctx.request(body), 'channelCreate');
	}

	/** Renames a channel and/or replaces its members: {name, memberIds}. Resolves with the channel. */
	async updateChannel(channelId, payload = {}) {
		const body = { request: 'chat.updateChannel', channelId };
		if (payload.name !== undefined || payload.displayName !== undefined)
			body.name = payload.name ?? payload.displayName;
		if (payload.memberIds)
			body.memberIds = [].concat(payload.memberIds).map(idOf);
		return this.#channelReply(await this._ctx.request(body), 'channelUpdate');
	}

	/** The members of a channel: participant objects ({id, userId} for one not joined now). */
	async getChannelMembers(channelId) {
		const { data } = await this._ctx.request({ request: 'chat.getChannelMembers', channelId });
		return data.members || [];
	}

	/** Moves self's read mark in a channel to `message` (a message or its id). Resolves with the channel. */
	async markLastReadMessage(channelId, message) {
		const body = { request: 'chat.markLastReadMessage', channelId, messageId: idOf(message) };
		return this.#channelReply(await this._ctx.request(body), 'channelUpdate');
	}

	#channelReply(reply, event) {
		const c = reply && reply.data && reply.data.channel;
		if (!c)
			return undefined;
		this.#applyChannel(c, event);
		return this.channels.find((x) => x.id === c.id) || c;
	}
}
