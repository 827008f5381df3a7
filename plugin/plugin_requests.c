/*
 * plugin_requests.c - the plugins.* requests (plugin_requests.h). Each
 * checks the handle and hands the request to the room, which decides and
 * tells the participants; plugins.list (through the room's registry function) and
 * plugins.activate read the registry from the gateway's in-memory copy. Replies are
 * {"rtk":"ok","request":name, ...}.
 */
#include "plugin_requests.h"
#include "glue.h"

/* {"rtk":"ok"} or the refusal. */
static void plugin_done(rtk_message *msg, rtk_reply *reply, gboolean done, const rtk_refusal *why) {
	if(done)
		rtk_requests_reply_ok_with(msg, reply, json_object());
	else
		rtk_requests_reply_refusal(reply, why);
}

/* plugins.list: {plugins: [the registry this participant may use], active: [ACTIVE...]}. */
void rtk_plugin_request_list(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	if(!rtk_requests_needs_joined(session, reply) || !rtk_requests_body(msg, reply))
		return;
	json_t *registry = rtk_room_plugin_registry_for(session->live->room, session->peer);
	rtk_requests_reply_ok_with(msg, reply, json_pack("{so so}", "plugins", registry ? registry : json_array(),
		"active", rtk_room_plugins_json(session->live->room)));
}

void rtk_plugin_request_activate(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	if(!rtk_requests_needs_joined(session, reply) || !rtk_requests_body(msg, reply))
		return;
	json_t *plugin = rtk_plugin_registry_get(rtk_gateway_plugins(rtk_gw), msg->request.plugin_id);
	gboolean done = rtk_room_plugin_activate(session->live->room, session->peer, msg->request.plugin_id, plugin,
		g_get_real_time() / 1000, &why);
	json_decref(plugin);
	plugin_done(msg, reply, done, &why);
}

void rtk_plugin_request_deactivate(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	if(!rtk_requests_needs_joined(session, reply) || !rtk_requests_body(msg, reply))
		return;
	plugin_done(msg, reply, rtk_room_plugin_deactivate(session->live->room, session->peer, msg->request.plugin_id,
		&why), &why);
}

void rtk_plugin_request_send_data(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	if(!rtk_requests_needs_joined(session, reply) || !rtk_requests_body(msg, reply))
		return;
	plugin_done(msg, reply, rtk_room_plugin_send_data(session->live->room, session->peer, msg->request.plugin_id,
		msg->request.plugin_data, g_get_real_time() / 1000, &why), &why);
}

void rtk_plugin_request_set_state(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	if(!rtk_requests_needs_joined(session, reply) || !rtk_requests_body(msg, reply))
		return;
	plugin_done(msg, reply, rtk_room_plugin_set_state(session->live->room, session->peer, msg->request.plugin_id,
		msg->request.state_key, msg->request.state_value, g_get_real_time() / 1000, &why), &why);
}

void rtk_plugin_request_view_mode(rtk_session *session, rtk_message *msg, rtk_reply *reply) {
	rtk_refusal why;
	if(!rtk_requests_needs_joined(session, reply) || !rtk_requests_body(msg, reply))
		return;
	plugin_done(msg, reply, rtk_room_plugin_set_view_mode(session->live->room, session->peer, msg->request.plugin_id,
		msg->request.enabled, &why), &why);
}
