/* config.c: table-driven configuration over libinih. */
#include "app/config.h"
#include "common/wz.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
    const char *section;
    const char *key;
    cfg_type type;
    const char *def;
    double min, max;
    const char *choices;
    const char *help;
    size_t offset;
} cfg_key;

static const cfg_key keys[CFG_NKEYS] = {
#define CFG_ROW(sec, k, t, d, mn, mx, ch, h) \
    { #sec, #k, CFG_##t, d, mn, mx, ch, h, offsetof(wz_config, sec##_##k) },
    CONFIG_KEYS(CFG_ROW)
#undef CFG_ROW
};

static int find_key(const char *section, const char *key)
{
    for (int i = 0; i < CFG_NKEYS; i++)
        if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].key, key) == 0)
            return i;
    return -1;
}

static bool section_exists(const char *section)
{
    for (int i = 0; i < CFG_NKEYS; i++)
        if (strcmp(keys[i].section, section) == 0)
            return true;
    return false;
}

static bool in_choices(const char *choices, const char *v)
{
    size_t vl = strlen(v);
    for (const char *p = choices; *p;) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == vl && strncmp(p, v, n) == 0)
            return true;
        if (!bar)
            break;
        p = bar + 1;
    }
    return false;
}

/* Parses value into the field for key i. On error writes a reason (without
 * location) to why and returns WZ_CONFIG. */
static int set_value(wz_config *cfg, int i, const char *value, char *why, size_t cap)
{
    const cfg_key *k = &keys[i];
    char *field = (char *)cfg + k->offset;
    char *end;
    switch (k->type) {
    case CFG_STR:
        if (k->choices[0] && !in_choices(k->choices, value)) {
            snprintf(why, cap, "'%s' is not one of %s", value, k->choices);
            return WZ_CONFIG;
        }
        if (wz_strlcpy(field, value, CONFIG_STR_MAX) != WZ_OK) {
            snprintf(why, cap, "value is longer than %d bytes", CONFIG_STR_MAX - 1);
            return WZ_CONFIG;
        }
        return WZ_OK;
    case CFG_INT: {
        errno = 0;
        long v = strtol(value, &end, 10);
        if (errno || end == value || *end != '\0') {
            snprintf(why, cap, "'%s' is not an integer", value);
            return WZ_CONFIG;
        }
        if (v < (long)k->min || v > (long)k->max) {
            snprintf(why, cap, "%ld is out of range [%ld, %ld]", v, (long)k->min, (long)k->max);
            return WZ_CONFIG;
        }
        memcpy(field, &v, sizeof v);
        return WZ_OK;
    }
    case CFG_DBL: {
        errno = 0;
        double v = strtod(value, &end);
        if (errno || end == value || *end != '\0' || !isfinite(v)) {
            snprintf(why, cap, "'%s' is not a number", value);
            return WZ_CONFIG;
        }
        if (v < k->min || v > k->max) {
            snprintf(why, cap, "%g is out of range [%g, %g]", v, k->min, k->max);
            return WZ_CONFIG;
        }
        memcpy(field, &v, sizeof v);
        return WZ_OK;
    }
    case CFG_BOOL: {
        bool v;
        if (!strcasecmp(value, "true") || !strcasecmp(value, "yes") || !strcasecmp(value, "on") ||
            !strcmp(value, "1"))
            v = true;
        else if (!strcasecmp(value, "false") || !strcasecmp(value, "no") ||
                 !strcasecmp(value, "off") || !strcmp(value, "0"))
            v = false;
        else {
            snprintf(why, cap, "'%s' is not a boolean (true/false)", value);
            return WZ_CONFIG;
        }
        memcpy(field, &v, sizeof v);
        return WZ_OK;
    }
    }
    return WZ_CONFIG;
}

