/* core.c: the core worker's main loop: requests out, replies in.
 *
 * This file owns the conversation with the brain: request ids, heartbeats,
 * brain restarts, replies and the events that report them. Audio capture and
 * the listening pipeline plug in through core_audio.c. */
#include "core/core_priv.h"
#include "core/rt.h"
#include "core/wav.h"
#include "common/ev.h"
#include "common/log.h"
#include "core/textin.h"
#include "ipc/msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int64_t hb_interval_ns(const core *c) { return c->l->cfg->supervisor_heartbeat_ms * 1000000LL; }

static void reply_reset(core *c)
{
    c->reply_len = 0;
    c->reply[0] = '\0';
}

static void reply_append(core *c, const char *s)
{
    size_t n = strlen(s);
    size_t sep = c->reply_len ? 1 : 0;
    if (c->reply_len + sep + n >= sizeof c->reply) {
        log_warn("reply longer than %d bytes; the response event carries the first part",
                 CORE_REPLY_MAX);
        return;
    }
    if (sep)
        c->reply[c->reply_len++] = ' ';
    memcpy(c->reply + c->reply_len, s, n + 1);
    c->reply_len += n;
}

/* Control messages may use the whole queue; a failure is counted, never
 * waited for. */
void core_send_control(core *c, int type, uint64_t req, const char *text)
{
    int rc = text ? msg_try_send(c->l->to_brain, type, 0, req, text, strlen(text) + 1, 0)
                  : msg_try_send(c->l->to_brain, type, 0, req, NULL, 0, 0);
    if (rc != WZ_OK) {
        c->stats.control_dropped++;
        log_warn("could not send %s to brain: %s (dropped control messages: %llu)",
                 msg_type_name(type), wz_strerror(rc), (unsigned long long)c->stats.control_dropped);
    }
}

void core_finish_request(core *c, bool failed)
{
    if (!c->cur_req)
        return;
    c->cur_failed |= failed;
    c->any_failed |= c->cur_failed;
    (void)wz_strlcpy(c->last_said, c->reply, sizeof c->last_said);
    if (c->reply_len || c->text_mode)
        ev_emitf("response", "{s:s, s:I, s:b}", "text", c->reply, "req_id", (json_int_t)c->cur_req,
             "ok", !c->cur_failed);
    if (!ev_enabled() && c->text_mode) {
        printf("%s\n", c->reply);
        fflush(stdout);
    }
    c->cur_req = 0;
    c->cur_failed = false;
    reply_reset(c);
}

uint64_t core_begin_request(core *c)
{
    c->cur_req = c->next_req++;
    c->cur_failed = false;
    reply_reset(c);
    return c->cur_req;
}

static void start_text_request(core *c, const char *text)
{
    uint64_t id = c->next_req++;
    int rc = msg_try_send(c->l->to_brain, MSG_TEXT_REQUEST, 0, id, text, strlen(text) + 1,
                          (size_t)c->l->cfg->ipc_control_reserve);
    if (rc != WZ_OK) {
        c->stats.requests_failed++;
        ev_emitf("error", "{s:s, s:s}", "component", "ipc", "message", "request not delivered: queue to brain is full");
        log_error("request not delivered to brain: %s", wz_strerror(rc));
        c->any_failed = true;
        return;
    }
    c->cur_req = id;
    c->cur_failed = false;
    reply_reset(c);
    (void)wz_strlcpy(c->cur_text, text, sizeof c->cur_text);
    c->cur_retried = false;
}

static void on_peer_restarted(core *c, const msg *m)
{
    log_warn("brain restarted (pid %u)", m->num);
    c->brain_ready = false;
    if (c->audio_mode)
        core_audio_abort(c, FSM_EV_BRAIN_RESTART);
    if (c->cur_req && c->text_mode && !c->cur_retried && !c->reply_len) {
        /* A typed request is still at hand: the new brain gets it once more
         * (only once, in case the request itself is what crashed it). */
        log_warn("resending request %llu to the new brain", (unsigned long long)c->cur_req);
        c->retry_pending = true;
        return;
    }
    if (c->cur_req) {
        ev_emitf("error", "{s:s, s:s, s:I}", "component", "brain", "message",
                 "the brain restarted; the request in flight was abandoned", "req_id",
                 (json_int_t)c->cur_req);
        c->apology_pending = true;
        core_finish_request(c, true);
    }
}

static void on_ready(core *c)
{
    c->brain_ready = true;
    if (!c->announced_ready) {
        c->announced_ready = true;
        if (c->audio_mode) /* audio heard while the brain loaded: on the timeline, not listened to */
            ev_emitf("ready", "{s:s, s:I}", "mode", "audio", "audio_ms", (json_int_t)(c->frames * c->frame_ms));
        else
            ev_emitf("ready", "{s:s}", "mode", "text");
        log_info("ready");
    }
    if (c->retry_pending) {
        c->retry_pending = false;
        c->cur_req = 0;
        char text[CORE_STDIN_LINE_MAX + 1];
        (void)wz_strlcpy(text, c->cur_text, sizeof text);
        start_text_request(c, text);
        c->cur_retried = true;
    }
    if (c->apology_pending) {
        c->apology_pending = false;
        core_send_control(c, MSG_SAY, c->next_req++, "brain.restarted");
    }
}

