/*
 * fuzz_track_config.c - libFuzzer target for rtk_track_config_parse(), the
 * reader of POST /v2/recordings/track's layers, user_ids and max_seconds
 * (plugin/model/track_config.h), and of the file names a recording makes.
 *
 * Per input (a JSON body): the parser must accept or refuse with a message;
 * what it accepts must be in range (max_seconds 0..86400, 1..100 user ids,
 * prefixes file name characters); then a track opened for a participant
 * whose ids are the body's first user id must get a plain file name (no
 * '/', not starting with a dot) and the list must serialize.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "track_config.h"

static void check_name(const char *s)
{
	if (s == NULL || s[0] == '\0' || s[0] == '.' || strchr(s, '/') != NULL)
		abort();
	for (const char *p = s; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_' && *p != '.')
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (body == NULL)
		return 0;
	rtk_track_config c;
	rtk_refusal why;
	memset(&why, 0, sizeof why);
	rtk_track_config_init(&c);
	if (!rtk_track_config_parse(body, &c, &why)) {
		if (why.message[0] == '\0')
			abort();   /* a refusal always says why */
	} else {
		if (c.max_seconds < 0 || c.max_seconds > 86400)
			abort();
		if (c.user_ids != NULL && (c.user_ids->len < 1 || c.user_ids->len > RTK_TRACK_USER_IDS_MAX))
			abort();
		const char *id = c.user_ids ? g_ptr_array_index(c.user_ids, 0) : "p";
		rtk_track_list *list = rtk_track_list_new();
		rtk_track_owner who = { id, "peer", id, "name" };
		for (int k = 0; k < RTK_TRACK_KINDS; k++) {
			if (c.prefix[k][0])
				check_name(c.prefix[k]);
			if (rtk_track_config_records(&c, (rtk_track_kind)k, id, NULL))
				check_name(rtk_track_list_open(list, &c, &who, (rtk_track_kind)k, k ? "vp8" : "opus", (guint32)k, "t"));
		}
		rtk_track_list_close_all(list, "t");
		json_decref(rtk_track_list_json(list, FALSE));
		rtk_track_list_free(list);
	}
	rtk_track_config_clear(&c);
	json_decref(body);
	return 0;
}
