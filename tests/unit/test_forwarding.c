/*
 * test_forwarding.c - the forwarding policy's decisions
 * (plugin/model/forwarding.c), without Janus: the layer of a tile, the
 * downlink limit from receiver-report loss with its hysteresis, the
 * reading of report blocks, the layers a publisher is asked to send
 * (their aggregation over its consumers, raised at once, lowered after
 * the hold), and last-N audio (who is in the top N, the
 * hold after leaving it), fed by the speaker detector's numbers
 * (speaker.c, rtk_speakers_voice).
 */
#include <glib.h>
#include <string.h>
#include "unit.h"
#include "forwarding.h"
#include "speaker.h"

#define SEC G_USEC_PER_SEC
#define T0 (100 * SEC)

/* The active speaker's (or a pinned) tile is unlimited; a lone tile too;
 * the others 1 in a view of up to 4 tiles, 0 beyond. */
static void test_layer_limit(void) {
	CHECK_EQ_INT(rtk_fwd_layer_limit(TRUE, 9), 2);
	CHECK_EQ_INT(rtk_fwd_layer_limit(FALSE, 1), 2);
	CHECK_EQ_INT(rtk_fwd_layer_limit(FALSE, 2), 1);
	CHECK_EQ_INT(rtk_fwd_layer_limit(FALSE, 4), 1);
	CHECK_EQ_INT(rtk_fwd_layer_limit(FALSE, 5), 0);
	CHECK_EQ_INT(rtk_fwd_layer_limit(FALSE, 25), 0);
}

/* A request is held to the limit and the downlink; no request: the limit. */
static void test_layer_choose(void) {
	CHECK_EQ_INT(rtk_fwd_layer_choose(-1, 2, 2), 2);
	CHECK_EQ_INT(rtk_fwd_layer_choose(-1, 0, 2), 0);
	CHECK_EQ_INT(rtk_fwd_layer_choose(0, 2, 2), 0);      /* a small tile stays low under no limit */
	CHECK_EQ_INT(rtk_fwd_layer_choose(2, 0, 2), 0);      /* a big grid tile of a non-speaker */
	CHECK_EQ_INT(rtk_fwd_layer_choose(1, 2, 2), 1);
	CHECK_EQ_INT(rtk_fwd_layer_choose(2, 2, 1), 1);      /* the downlink takes no more */
	CHECK_EQ_INT(rtk_fwd_layer_choose(-1, 2, 0), 0);
	CHECK_EQ_INT(rtk_fwd_layer_choose(7, 9, 9), 2);
}

/* Heavy loss drops one layer below the one sent, at most every 2 s; moderate
 * loss holds; 10 s of clean reports climb one layer, 10 s more the next. */
