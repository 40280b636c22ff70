/* test_wake: wake.words parsing, and spotting on Flite speech: hit, end
 * position, refractory period, stop phrase, a confusable negative, the
 * search's cepstral mean. */
#include <math.h>
#include <time.h>

#include "app/config.h"
#include "common/log.h"
#include "core/wake.h"
#include "synth.h"
#include "wz_test.h"

#define FRAME 320

static void test_parse_words(void)
{
    wake_phrase p[WAKE_MAX_PHRASES];
    char err[200];
    ASSERT_EQ(2, wake_parse_words("Hey  Wyzer/1e-20/, other phrase/1e-15/", p, 8, err, sizeof(err)));
    ASSERT_STREQ("hey wyzer", p[0].phrase);
    ASSERT_TRUE(fabs(p[0].threshold - 1e-20) < 1e-30);
    ASSERT_STREQ("other phrase", p[1].phrase);
    ASSERT_TRUE(fabs(p[1].threshold - 1e-15) < 1e-25);
    ASSERT_EQ(1, wake_parse_words("computer", p, 8, err, sizeof(err)));
    ASSERT_TRUE(fabs(p[0].threshold - 1e-40) < 1e-50);
}

static void test_parse_rejects(void)
{
    wake_phrase p[WAKE_MAX_PHRASES];
    char err[200];
    static const char *bad[] = {"", "hey/1e-20", "hey/abc/", "hey/2/", "hey/1e-20/x", "he!y/1e-20/",
                                "a, ,b", "one two three four five six seven", "a,b,c,d,e,f,g,h,i",
                                "hey/1e-200/"};
    for (size_t i = 0; i < WZ_ARRAY_LEN(bad); i++) {
        err[0] = '\0';
        if (wake_parse_words(bad[i], p, 8, err, sizeof(err)) != WZ_CONFIG)
            TEST_FAIL_AT("accepted \"%s\"", bad[i]);
        ASSERT_CONTAINS(err, "wake.words");
    }
}

static bool g_no_net; /* make_cfg(): without stage 3 (wake.net = none) */
static double g_bar[2] = {-1, -1}; /* make_cfg(): stage 3's thresholds after stage 2's hey-why
                                      rule and after the phrase itself (< 0: the defaults) */

static wake *make_cfg(const char *words, int refractory_ms, bool async, bool early, bool fast_cmn)
{
    static wz_config cfg;
    config_init(&cfg);
    wz_strlcpy(cfg.wake_words, words, sizeof(cfg.wake_words));
    cfg.wake_refractory_ms = refractory_ms;
    if (g_no_net)
        wz_strlcpy(cfg.wake_net, "none", sizeof(cfg.wake_net));
    wake_config wc;
    char err[256] = "";
    ASSERT_EQ(WZ_OK, wake_config_from(&wc, &cfg, err, sizeof(err)));
    wc.async = async;
    wc.early = early;
    if (g_bar[0] >= 0) wc.net_threshold = g_bar[0];
    if (g_bar[1] >= 0) wc.net_threshold_exact = g_bar[1];
    ASSERT_TRUE(wc.fast_cmn); /* the default */
    wc.fast_cmn = fast_cmn;
    wake *w = NULL;
    int rc = wake_create(&w, &wc, err, sizeof(err));
    if (rc)
        TEST_FAIL_AT("wake_create: %d %s", rc, err);
    return w;
}

static wake *make_early(const char *words, int refractory_ms, bool async, bool early)
{
    return make_cfg(words, refractory_ms, async, early, true);
}

static wake *make_mode(const char *words, int refractory_ms, bool async)
{
    return make_early(words, refractory_ms, async, false);
}

static wake *make(const char *words, int refractory_ms)
{
    return make_mode(words, refractory_ms, false);
}

/* Last sample above -40 dB of the clip's peak frame energy. */
static int speech_end(const int16_t *x, int n)
{
    double peak = 0;
    for (int f = 0; f + 160 <= n; f += 160) {
        double e = 0;
        for (int i = 0; i < 160; i++)
            e += (double)x[f + i] * x[f + i];
        if (e > peak) peak = e;
    }
    int last = 0;
    for (int f = 0; f + 160 <= n; f += 160) {
        double e = 0;
        for (int i = 0; i < 160; i++)
            e += (double)x[f + i] * x[f + i];
        if (e > peak * 1e-4) last = f + 160;
    }
    return last;
}

typedef struct { int hits, stops; wake_hit first, last; } feed_result;

static feed_result feed(wake *w, const int16_t *x, int n)
{
    feed_result r = {0};
    for (int f = 0; f + FRAME <= n; f += FRAME) {
        wake_hit h;
        int k = wake_process(w, x + f, FRAME, &h);
        ASSERT_TRUE(k >= 0);
        if (k == WAKE_HIT) {
            if (!r.hits) r.first = h;
            r.last = h;
            r.hits++;
        } else if (k == WAKE_STOP) {
            r.stops++;
        }
    }
    return r;
}

