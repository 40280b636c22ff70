/* ipcq.h: bounded message queue between core and brain.
 *
 * A queue holds at most `capacity` messages of at most `max_bytes` bytes
 * each. Messages are opaque byte strings (see msg.h for the format); a send
 * copies the bytes in, a receive copies them out, so no pointer ever crosses
 * a process boundary.
 *
 * Two backings share one ring implementation:
 *   ipcq_create_shared()  mmap(MAP_SHARED) memory, a robust process-shared
 *                         mutex and futex wake-ups on shared words. Create it
 *                         before fork(); children inherit the mapping, so a
 *                         restarted worker reattaches to the same queue.
 *   ipcq_create_local()   heap memory and process-private futexes, for
 *                         --single-process (threads).
 * docs/architecture.md gives the benchmark that chose this over sockets.
 *
 * Thread safety: any number of senders and receivers may use a queue at
 * once, from any thread or process that holds it. A process that dies while
 * holding the lock is recovered (robust mutex). None of these functions is
 * for the audio callback: they may take a lock. */
#ifndef WZ_IPCQ_H
#define WZ_IPCQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/wz.h"

typedef struct ipcq ipcq;

typedef struct {
    uint64_t sent, received;
    uint64_t rejected_full;    /* try-sends refused because the queue was full */
    uint64_t rejected_toobig;  /* sends refused for size */
} ipcq_stats;

/* Creates a queue. Returns WZ_OK, WZ_INVAL (capacity < 1 or max_bytes < 16)
 * or WZ_NOMEM. Release with ipcq_destroy(). */
int ipcq_create_shared(ipcq **out, size_t capacity, size_t max_bytes) WZ_MUST_CHECK;
int ipcq_create_local(ipcq **out, size_t capacity, size_t max_bytes) WZ_MUST_CHECK;
/* Unmaps/frees. The caller guarantees nobody in this process still uses q. */
void ipcq_destroy(ipcq *q);

/* Sends len bytes, waiting up to timeout_ms for room (-1: forever, 0: do
 * not wait). Returns WZ_OK, WZ_TOOBIG (len > max_bytes; never truncated),
 * WZ_TIMEDOUT, or WZ_CLOSED. */
int ipcq_send(ipcq *q, const void *data, size_t len, int timeout_ms) WZ_MUST_CHECK;
/* Non-blocking send that leaves `reserve` slots free for others: fails with
 * WZ_FULL unless more than `reserve` slots are free. Never waits. */
int ipcq_try_send(ipcq *q, const void *data, size_t len, size_t reserve) WZ_MUST_CHECK;

/* Receives one message into buf (cap bytes), waiting up to timeout_ms (-1:
 * forever, 0: do not wait). *len gets its size. Returns WZ_OK, WZ_TIMEDOUT,
 * WZ_CLOSED (closed and empty) or WZ_TOOBIG (buf too small: the message is
 * dropped and counted, never truncated). */
int ipcq_recv(ipcq *q, void *buf, size_t cap, size_t *len, int timeout_ms) WZ_MUST_CHECK;

/* Marks the queue closed: senders get WZ_CLOSED at once, receivers drain
 * what is left and then get WZ_CLOSED. Wakes every waiter. */
void ipcq_close(ipcq *q);
/* Reopens a closed queue and drops its contents (used before a restarted
 * worker attaches). Returns the number of messages dropped. */
size_t ipcq_reset(ipcq *q);
bool ipcq_is_closed(const ipcq *q);

size_t ipcq_capacity(const ipcq *q);
size_t ipcq_depth(ipcq *q);
size_t ipcq_max_bytes(const ipcq *q);
void ipcq_get_stats(ipcq *q, ipcq_stats *out);

#endif
