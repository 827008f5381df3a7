/*
 * view.c - one subscriber's view of the participants (see view.h).
 *
 * Memory: a rtk_view is a plain value owned by the caller; the peers and
 * arrays passed in are borrowed; the events returned are new references.
 */
#include <string.h>
#include "view.h"

/* ---- state and its setters ---- */

static guint view_clamp_max_active(gint64 limit) {
	if(limit < RTK_VIEW_MAX_ACTIVE_MIN)
		return RTK_VIEW_MAX_ACTIVE_MIN;
	if(limit > RTK_VIEW_MAX_ACTIVE_MAX)
		return RTK_VIEW_MAX_ACTIVE_MAX;
	return (guint)limit;
}

void rtk_view_init(rtk_view *view, const json_t *preset_config) {
	json_t *streams = json_object_get(preset_config, "max_video_streams");
	json_t *desktop = json_object_get(streams, "desktop");
	view->mode = RTK_VIEW_ACTIVE_GRID;
	view->page = 0;
	view->max_active = json_is_integer(desktop)
		? view_clamp_max_active(json_integer_value(desktop))
		: RTK_VIEW_MAX_ACTIVE_DEFAULT;
}

gboolean rtk_view_parse_mode(const char *name, rtk_view_mode *out) {
	if(name == NULL)
		return FALSE;
	if(strcmp(name, "ACTIVE_GRID") == 0)
		*out = RTK_VIEW_ACTIVE_GRID;
	else if(strcmp(name, "PAGINATED") == 0)
		*out = RTK_VIEW_PAGINATED;
	else
		return FALSE;
	return TRUE;
}

const char *rtk_view_mode_name(rtk_view_mode mode) {
	return mode == RTK_VIEW_PAGINATED ? "PAGINATED" : "ACTIVE_GRID";
}

gboolean rtk_view_set_mode(rtk_view *view, rtk_view_mode mode) {
	if(view->mode == mode)
		return FALSE;
	view->mode = mode;
	view->page = mode == RTK_VIEW_PAGINATED ? 1 : 0;
	return TRUE;
}

gboolean rtk_view_set_max_active(rtk_view *view, gint64 limit) {
	guint max_active = view_clamp_max_active(limit);
	if(view->max_active == max_active)
		return FALSE;
	view->max_active = max_active;
	return TRUE;
}

gboolean rtk_view_set_page(rtk_view *view, gint64 page, guint candidates, rtk_refusal *why) {
	if(view->mode != RTK_VIEW_PAGINATED)
		return TRUE;
	guint count = rtk_view_page_count(view, candidates);
	if(page < 1 || page > count) {
		rtk_refusal_set(why, RTK_ERR_BAD_REQUEST, "page must be between 1 and %u", count);
		return FALSE;
	}
	view->page = (guint)page;
	return TRUE;
}

/* ---- pages ---- */

static gboolean view_is_candidate(const rtk_peer *peer) {
	return peer != NULL && !peer->waitlisted && !peer->permissions.hidden_participant;
}

guint rtk_view_count_candidates(GPtrArray *peers) {
	guint count = 0;
	for(guint i = 0; peers != NULL && i < peers->len; i++)
		if(view_is_candidate(g_ptr_array_index(peers, i)))
			count++;
	return count;
}

guint rtk_view_page_count(const rtk_view *view, guint candidates) {
	if(view->mode != RTK_VIEW_PAGINATED)
		return 0;
	guint size = MAX(view->max_active, 1);
	return MAX((candidates + size - 1) / size, 1);
}

guint rtk_view_current_page(const rtk_view *view, guint candidates) {
	if(view->mode != RTK_VIEW_PAGINATED)
		return 0;
	return CLAMP(view->page, 1, rtk_view_page_count(view, candidates));
}

/* ---- selection ---- */

/* PAGINATED: walks the candidates pinned first, then the others, both in
 * join order, and keeps positions [first, first + max_active). */
static void view_select_page(const rtk_view *view, GPtrArray *peers, GPtrArray *selected) {
	guint page = rtk_view_current_page(view, rtk_view_count_candidates(peers));
	guint first = (page - 1) * view->max_active, position = 0;
	for(int pinned_pass = 1; pinned_pass >= 0; pinned_pass--) {
		for(guint i = 0; i < peers->len && selected->len < view->max_active; i++) {
			rtk_peer *peer = g_ptr_array_index(peers, i);
			if(!view_is_candidate(peer) || (peer->pinned ? 1 : 0) != pinned_pass)
				continue;
			if(position++ >= first)
				g_ptr_array_add(selected, peer);
		}
	}
}

