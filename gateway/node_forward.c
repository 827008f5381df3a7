/*
 * node_forward.c - forwarding REST live operations to the node running the
 * meeting (node_forward.h; docs/deploy.md, "Live operations from any node").
 *
 * Why HTTP to the owner's REST URL rather than PostgreSQL LISTEN/NOTIFY
 * (which issue 15 names): a live operation needs the owner's answer (the
 * recording object, the kicked list, the exact error and status), and
 * the owner already has the code that gives it: its REST API. NOTIFY is
 * one-way with an 8000-byte payload; it would need a reply channel, a
 * correlation id and timeouts of its own, and a listening connection per
 * node beside the store's pool. Forwarding the request keeps one code
 * path for every live operation, on one node or several.
 *
 * Owns: the owner lookup (the meeting's placement, decided by
 * rtk_store_placement_decide() as a claim would), the libcurl transfers
 * (one easy handle per forward, no connection kept; a broadcast runs its
 * transfers at once in one multi handle), their bound (the forward
 * timeout, for connecting and answering together) and the 503/502
 * answers when the owner cannot give one. Nothing here logs a token, an
 * Authorization header or a query (a chat file download's query carries
 * a participant token): log lines name the node and the method only.
 */
#include "node_forward.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <curl/curl.h>

#include "rest_internal.h"
#include "util.h"

struct rtk_node_forward {
	rtk_store *store;     /* borrowed */
	char *node_id;
	char *api_key;
	int timeout_ms;
};

/* ---- module ---- */

/* libcurl's process-wide set-up, once (webhooks.c does the same: both
 * run at the gateway's start, on one thread). */
static gpointer node_forward_curl_init(gpointer unused)
{
	(void)unused;
	return GINT_TO_POINTER(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK);
}

rtk_node_forward *rtk_node_forward_new(rtk_store *store, const char *node_id, const char *api_key,
	int timeout_seconds)
{
	static GOnce curl_once = G_ONCE_INIT;
	if (node_id == NULL || *node_id == '\0')
		return NULL;
	if (!GPOINTER_TO_INT(g_once(&curl_once, node_forward_curl_init, NULL))) {
		g_warning("rtk nodes: libcurl did not initialise");
		return NULL;
	}
	rtk_node_forward *fw = g_new0(rtk_node_forward, 1);
	fw->store = store;
	fw->node_id = g_strdup(node_id);
	fw->api_key = g_strdup(api_key ? api_key : "");
	if (timeout_seconds <= 0)
		timeout_seconds = RTK_NODE_FORWARD_DEFAULT_TIMEOUT;
	fw->timeout_ms = MIN(timeout_seconds, RTK_NODE_FORWARD_MAX_TIMEOUT) * 1000;
	return fw;
}

void rtk_node_forward_free(rtk_node_forward *fw)
{
	if (fw == NULL)
		return;
	g_free(fw->node_id);
	if (fw->api_key) {
		memset(fw->api_key, 0, strlen(fw->api_key));
		g_free(fw->api_key);
	}
	g_free(fw);
}

const char *rtk_node_forward_node_id(const rtk_node_forward *fw)
{
	return fw->node_id;
}

int rtk_node_forward_timeout_ms(const rtk_node_forward *fw)
{
	return fw->timeout_ms;
}

/* ---- the owner ---- */

/* Is `placement` another node's with a valid lease, at this moment? */
static bool node_forward_held_elsewhere(const rtk_node_forward *fw, const json_t *placement)
{
	char *now = rtk_util_now_iso8601();
	if (now == NULL)
		return false;
	rtk_store_placement_rule rule = rtk_store_placement_decide(
		json_string_value(json_object_get(placement, "node_id")),
		json_string_value(json_object_get(placement, "lease_until")), fw->node_id, now);
	free(now);
	return rule == RTK_PLACEMENT_HELD;
}

rtk_node_owner rtk_node_forward_owner(rtk_node_forward *fw, const char *meeting_id, json_t **placement)
{
	*placement = NULL;
	json_t *row = NULL;
	rtk_store_status st = rtk_store_placement_get(fw->store, meeting_id, &row);
	if (st == RTK_STORE_NOT_FOUND)
		return RTK_NODE_OWNER_HERE;
	if (st != RTK_STORE_OK) {
		json_decref(row);
		return RTK_NODE_OWNER_FAILED;
	}
	if (!node_forward_held_elsewhere(fw, row)) {
		json_decref(row);
		return RTK_NODE_OWNER_HERE;
	}
	*placement = row;
	return RTK_NODE_OWNER_ELSEWHERE;
}

