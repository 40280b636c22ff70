/* tts.h: text-to-speech engines behind one small vtable.
 *
 * Call sequence, once per reply sentence (the brain loop):
 *   tts_begin(t, sentence)                  (normalised here: see normalize.h)
 *   loop: tts_pull(t, buf, cap, &n, &rate, &done, timeout_ms)
 *         send n samples at rate to core (AUDIO_OUT); stop when done
 *   INTERRUPT -> tts_cancel(t)              (any thread; pull then returns
 *                                            WZ_CANCELED, synthesis stops)
 * A new tts_begin() abandons whatever the previous sentence had left.
 *
 * Engines: "flite" (default, in-process, streaming) and "piper" (a long-lived
 * child process). Adding an engine = one file defining a tts_vtable plus one
 * line in tts.c. Selection is by cfg->tts_engine; a failure names the engine,
 * the reason and the config key, and the caller exits 2. Never falls back.
 *
 * Threading: one owner thread calls everything except tts_cancel(), which is
 * safe from any thread. Not for the audio thread. */
#ifndef WZ_TTS_H
#define WZ_TTS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/config.h"
#include "common/wz.h"

/* Longest sentence accepted by tts_begin (before normalisation). */
#define TTS_MAX_TEXT 4096

typedef struct tts tts;

typedef struct tts_vtable {
    const char *name; /* the value of tts.engine */
    int (*create)(tts **out, const wz_config *cfg, char *err, size_t errlen);
    void (*destroy)(tts *t);
    int (*begin)(tts *t, const char *text); /* text is already normalised */
    int (*pull)(tts *t, int16_t *buf, size_t cap, size_t *n, int *rate, bool *done, int timeout_ms);
    void (*cancel)(tts *t); /* thread-safe, non-blocking; may be NULL */
} tts_vtable;

/* Every engine struct embeds this as its first member. */
struct tts {
    const tts_vtable *vt;
    atomic_bool canceled;
    char err[512];
};

/* Creates the engine named by cfg->tts_engine; on failure *out is NULL and
 * err says e.g. "tts engine 'piper': model '' not found (config key
 * tts.piper_model)". */
WZ_MUST_CHECK int tts_create(tts **out, const wz_config *cfg, char *err, size_t errlen);
void tts_destroy(tts *t); /* NULL-safe; stops synthesis first */
const char *tts_name(const tts *t);

/* Starts synthesising one sentence (UTF-8). The text goes through
 * norm_text() first. Returns WZ_TOOBIG above TTS_MAX_TEXT, WZ_ENGINE if the
 * engine cannot start (see tts_last_error). Empty text is fine: the first
 * pull reports done with no samples. */
WZ_MUST_CHECK int tts_begin(tts *t, const char *text);

/* Copies up to cap samples of s16 mono audio into buf; *rate is the sample
 * rate of those samples (engine-specific: 16000 for Flite, the model's rate
 * for Piper). Waits up to timeout_ms (-1: no limit) for audio.
 * Returns WZ_OK with *n > 0 and/or *done; WZ_AGAIN if the timeout passed with
 * nothing yet; WZ_CANCELED after tts_cancel; another error on engine failure
 * (tts_last_error says why). After *done is true, further pulls return done
 * with n = 0 until the next tts_begin. */
WZ_MUST_CHECK int tts_pull(tts *t, int16_t *buf, size_t cap, size_t *n, int *rate, bool *done,
                           int timeout_ms);

/* Any thread: stops the current sentence promptly. */
void tts_cancel(tts *t);

const char *tts_last_error(const tts *t);
void tts_set_error(tts *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Where speech starts in pcm (n samples at rate): the start of the first
 * 10 ms window louder than TTS_ONSET_RMS, less TTS_ONSET_MARGIN_MS for the
 * soft start of a consonant (0 at the earliest); n when no window is that
 * loud. TTS engines lead a sentence with near silence (Flite: 140-260 ms
 * below -50 dBFS), which the brain trims from a reply's first sentence. */
#define TTS_ONSET_RMS 104       /* -50 dBFS */
#define TTS_ONSET_MARGIN_MS 50
size_t tts_speech_onset(const int16_t *pcm, size_t n, int rate);

size_t tts_engine_count(void);
const char *tts_engine_name(size_t i);

#endif
