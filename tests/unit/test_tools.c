/* test_tools.c: the tool registry, argument validation, replies, and the
 * tools that need no outside service: time, timers (with persistence),
 * memory (with persistence), calculate, system_info, web_search. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app/config.h"
#include "brain/jschema.h"
#include "brain/tools.h"
#include "wz_test.h"

static int64_t fake_now = 1790000000000; /* 2026-09-21, Unix ms */
static int64_t fake_clock(void *ctx) { (void)ctx; return fake_now; }

static char state_dir[256];

static tools *make_tools_in(const char *dir)
{
    wz_config cfg;
    char err[256], sub[512], data[512];
    config_init(&cfg);
    snprintf(sub, sizeof sub, "%s/state", dir);
    if (config_set(&cfg, "paths.state_dir", sub, CFG_FROM_CLI, err, sizeof err)) TEST_FAIL_AT("%s", err);
    snprintf(sub, sizeof sub, "%s/memory", dir);
    if (config_set(&cfg, "paths.memory_dir", sub, CFG_FROM_CLI, err, sizeof err)) TEST_FAIL_AT("%s", err);
    if (config_set(&cfg, "search.url", "https://search.example/?q=%s&x=1", CFG_FROM_CLI, err, sizeof err))
        TEST_FAIL_AT("%s", err);
    snprintf(data, sizeof data, "%s/data", getenv("WZ_SOURCE_DIR"));
    tools *t = NULL;
    if (tools_create(&t, &cfg, data, err, sizeof err)) TEST_FAIL_AT("tools_create: %s", err);
    tools_set_clock(t, fake_clock, NULL);
    return t;
}

static tools *make_tools(void)
{
    if (!state_dir[0])
        wz_test_tmpdir(state_dir, sizeof state_dir, "tools-");
    return make_tools_in(state_dir);
}

static int call(tools *t, const char *name, const char *args_json, tool_result *r)
{
    json_error_t je;
    json_t *a = args_json ? json_loads(args_json, 0, &je) : NULL;
    int rc = tools_call(t, name, a, r);
    json_decref(a);
    return rc;
}

static void test_registry_matches_public_contract(void)
{
    static const char *names[] = {"get_time", "get_date", "timer_start", "timer_cancel", "timer_status",
                                  "weather", "volume", "media", "open", "web_search", "system_info",
                                  "calculate", "remember", "recall", "forget"};
    tools *t = make_tools();
    ASSERT_EQ(WZ_ARRAY_LEN(names), tools_count(t));
    for (size_t i = 0; i < WZ_ARRAY_LEN(names); i++) ASSERT_STREQ(names[i], tools_name(t, i));
    json_t *s = tools_llm_schema(t);
    ASSERT_EQ(WZ_ARRAY_LEN(names), json_array_size(s));
    json_t *f = json_object_get(json_array_get(s, 6), "function");
    ASSERT_STREQ("function", json_string_value(json_object_get(json_array_get(s, 6), "type")));
    ASSERT_STREQ("volume", json_string_value(json_object_get(f, "name")));
    ASSERT_TRUE(json_string_length(json_object_get(f, "description")) > 10);
    ASSERT_STREQ("object", json_string_value(json_object_get(json_object_get(f, "parameters"), "type")));
    json_decref(s);
    ASSERT_EQ(TOOL_RISK_CONFIRM, tools_risk(t, "forget"));
    ASSERT_EQ(TOOL_RISK_SAFE, tools_risk(t, "remember"));
    ASSERT_EQ(TOOL_RISK_SAFE, tools_risk(t, "open"));
    tools_destroy(t);
}

static void test_unknown_tool_is_an_error(void)
{
    tools *t = make_tools();
    tool_result r;
    ASSERT_EQ(WZ_NOTFOUND, call(t, "rm_rf", "{}", &r));
    ASSERT_TRUE(!r.ok);
    ASSERT_CONTAINS(r.error, "unknown tool rm_rf");
    ASSERT_TRUE(r.spoken[0] != 0);
    tool_result_clear(&r);
    tools_destroy(t);
}

