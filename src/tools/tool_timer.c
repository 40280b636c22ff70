/* tool_timer.c: timer_start, timer_cancel, timer_status, and the timer file.
 *
 * Deadlines are absolute Unix wall-clock milliseconds, saved to
 * state_dir/timers.json after every change, so a crash or restart loses
 * nothing; a timer whose deadline passed while Wyzer was down is announced
 * ("finished while I was away") as soon as the brain polls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "brain/numwords.h"
#include "brain/tools_internal.h"
#include "common/log.h"

#define TIMERS_FILE "timers.json"
/* A timer more than 2 s overdue at load time expired while we were down. */
#define LATE_MS 2000

void timers_load(tools *t)
{
    json_t *root = NULL;
    tool_load_json(t, t->state_dir, TIMERS_FILE, &root);
    if (!root) return;
    json_t *arr = json_object_get(root, "timers"), *e;
    size_t i;
    if (!json_is_array(arr)) {
        tool_move_aside(t, t->state_dir, TIMERS_FILE, "no \"timers\" array");
        json_decref(root);
        return;
    }
    json_array_foreach(arr, i, e) {
        json_t *id = json_object_get(e, "id"), *name = json_object_get(e, "name"),
               *secs = json_object_get(e, "seconds"), *dl = json_object_get(e, "deadline_ms");
        if (!json_is_integer(id) || !json_is_integer(secs) || !json_is_integer(dl) ||
            (name && !json_is_string(name)) || t->ntimers >= TIMERS_MAX) {
            log_warn("%s/%s: skipping a malformed timer entry", t->state_dir, TIMERS_FILE);
            continue;
        }
        timer_entry *te = &t->timers[t->ntimers++];
        memset(te, 0, sizeof *te);
        te->id = (int)json_integer_value(id);
        te->seconds = (long)json_integer_value(secs);
        te->deadline_ms = json_integer_value(dl);
        if (name) wz_strlcpy(te->name, json_string_value(name), sizeof te->name);
        if (te->id >= t->next_timer_id) t->next_timer_id = te->id + 1;
    }
    json_decref(root);
    timers_mark_late(t);
}

void timers_mark_late(tools *t)
{
    int64_t now = tools_now_ms(t);
    for (size_t i = 0; i < t->ntimers; i++) t->timers[i].late = t->timers[i].deadline_ms + LATE_MS < now;
}

int timers_save(tools *t)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < t->ntimers; i++) {
        const timer_entry *te = &t->timers[i];
        json_array_append_new(arr, json_pack("{s:i, s:s, s:I, s:I}", "id", te->id, "name", te->name,
                                             "seconds", (json_int_t)te->seconds, "deadline_ms",
                                             (json_int_t)te->deadline_ms));
    }
    json_t *root = json_pack("{s:i, s:o}", "version", 1, "timers", arr);
    char *s = root ? json_dumps(root, JSON_INDENT(1)) : NULL;
    json_decref(root);
    if (!s) return WZ_NOMEM;
    int rc = tool_write_atomic(t->state_dir, TIMERS_FILE, s, strlen(s));
    free(s);
    if (rc) log_error("cannot save %s/%s: %s", t->state_dir, TIMERS_FILE, wz_strerror(rc));
    return rc;
}

static void duration_words(long secs, bool adjective, char *buf, size_t cap)
{
    numwords_format_duration(secs, adjective, buf, cap);
}

static int run_start(tools *t, const json_t *args, tool_result *out)
{
    long secs = (long)json_number_value(json_object_get(args, "seconds"));
    const char *name = json_string_value(json_object_get(args, "name"));
    char dur[96];
    if (t->ntimers >= TIMERS_MAX)
        return tool_fail(t, out, "timer.too_many", json_pack("{s:i}", "count", (int)t->ntimers), "too many timers");
    timer_entry *te = &t->timers[t->ntimers++];
    memset(te, 0, sizeof *te);
    te->id = t->next_timer_id++;
    te->seconds = secs;
    te->deadline_ms = tools_now_ms(t) + (int64_t)secs * 1000;
    if (name) wz_strlcpy(te->name, name, sizeof te->name);
    duration_words(secs, false, dur, sizeof dur);
    out->result = json_pack("{s:i, s:I, s:s}", "id", te->id, "deadline_ms", (json_int_t)te->deadline_ms, "duration", dur);
    if (timers_save(t)) {
        tool_say(t, out, "timer.save_failed", NULL);
        return WZ_OK; /* the timer still runs in memory */
    }
    if (te->name[0]) tool_say(t, out, "timer.set_named", json_pack("{s:s, s:s}", "name", te->name, "duration", dur));
    else tool_say(t, out, "timer.set", json_pack("{s:s}", "duration", dur));
    return WZ_OK;
}

static void remove_at(tools *t, size_t i)
{
    memmove(&t->timers[i], &t->timers[i + 1], (t->ntimers - i - 1) * sizeof t->timers[0]);
    t->ntimers--;
}

