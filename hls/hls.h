/*
 * hls.h - the LL-HLS playlist model of the gateway: a thread-safe registry
 * of live streams, the Media Playlist each one renders, and the decision
 * for every request under /hls/ (design.md section 4.4).
 *
 * Why it exists: the rtk-hls companion writes CMAF files into a stream
 * directory (init.mp4, parts seg<msn>.<part>.m4s, segments seg<msn>.m4s);
 * the plugin announces each file here as it appears. Clients (hls.js,
 * Safari) poll the playlist with the blocking reload of Apple's Low-Latency
 * HLS (draft-pantos-hls-rfc8216bis): a request for a part that does not
 * exist yet is held until it does. This file decides what each request
 * gets; hls_http.c puts it on the wire with libmicrohttpd. Nothing here
 * includes libmicrohttpd, so the model is unit-tested and fuzzed alone.
 *
 * Playlist window: the last RTK_HLS_WINDOW_SEGMENTS complete segments plus
 * the segment in progress. EXT-X-PART tags are listed for the segments
 * that start at most three target durations before the end of the
 * playlist (and for the segment in progress). Files leave the disk with a
 * grace period so a client holding an older playlist can still fetch what
 * it lists: part files one segment after their tags left the playlist,
 * segment files RTK_HLS_WINDOW_SEGMENTS + 1 segments after they did.
 *
 * Blocking: rtk_hls_handle() answers now or registers a one-shot wake
 * callback; the caller parks the request and asks again when woken (a
 * part or segment was announced, the stream ended or closed, its deadline
 * of three target durations passed, or rtk_hls_stop_waiting()). A timer
 * thread owned by the registry fires the deadlines.
 *
 * Threads: every function may be called from any thread. Wake callbacks
 * run with the registry's lock held, on whichever thread announced, ticked
 * or cancelled: they must be quick and must not call back into rtk_hls.
 *
 * Ownership: strings passed in are copied; strings handed out are malloc'd
 * and freed by the caller with free() (rtk_hls_reply_clear() for replies).
 * Files on disk belong to the companion's directory; the model only
 * deletes the part and segment files that left its window.
 */
#ifndef RTK_HLS_H
#define RTK_HLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTK_HLS_ID_MAX 64               /* stream ids: [A-Za-z0-9_-]{1,64} */
#define RTK_HLS_WINDOW_SEGMENTS 10      /* complete segments in the playlist */
#define RTK_HLS_VIEWER_WINDOW_S 10      /* viewers seen within this many seconds */
#define RTK_HLS_VIEWERS_MAX 100000      /* distinct viewer keys kept per stream */
/* The largest media sequence number a stream takes (2^53 - 1: players read
 * it as a JavaScript number); a part or segment announced beyond it is
 * ignored, so counting past the last one never overflows. */
#define RTK_HLS_MSN_MAX ((INT64_C(1) << 53) - 1)

typedef struct rtk_hls rtk_hls;

/* A registry with no streams and its timer thread. NULL only when the
 * thread cannot start. */
rtk_hls *rtk_hls_new(void);
/* Answers nothing any more: call rtk_hls_stop_waiting() and make sure no
 * parked request is left before freeing. NULL is a no-op. */
void rtk_hls_free(rtk_hls *hls);

/* ---- streams: what the plugin announces ---- */

/* A new stream (the livestream id, used in the URL; [A-Za-z0-9_-]{1,64});
 * `dir` is where the companion writes its files. part_target_s e.g.
 * 0.2..0.5, segment_target_s e.g. 2.0 (both > 0, part <= segment).
 * Reopening an existing id replaces it (requests parked on the old one are
 * woken). 0, or -1 for an invalid id, directory or target. */
int rtk_hls_stream_open(rtk_hls *hls, const char *stream_id, const char *dir, double part_target_s,
	double segment_target_s);
