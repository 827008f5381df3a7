/*
 * demo.js - the demo meeting page (demo/index.html, served at /): joins
 * the meeting of the token in the URL with the web SDK and shows it.
 *
 * Owns the page's DOM. Everything it shows comes from the SDK's state and
 * events (meeting.self, meeting.participants and their maps), so the page
 * is also a worked example of the API: screens follow self.roomState
 * (lobby with the pre-call preview, waiting room, meeting, left), one tile
 * per participant with its video (registerVideoElement), name, microphone
 * state and the active speaker's ring, a tile per screenshare, and for
 * hosts (kickParticipant / acceptWaitingRequests) a people panel with
 * kick, accept and reject. Stage-enabled presets (webinar, livestream)
 * get a stage bar (meeting.stage: request, cancel, join, leave) and a grid
 * of the participants on stage only; hosts accept or deny stage requests
 * and remove people from the stage, turn others' microphone and camera off
 * (one or all), start, pause and stop recordings (meeting.recording) and
 * the livestream (meeting.livestream, with a link to the viewer page). A
 * livestream_viewer, who can never be on stage, watches the livestream in
 * the viewer page (an iframe). A chat panel (meeting.chat) lists the
 * messages with name and time, images (through chat.getFileUrl) and files
 * as download links, sends text, an attached image or file, to everyone or
 * privately to one participant, and pins or unpins for whoever may. A
 * plugins panel lists meeting.plugins.all with Activate / Deactivate for
 * whoever may (plugins.can_start / can_close) and the page hosts the latest
 * active plugin's iframe (RTKPlugin.addPluginView), "Close for me" being
 * deactivateForSelf. Hosts (can_alter_connected_meetings) get a rooms panel
 * (meeting.connectedMeetings): add a room, move people, bring everyone back,
 * close an empty room; when the SDK moves this participant to another
 * meeting of the family, the page says so and shows the new meeting. Every
 * refusal is shown with its RTKError code and message. The meeting object is window.rtkMeeting once init
 * resolved (the browser tests drive the page through its buttons and read
 * what it shows).
 */
import RealtimeKitClient from '/sdk/rtk-core.js';

const $ = (id) => document.getElementById(id);

const ICONS = {
	mic: '<path d="M12 15a3 3 0 0 0 3-3V6a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3Z"/><path d="M19 11a7 7 0 0 1-14 0M12 18v3"/>',
	micOff: '<path d="M15 9.4V6a3 3 0 0 0-5.7-1.3M9 9v3a3 3 0 0 0 5.1 2.1M19 11a7 7 0 0 1-1.1 3.7M5 11a7 7 0 0 0 11.4 5.4M12 18v3M3 3l18 18"/>',
	cam: '<rect x="3" y="6" width="13" height="12" rx="2"/><path d="m16 10 5-3v10l-5-3"/>',
	camOff: '<path d="M10.7 6H14a2 2 0 0 1 2 2v3.3l5-3.3v10M16 16a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2M3 3l18 18"/>',
	screen: '<rect x="3" y="4" width="18" height="13" rx="2"/><path d="M8 21h8M12 17v4M9 10l3-3 3 3M12 7v7"/>',
	leave: '<path d="M3 14.5c5-4.7 13-4.7 18 0l-2.5 2.5-3-1.5v-2.5c-2.3-.7-4.7-.7-7 0v2.5l-3 1.5Z"/>',
	record: '<circle cx="12" cy="12" r="8"/><circle cx="12" cy="12" r="3.5" class="fill"/>',
	stop: '<rect x="6" y="6" width="12" height="12" rx="2" class="fill"/>',
	pause: '<path d="M9 6v12M15 6v12"/>',
	resume: '<path d="m8 5 11 7-11 7Z"/>',
	live: '<circle cx="12" cy="12" r="2.5"/><path d="M7.8 7.8a6 6 0 0 0 0 8.4M16.2 7.8a6 6 0 0 1 0 8.4M5 5a10 10 0 0 0 0 14M19 5a10 10 0 0 1 0 14"/>',
};
const icon = (name) => `<svg viewBox="0 0 24 24" aria-hidden="true">${ICONS[name]}</svg>`;

const LEFT_TEXT = {
	left: ['You left the meeting', ''],
	kicked: ['You were removed from the meeting', 'A host removed you.'],
	rejected: ['You were not let in', 'A host declined your request to join.'],
	ended: ['The meeting has ended', 'A host ended the meeting for everyone.'],
	failed: ['Connection failed', 'The connection to the server could not be restored.'],
};

let meeting = null;
const tiles = new Map();          /* tile key -> {el, video, participant} */
/* What the user chose in the lobby: a stage-enabled preset publishes
 * nothing off stage (the SDK stops the tracks), so the page turns these
 * back on when the user arrives on stage. */
const wanted = { audio: true, video: true };
/* Kinds the user is turning off: an update turning one off that the page
 * did not ask for is a host's. */
const turningOff = new Set();
/* The livestream ran and stopped since this page joined. */
let livestreamEnded = false;

function token() {
	const q = new URLSearchParams(location.search);
	const h = new URLSearchParams(location.hash.slice(1));
	return q.get('token') || q.get('authToken') || h.get('token') || h.get('authToken');
}

function show(screen) {
	document.body.dataset.screen = screen;
	for (const s of ['token', 'lobby', 'waiting', 'meeting', 'left'])
		$(`screen-${s}`).hidden = s !== screen;
	$('controls').hidden = screen !== 'meeting';
	$('count').hidden = screen !== 'meeting';
	$('panel-toggle').hidden = screen !== 'meeting';
	$('chat-toggle').hidden = screen !== 'meeting';
	$('plugins-toggle').hidden = screen !== 'meeting';
}

let toastTimer = null;
function toast(text, code = null) {
	const t = $('toast');
	$('toast-text').textContent = text;
	$('toast-code').textContent = code ? `Error ${code}` : '';
	$('toast-code').hidden = !code;
	t.classList.toggle('toast-error', Boolean(code));
	t.hidden = false;
	clearTimeout(toastTimer);
	toastTimer = setTimeout(() => { t.hidden = true; }, code ? 8000 : 4000);
}

/* A refusal as the user reads it: what failed, the server's message, and
 * the RTKError code (docs/protocol.md's table) to look up or report. */
function fail(what) {
	return (e) => {
		const message = (e && e.message) || String(e);
		toast(`${what}: ${message}`, e && e.code ? String(e.code) : null);
	};
}

/* Runs a host or stage action from a button: disabled while it runs, a
 * refusal shown. */
