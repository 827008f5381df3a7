/*
 * load.h - the shared types of rtk-load, the C load client (bench/README.md, "bench/load").
 *
 * rtk-load holds many WebRTC participants in one process, on the libraries Janus itself uses:
 * libnice (ICE), OpenSSL (DTLS), libsrtp2 (SRTP). Modules and prefixes:
 *   main.c      lc_main_*   options, setting the meeting up, the measuring window, the report
 *   signal.c    lc_http_*, lc_rest_*, lc_janus_*   REST and the Janus HTTP long-poll API (libcurl)
 *   event.c     lc_event_*  which request a polled Janus message answers (rtk or VideoRoom), VideoRoom
 *               publisher lists, the video streams an offer lists (event.h)
 *   sdp.c       lc_sdp_*    the few SDP lines a load client reads and writes (sdp.h)
 *   rtp.c       lc_rtp_*, lc_rtcp_*   reading received RTP/RTCP headers, VP8 keyframes, SRs (rtp.h)
 *   peer.c      lc_peer_*   one PeerConnection: ICE, DTLS-SRTP, RTP counting, RTCP (RR, SDES, NACK, PLI)
 *   clip.c      lc_clip_*   the recorded clip (IVF VP8 layers + Ogg Opus) and its RTP packetizer
 * Threads: one media thread runs every libnice agent, DTLS, SRTP and the 5 ms tick (RTCP, NACK,
 * the publishers' pacing) on lc_media_context(); the setup threads only signal (blocking HTTP) and
 * hand a peer to the media thread once its answer is sent. Statistics belong to the media thread;
 * the main thread reads them through lc_media_call() (runs a function there and waits).
 */
#ifndef RTK_LOAD_H
#define RTK_LOAD_H

#include <stdint.h>
#include <glib.h>
#include <jansson.h>
#include <nice/agent.h>
#include <openssl/ssl.h>
#include <srtp2/srtp.h>
#include "event.h"      /* event.c (GLib and jansson only, for tests/fuzz/fuzz_load_event.c) */

#define LC_MAX_STREAMS 64          /* received SSRCs per subscriber */
#define LC_NACK_PENDING 64         /* sequence numbers waiting to be NACKed per stream */

/* ---- clip.c ---- */

typedef struct lc_frame {
	guint8 *data;
	guint32 size;
	gboolean keyframe;
} lc_frame;

/* One recorded clip: up to 3 VP8 layers (0 the smallest) at one frame rate and Opus at 20 ms. */
typedef struct lc_clip {
	lc_frame *video[3];
	guint video_frames[3];
	guint layers;
	double fps;
	lc_frame *audio;
	guint audio_frames;
} lc_clip;

/* Reads DIR/layer0.ivf (1.ivf, 2.ivf when present) and DIR/audio.ogg; NULL with a message
 * on stderr on failure. The caller owns the clip (lc_clip_free). */
lc_clip *lc_clip_load(const char *dir);
void lc_clip_free(lc_clip *clip);

#define LC_HISTORY 512          /* packets kept per SSRC for NACKed retransmissions */

typedef struct lc_sent {
	guint16 seq;
	guint16 len;                 /* 0: empty */
	guint8 data[1300];
} lc_sent;

/* A publisher's sending state: SSRCs, sequence numbers, the position in the clip. */
typedef struct lc_sender {
	const lc_clip *clip;
	guint32 audio_ssrc, video_ssrc[3];
	guint16 audio_seq, video_seq[3];
	guint16 picture_id[3];
	guint64 video_sent, audio_sent;      /* frames sent since start */
	guint64 video_offset;                /* clip frame = (sent + offset) % frames: moved on a PLI */
	gboolean keyframe_requested;         /* a PLI or FIR came: the next frame is the clip's first */
	/* publisherLayers (docs/protocol.md): the layers the server wants, bit l for layer l, set by
	 * a signalling thread (lc_sender_want_layers); the media thread follows it: a layer turned off
	 * sends nothing (RTP or SR), one turned on again resumes at its next keyframe in the clip. */
	volatile gint layers_wanted;
	volatile gint layer_events;          /* publisherLayers events taken */
	guint layers_sent;                   /* media thread: bit l, layer l is being sent */
	gboolean layer_resuming[3];          /* media thread: back on, waiting for a keyframe of it */
	guint64 layer_frames_skipped[3];     /* media thread: frames of a paused layer not sent */
	guint64 keyframe_requests;
	/* the RFC 6464 audio level of its audio packets, 0 (loudest) to 127 (silence, the default);
	 * below 127 the voice-activity bit is set: a participant speaking (--speaking) */
	int audio_level;
	gboolean audio_off;                  /* --no-audio: no audio RTP or SR (the offer's audio inactive) */
	gint64 started_us;                   /* 0 until the first packet */
	gint64 next_sr_us;
	guint64 packets, bytes;              /* every SSRC's, headers included */
	guint32 ssrc_packets[4], ssrc_octets[4];   /* per SSRC for the sender reports: layers 0-2, audio */
	lc_sent *history[4];                 /* per SSRC slot, LC_HISTORY each, by seq % LC_HISTORY */
	guint64 retransmitted;
} lc_sender;

