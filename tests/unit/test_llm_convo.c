/* test_llm_convo.c: the conversation loop against the stand-in server:
 * sentence streaming, tool rounds, interrupts, failures and history. */
#include <pthread.h>
#include <semaphore.h>

#include "brain/convo.h"
#include "llm_standin_run.h"
#include "wz_test.h"

#define MAXS 32
typedef struct {
    convo *cv;
    char sent[MAXS][256];
    int64_t sent_ms[MAXS];
    int nsent;
    char calls[8][64];
    char call_args[8][256];
    int ncalls;
    int nresults;
    int exec_rc;            /* what exec returns */
    int cancel_after;       /* cancel from another thread after this many sentences (0: never) */
    int cancel_delay_ms;    /* >0: that thread cancels this much later, without blocking us */
    _Atomic int64_t cancel_ms;
    pthread_t canceller;
} probe;

static void *delayed_cancel_thread(void *arg)
{
    probe *p = arg;
    wz_sleep_ms(p->cancel_delay_ms);
    p->cancel_ms = wz_now_ms();
    convo_cancel(p->cv);
    return NULL;
}

static void *cancel_thread(void *arg)
{
    void **a = arg;
    convo_cancel(a[0]);
    sem_post(a[1]);
    return NULL;
}

static void on_sentence(void *ctx, const char *s)
{
    probe *p = ctx;
    if (p->nsent < MAXS) {
        snprintf(p->sent[p->nsent], sizeof(p->sent[0]), "%s", s);
        p->sent_ms[p->nsent] = wz_now_ms();
    }
    p->nsent++;
    if (p->cancel_after && p->nsent == p->cancel_after && p->cancel_delay_ms) {
        pthread_create(&p->canceller, NULL, delayed_cancel_thread, p);
    } else if (p->cancel_after && p->nsent == p->cancel_after) {
        /* An INTERRUPT arriving on another thread while this sentence is
         * being handed to TTS. */
        sem_t done;
        sem_init(&done, 0, 0);
        void *args[2] = { p->cv, &done };
        pthread_t t;
        pthread_create(&t, NULL, cancel_thread, args);
        sem_wait(&done);
        pthread_join(t, NULL);
        p->cancel_ms = wz_now_ms();
    }
}

static void on_tool_call(void *ctx, const char *name, const json_t *args)
{
    probe *p = ctx;
    if (p->ncalls < 8) {
        snprintf(p->calls[p->ncalls], sizeof(p->calls[0]), "%s", name);
        char *a = json_dumps(args, JSON_COMPACT | JSON_SORT_KEYS);
        snprintf(p->call_args[p->ncalls], sizeof(p->call_args[0]), "%s", a);
        free(a);
    }
    p->ncalls++;
}

static void on_tool_result(void *ctx, const char *name, int rc, const json_t *result,
                           const char *error)
{
    probe *p = ctx;
    ASSERT_TRUE((rc == 0) == (result != NULL));
    ASSERT_TRUE((rc == 0) == (error == NULL));
    p->nresults++;
}

static int exec_tool(void *ctx, const char *name, json_t *args, json_t **result, char **error)
{
    probe *p = ctx;
    if (p->exec_rc != 0) {
        *error = strdup("seconds must be a positive integer");
        return p->exec_rc;
    }
    *result = json_pack("{s:s, s:b}", "tool", name, "ok", 1);
    return 0;
}

static json_t *tools_fixture(void)
{
    return json_loads("[{\"type\":\"function\",\"function\":{\"name\":\"timer_start\","
                      "\"description\":\"start a timer\",\"parameters\":{\"type\":\"object\","
                      "\"properties\":{\"seconds\":{\"type\":\"integer\"}},\"required\":[\"seconds\"]}}},"
                      "{\"type\":\"function\",\"function\":{\"name\":\"get_time\","
                      "\"description\":\"current time\",\"parameters\":{\"type\":\"object\","
                      "\"properties\":{}}}}]",
                      0, NULL);
}

