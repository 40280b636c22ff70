/* supervisor.c: process supervision for core and brain. */
#include "app/supervisor.h"
#include "common/ev.h"
#include "common/log.h"
#include "ipc/link.h"
#include "ipc/msg.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#define SHUTDOWN_GRACE_MS 1500   /* then SIGKILL; the whole shutdown stays under 2 s */
#define BACKOFF_FIRST_MS 250

typedef struct {
    wz_role role;
    pid_t pid;                 /* 0 when not running */
    uint32_t generation;
    int64_t restart_at_ms;     /* pending restart time, 0 if none */
    int backoff_ms;            /* delay before the next restart after this one */
    int64_t crash_times[64];   /* ring of recent crash times (ms) for the window check */
    int ncrash;
    bool finished;             /* exited on purpose; never restarted */
} worker;

typedef struct {
    const wz_config *cfg;
    const wz_opts *opts;
    link_shared *shared;
    ipcq *to_brain, *to_core;
    worker w[ROLE_COUNT];
    pid_t main_pid;
    int sfd;
    bool shutting_down;
    int64_t shutdown_deadline_ms;
    int exit_code;
} sup;

/* Main's events go through the core while it runs, so one process writes
 * stdout and events keep their order; with the core down, main writes. */
static void main_event_sink(const char *line, size_t len, void *ctx)
{
    sup *s = ctx;
    if (s->w[ROLE_CORE].pid > 0 && msg_send_event(s->to_core, line, len, 200) == WZ_OK)
        return;
    ev_set_sink(NULL, NULL);
    ev_write_line(line, len);
    ev_set_sink(main_event_sink, s);
}

static void child_sigterm(int sig)
{
    (void)sig;
    link_term_requested = 1;
}

static void become_worker(sup *s, wz_role role)
{
    /* No orphans: die with main, and close the race where main died
     * before the death signal was armed. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != s->main_pid)
        _exit(WZ_EXIT_CRASH);
    prctl(PR_SET_NAME, role == ROLE_CORE ? "wyzer-core" : "wyzer-brain");
    log_set_role(link_role_name(role));
    close(s->sfd);

    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_UNBLOCK, &all, NULL);
    signal(SIGINT, SIG_IGN); /* Ctrl-C reaches the whole group; main coordinates */
    signal(SIGPIPE, SIG_IGN);
    signal(SIGCHLD, SIG_DFL);
    struct sigaction sa = { .sa_handler = child_sigterm };
    sigaction(SIGTERM, &sa, NULL);

    if (role == ROLE_BRAIN)
        dup2(STDERR_FILENO, STDOUT_FILENO); /* stdout is the core's event stream */
    ev_set_sink(NULL, NULL);

    wz_link l = { .cfg = s->cfg, .opts = s->opts, .to_brain = s->to_brain, .to_core = s->to_core,
                  .shared = s->shared, .role = role, .threaded = false };
    int rc = role == ROLE_CORE ? core_run(&l) : brain_run(&l);
    fflush(NULL);
    _exit(rc);
}

static int spawn(sup *s, wz_role role)
{
    worker *w = &s->w[role];
    /* Start the watchdog clock now, so a slow start is not mistaken for a hang. */
    atomic_store(&s->shared->slot[role].beat_ns, wz_now_ns());
    atomic_store(&s->shared->slot[role].started, 0);
    atomic_store(&s->shared->slot[role].generation, w->generation);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        log_error("cannot start %s: %s", link_role_name(role), strerror(errno));
        return WZ_IO;
    }
    if (pid == 0)
        become_worker(s, role);
    w->pid = pid;
    atomic_store(&s->shared->slot[role].pid, pid);
    log_info("started %s (pid %d)", link_role_name(role), (int)pid);
    return WZ_OK;
}

