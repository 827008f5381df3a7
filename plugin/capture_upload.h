/*
 * capture_upload.h - a finished recording's file to the S3-compatible
 * storage its storage_config names (docs/rest.md, "Recordings"), on a
 * thread of its own, off the state lock.
 *
 * Owns the upload's life: it starts when the recorder exited cleanly
 * (capture.c calls rtk_capture_upload_start() once the model says
 * upload_pending: the recording is UPLOADING with its file_size), waits
 * until that state is stored, PUTs the file (plugin/s3_upload.h), then
 * queues the recording UPLOADED, or ERRORED with the upload's error (the
 * local file stays, download_url serves it), for capture.c's writer
 * thread, the one writer of recording rows, which stores it and sends its
 * recording.statusUpdate webhook. The model is gone by then: the thread
 * works on its own copy of the REST object.
 */
#ifndef RTK_CAPTURE_UPLOAD_H
#define RTK_CAPTURE_UPLOAD_H

#include <glib.h>
#include "capture_model.h"

/* Starts the upload of `m`'s file at `path` (both copied) after the write
 * `after` (rtk_captures_queued()) is stored. Call under the state lock;
 * does not block. Nothing happens unless m->upload_pending. */
void rtk_capture_upload_start(const rtk_capture_model *m, const char *path, guint64 after);

/* At shutdown, before the store closes: waits up to `timeout_us` for the
 * running uploads, then cancels the rest (they write nothing more; the
 * next start marks their recordings ERRORED, SERVER_RESTART). */
void rtk_capture_uploads_finish(gint64 timeout_us);

#endif