static int run_cancel(tools *t, const json_t *args, tool_result *out)
{
    const char *name = json_string_value(json_object_get(args, "name"));
    size_t before = t->ntimers;
    if (t->ntimers == 0) {
        out->result = json_pack("{s:i}", "cancelled", 0);
        tool_say(t, out, "timer.none", NULL);
        return WZ_OK;
    }
    for (size_t i = t->ntimers; i-- > 0;)
        if (!name || strcasecmp(t->timers[i].name, name) == 0) remove_at(t, i);
    int n = (int)(before - t->ntimers);
    if (n == 0) {
        out->result = json_pack("{s:i}", "cancelled", 0);
        return tool_fail(t, out, "timer.not_found", json_pack("{s:s}", "name", name), "no timer with that name");
    }
    timers_save(t);
    out->result = json_pack("{s:i}", "cancelled", n);
    if (name) tool_say(t, out, "timer.cancelled_named", json_pack("{s:s}", "name", name));
    else if (n == 1) tool_say(t, out, "timer.cancelled_one", NULL);
    else tool_say(t, out, "timer.cancelled_all", json_pack("{s:i}", "count", n));
    return WZ_OK;
}

static void timer_label(const timer_entry *te, char *buf, size_t cap)
{
    char d[96];
    duration_words(te->seconds, true, d, sizeof d);
    if (te->name[0]) snprintf(buf, cap, "Your %s timer", te->name);
    else snprintf(buf, cap, "Your %s timer", d);
}

static int run_status(tools *t, const json_t *args, tool_result *out)
{
    (void)args;
    int64_t now = tools_now_ms(t);
    json_t *list = json_array();
    char spoken_list[TOOLS_SPOKEN_MAX] = "";
    size_t len = 0;
    if (t->ntimers == 0) {
        out->result = json_pack("{s:o}", "timers", list);
        tool_say(t, out, "timer.none", NULL);
        return WZ_OK;
    }
    for (size_t i = 0; i < t->ntimers; i++) {
        const timer_entry *te = &t->timers[i];
        int64_t left_ms = te->deadline_ms - now;
        long left = left_ms > 0 ? (long)((left_ms + 999) / 1000) : 0;
        char label[128], lefts[96], one[TOOLS_SPOKEN_MAX];
        timer_label(te, label, sizeof label);
        duration_words(left, false, lefts, sizeof lefts);
        json_array_append_new(list, json_pack("{s:i, s:s, s:I, s:I}", "id", te->id, "name", te->name,
                                              "seconds", (json_int_t)te->seconds, "seconds_left", (json_int_t)left));
        json_t *vars = json_pack("{s:s, s:s}", "label", label, "left", lefts);
        replies_format(t->rep, "timer.status_one", vars, one, sizeof one);
        json_decref(vars);
        if (len + strlen(one) + 2 < sizeof spoken_list)
            len += (size_t)snprintf(spoken_list + len, sizeof spoken_list - len, "%s%s", len ? " " : "", one);
    }
    out->result = json_pack("{s:o}", "timers", list);
    if (t->ntimers == 1) wz_strlcpy(out->spoken, spoken_list, sizeof out->spoken);
    else tool_say(t, out, "timer.status_many", json_pack("{s:i, s:s}", "count", (int)t->ntimers, "list", spoken_list));
    return WZ_OK;
}

int64_t tools_next_deadline_ms(tools *t)
{
    if (t->ntimers == 0) return -1;
    int64_t first = t->timers[0].deadline_ms;
    for (size_t i = 1; i < t->ntimers; i++) first = WZ_MIN(first, t->timers[i].deadline_ms);
    int64_t left = first - tools_now_ms(t);
    return left > 0 ? left : 0;
}

bool tools_poll_due(tools *t, char *out, size_t cap)
{
    int64_t now = tools_now_ms(t);
    size_t due = t->ntimers;
    for (size_t i = 0; i < t->ntimers; i++)
        if (t->timers[i].deadline_ms <= now && (due == t->ntimers || t->timers[i].deadline_ms < t->timers[due].deadline_ms))
            due = i;
    if (due == t->ntimers) return false;
    timer_entry te = t->timers[due];
    remove_at(t, due);
    timers_save(t);
    char d[96];
    duration_words(te.seconds, true, d, sizeof d);
    const char *key = te.late ? (te.name[0] ? "timer.done_late_named" : "timer.done_late")
                              : (te.name[0] ? "timer.done_named" : "timer.done");
    json_t *vars = json_pack("{s:s, s:s}", "name", te.name, "duration", d);
    replies_format(t->rep, key, vars, out, cap);
    json_decref(vars);
    return true;
}

const tool_def tool_timer_start = {
    .name = "timer_start",
    .description = "Start a countdown timer; it is announced when it ends, even after a restart.",
    .schema = "{\"type\":\"object\",\"properties\":{"
              "\"seconds\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":604800,\"description\":\"length in seconds\"},"
              "\"name\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":60,\"description\":\"optional label, e.g. pasta\"}},"
              "\"required\":[\"seconds\"],\"additionalProperties\":false}",
    .risk = TOOL_RISK_SAFE,
    .run = run_start,
};

const tool_def tool_timer_cancel = {
    .name = "timer_cancel",
    .description = "Cancel the timer with the given name, or all timers when no name is given.",
    .schema = "{\"type\":\"object\",\"properties\":{"
              "\"name\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":60}},\"additionalProperties\":false}",
    .risk = TOOL_RISK_SAFE,
    .run = run_cancel,
};

const tool_def tool_timer_status = {
    .name = "timer_status",
    .description = "Tell how much time is left on each running timer.",
    .schema = "{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}",
    .risk = TOOL_RISK_SAFE,
    .run = run_status,
};
