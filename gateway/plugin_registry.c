/*
 * plugin_registry.c - the plugins a deployment starts with, and the
 * gateway's copy of the plugins table (plugin_registry.h says why a copy).
 *
 * The starting list is a file, conf/plugins.json in this repository (the
 * plugins_seed setting, RTK_PLUGINS_SEED): the two plugins this repository
 * ships under sdk/plugins/, which a deployment may replace or extend
 * before its first start. It is read once, at the first start; afterwards
 * the registry is the REST API's (/v2/plugins).
 */
#include "plugin_registry.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "util.h"

struct rtk_plugin_registry {
	GMutex lock;
	json_t *items;   /* owned: an array of plugin objects, oldest first */
};

/* The plugins of the seed file `path`: a NEW array of objects with a
 * string name and url each, or NULL with *error. */
static json_t *plugins_seed_load(const char *path, char **error)
{
	json_error_t why;
	json_t *plugins = json_load_file(path, 0, &why);
	if (!plugins) {
		rtk_util_set_error(error, "plugins_seed %s: %s (line %d)", path, why.text, why.line);
		return NULL;
	}
	size_t i;
	json_t *plugin;
	bool ok = json_is_array(plugins);
	json_array_foreach(plugins, i, plugin)
		ok = ok && json_is_string(json_object_get(plugin, "name")) && json_is_string(json_object_get(plugin, "url"));
	if (!ok) {
		rtk_util_set_error(error, "plugins_seed %s: must be an array of plugin objects, each with a string "
			"name and url", path);
		json_decref(plugins);
		return NULL;
	}
	return plugins;
}

int rtk_plugins_seed(rtk_store *store, const char *seed_path, char **error)
{
	if (!seed_path || !*seed_path)
		return 0;
	int done = rtk_store_meta_done(store, "builtin_plugins_seeded", error);
	if (done != 0)
		return done < 0 ? -1 : 0;
	json_t *plugins = plugins_seed_load(seed_path, error);
	if (!plugins)
		return -1;
	size_t i;
	json_t *plugin;
	int rc = 0;
	json_array_foreach(plugins, i, plugin) {
		json_t *created = NULL;
		if (rtk_store_plugin_create(store, plugin, &created) != RTK_STORE_OK) {
			rtk_util_set_error(error, "cannot create the seeded plugin %s",
				json_string_value(json_object_get(plugin, "name")));
			rc = -1;
			break;
		}
		json_decref(created);
	}
	json_decref(plugins);
	if (rc == 0 && rtk_store_meta_set(store, "builtin_plugins_seeded", "1") != RTK_STORE_OK) {
		rtk_util_set_error(error, "cannot write store metadata");
		rc = -1;
	}
	return rc;
}

rtk_plugin_registry *rtk_plugin_registry_new(void)
{
	rtk_plugin_registry *registry = g_new0(rtk_plugin_registry, 1);
	g_mutex_init(&registry->lock);
	registry->items = json_array();
	return registry;
}

void rtk_plugin_registry_free(rtk_plugin_registry *registry)
{
	if (!registry)
		return;
	json_decref(registry->items);
	g_mutex_clear(&registry->lock);
	g_free(registry);
}

int rtk_plugin_registry_reload(rtk_plugin_registry *registry, rtk_store *store)
{
	json_t *items = NULL;
	int total = 0;
	if (!registry || rtk_store_plugin_list(store, 0, RTK_PLUGINS_REGISTRY_MAX, &items, &total) != RTK_STORE_OK)
		return -1;
	g_mutex_lock(&registry->lock);
	json_t *old = registry->items;
	registry->items = items;
	g_mutex_unlock(&registry->lock);
	json_decref(old);
	return 0;
}

json_t *rtk_plugin_registry_get(rtk_plugin_registry *registry, const char *id)
{
	json_t *found = NULL;
	size_t i;
	json_t *plugin;
	if (!registry || !id)
		return NULL;
	g_mutex_lock(&registry->lock);
	json_array_foreach(registry->items, i, plugin) {
		if (g_strcmp0(json_string_value(json_object_get(plugin, "id")), id) == 0) {
			found = json_deep_copy(plugin);
			break;
		}
	}
	g_mutex_unlock(&registry->lock);
	return found;
}

json_t *rtk_plugin_registry_all(rtk_plugin_registry *registry)
{
	if (!registry)
		return json_array();
	g_mutex_lock(&registry->lock);
	json_t *copy = json_deep_copy(registry->items);
	g_mutex_unlock(&registry->lock);
	return copy;
}
