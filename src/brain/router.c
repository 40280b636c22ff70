/* router.c: multi-intent splitting and control phrases over intents. */
#include "brain/router.h"

#include <stdlib.h>
#include <string.h>

struct router {
    intents *it;
};

int router_create(router **out, const char *intents_dir, char *err, size_t errlen)
{
    *out = NULL;
    router *r = calloc(1, sizeof *r);
    if (!r) return WZ_NOMEM;
    int rc = intents_load_dir(intents_dir, &r->it, err, errlen);
    if (rc) {
        free(r);
        return rc;
    }
    *out = r;
    return WZ_OK;
}

void router_destroy(router *r)
{
    if (!r) return;
    intents_free(r->it);
    free(r);
}

const intents *router_intents(const router *r) { return r->it; }

void router_result_clear(router_result *res)
{
    for (size_t i = 0; i < res->ncalls; i++) json_decref(res->calls[i].args);
    memset(res, 0, sizeof *res);
}

static bool is_conj(const intents_words *w, size_t i)
{
    const char *t = w->norm[i];
    return strcmp(t, "and") == 0 || strcmp(t, "then") == 0 || strcmp(t, ",") == 0 ||
           strcmp(t, "also") == 0;
}

static bool is_control(const intents_match *m) { return strcmp(m->tool, "control") == 0; }

/* Splits words[lo..n) into commands, longest first; backtracks on failure. */
typedef bool fail_memo[INTENTS_WORDS_MAX + 1][ROUTER_CALLS_MAX + 1];

static bool split_from(const router *r, const intents_words *w, size_t lo, router_result *res,
                       fail_memo failed)
{
    if (lo == w->n) return true;
    if (res->ncalls >= ROUTER_CALLS_MAX || failed[lo][res->ncalls]) return false;
    for (size_t end = w->n; end > lo; end--) {
        if (end < w->n && !is_conj(w, end)) continue;
        intents_match m;
        if (!intents_match_span(r->it, w, lo, end, &m)) continue;
        if (is_control(&m) && !(lo == 0 && end == w->n)) { /* control only alone */
            json_decref(m.args);
            continue;
        }
        size_t next = end;
        while (next < w->n && next - end < 3 && is_conj(w, next)) next++; /* ", and then" */
        if (next == w->n && next != end) { /* trailing "and" */
            json_decref(m.args);
            continue;
        }
        res->calls[res->ncalls++] = (router_call){m.name, m.tool, m.args, m.confidence};
        if (split_from(r, w, next, res, failed)) return true;
        json_decref(res->calls[--res->ncalls].args);
    }
    /* memo: the same suffix with the same call budget fails again, which
     * keeps "a and b and c ..." polynomial */
    failed[lo][res->ncalls] = true;
    return false;
}

bool router_extendable(const router *r, const char *text)
{
    intents_words w;
    intents_match m;
    if (intents_tokenize(text, &w) || w.n == 0 || !intents_match_span(r->it, &w, 0, w.n, &m))
        return false;
    json_decref(m.args);
    return intents_extendable(r->it, &w, 0, w.n, m.intent);
}

int router_route(const router *r, const char *text, router_result *res)
{
    intents_words w;
    memset(res, 0, sizeof *res);
    int rc = intents_tokenize(text, &w);
    if (rc) return rc;
    size_t lo = 0;
    while (lo < w.n && is_conj(&w, lo) && strcmp(w.norm[lo], ",") == 0) lo++;
    if (lo == w.n) return WZ_OK;
    if (lo > 0) { /* leading commas: shift so spans start at 0 */
        memmove(w.norm, w.norm + lo, (w.n - lo) * sizeof w.norm[0]);
        memmove(w.raw, w.raw + lo, (w.n - lo) * sizeof w.raw[0]);
        w.n -= lo;
    }
    fail_memo failed;
    memset(failed, 0, sizeof failed);
    if (!split_from(r, &w, 0, res, failed)) {
        router_result_clear(res);
        return WZ_OK;
    }
    if (res->ncalls == 1 && is_control(&(intents_match){.tool = res->calls[0].tool})) {
        json_t *a = json_object_get(res->calls[0].args, "action");
        char act[sizeof res->control];
        wz_strlcpy(act, json_is_string(a) ? json_string_value(a) : "stop", sizeof act);
        router_result_clear(res);
        res->kind = ROUTER_CONTROL;
        memcpy(res->control, act, sizeof act);
        return WZ_OK;
    }
    res->kind = ROUTER_TOOLS;
    return WZ_OK;
}
