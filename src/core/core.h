/* core.h: the core worker: microphone, VAD, wake word, state machine,
 * playback and barge-in. Entry point core_run() is declared in ipc/link.h.
 *
 * The core is the real-time side: it never blocks on the brain. It sends
 * audio with ipcq_try_send() under the policy in docs/protocol.md and polls
 * brain_to_core without waiting while audio runs. */
#ifndef WZ_CORE_H
#define WZ_CORE_H

#include "ipc/link.h"

/* Longest reply text the core keeps for the `response` event and stdout. */
#define CORE_REPLY_MAX 16384
/* Longest line accepted from stdin with --text -. */
#define CORE_STDIN_LINE_MAX 4096

#endif
