/* test_endpoint: the endpointer on exact decision sequences, then on
 * synthetic audio (tone bursts in noise) through the real VAD. */
#include <math.h>
#include <stdlib.h>

#include "core/endpoint.h"
#include "core/vad.h"
#include "wz_test.h"

#define FRAME 320

static endpoint make(int timeout, int silence, int max)
{
    endpoint e;
    endpoint_config ec = {.frame_ms = 20, .start_timeout_ms = timeout, .end_silence_ms = silence,
                          .max_ms = max};
    ASSERT_EQ(WZ_OK, endpoint_init(&e, &ec));
    return e;
}

static void test_rejects_bad_config(void)
{
    endpoint e;
    endpoint_config ec = {.frame_ms = 20, .start_timeout_ms = 1000, .end_silence_ms = 600, .max_ms = 500};
    ASSERT_EQ(WZ_INVAL, endpoint_init(&e, &ec)); /* max < end_silence */
    ec.max_ms = 10000;
    static const struct { int complete, closed, rc; } cases[] = {
        {700, 0, WZ_INVAL},   /* complete_silence_ms longer than end_silence_ms */
        {10, 0, WZ_INVAL},    /* shorter than a frame */
        {0, 0, WZ_OK},        /* both off */
        {250, 300, WZ_INVAL}, /* closed_silence_ms longer than complete_silence_ms */
        {250, 10, WZ_INVAL},  /* shorter than a frame */
        {250, 120, WZ_OK},
        {0, 600, WZ_OK},      /* with complete off, up to end_silence_ms */
        {0, 700, WZ_INVAL},
    };
    for (size_t i = 0; i < WZ_ARRAY_LEN(cases); i++) {
        ec.complete_silence_ms = cases[i].complete;
        ec.closed_silence_ms = cases[i].closed;
        if (endpoint_init(&e, &ec) != cases[i].rc)
            TEST_FAIL_AT("complete %d, closed %d: expected %d", cases[i].complete, cases[i].closed, cases[i].rc);
    }
    ec.frame_ms = 0;
    ASSERT_EQ(WZ_INVAL, endpoint_init(&e, &ec));
}

static void test_idle_until_started(void)
{
    endpoint e = make(1000, 600, 10000);
    for (int i = 0; i < 200; i++)
        ASSERT_EQ(ENDPOINT_NONE, endpoint_process(&e, true, NULL));
}

static void test_start_timeout_exact(void)
{
    endpoint e = make(1000, 600, 10000);
    endpoint_start(&e, false);
    endpoint_info info;
    for (int i = 0; i < 49; i++)
        ASSERT_EQ(ENDPOINT_NONE, endpoint_process(&e, false, &info));
    ASSERT_EQ(ENDPOINT_TIMEOUT, endpoint_process(&e, false, &info));
    ASSERT_EQ(1000, info.audio_ms);
    ASSERT_TRUE(!endpoint_active(&e));
    ASSERT_EQ(ENDPOINT_NONE, endpoint_process(&e, true, &info));
}

static void test_start_then_end_after_silence(void)
{
    endpoint e = make(1000, 600, 10000);
    endpoint_start(&e, false);
    endpoint_info info;
    for (int i = 0; i < 10; i++) /* 200 ms before speech */
        ASSERT_EQ(ENDPOINT_NONE, endpoint_process(&e, false, &info));
    ASSERT_EQ(ENDPOINT_SPEECH_START, endpoint_process(&e, true, &info));
    ASSERT_EQ(200, info.speech_start_ms);
    for (int i = 0; i < 49; i++) /* 1 s of speech in total */
        ASSERT_EQ(ENDPOINT_NONE, endpoint_process(&e, true, &info));
    for (int i = 0; i < 29; i++)
        ASSERT_EQ(ENDPOINT_NONE, endpoint_process(&e, false, &info));
    ASSERT_EQ(ENDPOINT_SPEECH_END, endpoint_process(&e, false, &info));
    ASSERT_EQ(ENDPOINT_END_SILENCE, info.reason);
    ASSERT_EQ(1200, info.speech_last_ms);
    ASSERT_EQ(1800, info.audio_ms);
}