static convo *make(const char *backend, const standin *srv, int max_steps, int history_turns)
{
    convo_config c;
    convo_config_init(&c);
    snprintf(c.llm.backend, sizeof(c.llm.backend), "%s", backend);
    snprintf(c.llm.url, sizeof(c.llm.url), "%s", srv->url);
    c.llm.first_token_timeout_ms = 3000;
    c.llm.total_timeout_ms = 15000;
    c.max_tool_steps = max_steps;
    c.history_turns = history_turns;
    convo *cv = NULL;
    ASSERT_EQ(WZ_OK, convo_new(&c, &cv));
    return cv;
}

static int ask(convo *cv, probe *p, const char *text, json_t *tools, convo_result *res)
{
    p->cv = cv;
    convo_request rq = {
        .user_text = text, .tools = tools, .exec = exec_tool, .on_sentence = on_sentence,
        .on_tool_call = on_tool_call, .on_tool_result = on_tool_result, .ctx = p,
    };
    return convo_run(cv, &rq, res);
}

/* The message of role `role` at position i from the end of request k. */
static json_t *msg_from_end(json_t *recs, size_t k, size_t i)
{
    json_t *msgs = json_object_get(standin_request_body(recs, k), "messages");
    size_t n = json_array_size(msgs);
    return i < n ? json_array_get(msgs, n - 1 - i) : NULL;
}

static const char *str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static const char *const k_backends[] = { "ollama", "openai" };
#define FOR_EACH_BACKEND for (size_t b_ = 0; b_ < 2; b_++)
#define BACKEND k_backends[b_]

static void test_sentences_arrive_while_streaming(void)
{
    FOR_EACH_BACKEND {
        standin srv;
        standin_start(&srv, "{\"responses\":[{\"text\":\"It is **sunny** today. Dr. Lee said so. "
                            "Enjoy it\",\"chunk_delay_ms\":60}]}");
        convo *cv = make(BACKEND, &srv, 4, 6);
        probe p = { 0 };
        convo_result res;
        int rc = ask(cv, &p, "weather?", NULL, &res);
        int64_t end = wz_now_ms();
        if (rc != WZ_OK)
            TEST_FAIL_AT("%s: %s", BACKEND, res.err.message);
        ASSERT_EQ(3, p.nsent);
        ASSERT_STREQ("It is sunny today.", p.sent[0]);
        ASSERT_STREQ("Dr. Lee said so.", p.sent[1]);
        ASSERT_STREQ("Enjoy it", p.sent[2]); /* flushed at the end */
        ASSERT_EQ(3, res.sentences);
        /* 5 more tokens at 60 ms each came after the first sentence. */
        ASSERT_GE(end - p.sent_ms[0], 200);
        ASSERT_EQ(1, convo_history_len(cv));
        char *reply = convo_history_reply(cv, 0);
        ASSERT_STREQ("It is sunny today. Dr. Lee said so. Enjoy it", reply);
        free(reply);
        /* The system prompt file was sent first. */
        json_t *recs = standin_records(&srv);
        json_t *sys = json_array_get(json_object_get(standin_request_body(recs, 0), "messages"), 0);
        ASSERT_STREQ("system", str(sys, "role"));
        ASSERT_CONTAINS(str(sys, "content"), "Markdown");
        json_decref(recs);
        convo_free(cv);
        standin_stop(&srv);
    }
}

