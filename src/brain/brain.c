/* brain.c: the brain worker. The main thread reads core_to_brain, answers
 * heartbeats, feeds speech-to-text and cancels work; one job thread runs the
 * request (router, LLM, tools, TTS) so that an INTERRUPT is seen at once even
 * while a reply is being produced. */
#include "brain/orch.h"
#include "common/ev.h"
#include "common/log.h"
#include "ipc/link.h"
#include "ipc/msg.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BRAIN_JOB_TEXT_MAX 4096
#define BRAIN_JOBS_MAX 4

typedef enum { JOB_TEXT, JOB_SAY } job_kind;

typedef struct {
    job_kind kind;
    uint64_t req_id;
    char text[BRAIN_JOB_TEXT_MAX];
} job;

typedef struct {
    const wz_link *l;
    uint8_t *rx;
    size_t rx_cap;
    orch *orch;

    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    job jobs[BRAIN_JOBS_MAX];   /* FIFO, guarded by mu */
    int njobs;
    bool quit;
    uint64_t running_req;       /* guarded by mu; 0 when idle */
    _Atomic bool cancel;        /* cancels the running job */

    msg_stats stats;
    int64_t next_hb_ns;
} brain;

/* Events from brain threads travel to the core in order with the replies. */
static void event_to_core(const char *line, size_t len, void *ctx)
{
    brain *b = ctx;
    char *buf = malloc(len + 1);
    if (!buf)
        return;
    memcpy(buf, line, len);
    buf[len] = '\0';
    int rc = msg_send_text(b->l->to_core, MSG_EVENT, 0, 0, buf, 1000);
    free(buf);
    if (rc != WZ_OK) {
        b->stats.control_dropped++;
        log_warn("event not delivered to core: %s", wz_strerror(rc));
    }
}

