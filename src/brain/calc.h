/* calc.h: arithmetic over written or spoken expressions:
 *   "7 * 8", "seven times eight", "square root of 81", "15 percent of 80",
 *   "two to the power of ten", "(1 + 2) / 3", "five squared", "minus three".
 * A small recursive-descent parser of our own; fuzzed by fuzz/fuzz_calc.c.
 *
 * Pure: no allocation beyond the stack (about 1.5 KB), no I/O, thread-safe.
 * Recursion is capped at CALC_DEPTH_MAX, so hostile input cannot exhaust the stack. */
#ifndef WZ_CALC_H
#define WZ_CALC_H

#include <stddef.h>

#include "common/wz.h"

#define CALC_TEXT_MAX 512  /* longer expressions are rejected with WZ_TOOBIG */
#define CALC_DEPTH_MAX 32  /* nesting of parentheses and unary operators */

/* Evaluates expr. Returns WZ_OK and *out, WZ_TOOBIG for over-long input, or
 * WZ_INVAL with a short reason in err ("division by zero", "not a number"...). */
int calc_eval(const char *expr, double *out, char *err, size_t errlen) WZ_MUST_CHECK;

/* Formats a result for speech: integers without decimals, else up to 4
 * significant decimals ("2.5", "0.3333"). */
void calc_format(double v, char *buf, size_t cap);

#endif
