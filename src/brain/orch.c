/* orch.c: one request in, a spoken reply out.
 *
 *   text ─▶ router ─┬─ tools ─────────────▶ spoken replies
 *                   ├─ control phrase ────▶ (stop, cancel, yes, no)
 *                   └─ no match ─▶ LLM (with the same tools) ─▶ sentences
 *
 * Every sentence goes out through reply_sentence(), which sends its text and
 * then, through orch_speak(), its audio, before the next sentence is made. */
#include "brain/orch.h"
#include "app/paths.h"
#include "brain/convo.h"
#include "brain/router.h"
#include "brain/tools.h"
#include "brain/tts.h"
#include "common/ev.h"
#include "common/log.h"
#include "ipc/msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ORCH_TTS_CHUNK 4096   /* samples per TTS_AUDIO: 256 ms at 16 kHz, 8 KiB */
/* A reply's first sentence is held until its speech starts, for at most
 * ORCH_LEAD_MS, so the engine's leading silence can be cut (orch_speak). */
#define ORCH_LEAD_MS 500
#define ORCH_LEAD_MAX (48000 * ORCH_LEAD_MS / 1000) /* samples, up to 48 kHz */
#define ORCH_FACTS_MAX 32
#define ORCH_SPOKEN_MAX 2048

struct orch {
    const wz_config *cfg;
    char data_dir[CONFIG_STR_MAX];
    router *rt;
    tools *tl;
    tts *tts;
    convo *cv;            /* NULL when llm.backend = none */
    json_t *llm_tools;    /* the registry's schema for the LLM */
    char confirm_tool[64]; /* a confirm-risk call waiting for yes/no, or "" */
    json_t *confirm_args;
    int16_t pcm[ORCH_TTS_CHUNK];
    int16_t lead[ORCH_LEAD_MAX];
};

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return rc;
}

int orch_create(orch **out, const wz_config *cfg, char *err, size_t errlen)
{
    *out = NULL;
    orch *o = calloc(1, sizeof *o);
    if (!o)
        return fail(err, errlen, WZ_NOMEM, "out of memory");
    o->cfg = cfg;
    char path[CONFIG_STR_MAX + 32], why[768];
    int rc;
    if (paths_data_dir(cfg, o->data_dir, sizeof o->data_dir) != WZ_OK) {
        rc = fail(err, errlen, WZ_CONFIG, "data folder path too long (paths.data_dir)");
        goto error;
    }
    snprintf(path, sizeof path, "%s/intents", o->data_dir);
    if ((rc = router_create(&o->rt, path, why, sizeof why)) != WZ_OK) {
        rc = fail(err, errlen, WZ_CONFIG, "router: %s (intent templates in %s; paths.data_dir)", why, path);
        goto error;
    }
    if ((rc = tools_create(&o->tl, cfg, o->data_dir, why, sizeof why)) != WZ_OK) {
        rc = fail(err, errlen, WZ_CONFIG, "tools: %s", why);
        goto error;
    }
    if ((rc = tts_create(&o->tts, cfg, why, sizeof why)) != WZ_OK) {
        rc = fail(err, errlen, WZ_CONFIG, "%s", why);
        goto error;
    }
    o->llm_tools = tools_llm_schema(o->tl);
    if (strcmp(cfg->llm_backend, "none") != 0) {
        convo_config cc;
        convo_config_from_wz(&cc, cfg, o->data_dir);
        if ((rc = convo_new(&cc, &o->cv)) != WZ_OK) {
            rc = fail(err, errlen, WZ_CONFIG, "llm: cannot start the %s backend (llm.backend): %s; check "
                      "llm.system_prompt_file (%s)", cfg->llm_backend, wz_strerror(rc), cc.system_prompt_file);
            goto error;
        }
        log_info("LLM: %s at %s, model %s", cfg->llm_backend, cfg->llm_url, cfg->llm_model);
    }
    *out = o;
    return WZ_OK;
error:
    orch_destroy(o);
    return rc;
}

