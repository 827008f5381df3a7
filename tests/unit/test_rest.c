/*
 * test_rest.c - unit tests of the REST v2 API (gateway/rest*.c, webhooks included,
 * gateway/presets_default.c) through rtk_rest_dispatch(), on a real store in
 * a temporary directory.
 *
 * Every reply is checked for the envelope ({"success", "data"} or
 * {"success": false, "error": {"code" = HTTP status, "message"}}); every bad
 * request is checked for its status, for a message naming what was wrong,
 * and for leaving the stored data exactly as it was.
 */
#include <glib.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chat_files.h"
#include "jwt.h"
#include "node_forward.h"
#include "presets_default.h"
#include "rest.h"
#include "rest_internal.h"
#include "signed_url.h"
#include "store.h"
#include "unit.h"

#define ORG_ID "0b5c1a7e-2d2c-4b8e-9a57-3f1b2c3d4e5f"
#define API_KEY "test-api-key-0123456789"
#define SECRET "test-jwt-secret-abcdefghijklmnop"
#define TTL 3600
#define NO_SUCH_ID "00000000-0000-4000-8000-000000000000"

static rtk_store *store;
static rtk_rest_ctx ctx;
static char *bearer;
static char *tmpdir;

/* Ids of resources the tests made, substituted for {M}, {P}, {S}, {W} in paths. */
static char meeting_id[64], participant_id[64], preset_id[64], webhook_id[64];

/* ---- Helpers ---- */

/* Replaces {M}, {P}, {S}, {W} in `path`. Returns a g_malloc'd string. */
static char *expand(const char *path)
{
	GString *out = g_string_new(NULL);
	for (const char *p = path; *p; p++) {
		if (strncmp(p, "{M}", 3) == 0) {
			g_string_append(out, meeting_id);
			p += 2;
		} else if (strncmp(p, "{P}", 3) == 0) {
			g_string_append(out, participant_id);
			p += 2;
		} else if (strncmp(p, "{S}", 3) == 0) {
			g_string_append(out, preset_id);
			p += 2;
		} else if (strncmp(p, "{W}", 3) == 0) {
			g_string_append(out, webhook_id);
			p += 2;
		} else {
			g_string_append_c(out, *p);
		}
	}
	return g_string_free(out, FALSE);
}

/* Checks the envelope of a reply and returns it parsed (NEW reference). */
static json_t *check_envelope(const rtk_rest_reply *reply)
{
	CHECK_NOT_NULL(reply->body);
	json_error_t err;
	json_t *root = reply->body ? json_loads(reply->body, 0, &err) : NULL;
	CHECK(json_is_object(root));
	if (!json_is_object(root)) {
		fprintf(stderr, "\treply body: %s\n", reply->body ? reply->body : "(null)");
		json_decref(root);
		return json_object();
	}
	json_t *success = json_object_get(root, "success");
	CHECK(json_is_boolean(success));
	if (reply->status < 400) {
		CHECK(json_is_true(success));
		CHECK_NOT_NULL(json_object_get(root, "data"));
	} else {
		CHECK(json_is_false(success));
		json_t *error = json_object_get(root, "error");
		CHECK(json_is_object(error));
		CHECK_EQ_INT(json_integer_value(json_object_get(error, "code")), reply->status);
		const char *message = json_string_value(json_object_get(error, "message"));
		CHECK(message != NULL && *message != '\0');
	}
	return root;
}

/* One request; returns the status, *out (may be NULL) gets the parsed reply. */
static int request_full(const char *method, const char *path, const char *query,
	const char *auth, const char *body, size_t body_len, json_t **out)
{
	char *full_path = expand(path);
	rtk_rest_request req = {
		.method = method, .path = full_path, .query = query,
		.authorization = auth, .body = body, .body_len = body_len,
	};
	rtk_rest_reply reply = { .status = -1 };
	rtk_rest_dispatch(&ctx, &req, &reply);
	json_t *root = check_envelope(&reply);
	int status = reply.status;
	free(reply.body);
	g_free(reply.file_path);
	g_free(full_path);
	if (out)
		*out = root;
	else
		json_decref(root);
	return status;
}

static int request(const char *method, const char *path, const char *query, const char *body,
	json_t **out)
{
	return request_full(method, path, query, bearer, body, body ? strlen(body) : 0, out);
}

static json_t *data_of(json_t *root)
{
	return json_object_get(root, "data");
}