/* [silence 0.5 s][parts...][silence 1 s], returns sample offsets of part ends. */
static int16_t *build(const char *voice, const char *const *texts, int nt, int *ends, int *len)
{
    int cap = 16000 * 30, n = 8000;
    int16_t *buf = calloc((size_t)cap, sizeof(int16_t));
    for (int t = 0; t < nt; t++) {
        int m = 0;
        int16_t *s = synth_flite(voice, texts[t], 1.0f, &m);
        ASSERT_TRUE(s && n + m + 16000 < cap);
        int e = speech_end(s, m);
        memcpy(buf + n, s, sizeof(int16_t) * (size_t)e); /* trailing silence cut: no pause */
        n += e;
        ends[t] = n;
        free(s);
    }
    *len = n + 16000;
    return buf;
}

static void test_hit_and_end_position(void)
{
    wake *w = make("hey wyzer/1e-20/", 1500);
    static const char *const parts[] = {"hey wiser", "what time is it"};
    int ends[2], n;
    int16_t *x = build("slt", parts, 2, ends, &n);
    feed_result r = feed(w, x, n);
    ASSERT_EQ(1, r.hits);
    ASSERT_STREQ("hey wyzer", r.first.keyword);
    int true_end_ms = ends[0] / 16;
    fprintf(stderr, "  true end %d ms, reported end %lld ms, detected at %lld ms\n", true_end_ms,
            (long long)r.first.end_ms, (long long)r.first.detect_ms);
    ASSERT_GE(r.first.end_ms, true_end_ms - 150);
    ASSERT_LE(r.first.end_ms, true_end_ms + 150);
    ASSERT_GE(r.first.detect_ms, r.first.end_ms);
    ASSERT_LE(r.first.detect_ms, r.first.end_ms + 400);
    ASSERT_TRUE(r.first.start_ms < r.first.end_ms);
    free(x);
    wake_destroy(w);
}

/* As feed(), but frames are skipped (wake_skip) the way the core skips
 * silence: until a VAD stand-in (frame energy) has heard speech for
 * onset_frames frames, a late onset on purpose, and from 500 ms after it
 * last heard speech. */
static feed_result feed_gated(wake *w, const int16_t *x, int n, int onset_frames, int *skipped)
{
    feed_result r = {0};
    int run = 0, since = 1000;
    *skipped = 0;
    for (int f = 0; f + FRAME <= n; f += FRAME) {
        double e = 0;
        for (int i = 0; i < FRAME; i++)
            e += (double)x[f + i] * x[f + i];
        run = e / FRAME > 1e4 ? run + 1 : 0;
        since = run >= onset_frames ? 0 : since + 1;
        wake_hit h;
        bool quiet = since * FRAME / 16 > 500;
        int k = quiet ? wake_skip(w, x + f, FRAME, &h) : wake_process(w, x + f, FRAME, &h);
        *skipped += quiet;
        ASSERT_TRUE(k >= 0);
        if (k == WAKE_HIT) {
            if (!r.hits) r.first = h;
            r.last = h;
            r.hits++;
        }
    }
    return r;
}

/* Skipping silence changes neither the verdict nor the positions, even when
 * the decoding resumes 100 ms into the phrase (WAKE_RESUME_MS covers it). */
static void test_skip_silence(void)
{
    static const char *const parts[] = {"hey wiser", "what time is it"};
    int ends[2], n;
    int16_t *x = build("slt", parts, 2, ends, &n);
    /* 3 s of silence first, then the clip, then another clip 4 s later */
    int lead = 48000, gap = 64000, total = lead + n + gap + n;
    int16_t *y = calloc((size_t)total, sizeof(int16_t));
    ASSERT_TRUE(y != NULL);
    memcpy(y + lead, x, (size_t)n * sizeof(int16_t));
    memcpy(y + lead + n + gap, x, (size_t)n * sizeof(int16_t));
    wake *w = make("hey wyzer/1e-20/", 1500);
    feed_result all = feed(w, y, total);
    wake_destroy(w);
    w = make("hey wyzer/1e-20/", 1500);
    int skipped = 0;
    feed_result gated = feed_gated(w, y, total, 5, &skipped);
    wake_destroy(w);
    fprintf(stderr, "  every frame: %d hits, ends %lld/%lld ms; skipping %d of %d frames: %d hits, ends %lld/%lld ms\n",
            all.hits, (long long)all.first.end_ms, (long long)all.last.end_ms, skipped, total / FRAME, gated.hits,
            (long long)gated.first.end_ms, (long long)gated.last.end_ms);
    ASSERT_EQ(2, all.hits);
    ASSERT_EQ(2, gated.hits);
    ASSERT_TRUE(skipped > total / FRAME / 2); /* most of it was silence, and skipped */
    ASSERT_LE(llabs(gated.first.end_ms - all.first.end_ms), 60);
    ASSERT_LE(llabs(gated.last.end_ms - all.last.end_ms), 60);
    free(y);
    free(x);
}

