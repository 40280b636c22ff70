/* normalize.c: spoken-form text normalisation for TTS. One left-to-right
 * scan; each branch recognises one kind of token and appends words. */
#include "brain/normalize.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    char *buf;
    size_t len, cap;
    bool full;
} sb;

static void put(sb *b, const char *s, size_t n)
{
    if (b->full || n >= b->cap - b->len) {
        b->full = true;
        return;
    }
    memcpy(b->buf + b->len, s, n);
    b->len += n;
    b->buf[b->len] = '\0';
}
static void puts_(sb *b, const char *s) { put(b, s, strlen(s)); }
static void putc_(sb *b, char c) { put(b, &c, 1); }
/* A word, with one separating space unless at the start or after a space. */
static void word(sb *b, const char *w)
{
    if (b->len && b->buf[b->len - 1] != ' ')
        putc_(b, ' ');
    puts_(b, w);
}

static const char *ones[] = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                             "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
                             "seventeen", "eighteen", "nineteen"};
static const char *tens[] = {"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"};
static const char *months[] = {"January", "February", "March", "April", "May", "June", "July",
                               "August", "September", "October", "November", "December"};

static void below_1000(sb *b, unsigned v)
{
    if (v >= 100) {
        word(b, ones[v / 100]);
        word(b, "hundred");
        v %= 100;
        if (!v)
            return;
    }
    if (v < 20) {
        word(b, ones[v]);
    } else {
        word(b, tens[v / 10]);
        if (v % 10)
            word(b, ones[v % 10]);
    }
}

static void number(sb *b, unsigned long long v)
{
    static const char *scale[] = {"", "thousand", "million", "billion", "trillion"};
    if (v >= 1000000000000000ULL) { /* read long digit strings one by one */
        char d[32];
        snprintf(d, sizeof d, "%llu", v);
        for (char *p = d; *p; p++)
            word(b, ones[*p - '0']);
        return;
    }
    if (v == 0) {
        word(b, "zero");
        return;
    }
    unsigned part[5];
    int n = 0;
    for (; v; v /= 1000)
        part[n++] = (unsigned)(v % 1000);
    for (int i = n - 1; i >= 0; i--) {
        if (!part[i])
            continue;
        below_1000(b, part[i]);
        if (i)
            word(b, scale[i]);
    }
}

/* "nineteen ninety nine", "twenty oh five", "two thousand". */
static void year(sb *b, unsigned y)
{
    if (y % 1000 == 0 || (y >= 2000 && y < 2010)) {
        number(b, y);
        return;
    }
    below_1000(b, y / 100);
    if (y % 100 == 0)
        word(b, "hundred");
    else if (y % 100 < 10) {
        word(b, "oh");
        word(b, ones[y % 10]);
    } else
        below_1000(b, y % 100);
}

/* Rewrites the last word in place into its ordinal form. */
static void ordinalise(sb *b)
{
    static const struct { const char *card, *ord; } irr[] = {
        {"one", "first"}, {"two", "second"}, {"three", "third"}, {"five", "fifth"},
        {"eight", "eighth"}, {"nine", "ninth"}, {"twelve", "twelfth"}};
    if (b->full)
        return;
    size_t start = b->len;
    while (start && b->buf[start - 1] != ' ')
        start--;
    char last[32];
    wz_strlcpy(last, b->buf + start, sizeof last);
    b->len = start;
    b->buf[start] = '\0';
    for (size_t i = 0; i < WZ_ARRAY_LEN(irr); i++)
        if (strcmp(last, irr[i].card) == 0) {
            puts_(b, irr[i].ord);
            return;
        }
    size_t n = strlen(last);
    if (n && last[n - 1] == 'y') {
        last[n - 1] = '\0';
        puts_(b, last);
        puts_(b, "ieth");
    } else {
        puts_(b, last);
        puts_(b, "th");
    }
}

static void digits(sb *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (isdigit((unsigned char)s[i]))
            word(b, ones[s[i] - '0']);
}

