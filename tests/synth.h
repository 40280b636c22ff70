/* synth.h: test/benchmark helpers that make labelled speech at run time:
 * Flite voices (library), espeak-ng voices (CLI through sox to 16 kHz raw),
 * white/pink noise mixed at a given SNR. Header-only, for tests and bench
 * programs; not part of wyzer_lib. Allocations are the caller's to free(). */
#ifndef WZ_TEST_SYNTH_H
#define WZ_TEST_SYNTH_H

#include <flite/flite.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

cst_voice *register_cmu_us_slt(const char *voxdir);
cst_voice *register_cmu_us_awb(const char *voxdir);
cst_voice *register_cmu_us_rms(const char *voxdir);
cst_voice *register_cmu_us_kal16(const char *voxdir);

static inline cst_voice *synth_flite_voice(const char *name)
{
    static cst_voice *slt, *awb, *rms, *kal;
    static int inited;
    if (!inited) {
        flite_init();
        inited = 1;
    }
    if (!strcmp(name, "slt"))
        return slt ? slt : (slt = register_cmu_us_slt(NULL));
    if (!strcmp(name, "awb"))
        return awb ? awb : (awb = register_cmu_us_awb(NULL));
    if (!strcmp(name, "rms"))
        return rms ? rms : (rms = register_cmu_us_rms(NULL));
    if (!strcmp(name, "kal16"))
        return kal ? kal : (kal = register_cmu_us_kal16(NULL));
    return NULL;
}

/* Flite speech at 16 kHz; duration_stretch > 1 is slower. NULL on failure. */
static inline int16_t *synth_flite(const char *voice, const char *text, float stretch, int *n)
{
    cst_voice *v = synth_flite_voice(voice);
    if (!v)
        return NULL;
    feat_set_float(v->features, "duration_stretch", stretch);
    cst_wave *w = flite_text_to_wave(text, v);
    if (!w)
        return NULL;
    if (w->sample_rate != 16000) {
        cst_wave_resample(w, 16000);
    }
    *n = w->num_samples;
    int16_t *out = malloc(sizeof(int16_t) * (size_t)(*n > 0 ? *n : 1));
    if (out)
        memcpy(out, w->samples, sizeof(int16_t) * (size_t)*n);
    delete_wave(w);
    return out;
}

/* espeak-ng speech (voice like "en-us", "en+m3"; speed in words/min) at 16 kHz. */
static inline int16_t *synth_espeak(const char *voice, int speed, const char *text, int *n)
{
    char txt[] = "/tmp/wz_synth_XXXXXX";
    int fd = mkstemp(txt);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    char cmd[512];
    snprintf(cmd, sizeof(cmd),
             "espeak-ng -v '%s' -s %d -f %s --stdout 2>/dev/null | "
             "sox -q -t wav - -r 16000 -c 1 -b 16 -e signed-integer -t raw - 2>/dev/null",
             voice, speed, txt);
    FILE *p = popen(cmd, "r");
    int16_t *buf = NULL;
    size_t len = 0, cap = 0;
    if (p) {
        int16_t tmp[4096];
        size_t got;
        while ((got = fread(tmp, sizeof(int16_t), 4096, p)) > 0) {
            if (len + got > cap) {
                cap = (len + got) * 2;
                buf = realloc(buf, cap * sizeof(int16_t));
            }
            memcpy(buf + len, tmp, got * sizeof(int16_t));
            len += got;
        }
        pclose(p);
    }
    unlink(txt);
    *n = (int)len;
    if (!len) {
        free(buf);
        return NULL;
    }
    return buf;
}