async function act(button, what, run) {
	if (button)
		button.disabled = true;
	try {
		await run();
	} catch (e) {
		fail(what)(e);
	} finally {
		if (button)
			button.disabled = false;
	}
}

function initials(name) {
	const parts = String(name || '?').trim().split(/\s+/);
	return ((parts[0] || '?')[0] + (parts.length > 1 ? parts[parts.length - 1][0] : '')).toUpperCase();
}

/* ---- tiles ---- */

function makeTile(key, { name, self = false, screen = false }) {
	const el = document.createElement('div');
	el.className = 'tile' + (screen ? ' tile-screen' : '') + (self ? ' tile-self' : '');
	el.dataset.key = key;
	el.innerHTML = `<video autoplay playsinline muted></video>
		<div class="avatar"></div>
		<div class="label"><span class="mic-state"></span><span class="name"></span></div>`;
	el.querySelector('.avatar').textContent = initials(name);
	el.querySelector('.name').textContent = screen ? (self ? 'You are presenting' : `${name} is presenting`)
		: self ? `${name} (you)` : name;
	$('grid').appendChild(el);
	const tile = { el, video: el.querySelector('video'), owner: null };
	tiles.set(key, tile);
	layout();
	return tile;
}

function dropTile(key) {
	const tile = tiles.get(key);
	if (!tile)
		return;
	if (tile.owner)
		tile.owner.deregisterVideoElement(tile.video);
	tile.el.remove();
	tiles.delete(key);
	layout();
}

/* A livestream_viewer of a LIVESTREAM meeting can never be on stage: the
 * page plays the livestream for them instead of the grid. */
function watchMode() {
	return meeting.meta.viewType === 'LIVESTREAM' && meeting.self.permissions.stageEnabled
		&& meeting.self.permissions.stageAccess === 'NOT_ALLOWED';
}

function layout() {
	const n = tiles.size;
	const grid = $('grid');
	const screens = [...tiles.values()].filter((t) => t.el.classList.contains('tile-screen')).length;
	grid.classList.toggle('has-screen', screens > 0);
	const cols = n <= 1 ? 1 : n <= 4 ? 2 : n <= 9 ? 3 : 4;
	grid.style.setProperty('--cols', String(cols));
	grid.style.setProperty('--rows', String(Math.ceil(n / cols)));
	if (!meeting)
		return;
	$('count').textContent = `${meeting.participants.joined.size + 1} in the meeting`;
	const watching = watchMode();
	const url = viewerURL();
	$('watch').hidden = !(watching && url);
	if (watching && url && $('watch').dataset.src !== url) {
		$('watch').dataset.src = url;
		$('watch').src = url;
	}
	grid.hidden = watching;
	const empty = watching ? !url : (meeting.self.permissions.stageEnabled && n === 0);
	$('empty-stage').hidden = !empty;
	if (empty && watching) {
		$('empty-title').textContent = livestreamEnded ? 'The livestream has ended' : 'The livestream has not started yet';
		$('empty-text').textContent = livestreamEnded ? 'It plays here again if a host restarts it.'
			: 'It plays here as soon as a host starts it.';
	} else if (empty) {
		$('empty-title').textContent = 'No one is on stage yet';
		$('empty-text').textContent = 'Presenters appear here when they join the stage.';
	}
}

function paintTile(tile, { videoOn, audioOn }) {
	tile.el.classList.toggle('video-off', !videoOn);
	tile.el.classList.toggle('mic-off', !audioOn);
	const mic = tile.el.querySelector('.mic-state');
	mic.innerHTML = audioOn ? '' : icon('micOff');
	mic.title = audioOn ? '' : 'Muted';
}

/* The grid shows who is on stage; in presets without a stage everyone is
 * (stageStatus ON_STAGE). */
const onStage = (p) => p.stageStatus === 'ON_STAGE';

function addParticipant(p) {
	if (tiles.has(p.id) || !onStage(p) || watchMode())
		return;
	const tile = makeTile(p.id, { name: p.name });
	tile.owner = p;
	p.registerVideoElement(tile.video);
	paintParticipant(p);
}

function paintParticipant(p) {
	const tile = tiles.get(p.id);
	if (tile)
		paintTile(tile, { videoOn: p.videoEnabled && !!p.videoTrack, audioOn: p.audioEnabled });
	const key = `${p.id}:screen`;
	const screenTrack = p.screenShareTracks && p.screenShareTracks.video;
	if (p.screenShareEnabled && screenTrack && onStage(p) && !watchMode()) {
		const st = tiles.get(key) || makeTile(key, { name: p.name, screen: true });
		if (!st.video.srcObject || st.video.srcObject.getVideoTracks()[0] !== screenTrack)
			st.video.srcObject = new MediaStream([screenTrack]);
	} else {
		dropTile(key);
	}
}

/* Tiles for whoever is on stage now, self included. */
function syncTiles() {
	if (!meeting || meeting.self.roomState !== 'joined')
		return;
	const selfOn = meeting.self.stageStatus === 'ON_STAGE' && !watchMode();
	if (selfOn && !tiles.has('self')) {
		const tile = makeTile('self', { name: meeting.self.name || 'You', self: true });
		tile.owner = meeting.self;
		meeting.self.registerVideoElement(tile.video);
		tile.el.parentNode.prepend(tile.el);
	} else if (!selfOn) {
		dropTile('self');
	}
	for (const p of meeting.participants.joined.values()) {
		if (onStage(p) && !watchMode()) {
			addParticipant(p);
		} else {
			dropTile(p.id);
			dropTile(`${p.id}:screen`);
		}
	}
	paintSelf();
	layout();
}

