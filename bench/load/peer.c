/*
 * peer.c - one load-client PeerConnection and the media thread that runs them all (load.h).
 *
 * ICE is libnice (full ICE, host candidates, one component: rtcp-mux and BUNDLE), DTLS is OpenSSL
 * on memory BIOs (one self-signed P-256 certificate for the whole process; the server's
 * certificate is checked against the SDP fingerprint), SRTP is libsrtp2 keyed from the DTLS
 * exporter (SRTP_AES128_CM_SHA1_80). Received RTP is decrypted and counted, never decoded:
 * packets, bytes, expected (sequence numbers, RFC 3550 A.1), interarrival jitter (RFC 3550 A.8).
 * Like a browser, a subscriber sends for every received stream a compound RTCP packet every
 * second (RR with that stream's block, SDES CNAME), NACKs for video sequence gaps (once per
 * missing packet, at the next 5 ms tick), a PLI when a video stream starts and then every second
 * until its first keyframe. lc_peer_set_drop simulates a lossy link (the NACKs recover it),
 * lc_peer_set_rtcp_delay a link with latency for what we send as RTCP (Janus's RTT estimate;
 * see bench/README.md "NACKs and Janus's retransmission buffer"), lc_peer_set_rcvbuf the
 * receive buffer of each peer's socket (set when ICE selects it).
 * Everything here runs on the media thread except
 * lc_peer_new/lc_peer_gather/lc_peer_local_ice_lines/lc_peer_set_remote (setup threads, before
 * lc_media_add_peer; libnice locks its agent itself).
 */
#include <string.h>
#include <stdio.h>
#include <sys/socket.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/evp.h>
#include "load.h"
#include "rtp.h"

#define LC_TICK_MS 5
#define LC_MTU 1500

static SSL_CTX *peer_ssl_ctx;
static char peer_fingerprint[128];
static GMainContext *media_ctx;
static GPtrArray *media_peers;     /* media thread only */
static double peer_drop_fraction;  /* lc_peer_set_drop: simulated loss of received RTP */
static gint64 peer_rtcp_delay_us;  /* lc_peer_set_rtcp_delay: our RTCP held this long */
static int peer_rcvbuf;            /* lc_peer_set_rcvbuf: SO_RCVBUF asked for (0: the kernel's default) */
static int peer_rcvbuf_got;        /* what the kernel granted the last socket (getsockopt: doubled) */

/* One RTCP packet (SRTCP already) held back by lc_peer_set_rtcp_delay. */
typedef struct peer_held_rtcp {
	gint64 due_us;
	int len;
	guint8 data[];
} peer_held_rtcp;

/* ---------------------------------------------------------------- DTLS certificate */

static int peer_verify_any(int ok, X509_STORE_CTX *store) {
	return 1;   /* self-signed: checked against the SDP fingerprint after the handshake */
}

static void peer_format_fingerprint(const unsigned char *md, unsigned int n, char *out, size_t size) {
	out[0] = '\0';
	for(unsigned int i = 0; i < n && (i + 1) * 3 < size; i++)
		sprintf(out + i * 3, i + 1 < n ? "%02X:" : "%02X", md[i]);
}

gboolean lc_peer_global_init(void) {
	if(srtp_init() != srtp_err_status_ok)
		return FALSE;
	EVP_PKEY *key = EVP_EC_gen("prime256v1");
	X509 *cert = X509_new();
	if(key == NULL || cert == NULL)
		return FALSE;
	X509_set_version(cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(cert), g_random_int() & 0x7fffffff);
	X509_gmtime_adj(X509_getm_notBefore(cert), -86400);
	X509_gmtime_adj(X509_getm_notAfter(cert), 30 * 86400);
	X509_set_pubkey(cert, key);
	X509_NAME *name = X509_get_subject_name(cert);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"rtk-load", -1, -1, 0);
	X509_set_issuer_name(cert, name);
	if(!X509_sign(cert, key, EVP_sha256()))
		return FALSE;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	X509_digest(cert, EVP_sha256(), md, &n);
	peer_format_fingerprint(md, n, peer_fingerprint, sizeof(peer_fingerprint));
	peer_ssl_ctx = SSL_CTX_new(DTLS_method());
	if(peer_ssl_ctx == NULL || SSL_CTX_use_certificate(peer_ssl_ctx, cert) != 1 ||
			SSL_CTX_use_PrivateKey(peer_ssl_ctx, key) != 1 ||
			SSL_CTX_set_tlsext_use_srtp(peer_ssl_ctx, "SRTP_AES128_CM_SHA1_80") != 0)
		return FALSE;
	SSL_CTX_set_verify(peer_ssl_ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, peer_verify_any);
	X509_free(cert);
	EVP_PKEY_free(key);
	return TRUE;
}