static void test_pause_shorter_than_silence_does_not_end(void)
{
    endpoint e = make(1000, 600, 10000);
    endpoint_start(&e, false);
    ASSERT_EQ(ENDPOINT_SPEECH_START, endpoint_process(&e, true, NULL));
    for (int i = 0; i < 29; i++) /* 580 ms pause */
        ASSERT_EQ(ENDPOINT_NONE, endpoint_process(&e, false, NULL));
    ASSERT_EQ(ENDPOINT_NONE, endpoint_process(&e, true, NULL));
    ASSERT_TRUE(endpoint_active(&e));
}

static void test_max_length(void)
{
    endpoint e = make(1000, 600, 2000);
    endpoint_start(&e, false);
    endpoint_info info;
    ASSERT_EQ(ENDPOINT_SPEECH_START, endpoint_process(&e, true, &info));
    int n = 1;
    endpoint_result r;
    while ((r = endpoint_process(&e, true, &info)) == ENDPOINT_NONE)
        n++;
    ASSERT_EQ(ENDPOINT_SPEECH_END, r);
    ASSERT_EQ(ENDPOINT_END_MAX, info.reason);
    ASSERT_EQ(2000, info.audio_ms);
    ASSERT_EQ(99, n);
}

static void test_cancel(void)
{
    endpoint e = make(1000, 600, 2000);
    endpoint_start(&e, false);
    ASSERT_EQ(ENDPOINT_SPEECH_START, endpoint_process(&e, true, NULL));
    endpoint_cancel(&e);
    for (int i = 0; i < 200; i++)
        ASSERT_EQ(ENDPOINT_NONE, endpoint_process(&e, false, NULL));
}

/* ---- synthetic audio through the real VAD ---- */

static unsigned rng = 12345;
static float noise_sample(void)
{
    /* sum of 4 uniforms ~ gaussian, unit-ish variance */
    float s = 0;
    for (int i = 0; i < 4; i++) {
        rng = rng * 1664525u + 1013904223u;
        s += (float)(rng >> 8) / (float)(1u << 24) - 0.5f;
    }
    return s * 1.73f;
}

/* Appends ms of noise (rms dbfs) plus, if tone, a harmonic tone burst at -20 dBFS. */
static int16_t *append(int16_t *buf, int *len, int ms, float noise_dbfs, int tone)
{
    int n = ms * 16;
    buf = realloc(buf, sizeof(int16_t) * (size_t)(*len + n));
    float na = 32768.0f * powf(10.0f, noise_dbfs / 20.0f);
    for (int i = 0; i < n; i++) {
        float x = na * noise_sample();
        if (tone) {
            float t = (float)(*len + i) / 16000.0f;
            x += 1600.0f * (sinf(2 * (float)M_PI * 220 * t) + 0.7f * sinf(2 * (float)M_PI * 660 * t) +
                            0.5f * sinf(2 * (float)M_PI * 1320 * t) + 0.3f * sinf(2 * (float)M_PI * 2640 * t));
        }
        buf[*len + i] = (int16_t)fmaxf(-32768.0f, fminf(32767.0f, x));
    }
    *len += n;
    return buf;
}

typedef struct { int start_ms, end_ms, timeout_ms, end_reason; } run_result;

static run_result run(const int16_t *pcm, int len, int arm_ms)
{
    vad_config vc;
    vad_config_init(&vc);
    vad *v;
    ASSERT_EQ(WZ_OK, vad_create(&v, &vc));
    endpoint e = make(3000, 600, 10000);
    run_result rr = {-1, -1, -1, -1};
    for (int f = 0; f + FRAME <= len; f += FRAME) {
        int t_ms = f / 16;
        if (t_ms == arm_ms)
            endpoint_start(&e, false);
        int s = vad_process(v, pcm + f, FRAME);
        ASSERT_TRUE(s >= 0);
        endpoint_info info;
        endpoint_result r = endpoint_process(&e, s == 1, &info);
        if (r == ENDPOINT_SPEECH_START)
            rr.start_ms = arm_ms + (int)info.speech_start_ms;
        else if (r == ENDPOINT_SPEECH_END) {
            rr.end_ms = arm_ms + (int)info.audio_ms;
            rr.end_reason = info.reason;
        } else if (r == ENDPOINT_TIMEOUT)
            rr.timeout_ms = arm_ms + (int)info.audio_ms;
    }
    vad_destroy(v);
    return rr;
}