static void test_tool_call_round_trip(void)
{
    FOR_EACH_BACKEND {
        standin srv;
        standin_start(&srv, "{\"responses\":["
                            "{\"tool_calls\":[{\"name\":\"timer_start\",\"arguments\":{\"seconds\":150}}]},"
                            "{\"text\":\"Timer set for two and a half minutes.\"}]}");
        convo *cv = make(BACKEND, &srv, 4, 6);
        probe p = { 0 };
        convo_result res;
        json_t *tools = tools_fixture();
        int rc = ask(cv, &p, "set a timer", tools, &res);
        if (rc != WZ_OK)
            TEST_FAIL_AT("%s: %s", BACKEND, res.err.message);
        ASSERT_EQ(1, p.ncalls);
        ASSERT_STREQ("timer_start", p.calls[0]);
        ASSERT_STREQ("{\"seconds\":150}", p.call_args[0]);
        ASSERT_EQ(1, p.nresults);
        ASSERT_EQ(1, res.tool_steps);
        ASSERT_EQ(1, p.nsent);
        ASSERT_STREQ("Timer set for two and a half minutes.", p.sent[0]);
        json_t *recs = standin_records(&srv);
        ASSERT_EQ(2, standin_request_count(recs));
        ASSERT_EQ(2, json_array_size(json_object_get(standin_request_body(recs, 0), "tools")));
        /* Request 2 ends with the assistant's tool call and the tool result. */
        json_t *asst = msg_from_end(recs, 1, 1), *tool = msg_from_end(recs, 1, 0);
        ASSERT_STREQ("assistant", str(asst, "role"));
        json_t *call = json_array_get(json_object_get(asst, "tool_calls"), 0);
        json_t *fn = json_object_get(call, "function");
        ASSERT_STREQ("timer_start", str(fn, "name"));
        ASSERT_STREQ("tool", str(tool, "role"));
        ASSERT_STREQ("{\"tool\":\"timer_start\",\"ok\":true}", str(tool, "content"));
        if (strcmp(BACKEND, "ollama") == 0) {
            ASSERT_TRUE(json_is_object(json_object_get(fn, "arguments")));
            ASSERT_STREQ("timer_start", str(tool, "tool_name"));
            ASSERT_TRUE(json_object_get(tool, "tool_call_id") == NULL);
        } else {
            ASSERT_STREQ("{\"seconds\":150}", str(fn, "arguments"));
            ASSERT_STREQ("call_0_timer_start", str(call, "id"));
            ASSERT_STREQ("function", str(call, "type"));
            ASSERT_STREQ("call_0_timer_start", str(tool, "tool_call_id"));
        }
        /* History keeps only the spoken exchange, not the tool round. */
        ASSERT_EQ(1, convo_history_len(cv));
        json_decref(recs);
        json_decref(tools);
        convo_free(cv);
        standin_stop(&srv);
    }
}

static void test_several_tool_steps(void)
{
    FOR_EACH_BACKEND {
        standin srv;
        standin_start(&srv, "{\"responses\":["
                            "{\"tool_calls\":[{\"name\":\"get_time\",\"arguments\":{}}]},"
                            "{\"text\":\"Let me set that.\",\"tool_calls\":[{\"name\":\"timer_start\","
                            "\"arguments\":{\"seconds\":600}}]},"
                            "{\"text\":\"Done. Your timer ends at ten past five.\"}]}");
        convo *cv = make(BACKEND, &srv, 4, 6);
        probe p = { 0 };
        convo_result res;
        json_t *tools = tools_fixture();
        int rc = ask(cv, &p, "timer until ten past", tools, &res);
        if (rc != WZ_OK)
            TEST_FAIL_AT("%s: %s", BACKEND, res.err.message);
        ASSERT_EQ(2, res.tool_steps);
        ASSERT_EQ(2, p.ncalls);
        ASSERT_STREQ("get_time", p.calls[0]);
        ASSERT_STREQ("timer_start", p.calls[1]);
        ASSERT_EQ(3, p.nsent);
        ASSERT_STREQ("Let me set that.", p.sent[0]);
        ASSERT_STREQ("Done.", p.sent[1]);
        json_t *recs = standin_records(&srv);
        ASSERT_EQ(3, standin_request_count(recs));
        /* Request 3 carries both tool results, in order. */
        json_t *msgs = json_object_get(standin_request_body(recs, 2), "messages");
        int tools_seen = 0;
        size_t i;
        json_t *m;
        json_array_foreach(msgs, i, m) tools_seen += strcmp(str(m, "role"), "tool") == 0;
        ASSERT_EQ(2, tools_seen);
        json_decref(recs);
        json_decref(tools);
        convo_free(cv);
        standin_stop(&srv);
    }
}