typedef struct view_entry {
	rtk_peer *peer;        /* borrowed */
	guint rank;            /* rtk_speakers_rank, read once so the sort sees one ranking */
	guint joined;          /* index in join order */
} view_entry;

/* ACTIVE_GRID order: pinned, speech rank, video on, join order. */
static gint view_compare_grid(gconstpointer pa, gconstpointer pb) {
	const view_entry *a = pa, *b = pb;
	if(a->peer->pinned != b->peer->pinned)
		return a->peer->pinned ? -1 : 1;
	if(a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	gboolean a_video = a->peer->media_enabled[RTK_MEDIA_VIDEO], b_video = b->peer->media_enabled[RTK_MEDIA_VIDEO];
	if(a_video != b_video)
		return a_video ? -1 : 1;
	return a->joined < b->joined ? -1 : (a->joined > b->joined);
}

static void view_select_grid(const rtk_view *view, GPtrArray *peers, const rtk_speakers *speakers, GPtrArray *selected) {
	GArray *entries = g_array_sized_new(FALSE, FALSE, sizeof(view_entry), peers->len);
	for(guint i = 0; i < peers->len; i++) {
		rtk_peer *peer = g_ptr_array_index(peers, i);
		if(!view_is_candidate(peer))
			continue;
		view_entry entry = { peer, rtk_speakers_rank(speakers, peer->id), i };
		g_array_append_val(entries, entry);
	}
	g_array_sort(entries, view_compare_grid);
	for(guint i = 0; i < entries->len && i < view->max_active; i++)
		g_ptr_array_add(selected, g_array_index(entries, view_entry, i).peer);
	g_array_free(entries, TRUE);
}

GPtrArray *rtk_view_select(const rtk_view *view, GPtrArray *peers, const rtk_speakers *speakers, GPtrArray *selected) {
	g_ptr_array_set_size(selected, 0);
	if(peers == NULL)
		return selected;
	if(view->mode == RTK_VIEW_PAGINATED)
		view_select_page(view, peers, selected);
	else
		view_select_grid(view, peers, speakers, selected);
	return selected;
}

/* ---- events ---- */

json_t *rtk_view_mode_event(const rtk_view *view, guint candidates) {
	return json_pack("{ss ss sI sI sI}", "rtk", "viewModeUpdate",
		"viewMode", rtk_view_mode_name(view->mode),
		"currentPage", (json_int_t)rtk_view_current_page(view, candidates),
		"pageCount", (json_int_t)rtk_view_page_count(view, candidates),
		"maxActiveParticipantsCount", (json_int_t)view->max_active);
}

/* A NEW array of the ids of the peers in `peers` that pass `keep` (NULL:
 * all) and, when `kind` is not RTK_MEDIA_KINDS, have that kind enabled. */
static json_t *view_ids(GPtrArray *peers, gboolean (*keep)(const rtk_peer *), rtk_media_kind kind) {
	json_t *ids = json_array();
	for(guint i = 0; peers != NULL && i < peers->len; i++) {
		rtk_peer *peer = g_ptr_array_index(peers, i);
		if(keep != NULL && !keep(peer))
			continue;
		if(kind != RTK_MEDIA_KINDS && !peer->media_enabled[kind])
			continue;
		json_array_append_new(ids, json_string(peer->id));
	}
	return ids;
}

json_t *rtk_view_active_event(GPtrArray *selected, GPtrArray *peers) {
	return json_pack("{ss so so so}", "rtk", "activeParticipantsUpdate",
		"active", view_ids(selected, NULL, RTK_MEDIA_KINDS),
		"videoSubscribed", view_ids(selected, NULL, RTK_MEDIA_VIDEO),
		"audioSubscribed", view_ids(peers, view_is_candidate, RTK_MEDIA_AUDIO));
}

json_t *rtk_view_speaker_event(const rtk_peer *speaker) {
	if(speaker == NULL || speaker->permissions.hidden_participant)
		return NULL;
	return json_pack("{ss ss ss}", "rtk", "activeSpeaker",
		"participantId", speaker->id, "userId", speaker->user_id);
}
