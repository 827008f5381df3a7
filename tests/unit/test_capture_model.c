/*
 * test_capture_model.c - a recording's and a livestream's life as the
 * model decides it, without Janus or a companion: the REST object after
 * each transition, the effects asked of the glue, when the statusUpdate
 * webhook is due and whether the store must create or update the row,
 * the rule on parallel recordings, and the SDK events.
 */
#include <glib.h>
#include <jansson.h>

#include "capture_model.h"
#include "unit.h"

static const char *doc_str(const rtk_capture_model *m, const char *key)
{
	return json_string_value(json_object_get(m->doc, key));
}

static const char *reason_of(const rtk_capture_model *m, const char *key)
{
	return json_string_value(json_object_get(json_object_get(m->doc, key), "reason"));
}

static const char *caller_type(const rtk_capture_model *m, const char *key)
{
	return json_string_value(json_object_get(json_object_get(json_object_get(m->doc, key), "caller"), "type"));
}

static const char *caller_str(const rtk_capture_model *m, const char *key, const char *field)
{
	return json_string_value(json_object_get(json_object_get(json_object_get(m->doc, key), "caller"), field));
}

/* The reference's enums: start API_CALL | RECORD_ON_START, stop API_CALL |
 * INTERNAL_ERROR | ALL_PEERS_LEFT; our finer causes map into them. */
static void test_public_reasons(void)
{
	CHECK_EQ_STR(rtk_capture_public_reason("STARTED_BY_USER"), "API_CALL");
	CHECK_EQ_STR(rtk_capture_public_reason("STOPPED_BY_USER"), "API_CALL");
	CHECK_EQ_STR(rtk_capture_public_reason("MAX_DURATION"), "API_CALL");
	CHECK_EQ_STR(rtk_capture_public_reason("RECORD_ON_START"), "RECORD_ON_START");
	CHECK_EQ_STR(rtk_capture_public_reason("ALL_PEERS_LEFT"), "ALL_PEERS_LEFT");
	CHECK_EQ_STR(rtk_capture_public_reason("SERVER_SHUTDOWN"), "INTERNAL_ERROR");
	CHECK_EQ_STR(rtk_capture_public_reason("SERVER_RESTART"), "INTERNAL_ERROR");
	CHECK_EQ_STR(rtk_capture_public_reason("INTERNAL_ERROR"), "INTERNAL_ERROR");
	CHECK_EQ_STR(rtk_capture_public_reason(NULL), "INTERNAL_ERROR");

	rtk_capture_model *m = rtk_capture_model_new(RTK_CAPTURE_RECORDING, "rec-s", "meeting-1", "session-1", 1, "t0");
	rtk_recording_config config;
	rtk_recording_config_default(&config);
	rtk_capture_model_recording_invoked(m, &config, FALSE, "rec.mp4", NULL);
	rtk_capture_model_started_automatically(m, "RECORD_ON_START");
	CHECK_EQ_STR(reason_of(m, "start_reason"), "RECORD_ON_START");
	CHECK_NULL(json_object_get(json_object_get(m->doc, "start_reason"), "caller"));   /* no user details */
	rtk_capture_model_stop(m, "SERVER_SHUTDOWN", NULL);
	CHECK_EQ_STR(reason_of(m, "stop_reason"), "INTERNAL_ERROR");
	CHECK_EQ_STR(json_string_value(json_object_get(json_object_get(m->doc, "stop_reason"), "detail")),
		"SERVER_SHUTDOWN");
	rtk_capture_model_free(m);
}

static rtk_capture_model *new_recording(const char *id, gint64 seq, gboolean allow_multiple, int max_seconds)
{
	rtk_recording_config config;
	rtk_recording_config_default(&config);
	config.max_seconds = max_seconds;
	rtk_capture_model *m = rtk_capture_model_new(RTK_CAPTURE_RECORDING, id, "meeting-1", "session-1", seq,
		"2026-12-06T10:00:00.000Z");
	rtk_capture_caller ada = { "peer-ada", "user-ada", "Ada" };
	rtk_capture_model_recording_invoked(m, &config, allow_multiple, "rec.mp4", &ada);
	return m;
}

