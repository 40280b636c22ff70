/* core_audio.c: the core's audio pipeline, one frame at a time.
 *
 *   mic ─┬─▶ preroll ring (raw) ──────────────▶ AUDIO_CHUNK to the brain
 *        └─▶ echo canceller (ref = what played) ─▶ VAD ─▶ endpointer
 *                                               └─▶ wake word / "stop"
 *   TTS_AUDIO ─▶ jitter buffer (prefill) ─▶ playback queue ─▶ speaker
 *
 * The state machine (fsm.c) decides what a wake word, speech or silence
 * means in each state. The brain gets raw microphone audio: the echo
 * canceller's noise suppression helps the detectors but not the recogniser,
 * and while the user speaks a request nothing is playing. */
#include "common/ev.h"
#include "common/log.h"
#include "core/core_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void on_transition(void *user, fsm_state from, fsm_state to, fsm_event ev)
{
    (void)user;
    ev_emitf("state", "{s:s, s:s, s:s}", "from", fsm_state_name(from), "to", fsm_state_name(to),
             "cause", fsm_event_name(ev));
    log_debug("state %s -> %s (%s)", fsm_state_name(from), fsm_state_name(to), fsm_event_name(ev));
}

static void go(core *c, fsm_event e)
{
    if (fsm_handle(&c->fsm, e) != WZ_OK)
        log_debug("event %s ignored in state %s", fsm_event_name(e), fsm_state_name(fsm_get(&c->fsm)));
}

/* Input timeline position after the frames processed so far. */
static int64_t now_ms(const core *c) { return c->frames * c->frame_ms; }

/* --- pending audio ------------------------------------------------------ */

static int pending_init(pending_audio *p, size_t cap)
{
    memset(p, 0, sizeof *p);
    p->pcm = malloc(cap * sizeof *p->pcm);
    p->cap = cap;
    return p->pcm ? WZ_OK : WZ_NOMEM;
}

static void pending_clear(pending_audio *p)
{
    p->len = p->off = 0;
    p->rate = 0;
    p->ended = p->any = false;
    p->end_flags = 0;
}

/* Appends TTS audio. Audio that does not fit is dropped with an error; it
 * cannot happen with the bounds above unless a reply runs for minutes. */
static void pending_append(pending_audio *p, const int16_t *pcm, size_t n, int rate)
{
    if (p->rate && rate != p->rate) {
        log_error("reply audio changed rate from %d to %d Hz mid-reply; chunk dropped", p->rate, rate);
        return;
    }
    if (p->off && p->len + n > p->cap) {
        memmove(p->pcm, p->pcm + p->off, (p->len - p->off) * sizeof *p->pcm);
        p->len -= p->off;
        p->off = 0;
    }
    if (p->len + n > p->cap) {
        log_error("reply audio longer than the %zu-sample buffer; the rest is dropped", p->cap);
        return;
    }
    memcpy(p->pcm + p->len, pcm, n * sizeof *pcm);
    p->len += n;
    p->rate = rate;
    p->any = true;
}

/* --- capture ------------------------------------------------------------ */

static int16_t *pre_frame(core *c, int64_t f) { return c->pre + (size_t)(f % (int64_t)c->pre_frames) * c->frame_n; }

/* Ends the request in flight for a local reason (queue full, timeout). */
static void drop_capture(core *c, const char *interrupt_reason)
{
    if (c->capturing)
        endpoint_cancel(&c->ep);
    c->capturing = false;
    c->seeking_start = false;
    c->skip_tail = false;
    c->chunk_n = 0;
    if (c->cur_req && interrupt_reason && c->audio_started)
        core_send_control(c, MSG_INTERRUPT, c->cur_req, interrupt_reason);
    c->audio_started = false;
}

static bool send_audio(core *c, int type, uint16_t flags, const void *p, size_t len)
{
    int rc = msg_try_send(c->l->to_brain, type, flags, c->cur_req, p, len, (size_t)c->l->cfg->ipc_control_reserve);
    if (rc == WZ_OK)
        return true;
    c->stats.audio_dropped++;
    c->stats.requests_failed++;
    log_error("audio for request %llu not delivered (%s); ending the request (audio dropped: %llu)",
              (unsigned long long)c->cur_req, wz_strerror(rc), (unsigned long long)c->stats.audio_dropped);
    ev_emitf("error", "{s:s, s:s, s:I, s:I, s:I}", "component", "ipc", "message",
             "audio could not be delivered to the brain: queue full", "req_id", (json_int_t)c->cur_req,
             "audio_dropped", (json_int_t)c->stats.audio_dropped, "requests_failed",
             (json_int_t)c->stats.requests_failed);
    drop_capture(c, "queue_full");
    core_finish_request(c, true);
    go(c, FSM_EV_ERROR);
    return false;
}

/* A chunk sent while the endpointer counts silence carries PAUSE: the
 * brain then checks whether the words so far make a whole command. */
static bool flush_chunk(core *c)
{
    size_t n = c->chunk_n;
    c->chunk_n = 0;
    uint16_t flags = c->ep.in_speech && c->ep.silence_ms > 0 ? MSG_F_PAUSE : 0;
    if (!n || !send_audio(c, MSG_AUDIO_CHUNK, flags, c->chunk, n * sizeof(int16_t)))
        return !n;
    if ((flags & MSG_F_PAUSE) && !c->heard_owed) {
        c->heard_owed = true;
        c->heard_sent_ns = wz_now_ns();
    }
    return true;
}

/* Adds one frame of request audio; sends a chunk when CORE_CHUNK_MS is full.
 * Returns false when the request failed (queue full). */
