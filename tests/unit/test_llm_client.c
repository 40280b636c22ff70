/* test_llm_client.c: llm_chat() against the stand-in Ollama/OpenAI server,
 * for both backends: streaming, tool calls, and each failure kind. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "brain/llm.h"
#include "llm_standin_run.h"
#include "wz_test.h"

typedef struct {
    char text[4096];
    size_t len;
    int deltas;
} sink;

static void on_delta(void *ctx, const char *t, size_t n)
{
    sink *s = ctx;
    if (s->len + n < sizeof(s->text)) {
        memcpy(s->text + s->len, t, n);
        s->len += n;
        s->text[s->len] = '\0';
    }
    s->deltas++;
}

static llm_client *client_for(const char *backend, const standin *srv, const char *model)
{
    llm_config c;
    llm_config_init(&c);
    snprintf(c.backend, sizeof(c.backend), "%s", backend);
    snprintf(c.url, sizeof(c.url), "%s", srv ? srv->url : "http://127.0.0.1:1");
    snprintf(c.model, sizeof(c.model), "%s", model);
    c.first_token_timeout_ms = 3000;
    c.total_timeout_ms = 10000;
    llm_client *cl = NULL;
    ASSERT_EQ(WZ_OK, llm_client_new(&c, &cl));
    return cl;
}

static json_t *user_msgs(const char *text)
{
    return json_pack("[{s:s, s:s}]", "role", "user", "content", text);
}

static json_t *tools_fixture(void)
{
    return json_loads("[{\"type\":\"function\",\"function\":{\"name\":\"timer_start\","
                      "\"description\":\"start a timer\",\"parameters\":{\"type\":\"object\","
                      "\"properties\":{\"seconds\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"}},"
                      "\"required\":[\"seconds\"]}}}]",
                      0, NULL);
}

/* Runs one chat; returns rc, fills reply/err/sink. */
static int chat(const char *backend, const char *scenario, const char *model, llm_reply *reply,
                llm_error *err, sink *sk, json_t **recs)
{
    standin srv;
    standin_start(&srv, scenario);
    llm_client *cl = client_for(backend, &srv, model);
    json_t *msgs = user_msgs("hi");
    json_t *tools = tools_fixture();
    memset(sk, 0, sizeof(*sk));
    int rc = llm_chat(cl, msgs, tools, on_delta, sk, reply, err);
    json_decref(msgs);
    json_decref(tools);
    llm_client_free(cl);
    if (recs)
        *recs = standin_records(&srv);
    standin_stop(&srv);
    return rc;
}

static const char *const k_backends[] = { "ollama", "openai" };
#define FOR_EACH_BACKEND for (size_t b_ = 0; b_ < 2; b_++)
#define BACKEND k_backends[b_]

static void test_streamed_text(void)
{
    FOR_EACH_BACKEND {
        llm_reply r;
        llm_error e;
        sink sk;
        json_t *recs;
        int rc = chat(BACKEND, "{\"responses\":[{\"text\":\"Hello there. How are you today?\"}]}",
                      "m", &r, &e, &sk, &recs);
        if (rc != WZ_OK)
            TEST_FAIL_AT("%s: %s", BACKEND, e.message);
        ASSERT_STREQ("Hello there. How are you today?", r.text);
        ASSERT_STREQ(r.text, sk.text);
        ASSERT_EQ(6, sk.deltas); /* one per streamed word token */
        ASSERT_EQ(0, r.ncalls);
        ASSERT_STREQ("stop", r.finish_reason);
        json_t *body = standin_request_body(recs, 0);
        ASSERT_TRUE(json_is_true(json_object_get(body, "stream")));
        ASSERT_STREQ("m", json_string_value(json_object_get(body, "model")));
        ASSERT_STREQ("hi", json_string_value(json_object_get(
                               json_array_get(json_object_get(body, "messages"), 0), "content")));
        ASSERT_EQ(1, json_array_size(json_object_get(body, "tools")));
        llm_reply_clear(&r);
        json_decref(recs);
    }
}

