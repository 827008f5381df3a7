/*
 * unit.h - a tiny, header-only test harness shared by every tests/unit/test_*.c.
 *
 * No framework: CHECK* macros print file:line on failure and count failures;
 * a test's main() ends with `return UNIT_DONE();`, which prints a summary and
 * returns non-zero when anything failed. Each test binary includes this once.
 *
 *	CHECK(cond)                    boolean
 *	CHECK_EQ_INT(actual, expected) integers (printed as long long)
 *	CHECK_EQ_STR(actual, expected) strings; NULL is allowed on either side
 *	CHECK_NULL(p) / CHECK_NOT_NULL(p)
 *	UNIT_RUN(fn)                   runs void fn(void) and names it in the log
 */
#ifndef RTK_TESTS_UNIT_H
#define RTK_TESTS_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unit_checks;
static int unit_failures;

static inline void unit_fail(const char *file, int line, const char *what)
{
	unit_failures++;
	fprintf(stderr, "%s:%d: FAIL: %s\n", file, line, what);
}

#define CHECK(cond) do { \
	unit_checks++; \
	if (!(cond)) \
		unit_fail(__FILE__, __LINE__, #cond); \
} while (0)

#define CHECK_EQ_INT(actual, expected) do { \
	long long unit_a_ = (long long)(actual), unit_e_ = (long long)(expected); \
	unit_checks++; \
	if (unit_a_ != unit_e_) { \
		unit_fail(__FILE__, __LINE__, #actual " == " #expected); \
		fprintf(stderr, "\tactual:   %lld\n\texpected: %lld\n", unit_a_, unit_e_); \
	} \
} while (0)

#define CHECK_EQ_STR(actual, expected) do { \
	const char *unit_a_ = (actual), *unit_e_ = (expected); \
	unit_checks++; \
	if (!((unit_a_ == NULL && unit_e_ == NULL) || \
	      (unit_a_ != NULL && unit_e_ != NULL && strcmp(unit_a_, unit_e_) == 0))) { \
		unit_fail(__FILE__, __LINE__, #actual " == " #expected); \
		fprintf(stderr, "\tactual:   %s%s%s\n\texpected: %s%s%s\n", \
			unit_a_ ? "\"" : "", unit_a_ ? unit_a_ : "(null)", unit_a_ ? "\"" : "", \
			unit_e_ ? "\"" : "", unit_e_ ? unit_e_ : "(null)", unit_e_ ? "\"" : ""); \
	} \
} while (0)

#define CHECK_NULL(p) CHECK((p) == NULL)
#define CHECK_NOT_NULL(p) CHECK((p) != NULL)

#define UNIT_RUN(fn) do { \
	int unit_before_ = unit_failures; \
	fn(); \
	fprintf(stderr, "%s %s\n", unit_failures == unit_before_ ? "ok  " : "FAIL", #fn); \
} while (0)

static inline int unit_done(const char *name)
{
	fprintf(stderr, "%s: %d checks, %d failures\n", name, unit_checks, unit_failures);
	return unit_failures ? 1 : 0;
}

#define UNIT_DONE() unit_done(__FILE__)

#endif
