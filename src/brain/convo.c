/* convo.c: the LLM conversation loop: context, tool rounds, sentence
 * streaming and spoken-only history. */
#include "brain/convo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/config.h"
#include "brain/sentence.h"
#include "common/log.h"

/* One stored exchange; the reply is kept as the sentences delivered, so a
 * later convo_mark_spoken() can trim it exactly. */
typedef struct turn {
    char *user;
    char **sent;
    size_t nsent;
} turn;

struct convo {
    convo_config cfg;
    llm_client *llm;
    char *system_prompt; /* NULL: none */
    turn turns[CONVO_MAX_TURNS];
    size_t nturns;
    bool last_run_stored; /* convo_mark_spoken() applies to that turn only */
};

/* State of one convo_run(). */
typedef struct run {
    convo *cv;
    const convo_request *rq;
    sentence_splitter sp;
    turn pending; /* what will be stored in history */
    bool oom;
} run;

void convo_config_init(convo_config *c)
{
    memset(c, 0, sizeof(*c));
    llm_config_init(&c->llm);
    c->max_tool_steps = 4;
    c->history_turns = 6;
    snprintf(c->system_prompt_file, sizeof(c->system_prompt_file), "%s/system_prompt.txt",
             WZ_SOURCE_DATA_DIR);
}

void convo_config_from_wz(convo_config *c, const wz_config *cfg, const char *data_dir)
{
    convo_config_init(c);
    llm_config_from_wz(&c->llm, cfg);
    c->max_tool_steps = (int)cfg->llm_max_tool_steps;
    c->history_turns = (int)WZ_MIN(cfg->llm_history_turns, CONVO_MAX_TURNS);
    if (cfg->llm_system_prompt_file[0])
        snprintf(c->system_prompt_file, sizeof(c->system_prompt_file), "%s",
                 cfg->llm_system_prompt_file);
    else
        snprintf(c->system_prompt_file, sizeof(c->system_prompt_file), "%s/system_prompt.txt",
                 data_dir && data_dir[0] ? data_dir : WZ_SOURCE_DATA_DIR);
}

static int read_prompt(const char *path, char **out)
{
    char *buf;
    size_t n;
    int rc = wz_read_file(path, CONVO_MAX_PROMPT_BYTES, &buf, &n);
    *out = NULL;
    if (rc == WZ_IO)
        log_error("llm: cannot read system prompt %s: %s", path, strerror(errno));
    else if (rc == WZ_TOOBIG)
        log_error("llm: system prompt %s is larger than %d bytes", path, CONVO_MAX_PROMPT_BYTES);
    if (rc != WZ_OK)
        return rc;
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        n--;
    buf[n] = '\0';
    *out = buf;
    return WZ_OK;
}

int convo_new(const convo_config *c, convo **out)
{
    *out = NULL;
    convo *cv = calloc(1, sizeof(*cv));
    if (!cv)
        return WZ_NOMEM;
    cv->cfg = *c;
    if (cv->cfg.history_turns > CONVO_MAX_TURNS)
        cv->cfg.history_turns = CONVO_MAX_TURNS;
    int rc = WZ_OK;
    if (c->system_prompt_file[0])
        rc = read_prompt(c->system_prompt_file, &cv->system_prompt);
    if (rc == WZ_OK)
        rc = llm_client_new(&c->llm, &cv->llm);
    if (rc != WZ_OK) {
        convo_free(cv);
        return rc;
    }
    *out = cv;
    return WZ_OK;
}

static void turn_free(turn *t)
{
    free(t->user);
    for (size_t i = 0; i < t->nsent; i++)
        free(t->sent[i]);
    free(t->sent);
    memset(t, 0, sizeof(*t));
}

void convo_history_clear(convo *cv)
{
    for (size_t i = 0; i < cv->nturns; i++)
        turn_free(&cv->turns[i]);
    cv->nturns = 0;
    cv->last_run_stored = false;
}

