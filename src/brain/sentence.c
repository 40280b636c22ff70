/* sentence.c: incremental sentence splitting for streamed text. */
#include "brain/sentence.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "common/wz.h"

/* Never end a sentence after these (lowercase, without the final dot). */
static const char *const k_never_end[] = {
    "mr", "mrs", "ms", "dr", "prof", "st", "vs", "e.g", "i.e", "eg", "ie", "cf", "approx", "mt",
};
/* End only if the next word starts with a capital or a digit. */
static const char *const k_end_if_capital[] = {
    "etc", "a.m", "p.m", "inc", "ltd", "jr", "sr", "co", "corp", "u.s", "u.k",
};

enum { NEED_MORE = -1, NOT_HERE = -2 };

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static bool in_list(const char *word, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(word, list[i]) == 0)
            return true;
    return false;
}

/* Length of a terminator or closer at p: 1 for ASCII, 3 for the UTF-8
 * ellipsis (E2 80 A6) or right quotes (E2 80 99 / E2 80 9D), else 0. */
static size_t term_len(const char *p, size_t left, bool *is_ellipsis)
{
    unsigned char c = (unsigned char)p[0];
    if (c == '.' || c == '!' || c == '?')
        return 1;
    if (left >= 3 && c == 0xE2 && (unsigned char)p[1] == 0x80 && (unsigned char)p[2] == 0xA6) {
        *is_ellipsis = true;
        return 3;
    }
    return 0;
}

static size_t closer_len(const char *p, size_t left)
{
    unsigned char c = (unsigned char)p[0];
    if (c == '"' || c == '\'' || c == ')' || c == ']')
        return 1;
    if (left >= 3 && c == 0xE2 && (unsigned char)p[1] == 0x80 &&
        ((unsigned char)p[2] == 0x99 || (unsigned char)p[2] == 0x9D))
        return 3;
    return 0;
}

/* The word that ends at the dot at index dot (exclusive), lowercased into
 * out without its last dot; "" if too long. */
static void word_before(const char *buf, size_t dot, char *out, size_t cap)
{
    size_t start = dot;
    while (start > 0 && !is_space((unsigned char)buf[start - 1]) && buf[start - 1] != '(' &&
           buf[start - 1] != '"')
        start--;
    size_t n = dot - start;
    if (n >= cap) {
        out[0] = '\0';
        return;
    }
    memcpy(out, buf + start, n);
    out[n] = '\0';
}

static bool only_digits_before(const char *buf, size_t dot)
{
    size_t i = 0;
    while (i < dot && is_space((unsigned char)buf[i]))
        i++;
    if (i == dot)
        return false;
    for (; i < dot; i++)
        if (!isdigit((unsigned char)buf[i]))
            return false;
    return true;
}

/* Decides a single-dot terminator at index dot, followed by whitespace;
 * next is the first non-space byte after it. */
static bool dot_ends_sentence(const char *buf, size_t dot, unsigned char next)
{
    char word[16];
    word_before(buf, dot, word, sizeof(word));
    if (in_list(word, k_never_end, WZ_ARRAY_LEN(k_never_end)))
        return false;
    if (strlen(word) == 1 && isupper((unsigned char)word[0]) && word[0] != 'I')
        return false; /* an initial: "J. Smith" */
    if (only_digits_before(buf, dot))
        return false; /* a list number: "1. First" */
    if (in_list(word, k_end_if_capital, WZ_ARRAY_LEN(k_end_if_capital)))
        return isupper(next) || isdigit(next);
    return true;
}

/* Returns the end (exclusive) of the first complete sentence in buf, or
 * NEED_MORE when a boundary might follow once more text arrives. */
