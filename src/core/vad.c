/* vad.c: band-SNR voice activity detector with minimum-statistics noise
 * floors. Numbers in comments are for 16 kHz. */
#include "core/vad.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "app/config.h"

#define FFT_N 512           /* >= 480 samples (30 ms), 31.25 Hz bins */
#define NBANDS 12
#define BAND_LO_HZ 200.0f   /* below: hum and rumble, little speech energy */
#define BAND_HI_HZ 5000.0f  /* above: mostly fricative energy, weak at 16 kHz */
#define MIN_SUBWIN 4        /* noise minimum over 4 sub-windows ... */
#define SUBWIN_MS 500       /* ... of 500 ms = a 2 s memory */
#define NOISE_BIAS 1.6f     /* the minimum of a noisy power sits ~2 dB under its mean */
#define POWER_SMOOTH 0.6f   /* one-pole smoothing of band power before the minimum */

struct vad {
    vad_config cfg;
    float window[480];
    float re[FFT_N], im[FFT_N];
    float cos_tab[FFT_N / 2], sin_tab[FFT_N / 2];
    int band_edge[NBANDS + 1];     /* FFT bins */
    float smooth[NBANDS];          /* smoothed band power */
    float submin[MIN_SUBWIN][NBANDS];
    float curmin[NBANDS];          /* minimum within the current sub-window */
    float noise[NBANDS];
    int subwin_frames, subwin_pos, subwin_idx;
    int frames_seen;
    unsigned raw_hist;             /* bit i: raw decision i frames ago */
    int hang_left;                 /* frames of hangover left */
    bool on, raw;
    float level_dbfs, snr_db;
};

void vad_config_init(vad_config *vc)
{
    vc->frame_samples = 320;
    vc->threshold_db = 4.0f;
    vc->onset_frames = 2;
    vc->hangover_ms = 160;
    vc->min_level_dbfs = -62.0f;
}

void vad_config_from(vad_config *vc, const struct wz_config *cfg)
{
    vad_config_init(vc);
    vc->frame_samples = (int)(cfg->audio_frame_ms * WZ_SAMPLE_RATE / 1000);
}

static void fft(float *re, float *im, const float *ct, const float *st)
{
    /* iterative radix-2, in place */
    for (int i = 1, j = 0; i < FFT_N; i++) {
        int bit = FFT_N >> 1;
        for (; j & bit; bit >>= 1)
            j ^= bit;
        j ^= bit;
        if (i < j) {
            float t = re[i]; re[i] = re[j]; re[j] = t;
            t = im[i]; im[i] = im[j]; im[j] = t;
        }
    }
    for (int len = 2; len <= FFT_N; len <<= 1) {
        int step = FFT_N / len;
        for (int i = 0; i < FFT_N; i += len) {
            for (int k = 0; k < len / 2; k++) {
                float wr = ct[k * step], wi = -st[k * step];
                int a = i + k, b = i + k + len / 2;
                float xr = re[b] * wr - im[b] * wi;
                float xi = re[b] * wi + im[b] * wr;
                re[b] = re[a] - xr; im[b] = im[a] - xi;
                re[a] += xr; im[a] += xi;
            }
        }
    }
}

int vad_create(vad **out, const vad_config *vc)
{
    *out = NULL;
    if (vc->frame_samples < 160 || vc->frame_samples > 480 || vc->onset_frames < 1 ||
        vc->onset_frames > 8 || vc->hangover_ms < 0 || vc->hangover_ms > 5000)
        return WZ_INVAL;
    vad *v = calloc(1, sizeof(*v));
    if (!v)
        return WZ_NOMEM;
    v->cfg = *vc;
    for (int i = 0; i < vc->frame_samples; i++)
        v->window[i] = 0.5f - 0.5f * cosf(2.0f * (float)M_PI * (float)i / (float)vc->frame_samples);
    for (int k = 0; k < FFT_N / 2; k++) {
        v->cos_tab[k] = cosf(2.0f * (float)M_PI * (float)k / FFT_N);
        v->sin_tab[k] = sinf(2.0f * (float)M_PI * (float)k / FFT_N);
    }
    float ratio = BAND_HI_HZ / BAND_LO_HZ;
    for (int b = 0; b <= NBANDS; b++) {
        float hz = BAND_LO_HZ * powf(ratio, (float)b / NBANDS);
        v->band_edge[b] = (int)lroundf(hz * FFT_N / WZ_SAMPLE_RATE);
        if (b > 0 && v->band_edge[b] <= v->band_edge[b - 1])
            v->band_edge[b] = v->band_edge[b - 1] + 1;
    }
    int frame_ms = vc->frame_samples * 1000 / WZ_SAMPLE_RATE;
    v->subwin_frames = SUBWIN_MS / frame_ms;
    vad_reset(v);
    *out = v;
    return WZ_OK;
}