/* ---- one transfer ---- */

/* Each thread that forwards keeps one libcurl handle from one transfer to
 * the next (reset in between): libcurl keeps the handle's connections
 * open, so a writer thread talks to a node over one connection (one TLS
 * handshake with https:// REST URLs) rather than one per request. Freed
 * when the thread exits. */
static GPrivate node_thread_curl = G_PRIVATE_INIT((GDestroyNotify)curl_easy_cleanup);

static CURL *node_thread_handle(void)
{
	CURL *curl = g_private_get(&node_thread_curl);
	if (curl != NULL) {
		curl_easy_reset(curl);   /* options gone; connections and caches kept */
		return curl;
	}
	curl = curl_easy_init();
	g_private_set(&node_thread_curl, curl);
	return curl;
}

typedef struct node_transfer {
	CURL *curl;               /* borrowed: the thread's (node_thread_handle) */
	struct curl_slist *headers;
	char *url;
	GString *body;            /* the reply's body so far (not with spool_fd) */
	int spool_fd;             /* >= 0: the body goes to this file instead (a download) */
	bool too_large;
	char errbuf[CURL_ERROR_SIZE];
	const char *node_id;      /* borrowed: the target, for log lines */
} node_transfer;

static size_t node_transfer_on_body(char *data, size_t size, size_t n, void *user)
{
	node_transfer *t = user;
	size_t len = size * n;
	if (t->spool_fd >= 0) {   /* a download: to its file, however large (the owner's limit applies) */
		for (size_t done = 0; done < len; ) {
			ssize_t wrote = write(t->spool_fd, data + done, len - done);
			if (wrote <= 0)
				return 0;   /* ends the transfer (CURLE_WRITE_ERROR) */
			done += (size_t)wrote;
		}
		return len;
	}
	if (t->body->len + len > RTK_NODE_FORWARD_MAX_REPLY) {
		t->too_large = true;
		return 0;   /* ends the transfer (CURLE_WRITE_ERROR) */
	}
	g_string_append_len(t->body, data, (gssize)len);
	return len;
}

static void node_transfer_free(node_transfer *t)
{
	if (t == NULL)
		return;
	if (t->curl) {   /* the thread keeps the handle: nothing of this transfer stays set on it */
		curl_easy_setopt(t->curl, CURLOPT_HTTPHEADER, NULL);
		curl_easy_setopt(t->curl, CURLOPT_ERRORBUFFER, NULL);
		curl_easy_setopt(t->curl, CURLOPT_WRITEDATA, NULL);
	}
	curl_slist_free_all(t->headers);
	g_free(t->url);
	g_string_free(t->body, TRUE);
	g_free(t);
}

/* Appends "name: value" to the transfer's headers ("name:" for an empty
 * value: libcurl then sends none of its own); false when out of memory. */
static bool node_transfer_header(node_transfer *t, const char *name, const char *value)
{
	char *line = g_strdup_printf("%s:%s%s", name, *value ? " " : "", value);
	struct curl_slist *more = curl_slist_append(t->headers, line);
	g_free(line);
	if (more == NULL)
		return false;
	t->headers = more;
	return true;
}

/* `rest_url` without its trailing slashes, then `path` and `?query`. */
static char *node_transfer_url(const char *rest_url, const char *path, const char *query)
{
	size_t len = strlen(rest_url);
	while (len > 0 && rest_url[len - 1] == '/')
		len--;
	return g_strdup_printf("%.*s%s%s%s", (int)len, rest_url, path, query ? "?" : "", query ? query : "");
}

/* A transfer of `method` `path`?`query` to `rest_url` with `authorization`
 * (may be NULL) and `body` (body_len bytes, may be NULL), marked as
 * forwarded by this node; NULL when it cannot be set up. */