/* --text with --output: the spoken reply goes to a WAV file at the TTS rate. */
static void text_tts_audio(core *c, const msg *m)
{
    const char *path = c->l->opts->output;
    if (!path || (m->flags & MSG_F_ANNOUNCE))
        return;
    if (!c->text_wav) {
        if (wav_writer_open(&c->text_wav, path, (int)m->rate) != WZ_OK) {
            log_error("cannot write %s", path); /* the reply still reaches stdout */
            return;
        }
        c->text_wav_rate = (int)m->rate;
    }
    if ((int)m->rate != c->text_wav_rate) {
        log_warn("TTS rate changed from %d to %u Hz; chunk not written to %s", c->text_wav_rate, m->rate, path);
        return;
    }
    if (wav_writer_write(c->text_wav, m->pcm, m->pcm_samples) != WZ_OK)
        log_error("write to %s failed", path);
}

static void handle(core *c, const msg *m)
{
    switch ((msg_type)m->type) {
    case MSG_READY: on_ready(c); break;
    case MSG_HEARTBEAT: {
        int rc = msg_try_send(c->l->to_brain, MSG_HEARTBEAT_ACK, 0, 0, &c->stats, sizeof c->stats, 0);
        if (rc != WZ_OK)
            c->stats.control_dropped++;
        log_debug("heartbeat from brain: seq %llu, bad messages %llu", (unsigned long long)m->stats.seq,
                  (unsigned long long)m->stats.bad_messages);
        break;
    }
    case MSG_HEARTBEAT_ACK: break;
    case MSG_PEER_RESTARTED: on_peer_restarted(c, m); break;
    case MSG_EVENT: ev_write_line(m->text, strlen(m->text)); break;
    case MSG_TRANSCRIPT: /* the brain emits the transcript event itself */
        (void)wz_strlcpy(c->last_heard, m->text, sizeof c->last_heard);
        break;
    case MSG_RESPONSE_TEXT:
        if (m->req_id == c->cur_req) /* others belong to abandoned requests */
            reply_append(c, m->text);
        break;
    case MSG_TTS_AUDIO:
        if (c->audio_mode)
            core_audio_on_tts(c, m);
        else
            text_tts_audio(c, m);
        break;
    case MSG_TTS_END:
        if (c->audio_mode)
            core_audio_on_tts_end(c, m);
        else if (m->req_id == c->cur_req)
            core_finish_request(c, (m->flags & MSG_F_ERROR) != 0);
        break;
    case MSG_HEARD:
        if (c->audio_mode)
            core_audio_on_heard(c, m);
        break;
    case MSG_ANNOUNCE:
        ev_emitf("announce", "{s:s, s:I}", "text", m->text, "req_id",
                 (json_int_t)(m->req_id & ~MSG_ANNOUNCE_ID_BIT));
        if (c->audio_mode)
            core_audio_on_announce(c, m);
        break;
    case MSG_ERROR:
        ev_emitf("error", "{s:s, s:s, s:I}", "component", m->text, "message", m->text2, "req_id",
                 (json_int_t)m->req_id);
        log_error("%s: %s", m->text, m->text2);
        if (m->req_id == c->cur_req)
            c->cur_failed = true;
        break;
    case MSG_SHUTDOWN:
        c->shutting_down = true;
        break;
    default:
        c->stats.bad_messages++;
        log_warn("unexpected %s message from brain; skipped", msg_type_name(m->type));
        break;
    }
}

/* Drains brain_to_core, waiting up to timeout_ms for the first message. */
void core_pump(core *c, int timeout_ms)
{
    for (;;) {
        size_t len;
        int rc = ipcq_recv(c->l->to_core, c->rx, c->rx_cap, &len, timeout_ms);
        if (rc == WZ_TIMEDOUT || rc == WZ_CLOSED)
            return;
        timeout_ms = 0;
        if (rc != WZ_OK) {
            c->stats.bad_messages++;
            log_warn("message from brain dropped: %s", wz_strerror(rc));
            continue;
        }
        msg m;
        char why[96];
        if (msg_decode(c->rx, len, &m, why, sizeof why) != WZ_OK) {
            c->stats.bad_messages++;
            log_warn("corrupt message from brain skipped: %s", why);
            continue;
        }
        c->last_peer_ns = wz_now_ns();
        handle(c, &m);
        if (c->shutting_down)
            return;
    }
}

/* Copies the audio device's overrun and underrun counts into the heartbeat
 * counters and emits an `xrun` event when either grew since the last
 * heartbeat: at most one per interval, however many periods were lost. */
