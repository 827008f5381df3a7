/*
 * test_view.c - active-speaker detection (speaker.c) and what a subscriber
 * sees (view.c), without Janus.
 *
 * The speaker tests replay realistic audio-level streams: every peer sends
 * a packet every 20 ms (each at its own phase), silence (level 127) unless
 * the script says it talks, and the detector is evaluated every 200 ms.
 * Each test asserts the exact list of speaker changes, "<ms>:<peer>", with
 * times relative to the start of the stream. The view tests check who is
 * chosen in ACTIVE_GRID and PAGINATED modes, and the events' fields.
 */
#include <glib.h>
#include <jansson.h>
#include "unit.h"
#include "speaker.h"
#include "view.h"
#include "presets_default.h"

/* ---- replaying audio-level streams ---- */

#define SIM_BASE_US G_GINT64_CONSTANT(100000000)   /* an arbitrary monotonic start: 100 s */
#define SIM_PACKET_MS 20
#define SIM_EVALUATE_MS 200
#define SIM_SILENCE 127

/* `peer` talks at `level` during [from_ms, to_ms), with the V bit `vad`. */
typedef struct talk {
	const char *peer;
	gint64 from_ms, to_ms;
	int level;
	gboolean vad;
} talk;

typedef struct sim {
	rtk_speakers *speakers;        /* borrowed */
	const char *const *peers;      /* NULL-terminated: everyone sending audio */
	const talk *talks;             /* terminated by a NULL peer */
	gint64 now_ms;                 /* next millisecond to play */
	GString *changes;              /* "<ms>:<peer>;" per change */
} sim;

static void sim_init(sim *sim, rtk_speakers *speakers, const char *const *peers, const talk *talks) {
	sim->speakers = speakers;
	sim->peers = peers;
	sim->talks = talks;
	sim->now_ms = 0;
	sim->changes = g_string_new(NULL);
}

static void sim_clear(sim *sim) {
	g_string_free(sim->changes, TRUE);
}

/* The script's level for `peer` at `ms` (silence unless it talks). */
static void sim_level(const sim *sim, const char *peer, gint64 ms, int *level, gboolean *vad) {
	*level = SIM_SILENCE;
	*vad = FALSE;
	for(const talk *t = sim->talks; t->peer != NULL; t++) {
		if(strcmp(t->peer, peer) == 0 && ms >= t->from_ms && ms < t->to_ms) {
			*level = t->level;
			*vad = t->vad;
		}
	}
}

/* Plays every millisecond up to `until_ms` (excluded): packets first (peer
 * i sends at phase 7*i ms), then the evaluation when one is due. */
static void sim_run(sim *sim, gint64 until_ms) {
	for(; sim->now_ms < until_ms; sim->now_ms++) {
		gint64 ms = sim->now_ms, now_us = SIM_BASE_US + ms * 1000;
		for(guint i = 0; sim->peers[i] != NULL; i++) {
			if((ms - 7 * i) % SIM_PACKET_MS != 0 || ms < 7 * i)
				continue;
			int level;
			gboolean vad;
			sim_level(sim, sim->peers[i], ms, &level, &vad);
			rtk_speakers_level(sim->speakers, sim->peers[i], level, vad, now_us);
		}
		if(ms > 0 && ms % SIM_EVALUATE_MS == 0) {
			const char *changed = rtk_speakers_evaluate(sim->speakers, now_us);
			if(changed != NULL)
				g_string_append_printf(sim->changes, "%" G_GINT64_FORMAT ":%s;", ms, changed);
		}
	}
}

static const char *const abc[] = { "A", "B", "C", NULL };

/* ---- speakers ---- */

/* A talks at -30 dBov: at 400 ms its second of loudness reaches the
 * speaking minimum (4 buckets of 30 / 10 = 12), and having held its claim
 * at every evaluation for 500 ms (400, 600, 800, 1000) it is active at
 * 1000 ms. Nothing else changes while it talks. */
static void test_speakers_steady_speaker(void) {
	rtk_speakers *s = rtk_speakers_new();
	const talk talks[] = { { "A", 0, 5000, 30, TRUE }, { NULL, 0, 0, 0, FALSE } };
	sim sim;
	sim_init(&sim, s, abc, talks);
	sim_run(&sim, 999);
	CHECK_NULL(rtk_speakers_current(s));
	sim_run(&sim, 1001);
	CHECK_EQ_STR(rtk_speakers_current(s), "A");
	sim_run(&sim, 5000);
	CHECK_EQ_STR(sim.changes->str, "1000:A;");
	CHECK_EQ_INT(rtk_speakers_rank(s, "A"), 0);
	CHECK_EQ_INT(rtk_speakers_rank(s, "B"), G_MAXUINT);
	CHECK_EQ_INT(rtk_speakers_rank(s, "nobody"), G_MAXUINT);
	sim_clear(&sim);
	rtk_speakers_free(s);
}

