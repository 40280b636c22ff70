/* intents.c: template loading, expansion, matching and JSGF export.
 *
 * Each template line is expanded at load time into flat sentences (literal
 * word ids and slot references); matching a request is then a backtracking
 * walk over short flat sequences, which keeps the router well under 1 ms. */
#include "brain/intents.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brain/calc.h"
#include "brain/numwords.h"

typedef enum { ST_NUMBER, ST_DURATION, ST_PERCENT, ST_DAY, ST_APP, ST_TEXT, ST_EXPR, ST_COUNT } slot_type;
static const char *const slot_type_names[ST_COUNT] = {"number", "duration", "percent", "day",
                                                      "app",    "text",     "expr"};
/* Longest span each slot type may cover, in words ("one hundred and twenty
 * three thousand four hundred and fifty six" is 12). */
static const size_t slot_max_words[ST_COUNT] = {12, 20, 13, 1, 5, 20, 30};

#define LINE_MAX_BYTES 1024
#define FILLER_WORDS_MAX 8
#define NEST_MAX 16

typedef struct { char *name; slot_type type; } slot_def;
typedef struct { int intent, n, nlit; int t[INTENTS_TOKENS_MAX]; } flat;
typedef struct { char *name, *tool; json_t *args; char **tmpl; size_t ntmpl, captmpl; } intent_def;
typedef struct { char *name, *body; } gram_rule;
typedef struct { int n; int t[FILLER_WORDS_MAX]; } filler;

struct intents {
    char **words;
    size_t nwords, capw;
    int *hash;
    size_t hcap;
    intent_def *defs;
    size_t ndefs, capdefs;
    slot_def *slots;
    size_t nslots, capslots;
    flat *flats;
    size_t nflats, capflats;
    filler *pre, *suf;
    size_t npre, nsuf, cappre, capsuf;
    gram_rule *grams;
    size_t ngrams, capgrams;
    gram_rule *prons; /* name = word, body = phones */
    size_t nprons, capprons;
};

static int grow(void *pp, size_t *cap, size_t need, size_t elem)
{
    void **p = pp;
    if (need <= *cap) return WZ_OK;
    size_t nc = *cap ? *cap * 2 : 16;
    while (nc < need) nc *= 2;
    void *np = realloc(*p, nc * elem);
    if (!np) return WZ_NOMEM;
    *p = np;
    *cap = nc;
    return WZ_OK;
}

/* ---- interned words (open addressing, FNV-1a) ---- */

