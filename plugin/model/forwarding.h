/*
 * forwarding.h - the forwarding policy: how much of each published stream
 * a subscriber is sent, so the server sends less.
 *
 * Owns three decisions, each a pure function or a small state machine that
 * a unit test drives with numbers (tests/unit/test_forwarding.c); the glue
 * (plugin/forwarding.c) gathers the inputs on the meeting's tick and applies
 * the outcome to the relay's subscriber streams (relay.h):
 *
 * - Simulcast layer per camera tile: the layer the subscriber asked for
 *   (the SDK's `configure` per tile size; none asked: the policy's own
 *   choice), never above a limit from what the tile is: the active speaker
 *   (or a pinned peer) has no limit, any tile of a view showing one tile has
 *   none, another tile of a view of up to RTK_FWD_SMALL_GRID tiles is held
 *   to substream 1, of a larger view to substream 0; and never above what
 *   the subscriber's downlink takes (below). Tiles off screen are paused
 *   (view.h), not chosen here.
 * - Downlink: the fraction lost in the receiver reports a subscriber sends
 *   for a video stream. Heavy loss drops that stream one layer, at most
 *   every RTK_FWD_DOWN_SPACING_US; a long clean spell lets it climb one
 *   layer back (hysteresis: the thresholds and the times differ, so it
 *   does not flap). rtk_fwd_rtcp_max_loss() reads the reports (fuzzed:
 *   tests/fuzz/fuzz_rtcp_loss.c).
 * - Publisher layers ("dynacast"): which simulcast layers a publisher
 *   sends at all. A layer no consumer of the stream needs is paused at the
 *   publisher, so it is neither sent nor received and decrypted by the
 *   server. The layers needed are those up to the highest any subscriber
 *   stream is sent or about to be (rtk_fwd_layer_choose of each one not
 *   paused; a companion feed needs the top one); the lowest is always
 *   sent. A layer needed again is asked for at once; one no longer needed
 *   is paused only after RTK_FWD_LAYERS_HOLD_US without need, so a speaker
 *   changing back and forth does not toggle the publisher's encoder.
 * - Last-N audio: each subscriber gets the audio of the N loudest other
 *   speakers only. Who is in the top N is decided at every tick from the
 *   speaker detector's numbers (speaker.h): speaking now first, then the
 *   louder. A peer entering the top N is forwarded at once; one leaving it
 *   stays forwarded for RTK_FWD_LASTN_HOLD_US after it was last in it, so
 *   the end of a sentence or an overlap is never cut.
 *
 * Plain C + GLib; no Janus. Not thread-safe: the caller serializes the
 * calls on one state (the meeting's lock, or the relay's subs_mutex).
 */
#ifndef RTK_FORWARDING_H
#define RTK_FORWARDING_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#define RTK_FWD_LAYER_LOW 0
#define RTK_FWD_LAYER_HIGH 2
/* Views of up to this many tiles hold their other tiles to substream 1. */
#define RTK_FWD_SMALL_GRID 4
/* A peer that left the top N stays forwarded this long. */
#define RTK_FWD_LASTN_HOLD_US (2 * G_USEC_PER_SEC)
/* Loss (of 256, as in a report block) that drops a layer: about 10%. */
#define RTK_FWD_LOSS_HIGH 26
/* Loss below which a report counts as clean: about 2%. */
#define RTK_FWD_LOSS_LOW 5
/* At most one drop per this time: the previous one must take effect. */
#define RTK_FWD_DOWN_SPACING_US (2 * G_USEC_PER_SEC)
/* Clean reports for this long (and as long since the last change) climb
 * one layer back. */
#define RTK_FWD_UP_AFTER_US (10 * G_USEC_PER_SEC)

/* A layer no consumer needs is paused at the publisher this long after it
 * was last needed. */
#define RTK_FWD_LAYERS_HOLD_US (2500 * 1000)

/* ---- simulcast layer ---- */

/* The highest substream a camera tile gets from what it is: `featured`
 * (the active speaker or pinned) or not, in a view of `tiles` tiles. */
int rtk_fwd_layer_limit(gboolean featured, guint tiles);

