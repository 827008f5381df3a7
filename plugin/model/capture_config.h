/*
 * capture_config.h - what a recording is asked to write: the SDK's
 * RecordingConfig ({videoConfig: {codec, width, height}, audioConfig,
 * fileNamePrefix}) or the REST body of POST /v2/recordings ({video_config,
 * audio_config, file_name_prefix, max_seconds}), checked and turned into
 * the companion's options (its --format, which is also the file's
 * extension, and --channels).
 *
 * Plain C + GLib + Jansson (the meeting model's rules; no Janus), so a unit
 * test drives it: tests/unit/test_capture_config.c.
 */
#ifndef RTK_CAPTURE_CONFIG_H
#define RTK_CAPTURE_CONFIG_H

#include <glib.h>
#include <jansson.h>
#include "errors.h"

/* What a recording writes (the SDK's RecordingConfig, REST video_config). */
typedef struct rtk_recording_config {
	gboolean vp8;               /* VP8 + Opus in WebM; else H.264 + AAC in MP4 */
	int width, height;          /* 1..1920 */
	char file_name_prefix[64];
	int max_seconds;            /* 0: no limit */
	gboolean audio_only;        /* video_config.export_file false: the mixed audio alone */
	gboolean mp3;               /* audio_config.codec MP3 (audio only): MP3; else AAC in M4A */
	int channels;               /* audio_config.channel: 1 mono, 2 stereo */
	int audio_export;           /* audio_config.export_file as asked: -1 not given, 0, 1 (echoed only) */
	/* video_config.watermark: url "" for none; else http(s):// or data:
	 * (the companion fetches it: rtk-recorder --watermark); size 0x0 for
	 * the image's own; position "left top" (default), "right top",
	 * "left bottom" or "right bottom" */
	char watermark_url[8192];
	int watermark_width, watermark_height;
	char watermark_position[16];
	char layout[16];            /* video_config.layout: "GRID" (default), "ACTIVE_SPEAKER" or "PRESENTATION"
	                               (rtk-recorder --layout; media/layout.h says what each shows) */
	char rtmp_url[1024];        /* live_streaming_config.rtmp_url: "" or an rtmp:// / rtmps:// URL the
	                               composite is also pushed to (rtk-recorder --rtmp) */
	/* storage_config (REST with the API key only): where the finished file
	 * is uploaded, S3-compatible (type aws or digitalocean); type[0] == 0:
	 * none. access_key and secret are never shown back. */
	struct {
		char type[16], bucket[256], region[64], path[512], host[256];
		char access_key[256], secret[256];
	} storage;
} rtk_recording_config;

/* Encode once (docs/companions.md "Encode once"): whether a recording
 * with `config` may share one companion, and its composite and encoder,
 * with the meeting's livestream: H.264 + AAC in MP4 (not VP8, not audio
 * only), stereo, no watermark (it would be drawn on the livestream too) and
 * no RTMP push. It then shares with a livestream whose main (and only)
 * rendition has the recording's width and height; both run at 25 fps with
 * the livestream's 2 s IDR cadence. `enabled` is RTK_ENCODE_ONCE's (not
 * "0"): FALSE never shares. */
gboolean rtk_recording_config_shareable(const rtk_recording_config *config, gboolean enabled);
/* Whether RTK_ENCODE_ONCE (`value`, NULL when unset) enables sharing: all
 * but "0". */
gboolean rtk_encode_once_enabled(const char *value);

/* Defaults: H264, 1280x720, GRID, stereo, no prefix, no limit. */
void rtk_recording_config_default(rtk_recording_config *config);
/* Reads the SDK's {videoConfig:{codec,width,height,export_file},
 * audioConfig:{codec,channel,export_file}, fileNamePrefix} or the REST
 * {video_config, audio_config, file_name_prefix, max_seconds} (both
 * spellings accepted) over the defaults. The reference's enums:
 * audio_config.codec "AAC" or "MP3" (MP3 only for an audio-only
 * recording; a VP8 recording's audio is Opus whatever is asked),
 * channel "mono" or "stereo" (1 and 2 too); video_config.export_file false
 * makes the recording audio-only; video_config.layout (ours, not the
 * reference's) "GRID", "ACTIVE_SPEAKER" or "PRESENTATION". FALSE with
 * RTK_ERR_RECORDING_CONFIG. */
gboolean rtk_recording_config_parse(const json_t *json, rtk_recording_config *config, rtk_refusal *why);
/* The recording defaults of a meeting (its REST object): the defaults
 * above under its recording_config (docs/rest.md, "Meetings"), when it has
 * one, its storage_config included when complete (else the file stays
 * local). FALSE with RTK_ERR_RECORDING_CONFIG, and *config the plain
 * defaults, when that does not parse (the REST layer refuses such
 * configs, so only a store written by hand has one). */
gboolean rtk_recording_config_for_meeting(const json_t *meeting, rtk_recording_config *config, rtk_refusal *why);

/* The reference's storage_config {type, bucket, region, access_key,
 * secret, path, host} over `config` (NULL or null: none). type "aws" or
 * "digitalocean" (S3 with SigV4); the reference's other types (azure, gcs,
 * sftp) are refused; bucket, region, access_key and secret are required;
 * host (an S3-compatible server: http:// or https:// URL or a host name)
 * is optional. Only the REST API with the API key may give one: a
 * participant's config never reaches this. FALSE with RTK_ERR_RECORDING_CONFIG. */
gboolean rtk_recording_config_parse_storage(const json_t *json, rtk_recording_config *config, rtk_refusal *why);
/* The storage_config a recording shows: {type, bucket, region, path, host}
 * without the credentials (NEW), or NULL when there is none. With
 * `credentials`, access_key and secret too (for the uploader). */
json_t *rtk_recording_config_storage_json(const rtk_recording_config *config, gboolean credentials);

/* Whether `s` is a layout's name: GRID, ACTIVE_SPEAKER or PRESENTATION
 * (media/layout.h's names; livestreams take them too). */
gboolean rtk_recording_config_layout_ok(const char *s);

/* The companion's --format and the file's extension: "mp4", "webm", or
 * for audio only "m4a" or "mp3". Static. */
const char *rtk_recording_config_format(const rtk_recording_config *config);

#endif