static void test_downlink(void) {
	rtk_fwd_downlink d;
	rtk_fwd_downlink_init(&d);
	CHECK_EQ_INT(d.cap, 2);
	CHECK(!rtk_fwd_downlink_report(&d, 0, 2, T0));
	CHECK(!rtk_fwd_downlink_report(&d, 20, 2, T0 + SEC));          /* ~8%: not enough */
	CHECK(rtk_fwd_downlink_report(&d, 40, 2, T0 + 2 * SEC));       /* ~16% */
	CHECK_EQ_INT(d.cap, 1);
	CHECK(!rtk_fwd_downlink_report(&d, 60, 2, T0 + 3 * SEC));      /* within 2 s of the drop */
	CHECK_EQ_INT(d.cap, 1);
	CHECK(rtk_fwd_downlink_report(&d, 60, 1, T0 + 4 * SEC));
	CHECK_EQ_INT(d.cap, 0);
	CHECK(!rtk_fwd_downlink_report(&d, 200, 0, T0 + 7 * SEC));     /* nothing below 0 */
	CHECK_EQ_INT(d.cap, 0);
	/* clean from 8 s on: the first climb 10 s later */
	for(int s = 8; s < 18; s++)
		CHECK(!rtk_fwd_downlink_report(&d, 0, 0, T0 + s * SEC));
	CHECK(rtk_fwd_downlink_report(&d, 2, 0, T0 + 18 * SEC));
	CHECK_EQ_INT(d.cap, 1);
	/* a moderate loss restarts the clean run */
	CHECK(!rtk_fwd_downlink_report(&d, 0, 1, T0 + 25 * SEC));
	CHECK(!rtk_fwd_downlink_report(&d, 10, 1, T0 + 27 * SEC));
	CHECK(!rtk_fwd_downlink_report(&d, 0, 1, T0 + 30 * SEC));
	CHECK(!rtk_fwd_downlink_report(&d, 0, 1, T0 + 39 * SEC));
	CHECK(rtk_fwd_downlink_report(&d, 0, 1, T0 + 40 * SEC));
	CHECK_EQ_INT(d.cap, 2);
	CHECK(!rtk_fwd_downlink_report(&d, 0, 2, T0 + 60 * SEC));      /* no limit above 2 */
	/* a stream sent low while the limit is high: the drop is below what it gets */
	CHECK(rtk_fwd_downlink_report(&d, 255, 1, T0 + 61 * SEC));
	CHECK_EQ_INT(d.cap, 0);
}

static void put_rr_block(guint8 *b, guint32 ssrc, guint8 lost) {
	memset(b, 0, 24);
	b[0] = ssrc >> 24; b[1] = ssrc >> 16; b[2] = ssrc >> 8; b[3] = ssrc;
	b[4] = lost;
}

/* Report blocks of receiver and sender reports in a compound packet; the
 * worst one counts; malformed packets end the walk. */
static void test_rtcp_loss(void) {
	guint8 buf[200];
	guint8 lost = 77;
	/* RR with two blocks, then an SR with one, then a PLI */
	buf[0] = 0x80 | 2; buf[1] = 201; buf[2] = 0; buf[3] = 1 + 12;   /* (8 + 48) / 4 - 1 */
	memset(buf + 4, 0, 4);
	put_rr_block(buf + 8, 1, 10);
	put_rr_block(buf + 32, 2, 3);
	size_t at = 56;
	buf[at] = 0x80 | 1; buf[at + 1] = 200; buf[at + 2] = 0; buf[at + 3] = 12;  /* (28 + 24) / 4 - 1 */
	memset(buf + at + 4, 0, 24);
	put_rr_block(buf + at + 28, 3, 30);
	at += 52;
	buf[at] = 0x81; buf[at + 1] = 206; buf[at + 2] = 0; buf[at + 3] = 2;
	memset(buf + at + 4, 0, 8);
	at += 12;
	CHECK(rtk_fwd_rtcp_max_loss(buf, at, &lost));
	CHECK_EQ_INT(lost, 30);
	/* the RR alone */
	CHECK(rtk_fwd_rtcp_max_loss(buf, 56, &lost));
	CHECK_EQ_INT(lost, 10);
	/* a cut packet: the RR whose length runs past the end is not read */
	lost = 77;
	CHECK(!rtk_fwd_rtcp_max_loss(buf, 40, &lost));
	CHECK_EQ_INT(lost, 77);
	/* an RR without blocks, a PLI alone, nothing */
	guint8 empty[8] = { 0x80, 201, 0, 1, 0, 0, 0, 1 };
	CHECK(!rtk_fwd_rtcp_max_loss(empty, sizeof(empty), &lost));
	CHECK(!rtk_fwd_rtcp_max_loss(buf + 108, 12, &lost));
	CHECK(!rtk_fwd_rtcp_max_loss(NULL, 0, &lost));
	/* a count larger than the packet holds: only the blocks inside */
	guint8 over[32];
	over[0] = 0x80 | 5; over[1] = 201; over[2] = 0; over[3] = 7;
	memset(over + 4, 0, 4);
	put_rr_block(over + 8, 9, 99);
	CHECK(rtk_fwd_rtcp_max_loss(over, sizeof(over), &lost));
	CHECK_EQ_INT(lost, 99);
	/* version 1: not RTCP */
	over[0] = 0x41;
	CHECK(!rtk_fwd_rtcp_max_loss(over, sizeof(over), &lost));
}

