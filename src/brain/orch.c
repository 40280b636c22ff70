/* orch.c: request handling: router → tools, else the LLM, else a clear
 * sentence saying the request was not understood. */
#include "brain/orch.h"
#include "app/paths.h"
#include "brain/convo.h"
#include "common/ev.h"
#include "common/log.h"
#include "ipc/msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct orch {
    const wz_config *cfg;
    char data_dir[CONFIG_STR_MAX];
    convo *cv; /* NULL when llm.backend = none */
};

typedef struct {
    orch *o;
    reply *r;
} turn;

int orch_create(orch **out, const wz_config *cfg, char *err, size_t errlen)
{
    orch *o = calloc(1, sizeof *o);
    if (!o) {
        snprintf(err, errlen, "out of memory");
        return WZ_NOMEM;
    }
    o->cfg = cfg;
    if (paths_data_dir(cfg, o->data_dir, sizeof o->data_dir) != WZ_OK) {
        snprintf(err, errlen, "data folder path too long (paths.data_dir)");
        free(o);
        return WZ_CONFIG;
    }
    if (strcmp(cfg->llm_backend, "none") != 0) {
        convo_config cc;
        convo_config_from_wz(&cc, cfg, o->data_dir);
        int rc = convo_new(&cc, &o->cv);
        if (rc != WZ_OK) {
            snprintf(err, errlen, "llm: cannot start the %s backend (llm.backend): %s; "
                     "check llm.system_prompt_file (%s)", cfg->llm_backend, wz_strerror(rc),
                     cc.system_prompt_file);
            free(o);
            return WZ_CONFIG;
        }
        log_info("LLM: %s at %s, model %s", cfg->llm_backend, cfg->llm_url, cfg->llm_model);
    }
    *out = o;
    return WZ_OK;
}

void orch_destroy(orch *o)
{
    if (!o)
        return;
    convo_free(o->cv);
    free(o);
}

void orch_cancel(orch *o)
{
    if (o->cv)
        convo_cancel(o->cv);
}

static void on_sentence(void *ctx, const char *sentence)
{
    turn *t = ctx;
    if (reply_sentence(t->r, sentence) != WZ_OK)
        convo_cancel(t->o->cv); /* canceled or the core is gone: stop the stream */
}

static void on_tool_call(void *ctx, const char *name, const json_t *args)
{
    (void)ctx;
    ev_emit("tool_call", json_pack("{s:s, s:O}", "name", name, "args", (json_t *)args));
}

static void on_tool_result(void *ctx, const char *name, int rc, const json_t *result, const char *error)
{
    (void)ctx;
    json_t *f = json_pack("{s:s, s:b}", "name", name, "ok", rc == WZ_OK && !error);
    if (result)
        json_object_set(f, "result", (json_t *)result);
    if (error)
        json_object_set_new(f, "error", json_string(error));
    ev_emit("tool_result", f);
}

/* Speaks one line and ends the reply. */
static void say_line(reply *r, const char *text, uint16_t flags)
{
    if (reply_sentence(r, text) == WZ_OK)
        (void)reply_end(r, flags);
}

static void ask_llm(orch *o, reply *r, const char *text)
{
    turn t = { o, r };
    convo_request rq = {
        .user_text = text,
        .on_sentence = on_sentence,
        .on_tool_call = on_tool_call,
        .on_tool_result = on_tool_result,
        .ctx = &t,
    };
    convo_result res;
    int rc = convo_run(o->cv, &rq, &res);
    if (rc == WZ_CANCELED || reply_canceled(r)) {
        convo_mark_spoken(o->cv, (size_t)r->spoken);
        return;
    }
    if (rc != WZ_OK) {
        char msg[600];
        snprintf(msg, sizeof msg, "%s: %s", llm_failure_name(res.err.kind), res.err.message);
        reply_error(r, "llm", msg);
        say_line(r, "Sorry, I could not get an answer from the language model.", MSG_F_ERROR);
        return;
    }
    (void)reply_end(r, 0);
}

void orch_handle(orch *o, reply *r, const char *text)
{
    if (o->cv) {
        ask_llm(o, r, text);
        return;
    }
    say_line(r, "Sorry, I didn't understand that. To answer questions like it, set llm.backend "
                "to ollama or openai in wyzer.conf.", 0);
}

void orch_say(orch *o, reply *r, const char *key)
{
    (void)o;
    const char *text = strcmp(key, "brain_restarted") == 0
                           ? "Sorry, I had a problem and restarted. Please say that again."
                           : "Sorry.";
    say_line(r, text, 0);
}