/* Part `part` of segment `msn` (0..RTK_HLS_MSN_MAX) now exists on disk.
 * Parts come in order: (msn, 0), (msn, 1), ..., then (msn + 1, 0); a part
 * of the next segment completes a segment that was never announced
 * complete. Out-of-order or repeated announcements are ignored (logged). */
void rtk_hls_stream_part(rtk_hls *hls, const char *stream_id, int64_t msn, int part, double duration_s,
	bool independent);
/* Segment `msn` is complete on disk (its parts were announced before; a
 * segment may also come without parts). */
void rtk_hls_stream_segment(rtk_hls *hls, const char *stream_id, int64_t msn, double duration_s);
/* The stream ended: the playlist gets EXT-X-ENDLIST and no preload hint;
 * a trailing segment that was never completed is dropped; parked
 * requests are answered. */
void rtk_hls_stream_end(rtk_hls *hls, const char *stream_id);
/* Keeps every segment of the stream (call before its first segment): no
 * segment record or file leaves, though the live playlist still shows the
 * last RTK_HLS_WINDOW_SEGMENTS (part files still go). Once ended, its
 * playlist is a VOD one: EXT-X-PLAYLIST-TYPE:VOD, every segment from msn
 * 0 without parts, EXT-X-ENDLIST. 0, or -1 for an unknown stream. */
int rtk_hls_stream_set_vod(rtk_hls *hls, const char *stream_id);
/* Forgets the stream: later requests get 404 (unless the archive has it,
 * below), parked ones are woken and get 404. Files are left on disk. */
void rtk_hls_stream_close(rtk_hls *hls, const char *stream_id);

/*
 * The archive: an ended VOD stream outlives the process. When a VOD
 * stream ends, its VOD playlist is written beside its segments as
 * RTK_HLS_VOD_PLAYLIST, and the Multivariant Playlist of its ladder as
 * RTK_HLS_VOD_MASTER in the ladder's first stream's directory (each
 * replaced whole, by rename). A request for a stream the registry does not
 * hold is answered from `<dir>/<stream id>/` when that directory holds
 * RTK_HLS_VOD_PLAYLIST: the playlist, master.m3u8, init.mp4 and the
 * segments (no parts: a VOD playlist lists none). `dir` is copied; NULL
 * (the default) serves no archive. Call before serving.
 */
#define RTK_HLS_VOD_PLAYLIST "vod.m3u8"
#define RTK_HLS_VOD_MASTER "vod-master.m3u8"
void rtk_hls_set_archive(rtk_hls *hls, const char *dir);
/* Distinct playlist clients seen in the last RTK_HLS_VIEWER_WINDOW_S
 * seconds. A client is the key the HTTP layer passes in
 * rtk_hls_request.client_key: the client's IP address and its User-Agent
 * (hls_http.c). 0 for an unknown stream. */
int rtk_hls_viewer_count(rtk_hls *hls, const char *stream_id);

/* ---- ladders: several renditions of one livestream ---- */

/* An ABR ladder is a Multivariant Playlist served at
 * /hls/<ladder id>/master.m3u8 whose variants are streams of this
 * registry, each opened and fed like any other (its own id and
 * directory). index.m3u8 of every stream stays its Media Playlist, so a
 * player given /hls/<id>/index.m3u8 keeps working on one rendition. While
 * a stream belongs to a ladder its Media Playlist carries an
 * EXT-X-RENDITION-REPORT for every other variant that has a segment or
 * part (URI "../<variant id>/index.m3u8", LAST-MSN and, when that segment
 * has parts, LAST-PART of its newest part). */
#define RTK_HLS_LADDER_MAX 8            /* variants per ladder */
#define RTK_HLS_CODECS_MAX 64           /* characters of a CODECS value */