static node_transfer *node_transfer_new(const rtk_node_forward *fw, const char *node_id, const char *rest_url,
	const char *method, const char *path, const char *query, const char *authorization,
	const char *content_type, const char *body, size_t body_len)
{
	node_transfer *t = g_new0(node_transfer, 1);
	t->body = g_string_new(NULL);
	t->spool_fd = -1;
	t->node_id = node_id;
	t->url = node_transfer_url(rest_url, path, query);
	t->curl = node_thread_handle();
	bool ok = t->curl != NULL && node_transfer_header(t, RTK_NODE_FORWARDED_HEADER, fw->node_id) &&
		node_transfer_header(t, "Expect", "") &&
		(authorization == NULL || node_transfer_header(t, "Authorization", authorization)) &&
		(body_len == 0 || node_transfer_header(t, "Content-Type",
			content_type ? content_type : "application/json"));
	if (!ok) {
		node_transfer_free(t);
		return NULL;
	}
	int bad = 0;
#define NODE_SET(opt, value) bad |= curl_easy_setopt(t->curl, opt, value) != CURLE_OK
	NODE_SET(CURLOPT_URL, t->url);
	NODE_SET(CURLOPT_PROTOCOLS_STR, "http,https");
	NODE_SET(CURLOPT_FOLLOWLOCATION, 0L);
	NODE_SET(CURLOPT_PROXY, "");   /* never a proxy from the environment: nodes talk directly */
	NODE_SET(CURLOPT_NOPROXY, "*");
	NODE_SET(CURLOPT_NOSIGNAL, 1L);
	NODE_SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	NODE_SET(CURLOPT_TIMEOUT_MS, (long)fw->timeout_ms);
	NODE_SET(CURLOPT_CONNECTTIMEOUT_MS, (long)fw->timeout_ms);
	NODE_SET(CURLOPT_SSL_VERIFYPEER, 1L);
	NODE_SET(CURLOPT_SSL_VERIFYHOST, 2L);
	NODE_SET(CURLOPT_HTTPHEADER, t->headers);
	NODE_SET(CURLOPT_WRITEFUNCTION, node_transfer_on_body);
	NODE_SET(CURLOPT_WRITEDATA, t);
	NODE_SET(CURLOPT_ERRORBUFFER, t->errbuf);
	if (strcmp(method, "GET") == 0) {
		NODE_SET(CURLOPT_HTTPGET, 1L);
	} else if (strcmp(method, "HEAD") == 0) {
		NODE_SET(CURLOPT_NOBODY, 1L);
	} else {
		/* A body, even empty, so that Content-Length is always sent. */
		NODE_SET(CURLOPT_CUSTOMREQUEST, method);
		NODE_SET(CURLOPT_POSTFIELDSIZE, (long)body_len);
		NODE_SET(CURLOPT_POSTFIELDS, body_len ? body : "");
	}
#undef NODE_SET
	if (bad) {
		node_transfer_free(t);
		return NULL;
	}
	return t;
}

/* Why a transfer that ended with `rc` got no answer (a phrase). */
static void node_transfer_why(const node_transfer *t, CURLcode rc, char *why, size_t size)
{
	if (t->too_large)
		snprintf(why, size, "its reply is larger than %d bytes", RTK_NODE_FORWARD_MAX_REPLY);
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		snprintf(why, size, "no answer within the forward timeout");
	else   /* libcurl's text names the address and port, never the URL's path or query */
		snprintf(why, size, "%s", t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc));
}

/* ---- forwarding a request ---- */

static void node_forward_unreachable(rtk_rest_reply *reply, const json_t *placement, const char *why)
{
	char *meeting = rtk_rest_echo(json_string_value(json_object_get(placement, "meeting_id")));
	char *node = rtk_rest_echo(json_string_value(json_object_get(placement, "node_id")));
	const char *until = json_string_value(json_object_get(placement, "lease_until"));
	rtk_rest_fail(reply, 503, "meeting '%s' is live on node '%s', which %s; retry, or once its lease ends "
		"(%s) any node takes the meeting", meeting, node, why, until ? until : "unknown");
	g_free(meeting);
	g_free(node);
}

