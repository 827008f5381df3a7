/*
 * s3_upload.c - a file PUT to S3-compatible storage with AWS SigV4
 * (s3_upload.h).
 */
#include "s3_upload.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <curl/curl.h>
#include <glib.h>

/* How long an upload may take in all, and without progress. */
#define S3_TIMEOUT_SECONDS 3600L
#define S3_LOW_SPEED_SECONDS 60L

/* Percent-encodes `s` as SigV4's canonical URI does (unreserved kept; '/'
 * kept when `keep_slash`). Appends to `out`. */
static void s3_encode(GString *out, const char *s, gboolean keep_slash)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (g_ascii_isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~' || (keep_slash && *p == '/'))
			g_string_append_c(out, (char)*p);
		else
			g_string_append_printf(out, "%%%02X", *p);
	}
}

static const char *s3_str(const json_t *config, const char *key)
{
	const char *v = json_string_value(json_object_get(config, key));
	return v && *v ? v : NULL;
}

char *rtk_s3_object_url(const json_t *storage_config, const char *file_name, const char **error)
{
	const char *type = s3_str(storage_config, "type"), *bucket = s3_str(storage_config, "bucket");
	const char *region = s3_str(storage_config, "region"), *host = s3_str(storage_config, "host");
	const char *path = s3_str(storage_config, "path");
	if (type == NULL || (strcmp(type, "aws") && strcmp(type, "digitalocean"))) {
		*error = "storage_config.type must be \"aws\" or \"digitalocean\" (S3-compatible storage)";
		return NULL;
	}
	if (bucket == NULL || region == NULL) {
		*error = "storage_config needs bucket and region";
		return NULL;
	}
	GString *url = g_string_new(NULL);
	if (host != NULL) {
		if (!g_str_has_prefix(host, "http://") && !g_str_has_prefix(host, "https://"))
			g_string_append(url, "https://");
		g_string_append(url, host);
		while (url->len > 0 && url->str[url->len - 1] == '/')
			g_string_truncate(url, url->len - 1);
		g_string_append_c(url, '/');
		s3_encode(url, bucket, FALSE);
	} else if (!strcmp(type, "aws")) {
		g_string_append_printf(url, "https://%s.s3.%s.amazonaws.com", bucket, region);
	} else {
		g_string_append_printf(url, "https://%s.%s.digitaloceanspaces.com", bucket, region);
	}
	g_string_append_c(url, '/');
	if (path != NULL) {
		const char *p = path;
		while (*p == '/')
			p++;
		if (*p) {
			s3_encode(url, p, TRUE);
			if (url->str[url->len - 1] != '/')
				g_string_append_c(url, '/');
		}
	}
	s3_encode(url, file_name, FALSE);
	return g_string_free(url, FALSE);
}

/* The lower-case hex SHA-256 of the file (g_malloc'd), or NULL. */
static char *s3_file_sha256(FILE *f)
{
	GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
	guchar buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		g_checksum_update(sum, buf, (gssize)n);
	char *hex = ferror(f) ? NULL : g_strdup(g_checksum_get_string(sum));
	g_checksum_free(sum);
	rewind(f);
	return hex;
}

/* Stops the transfer once the caller's cancel flag is set. */
static int s3_progress(void *user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	const gint *cancel = user;
	return cancel != NULL && g_atomic_int_get(cancel) ? 1 : 0;
}

/* Keeps the start of the server's answer, for the error text. */
static size_t s3_keep_answer(char *data, size_t size, size_t n, void *user)
{
	GString *answer = user;
	size_t len = size * n;
	if (answer->len < 512)
		g_string_append_len(answer, data, (gssize)MIN(len, 512 - answer->len));
	return len;
}

char *rtk_s3_upload_file(const char *path, const rtk_s3_target *target, const char *content_type)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	if (f == NULL || fstat(fileno(f), &st) != 0) {
		char *e = g_strdup_printf("cannot read %s: %s", path, g_strerror(errno));
		if (f)
			fclose(f);
		return e;
	}
	char *sha = s3_file_sha256(f);
	CURL *curl = curl_easy_init();
	if (sha == NULL || curl == NULL) {
		fclose(f);
		g_free(sha);
		if (curl)
			curl_easy_cleanup(curl);
		return g_strdup_printf("cannot prepare the upload of %s", path);
	}
	char *sigv4 = g_strdup_printf("aws:amz:%s:s3", target->region);
	char *hash_header = g_strdup_printf("x-amz-content-sha256: %s", sha);
	char *type_header = g_strdup_printf("Content-Type: %s", content_type);
	struct curl_slist *headers = curl_slist_append(NULL, hash_header);
	headers = curl_slist_append(headers, type_header);
	GString *answer = g_string_new(NULL);
	char curl_error[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(curl, CURLOPT_URL, target->url);
	curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(curl, CURLOPT_READDATA, f);
	curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)st.st_size);
	curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, sigv4);
	curl_easy_setopt(curl, CURLOPT_USERNAME, target->access_key);
	curl_easy_setopt(curl, CURLOPT_PASSWORD, target->secret);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s3_keep_answer);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, answer);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, S3_TIMEOUT_SECONDS);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, S3_LOW_SPEED_SECONDS);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, s3_progress);
	curl_easy_setopt(curl, CURLOPT_XFERINFODATA, (void *)target->cancel);
	curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
	CURLcode rc = curl_easy_perform(curl);
	long status = 0;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	char *error = NULL;
	if (rc != CURLE_OK)
		error = g_strdup_printf("upload to %s failed: %s", target->url, curl_error[0] ? curl_error : curl_easy_strerror(rc));
	else if (status < 200 || status > 299)
		error = g_strdup_printf("upload to %s refused with HTTP %ld: %s", target->url, status, answer->str);
	g_string_free(answer, TRUE);
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	g_free(sigv4);
	g_free(hash_header);
	g_free(type_header);
	g_free(sha);
	fclose(f);
	return error;
}