static uint32_t fnv(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

static int word_lookup(const intents *it, const char *w)
{
    if (!it->hcap) return -1;
    for (size_t i = fnv(w) & (it->hcap - 1);; i = (i + 1) & (it->hcap - 1)) {
        int id = it->hash[i];
        if (id < 0) return -1;
        if (strcmp(it->words[id], w) == 0) return id;
    }
}

static int rehash(intents *it, size_t cap)
{
    int *h = malloc(cap * sizeof *h);
    if (!h) return WZ_NOMEM;
    for (size_t i = 0; i < cap; i++) h[i] = -1;
    for (size_t id = 0; id < it->nwords; id++) {
        size_t i = fnv(it->words[id]) & (cap - 1);
        while (h[i] >= 0) i = (i + 1) & (cap - 1);
        h[i] = (int)id;
    }
    free(it->hash);
    it->hash = h;
    it->hcap = cap;
    return WZ_OK;
}

static int word_intern(intents *it, const char *w, size_t len)
{
    char tmp[LINE_MAX_BYTES + 1];
    if (len > LINE_MAX_BYTES) return WZ_TOOBIG;
    memcpy(tmp, w, len);
    tmp[len] = 0;
    int id = word_lookup(it, tmp);
    if (id >= 0) return id;
    if ((it->nwords + 1) * 2 > it->hcap && rehash(it, it->hcap ? it->hcap * 2 : 256)) return WZ_NOMEM;
    if (grow(&it->words, &it->capw, it->nwords + 1, sizeof(char *))) return WZ_NOMEM;
    char *copy = strdup(tmp);
    if (!copy) return WZ_NOMEM;
    it->words[it->nwords] = copy;
    size_t i = fnv(copy) & (it->hcap - 1);
    while (it->hash[i] >= 0) i = (i + 1) & (it->hcap - 1);
    it->hash[i] = (int)it->nwords;
    return (int)it->nwords++;
}

/* ---- template expansion ---- */

typedef struct { int n; int t[INTENTS_TOKENS_MAX]; } seq;
typedef struct { seq *v; size_t n, cap; } seqset;

typedef struct {
    intents *it;
    const char *p;
    int depth;
    char *err;
    size_t errlen;
} tparser;

static int perr(tparser *ps, const char *msg)
{
    snprintf(ps->err, ps->errlen, "%s", msg);
    return WZ_PROTO;
}

static int set_add(seqset *s, const seq *q)
{
    if (s->n >= INTENTS_EXPANSIONS_MAX) return WZ_TOOBIG;
    if (grow(&s->v, &s->cap, s->n + 1, sizeof(seq))) return WZ_NOMEM;
    s->v[s->n++] = *q;
    return WZ_OK;
}

static int set_product(tparser *ps, seqset *acc, const seqset *sub)
{
    seqset out = {0};
    if (acc->n * sub->n > INTENTS_EXPANSIONS_MAX) {
        free(out.v);
        return perr(ps, "template expands to too many sentences");
    }
    for (size_t i = 0; i < acc->n; i++) {
        for (size_t j = 0; j < sub->n; j++) {
            seq q = acc->v[i];
            if (q.n + sub->v[j].n > INTENTS_TOKENS_MAX) {
                free(out.v);
                return perr(ps, "template sentence has too many words");
            }
            memcpy(q.t + q.n, sub->v[j].t, (size_t)sub->v[j].n * sizeof(int));
            q.n += sub->v[j].n;
            int rc = set_add(&out, &q);
            if (rc) {
                free(out.v);
                return rc == WZ_TOOBIG ? perr(ps, "template expands to too many sentences") : rc;
            }
        }
    }
    free(acc->v);
    *acc = out;
    return WZ_OK;
}

static bool is_word_char(char c) { return (c >= 'a' && c <= 'z') || c == '\''; }
static bool is_name_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

static int parse_alts(tparser *ps, seqset *out);

static int parse_slot(tparser *ps, seq *q)
{
    const char *start = ++ps->p, *colon = NULL;
    while (*ps->p && *ps->p != '}') {
        if (*ps->p == ':' && !colon) colon = ps->p;
        else if (!is_name_char(*ps->p)) return perr(ps, "bad character in {slot}");
        ps->p++;
    }
    if (*ps->p != '}') return perr(ps, "unterminated {slot}");
    const char *name_end = colon ? colon : ps->p;
    const char *type = colon ? colon + 1 : start;
    size_t tlen = (size_t)(ps->p - type), nlen = (size_t)(name_end - start);
    ps->p++;
    if (nlen == 0 || tlen == 0) return perr(ps, "empty {slot} name or type");
    int st = -1;
    for (int i = 0; i < ST_COUNT; i++)
        if (strlen(slot_type_names[i]) == tlen && strncmp(type, slot_type_names[i], tlen) == 0) st = i;
    if (st < 0) return perr(ps, "unknown slot type (number|duration|percent|day|app|text|expr)");
    intents *it = ps->it;
    if (grow(&it->slots, &it->capslots, it->nslots + 1, sizeof(slot_def))) return WZ_NOMEM;
    char *nm = strndup(start, nlen);
    if (!nm) return WZ_NOMEM;
    it->slots[it->nslots] = (slot_def){nm, (slot_type)st};
    q->n = 1;
    q->t[0] = -(int)(it->nslots++) - 1;
    return WZ_OK;
}

static int parse_item(tparser *ps, seqset *sub)
{
    char c = *ps->p;
    seq q = {0};
    if (c == '[' || c == '(') {
        char close = c == '[' ? ']' : ')';
        if (++ps->depth > NEST_MAX) return perr(ps, "brackets nested too deep");
        ps->p++;
        int rc = parse_alts(ps, sub);
        ps->depth--;
        if (rc) return rc;
        if (*ps->p != close) return perr(ps, c == '[' ? "missing ]" : "missing )");
        ps->p++;
        if (c == '[') return set_add(sub, &q) ? perr(ps, "too many alternatives") : WZ_OK;
        return WZ_OK;
    }
    if (c == '{') {
        int rc = parse_slot(ps, &q);
        return rc ? rc : set_add(sub, &q);
    }
    if (is_word_char(c)) {
        const char *s = ps->p;
        while (is_word_char(*ps->p)) ps->p++;
        int id = word_intern(ps->it, s, (size_t)(ps->p - s));
        if (id < 0) return id;
        q.n = 1;
        q.t[0] = id;
        return set_add(sub, &q);
    }
    return perr(ps, "unexpected character (words are lower-case a-z and ')");
}

static int parse_seq(tparser *ps, seqset *out)
{
    seq empty = {0};
    int rc = set_add(out, &empty);
    while (rc == WZ_OK) {
        while (*ps->p == ' ' || *ps->p == '\t') ps->p++;
        char c = *ps->p;
        if (!c || c == '|' || c == ']' || c == ')') break;
        seqset sub = {0};
        rc = parse_item(ps, &sub);
        if (rc == WZ_OK) rc = set_product(ps, out, &sub);
        free(sub.v);
    }
    return rc;
}

static int parse_alts(tparser *ps, seqset *out)
{
    int rc = parse_seq(ps, out);
    while (rc == WZ_OK && *ps->p == '|') {
        ps->p++;
        seqset more = {0};
        rc = parse_seq(ps, &more);
        for (size_t i = 0; rc == WZ_OK && i < more.n; i++)
            if (set_add(out, &more.v[i])) rc = perr(ps, "template expands to too many sentences");
        free(more.v);
    }
    return rc;
}

static int add_template(intents *it, const char *line, char *err, size_t errlen)
{
    tparser ps = {it, line, 0, err, errlen};
    seqset set = {0};
    int rc = parse_alts(&ps, &set);
    if (rc == WZ_OK && *ps.p) rc = perr(&ps, "unbalanced | ] or )");
    intent_def *d = &it->defs[it->ndefs - 1];
    for (size_t i = 0; rc == WZ_OK && i < set.n; i++) {
        if (set.v[i].n == 0) {
            rc = perr(&ps, "template can match empty text");
            break;
        }
        if (grow(&it->flats, &it->capflats, it->nflats + 1, sizeof(flat))) {
            rc = WZ_NOMEM;
            break;
        }
        flat *f = &it->flats[it->nflats++];
        f->intent = (int)(it->ndefs - 1);
        f->n = set.v[i].n;
        f->nlit = 0;
        memcpy(f->t, set.v[i].t, (size_t)f->n * sizeof(int));
        for (int k = 0; k < f->n; k++) f->nlit += f->t[k] >= 0;
    }
    free(set.v);
    if (rc) return rc;
    /* keep the source text: the JSGF export reuses the template syntax */
    if (grow(&d->tmpl, &d->captmpl, d->ntmpl + 1, sizeof(char *))) return WZ_NOMEM;
    if (!(d->tmpl[d->ntmpl] = strdup(line))) return WZ_NOMEM;
    d->ntmpl++;
    return WZ_OK;
}

/* ---- loading ---- */

static int set_err(char *err, size_t errlen, const char *name, int line, const char *msg, int rc)
{
    snprintf(err, errlen, "%s:%d: %s", name, line, msg);
    return rc;
}

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t') p++;
    return p;
}