void lc_peer_set_drop(double fraction) {
	peer_drop_fraction = fraction;
}

void lc_peer_set_rtcp_delay(double ms) {
	peer_rtcp_delay_us = (gint64)(ms * 1000);
}

void lc_peer_set_rcvbuf(int bytes) {
	peer_rcvbuf = bytes;
}

int lc_peer_rcvbuf_granted(void) {
	return g_atomic_int_get(&peer_rcvbuf_got);
}

/* SO_RCVBUF on the socket ICE selected (one per peer: host candidates, rtcp-mux, BUNDLE). The
 * kernel caps it at net.core.rmem_max. Media thread. */
static void peer_set_socket_buffer(lc_peer *peer, guint component_id) {
	if(peer_rcvbuf <= 0)
		return;
	GSocket *socket = nice_agent_get_selected_socket(peer->agent, peer->stream_id, component_id);
	if(socket == NULL)
		return;
	int fd = g_socket_get_fd(socket), size = peer_rcvbuf, got = 0;
	socklen_t len = sizeof(got);
	if(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) == 0 &&
			getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len) == 0)
		g_atomic_int_set(&peer_rcvbuf_got, got);
	g_object_unref(socket);
}

const char *lc_peer_fingerprint(void) {
	return peer_fingerprint;
}

/* ---------------------------------------------------------------- ICE */

static void peer_fail(lc_peer *peer, const char *why) {
	if(peer->state == LC_PEER_FAILED)
		return;
	peer->state = LC_PEER_FAILED;
	g_strlcpy(peer->failure, why, sizeof(peer->failure));
	fprintf(stderr, "rtk-load: %s: %s\n", peer->name, why);
}

static void peer_on_gathered(NiceAgent *agent, guint stream_id, gpointer data) {
	lc_peer *peer = data;
	g_mutex_lock(&peer->lock);
	peer->gathered = TRUE;
	g_cond_broadcast(&peer->cond);
	g_mutex_unlock(&peer->lock);
}

static void peer_dtls_flush(lc_peer *peer) {
	BIO *wbio = SSL_get_wbio(peer->ssl);
	int pending;
	while((pending = BIO_ctrl_pending(wbio)) > 0) {
		char buf[8192];
		int n = BIO_read(wbio, buf, MIN(pending, (int)sizeof(buf)));
		if(n <= 0)
			break;
		nice_agent_send(peer->agent, peer->stream_id, 1, n, buf);
	}
}

static void peer_on_state(NiceAgent *agent, guint stream_id, guint component_id, guint state, gpointer data) {
	lc_peer *peer = data;
	if(state == NICE_COMPONENT_STATE_FAILED) {
		peer_fail(peer, "ICE failed");
	} else if((state == NICE_COMPONENT_STATE_READY || state == NICE_COMPONENT_STATE_CONNECTED) &&
			peer->state == LC_PEER_ICE) {
		peer->state = LC_PEER_DTLS;
		peer->ice_us = g_get_monotonic_time();
		peer_set_socket_buffer(peer, component_id);
		if(peer->dtls_client) {
			SSL_do_handshake(peer->ssl);
			peer_dtls_flush(peer);
		}
	}
}

static void peer_on_receive(NiceAgent *agent, guint stream_id, guint component_id, guint len,
		gchar *buf, gpointer data);

