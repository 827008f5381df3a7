/*
 * speaker.c - active-speaker detection from RFC 6464 audio levels
 * (see speaker.h for the model and the threading rules).
 *
 * Memory: a speaker_peer is allocated on a peer's first packet (outside
 * the lock) and owned by the rtk_speakers: `order` holds every live one,
 * `by_id` indexes them by their own `id` string (the table owns neither
 * keys nor values). forget() unlinks a peer and chains it on `dead`; the
 * next evaluate() frees it, so a string evaluate() or current() returned
 * stays valid until then.
 */
#include "speaker.h"

/* Audio packets are grouped in buckets of 100 ms: five 20 ms Opus packets,
 * fine enough to follow a turn in a conversation, coarse enough that one
 * odd packet does not decide anything. */
#define SPEAKER_BUCKET_US 100000
/* Loudness is the mean of the last 10 completed buckets (1 s): long
 * enough to span the pauses between words, short enough that a speaker
 * who stopped fades out within a second. */
#define SPEAKER_BUCKETS 10
/* Levels at or below -60 dBov (level >= 60) are silence: a quiet room
 * through a typical microphone sits at -60..-90 dBov, speech at -15..-45.
 * A packet scores 60 - level (0..60): roughly dB above the floor. */
#define SPEAKER_SILENCE_LEVEL 60
/* A bucket is voiced when its mean score reaches 10 (about -50 dBov),
 * and a peer "speaks now" when one of its last two buckets is voiced: a
 * pause of up to ~100 ms between words does not end the speech. */
#define SPEAKER_VOICED_MIN 10.0
/* Loudness a peer needs before it counts as speaking at all: a second of
 * speech at -30 dBov gives 30; 10 is a third of a second of it, or a
 * quiet talker. Below it nobody takes the floor or climbs the ranking. */
#define SPEAKER_SPEAKING_MIN 10.0
/* A challenger must be louder than the current speaker by 6 (about 6 dB
 * for continuous speech, i.e. twice the amplitude): two people talking
 * at the same level leave the floor with whoever had it. */
#define SPEAKER_MARGIN 6.0
/* ... and stay so at every evaluation for 500 ms: a cough, a laugh or a
 * "yes" is shorter and never steals the floor. */
#define SPEAKER_HOLD_US 500000
/* The ring of buckets also holds the one in progress and one beyond (a
 * relay thread may stamp a packet just after the evaluating thread read
 * the clock), so neither overwrites the oldest bucket of the window. */
#define SPEAKER_RING (SPEAKER_BUCKETS + 2)
/* "never" for challenge_since and spoke_at; and "empty" for a bucket. */
#define SPEAKER_NEVER G_MININT64

typedef struct speaker_bucket {
	gint64 index;             /* now_us / SPEAKER_BUCKET_US of the packets summed; SPEAKER_NEVER: empty */
	guint32 sum;              /* sum of the packets' scores */
	guint32 packets;
} speaker_bucket;

typedef struct speaker_peer {
	char *id;                 /* owned; also the key in by_id */
	guint64 seq;              /* first-heard order: the last tie-break of the ranking */
	gboolean vad_seen;        /* the sender uses the V bit: trust it */
	speaker_bucket buckets[SPEAKER_RING];   /* ring indexed by bucket index % SPEAKER_RING */
	/* Written by evaluate(): */
	double loudness;          /* mean score over the window, 0..60 */
	gboolean voiced;          /* one of its last two buckets is voiced */
	gboolean speaking;        /* speaking now and loud enough */
	gint64 challenge_since;   /* first evaluation of the current challenge, or SPEAKER_NEVER */
	gint64 spoke_at;          /* last evaluation at which it was speaking, or SPEAKER_NEVER */
	double spoke_loudness;    /* its loudness then */
	guint rank;               /* rtk_speakers_rank() */
	struct speaker_peer *next_dead;   /* chain of forgotten peers awaiting evaluate() */
} speaker_peer;

struct rtk_speakers {
	GMutex lock;              /* guards everything below */
	GHashTable *by_id;        /* const char* (peer->id) -> speaker_peer*, borrowed both ways */
	GPtrArray *order;         /* speaker_peer*, owned: live peers, ranked at each evaluate() */
	speaker_peer *current;    /* borrowed from order, or NULL */
	speaker_peer *dead;       /* owned chain: forgotten, freed by the next evaluate() */
	guint64 next_seq;
	gboolean imposed_news;    /* impose() changed `current`: the next evaluate() reports it */
};