/* A speaks 0-2 s and is active from 1000 ms, then is silent. B shouts
 * (-10 dBov) for 300 ms from 3000 and, later, for 400 ms from 5000 ms:
 * each claim lasts 200 ms (two evaluations), shorter than the hold time,
 * so A keeps the floor. While A still talks, B shouting for 400 ms is not
 * enough either. */
static void test_speakers_blip_does_not_steal(void) {
	rtk_speakers *s = rtk_speakers_new();
	const talk talks[] = {
		{ "A", 0, 2000, 30, TRUE },
		{ "B", 3000, 3300, 10, TRUE },
		{ "B", 5000, 5400, 10, TRUE },
		{ "A", 7000, 9000, 30, TRUE },
		{ "B", 8000, 8400, 0, TRUE },
		{ NULL, 0, 0, 0, FALSE } };
	sim sim;
	sim_init(&sim, s, abc, talks);
	sim_run(&sim, 10000);
	CHECK_EQ_STR(sim.changes->str, "1000:A;");
	CHECK_EQ_STR(rtk_speakers_current(s), "A");
	/* B spoke (a blip counts as speech for the grid), after A. */
	CHECK_EQ_INT(rtk_speakers_rank(s, "A"), 0);
	CHECK_EQ_INT(rtk_speakers_rank(s, "B"), 1);
	CHECK_EQ_INT(rtk_speakers_rank(s, "C"), G_MAXUINT);
	sim_clear(&sim);
	rtk_speakers_free(s);
}

/* A talks on at -30 dBov. From 3000 B talks at -10 dBov: its loudness
 * (50 per second) passes A's 30 + 6 with 8 buckets (at 3800), holds at
 * 4000, 4200 and 4400: B is active at 4400. A, talking on, does not take
 * the floor back (it is not louder than B). */
static void test_speakers_sustained_louder_takes_over(void) {
	rtk_speakers *s = rtk_speakers_new();
	const talk talks[] = {
		{ "A", 0, 8000, 30, TRUE },
		{ "B", 3000, 8000, 10, TRUE },
		{ NULL, 0, 0, 0, FALSE } };
	sim sim;
	sim_init(&sim, s, abc, talks);
	sim_run(&sim, 4399);
	CHECK_EQ_STR(rtk_speakers_current(s), "A");
	sim_run(&sim, 8000);
	CHECK_EQ_STR(sim.changes->str, "1000:A;4400:B;");
	CHECK_EQ_INT(rtk_speakers_rank(s, "B"), 0);
	CHECK_EQ_INT(rtk_speakers_rank(s, "A"), 1);
	sim_clear(&sim);
	rtk_speakers_free(s);
}

/* A talks on at -30 dBov; B talks at -26 dBov (louder, but by less than
 * the margin) for 5 s: A keeps the floor. */
static void test_speakers_margin_keeps_floor(void) {
	rtk_speakers *s = rtk_speakers_new();
	const talk talks[] = {
		{ "A", 0, 8000, 30, TRUE },
		{ "B", 2000, 7000, 26, TRUE },
		{ NULL, 0, 0, 0, FALSE } };
	sim sim;
	sim_init(&sim, s, abc, talks);
	sim_run(&sim, 8000);
	CHECK_EQ_STR(sim.changes->str, "1000:A;");
	sim_clear(&sim);
	rtk_speakers_free(s);
}

/* Turn-taking: A stops at 3000 as B starts at the same level. A's
 * loudness fades as B's grows; at 3800 B (24) passes A (6) + 6 and, held
 * to 4400, takes over. */
static void test_speakers_turn_taking(void) {
	rtk_speakers *s = rtk_speakers_new();
	const talk talks[] = {
		{ "A", 0, 3000, 30, TRUE },
		{ "B", 3000, 6000, 30, TRUE },
		{ NULL, 0, 0, 0, FALSE } };
	sim sim;
	sim_init(&sim, s, abc, talks);
	sim_run(&sim, 6000);
	CHECK_EQ_STR(sim.changes->str, "1000:A;4400:B;");
	sim_clear(&sim);
	rtk_speakers_free(s);
}

/* Silence never steals: after A stops, B sends room noise (-70 dBov) and
 * C, whose sender uses the V bit, types loudly (-20 dBov without V) for
 * 10 s. A stays the active (last) speaker. A sender that never sets the
 * V bit is judged by level alone: C2 takes over when it talks. */
