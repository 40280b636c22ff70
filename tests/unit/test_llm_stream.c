/* test_llm_stream.c: the stream decoders on hand-written wire input (no
 * server): SSE framing rules, fragment joining, caps and completion. */
#include "brain/llm.h"
#include "wz_test.h"

typedef struct {
    char text[1024];
    size_t len;
} sink;

static void on_delta(void *ctx, const char *t, size_t n)
{
    sink *s = ctx;
    memcpy(s->text + s->len, t, n);
    s->len += n;
    s->text[s->len] = '\0';
}

/* Feeds wire in pieces of `step` bytes; returns the first error or finish(). */
static int decode(llm_stream *s, const llm_backend *b, sink *sk, const char *wire, size_t step,
                  size_t max_line)
{
    memset(sk, 0, sizeof(*sk));
    ASSERT_EQ(WZ_OK, llm_stream_init(s, b, max_line, 0, on_delta, sk));
    size_t n = strlen(wire);
    for (size_t i = 0; i < n; i += step) {
        int rc = llm_stream_feed(s, wire + i, WZ_MIN(step, n - i));
        if (rc != WZ_OK)
            return rc;
    }
    return llm_stream_finish(s);
}

static void test_sse_framing(void)
{
    /* CRLF endings, a comment, an event: field, and one event whose JSON is
     * split over two data lines (joined with '\n', legal JSON whitespace). */
    const char *wire =
        ": keep-alive\r\n\r\n"
        "event: message\r\n"
        "data: {\"choices\":[{\"index\":0,\r\n"
        "data: \"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}\r\n\r\n"
        "data:{\"choices\":[{\"index\":0,\"delta\":{\"content\":\" you.\"},\"finish_reason\":\"stop\"}]}\n\n"
        "data: [DONE]\n\n";
    for (size_t step = 1; step <= 64; step *= 4) {
        llm_stream s;
        sink sk;
        ASSERT_EQ(WZ_OK, decode(&s, &llm_backend_openai, &sk, wire, step, 0));
        ASSERT_STREQ("Hi you.", s.reply.text);
        ASSERT_STREQ("Hi you.", sk.text);
        ASSERT_STREQ("stop", s.reply.finish_reason);
        llm_stream_uninit(&s);
    }
}

static void test_sse_interleaved_tool_fragments(void)
{
    const char *wire =
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":["
        "{\"index\":0,\"id\":\"a\",\"type\":\"function\",\"function\":{\"name\":\"volume\",\"arguments\":\"\"}},"
        "{\"index\":1,\"id\":\"b\",\"type\":\"function\",\"function\":{\"name\":\"media\",\"arguments\":\"{\\\"act\"}}]}}]}\n\n"
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"action\\\":\"}}]}}]}\n\n"
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"ion\\\":\\\"pause\\\"}\"}}]}}]}\n\n"
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"up\\\"}\"}}]}}]}\n\n"
        "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
        "data: [DONE]\n\n";
    llm_stream s;
    sink sk;
    ASSERT_EQ(WZ_OK, decode(&s, &llm_backend_openai, &sk, wire, 7, 0));
    ASSERT_EQ(2, s.reply.ncalls);
    ASSERT_STREQ("volume", s.reply.calls[0].name);
    ASSERT_STREQ("a", s.reply.calls[0].id);
    ASSERT_STREQ("up", json_string_value(json_object_get(s.reply.calls[0].args, "action")));
    ASSERT_STREQ("media", s.reply.calls[1].name);
    ASSERT_STREQ("pause", json_string_value(json_object_get(s.reply.calls[1].args, "action")));
    llm_stream_uninit(&s);
}

static void test_sse_without_done_is_dropped(void)
{
    llm_stream s;
    sink sk;
    int rc = decode(&s, &llm_backend_openai, &sk,
                    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n", 100, 0);
    ASSERT_EQ(WZ_CLOSED, rc);
    ASSERT_EQ(LLM_FAIL_DROPPED, s.err.kind);
    llm_stream_uninit(&s);
}

static void test_sse_tool_index_out_of_range(void)
{
    llm_stream s;
    sink sk;
    int rc = decode(&s, &llm_backend_openai, &sk,
                    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":99,"
                    "\"function\":{\"name\":\"x\"}}]}}]}\n\n", 100, 0);
    ASSERT_EQ(WZ_TOOBIG, rc);
    llm_stream_uninit(&s);
}

static void test_ndjson_line_cap(void)
{
    char wire[400];
    snprintf(wire, sizeof(wire), "{\"message\":{\"content\":\"%0200d\"},\"done\":false}\n", 0);
    llm_stream s;
    sink sk;
    ASSERT_EQ(WZ_TOOBIG, decode(&s, &llm_backend_ollama, &sk, wire, 16, 128));
    ASSERT_EQ(LLM_FAIL_TOOBIG, s.err.kind);
    ASSERT_CONTAINS(s.err.message, "128");
    ASSERT_EQ(0, sk.len);
    llm_stream_uninit(&s);
}

static void test_ndjson_done_and_trailing_garbage_ignored(void)
{
    const char *wire = "{\"message\":{\"role\":\"assistant\",\"content\":\"Ok.\"},\"done\":false}\n"
                       "{\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,"
                       "\"done_reason\":\"length\"}\n"
                       "this is after done\n";
    llm_stream s;
    sink sk;
    ASSERT_EQ(WZ_OK, decode(&s, &llm_backend_ollama, &sk, wire, 5, 0));
    ASSERT_STREQ("Ok.", s.reply.text);
    ASSERT_STREQ("length", s.reply.finish_reason);
    llm_stream_uninit(&s);
}

static void test_ndjson_stream_error(void)
{
    llm_stream s;
    sink sk;
    ASSERT_EQ(WZ_ENGINE, decode(&s, &llm_backend_ollama, &sk,
                                "{\"error\":\"llama runner process has terminated\"}\n", 100, 0));
    ASSERT_EQ(LLM_FAIL_SERVER_ERROR, s.err.kind);
    ASSERT_CONTAINS(s.err.message, "terminated");
    llm_stream_uninit(&s);
}

static void test_ndjson_non_object_args(void)
{
    llm_stream s;
    sink sk;
    int rc = decode(&s, &llm_backend_ollama, &sk,
                    "{\"message\":{\"content\":\"\",\"tool_calls\":[{\"function\":{\"name\":\"open\","
                    "\"arguments\":[1,2]}}]},\"done\":false}\n", 100, 0);
    ASSERT_EQ(WZ_INVAL, rc);
    ASSERT_EQ(LLM_FAIL_BAD_ARGS, s.err.kind);
    llm_stream_uninit(&s);
}

int main(void)
{
    RUN(test_sse_framing);
    RUN(test_sse_interleaved_tool_fragments);
    RUN(test_sse_without_done_is_dropped);
    RUN(test_sse_tool_index_out_of_range);
    RUN(test_ndjson_line_cap);
    RUN(test_ndjson_done_and_trailing_garbage_ignored);
    RUN(test_ndjson_stream_error);
    RUN(test_ndjson_non_object_args);
    return TEST_SUMMARY();
}
