/* replies.c: reply templates loaded with libinih, rendered with JSON vars. */
#include "brain/replies.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brain/calc.h"

typedef struct { char *key, *text; } entry;

struct replies {
    entry *e;
    size_t n;
    int error; /* first error seen by the ini callback */
};

static int on_value(void *user, const char *section, const char *name, const char *value)
{
    replies *r = user;
    char key[160];
    if (r->n >= REPLIES_MAX) return r->error = WZ_TOOBIG, 0;
    if (strlen(value) > REPLIES_TEXT_MAX) return r->error = WZ_TOOBIG, 0;
    snprintf(key, sizeof key, "%s%s%s", section, section[0] ? "." : "", name);
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->e[i].key, key) == 0) return r->error = WZ_PROTO, 0;
    entry *ne = realloc(r->e, (r->n + 1) * sizeof *ne);
    if (!ne) return r->error = WZ_NOMEM, 0;
    r->e = ne;
    ne[r->n].key = strdup(key);
    ne[r->n].text = strdup(value);
    if (!ne[r->n].key || !ne[r->n].text) {
        free(ne[r->n].key);
        free(ne[r->n].text);
        return r->error = WZ_NOMEM, 0;
    }
    r->n++;
    return 1;
}

int replies_load(const char *path, replies **out, char *err, size_t errlen)
{
    *out = NULL;
    replies *r = calloc(1, sizeof *r);
    if (!r) return WZ_NOMEM;
    int line = ini_parse(path, on_value, r);
    if (line != 0 || r->error) {
        int rc = line < 0 ? WZ_IO : (r->error ? r->error : WZ_PROTO);
        snprintf(err, errlen, "%s:%d: %s", path, line, line < 0 ? "cannot read" : wz_strerror(rc));
        replies_free(r);
        return rc;
    }
    *out = r;
    return WZ_OK;
}

void replies_free(replies *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->n; i++) {
        free(r->e[i].key);
        free(r->e[i].text);
    }
    free(r->e);
    free(r);
}

const char *replies_get(const replies *r, const char *key)
{
    for (size_t i = 0; r && i < r->n; i++)
        if (strcmp(r->e[i].key, key) == 0) return r->e[i].text;
    return NULL;
}

static void put(char *out, size_t cap, size_t *len, const char *s, size_t n)
{
    if (*len + 1 >= cap) return;
    if (n > cap - 1 - *len) n = cap - 1 - *len;
    memcpy(out + *len, s, n);
    *len += n;
    out[*len] = 0;
}

int replies_format(const replies *r, const char *key, const json_t *vars, char *out, size_t cap)
{
    if (cap == 0) return WZ_INVAL;
    out[0] = 0;
    const char *t = replies_get(r, key);
    size_t len = 0;
    if (!t) {
        put(out, cap, &len, key, strlen(key));
        return WZ_NOTFOUND;
    }
    for (const char *p = t; *p;) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        if (!close || close - p > 64) {
            put(out, cap, &len, p, 1);
            p++;
            continue;
        }
        char name[80], num[64];
        snprintf(name, sizeof name, "%.*s", (int)(close - p - 1), p + 1);
        const json_t *v = json_object_get(vars, name);
        if (json_is_string(v)) {
            put(out, cap, &len, json_string_value(v), strlen(json_string_value(v)));
        } else if (json_is_integer(v)) {
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
            put(out, cap, &len, num, strlen(num));
        } else if (json_is_real(v)) {
            calc_format(json_real_value(v), num, sizeof num);
            put(out, cap, &len, num, strlen(num));
        }
        p = close + 1;
    }
    return WZ_OK;
}