static void test_speakers_silence_does_not_steal(void) {
	rtk_speakers *s = rtk_speakers_new();
	const char *const peers[] = { "A", "B", "C", "C2", NULL };
	const talk talks[] = {
		{ "A", 0, 2000, 30, TRUE },
		{ "B", 2000, 12000, 70, TRUE },
		{ "C", 2000, 2020, 40, TRUE },          /* one voiced packet: C uses the V bit */
		{ "C", 2020, 12000, 20, FALSE },
		{ "C2", 13000, 16000, 30, FALSE },
		{ NULL, 0, 0, 0, FALSE } };
	sim sim;
	sim_init(&sim, s, peers, talks);
	sim_run(&sim, 12000);
	CHECK_EQ_STR(sim.changes->str, "1000:A;");
	CHECK_EQ_STR(rtk_speakers_current(s), "A");
	CHECK_EQ_INT(rtk_speakers_rank(s, "B"), G_MAXUINT);
	CHECK_EQ_INT(rtk_speakers_rank(s, "C"), G_MAXUINT);
	/* C2 from 13000: as A did from 0 (13400 claim, 14000 takes over). */
	sim_run(&sim, 16000);
	CHECK_EQ_STR(sim.changes->str, "1000:A;14000:C2;");
	sim_clear(&sim);
	rtk_speakers_free(s);
}

/* Forgetting the current speaker clears it without a change report; the
 * next to speak takes over as from an empty room; a forgotten peer is out
 * of the ranking. */
static void test_speakers_forget_current(void) {
	rtk_speakers *s = rtk_speakers_new();
	const char *const peers[] = { "A", "B", NULL };
	const talk talks[] = {
		{ "A", 0, 2000, 30, TRUE },
		{ "B", 4000, 6000, 30, TRUE },
		{ NULL, 0, 0, 0, FALSE } };
	sim sim;
	sim_init(&sim, s, peers, talks);
	sim_run(&sim, 3000);
	CHECK_EQ_STR(rtk_speakers_current(s), "A");
	rtk_speakers_forget(s, "A");
	CHECK_NULL(rtk_speakers_current(s));
	CHECK_EQ_INT(rtk_speakers_rank(s, "A"), G_MAXUINT);
	rtk_speakers_forget(s, "A");        /* twice, and unknown ids: ignored */
	rtk_speakers_forget(s, "nobody");
	/* Only B sends from now on. */
	static const char *const only_b[] = { "B", NULL };
	sim.peers = only_b;
	sim_run(&sim, 4999);
	CHECK_NULL(rtk_speakers_current(s));
	sim_run(&sim, 6000);
	CHECK_EQ_STR(sim.changes->str, "1000:A;5000:B;");
	CHECK_EQ_INT(rtk_speakers_rank(s, "B"), 0);
	CHECK_EQ_INT(rtk_speakers_rank(s, "A"), G_MAXUINT);
	/* Forgetting a peer that is not the current one keeps the current. */
	rtk_speakers_level(s, "C", 30, TRUE, SIM_BASE_US + 6000 * 1000);
	rtk_speakers_forget(s, "C");
	CHECK_EQ_STR(rtk_speakers_current(s), "B");
	CHECK_NULL(rtk_speakers_evaluate(s, SIM_BASE_US + 6200 * 1000));
	sim_clear(&sim);
	rtk_speakers_free(s);
}

/* Out-of-range levels are clamped (-5 reads as 0: the loudest, 500 as
 * 127: silence), packets older than the window do not count, NULLs are
 * harmless. At -0 dBov A's claim starts at 200 ms (two buckets of 60 / 10)
 * and wins at 800 ms. */
static void test_speakers_odd_input(void) {
	rtk_speakers *s = rtk_speakers_new();
	gint64 t = SIM_BASE_US, old = t - 5000000;
	GString *changes = g_string_new(NULL);
	for(int i = 0; i <= 100; i++) {
		gint64 now = t + i * 20000;
		rtk_speakers_level(s, "A", -5, TRUE, now);
		rtk_speakers_level(s, "B", 0, TRUE, old + i * 20000);   /* 5 s late */
		rtk_speakers_level(s, "C", 500, TRUE, now);
		if(i > 0 && i % 10 == 0) {
			const char *changed = rtk_speakers_evaluate(s, now);
			if(changed != NULL)
				g_string_append_printf(changes, "%d:%s;", i * 20, changed);
		}
	}
	CHECK_EQ_STR(changes->str, "800:A;");
	CHECK_EQ_INT(rtk_speakers_rank(s, "A"), 0);
	CHECK_EQ_INT(rtk_speakers_rank(s, "B"), G_MAXUINT);
	CHECK_EQ_INT(rtk_speakers_rank(s, "C"), G_MAXUINT);
	rtk_speakers_level(s, NULL, 0, TRUE, t);
	rtk_speakers_level(NULL, "A", 0, TRUE, t);
	rtk_speakers_level(s, "D", 0, TRUE, -1);   /* not a monotonic time: ignored */
	CHECK_EQ_INT(rtk_speakers_rank(s, "D"), G_MAXUINT);
	CHECK_EQ_INT(rtk_speakers_rank(NULL, "A"), G_MAXUINT);
	CHECK_NULL(rtk_speakers_current(NULL));
	CHECK_NULL(rtk_speakers_evaluate(NULL, t));
	rtk_speakers_forget(NULL, "A");
	rtk_speakers_free(NULL);
	g_string_free(changes, TRUE);
	rtk_speakers_free(s);
}

