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

typedef struct view_entry {
	rtk_peer *peer;        /* borrowed */
	guint rank;            /* rtk_speakers_rank, read once so the sort sees one ranking */
	guint joined;          /* index in join order */
} view_entry;

/* ACTIVE_GRID order: pinned, speech rank, video on, join order. A total
 * order (join order breaks every tie), so leaving one peer out of the
 * sorted list gives the order of the others. */
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

void rtk_view_order_init(rtk_view_order *order) {
	order->grid = g_ptr_array_new();
	order->paged = g_ptr_array_new();
}

void rtk_view_order_clear(rtk_view_order *order) {
	g_ptr_array_free(order->grid, TRUE);
	g_ptr_array_free(order->paged, TRUE);
	order->grid = order->paged = NULL;
}

/* PAGINATED order: the candidates pinned first, then the others, both in
 * join order. */
static void view_order_paged(GPtrArray *peers, GPtrArray *paged) {
	for(int pinned_pass = 1; pinned_pass >= 0; pinned_pass--) {
		for(guint i = 0; i < peers->len; i++) {
			rtk_peer *peer = g_ptr_array_index(peers, i);
			if(view_is_candidate(peer) && (peer->pinned ? 1 : 0) == pinned_pass)
				g_ptr_array_add(paged, peer);
		}
	}
}

static void view_order_grid(GPtrArray *peers, const rtk_speakers *speakers, GPtrArray *grid) {
	GArray *entries = g_array_sized_new(FALSE, FALSE, sizeof(view_entry), peers->len);
	for(guint i = 0; i < peers->len; i++) {
		rtk_peer *peer = g_ptr_array_index(peers, i);
		if(!view_is_candidate(peer))
			continue;
		view_entry entry = { peer, rtk_speakers_rank(speakers, peer->id), i };
		g_array_append_val(entries, entry);
	}
	g_array_sort(entries, view_compare_grid);
	for(guint i = 0; i < entries->len; i++)
		g_ptr_array_add(grid, g_array_index(entries, view_entry, i).peer);
	g_array_free(entries, TRUE);
}

void rtk_view_order_compute(rtk_view_order *order, GPtrArray *peers, const rtk_speakers *speakers) {
	g_ptr_array_set_size(order->grid, 0);
	g_ptr_array_set_size(order->paged, 0);
	if(peers == NULL)
		return;
	view_order_grid(peers, speakers, order->grid);
	view_order_paged(peers, order->paged);
}

/* Up to max_active of `list`, `self` left out, from position `first`. */
static void view_take(const rtk_view *view, GPtrArray *list, const rtk_peer *self, guint first,
		GPtrArray *selected) {
	guint position = 0;
	for(guint i = 0; i < list->len && selected->len < view->max_active; i++) {
		rtk_peer *peer = g_ptr_array_index(list, i);
		if(peer != self && position++ >= first)
			g_ptr_array_add(selected, peer);
	}
}

guint rtk_view_order_candidates(const rtk_view_order *order, const rtk_peer *self) {
	guint count = order->paged->len;
	return self != NULL && view_is_candidate(self) && g_ptr_array_find(order->paged, self, NULL) ? count - 1 : count;
}

GPtrArray *rtk_view_select_ordered(const rtk_view *view, const rtk_view_order *order, const rtk_peer *self,
		GPtrArray *selected) {
	g_ptr_array_set_size(selected, 0);
	if(view->mode == RTK_VIEW_PAGINATED) {
		guint page = rtk_view_current_page(view, rtk_view_order_candidates(order, self));
		view_take(view, order->paged, self, (page - 1) * view->max_active, selected);
	} else {
		view_take(view, order->grid, self, 0, selected);
	}
	return selected;
}

GPtrArray *rtk_view_select(const rtk_view *view, GPtrArray *peers, const rtk_speakers *speakers, GPtrArray *selected) {
	rtk_view_order order;
	rtk_view_order_init(&order);
	rtk_view_order_compute(&order, peers, speakers);
	rtk_view_select_ordered(view, &order, NULL, selected);
	rtk_view_order_clear(&order);
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
