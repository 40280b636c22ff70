/* resample.c: mono s16 rate conversion on top of speexdsp. */
#include "core/resample.h"

#include <speex/speex_resampler.h>
#include <stdlib.h>
#include <string.h>

struct resampler {
    SpeexResamplerState *st; /* NULL when in_rate == out_rate (plain copy) */
    int in_rate;
    int out_rate;
};

int resampler_create(resampler **out, int in_rate, int out_rate, int quality)
{
    if (!out)
        return WZ_INVAL;
    *out = NULL;
    if (in_rate < RESAMPLER_MIN_RATE || in_rate > RESAMPLER_MAX_RATE ||
        out_rate < RESAMPLER_MIN_RATE || out_rate > RESAMPLER_MAX_RATE || quality < 0 ||
        quality > 10)
        return WZ_INVAL;
    resampler *r = calloc(1, sizeof(*r));
    if (!r)
        return WZ_NOMEM;
    r->in_rate = in_rate;
    r->out_rate = out_rate;
    if (in_rate != out_rate) {
        int err = 0;
        r->st = speex_resampler_init(1, (spx_uint32_t)in_rate, (spx_uint32_t)out_rate, quality, &err);
        if (!r->st) {
            free(r);
            return err == RESAMPLER_ERR_ALLOC_FAILED ? WZ_NOMEM : WZ_INVAL;
        }
    }
    *out = r;
    return WZ_OK;
}

int resampler_process(resampler *r, const int16_t *in, size_t *in_n, int16_t *out, size_t *out_n)
{
    if (!r || !in_n || !out_n || (*in_n && !in) || (*out_n && !out))
        return WZ_INVAL;
    if (!r->st) {
        size_t n = WZ_MIN(*in_n, *out_n);
        if (n)
            memmove(out, in, n * sizeof(*out));
        *in_n = *out_n = n;
        return WZ_OK;
    }
    /* speexdsp counts in spx_uint32_t; feed at most 2^30 per call. */
    spx_uint32_t il = (spx_uint32_t)WZ_MIN(*in_n, (size_t)1 << 30);
    spx_uint32_t ol = (spx_uint32_t)WZ_MIN(*out_n, (size_t)1 << 30);
    if (il == 0 || ol == 0) {
        *in_n = *out_n = 0;
        return WZ_OK;
    }
    speex_resampler_process_int(r->st, 0, in, &il, out, &ol);
    *in_n = il;
    *out_n = ol;
    return WZ_OK;
}

size_t resampler_out_max(const resampler *r, size_t in_n)
{
    uint64_t num = (uint64_t)in_n * (uint64_t)r->out_rate;
    return (size_t)((num + (uint64_t)r->in_rate - 1) / (uint64_t)r->in_rate) + 2;
}

void resampler_skip_zeros(resampler *r)
{
    if (r && r->st)
        speex_resampler_skip_zeros(r->st);
}

int resampler_drain(resampler *r, int16_t *out, size_t *out_n)
{
    if (!r || !out_n || (*out_n && !out))
        return WZ_INVAL;
    if (!r->st) {
        *out_n = 0;
        return WZ_OK;
    }
    /* The filter holds about input_latency samples; feeding that many zeros
     * moves every real sample to the output. */
    static const int16_t zeros[256];
    size_t left = (size_t)speex_resampler_get_input_latency(r->st);
    size_t produced = 0;
    while (left > 0 && produced < *out_n) {
        size_t in_n = WZ_MIN(left, WZ_ARRAY_LEN(zeros));
        size_t o = *out_n - produced;
        int rc = resampler_process(r, zeros, &in_n, out + produced, &o);
        if (rc)
            return rc;
        if (in_n == 0 && o == 0)
            break;
        left -= in_n;
        produced += o;
    }
    *out_n = produced;
    return WZ_OK;
}

void resampler_reset(resampler *r)
{
    if (r && r->st)
        speex_resampler_reset_mem(r->st);
}

int resampler_in_rate(const resampler *r) { return r->in_rate; }
int resampler_out_rate(const resampler *r) { return r->out_rate; }

void resampler_destroy(resampler *r)
{
    if (!r)
        return;
    if (r->st)
        speex_resampler_destroy(r->st);
    free(r);
}