/* Takes the write the glue would queue; returns whether its webhook is due. */
static int take_write_status(rtk_capture_model *m)
{
	rtk_capture_write w;
	rtk_capture_model_take_write(m, &w);
	int notify = w.notify ? 1 : 0;
	json_decref(w.doc);
	return notify;
}

/* Takes the write the glue would queue; returns its flags as create*2 + notify. */
static int take_write(rtk_capture_model *m, const char *status)
{
	rtk_capture_write w;
	rtk_capture_model_take_write(m, &w);
	CHECK_EQ_STR(json_string_value(json_object_get(w.doc, "status")), status);
	int flags = (w.create ? 2 : 0) | (w.notify ? 1 : 0);
	if (w.notify) {
		json_t *data = rtk_capture_webhook_data(&w);
		CHECK_EQ_STR(json_string_value(json_object_get(json_object_get(data, "meeting"), "id")), "meeting-1");
		CHECK_EQ_STR(json_string_value(json_object_get(json_object_get(data, "recording"), "status")), status);
		CHECK_EQ_STR(json_string_value(json_object_get(json_object_get(data, "recording"), "meetingId")), "meeting-1");
		json_decref(data);
	}
	json_decref(w.doc);
	return flags;
}

static void test_recording_life(void)
{
	rtk_capture_model *m = new_recording("rec-1", 1, FALSE, 0);
	CHECK_EQ_STR(doc_str(m, "status"), "INVOKED");
	CHECK_EQ_STR(doc_str(m, "output_file_name"), "rec.mp4");
	CHECK_EQ_STR(doc_str(m, "invoked_time"), "2026-12-06T10:00:00.000Z");
	CHECK_EQ_STR(reason_of(m, "start_reason"), "API_CALL");
	CHECK_EQ_STR(caller_type(m, "start_reason"), "USER");
	CHECK_EQ_STR(caller_str(m, "start_reason", "user_Id"), "user-ada");
	CHECK_EQ_STR(caller_str(m, "start_reason", "name"), "Ada");
	CHECK_NULL(caller_str(m, "start_reason", "peer_id"));    /* the reference: only user_Id and name */
	CHECK_NULL(json_object_get(json_object_get(m->doc, "start_reason"), "detail"));
	CHECK(json_is_null(json_object_get(m->doc, "stop_reason")));
	CHECK_EQ_STR(rtk_capture_model_sdk_state(m), "STARTING");
	CHECK(rtk_capture_model_running(m));
	CHECK_EQ_INT(take_write(m, "INVOKED"), 3);           /* created, webhook */
	CHECK_EQ_INT(take_write(m, "INVOKED"), 0);           /* an update, no webhook: same status */

	CHECK_EQ_INT(rtk_capture_model_on_air(m, "2026-12-06T10:00:01.000Z"), RTK_CAPTURE_STORE | RTK_CAPTURE_ANNOUNCE);
	CHECK_EQ_STR(doc_str(m, "status"), "RECORDING");
	CHECK_EQ_STR(doc_str(m, "started_time"), "2026-12-06T10:00:01.000Z");
	CHECK_EQ_STR(rtk_capture_model_sdk_state(m), "RECORDING");
	CHECK_EQ_INT(rtk_capture_model_on_air(m, "later"), 0);   /* once */
	CHECK_EQ_INT(take_write(m, "RECORDING"), 1);

	CHECK_EQ_INT(rtk_capture_model_progress(m, 2.7), RTK_CAPTURE_STORE);
	CHECK_EQ_INT(json_integer_value(json_object_get(m->doc, "recording_duration")), 2);
	CHECK_EQ_INT(take_write(m, "RECORDING"), 0);

	CHECK_EQ_INT(rtk_capture_model_apply(m, RTK_CAPTURE_RESUME, NULL), 0);   /* not paused */
	CHECK_EQ_INT(rtk_capture_model_apply(m, RTK_CAPTURE_PAUSE, NULL),
		RTK_CAPTURE_SEND_PAUSE | RTK_CAPTURE_STORE | RTK_CAPTURE_ANNOUNCE);
	CHECK_EQ_STR(doc_str(m, "status"), "PAUSED");
	CHECK_EQ_STR(rtk_capture_model_sdk_state(m), "PAUSED");
	CHECK_EQ_INT(rtk_capture_model_apply(m, RTK_CAPTURE_PAUSE, NULL), 0);
	CHECK_EQ_INT(take_write(m, "PAUSED"), 1);
	CHECK_EQ_INT(rtk_capture_model_apply(m, RTK_CAPTURE_RESUME, NULL),
		RTK_CAPTURE_SEND_RESUME | RTK_CAPTURE_STORE | RTK_CAPTURE_ANNOUNCE);
	CHECK_EQ_STR(doc_str(m, "status"), "RECORDING");
	CHECK_EQ_INT(take_write(m, "RECORDING"), 1);

	rtk_capture_caller api = { NULL, NULL, NULL };
	CHECK_EQ_INT(rtk_capture_model_apply(m, RTK_CAPTURE_STOP, &api),
		RTK_CAPTURE_SEND_STOP | RTK_CAPTURE_STORE | RTK_CAPTURE_ANNOUNCE);
	CHECK_EQ_STR(doc_str(m, "status"), "UPLOADING");
	CHECK_EQ_STR(reason_of(m, "stop_reason"), "API_CALL");
	CHECK_EQ_STR(caller_type(m, "stop_reason"), "ORGANIZATION");
	CHECK_NULL(caller_str(m, "stop_reason", "user_Id"));
	CHECK_EQ_STR(rtk_capture_model_sdk_state(m), "STOPPING");
	CHECK(!rtk_capture_model_running(m));
	CHECK_EQ_INT(rtk_capture_model_stop(m, "ALL_PEERS_LEFT", NULL), 0);      /* stopped once */
	CHECK_EQ_STR(reason_of(m, "stop_reason"), "API_CALL");
	CHECK_EQ_INT(take_write(m, "UPLOADING"), 1);

	m->output_s = 5.2;   /* the companion's last word (its "stopped" event) */
	CHECK_EQ_INT(rtk_capture_model_finished(m, TRUE, "", 12345, "2026-12-06T10:00:09.000Z"),
		RTK_CAPTURE_STORE | RTK_CAPTURE_ANNOUNCE);
	CHECK_EQ_STR(doc_str(m, "status"), "UPLOADED");
	CHECK_EQ_INT(json_integer_value(json_object_get(m->doc, "file_size")), 12345);
	CHECK_EQ_INT(json_integer_value(json_object_get(m->doc, "recording_duration")), 5);
	CHECK_EQ_STR(doc_str(m, "stopped_time"), "2026-12-06T10:00:09.000Z");
	CHECK_NULL(json_object_get(m->doc, "error"));
	CHECK_EQ_STR(rtk_capture_model_sdk_state(m), "IDLE");
	CHECK_EQ_INT(take_write(m, "UPLOADED"), 1);
	rtk_capture_model_free(m);
}