/* ---- peers ---- */

static speaker_peer *speaker_peer_new(const char *id) {
	speaker_peer *peer = g_new0(speaker_peer, 1);
	peer->id = g_strdup(id);
	for(guint i = 0; i < SPEAKER_RING; i++)
		peer->buckets[i].index = SPEAKER_NEVER;
	peer->challenge_since = SPEAKER_NEVER;
	peer->spoke_at = SPEAKER_NEVER;
	peer->rank = G_MAXUINT;
	return peer;
}

static void speaker_peer_free(speaker_peer *peer) {
	if(peer == NULL)
		return;
	g_free(peer->id);
	g_free(peer);
}

static void speaker_peer_free_chain(speaker_peer *peer) {
	while(peer != NULL) {
		speaker_peer *next = peer->next_dead;
		speaker_peer_free(peer);
		peer = next;
	}
}

/* Under the lock: inserts `fresh` unless another thread inserted the same
 * id since we looked. Returns the peer to use; `*loser` is what the caller
 * must free after unlocking (or NULL). */
static speaker_peer *speaker_adopt(rtk_speakers *s, speaker_peer *fresh, speaker_peer **loser) {
	speaker_peer *peer = g_hash_table_lookup(s->by_id, fresh->id);
	if(peer != NULL) {
		*loser = fresh;
		return peer;
	}
	*loser = NULL;
	fresh->seq = s->next_seq++;
	g_hash_table_insert(s->by_id, fresh->id, fresh);
	g_ptr_array_add(s->order, fresh);
	return fresh;
}

/* ---- the relay path ---- */

static guint speaker_score(int level) {
	if(level < 0)
		level = 0;
	return level < SPEAKER_SILENCE_LEVEL ? (guint)(SPEAKER_SILENCE_LEVEL - level) : 0;
}

static void speaker_record(speaker_peer *peer, int level, gboolean vad, gint64 now_us) {
	if(vad)
		peer->vad_seen = TRUE;
	guint score = (vad || !peer->vad_seen) ? speaker_score(level) : 0;
	gint64 index = now_us / SPEAKER_BUCKET_US;
	speaker_bucket *bucket = &peer->buckets[index % SPEAKER_RING];
	if(bucket->index > index)
		return;   /* older than the window: its slot already holds newer packets */
	if(bucket->index < index) {
		bucket->index = index;
		bucket->sum = 0;
		bucket->packets = 0;
	}
	bucket->sum += score;
	bucket->packets++;
}

void rtk_speakers_level(rtk_speakers *s, const char *peer_id, int level, gboolean vad, gint64 now_us) {
	if(s == NULL || peer_id == NULL || now_us < 0)
		return;
	speaker_peer *loser = NULL;
	g_mutex_lock(&s->lock);
	speaker_peer *peer = g_hash_table_lookup(s->by_id, peer_id);
	if(peer == NULL) {
		/* First packet of this peer: allocate outside the lock. */
		g_mutex_unlock(&s->lock);
		speaker_peer *fresh = speaker_peer_new(peer_id);
		g_mutex_lock(&s->lock);
		peer = speaker_adopt(s, fresh, &loser);
	}
	speaker_record(peer, level, vad, now_us);
	g_mutex_unlock(&s->lock);
	speaker_peer_free(loser);
}

/* ---- evaluation ---- */

static double speaker_bucket_mean(const speaker_peer *peer, gint64 index) {
	if(index < 0)
		return 0.0;
	const speaker_bucket *bucket = &peer->buckets[index % SPEAKER_RING];
	if(bucket->index != index || bucket->packets == 0)
		return 0.0;   /* no packet in that 100 ms: silence (DTX, muted, gone) */
	return (double)bucket->sum / bucket->packets;
}

/* The mean over the SPEAKER_BUCKETS completed buckets ending at `last`. */
static double speaker_loudness(const speaker_peer *peer, gint64 last) {
	double total = 0.0;
	for(gint64 index = last - SPEAKER_BUCKETS + 1; index <= last; index++)
		total += speaker_bucket_mean(peer, index);
	return total / SPEAKER_BUCKETS;
}

