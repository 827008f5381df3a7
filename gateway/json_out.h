/*
 * json_out.h - the JSON text of a REST reply, fast.
 *
 * rtk_json_out(v) returns exactly what json_dumps(v, 0) returns for an
 * object or an array (the same bytes: ", " and ": " separators, keys in
 * insertion order, raw UTF-8, Jansson's escapes and number formats), in a
 * malloc'd string the caller frees with free(); NULL when `v` is not an
 * object or array, holds a value Jansson cannot dump (NaN, infinity), or
 * memory ran out. `v` is borrowed. Why it exists: json_out.c.
 */
#ifndef RTK_JSON_OUT_H
#define RTK_JSON_OUT_H

#include <jansson.h>

char *rtk_json_out(const json_t *v);

#endif
