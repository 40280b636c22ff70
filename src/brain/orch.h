/* orch.h: the orchestrator: one user request in, a spoken reply out.
 * Router first (deterministic tools), then the LLM, then a clear sentence
 * when neither can help. Runs on the brain's job thread. */
#ifndef WZ_ORCH_H
#define WZ_ORCH_H

#include "app/config.h"
#include "brain/reply.h"

typedef struct orch orch;

/* On failure err names the component and the config key to fix. */
int orch_create(orch **out, const wz_config *cfg, char *err, size_t errlen) WZ_MUST_CHECK;
void orch_destroy(orch *o);

/* Handles one request. Everything it says goes through r; it ends the reply
 * (reply_end) unless the request was canceled. */
void orch_handle(orch *o, reply *r, const char *text);

/* Cancels the request in flight (LLM stream) at once. Any thread. */
void orch_cancel(orch *o);

/* Speaks a canned line by key (e.g. "brain_restarted") for SAY. */
void orch_say(orch *o, reply *r, const char *key);

#endif
