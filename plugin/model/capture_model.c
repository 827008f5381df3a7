/*
 * capture_model.c - a recording's or livestream's state machine, REST
 * object and SDK events (capture_model.h). No Janus, no I/O: the caller
 * carries out the effects a transition returns.
 */
#include <string.h>

#include "capture_model.h"

rtk_capture_model *rtk_capture_model_new(rtk_capture_kind kind, const char *id, const char *meeting_id,
		const char *session_id, gint64 seq, const char *now) {
	rtk_capture_model *m = g_new0(rtk_capture_model, 1);
	m->kind = kind;
	m->id = g_strdup(id);
	m->meeting_id = g_strdup(meeting_id);
	m->session_id = g_strdup(session_id);
	m->seq = seq;
	m->doc = json_pack("{ss ss ss* so so}", "id", id, "meeting_id", meeting_id, "session_id", session_id,
		"invoked_time", now ? json_string(now) : json_null(), "download_url", json_null());
	return m;
}

void rtk_capture_model_free(rtk_capture_model *m) {
	if(m == NULL)
		return;
	json_decref(m->doc);
	json_decref(m->storage);
	g_free(m->id);
	g_free(m->meeting_id);
	g_free(m->session_id);
	g_free(m->notified);
	g_free(m);
}

static void capture_model_set(rtk_capture_model *m, const char *key, json_t *value) {
	json_object_set_new(m->doc, key, value);
}

static json_t *capture_model_string_or_null(const char *text) {
	return text ? json_string(text) : json_null();
}

/* The reference's caller: a participant {type: USER, user_Id, name}, the
 * REST API {type: ORGANIZATION}; NULL for the server itself (no caller). */
static json_t *capture_model_caller(const rtk_capture_caller *caller) {
	if(caller == NULL)
		return NULL;
	if(caller->user_id != NULL || caller->peer_id != NULL)
		return json_pack("{ss ss* ss*}", "type", "USER", "user_Id", caller->user_id, "name", caller->name);
	return json_pack("{ss}", "type", "ORGANIZATION");
}

const char *rtk_capture_public_reason(const char *cause) {
	static const char *const map[][2] = {
		{ "STARTED_BY_USER", "API_CALL" }, { "STOPPED_BY_USER", "API_CALL" }, { "MAX_DURATION", "API_CALL" },
		{ "RECORD_ON_START", "RECORD_ON_START" }, { "LIVE_STREAM_ON_START", "LIVE_STREAM_ON_START" },
		{ "ALL_PEERS_LEFT", "ALL_PEERS_LEFT" },
	};
	for(size_t i = 0; cause != NULL && i < G_N_ELEMENTS(map); i++)
		if(!strcmp(cause, map[i][0]))
			return map[i][1];
	return "INTERNAL_ERROR";
}

/* {reason, detail?, caller?}: `reason` from the reference's enums
 * (rtk_capture_public_reason), `detail` our own cause when it says more. */
static json_t *capture_model_reason(const char *cause, json_t *caller) {
	const char *reason = rtk_capture_public_reason(cause);
	json_t *r = json_pack("{ss}", "reason", reason);
	if(strcmp(reason, cause) && strcmp(cause, "STARTED_BY_USER") && strcmp(cause, "STOPPED_BY_USER"))
		json_object_set_new(r, "detail", json_string(cause));
	if(caller != NULL)
		json_object_set_new(r, "caller", caller);
	return r;
}

/* ---- the REST object of a new capture ---- */

