/*
 * sdp.c - the SDP a load client reads and writes (sdp.h).
 *
 * Reads only what it needs from the server's SDP (attributes by name, the m-lines' kind, mid,
 * direction, payload type, rtpmap and fmtp) and writes a minimal, BUNDLEd, rtcp-mux answer or
 * offer (docs/protocol.md: VP8 on 96 and Opus on 111 in every subscriber offer; a publisher's
 * simulcast as an SSRC group, `a=ssrc-group:SIM` smallest layer first, as Janus reads it).
 * Candidates go in the first m-line only (one transport for all). Strings returned are g_free'd
 * by the caller.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sdp.h"

char *lc_sdp_attribute(const char *sdp, const char *name) {
	char *prefix = g_strdup_printf("a=%s:", name);
	char *value = NULL;
	gchar **lines = g_strsplit(sdp, "\n", -1);
	for(int i = 0; lines[i] != NULL && value == NULL; i++) {
		g_strchomp(lines[i]);
		if(g_str_has_prefix(lines[i], prefix))
			value = g_strdup(lines[i] + strlen(prefix));
	}
	g_strfreev(lines);
	g_free(prefix);
	return value;
}

typedef struct sdp_mline {
	char kind[16];
	char mid[32];
	int pt;
	gboolean inactive;
	GString *codec_lines;      /* rtpmap and fmtp of pt, copied */
} sdp_mline;

static GArray *sdp_mlines(const char *offer) {
	GArray *out = g_array_new(FALSE, TRUE, sizeof(sdp_mline));
	gchar **lines = g_strsplit(offer, "\n", -1);
	sdp_mline *m = NULL;
	for(int i = 0; lines[i] != NULL; i++) {
		char *l = g_strchomp(lines[i]);
		if(g_str_has_prefix(l, "m=")) {
			sdp_mline fresh = {.pt = -1, .codec_lines = g_string_new(NULL)};
			int port = 0;
			sscanf(l + 2, "%15s %d %*s %d", fresh.kind, &port, &fresh.pt);
			fresh.inactive = port == 0;
			g_array_append_val(out, fresh);
			m = &g_array_index(out, sdp_mline, out->len - 1);
		} else if(m == NULL) {
			continue;
		} else if(g_str_has_prefix(l, "a=mid:")) {
			g_strlcpy(m->mid, l + 6, sizeof(m->mid));
		} else if(!strcmp(l, "a=inactive")) {
			m->inactive = TRUE;
		} else if(g_str_has_prefix(l, "a=rtpmap:") || g_str_has_prefix(l, "a=fmtp:")) {
			int pt = atoi(strchr(l, ':') + 1);
			if(pt == m->pt)
				g_string_append_printf(m->codec_lines, "%s\r\n", l);
		}
	}
	g_strfreev(lines);
	return out;
}

static void sdp_session_header(GString *out, const char *bundle) {
	g_string_append_printf(out, "v=0\r\no=- %u 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n", g_random_int() & 0x7fffffff);
	g_string_append_printf(out, "a=group:BUNDLE%s\r\na=msid-semantic: WMS *\r\n", bundle);
}

static void sdp_transport(GString *out, const char *kind, int pt, const char *ice_lines,
		const char *fingerprint, const char *setup) {
	g_string_append_printf(out, "m=%s 9 UDP/TLS/RTP/SAVPF %d\r\nc=IN IP4 0.0.0.0\r\n", kind, pt);
	g_string_append_printf(out, "a=fingerprint:sha-256 %s\r\na=setup:%s\r\n", fingerprint, setup);
	if(ice_lines != NULL)
		g_string_append(out, ice_lines);
}

char *lc_sdp_answer(const char *offer, const char *ice_lines, const char *fingerprint) {
	GArray *mlines = sdp_mlines(offer);
	GString *bundle = g_string_new(NULL), *out = g_string_new(NULL);
	for(guint i = 0; i < mlines->len; i++)
		g_string_append_printf(bundle, " %s", g_array_index(mlines, sdp_mline, i).mid);
	sdp_session_header(out, bundle->str);
	/* The ICE credentials on every m-line (they are per transport, and BUNDLE shares one);
	 * the candidates on the first. */
	char *credentials = g_strndup(ice_lines, strstr(ice_lines, "a=candidate") ?
		(gsize)(strstr(ice_lines, "a=candidate") - ice_lines) : strlen(ice_lines));
	for(guint i = 0; i < mlines->len; i++) {
		sdp_mline *m = &g_array_index(mlines, sdp_mline, i);
		sdp_transport(out, m->kind, m->pt, i == 0 ? ice_lines : credentials, fingerprint, "active");
		g_string_append_printf(out, "a=mid:%s\r\na=%s\r\na=rtcp-mux\r\n", m->mid, m->inactive ? "inactive" : "recvonly");
		g_string_append(out, m->codec_lines->str);
		if(!strcmp(m->kind, "video"))
			g_string_append_printf(out, "a=rtcp-fb:%d nack\r\na=rtcp-fb:%d nack pli\r\n", m->pt, m->pt);
		g_string_free(m->codec_lines, TRUE);
	}
	g_free(credentials);
	g_array_free(mlines, TRUE);
	g_string_free(bundle, TRUE);
	return g_string_free(out, FALSE);
}

char *lc_sdp_offer(guint32 audio_ssrc, const guint32 *video_ssrc, guint layers, const char *ice_lines,
		const char *fingerprint, gboolean audio) {
	GString *out = g_string_new(NULL);
	sdp_session_header(out, " 0 1");
	/* "active": the server answers passive and is the DTLS server, so we are always a client. */
	sdp_transport(out, "audio", LC_OPUS_PT, ice_lines, fingerprint, "active");
	g_string_append_printf(out, "a=mid:0\r\na=%s\r\na=rtcp-mux\r\n"
		"a=extmap:%d urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
		"a=rtpmap:%d opus/48000/2\r\na=fmtp:%d minptime=10;useinbandfec=1\r\n",
		audio ? "sendonly" : "inactive", LC_AUDIO_LEVEL_EXT, LC_OPUS_PT, LC_OPUS_PT);
	if(audio)
		g_string_append_printf(out, "a=ssrc:%u cname:rtk-load\r\na=ssrc:%u msid:rtk-load audio\r\n",
			audio_ssrc, audio_ssrc);
	char *credentials = g_strndup(ice_lines, strstr(ice_lines, "a=candidate") ?
		(gsize)(strstr(ice_lines, "a=candidate") - ice_lines) : strlen(ice_lines));
	sdp_transport(out, "video", LC_VP8_PT, credentials, fingerprint, "active");
	g_free(credentials);
	g_string_append_printf(out, "a=mid:1\r\na=sendonly\r\na=rtcp-mux\r\na=rtpmap:%d VP8/90000\r\n"
		"a=rtcp-fb:%d nack\r\na=rtcp-fb:%d nack pli\r\na=rtcp-fb:%d ccm fir\r\n",
		LC_VP8_PT, LC_VP8_PT, LC_VP8_PT, LC_VP8_PT);
	if(layers > 1) {
		g_string_append(out, "a=ssrc-group:SIM");
		for(guint l = 0; l < layers; l++)
			g_string_append_printf(out, " %u", video_ssrc[l]);
		g_string_append(out, "\r\n");
	}
	for(guint l = 0; l < layers; l++)
		g_string_append_printf(out, "a=ssrc:%u cname:rtk-load\r\na=ssrc:%u msid:rtk-load video\r\n",
			video_ssrc[l], video_ssrc[l]);
	return g_string_free(out, FALSE);
}
