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
 *        bench_wake --corpus DIR [--early] [--fresh [--jobs N]] [--cmn-slow] [--dump PREFIX]
 *                   [thresholds]
 * A detection counts if the reported end lies within 400 ms of the true end
 * of "hey wiser".
 *
 * bench_wake --corpus DIR [thresholds]: the wake module alone on the
 * evaluation corpus (eval/gen_corpus.py; DIR holds manifest.jsonl), each clip
 * converted to 16 kHz mono as the file backend does. A positive counts as
 * detected when a wake hit ends between the start of "hey wiser" and the end
 * of the command, as eval/run_eval.py scores the `wake` event; every hit on
 * a negative is a false wake. Prints totals and detection per voice and per
 * SNR; WZ_DEBUG=1 adds each clip and stage 2's transcripts.
 *
 * --early (with --corpus): the wake module as the core runs it while a
 * reply plays (wake_listen_early on), as if every clip were spoken over a
 * reply. Also prints how far ahead of the whole phrase's report a candidate
 * is named on the detected positives, and how often a candidate is named
 * on the negatives: each such episode would pause a reply playing at the
 * time (bargein.hold; before the own-voice check).
 *
 * --fresh (with --corpus): a new wake module for every clip, as every
 * eval/run_eval.py clip is a new process (by default one module hears the
 * whole corpus, as an assistant that has been running for a while).
 * --jobs N (with --fresh): N forked workers share the clips, for the same
 * figures in 1/N of the time on N cores (WZ_DEBUG lines then interleave).
 * --cmn-slow: PocketSphinx's own cepstral mean instead of the one that
 * follows the input (wake_config.fast_cmn = false).
 * --dump PREFIX (with --corpus): also writes every stage-1 candidate's
 * cepstra (1.6 s before its end to 0.2 s after), labelled from the
 * manifest, to PREFIX.<pid>: eval/train_wake.py learns stage 3 from them.
 * Stage 3 is off while dumping, so the dump does not depend on the net
 * installed at the time.
 * --net FILE, --net-threshold T, --net-threshold-exact T: stage 3's weights
 * and thresholds instead of the configuration's (--net '' for none).
 * bench_wake --net-cost: what stage 3 costs per candidate, p50/p99/max. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <sphinxbase/err.h>

#include "../tests/synth.h"
#include "app/config.h"
#include "common/wz.h"
#include "core/wake.h"
#include "core/wake_net.h"
#include "core/wav.h"
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

/* Silence between clips: skipped, as the core skips what its VAD calls
 * silence (wake_skip), so it never reaches the search or its mean. */
static void feed_silence(wake *w, int ms)
{
    static int16_t z[FRAME];
    for (int i = 0; i < ms / 20; i++) {
        wake_hit h;
        (void)wake_skip(w, z, FRAME, &h);
    }
}

/* Splits "1e-20,1e-30" into at most MAX_THRESHOLDS strings. */
#define MAX_THRESHOLDS 8
static int split_thresholds(const char *list, char out[][32])
{
    char copy[256];
    wz_strlcpy(copy, list, sizeof(copy));
    char *save = NULL;
    int n = 0;
    for (char *t = strtok_r(copy, ",", &save); t && n < MAX_THRESHOLDS; t = strtok_r(NULL, ",", &save))
        wz_strlcpy(out[n++], t, 32);
    return n;
}

static double per_hour(double n, double hours) { return hours > 0 ? n / hours : 0.0; }
static double percent(int n, int of) { return of > 0 ? 100.0 * n / of : 0.0; } /* 0 for a set of no positives */

static bool g_early;    /* --early */
static bool g_fresh;    /* --fresh */
static bool g_cmn_slow; /* --cmn-slow */
static int g_jobs = 1;  /* --jobs N (with --fresh) */
static const char *g_net;        /* --net FILE: stage 3's weights ("" for none) */
static const char *g_dump;       /* --dump PREFIX: each process writes PREFIX.<pid> */
static double g_net_threshold = -1; /* --net-threshold T (default: the configuration's) */
static double g_net_exact = -1;     /* --net-threshold-exact T (likewise) */

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The wake module with the default configuration at keyphrase threshold
 * thr (NULL on error, reported). */
