/*
 * fuzz_rest.c - libFuzzer target for the REST v2 API: rtk_rest_dispatch()
 * on a real store, and the query parser on its own, with the list filters
 * parsers (ISO 8601 times, repeated choices) on every value it yields.
 *
 * Input layout:
 *   byte 0      bits 0-2: method (GET POST PATCH DELETE PUT HEAD "" OPTIONS)
 *               bits 3-4: authorization: 0-1 Bearer API_KEY, 2 Basic
 *               ORG_ID:API_KEY, 3 the fourth field below (usually refused)
 *               bit 5: the request carries rtk-forwarded-by (another node
 *               forwarded it: the internal requests of rest_nodes.c answer)
 *   then        path NUL query NUL body NUL authorization, each optional;
 *               a missing query is NULL (no '?'), a present one may be empty.
 * In the path, {M}, {P} and {S} become the id of the last meeting,
 * participant and preset the API created (a default preset at first), so
 * the fuzzer reaches handlers behind valid ids without guessing UUIDs.
 *
 * The store is opened once, in a temporary directory under $RTK_FUZZ_TMPDIR
 * (run.sh points it at scratch space it removes afterwards, even after a
 * crash) or else /dev/shm, so SQLite's fsyncs are cheap; the default presets
 * are seeded into it.
 *
 * Checked on every input, beyond the sanitizers: the reply is a JSON
 * envelope whose shape matches its status, the status is one the API
 * documents (500 means a bug), and a refused request changed neither the
 * counts of stored resources nor the resources its path names.
 *
 * The server is a node of several (ctx.nodes, node_forward.h) whose
 * store holds no placement: every meeting is "here", so nothing is
 * forwarded over the network, and the node-only paths (the internal
 * requests, the forward checks) are reached.
 *
 * Build: see tests/fuzz/run.sh (all gateway sources but http.c, gateway.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include "node_forward.h"
#include "presets_default.h"
#include "rest.h"
#include "rest_internal.h"
#include "store.h"

#define ORG_ID "fuzz-org"
#define API_KEY "fuzz-api-key"
#define SECRET "fuzz-jwt-secret"

static rtk_store *store;
static rtk_rest_ctx ctx;
static char *dir;
static char *basic_auth;
static char meeting_id[40], participant_id[40], preset_id[40];

static void cleanup(void)
{
	static const char *const files[] = { "rtk.sqlite", "rtk.sqlite-wal", "rtk.sqlite-shm" };
	rtk_node_forward_free(ctx.nodes);
	ctx.nodes = NULL;
	rtk_store_close(store);
	store = NULL;
	for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
		char *path = g_build_filename(dir, files[i], NULL);
		unlink(path);
		g_free(path);
	}
	rmdir(dir);
	g_free(dir);
	g_free(basic_auth);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *base = getenv("RTK_FUZZ_TMPDIR");
	if (base == NULL || *base == '\0')
		base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : g_get_tmp_dir();
	dir = g_build_filename(base, "rtk-fuzz-rest-XXXXXX", NULL);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		abort();
	}
	char *path = g_build_filename(dir, "rtk.sqlite", NULL);
	char *error = NULL;
	store = rtk_store_open(path, &error);
	g_free(path);
	if (store == NULL) {
		fprintf(stderr, "fuzz_rest: cannot open the store: %s\n", error ? error : "?");
		abort();
	}
	json_t *defaults = rtk_presets_default();
	size_t i;
	json_t *p;
	json_array_foreach(defaults, i, p) {
		json_t *out = NULL;
		if (rtk_store_preset_create(store, p, &out) != RTK_STORE_OK)
			abort();
		if (i == 1)
			g_strlcpy(preset_id, json_string_value(json_object_get(out, "id")), sizeof preset_id);
		json_decref(out);
	}
	json_decref(defaults);
	ctx = (rtk_rest_ctx) {
		.store = store, .org_id = ORG_ID, .api_key = API_KEY,
		.jwt_secret = (const unsigned char *)SECRET, .jwt_secret_len = strlen(SECRET),
		.token_ttl_seconds = 60,
		/* no name resolution of fuzzed webhook hosts: fuzz_webhook_url.c
		 * covers the target policy */
		.webhooks_allow_private = 1,
		.webhooks_public_key_pem = "-----BEGIN PUBLIC KEY-----\nfuzz\n-----END PUBLIC KEY-----\n",
		.nodes = rtk_node_forward_new(store, "fuzz-node", API_KEY, 1),
	};
	char *b64 = g_base64_encode((const guchar *)ORG_ID ":" API_KEY, strlen(ORG_ID ":" API_KEY));
	basic_auth = g_strdup_printf("Basic %s", b64);
	g_free(b64);
	atexit(cleanup);
	return 0;
}