void orch_destroy(orch *o)
{
    if (!o)
        return;
    convo_free(o->cv);
    json_decref(o->llm_tools);
    json_decref(o->confirm_args);
    tts_destroy(o->tts);
    tools_destroy(o->tl);
    router_destroy(o->rt);
    free(o);
}

void orch_cancel(orch *o)
{
    if (o->cv)
        convo_cancel(o->cv);
    if (o->tts)
        tts_cancel(o->tts);
}

char *orch_grammar(const orch *o) { return intents_to_jsgf(router_intents(o->rt)); }

/* --- speaking ----------------------------------------------------------- */

/* reply_speak_fn: synthesises one sentence and streams it as TTS_AUDIO.
 *
 * The first sentence of a reply starts where its speech starts: engines
 * lead with near silence (Flite 140-260 ms), which the user hears as
 * latency. Its audio is pulled into o->lead until tts_speech_onset() finds
 * speech, then sent from there; with no onset within ORCH_LEAD_MS (or by the
 * sentence's end) it is sent whole. Later sentences keep their lead, the
 * pause between sentences. */
static int orch_speak(void *ctx, reply *r, const char *text)
{
    orch *o = ctx;
    int rc = tts_begin(o->tts, text);
    if (rc != WZ_OK) {
        char why[600];
        snprintf(why, sizeof why, "cannot synthesise: %s", tts_last_error(o->tts));
        reply_error(r, "tts", why);
        return WZ_OK; /* the text still reaches the user */
    }
    bool hold = r->spoken == 0;
    size_t held = 0;
    for (;;) {
        if (reply_canceled(r)) {
            tts_cancel(o->tts);
            return WZ_CANCELED;
        }
        size_t n = 0;
        int rate = 0;
        bool done = false;
        int16_t *dst = hold ? o->lead + held : o->pcm;
        size_t cap = hold ? WZ_MIN((size_t)ORCH_TTS_CHUNK, (size_t)ORCH_LEAD_MAX - held) : ORCH_TTS_CHUNK;
        rc = tts_pull(o->tts, dst, cap, &n, &rate, &done, 50);
        if (rc == WZ_AGAIN)
            continue;
        if (rc == WZ_CANCELED)
            return WZ_CANCELED;
        if (rc != WZ_OK) {
            char why[600];
            snprintf(why, sizeof why, "synthesis failed: %s", tts_last_error(o->tts));
            reply_error(r, "tts", why);
            return WZ_OK;
        }
        const int16_t *out = o->pcm;
        if (hold) {
            held += n;
            size_t limit = WZ_MIN((size_t)rate * ORCH_LEAD_MS / 1000, (size_t)ORCH_LEAD_MAX);
            size_t start = tts_speech_onset(o->lead, held, rate);
            if (start == held && !done && (n == 0 || held < limit))
                continue; /* no speech yet */
            hold = false;
            size_t from = start < held ? start : 0; /* no onset: send it whole */
            out = o->lead + from;
            n = held - from;
        }
        if (n && (rc = msg_send_tts(r->to_core, r->flags, r->req_id, (uint32_t)rate, out, n, 2000)) != WZ_OK)
            return rc;
        if (done)
            return WZ_OK;
    }
}

/* Speaks a reply template by key. */
static int say_key(orch *o, reply *r, const char *key, const json_t *vars)
{
    char text[TOOLS_SPOKEN_MAX];
    if (tools_say(o->tl, key, vars, text, sizeof text) != WZ_OK)
        (void)wz_strlcpy(text, key, sizeof text);
    return reply_sentence(r, text);
}

static void end_with_key(orch *o, reply *r, const char *key, uint16_t flags)
{
    if (say_key(o, r, key, NULL) == WZ_OK)
        (void)reply_end(r, flags);
}

/* --- fast path ---------------------------------------------------------- */

static void emit_tool_result(const char *name, bool ok, const json_t *result, const char *error)
{
    json_t *f = json_pack("{s:s, s:b}", "name", name, "ok", ok);
    if (result)
        json_object_set(f, "result", (json_t *)result);
    if (error && error[0])
        json_object_set_new(f, "error", json_string(error));
    ev_emit("tool_result", f);
}