static bool queue_frame(core *c, const int16_t *pcm)
{
    memcpy(c->chunk + c->chunk_n, pcm, c->frame_n * sizeof(int16_t));
    c->chunk_n += c->frame_n;
    return c->chunk_n + c->frame_n <= c->chunk_cap || flush_chunk(c);
}

static void endpoint_step(core *c, bool is_speech, int64_t f);

/* Feeds frame f's VAD decision to the endpointer: the smoothed one, except
 * while the wake word's tail may still be sounding (see skip_tail). */
static void endpoint_frame(core *c, int64_t f, bool use_raw)
{
    size_t slot = (size_t)(f % (int64_t)c->pre_frames);
    bool raw = c->pre_raw[slot];
    bool speech = use_raw ? raw : c->pre_vad[slot];
    if (c->skip_tail) {
        if (!raw || f * c->frame_ms >= c->wake_end_ms + CORE_WAKE_TAIL_MAX_MS)
            c->skip_tail = false;
        else
            speech = false;
    }
    endpoint_step(c, speech, f);
}

/* Speech began at frame f: the brain gets the request's audio from
 * CORE_SPEECH_PREROLL_MS before it (never before the capture's start), so
 * neither the wake word's tail nor the echo of an interrupted reply reaches
 * the recogniser. Returns false if the request failed. */
static bool begin_audio(core *c, int64_t f)
{
    int64_t begin = WZ_MAX(f - CORE_SPEECH_PREROLL_MS / c->frame_ms, c->capture_first);
    begin = WZ_MAX(begin, c->frames - (int64_t)c->pre_frames);
    /* The wake phrase goes along if it fits the queue's message bound; its
     * end matters most (it is nearest the command). */
    size_t fit = ((size_t)c->l->cfg->ipc_max_message_bytes - MSG_HEADER_BYTES) / sizeof(int16_t);
    size_t n = WZ_MIN(c->wake_n, fit);
    if (!send_audio(c, MSG_AUDIO_START, 0, c->wake_pcm + (c->wake_n - n), n * sizeof(int16_t)))
        return false;
    c->audio_started = true;
    c->audio_first = begin;
    for (int64_t g = begin; g <= f; g++)
        if (!queue_frame(c, pre_frame(c, g)))
            return false;
    return true;
}

static void endpoint_step(core *c, bool is_speech, int64_t f)
{
    endpoint_info info;
    endpoint_result r = endpoint_process(&c->ep, is_speech, &info);
    switch (r) {
    case ENDPOINT_NONE: break;
    case ENDPOINT_SPEECH_START:
        ev_emitf("speech_start", "{s:I}", "audio_ms", (json_int_t)(c->ep_origin_ms + info.speech_start_ms));
        (void)begin_audio(c, f);
        break;
    case ENDPOINT_SPEECH_END: {
        const char *why = info.reason == ENDPOINT_END_MAX        ? "max_length"
                          : info.reason == ENDPOINT_END_COMPLETE ? "complete"
                          : info.reason == ENDPOINT_END_CLOSED   ? "closed"
                                                                 : "silence";
        ev_emitf("speech_end", "{s:I, s:s}", "audio_ms", (json_int_t)(c->ep_origin_ms + info.speech_last_ms),
                 "reason", why);
        c->capturing = false;
        if (c->audio_started && flush_chunk(c) && send_audio(c, MSG_AUDIO_END, 0, why, strlen(why) + 1))
            go(c, FSM_EV_SPEECH_END);
        break;
    }
    case ENDPOINT_TIMEOUT:
        ev_emitf("listen_timeout", "{s:I}", "audio_ms", (json_int_t)now_ms(c));
        drop_capture(c, "timeout");
        c->cur_req = 0;
        go(c, FSM_EV_START_TIMEOUT);
        break;
    }
}

/* Starts listening for a request whose audio may begin at from_ms on the
 * input timeline: the buffered frames since then go through the endpointer,
 * so no command audio is lost between the end of the wake word and its
 * detection. Audio goes to the brain from the start of speech on
 * (begin_audio). */
static void start_capture(core *c, int64_t from_ms, bool after_wake)
{
    if (!c->cur_req)
        core_begin_request(c);
    c->capturing = true;
    c->audio_started = false;
    c->chunk_n = 0;
    /* An answer still owed belongs to the last utterance: the brain does not
     * answer a pause that AUDIO_END overtook, and --fast would wait for it. */
    c->heard_owed = false;
    if (!after_wake)
        c->wake_n = 0;
    int64_t first = from_ms / c->frame_ms;
    int64_t oldest = c->frames - (int64_t)c->pre_frames;
    if (first < oldest)
        first = oldest;
    if (first < 0)
        first = 0;
    if (first > c->frames)
        first = c->frames;
    c->ep_origin_ms = first * c->frame_ms;
    c->capture_first = first;
    log_debug("capture from %lld ms: replaying %lld buffered frames", (long long)from_ms, (long long)(c->frames - first));
    endpoint_start(&c->ep, after_wake);
    /* Buffered frames use the unsmoothed decision: the smoothed one still
     * carries the wake word's hangover into the pause after it. */
    for (int64_t f = first; f < c->frames && c->capturing; f++) {
        if (c->audio_started && !queue_frame(c, pre_frame(c, f)))
            return;
        endpoint_frame(c, f, true);
    }
}

/* --- playback ----------------------------------------------------------- */

static void stop_playback(core *c)
{
    audio_io_play_flush(c->aio);
    if (c->held) { /* after the flush, so the held audio never plays */
        audio_io_play_hold(c->aio, false);
        c->held = false;
    }
    pending_clear(&c->play);
    c->playing = false;
}

