/* supervisor.h: main's job: create the queues, start core and brain (as
 * processes, or as threads with --single-process), restart them when they
 * crash or hang, and shut everything down in order.
 *
 * Restart policy: the first restart of a worker comes at once (well within
 * 1 s); each further crash doubles the delay from 250 ms up to
 * supervisor.restart_backoff_max_ms. More than supervisor.max_restarts
 * crashes of one worker within supervisor.restart_window_s make main give up
 * with exit code WZ_EXIT_GAVE_UP.
 *
 * Shutdown order: SHUTDOWN to core, which stops capture and passes SHUTDOWN
 * to brain; main waits for both (SIGKILL after 1.5 s) and exits 0. A second
 * SIGINT kills both workers and exits 130 at once. */
#ifndef WZ_SUPERVISOR_H
#define WZ_SUPERVISOR_H

#include "app/config.h"
#include "app/opts.h"

#define WZ_EXIT_GAVE_UP 3

/* Runs until the session ends. Returns the process exit code. */
int supervisor_run(const wz_config *cfg, const wz_opts *opts);
/* --single-process: the same workers as threads over local queues. */
int supervisor_run_threads(const wz_config *cfg, const wz_opts *opts);

#endif
