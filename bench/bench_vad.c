/* bench_vad: Wyzer's VAD against WebRTC's VAD (mode 2) on labelled clips.
 *
 * Clips: [1 s silence][utterance][1.2 s silence][utterance][1 s silence] in
 * Flite and espeak-ng voices; the label of each utterance is its span from
 * the first to the last 10 ms frame within 40 dB of its loudest frame.
 * Noise: white and pink at 20, 10 and 5 dB SNR (active-speech power), plus
 * a 40 dB "quiet" condition. Figures per condition: frame accuracy,
 * speech-onset error (detected - true, ms) and speech-end error (first
 * non-speech frame after the end - true end, ms; includes hangover).
 *
 * WebRTC's VAD is loaded at run time from Debian's
 * libwebrtc-audio-processing1 (it exports WebRtcVad_* but ships no header);
 * without the library only Wyzer's figures are printed. */
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/synth.h"
#include "core/vad.h"

#define FRAME 320
#define MAXCLIPS 16

typedef void *(*vad_create_fn)(void);
typedef int (*vad_init_fn)(void *);
typedef int (*vad_mode_fn)(void *, int);
typedef int (*vad_proc_fn)(void *, int, const int16_t *, size_t);
typedef void (*vad_free_fn)(void *);
static struct { vad_create_fn create; vad_init_fn init; vad_mode_fn mode; vad_proc_fn proc; vad_free_fn fr; } webrtc;

typedef struct { int16_t *pcm; int n; int on[2], off[2]; } clip;

static clip make_clip(int flite, const char *voice, const char *t1, const char *t2)
{
    clip c = {0};
    int n1 = 0, n2 = 0;
    int16_t *u1 = flite ? synth_flite(voice, t1, 1.0f, &n1) : synth_espeak(voice, 160, t1, &n1);
    int16_t *u2 = flite ? synth_flite(voice, t2, 1.0f, &n2) : synth_espeak(voice, 160, t2, &n2);
    if (!u1 || !u2) { free(u1); free(u2); return c; }
    int a1, b1, a2, b2;
    synth_speech_span(u1, n1, &a1, &b1);
    synth_speech_span(u2, n2, &a2, &b2);
    c.n = 16000 + (b1 - a1) + 19200 + (b2 - a2) + 16000;
    c.pcm = calloc((size_t)c.n, sizeof(int16_t));
    int p = 16000;
    memcpy(c.pcm + p, u1 + a1, sizeof(int16_t) * (size_t)(b1 - a1));
    c.on[0] = p; c.off[0] = p + (b1 - a1);
    p = c.off[0] + 19200;
    memcpy(c.pcm + p, u2 + a2, sizeof(int16_t) * (size_t)(b2 - a2));
    c.on[1] = p; c.off[1] = p + (b2 - a2);
    synth_normalize(c.pcm, c.n, -6.0f);
    free(u1); free(u2);
    return c;
}

typedef struct { long frames, correct; double on_err, off_err; int nseg, missed; } score;

/* decisions: one per frame */
static void grade(const clip *c, const unsigned char *d, int nf, score *s)
{
    for (int f = 0; f < nf; f++) {
        int mid = f * FRAME + FRAME / 2;
        int truth = (mid >= c->on[0] && mid < c->off[0]) || (mid >= c->on[1] && mid < c->off[1]);
        s->frames++;
        s->correct += (truth == d[f]);
    }
    for (int u = 0; u < 2; u++) {
        int lo = (c->on[u] - 8000) / FRAME, hi = c->off[u] / FRAME;
        if (lo < 0) lo = 0;
        int first = -1;
        for (int f = lo; f < hi && f < nf; f++)
            if (d[f]) { first = f; break; }
        if (first < 0) { s->missed++; continue; }
        int last_off = c->off[u] / FRAME;
        int end = last_off;
        while (end < nf && d[end]) end++;
        s->on_err += fabs(first * FRAME / 16.0 - c->on[u] / 16.0);
        s->off_err += end * FRAME / 16.0 - c->off[u] / 16.0;
        s->nseg++;
    }
}