/* Speaking now first, then louder; silent peers never in the top N. */
static void test_lastn_top(void) {
	int marks[5];
	rtk_fwd_voice v[] = {
		{ "a", 0.0, FALSE, &marks[0] }, { "b", 20.0, FALSE, &marks[1] }, { "c", 5.0, TRUE, &marks[2] },
		{ "d", 30.0, TRUE, &marks[3] }, { "e", 0.0, FALSE, &marks[4] },
	};
	guint top = rtk_fwd_lastn_top(v, G_N_ELEMENTS(v), 2);
	CHECK_EQ_INT(top, 2);
	CHECK_EQ_STR(v[0].peer_id, "d");
	CHECK_EQ_STR(v[1].peer_id, "c");
	CHECK_EQ_STR(v[2].peer_id, "b");
	CHECK(v[0].user == &marks[3] && v[1].user == &marks[2] && v[2].user == &marks[1]);   /* carried along */
	CHECK_EQ_INT(rtk_fwd_lastn_top(v, G_N_ELEMENTS(v), 10), 3);
	rtk_fwd_voice quiet[] = { { "a", 0.0, FALSE, NULL }, { "b", 0.0, FALSE, NULL } };
	CHECK_EQ_INT(rtk_fwd_lastn_top(quiet, 2, 1), 0);
	CHECK_EQ_INT(rtk_fwd_lastn_top(quiet, 0, 1), 0);
}

/* In the top N: forwarded at once; out of it: for 2 s more. */
static void test_lastn_hold(void) {
	gint64 until = 0;
	CHECK(!rtk_fwd_lastn_hold(&until, FALSE, T0));
	CHECK(rtk_fwd_lastn_hold(&until, TRUE, T0 + SEC));
	CHECK(rtk_fwd_lastn_hold(&until, FALSE, T0 + 2 * SEC));
	CHECK(rtk_fwd_lastn_hold(&until, FALSE, T0 + 3 * SEC - 1));
	CHECK(!rtk_fwd_lastn_hold(&until, FALSE, T0 + 3 * SEC));
	CHECK(rtk_fwd_lastn_hold(&until, TRUE, T0 + 4 * SEC));
}

/* Three peers send levels (one packet per 20 ms); N = 1: the top one
 * follows who talks, and the one who stopped keeps being forwarded for
 * the hold time, so a turn never loses the end of the last sentence. */
static void test_lastn_with_speakers(void) {
	const char *peers[] = { "ada", "bob", "cy" };
	rtk_speakers *s = rtk_speakers_new();
	gint64 until[3] = { 0, 0, 0 };
	GString *log = g_string_new(NULL);
	gboolean was[3] = { FALSE, FALSE, FALSE };
	for(gint64 ms = 0; ms < 9000; ms += 20) {
		gint64 now = T0 + ms * 1000;
		for(int p = 0; p < 3; p++) {
			/* ada talks 0-2 s, bob 2-4 s, nobody after */
			gboolean talks = (p == 0 && ms < 2000) || (p == 1 && ms >= 2000 && ms < 4000);
			rtk_speakers_level(s, peers[p], talks ? 20 : 127, talks, now);
		}
		if(ms % 200 != 0)
			continue;
		rtk_speakers_evaluate(s, now);
		rtk_fwd_voice v[3];
		for(int p = 0; p < 3; p++) {
			v[p].peer_id = peers[p];
			v[p].loudness = 0.0;
			v[p].speaking = FALSE;
			v[p].user = NULL;
			CHECK(rtk_speakers_voice(s, peers[p], &v[p].loudness, &v[p].speaking));
		}
		guint top = rtk_fwd_lastn_top(v, 3, 1);
		for(int p = 0; p < 3; p++) {
			gboolean in_top = top > 0 && !strcmp(v[0].peer_id, peers[p]);
			gboolean on = rtk_fwd_lastn_hold(&until[p], in_top, now);
			if(on != was[p])
				g_string_append_printf(log, "%" G_GINT64_FORMAT ":%s%s;", ms, on ? "+" : "-", peers[p]);
			was[p] = on;
		}
	}
	/* ada in from the first evaluation after her first voiced bucket; bob in
	 * as soon as he is voiced (ada voiced no more, louder or not); ada held
	 * 2 s after she last was on top (2.0 s); bob, the last to speak, stays
	 * on top while his 1 s loudness window holds speech (to 4.8 s), then
	 * is held 2 s more */
	CHECK_EQ_STR(log->str, "200:+ada;2200:+bob;4000:-ada;6800:-bob;");
	double loudness;
	gboolean voiced;
	CHECK(!rtk_speakers_voice(s, "nobody", &loudness, &voiced));
	g_string_free(log, TRUE);
	rtk_speakers_free(s);
}

