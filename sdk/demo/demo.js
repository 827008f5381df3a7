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
 * kick, accept and reject. The meeting object is window.rtkMeeting once
 * init resolved (the browser test drives the page through it).
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
};
const icon = (name) => `<svg viewBox="0 0 24 24" aria-hidden="true">${ICONS[name]}</svg>`;

const LEFT_TEXT = {
	left: ['You left the meeting', ''],
	kicked: ['You were removed from the meeting', 'A host removed you.'],
	rejected: ['You were not let in', 'A host declined your request to join.'],
	ended: ['The meeting has ended', 'A host ended the meeting for everyone.'],
	disconnected: ['Connection lost', 'The connection to the server dropped.'],
	failed: ['Connection failed', 'The connection to the server could not be restored.'],
};

let meeting = null;
const tiles = new Map();          /* tile key -> {el, video, participant} */

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
}

let toastTimer = null;
function toast(text) {
	const t = $('toast');
	t.textContent = text;
	t.hidden = false;
	clearTimeout(toastTimer);
	toastTimer = setTimeout(() => { t.hidden = true; }, 4000);
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
	el.querySelector('.name').textContent = screen ? `${name} is presenting` : self ? `${name} (you)` : name;
	$('grid').appendChild(el);
	const tile = { el, video: el.querySelector('video') };
	tiles.set(key, tile);
	layout();
	return tile;
}

function dropTile(key) {
	const tile = tiles.get(key);
	if (!tile)
		return;
	if (tile.participant)
		tile.participant.deregisterVideoElement(tile.video);
	tile.el.remove();
	tiles.delete(key);
	layout();
}

function layout() {
	const n = tiles.size;
	const grid = $('grid');
	const screens = [...tiles.values()].filter((t) => t.el.classList.contains('tile-screen')).length;
	grid.classList.toggle('has-screen', screens > 0);
	const cols = n <= 1 ? 1 : n <= 4 ? 2 : n <= 9 ? 3 : 4;
	grid.style.setProperty('--cols', String(cols));
	grid.style.setProperty('--rows', String(Math.ceil(n / cols)));
	$('count').textContent = `${meeting ? meeting.participants.joined.size + 1 : 1} in the meeting`;
}

function paintTile(tile, { videoOn, audioOn }) {
	tile.el.classList.toggle('video-off', !videoOn);
	const mic = tile.el.querySelector('.mic-state');
	mic.innerHTML = audioOn ? '' : icon('micOff');
	mic.title = audioOn ? '' : 'Muted';
}

function addParticipant(p) {
	if (tiles.has(p.id))
		return;
	const tile = makeTile(p.id, { name: p.name });
	tile.participant = p;
	p.registerVideoElement(tile.video);
	paintParticipant(p);
	renderPeople();
}

function paintParticipant(p) {
	const tile = tiles.get(p.id);
	if (tile)
		paintTile(tile, { videoOn: p.videoEnabled && !!p.videoTrack, audioOn: p.audioEnabled });
	const key = `${p.id}:screen`;
	const screenTrack = p.screenShareTracks && p.screenShareTracks.video;
	if (p.screenShareEnabled && screenTrack) {
		const st = tiles.get(key) || makeTile(key, { name: p.name, screen: true });
		if (!st.video.srcObject || st.video.srcObject.getVideoTracks()[0] !== screenTrack)
			st.video.srcObject = new MediaStream([screenTrack]);
	} else {
		dropTile(key);
	}
}