/* Reads a [a-z0-9_]+ name into buf; returns the position after it or NULL. */
static const char *read_name(const char *p, char *buf, size_t cap)
{
    size_t n = 0;
    p = skip_ws(p);
    while (is_name_char(*p)) {
        if (n + 1 >= cap) return NULL;
        buf[n++] = *p++;
    }
    buf[n] = 0;
    return n ? p : NULL;
}

static int add_fillers(intents *it, const char *p, bool prefix)
{
    while (*p) {
        filler f = {0};
        for (;;) {
            p = skip_ws(p);
            if (!*p || *p == '|') break;
            const char *s = p;
            while (is_word_char(*p)) p++;
            if (p == s || f.n >= FILLER_WORDS_MAX) return WZ_PROTO;
            int id = word_intern(it, s, (size_t)(p - s));
            if (id < 0) return id;
            f.t[f.n++] = id;
        }
        if (*p == '|') p++;
        if (f.n == 0) return WZ_PROTO;
        filler **arr = prefix ? &it->pre : &it->suf;
        size_t *n = prefix ? &it->npre : &it->nsuf, *cap = prefix ? &it->cappre : &it->capsuf;
        if (grow(arr, cap, *n + 1, sizeof(filler))) return WZ_NOMEM;
        (*arr)[(*n)++] = f;
    }
    return WZ_OK;
}

static int add_pron(intents *it, const char *p)
{
    char word[64];
    size_t n = 0;
    p = skip_ws(p);
    while (is_word_char(*p) && n + 1 < sizeof word) word[n++] = *p++;
    word[n] = 0;
    p = skip_ws(p);
    if (!n || *p != '=') return WZ_PROTO;
    p = skip_ws(p + 1);
    if (!*p) return WZ_PROTO;
    for (const char *q = p; *q; q++)
        if (!(*q >= 'A' && *q <= 'Z') && *q != ' ' && !(*q >= '0' && *q <= '2')) return WZ_PROTO;
    if (grow(&it->prons, &it->capprons, it->nprons + 1, sizeof(gram_rule))) return WZ_NOMEM;
    gram_rule g = {strdup(word), strdup(p)};
    if (!g.name || !g.body) {
        free(g.name);
        free(g.body);
        return WZ_NOMEM;
    }
    it->prons[it->nprons++] = g;
    return WZ_OK;
}

size_t intents_pron_count(const intents *it) { return it->nprons; }

void intents_pron(const intents *it, size_t i, const char **word, const char **phones)
{
    *word = i < it->nprons ? it->prons[i].name : NULL;
    *phones = i < it->nprons ? it->prons[i].body : NULL;
}

static int add_grammar(intents *it, const char *p)
{
    char name[64];
    p = read_name(p, name, sizeof name);
    if (!p) return WZ_PROTO;
    p = skip_ws(p);
    if (*p != '=') return WZ_PROTO;
    p = skip_ws(p + 1);
    if (!*p) return WZ_PROTO;
    for (const char *q = p; *q; q++) /* JSGF body: words, rule refs and operators only */
        if (!is_word_char(*q) && !strchr(" \t<>_|[]()*+0123456789", *q)) return WZ_PROTO;
    if (grow(&it->grams, &it->capgrams, it->ngrams + 1, sizeof(gram_rule))) return WZ_NOMEM;
    gram_rule g = {strdup(name), strdup(p)};
    if (!g.name || !g.body) {
        free(g.name);
        free(g.body);
        return WZ_NOMEM;
    }
    it->grams[it->ngrams++] = g;
    return WZ_OK;
}

static int add_intent(intents *it, const char *p)
{
    char name[64], tool[64];
    p = read_name(p, name, sizeof name);
    if (!p) return WZ_PROTO;
    p = read_name(p, tool, sizeof tool);
    if (!p || *skip_ws(p)) return WZ_PROTO;
    for (size_t i = 0; i < it->ndefs; i++)
        if (strcmp(it->defs[i].name, name) == 0) return WZ_INVAL;
    if (grow(&it->defs, &it->capdefs, it->ndefs + 1, sizeof(intent_def))) return WZ_NOMEM;
    intent_def d = {strdup(name), strdup(tool), json_object(), NULL, 0, 0};
    if (!d.name || !d.tool || !d.args) {
        free(d.name);
        free(d.tool);
        json_decref(d.args);
        return WZ_NOMEM;
    }
    it->defs[it->ndefs++] = d;
    return WZ_OK;
}

static int add_arg(intents *it, const char *p)
{
    char key[64];
    p = read_name(p, key, sizeof key);
    if (!p) return WZ_PROTO;
    p = skip_ws(p);
    if (!*p) return WZ_PROTO;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(p, &end, 10);
    json_t *val = (end && !*end && !errno && end != p) ? json_integer(v) : json_string(p);
    if (!val) return WZ_PROTO; /* json_string rejects invalid UTF-8 */
    return json_object_set_new(it->defs[it->ndefs - 1].args, key, val) ? WZ_NOMEM : WZ_OK;
}