static void test_tool_steps_are_capped(void)
{
    standin srv;
    standin_start(&srv, "{\"responses\":[{\"tool_calls\":[{\"name\":\"get_time\",\"arguments\":{}}]}]}");
    convo *cv = make("ollama", &srv, 2, 6);
    probe p = { 0 };
    convo_result res;
    json_t *tools = tools_fixture();
    ASSERT_EQ(WZ_AGAIN, ask(cv, &p, "loop forever", tools, &res));
    ASSERT_EQ(LLM_FAIL_TOO_MANY_STEPS, res.err.kind);
    ASSERT_EQ(2, p.ncalls);
    json_t *recs = standin_records(&srv);
    ASSERT_EQ(3, standin_request_count(recs));
    /* The last round offers no tools, so a sane model must answer. */
    ASSERT_TRUE(json_object_get(standin_request_body(recs, 2), "tools") == NULL);
    ASSERT_EQ(0, convo_history_len(cv));
    json_decref(recs);
    json_decref(tools);
    convo_free(cv);
    standin_stop(&srv);
}

static void test_unknown_tool_fails_without_running(void)
{
    FOR_EACH_BACKEND {
        standin srv;
        standin_start(&srv, "{\"responses\":[{\"tool_calls\":[{\"name\":\"format_disk\",\"arguments\":{}}]}]}");
        convo *cv = make(BACKEND, &srv, 4, 6);
        probe p = { 0 };
        convo_result res;
        json_t *tools = tools_fixture();
        ASSERT_EQ(WZ_UNSUPP, ask(cv, &p, "hi", tools, &res));
        ASSERT_EQ(LLM_FAIL_UNKNOWN_TOOL, res.err.kind);
        ASSERT_CONTAINS(res.err.message, "format_disk");
        ASSERT_EQ(0, p.ncalls);
        ASSERT_EQ(0, convo_history_len(cv));
        json_decref(tools);
        convo_free(cv);
        standin_stop(&srv);
    }
}

static void test_invalid_args_from_registry(void)
{
    standin srv;
    standin_start(&srv, "{\"responses\":[{\"tool_calls\":[{\"name\":\"timer_start\","
                        "\"arguments\":{\"seconds\":\"soon\"}}]}]}");
    convo *cv = make("openai", &srv, 4, 6);
    probe p = { .exec_rc = WZ_INVAL };
    convo_result res;
    json_t *tools = tools_fixture();
    ASSERT_EQ(WZ_INVAL, ask(cv, &p, "hi", tools, &res));
    ASSERT_EQ(LLM_FAIL_BAD_ARGS, res.err.kind);
    ASSERT_CONTAINS(res.err.message, "positive integer");
    ASSERT_EQ(1, p.nresults);
    ASSERT_EQ(0, convo_history_len(cv));
    json_decref(tools);
    convo_free(cv);
    standin_stop(&srv);
}

static bool server_saw_hangup(const standin *srv, int wait_ms)
{
    for (int t = 0; t < wait_ms; t += 20) {
        json_t *recs = standin_records(srv);
        size_t i;
        json_t *r;
        bool gone = false;
        json_array_foreach(recs, i, r) gone |= json_object_get(r, "event") != NULL;
        json_decref(recs);
        if (gone)
            return true;
        wz_sleep_ms(20);
    }
    return false;
}

