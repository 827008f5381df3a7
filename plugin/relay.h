/*
 * relay.h - SFU forwarding: published streams and the subscriber streams
 * they feed.
 *
 * Owns the relay path. A published stream (rtk_pub_stream) keeps the list of
 * subscriber streams (rtk_sub_stream) it feeds; each RTP packet from the
 * publisher is handed to every one of them as the SAME buffer: the header
 * (SSRC, sequence number, timestamp; VP8 picture id under simulcast) is
 * rewritten in place for one subscriber, sent, and restored. Nothing is
 * allocated per packet or per subscriber on this path.
 *
 * Locking: `subs_mutex` of a published stream guards its subscriber list
 * and every subscriber stream on it (their switching/simulcast contexts are
 * only touched on the relay path or with that lock held). Callers that
 * attach or detach hold a meeting lock first: state -> subs_mutex.
 *
 * Ownership: a sub stream is owned by its subscriber session; a pub stream by
 * its publisher session. Detach before freeing either.
 */
#ifndef RTK_RELAY_H
#define RTK_RELAY_H

#include <glib.h>
#include <plugins/plugin.h>
#include <rtp.h>
#include <utils.h>
#include <mutex.h>
#include "permissions.h"
#include "process.h"
#include "speaker.h"
#include "forwarding.h"

/* Payload types of every subscriber offer, whatever numbers each publisher
 * chose: one number per codec across the BUNDLE, so streams of publishers
 * with different numbering never collide. The relay rewrites the header. */
#define RTK_RELAY_OPUS_PT 111
#define RTK_RELAY_VP8_PT 96

typedef struct rtk_pub_stream {
	int mindex;
	char *mid;
	char *peer_id;                   /* the publishing peer: msid and stream lists */
	char *user_id;
	rtk_media_kind type;             /* audio, video (camera) or screenshare */
	gboolean video;                  /* RTP media kind */
	janus_audiocodec acodec;
	janus_videocodec vcodec;
	/* simulcast, as the Janus core reported it for this m-line */
	gboolean simulcast;
	uint32_t ssrcs[3];
	char *rids[3];
	int rid_ext_id;
	janus_mutex rid_mutex;
	volatile gint enabled;           /* 0: the participant turned this kind off */
	gint64 last_pli;                 /* monotonic us of the last keyframe request */
	janus_plugin_session *publisher; /* borrowed: valid while the stream exists; NULL for a
	                                  * stream relayed from another node (cascade.h) */
	/* A stream relayed from another node: how a keyframe is asked of its
	 * publisher there (instead of a PLI on `publisher`); `remote` is the
	 * hook's (borrowed, outlives the stream). NULL for a local publisher. */
	void (*remote_keyframe)(struct rtk_pub_stream *ps);
	void *remote;
	rtk_speakers *speakers;          /* borrowed: the meeting's, fed from audio levels; outlives the stream */
	janus_mutex subs_mutex;
	GPtrArray *subs;                 /* rtk_sub_stream*, borrowed */
	GArray *forwards;                /* rtk_forward: companions fed with this stream (subs_mutex) */
	/* Simulcast: what the companions get is one more consumer of the
	 * stream, on the highest layer the publisher sends (a recording or a
	 * livestream is watched full size), switched on keyframes and rewritten
	 * into one continuous stream, as a subscriber's is (subs_mutex). */
	janus_rtp_switching_context companion_context;
	janus_rtp_simulcasting_context companion_sim;
	janus_vp8_simulcast_context companion_vp8;
	/* Simulcast: the layers the publisher is asked to send (forwarding.h,
	 * "publisher layers"; policy.c). Zeroed by rtk_pub_stream_new, which
	 * is the start state; the meeting's lock. */
	rtk_fwd_layers layers;
} rtk_pub_stream;

/* A companion (recorder, HLS) fed with a published stream: plain RTP (and
 * the stream's RTCP sender reports) with the SSRC replaced by `ssrc`, the
 * id the companion knows the stream by. */
typedef struct rtk_forward {
	rtk_proc *proc;                  /* a reference, held while forwarding */
	uint32_t ssrc;
} rtk_forward;

typedef struct rtk_sub_stream {
	int mindex;
	char mid[12];
	gboolean video;
	rtk_pub_stream *source;          /* NULL: inactive slot, reusable */
	janus_rtp_switching_context context;
	janus_rtp_simulcasting_context sim;
	janus_vp8_simulcast_context vp8;
	janus_plugin_session *subscriber;/* borrowed */
	volatile gint *started;          /* borrowed: the subscriber's PeerConnection is up */
	volatile gint need_keyframe;     /* video: ask the publisher until one passes */
	volatile gint paused;            /* the viewer's view does not show this source now */
	gint64 switch_until;             /* simulcast: keyframes are asked for, until this monotonic
	                                  * us, while the layer chosen last is not reached (subs_mutex) */
	/* The forwarding policy (forwarding.h; plugin/forwarding.c applies it
	 * on the meeting's tick). The substream sent is wanted held to limit
	 * (rtk_fwd_layer_choose); both kept when the slot is reused. */
	int wanted;                      /* the subscriber's configure substream; -1: none (subs_mutex) */
	int limit;                       /* the policy's highest substream for it now (subs_mutex) */
	rtk_fwd_downlink downlink;       /* video: its receiver reports' loss (the meeting's lock) */
	gint64 audible_until;            /* audio, last-N: forwarded until then (the meeting's lock) */
	void *owner;                     /* borrowed: the subscriber session */
} rtk_sub_stream;

