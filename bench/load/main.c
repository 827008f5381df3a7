/*
 * main.c - rtk-load: many WebRTC participants of one meeting in one process (load.h,
 * bench/README.md "bench/load").
 *
 * Creates a meeting and its participants over REST, then: P publishers (group_call_host) join
 * and publish the recorded clip (VP8 simulcast + Opus, clip.c); N subscribers
 * (group_call_participant) each take a Janus session, a main handle that `join`s and a
 * subscriber handle that `subscribe`s and answers the offer (docs/protocol.md). Once every peer
 * is up (ICE, DTLS, SRTP) and after --settle seconds, it measures a window of --duration
 * seconds: what each subscriber received (packets, bytes, loss from sequence numbers, jitter),
 * the RTCP it sent, and this process's own CPU time (/proc/self/stat). Prints a text summary
 * on stdout and, with --json FILE, every figure as JSON.
 * With --plugin videoroom the same peers speak Debian's janus.plugin.videoroom instead (no REST):
 * room --room (created when missing), publishers `join` + `configure` with the offer, each
 * subscriber one multistream subscription to every publisher's feed; the report is the same.
 * With --participants N, N participants each publish and subscribe to everyone else on the same
 * Janus session (the meeting benchmark: rtk with an ACTIVE_GRID view of --grid tiles, VideoRoom
 * every other feed at its top layer); publisher i and subscriber i are participant i.
 * Several processes can share one meeting (--meeting) or room (--room), each with its share of
 * the peers: --barrier DIR --barrier-count K makes them wait for each other twice, once every
 * process's publishers are up (so that each subscriber's one offer has every publisher of the
 * meeting; VideoRoom subscribers then take the room's publishers from `listparticipants`) and
 * once every process's subscribers are up (the window then starts --settle seconds after the
 * last one, the same second in every process). --expect-publishers N checks that each subscriber
 * was offered the N publishers (its own excepted). The report counts the datagrams the kernel
 * dropped because one of this process's sockets was full (client drops: not loss on the wire),
 * and the server's (--server-pid) likewise. Publishers honour rtk's publisherLayers (the layers
 * nobody receives are not sent; clip.c): once set up, a thread per publisher session long-polls
 * its events, and the report counts the layers paused. --publisher-preset and --subscriber-preset
 * replace the two presets (e.g. livestream_host with --stage, which joins the stage before
 * publishing, and livestream_viewer: bench/cascade); a subscriber's join is answered where it was
 * sent (--janus): on a node that is an edge of the meeting it stays there, and a redirect (0806)
 * is that subscriber's failure, its error in the report. --no-audio: video only. Exit status 0
 * when every peer came up and every subscriber received video and audio (video only with
 * --no-audio) in the window, 1 otherwise, 2 on bad options.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <curl/curl.h>
#include "load.h"

typedef struct lc_options {
	char *rest, *janus, *org_id, *api_key, *clip_dir, *json_path, *local_address, *meeting_id, *plugin_name;
	char *barrier_dir, *publisher_preset, *subscriber_preset;
	gboolean stage, no_audio;
	int subscribers, publishers, setup_threads, server_pid, substream, room, participants, grid;
	int barrier_count, expect_publishers, rcvbuf, first_index, speaking;
	double duration, settle, drop_pct, window_at, rtcp_delay;
} lc_options;

static lc_options opt = {.substream = -1, .room = 1234, .grid = 9, .subscribers = 10, .publishers = 1, .setup_threads = 4,
	.duration = 20, .settle = 2, .rcvbuf = -1, .barrier_count = 1};
static char *meeting_id;
static lc_clip *clip;
static lc_peer **subs, **pubs;
static char **sub_tokens;
static lc_plugin plugin;          /* --plugin: rtk (default) or videoroom */
static guint64 *pub_feeds;        /* VideoRoom: each publisher's feed id (0 until joined) */
static GArray *room_feeds;        /* VideoRoom with --barrier: every publisher of the room (guint64) */
static guint64 room_session, room_handle;   /* VideoRoom: the session that checked the room, kept */
static gint next_sub;            /* the setup threads' shared cursor */
static GMutex sessions_lock;
static GArray *sessions;         /* guint64, every Janus session made: kept alive, destroyed at the end */
static volatile gboolean finished;

/* ---------------------------------------------------------------- helpers */

