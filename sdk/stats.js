/*
 * stats.js - `mediaScoreUpdate`: a 0-10 quality score per sent and per
 * received stream, computed from RTCPeerConnection.getStats().
 *
 * Exists because the seeds promise the event "every few seconds while
 * media is shared" on meeting.self (what this participant sends: the
 * publishing PeerConnection's outbound-rtp and the server's receiver
 * reports about it, remote-inbound-rtp) and on meeting.participants.joined
 * and each participant (what this participant receives from them: the
 * subscribing PeerConnection's inbound-rtp). A MediaScoreMonitor samples one
 * PeerConnection on a timer; the figures are differences between two
 * samples, and a stream whose byte count did not grow is not reported.
 *
 * The score (mediaScore below): 10, minus half a point per percent of
 * packets lost, minus 0.5 point per 10 ms of jitter above 30 ms (at most 3),
 * and for video minus (15 - fps) / 5 when fewer than 15 frames per second
 * arrive or leave (at most 3) and, for a sent video, one point each when
 * the browser limits it for CPU or for bandwidth; rounded and kept in 0-10.
 */

export const SCORE_INTERVAL_MS = 3000;

/* The 0-10 score of one stream's figures (see the header). */
export function mediaScore(stats) {
	let score = 10;
	score -= Math.min(10, Math.max(0, Number(stats.packetsLostPercentage) || 0) / 2);
	const jitterMs = (Number(stats.jitter) || 0) * 1000;
	score -= Math.min(3, Math.max(0, jitterMs - 30) / 20);
	if (stats.framesPerSecond !== undefined) {
		const fps = Number(stats.framesPerSecond) || 0;
		if (fps < 15)
			score -= Math.min(3, (15 - fps) / 5);
	}
	if (stats.cpuLimitations)
		score -= 1;
	if (stats.bandwidthLimitations)
		score -= 1;
	return Math.max(0, Math.min(10, Math.round(score)));
}

function values(report) {
	if (!report)
		return [];
	if (typeof report.values === 'function')
		return [...report.values()];
	return Object.values(report);
}

const round2 = (x) => Math.round(x * 100) / 100;
const delta = (now, before, field) => Math.max(0, (Number(now && now[field]) || 0) - (Number(before && before[field]) || 0));
/* Lost packets as a percentage of those that should have arrived. */
const lossPercent = (lost, total) => (lost > 0 && total > 0 ? round2(Math.min(100, (100 * lost) / total)) : 0);

/*
 * The streams this PeerConnection sends, between two getStats reports:
 * [{mid, kind, bytes, ...scoreStats}] with one entry per m-line (the
 * simulcast layers of one m-line are summed; the picture is that of the
 * largest layer). `seconds` is the time between the reports.
 */
export function sentStreams(before, now, seconds) {
	const all = values(now);
	const prev = new Map(values(before).map((s) => [s.id, s]));
	const remote = new Map(all.filter((s) => s.type === 'remote-inbound-rtp').map((s) => [s.localId, s]));
	const byMid = new Map();
	for (const s of all) {
		if (s.type !== 'outbound-rtp' || s.mid === undefined)
			continue;
		const mid = String(s.mid);
		if (!byMid.has(mid))
			byMid.set(mid, []);
		byMid.get(mid).push(s);
	}
	const out = [];
	for (const [mid, layers] of byMid) {
		const kind = layers[0].kind || layers[0].mediaType;
		let bytes = 0, sent = 0, lost = 0, jitter = 0, top = null, cpu = false, bandwidth = false;
		for (const s of layers) {
			const b = prev.get(s.id);
			bytes += delta(s, b, 'bytesSent');
			sent += delta(s, b, 'packetsSent');
			const r = remote.get(s.id);
			const rb = r && prev.get(r.id);
			if (r) {
				lost += delta(r, rb, 'packetsLost');
				jitter = Math.max(jitter, Number(r.jitter) || 0);
			}
			if (s.qualityLimitationReason === 'cpu')
				cpu = true;
			if (s.qualityLimitationReason === 'bandwidth')
				bandwidth = true;
			if (kind === 'video' && (Number(s.frameWidth) || 0) > 0
					&& (!top || s.frameWidth * (s.frameHeight || 0) > top.frameWidth * (top.frameHeight || 0)))
				top = s;
		}
		const entry = {
			mid, kind, bytes,
			bitrate: seconds > 0 ? Math.round(bytes / seconds) : 0,
			packetsLostPercentage: lossPercent(lost, sent),   /* sent counts the lost ones too */
			jitter,
		};
		if (kind === 'video') {
			entry.frameWidth = top ? top.frameWidth : 0;
			entry.frameHeight = top ? top.frameHeight || 0 : 0;
			entry.framesPerSecond = top ? framesPerSecond(top, prev.get(top.id), seconds, 'framesEncoded') : 0;
			entry.cpuLimitations = cpu;
			entry.bandwidthLimitations = bandwidth;
		}
		out.push(entry);
	}
	return out;
}

