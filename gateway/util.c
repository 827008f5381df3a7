/*
 * util.c - random ids and secrets (OpenSSL RAND_bytes), ISO 8601 timestamps,
 * and crash-safe file helpers for the data directory (see util.h).
 */
#define _GNU_SOURCE   /* vasprintf */
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

static const char hex_digits[] = "0123456789abcdef";

static void util_hex_encode(const unsigned char *in, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex_digits[in[i] >> 4];
		out[2 * i + 1] = hex_digits[in[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

void rtk_util_set_error(char **error, const char *fmt, ...)
{
	if (error == NULL)
		return;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(error, fmt, ap) < 0)
		*error = NULL;
	va_end(ap);
}

char *rtk_util_uuid4(void)
{
	unsigned char b[16];
	if (RAND_bytes(b, sizeof(b)) != 1)
		return NULL;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);   /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);   /* variant 10xx */

	char *out = malloc(37);
	if (!out)
		return NULL;
	char *p = out;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		*p++ = hex_digits[b[i] >> 4];
		*p++ = hex_digits[b[i] & 0x0f];
	}
	*p = '\0';
	return out;
}

char *rtk_util_now_iso8601(void)
{
	return rtk_util_iso8601_in(0);
}

char *rtk_util_iso8601_in(long seconds)
{
	struct timespec ts;
	struct tm tm;
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return NULL;
	time_t at = ts.tv_sec + seconds;
	if (!gmtime_r(&at, &tm))
		return NULL;
	char *out = malloc(32);
	if (!out)
		return NULL;
	size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%03uZ", (unsigned)(ts.tv_nsec / 1000000) % 1000u);
	return out;
}

char *rtk_util_random_hex(size_t nbytes)
{
	if (nbytes == 0 || nbytes > 4096)
		return NULL;
	unsigned char buf[4096];
	if (RAND_bytes(buf, (int)nbytes) != 1)
		return NULL;
	char *out = malloc(2 * nbytes + 1);
	if (out)
		util_hex_encode(buf, nbytes, out);
	return out;
}

int rtk_util_mkdir_p(const char *path, int mode)
{
	if (!path || !*path) {
		errno = EINVAL;
		return -1;
	}
	char *copy = strdup(path);
	if (!copy)
		return -1;
	/* Create each prefix ending before a '/', then the whole path. */
	for (char *p = copy + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(copy, (mode_t)mode) != 0 && errno != EEXIST) {
			int e = errno;
			free(copy);
			errno = e;
			return -1;
		}
		*p = saved;
		if (saved == '\0')
			break;
	}
	free(copy);

	struct stat st;
	if (stat(path, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

char *rtk_util_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (n + 1 < cap) {
			if (ferror(f)) {
				free(buf);
				buf = NULL;
				errno = EIO;
			}
			break;
		}
		char *bigger = realloc(buf, cap * 2);
		if (!bigger) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = bigger;
		cap *= 2;
	}
	fclose(f);
	if (!buf)
		return NULL;
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static int util_write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, data, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/* fsync the directory holding `path`, so the rename itself is durable. */
static int util_fsync_parent(const char *path)
{
	char *dir = strdup(path);
	if (!dir)
		return -1;
	char *slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

int rtk_util_write_file_atomic(const char *path, const char *data, size_t len, int mode)
{
	size_t plen = strlen(path);
	char *tmp = malloc(plen + 5);
	if (!tmp)
		return -1;
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmp", 5);

	int rc = -1, e = 0;
	unlink(tmp);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, (mode_t)mode);
	if (fd < 0)
		goto out;
	/* fchmod: the umask must not widen or narrow what the caller asked for. */
	if (fchmod(fd, (mode_t)mode) != 0 || util_write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		e = errno;
		close(fd);
		unlink(tmp);
		errno = e;
		goto out;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		e = errno;
		unlink(tmp);
		errno = e;
		goto out;
	}
	rc = util_fsync_parent(path);
out:
	e = errno;
	free(tmp);
	errno = e;
	return rc;
}