static void test_ollama_request_options(void)
{
    llm_reply r;
    llm_error e;
    sink sk;
    json_t *recs;
    ASSERT_EQ(WZ_OK, chat("ollama", "{\"responses\":[{\"text\":\"Ok.\"}]}", "m", &r, &e, &sk, &recs));
    json_t *body = standin_request_body(recs, 0);
    json_t *opt = json_object_get(body, "options");
    ASSERT_TRUE(json_real_value(json_object_get(opt, "temperature")) > 0.69);
    ASSERT_EQ(4096, json_integer_value(json_object_get(opt, "num_ctx")));
    ASSERT_STREQ("5m", json_string_value(json_object_get(body, "keep_alive")));
    llm_reply_clear(&r);
    json_decref(recs);
}

static void test_openai_bearer_key(void)
{
    standin srv;
    standin_start(&srv, "{\"responses\":[{\"text\":\"Ok.\"}]}");
    llm_config c;
    llm_config_init(&c);
    snprintf(c.backend, sizeof(c.backend), "openai");
    snprintf(c.url, sizeof(c.url), "%s/", srv.url); /* trailing slash is tolerated */
    snprintf(c.api_key, sizeof(c.api_key), "sk-test");
    llm_client *cl = NULL;
    ASSERT_EQ(WZ_OK, llm_client_new(&c, &cl));
    json_t *msgs = user_msgs("hi");
    llm_reply r;
    llm_error e;
    ASSERT_EQ(WZ_OK, llm_chat(cl, msgs, NULL, NULL, NULL, &r, &e));
    json_t *recs = standin_records(&srv);
    json_t *rec = json_array_get(recs, 0);
    ASSERT_STREQ("/v1/chat/completions", json_string_value(json_object_get(rec, "path")));
    ASSERT_STREQ("Bearer sk-test", json_string_value(json_object_get(rec, "authorization")));
    ASSERT_TRUE(json_object_get(json_object_get(rec, "body"), "tools") == NULL);
    llm_reply_clear(&r);
    json_decref(recs);
    json_decref(msgs);
    llm_client_free(cl);
    standin_stop(&srv);
}

static void test_tool_call_fragmented_args(void)
{
    FOR_EACH_BACKEND {
        llm_reply r;
        llm_error e;
        sink sk;
        /* OpenAI: arguments arrive 2 characters per delta (~15 deltas). */
        int rc = chat(BACKEND,
                      "{\"responses\":[{\"arg_fragment_chars\":2,\"tool_calls\":["
                      "{\"name\":\"timer_start\",\"arguments\":{\"seconds\":150,\"name\":\"tea\"}}]}]}",
                      "m", &r, &e, &sk, NULL);
        if (rc != WZ_OK)
            TEST_FAIL_AT("%s: %s", BACKEND, e.message);
        ASSERT_EQ(1, r.ncalls);
        ASSERT_STREQ("timer_start", r.calls[0].name);
        ASSERT_EQ(150, json_integer_value(json_object_get(r.calls[0].args, "seconds")));
        ASSERT_STREQ("tea", json_string_value(json_object_get(r.calls[0].args, "name")));
        ASSERT_STREQ("tool_calls", r.finish_reason);
        ASSERT_TRUE(r.calls[0].id[0] != '\0');
        llm_reply_clear(&r);
    }
}

static void test_two_parallel_tool_calls(void)
{
    FOR_EACH_BACKEND {
        llm_reply r;
        llm_error e;
        sink sk;
        int rc = chat(BACKEND,
                      "{\"responses\":[{\"tool_calls\":["
                      "{\"name\":\"get_time\",\"arguments\":{}},"
                      "{\"name\":\"timer_start\",\"arguments\":{\"seconds\":60}}]}]}",
                      "m", &r, &e, &sk, NULL);
        if (rc != WZ_OK)
            TEST_FAIL_AT("%s: %s", BACKEND, e.message);
        ASSERT_EQ(2, r.ncalls);
        ASSERT_STREQ("get_time", r.calls[0].name);
        ASSERT_EQ(0, json_object_size(r.calls[0].args));
        ASSERT_STREQ("timer_start", r.calls[1].name);
        ASSERT_EQ(60, json_integer_value(json_object_get(r.calls[1].args, "seconds")));
        llm_reply_clear(&r);
    }
}