static void test_audio_noise_only_times_out(void)
{
    int len = 0;
    int16_t *pcm = append(NULL, &len, 6000, -45.0f, 0);
    run_result rr = run(pcm, len, 1000);
    ASSERT_EQ(-1, rr.start_ms);
    ASSERT_EQ(4000, rr.timeout_ms);
    free(pcm);
}

static void test_audio_burst_start_and_end(void)
{
    int len = 0;
    int16_t *pcm = append(NULL, &len, 2500, -45.0f, 0);
    pcm = append(pcm, &len, 1000, -45.0f, 1); /* burst 2500..3500 */
    pcm = append(pcm, &len, 2000, -45.0f, 0);
    run_result rr = run(pcm, len, 2000);
    ASSERT_GE(rr.start_ms, 2500);
    ASSERT_LE(rr.start_ms, 2560); /* onset smoothing: 2 frames */
    /* end = burst end + VAD hangover (160 ms) + end silence (600 ms), +-1 frame */
    ASSERT_GE(rr.end_ms, 3500 + 160 + 600 - 20);
    ASSERT_LE(rr.end_ms, 3500 + 160 + 600 + 40);
    ASSERT_EQ(ENDPOINT_END_SILENCE, rr.end_reason);
    free(pcm);
}

static void test_audio_internal_pause_kept(void)
{
    int len = 0;
    int16_t *pcm = append(NULL, &len, 2500, -50.0f, 0);
    pcm = append(pcm, &len, 600, -50.0f, 1);
    pcm = append(pcm, &len, 500, -50.0f, 0); /* pause shorter than 160 + 600 */
    pcm = append(pcm, &len, 600, -50.0f, 1); /* ends at 4200 */
    pcm = append(pcm, &len, 2000, -50.0f, 0);
    run_result rr = run(pcm, len, 2000);
    ASSERT_GE(rr.end_ms, 4200 + 600);
    ASSERT_LE(rr.end_ms, 4200 + 160 + 600 + 40);
    free(pcm);
}

static void test_audio_max_length(void)
{
    int len = 0;
    int16_t *pcm = append(NULL, &len, 2500, -50.0f, 0);
    /* 11 s of bursts with 100 ms gaps: never 600 ms of silence */
    for (int i = 0; i < 22; i++) {
        pcm = append(pcm, &len, 400, -50.0f, 1);
        pcm = append(pcm, &len, 100, -50.0f, 0);
    }
    run_result rr = run(pcm, len, 2000);
    ASSERT_EQ(ENDPOINT_END_MAX, rr.end_reason);
    ASSERT_EQ(2000 + 10000, rr.end_ms);
    free(pcm);
}

/* Feeds n frames of one decision; returns the first non-NONE result. */
static endpoint_result feed(endpoint *e, bool speech, int n, endpoint_info *info)
{
    for (int i = 0; i < n; i++) {
        endpoint_result r = endpoint_process(e, speech, info);
        if (r != ENDPOINT_NONE)
            return r;
    }
    return ENDPOINT_NONE;
}

/* The wake word's tail (160 ms) then a 700 ms pause then the command: one
 * utterance that ends after the command, not after the tail. */
static void test_blip_before_command_does_not_end(void)
{
    endpoint e = make(5000, 500, 10000);
    e.cfg.min_speech_ms = 250;
    endpoint_start(&e, true);
    endpoint_info info;
    ASSERT_EQ(ENDPOINT_SPEECH_START, endpoint_process(&e, true, &info));
    ASSERT_EQ(ENDPOINT_NONE, feed(&e, true, 7, &info));    /* 160 ms tail */
    ASSERT_EQ(ENDPOINT_NONE, feed(&e, false, 35, &info));  /* 700 ms pause */
    ASSERT_EQ(ENDPOINT_NONE, feed(&e, true, 20, &info));   /* 400 ms "next" */
    ASSERT_EQ(ENDPOINT_SPEECH_END, feed(&e, false, 25, &info));
    ASSERT_EQ(0, info.speech_start_ms);
    ASSERT_EQ(1260, info.speech_last_ms);
    ASSERT_EQ(1760, info.audio_ms);
    /* not after a wake word (a follow-up): the tail alone is the utterance */
    endpoint_start(&e, false);
    ASSERT_EQ(ENDPOINT_SPEECH_START, endpoint_process(&e, true, &info));
    ASSERT_EQ(ENDPOINT_NONE, feed(&e, true, 7, &info));
    ASSERT_EQ(ENDPOINT_SPEECH_END, feed(&e, false, 35, &info));
    ASSERT_EQ(160, info.speech_last_ms);
}