/* The value of response header `name` of the finished transfer, g_malloc'd, or NULL. */
static char *node_transfer_reply_header(node_transfer *t, const char *name)
{
	struct curl_header *h = NULL;
	if (curl_easy_header(t->curl, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK || h == NULL || h->value == NULL)
		return NULL;
	return g_strdup(h->value);
}

/* The Retry-After of the finished transfer in seconds (delay-seconds
 * form only, as our nodes send it; at most a day), or 0. */
static unsigned int node_transfer_retry_after(node_transfer *t)
{
	char *value = node_transfer_reply_header(t, "Retry-After");
	unsigned int seconds = 0;
	if (value != NULL && *value != '\0' && strspn(value, "0123456789") == strlen(value) && strlen(value) <= 6)
		seconds = (unsigned int)MIN(strtoul(value, NULL, 10), 86400UL);
	g_free(value);
	return seconds;
}

/* The owner's answer into `reply`: its status and body. false when it is
 * no answer we relay (a body with a NUL byte). */
static bool node_forward_relay(node_transfer *t, rtk_rest_reply *reply)
{
	long status = 0;
	curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status < 100 || status > 599 || memchr(t->body->str, '\0', t->body->len) != NULL)
		return false;
	rtk_rest_reply_clear(reply);
	reply->status = (int)status;
	reply->body = malloc(t->body->len + 1);
	if (reply->body == NULL) {
		rtk_rest_fail(reply, 500, "out of memory while relaying the reply of the meeting's node");
		return true;
	}
	memcpy(reply->body, t->body->str, t->body->len + 1);
	if (status == 429 || status == 503)
		reply->retry_after = node_transfer_retry_after(t);
	return true;
}

void rtk_node_forward_send(rtk_node_forward *fw, const json_t *placement, const rtk_rest_request *req,
	rtk_rest_reply *reply)
{
	const char *node_id = json_string_value(json_object_get(placement, "node_id"));
	const char *rest_url = json_string_value(json_object_get(placement, "rest_url"));
	if (rest_url == NULL || *rest_url == '\0') {
		node_forward_unreachable(reply, placement, "has no REST URL (RTK_NODE_REST_URL) to forward to");
		return;
	}
	node_transfer *t = node_transfer_new(fw, node_id, rest_url, req->method, req->path, req->query,
		req->authorization, req->content_type, req->body, req->body_len);
	if (t == NULL) {
		rtk_rest_fail(reply, 500, "cannot set up the request to the meeting's node");
		return;
	}
	gint64 started = g_get_monotonic_time();
	CURLcode rc = curl_easy_perform(t->curl);
	char why[CURL_ERROR_SIZE + 64];
	if (rc == CURLE_OK && node_forward_relay(t, reply)) {
		g_debug("rtk nodes: %s forwarded to node %s: %d in %lld ms", req->method, node_id, reply->status,
			(long long)((g_get_monotonic_time() - started) / 1000));
	} else if (rc == CURLE_OK) {
		rtk_rest_fail(reply, 502, "the node running this meeting ('%s') gave a reply that is not one", node_id);
	} else {
		node_transfer_why(t, rc, why, sizeof why);
		g_warning("rtk nodes: a %s forwarded to node %s got no answer: %s", req->method, node_id, why);
		char *phrase = g_strdup_printf("did not answer (%s)", why);
		node_forward_unreachable(reply, placement, phrase);
		g_free(phrase);
	}
	node_transfer_free(t);
}

/* ---- forwarding a download ---- */


/* A reply other than 200 to a download: its body (in the spool file,
 * small: an error envelope) relayed as rtk_node_forward_send() would. */
static bool node_forward_relay_spooled(node_transfer *t, const char *spool_path, rtk_rest_reply *reply)
{
	gchar *text = NULL;
	gsize len = 0;
	if (!g_file_get_contents(spool_path, &text, &len, NULL) || len > RTK_NODE_FORWARD_MAX_REPLY) {
		g_free(text);
		return false;
	}
	g_string_assign(t->body, "");
	g_string_append_len(t->body, text, (gssize)len);
	g_free(text);
	return node_forward_relay(t, reply);
}

