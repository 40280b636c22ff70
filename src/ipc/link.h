/* link.h: what a worker (core or brain) is handed by main: the two queues,
 * the shared liveness block and the run options.
 *
 * The liveness block lives in shared memory (or plain memory with
 * --single-process). Each worker calls link_beat() from its main loop at
 * least once per heartbeat interval; main's watchdog kills a worker whose
 * beat is older than heartbeat_ms * heartbeat_misses while it is alive. */
#ifndef WZ_LINK_H
#define WZ_LINK_H

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/config.h"
#include "app/opts.h"
#include "ipc/ipcq.h"

typedef enum { ROLE_CORE = 0, ROLE_BRAIN = 1, ROLE_COUNT } wz_role;

typedef struct {
    _Atomic int64_t beat_ns;     /* monotonic time of the last beat */
    _Atomic int32_t pid;
    _Atomic uint32_t generation; /* 0 for the first start, +1 per restart */
    _Atomic int started;         /* the worker finished loading (link_started) */
} link_slot;

/* Loading models takes seconds (PocketSphinx ~1 s per decoder, more on a
 * busy machine), during which a worker cannot beat; until it calls
 * link_started() the watchdog allows this long instead. */
#define LINK_STARTUP_GRACE_MS 60000

typedef struct {
    link_slot slot[ROLE_COUNT];
    _Atomic int stop;            /* set by main (threads) or a signal handler */
} link_shared;

typedef struct {
    const wz_config *cfg;
    const wz_opts *opts;
    ipcq *to_brain;    /* core_to_brain */
    ipcq *to_core;     /* brain_to_core */
    link_shared *shared;
    wz_role role;
    bool threaded;     /* --single-process */
} wz_link;

const char *link_role_name(wz_role r); /* "core" / "brain" */

static inline void link_beat(const wz_link *l)
{
    atomic_store(&l->shared->slot[l->role].beat_ns, wz_now_ns());
}

static inline void link_started(const wz_link *l)
{
    link_beat(l);
    atomic_store(&l->shared->slot[l->role].started, 1);
}

/* Set by a worker process's SIGTERM handler. */
extern volatile sig_atomic_t link_term_requested;

static inline bool link_should_stop(const wz_link *l)
{
    return link_term_requested || atomic_load(&l->shared->stop) != 0;
}

/* Worker entry points; they return an exit code (WZ_EXIT_*). */
int core_run(const wz_link *l);
int brain_run(const wz_link *l);

#endif