/* utime + stime of a process (/proc/PID/stat; pid 0: this one), in seconds. */
static double main_cpu_seconds_of(int pid) {
	char buf[1024], path[64];
	if(pid > 0)
		g_snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	else
		g_strlcpy(path, "/proc/self/stat", sizeof(path));
	FILE *f = fopen(path, "r");
	if(f == NULL)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	unsigned long utime = 0, stime = 0;
	/* after ")": state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15) */
	if(p == NULL || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
		return 0;
	return (double)(utime + stime) / sysconf(_SC_CLK_TCK);
}

static double main_cpu_seconds(void) {
	return main_cpu_seconds_of(0);
}

/* Udp RcvbufErrors of this network namespace (/proc/net/snmp): datagrams the kernel dropped
 * because a socket's buffer was full, ours or the server's. */
static guint64 main_udp_rcvbuf_errors(void) {
	gchar *text = NULL;
	guint64 value = 0;
	if(!g_file_get_contents("/proc/net/snmp", &text, NULL, NULL))
		return 0;
	gchar **lines = g_strsplit(text, "\n", -1);
	for(int i = 0; lines[i] != NULL && lines[i + 1] != NULL; i++) {
		if(!g_str_has_prefix(lines[i], "Udp: ") || !g_str_has_prefix(lines[i + 1], "Udp: "))
			continue;
		gchar **names = g_strsplit(lines[i], " ", -1), **values = g_strsplit(lines[i + 1], " ", -1);
		for(int k = 0; names[k] != NULL && values[k] != NULL; k++)
			if(!strcmp(names[k], "RcvbufErrors"))
				value = g_ascii_strtoull(values[k], NULL, 10);
		g_strfreev(names);
		g_strfreev(values);
		break;
	}
	g_strfreev(lines);
	g_free(text);
	return value;
}

/* The inodes of a process's sockets (/proc/PID/fd, "socket:[N]"; pid 0: this one). */
static GHashTable *main_socket_inodes(int pid) {
	GHashTable *inodes = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	char path[64];
	if(pid > 0)
		g_snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	else
		g_strlcpy(path, "/proc/self/fd", sizeof(path));
	DIR *dir = opendir(path);
	struct dirent *entry;
	while(dir != NULL && (entry = readdir(dir)) != NULL) {
		char link[PATH_MAX], target[64];
		g_snprintf(link, sizeof(link), "%s/%s", path, entry->d_name);
		ssize_t n = readlink(link, target, sizeof(target) - 1);
		if(n <= 0)
			continue;
		target[n] = '\0';
		gint64 inode = 0;
		if(sscanf(target, "socket:[%" G_GINT64_FORMAT "]", &inode) == 1) {
			gint64 *key = g_new(gint64, 1);
			*key = inode;
			g_hash_table_add(inodes, key);
		}
	}
	if(dir != NULL)
		closedir(dir);
	return inodes;
}

/* Datagrams the kernel dropped on a process's UDP sockets (the `drops` column of /proc/net/udp,
 * of this network namespace, for the sockets that process holds; pid 0: this one): what arrived
 * while its receive buffer was full, the receiver not keeping up. Per socket inode (gint64 ->
 * guint64, both owned by the table: g_hash_table_destroy), so that a window counts only the
 * sockets open at both its ends (main_drops_between). */
static GHashTable *main_socket_drops(int pid) {
	GHashTable *inodes = main_socket_inodes(pid);
	GHashTable *drops = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	gchar *text = NULL;
	if(g_hash_table_size(inodes) > 0 && g_file_get_contents("/proc/net/udp", &text, NULL, NULL)) {
		gchar **lines = g_strsplit(text, "\n", -1);
		/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops */
		for(int i = 1; lines[i] != NULL; i++) {
			gint64 inode = 0;
			guint64 dropped = 0;
			if(sscanf(lines[i], "%*s %*s %*s %*s %*s %*s %*s %*s %*s %" G_GINT64_FORMAT " %*s %*s %" G_GUINT64_FORMAT,
					&inode, &dropped) == 2 && g_hash_table_contains(inodes, &inode)) {
				gint64 *key = g_new(gint64, 1);
				guint64 *value = g_new(guint64, 1);
				*key = inode;
				*value = dropped;
				g_hash_table_replace(drops, key, value);
			}
		}
		g_strfreev(lines);
	}
	g_free(text);
	g_hash_table_destroy(inodes);
	return drops;
}

/* The drops between two main_socket_drops tables, over the sockets in both (NULL: 0). */
static guint64 main_drops_between(GHashTable *before, GHashTable *after) {
	guint64 total = 0;
	GHashTableIter iter;
	gpointer key, value;
	if(before == NULL || after == NULL)
		return 0;
	g_hash_table_iter_init(&iter, after);
	while(g_hash_table_iter_next(&iter, &key, &value)) {
		guint64 *then = g_hash_table_lookup(before, key);
		if(then != NULL && *(guint64 *)value > *then)
			total += *(guint64 *)value - *then;
	}
	return total;
}

/* net.core.rmem_max (the most SO_RCVBUF may ask for), or 0. */
static int main_rmem_max(void) {
	gchar *text = NULL;
	int value = 0;
	if(g_file_get_contents("/proc/sys/net/core/rmem_max", &text, NULL, NULL))
		value = atoi(text);
	g_free(text);
	return value;
}

static double main_now(void) {
	return g_get_monotonic_time() / 1e6;
}

static void main_remember_session(guint64 session) {
	g_mutex_lock(&sessions_lock);
	g_array_append_val(sessions, session);
	g_mutex_unlock(&sessions_lock);
}

/* --barrier: writes DIR/STAGE.<pid>, then waits until --barrier-count processes have written
 * theirs (every 50 ms, up to `timeout` seconds); returns the last one's time (Unix seconds, from
 * the files' mtimes: the same in every process), or 0 when some never came. */
static double main_barrier(const char *stage, double timeout) {
	char *mine = g_strdup_printf("%s/%s.%d", opt.barrier_dir, stage, (int)getpid());
	char *prefix = g_strdup_printf("%s.", stage);
	if(!g_file_set_contents(mine, "", 0, NULL))
		fprintf(stderr, "rtk-load: cannot write %s\n", mine);
	double deadline = main_now() + timeout, last = 0;
	int count = 0;
	for(;;) {
		count = 0;
		last = 0;
		GDir *dir = g_dir_open(opt.barrier_dir, 0, NULL);
		const char *name;
		while(dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
			if(!g_str_has_prefix(name, prefix))
				continue;
			char *path = g_build_filename(opt.barrier_dir, name, NULL);
			struct stat st;
			if(stat(path, &st) == 0) {
				count++;
				last = MAX(last, st.st_mtim.tv_sec + st.st_mtim.tv_nsec / 1e9);
			}
			g_free(path);
		}
		if(dir != NULL)
			g_dir_close(dir);
		if(count >= opt.barrier_count || main_now() > deadline)
			break;
		g_usleep(50000);
	}
	if(count < opt.barrier_count)
		fprintf(stderr, "rtk-load: barrier %s: %d of %d processes after %.0f s; going on\n", stage, count,
			opt.barrier_count, timeout);
	g_free(mine);
	g_free(prefix);
	return count >= opt.barrier_count ? last : 0;
}

static json_t *main_jsep(const char *type, const char *sdp) {
	return json_pack("{ss ss sb}", "type", type, "sdp", sdp, "trickle", 0);
}

/* ---------------------------------------------------------------- publishers */

/* VideoRoom: `join` as a publisher of --room (its feed id kept), then `configure` with the offer
 * (audio and video; the SSRC simulcast group as the Janus core reads it). */
static gboolean main_videoroom_publish(lc_http *http, lc_peer *peer, lc_sender *sender, int index,
		char *error, size_t errlen) {
	char display[32];
	g_snprintf(display, sizeof(display), "load-pub-%d", opt.first_index + index);
	json_t *body = json_pack("{ss ss si ss}", "request", "join", "ptype", "publisher", "room", opt.room,
		"display", display);
	json_t *reply = lc_janus_request(http, opt.janus, peer->session_id, peer->main_handle, body, NULL,
		"joined", error, errlen);
	json_decref(body);
	pub_feeds[index] = lc_event_id(reply, "id");
	json_decref(reply);
	if(pub_feeds[index] == 0) {
		if(error[0] == '\0')
			g_snprintf(error, errlen, "joined without a feed id");
		return FALSE;
	}
	if(!lc_peer_gather(peer, 10000))
		return FALSE;
	char *ice = lc_peer_local_ice_lines(peer);
	char *sdp = lc_sdp_offer(sender->audio_ssrc, sender->video_ssrc, clip->layers, ice, lc_peer_fingerprint(),
		!opt.no_audio);
	json_t *jsep = main_jsep("offer", sdp);
	body = json_pack("{ss sb sb}", "request", "configure", "audio", 1, "video", 1);
	reply = lc_janus_request(http, opt.janus, peer->session_id, peer->main_handle, body, jsep,
		"configured", error, errlen);
	json_decref(body);
	json_decref(jsep);
	g_free(ice);
	g_free(sdp);
	const char *answer = json_string_value(json_object_get(json_object_get(reply, "jsep"), "sdp"));
	gboolean ok = answer != NULL && lc_peer_set_remote(peer, answer);
	if(reply != NULL && !ok)
		g_snprintf(error, errlen, "configure: no usable answer");
	json_decref(reply);
	return ok;
}

/* --participants, rtk: the meeting's view of each participant, ACTIVE_GRID (the default mode) of
 * --grid tiles (`participants.setMaxActiveParticipantsCount`; docs/protocol.md "Views"). */
static gboolean main_rtk_set_grid(lc_http *http, lc_peer *peer, char *error, size_t errlen) {
	json_t *body = json_pack("{ss si}", "request", "participants.setMaxActiveParticipantsCount", "count", opt.grid);
	json_t *reply = lc_janus_request(http, opt.janus, peer->session_id, peer->main_handle, body, NULL,
		"viewModeUpdate", error, errlen);
	json_decref(body);
	gboolean ok = reply != NULL;
	json_decref(reply);
	return ok;
}

/* --stage, rtk: `stage.join` (a preset with the stage enabled, e.g. livestream_host, publishes
 * only on stage: 1501 otherwise; docs/protocol.md "Stage"). */
static gboolean main_rtk_join_stage(lc_http *http, lc_peer *peer, char *error, size_t errlen) {
	json_t *body = json_pack("{ss}", "request", "stage.join");
	json_t *reply = lc_janus_request(http, opt.janus, peer->session_id, peer->main_handle, body, NULL,
		"ok", error, errlen);
	json_decref(body);
	gboolean ok = reply != NULL;
	json_decref(reply);
	return ok;
}

static gboolean main_setup_publisher(lc_http *http, int index, char *error, size_t errlen) {
	char name[32];
	g_snprintf(name, sizeof(name), "load-pub-%d", opt.first_index + index);
	char *token = plugin == LC_PLUGIN_RTK ?
		lc_rest_add_participant(http, opt.rest, meeting_id, name, opt.publisher_preset) : g_strdup("");
	if(token == NULL) {
		g_snprintf(error, errlen, "REST: participant not created");
		return FALSE;
	}
	lc_peer *peer = lc_peer_new(index, TRUE, opt.local_address);
	pubs[index] = peer;
	lc_sender *sender = lc_sender_new(clip);
	if(index < opt.speaking)
		sender->audio_level = 30;   /* -30 dBov with voice activity: a talker */
	sender->audio_off = opt.no_audio;
	sender->audio_ssrc = g_random_int();
	for(guint l = 0; l < 3; l++)
		sender->video_ssrc[l] = g_random_int();
	peer->sender = sender;   /* before publishing: its first publisherLayers may come with the answer */
	peer->session_id = lc_janus_create(http, opt.janus);
	main_remember_session(peer->session_id);
	peer->main_handle = peer->session_id ? lc_janus_attach(http, opt.janus, peer->session_id) : 0;
	gboolean ok = peer->main_handle != 0;
	json_t *reply = NULL;
	if(ok && plugin == LC_PLUGIN_VIDEOROOM) {
		ok = main_videoroom_publish(http, peer, sender, index, error, errlen);
		if(ok)
			lc_media_add_peer(peer);
		g_free(token);
		return ok;
	}
	if(ok) {
		json_t *body = json_pack("{ss ss}", "request", "join", "token", token);
		reply = lc_janus_request(http, opt.janus, peer->session_id, peer->main_handle, body, NULL,
			"roomJoined", error, errlen);
		json_decref(body);
		ok = reply != NULL;
		json_decref(reply);
	}
	if(ok && opt.stage)
		ok = main_rtk_join_stage(http, peer, error, errlen);
	if(ok && opt.participants > 0)
		ok = main_rtk_set_grid(http, peer, error, errlen);
	if(opt.participants > 0)
		sub_tokens[index] = g_strdup(token);   /* the participant subscribes with the same token */
	if(ok)
		ok = lc_peer_gather(peer, 10000);
	if(ok) {
		char *ice = lc_peer_local_ice_lines(peer);
		char *sdp = lc_sdp_offer(sender->audio_ssrc, sender->video_ssrc, clip->layers, ice, lc_peer_fingerprint(),
			!opt.no_audio);
		json_t *body = json_pack("{ss}", "request", "publish"), *jsep = main_jsep("offer", sdp);
		reply = lc_janus_request(http, opt.janus, peer->session_id, peer->main_handle, body, jsep,
			"published", error, errlen);
		json_decref(body);
		json_decref(jsep);
		g_free(ice);
		g_free(sdp);
		const char *answer = json_string_value(json_object_get(json_object_get(reply, "jsep"), "sdp"));
		ok = answer != NULL && lc_peer_set_remote(peer, answer);
		if(reply != NULL && !ok)
			g_snprintf(error, errlen, "publish: no usable answer");
		json_decref(reply);
	}
	if(ok)
		lc_media_add_peer(peer);
	g_free(token);
	return ok;
}

/* ---------------------------------------------------------------- subscribers */

/* `configure` {"mid", "substream"} for every video stream offered (the SDK does it per tile size). */
static gboolean main_choose_substream(lc_http *http, lc_peer *peer, json_t *streams, char *error, size_t errlen) {
	size_t i;
	json_t *s;
	json_array_foreach(streams, i, s) {
		/* rtk names a stream's media `kind`, VideoRoom `type` */
		const char *kind = json_string_value(json_object_get(s, plugin == LC_PLUGIN_RTK ? "kind" : "type"));
		const char *mid = json_string_value(json_object_get(s, "mid"));
		if(kind == NULL || mid == NULL || strcmp(kind, "video") != 0)
			continue;
		json_t *body = plugin == LC_PLUGIN_RTK ?
			json_pack("{ss ss si}", "request", "configure", "mid", mid, "substream", opt.substream) :
			json_pack("{ss s[{ss si}]}", "request", "configure", "streams", "mid", mid, "substream", opt.substream);
		json_t *reply = lc_janus_request(http, opt.janus, peer->session_id, peer->sub_handle, body, NULL,
			"configured", error, errlen);
		json_decref(body);
		if(reply == NULL)
			return FALSE;
		json_decref(reply);
	}
	return TRUE;
}

/* rtk: `join` on the main handle, `subscribe` on the other; returns the `subscribed` event
 * (its jsep the offer; caller unrefs) or NULL. */
static json_t *main_rtk_subscribe(lc_http *http, lc_peer *peer, const char *token, char *error, size_t errlen) {
	json_t *body, *reply;
	if(opt.participants == 0) {   /* a participant joined when it published */
		body = json_pack("{ss ss}", "request", "join", "token", token);
		reply = lc_janus_request(http, opt.janus, peer->session_id, peer->main_handle, body, NULL,
			"roomJoined", error, errlen);
		json_decref(body);
		if(reply == NULL)
			return NULL;
		json_decref(reply);
	}
	body = json_pack("{ss ss}", "request", "subscribe", "token", token);
	reply = lc_janus_request(http, opt.janus, peer->session_id, peer->sub_handle, body, NULL,
		"subscribed", error, errlen);
	json_decref(body);
	return reply;
}

/* VideoRoom: `join` as a subscriber of --room to every publisher's feed but its own (one
 * multistream subscription, every feed at VideoRoom's default: the highest layer it sends, as a
 * naive client would); returns the `attached` event (its jsep the offer; caller unrefs) or NULL. */
static json_t *main_videoroom_subscribe(lc_http *http, lc_peer *peer, char *error, size_t errlen) {
	json_t *streams = json_array();
	guint64 own = opt.participants > 0 ? pub_feeds[peer->index] : 0;
	for(guint i = 0; room_feeds != NULL && i < room_feeds->len; i++)
		if(g_array_index(room_feeds, guint64, i) != own)
			json_array_append_new(streams, json_pack("{sI}", "feed", (json_int_t)g_array_index(room_feeds, guint64, i)));
	for(int i = 0; room_feeds == NULL && i < opt.publishers; i++)
		if(pub_feeds[i] != 0 && !(opt.participants > 0 && i == peer->index))
			json_array_append_new(streams, json_pack("{sI}", "feed", (json_int_t)pub_feeds[i]));
	json_t *body = json_pack("{ss ss si so}", "request", "join", "ptype", "subscriber", "room", opt.room,
		"streams", streams);
	json_t *reply = lc_janus_request(http, opt.janus, peer->session_id, peer->sub_handle, body, NULL,
		"attached", error, errlen);
	json_decref(body);
	return reply;
}

static gboolean main_setup_subscriber(lc_http *http, int index, char *error, size_t errlen) {
	lc_peer *peer = lc_peer_new(index, FALSE, opt.local_address);
	subs[index] = peer;
	if(opt.participants > 0) {
		/* the participant's own publisher's session and main handle (rtk: joined already) */
		if(pubs[index] == NULL || pubs[index]->state == LC_PEER_FAILED || pubs[index]->main_handle == 0 ||
				(plugin == LC_PLUGIN_RTK && sub_tokens[index] == NULL)) {
			g_snprintf(error, errlen, "its publisher is not up");
			return FALSE;
		}
		peer->session_id = pubs[index]->session_id;
		peer->main_handle = pubs[index]->main_handle;
	} else {
		peer->session_id = lc_janus_create(http, opt.janus);
		if(peer->session_id == 0) {
			g_snprintf(error, errlen, "Janus create failed");
			return FALSE;
		}
		main_remember_session(peer->session_id);
		/* rtk: a main handle that joins and a subscriber handle; VideoRoom: the subscriber handle only */
		peer->main_handle = plugin == LC_PLUGIN_RTK ? lc_janus_attach(http, opt.janus, peer->session_id) : 1;
	}
	peer->sub_handle = lc_janus_attach(http, opt.janus, peer->session_id);
	if(peer->main_handle == 0 || peer->sub_handle == 0) {
		g_snprintf(error, errlen, "Janus attach failed");
		return FALSE;
	}
	json_t *reply = plugin == LC_PLUGIN_RTK ? main_rtk_subscribe(http, peer, sub_tokens[index], error, errlen) :
		main_videoroom_subscribe(http, peer, error, errlen);
	const char *offer = json_string_value(json_object_get(json_object_get(reply, "jsep"), "sdp"));
	if(offer == NULL) {
		if(reply != NULL)
			g_snprintf(error, errlen, "subscribed without an offer (nobody publishing?)");
		json_decref(reply);
		return FALSE;
	}
	int offered = lc_event_video_streams(reply, plugin);
	int wanted = opt.expect_publishers - (opt.participants > 0 ? 1 : 0);
	if(opt.expect_publishers > 0 && offered < wanted) {
		g_snprintf(error, errlen, "offered %d video streams, not the %d of --expect-publishers", offered, wanted);
		json_decref(reply);
		return FALSE;
	}
	gboolean ok = lc_peer_set_remote(peer, offer) && lc_peer_gather(peer, 10000);
	if(ok) {
		char *ice = lc_peer_local_ice_lines(peer);
		char *sdp = lc_sdp_answer(offer, ice, lc_peer_fingerprint());
		json_t *start = json_pack("{ss}", "request", "start"), *jsep = main_jsep("answer", sdp);
		json_t *started = lc_janus_request(http, opt.janus, peer->session_id, peer->sub_handle, start, jsep,
			"started", error, errlen);
		ok = started != NULL;
		json_decref(started);
		json_decref(start);
		json_decref(jsep);
		g_free(ice);
		g_free(sdp);
	} else {
		g_snprintf(error, errlen, "ICE set-up failed (remote candidates or gathering)");
	}
	if(ok && opt.substream >= 0)
		ok = main_choose_substream(http, peer, json_object_get(json_object_get(json_object_get(reply,
			"plugindata"), "data"), "streams"), error, errlen);
	json_decref(reply);
	if(ok)
		lc_media_add_peer(peer);
	return ok;
}

static gpointer main_setup_thread(gpointer unused) {
	lc_http *http = lc_http_new(NULL, NULL);
	int index;
	while((index = g_atomic_int_add(&next_sub, 1)) < opt.subscribers) {
		char error[512] = "";
		if(!main_setup_subscriber(http, index, error, sizeof(error))) {
			fprintf(stderr, "rtk-load: sub%d: %s\n", index, error);
			if(subs[index] != NULL) {
				subs[index]->state = LC_PEER_FAILED;
				g_strlcpy(subs[index]->failure, error, sizeof(subs[index]->failure));
			}
		}
	}
	lc_http_free(http);
	return NULL;
}

static gpointer main_keepalive_thread(gpointer unused) {
	lc_http *http = lc_http_new(NULL, NULL);
	while(!finished) {
		for(int i = 0; i < 150 && !finished; i++)
			g_usleep(100000);
		g_mutex_lock(&sessions_lock);
		GArray *copy = g_array_copy(sessions);
		g_mutex_unlock(&sessions_lock);
		for(guint i = 0; i < copy->len && !finished; i++)
			lc_janus_keepalive(http, opt.janus, g_array_index(copy, guint64, i));
		g_array_free(copy, TRUE);
	}
	lc_http_free(http);
	return NULL;
}

/* Every polled message nobody awaits (signal.c): a publisherLayers on a publisher's main handle
 * sets the layers its sender sends (the clip's video is on mid 1, lc_sdp_offer). Any thread. */
static void main_on_event(json_t *message) {
	guint64 handle = 0;
	int mask = lc_event_publisher_layers(message, "1", &handle);
	if(mask < 0 || handle == 0 || pubs == NULL)
		return;
	for(int i = 0; i < opt.publishers; i++) {
		lc_peer *peer = pubs[i];
		if(peer != NULL && peer->main_handle == handle && peer->sender != NULL)
			lc_sender_want_layers(peer->sender, mask);
	}
}

/* rtk, once the set-up is over: long-polls publisher `index`'s session for its events until the
 * end (the set-up's requests poll it themselves before). */
static gpointer main_events_thread(gpointer data) {
	lc_peer *peer = pubs[GPOINTER_TO_INT(data)];
	lc_http *http = lc_http_new(NULL, NULL);
	while(!finished) {
		json_t *list = lc_janus_poll(http, opt.janus, peer->session_id);
		size_t i;
		json_t *m;
		gboolean any = FALSE;
		json_array_foreach(list, i, m) {
			any = any || json_is_object(m);
			main_on_event(m);
		}
		json_decref(list);
		if(!any)
			g_usleep(100000);   /* the server did not answer: do not spin */
	}
	lc_http_free(http);
	return NULL;
}

static void main_start_event_threads(void) {
	for(int i = 0; i < opt.publishers && plugin == LC_PLUGIN_RTK; i++)
		if(pubs[i] != NULL && pubs[i]->session_id != 0 && pubs[i]->state != LC_PEER_FAILED)
			g_thread_unref(g_thread_new("lc-events", main_events_thread, GINT_TO_POINTER(i)));
}

/* Waits until every peer is up or failed; returns how many are up. */
static int main_wait_up(lc_peer **peers, int count, double timeout) {
	double deadline = main_now() + timeout;
	for(;;) {
		int up = 0, settled = 0;
		for(int i = 0; i < count; i++) {
			if(peers[i] == NULL || peers[i]->state == LC_PEER_FAILED)
				settled++;
			else if(peers[i]->state == LC_PEER_UP)
				up++, settled++;
		}
		if(settled == count || main_now() > deadline)
			return up;
		g_usleep(50000);
	}
}

/* ---------------------------------------------------------------- measuring */

typedef struct lc_snapshot {
	lc_counts *counts;     /* one per subscriber */
	lc_counts pub;         /* publishers: packets/bytes in video_*, nothing else */
	double cpu, server_cpu, at;
	gboolean light;        /* a jitter sample: no socket scan */
	double wall;           /* Unix time of the snapshot */
	guint64 udp_drops;
	GHashTable *client_drops, *server_drops;   /* main_socket_drops (NULL in a jitter sample) */
	GArray *jitter_video, *jitter_audio;
	/* publisherLayers: events taken, layers paused now (by layer), frames not sent for it */
	guint64 layer_events, layer_frames_skipped;
	guint layers_paused[3];
} lc_snapshot;

/* One publisher's layers into `snap` (media thread). */
static void main_snapshot_layers(lc_snapshot *snap, const lc_sender *sender) {
	snap->layer_events += (guint64)g_atomic_int_get(&sender->layer_events);
	for(guint layer = 0; layer < 3; layer++) {
		snap->layers_paused[layer] += lc_sender_layer_paused(sender, layer);
		snap->layer_frames_skipped += sender->layer_frames_skipped[layer];
	}
}

static void main_snapshot_now(gpointer data) {
	lc_snapshot *snap = data;
	for(int i = 0; i < opt.subscribers; i++)
		if(subs[i] != NULL)
			lc_peer_counts(subs[i], &snap->counts[i]);
	for(int i = 0; i < opt.publishers; i++)
		if(pubs[i] != NULL && pubs[i]->sender != NULL) {
			snap->pub.video_packets += pubs[i]->sender->packets;
			snap->pub.video_bytes += pubs[i]->sender->bytes;
			snap->pub.plis += pubs[i]->sender->keyframe_requests;
			snap->pub.nacks += pubs[i]->sender->retransmitted;
			main_snapshot_layers(snap, pubs[i]->sender);
		}
	if(snap->jitter_video != NULL)
		for(int i = 0; i < opt.subscribers; i++)
			if(subs[i] != NULL && subs[i]->state == LC_PEER_UP)
				lc_peer_jitter_ms(subs[i], snap->jitter_video, snap->jitter_audio);
	snap->cpu = main_cpu_seconds();
	snap->udp_drops = main_udp_rcvbuf_errors();
	if(!snap->light) {
		snap->client_drops = main_socket_drops(0);
		snap->server_drops = opt.server_pid > 0 ? main_socket_drops(opt.server_pid) : NULL;
	}
	snap->server_cpu = opt.server_pid > 0 ? main_cpu_seconds_of(opt.server_pid) : 0;
	snap->at = main_now();
	snap->wall = g_get_real_time() / 1e6;
}

static lc_snapshot *main_snapshot(gboolean with_jitter) {
	lc_snapshot *snap = g_new0(lc_snapshot, 1);
	snap->counts = g_new0(lc_counts, opt.subscribers);
	snap->light = with_jitter;
	if(with_jitter) {
		snap->jitter_video = g_array_new(FALSE, FALSE, sizeof(double));
		snap->jitter_audio = g_array_new(FALSE, FALSE, sizeof(double));
	}
	lc_media_call(main_snapshot_now, snap);
	return snap;
}

static int main_compare_double(gconstpointer a, gconstpointer b) {
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double main_percentile(GArray *values, double p) {
	if(values == NULL || values->len == 0)
		return 0;
	g_array_sort(values, main_compare_double);
	guint i = (guint)(p * (values->len - 1) + 0.5);
	return g_array_index(values, double, MIN(i, values->len - 1));
}

static double main_loss_pct(guint64 expected, guint64 received) {
	return expected == 0 ? 0 : expected > received ? 100.0 * (expected - received) / expected : 0;
}

/* Samples of the jitter every 0.5 s during the window (each stream's RFC 3550 estimate). */
static void main_sample_jitter(GArray *video, GArray *audio) {
	lc_snapshot *snap = main_snapshot(TRUE);
	g_array_append_vals(video, snap->jitter_video->data, snap->jitter_video->len);
	g_array_append_vals(audio, snap->jitter_audio->data, snap->jitter_audio->len);
	g_array_free(snap->jitter_video, TRUE);
	g_array_free(snap->jitter_audio, TRUE);
	g_free(snap->counts);
	g_free(snap);
}

static json_t *main_kind_json(guint64 packets, guint64 bytes, guint64 expected, GArray *jitter, double seconds) {
	return json_pack("{sI sI sI sI sf sf sf sf}", "packets", (json_int_t)packets, "bytes", (json_int_t)bytes,
		"expected", (json_int_t)expected,
		"lost", (json_int_t)(expected > packets ? expected - packets : 0),
		"loss_pct", main_loss_pct(expected, packets),
		"kbps", seconds > 0 ? bytes * 8 / seconds / 1000 : 0.0,
		"jitter_ms_p50", main_percentile(jitter, 0.5), "jitter_ms_p99", main_percentile(jitter, 0.99));
}

/* publisherLayers in the report: `paused_layers`, the layers (of every publisher) not sent at
 * the window's end; `publisher_layers` the details. */
static void main_report_layers(json_t *root, const lc_snapshot *a, const lc_snapshot *b) {
	guint paused = b->layers_paused[0] + b->layers_paused[1] + b->layers_paused[2];
	guint paused_before = a->layers_paused[0] + a->layers_paused[1] + a->layers_paused[2];
	json_object_set_new(root, "paused_layers", json_integer(paused));
	json_object_set_new(root, "publisher_layers", json_pack("{sI si s[iii] sI}",
		"events", (json_int_t)b->layer_events, "paused_at_window_start", (int)paused_before,
		"paused_by_substream", (int)b->layers_paused[0], (int)b->layers_paused[1], (int)b->layers_paused[2],
		"frames_not_sent", (json_int_t)(b->layer_frames_skipped - a->layer_frames_skipped)));
	printf("publisher layers: %u paused at the window's end (%u at its start; substreams 0/1/2: %u/%u/%u), "
		"%" G_GUINT64_FORMAT " publisherLayers events, %" G_GUINT64_FORMAT " frames not sent in the window\n",
		paused, paused_before, b->layers_paused[0], b->layers_paused[1], b->layers_paused[2], b->layer_events,
		b->layer_frames_skipped - a->layer_frames_skipped);
}

static int main_report(lc_snapshot *a, lc_snapshot *b, GArray *jv, GArray *ja, double setup_s,
		int subs_up, int pubs_up, double setup_cpu) {
	double seconds = b->at - a->at, cpu = b->cpu - a->cpu;
	lc_counts total = {0};
	GArray *kbps = g_array_new(FALSE, FALSE, sizeof(double));
	json_t *per = json_array();
	int starved = 0;
	for(int i = 0; i < opt.subscribers; i++) {
		lc_counts *x = &a->counts[i], *y = &b->counts[i], d;
		d.video_packets = y->video_packets - x->video_packets;
		d.video_bytes = y->video_bytes - x->video_bytes;
		d.video_expected = y->video_expected - x->video_expected;
		d.audio_packets = y->audio_packets - x->audio_packets;
		d.audio_bytes = y->audio_bytes - x->audio_bytes;
		d.audio_expected = y->audio_expected - x->audio_expected;
		d.nacks = y->nacks - x->nacks;
		d.plis = y->plis - x->plis;
		d.rtcp = y->rtcp - x->rtcp;
		d.keyframes = y->keyframes - x->keyframes;
		d.late = y->late - x->late;
		total.video_packets += d.video_packets; total.video_bytes += d.video_bytes;
		total.video_expected += d.video_expected; total.audio_packets += d.audio_packets;
		total.audio_bytes += d.audio_bytes; total.audio_expected += d.audio_expected;
		total.late += d.late;
		total.srtp_errors += y->srtp_errors - x->srtp_errors;
		total.nacks += d.nacks; total.plis += d.plis; total.rtcp += d.rtcp; total.keyframes += d.keyframes;
		double rate = (d.video_bytes + d.audio_bytes) * 8 / seconds / 1000;
		g_array_append_val(kbps, rate);
		if(d.video_packets == 0 || (d.audio_packets == 0 && !opt.no_audio))
			starved++;
		lc_peer *p = subs[i];
		json_t *one = json_pack("{si ss sI sI sI sI sf sf sf sI sI sI sI sf sf}",
			"index", i, "state", p && p->state == LC_PEER_UP ? "up" : p && p->failure[0] ? p->failure : "down",
			"video_packets", (json_int_t)d.video_packets, "audio_packets", (json_int_t)d.audio_packets,
			"video_expected", (json_int_t)d.video_expected, "audio_expected", (json_int_t)d.audio_expected,
			"video_loss_pct", main_loss_pct(d.video_expected, d.video_packets),
			"audio_loss_pct", main_loss_pct(d.audio_expected, d.audio_packets),
			"kbps", rate, "nacks", (json_int_t)d.nacks, "late", (json_int_t)d.late, "plis", (json_int_t)d.plis,
			"keyframes", (json_int_t)d.keyframes,
			"ice_ms", p && p->ice_us ? (p->ice_us - p->created_us) / 1000.0 : -1.0,
			"dtls_ms", p && p->dtls_us && p->ice_us ? (p->dtls_us - p->ice_us) / 1000.0 : -1.0);
		json_object_set_new(one, "video_streams", json_integer((json_int_t)y->video_streams));
		json_array_append_new(per, one);
	}
	double pub_kbps = (b->pub.video_bytes - a->pub.video_bytes) * 8 / seconds / 1000;
	double cpu_per_sub = opt.subscribers ? cpu / opt.subscribers : 0;
	json_t *root = json_pack("{ss si si si si si sf sf sf so so sI sI sI sI so sf sf sf sf so}",
		"plugin", plugin == LC_PLUGIN_VIDEOROOM ? "videoroom" : "rtk", "participants", opt.participants,
		"subscribers", opt.subscribers, "publishers", opt.publishers,
		"subscribers_up", subs_up, "publishers_up", pubs_up,
		"setup_s", setup_s, "setup_cpu_s", setup_cpu, "window_s", seconds,
		"video", main_kind_json(total.video_packets, total.video_bytes, total.video_expected, jv, seconds),
		"audio", main_kind_json(total.audio_packets, total.audio_bytes, total.audio_expected, ja, seconds),
		"nacks_sent", (json_int_t)total.nacks, "plis_sent", (json_int_t)total.plis,
		"rtcp_sent", (json_int_t)total.rtcp, "keyframes", (json_int_t)total.keyframes,
		"kbps_per_subscriber", json_pack("{sf sf sf}", "min", main_percentile(kbps, 0),
			"p50", main_percentile(kbps, 0.5), "max", main_percentile(kbps, 1)),
		"publishers_kbps", pub_kbps,
		"cpu_s", cpu, "cpu_s_per_subscriber", cpu_per_sub,
		"cpu_pct_of_core_per_subscriber", seconds > 0 ? 100 * cpu_per_sub / seconds : 0.0,
		"per_subscriber", per);
	printf("rtk-load: %d/%d subscribers up, %d/%d publishers up, set-up %.1f s (client CPU %.2f s)\n",
		subs_up, opt.subscribers, pubs_up, opt.publishers, setup_s, setup_cpu);
	printf("window %.1f s: publishers sent %.0f kbit/s (%" G_GUINT64_FORMAT " keyframe requests, %" G_GUINT64_FORMAT " packets sent again for NACKs); subscribers received %.0f kbit/s each (min %.0f, max %.0f)\n",
		seconds, pub_kbps, b->pub.plis - a->pub.plis, b->pub.nacks - a->pub.nacks, main_percentile(kbps, 0.5), main_percentile(kbps, 0), main_percentile(kbps, 1));
	printf("video: %" G_GUINT64_FORMAT " packets, loss %.3f%%, jitter p50 %.2f ms p99 %.2f ms; keyframes %" G_GUINT64_FORMAT "\n",
		total.video_packets, main_loss_pct(total.video_expected, total.video_packets),
		main_percentile(jv, 0.5), main_percentile(jv, 0.99), total.keyframes);
	printf("audio: %" G_GUINT64_FORMAT " packets, loss %.3f%%, jitter p50 %.2f ms p99 %.2f ms\n",
		total.audio_packets, main_loss_pct(total.audio_expected, total.audio_packets),
		main_percentile(ja, 0.5), main_percentile(ja, 0.99));
	printf("rtcp sent: %" G_GUINT64_FORMAT " compound packets, %" G_GUINT64_FORMAT " NACKed packets, %" G_GUINT64_FORMAT
		" PLIs; %" G_GUINT64_FORMAT " packets arrived late (retransmitted or reordered)\n",
		total.rtcp, total.nacks, total.plis, total.late);
	guint64 packets = total.video_packets + total.audio_packets;
	main_report_layers(root, a, b);
	json_object_set_new(root, "publishers_retransmitted", json_integer((json_int_t)(b->pub.nacks - a->pub.nacks)));
	json_object_set_new(root, "speaking", json_integer(MIN(opt.speaking, opt.publishers)));
	json_object_set_new(root, "late_packets", json_integer((json_int_t)total.late));
	json_object_set_new(root, "window_start", json_real(a->wall));
	json_object_set_new(root, "srtp_errors", json_integer((json_int_t)total.srtp_errors));
	json_object_set_new(root, "publishers_keyframe_requests", json_integer((json_int_t)(b->pub.plis - a->pub.plis)));
	json_object_set_new(root, "udp_rcvbuf_errors", json_integer((json_int_t)(b->udp_drops - a->udp_drops)));
	guint64 client_drops = main_drops_between(a->client_drops, b->client_drops);
	guint64 server_drops = main_drops_between(a->server_drops, b->server_drops);
	guint64 expected = total.video_expected + total.audio_expected;
	json_object_set_new(root, "client_drops", json_integer((json_int_t)client_drops));
	json_object_set_new(root, "client_drops_pct", json_real(expected ? 100.0 * client_drops / expected : 0));
	json_object_set_new(root, "rcvbuf", json_integer(lc_peer_rcvbuf_granted()));
	printf("UDP datagrams dropped by full socket buffers in the namespace: %" G_GUINT64_FORMAT
		"; by this process's sockets (client drops, not loss on the wire): %" G_GUINT64_FORMAT " (%.3f%% of the packets expected; SO_RCVBUF %d)\n",
		b->udp_drops - a->udp_drops, client_drops, expected ? 100.0 * client_drops / expected : 0,
		lc_peer_rcvbuf_granted());
	if(opt.server_pid > 0) {
		double server_cpu = b->server_cpu - a->server_cpu;
		json_object_set_new(root, "server_cpu_s", json_real(server_cpu));
		json_object_set_new(root, "server_us_per_packet", json_real(packets ? server_cpu * 1e6 / packets : 0));
		json_object_set_new(root, "server_drops", json_integer((json_int_t)server_drops));
		printf("server (pid %d): its sockets dropped %" G_GUINT64_FORMAT " datagrams (full receive buffers)\n",
			opt.server_pid, server_drops);
		printf("server (pid %d): CPU %.3f s in the window, %.2f us per packet received by the subscribers\n",
			opt.server_pid, server_cpu, packets ? server_cpu * 1e6 / packets : 0);
	}
	printf("load: %d subscribers: client CPU %.3f s in %.1f s = %.2f ms/s per subscriber (%.2f%% of a core each)"
		"; loss video %.3f%% audio %.3f%%\n", opt.subscribers, cpu, seconds, 1000 * cpu_per_sub / seconds,
		100 * cpu_per_sub / seconds, main_loss_pct(total.video_expected, total.video_packets),
		main_loss_pct(total.audio_expected, total.audio_packets));
	fflush(stdout);
	if(opt.json_path != NULL && json_dump_file(root, opt.json_path, JSON_INDENT(1)) != 0)
		fprintf(stderr, "rtk-load: cannot write %s\n", opt.json_path);
	json_decref(root);
	g_array_free(kbps, TRUE);
	return subs_up == opt.subscribers && pubs_up == opt.publishers && starved == 0 ? 0 : 1;
}

/* ---------------------------------------------------------------- main */

/* VideoRoom: makes sure room --room exists (`exists`, then `create`: VP8 + Opus, no bitrate cap,
 * room for 100 publishers), on a session of its own kept to the end. */
static gboolean main_videoroom_room(lc_http *http) {
	char error[512] = "";
	guint64 session = lc_janus_create(http, opt.janus);
	guint64 handle = session ? lc_janus_attach(http, opt.janus, session) : 0;
	if(handle == 0)
		return FALSE;
	main_remember_session(session);
	json_t *body = json_pack("{ss si}", "request", "exists", "room", opt.room);
	json_t *reply = lc_janus_request(http, opt.janus, session, handle, body, NULL, "success", error, sizeof(error));
	json_decref(body);
	gboolean exists = json_is_true(json_object_get(lc_event_data(reply), "exists"));
	json_decref(reply);
	if(!exists) {
		body = json_pack("{ss si si si ss ss}", "request", "create", "room", opt.room, "publishers", 100,
			"bitrate", 0, "videocodec", "vp8", "audiocodec", "opus");
		reply = lc_janus_request(http, opt.janus, session, handle, body, NULL, "created", error, sizeof(error));
		json_decref(body);
		exists = reply != NULL;
		json_decref(reply);
		if(!exists) {   /* another rtk-load process may have created it meanwhile (427: it exists) */
			body = json_pack("{ss si}", "request", "exists", "room", opt.room);
			reply = lc_janus_request(http, opt.janus, session, handle, body, NULL, "success", error, sizeof(error));
			json_decref(body);
			exists = json_is_true(json_object_get(lc_event_data(reply), "exists"));
			json_decref(reply);
		}
	}
	room_session = session;
	room_handle = handle;
	if(!exists)
		fprintf(stderr, "rtk-load: VideoRoom room %d: %s\n", opt.room, error[0] ? error : "cannot create it");
	return exists;
}

/* VideoRoom with --barrier: every publisher of the room (`listparticipants`, those with
 * "publisher": true) into room_feeds, asked again every 200 ms until there are
 * --expect-publishers of them (up to 30 s); FALSE when the room cannot be listed. */
static gboolean main_videoroom_list_feeds(lc_http *http) {
	double deadline = main_now() + 30;
	for(;;) {
		char error[512] = "";
		json_t *body = json_pack("{ss si}", "request", "listparticipants", "room", opt.room);
		json_t *reply = lc_janus_request(http, opt.janus, room_session, room_handle, body, NULL, "participants",
			error, sizeof(error));
		json_decref(body);
		if(reply == NULL) {
			fprintf(stderr, "rtk-load: VideoRoom listparticipants: %s\n", error);
			return FALSE;
		}
		if(room_feeds == NULL)
			room_feeds = g_array_new(FALSE, FALSE, sizeof(guint64));
		g_array_set_size(room_feeds, 0);
		lc_event_publisher_feeds(reply, room_feeds);
		json_decref(reply);
		if((int)room_feeds->len >= opt.expect_publishers || main_now() > deadline)
			break;
		g_usleep(200000);
	}
	fprintf(stderr, "rtk-load: room %d lists %u publishers\n", opt.room, room_feeds->len);
	return TRUE;
}

static gboolean main_parse(int argc, char **argv) {
	GOptionEntry entries[] = {
		{"rest", 0, 0, G_OPTION_ARG_STRING, &opt.rest, "REST base URL (http://127.0.0.1:8080)", "URL"},
		{"janus", 0, 0, G_OPTION_ARG_STRING, &opt.janus, "Janus HTTP API (http://127.0.0.1:8088/janus)", "URL"},
		{"org-id", 0, 0, G_OPTION_ARG_STRING, &opt.org_id, "organization id (Basic auth; without it Bearer)", "ID"},
		{"api-key", 0, 0, G_OPTION_ARG_STRING, &opt.api_key, "API key (required)", "KEY"},
		{"meeting", 0, 0, G_OPTION_ARG_STRING, &opt.meeting_id, "use this meeting instead of creating one", "ID"},
		{"subscribers", 'n', 0, G_OPTION_ARG_INT, &opt.subscribers, "receive-only participants (10)", "N"},
		{"publishers", 'p', 0, G_OPTION_ARG_INT, &opt.publishers, "publishers replaying the clip (1)", "N"},
		{"duration", 'd', 0, G_OPTION_ARG_DOUBLE, &opt.duration, "seconds measured (20)", "S"},
		{"substream", 0, 0, G_OPTION_ARG_INT, &opt.substream, "ask for this simulcast layer (0-2; default: the server's, 0)", "L"},
		{"settle", 0, 0, G_OPTION_ARG_DOUBLE, &opt.settle, "seconds between everyone up and the window (2)", "S"},
		{"clip", 0, 0, G_OPTION_ARG_FILENAME, &opt.clip_dir, "the clip directory (bench/load/make-clip)", "DIR"},
		{"json", 0, 0, G_OPTION_ARG_FILENAME, &opt.json_path, "write the figures as JSON here", "FILE"},
		{"setup-threads", 0, 0, G_OPTION_ARG_INT, &opt.setup_threads, "subscribers set up in parallel (4)", "N"},
		{"server-pid", 0, 0, G_OPTION_ARG_INT, &opt.server_pid, "also measure this process's CPU (janus)", "PID"},
		{"drop", 0, 0, G_OPTION_ARG_DOUBLE, &opt.drop_pct, "drop this % of received RTP (simulated loss: video is NACKed)", "PCT"},
		{"participants", 0, 0, G_OPTION_ARG_INT, &opt.participants, "N participants that each publish the clip and subscribe to the others (overrides -n and -p)", "N"},
		{"grid", 0, 0, G_OPTION_ARG_INT, &opt.grid, "rtk --participants: ACTIVE_GRID tiles of each participant's view (9)", "N"},
		{"window-at", 0, 0, G_OPTION_ARG_DOUBLE, &opt.window_at, "start the window at this Unix time (after --settle; so that several rtk-load processes measure the same seconds)", "T"},
		{"plugin", 0, 0, G_OPTION_ARG_STRING, &opt.plugin_name, "rtk (default) or videoroom (Debian's janus.plugin.videoroom)", "NAME"},
		{"room", 0, 0, G_OPTION_ARG_INT, &opt.room, "VideoRoom: the room, created when missing (1234)", "ID"},
		{"local-address", 0, 0, G_OPTION_ARG_STRING, &opt.local_address, "gather candidates on this address only", "IP"},
		{"barrier", 0, 0, G_OPTION_ARG_FILENAME, &opt.barrier_dir, "wait in this directory for --barrier-count rtk-load processes: once all publishers are up, once all subscribers are up (the window then starts --settle s after the last)", "DIR"},
		{"barrier-count", 0, 0, G_OPTION_ARG_INT, &opt.barrier_count, "processes that meet at --barrier (1)", "K"},
		{"expect-publishers", 0, 0, G_OPTION_ARG_INT, &opt.expect_publishers, "publishers of the whole meeting/room (every process's): each subscriber must be offered them all (its own excepted)", "N"},
		{"first-index", 0, 0, G_OPTION_ARG_INT, &opt.first_index, "number this process's participants' names from here (0)", "I"},
		{"rcvbuf", 0, 0, G_OPTION_ARG_INT, &opt.rcvbuf, "SO_RCVBUF of each peer's socket in bytes (default: net.core.rmem_max; 0: the kernel's default)", "BYTES"},
		{"rtcp-delay", 0, 0, G_OPTION_ARG_DOUBLE, &opt.rtcp_delay, "hold every RTCP packet sent this many ms (a link's latency for Janus's RTT; 0)", "MS"},
		{"publisher-preset", 0, 0, G_OPTION_ARG_STRING, &opt.publisher_preset, "rtk: the publishers' preset (group_call_host)", "NAME"},
		{"subscriber-preset", 0, 0, G_OPTION_ARG_STRING, &opt.subscriber_preset, "rtk: the subscribers' preset (group_call_participant; e.g. livestream_viewer, which may join through a node that is an edge of the meeting: bench/cascade)", "NAME"},
		{"stage", 0, 0, G_OPTION_ARG_NONE, &opt.stage, "rtk: the publishers join the stage before publishing (a preset with the stage enabled: livestream_host, webinar_presenter)", NULL},
		{"no-audio", 0, 0, G_OPTION_ARG_NONE, &opt.no_audio, "the publishers send video only (their offer's audio inactive); a subscriber then needs only video", NULL},
		{"speaking", 0, 0, G_OPTION_ARG_INT, &opt.speaking, "this process's first N publishers speak: their audio carries a loud audio level (RFC 6464), the others silence (0)", "N"},
		{NULL}
	};
	GOptionContext *context = g_option_context_new("- a WebRTC load client for RTK (bench/README.md)");
	g_option_context_add_main_entries(context, entries, NULL);
	GError *error = NULL;
	gboolean ok = g_option_context_parse(context, &argc, &argv, &error);
	if(!ok)
		fprintf(stderr, "rtk-load: %s\n", error->message);
	g_clear_error(&error);
	g_option_context_free(context);
	if(ok && opt.plugin_name != NULL && strcmp(opt.plugin_name, "rtk") && strcmp(opt.plugin_name, "videoroom")) {
		fprintf(stderr, "rtk-load: --plugin is rtk or videoroom\n");
		ok = FALSE;
	}
	if(opt.participants > 0)
		opt.publishers = opt.subscribers = opt.participants;
	plugin = opt.plugin_name && !strcmp(opt.plugin_name, "videoroom") ? LC_PLUGIN_VIDEOROOM : LC_PLUGIN_RTK;
	if(ok && ((opt.api_key == NULL && plugin == LC_PLUGIN_RTK) || opt.subscribers < 0 || opt.publishers < 0 || opt.duration <= 0 ||
			opt.setup_threads < 1 || (opt.publishers > 0 && opt.clip_dir == NULL) || opt.barrier_count < 1 ||
			opt.rtcp_delay < 0 || opt.expect_publishers < 0 || opt.speaking < 0)) {
		fprintf(stderr, "rtk-load: needs --api-key (rtk), --clip DIR with publishers, counts >= 0, --duration > 0\n");
		ok = FALSE;
	}
	if(opt.rest == NULL)
		opt.rest = g_strdup("http://127.0.0.1:8080");
	if(opt.janus == NULL)
		opt.janus = g_strdup("http://127.0.0.1:8088/janus");
	if(opt.publisher_preset == NULL)
		opt.publisher_preset = g_strdup("group_call_host");
	if(opt.subscriber_preset == NULL)
		opt.subscriber_preset = g_strdup("group_call_participant");
	return ok;
}

int main(int argc, char **argv) {
	if(!main_parse(argc, argv))
		return 2;
	/* two sockets or so per peer, and curl's: lift the soft limit of open files to the hard one */
	struct rlimit files;
	if(getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
		files.rlim_cur = files.rlim_max;
		setrlimit(RLIMIT_NOFILE, &files);
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if(!lc_peer_global_init()) {
		fprintf(stderr, "rtk-load: DTLS/SRTP initialisation failed\n");
		return 1;
	}
	lc_peer_set_drop(opt.drop_pct / 100.0);
	lc_peer_set_rtcp_delay(opt.rtcp_delay);
	lc_peer_set_rcvbuf(opt.rcvbuf >= 0 ? opt.rcvbuf : main_rmem_max());
	if(opt.publishers > 0 && (clip = lc_clip_load(opt.clip_dir)) == NULL)
		return 1;
	lc_media_start();
	sessions = g_array_new(FALSE, FALSE, sizeof(guint64));
	double t0 = main_now(), cpu0 = main_cpu_seconds();
	char *auth = opt.org_id ? g_strdup_printf("%s:%s", opt.org_id, opt.api_key) : NULL;
	lc_http *http = lc_http_new(auth, auth ? NULL : opt.api_key);
	lc_janus_set_plugin(plugin);
	lc_janus_set_event_handler(main_on_event);
	pub_feeds = g_new0(guint64, opt.publishers + 1);
	sub_tokens = g_new0(char *, opt.subscribers + 1);
	if(plugin == LC_PLUGIN_VIDEOROOM && !main_videoroom_room(http))
		return 1;
	if(plugin == LC_PLUGIN_RTK) {
		meeting_id = opt.meeting_id ? g_strdup(opt.meeting_id) : lc_rest_create_meeting(http, opt.rest, "rtk-load");
		if(meeting_id == NULL)
			return 1;
	}
	for(int i = 0; i < opt.subscribers && plugin == LC_PLUGIN_RTK && opt.participants == 0; i++) {
		char name[32];
		g_snprintf(name, sizeof(name), "load-sub-%d", opt.first_index + i);
		if((sub_tokens[i] = lc_rest_add_participant(http, opt.rest, meeting_id, name, opt.subscriber_preset)) == NULL)
			return 1;
	}
	GThread *keepalive = g_thread_new("lc-keepalive", main_keepalive_thread, NULL);
	pubs = g_new0(lc_peer *, opt.publishers + 1);
	subs = g_new0(lc_peer *, opt.subscribers + 1);
	for(int i = 0; i < opt.publishers; i++) {
		char error[512] = "";
		if(!main_setup_publisher(http, i, error, sizeof(error))) {
			fprintf(stderr, "rtk-load: pub%d: %s\n", i, error);
			if(pubs[i] != NULL) {   /* never handed to the media thread: ours to mark */
				pubs[i]->state = LC_PEER_FAILED;
				g_strlcpy(pubs[i]->failure, error, sizeof(pubs[i]->failure));
			}
		}
	}
	int pubs_up = main_wait_up(pubs, opt.publishers, 20);
	if(opt.publishers > 0 && pubs_up == 0) {
		fprintf(stderr, "rtk-load: no publisher came up: nothing to measure\n");
		_exit(1);
	}
	fprintf(stderr, "rtk-load: %d/%d publishers up after %.1f s; setting up %d subscribers\n",
		pubs_up, opt.publishers, main_now() - t0, opt.subscribers);
	if(opt.barrier_dir != NULL)
		main_barrier("published", 120);
	if(opt.barrier_dir != NULL && plugin == LC_PLUGIN_VIDEOROOM && !main_videoroom_list_feeds(http))
		_exit(1);
	GThread **threads = g_new0(GThread *, opt.setup_threads);
	for(int i = 0; i < opt.setup_threads; i++)
		threads[i] = g_thread_new("lc-setup", main_setup_thread, NULL);
	for(int i = 0; i < opt.setup_threads; i++)
		g_thread_join(threads[i]);
	g_free(threads);
	int subs_up = main_wait_up(subs, opt.subscribers, 30);
	double setup_s = main_now() - t0, setup_cpu = main_cpu_seconds() - cpu0;
	fprintf(stderr, "rtk-load: %d/%d subscribers up after %.1f s; measuring %.0f s\n",
		subs_up, opt.subscribers, setup_s, opt.duration);
	main_start_event_threads();
	double all_up = opt.barrier_dir != NULL ? main_barrier("up", 120) : 0;
	if(all_up > 0)
		opt.window_at = all_up + opt.settle;
	else
		g_usleep((gulong)(opt.settle * G_USEC_PER_SEC));
	double wait = opt.window_at - g_get_real_time() / 1e6;
	if(opt.window_at > 0 && wait > 0)
		g_usleep((gulong)(wait * G_USEC_PER_SEC));
	else if(opt.window_at > 0)
		fprintf(stderr, "rtk-load: set-up ended %.1f s after --window-at: the window starts late\n", -wait);
	GArray *jv = g_array_new(FALSE, FALSE, sizeof(double)), *ja = g_array_new(FALSE, FALSE, sizeof(double));
	lc_snapshot *before = main_snapshot(FALSE);
	double end = before->at + opt.duration;
	while(main_now() + 0.5 < end) {
		g_usleep(500000);
		main_sample_jitter(jv, ja);
	}
	if(end > main_now())
		g_usleep((gulong)((end - main_now()) * G_USEC_PER_SEC));
	lc_snapshot *after = main_snapshot(FALSE);
	int status = main_report(before, after, jv, ja, setup_s, subs_up, pubs_up, setup_cpu);
	finished = TRUE;
	g_thread_join(keepalive);
	for(guint i = 0; i < sessions->len; i++)
		if(g_array_index(sessions, guint64, i) != 0)
			lc_janus_destroy(http, opt.janus, g_array_index(sessions, guint64, i));
	lc_http_free(http);
	fflush(stdout);
	_exit(status);   /* the media thread and its agents go with the process */
}
