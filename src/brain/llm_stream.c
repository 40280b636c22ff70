/* llm_stream.c: line splitting, size caps and reply accumulation shared by
 * the LLM stream decoders. Pure: no I/O, so fuzz targets drive it directly. */
#include "brain/llm.h"

#include <stdlib.h>
#include <string.h>

int llm_stream_init(llm_stream *s, const llm_backend *b, size_t max_line_bytes,
                    size_t max_body_bytes, llm_delta_fn on_delta, void *ctx)
{
    memset(s, 0, sizeof(*s));
    s->backend = b;
    s->on_delta = on_delta;
    s->ctx = ctx;
    s->url = "";
    s->max_line_bytes = max_line_bytes ? max_line_bytes : LLM_DEFAULT_MAX_LINE_BYTES;
    s->max_body_bytes = max_body_bytes ? max_body_bytes : LLM_DEFAULT_MAX_BODY_BYTES;
    s->line_cap = 4096;
    s->line = malloc(s->line_cap);
    s->reply.text = calloc(1, 1);
    if (!s->line || !s->reply.text) {
        llm_stream_uninit(s);
        return WZ_NOMEM;
    }
    return WZ_OK;
}

void llm_stream_uninit(llm_stream *s)
{
    free(s->line);
    free(s->event);
    for (size_t i = 0; i < LLM_MAX_TOOL_CALLS; i++)
        free(s->frag[i]);
    llm_reply_clear(&s->reply);
    memset(s, 0, sizeof(*s));
}

static int decode(llm_stream *s, char *line, size_t len)
{
    if (len > 0 && line[len - 1] == '\r')
        len--;
    line[len] = '\0';
    return s->backend->decode_line(s, line, len);
}

int llm_stream_feed(llm_stream *s, const char *data, size_t len)
{
    if (s->err.kind != LLM_FAIL_NONE)
        return llm_failure_code(s->err.kind);
    s->body_bytes += len;
    if (s->body_bytes > s->max_body_bytes)
        return llm_error_set(&s->err, LLM_FAIL_TOOBIG, "LLM at %s: response larger than %zu bytes",
                             s->url, s->max_body_bytes);
    while (len > 0) {
        const char *nl = memchr(data, '\n', len);
        size_t take = nl ? (size_t)(nl - data) : len;
        if (s->line_len + take > s->max_line_bytes)
            return llm_error_set(&s->err, LLM_FAIL_TOOBIG,
                                 "LLM at %s: stream line longer than %zu bytes", s->url,
                                 s->max_line_bytes);
        if (s->line_len + take + 1 > s->line_cap) {
            size_t cap = s->line_cap;
            while (cap < s->line_len + take + 1)
                cap *= 2;
            char *p = realloc(s->line, cap);
            if (!p)
                return llm_error_set(&s->err, LLM_FAIL_INTERNAL, "out of memory");
            s->line = p;
            s->line_cap = cap;
        }
        memcpy(s->line + s->line_len, data, take);
        s->line_len += take;
        data += take;
        len -= take;
        if (nl) {
            data++;
            len--;
            size_t n = s->line_len;
            s->line_len = 0;
            int rc = decode(s, s->line, n);
            if (rc != WZ_OK)
                return rc;
        }
    }
    return WZ_OK;
}

int llm_stream_finish(llm_stream *s)
{
    if (s->err.kind != LLM_FAIL_NONE)
        return llm_failure_code(s->err.kind);
    if (s->line_len > 0) {
        size_t n = s->line_len;
        s->line_len = 0;
        int rc = decode(s, s->line, n);
        if (rc != WZ_OK)
            return rc;
    }
    return s->backend->finish(s);
}

int llm_stream_add_text(llm_stream *s, const char *text, size_t len)
{
    if (len == 0)
        return WZ_OK;
    s->got_token = true;
    if (s->reply.text_len + len > LLM_MAX_TEXT_BYTES)
        return llm_error_set(&s->err, LLM_FAIL_TOOBIG, "LLM at %s: reply text longer than %d bytes",
                             s->url, LLM_MAX_TEXT_BYTES);
    char *p = realloc(s->reply.text, s->reply.text_len + len + 1);
    if (!p)
        return llm_error_set(&s->err, LLM_FAIL_INTERNAL, "out of memory");
    memcpy(p + s->reply.text_len, text, len);
    s->reply.text_len += len;
    p[s->reply.text_len] = '\0';
    s->reply.text = p;
    if (s->on_delta)
        s->on_delta(s->ctx, text, len);
    return WZ_OK;
}

int llm_stream_add_call(llm_stream *s, const char *id, const char *name, json_t *args)
{
    s->got_token = true;
    if (s->reply.ncalls >= LLM_MAX_TOOL_CALLS) {
        json_decref(args);
        return llm_error_set(&s->err, LLM_FAIL_TOOBIG, "LLM at %s: more than %d tool calls in one reply",
                             s->url, LLM_MAX_TOOL_CALLS);
    }
    if (!name || !name[0] || strlen(name) >= LLM_TOOL_NAME_MAX) {
        json_decref(args);
        return llm_error_set(&s->err, LLM_FAIL_MALFORMED, "LLM at %s: tool call without a valid name",
                             s->url);
    }
    if (!json_is_object(args)) {
        json_decref(args);
        return llm_error_set(&s->err, LLM_FAIL_BAD_ARGS,
                             "LLM at %s: arguments of tool call '%s' are not a JSON object", s->url,
                             name);
    }
    llm_tool_call *c = &s->reply.calls[s->reply.ncalls];
    if (id && id[0])
        wz_strlcpy(c->id, id, sizeof(c->id));
    else
        snprintf(c->id, sizeof(c->id), "call_%zu", s->reply.ncalls);
    wz_strlcpy(c->name, name, sizeof(c->name));
    c->args = args;
    s->reply.ncalls++;
    return WZ_OK;
}

void llm_reply_clear(llm_reply *r)
{
    free(r->text);
    for (size_t i = 0; i < r->ncalls; i++)
        json_decref(r->calls[i].args);
    memset(r, 0, sizeof(*r));
}