static void test_invalid_tool_args(void)
{
    FOR_EACH_BACKEND {
        llm_reply r;
        llm_error e;
        sink sk;
        int rc = chat(BACKEND,
                      "{\"responses\":[{\"tool_calls\":[{\"name\":\"timer_start\","
                      "\"arguments_raw\":\"{seconds: 5\"}]}]}",
                      "m", &r, &e, &sk, NULL);
        ASSERT_EQ(WZ_INVAL, rc);
        ASSERT_EQ(LLM_FAIL_BAD_ARGS, e.kind);
        ASSERT_CONTAINS(e.message, "timer_start");
        ASSERT_TRUE(r.text == NULL);
    }
}

static void test_missing_model(void)
{
    FOR_EACH_BACKEND {
        llm_reply r;
        llm_error e;
        sink sk;
        int rc = chat(BACKEND, "{\"models\":[\"llama3.2\"],\"responses\":[{\"text\":\"x\"}]}",
                      "nosuch", &r, &e, &sk, NULL);
        ASSERT_EQ(WZ_NOTFOUND, rc);
        ASSERT_EQ(LLM_FAIL_MODEL_NOT_FOUND, e.kind);
        ASSERT_EQ(404, e.http_status);
        ASSERT_CONTAINS(e.message, "nosuch");
        ASSERT_CONTAINS(e.message, "http://127.0.0.1:");
        ASSERT_EQ(0, sk.deltas);
    }
}

static void test_http_error(void)
{
    FOR_EACH_BACKEND {
        llm_reply r;
        llm_error e;
        sink sk;
        int rc = chat(BACKEND, "{\"responses\":[{\"status\":500,\"error\":\"out of VRAM\"}]}", "m",
                      &r, &e, &sk, NULL);
        ASSERT_EQ(WZ_HTTP, rc);
        ASSERT_EQ(LLM_FAIL_HTTP, e.kind);
        ASSERT_EQ(500, e.http_status);
        ASSERT_CONTAINS(e.message, "out of VRAM");
    }
}

static void test_slow_first_token_times_out(void)
{
    FOR_EACH_BACKEND {
        standin srv;
        standin_start(&srv, "{\"responses\":[{\"text\":\"Too late.\",\"ttft_ms\":3000}]}");
        llm_config c;
        llm_config_init(&c);
        snprintf(c.backend, sizeof(c.backend), "%s", BACKEND);
        snprintf(c.url, sizeof(c.url), "%s", srv.url);
        c.first_token_timeout_ms = 300;
        llm_client *cl = NULL;
        ASSERT_EQ(WZ_OK, llm_client_new(&c, &cl));
        json_t *msgs = user_msgs("hi");
        llm_reply r;
        llm_error e;
        sink sk = { 0 };
        int64_t t0 = wz_now_ms();
        int rc = llm_chat(cl, msgs, NULL, on_delta, &sk, &r, &e);
        int64_t took = wz_now_ms() - t0;
        ASSERT_EQ(WZ_TIMEDOUT, rc);
        ASSERT_EQ(LLM_FAIL_FIRST_TOKEN_TIMEOUT, e.kind);
        ASSERT_GE(took, 300);
        ASSERT_LE(took, 1500);
        ASSERT_EQ(0, sk.deltas);
        ASSERT_CONTAINS(e.message, "300 ms");
        json_decref(msgs);
        llm_client_free(cl);
        standin_stop(&srv);
    }
}