/* ---- Input splitting ---- */

/* The next NUL-separated field of data[*pos, size) as a new string, or
 * NULL when the input is used up. */
static char *next_field(const uint8_t *data, size_t size, size_t *pos)
{
	if (*pos > size)
		return NULL;
	const uint8_t *nul = memchr(data + *pos, '\0', size - *pos);
	size_t stop = nul ? (size_t)(nul - data) : size;
	char *field = g_strndup((const char *)data + *pos, stop - *pos);
	*pos = stop + 1;
	return field;
}

static char *expand_ids(const char *path)
{
	GString *out = g_string_new(NULL);
	for (const char *p = path; *p; p++) {
		const char *id = NULL;
		if (strncmp(p, "{M}", 3) == 0)
			id = meeting_id;
		else if (strncmp(p, "{P}", 3) == 0)
			id = participant_id;
		else if (strncmp(p, "{S}", 3) == 0)
			id = preset_id;
		if (id) {
			g_string_append(out, id);
			p += 2;
		} else {
			g_string_append_c(out, *p);
		}
	}
	return g_string_free(out, FALSE);
}

/* ---- Invariants ---- */

/* What a refused request must leave alone: resource counts and the
 * resources whose ids the path names. g_free() the result. */
static char *observe(const char *path)
{
	GString *seen = g_string_new(NULL);
	json_t *items = NULL, *one = NULL;
	int meetings = 0, presets = 0, participants = 0;
	rtk_store_meeting_list(store, 0, 0, &items, &meetings);
	json_decref(items);
	rtk_store_preset_list(store, 0, 0, &items, &presets);
	json_decref(items);
	if (*meeting_id) {
		rtk_store_participant_list(store, meeting_id, 0, 0, &items, &participants);
		json_decref(items);
	}
	g_string_append_printf(seen, "%d/%d/%d", meetings, presets, participants);

	if (strstr(path, meeting_id) && *meeting_id && rtk_store_meeting_get(store, meeting_id, &one) == RTK_STORE_OK) {
		char *text = json_dumps(one, JSON_SORT_KEYS);
		g_string_append(seen, text);
		free(text);
		json_decref(one);
	}
	if (strstr(path, preset_id) && rtk_store_preset_get(store, preset_id, &one) == RTK_STORE_OK) {
		char *text = json_dumps(one, JSON_SORT_KEYS);
		g_string_append(seen, text);
		free(text);
		json_decref(one);
	}
	if (*participant_id && strstr(path, participant_id)
	    && rtk_store_participant_get(store, NULL, participant_id, &one) == RTK_STORE_OK) {
		char *text = json_dumps(one, JSON_SORT_KEYS);
		g_string_append(seen, text);
		free(text);
		json_decref(one);
	}
	return g_string_free(seen, FALSE);
}

static bool status_documented(int status)
{
	static const int documented[] = { 200, 201, 400, 401, 403, 404, 405, 409, 413, 422 };
	for (size_t i = 0; i < G_N_ELEMENTS(documented); i++)
		if (status == documented[i])
			return true;
	return false;
}

/* Aborts unless the reply is a well-formed envelope for its status;
 * returns its "data" (borrowed from *root, which the caller frees). */
static json_t *check_reply(const rtk_rest_reply *reply, json_t **root)
{
	if (reply->body == NULL || !status_documented(reply->status)) {
		fprintf(stderr, "fuzz_rest: status %d body %s\n", reply->status, reply->body ? reply->body : "(null)");
		abort();
	}
	*root = json_loads(reply->body, 0, NULL);
	json_t *success = json_object_get(*root, "success");
	if (!json_is_object(*root) || !json_is_boolean(success))
		abort();
	if (reply->status < 400) {
		if (!json_is_true(success) || json_object_get(*root, "data") == NULL)
			abort();
		return json_object_get(*root, "data");
	}
	json_t *error = json_object_get(*root, "error");
	if (!json_is_false(success) || json_integer_value(json_object_get(error, "code")) != reply->status
	    || !json_is_string(json_object_get(error, "message")))
		abort();
	return NULL;
}