/* A wake word or the stop phrase while the assistant thinks or speaks. */
static void barge_in(core *c, const char *reason)
{
    bool was_playing = c->playing;
    stop_playback(c);
    if (c->cur_req)
        core_send_control(c, MSG_INTERRUPT, c->cur_req, reason);
    c->cur_req = 0; /* its reply, if any more arrives, is ignored */
    ev_emitf("interrupted", "{s:s, s:I, s:b}", "reason", reason, "audio_ms", (json_int_t)now_ms(c), "was_playing",
             was_playing);
    if (wake_reset(c->wake) != WZ_OK) /* the reply's tail must not complete a phrase */
        log_warn("wake word search reset failed");
}

static void feed_playback(core *c)
{
    pending_audio *p = &c->play;
    if (!p->any)
        return;
    size_t avail = p->len - p->off;
    if (!c->playing) {
        int64_t buffered_ms = (int64_t)avail * 1000 / p->rate;
        if (!avail || (!p->ended && buffered_ms < c->l->cfg->audio_prefill_ms))
            return;
        c->playing = true;
        ev_emitf("tts_start", "{s:I}", "audio_ms", (json_int_t)now_ms(c));
        if (fsm_get(&c->fsm) == FSM_THINKING)
            go(c, FSM_EV_TTS_START);
    }
    if (avail)
        p->off += audio_io_play(c->aio, p->pcm + p->off, avail, p->rate);
    if (p->ended && p->off == p->len && audio_io_play_pending(c->aio) == 0) {
        bool expects = (p->end_flags & MSG_F_EXPECTS_REPLY) != 0;
        ev_emitf("tts_end", "{s:I}", "audio_ms", (json_int_t)now_ms(c));
        c->playing = false;
        pending_clear(p);
        if (fsm_get(&c->fsm) != FSM_SPEAKING)
            return;
        go(c, expects ? FSM_EV_PLAYBACK_DONE_EXPECT_REPLY : FSM_EV_PLAYBACK_DONE);
        if (expects) {
            c->followup_until_ms = now_ms(c) + c->l->cfg->followup_ms;
            vad_reset(c->vad);
        }
    }
}

/* An announcement waits until nothing else is going on, then plays. */
static void maybe_start_announcement(core *c)
{
    if (!c->announce.ended || !c->announce.any || c->cur_req || c->playing || fsm_get(&c->fsm) != FSM_IDLE)
        return;
    pending_audio tmp = c->play;
    c->play = c->announce;
    c->announce = tmp;
    pending_clear(&c->announce);
    c->play.end_flags &= (uint16_t)~MSG_F_EXPECTS_REPLY;
    go(c, FSM_EV_ANNOUNCE);
}

void core_audio_on_announce(core *c, const msg *m)
{
    /* A new announcement's audio joins one still waiting: both play, in order. */
    c->announce_req = m->req_id;
    c->announce.ended = false;
}

void core_audio_on_tts(core *c, const msg *m)
{
    if (m->flags & MSG_F_ANNOUNCE) {
        if (m->req_id == c->announce_req)
            pending_append(&c->announce, m->pcm, m->pcm_samples, (int)m->rate);
        return;
    }
    if (m->req_id != c->cur_req || !c->cur_req)
        return; /* an abandoned request */
    pending_append(&c->play, m->pcm, m->pcm_samples, (int)m->rate);
}

void core_audio_on_tts_end(core *c, const msg *m)
{
    if (m->flags & MSG_F_ANNOUNCE) {
        if (m->req_id == c->announce_req)
            c->announce.ended = true;
        return;
    }
    if (m->req_id != c->cur_req || !c->cur_req)
        return;
    c->play.ended = true;
    c->play.end_flags = m->flags;
    bool had_audio = c->play.any;
    core_finish_request(c, (m->flags & MSG_F_ERROR) != 0);
    if (!had_audio) {
        pending_clear(&c->play);
        if (fsm_get(&c->fsm) == FSM_THINKING)
            go(c, FSM_EV_NO_REPLY);
    }
}

/* HEARD: the brain read the request's first m->num samples as a whole
 * command (flag COMPLETE) that no more words could change (CLOSED). */
void core_audio_on_heard(core *c, const msg *m)
{
    if (m->req_id != c->cur_req)
        return;
    c->heard_owed = false; /* one answer covers every sample sent before it */
    if (!(m->flags & MSG_F_COMPLETE) || !c->capturing || !c->audio_started)
        return;
    int64_t until_ms = c->audio_first * c->frame_ms + (int64_t)m->num * 1000 / WZ_SAMPLE_RATE;
    bool closed = (m->flags & MSG_F_CLOSED) != 0;
    log_debug("brain reads a whole command%s up to %lld ms: \"%s\"", closed ? ", closed," : "",
              (long long)until_ms, m->text);
    endpoint_heard_complete(&c->ep, until_ms - c->ep_origin_ms, closed);
}

void core_audio_abort(core *c, fsm_event ev)
{
    drop_capture(c, NULL);
    stop_playback(c);
    go(c, ev);
}

/* --- the frame loop ----------------------------------------------------- */

static float mean_square(const int16_t *p, size_t n)
{
    double e = 0;
    for (size_t i = 0; i < n; i++)
        e += (double)p[i] * p[i];
    return (float)(e / (double)n);
}

static core_level *level_at(const core *c, int64_t f)
{
    return &c->pre_lvl[f % (int64_t)c->pre_frames];
}

static double frame_energy(const core *c, int64_t f)
{
    return level_at(c, f)->mic;
}

/* Within CORE_ECHO_HOLD_MS of audible playback: the detectors hear the
 * canceller's output and the keyphrase search never skips. */
static bool echo_possible(const core *c, int64_t f)
{
    return f - c->last_ref <= CORE_ECHO_HOLD_MS / c->frame_ms;
}