lc_peer *lc_peer_new(int index, gboolean publisher, const char *local_address) {
	lc_peer *peer = g_new0(lc_peer, 1);
	peer->index = index;
	peer->publisher = publisher;
	g_snprintf(peer->name, sizeof(peer->name), "%s%d", publisher ? "pub" : "sub", index);
	g_mutex_init(&peer->lock);
	g_cond_init(&peer->cond);
	peer->created_us = g_get_monotonic_time();
	peer->agent = nice_agent_new(media_ctx, NICE_COMPATIBILITY_RFC5245);
	g_object_set(peer->agent, "controlling-mode", publisher, "upnp", FALSE, NULL);
	if(local_address != NULL) {
		NiceAddress address;
		nice_address_init(&address);
		if(nice_address_set_from_string(&address, local_address))
			nice_agent_add_local_address(peer->agent, &address);
	}
	peer->stream_id = nice_agent_add_stream(peer->agent, 1);
	g_signal_connect(peer->agent, "candidate-gathering-done", G_CALLBACK(peer_on_gathered), peer);
	g_signal_connect(peer->agent, "component-state-changed", G_CALLBACK(peer_on_state), peer);
	nice_agent_attach_recv(peer->agent, peer->stream_id, 1, media_ctx, peer_on_receive, peer);
	peer->ssl = SSL_new(peer_ssl_ctx);
	BIO *rbio = BIO_new(BIO_s_mem()), *wbio = BIO_new(BIO_s_mem());
	BIO_set_mem_eof_return(rbio, -1);
	SSL_set_bio(peer->ssl, rbio, wbio);
	SSL_set_options(peer->ssl, SSL_OP_NO_QUERY_MTU);
	SSL_set_mtu(peer->ssl, 1200);
	peer->dtls_client = TRUE;
	return peer;
}

gboolean lc_peer_gather(lc_peer *peer, int timeout_ms) {
	if(!nice_agent_gather_candidates(peer->agent, peer->stream_id))
		return FALSE;
	gint64 deadline = g_get_monotonic_time() + timeout_ms * G_TIME_SPAN_MILLISECOND;
	g_mutex_lock(&peer->lock);
	while(!peer->gathered)
		if(!g_cond_wait_until(&peer->cond, &peer->lock, deadline))
			break;
	gboolean gathered = peer->gathered;
	g_mutex_unlock(&peer->lock);
	return gathered;
}

char *lc_peer_local_ice_lines(lc_peer *peer) {
	gchar *ufrag = NULL, *pwd = NULL;
	nice_agent_get_local_credentials(peer->agent, peer->stream_id, &ufrag, &pwd);
	GString *out = g_string_new(NULL);
	g_string_append_printf(out, "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n", ufrag, pwd);
	GSList *candidates = nice_agent_get_local_candidates(peer->agent, peer->stream_id, 1);
	for(GSList *l = candidates; l != NULL; l = l->next) {
		gchar *line = nice_agent_generate_local_candidate_sdp(peer->agent, l->data);
		g_string_append_printf(out, "%s%s\r\n", g_str_has_prefix(line, "a=") ? "" : "a=", line);
		g_free(line);
	}
	g_string_append(out, "a=end-of-candidates\r\n");
	g_slist_free_full(candidates, (GDestroyNotify)nice_candidate_free);
	g_free(ufrag);
	g_free(pwd);
	return g_string_free(out, FALSE);
}

gboolean lc_peer_set_remote(lc_peer *peer, const char *sdp) {
	char *ufrag = lc_sdp_attribute(sdp, "ice-ufrag"), *pwd = lc_sdp_attribute(sdp, "ice-pwd");
	char *fingerprint = lc_sdp_attribute(sdp, "fingerprint"), *setup = lc_sdp_attribute(sdp, "setup");
	gboolean ok = ufrag != NULL && pwd != NULL &&
		nice_agent_set_remote_credentials(peer->agent, peer->stream_id, ufrag, pwd);
	if(fingerprint != NULL) {
		const char *space = strchr(fingerprint, ' ');
		g_strlcpy(peer->remote_fingerprint, space ? space + 1 : fingerprint, sizeof(peer->remote_fingerprint));
	}
	/* The server's "active" makes us the DTLS server; actpass or passive, the client. */
	peer->dtls_client = setup == NULL || strcmp(setup, "active") != 0;
	if(peer->dtls_client)
		SSL_set_connect_state(peer->ssl);
	else
		SSL_set_accept_state(peer->ssl);
	GSList *candidates = NULL;
	gchar **lines = g_strsplit(sdp, "\n", -1);
	for(int i = 0; ok && lines[i] != NULL; i++) {
		g_strchomp(lines[i]);
		if(!g_str_has_prefix(lines[i], "a=candidate:"))
			continue;
		NiceCandidate *c = nice_agent_parse_remote_candidate_sdp(peer->agent, peer->stream_id, lines[i]);
		if(c != NULL && c->transport == NICE_CANDIDATE_TRANSPORT_UDP)
			candidates = g_slist_append(candidates, c);
		else if(c != NULL)
			nice_candidate_free(c);
	}
	g_strfreev(lines);
	peer->state = LC_PEER_ICE;
	if(ok && candidates == NULL)
		ok = FALSE;
	if(ok && nice_agent_set_remote_candidates(peer->agent, peer->stream_id, 1, candidates) <= 0)
		ok = FALSE;
	g_slist_free_full(candidates, (GDestroyNotify)nice_candidate_free);
	g_free(ufrag);
	g_free(pwd);
	g_free(fingerprint);
	g_free(setup);
	return ok;
}