static wake *wake_at(const char *thr)
{
    wz_config cfg;
    config_init(&cfg);
    wake_config wc;
    char err[256];
    wake *w = NULL;
    if (wake_config_from(&wc, &cfg, err, sizeof(err)) == WZ_OK) {
        wc.phrases[0].threshold = strtod(thr, NULL);
        wc.refractory_ms = 1500;
        wc.early = g_early;
        if (g_net) wz_strlcpy(wc.net, g_net, sizeof(wc.net));
        if (g_dump) wc.net[0] = '\0'; /* candidates as stages 1 and 2 see them, whatever net is installed */
        if (g_net_threshold >= 0) wc.net_threshold = g_net_threshold;
        if (g_net_exact >= 0) wc.net_threshold_exact = g_net_exact;
        wc.fast_cmn = !g_cmn_slow;
        if (wake_create(&w, &wc, err, sizeof(err)) == WZ_OK) {
            if (wake_listen_early(w, g_early) == WZ_OK)
                return w;
            wake_destroy(w);
            snprintf(err, sizeof(err), "cannot switch on the early lines");
        }
    }
    fprintf(stderr, "bench_wake: cannot set up the wake word: %s\n", err);
    return NULL;
}

/* ---- --corpus: the evaluation corpus ---------------------------------- */

typedef struct {
    char voice[32];
    char snr[16];  /* "clean", "20", ... */
    int positive;
    int wake_start_ms, cmd_end_ms; /* positives: the scoring window */
    int wake_end_ms;               /* positives: where "hey wiser" ends */
    int16_t *pcm;
    size_t n;
} corpus_clip;

typedef struct { char key[32]; int n, det1, det; } tally;

static void tally_add(tally *t, int *nt, int max, const char *key, int det1, int det)
{
    int i = 0;
    while (i < *nt && strcmp(t[i].key, key)) i++;
    if (i == *nt) {
        if (*nt == max) return;
        memset(&t[i], 0, sizeof(t[i]));
        wz_strlcpy(t[i].key, key, sizeof(t[i].key));
        (*nt)++;
    }
    t[i].n++;
    t[i].det1 += det1;
    t[i].det += det;
}

static int load_corpus(const char *dir, corpus_clip **out, int *nout)
{
    char man[1024], path[1024];
    snprintf(man, sizeof(man), "%s/manifest.jsonl", dir);
    FILE *f = fopen(man, "r");
    if (!f) {
        fprintf(stderr, "bench_wake: cannot open %s (run `make eval-corpus` first)\n", man);
        return -1;
    }
    int cap = 256, n = 0;
    corpus_clip *c = calloc((size_t)cap, sizeof(*c));
    char line[8192];
    while (c && fgets(line, sizeof(line), f)) {
        json_error_t je;
        json_t *o = json_loads(line, 0, &je);
        if (!o) { /* reported, so the counts printed after show the loss */
            fprintf(stderr, "bench_wake: %s: a line is not JSON (%s) or over %zu bytes; skipped\n", man,
                    je.text, sizeof(line));
            continue;
        }
        if (n == cap) {
            corpus_clip *g = realloc(c, sizeof(*c) * (size_t)(cap *= 2));
            if (!g) { json_decref(o); break; }
            c = g;
        }
        corpus_clip *k = &c[n];
        memset(k, 0, sizeof(*k));
        const char *file = json_string_value(json_object_get(o, "file"));
        const char *kind = json_string_value(json_object_get(o, "kind"));
        const char *voice = json_string_value(json_object_get(o, "voice"));
        json_t *snr = json_object_get(o, "snr");
        k->positive = kind && !strcmp(kind, "positive");
        wz_strlcpy(k->voice, voice ? voice : "?", sizeof(k->voice));
        if (json_is_number(snr)) snprintf(k->snr, sizeof(k->snr), "%g", json_number_value(snr));
        else wz_strlcpy(k->snr, "clean", sizeof(k->snr));
        k->wake_start_ms = (int)json_integer_value(json_object_get(o, "lead_ms"));
        k->cmd_end_ms = (int)json_integer_value(json_object_get(o, "speech_end_ms"));
        k->wake_end_ms = (int)json_integer_value(json_object_get(o, "wake_end_ms"));
        snprintf(path, sizeof(path), "%s/%s", dir, file ? file : "");
        wav_info info;
        char err[256];
        if (wav_read_16k_mono(path, &k->pcm, &k->n, &info, err, sizeof(err))) {
            fprintf(stderr, "bench_wake: %s: %s\n", path, err);
            json_decref(o);
            continue;
        }
        json_decref(o);
        n++;
    }
    fclose(f);
    *out = c;
    *nout = n;
    return c ? 0 : -1;
}