static int load_line(intents *it, char *line, const char *name, int ln, bool *in_intent, char *err,
                     size_t errlen)
{
    char *p = (char *)skip_ws(line);
    size_t len = strlen(p);
    while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r')) p[--len] = 0;
    if (!*p || *p == '#') return WZ_OK;
    int rc;
    if (strncmp(p, "@intent", 7) == 0 && (p[7] == ' ' || p[7] == '\t')) {
        rc = add_intent(it, p + 7);
        if (rc == WZ_INVAL) return set_err(err, errlen, name, ln, "duplicate intent name", WZ_PROTO);
        if (rc) return set_err(err, errlen, name, ln, "expected: @intent NAME TOOL", rc);
        *in_intent = true;
        return WZ_OK;
    }
    if (strncmp(p, "@arg", 4) == 0 && (p[4] == ' ' || p[4] == '\t')) {
        if (!*in_intent) return set_err(err, errlen, name, ln, "@arg before @intent", WZ_PROTO);
        rc = add_arg(it, p + 4);
        return rc ? set_err(err, errlen, name, ln, "expected: @arg KEY VALUE", rc) : WZ_OK;
    }
    if ((strncmp(p, "@prefix", 7) == 0 || strncmp(p, "@suffix", 7) == 0) && (p[7] == ' ' || p[7] == '\t')) {
        rc = add_fillers(it, p + 7, p[1] == 'p');
        return rc ? set_err(err, errlen, name, ln, "expected: @prefix words | words", rc) : WZ_OK;
    }
    if (strncmp(p, "@grammar", 8) == 0 && (p[8] == ' ' || p[8] == '\t')) {
        rc = add_grammar(it, p + 8);
        return rc ? set_err(err, errlen, name, ln, "expected: @grammar NAME = JSGF body", rc) : WZ_OK;
    }
    if (strncmp(p, "@pronounce", 10) == 0 && (p[10] == ' ' || p[10] == '\t')) {
        rc = add_pron(it, p + 10);
        return rc ? set_err(err, errlen, name, ln, "expected: @pronounce word = PHONES", rc) : WZ_OK;
    }
    if (*p == '@') return set_err(err, errlen, name, ln, "unknown directive", WZ_PROTO);
    if (!*in_intent) return set_err(err, errlen, name, ln, "template before @intent", WZ_PROTO);
    char msg[160];
    rc = add_template(it, p, msg, sizeof msg);
    if (rc == WZ_NOMEM) return set_err(err, errlen, name, ln, "out of memory", rc);
    return rc ? set_err(err, errlen, name, ln, msg, WZ_PROTO) : WZ_OK;
}

static int load_text(intents *it, const char *text, const char *name, char *err, size_t errlen)
{
    char line[LINE_MAX_BYTES + 1];
    bool in_intent = false;
    int ln = 0;
    const char *p = text;
    if (strlen(text) > INTENTS_FILE_MAX) return set_err(err, errlen, name, 0, "file too big", WZ_TOOBIG);
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        ln++;
        if (len > LINE_MAX_BYTES) return set_err(err, errlen, name, ln, "line too long", WZ_TOOBIG);
        memcpy(line, p, len);
        line[len] = 0;
        int rc = load_line(it, line, name, ln, &in_intent, err, errlen);
        if (rc) return rc;
        p += len + (nl ? 1 : 0);
    }
    return WZ_OK;
}

void intents_free(intents *it)
{
    if (!it) return;
    for (size_t i = 0; i < it->nwords; i++) free(it->words[i]);
    for (size_t i = 0; i < it->ndefs; i++) {
        free(it->defs[i].name);
        free(it->defs[i].tool);
        json_decref(it->defs[i].args);
        for (size_t k = 0; k < it->defs[i].ntmpl; k++) free(it->defs[i].tmpl[k]);
        free(it->defs[i].tmpl);
    }
    for (size_t i = 0; i < it->nslots; i++) free(it->slots[i].name);
    for (size_t i = 0; i < it->ngrams; i++) {
        free(it->grams[i].name);
        free(it->grams[i].body);
    }
    free(it->words);
    free(it->hash);
    free(it->defs);
    free(it->slots);
    free(it->flats);
    free(it->pre);
    free(it->suf);
    for (size_t i = 0; i < it->nprons; i++) {
        free(it->prons[i].name);
        free(it->prons[i].body);
    }
    free(it->grams);
    free(it->prons);
    free(it);
}