static void test_recording_killed(void)
{
	rtk_capture_model *m = new_recording("rec-2", 2, FALSE, 0);
	rtk_capture_model_on_air(m, "t1");
	CHECK_EQ_INT(rtk_capture_model_finished(m, FALSE, "killed by signal 9", 4096, "t2"),
		RTK_CAPTURE_STORE | RTK_CAPTURE_ANNOUNCE);
	CHECK_EQ_STR(doc_str(m, "status"), "ERRORED");
	CHECK_EQ_STR(doc_str(m, "error"), "killed by signal 9");
	CHECK_EQ_STR(reason_of(m, "stop_reason"), "INTERNAL_ERROR");
	CHECK_NULL(json_object_get(json_object_get(m->doc, "stop_reason"), "caller"));   /* the server: no caller */
	CHECK_NULL(json_object_get(json_object_get(m->doc, "stop_reason"), "detail"));
	CHECK_EQ_INT(json_integer_value(json_object_get(m->doc, "file_size")), 4096);
	rtk_capture_model_free(m);

	/* Failing while it stops keeps the reason it was stopped for; no file: null. */
	m = new_recording("rec-3", 3, FALSE, 0);
	rtk_capture_model_stop(m, "ALL_PEERS_LEFT", NULL);
	rtk_capture_model_finished(m, FALSE, "exited with status 1", -1, "t3");
	CHECK_EQ_STR(reason_of(m, "stop_reason"), "ALL_PEERS_LEFT");
	CHECK(json_is_null(json_object_get(m->doc, "file_size")));
	rtk_capture_model_free(m);
}