/* What a stream's consumers need: the highest of what each subscriber
 * stream is sent or about to be (its wish held to its limit; the limit
 * when it asked for nothing), paused ones not counted; a companion needs
 * the top layer. */
static void test_layers_need(void) {
	int needed = -1;
	CHECK_EQ_INT(needed, -1);                                          /* nobody */
	needed = rtk_fwd_layers_need(needed, TRUE, -1, 2);                 /* off the view */
	CHECK_EQ_INT(needed, -1);
	needed = rtk_fwd_layers_need(needed, FALSE, -1, 0);                /* a grid tile of a large view */
	CHECK_EQ_INT(needed, 0);
	needed = rtk_fwd_layers_need(needed, FALSE, 2, 1);                 /* asked 2, held to 1 */
	CHECK_EQ_INT(needed, 1);
	needed = rtk_fwd_layers_need(needed, FALSE, 0, 2);                 /* a small tile of the speaker */
	CHECK_EQ_INT(needed, 1);
	needed = rtk_fwd_layers_need(needed, TRUE, 2, 2);                  /* paused: not counted */
	CHECK_EQ_INT(needed, 1);
	CHECK_EQ_INT(rtk_fwd_layers_need(needed, FALSE, -1, 2), 2);        /* the speaker's tile */
	CHECK_EQ_INT(rtk_fwd_layers_need_all(-1), 2);                      /* a recording */
	CHECK_EQ_INT(rtk_fwd_layers_need_all(0), 2);
}

/* A new stream is told at once that it sends everything; a layer no longer
 * needed goes only after the hold; a layer needed again comes back at once
 * (raised); the lowest is always sent. */