void rtk_capture_model_recording_invoked(rtk_capture_model *m, const rtk_recording_config *config,
		gboolean allow_multiple, const char *file_name, const rtk_capture_caller *caller) {
	m->allow_multiple = allow_multiple;
	m->max_seconds = config->max_seconds;
	capture_model_set(m, "status", json_string("INVOKED"));
	capture_model_set(m, "output_file_name", json_string(file_name));
	capture_model_set(m, "file_name_prefix",
		config->file_name_prefix[0] ? json_string(config->file_name_prefix) : json_null());
	json_t *video = json_pack("{sssisisbss}", "codec", config->vp8 ? "VP8" : "H264",
		"width", config->width, "height", config->height, "export_file", !config->audio_only,
		"layout", config->layout[0] ? config->layout : "GRID");
	if(config->watermark_url[0])
		json_object_set_new(video, "watermark", json_pack("{s:s, s:o?, s:s}", "url", config->watermark_url,
			"size", config->watermark_width > 0 ? json_pack("{sisi}", "width", config->watermark_width,
				"height", config->watermark_height) : NULL, "position", config->watermark_position));
	capture_model_set(m, "video_config", video);
	/* the audio written: Opus beside VP8, MP3 or AAC alone, else AAC */
	const char *acodec = config->audio_only ? (config->mp3 ? "MP3" : "AAC") : config->vp8 ? "OPUS" : "AAC";
	capture_model_set(m, "audio_config", json_pack("{ssss so}", "codec", acodec,
		"channel", config->channels == 1 ? "mono" : "stereo",
		"export_file", config->audio_export < 0 ? json_null() : json_boolean(config->audio_export)));
	capture_model_set(m, "max_seconds", config->max_seconds ? json_integer(config->max_seconds) : json_null());
	json_t *storage = rtk_recording_config_storage_json(config, FALSE);
	capture_model_set(m, "storage_config", storage ? storage : json_null());
	json_decref(m->storage);
	m->storage = rtk_recording_config_storage_json(config, TRUE);
	capture_model_set(m, "allow_multiple_recordings", json_boolean(allow_multiple));
	capture_model_set(m, "start_reason", capture_model_reason("STARTED_BY_USER", capture_model_caller(caller)));
	capture_model_set(m, "stop_reason", json_null());
	capture_model_set(m, "started_time", json_null());
	capture_model_set(m, "stopped_time", json_null());
	capture_model_set(m, "recording_duration", json_integer(0));
	capture_model_set(m, "file_size", json_null());
}

void rtk_capture_model_livestream_invoked(rtk_capture_model *m, const char *name, const char *playback_url,
		const rtk_capture_caller *caller) {
	capture_model_set(m, "status", json_string("INVOKED"));
	capture_model_set(m, "name", capture_model_string_or_null(name));
	capture_model_set(m, "playback_url", capture_model_string_or_null(playback_url));
	capture_model_set(m, "start_reason", capture_model_reason("STARTED_BY_USER", capture_model_caller(caller)));
	capture_model_set(m, "started_time", json_null());
	capture_model_set(m, "stopped_time", json_null());
	capture_model_set(m, "viewer_count", json_integer(0));
}

rtk_capture_effects rtk_capture_model_started_automatically(rtk_capture_model *m, const char *reason) {
	capture_model_set(m, "start_reason", capture_model_reason(reason, NULL));
	return RTK_CAPTURE_STORE;
}

/* ---- transitions ---- */

gboolean rtk_capture_model_running(const rtk_capture_model *m) {
	return m->state == RTK_CAPTURE_STARTING || m->state == RTK_CAPTURE_ACTIVE || m->state == RTK_CAPTURE_PAUSED;
}

rtk_capture_effects rtk_capture_model_on_air(rtk_capture_model *m, const char *now) {
	if(m->state != RTK_CAPTURE_STARTING)
		return 0;
	m->state = RTK_CAPTURE_ACTIVE;
	capture_model_set(m, "status", json_string(m->kind == RTK_CAPTURE_RECORDING ? "RECORDING" : "LIVE"));
	capture_model_set(m, "started_time", capture_model_string_or_null(now));
	return RTK_CAPTURE_STORE | RTK_CAPTURE_ANNOUNCE;
}

rtk_capture_effects rtk_capture_model_stop(rtk_capture_model *m, const char *reason, const rtk_capture_caller *caller) {
	if(!rtk_capture_model_running(m))
		return 0;
	m->state = RTK_CAPTURE_STOPPING;
	json_t *who = capture_model_caller(caller);
	if(who == NULL && !strcmp(reason, "MAX_DURATION")) {   /* the limit its starter set */
		json_t *start = json_object_get(json_object_get(m->doc, "start_reason"), "caller");
		who = start ? json_deep_copy(start) : NULL;
	}
	capture_model_set(m, "stop_reason", capture_model_reason(reason, who));
	if(m->kind == RTK_CAPTURE_RECORDING)
		capture_model_set(m, "status", json_string("UPLOADING"));
	return RTK_CAPTURE_SEND_STOP | RTK_CAPTURE_STORE | RTK_CAPTURE_ANNOUNCE;
}