function paintSelf() {
	const self = meeting.self;
	const tile = tiles.get('self');
	if (tile)
		paintTile(tile, { videoOn: self.videoEnabled, audioOn: self.audioEnabled });
	const screenTrack = self.screenShareTracks && self.screenShareTracks.video;
	if (self.roomState === 'joined' && self.screenShareEnabled && screenTrack) {
		const st = tiles.get('self:screen') || makeTile('self:screen', { name: 'You', self: true, screen: true });
		if (!st.video.srcObject || st.video.srcObject.getVideoTracks()[0] !== screenTrack)
			st.video.srcObject = new MediaStream([screenTrack]);
	} else {
		dropTile('self:screen');
	}
	for (const [id, kind, on] of [['mic', 'mic', self.audioEnabled], ['cam', 'cam', self.videoEnabled],
		['lobby-mic', 'mic', self.audioEnabled], ['lobby-cam', 'cam', self.videoEnabled]]) {
		const b = $(id);
		b.innerHTML = icon(on ? kind : `${kind}Off`);
		b.classList.toggle('off', !on);
		b.setAttribute('aria-pressed', String(on));
		b.title = `${kind === 'mic' ? 'Microphone' : 'Camera'} ${on ? 'on' : 'off'}`;
	}
	$('screen').innerHTML = icon('screen');
	$('screen').classList.toggle('on', self.screenShareEnabled);
	$('screen').setAttribute('aria-pressed', String(self.screenShareEnabled));
	$('screen').title = self.screenShareEnabled ? 'Stop sharing' : 'Share screen';
	/* what the preset can never produce has no button (CAN_REQUEST: on stage) */
	if (self.roomState === 'joined') {
		const perms = self.permissions;
		$('mic').hidden = perms.canProduceAudio === 'NOT_ALLOWED';
		$('cam').hidden = perms.canProduceVideo === 'NOT_ALLOWED';
		$('screen').hidden = perms.canProduceScreenshare === 'NOT_ALLOWED';
	}
	$('preview').classList.toggle('hidden', !self.videoEnabled);
	$('preview-avatar').hidden = self.videoEnabled;
}

function setSpeaker(peerId) {
	for (const [key, tile] of tiles)
		tile.el.classList.toggle('speaking', key === peerId);
}

/* ---- the people panel (hosts act here) ---- */

const STAGE_STATE = {
	OFF_STAGE: 'watching', REQUESTED_TO_JOIN_STAGE: 'asked for the stage',
	ACCEPTED_TO_JOIN_STAGE: 'invited to the stage', ON_STAGE: 'on stage',
};

/* A person's stage and media state, under the name: someone off stage
 * (an audience member) only watches; "on stage" is said in webinars. */
function personState(p) {
	if (p.stageStatus && p.stageStatus !== 'ON_STAGE')
		return STAGE_STATE[p.stageStatus] || '';
	const state = [];
	if (meeting.self.permissions.stageEnabled)
		state.push(STAGE_STATE.ON_STAGE);
	if (p.audioEnabled === false)
		state.push('muted');
	if (p.videoEnabled === false)
		state.push('camera off');
	return state.join(' · ');
}

/* actions: [label, action key (data-action), class, run]; withState: show
 * personState (not for the waiting). */
function personRow(p, actions, suffix = '', withState = true) {
	const li = document.createElement('li');
	li.dataset.participant = p.id;
	li.innerHTML = '<span class="avatar small"></span><span class="who"><span class="person-name"></span>'
		+ '<span class="person-state"></span></span><span class="actions"></span>';
	li.querySelector('.avatar').textContent = initials(p.name);
	li.querySelector('.person-name').textContent = p.name + suffix;
	li.querySelector('.person-state').textContent = withState ? personState(p) : '';
	for (const [label, key, cls, run] of actions) {
		const b = document.createElement('button');
		b.className = `small ${cls}`;
		b.textContent = label;
		b.dataset.action = key;
		b.dataset.participant = p.id;
		b.addEventListener('click', () => act(b, label, run));
		li.querySelector('.actions').appendChild(b);
	}
	return li;
}

function renderPeople() {
	if (!meeting || meeting.self.roomState !== 'joined')
		return;
	const perms = meeting.self.permissions;
	const stage = meeting.stage;
	const people = $('people');
	people.replaceChildren();
	const self = meeting.self;
	people.appendChild(personRow({ name: self.name, id: self.id, stageStatus: self.stageStatus,
		audioEnabled: self.audioEnabled, videoEnabled: self.videoEnabled }, [], ' (you)'));
	for (const p of meeting.participants.joined.values()) {
		const actions = [];
		if (perms.canDisableParticipantAudio && p.audioEnabled)
			actions.push(['Mute', 'mute', 'ghost', () => p.disableAudio()]);
		if (perms.canDisableParticipantVideo && p.videoEnabled)
			actions.push(['Stop video', 'stop-video', 'ghost', () => p.disableVideo()]);
		if (perms.acceptStageRequests && perms.stageEnabled && onStage(p))
			actions.push(['Off stage', 'remove-from-stage', 'ghost', () => stage.kick([p.userId])]);
		if (perms.kickParticipant)
			actions.push(['Remove', 'remove', 'danger', () => p.kick()]);
		people.appendChild(personRow(p, actions));
	}
	$('host-all').hidden = !(perms.canDisableParticipantAudio || perms.canDisableParticipantVideo)
		|| meeting.participants.joined.size === 0;
	$('mute-all').hidden = !perms.canDisableParticipantAudio;
	$('video-off-all').hidden = !perms.canDisableParticipantVideo;

	const wl = meeting.participants.waitlisted;
	const canAdmit = perms.acceptWaitingRequests;
	$('waitlist-block').hidden = !canAdmit || wl.size === 0;
	$('waitlist-count').textContent = String(wl.size);
	const list = $('waitlist');
	list.replaceChildren();
	for (const p of wl.values())
		list.appendChild(personRow(p, [
			['Admit', 'admit', 'primary', () => meeting.participants.acceptWaitingRoomRequest(p.id)],
			['Deny', 'deny', 'ghost', () => meeting.participants.rejectWaitingRoomRequest(p.id)],
		], '', false));

	const requests = perms.acceptStageRequests ? stage.accessRequests : [];
	$('stage-requests-block').hidden = requests.length === 0;
	$('stage-requests-count').textContent = String(requests.length);
	const rl = $('stage-requests');
	rl.replaceChildren();
	for (const r of requests) {
		const userId = r.userId || r.id;
		rl.appendChild(personRow({ id: r.id, name: r.name || 'Someone' }, [
			['Accept', 'accept-stage', 'primary', () => stage.grantAccess([userId])],
			['Deny', 'deny-stage', 'ghost', () => stage.denyAccess([userId])],
		], '', false));
	}
	const asking = (canAdmit ? wl.size : 0) + requests.length;
	$('panel-toggle').textContent = asking ? `People · ${asking} waiting` : 'People';
	$('panel-toggle').classList.toggle('attention', asking > 0);
}

/* ---- chat (meeting.chat) ---- */

/* Messages that arrived while the chat panel was closed. */
let chatUnread = 0;

/* A participant's name by user id (self included), for "to ..." labels. */
function nameOf(userId) {
	if (userId === meeting.self.userId)
		return 'you';
	for (const p of meeting.participants.joined.values())
		if (p.userId === userId)
			return p.name;
	return 'someone';
}

