/* orch.c: request handling. Until the router and LLM land this answers with
 * an echo of the request, labelled as an echo. */
#include "brain/orch.h"
#include "common/ev.h"
#include "common/log.h"
#include "ipc/msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct orch {
    const wz_config *cfg;
};

int orch_create(orch **out, const wz_config *cfg, char *err, size_t errlen)
{
    orch *o = calloc(1, sizeof *o);
    if (!o) {
        snprintf(err, errlen, "out of memory");
        return WZ_NOMEM;
    }
    o->cfg = cfg;
    *out = o;
    return WZ_OK;
}

void orch_destroy(orch *o) { free(o); }

void orch_handle(orch *o, reply *r, const char *text)
{
    (void)o;
    char line[1024];
    snprintf(line, sizeof line, "Echo: %s", text);
    if (reply_sentence(r, line) == WZ_OK)
        (void)reply_end(r, 0);
}

void orch_say(orch *o, reply *r, const char *key)
{
    (void)o;
    const char *text = strcmp(key, "brain_restarted") == 0
                           ? "Sorry, I had a problem and restarted. Please say that again."
                           : "Sorry.";
    if (reply_sentence(r, text) == WZ_OK)
        (void)reply_end(r, 0);
}
