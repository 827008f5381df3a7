/*
 * errors.h - the refusal codes of the signalling protocol.
 *
 * Four-digit strings in RealtimeKit's module scheme (first two digits: the
 * module). docs/protocol.md lists each with its meaning; keep both in step.
 */
#ifndef RTK_ERRORS_H
#define RTK_ERRORS_H

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
#define RTK_ERR_MEETING_NOT_FOUND    "0801"
#define RTK_ERR_MEETING_INACTIVE     "0802"
#define RTK_ERR_PRESET_NOT_FOUND     "0901"
#define RTK_ERR_PARTICIPANT_DELETED  "1201"
#define RTK_ERR_PARTICIPANT_ABSENT   "1202"
#define RTK_ERR_UNKNOWN_STREAM       "1203"

#endif