/* ---------------------------------------------------------------- DTLS-SRTP */

static gboolean peer_fingerprint_matches(lc_peer *peer) {
	X509 *cert = SSL_get1_peer_certificate(peer->ssl);
	if(cert == NULL)
		return FALSE;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char text[128];
	X509_digest(cert, EVP_sha256(), md, &n);
	X509_free(cert);
	peer_format_fingerprint(md, n, text, sizeof(text));
	return peer->remote_fingerprint[0] == '\0' || g_ascii_strcasecmp(text, peer->remote_fingerprint) == 0;
}

static srtp_t peer_srtp_session(const unsigned char *key, const unsigned char *salt, srtp_ssrc_type_t type) {
	srtp_policy_t policy;
	unsigned char master[30];
	memset(&policy, 0, sizeof(policy));
	memcpy(master, key, 16);
	memcpy(master + 16, salt, 14);
	srtp_crypto_policy_set_rtp_default(&policy.rtp);
	srtp_crypto_policy_set_rtcp_default(&policy.rtcp);
	policy.ssrc.type = type;
	policy.key = master;
	policy.window_size = 1024;
	policy.allow_repeat_tx = 1;
	srtp_t session = NULL;
	if(srtp_create(&session, &policy) != srtp_err_status_ok)
		return NULL;
	return session;
}

static void peer_dtls_done(lc_peer *peer) {
	if(!peer_fingerprint_matches(peer)) {
		peer_fail(peer, "the server's DTLS certificate does not match the SDP fingerprint");
		return;
	}
	unsigned char km[60];
	if(SSL_export_keying_material(peer->ssl, km, sizeof(km), "EXTRACTOR-dtls_srtp", 19, NULL, 0, 0) != 1) {
		peer_fail(peer, "DTLS-SRTP key export failed");
		return;
	}
	const unsigned char *client_key = km, *server_key = km + 16, *client_salt = km + 32, *server_salt = km + 46;
	gboolean client = peer->dtls_client;
	peer->srtp_in = peer_srtp_session(client ? server_key : client_key, client ? server_salt : client_salt,
		ssrc_any_inbound);
	peer->srtp_out = peer_srtp_session(client ? client_key : server_key, client ? client_salt : server_salt,
		ssrc_any_outbound);
	if(peer->srtp_in == NULL || peer->srtp_out == NULL) {
		peer_fail(peer, "srtp_create failed");
		return;
	}
	peer->dtls_us = g_get_monotonic_time();
	peer->state = LC_PEER_UP;
	peer->next_rtcp_us = peer->dtls_us + 200000;
}

static void peer_dtls_incoming(lc_peer *peer, const char *buf, guint len) {
	BIO_write(SSL_get_rbio(peer->ssl), buf, len);
	if(!SSL_is_init_finished(peer->ssl)) {
		int r = SSL_do_handshake(peer->ssl);
		peer_dtls_flush(peer);
		if(r == 1)
			peer_dtls_done(peer);
		else if(SSL_get_error(peer->ssl, r) == SSL_ERROR_SSL)
			peer_fail(peer, "DTLS handshake failed");
		return;
	}
	char sink[2048];
	while(SSL_read(peer->ssl, sink, sizeof(sink)) > 0)
		;
	peer_dtls_flush(peer);
}

