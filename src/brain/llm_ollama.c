/* llm_ollama.c: Ollama's /api/chat backend: NDJSON stream, one JSON object
 * per line; tool calls arrive whole with object arguments. */
#include "brain/llm.h"

#include <stdlib.h>
#include <string.h>

/* keep_alive is a duration string ("5m") or a number of seconds ("-1"). */
static json_t *keep_alive_value(const char *s)
{
    char *end = NULL;
    long v = strtol(s, &end, 10);
    if (s[0] && end && *end == '\0')
        return json_integer(v);
    return json_string(s);
}

static json_t *build_request(const llm_config *c, json_t *messages, json_t *tools)
{
    json_t *body = json_pack("{s:s, s:O, s:b, s:{s:f, s:I}}", "model", c->model, "messages",
                             messages, "stream", 1, "options", "temperature", c->temperature,
                             "num_ctx", (json_int_t)c->num_ctx);
    if (!body)
        return NULL;
    if (c->keep_alive[0])
        json_object_set_new(body, "keep_alive", keep_alive_value(c->keep_alive));
    if (tools && json_array_size(tools) > 0)
        json_object_set(body, "tools", tools);
    return body;
}

static int decode_calls(llm_stream *s, json_t *calls)
{
    size_t i;
    json_t *call;
    json_array_foreach(calls, i, call) {
        json_t *fn = json_object_get(call, "function");
        const char *name = json_string_value(json_object_get(fn, "name"));
        const char *id = json_string_value(json_object_get(call, "id"));
        json_t *args = json_object_get(fn, "arguments");
        json_t *owned;
        if (json_is_string(args)) /* some builds send a JSON string */
            owned = json_loads(json_string_value(args), JSON_REJECT_DUPLICATES, NULL);
        else if (args)
            owned = json_incref(args);
        else
            owned = json_object();
        int rc = llm_stream_add_call(s, id, name, owned);
        if (rc != WZ_OK)
            return rc;
    }
    return WZ_OK;
}

static int decode_line(llm_stream *s, const char *line, size_t len)
{
    if (len == 0 || s->done)
        return WZ_OK;
    json_error_t jerr;
    json_t *obj = json_loadb(line, len, 0, &jerr);
    if (!json_is_object(obj)) {
        json_decref(obj);
        return llm_error_set(&s->err, LLM_FAIL_MALFORMED, "LLM at %s: malformed NDJSON line: %.200s",
                             s->url, obj ? "not an object" : jerr.text);
    }
    int rc = WZ_OK;
    json_t *error = json_object_get(obj, "error");
    json_t *msg = json_object_get(obj, "message");
    json_t *done = json_object_get(obj, "done");
    if (error) {
        rc = llm_error_set(&s->err, LLM_FAIL_SERVER_ERROR, "LLM at %s: server error: %.300s", s->url,
                           json_is_string(error) ? json_string_value(error) : "(no message)");
    } else if (!json_is_boolean(done) || (msg && !json_is_object(msg))) {
        rc = llm_error_set(&s->err, LLM_FAIL_MALFORMED,
                           "LLM at %s: NDJSON line without done/message fields", s->url);
    } else {
        json_t *content = json_object_get(msg, "content");
        if (json_is_string(content))
            rc = llm_stream_add_text(s, json_string_value(content), json_string_length(content));
        json_t *calls = json_object_get(msg, "tool_calls");
        if (rc == WZ_OK && json_is_array(calls))
            rc = decode_calls(s, calls);
        if (rc == WZ_OK && json_is_true(done)) {
            s->done = true;
            s->got_token = true;
            const char *why = json_string_value(json_object_get(obj, "done_reason"));
            wz_strlcpy(s->reply.finish_reason, why ? why : "stop", sizeof(s->reply.finish_reason));
        }
    }
    json_decref(obj);
    return rc;
}

static int finish(llm_stream *s)
{
    if (!s->done)
        return llm_error_set(&s->err, LLM_FAIL_DROPPED,
                             "LLM at %s: stream ended before \"done\":true (connection dropped)",
                             s->url);
    if (s->reply.ncalls > 0)
        wz_strlcpy(s->reply.finish_reason, "tool_calls", sizeof(s->reply.finish_reason));
    return WZ_OK;
}

static json_t *assistant_message(const llm_reply *r)
{
    json_t *calls = json_array();
    for (size_t i = 0; i < r->ncalls; i++)
        json_array_append_new(calls, json_pack("{s:{s:s, s:O}}", "function", "name",
                                               r->calls[i].name, "arguments", r->calls[i].args));
    return json_pack("{s:s, s:s, s:o}", "role", "assistant", "content", r->text ? r->text : "",
                     "tool_calls", calls);
}

static json_t *tool_message(const llm_tool_call *call, const char *content)
{
    return json_pack("{s:s, s:s, s:s}", "role", "tool", "tool_name", call->name, "content", content);
}

const llm_backend llm_backend_ollama = {
    .name = "ollama",
    .path = "/api/chat",
    .accept = "application/x-ndjson",
    .build_request = build_request,
    .decode_line = decode_line,
    .finish = finish,
    .assistant_message = assistant_message,
    .tool_message = tool_message,
};