static inline uint32_t synth_rand(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static inline float synth_gauss(uint32_t *s)
{
    float a = ((float)(synth_rand(s) >> 8) + 0.5f) / 16777216.0f;
    float b = ((float)(synth_rand(s) >> 8) + 0.5f) / 16777216.0f;
    return sqrtf(-2.0f * logf(a)) * cosf(6.2831853f * b);
}

/* Unit-variance noise: pink = 0 white, 1 pink (Paul Kellet's filter on white). */
static inline void synth_noise(float *out, int n, int pink, uint32_t seed)
{
    uint32_t s = seed ? seed : 1;
    float b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0;
    double e = 0;
    for (int i = 0; i < n; i++) {
        float w = synth_gauss(&s);
        if (pink) {
            b0 = 0.99886f * b0 + w * 0.0555179f;
            b1 = 0.99332f * b1 + w * 0.0750759f;
            b2 = 0.96900f * b2 + w * 0.1538520f;
            b3 = 0.86650f * b3 + w * 0.3104856f;
            b4 = 0.55000f * b4 + w * 0.5329522f;
            b5 = -0.7616f * b5 - w * 0.0168980f;
            out[i] = b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362f;
            b6 = w * 0.115926f;
        } else {
            out[i] = w;
        }
        e += (double)out[i] * out[i];
    }
    float g = (float)(1.0 / sqrt(e / (n > 0 ? n : 1) + 1e-20));
    for (int i = 0; i < n; i++)
        out[i] *= g;
}

/* Mean power of the active part of speech: 20 ms frames within 30 dB of the
 * loudest frame (so leading/trailing silence does not flatter the SNR). */
static inline double synth_active_power(const int16_t *x, int n)
{
    double peak = 0, sum = 0;
    int cnt = 0;
    for (int f = 0; f + 320 <= n; f += 320) {
        double e = 0;
        for (int i = 0; i < 320; i++)
            e += (double)x[f + i] * x[f + i];
        if (e > peak)
            peak = e;
    }
    for (int f = 0; f + 320 <= n; f += 320) {
        double e = 0;
        for (int i = 0; i < 320; i++)
            e += (double)x[f + i] * x[f + i];
        if (e > peak * 1e-3) {
            sum += e;
            cnt += 320;
        }
    }
    return cnt ? sum / cnt : 0.0;
}

/* In place: x += noise so that active speech power / noise power = snr_db.
 * speech_power: the reference power (synth_active_power of the clean speech). */
static inline void synth_add_noise(int16_t *x, int n, double speech_power, float snr_db, int pink,
                                   uint32_t seed)
{
    float *nz = malloc(sizeof(float) * (size_t)(n > 0 ? n : 1));
    synth_noise(nz, n, pink, seed);
    float g = (float)sqrt(speech_power / pow(10.0, snr_db / 10.0));
    for (int i = 0; i < n; i++) {
        float v = (float)x[i] + g * nz[i];
        x[i] = (int16_t)(v > 32767.f ? 32767.f : v < -32768.f ? -32768.f : v);
    }
    free(nz);
}

static inline void synth_scale(int16_t *x, int n, float gain)
{
    for (int i = 0; i < n; i++) {
        float v = (float)x[i] * gain;
        x[i] = (int16_t)(v > 32767.f ? 32767.f : v < -32768.f ? -32768.f : v);
    }
}

/* Peak-normalise to the given dBFS peak. */
static inline void synth_normalize(int16_t *x, int n, float peak_dbfs)
{
    int peak = 1;
    for (int i = 0; i < n; i++)
        if (abs(x[i]) > peak)
            peak = abs(x[i]);
    synth_scale(x, n, 32767.0f * powf(10.0f, peak_dbfs / 20.0f) / (float)peak);
}

/* The first and last 10 ms block (in samples) whose energy is within 40 dB
 * of the loudest block: where the speech in a synthetic clip begins and ends. */
static inline void synth_speech_span(const int16_t *x, int n, int *first, int *last)
{
    double peak = 0;
    for (int f = 0; f + 160 <= n; f += 160) {
        double e = 0;
        for (int i = 0; i < 160; i++) e += (double)x[f + i] * x[f + i];
        if (e > peak) peak = e;
    }
    *first = -1;
    *last = 0;
    for (int f = 0; f + 160 <= n; f += 160) {
        double e = 0;
        for (int i = 0; i < 160; i++) e += (double)x[f + i] * x[f + i];
        if (e > peak * 1e-4) {
            if (*first < 0) *first = f;
            *last = f + 160;
        }
    }
    if (*first < 0) *first = 0;
}


#endif
