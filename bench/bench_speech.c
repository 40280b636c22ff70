/* bench_speech.c: speech engine figures for docs/speech.md.
 *
 *   build/bench/bench_speech [WZ_SOURCE_DIR]
 *
 * STT (PocketSphinx, 20 ms chunks fed as fast as possible):
 *   - grammar pass alone, and both passes together (the product setting), on
 *     command clips synthesised with flite slt/awb/rms/kal16 and espeak-ng,
 *     padded with 300 ms of low noise before and 600 ms after (endpointer):
 *     real-time factor, finalise latency (stt_finish) p50/p95, sentence accuracy;
 *   - general pass on pocketsphinx-testdata LibriVox: RTF, finalise p50/p95, WER.
 * TTS (Flite, per voice): time to first chunk and real-time factor, median
 * over a few sentences. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/config.h"
#include "brain/router.h"
#include "brain/stt.h"
#include "brain/tts.h"
#include "core/wav.h"
#include "../tests/unit/speech_test_util.h"

void stt_pocketsphinx_set_lm_enabled(stt *s, bool on);

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double p)
{
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    int i = (int)(p * (n - 1) + 0.5);
    return n ? v[i] : 0;
}

typedef struct { double proc_s, audio_s, fin[256]; int n, ok, words, errors; } acc_t;

static void decode_timed(stt *s, const int16_t *pcm, size_t n, stt_result *r, acc_t *a)
{
    int64_t t0 = wz_now_ns();
    if (stt_begin(s) != 0)
        exit(1);
    for (size_t i = 0; i < n; i += 320)
        if (stt_feed(s, pcm + i, WZ_MIN((size_t)320, n - i)) != 0)
            exit(1);
    int64_t t1 = wz_now_ns();
    if (stt_finish(s, r) != 0)
        exit(1);
    int64_t t2 = wz_now_ns();
    a->proc_s += (double)(t2 - t0) / 1e9;
    a->audio_s += (double)n / WZ_SAMPLE_RATE;
    if (a->n < 256)
        a->fin[a->n++] = (double)(t2 - t1) / 1e6;
}

static void commands(stt *s, const char *src, bool lm_on, const char *label)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/commands.txt", src);
    char *txt = su_slurp(path);
    const char *voices[] = {"slt", "awb", "rms", "kal16", "espeak"};
    acc_t a = {0};
    stt_pocketsphinx_set_lm_enabled(s, lm_on);
    int total = 0;
    for (size_t v = 0; v < WZ_ARRAY_LEN(voices); v++) {
        char *copy = strdup(txt), *save = NULL;
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            int16_t *pcm;
            size_t n;
            if (su_synth(voices[v], line, &pcm, &n) != 0)
                exit(1);
            size_t pn;
            int16_t *padded = su_pad(pcm, n, &pn); /* endpointer silence, as core sends */
            stt_result r;
            decode_timed(s, padded, pn, &r, &a);
            free(padded);
            a.ok += strcmp(r.text, line) == 0;
            total++;
            free(pcm);
        }
        free(copy);
    }
    printf("| %s | %d clips, %.0f s | %.3f | %.1f | %.1f | %.1f%% sentences |\n", label, total, a.audio_s,
           a.proc_s / a.audio_s, pct(a.fin, a.n, 0.5), pct(a.fin, a.n, 0.95), 100.0 * a.ok / total);
    free(txt);
}