static long find_boundary(const char *buf, size_t len, bool final)
{
    size_t i = 0;
    while (i < len) {
        if (buf[i] == '\n')
            return (long)i + 1;
        bool ellipsis = false;
        size_t tl = term_len(buf + i, len - i, &ellipsis);
        if (tl == 0) {
            i++;
            continue;
        }
        /* Consume the whole run of terminators, then closers. */
        size_t j = i, dots = 0;
        bool strong = false;
        while (j < len && (tl = term_len(buf + j, len - j, &ellipsis)) > 0) {
            if (buf[j] == '.')
                dots++;
            if (buf[j] == '!' || buf[j] == '?')
                strong = true;
            j += tl;
        }
        size_t cl;
        while (j < len && (cl = closer_len(buf + j, len - j)) > 0)
            j += cl;
        if (j == len)
            return final ? (long)j : NEED_MORE;
        if (!is_space((unsigned char)buf[j])) {
            i = j; /* 3.14, example.com, e.g.x */
            continue;
        }
        if (strong)
            return (long)j;
        size_t k = j;
        while (k < len && is_space((unsigned char)buf[k]) && buf[k] != '\n')
            k++;
        if (k == len && !final)
            return NEED_MORE;
        unsigned char next = k < len ? (unsigned char)buf[k] : 'A';
        if (k < len && buf[k] == '\n')
            next = 'A';
        bool ends = (ellipsis || dots >= 2) ? !islower(next) : dot_ends_sentence(buf, i, next);
        if (ends)
            return (long)j;
        i = j;
    }
    return final && len > 0 ? (long)len : NEED_MORE;
}

static size_t emit(sentence_splitter *s, size_t end)
{
    char out[SENTENCE_MAX_BYTES + 1];
    size_t a = 0, b = end;
    while (a < b && is_space((unsigned char)s->buf[a]))
        a++;
    while (b > a && is_space((unsigned char)s->buf[b - 1]))
        b--;
    memcpy(out, s->buf + a, b - a);
    out[b - a] = '\0';
    memmove(s->buf, s->buf + end, s->len - end);
    s->len -= end;
    if (b > a) {
        s->fn(s->ctx, out);
        return 1;
    }
    return 0;
}

/* The buffer is full with no boundary: cut at the last space, else at the
 * last UTF-8 lead byte so no character is split. */
static size_t forced_cut(const sentence_splitter *s)
{
    for (size_t i = s->len; i > s->len / 2; i--)
        if (is_space((unsigned char)s->buf[i - 1]))
            return i;
    size_t i = s->len - 1;
    while (i > 1 && ((unsigned char)s->buf[i] & 0xC0) == 0x80)
        i--;
    return i;
}

static size_t drain(sentence_splitter *s, bool final)
{
    size_t n = 0;
    for (;;) {
        long end = find_boundary(s->buf, s->len, final);
        if (end <= 0)
            break;
        n += emit(s, (size_t)end);
    }
    return n;
}

void sentence_init(sentence_splitter *s, sentence_fn fn, void *ctx)
{
    s->len = 0;
    s->buf[0] = '\0';
    s->fn = fn;
    s->ctx = ctx;
}

size_t sentence_feed(sentence_splitter *s, const char *text, size_t len)
{
    size_t n = 0;
    while (len > 0) {
        size_t room = SENTENCE_MAX_BYTES - s->len;
        size_t take = len < room ? len : room;
        memcpy(s->buf + s->len, text, take);
        s->len += take;
        text += take;
        len -= take;
        n += drain(s, false);
        if (s->len == SENTENCE_MAX_BYTES)
            n += emit(s, forced_cut(s));
    }
    return n;
}

size_t sentence_flush(sentence_splitter *s)
{
    size_t n = drain(s, true);
    if (s->len > 0)
        n += emit(s, s->len);
    return n;
}

void sentence_reset(sentence_splitter *s) { s->len = 0; }

char *sentence_strip_markdown(char *s)
{
    char *r = s, *w = s;
    while (*r == '#' || *r == ' ')
        r++;
    if ((r[0] == '-' || r[0] == '*') && r[1] == ' ')
        r += 2;
    for (; *r; r++)
        if (*r != '*' && *r != '`')
            *w++ = *r;
    *w = '\0';
    return s;
}