typedef struct { const char *abbr, *one, *many; bool attached_only; } unit_t;
/* Longest first where one is a prefix of another. */
static const unit_t units[] = {
    {"km/h", "kilometer per hour", "kilometers per hour", false},
    {"°C", "degree Celsius", "degrees Celsius", false},
    {"°F", "degree Fahrenheit", "degrees Fahrenheit", false},
    {"°", "degree", "degrees", false},
    {"mph", "mile per hour", "miles per hour", false},
    {"kph", "kilometer per hour", "kilometers per hour", false},
    {"km", "kilometer", "kilometers", false},
    {"kg", "kilogram", "kilograms", false},
    {"cm", "centimeter", "centimeters", false},
    {"mm", "millimeter", "millimeters", false},
    {"ml", "milliliter", "milliliters", false},
    {"ms", "millisecond", "milliseconds", false},
    {"kHz", "kilohertz", "kilohertz", false},
    {"MHz", "megahertz", "megahertz", false},
    {"GHz", "gigahertz", "gigahertz", false},
    {"Hz", "hertz", "hertz", false},
    {"KB", "kilobyte", "kilobytes", false},
    {"kB", "kilobyte", "kilobytes", false},
    {"MB", "megabyte", "megabytes", false},
    {"GB", "gigabyte", "gigabytes", false},
    {"TB", "terabyte", "terabytes", false},
    {"lbs", "pound", "pounds", false},
    {"lb", "pound", "pounds", false},
    {"oz", "ounce", "ounces", false},
    {"ft", "foot", "feet", false},
    {"min", "minute", "minutes", true},
    {"hr", "hour", "hours", true},
    {"h", "hour", "hours", true},
    {"s", "second", "seconds", true},
    {"m", "meter", "meters", true},
    {"g", "gram", "grams", true},
};

/* Matches a unit at s (after optional single space if !attached); returns
 * bytes consumed or 0. */
static size_t match_unit(const char *s, bool singular, sb *b)
{
    bool spaced = *s == ' ';
    const char *p = spaced ? s + 1 : s;
    for (size_t i = 0; i < WZ_ARRAY_LEN(units); i++) {
        const unit_t *u = &units[i];
        size_t n = strlen(u->abbr);
        if (strncmp(p, u->abbr, n) != 0 || (spaced && u->attached_only))
            continue;
        unsigned char next = (unsigned char)p[n];
        if (isalnum(next) || next >= 0x80)
            continue; /* "5 minutes" is not "5 min" + "utes" */
        word(b, singular ? u->one : u->many);
        return (size_t)(p - s) + n;
    }
    return 0;
}

static bool ci_prefix(const char *s, const char *p)
{
    for (; *p; s++, p++)
        if (tolower((unsigned char)*s) != *p)
            return false;
    return true;
}

/* "am", "pm", "a.m.", "p.m." after a time; returns bytes consumed. */
static size_t match_ampm(const char *s, sb *b)
{
    const char *p = s + (*s == ' ');
    static const char *forms[] = {"a.m.", "p.m.", "am", "pm"};
    for (size_t i = 0; i < 4; i++) {
        size_t n = strlen(forms[i]);
        if (ci_prefix(p, forms[i]) && !isalnum((unsigned char)p[n])) {
            word(b, forms[i][0] == 'a' ? "A M" : "P M");
            return (size_t)(p - s) + n;
        }
    }
    return 0;
}

static unsigned parse_uint(const char *s, size_t n)
{
    unsigned v = 0;
    for (size_t i = 0; i < n && v < 100000000; i++)
        v = v * 10 + (unsigned)(s[i] - '0');
    return v;
}

static size_t span_digits(const char *s)
{
    size_t n = 0;
    while (isdigit((unsigned char)s[n]))
        n++;
    return n;
}

/* Times, dates, numbers with their suffixes. s points at a digit; returns
 * bytes consumed. currency: 0, '$', 'E' (euro), 'L' (pound). */
