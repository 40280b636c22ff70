/* router.h: the fast path. Text -> ordered tool calls from the intent
 * templates, a control phrase, or nothing (the request goes to the LLM).
 *
 * "pause the music and set a timer for five minutes" gives two calls in
 * order: the text is split at "and" / "then" / commas only where every part
 * is a complete command, and a whole-sentence match always wins (so "two
 * minutes and thirty seconds" stays one duration). Only complete template
 * matches count; anything else is ROUTER_NONE.
 *
 * A router is read-only after router_create(): router_route() is thread-safe
 * on a shared router. Not for the audio thread (allocates the args). */
#ifndef WZ_ROUTER_H
#define WZ_ROUTER_H

#include <jansson.h>
#include <stdbool.h>

#include "brain/intents.h"
#include "common/wz.h"

#define ROUTER_CALLS_MAX 4 /* requests chained in one sentence */

typedef enum {
    ROUTER_NONE = 0, /* not a command: hand the text to the LLM */
    ROUTER_TOOLS,    /* calls[0..ncalls) to run in order */
    ROUTER_CONTROL,  /* a control phrase: control holds its action */
} router_kind;

typedef struct router_call {
    const char *intent; /* intent name (owned by the router) */
    const char *tool;   /* tool name (owned by the router) */
    json_t *args;       /* owned by the result; freed by router_result_clear() */
    double confidence;  /* 0..1, see intents_match */
} router_call;

typedef struct router_result {
    router_kind kind;
    size_t ncalls;
    router_call calls[ROUTER_CALLS_MAX];
    /* ROUTER_CONTROL: "stop", "cancel", "yes" or "no" (the @arg action of
     * the control intent); "" otherwise. */
    char control[32];
} router_result;

typedef struct router router;

/* Loads the templates from intents_dir (data/intents). On error returns a
 * wz_err with the reason in err, and *out stays NULL. */
int router_create(router **out, const char *intents_dir, char *err, size_t errlen) WZ_MUST_CHECK;
void router_destroy(router *r);

/* Routes one utterance. Always fills *res (kind NONE on no match); returns
 * WZ_TOOBIG for text over INTENTS_TEXT_MAX bytes (res is NONE), else WZ_OK.
 * Call router_result_clear() afterwards. */
int router_route(const router *r, const char *text, router_result *res);
void router_result_clear(router_result *res);

/* Whether text, read as one command, could go on and mean something else
 * ("what's the weather" ... "in paris"); see intents_extendable(). False for
 * text that is not one command. */
bool router_extendable(const router *r, const char *text);

/* The templates, e.g. for intents_to_jsgf(). Owned by the router. */
const intents *router_intents(const router *r);

#endif
