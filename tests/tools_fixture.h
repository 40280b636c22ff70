/* tools_fixture.h: shared set-up for the tool tests: a tools object over a
 * fresh temp state folder, JSON-args calls, and small process helpers. */
#ifndef WZ_TOOLS_FIXTURE_H
#define WZ_TOOLS_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/config.h"
#include "brain/tools.h"
#include "wz_test.h"

static char fx_dir[256];

/* Extra "key=value" config settings, NULL-terminated. */
static inline tools *fx_tools(const char *const *settings)
{
    wz_config cfg;
    char err[256], sub[512], data[512];
    if (!fx_dir[0])
        wz_test_tmpdir(fx_dir, sizeof fx_dir, "fx-");
    config_init(&cfg);
    snprintf(sub, sizeof sub, "%s/state", fx_dir);
    if (config_set(&cfg, "paths.state_dir", sub, CFG_FROM_CLI, err, sizeof err)) TEST_FAIL_AT("%s", err);
    snprintf(sub, sizeof sub, "%s/memory", fx_dir);
    if (config_set(&cfg, "paths.memory_dir", sub, CFG_FROM_CLI, err, sizeof err)) TEST_FAIL_AT("%s", err);
    for (size_t i = 0; settings && settings[i]; i++) {
        char kv[1024];
        snprintf(kv, sizeof kv, "%s", settings[i]);
        char *eq = strchr(kv, '=');
        *eq = 0;
        if (config_set(&cfg, kv, eq + 1, CFG_FROM_CLI, err, sizeof err)) TEST_FAIL_AT("%s", err);
    }
    snprintf(data, sizeof data, "%s/data", getenv("WZ_SOURCE_DIR"));
    tools *t = NULL;
    if (tools_create(&t, &cfg, data, err, sizeof err)) TEST_FAIL_AT("tools_create: %s", err);
    return t;
}

static inline int fx_call(tools *t, const char *name, const char *args_json, tool_result *r)
{
    json_error_t je;
    json_t *a = args_json ? json_loads(args_json, 0, &je) : NULL;
    if (args_json && !a) TEST_FAIL_AT("bad JSON in test: %s", args_json);
    int rc = tools_call(t, name, a, r);
    json_decref(a);
    return rc;
}

static inline void fx_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) TEST_FAIL_AT("cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

/* Runs a shell command line in the TEST (never in Wyzer) and returns its
 * stdout in buf; exit status as the return value. */
static inline int fx_sh(const char *cmd, char *buf, size_t cap)
{
    FILE *p = popen(cmd, "r");
    if (!p) return -1;
    size_t n = buf ? fread(buf, 1, cap - 1, p) : 0;
    if (buf) buf[n] = 0;
    if (!buf) {
        char tmp[256];
        while (fread(tmp, 1, sizeof tmp, p) > 0) {}
    }
    return pclose(p);
}

/* Waits until path exists with a trailing newline; returns its text. */
static inline void fx_wait_file(const char *path, char *buf, size_t cap)
{
    for (int i = 0; i < 250; i++) {
        FILE *f = fopen(path, "r");
        if (f) {
            size_t n = fread(buf, 1, cap - 1, f);
            fclose(f);
            buf[n] = 0;
            if (n && buf[n - 1] == '\n') return;
        }
        usleep(20000);
    }
    TEST_FAIL_AT("%s never written", path);
}

/* Puts a fake xdg-open first on PATH that appends its arguments to log. */
static inline void fx_fake_opener(char *log, size_t cap)
{
    char bin[600], script[700], text[1400], path[4096];
    snprintf(bin, sizeof bin, "%s/bin", fx_dir);
    mkdir(bin, 0700);
    snprintf(log, cap, "%s/opened.txt", fx_dir);
    snprintf(script, sizeof script, "%s/xdg-open", bin);
    snprintf(text, sizeof text, "#!/bin/sh\nprintf '%%s\\n' \"$@\" >> '%s'\n", log);
    fx_write(script, text);
    chmod(script, 0755);
    snprintf(path, sizeof path, "%s:%s", bin, getenv("PATH"));
    setenv("PATH", path, 1);
}

#endif
