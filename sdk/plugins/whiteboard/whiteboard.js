/*
 * whiteboard.js - the Whiteboard plugin (index.html beside it): a shared
 * canvas. It knows the meeting only through window.postMessage with its
 * parent page (sdk/plugins.js, "The iframe bridge").
 *
 * A stroke is {id, c: colour, w: width, p: [x0, y0, x1, y1, ...]} in a
 * 1000 x 625 board whatever the canvas's size on screen. When a stroke is
 * finished it is sent twice: as plugin data (rtk:sendData {stroke}), which
 * the others draw at once, and into the plugin's state under the key
 * "s:<stroke id>" (rtk:setState), so a participant joining later gets every
 * stroke in rtk:init. A stroke holds at most MAX_POINTS points (a longer
 * line becomes several strokes), which keeps a state value under the
 * server's 16 KiB; the server keeps at most 256 keys per plugin, so a
 * board holds 256 strokes until someone clears it. Clear erases the board
 * for everyone: plugin data {clear: true}, then the state keys removed one
 * by one below the server's rate.
 *
 * body.dataset.strokes counts the strokes drawn (tests read it).
 */
const W = 1000, H = 625;
const MAX_POINTS = 400;
const COLORS = ['#222222', '#e53935', '#1e88e5', '#43a047', '#fb8c00'];
const REMOVE_EVERY_MS = 30;   /* state removals: below 50 requests a second */

const canvas = document.getElementById('canvas');
const ctx = canvas.getContext('2d');
const status = document.getElementById('status');
const strokes = new Map();   /* id -> stroke */
let selfId = 'me';
let canWrite = false;
let color = COLORS[0];
let current = null;
let counter = 0;

function post(message) {
	window.parent.postMessage(message, '*');
}

function drawStroke(s) {
	const p = s.p;
	if (!Array.isArray(p) || p.length < 2)
		return;
	ctx.strokeStyle = typeof s.c === 'string' ? s.c : '#222';
	ctx.lineWidth = Number(s.w) || 3;
	ctx.lineCap = 'round';
	ctx.lineJoin = 'round';
	ctx.beginPath();
	ctx.moveTo(p[0], p[1]);
	for (let i = 2; i + 1 < p.length; i += 2)
		ctx.lineTo(p[i], p[i + 1]);
	if (p.length === 2)
		ctx.lineTo(p[0] + 0.1, p[1]);
	ctx.stroke();
}

function redraw() {
	ctx.clearRect(0, 0, W, H);
	for (const s of strokes.values())
		drawStroke(s);
	if (current)
		drawStroke(current);
	document.body.dataset.strokes = String(strokes.size);
}

function addStroke(s) {
	if (!s || typeof s.id !== 'string' || strokes.has(s.id))
		return;
	strokes.set(s.id, s);
	drawStroke(s);
	document.body.dataset.strokes = String(strokes.size);
}

function setStatus() {
	status.textContent = canWrite ? `${strokes.size} strokes` : 'View only';
	document.body.classList.toggle('view-only', !canWrite);
}

/* A pointer position in board coordinates. */
function at(e) {
	const r = canvas.getBoundingClientRect();
	return [Math.round((e.clientX - r.left) * W / r.width), Math.round((e.clientY - r.top) * H / r.height)];
}

function finish() {
	if (!current)
		return;
	const s = current;
	current = null;
	addStroke(s);
	post({ type: 'rtk:sendData', data: { stroke: s } });
	post({ type: 'rtk:setState', key: `s:${s.id}`, value: s });
	setStatus();
}

canvas.addEventListener('pointerdown', (e) => {
	if (!canWrite)
		return;
	canvas.setPointerCapture(e.pointerId);
	current = { id: `${selfId}-${Date.now().toString(36)}-${counter++}`, c: color, w: 3, p: at(e) };
	redraw();
});
canvas.addEventListener('pointermove', (e) => {
	if (!current)
		return;
	current.p.push(...at(e));
	if (current.p.length / 2 >= MAX_POINTS) {
		const last = current.p.slice(-2);
		finish();
		current = { id: `${selfId}-${Date.now().toString(36)}-${counter++}`, c: color, w: 3, p: last };
	}
	redraw();
});
canvas.addEventListener('pointerup', finish);
canvas.addEventListener('pointercancel', finish);

document.getElementById('clear').addEventListener('click', () => {
	if (!canWrite)
		return;
	const keys = [...strokes.keys()].map((id) => `s:${id}`);
	strokes.clear();
	redraw();
	setStatus();
	post({ type: 'rtk:sendData', data: { clear: true } });
	keys.forEach((key, i) => setTimeout(() => post({ type: 'rtk:setState', key, value: null }), i * REMOVE_EVERY_MS));
});

for (const c of COLORS) {
	const b = document.createElement('button');
	b.className = 'swatch';
	b.style.background = c;
	b.title = c;
	b.setAttribute('aria-pressed', String(c === color));
	b.addEventListener('click', () => {
		color = c;
		for (const other of document.querySelectorAll('.swatch'))
			other.setAttribute('aria-pressed', String(other === b));
	});
	document.getElementById('colors').append(b);
}

window.addEventListener('message', (e) => {
	if (e.source !== window.parent || !e.data || typeof e.data !== 'object')
		return;
	const m = e.data;
	switch (m.type) {
	case 'rtk:init':
		selfId = (m.self && m.self.id) || selfId;
		canWrite = Boolean(m.canWrite);
		strokes.clear();
		for (const [key, value] of Object.entries(m.state || {}))
			if (key.startsWith('s:') && value)
				strokes.set(value.id, value);
		redraw();
		setStatus();
		break;
	case 'rtk:data':
		if (m.data && m.data.clear) {
			strokes.clear();
			redraw();
		} else if (m.data && m.data.stroke) {
			addStroke(m.data.stroke);
		}
		setStatus();
		break;
	case 'rtk:state':
		if (typeof m.key === 'string' && m.key.startsWith('s:')) {
			if (m.value === null) {
				if (strokes.delete(m.key.slice(2)))
					redraw();
			} else {
				addStroke(m.value);
			}
			setStatus();
		}
		break;
	case 'rtk:viewMode':
		canWrite = Boolean(m.canWrite);
		setStatus();
		break;
	case 'rtk:error':
		status.textContent = `Not saved: ${m.message || m.code}`;
		break;
	default:
	}
});

redraw();
post({ type: 'rtk:ready' });
