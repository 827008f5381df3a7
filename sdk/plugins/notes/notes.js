/*
 * notes.js - the Notes plugin (index.html beside it): one text the whole
 * meeting shares. It knows the meeting only through window.postMessage
 * with its parent page (sdk/plugins.js, "The iframe bridge").
 *
 * The text lives in the plugin's state under the key "text" as
 * {text, by: the writer's name}. An edit is sent SAVE_AFTER_MS after the
 * last keystroke (rtk:setState); every participant, the writer included,
 * gets each saved text in the server's order (rtk:state) and shows it: the
 * last writer wins, whole text for whole text, with no merge of two edits
 * made at once. A text that arrives while this participant has unsent
 * edits is not shown: those edits are saved after it, so they win.
 * A participant joining later gets the text in rtk:init. The text is at
 * most MAX_CHARS characters, which keeps it within the server's 16 KiB per
 * state value.
 *
 * body.dataset.text holds the text shown (tests read it).
 */
const SAVE_AFTER_MS = 300;
const MAX_CHARS = 5000;

const area = document.getElementById('text');
const status = document.getElementById('status');
const by = document.getElementById('by');
area.maxLength = MAX_CHARS;
let selfName = '';
let canWrite = false;
let timer = null;   /* the pending save of unsent edits */

function post(message) {
	window.parent.postMessage(message, '*');
}

function show(value) {
	const text = value && typeof value.text === 'string' ? value.text : '';
	if (area.value !== text) {
		const start = area.selectionStart, end = area.selectionEnd;
		area.value = text;
		area.setSelectionRange(Math.min(start, text.length), Math.min(end, text.length));
	}
	by.textContent = value && value.by ? `· last edit by ${value.by}` : '';
	document.body.dataset.text = text;
}

function save() {
	timer = null;
	post({ type: 'rtk:setState', key: 'text', value: { text: area.value, by: selfName } });
	status.textContent = 'Saved';
}

function setMode() {
	area.readOnly = !canWrite;
	status.textContent = canWrite ? '' : 'View only';
}

area.addEventListener('input', () => {
	if (!canWrite)
		return;
	status.textContent = 'Editing…';
	clearTimeout(timer);
	timer = setTimeout(save, SAVE_AFTER_MS);
});

window.addEventListener('message', (e) => {
	if (e.source !== window.parent || !e.data || typeof e.data !== 'object')
		return;
	const m = e.data;
	switch (m.type) {
	case 'rtk:init':
		selfName = (m.self && m.self.name) || '';
		canWrite = Boolean(m.canWrite);
		setMode();
		show((m.state || {}).text);
		break;
	case 'rtk:state':
		if (m.key !== 'text')
			break;
		if (timer === null)
			show(m.value);
		break;
	case 'rtk:viewMode':
		canWrite = Boolean(m.canWrite);
		setMode();
		break;
	case 'rtk:error':
		status.textContent = `Not saved: ${m.message || m.code}`;
		break;
	default:
	}
});

post({ type: 'rtk:ready' });