rtk_capture_effects rtk_capture_model_apply(rtk_capture_model *m, rtk_capture_action action,
		const rtk_capture_caller *caller) {
	switch(action) {
	case RTK_CAPTURE_STOP:
		return rtk_capture_model_stop(m, "STOPPED_BY_USER", caller);
	case RTK_CAPTURE_PAUSE:
		if(m->kind != RTK_CAPTURE_RECORDING || m->state != RTK_CAPTURE_ACTIVE)
			return 0;
		m->state = RTK_CAPTURE_PAUSED;
		capture_model_set(m, "status", json_string("PAUSED"));
		return RTK_CAPTURE_SEND_PAUSE | RTK_CAPTURE_STORE | RTK_CAPTURE_ANNOUNCE;
	case RTK_CAPTURE_RESUME:
		if(m->state != RTK_CAPTURE_PAUSED)
			return 0;
		m->state = RTK_CAPTURE_ACTIVE;
		capture_model_set(m, "status", json_string("RECORDING"));
		return RTK_CAPTURE_SEND_RESUME | RTK_CAPTURE_STORE | RTK_CAPTURE_ANNOUNCE;
	}
	return 0;
}

rtk_capture_effects rtk_capture_model_progress(rtk_capture_model *m, double output_s) {
	rtk_capture_effects effects = 0;
	m->output_s = output_s;
	if(m->kind == RTK_CAPTURE_RECORDING) {
		capture_model_set(m, "recording_duration", json_integer((json_int_t)output_s));
		effects |= RTK_CAPTURE_STORE;
	}
	if(m->max_seconds > 0 && output_s >= m->max_seconds)
		effects |= rtk_capture_model_stop(m, "MAX_DURATION", NULL);
	return effects;
}

rtk_capture_effects rtk_capture_model_finished(rtk_capture_model *m, gboolean clean, const char *why,
		gint64 file_size, const char *now) {
	if(m->kind == RTK_CAPTURE_RECORDING) {
		m->upload_pending = clean && m->storage != NULL && file_size > 0;
		capture_model_set(m, "status", json_string(m->upload_pending ? "UPLOADING" : clean ? "UPLOADED" : "ERRORED"));
		capture_model_set(m, "file_size", file_size >= 0 ? json_integer(file_size) : json_null());
		capture_model_set(m, "recording_duration", json_integer((json_int_t)m->output_s));
	} else {
		capture_model_set(m, "status", json_string(clean ? "IDLE" : "ERRORED"));
	}
	if(!clean) {
		capture_model_set(m, "error", capture_model_string_or_null(why));
		if(json_is_null(json_object_get(m->doc, "stop_reason")))
			capture_model_set(m, "stop_reason", capture_model_reason("INTERNAL_ERROR", NULL));
	}
	capture_model_set(m, "stopped_time", capture_model_string_or_null(now));
	m->state = RTK_CAPTURE_DONE;
	return RTK_CAPTURE_STORE | RTK_CAPTURE_ANNOUNCE;
}

void rtk_capture_model_uploaded(json_t *doc, const char *error) {
	json_object_set_new(doc, "status", json_string(error ? "ERRORED" : "UPLOADED"));
	if(error != NULL) {
		char *text = g_strdup_printf("upload failed: %s", error);
		json_object_set_new(doc, "error", json_string(text));
		g_free(text);
	}
}

rtk_capture_effects rtk_capture_model_set_viewers(rtk_capture_model *m, int viewers) {
	if(viewers == m->viewers)
		return 0;
	m->viewers = viewers;
	capture_model_set(m, "viewer_count", json_integer(viewers));
	return RTK_CAPTURE_STORE | RTK_CAPTURE_VIEWERS;   /* GET /v2/livestreams/{id} reads the store */
}

const char *rtk_capture_model_sdk_state(const rtk_capture_model *m) {
	switch(m->state) {
	case RTK_CAPTURE_STARTING: return "STARTING";
	case RTK_CAPTURE_ACTIVE: return m->kind == RTK_CAPTURE_RECORDING ? "RECORDING" : "LIVESTREAMING";
	case RTK_CAPTURE_PAUSED: return "PAUSED";
	case RTK_CAPTURE_STOPPING: return "STOPPING";
	default: return "IDLE";
	}
}

/* ---- persisting and webhooks ---- */

void rtk_capture_model_take_write(rtk_capture_model *m, rtk_capture_write *write) {
	const char *status = json_string_value(json_object_get(m->doc, "status"));
	write->kind = m->kind;
	write->doc = json_deep_copy(m->doc);
	write->create = !m->stored;
	write->notify = status != NULL && g_strcmp0(status, m->notified) != 0;
	m->stored = TRUE;
	if(write->notify) {
		g_free(m->notified);
		m->notified = g_strdup(status);
	}
}

