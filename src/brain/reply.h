/* reply.h: how a brain job speaks. Each sentence goes to the core as
 * RESPONSE_TEXT, then as TTS_AUDIO chunks, so the first sentence plays while
 * later ones are still being produced; reply_end() sends TTS_END.
 *
 * A reply belongs to one request id. Once the request is canceled (an
 * INTERRUPT, a newer request, shutdown), every call returns WZ_CANCELED
 * and sends nothing more, so nothing of an abandoned reply reaches the user.
 * Used from the brain's job thread only. */
#ifndef WZ_REPLY_H
#define WZ_REPLY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "ipc/ipcq.h"

typedef struct reply reply;

/* Synthesises text and sends its audio as TTS_AUDIO for r (see speech.c). */
typedef int (*reply_speak_fn)(void *ctx, reply *r, const char *text);

struct reply {
    ipcq *to_core;
    reply_speak_fn speak;     /* NULL: text only */
    void *speak_ctx;
    uint64_t req_id;
    uint16_t flags;           /* MSG_F_ANNOUNCE for announcements */
    _Atomic bool *cancel;     /* set when this request is abandoned */
    int spoken;               /* sentences fully handed to the core */
};

bool reply_canceled(const reply *r);
/* Sends one sentence (text + audio). Returns WZ_OK, WZ_CANCELED, or an IPC/TTS error. */
int reply_sentence(reply *r, const char *text);
/* Ends the reply: TTS_END with flags (MSG_F_EXPECTS_REPLY, MSG_F_ERROR). */
int reply_end(reply *r, uint16_t flags);
/* Reports an error: ERROR message (the core emits the `error` event). */
void reply_error(reply *r, const char *component, const char *message);

#endif