/* A new sender of `clip` (every layer on); the caller owns it (never freed: it lives with its
 * peer) and sets its SSRCs. */
lc_sender *lc_sender_new(const lc_clip *clip);
/* The server wants the layers of `mask` (bit l: layer l) - any thread. */
void lc_sender_want_layers(lc_sender *sender, int mask);
/* Layer `layer` is paused now (the server asked; media thread). */
gboolean lc_sender_layer_paused(const lc_sender *sender, guint layer);

struct lc_peer;
/* Sends every frame due by now_us (paced by the clip's rates) through the peer's SRTP. */
void lc_clip_send_due(struct lc_peer *peer, lc_sender *sender, gint64 now_us);
/* Sends again a packet the server NACKed, when it is still in the history (as a browser without
 * RTX does: same SSRC and sequence number). */
void lc_clip_retransmit(struct lc_peer *peer, lc_sender *sender, guint32 ssrc, guint16 seq);

/* ---- peer.c ---- */

typedef struct lc_rx_stream {
	guint32 ssrc;
	guint32 local_ssrc;          /* the sender SSRC of our RTCP about this stream */
	gboolean video;
	guint32 clock;
	gboolean started;
	guint16 max_seq;
	guint32 cycles;
	guint32 base_seq;
	guint64 received, bytes, late;
	double jitter;               /* RFC 3550, in timestamp units */
	gint64 last_transit;
	/* receiver report state */
	guint64 expected_prior, received_prior;
	guint32 last_sr;             /* middle 32 bits of the last SR's NTP time */
	gint64 last_sr_us;
	/* keyframes and NACKs */
	gboolean keyframe_seen;
	guint64 keyframes;
	gint64 last_pli_us;
	guint64 plis;
	guint16 nack[LC_NACK_PENDING];
	guint nack_count;
} lc_rx_stream;

/* A snapshot of one subscriber's counters (the window is the difference of two). */
typedef struct lc_counts {
	guint64 video_packets, video_bytes, video_expected;
	guint64 audio_packets, audio_bytes, audio_expected;
	guint64 nacks, plis, rtcp, keyframes, late, srtp_errors;
	guint64 video_streams;       /* video SSRCs that have sent us anything */
} lc_counts;

typedef enum lc_peer_state {
	LC_PEER_NEW = 0, LC_PEER_ICE, LC_PEER_DTLS, LC_PEER_UP, LC_PEER_FAILED
} lc_peer_state;

typedef struct lc_peer {
	int index;
	gboolean publisher;
	char name[32];
	/* ICE */
	NiceAgent *agent;
	guint stream_id;
	GMutex lock;                 /* gathered, for the setup thread waiting on cond */
	GCond cond;
	gboolean gathered;
	/* DTLS-SRTP */
	SSL *ssl;
	gboolean dtls_client;
	char remote_fingerprint[128];
	srtp_t srtp_in, srtp_out;
	lc_peer_state state;
	gint64 created_us, ice_us, dtls_us;   /* when ICE and DTLS completed */
	char failure[160];
	/* receiving */
	lc_rx_stream rx[LC_MAX_STREAMS];
	guint rx_count;
	guint64 nacks_sent, plis_sent, rtcp_sent, srtp_errors;   /* nacks_sent: packets asked for */
	gint64 next_rtcp_us;
	GQueue *rtcp_held;           /* lc_peer_set_rtcp_delay: SRTCP packets not sent yet (owned, g_free) */
	/* sending (publishers) */
	lc_sender *sender;
	/* Janus */
	guint64 session_id, main_handle, sub_handle;
} lc_peer;

/* Process-wide set-up: the DTLS certificate (one for every peer) and libsrtp. */
gboolean lc_peer_global_init(void);
const char *lc_peer_fingerprint(void);
/* Drops this fraction of received RTP packets at random before counting them (a lossy link
 * without netem: the NACKs then ask the server to send them again). */