/* ---------------------------------------------------------------- RTP receiving */

static lc_rx_stream *peer_rx_stream(lc_peer *peer, guint32 ssrc, int pt) {
	for(guint i = 0; i < peer->rx_count; i++)
		if(peer->rx[i].ssrc == ssrc)
			return &peer->rx[i];
	if(peer->rx_count == LC_MAX_STREAMS)
		return NULL;
	lc_rx_stream *s = &peer->rx[peer->rx_count++];
	memset(s, 0, sizeof(*s));
	s->ssrc = ssrc;
	s->video = pt != LC_OPUS_PT;
	s->clock = s->video ? 90000 : 48000;
	s->local_ssrc = g_random_int();   /* a receiver's own SSRC per stream, as Chromium's */
	return s;
}

static guint64 peer_rx_extended_max(const lc_rx_stream *s) {
	return (guint64)s->cycles + s->max_seq;
}

static guint64 peer_rx_expected(const lc_rx_stream *s) {
	return s->started ? peer_rx_extended_max(s) - s->base_seq + 1 : 0;
}

static void peer_rx_queue_nacks(lc_rx_stream *s, guint16 from, guint16 to) {
	for(guint16 seq = from; seq != to && s->nack_count < LC_NACK_PENDING; seq++)
		s->nack[s->nack_count++] = seq;
}

/* RFC 3550 A.1 without probation, and A.8. */
static void peer_rx_update(lc_rx_stream *s, guint16 seq, guint32 ts, gint64 now_us, guint len) {
	s->received++;
	s->bytes += len;
	if(!s->started) {
		s->started = TRUE;
		s->base_seq = seq;
		s->max_seq = seq;
	} else {
		guint16 delta = seq - s->max_seq;
		if(delta > 0 && delta < 0x8000) {
			if(seq < s->max_seq)
				s->cycles += 65536;
			if(s->video && delta > 1 && delta <= LC_NACK_PENDING)   /* browsers NACK video only */
				peer_rx_queue_nacks(s, s->max_seq + 1, seq);
			s->max_seq = seq;
		} else {
			s->late++;
		}
	}
	gint64 arrival = now_us * (gint64)s->clock / 1000000;
	gint64 transit = arrival - (gint64)ts;
	if(s->received > 1) {
		gint64 d = transit - s->last_transit;
		if(d < 0)
			d = -d;
		s->jitter += ((double)d - s->jitter) / 16.0;
	}
	s->last_transit = transit;
}

static void peer_rtp_incoming(lc_peer *peer, const char *data, guint len) {
	guint8 buf[LC_MTU + 64];
	int n = len;
	lc_rtp_info rtp;
	if(len > LC_MTU || peer->srtp_in == NULL)
		return;
	if(peer_drop_fraction > 0 && g_random_double() < peer_drop_fraction)
		return;
	memcpy(buf, data, len);
	if(srtp_unprotect(peer->srtp_in, buf, &n) != srtp_err_status_ok) {
		peer->srtp_errors++;   /* a replay, or a packet that does not authenticate */
		return;
	}
	if(!lc_rtp_parse(buf, n, &rtp))
		return;
	lc_rx_stream *s = peer_rx_stream(peer, rtp.ssrc, rtp.pt);
	if(s == NULL)
		return;
	peer_rx_update(s, rtp.seq, rtp.ts, g_get_monotonic_time(), n);
	if(s->video && lc_rtp_vp8_keyframe(buf + rtp.payload, rtp.payload_len)) {
		s->keyframes++;
		s->keyframe_seen = TRUE;
	}
}

/* A sender report: its NTP time and arrival, for our next RR's LSR and DLSR. */
static void peer_sender_report(guint32 ssrc, guint32 lsr, gpointer data) {
	lc_peer *peer = data;
	for(guint i = 0; i < peer->rx_count; i++)
		if(peer->rx[i].ssrc == ssrc) {
			peer->rx[i].last_sr = lsr;
			peer->rx[i].last_sr_us = g_get_monotonic_time();
		}
}

/* A NACK from the server to a publisher: that packet again. */
static void peer_nacked(guint32 ssrc, guint16 seq, gpointer data) {
	lc_peer *peer = data;
	lc_clip_retransmit(peer, peer->sender, ssrc, seq);
}

