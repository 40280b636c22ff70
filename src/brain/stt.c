/* stt.c: the STT engine registry and the thin wrappers around the vtable. */
#include "brain/stt.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

extern const stt_vtable stt_pocketsphinx_vtable;
extern const stt_vtable stt_whisper_server_vtable;
extern const stt_vtable stt_openai_vtable;

/* One line per engine. */
static const stt_vtable *const engines[] = {
    &stt_pocketsphinx_vtable,
    &stt_whisper_server_vtable,
    &stt_openai_vtable,
};

size_t stt_engine_count(void) { return WZ_ARRAY_LEN(engines); }
const char *stt_engine_name(size_t i) { return i < WZ_ARRAY_LEN(engines) ? engines[i]->name : NULL; }

int stt_create(stt **out, const wz_config *cfg, char *err, size_t errlen)
{
    *out = NULL;
    for (size_t i = 0; i < WZ_ARRAY_LEN(engines); i++) {
        if (strcmp(engines[i]->name, cfg->stt_engine) != 0)
            continue;
        char why[512] = "";
        int rc = engines[i]->create(out, cfg, why, sizeof why);
        if (rc != WZ_OK) {
            *out = NULL;
            snprintf(err, errlen, "stt engine '%s': %s", cfg->stt_engine,
                     why[0] ? why : wz_strerror(rc));
            return rc;
        }
        (*out)->vt = engines[i];
        atomic_init(&(*out)->canceled, false);
        (*out)->err[0] = '\0';
        return WZ_OK;
    }
    snprintf(err, errlen, "stt engine '%s': unknown engine (config key stt.engine; "
             "choose pocketsphinx, whisper-server or openai)", cfg->stt_engine);
    return WZ_CONFIG;
}

void stt_destroy(stt *s)
{
    if (s)
        s->vt->destroy(s);
}

const char *stt_name(const stt *s) { return s->vt->name; }

int stt_set_grammar(stt *s, const char *jsgf, char *err, size_t errlen)
{
    if (!s->vt->set_grammar) {
        if (!jsgf)
            return WZ_OK;
        snprintf(err, errlen, "stt engine '%s' does not support grammars", s->vt->name);
        return WZ_UNSUPP;
    }
    return s->vt->set_grammar(s, jsgf, err, errlen);
}

int stt_adapt(stt *s, const int16_t *pcm, size_t n)
{
    if (!s->vt->adapt)
        return WZ_UNSUPP;
    if (n > STT_CONTEXT_MAX_SAMPLES) {
        pcm += n - STT_CONTEXT_MAX_SAMPLES;
        n = STT_CONTEXT_MAX_SAMPLES;
    }
    return s->vt->adapt(s, pcm, n);
}

int stt_begin(stt *s)
{
    atomic_store(&s->canceled, false);
    s->err[0] = '\0';
    return s->vt->begin(s);
}

int stt_feed(stt *s, const int16_t *pcm, size_t n)
{
    if (atomic_load(&s->canceled))
        return WZ_CANCELED;
    return s->vt->feed(s, pcm, n);
}

int stt_partial(stt *s, char *buf, size_t cap)
{
    if (!s->vt->partial)
        return WZ_UNSUPP;
    return s->vt->partial(s, buf, cap);
}

int stt_heard(stt *s, char *buf, size_t cap)
{
    if (!s->vt->heard)
        return WZ_UNSUPP;
    return s->vt->heard(s, buf, cap);
}

int stt_finish(stt *s, stt_result *res)
{
    memset(res, 0, sizeof *res);
    if (atomic_load(&s->canceled))
        return WZ_CANCELED;
    int rc = s->vt->finish(s, res);
    if (rc != WZ_OK)
        res->text[0] = '\0';
    return rc;
}

void stt_cancel(stt *s)
{
    atomic_store(&s->canceled, true);
    if (s->vt->cancel)
        s->vt->cancel(s);
}

const char *stt_last_error(const stt *s) { return s->err; }

void stt_set_error(stt *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof s->err, fmt, ap);
    va_end(ap);
}
