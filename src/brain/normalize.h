/* normalize.h: text normalisation before TTS (prefix norm_).
 *
 * Turns what an LLM or a tool writes into words a synthesiser reads well:
 *   "5:07 PM"      -> "five oh seven P M"       times (12 h and 24 h)
 *   "2026-11-27"   -> "November twenty seventh, twenty twenty six"
 *   "1,234.5"      -> "one thousand two hundred thirty four point five"
 *   "45%"          -> "forty five percent"      "21st" -> "twenty first"
 *   "$3.50"        -> "three dollars fifty cents"
 *   "12 km/h" "20°C" "5 GB"                     units
 *   "Dr." "e.g." "etc." "vs." "&"               common abbreviations
 *   "https://www.example.com/a?b" -> "example dot com"
 *   **bold**, `code`, # headings, [text](url), bullets, emoji -> removed
 * Four-digit numbers 1100-2099 that stand alone read as years ("nineteen
 * ninety nine"), except whole thousands ("two thousand").
 *
 * Pure functions: no global state, thread-safe, allocate nothing; not for the
 * audio thread only because of cost (~µs per sentence). Fuzzed by
 * fuzz/fuzz_normalize.c. */
#ifndef WZ_NORMALIZE_H
#define WZ_NORMALIZE_H

#include <stddef.h>

#include "common/wz.h"

/* Longest input accepted: 16 KiB (a long LLM reply). */
#define NORM_MAX_INPUT (16 * 1024)

/* Normalises in (UTF-8, NUL-terminated) into out. Output is at most ~8x the
 * input for digit-heavy text; give cap >= 8 * strlen(in) + 1 to be safe.
 * Returns WZ_OK, WZ_TOOBIG if in is longer than NORM_MAX_INPUT or the result
 * does not fit in cap (out is then "" rather than cut mid-word), WZ_INVAL on
 * NULL arguments or cap 0. */
WZ_MUST_CHECK int norm_text(const char *in, char *out, size_t cap);

/* Spells a non-negative integer < 10^15 in words ("one hundred twenty
 * three"); larger values are read digit by digit. Same errors as norm_text. */
WZ_MUST_CHECK int norm_number(unsigned long long v, char *out, size_t cap);

#endif