int main(void)
{
    void *lib = dlopen("libwebrtc_audio_processing.so.1", RTLD_NOW);
    if (lib) {
        webrtc.create = (vad_create_fn)dlsym(lib, "WebRtcVad_Create");
        webrtc.init = (vad_init_fn)dlsym(lib, "WebRtcVad_Init");
        webrtc.mode = (vad_mode_fn)dlsym(lib, "WebRtcVad_set_mode");
        webrtc.proc = (vad_proc_fn)dlsym(lib, "WebRtcVad_Process");
        webrtc.fr = (vad_free_fn)dlsym(lib, "WebRtcVad_Free");
        if (!webrtc.create || !webrtc.init || !webrtc.mode || !webrtc.proc || !webrtc.fr) lib = NULL;
    }
    if (!lib) fprintf(stderr, "libwebrtc_audio_processing.so.1 not found: Wyzer VAD only\n");

    static const struct { int flite; const char *voice; } voices[] = {
        {1, "slt"}, {1, "awb"}, {1, "rms"}, {1, "kal16"}, {0, "en-us"}, {0, "en+f2"}, {0, "en+m3"}};
    static const char *t1[] = {"what time is it", "set a timer for ten minutes, please",
                               "turn off the lights in the kitchen", "how is the weather tomorrow"};
    static const char *t2[] = {"and remind me to call my sister at five", "play some quiet music",
                               "what is twelve times seven", "stop"};
    clip clips[MAXCLIPS];
    int nc = 0;
    for (size_t v = 0; v < sizeof(voices) / sizeof(voices[0]); v++) {
        clip c = make_clip(voices[v].flite, voices[v].voice, t1[v % 4], t2[(v + 1) % 4]);
        if (c.pcm) clips[nc++] = c;
    }
    static const struct { const char *name; int pink; float snr; } conds[] = {
        {"quiet 40 dB", 1, 40}, {"white 20 dB", 0, 20}, {"white 10 dB", 0, 10}, {"white 5 dB", 0, 5},
        {"pink 20 dB", 1, 20}, {"pink 10 dB", 1, 10}, {"pink 5 dB", 1, 5}};
    printf("%d clips, %d utterances per condition\n", nc, 2 * nc);
    printf("| condition | Wyzer accuracy | Wyzer onset err ms | Wyzer end err ms | WebRTC-2 accuracy | WebRTC-2 onset err ms | WebRTC-2 end err ms |\n");
    printf("|---|---|---|---|---|---|---|\n");
    score tw = {0}, tr = {0};
    for (size_t ci = 0; ci < sizeof(conds) / sizeof(conds[0]); ci++) {
        score sw = {0}, sr = {0};
        for (int k = 0; k < nc; k++) {
            int16_t *x = malloc(sizeof(int16_t) * (size_t)clips[k].n);
            memcpy(x, clips[k].pcm, sizeof(int16_t) * (size_t)clips[k].n);
            synth_add_noise(x, clips[k].n, synth_active_power(clips[k].pcm, clips[k].n), conds[ci].snr,
                            conds[ci].pink, (uint32_t)(k * 131 + ci + 7));
            int nf = clips[k].n / FRAME;
            unsigned char *dw = calloc((size_t)nf, 1), *dr = calloc((size_t)nf, 1);
            vad_config vc;
            vad_config_init(&vc);
            vad *v;
            if (vad_create(&v, &vc)) return 1;
            void *r = lib ? webrtc.create() : NULL;
            if (r) { webrtc.init(r); webrtc.mode(r, 2); }
            for (int f = 0; f < nf; f++) {
                dw[f] = (unsigned char)(vad_process(v, x + f * FRAME, FRAME) == 1);
                if (r) dr[f] = (unsigned char)(webrtc.proc(r, 16000, x + f * FRAME, FRAME) == 1);
            }
            grade(&clips[k], dw, nf, &sw);
            if (r) { grade(&clips[k], dr, nf, &sr); webrtc.fr(r); }
            vad_destroy(v);
            free(dw); free(dr); free(x);
        }
        printf("| %s | %.1f%% | %.0f | %+.0f | ", conds[ci].name, 100.0 * sw.correct / sw.frames,
               sw.nseg ? sw.on_err / sw.nseg : 0, sw.nseg ? sw.off_err / sw.nseg : 0);
        if (lib)
            printf("%.1f%% | %.0f | %+.0f |\n", 100.0 * sr.correct / sr.frames,
                   sr.nseg ? sr.on_err / sr.nseg : 0, sr.nseg ? sr.off_err / sr.nseg : 0);
        else
            printf("- | - | - |\n");
        if (sw.missed || sr.missed) printf("  (missed utterances: wyzer %d, webrtc %d)\n", sw.missed, sr.missed);
        tw.frames += sw.frames; tw.correct += sw.correct; tr.frames += sr.frames; tr.correct += sr.correct;
    }
    printf("| all | %.1f%% | | | %.1f%% | | |\n", 100.0 * tw.correct / tw.frames,
           tr.frames ? 100.0 * tr.correct / tr.frames : 0);
    for (int k = 0; k < nc; k++) free(clips[k].pcm);
    return 0;
}
