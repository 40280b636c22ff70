/* reply.c: sentence-at-a-time replies from the brain to the core. */
#include "brain/reply.h"
#include "common/log.h"
#include "ipc/msg.h"

#include <string.h>

/* The brain may wait for room in brain_to_core (it is not real time), but
 * never forever: a core that stopped reading is handled by the supervisor. */
#define REPLY_SEND_TIMEOUT_MS 2000

bool reply_canceled(const reply *r)
{
    return r->cancel && atomic_load(r->cancel);
}

int reply_sentence(reply *r, const char *text)
{
    if (reply_canceled(r))
        return WZ_CANCELED;
    /* An announcement's text travels as ANNOUNCE, a reply's as RESPONSE_TEXT. */
    int type = (r->flags & MSG_F_ANNOUNCE) ? MSG_ANNOUNCE : MSG_RESPONSE_TEXT;
    int rc = msg_send_text(r->to_core, type, r->flags, r->req_id, text, REPLY_SEND_TIMEOUT_MS);
    if (rc != WZ_OK)
        return rc;
    if (r->speak) {
        rc = r->speak(r->speak_ctx, r, text);
        if (rc != WZ_OK)
            return rc;
    }
    r->spoken++;
    return WZ_OK;
}

int reply_end(reply *r, uint16_t flags)
{
    if (reply_canceled(r))
        return WZ_CANCELED;
    return msg_send(r->to_core, MSG_TTS_END, (uint16_t)(r->flags | flags), r->req_id, NULL, 0,
                    REPLY_SEND_TIMEOUT_MS);
}

void reply_error(reply *r, const char *component, const char *message)
{
    log_error("%s: %s", component, message);
    int rc = msg_send_text2(r->to_core, MSG_ERROR, 0, r->req_id, component, message,
                            REPLY_SEND_TIMEOUT_MS);
    if (rc != WZ_OK)
        log_warn("error report not delivered to core: %s", wz_strerror(rc));
}
