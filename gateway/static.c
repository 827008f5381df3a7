/*
 * static.c - the libmicrohttpd and file system side of the web client files
 * (see static.h; the routes and the sanitizer are static_path.c).
 *
 * Opening a file: static_path.c hands over a relative path with no "." or
 * ".." segment, and this file opens it with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_MAGICLINKS) from a descriptor of the web directory, so the
 * kernel refuses any resolution (a symbolic link included) that would leave
 * the directory, atomically. Where openat2 is missing (Linux before 5.6, or
 * a seccomp filter that refuses it) the fallback resolves both paths with
 * realpath() and requires the file's to lie under the directory's, then
 * opens the resolved path with O_NOFOLLOW; that leaves a window between the
 * check and the open, which only someone who may write into the web
 * directory could use. O_NONBLOCK keeps a FIFO from holding a worker; only
 * regular files are served.
 *
 * The web directory is opened anew for each request (one open(O_PATH)), so
 * replacing it (a checkout, a deploy) needs no restart.
 */
#define _GNU_SOURCE
#include "static.h"
#include "json_out.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <glib.h>

/* Un-versioned URLs: browsers keep the file but ask again (ETag -> 304). */
#define RTK_STATIC_CACHE "no-cache"

/* ---- opening beneath the web directory ---- */

static int rtk_static_open_checked(const char *root, const char *rel)
{
	char *real_root = realpath(root, NULL);
	if (real_root == NULL)
		return -1;
	char *joined = g_build_filename(real_root, rel, NULL);
	char *real = realpath(joined, NULL);
	g_free(joined);
	int fd = -1;
	size_t n = strlen(real_root);
	if (real != NULL && strncmp(real, real_root, n) == 0 && (real[n] == '/' || n == 1))
		fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	else
		errno = ENOENT;
	free(real);
	free(real_root);
	return fd;
}

/* A descriptor of `rel` under `root`, or -1 (errno set). */
static int rtk_static_open(const char *root, const char *rel)
{
#ifdef SYS_openat2
	int dir = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return -1;
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, dir, rel, &how, sizeof how);
	int saved = errno;
	close(dir);
	if (fd >= 0 || (saved != ENOSYS && saved != EPERM)) {
		errno = saved;
		return fd;
	}
#endif
	return rtk_static_open_checked(root, rel);
}

/* ---- responses ---- */

static enum MHD_Result rtk_static_queue(struct MHD_Connection *con, unsigned int status,
	struct MHD_Response *resp, bool cors)
{
	if (resp == NULL)
		return MHD_NO;
	if (cors)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, "*");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_X_CONTENT_TYPE_OPTIONS, "nosniff");
	enum MHD_Result ret = MHD_queue_response(con, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* A one-line text answer; `text` is copied. */
static enum MHD_Result rtk_static_text(struct MHD_Connection *con, unsigned int status, const char *text,
	bool cors, const char *allow)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(text), (void *)text,
		MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (allow != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
	return rtk_static_queue(con, status, resp, cors);
}

static enum MHD_Result rtk_static_preflight(struct MHD_Connection *con)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	const char *asked = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
		MHD_HTTP_HEADER_ACCESS_CONTROL_REQUEST_HEADERS);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_METHODS, "GET, HEAD, OPTIONS");
	if (asked != NULL && *asked != '\0')
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_HEADERS, asked);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCESS_CONTROL_MAX_AGE, "86400");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD, OPTIONS");
	return rtk_static_queue(con, MHD_HTTP_NO_CONTENT, resp, true);
}

/* What a missing page says: which file of which setting to provide. */
static enum MHD_Result rtk_static_missing_page(struct MHD_Connection *con, const char *rel)
{
	char *text = g_strdup_printf("this page is not installed: %s is missing from the web client "
		"directory (RTK_WEB_DIR)\n", rel);
	enum MHD_Result ret = rtk_static_text(con, MHD_HTTP_NOT_FOUND, text, false, NULL);
	g_free(text);
	return ret;
}

/* Sends the open regular file `fd` (taken over), or 304 when the client's
 * copy is current. */
