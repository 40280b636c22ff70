/* bench_endpoint: chooses listen.end_silence_ms. Commands synthesised with
 * internal pauses (punctuation pauses from the synthesiser, plus explicit
 * hesitations of 250-450 ms between phrases), at 20 dB pink-noise SNR, go
 * through the real VAD and endpointer for each candidate end_silence_ms.
 * A command is "cut" when SPEECH_END comes before its last word ended.
 * Printed: cut rate and the mean delay from the true end to SPEECH_END. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/synth.h"
#include "core/endpoint.h"
#include "core/vad.h"

#define FRAME 320

typedef struct { int16_t *pcm; int n, end; } cmd;

static int last_active(const int16_t *x, int n, int *first)
{
    double peak = 0;
    for (int f = 0; f + 160 <= n; f += 160) {
        double e = 0;
        for (int i = 0; i < 160; i++) e += (double)x[f + i] * x[f + i];
        if (e > peak) peak = e;
    }
    int last = 0;
    *first = -1;
    for (int f = 0; f + 160 <= n; f += 160) {
        double e = 0;
        for (int i = 0; i < 160; i++) e += (double)x[f + i] * x[f + i];
        if (e > peak * 1e-4) { last = f + 160; if (*first < 0) *first = f; }
    }
    if (*first < 0) *first = 0;
    return last;
}

int main(void)
{
    static const char *const halves[][2] = {
        {"set a timer for", "five minutes"}, {"remind me to", "call my sister tomorrow"},
        {"what is the weather", "in paris"}, {"play some music by", "the beatles"},
        {"turn off the lights,", "in the kitchen"}, {"add milk, eggs,", "and bread to the list"},
    };
    static const struct { int flite; const char *v; } voices[] = {
        {1, "slt"}, {1, "awb"}, {1, "rms"}, {1, "kal16"}, {0, "en-us"}, {0, "en+m3"}};
    static const int gaps_ms[] = {0, 250, 350, 450};
    cmd cmds[200];
    int nc = 0;
    for (size_t v = 0; v < 6; v++)
        for (size_t h = 0; h < 6; h++) {
            int g = gaps_ms[(v + h) % 4];
            int n1 = 0, n2 = 0; /* -O3 cannot see that synth_* set them whenever they return non-NULL */
            int16_t *a = voices[v].flite ? synth_flite(voices[v].v, halves[h][0], 1.0f, &n1)
                                         : synth_espeak(voices[v].v, 160, halves[h][0], &n1);
            int16_t *b = voices[v].flite ? synth_flite(voices[v].v, halves[h][1], 1.0f, &n2)
                                         : synth_espeak(voices[v].v, 160, halves[h][1], &n2);
            if (!a || !b) { free(a); free(b); continue; }
            int fa, fb, la = last_active(a, n1, &fa), lb = last_active(b, n2, &fb);
            cmd c;
            c.n = 16000 + (la - fa) + g * 16 + (lb - fb) + 32000;
            c.pcm = calloc((size_t)c.n, sizeof(int16_t));
            int p = 16000;
            memcpy(c.pcm + p, a + fa, sizeof(int16_t) * (size_t)(la - fa));
            p += (la - fa) + g * 16;
            memcpy(c.pcm + p, b + fb, sizeof(int16_t) * (size_t)(lb - fb));
            c.end = p + (lb - fb);
            synth_normalize(c.pcm, c.n, -6.0f);
            synth_add_noise(c.pcm, c.n, synth_active_power(c.pcm, c.n), 20.0f, 1, (uint32_t)(v * 13 + h + 1));
            cmds[nc++] = c;
            free(a); free(b);
        }
    printf("%d commands (pauses 0/250/350/450 ms + synthesiser punctuation pauses), pink noise 20 dB\n", nc);
    printf("| end_silence_ms | cut | mean end delay ms | max end delay ms |\n|---|---|---|---|\n");
    for (int es = 200; es <= 1000; es += 100) {
        int cut = 0;
        double sum = 0;
        int maxd = 0;
        for (int k = 0; k < nc; k++) {
            vad_config vc;
            vad_config_init(&vc);
            vad *v;
            if (vad_create(&v, &vc)) return 1;
            endpoint e;
            endpoint_config ec = {.frame_ms = 20, .start_timeout_ms = 5000, .end_silence_ms = es, .max_ms = 10000};
            if (endpoint_init(&e, &ec)) return 1;
            int armed = 0, end_sample = -1;
            for (int f = 0; f + FRAME <= cmds[k].n; f += FRAME) {
                int s = vad_process(v, cmds[k].pcm + f, FRAME);
                if (!armed && f >= 8000) { endpoint_start(&e, false); armed = 1; }
                endpoint_info info;
                if (endpoint_process(&e, s == 1, &info) == ENDPOINT_SPEECH_END) { end_sample = f + FRAME; break; }
            }
            if (end_sample < 0 || end_sample < cmds[k].end) cut++;
            else {
                int d = (end_sample - cmds[k].end) / 16;
                sum += d;
                if (d > maxd) maxd = d;
            }
            vad_destroy(v);
        }
        printf("| %d | %d/%d | %.0f | %d |\n", es, cut, nc, nc - cut ? sum / (nc - cut) : 0, maxd);
    }
    for (int k = 0; k < nc; k++) free(cmds[k].pcm);
    return 0;
}