/* Runs one tool call and speaks its reply. Returns the reply_sentence code. */
static int run_tool(orch *o, reply *r, const char *name, json_t *args, char *spoken, size_t cap)
{
    ev_emit("tool_call", json_pack("{s:s, s:O}", "name", name, "args", args));
    tool_result res;
    tools_call(o->tl, name, args, &res);
    emit_tool_result(name, res.ok, res.result, res.error);
    if (!res.ok)
        log_warn("tool %s: %s", name, res.error);
    size_t used = strlen(spoken);
    snprintf(spoken + used, cap - used, "%s%s", used ? " " : "", res.spoken);
    int rc = reply_sentence(r, res.spoken);
    tool_result_clear(&res);
    return rc;
}

static void run_calls(orch *o, reply *r, const char *text, router_result *rr)
{
    char spoken[ORCH_SPOKEN_MAX] = "";
    for (size_t i = 0; i < rr->ncalls; i++) {
        router_call *c = &rr->calls[i];
        ev_emit("intent", json_pack("{s:s, s:O, s:f}", "name", c->intent, "slots", c->args, "confidence",
                                    c->confidence));
        if (tools_risk(o->tl, c->tool) == TOOL_RISK_CONFIRM) {
            /* Ask first; the answer comes as the next request (follow-up). */
            (void)wz_strlcpy(o->confirm_tool, c->tool, sizeof o->confirm_tool);
            json_decref(o->confirm_args);
            o->confirm_args = json_deep_copy(c->args);
            if (say_key(o, r, "general.confirm", NULL) == WZ_OK)
                (void)reply_end(r, MSG_F_EXPECTS_REPLY);
            return;
        }
        if (run_tool(o, r, c->tool, c->args, spoken, sizeof spoken) != WZ_OK)
            return; /* canceled */
    }
    if (reply_end(r, 0) == WZ_OK && o->cv && convo_add_turn(o->cv, text, spoken) != WZ_OK)
        log_warn("could not add the turn to the conversation history");
}

/* The answer to "Are you sure?". */
static void answer_confirmation(orch *o, reply *r, const router_result *rr)
{
    char tool[64];
    (void)wz_strlcpy(tool, o->confirm_tool, sizeof tool);
    json_t *args = o->confirm_args;
    o->confirm_tool[0] = '\0';
    o->confirm_args = NULL;
    if (rr->kind == ROUTER_CONTROL && strcmp(rr->control, "yes") == 0) {
        char spoken[ORCH_SPOKEN_MAX] = "";
        if (run_tool(o, r, tool, args, spoken, sizeof spoken) == WZ_OK)
            (void)reply_end(r, 0);
    } else {
        end_with_key(o, r, "general.cancelled", 0);
    }
    json_decref(args);
}

/* --- LLM ---------------------------------------------------------------- */

typedef struct {
    orch *o;
    reply *r;
} turn;

static void on_sentence(void *ctx, const char *sentence)
{
    turn *t = ctx;
    if (reply_sentence(t->r, sentence) != WZ_OK)
        convo_cancel(t->o->cv); /* canceled, or the core is gone: stop the stream */
}

static void on_tool_call(void *ctx, const char *name, const json_t *args)
{
    (void)ctx;
    ev_emit("tool_call", json_pack("{s:s, s:O}", "name", name, "args", (json_t *)args));
}

static void on_tool_result(void *ctx, const char *name, int rc, const json_t *result, const char *error)
{
    (void)ctx;
    emit_tool_result(name, rc == WZ_OK && !error, result, error);
}