/* The streams this PeerConnection receives, between two reports:
 * [{mid, kind, bytes, ...scoreStats}]. */
export function receivedStreams(before, now, seconds) {
	const prev = new Map(values(before).map((s) => [s.id, s]));
	const out = [];
	for (const s of values(now)) {
		if (s.type !== 'inbound-rtp' || s.mid === undefined)
			continue;
		const b = prev.get(s.id);
		const kind = s.kind || s.mediaType;
		const bytes = delta(s, b, 'bytesReceived');
		const entry = {
			mid: String(s.mid), kind, bytes,
			bitrate: seconds > 0 ? Math.round(bytes / seconds) : 0,
			packetsLostPercentage: lossPercent(delta(s, b, 'packetsLost'), delta(s, b, 'packetsLost') + delta(s, b, 'packetsReceived')),
			jitter: Number(s.jitter) || 0,
		};
		if (kind === 'video') {
			entry.frameWidth = Number(s.frameWidth) || 0;
			entry.frameHeight = Number(s.frameHeight) || 0;
			entry.framesPerSecond = framesPerSecond(s, b, seconds, 'framesDecoded');
		}
		out.push(entry);
	}
	return out;
}

/* The browser's own rate when it gives one, else frames counted between
 * the two reports. */
function framesPerSecond(s, before, seconds, counter) {
	if (Number.isFinite(s.framesPerSecond))
		return Math.round(s.framesPerSecond);
	return seconds > 0 ? Math.round(delta(s, before, counter) / seconds) : 0;
}

/*
 * The seeds' event payload for one stream: {kind, isScreenshare, score,
 * participantId, scoreStats}. scoreStats has the seeds' fields in the
 * seeds' order: for audio {score, bitrate, packetsLostPercentage, jitter,
 * isScreenShare}; for video also frameWidth, frameHeight, framesPerSecond
 * and, for a sent video, cpuLimitations and bandwidthLimitations.
 */
export function scorePayload(entry, { participantId, isScreenshare, sent }) {
	const score = mediaScore(entry);
	const scoreStats = { score };
	if (entry.kind === 'video') {
		scoreStats.frameWidth = entry.frameWidth;
		scoreStats.frameHeight = entry.frameHeight;
		scoreStats.framesPerSecond = entry.framesPerSecond;
	}
	scoreStats.bitrate = entry.bitrate;
	scoreStats.packetsLostPercentage = entry.packetsLostPercentage;
	scoreStats.jitter = entry.jitter;
	scoreStats.isScreenShare = isScreenshare;
	if (entry.kind === 'video' && sent) {
		scoreStats.cpuLimitations = entry.cpuLimitations;
		scoreStats.bandwidthLimitations = entry.bandwidthLimitations;
	}
	return { kind: entry.kind, isScreenshare, score, participantId, scoreStats };
}

/*
 * Samples one PeerConnection every `intervalMs` and reports each stream
 * whose bytes grew since the previous sample. pc(): the current
 * PeerConnection or null (it may be replaced; a new one starts over);
 * sent: whether it is the publishing one; describe(entry): {participantId,
 * isScreenshare, emit(payload)} for a stream, or null to skip it.
 */
export class MediaScoreMonitor {
	constructor({ pc, sent, describe, intervalMs = SCORE_INTERVAL_MS, now = () => Date.now() }) {
		this.pc = pc;
		this.sent = sent;
		this.describe = describe;
		this.intervalMs = intervalMs;
		this.now = now;
		this.timer = null;
		this.last = null;   /* {pc, report, at} */
		this.busy = false;
	}

	start() {
		if (this.timer)
			return;
		this.timer = setInterval(() => { this.sample().catch(() => {}); }, this.intervalMs);
		if (this.timer && typeof this.timer.unref === 'function')
			this.timer.unref();
	}

	stop() {
		if (this.timer)
			clearInterval(this.timer);
		this.timer = null;
		this.last = null;
	}

	/* One sample (the timer's work; tests call it directly). */
	async sample() {
		const pc = this.pc();
		if (!pc || typeof pc.getStats !== 'function' || this.busy)
			return;
		this.busy = true;
		let report;
		try {
			report = await pc.getStats();
		} finally {
			this.busy = false;
		}
		const at = this.now();
		const last = this.last && this.last.pc === pc ? this.last : null;
		this.last = { pc, report, at };
		if (!last)
			return;
		const seconds = (at - last.at) / 1000;
		const streams = this.sent ? sentStreams(last.report, report, seconds) : receivedStreams(last.report, report, seconds);
		for (const entry of streams) {
			if (entry.bytes <= 0)
				continue;
			const who = this.describe(entry);
			if (!who)
				continue;
			who.emit(scorePayload(entry, { participantId: who.participantId, isScreenshare: who.isScreenshare, sent: this.sent }));
		}
	}
}
