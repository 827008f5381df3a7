/*
 * fuzz_webhook_url.c - libFuzzer target for the webhook target policy of
 * gateway/webhooks.c: the URL parser, the registration check and the
 * address classifier. Nothing here touches the network: the check runs with
 * resolve_ms 0 (literal addresses only, AI_NUMERICHOST).
 *
 * Per input:
 *  1. the bytes as a URL (NUL-terminated copy) through
 *     rtk_webhooks_target_parse(): on success the parts must be sane (a
 *     host without brackets or '@', a decimal port 1..65535, a path that
 *     starts with '/' and has no '#', an authority that holds the host);
 *     on failure nothing is left allocated;
 *  2. the same URL through rtk_webhooks_check_url(): allowed, it refuses
 *     exactly what the parser refuses; not allowed, a host that is a literal
 *     address in the strict inet_pton() form is refused exactly when the
 *     classifier refuses that address;
 *  3. the first bytes as an IPv4 and an IPv6 address for
 *     rtk_webhooks_address_forbidden(): an IPv4-mapped, NAT64 or 6to4
 *     address gets the verdict of the IPv4 address it carries, and an
 *     address outside 2000::/3 (but those) is always refused;
 *  4. the same bytes as a receiver's answer for rtk_webhooks_status_of():
 *     -1 or a status 100..999, and exactly 204 for the answer line with
 *     its status replaced by 204.
 *
 * Build: see tests/fuzz/run.sh (sources_for webhook_url).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <glib.h>

#include "webhooks.h"

static const char *v4_verdict(const uint8_t *b)
{
	struct sockaddr_in in = { .sin_family = AF_INET };
	memcpy(&in.sin_addr, b, 4);
	return rtk_webhooks_address_forbidden((const struct sockaddr *)&in, sizeof(in));
}

static const char *v6_verdict(const uint8_t *b)
{
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };
	memcpy(&in6.sin6_addr, b, 16);
	return rtk_webhooks_address_forbidden((const struct sockaddr *)&in6, sizeof(in6));
}

static void check_addresses(const uint8_t *data, size_t size)
{
	uint8_t b[16] = { 0 };
	memcpy(b, data, size < 16 ? size : 16);
	const char *v4 = v4_verdict(b), *v6 = v6_verdict(b);
	(void)v4;
	/* IPv4-mapped ::ffff:a.b.c.d and NAT64 64:ff9b::a.b.c.d: the IPv4 verdict */
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const uint8_t nat64[12] = { 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0 };
	uint8_t wrapped[16];
	memcpy(wrapped, mapped, 12);
	memcpy(wrapped + 12, b, 4);
	if (v6_verdict(wrapped) != v4_verdict(b))
		abort();
	memcpy(wrapped, nat64, 12);
	if (v6_verdict(wrapped) != v4_verdict(b))
		abort();
	/* 6to4 2002:AABB:CCDD::/48 */
	memcpy(wrapped, b, 16);
	wrapped[0] = 0x20;
	wrapped[1] = 0x02;
	memcpy(wrapped + 2, b, 4);
	if (v6_verdict(wrapped) != v4_verdict(b))
		abort();
	/* outside 2000::/3, only the two translated forms can be public */
	if ((b[0] & 0xe0) != 0x20 && !v6 && memcmp(b, mapped, 12) != 0 && memcmp(b, nat64, 12) != 0)
		abort();
	/* too short for the family, or another family: refused */
	struct sockaddr_in in = { .sin_family = AF_INET };
	if (!rtk_webhooks_address_forbidden((const struct sockaddr *)&in, sizeof(in) - 1))
		abort();
	struct sockaddr_storage other = { .ss_family = AF_UNIX };
	if (!rtk_webhooks_address_forbidden((const struct sockaddr *)&other, sizeof(other)))
		abort();
}

static void check_target(const char *url, const rtk_webhook_target *t)
{
	size_t host_len = strlen(t->host);
	if (host_len == 0 || strpbrk(t->host, "[]@/?#") || t->host[0] == '\0')
		abort();
	char *end = NULL;
	long port = strtol(t->port, &end, 10);
	if (!t->port[0] || *end || port < 1 || port > 65535 || t->port[0] == '0')
		abort();
	if (t->path[0] != '/' || strchr(t->path, '#'))
		abort();
	if (!strstr(t->authority, t->host) || strchr(t->authority, '@'))
		abort();
	if ((g_ascii_strncasecmp(url, "https://", 8) == 0) != (t->https != 0))
		abort();
}

/* The literal address `host` in strict form, if it is one: its verdict in
 * *why; 0 when it is not a literal. */
static int literal_verdict(const char *host, const char **why)
{
	uint8_t b[16];
	if (inet_pton(AF_INET, host, b) == 1) {
		*why = v4_verdict(b);
		return 1;
	}
	if (inet_pton(AF_INET6, host, b) == 1) {
		*why = v6_verdict(b);
		return 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *url = malloc(size + 1);
	if (!url)
		return 0;
	memcpy(url, data, size);
	url[size] = '\0';

	rtk_webhook_target t;
	const char *bad = rtk_webhooks_target_parse(url, &t);
	if (bad) {
		if (t.host || t.port || t.authority || t.path)
			abort();
	} else {
		check_target(url, &t);
	}

	char *allowed = rtk_webhooks_check_url(url, 1, 0);
	if ((allowed != NULL) != (bad != NULL))
		abort();
	g_free(allowed);

	char *refused = rtk_webhooks_check_url(url, 0, 0);
	if (bad && !refused)
		abort();
	const char *why = NULL;
	if (!bad && literal_verdict(t.host, &why) && (why != NULL) != (refused != NULL))
		abort();
	g_free(refused);
	if (!bad)
		rtk_webhooks_target_clear(&t);

	check_addresses(data, size);

	int status = rtk_webhooks_status_of(url);
	if (status != -1 && (status < 100 || status > 999))
		abort();
	if (status != -1) {   /* the same line with another status reads as that status */
		const char *digits = strchr(url, ' ');   /* the one space after the version */
		if (digits)
			digits++;
		if (digits && strncmp(digits, "204", 3) != 0 && digits[0] >= '0' && digits[0] <= '9' &&
				digits[1] >= '0' && digits[1] <= '9' && digits[2] >= '0' && digits[2] <= '9') {
			char *changed = strdup(url);
			if (changed) {
				memcpy(changed + (digits - url), "204", 3);
				if (rtk_webhooks_status_of(changed) != 204)
					abort();
				free(changed);
			}
		}
	}
	free(url);
	return 0;
}
