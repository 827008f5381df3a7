/*
 * signal.c - REST and the Janus HTTP API for rtk-load (load.h), over libcurl.
 *
 * One lc_http per thread (a curl easy handle keeps its connections alive). REST requests carry
 * the API credentials (Basic org_id:api_key, or Bearer api_key: docs/rest.md); Janus requests
 * carry none. A plugin request is a Janus `message` (acked), then long polls of the session
 * (GET /janus/<session>?maxev=10) until the plugin event answering it arrives on that handle;
 * other events on the way (participantJoined, webrtcup, media, ...) are dropped: a load client
 * only needs each request's answer. The plugin is janus.plugin.rtk or, with --plugin videoroom,
 * Debian's janus.plugin.videoroom (event.c tells which message answers what); a synchronous
 * VideoRoom reply ("success") answers at once. Every json_t returned is the caller's to unref.
 */
#include <stdio.h>
#include <string.h>
#include <curl/curl.h>
#include "load.h"

struct lc_http {
	CURL *curl;
	char *auth_user;      /* "org_id:api_key" for Basic, or NULL */
	char *bearer;         /* "Authorization: Bearer ..." or NULL */
};

lc_http *lc_http_new(const char *auth_user, const char *bearer) {
	lc_http *http = g_new0(lc_http, 1);
	http->curl = curl_easy_init();
	http->auth_user = g_strdup(auth_user);
	http->bearer = bearer ? g_strdup_printf("Authorization: Bearer %s", bearer) : NULL;
	return http;
}

void lc_http_free(lc_http *http) {
	if(http == NULL)
		return;
	curl_easy_cleanup(http->curl);
	g_free(http->auth_user);
	g_free(http->bearer);
	g_free(http);
}

static size_t http_collect(char *data, size_t size, size_t n, void *user) {
	g_string_append_len(user, data, size * n);
	return size * n;
}

static json_t *http_do(lc_http *http, const char *url, json_t *body, gboolean authenticated,
		long *status, long timeout_s) {
	CURL *c = http->curl;
	GString *reply = g_string_new(NULL);
	struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, http_collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, reply);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if(authenticated && http->auth_user) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERPWD, http->auth_user);
	} else if(authenticated && http->bearer) {
		headers = curl_slist_append(headers, http->bearer);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	if(text != NULL)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, text);
	CURLcode rc = curl_easy_perform(c);
	long code = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if(status)
		*status = code;
	json_t *parsed = NULL;
	if(rc == CURLE_OK)
		parsed = json_loadb(reply->str, reply->len, 0, NULL);
	else
		fprintf(stderr, "rtk-load: %s: %s\n", url, curl_easy_strerror(rc));
	curl_slist_free_all(headers);
	free(text);
	g_string_free(reply, TRUE);
	return parsed;
}

json_t *lc_http_json(lc_http *http, const char *url, json_t *body, long *status, long timeout_s) {
	return http_do(http, url, body, TRUE, status, timeout_s);
}

/* ---------------------------------------------------------------- REST */

static char *rest_post_field(lc_http *http, const char *url, json_t *body, const char *field) {
	long status = 0;
	json_t *reply = http_do(http, url, body, TRUE, &status, 30);
	json_decref(body);
	const char *value = json_string_value(json_object_get(json_object_get(reply, "data"), field));
	char *out = value ? g_strdup(value) : NULL;
	if(out == NULL)
		fprintf(stderr, "rtk-load: POST %s: status %ld, no data.%s\n", url, status, field);
	json_decref(reply);
	return out;
}

char *lc_rest_create_meeting(lc_http *http, const char *base, const char *title) {
	char *url = g_strdup_printf("%s/v2/meetings", base);
	char *id = rest_post_field(http, url, json_pack("{ss}", "title", title), "id");
	g_free(url);
	return id;
}

char *lc_rest_add_participant(lc_http *http, const char *base, const char *meeting_id,
		const char *name, const char *preset) {
	char *url = g_strdup_printf("%s/v2/meetings/%s/participants", base, meeting_id);
	char *custom = g_strdup_printf("%s-%u@rtk-load", name, g_random_int());
	char *token = rest_post_field(http, url, json_pack("{ss ss ss}", "name", name, "preset_name", preset,
		"custom_participant_id", custom), "token");
	g_free(custom);
	g_free(url);
	return token;
}

/* ---------------------------------------------------------------- Janus */

static lc_plugin janus_plugin = LC_PLUGIN_RTK;

void lc_janus_set_plugin(lc_plugin plugin) {
	janus_plugin = plugin;
}

static json_t *janus_post(lc_http *http, const char *url, json_t *body) {
	char transaction[16];
	g_snprintf(transaction, sizeof(transaction), "%08x", g_random_int());
	json_object_set_new(body, "transaction", json_string(transaction));
	json_t *reply = http_do(http, url, body, FALSE, NULL, 30);
	json_decref(body);
	return reply;
}

