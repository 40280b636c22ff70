/* calc.c: recursive-descent evaluator for written and spoken arithmetic.
 *
 *   expr    := term (("+"|plus|"-"|minus) term)*
 *   term    := unary (("*"|times|x|multiplied by|"/"|divided by|over) unary)*
 *   unary   := ("-"|minus|negative) unary | power
 *   power   := postfix (("^"|to the power of|raised to [the power of]) unary)?
 *   postfix := primary (squared|cubed|percent [of unary])*
 *   primary := number | "(" expr ")" | [the] square root of unary | sqrt unary */
#include "brain/calc.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "brain/numwords.h"

#define CALC_TOKENS_MAX 96

typedef struct {
    const char *tok[CALC_TOKENS_MAX];
    size_t n, pos;
    int depth;
    const char *err;
    char buf[2 * CALC_TEXT_MAX + 2];
} calc_state;

static bool is(calc_state *s, size_t off, const char *w)
{
    return s->pos + off < s->n && strcmp(s->tok[s->pos + off], w) == 0;
}

/* Consumes the space-separated words of phrase if they come next. */
static bool accept(calc_state *s, const char *phrase)
{
    char tmp[64];
    size_t k = 0;
    snprintf(tmp, sizeof tmp, "%s", phrase);
    for (char *save = NULL, *w = strtok_r(tmp, " ", &save); w; w = strtok_r(NULL, " ", &save), k++)
        if (!is(s, k, w)) return false;
    s->pos += k;
    return true;
}

static bool fail(calc_state *s, const char *why)
{
    if (!s->err) s->err = why;
    return false;
}

static bool parse_expr(calc_state *s, double *out);
static bool parse_unary(calc_state *s, double *out);

static bool parse_number(calc_state *s, double *out)
{
    size_t max = 0;
    while (s->pos + max < s->n && max < 16 && numwords_is_number_word(s->tok[s->pos + max])) max++;
    for (size_t len = max; len > 0; len--) {
        if (numwords_parse(s->tok + s->pos, len, out)) {
            s->pos += len;
            return true;
        }
    }
    return fail(s, "expected a number");
}

static bool parse_primary(calc_state *s, double *out)
{
    if (++s->depth > CALC_DEPTH_MAX) return fail(s, "expression nested too deep");
    bool ok;
    if (accept(s, "(")) {
        ok = parse_expr(s, out) && (accept(s, ")") || fail(s, "missing )"));
    } else if (accept(s, "the square root of") || accept(s, "square root of") ||
               accept(s, "square root") || accept(s, "sqrt")) {
        ok = parse_unary(s, out);
        if (ok && *out < 0) ok = fail(s, "square root of a negative number");
        if (ok) *out = sqrt(*out);
    } else {
        ok = parse_number(s, out);
    }
    s->depth--;
    return ok;
}

static bool parse_postfix(calc_state *s, double *out)
{
    if (!parse_primary(s, out)) return false;
    for (;;) {
        if (accept(s, "squared")) {
            *out = *out * *out;
        } else if (accept(s, "cubed")) {
            *out = *out * *out * *out;
        } else if (accept(s, "percent") || accept(s, "per cent")) {
            *out /= 100;
            if (accept(s, "of")) {
                double base;
                if (!parse_unary(s, &base)) return false;
                *out *= base;
            }
        } else {
            return true;
        }
    }
}

static bool parse_power(calc_state *s, double *out)
{
    if (!parse_postfix(s, out)) return false;
    if (accept(s, "^") || accept(s, "to the power of") || accept(s, "raised to the power of") ||
        accept(s, "raised to")) {
        double e;
        if (!parse_unary(s, &e)) return false;
        *out = pow(*out, e);
    }
    return true;
}

static bool parse_unary(calc_state *s, double *out)
{
    if (++s->depth > CALC_DEPTH_MAX) return fail(s, "expression nested too deep");
    bool ok;
    if (accept(s, "-") || accept(s, "minus") || accept(s, "negative")) {
        ok = parse_unary(s, out);
        if (ok) *out = -*out;
    } else {
        ok = parse_power(s, out);
    }
    s->depth--;
    return ok;
}

static bool parse_term(calc_state *s, double *out)
{
    if (!parse_unary(s, out)) return false;
    for (;;) {
        double r;
        if (accept(s, "*") || accept(s, "times") || accept(s, "x") || accept(s, "multiplied by")) {
            if (!parse_unary(s, &r)) return false;
            *out *= r;
        } else if (accept(s, "/") || accept(s, "divided by") || accept(s, "over")) {
            if (!parse_unary(s, &r)) return false;
            if (r == 0) return fail(s, "division by zero");
            *out /= r;
        } else {
            return true;
        }
    }
}

static bool parse_expr(calc_state *s, double *out)
{
    if (!parse_term(s, out)) return false;
    for (;;) {
        double r;
        if (accept(s, "+") || accept(s, "plus")) {
            if (!parse_term(s, &r)) return false;
            *out += r;
        } else if (accept(s, "-") || accept(s, "minus")) {
            if (!parse_term(s, &r)) return false;
            *out -= r;
        } else {
            return true;
        }
    }
}

/* Splits into lower-case words; operator symbols are words of their own. */
static int split(calc_state *s, const char *expr)
{
    size_t used = 0;
    s->n = 0;
    for (const char *p = expr; *p;) {
        unsigned char c = (unsigned char)*p;
        size_t len = 0;
        char word[CALC_TEXT_MAX + 1];
        if (isspace(c)) {
            p++;
            continue;
        }
        if (strchr("+-*/^()%", c)) {
            word[len++] = c == '%' ? 0 : (char)c;
            if (c == '%') len = (size_t)snprintf(word, sizeof word, "percent");
            p++;
        } else {
            while (*p && !isspace((unsigned char)*p) && !strchr("+-*/^()%", *p))
                word[len++] = (char)tolower((unsigned char)*p++);
        }
        word[len] = 0;
        if (s->n >= CALC_TOKENS_MAX || used + len + 1 > sizeof s->buf) return WZ_TOOBIG;
        memcpy(s->buf + used, word, len + 1);
        s->tok[s->n++] = s->buf + used;
        used += len + 1;
    }
    return WZ_OK;
}

int calc_eval(const char *expr, double *out, char *err, size_t errlen)
{
    calc_state s = {0};
    if (errlen) err[0] = 0;
    if (strlen(expr) > CALC_TEXT_MAX || split(&s, expr)) {
        snprintf(err, errlen, "expression too long");
        return WZ_TOOBIG;
    }
    if (s.n == 0) {
        snprintf(err, errlen, "empty expression");
        return WZ_INVAL;
    }
    double v = 0;
    if (!parse_expr(&s, &v) || s.pos != s.n) {
        snprintf(err, errlen, "%s", s.err ? s.err : "unexpected words at the end");
        return WZ_INVAL;
    }
    if (!isfinite(v)) {
        snprintf(err, errlen, "result is not a finite number");
        return WZ_INVAL;
    }
    *out = v;
    return WZ_OK;
}

void calc_format(double v, char *buf, size_t cap)
{
    if (fabs(v) < 1e15 && v == floor(v)) {
        snprintf(buf, cap, "%.0f", v == 0 ? 0.0 : v);
        return;
    }
    snprintf(buf, cap, "%.4f", v);
    char *dot = strchr(buf, '.');
    if (dot && !strchr(buf, 'e')) {
        char *end = buf + strlen(buf) - 1;
        while (end > dot && *end == '0') *end-- = 0;
        if (end == dot) *end = 0;
    }
}