void rtk_node_forward_download(rtk_node_forward *fw, const json_t *placement, const rtk_rest_request *req,
	rtk_rest_reply *reply)
{
	const char *node_id = json_string_value(json_object_get(placement, "node_id"));
	const char *rest_url = json_string_value(json_object_get(placement, "rest_url"));
	if (rest_url == NULL || *rest_url == '\0') {
		node_forward_unreachable(reply, placement, "has no REST URL (RTK_NODE_REST_URL) to forward to");
		return;
	}
	char *spool_path = g_build_filename(g_get_tmp_dir(), "rtk-forwarded-XXXXXX", NULL);
	int fd = g_mkstemp_full(spool_path, O_RDWR | O_CLOEXEC, 0600);
	node_transfer *t = fd < 0 ? NULL : node_transfer_new(fw, node_id, rest_url, req->method, req->path,
		req->query, req->authorization, NULL, NULL, 0);
	if (t == NULL) {
		g_warning("rtk nodes: cannot spool a forwarded download in %s: %s", g_get_tmp_dir(),
			fd < 0 ? g_strerror(errno) : "cannot set up the request");
		if (fd >= 0) {
			close(fd);
			g_unlink(spool_path);
		}
		g_free(spool_path);
		rtk_rest_fail(reply, 500, "cannot relay the file from the meeting's node; see the server log");
		return;
	}
	t->spool_fd = fd;
	CURLcode rc = curl_easy_perform(t->curl);
	close(fd);
	t->spool_fd = -1;
	long status = 0;
	if (rc == CURLE_OK)
		curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
	if (rc == CURLE_OK && status == 200) {
		rtk_rest_reply_clear(reply);
		reply->status = 200;
		reply->file_path = spool_path;    /* unlinked once open (rtk_rest_reply.temporary_file) */
		reply->temporary_file = true;
		reply->file_type = node_transfer_reply_header(t, "Content-Type");
		reply->disposition = node_transfer_reply_header(t, "Content-Disposition");
		spool_path = NULL;
	} else if (rc == CURLE_OK) {
		if (!node_forward_relay_spooled(t, spool_path, reply))
			rtk_rest_fail(reply, 502, "the node running this meeting ('%s') gave a reply that is not one", node_id);
	} else {
		char why[CURL_ERROR_SIZE + 64];
		node_transfer_why(t, rc, why, sizeof why);
		g_warning("rtk nodes: a download forwarded to node %s got no answer: %s", node_id, why);
		char *phrase = g_strdup_printf("did not answer (%s)", why);
		node_forward_unreachable(reply, placement, phrase);
		g_free(phrase);
	}
	if (spool_path != NULL) {
		g_unlink(spool_path);
		g_free(spool_path);
	}
	node_transfer_free(t);
}

json_t *rtk_node_forward_ask(rtk_node_forward *fw, const json_t *placement, const char *path_and_query,
	char **why)
{
	*why = NULL;
	const char *node_id = json_string_value(json_object_get(placement, "node_id"));
	const char *rest_url = json_string_value(json_object_get(placement, "rest_url"));
	if (rest_url == NULL || *rest_url == '\0') {
		*why = g_strdup_printf("node '%s' has no REST URL (RTK_NODE_REST_URL)", node_id ? node_id : "");
		return NULL;
	}
	char *authorization = g_strdup_printf("Bearer %s", fw->api_key);
	node_transfer *t = node_transfer_new(fw, node_id, rest_url, "GET", path_and_query, NULL, authorization,
		NULL, NULL, 0);
	g_free(authorization);
	if (t == NULL) {
		*why = g_strdup("cannot set up the request");
		return NULL;
	}
	CURLcode rc = curl_easy_perform(t->curl);
	long status = 0;
	json_t *data = NULL;
	if (rc == CURLE_OK)
		curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
	json_t *doc = status == 200 ? json_loadb(t->body->str, t->body->len, 0, NULL) : NULL;
	if (json_is_true(json_object_get(doc, "success")) && json_object_get(doc, "data") != NULL) {
		data = json_incref(json_object_get(doc, "data"));
	} else if (rc != CURLE_OK) {
		char phrase[CURL_ERROR_SIZE + 64];
		node_transfer_why(t, rc, phrase, sizeof phrase);
		*why = g_strdup_printf("node '%s' did not answer (%s)", node_id, phrase);
	} else {
		*why = g_strdup_printf("node '%s' answered %ld", node_id, status);
	}
	json_decref(doc);
	node_transfer_free(t);
	return data;
}

/* ---- broadcasting ---- */

/* The other nodes holding a placement with a valid lease: a NEW array of
 * their rows {id, rest_url, ...}; NULL when the store failed. */