int intents_load_string(const char *text, const char *name, intents **out, char *err, size_t errlen)
{
    *out = NULL;
    intents *it = calloc(1, sizeof *it);
    if (!it) return WZ_NOMEM;
    int rc = load_text(it, text, name ? name : "(string)", err, errlen);
    if (rc) {
        intents_free(it);
        return rc;
    }
    *out = it;
    return WZ_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int intents_load_dir(const char *dir, intents **out, char *err, size_t errlen)
{
    *out = NULL;
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return WZ_IO;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = WZ_OK;
    struct dirent *e;
    while (rc == WZ_OK && (e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 8 || strcmp(e->d_name + l - 7, ".intent") != 0 || e->d_name[0] == '.') continue;
        if (grow(&names, &cap, n + 1, sizeof(char *)) || !(names[n] = strdup(e->d_name))) rc = WZ_NOMEM;
        else n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof(char *), cmp_str);
    intents *it = rc ? NULL : calloc(1, sizeof *it);
    if (!it && rc == WZ_OK) rc = WZ_NOMEM;
    if (rc == WZ_OK && n == 0) {
        snprintf(err, errlen, "%s: no *.intent files", dir);
        rc = WZ_NOTFOUND;
    }
    for (size_t i = 0; rc == WZ_OK && i < n; i++) {
        char path[4096], *text = NULL;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        rc = wz_read_file(path, INTENTS_FILE_MAX, &text, NULL);
        if (rc) snprintf(err, errlen, "%s: %s", path, wz_strerror(rc));
        else rc = load_text(it, text, names[i], err, errlen);
        free(text);
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    if (rc) {
        intents_free(it);
        return rc;
    }
    *out = it;
    return WZ_OK;
}

size_t intents_count(const intents *it) { return it->ndefs; }
const char *intents_name(const intents *it, size_t i) { return i < it->ndefs ? it->defs[i].name : NULL; }
const char *intents_tool(const intents *it, size_t i) { return i < it->ndefs ? it->defs[i].tool : NULL; }
size_t intents_sentence_count(const intents *it) { return it->nflats; }

/* ---- tokenizing requests ---- */

typedef struct {
    intents_words *w;
    size_t used;
    char cur[INTENTS_TEXT_MAX + 1];
    size_t curlen;
    bool toobig;
} tokstate;

static void emit(tokstate *ts, const char *word, size_t len)
{
    intents_words *w = ts->w;
    while (len && word[0] == '\'') word++, len--; /* quotes around words */
    while (len && word[len - 1] == '\'') len--;
    if (!len) return;
    if (len == 1 && word[0] == ',' && (w->n == 0 || strcmp(w->norm[w->n - 1], ",") == 0)) return;
    if (w->n >= INTENTS_WORDS_MAX || ts->used + 2 * len + 2 > sizeof w->buf) {
        ts->toobig = true;
        return;
    }
    char *raw = w->buf + ts->used, *norm = raw + len + 1;
    memcpy(raw, word, len);
    raw[len] = 0;
    for (size_t i = 0; i < len; i++) norm[i] = (char)tolower((unsigned char)word[i]);
    norm[len] = 0;
    ts->used += 2 * len + 2;
    w->raw[w->n] = raw;
    w->norm[w->n++] = norm;
}

static void flush(tokstate *ts)
{
    emit(ts, ts->cur, ts->curlen);
    ts->curlen = 0;
}

int intents_tokenize(const char *text, intents_words *w)
{
    tokstate ts = {.w = w};
    w->n = 0;
    size_t len = strlen(text);
    if (len > INTENTS_TEXT_MAX) return WZ_TOOBIG;
    for (size_t i = 0; i < len && !ts.toobig; i++) {
        unsigned char c = (unsigned char)text[i];
        char prev = i ? text[i - 1] : 0, next = text[i + 1];
        bool digit_around = isdigit((unsigned char)prev) && isdigit((unsigned char)next);
        if (c == 0xE2 && (unsigned char)next == 0x80 && (unsigned char)text[i + 2] == 0x99) {
            ts.cur[ts.curlen++] = '\''; /* typographic apostrophe */
            i += 2;
        } else if (isalnum(c) || c == '\'' || c >= 0x80 || ((c == '.' || c == ',') && digit_around)) {
            ts.cur[ts.curlen++] = (char)c;
        } else if (c == '-' && isalpha((unsigned char)prev) && isalpha((unsigned char)next)) {
            flush(&ts); /* "twenty-five" */
        } else if (c == '%') {
            flush(&ts);
            emit(&ts, "percent", 7);
        } else if (strchr("+-*/^()", (int)c) && c) {
            flush(&ts);
            emit(&ts, (const char *)&text[i], 1);
        } else if (strchr(",.;!?:", (int)c) && c) {
            flush(&ts);
            emit(&ts, ",", 1);
        } else {
            flush(&ts);
        }
    }
    flush(&ts);
    while (w->n && strcmp(w->norm[w->n - 1], ",") == 0) w->n--;
    if (ts.toobig) {
        w->n = 0;
        return WZ_TOOBIG;
    }
    return WZ_OK;
}

/* ---- matching ---- */

static bool has_comma(const intents_words *w, size_t lo, size_t hi)
{
    for (size_t i = lo; i < hi; i++)
        if (strcmp(w->norm[i], ",") == 0) return true;
    return false;
}

static size_t join_words(const char *const *v, size_t lo, size_t hi, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = 0;
    for (size_t i = lo; i < hi; i++) {
        size_t l = strlen(v[i]);
        if (n + l + 2 > cap) return 0;
        if (n) buf[n++] = ' ';
        memcpy(buf + n, v[i], l);
        n += l;
        buf[n] = 0;
    }
    return n;
}

/* Parses a slot span; with out != NULL also builds its JSON value. */
static bool slot_value(slot_type t, const intents_words *w, size_t lo, size_t hi, json_t **out)
{
    const char *const *v = w->norm + lo;
    size_t n = hi - lo;
    double d;
    long secs;
    char buf[INTENTS_TEXT_MAX + 1];
    if (has_comma(w, lo, hi)) return false;
    switch (t) {
    case ST_NUMBER:
        if (!numwords_parse(v, n, &d)) return false;
        if (out) *out = d == (double)(long long)d ? json_integer((long long)d) : json_real(d);
        return true;
    case ST_DURATION:
        if (!numwords_duration(v, n, &secs)) return false;
        if (out) *out = json_integer(secs);
        return true;
    case ST_PERCENT:
        if (n >= 2 && strcmp(v[n - 1], "percent") == 0) n--;
        else if (n >= 3 && strcmp(v[n - 2], "per") == 0 && strcmp(v[n - 1], "cent") == 0) n -= 2;
        if (!numwords_parse(v, n, &d) || d < 0 || d > 100 || d != (double)(long)d) return false;
        if (out) *out = json_integer((long)d);
        return true;
    case ST_DAY:
        if (n != 1) return false;
        if (strcmp(v[0], "today") == 0 || strcmp(v[0], "tonight") == 0) {
            if (out) *out = json_string("today");
        } else if (strcmp(v[0], "tomorrow") == 0) {
            if (out) *out = json_string("tomorrow");
        } else {
            return false;
        }
        return true;
    case ST_EXPR: {
        char err[64];
        if (!join_words(v, 0, n, buf, sizeof buf) || calc_eval(buf, &d, err, sizeof err)) return false;
        if (out) *out = json_string(buf);
        return true;
    }
    case ST_APP:
    case ST_TEXT:
        if (!join_words(w->raw, lo, hi, buf, sizeof buf)) return false;
        if (out) *out = json_string(buf); /* NULL on invalid UTF-8: no match */
        return !out || *out;
    case ST_COUNT:
        break;
    }
    return false;
}

typedef struct {
    const intents *it;
    const intents_words *w;
    const int *wid;
    size_t hi;
    const flat *f;
    size_t cap_lo[INTENTS_TOKENS_MAX], cap_hi[INTENTS_TOKENS_MAX];
} mstate;

static bool match_from(mstate *s, int ti, size_t wi)
{
    const flat *f = s->f;
    if (ti == f->n) return wi == s->hi;
    if (wi >= s->hi) return false;
    int t = f->t[ti];
    if (t >= 0) return s->wid[wi] == t && match_from(s, ti + 1, wi + 1);
    const slot_def *sd = &s->it->slots[-t - 1];
    size_t rest = (size_t)(f->n - ti - 1), maxw = slot_max_words[sd->type];
    int next = ti + 1 < f->n ? f->t[ti + 1] : INT_MIN;
    for (size_t len = 1; len <= maxw && wi + len + rest <= s->hi; len++) {
        size_t end = wi + len;
        if (next == INT_MIN && end != s->hi) continue;
        if (next >= 0 && s->wid[end] != next) continue;
        if (!slot_value(sd->type, s->w, wi, end, NULL)) continue;
        s->cap_lo[ti] = wi;
        s->cap_hi[ti] = end;
        if (match_from(s, ti + 1, end)) return true;
    }
    return false;
}

static bool filler_at(const filler *f, const int *wid, size_t lo, size_t hi, bool at_end)
{
    if ((size_t)f->n > hi - lo) return false;
    size_t base = at_end ? hi - (size_t)f->n : lo;
    for (int i = 0; i < f->n; i++)
        if (wid[base + (size_t)i] != f->t[i]) return false;
    return true;
}

/* Drops filler words ("please", "can you", "thanks") and stray commas from
 * both ends, the longest matching filler first ("right now" before "now"). */
static void strip_fillers(const intents *it, const intents_words *w, const int *wid, size_t *lo,
                          size_t *hi)
{
    for (bool again = true; again && *hi > *lo;) {
        again = false;
        while (*hi - *lo > 1 && strcmp(w->norm[*lo], ",") == 0) (*lo)++, again = true;
        while (*hi - *lo > 1 && strcmp(w->norm[*hi - 1], ",") == 0) (*hi)--, again = true;
        int best = 0;
        for (size_t i = 0; i < it->npre; i++)
            if (it->pre[i].n > best && *hi - *lo > (size_t)it->pre[i].n &&
                filler_at(&it->pre[i], wid, *lo, *hi, false))
                best = it->pre[i].n;
        *lo += (size_t)best;
        again |= best > 0;
        best = 0;
        for (size_t i = 0; i < it->nsuf; i++)
            if (it->suf[i].n > best && *hi - *lo > (size_t)it->suf[i].n &&
                filler_at(&it->suf[i], wid, *lo, *hi, true))
                best = it->suf[i].n;
        *hi -= (size_t)best;
        again |= best > 0;
    }
}

static bool best_match(const intents *it, const intents_words *w, const int *wid, size_t lo,
                       size_t hi, intents_match *m, int *score_out)
{
    mstate s = {.it = it, .w = w, .wid = wid, .hi = hi};
    mstate best = {0};
    int best_score = INT_MIN;
    for (size_t i = 0; i < it->nflats; i++) {
        const flat *f = &it->flats[i];
        if ((size_t)f->n > hi - lo || (size_t)f->nlit > hi - lo) continue;
        if (f->t[0] >= 0 && f->t[0] != wid[lo]) continue;
        s.f = f;
        if (!match_from(&s, 0, lo)) continue;
        /* More literal words = more specific template; then typed slots
         * over free text ("in paris tomorrow": day slot, not a longer
         * location); then the shortest free text; the earliest wins ties. */
        int score = f->nlit * 10000;
        for (int ti = 0; ti < f->n; ti++) {
            if (f->t[ti] >= 0) continue;
            slot_type st = it->slots[-f->t[ti] - 1].type;
            if (st == ST_TEXT || st == ST_APP) score -= (int)(s.cap_hi[ti] - s.cap_lo[ti]);
            else score += 100;
        }
        if (score > best_score) {
            best_score = score;
            best = s;
        }
    }
    if (best_score == INT_MIN) return false;
    *score_out = best_score;
    const flat *f = best.f;
    const intent_def *d = &it->defs[f->intent];
    json_t *args = json_deep_copy(d->args);
    double matched = 0;
    for (int ti = 0; args && ti < f->n; ti++) {
        if (f->t[ti] >= 0) {
            matched += 1;
            continue;
        }
        const slot_def *sd = &it->slots[-f->t[ti] - 1];
        json_t *v = NULL;
        size_t a = best.cap_lo[ti], b = best.cap_hi[ti];
        if (!slot_value(sd->type, w, a, b, &v) || json_object_set_new(args, sd->name, v)) {
            json_decref(args);
            args = NULL;
            break;
        }
        matched += (sd->type == ST_TEXT || sd->type == ST_APP) ? 0.5 * (double)(b - a) : (double)(b - a);
    }
    if (!args) return false;
    m->intent = f->intent;
    m->name = d->name;
    m->tool = d->tool;
    m->args = args;
    m->confidence = matched / (double)(hi - lo);
    return true;
}

bool intents_match_span(const intents *it, const intents_words *w, size_t lo, size_t hi, intents_match *m)
{
    int wid[INTENTS_WORDS_MAX] = {0};
    m->intent = -1;
    m->name = m->tool = NULL;
    m->args = NULL;
    m->confidence = 0;
    if (hi > w->n || lo >= hi) return false;
    for (size_t i = lo; i < hi; i++) wid[i] = word_lookup(it, w->norm[i]);
    /* Match with and without fillers and keep the better: "open calculator
     * please" must not open "calculator please". */
    intents_match m2;
    int s1 = INT_MIN, s2 = INT_MIN;
    bool ok1 = best_match(it, w, wid, lo, hi, m, &s1);
    size_t a = lo, b = hi;
    strip_fillers(it, w, wid, &a, &b);
    bool ok2 = (a != lo || b != hi) && best_match(it, w, wid, a, b, &m2, &s2);
    if (ok2 && (!ok1 || s2 > s1)) {
        if (ok1) json_decref(m->args);
        *m = m2;
        return true;
    }
    if (!ok1) m->intent = -1;
    return ok1;
}

/* Whether words [wi, hi) can begin tokens [ti, n) of s->f and more words
 * then change the request (see intents_extendable). */
static bool grows_from(mstate *s, int ti, size_t wi, int intent)
{
    const flat *f = s->f;
    if (wi == s->hi) {
        if (ti == f->n) return false;
        if (f->intent != intent) return true;
        for (int k = ti; k < f->n; k++)
            if (f->t[k] < 0) return true;
        return false; /* only literals follow: "what's the date ... today" */
    }
    if (ti == f->n) return false;
    int t = f->t[ti];
    if (t >= 0) return s->wid[wi] == t && grows_from(s, ti + 1, wi + 1, intent);
    const slot_def *sd = &s->it->slots[-t - 1];
    size_t maxw = slot_max_words[sd->type];
    int next = ti + 1 < f->n ? f->t[ti + 1] : INT_MIN;
    for (size_t len = 1; len <= maxw && wi + len <= s->hi; len++) {
        size_t end = wi + len;
        if (end < s->hi && next >= 0 && s->wid[end] != next) continue;
        if (!slot_value(sd->type, s->w, wi, end, NULL)) continue;
        /* The words end in the sentence's last slot: a longer value may
         * follow ("fifty ... five", "five minutes ... and thirty seconds",
         * free text). A slot with words after it in the sentence is not
         * that: free text takes any words, so "cancel all timers" would
         * otherwise count as the start of "cancel {name} timer". */
        if (end == s->hi && ti == f->n - 1 && sd->type != ST_DAY && len < maxw) return true;
        if (grows_from(s, ti + 1, end, intent)) return true;
    }
    return false;
}

bool intents_extendable(const intents *it, const intents_words *w, size_t lo, size_t hi, int intent)
{
    int wid[INTENTS_WORDS_MAX] = {0};
    if (hi > w->n || lo >= hi) return false;
    for (size_t i = lo; i < hi; i++) wid[i] = word_lookup(it, w->norm[i]);
    size_t a = lo, b = hi;
    strip_fillers(it, w, wid, &a, &b);
    if (b != hi) return false; /* "... please": the speaker wrapped up */
    mstate s = {.it = it, .w = w, .wid = wid, .hi = b};
    for (size_t i = 0; i < it->nflats; i++) {
        s.f = &it->flats[i];
        if (s.f->t[0] >= 0 && s.f->t[0] != wid[a]) continue;
        if (grows_from(&s, 0, a, intent)) return true;
    }
    return false;
}

bool intents_match_text(const intents *it, const char *text, intents_match *m)
{
    intents_words w;
    m->intent = -1;
    m->name = m->tool = NULL;
    m->args = NULL;
    m->confidence = 0;
    if (intents_tokenize(text, &w) || w.n == 0) return false;
    return intents_match_span(it, &w, 0, w.n, m);
}

/* ---- JSGF export ---- */

typedef struct { char *s; size_t n, cap; bool fail; } sbuf;

static void sb_add(sbuf *b, const char *fmt, ...)
{
    if (b->fail) return;
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (k < 0 || grow(&b->s, &b->cap, b->n + (size_t)k + 1, 1)) {
        b->fail = true;
        va_end(ap2);
        return;
    }
    vsnprintf(b->s + b->n, (size_t)k + 1, fmt, ap2);
    va_end(ap2);
    b->n += (size_t)k;
}

static const char *gram_for(const intents *it, const char *name)
{
    for (size_t i = 0; i < it->ngrams; i++)
        if (strcmp(it->grams[i].name, name) == 0) return it->grams[i].name;
    return NULL;
}

/* Rewrites one template into JSGF: {name:type} becomes <name> or <type>
 * when an @grammar rule exists. Returns false when a slot has no rule.
 * *free_text is set when a slot is free text, i.e. a {name:text} slot with
 * no rule of its own that takes the <text> rule (the recogniser's filler
 * loop, see docs/intents.md). */
static bool template_jsgf(const intents *it, const char *t, sbuf *out, bool *free_text)
{
    sbuf tmp = {0};
    bool ok = true;
    *free_text = false;
    for (const char *p = t; *p && ok; p++) {
        if (*p != '{') {
            sb_add(&tmp, "%c", *p);
            continue;
        }
        char name[64] = "", type[64] = "";
        const char *close = strchr(p, '}'), *colon = memchr(p, ':', close ? (size_t)(close - p) : 0);
        if (!close) break;
        size_t nl = (size_t)((colon ? colon : close) - p - 1);
        snprintf(name, sizeof name, "%.*s", (int)WZ_MIN(nl, 63), p + 1);
        if (colon) snprintf(type, sizeof type, "%.*s", (int)WZ_MIN((size_t)(close - colon - 1), 63), colon + 1);
        const char *rule = gram_for(it, name);
        if (!rule && colon) {
            rule = gram_for(it, type);
            *free_text |= rule && strcmp(type, "text") == 0;
        }
        if (!rule) ok = false;
        else sb_add(&tmp, "<%s>", rule);
        p = close;
    }
    if (ok && !tmp.fail && tmp.s) sb_add(out, "%s", tmp.s);
    free(tmp.s);
    return ok && !tmp.fail;
}

static void fillers_jsgf(const intents *it, const filler *f, size_t n, const char *rule, sbuf *b)
{
    sb_add(b, "<%s> = ", rule);
    for (size_t i = 0; i < n; i++) {
        sb_add(b, "%s", i ? " | " : "");
        for (int k = 0; k < f[i].n; k++) sb_add(b, "%s%s", k ? " " : "", it->words[f[i].t[k]]);
    }
    sb_add(b, ";\n");
}

/* Adds the templates of d that have (free_text) or lack a free-text slot to
 * body as JSGF alternatives. Returns whether any was added. */
static bool intent_body(const intents *it, const intent_def *d, bool free_text, sbuf *body)
{
    bool any = false;
    for (size_t k = 0; k < d->ntmpl; k++) {
        sbuf one = {0};
        bool ft;
        if (template_jsgf(it, d->tmpl[k], &one, &ft) && ft == free_text && one.s) {
            sb_add(body, "%s%s", any ? " | " : "", one.s);
            any = true;
        }
        body->fail |= one.fail;
        free(one.s);
    }
    return any;
}

char *intents_to_jsgf(const intents *it)
{
    sbuf b = {0}, req = {0}, ctl = {0}, ftx = {0}, rules = {0};
    sb_add(&b, "#JSGF V1.0;\ngrammar wyzer;\n\n");
    for (size_t i = 0; i < it->ndefs; i++) {
        const intent_def *d = &it->defs[i];
        sbuf body = {0}, fbody = {0};
        if (intent_body(it, d, false, &body) && !body.fail) {
            /* control phrases only stand alone, as in the router */
            sbuf *list = strcmp(d->tool, "control") == 0 ? &ctl : &req;
            sb_add(&rules, "<i_%s> = %s;\n", d->name, body.s);
            sb_add(list, "%s<i_%s>", list->n ? " | " : "", d->name);
        }
        /* A free-text slot runs to the end of the request (the router's
         * whole-sentence match takes "search for cats and dogs" as one
         * query), so these stand alone too. */
        if (intent_body(it, d, true, &fbody) && !fbody.fail) {
            sb_add(&rules, "<t_%s> = %s;\n", d->name, fbody.s);
            sb_add(&ftx, "%s<t_%s>", ftx.n ? " | " : "", d->name);
        }
        b.fail |= body.fail || fbody.fail;
        free(body.s);
        free(fbody.s);
    }
    sb_add(&b, "public <command> = <one> (<conj> <one>)*%s%s;\n", ctl.n ? " | <control>" : "",
           ftx.n ? (it->npre ? " | [<prefix>] <freetext>" : " | <freetext>") : "");
    sb_add(&b, "<conj> = and | then | and then;\n");
    sb_add(&b, "<one> = %s<request>%s;\n", it->npre ? "[<prefix>] " : "", it->nsuf ? " [<suffix>]" : "");
    if (it->npre) fillers_jsgf(it, it->pre, it->npre, "prefix", &b);
    if (it->nsuf) fillers_jsgf(it, it->suf, it->nsuf, "suffix", &b);
    sb_add(&b, "<request> = %s;\n", req.s ? req.s : "<NULL>");
    if (ctl.n) sb_add(&b, "<control> = %s;\n", ctl.s);
    if (ftx.n) sb_add(&b, "<freetext> = %s;\n", ftx.s);
    if (rules.s) sb_add(&b, "%s", rules.s);
    for (size_t i = 0; i < it->ngrams; i++) sb_add(&b, "<%s> = %s;\n", it->grams[i].name, it->grams[i].body);
    b.fail |= req.fail || rules.fail || ctl.fail || ftx.fail;
    free(req.s);
    free(ctl.s);
    free(ftx.s);
    free(rules.s);
    if (b.fail) {
        free(b.s);
        return NULL;
    }
    return b.s;
}