/* May self pin or unpin this message: its own, or pin_participant. */
const mayPin = (m) => m.userId === meeting.self.userId || meeting.self.permissions.pinParticipant;

function chatItem(m) {
	const chat = meeting.chat;
	const li = document.createElement('li');
	li.className = 'chat-message' + (m.userId === meeting.self.userId ? ' mine' : '') + (m.targetUserIds ? ' private' : '');
	li.dataset.messageId = m.id;
	li.dataset.type = m.type;
	li.innerHTML = '<div class="msg-head"><span class="msg-name"></span><span class="msg-to"></span>'
		+ '<time class="msg-time"></time><span class="msg-actions"></span></div><div class="msg-body"></div>';
	li.querySelector('.msg-name').textContent = m.userId === meeting.self.userId ? 'You' : m.displayName;
	li.querySelector('.msg-to').textContent = m.targetUserIds
		? `to ${m.targetUserIds.map(nameOf).join(', ')} (private)` : '';
	const time = li.querySelector('.msg-time');
	time.dateTime = m.time.toISOString();
	time.textContent = m.time.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) + (m.isEdited ? ' · edited' : '');
	const body = li.querySelector('.msg-body');
	if (m.type === 'image') {
		const img = document.createElement('img');
		img.src = chat.getFileUrl(m);
		img.alt = m.name || 'image';
		img.loading = 'lazy';
		body.appendChild(img);
	} else if (m.type === 'file') {
		const a = document.createElement('a');
		a.href = chat.getFileUrl(m);
		a.download = m.name || 'file';
		a.textContent = `${m.name || 'file'} (${formatSize(m.size)})`;
		body.appendChild(a);
	} else {
		body.textContent = m.message;
	}
	if (mayPin(m)) {
		const b = document.createElement('button');
		b.type = 'button';
		b.className = 'ghost small pin';
		b.textContent = m.pinned ? 'Unpin' : 'Pin';
		b.dataset.action = m.pinned ? 'unpin' : 'pin';
		b.addEventListener('click', () => act(b, m.pinned ? 'Could not unpin' : 'Could not pin',
			() => (m.pinned ? chat.unpin(m.id) : chat.pin(m.id))));
		li.querySelector('.msg-actions').appendChild(b);
	}
	return li;
}

function formatSize(n) {
	if (!(n >= 0))
		return '?';
	return n < 1024 ? `${n} B` : n < 1 << 20 ? `${(n / 1024).toFixed(1)} KB` : `${(n / (1 << 20)).toFixed(1)} MB`;
}

function renderChat() {
	if (!meeting)
		return;
	const chat = meeting.chat;
	const list = $('chat-list');
	const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
	list.replaceChildren(...chat.messages.map(chatItem));
	if (atBottom)
		list.scrollTop = list.scrollHeight;
	$('chat-empty').hidden = chat.messages.length > 0;
	$('chat-pinned-block').hidden = chat.pinned.length === 0;
	$('chat-pinned').replaceChildren(...chat.pinned.map(chatItem));
	$('chat-toggle').textContent = chatUnread ? `Chat · ${chatUnread}` : 'Chat';
	$('chat-toggle').classList.toggle('attention', chatUnread > 0);
}

/* The "To" choices: everyone, or one participant privately (when the
 * preset may send private messages). */
function renderChatTargets() {
	if (!meeting || meeting.self.roomState !== 'joined')
		return;
	const perms = meeting.self.permissions;
	const select = $('chat-to');
	const chosen = select.value;
	const options = [new Option('Everyone', '')];
	if (perms.chatPrivate.canSend)
		for (const p of meeting.participants.joined.values())
			options.push(new Option(`${p.name} (private)`, p.userId));
	select.replaceChildren(...options);
	select.value = options.some((o) => o.value === chosen) ? chosen : '';
	$('chat-to').parentNode.hidden = options.length === 1;
	const canSend = perms.chatPublic.canSend || perms.chatPrivate.canSend;
	$('chat-form').hidden = !canSend;
	$('chat-attach').hidden = !(perms.chatPublic.files || perms.chatPrivate.files);
}

/* Sends what the text box holds, to the chosen target. */
async function sendChat(e) {
	e.preventDefault();
	const text = $('chat-text').value.trim();
	if (!text)
		return;
	const to = $('chat-to').value;
	await act($('chat-send'), 'Could not send the message', async () => {
		await meeting.chat.sendTextMessage(text, to ? [to] : undefined);
		$('chat-text').value = '';
	});
}

/* An attached file: an image is shown inline, anything else as a link. */
async function sendAttachment() {
	const input = $('chat-file');
	const file = input.files && input.files[0];
	input.value = '';
	if (!file)
		return;
	const to = $('chat-to').value ? [$('chat-to').value] : undefined;
	const chat = meeting.chat;
	await act($('chat-send'), `Could not send ${file.name}`, () => (file.type.startsWith('image/')
		? chat.sendImageMessage(file, to) : chat.sendFileMessage(file, to)));
}

function wireChat() {
	const chat = meeting.chat;
	chat.on('chatUpdate', ({ message, action }) => {
		if (action === 'add' && $('chat').hidden && message.userId !== meeting.self.userId && !message.channelId)
			chatUnread++;
		renderChat();
	});
	chat.on('pinMessage', renderChat);
	chat.on('unpinMessage', renderChat);
	$('chat-form').addEventListener('submit', sendChat);
	$('chat-file').addEventListener('change', sendAttachment);
	$('chat-toggle').addEventListener('click', () => {
		$('chat').hidden = !$('chat').hidden;
		if (!$('chat').hidden) {
			chatUnread = 0;
			renderChat();
			$('chat-list').scrollTop = $('chat-list').scrollHeight;
			$('chat-text').focus();
		}
	});
	const joined = meeting.participants.joined;
	joined.on('participantJoined', renderChatTargets);
	joined.on('participantLeft', renderChatTargets);
	meeting.self.on('permissionsUpdate', () => { renderChatTargets(); renderChat(); });
}

/* ---- plugins (meeting.plugins) ---- */

/* The plugin whose iframe the page shows, or null. */
let shownPlugin = null;

