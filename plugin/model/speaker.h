/*
 * speaker.h - who is speaking in a room: active-speaker detection from the
 * audio-level RTP header extension (RFC 6464).
 *
 * Owns, per publishing peer, a short history of its audio levels and, for
 * the room, the one "active speaker" (the SDK's lastActiveSpeaker) plus a
 * ranking of peers by how recently they spoke, which the ACTIVE_GRID view
 * (view.h) uses to choose whose video a subscriber receives. It exists so
 * that the relay path only records numbers and the decision, with its
 * hysteresis, happens on a timer, in one place that a unit test can drive
 * with synthetic packet streams. Plain C + GLib; no Janus.
 *
 * Model (constants and their reasons in speaker.c):
 * - Each packet's level (0..127 = -dBov, 0 loudest) becomes a score:
 *   how far it is above the silence floor (-60 dBov); quieter is 0. When a
 *   sender has ever set the VAD bit, its packets without it score 0
 *   (noise such as typing is not speech); a sender that never sets it is
 *   judged by level alone.
 * - Scores are averaged per 100 ms bucket; a peer's loudness is the mean of
 *   its last ten completed buckets (1 s), a missing bucket counting as
 *   silence (so DTX and stopped streams fade out).
 * - A peer challenges the current speaker while it speaks now (one of its
 *   last two buckets is voiced), its loudness reaches the speaking minimum
 *   and exceeds the current speaker's by a margin. A challenge held at
 *   every evaluation for the hold time (500 ms) takes over. So a short
 *   blip never steals, a silent peer never steals, and a current speaker
 *   who keeps talking keeps the floor against anyone not clearly louder.
 *   Without a current speaker the same rule applies against loudness 0.
 * - The active speaker stays active through silence until someone takes
 *   over or it is forgotten (lastActiveSpeaker is "the last who spoke").
 *
 * Threading: every function may be called from any thread. A GMutex inside
 * is held briefly by each call; the plugin calls rtk_speakers_level() from
 * relay threads and rtk_speakers_evaluate() from one timer thread. Nothing
 * is allocated under the lock after a peer's first packet (creating a peer
 * allocates outside the lock, then inserts). The strings returned by
 * evaluate() and current() stay valid until the next evaluate() call (a
 * forgotten peer is freed there), so read them on the evaluating thread.
 */
#ifndef RTK_SPEAKER_H
#define RTK_SPEAKER_H

#include <glib.h>

typedef struct rtk_speakers rtk_speakers;

rtk_speakers *rtk_speakers_new(void);
void rtk_speakers_free(rtk_speakers *s);

/* One audio packet of `peer_id` (borrowed; copied on its first packet):
 * `level` 0..127 as in RFC 6464 (clamped), `vad` the V bit, `now_us` a
 * monotonic time in microseconds (g_get_monotonic_time, >= 0). O(1), no
 * allocation after the peer's first packet. A packet so late (~1.2 s)
 * that its bucket was reused by newer ones is ignored; one older than the
 * window at the next evaluate() does not count anyway. */
void rtk_speakers_level(rtk_speakers *s, const char *peer_id, int level, gboolean vad, gint64 now_us);

/* Drops the peer (call after its relay stopped: a later level() would
 * recreate it). Forgetting the current speaker leaves no current speaker;
 * evaluate() does not report that (the caller knows), and the next peer
 * to speak takes over under the usual rule. Unknown ids are ignored. */
void rtk_speakers_forget(rtk_speakers *s, const char *peer_id);

/* Runs the decision at `now_us` (call every ~100-300 ms). Returns the new
 * active speaker's peer id (owned by `s`, valid until the next evaluate())
 * when it CHANGED, else NULL. Also refreshes the ranking. */
const char *rtk_speakers_evaluate(rtk_speakers *s, gint64 now_us);

/* Makes `peer_id` (borrowed; NULL: nobody) the active speaker, whatever
 * the levels say: a cascade edge shows the speaker its owner node
 * detected (cascade.h), having no audio levels of its own. When that
 * changes the current speaker to a peer, the next evaluate() reports it
 * as a change; to nobody, silently (as forget() does). */
void rtk_speakers_impose(rtk_speakers *s, const char *peer_id);

/* The active speaker's peer id, or NULL (owned by `s`, valid until the
 * next evaluate()). */
const char *rtk_speakers_current(const rtk_speakers *s);

/* The peer's place by how recently it spoke, as of the last evaluate():
 * 0 = the active speaker (or, with none, the most recent speaker), then
 * the others by the last evaluation at which they were speaking, most
 * recent first (ties: louder first, then first heard first).
 * G_MAXUINT = never spoke (or unknown). */
guint rtk_speakers_rank(const rtk_speakers *s, const char *peer_id);

/* As of the last evaluate(): the peer's loudness (0..60, the mean score
 * of its last second) and whether it is voiced now (one of its last two
 * 100 ms buckets is: the earliest sign of speech, before its loudness
 * makes it "speaking"). FALSE (nothing written) for an unknown peer. The
 * last-N audio policy's input (forwarding.h). */
gboolean rtk_speakers_voice(const rtk_speakers *s, const char *peer_id, double *loudness, gboolean *voiced);

#endif