void convo_free(convo *cv)
{
    if (!cv)
        return;
    convo_history_clear(cv);
    llm_client_free(cv->llm);
    free(cv->system_prompt);
    free(cv);
}

llm_client *convo_llm(convo *cv) { return cv->llm; }
void convo_cancel(convo *cv) { llm_cancel(cv->llm); }

/* ---- history ---- */

/* Takes ownership of t. Keeps at most CONVO_MAX_TURNS (oldest dropped). */
static void history_push(convo *cv, turn *t)
{
    if (cv->nturns == CONVO_MAX_TURNS) {
        turn_free(&cv->turns[0]);
        memmove(&cv->turns[0], &cv->turns[1], (CONVO_MAX_TURNS - 1) * sizeof(turn));
        cv->nturns--;
    }
    cv->turns[cv->nturns++] = *t;
    memset(t, 0, sizeof(*t));
}

static int turn_add_sentence(turn *t, const char *s)
{
    char **p = realloc(t->sent, (t->nsent + 1) * sizeof(*p));
    if (!p)
        return WZ_NOMEM;
    t->sent = p;
    if (!(p[t->nsent] = strdup(s)))
        return WZ_NOMEM;
    t->nsent++;
    return WZ_OK;
}

int convo_add_turn(convo *cv, const char *user, const char *assistant)
{
    turn t = { 0 };
    t.user = strdup(user);
    if (!t.user || (assistant && assistant[0] && turn_add_sentence(&t, assistant) != WZ_OK)) {
        turn_free(&t);
        return WZ_NOMEM;
    }
    history_push(cv, &t);
    cv->last_run_stored = false;
    return WZ_OK;
}

void convo_mark_spoken(convo *cv, size_t n)
{
    if (cv->nturns == 0 || !cv->last_run_stored)
        return;
    turn *t = &cv->turns[cv->nturns - 1];
    while (t->nsent > n)
        free(t->sent[--t->nsent]);
}

size_t convo_history_len(const convo *cv) { return cv->nturns; }

const char *convo_history_user(const convo *cv, size_t i)
{
    return i < cv->nturns ? cv->turns[i].user : NULL;
}

static char *join(const turn *t)
{
    size_t len = 1;
    for (size_t i = 0; i < t->nsent; i++)
        len += strlen(t->sent[i]) + 1;
    char *s = malloc(len), *p = s;
    if (!s)
        return NULL;
    *p = '\0';
    for (size_t i = 0; i < t->nsent; i++)
        p += sprintf(p, "%s%s", i ? " " : "", t->sent[i]);
    return s;
}

char *convo_history_reply(const convo *cv, size_t i)
{
    return i < cv->nturns ? join(&cv->turns[i]) : NULL;
}

/* ---- context ---- */

static void add_msg(json_t *msgs, const char *role, const char *content)
{
    json_array_append_new(msgs, json_pack("{s:s, s:s}", "role", role, "content", content));
}

static char *system_text(const convo *cv, const char *const *facts, size_t nfacts)
{
    const char *base = cv->system_prompt ? cv->system_prompt : "";
    size_t len = strlen(base) + 64;
    for (size_t i = 0; i < nfacts; i++)
        len += strlen(facts[i]) + 4;
    char *s = malloc(len), *p = s;
    if (!s)
        return NULL;
    p += sprintf(p, "%s", base);
    if (nfacts > 0)
        p += sprintf(p, "%sFacts the user asked you to remember:", base[0] ? "\n\n" : "");
    for (size_t i = 0; i < nfacts; i++)
        p += sprintf(p, "\n- %s", facts[i]);
    return s;
}