static void test_max_duration(void)
{
	rtk_capture_model *m = new_recording("rec-4", 4, FALSE, 3);
	rtk_capture_model_on_air(m, "t1");
	CHECK_EQ_INT(rtk_capture_model_progress(m, 2.9), RTK_CAPTURE_STORE);
	CHECK_EQ_INT(rtk_capture_model_progress(m, 3.0),
		RTK_CAPTURE_STORE | RTK_CAPTURE_SEND_STOP | RTK_CAPTURE_ANNOUNCE);
	CHECK_EQ_STR(reason_of(m, "stop_reason"), "API_CALL");   /* the limit its starter asked for */
	CHECK_EQ_STR(json_string_value(json_object_get(json_object_get(m->doc, "stop_reason"), "detail")),
		"MAX_DURATION");
	CHECK_EQ_STR(caller_type(m, "stop_reason"), "USER");
	CHECK_EQ_STR(caller_str(m, "stop_reason", "user_Id"), "user-ada");
	CHECK_EQ_INT(rtk_capture_model_progress(m, 3.4), RTK_CAPTURE_STORE);   /* stopping: no second stop */
	CHECK_EQ_INT(json_integer_value(json_object_get(m->doc, "max_seconds")), 3);
	rtk_capture_model_free(m);
}

static void test_parallel_recordings(void)
{
	rtk_capture_model *first = new_recording("rec-a", 10, TRUE, 0);
	GPtrArray *running = g_ptr_array_new();
	g_ptr_array_add(running, first);
	rtk_refusal why = { NULL, "" };  /* filled on refusal */
	CHECK(rtk_capture_models_may_record(running, TRUE, &why));
	CHECK(!rtk_capture_models_may_record(running, FALSE, &why));
	CHECK_EQ_STR(why.code, RTK_ERR_RECORDING_ACTIVE);
	first->allow_multiple = FALSE;
	CHECK(!rtk_capture_models_may_record(running, TRUE, &why));
	first->tracks = TRUE;   /* a per-track recording runs beside composite ones */
	CHECK(rtk_capture_models_may_record(running, FALSE, &why));
	first->tracks = FALSE;
	rtk_capture_model_stop(first, "STOPPED_BY_USER", NULL);   /* stopping: no longer counts */
	CHECK(rtk_capture_models_may_record(running, FALSE, &why));
	g_ptr_array_free(running, TRUE);
	rtk_capture_model_free(first);
}

static void test_recording_event(void)
{
	rtk_capture_model *older = new_recording("rec-old", 20, TRUE, 0);
	rtk_capture_model *newer = new_recording("rec-new", 21, TRUE, 0);
	rtk_capture_model_on_air(older, "t");
	GPtrArray *list = g_ptr_array_new();
	g_ptr_array_add(list, newer);
	g_ptr_array_add(list, older);
	json_t *event = rtk_capture_models_recording_event(list);
	CHECK_EQ_STR(json_string_value(json_object_get(event, "rtk")), "recordingUpdate");
	CHECK_EQ_STR(json_string_value(json_object_get(event, "recordingState")), "STARTING");   /* the newest's */
	CHECK_EQ_INT(json_array_size(json_object_get(event, "recordings")), 2);
	json_decref(event);
	rtk_capture_model_finished(newer, TRUE, "", 1, "t");   /* done: left out */
	event = rtk_capture_models_recording_event(list);
	CHECK_EQ_STR(json_string_value(json_object_get(event, "recordingState")), "RECORDING");
	CHECK_EQ_INT(json_array_size(json_object_get(event, "recordings")), 1);
	json_decref(event);
	g_ptr_array_set_size(list, 0);
	event = rtk_capture_models_recording_event(list);
	CHECK_EQ_STR(json_string_value(json_object_get(event, "recordingState")), "IDLE");
	json_decref(event);
	g_ptr_array_free(list, TRUE);
	rtk_capture_model_free(older);
	rtk_capture_model_free(newer);
}