static enum MHD_Result rtk_static_file(struct MHD_Connection *con, int fd, const struct stat *st,
	const char *rel, bool cors)
{
	char etag[RTK_STATIC_ETAG_SIZE];
	rtk_static_etag(etag, (uint64_t)st->st_size,
		(int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec, (uint64_t)st->st_ino);
	const char *if_none_match = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
		MHD_HTTP_HEADER_IF_NONE_MATCH);
	struct MHD_Response *resp;
	unsigned int status;
	if (rtk_static_etag_matches(if_none_match, etag)) {
		close(fd);
		resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		status = MHD_HTTP_NOT_MODIFIED;
	} else {
		resp = MHD_create_response_from_fd64((uint64_t)st->st_size, fd);   /* owns fd now */
		if (resp == NULL)
			close(fd);
		status = MHD_HTTP_OK;
		if (resp != NULL)
			MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, rtk_static_mime(rel));
	}
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, RTK_STATIC_CACHE);
	return rtk_static_queue(con, status, resp, cors);
}

/* /sdk/server.json: small, and it changes only with the settings, so it
 * is never cached (a restart with another port must be seen at once). */
static enum MHD_Result rtk_static_json(struct MHD_Connection *con, const char *json)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(json), (void *)json,
		MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	return rtk_static_queue(con, MHD_HTTP_OK, resp, true);
}

char *rtk_static_server_info(int janus_ws_port, const char *janus_ws_url, bool janus_ws_secure,
	json_t *ice_servers)
{
	json_t *doc = json_pack("{s:i, s:o, s:b, s:o}", "janus_ws_port", janus_ws_port, "janus_ws_url",
		janus_ws_url != NULL && *janus_ws_url != '\0' ? json_string(janus_ws_url) : json_null(),
		"janus_ws_secure", janus_ws_secure,
		"ice_servers", ice_servers != NULL ? json_incref(ice_servers) : json_array());
	if (doc == NULL)
		return NULL;
	char *text = rtk_json_out(doc);
	json_decref(doc);
	return text;
}

/* ---- entry ---- */

enum MHD_Result rtk_static_serve(const char *web_dir, const char *server_json, struct MHD_Connection *con,
	const char *method, const char *uri)
{
	rtk_static_target target;
	rtk_static_resolve(uri, &target);
	bool cors = target.cors;
	const char *allow = cors ? "GET, HEAD, OPTIONS" : "GET, HEAD";
	enum MHD_Result ret;
	if (cors && strcmp(method, MHD_HTTP_METHOD_OPTIONS) == 0) {
		ret = rtk_static_preflight(con);
		goto done;
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
		ret = rtk_static_text(con, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n", cors, allow);
		goto done;
	}
	if (target.status != 0) {
		ret = rtk_static_text(con, (unsigned int)target.status, target.message, cors, NULL);
		goto done;
	}
	if (target.server_info) {
		ret = server_json != NULL ? rtk_static_json(con, server_json) :
			rtk_static_text(con, MHD_HTTP_NOT_FOUND, "no such file\n", cors, NULL);
		goto done;
	}
	if (web_dir == NULL || *web_dir == '\0') {
		ret = rtk_static_text(con, MHD_HTTP_NOT_FOUND, "this server serves no web client files "
			"(RTK_WEB_DIR is empty)\n", cors, NULL);
		goto done;
	}
	int fd = rtk_static_open(web_dir, target.path);
	struct stat st = { 0 };
	if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		ret = target.page ? rtk_static_missing_page(con, target.path) :
			rtk_static_text(con, MHD_HTTP_NOT_FOUND, "no such file\n", cors, NULL);
	else
		ret = rtk_static_file(con, fd, &st, target.path, cors);
done:
	rtk_static_target_clear(&target);
	return ret;
}

void rtk_static_announce(const char *web_dir)
{
	struct stat st;
	if (web_dir == NULL || *web_dir == '\0')
		g_message("rtk http: no web client files (RTK_WEB_DIR is empty): /, /viewer and /sdk/ answer 404");
	else if (stat(web_dir, &st) != 0 || !S_ISDIR(st.st_mode))
		g_warning("rtk http: the web client directory %s is missing (RTK_WEB_DIR): /, /viewer and "
			"/sdk/ answer 404", web_dir);
	else
		g_message("rtk http: web client files (/, /viewer, /sdk/) from %s", web_dir);
}