static void test_invalid_args_never_reach_the_handler(void)
{
    static const struct { const char *tool, *args, *why; } bad[] = {
        {"volume", "{\"action\":\"set\",\"level\":150}", "level: 150 is above the maximum 100"},
        {"volume", "{\"action\":\"explode\"}", "action: must be one of"},
        {"volume", "{}", "action: is required"},
        {"timer_start", "{\"seconds\":-5}", "seconds: -5 is below the minimum 1"},
        {"timer_start", "{\"seconds\":\"ten\"}", "seconds: must be of type integer"},
        {"timer_start", "{\"seconds\":10,\"shell\":\"rm -rf /\"}", "shell: is not a known argument"},
        {"weather", "{\"day\":\"yesterday\"}", "day: must be one of"},
        {"open", "{\"target\":\"\"}", "target: is too short"},
    };
    tools *t = make_tools();
    for (size_t i = 0; i < WZ_ARRAY_LEN(bad); i++) {
        tool_result r;
        ASSERT_EQ(WZ_INVAL, call(t, bad[i].tool, bad[i].args, &r));
        ASSERT_TRUE(!r.ok);
        ASSERT_CONTAINS(r.error, bad[i].why);
        tool_result_clear(&r);
    }
    tool_result r;
    ASSERT_EQ(WZ_OK, call(t, "timer_status", NULL, &r)); /* the rejected timer_start made no timer */
    ASSERT_EQ(0, json_array_size(json_object_get(r.result, "timers")));
    tool_result_clear(&r);
    ASSERT_EQ(-1, tools_next_deadline_ms(t));
    tools_destroy(t);
}

static void test_schema_validator_subset(void)
{
    json_error_t je;
    json_t *s = json_loads("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"array\",\"items\":{\"type\":\"number\","
                           "\"maximum\":3}},\"b\":{\"type\":\"boolean\"},\"c\":{\"type\":\"string\",\"maxLength\":3}}}",
                           0, &je);
    char err[128];
    json_t *ok = json_loads("{\"a\":[1,2.5],\"b\":true,\"c\":\"h\\u00e9y\",\"extra\":1}", 0, &je);
    json_t *bad = json_loads("{\"a\":[1,4]}", 0, &je);
    json_t *bad2 = json_loads("{\"c\":\"four\"}", 0, &je);
    ASSERT_EQ(WZ_OK, jschema_validate(s, ok, err, sizeof err));
    ASSERT_EQ(WZ_INVAL, jschema_validate(s, bad, err, sizeof err));
    ASSERT_STREQ("a[1]: 4 is above the maximum 3", err);
    ASSERT_EQ(WZ_INVAL, jschema_validate(s, bad2, err, sizeof err));
    json_decref(s);
    json_decref(ok);
    json_decref(bad);
    json_decref(bad2);
}

static void test_time_and_date_replies(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
    tools *t = make_tools();
    tool_result r;
    fake_now = 1790000000000; /* Mon 2026-09-21 14:13:20 UTC */
    ASSERT_EQ(WZ_OK, call(t, "get_time", NULL, &r));
    ASSERT_STREQ("It's 2:13 PM.", r.spoken);
    ASSERT_STREQ("14:13", json_string_value(json_object_get(r.result, "time")));
    tool_result_clear(&r);
    ASSERT_EQ(WZ_OK, call(t, "get_date", "{}", &r));
    ASSERT_STREQ("Today is Monday, September 21.", r.spoken);
    tool_result_clear(&r);
    tools_destroy(t);
}

static void test_timer_fires_at_its_deadline(void)
{
    tools *t = make_tools();
    tool_result r;
    char say[256];
    fake_now = 1790000000000;
    ASSERT_EQ(WZ_OK, call(t, "timer_start", "{\"seconds\":150}", &r));
    ASSERT_STREQ("Timer set for 2 minutes and 30 seconds.", r.spoken);
    tool_result_clear(&r);
    ASSERT_EQ(150000, tools_next_deadline_ms(t));
    ASSERT_TRUE(!tools_poll_due(t, say, sizeof say));
    fake_now += 149999;
    ASSERT_EQ(1, tools_next_deadline_ms(t));
    ASSERT_TRUE(!tools_poll_due(t, say, sizeof say));
    fake_now += 1;
    ASSERT_EQ(0, tools_next_deadline_ms(t));
    ASSERT_TRUE(tools_poll_due(t, say, sizeof say));
    ASSERT_STREQ("Your 2 minute 30 second timer is done.", say);
    ASSERT_TRUE(!tools_poll_due(t, say, sizeof say));
    ASSERT_EQ(-1, tools_next_deadline_ms(t));
    tools_destroy(t);
}

