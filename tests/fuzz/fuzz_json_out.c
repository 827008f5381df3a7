/*
 * fuzz_json_out.c - differential libFuzzer target for rtk_json_out().
 *
 * The input is parsed by Jansson (any JSON text, NUL bytes and surrogate
 * escapes included); when it is an object or an array, rtk_json_out() must
 * give exactly the bytes json_dumps(v, 0) gives, and both must be NULL
 * together. A difference aborts with both texts.
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -Igateway \
 *   $(pkg-config --cflags --libs jansson) tests/fuzz/fuzz_json_out.c gateway/json_out.c
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_out.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *v = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (v == NULL || !(json_is_object(v) || json_is_array(v))) {
		json_decref(v);
		return 0;
	}
	char *ours = rtk_json_out(v);
	char *jansson = json_dumps(v, 0);
	if ((ours == NULL) != (jansson == NULL) || (ours && strcmp(ours, jansson) != 0)) {
		fprintf(stderr, "rtk_json_out: %s\njson_dumps:   %s\n", ours ? ours : "(null)",
			jansson ? jansson : "(null)");
		abort();
	}
	free(ours);
	free(jansson);
	json_decref(v);
	return 0;
}