json_t *convo_build_messages(convo *cv, const char *user_text, const char *const *facts,
                             size_t nfacts)
{
    json_t *msgs = json_array();
    char *sys = system_text(cv, facts, nfacts);
    if (!msgs || !sys) {
        free(sys);
        json_decref(msgs);
        return NULL;
    }
    if (sys[0])
        add_msg(msgs, "system", sys);
    free(sys);
    size_t keep = (size_t)cv->cfg.history_turns;
    size_t first = cv->nturns > keep ? cv->nturns - keep : 0;
    for (size_t i = first; i < cv->nturns; i++) {
        add_msg(msgs, "user", cv->turns[i].user);
        char *reply = join(&cv->turns[i]);
        if (reply && reply[0]) /* interrupted before anything was heard */
            add_msg(msgs, "assistant", reply);
        free(reply);
    }
    add_msg(msgs, "user", user_text);
    return msgs;
}

/* ---- one run ---- */

static void deliver(void *ctx, const char *sentence)
{
    run *r = ctx;
    if (llm_canceled(r->cv->llm))
        return; /* discard: nothing is spoken after an interrupt */
    char clean[SENTENCE_MAX_BYTES + 1];
    wz_strlcpy(clean, sentence, sizeof(clean));
    sentence_strip_markdown(clean);
    if (!clean[0])
        return; /* the sentence was only markup, e.g. "**" */
    if (turn_add_sentence(&r->pending, clean) != WZ_OK)
        r->oom = true;
    r->rq->on_sentence(r->rq->ctx, clean);
}

static void on_delta(void *ctx, const char *text, size_t len)
{
    run *r = ctx;
    if (!llm_canceled(r->cv->llm))
        sentence_feed(&r->sp, text, len);
}

static bool tool_offered(json_t *tools, const char *name)
{
    size_t i;
    json_t *t;
    json_array_foreach(tools, i, t) {
        const char *n = json_string_value(json_object_get(json_object_get(t, "function"), "name"));
        if (n && strcmp(n, name) == 0)
            return true;
    }
    return false;
}

static llm_failure exec_failure(int rc)
{
    if (rc == WZ_INVAL)
        return LLM_FAIL_BAD_ARGS;
    if (rc == WZ_NOTFOUND || rc == WZ_UNSUPP)
        return LLM_FAIL_UNKNOWN_TOOL;
    return LLM_FAIL_TOOL_FAILED;
}