/* Relay threads racing: eight threads send the same second of packets
 * for A (talking), B and C (silent), all creating the peers at once, while
 * this thread reads and evaluates. Each peer exists once (A's bucket means
 * are unchanged by the duplicates), and the replayed evaluations make A
 * active at 1000 ms as in the steady-speaker test. */
static gpointer relay_thread(gpointer data) {
	rtk_speakers *s = data;
	for(gint64 ms = 0; ms < 1000; ms += SIM_PACKET_MS) {
		gint64 now_us = SIM_BASE_US + ms * 1000;
		rtk_speakers_level(s, "A", 30, TRUE, now_us);
		rtk_speakers_level(s, "B", SIM_SILENCE, FALSE, now_us);
		rtk_speakers_level(s, "C", SIM_SILENCE, FALSE, now_us);
	}
	return NULL;
}

/* A cascade edge imposes its owner's speaker: reported once by the next
 * evaluate(), ranked first, and cleared silently. */
static void test_speakers_impose(void) {
	rtk_speakers *s = rtk_speakers_new();
	rtk_speakers_impose(s, "p-owner");
	CHECK_EQ_STR(rtk_speakers_current(s), "p-owner");
	CHECK_EQ_STR(rtk_speakers_evaluate(s, 1000000), "p-owner");
	CHECK_EQ_INT(rtk_speakers_rank(s, "p-owner"), 0);
	CHECK_NULL(rtk_speakers_evaluate(s, 1200000));   /* reported once */
	rtk_speakers_impose(s, "p-owner");              /* the same: no news */
	CHECK_NULL(rtk_speakers_evaluate(s, 1400000));
	rtk_speakers_impose(s, "p-other");
	CHECK_EQ_STR(rtk_speakers_evaluate(s, 1600000), "p-other");
	rtk_speakers_impose(s, NULL);
	CHECK_NULL(rtk_speakers_current(s));
	CHECK_NULL(rtk_speakers_evaluate(s, 1800000));  /* nobody: silently */
	rtk_speakers_free(s);
}

static void test_speakers_threads(void) {
	rtk_speakers *s = rtk_speakers_new();
	GThread *threads[8];
	for(guint i = 0; i < G_N_ELEMENTS(threads); i++)
		threads[i] = g_thread_new("relay", relay_thread, s);
	for(int i = 0; i < 200; i++) {
		CHECK_NULL(rtk_speakers_evaluate(s, SIM_BASE_US));   /* before any bucket completed */
		CHECK_NULL(rtk_speakers_current(s));
		CHECK_EQ_INT(rtk_speakers_rank(s, "A"), G_MAXUINT);
	}
	for(guint i = 0; i < G_N_ELEMENTS(threads); i++)
		g_thread_join(threads[i]);
	GString *changes = g_string_new(NULL);
	for(gint64 ms = 200; ms <= 1000; ms += SIM_EVALUATE_MS) {
		const char *changed = rtk_speakers_evaluate(s, SIM_BASE_US + ms * 1000);
		if(changed != NULL)
			g_string_append_printf(changes, "%" G_GINT64_FORMAT ":%s;", ms, changed);
	}
	CHECK_EQ_STR(changes->str, "1000:A;");
	rtk_speakers_forget(s, "A");
	CHECK_EQ_INT(rtk_speakers_rank(s, "A"), G_MAXUINT);   /* one A: forgotten once, gone */
	g_string_free(changes, TRUE);
	rtk_speakers_free(s);
}

/* ---- views ---- */

static json_t *view_preset(gboolean hidden, int desktop_streams) {
	return json_pack("{ss s{s{s{ss}s{ss}s{ss}} sb sb} s{ss s{si si}}}", "name", "group_call_participant",
		"permissions", "media", "audio", "can_produce", "ALLOWED", "video", "can_produce", "ALLOWED",
		"screenshare", "can_produce", "NOT_ALLOWED", "show_participant_list", 1,
		"hidden_participant", hidden,
		"config", "view_type", "GROUP_CALL", "max_video_streams", "mobile", 6, "desktop", desktop_streams);
}

/* Peers p1..p5 in join order (p6 hidden when asked), all with audio on. */
static GPtrArray *view_peers(gboolean with_hidden) {
	GPtrArray *peers = g_ptr_array_new_with_free_func((GDestroyNotify)rtk_peer_free);
	json_t *visible = view_preset(FALSE, 25), *hidden = view_preset(TRUE, 25);
	guint count = with_hidden ? 6 : 5;
	for(guint i = 1; i <= count; i++) {
		char user_id[8], name[8];
		g_snprintf(user_id, sizeof(user_id), "u-%u", i);
		g_snprintf(name, sizeof(name), "p%u", i);
		json_t *participant = json_pack("{ss ss}", "id", user_id, "name", name);
		rtk_peer *peer = rtk_peer_new(participant, i == 6 ? hidden : visible, NULL);
		peer->media_enabled[RTK_MEDIA_AUDIO] = TRUE;
		g_ptr_array_add(peers, peer);
		json_decref(participant);
	}
	json_decref(visible);
	json_decref(hidden);
	return peers;
}

