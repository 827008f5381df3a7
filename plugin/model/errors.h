/*
 * errors.h - the refusal codes of the signalling protocol, and the refusal
 * a model function fills when it says no.
 *
 * Four-digit strings in RealtimeKit's module scheme (first two digits: the
 * module: 00 general, 05 chat, 06 plugins, 07 polls, 08 meeting, 09 permissions/presets,
 * 12 participant, 15 webinar, 20 stage). docs/protocol.md lists each with its meaning; keep
 * both in step.
 */
#ifndef RTK_ERRORS_H
#define RTK_ERRORS_H

#include <stdarg.h>
#include <glib.h>

#define RTK_ERR_BAD_REQUEST          "0001"
#define RTK_ERR_UNKNOWN_REQUEST      "0002"
#define RTK_ERR_NOT_JOINED           "0003"
#define RTK_ERR_ALREADY_JOINED       "0004"
#define RTK_ERR_TOKEN_MALFORMED      "0005"
#define RTK_ERR_TOKEN_EXPIRED        "0006"
#define RTK_ERR_TOKEN_FORGED         "0007"
#define RTK_ERR_JSEP_REQUIRED        "0008"
#define RTK_ERR_SDP                  "0009"
#define RTK_ERR_INTERNAL             "0010"
#define RTK_ERR_TOKEN_REVOKED        "0011"   /* a newer token was issued for the participant */
#define RTK_ERR_RATE_LIMITED         "0012"   /* too many of these requests in a short time */
#define RTK_ERR_CHAT_NOT_FOUND       "0501"   /* no such chat message (or the caller cannot see it) */
#define RTK_ERR_CHAT_NOT_AUTHOR      "0502"   /* editing another's message; deleting or pinning it without the right */
#define RTK_ERR_CHAT_CONTENT         "0503"   /* empty or too long text, a type that cannot change in an edit */
#define RTK_ERR_CHAT_RECIPIENT       "0504"   /* a private message that nobody named may receive */
#define RTK_ERR_CHAT_CHANNEL         "0505"   /* no such channel, or the caller is not a member */
#define RTK_ERR_CHAT_FILE            "0506"   /* no such upload of this meeting for an image or file message */
#define RTK_ERR_CHAT_LIMIT           "0507"   /* too many channels or members in this session */
#define RTK_ERR_PLUGIN_NOT_FOUND     "0601"   /* no plugin with that id in the registry */
#define RTK_ERR_PLUGIN_DISABLED      "0602"   /* the caller's preset lists it in config.disabledPlugins */
#define RTK_ERR_PLUGIN_NOT_ACTIVE    "0603"   /* deactivate, data, state or view mode of a plugin not active */
#define RTK_ERR_PLUGIN_VIEW_ONLY     "0604"   /* plugins.config.access_control VIEW_ONLY without view-only control */
#define RTK_ERR_PLUGIN_LIMIT         "0605"   /* too many active plugins, or state keys of one plugin */
#define RTK_ERR_PLUGIN_TOO_LARGE     "0606"   /* data, state key or value over its size limit */
#define RTK_ERR_POLL_NOT_FOUND       "0701"   /* no poll with that id in the live session */
#define RTK_ERR_POLL_ALREADY_VOTED   "0702"   /* one vote per participant per poll */
#define RTK_ERR_POLL_BAD_OPTION      "0703"   /* the option index is not one of the poll's */
#define RTK_ERR_POLL_INVALID         "0704"   /* question or options empty, too long or too many/few */
#define RTK_ERR_POLL_LIMIT           "0705"   /* the live session holds RTK_POLLS_MAX polls already */
#define RTK_ERR_MEETING_NOT_FOUND    "0801"
#define RTK_ERR_MEETING_INACTIVE     "0802"
#define RTK_ERR_CONNECTED_NOT_FOUND  "0803"   /* not the parent nor an ACTIVE connected meeting of it */
#define RTK_ERR_CONNECTED_INVALID    "0804"   /* a title empty or too long, too many meetings, source = destination */
#define RTK_ERR_CONNECTED_OCCUPIED   "0805"   /* deleting a connected meeting someone is still in */
#define RTK_ERR_MEETING_ELSEWHERE    "0806"   /* join: the meeting runs on another node (error.janusUrl) */
#define RTK_ERR_STAGE_ON_ORIGIN      "0807"   /* stage.requestAccess on a cascade edge: join the meeting's node
                                               * (error.janusUrl) with "origin": true and ask there */