/* One clip's outcome, as a worker hands it to the parent (--jobs). */
typedef struct {
    int clip;       /* index into the corpus */
    int found;      /* positive: a wake hit inside its scoring window */
    int hits;       /* wake hits */
    long cand;      /* stage-1 candidates */
    long by_rule;   /* hits accepted by stage 2's rule alone */
    long by_net;    /* candidates stage 2 accepted and stage 3 rejected */
    long episodes;  /* candidate episodes (wake_checking) */
    int lead;       /* found: how long the candidate was named ahead of the hit, -1 otherwise */
} clip_result;

/* ---- --dump: the stage-1 candidates' cepstra, for eval/train_wake.py ---- */

#define DUMP_BEFORE_MS 1600 /* audio before a candidate's end ... */
#define DUMP_AFTER_MS 200   /* ... and after it */
#define DUMP_FRAMES 180
#define MAX_CANDS 64

/* One record, little-endian as written (eval/train_wake.py reads it). label:
 * 1 a candidate within 300 ms of a positive's true end of "hey wiser", 2 that
 * true end itself (start = lead_ms), 0 a candidate on a negative, -1 any
 * other candidate on a positive. */
typedef struct {
    int32_t clip, label, start_ms, end_ms, accepted, by_rule, frames, snr;
    float cep[DUMP_FRAMES * WAKE_NET_CEP];
} dump_rec;

typedef struct { int start, end, accepted, by_rule; } cand_rec;

static int dump_one(FILE *f, const corpus_clip *k, int i, int label, const cand_rec *c)
{
    static int16_t win[(DUMP_BEFORE_MS + DUMP_AFTER_MS) * 16];
    static dump_rec r;
    memset(&r, 0, sizeof(r));
    long first = ((long)c->end - DUMP_BEFORE_MS) * 16;
    for (long j = 0; j < (long)WZ_ARRAY_LEN(win); j++) /* zeros outside the clip, as the module's history */
        win[j] = first + j >= 0 && first + j < (long)k->n ? k->pcm[first + j] : 0;
    r.frames = wake_net_cepstra(win, (int)WZ_ARRAY_LEN(win), r.cep, DUMP_FRAMES);
    if (r.frames < 0) return -1;
    r.clip = i;
    r.label = label;
    r.start_ms = c->start;
    r.end_ms = c->end;
    r.accepted = c->accepted;
    r.by_rule = c->by_rule;
    r.snr = strcmp(k->snr, "clean") ? atoi(k->snr) : 99;
    return fwrite(&r, sizeof(r), 1, f) == 1 ? 0 : -1;
}

static int dump_clip(const corpus_clip *k, int i, const cand_rec *c, int nc)
{
    static FILE *f;
    if (!f) {
        char path[1024];
        snprintf(path, sizeof(path), "%s.%d", g_dump, (int)getpid());
        if (!(f = fopen(path, "wb"))) {
            fprintf(stderr, "bench_wake: cannot write %s\n", path);
            return -1;
        }
    }
    for (int j = 0; j < nc; j++) {
        int label = !k->positive ? 0 : abs(c[j].end - k->wake_end_ms) <= 300 ? 1 : -1;
        if (dump_one(f, k, i, label, &c[j])) return -1;
    }
    if (k->positive) {
        cand_rec truth = {k->wake_start_ms, k->wake_end_ms, 0, 0};
        if (dump_one(f, k, i, 2, &truth)) return -1;
    }
    return fflush(f) ? -1 : 0;
}

