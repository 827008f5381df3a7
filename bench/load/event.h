/*
 * event.h - reading the Janus API messages rtk-load polls (event.c; part of rtk-load, load.h):
 * which request a message answers, for janus.plugin.rtk (`rtk` names the event) and Debian's
 * janus.plugin.videoroom (`videoroom` names it; "event" carries the answered key). GLib and
 * jansson only: tests/fuzz/fuzz_load_event.c builds it alone. Borrowed json_t in, nothing owned out.
 */
#ifndef RTK_LOAD_EVENT_H
#define RTK_LOAD_EVENT_H

#include <glib.h>
#include <jansson.h>

/* Which plugin's events: janus.plugin.rtk or janus.plugin.videoroom. */
typedef enum lc_plugin { LC_PLUGIN_RTK = 0, LC_PLUGIN_VIDEOROOM } lc_plugin;

/* Whether one polled message (any JSON) answers a request sent on `handle`: 1 the expected event,
 * -1 an error (a hangup, an rtk "error", a VideoRoom event with "error"), 0 neither.
 * rtk: `expect` is the event's `rtk` value. VideoRoom: `expect` is the `videoroom` value
 * ("joined", "attached", "success"), or a key of a videoroom "event" ("configured", "started"). */
int lc_event_matches(json_t *message, guint64 handle, lc_plugin plugin, const char *expect);
/* The plugin data of a message ({"plugindata": {"data": ...}}), or NULL. */
json_t *lc_event_data(json_t *message);
/* A positive integer field of the plugin data (a VideoRoom feed id), or 0. */
guint64 lc_event_id(json_t *message, const char *field);
/* VideoRoom `listparticipants` answer: appends the id (guint64) of every participant marked
 * "publisher": true with a positive id to `feeds` (the caller's); returns how many. */
guint lc_event_publisher_feeds(json_t *message, GArray *feeds);
/* The video streams a `subscribed` (rtk: `kind`) or `attached` (VideoRoom: `type`) lists. */
int lc_event_video_streams(json_t *message, lc_plugin plugin);
/* rtk's `publisherLayers` (docs/protocol.md, "Forwarding policy") on a publisher's main handle:
 * the layers the server wants of the stream on m-line `mid`, as a mask (bit l: substream l, from
 * the first 3 flags of `layers`); -1 when the message is not such an event for that mid, or its
 * `layers` is not an array of booleans. `*sender` (may be NULL) receives the message's handle. */
int lc_event_publisher_layers(json_t *message, const char *mid, guint64 *sender);

#endif