static void *job_thread(void *arg)
{
    brain *b = arg;
    log_set_role("brain");
    ev_set_sink(event_to_core, b);
    pthread_mutex_lock(&b->mu);
    for (;;) {
        while (!b->njobs && !b->quit)
            pthread_cond_wait(&b->cv, &b->mu);
        if (b->quit)
            break;
        job j = b->jobs[0];
        memmove(b->jobs, b->jobs + 1, sizeof(job) * (size_t)(--b->njobs));
        b->running_req = j.req_id;
        atomic_store(&b->cancel, false);
        pthread_mutex_unlock(&b->mu);

        /* A SAY (the apology after a restart) plays like an announcement:
         * when the core is idle, never cut into a turn. */
        reply r = { .to_core = b->l->to_core, .req_id = j.req_id, .cancel = &b->cancel,
                    .flags = j.kind == JOB_SAY ? MSG_F_ANNOUNCE : 0 };
        if (j.kind == JOB_TEXT)
            orch_handle(b->orch, &r, j.text);
        else
            orch_say(b->orch, &r, j.text);

        pthread_mutex_lock(&b->mu);
        b->running_req = 0;
    }
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

static void cancel_all(brain *b)
{
    pthread_mutex_lock(&b->mu);
    b->njobs = 0;
    if (b->running_req) {
        atomic_store(&b->cancel, true);
        orch_cancel(b->orch);
    }
    pthread_mutex_unlock(&b->mu);
}

static void submit(brain *b, job_kind kind, uint64_t req, const char *text)
{
    pthread_mutex_lock(&b->mu);
    if (b->njobs == BRAIN_JOBS_MAX) {
        pthread_mutex_unlock(&b->mu);
        reply r = { .to_core = b->l->to_core, .req_id = req };
        reply_error(&r, "brain", "too many requests waiting; this one was dropped");
        (void)reply_end(&r, MSG_F_ERROR);
        return;
    }
    job *j = &b->jobs[b->njobs++];
    j->kind = kind;
    j->req_id = req;
    (void)wz_strlcpy(j->text, text, sizeof j->text);
    pthread_cond_signal(&b->cv);
    pthread_mutex_unlock(&b->mu);
}

static void handle(brain *b, const msg *m, bool *stop)
{
    switch ((msg_type)m->type) {
    case MSG_TEXT_REQUEST:
        ev_emitf("request", "{s:s, s:I}", "text", m->text, "req_id", (json_int_t)m->req_id);
        submit(b, JOB_TEXT, m->req_id, m->text);
        break;
    case MSG_SAY: submit(b, JOB_SAY, m->req_id, m->text); break;
    case MSG_INTERRUPT:
        log_info("interrupted (%s)", m->text);
        cancel_all(b);
        break;
    case MSG_HEARTBEAT: {
        int rc = msg_send(b->l->to_core, MSG_HEARTBEAT_ACK, 0, 0, &b->stats, sizeof b->stats, 100);
        if (rc != WZ_OK)
            b->stats.control_dropped++;
        log_debug("heartbeat from core: seq %llu, audio dropped %llu, requests failed %llu",
                  (unsigned long long)m->stats.seq, (unsigned long long)m->stats.audio_dropped,
                  (unsigned long long)m->stats.requests_failed);
        break;
    }
    case MSG_HEARTBEAT_ACK: break;
    case MSG_PEER_RESTARTED:
        log_warn("core restarted (pid %u); dropping its old requests", m->pid);
        cancel_all(b);
        if (msg_send(b->l->to_core, MSG_READY, 0, 0, NULL, 0, 1000) != WZ_OK)
            log_warn("could not tell the new core that the brain is ready");
        break;
    case MSG_SHUTDOWN: *stop = true; break;
    case MSG_AUDIO_START:
    case MSG_AUDIO_CHUNK:
    case MSG_AUDIO_END:
        break;
    default:
        b->stats.bad_messages++;
        log_warn("unexpected %s message from core; skipped", msg_type_name(m->type));
        break;
    }
}

static void heartbeat(brain *b)
{
    int64_t now = wz_now_ns();
    link_beat(b->l);
    if (now < b->next_hb_ns)
        return;
    b->next_hb_ns = now + b->l->cfg->supervisor_heartbeat_ms * 1000000LL;
    b->stats.seq++;
    if (msg_send(b->l->to_core, MSG_HEARTBEAT, 0, 0, &b->stats, sizeof b->stats, 0) != WZ_OK)
        b->stats.control_dropped++;
}

int brain_run(const wz_link *l)
{
    brain *b = calloc(1, sizeof *b);
    if (!b)
        return WZ_EXIT_CRASH;
    b->l = l;
    ev_set_sink(event_to_core, b);
    link_beat(l);
    int exit_code = WZ_EXIT_OK;
    char err[512];
    b->rx_cap = ipcq_max_bytes(l->to_brain);
    b->rx = malloc(b->rx_cap);
    if (!b->rx) {
        free(b);
        return WZ_EXIT_CRASH;
    }
    if (orch_create(&b->orch, l->cfg, err, sizeof err) != WZ_OK) {
        log_error("%s", err);
        free(b->rx);
        free(b);
        return WZ_EXIT_USAGE;
    }
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->cv, NULL);
    if (pthread_create(&b->thread, NULL, job_thread, b) != 0) {
        orch_destroy(b->orch);
        free(b->rx);
        free(b);
        return WZ_EXIT_CRASH;
    }
    if (msg_send(l->to_core, MSG_READY, 0, 0, NULL, 0, 1000) != WZ_OK)
        log_warn("could not tell the core that the brain is ready");
    log_info("ready");

    bool stop = false;
    while (!stop && !link_should_stop(l)) {
        heartbeat(b);
        size_t len;
        int rc = ipcq_recv(l->to_brain, b->rx, b->rx_cap, &len, 50);
        if (rc == WZ_TIMEDOUT)
            continue;
        if (rc == WZ_CLOSED)
            break;
        if (rc != WZ_OK) {
            b->stats.bad_messages++;
            continue;
        }
        msg m;
        char why[96];
        if (msg_decode(b->rx, len, &m, why, sizeof why) != WZ_OK) {
            b->stats.bad_messages++;
            log_warn("corrupt message from core skipped: %s", why);
            continue;
        }
        handle(b, &m, &stop);
    }
    log_info("stopping: canceling work");
    cancel_all(b);
    pthread_mutex_lock(&b->mu);
    b->quit = true;
    pthread_cond_signal(&b->cv);
    pthread_mutex_unlock(&b->mu);
    pthread_join(b->thread, NULL);
    orch_destroy(b->orch);
    pthread_mutex_destroy(&b->mu);
    pthread_cond_destroy(&b->cv);
    ev_set_sink(NULL, NULL);
    free(b->rx);
    free(b);
    return exit_code;
}