static void test_timers_fire_in_deadline_order(void)
{
    tools *t = make_tools();
    tool_result r;
    char say[256];
    ASSERT_EQ(WZ_OK, call(t, "timer_start", "{\"seconds\":600,\"name\":\"pasta\"}", &r));
    ASSERT_STREQ("pasta timer set for 10 minutes.", r.spoken);
    tool_result_clear(&r);
    ASSERT_EQ(WZ_OK, call(t, "timer_start", "{\"seconds\":60,\"name\":\"tea\"}", &r));
    tool_result_clear(&r);
    ASSERT_EQ(60000, tools_next_deadline_ms(t));
    ASSERT_EQ(WZ_OK, call(t, "timer_status", NULL, &r));
    ASSERT_CONTAINS(r.spoken, "You have 2 timers.");
    ASSERT_CONTAINS(r.spoken, "Your tea timer has 1 minute left.");
    tool_result_clear(&r);
    fake_now += 700000;
    ASSERT_TRUE(tools_poll_due(t, say, sizeof say));
    ASSERT_STREQ("Your tea timer is done.", say);
    ASSERT_TRUE(tools_poll_due(t, say, sizeof say));
    ASSERT_STREQ("Your pasta timer is done.", say);
    tools_destroy(t);
}

static void test_timer_cancel_by_name_and_all(void)
{
    tools *t = make_tools();
    tool_result r;
    call(t, "timer_start", "{\"seconds\":60,\"name\":\"Pasta\"}", &r), tool_result_clear(&r);
    call(t, "timer_start", "{\"seconds\":70}", &r), tool_result_clear(&r);
    call(t, "timer_start", "{\"seconds\":80}", &r), tool_result_clear(&r);
    ASSERT_EQ(WZ_OK, call(t, "timer_cancel", "{\"name\":\"eggs\"}", &r));
    ASSERT_TRUE(!r.ok);
    ASSERT_STREQ("You don't have a eggs timer.", r.spoken);
    tool_result_clear(&r);
    ASSERT_EQ(WZ_OK, call(t, "timer_cancel", "{\"name\":\"pasta\"}", &r));
    ASSERT_EQ(1, json_integer_value(json_object_get(r.result, "cancelled")));
    tool_result_clear(&r);
    ASSERT_EQ(WZ_OK, call(t, "timer_cancel", NULL, &r));
    ASSERT_STREQ("Cancelled 2 timers.", r.spoken);
    tool_result_clear(&r);
    ASSERT_EQ(-1, tools_next_deadline_ms(t));
    tools_destroy(t);
}

static void test_timers_survive_a_restart(void)
{
    tools *t = make_tools();
    tool_result r;
    char say[256], path[600];
    fake_now = 1790000000000;
    ASSERT_EQ(WZ_OK, call(t, "timer_start", "{\"seconds\":300,\"name\":\"bread\"}", &r));
    tool_result_clear(&r);
    tools_destroy(t); /* as if the brain died */
    snprintf(path, sizeof path, "%s/state/timers.json", state_dir);
    struct stat st;
    ASSERT_EQ(0, stat(path, &st));
    fake_now += 100000;
    t = make_tools();
    ASSERT_EQ(200000, tools_next_deadline_ms(t)); /* same absolute deadline */
    fake_now += 200000;
    ASSERT_TRUE(tools_poll_due(t, say, sizeof say));
    ASSERT_STREQ("Your bread timer is done.", say);
    tools_destroy(t);
    t = make_tools(); /* the fired timer is gone from disk too */
    ASSERT_EQ(-1, tools_next_deadline_ms(t));
    tools_destroy(t);
}

static void test_timer_expired_while_down_is_announced(void)
{
    tools *t = make_tools();
    tool_result r;
    char say[256];
    fake_now = 1790000000000;
    ASSERT_EQ(WZ_OK, call(t, "timer_start", "{\"seconds\":300}", &r));
    tool_result_clear(&r);
    tools_destroy(t);
    fake_now += 3600 * 1000; /* down for an hour */
    t = make_tools();
    ASSERT_EQ(0, tools_next_deadline_ms(t));
    ASSERT_TRUE(tools_poll_due(t, say, sizeof say));
    ASSERT_STREQ("Your 5 minute timer finished while I was away.", say);
    tools_destroy(t);
}

