/* convo.h: one LLM conversation turn for the brain: builds the context
 * (system prompt file, remembered facts, the last N turns, the user text),
 * streams the reply through the sentence splitter, runs tool calls through
 * a caller-supplied callback for at most max_tool_steps rounds, and keeps a
 * history of what was actually spoken.
 *
 * History rules:
 *   - a finished turn stores the user text and every delivered sentence;
 *   - a canceled turn stores only the sentences delivered before the cancel
 *     flag was seen; convo_mark_spoken() trims further when playback of
 *     delivered sentences was cut short;
 *   - a failed turn (timeout, HTTP error, bad tool call, ...) stores nothing.
 * Tool-call rounds are not kept in history, only the spoken reply.
 *
 * Threading: convo_run() and every other function run on one thread (the
 * brain's); the callbacks are called on that thread, from inside
 * convo_run(). convo_cancel() alone may be called from any thread. Not for
 * the audio thread. */
#ifndef WZ_CONVO_H
#define WZ_CONVO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "brain/llm.h"

struct wz_config;

/* The system prompt file is read whole; prompts are a few hundred bytes. */
#define CONVO_MAX_PROMPT_BYTES (16 * 1024)
/* Hard cap on stored turns whatever llm.history_turns says (its max). */
#define CONVO_MAX_TURNS 100
/* A tool result is sent back to the model as at most this much JSON. */
#define CONVO_MAX_TOOL_RESULT_BYTES (16 * 1024)

/* Runs one tool. args is borrowed (a JSON object). On success returns 0 and
 * sets *result_out to a new JSON value (convo takes ownership). On failure
 * returns a negative wz_err and may set *error_out to a malloc'd message
 * (convo frees it): WZ_INVAL = arguments fail the tool's schema,
 * WZ_NOTFOUND/WZ_UNSUPP = no such tool, anything else = the tool failed.
 * A tool that ran but could not do its job (weather offline, ...) should
 * rather return 0 with a result like {"error": "..."} so the model can say
 * so; a nonzero return fails the whole turn. */
typedef int (*convo_exec_fn)(void *ctx, const char *name, json_t *args, json_t **result_out,
                             char **error_out);
/* One complete sentence to speak (valid during the call). */
typedef void (*convo_sentence_fn)(void *ctx, const char *sentence);
/* Before a tool runs (args borrowed). */
typedef void (*convo_tool_call_fn)(void *ctx, const char *name, const json_t *args);
/* After it ran: rc as returned by exec, result (NULL on failure) and error
 * (NULL on success) borrowed. */
typedef void (*convo_tool_result_fn)(void *ctx, const char *name, int rc, const json_t *result,
                                     const char *error);

typedef struct convo_config {
    llm_config llm;
    int max_tool_steps;           /* llm.max_tool_steps */
    int history_turns;            /* llm.history_turns */
    char system_prompt_file[640]; /* "" = no system prompt */
} convo_config;

/* Defaults; the prompt file is WZ_SOURCE_DATA_DIR/system_prompt.txt. */
void convo_config_init(convo_config *c);
/* From the app config. The prompt is cfg->llm_system_prompt_file, or
 * data_dir/system_prompt.txt when that is empty (data_dir NULL or "":
 * the source tree's data/). Never fails. */
void convo_config_from_wz(convo_config *c, const struct wz_config *cfg, const char *data_dir);

typedef struct convo convo;

/* Creates the conversation and its LLM client; reads the prompt file.
 * Errors: WZ_CONFIG (unknown backend, e.g. "none"), WZ_IO (prompt file
 * unreadable), WZ_TOOBIG (prompt over CONVO_MAX_PROMPT_BYTES), WZ_NOMEM.
 * Each is logged with the cause. */
int convo_new(const convo_config *c, convo **out) WZ_MUST_CHECK;
void convo_free(convo *cv);

typedef struct convo_request {
    const char *user_text;
    const char *const *facts; /* remembered facts, may be NULL */
    size_t nfacts;
    json_t *tools;            /* borrowed: [{"type":"function","function":{...}}], may be NULL */
    convo_exec_fn exec;       /* required when tools is not empty */
    convo_sentence_fn on_sentence; /* required */
    convo_tool_call_fn on_tool_call;     /* optional */
    convo_tool_result_fn on_tool_result; /* optional */
    void *ctx;                /* passed to every callback */
} convo_request;

typedef struct convo_result {
    int rc;            /* as returned by convo_run */
    llm_error err;     /* kind + message naming the URL and cause when rc != 0 */
    size_t sentences;  /* sentences delivered to on_sentence */
    int tool_steps;    /* tool-call rounds run */
} convo_result;

/* Runs one request to the end, to a failure, or to a cancel. Clears the
 * cancel flag first: a convo_cancel() that lands before this call starts is
 * ignored. Returns WZ_OK, WZ_CANCELED, or the failure's wz_err (see
 * llm_failure in llm.h); res is always filled. After the flag is seen no
 * further sentence is delivered. */
int convo_run(convo *cv, const convo_request *rq, convo_result *res);

/* Any thread, including from inside a callback: aborts the running
 * convo_run() at once (see llm_cancel). Not after convo_free(). */
void convo_cancel(convo *cv);

/* After a run: only the first n delivered sentences were actually heard
 * (playback was interrupted). Trims the reply stored by the last
 * convo_run(); does nothing if that run failed (it stored nothing) or if
 * history changed since. n larger than what is stored changes nothing. */
void convo_mark_spoken(convo *cv, size_t n);

/* Adds a turn answered elsewhere (the router's fast path), so the model
 * sees it as context. WZ_NOMEM on allocation failure (history unchanged). */
int convo_add_turn(convo *cv, const char *user, const char *assistant) WZ_MUST_CHECK;

/* History inspection (oldest first) and reset. Strings owned by convo,
 * valid until the next call that changes history. */
size_t convo_history_len(const convo *cv);
const char *convo_history_user(const convo *cv, size_t i);
/* The stored reply of turn i, sentences joined by single spaces (caller frees). */
char *convo_history_reply(const convo *cv, size_t i);
void convo_history_clear(convo *cv);

/* The messages array convo_run would send first (new reference), for tests. */
json_t *convo_build_messages(convo *cv, const char *user_text, const char *const *facts,
                             size_t nfacts);

llm_client *convo_llm(convo *cv);

#endif
