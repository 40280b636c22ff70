/* bench_wake: wake word detection rate and false wakes per hour, with a DET
 * table over keyphrase thresholds, on speech synthesised at run time.
 *
 * Positives: "hey wiser" (spelled so the synthesisers say W AY Z ER)
 * followed with no pause by a command, in Flite voices slt/awb/rms/kal16 and
 * espeak-ng voices at three speaking rates each, clean and with white/pink
 * noise at 20/15/10 dB SNR and background speech at 10 dB.
 * Negatives: confusable sentences (wiser, wise, why is her, hey there,
 * writer, geyser, ...) and general sentences in the same voices, clean and
 * at 15 dB SNR, streamed back to back.
 *
 * Usage: bench_wake [--quick] [thresholds, comma separated]
 * A detection counts if the reported end lies within 400 ms of the true end
 * of "hey wiser". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/synth.h"
#include "app/config.h"
#include "common/wz.h"
#include "core/wake.h"
#include "common/log.h"

#define FRAME 320

typedef struct { int16_t *pcm; int n; int wake_end; char desc[64]; } clip;

static const char *const k_commands[] = {
    "what time is it", "set a timer for five minutes", "turn off the lights",
    "what is the weather tomorrow", "play some music", "remind me to call mom",
};

static const char *const k_negatives[] = {
    "he is wiser than he looks", "why is her car parked outside", "hey there, how are you",
    "the writer sent a new draft", "the geyser erupted at noon", "a wise man once said nothing",
    "why are you so late today", "they said it was wiser to wait", "hey, what is up",
    "hi there my friend", "the visor on my helmet is broken", "she always rises early",
    "hey, wait for me", "what size is the box", "wise words from a wiser woman",
    "the kaiser was not wiser", "why is her brother here", "hey, the weather is nice",
    "my eyes are tired", "buy a new writer's desk", "please turn off the kitchen lights",
    "the meeting starts at nine in the morning", "can you pass me the salt",
    "I think it will rain later", "we should go to the park on sunday",
    "how much does this cost", "the train was twenty minutes late", "open the window please",
    "my brother lives in a small town", "this coffee is too hot",
};

typedef struct { int flite; const char *voice; } voice_def;
static const voice_def k_voices[] = {
    {1, "slt"}, {1, "awb"}, {1, "rms"}, {1, "kal16"},
    {0, "en-us"}, {0, "en+m3"}, {0, "en+f2"}, {0, "en+m1"}, {0, "en+f4"}, {0, "en-gb"},
};

static int16_t *say(const voice_def *v, int rate_idx, const char *text, int *n)
{
    static const float stretch[3] = {0.85f, 1.0f, 1.2f};
    static const int wpm[3] = {200, 165, 135};
    return v->flite ? synth_flite(v->voice, text, stretch[rate_idx], n)
                    : synth_espeak(v->voice, wpm[rate_idx], text, n);
}

/* first/last 10 ms frame above -40 dB of the peak frame */
/* 0.5 s silence + wake (trimmed) + command (trimmed) + 0.8 s silence */
static clip make_positive(const voice_def *v, int rate_idx, int k, const char *noise_kind, float snr,
                          uint32_t seed)
{
    clip c = {0};
    int nw = 0, nc = 0;
    int16_t *w = say(v, rate_idx, "hey wiser", &nw);
    int16_t *cmd = say(v, rate_idx, k_commands[k % WZ_ARRAY_LEN(k_commands)], &nc);
    if (!w || !cmd) {
        free(w); free(cmd);
        return c;
    }
    int wf, wl, cf, cl;
    synth_speech_span(w, nw, &wf, &wl);
    synth_speech_span(cmd, nc, &cf, &cl);
    int lead = 8000, tail = 12800;
    c.n = lead + (wl - wf) + (cl - cf) + tail;
    c.pcm = calloc((size_t)c.n, sizeof(int16_t));
    memcpy(c.pcm + lead, w + wf, sizeof(int16_t) * (size_t)(wl - wf));
    c.wake_end = lead + (wl - wf);
    memcpy(c.pcm + c.wake_end, cmd + cf, sizeof(int16_t) * (size_t)(cl - cf));
    synth_normalize(c.pcm, c.n, -3.0f);
    double p = synth_active_power(c.pcm, c.n);
    if (!strcmp(noise_kind, "white") || !strcmp(noise_kind, "pink") || !strcmp(noise_kind, "quiet")) {
        /* "quiet": a microphone's self-noise at 40 dB SNR; without any noise
         * espeak-ng's formant speech (zero energy between harmonics) was
         * never spotted, while the same clips with noise were */
        synth_add_noise(c.pcm, c.n, p, snr, strcmp(noise_kind, "white") != 0, seed);
    } else if (!strcmp(noise_kind, "babble")) {
        int nb = 0;
        voice_def other = {1, v->flite && !strcmp(v->voice, "rms") ? "slt" : "rms"};
        int16_t *b = say(&other, 1, "the meeting starts at nine and the train was late again", &nb);
        if (b) {
            double pb = synth_active_power(b, nb);
            float g = (float)sqrt(p / pb / pow(10.0, snr / 10.0));
            for (int i = 0; i < c.n; i++) {
                float s = c.pcm[i] + g * (float)b[(i + 3000) % nb];
                c.pcm[i] = (int16_t)fmaxf(-32768.f, fminf(32767.f, s));
            }
            free(b);
        }
    }
    snprintf(c.desc, sizeof(c.desc), "%s/r%d/%s%.0f", v->voice, rate_idx, noise_kind, snr);
    free(w);
    free(cmd);
    return c;
}