static void test_total_timeout(void)
{
    standin srv;
    standin_start(&srv, "{\"responses\":[{\"text\":\"a b c d e f g h i j\",\"chunk_delay_ms\":100}]}");
    llm_config c;
    llm_config_init(&c);
    snprintf(c.url, sizeof(c.url), "%s", srv.url);
    c.total_timeout_ms = 400;
    llm_client *cl = NULL;
    ASSERT_EQ(WZ_OK, llm_client_new(&c, &cl));
    json_t *msgs = user_msgs("hi");
    llm_reply r;
    llm_error e;
    sink sk = { 0 };
    ASSERT_EQ(WZ_TIMEDOUT, llm_chat(cl, msgs, NULL, on_delta, &sk, &r, &e));
    ASSERT_EQ(LLM_FAIL_TOTAL_TIMEOUT, e.kind);
    ASSERT_GE(sk.deltas, 1);
    ASSERT_LE(sk.deltas, 6);
    json_decref(msgs);
    llm_client_free(cl);
    standin_stop(&srv);
}

static void test_dropped_connection(void)
{
    FOR_EACH_BACKEND {
        llm_reply r;
        llm_error e;
        sink sk;
        int rc = chat(BACKEND,
                      "{\"responses\":[{\"text\":\"One two three four five.\",\"drop_after_chunks\":2}]}",
                      "m", &r, &e, &sk, NULL);
        ASSERT_EQ(WZ_CLOSED, rc);
        ASSERT_EQ(LLM_FAIL_DROPPED, e.kind);
        ASSERT_EQ(2, sk.deltas);
        ASSERT_STREQ("One two", sk.text);
    }
}

static void test_malformed_line(void)
{
    FOR_EACH_BACKEND {
        llm_reply r;
        llm_error e;
        sink sk;
        int rc = chat(BACKEND,
                      "{\"responses\":[{\"text\":\"One two three.\",\"malformed_after_chunks\":1}]}",
                      "m", &r, &e, &sk, NULL);
        ASSERT_EQ(WZ_PROTO, rc);
        ASSERT_EQ(LLM_FAIL_MALFORMED, e.kind);
        ASSERT_EQ(1, sk.deltas);
    }
}

static void test_unreachable(void)
{
    FOR_EACH_BACKEND {
        llm_client *cl = client_for(BACKEND, NULL, "m"); /* port 1: nothing listens */
        json_t *msgs = user_msgs("hi");
        llm_reply r;
        llm_error e;
        ASSERT_EQ(WZ_IO, llm_chat(cl, msgs, NULL, NULL, NULL, &r, &e));
        ASSERT_EQ(LLM_FAIL_UNREACHABLE, e.kind);
        ASSERT_CONTAINS(e.message, "http://127.0.0.1:1");
        json_decref(msgs);
        llm_client_free(cl);
    }
}

/* A listener whose accept queue is full: the kernel drops further SYNs, so
 * the connect hangs like a host that does not answer. */
static void test_connect_timeout(void)
{
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    ASSERT_EQ(0, bind(lfd, (struct sockaddr *)&a, sizeof(a)));
    ASSERT_EQ(0, listen(lfd, 0));
    socklen_t al = sizeof(a);
    getsockname(lfd, (struct sockaddr *)&a, &al);
    for (int i = 0; i < 4; i++) { /* fill the queue; never accepted */
        int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        connect(c, (struct sockaddr *)&a, sizeof(a));
    }
    wz_sleep_ms(50);
    llm_config c;
    llm_config_init(&c);
    snprintf(c.url, sizeof(c.url), "http://127.0.0.1:%d", ntohs(a.sin_port));
    c.connect_timeout_ms = 300;
    c.first_token_timeout_ms = 5000;
    llm_client *cl = NULL;
    ASSERT_EQ(WZ_OK, llm_client_new(&c, &cl));
    json_t *msgs = user_msgs("hi");
    llm_reply r;
    llm_error e;
    int64_t t0 = wz_now_ms();
    ASSERT_EQ(WZ_TIMEDOUT, llm_chat(cl, msgs, NULL, NULL, NULL, &r, &e));
    ASSERT_EQ(LLM_FAIL_CONNECT_TIMEOUT, e.kind);
    ASSERT_LE(wz_now_ms() - t0, 1500);
    ASSERT_CONTAINS(e.message, "300 ms");
    json_decref(msgs);
    llm_client_free(cl);
}