static void describe_status(int st, char *buf, size_t cap)
{
    if (WIFEXITED(st))
        snprintf(buf, cap, "exit %d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        snprintf(buf, cap, "signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
    else
        snprintf(buf, cap, "status %d", st);
}

/* Sends SHUTDOWN to a worker, falling back to SIGTERM if its queue is
 * full or closed. */
static void tell_stop(sup *s, wz_role role)
{
    if (s->w[role].pid <= 0)
        return;
    ipcq *inbox = role == ROLE_CORE ? s->to_core : s->to_brain;
    if (msg_send(inbox, MSG_SHUTDOWN, 0, 0, NULL, 0, 100) != WZ_OK)
        kill(s->w[role].pid, SIGTERM);
}

/* signal: the signal that asked for it (emits a `shutdown` event), or NULL. */
static void begin_shutdown(sup *s, const char *why, const char *signal_name)
{
    if (s->shutting_down)
        return;
    s->shutting_down = true;
    s->shutdown_deadline_ms = wz_now_ms() + SHUTDOWN_GRACE_MS;
    log_info("shutting down (%s)", why);
    if (signal_name) /* queued ahead of SHUTDOWN, so the core writes it first */
        ev_emitf("shutdown", "{s:s}", "reason", signal_name);
    for (int r = 0; r < ROLE_COUNT; r++)
        s->w[r].restart_at_ms = 0;
    /* The core stops capture first and passes SHUTDOWN on to the brain. */
    if (s->w[ROLE_CORE].pid > 0)
        tell_stop(s, ROLE_CORE);
    else
        tell_stop(s, ROLE_BRAIN);
}

/* Records a crash; returns false when the worker crashed too often. */
static bool note_crash(sup *s, worker *w)
{
    int64_t now = wz_now_ms();
    int64_t window = s->cfg->supervisor_restart_window_s * 1000;
    w->crash_times[w->ncrash % 64] = now;
    w->ncrash++;
    int recent = 0;
    for (int i = 0; i < WZ_MIN(w->ncrash, 64); i++)
        if (now - w->crash_times[i] <= window)
            recent++;
    return recent <= s->cfg->supervisor_max_restarts;
}

static void on_exit_of(sup *s, worker *w, int st)
{
    char desc[96];
    describe_status(st, desc, sizeof desc);
    pid_t pid = w->pid;
    w->pid = 0;
    atomic_store(&s->shared->slot[w->role].pid, 0);
    const char *name = link_role_name(w->role);

    if (s->shutting_down) {
        bool killed = WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
        if (killed && !atomic_load(&s->shared->slot[w->role].started))
            log_info("%s (pid %d) was still loading and was stopped with SIGKILL", name, (int)pid);
        else if (killed)
            log_warn("%s (pid %d) did not stop within %d ms and was killed (SIGKILL)", name, (int)pid,
                     SHUTDOWN_GRACE_MS);
        else
            log_info("%s (pid %d) stopped: %s", name, (int)pid, desc);
        /* The core has stopped capture; make sure the brain hears it too. */
        if (w->role == ROLE_CORE)
            tell_stop(s, ROLE_BRAIN);
        return;
    }
    if (WIFEXITED(st) && WEXITSTATUS(st) == WZ_EXIT_USAGE) {
        log_error("%s cannot start (see the error above); not restarting", name);
        w->finished = true;
        s->exit_code = WZ_EXIT_USAGE;
        begin_shutdown(s, "a worker cannot start", NULL);
        return;
    }
    if (w->role == ROLE_CORE && WIFEXITED(st) &&
        (WEXITSTATUS(st) == WZ_EXIT_OK || WEXITSTATUS(st) == WZ_EXIT_FAILED)) {
        /* The core finished its run (--text or --input); end the session. */
        w->finished = true;
        s->exit_code = WEXITSTATUS(st);
        s->shutting_down = true;
        s->shutdown_deadline_ms = wz_now_ms() + SHUTDOWN_GRACE_MS;
        tell_stop(s, ROLE_BRAIN);
        return;
    }
    log_warn("%s (pid %d) died: %s", name, (int)pid, desc);
    ev_emitf("worker_exit", "{s:s, s:i, s:s}", "role", name, "pid", (int)pid, "status", desc);
    if (!note_crash(s, w)) {
        log_error("%s crashed more than %ld times in %ld s; giving up", name,
                  s->cfg->supervisor_max_restarts, s->cfg->supervisor_restart_window_s);
        ev_emitf("error", "{s:s, s:s}", "component", "supervisor", "message",
                 "a worker keeps crashing; wyzer gave up");
        s->exit_code = WZ_EXIT_GAVE_UP;
        begin_shutdown(s, "too many crashes", NULL);
        return;
    }
    int delay = w->backoff_ms;
    w->restart_at_ms = wz_now_ms() + delay;
    w->backoff_ms = (int)WZ_MIN((long)(w->backoff_ms ? w->backoff_ms * 2 : BACKOFF_FIRST_MS),
                                s->cfg->supervisor_restart_backoff_max_ms);
    log_info("restarting %s in %d ms", name, delay);
}

static void restart(sup *s, worker *w)
{
    w->restart_at_ms = 0;
    w->generation++;
    /* Messages queued for the dead worker belong to abandoned requests. */
    ipcq *inbox = w->role == ROLE_CORE ? s->to_core : s->to_brain;
    ipcq *peer_inbox = w->role == ROLE_CORE ? s->to_brain : s->to_core;
    size_t dropped = ipcq_reset(inbox);
    if (dropped)
        log_info("dropped %zu messages queued for the dead %s", dropped, link_role_name(w->role));
    if (spawn(s, w->role) != WZ_OK)
        return;
    if (msg_send_num_text(peer_inbox, MSG_PEER_RESTARTED, 0, 0, (uint32_t)w->pid, link_role_name(w->role),
                          200) != WZ_OK)
        log_warn("could not tell the peer that %s restarted", link_role_name(w->role));
    ev_emitf("worker_restart", "{s:s, s:i, s:i}", "role", link_role_name(w->role), "pid",
             (int)w->pid, "generation", (int)w->generation);
}

static void reap(sup *s)
{
    for (;;) {
        int st;
        pid_t pid = waitpid(-1, &st, WNOHANG);
        if (pid <= 0)
            return;
        for (int r = 0; r < ROLE_COUNT; r++)
            if (s->w[r].pid == pid)
                on_exit_of(s, &s->w[r], st);
    }
}

static void watchdog(sup *s)
{
    int64_t now = wz_now_ns();
    int64_t limit = s->cfg->supervisor_heartbeat_ms * s->cfg->supervisor_heartbeat_misses * 1000000LL;
    for (int r = 0; r < ROLE_COUNT; r++) {
        worker *w = &s->w[r];
        if (w->pid <= 0 || s->shutting_down)
            continue;
        int64_t age = now - atomic_load(&s->shared->slot[r].beat_ns);
        bool started = atomic_load(&s->shared->slot[r].started) != 0;
        if (age > (started ? limit : LINK_STARTUP_GRACE_MS * 1000000LL)) {
            log_error("%s (pid %d) has not answered for %lld ms; killing it", link_role_name(w->role),
                      (int)w->pid, (long long)(age / 1000000));
            kill(w->pid, SIGKILL); /* SIGCHLD follows; restarted like a crash */
        }
    }
}

static int next_timeout_ms(const sup *s)
{
    int64_t now = wz_now_ms();
    int64_t t = now + s->cfg->supervisor_heartbeat_ms;
    for (int r = 0; r < ROLE_COUNT; r++)
        if (s->w[r].restart_at_ms && s->w[r].restart_at_ms < t)
            t = s->w[r].restart_at_ms;
    if (s->shutting_down && s->shutdown_deadline_ms < t)
        t = s->shutdown_deadline_ms;
    return (int)WZ_MAX(t - now, 0);
}

static void kill_all(sup *s)
{
    for (int r = 0; r < ROLE_COUNT; r++)
        if (s->w[r].pid > 0)
            kill(s->w[r].pid, SIGKILL);
}

static int setup(sup *s, const wz_config *cfg, const wz_opts *opts)
{
    memset(s, 0, sizeof *s);
    s->cfg = cfg;
    s->opts = opts;
    s->main_pid = getpid();
    s->w[ROLE_CORE].role = ROLE_CORE;
    s->w[ROLE_BRAIN].role = ROLE_BRAIN;
    s->shared = mmap(NULL, sizeof *s->shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (s->shared == MAP_FAILED)
        return WZ_NOMEM;
    int rc = ipcq_create_shared(&s->to_brain, (size_t)cfg->ipc_queue_capacity, (size_t)cfg->ipc_max_message_bytes);
    if (rc == WZ_OK)
        rc = ipcq_create_shared(&s->to_core, (size_t)cfg->ipc_queue_capacity, (size_t)cfg->ipc_max_message_bytes);
    return rc;
}

static void teardown(sup *s)
{
    ipcq_destroy(s->to_brain);
    ipcq_destroy(s->to_core);
    if (s->shared && s->shared != MAP_FAILED)
        munmap(s->shared, sizeof *s->shared);
}

int supervisor_run(const wz_config *cfg, const wz_opts *opts)
{
    sup s;
    if (setup(&s, cfg, opts) != WZ_OK) {
        log_error("cannot create the IPC queues (capacity %ld, %ld bytes each)", cfg->ipc_queue_capacity,
                  cfg->ipc_max_message_bytes);
        teardown(&s);
        return WZ_EXIT_CRASH;
    }
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGCHLD);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    signal(SIGPIPE, SIG_IGN);
    s.sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    ev_set_sink(main_event_sink, &s);

    if (spawn(&s, ROLE_CORE) != WZ_OK || spawn(&s, ROLE_BRAIN) != WZ_OK) {
        kill_all(&s);
        s.exit_code = WZ_EXIT_CRASH;
        s.shutting_down = true;
        s.shutdown_deadline_ms = wz_now_ms();
    }
    int sigints = 0;
    while (s.w[ROLE_CORE].pid > 0 || s.w[ROLE_BRAIN].pid > 0 ||
           (!s.shutting_down && (s.w[ROLE_CORE].restart_at_ms || s.w[ROLE_BRAIN].restart_at_ms))) {
        struct pollfd p = { .fd = s.sfd, .events = POLLIN };
        int n = poll(&p, 1, next_timeout_ms(&s));
        if (n > 0) {
            struct signalfd_siginfo si;
            while (read(s.sfd, &si, sizeof si) == sizeof si) {
                if (si.ssi_signo == SIGCHLD)
                    continue; /* reaped below */
                if (si.ssi_signo == SIGINT && ++sigints >= 2) {
                    log_warn("second interrupt: stopping at once");
                    kill_all(&s);
                    fflush(NULL);
                    _exit(130);
                }
                bool is_int = si.ssi_signo == SIGINT;
                begin_shutdown(&s, is_int ? "interrupt" : "terminate", is_int ? "SIGINT" : "SIGTERM");
            }
        }
        reap(&s);
        int64_t now = wz_now_ms();
        if (s.shutting_down) {
            if (now >= s.shutdown_deadline_ms)
                kill_all(&s);
            continue;
        }
        for (int r = 0; r < ROLE_COUNT; r++)
            if (s.w[r].restart_at_ms && now >= s.w[r].restart_at_ms)
                restart(&s, &s.w[r]);
        watchdog(&s);
    }
    ev_set_sink(NULL, NULL);
    close(s.sfd);
    teardown(&s);
    return s.exit_code;
}
