/*
 * plugins.js - meeting.plugins (RTKPlugins): the plugins of the meeting
 * (docs/protocol.md, Plugins; docs/sdk.md, meeting.plugins).
 *
 * `all` holds every plugin this participant may use (the server's
 * registry without the ones its preset's config.disabledPlugins names),
 * from roomJoined's pluginsAll (refresh() re-reads it); `active` holds the plugins
 * active in the meeting, from roomJoined (and a reconnection's sync) and
 * the pluginActivated / pluginDeactivated events, minus the ones this
 * participant closed for itself (deactivateForSelf: local, the server
 * keeps sending their events; activateForSelf shows one again). Both are
 * RTKPluginMaps (a Map with toArray()) that emit `pluginAdded` and
 * `pluginDeleted` and re-emit every event of a plugin they hold.
 *
 * An RTKPlugin is the registry's object (id, name, description, picture,
 * url, config) plus its live side: `active`, `activatedBy`, `state` (the
 * meeting's key-value store of the plugin), `viewOnlyControl`. Events:
 * `enabled` (activated), `closed` (deactivated), `stateUpdate` and
 * `rtkStateUpdate` ({key, value, updatedBy}), `data` ({data, senderId}),
 * `ready` (its iframe said so), `toggleViewMode` (canWrite).
 *
 * The iframe bridge (addPluginView): the plugin's app runs in an iframe
 * and talks to the page with window.postMessage only. Messages are
 * objects with a `type`:
 *   app -> page  rtk:ready, rtk:sendData {data}, rtk:setState {key, value}
 *   page -> app  rtk:init {pluginId, self: {id, name}, state, canWrite},
 *                rtk:data {data, senderId}, rtk:state {key, value, updatedBy},
 *                rtk:viewMode {canWrite}, rtk:error {code, message, request},
 *                and whatever sendIframeEvent(message) is given.
 * The page accepts messages only from the iframe's own window, and posts
 * to the origin of the iframe's src.
 */
import { RTKEventEmitter } from './emitter.js';

/* The events a map re-emits from the plugins it holds. */
const PLUGIN_EVENTS = ['enabled', 'closed', 'stateUpdate', 'rtkStateUpdate', 'data', 'ready', 'toggleViewMode'];

export class RTKPluginMap extends RTKEventEmitter {
	#map = new Map();
	#relays = new Map();   /* plugin id -> {plugin, handlers} */

