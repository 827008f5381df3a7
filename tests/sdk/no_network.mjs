/*
 * no_network.mjs - loaded before every SDK unit test (run.sh, --import):
 * the SDK's own fetch (GET /sdk/server.json at init) must never leave this
 * machine from a unit test, so the global fetch refuses every URL. A test
 * that wants an answer passes its own `fetch` to init.
 */
globalThis.fetch = async (url) => {
	throw new TypeError(`unit tests make no network requests (fetch ${url})`);
};
