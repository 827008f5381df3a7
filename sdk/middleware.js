/*
 * middleware.js - audio and video middlewares of meeting.self: functions
 * that change the camera's frames or the microphone's sound before they
 * are shown locally and sent.
 *
 * Exists because the seeds' meeting.self.addVideoMiddleware /
 * addAudioMiddleware (and remove..., removeAll..., and
 * setVideoMiddlewareGlobalConfig) take middlewares in their own shape:
 *   - a video middleware is a function, possibly async, returning a frame
 *     function (canvas, ctx); for every camera frame the frame is drawn on
 *     the canvas (2d context ctx) and the frame functions run in the order
 *     the middlewares were added; the canvas is what is sent. With
 *     `disablePerFrameCanvasRendering` the frame functions run once, on an
 *     empty canvas, and keep drawing it themselves (from
 *     meeting.self.rawVideoTrack); the canvas is still sent at the camera's
 *     frame rate.
 *   - an audio middleware is a function (audioContext) returning, possibly
 *     through a promise, an AudioNode (ScriptProcessorNode,
 *     AudioWorkletNode, ...); the microphone runs through the nodes in the
 *     order they were added.
 *
 * Owns the processing pipelines: each build() takes a raw track and returns
 * {track, stop} with the processed track; stop() ends the processing and
 * the processed track, never the raw one (self.js owns that). Video uses
 * Chromium's insertable streams (MediaStreamTrackProcessor ->
 * canvas -> MediaStreamTrackGenerator) when present, else a <video> drawn
 * on a canvas each animation frame and canvas.captureStream().
 */

export class VideoMiddlewares {
	#list = [];          /* [{middleware, frame}] in the order added */
	#config = { disablePerFrameCanvasRendering: false };