static void test_layers_hold(void) {
	rtk_fwd_layers l;
	memset(&l, 0, sizeof(l));                     /* as rtk_pub_stream_new leaves it */
	gboolean raised = TRUE;
	CHECK(rtk_fwd_layers_update(&l, -1, T0, &raised));            /* the first: told */
	CHECK(!raised);
	CHECK(rtk_fwd_layers_active(&l, 0) && rtk_fwd_layers_active(&l, 1) && rtk_fwd_layers_active(&l, 2));
	/* nobody needs more than 0: nothing changes for the hold (2.5 s) */
	CHECK(!rtk_fwd_layers_update(&l, 0, T0 + SEC, &raised));
	CHECK(!rtk_fwd_layers_update(&l, 0, T0 + RTK_FWD_LAYERS_HOLD_US - 1, &raised));
	CHECK_EQ_INT(l.sending, 2);
	CHECK(rtk_fwd_layers_update(&l, 0, T0 + RTK_FWD_LAYERS_HOLD_US, &raised));
	CHECK(!raised);
	CHECK_EQ_INT(l.sending, 0);
	CHECK(rtk_fwd_layers_active(&l, 0) && !rtk_fwd_layers_active(&l, 1) && !rtk_fwd_layers_active(&l, 2));
	CHECK(!rtk_fwd_layers_update(&l, -1, T0 + 10 * SEC, &raised));   /* nobody: the lowest stays */
	CHECK_EQ_INT(l.sending, 0);
	/* pinned: the top layer at once */
	gint64 t = T0 + 20 * SEC;
	CHECK(rtk_fwd_layers_update(&l, 2, t, &raised));
	CHECK(raised);
	CHECK_EQ_INT(l.sending, 2);
	/* unpinned, pinned again within the hold, unpinned: no change until
	 * the hold has passed since it was last needed */
	CHECK(!rtk_fwd_layers_update(&l, 0, t + SEC, &raised));
	CHECK(!rtk_fwd_layers_update(&l, 2, t + 2 * SEC, &raised));
	CHECK(!rtk_fwd_layers_update(&l, 0, t + 3 * SEC, &raised));
	CHECK(!rtk_fwd_layers_update(&l, 1, t + 4 * SEC, &raised));       /* layer 1 still wanted */
	CHECK(rtk_fwd_layers_update(&l, 0, t + 2 * SEC + RTK_FWD_LAYERS_HOLD_US, &raised));
	CHECK(!raised);
	CHECK_EQ_INT(l.sending, 1);                    /* 2 went; 1 was needed 0.5 s ago */
	CHECK(!rtk_fwd_layers_update(&l, 0, t + 4 * SEC + RTK_FWD_LAYERS_HOLD_US - 1, &raised));
	CHECK(rtk_fwd_layers_update(&l, 0, t + 4 * SEC + RTK_FWD_LAYERS_HOLD_US, &raised));
	CHECK_EQ_INT(l.sending, 0);
	/* from 0 to 1 at once, raised */
	CHECK(rtk_fwd_layers_update(&l, 1, t + 10 * SEC, &raised));
	CHECK(raised);
	CHECK_EQ_INT(l.sending, 1);
	CHECK(rtk_fwd_layers_update(&l, 7, t + 11 * SEC, &raised));      /* held to 0..2 */
	CHECK_EQ_INT(l.sending, 2);
}

/* A speaker changing back and forth every second between two publishers
 * never toggles either: both keep their top layer while it is needed
 * within every hold. */
static void test_layers_flapping_speaker(void) {
	rtk_fwd_layers a, b;
	rtk_fwd_layers_init(&a, T0);
	rtk_fwd_layers_init(&b, T0);
	guint changes = 0;
	CHECK(rtk_fwd_layers_update(&a, 2, T0, NULL));
	CHECK(rtk_fwd_layers_update(&b, 0, T0, NULL));
	for(int ms = 200; ms <= 20000; ms += 200) {
		gboolean a_speaks = (ms / 1000) % 2 == 0;
		changes += rtk_fwd_layers_update(&a, a_speaks ? 2 : 0, T0 + ms * 1000, NULL);
		changes += rtk_fwd_layers_update(&b, a_speaks ? 0 : 2, T0 + ms * 1000, NULL);
	}
	CHECK_EQ_INT(changes, 0);
	CHECK_EQ_INT(a.sending, 2);
	CHECK_EQ_INT(b.sending, 2);
}

int main(void) {
	UNIT_RUN(test_layer_limit);
	UNIT_RUN(test_layer_choose);
	UNIT_RUN(test_downlink);
	UNIT_RUN(test_rtcp_loss);
	UNIT_RUN(test_layers_need);
	UNIT_RUN(test_layers_hold);
	UNIT_RUN(test_layers_flapping_speaker);
	UNIT_RUN(test_lastn_top);
	UNIT_RUN(test_lastn_hold);
	UNIT_RUN(test_lastn_with_speakers);
	return UNIT_DONE();
}