static guint64 janus_data_id(json_t *reply, const char *what) {
	json_t *id = json_object_get(json_object_get(reply, "data"), "id");
	if(!json_is_integer(id)) {
		char *text = reply ? json_dumps(reply, JSON_COMPACT) : NULL;
		fprintf(stderr, "rtk-load: Janus %s failed: %s\n", what, text ? text : "(no reply)");
		free(text);
	}
	guint64 value = json_is_integer(id) ? (guint64)json_integer_value(id) : 0;
	json_decref(reply);
	return value;
}

guint64 lc_janus_create(lc_http *http, const char *janus) {
	return janus_data_id(janus_post(http, janus, json_pack("{ss}", "janus", "create")), "create");
}

guint64 lc_janus_attach(lc_http *http, const char *janus, guint64 session) {
	char *url = g_strdup_printf("%s/%" G_GUINT64_FORMAT, janus, session);
	guint64 id = janus_data_id(janus_post(http, url,
		json_pack("{ss ss}", "janus", "attach", "plugin",
		janus_plugin == LC_PLUGIN_VIDEOROOM ? "janus.plugin.videoroom" : "janus.plugin.rtk")), "attach");
	g_free(url);
	return id;
}

static void (*janus_unawaited)(json_t *message) = NULL;

void lc_janus_set_event_handler(void (*handler)(json_t *message)) {
	janus_unawaited = handler;
}

/* Hands a polled message that answers no request to the event handler. */
static void janus_pass_on(json_t *message) {
	if(janus_unawaited != NULL)
		janus_unawaited(message);
}

json_t *lc_janus_poll(lc_http *http, const char *janus, guint64 session) {
	char *poll = g_strdup_printf("%s/%" G_GUINT64_FORMAT "?maxev=10", janus, session);
	json_t *reply = http_do(http, poll, NULL, FALSE, NULL, 35);
	g_free(poll);
	json_t *list = json_is_array(reply) ? json_incref(reply) : json_pack("[O]", reply ? reply : json_null());
	json_decref(reply);
	return list;
}

static int janus_matches(json_t *message, guint64 handle, const char *expect) {
	return lc_event_matches(message, handle, janus_plugin, expect);
}

json_t *lc_janus_request(lc_http *http, const char *janus, guint64 session, guint64 handle,
		json_t *body, json_t *jsep, const char *expect, char *error, size_t errlen) {
	error[0] = '\0';
	char *url = g_strdup_printf("%s/%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT, janus, session, handle);
	json_t *message = json_pack("{ss sO}", "janus", "message", "body", body);
	if(jsep != NULL)
		json_object_set(message, "jsep", jsep);
	json_t *ack = janus_post(http, url, message);
	g_free(url);
	const char *kind = json_string_value(json_object_get(ack, "janus"));
	if(kind == NULL || (strcmp(kind, "ack") && strcmp(kind, "event") && strcmp(kind, "success"))) {
		char *text = ack ? json_dumps(ack, JSON_COMPACT) : g_strdup("(no reply)");
		g_snprintf(error, errlen, "%s: %s", expect, text);
		free(text);
		json_decref(ack);
		return NULL;
	}
	json_t *found = NULL;
	/* an event, or a synchronous reply ("success": VideoRoom's exists/create) may answer at once */
	int now = strcmp(kind, "ack") ? janus_matches(ack, handle, expect) : 0;
	if(now == 1)
		found = json_incref(ack);
	if(now == -1) {
		char *text = json_dumps(ack, JSON_COMPACT);
		g_snprintf(error, errlen, "%s: %s", expect, text);
		free(text);
		json_decref(ack);
		return NULL;
	}
	json_decref(ack);
	char *poll = g_strdup_printf("%s/%" G_GUINT64_FORMAT "?maxev=10", janus, session);
	gint64 deadline = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
	while(found == NULL && g_get_monotonic_time() < deadline) {
		json_t *reply = http_do(http, poll, NULL, FALSE, NULL, 35);
		json_t *list = json_is_array(reply) ? json_incref(reply) : json_pack("[O]", reply ? reply : json_null());
		size_t i;
		json_t *m;
		json_array_foreach(list, i, m) {
			int match = janus_matches(m, handle, expect);
			if(match == 1 && found == NULL) {
				found = json_incref(m);
			} else if(match == -1) {
				char *text = json_dumps(m, JSON_COMPACT);
				g_snprintf(error, errlen, "%s: %s", expect, text);
				free(text);
				deadline = 0;
			} else {
				janus_pass_on(m);
			}
		}
		json_decref(list);
		json_decref(reply);
	}
	g_free(poll);
	if(found == NULL && error[0] == '\0')
		g_snprintf(error, errlen, "%s: no answer within 30 s", expect);
	return found;
}

void lc_janus_keepalive(lc_http *http, const char *janus, guint64 session) {
	char *url = g_strdup_printf("%s/%" G_GUINT64_FORMAT, janus, session);
	json_decref(janus_post(http, url, json_pack("{ss}", "janus", "keepalive")));
	g_free(url);
}

void lc_janus_destroy(lc_http *http, const char *janus, guint64 session) {
	char *url = g_strdup_printf("%s/%" G_GUINT64_FORMAT, janus, session);
	json_decref(janus_post(http, url, json_pack("{ss}", "janus", "destroy")));
	g_free(url);
}