typedef struct rtk_hls_variant {
	const char *stream_id;      /* the rendition's stream (need not be open yet) */
	int64_t bandwidth;          /* bits/s, the expected peak of the segments, > 0: BANDWIDTH
	                             * until a segment file measures higher (then that peak), and
	                             * after the stream ended the measured peak; AVERAGE-BANDWIDTH
	                             * is the measured average once a segment completed */
	int width, height;          /* RESOLUTION, > 0 */
	double frame_rate;          /* FRAME-RATE, or 0 to leave it out */
	const char *codecs;         /* CODECS, e.g. "avc1.64001f,mp4a.40.2": [A-Za-z0-9.,]{1,64} */
} rtk_hls_variant;

/* Declares (or replaces) the ladder `ladder_id` with `n` variants
 * (1..RTK_HLS_LADDER_MAX, distinct stream ids, listed in this order: put
 * the one players should start with first). n == 0 removes it. A stream
 * belongs to at most one ladder. Closing the stream named `ladder_id`
 * removes its ladder too. 0, or -1 for an invalid argument (nothing
 * changed). */
int rtk_hls_ladder_set(rtk_hls *hls, const char *ladder_id, const rtk_hls_variant *variants, int n);
/* The CODECS value of an H.264 + AAC-LC CMAF rendition from the bytes of
 * its init.mp4: "avc1.PPCCLL,mp4a.40.2" with profile, constraint flags
 * and level of the first avcC box. 0, or -1 when there is no complete
 * avcC box or `out` (at least 24 bytes) is too small. */
int rtk_hls_codecs_from_init(const unsigned char *init, size_t len, char *out, size_t out_len);
/* The Multivariant Playlist, malloc'd; NULL for an unknown ladder. */
char *rtk_hls_multivariant(rtk_hls *hls, const char *ladder_id);

/* The Media Playlist as a client would get it now (no viewer counted),
 * malloc'd; `skip`: a Playlist Delta Update (_HLS_skip=YES). NULL for an
 * unknown stream. */
char *rtk_hls_playlist(rtk_hls *hls, const char *stream_id, bool skip);

/* ---- requests: pure parsers (fuzzed) ---- */

typedef enum rtk_hls_resource {
	RTK_HLS_RES_PLAYLIST = 0,   /* index.m3u8 */
	RTK_HLS_RES_INIT,           /* init.mp4 */
	RTK_HLS_RES_PART,           /* seg<msn>.<part>.m4s */
	RTK_HLS_RES_SEGMENT,        /* seg<msn>.m4s */
	RTK_HLS_RES_MULTIVARIANT    /* master.m3u8 (a ladder's) */
} rtk_hls_resource;

typedef struct rtk_hls_target {
	char stream_id[RTK_HLS_ID_MAX + 1];
	rtk_hls_resource resource;
	int64_t msn;                /* parts and segments */
	int part;                   /* parts */
} rtk_hls_target;

/* Parses a raw request path (no query) "/hls/<id>/<name>" where <name> is
 * one of the five names above, numbers in plain decimal without leading
 * zeros or signs. 0, or -1 for anything else (percent escapes, dots,
 * extra slashes: the caller answers 404). */
int rtk_hls_parse_path(const char *path, rtk_hls_target *out);

typedef enum rtk_hls_skip {
	RTK_HLS_SKIP_NO = 0,
	RTK_HLS_SKIP_YES,           /* _HLS_skip=YES */
	RTK_HLS_SKIP_V2             /* _HLS_skip=v2: served as YES (no date ranges here) */
} rtk_hls_skip;

typedef struct rtk_hls_query {
	bool has_msn;
	int64_t msn;                /* _HLS_msn, 0..INT64_MAX */
	bool has_part;
	int part;                   /* _HLS_part, 0..INT_MAX */
	rtk_hls_skip skip;
} rtk_hls_query;

/* Parses the delivery directives of a raw query string (after '?', may be
 * NULL or empty). Unknown parameters are ignored. 0, or -1 with *error (a
 * static string, may be NULL) naming the fault: a value that is missing,
 * not a plain decimal, negative or too large; a directive given twice;
 * _HLS_part without _HLS_msn; an _HLS_skip other than YES or v2. */
