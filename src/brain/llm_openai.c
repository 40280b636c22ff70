/* llm_openai.c: OpenAI-compatible /v1/chat/completions backend (llama.cpp
 * server, LM Studio, vLLM, LocalAI, Ollama's /v1). Server-sent events: each
 * event's data lines are joined by '\n' and dispatched at a blank line; the
 * stream ends with "data: [DONE]". Tool-call arguments arrive as string
 * fragments keyed by index and are parsed once the stream is complete. */
#include "brain/llm.h"

#include <stdlib.h>
#include <string.h>

static json_t *build_request(const llm_config *c, json_t *messages, json_t *tools)
{
    json_t *body = json_pack("{s:s, s:O, s:b, s:f}", "model", c->model, "messages", messages,
                             "stream", 1, "temperature", c->temperature);
    if (body && tools && json_array_size(tools) > 0)
        json_object_set(body, "tools", tools);
    return body;
}

static int append(llm_stream *s, char **buf, size_t *len, const char *add, size_t n, size_t cap,
                  const char *what)
{
    if (*len + n > cap)
        return llm_error_set(&s->err, LLM_FAIL_TOOBIG, "LLM at %s: %s longer than %zu bytes", s->url,
                             what, cap);
    char *p = realloc(*buf, *len + n + 1);
    if (!p)
        return llm_error_set(&s->err, LLM_FAIL_INTERNAL, "out of memory");
    memcpy(p + *len, add, n);
    *len += n;
    p[*len] = '\0';
    *buf = p;
    return WZ_OK;
}

/* A tool-call delta: {index, id?, type?, function{name?, arguments?}}. The
 * name and id come whole (in the first delta); arguments are fragments. */
static int decode_call_delta(llm_stream *s, json_t *d)
{
    json_t *jidx = json_object_get(d, "index");
    if (!json_is_integer(jidx) || json_integer_value(jidx) < 0)
        return llm_error_set(&s->err, LLM_FAIL_MALFORMED, "LLM at %s: tool-call delta without index",
                             s->url);
    json_int_t idx = json_integer_value(jidx);
    if (idx >= LLM_MAX_TOOL_CALLS)
        return llm_error_set(&s->err, LLM_FAIL_TOOBIG, "LLM at %s: more than %d tool calls in one reply",
                             s->url, LLM_MAX_TOOL_CALLS);
    s->got_token = true;
    llm_tool_call *c = &s->reply.calls[idx];
    s->frag_used[idx] = true;
    const char *id = json_string_value(json_object_get(d, "id"));
    json_t *fn = json_object_get(d, "function");
    const char *name = json_string_value(json_object_get(fn, "name"));
    const char *args = json_string_value(json_object_get(fn, "arguments"));
    if (id && id[0])
        wz_strlcpy(c->id, id, sizeof(c->id));
    if (name && name[0] && wz_strlcpy(c->name, name, sizeof(c->name)) != WZ_OK)
        return llm_error_set(&s->err, LLM_FAIL_MALFORMED, "LLM at %s: tool name too long", s->url);
    if (args)
        return append(s, &s->frag[idx], &s->frag_len[idx], args, strlen(args), s->max_line_bytes,
                      "tool-call arguments");
    return WZ_OK;
}

static int dispatch_chunk(llm_stream *s, json_t *chunk)
{
    json_t *error = json_object_get(chunk, "error");
    if (error) {
        const char *m = json_string_value(json_object_get(error, "message"));
        if (!m)
            m = json_string_value(error);
        return llm_error_set(&s->err, LLM_FAIL_SERVER_ERROR, "LLM at %s: server error: %.300s",
                             s->url, m ? m : "(no message)");
    }
    json_t *choices = json_object_get(chunk, "choices");
    if (!json_is_array(choices))
        return llm_error_set(&s->err, LLM_FAIL_MALFORMED, "LLM at %s: SSE chunk without choices",
                             s->url);
    size_t i;
    json_t *ch;
    json_array_foreach(choices, i, ch) {
        json_t *idx = json_object_get(ch, "index");
        if (idx && json_integer_value(idx) != 0)
            continue; /* we ask for one choice (n = 1) */
        json_t *delta = json_object_get(ch, "delta");
        json_t *content = json_object_get(delta, "content");
        int rc = WZ_OK;
        if (json_is_string(content))
            rc = llm_stream_add_text(s, json_string_value(content), json_string_length(content));
        json_t *calls = json_object_get(delta, "tool_calls");
        size_t k;
        json_t *d;
        json_array_foreach(calls, k, d) {
            if (rc == WZ_OK)
                rc = decode_call_delta(s, d);
        }
        const char *why = json_string_value(json_object_get(ch, "finish_reason"));
        if (why)
            wz_strlcpy(s->reply.finish_reason, why, sizeof(s->reply.finish_reason));
        if (rc != WZ_OK)
            return rc;
    }
    return WZ_OK;
}