void config_init(wz_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    for (int i = 0; i < CFG_NKEYS; i++) {
        char why[256];
        int rc = set_value(cfg, i, keys[i].def, why, sizeof why);
        (void)rc; /* defaults are validated by the config unit test */
        cfg->origin[i] = CFG_FROM_DEFAULT;
    }
}

typedef struct {
    wz_config *cfg;
    FILE *f;
    int line;          /* line the reader returned last */
    int err_line;      /* first line our handler rejected, 0 if none */
    int long_line;     /* first line longer than inih's buffer, 0 if none */
    char why[384];
} load_ctx;

/* Line reader for inih that counts lines, so errors and --print-config can
 * name the line, and that refuses lines too long for inih's buffer instead
 * of letting them be split. */
static char *read_line(char *str, int num, void *stream)
{
    load_ctx *lc = stream;
    if (!fgets(str, num, lc->f))
        return NULL;
    lc->line++;
    size_t n = strlen(str);
    if (n == (size_t)num - 1 && str[n - 1] != '\n' && !feof(lc->f)) {
        if (!lc->long_line)
            lc->long_line = lc->line;
        int c;
        while ((c = fgetc(lc->f)) != EOF && c != '\n')
            ;
        str[0] = '\0'; /* parsed as a blank line; reported below */
    }
    return str;
}

static int on_ini_pair(void *user, const char *section, const char *name, const char *value)
{
    load_ctx *lc = user;
    if (lc->err_line)
        return 0;
    int i = find_key(section, name);
    char why[256];
    if (i < 0) {
        if (!section[0])
            snprintf(lc->why, sizeof lc->why, "key '%s' is outside any [section]", name);
        else if (!section_exists(section))
            snprintf(lc->why, sizeof lc->why, "unknown section [%s] (key '%s')", section, name);
        else
            snprintf(lc->why, sizeof lc->why, "unknown key '%s.%s'", section, name);
    } else if (set_value(lc->cfg, i, value, why, sizeof why) != WZ_OK) {
        snprintf(lc->why, sizeof lc->why, "bad value for '%s.%s': %s", section, name, why);
    } else {
        lc->cfg->origin[i] = CFG_FROM_FILE;
        lc->cfg->origin_line[i] = lc->line;
        return 1;
    }
    lc->err_line = lc->line;
    return 0;
}

int config_load_file(wz_config *cfg, const char *path, char *err, size_t errlen)
{
    load_ctx lc = { .cfg = cfg };
    lc.f = fopen(path, "r");
    if (!lc.f) {
        snprintf(err, errlen, "%s: cannot open config file: %s", path, strerror(errno));
        return WZ_IO;
    }
    int line = ini_parse_stream(read_line, &lc, on_ini_pair, &lc);
    fclose(lc.f);
    if (lc.long_line && (line == 0 || lc.long_line <= line)) {
        snprintf(err, errlen, "%s:%d: line is too long", path, lc.long_line);
        return WZ_CONFIG;
    }
    if (line < 0) {
        snprintf(err, errlen, "%s: cannot read config file", path);
        return WZ_CONFIG;
    }
    if (line > 0) {
        if (line == lc.err_line)
            snprintf(err, errlen, "%s:%d: %s", path, line, lc.why);
        else
            snprintf(err, errlen, "%s:%d: syntax error (expected 'key = value' or '[section]')",
                     path, line);
        return WZ_CONFIG;
    }
    (void)wz_strlcpy(cfg->file, path, sizeof cfg->file);
    return WZ_OK;
}

/* WYZER_<SECTION>_<KEY>, upper case. */
static void env_name(int i, char *var, size_t cap)
{
    int n = snprintf(var, cap, "WYZER_%s_%s", keys[i].section, keys[i].key);
    for (int j = 0; j < n && (size_t)j < cap; j++)
        var[j] = (char)toupper((unsigned char)var[j]);
}