void vad_destroy(vad *v)
{
    free(v);
}

void vad_reset(vad *v)
{
    for (int b = 0; b < NBANDS; b++) {
        v->smooth[b] = 0.0f;
        v->curmin[b] = INFINITY;
        v->noise[b] = INFINITY;
        for (int s = 0; s < MIN_SUBWIN; s++)
            v->submin[s][b] = INFINITY;
    }
    v->subwin_pos = v->subwin_idx = 0;
    v->frames_seen = 0;
    v->raw_hist = 0;
    v->hang_left = 0;
    v->on = v->raw = false;
    v->level_dbfs = -120.0f;
    v->snr_db = 0.0f;
}

/* Per-band noise floor: minimum of smoothed power over the sub-windows. */
static void track_noise(vad *v, const float *band)
{
    for (int b = 0; b < NBANDS; b++) {
        v->smooth[b] = v->frames_seen ? POWER_SMOOTH * v->smooth[b] + (1.0f - POWER_SMOOTH) * band[b]
                                      : band[b];
        if (v->smooth[b] < v->curmin[b])
            v->curmin[b] = v->smooth[b];
        float m = v->curmin[b];
        for (int s = 0; s < MIN_SUBWIN; s++)
            if (v->submin[s][b] < m)
                m = v->submin[s][b];
        v->noise[b] = m * NOISE_BIAS;
    }
    if (++v->subwin_pos >= v->subwin_frames) {
        v->subwin_pos = 0;
        memcpy(v->submin[v->subwin_idx], v->curmin, sizeof(v->curmin));
        v->subwin_idx = (v->subwin_idx + 1) % MIN_SUBWIN;
        for (int b = 0; b < NBANDS; b++)
            v->curmin[b] = INFINITY;
    }
}

int vad_process(vad *v, const int16_t *frame, int n)
{
    if (n != v->cfg.frame_samples)
        return WZ_INVAL;
    double energy = 0.0;
    for (int i = 0; i < n; i++) {
        float x = (float)frame[i] * (1.0f / 32768.0f);
        energy += (double)x * x;
        v->re[i] = x * v->window[i];
        v->im[i] = 0.0f;
    }
    for (int i = n; i < FFT_N; i++)
        v->re[i] = v->im[i] = 0.0f;
    v->level_dbfs = 10.0f * log10f((float)(energy / n) + 1e-12f);
    fft(v->re, v->im, v->cos_tab, v->sin_tab);

    float band[NBANDS];
    for (int b = 0; b < NBANDS; b++) {
        float s = 0.0f;
        for (int k = v->band_edge[b]; k < v->band_edge[b + 1]; k++)
            s += v->re[k] * v->re[k] + v->im[k] * v->im[k];
        /* floor: a -90 dBFS white noise, so digital silence has finite SNR */
        band[b] = s + 1e-9f * (float)(v->band_edge[b + 1] - v->band_edge[b]);
    }
    track_noise(v, band);
    v->frames_seen++;

    float snr_sum = 0.0f;
    for (int b = 0; b < NBANDS; b++) {
        float snr = 10.0f * log10f(band[b] / v->noise[b]);
        snr_sum += snr > 0.0f ? (snr < 30.0f ? snr : 30.0f) : 0.0f;
    }
    v->snr_db = snr_sum / NBANDS;
    v->raw = v->snr_db > v->cfg.threshold_db && v->level_dbfs > v->cfg.min_level_dbfs;

    v->raw_hist = (v->raw_hist << 1) | (v->raw ? 1u : 0u);
    unsigned mask = (1u << (v->cfg.onset_frames + 1)) - 1u;
    int recent = __builtin_popcount(v->raw_hist & mask);
    int frame_ms = n * 1000 / WZ_SAMPLE_RATE;
    if (recent >= v->cfg.onset_frames || (v->on && v->raw)) {
        v->on = true;
        v->hang_left = v->cfg.hangover_ms / frame_ms;
    } else if (v->on) {
        if (v->hang_left > 0)
            v->hang_left--;
        else
            v->on = false;
    }
    return v->on ? 1 : 0;
}

bool vad_raw(const vad *v) { return v->raw; }
float vad_level_dbfs(const vad *v) { return v->level_dbfs; }
float vad_snr_db(const vad *v) { return v->snr_db; }
