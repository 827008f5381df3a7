/*
 * plugin_requests.h - the plugins.* signalling requests (docs/protocol.md,
 * "Plugins"): the glue between a request, the gateway's copy of the plugin
 * registry (gateway/plugin_registry.h, read without store I/O) and the
 * room's plugins (model/plugins.c). Handlers run under the meeting's lock and
 * follow requests.c's conventions.
 */
#ifndef RTK_PLUGIN_REQUESTS_H
#define RTK_PLUGIN_REQUESTS_H

#include "requests_internal.h"

void rtk_plugin_request_list(rtk_session *session, rtk_message *msg, rtk_reply *reply);
void rtk_plugin_request_activate(rtk_session *session, rtk_message *msg, rtk_reply *reply);
void rtk_plugin_request_deactivate(rtk_session *session, rtk_message *msg, rtk_reply *reply);
void rtk_plugin_request_send_data(rtk_session *session, rtk_message *msg, rtk_reply *reply);
void rtk_plugin_request_set_state(rtk_session *session, rtk_message *msg, rtk_reply *reply);
void rtk_plugin_request_view_mode(rtk_session *session, rtk_message *msg, rtk_reply *reply);

#endif
