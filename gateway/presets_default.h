/*
 * presets_default.h - the six presets every deployment starts with:
 * group_call_host, group_call_participant, webinar_presenter,
 * webinar_viewer, livestream_host, livestream_viewer.
 */
#ifndef RTK_PRESETS_DEFAULT_H
#define RTK_PRESETS_DEFAULT_H

#include <jansson.h>

/* A NEW reference to a JSON array of preset objects {name, config,
 * permissions, ui} in the REST shape (without id and timestamps). The
 * caller json_decref()s it. */
json_t *rtk_presets_default(void);

#endif