static rtk_peer *nth(GPtrArray *peers, guint one_based) {
	return g_ptr_array_index(peers, one_based - 1);
}

/* "p4,p3" for a selection. */
static char *names(GPtrArray *selected) {
	GString *text = g_string_new(NULL);
	for(guint i = 0; i < selected->len; i++) {
		rtk_peer *peer = g_ptr_array_index(selected, i);
		g_string_append_printf(text, "%s%s", i ? "," : "", peer->name);
	}
	return g_string_free(text, FALSE);
}

#define CHECK_SELECTION(view, peers, speakers, expected) do { \
	GPtrArray *sel_ = g_ptr_array_new(); \
	rtk_view_select((view), (peers), (speakers), sel_); \
	char *got_ = names(sel_); \
	CHECK_EQ_STR(got_, (expected)); \
	g_free(got_); \
	g_ptr_array_free(sel_, TRUE); \
} while (0)

/* Makes `peer` talk for 2 s (from `from_ms`), evaluating as the plugin
 * does; returns the ms after it. */
static gint64 speak(rtk_speakers *s, const rtk_peer *peer, gint64 from_ms) {
	gint64 ms = from_ms;
	for(; ms < from_ms + 2000; ms += SIM_PACKET_MS) {
		rtk_speakers_level(s, peer->id, 30, TRUE, SIM_BASE_US + ms * 1000);
		if(ms % SIM_EVALUATE_MS == 0)
			rtk_speakers_evaluate(s, SIM_BASE_US + ms * 1000);
	}
	return ms;
}

static void test_view_init_and_modes(void) {
	rtk_view view;
	json_t *preset = view_preset(FALSE, 25);
	rtk_view_init(&view, json_object_get(preset, "config"));
	CHECK_EQ_INT(view.mode, RTK_VIEW_ACTIVE_GRID);
	CHECK_EQ_INT(view.max_active, 25);
	CHECK_EQ_INT(view.page, 0);
	json_decref(preset);
	/* The default presets' configs, clamping, a missing config. */
	json_t *defaults = rtk_presets_default();
	rtk_view_init(&view, json_object_get(json_array_get(defaults, 2), "config"));   /* webinar_presenter */
	CHECK_EQ_INT(view.max_active, 9);
	json_decref(defaults);
	json_t *config = json_pack("{s{si}}", "max_video_streams", "desktop", 500);
	rtk_view_init(&view, config);
	CHECK_EQ_INT(view.max_active, 100);
	json_object_set_new(json_object_get(config, "max_video_streams"), "desktop", json_integer(0));
	rtk_view_init(&view, config);
	CHECK_EQ_INT(view.max_active, 1);
	json_decref(config);
	rtk_view_init(&view, NULL);
	CHECK_EQ_INT(view.max_active, RTK_VIEW_MAX_ACTIVE_DEFAULT);

	rtk_view_mode mode = RTK_VIEW_ACTIVE_GRID;
	CHECK(rtk_view_parse_mode("PAGINATED", &mode));
	CHECK_EQ_INT(mode, RTK_VIEW_PAGINATED);
	CHECK(rtk_view_parse_mode("ACTIVE_GRID", &mode));
	CHECK_EQ_INT(mode, RTK_VIEW_ACTIVE_GRID);
	CHECK(!rtk_view_parse_mode("paginated", &mode));
	CHECK(!rtk_view_parse_mode("", &mode));
	CHECK(!rtk_view_parse_mode(NULL, &mode));
	CHECK_EQ_INT(mode, RTK_VIEW_ACTIVE_GRID);
	CHECK_EQ_STR(rtk_view_mode_name(RTK_VIEW_PAGINATED), "PAGINATED");

	CHECK(!rtk_view_set_mode(&view, RTK_VIEW_ACTIVE_GRID));
	CHECK(rtk_view_set_mode(&view, RTK_VIEW_PAGINATED));
	CHECK_EQ_INT(view.page, 1);
	CHECK(rtk_view_set_mode(&view, RTK_VIEW_ACTIVE_GRID));
	CHECK_EQ_INT(view.page, 0);
	CHECK(rtk_view_set_max_active(&view, 4));
	CHECK(!rtk_view_set_max_active(&view, 4));
	CHECK(rtk_view_set_max_active(&view, -3));
	CHECK_EQ_INT(view.max_active, 1);
	CHECK(rtk_view_set_max_active(&view, 1000));
	CHECK_EQ_INT(view.max_active, 100);
}

/* ACTIVE_GRID, max 2: p4 pinned, p3 the active speaker, p2 and p5 with
 * video. Pinned first, then the speaker, then video on in join order,
 * then the rest in join order. When p1 takes the floor, it comes second
 * and p3 (a recent speaker) third. */
