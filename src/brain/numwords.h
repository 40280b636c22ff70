/* numwords.h: spoken numbers and durations ("one hundred and five", "two
 * minutes and thirty seconds", "an hour and a half") as well as digits.
 *
 * Pure functions over arrays of lower-case words: no allocation, no I/O,
 * thread-safe, and safe on the audio thread (though nothing there needs them). */
#ifndef WZ_NUMWORDS_H
#define WZ_NUMWORDS_H

#include <stdbool.h>
#include <stddef.h>

/* Largest value accepted (1e12): bigger spoken numbers are rejected, so a
 * duration or a level can never overflow an int64. */
#define NUMWORDS_MAX 1e12

/* Parses ALL of words[0..n) as one number: digits ("150", "2.5", "1,000")
 * or spoken words ("one hundred and five", "twenty five", "two point five",
 * "a hundred"). Returns true and sets *out; false if the words are not
 * exactly one number. */
bool numwords_parse(const char *const *words, size_t n, double *out);

/* Parses ALL of words[0..n) as a duration: one or more "<number> <unit>"
 * groups joined by optional "and", units second/minute/hour (and short
 * forms), plus "half an hour", "an hour and a half", "a minute and a half".
 * Returns true and sets *seconds (rounded, > 0). */
bool numwords_duration(const char *const *words, size_t n, long *seconds);

/* True when w can be part of a spoken number (used to bound slot spans). */
bool numwords_is_number_word(const char *w);

/* Formats seconds as "2 minutes and 30 seconds" (or, with adjective=true,
 * "2 minute 30 second" for "your 2 minute timer"). Always NUL-terminates. */
void numwords_format_duration(long seconds, bool adjective, char *buf, size_t cap);

#endif