function pluginItem(plugin) {
	const perms = meeting.self.permissions.plugins || {};
	const li = document.createElement('li');
	li.className = 'plugin-item';
	li.dataset.pluginId = plugin.id;
	const name = document.createElement('strong');
	name.textContent = plugin.name + (plugin.active ? ' · active' : '');
	const about = document.createElement('span');
	about.className = 'muted';
	about.textContent = plugin.description || '';
	const actions = document.createElement('div');
	actions.className = 'plugin-actions';
	const button = (text, what, run) => {
		const b = document.createElement('button');
		b.className = 'ghost small';
		b.textContent = text;
		b.addEventListener('click', () => act(b, what, run));
		actions.append(b);
	};
	if (!plugin.active && perms.canStart)
		button('Activate', `Could not activate ${plugin.name}`, () => plugin.activate());
	if (plugin.active && plugin.hiddenForSelf)
		button('Show', `Could not show ${plugin.name}`, () => plugin.activateForSelf());
	if (plugin.active && perms.canClose)
		button('Deactivate', `Could not deactivate ${plugin.name}`, () => plugin.deactivate());
	li.append(name, about, actions);
	return li;
}

function renderPlugins() {
	const all = meeting.plugins.all.toArray();
	$('plugins-list').replaceChildren(...all.map(pluginItem));
	$('plugins-empty').hidden = all.length > 0;
	const active = meeting.plugins.active.toArray();
	const next = active.includes(shownPlugin) ? shownPlugin : active[active.length - 1] || null;
	showPlugin(next);
}

/* Hosts `plugin`'s app in a fresh iframe (or none). */
function showPlugin(plugin) {
	if (plugin === shownPlugin)
		return;
	if (shownPlugin)
		shownPlugin.removePluginView();
	shownPlugin = plugin;
	$('plugin-view').hidden = !plugin;
	$('plugin-frame-box').replaceChildren();
	if (!plugin)
		return;
	$('plugin-title').textContent = plugin.name;
	const frame = document.createElement('iframe');
	frame.title = plugin.name;
	frame.dataset.pluginId = plugin.id;
	$('plugin-frame-box').append(frame);
	plugin.addPluginView(frame).catch(fail(`Could not open ${plugin.name}`));
}

function wirePlugins() {
	const plugins = meeting.plugins;
	for (const map of [plugins.all, plugins.active]) {
		map.on('pluginAdded', renderPlugins);
		map.on('pluginDeleted', renderPlugins);
	}
	plugins.active.on('pluginAdded', (plugin) => showPlugin(plugin));
	plugins.all.on('enabled', renderPlugins);
	plugins.all.on('closed', renderPlugins);
	$('plugins-toggle').addEventListener('click', () => {
		$('plugins').hidden = !$('plugins').hidden;
		renderPlugins();
	});
	$('plugin-hide').addEventListener('click', () => {
		if (shownPlugin)
			act($('plugin-hide'), 'Could not close the plugin', () => shownPlugin.deactivateForSelf());
	});
	meeting.self.on('permissionsUpdate', renderPlugins);
}

/* ---- the stage (webinar and livestream presets) ---- */

const STAGE_TEXT = {
	OFF_STAGE: 'You are watching. Join the stage to be seen and heard.',
	REQUESTED_TO_JOIN_STAGE: 'You asked to join the stage. A host will answer shortly.',
	ACCEPTED_TO_JOIN_STAGE: 'A host invited you to the stage.',
	ON_STAGE: 'You are on stage: everyone sees and hears you.',
};

function renderStage() {
	const perms = meeting.self.permissions;
	const status = meeting.self.stageStatus;
	const shown = meeting.self.roomState === 'joined' && perms.stageEnabled && perms.stageAccess !== 'NOT_ALLOWED';
	$('stage-bar').hidden = !shown;
	$('stage-bar').dataset.status = status;
	if (!shown)
		return;
	$('stage-text').textContent = STAGE_TEXT[status] || status;
	const direct = perms.stageAccess === 'ALLOWED';
	$('stage-request').hidden = !(status === 'OFF_STAGE' && !direct);
	$('stage-cancel').hidden = status !== 'REQUESTED_TO_JOIN_STAGE';
	$('stage-join').hidden = !(status === 'ACCEPTED_TO_JOIN_STAGE' || (status === 'OFF_STAGE' && direct));
	$('stage-leave').hidden = status !== 'ON_STAGE';
}

/* On stage at last: turn on what the user left on in the lobby (the SDK
 * stopped it while off stage). */
async function arrivedOnStage() {
	const self = meeting.self;
	try {
		if (wanted.audio && !self.audioEnabled)
			await self.enableAudio();
		if (wanted.video && !self.videoEnabled)
			await self.enableVideo();
	} catch (e) {
		fail('Could not turn on your media')(e);
	}
	paintSelf();
}

/* ---- recording and livestream (hosts) ---- */

function viewerURL() {
	const ls = meeting.livestream;
	if (!ls.playbackUrl || ls.status === 'IDLE')
		return null;
	try {
		const u = new URL(ls.playbackUrl, location.href);
		const m = u.pathname.match(/^\/hls\/([A-Za-z0-9-]+)\/index\.m3u8$/);
		if (u.origin === location.origin && m)
			return `/viewer/${m[1]}`;
	} catch (e) {
		/* not a URL: the viewer page says so */
	}
	return `/viewer?url=${encodeURIComponent(ls.playbackUrl)}`;
}

const REC_LABEL = { STARTING: 'REC · starting', RECORDING: 'REC', PAUSED: 'REC · paused', STOPPING: 'REC · saving' };
const LIVE_LABEL = { STARTING: 'LIVE · starting', LIVESTREAMING: 'LIVE', STOPPING: 'LIVE · ending' };