static void test_view_active_grid(void) {
	GPtrArray *peers = view_peers(FALSE);
	rtk_speakers *s = rtk_speakers_new();
	rtk_view view;
	rtk_view_init(&view, NULL);
	rtk_view_set_max_active(&view, 2);
	nth(peers, 4)->pinned = TRUE;
	nth(peers, 2)->media_enabled[RTK_MEDIA_VIDEO] = TRUE;
	nth(peers, 5)->media_enabled[RTK_MEDIA_VIDEO] = TRUE;

	/* Nobody spoke yet (and no detector at all): pinned, then video on. */
	CHECK_SELECTION(&view, peers, NULL, "p4,p2");
	CHECK_SELECTION(&view, peers, s, "p4,p2");

	gint64 ms = speak(s, nth(peers, 3), 0);
	CHECK_EQ_STR(rtk_speakers_current(s), nth(peers, 3)->id);
	CHECK_SELECTION(&view, peers, s, "p4,p3");
	rtk_view_set_max_active(&view, 3);
	CHECK_SELECTION(&view, peers, s, "p4,p3,p2");
	rtk_view_set_max_active(&view, 10);
	CHECK_SELECTION(&view, peers, s, "p4,p3,p2,p5,p1");

	/* p1 talks (p3 silent): it takes the floor, p3 stays a recent speaker. */
	speak(s, nth(peers, 1), ms + 1000);
	CHECK_EQ_STR(rtk_speakers_current(s), nth(peers, 1)->id);
	rtk_view_set_max_active(&view, 2);
	CHECK_SELECTION(&view, peers, s, "p4,p1");
	rtk_view_set_max_active(&view, 3);
	CHECK_SELECTION(&view, peers, s, "p4,p1,p3");

	/* The events of that selection. */
	GPtrArray *selected = rtk_view_select(&view, peers, s, g_ptr_array_new());
	json_t *event = rtk_view_active_event(selected, peers);
	CHECK_EQ_STR(json_string_value(json_object_get(event, "rtk")), "activeParticipantsUpdate");
	json_t *active = json_object_get(event, "active");
	CHECK_EQ_INT(json_array_size(active), 3);
	CHECK_EQ_STR(json_string_value(json_array_get(active, 0)), nth(peers, 4)->id);
	CHECK_EQ_STR(json_string_value(json_array_get(active, 1)), nth(peers, 1)->id);
	CHECK_EQ_STR(json_string_value(json_array_get(active, 2)), nth(peers, 3)->id);
	CHECK_EQ_INT(json_array_size(json_object_get(event, "videoSubscribed")), 0);   /* none of them has video */
	CHECK_EQ_INT(json_array_size(json_object_get(event, "audioSubscribed")), 5);
	json_decref(event);
	nth(peers, 3)->media_enabled[RTK_MEDIA_VIDEO] = TRUE;
	nth(peers, 2)->media_enabled[RTK_MEDIA_AUDIO] = FALSE;
	event = rtk_view_active_event(selected, peers);
	json_t *video = json_object_get(event, "videoSubscribed");
	CHECK_EQ_INT(json_array_size(video), 1);
	CHECK_EQ_STR(json_string_value(json_array_get(video, 0)), nth(peers, 3)->id);
	json_t *audio = json_object_get(event, "audioSubscribed");
	CHECK_EQ_INT(json_array_size(audio), 4);
	CHECK_EQ_STR(json_string_value(json_array_get(audio, 1)), nth(peers, 3)->id);
	json_decref(event);
	g_ptr_array_free(selected, TRUE);

	json_t *speaker = rtk_view_speaker_event(nth(peers, 1));
	CHECK_EQ_STR(json_string_value(json_object_get(speaker, "rtk")), "activeSpeaker");
	CHECK_EQ_STR(json_string_value(json_object_get(speaker, "participantId")), nth(peers, 1)->id);
	CHECK_EQ_STR(json_string_value(json_object_get(speaker, "userId")), "u-1");
	json_decref(speaker);
	CHECK_NULL(rtk_view_speaker_event(NULL));

	rtk_speakers_free(s);
	g_ptr_array_free(peers, TRUE);
}

/* PAGINATED, page size 2, 5 peers, p4 pinned: pages [p4,p1] [p2,p3] [p5];
 * speech does not reorder pages; setPage validates; a vanished last page
 * reads as the new last. */
