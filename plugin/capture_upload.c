/*
 * capture_upload.c - uploads of finished recordings to their
 * storage_config (capture_upload.h).
 */
#include "capture_upload.h"

#include <string.h>
#include <debug.h>

#include "capture.h"
#include "s3_upload.h"

typedef struct capture_upload {
	json_t *doc;          /* the REST object (owned copy) */
	json_t *storage;      /* storage_config with credentials (owned copy) */
	char *path;
	guint64 after;
} capture_upload;

static GMutex uploads_mutex;
static GCond uploads_cond;
static int uploads_running;
static gint uploads_cancel;   /* atomic: non-zero stops transfers, and their writes */

static const char *capture_upload_type(const char *path) {
	return g_str_has_suffix(path, ".webm") ? "video/webm" : g_str_has_suffix(path, ".m4a") ? "audio/mp4" :
		g_str_has_suffix(path, ".mp3") ? "audio/mpeg" : "video/mp4";
}

/* Queues the final object for the capture writer, which stores it and
 * sends its webhook, unless shutting down. */
static void capture_upload_finish(capture_upload *u) {
	if(g_atomic_int_get(&uploads_cancel))
		return;
	rtk_capture_write w = { .kind = RTK_CAPTURE_RECORDING, .doc = json_incref(u->doc), .create = FALSE,
		.notify = TRUE };
	rtk_captures_queue_write(&w);
}

static gpointer capture_upload_run(gpointer data) {
	capture_upload *u = data;
	rtk_captures_wait_stored(u->after);   /* UPLOADING with its file_size is stored first */
	const char *id = json_string_value(json_object_get(u->doc, "id"));
	const char *file = json_string_value(json_object_get(u->doc, "output_file_name"));
	const char *url_error = NULL;
	char *url = rtk_s3_object_url(u->storage, file, &url_error);
	char *error = NULL;
	if(url == NULL) {
		error = g_strdup(url_error);
	} else {
		rtk_s3_target target = {
			.url = url,
			.region = json_string_value(json_object_get(u->storage, "region")),
			.access_key = json_string_value(json_object_get(u->storage, "access_key")),
			.secret = json_string_value(json_object_get(u->storage, "secret")),
			.cancel = &uploads_cancel,
		};
		gint64 began = g_get_monotonic_time();
		error = rtk_s3_upload_file(u->path, &target, capture_upload_type(u->path));
		if(error == NULL)
			JANUS_LOG(LOG_INFO, "[rtk] recording %s: uploaded to %s in %.1f s\n", id, url,
				(double)(g_get_monotonic_time() - began) / G_USEC_PER_SEC);
		else
			JANUS_LOG(LOG_ERR, "[rtk] recording %s: %s\n", id, error);
	}
	rtk_capture_model_uploaded(u->doc, error);
	capture_upload_finish(u);
	g_free(error);
	g_free(url);
	json_decref(u->doc);
	json_decref(u->storage);
	g_free(u->path);
	g_free(u);
	g_mutex_lock(&uploads_mutex);
	uploads_running--;
	g_cond_broadcast(&uploads_cond);
	g_mutex_unlock(&uploads_mutex);
	return NULL;
}

void rtk_capture_upload_start(const rtk_capture_model *m, const char *path, guint64 after) {
	if(!m->upload_pending || m->storage == NULL || path == NULL)
		return;
	capture_upload *u = g_new0(capture_upload, 1);
	u->doc = json_deep_copy(m->doc);
	u->storage = json_deep_copy(m->storage);
	u->path = g_strdup(path);
	u->after = after;
	g_mutex_lock(&uploads_mutex);
	uploads_running++;
	g_mutex_unlock(&uploads_mutex);
	g_thread_unref(g_thread_new("rtk-upload", capture_upload_run, u));
}

void rtk_capture_uploads_finish(gint64 timeout_us) {
	gint64 deadline = g_get_monotonic_time() + timeout_us;
	g_mutex_lock(&uploads_mutex);
	while(uploads_running > 0 && g_cond_wait_until(&uploads_cond, &uploads_mutex, deadline))
		;
	if(uploads_running > 0) {
		JANUS_LOG(LOG_WARN, "[rtk] %d recording upload(s) cancelled by the shutdown\n", uploads_running);
		g_atomic_int_set(&uploads_cancel, 1);
		while(uploads_running > 0)   /* curl stops within a second of the flag */
			g_cond_wait(&uploads_cond, &uploads_mutex);
	}
	g_mutex_unlock(&uploads_mutex);
}
