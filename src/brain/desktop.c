/* desktop.c: desktop entry lookup (parsed by libinih) and Exec splitting. */
#include "brain/desktop.h"

#include <ctype.h>
#include <dirent.h>
#include <ini.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Step 1 of the spec: string escapes \s \n \t \r \\ (applied before quoting). */
static int unescape_value(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = in; *p; p++) {
        char c = *p;
        if (c == '\\' && p[1] && strchr("sntr\\", p[1])) {
            char e = *++p;
            c = e == 's' ? ' ' : e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : '\\';
        }
        if (n + 1 >= cap) return WZ_TOOBIG;
        out[n++] = c;
    }
    out[n] = 0;
    return WZ_OK;
}

int desktop_exec_argv(const char *exec, char *buf, size_t cap, char **argv, size_t max, size_t *argc)
{
    char val[DESKTOP_EXEC_MAX + 1];
    size_t n = 0, used = 0;
    *argc = 0;
    if (strlen(exec) > DESKTOP_EXEC_MAX) return WZ_TOOBIG;
    if (unescape_value(exec, val, sizeof val)) return WZ_TOOBIG;
    const char *p = val;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
        if (!*p) break;
        size_t start = used;
        bool field = false, quoted = false;
        while (*p && (quoted || (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r'))) {
            char c = *p++;
            if (c == '"') {
                quoted = !quoted;
                continue;
            }
            if (quoted && c == '\\' && *p && strchr("\"`$\\", *p)) {
                c = *p++;
            } else if (c == '%') {
                /* %% is a literal %, every other field code is dropped */
                if (*p == '%') {
                    p++;
                } else {
                    if (*p) p++;
                    field = true;
                    continue;
                }
            }
            if (used + 2 > cap) return WZ_TOOBIG;
            buf[used++] = c;
        }
        if (quoted) return WZ_PROTO;
        if (used + 1 > cap) return WZ_TOOBIG;
        buf[used++] = 0;
        if (field && used - start == 1) { /* "%U" alone: no argument at all */
            used = start;
            continue;
        }
        if (n + 1 >= max) return WZ_TOOBIG;
        argv[n++] = buf + start;
    }
    argv[n] = NULL;
    *argc = n;
    return n ? WZ_OK : WZ_PROTO;
}

typedef struct {
    bool in_entry;
    char name[256], generic[256], exec[DESKTOP_EXEC_MAX + 1], type[32];
    bool hidden, nodisplay, too_long;
} entry_fields;

static int on_kv(void *user, const char *section, const char *key, const char *value)
{
    entry_fields *f = user;
    if (strcmp(section, "Desktop Entry") != 0) return 1;
    if (strcmp(key, "Exec") == 0 && wz_strlcpy(f->exec, value, sizeof f->exec)) f->too_long = true;
    else if (strcmp(key, "Name") == 0) wz_strlcpy(f->name, value, sizeof f->name);
    else if (strcmp(key, "GenericName") == 0) wz_strlcpy(f->generic, value, sizeof f->generic);
    else if (strcmp(key, "Type") == 0) wz_strlcpy(f->type, value, sizeof f->type);
    else if (strcmp(key, "Hidden") == 0) f->hidden = strcmp(value, "true") == 0;
    else if (strcmp(key, "NoDisplay") == 0) f->nodisplay = strcmp(value, "true") == 0;
    return 1;
}

/* true if needle occurs in hay starting at a word boundary */
static bool word_substr(const char *hay, const char *needle)
{
    size_t nl = strlen(needle);
    for (const char *p = hay; (p = strcasestr(p, needle)); p++)
        if ((p == hay || !isalnum((unsigned char)p[-1])) && !isalnum((unsigned char)p[nl])) return true;
    return false;
}

static int score_name(const char *cand, const char *q, int exact, int prefix, int sub)
{
    size_t ql = strlen(q);
    if (!cand[0]) return 0;
    if (strcasecmp(cand, q) == 0) return exact;
    if (strncasecmp(cand, q, ql) == 0 && !isalnum((unsigned char)cand[ql])) return prefix;
    if (word_substr(cand, q)) return sub;
    return 0;
}

static int score_entry(const entry_fields *f, const char *id, const char *q)
{
    char base[256];
    wz_strlcpy(base, id, sizeof base);
    char *dot = strstr(base, ".desktop");
    if (dot) *dot = 0;
    int s = score_name(f->name, q, 100, 80, 60);
    s = WZ_MAX(s, score_name(base, q, 90, 70, 50));
    s = WZ_MAX(s, score_name(f->generic, q, 75, 65, 55));
    return s;
}

static void scan_dir(const char *dir, const char *q, desktop_app *best, char (*seen)[256], size_t *nseen)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) && *nseen < DESKTOP_FILES_MAX) {
        size_t l = strlen(e->d_name);
        if (l < 9 || strcmp(e->d_name + l - 8, ".desktop") != 0 || l >= 256) continue;
        bool dup = false;
        for (size_t i = 0; i < *nseen && !dup; i++) dup = strcmp(seen[i], e->d_name) == 0;
        if (dup) continue; /* an earlier (higher-priority) folder already had this id */
        wz_strlcpy(seen[(*nseen)++], e->d_name, 256);
        entry_fields f = {0};
        char path[1024];
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path) continue;
        if (ini_parse(path, on_kv, &f) < 0) continue;
        if (strcmp(f.type, "Application") != 0 || f.hidden || f.nodisplay || !f.exec[0] || f.too_long) continue;
        int s = score_entry(&f, e->d_name, q);
        if (s > best->score) {
            best->score = s;
            wz_strlcpy(best->id, e->d_name, sizeof best->id);
            wz_strlcpy(best->path, path, sizeof best->path);
            wz_strlcpy(best->name, f.name, sizeof best->name);
            wz_strlcpy(best->exec, f.exec, sizeof best->exec);
        }
    }
    if (d) closedir(d);
}

int desktop_find(const char *query, desktop_app *out)
{
    char dir[1100], dirs[4096];
    const char *home = getenv("HOME"), *dh = getenv("XDG_DATA_HOME"), *dd = getenv("XDG_DATA_DIRS");
    char (*seen)[256] = calloc(DESKTOP_FILES_MAX, 256);
    size_t nseen = 0;
    memset(out, 0, sizeof *out);
    if (!seen) return WZ_NOMEM;
    if (!query || !*query) {
        free(seen);
        return WZ_NOTFOUND;
    }
    if (dh && dh[0] == '/') snprintf(dir, sizeof dir, "%s/applications", dh);
    else snprintf(dir, sizeof dir, "%s/.local/share/applications", home ? home : "");
    scan_dir(dir, query, out, seen, &nseen);
    wz_strlcpy(dirs, dd && *dd ? dd : "/usr/local/share:/usr/share", sizeof dirs);
    for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        if (d[0] != '/') continue; /* the spec: relative entries are ignored */
        snprintf(dir, sizeof dir, "%s/applications", d);
        scan_dir(dir, query, out, seen, &nseen);
    }
    free(seen);
    return out->score >= 50 ? WZ_OK : WZ_NOTFOUND;
}