function renderHostControls() {
	const perms = meeting.self.permissions;
	const rec = meeting.recording.recordingState;
	const live = meeting.livestream.status;

	$('rec').hidden = rec === 'IDLE';
	$('rec').textContent = REC_LABEL[rec] || 'REC';
	$('rec').dataset.state = rec;
	$('live').hidden = live === 'IDLE';
	$('live').dataset.state = live;
	$('live-text').textContent = LIVE_LABEL[live] || 'LIVE';
	const n = meeting.livestream.viewerCount;
	$('live-viewers').textContent = live === 'LIVESTREAMING' ? ` · ${n} watching` : '';
	const url = viewerURL();
	$('viewer-link').hidden = !url || watchMode();
	if (url)
		$('viewer-link').href = url;

	const inMeeting = meeting.self.roomState === 'joined';
	$('host-controls').hidden = !inMeeting || !(perms.canRecord || perms.canLivestream);
	const record = $('record');
	record.hidden = !perms.canRecord;
	record.dataset.state = rec;
	const recording = rec === 'RECORDING' || rec === 'PAUSED';
	record.innerHTML = icon(recording ? 'stop' : 'record');
	record.classList.toggle('on', recording);
	record.classList.toggle('busy', rec === 'STARTING' || rec === 'STOPPING');
	record.setAttribute('aria-pressed', String(recording));
	record.title = recording ? 'Stop recording' : rec === 'IDLE' ? 'Start recording' : `Recording: ${rec.toLowerCase()}`;
	const pause = $('record-pause');
	pause.hidden = !perms.canRecord || !recording;
	pause.dataset.state = rec;
	pause.innerHTML = icon(rec === 'PAUSED' ? 'resume' : 'pause');
	pause.title = rec === 'PAUSED' ? 'Resume recording' : 'Pause recording';
	const golive = $('golive');
	golive.hidden = !perms.canLivestream;
	golive.dataset.state = live;
	golive.innerHTML = icon(live === 'LIVESTREAMING' ? 'stop' : 'live');
	golive.classList.toggle('on', live === 'LIVESTREAMING');
	golive.classList.toggle('busy', live === 'STARTING' || live === 'STOPPING');
	golive.setAttribute('aria-pressed', String(live === 'LIVESTREAMING'));
	golive.title = live === 'LIVESTREAMING' ? 'Stop the livestream' : live === 'IDLE' ? 'Start the livestream'
		: `Livestream: ${live.toLowerCase()}`;
	layout();
}

async function toggleRecording() {
	const r = meeting.recording;
	if (r.recordingState === 'RECORDING' || r.recordingState === 'PAUSED')
		await act($('record'), 'Could not stop the recording', () => r.stop());
	else if (r.recordingState === 'IDLE')
		await act($('record'), 'Could not start recording', () => r.start());
}

async function togglePause() {
	const r = meeting.recording;
	if (r.recordingState === 'PAUSED')
		await act($('record-pause'), 'Could not resume the recording', () => r.resume());
	else if (r.recordingState === 'RECORDING')
		await act($('record-pause'), 'Could not pause the recording', () => r.pause());
}

async function toggleLivestream() {
	const l = meeting.livestream;
	if (l.status === 'LIVESTREAMING')
		await act($('golive'), 'Could not stop the livestream', () => l.stop());
	else if (l.status === 'IDLE')
		await act($('golive'), 'Could not start the livestream', () => l.start());
}

/* ---- breakout rooms (meeting.connectedMeetings) ---- */

/* Titles of the family's meetings by id (from every getConnectedMeetings
 * answer), so a participant who is moved reads where to. */
const roomTitles = new Map();
/* The family as the last getConnectedMeetings answered: {parentMeeting, meetings}. */
let rooms = { parentMeeting: null, meetings: [] };
let roomsTimer = null;
const ROOMS_REFRESH_MS = 3000;

const canAlterRooms = () => Boolean(meeting && meeting.self.permissions.connectedMeetings
	&& meeting.self.permissions.connectedMeetings.canAlterConnectedMeetings);
/* The move lists of the panel as last drawn (redrawn only when they change,
 * so a host's choice in a select stays while the panel refreshes). */
let roomsPeopleDrawn = '';
const roomName = (id) => (rooms.parentMeeting && id === rooms.parentMeeting.id ? 'the main meeting'
	: roomTitles.get(id) || 'another room');

/* The family, asked again (the server sends no events about it). */
async function fetchRooms() {
	const family = await meeting.connectedMeetings.getConnectedMeetings();
	rooms = family;
	for (const m of [family.parentMeeting, ...family.meetings])
		if (m && m.id)
			roomTitles.set(m.id, m.title || (m === family.parentMeeting ? 'the main meeting' : 'a room'));
	return family;
}

async function refreshRooms() {
	if (!meeting || meeting.self.roomState !== 'joined')
		return;
	try {
		await fetchRooms();
	} catch (e) {
		fail('Could not list the rooms')(e);
	}
	renderRooms();
}

function renderRoomsToggle() {
	const shown = meeting.self.roomState === 'joined' && canAlterRooms();
	$('rooms-toggle').hidden = !shown;
	if (!shown && !$('rooms').hidden)
		closeRooms();
}

function closeRooms() {
	$('rooms').hidden = true;
	roomsPeopleDrawn = '';
	clearInterval(roomsTimer);
	roomsTimer = null;
}

function roomItem(m, isParent) {
	const li = document.createElement('li');
	li.dataset.meetingId = m.id;
	li.classList.toggle('room-parent', isParent);
	li.innerHTML = '<div class="room-head"><span class="room-title"></span><span class="room-here"></span>'
		+ '<span class="actions"></span></div><div class="room-people"></div>';
	li.querySelector('.room-title').textContent = isParent ? `Main meeting · ${m.title || ''}`.replace(/ · $/, '') : m.title;
	li.querySelector('.room-here').textContent = m.id === meeting.meta.meetingId ? 'you are here' : '';
	const people = m.participants || [];
	li.querySelector('.room-people').textContent = people.length ? people.map((p) => p.name).join(', ') : 'Empty';
	if (!isParent && people.length === 0) {
		const b = document.createElement('button');
		b.className = 'small ghost';
		b.textContent = 'Close';
		b.dataset.action = 'close';
		b.addEventListener('click', () => act(b, `Could not close ${m.title}`, async () => {
			await meeting.connectedMeetings.deleteMeetings([m.id]);
			await refreshRooms();
		}));
		li.querySelector('.actions').appendChild(b);
	}
	return li;
}

function renderRooms() {
	if (!meeting || $('rooms').hidden || meeting.self.roomState !== 'joined')
		return;
	const { parentMeeting, meetings } = rooms;
	const list = $('rooms-list');
	list.replaceChildren();
	if (parentMeeting)
		list.appendChild(roomItem(parentMeeting, true));
	for (const m of meetings)
		list.appendChild(roomItem(m, false));
	$('rooms-back').disabled = !parentMeeting || !meetings.some((m) => (m.participants || []).length > 0);

	/* who is here, each with where to move them */
	const here = meeting.meta.meetingId;
	const targets = [parentMeeting, ...meetings].filter((m) => m && m.id !== here);
	const drawn = JSON.stringify([here, targets.map((m) => [m.id, m.title]),
		meeting.participants.joined.toArray().map((p) => [p.id, p.name])]);
	if (drawn === roomsPeopleDrawn)
		return;
	roomsPeopleDrawn = drawn;
	const people = $('rooms-people');
	people.replaceChildren();
	for (const p of meeting.participants.joined.values()) {
		const select = document.createElement('select');
		select.setAttribute('aria-label', `Move ${p.name} to`);
		for (const m of targets)
			select.add(new Option(m === parentMeeting ? 'Main meeting' : m.title, m.id));
		const li = personRow(p, [['Move', 'move', 'primary', async () => {
			await meeting.connectedMeetings.moveParticipants(here, select.value, [p.id]);
			await refreshRooms();
		}]], '', false);
		li.querySelector('.actions').prepend(select);
		li.querySelector('button').disabled = targets.length === 0;
		people.appendChild(li);
	}
	$('rooms-people-empty').hidden = meeting.participants.joined.size > 0;
}

