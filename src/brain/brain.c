/* brain.c: the brain worker. The main thread reads core_to_brain, answers
 * heartbeats, feeds speech-to-text and cancels work; one job thread runs the
 * request (router, LLM, tools, TTS) so that an INTERRUPT is seen at once even
 * while a reply is being produced. */
#include "brain/orch.h"
#include "brain/stt.h"
#include "common/ev.h"
#include "common/log.h"
#include "ipc/link.h"
#include "ipc/msg.h"

#include <pthread.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BRAIN_JOB_TEXT_MAX 4096
#define BRAIN_JOBS_MAX 4

typedef enum {
    JOB_TEXT,   /* a typed request */
    JOB_AUDIO,  /* an utterance fed to STT: finish it, then handle the text */
    JOB_SAY,    /* a reply template by key (SAY) */
} job_kind;

/* A chain of commands from the grammar pass ("pause the music and set a
 * timer") is believed only from this confidence on (a PocketSphinx margin of
 * -0.3 nats/frame): free-form speech forced onto the grammar comes out as
 * long chains ("so mute and go back a track"), single commands rarely. In
 * the measurement behind it (docs/speech.md) chains below it were wrong 13
 * times out of 16. */
#define BRAIN_CHAIN_MIN_CONF 0.83

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
    stt *stt;
    bool utt_active;            /* main thread: feeding an utterance */
    uint64_t utt_req;
    uint32_t utt_samples;       /* fed so far in this utterance */
    bool heard_due;             /* a PAUSE chunk awaits its HEARD */
    uint64_t next_announce;

    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    job jobs[BRAIN_JOBS_MAX];   /* FIFO, guarded by mu */
    int njobs;
    bool quit;
    uint64_t running_req;       /* guarded by mu; 0 when idle */
    pthread_cond_t idle_cv;     /* signalled when running_req drops to 0 */
    _Atomic bool cancel;        /* cancels the running job */

    msg_stats stats;
    int64_t next_hb_ns;
} brain;

/* Events from brain threads travel to the core in order with the replies. */
static void event_to_core(const char *line, size_t len, void *ctx)
{
    brain *b = ctx;
    int rc = msg_send_event(b->l->to_core, line, len, 1000);
    if (rc != WZ_OK) {
        b->stats.control_dropped++;
        log_warn("event not delivered to core: %s", wz_strerror(rc));
    }
}

/* Finishes an utterance (the main thread fed it) and answers it. */
static void run_audio_job(brain *b, reply *r)
{
    stt_result res;
    int rc = stt_finish(b->stt, &res);
    if (rc == WZ_CANCELED || reply_canceled(r))
        return;
    if (rc != WZ_OK) {
        char why[700];
        snprintf(why, sizeof why, "%s: %s", stt_name(b->stt), stt_last_error(b->stt)[0] ? stt_last_error(b->stt) : wz_strerror(rc));
        reply_error(r, "stt", why);
        orch_say(b->orch, r, "brain.stt_failed", MSG_F_ERROR);
        return;
    }
    if (strcmp(res.pass, "grammar") == 0 && res.confidence < BRAIN_CHAIN_MIN_CONF &&
        orch_command_count(b->orch, res.text) > 1) {
        log_debug("stt: doubtful chain \"%s\" (%.2f); taking the general pass's \"%s\"", res.text, res.confidence,
                  res.alt_text);
        (void)wz_strlcpy(res.text, res.alt_text, sizeof res.text);
        (void)wz_strlcpy(res.pass, "lm", sizeof res.pass);
        res.confidence = res.alt_confidence;
    }
    ev_emitf("transcript", "{s:s, s:b, s:f, s:s, s:f, s:I}", "text", res.text, "final", 1, "confidence",
             res.confidence, "pass", res.pass, "audio_s", res.audio_s, "req_id", (json_int_t)r->req_id);
    if (msg_send_text(b->l->to_core, MSG_TRANSCRIPT, MSG_F_FINAL, r->req_id, res.text, 1000) != WZ_OK)
        log_warn("transcript not delivered to core");
    if (!res.text[0])
        orch_say(b->orch, r, "brain.not_heard", 0);
    else
        orch_handle(b->orch, r, res.text);
}

/* The core heard a pause: HEARD answers it, flagged COMPLETE if the words
 * so far already make one whole command, so the core may end the utterance
 * sooner (listen.complete_silence_ms; with --fast it waits for the answer,
 * so runs repeat exactly), and also CLOSED if no more words could change
 * that command (listen.closed_silence_ms, sooner still). A chain ("... and
 * ...") is not whole yet: its next part may follow the pause. While
 * speech-to-text is still decoding, the main loop asks again (every 5 ms)
 * rather than wait here, so heartbeats and audio keep flowing. */
