/*
 * rest_webhooks.c - the webhooks resource of the REST v2 API:
 *   POST   /v2/webhooks          create (201); the only answer with the secret
 *   GET    /v2/webhooks          list, oldest first (paged)
 *   GET    /v2/webhooks/{id}     fetch
 *   PUT    /v2/webhooks/{id}     replace: name, url and events required, enabled
 *                                back to true unless given (RealtimeKit's replaceWebhook)
 *   PATCH  /v2/webhooks/{id}     update name, url, events, enabled
 *   DELETE /v2/webhooks/{id}     delete (200 with the webhook as it was)
 *   GET    /.well-known/webhooks.json   no auth: the public key that verifies
 *                                rtk-signature, {"success", "data": {"publicKey"}, "message"}
 *
 * Owns what a webhook's fields may hold and who sees its signing secret:
 * the store generates the secret (32 random bytes, hex) at creation and this
 * file shows it in the creation response only, as a password is shown once.
 * A url (POST, PATCH) must also pass rtk_webhooks_check_url(): a host that is
 * a non-public address, or a name that resolves only to such, is refused
 * with 422 unless the server allows private targets (RTK_WEBHOOK_ALLOW_PRIVATE);
 * deliveries check again (webhooks.c). Delivery is webhooks.c's; the event
 * names are listed there.
 */
#include "rest_internal.h"

#include <string.h>
#include <glib.h>

#include "json_out.h"
#include "webhooks.h"

#define RTK_WEBHOOK_NAME_MAX 255
#define RTK_WEBHOOK_URL_MAX 2048

static const rtk_rest_field rtk_webhook_create_fields[] = {
	{ "name", RTK_REST_STRING, RTK_REST_REQUIRED | RTK_REST_NONEMPTY, RTK_WEBHOOK_NAME_MAX, NULL },
	{ "url", RTK_REST_URL, RTK_REST_REQUIRED, RTK_WEBHOOK_URL_MAX, NULL },
	{ "enabled", RTK_REST_BOOLEAN, 0, 0, NULL },
	{ NULL, 0, 0, 0, NULL }
};

static const rtk_rest_field rtk_webhook_update_fields[] = {
	{ "name", RTK_REST_STRING, RTK_REST_NONEMPTY, RTK_WEBHOOK_NAME_MAX, NULL },
	{ "url", RTK_REST_URL, 0, RTK_WEBHOOK_URL_MAX, NULL },
	{ "enabled", RTK_REST_BOOLEAN, 0, 0, NULL },
	{ NULL, 0, 0, 0, NULL }
};

/* "meeting.started, meeting.ended, ..." (g_free()). */
static char *rtk_webhook_known_events(void)
{
	GString *list = g_string_new(NULL);
	for (const char *const *e = rtk_webhook_event_names; *e; e++)
		g_string_append_printf(list, "%s%s", list->len ? ", " : "", *e);
	return g_string_free(list, FALSE);
}

static void rtk_webhook_fail_events(rtk_rest_call *call, const char *problem, const char *echo)
{
	char *known = rtk_webhook_known_events();
	if (echo) {
		char *shown = rtk_rest_echo(echo);
		rtk_rest_fail(call->reply, 422, "field 'events' %s '%s'; known events: %s", problem, shown, known);
		g_free(shown);
	} else {
		rtk_rest_fail(call->reply, 422, "field 'events' %s: %s", problem, known);
	}
	g_free(known);
}

/* Checks body.events (a non-empty array of known event names) and puts it,
 * without duplicates, into `fields`. Answers 422 and returns false when it
 * is bad, or absent while `required`. */
static bool rtk_webhook_take_events(rtk_rest_call *call, json_t *fields, bool required)
{
	json_t *events = json_object_get(call->body, "events");
	if (events == NULL) {
		if (required)
			rtk_rest_fail(call->reply, 422, "field 'events' is required");
		return !required;
	}
	if (!json_is_array(events) || json_array_size(events) == 0) {
		rtk_webhook_fail_events(call, "must be a non-empty array of event names", NULL);
		return false;
	}
	json_t *unique = json_array();
	size_t i, j;
	json_t *e, *seen;
	json_array_foreach(events, i, e) {
		const char *name = json_string_value(e);
		if (name == NULL || !rtk_webhook_event_known(name)) {
			if (name == NULL)
				rtk_webhook_fail_events(call, "must hold event names (strings)", NULL);
			else
				rtk_webhook_fail_events(call, "has an unknown event", name);
			json_decref(unique);
			return false;
		}
		bool dup = false;
		json_array_foreach(unique, j, seen)
			dup = dup || strcmp(json_string_value(seen), name) == 0;
		if (!dup)
			json_array_append(unique, e);
	}
	json_object_set_new(fields, "events", unique);
	return true;
}

/* Answers 422 and returns false when fields.url may not be a webhook's
 * target (webhooks.h, rtk_webhooks_check_url(); may resolve the host for up
 * to RTK_WEBHOOKS_CHECK_MS). */
static bool rtk_webhook_check_target(rtk_rest_call *call, const json_t *fields)
{
	const char *url = json_string_value(json_object_get(fields, "url"));
	if (url == NULL)
		return true;
	char *why = rtk_webhooks_check_url(url, call->ctx->webhooks_allow_private, RTK_WEBHOOKS_CHECK_MS);
	if (why == NULL)
		return true;
	rtk_rest_fail(call->reply, 422, "field 'url' %s", why);
	g_free(why);
	return false;
}

/* Validates the whole body into a NEW object *out; false after answering.
 * `whole` (POST, PUT): name, url and events are required. */