static void test_interrupt_mid_stream(void)
{
    FOR_EACH_BACKEND {
        standin srv;
        /* 3 s of remaining stream after the first sentence. */
        standin_start(&srv, "{\"responses\":[{\"text\":\"First part here. Second part now. "
                            "Third part. Fourth part. Fifth part. Sixth. Seventh. Eighth. "
                            "Ninth. Tenth. Eleventh. Twelfth. Thirteenth. Fourteenth.\","
                            "\"chunk_delay_ms\":100}]}");
        convo *cv = make(BACKEND, &srv, 4, 6);
        probe p = { .cancel_after = 1 };
        convo_result res;
        ASSERT_EQ(WZ_CANCELED, ask(cv, &p, "tell me a story", NULL, &res));
        int64_t returned = wz_now_ms();
        ASSERT_EQ(LLM_FAIL_CANCELED, res.err.kind);
        ASSERT_EQ(1, p.nsent); /* nothing after the interrupt is spoken */
        ASSERT_STREQ("First part here.", p.sent[0]);
        fprintf(stderr, "  %s: cancel -> convo_run returned in %lld ms\n", BACKEND,
                (long long)(returned - p.cancel_ms));
        ASSERT_LE(returned - p.cancel_ms, 1000); /* ~1 ms; the rest of the stream would take 2.5 s */
        ASSERT_TRUE(server_saw_hangup(&srv, 2000));
        /* History keeps only the spoken sentence. */
        ASSERT_EQ(1, convo_history_len(cv));
        char *reply = convo_history_reply(cv, 0);
        ASSERT_STREQ("First part here.", reply);
        free(reply);
        convo_free(cv);
        standin_stop(&srv);
    }
}

/* The cancel lands while the transfer sits in curl_multi_poll() waiting for
 * the next token (1 s apart): curl_multi_wakeup() must end it at once, not
 * when the next token arrives. */
static void test_cancel_wakes_waiting_transfer(void)
{
    FOR_EACH_BACKEND {
        standin srv;
        standin_start(&srv, "{\"responses\":[{\"text\":\"Short one. And then a very long tail "
                            "of words that keeps streaming for a while.\",\"chunk_delay_ms\":1000}]}");
        convo *cv = make(BACKEND, &srv, 4, 6);
        probe p = { .cancel_after = 1, .cancel_delay_ms = 30 };
        convo_result res;
        ASSERT_EQ(WZ_CANCELED, ask(cv, &p, "hi", NULL, &res));
        int64_t returned = wz_now_ms();
        pthread_join(p.canceller, NULL);
        fprintf(stderr, "  %s: cancel from another thread -> return in %lld ms\n", BACKEND,
                (long long)(returned - p.cancel_ms));
        ASSERT_LE(returned - p.cancel_ms, 500); /* ~1 ms; the next token is up to 1 s away */
        ASSERT_EQ(1, p.nsent);
        ASSERT_TRUE(server_saw_hangup(&srv, 2000));
        char *reply = convo_history_reply(cv, 0);
        ASSERT_STREQ("Short one.", reply);
        free(reply);
        convo_free(cv);
        standin_stop(&srv);
    }
}

