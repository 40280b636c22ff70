/* test_router.c: the router against its spec table (tests/data/router_cases.tsv):
 * every command phrasing gives exactly the expected tool calls and args, every
 * non-command gives nothing, every control phrase its action. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brain/router.h"
#include "wz_test.h"

static router *load_router(void)
{
    char dir[1024], err[256];
    snprintf(dir, sizeof dir, "%s/data/intents", getenv("WZ_SOURCE_DIR"));
    router *r = NULL;
    int rc = router_create(&r, dir, err, sizeof err);
    if (rc) TEST_FAIL_AT("router_create: %s", err);
    return r;
}

/* Serialised with sorted keys so equal objects compare equal as strings. */
static char *dump(const json_t *j) { return json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT); }

static json_t *actual_calls(const router_result *res)
{
    json_t *a = json_array();
    for (size_t i = 0; i < res->ncalls; i++)
        json_array_append_new(a, json_pack("[sO]", res->calls[i].tool, res->calls[i].args));
    return a;
}

/* Returns NULL when the case passes, else a malloc'd description. */
static char *check_case(const router *r, const char *text, const char *kind, const char *exp)
{
    router_result res;
    char *msg = NULL, *got = NULL, *want = NULL;
    if (router_route(r, text, &res)) return strdup("router_route failed");
    json_t *calls = actual_calls(&res);
    got = dump(calls);
    if (strcmp(kind, "none") == 0) {
        if (res.kind != ROUTER_NONE) asprintf(&msg, "expected no match, got kind %d %s %s", res.kind, got, res.control);
    } else if (strcmp(kind, "control") == 0) {
        if (res.kind != ROUTER_CONTROL || strcmp(res.control, exp) != 0)
            asprintf(&msg, "expected control %s, got kind %d %s '%s'", exp, res.kind, got, res.control);
    } else {
        json_error_t je;
        json_t *e = json_loads(exp, 0, &je);
        json_t *want_calls = strcmp(kind, "multi") == 0 ? json_incref(e) : json_pack("[[sO]]", kind, e);
        want = dump(want_calls);
        if (res.kind != ROUTER_TOOLS || !want || strcmp(want, got) != 0)
            asprintf(&msg, "expected %s, got kind %d %s", want ? want : exp, res.kind, got);
        json_decref(e);
        json_decref(want_calls);
    }
    free(got);
    free(want);
    json_decref(calls);
    router_result_clear(&res);
    return msg;
}

static void test_case_table(void)
{
    char path[1024], line[2048];
    snprintf(path, sizeof path, "%s/router_cases.tsv", getenv("WZ_TEST_DATA"));
    FILE *f = fopen(path, "r");
    ASSERT_TRUE(f != NULL);
    router *r = load_router();
    int commands = 0, non_commands = 0, failures = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        if (!line[0] || line[0] == '#') continue;
        char *text = strtok(line, "\t"), *kind = strtok(NULL, "\t"), *exp = strtok(NULL, "\t");
        ASSERT_TRUE(text && kind && exp);
        if (strcmp(kind, "none") == 0) non_commands++;
        else commands++;
        char *msg = check_case(r, text, kind, exp);
        if (msg) {
            fprintf(stderr, "  MISMATCH \"%s\": %s\n", text, msg);
            failures++;
            free(msg);
        }
    }
    fclose(f);
    router_destroy(r);
    fprintf(stderr, "  %d commands, %d non-commands, %d mismatches\n", commands, non_commands, failures);
    ASSERT_GE(commands, 150);
    ASSERT_GE(non_commands, 50);
    ASSERT_EQ(0, failures);
}

static void test_every_tool_has_an_intent(void)
{
    static const char *tools[] = {"get_time", "get_date", "timer_start", "timer_cancel", "timer_status",
                                  "weather", "volume", "media", "open", "web_search", "system_info",
                                  "calculate", "remember", "recall", "forget"};
    router *r = load_router();
    const intents *it = router_intents(r);
    for (size_t k = 0; k < WZ_ARRAY_LEN(tools); k++) {
        int found = 0;
        for (size_t i = 0; i < intents_count(it); i++) found |= strcmp(intents_tool(it, i), tools[k]) == 0;
        if (!found) TEST_FAIL_AT("no intent for tool %s", tools[k]);
    }
    router_destroy(r);
}