static void peer_rtcp_incoming(lc_peer *peer, const char *data, guint len) {
	guint8 buf[LC_MTU + 64];
	int n = len;
	if(len > LC_MTU || peer->srtp_in == NULL)
		return;
	memcpy(buf, data, len);
	if(srtp_unprotect_rtcp(peer->srtp_in, buf, &n) != srtp_err_status_ok)
		return;
	if(peer->sender == NULL) {
		lc_rtcp_sender_reports(buf, n, peer_sender_report, peer);
		return;
	}
	if(lc_rtcp_wants_keyframe(buf, n)) {
		peer->sender->keyframe_requested = TRUE;
		peer->sender->keyframe_requests++;
	}
	lc_rtcp_nacks(buf, n, peer_nacked, peer);
}

static void peer_on_receive(NiceAgent *agent, guint stream_id, guint component_id, guint len,
		gchar *buf, gpointer data) {
	lc_peer *peer = data;
	if(len < 2)
		return;
	guint8 first = (guint8)buf[0];
	if(first >= 20 && first <= 63) {
		peer_dtls_incoming(peer, buf, len);
	} else if(first >= 128 && first <= 191) {
		guint8 pt = (guint8)buf[1];
		if(pt >= 192 && pt <= 223)
			peer_rtcp_incoming(peer, buf, len);
		else if(!peer->publisher)
			peer_rtp_incoming(peer, buf, len);
	}
}

/* ---------------------------------------------------------------- RTCP sending */

static guint8 *peer_put32(guint8 *p, guint32 v) {
	p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
	return p + 4;
}

static void peer_rtcp_header(guint8 *p, int count, int pt, int bytes) {
	p[0] = 0x80 | count;
	p[1] = pt;
	p[2] = (bytes / 4 - 1) >> 8;
	p[3] = (bytes / 4 - 1) & 0xff;
}

/* RR with the block of one stream, then SDES CNAME; returns the bytes written. One stream per
 * compound packet, as Chromium sends them: Janus files a compound packet under the medium of
 * its first report block (janus_rtcp_get_receiver_ssrc). `periodic`: the interval for the
 * fraction lost ends here (feedback between reports leaves it running). */
static int peer_write_rr_sdes(lc_peer *peer, guint8 *out, lc_rx_stream *s, gboolean periodic, gint64 now) {
	guint8 *p = peer_put32(out + 4, s->local_ssrc);
	guint64 expected = peer_rx_expected(s);
	gint64 lost = CLAMP((gint64)expected - (gint64)s->received, 0, 0x7fffff);
	guint64 expected_interval = expected - s->expected_prior;
	gint64 lost_interval = (gint64)expected_interval - (gint64)(s->received - s->received_prior);
	if(periodic) {
		s->expected_prior = expected;
		s->received_prior = s->received;
	}
	guint8 fraction = (expected_interval == 0 || lost_interval <= 0) ? 0 :
		(guint8)MIN(255, (lost_interval << 8) / (gint64)expected_interval);
	p = peer_put32(p, s->ssrc);
	p = peer_put32(p, ((guint32)fraction << 24) | (guint32)lost);
	p = peer_put32(p, (guint32)peer_rx_extended_max(s));
	p = peer_put32(p, (guint32)s->jitter);
	p = peer_put32(p, s->last_sr);
	p = peer_put32(p, s->last_sr_us ? (guint32)((now - s->last_sr_us) * 65536 / 1000000) : 0);
	peer_rtcp_header(out, 1, 201, p - out);
	/* SDES: one chunk, CNAME, then the end item and padding to a word */
	guint8 *sdes = p;
	size_t name = strlen(peer->name);
	p = peer_put32(sdes + 4, s->local_ssrc);
	*p++ = 1;
	*p++ = name;
	memcpy(p, peer->name, name);
	p += name;
	*p++ = 0;
	while((p - sdes) % 4)
		*p++ = 0;
	peer_rtcp_header(sdes, 1, 202, p - sdes);
	return p - out;
}

static int peer_write_pli(lc_peer *peer, guint8 *out, lc_rx_stream *s) {
	peer_rtcp_header(out, 1, 206, 12);
	peer_put32(out + 4, s->local_ssrc);
	peer_put32(out + 8, s->ssrc);
	return 12;
}

