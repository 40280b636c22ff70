/* tool_memory.c: remember, recall, forget, and memory_dir/memory.json.
 *
 * A fact matches a query when every significant query word (3+ letters, not
 * a filler like "the" or "about") appears in it, case-insensitively. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "brain/tools_internal.h"
#include "common/log.h"

#define MEMORY_FILE "memory.json"

void memory_load(tools *t)
{
    json_t *root = NULL, *e;
    size_t i;
    tool_load_json(t, t->memory_dir, MEMORY_FILE, &root);
    t->facts = json_array();
    if (!root) return;
    json_t *arr = json_object_get(root, "facts");
    if (!json_is_array(arr)) {
        tool_move_aside(t, t->memory_dir, MEMORY_FILE, "no \"facts\" array");
        json_decref(root);
        return;
    }
    json_array_foreach(arr, i, e) {
        json_t *id = json_object_get(e, "id"), *fact = json_object_get(e, "fact");
        if (!json_is_integer(id) || !json_is_string(fact) || json_array_size(t->facts) >= FACTS_MAX) {
            log_warn("%s/%s: skipping a malformed fact", t->memory_dir, MEMORY_FILE);
            continue;
        }
        json_array_append(t->facts, e);
        if (json_integer_value(id) >= t->next_fact_id) t->next_fact_id = (int)json_integer_value(id) + 1;
    }
    json_decref(root);
}

int memory_save(tools *t)
{
    json_t *root = json_pack("{s:i, s:O}", "version", 1, "facts", t->facts);
    char *s = root ? json_dumps(root, JSON_INDENT(1)) : NULL;
    json_decref(root);
    if (!s) return WZ_NOMEM;
    int rc = tool_write_atomic(t->memory_dir, MEMORY_FILE, s, strlen(s));
    free(s);
    if (rc) log_error("cannot save %s/%s: %s", t->memory_dir, MEMORY_FILE, wz_strerror(rc));
    return rc;
}

static bool significant(const char *w)
{
    static const char *const skip[] = {"the", "about", "that", "this", "what", "and", "for", "you", "are", "was"};
    if (strlen(w) < 3) return false;
    for (size_t i = 0; i < WZ_ARRAY_LEN(skip); i++)
        if (strcasecmp(w, skip[i]) == 0) return false;
    return true;
}

static bool fact_matches(const char *fact, const char *query)
{
    char q[FACT_TEXT_MAX + 1];
    bool any = false;
    if (!query || !*query) return true;
    wz_strlcpy(q, query, sizeof q);
    for (char *save = NULL, *w = strtok_r(q, " \t,.?!'", &save); w; w = strtok_r(NULL, " \t,.?!'", &save)) {
        if (!significant(w)) continue;
        any = true;
        if (!strcasestr(fact, w)) return false;
    }
    return any || strcasestr(fact, query) != NULL;
}

static int run_remember(tools *t, const json_t *args, tool_result *out)
{
    const char *fact = json_string_value(json_object_get(args, "fact"));
    if (json_array_size(t->facts) >= FACTS_MAX) return tool_fail(t, out, "memory.full", NULL, "memory full");
    int id = t->next_fact_id++;
    json_array_append_new(t->facts, json_pack("{s:i, s:s, s:I}", "id", id, "fact", fact, "created_ms",
                                              (json_int_t)tools_now_ms(t)));
    if (memory_save(t)) {
        json_array_remove(t->facts, json_array_size(t->facts) - 1);
        return tool_fail(t, out, "memory.save_failed", NULL, "cannot write memory file");
    }
    out->result = json_pack("{s:i, s:s}", "id", id, "fact", fact);
    tool_say(t, out, "memory.remembered", json_pack("{s:s}", "fact", fact));
    return WZ_OK;
}

static int run_recall(tools *t, const json_t *args, tool_result *out)
{
    const char *query = json_string_value(json_object_get(args, "query"));
    json_t *found = json_array(), *e;
    size_t i, len = 0;
    char list[TOOLS_SPOKEN_MAX] = "";
    json_array_foreach(t->facts, i, e) {
        const char *fact = json_string_value(json_object_get(e, "fact"));
        if (!fact_matches(fact, query)) continue;
        json_array_append_new(found, json_string(fact));
        if (len + strlen(fact) + 3 < sizeof list)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", len ? "; " : "", fact);
    }
    size_t n = json_array_size(found);
    out->result = json_pack("{s:o}", "facts", found);
    if (n == 0 && query) tool_say(t, out, "memory.nothing_about", json_pack("{s:s}", "query", query));
    else if (n == 0) tool_say(t, out, "memory.none", NULL);
    else if (n == 1) tool_say(t, out, "memory.recall_one", json_pack("{s:s}", "list", list));
    else tool_say(t, out, "memory.recall_many", json_pack("{s:i, s:s}", "count", (int)n, "list", list));
    return WZ_OK;
}

static int run_forget(tools *t, const json_t *args, tool_result *out)
{
    const char *query = json_string_value(json_object_get(args, "query"));
    json_t *removed = json_array();
    for (size_t i = json_array_size(t->facts); i-- > 0;) {
        json_t *e = json_array_get(t->facts, i);
        const char *fact = json_string_value(json_object_get(e, "fact"));
        if (!fact_matches(fact, query)) continue;
        json_array_insert_new(removed, 0, json_string(fact));
        json_array_remove(t->facts, i);
    }
    size_t n = json_array_size(removed);
    out->result = json_pack("{s:o}", "forgotten", removed);
    if (n == 0) return tool_fail(t, out, "memory.nothing_about", json_pack("{s:s}", "query", query), "no matching fact");
    if (memory_save(t)) return tool_fail(t, out, "memory.save_failed", NULL, "cannot write memory file");
    if (n == 1) tool_say(t, out, "memory.forgot_one", NULL);
    else tool_say(t, out, "memory.forgot", json_pack("{s:i, s:s}", "count", (int)n, "query", query));
    return WZ_OK;
}

const tool_def tool_remember = {
    .name = "remember",
    .description = "Store a fact about the user to recall later.",
    .schema = "{\"type\":\"object\",\"properties\":{\"fact\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":500}},"
              "\"required\":[\"fact\"],\"additionalProperties\":false}",
    .risk = TOOL_RISK_SAFE,
    .run = run_remember,
};

const tool_def tool_recall = {
    .name = "recall",
    .description = "List remembered facts, or those matching a query.",
    .schema = "{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":200}},"
              "\"additionalProperties\":false}",
    .risk = TOOL_RISK_SAFE,
    .run = run_recall,
};

const tool_def tool_forget = {
    .name = "forget",
    .description = "Delete every remembered fact matching the query (asks for confirmation).",
    .schema = "{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":200}},"
              "\"required\":[\"query\"],\"additionalProperties\":false}",
    .risk = TOOL_RISK_CONFIRM,
    .run = run_forget,
};

size_t tools_facts(const tools *t, const char **out, size_t max)
{
    size_t n = 0, i;
    json_t *e;
    json_array_foreach(t->facts, i, e) {
        if (n == max)
            break;
        const char *f = json_string_value(json_object_get(e, "fact"));
        if (f)
            out[n++] = f;
    }
    return n;
}