static void report_xruns(core *c)
{
    if (!c->aio)
        return;
    audio_io_stats st = {0};
    audio_io_stats(c->aio, &st);
    if (st.overruns == c->stats.overruns && st.underruns == c->stats.underruns)
        return;
    ev_emitf("xrun", "{s:I, s:I, s:I, s:I, s:I}", "overruns", (json_int_t)st.overruns, "underruns",
             (json_int_t)st.underruns, "new_overruns", (json_int_t)(st.overruns - c->stats.overruns),
             "new_underruns", (json_int_t)(st.underruns - c->stats.underruns), "audio_ms",
             (json_int_t)(c->frames * c->frame_ms));
    log_warn("audio: %llu capture overruns, %llu playback underruns so far",
             (unsigned long long)st.overruns, (unsigned long long)st.underruns);
    c->stats.overruns = st.overruns;
    c->stats.underruns = st.underruns;
}

static void heartbeat(core *c)
{
    int64_t now = wz_now_ns();
    link_beat(c->l);
    if (now < c->next_hb_ns)
        return;
    c->next_hb_ns = now + hb_interval_ns(c);
    report_xruns(c);
    c->stats.seq++;
    if (msg_try_send(c->l->to_brain, MSG_HEARTBEAT, 0, 0, &c->stats, sizeof c->stats, 0) != WZ_OK)
        c->stats.control_dropped++;
    int64_t silent = now - c->last_peer_ns;
    int64_t limit = hb_interval_ns(c) * c->l->cfg->supervisor_heartbeat_misses;
    if (c->cur_req && c->brain_ready && silent > limit) { /* loading is main's watchdog's business */
        if (c->audio_mode)
            core_audio_abort(c, FSM_EV_ERROR);
        ev_emitf("error", "{s:s, s:s, s:I}", "component", "brain", "message",
                 "the brain stopped answering; request abandoned", "req_id", (json_int_t)c->cur_req);
        c->apology_pending = true;
        core_finish_request(c, true);
    }
}

/* --text: feed the next request when nothing is in flight. Returns true when
 * all text input is done. */
static bool text_step(core *c)
{
    if (c->cur_req)
        return false;
    if (!c->stdin_mode) {
        if (!c->single_sent) {
            c->single_sent = true;
            start_text_request(c, c->l->opts->text);
            return false;
        }
        return true;
    }
    char line[CORE_STDIN_LINE_MAX + 1];
    if (textin_next(&c->in, line, sizeof line)) {
        start_text_request(c, line);
        return false;
    }
    return c->in.eof;
}

int core_run(const wz_link *l)
{
    core *c = calloc(1, sizeof *c);
    if (!c)
        return WZ_EXIT_CRASH;
    c->l = l;
    c->rx_cap = ipcq_max_bytes(l->to_core);
    c->rx = malloc(c->rx_cap);
    if (!c->rx) {
        free(c);
        return WZ_EXIT_CRASH;
    }
    /* Request ids carry the core's pid in the high bits so a restarted core
     * never reuses an id the brain may still be answering. */
    c->next_req = ((uint64_t)(uint32_t)getpid() << 32) | 1;
    c->last_peer_ns = wz_now_ns();
    c->text_mode = l->opts->text != NULL;
    c->stdin_mode = c->text_mode && strcmp(l->opts->text, "-") == 0;
    c->audio_mode = !c->text_mode;
    if (c->stdin_mode)
        textin_init(&c->in, STDIN_FILENO);
    link_beat(l);

    int exit_code = WZ_EXIT_OK;
    if (c->audio_mode) {
        char err[1024];
        if (core_audio_open(c, err, sizeof err) != WZ_OK) {
            log_error("%s", err);
            ev_emitf("error", "{s:s, s:s}", "component", "audio", "message", err);
            core_audio_close(c);
            free(c->rx);
            free(c);
            return WZ_EXIT_USAGE;
        }
    }
    /* Frames arrive in real time (a device, or a file without --fast):
     * the frame thread must not wait behind busy processes. With --fast the
     * thread never blocks, so it must stay at normal priority. */
    if (c->audio_mode && !l->opts->fast && l->cfg->audio_realtime_priority > 0) {
        char why[256];
        int prio = (int)l->cfg->audio_realtime_priority;
        if (rt_raise(prio, why, sizeof why) == WZ_OK)
            log_debug("core: frame thread at SCHED_FIFO priority %d", prio);
        else
            log_info("core: %s; running at normal priority", why);
    }
    link_started(l);
    while (!link_should_stop(l) && !c->shutting_down) {
        if (c->audio_mode) {
            if (!core_audio_step(c, &exit_code))
                break;
            core_pump(c, 0);
        } else {
            core_pump(c, 20);
        }
        heartbeat(c);
        if (c->text_mode && c->brain_ready && text_step(c) && !c->cur_req) {
            exit_code = c->any_failed ? WZ_EXIT_FAILED : WZ_EXIT_OK;
            break;
        }
    }
    if (c->audio_mode)
        core_audio_close(c); /* capture stops before the brain is told */
    if (c->text_wav && wav_writer_close(c->text_wav) != WZ_OK)
        log_error("finishing %s failed", l->opts->output);
    if (c->shutting_down || link_should_stop(l)) {
        log_info("stopping: capture closed, asking brain to stop");
        core_send_control(c, MSG_SHUTDOWN, 0, NULL);
    }
    free(c->rx);
    free(c);
    return exit_code;
}