static gboolean speaker_voiced_now(const speaker_peer *peer, gint64 last) {
	return speaker_bucket_mean(peer, last) >= SPEAKER_VOICED_MIN ||
		speaker_bucket_mean(peer, last - 1) >= SPEAKER_VOICED_MIN;
}

/* Loudness and "speaking" of every peer at `now_us`, from the buckets
 * completed by then (the one in progress is left for the next time). */
static void speaker_measure(rtk_speakers *s, gint64 now_us) {
	gint64 last = now_us / SPEAKER_BUCKET_US - 1;
	for(guint i = 0; i < s->order->len; i++) {
		speaker_peer *peer = g_ptr_array_index(s->order, i);
		peer->loudness = speaker_loudness(peer, last);
		peer->voiced = speaker_voiced_now(peer, last);
		peer->speaking = peer->loudness >= SPEAKER_SPEAKING_MIN && peer->voiced;
		if(peer->speaking) {
			peer->spoke_at = now_us;
			peer->spoke_loudness = peer->loudness;
		}
	}
}

/* Is `a` a better winner than `b`: challenging longer, then louder, then
 * heard first. */
static gboolean speaker_better_challenger(const speaker_peer *a, const speaker_peer *b) {
	if(b == NULL)
		return TRUE;
	if(a->challenge_since != b->challenge_since)
		return a->challenge_since < b->challenge_since;
	if(a->loudness != b->loudness)
		return a->loudness > b->loudness;
	return a->seq < b->seq;
}

/* Updates every peer's challenge against the current speaker and returns
 * the one that has held it for SPEAKER_HOLD_US, or NULL. */
static speaker_peer *speaker_challenges(rtk_speakers *s, gint64 now_us) {
	double floor_loudness = s->current ? s->current->loudness : 0.0;
	speaker_peer *winner = NULL;
	for(guint i = 0; i < s->order->len; i++) {
		speaker_peer *peer = g_ptr_array_index(s->order, i);
		if(peer == s->current)
			continue;
		if(!peer->speaking || peer->loudness <= floor_loudness + SPEAKER_MARGIN) {
			peer->challenge_since = SPEAKER_NEVER;
			continue;
		}
		if(peer->challenge_since == SPEAKER_NEVER)
			peer->challenge_since = now_us;
		if(now_us - peer->challenge_since >= SPEAKER_HOLD_US && speaker_better_challenger(peer, winner))
			winner = peer;
	}
	return winner;
}

/* The new speaker takes the floor; every challenge was against the old
 * one, so all start over. */
static void speaker_take_floor(rtk_speakers *s, speaker_peer *winner) {
	s->current = winner;
	for(guint i = 0; i < s->order->len; i++) {
		speaker_peer *peer = g_ptr_array_index(s->order, i);
		peer->challenge_since = SPEAKER_NEVER;
	}
}

/* Ranking order: the current speaker, then the most recent speech, then
 * the louder, then the first heard. Returns < 0 when `a` goes first. */
static int speaker_compare(const speaker_peer *a, const speaker_peer *b, const speaker_peer *current) {
	if(a == current || b == current)
		return a == current ? -1 : 1;
	if(a->spoke_at != b->spoke_at)
		return a->spoke_at > b->spoke_at ? -1 : 1;
	if(a->spoke_loudness != b->spoke_loudness)
		return a->spoke_loudness > b->spoke_loudness ? -1 : 1;
	return a->seq < b->seq ? -1 : 1;
}

/* Insertion sort of `order` (nearly sorted from the previous evaluation,
 * so close to linear, and it allocates nothing), then the ranks. */
static void speaker_rank_all(rtk_speakers *s) {
	gpointer *items = s->order->pdata;
	for(guint i = 1; i < s->order->len; i++) {
		speaker_peer *item = items[i];
		guint j = i;
		while(j > 0 && speaker_compare(item, items[j - 1], s->current) < 0) {
			items[j] = items[j - 1];
			j--;
		}
		items[j] = item;
	}
	for(guint i = 0; i < s->order->len; i++) {
		speaker_peer *peer = items[i];
		gboolean ranked = peer == s->current || peer->spoke_at != SPEAKER_NEVER;
		peer->rank = ranked ? i : G_MAXUINT;
	}
}