static void test_refractory(void)
{
    static const char *const parts[] = {"hey wiser", "hey wiser", "what time is it"};
    int ends[3], n;
    int16_t *x = build("slt", parts, 3, ends, &n);
    wake *w = make("hey wyzer/1e-20/", 5000);
    feed_result r = feed(w, x, n);
    ASSERT_EQ(1, r.hits);
    wake_destroy(w);
    w = make("hey wyzer/1e-20/", 0);
    r = feed(w, x, n);
    ASSERT_EQ(2, r.hits);
    wake_destroy(w);
    free(x);
}

static void test_stop_phrase(void)
{
    static const char *const parts[] = {"stop"};
    int ends[1], n;
    int16_t *x = build("awb", parts, 1, ends, &n);
    wake *w = make("hey wyzer/1e-20/", 1500);
    feed_result r = feed(w, x, n);
    ASSERT_EQ(0, r.hits);
    ASSERT_EQ(1, r.stops);
    wake_destroy(w);
    free(x);
}

static void test_confusable_rejected(void)
{
    static const char *const parts[] = {"why is her writer so much wiser than the geyser over there"};
    int ends[1], n;
    int16_t *x = build("slt", parts, 1, ends, &n);
    wake *w = make("hey wyzer/1e-20/", 1500);
    feed_result r = feed(w, x, n);
    ASSERT_EQ(0, r.hits);
    wake_destroy(w);
    free(x);
}

/* slt's "hey wiser what time is it" in pink noise at 20 and 15 dB (three
 * noise seeds each), at the default threshold, one clip after another into
 * one spotter: stage 2 often hears her W as M ("they my is there"), which the
 * "hey"-like + "my" rule accepts. Measured in session 6: 5 of 6 detected with
 * the rule, 0 of 6 without; in session 17: 5 of 6, 4 of them accepted by the
 * rule (wake_stats.by_rule). Sentences with a real "hey my" / "hi my" in the
 * same noise must still not wake. Stage 2's rule is what this checks, so
 * without stage 3, which keeps only 1 of these 6 (session 18: it scores
 * slt's "they my say" 0.02-0.31; test_net_rejects_near_misses). */
static void test_noisy_female_voice(void)
{
    static const char *const pos[] = {"hey wiser", "what time is it"};
    static const char *const neg[] = {"hey my friend is here", "hi my name is sarah"};
    g_no_net = true;
    wake *w = make("hey wyzer/1e-30/", 1500);
    g_no_net = false;
    int hits = 0, false_wakes = 0;
    for (int snr = 20; snr >= 15; snr -= 5) {
        for (uint32_t seed = 1; seed <= 3; seed++) {
            for (int k = -1; k < (int)WZ_ARRAY_LEN(neg); k++) {
                int ends[2], n;
                int16_t *x = k < 0 ? build("slt", pos, 2, ends, &n) : build("slt", &neg[k], 1, ends, &n);
                synth_add_noise(x, n, synth_active_power(x, n), (float)snr, 1, seed);
                int64_t base_ms = wake_position_ms(w);
                feed_result r = feed(w, x, n);
                if (k >= 0)
                    false_wakes += r.hits;
                else
                    hits += r.hits == 1 && llabs(r.first.end_ms - base_ms - ends[0] / 16) <= 400;
                free(x);
            }
        }
    }
    wake_stats st;
    wake_get_stats(w, &st);
    wake_destroy(w);
    fprintf(stderr, "  slt in pink noise: %d of 6 detected (%ld accepted by the rule), %d false wakes in 12 negatives\n",
            hits, st.by_rule, false_wakes);
    ASSERT_GE(hits, 4);
    ASSERT_GE(st.by_rule, 1);
    ASSERT_EQ(0, false_wakes);
}

/* Stage 3 (data/wake/hey_wyzer.net) on near misses that stage 2 lets
 * through, and on the phrase itself, in Flite voices in pink noise at
 * 15 dB, each clip into a new module: the same clips with and without the
 * net. The near misses must reach stage 3 (stage 2 accepts some), and the
 * net must reject most of what stage 2 accepted, while keeping nearly every
 * phrase it accepted. */
