/*
 * forwarding.c - the forwarding policy's decisions (forwarding.h): layer
 * per tile, downlink limit, publisher layers, last-N audio.
 */
#include <string.h>
#include "forwarding.h"

/* ---- simulcast layer ---- */

int rtk_fwd_layer_limit(gboolean featured, guint tiles) {
	if(featured || tiles <= 1)
		return RTK_FWD_LAYER_HIGH;
	return tiles <= RTK_FWD_SMALL_GRID ? 1 : RTK_FWD_LAYER_LOW;
}

int rtk_fwd_layer_choose(int wanted, int limit, int downlink) {
	int layer = wanted < 0 ? limit : MIN(wanted, limit);
	layer = MIN(layer, downlink);
	return CLAMP(layer, RTK_FWD_LAYER_LOW, RTK_FWD_LAYER_HIGH);
}

/* ---- downlink ---- */

void rtk_fwd_downlink_init(rtk_fwd_downlink *d) {
	d->cap = RTK_FWD_LAYER_HIGH;
	d->changed_at = 0;
	d->clean_since = 0;
}

static void downlink_set(rtk_fwd_downlink *d, int cap, gint64 now_us) {
	d->cap = cap;
	d->changed_at = now_us;
	d->clean_since = 0;
}

gboolean rtk_fwd_downlink_report(rtk_fwd_downlink *d, guint8 fraction_lost, int current, gint64 now_us) {
	if(fraction_lost >= RTK_FWD_LOSS_HIGH) {
		d->clean_since = 0;
		/* One layer below what it gets now (the limit may be above it). */
		int below = MIN(current, d->cap) - 1;
		if(below < RTK_FWD_LAYER_LOW || (d->changed_at != 0 && now_us - d->changed_at < RTK_FWD_DOWN_SPACING_US))
			return FALSE;
		downlink_set(d, below, now_us);
		return TRUE;
	}
	if(fraction_lost >= RTK_FWD_LOSS_LOW) {
		d->clean_since = 0;
		return FALSE;
	}
	if(d->clean_since == 0)
		d->clean_since = now_us;
	if(d->cap >= RTK_FWD_LAYER_HIGH || now_us - d->clean_since < RTK_FWD_UP_AFTER_US ||
			now_us - d->changed_at < RTK_FWD_UP_AFTER_US)
		return FALSE;
	downlink_set(d, d->cap + 1, now_us);
	return TRUE;
}

gboolean rtk_fwd_rtcp_max_loss(const uint8_t *buf, size_t len, guint8 *fraction_lost) {
	gboolean found = FALSE;
	guint8 worst = 0;
	size_t at = 0;
	while(buf != NULL && len - at >= 4) {
		const uint8_t *p = buf + at;
		size_t plen = ((size_t)(p[2] << 8 | p[3]) + 1) * 4;
		if((p[0] >> 6) != 2 || plen > len - at)
			break;
		size_t blocks_at = p[1] == 200 ? 28 : p[1] == 201 ? 8 : 0;   /* after header + SSRC (+ sender info) */
		size_t count = p[0] & 0x1f;
		for(size_t b = 0; blocks_at != 0 && b < count && blocks_at + (b + 1) * 24 <= plen; b++) {
			guint8 lost = p[blocks_at + b * 24 + 4];
			worst = MAX(worst, lost);
			found = TRUE;
		}
		at += plen;
	}
	if(found)
		*fraction_lost = worst;
	return found;
}

/* ---- publisher layers ---- */

int rtk_fwd_layers_need(int needed, gboolean paused, int wanted, int limit) {
	if(paused)
		return needed;
	return MAX(needed, rtk_fwd_layer_choose(wanted, limit, RTK_FWD_LAYER_HIGH));
}

int rtk_fwd_layers_need_all(int needed) {
	return MAX(needed, RTK_FWD_LAYER_HIGH);
}

void rtk_fwd_layers_init(rtk_fwd_layers *l, gint64 now_us) {
	l->sending = RTK_FWD_LAYER_HIGH;
	l->told = FALSE;
	for(int i = RTK_FWD_LAYER_LOW; i <= RTK_FWD_LAYER_HIGH; i++)
		l->needed_at[i] = now_us;
}

/* The highest substream needed within the hold, `needed` itself at least. */
static int layers_held(const rtk_fwd_layers *l, int needed, gint64 now_us) {
	for(int i = RTK_FWD_LAYER_HIGH; i > needed; i--)
		if(now_us - l->needed_at[i] < RTK_FWD_LAYERS_HOLD_US)
			return i;
	return needed;
}

gboolean rtk_fwd_layers_update(rtk_fwd_layers *l, int needed, gint64 now_us, gboolean *raised) {
	if(!l->told && l->needed_at[RTK_FWD_LAYER_LOW] == 0)
		rtk_fwd_layers_init(l, now_us);
	needed = CLAMP(needed, RTK_FWD_LAYER_LOW, RTK_FWD_LAYER_HIGH);   /* the lowest always */
	for(int i = RTK_FWD_LAYER_LOW; i <= needed; i++)
		l->needed_at[i] = now_us;
	int sending = layers_held(l, needed, now_us);
	gboolean up = sending > l->sending;
	if(raised != NULL)
		*raised = up && l->told;
	if(sending == l->sending && l->told)
		return FALSE;
	l->sending = sending;
	l->told = TRUE;
	return TRUE;
}

gboolean rtk_fwd_layers_active(const rtk_fwd_layers *l, int substream) {
	return substream <= l->sending;
}

/* ---- last-N audio ---- */

/* Best first: speaking now, then louder; stable otherwise (insertion
 * sort: the callers' arrays are a meeting's peers, and it allocates
 * nothing). */
static gboolean voice_before(const rtk_fwd_voice *a, const rtk_fwd_voice *b) {
	if(a->speaking != b->speaking)
		return a->speaking;
	return a->loudness > b->loudness;
}

guint rtk_fwd_lastn_top(rtk_fwd_voice *voices, guint count, guint n) {
	for(guint i = 1; i < count; i++) {
		rtk_fwd_voice item = voices[i];
		guint j = i;
		while(j > 0 && voice_before(&item, &voices[j - 1])) {
			voices[j] = voices[j - 1];
			j--;
		}
		voices[j] = item;
	}
	guint top = 0;
	while(top < count && top < n && (voices[top].speaking || voices[top].loudness > 0.0))
		top++;
	return top;
}

gboolean rtk_fwd_lastn_hold(gint64 *until, gboolean in_top, gint64 now_us) {
	if(in_top)
		*until = now_us + RTK_FWD_LASTN_HOLD_US;
	return *until != 0 && now_us < *until;
}