#define RTK_ERR_PRESET_NOT_FOUND     "0901"
#define RTK_ERR_NOT_PERMITTED        "0902"   /* the preset lacks the permission (message names it) */
#define RTK_ERR_BAD_PERMISSIONS      "0903"   /* updatePermissions: unknown key, wrong type or value */
#define RTK_ERR_MEDIA_NOT_ALLOWED    "0904"   /* can_produce is not ALLOWED for that kind (nor granted by the stage) */
#define RTK_ERR_MEDIA_LOCKED         "0905"   /* a host disabled this kind without allowing unmute */
#define RTK_ERR_RECORDING_ACTIVE     "1001"   /* a recording runs and this or that one lacks allowMultiple */
#define RTK_ERR_RECORDING_NONE       "1002"   /* stop/pause/resume: no such recording, or none in a fitting state */
#define RTK_ERR_RECORDING_CONFIG     "1003"   /* bad videoConfig (codec, width, height) or fileNamePrefix */
#define RTK_ERR_RECORDING_FAILED     "1004"   /* the recorder process could not be started */
#define RTK_ERR_PARTICIPANT_DELETED  "1201"
#define RTK_ERR_PARTICIPANT_ABSENT   "1202"
#define RTK_ERR_UNKNOWN_STREAM       "1203"
#define RTK_ERR_TARGET_NOT_FOUND     "1204"   /* no such participant in the meeting */
#define RTK_ERR_NOT_WAITLISTED       "1205"   /* accept/reject of someone not in the waiting room */
#define RTK_ERR_OFF_STAGE            "1501"   /* publishing while off stage in a stage-enabled preset */
#define RTK_ERR_LIVESTREAM_ACTIVE    "1901"   /* start while a livestream runs */
#define RTK_ERR_LIVESTREAM_NONE      "1902"   /* stop without a running livestream */
#define RTK_ERR_LIVESTREAM_FAILED    "1903"   /* the HLS process could not be started */
#define RTK_ERR_STAGE_DISABLED       "2001"   /* the preset has stage_enabled false */
#define RTK_ERR_STAGE_NOT_ALLOWED    "2002"   /* stage_access NOT_ALLOWED */
#define RTK_ERR_STAGE_NO_REQUEST     "2003"   /* grant/deny/cancel without a pending request */
#define RTK_ERR_STAGE_NOT_ACCEPTED   "2004"   /* joining with CAN_REQUEST before being accepted */
#define RTK_ERR_STAGE_ALREADY        "2005"   /* already on stage, or a request already pending */
#define RTK_ERR_NOT_ON_STAGE         "2006"   /* leaving (or being removed from) a stage one is not on */

/* Why a model function said no: `code` is one of the strings above (static
 * storage), `message` a sentence naming what is wrong. */
typedef struct rtk_refusal {
	const char *code;
	char message[200];
} rtk_refusal;

/* Fills `why` (which may be NULL: the caller does not care why). */
static inline void rtk_refusal_set(rtk_refusal *why, const char *code, const char *format, ...) G_GNUC_PRINTF(3, 4);
static inline void rtk_refusal_set(rtk_refusal *why, const char *code, const char *format, ...) {
	if(why == NULL)
		return;
	why->code = code;
	va_list args;
	va_start(args, format);
	g_vsnprintf(why->message, sizeof(why->message), format, args);
	va_end(args);
}

/* The HTTP status of a REST call the plugin refused with `code` (docs/rest.md,
 * Recordings and Livestreams, Active session): 422 a bad recording config or
 * poll, 500 a companion that could not start, 409 any other state that does
 * not allow the call (one already running, none running, too many polls). */
static inline int rtk_refusal_http_status(const char *code) {
	if(!g_strcmp0(code, RTK_ERR_RECORDING_CONFIG) || !g_strcmp0(code, RTK_ERR_POLL_INVALID))
		return 422;
	if(!g_strcmp0(code, RTK_ERR_RECORDING_FAILED) || !g_strcmp0(code, RTK_ERR_LIVESTREAM_FAILED))
		return 500;
	return 409;
}

#endif