/* Generic NACK (RFC 4585 6.2.1): the pending sequence numbers as PID + BLP pairs. */
static int peer_write_nack(lc_peer *peer, guint8 *out, lc_rx_stream *s) {
	guint8 *p = peer_put32(out + 4, s->local_ssrc);
	p = peer_put32(p, s->ssrc);
	guint i = 0;
	while(i < s->nack_count) {
		guint16 pid = s->nack[i++];
		guint16 blp = 0;
		while(i < s->nack_count && (guint16)(s->nack[i] - pid) >= 1 && (guint16)(s->nack[i] - pid) <= 16) {
			blp |= 1 << ((guint16)(s->nack[i] - pid) - 1);
			i++;
		}
		p = peer_put32(p, ((guint32)pid << 16) | blp);
	}
	peer->nacks_sent += s->nack_count;   /* packets asked for, not FCI entries */
	s->nack_count = 0;
	peer_rtcp_header(out, 1, 205, p - out);
	return p - out;
}

void lc_peer_send_rtcp(lc_peer *peer, guint8 *buf, int len) {
	if(srtp_protect_rtcp(peer->srtp_out, buf, &len) != srtp_err_status_ok)
		return;
	peer->rtcp_sent++;
	if(peer_rtcp_delay_us <= 0) {
		nice_agent_send(peer->agent, peer->stream_id, 1, len, (const gchar *)buf);
		return;
	}
	/* held: peer_flush_rtcp sends it at the first tick past its due time (the peer owns it till then) */
	peer_held_rtcp *held = g_malloc(sizeof(peer_held_rtcp) + len);
	held->due_us = g_get_monotonic_time() + peer_rtcp_delay_us;
	held->len = len;
	memcpy(held->data, buf, len);
	if(peer->rtcp_held == NULL)
		peer->rtcp_held = g_queue_new();
	g_queue_push_tail(peer->rtcp_held, held);
}

/* Sends the held RTCP packets that are due (in order: one delay for all). */
static void peer_flush_rtcp(lc_peer *peer, gint64 now) {
	peer_held_rtcp *held;
	while(peer->rtcp_held != NULL && (held = g_queue_peek_head(peer->rtcp_held)) != NULL && held->due_us <= now) {
		g_queue_pop_head(peer->rtcp_held);
		nice_agent_send(peer->agent, peer->stream_id, 1, held->len, (const gchar *)held->data);
		g_free(held);
	}
}

/* A PLI when a video stream starts, then every second until its first keyframe. */
static gboolean peer_wants_pli(const lc_rx_stream *s, gint64 now) {
	return s->video && (s->plis == 0 || (!s->keyframe_seen && now - s->last_pli_us >= G_USEC_PER_SEC));
}

/* Once a second a report per stream; between them, NACKs and PLIs as they are needed, each in
 * a compound packet led by the stream's report (RFC 3550 6.1, RFC 4585 3.1). */
static void peer_rtcp_tick(lc_peer *peer, gint64 now) {
	gboolean report = now >= peer->next_rtcp_us;
	for(guint i = 0; i < peer->rx_count; i++) {
		lc_rx_stream *s = &peer->rx[i];
		gboolean pli = peer_wants_pli(s, now);
		if(!report && !pli && s->nack_count == 0)
			continue;
		guint8 buf[LC_MTU + 64];
		int len = peer_write_rr_sdes(peer, buf, s, report, now);
		if(s->nack_count > 0)
			len += peer_write_nack(peer, buf + len, s);
		if(pli) {
			len += peer_write_pli(peer, buf + len, s);
			s->last_pli_us = now;
			s->plis++;
			peer->plis_sent++;
		}
		lc_peer_send_rtcp(peer, buf, len);
	}
	if(report)
		peer->next_rtcp_us = now + G_USEC_PER_SEC;
}

void lc_peer_send_rtp(lc_peer *peer, guint8 *buf, int len) {
	if(srtp_protect(peer->srtp_out, buf, &len) != srtp_err_status_ok)
		return;
	nice_agent_send(peer->agent, peer->stream_id, 1, len, (const gchar *)buf);
}