static void test_confidence_in_range(void)
{
    router *r = load_router();
    router_result res;
    ASSERT_EQ(0, router_route(r, "set a timer for five minutes", &res));
    ASSERT_EQ(ROUTER_TOOLS, res.kind);
    ASSERT_LE(res.calls[0].confidence, 1.0);
    ASSERT_GE(res.calls[0].confidence, 0.99); /* literals and a typed slot only */
    router_result_clear(&res);
    ASSERT_EQ(0, router_route(r, "search for cheap flights to lisbon", &res));
    ASSERT_LE(res.calls[0].confidence, 0.8); /* free text counts half */
    router_result_clear(&res);
    router_destroy(r);
}

static void test_oversized_text_is_rejected(void)
{
    router *r = load_router();
    router_result res;
    char *big = malloc(INTENTS_TEXT_MAX + 10);
    memset(big, 'a', INTENTS_TEXT_MAX + 9);
    big[INTENTS_TEXT_MAX + 9] = 0;
    ASSERT_EQ(WZ_TOOBIG, router_route(r, big, &res));
    ASSERT_EQ(ROUTER_NONE, res.kind);
    /* too many words */
    char words[INTENTS_TEXT_MAX];
    words[0] = 0;
    for (int i = 0; i < INTENTS_WORDS_MAX + 1; i++) strcat(words, "a ");
    ASSERT_EQ(WZ_TOOBIG, router_route(r, words, &res));
    free(big);
    router_destroy(r);
}

static void test_chains_are_capped(void)
{
    router *r = load_router();
    router_result res;
    ASSERT_EQ(0, router_route(r, "pause and play and pause and play", &res));
    ASSERT_EQ(ROUTER_TOOLS, res.kind);
    ASSERT_EQ(4, res.ncalls);
    router_result_clear(&res);
    ASSERT_EQ(0, router_route(r, "pause and play and pause and play and pause", &res));
    ASSERT_EQ(ROUTER_NONE, res.kind); /* ROUTER_CALLS_MAX is 4 */
    router_result_clear(&res);
    /* a control phrase is never part of a chain */
    ASSERT_EQ(0, router_route(r, "pause the music and stop", &res));
    ASSERT_EQ(ROUTER_NONE, res.kind);
    router_destroy(r);
}

/* Which whole commands more words could still change: the endpointer waits
 * longer after those (docs/listening.md). */
static void test_extendable(void)
{
    static const char *const open[] = {
        "what's the weather",           /* ... in paris, ... tomorrow */
        "set a timer for five minutes", /* ... and thirty seconds, ... called pasta */
        "set the volume to fifty",      /* ... five */
        "search for cats",              /* free text goes on */
        "stop",                         /* ... the timer: another intent */
        "what is seven times eight",    /* ... plus one */
    };
    static const char *const closed[] = {
        "what time is it", "what's the date", /* "... today" asks the same */
        "cancel all timers", "what's the weather please", /* a closing filler */
        "turn the volume up",
    };
    router *r = load_router();
    for (size_t i = 0; i < WZ_ARRAY_LEN(open); i++)
        if (!router_extendable(r, open[i])) TEST_FAIL_AT("\"%s\" should be extendable", open[i]);
    for (size_t i = 0; i < WZ_ARRAY_LEN(closed); i++)
        if (router_extendable(r, closed[i])) TEST_FAIL_AT("\"%s\" should not be extendable", closed[i]);
    /* not one command: nothing to extend */
    ASSERT_TRUE(!router_extendable(r, "tell me a story"));
    ASSERT_TRUE(!router_extendable(r, ""));
    router_destroy(r);
}

int main(void)
{
    RUN(test_extendable);
    RUN(test_case_table);
    RUN(test_every_tool_has_an_intent);
    RUN(test_confidence_in_range);
    RUN(test_oversized_text_is_rejected);
    RUN(test_chains_are_capped);
    return TEST_SUMMARY();
}