static void check_heard(brain *b)
{
    if (!b->heard_due || !b->utt_active)
        return;
    char text[STT_TEXT_MAX];
    int rc = stt_heard(b->stt, text, sizeof text);
    if (rc == WZ_AGAIN)
        return;
    b->heard_due = false;
    bool whole = rc == 1 && orch_command_count(b->orch, text) == 1;
    bool closed = whole && !orch_extendable(b->orch, text);
    if (whole)
        log_debug("heard a whole command after %u samples%s: \"%s\"", b->utt_samples,
                  closed ? " that nothing can extend" : "", text);
    uint16_t flags = (whole ? MSG_F_COMPLETE : 0) | (closed ? MSG_F_CLOSED : 0);
    if (msg_send_num_text(b->l->to_core, MSG_HEARD, flags, b->utt_req, b->utt_samples,
                          whole ? text : "", 1000) != WZ_OK)
        b->stats.control_dropped++; /* only a hint: the core ends the utterance anyway */
}

/* Speaks every timer that is due, as announcements. */
static void run_timers(brain *b)
{
    char text[512];
    while (orch_poll_timer(b->orch, text, sizeof text)) {
        atomic_store(&b->cancel, false);
        reply r = { .to_core = b->l->to_core, .req_id = MSG_ANNOUNCE_ID_BIT | ++b->next_announce,
                    .cancel = &b->cancel, .flags = MSG_F_ANNOUNCE };
        log_info("timer: %s", text);
        orch_say_text(b->orch, &r, text, 0);
    }
}

