/* aec.c: speexdsp echo canceller + residual echo suppressor. */
#include "core/aec.h"

#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>
#include <stdlib.h>
#include <string.h>

#include "app/config.h"

struct aec {
    aec_config cfg;
    SpeexEchoState *echo;
    SpeexPreprocessState *pp;
    int16_t tmp[480];
};

void aec_config_init(aec_config *ac)
{
    ac->frame_samples = 320;
    ac->tail_ms = 128;
    ac->residual = true;
    ac->denoise = true;
}

void aec_config_from(aec_config *ac, const struct wz_config *cfg)
{
    aec_config_init(ac);
    ac->frame_samples = (int)(cfg->audio_frame_ms * WZ_SAMPLE_RATE / 1000);
    ac->tail_ms = (int)cfg->aec_tail_ms;
}

static int setup_preprocess(aec *a)
{
    a->pp = speex_preprocess_state_init(a->cfg.frame_samples, WZ_SAMPLE_RATE);
    if (!a->pp)
        return WZ_NOMEM;
    /* speexdsp's VAD marks noise as speech, and AGC would pump the level
     * the wake word spotter sees: both stay off. The residual echo
     * suppressor works through the denoiser's gains: with denoise off the
     * chain removed 21.7 dB of echo (the canceller alone: 21.8 dB), with it
     * on 35 dB (tests/unit/test_aec.c), so denoise defaults to on. */
    int off = 0, denoise = a->cfg.denoise ? 1 : 0;
    /* SET_VAD is left at its default (off): even setting it prints a warning. */
    speex_preprocess_ctl(a->pp, SPEEX_PREPROCESS_SET_AGC, &off);
    speex_preprocess_ctl(a->pp, SPEEX_PREPROCESS_SET_DEREVERB, &off);
    speex_preprocess_ctl(a->pp, SPEEX_PREPROCESS_SET_DENOISE, &denoise);
    speex_preprocess_ctl(a->pp, SPEEX_PREPROCESS_SET_ECHO_STATE, a->echo);
    return WZ_OK;
}

int aec_create(aec **out, const aec_config *ac)
{
    *out = NULL;
    if (ac->frame_samples < 160 || ac->frame_samples > 480 || ac->tail_ms < 16 || ac->tail_ms > 1000)
        return WZ_INVAL;
    aec *a = calloc(1, sizeof(*a));
    if (!a)
        return WZ_NOMEM;
    a->cfg = *ac;
    a->echo = speex_echo_state_init(ac->frame_samples, ac->tail_ms * WZ_SAMPLE_RATE / 1000);
    if (!a->echo)
        goto fail;
    int rate = WZ_SAMPLE_RATE;
    speex_echo_ctl(a->echo, SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
    if (ac->residual && setup_preprocess(a) != WZ_OK)
        goto fail;
    *out = a;
    return WZ_OK;
fail:
    aec_destroy(a);
    return WZ_NOMEM;
}

void aec_destroy(aec *a)
{
    if (!a)
        return;
    if (a->pp)
        speex_preprocess_state_destroy(a->pp);
    if (a->echo)
        speex_echo_state_destroy(a->echo);
    free(a);
}

int aec_latency_samples(const aec *a)
{
    /* speex_preprocess overlap-adds with a one-frame lag: measured 320
     * samples at 320-sample frames (best-aligned cross-correlation). */
    return a->pp ? a->cfg.frame_samples : 0;
}

void aec_reset(aec *a)
{
    speex_echo_state_reset(a->echo);
}

/* a->tmp through the residual suppressor (in place) into out. */
static void suppress_into(aec *a, int16_t *out)
{
    if (a->pp)
        speex_preprocess_run(a->pp, a->tmp);
    memcpy(out, a->tmp, sizeof(int16_t) * (size_t)a->cfg.frame_samples);
}

void aec_process(aec *a, const int16_t *mic, const int16_t *ref, int16_t *out)
{
    /* speexdsp reads mic while writing out, so go through tmp when they alias */
    speex_echo_cancellation(a->echo, mic, ref, a->tmp);
    suppress_into(a, out);
}

void aec_idle(aec *a, const int16_t *mic, int16_t *out)
{
    memcpy(a->tmp, mic, sizeof(int16_t) * (size_t)a->cfg.frame_samples);
    suppress_into(a, out);
}
