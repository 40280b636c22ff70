/* numwords.c: spoken numbers and durations to values, and back to text. */
#include "brain/numwords.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/wz.h"

static const char *const small_words[] = {
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen"};
static const char *const tens_words[] = {"twenty", "thirty", "forty", "fifty",
                                         "sixty", "seventy", "eighty", "ninety"};

static int small_value(const char *w)
{
    for (size_t i = 0; i < WZ_ARRAY_LEN(small_words); i++)
        if (strcmp(w, small_words[i]) == 0) return (int)i;
    return -1;
}

static int tens_value(const char *w)
{
    for (size_t i = 0; i < WZ_ARRAY_LEN(tens_words); i++)
        if (strcmp(w, tens_words[i]) == 0) return (int)(i + 2) * 10;
    return -1;
}

static double scale_value(const char *w)
{
    if (strcmp(w, "thousand") == 0) return 1e3;
    if (strcmp(w, "million") == 0) return 1e6;
    if (strcmp(w, "billion") == 0) return 1e9;
    return 0;
}

/* Digits with optional thousands commas and one decimal point: "1,000", "2.5". */
static bool parse_digits(const char *w, double *out)
{
    char buf[64];
    size_t n = 0;
    bool digit = false;
    if (!*w) return false;
    for (const char *p = w; *p; p++) {
        if (*p == ',') continue;
        if (n + 1 >= sizeof buf) return false;
        if ((*p < '0' || *p > '9') && *p != '.') return false;
        if (*p != '.') digit = true;
        buf[n++] = *p;
    }
    buf[n] = 0;
    if (!digit || strchr(buf, '.') != strrchr(buf, '.')) return false;
    char *end = NULL;
    double v = strtod(buf, &end);
    if (!end || *end || !isfinite(v) || v > NUMWORDS_MAX) return false;
    *out = v;
    return true;
}

bool numwords_is_number_word(const char *w)
{
    double d;
    return small_value(w) >= 0 || tens_value(w) >= 0 || scale_value(w) > 0 ||
           strcmp(w, "hundred") == 0 || strcmp(w, "and") == 0 || strcmp(w, "a") == 0 ||
           strcmp(w, "point") == 0 || strcmp(w, "oh") == 0 || parse_digits(w, &d);
}

/* Digits after "point": "two point five" = 2.5, "three point one four". */
static bool parse_fraction(const char *const *words, size_t n, double *out)
{
    double f = 0, scale = 0.1;
    if (n == 0 || n > 12) return false;
    for (size_t i = 0; i < n; i++) {
        int v = small_value(words[i]);
        if (strcmp(words[i], "oh") == 0) v = 0;
        if (v < 0 || v > 9) return false;
        f += v * scale;
        scale /= 10;
    }
    *out = f;
    return true;
}

enum last_kind { K_NONE, K_A, K_UNIT, K_TEEN, K_TEN, K_HUNDRED, K_SCALE, K_AND };

bool numwords_parse(const char *const *words, size_t n, double *out)
{
    if (n == 0) return false;
    if (n == 1 && parse_digits(words[0], out)) return true;

    double total = 0, current = 0, last_scale = 1e18;
    enum last_kind last = K_NONE;
    for (size_t i = 0; i < n; i++) {
        const char *w = words[i];
        int sv = small_value(w), tv = tens_value(w);
        double sc = scale_value(w), dv = 0;
        if (strcmp(w, "point") == 0) {
            double frac;
            if (last == K_NONE || last == K_AND || last == K_A) return false;
            if (!parse_fraction(words + i + 1, n - i - 1, &frac)) return false;
            *out = total + current + frac;
            return true;
        } else if (strcmp(w, "and") == 0) {
            /* "one hundred and five", "two thousand and one" */
            if (last != K_HUNDRED && last != K_SCALE) return false;
            if (i + 1 >= n) return false;
            last = K_AND;
        } else if (strcmp(w, "a") == 0 || strcmp(w, "an") == 0) {
            if (last != K_NONE && last != K_AND) return false;
            current = 1;
            last = K_A;
        } else if (sv >= 0 || (parse_digits(w, &dv) && dv < 1000 && dv == floor(dv))) {
            int v = sv >= 0 ? sv : (int)dv;
            if (last == K_TEN) {
                if (v < 1 || v > 9) return false;
            } else if (last != K_NONE && last != K_HUNDRED && last != K_SCALE && last != K_AND) {
                return false;
            }
            if (sv < 0 && last != K_NONE) return false; /* digits only lead */
            current += v;
            last = (sv >= 10 || sv < 0) ? K_TEEN : K_UNIT;
        } else if (tv > 0) {
            if (last != K_NONE && last != K_HUNDRED && last != K_SCALE && last != K_AND)
                return false;
            current += tv;
            last = K_TEN;
        } else if (strcmp(w, "hundred") == 0) {
            if (last == K_HUNDRED || last == K_AND || current >= 100) return false;
            current = (last == K_NONE ? 1 : current) * 100;
            last = K_HUNDRED;
        } else if (sc > 0) {
            if (sc >= last_scale || last == K_AND) return false;
            total += (last == K_NONE ? 1 : current) * sc;
            current = 0;
            last_scale = sc;
            last = K_SCALE;
        } else {
            return false;
        }
    }
    if (last == K_A || last == K_AND) return false;
    *out = total + current;
    return *out <= NUMWORDS_MAX;
}

static double unit_seconds(const char *w)
{
    static const struct { const char *w; double s; } units[] = {
        {"second", 1}, {"seconds", 1}, {"sec", 1}, {"secs", 1},
        {"minute", 60}, {"minutes", 60}, {"min", 60}, {"mins", 60},
        {"hour", 3600}, {"hours", 3600}, {"hr", 3600}, {"hrs", 3600},
    };
    for (size_t i = 0; i < WZ_ARRAY_LEN(units); i++)
        if (strcmp(w, units[i].w) == 0) return units[i].s;
    return 0;
}

static bool is_half_tail(const char *const *w, size_t n)
{
    return n >= 3 && strcmp(w[n - 3], "and") == 0 && strcmp(w[n - 2], "a") == 0 &&
           strcmp(w[n - 1], "half") == 0;
}

bool numwords_duration(const char *const *words, size_t n, long *seconds)
{
    double total = 0;
    size_t i = 0;
    if (n == 0 || n > 32) return false;
    /* "half an hour", "half a minute" */
    if (n == 3 && strcmp(words[0], "half") == 0 &&
        (strcmp(words[1], "a") == 0 || strcmp(words[1], "an") == 0) && unit_seconds(words[2]) > 0) {
        *seconds = (long)(unit_seconds(words[2]) / 2);
        return *seconds > 0;
    }
    while (i < n) {
        size_t u = i;
        while (u < n && unit_seconds(words[u]) == 0) u++;
        if (u == n || u == i) return false;
        double v, half = 0;
        size_t span = u - i;
        if (is_half_tail(words + i, span)) { /* "one and a half minutes" */
            half = 0.5;
            span -= 3;
        }
        if (span == 1 && (strcmp(words[i], "a") == 0 || strcmp(words[i], "an") == 0)) v = 1;
        else if (!numwords_parse(words + i, span, &v)) return false;
        double unit = unit_seconds(words[u]);
        total += (v + half) * unit;
        i = u + 1;
        if (i + 3 <= n && is_half_tail(words + i, 3)) { /* "an hour and a half" */
            total += unit / 2;
            i += 3;
        }
        if (i < n && strcmp(words[i], "and") == 0) {
            i++;
            if (i == n) return false;
        }
        if (total > 1e9) return false;
    }
    *seconds = (long)llround(total);
    return *seconds > 0;
}

static size_t append(char *buf, size_t cap, size_t len, const char *fmt, long v, const char *unit,
                     bool plural)
{
    if (len >= cap) return len;
    int k = snprintf(buf + len, cap - len, fmt, v, unit, plural && v != 1 ? "s" : "");
    return k < 0 ? len : len + (size_t)k;
}

void numwords_format_duration(long seconds, bool adjective, char *buf, size_t cap)
{
    long h = seconds / 3600, m = seconds % 3600 / 60, s = seconds % 60;
    const char *unit[3] = {"hour", "minute", "second"};
    long val[3] = {h, m, s};
    int parts = (h > 0) + (m > 0) + (s > 0), done = 0;
    size_t len = 0;
    if (cap == 0) return;
    buf[0] = 0;
    if (seconds <= 0) {
        snprintf(buf, cap, adjective ? "0 second" : "0 seconds");
        return;
    }
    for (int i = 0; i < 3; i++) {
        if (val[i] <= 0) continue;
        const char *sep = "";
        if (done > 0) sep = adjective ? " " : (done == parts - 1 ? " and " : ", ");
        if (len < cap) len += (size_t)snprintf(buf + len, cap - len, "%s", sep);
        len = append(buf, cap, len, "%ld %s%s", val[i], unit[i], !adjective);
        done++;
    }
}