	get size() { return this.#map.size; }
	get(id) { return this.#map.get(id); }
	has(id) { return this.#map.has(id); }
	keys() { return this.#map.keys(); }
	values() { return this.#map.values(); }
	entries() { return this.#map.entries(); }
	forEach(fn, thisArg) { this.#map.forEach(fn, thisArg); }
	toArray() { return [...this.#map.values()]; }
	[Symbol.iterator]() { return this.#map[Symbol.iterator](); }

	_add(plugin) {
		if (this.#map.get(plugin.id) === plugin)
			return;
		this._delete(plugin.id, true);
		this.#map.set(plugin.id, plugin);
		const handlers = PLUGIN_EVENTS.map((name) => [name, (...args) => this.emit(name, plugin, ...args)]);
		for (const [name, fn] of handlers)
			plugin.on(name, fn);
		this.#relays.set(plugin.id, { plugin, handlers });
		this.emit('pluginAdded', plugin);
	}

	_delete(id, quiet = false) {
		const relay = this.#relays.get(id);
		if (!relay)
			return;
		for (const [name, fn] of relay.handlers)
			relay.plugin.off(name, fn);
		this.#relays.delete(id);
		this.#map.delete(id);
		if (!quiet)
			this.emit('pluginDeleted', relay.plugin);
	}

	_clear() {
		for (const id of [...this.#map.keys()])
			this._delete(id);
	}
}

/* The origin an iframe's app was loaded from, or '*'. */
function frameOrigin(iframe) {
	try {
		const origin = new URL(iframe.src).origin;
		return /^https?:/.test(origin) ? origin : '*';
	} catch {
		return '*';
	}
}

export class RTKPlugin extends RTKEventEmitter {
	#owner;
	#views = new Map();   /* viewId -> {iframe, listener} */

	constructor(owner, info) {
		super();
		this.#owner = owner;
		this.id = info.id;
		this.active = false;
		this.activatedBy = null;
		this.state = {};
		this.viewOnlyControl = false;
		this.hiddenForSelf = false;
		this._setInfo(info);
	}

	_setInfo(info) {
		for (const key of ['name', 'description', 'picture', 'url'])
			this[key] = info[key] ?? this[key] ?? null;
		this.config = info.config || this.config || {};
	}

	/* Whether this participant may change the plugin (data, state). */
	get canWrite() {
		const config = this.#owner._permissions().config || {};
		return config.access_control !== 'VIEW_ONLY' || this.viewOnlyControl;
	}

	/* Activates the plugin for everyone (plugins.can_start). Rejects with
	 * 0902, 0601 (unknown), 0602 (disabled by the preset), 0605. */
	async activate() {
		this.hiddenForSelf = false;
		await this.#owner._request({ request: 'plugins.activate', pluginId: this.id });
	}

	/* Deactivates it for everyone (plugins.can_close; 0603 when not active). */
	async deactivate() {
		await this.#owner._request({ request: 'plugins.deactivate', pluginId: this.id });
	}

	/* Shows an active plugin again for this participant only (local). */
	async activateForSelf() {
		this.hiddenForSelf = false;
		if (this.active) {
			this.#owner.active._add(this);
			this.emit('enabled');
		}
	}

	/* Hides it for this participant only (local: the others keep it). */
	async deactivateForSelf() {
		this.hiddenForSelf = true;
		if (this.#owner.active.has(this.id)) {
			this.#owner.active._delete(this.id);
			this.emit('closed');
		}
	}

	/* Deprecated in the seeds: activateForSelf / deactivateForSelf. */
	async enable() { return this.activateForSelf(); }
	async disable() { return this.deactivateForSelf(); }

	/* Sends `payload` (an object, at most 16 KiB as JSON; the seeds'
	 * {eventName, data}) to this plugin's instances of the other participants.
	 * Rejects with 0603 (not active), 0604 (view only), 0606, 0012. */
	async sendData(payload) {
		await this.#owner._request({ request: 'plugins.sendData', pluginId: this.id, data: payload });
	}

	/* Sets `key` of the plugin's meeting state (null removes it); everyone,
	 * late joiners too, gets it. Keys up to 128 bytes, values 16 KiB. */
	async setState(key, value) {
		await this.#owner._request({ request: 'plugins.setState', pluginId: this.id, key, value: value ?? null });
	}

	/* Gives (or takes back) control of the plugin to VIEW_ONLY participants
	 * (plugins.can_edit_config). */
	async toggleViewMode(enabled = !this.viewOnlyControl) {
		await this.#owner._request({ request: 'plugins.toggleViewMode', pluginId: this.id, enabled: Boolean(enabled) });
	}

	/* Hosts the plugin's app in `iframe` and bridges its postMessage
	 * protocol (see the top of this file). Sets the iframe's src to the
	 * plugin's url (resolved against the server) when it has none. */
	async addPluginView(iframe, viewId = 'default') {
		this.removePluginView(viewId);
		const win = iframe.ownerDocument && iframe.ownerDocument.defaultView;
		const listener = (e) => {
			if (e.source !== iframe.contentWindow || !e.data || typeof e.data !== 'object')
				return;
			this.#fromIframe(e.data);
		};
		if (win)
			win.addEventListener('message', listener);
		this.#views.set(viewId, { iframe, win, listener });
		if (!iframe.getAttribute('src') && this.url)
			iframe.src = this.#owner._resolve(this.url);
	}

	/* Detaches the bridge of view `viewId` (before the iframe leaves the DOM). */
	removePluginView(viewId = 'default') {
		const view = this.#views.get(viewId);
		if (!view)
			return;
		if (view.win)
			view.win.removeEventListener('message', view.listener);
		this.#views.delete(viewId);
	}

	/* Posts `message` to every view of this plugin, to the origin of the
	 * iframe's src only (any origin when it has no http(s) src). */
	sendIframeEvent(message) {
		for (const { iframe } of this.#views.values()) {
			if (iframe.contentWindow)
				iframe.contentWindow.postMessage(message, frameOrigin(iframe));
		}
	}

	#init() {
		const self = this.#owner._self();
		this.sendIframeEvent({ type: 'rtk:init', pluginId: this.id, self: { id: self.id, name: self.name },
			state: this.state, canWrite: this.canWrite });
	}

	#fromIframe(msg) {
		const fail = (request) => (e) => this.sendIframeEvent({ type: 'rtk:error', request,
			code: e && e.code, message: e && e.message });
		switch (msg.type) {
		case 'rtk:ready':
			this.#init();
			this.emit('ready');
			return;
		case 'rtk:sendData':
			this.sendData(msg.data).catch(fail('sendData'));
			return;
		case 'rtk:setState':
			this.setState(msg.key, msg.value).catch(fail('setState'));
			return;
		default:
		}
	}

	/* ---- what RTKPlugins tells it ---- */

	/* Active, as `active` (ACTIVE) says. For a plugin active already (a
	 * reconnection's sync), the keys whose value changed meanwhile are told
	 * as state updates (updatedBy null), so its views catch up. */
	_activated(active) {
		const was = this.active ? this.state : null;
		this.active = true;
		this.activatedBy = active.activatedBy ?? null;
		this.viewOnlyControl = Boolean(active.viewOnlyControl);
		if (active.plugin)
			this._setInfo(active.plugin);
		const next = { ...(active.state || {}) };
		if (!was) {
			this.state = next;
			return;
		}
		for (const key of new Set([...Object.keys(was), ...Object.keys(next)])) {
			if (JSON.stringify(was[key]) !== JSON.stringify(next[key]))
				this._state({ key, value: next[key] ?? null, updatedBy: null });
		}
		this.state = next;
	}

	_deactivated() {
		this.active = false;
		this.state = {};
		this.viewOnlyControl = false;
	}

	_data(ev) {
		const payload = { data: ev.data, senderId: ev.senderId };
		this.emit('data', payload);
		this.sendIframeEvent({ type: 'rtk:data', ...payload });
	}

	_state(ev) {
		if (ev.value === null || ev.value === undefined)
			delete this.state[ev.key];
		else
			this.state[ev.key] = ev.value;
		const payload = { key: ev.key, value: ev.value ?? null, updatedBy: ev.updatedBy ?? null };
		this.emit('stateUpdate', payload);
		this.emit('rtkStateUpdate', payload);
		this.sendIframeEvent({ type: 'rtk:state', ...payload });
	}

	_viewMode(ev) {
		this.viewOnlyControl = Boolean(ev.viewOnlyControl);
		this.emit('toggleViewMode', this.canWrite);
		this.sendIframeEvent({ type: 'rtk:viewMode', canWrite: this.canWrite });
	}
}

export class RTKPlugins extends RTKEventEmitter {
	#request;
	#self;
	#base;

	/* `request` sends a plugins.* request; `self` is meeting.self; `baseURI`
	 * returns the server's base URL (relative plugin urls resolve against it). */
	constructor({ request, self, baseURI }) {
		super();
		this.#request = request;
		this.#self = self;
		this.#base = baseURI;
		this.all = new RTKPluginMap();
		this.active = new RTKPluginMap();
	}

	_request(body) { return this.#request(body); }
	_self() { return this.#self || {}; }
	_permissions() {
		const p = this.#self && this.#self.permissions && this.#self.permissions.plugins;
		return p || {};
	}
	_resolve(url) {
		try {
			const base = this.#base && this.#base();
			return base ? new URL(url, base).href : url;
		} catch {
			return url;
		}
	}

	#plugin(info) {
		let plugin = this.all.get(info.id);
		if (!plugin) {
			plugin = new RTKPlugin(this, info);
			this.all._add(plugin);
		} else {
			plugin._setInfo(info);
		}
		return plugin;
	}

	/* roomJoined (or sync): the registry `all` (pluginsAll) and the active
	 * plugins [ACTIVE...]. */
	_reset(active, all) {
		const list = Array.isArray(active) ? active : [];
		const ids = new Set(list.map((a) => a.id));
		for (const plugin of this.active.toArray()) {
			if (!ids.has(plugin.id)) {
				plugin._deactivated();
				this.active._delete(plugin.id);
				plugin.emit('closed');
			}
		}
		if (Array.isArray(all))
			this.#setAll(all);
		for (const a of list)
			this.#activate(a, false);
	}

	#setAll(plugins) {
		const ids = new Set(plugins.map((p) => p.id));
		for (const info of plugins)
			this.#plugin(info);
		for (const plugin of this.all.toArray()) {
			if (!ids.has(plugin.id) && !plugin.active)
				this.all._delete(plugin.id);
		}
	}

	/* activate / deactivate a plugin by id, for everyone (as RTKPlugin's). */
	async activate(pluginId) {
		await this.#request({ request: 'plugins.activate', pluginId });
	}

	async deactivate(pluginId) {
		await this.#request({ request: 'plugins.deactivate', pluginId });
	}

	/* Re-reads the registry into `all` (plugins.list). */
	async refresh() {
		const reply = await this.#request({ request: 'plugins.list' });
		this.#setAll((reply && reply.data && reply.data.plugins) || []);
		return this.all;
	}

	_left() {
		for (const plugin of this.active.toArray())
			plugin._deactivated();
		this.active._clear();
	}

	#activate(a, announce) {
		const plugin = this.#plugin({ id: a.id, ...(a.plugin || {}) });
		const was = plugin.active;
		plugin._activated(a);
		if (!plugin.hiddenForSelf)
			this.active._add(plugin);
		if ((announce || !was) && !plugin.hiddenForSelf)
			plugin.emit('enabled');
	}

	/* Events of the main handle; true when handled. */
	_handleEvent(ev) {
		const plugin = ev.pluginId ? this.all.get(ev.pluginId) : undefined;
		switch (ev.rtk) {
		case 'pluginActivated':
			this.#activate({ ...(ev.plugin || {}), id: ev.pluginId }, true);
			return true;
		case 'pluginDeactivated':
			if (plugin) {
				plugin._deactivated();
				plugin.hiddenForSelf = false;
				const shown = this.active.has(plugin.id);
				this.active._delete(plugin.id);
				if (shown)
					plugin.emit('closed');
			}
			return true;
		case 'pluginData':
			if (plugin && !plugin.hiddenForSelf)
				plugin._data(ev);
			return true;
		case 'pluginStateUpdate':
			if (plugin)
				plugin._state(ev);
			return true;
		case 'pluginViewModeUpdate':
			if (plugin)
				plugin._viewMode(ev);
			return true;
		default:
			return false;
		}
	}
}