static void test_view_paginated(void) {
	GPtrArray *peers = view_peers(FALSE);
	rtk_speakers *s = rtk_speakers_new();
	rtk_view view;
	rtk_view_init(&view, NULL);
	rtk_view_set_max_active(&view, 2);
	nth(peers, 4)->pinned = TRUE;
	guint candidates = rtk_view_count_candidates(peers);
	CHECK_EQ_INT(candidates, 5);

	/* In ACTIVE_GRID there are no pages, and setPage does nothing. */
	CHECK_EQ_INT(rtk_view_page_count(&view, candidates), 0);
	CHECK_EQ_INT(rtk_view_current_page(&view, candidates), 0);
	CHECK(rtk_view_set_page(&view, 2, candidates, NULL));
	CHECK_EQ_INT(view.page, 0);

	CHECK(rtk_view_set_mode(&view, RTK_VIEW_PAGINATED));
	CHECK_EQ_INT(rtk_view_page_count(&view, candidates), 3);
	CHECK_EQ_INT(rtk_view_current_page(&view, candidates), 1);
	speak(s, nth(peers, 5), 0);
	CHECK_SELECTION(&view, peers, s, "p4,p1");
	CHECK(rtk_view_set_page(&view, 2, candidates, NULL));
	CHECK_SELECTION(&view, peers, s, "p2,p3");
	CHECK(rtk_view_set_page(&view, 3, candidates, NULL));
	CHECK_SELECTION(&view, peers, s, "p5");

	rtk_refusal why = { 0 };
	CHECK(!rtk_view_set_page(&view, 4, candidates, &why));
	CHECK_EQ_STR(why.code, RTK_ERR_BAD_REQUEST);
	CHECK_EQ_STR(why.message, "page must be between 1 and 3");
	CHECK(!rtk_view_set_page(&view, 0, candidates, NULL));
	CHECK_EQ_INT(view.page, 3);

	json_t *event = rtk_view_mode_event(&view, candidates);
	CHECK_EQ_STR(json_string_value(json_object_get(event, "rtk")), "viewModeUpdate");
	CHECK_EQ_STR(json_string_value(json_object_get(event, "viewMode")), "PAGINATED");
	CHECK_EQ_INT(json_integer_value(json_object_get(event, "currentPage")), 3);
	CHECK_EQ_INT(json_integer_value(json_object_get(event, "pageCount")), 3);
	CHECK_EQ_INT(json_integer_value(json_object_get(event, "maxActiveParticipantsCount")), 2);
	json_decref(event);

	/* p5 leaves: 4 candidates, 2 pages; page 3 reads as page 2. */
	g_ptr_array_remove_index(peers, 4);
	candidates = rtk_view_count_candidates(peers);
	CHECK_EQ_INT(rtk_view_page_count(&view, candidates), 2);
	CHECK_EQ_INT(rtk_view_current_page(&view, candidates), 2);
	CHECK_SELECTION(&view, peers, s, "p2,p3");
	/* Bigger pages: one page holds everyone. */
	rtk_view_set_max_active(&view, 25);
	CHECK_EQ_INT(rtk_view_page_count(&view, candidates), 1);
	CHECK_SELECTION(&view, peers, s, "p4,p1,p2,p3");
	/* Nobody left: still one (empty) page. */
	CHECK_EQ_INT(rtk_view_page_count(&view, 0), 1);

	rtk_view_set_mode(&view, RTK_VIEW_ACTIVE_GRID);
	event = rtk_view_mode_event(&view, candidates);
	CHECK_EQ_STR(json_string_value(json_object_get(event, "viewMode")), "ACTIVE_GRID");
	CHECK_EQ_INT(json_integer_value(json_object_get(event, "currentPage")), 0);
	CHECK_EQ_INT(json_integer_value(json_object_get(event, "pageCount")), 0);
	CHECK_EQ_INT(json_integer_value(json_object_get(event, "maxActiveParticipantsCount")), 25);
	json_decref(event);

	rtk_speakers_free(s);
	g_ptr_array_free(peers, TRUE);
}

/* A hidden peer (p6) is never chosen, not even pinned, on video and the
 * active speaker; it is not a candidate, not in audioSubscribed, and its
 * speech is never announced. A waitlisted peer is not a candidate either. */
static void test_view_hidden_never_selected(void) {
	GPtrArray *peers = view_peers(TRUE);
	rtk_speakers *s = rtk_speakers_new();
	rtk_peer *hidden = nth(peers, 6);
	CHECK(hidden->permissions.hidden_participant);
	hidden->pinned = TRUE;
	hidden->media_enabled[RTK_MEDIA_VIDEO] = TRUE;
	speak(s, hidden, 0);
	CHECK_EQ_STR(rtk_speakers_current(s), hidden->id);
	CHECK_EQ_INT(rtk_view_count_candidates(peers), 5);

	rtk_view view;
	rtk_view_init(&view, NULL);
	rtk_view_set_max_active(&view, 100);
	CHECK_SELECTION(&view, peers, s, "p1,p2,p3,p4,p5");
	rtk_view_set_max_active(&view, 1);
	CHECK_SELECTION(&view, peers, s, "p1");
	rtk_view_set_mode(&view, RTK_VIEW_PAGINATED);
	CHECK_EQ_INT(rtk_view_page_count(&view, rtk_view_count_candidates(peers)), 5);
	CHECK(rtk_view_set_page(&view, 5, rtk_view_count_candidates(peers), NULL));
	CHECK_SELECTION(&view, peers, s, "p5");

	GPtrArray *selected = rtk_view_select(&view, peers, s, g_ptr_array_new());
	json_t *event = rtk_view_active_event(selected, peers);
	json_t *audio = json_object_get(event, "audioSubscribed");
	CHECK_EQ_INT(json_array_size(audio), 5);
	for(guint i = 0; i < json_array_size(audio); i++)
		CHECK(strcmp(json_string_value(json_array_get(audio, i)), hidden->id) != 0);
	json_decref(event);
	g_ptr_array_free(selected, TRUE);
	CHECK_NULL(rtk_view_speaker_event(hidden));

	nth(peers, 1)->waitlisted = TRUE;
	CHECK_EQ_INT(rtk_view_count_candidates(peers), 4);
	rtk_view_set_mode(&view, RTK_VIEW_ACTIVE_GRID);
	rtk_view_set_max_active(&view, 100);
	CHECK_SELECTION(&view, peers, s, "p2,p3,p4,p5");

	rtk_speakers_free(s);
	g_ptr_array_free(peers, TRUE);
}