const char *rtk_speakers_evaluate(rtk_speakers *s, gint64 now_us) {
	if(s == NULL)
		return NULL;
	g_mutex_lock(&s->lock);
	speaker_peer *dead = s->dead;   /* the previous call's strings may now go */
	s->dead = NULL;
	speaker_measure(s, now_us);
	speaker_peer *winner = speaker_challenges(s, now_us);
	if(winner != NULL)
		speaker_take_floor(s, winner);
	speaker_rank_all(s);
	const char *changed = winner ? winner->id : NULL;
	if(changed == NULL && s->imposed_news && s->current != NULL)
		changed = s->current->id;
	s->imposed_news = FALSE;
	g_mutex_unlock(&s->lock);
	speaker_peer_free_chain(dead);
	return changed;
}

/* ---- lifecycle and queries ---- */

rtk_speakers *rtk_speakers_new(void) {
	rtk_speakers *s = g_new0(rtk_speakers, 1);
	g_mutex_init(&s->lock);
	s->by_id = g_hash_table_new(g_str_hash, g_str_equal);
	s->order = g_ptr_array_new();
	return s;
}

void rtk_speakers_free(rtk_speakers *s) {
	if(s == NULL)
		return;
	for(guint i = 0; i < s->order->len; i++)
		speaker_peer_free(g_ptr_array_index(s->order, i));
	g_ptr_array_free(s->order, TRUE);
	g_hash_table_destroy(s->by_id);
	speaker_peer_free_chain(s->dead);
	g_mutex_clear(&s->lock);
	g_free(s);
}

void rtk_speakers_forget(rtk_speakers *s, const char *peer_id) {
	if(s == NULL || peer_id == NULL)
		return;
	g_mutex_lock(&s->lock);
	speaker_peer *peer = g_hash_table_lookup(s->by_id, peer_id);
	if(peer != NULL) {
		g_hash_table_remove(s->by_id, peer_id);
		g_ptr_array_remove(s->order, peer);   /* keeps the ranking order of the others */
		if(s->current == peer)
			s->current = NULL;
		peer->next_dead = s->dead;
		s->dead = peer;
	}
	g_mutex_unlock(&s->lock);
}

void rtk_speakers_impose(rtk_speakers *s, const char *peer_id) {
	if(s == NULL)
		return;
	speaker_peer *loser = NULL;
	g_mutex_lock(&s->lock);
	speaker_peer *peer = peer_id != NULL ? g_hash_table_lookup(s->by_id, peer_id) : NULL;
	if(peer_id != NULL && peer == NULL) {
		g_mutex_unlock(&s->lock);
		speaker_peer *fresh = speaker_peer_new(peer_id);
		g_mutex_lock(&s->lock);
		peer = speaker_adopt(s, fresh, &loser);
	}
	if(peer != s->current) {
		speaker_take_floor(s, peer);
		s->imposed_news = peer != NULL;
	}
	g_mutex_unlock(&s->lock);
	speaker_peer_free(loser);
}

const char *rtk_speakers_current(const rtk_speakers *s) {
	if(s == NULL)
		return NULL;
	rtk_speakers *locked = (rtk_speakers *)s;   /* the lock is the only thing written */
	g_mutex_lock(&locked->lock);
	const char *id = s->current ? s->current->id : NULL;
	g_mutex_unlock(&locked->lock);
	return id;
}

guint rtk_speakers_rank(const rtk_speakers *s, const char *peer_id) {
	if(s == NULL || peer_id == NULL)
		return G_MAXUINT;
	rtk_speakers *locked = (rtk_speakers *)s;
	g_mutex_lock(&locked->lock);
	speaker_peer *peer = g_hash_table_lookup(s->by_id, peer_id);
	guint rank = peer ? peer->rank : G_MAXUINT;
	g_mutex_unlock(&locked->lock);
	return rank;
}

gboolean rtk_speakers_voice(const rtk_speakers *s, const char *peer_id, double *loudness, gboolean *voiced) {
	if(s == NULL || peer_id == NULL)
		return FALSE;
	rtk_speakers *locked = (rtk_speakers *)s;
	g_mutex_lock(&locked->lock);
	speaker_peer *peer = g_hash_table_lookup(s->by_id, peer_id);
	if(peer != NULL) {
		*loudness = peer->loudness;
		*voiced = peer->voiced;
	}
	g_mutex_unlock(&locked->lock);
	return peer != NULL;
}