static void test_livestream_life(void)
{
	rtk_capture_model *m = rtk_capture_model_new(RTK_CAPTURE_LIVESTREAM, "ls-1", "meeting-1", "session-1", 30, "t0");
	rtk_capture_model_livestream_invoked(m, NULL, "http://127.0.0.1:8080/hls/ls-1/index.m3u8", NULL);
	CHECK_EQ_STR(doc_str(m, "status"), "INVOKED");
	CHECK(json_is_null(json_object_get(m->doc, "name")));
	CHECK_NULL(json_object_get(json_object_get(m->doc, "start_reason"), "caller"));
	CHECK_EQ_INT(rtk_capture_model_started_automatically(m, "LIVE_STREAM_ON_START"), RTK_CAPTURE_STORE);
	CHECK_EQ_STR(reason_of(m, "start_reason"), "LIVE_STREAM_ON_START");
	json_t *event = rtk_capture_model_livestream_event(m);
	CHECK_EQ_STR(json_string_value(json_object_get(event, "status")), "STARTING");
	CHECK_EQ_STR(json_string_value(json_object_get(event, "playbackUrl")), "http://127.0.0.1:8080/hls/ls-1/index.m3u8");
	CHECK_EQ_STR(json_string_value(json_object_get(event, "id")), "ls-1");
	json_decref(event);

	CHECK_EQ_INT(rtk_capture_model_on_air(m, "t1"), RTK_CAPTURE_STORE | RTK_CAPTURE_ANNOUNCE);
	CHECK_EQ_STR(doc_str(m, "status"), "LIVE");
	CHECK_EQ_STR(rtk_capture_model_sdk_state(m), "LIVESTREAMING");
	CHECK_EQ_INT(rtk_capture_model_progress(m, 4.0), 0);   /* livestreams keep no duration */
	CHECK_EQ_INT(rtk_capture_model_apply(m, RTK_CAPTURE_PAUSE, NULL), 0);

	CHECK_EQ_INT(rtk_capture_model_set_viewers(m, 3), RTK_CAPTURE_STORE | RTK_CAPTURE_VIEWERS);
	CHECK_EQ_INT(json_integer_value(json_object_get(m->doc, "viewer_count")), 3);
	CHECK_EQ_INT(rtk_capture_model_set_viewers(m, 3), 0);
	event = rtk_capture_model_viewers_event(m);
	CHECK_EQ_STR(json_string_value(json_object_get(event, "rtk")), "viewerCountUpdate");
	CHECK_EQ_INT(json_integer_value(json_object_get(event, "viewerCount")), 3);
	json_decref(event);

	CHECK_EQ_INT(rtk_capture_model_stop(m, "STOPPED_BY_USER", NULL),
		RTK_CAPTURE_SEND_STOP | RTK_CAPTURE_STORE | RTK_CAPTURE_ANNOUNCE);
	CHECK_EQ_STR(doc_str(m, "status"), "LIVE");     /* a livestream has no UPLOADING */
	CHECK_EQ_STR(rtk_capture_model_sdk_state(m), "STOPPING");
	rtk_capture_model_finished(m, TRUE, "", -1, "t2");
	CHECK_EQ_STR(doc_str(m, "status"), "IDLE");
	event = rtk_capture_model_livestream_event(m);   /* done: as if none */
	CHECK_EQ_STR(json_string_value(json_object_get(event, "status")), "IDLE");
	CHECK(json_is_null(json_object_get(event, "playbackUrl")));
	CHECK(json_is_null(json_object_get(event, "id")));
	json_decref(event);
	rtk_capture_write w;
	rtk_capture_model_take_write(m, &w);
	CHECK_EQ_STR(rtk_capture_webhook_event(w.kind), "livestreaming.statusUpdate");
	json_t *data = rtk_capture_webhook_data(&w);
	/* RealtimeKit's {streamId, status}: an ended livestream is OFFLINE */
	CHECK_EQ_INT((int)json_object_size(data), 2);
	CHECK_EQ_STR(json_string_value(json_object_get(data, "streamId")), json_string_value(json_object_get(w.doc, "id")));
	CHECK_EQ_STR(json_string_value(json_object_get(data, "status")), "OFFLINE");
	json_decref(data);
	json_decref(w.doc);
	rtk_capture_model_free(m);
}