static bool rtk_webhook_fields(rtk_rest_call *call, bool whole, json_t **out)
{
	if (!rtk_rest_take_fields(call, whole ? rtk_webhook_create_fields : rtk_webhook_update_fields, out))
		return false;
	if (!rtk_webhook_take_events(call, *out, whole) || !rtk_webhook_check_target(call, *out)) {
		json_decref(*out);
		*out = NULL;
		return false;
	}
	return true;
}

/* The webhook as every answer but the creation shows it. */
static json_t *rtk_webhook_public(json_t *webhook)
{
	json_object_del(webhook, "secret");
	return webhook;
}

static void rtk_webhook_create(rtk_rest_call *call)
{
	json_t *fields, *webhook = NULL;
	if (!rtk_webhook_fields(call, true, &fields))
		return;
	rtk_store_status st = rtk_store_webhook_create(call->ctx->store, fields, &webhook);
	json_decref(fields);
	if (st != RTK_STORE_OK)
		rtk_rest_fail_store(call, st, "webhook", NULL);
	else
		rtk_rest_reply_data(call, 201, webhook);
}

static void rtk_webhook_list(rtk_rest_call *call)
{
	json_t *items = NULL, *webhook;
	int total = 0;
	size_t i;
	rtk_store_status st = rtk_store_webhook_list(call->ctx->store, call->offset, call->limit,
		&items, &total);
	if (st != RTK_STORE_OK) {
		rtk_rest_fail_store(call, st, "webhook", NULL);
		return;
	}
	json_array_foreach(items, i, webhook)
		rtk_webhook_public(webhook);
	rtk_rest_reply_list(call, items, total);
}

static void rtk_webhook_get(rtk_rest_call *call)
{
	json_t *webhook = NULL;
	rtk_store_status st = rtk_store_webhook_get(call->ctx->store, call->ids[0], &webhook);
	if (st != RTK_STORE_OK)
		rtk_rest_fail_store(call, st, "webhook", call->ids[0]);
	else
		rtk_rest_reply_data(call, 200, rtk_webhook_public(webhook));
}

static void rtk_webhook_update(rtk_rest_call *call)
{
	json_t *fields, *webhook = NULL;
	if (!rtk_webhook_fields(call, false, &fields))
		return;
	rtk_store_status st = rtk_store_webhook_update(call->ctx->store, call->ids[0], fields, &webhook);
	json_decref(fields);
	if (st != RTK_STORE_OK)
		rtk_rest_fail_store(call, st, "webhook", call->ids[0]);
	else
		rtk_rest_reply_data(call, 200, rtk_webhook_public(webhook));
}

/* PUT: every field is given again; enabled not given means true, as at
 * creation. */
static void rtk_webhook_replace(rtk_rest_call *call)
{
	json_t *fields, *webhook = NULL;
	if (!rtk_webhook_fields(call, true, &fields))
		return;
	if (json_object_get(fields, "enabled") == NULL)
		json_object_set_new(fields, "enabled", json_true());
	rtk_store_status st = rtk_store_webhook_update(call->ctx->store, call->ids[0], fields, &webhook);
	json_decref(fields);
	if (st != RTK_STORE_OK)
		rtk_rest_fail_store(call, st, "webhook", call->ids[0]);
	else
		rtk_rest_reply_data(call, 200, rtk_webhook_public(webhook));
}

/* Answers 200 with the webhook as it was before deletion. */
static void rtk_webhook_delete(rtk_rest_call *call)
{
	const char *id = call->ids[0];
	json_t *webhook = NULL;
	rtk_store_status st = rtk_store_webhook_get(call->ctx->store, id, &webhook);
	if (st == RTK_STORE_OK)
		st = rtk_store_webhook_delete(call->ctx->store, id);
	if (st != RTK_STORE_OK) {
		rtk_rest_fail_store(call, st, "webhook", id);
		json_decref(webhook);
	} else {
		rtk_rest_reply_data(call, 200, rtk_webhook_public(webhook));
	}
}

const rtk_rest_route rtk_rest_webhook_routes[] = {
	{ "GET", "webhooks", RTK_REST_PAGED, rtk_webhook_list },
	{ "POST", "webhooks", RTK_REST_BODY, rtk_webhook_create },
	{ "GET", "webhooks/{webhook}", 0, rtk_webhook_get },
	{ "PUT", "webhooks/{webhook}", RTK_REST_BODY, rtk_webhook_replace },
	{ "PATCH", "webhooks/{webhook}", RTK_REST_BODY, rtk_webhook_update },
	{ "DELETE", "webhooks/{webhook}", 0, rtk_webhook_delete },
	{ NULL, NULL, 0, NULL }
};

bool rtk_rest_webhook_key_serve(const rtk_rest_ctx *ctx, const rtk_rest_request *req, rtk_rest_reply *reply)
{
	if (req->path == NULL || strcmp(req->path, "/.well-known/webhooks.json") != 0)
		return false;
	if (strcmp(req->method ? req->method : "", "GET") != 0) {
		rtk_rest_fail(reply, 405, "method not allowed here; allowed: GET");
		return true;
	}
	if (ctx->webhooks_public_key_pem == NULL) {
		rtk_rest_fail(reply, 404, "this server has no webhook signing key");
		return true;
	}
	json_t *root = json_pack("{s:b, s:{s:s}, s:s}", "success", 1,
		"data", "publicKey", ctx->webhooks_public_key_pem, "message", "");
	char *text = root ? rtk_json_out(root) : NULL;
	json_decref(root);
	if (text == NULL) {
		rtk_rest_fail(reply, 500, "out of memory while writing the reply");
		return true;
	}
	free(reply->body);
	reply->status = 200;
	reply->body = text;
	return true;
}