static void test_body_cap(void)
{
    FOR_EACH_BACKEND {
        standin srv;
        char scen[1024];
        snprintf(scen, sizeof(scen), "{\"responses\":[{\"text\":\"%0500d\",\"chunk_chars\":10}]}", 0);
        standin_start(&srv, scen);
        llm_config c;
        llm_config_init(&c);
        snprintf(c.backend, sizeof(c.backend), "%s", BACKEND);
        snprintf(c.url, sizeof(c.url), "%s", srv.url);
        c.max_body_bytes = 2000; /* 50 chunks of ~150-300 bytes exceed it */
        llm_client *cl = NULL;
        ASSERT_EQ(WZ_OK, llm_client_new(&c, &cl));
        json_t *msgs = user_msgs("hi");
        llm_reply r;
        llm_error e;
        ASSERT_EQ(WZ_TOOBIG, llm_chat(cl, msgs, NULL, NULL, NULL, &r, &e));
        ASSERT_EQ(LLM_FAIL_TOOBIG, e.kind);
        ASSERT_CONTAINS(e.message, "2000");
        json_decref(msgs);
        llm_client_free(cl);
        standin_stop(&srv);
    }
}

static void test_unknown_backend(void)
{
    llm_config c;
    llm_config_init(&c);
    snprintf(c.backend, sizeof(c.backend), "none");
    llm_client *cl = (llm_client *)1;
    ASSERT_EQ(WZ_CONFIG, llm_client_new(&c, &cl));
    ASSERT_TRUE(cl == NULL);
}

static int poll_stop_after_150ms(void *ctx)
{
    int64_t *t0 = ctx;
    return wz_now_ms() - *t0 > 150;
}

static void test_poll_hook_cancels(void)
{
    standin srv;
    standin_start(&srv, "{\"responses\":[{\"text\":\"a b c d e f g h i j\",\"chunk_delay_ms\":1000}]}");
    llm_client *cl = client_for("ollama", &srv, "m");
    int64_t t0 = wz_now_ms();
    llm_client_set_poll(cl, poll_stop_after_150ms, &t0);
    json_t *msgs = user_msgs("hi");
    llm_reply r;
    llm_error e;
    sink sk = { 0 };
    ASSERT_EQ(WZ_CANCELED, llm_chat(cl, msgs, NULL, on_delta, &sk, &r, &e));
    ASSERT_LE(wz_now_ms() - t0, 150 + 350); /* polled every 20 ms, not only when a token comes (1 s) */
    ASSERT_TRUE(llm_canceled(cl));
    ASSERT_LE(sk.deltas, 3);
    json_decref(msgs);
    llm_client_free(cl);
    standin_stop(&srv);
}

static void test_canceled_before_start(void)
{
    llm_client *cl = client_for("ollama", NULL, "m");
    llm_cancel(cl);
    json_t *msgs = user_msgs("hi");
    llm_reply r;
    llm_error e;
    ASSERT_EQ(WZ_CANCELED, llm_chat(cl, msgs, NULL, NULL, NULL, &r, &e));
    ASSERT_EQ(LLM_FAIL_CANCELED, e.kind);
    json_decref(msgs);
    llm_client_free(cl);
}

int main(void)
{
    RUN(test_streamed_text);
    RUN(test_ollama_request_options);
    RUN(test_openai_bearer_key);
    RUN(test_tool_call_fragmented_args);
    RUN(test_two_parallel_tool_calls);
    RUN(test_invalid_tool_args);
    RUN(test_missing_model);
    RUN(test_http_error);
    RUN(test_slow_first_token_times_out);
    RUN(test_total_timeout);
    RUN(test_dropped_connection);
    RUN(test_malformed_line);
    RUN(test_unreachable);
    RUN(test_connect_timeout);
    RUN(test_body_cap);
    RUN(test_unknown_backend);
    RUN(test_poll_hook_cancels);
    RUN(test_canceled_before_start);
    return TEST_SUMMARY();
}