/* Runs one clip through *w (a new module first if --fresh). */
static int run_clip(wake **w, const char *thr, const corpus_clip *k, int i, clip_result *r)
{
    if (g_fresh) {
        wake_destroy(*w);
        if (!(*w = wake_at(thr))) return -1;
    }
    if (wake_reset(*w)) return -1;
    feed_silence(*w, 1600); /* clear the refractory period of the clip before */
    wake_stats before, after;
    wake_get_stats(*w, &before);
    int64_t base = wake_position_ms(*w);
    memset(r, 0, sizeof(*r));
    r->clip = i;
    r->lead = -1;
    bool checking = false;
    int64_t first_report = -1, last_report = -1; /* of the current episode */
    cand_rec cands[MAX_CANDS];
    int nc = 0;
    long rule_seen = before.by_rule;
    for (size_t f = 0; f + FRAME <= k->n; f += FRAME) {
        wake_hit h, c;
        int kind = wake_process(*w, k->pcm + f, FRAME, &h);
        bool now = wake_checking(*w, &c);
        if (now && !checking) {
            r->episodes++;
            first_report = c.detect_ms;
        }
        if (now)
            last_report = c.detect_ms;
        checking = now;
        if (now && c.kind == WAKE_HIT && nc < MAX_CANDS &&
            (nc == 0 || cands[nc - 1].end != c.end_ms - base || cands[nc - 1].start != c.start_ms - base))
            cands[nc++] = (cand_rec){(int)(c.start_ms - base), (int)(c.end_ms - base), 0, 0};
        if (kind != WAKE_HIT) continue;
        r->hits++;
        int64_t end = h.end_ms - base;
        wake_get_stats(*w, &after);
        for (int j = 0; j < nc; j++)
            if (cands[j].end == end) {
                cands[j].accepted = 1;
                cands[j].by_rule = after.by_rule > rule_seen;
            }
        rule_seen = after.by_rule;
        if (k->positive && end >= k->wake_start_ms && end <= k->cmd_end_ms && !r->found) {
            r->found = 1;
            r->lead = (int)(last_report - first_report);
        }
    }
    wake_get_stats(*w, &after);
    r->cand = after.candidates - before.candidates;
    r->by_rule = after.by_rule - before.by_rule;
    r->by_net = after.net_rejected - before.net_rejected;
    if (g_dump && dump_clip(k, i, cands, nc)) return -1;
    if (getenv("WZ_DEBUG"))
        fprintf(stderr, "clip %d %s %s/%s: stage1 %ld final %d\n", i, k->positive ? "pos" : "neg", k->voice,
                k->snr, r->cand, k->positive ? r->found : r->hits);
    return 0;
}

/* Every clip's outcome into res[] (indexed by clip). With --jobs N (and
 * --fresh, so no clip depends on the one before) N forked workers take
 * every Nth clip and write their results down a pipe. */
static int run_clips(const char *thr, const corpus_clip *cl, int ncl, clip_result *res)
{
    int jobs = g_fresh ? WZ_MAX(g_jobs, 1) : 1;
    if (jobs == 1) {
        wake *w = wake_at(thr);
        if (!w) return -1;
        for (int i = 0; i < ncl; i++)
            if (run_clip(&w, thr, &cl[i], i, &res[i])) {
                wake_destroy(w);
                return -1;
            }
        wake_destroy(w);
        return 0;
    }
    int fd[2];
    if (pipe(fd)) return -1;
    fflush(NULL);
    for (int j = 0; j < jobs; j++) {
        pid_t pid = fork();
        if (pid < 0) return -1;
        if (pid == 0) {
            close(fd[0]);
            wake *w = wake_at(thr);
            int rc = w ? 0 : 1;
            for (int i = j; i < ncl && !rc; i += jobs) {
                clip_result r;
                rc = run_clip(&w, thr, &cl[i], i, &r) || write(fd[1], &r, sizeof(r)) != (ssize_t)sizeof(r);
            }
            wake_destroy(w);
            _exit(rc);
        }
    }
    close(fd[1]);
    int got = 0;
    clip_result r;
    while (read(fd[0], &r, sizeof(r)) == (ssize_t)sizeof(r)) /* each under PIPE_BUF: written whole */
        if (r.clip >= 0 && r.clip < ncl) {
            res[r.clip] = r;
            got++;
        }
    close(fd[0]);
    int failed = 0, status;
    while (wait(&status) > 0)
        failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    return failed || got != ncl ? -1 : 0;
}

