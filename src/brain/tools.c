/* tools.c: the registry table, argument validation and dispatch. */
#include "brain/tools.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "brain/jschema.h"
#include "brain/tools_internal.h"
#include "common/log.h"

extern const tool_def tool_get_time, tool_get_date, tool_timer_start, tool_timer_cancel,
    tool_timer_status, tool_weather, tool_volume, tool_media, tool_open, tool_web_search,
    tool_system_info, tool_calculate, tool_remember, tool_recall, tool_forget;

/* The registry: adding a tool is its file in src/tools/ plus one line here. */
static const tool_def *const registry[] = {
    &tool_get_time,
    &tool_get_date,
    &tool_timer_start,
    &tool_timer_cancel,
    &tool_timer_status,
    &tool_weather,
    &tool_volume,
    &tool_media,
    &tool_open,
    &tool_web_search,
    &tool_system_info,
    &tool_calculate,
    &tool_remember,
    &tool_recall,
    &tool_forget,
};

static int64_t realtime_ms(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t tools_now_ms(tools *t) { return t->clock(t->clock_ctx); }

void tools_set_clock(tools *t, tools_clock_fn fn, void *ctx)
{
    t->clock = fn ? fn : realtime_ms;
    t->clock_ctx = ctx;
    timers_mark_late(t); /* "expired while down" is judged by the new clock */
}

/* configured dir, else $XDG_var/wyzer, else $HOME/fallback/wyzer */
static int resolve_dir(const char *configured, const char *xdg_var, const char *fallback, char *out, size_t cap)
{
    const char *x = getenv(xdg_var), *home = getenv("HOME");
    if (configured[0]) return wz_strlcpy(out, configured, cap);
    if (x && x[0] == '/') return snprintf(out, cap, "%s/wyzer", x) < (int)cap ? WZ_OK : WZ_TOOBIG;
    if (home && home[0]) return snprintf(out, cap, "%s/%s/wyzer", home, fallback) < (int)cap ? WZ_OK : WZ_TOOBIG;
    return WZ_CONFIG;
}

int tools_create(tools **out, const wz_config *cfg, const char *data_dir, char *err, size_t errlen)
{
    *out = NULL;
    tools *t = calloc(1, sizeof *t);
    if (!t) return WZ_NOMEM;
    t->cfg = *cfg;
    t->clock = realtime_ms;
    t->defs = registry;
    t->ndefs = WZ_ARRAY_LEN(registry);
    t->next_timer_id = 1;
    t->next_fact_id = 1;
    curl_global_init(CURL_GLOBAL_DEFAULT); /* reference counted; paired in destroy */
    t->curl_inited = true;
    int rc = WZ_OK;
    char path[4096];
    snprintf(path, sizeof path, "%s/replies.ini", data_dir);
    if ((rc = replies_load(path, &t->rep, err, errlen))) goto fail;
    if (resolve_dir(cfg->paths_state_dir, "XDG_STATE_HOME", ".local/state", t->state_dir, sizeof t->state_dir) ||
        resolve_dir(cfg->paths_memory_dir, "XDG_DATA_HOME", ".local/share", t->memory_dir, sizeof t->memory_dir)) {
        snprintf(err, errlen, "cannot find a state folder: set paths.state_dir and paths.memory_dir or $HOME");
        rc = WZ_CONFIG;
        goto fail;
    }
    t->schemas = calloc(t->ndefs, sizeof(json_t *));
    if (!t->schemas) {
        rc = WZ_NOMEM;
        goto fail;
    }
    for (size_t i = 0; i < t->ndefs; i++) {
        json_error_t je;
        t->schemas[i] = json_loads(t->defs[i]->schema, 0, &je);
        if (!json_is_object(t->schemas[i])) {
            snprintf(err, errlen, "tool %s: bad schema: %s", t->defs[i]->name, je.text);
            rc = WZ_PROTO;
            goto fail;
        }
    }
    timers_load(t);
    memory_load(t);
    *out = t;
    return WZ_OK;
fail:
    tools_destroy(t);
    return rc;
}

void tools_destroy(tools *t)
{
    if (!t) return;
    for (size_t i = 0; t->schemas && i < t->ndefs; i++) json_decref(t->schemas[i]);
    free(t->schemas);
    json_decref(t->facts);
    replies_free(t->rep);
    if (t->curl_inited) curl_global_cleanup();
    free(t);
}

size_t tools_count(const tools *t) { return t->ndefs; }
const char *tools_name(const tools *t, size_t i) { return i < t->ndefs ? t->defs[i]->name : NULL; }

static int find(const tools *t, const char *name)
{
    for (size_t i = 0; name && i < t->ndefs; i++)
        if (strcmp(t->defs[i]->name, name) == 0) return (int)i;
    return -1;
}

tool_risk tools_risk(const tools *t, const char *name)
{
    int i = find(t, name);
    return i < 0 ? TOOL_RISK_SAFE : t->defs[i]->risk;
}

json_t *tools_llm_schema(const tools *t)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < t->ndefs; i++) {
        json_t *f = json_pack("{s:s, s:{s:s, s:s, s:O}}", "type", "function", "function", "name",
                              t->defs[i]->name, "description", t->defs[i]->description, "parameters",
                              t->schemas[i]);
        if (!f || json_array_append_new(arr, f)) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

void tool_result_clear(tool_result *r)
{
    json_decref(r->result);
    memset(r, 0, sizeof *r);
}

void tool_say(tools *t, tool_result *out, const char *key, json_t *vars)
{
    replies_format(t->rep, key, vars, out->spoken, sizeof out->spoken);
    json_decref(vars);
}

int tool_fail(tools *t, tool_result *out, const char *key, json_t *vars, const char *error)
{
    out->ok = false;
    wz_strlcpy(out->error, error, sizeof out->error);
    tool_say(t, out, key, vars);
    if (!out->result) out->result = json_object();
    json_object_set_new(out->result, "error", json_string(error));
    return WZ_OK;
}

int tools_say(const tools *t, const char *key, const json_t *vars, char *out, size_t cap)
{
    return replies_format(t->rep, key, vars, out, cap);
}

int tools_call(tools *t, const char *name, json_t *args, tool_result *out)
{
    memset(out, 0, sizeof *out);
    int i = find(t, name);
    if (i < 0) {
        char e[TOOLS_ERROR_MAX];
        snprintf(e, sizeof e, "unknown tool %.100s", name ? name : "(null)");
        tool_fail(t, out, "general.unknown_tool", NULL, e);
        return WZ_NOTFOUND;
    }
    json_t *empty = args ? NULL : json_object();
    const json_t *a = args ? args : empty;
    char verr[200];
    if (jschema_validate(t->schemas[i], a, verr, sizeof verr)) {
        char e[TOOLS_ERROR_MAX];
        snprintf(e, sizeof e, "invalid arguments for %s: %s", t->defs[i]->name, verr);
        tool_fail(t, out, "general.invalid_args", NULL, e);
        json_decref(empty);
        return WZ_INVAL;
    }
    out->ok = true;
    int rc = t->defs[i]->run(t, a, out);
    json_decref(empty);
    if (!out->result) out->result = json_object();
    if (rc != WZ_OK && out->ok) {
        out->ok = false;
        snprintf(out->error, sizeof out->error, "%s failed: %s", t->defs[i]->name, wz_strerror(rc));
    }
    if (!out->spoken[0]) tool_say(t, out, out->ok ? "general.done" : "general.failed", NULL);
    json_object_set_new(out->result, "ok", json_boolean(out->ok));
    return WZ_OK;
}