/* ---------------------------------------------------------------- statistics */

void lc_peer_counts(const lc_peer *peer, lc_counts *out) {
	memset(out, 0, sizeof(*out));
	for(guint i = 0; i < peer->rx_count; i++) {
		const lc_rx_stream *s = &peer->rx[i];
		if(s->video) {
			out->video_packets += s->received;
			out->video_bytes += s->bytes;
			out->video_expected += peer_rx_expected(s);
			out->video_streams += s->received > 0;
		} else {
			out->audio_packets += s->received;
			out->audio_bytes += s->bytes;
			out->audio_expected += peer_rx_expected(s);
		}
		out->keyframes += s->keyframes;
		out->late += s->late;
	}
	out->srtp_errors = peer->srtp_errors;
	out->nacks = peer->nacks_sent;
	out->plis = peer->plis_sent;
	out->rtcp = peer->rtcp_sent;
}

void lc_peer_jitter_ms(const lc_peer *peer, GArray *video, GArray *audio) {
	for(guint i = 0; i < peer->rx_count; i++) {
		const lc_rx_stream *s = &peer->rx[i];
		double ms = s->jitter * 1000.0 / s->clock;
		g_array_append_val(s->video ? video : audio, ms);
	}
}

/* ---------------------------------------------------------------- the media thread */

static gboolean media_tick(gpointer unused) {
	gint64 now = g_get_monotonic_time();
	for(guint i = 0; i < media_peers->len; i++) {
		lc_peer *peer = g_ptr_array_index(media_peers, i);
		if(peer->state == LC_PEER_DTLS && SSL_get_rbio(peer->ssl) != NULL) {
			if(DTLSv1_handle_timeout(peer->ssl) > 0)
				peer_dtls_flush(peer);
			if(now - peer->ice_us > 20 * G_USEC_PER_SEC)
				peer_fail(peer, "DTLS handshake timed out");
		} else if(peer->state == LC_PEER_ICE && now - peer->created_us > 60 * G_USEC_PER_SEC) {
			peer_fail(peer, "ICE timed out");
		}
		if(peer->state != LC_PEER_UP)
			continue;
		peer_flush_rtcp(peer, now);
		if(peer->sender != NULL)
			lc_clip_send_due(peer, peer->sender, now);
		else
			peer_rtcp_tick(peer, now);
	}
	return G_SOURCE_CONTINUE;
}

static gpointer media_thread(gpointer loop) {
	g_main_loop_run(loop);
	return NULL;
}

GMainContext *lc_media_context(void) {
	if(media_ctx == NULL)
		media_ctx = g_main_context_new();
	return media_ctx;
}

void lc_media_start(void) {
	GMainContext *ctx = lc_media_context();
	media_peers = g_ptr_array_new();
	GSource *tick = g_timeout_source_new(LC_TICK_MS);
	g_source_set_callback(tick, media_tick, NULL, NULL);
	g_source_attach(tick, ctx);
	g_source_unref(tick);
	g_thread_new("lc-media", media_thread, g_main_loop_new(ctx, FALSE));
}

typedef struct media_call {
	void (*func)(gpointer);
	gpointer data;
	GMutex lock;
	GCond cond;
	gboolean done;
} media_call;

static gboolean media_call_run(gpointer data) {
	media_call *call = data;
	call->func(call->data);
	g_mutex_lock(&call->lock);
	call->done = TRUE;
	g_cond_signal(&call->cond);
	g_mutex_unlock(&call->lock);
	return G_SOURCE_REMOVE;
}

void lc_media_call(void (*func)(gpointer), gpointer data) {
	media_call call = {.func = func, .data = data};
	g_mutex_init(&call.lock);
	g_cond_init(&call.cond);
	g_main_context_invoke(media_ctx, media_call_run, &call);
	g_mutex_lock(&call.lock);
	while(!call.done)
		g_cond_wait(&call.cond, &call.lock);
	g_mutex_unlock(&call.lock);
	g_mutex_clear(&call.lock);
	g_cond_clear(&call.cond);
}

static void media_add(gpointer peer) {
	g_ptr_array_add(media_peers, peer);
}

void lc_media_add_peer(lc_peer *peer) {
	lc_media_call(media_add, peer);
}
