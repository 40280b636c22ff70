/* stt.h: speech-to-text engines behind one small vtable.
 *
 * Call sequence for one utterance (the brain loop):
 *   AUDIO_START  -> stt_adapt(s, wake phrase) if it carries one, stt_begin(s)
 *   AUDIO_CHUNK  -> stt_feed(s, pcm, n)      (16 kHz mono s16, any chunk size)
 *   AUDIO_END    -> stt_finish(s, &result)
 *   INTERRUPT    -> stt_cancel(s)            (any thread; see below)
 * stt_begin() may be called again at any time; it abandons an unfinished
 * utterance.
 *
 * Engines: "pocketsphinx" (default, streaming, two passes), "whisper-server"
 * and "openai" (HTTP). Adding an engine = one file defining a stt_vtable plus
 * one line in the table in stt.c. Selection is by cfg->stt_engine and never
 * falls back: stt_create() fails with a message naming the engine, the reason
 * and the config key, and the caller exits 2.
 *
 * Threading: one owner thread calls everything except stt_cancel(), which is
 * safe from any thread (it only sets an atomic flag the engine polls; a
 * running stt_finish()/stt_feed() then returns WZ_CANCELED promptly). None of
 * these functions is safe on the audio thread (they allocate, decode, or do
 * network I/O). */
#ifndef WZ_STT_H
#define WZ_STT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/config.h"
#include "common/wz.h"

#define STT_TEXT_MAX 1024
/* Longest utterance an engine buffers: 60 s at 16 kHz. Longer input is
 * rejected with WZ_TOOBIG rather than truncated. */
#define STT_MAX_SAMPLES (60 * WZ_SAMPLE_RATE)
/* Longest context stt_adapt reads; longer context is cut to its last part. */
#define STT_CONTEXT_MAX_SAMPLES (2 * WZ_SAMPLE_RATE)

typedef struct stt_result {
    char text[STT_TEXT_MAX]; /* lower-case words, single spaces, "" = nothing heard */
    double confidence;       /* 0..1; engine-specific meaning, see docs/speech.md */
    char pass[16];           /* which pass produced text: "grammar", "lm", "whisper" */
    double audio_s;          /* seconds of audio in the utterance */
    /* The command grammar's hypothesis when another pass won, "" if none.
     * The brain takes it when the winner is no command but this is: the
     * grammar holds only sentences the router understands. */
    char alt_text[STT_TEXT_MAX];
    double alt_confidence;
} stt_result;

typedef struct stt stt;

typedef struct stt_vtable {
    const char *name; /* the value of stt.engine */
    /* Allocates an engine. On failure returns an error and writes the reason
     * (without the engine name; stt_create adds it) into err. */
    int (*create)(stt **out, const wz_config *cfg, char *err, size_t errlen);
    void (*destroy)(stt *s);
    /* Optional (NULL: grammar not supported, stt_set_grammar returns WZ_UNSUPP). */
    int (*set_grammar)(stt *s, const char *jsgf, char *err, size_t errlen);
    /* Optional (NULL: stt_adapt returns WZ_UNSUPP). */
    int (*adapt)(stt *s, const int16_t *pcm, size_t n);
    int (*begin)(stt *s);
    int (*feed)(stt *s, const int16_t *pcm, size_t n);
    /* Optional: current best guess while audio arrives. */
    int (*partial)(stt *s, char *buf, size_t cap);
    /* Optional: what stt_heard returns (below). */
    int (*heard)(stt *s, char *buf, size_t cap);
    int (*finish)(stt *s, stt_result *res);
    /* Called by stt_cancel after the flag is set; must be thread-safe and
     * must not block. May be NULL. */
    void (*cancel)(stt *s);
} stt_vtable;

/* Every engine struct embeds this as its first member. */
struct stt {
    const stt_vtable *vt;
    atomic_bool canceled;
    char err[512];
};

/* Creates the engine named by cfg->stt_engine. On failure *out is NULL and
 * err holds e.g. "stt engine 'pocketsphinx': cannot load acoustic model
 * /x (config key stt.hmm)". Returns WZ_CONFIG for an unknown engine name. */
WZ_MUST_CHECK int stt_create(stt **out, const wz_config *cfg, char *err, size_t errlen);
void stt_destroy(stt *s); /* NULL-safe */
const char *stt_name(const stt *s);

/* Sets the command grammar (a JSGF document; copied) or, with NULL, removes
 * it so only the general pass runs. Call between utterances. Engines without
 * grammar support return WZ_UNSUPP for non-NULL jsgf. */
WZ_MUST_CHECK int stt_set_grammar(stt *s, const char *jsgf, char *err, size_t errlen);

/* Audio of the same speaker in the same room, heard just before the next
 * utterance: the wake phrase (16 kHz mono s16, at most
 * STT_CONTEXT_MAX_SAMPLES are read). It is never transcribed; the engine may
 * adapt to the voice, level and noise in it. PocketSphinx sets its cepstral
 * mean from it (docs/speech.md). Call before stt_begin; it applies to that
 * utterance. WZ_UNSUPP if the engine has no use for it; WZ_AGAIN if the
 * audio was too short (or too quiet) to tell anything. */
int stt_adapt(stt *s, const int16_t *pcm, size_t n);
WZ_MUST_CHECK int stt_begin(stt *s);
/* Returns WZ_TOOBIG past STT_MAX_SAMPLES, WZ_CANCELED after stt_cancel. */
WZ_MUST_CHECK int stt_feed(stt *s, const int16_t *pcm, size_t n);
/* WZ_UNSUPP if the engine has no partials. */
int stt_partial(stt *s, char *buf, size_t cap);
/* Mid-utterance: 1 with the text in buf if the audio so far reads as a
 * command of the grammar, the reading stt_finish would take if the utterance
 * ended here; 0 if not; WZ_AGAIN if the engine has not decoded all it was
 * fed yet (ask again later: it never waits); WZ_UNSUPP if it cannot tell (no
 * grammar, or an HTTP engine). Same thread as stt_feed. */
int stt_heard(stt *s, char *buf, size_t cap);
/* Final result. Blocks: PocketSphinx ~ms, HTTP engines up to stt.timeout_ms.
 * On error res->text is "" and, for HTTP engines, stt_last_error() says why. */
WZ_MUST_CHECK int stt_finish(stt *s, stt_result *res);
/* Any thread; abandons the utterance. */
void stt_cancel(stt *s);

/* Human-readable detail of the last failure on this engine ("" if none);
 * valid until the next call on s. */
const char *stt_last_error(const stt *s);

/* Registry access for docs/tests. */
size_t stt_engine_count(void);
const char *stt_engine_name(size_t i);

/* Internal to engines: record a detail message for stt_last_error. */
void stt_set_error(stt *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