/* The meeting-wide order (rtk_view_order) gives every viewer what
 * rtk_view_select gives it from the others: random flags, speech, modes,
 * sizes and pages, each peer in turn the viewer. */
static void test_view_ordered_matches_select(void) {
	GPtrArray *peers = view_peers(TRUE);
	rtk_speakers *s = rtk_speakers_new();
	GRand *rand = g_rand_new_with_seed(20261207);
	GPtrArray *others = g_ptr_array_new(), *a = g_ptr_array_new(), *b = g_ptr_array_new();
	rtk_view_order order;
	rtk_view_order_init(&order);
	gint64 now = 1000000;
	for(int round = 0; round < 400; round++) {
		for(guint i = 0; i < peers->len; i++) {
			rtk_peer *peer = g_ptr_array_index(peers, i);
			peer->pinned = g_rand_int_range(rand, 0, 4) == 0;
			peer->waitlisted = g_rand_int_range(rand, 0, 8) == 0;
			peer->media_enabled[RTK_MEDIA_VIDEO] = g_rand_boolean(rand);
			gboolean loud = g_rand_int_range(rand, 0, 3) == 0;
			rtk_speakers_level(s, peer->id, loud ? 20 : 127, loud, now);
		}
		now += 300000;
		rtk_speakers_evaluate(s, now);
		rtk_view_order_compute(&order, peers, round % 5 == 0 ? NULL : s);
		rtk_view view;
		rtk_view_init(&view, NULL);
		rtk_view_set_mode(&view, g_rand_boolean(rand) ? RTK_VIEW_PAGINATED : RTK_VIEW_ACTIVE_GRID);
		rtk_view_set_max_active(&view, g_rand_int_range(rand, 1, 8));
		view.page = view.mode == RTK_VIEW_PAGINATED ? (guint)g_rand_int_range(rand, 1, 5) : 0;
		for(guint v = 0; v < peers->len; v++) {
			rtk_peer *self = g_ptr_array_index(peers, v);
			g_ptr_array_set_size(others, 0);
			for(guint i = 0; i < peers->len; i++)
				if(i != v)
					g_ptr_array_add(others, g_ptr_array_index(peers, i));
			rtk_view_select(&view, others, round % 5 == 0 ? NULL : s, a);
			rtk_view_select_ordered(&view, &order, self, b);
			char *want = names(a), *got = names(b);
			CHECK_EQ_STR(got, want);
			g_free(want);
			g_free(got);
			CHECK_EQ_INT(rtk_view_order_candidates(&order, self), rtk_view_count_candidates(others));
		}
	}
	rtk_view_order_clear(&order);
	g_ptr_array_free(others, TRUE);
	g_ptr_array_free(a, TRUE);
	g_ptr_array_free(b, TRUE);
	g_rand_free(rand);
	rtk_speakers_free(s);
	g_ptr_array_free(peers, TRUE);
}

int main(void) {
	UNIT_RUN(test_speakers_steady_speaker);
	UNIT_RUN(test_speakers_blip_does_not_steal);
	UNIT_RUN(test_speakers_sustained_louder_takes_over);
	UNIT_RUN(test_speakers_margin_keeps_floor);
	UNIT_RUN(test_speakers_turn_taking);
	UNIT_RUN(test_speakers_silence_does_not_steal);
	UNIT_RUN(test_speakers_forget_current);
	UNIT_RUN(test_speakers_odd_input);
	UNIT_RUN(test_speakers_impose);
	UNIT_RUN(test_speakers_threads);
	UNIT_RUN(test_view_init_and_modes);
	UNIT_RUN(test_view_active_grid);
	UNIT_RUN(test_view_paginated);
	UNIT_RUN(test_view_hidden_never_selected);
	UNIT_RUN(test_view_ordered_matches_select);
	return UNIT_DONE();
}
