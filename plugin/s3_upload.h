/*
 * s3_upload.h - one file PUT to S3-compatible storage with AWS Signature
 * Version 4 (libcurl's CURLOPT_AWS_SIGV4), for a recording's
 * storage_config (docs/rest.md, "Recordings").
 *
 * Owns where an object goes (the URL of bucket + path + file name for the
 * storage types we write to) and the PUT itself. Blocking, no shared
 * state: call it on a thread of its own, off any lock
 * (plugin/capture_upload.c does). Lives in plugin/, as only the plugin
 * links libcurl.
 */
#ifndef RTK_S3_UPLOAD_H
#define RTK_S3_UPLOAD_H

#include <glib.h>
#include <jansson.h>

/* Where and with what credentials: strings borrowed from the caller. */
typedef struct rtk_s3_target {
	const char *url;          /* the object's URL (rtk_s3_object_url) */
	const char *region;       /* e.g. "us-east-1": part of the signature */
	const char *access_key;
	const char *secret;
	const gint *cancel;       /* may be NULL; the transfer stops once it is non-zero (atomic read) */
} rtk_s3_target;

/* The object URL for `file_name` under a storage_config's bucket and path
 * (g_malloc'd), or NULL with *error (static text) when the config cannot
 * name one. type "aws": https://<bucket>.s3.<region>.amazonaws.com/<path>/<file>;
 * "digitalocean": https://<bucket>.<region>.digitaloceanspaces.com/...;
 * with "host" (any S3-compatible server, e.g. "http://127.0.0.1:4568"):
 * path style, <host>/<bucket>/<path>/<file>. Each segment of path and
 * the file name is percent-encoded as SigV4 wants. */
char *rtk_s3_object_url(const json_t *storage_config, const char *file_name, const char **error);

/* PUTs the file at `path` to `target->url` with `content_type`, signed
 * for service s3 in target->region; the body's SHA-256 is sent as
 * x-amz-content-sha256. Returns NULL once the server answered 2xx, else a
 * g_malloc'd text saying what failed (the caller g_free()s it). */
char *rtk_s3_upload_file(const char *path, const rtk_s3_target *target, const char *content_type);

#endif