int rtk_hls_parse_query(const char *query, rtk_hls_query *out, const char **error);

/* ---- requests: the decision ---- */

typedef void (*rtk_hls_wake_fn)(void *wake_data);

typedef struct rtk_hls_request {
	const char *path;           /* raw path without query, e.g. "/hls/<id>/index.m3u8" */
	const char *query;          /* raw query after '?', or NULL */
	const char *client_key;     /* viewer identity (playlists only), or NULL: not counted */
	int64_t deadline_us;        /* 0 on the first call; set by rtk_hls_handle() when it first
	                             * parks the request; pass it back unchanged on later calls */
} rtk_hls_request;

typedef struct rtk_hls_reply {
	int status;                 /* 200, 400, 404, 503 */
	rtk_hls_resource resource;  /* what was asked for (valid paths only) */
	char *body;                 /* malloc'd: the playlist (200) or a one-line error text */
	size_t body_len;
	char *file;                 /* malloc'd path of the media file to send (200, not a playlist) */
} rtk_hls_reply;

typedef enum rtk_hls_outcome {
	RTK_HLS_ANSWER = 0,         /* *reply is filled in */
	RTK_HLS_WAIT                /* parked: `wake(wake_data)` will be called exactly once,
	                             * then call rtk_hls_handle() again with the same request */
} rtk_hls_outcome;

/*
 * Decides a GET under /hls/. master.m3u8: the ladder's Multivariant
 * Playlist now (its query is ignored), 404 for an unknown ladder. Playlists: a bad query is 400; an unknown
 * stream 404; an ended stream, or a requested msn/part that exists, is
 * answered now; an msn more than two segments past the last complete one
 * (or a part more than the spec's Advance Part Limit past the last part)
 * is 400; anything else is parked until it exists, and is 503 once three
 * target durations have passed. A part index past the final part of a
 * complete segment stands for part 0 of the next segment. Media: init,
 * complete segments and announced parts still on disk are answered with
 * their file; the preload-hinted next part is parked like a playlist;
 * anything else is 404. After rtk_hls_stop_waiting() nothing is parked:
 * what would be is 503.
 *
 * `wake` may be NULL only if the caller cannot park (then parking
 * requests are answered 503). On RTK_HLS_ANSWER the caller owns *reply's
 * strings (rtk_hls_reply_clear()).
 */
rtk_hls_outcome rtk_hls_handle(rtk_hls *hls, rtk_hls_request *req, rtk_hls_wake_fn wake, void *wake_data,
	rtk_hls_reply *reply);
void rtk_hls_reply_clear(rtk_hls_reply *reply);

/* Forgets every parked request registered with `wake_data` without calling
 * its wake (the request went away). Once it returns, no wake for
 * `wake_data` is running or will run. */
void rtk_hls_cancel(rtk_hls *hls, void *wake_data);

/* Wakes every parked request now and parks none from then on (they get
 * 503): call before stopping the HTTP server, which must not be stopped
 * with requests parked. */
void rtk_hls_stop_waiting(rtk_hls *hls);

/* ---- time (tests) ---- */

/* Microseconds; `monotonic` for deadlines and viewers, `wall` (since the
 * Unix epoch) for EXT-X-PROGRAM-DATE-TIME. NULL functions restore GLib's
 * clocks. */
typedef int64_t (*rtk_hls_clock_fn)(void *clock_data);
void rtk_hls_set_clock(rtk_hls *hls, rtk_hls_clock_fn monotonic, rtk_hls_clock_fn wall, void *clock_data);
/* Wakes the parked requests whose deadline has passed; the timer thread
 * calls it on its own, tests call it after moving their clock. */
void rtk_hls_tick(rtk_hls *hls);

#endif
