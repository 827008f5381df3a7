/*
 * rest_plugins.c - the plugin registry of the REST v2 API (meeting.plugins):
 *   POST   /v2/plugins          create (201)
 *   GET    /v2/plugins          list, oldest first (paged; the built-in ones first)
 *   GET    /v2/plugins/{id}     fetch
 *   PATCH  /v2/plugins/{id}     update name, description, picture, url, config
 *   DELETE /v2/plugins/{id}     delete (200 with the plugin as it was)
 *
 * Owns what a plugin's fields may hold: a url is the plugin's iframe app,
 * an absolute http(s) URL or a path on this server ("/sdk/plugins/..."),
 * never "//host" nor "javascript:". After every write the gateway's copy
 * the Janus plugin reads (plugin_registry.h) is reloaded, so a meeting sees
 * the change at its next plugins.list or plugins.activate; a plugin active
 * in a live session stays active as it was activated.
 */
#include "rest_internal.h"

#include <string.h>
#include <glib.h>

#include "plugin_registry.h"

#define RTK_PLUGIN_NAME_MAX 255
#define RTK_PLUGIN_TEXT_MAX 2048

static const rtk_rest_field rtk_plugin_create_fields[] = {
	{ "name", RTK_REST_STRING, RTK_REST_REQUIRED | RTK_REST_NONEMPTY, RTK_PLUGIN_NAME_MAX, NULL },
	{ "description", RTK_REST_STRING, RTK_REST_NULLABLE, RTK_PLUGIN_TEXT_MAX, NULL },
	{ "picture", RTK_REST_STRING, RTK_REST_NULLABLE, RTK_PLUGIN_TEXT_MAX, NULL },
	{ "url", RTK_REST_STRING, RTK_REST_REQUIRED | RTK_REST_NONEMPTY, RTK_PLUGIN_TEXT_MAX, NULL },
	{ "config", RTK_REST_OBJECT, 0, 0, NULL },
	{ NULL, 0, 0, 0, NULL }
};

static const rtk_rest_field rtk_plugin_update_fields[] = {
	{ "name", RTK_REST_STRING, RTK_REST_NONEMPTY, RTK_PLUGIN_NAME_MAX, NULL },
	{ "description", RTK_REST_STRING, RTK_REST_NULLABLE, RTK_PLUGIN_TEXT_MAX, NULL },
	{ "picture", RTK_REST_STRING, RTK_REST_NULLABLE, RTK_PLUGIN_TEXT_MAX, NULL },
	{ "url", RTK_REST_STRING, RTK_REST_NONEMPTY, RTK_PLUGIN_TEXT_MAX, NULL },
	{ "config", RTK_REST_OBJECT, 0, 0, NULL },
	{ NULL, 0, 0, 0, NULL }
};

/* An iframe app's address: http(s)://... or a path on this server. */
static bool rtk_plugin_url_ok(const char *url)
{
	if (url == NULL)
		return true;
	if (url[0] == '/')
		return url[1] != '/' && url[1] != '\\';
	return g_str_has_prefix(url, "http://") || g_str_has_prefix(url, "https://");
}

/* Validates the body into a NEW object *out; false after answering 422. */
static bool rtk_plugin_fields(rtk_rest_call *call, bool create, json_t **out)
{
	if (!rtk_rest_take_fields(call, create ? rtk_plugin_create_fields : rtk_plugin_update_fields, out))
		return false;
	const char *url = json_string_value(json_object_get(*out, "url"));
	const char *picture = json_string_value(json_object_get(*out, "picture"));
	if (!rtk_plugin_url_ok(url) || !rtk_plugin_url_ok(picture)) {
		rtk_rest_fail(call->reply, 422, "field '%s' must be an http(s) URL or a path starting with '/'",
			rtk_plugin_url_ok(url) ? "picture" : "url");
		json_decref(*out);
		*out = NULL;
		return false;
	}
	return true;
}

static void rtk_plugin_changed(rtk_rest_call *call)
{
	rtk_plugin_registry_reload(call->ctx->plugins, call->ctx->store);
}

static void rtk_plugin_create(rtk_rest_call *call)
{
	json_t *fields, *plugin = NULL, *items = NULL;
	int total = 0;
	if (!rtk_plugin_fields(call, true, &fields))
		return;
	rtk_store_status st = rtk_store_plugin_list(call->ctx->store, 0, 1, &items, &total);
	json_decref(items);
	if (st == RTK_STORE_OK && total >= RTK_PLUGINS_REGISTRY_MAX) {
		json_decref(fields);
		rtk_rest_fail(call->reply, 409, "the registry holds %d plugins already: delete one first",
			RTK_PLUGINS_REGISTRY_MAX);
		return;
	}
	if (st == RTK_STORE_OK)
		st = rtk_store_plugin_create(call->ctx->store, fields, &plugin);
	json_decref(fields);
	if (st != RTK_STORE_OK) {
		rtk_rest_fail_store(call, st, "plugin", NULL);
		return;
	}
	rtk_plugin_changed(call);
	rtk_rest_reply_data(call, 201, plugin);
}

static void rtk_plugin_list(rtk_rest_call *call)
{
	json_t *items = NULL;
	int total = 0;
	rtk_store_status st = rtk_store_plugin_list(call->ctx->store, call->offset, call->limit, &items, &total);
	if (st != RTK_STORE_OK)
		rtk_rest_fail_store(call, st, "plugin", NULL);
	else
		rtk_rest_reply_list(call, items, total);
}

static void rtk_plugin_get(rtk_rest_call *call)
{
	json_t *plugin = NULL;
	rtk_store_status st = rtk_store_plugin_get(call->ctx->store, call->ids[0], &plugin);
	if (st != RTK_STORE_OK)
		rtk_rest_fail_store(call, st, "plugin", call->ids[0]);
	else
		rtk_rest_reply_data(call, 200, plugin);
}

static void rtk_plugin_update(rtk_rest_call *call)
{
	json_t *fields, *plugin = NULL;
	if (!rtk_plugin_fields(call, false, &fields))
		return;
	rtk_store_status st = rtk_store_plugin_update(call->ctx->store, call->ids[0], fields, &plugin);
	json_decref(fields);
	if (st != RTK_STORE_OK) {
		rtk_rest_fail_store(call, st, "plugin", call->ids[0]);
		return;
	}
	rtk_plugin_changed(call);
	rtk_rest_reply_data(call, 200, plugin);
}

/* Answers 200 with the plugin as it was before deletion. */
static void rtk_plugin_delete(rtk_rest_call *call)
{
	const char *id = call->ids[0];
	json_t *plugin = NULL;
	rtk_store_status st = rtk_store_plugin_get(call->ctx->store, id, &plugin);
	if (st == RTK_STORE_OK)
		st = rtk_store_plugin_delete(call->ctx->store, id);
	if (st != RTK_STORE_OK) {
		rtk_rest_fail_store(call, st, "plugin", id);
		json_decref(plugin);
		return;
	}
	rtk_plugin_changed(call);
	rtk_rest_reply_data(call, 200, plugin);
}

const rtk_rest_route rtk_rest_plugin_routes[] = {
	{ "GET", "plugins", RTK_REST_PAGED, rtk_plugin_list },
	{ "POST", "plugins", RTK_REST_BODY, rtk_plugin_create },
	{ "GET", "plugins/{plugin}", 0, rtk_plugin_get },
	{ "PATCH", "plugins/{plugin}", RTK_REST_BODY, rtk_plugin_update },
	{ "DELETE", "plugins/{plugin}", 0, rtk_plugin_delete },
	{ NULL, NULL, 0, NULL }
};