static int run_corpus(const char *dir, const char *thr_list)
{
    corpus_clip *cl;
    int ncl;
    if (load_corpus(dir, &cl, &ncl)) return 1;
    int npos = 0;
    double neg_h = 0;
    for (int i = 0; i < ncl; i++) {
        if (cl[i].positive) npos++;
        else neg_h += (double)cl[i].n / 16000.0 / 3600.0;
    }
    printf("corpus %s: %d positives, %.2f h of negatives\n", dir, npos, neg_h);
    char thr[MAX_THRESHOLDS][32];
    int nthr = split_thresholds(thr_list, thr);
    clip_result *res = calloc((size_t)ncl + 1, sizeof(*res));
    int *lead = calloc((size_t)ncl + 1, sizeof(int));
    if (!res || !lead) return 1;
    for (int ti = 0; ti < nthr; ti++) {
        if (run_clips(thr[ti], cl, ncl, res)) {
            fprintf(stderr, "bench_wake: the corpus run failed at threshold %s\n", thr[ti]);
            return 1;
        }
        tally by_voice[16], by_snr[8];
        int nv = 0, ns = 0, det = 0, det1 = 0, fa = 0, nlead = 0;
        long fa1 = 0, episodes = 0, rule_pos = 0, rule_neg = 0, hits_pos = 0, net_pos = 0, net_neg = 0;
        for (int i = 0; i < ncl; i++) {
            const corpus_clip *k = &cl[i];
            const clip_result *r = &res[i];
            if (r->lead >= 0)
                lead[nlead++] = r->lead;
            int cand = r->cand > 0;
            if (k->positive) {
                hits_pos += r->hits;
                rule_pos += r->by_rule;
                net_pos += r->by_net;
                det += r->found;
                det1 += cand;
                tally_add(by_voice, &nv, 16, k->voice, cand, r->found);
                tally_add(by_snr, &ns, 8, k->snr, cand, r->found);
            } else {
                fa += r->hits;
                fa1 += r->cand;
                rule_neg += r->by_rule;
                net_neg += r->by_net;
                episodes += r->episodes;
            }
        }
        printf("\nthreshold %s: stage 1 %.1f%% (%d/%d), final %.1f%% (%d/%d); false wakes %.1f/h (%d), "
               "stage-1 candidates on negatives %.1f/h (%ld)\n",
               thr[ti], percent(det1, npos), det1, npos, percent(det, npos), det, npos, per_hour(fa, neg_h), fa, per_hour(fa1, neg_h),
               fa1);
        qsort(lead, (size_t)nlead, sizeof(int), cmp_int);
        printf("candidate named ahead of the whole phrase's report on %d detected positives: p50 %d, p90 %d, max %d ms; "
               "candidate episodes on negatives %.1f/h (%ld)\n",
               nlead, nlead ? lead[nlead / 2] : 0, nlead ? lead[nlead * 9 / 10] : 0, nlead ? lead[nlead - 1] : 0,
               per_hour((double)episodes, neg_h), episodes);
        printf("accepted by stage 2's hey-why rule alone (the rest by the phrase itself): %ld of %ld wake hits "
               "on positives, %ld of %d false wakes\n", rule_pos, hits_pos, rule_neg, fa);
        printf("passed by stage 2, rejected by stage 3: %ld candidates on positives, %ld on negatives\n", net_pos,
               net_neg);
        printf("| voice | positives | stage 1 | final |\n|---|---|---|---|\n");
        for (int i = 0; i < nv; i++)
            printf("| %s | %d | %d | %d |\n", by_voice[i].key, by_voice[i].n, by_voice[i].det1, by_voice[i].det);
        printf("| snr dB | positives | stage 1 | final |\n|---|---|---|---|\n");
        for (int i = 0; i < ns; i++)
            printf("| %s | %d | %d | %d |\n", by_snr[i].key, by_snr[i].n, by_snr[i].det1, by_snr[i].det);
        fflush(stdout);
    }
    free(res);
    free(lead);
    for (int i = 0; i < ncl; i++) free(cl[i].pcm);
    free(cl);
    return 0;
}