function paintSelf() {
	const self = meeting.self;
	const tile = tiles.get('self');
	if (tile)
		paintTile(tile, { videoOn: self.videoEnabled, audioOn: self.audioEnabled });
	const screenTrack = self.screenShareTracks && self.screenShareTracks.video;
	if (self.roomState === 'joined' && self.screenShareEnabled && screenTrack) {
		const st = tiles.get('self:screen') || makeTile('self:screen', { name: 'You', screen: true });
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
	$('preview').classList.toggle('hidden', !self.videoEnabled);
	$('preview-avatar').hidden = self.videoEnabled;
}

function setSpeaker(peerId) {
	for (const [key, tile] of tiles)
		tile.el.classList.toggle('speaking', key === peerId);
}

/* ---- the people panel (hosts act here) ---- */

function personRow(p, actions, suffix = '') {
	const li = document.createElement('li');
	li.innerHTML = '<span class="avatar small"></span><span class="who"></span><span class="actions"></span>';
	li.querySelector('.avatar').textContent = initials(p.name);
	li.querySelector('.who').textContent = p.name + suffix;
	for (const [label, cls, run] of actions) {
		const b = document.createElement('button');
		b.className = `small ${cls}`;
		b.textContent = label;
		b.dataset.action = label.toLowerCase();
		b.dataset.participant = p.id;
		b.addEventListener('click', () => run().catch((e) => toast(e.message)));
		li.querySelector('.actions').appendChild(b);
	}
	return li;
}

function renderPeople() {
	if (!meeting)
		return;
	const perms = meeting.self.permissions;
	const people = $('people');
	people.replaceChildren();
	people.appendChild(personRow({ name: meeting.self.name, id: meeting.self.id }, [], ' (you)'));
	for (const p of meeting.participants.joined.values())
		people.appendChild(personRow(p, perms.kickParticipant ? [['Remove', 'danger', () => p.kick()]] : []));
	const wl = meeting.participants.waitlisted;
	const canAdmit = perms.acceptWaitingRequests;
	$('waitlist-block').hidden = !canAdmit || wl.size === 0;
	$('waitlist-count').textContent = String(wl.size);
	const list = $('waitlist');
	list.replaceChildren();
	for (const p of wl.values())
		list.appendChild(personRow(p, [
			['Admit', 'primary', () => meeting.participants.acceptWaitingRoomRequest(p.id)],
			['Deny', 'ghost', () => meeting.participants.rejectWaitingRoomRequest(p.id)],
		]));
	$('panel-toggle').textContent = canAdmit && wl.size ? `People · ${wl.size} waiting` : 'People';
	$('panel-toggle').classList.toggle('attention', canAdmit && wl.size > 0);
}

/* ---- screens ---- */

function enterMeeting() {
	show('meeting');
	$('title').textContent = meeting.meta.meetingTitle || 'Meeting';
	document.title = `${meeting.meta.meetingTitle || 'Meeting'} · RTK`;
	for (const key of [...tiles.keys()])
		dropTile(key);
	const selfTile = makeTile('self', { name: meeting.self.name || 'You', self: true });
	meeting.self.registerVideoElement(selfTile.video);
	for (const p of meeting.participants.joined.values())
		addParticipant(p);
	paintSelf();
	renderPeople();
	if (meeting.participants.lastActiveSpeaker)
		setSpeaker(meeting.participants.lastActiveSpeaker);
}

function leftMeeting({ state }) {
	for (const key of [...tiles.keys()])
		dropTile(key);
	const [title, text] = LEFT_TEXT[state] || LEFT_TEXT.left;
	$('left-title').textContent = title;
	$('left-text').textContent = text;
	$('left-text').hidden = !text;
	show('left');
}

async function toggle(kind) {
	const self = meeting.self;
	try {
		if (kind === 'audio')
			await (self.audioEnabled ? self.disableAudio() : self.enableAudio());
		else if (kind === 'video')
			await (self.videoEnabled ? self.disableVideo() : self.enableVideo());
		else
			await (self.screenShareEnabled ? self.disableScreenShare() : self.enableScreenShare());
	} catch (e) {
		toast(e.message || String(e));
	}
	paintSelf();
}

function wire() {
	const self = meeting.self;
	const participants = meeting.participants;
	self.on('roomJoined', enterMeeting);
	self.on('waitlisted', () => show('waiting'));
	self.on('roomLeft', leftMeeting);
	for (const ev of ['audioUpdate', 'videoUpdate', 'screenShareUpdate'])
		self.on(ev, paintSelf);
	self.on('permissionsUpdate', renderPeople);
	self.on('mediaPermissionError', ({ kind, message }) =>
		toast(`Could not use your ${kind === 'audio' ? 'microphone' : kind === 'video' ? 'camera' : 'screen'} (${message})`));
	participants.joined.on('participantJoined', (p) => { addParticipant(p); toast(`${p.name} joined`); });
	participants.joined.on('participantLeft', (p) => {
		dropTile(p.id);
		dropTile(`${p.id}:screen`);
		renderPeople();
	});
	for (const ev of ['audioUpdate', 'videoUpdate', 'screenShareUpdate'])
		participants.joined.on(ev, (p) => paintParticipant(p));
	participants.on('activeSpeaker', ({ peerId }) => setSpeaker(peerId));
	participants.waitlisted.on('participantJoined', (p) => {
		renderPeople();
		if (self.permissions.acceptWaitingRequests)
			toast(`${p.name} is waiting to join`);
	});
	participants.waitlisted.on('participantLeft', renderPeople);
	meeting.recording.on('recordingUpdate', (state) => {
		$('rec').hidden = !(state === 'RECORDING' || state === 'PAUSED');
	});

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
		participants.acceptAllWaitingRoomRequest().catch((e) => toast(e.message)));
	$('panel-toggle').addEventListener('click', () => { $('panel').hidden = !$('panel').hidden; });
	$('join').addEventListener('click', async () => {
		$('join').disabled = true;
		$('lobby-error').hidden = true;
		try {
			await meeting.join();
		} catch (e) {
			$('lobby-error').textContent = `Could not join: ${e.message}`;
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
		$('lobby-error').textContent = e.message;
		$('lobby-error').hidden = false;
		window.rtkError = String(e);
		return;
	}
	window.rtkMeeting = meeting;
	wire();
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