/* A blip and nothing after it ends at the start timeout, as speech. */
static void test_blip_alone_ends_at_start_timeout(void)
{
    endpoint e = make(2000, 500, 10000);
    e.cfg.min_speech_ms = 250;
    endpoint_start(&e, true);
    endpoint_info info;
    ASSERT_EQ(ENDPOINT_NONE, feed(&e, false, 5, &info));
    ASSERT_EQ(ENDPOINT_SPEECH_START, endpoint_process(&e, true, &info));
    ASSERT_EQ(ENDPOINT_NONE, feed(&e, true, 4, &info));
    ASSERT_EQ(ENDPOINT_SPEECH_END, feed(&e, false, 200, &info));
    ASSERT_EQ(ENDPOINT_END_SILENCE, info.reason);
    ASSERT_EQ(2000, info.audio_ms);
    ASSERT_TRUE(!endpoint_active(&e));
}

/* 1 s of speech, then silence; the brain's hint (if any) comes after
 * hint_after frames of silence and covers the audio up to hint_ms (closed:
 * a command nothing can extend, with closed_silence_ms 60). Returns the
 * frames of silence until SPEECH_END. */
static int silence_until_end_c(int complete_silence, int hint_after, int64_t hint_ms, bool closed,
                               endpoint_info *info)
{
    endpoint e = make(5000, 500, 10000);
    e.cfg.complete_silence_ms = complete_silence;
    e.cfg.closed_silence_ms = 60;
    endpoint_start(&e, false);
    ASSERT_EQ(ENDPOINT_SPEECH_START, endpoint_process(&e, true, info));
    ASSERT_EQ(ENDPOINT_NONE, feed(&e, true, 49, info)); /* speech ends at 1000 ms */
    for (int i = 1; i <= 100; i++) {
        if (i == hint_after + 1 && hint_ms >= 0)
            endpoint_heard_complete(&e, hint_ms, closed);
        if (endpoint_process(&e, false, info) != ENDPOINT_NONE)
            return i;
    }
    return -1;
}

static int silence_until_end(int complete_silence, int hint_after, int64_t hint_ms, endpoint_info *info)
{
    return silence_until_end_c(complete_silence, hint_after, hint_ms, false, info);
}

static void test_whole_command_ends_sooner(void)
{
    endpoint_info info;
    /* hint right away, covering the speech: 150 ms of silence */
    ASSERT_EQ(8, silence_until_end(150, 0, 1020, &info));
    ASSERT_EQ(ENDPOINT_END_COMPLETE, info.reason);
    ASSERT_EQ(1000, info.speech_last_ms);
    /* a late hint ends the utterance when it comes */
    ASSERT_EQ(13, silence_until_end(150, 12, 1100, &info));
    ASSERT_EQ(ENDPOINT_END_COMPLETE, info.reason);
    /* no hint, a hint that misses the last speech, or the feature off: 500 ms */
    ASSERT_EQ(25, silence_until_end(150, 0, -1, &info));
    ASSERT_EQ(ENDPOINT_END_SILENCE, info.reason);
    ASSERT_EQ(25, silence_until_end(150, 0, 980, &info));
    ASSERT_EQ(25, silence_until_end(0, 0, 1020, &info));
    ASSERT_EQ(ENDPOINT_END_SILENCE, info.reason);
}

