/*
 * glue.h - what every part of the plugin's Janus glue shares: the Janus
 * core's callbacks, our plugin descriptor, the gateway (REST, store,
 * tokens, webhooks, HLS), and the events' JSON shape.
 *
 * Set by the plugin's init (plugin.c); defined in session.c. Locking: see
 * the top of plugin.c (a lock per meeting family, meeting_lock.h).
 */
#ifndef RTK_GLUE_H
#define RTK_GLUE_H

#include <jansson.h>
#include <plugins/plugin.h>
#include <mutex.h>

#include "gateway.h"

extern janus_callbacks *rtk_janus;   /* the Janus core */
extern janus_plugin rtk_plugin;      /* our descriptor (push_event needs it) */
extern rtk_gateway *rtk_gw;          /* REST, store and token checks */

/* Events: new JSON references the caller passes on and releases. */
json_t *rtk_event_new(const char *name);
json_t *rtk_jsep_new(const char *type, const char *sdp);

#endif