static int count_prefix(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    while (d && (e = readdir(d))) n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    if (d) closedir(d);
    return n;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ASSERT_TRUE(f != NULL);
    fputs(text, f);
    fclose(f);
}

static void test_corrupt_timer_file_is_moved_aside(void)
{
    char dir[600], path[700];
    tools *t = make_tools(); /* creates the folders */
    tool_result r;
    call(t, "timer_start", "{\"seconds\":30}", &r), tool_result_clear(&r);
    tools_destroy(t);
    snprintf(dir, sizeof dir, "%s/state", state_dir);
    snprintf(path, sizeof path, "%s/timers.json", dir);
    write_file(path, "{\"timers\": [ {\"id\": 1, trunc");
    t = make_tools();
    ASSERT_EQ(-1, tools_next_deadline_ms(t)); /* started empty */
    ASSERT_EQ(1, count_prefix(dir, "timers.json.corrupt-"));
    call(t, "timer_start", "{\"seconds\":30}", &r), tool_result_clear(&r); /* and still works */
    ASSERT_EQ(30000, tools_next_deadline_ms(t));
    ASSERT_EQ(0, count_prefix(dir, "timers.json.tmp")); /* atomic write left no temp file */
    tools_destroy(t);
    write_file(path, "[1,2,3]"); /* valid JSON, wrong shape */
    t = make_tools();
    ASSERT_EQ(-1, tools_next_deadline_ms(t));
    ASSERT_GE(count_prefix(dir, "timers.json.corrupt-"), 1);
    tools_destroy(t);
}

static void test_memory_remember_recall_forget_persist(void)
{
    tools *t = make_tools();
    tool_result r;
    ASSERT_EQ(WZ_OK, call(t, "recall", NULL, &r));
    ASSERT_STREQ("I don't remember anything yet.", r.spoken);
    tool_result_clear(&r);
    ASSERT_EQ(WZ_OK, call(t, "remember", "{\"fact\":\"my car is parked on level three\"}", &r));
    ASSERT_STREQ("Okay, I'll remember that my car is parked on level three.", r.spoken);
    tool_result_clear(&r);
    call(t, "remember", "{\"fact\":\"Anna's birthday is May 5th\"}", &r), tool_result_clear(&r);
    tools_destroy(t);
    t = make_tools(); /* facts survive a restart */
    ASSERT_EQ(WZ_OK, call(t, "recall", "{\"query\":\"my car\"}", &r));
    ASSERT_STREQ("You told me that my car is parked on level three.", r.spoken);
    tool_result_clear(&r);
    ASSERT_EQ(WZ_OK, call(t, "recall", NULL, &r));
    ASSERT_EQ(2, json_array_size(json_object_get(r.result, "facts")));
    tool_result_clear(&r);
    ASSERT_EQ(WZ_OK, call(t, "forget", "{\"query\":\"the plumber\"}", &r));
    ASSERT_TRUE(!r.ok);
    tool_result_clear(&r);
    ASSERT_EQ(WZ_OK, call(t, "forget", "{\"query\":\"anna birthday\"}", &r));
    ASSERT_STREQ("Okay, I forgot that.", r.spoken);
    tool_result_clear(&r);
    tools_destroy(t);
    t = make_tools();
    ASSERT_EQ(WZ_OK, call(t, "recall", NULL, &r));
    ASSERT_EQ(1, json_array_size(json_object_get(r.result, "facts")));
    tool_result_clear(&r);
    tools_destroy(t);
}

static void test_corrupt_memory_file_is_moved_aside(void)
{
    char dir[600], path[700];
    tools *t = make_tools();
    tool_result r;
    call(t, "remember", "{\"fact\":\"x y z\"}", &r), tool_result_clear(&r);
    tools_destroy(t);
    snprintf(dir, sizeof dir, "%s/memory", state_dir);
    snprintf(path, sizeof path, "%s/memory.json", dir);
    write_file(path, "\x01\x02 not json");
    t = make_tools();
    ASSERT_EQ(1, count_prefix(dir, "memory.json.corrupt-"));
    ASSERT_EQ(WZ_OK, call(t, "recall", NULL, &r));
    ASSERT_EQ(0, json_array_size(json_object_get(r.result, "facts")));
    tool_result_clear(&r);
    tools_destroy(t);
}