static int dispatch_event(llm_stream *s)
{
    if (!s->event_pending)
        return WZ_OK;
    s->event_pending = false;
    size_t n = s->event_len;
    s->event_len = 0;
    if (s->done)
        return WZ_OK;
    if (n == 6 && memcmp(s->event, "[DONE]", 6) == 0) {
        s->done = true;
        s->got_token = true;
        return WZ_OK;
    }
    json_error_t jerr;
    json_t *chunk = json_loadb(s->event, n, 0, &jerr);
    if (!json_is_object(chunk)) {
        json_decref(chunk);
        return llm_error_set(&s->err, LLM_FAIL_MALFORMED, "LLM at %s: malformed SSE data: %.200s",
                             s->url, chunk ? "not an object" : jerr.text);
    }
    int rc = dispatch_chunk(s, chunk);
    json_decref(chunk);
    return rc;
}

static int decode_line(llm_stream *s, const char *line, size_t len)
{
    if (len == 0)
        return dispatch_event(s);
    if (line[0] == ':')
        return WZ_OK; /* comment / keep-alive */
    const char *colon = memchr(line, ':', len);
    size_t flen = colon ? (size_t)(colon - line) : len;
    if (flen != 4 || memcmp(line, "data", 4) != 0)
        return WZ_OK; /* event:, id:, retry: carry nothing we need */
    const char *v = colon ? colon + 1 : line + len;
    size_t vlen = (size_t)(line + len - v);
    if (vlen > 0 && v[0] == ' ') {
        v++;
        vlen--;
    }
    int rc = WZ_OK;
    if (s->event_pending)
        rc = append(s, &s->event, &s->event_len, "\n", 1, s->max_line_bytes, "SSE event");
    if (rc == WZ_OK)
        rc = append(s, &s->event, &s->event_len, v, vlen, s->max_line_bytes, "SSE event");
    s->event_pending = true;
    return rc;
}

static int finish(llm_stream *s)
{
    int rc = dispatch_event(s); /* a last event without its blank line */
    if (rc != WZ_OK)
        return rc;
    if (!s->done)
        return llm_error_set(&s->err, LLM_FAIL_DROPPED,
                             "LLM at %s: stream ended before [DONE] (connection dropped)", s->url);
    /* Deltas wrote names and ids straight into reply.calls[index]; move the
     * used indexes down into a dense list with parsed arguments. */
    llm_tool_call staged[LLM_MAX_TOOL_CALLS];
    memcpy(staged, s->reply.calls, sizeof(staged));
    memset(s->reply.calls, 0, sizeof(s->reply.calls));
    s->reply.ncalls = 0;
    for (size_t i = 0; i < LLM_MAX_TOOL_CALLS; i++) {
        if (!s->frag_used[i])
            continue;
        json_t *args;
        if (s->frag_len[i] == 0) {
            args = json_object();
        } else {
            json_error_t jerr;
            args = json_loadb(s->frag[i], s->frag_len[i], JSON_REJECT_DUPLICATES, &jerr);
            if (!args)
                return llm_error_set(&s->err, LLM_FAIL_BAD_ARGS,
                                     "LLM at %s: arguments of tool call '%s' are not valid JSON: %s",
                                     s->url, staged[i].name, jerr.text);
        }
        rc = llm_stream_add_call(s, staged[i].id, staged[i].name, args);
        if (rc != WZ_OK)
            return rc;
    }
    return WZ_OK;
}

static json_t *assistant_message(const llm_reply *r)
{
    json_t *calls = json_array();
    for (size_t i = 0; i < r->ncalls; i++) {
        char *args = json_dumps(r->calls[i].args, JSON_COMPACT);
        json_array_append_new(calls, json_pack("{s:s, s:s, s:{s:s, s:s}}", "id", r->calls[i].id,
                                               "type", "function", "function", "name",
                                               r->calls[i].name, "arguments", args ? args : "{}"));
        free(args);
    }
    json_t *content = r->text && r->text[0] ? json_string(r->text) : json_null();
    return json_pack("{s:s, s:o, s:o}", "role", "assistant", "content", content, "tool_calls", calls);
}

static json_t *tool_message(const llm_tool_call *call, const char *content)
{
    return json_pack("{s:s, s:s, s:s}", "role", "tool", "tool_call_id", call->id, "content", content);
}

const llm_backend llm_backend_openai = {
    .name = "openai",
    .path = "/v1/chat/completions",
    .accept = "text/event-stream",
    .build_request = build_request,
    .decode_line = decode_line,
    .finish = finish,
    .assistant_message = assistant_message,
    .tool_message = tool_message,
};