async function addRoom() {
	const taken = new Set(rooms.meetings.map((m) => m.title));
	let n = 1;
	while (taken.has(`Room ${n}`))
		n++;
	await meeting.connectedMeetings.createMeetings([{ title: `Room ${n}` }]);
	await refreshRooms();
}

/* Everyone in a room back to the main meeting, room by room; the room this
 * host is in last (the move takes this page along). */
async function bringEveryoneBack() {
	await fetchRooms();
	const parent = rooms.parentMeeting;
	const here = meeting.meta.meetingId;
	const order = [...rooms.meetings.filter((m) => m.id !== here), ...rooms.meetings.filter((m) => m.id === here)];
	for (const m of order) {
		const ids = (m.participants || []).map((p) => p.id);
		if (parent && ids.length)
			await meeting.connectedMeetings.moveParticipants(m.id, parent.id, ids);
	}
	await refreshRooms();
}

function wireRooms() {
	const cm = meeting.connectedMeetings;
	const self = meeting.self;
	/* After enterMeeting: the meeting's title is set, the tiles are the new
	 * meeting's. Everyone learns the family's titles (for the move notices). */
	self.on('roomJoined', () => {
		renderRoomsToggle();
		fetchRooms().then(renderRooms, () => {});
	});
	self.on('roomLeft', renderRoomsToggle);
	self.on('permissionsUpdate', () => { renderRoomsToggle(); renderRooms(); });
	const joined = meeting.participants.joined;
	joined.on('participantJoined', renderRooms);
	joined.on('participantLeft', renderRooms);
	/* the SDK moves the page by itself: say so */
	cm.on('changingMeeting', (id) => toast(`Moving to ${roomName(id)}…`));
	cm.on('meetingChanged', ({ id, title, isParent }) => {
		if (title)
			roomTitles.set(id, title);
		const name = meeting.meta.meetingTitle || title || 'Meeting';
		$('title').textContent = name;
		document.title = `${name} · RTK`;
		toast(isParent ? 'Back in the main meeting' : `You are in ${title || roomName(id)}`);
	});
	$('rooms-toggle').addEventListener('click', () => {
		if (!$('rooms').hidden) {
			closeRooms();
			return;
		}
		$('rooms').hidden = false;
		refreshRooms();
		roomsTimer = setInterval(refreshRooms, ROOMS_REFRESH_MS);
	});
	$('rooms-add').addEventListener('click', () => act($('rooms-add'), 'Could not add a room', addRoom));
	/* act enables the button again when done: whether anyone is left in a room says */
	$('rooms-back').addEventListener('click', () =>
		act($('rooms-back'), 'Could not bring everyone back', bringEveryoneBack).then(renderRooms));
}

/* ---- screens ---- */

function enterMeeting({ reconnected } = {}) {
	if (reconnected && !$('reconnecting').hidden)
		toast('Back in the meeting');
	$('reconnecting').hidden = true;
	show('meeting');
	$('title').textContent = meeting.meta.meetingTitle || 'Meeting';
	document.title = `${meeting.meta.meetingTitle || 'Meeting'} · RTK`;
	for (const key of [...tiles.keys()])
		dropTile(key);
	syncTiles();
	renderPeople();
	renderStage();
	renderHostControls();
	renderChatTargets();
	renderChat();
	renderPlugins();
	if (meeting.participants.lastActiveSpeaker)
		setSpeaker(meeting.participants.lastActiveSpeaker);
	const perms = meeting.self.permissions;
	if (perms.stageEnabled && perms.acceptStageRequests)
		meeting.stage.getAccessRequests().then(renderPeople, fail('Could not list the stage requests'));
}

function leftMeeting({ state }) {
	/* A dropped connection is not the end: the SDK reconnects by itself
	 * (docs/sdk.md, Reconnection) and says roomJoined {reconnected: true},
	 * or roomLeft {state: 'failed'} when it cannot. Meanwhile the meeting
	 * stays on screen, its media still playing where the path works. */
	if (state === 'disconnected') {
		$('reconnecting').hidden = false;
		return;
	}
	$('reconnecting').hidden = true;
	for (const key of [...tiles.keys()])
		dropTile(key);
	/* Moved to a connected meeting (a breakout room): the SDK joins it by
	 * itself (roomJoined follows); the meeting screen stays meanwhile. */
	if (state === 'connected-meeting')
		return;
	const [title, text] = LEFT_TEXT[state] || LEFT_TEXT.left;
	$('left-title').textContent = title;
	$('left-text').textContent = text;
	$('left-text').hidden = !text;
	$('stage-bar').hidden = true;
	$('rec').hidden = true;
	$('live').hidden = true;
	$('viewer-link').hidden = true;
	show('left');
}

const KIND_NAME = { audio: 'microphone', video: 'camera', screenshare: 'screenshare' };

async function toggle(kind) {
	const self = meeting.self;
	const on = kind === 'audio' ? self.audioEnabled : kind === 'video' ? self.videoEnabled : self.screenShareEnabled;
	try {
		if (on)
			turningOff.add(kind);
		if (kind === 'audio')
			await (on ? self.disableAudio() : self.enableAudio());
		else if (kind === 'video')
			await (on ? self.disableVideo() : self.enableVideo());
		else
			await (on ? self.disableScreenShare() : self.enableScreenShare());
		if (kind !== 'screenshare')
			wanted[kind] = !on;
	} catch (e) {
		fail(`Could not turn ${on ? 'off' : 'on'} your ${KIND_NAME[kind]}`)(e);
	} finally {
		turningOff.delete(kind);
	}
	paintSelf();
}

/* The microphone or camera turned off on stage without the page asking: a
 * host did it. (A screenshare also ends from the browser's own "Stop
 * sharing" bar, so it is not announced.) */