static void general(stt *s)
{
    const char *dir = "/usr/share/pocketsphinx/test/data/librivox";
    char path[1024];
    snprintf(path, sizeof path, "%s/transcription", dir);
    char *tr = su_slurp(path);
    acc_t a = {0};
    char *save = NULL;
    int files = 0;
    for (char *line = strtok_r(tr, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *open = strrchr(line, '('), *close = open ? strchr(open, ')') : NULL, *end = strstr(line, "</s>");
        if (!open || !close || !end)
            continue;
        *close = '\0';
        *end = '\0';
        snprintf(path, sizeof path, "%s/%s.wav", dir, open + 1);
        int16_t *pcm;
        size_t n;
        wav_info info;
        char err[256];
        if (wav_read_16k_mono(path, &pcm, &n, &info, err, sizeof err) != 0)
            exit(1);
        stt_result r;
        decode_timed(s, pcm, n, &r, &a);
        int nref;
        a.errors += su_word_errors(strstr(line, "<s>") + 3, r.text, &nref);
        a.words += nref;
        files++;
        free(pcm);
    }
    printf("| general (LM) | %d LibriVox files, %.0f s | %.3f | %.1f | %.1f | %.1f%% WER (%d/%d words) |\n", files,
           a.audio_s, a.proc_s / a.audio_s, pct(a.fin, a.n, 0.5), pct(a.fin, a.n, 0.95),
           100.0 * a.errors / a.words, a.errors, a.words);
    free(tr);
}

static void tts_voice(const char *voice)
{
    static const char *sentences[] = {
        "The timer is done.",
        "It is five oh seven P M and the weather is sunny.",
        "Here is a longer answer, with two clauses, that an assistant might give when asked a question.",
        "Okay.",
        "Setting the volume to thirty percent.",
    };
    wz_config cfg;
    config_init(&cfg);
    wz_strlcpy(cfg.tts_voice, voice, sizeof cfg.tts_voice);
    tts *t;
    char err[512];
    if (tts_create(&t, &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    double first[8], rtf[8];
    int k = 0;
    for (int rep = 0; rep < 1; rep++)
        for (size_t i = 0; i < WZ_ARRAY_LEN(sentences); i++, k++) {
            static int16_t buf[4096];
            int64_t t0 = wz_now_ns(), t_first = 0;
            if (tts_begin(t, sentences[i]) != 0)
                exit(1);
            bool done = false;
            size_t total = 0;
            int rate = 16000;
            while (!done) {
                size_t n;
                if (tts_pull(t, buf, 4096, &n, &rate, &done, -1) != 0)
                    exit(1);
                if (n && !t_first)
                    t_first = wz_now_ns();
                total += n;
            }
            int64_t t1 = wz_now_ns();
            first[k] = (double)(t_first - t0) / 1e6;
            rtf[k] = ((double)(t1 - t0) / 1e9) / ((double)total / rate);
        }
    printf("| %s | %.1f | %.1f | %.3f |\n", voice, pct(first, k, 0.5), pct(first, k, 0.95), pct(rtf, k, 0.5));
    tts_destroy(t);
}

/* Intelligibility of each Flite voice: synthesise sentences in-process and
 * transcribe them with the general (LM) pass; lower WER = clearer voice.
 * This is how the default tts.voice was chosen. */
static void tts_intelligibility(stt *s, const char *src)
{
    char path[1024];
    const char *files[] = {"commands.txt", "free_requests.txt"};
    const char *voices[] = {"slt", "awb", "rms", "kal16"};
    printf("\n## Flite voice intelligibility (TTS -> PocketSphinx LM pass)\n\n| voice | WER |\n|---|---|\n");
    stt_pocketsphinx_set_lm_enabled(s, true);
    for (size_t v = 0; v < 4; v++) {
        wz_config cfg;
        config_init(&cfg);
        wz_strlcpy(cfg.tts_voice, voices[v], sizeof cfg.tts_voice);
        tts *t;
        char err[256];
        if (tts_create(&t, &cfg, err, sizeof err) != 0)
            exit(1);
        int errors = 0, words = 0;
        for (size_t f = 0; f < 2; f++) {
            snprintf(path, sizeof path, "%s/tests/data/%s", src, files[f]);
            char *txt = su_slurp(path), *save = NULL;
            for (char *line = strtok_r(txt, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                static int16_t pcm[16000 * 20];
                size_t total = 0, n;
                int rate;
                bool done = false;
                if (tts_begin(t, line) != 0)
                    exit(1);
                while (!done && total < WZ_ARRAY_LEN(pcm))
                    if (tts_pull(t, pcm + total, WZ_ARRAY_LEN(pcm) - total, &n, &rate, &done, -1) != 0)
                        exit(1);
                    else
                        total += n;
                stt_result r;
                if (su_decode(s, pcm, total, &r) != 0)
                    exit(1);
                int nref;
                errors += su_word_errors(line, r.text, &nref);
                words += nref;
            }
            free(txt);
        }
        printf("| %s | %.1f%% (%d/%d words) |\n", voices[v], 100.0 * errors / words, errors, words);
        tts_destroy(t);
    }
}

int main(int argc, char **argv)
{
    const char *src = argc > 1 ? argv[1] : getenv("WZ_SOURCE_DIR");
    if (!src)
        src = ".";
    wz_config cfg;
    config_init(&cfg);
    stt *s;
    char err[512];
    if (stt_create(&s, &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/commands.jsgf", src);
    char *j = su_slurp(path);
    printf("## STT (PocketSphinx)\n\n| pass | audio | RTF | finalise p50 ms | finalise p95 ms | accuracy |\n|---|---|---|---|---|---|\n");
    general(s);
    if (!j || stt_set_grammar(s, j, err, sizeof err) != 0) {
        fprintf(stderr, "grammar: %s\n", err);
        return 1;
    }
    commands(s, src, false, "grammar alone");
    commands(s, src, true, "grammar + LM");
    free(j);
    /* The product's grammar, from data/intents: it holds most but not all of
     * the test sentences ("go forward ten meters" is no command), so its
     * accuracy column is lower by design; the row is for its cost. */
    router *rt = NULL;
    snprintf(path, sizeof path, "%s/data/intents", src);
    if (router_create(&rt, path, err, sizeof err) != 0 || !(j = intents_to_jsgf(router_intents(rt))) ||
        stt_set_grammar(s, j, err, sizeof err) != 0) {
        fprintf(stderr, "product grammar: %s\n", err);
        return 1;
    }
    router_destroy(rt);
    commands(s, src, false, "product grammar alone");
    commands(s, src, true, "product grammar + LM");
    free(j);
    char e2[64];
    if (stt_set_grammar(s, NULL, e2, sizeof e2) != 0)
        return 1;
    tts_intelligibility(s, src);
    stt_destroy(s);
    printf("\n## TTS (Flite)\n\n| voice | first chunk p50 ms | first chunk p95 ms | RTF p50 |\n|---|---|---|---|\n");
    const char *voices[] = {"slt", "awb", "rms", "kal16"};
    for (size_t v = 0; v < 4; v++)
        tts_voice(voices[v]);
    return 0;
}