/* The canceller's output at frame f is the microphone at f - aec_lag(). */
static int64_t aec_lag(const core *c)
{
    return c->aec_latency_ms / c->frame_ms;
}

/* Tracks how much of the echo the canceller removes: one figure per
 * CORE_ERLE_WINDOW_FRAMES frames of audible playback. */
static void track_erle(core *c, int64_t f, const core_level *lv)
{
    if (lv->ref <= CORE_REF_SILENT_MS2 || f < aec_lag(c))
        return;
    c->erle_mic += level_at(c, f - aec_lag(c))->mic;
    c->erle_out += lv->out;
    if (++c->erle_frames < CORE_ERLE_WINDOW_FRAMES)
        return;
    c->erle_db[c->erle_n++ % CORE_ERLE_WINDOWS] = (float)(10.0 * log10((c->erle_out + 1.0) / (c->erle_mic + 1.0)));
    c->erle_frames = 0;
    c->erle_mic = c->erle_out = 0;
}

/* The canceller's typical figure over the last windows (the median, so the
 * few windows where the user talked over the reply do not count), or NAN
 * while there are too few. */
static double echo_kept_db(const core *c)
{
    int n = WZ_MIN(c->erle_n, CORE_ERLE_WINDOWS);
    if (n < CORE_ERLE_MIN_WINDOWS)
        return NAN;
    float v[CORE_ERLE_WINDOWS];
    for (int i = 0; i < n; i++) { /* insertion sort: 16 values at most */
        int j = i;
        for (; j > 0 && v[j - 1] > c->erle_db[i]; j--)
            v[j] = v[j - 1];
        v[j] = c->erle_db[i];
    }
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* How closely the canceller's output over frames [f0, f1) follows the
 * reference: the Pearson correlation of their per-frame levels in dB, the
 * reference taken up to CORE_ECHO_CORR_LAG_MS earlier (the echo's delay
 * after alignment), best lag. Residual echo rises and falls with the reply's
 * syllables and pauses whatever the canceller left of it; the user's voice
 * does not. NAN if the span is too short to tell. Each level is converted
 * to dB once; only the reference's offset changes from lag to lag. */
static double echo_follows_ref(const core *c, int64_t f0, int64_t f1)
{
    enum { MAX_N = CORE_PREROLL_MS / 10, MAX_LAGS = CORE_ECHO_CORR_LAG_MS / 10 }; /* frames of 10 ms or more */
    int64_t lag = aec_lag(c), oldest = WZ_MAX(c->frames - (int64_t)c->pre_frames, 0);
    int n = (int)(f1 - f0);
    int lags = (int)WZ_MIN(CORE_ECHO_CORR_LAG_MS / c->frame_ms, f0 - lag - oldest); /* d = 0..lags */
    if (n < CORE_ECHO_CORR_MIN_FRAMES || n > MAX_N || lags < 0)
        return NAN;
    double x[MAX_N], y[MAX_N + MAX_LAGS]; /* y[j]: the reference at f0 - lag - lags + j */
    double sx = 0, sxx = 0;
    for (int i = 0; i < n; i++) {
        x[i] = 10.0 * log10(level_at(c, f0 + i)->out + 1.0);
        sx += x[i], sxx += x[i] * x[i];
    }
    for (int j = 0; j < n + lags; j++)
        y[j] = 10.0 * log10(level_at(c, f0 - lag - lags + j)->ref + 1.0);
    double vx = sxx - sx * sx / n, best = NAN;
    if (vx <= 0)
        return NAN;
    for (int d = 0; d <= lags; d++) {
        const double *yd = y + lags - d;
        double sy = 0, syy = 0, sxy = 0;
        for (int i = 0; i < n; i++)
            sy += yd[i], syy += yd[i] * yd[i], sxy += x[i] * yd[i];
        double vy = syy - sy * sy / n;
        if (vy <= 0)
            continue;
        double r = (sxy - sx * sy / n) / sqrt(vx * vy);
        if (isnan(best) || r > best)
            best = r;
    }
    return best;
}

/* Was this wake word or stop phrase the assistant's own voice? While a reply
 * plays, the echo canceller removes the echo and leaves the user's voice.
 * The recogniser cannot tell the two apart (its features are normalised for
 * level), so a phrase heard while playback was audible is judged here:
 *   - it lost more than bargein.echo_guard_db in the canceller: the reply's
 *     own, whatever else is true;
 *   - the canceller's output over the phrase clearly does not follow the
 *     reply's level (echo_follows_ref() < CORE_ECHO_CORR_USER): the user's;
 *   - otherwise (or too short to tell), by energy: a phrase the user said
 *     keeps most of its energy through the canceller (4-10 dB less with the
 *     echo 6 dB louder than the direct sound), one heard in the reply's echo
 *     only as much as the canceller leaves of any echo. So it is the reply's
 *     own if the canceller has not been measured yet
 *     (CORE_ERLE_MIN_WINDOWS) or it kept less than bargein.echo_margin_db
 *     more than the echo does.
 * The level test decides the first reply after start-up, where the energy
 * test cannot: the canceller is still learning, and its early windows make
 * a user's phrase look like echo (docs/listening.md, "Own-voice check").
 * Looks at [start_ms, end_ms) of the detectors' timeline; *kept_db is the
 * share of the phrase's energy the canceller left, *echo_db the echo's,
 * *ref_corr how closely the phrase follows the reply (NAN where nothing
 * audible played). */
static bool heard_own_voice(const core *c, const wake_hit *h, double *kept_db, double *echo_db, double *ref_corr)
{
    const wz_config *cfg = c->l->cfg;
    int64_t lag = aec_lag(c);
    int64_t oldest = WZ_MAX(c->frames - (int64_t)c->pre_frames, 0) + lag;
    int64_t f0 = WZ_MAX(h->start_ms / c->frame_ms, oldest), f1 = WZ_MIN(h->end_ms / c->frame_ms, c->frames);
    double mic = 0, out = 0, ref = 0;
    for (int64_t f = f0; f < f1; f++) {
        const core_level *in = level_at(c, f - lag);
        mic += in->mic;
        ref += in->ref;
        out += level_at(c, f)->out;
    }
    *kept_db = 10.0 * log10((out + 1.0) / (mic + 1.0));
    *echo_db = echo_kept_db(c);
    *ref_corr = NAN;
    bool played = f1 > f0 && ref / (double)(f1 - f0) > CORE_REF_SILENT_MS2;
    if (!c->aec || !cfg->bargein_echo_check || !played)
        return false;
    *ref_corr = echo_follows_ref(c, f0, f1);
    if (cfg->bargein_echo_guard_db > 0 && *kept_db < -cfg->bargein_echo_guard_db)
        return true;
    if (*ref_corr < CORE_ECHO_CORR_USER)
        return false;
    return isnan(*echo_db) || *kept_db < *echo_db + cfg->bargein_echo_margin_db;
}

/* Where the command starts. PocketSphinx reports the end of the wake word
 * early (on the evaluation corpus, whose "hey wiser" is synthesised alone
 * and drawn out, p50 ~130 ms before its sound ends and up to 340 ms) and
 * detects it 100-250 ms after it ends, so the pause before the command may
 * not even be captured yet. For
 * CORE_WAKE_TAIL_SEARCH_MS after the reported end, each new frame is
 * checked: the first run of CORE_PAUSE_FRAMES frames 20 dB below the wake
 * word's loudest frame is the pause (a plosive's closure inside a word is
 * shorter), and the command starts there; a run that starts later than
 * CORE_PAUSE_NEAR_MS after the reported end must last CORE_PAUSE_FAR_FRAMES.
 * With no pause (the command follows at once, or noise hides the pause) it
 * starts at the reported end.
 * Called per frame while seeking_start; returns -1 while still looking. */
static int64_t command_start_ms(const core *c)
{
    int64_t oldest = WZ_MAX(c->frames - (int64_t)c->pre_frames, 0);
    int64_t f = WZ_MAX(c->wake_end_ms / c->frame_ms, oldest);
    int64_t last = (c->wake_end_ms + CORE_WAKE_TAIL_SEARCH_MS) / c->frame_ms;
    int run = 0;
    for (; f <= last && f < c->frames; f++) {
        run = frame_energy(c, f) < c->wake_peak * 0.01 ? run + 1 : 0;
        int64_t first = f - run + 1;
        bool near = first * c->frame_ms <= c->wake_end_ms + CORE_PAUSE_NEAR_MS;
        if (run == (near ? CORE_PAUSE_FRAMES : CORE_PAUSE_FAR_FRAMES))
            return first * c->frame_ms;
    }
    return c->frames > last ? c->wake_end_ms : -1;
}

static void seek_command_start(core *c)
{
    int64_t from = command_start_ms(c);
    if (from < 0)
        return;
    c->seeking_start = false;
    c->skip_tail = true;
    log_debug("wake word %lld-%lld ms; command audio from %lld ms", (long long)c->wake_start_ms, (long long)c->wake_end_ms, (long long)from);
    start_capture(c, from, true);
}

/* Copies the wake phrase (CORE_WAKE_CONTEXT_*) out of the pre-roll for
 * AUDIO_START, which may come long after it has left the ring. */
static void keep_wake_phrase(core *c, int64_t oldest)
{
    int64_t last = WZ_MIN(c->wake_end_ms / c->frame_ms, c->frames);
    int64_t first = (c->wake_start_ms - CORE_WAKE_CONTEXT_LEAD_MS) / c->frame_ms;
    first = WZ_MAX(first, last - CORE_WAKE_CONTEXT_MS / c->frame_ms);
    first = WZ_MAX(first, oldest);
    c->wake_n = 0;
    if (echo_possible(c, first))
        return;
    for (int64_t g = first; g < last; g++, c->wake_n += c->frame_n)
        memcpy(c->wake_pcm + c->wake_n, pre_frame(c, g), c->frame_n * sizeof(int16_t));
}

static void on_wake(core *c, const wake_hit *h)
{
    int64_t end_ms = h->end_ms - c->aec_latency_ms; /* detectors see the canceller's output */
    ev_emitf("wake", "{s:s, s:I, s:I}", "keyword", h->keyword, "audio_ms", (json_int_t)end_ms, "detect_ms",
             (json_int_t)(h->detect_ms - c->aec_latency_ms));
    fsm_state s = fsm_get(&c->fsm);
    if (s == FSM_LISTENING)
        return; /* already listening: the phrase is part of the request */
    if (s == FSM_IDLE && !c->hotword)
        return;
    if (s == FSM_THINKING || s == FSM_SPEAKING)
        barge_in(c, "wake");
    go(c, FSM_EV_WAKE);
    core_begin_request(c); /* the request exists from the wake word on */
    c->wake_start_ms = h->start_ms - c->aec_latency_ms;
    c->wake_end_ms = end_ms;
    /* The pause after the wake word is judged against its loudest frame,
     * measured once here rather than on every frame of the search. */
    c->wake_peak = 0;
    int64_t oldest = WZ_MAX(c->frames - (int64_t)c->pre_frames, 0);
    for (int64_t g = WZ_MAX(c->wake_start_ms / c->frame_ms, oldest); g < end_ms / c->frame_ms && g < c->frames; g++)
        c->wake_peak = WZ_MAX(c->wake_peak, frame_energy(c, g));
    keep_wake_phrase(c, oldest);
    c->seeking_start = true;
    seek_command_start(c);
}

/* A stage-1 candidate waits 60 ms for the audio after it before stage 2
 * checks it, and live the check then takes 50-100 ms on its own thread (more
 * on a busy machine). A wake word or stop phrase heard over the reply holds
 * the reply meanwhile, so a barge-in stops it at stage 1's pace; a
 * candidate that is rejected, or turns out to be the reply's own voice, lets
 * it play on from where it stopped (bargein.hold). In file mode the check
 * is inline, so only the wait holds. */
static void hold_for_check(core *c)
{
    wake_hit cand;
    double kept_db, echo_db, ref_corr;
    /* The own-voice check is made once, when a hold would start: its
     * figures move with every frame, and a hold must not flicker. */
    bool hold = c->l->cfg->bargein_hold && c->playing && fsm_get(&c->fsm) == FSM_SPEAKING &&
                wake_checking(c->wake, &cand) && cand.end_ms != c->hold_expired_end &&
                (c->held || !heard_own_voice(c, &cand, &kept_db, &echo_db, &ref_corr));
    if (hold && c->held && now_ms(c) - c->held_from_ms >= CORE_HOLD_MAX_MS) {
        c->hold_expired_end = cand.end_ms; /* play on; this candidate holds no more */
        hold = false;
    }
    if (hold == c->held)
        return;
    c->held = hold;
    audio_io_play_hold(c->aio, hold);
    if (hold) {
        c->held_from_ms = now_ms(c);
        ev_emitf("playback_held", "{s:s, s:I}", "keyword", cand.keyword, "audio_ms", (json_int_t)now_ms(c));
    } else {
        ev_emitf("playback_resumed", "{s:I, s:I}", "audio_ms", (json_int_t)now_ms(c), "held_ms",
                 (json_int_t)(now_ms(c) - c->held_from_ms));
    }
}

static void process_frame(core *c)
{
    int64_t f = c->frames++;
    memcpy(pre_frame(c, f), c->mic, c->frame_n * sizeof(int16_t));
    core_level *lv = level_at(c, f);
    lv->mic = mean_square(c->mic, c->frame_n);
    lv->ref = mean_square(c->ref, c->frame_n);
    if (c->aec) {
        /* The detectors hear the canceller's output only while there may
         * be echo: its noise suppressor, which the residual echo
         * suppression works through, tripled the false wakes on speech with
         * nothing playing (docs/listening.md). Otherwise they hear the
         * microphone itself, delayed by the canceller's latency so that
         * positions stay on one timeline. Once its history of the
         * reference is silence, the canceller itself is skipped
         * (aec_idle: the suppressor's noise estimate stays current and the
         * filter keeps what it learned); it was most of the idle cost. */
        if (lv->ref > CORE_REF_SILENT_MS2)
            c->last_ref = f;
        if (f - c->last_ref <= c->aec_hold)
            aec_process(c->aec, c->mic, c->ref, c->clean);
        else
            aec_idle(c->aec, c->mic, c->clean);
        lv->out = mean_square(c->clean, c->frame_n);
        if (!echo_possible(c, f) && f >= aec_lag(c))
            memcpy(c->clean, pre_frame(c, f - aec_lag(c)), c->frame_n * sizeof(int16_t));
    } else {
        memcpy(c->clean, c->mic, c->frame_n * sizeof(int16_t));
        lv->out = lv->mic;
    }
    track_erle(c, f, lv);
    bool speech = vad_process(c->vad, c->clean, (int)c->frame_n) == 1;
    c->pre_vad[f % (int64_t)c->pre_frames] = speech;
    c->pre_raw[f % (int64_t)c->pre_frames] = vad_raw(c->vad);

    wake_hit hit;
    /* The keyphrase search skips silence (wake_skip): frames more than
     * CORE_WAKE_HOLD_MS after the VAD last heard speech, unless playback
     * may be echoing. */
    if (speech)
        c->last_speech = f;
    bool quiet = f - c->last_speech > CORE_WAKE_HOLD_MS / c->frame_ms && !echo_possible(c, f);
    /* While a reply plays, the search also listens for the wake phrase
     * without its last phone, so a barge-in holds the reply sooner. */
    wake_hear_echo(c->wake, c->aec && echo_possible(c, f));
    if (wake_listen_early(c->wake, c->playing && fsm_get(&c->fsm) == FSM_SPEAKING) != WZ_OK)
        log_warn("wake: cannot switch the keyphrase search");
    int w = quiet ? wake_skip(c->wake, c->clean, (int)c->frame_n, &hit)
                  : wake_process(c->wake, c->clean, (int)c->frame_n, &hit);
    feed_playback(c);

    fsm_state s = fsm_get(&c->fsm);
    double kept_db = 0, echo_db = NAN, ref_corr = NAN;
    if ((w == WAKE_HIT || w == WAKE_STOP) && heard_own_voice(c, &hit, &kept_db, &echo_db, &ref_corr)) {
        /* JSON has no NaN: an unmeasured canceller is reported as null. */
        ev_emitf("own_voice", "{s:s, s:I, s:f, s:o, s:o}", "keyword", hit.keyword, "audio_ms",
                 (json_int_t)(hit.end_ms - c->aec_latency_ms), "kept_db", kept_db, "echo_db",
                 isnan(echo_db) ? json_null() : json_real(echo_db), "ref_corr",
                 isnan(ref_corr) ? json_null() : json_real(ref_corr));
        log_debug("\"%s\" ignored as the reply's own voice: %.1f dB kept through the canceller, echo %.1f dB, "
                  "follows the reply %.2f", hit.keyword, kept_db, echo_db, ref_corr);
        w = WAKE_NONE;
    } else if (w == WAKE_HIT || w == WAKE_STOP) {
        log_debug("\"%s\": %.1f dB kept through the canceller, echo %.1f dB, follows the reply %.2f", hit.keyword,
                  kept_db, echo_db, ref_corr);
    }
    if (w == WAKE_HIT) {
        on_wake(c, &hit);
    } else if (w == WAKE_STOP && s == FSM_SPEAKING) {
        barge_in(c, "stop");
        go(c, FSM_EV_STOP_PHRASE);
    } else if (s == FSM_LISTENING && c->seeking_start) {
        seek_command_start(c);
    } else if (s == FSM_LISTENING && c->capturing) {
        if (!c->audio_started || queue_frame(c, c->mic)) {
            endpoint_frame(c, f, false);
            /* The first frame of a pause goes out at once, so the brain
             * can judge the words before the pause without waiting for a
             * full chunk. */
            if (c->capturing && c->audio_started && c->ep.silence_ms == c->frame_ms)
                (void)flush_chunk(c);
        }
    } else if ((s == FSM_IDLE && !c->hotword) || s == FSM_FOLLOWUP) {
        if (speech) {
            go(c, FSM_EV_SPEECH_START);
            start_capture(c, now_ms(c) - CORE_ONSET_PREROLL_MS, false);
        } else if (s == FSM_FOLLOWUP && now_ms(c) >= c->followup_until_ms) {
            go(c, FSM_EV_FOLLOWUP_TIMEOUT);
        }
    }
    hold_for_check(c);
    maybe_start_announcement(c);
    status_update(c);
}

/* With --input the audio clock waits for the brain: before it is ready,
 * and (with --fast) while it works or while its queue is too full to take
 * the next chunk, so results do not depend on how fast this machine is.
 * Live capture never waits; it drops and reports instead. */
static bool clock_waits(core *c, fsm_state s)
{
    if (!c->l->opts->input)
        return false;
    if (!c->brain_ready)
        return true;
    if (!c->l->opts->fast)
        return false;
    if (s == FSM_THINKING && c->cur_req && !c->play.ended)
        return true;
    /* The brain's verdict on a pause decides where the utterance ends, so
     * --fast waits for it as real time would (bounded, in case it is lost). */
    if (c->capturing && c->heard_owed) {
        if (wz_now_ns() - c->heard_sent_ns < (int64_t)CORE_HEARD_WAIT_MS * 1000000)
            return true;
        log_warn("no answer from the brain on a pause within %d ms; going on", CORE_HEARD_WAIT_MS);
        c->heard_owed = false;
    }
    size_t room = ipcq_capacity(c->l->to_brain) - ipcq_depth(c->l->to_brain);
    return c->capturing && room <= (size_t)c->l->cfg->ipc_control_reserve + 1;
}

/* Reports a microphone that stopped delivering samples, and its return:
 * otherwise Wyzer would just go deaf without a word. */
static void emit_mic(const core *c, const char *state)
{
    ev_emitf("mic", "{s:s, s:I}", "state", state, "audio_ms", (json_int_t)(c->frames * c->frame_ms));
}

static void watch_capture(core *c, bool timed_out)
{
    if (!timed_out) {
        if (c->mic_silent) {
            log_info("audio: the microphone delivers audio again");
            emit_mic(c, "ok");
        }
        c->no_audio_ns = 0;
        c->mic_silent = false;
        return;
    }
    int64_t now = wz_now_ns();
    if (c->no_audio_ns == 0)
        c->no_audio_ns = now;
    if (c->mic_silent || now - c->no_audio_ns < (int64_t)CORE_MIC_SILENT_MS * 1000000)
        return;
    c->mic_silent = true;
    log_warn("audio: no samples from the microphone for %d s: was the input device removed or "
             "suspended, or the stream moved to a source that produces nothing? (--list-devices, "
             "audio.input_device)",
             CORE_MIC_SILENT_MS / 1000);
    emit_mic(c, "silent");
}

bool core_audio_step(core *c, int *exit_code)
{
    fsm_state s = fsm_get(&c->fsm);
    if (clock_waits(c, s)) {
        core_pump(c, c->brain_ready ? 1 : 10);
        return true;
    }
    if (audio_io_input_ended(c->aio) && s == FSM_IDLE && !c->cur_req && !c->playing &&
        !(c->announce.any && c->announce.ended)) {
        *exit_code = c->any_failed ? WZ_EXIT_FAILED : WZ_EXIT_OK;
        return false;
    }
    int rc = audio_io_read_frame(c->aio, c->mic, c->ref, 100);
    watch_capture(c, rc == WZ_TIMEDOUT);
    if (rc == WZ_TIMEDOUT) {
        /* No capture (a stalled device, a silent pipe source): playback
         * must not depend on the microphone. */
        feed_playback(c);
        maybe_start_announcement(c);
        return true;
    }
    if (rc != WZ_OK) {
        log_error("audio failed: %s", wz_strerror(rc));
        ev_emitf("error", "{s:s, s:s}", "component", "audio", "message", wz_strerror(rc));
        *exit_code = WZ_EXIT_FAILED;
        return false;
    }
    if (!c->brain_ready) {
        /* Live, brain still loading: ignore the audio but keep the clock,
         * the wake word's included, so that every audio_ms is on one
         * timeline (they were apart by the loading time). */
        c->frames++;
        wake_hit ignored;
        (void)wake_skip(c->wake, c->mic, (int)c->frame_n, &ignored);
        return true;
    }
    process_frame(c);
    return true;
}

/* --- set-up ------------------------------------------------------------- */

int core_audio_open(core *c, char *err, size_t errlen)
{
    const wz_config *cfg = c->l->cfg;
    const wz_opts *o = c->l->opts;
    c->frame_ms = (int)cfg->audio_frame_ms;
    c->frame_n = (size_t)(WZ_SAMPLE_RATE / 1000 * c->frame_ms);
    c->hotword = cfg->wake_enabled && !o->no_hotword;
    fsm_init(&c->fsm, on_transition, c);

    int rc = o->input ? audio_io_open_file(&c->aio, o->input, o->output, o->fast, o->echo, c->frame_ms, err, errlen)
                      : audio_io_open_live(&c->aio, cfg, o->device, c->frame_ms, err, errlen);
    if (rc != WZ_OK)
        return rc;

    vad_config vc;
    vad_config_from(&vc, cfg);
    if ((rc = vad_create(&c->vad, &vc)) != WZ_OK) {
        snprintf(err, errlen, "cannot create the voice activity detector: %s", wz_strerror(rc));
        return rc;
    }
    wake_config wc;
    if ((rc = wake_config_from(&wc, cfg, err, errlen)) != WZ_OK)
        return rc;
    wc.async = !o->input; /* live: stage 2 off the frame thread; files: inline, so runs repeat exactly */
    wc.early = cfg->bargein_hold; /* the hold starts before the phrase's last phone is heard */
    if (wc.async && cfg->audio_realtime_priority > 1)
        wc.verify_priority = (int)cfg->audio_realtime_priority - 1; /* the frame thread preempts it */
    if ((rc = wake_create(&c->wake, &wc, err, errlen)) != WZ_OK)
        return rc;
    if (cfg->aec_enabled) {
        aec_config ac;
        aec_config_from(&ac, cfg);
        if ((rc = aec_create(&c->aec, &ac)) != WZ_OK) {
            snprintf(err, errlen, "cannot create the echo canceller (aec.*): %s", wz_strerror(rc));
            return rc;
        }
        c->aec_latency_ms = aec_latency_samples(c->aec) * 1000 / WZ_SAMPLE_RATE;
        c->aec_hold = WZ_MAX(CORE_ECHO_HOLD_MS, ac.tail_ms + c->frame_ms) / c->frame_ms;
    }
    endpoint_config ec;
    endpoint_config_from(&ec, cfg);
    if ((rc = endpoint_init(&c->ep, &ec)) != WZ_OK) {
        snprintf(err, errlen, "bad listen.* settings: need end_silence_ms <= max_ms, complete_silence_ms 0 or at most end_silence_ms, and closed_silence_ms 0 or at most complete_silence_ms");
        return rc;
    }
    c->last_ref = INT64_MIN / 2;
    c->last_speech = INT64_MIN / 2;
    c->hold_expired_end = -1;
    c->pre_frames = (size_t)(CORE_PREROLL_MS / c->frame_ms);
    c->mic = calloc(c->frame_n, sizeof(int16_t));
    c->ref = calloc(c->frame_n, sizeof(int16_t));
    c->clean = calloc(c->frame_n, sizeof(int16_t));
    c->pre = calloc(c->pre_frames * c->frame_n, sizeof(int16_t));
    c->pre_lvl = calloc(c->pre_frames, sizeof(core_level));
    c->pre_vad = calloc(c->pre_frames, sizeof(bool));
    c->pre_raw = calloc(c->pre_frames, sizeof(bool));
    c->chunk_cap = (size_t)(CORE_CHUNK_MS / c->frame_ms) * c->frame_n;
    c->chunk = calloc(c->chunk_cap, sizeof(int16_t));
    c->wake_pcm = calloc((size_t)(CORE_WAKE_CONTEXT_MS / c->frame_ms) * c->frame_n, sizeof(int16_t));
    if (!c->wake_pcm || !c->mic || !c->ref || !c->clean || !c->pre || !c->pre_lvl || !c->pre_vad || !c->pre_raw || !c->chunk ||
        pending_init(&c->play, (size_t)CORE_REPLY_AUDIO_S * 24000) != WZ_OK ||
        pending_init(&c->announce, (size_t)CORE_ANNOUNCE_AUDIO_S * 24000) != WZ_OK) {
        snprintf(err, errlen, "out of memory for audio buffers");
        return WZ_NOMEM;
    }
    if ((rc = audio_io_start(c->aio)) != WZ_OK) {
        snprintf(err, errlen, "cannot start audio: %s", wz_strerror(rc));
        return rc;
    }
    status_init(c);
    log_info("listening (%s, %d ms frames, wake word %s)", o->input ? o->input : "microphone", c->frame_ms,
             c->hotword ? cfg->wake_words : "off");
    return WZ_OK;
}

void core_audio_close(core *c)
{
    status_clear(c);
    audio_io_close(c->aio);
    c->aio = NULL;
    vad_destroy(c->vad);
    wake_destroy(c->wake);
    aec_destroy(c->aec);
    free(c->mic);
    free(c->ref);
    free(c->clean);
    free(c->pre);
    free(c->pre_lvl);
    free(c->pre_vad);
    free(c->pre_raw);
    free(c->chunk);
    free(c->wake_pcm);
    free(c->play.pcm);
    free(c->announce.pcm);
    c->vad = NULL;
    c->wake = NULL;
    c->aec = NULL;
    c->mic = c->ref = c->clean = c->pre = c->chunk = c->wake_pcm = c->play.pcm = c->announce.pcm = NULL;
    c->pre_vad = c->pre_raw = NULL;
    c->pre_lvl = NULL;
}