void lc_peer_set_drop(double fraction);
/* Holds every RTCP packet a peer sends for `ms` (sent at the first 5 ms tick past it): a link
 * with that latency as Janus's RTT estimate sees it (see bench/README.md on NACKs). */
void lc_peer_set_rtcp_delay(double ms);
/* SO_RCVBUF for each peer's socket, set when ICE selects it (0: the kernel's default); the
 * kernel caps it at net.core.rmem_max. lc_peer_rcvbuf_granted: what getsockopt then said. */
void lc_peer_set_rcvbuf(int bytes);
int lc_peer_rcvbuf_granted(void);
/* A new peer whose agent runs on the media context; controlling for an offerer. */
lc_peer *lc_peer_new(int index, gboolean publisher, const char *local_address);
/* Gathers host candidates and waits for them (from a setup thread). */
gboolean lc_peer_gather(lc_peer *peer, int timeout_ms);
/* The ICE lines of our SDP (ufrag, pwd, candidates, end-of-candidates); g_free it. */
char *lc_peer_local_ice_lines(lc_peer *peer);
/* Sets the remote ufrag/pwd/candidates/fingerprint/setup from an SDP: checks start. */
gboolean lc_peer_set_remote(lc_peer *peer, const char *sdp);
/* Sends one RTP packet (plain, in buf with room for the SRTP trailer) - media thread. */
void lc_peer_send_rtp(lc_peer *peer, guint8 *buf, int len);
/* Sends one compound RTCP packet (plain, with room for the SRTCP trailer) - media thread. */
void lc_peer_send_rtcp(lc_peer *peer, guint8 *buf, int len);
void lc_peer_counts(const lc_peer *peer, lc_counts *out);
/* The RFC 3550 jitter of each received stream, in ms, appended to the arrays (media thread). */
void lc_peer_jitter_ms(const lc_peer *peer, GArray *video, GArray *audio);

/* The media thread (peer.c). */
GMainContext *lc_media_context(void);
void lc_media_start(void);
void lc_media_add_peer(lc_peer *peer);       /* the tick covers it from now on */
/* Runs func(data) on the media thread and waits for it to return. */
void lc_media_call(void (*func)(gpointer), gpointer data);

/* ---- signal.c ---- */

typedef struct lc_http lc_http;
lc_http *lc_http_new(const char *auth_user, const char *bearer);
void lc_http_free(lc_http *http);
/* POSTs (body non-NULL) or GETs url; returns the parsed reply (caller unrefs) or NULL. */
json_t *lc_http_json(lc_http *http, const char *url, json_t *body, long *status, long timeout_s);

/* REST: a meeting's id and a participant's token (g_free them). */
char *lc_rest_create_meeting(lc_http *http, const char *base, const char *title);
char *lc_rest_add_participant(lc_http *http, const char *base, const char *meeting_id,
	const char *name, const char *preset);

/* The plugin handles attach to (default janus.plugin.rtk); set once, before any thread starts. */
void lc_janus_set_plugin(lc_plugin plugin);
guint64 lc_janus_create(lc_http *http, const char *janus);
guint64 lc_janus_attach(lc_http *http, const char *janus, guint64 session);
/* Sends a plugin message (jsep may be NULL; both borrowed) and waits for the plugin event whose
 * `rtk` is `expect` on that handle; returns it (caller unrefs) or NULL with *error set. */
json_t *lc_janus_request(lc_http *http, const char *janus, guint64 session, guint64 handle,
	json_t *body, json_t *jsep, const char *expect, char *error, size_t errlen);
/* Every polled message that answers no request (another handle's, an unsolicited event such as
 * publisherLayers) goes to `handler` (borrowed message; called on the polling thread); set once,
 * before any thread starts. */
void lc_janus_set_event_handler(void (*handler)(json_t *message));
/* One long poll of a session's events (up to 10; blocks up to 30 s when there are none): a JSON
 * array of the messages (caller unrefs). For events nobody awaits once the set-up is over. */
json_t *lc_janus_poll(lc_http *http, const char *janus, guint64 session);
void lc_janus_keepalive(lc_http *http, const char *janus, guint64 session);
void lc_janus_destroy(lc_http *http, const char *janus, guint64 session);

/* ---- sdp.c: sdp.h (GLib only, so tests/fuzz/fuzz_load_sdp.c links it alone) ---- */
#include "sdp.h"

#endif