static size_t number_token(const char *s, int currency, bool negative, sb *b)
{
    size_t n = span_digits(s);
    /* YYYY-MM-DD */
    if (n == 4 && s[4] == '-' && span_digits(s + 5) == 2 && s[7] == '-' && span_digits(s + 8) == 2) {
        unsigned y = parse_uint(s, 4), m = parse_uint(s + 5, 2), d = parse_uint(s + 8, 2);
        if (m >= 1 && m <= 12 && d >= 1 && d <= 31) {
            word(b, months[m - 1]);
            number(b, d);
            ordinalise(b);
            putc_(b, ',');
            year(b, y);
            return 10;
        }
    }
    /* H:MM[:SS] [am|pm] */
    if (n <= 2 && s[n] == ':' && span_digits(s + n + 1) == 2) {
        unsigned h = parse_uint(s, n), m = parse_uint(s + n + 1, 2);
        size_t used = n + 3;
        if (s[used] == ':' && span_digits(s + used + 1) == 2)
            used += 3; /* seconds are not spoken */
        if (h < 24 && m < 60) {
            number(b, h);
            if (m == 0) {
                char tmp[8];
                sb probe = {tmp, 0, sizeof tmp, false}; /* only asks "is am/pm next?" */
                if (!match_ampm(s + used, &probe))
                    word(b, h == 0 ? "hundred" : "o'clock");
            } else if (m < 10) {
                word(b, "oh");
                word(b, ones[m]);
            } else {
                number(b, m);
            }
            used += match_ampm(s + used, b);
            return used;
        }
    }
    /* Integer part with optional thousands separators. */
    unsigned long long v = 0;
    size_t i = 0;
    bool overflow = false, grouped = false;
    for (;;) {
        size_t k = span_digits(s + i);
        for (size_t j = 0; j < k; j++) {
            if (v > 100000000000000ULL)
                overflow = true;
            else
                v = v * 10 + (unsigned)(s[i + j] - '0');
        }
        i += k;
        if (s[i] == ',' && span_digits(s + i + 1) == 3 && !isdigit((unsigned char)s[i + 4])) {
            grouped = true;
            i++;
            continue;
        }
        break;
    }
    if (negative)
        word(b, "minus");
    if (overflow) {
        digits(b, s, i);
        return i;
    }
    /* Ordinals: 1st 2nd 3rd 4th. */
    if (!currency && (ci_prefix(s + i, "st") || ci_prefix(s + i, "nd") || ci_prefix(s + i, "rd") ||
                      ci_prefix(s + i, "th")) && !isalnum((unsigned char)s[i + 2])) {
        number(b, v);
        ordinalise(b);
        return i + 2;
    }
    bool has_frac = s[i] == '.' && isdigit((unsigned char)s[i + 1]);
    size_t fn = has_frac ? span_digits(s + i + 1) : 0;
    if (currency) {
        static const char *names[][2] = {{"dollar", "dollars"}, {"euro", "euros"}, {"pound", "pounds"}};
        int c = currency == '$' ? 0 : currency == 'E' ? 1 : 2;
        number(b, v);
        word(b, names[c][v != 1]);
        if (has_frac && fn == 2) {
            unsigned cents = parse_uint(s + i + 1, 2);
            if (cents) {
                number(b, cents);
                word(b, cents == 1 ? "cent" : "cents");
            }
            return i + 3;
        }
        return i;
    }
    if (!grouped && !has_frac && i == 4 && v >= 1100 && v <= 2099 && s[i] != '%' && !negative)
        year(b, (unsigned)v);
    else
        number(b, v);
    if (has_frac) {
        word(b, "point");
        digits(b, s + i + 1, fn);
        i += 1 + fn;
    }
    if (s[i] == '%') {
        word(b, "percent");
        return i + 1;
    }
    i += match_unit(s + i, v == 1 && !has_frac, b);
    return i;
}

typedef struct { const char *from, *to; } abbr_t;
static const abbr_t abbrs[] = {
    {"e.g.", "for example"}, {"i.e.", "that is"}, {"etc.", "et cetera"}, {"vs.", "versus"},
    {"approx.", "approximately"}, {"Dr.", "Doctor"}, {"Mr.", "Mister"}, {"Mrs.", "Missus"},
    {"Ms.", "Miz"}, {"St.", "Street"}, {"Ave.", "Avenue"}, {"Jr.", "Junior"}, {"No.", "number"},
    {"w/", "with"}, {"&", "and"}, {"@", "at"}, {"=", "equals"}, {"+", "plus"},
};