static void feed_silence(wake *w, int ms)
{
    static int16_t z[FRAME];
    for (int i = 0; i < ms / 20; i++) {
        wake_hit h;
        (void)wake_process(w, z, FRAME, &h);
    }
}

int main(int argc, char **argv)
{
    int quick = 0;
    if (getenv("WZ_DEBUG")) log_set_level(LOG_DEBUG);
    const char *thr_list = "1e-10,1e-20,1e-30,1e-40";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick")) quick = 1;
        else thr_list = argv[i];
    }
    int nvoices = quick ? 4 : (int)WZ_ARRAY_LEN(k_voices);
    int nrates = quick ? 1 : 3;

    static const struct { const char *kind; float snr; } conds[] = {
        {"quiet", 40}, {"pink", 20}, {"white", 15}, {"pink", 10}, {"white", 10}, {"babble", 10},
    };
    int nconds = quick ? 3 : (int)WZ_ARRAY_LEN(conds);
    clip *pos = calloc(400, sizeof(clip));
    int npos = 0, k = 0;
    fprintf(stderr, "synthesising positives...\n");
    for (int v = 0; v < nvoices; v++)
        for (int r = 0; r < nrates; r++)
            for (int c = 0; c < nconds; c++) {
                if (getenv("WZ_COND") && atoi(getenv("WZ_COND")) != c) continue;
                clip cl = make_positive(&k_voices[v], quick ? 1 : r, k++, conds[c].kind, conds[c].snr,
                                        (uint32_t)(v * 977 + r * 31 + c + 1));
                if (cl.pcm) pos[npos++] = cl;
            }

    fprintf(stderr, "synthesising negatives...\n");
    int neg_cap = 16000 * 60 * 40, neg_n = 0;
    int16_t *neg = calloc((size_t)neg_cap, sizeof(int16_t));
    int nneg_sent = quick ? 10 : (int)WZ_ARRAY_LEN(k_negatives);
    if (getenv("WZ_COND") || getenv("WZ_POSONLY")) nneg_sent = 1; /* sweeps: positives only */
    for (int v = 0; v < nvoices; v++)
        for (int s = 0; s < nneg_sent; s++) {
            int n = 0;
            int16_t *x = say(&k_voices[v], (s + v) % 3, k_negatives[s], &n);
            if (!x) continue;
            if (neg_n + n + 4800 > neg_cap) { free(x); continue; }
            synth_normalize(x, n, -3.0f);
            if ((s + v) % 2)
                synth_add_noise(x, n, synth_active_power(x, n), 15.0f, s % 2, (uint32_t)(s * 7 + v + 3));
            memcpy(neg + neg_n, x, sizeof(int16_t) * (size_t)n);
            neg_n += n + 4800; /* 300 ms gap */
            free(x);
        }
    double pos_s = 0;
    for (int i = 0; i < npos; i++) pos_s += pos[i].n / 16000.0;
    double neg_h = neg_n / 16000.0 / 3600.0;
    printf("corpus: %d positive clips (%.0f s), %.1f min of negative speech (%d sentences x %d voices)\n",
           npos, pos_s, neg_h * 60, nneg_sent, nvoices);
    printf("| threshold | stage-1 detect | final detect | stage-1 false/h | final false/h | end err p50/max ms | detect latency p50/max ms |\n");
    printf("|---|---|---|---|---|---|---|\n");

    char list[256];
    wz_strlcpy(list, thr_list, sizeof(list));
    char *save = NULL;
    for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        wz_config cfg;
        config_init(&cfg);
        wake_config wc;
        char err[256];
        if (wake_config_from(&wc, &cfg, err, sizeof(err))) return 1;
        wc.phrases[0].threshold = strtod(t, NULL);
        wc.refractory_ms = 1500;
        wake *w;
        if (wake_create(&w, &wc, err, sizeof(err))) {
            fprintf(stderr, "wake_create: %s\n", err);
            return 1;
        }
        int det = 0, det1 = 0;
        int *end_err = calloc((size_t)npos, sizeof(int)), *lat = calloc((size_t)npos, sizeof(int));
        int nerr = 0;
        for (int i = 0; i < npos; i++) {
            if (wake_reset(w)) return 1;
            feed_silence(w, 1600); /* clear refractory from earlier clips */
            wake_stats before, after;
            wake_get_stats(w, &before);
            int64_t base_ms = wake_position_ms(w);
            int found = 0;
            for (int f = 0; f + FRAME <= pos[i].n; f += FRAME) {
                wake_hit h;
                int r = wake_process(w, pos[i].pcm + f, FRAME, &h);
                if (r == WAKE_HIT && !found) {
                    int true_end = (int)(base_ms + pos[i].wake_end / 16);
                    if (getenv("WZ_DEBUG")) fprintf(stderr, "hit end %lld true %d start %lld\n", (long long)h.end_ms, true_end, (long long)h.start_ms);
                    if (labs((long)(h.end_ms - true_end)) <= 400) {
                        found = 1;
                        end_err[nerr] = (int)(h.end_ms - true_end);
                        lat[nerr++] = (int)(h.detect_ms - true_end);
                    }
                }
            }
            wake_get_stats(w, &after);
            det += found;
            if (getenv("WZ_DEBUG"))
                fprintf(stderr, "clip %s: stage1 %d final %d\n", pos[i].desc,
                        after.candidates > before.candidates, found);
            det1 += after.candidates > before.candidates;
        }
        wake_stats before, after;
        wake_get_stats(w, &before);
        if (wake_reset(w)) return 1;
        feed_silence(w, 1600);
        int fa = 0;
        for (int f = 0; f + FRAME <= neg_n; f += FRAME) {
            wake_hit h;
            if (wake_process(w, neg + f, FRAME, &h) == WAKE_HIT) fa++;
        }
        wake_get_stats(w, &after);
        long fa1 = after.candidates - before.candidates;
        /* sort for percentiles */
        for (int a = 0; a < nerr; a++)
            for (int b = a + 1; b < nerr; b++) {
                if (abs(end_err[b]) < abs(end_err[a])) { int x = end_err[a]; end_err[a] = end_err[b]; end_err[b] = x; }
                if (lat[b] < lat[a]) { int x = lat[a]; lat[a] = lat[b]; lat[b] = x; }
            }
        printf("| %s | %.1f%% (%d/%d) | %.1f%% (%d/%d) | %.1f (%ld) | %.1f (%d) | %d / %d | %d / %d |\n", t,
               100.0 * det1 / npos, det1, npos, 100.0 * det / npos, det, npos, fa1 / neg_h, fa1,
               fa / neg_h, fa, nerr ? abs(end_err[nerr / 2]) : 0, nerr ? abs(end_err[nerr - 1]) : 0,
               nerr ? lat[nerr / 2] : 0, nerr ? lat[nerr - 1] : 0);
        fflush(stdout);
        free(end_err);
        free(lat);
        wake_destroy(w);
    }
    for (int i = 0; i < npos; i++) free(pos[i].pcm);
    free(pos);
    free(neg);
    return 0;
}