static void test_net_rejects_near_misses(void)
{
    static const char *const voices[] = {"rms", "awb", "kal16"};
    static const char *const near[] = {"hey, why so quiet today", "they said why they were late",
                                       "hey, my phone is ringing again", "hey, why is her car outside",
                                       "say why you think so", "hey, why don't we order pizza tonight"};
    static const char *const pos[] = {"hey wiser", "what time is it"};
    int hits[2][2] = {{0}}; /* [without, with the net][phrase, near miss] */
    int clips[2] = {0};
    for (int net = 0; net < 2; net++) {
        g_no_net = !net;
        for (size_t v = 0; v < WZ_ARRAY_LEN(voices); v++) {
            wake *w = make("hey wyzer/1e-40/", 1500); /* clips 1.5 s apart: past the refractory period */
            for (int k = -1; k < (int)WZ_ARRAY_LEN(near); k++) {
                int ends[2], n;
                int16_t *x = k < 0 ? build(voices[v], pos, 2, ends, &n) : build(voices[v], &near[k], 1, ends, &n);
                synth_add_noise(x, n, synth_active_power(x, n), 15.0f, 1, (uint32_t)(7 + k));
                int64_t base_ms = wake_position_ms(w);
                feed_result r = feed(w, x, n);
                if (k < 0)
                    hits[net][0] += r.hits == 1 && llabs(r.first.end_ms - base_ms - ends[0] / 16) <= 400;
                else
                    hits[net][1] += r.hits;
                clips[k >= 0] += !net;
                free(x);
            }
            wake_destroy(w);
        }
    }
    g_no_net = false;
    fprintf(stderr, "  stage 2 alone: %d of %d phrases, %d wakes on %d near misses; with stage 3: %d phrases, %d wakes\n",
            hits[0][0], clips[0], hits[0][1], clips[1], hits[1][0], hits[1][1]);
    ASSERT_GE(hits[0][1], 3);                 /* the near misses do get past stage 2 */
    ASSERT_LE(hits[1][1] * 3, hits[0][1]);    /* stage 3 takes out at least two in three */
    ASSERT_GE(hits[1][0], hits[0][0] - 1);    /* and keeps the phrases */
    ASSERT_GE(hits[0][0], 2);
}

/* Feeds 20 ms of silence at a time, 5 ms apart, until a verdict arrives
 * from the stage-2 thread or 3 s of wall time pass. */