static const char *str_of(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static const char *error_message(json_t *root)
{
	return json_string_value(json_object_get(json_object_get(root, "error"), "message"));
}

/* Everything in the store, as canonical text (g_free()). */
static char *snapshot(void)
{
	json_t *all = json_object(), *items, *parts = json_object();
	int total;
	CHECK_EQ_INT(rtk_store_meeting_list(store, 0, -1, &items, &total), RTK_STORE_OK);
	size_t i;
	json_t *m;
	json_array_foreach(items, i, m) {
		json_t *p;
		int n;
		const char *id = str_of(m, "id");
		CHECK_EQ_INT(rtk_store_participant_list(store, id, 0, -1, &p, &n), RTK_STORE_OK);
		json_object_set_new(parts, id, p);
	}
	json_object_set_new(all, "meetings", items);
	json_object_set_new(all, "participants", parts);
	CHECK_EQ_INT(rtk_store_preset_list(store, 0, -1, &items, &total), RTK_STORE_OK);
	json_object_set_new(all, "presets", items);
	CHECK_EQ_INT(rtk_store_webhook_list(store, 0, -1, &items, &total), RTK_STORE_OK);
	json_object_set_new(all, "webhooks", items);
	CHECK_EQ_INT(rtk_store_plugin_list(store, 0, -1, &items, &total), RTK_STORE_OK);
	json_object_set_new(all, "plugins", items);
	char *text = json_dumps(all, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(all);
	char *copy = g_strdup(text);
	free(text);
	return copy;
}

/* A bad request: expected status, a word the message must contain, and
 * nothing stored may change. */
static void expect_refusal(const char *method, const char *path, const char *query,
	const char *body, int status, const char *needle)
{
	char *before = snapshot();
	json_t *root;
	int got = request(method, path, query, body, &root);
	if (got != status)
		fprintf(stderr, "\t%s %s ?%s body=%s\n", method, path, query ? query : "", body ? body : "");
	CHECK_EQ_INT(got, status);
	const char *message = error_message(root);
	if (needle && (message == NULL || strstr(message, needle) == NULL)) {
		fprintf(stderr, "\tmessage '%s' lacks '%s' (%s %s body=%s)\n", message ? message : "",
			needle, method, path, body ? body : "");
		CHECK(!"error message names the problem");
	}
	char *after = snapshot();
	CHECK_EQ_STR(after, before);
	g_free(before);
	g_free(after);
	json_decref(root);
}

static void create_meeting(const char *body)
{
	json_t *root;
	CHECK_EQ_INT(request("POST", "/v2/meetings", NULL, body, &root), 201);
	g_strlcpy(meeting_id, str_of(data_of(root), "id") ? str_of(data_of(root), "id") : "", sizeof meeting_id);
	json_decref(root);
}

static void create_participant(const char *body)
{
	json_t *root;
	CHECK_EQ_INT(request("POST", "/v2/meetings/{M}/participants", NULL, body, &root), 201);
	const char *id = str_of(data_of(root), "id");
	g_strlcpy(participant_id, id ? id : "", sizeof participant_id);
	json_decref(root);
}

static json_t *default_preset(const char *name)
{
	json_t *all = rtk_presets_default(), *found = NULL;
	size_t i;
	json_t *p;
	json_array_foreach(all, i, p)
		if (strcmp(str_of(p, "name"), name) == 0)
			found = json_incref(p);
	json_decref(all);
	return found;
}

/* ---- Authentication ---- */

static void test_auth(void)
{
	char *basic_raw = g_base64_encode((const guchar *)ORG_ID ":" API_KEY, strlen(ORG_ID ":" API_KEY));
	char *basic = g_strdup_printf("Basic %s", basic_raw);
	char *wrong_org_raw = g_base64_encode((const guchar *)"other:" API_KEY, strlen("other:" API_KEY));
	char *wrong_org = g_strdup_printf("Basic %s", wrong_org_raw);
	char *wrong_key_raw = g_base64_encode((const guchar *)ORG_ID ":nope", strlen(ORG_ID ":nope"));
	char *wrong_key = g_strdup_printf("Basic %s", wrong_key_raw);
	char *no_colon_raw = g_base64_encode((const guchar *)API_KEY, strlen(API_KEY));
	char *no_colon = g_strdup_printf("Basic %s", no_colon_raw);

	CHECK_EQ_INT(request_full("GET", "/v2/meetings", NULL, basic, NULL, 0, NULL), 200);
	CHECK_EQ_INT(request_full("GET", "/v2/meetings", NULL, bearer, NULL, 0, NULL), 200);
	CHECK_EQ_INT(request_full("GET", "/v2/meetings", NULL, "bearer " API_KEY, NULL, 0, NULL), 200);

	const char *refused[] = {
		NULL, "", "Bearer", "Bearer ", "Bearer wrong", "Bearer " API_KEY "x",
		"Token " API_KEY, API_KEY, "Basic", "Basic !!!!", wrong_org, wrong_key, no_colon,
	};
	char *before = snapshot();
	for (size_t i = 0; i < G_N_ELEMENTS(refused); i++) {
		json_t *root;
		CHECK_EQ_INT(request_full("GET", "/v2/meetings", NULL, refused[i], NULL, 0, &root), 401);
		CHECK(strstr(error_message(root) ? error_message(root) : "", "Authorization") != NULL);
		json_decref(root);
		/* Writes are refused too, before anything is read. */
		CHECK_EQ_INT(request_full("POST", "/v2/meetings", NULL, refused[i], "{}", 2, NULL), 401);
		CHECK_EQ_INT(request_full("GET", "/v2/nowhere", NULL, refused[i], NULL, 0, NULL), 401);
	}
	char *after = snapshot();
	CHECK_EQ_STR(after, before);
	g_free(before);
	g_free(after);

	/* An empty API key never authenticates, not even with an empty secret. */
	rtk_rest_ctx saved = ctx;
	ctx.api_key = "";
	CHECK_EQ_INT(request_full("GET", "/v2/meetings", NULL, "Bearer ", NULL, 0, NULL), 401);
	ctx = saved;

	g_free(basic_raw); g_free(basic);
	g_free(wrong_org_raw); g_free(wrong_org);
	g_free(wrong_key_raw); g_free(wrong_key);
	g_free(no_colon_raw); g_free(no_colon);
}

/* ---- Meetings ---- */

static void test_meeting_create_defaults(void)
{
	json_t *root;
	CHECK_EQ_INT(request("POST", "/v2/meetings", NULL, NULL, &root), 201);
	json_t *m = data_of(root);
	CHECK(rtk_rest_is_uuid(str_of(m, "id") ? str_of(m, "id") : ""));
	CHECK(json_is_null(json_object_get(m, "title")));
	CHECK_EQ_STR(str_of(m, "status"), "ACTIVE");
	CHECK(json_is_false(json_object_get(m, "record_on_start")));
	CHECK(json_is_false(json_object_get(m, "live_stream_on_start")));
	CHECK(json_is_false(json_object_get(m, "persist_chat")));
	CHECK(json_is_false(json_object_get(m, "summarize_on_end")));
	CHECK_NOT_NULL(str_of(m, "created_at"));
	CHECK_NOT_NULL(str_of(m, "updated_at"));
	json_decref(root);

	CHECK_EQ_INT(request("POST", "/v2/meetings", NULL, "{}", NULL), 201);
}

static void test_meeting_crud(void)
{
	json_t *root;
	CHECK_EQ_INT(request("POST", "/v2/meetings", NULL,
		"{\"title\": \"Standup\", \"record_on_start\": true, \"live_stream_on_start\": false,"
		" \"persist_chat\": true, \"summarize_on_end\": true, \"ignored\": 1}", &root), 201);
	json_t *m = data_of(root);
	g_strlcpy(meeting_id, str_of(m, "id"), sizeof meeting_id);
	CHECK_EQ_STR(str_of(m, "title"), "Standup");
	CHECK_EQ_STR(str_of(m, "status"), "ACTIVE");
	CHECK(json_is_true(json_object_get(m, "record_on_start")));
	CHECK(json_is_false(json_object_get(m, "live_stream_on_start")));
	CHECK(json_is_true(json_object_get(m, "persist_chat")));
	CHECK(json_is_true(json_object_get(m, "summarize_on_end")));
	CHECK_NULL(json_object_get(m, "ignored"));
	char *created = json_dumps(m, JSON_SORT_KEYS);
	json_decref(root);

	CHECK_EQ_INT(request("GET", "/v2/meetings/{M}", NULL, NULL, &root), 200);
	char *fetched = json_dumps(data_of(root), JSON_SORT_KEYS);
	CHECK_EQ_STR(fetched, created);
	free(fetched);
	free(created);
	json_decref(root);

	CHECK_EQ_INT(request("PATCH", "/v2/meetings/{M}", NULL,
		"{\"title\": \"Retro\", \"status\": \"INACTIVE\", \"record_on_start\": false}", &root), 200);
	m = data_of(root);
	CHECK_EQ_STR(str_of(m, "id"), meeting_id);
	CHECK_EQ_STR(str_of(m, "title"), "Retro");
	CHECK_EQ_STR(str_of(m, "status"), "INACTIVE");
	CHECK(json_is_false(json_object_get(m, "record_on_start")));
	CHECK(json_is_true(json_object_get(m, "persist_chat")));
	json_decref(root);

	CHECK_EQ_INT(request("PATCH", "/v2/meetings/{M}", NULL, "{\"status\": \"ACTIVE\", \"title\": null}", &root), 200);
	CHECK_EQ_STR(str_of(data_of(root), "status"), "ACTIVE");
	CHECK(json_is_null(json_object_get(data_of(root), "title")));
	json_decref(root);

	/* An empty PATCH changes nothing but is fine. */
	CHECK_EQ_INT(request("PATCH", "/v2/meetings/{M}", NULL, NULL, NULL), 200);
}

static void test_meeting_refusals(void)
{
	create_meeting("{\"title\": \"keep me\"}");
	static const struct {
		const char *method, *path, *body;
		int status;
		const char *needle;
	} cases[] = {
		{ "POST", "/v2/meetings", "{\"title\": 5}", 400, "'title'" },
		{ "POST", "/v2/meetings", "{\"title\": true}", 400, "'title'" },
		{ "POST", "/v2/meetings", "{\"title\": {}}", 400, "'title'" },
		{ "POST", "/v2/meetings", "{\"record_on_start\": \"yes\"}", 400, "'record_on_start'" },
		{ "POST", "/v2/meetings", "{\"transcribe_on_end\": null}", 400, "'transcribe_on_end'" },
		{ "POST", "/v2/meetings", "{\"live_stream_on_start\": 1}", 400, "'live_stream_on_start'" },
		{ "POST", "/v2/meetings", "{\"persist_chat\": []}", 400, "'persist_chat'" },
		{ "POST", "/v2/meetings", "{\"summarize_on_end\": \"true\"}", 400, "'summarize_on_end'" },
		{ "POST", "/v2/meetings", "{", 400, "JSON" },
		{ "POST", "/v2/meetings", "{\"title\": \"a\"} trailing", 400, "JSON" },
		{ "POST", "/v2/meetings", "{\"title\": \"a\", \"title\": \"b\"}", 400, "JSON" },
		{ "POST", "/v2/meetings", "[1, 2]", 400, "object" },
		{ "POST", "/v2/meetings", "5", 400, "object" },
		{ "POST", "/v2/meetings", "\"title\"", 400, "object" },
		{ "POST", "/v2/meetings", "null", 400, "object" },
		{ "POST", "/v2/meetings", "not json", 400, "JSON" },
		{ "PATCH", "/v2/meetings/{M}", "{\"status\": \"DONE\"}", 400, "'status'" },
		{ "PATCH", "/v2/meetings/{M}", "{\"status\": \"active\"}", 400, "ACTIVE, INACTIVE" },
		{ "PATCH", "/v2/meetings/{M}", "{\"status\": null}", 400, "'status'" },
		{ "PATCH", "/v2/meetings/{M}", "{\"status\": 1}", 400, "'status'" },
		{ "PATCH", "/v2/meetings/{M}", "{\"title\": 1.5}", 400, "'title'" },
		{ "PATCH", "/v2/meetings/{M}", "{\"title\": \"ok\", \"persist_chat\": 0}", 400, "'persist_chat'" },
		{ "PATCH", "/v2/meetings/{M}", "[]", 400, "object" },
		{ "PATCH", "/v2/meetings/" NO_SUCH_ID, "{\"title\": \"x\"}", 404, NO_SUCH_ID },
		{ "PATCH", "/v2/meetings/not-a-uuid", "{\"title\": \"x\"}", 404, "not-a-uuid" },
		{ "GET", "/v2/meetings/" NO_SUCH_ID, NULL, 404, "meeting" },
		{ "GET", "/v2/meetings/12345", NULL, 404, "meeting" },
		{ "GET", "/v2/meetings/{M}x", NULL, 404, "meeting" },
		{ "GET", "/v2/meetings/%00", NULL, 404, NULL },
		{ "DELETE", "/v2/meetings/{M}", NULL, 405, "GET, PATCH" },
		{ "DELETE", "/v2/meetings/{M}", NULL, 405, "GET, PATCH, PUT" },
		{ "DELETE", "/v2/meetings", NULL, 405, "POST" },
		{ "PATCH", "/v2/meetings", "{}", 405, "GET" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
		expect_refusal(cases[i].method, cases[i].path, NULL, cases[i].body, cases[i].status, cases[i].needle);

	/* The meeting is still as it was. */
	json_t *root;
	CHECK_EQ_INT(request("GET", "/v2/meetings/{M}", NULL, NULL, &root), 200);
	CHECK_EQ_STR(str_of(data_of(root), "title"), "keep me");
	CHECK_EQ_STR(str_of(data_of(root), "status"), "ACTIVE");
	json_decref(root);

	/* A title longer than the limit. */
	char *big = g_strdup_printf("{\"title\": \"%0*d\"}", 2000, 0);
	expect_refusal("POST", "/v2/meetings", NULL, big, 400, "'title'");
	g_free(big);
}

/* ---- Routing, prefixes, bodies ---- */

static void test_routes(void)
{
	create_meeting("{\"title\": \"routes\"}");
	json_t *root;
	CHECK_EQ_INT(request("GET", "/v2/meetings/", NULL, NULL, NULL), 200);
	CHECK_EQ_INT(request("GET", "/v2/meetings/{M}/", NULL, NULL, NULL), 200);
	CHECK_EQ_INT(request("GET", "/v2//meetings", NULL, NULL, NULL), 200);

	/* The Cloudflare path form reaches the same handlers. */
	CHECK_EQ_INT(request("GET", "/accounts/abc/realtime/kit/def/meetings", NULL, NULL, &root), 200);
	CHECK(json_is_array(data_of(root)));
	CHECK(json_is_object(json_object_get(root, "paging")));
	json_decref(root);
	CHECK_EQ_INT(request("GET", "/accounts/abc/realtime/kit/def/meetings/{M}", NULL, NULL, &root), 200);
	CHECK_EQ_STR(str_of(data_of(root), "title"), "routes");
	json_decref(root);
	CHECK_EQ_INT(request("POST", "/accounts/abc/realtime/kit/def/meetings", NULL,
		"{\"title\": \"cf\"}", &root), 201);
	CHECK_EQ_STR(str_of(data_of(root), "title"), "cf");
	json_decref(root);
	CHECK_EQ_INT(request("GET", "/accounts/abc/realtime/kit/def/presets", NULL, NULL, NULL), 200);
	CHECK_EQ_INT(request("GET", "/accounts/abc/realtime/kit/def/meetings/{M}/participants", NULL, NULL, NULL), 200);

	static const struct {
		const char *method, *path;
		int status;
	} cases[] = {
		{ "GET", "/", 404 }, { "GET", "", 404 }, { "GET", "/v2", 404 }, { "GET", "/v2/", 404 },
		{ "GET", "/v3/meetings", 404 }, { "GET", "/v2/nope", 404 }, { "GET", "/meetings", 404 },
		{ "GET", "/v2/meetings/{M}/nope", 404 }, { "GET", "/v2/meetings/{M}/participants/{M}/x/y", 404 },
		{ "GET", "/accounts/abc/realtime/kit/meetings", 404 },
		{ "GET", "/accounts/abc/realtime/kit", 404 },
		{ "GET", "/accounts/abc/other/kit/def/meetings", 404 },
		{ "GET", "/v2/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t", 404 },
		{ "BREW", "/v2/meetings", 405 }, { "HEAD", "/v2/presets", 405 }, { "", "/v2/presets", 405 },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
		expect_refusal(cases[i].method, cases[i].path, NULL, NULL, cases[i].status, NULL);

	/* Oversized body: 413, nothing parsed or stored. */
	size_t big_len = RTK_REST_MAX_BODY + 1;
	char *big = malloc(big_len);
	memset(big, ' ', big_len);
	big[0] = '{';
	big[big_len - 1] = '}';
	char *before = snapshot();
	CHECK_EQ_INT(request_full("POST", "/v2/meetings", NULL, bearer, big, big_len, NULL), 413);
	char *after = snapshot();
	CHECK_EQ_STR(after, before);
	g_free(before);
	g_free(after);
	/* Exactly the limit is accepted. */
	CHECK_EQ_INT(request_full("POST", "/v2/meetings", NULL, bearer, big, big_len - 1, NULL), 400);
	big[big_len - 2] = '}';
	CHECK_EQ_INT(request_full("POST", "/v2/meetings", NULL, bearer, big, big_len - 1, NULL), 201);
	free(big);

	/* A body on a GET is ignored; a body with a NUL inside is refused. */
	CHECK_EQ_INT(request("GET", "/v2/meetings/{M}", NULL, "garbage", NULL), 200);
	CHECK_EQ_INT(request_full("POST", "/v2/meetings", NULL, bearer, "{\"title\":\"a\0b\"}", 15, NULL), 400);
	/* Invalid UTF-8 in a body is malformed JSON. */
	CHECK_EQ_INT(request("POST", "/v2/meetings", NULL, "{\"title\": \"\xff\xfe\"}", NULL), 400);
	/* Echoed ids with invalid UTF-8 still make a valid reply. */
	CHECK_EQ_INT(request("GET", "/v2/meetings/\xff\xfe\xc3", NULL, NULL, NULL), 404);
}

/* ---- Paging and the query string ---- */

static void check_paging(json_t *root, int count, int total, int start, int end)
{
	json_t *paging = json_object_get(root, "paging");
	CHECK_EQ_INT(json_array_size(data_of(root)), count);
	CHECK_EQ_INT(json_integer_value(json_object_get(paging, "total_count")), total);
	CHECK_EQ_INT(json_integer_value(json_object_get(paging, "start_offset")), start);
	CHECK_EQ_INT(json_integer_value(json_object_get(paging, "end_offset")), end);
}

static void test_paging(void)
{
	create_meeting("{\"title\": \"paging\"}");
	for (int i = 0; i < 25; i++) {
		char body[128];
		snprintf(body, sizeof body, "{\"name\": \"p%d\", \"preset_name\": "
			"\"group_call_participant\", \"custom_participant_id\": \"c%d\"}", i, i);
		create_participant(body);
	}
	json_t *root;
	const char *path = "/v2/meetings/{M}/participants";
	CHECK_EQ_INT(request("GET", path, NULL, NULL, &root), 200);
	check_paging(root, 20, 25, 1, 20);
	CHECK_EQ_STR(str_of(json_array_get(data_of(root), 0), "name"), "p0");
	json_decref(root);
	CHECK_EQ_INT(request("GET", path, "page_no=2", NULL, &root), 200);
	check_paging(root, 5, 25, 21, 25);
	CHECK_EQ_STR(str_of(json_array_get(data_of(root), 0), "name"), "p20");
	json_decref(root);
	CHECK_EQ_INT(request("GET", path, "page_no=3&per_page=10", NULL, &root), 200);
	check_paging(root, 5, 25, 21, 25);
	json_decref(root);
	CHECK_EQ_INT(request("GET", path, "per_page=100", NULL, &root), 200);
	check_paging(root, 25, 25, 1, 25);
	json_decref(root);
	CHECK_EQ_INT(request("GET", path, "per_page=1&page_no=7", NULL, &root), 200);
	check_paging(root, 1, 25, 7, 7);
	CHECK_EQ_STR(str_of(json_array_get(data_of(root), 0), "name"), "p6");
	json_decref(root);
	CHECK_EQ_INT(request("GET", path, "page_no=9", NULL, &root), 200);
	check_paging(root, 0, 25, 0, 0);
	json_decref(root);
	CHECK_EQ_INT(request("GET", path, "page_no=10000000&per_page=100", NULL, &root), 200);
	check_paging(root, 0, 25, 0, 0);
	json_decref(root);
	/* Percent-encoding, '+', unknown parameters, the last value wins. */
	CHECK_EQ_INT(request("GET", path, "per%5Fpage=%35&x=a+b&&flag", NULL, &root), 200);
	check_paging(root, 5, 25, 1, 5);
	json_decref(root);
	CHECK_EQ_INT(request("GET", path, "per_page=3&per_page=2", NULL, &root), 200);
	check_paging(root, 2, 25, 1, 2);
	json_decref(root);
	CHECK_EQ_INT(request("GET", path, "", NULL, &root), 200);
	check_paging(root, 20, 25, 1, 20);
	json_decref(root);

	static const struct {
		const char *query;
		int status;
		const char *needle;
	} bad[] = {
		{ "per_page=0", 422, "'per_page'" }, { "per_page=101", 422, "'per_page'" },
		{ "per_page=-1", 422, "'per_page'" }, { "per_page=abc", 422, "'per_page'" },
		{ "per_page=", 422, "'per_page'" }, { "per_page=1.5", 422, "'per_page'" },
		{ "per_page=+5", 422, "'per_page'" }, { "per_page=99999999999999999999", 422, "'per_page'" },
		{ "page_no=0", 422, "'page_no'" }, { "page_no=-3", 422, "'page_no'" },
		{ "page_no=x", 422, "'page_no'" }, { "page_no=10000001", 422, "'page_no'" },
		{ "page_no", 422, "'page_no'" },
		{ "per_page=%zz", 400, "query" }, { "per_page=%4", 400, "query" }, { "%", 400, "query" },
		{ "a=%00", 400, "query" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		expect_refusal("GET", path, bad[i].query, NULL, bad[i].status, bad[i].needle);
		expect_refusal("GET", "/v2/meetings", bad[i].query, NULL, bad[i].status, bad[i].needle);
		expect_refusal("GET", "/v2/presets", bad[i].query, NULL, bad[i].status, bad[i].needle);
	}
	/* The query is parsed on every route: malformed is 400 even on a POST. */
	expect_refusal("POST", "/v2/meetings", "%g0", "{}", 400, "query");

	/* Meetings: newest first. */
	CHECK_EQ_INT(request("GET", "/v2/meetings", "per_page=1", NULL, &root), 200);
	CHECK_EQ_STR(str_of(json_array_get(data_of(root), 0), "title"), "paging");
	json_decref(root);
}

static void test_query_parser(void)
{
	const char *error = NULL;
	rtk_rest_query *q = rtk_rest_query_parse("a=1&b=x%20y+z&c&=v&a=2&%41=%42", 30, &error);
	CHECK_NOT_NULL(q);
	if (q) {
		CHECK_EQ_INT(rtk_rest_query_count(q), 6);
		CHECK_EQ_STR(rtk_rest_query_get(q, "a"), "2");
		CHECK_EQ_STR(rtk_rest_query_get(q, "b"), "x y z");
		CHECK_EQ_STR(rtk_rest_query_get(q, "c"), "");
		CHECK_EQ_STR(rtk_rest_query_get(q, ""), "v");
		CHECK_EQ_STR(rtk_rest_query_get(q, "A"), "B");
		CHECK_NULL(rtk_rest_query_get(q, "d"));
		const char *name, *value;
		rtk_rest_query_nth(q, 0, &name, &value);
		CHECK_EQ_STR(name, "a");
		CHECK_EQ_STR(value, "1");
	}
	rtk_rest_query_free(q);

	/* The length bounds the input: nothing past it is read. */
	q = rtk_rest_query_parse("a=1&b=2", 3, &error);
	CHECK(q != NULL && rtk_rest_query_count(q) == 1 && rtk_rest_query_get(q, "b") == NULL);
	rtk_rest_query_free(q);
	q = rtk_rest_query_parse(NULL, 0, &error);
	CHECK(q != NULL && rtk_rest_query_count(q) == 0);
	rtk_rest_query_free(q);
	q = rtk_rest_query_parse("a=%4", 4, &error);
	CHECK_NULL(q);
	CHECK_NOT_NULL(error);

	GString *many = g_string_new(NULL);
	for (int i = 0; i < RTK_REST_QUERY_MAX_PARAMS + 1; i++)
		g_string_append_printf(many, "p%d=%d&", i, i);
	q = rtk_rest_query_parse(many->str, many->len, &error);
	CHECK_NULL(q);
	g_string_free(many, TRUE);

	char *d = rtk_rest_percent_decode("%e2%82%AC+%2B", 13);
	CHECK_EQ_STR(d, "\xe2\x82\xac +");
	free(d);
	CHECK_NULL(rtk_rest_percent_decode("%", 1));
	CHECK_NULL(rtk_rest_percent_decode("ab%0", 4));
	CHECK_NULL(rtk_rest_percent_decode("%00", 3));
	CHECK_NULL(rtk_rest_percent_decode("a\0b", 3));

	CHECK(rtk_rest_is_uuid("0b5c1a7e-2d2c-4b8e-9a57-3f1b2c3d4e5f"));
	CHECK(rtk_rest_is_uuid("0B5C1A7E-2D2C-4B8E-9A57-3F1B2C3D4E5F"));
	CHECK(!rtk_rest_is_uuid("0b5c1a7e-2d2c-4b8e-9a57-3f1b2c3d4e5"));
	CHECK(!rtk_rest_is_uuid("0b5c1a7e-2d2c-4b8e-9a57-3f1b2c3d4e5ff"));
	CHECK(!rtk_rest_is_uuid("0b5c1a7e+2d2c-4b8e-9a57-3f1b2c3d4e5f"));
	CHECK(!rtk_rest_is_uuid("0b5c1a7g-2d2c-4b8e-9a57-3f1b2c3d4e5f"));
	CHECK(!rtk_rest_is_uuid(""));
}

/* ---- Default presets ---- */

static const char *const permission_keys[] = {
	"accept_waiting_requests", "can_accept_production_requests", "can_change_participant_permissions",
	"can_edit_display_name", "can_livestream", "can_record", "can_spotlight",
	"disable_participant_audio", "disable_participant_video", "disable_participant_screensharing",
	"kick_participant", "pin_participant", "hidden_participant", "show_participant_list",
	"is_recorder", "recorder_type", "waiting_room_type", "plugins", "polls", "media", "chat",
	"connected_meetings", "stage_enabled", "stage_access", "accept_stage_requests",
};

static const char *const host_controls[] = {
	"accept_waiting_requests", "can_accept_production_requests", "can_change_participant_permissions",
	"can_spotlight", "disable_participant_audio", "disable_participant_video",
	"disable_participant_screensharing", "kick_participant", "pin_participant", "accept_stage_requests",
};

static const char *perm_str(json_t *preset, const char *path)
{
	json_t *v = json_object_get(preset, "permissions");
	char **parts = g_strsplit(path, ".", 0);
	for (char **p = parts; *p; p++)
		v = json_object_get(v, *p);
	g_strfreev(parts);
	return json_is_string(v) ? json_string_value(v) : json_is_true(v) ? "true" : json_is_false(v) ? "false" : NULL;
}

static void check_host_controls(json_t *p, const char *expected)
{
	for (size_t i = 0; i < G_N_ELEMENTS(host_controls); i++) {
		const char *v = perm_str(p, host_controls[i]);
		if (v == NULL || strcmp(v, expected) != 0)
			fprintf(stderr, "\t%s: %s is %s\n", str_of(p, "name"), host_controls[i], v ? v : "(missing)");
		CHECK_EQ_STR(v, expected);
	}
}

static void check_produce(json_t *p, const char *audio, const char *video, const char *screenshare)
{
	CHECK_EQ_STR(perm_str(p, "media.audio.can_produce"), audio);
	CHECK_EQ_STR(perm_str(p, "media.video.can_produce"), video);
	CHECK_EQ_STR(perm_str(p, "media.screenshare.can_produce"), screenshare);
}

static void test_default_presets_shape(void)
{
	static const char *const names[] = {
		"group_call_host", "group_call_participant", "webinar_presenter",
		"webinar_viewer", "livestream_host", "livestream_viewer",
	};
	json_t *all = rtk_presets_default();
	CHECK_EQ_INT(json_array_size(all), 6);
	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		json_t *p = json_array_get(all, i);
		CHECK_EQ_STR(str_of(p, "name"), names[i]);
		json_t *config = json_object_get(p, "config"), *perms = json_object_get(p, "permissions");
		CHECK(json_is_string(json_object_get(config, "view_type")));
		CHECK(json_is_integer(json_object_get(json_object_get(config, "max_video_streams"), "mobile")));
		CHECK(json_is_integer(json_object_get(json_object_get(config, "max_video_streams"), "desktop")));
		CHECK(json_is_integer(json_object_get(config, "max_screenshare_count")));
		json_t *media = json_object_get(config, "media");
		CHECK(json_is_boolean(json_object_get(json_object_get(media, "audio"), "enable_stereo")));
		CHECK(json_is_boolean(json_object_get(json_object_get(media, "audio"), "enable_high_bitrate")));
		CHECK(json_is_string(json_object_get(json_object_get(media, "video"), "quality")));
		CHECK(json_is_integer(json_object_get(json_object_get(media, "video"), "frame_rate")));
		CHECK(json_is_string(json_object_get(json_object_get(media, "screenshare"), "quality")));
		CHECK(json_is_integer(json_object_get(json_object_get(media, "screenshare"), "frame_rate")));
		for (size_t k = 0; k < G_N_ELEMENTS(permission_keys); k++) {
			if (!json_object_get(perms, permission_keys[k]))
				fprintf(stderr, "\t%s lacks permissions.%s\n", names[i], permission_keys[k]);
			CHECK_NOT_NULL(json_object_get(perms, permission_keys[k]));
		}
		static const char *const bools[] = {
			"plugins.can_start", "plugins.can_close", "plugins.can_edit_config",
			"polls.can_create", "polls.can_vote", "polls.can_view",
			"chat.public.can_send", "chat.public.text", "chat.public.files",
			"chat.private.can_send", "chat.private.can_receive", "chat.private.text", "chat.private.files",
			"connected_meetings.can_alter_connected_meetings",
			"connected_meetings.can_switch_connected_meetings",
			"connected_meetings.can_switch_to_parent_meeting",
		};
		for (size_t k = 0; k < G_N_ELEMENTS(bools); k++) {
			const char *v = perm_str(p, bools[k]);
			CHECK(v != NULL && (strcmp(v, "true") == 0 || strcmp(v, "false") == 0));
		}
		CHECK(json_is_object(json_object_get(json_object_get(perms, "plugins"), "config")));
		CHECK_EQ_STR(perm_str(p, "recorder_type"), "NONE");
		CHECK_EQ_STR(perm_str(p, "is_recorder"), "false");
		CHECK_EQ_STR(perm_str(p, "waiting_room_type"), "SKIP");
		CHECK(json_is_object(json_object_get(json_object_get(p, "ui"), "design_tokens")));
	}
	json_decref(all);
}

static void test_default_presets_behaviour(void)
{
	json_t *p = default_preset("group_call_host");
	CHECK_EQ_STR(str_of(json_object_get(p, "config"), "view_type"), "GROUP_CALL");
	check_host_controls(p, "true");
	check_produce(p, "ALLOWED", "ALLOWED", "ALLOWED");
	CHECK_EQ_STR(perm_str(p, "can_record"), "true");
	CHECK_EQ_STR(perm_str(p, "can_livestream"), "true");
	CHECK_EQ_STR(perm_str(p, "stage_enabled"), "false");
	json_decref(p);

	p = default_preset("group_call_participant");
	CHECK_EQ_STR(str_of(json_object_get(p, "config"), "view_type"), "GROUP_CALL");
	check_host_controls(p, "false");
	check_produce(p, "ALLOWED", "ALLOWED", "ALLOWED");
	CHECK_EQ_STR(perm_str(p, "can_record"), "false");
	CHECK_EQ_STR(perm_str(p, "can_livestream"), "false");
	CHECK_EQ_STR(perm_str(p, "chat.public.can_send"), "true");
	json_decref(p);

	p = default_preset("webinar_presenter");
	CHECK_EQ_STR(str_of(json_object_get(p, "config"), "view_type"), "WEBINAR");
	check_host_controls(p, "true");
	check_produce(p, "ALLOWED", "ALLOWED", "ALLOWED");
	CHECK_EQ_STR(perm_str(p, "stage_enabled"), "true");
	CHECK_EQ_STR(perm_str(p, "stage_access"), "ALLOWED");
	json_decref(p);

	p = default_preset("webinar_viewer");
	CHECK_EQ_STR(str_of(json_object_get(p, "config"), "view_type"), "WEBINAR");
	check_host_controls(p, "false");
	check_produce(p, "CAN_REQUEST", "CAN_REQUEST", "NOT_ALLOWED");
	CHECK_EQ_STR(perm_str(p, "stage_enabled"), "true");
	CHECK_EQ_STR(perm_str(p, "stage_access"), "CAN_REQUEST");
	CHECK_EQ_STR(perm_str(p, "polls.can_create"), "false");
	CHECK_EQ_STR(perm_str(p, "polls.can_vote"), "true");
	CHECK_EQ_STR(perm_str(p, "can_record"), "false");
	json_decref(p);

	p = default_preset("livestream_host");
	CHECK_EQ_STR(str_of(json_object_get(p, "config"), "view_type"), "LIVESTREAM");
	check_host_controls(p, "true");
	check_produce(p, "ALLOWED", "ALLOWED", "ALLOWED");
	CHECK_EQ_STR(perm_str(p, "stage_enabled"), "true");
	CHECK_EQ_STR(perm_str(p, "stage_access"), "ALLOWED");
	CHECK_EQ_STR(perm_str(p, "can_livestream"), "true");
	json_decref(p);

	p = default_preset("livestream_viewer");
	CHECK_EQ_STR(str_of(json_object_get(p, "config"), "view_type"), "LIVESTREAM");
	check_host_controls(p, "false");
	check_produce(p, "NOT_ALLOWED", "NOT_ALLOWED", "NOT_ALLOWED");
	CHECK_EQ_STR(perm_str(p, "stage_enabled"), "true");
	CHECK_EQ_STR(perm_str(p, "stage_access"), "NOT_ALLOWED");
	CHECK_EQ_STR(perm_str(p, "chat.public.can_send"), "true");
	CHECK_EQ_STR(perm_str(p, "chat.public.text"), "true");
	CHECK_EQ_STR(perm_str(p, "can_livestream"), "false");
	json_decref(p);
}

/* ---- Presets ---- */

static void test_preset_list(void)
{
	json_t *root;
	CHECK_EQ_INT(request("GET", "/v2/presets", NULL, NULL, &root), 200);
	check_paging(root, 6, 6, 1, 6);
	json_t *first = json_array_get(data_of(root), 0);
	CHECK_EQ_STR(str_of(first, "name"), "group_call_host");
	CHECK(rtk_rest_is_uuid(str_of(first, "id") ? str_of(first, "id") : ""));
	CHECK_NOT_NULL(str_of(first, "created_at"));
	CHECK_NOT_NULL(str_of(first, "updated_at"));
	json_decref(root);
	CHECK_EQ_INT(request("GET", "/v2/presets", "per_page=4&page_no=2", NULL, &root), 200);
	check_paging(root, 2, 6, 5, 6);
	CHECK_EQ_STR(str_of(json_array_get(data_of(root), 1), "name"), "livestream_viewer");
	json_decref(root);
}

static void test_preset_crud(void)
{
	json_t *root;
	json_t *tmpl = default_preset("group_call_participant");

	/* Only a name: config and permissions come from group_call_participant. */
	CHECK_EQ_INT(request("POST", "/v2/presets", NULL, "{\"name\": \"minimal\"}", &root), 201);
	json_t *p = data_of(root);
	g_strlcpy(preset_id, str_of(p, "id") ? str_of(p, "id") : "", sizeof preset_id);
	CHECK(rtk_rest_is_uuid(preset_id));
	CHECK_EQ_STR(str_of(p, "name"), "minimal");
	CHECK(json_equal(json_object_get(p, "config"), json_object_get(tmpl, "config")));
	CHECK(json_equal(json_object_get(p, "permissions"), json_object_get(tmpl, "permissions")));
	CHECK(json_equal(json_object_get(p, "ui"), json_object_get(tmpl, "ui")));
	CHECK_NOT_NULL(str_of(p, "created_at"));
	json_decref(root);

	CHECK_EQ_INT(request("GET", "/v2/presets/{S}", NULL, NULL, &root), 200);
	CHECK_EQ_STR(str_of(data_of(root), "name"), "minimal");
	json_decref(root);

	/* Partial documents merge onto the defaults; unknown keys are kept. */
	CHECK_EQ_INT(request("POST", "/v2/presets", NULL,
		"{\"name\": \"recorder-ish\", \"config\": {\"view_type\": \"WEBINAR\", \"extra\": [1]},"
		" \"permissions\": {\"can_record\": true, \"media\": {\"video\": {\"can_produce\": \"CAN_REQUEST\"}}},"
		" \"ui\": {\"design_tokens\": {\"theme\": \"light\"}}}", &root), 201);
	p = data_of(root);
	CHECK_EQ_STR(str_of(json_object_get(p, "config"), "view_type"), "WEBINAR");
	CHECK_NOT_NULL(json_object_get(json_object_get(p, "config"), "extra"));
	CHECK_NOT_NULL(json_object_get(json_object_get(p, "config"), "max_video_streams"));
	CHECK_EQ_STR(perm_str(p, "can_record"), "true");
	CHECK_EQ_STR(perm_str(p, "media.video.can_produce"), "CAN_REQUEST");
	CHECK_EQ_STR(perm_str(p, "media.audio.can_produce"), "ALLOWED");
	CHECK_EQ_STR(perm_str(p, "waiting_room_type"), "SKIP");
	CHECK_EQ_STR(str_of(json_object_get(json_object_get(p, "ui"), "design_tokens"), "theme"), "light");
	json_decref(root);

	/* Rename, and merge one permission into the stored ones. */
	CHECK_EQ_INT(request("PATCH", "/v2/presets/{S}", NULL,
		"{\"name\": \"renamed\", \"permissions\": {\"kick_participant\": true, \"stage_access\": \"CAN_REQUEST\"}}",
		&root), 200);
	p = data_of(root);
	CHECK_EQ_STR(str_of(p, "id"), preset_id);
	CHECK_EQ_STR(str_of(p, "name"), "renamed");
	CHECK_EQ_STR(perm_str(p, "kick_participant"), "true");
	CHECK_EQ_STR(perm_str(p, "stage_access"), "CAN_REQUEST");
	CHECK_EQ_STR(perm_str(p, "pin_participant"), "false");
	CHECK(json_equal(json_object_get(p, "config"), json_object_get(tmpl, "config")));
	json_decref(root);

	/* A PATCH of config alone leaves the name and permissions. */
	CHECK_EQ_INT(request("PATCH", "/v2/presets/{S}/", NULL,
		"{\"config\": {\"max_video_streams\": {\"desktop\": 4}}}", &root), 200);
	p = data_of(root);
	CHECK_EQ_STR(str_of(p, "name"), "renamed");
	CHECK_EQ_INT(json_integer_value(json_object_get(json_object_get(json_object_get(p, "config"),
		"max_video_streams"), "desktop")), 4);
	CHECK_EQ_INT(json_integer_value(json_object_get(json_object_get(json_object_get(p, "config"),
		"max_video_streams"), "mobile")), 6);
	CHECK_EQ_STR(perm_str(p, "kick_participant"), "true");
	json_decref(root);

	/* Delete an unused preset: 200 with what it was, then 404. */
	CHECK_EQ_INT(request("POST", "/v2/presets", NULL, "{\"name\": \"doomed\"}", &root), 201);
	char doomed[64];
	g_strlcpy(doomed, str_of(data_of(root), "id"), sizeof doomed);
	json_decref(root);
	char *path = g_strdup_printf("/v2/presets/%s", doomed);
	CHECK_EQ_INT(request("DELETE", path, NULL, NULL, &root), 200);
	CHECK_EQ_STR(str_of(data_of(root), "name"), "doomed");
	json_decref(root);
	CHECK_EQ_INT(request("GET", path, NULL, NULL, NULL), 404);
	CHECK_EQ_INT(request("DELETE", path, NULL, NULL, NULL), 404);
	/* The name is free again. */
	CHECK_EQ_INT(request("POST", "/v2/presets", NULL, "{\"name\": \"doomed\"}", NULL), 201);
	g_free(path);
	json_decref(tmpl);
}

static void test_preset_refusals(void)
{
	static const struct {
		const char *method, *path, *body;
		int status;
		const char *needle;
	} cases[] = {
		{ "POST", "/v2/presets", "{}", 400, "'name'" },
		{ "POST", "/v2/presets", "{\"name\": \"\"}", 400, "'name'" },
		{ "POST", "/v2/presets", "{\"name\": 5}", 400, "'name'" },
		{ "POST", "/v2/presets", "{\"name\": null}", 400, "'name'" },
		{ "POST", "/v2/presets", "{\"name\": \"x\", \"config\": \"GROUP_CALL\"}", 400, "'config'" },
		{ "POST", "/v2/presets", "{\"name\": \"x\", \"config\": null}", 400, "'config'" },
		{ "POST", "/v2/presets", "{\"name\": \"x\", \"permissions\": []}", 400, "'permissions'" },
		{ "POST", "/v2/presets", "{\"name\": \"x\", \"ui\": 1}", 400, "'ui'" },
		{ "POST", "/v2/presets", "{\"name\": \"x\", \"config\": {\"view_type\": \"MEETING\"}}",
			400, "'config.view_type'" },
		{ "POST", "/v2/presets", "{\"name\": \"x\", \"config\": {\"view_type\": 1}}", 400, "'config.view_type'" },
		{ "POST", "/v2/presets", "{\"name\": \"x\", \"config\": {\"max_video_streams\": 5}}",
			400, "'config.max_video_streams'" },
		{ "POST", "/v2/presets", "{\"name\": \"x\", \"config\": {\"max_video_streams\": {\"mobile\": -1}}}",
			400, "'config.max_video_streams.mobile'" },
		{ "POST", "/v2/presets", "{\"name\": \"x\", \"config\": {\"max_video_streams\": {\"mobile\": \"6\"}}}",
			400, "'config.max_video_streams.mobile'" },
		{ "POST", "/v2/presets", "{\"name\": \"x\", \"config\": {\"max_screenshare_count\": 1.5}}",
			400, "'config.max_screenshare_count'" },
		{ "POST", "/v2/presets", "{\"name\": \"x\", \"config\": {\"media\": {\"video\": {\"frame_rate\": 0}}}}",
			400, "'config.media.video.frame_rate'" },
		{ "POST", "/v2/presets", "{\"name\": \"x\", \"config\": {\"media\": {\"video\": {\"quality\": \"8k\"}}}}",
			400, "hd, vga, qvga, fhd, uhd" },
		{ "POST", "/v2/presets", "{\"name\": \"x\", \"permissions\": {\"media\": {\"audio\": {\"can_produce\": \"MAYBE\"}}}}",
			400, "'permissions.media.audio.can_produce'" },
		{ "POST", "/v2/presets", "{\"name\": \"x\", \"permissions\": {\"media\": {\"audio\": true}}}",
			400, "'permissions.media.audio'" },
		{ "POST", "/v2/presets", "{\"name\": \"x\", \"permissions\": {\"stage_access\": \"YES\"}}",
			400, "ALLOWED, NOT_ALLOWED, CAN_REQUEST" },
		{ "POST", "/v2/presets", "{\"name\": \"x\", \"permissions\": {\"waiting_room_type\": \"NEVER\"}}",
			400, "'permissions.waiting_room_type'" },
		{ "POST", "/v2/presets", "{\"name\": \"x\", \"permissions\": {\"kick_participant\": \"true\"}}",
			400, "'permissions.kick_participant'" },
		{ "POST", "/v2/presets", "{\"name\": \"x\", \"permissions\": {\"chat\": {\"public\": {\"can_send\": null}}}}",
			400, "'permissions.chat.public.can_send'" },
		{ "POST", "/v2/presets", "{\"name\": \"x\", \"permissions\": {\"recorder_type\": \"ANY\"}}",
			400, "'permissions.recorder_type'" },
		{ "POST", "/v2/presets", "{\"name\": \"group_call_host\"}", 409, "group_call_host" },
		{ "POST", "/v2/presets", "{\"name\": \"renamed\"}", 409, "renamed" },
		{ "POST", "/v2/presets", "{\"name\": \"x\"", 400, "JSON" },
		{ "POST", "/v2/presets", "[]", 400, "object" },
		{ "PATCH", "/v2/presets/{S}", "{\"name\": \"group_call_host\"}", 409, "already exists" },
		{ "PATCH", "/v2/presets/{S}", "{\"name\": \"\"}", 400, "'name'" },
		{ "PATCH", "/v2/presets/{S}", "{\"name\": false}", 400, "'name'" },
		{ "PATCH", "/v2/presets/{S}", "{\"permissions\": {\"can_record\": 1}}", 400, "'permissions.can_record'" },
		{ "PATCH", "/v2/presets/{S}", "{\"name\": \"fine\", \"config\": {\"view_type\": \"X\"}}", 400, "view_type" },
		{ "PATCH", "/v2/presets/{S}", "{\"config\": []}", 400, "'config'" },
		{ "PATCH", "/v2/presets/" NO_SUCH_ID, "{\"name\": \"y\"}", 404, "preset" },
		{ "PATCH", "/v2/presets/" NO_SUCH_ID, "{\"config\": {}}", 404, "preset" },
		{ "GET", "/v2/presets/" NO_SUCH_ID, NULL, 404, "preset" },
		{ "GET", "/v2/presets/minimal", NULL, 404, "preset" },
		{ "DELETE", "/v2/presets/" NO_SUCH_ID, NULL, 404, "preset" },
		{ "DELETE", "/v2/presets/nope", NULL, 404, "preset" },
		{ "DELETE", "/v2/presets", NULL, 405, "GET, POST" },
		{ "POST", "/v2/presets/{S}", "{}", 405, "DELETE" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
		expect_refusal(cases[i].method, cases[i].path, NULL, cases[i].body, cases[i].status, cases[i].needle);

	/* A preset with participants cannot be deleted. */
	create_meeting("{}");
	create_participant("{\"preset_name\": \"renamed\", \"custom_participant_id\": \"u1\"}");
	expect_refusal("DELETE", "/v2/presets/{S}", NULL, NULL, 409, "renamed");
	/* A rename follows through to the participant. */
	json_t *root;
	CHECK_EQ_INT(request("PATCH", "/v2/presets/{S}", NULL, "{\"name\": \"renamed-again\"}", NULL), 200);
	CHECK_EQ_INT(request("GET", "/v2/meetings/{M}/participants/{P}", NULL, NULL, &root), 200);
	CHECK_EQ_STR(str_of(data_of(root), "preset_name"), "renamed-again");
	json_decref(root);
	/* Once the participant is gone, the preset can go. */
	CHECK_EQ_INT(request("DELETE", "/v2/meetings/{M}/participants/{P}", NULL, NULL, NULL), 200);
	CHECK_EQ_INT(request("DELETE", "/v2/presets/{S}", NULL, NULL, NULL), 200);
}

/* ---- Participants ---- */

static void check_token(const char *token, const char *pid, const char *preset_name)
{
	CHECK_NOT_NULL(token);
	if (token == NULL)
		return;
	json_t *claims = NULL;
	CHECK_EQ_INT(rtk_jwt_verify(token, (const unsigned char *)SECRET, strlen(SECRET),
		(long long)time(NULL), &claims), RTK_JWT_OK);
	CHECK_EQ_STR(str_of(claims, "orgId"), ORG_ID);
	CHECK_EQ_STR(str_of(claims, "meetingId"), meeting_id);
	CHECK_EQ_STR(str_of(claims, "participantId"), pid);
	json_t *preset = NULL;
	CHECK_EQ_INT(rtk_store_preset_get_by_name(store, preset_name, &preset), RTK_STORE_OK);
	CHECK_EQ_STR(str_of(claims, "presetId"), str_of(preset, "id"));
	json_decref(preset);
	json_int_t iat = json_integer_value(json_object_get(claims, "iat"));
	json_int_t exp = json_integer_value(json_object_get(claims, "exp"));
	CHECK(llabs((long long)iat - (long long)time(NULL)) <= 5);
	CHECK_EQ_INT(exp - iat, TTL);
	json_decref(claims);
	/* Signed with our secret only. */
	CHECK_EQ_INT(rtk_jwt_verify(token, (const unsigned char *)"other", 5, (long long)time(NULL), NULL),
		RTK_JWT_BAD_SIGNATURE);
}

static void test_participant_crud(void)
{
	create_meeting("{\"title\": \"people\"}");
	json_t *root;
	CHECK_EQ_INT(request("POST", "/v2/meetings/{M}/participants", NULL,
		"{\"name\": \"Ada\", \"picture\": \"https://example.com/ada.png\","
		" \"preset_name\": \"group_call_host\", \"custom_participant_id\": \"ada-1\"}", &root), 201);
	json_t *p = data_of(root);
	g_strlcpy(participant_id, str_of(p, "id") ? str_of(p, "id") : "", sizeof participant_id);
	CHECK(rtk_rest_is_uuid(participant_id));
	CHECK_EQ_STR(str_of(p, "name"), "Ada");
	CHECK_EQ_STR(str_of(p, "picture"), "https://example.com/ada.png");
	CHECK_EQ_STR(str_of(p, "preset_name"), "group_call_host");
	CHECK_EQ_STR(str_of(p, "custom_participant_id"), "ada-1");
	CHECK_NOT_NULL(str_of(p, "created_at"));
	CHECK_NOT_NULL(str_of(p, "updated_at"));
	check_token(str_of(p, "token"), participant_id, "group_call_host");
	json_decref(root);

	/* name and picture are optional; picture may be null. */
	CHECK_EQ_INT(request("POST", "/v2/meetings/{M}/participants", NULL,
		"{\"picture\": null, \"preset_name\": \"webinar_viewer\", \"custom_participant_id\": \"anon\"}",
		&root), 201);
	CHECK(json_is_null(json_object_get(data_of(root), "picture")));
	CHECK(json_is_null(json_object_get(data_of(root), "name")));
	json_decref(root);

	CHECK_EQ_INT(request("GET", "/v2/meetings/{M}/participants/{P}", NULL, NULL, &root), 200);
	CHECK_EQ_STR(str_of(data_of(root), "name"), "Ada");
	CHECK_NULL(json_object_get(data_of(root), "token"));
	json_decref(root);

	CHECK_EQ_INT(request("GET", "/v2/meetings/{M}/participants", NULL, NULL, &root), 200);
	check_paging(root, 2, 2, 1, 2);
	CHECK_EQ_STR(str_of(json_array_get(data_of(root), 0), "id"), participant_id);
	json_decref(root);

	CHECK_EQ_INT(request("PATCH", "/v2/meetings/{M}/participants/{P}", NULL,
		"{\"name\": \"Ada L.\", \"picture\": null, \"preset_name\": \"webinar_presenter\"}", &root), 200);
	p = data_of(root);
	CHECK_EQ_STR(str_of(p, "name"), "Ada L.");
	CHECK(json_is_null(json_object_get(p, "picture")));
	CHECK_EQ_STR(str_of(p, "preset_name"), "webinar_presenter");
	CHECK_EQ_STR(str_of(p, "custom_participant_id"), "ada-1");
	json_decref(root);

	/* A fresh token for the same participant, with the new preset. */
	CHECK_EQ_INT(request("POST", "/v2/meetings/{M}/participants/{P}/token", NULL, NULL, &root), 201);
	check_token(str_of(data_of(root), "token"), participant_id, "webinar_presenter");
	json_decref(root);

	/* The Cloudflare form. */
	CHECK_EQ_INT(request("POST", "/accounts/a/realtime/kit/b/meetings/{M}/participants/{P}/token",
		NULL, NULL, &root), 201);
	check_token(str_of(data_of(root), "token"), participant_id, "webinar_presenter");
	json_decref(root);

	CHECK_EQ_INT(request("DELETE", "/v2/meetings/{M}/participants/{P}", NULL, NULL, &root), 200);
	CHECK_EQ_STR(str_of(data_of(root), "id"), participant_id);
	json_decref(root);
	CHECK_EQ_INT(request("GET", "/v2/meetings/{M}/participants/{P}", NULL, NULL, NULL), 404);
	CHECK_EQ_INT(request("POST", "/v2/meetings/{M}/participants/{P}/token", NULL, NULL, NULL), 404);
	CHECK_EQ_INT(request("DELETE", "/v2/meetings/{M}/participants/{P}", NULL, NULL, NULL), 404);
	CHECK_EQ_INT(request("GET", "/v2/meetings/{M}/participants", NULL, NULL, &root), 200);
	check_paging(root, 1, 1, 1, 1);
	json_decref(root);
}

static void test_participant_refusals(void)
{
	create_meeting("{\"title\": \"refusals\"}");
	create_participant("{\"name\": \"Bob\", \"preset_name\": \"group_call_participant\","
		" \"custom_participant_id\": \"bob\"}");
	char other_meeting[64];
	g_strlcpy(other_meeting, meeting_id, sizeof other_meeting);
	static const struct {
		const char *method, *path, *body;
		int status;
		const char *needle;
	} cases[] = {
		{ "POST", "/v2/meetings/{M}/participants", "{\"custom_participant_id\": \"x\"}", 400, "'preset_name'" },
		{ "POST", "/v2/meetings/{M}/participants", "{\"preset_name\": \"group_call_host\"}",
			400, "'custom_participant_id'" },
		{ "POST", "/v2/meetings/{M}/participants",
			"{\"preset_name\": \"group_call_host\", \"custom_participant_id\": \"\"}", 400, "'custom_participant_id'" },
		{ "POST", "/v2/meetings/{M}/participants",
			"{\"preset_name\": \"group_call_host\", \"custom_participant_id\": 7}", 400, "'custom_participant_id'" },
		{ "POST", "/v2/meetings/{M}/participants",
			"{\"preset_name\": \"no_such_preset\", \"custom_participant_id\": \"x\"}", 400, "no_such_preset" },
		{ "POST", "/v2/meetings/{M}/participants",
			"{\"preset_name\": \"\", \"custom_participant_id\": \"x\"}", 400, "'preset_name'" },
		{ "POST", "/v2/meetings/{M}/participants",
			"{\"preset_name\": [\"group_call_host\"], \"custom_participant_id\": \"x\"}", 400, "'preset_name'" },
		{ "POST", "/v2/meetings/{M}/participants",
			"{\"name\": 5, \"preset_name\": \"group_call_host\", \"custom_participant_id\": \"x\"}", 400, "'name'" },
		{ "POST", "/v2/meetings/{M}/participants",
			"{\"picture\": \"ftp://x/y.png\", \"preset_name\": \"group_call_host\", \"custom_participant_id\": \"x\"}",
			400, "'picture'" },
		{ "POST", "/v2/meetings/{M}/participants",
			"{\"picture\": \"https://\", \"preset_name\": \"group_call_host\", \"custom_participant_id\": \"x\"}",
			400, "'picture'" },
		{ "POST", "/v2/meetings/{M}/participants",
			"{\"picture\": 3, \"preset_name\": \"group_call_host\", \"custom_participant_id\": \"x\"}",
			400, "'picture'" },
		{ "POST", "/v2/meetings/{M}/participants", "{\"preset_name\": ", 400, "JSON" },
		{ "POST", "/v2/meetings/{M}/participants", "\"x\"", 400, "object" },
		{ "POST", "/v2/meetings/" NO_SUCH_ID "/participants",
			"{\"preset_name\": \"group_call_host\", \"custom_participant_id\": \"x\"}", 404, "meeting" },
		{ "POST", "/v2/meetings/zzz/participants",
			"{\"preset_name\": \"group_call_host\", \"custom_participant_id\": \"x\"}", 404, "meeting" },
		{ "GET", "/v2/meetings/" NO_SUCH_ID "/participants", NULL, 404, "meeting" },
		{ "GET", "/v2/meetings/{M}/participants/" NO_SUCH_ID, NULL, 404, "participant" },
		{ "GET", "/v2/meetings/{M}/participants/bob", NULL, 404, "participant" },
		{ "GET", "/v2/meetings/" NO_SUCH_ID "/participants/{P}", NULL, 404, "meeting" },
		{ "PATCH", "/v2/meetings/{M}/participants/{P}", "{\"preset_name\": \"nope\"}", 400, "nope" },
		{ "PATCH", "/v2/meetings/{M}/participants/{P}", "{\"preset_name\": null}", 400, "'preset_name'" },
		{ "PATCH", "/v2/meetings/{M}/participants/{P}", "{\"name\": \"ok\", \"picture\": 1}", 400, "'picture'" },
		{ "PATCH", "/v2/meetings/{M}/participants/{P}", "{\"name\": []}", 400, "'name'" },
		{ "PATCH", "/v2/meetings/{M}/participants/{P}", "1", 400, "object" },
		{ "PATCH", "/v2/meetings/{M}/participants/" NO_SUCH_ID, "{\"name\": \"x\"}", 404, "participant" },
		{ "PATCH", "/v2/meetings/" NO_SUCH_ID "/participants/{P}", "{\"name\": \"x\"}", 404, "meeting" },
		{ "DELETE", "/v2/meetings/{M}/participants/" NO_SUCH_ID, NULL, 404, "participant" },
		{ "DELETE", "/v2/meetings/" NO_SUCH_ID "/participants/{P}", NULL, 404, "meeting" },
		{ "POST", "/v2/meetings/{M}/participants/" NO_SUCH_ID "/token", NULL, 404, "participant" },
		{ "POST", "/v2/meetings/{M}/participants/xyz/token", NULL, 404, "participant" },
		{ "GET", "/v2/meetings/{M}/participants/{P}/token", NULL, 405, "POST" },
		{ "PUT", "/v2/meetings/{M}/participants/{P}", "{}", 405, "DELETE" },
		{ "DELETE", "/v2/meetings/{M}/participants", NULL, 405, "GET, POST" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
		expect_refusal(cases[i].method, cases[i].path, NULL, cases[i].body, cases[i].status, cases[i].needle);

	/* A participant is reached only through its own meeting. */
	create_meeting("{\"title\": \"elsewhere\"}");
	expect_refusal("GET", "/v2/meetings/{M}/participants/{P}", NULL, NULL, 404, "participant");
	expect_refusal("DELETE", "/v2/meetings/{M}/participants/{P}", NULL, NULL, 404, "participant");
	expect_refusal("PATCH", "/v2/meetings/{M}/participants/{P}", NULL, "{\"name\": \"z\"}", 404, "participant");
	g_strlcpy(meeting_id, other_meeting, sizeof meeting_id);

	json_t *root;
	CHECK_EQ_INT(request("GET", "/v2/meetings/{M}/participants/{P}", NULL, NULL, &root), 200);
	CHECK_EQ_STR(str_of(data_of(root), "name"), "Bob");
	CHECK_EQ_STR(str_of(data_of(root), "preset_name"), "group_call_participant");
	json_decref(root);
}

/* ---- Plugins ---- */

/* The plugins of conf/plugins.json seeded once (a bad seed file stops the
 * start, none seeds nothing), CRUD with the envelope, 404 and 422, and the
 * registry copy the Janus plugin reads following every write. */
static void test_plugin_crud(void)
{
	json_t *root;
	char *error = NULL;
	rtk_plugin_registry *registry = rtk_plugin_registry_new();
	ctx.plugins = registry;
	char *seed = g_build_filename(RTK_TOP_SRCDIR, "conf", "plugins.json", NULL);
	char *bad_seed = g_build_filename(g_get_tmp_dir(), "rtk-test-plugins-seed.json", NULL);
	CHECK(g_file_set_contents(bad_seed, "[{\"name\": \"no url\"}]", -1, NULL));
	CHECK_EQ_INT(rtk_plugins_seed(store, NULL, &error), 0);   /* no seed file: nothing */
	CHECK_EQ_INT(rtk_plugins_seed(store, bad_seed, &error), -1);
	CHECK(error != NULL && strstr(error, "string name and url") != NULL);
	free(error);
	error = NULL;
	CHECK_EQ_INT(rtk_plugins_seed(store, "/nonexistent/plugins.json", &error), -1);
	free(error);
	error = NULL;
	unlink(bad_seed);
	g_free(bad_seed);
	CHECK_EQ_INT(rtk_plugins_seed(store, seed, &error), 0);
	CHECK_EQ_INT(rtk_plugins_seed(store, seed, &error), 0);   /* once only */
	g_free(seed);
	CHECK_EQ_INT(rtk_plugin_registry_reload(registry, store), 0);
	CHECK_EQ_INT(request("GET", "/v2/plugins", NULL, NULL, &root), 200);
	json_t *items = data_of(root);
	CHECK_EQ_INT(json_array_size(items), 2);
	CHECK_EQ_STR(str_of(json_array_get(items, 0), "name"), "Whiteboard");
	CHECK_EQ_STR(str_of(json_array_get(items, 0), "url"), "/sdk/plugins/whiteboard/");
	CHECK_EQ_STR(str_of(json_array_get(items, 1), "name"), "Notes");
	CHECK_EQ_INT(json_integer_value(json_object_get(json_object_get(root, "paging"), "total_count")), 2);
	json_decref(root);

	CHECK_EQ_INT(request("POST", "/v2/plugins", NULL,
		"{\"name\": \"Clock\", \"url\": \"https://example.com/clock/\", \"config\": {\"tz\": \"UTC\"}, \"x\": 1}",
		&root), 201);
	json_t *p = data_of(root);
	char id[64];
	g_strlcpy(id, str_of(p, "id") ? str_of(p, "id") : "", sizeof id);
	CHECK(rtk_rest_is_uuid(id));
	CHECK_EQ_STR(str_of(p, "name"), "Clock");
	CHECK(json_is_null(json_object_get(p, "description")));
	CHECK_EQ_STR(str_of(json_object_get(p, "config"), "tz"), "UTC");
	CHECK_NULL(json_object_get(p, "x"));
	json_decref(root);
	json_t *copy = rtk_plugin_registry_get(registry, id);
	CHECK_EQ_STR(str_of(copy, "name"), "Clock");
	json_decref(copy);

	char *path = g_strdup_printf("/v2/plugins/%s", id);
	CHECK_EQ_INT(request("PATCH", path, NULL, "{\"name\": \"World clock\", \"description\": \"tick\"}", &root), 200);
	CHECK_EQ_STR(str_of(data_of(root), "name"), "World clock");
	CHECK_EQ_STR(str_of(data_of(root), "url"), "https://example.com/clock/");
	json_decref(root);
	copy = rtk_plugin_registry_get(registry, id);
	CHECK_EQ_STR(str_of(copy, "description"), "tick");
	json_decref(copy);
	CHECK_EQ_INT(request("GET", path, NULL, NULL, &root), 200);
	CHECK_EQ_STR(str_of(data_of(root), "name"), "World clock");
	json_decref(root);

	/* refusals change nothing */
	static const struct { const char *method; const char *body; const char *names; } bad[] = {
		{ "POST", "{}", "'name'" },
		{ "POST", "{\"name\": \"a\"}", "'url'" },
		{ "POST", "{\"name\": \"\", \"url\": \"/x\"}", "'name'" },
		{ "POST", "{\"name\": \"a\", \"url\": \"javascript:alert(1)\"}", "'url'" },
		{ "POST", "{\"name\": \"a\", \"url\": \"//evil.example/\"}", "'url'" },
		{ "POST", "{\"name\": \"a\", \"url\": \"/x\", \"config\": []}", "'config'" },
		{ "POST", "{\"name\": \"a\", \"url\": \"/x\", \"picture\": \"data:x\"}", "'picture'" },
		{ "PATCH", "{\"url\": 5}", "'url'" },
	};
	char *before = snapshot();
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
		expect_refusal(bad[i].method, !strcmp(bad[i].method, "POST") ? "/v2/plugins" : path, NULL, bad[i].body,
			422, bad[i].names);
	char *after = snapshot();
	CHECK_EQ_STR(after, before);
	g_free(before);
	g_free(after);

	CHECK_EQ_INT(request("DELETE", path, NULL, NULL, &root), 200);
	CHECK_EQ_STR(str_of(data_of(root), "name"), "World clock");
	json_decref(root);
	CHECK_NULL(rtk_plugin_registry_get(registry, id));
	expect_refusal("GET", path, NULL, NULL, 404, "plugin");
	expect_refusal("DELETE", path, NULL, NULL, 404, "plugin");
	expect_refusal("PATCH", path, NULL, "{\"name\": \"x\"}", 404, "plugin");
	CHECK_EQ_INT(request_full("GET", "/v2/plugins", NULL, NULL, NULL, 0, NULL), 401);
	g_free(path);
	ctx.plugins = NULL;
	rtk_plugin_registry_free(registry);
}

/* ---- Webhooks ---- */

static void test_webhook_crud(void)
{
	json_t *root;
	CHECK_EQ_INT(request("POST", "/v2/webhooks", NULL,
		"{\"name\": \"ops\", \"url\": \"http://127.0.0.1:9/hook?k=v\", \"events\": [\"meeting.started\","
		" \"recording.statusUpdate\", \"meeting.started\"], \"secret\": \"mine\", \"ignored\": 1}", &root), 201);
	json_t *w = data_of(root);
	const char *id = str_of(w, "id") ? str_of(w, "id") : "";
	g_strlcpy(webhook_id, id, sizeof webhook_id);
	CHECK(rtk_rest_is_uuid(id));
	CHECK_EQ_STR(str_of(w, "name"), "ops");
	CHECK_EQ_STR(str_of(w, "url"), "http://127.0.0.1:9/hook?k=v");
	CHECK(json_is_true(json_object_get(w, "enabled")));
	/* the secret is the gateway's, never the client's, and shown here only */
	const char *secret = str_of(w, "secret") ? str_of(w, "secret") : "";
	CHECK_EQ_INT(strlen(secret), 64);
	CHECK_EQ_INT(strspn(secret, "0123456789abcdef"), 64);
	char *events = json_dumps(json_object_get(w, "events"), JSON_COMPACT);
	CHECK_EQ_STR(events, "[\"meeting.started\",\"recording.statusUpdate\"]");
	free(events);
	CHECK_NULL(json_object_get(w, "ignored"));
	CHECK_NOT_NULL(str_of(w, "created_at"));
	CHECK_EQ_INT(json_object_size(w), 8);
	json_t *stored = NULL;
	CHECK_EQ_INT(rtk_store_webhook_get(store, webhook_id, &stored), RTK_STORE_OK);
	CHECK_EQ_STR(str_of(stored, "secret"), secret);
	json_object_del(w, "secret");   /* `secret` is gone with it */
	char *created = json_dumps(w, JSON_SORT_KEYS);
	json_decref(root);

	CHECK_EQ_INT(request("GET", "/v2/webhooks/{W}", NULL, NULL, &root), 200);
	char *fetched = json_dumps(data_of(root), JSON_SORT_KEYS);
	CHECK_EQ_STR(fetched, created);
	free(fetched);
	json_decref(root);

	/* enabled false at creation; the Cloudflare prefix */
	CHECK_EQ_INT(request("POST", "/accounts/a/realtime/kit/b/webhooks", NULL,
		"{\"name\": \"off\", \"url\": \"https://example.com/x\", \"events\": [\"meeting.chatSynced\"],"
		" \"enabled\": false}", &root), 201);
	CHECK(json_is_false(json_object_get(data_of(root), "enabled")));
	CHECK(strcmp(str_of(data_of(root), "secret") ? str_of(data_of(root), "secret") : "",
		str_of(stored, "secret")) != 0);
	json_decref(root);

	/* list: oldest first, paged, without secrets */
	CHECK_EQ_INT(request("GET", "/v2/webhooks", "per_page=1", NULL, &root), 200);
	check_paging(root, 1, 2, 1, 1);
	json_t *first = json_array_get(data_of(root), 0);
	CHECK_EQ_STR(str_of(first, "id"), webhook_id);
	CHECK_NULL(json_object_get(first, "secret"));
	json_decref(root);
	CHECK_EQ_INT(request("GET", "/v2/webhooks", "page_no=2&per_page=1", NULL, &root), 200);
	check_paging(root, 1, 2, 2, 2);
	CHECK_EQ_STR(str_of(json_array_get(data_of(root), 0), "name"), "off");
	CHECK_NULL(json_object_get(json_array_get(data_of(root), 0), "secret"));
	json_decref(root);

	/* PATCH: the fields present; the secret does not change */
	CHECK_EQ_INT(request("PATCH", "/v2/webhooks/{W}", NULL,
		"{\"name\": \"ops-2\", \"enabled\": false, \"events\": [\"meeting.ended\"], \"secret\": \"x\"}",
		&root), 200);
	w = data_of(root);
	CHECK_EQ_STR(str_of(w, "name"), "ops-2");
	CHECK(json_is_false(json_object_get(w, "enabled")));
	CHECK_EQ_STR(json_string_value(json_array_get(json_object_get(w, "events"), 0)), "meeting.ended");
	CHECK_EQ_STR(str_of(w, "url"), "http://127.0.0.1:9/hook?k=v");
	CHECK_NULL(json_object_get(w, "secret"));
	json_decref(root);
	json_t *after = NULL;
	CHECK_EQ_INT(rtk_store_webhook_get(store, webhook_id, &after), RTK_STORE_OK);
	CHECK_EQ_STR(str_of(after, "secret"), str_of(stored, "secret"));
	json_decref(after);
	json_decref(stored);
	CHECK_EQ_INT(request("PATCH", "/v2/webhooks/{W}", NULL, NULL, NULL), 200);

	/* DELETE answers the webhook as it was, then it is gone */
	CHECK_EQ_INT(request("DELETE", "/v2/webhooks/{W}", NULL, NULL, &root), 200);
	CHECK_EQ_STR(str_of(data_of(root), "name"), "ops-2");
	CHECK_NULL(json_object_get(data_of(root), "secret"));
	json_decref(root);
	expect_refusal("GET", "/v2/webhooks/{W}", NULL, NULL, 404, "webhook");
	expect_refusal("DELETE", "/v2/webhooks/{W}", NULL, NULL, 404, "webhook");
	g_free(created);
}

static void test_webhook_refusals(void)
{
	json_t *root;
	CHECK_EQ_INT(request("POST", "/v2/webhooks", NULL, "{\"name\": \"keep\", \"url\": \"http://h/\","
		" \"events\": [\"meeting.ended\"]}", &root), 201);
	g_strlcpy(webhook_id, str_of(data_of(root), "id") ? str_of(data_of(root), "id") : "", sizeof webhook_id);
	json_decref(root);
	static const struct {
		const char *method, *path, *body;
		int status;
		const char *needle;
	} cases[] = {
		{ "POST", "/v2/webhooks", "{}", 422, "'name'" },
		{ "POST", "/v2/webhooks", "{\"name\": \"\", \"url\": \"http://h/\", \"events\": [\"meeting.ended\"]}", 422, "'name'" },
		{ "POST", "/v2/webhooks", "{\"name\": 5, \"url\": \"http://h/\", \"events\": [\"meeting.ended\"]}", 422, "'name'" },
		{ "POST", "/v2/webhooks", "{\"name\": \"a\", \"events\": [\"meeting.ended\"]}", 422, "'url'" },
		{ "POST", "/v2/webhooks", "{\"name\": \"a\", \"url\": \"ftp://h/\", \"events\": [\"meeting.ended\"]}", 422, "'url'" },
		{ "POST", "/v2/webhooks", "{\"name\": \"a\", \"url\": \"http://\", \"events\": [\"meeting.ended\"]}", 422, "'url'" },
		{ "POST", "/v2/webhooks", "{\"name\": \"a\", \"url\": \"http://h/a b\", \"events\": [\"meeting.ended\"]}", 422, "'url'" },
		{ "POST", "/v2/webhooks", "{\"name\": \"a\", \"url\": null, \"events\": [\"meeting.ended\"]}", 422, "'url'" },
		{ "POST", "/v2/webhooks", "{\"name\": \"a\", \"url\": \"http://h/\"}", 422, "'events'" },
		{ "POST", "/v2/webhooks", "{\"name\": \"a\", \"url\": \"http://h/\", \"events\": []}", 422, "'events'" },
		{ "POST", "/v2/webhooks", "{\"name\": \"a\", \"url\": \"http://h/\", \"events\": \"meeting.ended\"}", 422, "'events'" },
		{ "POST", "/v2/webhooks", "{\"name\": \"a\", \"url\": \"http://h/\", \"events\": [1]}", 422, "'events'" },
		{ "POST", "/v2/webhooks", "{\"name\": \"a\", \"url\": \"http://h/\", \"events\": [\"meeting.ended\", null]}", 422, "'events'" },
		{ "POST", "/v2/webhooks", "{\"name\": \"a\", \"url\": \"http://h/\", \"events\": [\"meeting.start\"]}", 422, "'meeting.start'" },
		{ "POST", "/v2/webhooks", "{\"name\": \"a\", \"url\": \"http://h/\", \"events\": [\"recording.statusupdate\"]}", 422, "livestreaming.statusUpdate" },
		{ "POST", "/v2/webhooks", "{\"name\": \"a\", \"url\": \"http://h/\", \"events\": [\"meeting.ended\"], \"enabled\": \"yes\"}", 422, "'enabled'" },
		{ "POST", "/v2/webhooks", "[]", 400, "object" },
		{ "POST", "/v2/webhooks", "{\"name\": ", 400, "JSON" },
		{ "PATCH", "/v2/webhooks/{W}", "{\"name\": null}", 422, "'name'" },
		{ "PATCH", "/v2/webhooks/{W}", "{\"name\": \"\"}", 422, "'name'" },
		{ "PATCH", "/v2/webhooks/{W}", "{\"url\": \"mailto:x@y\"}", 422, "'url'" },
		{ "PATCH", "/v2/webhooks/{W}", "{\"events\": []}", 422, "'events'" },
		{ "PATCH", "/v2/webhooks/{W}", "{\"events\": null}", 422, "'events'" },
		{ "PATCH", "/v2/webhooks/{W}", "{\"events\": [\"meeting.started\", \"nope\"]}", 422, "'nope'" },
		{ "PATCH", "/v2/webhooks/{W}", "{\"enabled\": null}", 422, "'enabled'" },
		{ "PATCH", "/v2/webhooks/{W}", "5", 400, "object" },
		{ "PATCH", "/v2/webhooks/" NO_SUCH_ID, "{\"name\": \"x\"}", 404, NO_SUCH_ID },
		{ "PATCH", "/v2/webhooks/not-a-uuid", "{\"name\": \"x\"}", 404, "webhook" },
		{ "GET", "/v2/webhooks/" NO_SUCH_ID, NULL, 404, "webhook" },
		{ "DELETE", "/v2/webhooks/" NO_SUCH_ID, NULL, 404, "webhook" },
		{ "DELETE", "/v2/webhooks", NULL, 405, "GET, POST" },
		{ "POST", "/v2/webhooks/{W}", "{}", 405, "GET, PUT, PATCH, DELETE" },
		{ "PUT", "/v2/webhooks/{W}", "{}", 422, "field 'name' is required" },
		{ "PUT", "/v2/webhooks/{W}", "{\"name\": \"a\", \"url\": \"http://h/\"}", 422, "field 'events' is required" },
		{ "PUT", "/v2/webhooks/{W}", "{\"name\": \"a\", \"url\": \"http://h/\", \"events\": [\"meeting.summary\", \"x\"]}", 422, "meeting.transcript, meeting.summary" },
		{ "PUT", "/v2/webhooks/" NO_SUCH_ID, "{\"name\": \"a\", \"url\": \"http://h/\", \"events\": [\"meeting.ended\"]}", 404, NO_SUCH_ID },
		{ "GET", "/v2/webhooks/{W}/x", NULL, 404, NULL },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
		expect_refusal(cases[i].method, cases[i].path, NULL, cases[i].body, cases[i].status, cases[i].needle);
	expect_refusal("GET", "/v2/webhooks", "per_page=0", NULL, 422, "'per_page'");

	/* too long */
	char *big = g_strdup_printf("{\"name\": \"%0*d\", \"url\": \"http://h/\", \"events\": [\"meeting.ended\"]}", 300, 0);
	expect_refusal("POST", "/v2/webhooks", NULL, big, 422, "'name'");
	g_free(big);
	big = g_strdup_printf("{\"name\": \"a\", \"url\": \"http://h/%0*d\", \"events\": [\"meeting.ended\"]}", 3000, 0);
	expect_refusal("POST", "/v2/webhooks", NULL, big, 422, "'url'");
	g_free(big);

	CHECK_EQ_INT(request("GET", "/v2/webhooks/{W}", NULL, NULL, &root), 200);
	CHECK_EQ_STR(str_of(data_of(root), "name"), "keep");
	CHECK_EQ_STR(json_string_value(json_array_get(json_object_get(data_of(root), "events"), 0)),
		"meeting.ended");
	json_decref(root);
}

/* ---- Set-up ---- */


/* ---- Chat files (chat_files.c, rest_chat_files.c) ---- */

static void test_chat_file_checks(void)
{
	CHECK(rtk_chat_files_name_ok("cat.png"));
	CHECK(rtk_chat_files_name_ok("\xc3\xa9t\xc3\xa9 notes (1).txt"));
	CHECK(rtk_chat_files_name_ok(".."));   /* a name, never a path: the bytes are stored by id */
	char name[RTK_CHAT_FILES_NAME_MAX + 2];
	memset(name, 'x', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	CHECK(!rtk_chat_files_name_ok(name));   /* 256 bytes */
	name[RTK_CHAT_FILES_NAME_MAX] = '\0';
	CHECK(rtk_chat_files_name_ok(name));    /* 255 */
	CHECK(!rtk_chat_files_name_ok(""));
	CHECK(!rtk_chat_files_name_ok(NULL));
	CHECK(!rtk_chat_files_name_ok("a/b"));
	CHECK(!rtk_chat_files_name_ok("a\nb"));
	CHECK(!rtk_chat_files_name_ok("bad \xff utf-8"));

	char *type = rtk_chat_files_type_of(" Image/PNG ; q=1");
	CHECK_EQ_STR(type, "image/png");
	g_free(type);
	type = rtk_chat_files_type_of("text/plain;charset=utf-8");
	CHECK_EQ_STR(type, "text/plain");
	g_free(type);
	static const char *const bad_types[] = { "", "image", "image/", "/png", "image/png x", "im age/png",
		"image/p\"ng", "a/b/c", NULL };
	for (const char *const *t = bad_types; *t; t++) {
		type = rtk_chat_files_type_of(*t);
		if (type != NULL)
			fprintf(stderr, "\t'%s' read as '%s'\n", *t, type);
		CHECK_NULL(type);
		g_free(type);
	}
	CHECK_NULL(rtk_chat_files_type_of(NULL));

	CHECK(rtk_chat_files_type_allowed(NULL, "image/png"));
	CHECK(rtk_chat_files_type_allowed("", "application/zip"));
	CHECK(!rtk_chat_files_type_allowed(NULL, "image/svg+xml"));
	CHECK(!rtk_chat_files_type_allowed(NULL, "text/html"));
	CHECK(rtk_chat_files_type_allowed(" image/ , application/PDF", "image/svg+xml"));
	CHECK(rtk_chat_files_type_allowed("image/,application/PDF", "application/pdf"));
	CHECK(!rtk_chat_files_type_allowed("image/,application/pdf", "imagex/png"));
	CHECK(!rtk_chat_files_type_allowed("image/png", "image/pngx"));
	CHECK(!rtk_chat_files_type_allowed("text/plain,,", "text/html"));
	CHECK(!rtk_chat_files_type_allowed("image/png", NULL));

	char *d = rtk_chat_files_disposition("a \"b\"\\c \xc3\xa9.png", "image/png");
	CHECK_EQ_STR(d, "inline; filename=\"a _b__c _.png\"; filename*=UTF-8''a%20%22b%22%5Cc%20%C3%A9.png");
	g_free(d);
	d = rtk_chat_files_disposition("x.svg", "image/svg+xml");
	CHECK_EQ_STR(d, "attachment; filename=\"x.svg\"; filename*=UTF-8''x.svg");
	g_free(d);
	d = rtk_chat_files_disposition("r\r\nSet-Cookie: a=b", "text/plain");
	CHECK_EQ_STR(d, "attachment; filename=\"r__Set-Cookie: a=b\"; filename*=UTF-8''r%0D%0ASet-Cookie%3A%20a%3Db");
	g_free(d);
}

static gboolean chat_file_seen;   /* what the fake live state answers */

static gboolean fake_chat_file_visible(const char *meeting, const char *file, const char *user, void *data)
{
	(void)meeting; (void)file; (void)user; (void)data;
	return chat_file_seen;
}

/* One chat-files request through rtk_rest_dispatch(); the reply is the caller's. */
static int chat_files_request(const char *method, const char *path, const char *query, const char *auth,
	const char *content_type, const char *body, size_t body_len, rtk_rest_reply *reply)
{
	char *full = expand(path);
	rtk_rest_request req = { .method = method, .path = full, .query = query, .authorization = auth,
		.content_type = content_type, .body = body, .body_len = body_len };
	*reply = (rtk_rest_reply) { .status = -1 };
	rtk_rest_dispatch(&ctx, &req, reply);
	g_free(full);
	if (reply->file_path == NULL) {
		json_t *root = check_envelope(reply);
		json_decref(root);
	}
	return reply->status;
}

static gint chat_files_name_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The space-separated names of `names` (g_malloc'd strings, taken), sorted. */
static char *chat_files_sorted(GPtrArray *names)
{
	g_ptr_array_sort(names, chat_files_name_cmp);
	g_ptr_array_add(names, NULL);
	char *out = g_strjoinv(" ", (char **)names->pdata);
	g_ptr_array_free(names, TRUE);
	return out;
}

/* `expected` (space-separated names) sorted as chat_files_listing() sorts. */
static char *chat_files_expect(const char *expected)
{
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	char **parts = g_strsplit(expected, " ", -1);
	for (char **p = parts; *p; p++)
		g_ptr_array_add(names, g_strdup(*p));
	g_strfreev(parts);
	return chat_files_sorted(names);
}

/* The names of the files in the meeting's upload directory, sorted, joined by spaces. */
static char *chat_files_listing(void)
{
	char *dir = g_build_filename(ctx.chat_files_dir, meeting_id, NULL);
	GDir *d = g_dir_open(dir, 0, NULL);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	for (const char *n; d && (n = g_dir_read_name(d)) != NULL;)
		g_ptr_array_add(names, g_strdup(n));
	if (d)
		g_dir_close(d);
	g_free(dir);
	return chat_files_sorted(names);
}

static char *new_participant_token(const char *custom_id)
{
	char *body = g_strdup_printf("{\"name\": \"%s\", \"preset_name\": \"group_call_participant\","
		" \"custom_participant_id\": \"%s\"}", custom_id, custom_id);
	json_t *root;
	CHECK_EQ_INT(request("POST", "/v2/meetings/{M}/participants", NULL, body, &root), 201);
	char *auth = g_strdup_printf("Bearer %s", str_of(data_of(root), "token"));
	json_decref(root);
	g_free(body);
	return auth;
}

static void test_chat_files_rest(void)
{
	rtk_live_ops live = { .chat_file_visible = fake_chat_file_visible };
	char *files_dir = g_build_filename(tmpdir, "chat-files", NULL);
	rtk_rest_ctx saved = ctx;
	ctx.chat_files_dir = files_dir;
	ctx.chat_file_max_bytes = 16;
	ctx.base_url = "http://rtk.test";
	ctx.live = &live;

	create_meeting("{\"title\": \"elsewhere\"}");
	char *stranger = new_participant_token("dan");
	create_meeting("{\"title\": \"files\"}");
	char *ada = new_participant_token("ada"), *bob = new_participant_token("bob");
	rtk_rest_reply reply;

	/* An upload: 201 with its link; on disk the bytes and the description. */
	CHECK_EQ_INT(chat_files_request("POST", "/v2/chat-files", "name=hi%20there.txt", ada, "text/plain",
		"0123456789abcdef", 16, &reply), 201);
	json_t *root = json_loads(reply.body, 0, NULL);
	rtk_rest_reply_clear(&reply);
	json_t *data = data_of(root);
	char file_id[64];
	g_strlcpy(file_id, str_of(data, "id") ? str_of(data, "id") : "", sizeof file_id);
	CHECK(rtk_rest_is_uuid(file_id));
	CHECK_EQ_STR(str_of(data, "name"), "hi there.txt");
	CHECK_EQ_STR(str_of(data, "type"), "text/plain");
	CHECK_EQ_INT(json_integer_value(json_object_get(data, "size")), 16);
	char *link = g_strdup_printf("http://rtk.test/v2/chat-files/%s/%s", meeting_id, file_id);
	CHECK_EQ_STR(str_of(data, "link"), link);
	json_decref(root);
	char *named = g_strdup_printf("%s %s.json", file_id, file_id);
	char *listing = chat_files_expect(named);
	g_free(named);
	char *got = chat_files_listing();
	CHECK_EQ_STR(got, listing);
	g_free(got);

	/* Downloads: the uploader; another participant only when it sees a message with it. */
	char *path = g_strdup_printf("/v2/chat-files/{M}/%s", file_id);
	CHECK_EQ_INT(chat_files_request("GET", path, NULL, ada, NULL, NULL, 0, &reply), 200);
	char *expected_path = g_build_filename(files_dir, meeting_id, file_id, NULL);
	CHECK_EQ_STR(reply.file_path, expected_path);
	CHECK_EQ_STR(reply.file_type, "text/plain");
	CHECK_EQ_STR(reply.disposition, "attachment; filename=\"hi there.txt\"; filename*=UTF-8''hi%20there.txt");
	rtk_rest_reply_clear(&reply);
	chat_file_seen = FALSE;
	CHECK_EQ_INT(chat_files_request("GET", path, NULL, bob, NULL, NULL, 0, &reply), 403);
	rtk_rest_reply_clear(&reply);
	chat_file_seen = TRUE;
	char *query = g_strdup_printf("token=%s", bob + strlen("Bearer "));
	CHECK_EQ_INT(chat_files_request("GET", path, query, NULL, NULL, NULL, 0, &reply), 200);
	rtk_rest_reply_clear(&reply);
	CHECK_EQ_INT(chat_files_request("GET", path, NULL, stranger, NULL, NULL, 0, &reply), 404);
	rtk_rest_reply_clear(&reply);
	CHECK_EQ_INT(chat_files_request("GET", path, NULL, NULL, NULL, NULL, 0, &reply), 401);
	rtk_rest_reply_clear(&reply);
	CHECK_EQ_INT(chat_files_request("GET", path, NULL, bearer, NULL, NULL, 0, &reply), 401);
	rtk_rest_reply_clear(&reply);
	CHECK_EQ_INT(chat_files_request("DELETE", path, NULL, ada, NULL, NULL, 0, &reply), 405);
	rtk_rest_reply_clear(&reply);
	CHECK_EQ_INT(chat_files_request("GET", "/v2/chat-files/{M}/" NO_SUCH_ID, NULL, ada, NULL, NULL, 0, &reply), 404);
	rtk_rest_reply_clear(&reply);
	CHECK_EQ_INT(chat_files_request("GET", "/v2/chat-files/{M}/not-a-uuid", NULL, ada, NULL, NULL, 0, &reply), 404);
	rtk_rest_reply_clear(&reply);
	char *cloudflare = g_strdup_printf("/accounts/a/realtime/kit/b/chat-files/{M}/%s", file_id);
	CHECK_EQ_INT(chat_files_request("GET", cloudflare, NULL, ada, NULL, NULL, 0, &reply), 200);
	rtk_rest_reply_clear(&reply);

	/* Refusals keep nothing. */
	struct { const char *query, *auth, *type, *body; int status; } bad[] = {
		{ "name=a.txt", ada, "text/plain", "0123456789abcdefX", 413 },
		{ "name=a.txt", ada, "text/html", "x", 415 },
		{ "name=a.txt", ada, NULL, "x", 415 },
		{ "name=a%2Fb.txt", ada, "text/plain", "x", 400 },
		{ "name=", ada, "text/plain", "x", 400 },
		{ NULL, ada, "text/plain", "x", 400 },
		{ "name=%zz", ada, "text/plain", "x", 400 },
		{ "name=a.txt", NULL, "text/plain", "x", 401 },
		{ "name=a.txt", bearer, "text/plain", "x", 401 },
		{ "name=a.txt", "Bearer not.a.jwt", "text/plain", "x", 401 },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		int status = chat_files_request("POST", "/v2/chat-files", bad[i].query, bad[i].auth, bad[i].type,
			bad[i].body, strlen(bad[i].body), &reply);
		if (status != bad[i].status)
			fprintf(stderr, "\tbad upload %zu: %d, expected %d\n", i, status, bad[i].status);
		CHECK_EQ_INT(status, bad[i].status);
		rtk_rest_reply_clear(&reply);
	}
	CHECK_EQ_INT(chat_files_request("GET", "/v2/chat-files", NULL, ada, NULL, NULL, 0, &reply), 405);
	rtk_rest_reply_clear(&reply);

	/* The streamed steps, as http.c runs them: a Content-Length over the
	 * limit is refused at the start; a body that grows past it is deleted
	 * as soon as it does. */
	rtk_rest_request req = { .method = "POST", .path = "/v2/chat-files", .query = "name=s.txt",
		.authorization = ada };
	reply = (rtk_rest_reply) { 0 };
	CHECK_NULL(rtk_rest_chat_upload_start(&ctx, &req, "text/plain", "17", &reply));
	CHECK_EQ_INT(reply.status, 413);
	rtk_rest_reply_clear(&reply);
	rtk_chat_upload *upload = rtk_rest_chat_upload_start(&ctx, &req, "text/plain", NULL, &reply);
	CHECK_NOT_NULL(upload);
	rtk_rest_chat_upload_append(upload, "0123456789", 10);
	named = g_strdup_printf("%s %s.part", listing, upload ? rtk_chat_upload_id(upload) : "");
	char *partial = chat_files_expect(named);
	g_free(named);
	got = chat_files_listing();
	CHECK_EQ_STR(got, partial);
	g_free(got);
	rtk_rest_chat_upload_append(upload, "0123456789", 10);
	got = chat_files_listing();
	CHECK_EQ_STR(got, listing);
	g_free(got);
	rtk_rest_chat_upload_finish(&ctx, upload, &reply);
	CHECK_EQ_INT(reply.status, 413);
	rtk_rest_reply_clear(&reply);
	rtk_chat_upload_free(upload);
	/* An upload abandoned midway (the client went away) leaves nothing. */
	upload = rtk_rest_chat_upload_start(&ctx, &req, "text/plain", NULL, &reply);
	rtk_rest_chat_upload_append(upload, "01234", 5);
	rtk_chat_upload_free(upload);
	got = chat_files_listing();
	CHECK_EQ_STR(got, listing);
	g_free(got);

	g_free(partial);
	g_free(cloudflare);
	g_free(query);
	g_free(expected_path);
	g_free(path);
	g_free(listing);
	g_free(link);
	g_free(ada);
	g_free(bob);
	g_free(stranger);
	g_free(files_dir);
	ctx = saved;
}

/* ---- connected meetings (breakout rooms) ---- */

static char fake_live_meeting[64];   /* the one meeting the fake live state has a session for */

/* A live session of one participant in fake_live_meeting, none elsewhere. */
static json_t *fake_active_session(const char *meeting, void *data)
{
	(void)data;
	if (strcmp(meeting, fake_live_meeting) != 0)
		return NULL;
	return json_pack("{s:s, s:s, s:i, s:[{s:s, s:s}]}", "id", "session-1", "meeting_id", meeting,
		"live_participants", 1, "participants", "id", "peer-1", "name", "Ada");
}

static void test_connected_meetings(void)
{
	rtk_live_ops live = { .active_session = fake_active_session };
	rtk_rest_ctx saved = ctx;
	ctx.live = &live;
	json_t *root;
	char parent[64], child[64], other[64], path[200], query[120], body[200];

	create_meeting("{\"title\": \"All hands\"}");
	g_strlcpy(parent, meeting_id, sizeof parent);
	CHECK_EQ_INT(request("GET", "/v2/meetings/{M}", NULL, NULL, &root), 200);
	CHECK(json_is_null(json_object_get(data_of(root), "parent_meeting_id")));
	json_decref(root);

	/* children: created with their parent, fixed afterwards */
	snprintf(body, sizeof body, "{\"title\": \"Room 1\", \"parent_meeting_id\": \"%s\"}", parent);
	create_meeting(body);
	g_strlcpy(child, meeting_id, sizeof child);
	CHECK_EQ_INT(request("GET", "/v2/meetings/{M}", NULL, NULL, &root), 200);
	CHECK_EQ_STR(str_of(data_of(root), "parent_meeting_id"), parent);
	json_decref(root);
	snprintf(body, sizeof body, "{\"title\": \"Room 2\", \"parent_meeting_id\": \"%s\"}", parent);
	create_meeting(body);
	g_strlcpy(other, meeting_id, sizeof other);
	CHECK_EQ_INT(request("PATCH", "/v2/meetings/{M}", NULL, "{\"parent_meeting_id\": null}", &root), 200);
	CHECK_EQ_STR(str_of(data_of(root), "parent_meeting_id"), parent);
	json_decref(root);

	/* refusals change nothing: unknown parent, a child as parent, wrong type */
	expect_refusal("POST", "/v2/meetings", NULL,
		"{\"parent_meeting_id\": \"00000000-0000-4000-8000-000000000000\"}", 400, "parent_meeting_id");
	expect_refusal("POST", "/v2/meetings", NULL, "{\"parent_meeting_id\": \"not-a-uuid\"}", 400,
		"parent_meeting_id");
	snprintf(body, sizeof body, "{\"parent_meeting_id\": \"%s\"}", child);
	expect_refusal("POST", "/v2/meetings", NULL, body, 400, "one level");
	expect_refusal("POST", "/v2/meetings", NULL, "{\"parent_meeting_id\": 7}", 400, "parent_meeting_id");

	/* the list filters by parent */
	snprintf(query, sizeof query, "parent_meeting_id=%s", parent);
	CHECK_EQ_INT(request("GET", "/v2/meetings", query, NULL, &root), 200);
	CHECK_EQ_INT(json_array_size(data_of(root)), 2);
	CHECK_EQ_STR(str_of(json_array_get(data_of(root), 0), "id"), other);
	CHECK_EQ_STR(str_of(json_array_get(data_of(root), 1), "id"), child);
	CHECK_EQ_INT(json_integer_value(json_object_get(json_object_get(root, "paging"), "total_count")), 2);
	json_decref(root);
	snprintf(query, sizeof query, "parent_meeting_id=%s", child);
	CHECK_EQ_INT(request("GET", "/v2/meetings", query, NULL, &root), 200);
	CHECK_EQ_INT(json_array_size(data_of(root)), 0);
	json_decref(root);

	/* the parent's active session lists its breakout rooms with their live participants;
	 * an INACTIVE child is gone from it */
	g_strlcpy(fake_live_meeting, parent, sizeof fake_live_meeting);
	snprintf(path, sizeof path, "/v2/meetings/%s/active-session", parent);
	CHECK_EQ_INT(request("GET", path, NULL, NULL, &root), 200);
	json_t *rooms = json_object_get(data_of(root), "breakout_rooms");
	CHECK_EQ_INT(json_array_size(rooms), 2);
	CHECK_EQ_STR(str_of(json_array_get(rooms, 0), "id"), other);
	CHECK_EQ_INT(json_integer_value(json_object_get(json_array_get(rooms, 0), "live_participants")), 0);
	json_decref(root);
	g_strlcpy(fake_live_meeting, child, sizeof fake_live_meeting);
	snprintf(path, sizeof path, "/v2/meetings/%s", other);
	CHECK_EQ_INT(request("PATCH", path, NULL, "{\"status\": \"INACTIVE\"}", NULL), 200);
	/* a parent without a live session of its own: 404, as any meeting */
	snprintf(path, sizeof path, "/v2/meetings/%s/active-session", parent);
	CHECK_EQ_INT(request("GET", path, NULL, NULL, NULL), 404);
	snprintf(path, sizeof path, "/v2/meetings/%s/active-session", child);
	CHECK_EQ_INT(request("GET", path, NULL, NULL, &root), 200);
	CHECK_EQ_INT(json_array_size(json_object_get(data_of(root), "breakout_rooms")), 0);
	json_decref(root);

	ctx = saved;
	fake_live_meeting[0] = '\0';
}

static void setup(void)
{
	char template[] = "/tmp/rtk-test-rest-XXXXXX";
	tmpdir = g_strdup(mkdtemp(template));
	CHECK_NOT_NULL(tmpdir);
	char *path = g_strdup_printf("%s/rtk.sqlite", tmpdir);
	char *error = NULL;
	store = rtk_store_open(path, &error);
	if (store == NULL) {
		fprintf(stderr, "cannot open the store: %s\n", error ? error : "?");
		exit(1);
	}
	g_free(path);
	/* Seed the default presets as the gateway does on first start. */
	json_t *defaults = rtk_presets_default();
	size_t i;
	json_t *p;
	json_array_foreach(defaults, i, p) {
		json_t *out = NULL;
		CHECK_EQ_INT(rtk_store_preset_create(store, p, &out), RTK_STORE_OK);
		json_decref(out);
	}
	json_decref(defaults);
	ctx = (rtk_rest_ctx) {
		.store = store, .org_id = ORG_ID, .api_key = API_KEY,
		.jwt_secret = (const unsigned char *)SECRET, .jwt_secret_len = strlen(SECRET),
		.token_ttl_seconds = TTL,
		/* the webhook URLs here point at 127.0.0.1 and "h"; the target policy
		 * is test_webhooks.c's */
		.webhooks_allow_private = 1,
	};
	bearer = g_strdup("Bearer " API_KEY);
}

static void teardown(void)
{
	rtk_store_close(store);
	char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	g_free(cmd);
	g_free(tmpdir);
	g_free(bearer);
}

/* GET /v2/sessions and below, on rows the plugin's writer would store:
 * RealtimeKit's shapes (data.sessions, data.participants,
 * data.participant), filters, paging, 404s, the Cloudflare path form. */
static void test_session_history(void)
{
	static const char *const sid = "11111111-1111-4111-8111-111111111111";
	static const char *const peer = "22222222-2222-4222-8222-222222222222";
	static const char *const user = "33333333-3333-4333-8333-333333333333";
	json_t *row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:n, s:i, s:i, s:f}", "id", sid,
		"meeting_id", meeting_id, "associated_id", meeting_id, "status", "LIVE",
		"started_at", "2026-01-01T10:00:00.000Z", "ended_at", "live_participants", 1,
		"max_concurrent_participants", 2, "minutes_consumed", 3.5), *out = NULL;
	CHECK_EQ_INT(rtk_store_session_create(store, row, &out), RTK_STORE_OK);
	json_decref(out);
	json_decref(row);
	row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:n}", "id", peer, "session_id", sid,
		"user_id", user, "display_name", "Ada", "preset_name", "group_call_host",
		"joined_at", "2026-01-01T10:00:00.000Z", "left_at");
	CHECK_EQ_INT(rtk_store_session_participant_create(store, row, &out), RTK_STORE_OK);
	json_decref(out);
	json_decref(row);

	json_t *root;
	CHECK_EQ_INT(request("GET", "/v2/sessions", NULL, NULL, &root), 200);
	json_t *sessions = json_object_get(data_of(root), "sessions");
	CHECK_EQ_INT((int)json_array_size(sessions), 1);
	CHECK_EQ_STR(str_of(json_array_get(sessions, 0), "id"), sid);
	CHECK_EQ_INT(json_integer_value(json_object_get(json_object_get(root, "paging"), "total_count")), 1);
	json_decref(root);
	char query[128];
	g_snprintf(query, sizeof query, "associated_id=%s&status=LIVE", meeting_id);
	CHECK_EQ_INT(request("GET", "/v2/sessions", query, NULL, &root), 200);
	CHECK_EQ_INT((int)json_array_size(json_object_get(data_of(root), "sessions")), 1);
	json_decref(root);
	CHECK_EQ_INT(request("GET", "/v2/sessions", "status=ENDED", NULL, &root), 200);
	CHECK_EQ_INT((int)json_array_size(json_object_get(data_of(root), "sessions")), 0);
	json_decref(root);
	CHECK_EQ_INT(request("GET", "/v2/sessions", "meeting_id=" NO_SUCH_ID, NULL, &root), 200);
	CHECK_EQ_INT((int)json_array_size(json_object_get(data_of(root), "sessions")), 0);
	json_decref(root);
	CHECK_EQ_INT(request("GET", "/v2/sessions", "status=ACTIVE", NULL, NULL), 400);
	CHECK_EQ_INT(request("GET", "/v2/sessions", "associated_id=x", NULL, NULL), 400);
	CHECK_EQ_INT(request("GET", "/v2/sessions", "per_page=0", NULL, NULL), 422);

	char path[256];
	g_snprintf(path, sizeof path, "/v2/sessions/%s", sid);
	CHECK_EQ_INT(request("GET", path, NULL, NULL, &root), 200);
	CHECK_EQ_STR(str_of(data_of(root), "associated_id"), meeting_id);
	CHECK_EQ_STR(str_of(data_of(root), "status"), "LIVE");
	json_decref(root);
	g_snprintf(path, sizeof path, "/accounts/acc/realtime/kit/app/sessions/%s/participants", sid);
	CHECK_EQ_INT(request("GET", path, NULL, NULL, &root), 200);
	json_t *p = json_array_get(json_object_get(data_of(root), "participants"), 0);
	CHECK_EQ_STR(str_of(p, "id"), peer);
	CHECK_EQ_STR(str_of(p, "display_name"), "Ada");
	CHECK(json_is_null(json_object_get(p, "left_at")));
	CHECK(json_number_value(json_object_get(p, "duration")) > 0);   /* open: so far */
	json_decref(root);
	/* one presence by its peer id, or the latest of a participant by its id */
	g_snprintf(path, sizeof path, "/v2/sessions/%s/participants/%s", sid, peer);
	CHECK_EQ_INT(request("GET", path, NULL, NULL, &root), 200);
	CHECK_EQ_STR(str_of(json_object_get(data_of(root), "participant"), "id"), peer);
	json_decref(root);
	g_snprintf(path, sizeof path, "/v2/sessions/%s/participants/%s", sid, user);
	CHECK_EQ_INT(request("GET", path, NULL, NULL, &root), 200);
	CHECK_EQ_STR(str_of(json_object_get(data_of(root), "participant"), "id"), peer);
	json_decref(root);

	/* 404s: an unknown session, a presence of another session */
	CHECK_EQ_INT(request("GET", "/v2/sessions/" NO_SUCH_ID, NULL, NULL, NULL), 404);
	CHECK_EQ_INT(request("GET", "/v2/sessions/" NO_SUCH_ID "/participants", NULL, NULL, NULL), 404);
	g_snprintf(path, sizeof path, "/v2/sessions/%s/participants/%s", sid, NO_SUCH_ID);
	CHECK_EQ_INT(request("GET", path, NULL, NULL, NULL), 404);
	g_snprintf(path, sizeof path, "/v2/sessions/%s", sid);
	CHECK_EQ_INT(request("DELETE", path, NULL, NULL, NULL), 405);
}

/* ---- RealtimeKit parity (issue 16): meeting settings, PUT, list filters,
 * AUDIO_ROOM and fhd/uhd presets, client_specific_id, PATCH tokens ---- */

#define HISTORY_MEETING "44444444-4444-4444-8444-444444444444"

/* The sessions of HISTORY_MEETING that GET /v2/sessions?associated_id=...&`query`
 * lists, as the last letter of their ids in the page's order ("cba"),
 * with *total the paging's total_count; NULL (and the status in *total)
 * when it answers no 200. g_free() it. */
static char *sessions_listed(const char *query, int *total)
{
	char q[512];
	json_t *root, *s;
	size_t i;
	g_snprintf(q, sizeof q, "associated_id=" HISTORY_MEETING "%s%s", query ? "&" : "", query ? query : "");
	int status = request("GET", "/v2/sessions", q, NULL, &root);
	if (status != 200) {
		*total = status;
		json_decref(root);
		return NULL;
	}
	GString *ids = g_string_new(NULL);
	json_array_foreach(json_object_get(data_of(root), "sessions"), i, s) {
		const char *id = str_of(s, "id");
		g_string_append_c(ids, id && *id ? id[strlen(id) - 1] : '?');
	}
	*total = (int)json_integer_value(json_object_get(json_object_get(root, "paging"), "total_count"));
	json_decref(root);
	return g_string_free(ids, FALSE);
}

static void check_sessions_listed(const char *query, const char *expected, int expected_total)
{
	int total = 0;
	char *got = sessions_listed(query, &total);
	if (!got || strcmp(got, expected) != 0 || total != expected_total)
		fprintf(stderr, "\tGET /v2/sessions ?%s\n", query ? query : "");
	CHECK_EQ_STR(got ? got : "(refused)", expected);
	CHECK_EQ_INT(total, expected_total);
	g_free(got);
}

/* GET /v2/sessions's start_time/end_time (on created_at, inclusive),
 * search (meeting title, meeting id, session id), sort_by (minutesConsumed,
 * createdAt) and sort_order (ASC, DESC), with paging over what they leave,
 * and their refusals (400, nothing changed). Three sessions of one meeting,
 * a day apart. */
static void test_session_list_filters(void)
{
	static const struct {
		const char *id, *title, *status, *created;
		double minutes;
	} rows[] = {
		{ "5e550000-0000-4000-8000-00000000000a", "Alpha standup", "ENDED", "2026-03-01T10:00:00.000Z", 5 },
		{ "5e550000-0000-4000-8000-00000000000b", "Beta review", "ENDED", "2026-03-02T10:00:00.000Z", 50 },
		{ "5e550000-0000-4000-8000-00000000000c", "alpha retro", "LIVE", "2026-03-03T10:00:00.000Z", 1 },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		json_t *row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f}", "id", rows[i].id,
			"meeting_id", HISTORY_MEETING, "associated_id", HISTORY_MEETING, "meeting_display_name",
			rows[i].title, "status", rows[i].status, "started_at", rows[i].created, "created_at",
			rows[i].created, "minutes_consumed", rows[i].minutes), *out = NULL;
		CHECK_EQ_INT(rtk_store_session_create(store, row, &out), RTK_STORE_OK);
		json_decref(out);
		json_decref(row);
	}
	check_sessions_listed(NULL, "cba", 3);
	/* times, inclusive; a date alone is its midnight UTC */
	check_sessions_listed("start_time=2026-03-02", "cb", 2);
	check_sessions_listed("end_time=2026-03-02T10:00:00Z", "ba", 2);
	check_sessions_listed("start_time=2026-03-02T00:00:00Z&end_time=2026-03-02T23:59:59Z", "b", 1);
	check_sessions_listed("start_time=2026-03-02T11:00:00%2B01:00&end_time=2026-03-02T10:00:00.000Z", "b", 1);
	check_sessions_listed("start_time=2027-01-01", "", 0);
	/* search: the meeting's title (either case), the meeting's id, the session's id */
	check_sessions_listed("search=ALPHA", "ca", 2);
	check_sessions_listed("search=beta%20rev", "b", 1);
	check_sessions_listed("search=8000-00000000000A", "a", 1);
	check_sessions_listed("search=4444-8444", "cba", 3);
	check_sessions_listed("search=al_ha", "", 0);
	check_sessions_listed("search=", "cba", 3);
	/* order */
	check_sessions_listed("sort_by=minutesConsumed", "bac", 3);
	check_sessions_listed("sort_by=minutesConsumed&sort_order=ASC", "cab", 3);
	check_sessions_listed("sort_by=createdAt&sort_order=ASC", "abc", 3);
	check_sessions_listed("sort_by=createdAt&sort_order=DESC", "cba", 3);
	check_sessions_listed("sort_order=ASC", "abc", 3);
	check_sessions_listed("sort_by=minutes_consumed&sort_order=asc&status=ENDED", "ab", 2);
	/* everything together, paged over what is left */
	check_sessions_listed("search=alpha&sort_by=minutesConsumed&per_page=1&page_no=2", "c", 2);
	check_sessions_listed("search=a&start_time=2026-03-02&sort_order=ASC&per_page=1", "b", 2);
	json_t *root;
	CHECK_EQ_INT(request("GET", "/accounts/acc/realtime/kit/app/sessions",
		"associated_id=" HISTORY_MEETING "&search=alpha&sort_order=ASC&per_page=1&page_no=2", NULL, &root), 200);
	json_t *page = json_object_get(data_of(root), "sessions");
	CHECK_EQ_INT((int)json_array_size(page), 1);
	CHECK_EQ_STR(str_of(json_array_get(page, 0), "id"), rows[2].id);
	CHECK_EQ_INT(json_integer_value(json_object_get(json_object_get(root, "paging"), "start_offset")), 2);
	json_decref(root);

	static const struct {
		const char *query, *needle;
	} bad[] = {
		{ "start_time=yesterday", "query parameter 'start_time' must be an ISO 8601 date-time" },
		{ "end_time=2026-02-30", "'end_time'" },
		{ "start_time=2026-03-03&end_time=2026-03-01", "is after 'end_time'" },
		{ "sort_by=title", "query parameter 'sort_by' must be one of createdAt" },
		{ "sort_by=", "'sort_by'" },
		{ "sort_by=createdAt,minutesConsumed", "'sort_by' takes one value" },
		{ "sort_order=UP", "query parameter 'sort_order' must be one of ASC" },
		{ "sort_order=ASC&sort_order=DESC", "'sort_order' takes one value" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
		expect_refusal("GET", "/v2/sessions", bad[i].query, NULL, 400, bad[i].needle);
}

static void test_time_parse(void)
{
	static const struct {
		const char *in, *out;   /* out NULL: refused */
	} cases[] = {
		{ "2026-11-22T00:39:42.123Z", "2026-11-22T00:39:42.123Z" },
		{ "2026-11-22T00:39:42Z", "2026-11-22T00:39:42.000Z" },
		{ "2026-11-22T00:39:42.5Z", "2026-11-22T00:39:42.500Z" },
		{ "2026-11-22T00:39:42.123456789Z", "2026-11-22T00:39:42.123Z" },
		{ "2026-11-22T00:39:42", "2026-11-22T00:39:42.000Z" },
		{ "2026-11-22T00:39", "2026-11-22T00:39:00.000Z" },
		{ "2026-11-22", "2026-11-22T00:00:00.000Z" },
		{ "2026-11-22 10:00:00", "2026-11-22T10:00:00.000Z" },
		{ "2026-11-22T05:30:00+05:30", "2026-11-22T00:00:00.000Z" },
		{ "2026-11-22T05:30:00 05:30", "2026-11-22T00:00:00.000Z" },   /* an unescaped '+' */
		{ "2026-11-22T01:00:00+0100", "2026-11-22T00:00:00.000Z" },
		{ "2026-01-01T00:30:00+01", "2025-12-31T23:30:00.000Z" },
		{ "2025-12-31T23:00:00-02:00", "2026-01-01T01:00:00.000Z" },
		{ "2024-02-29T00:00:00z", "2024-02-29T00:00:00.000Z" },
		{ "2026-02-29", NULL }, { "2026-13-01", NULL }, { "2026-00-10", NULL }, { "2026-04-31", NULL },
		{ "2026-11-22T24:00:00Z", NULL }, { "2026-11-22T10:60Z", NULL }, { "2026-11-22T10:00:61Z", NULL },
		{ "2026-11-22T10", NULL }, { "2026-11-22T", NULL }, { "2026-11-22T10:00:00.Z", NULL },
		{ "2026-11-22T10:00:00+25:00", NULL }, { "2026-11-22T10:00:00+05:3", NULL },
		{ "2026-11-22T10:00:00Zjunk", NULL }, { "26-11-22", NULL }, { "2026/11/22", NULL },
		{ "yesterday", NULL }, { "", NULL }, { "1700000000", NULL }, { "0000-01-01T00:00:00+01:00", NULL },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char out[RTK_REST_TIME_LEN];
		bool ok = rtk_rest_time_parse(cases[i].in, out);
		if (ok != (cases[i].out != NULL))
			fprintf(stderr, "\ttime '%s'\n", cases[i].in);
		CHECK_EQ_INT(ok, cases[i].out != NULL);
		if (ok && cases[i].out)
			CHECK_EQ_STR(out, cases[i].out);
	}
	CHECK(!rtk_rest_time_parse(NULL, NULL));
}

#define FULL_RECORDING_CONFIG \
	"{\"max_seconds\": 120, \"file_name_prefix\": \"weekly\"," \
	" \"video_config\": {\"codec\": \"VP8\", \"width\": 640, \"height\": 360, \"export_file\": true," \
	"  \"watermark\": {\"url\": \"https://example.com/w.png\", \"size\": {\"width\": 10, \"height\": 10}," \
	"   \"position\": \"left top\"}}," \
	" \"audio_config\": {\"codec\": \"AAC\", \"channel\": \"stereo\", \"export_file\": false}," \
	" \"storage_config\": {\"type\": \"aws\", \"access_key\": \"AK\", \"secret\": \"SK\", \"bucket\": \"b\"," \
	"  \"region\": \"us-east-1\", \"path\": \"rec/\"}," \
	" \"realtimekit_bucket_config\": {\"enabled\": true}," \
	" \"live_streaming_config\": {\"rtmp_url\": \"rtmp://a.example/live\"}}"

#define FULL_AI_CONFIG \
	"{\"transcription\": {\"keywords\": [\"RTK\"], \"language\": \"de\", \"profanity_filter\": true}," \
	" \"summarization\": {\"word_limit\": 150, \"text_format\": \"plain_text\", \"summary_type\": \"lecture\"}}"

static void test_meeting_settings(void)
{
	json_t *root;
	CHECK_EQ_INT(request("POST", "/v2/meetings", NULL, "{}", &root), 201);
	json_t *m = data_of(root);
	CHECK(json_is_null(json_object_get(m, "recording_config")));
	CHECK(json_is_null(json_object_get(m, "ai_config")));
	CHECK(json_is_null(json_object_get(m, "preferred_region")));
	CHECK_EQ_INT(json_integer_value(json_object_get(m, "session_keep_alive_time_in_secs")), 0);
	CHECK(json_is_false(json_object_get(m, "transcribe_on_end")));
	json_decref(root);

	CHECK_EQ_INT(request("POST", "/v2/meetings", NULL,
		"{\"title\": \"All set\", \"record_on_start\": null, \"live_stream_on_start\": null,"
		" \"preferred_region\": \"eu-central-1\", \"session_keep_alive_time_in_secs\": 120,"
		" \"transcribe_on_end\": true, \"recording_config\": " FULL_RECORDING_CONFIG ","
		" \"ai_config\": " FULL_AI_CONFIG "}", &root), 201);
	m = data_of(root);
	g_strlcpy(meeting_id, str_of(m, "id"), sizeof meeting_id);
	CHECK(json_is_false(json_object_get(m, "record_on_start")));
	CHECK_EQ_STR(str_of(m, "preferred_region"), "eu-central-1");
	CHECK_EQ_INT(json_integer_value(json_object_get(m, "session_keep_alive_time_in_secs")), 120);
	CHECK(json_is_true(json_object_get(m, "transcribe_on_end")));
	json_t *rc = json_object_get(m, "recording_config");
	CHECK_EQ_INT(json_integer_value(json_object_get(rc, "max_seconds")), 120);
	CHECK_EQ_STR(str_of(json_object_get(rc, "video_config"), "codec"), "VP8");
	/* the storage secrets are written, never shown */
	json_t *storage = json_object_get(rc, "storage_config");
	CHECK_EQ_STR(str_of(storage, "bucket"), "b");
	CHECK_NULL(json_object_get(storage, "access_key"));
	CHECK_NULL(json_object_get(storage, "secret"));
	json_t *ai = json_object_get(m, "ai_config");
	CHECK_EQ_STR(str_of(json_object_get(ai, "transcription"), "language"), "de");
	char *created = json_dumps(m, JSON_SORT_KEYS);
	json_decref(root);
	json_t *stored = NULL;
	CHECK_EQ_INT(rtk_store_meeting_get(store, meeting_id, &stored), RTK_STORE_OK);
	CHECK_EQ_STR(str_of(json_object_get(json_object_get(stored, "recording_config"), "storage_config"),
		"secret"), "SK");
	json_decref(stored);

	/* GET and the list show the same */
	CHECK_EQ_INT(request("GET", "/v2/meetings/{M}", NULL, NULL, &root), 200);
	char *fetched = json_dumps(data_of(root), JSON_SORT_KEYS);
	CHECK_EQ_STR(fetched, created);
	free(fetched);
	json_decref(root);
	CHECK_EQ_INT(request("GET", "/v2/meetings", "per_page=1", NULL, &root), 200);
	fetched = json_dumps(json_array_get(data_of(root), 0), JSON_SORT_KEYS);
	CHECK_EQ_STR(fetched, created);
	free(fetched);
	free(created);
	json_decref(root);

	/* PATCH changes what it names */
	CHECK_EQ_INT(request("PATCH", "/v2/meetings/{M}", NULL,
		"{\"session_keep_alive_time_in_secs\": 30.5, \"ai_config\": null, \"status\": \"INACTIVE\"}", &root), 200);
	m = data_of(root);
	CHECK(json_real_value(json_object_get(m, "session_keep_alive_time_in_secs")) == 30.5);
	CHECK(json_is_null(json_object_get(m, "ai_config")));
	CHECK_EQ_STR(str_of(m, "preferred_region"), "eu-central-1");
	json_decref(root);

	/* PUT: what it does not give returns to the default; the status stays */
	CHECK_EQ_INT(request("PUT", "/v2/meetings/{M}", NULL, "{\"title\": \"Replaced\", \"persist_chat\": true}",
		&root), 200);
	m = data_of(root);
	CHECK_EQ_STR(str_of(m, "id"), meeting_id);
	CHECK_EQ_STR(str_of(m, "title"), "Replaced");
	CHECK(json_is_true(json_object_get(m, "persist_chat")));
	CHECK(json_is_null(json_object_get(m, "recording_config")));
	CHECK(json_is_null(json_object_get(m, "preferred_region")));
	CHECK_EQ_INT(json_integer_value(json_object_get(m, "session_keep_alive_time_in_secs")), 0);
	CHECK(json_is_false(json_object_get(m, "transcribe_on_end")));
	CHECK_EQ_STR(str_of(m, "status"), "INACTIVE");
	json_decref(root);
	CHECK_EQ_INT(request("PUT", "/v2/meetings/{M}", NULL, "{\"status\": \"ACTIVE\"}", &root), 200);
	CHECK_EQ_STR(str_of(data_of(root), "status"), "ACTIVE");
	CHECK(json_is_null(json_object_get(data_of(root), "title")));
	CHECK(json_is_false(json_object_get(data_of(root), "persist_chat")));
	json_decref(root);
	CHECK_EQ_INT(request("PUT", "/accounts/a/realtime/kit/b/meetings/{M}", NULL, "{\"title\": \"CF\"}", &root), 200);
	CHECK_EQ_STR(str_of(data_of(root), "title"), "CF");
	json_decref(root);

	static const struct {
		const char *method, *body, *needle;
	} bad[] = {
		{ "POST", "{\"preferred_region\": \"mars-1\"}", "ap-south-1, ap-southeast-1, us-east-1, eu-central-1" },
		{ "POST", "{\"preferred_region\": 1}", "'preferred_region'" },
		{ "POST", "{\"transcribe_on_end\": \"yes\"}", "'transcribe_on_end'" },
		{ "POST", "{\"session_keep_alive_time_in_secs\": 601}", "from 0 to 600" },
		{ "POST", "{\"session_keep_alive_time_in_secs\": -1}", "'session_keep_alive_time_in_secs'" },
		{ "POST", "{\"session_keep_alive_time_in_secs\": \"60\"}", "'session_keep_alive_time_in_secs'" },
		{ "POST", "{\"session_keep_alive_time_in_secs\": null}", "'session_keep_alive_time_in_secs'" },
		{ "POST", "{\"recording_config\": []}", "'recording_config'" },
		{ "POST", "{\"recording_config\": {\"max_seconds\": 59}}", "'recording_config.max_seconds' must be an integer from 60 to 86400" },
		{ "POST", "{\"recording_config\": {\"max_seconds\": 86401}}", "'recording_config.max_seconds'" },
		{ "POST", "{\"recording_config\": {\"file_name_prefix\": \"../x\"}}", "'recording_config.file_name_prefix'" },
		{ "POST", "{\"recording_config\": {\"video_config\": 1}}", "'recording_config.video_config' must be an object" },
		{ "POST", "{\"recording_config\": {\"video_config\": {\"codec\": \"VP9\"}}}", "must be one of H264, VP8" },
		{ "POST", "{\"recording_config\": {\"video_config\": {\"width\": 1921}}}", "'recording_config.video_config.width'" },
		{ "POST", "{\"recording_config\": {\"video_config\": {\"height\": 0}}}", "'recording_config.video_config.height'" },
		{ "POST", "{\"recording_config\": {\"video_config\": {\"watermark\": {\"position\": \"middle\"}}}}",
			"'recording_config.video_config.watermark.position'" },
		{ "POST", "{\"recording_config\": {\"video_config\": {\"watermark\": {\"url\": \"ftp://x\"}}}}",
			"'recording_config.video_config.watermark.url'" },
		{ "POST", "{\"recording_config\": {\"audio_config\": {\"codec\": \"OPUS\"}}}", "MP3, AAC" },
		{ "POST", "{\"recording_config\": {\"audio_config\": {\"channel\": \"surround\"}}}", "mono, stereo" },
		{ "POST", "{\"recording_config\": {\"storage_config\": {\"bucket\": \"b\"}}}",
			"field 'recording_config.storage_config.type' is required" },
		{ "POST", "{\"recording_config\": {\"storage_config\": {\"type\": \"ftp\"}}}", "aws, azure" },
		{ "POST", "{\"recording_config\": {\"storage_config\": {\"type\": \"sftp\", \"port\": 0}}}",
			"'recording_config.storage_config.port'" },
		{ "POST", "{\"recording_config\": {\"realtimekit_bucket_config\": {}}}",
			"'recording_config.realtimekit_bucket_config.enabled' is required" },
		{ "POST", "{\"recording_config\": {\"dyte_bucket_config\": {\"enabled\": \"no\"}}}",
			"'recording_config.dyte_bucket_config.enabled'" },
		{ "POST", "{\"ai_config\": {\"transcription\": {\"language\": \"xx\"}}}", "en-US, en-IN" },
		{ "POST", "{\"ai_config\": {\"transcription\": {\"keywords\": [1]}}}", "an array of strings" },
		{ "POST", "{\"ai_config\": {\"summarization\": {\"word_limit\": 149}}}", "from 150 to 1000" },
		{ "POST", "{\"ai_config\": {\"summarization\": {\"summary_type\": \"poem\"}}}", "'ai_config.summarization.summary_type'" },
		{ "POST", "{\"ai_config\": {\"summarization\": {\"text_format\": \"html\"}}}", "plain_text, markdown" },
		{ "PATCH", "{\"record_on_start\": null}", "'record_on_start'" },
		{ "PATCH", "{\"recording_config\": {\"max_seconds\": 1.5}}", "'recording_config.max_seconds'" },
		{ "PUT", "{\"status\": \"DONE\"}", "ACTIVE, INACTIVE" },
		{ "PUT", "{\"ai_config\": 5}", "'ai_config'" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
		expect_refusal(bad[i].method, strcmp(bad[i].method, "POST") ? "/v2/meetings/{M}" : "/v2/meetings",
			NULL, bad[i].body, 400, bad[i].needle);
	expect_refusal("PUT", "/v2/meetings/" NO_SUCH_ID, NULL, "{}", 404, NO_SUCH_ID);
	expect_refusal("PUT", "/v2/meetings/{M}", NULL, "[]", 400, "object");
}

/* The number of meetings a list query finds (its paging total), or -1
 * when it is refused. */
static int meetings_found(const char *query)
{
	json_t *root;
	int status = request("GET", "/v2/meetings", query, NULL, &root);
	int total = status == 200 ?
		(int)json_integer_value(json_object_get(json_object_get(root, "paging"), "total_count")) : -1;
	json_decref(root);
	return total;
}

static void test_meeting_list_filters(void)
{
	json_t *root;
	int all = meetings_found(NULL);
	create_meeting("{\"title\": \"Quarterly ZEBRA review\"}");
	char zebra[64];
	g_strlcpy(zebra, meeting_id, sizeof zebra);
	g_usleep(5000);   /* created_at has milliseconds: the two must differ for the time filters below */
	create_meeting("{\"title\": \"zebra crossing\"}");
	CHECK_EQ_INT(request("PATCH", "/v2/meetings/{M}", NULL, "{\"status\": \"INACTIVE\"}", NULL), 200);
	CHECK_EQ_INT(meetings_found(NULL), all + 2);
	CHECK_EQ_INT(meetings_found("search=zebra"), 2);
	CHECK_EQ_INT(meetings_found("search=ZeBrA&status=ACTIVE"), 1);
	CHECK_EQ_INT(meetings_found("search=zebra&status=INACTIVE"), 1);
	CHECK_EQ_INT(meetings_found("search=zebra&status=ACTIVE&status=INACTIVE"), 2);
	CHECK_EQ_INT(meetings_found("search=zebra&status=ACTIVE,INACTIVE"), 2);
	CHECK_EQ_INT(meetings_found("search=zebra%20crossing"), 1);
	CHECK_EQ_INT(meetings_found("search=z_bra"), 0);
	char query[256];
	g_snprintf(query, sizeof query, "search=%.13s", zebra + 5);   /* a piece of the id */
	CHECK_EQ_INT(meetings_found(query), 1);
	CHECK_EQ_INT(meetings_found("search="), all + 2);   /* empty: no narrowing */

	/* times: on created_at, inclusive */
	CHECK_EQ_INT(request("GET", "/v2/meetings/{M}", NULL, NULL, &root), 200);
	char created[64];
	g_strlcpy(created, str_of(data_of(root), "created_at"), sizeof created);
	json_decref(root);
	g_snprintf(query, sizeof query, "search=zebra&start_time=%s", created);
	CHECK_EQ_INT(meetings_found(query), 1);
	g_snprintf(query, sizeof query, "search=zebra&end_time=%s", created);
	CHECK_EQ_INT(meetings_found(query), 2);
	g_snprintf(query, sizeof query, "search=zebra&start_time=%s&end_time=%s", created, created);
	CHECK_EQ_INT(meetings_found(query), 1);
	CHECK_EQ_INT(meetings_found("start_time=2000-01-01&end_time=2000-12-31T23:59:59%2B01:00"), 0);
	CHECK_EQ_INT(meetings_found("search=zebra&start_time=2000-01-01"), 2);
	CHECK_EQ_INT(meetings_found("search=zebra&end_time=9999-12-31"), 2);
	CHECK_EQ_INT(meetings_found("status=INACTIVE&per_page=1") + meetings_found("status=ACTIVE"), all + 2);

	/* the list shows the page of the narrowed rows */
	CHECK_EQ_INT(request("GET", "/v2/meetings", "search=zebra&per_page=1&page_no=2", NULL, &root), 200);
	check_paging(root, 1, 2, 2, 2);
	CHECK_EQ_STR(str_of(json_array_get(data_of(root), 0), "id"), zebra);
	json_decref(root);
	CHECK_EQ_INT(request("GET", "/accounts/a/realtime/kit/b/meetings", "search=ZEBRA", NULL, &root), 200);
	CHECK_EQ_INT((int)json_array_size(data_of(root)), 2);
	json_decref(root);

	static const struct {
		const char *query, *needle;
	} bad[] = {
		{ "start_time=yesterday", "query parameter 'start_time' must be an ISO 8601 date-time" },
		{ "end_time=2026-02-30", "'end_time'" },
		{ "start_time=", "'start_time'" },
		{ "start_time=2026-01-02&end_time=2026-01-01", "is after 'end_time'" },
		{ "status=DONE", "query parameter 'status' must be one of ACTIVE, INACTIVE" },
		{ "status=ACTIVE&status=active", "not 'active'" },
		{ "status=ACTIVE,", "not ''" },
		{ "status=", "'status'" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
		expect_refusal("GET", "/v2/meetings", bad[i].query, NULL, 400, bad[i].needle);
}

static void test_preset_parity(void)
{
	json_t *root;
	CHECK_EQ_INT(request("POST", "/v2/presets", NULL,
		"{\"name\": \"audio_room_speaker\", \"config\": {\"view_type\": \"AUDIO_ROOM\","
		" \"media\": {\"video\": {\"quality\": \"uhd\"}, \"screenshare\": {\"quality\": \"fhd\"}}},"
		" \"permissions\": {\"media\": {\"video\": {\"can_produce\": \"NOT_ALLOWED\"}}}}", &root), 201);
	json_t *p = data_of(root);
	g_strlcpy(preset_id, str_of(p, "id"), sizeof preset_id);
	json_t *config = json_object_get(p, "config");
	CHECK_EQ_STR(str_of(config, "view_type"), "AUDIO_ROOM");
	CHECK_EQ_STR(str_of(json_object_get(json_object_get(config, "media"), "video"), "quality"), "uhd");
	CHECK_EQ_STR(str_of(json_object_get(json_object_get(config, "media"), "screenshare"), "quality"), "fhd");
	CHECK_EQ_INT(json_integer_value(json_object_get(json_object_get(json_object_get(config, "media"), "video"),
		"frame_rate")), 30);   /* merged onto the default */
	json_decref(root);
	CHECK_EQ_INT(request("GET", "/v2/presets/{S}", NULL, NULL, &root), 200);
	CHECK_EQ_STR(str_of(json_object_get(data_of(root), "config"), "view_type"), "AUDIO_ROOM");
	json_decref(root);
	CHECK_EQ_INT(request("PATCH", "/v2/presets/{S}", NULL,
		"{\"config\": {\"media\": {\"video\": {\"quality\": \"fhd\"}}}}", &root), 200);
	config = json_object_get(data_of(root), "config");
	CHECK_EQ_STR(str_of(config, "view_type"), "AUDIO_ROOM");
	CHECK_EQ_STR(str_of(json_object_get(json_object_get(config, "media"), "video"), "quality"), "fhd");
	json_decref(root);

	/* PUT: the name is required; every document not given is the default's again */
	json_t *tmpl = default_preset("group_call_participant");
	CHECK_EQ_INT(request("PUT", "/v2/presets/{S}", NULL,
		"{\"name\": \"audio_room_listener\", \"config\": {\"view_type\": \"AUDIO_ROOM\"}}", &root), 200);
	p = data_of(root);
	CHECK_EQ_STR(str_of(p, "id"), preset_id);
	CHECK_EQ_STR(str_of(p, "name"), "audio_room_listener");
	CHECK_EQ_STR(str_of(json_object_get(p, "config"), "view_type"), "AUDIO_ROOM");
	CHECK_EQ_STR(str_of(json_object_get(json_object_get(json_object_get(p, "config"), "media"), "video"),
		"quality"), "hd");
	CHECK(json_equal(json_object_get(p, "permissions"), json_object_get(tmpl, "permissions")));
	CHECK(json_equal(json_object_get(p, "ui"), json_object_get(tmpl, "ui")));
	json_decref(root);
	json_decref(tmpl);
	CHECK_EQ_INT(request("PUT", "/accounts/a/realtime/kit/b/presets/{S}", NULL, "{\"name\": \"cf_put\"}", &root), 200);
	CHECK_EQ_STR(str_of(json_object_get(data_of(root), "config"), "view_type"), "GROUP_CALL");
	json_decref(root);

	expect_refusal("PUT", "/v2/presets/{S}", NULL, "{\"config\": {}}", 400, "field 'name' is required");
	expect_refusal("PUT", "/v2/presets/{S}", NULL, "{\"name\": \"x\", \"config\": {\"view_type\": \"RADIO\"}}",
		400, "GROUP_CALL, WEBINAR, AUDIO_ROOM, LIVESTREAM");
	expect_refusal("PUT", "/v2/presets/{S}", NULL, "{\"name\": \"group_call_host\"}", 409, "group_call_host");
	expect_refusal("PUT", "/v2/presets/" NO_SUCH_ID, NULL, "{\"name\": \"y\"}", 404, "preset");
	expect_refusal("POST", "/v2/presets", NULL,
		"{\"name\": \"x\", \"config\": {\"media\": {\"screenshare\": {\"quality\": \"4k\"}}}}", 400,
		"hd, vga, qvga, fhd, uhd");
}

/* The tokenGeneration claim of a token (-1 when it does not verify). */
static long long token_generation(const char *token)
{
	json_t *claims = NULL;
	if (!token || rtk_jwt_verify(token, (const unsigned char *)SECRET, strlen(SECRET), (long long)time(NULL),
			&claims) != RTK_JWT_OK)
		return -1;
	long long g = json_integer_value(json_object_get(claims, "tokenGeneration"));
	json_decref(claims);
	return g;
}

static void test_participant_parity(void)
{
	create_meeting("{\"title\": \"legacy\"}");
	json_t *root;
	/* the legacy name, echoed under both */
	CHECK_EQ_INT(request("POST", "/v2/meetings/{M}/participants", NULL,
		"{\"name\": \"Old Code\", \"preset_name\": \"group_call_host\", \"client_specific_id\": \"legacy-7\"}",
		&root), 201);
	json_t *p = data_of(root);
	g_strlcpy(participant_id, str_of(p, "id"), sizeof participant_id);
	CHECK_EQ_STR(str_of(p, "custom_participant_id"), "legacy-7");
	CHECK_EQ_STR(str_of(p, "client_specific_id"), "legacy-7");
	check_token(str_of(p, "token"), participant_id, "group_call_host");
	json_decref(root);
	CHECK_EQ_INT(request("GET", "/v2/meetings/{M}/participants/{P}", NULL, NULL, &root), 200);
	CHECK_EQ_STR(str_of(data_of(root), "custom_participant_id"), "legacy-7");
	json_decref(root);
	/* both names, equal: fine, and the new name alone gets no legacy echo */
	CHECK_EQ_INT(request("POST", "/v2/meetings/{M}/participants", NULL,
		"{\"preset_name\": \"group_call_host\", \"client_specific_id\": \"x\", \"custom_participant_id\": \"x\"}",
		NULL), 201);
	CHECK_EQ_INT(request("POST", "/v2/meetings/{M}/participants", NULL,
		"{\"preset_name\": \"group_call_host\", \"custom_participant_id\": \"y\"}", &root), 201);
	CHECK_NULL(json_object_get(data_of(root), "client_specific_id"));
	json_decref(root);
	expect_refusal("POST", "/v2/meetings/{M}/participants", NULL,
		"{\"preset_name\": \"group_call_host\", \"client_specific_id\": \"a\", \"custom_participant_id\": \"b\"}",
		400, "must be equal");
	expect_refusal("POST", "/v2/meetings/{M}/participants", NULL, "{\"preset_name\": \"group_call_host\"}",
		400, "field 'custom_participant_id' is required (or its legacy name 'client_specific_id')");
	expect_refusal("POST", "/v2/meetings/{M}/participants", NULL,
		"{\"preset_name\": \"group_call_host\", \"client_specific_id\": 5}", 400, "'client_specific_id'");

	/* PATCH answers a token of the current generation: nothing is revoked */
	CHECK_EQ_INT(request("PATCH", "/v2/meetings/{M}/participants/{P}", NULL,
		"{\"preset_name\": \"webinar_viewer\"}", &root), 200);
	p = data_of(root);
	CHECK_EQ_STR(str_of(p, "preset_name"), "webinar_viewer");
	check_token(str_of(p, "token"), participant_id, "webinar_viewer");
	CHECK_EQ_INT(token_generation(str_of(p, "token")), 0);
	json_decref(root);
	long long generation = -1;
	CHECK_EQ_INT(rtk_store_token_generation_get(store, participant_id, &generation), RTK_STORE_OK);
	CHECK_EQ_INT(generation, 0);
	CHECK_EQ_INT(request("POST", "/v2/meetings/{M}/participants/{P}/token", NULL, NULL, NULL), 201);
	CHECK_EQ_INT(request("PATCH", "/v2/meetings/{M}/participants/{P}", NULL, "{\"name\": \"New\"}", &root), 200);
	CHECK_EQ_INT(token_generation(str_of(data_of(root), "token")), 1);
	json_decref(root);
	CHECK_EQ_INT(rtk_store_token_generation_get(store, participant_id, &generation), RTK_STORE_OK);
	CHECK_EQ_INT(generation, 1);
}

/* GET /.well-known/webhooks.json: no credentials, RealtimeKit's shape; GET
 * only; 404 while the server has no key. */
static void test_webhook_key_document(void)
{
	const char *pem = "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n";
	ctx.webhooks_public_key_pem = pem;
	json_t *root = NULL;
	CHECK_EQ_INT(request_full("GET", "/.well-known/webhooks.json", NULL, NULL, NULL, 0, &root), 200);
	CHECK_EQ_INT((int)json_object_size(root), 3);
	CHECK(json_is_true(json_object_get(root, "success")));
	CHECK_EQ_STR(str_of(root, "message"), "");
	CHECK_EQ_INT((int)json_object_size(data_of(root)), 1);
	CHECK_EQ_STR(str_of(data_of(root), "publicKey"), pem);
	json_decref(root);
	CHECK_EQ_INT(request_full("GET", "/.well-known/webhooks.json", NULL, "Bearer wrong", NULL, 0, NULL), 200);
	CHECK_EQ_INT(request_full("POST", "/.well-known/webhooks.json", NULL, NULL, "{}", 2, NULL), 405);
	CHECK_EQ_INT(request_full("GET", "/.well-known/webhooks.jsonx", NULL, NULL, NULL, 0, NULL), 401);
	ctx.webhooks_public_key_pem = NULL;
	CHECK_EQ_INT(request_full("GET", "/.well-known/webhooks.json", NULL, NULL, NULL, 0, NULL), 404);
}

/* Signed links (signed_url.h): what a valid one checks, and every way one
 * can be wrong. */
static void test_signed_url(void)
{
	static const unsigned char secret[] = { 's', 0, 'e', 'c', 'r', 'e', 't' };   /* a NUL inside counts */
	static const unsigned char other[] = { 's' };
	char *query = rtk_signed_url_query(secret, sizeof secret, "recording-download", "id-1", 2000000000LL);
	CHECK(query != NULL && g_str_has_prefix(query, "expires=2000000000&signature="));
	const char *sig = strchr(query, '&') + strlen("&signature=");
	CHECK_EQ_INT(strlen(sig), 64);
	CHECK_EQ_INT(rtk_signed_url_check(secret, sizeof secret, "recording-download", "id-1", "2000000000", sig,
		1000), RTK_SIGNED_URL_OK);
	CHECK_EQ_INT(rtk_signed_url_check(secret, sizeof secret, "recording-download", "id-1", "2000000000", sig,
		2000000001LL), RTK_SIGNED_URL_EXPIRED);
	CHECK_EQ_INT(rtk_signed_url_check(secret, sizeof secret, "chat-export", "id-1", "2000000000", sig, 1000),
		RTK_SIGNED_URL_INVALID);                                    /* another purpose */
	CHECK_EQ_INT(rtk_signed_url_check(secret, sizeof secret, "recording-download", "id-2", "2000000000", sig,
		1000), RTK_SIGNED_URL_INVALID);                             /* another id */
	CHECK_EQ_INT(rtk_signed_url_check(secret, sizeof secret, "recording-download", "id-1", "2000000001", sig,
		1000), RTK_SIGNED_URL_INVALID);                             /* another expiry */
	CHECK_EQ_INT(rtk_signed_url_check(other, sizeof other, "recording-download", "id-1", "2000000000", sig,
		1000), RTK_SIGNED_URL_INVALID);                             /* the secret up to its NUL */
	CHECK_EQ_INT(rtk_signed_url_check(secret, sizeof secret, "recording-download", "id-1", "2000000000x", sig,
		1000), RTK_SIGNED_URL_INVALID);
	CHECK_EQ_INT(rtk_signed_url_check(secret, sizeof secret, "recording-download", "id-1", "", sig, 1000),
		RTK_SIGNED_URL_INVALID);
	CHECK_EQ_INT(rtk_signed_url_check(secret, sizeof secret, "recording-download", "id-1", NULL, sig, 1000),
		RTK_SIGNED_URL_INVALID);
	CHECK_EQ_INT(rtk_signed_url_check(secret, sizeof secret, "recording-download", "id-1", "2000000000", NULL,
		1000), RTK_SIGNED_URL_INVALID);
	char *upper = g_ascii_strup(sig, -1);
	CHECK_EQ_INT(rtk_signed_url_check(secret, sizeof secret, "recording-download", "id-1", "2000000000", upper,
		1000), RTK_SIGNED_URL_INVALID);                             /* lower-case hex only */
	g_free(upper);
	free(query);
	char *iso = rtk_signed_url_iso8601(2000000000LL);
	CHECK_EQ_STR(iso, "2033-05-18T03:33:20.000Z");
	g_free(iso);
}


/* ---- Several nodes (rest_nodes.c, node_forward.h) ---- */

/* A request as another node forwarded it (`forwarded_by` non-NULL) or a
 * client sent it; returns the status and the error message (g_free()). */
static int request_node(const char *method, const char *path, const char *body, const char *forwarded_by,
	char **message)
{
	char *full_path = expand(path);
	rtk_rest_request req = {
		.method = method, .path = full_path, .authorization = bearer, .forwarded_by = forwarded_by,
		.body = body, .body_len = body ? strlen(body) : 0,
	};
	rtk_rest_reply reply = { .status = -1 };
	rtk_rest_dispatch(&ctx, &req, &reply);
	json_t *root = check_envelope(&reply);
	int status = reply.status;
	if (message)
		*message = g_strdup(error_message(root) ? error_message(root) : "");
	json_decref(root);
	rtk_rest_reply_clear(&reply);
	g_free(full_path);
	return status;
}

/* The meeting is live on node "other" (a valid lease) whose REST URL
 * answers nothing: a live operation through this node ("self") is
 * forwarded there and answered 503, never acted on here; a request that
 * was itself forwarded is answered here (never forwarded again); a
 * meeting placed here, or whose lease ended, is answered here; the
 * internal requests exist only for forwarded requests on a node. */
static void test_node_forward(void)
{
	create_meeting("{\"title\": \"On another node\"}");
	create_participant("{\"name\": \"Ada\", \"preset_name\": \"group_call_host\", \"custom_participant_id\": \"ada-node\"}");
	/* port 1 on loopback: nothing listens, the connection is refused at once */
	CHECK_EQ_INT(rtk_store_node_heartbeat(store, "other", "ws://127.0.0.1:1/", "http://127.0.0.1:1"), RTK_STORE_OK);
	json_t *placement = NULL;
	CHECK_EQ_INT(rtk_store_placement_claim(store, meeting_id, "other", 60, &placement, NULL), RTK_STORE_OK);
	json_decref(placement);

	/* one node: nothing is forwarded, the store is not asked */
	CHECK(!rtk_rest_nodes_may_forward(&ctx, "GET", "/v2/meetings/x/active-session"));
	CHECK_EQ_INT(request_node("GET", "/v2/meetings/{M}/active-session", NULL, NULL, NULL), 404);

	ctx.nodes = rtk_node_forward_new(store, "self", API_KEY, 2);
	CHECK_NOT_NULL(ctx.nodes);
	CHECK(rtk_rest_nodes_may_forward(&ctx, "GET", "/v2/meetings/x/active-session"));
	CHECK(rtk_rest_nodes_may_forward(&ctx, "GET", "/v2/recordings/active-recording/x?a=b"));
	CHECK(rtk_rest_nodes_may_forward(&ctx, "GET", "/v2/chat-files/m/f?token=t"));
	CHECK(rtk_rest_nodes_may_forward(&ctx, "POST", "/v2/meetings"));
	CHECK(!rtk_rest_nodes_may_forward(&ctx, "GET", "/v2/meetings/x"));
	CHECK(!rtk_rest_nodes_may_forward(&ctx, "GET", "/v2/recordings"));

	char *message = NULL;
	gint64 started = g_get_monotonic_time();
	CHECK_EQ_INT(request_node("GET", "/v2/meetings/{M}/active-session", NULL, NULL, &message), 503);
	CHECK(strstr(message, "node 'other'") != NULL);
	CHECK(g_get_monotonic_time() - started < 2 * G_USEC_PER_SEC);
	g_free(message);
	CHECK_EQ_INT(request_node("POST", "/v2/meetings/{M}/active-session/kick-all", "{}", NULL, NULL), 503);
	CHECK_EQ_INT(request_node("POST", "/v2/meetings/{M}/livestreams", "{}", NULL, NULL), 503);
	CHECK_EQ_INT(request_node("GET", "/v2/recordings/active-recording/{M}", NULL, NULL, NULL), 503);
	char *body = g_strdup_printf("{\"meeting_id\": \"%s\"}", meeting_id);
	CHECK_EQ_INT(request_node("POST", "/v2/recordings", body, NULL, NULL), 503);
	g_free(body);
	/* a participant DELETE is the owner's to do: nothing changes here */
	char *before = snapshot();
	CHECK_EQ_INT(request_node("DELETE", "/v2/meetings/{M}/participants/{P}", NULL, NULL, NULL), 503);
	CHECK_EQ_INT(request_node("POST", "/v2/meetings/{M}/participants/{P}/token", NULL, NULL, NULL), 503);
	char *after = snapshot();
	CHECK_EQ_STR(after, before);
	g_free(before);
	g_free(after);
	/* reads of the store are never forwarded */
	CHECK_EQ_INT(request_node("GET", "/v2/meetings/{M}/participants/{P}", NULL, NULL, NULL), 200);

	/* forwarded to us: answered here, whatever the placement says */
	CHECK_EQ_INT(request_node("GET", "/v2/meetings/{M}/active-session", NULL, "other", &message), 404);
	CHECK(strstr(message, "no active session") != NULL);
	g_free(message);

	/* a preset write reaches this node and tries every node with live
	 * meetings: the one that does not answer is logged, the write stands */
	json_t *presets = NULL;
	int total = 0;
	CHECK_EQ_INT(rtk_store_preset_list(store, 0, 1, &presets, &total), RTK_STORE_OK);
	g_strlcpy(preset_id, str_of(json_array_get(presets, 0), "id"), sizeof preset_id);
	json_decref(presets);
	CHECK_EQ_INT(request_node("PATCH", "/v2/presets/{S}", "{\"permissions\": {\"kick_participant\": true}}",
		NULL, NULL), 200);
	/* the internal request: only when forwarded, with the API key */
	CHECK_EQ_INT(request_node("POST", "/v2/internal/presets/{S}/changed", NULL, NULL, NULL), 404);
	CHECK_EQ_INT(request_node("POST", "/v2/internal/presets/{S}/changed", NULL, "other", NULL), 200);
	CHECK_EQ_INT(request_node("GET", "/v2/internal/presets/{S}/changed", NULL, "other", NULL), 405);
	CHECK_EQ_INT(request_node("POST", "/v2/internal/presets/" NO_SUCH_ID "/changed", NULL, "other", NULL), 404);
	CHECK_EQ_INT(request_node("GET", "/v2/internal/meetings/{M}/chat-files/" NO_SUCH_ID "/visible", NULL,
		"other", NULL), 400);

	/* the lease ended: answered here, as a meeting with no live session */
	CHECK_EQ_INT(rtk_store_placement_release(store, meeting_id, "other"), RTK_STORE_OK);
	CHECK_EQ_INT(rtk_store_placement_claim(store, meeting_id, "other", -1, &placement, NULL), RTK_STORE_OK);
	json_decref(placement);
	CHECK_EQ_INT(request_node("GET", "/v2/meetings/{M}/active-session", NULL, NULL, NULL), 404);
	/* placed here: answered here */
	CHECK_EQ_INT(rtk_store_placement_claim(store, meeting_id, "self", 60, &placement, NULL), RTK_STORE_OK);
	json_decref(placement);
	CHECK_EQ_INT(request_node("GET", "/v2/meetings/{M}/active-session", NULL, NULL, NULL), 404);
	CHECK_EQ_INT(rtk_store_placement_release(store, meeting_id, "self"), RTK_STORE_OK);

	rtk_node_forward_free(ctx.nodes);
	ctx.nodes = NULL;
}

int main(void)
{
	setup();
	UNIT_RUN(test_query_parser);
	UNIT_RUN(test_signed_url);
	UNIT_RUN(test_default_presets_shape);
	UNIT_RUN(test_default_presets_behaviour);
	UNIT_RUN(test_auth);
	UNIT_RUN(test_preset_list);
	UNIT_RUN(test_meeting_create_defaults);
	UNIT_RUN(test_meeting_crud);
	UNIT_RUN(test_meeting_refusals);
	UNIT_RUN(test_routes);
	UNIT_RUN(test_paging);
	UNIT_RUN(test_preset_crud);
	UNIT_RUN(test_preset_refusals);
	UNIT_RUN(test_participant_crud);
	UNIT_RUN(test_participant_refusals);
	UNIT_RUN(test_plugin_crud);
	UNIT_RUN(test_webhook_crud);
	UNIT_RUN(test_webhook_refusals);
	UNIT_RUN(test_webhook_key_document);
	UNIT_RUN(test_session_history);
	UNIT_RUN(test_session_list_filters);
	UNIT_RUN(test_chat_file_checks);
	UNIT_RUN(test_chat_files_rest);
	UNIT_RUN(test_connected_meetings);
	UNIT_RUN(test_time_parse);
	UNIT_RUN(test_meeting_settings);
	UNIT_RUN(test_meeting_list_filters);
	UNIT_RUN(test_preset_parity);
	UNIT_RUN(test_participant_parity);
	UNIT_RUN(test_node_forward);
	teardown();
	return UNIT_DONE();
}
