/* tts.c: the TTS engine registry and vtable wrappers. */
#include "brain/tts.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brain/normalize.h"

extern const tts_vtable tts_flite_vtable;
extern const tts_vtable tts_piper_vtable;

/* One line per engine. */
static const tts_vtable *const engines[] = {
    &tts_flite_vtable,
    &tts_piper_vtable,
};

size_t tts_engine_count(void) { return WZ_ARRAY_LEN(engines); }
const char *tts_engine_name(size_t i) { return i < WZ_ARRAY_LEN(engines) ? engines[i]->name : NULL; }

int tts_create(tts **out, const wz_config *cfg, char *err, size_t errlen)
{
    *out = NULL;
    for (size_t i = 0; i < WZ_ARRAY_LEN(engines); i++) {
        if (strcmp(engines[i]->name, cfg->tts_engine) != 0)
            continue;
        char why[512] = "";
        int rc = engines[i]->create(out, cfg, why, sizeof why);
        if (rc != WZ_OK) {
            *out = NULL;
            snprintf(err, errlen, "tts engine '%s': %s", cfg->tts_engine, why[0] ? why : wz_strerror(rc));
            return rc;
        }
        (*out)->vt = engines[i];
        atomic_init(&(*out)->canceled, false);
        (*out)->err[0] = '\0';
        return WZ_OK;
    }
    snprintf(err, errlen, "tts engine '%s': unknown engine (config key tts.engine; choose flite or piper)",
             cfg->tts_engine);
    return WZ_CONFIG;
}

void tts_destroy(tts *t)
{
    if (!t)
        return;
    tts_cancel(t);
    t->vt->destroy(t);
}

const char *tts_name(const tts *t) { return t->vt->name; }

int tts_begin(tts *t, const char *text)
{
    size_t len = strlen(text);
    if (len > TTS_MAX_TEXT) {
        tts_set_error(t, "sentence longer than %d bytes", TTS_MAX_TEXT);
        return WZ_TOOBIG;
    }
    /* Normalised text is at most ~8x longer (digits become words). */
    size_t cap = 8 * len + 64;
    char *norm = malloc(cap);
    if (!norm)
        return WZ_NOMEM;
    int rc = norm_text(text, norm, cap);
    if (rc == WZ_OK) {
        atomic_store(&t->canceled, false);
        t->err[0] = '\0';
        rc = t->vt->begin(t, norm);
    } else {
        tts_set_error(t, "text normalisation failed: %s", wz_strerror(rc));
    }
    free(norm);
    return rc;
}

int tts_pull(tts *t, int16_t *buf, size_t cap, size_t *n, int *rate, bool *done, int timeout_ms)
{
    *n = 0;
    *done = false;
    if (atomic_load(&t->canceled))
        return WZ_CANCELED;
    return t->vt->pull(t, buf, cap, n, rate, done, timeout_ms);
}

void tts_cancel(tts *t)
{
    atomic_store(&t->canceled, true);
    if (t->vt->cancel)
        t->vt->cancel(t);
}

const char *tts_last_error(const tts *t) { return t->err; }

void tts_set_error(tts *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->err, sizeof t->err, fmt, ap);
    va_end(ap);
}

size_t tts_speech_onset(const int16_t *pcm, size_t n, int rate)
{
    size_t win = rate >= 100 ? (size_t)rate / 100 : 1;
    size_t margin = (size_t)rate * TTS_ONSET_MARGIN_MS / 1000;
    for (size_t w = 0; w + win <= n; w += win) {
        int64_t e = 0;
        for (size_t i = w; i < w + win; i++)
            e += (int64_t)pcm[i] * pcm[i];
        if (e > (int64_t)TTS_ONSET_RMS * TTS_ONSET_RMS * (int64_t)win)
            return w > margin ? w - margin : 0;
    }
    return n;
}
