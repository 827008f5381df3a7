/*
 * plugin_registry.h - the plugins a meeting may activate (meeting.plugins):
 * the two built-in plugins every deployment starts with, and the gateway's
 * in-memory copy of the store's plugins table that the Janus plugin reads.
 *
 * Why a copy: plugins.activate and plugins.list run under the plugin's
 * state lock, where no store I/O may happen (plugin/chat_requests.h). The
 * registry is small (at most RTK_PLUGINS_REGISTRY_MAX rows), so the gateway
 * reads it whole at start and again after every REST write (rest_plugins.c)
 * and hands out copies under its own mutex.
 */
#ifndef RTK_PLUGIN_REGISTRY_H
#define RTK_PLUGIN_REGISTRY_H

#include <jansson.h>
#include "store.h"

/* The most plugins the registry holds (POST /v2/plugins past it: 409). */
#define RTK_PLUGINS_REGISTRY_MAX 100

typedef struct rtk_plugin_registry rtk_plugin_registry;

/* Creates the plugins of the seed file `seed_path` (a JSON array of
 * {name, description, picture, url, config} in the REST shape without id
 * and timestamps; conf/plugins.json: the shared whiteboard and notes pad
 * served under /sdk/plugins/) in `store`, once per deployment (store meta
 * "builtin_plugins_seeded"), as the default presets are: a deployment that
 * deleted them does not get them back. `seed_path` NULL or "": nothing is
 * seeded. 0, or -1 with *error set (an unreadable or malformed file stops
 * the start, as a bad setting does). */
int rtk_plugins_seed(rtk_store *store, const char *seed_path, char **error);

rtk_plugin_registry *rtk_plugin_registry_new(void);
void rtk_plugin_registry_free(rtk_plugin_registry *registry);
/* Re-reads every plugin from `store`; keeps the previous copy when the read
 * fails (0 done, -1 failed). */
int rtk_plugin_registry_reload(rtk_plugin_registry *registry, rtk_store *store);
/* A NEW deep copy of the plugin `id`, or NULL. */
json_t *rtk_plugin_registry_get(rtk_plugin_registry *registry, const char *id);
/* A NEW deep copy of every plugin, oldest first. */
json_t *rtk_plugin_registry_all(rtk_plugin_registry *registry);

#endif