/* A recording with a storage_config: UPLOADING until its upload ends,
 * credentials never in the REST object. */
static void test_storage_upload(void)
{
	rtk_recording_config config;
	rtk_refusal why;
	rtk_recording_config_default(&config);
	json_t *storage = json_pack("{ss ss ss ss ss ss}", "type", "aws", "bucket", "b", "region", "eu-test-1",
		"access_key", "AKID", "secret", "SHH", "path", "p/q");
	CHECK(rtk_recording_config_parse_storage(storage, &config, &why));
	json_decref(storage);
	rtk_capture_model *m = rtk_capture_model_new(RTK_CAPTURE_RECORDING, "rec-u", "meeting-1", "session-1", 40, "t0");
	rtk_capture_model_recording_invoked(m, &config, FALSE, "rec-u.mp4", NULL);
	json_t *shown = json_object_get(m->doc, "storage_config");
	CHECK_EQ_STR(json_string_value(json_object_get(shown, "bucket")), "b");
	CHECK_EQ_STR(json_string_value(json_object_get(shown, "path")), "p/q");
	CHECK_NULL(json_object_get(shown, "secret"));
	CHECK_NULL(json_object_get(shown, "access_key"));
	CHECK_EQ_STR(json_string_value(json_object_get(m->storage, "secret")), "SHH");
	rtk_capture_model_on_air(m, "t1");
	rtk_capture_model_stop(m, "STOPPED_BY_USER", NULL);
	CHECK_EQ_INT(take_write_status(m), 1);
	rtk_capture_model_finished(m, TRUE, "", 2048, "t2");
	CHECK(m->upload_pending);
	CHECK_EQ_STR(doc_str(m, "status"), "UPLOADING");   /* not UPLOADED before the storage has it */
	CHECK_EQ_INT(take_write_status(m), 0);              /* the same status: no second webhook */
	json_t *done = json_deep_copy(m->doc), *failed = json_deep_copy(m->doc);
	rtk_capture_model_uploaded(done, NULL);
	CHECK_EQ_STR(json_string_value(json_object_get(done, "status")), "UPLOADED");
	CHECK_NULL(json_object_get(done, "error"));
	rtk_capture_model_uploaded(failed, "refused with HTTP 403");
	CHECK_EQ_STR(json_string_value(json_object_get(failed, "status")), "ERRORED");
	CHECK_EQ_STR(json_string_value(json_object_get(failed, "error")), "upload failed: refused with HTTP 403");
	CHECK_EQ_INT(json_integer_value(json_object_get(failed, "file_size")), 2048);
	json_decref(done);
	json_decref(failed);
	rtk_capture_model_free(m);

	/* A recorder that failed uploads nothing. */
	m = rtk_capture_model_new(RTK_CAPTURE_RECORDING, "rec-v", "meeting-1", "session-1", 41, "t0");
	rtk_capture_model_recording_invoked(m, &config, FALSE, "rec-v.mp4", NULL);
	rtk_capture_model_finished(m, FALSE, "killed by signal 9", 100, "t1");
	CHECK(!m->upload_pending);
	CHECK_EQ_STR(doc_str(m, "status"), "ERRORED");
	rtk_capture_model_free(m);
}

int main(void)
{
	UNIT_RUN(test_public_reasons);
	UNIT_RUN(test_recording_life);
	UNIT_RUN(test_recording_killed);
	UNIT_RUN(test_max_duration);
	UNIT_RUN(test_parallel_recordings);
	UNIT_RUN(test_recording_event);
	UNIT_RUN(test_livestream_life);
	UNIT_RUN(test_storage_upload);
	return UNIT_DONE();
}