const char *rtk_capture_webhook_event(rtk_capture_kind kind) {
	return kind == RTK_CAPTURE_RECORDING ? "recording.statusUpdate" : "livestreaming.statusUpdate";
}

json_t *rtk_capture_webhook_data(const rtk_capture_write *write) {
	const json_t *doc = write->doc;
	if(write->kind != RTK_CAPTURE_RECORDING) {
		/* RealtimeKit's {streamId, status}: a livestream that ended is OFFLINE */
		const char *status = json_string_value(json_object_get(doc, "status"));
		return json_pack("{sO* ss?}", "streamId", json_object_get(doc, "id"),
			"status", g_strcmp0(status, "IDLE") == 0 ? "OFFLINE" : status);
	}
	json_t *meeting = json_pack("{sO* sO*}", "id", json_object_get(doc, "meeting_id"),
		"sessionId", json_object_get(doc, "session_id"));
	json_t *recording = json_pack("{sO* sO* sO* sO* sO* sO* sO* sO* sO* sn}",
		"id", json_object_get(doc, "id"),
		"recordingId", json_object_get(doc, "id"),
		"meetingId", json_object_get(doc, "meeting_id"),
		"roomUUID", json_object_get(doc, "session_id"),
		"status", json_object_get(doc, "status"),
		"startedTime", json_object_get(doc, "started_time"),
		"stoppedTime", json_object_get(doc, "stopped_time"),
		"fileSize", json_object_get(doc, "file_size"),
		"outputFileName", json_object_get(doc, "output_file_name"),
		"downloadUrlExpiry");
	const json_t *tracks = json_object_get(doc, "tracks");
	if(json_is_array(tracks)) {   /* a per-track recording: its files, downloaded from its REST object */
		json_t *files = json_array();
		size_t i;
		const json_t *t;
		json_array_foreach(tracks, i, t)
			json_array_append_new(files, json_pack("{sO* sO* sO* sO* sO*}",
				"participantId", json_object_get(t, "participant_id"),
				"customParticipantId", json_object_get(t, "custom_participant_id"),
				"kind", json_object_get(t, "kind"), "fileName", json_object_get(t, "file_name"),
				"fileSize", json_object_get(t, "file_size")));
		json_object_set_new(recording, "recordingType", json_string("TRACK"));
		json_object_set_new(recording, "tracks", files);
	}
	return json_pack("{soso}", "meeting", meeting, "recording", recording);
}

/* ---- rules and events across captures ---- */

gboolean rtk_capture_models_may_record(GPtrArray *recordings, gboolean allow_multiple, rtk_refusal *why) {
	for(guint i = 0; i < recordings->len; i++) {
		const rtk_capture_model *m = g_ptr_array_index(recordings, i);
		if(!m->tracks && rtk_capture_model_running(m) && (!allow_multiple || !m->allow_multiple)) {
			rtk_refusal_set(why, RTK_ERR_RECORDING_ACTIVE, "a recording is already running; parallel recordings "
				"need allowMultiple on the first one and on this one");
			return FALSE;
		}
	}
	return TRUE;
}

json_t *rtk_capture_models_recording_event(GPtrArray *recordings) {
	json_t *list = json_array();
	const char *state = "IDLE";
	gint64 newest = -1;
	for(guint i = 0; i < recordings->len; i++) {
		const rtk_capture_model *m = g_ptr_array_index(recordings, i);
		if(m->state == RTK_CAPTURE_DONE)
			continue;
		json_array_append_new(list, json_pack("{ssss}", "id", m->id, "state", rtk_capture_model_sdk_state(m)));
		if(m->seq > newest) {
			newest = m->seq;
			state = rtk_capture_model_sdk_state(m);
		}
	}
	return json_pack("{ss ss so}", "rtk", "recordingUpdate", "recordingState", state, "recordings", list);
}

json_t *rtk_capture_model_livestream_event(const rtk_capture_model *m) {
	if(m != NULL && m->state == RTK_CAPTURE_DONE)
		m = NULL;
	json_t *url = m ? json_object_get(m->doc, "playback_url") : NULL;
	return json_pack("{ss ss sO si so}", "rtk", "livestreamUpdate",
		"status", m ? rtk_capture_model_sdk_state(m) : "IDLE",
		"playbackUrl", url ? url : json_null(),
		"viewerCount", m ? m->viewers : 0,
		"id", m ? json_string(m->id) : json_null());
}

json_t *rtk_capture_model_viewers_event(const rtk_capture_model *m) {
	return json_pack("{ss si}", "rtk", "viewerCountUpdate", "viewerCount", m->viewers);
}