/* Returns the length of a URL starting at s ("http://", "https://", "www."),
 * and speaks its host without "www." as "example dot com". */
static size_t url_token(const char *s, sb *b)
{
    size_t i = 0;
    if (strncmp(s, "https://", 8) == 0)
        i = 8;
    else if (strncmp(s, "http://", 7) == 0)
        i = 7;
    else if (strncmp(s, "www.", 4) != 0)
        return 0;
    const char *host = s + i;
    if (strncmp(host, "www.", 4) == 0)
        host += 4;
    size_t end = (size_t)(host - s);
    while (s[end] && !isspace((unsigned char)s[end]) && s[end] != ')' && s[end] != '>' && s[end] != ']')
        end++;
    size_t hl = 0;
    while (host + hl < s + end && (isalnum((unsigned char)host[hl]) || host[hl] == '.' || host[hl] == '-'))
        hl++;
    while (hl && host[hl - 1] == '.')
        hl--; /* "example.com." at the end of a sentence */
    bool first = true;
    for (size_t k = 0; k < hl;) {
        size_t l = 0;
        while (k + l < hl && host[k + l] != '.')
            l++;
        if (!first)
            word(b, "dot");
        char part[64];
        snprintf(part, sizeof part, "%.*s", (int)WZ_MIN(l, sizeof part - 1), host + k);
        if (l)
            word(b, part);
        first = false;
        k += l + 1;
    }
    /* Keep sentence punctuation that followed the URL. */
    while (end > (size_t)(host - s) && strchr(".,;:!?", s[end - 1]))
        end--;
    return end;
}

/* UTF-8 sequence length at s and its code point; invalid bytes count as 1. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
    if (s[0] < 0x80) { *cp = s[0]; return 1; }
    size_t n = (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3 : (s[0] & 0xF8) == 0xF0 ? 4 : 1;
    uint32_t v = n == 2 ? s[0] & 0x1Fu : n == 3 ? s[0] & 0x0Fu : s[0] & 0x07u;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) { *cp = 0xFFFD; return 1; }
        v = (v << 6) | (s[i] & 0x3Fu);
    }
    *cp = n == 1 ? 0xFFFD : v;
    return n;
}

static bool is_emoji(uint32_t c)
{
    return (c >= 0x1F000 && c <= 0x1FAFF) || (c >= 0x2600 && c <= 0x27BF) || (c >= 0x2B00 && c <= 0x2BFF) ||
           c == 0xFE0F || c == 0x200D || (c >= 0x1F1E6 && c <= 0x1F1FF) || (c >= 0xE0020 && c <= 0xE007F);
}

/* Markdown at the start of a line: headings, quotes, bullets, numbered lists. */
static size_t line_start_markup(const char *s)
{
    size_t i = 0;
    while (s[i] == ' ' || s[i] == '\t')
        i++;
    size_t j = i;
    while (s[j] == '#' || s[j] == '>')
        j++;
    if (j > i && (s[j] == ' ' || !s[j]))
        return j;
    if ((s[i] == '-' || s[i] == '*' || s[i] == '+') && s[i + 1] == ' ')
        return i + 2;
    return i;
}

static bool word_boundary_before(const char *start, const char *p)
{
    return p == start || !isalnum((unsigned char)p[-1]);
}

int norm_number(unsigned long long v, char *out, size_t cap)
{
    if (!out || !cap)
        return WZ_INVAL;
    sb b = {out, 0, cap, false};
    out[0] = '\0';
    number(&b, v);
    if (b.full) {
        out[0] = '\0';
        return WZ_TOOBIG;
    }
    return WZ_OK;
}