/* --net-cost: what stage 3 costs per candidate (front end and network), on
 * windows of synthesised speech in noise. */
static int run_net_cost(void)
{
    err_set_logfp(NULL); /* PocketSphinx prints the front end's parameters */
    wz_config cfg;
    config_init(&cfg);
    wake_config wc;
    char err[256];
    wake_net *net = NULL;
    if (wake_config_from(&wc, &cfg, err, sizeof(err)) != WZ_OK ||
        wake_net_load(&net, g_net ? g_net : wc.net, err, sizeof(err)) != WZ_OK) {
        fprintf(stderr, "bench_wake: %s\n", err);
        return 1;
    }
    int n = 0, len = wake_net_before(net) + wake_net_after(net);
    int16_t *x = synth_flite("rms", "hey wiser what time is it", 1.0f, &n);
    int16_t *win = calloc((size_t)len, sizeof(int16_t));
    enum { RUNS = 1000 };
    static double t[RUNS];
    double sum = 0;
    for (int r = 0; r < RUNS && x && win; r++) {
        for (int i = 0; i < len; i++)
            win[i] = x[(i + r * 37) % n];
        synth_add_noise(win, len, synth_active_power(win, len), 15.0f, 1, (uint32_t)r);
        int64_t t0 = wz_now_ns();
        sum += wake_net_score(net, win);
        t[r] = (double)(wz_now_ns() - t0) / 1e3;
    }
    qsort(t, RUNS, sizeof(t[0]), cmp_double);
    printf("stage 3, %d windows of %d ms: p50 %.0f us, p99 %.0f us, max %.0f us per candidate (mean score %.2f)\n",
           RUNS, len / 16, t[RUNS / 2], t[RUNS * 99 / 100], t[RUNS - 1], sum / RUNS);
    free(x);
    free(win);
    wake_net_free(net);
    return 0;
}

int main(int argc, char **argv)
{
    int quick = 0, net_cost = 0;
    if (getenv("WZ_DEBUG")) log_set_level(LOG_DEBUG);
    const char *thr_list = "1e-10,1e-20,1e-30,1e-40", *corpus = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick")) quick = 1;
        else if (!strcmp(argv[i], "--corpus") && i + 1 < argc) corpus = argv[++i];
        else if (!strcmp(argv[i], "--early")) g_early = true;
        else if (!strcmp(argv[i], "--fresh")) g_fresh = true;
        else if (!strcmp(argv[i], "--dump") && i + 1 < argc) g_dump = argv[++i];
        else if (!strcmp(argv[i], "--net") && i + 1 < argc) g_net = argv[++i];
        else if (!strcmp(argv[i], "--net-cost")) net_cost = 1;
        else if (!strcmp(argv[i], "--net-threshold") && i + 1 < argc) g_net_threshold = strtod(argv[++i], NULL);
        else if (!strcmp(argv[i], "--net-threshold-exact") && i + 1 < argc) g_net_exact = strtod(argv[++i], NULL);
        else if (!strcmp(argv[i], "--cmn-slow")) g_cmn_slow = true;
        else if (!strcmp(argv[i], "--jobs") && i + 1 < argc) {
            int j = atoi(argv[++i]); /* WZ_MIN/WZ_MAX evaluate their arguments twice */
            g_jobs = WZ_MAX(WZ_MIN(j, 64), 1);
        }
        else thr_list = argv[i];
    }
    if (net_cost) return run_net_cost();
    if (corpus) return run_corpus(corpus, thr_list);
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

    char thr[MAX_THRESHOLDS][32];
    int nthr = split_thresholds(thr_list, thr);
    for (int ti = 0; ti < nthr; ti++) {
        wake *w = wake_at(thr[ti]);
        if (!w) return 1;
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
        printf("| %s | %.1f%% (%d/%d) | %.1f%% (%d/%d) | %.1f (%ld) | %.1f (%d) | %d / %d | %d / %d |\n", thr[ti],
               percent(det1, npos), det1, npos, percent(det, npos), det, npos, per_hour(fa1, neg_h), fa1,
               per_hour(fa, neg_h), fa, nerr ? abs(end_err[nerr / 2]) : 0, nerr ? abs(end_err[nerr - 1]) : 0,
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
