/* orch.h: the orchestrator: one user request in, a spoken reply out.
 * Router first (deterministic tools), then the LLM with the same tools, then
 * a clear sentence when neither can help. It owns the router, the tool
 * registry (timers, facts), the TTS engine and the LLM conversation.
 *
 * Thread safety: everything except orch_cancel() runs on the brain's job
 * thread. orch_cancel() may be called from any thread. */
#ifndef WZ_ORCH_H
#define WZ_ORCH_H

#include "app/config.h"
#include "brain/reply.h"

typedef struct orch orch;

/* On failure err names the component, the reason and the config key to
 * fix; the brain then exits 2. */
int orch_create(orch **out, const wz_config *cfg, char *err, size_t errlen) WZ_MUST_CHECK;
void orch_destroy(orch *o);

/* Handles one request. Everything it says goes through r; it ends the reply
 * (reply_end) unless the request was canceled. */
void orch_handle(orch *o, reply *r, const char *text);

/* Speaks a reply template by key (data/replies.ini, e.g. "brain.restarted")
 * and ends the reply with end_flags. */
void orch_say(orch *o, reply *r, const char *key, uint16_t end_flags);
/* Speaks one given sentence and ends the reply with end_flags. */
void orch_say_text(orch *o, reply *r, const char *text, uint16_t end_flags);

/* Cancels the request in flight (LLM stream, synthesis) at once. Any thread. */
void orch_cancel(orch *o);

/* The command grammar (JSGF) from the router's templates; caller frees. */
char *orch_grammar(const orch *o);

/* How many commands the router reads in this text: 0 (none: LLM), 1 for a
 * control phrase, else the number of chained tool calls. */
size_t orch_command_count(const orch *o, const char *text);

/* Whether more words could change the one command text makes
 * (router_extendable). */
bool orch_extendable(const orch *o, const char *text);

/* Timers: ms until the next is due (-1: none); pops one due announcement. */
int64_t orch_next_timer_ms(orch *o);
bool orch_poll_timer(orch *o, char *out, size_t cap);

#endif