int norm_text(const char *in, char *out, size_t cap)
{
    if (!in || !out || !cap)
        return WZ_INVAL;
    out[0] = '\0';
    if (strlen(in) > NORM_MAX_INPUT)
        return WZ_TOOBIG;
    sb b = {out, 0, cap, false};
    const char *s = in;
    bool line_start = true;
    while (*s && !b.full) {
        if (line_start) {
            s += line_start_markup(s);
            line_start = false;
            continue;
        }
        unsigned char c = (unsigned char)*s;
        if (c == '\n') {
            /* A line break ends a clause for the listener. */
            if (b.len && !strchr(".,;:!? ", b.buf[b.len - 1]))
                putc_(&b, ',');
            putc_(&b, ' ');
            s++;
            line_start = true;
            continue;
        }
        size_t n;
        if ((n = url_token(s, &b)) > 0 && word_boundary_before(in, s)) {
            s += n;
            continue;
        }
        if (c == '[') { /* [text](url) -> text */
            const char *close = strchr(s, ']');
            if (close && close[1] == '(' && strchr(close, ')')) {
                char inner[512];
                snprintf(inner, sizeof inner, "%.*s", (int)WZ_MIN((size_t)(close - s - 1), sizeof inner - 1), s + 1);
                char tmp[4096];
                if (norm_text(inner, tmp, sizeof tmp) == WZ_OK)
                    word(&b, tmp);
                s = strchr(close, ')') + 1;
                continue;
            }
        }
        if (c == '*' || c == '`' || c == '~' || c == '#' || c == '|' || c == '_' || c == '<' || c == '>' ||
            c == '"' || c == '(' || c == ')' || c == '[' || c == ']' || c == '{' || c == '}' || c == '\\') {
            if ((c == '|' || c == '_' || c == '(' || c == ')') && b.len && b.buf[b.len - 1] != ' ')
                putc_(&b, ' ');
            s++;
            continue;
        }
        bool matched = false;
        for (size_t k = 0; k < WZ_ARRAY_LEN(abbrs) && !matched; k++) {
            size_t al = strlen(abbrs[k].from);
            if (strncmp(s, abbrs[k].from, al) == 0 && word_boundary_before(in, s) &&
                !isalnum((unsigned char)s[al]) && (isalpha((unsigned char)abbrs[k].from[0]) || s == in || s[-1] == ' ') ) {
                word(&b, abbrs[k].to);
                s += al;
                matched = true;
            }
        }
        if (matched)
            continue;
        if (isdigit(c) && word_boundary_before(in, s)) {
            bool neg = s > in && s[-1] == '-' && (s - 1 == in || s[-2] == ' ');
            int cur = 0;
            if (s > in && s[-1] == '$')
                cur = '$';
            else if (s - in >= 3 && strncmp(s - 3, "\xE2\x82\xAC", 3) == 0)
                cur = 'E';
            else if (s - in >= 2 && strncmp(s - 2, "\xC2\xA3", 2) == 0)
                cur = 'L';
            if (neg && b.len && b.buf[b.len - 1] == '-')
                b.buf[--b.len] = '\0';
            s += number_token(s, cur, neg, &b);
            continue;
        }
        if (c == '$' && isdigit((unsigned char)s[1])) {
            s++;
            continue;
        }
        if (c >= 0x80) {
            uint32_t cp;
            n = utf8_decode((const unsigned char *)s, &cp);
            if (cp == 0x20AC || cp == 0xA3) { /* currency before a number */
                s += n;
                continue;
            }
            if (cp == 0x2019 || cp == 0x2018)
                putc_(&b, '\'');
            else if (cp == 0x2014 || cp == 0x2013)
                puts_(&b, ", ");
            else if (cp == 0x201C || cp == 0x201D || cp == 0xFFFD || is_emoji(cp))
                ;
            else
                put(&b, s, n);
            s += n;
            continue;
        }
        if (isspace(c)) {
            if (b.len && b.buf[b.len - 1] != ' ')
                putc_(&b, ' ');
            s++;
            continue;
        }
        if (b.len && strchr(".,;:!?", c) && b.buf[b.len - 1] == ' ')
            b.buf[--b.len] = '\0'; /* "word ." -> "word." */
        putc_(&b, (char)c);
        s++;
    }
    if (b.full) {
        out[0] = '\0';
        return WZ_TOOBIG;
    }
    /* Trim, and drop a leading ", " left by stripped markup. */
    size_t st = 0;
    while (out[st] == ' ' || out[st] == ',')
        st++;
    size_t len = b.len;
    while (len > st && (out[len - 1] == ' ' || out[len - 1] == ','))
        len--;
    memmove(out, out + st, len - st);
    out[len - st] = '\0';
    return WZ_OK;
}
