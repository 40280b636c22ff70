/* threads.c: --single-process: core and brain as threads of one process,
 * over heap-backed queues with the same API. Behaviour matches the process
 * mode except isolation: a crash takes everything down and nothing can be
 * restarted, so a hung worker is only reported. Meant for gdb. */
#include "app/supervisor.h"
#include "common/ev.h"
#include "common/log.h"
#include "ipc/link.h"
#include "ipc/msg.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

typedef struct {
    wz_link link;
    pthread_t thread;
    _Atomic bool done;
    int exit_code;
} worker_thread;

static void *thread_main(void *arg)
{
    worker_thread *t = arg;
    log_set_role(link_role_name(t->link.role));
    t->exit_code = t->link.role == ROLE_CORE ? core_run(&t->link) : brain_run(&t->link);
    atomic_store(&t->done, true);
    return NULL;
}

static bool send_stop(ipcq *q)
{
    return msg_send(q, MSG_SHUTDOWN, 0, 0, NULL, 0, 100) == WZ_OK;
}

int supervisor_run_threads(const wz_config *cfg, const wz_opts *opts)
{
    link_shared shared;
    memset(&shared, 0, sizeof shared);
    ipcq *to_brain = NULL, *to_core = NULL;
    if (ipcq_create_local(&to_brain, (size_t)cfg->ipc_queue_capacity, (size_t)cfg->ipc_max_message_bytes) != WZ_OK ||
        ipcq_create_local(&to_core, (size_t)cfg->ipc_queue_capacity, (size_t)cfg->ipc_max_message_bytes) != WZ_OK) {
        log_error("cannot create the IPC queues");
        ipcq_destroy(to_brain);
        ipcq_destroy(to_core);
        return WZ_EXIT_CRASH;
    }
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &mask, NULL); /* inherited by both threads */
    signal(SIGPIPE, SIG_IGN);
    int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);

    worker_thread w[ROLE_COUNT];
    memset(w, 0, sizeof w);
    for (int r = 0; r < ROLE_COUNT; r++) {
        w[r].link = (wz_link){ .cfg = cfg, .opts = opts, .to_brain = to_brain, .to_core = to_core,
                               .shared = &shared, .role = (wz_role)r, .threaded = true };
        atomic_store(&shared.slot[r].beat_ns, wz_now_ns());
        atomic_store(&shared.slot[r].pid, getpid());
        pthread_create(&w[r].thread, NULL, thread_main, &w[r]);
    }

    int exit_code = WZ_EXIT_OK, sigints = 0;
    int64_t deadline = 0;
    bool stopping = false;
    bool reported[ROLE_COUNT] = { false, false }; /* one log line per hang */
    int64_t hung_limit = cfg->supervisor_heartbeat_ms * cfg->supervisor_heartbeat_misses * 1000000LL;
    while (!atomic_load(&w[ROLE_CORE].done) || !atomic_load(&w[ROLE_BRAIN].done)) {
        struct pollfd p = { .fd = sfd, .events = POLLIN };
        if (poll(&p, 1, 50) > 0) {
            struct signalfd_siginfo si;
            if (read(sfd, &si, sizeof si) == sizeof si) {
                if (si.ssi_signo == SIGINT && ++sigints >= 2) {
                    log_warn("second interrupt: stopping at once");
                    _exit(130);
                }
                if (!stopping) {
                    stopping = true;
                    deadline = wz_now_ms() + 1500;
                    ev_emitf("shutdown", "{s:s}", "reason", si.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM");
                    if (!send_stop(to_core))
                        atomic_store(&shared.stop, 1);
                }
            }
        }
        if (atomic_load(&w[ROLE_CORE].done) && !stopping) {
            /* The core finished its run (or failed to start): stop the brain. */
            stopping = true;
            deadline = wz_now_ms() + 1500;
            exit_code = w[ROLE_CORE].exit_code;
            if (!send_stop(to_brain))
                atomic_store(&shared.stop, 1);
        }
        if (atomic_load(&w[ROLE_BRAIN].done) && !atomic_load(&w[ROLE_CORE].done) &&
            w[ROLE_BRAIN].exit_code == WZ_EXIT_USAGE && !stopping) {
            stopping = true;
            deadline = wz_now_ms() + 1500;
            exit_code = WZ_EXIT_USAGE;
            atomic_store(&shared.stop, 1);
        }
        if (stopping && wz_now_ms() > deadline)
            atomic_store(&shared.stop, 1);
        if (stopping && wz_now_ms() > deadline + 1000) {
            log_error("workers did not stop in time; exiting");
            _exit(exit_code ? exit_code : WZ_EXIT_CRASH);
        }
        for (int r = 0; r < ROLE_COUNT && !stopping; r++) {
            int64_t age = wz_now_ns() - atomic_load(&shared.slot[r].beat_ns);
            bool started = atomic_load(&shared.slot[r].started) != 0;
            bool hung = !atomic_load(&w[r].done) && age > (started ? hung_limit : LINK_STARTUP_GRACE_MS * 1000000LL);
            if (hung && !reported[r])
                log_error("%s thread has not answered for %lld ms (cannot restart threads; "
                          "use the process mode for supervision)",
                          link_role_name((wz_role)r), (long long)(age / 1000000));
            reported[r] = hung;
        }
    }
    for (int r = 0; r < ROLE_COUNT; r++)
        pthread_join(w[r].thread, NULL);
    if (w[ROLE_BRAIN].exit_code == WZ_EXIT_USAGE)
        exit_code = WZ_EXIT_USAGE;
    close(sfd);
    ipcq_destroy(to_brain);
    ipcq_destroy(to_core);
    return exit_code;
}