/* The substream to send: `wanted` (the subscriber's request, -1: none)
 * held to `limit` and to `downlink` (rtk_fwd_downlink.cap); with no
 * request, `limit` itself held to `downlink`. 0..2. */
int rtk_fwd_layer_choose(int wanted, int limit, int downlink);

/* ---- downlink ---- */

typedef struct rtk_fwd_downlink {
	int cap;                 /* the highest substream it takes now, 0..2 */
	gint64 changed_at;       /* monotonic us of the last change of cap; 0: never */
	gint64 clean_since;      /* first of the current run of clean reports; 0: none */
} rtk_fwd_downlink;

/* No limit yet. */
void rtk_fwd_downlink_init(rtk_fwd_downlink *d);
/* One receiver report about a stream sent at substream `current`:
 * `fraction_lost` 0..255 (RFC 3550). Returns TRUE when `cap` changed. */
gboolean rtk_fwd_downlink_report(rtk_fwd_downlink *d, guint8 fraction_lost, int current, gint64 now_us);

/* The highest "fraction lost" of the report blocks in the compound RTCP
 * `buf` (receiver reports, PT 201, and sender reports, PT 200). FALSE
 * when it holds no well-formed report block. */
gboolean rtk_fwd_rtcp_max_loss(const uint8_t *buf, size_t len, guint8 *fraction_lost);

/* ---- publisher layers ---- */

/* The aggregation over one published stream's consumers, one at a time:
 * `needed` (-1 before the first) raised to what this subscriber stream is
 * sent or about to be: nothing when `paused`, else `wanted` held to
 * `limit` (rtk_fwd_layer_choose; the relay targets that substream at
 * once, and switches on its next keyframe). Returns the new maximum. */
int rtk_fwd_layers_need(int needed, gboolean paused, int wanted, int limit);
/* The same for a companion feed (recording, livestream; any rtk_forward):
 * it is sent the top layer. */
int rtk_fwd_layers_need_all(int needed);

typedef struct rtk_fwd_layers {
	int sending;              /* the highest substream the publisher was last told to send */
	gboolean told;            /* it was told at least once */
	gint64 needed_at[RTK_FWD_LAYER_HIGH + 1];   /* monotonic us each substream was last needed */
} rtk_fwd_layers;

/* A stream published at `now_us`: every layer counts as needed now (the
 * publisher starts sending them all; none is paused before the hold). A
 * zeroed rtk_fwd_layers (g_new0) is the same: the first update inits it. */
void rtk_fwd_layers_init(rtk_fwd_layers *l, gint64 now_us);
/* The highest substream needed now, `needed` (-1: no consumer; the
 * lowest is sent anyway), on the meeting's tick and after any change of
 * views. `sending` becomes the highest substream needed within the last
 * RTK_FWD_LAYERS_HOLD_US. Returns TRUE when the publisher must be told
 * (rtk_fwd_layers_active): the first call, and every change; `*raised`
 * (may be NULL) says the change added a layer (ask for a keyframe). */
gboolean rtk_fwd_layers_update(rtk_fwd_layers *l, int needed, gint64 now_us, gboolean *raised);
/* Whether the publisher sends `substream` (0..2) as last told. */
gboolean rtk_fwd_layers_active(const rtk_fwd_layers *l, int substream);

/* ---- last-N audio ---- */

typedef struct rtk_fwd_voice {
	const char *peer_id;     /* borrowed */
	double loudness;         /* speaker.h: 0..60 */
	gboolean speaking;       /* speaking now */
	void *user;              /* the caller's, carried along by the sort */
} rtk_fwd_voice;

/* Sorts `voices` best first (speaking now, then louder, then the given
 * order) and returns how many of the first are the top N: at most `n`,
 * and only peers speaking or with some loudness (a silent peer is never
 * in the top N). */
guint rtk_fwd_lastn_top(rtk_fwd_voice *voices, guint count, guint n);

/* The hysteresis of one (subscriber, speaker) pair: `*until` (0 at
 * first) is moved to now + RTK_FWD_LASTN_HOLD_US while `in_top`. Returns
 * whether its audio is forwarded now. */
gboolean rtk_fwd_lastn_hold(gint64 *until, gboolean in_top, gint64 now_us);

#endif
