/* tts_flite.c: Flite TTS, streaming through a worker thread.
 *
 * Flite pushes audio through a callback (cst_audio_streaming_info.asc) while
 * it synthesises; our API is pull-based. A worker thread owned by the engine
 * runs flite_ts_to_speech() for each text (a token stream, so Flite splits it
 * into sentence utterances and streams from the first); the callback copies each
 * chunk into a bounded ring (RING_SAMPLES) and blocks while the ring is full,
 * so a long sentence never buffers more than ~2 s ahead of playback. pull()
 * takes from the ring. Cancel sets a flag; the callback returns
 * CST_AUDIO_STREAM_STOP at its next chunk (every MIN_BUFF_SAMPLES), so
 * synthesis stops within one chunk's compute time (~1 ms for slt).
 *
 * Flite's voices carry the streaming hook as a feature, so synthesis holds
 * the process-wide Flite lock (flite_glue.h): two Flite engines in one
 * process take turns. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "brain/flite_glue.h"
#include "brain/tts.h"

/* 2 s at 16 kHz: enough read-ahead to ride out scheduling hiccups. */
#define RING_SAMPLES 32000
/* Flite hands audio over in chunks of at least this many samples; 256
 * (16 ms) keeps the first chunk early (measured ~15 ms for slt). */
#define MIN_BUFF_SAMPLES 256

typedef struct fl_tts {
    tts base;
    cst_voice *voice;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* any state change */
    char *job;         /* text to synthesise, owned; NULL when none */
    bool busy;         /* worker is inside flite_text_to_speech */
    bool done;         /* current sentence fully synthesised (or stopped) */
    bool stop;         /* cancel current sentence */
    bool quit;
    int16_t ring[RING_SAMPLES];
    size_t head, count;
    int rate;
} fl_tts;

static void deadline_after(struct timespec *ts, int ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static int on_audio(const cst_wave *w, int start, int size, int last, cst_audio_streaming_info *asi)
{
    fl_tts *f = asi->userdata;
    pthread_mutex_lock(&f->mu);
    f->rate = w->sample_rate;
    int i = 0;
    while (i < size) {
        while (f->count == RING_SAMPLES && !f->stop && !f->quit)
            pthread_cond_wait(&f->cv, &f->mu);
        if (f->stop || f->quit) {
            pthread_mutex_unlock(&f->mu);
            return CST_AUDIO_STREAM_STOP;
        }
        size_t space = RING_SAMPLES - f->count;
        size_t k = WZ_MIN(space, (size_t)(size - i));
        for (size_t j = 0; j < k; j++)
            f->ring[(f->head + f->count + j) % RING_SAMPLES] = w->samples[start + i + (int)j];
        f->count += k;
        i += (int)k;
        pthread_cond_broadcast(&f->cv);
    }
    pthread_mutex_unlock(&f->mu);
    return CST_AUDIO_STREAM_CONT;
}

static void *worker(void *arg)
{
    fl_tts *f = arg;
    pthread_mutex_lock(&f->mu);
    for (;;) {
        while (!f->job && !f->quit)
            pthread_cond_wait(&f->cv, &f->mu);
        if (f->quit)
            break;
        char *text = f->job;
        f->job = NULL;
        f->busy = true;
        pthread_mutex_unlock(&f->mu);

        flite_glue_lock();
        cst_audio_streaming_info *asi = new_audio_streaming_info();
        asi->min_buffsize = MIN_BUFF_SAMPLES;
        asi->asc = on_audio;
        asi->userdata = f;
        /* The voice's feature list takes ownership of asi. */
        feat_set(f->voice->features, "streaming_info", audio_streaming_info_val(asi));
        /* A token stream splits the text into utterances at sentence ends,
         * so the first audio comes after analysing the first sentence, not
         * the whole text (flite_text_to_speech makes one utterance). */
        cst_tokenstream *ts = ts_open_string(
            text, get_param_string(f->voice->features, "text_whitespace", cst_ts_default_whitespacesymbols),
            get_param_string(f->voice->features, "text_singlecharsymbols", cst_ts_default_singlecharsymbols),
            get_param_string(f->voice->features, "text_prepunctuation", cst_ts_default_prepunctuationsymbols),
            get_param_string(f->voice->features, "text_postpunctuation", cst_ts_default_postpunctuationsymbols));
        if (ts)
            flite_ts_to_speech(ts, f->voice, "none"); /* closes ts itself */
        feat_remove(f->voice->features, "streaming_info");
        flite_glue_unlock();
        free(text);

        pthread_mutex_lock(&f->mu);
        f->busy = false;
        f->done = true;
        pthread_cond_broadcast(&f->cv);
    }
    pthread_mutex_unlock(&f->mu);
    return NULL;
}

static int fl_create(tts **out, const wz_config *cfg, char *err, size_t errlen)
{
    flite_glue_init();
    flite_glue_lock();
    cst_voice *v = flite_glue_voice(cfg->tts_voice);
    flite_glue_unlock();
    if (!v) {
        snprintf(err, errlen, "unknown voice '%s' (config key tts.voice; choose slt, awb, rms or kal16)",
                 cfg->tts_voice);
        return WZ_CONFIG;
    }
    fl_tts *f = calloc(1, sizeof *f);
    if (!f)
        return WZ_NOMEM;
    f->voice = v;
    f->done = true;
    f->rate = WZ_SAMPLE_RATE;
    pthread_mutex_init(&f->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&f->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&f->thread, NULL, worker, f) != 0) {
        pthread_cond_destroy(&f->cv);
        pthread_mutex_destroy(&f->mu);
        free(f);
        snprintf(err, errlen, "cannot start the synthesis thread");
        return WZ_ENGINE;
    }
    *out = &f->base;
    return WZ_OK;
}

