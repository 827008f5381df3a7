/*
 * cascade.h - a meeting larger than one node: its receive-only audience on
 * other nodes ("edges"), fed with the owner node's streams over plain RTP
 * (docs/deploy.md, "Cascading a large meeting").
 *
 * The owner is the node the meeting is placed on (node.h). A join of a
 * receive-only participant (rtk_cascade_receive_only), or of one who must
 * ask for the stage (rtk_permissions_stage_gated; its stage request there
 * is answered 0807, requests.c), through another node does not get 0806: that node opens an edge of the meeting, a TCP
 * control connection to the owner's cascade port (the host of its
 * RTK_NODE_REST_URL, port RTK_NODE_CASCADE_PORT) and a UDP port of its own
 * for the media (cascade_msg.h has the messages). The owner:
 *   - sends the meeting's joined (visible) participants and its published
 *     streams, each with the SSRC the edge knows it by, whenever they
 *     change (polled every RTK_CASCADE_SYNC_MS);
 *   - forwards every published stream to the edge's UDP port, as it feeds a
 *     companion (relay.h: rtk_relay_forward_add, the highest simulcast layer
 *     rewritten into one stream), through a sink (process.h);
 *   - asks its publisher for a keyframe when the edge asks ("pli");
 *   - tells it its active speaker (in "state"), every change of a public
 *     chat message ("chat", after the newest messages of the session when
 *     it connects), its polls and their votes ("poll": a poll's state and
 *     the votes the edge was not told, from which the edge shows each
 *     viewer its own view), and its broadcasts to everyone or to a preset
 *     ("broadcast"), through a queue per edge (RTK_CASCADE_QUEUE_MAX);
 *   - decides the requests the edge forwards for its viewers (chat
 *     changes, polls.create, polls.vote, broadcastMessage to everyone or
 *     to a preset: "forward") as its own participants', and answers each
 *     ("result") after the line it caused.
 * The edge keeps a live meeting (session.h, `edge`) whose room holds its
 * local viewers and the owner's participants (peers without a transport),
 * and whose router holds the owner's streams as producers without a
 * publisher handle (relay.h, remote_keyframe): its viewers subscribe,
 * receive, and are told participantJoined/Left and media updates exactly
 * as on the owner, and so are the owner's active speaker, pins, public
 * chat (roomJoined's history, chat.getMessages, the chat events), polls
 * and broadcasts. When the owner's session ends or the connection drops
 * (the owner died), every local viewer gets roomLeft "ended" with reason
 * "origin_ended" or "origin_lost", and may join again.
 *
 * Threads: one thread on the owner serves every edge connection; one
 * thread per edge meeting reads its connection and relays its UDP. No call
 * here is made with a meeting lock held unless it says so.
 */
#ifndef RTK_CASCADE_H
#define RTK_CASCADE_H

#include <glib.h>
#include "cascade_msg.h"
#include "session.h"

/* How often the owner compares what an edge was told with the meeting. */
#define RTK_CASCADE_SYNC_MS 200
/* How long an edge viewer's forwarded request waits for the owner. */
#define RTK_CASCADE_REQUEST_MS 5000
/* The lines queued for one edge at most (bytes): an edge that reads
 * slower than the owner writes is dropped beyond it. */
#define RTK_CASCADE_QUEUE_MAX (16 * 1024 * 1024)

/* Starts serving edges on TCP `port` (0: cascading off on this node, as
 * serving and as edge), bound to the host of `rest_url` (this node's
 * RTK_NODE_REST_URL, where the other nodes reach it) when that is an
 * address, else to every address. Call after rtk_node_init(); only with
 * several nodes. */
void rtk_cascade_init(int port, const char *rest_url);
/* Stops the server and every edge, taking the edges' remote participants
 * and streams out of their meetings. Before rtk_lives_destroy(), once no
 * request runs. */
void rtk_cascade_destroy(void);

/* Before a join (no lock held; may block for up to 3 s): makes sure this
 * node has an edge of `meeting_id` fed by the owner at `owner_host` that
 * received the owner's first state. FALSE when cascading is off or the
 * owner cannot be reached: the join is redirected (0806) instead. */
gboolean rtk_cascade_edge_open(const char *meeting_id, const char *owner_host);
/* Whether this node has an open edge of `meeting_id`. */
gboolean rtk_cascade_is_edge(const char *meeting_id);
/* On the owner: the viewers meeting `meeting_id` has on its edges now, as
 * the edges said (each tells its count within a second of a change); 0
 * when it has none. Any thread, no lock needed. */
int rtk_cascade_audience(const char *meeting_id);
/* The owner's session id of that edge (NEW), or NULL when there is none:
 * an edge meeting's room carries the owner's session id. */
char *rtk_cascade_edge_session(const char *meeting_id);

/* With the meeting's lock held, `live` being an edge: puts the owner's
 * participants and streams, as last received, into its room and router. */
void rtk_cascade_edge_attach(rtk_live *live);
/* With the meeting's lock held: whether the edge `live` has no local
 * participant left (only the owner's). */
gboolean rtk_cascade_edge_unattended(rtk_live *live);
/* With the meeting's lock held: takes the owner's participants and
 * streams out of `live` (no local participant is told: call when none is
 * left), so it can end. */
void rtk_cascade_edge_detach(rtk_live *live);

/* On the owner, with the meeting's lock held (`live` not an edge): queues
 * a change of a public chat message (`doc` borrowed, or `message_id` for
 * a deletion) for every edge of the meeting. Never blocks. */
void rtk_cascade_owner_chat(rtk_live *live, rtk_cascade_chat_event event, const json_t *doc, const char *message_id);

/* With the meeting's lock held: when `session` is a viewer on an edge,
 * notes in `msg` that its request goes to the owner (the plugin's worker
 * sends it after the dispatch: rtk_cascade_edge_request) and returns
 * TRUE; the handler then answers nothing itself. */
struct rtk_message;
gboolean rtk_cascade_forward_if_edge(rtk_session *session, struct rtk_message *msg);

/* On the owner, with the meeting's lock held (`live` not an edge): queues
 * a participants.broadcastMessage to everyone (or to the preset
 * `preset_name`, may be NULL) for every edge of the meeting, whose
 * viewers get the same broadcastedMessage. Never blocks. */
void rtk_cascade_owner_broadcast(rtk_live *live, const char *type, const json_t *payload, gint64 timestamp,
	const char *sender_id, const char *preset_name);

/* On an edge, with no lock held (blocks for up to RTK_CASCADE_REQUEST_MS):
 * sends a viewer's request `body` (its sender `sender`, both borrowed) to
 * the owner and waits for its answer, after the chat lines it caused were
 * shown here. Returns the reply's data (NEW), or NULL with *code and
 * *message (NEW strings): the owner's refusal, or 0010 when the owner did
 * not answer in time or the edge ended. */
json_t *rtk_cascade_edge_request(const char *meeting_id, const json_t *sender, const json_t *body, char **code,
	char **message);

#endif