static int drain(wake *w, wake_hit *h)
{
    static const int16_t z[FRAME];
    for (int i = 0; i < 600; i++) {
        int k = wake_process(w, z, FRAME, h);
        if (k != WAKE_NONE)
            return k;
        struct timespec ts = {0, 5 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return WAKE_NONE;
}

/* On its thread, stage 2 reaches the same verdict and positions as inline;
 * the hit is only reported later. */
static void test_async_matches_inline(void)
{
    static const char *const parts[] = {"hey wiser", "what time is it"};
    int ends[2], n;
    int16_t *x = build("slt", parts, 2, ends, &n);
    wake *w = make("hey wyzer/1e-20/", 1500);
    feed_result in = feed(w, x, n);
    wake_destroy(w);
    ASSERT_EQ(1, in.hits);

    w = make_mode("hey wyzer/1e-20/", 1500, true);
    feed_result as = feed(w, x, n);
    wake_hit late;
    if (!as.hits && drain(w, &late) == WAKE_HIT) {
        as.first = late;
        as.hits = 1;
    }
    ASSERT_EQ(1, as.hits);
    ASSERT_STREQ("hey wyzer", as.first.keyword);
    ASSERT_EQ(in.first.start_ms, as.first.start_ms);
    ASSERT_EQ(in.first.end_ms, as.first.end_ms);
    ASSERT_GE(as.first.detect_ms, in.first.detect_ms);
    ASSERT_EQ(WAKE_NONE, drain(w, &late)); /* one verdict, once */
    wake_stats st;
    wake_get_stats(w, &st);
    ASSERT_EQ(1, st.candidates);
    ASSERT_EQ(0, st.rejected);
    wake_destroy(w);
    free(x);
}

/* wake_reset() (barge-in) voids a verdict still being computed. */
static void test_async_reset_voids_verdict(void)
{
    static const char *const parts[] = {"hey wiser", "what time is it"};
    int ends[2], n;
    int16_t *x = build("slt", parts, 2, ends, &n);
    wake *w = make_mode("hey wyzer/1e-20/", 1500, true);
    int reported = 0, reset_at = -1;
    for (int f = 0; f + FRAME <= n; f += FRAME) {
        wake_hit h;
        reported += wake_process(w, x + f, FRAME, &h) == WAKE_HIT;
        wake_stats st;
        wake_get_stats(w, &st);
        if (st.candidates == 1 && reset_at < 0) {
            reset_at = f;
            ASSERT_EQ(WZ_OK, wake_reset(w));
        }
    }
    wake_hit h;
    reported += drain(w, &h) == WAKE_HIT;
    ASSERT_TRUE(reset_at >= 0);
    ASSERT_EQ(0, reported);
    wake_destroy(w);
    free(x);
}

/* From stage 1's report until the verdict (a candidate first waits
 * VERIFY_WAIT_MS for the audio after it, inline too; async, stage 2 then
 * runs on its thread), wake_checking() reports the candidate the verdict
 * will be about; before and after, it reports nothing. wake_reset() voids
 * it. */
static void test_checking_reports_candidate(void)
{
    static const char *const parts[] = {"hey wiser", "what time is it"};
    int ends[2], n;
    int16_t *x = build("slt", parts, 2, ends, &n);
    for (int mode = 0; mode < 3; mode++) { /* inline, async, async + reset */
        wake *w = make_mode("hey wyzer/1e-20/", 1500, mode > 0);
        wake_hit cand = {0}, h = {0};
        int checking = 0, hits = 0;
        for (int f = 0; f + FRAME <= n; f += FRAME) {
            int k = wake_process(w, x + f, FRAME, &h);
            hits += k == WAKE_HIT;
            wake_hit c;
            if (!wake_checking(w, &c))
                continue;
            ASSERT_EQ(0, hits); /* nothing is checked once the verdict is in */
            if (!checking++)
                cand = c;
            if (mode == 2) {
                ASSERT_EQ(WZ_OK, wake_reset(w));
                ASSERT_TRUE(!wake_checking(w, NULL));
            }
        }
        if (mode > 0)
            hits += drain(w, &h) == WAKE_HIT;
        ASSERT_TRUE(!wake_checking(w, NULL));
        /* inline: exactly the wait (60 ms = 3 frames), then the verdict */
        if (mode == 0)
            ASSERT_EQ(3, checking);
        else
            ASSERT_GE(checking, mode == 1 ? 3 : 1);
        ASSERT_EQ(WAKE_HIT, cand.kind);
        ASSERT_STREQ("hey wyzer", cand.keyword);
        ASSERT_EQ(mode < 2 ? 1 : 0, hits);
        if (mode < 2) {
            ASSERT_EQ(h.start_ms, cand.start_ms);
            ASSERT_EQ(h.end_ms, cand.end_ms);
        }
        wake_destroy(w);
    }
    free(x);
}

/* First frame (sample offset) at which wake_checking() names a candidate,
 * -1 if none; hits counted in *hits, the hit in *h. */
static int first_checking(wake *w, const int16_t *x, int n, int *hits, wake_hit *h, wake_hit *cand)
{
    int first = -1;
    *hits = 0;
    for (int f = 0; f + FRAME <= n; f += FRAME) {
        wake_hit hh;
        int k = wake_process(w, x + f, FRAME, &hh);
        ASSERT_TRUE(k >= 0);
        if (k == WAKE_HIT && !(*hits)++)
            *h = hh;
        if (first < 0 && wake_checking(w, cand))
            first = f;
    }
    return first;
}

/* wake_listen_early(): the phrase without its last phone ("hey W AY Z")
 * names a candidate before the whole phrase is reported, so the barge-in
 * hold starts sooner. It never wakes by itself: the same single hit as
 * without it. Set up but off, the search is the plain one: the same hit at
 * the same positions. A phrase that stops at the cut names a candidate that
 * lapses with no hit. */
static void test_early_line(void)
{
    static const char *const voices[] = {"slt", "rms", "awb"};
    static const char *const parts[] = {"hey wiser", "what time is it"};
    for (size_t v = 0; v < WZ_ARRAY_LEN(voices); v++) {
        int ends[2], n;
        int16_t *x = build(voices[v], parts, 2, ends, &n);
        int at[3], hits[3];
        wake_hit h[3], c[3];
        for (int e = 0; e < 3; e++) { /* plain, set up but off, on */
            wake *w = make_early("hey wyzer/1e-30/", 1500, false, e > 0);
            ASSERT_EQ(WZ_OK, wake_listen_early(w, e == 2));
            at[e] = first_checking(w, x, n, &hits[e], &h[e], &c[e]);
            wake_destroy(w);
        }
        fprintf(stderr, "  %s: candidate at %d ms without the early line, %d ms with it (true end %d ms)\n",
                voices[v], at[0] / 16, at[2] / 16, ends[0] / 16);
        for (int e = 0; e < 3; e++) {
            ASSERT_EQ(1, hits[e]);
            ASSERT_TRUE(at[e] >= 0);
        }
        ASSERT_EQ(at[0], at[1]);
        ASSERT_EQ(h[0].end_ms, h[1].end_ms);
        ASSERT_EQ(h[0].detect_ms, h[1].detect_ms);
        ASSERT_LE(at[2] + 2 * FRAME, at[0]); /* at least two frames (40 ms) sooner */
        ASSERT_TRUE(c[2].end_ms < h[2].end_ms);
        ASSERT_STREQ("hey wyzer", c[2].keyword);
        ASSERT_EQ(WAKE_HIT, c[2].kind);
        ASSERT_TRUE(llabs(h[2].end_ms - h[0].end_ms) <= 30);
        free(x);
    }

    /* The cut phrase alone (slt's "they were wise", where the early line
     * fires and the whole phrase does not): a candidate that lapses with no
     * hit. (Many "hey wise ..." phrases wake it with or without the early
     * line; docs/listening.md.) */
    static const char *const cut[] = {"they were wise"};
    int ends[1], n;
    int16_t *x = build("slt", cut, 1, ends, &n);
    for (int e = 0; e < 2; e++) {
        wake *w = make_early("hey wyzer/1e-30/", 1500, false, true);
        ASSERT_EQ(WZ_OK, wake_listen_early(w, e == 1));
        int hits = 0;
        wake_hit h, c;
        int at = first_checking(w, x, n, &hits, &h, &c);
        ASSERT_EQ(0, hits);
        ASSERT_TRUE(e == 1 ? at >= 0 : at < 0);
        ASSERT_TRUE(!wake_checking(w, NULL));
        wake_destroy(w);
    }
    free(x);
}

static void test_unknown_word_is_config_error(void)
{
    wz_config cfg;
    config_init(&cfg);
    wz_strlcpy(cfg.wake_words, "hey zzqxv/1e-20/", sizeof(cfg.wake_words));
    wake_config wc;
    char err[256] = "";
    ASSERT_EQ(WZ_OK, wake_config_from(&wc, &cfg, err, sizeof(err)));
    wake *w = NULL;
    ASSERT_EQ(WZ_CONFIG, wake_create(&w, &wc, err, sizeof(err)));
    ASSERT_TRUE(w == NULL);
    ASSERT_CONTAINS(err, "zzqxv");
}

/* "hey wiser what time is it" in voice v at peak_dbfs, in white or pink
 * noise at snr dB (seed); *end gets the sample where "hey wiser" ends. */
static int16_t *noisy_phrase(const char *v, int pink, float snr, uint32_t seed, float peak_dbfs, int *end,
                             int *n)
{
    static const char *const pos[] = {"hey wiser", "what time is it"};
    int ends[2];
    int16_t *x = build(v, pos, 2, ends, n);
    synth_normalize(x, *n, peak_dbfs);
    synth_add_noise(x, *n, synth_active_power(x, *n), snr, pink, seed);
    *end = ends[0];
    return x;
}

/* The first wake phrase a new module hears, loud and in noise: PocketSphinx's
 * own cepstral mean is still the model's -cmninit, far below the input's,
 * while the one that follows the input has moved within half a second
 * (wake_config.fast_cmn). Each clip goes to a new module, as each run of the
 * evaluation is a new process. */
static void test_fast_cmn_first_phrase(void)
{
    static const char *const voices[] = {"slt", "awb", "rms", "kal16"};
    static const struct { int pink; float snr; } cond[] = {{0, 15.0f}, {1, 10.0f}};
    int hits[2] = {0, 0}, clips = 0;
    for (size_t v = 0; v < WZ_ARRAY_LEN(voices); v++) {
        for (size_t k = 0; k < WZ_ARRAY_LEN(cond); k++) {
            for (uint32_t seed = 1; seed <= 2; seed++) {
                int end, n;
                int16_t *x = noisy_phrase(voices[v], cond[k].pink, cond[k].snr, seed, -1.0f, &end, &n);
                for (int fast = 0; fast < 2; fast++) {
                    wake *w = make_cfg("hey wyzer/1e-30/", 1500, false, false, fast);
                    feed_result r = feed(w, x, n);
                    hits[fast] += r.hits == 1 && llabs(r.first.end_ms - end / 16) <= 400;
                    wake_destroy(w);
                }
                free(x);
                clips++;
            }
        }
    }
    fprintf(stderr, "  first phrase at -1 dBFS, 15 dB white or 10 dB pink noise: %d of %d with PocketSphinx's "
            "mean, %d with the fast one\n", hits[0], clips, hits[1]);
    ASSERT_GE(hits[1], hits[0] + 3);
}

/* The microphone's mean is kept while the search hears the echo
 * canceller (wake_hear_echo): 6 s of loud white noise on that input, then
 * the phrase on the microphone again is heard as if the noise had never
 * been there. */
static void test_echo_input_keeps_own_mean(void)
{
    static const char *const voices[] = {"slt", "kal16"};
    int n_noise = 16000 * 6;
    float *nz = malloc(sizeof(float) * (size_t)n_noise);
    int16_t *noise = malloc(sizeof(int16_t) * (size_t)n_noise);
    synth_noise(nz, n_noise, 0, 7);
    for (int i = 0; i < n_noise; i++)
        noise[i] = (int16_t)fmaxf(-32768.f, fminf(32767.f, 8000.f * nz[i]));
    int hits[2] = {0, 0}, clips = 0;
    for (size_t v = 0; v < WZ_ARRAY_LEN(voices); v++) {
        for (uint32_t seed = 1; seed <= 2; seed++) {
            int end, n;
            int16_t *x = noisy_phrase(voices[v], 1, 20.0f, seed, -6.0f, &end, &n);
            for (int echo = 0; echo < 2; echo++) {
                g_no_net = true; /* the search's mean is what this checks */
                wake *w = make("hey wyzer/1e-30/", 1500);
                g_no_net = false;
                feed_result warm = feed(w, x, n); /* the microphone's mean settles on the room */
                ASSERT_EQ(1, warm.hits);
                if (echo) {
                    wake_hear_echo(w, true);
                    (void)feed(w, noise, n_noise);
                    wake_hear_echo(w, false);
                } else {
                    static const int16_t z[FRAME];
                    for (int i = 0; i < n_noise / FRAME; i++)
                        ASSERT_TRUE(wake_skip(w, z, FRAME, NULL) >= 0);
                }
                int64_t base_ms = wake_position_ms(w);
                feed_result r = feed(w, x, n);
                hits[echo] += r.hits == 1 && llabs(r.first.end_ms - base_ms - end / 16) <= 400;
                wake_destroy(w);
            }
            free(x);
            clips++;
        }
    }
    free(nz);
    free(noise);
    fprintf(stderr, "  phrase after 6 s on the canceller's input: %d of %d (%d of %d after 6 s of silence)\n",
            hits[1], clips, hits[0], clips);
    ASSERT_EQ(clips, hits[0]);
    ASSERT_EQ(clips, hits[1]);
}

/* Feeds before[] and then x[], as one stream, into a new module with
 * stage 3 and into one without: hits[1] and hits[0] count one if the only
 * wake ends within 400 ms of x[end]. */
static void net_on_off(const int16_t *before, int nb, const int16_t *x, int n, int end, int hits[2])
{
    int16_t *all = malloc(sizeof(int16_t) * (size_t)(nb + n));
    ASSERT_TRUE(all != NULL);
    memcpy(all, before, sizeof(int16_t) * (size_t)nb);
    memcpy(all + nb, x, sizeof(int16_t) * (size_t)n);
    for (int net = 0; net < 2; net++) {
        g_no_net = !net;
        wake *w = make("hey wyzer/1e-40/", 1500);
        g_no_net = false;
        feed_result f = feed(w, all, nb + n);
        hits[net] += f.hits == 1 && llabs(f.first.end_ms - (nb + end) / 16) <= 400;
        wake_destroy(w);
    }
    free(all);
}

/* A phrase said right after a loud sound (noise, 0.3 s of quiet between):
 * stage 3 must keep what stage 2 accepts. Its window then starts in, or
 * just after, the sound. Each clip into a new module, with and without the
 * net. */
static void test_net_after_loud_sound(void)
{
    static const char *const voices[] = {"slt", "awb", "rms", "kal16"};
    int n_noise = 16000 * 2, gap = 16000 * 3 / 10;
    float *nz = malloc(sizeof(float) * (size_t)n_noise);
    int16_t *noise = malloc(sizeof(int16_t) * (size_t)n_noise);
    ASSERT_TRUE(nz && noise);
    int hits[2] = {0, 0}, clips = 0;
    for (size_t v = 0; v < WZ_ARRAY_LEN(voices); v++) {
        for (int pink = 0; pink < 2; pink++) {
            int end, n;
            int16_t *x = noisy_phrase(voices[v], 1, 20.0f, 1, -6.0f, &end, &n);
            synth_noise(nz, n_noise, pink, (uint32_t)(3 + v));
            for (int i = 0; i < n_noise; i++)
                noise[i] = (int16_t)fmaxf(-32768.f, fminf(32767.f, 6000.f * nz[i]));
            int skip = 8000 - gap; /* noisy_phrase() starts with 0.5 s of quiet */
            net_on_off(noise, n_noise, x + skip, n - skip, end - skip, hits);
            free(x);
            clips++;
        }
    }
    free(nz);
    free(noise);
    fprintf(stderr, "  phrase 0.3 s after 2 s of loud noise: stage 2 alone %d of %d, with stage 3 %d\n",
            hits[0], clips, hits[1]);
    ASSERT_GE(hits[0], clips - 2);
    ASSERT_GE(hits[1], hits[0] - 1);
}

/* The live case that stage 3's shifted training windows are for
 * (docs/listening.md, "Where stage 1 puts the end"): the user speaks 1.1 s
 * after a loud reply, 6 dB under it, as eval/barge_live.sh's room has it.
 * The search, its mean still the reply's, reports the phrase's end 100 ms
 * or more earlier than after silence, and a net trained only on windows at
 * the candidates' own ends turned such phrases away (session 18's net here:
 * slt 0.20, kal16 0.50). Stage 3 must keep every phrase stage 2 accepts. */
static void test_net_after_reply(void)
{
    static const char *const voices[] = {"slt", "awb", "rms", "kal16"};
    static const char *const reply[] = {"The timer is set for five minutes, and it will ring at four thirty."};
    int rend, rn;
    int16_t *r = build("kal16", reply, 1, &rend, &rn);
    synth_normalize(r, rn, -1.0f);
    int hits[2] = {0, 0}, clips = 0;
    for (size_t v = 0; v < WZ_ARRAY_LEN(voices); v++) {
        static const char *const pos[] = {"hey wiser", "what time is it"};
        int ends[2], n;
        int16_t *x = build(voices[v], pos, 2, ends, &n);
        synth_normalize(x, n, -7.0f);
        int quiet = 16000 * 11 / 10 - 8000; /* build() starts with 0.5 s of quiet */
        int16_t *before = calloc((size_t)(rend + quiet), sizeof(int16_t));
        ASSERT_TRUE(before != NULL);
        memcpy(before, r, sizeof(int16_t) * (size_t)rend);
        net_on_off(before, rend + quiet, x, n, ends[0], hits);
        free(before);
        free(x);
        clips++;
    }
    free(r);
    fprintf(stderr, "  phrase 1.1 s after a loud reply: stage 2 alone %d of %d, with stage 3 %d\n",
            hits[0], clips, hits[1]);
    ASSERT_GE(hits[0], clips - 1);
    ASSERT_EQ(hits[0], hits[1]);
}

/* Stage 3's bar follows stage 2's evidence: wake.net_threshold after the
 * hey-why rule, wake.net_threshold_exact after the phrase itself. The same
 * clips (slt, awb and rms saying the phrase clean, slt's in pink noise,
 * where stage 2 often needs the rule) go through three modules, each
 * shutting one door with a bar no score reaches: with the exact door shut
 * every wake must come by the rule, with the rule's shut none may, and
 * both kinds must occur, so the check can fail either way. */
static void test_net_bar_follows_stage2(void)
{
    static const char *const pos[] = {"hey wiser", "what time is it"};
    static const struct { const char *voice; int snr; uint32_t seed; } clip[] = {
        {"slt", 0, 0}, {"awb", 0, 0}, {"rms", 0, 0}, {"slt", 20, 1}, {"slt", 20, 2},
        {"slt", 20, 3}, {"slt", 15, 1}, {"slt", 15, 2}, {"slt", 15, 3}};
    static const double bars[3][2] = {{0, 1.01}, {1.01, 0}, {0, 0}}; /* [rule, exact] */
    int hits[3] = {0};
    wake_stats st[3];
    for (int b = 0; b < 3; b++) {
        g_bar[0] = bars[b][0];
        g_bar[1] = bars[b][1];
        wake *w = make("hey wyzer/1e-40/", 1500);
        g_bar[0] = g_bar[1] = -1;
        for (size_t k = 0; k < WZ_ARRAY_LEN(clip); k++) {
            int ends[2], n;
            int16_t *x = build(clip[k].voice, pos, 2, ends, &n);
            if (clip[k].snr)
                synth_add_noise(x, n, synth_active_power(x, n), (float)clip[k].snr, 1, clip[k].seed);
            hits[b] += feed(w, x, n).hits;
            free(x);
        }
        wake_get_stats(w, &st[b]);
        wake_destroy(w);
    }
    fprintf(stderr, "  of %zu phrases: %d wakes with both doors open (%ld by the rule); %d with only the rule's, "
            "%d with only the phrase's\n", WZ_ARRAY_LEN(clip), hits[2], st[2].by_rule, hits[0], hits[1]);
    ASSERT_GE(st[2].by_rule, 1);                /* both kinds occur */
    ASSERT_GE(hits[2] - st[2].by_rule, 1);
    ASSERT_EQ(hits[0], st[0].by_rule);           /* exact door shut: only the rule's wakes */
    ASSERT_GE(st[0].net_rejected, 1);
    ASSERT_EQ(0, st[1].by_rule);                 /* rule's door shut: only the phrase's */
    ASSERT_GE(hits[1], 1);
    ASSERT_GE(st[1].net_rejected, 1);
}

int main(void)
{
    if (getenv("WZ_TEST_DEBUG")) /* the wake module's debug log: each stage's verdict */
        log_set_level(LOG_DEBUG);
    RUN(test_parse_words);
    RUN(test_parse_rejects);
    RUN(test_hit_and_end_position);
    RUN(test_refractory);
    RUN(test_skip_silence);
    RUN(test_stop_phrase);
    RUN(test_confusable_rejected);
    RUN(test_noisy_female_voice);
    RUN(test_net_rejects_near_misses);
    RUN(test_async_matches_inline);
    RUN(test_async_reset_voids_verdict);
    RUN(test_checking_reports_candidate);
    RUN(test_early_line);
    RUN(test_fast_cmn_first_phrase);
    RUN(test_echo_input_keeps_own_mean);
    RUN(test_net_after_loud_sound);
    RUN(test_net_after_reply);
    RUN(test_net_bar_follows_stage2);
    RUN(test_unknown_word_is_config_error);
    return TEST_SUMMARY();
}
