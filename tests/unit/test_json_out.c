/*
 * test_json_out.c - rtk_json_out() (gateway/json_out.c) writes exactly what
 * json_dumps(v, 0) writes: every escape, raw UTF-8, integers at their
 * limits, reals (left to Jansson), empty and nested containers, keys in
 * insertion order, a whole REST envelope; NULL where Jansson fails too.
 */
#include <math.h>
#include "unit.h"
#include "json_out.h"

/* Parses `text`, then compares both writers on it. */
static void same_as_jansson(const char *text)
{
	json_error_t error;
	json_t *v = json_loads(text, JSON_ALLOW_NUL, &error);
	if (v == NULL) {
		fprintf(stderr, "bad test JSON %s: %s\n", text, error.text);
		CHECK(0);
		return;
	}
	char *ours = rtk_json_out(v), *theirs = json_dumps(v, 0);
	CHECK_EQ_STR(ours, theirs);
	free(ours);
	free(theirs);
	json_decref(v);
}

static void test_same_bytes(void)
{
	same_as_jansson("{}");
	same_as_jansson("[]");
	same_as_jansson("[[], {}, [[{}]]]");
	same_as_jansson("{\"success\": true, \"data\": [{\"id\": \"6d31\", \"title\": null, \"status\": \"ACTIVE\","
		" \"record_on_start\": false}], \"paging\": {\"total_count\": 100000, \"start_offset\": 1}}");
	same_as_jansson("[\"\\u0000\\u0001\\u001f \\\" \\\\ \\/ \\b \\f \\n \\r \\t x\"]");
	same_as_jansson("[\"\\u00e9 \\u2028 \\u2029 \\ud83d\\ude00 \\u007f \\u0080\"]");
	same_as_jansson("[\"\", \"a\", \"\\\"\", \"ends with escape\\n\", \"\\nstarts with escape\"]");
	same_as_jansson("[0, -1, 9223372036854775807, -9223372036854775808]");
	same_as_jansson("[0.5, -0.0, 1e300, 1e-300, 3.0, 123456789.125, 0.1]");
	same_as_jansson("{\"z\": 1, \"a\": 2, \"m\": {\"\": [true, false, null]}}");
	same_as_jansson("{\"key with \\\"quotes\\\" and \\n\": \"v\"}");
}

static void test_refusals(void)
{
	CHECK_NULL(rtk_json_out(NULL));
	json_t *scalar = json_string("not a container");
	CHECK_NULL(rtk_json_out(scalar));
	json_decref(scalar);
	json_t *nan = json_pack("[f]", 1.0);
	json_real_set(json_array_get(nan, 0), NAN);   /* Jansson refuses to set it: stays 1.0 */
	char *ours = rtk_json_out(nan), *theirs = json_dumps(nan, 0);
	CHECK_EQ_STR(ours, theirs);
	free(ours);
	free(theirs);
	json_decref(nan);
}

/* A large reply: the growing buffer keeps every byte. */
static void test_large(void)
{
	json_t *list = json_array();
	for (int i = 0; i < 5000; i++)
		json_array_append_new(list, json_pack("{s:i, s:s}", "i", i, "s", "0123456789abcdef\t"));
	char *ours = rtk_json_out(list), *theirs = json_dumps(list, 0);
	CHECK_EQ_STR(ours, theirs);
	CHECK(ours && strlen(ours) > 5000 * 30);
	free(ours);
	free(theirs);
	json_decref(list);
}

int main(void)
{
	UNIT_RUN(test_same_bytes);
	UNIT_RUN(test_refusals);
	UNIT_RUN(test_large);
	return UNIT_DONE();
}
