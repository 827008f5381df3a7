/*
 * fuzz_chat_files.c - libFuzzer target for what a chat file upload parses
 * (gateway/chat_files.c, gateway/rest_chat_files.c): its name, its
 * Content-Type, the allowed-types setting, the Content-Disposition built
 * from them, the route of a request target, and the limit of a streamed
 * body.
 *
 * Input layout: byte 0 the upload's limit (0-255 bytes), then
 *   name NUL content-type NUL allowed-types NUL request-target NUL body,
 * each optional; the body is appended in pieces whose sizes are the body's
 * own bytes (mod 64, plus 1), so the fuzzer picks how it arrives.
 *
 * Checked on every input, beyond the sanitizers:
 *   - a media type is lower case, one '/', token characters only;
 *   - a Content-Disposition is one header line: printable ASCII, and its
 *     quoted filename holds no quote or backslash;
 *   - a streamed body within the limit is stored whole (its size and
 *     bytes), one past it leaves no file behind.
 * The uploads go to a temporary directory under $RTK_FUZZ_TMPDIR (or
 * /dev/shm), emptied after each input.
 *
 * Build: see tests/fuzz/run.sh (all gateway sources but http.c, gateway.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include "chat_files.h"
#include "rest_internal.h"

#define MEETING "6d3136b5-e99e-4b66-abd9-ad179d26fec8"

static char *dir;

static void cleanup(void)
{
	char *meeting_dir = g_build_filename(dir, MEETING, NULL);
	rmdir(meeting_dir);
	g_free(meeting_dir);
	rmdir(dir);
	g_free(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *base = getenv("RTK_FUZZ_TMPDIR");
	if (base == NULL || *base == '\0')
		base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : g_get_tmp_dir();
	dir = g_build_filename(base, "rtk-fuzz-chat-files-XXXXXX", NULL);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		abort();
	}
	atexit(cleanup);
	return 0;
}

/* The next NUL-terminated field of [*p, end), g_malloc'd ("" when none). */
static char *next_field(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *nul = memchr(*p, '\0', (size_t)(end - *p));
	const uint8_t *stop = nul ? nul : end;
	char *field = g_strndup((const char *)*p, (gsize)(stop - *p));
	*p = nul ? nul + 1 : end;
	return field;
}

static void check_type(const char *type)
{
	if (type == NULL)
		return;
	int slashes = 0;
	for (const char *c = type; *c; c++) {
		if (*c == '/')
			slashes++;
		if (g_ascii_isupper(*c) || (unsigned char)*c <= ' ' || (unsigned char)*c >= 0x7f || strchr("\";,()<>@[]{}\\=", *c))
			abort();
	}
	if (slashes != 1 || type[0] == '/' || type[strlen(type) - 1] == '/')
		abort();
}

static void check_disposition(const char *d)
{
	for (const char *c = d; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
			abort();
	const char *open = strstr(d, "filename=\"");
	if (open != NULL) {
		open += strlen("filename=\"");
		const char *close = strstr(open, "\"; filename*=UTF-8''");
		if (close == NULL || memchr(open, '\\', (size_t)(close - open)) || memchr(open, '"', (size_t)(close - open)))
			abort();
	}
}

static void stream(unsigned long long max, const char *name, const char *type, const uint8_t *body, size_t len)
{
	char *error = NULL;
	rtk_chat_upload *u = rtk_chat_upload_begin(dir, MEETING, "user", name, type, max, &error);
	if (u == NULL) {
		if (rtk_chat_files_name_ok(name))
			abort();   /* a valid name in a writable directory must start */
		g_free(error);
		return;
	}
	size_t sent = 0;
	while (sent < len) {
		size_t piece = (size_t)(body[sent] % 64) + 1;
		if (piece > len - sent)
			piece = len - sent;
		rtk_chat_upload_append(u, body + sent, piece);
		sent += piece;
	}
	json_t *meta = NULL;
	if (len > max) {
		if (rtk_chat_upload_state_of(u) != RTK_CHAT_UPLOAD_TOO_LARGE)
			abort();
	} else {
		meta = rtk_chat_upload_commit(u, &error);
		if (meta == NULL || (size_t)json_integer_value(json_object_get(meta, "size")) != len)
			abort();
		char *path = rtk_chat_files_path(dir, MEETING, rtk_chat_upload_id(u));
		gchar *stored = NULL;
		gsize stored_len = 0;
		if (!g_file_get_contents(path, &stored, &stored_len, NULL) || stored_len != len ||
				(len > 0 && memcmp(stored, body, len) != 0))
			abort();
		g_free(stored);
		unlink(path);
		char *json_path = g_strdup_printf("%s.json", path);
		unlink(json_path);
		g_free(json_path);
		g_free(path);
	}
	json_decref(meta);
	rtk_chat_upload_free(u);
	/* Whatever happened, the meeting's directory is empty again. */
	char *meeting_dir = g_build_filename(dir, MEETING, NULL);
	GDir *d = g_dir_open(meeting_dir, 0, NULL);
	if (d != NULL && g_dir_read_name(d) != NULL)
		abort();
	if (d)
		g_dir_close(d);
	g_free(meeting_dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned long long max = data[0];
	const uint8_t *p = data + 1, *end = data + size;
	char *name = next_field(&p, end);
	char *content_type = next_field(&p, end);
	char *allowed = next_field(&p, end);
	char *target = next_field(&p, end);

	char *type = rtk_chat_files_type_of(content_type);
	check_type(type);
	(void)rtk_chat_files_type_allowed(allowed, type);
	(void)rtk_chat_files_type_allowed(allowed, content_type);
	char *disposition = rtk_chat_files_disposition(name, type);
	check_disposition(disposition);
	(void)rtk_rest_chat_upload_owns(target);
	if (rtk_chat_files_name_ok(name) && type != NULL)
		stream(max, name, type, p, (size_t)(end - p));

	g_free(disposition);
	g_free(type);
	g_free(name);
	g_free(content_type);
	g_free(allowed);
	g_free(target);
	return 0;
}
