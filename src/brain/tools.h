/* tools.h: the tool registry. Every tool has a name, a one-line description,
 * a JSON Schema for its arguments (validated before any handler runs, and
 * sent to the LLM), a handler returning a JSON result plus a short spoken
 * reply, and a risk level. Tools live in src/tools/, one file each, and are
 * listed once in the registry table in tools.c.
 *
 * Timers and remembered facts are owned here and persisted atomically
 * (temp file, fsync, rename) under paths.state_dir / paths.memory_dir.
 *
 * Thread safety: a tools object is used by one thread (the brain loop).
 * Handlers may block up to their network/process timeouts (weather: 8 s,
 * volume: 3 s, media: 2 s). Nothing here is for the audio thread. */
#ifndef WZ_TOOLS_H
#define WZ_TOOLS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/config.h"
#include "common/wz.h"

#define TOOLS_SPOKEN_MAX 512
#define TOOLS_ERROR_MAX 256

typedef enum {
    TOOL_RISK_SAFE = 0,    /* runs at once */
    TOOL_RISK_CONFIRM = 1, /* the brain asks "Are you sure?" first (forget) */
} tool_risk;

typedef struct tool_result {
    json_t *result;                 /* owned; JSON object for the LLM ("content"); never NULL after tools_call */
    char spoken[TOOLS_SPOKEN_MAX];  /* short reply for TTS; always set after tools_call */
    bool ok;                        /* the tool did what was asked */
    char error[TOOLS_ERROR_MAX];    /* "" when ok; else the cause (unknown tool, invalid args, HTTP 500...) */
} tool_result;

typedef struct tools tools;

/* Wall clock in Unix milliseconds; tests inject their own. */
typedef int64_t (*tools_clock_fn)(void *ctx);

/* Creates the registry: loads data_dir/replies.ini, compiles every schema,
 * loads timers and facts (a corrupt file is moved aside with a warning, never
 * an error). cfg is copied. Returns WZ_OK or an error with err set. */
int tools_create(tools **out, const wz_config *cfg, const char *data_dir, char *err, size_t errlen) WZ_MUST_CHECK;
void tools_destroy(tools *t);

/* Replaces the wall clock (default CLOCK_REALTIME). For tests; call right
 * after tools_create (loaded timers are re-judged against the new clock). */
void tools_set_clock(tools *t, tools_clock_fn fn, void *ctx);

size_t tools_count(const tools *t);
const char *tools_name(const tools *t, size_t i);
/* Risk of a tool; TOOL_RISK_SAFE for unknown names (tools_call rejects them). */
tool_risk tools_risk(const tools *t, const char *name);

/* [{"type":"function","function":{name,description,parameters}}...] for the
 * LLM request. New reference; caller json_decref()s. NULL on allocation failure. */
json_t *tools_llm_schema(const tools *t);

/* Validates args (borrowed; NULL means {}) against the tool's schema, then
 * runs the handler. Always fills *out (clear it with tool_result_clear).
 * Returns WZ_OK when the handler ran (out->ok may still be false, e.g. the
 * weather server is down), WZ_NOTFOUND for an unknown tool, WZ_INVAL for
 * invalid arguments (out->error says why, out->spoken is a short apology). */
int tools_call(tools *t, const char *name, json_t *args, tool_result *out);
void tool_result_clear(tool_result *r);

/* Renders a reply template from replies.ini ("general.not_understood",
 * "general.confirm", ...) for the brain's own sentences. vars borrowed. */
int tools_say(const tools *t, const char *key, const json_t *vars, char *out, size_t cap);

/* Remembered facts for the LLM's context: up to max borrowed strings
 * (valid until the next tools_call). Returns the count. */
size_t tools_facts(const tools *t, const char **out, size_t max);

/* Milliseconds until the next timer is due (0 if one is due now), or -1 when
 * no timer runs. Use it as the brain loop's wait timeout. */
int64_t tools_next_deadline_ms(tools *t);

/* Pops one due timer: writes its announcement ("Your 5 minute timer is
 * done.") into out and returns true; false when none is due. Timers that
 * expired while Wyzer was down are due at once after tools_create. Call in a
 * loop until false. The timer file is saved after each pop. */
bool tools_poll_due(tools *t, char *out, size_t cap);

#endif