static void test_calculate_tool(void)
{
    tools *t = make_tools();
    tool_result r;
    ASSERT_EQ(WZ_OK, call(t, "calculate", "{\"expression\":\"seven times eight\"}", &r));
    ASSERT_STREQ("seven times eight is 56.", r.spoken);
    ASSERT_EQ(56, json_real_value(json_object_get(r.result, "value")));
    tool_result_clear(&r);
    ASSERT_EQ(WZ_OK, call(t, "calculate", "{\"expression\":\"1/0\"}", &r));
    ASSERT_TRUE(!r.ok);
    ASSERT_CONTAINS(r.spoken, "division by zero");
    tool_result_clear(&r);
    tools_destroy(t);
}

static void test_system_info_reads_the_machine(void)
{
    tools *t = make_tools();
    tool_result r;
    ASSERT_EQ(WZ_OK, call(t, "system_info", NULL, &r));
    ASSERT_TRUE(r.ok);
    ASSERT_CONTAINS(r.spoken, "The load is ");
    ASSERT_CONTAINS(r.spoken, "gigabytes of memory available");
    ASSERT_TRUE(json_integer_value(json_object_get(r.result, "mem_total_kb")) > 0);
    ASSERT_TRUE(json_integer_value(json_object_get(r.result, "uptime_s")) > 0);
    tool_result_clear(&r);
    tools_destroy(t);
}

/* A fake xdg-open on PATH records its argv: a real child process, no shell
 * between Wyzer and it. */
static char *install_fake_opener(char *log, size_t cap)
{
    static char bin[600];
    snprintf(bin, sizeof bin, "%s/bin", state_dir);
    mkdir(bin, 0700);
    snprintf(log, cap, "%s/opened.txt", state_dir);
    char script[700], text[1400];
    snprintf(script, sizeof script, "%s/xdg-open", bin);
    snprintf(text, sizeof text, "#!/bin/sh\nprintf '%%s\\n' \"$@\" >> '%s'\n", log);
    write_file(script, text);
    chmod(script, 0755);
    char path[2048];
    snprintf(path, sizeof path, "%s:%s", bin, getenv("PATH"));
    setenv("PATH", path, 1);
    return bin;
}

static void wait_for_file(const char *path, char *buf, size_t cap)
{
    for (int i = 0; i < 200; i++) {
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

static void test_web_search_opens_encoded_url(void)
{
    char log[700], got[1024];
    tools *t = make_tools();
    install_fake_opener(log, sizeof log);
    tool_result r;
    ASSERT_EQ(WZ_OK, call(t, "web_search", "{\"query\":\"cats & dogs; rm -rf /\"}", &r));
    ASSERT_TRUE(r.ok);
    ASSERT_STREQ("Searching the web for cats & dogs; rm -rf /.", r.spoken);
    wait_for_file(log, got, sizeof got);
    ASSERT_STREQ("https://search.example/?q=cats%20%26%20dogs%3B%20rm%20-rf%20%2F&x=1\n", got);
    tool_result_clear(&r);
    tools_destroy(t);
}

static void test_web_search_without_opener_fails_cleanly(void)
{
    tools *t = make_tools();
    setenv("PATH", "/nonexistent", 1);
    tool_result r;
    ASSERT_EQ(WZ_OK, call(t, "web_search", "{\"query\":\"x\"}", &r));
    ASSERT_TRUE(!r.ok);
    ASSERT_STREQ("I can't open that because xdg-open is not installed.", r.spoken);
    tool_result_clear(&r);
    tools_destroy(t);
}

int main(void)
{
    RUN(test_registry_matches_public_contract);
    RUN(test_unknown_tool_is_an_error);
    RUN(test_invalid_args_never_reach_the_handler);
    RUN(test_schema_validator_subset);
    RUN(test_time_and_date_replies);
    RUN(test_timer_fires_at_its_deadline);
    RUN(test_timers_fire_in_deadline_order);
    RUN(test_timer_cancel_by_name_and_all);
    RUN(test_timers_survive_a_restart);
    RUN(test_timer_expired_while_down_is_announced);
    RUN(test_corrupt_timer_file_is_moved_aside);
    RUN(test_memory_remember_recall_forget_persist);
    RUN(test_corrupt_memory_file_is_moved_aside);
    RUN(test_calculate_tool);
    RUN(test_system_info_reads_the_machine);
    RUN(test_web_search_opens_encoded_url);
    RUN(test_web_search_without_opener_fails_cleanly);
    return TEST_SUMMARY();
}