/* Remembers the id of what a 201 created, for {M}, {P}, {S}. */
static void remember(const json_t *data)
{
	const char *id = json_string_value(json_object_get(data, "id"));
	if (id == NULL)
		return;
	if (json_object_get(data, "custom_participant_id"))
		g_strlcpy(participant_id, id, sizeof participant_id);
	else if (json_object_get(data, "permissions"))
		g_strlcpy(preset_id, id, sizeof preset_id);
	else if (json_object_get(data, "status"))
		g_strlcpy(meeting_id, id, sizeof meeting_id);
}

/* ---- The query parser on its own ---- */

/* A time that parses is the store's form, and parses again to itself. */
static void fuzz_time(const char *value)
{
	char out[RTK_REST_TIME_LEN], again[RTK_REST_TIME_LEN];
	if (!rtk_rest_time_parse(value, out))
		return;
	if (strlen(out) != RTK_REST_TIME_LEN - 1 || out[10] != 'T' || out[RTK_REST_TIME_LEN - 2] != 'Z' ||
			!rtk_rest_time_parse(out, again) || strcmp(out, again) != 0)
		abort();
}

static void fuzz_query(const char *raw, size_t len)
{
	const char *error = NULL;
	rtk_rest_query *q = rtk_rest_query_parse(raw, len, &error);
	if (q == NULL) {
		if (error == NULL)
			abort();
		return;
	}
	size_t n = rtk_rest_query_count(q);
	if (n > RTK_REST_QUERY_MAX_PARAMS)
		abort();
	for (size_t i = 0; i < n; i++) {
		const char *name, *value;
		rtk_rest_query_nth(q, i, &name, &value);
		const char *last = rtk_rest_query_get(q, name);
		if (name == NULL || value == NULL || last == NULL)
			abort();
		fuzz_time(value);
	}
	static const char *const choices[] = { "ACTIVE", "INACTIVE", NULL };
	unsigned mask = 0;
	rtk_rest_reply reply = { .status = -1 };
	if (!rtk_rest_query_choices(&reply, q, "status", choices, &mask) && (reply.status != 400 || mask != 0))
		abort();
	if (mask > 3u)
		abort();
	free(reply.body);
	rtk_rest_query_free(q);
	free(rtk_rest_percent_decode(raw, len));
}

/* ---- Entry point ---- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const methods[] = { "GET", "POST", "PATCH", "DELETE", "PUT", "HEAD", "", "OPTIONS" };
	if (size == 0)
		return 0;
	size_t pos = 1;
	const char *method = methods[data[0] & 7];
	int auth_mode = (data[0] >> 3) & 3;
	const char *forwarded_by = (data[0] & 0x20) ? "fuzz-peer" : NULL;

	char *raw_path = next_field(data, size, &pos);
	char *query = next_field(data, size, &pos);
	const uint8_t *body_start = data + (pos < size ? pos : size);
	char *body = next_field(data, size, &pos);
	char *auth_field = next_field(data, size, &pos);
	char *path = expand_ids(raw_path ? raw_path : "");

	if (query)
		fuzz_query(query, strlen(query));

	const char *auth = auth_mode == 2 ? basic_auth : auth_mode == 3 ? auth_field : "Bearer " API_KEY;
	rtk_rest_request req = {
		.method = method,
		.path = path,
		.query = query,
		.authorization = auth,
		.forwarded_by = forwarded_by,
		/* The body is not NUL-terminated: hand the bytes in place. */
		.body = body ? (const char *)body_start : NULL,
		.body_len = body ? strlen(body) : 0,
	};
	(void)rtk_rest_nodes_may_forward(&ctx, method, path);
	char *before = observe(path);
	rtk_rest_reply reply = { .status = -1 };
	rtk_rest_dispatch(&ctx, &req, &reply);
	json_t *root = NULL;
	json_t *out = check_reply(&reply, &root);
	if (reply.status >= 400) {
		char *after = observe(path);
		if (strcmp(before, after) != 0) {
			fprintf(stderr, "fuzz_rest: refused with %d but the store changed:\n%s\n%s\n",
				reply.status, before, after);
			abort();
		}
		g_free(after);
	} else if (reply.status == 201) {
		remember(out);
	}
	json_decref(root);
	free(reply.body);
	g_free(reply.file_path);
	g_free(before);
	g_free(path);
	g_free(raw_path);
	g_free(query);
	g_free(body);
	g_free(auth_field);
	return 0;
}