rtk_pub_stream *rtk_pub_stream_new(janus_plugin_session *publisher, const char *peer_id,
	const char *user_id, int mindex, const char *mid, rtk_media_kind type);
/* The stream must have no subscribers left (rtk_relay_detach_all). */
void rtk_pub_stream_free(rtk_pub_stream *ps);

rtk_sub_stream *rtk_sub_stream_new(janus_plugin_session *subscriber, int mindex, gboolean video,
	volatile gint *started, void *owner);
void rtk_sub_stream_free(rtk_sub_stream *ss);

/* Points `ss` at `ps` (ss must be inactive), resetting its contexts but for
 * the simulcast layers chosen for it (rtk_relay_set_layers; until then the
 * lowest substream and every temporal layer). */
void rtk_relay_attach(rtk_pub_stream *ps, rtk_sub_stream *ss);
/* Makes `ss` inactive. */
void rtk_relay_detach(rtk_sub_stream *ss);
/* Detaches every subscriber of `ps`; calls `each(ss, user)` for each one
 * (with subs_mutex held) so the caller can mark their sessions for
 * renegotiation. */
void rtk_relay_detach_all(rtk_pub_stream *ps, void (*each)(rtk_sub_stream *ss, void *user), void *user);

/* The relay path: forwards `packet` from the publisher to every subscriber
 * of `ps`. `packet` is modified during the call and restored before it
 * returns. */
void rtk_relay_rtp(janus_callbacks *gateway, rtk_pub_stream *ps, janus_plugin_rtp *packet);

/* The publisher's RTCP for `ps` (compound, after SRTP, as Janus passes it
 * to incoming_rtcp): its sender report (PT 200) goes to every companion fed
 * with `ps`, with the SSRC replaced as for RTP, so a companion can map the
 * stream's RTP timestamps to the sender's wall clock (lip sync); under
 * simulcast only the SR of the layer companions get now, its RTP timestamp
 * rewritten as that layer's packets are. Other RTCP is not forwarded.
 * `packet` is not modified. */
void rtk_relay_rtcp(rtk_pub_stream *ps, janus_plugin_rtcp *packet);

/* Starts or stops feeding `proc` with `ps` (see rtk_forward). Adding a
 * companion already fed replaces its ssrc. Under simulcast the companions
 * get the highest layer (see companion_sim), and the sender reports of that
 * layer with their RTP timestamps shifted as the packets' are.
 * rtk_pub_stream_free() drops them all. */
void rtk_relay_forward_add(rtk_pub_stream *ps, rtk_proc *proc, uint32_t ssrc);
void rtk_relay_forward_remove(rtk_pub_stream *ps, rtk_proc *proc);

/* Turns relaying of `ps` on or off (the participant muted or unmuted). On
 * resume, each subscriber's sequence numbers continue without a gap (a
 * receiver would otherwise wait for packets that were never sent) and the
 * publisher is asked for a keyframe. */
void rtk_relay_set_enabled(janus_callbacks *gateway, rtk_pub_stream *ps, gboolean enabled);

/* Pauses or resumes forwarding to `ss` (the viewer's active grid or page
 * moved). Resuming continues its sequence numbers and asks for a keyframe. */
void rtk_relay_set_paused(janus_callbacks *gateway, rtk_sub_stream *ss, gboolean paused);

/* Makes the relay path ask for keyframes until one reaches `ss`: call when
 * the subscriber's PeerConnection comes up or its m-line is (re)negotiated,
 * so the first frame it gets is decodable. */
void rtk_relay_want_keyframe(rtk_sub_stream *ss);

/* Asks the publisher for a keyframe on this stream, at most every 300 ms
 * (through remote_keyframe for a stream relayed from another node). */
void rtk_relay_request_keyframe(janus_callbacks *gateway, rtk_pub_stream *ps);

/* The subscriber chooses the simulcast layers `ss` receives (-1 leaves one
 * unchanged): the substream is its wish, held to the policy's limit
 * (rtk_relay_set_limit); the caller asks the publisher for a keyframe,
 * where the switch happens. */
void rtk_relay_set_layers(rtk_sub_stream *ss, int substream, int temporal);

/* The forwarding policy holds `ss` to substream `limit` (0..2; until the
 * first call 0, the lowest) and, when no layer was asked for, sends that
 * one. A change of the layer sent asks the publisher for keyframes (the
 * switch happens on one of the new layer), at once when the PeerConnection
 * is up. */
void rtk_relay_set_limit(janus_callbacks *gateway, rtk_sub_stream *ss, int limit);

/* The substream `ss` receives now (its target while none was reached). */
int rtk_relay_current_layer(rtk_sub_stream *ss);

#endif