/* Runs one tool call and appends its result message. */
static int run_tool(run *r, const llm_tool_call *call, json_t *msgs, llm_error *err)
{
    const convo_request *rq = r->rq;
    if (rq->on_tool_call)
        rq->on_tool_call(rq->ctx, call->name, call->args);
    json_t *result = NULL;
    char *error = NULL;
    int rc = rq->exec(rq->ctx, call->name, call->args, &result, &error);
    if (rc == WZ_OK && !result)
        result = json_object();
    if (rq->on_tool_result)
        rq->on_tool_result(rq->ctx, call->name, rc, rc == WZ_OK ? result : NULL,
                           rc == WZ_OK ? NULL : (error ? error : wz_strerror(rc)));
    if (rc != WZ_OK) {
        llm_failure kind = exec_failure(rc);
        rc = llm_error_set(err, kind, "tool call '%s' failed: %s", call->name,
                           error ? error : wz_strerror(rc));
        json_decref(result);
        free(error);
        return rc;
    }
    free(error);
    char *content = json_dumps(result, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(result);
    if (!content)
        return llm_error_set(err, LLM_FAIL_INTERNAL, "out of memory");
    if (strlen(content) > CONVO_MAX_TOOL_RESULT_BYTES) {
        free(content);
        return llm_error_set(err, LLM_FAIL_TOOBIG, "tool '%s' returned more than %d bytes",
                             call->name, CONVO_MAX_TOOL_RESULT_BYTES);
    }
    json_array_append_new(msgs, llm_client_backend(r->cv->llm)->tool_message(call, content));
    free(content);
    return WZ_OK;
}

/* Checks every call of a reply, then runs them in order. */
static int run_tools(run *r, const llm_reply *reply, json_t *msgs, llm_error *err)
{
    const char *endpoint = llm_client_config(r->cv->llm)->url;
    for (size_t i = 0; i < reply->ncalls; i++)
        if (!tool_offered(r->rq->tools, reply->calls[i].name))
            return llm_error_set(err, LLM_FAIL_UNKNOWN_TOOL,
                                 "LLM at %s: called unknown tool '%s'", endpoint,
                                 reply->calls[i].name);
    json_array_append_new(msgs, llm_client_backend(r->cv->llm)->assistant_message(reply));
    for (size_t i = 0; i < reply->ncalls; i++) {
        if (llm_canceled(r->cv->llm))
            return llm_error_set(err, LLM_FAIL_CANCELED, "LLM at %s: canceled", endpoint);
        int rc = run_tool(r, &reply->calls[i], msgs, err);
        if (rc != WZ_OK)
            return rc;
    }
    return WZ_OK;
}

/* The request/tool loop; returns WZ_OK when a reply without tool calls
 * completed. */
static int run_rounds(run *r, json_t *msgs, convo_result *res)
{
    convo *cv = r->cv;
    json_t *tools = r->rq->tools && json_array_size(r->rq->tools) > 0 ? r->rq->tools : NULL;
    for (int step = 0;; step++) {
        /* The last round offers no tools, so the model has to answer. */
        json_t *offer = step < cv->cfg.max_tool_steps ? tools : NULL;
        llm_reply reply;
        int rc = llm_chat(cv->llm, msgs, offer, on_delta, r, &reply, &res->err);
        if (rc != WZ_OK)
            return rc;
        if (reply.ncalls == 0) {
            llm_reply_clear(&reply);
            return WZ_OK;
        }
        if (!offer) {
            llm_reply_clear(&reply);
            return llm_error_set(&res->err, LLM_FAIL_TOO_MANY_STEPS,
                                 "LLM at %s: still calling tools after %d rounds",
                                 llm_client_config(cv->llm)->url, cv->cfg.max_tool_steps);
        }
        if (!r->rq->exec) {
            llm_reply_clear(&reply);
            return llm_error_set(&res->err, LLM_FAIL_INTERNAL, "no tool executor");
        }
        /* Text before a tool call is complete: speak it while the tool
         * runs, and never glue it to the next round's first word. */
        sentence_flush(&r->sp);
        res->tool_steps++;
        rc = run_tools(r, &reply, msgs, &res->err);
        llm_reply_clear(&reply);
        if (rc != WZ_OK)
            return rc;
    }
}

int convo_run(convo *cv, const convo_request *rq, convo_result *res)
{
    memset(res, 0, sizeof(*res));
    llm_cancel_reset(cv->llm);
    cv->last_run_stored = false;
    run r = { .cv = cv, .rq = rq };
    sentence_init(&r.sp, deliver, &r);
    r.pending.user = strdup(rq->user_text ? rq->user_text : "");
    json_t *msgs = r.pending.user ? convo_build_messages(cv, rq->user_text, rq->facts, rq->nfacts)
                                  : NULL;
    int rc;
    if (!msgs)
        rc = llm_error_set(&res->err, LLM_FAIL_INTERNAL, "out of memory");
    else
        rc = run_rounds(&r, msgs, res);
    if (rc == WZ_OK)
        sentence_flush(&r.sp); /* the last sentence may lack a terminator */
    if (rc == WZ_OK && llm_canceled(cv->llm))
        rc = llm_error_set(&res->err, LLM_FAIL_CANCELED, "LLM at %s: canceled",
                           llm_client_config(cv->llm)->url);
    if (rc == WZ_OK && r.oom)
        rc = llm_error_set(&res->err, LLM_FAIL_INTERNAL, "out of memory");
    res->sentences = r.pending.nsent;
    if (rc == WZ_OK || rc == WZ_CANCELED) {
        history_push(cv, &r.pending);
        cv->last_run_stored = true;
    } else
        log_warn("llm: %s (%s)", res->err.message, llm_failure_name(res->err.kind));
    turn_free(&r.pending);
    json_decref(msgs);
    res->rc = rc;
    return rc;
}