/* convo_exec_fn: the LLM's tool calls run through the same registry. */
static int exec_tool(void *ctx, const char *name, json_t *args, json_t **result_out, char **error_out)
{
    turn *t = ctx;
    if (tools_risk(t->o->tl, name) == TOOL_RISK_CONFIRM) {
        /* The model cannot say yes for the user. */
        *result_out = json_pack("{s:s}", "error",
                                "this action needs the user's spoken confirmation; ask them to request it directly");
        return WZ_OK;
    }
    tool_result res;
    int rc = tools_call(t->o->tl, name, args, &res);
    if (rc == WZ_OK) {
        *result_out = res.result;
        res.result = NULL;
    } else {
        *error_out = strdup(res.error);
    }
    tool_result_clear(&res);
    return rc;
}

static void ask_llm(orch *o, reply *r, const char *text)
{
    turn t = { o, r };
    const char *facts[ORCH_FACTS_MAX];
    size_t nfacts = tools_facts(o->tl, facts, ORCH_FACTS_MAX);
    convo_request rq = {
        .user_text = text,
        .facts = facts,
        .nfacts = nfacts,
        .tools = o->llm_tools,
        .exec = exec_tool,
        .on_sentence = on_sentence,
        .on_tool_call = on_tool_call,
        .on_tool_result = on_tool_result,
        .ctx = &t,
    };
    convo_result res;
    int rc = convo_run(o->cv, &rq, &res);
    if (rc == WZ_CANCELED || reply_canceled(r)) {
        /* History keeps what was handed to the core before the interrupt. */
        convo_mark_spoken(o->cv, (size_t)r->spoken);
        return;
    }
    if (rc != WZ_OK) {
        char msg[700];
        snprintf(msg, sizeof msg, "%s: %s", llm_failure_name(res.err.kind), res.err.message);
        reply_error(r, "llm", msg);
        end_with_key(o, r, "brain.llm_failed", MSG_F_ERROR);
        return;
    }
    (void)reply_end(r, 0);
}

/* --- entry points ------------------------------------------------------- */

void orch_handle(orch *o, reply *r, const char *text)
{
    r->speak = orch_speak;
    r->speak_ctx = o;
    router_result rr;
    if (router_route(o->rt, text, &rr) != WZ_OK)
        log_warn("request too long for the router (%zu bytes); trying the LLM", strlen(text));
    if (o->confirm_tool[0]) {
        answer_confirmation(o, r, &rr);
    } else if (rr.kind == ROUTER_CONTROL) {
        ev_emit("intent", json_pack("{s:s, s:{s:s}, s:f}", "name", "control", "slots", "action", rr.control,
                                    "confidence", 1.0));
        /* "stop" and "cancel" end the turn silently; yes/no with nothing
         * pending get a short acknowledgement. */
        if (!strcmp(rr.control, "stop") || !strcmp(rr.control, "cancel"))
            (void)reply_end(r, 0);
        else
            end_with_key(o, r, "brain.okay", 0);
    } else if (rr.kind == ROUTER_TOOLS) {
        run_calls(o, r, text, &rr);
    } else if (o->cv) {
        ask_llm(o, r, text);
    } else {
        end_with_key(o, r, "general.not_understood", 0);
    }
    router_result_clear(&rr);
}

void orch_say(orch *o, reply *r, const char *key, uint16_t end_flags)
{
    r->speak = orch_speak;
    r->speak_ctx = o;
    end_with_key(o, r, key, end_flags);
}

void orch_say_text(orch *o, reply *r, const char *text, uint16_t end_flags)
{
    r->speak = orch_speak;
    r->speak_ctx = o;
    if (reply_sentence(r, text) == WZ_OK)
        (void)reply_end(r, end_flags);
}

size_t orch_command_count(const orch *o, const char *text)
{
    router_result rr;
    size_t n = 0;
    if (router_route(o->rt, text, &rr) == WZ_OK)
        n = rr.kind == ROUTER_CONTROL ? 1 : rr.ncalls;
    router_result_clear(&rr);
    return n;
}

bool orch_extendable(const orch *o, const char *text) { return router_extendable(o->rt, text); }

int64_t orch_next_timer_ms(orch *o) { return tools_next_deadline_ms(o->tl); }

bool orch_poll_timer(orch *o, char *out, size_t cap) { return tools_poll_due(o->tl, out, cap); }