static void *job_thread(void *arg)
{
    brain *b = arg;
    log_set_role("brain");
    ev_set_sink(event_to_core, b);
    pthread_mutex_lock(&b->mu);
    for (;;) {
        while (!b->njobs && !b->quit) {
            int64_t due = orch_next_timer_ms(b->orch);
            if (due == 0)
                break;
            if (due < 0) {
                pthread_cond_wait(&b->cv, &b->mu);
            } else {
                struct timespec ts;
                clock_gettime(CLOCK_MONOTONIC, &ts);
                int64_t ns = ts.tv_nsec + (due % 1000) * 1000000LL;
                ts.tv_sec += (time_t)(due / 1000 + ns / 1000000000LL);
                ts.tv_nsec = (long)(ns % 1000000000LL);
                pthread_cond_timedwait(&b->cv, &b->mu, &ts);
            }
        }
        if (b->quit)
            break;
        if (!b->njobs) {
            pthread_mutex_unlock(&b->mu);
            run_timers(b);
            pthread_mutex_lock(&b->mu);
            continue;
        }
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
        else if (j.kind == JOB_AUDIO)
            run_audio_job(b, &r);
        else
            orch_say(b->orch, &r, j.text, 0);

        pthread_mutex_lock(&b->mu);
        b->running_req = 0;
        pthread_cond_broadcast(&b->idle_cv);
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
    if (b->utt_active || b->stt)
        stt_cancel(b->stt);
    b->utt_active = false;
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

/* AUDIO_START: the STT engine belongs to the main thread while it is fed
 * and to the job thread while it finishes, so wait for an earlier
 * utterance's job to end (it was canceled by the INTERRUPT before this).
 * The message may carry the wake phrase's audio, for the engine to adapt to
 * the voice and the room (stt_adapt). */
static void start_utterance(brain *b, uint64_t req, const int16_t *wake, size_t wake_n)
{
    pthread_mutex_lock(&b->mu);
    for (int i = 0; i < b->njobs; i++)
        if (b->jobs[i].kind == JOB_AUDIO) /* never finished: drop it */
            b->jobs[i--] = b->jobs[--b->njobs];
    if (b->running_req) {
        atomic_store(&b->cancel, true);
        orch_cancel(b->orch);
        stt_cancel(b->stt);
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += 2;
        while (b->running_req)
            if (pthread_cond_timedwait(&b->idle_cv, &b->mu, &ts) != 0)
                break;
    }
    bool busy = b->running_req != 0;
    pthread_mutex_unlock(&b->mu);
    if (busy) {
        log_error("previous request did not stop within 2 s; utterance %llu not transcribed",
                  (unsigned long long)req);
        reply r = { .to_core = b->l->to_core, .req_id = req };
        reply_error(&r, "brain", "busy: the previous request did not stop");
        (void)reply_end(&r, MSG_F_ERROR);
        return;
    }
    if (wake_n > 0) {
        int rc = stt_adapt(b->stt, wake, wake_n);
        if (rc != WZ_OK && rc != WZ_UNSUPP && rc != WZ_AGAIN)
            log_warn("speech-to-text could not adapt to the wake phrase: %s", wz_strerror(rc));
    }
    if (stt_begin(b->stt) != WZ_OK) {
        log_error("speech-to-text cannot start an utterance");
        return;
    }
    b->utt_active = true;
    b->utt_req = req;
    b->utt_samples = 0;
    b->heard_due = false;
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
        log_debug("heartbeat from core: seq %llu, audio dropped %llu, requests failed %llu, "
                  "overruns %llu, underruns %llu",
                  (unsigned long long)m->stats.seq, (unsigned long long)m->stats.audio_dropped,
                  (unsigned long long)m->stats.requests_failed, (unsigned long long)m->stats.overruns,
                  (unsigned long long)m->stats.underruns);
        break;
    }
    case MSG_HEARTBEAT_ACK: break;
    case MSG_PEER_RESTARTED:
        log_warn("core restarted (pid %u); dropping its old requests", m->num);
        cancel_all(b);
        if (msg_send(b->l->to_core, MSG_READY, 0, 0, NULL, 0, 1000) != WZ_OK)
            log_warn("could not tell the new core that the brain is ready");
        break;
    case MSG_SHUTDOWN: *stop = true; break;
    case MSG_AUDIO_START: start_utterance(b, m->req_id, m->pcm, m->pcm_samples); break;
    case MSG_AUDIO_CHUNK:
        if (b->utt_active && m->req_id == b->utt_req) {
            int rc = stt_feed(b->stt, m->pcm, m->pcm_samples);
            if (rc != WZ_OK && rc != WZ_CANCELED) {
                log_error("speech-to-text rejected audio: %s", wz_strerror(rc));
                b->utt_active = false;
                submit(b, JOB_AUDIO, m->req_id, ""); /* finish reports the failure */
            } else if (rc == WZ_OK) {
                b->utt_samples += (uint32_t)m->pcm_samples; /* <= STT_MAX_SAMPLES: stt_feed checks */
                b->heard_due |= (m->flags & MSG_F_PAUSE) != 0;
                check_heard(b);
            }
        }
        break;
    case MSG_AUDIO_END:
        if (b->utt_active && m->req_id == b->utt_req) {
            b->utt_active = false;
            submit(b, JOB_AUDIO, m->req_id, m->text);
        }
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

/* Loads the speech engines and the orchestrator; the command grammar comes
 * from the router's templates, so the recogniser hears what the router
 * understands. */
static int engines_create(brain *b, char *err, size_t errlen)
{
    int rc = orch_create(&b->orch, b->l->cfg, err, errlen);
    if (rc != WZ_OK)
        return rc;
    if ((rc = stt_create(&b->stt, b->l->cfg, err, errlen)) != WZ_OK)
        return rc;
    char *jsgf = orch_grammar(b->orch);
    char why[400];
    rc = jsgf ? stt_set_grammar(b->stt, jsgf, why, sizeof why) : WZ_NOMEM;
    free(jsgf);
    if (rc == WZ_UNSUPP) {
        rc = WZ_OK; /* HTTP engines transcribe freely */
    } else if (rc != WZ_OK) {
        snprintf(err, errlen, "stt engine '%s': command grammar rejected: %s", stt_name(b->stt), why);
        return rc;
    }
    log_info("engines: stt %s, tts %s, llm %s", stt_name(b->stt), b->l->cfg->tts_engine, b->l->cfg->llm_backend);
    return WZ_OK;
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
    if (engines_create(b, err, sizeof err) != WZ_OK) {
        log_error("%s", err);
        reply r = { .to_core = l->to_core };
        reply_error(&r, "brain", err);
        orch_destroy(b->orch);
        stt_destroy(b->stt);
        free(b->rx);
        free(b);
        return WZ_EXIT_USAGE;
    }
    pthread_mutex_init(&b->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&b->cv, &ca);
    pthread_cond_init(&b->idle_cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&b->thread, NULL, job_thread, b) != 0) {
        orch_destroy(b->orch);
        stt_destroy(b->stt);
        free(b->rx);
        free(b);
        return WZ_EXIT_CRASH;
    }
    link_started(l);
    if (msg_send(l->to_core, MSG_READY, 0, 0, NULL, 0, 1000) != WZ_OK)
        log_warn("could not tell the core that the brain is ready");
    log_info("ready");

    bool stop = false;
    while (!stop && !link_should_stop(l)) {
        heartbeat(b);
        check_heard(b);
        size_t len;
        int rc = ipcq_recv(l->to_brain, b->rx, b->rx_cap, &len, b->heard_due ? 5 : 50);
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
    stt_destroy(b->stt);
    pthread_mutex_destroy(&b->mu);
    pthread_cond_destroy(&b->cv);
    pthread_cond_destroy(&b->idle_cv);
    ev_set_sink(NULL, NULL);
    free(b->rx);
    free(b);
    return exit_code;
}