static void fl_destroy(tts *t)
{
    fl_tts *f = (fl_tts *)t;
    pthread_mutex_lock(&f->mu);
    f->quit = true;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    pthread_join(f->thread, NULL);
    free(f->job);
    pthread_cond_destroy(&f->cv);
    pthread_mutex_destroy(&f->mu);
    free(f);
}

static int fl_begin(tts *t, const char *text)
{
    fl_tts *f = (fl_tts *)t;
    char *copy = strdup(text);
    if (!copy)
        return WZ_NOMEM;
    pthread_mutex_lock(&f->mu);
    /* Stop and wait out the previous sentence so its audio cannot leak in. */
    f->stop = true;
    pthread_cond_broadcast(&f->cv);
    while (f->busy)
        pthread_cond_wait(&f->cv, &f->mu);
    free(f->job);
    f->stop = false;
    f->head = f->count = 0;
    f->done = false;
    f->job = copy;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    return WZ_OK;
}

static int fl_pull(tts *t, int16_t *buf, size_t cap, size_t *n, int *rate, bool *done, int timeout_ms)
{
    fl_tts *f = (fl_tts *)t;
    struct timespec dl;
    if (timeout_ms > 0)
        deadline_after(&dl, timeout_ms);
    pthread_mutex_lock(&f->mu);
    int rc = WZ_OK;
    while (f->count == 0 && !(f->done && !f->job) && !atomic_load(&t->canceled)) {
        if (timeout_ms == 0) {
            rc = WZ_AGAIN;
            break;
        }
        if (timeout_ms < 0)
            pthread_cond_wait(&f->cv, &f->mu);
        else if (pthread_cond_timedwait(&f->cv, &f->mu, &dl) != 0) {
            rc = WZ_AGAIN;
            break;
        }
    }
    if (atomic_load(&t->canceled))
        rc = WZ_CANCELED;
    if (rc == WZ_OK) {
        size_t k = WZ_MIN(cap, f->count);
        for (size_t i = 0; i < k; i++)
            buf[i] = f->ring[(f->head + i) % RING_SAMPLES];
        f->head = (f->head + k) % RING_SAMPLES;
        f->count -= k;
        *n = k;
        *rate = f->rate;
        *done = f->count == 0 && f->done && !f->job;
        pthread_cond_broadcast(&f->cv); /* space for the callback */
    }
    pthread_mutex_unlock(&f->mu);
    return rc;
}

static void fl_cancel(tts *t)
{
    fl_tts *f = (fl_tts *)t;
    pthread_mutex_lock(&f->mu); /* held only briefly by every other path */
    f->stop = true;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
}

const tts_vtable tts_flite_vtable = {
    .name = "flite",
    .create = fl_create,
    .destroy = fl_destroy,
    .begin = fl_begin,
    .pull = fl_pull,
    .cancel = fl_cancel,
};

/* For tests: is the worker still synthesising? */
bool tts_flite_busy(tts *t)
{
    fl_tts *f = (fl_tts *)t;
    pthread_mutex_lock(&f->mu);
    bool b = f->busy;
    pthread_mutex_unlock(&f->mu);
    return b;
}