int config_apply_env(wz_config *cfg, char *err, size_t errlen)
{
    for (int i = 0; i < CFG_NKEYS; i++) {
        char var[128];
        env_name(i, var, sizeof var);
        const char *v = getenv(var);
        if (!v)
            continue;
        char why[256];
        if (set_value(cfg, i, v, why, sizeof why) != WZ_OK) {
            snprintf(err, errlen, "environment %s: bad value for '%s.%s': %s", var,
                     keys[i].section, keys[i].key, why);
            return WZ_CONFIG;
        }
        cfg->origin[i] = CFG_FROM_ENV;
    }
    return WZ_OK;
}

int config_set(wz_config *cfg, const char *dotted, const char *value, cfg_origin origin,
               char *err, size_t errlen)
{
    char section[128];
    const char *dot = strchr(dotted, '.');
    if (!dot || (size_t)(dot - dotted) >= sizeof section) {
        snprintf(err, errlen, "'%s' is not a section.key name", dotted);
        return WZ_CONFIG;
    }
    memcpy(section, dotted, (size_t)(dot - dotted));
    section[dot - dotted] = '\0';
    int i = find_key(section, dot + 1);
    if (i < 0) {
        snprintf(err, errlen, "unknown key '%s'", dotted);
        return WZ_CONFIG;
    }
    char why[256];
    if (set_value(cfg, i, value, why, sizeof why) != WZ_OK) {
        snprintf(err, errlen, "bad value for '%s': %s", dotted, why);
        return WZ_CONFIG;
    }
    cfg->origin[i] = origin;
    return WZ_OK;
}

int config_default_path(char *buf, size_t cap)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    if (xdg && xdg[0] == '/') {
        snprintf(buf, cap, "%s/wyzer/wyzer.conf", xdg);
        return WZ_OK;
    }
    const char *home = getenv("HOME");
    if (home && home[0]) {
        snprintf(buf, cap, "%s/.config/wyzer/wyzer.conf", home);
        return WZ_OK;
    }
    return WZ_NOTFOUND;
}

static void print_value(const wz_config *cfg, int i, FILE *out)
{
    const char *field = (const char *)cfg + keys[i].offset;
    switch (keys[i].type) {
    case CFG_STR: fprintf(out, "%s", field); break;
    case CFG_INT: fprintf(out, "%ld", *(const long *)(const void *)field); break;
    case CFG_DBL: fprintf(out, "%g", *(const double *)(const void *)field); break;
    case CFG_BOOL: fprintf(out, "%s", *(const bool *)(const void *)field ? "true" : "false"); break;
    }
}

void config_print(const wz_config *cfg, FILE *out)
{
    fprintf(out, "; effective configuration (precedence: cli > env > file > default)\n");
    fprintf(out, "; file: %s\n", cfg->file[0] ? cfg->file : "(none)");
    const char *cur = "";
    for (int i = 0; i < CFG_NKEYS; i++) {
        if (strcmp(cur, keys[i].section) != 0) {
            cur = keys[i].section;
            fprintf(out, "\n[%s]\n", cur);
        }
        fprintf(out, "%s = ", keys[i].key);
        print_value(cfg, i, out);
        switch (cfg->origin[i]) {
        case CFG_FROM_DEFAULT: fprintf(out, "    ; default\n"); break;
        case CFG_FROM_FILE: fprintf(out, "    ; file %s:%d\n", cfg->file, cfg->origin_line[i]); break;
        case CFG_FROM_ENV: {
            char var[128];
            env_name(i, var, sizeof var);
            fprintf(out, "    ; env %s\n", var);
            break;
        }
        case CFG_FROM_CLI: fprintf(out, "    ; command line\n"); break;
        }
    }
}

int config_key_count(void) { return CFG_NKEYS; }

const char *config_key_name(int i, char *buf, size_t cap)
{
    if (i < 0 || i >= CFG_NKEYS)
        return NULL;
    snprintf(buf, cap, "%s.%s", keys[i].section, keys[i].key);
    return buf;
}