static void test_history_after_interrupt_and_failure(void)
{
    standin srv;
    standin_start(&srv, "{\"responses\":["
                        "{\"text\":\"Paris is the capital. It is in France. It is big.\"},"
                        "{\"status\":500,\"error\":\"boom\"},"
                        "{\"text\":\"Yes.\"}]}");
    convo *cv = make("ollama", &srv, 4, 6);
    probe p = { 0 };
    convo_result res;
    ASSERT_EQ(WZ_OK, ask(cv, &p, "capital of France?", NULL, &res));
    ASSERT_EQ(3, res.sentences);
    /* Playback was cut after the first sentence. */
    convo_mark_spoken(cv, 1);
    ASSERT_EQ(WZ_HTTP, ask(cv, &p, "this one fails", NULL, &res));
    ASSERT_EQ(1, convo_history_len(cv));
    convo_mark_spoken(cv, 0); /* refers to the failed run: must not touch turn 1 */
    ASSERT_EQ(WZ_OK, ask(cv, &p, "really?", NULL, &res));
    json_t *recs = standin_records(&srv);
    json_t *msgs = json_object_get(standin_request_body(recs, 2), "messages");
    ASSERT_EQ(4, json_array_size(msgs)); /* system, user, assistant, user */
    ASSERT_STREQ("capital of France?", str(json_array_get(msgs, 1), "content"));
    ASSERT_STREQ("Paris is the capital.", str(json_array_get(msgs, 2), "content"));
    ASSERT_STREQ("really?", str(json_array_get(msgs, 3), "content"));
    ASSERT_EQ(2, convo_history_len(cv));
    json_decref(recs);
    convo_free(cv);
    standin_stop(&srv);
}

static void test_drop_keeps_history_clean(void)
{
    standin srv;
    standin_start(&srv, "{\"responses\":[{\"text\":\"Complete one. Half of tw\",\"drop_after_chunks\":4}]}");
    convo *cv = make("openai", &srv, 4, 6);
    probe p = { 0 };
    convo_result res;
    ASSERT_EQ(WZ_CLOSED, ask(cv, &p, "hi", NULL, &res));
    ASSERT_EQ(LLM_FAIL_DROPPED, res.err.kind);
    ASSERT_EQ(1, p.nsent); /* the half sentence is never spoken */
    ASSERT_STREQ("Complete one.", p.sent[0]);
    ASSERT_EQ(0, convo_history_len(cv));
    convo_free(cv);
    standin_stop(&srv);
}

static void test_context_window(void)
{
    standin srv;
    standin_start(&srv, "{}");
    convo *cv = make("ollama", &srv, 4, 2);
    char u[32], a[32];
    for (int i = 0; i < 5; i++) {
        snprintf(u, sizeof(u), "q%d", i);
        snprintf(a, sizeof(a), "a%d", i);
        ASSERT_EQ(WZ_OK, convo_add_turn(cv, u, a));
    }
    static const char *const facts[] = { "my cat is Tom", "I like tea" };
    json_t *m = convo_build_messages(cv, "now", facts, 2);
    ASSERT_EQ(6, json_array_size(m)); /* system + 2 turns + user */
    const char *sys = str(json_array_get(m, 0), "content");
    ASSERT_CONTAINS(sys, "Markdown");
    ASSERT_CONTAINS(sys, "- my cat is Tom\n- I like tea");
    ASSERT_STREQ("q3", str(json_array_get(m, 1), "content"));
    ASSERT_STREQ("a4", str(json_array_get(m, 4), "content"));
    ASSERT_STREQ("now", str(json_array_get(m, 5), "content"));
    json_decref(m);
    convo_free(cv);
    standin_stop(&srv);
}

static void test_missing_prompt_file(void)
{
    convo_config c;
    convo_config_init(&c);
    snprintf(c.system_prompt_file, sizeof(c.system_prompt_file), "/nonexistent/prompt.txt");
    convo *cv = (convo *)1;
    ASSERT_EQ(WZ_IO, convo_new(&c, &cv));
    ASSERT_TRUE(cv == NULL);
}

int main(void)
{
    RUN(test_sentences_arrive_while_streaming);
    RUN(test_tool_call_round_trip);
    RUN(test_several_tool_steps);
    RUN(test_tool_steps_are_capped);
    RUN(test_unknown_tool_fails_without_running);
    RUN(test_invalid_args_from_registry);
    RUN(test_interrupt_mid_stream);
    RUN(test_cancel_wakes_waiting_transfer);
    RUN(test_history_after_interrupt_and_failure);
    RUN(test_drop_keeps_history_clean);
    RUN(test_context_window);
    RUN(test_missing_prompt_file);
    return TEST_SUMMARY();
}