function selfUpdate(kind) {
	return (payload) => {
		const enabled = kind === 'audio' ? payload.audioEnabled : kind === 'video' ? payload.videoEnabled
			: payload.screenShareEnabled;
		if (enabled === false && kind !== 'screenshare' && !turningOff.has(kind) && meeting.self.roomState === 'joined'
			&& meeting.self.stageStatus === 'ON_STAGE')
			toast(`A host turned off your ${KIND_NAME[kind]}`);
		paintSelf();
		renderPeople();
	};
}

function wire() {
	const self = meeting.self;
	const participants = meeting.participants;
	self.on('roomJoined', enterMeeting);
	self.on('waitlisted', () => show('waiting'));
	self.on('roomLeft', leftMeeting);
	self.on('audioUpdate', selfUpdate('audio'));
	self.on('videoUpdate', selfUpdate('video'));
	self.on('screenShareUpdate', selfUpdate('screenshare'));
	self.on('permissionsUpdate', () => { renderPeople(); renderStage(); renderHostControls(); syncTiles(); });
	self.on('mediaPermissionError', ({ kind, message }) =>
		toast(`Could not use your ${KIND_NAME[kind] || kind} (${message})`));
	participants.joined.on('participantJoined', (p) => { addParticipant(p); renderPeople(); toast(`${p.name} joined`); });
	participants.joined.on('participantLeft', (p) => {
		dropTile(p.id);
		dropTile(`${p.id}:screen`);
		renderPeople();
	});
	for (const ev of ['audioUpdate', 'videoUpdate', 'screenShareUpdate'])
		participants.joined.on(ev, (p) => { paintParticipant(p); renderPeople(); });
	for (const ev of ['peerStartedPresenting', 'peerStoppedPresenting', 'peerRequestToJoinStage',
		'peerAcceptedToJoinStage', 'peerRejectedToJoinStage'])
		participants.joined.on(ev, () => { syncTiles(); renderPeople(); });
	participants.on('activeSpeaker', ({ peerId }) => setSpeaker(peerId));
	participants.waitlisted.on('participantJoined', (p) => {
		renderPeople();
		if (self.permissions.acceptWaitingRequests)
			toast(`${p.name} is waiting to join`);
	});
	participants.waitlisted.on('participantLeft', renderPeople);

	const stage = meeting.stage;
	stage.on('stageStatusUpdate', (status) => {
		renderStage();
		syncTiles();
		renderPeople();
		if (status === 'ON_STAGE')
			arrivedOnStage();
	});
	stage.on('stageAccessRequestUpdate', renderPeople);
	stage.on('newStageRequest', ({ participantId }) => {
		const p = participants.joined.get(participantId);
		toast(`${p ? p.name : 'Someone'} asked to join the stage`);
	});
	stage.on('stageRequestApproved', () => toast('A host invited you to the stage'));
	stage.on('stageRequestRejected', () => toast('A host declined your request to join the stage'));
	$('stage-request').addEventListener('click', () =>
		act($('stage-request'), 'Could not ask to join the stage', () => stage.requestAccess()));
	$('stage-cancel').addEventListener('click', () =>
		act($('stage-cancel'), 'Could not cancel the request', () => stage.cancelRequestAccess()));
	$('stage-join').addEventListener('click', () =>
		act($('stage-join'), 'Could not join the stage', () => stage.join()));
	$('stage-leave').addEventListener('click', () =>
		act($('stage-leave'), 'Could not leave the stage', () => stage.leave()));

	wireChat();
	wirePlugins();
	meeting.recording.on('recordingUpdate', renderHostControls);
	meeting.livestream.on('livestreamUpdate', (status) => {
		if (status === 'LIVESTREAMING')
			livestreamEnded = false;
		else if (status === 'IDLE')
			livestreamEnded = true;
		renderHostControls();
	});
	meeting.livestream.on('viewerCountUpdate', renderHostControls);
	$('record').addEventListener('click', toggleRecording);
	$('record-pause').addEventListener('click', togglePause);
	$('golive').addEventListener('click', toggleLivestream);
	$('mute-all').addEventListener('click', () =>
		act($('mute-all'), 'Could not mute everyone', () => participants.disableAllAudio()));
	$('video-off-all').addEventListener('click', () =>
		act($('video-off-all'), 'Could not stop everyone\'s video', () => participants.disableAllVideo()));

	$('lobby-mic').addEventListener('click', () => toggle('audio'));
	$('lobby-cam').addEventListener('click', () => toggle('video'));
	$('mic').addEventListener('click', () => toggle('audio'));
	$('cam').addEventListener('click', () => toggle('video'));
	$('screen').addEventListener('click', () => toggle('screenshare'));
	$('leave').innerHTML = icon('leave');
	$('leave').addEventListener('click', () => meeting.leave());
	$('waiting-leave').addEventListener('click', () => meeting.leave());
	$('rejoin').addEventListener('click', () => location.reload());
	$('accept-all').addEventListener('click', () =>
		act($('accept-all'), 'Could not let everyone in', () => participants.acceptAllWaitingRoomRequest()));
	$('panel-toggle').addEventListener('click', () => { $('panel').hidden = !$('panel').hidden; });
	$('join').addEventListener('click', async () => {
		$('join').disabled = true;
		$('lobby-error').hidden = true;
		wanted.audio = self.audioEnabled;
		wanted.video = self.videoEnabled;
		try {
			await meeting.join();
		} catch (e) {
			$('lobby-error').textContent = `Could not join: ${e.message}` + (e.code ? ` (error ${e.code})` : '');
			$('lobby-error').hidden = false;
			$('join').disabled = false;
		}
	});
}

async function start(authToken) {
	show('lobby');
	$('join').disabled = true;
	try {
		meeting = await RealtimeKitClient.init({ authToken, defaults: { audio: true, video: true } });
	} catch (e) {
		$('lobby-error').textContent = e.message + (e.code ? ` (error ${e.code})` : '');
		$('lobby-error').hidden = false;
		window.rtkError = String(e);
		return;
	}
	window.rtkMeeting = meeting;
	wire();
	wireRooms();
	meeting.self.registerVideoElement($('preview'), true);
	paintSelf();
	const who = meeting.self.name;
	$('lobby-sub').textContent = who ? `Joining as ${who}.` : 'Check your camera and microphone.';
	$('join').disabled = false;
}

const t = token();
if (t) {
	start(t);
} else {
	show('token');
	$('token-form').addEventListener('submit', (e) => {
		e.preventDefault();
		const value = $('token-input').value.trim();
		if (value) {
			history.replaceState(null, '', `/#token=${encodeURIComponent(value)}`);
			start(value);
		}
	});
}