	get size() { return this.#list.length; }
	get config() { return { ...this.#config }; }

	/* Adds a middleware (calling it for its frame function); false when it
	 * was there already. */
	async add(middleware) {
		if (typeof middleware !== 'function')
			throw new TypeError('a video middleware is a function returning (canvas, ctx) => void');
		if (this.#list.some((m) => m.middleware === middleware))
			return false;
		const frame = await middleware();
		if (typeof frame !== 'function')
			throw new TypeError('the video middleware did not return a (canvas, ctx) => void function');
		if (this.#list.some((m) => m.middleware === middleware))
			return false;
		this.#list.push({ middleware, frame });
		return true;
	}

	remove(middleware) {
		const before = this.#list.length;
		this.#list = this.#list.filter((m) => m.middleware !== middleware);
		return this.#list.length !== before;
	}

	removeAll() {
		const had = this.#list.length > 0;
		this.#list = [];
		return had;
	}

	setGlobalConfig(config = {}) {
		this.#config = { ...this.#config, ...config, disablePerFrameCanvasRendering: Boolean(config.disablePerFrameCanvasRendering) };
	}

	/* The processed track of `raw`: {track, stop}. */
	build(raw) {
		const frames = this.#list.map((m) => m.frame);
		const perFrame = !this.#config.disablePerFrameCanvasRendering;
		if (typeof MediaStreamTrackProcessor === 'function' && typeof MediaStreamTrackGenerator === 'function'
				&& typeof VideoFrame === 'function')
			return buildWithInsertableStreams(raw, frames, perFrame);
		return buildWithCaptureStream(raw, frames, perFrame);
	}
}

/* A <canvas> (what the seeds' middlewares expect), or an OffscreenCanvas
 * where there is no document. */
function newCanvas(width, height) {
	if (typeof document === 'undefined' && typeof OffscreenCanvas === 'function')
		return new OffscreenCanvas(width, height);
	const c = document.createElement('canvas');
	c.width = width;
	c.height = height;
	return c;
}

function sizeOf(raw) {
	const s = typeof raw.getSettings === 'function' ? raw.getSettings() : {};
	return { width: s.width || 640, height: s.height || 480 };
}

/* Runs the frame functions; one that throws is reported once and skipped
 * from then on, so a broken middleware does not freeze the camera. */
function runner(frames) {
	const broken = new Set();
	return async (canvas, ctx) => {
		for (const f of frames) {
			if (broken.has(f))
				continue;
			try {
				await f(canvas, ctx);
			} catch (e) {
				broken.add(f);
				if (typeof console !== 'undefined')
					console.error('rtk-core: a video middleware threw; it is skipped from now on', e);
			}
		}
	};
}

function buildWithInsertableStreams(raw, frames, perFrame) {
	const { width, height } = sizeOf(raw);
	const canvas = newCanvas(width, height);
	const ctx = canvas.getContext('2d');
	const run = runner(frames);
	const processor = new MediaStreamTrackProcessor({ track: raw });
	const generator = new MediaStreamTrackGenerator({ kind: 'video' });
	const reader = processor.readable.getReader();
	const writer = generator.writable.getWriter();
	let stopped = false;
	let first = !perFrame ? run(canvas, ctx) : null;
	(async () => {
		try {
			if (first)
				await first;
			first = null;
			for (;;) {
				const { value: frame, done } = await reader.read();
				if (done || stopped) {
					if (frame)
						frame.close();
					break;
				}
				const timestamp = frame.timestamp;
				if (perFrame) {
					if (canvas.width !== frame.displayWidth || canvas.height !== frame.displayHeight) {
						canvas.width = frame.displayWidth;
						canvas.height = frame.displayHeight;
					}
					ctx.drawImage(frame, 0, 0, canvas.width, canvas.height);
					frame.close();
					await run(canvas, ctx);
				} else {
					frame.close();
				}
				if (stopped)
					break;
				await writer.write(new VideoFrame(canvas, { timestamp }));
			}
		} catch (e) {
			if (!stopped && typeof console !== 'undefined')
				console.error('rtk-core: the video middleware pipeline stopped', e);
		}
	})();
	return {
		track: generator,
		stop() {
			stopped = true;
			reader.cancel().catch(() => {});
			writer.close().catch(() => {});
			generator.stop();
		},
	};
}

function buildWithCaptureStream(raw, frames, perFrame) {
	const { width, height } = sizeOf(raw);
	const canvas = document.createElement('canvas');
	canvas.width = width;
	canvas.height = height;
	const ctx = canvas.getContext('2d');
	const run = runner(frames);
	const video = document.createElement('video');
	Object.assign(video, { muted: true, playsInline: true, autoplay: true });
	video.srcObject = new MediaStream([raw]);
	video.play().catch(() => {});
	const frameRate = (typeof raw.getSettings === 'function' && raw.getSettings().frameRate) || 30;
	const track = canvas.captureStream(frameRate).getVideoTracks()[0];
	let stopped = false;
	let pending = false;
	const draw = async () => {
		if (stopped)
			return;
		if (!pending && video.videoWidth > 0) {
			pending = true;
			if (canvas.width !== video.videoWidth || canvas.height !== video.videoHeight) {
				canvas.width = video.videoWidth;
				canvas.height = video.videoHeight;
			}
			ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
			await run(canvas, ctx);
			pending = false;
		}
		requestAnimationFrame(draw);
	};
	if (perFrame)
		requestAnimationFrame(draw);
	else
		run(canvas, ctx);
	return {
		track,
		stop() {
			stopped = true;
			track.stop();
			video.srcObject = null;
		},
	};
}

export class AudioMiddlewares {
	#list = [];

	get size() { return this.#list.length; }

	add(middleware) {
		if (typeof middleware !== 'function')
			throw new TypeError('an audio middleware is a function (audioContext) => AudioNode');
		if (this.#list.includes(middleware))
			return false;
		this.#list.push(middleware);
		return true;
	}

	remove(middleware) {
		const before = this.#list.length;
		this.#list = this.#list.filter((m) => m !== middleware);
		return this.#list.length !== before;
	}

	removeAll() {
		const had = this.#list.length > 0;
		this.#list = [];
		return had;
	}

	/* The processed track of `raw`: {track, stop}. Each build calls every
	 * middleware with a new AudioContext. */
	async build(raw) {
		const context = new AudioContext();
		try {
			const source = context.createMediaStreamSource(new MediaStream([raw]));
			let node = source;
			for (const middleware of this.#list) {
				const next = await middleware(context);
				if (next && typeof next.connect === 'function') {
					node.connect(next);
					node = next;
				}
			}
			const destination = context.createMediaStreamDestination();
			node.connect(destination);
			if (context.state === 'suspended')
				context.resume().catch(() => {});
			const track = destination.stream.getAudioTracks()[0];
			return {
				track,
				stop() {
					track.stop();
					context.close().catch(() => {});
				},
			};
		} catch (e) {
			context.close().catch(() => {});
			throw e;
		}
	}
}