/* A command nothing can extend ends sooner still, under the same rules. */
static void test_closed_command_ends_soonest(void)
{
    endpoint_info info;
    ASSERT_EQ(3, silence_until_end_c(150, 0, 1020, true, &info));
    ASSERT_EQ(ENDPOINT_END_CLOSED, info.reason);
    ASSERT_EQ(1000, info.speech_last_ms);
    /* a late closed hint ends the utterance when it comes */
    ASSERT_EQ(6, silence_until_end_c(150, 5, 1100, true, &info));
    ASSERT_EQ(ENDPOINT_END_CLOSED, info.reason);
    /* one that misses the last speech does nothing */
    ASSERT_EQ(25, silence_until_end_c(150, 0, 980, true, &info));
    ASSERT_EQ(ENDPOINT_END_SILENCE, info.reason);
    /* a closed hint is also a whole one: with the closed wait off
       (0), complete_silence_ms applies */
    endpoint e = make(5000, 500, 10000);
    e.cfg.complete_silence_ms = 150;
    endpoint_start(&e, false);
    ASSERT_EQ(ENDPOINT_SPEECH_START, endpoint_process(&e, true, &info));
    endpoint_heard_complete(&e, 20, true);
    ASSERT_EQ(ENDPOINT_NONE, feed(&e, false, 7, &info));
    ASSERT_EQ(ENDPOINT_SPEECH_END, endpoint_process(&e, false, &info));
    ASSERT_EQ(ENDPOINT_END_COMPLETE, info.reason);
    /* a closed hint, then more speech that makes an open command: the
       closed one no longer covers the speech, the open one applies */
    e = make(5000, 500, 10000);
    e.cfg.complete_silence_ms = 150;
    e.cfg.closed_silence_ms = 60;
    endpoint_start(&e, false);
    ASSERT_EQ(ENDPOINT_SPEECH_START, endpoint_process(&e, true, &info));
    ASSERT_EQ(ENDPOINT_NONE, feed(&e, true, 24, &info)); /* "what's the weather" */
    ASSERT_EQ(ENDPOINT_NONE, feed(&e, false, 1, &info));
    endpoint_heard_complete(&e, 500, true);
    ASSERT_EQ(ENDPOINT_NONE, feed(&e, true, 25, &info)); /* "... in paris" */
    endpoint_heard_complete(&e, 1040, false);
    ASSERT_EQ(ENDPOINT_NONE, feed(&e, false, 7, &info));
    ASSERT_EQ(ENDPOINT_SPEECH_END, endpoint_process(&e, false, &info));
    ASSERT_EQ(ENDPOINT_END_COMPLETE, info.reason);
}

/* Speech after the hint: the words the brain judged are no longer all of
 * them, so the normal end silence applies again. */
static void test_speech_after_hint_voids_it(void)
{
    endpoint e = make(5000, 500, 10000);
    e.cfg.complete_silence_ms = 150;
    endpoint_start(&e, false);
    endpoint_info info;
    ASSERT_EQ(ENDPOINT_SPEECH_START, endpoint_process(&e, true, &info));
    ASSERT_EQ(ENDPOINT_NONE, feed(&e, true, 24, &info)); /* "set a timer" */
    ASSERT_EQ(ENDPOINT_NONE, feed(&e, false, 5, &info)); /* 100 ms pause */
    endpoint_heard_complete(&e, 600, false);
    ASSERT_EQ(ENDPOINT_NONE, feed(&e, true, 20, &info)); /* "for five minutes" */
    ASSERT_EQ(ENDPOINT_NONE, feed(&e, false, 24, &info));
    ASSERT_EQ(ENDPOINT_SPEECH_END, endpoint_process(&e, false, &info));
    ASSERT_EQ(ENDPOINT_END_SILENCE, info.reason);
    ASSERT_EQ(1000, info.speech_last_ms);
    /* a hint while idle, or before any speech, is ignored */
    endpoint_heard_complete(&e, 5000, false);
    endpoint_start(&e, false);
    endpoint_heard_complete(&e, 5000, false);
    ASSERT_EQ(ENDPOINT_SPEECH_START, endpoint_process(&e, true, &info));
    ASSERT_EQ(ENDPOINT_NONE, feed(&e, false, 24, &info));
    ASSERT_EQ(ENDPOINT_SPEECH_END, endpoint_process(&e, false, &info));
    ASSERT_EQ(ENDPOINT_END_SILENCE, info.reason);
}

int main(void)
{
    RUN(test_rejects_bad_config);
    RUN(test_idle_until_started);
    RUN(test_start_timeout_exact);
    RUN(test_start_then_end_after_silence);
    RUN(test_pause_shorter_than_silence_does_not_end);
    RUN(test_max_length);
    RUN(test_blip_before_command_does_not_end);
    RUN(test_blip_alone_ends_at_start_timeout);
    RUN(test_whole_command_ends_sooner);
    RUN(test_closed_command_ends_soonest);
    RUN(test_speech_after_hint_voids_it);
    RUN(test_cancel);
    RUN(test_audio_noise_only_times_out);
    RUN(test_audio_burst_start_and_end);
    RUN(test_audio_internal_pause_kept);
    RUN(test_audio_max_length);
    return TEST_SUMMARY();
}
