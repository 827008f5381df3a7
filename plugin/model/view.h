/*
 * view.h - what one subscriber sees: its view mode, page and active count,
 * and the choice of whose video it receives.
 *
 * Owns the SDK's RTKParticipants view state of one viewer (viewMode,
 * currentPage, pageCount, maxActiveParticipantsCount), the rules of
 * setViewMode / setPage / setMaxActiveParticipantsCount, the selection of
 * the peers whose video the viewer receives (meeting.participants.active)
 * in ACTIVE_GRID (by pin, speech, video) or PAGINATED (by page) mode, and
 * the events that tell the SDK about them. It exists so that the glue only
 * applies a selection to m-lines, and a unit test can check who is chosen.
 * Audio is not chosen: everyone's audio is forwarded (audioSubscribed).
 * Plain C + GLib + Jansson; no Janus. Not thread-safe: a view is used under
 * its room's lock, like the room.
 *
 * "Candidates" are the peers the viewer may see in the grid: joined, not
 * waitlisted, not hidden (permissions.hidden_participant), in join order;
 * the caller passes the room's joined peers minus the viewer itself.
 */
#ifndef RTK_VIEW_H
#define RTK_VIEW_H

#include <glib.h>
#include <jansson.h>
#include "errors.h"
#include "peer.h"
#include "speaker.h"

/* maxActiveParticipantsCount bounds, and the default when the viewer's
 * preset config has no max_video_streams.desktop. */
#define RTK_VIEW_MAX_ACTIVE_MIN 1
#define RTK_VIEW_MAX_ACTIVE_MAX 100
#define RTK_VIEW_MAX_ACTIVE_DEFAULT 9

typedef enum rtk_view_mode {
	RTK_VIEW_ACTIVE_GRID = 0,  /* the default: ranked by pin, speech, video */
	RTK_VIEW_PAGINATED         /* a fixed page of the join order */
} rtk_view_mode;

typedef struct rtk_view {
	rtk_view_mode mode;
	guint max_active;          /* 1..100: video tiles, and the page size */
	guint page;                /* requested page, 1-based in PAGINATED; 0 in ACTIVE_GRID */
} rtk_view;

/* ACTIVE_GRID, page 0, max_active from `preset_config` (borrowed, may be
 * NULL) max_video_streams.desktop, clamped to 1..100, else the default. */
void rtk_view_init(rtk_view *view, const json_t *preset_config);

/* "ACTIVE_GRID" | "PAGINATED" (exact). FALSE (and *out unchanged) else. */
gboolean rtk_view_parse_mode(const char *name, rtk_view_mode *out);
const char *rtk_view_mode_name(rtk_view_mode mode);

/* setViewMode: PAGINATED starts on page 1, ACTIVE_GRID has page 0.
 * Returns TRUE when the mode changed. */
gboolean rtk_view_set_mode(rtk_view *view, rtk_view_mode mode);
/* setMaxActiveParticipantsCount: `limit` clamped to 1..100; a page kept
 * in PAGINATED is clamped to the new page count by the readers below.
 * Returns TRUE when it changed. */
gboolean rtk_view_set_max_active(rtk_view *view, gint64 limit);
/* setPage: in ACTIVE_GRID it does nothing (the seed) and returns TRUE;
 * in PAGINATED `page` must be 1..page_count (else RTK_ERR_BAD_REQUEST,
 * nothing changed). */
gboolean rtk_view_set_page(rtk_view *view, gint64 page, guint candidates, rtk_refusal *why);

/* The number of candidates in `peers` (rtk_peer*, borrowed). */
guint rtk_view_count_candidates(GPtrArray *peers);
/* pageCount: 0 in ACTIVE_GRID (the seed); in PAGINATED
 * ceil(candidates / max_active), at least 1. */
guint rtk_view_page_count(const rtk_view *view, guint candidates);
/* currentPage: 0 in ACTIVE_GRID; in PAGINATED the requested page clamped
 * to 1..page_count (people leave: the last page may vanish). */
guint rtk_view_current_page(const rtk_view *view, guint candidates);

/* Chooses whose video the viewer receives from `peers` (rtk_peer*,
 * borrowed, joined, in join order, the viewer excluded by the caller):
 * ACTIVE_GRID: pinned first, then by rtk_speakers_rank (`speakers` may be
 *   NULL: nobody spoke), then video enabled, then join order; the first
 *   max_active.
 * PAGINATED: pinned first, then join order; the current page's slice of
 *   max_active.
 * Only candidates are chosen. Empties `selected` (a GPtrArray of
 * rtk_peer*, borrowed; it must have no free function), fills it in that
 * order and returns it. */
GPtrArray *rtk_view_select(const rtk_view *view, GPtrArray *peers, const rtk_speakers *speakers, GPtrArray *selected);

/*
 * The same choice for every viewer of a meeting at once: the candidates of
 * all the joined peers are put in each mode's order once
 * (rtk_view_order_compute, O(n log n)), and each viewer takes its slice
 * leaving itself out (rtk_view_select_ordered, O(max_active) in
 * ACTIVE_GRID), instead of sorting the others once per viewer. The order
 * holds borrowed peers: compute it again after the room changes.
 */
typedef struct rtk_view_order {
	GPtrArray *grid;    /* rtk_peer* (borrowed): the candidates in ACTIVE_GRID order */
	GPtrArray *paged;   /* rtk_peer* (borrowed): the candidates pinned first, then join order */
} rtk_view_order;
void rtk_view_order_init(rtk_view_order *order);
/* Frees the arrays (not the peers). */
void rtk_view_order_clear(rtk_view_order *order);
/* `peers`: the room's joined peers (borrowed) in join order, the viewers
 * included; `speakers` may be NULL. */
void rtk_view_order_compute(rtk_view_order *order, GPtrArray *peers, const rtk_speakers *speakers);
/* The number of candidates `self` (a viewer, may be NULL) may see. */
guint rtk_view_order_candidates(const rtk_view_order *order, const rtk_peer *self);
/* rtk_view_select for the viewer `self` (left out; may be NULL) from a
 * computed order: the same peers in the same order as rtk_view_select
 * of the joined peers minus `self`. */
GPtrArray *rtk_view_select_ordered(const rtk_view *view, const rtk_view_order *order, const rtk_peer *self,
	GPtrArray *selected);
/* {"rtk":"viewModeUpdate", "viewMode", "currentPage", "pageCount",
 * "maxActiveParticipantsCount"}. A NEW reference. */
json_t *rtk_view_mode_event(const rtk_view *view, guint candidates);
/* {"rtk":"activeParticipantsUpdate", "active": [peer ids of `selected`],
 * "videoSubscribed": [those with video enabled], "audioSubscribed": [the
 * candidates of `peers` with audio enabled]}. Both arrays borrowed. A NEW
 * reference. */
json_t *rtk_view_active_event(GPtrArray *selected, GPtrArray *peers);
/* {"rtk":"activeSpeaker", "participantId", "userId"} for the SDK's
 * lastActiveSpeaker, or NULL when `speaker` is NULL or hidden (a hidden
 * participant is never announced). A NEW reference. */
json_t *rtk_view_speaker_event(const rtk_peer *speaker);

#endif
