/*
 * permissions.h - a preset's permissions as typed values.
 *
 * Owns the translation of a preset's `permissions` JSON (REST shape, see
 * docs/rest.md) into the fields the server checks on every request, so the
 * checks never walk JSON. Missing or malformed fields read as the most
 * restrictive value.
 */
#ifndef RTK_PERMISSIONS_H
#define RTK_PERMISSIONS_H

#include <glib.h>
#include <jansson.h>

typedef enum rtk_produce {
	RTK_PRODUCE_NOT_ALLOWED = 0,
	RTK_PRODUCE_ALLOWED,
	RTK_PRODUCE_CAN_REQUEST
} rtk_produce;

typedef enum rtk_media_kind {
	RTK_MEDIA_AUDIO = 0,
	RTK_MEDIA_VIDEO,
	RTK_MEDIA_SCREENSHARE,
	RTK_MEDIA_KINDS
} rtk_media_kind;

typedef struct rtk_permissions {
	rtk_produce produce[RTK_MEDIA_KINDS];
	gboolean hidden_participant;
	gboolean show_participant_list;
	gboolean stage_enabled;
} rtk_permissions;

/* `permissions` is borrowed and may be NULL (everything refused). */
void rtk_permissions_parse(rtk_permissions *out, const json_t *permissions);
rtk_produce rtk_produce_from_string(const char *value);
const char *rtk_media_kind_name(rtk_media_kind kind);   /* "audio", "video", "screenshare" */

#endif