static json_t *node_forward_live_nodes(rtk_node_forward *fw)
{
	json_t *placements = NULL;
	if (rtk_store_placement_list(fw->store, NULL, &placements) != RTK_STORE_OK) {
		json_decref(placements);
		return NULL;
	}
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	json_t *nodes = json_array();
	size_t i;
	json_t *placement;
	json_array_foreach(placements, i, placement) {
		const char *node_id = json_string_value(json_object_get(placement, "node_id"));
		if (node_id == NULL || g_hash_table_contains(seen, node_id) || !node_forward_held_elsewhere(fw, placement))
			continue;
		g_hash_table_add(seen, (gpointer)node_id);
		json_t *row = NULL;
		if (rtk_store_node_get(fw->store, node_id, &row) == RTK_STORE_OK)
			json_array_append(nodes, row);
		else
			g_warning("rtk nodes: node %s holds meetings but has no row in the nodes table", node_id);
		json_decref(row);
	}
	g_hash_table_destroy(seen);
	json_decref(placements);
	return nodes;
}

/* Runs `transfers` at once until all are done (each bounded by its own
 * timeout). Returns how many answered 2xx; logs the others. */
static int node_forward_run_all(GPtrArray *transfers)
{
	CURLM *multi = curl_multi_init();
	if (multi == NULL)
		return 0;
	for (guint i = 0; i < transfers->len; i++)
		curl_multi_add_handle(multi, ((node_transfer *)g_ptr_array_index(transfers, i))->curl);
	int running = 1;
	while (running > 0) {
		if (curl_multi_perform(multi, &running) != CURLM_OK)
			break;
		if (running > 0)
			curl_multi_poll(multi, NULL, 0, 1000, NULL);
	}
	int ok = 0;
	CURLMsg *msg;
	int left = 0;
	while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		node_transfer *t = NULL;
		for (guint i = 0; i < transfers->len && t == NULL; i++)
			if (((node_transfer *)g_ptr_array_index(transfers, i))->curl == msg->easy_handle)
				t = g_ptr_array_index(transfers, i);
		long status = 0;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
		if (msg->data.result == CURLE_OK && status >= 200 && status < 300) {
			ok++;
		} else if (t != NULL) {
			char why[CURL_ERROR_SIZE + 64];
			if (msg->data.result == CURLE_OK)
				snprintf(why, sizeof why, "it answered %ld", status);
			else
				node_transfer_why(t, msg->data.result, why, sizeof why);
			g_warning("rtk nodes: a change for every node did not reach node %s: %s", t->node_id, why);
		}
	}
	for (guint i = 0; i < transfers->len; i++)
		curl_multi_remove_handle(multi, ((node_transfer *)g_ptr_array_index(transfers, i))->curl);
	curl_multi_cleanup(multi);
	return ok;
}

int rtk_node_forward_broadcast(rtk_node_forward *fw, const char *path, int *asked)
{
	if (asked)
		*asked = 0;
	json_t *nodes = node_forward_live_nodes(fw);
	if (nodes == NULL) {
		g_warning("rtk nodes: cannot list the nodes with live meetings (the store failed)");
		return 0;
	}
	char *authorization = g_strdup_printf("Bearer %s", fw->api_key);
	GPtrArray *transfers = g_ptr_array_new_with_free_func((GDestroyNotify)node_transfer_free);
	size_t i;
	json_t *row;
	json_array_foreach(nodes, i, row) {
		const char *node_id = json_string_value(json_object_get(row, "id"));
		const char *rest_url = json_string_value(json_object_get(row, "rest_url"));
		if (rest_url == NULL || *rest_url == '\0') {
			g_warning("rtk nodes: node %s has live meetings but no REST URL (RTK_NODE_REST_URL): "
				"a change for every node does not reach them", node_id);
			continue;
		}
		node_transfer *t = node_transfer_new(fw, node_id, rest_url, "POST", path, NULL, authorization, NULL,
			NULL, 0);
		if (t != NULL)
			g_ptr_array_add(transfers, t);
	}
	g_free(authorization);
	if (asked)
		*asked = (int)json_array_size(nodes);
	int ok = transfers->len > 0 ? node_forward_run_all(transfers) : 0;
	g_ptr_array_free(transfers, TRUE);   /* before `nodes`: the transfers borrow its node ids */
	json_decref(nodes);
	return ok;
}
