/*
 * json_out.c - JSON text of the REST replies (json_out.h).
 *
 * Owns the serialisation of every REST answer. Jansson's json_dumps()
 * pushes each character of each string through a callback and a UTF-8
 * decoder; for a page of 20 meetings that was about 70 us, two thirds of
 * the JSON cost of a GET and the largest single part of its CPU. This
 * writer produces the same bytes as json_dumps(v, 0) (", " and ": "
 * separators, keys in insertion order, raw UTF-8, the same escapes), but
 * copies the runs of a string that need no escape in one go. Strings in a
 * json_t are valid UTF-8 (Jansson checks on creation), so bytes >= 0x80 are
 * copied as they are. Reals are left to Jansson (its shortest-round-trip
 * formatting is not worth repeating for the few we send).
 */
#include "json_out.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct json_out {
	char *data;
	size_t len;
	size_t cap;
	bool failed;     /* out of memory, or a value Jansson cannot dump */
} json_out;

static void json_out_reserve(json_out *o, size_t more)
{
	if (o->failed || o->len + more + 1 <= o->cap)
		return;
	size_t cap = o->cap ? o->cap : 8192;   /* a page of 20 meetings is about 5.5 KB */
	while (cap < o->len + more + 1)
		cap *= 2;
	char *grown = realloc(o->data, cap);
	if (grown == NULL) {
		o->failed = true;
		return;
	}
	o->data = grown;
	o->cap = cap;
}

static void json_out_bytes(json_out *o, const char *bytes, size_t n)
{
	json_out_reserve(o, n);
	if (o->failed)
		return;
	memcpy(o->data + o->len, bytes, n);
	o->len += n;
}

static void json_out_char(json_out *o, char c)
{
	json_out_bytes(o, &c, 1);
}

/* The escape of byte `c`, or NULL when it is copied as it is. */
static const char *json_out_escape(unsigned char c, char buf[8])
{
	switch (c) {
	case '"': return "\\\"";
	case '\\': return "\\\\";
	case '\b': return "\\b";
	case '\f': return "\\f";
	case '\n': return "\\n";
	case '\r': return "\\r";
	case '\t': return "\\t";
	default:
		if (c < 0x20) {
			snprintf(buf, 8, "\\u%04X", c);
			return buf;
		}
		return NULL;
	}
}

static void json_out_string(json_out *o, const char *s, size_t n)
{
	json_out_char(o, '"');
	size_t run = 0;   /* start of the bytes not written yet */
	for (size_t i = 0; i < n; i++) {
		char buf[8];
		const char *escape = json_out_escape((unsigned char)s[i], buf);
		if (escape == NULL)
			continue;
		json_out_bytes(o, s + run, i - run);
		json_out_bytes(o, escape, strlen(escape));
		run = i + 1;
	}
	json_out_bytes(o, s + run, n - run);
	json_out_char(o, '"');
}

static void json_out_value(json_out *o, const json_t *v, int depth);

static void json_out_object(json_out *o, const json_t *v, int depth)
{
	const char *key;
	json_t *item;
	bool first = true;
	json_out_char(o, '{');
	json_object_foreach((json_t *)v, key, item) {
		if (!first)
			json_out_bytes(o, ", ", 2);
		first = false;
		json_out_string(o, key, strlen(key));
		json_out_bytes(o, ": ", 2);
		json_out_value(o, item, depth + 1);
	}
	json_out_char(o, '}');
}

static void json_out_array(json_out *o, const json_t *v, int depth)
{
	size_t n = json_array_size(v);
	json_out_char(o, '[');
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			json_out_bytes(o, ", ", 2);
		json_out_value(o, json_array_get(v, i), depth + 1);
	}
	json_out_char(o, ']');
}

static void json_out_value(json_out *o, const json_t *v, int depth)
{
	char number[32];
	if (o->failed)
		return;
	if (depth > 2048) {   /* what Jansson's parser allows; no REST reply comes near */
		o->failed = true;
		return;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		json_out_object(o, v, depth);
		break;
	case JSON_ARRAY:
		json_out_array(o, v, depth);
		break;
	case JSON_STRING:
		json_out_string(o, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER: {
		int n = snprintf(number, sizeof(number), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		json_out_bytes(o, number, (size_t)n);
		break;
	}
	case JSON_REAL: {
		char *text = json_dumps(v, JSON_ENCODE_ANY);
		if (text == NULL) {
			o->failed = true;   /* NaN or infinity: Jansson refuses them too */
			return;
		}
		json_out_bytes(o, text, strlen(text));
		free(text);
		break;
	}
	case JSON_TRUE:
		json_out_bytes(o, "true", 4);
		break;
	case JSON_FALSE:
		json_out_bytes(o, "false", 5);
		break;
	case JSON_NULL:
		json_out_bytes(o, "null", 4);
		break;
	}
}

char *rtk_json_out(const json_t *v)
{
	if (v == NULL || !(json_is_object(v) || json_is_array(v)))
		return NULL;
	json_out o = { 0 };
	json_out_value(&o, v, 0);
	if (!o.failed)
		json_out_reserve(&o, 0);
	if (o.failed || o.data == NULL) {
		free(o.data);
		return NULL;
	}
	o.data[o.len] = '\0';
	return o.data;
}
